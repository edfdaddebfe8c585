// sgpu_mem_xbar: NumMasters memory masters onto one memory port (the sgpu_pkg memory-port
// contract on every side), with round-robin arbitration and an outstanding-read limit.
//
// Master k: req_valid_i[k]/req_ready_o[k] with its sgpu_pkg::mem_req_t in
// req_i[k] (a sgpu_pkg::mem_req_t); its read data comes back on
// rsp_valid_o[k]/rsp_ready_i[k] with rsp_o (one bus shared by all masters, qualified by
// rsp_valid_o). Memory: mem_req_valid_o/mem_req_ready_i with mem_req_o, mem_rsp_valid_i/
// mem_rsp_ready_o with mem_rsp_i.
// What the neighbours must do (the port contract, plus the usual valid/ready rules):
//   - a master holds req_valid_i[k] and its request stable until req_ready_o[k], and does not
//     make req_valid_i depend on req_ready_o;
//   - the memory answers reads in request order, each at least one cycle after its request
//     (no response in the cycle the read is accepted), and holds a response until taken.
// What this block guarantees (tests/formal/xbar.sby proves each for 3 masters, limit 3):
//   - Fairness: round robin (sgpu_rr_arb). A master that holds a request is granted after at
//     most NumMasters-1 grants to other masters, so no master, the scrubber included, waits
//     behind a busy engine for more than that.
//   - Outstanding limit: at most MaxOutstanding reads (any value >= 1) are in flight between
//     acceptance and response. At the limit no read is offered; a write still is.
//     The limit does not skip a reader: when the round-robin winner is a read held back by
//     the limit, nothing is offered until a response frees a slot. Writes behind it wait too.
//     Skipping it would let writers take every cycle while the limit holds and pass the
//     pointer over the reader each time: with one greedy writer and two readers at limit 1,
//     one reader is then never granted. Waiting costs writes only the cycles until the next
//     read response and keeps the NumMasters-1 bound exact.
//   - Offers are stable: once mem_req_valid_o is up it stays, with the same request, until
//     mem_req_ready_i (the arbiter locks its choice), even if a master of higher priority
//     arrives meanwhile.
//   - Every accepted request goes to memory exactly once, unchanged; every read gets exactly
//     one response, to the master that issued it, in the order the reads were accepted.
//   - Response backpressure: a response waits while its master's rsp_ready_i is low, and so
//     does the memory (mem_rsp_ready_o is that master's rsp_ready_i).
// Port types: the per-master requests are a 2-D packed array of struct-sized words, not
// `sgpu_pkg::mem_req_t [NumMasters-1:0]`. Both Yosys versions (0.23 and 0.70) silently read a
// packed array of a packed struct as ONE struct (the array dimension is dropped, req_i[k]
// becomes bit k; no warning; YosysHQ/yosys#2677), while Verilator gets it right, so the typed
// form would simulate correctly and synthesize wrong. Inside, every element is copied into a
// sgpu_pkg::mem_req_t variable before any field is read. ReqW is $bits(sgpu_pkg::mem_req_t)
// (checked at elaboration in Verilator; Yosys cannot take $bits of a package type).
// Latency: none added. The grant is combinational (req_valid_i -> mem_req_valid_o, and
// mem_req_ready_i -> req_ready_o, in the same cycle), as is the response route
// (mem_rsp_valid_i -> rsp_valid_o, rsp_ready_i -> mem_rsp_ready_o). A master can issue one
// request per cycle when it is the only one asking. State: the arbiter's pointer and lock,
// a read counter and a FIFO of MaxOutstanding master indices.
module sgpu_mem_xbar #(
  parameter int unsigned  NumMasters     = 3,  // masters, >= 1
  parameter int unsigned  MaxOutstanding = 2,  // reads in flight downstream, >= 1
  localparam int unsigned ReqW = sgpu_pkg::MemReqW,               // $bits(sgpu_pkg::mem_req_t)
  localparam int unsigned IdxW = (NumMasters > 1) ? $clog2(NumMasters) : 1,
  localparam int unsigned CntW = $clog2(MaxOutstanding + 1),
  localparam int unsigned SlotW = (MaxOutstanding > 1) ? $clog2(MaxOutstanding) : 1
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  // masters
  input  logic               [NumMasters-1:0]  req_valid_i,
  output logic               [NumMasters-1:0]  req_ready_o,
  input  logic [NumMasters-1:0][ReqW-1:0]      req_i,        // master k's sgpu_pkg::mem_req_t
  output logic               [NumMasters-1:0]  rsp_valid_o,
  input  logic               [NumMasters-1:0]  rsp_ready_i,
  output sgpu_pkg::mem_rsp_t                   rsp_o,        // qualified by rsp_valid_o
  // memory
  output logic                                 mem_req_valid_o,
  input  logic                                 mem_req_ready_i,
  output sgpu_pkg::mem_req_t                   mem_req_o,
  input  logic                                 mem_rsp_valid_i,
  output logic                                 mem_rsp_ready_o,
  input  sgpu_pkg::mem_rsp_t                   mem_rsp_i
);
  localparam logic [CntW-1:0]  MaxCnt   = CntW'(MaxOutstanding);
  localparam logic [SlotW-1:0] LastSlot = SlotW'(MaxOutstanding - 1);

  // ---------------------------------------------------------------- request path
  logic               arb_req, arb_gnt;
  logic [IdxW-1:0]    arb_idx;
  sgpu_pkg::mem_req_t win_req;
  logic               at_limit, held_back;
  logic               rd_push, rsp_pop;

  sgpu_rr_arb #(
    .NumReq (NumMasters),
    .LockIn (1'b1)
  ) u_arb (
    .clk_i,
    .rst_ni,
    .req_i  (req_valid_i),
    .gnt_o  (req_ready_o),
    .req_o  (arb_req),
    .idx_o  (arb_idx),
    .gnt_i  (arb_gnt)
  );

  logic [CntW-1:0]                      cnt_q, cnt_d;      // reads in flight
  logic [SlotW-1:0]                     rd_slot_q, rd_slot_d;
  logic [SlotW-1:0]                     wr_slot;
  logic [IdxW-1:0]                      order_q [MaxOutstanding];  // issuer of each read in flight
  logic [IdxW-1:0]                      head;

  assign win_req = req_i[arb_idx];
  assign at_limit  = (cnt_q == MaxCnt);
  assign held_back = at_limit && !win_req.we;

  assign mem_req_valid_o = arb_req && !held_back;
  assign mem_req_o       = win_req;
  assign arb_gnt         = mem_req_ready_i && !held_back;
  assign rd_push         = mem_req_valid_o && mem_req_ready_i && !win_req.we;

  // ---------------------------------------------------------------- response path
  assign head            = order_q[rd_slot_q];
  assign mem_rsp_ready_o = (cnt_q != '0) && rsp_ready_i[head];
  assign rsp_pop         = mem_rsp_valid_i && mem_rsp_ready_o;
  assign rsp_o           = mem_rsp_i;

  always_comb begin
    rsp_valid_o       = '0;
    rsp_valid_o[head] = mem_rsp_valid_i && (cnt_q != '0);
  end

  // ---------------------------------------------------------------- read order FIFO
  // The write slot is rd_slot + cnt modulo MaxOutstanding (any depth, not only powers of two).
  logic [SlotW:0] wr_sum;
  assign wr_sum  = {1'b0, rd_slot_q} + (SlotW + 1)'(cnt_q);
  assign wr_slot = (wr_sum >= (SlotW + 1)'(MaxOutstanding))
                 ? SlotW'(wr_sum - (SlotW + 1)'(MaxOutstanding)) : SlotW'(wr_sum);

  always_comb begin
    cnt_d     = cnt_q;
    rd_slot_d = rd_slot_q;
    if (rd_push && !rsp_pop) cnt_d = cnt_q + 1'b1;
    if (!rd_push && rsp_pop) cnt_d = cnt_q - 1'b1;
    if (rsp_pop) rd_slot_d = (rd_slot_q == LastSlot) ? '0 : rd_slot_q + 1'b1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cnt_q     <= '0;
      rd_slot_q <= '0;
    end else begin
      cnt_q     <= cnt_d;
      rd_slot_q <= rd_slot_d;
    end
  end

  // Datapath: only slots below cnt_q are ever read, and reset empties the FIFO.
  always_ff @(posedge clk_i) begin
    if (rd_push) order_q[wr_slot] <= arb_idx;
  end

  // ---------------------------------------------------------------- assertions
`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  initial begin
    assert (NumMasters >= 1) else $error("NumMasters must be at least 1");
    assert (MaxOutstanding >= 1) else $error("MaxOutstanding must be at least 1");
    assert ($bits(sgpu_pkg::mem_req_t) == ReqW) else $error("ReqW does not match mem_req_t");
  end
  // The memory answered a read that was never issued (it breaks the port contract).
  RspWithoutRead_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    mem_rsp_valid_i |-> (cnt_q != '0));
  LimitHeld_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    cnt_q <= MaxCnt);
  OneGrant_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    $onehot0(req_ready_o));
`endif

`ifdef FORMAL
  `include "sgpu_mem_xbar_props.svh"
`endif
endmodule
