// sgpu_teardown_props.svh - formal properties of sgpu_teardown (tests/formal/teardown.sby),
// included at the end of the module under `ifdef FORMAL`.
//  (1) one done per start, and nothing at all while idle;
//  (2) the order of the teardown, each step only after the previous one was acknowledged:
//      the slot is marked DYING first; engines are asked to DRAIN only after all acked STOP,
//      to ABORT only after the drain wait ran out, to CLEAR only after they drained or
//      aborted; the MMU invalidation (which disables the ASID) only after CLEAR; the frames
//      are released only after the MMU acknowledged the invalidation; queue slots and the
//      process slot only after the frames; DEFERRED hands the process to the reclaimer only
//      after the invalidation and never frees anything itself;
//  (3) the drain wait is bounded: at most drain_timeout_i + 1 cycles in the drain phase;
//  (4) with neighbours that answer within FN cycles (f_fair), a teardown completes within
//      a bound derived from the parameters and the timeout.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

localparam int unsigned FN  = 2;
localparam int unsigned FCW = 3;
(* anyconst *) logic f_fair;

// ---- harness state: the teardown in progress and what has been acknowledged
logic       f_busy, f_marked, f_stopped, f_drained, f_timedout, f_cleared, f_inval, f_freed;
logic [FCW-1:0] f_wait;
logic [15:0]    f_age, f_stay;
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_busy <= 1'b0; f_marked <= 1'b0; f_stopped <= 1'b0; f_drained <= 1'b0;
    f_timedout <= 1'b0; f_cleared <= 1'b0; f_inval <= 1'b0; f_freed <= 1'b0;
    f_wait <= '0; f_age <= '0; f_stay <= '0;
  end else begin
    f_stay <= (st_d != st_q) ? '0 : (f_stay != '1) ? f_stay + 1'b1 : f_stay;
    if (start_i && st_q == StIdle) begin
      f_busy <= 1'b1; f_marked <= 1'b0; f_stopped <= 1'b0; f_drained <= 1'b0;
      f_timedout <= 1'b0; f_cleared <= 1'b0; f_inval <= 1'b0; f_freed <= 1'b0; f_age <= '0;
    end else begin
      if (done_o) f_busy <= 1'b0;
      if (f_busy && f_age != '1) f_age <= f_age + 1'b1;
    end
    if (ptop_o.op == sgpu_pkg::PtDying) f_marked <= 1'b1;
    if (eng_req_o.valid && eng_rsp_i.ack) begin
      unique case (eng_req_o.op)
        sgpu_pkg::EngStop:  f_stopped <= 1'b1;
        sgpu_pkg::EngDrain: f_drained <= 1'b1;
        sgpu_pkg::EngAbort: f_drained <= 1'b1;
        sgpu_pkg::EngClear: f_cleared <= 1'b1;
        default: ;
      endcase
    end
    if (st_q == StDrain && st_d == StAbort) f_timedout <= 1'b1;
    if (inv_valid_o && inv_done_i) f_inval <= 1'b1;
    if (al_req_o.valid && al_rsp_i.done) f_freed <= 1'b1;
    // cycles an answer has been awaited
    f_wait <= ((eng_req_o.valid && !eng_rsp_i.ack) || (inv_valid_o && !inv_done_i) ||
               (al_req_o.valid && !al_rsp_i.done)) ? ((f_wait == '1) ? f_wait : f_wait + 1'b1)
                                                   : '0;
  end
end

// ---- environment: the dispatcher's and the neighbours' contracts
always_comb if (rst_ni) begin
  if (start_i) assume (st_q == StIdle);                       // one command at a time
  if (eng_rsp_i.ack) assume (eng_req_o.valid);                 // answers only what is asked
  if (inv_done_i) assume (inv_valid_o);
  if (al_rsp_i.done) assume (al_req_o.valid);
  // fair neighbours (liveness only): engines ack STOP, ABORT and CLEAR, the MMU and the
  // allocator answer, within FN cycles (DRAIN may never be acked: the timeout bounds it)
  if (f_fair && f_wait >= FCW'(FN)) begin
    if (eng_req_o.valid && eng_req_o.op != sgpu_pkg::EngDrain) assume (eng_rsp_i.ack);
    if (inv_valid_o) assume (inv_done_i);
    if (al_req_o.valid) assume (al_rsp_i.done);
  end
end
// the command, its slot and the timeout register are held while the teardown runs
always_ff @(posedge clk_i)
  if (f_past_valid && $past(rst_ni) && rst_ni && ($past(st_q) != StIdle || $past(start_i)))
    assume (cmd_i == $past(cmd_i));
always_ff @(posedge clk_i)    // (the slot and the timeout: from the cycle after the start)
  if (f_past_valid && $past(rst_ni) && rst_ni && $past(st_q) != StIdle && st_q != StIdle)
    assume (slot_i == $past(slot_i) && drain_timeout_i == $past(drain_timeout_i));

// ---- properties
always_comb if (f_on) begin
  // (1)
  assert (f_busy == (st_q != StIdle));
  if (done_o) assert (f_busy);
  if (!f_busy)
    assert (ptop_o.op == sgpu_pkg::PtNone && qctl_o.op == sgpu_pkg::QcNone && !eng_req_o.valid &&
            !inv_valid_o && !al_req_o.valid && !rc_add_o);
  // (2)
  if (ptop_o.op == sgpu_pkg::PtDying) assert (st_q == StMark && !f_marked);
  if (qctl_o.op == sgpu_pkg::QcStop) assert (f_marked && !f_stopped);
  if (eng_req_o.valid && eng_req_o.op == sgpu_pkg::EngStop)  assert (f_marked && !f_stopped);
  if (eng_req_o.valid && eng_req_o.op == sgpu_pkg::EngDrain) assert (f_stopped && !f_drained);
  if (eng_req_o.valid && eng_req_o.op == sgpu_pkg::EngAbort)
    assert (f_stopped && !f_drained && f_timedout);
  // the drain wait ends in an abort only once the timer has run out
  if (st_q == StDrain && st_d == StAbort) assert (timer_q >= drain_timeout_i && !eng_rsp_i.ack);
  if (eng_req_o.valid && eng_req_o.op == sgpu_pkg::EngClear) assert (f_drained && !f_cleared);
  if (inv_valid_o) assert (f_cleared && inv_o.by_asid && 32'(inv_o.asid) == 32'(slot_i));
  if (al_req_o.valid)
    assert (f_inval && !deferred_q && al_req_o.op == sgpu_pkg::AlRelease &&
            32'(al_req_o.owner) == 32'(slot_i));
  if (qctl_o.op == sgpu_pkg::QcRelease || ptop_o.op == sgpu_pkg::PtRelease)
    assert (f_freed && !deferred_q);
  if (rc_add_o) assert (deferred_q && inv_done_i && !f_freed);
  if (deferred_q) assert (!f_freed);
  if (done_o && !deferred_q) assert (f_freed);
  if (done_o && deferred_q) assert (f_inval);
  // (3)
  if (st_q == StDrain) assert (timer_q <= drain_timeout_i);
  // helpers: the phase flags follow the states
  if (st_q == StStop || st_q == StStopW) assert (f_marked && !f_stopped);
  if (st_q == StDrain) assert (f_stopped && !f_drained && !f_timedout);
  if (st_q == StAbort) assert (f_stopped && !f_drained && f_timedout);
  if (st_q == StClear) assert (f_drained && !f_cleared);
  if (st_q == StTlb) assert (f_cleared && !f_inval);
  if (st_q == StFree) assert (f_inval && !f_freed && !deferred_q);
  if (st_q == StRelQ || st_q == StSlot) assert (f_freed && !deferred_q);
  if (st_q == StDone) assert (f_inval && (deferred_q || f_freed));
  // ... and each flag only once its phase is over
  if (f_freed)   assert (st_q == StRelQ || st_q == StSlot || st_q == StDone || st_q == StIdle);
  if (f_inval)   assert (st_q >= StFree || st_q == StIdle);
  if (f_cleared) assert (st_q >= StTlb || st_q == StIdle);
  if (f_drained) assert (st_q >= StClear || st_q == StIdle);
  if (f_stopped) assert (st_q >= StDrain || st_q == StIdle);
  if (f_timedout) assert (st_q >= StAbort || st_q == StIdle);
  if (st_q == StMark) assert (!f_marked);
  if (st_q != StMark && f_busy) assert (f_marked);
  assert (st_q <= StDone);
  if (st_q != StDrain) assert (timer_q == '0);
  // (4) liveness: every phase but Drain ends within FN + 1 cycles, Drain within
  // drain_timeout_i + 1; so the age is bounded by the phases before plus the current one's
  if (f_fair && f_busy) begin
    assert (32'(f_stay) <= f_max(st_q));
    assert (32'(f_age) <= f_pre(st_q) + 32'(f_stay));
    assert (32'(f_age) <= f_pre(StDone) + 1);
  end
  if (st_q == StDrain) assert (f_stay == 16'(timer_q));
end
// the longest each phase lasts with fair neighbours, and the sum over the phases before
logic [31:0] f_t;
assign f_t = 32'(drain_timeout_i);
function automatic logic [31:0] f_max(state_e st);
  unique case (st)
    StDrain:                                  f_max = f_t;
    StStopW, StAbort, StClear, StTlb, StFree: f_max = FN;
    default:                                  f_max = 0;
  endcase
endfunction
function automatic logic [31:0] f_pre(state_e st);
  unique case (st)
    StMark:  f_pre = 0;
    StStop:  f_pre = 1;
    StStopW: f_pre = 2;
    StDrain: f_pre = FN + 3;
    StAbort: f_pre = FN + 4 + f_t;
    StClear: f_pre = 2 * FN + 5 + f_t;
    StTlb:   f_pre = 3 * FN + 6 + f_t;
    StFree:  f_pre = 4 * FN + 7 + f_t;
    StRelQ:  f_pre = 5 * FN + 8 + f_t;
    StSlot:  f_pre = 5 * FN + 9 + f_t;
    StDone:  f_pre = 5 * FN + 10 + f_t;
    default: f_pre = 0;
  endcase
endfunction
