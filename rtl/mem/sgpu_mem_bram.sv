// sgpu_mem_bram: on-chip device memory in FPGA block RAM (iCE40 SB_RAM40_4K, ECP5 DP16KD),
// behind the sgpu_pkg memory-port contract.
//
// Port: req_valid_i/req_ready_o with req_i (sgpu_pkg::mem_req_t: word address, byte enables
// honoured on writes); rsp_valid_o/rsp_ready_i with rsp_o (sgpu_pkg::mem_rsp_t), one response
// per read, in order, held until taken.
// Latency: a read accepted in cycle t answers in cycle t+1 (the block RAM's registered read
// port is the response register). Writes are posted and take effect at acceptance.
// Backpressure: writes are always accepted. A read is accepted unless the previous response
// is still waiting and is not taken in this cycle (rsp_valid_o && !rsp_ready_i): the read
// port's output register holds that response, so a new read would overwrite it. req_ready_o
// therefore depends on req_i.we and on rsp_ready_i (combinationally; the port's masters hold
// a request until it is accepted, so a ready that depends on the request is fine).
// Throughput: one request per cycle, reads back to back while responses are taken.
// Inference: one synchronous, enabled read and one byte-enabled write on a single address,
// no reset and no initial value in synthesis, so Yosys maps the array to block RAM
// (1024 words: 8 SB_RAM40_4K on iCE40).
// Zeroed: what the FPGA's RAM initialisation gives. 1 for block RAM (iCE40 and ECP5 block RAM
// configure to zero). It changes no hardware: the board top passes the same value to the
// core (which scrubs every frame before first use when it is 0). In simulation it picks the
// starting contents: zero, or word a = a ^ 32'hDEADBEEF as in sim/rtl/sgpu_mem_sim.sv.
module sgpu_mem_bram #(
  parameter int unsigned AddrW  = 10,          // word address bits used
  parameter int unsigned Words  = 1 << AddrW,  // words of storage, <= 2^AddrW
  parameter bit          Zeroed = 1'b1         // contents at configuration are zero
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
  logic [31:0]      mem_q [Words];
  logic [31:0]      rdata_q;
  logic             rsp_valid_q, rsp_valid_d;
  logic [AddrW-1:0] addr;
  logic             rd_fire, wr_fire;

`ifndef SYNTHESIS
  initial begin
    for (int unsigned a = 0; a < Words; a++) mem_q[a] = Zeroed ? 32'h0 : (a ^ 32'hDEAD_BEEF);
  end
`endif

  assign addr        = req_i.addr[AddrW-1:0];
  assign req_ready_o = req_i.we || !rsp_valid_q || rsp_ready_i;
  assign rd_fire     = req_valid_i && req_ready_o && !req_i.we;
  assign wr_fire     = req_valid_i && req_ready_o && req_i.we;

  always_comb begin
    rsp_valid_d = rsp_valid_q;
    if (rsp_valid_q && rsp_ready_i) rsp_valid_d = 1'b0;
    if (rd_fire)                    rsp_valid_d = 1'b1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rsp_valid_q <= 1'b0;
    else         rsp_valid_q <= rsp_valid_d;
  end

  // The block RAM: byte-enabled write, registered read enabled by an accepted read.
  always_ff @(posedge clk_i) begin
    if (wr_fire) begin
      for (int unsigned b = 0; b < 4; b++) begin
        if (req_i.be[b]) mem_q[addr][8*b +: 8] <= req_i.wdata[8*b +: 8];
      end
    end
    if (rd_fire) rdata_q <= mem_q[addr];
  end

  assign rsp_valid_o = rsp_valid_q;
  assign rsp_o.rdata = rdata_q;

`ifdef VERILATOR  // concurrent assertions: Verilator here
  initial begin
    assert (Words >= 1 && 64'(Words) <= (64'd1 << AddrW)) else $error("Words must fit AddrW");
  end
  // An address past the end would alias silently in hardware: catch it in simulation.
  AddrInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_valid_i |-> (req_i.addr < 32'(Words)));
`endif
endmodule
