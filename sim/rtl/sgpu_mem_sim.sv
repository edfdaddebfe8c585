// sgpu_mem_sim: simulated device memory behind the sgpu_pkg memory-port contract, with seeded
// random request stalls and random read latency. Simulation only (Verilator); boards use
// rtl/mem/sgpu_mem_bram.sv or an SPRAM/SDRAM controller behind the same port.
//
// Port: req_valid_i/req_ready_o with req_i (sgpu_pkg::mem_req_t; word address, byte enables
// for writes); rsp_valid_o/rsp_ready_i with rsp_o (sgpu_pkg::mem_rsp_t), one response per read,
// in request order, held until taken (rsp_ready_i low stalls it and every later response).
// Writes are posted and take effect when accepted; a read returns the word as it is when the
// read is accepted, so a read after a write of the same word sees the write.
// Timing:
//   - request: req_ready_o is low in a random StallPct percent of cycles (0: never), and
//     while Depth reads are waiting for their response. It never depends on req_valid_i.
//   - read latency: 1 + a random 0..MaxExtraLatency cycles from acceptance to rsp_valid_o,
//     but never before the previous read's response (responses stay in order), plus any
//     time rsp_ready_i holds the responses back.
//   - randomness: two xorshift32 generators seeded from Seed at reset; the same Seed and the
//     same stimulus give the same cycle-by-cycle behaviour. Nothing is printed.
// Contents at start: Zeroed = 1 starts every word at zero (iCE40/ECP5 block RAM after
// configuration); Zeroed = 0 starts word a at (a ^ 32'hDEADBEEF), never zero for a < 2^31,
// standing in for SPRAM or SDRAM after power-up, so a read of a word nobody wrote (or scrubbed)
// is visible.
// Checks (Verilator --assert): every request address is below Words; a request not yet
// accepted is held unchanged (the port's valid/ready rule).
module sgpu_mem_sim #(
  parameter int unsigned  AddrW           = 16,          // word address bits used
  parameter int unsigned  Words           = 1 << AddrW,  // words of storage, <= 2^AddrW
  parameter int unsigned  StallPct        = 0,           // % of cycles with req_ready_o low
  parameter int unsigned  MaxExtraLatency = 0,           // extra read latency, 0..this
  parameter int unsigned  Depth           = 8,           // reads waiting for a response
  parameter int unsigned  Seed            = 1,           // random generator seed
  parameter bit           Zeroed          = 1'b1,        // contents start at zero
  localparam int unsigned SlotW           = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW            = $clog2(Depth + 1)
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
  localparam logic [SlotW-1:0] LastSlot = SlotW'(Depth - 1);

  logic [31:0]      mem_q [Words];
  logic [31:0]      rdata_q [Depth];   // responses waiting, oldest at rd_slot_q
  logic [31:0]      due_q [Depth];     // cycle (now_q) from which each may be answered
  logic [SlotW-1:0] rd_slot_q, wr_slot_q;
  logic [CntW-1:0]  cnt_q;
  logic [31:0]      now_q;
  logic [31:0]      rng_stall_q, rng_lat_q;
  logic             stall_q;
  logic [AddrW-1:0] addr;
  logic             req_fire, rd_push, rsp_pop;

`ifndef SYNTHESIS  // Yosys unrolls this loop (minutes at 64 Ki words); this model is not synthesized
  initial begin
    for (int unsigned a = 0; a < Words; a++) mem_q[a] = Zeroed ? 32'h0 : (a ^ 32'hDEAD_BEEF);
  end
`endif

  // xorshift32 (Marsaglia): a full-period generator over the non-zero 32-bit states.
  function automatic logic [31:0] xorshift32(logic [31:0] x);
    logic [31:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 17);
    xorshift32 = y ^ (y << 5);
  endfunction

  assign addr        = req_i.addr[AddrW-1:0];
  assign req_ready_o = rst_ni && !stall_q && (cnt_q != CntW'(Depth));
  assign req_fire    = req_valid_i && req_ready_o;
  assign rd_push     = req_fire && !req_i.we;
  assign rsp_valid_o = (cnt_q != '0) && (now_q >= due_q[rd_slot_q]);
  assign rsp_o.rdata = rdata_q[rd_slot_q];
  assign rsp_pop     = rsp_valid_o && rsp_ready_i;

  // Control state.
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rng_stall_q <= (Seed == 0) ? 32'h1 : 32'(Seed);
      rng_lat_q   <= (32'(Seed) ^ 32'h9E37_79B9) | 32'h1;
      stall_q     <= 1'b0;
      now_q       <= '0;
      cnt_q       <= '0;
      rd_slot_q   <= '0;
      wr_slot_q   <= '0;
    end else begin
      rng_stall_q <= xorshift32(rng_stall_q);
      if (rd_push) rng_lat_q <= xorshift32(rng_lat_q);
      stall_q     <= (rng_stall_q[15:0] % 16'd100) + 16'd1 <= 16'(StallPct);
      now_q       <= now_q + 1'b1;
      cnt_q       <= cnt_q + CntW'(rd_push) - CntW'(rsp_pop);
      if (rd_push) wr_slot_q <= (wr_slot_q == LastSlot) ? '0 : wr_slot_q + 1'b1;
      if (rsp_pop) rd_slot_q <= (rd_slot_q == LastSlot) ? '0 : rd_slot_q + 1'b1;
    end
  end

  // Storage and the response data path (no reset: the contents are the memory).
  always_ff @(posedge clk_i) begin
    if (req_fire && req_i.we) begin
      for (int unsigned b = 0; b < 4; b++) begin
        if (req_i.be[b]) mem_q[addr][8*b +: 8] <= req_i.wdata[8*b +: 8];
      end
    end
    if (rd_push) begin
      rdata_q[wr_slot_q] <= mem_q[addr];
      due_q[wr_slot_q]   <= now_q + 32'd1 + (rng_lat_q % (MaxExtraLatency + 1));
    end
  end

  // Contract checks: the request held while not accepted.
  logic               wait_q;
  sgpu_pkg::mem_req_t wait_req_q;
  always_ff @(posedge clk_i) begin
    wait_q     <= rst_ni && req_valid_i && !req_ready_o;
    wait_req_q <= req_i;
  end

`ifdef VERILATOR  // concurrent assertions: Verilator here
  initial begin
    assert (Words >= 1 && 64'(Words) <= (64'd1 << AddrW)) else $error("Words must fit AddrW");
    assert (AddrW <= 31) else $error("AddrW above 31: the Zeroed=0 pattern could be zero");
    assert (StallPct <= 100) else $error("StallPct is a percentage");
    assert (Depth >= 1) else $error("Depth must be at least 1");
  end
  // An address past the end would alias silently in hardware: catch it in simulation.
  AddrInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    req_valid_i |-> (req_i.addr < 32'(Words)));
  ReqHeld_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    wait_q |-> (req_valid_i && req_i == wait_req_q));
`endif
endmodule
