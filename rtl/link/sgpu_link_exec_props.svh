// sgpu_link_exec_props.svh - properties of sgpu_link_exec used by the bridge's proof
// (tests/formal/link_bridge.sby), included at the end of the module under `ifdef FORMAL`:
// the registered instruction is the program's word at upc (the induction needs it: the block
// RAM's output register is otherwise free), a read is awaited only by a read instruction, the
// bus is driven only while busy, done_o only ends a run, no start while busy.
always_comb begin
  if (rst_ni) begin
    assert (ui_q == sgpu_link_ucode_pkg::ucode(upc_q, 8'(AdminWaitLog2)));
    assert (!rdw_q || rd);
    assert (!reg_valid_o || busy_o);
    assert (!done_o || busy_o);
    assert (!(busy_o && start_i));
  end
end
