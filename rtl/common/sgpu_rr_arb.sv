// sgpu_rr_arb: round-robin arbiter with a lock-in, for NumReq requesters of one resource.
//
// Contract (after PULP common_cells rr_arb_tree, without the data path: the user muxes its
// payload with idx_o):
//   req_i[k]   requester k wants the resource; it must hold req_i[k] until gnt_o[k].
//   req_o      some request is offered downstream (the winner's req_i).
//   idx_o      the winner, valid while req_o.
//   gnt_i      downstream takes the winner this cycle (may depend on req_o and idx_o).
//   gnt_o[k]   = gnt_i for the winner, 0 for everyone else (one-hot or zero).
// Priority: the winner is the first requester at or after the pointer, cyclically; the
// pointer moves to the winner + 1 when it is granted (req_o && gnt_i), and only then. So a
// requester that holds its request is granted after at most NumReq-1 grants of others: every
// grant of another requester moves the pointer strictly closer to it.
// Lock-in (LockIn = 1): an offer that is not taken (req_o && !gnt_i) is kept in the next cycle
// even if a requester with higher priority arrives, so downstream sees a stable request until
// it takes it (valid/ready rule). A locked requester that drops its request releases the lock
// (a contract violation upstream; the offer simply disappears).
// Latency: combinational (zero cycles) from req_i/gnt_i to req_o/idx_o/gnt_o.
module sgpu_rr_arb #(
  parameter int unsigned  NumReq = 4,     // requesters, >= 1
  parameter bit           LockIn = 1'b1,  // keep an untaken offer stable (see above)
  localparam int unsigned IdxW   = (NumReq > 1) ? $clog2(NumReq) : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [NumReq-1:0] req_i,   // requests, held until granted
  output logic [NumReq-1:0] gnt_o,   // grant to the winner (= gnt_i), one-hot or zero
  output logic              req_o,   // an offer downstream
  output logic [IdxW-1:0]   idx_o,   // the winner (valid with req_o)
  input  logic              gnt_i    // downstream takes the offer
);
  localparam logic [IdxW-1:0] LastIdx = IdxW'(NumReq - 1);

  logic [IdxW-1:0]   ptr_q, ptr_d;        // requester with the highest priority
  logic              lock_q, lock_d;      // an untaken offer of lock_idx_q is pending
  logic [IdxW-1:0]   lock_idx_q;
  logic [NumReq-1:0] prio_mask;           // requesters at or after the pointer
  logic [NumReq-1:0] req_hi;
  logic [IdxW-1:0]   idx_hi, idx_all, rr_idx;

  always_comb begin
    for (int unsigned k = 0; k < NumReq; k++) prio_mask[k] = (IdxW'(k) >= ptr_q);
  end
  assign req_hi = req_i & prio_mask;

  // Lowest set bit of req_hi and of req_i (a descending loop: the last assignment wins).
  always_comb begin
    idx_hi  = '0;
    idx_all = '0;
    for (int k = NumReq - 1; k >= 0; k--) begin
      if (req_hi[k]) idx_hi = IdxW'(k);
      if (req_i[k])  idx_all = IdxW'(k);
    end
  end
  assign rr_idx = (req_hi != '0) ? idx_hi : idx_all;

  always_comb begin
    idx_o = rr_idx;
    req_o = (req_i != '0);
    if (LockIn && lock_q) begin
      idx_o = lock_idx_q;
      req_o = req_i[lock_idx_q];
    end
  end

  always_comb begin
    gnt_o = '0;
    gnt_o[idx_o] = req_o && gnt_i;
  end

  always_comb begin
    ptr_d = ptr_q;
    if (req_o && gnt_i) ptr_d = (idx_o == LastIdx) ? '0 : idx_o + 1'b1;
  end
  assign lock_d = LockIn && req_o && !gnt_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ptr_q  <= '0;
      lock_q <= 1'b0;
    end else begin
      ptr_q  <= ptr_d;
      lock_q <= lock_d;
    end
  end

  // Datapath: only read while lock_q, which reset clears.
  always_ff @(posedge clk_i) begin
    lock_idx_q <= idx_o;
  end

`ifdef FORMAL
  // Assertions only (no assumption on the inputs), so they hold inside any proof that
  // instantiates the arbiter. Fairness with one symbolic requester f_idx: f_wait_q counts the
  // grants to others while f_idx requests without being granted.
  (* anyconst *) logic [IdxW-1:0] f_idx;
  always_comb assume (32'(f_idx) < NumReq);
  logic [7:0] f_wait_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni || !req_i[f_idx] || gnt_o[f_idx]) f_wait_q <= '0;
    else if (req_o && gnt_i && f_wait_q != '1)    f_wait_q <= f_wait_q + 1'b1;
  end
  // cyclic distance from the pointer to requester x
  function automatic int unsigned f_dist(logic [IdxW-1:0] x);
    f_dist = (x >= ptr_q) ? 32'(x - ptr_q) : 32'(x) + NumReq - 32'(ptr_q);
  endfunction

  always_comb begin
    if (rst_ni) begin
      assert (32'(ptr_q) < NumReq);
      if (lock_q) assert (32'(lock_idx_q) < NumReq);
      if (req_o) assert (req_i[idx_o]);
      assert ($onehot0(gnt_o));
      assert (gnt_o == '0 || (req_o && gnt_i));
      // the fairness bound
      assert (32'(f_wait_q) <= NumReq - 1);
      // why it holds: every grant to another moved the pointer closer to f_idx, and an
      // offer locked since then is ahead of f_idx
      if (f_wait_q != '0) begin
        assert (32'(f_wait_q) + f_dist(f_idx) <= NumReq - 1);
        if (LockIn && lock_q && lock_idx_q != f_idx) assert (f_dist(lock_idx_q) < f_dist(f_idx));
      end
      cover (32'(f_wait_q) == NumReq - 1 && req_i[f_idx] && gnt_o[f_idx]);
    end
  end
`endif
endmodule
