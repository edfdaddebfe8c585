// sgpu_reclaim_props.svh - formal properties of sgpu_reclaim (tests/formal/reclaim.sby),
// included at the end of the module under `ifdef FORMAL`. One symbolic slot f_p stands for
// every slot.
//  (1) the job runs only while granted, releases (frames, then queue slots) only a slot that
//      was handed over and not released yet, and says done exactly once;
//  (2) the event frees only a handed-over slot whose job is done and whose frames have all
//      come back clean (clean_out_total reached the target noted at its release); every
//      handed-over slot gets exactly one event, and its record stays its own until then;
//  (3) pending_o counts the handed-over slots without an event.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

(* anyconst *) logic [SlotW-1:0] f_p;
always_comb assume (32'(f_p) < NumProcs);

// ---- environment: the teardown's, the dispatcher's and the allocator's contracts
always_comb if (rst_ni) begin
  if (rc_add_i) assume (32'(rc_slot_i) < NumProcs && !pend_q[rc_slot_i]);   // DYING, once
  if (al_rsp_i.done) assume (al_req_o.valid);
  if (st_q != StIdle) assume (grant_i);              // granted until done
end

// ---- harness: what happened to f_p since it was handed over
logic f_added, f_released, f_target_ok;
logic [TotW-1:0] f_target;
logic [RecAW-1:0] f_rec_a;     // f_p's records as written at its hand-over and its job's end
logic [RecBW-1:0] f_rec_b;
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_added <= 1'b0; f_released <= 1'b0;
  end else begin
    if (rc_add_i && rc_slot_i == f_p) begin
      f_added <= 1'b1; f_released <= 1'b0;
    end
    if (st_q == StRelQ && job_q == f_p) f_released <= 1'b1;
    if (fire && fire_idx == f_p) begin
      f_added <= 1'b0; f_released <= 1'b0;
    end
    if (st_q == StFree && al_rsp_i.done && job_q == f_p)
      f_target <= dirty_in_total_i + TotW'(al_rsp_i.count);
    if (rc_add_i && rc_slot_i == f_p) f_rec_a <= {rc_t0_i, rc_frames_i};
    if (st_q == StRelQ && job_q == f_p) f_rec_b <= {jstamp_q, jfree_q, PhW'(1)};
  end
end

always_comb if (f_on) begin
  // (1)
  if (st_q != StIdle) assert (pend_q[job_q] && !rel_q[job_q]);
  if (al_req_o.valid) assert (st_q == StFree && al_req_o.op == sgpu_pkg::AlRelease &&
                              32'(al_req_o.owner) == 32'(job_q));
  if (qctl_o.op != sgpu_pkg::QcNone) assert (st_q == StRelQ && qctl_o.op == sgpu_pkg::QcRelease);
  if (done_o) assert (st_q == StRelQ);
  if (req_o) assert (st_q == StIdle);
  // (2)
  if (fire) assert (pend_q[fire_idx] && rel_q[fire_idx] &&
                    $signed(clean_out_total_i - target_q[fire_idx]) >= 0);
  if (ptop_o.op != sgpu_pkg::PtNone) assert (fire && ptop_o.op == sgpu_pkg::PtRelease &&
                                             32'(ptop_o.slot) == 32'(fire_idx));
  assert (pend_q[f_p] == f_added);
  assert (rel_q[f_p] == f_released);
  if (f_released) assert (target_q[f_p] == f_target);
  if (rel_q[f_p]) assert (pend_q[f_p]);
  if (st_q != StIdle && job_q == f_p) assert (!f_released);
  assert (st_q == StIdle || st_q == StFree || st_q == StRelQ);
  // the event's registers are written in the cycle after the fire, with that slot's records
  if (post_q) assert (!fire);
  // a record stays its own until its event reads it
  if (pend_q[f_p]) assert (rec_a[f_p] == f_rec_a);
  if (rel_q[f_p]) assert (rec_b[f_p] == f_rec_b);
end
always_ff @(posedge clk_i) if (f_on && $past(f_on)) begin
  assert (post_q == $past(fire));
  if (post_q) assert (post_idx_q == $past(fire_idx));
  if (post_q && post_idx_q == f_p) assert (rec_a_q == f_rec_a && rec_b_q == f_rec_b);
  if ($past(post_q)) assert (seq_o == $past(seq_o) + 1'b1);
  else assert (seq_o == $past(seq_o));
end

// (3)
logic [PendW:0] f_cnt;
always_comb begin
  f_cnt = '0;
  for (int unsigned p = 0; p < NumProcs; p++) f_cnt = f_cnt + (PendW+1)'(pend_q[p]);
end
always_comb if (f_on) assert ((PendW+1)'(pending_o) == f_cnt);

// ---- reachability
always_comb if (f_on) begin
  cover (fire && fire_idx == f_p);
  cover (done_o && pending_o >= 2);
  cover (fire && rc_add_i);                  // an event while another process is handed over
end
