// sgpu_link_exec_props.svh - properties of sgpu_link_exec used by the bridge's proof
// (tests/formal/link_bridge.sby), included at the end of the module under `ifdef FORMAL`:
// the state machine stays in its states, a subroutine returns into the sequence, the bus is
// driven only while busy, done_o only ends a run.
always_comb begin
  if (rst_ni) begin
    assert (state_q <= Done);
    assert (ret_q <= Done);
    assert (!reg_valid_o || busy_o);
    assert (!done_o || busy_o);
    assert (!(busy_o && start_i));
    // a subroutine returns to a state of the sequence, never to Idle or another subroutine
    if (state_q >= SubRdw && state_q <= SubPutw) assert (ret_q != Idle && ret_q < SubRdw);
  end
end
