// sgpu_mem: device memory behind the sgpu memory-port interface.
//
// The memory port (shared by every master through sgpu_mem_arb):
//   req_valid_i/req_ready_o  request handshake; a request moves when both are high
//   req_we_i, req_addr_i (word address), req_wdata_i
//   rsp_valid_o, rsp_rdata_o  read data, exactly one cycle after an accepted read; writes have
//                             no response
// This on-chip model is always ready. External SDRAM can replace it behind the same port
// by holding req_ready_o low and answering reads later: masters never assume a fixed latency
// (they wait for rsp_valid_o).
//
// Contents start at zero (initial block; iCE40/ECP5 block RAMs also configure to zero), which
// is what lets the frame allocator treat never-used frames as clean.
module sgpu_mem #(
  parameter int unsigned AddrW = 16,              // word address width
  parameter int unsigned Words = 1 << AddrW       // words of storage
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             req_valid_i,
  output logic             req_ready_o,
  input  logic             req_we_i,
  input  logic [AddrW-1:0] req_addr_i,
  input  logic [31:0]      req_wdata_i,
  output logic             rsp_valid_o,
  output logic [31:0]      rsp_rdata_o
);
  logic [31:0] mem_q [Words];
  logic        rsp_valid_q;
  logic [31:0] rsp_rdata_q;

`ifndef SYNTHESIS
  // Simulation starts the array at zero like the FPGA's block RAM configuration does (synthesis
  // leaves it uninitialised, which the iCE40/ECP5 bitstream tools fill with zeros; SPRAM-backed
  // or external memory will need a scrub-on-reset pass instead).
  initial begin
    for (int unsigned i = 0; i < Words; i++) mem_q[i] = '0;
  end
`endif

  assign req_ready_o = 1'b1;

  always_ff @(posedge clk_i) begin
    if (req_valid_i && req_we_i) mem_q[req_addr_i] <= req_wdata_i;
    rsp_rdata_q <= mem_q[req_addr_i];
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rsp_valid_q <= 1'b0;
    else         rsp_valid_q <= req_valid_i && !req_we_i;
  end

  assign rsp_valid_o = rsp_valid_q;
  assign rsp_rdata_o = rsp_rdata_q;

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // An address past the end would alias silently in hardware: catch it in simulation.
  AddrInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_valid_i |-> (32'(req_addr_i) < Words));
`endif
endmodule
