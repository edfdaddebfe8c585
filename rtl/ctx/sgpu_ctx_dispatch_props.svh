// sgpu_ctx_dispatch_props.svh - formal properties of sgpu_ctx_dispatch
// (tests/formal/dispatch.sby), included at the end of the module under `ifdef FORMAL`.
//  (1) a command is taken only when pending and nothing is outstanding; every take gets
//      exactly one completion; busy_o holds exactly from the take to the completion;
//  (2) a unit is started only by the decode of a command whose opcode is its own and whose
//      handle names an ACTIVE process of the right generation (CREATE_PROCESS: a FREE slot
//      exists and a frame is free), at most once per command; the start decided in decode
//      (start_d) reaches the unit in the next cycle (start_o, registered), the first of StRun;
//      the unit owns the shared ports from then to its done and nobody else does;
//  (3) an unknown opcode completes with INVALID_DEVICE_REQUEST, a bad handle with
//      INVALID_HANDLE, a DYING process with PROCESS_IS_TERMINATING, each with no unit started
//      and no queue strobe: no side effect;
//  (4) the reclaimer owns the shared ports only while no command is outstanding;
//  (5) the completion record (CPL_STATUS, CPL_RESn) changes only in the cycle of a
//      completion, and a unit's command completes with the unit's status;
//  (6) with units that answer within FN cycles (f_fair), a taken command completes within
//      FN + 2 cycles.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

localparam int unsigned FN = 3;
(* anyconst *) logic f_fair;

// ---- harness state
logic       f_out;                 // a taken command not completed yet
logic [2:0] f_run;                 // unit started, not done
logic       f_rc;                  // reclaimer granted, not done
logic       f_started;             // this command started a unit
logic [3:0] f_age, f_wait;
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_out <= 1'b0; f_run <= '0; f_rc <= 1'b0; f_started <= 1'b0; f_age <= '0; f_wait <= '0;
  end else begin
    if (cmd_take_o) f_out <= 1'b1;
    else if (cpl_valid_o) f_out <= 1'b0;
    f_run <= (f_run | start_d) & ~done_i;
    if (st_q == StIdle && st_d == StRc) f_rc <= 1'b1;
    else if (rc_done_i) f_rc <= 1'b0;
    if (cmd_take_o) f_started <= 1'b0;
    else if (start_d != '0) f_started <= 1'b1;
    f_age  <= cmd_take_o ? '0 : (f_out && f_age != '1) ? f_age + 1'b1 : f_age;
    f_wait <= (f_run != '0 && done_i == '0 && f_wait != '1) ? f_wait + 1'b1 : '0;
  end
end

// ---- environment: the units' and the reclaimer's contracts
always_comb if (rst_ni) begin
  for (int unsigned u = 0; u < 3; u++) if (done_i[u]) assume (f_run[u] && !start_o[u]);
  if (rc_done_i) assume (f_rc);
  if (f_fair && f_run != '0 && f_wait >= 4'(FN)) assume ((done_i & f_run) != '0);
end

// ---- the spec of decode
logic f_dec, f_known, f_hop, f_bad, f_dying, f_create_ok;
assign f_dec   = st_q == StDecode;
assign f_known = cmd_q.opcode >= sgpu_regs_pkg::OP_CREATE_PROCESS[7:0] &&
                 cmd_q.opcode <= sgpu_regs_pkg::OP_MEM_WRITE[7:0];
assign f_hop   = f_known && cmd_q.opcode != sgpu_regs_pkg::OP_CREATE_PROCESS[7:0] &&
                 !(cmd_q.opcode == sgpu_regs_pkg::OP_QUERY[7:0] && cmd_q.arg0 == sgpu_regs_pkg::HANDLE_DEVICE);
assign f_bad   = 32'(cmd_q.arg0[HSlotW-1:0]) >= NumProcs || pt_state_i == PsFree ||
                 pt_gen_i != cmd_q.arg0[GenLsb +: GenW];
assign f_dying = !f_bad && pt_state_i == PsDying;
assign f_create_ok = pt_free_found_i && (frames_clean_i != '0 || frames_dirty_i != '0);

always_comb if (f_on) begin
  // (1)
  if (cmd_take_o) assert (cmd_valid_i && !f_out && !f_rc && f_run == '0);
  if (cpl_valid_o) assert (f_out);
  assert (busy_o == f_out);
  assert (f_out == (st_q == StDecode || st_q == StRun));
  if (st_q == StRun) assert (f_started && $onehot(f_run) && f_run[unit_q]);
  if (st_q != StRun) assert (f_run == '0);
  assert (st_q == StIdle || st_q == StDecode || st_q == StRun || st_q == StRc);
  // (2)
  if (start_o != '0) assert (st_q == StRun && start_o == 3'(1 << unit_q));
  if (start_d != '0) begin
    assert (f_dec && $onehot(start_d) && !f_started);
    if (start_d[UnitPt])
      assert (cmd_q.opcode == sgpu_regs_pkg::OP_CREATE_PROCESS[7:0] ? f_create_ok :
              ((cmd_q.opcode == sgpu_regs_pkg::OP_MAP[7:0] ||
                cmd_q.opcode == sgpu_regs_pkg::OP_UNMAP[7:0]) && !f_bad && !f_dying));
    if (start_d[UnitTd])
      assert (cmd_q.opcode == sgpu_regs_pkg::OP_DESTROY_PROCESS[7:0] && !f_bad && !f_dying &&
              32'(cmd_q.policy) <= sgpu_regs_pkg::POLICY_DEFERRED);
    if (start_d[UnitMem])
      assert ((cmd_q.opcode == sgpu_regs_pkg::OP_MEM_READ[7:0] ||
               cmd_q.opcode == sgpu_regs_pkg::OP_MEM_WRITE[7:0]) && !f_bad && !f_dying);
  end
  assert (owner_o == f_run);
  assert (!(owner_rc_o && (f_out || owner_o != '0)));
  // (3) no side effect for a refused command
  if (f_dec && (!f_known || (f_hop && (f_bad || f_dying)))) begin
    assert (start_d == '0 && qctl_o.op == sgpu_pkg::QcNone && cpl_valid_o);
    if (!f_known)     assert (status_d == sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST);
    else if (f_bad)   assert (status_d == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
    else              assert (status_d == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
  end
  if (qctl_o.op != sgpu_pkg::QcNone) assert (f_dec && f_hop && !f_bad && !f_dying);
  // (4)
  if (owner_rc_o) assert (!f_out && f_rc);
  assert (f_rc == (st_q == StRc));
  // (5)
  if (st_q == StRun && done_i[unit_q]) assert (cpl_valid_o && status_d == status_i[unit_q]);
  // (6)
  if (f_fair && f_out) assert (32'(f_age) <= FN + 2);
  if (f_fair && f_run != '0) assert (f_wait <= 4'(FN) && 32'(f_age) <= 32'(f_wait) + 1);
end
always_ff @(posedge clk_i) begin
  if (f_on && $past(f_on) && !$past(cpl_valid_o)) assert (cpl_o == $past(cpl_o));
  if (f_on && $past(f_on)) assert (start_o == $past(start_d));
end

// ---- reachability
always_comb if (f_on) begin
  cover (cpl_valid_o && st_q == StRun && unit_q == 2'(UnitTd));
  cover (cpl_valid_o && f_dec && status_d == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
  cover (cpl_valid_o && f_dec && status_d == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
  cover (cpl_valid_o && f_dec && status_d == sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST);
  cover (qctl_o.op == sgpu_pkg::QcCreate);
  cover (owner_rc_o && cmd_valid_i);           // a command held while the reclaimer runs
  cover (start_o[UnitPt] && cmd_q.opcode == sgpu_regs_pkg::OP_CREATE_PROCESS[7:0]);
end
