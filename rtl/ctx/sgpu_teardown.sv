// sgpu_teardown: the hardware teardown engine, DESTROY_PROCESS (docs/architecture.md).
//
// Start: start_i pulses with the command (cmd_i: the policy, checked by the dispatcher, 0 means
// EAGER) and the slot of an ACTIVE process (slot_i); done_o pulses once with status_o/res_o.
// The sequence, one phase after the other:
//   Mark   the slot becomes DYING: from the next cycle its doorbells are dropped and counted,
//          commands naming it get PROCESS_IS_TERMINATING
//   Stop   its queues are stopped; every engine is asked to STOP it (no new work) and acks
//   Drain  every engine is asked to DRAIN it; if they have not all acked within
//          drain_timeout_i cycles, they are asked to ABORT its work instead and the work
//          items they drop are counted (work_aborted): the wait is bounded, the admin path
//          never hangs on a stuck engine
//   Clear  every engine zeroes the on-chip state the process could have written
//   Tlb    the MMU invalidates every translation of its ASID, disables the ASID, and
//          acknowledges only when no port holds one any more
//   EAGER:    Free (splice all its frames onto the dirty list), Release (its queue slots, then
//             the slot: FREE, generation + 1), then the completion
//   DEFERRED: the completion right after Tlb; the process goes to the reclaimer (rc_add_o)
// Nothing is freed before the invalidation is acknowledged, and nothing is invalidated
// before the engines have drained or aborted the process's work.
// Results: cycles (filled in by the dispatcher), frames freed (data + tables), tables freed,
// queues freed, work aborted, doorbells ignored. Phase cycles of the last destroy: a RAM read
// through td_raddr_i/td_rdata_o (TD_VALIDATE .. TD_COMPLETE, read latency 1); td_scrub_o, for an EAGER destroy, the cycles from its frames
// reaching the dirty list until the scrubber has zeroed all of them (the dirty list is a FIFO:
// clean_out_total reaches the dirty_in_total taken at the free).
module sgpu_teardown #(
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned NumQueues = 4,
  parameter int unsigned TimeW     = 32,    // cycle counters (TD_*, timestamps)
  parameter int unsigned DrainW    = 20,    // drain timer
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned QCntW    = $clog2(NumQueues + 1),
  localparam int unsigned TotW     = CntW + 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [TimeW-1:0]     now_i,             // free-running cycle counter
  // command
  input  logic                 start_i,
  input  sgpu_pkg::cmd_t       cmd_i,
  input  logic [SlotW-1:0]     slot_i,
  input  logic [TimeW-1:0]     t0_i,              // the command's doorbell cycle
  input  logic [TimeW-1:0]     elapsed_i,         // doorbell .. now, both included
  input  logic [DrainW-1:0]    drain_timeout_i,
  output logic                 done_o,
  output logic [31:0]          status_o,
  output logic [5:0][31:0]     res_o,
  // the process: its counts, its queues
  input  logic [CntW-1:0]      data_i,
  input  logic [CntW-1:0]      tbl_i,
  input  logic [QCntW-1:0]     q_owned_cnt_i,
  input  logic [31:0]          q_owner_ign_i,
  output sgpu_pkg::ptop_t      ptop_o,
  output sgpu_pkg::qctl_t      qctl_o,
  // engines (broadcast request, combined answer)
  output sgpu_pkg::eng_ctl_req_t eng_req_o,
  input  sgpu_pkg::eng_ctl_rsp_t eng_rsp_i,
  // MMU invalidation by ASID (and disable)
  output logic                 inv_valid_o,
  output sgpu_pkg::inval_req_t inv_o,
  input  logic                 inv_done_i,
  // frame allocator
  output sgpu_pkg::alloc_req_t al_req_o,
  input  sgpu_pkg::alloc_rsp_t al_rsp_i,
  input  logic [TotW-1:0]      dirty_in_total_i,
  input  logic [TotW-1:0]      clean_out_total_i,
  // DEFERRED: the process goes to the reclaimer
  output logic                 rc_add_o,
  output logic [SlotW-1:0]     rc_slot_o,
  output logic [CntW:0]        rc_frames_o,
  output logic [TimeW-1:0]     rc_t0_o,           // its doorbell's cycle
  // phase cycles of the last destroy
  input  logic [2:0]           td_raddr_i,        // TD_* read port: VALIDATE .. COMPLETE = 0..5
  output logic [31:0]          td_rdata_o,        // ... its word, the cycle after
  output logic [TimeW-1:0]     td_scrub_o
);
  typedef enum logic [3:0] {
    StIdle, StMark, StStop, StStopW, StDrain, StAbort, StClear, StTlb, StFree, StRelQ, StSlot,
    StDone
  } state_e;
  localparam int unsigned TdValidate = 0, TdStopDrain = 1, TdTlb = 2, TdFree = 3, TdRelease = 4,
                          TdComplete = 5;

  state_e            st_q, st_d;
  logic              deferred_q;
  logic [DrainW-1:0] timer_q;
  logic [15:0]       aborted_q;
  logic [CntW:0]     freed_q;                // frames the release returned
  logic [QCntW-1:0]  queues_q;
  logic [CntW-1:0]   tbls_q;               // its table pages, at Mark
  logic [CntW:0]     frames_q;             // its frames (data + tables), at Mark
  // The phase counts: a synchronous RAM (block RAM), one word per phase, written when the phase
  // ends (one phase ends per cycle at most); td_v_q says which words this destroy has written
  // (the others read 0: a new destroy clears them without writing them).
  (* ram_style = "block" *) logic [TimeW-1:0] td_mem [8];
  logic [5:0]        td_v_q;
  logic              td_we;
  logic [2:0]        td_waddr;
  logic [TimeW-1:0]  td_wdata, td_rd_q;
  logic              td_rv_q;
  logic [TimeW-1:0]  ph_q, ph_inc;         // cycles in the current phase, before this one
  logic [2:0]        ph_cur, ph_nxt;       // the phase (td_q's index) of st_q and st_d
  logic              scrub_pend_q;
  logic [TotW-1:0]   scrub_target_q;
  logic [TimeW-1:0]  scrub_stamp_q, td_scrub_q;

  // ---------------------------------------------------------------- requests (state only)
  always_comb begin
    eng_req_o      = '0;
    eng_req_o.asid = sgpu_pkg::AsidW'(slot_i);
    inv_valid_o    = (st_q == StTlb);
    inv_o          = '0;
    inv_o.by_asid  = 1'b1;
    inv_o.asid     = sgpu_pkg::AsidW'(slot_i);
    al_req_o       = '0;
    al_req_o.owner = sgpu_pkg::AsidW'(slot_i);
    al_req_o.op    = sgpu_pkg::AlRelease;
    al_req_o.valid = (st_q == StFree);
    unique case (st_q)
      StStopW: begin eng_req_o.valid = 1'b1; eng_req_o.op = sgpu_pkg::EngStop;  end
      StDrain: begin eng_req_o.valid = 1'b1; eng_req_o.op = sgpu_pkg::EngDrain; end
      StAbort: begin eng_req_o.valid = 1'b1; eng_req_o.op = sgpu_pkg::EngAbort; end
      StClear: begin eng_req_o.valid = 1'b1; eng_req_o.op = sgpu_pkg::EngClear; end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- phases (TD_*)
  function automatic logic [2:0] phase(state_e st);   // Idle: TdValidate (not counted here)
    unique case (st)
      StMark, StStop, StStopW, StDrain, StAbort, StClear: phase = 3'(TdStopDrain);
      StTlb:                                              phase = 3'(TdTlb);
      StFree:                                             phase = 3'(TdFree);
      StRelQ, StSlot:                                     phase = 3'(TdRelease);
      StDone:                                             phase = 3'(TdComplete);
      default:                                            phase = 3'(TdValidate);
    endcase
  endfunction
  assign ph_cur = phase(st_q);
  assign ph_nxt = phase(st_d);
  assign ph_inc = ph_q + 1'b1;

  // ---------------------------------------------------------------- the FSM
  always_comb begin
    st_d        = st_q;
    ptop_o      = '0;
    ptop_o.slot = sgpu_pkg::AsidW'(slot_i);
    qctl_o      = '0;
    qctl_o.owner = sgpu_pkg::AsidW'(slot_i);
    done_o      = 1'b0;
    rc_add_o    = 1'b0;
    unique case (st_q)
      StIdle:  if (start_i) st_d = StMark;
      StMark: begin
        ptop_o.op = sgpu_pkg::PtDying;
        st_d      = StStop;
      end
      StStop: begin
        qctl_o.op = sgpu_pkg::QcStop;
        st_d      = StStopW;
      end
      StStopW: if (eng_rsp_i.ack) st_d = StDrain;
      StDrain: begin
        // the drain request may be answered in the cycle the timer runs out: it wins
        if (eng_rsp_i.ack)                   st_d = StClear;
        else if (timer_q >= drain_timeout_i) st_d = StAbort;
      end
      StAbort: if (eng_rsp_i.ack) st_d = StClear;
      StClear: if (eng_rsp_i.ack) st_d = StTlb;
      StTlb: begin
        if (inv_done_i) begin
          if (deferred_q) begin
            rc_add_o = 1'b1;          // unreachable now: complete; the reclaimer frees later
            st_d     = StDone;
          end else st_d = StFree;
        end
      end
      StFree:  if (al_rsp_i.done) st_d = StRelQ;
      StRelQ: begin
        qctl_o.op = sgpu_pkg::QcRelease;
        st_d      = StSlot;
      end
      StSlot: begin
        ptop_o.op = sgpu_pkg::PtRelease;
        st_d      = StDone;
      end
      StDone: begin
        done_o = 1'b1;
        st_d   = StIdle;
      end
      default: st_d = StIdle;
    endcase
  end

  assign status_o = sgpu_regs_pkg::STATUS_SUCCESS;
  always_comb begin
    res_o    = '0;
    res_o[1] = deferred_q ? 32'(frames_q) : 32'(freed_q);               // frames freed
    res_o[2] = 32'(tbls_q);                                              // tables freed
    res_o[3] = 32'(queues_q);                                            // queues freed
    res_o[4] = 32'(aborted_q);                                           // work aborted
    res_o[5] = q_owner_ign_i;                                            // doorbells ignored
  end
  assign rc_slot_o   = slot_i;
  assign rc_frames_o = frames_q;
  assign rc_t0_o     = t0_i;
  assign td_rdata_o  = td_rv_q ? 32'(td_rd_q) : '0;
  // the write of this cycle: TD_VALIDATE at the start, a phase's count at its end
  assign td_we    = (st_q == StIdle && start_i) || (ph_cur != 3'(TdValidate) && ph_nxt != ph_cur);
  assign td_waddr = (st_q == StIdle) ? 3'(TdValidate) : ph_cur;
  assign td_wdata = (st_q == StIdle) ? elapsed_i : ph_inc;
  always_ff @(posedge clk_i) begin
    if (td_we) td_mem[td_waddr] <= td_wdata;
    td_rd_q <= td_mem[td_raddr_i];
    td_rv_q <= (td_raddr_i < 3'd6) && td_v_q[td_raddr_i];
  end
  assign td_scrub_o  = td_scrub_q;

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q         <= StIdle;
      td_v_q       <= '0;
      ph_q         <= '0;
      td_scrub_q   <= '0;
      scrub_pend_q <= 1'b0;
      timer_q      <= '0;
    end else begin
      st_q    <= st_d;
      timer_q <= (st_q == StDrain && st_d == StDrain) ? timer_q + 1'b1 : '0;  // cycles in Drain
      // phase accounting: one counter for the phase under way; a phase's count is written
      // when it ends (phases a DEFERRED destroy skips stay 0)
      ph_q <= (ph_nxt != ph_cur) ? '0 : ph_inc;
      if (st_q == StIdle && start_i) td_v_q <= 6'(1 << TdValidate);
      else if (td_we)                td_v_q[td_waddr] <= 1'b1;
      // EAGER: TD_SCRUB once the frames this destroy freed are all zeroed
      if (st_q == StFree && al_rsp_i.done) begin
        scrub_pend_q   <= 1'b1;
        scrub_target_q <= dirty_in_total_i + TotW'(al_rsp_i.count);
        scrub_stamp_q  <= now_i;
      end else if (scrub_pend_q && $signed(clean_out_total_i - scrub_target_q) >= 0) begin
        scrub_pend_q <= 1'b0;
        td_scrub_q   <= now_i - scrub_stamp_q;
      end
      if (st_q == StIdle && start_i) begin   // TD_SCRUB belongs to this destroy from now on
        td_scrub_q   <= '0;
        scrub_pend_q <= 1'b0;
      end
    end
  end

  // Datapath: loaded at the start or in their phase, read while the command runs.
  always_ff @(posedge clk_i) begin
    if (st_q == StIdle && start_i) begin
      deferred_q <= 32'(cmd_i.policy) == sgpu_regs_pkg::POLICY_DEFERRED;
      aborted_q  <= '0;
      freed_q    <= '0;
    end
    if (st_q == StMark) begin
      tbls_q   <= tbl_i;
      frames_q <= (CntW+1)'(data_i) + (CntW+1)'(tbl_i);
    end
    if (st_q == StStop) queues_q <= q_owned_cnt_i;
    // work_aborted: queued items the engines dropped at STOP, running ones at ABORT
    if ((st_q == StStopW || st_q == StAbort) && eng_rsp_i.ack)
      aborted_q <= aborted_q + eng_rsp_i.aborted;
    if (st_q == StFree && al_rsp_i.done) freed_q <= (CntW+1)'(al_rsp_i.count);
  end

`ifdef FORMAL
  `include "sgpu_teardown_props.svh"
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // Functional covers (make coverage): every phase under each policy, the drain wait, an
  // abort after the timeout, queued work dropped at STOP, the eager scrub phase.
  CovDrainWait_C:   cover property (@(posedge clk_i) st_q == StDrain && !eng_rsp_i.ack);
  CovAbort_C:       cover property (@(posedge clk_i) st_q == StAbort && eng_rsp_i.ack);
  CovStopDropped_C: cover property (@(posedge clk_i) st_q == StStopW && eng_rsp_i.ack &&
                                                     eng_rsp_i.aborted != '0);
  CovClear_C:       cover property (@(posedge clk_i) st_q == StClear && eng_rsp_i.ack);
  CovEagerTlb_C:    cover property (@(posedge clk_i) st_q == StTlb && !deferred_q && inv_done_i);
  CovEagerFree_C:   cover property (@(posedge clk_i) st_q == StFree && al_rsp_i.done);
  CovEagerRelease_C: cover property (@(posedge clk_i) st_q == StSlot);
  CovDeferredCpl_C: cover property (@(posedge clk_i) st_q == StTlb && deferred_q && inv_done_i);
  CovEagerScrub_C:  cover property (@(posedge clk_i) scrub_pend_q &&
                                    $signed(clean_out_total_i - scrub_target_q) >= 0);
  // EAGER frees exactly what the process table counted.
  logic [CntW:0] counted;
  assign counted = (CntW+1)'(data_i) + (CntW+1)'(tbl_i);
  FreedAll_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StFree && al_rsp_i.done) |-> ((CntW+1)'(al_rsp_i.count) == counted));
  // Nothing is freed before the invalidation, nothing invalidated before the engines let go.
  FreeAfterInval_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StFree) |-> ($past(st_q) == StTlb || $past(st_q) == StFree));
  InvalAfterEngines_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StTlb) |-> ($past(st_q) == StClear || $past(st_q) == StTlb));
`endif

  // Waiver: of the command only the policy matters here (the dispatcher checked the rest); of
  // the allocator's answer only done and the release count.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{cmd_i, al_rsp_i};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
