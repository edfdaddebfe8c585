// sgpu_mem_spram: device memory in the iCE40UP5K's single-port RAMs (SB_SPRAM256KA, 16K x 16
// each), behind the sgpu_pkg memory-port contract. Four of them give 32K words of 32 bits
// (128 KiB, the `up5k` configuration: 128 frames of 1 KiB); two give 16K words.
//
// Port: req_valid_i/req_ready_o with req_i (sgpu_pkg::mem_req_t: word address, byte enables
// honoured on writes); rsp_valid_o/rsp_ready_i with rsp_o (sgpu_pkg::mem_rsp_t), one response
// per read, in order, held until taken.
// Latency: a read accepted in cycle t answers in cycle t+1 (the SPRAM's output register is the
// response register; word a lives in bank a[14], its low half in one SPRAM, its high half in
// the other). Writes are posted and take effect at acceptance.
// Backpressure: nothing is accepted while a response is waiting and not taken in this cycle
// (rsp_valid_o && !rsp_ready_i): the SPRAM's output is the only copy of that response, and the
// primitive's output during a write to the same SPRAM is not specified by Lattice's usage
// guide, so no access of either kind touches a bank while it holds a response. req_ready_o
// depends on rsp_ready_i only (combinationally).
// Throughput: one request per cycle while responses are taken.
// To check on a board: a response held for more than a cycle relies on DATAOUT keeping its
// value while CHIPSELECT is low. Yosys's model does; Lattice's SPRAM usage guide (TN1314) does
// not say. If it does not hold, the response needs a register of its own here.
// Instantiated, not inferred: the primitive is named (Yosys 0.23 maps an inferred array to
// SPRAM only with ram_style "huge" and a gated read, docs/boards.md). In Verilator the
// primitive is sim/rtl/board/SB_SPRAM256KA.sv (contents start non-zero, as the SPRAM's do
// after power-up); the post-synthesis simulation uses Yosys's own iCE40 cell model.
// SPRAM does not start zeroed: the core must be built with MemZeroed = 0 (it scrubs every
// frame before first use).
module sgpu_mem_spram #(
  parameter int unsigned AddrW = 15   // word address bits used: 14 (2 SPRAMs) or 15 (4)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               req_valid_i,
  output logic               req_ready_o,
  input  sgpu_pkg::mem_req_t req_i,
  output logic               rsp_valid_o,
  input  logic               rsp_ready_i,
  output sgpu_pkg::mem_rsp_t rsp_o
);
  localparam int unsigned Banks = 1 << (AddrW - 14);

  if (AddrW < 14 || AddrW > 15) begin : g_bad_addr_w
    $error("sgpu_mem_spram: AddrW %0d outside 14..15 (2 or 4 SB_SPRAM256KA of 16K x 16)", AddrW);
  end

  logic             rsp_valid_q, fire;
  logic [Banks-1:0] bank_sel;
  logic             rd_bank_q;             // the bank the waiting response comes from
  logic [Banks-1:0][31:0] bank_rdata;
  logic [7:0]       nib_we;                // nibble write enables: byte b is nibbles 2b, 2b+1

  assign req_ready_o = !rsp_valid_q || rsp_ready_i;
  assign fire        = req_valid_i && req_ready_o;
  for (genvar b = 0; b < 4; b++) begin : g_nib
    assign nib_we[2*b]     = req_i.be[b];
    assign nib_we[2*b + 1] = req_i.be[b];
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rsp_valid_q <= 1'b0;
    else if (fire) rsp_valid_q <= !req_i.we;
    else if (rsp_ready_i) rsp_valid_q <= 1'b0;
  end
  always_ff @(posedge clk_i) begin
    if (fire && !req_i.we) rd_bank_q <= (Banks > 1) ? req_i.addr[14] : 1'b0;
  end

  for (genvar k = 0; k < Banks; k++) begin : g_bank
    assign bank_sel[k] = fire && ((Banks == 1) || (req_i.addr[14] == 1'(k)));
    for (genvar h = 0; h < 2; h++) begin : g_half
      SB_SPRAM256KA u_spram (
        .ADDRESS(req_i.addr[13:0]), .DATAIN(req_i.wdata[16*h +: 16]),
        .MASKWREN(nib_we[4*h +: 4]), .WREN(req_i.we), .CHIPSELECT(bank_sel[k]),
        .CLOCK(clk_i), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1),
        .DATAOUT(bank_rdata[k][16*h +: 16])
      );
    end
  end

  assign rsp_valid_o = rsp_valid_q;
  assign rsp_o.rdata = (Banks > 1) ? bank_rdata[rd_bank_q] : bank_rdata[0];

  // Waiver: the address bits above AddrW are zero in a build whose memory is this big (the
  // core's frames fill it exactly); the bank bit is unused with one bank.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{req_i.addr[31:14], rd_bank_q};
  /* verilator lint_on UNUSEDSIGNAL */

`ifdef VERILATOR  // concurrent assertions: Verilator here
  // An address past the end would alias silently in hardware: catch it in simulation.
  AddrInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_valid_i |-> (req_i.addr < (32'd1 << AddrW)));
`endif
endmodule
