// sgpu_mmu_props.svh - formal properties of sgpu_mmu (tests/formal/mmu.sby), included at the
// end of the module under `ifdef FORMAL`. One symbolic port f_k stands for every port.
//  (1) every accepted request gets exactly one response, on its own port, and a port never
//      gets a response it did not ask for;
//  (2) after an invalidation of ASID A fired, inv_done_o waits while any port still holds a
//      translation of A that it had (or was being given) when the invalidation fired: no
//      translation from before an invalidation is in use once it is acknowledged;
//  (3) a request of an ASID that is not enabled faults, and the teardown's invalidation
//      (inv_disable_i) disables its ASID until the next root write;
//  (4) a waiting port is served after at most NumPorts - 1 other ports (round robin).
// The walker's own properties (no stale fill or answer) are checked in the same proof.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

(* anyconst *) logic [PortW-1:0] f_k;
always_comb assume (32'(f_k) < NumPorts);

// ---- harness state: what each port asked, holds, and what the walker has outstanding
logic [NumPorts-1:0] f_asked;   // accepted, not answered yet
logic [NumPorts-1:0] f_got;     // answered, not retired yet
logic                f_rd_out;  // the walker has a read outstanding
logic                f_pre;     // f_k held a translation of the invalidated ASID at the fire
logic                f_en_at_take;
logic [PortW:0]      f_skip;    // grants to other ports while f_k waits
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_asked <= '0; f_got <= '0; f_rd_out <= 1'b0; f_pre <= 1'b0; f_skip <= '0;
  end else begin
    for (int unsigned k = 0; k < NumPorts; k++) begin
      if (req_ready_o[k] && req_valid_i[k]) f_asked[k] <= 1'b1;
      if (rsp_valid_o[k]) begin
        f_asked[k] <= 1'b0;
        f_got[k]   <= 1'b1;
      end
      if (retire_i[k]) f_got[k] <= 1'b0;
    end
    if (mem_req_valid_o && mem_req_ready_i) f_rd_out <= 1'b1;
    else if (mem_rsp_valid_i) f_rd_out <= 1'b0;
    if (inv_valid_i && !inv_pend_q) f_pre <= inv_match[f_k] && !retire_i[f_k];
    else if (retire_i[f_k]) f_pre <= 1'b0;
    if (!(req_valid_i[f_k] && !hold_q[f_k]) || (take && grant == f_k)) f_skip <= '0;
    else if (take) f_skip <= f_skip + 1'b1;
  end
end
always_ff @(posedge clk_i) if (take) f_en_at_take <= sel_ok;

// ---- environment (the callers' contracts)
always_comb if (rst_ni) begin
  // memory answers only a read it was asked (one at a time: the walker waits for it)
  if (mem_rsp_valid_i) assume (f_rd_out);
  // a port retires only the translation it was given
  for (int unsigned k = 0; k < NumPorts; k++) if (retire_i[k]) assume (f_got[k] || rsp_valid_o[k]);
  // the root table is written only for real ASIDs
  if (root_we_i) assume (32'(root_asid_i) < NumProcs);
end
// an invalidation request is held, unchanged, until done
always_ff @(posedge clk_i)
  if (f_past_valid && $past(rst_ni) && rst_ni && $past(inv_valid_i) && !$past(inv_done_o))
    assume (inv_valid_i && inv_i == $past(inv_i) && inv_disable_i == $past(inv_disable_i));
// after done, the requester drops it for a cycle (it moves on)
always_ff @(posedge clk_i)
  if (f_past_valid && $past(rst_ni) && rst_ni && $past(inv_done_o)) assume (!inv_valid_i);

// ---- properties
always_comb if (f_on) begin
  // (1)
  assert ($onehot0(rsp_valid_o));
  for (int unsigned k = 0; k < NumPorts; k++) begin
    if (rsp_valid_o[k]) assert (f_asked[k]);
    if (req_ready_o[k]) assert (!f_asked[k] && !f_got[k]);
    assert (hold_q[k] == (f_asked[k] || f_got[k]));
    assert (!(f_asked[k] && f_got[k]));
  end
  assert (busy_q == (f_asked != '0));
  if (busy_q) assert (f_asked[cur_q]);
  assert ($onehot0(f_asked));
  // (2)
  if (f_pre && !retire_i[f_k]) assert (!inv_done_o);
  if (f_pre) assert (wait_q[f_k] && f_got[f_k] | f_asked[f_k]);
  assert ((wait_q & ~hold_q) == '0);
  if (!inv_pend_q) assert (wait_q == '0);
  // (3)
  if (done && !f_en_at_take) assert (rsp_o.fault);
  if (busy_q) assert (flt_q == !f_en_at_take);
  // (4)
  assert (32'(f_skip) <= NumPorts - 1);
  // (helper) the grants since f_k began to wait went to ports between the pointer then and
  // f_k, in order: f_skip + (steps from rr_q to f_k) <= NumPorts
  assert (32'(f_skip) + ((32'(f_k) + NumPorts - 32'(rr_q) - 1) % NumPorts) + 1 <= NumPorts);
  assert (32'(rr_q) < NumPorts);
  if (busy_q) assert (32'(cur_q) < NumPorts);
  // the walker works only for a request that was enabled (it is idle otherwise)
  if (!busy_q || flt_q) assert (w_req_ready && !mem_req_valid_o);
end
// (3) the teardown's invalidation disables the ASID from the cycle after it fires
always_ff @(posedge clk_i)
  if (f_on && $past(rst_ni) && $past(inv_valid_i && !inv_pend_q && inv_disable_i) &&
      $past(32'(inv_i.asid) < NumProcs) &&
      !$past(root_we_i && root_asid_i == inv_asid))
    assert (!en_q[$past(inv_asid)]);

// ---- reachability
always_comb if (f_on) begin
  cover (inv_done_o && f_pre == 1'b0 && wait_q != '0);        // done right as the last retires
  cover (inv_pend_q && f_pre && f_got[f_k]);                   // done held back by a holder
  cover (take && grant == f_k && 32'(f_skip) == NumPorts - 1);     // waited its full turn
  cover (done && flt_q);
  cover (rsp_valid_o != '0 && !rsp_o.fault && inv_pend_q);
end
