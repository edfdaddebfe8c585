// sgpu_mem_sdram: the core's memory port (sgpu_pkg memory-port contract) on a LiteDRAM native
// user port of 16-bit data (boards/ulx3s/litedram_core.v: GENSDRPHY on a x16 SDR SDRAM).
//
// Port: req_valid_i/req_ready_o with req_i (word address, byte enables honoured on writes);
// rsp_valid_o/rsp_ready_i with rsp_o: one response per read, in order, held until taken.
// Mapping: 32-bit word w is native words 2w (bits 15:0, be[1:0]) and 2w+1 (bits 31:16,
// be[3:2]); AddrW native address bits (24: 16 M half-words = 32 MB) hold 2^(AddrW-1) words.
// One request's commands at a time: a request is accepted when the previous one's two
// commands are issued and, for a read, its two halves are back (and the response register is
// free or being taken). A write's data waits in a 4-half-word queue until the controller pulls
// it (wdata_ready), so writes overlap: the next request's commands go out while earlier data
// is still queued. Order: LiteDRAM's crossbar locks a port to one bank while that bank has
// the port's commands queued, so commands execute, and write data is pulled, in command order;
// a read after a write to the same word therefore sees the write, and responses are in order.
// Writes are posted: req_ready_o to the core's master is the only wait.
// Latency (the controller's): a read answers ~10 (open row) to ~14 (row miss) cycles after
// acceptance, more behind a refresh.
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
  logic [AddrW-2:0] addr_q;
  // progress: busy (commands to issue or read data to come), commands issued (0..2), read
  // halves returned
  logic             busy_q, busy_d;
  logic [1:0]       ncmd_q, ncmd_d;
  logic             nrd_q, nrd_d;
  logic [15:0]      rlo_q;
  logic [31:0]      rdata_q;
  logic             rsp_valid_q, rsp_valid_d;
  // write data waiting for the controller to pull it, in command order: half-words with their
  // byte enables, WQ entries (two writes)
  localparam int unsigned WQ = 4;
  logic [17:0]      wq_q [WQ];
  logic [1:0]       wq_rd_q, wq_wr_q;
  logic [2:0]       wq_cnt_q;
  logic             accept, cmd_fire, wdat_fire, rdat_fire, wq_room, rd_done;

  // A new request when the last one's commands are issued (a write's data may still wait in
  // the queue: the controller pulls it in command order) and, for a read, its data is back;
  // a write also needs room for its two halves, a read the response register free.
  assign wq_room     = wq_cnt_q <= 3'(WQ - 2);
  assign req_ready_o = !busy_q && (req_i.we ? wq_room : (!rsp_valid_q || rsp_ready_i));
  assign accept      = req_valid_i && req_ready_o;

  assign cmd_valid_o   = busy_q && ncmd_q != 2'd2;
  assign cmd_we_o      = we_q;
  assign cmd_addr_o    = {addr_q, ncmd_q[0]};
  assign cmd_fire      = cmd_valid_o && cmd_ready_i;
  assign wdata_valid_o = wq_cnt_q != '0;
  assign {wdata_we_o, wdata_data_o} = wq_q[wq_rd_q];
  assign wdat_fire     = wdata_valid_o && wdata_ready_i;
  assign rdata_ready_o = 1'b1;
  assign rdat_fire     = busy_q && !we_q && rdata_valid_i;
  assign rd_done       = rdat_fire && nrd_q;

  always_comb begin
    busy_d = busy_q; ncmd_d = ncmd_q; nrd_d = nrd_q; rsp_valid_d = rsp_valid_q;
    if (rsp_valid_q && rsp_ready_i) rsp_valid_d = 1'b0;
    if (cmd_fire) begin
      ncmd_d = ncmd_q + 2'd1;
      if (we_q && ncmd_q == 2'd1) busy_d = 1'b0;   // a write is done with its commands
    end
    if (rdat_fire) nrd_d = 1'b1;
    if (rd_done) begin
      busy_d = 1'b0; rsp_valid_d = 1'b1;
    end
    if (accept) begin
      busy_d = 1'b1; ncmd_d = '0; nrd_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0; ncmd_q <= '0; nrd_q <= 1'b0; rsp_valid_q <= 1'b0;
      wq_rd_q <= '0; wq_wr_q <= '0; wq_cnt_q <= '0;
    end else begin
      busy_q <= busy_d; ncmd_q <= ncmd_d; nrd_q <= nrd_d; rsp_valid_q <= rsp_valid_d;
      if (wdat_fire) wq_rd_q <= wq_rd_q + 2'd1;
      if (accept && req_i.we) wq_wr_q <= wq_wr_q + 2'd2;
      wq_cnt_q <= wq_cnt_q + ((accept && req_i.we) ? 3'd2 : 3'd0) - (wdat_fire ? 3'd1 : 3'd0);
    end
  end

  always_ff @(posedge clk_i) begin
    if (accept) begin
      we_q <= req_i.we; addr_q <= req_i.addr[AddrW-2:0];
    end
    if (accept && req_i.we) begin
      wq_q[wq_wr_q]         <= {req_i.be[1:0], req_i.wdata[15:0]};
      wq_q[wq_wr_q + 2'd1]  <= {req_i.be[3:2], req_i.wdata[31:16]};
    end
    if (rdat_fire && !nrd_q) rlo_q <= rdata_data_i;
    if (rd_done)             rdata_q <= {rdata_data_i, rlo_q};
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
    rdata_valid_i |-> busy_q && !we_q && {1'b0, nrd_q} < ncmd_q);
  NoStrayWrite_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    wdata_ready_i |-> wq_cnt_q != '0);
`endif
endmodule
