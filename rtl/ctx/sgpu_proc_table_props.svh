// sgpu_proc_table_props.svh - formal properties of sgpu_proc_table (tests/formal/proc_table.sby),
// included at the end of the module under `ifdef FORMAL`.
//  (1) a generation is never 0 outside FREE and changes exactly when its slot is created
//      (FREE -> ACTIVE), to its successor;
//  (2) the life of a slot is FREE -> ACTIVE -> DYING -> FREE, one step at a time, each step
//      only by its own update (create, dying, release);
//  (3) active_o is exactly the ACTIVE slots; the free search names the lowest FREE slot;
//      live_o counts the slots that are not FREE.
// The callers' contract (module header) is assumed.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

// ---- environment: the callers' contract
always_comb if (rst_ni) begin
  assume (32'(cmd_op_i.slot) < NumProcs && 32'(rc_op_i.slot) < NumProcs);
  if (cmd_op_i.op == sgpu_pkg::PtCreate)  assume (state_q[cs] == PsFree);
  if (cmd_op_i.op == sgpu_pkg::PtDying)   assume (state_q[cs] == PsActive);
  if (cmd_op_i.op == sgpu_pkg::PtRelease) assume (state_q[cs] == PsDying);
  if (cmd_op_i.op == sgpu_pkg::PtDataInc || cmd_op_i.op == sgpu_pkg::PtDataDec ||
      cmd_op_i.op == sgpu_pkg::PtTblInc || cmd_op_i.op == sgpu_pkg::PtTblDec)
    assume (state_q[cs] != PsFree);
  assume (rc_op_i.op == sgpu_pkg::PtNone || rc_op_i.op == sgpu_pkg::PtRelease);
  if (rc_op_i.op == sgpu_pkg::PtRelease) assume (state_q[rs] == PsDying);
  if (cmd_op_i.op != sgpu_pkg::PtNone && rc_op_i.op != sgpu_pkg::PtNone) assume (cs != rs);
end

// ---- one symbolic slot f_p stands for every slot
(* anyconst *) logic [SlotW-1:0] f_p;
always_comb assume (32'(f_p) < NumProcs);
logic        f_cmd_p, f_rc_p;
assign f_cmd_p = 32'(cmd_op_i.slot) == 32'(f_p);
assign f_rc_p  = 32'(rc_op_i.slot) == 32'(f_p);

always_comb if (f_on) begin
  if (state_q[f_p] != PsFree) assert (gen_q[f_p] != '0);
  assert (state_q[f_p] == PsFree || state_q[f_p] == PsActive || state_q[f_p] == PsDying);
  assert (active_o[f_p] == (state_q[f_p] == PsActive));
  if (state_q[f_p] == PsFree) assert (data_q[f_p] == '0 && tbl_q[f_p] == '0);
  // the free search
  if (free_found_o) assert (state_q[free_idx_o] == PsFree && 32'(free_idx_o) < NumProcs);
  if (state_q[f_p] == PsFree) assert (free_found_o && free_idx_o <= f_p);
end
logic [LiveW:0] f_live;
always_comb begin
  f_live = '0;
  for (int unsigned p = 0; p < NumProcs; p++) f_live = f_live + (LiveW+1)'(state_q[p] != PsFree);
end
always_comb if (f_on) assert ((LiveW+1)'(live_o) == f_live);

always_ff @(posedge clk_i) begin
  if (f_on && $past(f_on)) begin
    // (1) the generation changes exactly at a create, to its successor
    if ($past(f_cmd_p && cmd_op_i.op == sgpu_pkg::PtCreate)) begin
      assert (gen_q[f_p] == gen_next($past(gen_q[f_p])) && gen_q[f_p] != '0 &&
              state_q[f_p] == PsActive && $past(state_q[f_p]) == PsFree);
    end else begin
      assert (gen_q[f_p] == $past(gen_q[f_p]));
    end
    // (2) each transition only by its own update
    if ($past(state_q[f_p]) != state_q[f_p]) begin
      if (state_q[f_p] == PsActive)
        assert ($past(state_q[f_p]) == PsFree && $past(f_cmd_p && cmd_op_i.op == sgpu_pkg::PtCreate));
      if (state_q[f_p] == PsDying)
        assert ($past(state_q[f_p]) == PsActive && $past(f_cmd_p && cmd_op_i.op == sgpu_pkg::PtDying));
      if (state_q[f_p] == PsFree)
        assert ($past(state_q[f_p]) == PsDying);
    end
  end
end

always_comb if (f_on) begin
  cover (state_q[f_p] == PsDying && rc_op_i.op == sgpu_pkg::PtRelease && f_rc_p);
  cover (state_q[f_p] == PsActive && gen_q[f_p] == GenW'(2));
  cover (live_o == LiveW'(NumProcs));
end
