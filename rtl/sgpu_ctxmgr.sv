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
