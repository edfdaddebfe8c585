// sgpu_sim_top: the simulated device: the core and its device memory, the top that the
// Verilated models (libsgpu_sim_<config>.so, the RTL benches) are built from.
// A top wires and does nothing else; the memory behind the core's memory port is the
// simulation's choice here, as it is a board's in its own top.
module sgpu_sim_top #(
  parameter int unsigned PageShift  = 8,    // log2 page bytes (>= 6)
  parameter int unsigned NumFrames  = 64,   // device-memory frames
  parameter int unsigned NumProcs   = 4,    // process slots
  parameter int unsigned NumQueues  = 4,    // hardware queue slots
  parameter int unsigned TlbEntries = 4     // TLB entries
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                reg_valid_i,
  input  logic                reg_write_i,
  input  logic [15:0]         reg_addr_i,
  input  logic [31:0]         reg_wdata_i,
  output logic                reg_rvalid_o,
  output logic [31:0]         reg_rdata_o,
  output logic                irq_o,
  input  logic [NumProcs-1:0] engine_busy_i
);
  localparam int unsigned FrameW = (NumFrames > 1) ? $clog2(NumFrames) : 1;
  localparam int unsigned AddrW  = FrameW + PageShift - 2;

  logic               mem_req_valid, mem_req_ready, mem_rsp_valid, mem_rsp_ready;
  sgpu_pkg::mem_req_t mem_req;
  sgpu_pkg::mem_rsp_t mem_rsp;

  sgpu_core #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs),
    .NumQueues(NumQueues), .TlbEntries(TlbEntries)
  ) u_core (
    .clk_i, .rst_ni,
    .reg_valid_i, .reg_write_i, .reg_addr_i, .reg_wdata_i, .reg_rvalid_o, .reg_rdata_o, .irq_o,
    .engine_busy_i,
    .mem_req_valid_o(mem_req_valid), .mem_req_ready_i(mem_req_ready), .mem_req_o(mem_req),
    .mem_rsp_valid_i(mem_rsp_valid), .mem_rsp_ready_o(mem_rsp_ready), .mem_rsp_i(mem_rsp)
  );

  sgpu_mem #(.AddrW(AddrW), .Words(NumFrames << (PageShift - 2))) u_mem (
    .clk_i, .rst_ni,
    .req_valid_i(mem_req_valid), .req_ready_o(mem_req_ready), .req_we_i(mem_req.we),
    .req_addr_i(mem_req.addr[AddrW-1:0]), .req_wdata_i(mem_req.wdata),
    .rsp_valid_o(mem_rsp_valid), .rsp_rdata_o(mem_rsp.rdata)
  );

  // Waiver: the old memory model answers at once and ignores byte enables (the core writes
  // whole words); the upper address bits are zero by construction.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = mem_rsp_ready ^ (|mem_req.be) ^ (|mem_req.addr[sgpu_pkg::MemAddrW-1:AddrW]);
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
