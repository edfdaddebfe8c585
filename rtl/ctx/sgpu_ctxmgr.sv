// sgpu_ctxmgr: the context manager. Holds the process table and executes admin commands,
// one at a time, among them DESTROY_PROCESS: the hardware teardown engine.
//
// Command interface (from sgpu_csr): a command is pending while cmd_valid_i is high; the
// manager takes it (cmd_take_o) when idle; busy_o stays high until cpl_valid_o pulses with the
// NTSTATUS and six result words. cmd_wait_i is how long it was pending (doorbell included).
// Process table: NumProcs slots of {state, generation, root table frame, data frames,
// page-table pages}. ASID = slot index. Handles are slot | generation << 16.
// Page tables: two levels of 32-bit entries in device memory (one page per table); root
// entries also count their leaf table's valid entries so UNMAP frees an emptied table
// without scanning it. The table layout comes from the generated register map.
//
// DESTROY_PROCESS (eager), after the handle is validated:
//   Mark  slot DYING: its doorbells are ignored from the next cycle
//   Stop  every queue it owns is stopped
//   Drain wait until the engines report no work of this process in flight (drain_busy_i)
//   Tlb   invalidate every TLB entry of its ASID and wait for the TLB to confirm
//   Free  splice all its frames (data and tables) onto the dirty list (one cycle)
//   RelQ  release its queue slots (cleared)
//   Slot  slot FREE, generation + 1 (skipping 0)
//   Cpl   completion: cycles, frames freed, tables freed, queues freed, 0 aborted, doorbells
//         ignored. The scrubber zeroes the freed frames afterwards, before any reuse.
// DEFERRED completes right after Tlb. The slot stays DYING; the background reclaimer, which
// runs in idle cycles before any new command, does Free and RelQ; when the scrubber has
// cleaned every frame it freed (FIFO order: clean_out_total reaches the dirty_in_total taken
// at its Free), the slot becomes FREE with generation + 1 and a reclaim event is posted.
// Nothing is freed before the TLB invalidation has completed (DTlb precedes DFree/RcFree).
// Per-phase cycles of the last destroy are kept for the TD_* registers.
module sgpu_ctxmgr #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned NumQueues = 4,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned LvlW     = PageShift - 2,
  localparam int unsigned VpnW     = 2 * LvlW,
  localparam int unsigned AddrW    = FrameW + LvlW,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned QW       = (NumQueues > 1) ? $clog2(NumQueues) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned QCntW    = $clog2(NumQueues + 1)
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  // command (from the register block)
  input  logic                            cmd_valid_i,
  input  logic [31:0]                     cmd_wait_i,
  output logic                            cmd_take_o,
  input  logic [7:0]                      op_i,
  input  logic [1:0]                      policy_i,
  input  logic [3*32-1:0]                 arg_i,          // CMD_ARG0..2 (ARG3 is spare)
  output logic                            busy_o,
  output logic                            cpl_valid_o,
  output logic [31:0]                     cpl_status_o,
  output logic [6*32-1:0]                 cpl_res_o,      // result n at [n*32 +: 32]
  // frame allocator
  output logic                            al_valid_o,
  output logic [1:0]                      al_op_o,
  output logic [SlotW-1:0]                al_owner_o,
  output logic [FrameW-1:0]               al_frame_o,
  input  logic                            al_done_i,
  input  logic [FrameW-1:0]               al_frame_i,
  input  logic                            al_nomem_i,
  input  logic [CntW-1:0]                 al_count_i,
  input  logic [CntW-1:0]                 frames_clean_i,
  input  logic [CntW-1:0]                 frames_dirty_i,
  input  logic [CntW-1:0]                 frames_used_i,
  input  logic [31:0]                     dirty_in_total_i,
  input  logic [31:0]                     clean_out_total_i,
  // teardown phases and reclaim events (to the register block)
  output logic [7*32-1:0]                 td_o,
  output logic [31:0]                     rc_seq_o,
  output logic [31:0]                     rc_handle_o,
  output logic [31:0]                     rc_cycles_o,
  output logic [31:0]                     rc_frames_o,
  output logic [31:0]                     rc_pending_o,
  // memory port (page tables and the debug path)
  output logic                            mem_req_valid_o,
  input  logic                            mem_req_ready_i,
  output logic                            mem_req_we_o,
  output logic [AddrW-1:0]                mem_req_addr_o,
  output logic [31:0]                     mem_req_wdata_o,
  input  logic                            mem_rsp_valid_i,
  input  logic [31:0]                     mem_rsp_rdata_i,
  // translate port (debug path)
  output logic                            tr_req_valid_o,
  input  logic                            tr_req_ready_i,
  output logic [SlotW-1:0]                tr_asid_o,
  output logic [FrameW-1:0]               tr_root_o,
  output logic [VpnW-1:0]                 tr_vpn_o,
  input  logic                            tr_rsp_valid_i,
  input  logic                            tr_rsp_fault_i,
  input  logic [FrameW-1:0]               tr_rsp_frame_i,
  // TLB invalidation
  output logic                            inv_valid_o,
  output logic                            inv_by_asid_o,
  output logic [SlotW-1:0]                inv_asid_o,
  output logic [VpnW-1:0]                 inv_vpn_o,
  input  logic                            inv_done_i,
  // queues
  output logic                            q_create_o,
  output logic [QW-1:0]                   q_create_idx_o,
  output logic [31:4]                     q_ring_va_o,
  output logic [3:0]                      q_ring_log2_o,
  output logic                            q_destroy_o,
  output logic [QW-1:0]                   q_destroy_idx_o,
  output logic                            q_stop_owner_o,
  output logic                            q_release_owner_o,
  output logic                            q_clear_owner_o,
  output logic [SlotW-1:0]                q_owner_o,
  input  logic [NumQueues-1:0]            q_live_i,
  input  logic [NumQueues*SlotW-1:0]      q_owner_i,
  input  logic                            q_free_found_i,
  input  logic [QW-1:0]                   q_free_idx_i,
  input  logic [QCntW-1:0]                q_owned_cnt_i,
  input  logic [31:0]                     q_owner_ign_i,
  input  logic [31:0]                     q_ign_total_i,
  // process state to the doorbell path, in-flight work from the engines
  output logic [NumProcs-1:0]             proc_active_o,
  input  logic [NumProcs-1:0]             drain_busy_i
);
  localparam int unsigned PteV   = sgpu_regs_pkg::PTE_VALID_BIT;
  localparam int unsigned PteFr  = sgpu_regs_pkg::PTE_FRAME_LSB;
  localparam int unsigned PteCnt = sgpu_regs_pkg::PTE_COUNT_LSB;
  localparam int unsigned CntBits = sgpu_regs_pkg::PTE_COUNT_BITS;
  localparam logic [1:0] PsFree   = sgpu_regs_pkg::PROC_STATE_FREE[1:0];
  localparam logic [1:0] PsActive = sgpu_regs_pkg::PROC_STATE_ACTIVE[1:0];
  localparam logic [1:0] PsDying  = sgpu_regs_pkg::PROC_STATE_DYING[1:0];
  localparam logic [1:0] AlAlloc = 2'd0, AlFree = 2'd1, AlRelease = 2'd2;
  localparam logic [63:0] VpnLimit = 64'd1 << VpnW;     // virtual pages per address space
  localparam logic [31:0] Entries  = 32'd1 << LvlW;     // entries per table

  typedef enum logic [5:0] {
    StIdle, StDecode, StCpl,
    StRd, StRdW, StAlloc,
    StCreateDone,
    StChkRoot, StChkRootD, StChkLeaf, StChkLeafD, StChkDone,
    StMapRoot, StMapRootD, StMapTbl, StMapData, StMapLeafW, StMapRootW,
    StUnRoot, StUnRootD, StUnLeaf, StUnLeafD, StUnInv, StUnFree, StUnRootW, StUnTblInv,
    StUnTblFree, StUnCont,
    StDMark, StDStop, StDDrain, StDTlb, StDFree, StDRelQ, StDSlot,
    StMemTr, StMemTrW, StMemWr, StMemRdD,
    StRcFree, StRcRelQ
  } state_e;

  // ---------------------------------------------------------------- process table
  logic [1:0]        pstate_q [NumProcs];
  logic [15:0]       pgen_q   [NumProcs];
  logic [FrameW-1:0] proot_q  [NumProcs];
  logic [31:0]       pdata_q  [NumProcs];
  logic [31:0]       ppt_q    [NumProcs];
  // deferred reclaim, per slot
  logic [NumProcs-1:0] rpend_q;             // destroyed with DEFERRED, reclaim not finished
  logic [NumProcs-1:0] rrel_q;              // its frames and queues have been released
  logic [31:0]       rtarget_q [NumProcs];  // dirty_in_total after its release
  logic [31:0]       rstart_q  [NumProcs];  // cycle of its DESTROY doorbell
  logic [31:0]       rstamp_q  [NumProcs];  // cycle of its release
  logic [31:0]       rframes_q [NumProcs];
  // one record write per cycle
  logic              rec_we;
  logic [SlotW-1:0]  rec_idx;
  logic [1:0]        rec_state;
  logic [15:0]       rec_gen;
  logic [FrameW-1:0] rec_root;
  logic [31:0]       rec_data, rec_pt;

  // ---------------------------------------------------------------- command state
  state_e            st_q, st_d, ret_q, ret_d;
  logic [7:0]        op_q;
  logic [1:0]        pol_q;
  logic [31:0]       a0_q, a1_q, a2_q;
  logic [31:0]       status_q, status_d;
  logic [6*32-1:0]   res_q, res_d;
  logic [31:0]       cyc_q;
  logic [31:0]       now_q;               // free-running cycle counter
  logic [31:0]       t0_q;                // doorbell cycle of the current command
  logic [31:0]       td_q [7];            // TD_VALIDATE .. TD_SCRUB
  logic [31:0]       rc_seq_q, rc_handle_q, rc_cycles_q, rc_frames_q;
  logic [SlotW-1:0]  rslot_q, rslot_d;    // slot the reclaimer works on
  logic              rc_need_rel, rc_fire;
  logic [SlotW-1:0]  rc_rel_idx, rc_idx;
  logic              is_deferred;
  // scrub phase of the last eager destroy: its frames are clean when clean_out_total reaches
  // the dirty_in_total taken at its free phase (the same FIFO argument as the reclaimer)
  logic              escrub_pend_q;
  logic [31:0]       escrub_target_q, escrub_stamp_q;
  logic [31:0]       i_q, i_d;            // page index within the range
  logic [31:0]       vpn_q, vpn_d;        // current virtual page
  logic [31:0]       miss_q, miss_d;      // leaf tables MAP must create
  logic [31:0]       pte_q, pte_d;        // current root entry
  logic [LvlW-1:0]   l1_q, l1_d;          // its index
  logic [FrameW-1:0] tbl_q, tbl_d;        // leaf table frame (checks)
  logic [FrameW-1:0] fr_q, fr_d;          // frame from the allocator / a leaf entry
  logic [AddrW-1:0]  addr_q, addr_d;
  logic [31:0]       rdata_q, rdata_d;
  logic [SlotW-1:0]  nslot_q, nslot_d;    // CREATE_PROCESS: the new slot
  logic [SlotW-1:0]  aown_q, aown_d;      // owner for StAlloc

  // ---------------------------------------------------------------- decode helpers
  logic              slot_ok, is_map;
  logic [SlotW-1:0]  slot;
  logic [15:0]       gen;
  logic [63:0]       base_vpn, end_vpn;
  logic [31:0]       vpn_next;
  logic              pfree_found;
  logic [SlotW-1:0]  pfree_idx;
  logic [31:0]       live_procs, live_queues, free_frames;
  logic [LvlW-1:0]   cur_l1, cur_l2;
  logic [31:0]       step;

  assign slot     = a0_q[SlotW-1:0];
  assign gen      = a0_q[31:16];
  assign slot_ok  = (32'(a0_q[15:0]) < NumProcs);
  assign is_map   = (op_q == sgpu_regs_pkg::OP_MAP);
  assign base_vpn = 64'(a1_q) >> PageShift;
  assign end_vpn  = base_vpn + 64'(a2_q);
  assign cur_l1   = vpn_q[VpnW-1:LvlW];
  assign cur_l2   = vpn_q[LvlW-1:0];
  assign vpn_next = vpn_q + 32'd1;
  assign step     = Entries - 32'(cur_l2);
  assign free_frames = 32'(frames_clean_i) + 32'(frames_dirty_i);
  assign is_deferred = (32'(pol_q) == sgpu_regs_pkg::POLICY_DEFERRED);

  // Reclaimer: lowest slot waiting for its release; lowest slot whose frames are all clean.
  always_comb begin
    rc_need_rel = 1'b0;
    rc_rel_idx  = '0;
    rc_fire     = 1'b0;
    rc_idx      = '0;
    rc_pending_o = '0;
    for (int p = NumProcs - 1; p >= 0; p--) begin
      if (rpend_q[p] && !rrel_q[p]) begin
        rc_need_rel = 1'b1;
        rc_rel_idx  = SlotW'(p);
      end
      if (rpend_q[p] && rrel_q[p] &&
          $signed(clean_out_total_i - rtarget_q[p]) >= 0) begin
        rc_fire = 1'b1;
        rc_idx  = SlotW'(p);
      end
    end
    for (int unsigned p = 0; p < NumProcs; p++) rc_pending_o = rc_pending_o + 32'(rpend_q[p]);
  end

  always_comb begin
    pfree_found = 1'b0;
    pfree_idx   = '0;
    live_procs  = '0;
    live_queues = '0;
    for (int p = NumProcs - 1; p >= 0; p--) begin
      if (pstate_q[p] == PsFree) begin
        pfree_found = 1'b1;
        pfree_idx   = SlotW'(p);
      end
    end
    for (int unsigned p = 0; p < NumProcs; p++) begin
      live_procs = live_procs + 32'(pstate_q[p] != PsFree);
      proc_active_o[p] = (pstate_q[p] == PsActive);
    end
    for (int unsigned q = 0; q < NumQueues; q++) live_queues = live_queues + 32'(q_live_i[q]);
  end

  function automatic logic [31:0] make_pte(logic [FrameW-1:0] frame, logic [31:0] cnt);
    make_pte = (cnt << PteCnt) | (32'(frame) << PteFr) | (32'd1 << PteV);
  endfunction
  // Waiver: the field extractors read one field of the entry by design.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [FrameW-1:0] pte_frame(logic [31:0] pte);
    pte_frame = pte[PteFr +: FrameW];
  endfunction
  function automatic logic [31:0] pte_count(logic [31:0] pte);
    pte_count = 32'(pte[PteCnt +: CntBits]);
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // Requests to the allocator, memory, walker, TLB and queues depend on the state and
  // registers only, never on the answers they get (no combinational path back).
  always_comb begin
    al_valid_o      = 1'b0;
    al_op_o         = AlAlloc;
    al_owner_o      = slot;
    al_frame_o      = fr_q;
    mem_req_valid_o = 1'b0;
    mem_req_we_o    = 1'b0;
    mem_req_addr_o  = addr_q;
    mem_req_wdata_o = '0;
    tr_req_valid_o  = 1'b0;
    inv_valid_o     = 1'b0;
    inv_by_asid_o   = 1'b0;
    inv_asid_o      = slot;
    inv_vpn_o       = vpn_q[VpnW-1:0];
    q_owner_o       = (st_q == StCreateDone) ? nslot_q : (st_q == StRcRelQ) ? rslot_q : slot;
    unique case (st_q)
      StRd:        mem_req_valid_o = 1'b1;
      StAlloc:     begin al_valid_o = 1'b1; al_owner_o = aown_q; end
      StMapLeafW:  begin
        mem_req_valid_o = 1'b1;
        mem_req_we_o    = 1'b1;
        mem_req_addr_o  = {pte_frame(pte_q), cur_l2};
        mem_req_wdata_o = make_pte(fr_q, '0);
      end
      StMapRootW:  begin
        mem_req_valid_o = 1'b1;
        mem_req_we_o    = 1'b1;
        mem_req_addr_o  = {proot_q[slot], l1_q};
        mem_req_wdata_o = pte_q;
      end
      StUnLeafD:   begin
        mem_req_valid_o = 1'b1;      // clear the leaf entry just read (addr_q)
        mem_req_we_o    = 1'b1;
      end
      StUnInv:     inv_valid_o = 1'b1;   // (asid, vpn): this page only
      StUnFree:    begin al_valid_o = 1'b1; al_op_o = AlFree; end
      StUnRootW:   begin
        mem_req_valid_o = 1'b1;
        mem_req_we_o    = 1'b1;
        mem_req_addr_o  = {proot_q[slot], l1_q};
        mem_req_wdata_o = (pte_count(pte_q) == '0) ? '0 : pte_q;
      end
      StUnTblInv:  begin
        // the table leaves the process: any walk of this ASID in flight starts over
        inv_valid_o = 1'b1;
        inv_vpn_o   = {l1_q, {LvlW{1'b0}}};
      end
      StUnTblFree: begin al_valid_o = 1'b1; al_op_o = AlFree; al_frame_o = pte_frame(pte_q); end
      StDTlb:      begin inv_valid_o = 1'b1; inv_by_asid_o = 1'b1; end
      StDFree:     begin al_valid_o = 1'b1; al_op_o = AlRelease; end
      StRcFree:    begin al_valid_o = 1'b1; al_op_o = AlRelease; al_owner_o = rslot_q; end
      StMemTr:     tr_req_valid_o = 1'b1;
      StMemWr:     begin
        mem_req_valid_o = 1'b1;
        mem_req_we_o    = 1'b1;
        mem_req_wdata_o = a2_q;
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- the FSM
  always_comb begin
    st_d     = st_q;
    ret_d    = ret_q;
    status_d = status_q;
    res_d    = res_q;
    i_d      = i_q;
    vpn_d    = vpn_q;
    miss_d   = miss_q;
    pte_d    = pte_q;
    l1_d     = l1_q;
    tbl_d    = tbl_q;
    fr_d     = fr_q;
    addr_d   = addr_q;
    rdata_d  = rdata_q;
    nslot_d  = nslot_q;
    aown_d   = aown_q;
    rslot_d  = rslot_q;
    cmd_take_o = 1'b0;
    rec_we    = 1'b0;
    rec_idx   = slot;
    rec_state = pstate_q[slot];
    rec_gen   = pgen_q[slot];
    rec_root  = proot_q[slot];
    rec_data  = pdata_q[slot];
    rec_pt    = ppt_q[slot];
    q_create_o = 1'b0; q_destroy_o = 1'b0; q_stop_owner_o = 1'b0;
    q_release_owner_o = 1'b0; q_clear_owner_o = 1'b0;
    q_create_idx_o  = q_free_idx_i;
    q_destroy_idx_o = a1_q[QW-1:0];
    cpl_valid_o     = 1'b0;

    unique case (st_q)
      StIdle: begin
        // the reclaimer goes first, so a command after a deferred completion sees its frames
        if (rc_need_rel) begin
          rslot_d = rc_rel_idx;
          st_d    = StRcFree;
        end else if (cmd_valid_i) begin
          cmd_take_o = 1'b1;
          st_d       = StDecode;
        end
      end
      StRcFree: begin
        if (al_done_i) st_d = StRcRelQ;
      end
      StRcRelQ: begin
        q_release_owner_o = 1'b1;
        st_d              = StIdle;
      end

      // ------------------------------------------------ validate and dispatch
      StDecode: begin
        st_d     = StCpl;
        status_d = sgpu_regs_pkg::STATUS_SUCCESS;
        if (op_q == sgpu_regs_pkg::OP_CREATE_PROCESS) begin
          if (!pfree_found)            status_d = sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES;
          else if (free_frames == '0)  status_d = sgpu_regs_pkg::STATUS_NO_MEMORY;
          else begin
            nslot_d = pfree_idx;
            aown_d  = pfree_idx;
            ret_d   = StCreateDone;
            st_d    = StAlloc;
          end
        end else if (op_q == sgpu_regs_pkg::OP_QUERY && a0_q == 32'hFFFF_FFFF) begin
          res_d[0*32 +: 32] = 32'(frames_clean_i);
          res_d[1*32 +: 32] = 32'(frames_dirty_i);
          res_d[2*32 +: 32] = 32'(frames_used_i);
          res_d[3*32 +: 32] = live_procs;
          res_d[4*32 +: 32] = live_queues;
          res_d[5*32 +: 32] = q_ign_total_i;
        end else if (op_q == '0 || op_q > sgpu_regs_pkg::OP_MEM_WRITE) begin
          status_d = sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST;
        end else if (!slot_ok || pstate_q[slot] == PsFree || pgen_q[slot] != gen) begin
          status_d = sgpu_regs_pkg::STATUS_INVALID_HANDLE;
        end else if (pstate_q[slot] == PsDying) begin
          status_d = sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING;
        end else begin
          unique case (op_q)
            sgpu_regs_pkg::OP_QUERY: begin
              res_d[0*32 +: 32] = 32'(pstate_q[slot]);
              res_d[1*32 +: 32] = 32'(slot);
              res_d[2*32 +: 32] = pdata_q[slot];
              res_d[3*32 +: 32] = ppt_q[slot];
              res_d[4*32 +: 32] = 32'(q_owned_cnt_i);
              res_d[5*32 +: 32] = q_owner_ign_i;
            end
            sgpu_regs_pkg::OP_DESTROY_PROCESS: begin
              if (32'(pol_q) > sgpu_regs_pkg::POLICY_DEFERRED)
                status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
              else st_d = StDMark;
            end
            sgpu_regs_pkg::OP_MAP, sgpu_regs_pkg::OP_UNMAP: begin
              if (a1_q[PageShift-1:0] != '0 || a2_q == '0 || end_vpn > VpnLimit) begin
                status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
              end else begin
                i_d    = '0;
                vpn_d  = base_vpn[31:0];
                miss_d = '0;
                st_d   = StChkRoot;
              end
            end
            sgpu_regs_pkg::OP_CREATE_QUEUE: begin
              if (a1_q[3:0] != '0 || a2_q == '0 || a2_q > 32'd15)
                status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
              else if (!q_free_found_i)
                status_d = sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES;
              else begin
                q_create_o = 1'b1;
                res_d[0*32 +: 32]   = 32'(q_free_idx_i);
              end
            end
            sgpu_regs_pkg::OP_DESTROY_QUEUE: begin
              if (a1_q >= NumQueues || !q_live_i[a1_q[QW-1:0]] || q_owner_i[32'(a1_q[QW-1:0]) * SlotW +: SlotW] != slot)
                status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
              else q_destroy_o = 1'b1;
            end
            default: begin  // MEM_READ, MEM_WRITE
              if (a1_q[1:0] != '0)                status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
              else if (base_vpn >= VpnLimit)      status_d = sgpu_regs_pkg::STATUS_ACCESS_VIOLATION;
              else                                st_d = StMemTr;
            end
          endcase
        end
      end

      StCpl: begin
        cpl_valid_o = 1'b1;
        st_d        = StIdle;
      end

      // ------------------------------------------------ subroutines (return to ret_q)
      StRd: begin
        if (mem_req_ready_i) st_d = StRdW;
      end
      StRdW: begin
        if (mem_rsp_valid_i) begin
          rdata_d = mem_rsp_rdata_i;
          st_d    = ret_q;
        end
      end
      StAlloc: begin
        if (al_done_i) begin
          fr_d = al_frame_i;
          st_d = ret_q;
        end
      end

      // ------------------------------------------------ CREATE_PROCESS
      StCreateDone: begin
        rec_we    = 1'b1;
        rec_idx   = nslot_q;
        rec_state = PsActive;
        rec_gen   = pgen_q[nslot_q];
        rec_root  = fr_q;
        rec_data  = '0;
        rec_pt    = 32'd1;
        q_clear_owner_o = 1'b1;
        res_d[0*32 +: 32]  = {pgen_q[nslot_q], 16'(nslot_q)};
        res_d[1*32 +: 32]  = 32'(nslot_q);
        res_d[2*32 +: 32]  = 32'(fr_q);
        st_d      = StCpl;
      end

      // ------------------------------------------------ MAP / UNMAP: check the whole range first
      StChkRoot: begin
        addr_d = {proot_q[slot], cur_l1};
        ret_d  = StChkRootD;
        st_d   = StRd;
      end
      StChkRootD: begin
        if (!rdata_q[PteV]) begin
          if (!is_map) begin
            status_d = sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW;
            st_d     = StCpl;
          end else begin
            // no leaf table: nothing mapped in the rest of this table's span
            miss_d = miss_q + 1'b1;
            i_d    = i_q + step;
            vpn_d  = vpn_q + step;
            st_d   = (i_q + step >= a2_q) ? StChkDone : StChkRoot;
          end
        end else begin
          tbl_d = pte_frame(rdata_q);
          st_d  = StChkLeaf;
        end
      end
      StChkLeaf: begin
        addr_d = {tbl_q, cur_l2};
        ret_d  = StChkLeafD;
        st_d   = StRd;
      end
      StChkLeafD: begin
        if (is_map && rdata_q[PteV]) begin
          status_d = sgpu_regs_pkg::STATUS_CONFLICTING_ADDRESSES;
          st_d     = StCpl;
        end else if (!is_map && !rdata_q[PteV]) begin
          status_d = sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW;
          st_d     = StCpl;
        end else begin
          i_d   = i_q + 1'b1;
          vpn_d = vpn_next;
          if (i_q + 1'b1 == a2_q)                 st_d = StChkDone;
          else if (vpn_next[LvlW-1:0] == '0)      st_d = StChkRoot;
          else                                    st_d = StChkLeaf;
        end
      end
      StChkDone: begin
        i_d   = '0;
        vpn_d = base_vpn[31:0];
        if (!is_map) st_d = StUnRoot;
        else if (64'(a2_q) + 64'(miss_q) > 64'(free_frames)) begin
          status_d = sgpu_regs_pkg::STATUS_NO_MEMORY;
          st_d     = StCpl;
        end else st_d = StMapRoot;
      end

      // ------------------------------------------------ MAP: build
      StMapRoot: begin
        l1_d   = cur_l1;
        addr_d = {proot_q[slot], cur_l1};
        ret_d  = StMapRootD;
        st_d   = StRd;
      end
      StMapRootD: begin
        pte_d = rdata_q;
        if (!rdata_q[PteV]) begin
          aown_d = slot;
          ret_d  = StMapTbl;
          st_d   = StAlloc;
        end else st_d = StMapData;
      end
      StMapTbl: begin
        pte_d    = make_pte(fr_q, '0);
        res_d[1*32 +: 32] = res_q[1*32 +: 32] + 1'b1;
        rec_we   = 1'b1;
        rec_pt   = ppt_q[slot] + 1'b1;
        st_d     = StMapData;
      end
      StMapData: begin
        aown_d = slot;
        ret_d  = StMapLeafW;
        st_d   = StAlloc;
      end
      StMapLeafW: begin
        if (mem_req_ready_i) begin
          pte_d    = make_pte(pte_frame(pte_q), pte_count(pte_q) + 1'b1);
          res_d[0*32 +: 32] = res_q[0*32 +: 32] + 1'b1;
          rec_we   = 1'b1;
          rec_data = pdata_q[slot] + 1'b1;
          i_d      = i_q + 1'b1;
          vpn_d    = vpn_next;
          st_d     = (i_q + 1'b1 == a2_q || vpn_next[LvlW-1:0] == '0) ? StMapRootW : StMapData;
        end
      end
      StMapRootW: begin
        if (mem_req_ready_i) st_d = (i_q == a2_q) ? StCpl : StMapRoot;
      end

      // ------------------------------------------------ UNMAP: tear down
      StUnRoot: begin
        l1_d   = cur_l1;
        addr_d = {proot_q[slot], cur_l1};
        ret_d  = StUnRootD;
        st_d   = StRd;
      end
      StUnRootD: begin
        pte_d = rdata_q;
        st_d  = StUnLeaf;
      end
      StUnLeaf: begin
        addr_d = {pte_frame(pte_q), cur_l2};
        ret_d  = StUnLeafD;
        st_d   = StRd;
      end
      StUnLeafD: begin
        fr_d            = pte_frame(rdata_q);
        if (mem_req_ready_i) st_d = StUnInv;
      end
      StUnInv: begin
        if (inv_done_i) st_d = StUnFree;
      end
      StUnFree: begin
        if (al_done_i) begin
          pte_d    = make_pte(pte_frame(pte_q), pte_count(pte_q) - 1'b1);
          res_d[0*32 +: 32] = res_q[0*32 +: 32] + 1'b1;
          rec_we   = 1'b1;
          rec_data = pdata_q[slot] - 1'b1;
          i_d      = i_q + 1'b1;
          vpn_d    = vpn_next;
          st_d     = (i_q + 1'b1 == a2_q || vpn_next[LvlW-1:0] == '0) ? StUnRootW : StUnLeaf;
        end
      end
      StUnRootW: begin
        if (mem_req_ready_i) st_d = (pte_count(pte_q) == '0) ? StUnTblInv : StUnCont;
      end
      StUnTblInv: begin
        // The table leaves the process: make any walk of this ASID in flight start over.
        if (inv_done_i) st_d = StUnTblFree;
      end
      StUnTblFree: begin
        if (al_done_i) begin
          res_d[1*32 +: 32] = res_q[1*32 +: 32] + 1'b1;
          rec_we   = 1'b1;
          rec_pt   = ppt_q[slot] - 1'b1;
          st_d     = StUnCont;
        end
      end
      StUnCont: begin
        st_d = (i_q == a2_q) ? StCpl : StUnRoot;
      end

      // ------------------------------------------------ DESTROY_PROCESS (eager)
      StDMark: begin
        rec_we    = 1'b1;
        rec_state = PsDying;
        st_d      = StDStop;
      end
      StDStop: begin
        q_stop_owner_o = 1'b1;
        res_d[3*32 +: 32]       = 32'(q_owned_cnt_i);
        st_d           = StDDrain;
      end
      StDDrain: begin
        if (!drain_busy_i[slot]) st_d = StDTlb;
      end
      StDTlb: begin
        if (inv_done_i) begin
          if (is_deferred) begin
            // unreachable now: complete; the reclaimer frees and scrubbing finishes later
            res_d[1*32 +: 32] = pdata_q[slot] + ppt_q[slot];
            res_d[2*32 +: 32] = ppt_q[slot];
            res_d[4*32 +: 32] = '0;
            res_d[5*32 +: 32] = q_owner_ign_i;
            st_d = StCpl;
          end else st_d = StDFree;
        end
      end
      StDFree: begin
        if (al_done_i) begin
          res_d[1*32 +: 32] = 32'(al_count_i);
          res_d[2*32 +: 32] = ppt_q[slot];
          res_d[4*32 +: 32] = '0;                      // no engines yet: no work to abort
          res_d[5*32 +: 32] = q_owner_ign_i;
          st_d     = StDRelQ;
        end
      end
      StDRelQ: begin
        q_release_owner_o = 1'b1;
        st_d              = StDSlot;
      end
      StDSlot: begin
        rec_we    = 1'b1;
        rec_state = PsFree;
        rec_gen   = (pgen_q[slot] == 16'hFFFF) ? 16'd1 : pgen_q[slot] + 1'b1;
        rec_root  = '0;
        rec_data  = '0;
        rec_pt    = '0;
        st_d      = StCpl;
      end

      // ------------------------------------------------ MEM_READ / MEM_WRITE through the MMU
      StMemTr: begin
        if (tr_req_ready_i) st_d = StMemTrW;
      end
      StMemTrW: begin
        if (tr_rsp_valid_i) begin
          if (tr_rsp_fault_i) begin
            status_d = sgpu_regs_pkg::STATUS_ACCESS_VIOLATION;
            st_d     = StCpl;
          end else begin
            addr_d = {tr_rsp_frame_i, a1_q[PageShift-1:2]};
            if (op_q == sgpu_regs_pkg::OP_MEM_WRITE) st_d = StMemWr;
            else begin
              ret_d = StMemRdD;
              st_d  = StRd;
            end
          end
        end
      end
      StMemWr: begin
        if (mem_req_ready_i) st_d = StCpl;
      end
      StMemRdD: begin
        res_d[0*32 +: 32] = rdata_q;
        st_d     = StCpl;
      end
      default: st_d = StIdle;
    endcase
  end

  // busy with a command (the reclaimer's own states are not a command)
  assign busy_o       = (st_q != StIdle) && (st_q != StRcFree) && (st_q != StRcRelQ);
  assign cpl_status_o = status_q;
  always_comb begin
    cpl_res_o = res_q;
    if (op_q == sgpu_regs_pkg::OP_DESTROY_PROCESS && status_q == sgpu_regs_pkg::STATUS_SUCCESS)
      cpl_res_o[0 +: 32] = cyc_q + 32'd1;           // doorbell to completion, both included
  end
  assign tr_asid_o = slot;
  assign tr_root_o = proot_q[slot];
  assign tr_vpn_o  = base_vpn[VpnW-1:0];
  assign q_ring_va_o   = a1_q[31:4];
  assign q_ring_log2_o = a2_q[3:0];

  // ---------------------------------------------------------------- registers
  logic            take;
  logic [15:0]     rc_gen_next;
  assign take        = (st_q == StIdle) && cmd_take_o;
  assign rc_gen_next = (pgen_q[rc_idx] == 16'hFFFF) ? 16'd1 : pgen_q[rc_idx] + 1'b1;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q     <= StIdle;
      now_q    <= '0;
      rpend_q  <= '0;
      rrel_q   <= '0;
      rc_seq_q <= '0;
      rc_handle_q <= '0;
      rc_cycles_q <= '0;
      rc_frames_q <= '0;
      escrub_pend_q <= 1'b0;
      for (int unsigned i = 0; i < 7; i++) td_q[i] <= '0;
      for (int unsigned p = 0; p < NumProcs; p++) begin
        pstate_q[p] <= PsFree;
        pgen_q[p]   <= 16'd1;
        proot_q[p]  <= '0;
        pdata_q[p]  <= '0;
        ppt_q[p]    <= '0;
      end
    end else begin
      st_q  <= st_d;
      now_q <= now_q + 1'b1;
      if (rec_we) begin
        pstate_q[rec_idx] <= rec_state;
        pgen_q[rec_idx]   <= rec_gen;
        proot_q[rec_idx]  <= rec_root;
        pdata_q[rec_idx]  <= rec_data;
        ppt_q[rec_idx]    <= rec_pt;
      end
      // phase accounting of DESTROY_PROCESS (the command) ...
      if (take && op_i == sgpu_regs_pkg::OP_DESTROY_PROCESS) begin
        td_q[0] <= cmd_wait_i + 32'd1;              // doorbell .. this cycle
        for (int unsigned i = 1; i < 6; i++) td_q[i] <= '0;
      end else if (op_q == sgpu_regs_pkg::OP_DESTROY_PROCESS && busy_o) begin
        unique case (st_q)
          StDecode:                    td_q[0] <= td_q[0] + 1'b1;
          StDMark, StDStop, StDDrain:  td_q[1] <= td_q[1] + 1'b1;
          StDTlb:                      td_q[2] <= td_q[2] + 1'b1;
          StDFree:                     td_q[3] <= td_q[3] + 1'b1;
          StDRelQ, StDSlot:            td_q[4] <= td_q[4] + 1'b1;
          StCpl:                       td_q[5] <= td_q[5] + 1'b1;
          default: ;
        endcase
      end
      // ... and of the reclaimer
      if (st_q == StIdle && st_d == StRcFree) begin
        td_q[3] <= '0;
        td_q[4] <= '0;
      end
      if (st_q == StRcFree) td_q[3] <= td_q[3] + 1'b1;
      if (st_q == StRcRelQ) td_q[4] <= td_q[4] + 1'b1;
      // DEFERRED: the process becomes a reclaim job when its completion is decided
      if (st_q == StDTlb && inv_done_i && is_deferred) begin
        rpend_q[slot]   <= 1'b1;
        rrel_q[slot]    <= 1'b0;
        rstart_q[slot]  <= t0_q;
        rframes_q[slot] <= pdata_q[slot] + ppt_q[slot];
      end
      if (st_q == StRcFree && al_done_i) begin
        rtarget_q[rslot_q] <= dirty_in_total_i + 32'(al_count_i);
        rstamp_q[rslot_q]  <= now_q;
      end
      if (st_q == StRcRelQ) rrel_q[rslot_q] <= 1'b1;
      // eager: TD_SCRUB when the frames this destroy freed are all zeroed
      if (st_q == StDFree && al_done_i) begin
        escrub_pend_q   <= 1'b1;
        escrub_target_q <= dirty_in_total_i + 32'(al_count_i);
        escrub_stamp_q  <= now_q;
      end else if (escrub_pend_q && $signed(clean_out_total_i - escrub_target_q) >= 0) begin
        escrub_pend_q <= 1'b0;
        td_q[6]       <= now_q - escrub_stamp_q;
      end
      // reclaim event: every frame it freed is clean; the slot is free for reuse
      if (rc_fire) begin
        rpend_q[rc_idx]  <= 1'b0;
        rrel_q[rc_idx]   <= 1'b0;
        pstate_q[rc_idx] <= PsFree;
        pgen_q[rc_idx]   <= rc_gen_next;
        proot_q[rc_idx]  <= '0;
        pdata_q[rc_idx]  <= '0;
        ppt_q[rc_idx]    <= '0;
        rc_seq_q    <= rc_seq_q + 1'b1;
        rc_handle_q <= {pgen_q[rc_idx], 16'(rc_idx)};
        rc_cycles_q <= now_q - rstart_q[rc_idx] + 32'd1;
        rc_frames_q <= rframes_q[rc_idx];
        td_q[6]     <= now_q - rstamp_q[rc_idx];
      end
    end
  end

  always_comb begin
    for (int unsigned i = 0; i < 7; i++) td_o[i*32 +: 32] = td_q[i];
  end
  assign rc_seq_o    = rc_seq_q;
  assign rc_handle_o = rc_handle_q;
  assign rc_cycles_o = rc_cycles_q;
  assign rc_frames_o = rc_frames_q;

  // Command datapath: loaded when the command is taken, only read while busy.
  always_ff @(posedge clk_i) begin
    if (take) begin
      op_q  <= op_i;
      pol_q <= policy_i;
      a0_q  <= arg_i[0 +: 32];
      a1_q  <= arg_i[32 +: 32];
      a2_q  <= arg_i[64 +: 32];
      res_q <= '0;
      cyc_q <= cmd_wait_i + 32'd1;               // doorbell .. this cycle
      t0_q  <= now_q - cmd_wait_i;               // the doorbell's cycle
    end else begin
      res_q <= res_d;
      cyc_q <= cyc_q + 1'b1;
    end
    ret_q    <= ret_d;
    status_q <= status_d;
    i_q      <= i_d;
    vpn_q    <= vpn_d;
    miss_q   <= miss_d;
    pte_q    <= pte_d;
    l1_q     <= l1_d;
    tbl_q    <= tbl_d;
    fr_q     <= fr_d;
    addr_q   <= addr_d;
    rdata_q  <= rdata_d;
    nslot_q  <= nslot_d;
    aown_q   <= aown_d;
    rslot_q  <= rslot_d;
  end

`ifdef FORMAL
  // Properties for tests/formal/ctxmgr.sby (k-induction). All other blocks are free inputs,
  // constrained only by their interface contracts (the `assume`s below, one comment each).
  //  (1) a command whose handle is invalid when decoded completes with INVALID_HANDLE and has
  //      no side effect between its take and its completion;
  //  (2) a slot's generation changes (never to 0) exactly when the slot becomes FREE;
  //  (3) only ACTIVE slots are active; DYING -> DYING or FREE only; a command on a DYING
  //      process completes with PROCESS_IS_TERMINATING without side effects;
  //  (4) one completion per take, busy from the take to the completion; under f_fair (every
  //      answer within FN wait cycles) every command completes within FMaxCycles cycles;
  //  (5) no RELEASE of P unless P is DYING and a by-ASID invalidation of P completed since it
  //      was marked DYING; no FREE unless an invalidation of the owner's ASID completed after
  //      the command's last memory write (the PTE clear), with no write since.
  // The rest are helper invariants that make the induction close (per-state facts about the
  // command's slot, the reclaimer, the loop index, the wait counters, the progress rank).
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  logic f_on;                                     // checks apply: after cycle 0, out of reset
  assign f_on = f_past_valid && rst_ni;

  localparam int unsigned FN  = 2;                // f_fair: answers within FN wait cycles
  localparam int unsigned FCW = 3;                // wait counters (saturate at 7 > FN)
  function automatic logic [FCW-1:0] f_inc(logic [FCW-1:0] c);
    f_inc = (c == '1) ? c : c + 1'b1;
  endfunction
  // f_fair: symbolic. With it clear the environment is only held to its contracts (all the
  // safety properties are proven for that); with it set it also answers in time (liveness).
  (* anyconst *) logic f_fair;

  // ---- outstanding requests and wait counters (harness state, reset with the design)
  logic                    f_rd_out, f_tr_out;    // a read / a translation awaiting its answer
  logic [FCW-1:0]          f_wmr, f_wrsp, f_wal, f_winv, f_wtr, f_wtrr, f_stay;
  logic [NumProcs*FCW-1:0] f_wdr;                 // consecutive busy cycles of each engine slot
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_rd_out <= 1'b0; f_tr_out <= 1'b0;
      f_wmr <= '0; f_wrsp <= '0; f_wal <= '0; f_winv <= '0; f_wtr <= '0; f_wtrr <= '0;
      f_stay <= '0; f_wdr <= '0;
    end else begin
      if (mem_rsp_valid_i) f_rd_out <= 1'b0;
      if (mem_req_valid_o && mem_req_ready_i && !mem_req_we_o) f_rd_out <= 1'b1;
      if (tr_rsp_valid_i) f_tr_out <= 1'b0;
      if (tr_req_valid_o && tr_req_ready_i) f_tr_out <= 1'b1;
      f_wmr  <= (mem_req_valid_o && !mem_req_ready_i) ? f_inc(f_wmr)  : '0;
      f_wrsp <= (f_rd_out && !mem_rsp_valid_i)         ? f_inc(f_wrsp) : '0;
      f_wal  <= (al_valid_o && !al_done_i)             ? f_inc(f_wal)  : '0;
      f_winv <= (inv_valid_o && !inv_done_i)           ? f_inc(f_winv) : '0;
      f_wtr  <= (tr_req_valid_o && !tr_req_ready_i)    ? f_inc(f_wtr)  : '0;
      f_wtrr <= (f_tr_out && !tr_rsp_valid_i)          ? f_inc(f_wtrr) : '0;
      f_stay <= (st_d != st_q)                         ? '0 : f_inc(f_stay);
      for (int unsigned p = 0; p < NumProcs; p++)
        f_wdr[p*FCW +: FCW] <= drain_busy_i[p] ? f_inc(f_wdr[p*FCW +: FCW]) : '0;
    end
  end

  // ---- environment: interface contracts (sgpu_frame_alloc, sgpu_mem_arb/sgpu_mem,
  // sgpu_walker, sgpu_tlb). The command inputs, the queue block's outputs, the allocator's
  // counters/totals/results, read data, translations and drain_busy_i are unconstrained.
  // (No stability assumption on op_i/arg_i while cmd_valid_i: sgpu_csr lets software rewrite
  // CMD_OP/CMD_ARGn while a command is pending; the manager latches them at the take.)
  always_comb if (rst_ni) begin
    // the allocator answers (op_done) only a request it is being given
    if (al_done_i) assume (al_valid_o);
    // the TLB confirms (inv_done) only an invalidation that is being requested
    if (inv_done_i) assume (inv_valid_o);
    // memory answers only an accepted read of this master not answered yet (writes: no answer)
    if (mem_rsp_valid_i) assume (f_rd_out);
    // the walker answers only an accepted translation not answered yet
    if (tr_rsp_valid_i) assume (f_tr_out);
  end
  // fair environment (liveness only): every answer comes within FN wait cycles, and an engine
  // slot is never busy for more than FN cycles in a row
  always_comb if (rst_ni && f_fair) begin
    if (mem_req_valid_o && f_wmr >= FN) assume (mem_req_ready_i);
    if (f_rd_out && f_wrsp >= FN)       assume (mem_rsp_valid_i);
    if (al_valid_o && f_wal >= FN)      assume (al_done_i);
    if (inv_valid_o && f_winv >= FN)    assume (inv_done_i);
    if (tr_req_valid_o && f_wtr >= FN)  assume (tr_req_ready_i);
    if (f_tr_out && f_wtrr >= FN)       assume (tr_rsp_valid_i);
    for (int unsigned p = 0; p < NumProcs; p++)
      if (f_wdr[p*FCW +: FCW] >= FN) assume (!drain_busy_i[p]);
  end

`ifdef FCOVER
  // Cover task only. Extra assumptions can only remove traces, so a cover reached under them
  // is reached under the contracts above. Every answer comes in the next cycle, out of reset.
  // f_scn 0: otherwise free inputs (small data). f_scn 1..3: a scripted host and mostly
  // scripted data for the covers that lie deeper than z3 searches freely in the time budget
  // (beyond ~14 cycles): CREATE, then 1: MAP / 2: UNMAP of one page of that process, or
  // 3: DESTROY it DEFERRED, another DESTROY or a MEM_WRITE on it, then CREATE again.
  (* anyconst *) logic [1:0] f_scn;
  logic [1:0] f_ntake;                            // commands taken so far (saturating)
  always_ff @(posedge clk_i)
    if (!rst_ni) f_ntake <= '0;
    else if (cmd_take_o && f_ntake != '1) f_ntake <= f_ntake + 1'b1;
  always_comb if (f_past_valid) begin
    assume (rst_ni);
    assume (mem_req_ready_i && tr_req_ready_i);
    assume (al_done_i == al_valid_o && inv_done_i == inv_valid_o);
    assume (mem_rsp_valid_i == f_rd_out && tr_rsp_valid_i == f_tr_out);
    if (f_scn == 2'd0) begin
      // small data: handles of slots 0..3 with generations 0..3, VAs below 256, ranges up to
      // 31 pages, PTE counts up to 7, totals below 16
      assume (arg_i[2 +: 14] == '0 && arg_i[18 +: 14] == '0);
      assume (arg_i[32+8 +: 24] == '0 && arg_i[64+5 +: 27] == '0);
      assume (mem_rsp_rdata_i[PteFr+FrameW +: PteCnt-PteFr-FrameW] == '0 &&
              mem_rsp_rdata_i[31 -: CntBits-3] == '0);
      assume (dirty_in_total_i[31:4] == '0 && clean_out_total_i[31:4] == '0);
    end else begin
      // the script: always a command pending, on handle slot 0 generation 1 (VA 0, one page);
      // reads see no table (MAP) or a valid entry of frame 1 counting 1 page (UNMAP);
      // the scrubber's progress is free in 3; everything else quiet
      assume (cmd_valid_i && cmd_wait_i == '0);
      assume (arg_i == {32'd1, 32'd0, 32'h0001_0000});
      if (f_ntake == 2'd0 || f_ntake == 2'd3)
        assume (op_i == sgpu_regs_pkg::OP_CREATE_PROCESS);
      else if (f_scn == 2'd1) assume (op_i == sgpu_regs_pkg::OP_MAP);
      else if (f_scn == 2'd2) assume (op_i == sgpu_regs_pkg::OP_UNMAP);
      else if (f_ntake == 2'd1) assume (op_i == sgpu_regs_pkg::OP_DESTROY_PROCESS);
      else assume (op_i == sgpu_regs_pkg::OP_DESTROY_PROCESS ||
                   op_i == sgpu_regs_pkg::OP_MEM_WRITE);
      assume (policy_i == ((f_scn == 2'd3) ? 2'(sgpu_regs_pkg::POLICY_DEFERRED)
                                                : 2'(sgpu_regs_pkg::POLICY_DEFAULT)));
      assume (mem_rsp_rdata_i == ((f_scn == 2'd1) ? 32'd0 : make_pte(FrameW'(1), 32'd1)));
      assume (al_frame_i == FrameW'(1) && !al_nomem_i && al_count_i == '0);
      assume (frames_clean_i == CntW'(NumFrames) && frames_dirty_i == '0 && frames_used_i == '0);
      assume (dirty_in_total_i[31:2] == '0 && clean_out_total_i[31:2] == '0);
      if (f_scn != 2'd3) assume (dirty_in_total_i == '0 && clean_out_total_i == '0);
      assume (!tr_rsp_fault_i && tr_rsp_frame_i == '0 && drain_busy_i == '0);
      assume (q_live_i == '0 && q_owner_i == '0 && !q_free_found_i && q_free_idx_i == '0);
      assume (q_owned_cnt_i == '0 && q_owner_ign_i == '0 && q_ign_total_i == '0);
    end
  end
  logic f_free_env;                               // covers of the free environment
  assign f_free_env = f_scn == 2'd0;
`else
  logic [1:0] f_scn;
  logic       f_free_env;
  assign f_scn = 2'd0;
  assign f_free_env = 1'b1;
`endif

  // ---- the process table, flat, and its previous cycle
  logic [NumProcs*2-1:0]  f_pst, f_pst_prev;
  logic [NumProcs*16-1:0] f_gen, f_gen_prev;
  logic                   f_prev_on;              // the previous cycle was checked too
  for (genvar p = 0; p < NumProcs; p++) begin : g_fpt
    assign f_pst[p*2 +: 2]   = pstate_q[p];
    assign f_gen[p*16 +: 16] = pgen_q[p];
  end
  always_ff @(posedge clk_i) begin
    f_pst_prev <= f_pst;
    f_gen_prev <= f_gen;
    f_prev_on  <= f_on;
  end

  // ---- the command: outstanding, age, handle verdict at decode
  logic        f_out;                             // a taken command not completed yet
  logic [10:0] f_age;                             // cycles since its take (0 in StDecode)
  logic        f_hop, f_hin, f_hbad, f_dec_bad, f_dec_term, f_bad_q, f_term_q, f_quiet;
  // the opcodes that take a handle: DESTROY_PROCESS .. MEM_WRITE, but not the global QUERY
  assign f_hop = op_q >= sgpu_regs_pkg::OP_DESTROY_PROCESS &&
                 op_q <= sgpu_regs_pkg::OP_MEM_WRITE &&
                 !(op_q == sgpu_regs_pkg::OP_QUERY && a0_q == 32'hFFFF_FFFF);
  assign f_hin  = 32'(a0_q[15:0]) < NumProcs;
  assign f_hbad = !f_hin || pstate_q[slot] == PsFree || pgen_q[slot] != a0_q[31:16];
  assign f_dec_bad  = st_q == StDecode && f_hop && f_hbad;
  assign f_dec_term = st_q == StDecode && f_hop && !f_hbad && pstate_q[slot] == PsDying;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_out <= 1'b0; f_age <= '0; f_bad_q <= 1'b0; f_term_q <= 1'b0;
    end else begin
      if (cmd_take_o) f_out <= 1'b1;
      else if (cpl_valid_o) f_out <= 1'b0;
      f_age <= cmd_take_o ? '0 : (f_out && f_age != '1) ? f_age + 1'b1 : f_age;
      if (cpl_valid_o) begin
        f_bad_q <= 1'b0; f_term_q <= 1'b0;
      end else begin
        if (f_dec_bad)  f_bad_q  <= 1'b1;
        if (f_dec_term) f_term_q <= 1'b1;
      end
    end
  end
  assign f_quiet = f_dec_bad || f_bad_q || f_dec_term || f_term_q;

  // ---- (5) harness: invalidations
  // f_invd[p]: a by-ASID invalidation of p completed while p was already DYING
  logic [NumProcs-1:0] f_invd;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_invd <= '0;
    else for (int unsigned p = 0; p < NumProcs; p++)
      f_invd[p] <= pstate_q[p] == PsDying && (f_invd[p] || (inv_valid_o && inv_by_asid_o &&
                                                           inv_done_i && 32'(inv_asid_o) == p));
  end
  // f_useq: since the take, 0 no memory write, 1 a write and no invalidation after it,
  // 2 an invalidation (of ASID f_uasid) completed after the last write
  logic [1:0]       f_useq;
  logic [SlotW-1:0] f_uasid;
  always_ff @(posedge clk_i) begin
    if (!rst_ni || cmd_take_o) f_useq <= 2'd0;
    else if (mem_req_valid_o && mem_req_we_o) f_useq <= 2'd1;
    else if (inv_valid_o && inv_done_i && f_useq != 2'd0) begin
      f_useq  <= 2'd2;
      f_uasid <= inv_asid_o;
    end
  end

  // ---- states of the command, grouped
  logic f_rw, f_chk, f_bld_map, f_bld_un, f_loop, f_loop_end, f_map_st, f_mem_st, f_cre_st,
        f_dst_st, f_wait_st, f_memv_st;
  assign f_rw = st_q == StRd || st_q == StRdW;
  // check phase, inside an iteration (i_q < a2_q)
  assign f_chk = st_q == StChkRoot || st_q == StChkRootD || st_q == StChkLeaf ||
                 st_q == StChkLeafD || (f_rw && (ret_q == StChkRootD || ret_q == StChkLeafD));
  assign f_bld_map = st_q == StMapRoot || st_q == StMapRootD || st_q == StMapTbl ||
                     st_q == StMapData || st_q == StMapLeafW || (f_rw && ret_q == StMapRootD) ||
                     (st_q == StAlloc && (ret_q == StMapTbl || ret_q == StMapLeafW));
  assign f_bld_un  = st_q == StUnRoot || st_q == StUnRootD || st_q == StUnLeaf ||
                     st_q == StUnLeafD || st_q == StUnInv || st_q == StUnFree ||
                     (f_rw && (ret_q == StUnRootD || ret_q == StUnLeafD));
  assign f_loop     = f_chk || f_bld_map || f_bld_un;
  // end of an iteration (i_q <= a2_q)
  assign f_loop_end = st_q == StMapRootW || st_q == StUnRootW || st_q == StUnTblInv ||
                      st_q == StUnTblFree || st_q == StUnCont;
  assign f_map_st   = f_loop || f_loop_end || st_q == StChkDone;
  assign f_mem_st   = st_q == StMemTr || st_q == StMemTrW || st_q == StMemWr ||
                      st_q == StMemRdD || (f_rw && ret_q == StMemRdD);
  assign f_cre_st   = st_q == StCreateDone || (st_q == StAlloc && ret_q == StCreateDone);
  assign f_dst_st   = st_q == StDStop || st_q == StDDrain || st_q == StDTlb || st_q == StDFree ||
                      st_q == StDRelQ || st_q == StDSlot;
  // states that wait for an answer (the others are left after one cycle), and among them
  // those that hold a memory request
  assign f_memv_st  = st_q == StRd || st_q == StMapLeafW || st_q == StMapRootW ||
                      st_q == StUnLeafD || st_q == StUnRootW || st_q == StMemWr;
  assign f_wait_st  = f_memv_st || st_q == StRdW || st_q == StAlloc || st_q == StUnInv ||
                      st_q == StUnFree || st_q == StUnTblInv || st_q == StUnTblFree ||
                      st_q == StDDrain || st_q == StDTlb || st_q == StDFree || st_q == StMemTr ||
                      st_q == StMemTrW || st_q == StRcFree;

  // ---- progress rank: strictly increases at every state change of a command (MAP/UNMAP:
  // phase, then i_q, then the position in the iteration); StCpl is the largest
  localparam int unsigned FChk = 1, FChkDone = 129, FBld = 130, FCpl = 358;
  localparam int unsigned FMaxCycles = FCpl * (FN + 1) + FN;     // 1076 at FN = 2
  logic [31:0] f_rank;
  always_comb begin
    f_rank = '0;
    case (st_q)
      StDecode:     f_rank = 0;
      StCpl:        f_rank = FCpl;
      StCreateDone: f_rank = 2;
      StDMark:      f_rank = 1;
      StDStop:      f_rank = 2;
      StDDrain:     f_rank = 3;
      StDTlb:       f_rank = 4;
      StDFree:      f_rank = 5;
      StDRelQ:      f_rank = 6;
      StDSlot:      f_rank = 7;
      StMemTr:      f_rank = 1;
      StMemTrW:     f_rank = 2;
      StMemWr:      f_rank = 3;
      StMemRdD:     f_rank = 5;
      StChkRoot:    f_rank = FChk + 8 * i_q + 0;
      StChkRootD:   f_rank = FChk + 8 * i_q + 3;
      StChkLeaf:    f_rank = FChk + 8 * i_q + 4;
      StChkLeafD:   f_rank = FChk + 8 * i_q + 7;
      StChkDone:    f_rank = FChkDone;
      StMapRoot:    f_rank = FBld + 14 * i_q + 4;
      StMapRootD:   f_rank = FBld + 14 * i_q + 7;
      StMapTbl:     f_rank = FBld + 14 * i_q + 9;
      StMapData:    f_rank = FBld + 14 * i_q + 10;
      StMapLeafW:   f_rank = FBld + 14 * i_q + 12;
      StMapRootW:   f_rank = FBld + 14 * i_q + 3;
      StUnRoot:     f_rank = FBld + 14 * i_q + 4;
      StUnRootD:    f_rank = FBld + 14 * i_q + 7;
      StUnLeaf:     f_rank = FBld + 14 * i_q + 8;
      StUnLeafD:    f_rank = FBld + 14 * i_q + 11;
      StUnInv:      f_rank = FBld + 14 * i_q + 12;
      StUnFree:     f_rank = FBld + 14 * i_q + 13;
      StUnRootW:    f_rank = FBld + 14 * i_q + 0;
      StUnTblInv:   f_rank = FBld + 14 * i_q + 1;
      StUnTblFree:  f_rank = FBld + 14 * i_q + 2;
      StUnCont:     f_rank = FBld + 14 * i_q + 3;
      StAlloc: case (ret_q)
        StCreateDone: f_rank = 1;
        StMapTbl:     f_rank = FBld + 14 * i_q + 8;
        default:      f_rank = FBld + 14 * i_q + 11;     // StMapLeafW
      endcase
      StRd, StRdW: case (ret_q)
        StChkRootD: f_rank = FChk + 8 * i_q + 1 + 32'(st_q == StRdW);
        StChkLeafD: f_rank = FChk + 8 * i_q + 5 + 32'(st_q == StRdW);
        StMapRootD: f_rank = FBld + 14 * i_q + 5 + 32'(st_q == StRdW);
        StUnRootD:  f_rank = FBld + 14 * i_q + 5 + 32'(st_q == StRdW);
        StUnLeafD:  f_rank = FBld + 14 * i_q + 9 + 32'(st_q == StRdW);
        default:    f_rank = 3 + 32'(st_q == StRdW);      // StMemRdD
      endcase
      default: ;
    endcase
  end
  logic [31:0] f_rank_prev;
  logic        f_out_prev;
  state_e      f_st_prev;
  always_ff @(posedge clk_i) begin
    f_rank_prev <= f_rank;
    f_out_prev  <= f_out;
    f_st_prev   <= st_q;
  end

  // ---- the properties
  always_comb if (f_on) begin
    // (4) one completion per take; busy exactly while a taken command is outstanding
    assert (busy_o == f_out);
    if (cmd_take_o) assert (cmd_valid_i && !busy_o && !f_out);
    if (cpl_valid_o) assert (f_out);
    // the reclaimer's own states never overlap a command
    if (st_q == StRcFree || st_q == StRcRelQ) assert (!f_out);
    // (1)/(3) an invalid handle or a DYING process: no side effect from decode to completion
    if (f_quiet) begin
      assert (!rec_we && !al_valid_o && !inv_valid_o && !mem_req_valid_o && !tr_req_valid_o);
      assert (!q_create_o && !q_destroy_o && !q_stop_owner_o && !q_release_owner_o &&
              !q_clear_owner_o);
    end
    if (cpl_valid_o && f_bad_q)  assert (status_q == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
    if (cpl_valid_o && f_term_q) assert (status_q == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
    // (5a) RELEASE of P: P is DYING and its by-ASID invalidation completed since
    if (al_valid_o && al_op_o == AlRelease)
      assert (pstate_q[al_owner_o] == PsDying && f_invd[al_owner_o]);
    // (5b) FREE: an invalidation of the owner's ASID completed after the last memory write
    if (al_valid_o && al_op_o == AlFree) assert (f_useq == 2'd2 && f_uasid == al_owner_o);
    // the reclaim event never races a command's record write on the same slot
    if (rc_fire && rec_we) assert (rec_idx != rc_idx);
    // (4, bounded liveness) a fair environment gets every command completed in time
    if (f_fair && f_out) assert (f_age <= 11'(FMaxCycles));
  end
  for (genvar p = 0; p < NumProcs; p++) begin : g_fslot
    always_comb if (f_on) begin
      // (2) generations are never 0; (3) only ACTIVE slots take doorbells
      assert (pgen_q[p] != 16'd0);
      assert (pstate_q[p] == PsFree || pstate_q[p] == PsActive || pstate_q[p] == PsDying);
      assert (proc_active_o[p] == (pstate_q[p] == PsActive));
      if (f_prev_on) begin
        // (2) non-FREE -> FREE changes the generation, and nothing else changes it
        if (f_pst_prev[p*2 +: 2] != PsFree && f_pst[p*2 +: 2] == PsFree)
          assert (f_gen[p*16 +: 16] != f_gen_prev[p*16 +: 16]);
        if (f_gen[p*16 +: 16] != f_gen_prev[p*16 +: 16])
          assert (f_pst_prev[p*2 +: 2] != PsFree && f_pst[p*2 +: 2] == PsFree);
        // (3) a DYING slot becomes FREE, never ACTIVE again
        if (f_pst_prev[p*2 +: 2] == PsDying) assert (f_pst[p*2 +: 2] != PsActive);
      end
      // helpers: the reclaimer's bookkeeping
      if (rpend_q[p]) assert (pstate_q[p] == PsDying && f_invd[p]);
      if (rrel_q[p])  assert (rpend_q[p]);
      if (pstate_q[p] == PsActive) assert (!f_invd[p]);
      // helper: a drain wait lasts no longer than the engine has been busy
      if (st_q == StDDrain && 32'(slot) == p) assert (f_stay <= f_wdr[p*FCW +: FCW]);
    end
  end

  // ---- helper invariants
  always_comb if (f_on) begin
    assert (st_q <= StRcRelQ);
    if (f_rw)
      assert (ret_q == StChkRootD || ret_q == StChkLeafD || ret_q == StMapRootD ||
              ret_q == StUnRootD || ret_q == StUnLeafD || ret_q == StMemRdD);
    if (st_q == StAlloc)
      assert (ret_q == StCreateDone || ret_q == StMapTbl || ret_q == StMapLeafW);
    assert (!(f_bad_q && f_term_q));
    if (f_bad_q || f_term_q) assert (st_q == StCpl);
    if (f_bad_q)  assert (status_q == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
    if (f_term_q) assert (status_q == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
    // the command's slot, per state
    if (f_map_st || f_mem_st || st_q == StDMark)
      assert (slot_ok && pstate_q[slot] == PsActive && pgen_q[slot] == gen && !rpend_q[slot]);
    if (f_dst_st)
      assert (slot_ok && pstate_q[slot] == PsDying && pgen_q[slot] == gen && !rpend_q[slot]);
    if (st_q == StDFree || st_q == StDRelQ || st_q == StDSlot)
      assert (f_invd[slot] && !is_deferred);
    if (f_cre_st) assert (pstate_q[nslot_q] == PsFree);
    if (st_q == StRcFree || st_q == StRcRelQ) assert (rpend_q[rslot_q] && !rrel_q[rslot_q]);
    // MAP/UNMAP: the range fits the address space; the index stays within it
    if (f_map_st) assert (a2_q != '0 && end_vpn <= VpnLimit);
    if (f_loop)     assert (i_q < a2_q);
    if (f_loop_end) assert (i_q <= a2_q);
    // UNMAP: the PTE write precedes the invalidation, which precedes the free
    if (st_q == StUnInv || st_q == StUnTblInv) assert (f_useq != 2'd0);
    if (st_q == StUnFree || st_q == StUnTblFree) assert (f_useq == 2'd2 && f_uasid == slot);
    // outstanding answers and the wait counters
    assert (f_rd_out == (st_q == StRdW));
    assert (f_tr_out == (st_q == StMemTrW));
    assert (f_wmr  == (f_memv_st ? f_stay : '0));
    assert (f_wrsp == ((st_q == StRdW) ? f_stay : '0));
    assert (f_wal  == (al_valid_o ? f_stay : '0));
    assert (f_winv == (inv_valid_o ? f_stay : '0));
    assert (f_wtr  == ((st_q == StMemTr) ? f_stay : '0));
    assert (f_wtrr == ((st_q == StMemTrW) ? f_stay : '0));
    if (busy_o && !f_wait_st) assert (f_stay == '0);
    // progress: every command state is left within FN + 1 cycles, the rank grows at every
    // state change, so the age is bounded by the rank
    if (f_fair && busy_o) begin
      assert (f_stay <= FCW'(FN));
      assert (32'(f_age) <= f_rank * (FN + 1) + 32'(f_stay));
    end
    if (busy_o) assert (f_rank <= FCpl);
    if (f_prev_on && f_out_prev && f_out && st_q != f_st_prev) assert (f_rank > f_rank_prev);
  end

  // ---- reachability (the assumptions leave the interesting behaviour possible)
  always_comb if (f_on) begin
    // free environment (f_scn 0)
    for (int unsigned op = 32'(sgpu_regs_pkg::OP_CREATE_PROCESS); op <= 32'(sgpu_regs_pkg::OP_MEM_WRITE); op++)
      if (op != 3 && op != 4)
        cover (f_free_env && cpl_valid_o && op_q == 8'(op) &&
               status_q == sgpu_regs_pkg::STATUS_SUCCESS);
    cover (f_free_env && f_dec_bad && !f_hin);                          // slot out of range
    cover (f_free_env && f_dec_bad && f_hin && pstate_q[slot] == PsFree);   // slot FREE
    cover (f_free_env && f_dec_bad && f_hin && pstate_q[slot] != PsFree);   // stale generation
    cover (f_free_env && cpl_valid_o && f_bad_q && op_q == sgpu_regs_pkg::OP_MAP);
    cover (f_free_env && st_q == StDFree && al_done_i);                 // eager release
    cover (f_free_env && st_q == StDDrain && drain_busy_i[slot] && f_stay != '0);
    cover (f_free_env && f_fair && cpl_valid_o && op_q == sgpu_regs_pkg::OP_DESTROY_PROCESS &&
           status_q == sgpu_regs_pkg::STATUS_SUCCESS);
    // scripted MAP (f_scn 1) and UNMAP (f_scn 2)
    cover (f_scn == 2'd1 && f_fair && cpl_valid_o && op_q == sgpu_regs_pkg::OP_MAP &&
           status_q == sgpu_regs_pkg::STATUS_SUCCESS);
    cover (f_scn == 2'd2 && st_q == StUnFree && al_done_i);            // UNMAP frees the page
    cover (f_scn == 2'd2 && st_q == StUnTblFree && al_done_i);         // ... and its table
    cover (f_scn == 2'd2 && f_fair && cpl_valid_o && op_q == sgpu_regs_pkg::OP_UNMAP &&
           status_q == sgpu_regs_pkg::STATUS_SUCCESS);
    // scripted DEFERRED destroy (f_scn 3): reclaimer, commands on the dying process, reuse
    cover (f_scn == 2'd3 && st_q == StRcFree && al_done_i);            // reclaimer release
    cover (f_scn == 2'd3 && cpl_valid_o && f_term_q && op_q == sgpu_regs_pkg::OP_DESTROY_PROCESS);
    cover (f_scn == 2'd3 && cpl_valid_o && f_term_q && op_q == sgpu_regs_pkg::OP_MEM_WRITE);
    cover (f_scn == 2'd3 && rc_fire);                                   // reclaim event
    cover (f_scn == 2'd3 && rc_fire && f_out);                          // ... during a command
    cover (f_scn == 2'd3 && f_dec_bad && f_hin && pstate_q[slot] == PsFree); // reclaimed handle
    cover (f_scn == 2'd3 && pstate_q[0] == PsActive && pgen_q[0] == 16'd2);  // slot reused
  end
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  initial begin
    assert (FrameW <= sgpu_regs_pkg::PTE_FRAME_BITS) else $error("NumFrames too large for the PTE");
    assert (LvlW + 1 <= CntBits) else $error("PageShift too large for the root entry count");
    assert (NumProcs <= 256 && NumQueues <= 256) else $error("slots must fit CAPS0 fields");
  end
  // Functional covers (make coverage): every teardown phase under each policy, every status.
  CovEagerDrainWait_C: cover property (@(posedge clk_i) st_q == StDDrain && drain_busy_i[slot]);
  CovEagerTlb_C:    cover property (@(posedge clk_i) st_q == StDTlb && !is_deferred && inv_done_i);
  CovEagerFree_C:   cover property (@(posedge clk_i) st_q == StDFree && al_done_i);
  CovEagerRelease_C: cover property (@(posedge clk_i) st_q == StDSlot);
  CovDeferredCpl_C: cover property (@(posedge clk_i) st_q == StDTlb && is_deferred && inv_done_i);
  CovRcFree_C:      cover property (@(posedge clk_i) st_q == StRcFree && al_done_i);
  CovRcRelease_C:   cover property (@(posedge clk_i) st_q == StRcRelQ);
  CovRcEvent_C:     cover property (@(posedge clk_i) rc_fire);
  CovRcHeldCmd_C:   cover property (@(posedge clk_i) cmd_valid_i && (st_q == StRcFree || st_q == StRcRelQ));
  CovEagerScrub_C:  cover property (@(posedge clk_i) escrub_pend_q && $signed(clean_out_total_i - escrub_target_q) >= 0);
  CovStSuccess_C:   cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_SUCCESS);
  CovStAccess_C:    cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_ACCESS_VIOLATION);
  CovStHandle_C:    cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
  CovStParam_C:     cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_INVALID_PARAMETER);
  CovStRequest_C:   cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST);
  CovStNoMem_C:     cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_NO_MEMORY);
  CovStConflict_C:  cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_CONFLICTING_ADDRESSES);
  CovStNotMapped_C: cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW);
  CovStResources_C: cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES);
  CovStTerminating_C: cover property (@(posedge clk_i) cpl_valid_o && status_q == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
  CovUnmapTableFree_C: cover property (@(posedge clk_i) st_q == StUnTblFree && al_done_i);
  CovAllocWait_C:   cover property (@(posedge clk_i) st_q == StAlloc && !al_done_i);

  // The precheck guarantees every allocation of a command succeeds.
  AllocNeverFails_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StAlloc && al_done_i) |-> !al_nomem_i);
  // Teardown frees nothing before its TLB invalidation has completed.
  FreeAfterInval_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StDFree) |-> ($past(st_q) == StDTlb || $past(st_q) == StDFree));
  // The reclaimer only works on a dying process, and a command never writes a dying slot's
  // record in the cycle the reclaim event frees it.
  // (array reads outside the assertions: Verilator 5.006 cannot index arrays inside them)
  logic rslot_dying;
  assign rslot_dying = (pstate_q[rslot_q] == PsDying) && rpend_q[rslot_q];
  RcDying_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StRcFree) |-> rslot_dying);
  RcNoClash_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (rc_fire && rec_we) |-> (rec_idx != rc_idx));
  // DESTROY frees exactly what the process table counted.
  logic [31:0] slot_frames;
  assign slot_frames = pdata_q[slot] + ppt_q[slot];
  FreedAll_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StDFree && al_done_i) |-> (32'(al_count_i) == slot_frames));
`endif
endmodule
