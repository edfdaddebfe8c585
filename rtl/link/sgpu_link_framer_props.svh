// sgpu_link_framer_props.svh - properties of sgpu_link_framer used by the bridge's proof
// (tests/formal/link_bridge.sby), included at the end of the module under `ifdef FORMAL`:
// the state machine stays in its states and a start is only given while idle.
always_comb begin
  if (rst_ni) begin
    assert (state_q <= Done);
    assert (!(busy_o && start_i));
  end
end
