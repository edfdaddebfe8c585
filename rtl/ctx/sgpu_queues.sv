// sgpu_queues: hardware queue slots, their doorbells and ring state.
//
// Each slot is owned by one process slot and holds a ring (base VA, log2 of entries), a
// stopped flag and a count of ignored doorbells. The write pointer is not stored: QDB is
// write-only (as NVMe doorbells are); an accepted doorbell hands it to the engines.
// Context-manager strobes (sgpu_pkg::qctl_t, at most one per cycle): create a slot, destroy a
// slot, stop every queue of an owner, release every queue of an owner, clear an owner's
// ignored count. Doorbells come from the register bus: a doorbell is accepted only when the
// slot is live, not stopped and its owner is ACTIVE (proc_active_i); otherwise it is ignored
// and counted (device total, the slot's count if live, and the owner's count). An accepted
// doorbell goes to the engines (doorbell_o: queue, owner, ring, write pointer).
// A released slot is cleared completely: no ring state of the old owner survives.
// Reads: lk_q_i's live bit and owner (DESTROY_QUEUE's check), the lowest free slot, the live
// slots owned by cnt_owner_i and that owner's ignored doorbells, the number of live slots.
module sgpu_queues #(
  parameter int unsigned NumQueues = 4,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned StatW     = 32,    // ignored-doorbell counters (they wrap)
  localparam int unsigned QW       = (NumQueues > 1) ? $clog2(NumQueues) : 1,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned QCntW    = $clog2(NumQueues + 1)
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // context manager
  input  sgpu_pkg::qctl_t                  qctl_i,
  input  logic [QW-1:0]                    lk_q_i,
  output logic                             lk_live_o,
  output logic [SlotW-1:0]                 lk_owner_o,
  output logic                             free_found_o,   // a non-live slot exists
  output logic [QW-1:0]                    free_idx_o,     // the lowest one
  input  logic [SlotW-1:0]                 cnt_owner_i,
  output logic [QCntW-1:0]                 owned_cnt_o,    // live slots owned by cnt_owner_i
  output logic [31:0]                      owner_ign_o,    // cnt_owner_i's ignored doorbells
  output logic [QCntW-1:0]                 live_cnt_o,     // live slots
  input  logic [NumProcs-1:0]              proc_active_i,
  // doorbells and registers (register bus)
  input  logic                             db_valid_i,
  input  logic [7:0]                       db_q_i,
  input  logic [31:0]                      db_wptr_i,
  output sgpu_pkg::doorbell_t              doorbell_o,
  input  logic [7:0]                       rd_q_i,
  input  logic [1:0]                       rd_reg_i,       // register index within the slot
  output logic [31:0]                      rd_data_o,
  output logic [31:0]                      ign_total_o
);
  // the strobes, decoded
  logic             create, destroy, stop_owner, release_owner, clear_owner;
  logic [QW-1:0]    create_q, destroy_q;
  logic [SlotW-1:0] owner;
  logic [31:sgpu_pkg::RingLsb]     ring_va;
  logic [sgpu_pkg::RingLog2W-1:0] ring_log2;
  assign create        = qctl_i.op == sgpu_pkg::QcCreate;
  assign destroy       = qctl_i.op == sgpu_pkg::QcDestroy;
  assign stop_owner    = qctl_i.op == sgpu_pkg::QcStop;
  assign release_owner = qctl_i.op == sgpu_pkg::QcRelease;
  assign clear_owner   = qctl_i.op == sgpu_pkg::QcClear;
  assign create_q      = qctl_i.qid[QW-1:0];
  assign destroy_q     = qctl_i.qid[QW-1:0];
  assign owner         = qctl_i.owner[SlotW-1:0];
  assign ring_va       = qctl_i.ring_va;
  assign ring_log2     = qctl_i.ring_log2;
  logic db_accept;

  logic                 live_q    [NumQueues];
  logic                 stopped_q [NumQueues];
  logic [SlotW-1:0]     owner_q  [NumQueues];
  logic [31:sgpu_pkg::RingLsb]  ring_q   [NumQueues];   // ring base address
  logic [sgpu_pkg::RingLog2W-1:0] log2_q [NumQueues];
  logic [StatW-1:0]     qign_q   [NumQueues];
  logic [StatW-1:0]     pign_q   [NumProcs];
  logic [StatW-1:0]     ign_total_q;
  logic                 db_in_range, db_live;
  logic [QW-1:0]        db_idx, rd_idx;

  assign db_in_range = 32'(db_q_i) < NumQueues;
  assign db_idx      = db_q_i[QW-1:0];
  assign db_live     = db_in_range && live_q[db_idx];
  assign db_accept = db_valid_i && db_live && !stopped_v[db_idx] && proc_active_i[owner_q[db_idx]];
  always_comb begin
    doorbell_o           = '0;
    doorbell_o.valid     = db_accept;
    doorbell_o.qid       = db_q_i;
    doorbell_o.asid      = sgpu_pkg::AsidW'(owner_q[db_idx]);
    doorbell_o.ring_va   = ring_q[db_idx];
    doorbell_o.ring_log2 = log2_q[db_idx];
    doorbell_o.wptr      = db_wptr_i;
  end
  assign lk_live_o  = live_q[lk_q_i];
  assign lk_owner_o = owner_q[lk_q_i];

  always_comb begin
    free_found_o = 1'b0;
    free_idx_o   = '0;
    owned_cnt_o  = '0;
    live_cnt_o   = '0;
    for (int i = NumQueues - 1; i >= 0; i--) begin
      if (!live_v[i]) begin
        free_found_o = 1'b1;
        free_idx_o   = QW'(i);
      end
    end
    for (int unsigned i = 0; i < NumQueues; i++) begin
      owned_cnt_o = owned_cnt_o + QCntW'(live_q[i] && owner_q[i] == cnt_owner_i);
      live_cnt_o  = live_cnt_o + QCntW'(live_q[i]);
    end
  end
  assign owner_ign_o = 32'(pign_q[cnt_owner_i]);
  assign ign_total_o = 32'(ign_total_q);

  assign rd_idx = rd_q_i[QW-1:0];
  always_comb begin
    rd_data_o = '0;
    if (32'(rd_q_i) < NumQueues) begin
      unique case (rd_reg_i)   // the register's word index within the slot (the map's QREG_*)
        sgpu_regs_pkg::QREG_QDB[3:2]:      rd_data_o = '0;   // write-only
        sgpu_regs_pkg::QREG_QSTATE[3:2]:
          rd_data_o = (32'(owner_q[rd_idx]) << sgpu_regs_pkg::QSTATE_OWNER_LSB) |
                      (32'(stopped_q[rd_idx]) << sgpu_regs_pkg::QSTATE_STOPPED_LSB) |
                      (32'(live_q[rd_idx]) << sgpu_regs_pkg::QSTATE_LIVE_LSB);
        sgpu_regs_pkg::QREG_QIGNORED[3:2]: rd_data_o = 32'(qign_q[rd_idx]);
        default:                           rd_data_o = (32'(ring_q[rd_idx]) << sgpu_regs_pkg::QRING_BASE_LSB) |
                                                 (32'(log2_q[rd_idx]) << sgpu_regs_pkg::QRING_LOG2_LSB);
      endcase
    end
  end

  // Updates: the new values are computed once and written with an enable per slot (a
  // register file, one always_ff per slot: no per-slot arithmetic, no reset loops).
  // Per slot, a destroy or release wins over a create, which wins over a doorbell or a stop.
  logic             db_ignored_live;
  logic [SlotW-1:0] db_owner;
  logic [StatW-1:0] qign_inc, pign_inc;
  assign db_ignored_live = db_valid_i && !db_accept && db_live;
  assign db_owner        = owner_q[db_idx];
  assign qign_inc        = qign_q[db_idx] + 1'b1;
  assign pign_inc        = pign_q[db_owner] + 1'b1;

  logic [NumQueues-1:0] live_v, stopped_v;    // the flags as vectors (summaries, proofs)
  for (genvar i = 0; i < NumQueues; i++) begin : g_slot
    logic mine, kill, make, stop;
    assign live_v[i]    = live_q[i];
    assign stopped_v[i] = stopped_q[i];
    assign mine = owner_q[i] == owner;
    assign kill = (destroy && destroy_q == QW'(i)) || (release_owner && live_q[i] && mine);
    assign make = create && create_q == QW'(i);
    assign stop = stop_owner && live_q[i] && mine;
    always_ff @(posedge clk_i) begin
      if (!rst_ni || kill) begin
        live_q[i]    <= 1'b0;
        stopped_q[i] <= 1'b0;
        owner_q[i]   <= '0;
        ring_q[i]    <= '0;
        log2_q[i]    <= '0;
        qign_q[i]    <= '0;
      end else if (make) begin
        live_q[i]    <= 1'b1;
        stopped_q[i] <= 1'b0;
        owner_q[i]   <= owner;
        ring_q[i]    <= ring_va;
        log2_q[i]    <= ring_log2;
        qign_q[i]    <= '0;
      end else begin
        if (stop) stopped_q[i] <= 1'b1;
        if (db_ignored_live && db_idx == QW'(i)) qign_q[i] <= qign_inc;
      end
    end
  end

  for (genvar p = 0; p < NumProcs; p++) begin : g_proc
    always_ff @(posedge clk_i) begin
      if (!rst_ni || (clear_owner && owner == SlotW'(p))) pign_q[p] <= '0;
      else if (db_ignored_live && db_owner == SlotW'(p)) pign_q[p] <= pign_inc;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) ign_total_q <= '0;
    else if (db_valid_i && !db_accept) ign_total_q <= ign_total_q + 1'b1;
  end

`ifdef FORMAL
  // Properties for tests/formal/queues.sby: a doorbell of a queue whose owner is dying or
  // destroyed never starts work; a released slot holds no state of its old owner.
  // One symbolic slot f_q and one symbolic owner f_p stand for every slot and every owner.
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  (* anyconst *) logic [QW-1:0]    f_q;
  (* anyconst *) logic [SlotW-1:0] f_p;
  always_comb assume (32'(f_q) < NumQueues);   // harness only: f_q names a real slot

  // Environment: the contract of the context manager (also asserted in simulation, see
  // VERILATOR below). One strobe per cycle is structural now (qctl_t carries one op).
  logic [2:0] f_nstrobe;
  always_comb begin
    f_nstrobe = 3'(create) + 3'(destroy) + 3'(stop_owner) + 3'(release_owner) +
                3'(clear_owner);
    if (rst_ni) begin
      // at most one context-manager strobe per cycle
      assume (f_nstrobe <= 3'd1);
      // create only on an existing slot that is not live (ctxmgr takes free_idx_o)
      if (create) assume (32'(create_q) < NumQueues && !live_q[create_q]);
    end
  end

  // f_q's next state, as the spec says it should be
  logic f_db_q, f_kill_q, f_stop_q;
  assign f_db_q   = db_valid_i && db_q_i == 8'(f_q);                  // a doorbell for f_q
  assign f_kill_q = (destroy && destroy_q == f_q) ||              // f_q destroyed/released
                    (release_owner && live_q[f_q] && owner_q[f_q] == owner);
  assign f_stop_q = stop_owner && live_q[f_q] && owner_q[f_q] == owner;

  always_comb begin
    if (rst_ni && f_past_valid) begin
      // (1) an accepted doorbell is for a live, not stopped slot of an ACTIVE owner
      if (db_accept) begin
        assert (db_in_range && live_q[db_idx]);
        assert (!stopped_q[db_idx]);
        assert (proc_active_i[owner_q[db_idx]]);
      end
      if (f_db_q && db_accept) assert (live_q[f_q] && !stopped_q[f_q] && proc_active_i[owner_q[f_q]]);
      // an accepted doorbell hands the engines the written pointer with the slot's ring and owner
      if (f_db_q && db_accept)
        assert (doorbell_o.valid && doorbell_o.wptr == db_wptr_i && doorbell_o.ring_va == ring_q[f_q] &&
                doorbell_o.ring_log2 == log2_q[f_q] && doorbell_o.asid == sgpu_pkg::AsidW'(owner_q[f_q]));
      if (!db_accept) assert (!doorbell_o.valid);
      // a doorbell of a dying/destroyed owner's queue never starts work
      if (f_db_q && live_q[f_q] && owner_q[f_q] == f_p && !proc_active_i[f_p]) assert (!db_accept);
      // (3) a stopped slot never accepts a doorbell
      if (f_db_q && stopped_q[f_q]) assert (!db_accept);
      // (2) a slot that is not live holds no state (so nothing of an old owner survives)
      for (int unsigned i = 0; i < NumQueues; i++) begin
        if (!live_v[i]) begin
          assert (!stopped_q[i]);
          assert (owner_q[i] == '0 && ring_q[i] == '0 && log2_q[i] == '0);
          assert (qign_q[i] == '0);
        end
      end
      // the free-slot search names a slot that is really free
      assert (free_found_o == (live_v != '1));
      if (free_found_o) assert (!live_q[free_idx_o]);
    end
  end

  always_ff @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni)) begin
      // (2) release of an owner: none of its slots is live next cycle; destroy: the slot is gone
      if ($past(release_owner))
        for (int unsigned i = 0; i < NumQueues; i++)
          assert (!(live_q[i] && owner_q[i] == $past(owner)));
      if ($past(destroy && destroy_q == f_q)) assert (!live_q[f_q]);
      // (3) stop of an owner: every live slot of it is stopped (and still live) next cycle
      if ($past(stop_owner))
        for (int unsigned i = 0; i < NumQueues; i++)
          if ($past(live_q[i] && owner_q[i] == owner)) assert (live_q[i] && stopped_q[i]);
      // stopped is sticky until the slot is destroyed/released
      if ($past(stopped_q[f_q]) && !$past(f_kill_q)) assert (stopped_q[f_q]);
      // a stop of another owner, or a doorbell, never stops f_q
      if (!$past(stopped_q[f_q]) && !$past(f_stop_q)) assert (!stopped_q[f_q]);
      // (1) the ignored count of f_q changes only by create/destroy/release (to 0) or by an
      // ignored doorbell of live f_q (+1)
      // (begin/end: an `else` right after `assert (...);` would be the assert's fail action)
      if ($past(f_kill_q) || $past(create && create_q == f_q)) begin
        assert (qign_q[f_q] == '0);
      end else if ($past(f_db_q && !db_accept && live_q[f_q])) begin
        assert (qign_q[f_q] == $past(qign_q[f_q]) + 1'b1);
      end else begin
        assert (qign_q[f_q] == $past(qign_q[f_q]));
      end
      // a live slot keeps its owner and ring until it is destroyed/released
      if ($past(live_q[f_q]) && !$past(f_kill_q))
        assert (live_q[f_q] && owner_q[f_q] == $past(owner_q[f_q]) &&
                ring_q[f_q] == $past(ring_q[f_q]) && log2_q[f_q] == $past(log2_q[f_q]));
      // a (re)created slot starts clean: the new owner's ring, no ignores, not stopped
      if ($past(create && create_q == f_q))
        assert (live_q[f_q] && !stopped_q[f_q] && owner_q[f_q] == $past(owner) &&
                ring_q[f_q] == $past(ring_va) && log2_q[f_q] == $past(ring_log2) &&
                qign_q[f_q] == '0);
    end
  end

  // reachability: f_old_owner is the owner f_q had when it was last released
  logic             f_released;
  logic [SlotW-1:0] f_old_owner;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_released  <= 1'b0;
      f_old_owner <= '0;
    end else if (release_owner && live_q[f_q] && owner_q[f_q] == owner) begin
      f_released  <= 1'b1;
      f_old_owner <= owner_q[f_q];
    end
  end
  always_comb if (rst_ni && f_past_valid) begin
    cover (db_accept);
    cover (f_db_q && live_q[f_q] && !stopped_q[f_q] && !proc_active_i[owner_q[f_q]]);
    cover (stopped_v != '0);
    cover (live_v == '1);
    cover (f_released && live_q[f_q] && owner_q[f_q] != f_old_owner);
  end
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  CreateFree_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    create |-> !live_v[create_q]);
`endif
endmodule
