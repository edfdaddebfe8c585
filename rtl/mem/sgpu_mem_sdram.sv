// sgpu_mem_sdram: the core's memory port (sgpu_pkg memory-port contract) on a LiteDRAM native
// user port of 16-bit data (boards/ulx3s/litedram_core.v: GENSDRPHY on a x16 SDR SDRAM).
//
// Port: req_valid_i/req_ready_o with req_i (word address, byte enables honoured on writes);
// rsp_valid_o/rsp_ready_i with rsp_o: one response per read, in order, held until taken.
// Mapping: 32-bit word w is native words 2w (bits 15:0, be[1:0]) and 2w+1 (bits 31:16,
// be[3:2]); AddrW native address bits (24: 16 M half-words = 32 MB) hold 2^(AddrW-1) words.
// One request at a time: a request is accepted only when the previous one is over (a write:
// both halves' data taken by the controller, wdata_ready; a read: both halves returned and the
// response free or being taken). So a read after a write to the same word sees the write (the
// write's data went to the chip before the read's command was issued), and responses are in
// order trivially. Writes are posted: req_ready_o to the core's master is the only wait.
// Latency (the controller's): a read answers 6 (open row) to ~12 (row miss) cycles after
// acceptance, more behind a refresh; a write takes ~4-5 cycles before the next request.
// Native port behaviour relied on (LiteDRAM 2024.12): cmd_ready may depend on cmd_addr (held
// stable here); write data is pulled in command order (wdata_ready), so data and byte enables
// are presented before the command is issued; read data is pushed in command order
// (rdata_valid; rdata_ready is driven 1 and never used as backpressure).
module sgpu_mem_sdram #(
  parameter int unsigned AddrW = 24    // native port address bits (16-bit words)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // the core's memory port
  input  logic               req_valid_i,
  output logic               req_ready_o,
  input  sgpu_pkg::mem_req_t req_i,
  output logic               rsp_valid_o,
  input  logic               rsp_ready_i,
  output sgpu_pkg::mem_rsp_t rsp_o,
  // LiteDRAM native port (user_port_native_0_*)
  output logic               cmd_valid_o,
  input  logic               cmd_ready_i,
  output logic               cmd_we_o,
  output logic [AddrW-1:0]   cmd_addr_o,
  output logic               wdata_valid_o,
  input  logic               wdata_ready_i,
  output logic [15:0]        wdata_data_o,
  output logic [1:0]         wdata_we_o,
  input  logic               rdata_valid_i,
  output logic               rdata_ready_o,
  input  logic [15:0]        rdata_data_i
);
  // the request being served (datapath: no reset)
  logic             we_q;
  logic [3:0]       be_q;
  logic [AddrW-2:0] addr_q;
  logic [31:0]      wdata_q;
  // progress: busy, commands issued (0..2), write halves taken, read halves returned
  logic             busy_q, busy_d;
  logic [1:0]       ncmd_q, ncmd_d;
  logic [1:0]       ndat_q, ndat_d;
  logic [15:0]      rlo_q;
  logic [31:0]      rdata_q;
  logic             rsp_valid_q, rsp_valid_d;
  logic             accept, cmd_fire, wdat_fire, rdat_fire, last_dat;

  // a new request only when the last is over; a read also needs the response register free
  assign req_ready_o = !busy_q && (req_i.we || !rsp_valid_q || rsp_ready_i);
  assign accept      = req_valid_i && req_ready_o;

  assign cmd_valid_o   = busy_q && ncmd_q != 2'd2;
  assign cmd_we_o      = we_q;
  assign cmd_addr_o    = {addr_q, ncmd_q[0]};
  assign cmd_fire      = cmd_valid_o && cmd_ready_i;
  // the half the controller takes next: ndat_q counts halves taken
  assign wdata_valid_o = busy_q && we_q && ndat_q != 2'd2;
  assign wdata_data_o  = ndat_q[0] ? wdata_q[31:16] : wdata_q[15:0];
  assign wdata_we_o    = ndat_q[0] ? be_q[3:2] : be_q[1:0];
  assign wdat_fire     = wdata_valid_o && wdata_ready_i;
  assign rdata_ready_o = 1'b1;
  assign rdat_fire     = busy_q && !we_q && rdata_valid_i;
  assign last_dat      = (wdat_fire || rdat_fire) && ndat_q == 2'd1;

  always_comb begin
    busy_d = busy_q; ncmd_d = ncmd_q; ndat_d = ndat_q; rsp_valid_d = rsp_valid_q;
    if (rsp_valid_q && rsp_ready_i) rsp_valid_d = 1'b0;
    if (cmd_fire)                   ncmd_d = ncmd_q + 2'd1;
    if (wdat_fire || rdat_fire)     ndat_d = ndat_q + 2'd1;
    if (last_dat) begin
      busy_d = 1'b0;
      if (!we_q) rsp_valid_d = 1'b1;
    end
    if (accept) begin
      busy_d = 1'b1; ncmd_d = '0; ndat_d = '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0; ncmd_q <= '0; ndat_q <= '0; rsp_valid_q <= 1'b0;
    end else begin
      busy_q <= busy_d; ncmd_q <= ncmd_d; ndat_q <= ndat_d; rsp_valid_q <= rsp_valid_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (accept) begin
      we_q <= req_i.we; be_q <= req_i.be; addr_q <= req_i.addr[AddrW-2:0]; wdata_q <= req_i.wdata;
    end
    if (rdat_fire && ndat_q == 2'd0) rlo_q <= rdata_data_i;
    if (rdat_fire && ndat_q == 2'd1) rdata_q <= {rdata_data_i, rlo_q};
  end

  assign rsp_valid_o = rsp_valid_q;
  assign rsp_o.rdata = rdata_q;

  // Waiver: the core's addresses above the memory's end are checked below, not decoded.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{req_i.addr[sgpu_pkg::MemAddrW-1:AddrW-1]};
  /* verilator lint_on UNUSEDSIGNAL */

`ifdef VERILATOR
  // An address past the end would alias silently in hardware: catch it in simulation.
  AddrInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_valid_i |-> (req_i.addr >> (AddrW - 1)) == '0);
  // The controller never returns read data nobody asked for, nor takes unasked write data.
  NoStrayRead_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    rdata_valid_i |-> busy_q && !we_q && ndat_q < ncmd_q);
`endif
endmodule
