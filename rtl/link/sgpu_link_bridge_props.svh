// sgpu_link_bridge_props.svh - formal properties of sgpu_link_bridge
// (tests/formal/link_bridge.sby), included at the end of the module under `ifdef FORMAL`.
// The bytes from the host and the register bus's answers are unconstrained; the buffers'
// contents are symbolic.
//  (1) no frame whose CRC register did not end at 0 (or whose version is wrong) ever causes a
//      register access: every bus access happens while the executor handles a frame that
//      passed the CRC, version, replay, length and kind checks, and that frame is held
//      unchanged until its response is sent;
//  (2) a frame carrying the kept sequence number (a replay) never causes a register access;
//  (3) every frame the deframer offers gets exactly one response (a NAK, a replay or the new
//      response): one framer start between the offer and its acknowledgement, none outside;
// Cover: a frame executed (deeper covers, a register access, a whole round trip, cost minutes:
// tb_link covers them in simulation).
// The submodules' own properties (sgpu_link_exec_props.svh, sgpu_link_framer_props.svh)
// keep their state machines in legal states, which the induction needs.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

// (3) harness: a response was started for the frame being offered
logic f_answered;
always_ff @(posedge clk_i) begin
  if (!rst_ni || frame_ack) f_answered <= 1'b0;
  else if (fr_start) f_answered <= 1'b1;
end

always_comb begin
  if (f_on) begin
    // (1), (2): bus accesses only from the executor, only for a frame that passed the checks
    assert (!reg_valid_o || ex_busy);
    assert (!ex_busy || state_q == Exec);
    assert (state_q != Exec ||
            (frame_valid && crc_ok && version == sgpu_link_pkg::VERSION && !replay && len_ok &&
             kind_ok));
    assert (!reg_valid_o || (crc_ok && !replay));
    // the executor starts only from Idle, for a frame that passed the checks
    assert (!ex_start || (state_q == Idle && frame_valid && crc_ok && !replay));
    // (3): one response per offered frame
    assert (!fr_start || (frame_valid && !f_answered && !fr_busy));
    assert (!frame_ack || f_answered);
    assert (f_answered == (state_q == SendWait));
    assert (state_q == Idle || frame_valid);
    assert (!fr_busy || state_q == SendWait);
    assert (state_q != SendWait || fr_busy);
    assert (!fr_done || state_q == SendWait);
    assert (!ex_done || state_q == Exec);
    assert (state_q != Exec || ex_busy || ex_start);
  end
end

// a frame is acknowledged only once it was answered, and the deframer holds it until then
always_ff @(posedge clk_i) begin
  if (f_on && $past(f_on) && $past(frame_valid) && !$past(frame_ack)) begin
    assert (frame_valid);
    assert ($stable(seq) && $stable(crc_ok) && $stable(pos) && $stable(kind) && $stable(len));
  end
end

// cover: a frame passes every check and is executed. (The first register access comes about 30
// cycles after reset at the least, past the microcoded checks: a cover that deep takes z3 over
// 15 minutes; tb_link reaches every outcome, bus reads and errors included, in simulation.)
always_comb if (f_on) cover (ex_start);
