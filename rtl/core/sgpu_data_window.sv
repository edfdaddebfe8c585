// sgpu_data_window: the data window of MEM_READ/MEM_WRITE, DataWords 32-bit words of RAM
// shared by the register bus (the host) and the context manager's memory path (sgpu_ctx_mem).
//
// One RAM with one write port and one synchronous read port (block RAM: SB_RAM40_4K on iCE40,
// DP16KD on ECP5), given to one side at a time by dev_own_i, which the core drives with
// ADMIN_STATUS.BUSY: while an admin command is pending or executing the window is the
// device's, otherwise the host's. A MEM_READ/MEM_WRITE runs only while BUSY, so the two never
// meet, and the rule the host sees is simple (docs/semantics.md): while BUSY its reads return 0
// and its writes are ignored.
//
// Host port (the register block's DATA sub-bus): bus_valid_i with bus_write_i, bus_addr_i (the
//   byte offset inside the window), bus_wdata_i; always accepted. A read's data is on
//   bus_rdata_o the cycle after the request. Words at or past DataWords, offsets that are not
//   word aligned and any access while the device owns the window read 0 and do not write.
//   No side effect on read.
// Device port (sgpu_ctx_mem; used only while dev_own_i): dev_re_i reads word dev_raddr_i, its
//   data is on dev_rdata_o the cycle after and stays there until the next dev_re_i (the RAM's
//   output register); dev_we_i writes dev_wdata_i to word dev_waddr_i at the clock edge.
// Contents: kept across commands, not cleared by reset; zero at start in simulation (and in a
// bitstream, whose block RAM starts zeroed).
module sgpu_data_window #(
  parameter int unsigned DataWords = 64,   // words, a power of two, >= 2
  parameter int unsigned OffW      = 15,   // bits of the host port's byte offset
  localparam int unsigned IdxW     = $clog2(DataWords)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            dev_own_i,
  // host port
  input  logic            bus_valid_i,
  input  logic            bus_write_i,
  input  logic [OffW-1:0] bus_addr_i,
  input  logic [31:0]     bus_wdata_i,
  output logic [31:0]     bus_rdata_o,
  // device port
  input  logic            dev_re_i,
  input  logic [IdxW-1:0] dev_raddr_i,
  output logic [31:0]     dev_rdata_o,
  input  logic            dev_we_i,
  input  logic [IdxW-1:0] dev_waddr_i,
  input  logic [31:0]     dev_wdata_i
);
  if (DataWords < 2 || (DataWords & (DataWords - 1)) != 0 || IdxW + 2 > OffW) begin : g_bad_words
    $error("sgpu_data_window: DataWords %0d must be a power of two, >= 2, inside the window",
           DataWords);
  end

  logic [31:0]     mem_q [DataWords];
  logic [31:0]     rdata_q;
  logic            host_ok, host_rd_q;
  logic            we, re;
  logic [IdxW-1:0] waddr, raddr;
  logic [31:0]     wdata;

  // a host access that reaches the RAM: the host's turn, a word of the window, aligned
  assign host_ok = bus_valid_i && !dev_own_i && bus_addr_i[1:0] == 2'b00 &&
                   (bus_addr_i >> (IdxW + 2)) == '0;

  always_comb begin
    if (dev_own_i) begin
      we    = dev_we_i;
      waddr = dev_waddr_i;
      wdata = dev_wdata_i;
      re    = dev_re_i;
      raddr = dev_raddr_i;
    end else begin
      we    = host_ok && bus_write_i;
      waddr = bus_addr_i[IdxW+1:2];
      wdata = bus_wdata_i;
      re    = host_ok && !bus_write_i;
      raddr = bus_addr_i[IdxW+1:2];
    end
  end

  // the RAM: one write port, one registered read port (no reset: block RAM). No user reads
  // and writes in the same cycle; saying so (`else`) spares Yosys the read-during-write bypass
  // it would otherwise build around the block RAM (a flop per data bit and a 32-bit mux).
  always_ff @(posedge clk_i) begin
    if (we) mem_q[waddr] <= wdata;
    else if (re) rdata_q <= mem_q[raddr];
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) host_rd_q <= 1'b0;
    else         host_rd_q <= host_ok && !bus_write_i;
  end

  assign bus_rdata_o = host_rd_q ? rdata_q : '0;
  assign dev_rdata_o = rdata_q;

`ifndef SYNTHESIS
  initial begin
    for (int unsigned i = 0; i < DataWords; i++) mem_q[i] = '0;
  end
`endif

`ifdef VERILATOR
  // The device port is used only while the device owns the window, and the RAM never reads
  // and writes in the same cycle (what the `else` above relies on). Immediate assertions
  // sampled at the clock edge: Verilator 5.006 evaluates a concurrent `assert property` on a
  // combinational signal after the edge's updates, which here gave false failures.
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      NoDevWhileHost_A: assert (dev_own_i || (!dev_re_i && !dev_we_i));
      NoReadWriteSameCycle_A: assert (!(we && re));
    end
  end
`endif

  // Waiver: offset bits above the window's words only select "outside" (checked in host_ok).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^bus_addr_i;
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
