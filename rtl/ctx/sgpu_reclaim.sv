// sgpu_reclaim: the deferred reclaimer. A DEFERRED DESTROY_PROCESS completes as soon as the
// process is unreachable (sgpu_teardown hands it over with rc_add_i, its slot DYING, its
// TLB entries gone, its engines drained). The reclaimer then, in two steps:
//   job    while no command runs (it asks with rc_req_o; the dispatcher grants it before
//          taking the next command): splice all the process's frames onto the dirty list and
//          release its queue slots; note dirty_in_total after the splice (the target)
//   event  once the scrubber has zeroed every one of those frames (the dirty list is a FIFO:
//          clean_out_total reaches the target), the slot becomes FREE with generation + 1
//          (process-table rc port, never the command's slot: commands do not act on a DYING
//          slot) and a reclaim event is posted: RECLAIM_SEQ + 1 with its handle, cycles
//          (doorbell to event), frames, and its own phase cycles (free, release, scrub)
// Events come in the order of the jobs; per-slot records keep each process's values until its
// own event, so an event never reports another destroy's numbers. The records are two small
// synchronous RAMs indexed by slot (block RAM: no flip-flops, no read multiplexer): {t0,
// frames} written at the hand-over, {end of the free phase, the job's phase cycles} at the
// job's end, both read at the event. So the event's registers are written one cycle after
// the slot is freed (the RAMs answer one cycle after the address), all of them together; a
// new event may fire from the cycle after that.
module sgpu_reclaim #(
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned TimeW     = 32,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned GenW     = sgpu_regs_pkg::HANDLE_GEN_BITS,   // handle layout (the map)
  localparam int unsigned GenLsb   = sgpu_regs_pkg::HANDLE_GEN_SHIFT,   // handle layout (the map)
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned TotW     = CntW + 1,
  localparam int unsigned PendW    = $clog2(NumProcs + 1),
  localparam int unsigned PhW      = 8                      // job phase counts (saturate)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [TimeW-1:0]     now_i,
  input  logic [TimeW-1:0]     now_next_i,        // now_i in the next cycle
  // from the teardown
  input  logic                 rc_add_i,
  input  logic [SlotW-1:0]     rc_slot_i,
  input  logic [CntW:0]        rc_frames_i,
  input  logic [TimeW-1:0]     rc_t0_i,
  // the job, when the dispatcher grants it
  output logic                 req_o,
  input  logic                 grant_i,
  output logic                 done_o,
  output sgpu_pkg::alloc_req_t al_req_o,
  input  sgpu_pkg::alloc_rsp_t al_rsp_i,
  output sgpu_pkg::qctl_t      qctl_o,
  input  logic [TotW-1:0]      dirty_in_total_i,
  input  logic [TotW-1:0]      clean_out_total_i,
  // the event
  output sgpu_pkg::ptop_t      ptop_o,            // process-table rc port
  output logic [SlotW-1:0]     gen_slot_o,        // whose generation gen_i is
  input  logic [GenW-1:0] gen_i,
  // reclaim registers
  output logic [31:0]          seq_o,
  output logic [31:0]          handle_o,
  output logic [TimeW-1:0]     cycles_o,
  output logic [CntW:0]        frames_o,
  output logic [TimeW-1:0]     scrub_o,
  output logic [PhW-1:0]       free_o,
  output logic [PhW-1:0]       release_o,
  output logic [PendW-1:0]     pending_o
);
  typedef enum logic [1:0] {StIdle, StFree, StRelQ} state_e;
  state_e            st_q, st_d;
  logic [SlotW-1:0]  job_q;                      // the slot the job works on

  logic [NumProcs-1:0] pend_q;                   // handed over, event not posted
  logic [NumProcs-1:0] rel_q;                    // its job is done
  logic [TotW-1:0]     target_q [NumProcs];      // flops: every slot's is compared each cycle
  // the records (synchronous RAMs; contents need no reset: a slot's are written before read)
  localparam int unsigned RecAW = TimeW + CntW + 1;          // {t0, frames}
  localparam int unsigned RecBW = TimeW + 2 * PhW;           // {stamp, free, release}
  (* ram_style = "block" *) logic [RecAW-1:0] rec_a [NumProcs];
  (* ram_style = "block" *) logic [RecBW-1:0] rec_b [NumProcs];
  logic [RecAW-1:0]    rec_a_q;                  // the records of post_idx_q, in the post cycle
  logic [RecBW-1:0]    rec_b_q;
  logic [TimeW-1:0]    rec_t0, rec_stamp;
  logic [CntW:0]       rec_frames;
  logic [PhW-1:0]      rec_free, rec_rel;
  // the job's own (one job at a time): end of its free phase, its phase cycles
  logic [TimeW-1:0]    jstamp_q;
  logic [PhW-1:0]      jfree_q;
  // the event: fired (slot freed) in one cycle, its registers written in the next
  logic                post_q;
  logic [SlotW-1:0]    post_idx_q;

  logic [31:0]         seq_q, handle_q;
  logic [TimeW-1:0]    cycles_q, scrub_q;
  logic [CntW:0]       frames_ev_q;
  logic [PhW-1:0]      free_ev_q, rel_ev_q;

  // ---------------------------------------------------------------- who is next
  logic             need, fire;
  logic [SlotW-1:0] need_idx, fire_idx;
  always_comb begin
    need      = 1'b0;
    need_idx  = '0;
    fire      = 1'b0;
    fire_idx  = '0;
    pending_o = '0;
    for (int p = NumProcs - 1; p >= 0; p--) begin
      if (pend_q[p] && !rel_q[p]) begin
        need     = 1'b1;
        need_idx = SlotW'(p);
      end
      if (pend_q[p] && rel_q[p] && !post_q && $signed(clean_out_total_i - target_q[p]) >= 0) begin
        fire     = 1'b1;
        fire_idx = SlotW'(p);
      end
    end
    for (int unsigned p = 0; p < NumProcs; p++) pending_o = pending_o + PendW'(pend_q[p]);
  end
  assign req_o = need && (st_q == StIdle);

  // ---------------------------------------------------------------- the job
  always_comb begin
    st_d           = st_q;
    done_o         = 1'b0;
    al_req_o       = '0;
    al_req_o.op    = sgpu_pkg::AlRelease;
    al_req_o.owner = sgpu_pkg::AsidW'(job_q);
    qctl_o         = '0;
    qctl_o.owner   = sgpu_pkg::AsidW'(job_q);
    unique case (st_q)
      StIdle: if (grant_i && need) st_d = StFree;
      StFree: begin
        al_req_o.valid = 1'b1;
        if (al_rsp_i.done) st_d = StRelQ;
      end
      StRelQ: begin
        qctl_o.op = sgpu_pkg::QcRelease;
        done_o    = 1'b1;
        st_d      = StIdle;
      end
      default: st_d = StIdle;
    endcase
  end

  // ---------------------------------------------------------------- the event
  always_comb begin
    ptop_o      = '0;
    ptop_o.slot = sgpu_pkg::AsidW'(fire_idx);
    if (fire) ptop_o.op = sgpu_pkg::PtRelease;
  end
  assign gen_slot_o = post_idx_q;    // read in the post cycle (a generation changes only at a
                                     // create, and a create of the freed slot is from then on)
  assign {rec_t0, rec_frames}          = rec_a_q;
  assign {rec_stamp, rec_free, rec_rel} = rec_b_q;

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q        <= StIdle;
      post_q      <= 1'b0;
      pend_q      <= '0;
      rel_q       <= '0;
      seq_q       <= '0;
      handle_q    <= '0;
      cycles_q    <= '0;
      scrub_q     <= '0;
      frames_ev_q <= '0;
      free_ev_q   <= '0;
      rel_ev_q    <= '0;
    end else begin
      st_q <= st_d;
      if (rc_add_i) begin
        pend_q[rc_slot_i] <= 1'b1;
        rel_q[rc_slot_i]  <= 1'b0;
      end
      if (st_q == StRelQ) rel_q[job_q] <= 1'b1;
      post_q <= fire;
      if (fire) begin
        pend_q[fire_idx] <= 1'b0;
        rel_q[fire_idx]  <= 1'b0;
      end
      if (post_q) begin                                  // the event's registers, together
        seq_q       <= seq_q + 1'b1;
        handle_q    <= (32'(gen_i) << GenLsb) | 32'(post_idx_q);
        cycles_q    <= now_next_i - rec_t0;              // doorbell .. posted, both included
        scrub_q     <= now_i - rec_stamp;
        frames_ev_q <= rec_frames;
        free_ev_q   <= rec_free;
        rel_ev_q    <= rec_rel;
      end
    end
  end

  function automatic logic [PhW-1:0] sat_inc(logic [PhW-1:0] v);
    sat_inc = (v == '1) ? v : v + 1'b1;
  endfunction

  // The job's registers; the per-slot records: written when handed over ({t0, frames}) and at
  // the job's end ({stamp, free, release}), read at the event (address fire_idx, data in the
  // post cycle). A slot is never written while it can fire: a hand-over needs it not pending,
  // its job's end needs it not released, and the event needs both.
  always_ff @(posedge clk_i) begin
    post_idx_q <= fire_idx;
    if (st_q == StIdle && grant_i && need) begin
      job_q   <= need_idx;
      jfree_q <= '0;
    end
    if (st_q == StFree) jfree_q <= sat_inc(jfree_q);
    if (st_q == StFree && al_rsp_i.done) begin
      target_q[job_q] <= dirty_in_total_i + TotW'(al_rsp_i.count);
      jstamp_q        <= now_i;
    end
    if (rc_add_i) rec_a[rc_slot_i] <= {rc_t0_i, rc_frames_i};
    // (the release phase is StRelQ, always one cycle)
    if (st_q == StRelQ) rec_b[job_q] <= {jstamp_q, jfree_q, PhW'(1)};
    rec_a_q <= rec_a[fire_idx];
    rec_b_q <= rec_b[fire_idx];
  end

  assign seq_o     = seq_q;
  assign handle_o  = handle_q;
  assign cycles_o  = cycles_q;
  assign frames_o  = frames_ev_q;
  assign scrub_o   = scrub_q;
  assign free_o    = free_ev_q;
  assign release_o = rel_ev_q;

`ifdef FORMAL
  `include "sgpu_reclaim_props.svh"
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // Functional covers (make coverage): the job's phases, the event, two reclaims pending.
  CovRcFree_C:    cover property (@(posedge clk_i) st_q == StFree && al_rsp_i.done);
  CovRcRelease_C: cover property (@(posedge clk_i) st_q == StRelQ);
  CovRcEvent_C:   cover property (@(posedge clk_i) fire);
  CovRcTwo_C:     cover property (@(posedge clk_i) pending_o >= 2);
  // A process is handed over once; the job runs only while granted.
  logic add_pend;
  assign add_pend = pend_q[rc_slot_i];
  AddOnce_A: assert property (@(posedge clk_i) disable iff (!rst_ni) rc_add_i |-> !add_pend);
  JobGranted_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q != StIdle) |-> grant_i);
`endif

  // Waiver: of the allocator's answer only done and the release count matter.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{al_rsp_i.nomem, al_rsp_i.frame};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
