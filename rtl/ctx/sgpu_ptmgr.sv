// sgpu_ptmgr: the page-table manager. Runs CREATE_PROCESS (root table), MAP and UNMAP
// (docs/semantics.md) for the dispatcher, one command at a time.
//
// Start: start_i pulses with the command (cmd_i, held until done) and its slot (slot_i; for
// CREATE the FREE slot the dispatcher chose). The dispatcher has already checked the handle
// and the fields (va page aligned, 1 <= pages, va/page + pages <= 2^VpnW). done_o pulses once
// with status_o and res_o.
// Page tables: two levels of one-page tables of 32-bit entries in device memory (layout in the
// generated map). A root entry also counts its leaf table's valid entries, so UNMAP frees a
// leaf table the moment it empties without scanning it.
// MAP and UNMAP first check the whole range (conflicts, missing pages, frames needed: every
// later allocation then succeeds), so a failing command changes nothing. UNMAP clears each
// entry, invalidates that page in the MMU and waits for the MMU's acknowledgement (every port
// has retired what it held of the ASID) before freeing the frame; an emptied leaf table goes
// the same way. Nothing is freed while a translation to it can still be used.
// Ports: its memory master (table reads and writes, one at a time), the frame allocator, MMU
// invalidation and root write, process-table updates, the queue strobe of CREATE.
// Latency: CREATE 3 cycles + the allocation; MAP/UNMAP about 4 cycles per page checked plus
// 3-14 per page built, plus memory and allocator waits.
module sgpu_ptmgr #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned LvlW     = PageShift - 2,
  localparam int unsigned VpnW     = 2 * LvlW,
  localparam int unsigned AddrW    = FrameW + LvlW,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned GenW     = sgpu_regs_pkg::HANDLE_GEN_BITS,   // handle layout (the map)
  localparam int unsigned GenLsb   = sgpu_regs_pkg::HANDLE_GEN_SHIFT,   // handle layout (the map)
  localparam int unsigned CntW     = $clog2(NumFrames + 1)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // command
  input  logic                 start_i,
  input  sgpu_pkg::cmd_t       cmd_i,
  input  logic [SlotW-1:0]     slot_i,
  output logic                 done_o,
  output logic [31:0]          status_o,
  output logic [5:0][31:0]     res_o,
  // the process (table record of slot_i) and the free frames (clean + dirty)
  input  logic [FrameW-1:0]    root_i,
  input  logic [GenW-1:0] gen_i,
  input  logic [CntW-1:0]      frames_clean_i,
  input  logic [CntW-1:0]      frames_dirty_i,
  output sgpu_pkg::ptop_t      ptop_o,
  output logic [FrameW-1:0]    ptop_root_o,
  output sgpu_pkg::qctl_t      qctl_o,
  // frame allocator
  output sgpu_pkg::alloc_req_t al_req_o,
  input  sgpu_pkg::alloc_rsp_t al_rsp_i,
  // MMU: root write (CREATE), invalidation (UNMAP)
  output logic                 root_we_o,
  output logic                 inv_valid_o,
  output sgpu_pkg::inval_req_t inv_o,
  input  logic                 inv_done_i,
  // memory master
  output logic                 mem_req_valid_o,
  input  logic                 mem_req_ready_i,
  output sgpu_pkg::mem_req_t   mem_req_o,
  input  logic                 mem_rsp_valid_i,
  input  sgpu_pkg::mem_rsp_t   mem_rsp_i
);
  localparam int unsigned PteV    = sgpu_regs_pkg::PTE_VALID_BIT;
  localparam int unsigned PteFr   = sgpu_regs_pkg::PTE_FRAME_LSB;
  localparam int unsigned PteCnt  = sgpu_regs_pkg::PTE_COUNT_LSB;
  localparam int unsigned CntBits = sgpu_regs_pkg::PTE_COUNT_BITS;
  localparam int unsigned IdxW    = VpnW + 1;                 // page index, 0 .. 2^VpnW
  localparam logic [IdxW-1:0] Entries = IdxW'(1) << LvlW;    // entries per table

  typedef enum logic [4:0] {
    StIdle, StDone, StRd, StRdW, StAlloc, StCreate,
    StChkRoot, StChkRootD, StChkLeaf, StChkLeafD, StChkDone,
    StMapRoot, StMapRootD, StMapTbl, StMapData, StMapLeafW, StMapRootW,
    StUnRoot, StUnRootD, StUnLeaf, StUnLeafD, StUnInv, StUnFree, StUnRootW, StUnTblInv,
    StUnTblFree, StUnCont
  } state_e;

  state_e            st_q, st_d, ret_q, ret_d;
  logic [31:0]       status_q, status_d;
  logic              is_map_q;
  logic [IdxW-1:0]   pages_q;              // pages of the range
  logic [IdxW-1:0]   i_q, i_d;             // page index within the range
  logic [VpnW-1:0]   vpn_q, vpn_d;         // current virtual page
  logic [LvlW:0]     tbls_q, tbls_d;       // MAP: leaf tables missing / built; UNMAP: freed
  logic [31:0]       pte_q, pte_d;         // current root entry
  logic [LvlW-1:0]   l1_q, l1_d;           // its index
  logic [FrameW-1:0] tbl_q, tbl_d;         // leaf table frame (checks)
  logic [FrameW-1:0] fr_q, fr_d;           // frame from the allocator / a leaf entry
  logic [AddrW-1:0]  addr_q, addr_d;
  logic [31:0]       rdata_q, rdata_d;

  logic [LvlW-1:0]   cur_l1, cur_l2;
  logic [IdxW-1:0]   step;
  logic [VpnW-1:0]   vpn_next;          // wraps at the end of the space only when the range ends there
  logic [CntW:0]     free_frames;
  logic              is_create;
  logic [VpnW-1:0]   base_vpn;
  assign base_vpn    = VpnW'(64'(cmd_i.arg1) >> PageShift);
  assign cur_l1      = vpn_q[VpnW-1:LvlW];
  assign cur_l2      = vpn_q[LvlW-1:0];
  assign vpn_next    = vpn_q + 1'b1;
  assign step        = Entries - IdxW'(cur_l2);
  assign free_frames = (CntW+1)'(frames_clean_i) + (CntW+1)'(frames_dirty_i);
  assign is_create   = cmd_i.opcode == sgpu_regs_pkg::OP_CREATE_PROCESS;

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

  // ---------------------------------------------------------------- requests (state only)
  always_comb begin
    al_req_o        = '0;
    al_req_o.owner  = sgpu_pkg::AsidW'(slot_i);
    al_req_o.frame  = sgpu_pkg::MaxFrameW'(fr_q);
    mem_req_valid_o = 1'b0;
    mem_req_o       = '0;
    mem_req_o.be    = 4'hF;
    mem_req_o.addr  = sgpu_pkg::MemAddrW'(addr_q);
    inv_valid_o     = 1'b0;
    inv_o           = '0;
    inv_o.asid      = sgpu_pkg::AsidW'(slot_i);
    inv_o.vpn       = sgpu_pkg::VpnW'(vpn_q);
    unique case (st_q)
      StRd:       mem_req_valid_o = 1'b1;
      StAlloc:    begin al_req_o.valid = 1'b1; al_req_o.op = sgpu_pkg::AlAlloc; end
      StMapLeafW: begin
        mem_req_valid_o = 1'b1;
        mem_req_o.we    = 1'b1;
        mem_req_o.addr  = sgpu_pkg::MemAddrW'({pte_frame(pte_q), cur_l2});
        mem_req_o.wdata = make_pte(fr_q, '0);
      end
      StMapRootW: begin
        mem_req_valid_o = 1'b1;
        mem_req_o.we    = 1'b1;
        mem_req_o.addr  = sgpu_pkg::MemAddrW'({root_i, l1_q});
        mem_req_o.wdata = pte_q;
      end
      StUnLeafD:  begin                    // clear the leaf entry just read (addr_q)
        mem_req_valid_o = 1'b1;
        mem_req_o.we    = 1'b1;
      end
      StUnInv:    inv_valid_o = 1'b1;      // (asid, vpn): this page
      StUnFree:   begin al_req_o.valid = 1'b1; al_req_o.op = sgpu_pkg::AlFree; end
      StUnRootW:  begin
        mem_req_valid_o = 1'b1;
        mem_req_o.we    = 1'b1;
        mem_req_o.addr  = sgpu_pkg::MemAddrW'({root_i, l1_q});
        mem_req_o.wdata = (pte_count(pte_q) == '0) ? '0 : pte_q;
      end
      StUnTblInv: begin                    // the table leaves the process
        inv_valid_o = 1'b1;
        inv_o.vpn   = sgpu_pkg::VpnW'({l1_q, {LvlW{1'b0}}});
      end
      StUnTblFree: begin
        al_req_o.valid = 1'b1;
        al_req_o.op    = sgpu_pkg::AlFree;
        al_req_o.frame = sgpu_pkg::MaxFrameW'(pte_frame(pte_q));
      end
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- the FSM
  always_comb begin
    st_d     = st_q;
    ret_d    = ret_q;
    status_d = status_q;
    i_d      = i_q;
    vpn_d    = vpn_q;
    tbls_d   = tbls_q;
    pte_d    = pte_q;
    l1_d     = l1_q;
    tbl_d    = tbl_q;
    fr_d     = fr_q;
    addr_d   = addr_q;
    rdata_d  = rdata_q;
    ptop_o      = '0;
    ptop_o.slot = sgpu_pkg::AsidW'(slot_i);
    ptop_root_o = fr_q;
    root_we_o   = 1'b0;
    qctl_o      = '0;
    qctl_o.owner = sgpu_pkg::AsidW'(slot_i);
    done_o      = 1'b0;

    unique case (st_q)
      StIdle: begin
        if (start_i) begin
          status_d = sgpu_regs_pkg::STATUS_SUCCESS;
          i_d      = '0;
          vpn_d    = base_vpn;
          tbls_d   = '0;
          if (is_create) begin
            ret_d = StCreate;
            st_d  = StAlloc;
          end else st_d = StChkRoot;
        end
      end
      StDone: begin
        done_o = 1'b1;
        st_d   = StIdle;
      end

      // ------------------------------------------------ subroutines (return to ret_q)
      StRd:    if (mem_req_ready_i) st_d = StRdW;
      StRdW: begin
        if (mem_rsp_valid_i) begin
          rdata_d = mem_rsp_i.rdata;
          st_d    = ret_q;
        end
      end
      StAlloc: begin
        if (al_rsp_i.done) begin
          fr_d = FrameW'(al_rsp_i.frame);
          st_d = ret_q;
        end
      end

      // ------------------------------------------------ CREATE_PROCESS
      StCreate: begin
        ptop_o.op = sgpu_pkg::PtCreate;     // ACTIVE, 0 data frames, 1 table (this root)
        root_we_o = 1'b1;                   // the MMU learns the root and enables the ASID
        qctl_o.op = sgpu_pkg::QcClear;      // no ignored-doorbell count of an old owner
        st_d      = StDone;
      end

      // ------------------------------------------------ MAP / UNMAP: check the whole range
      StChkRoot: begin
        addr_d = {root_i, cur_l1};
        ret_d  = StChkRootD;
        st_d   = StRd;
      end
      StChkRootD: begin
        if (!rdata_q[PteV]) begin
          if (!is_map_q) begin
            status_d = sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW;
            st_d     = StDone;
          end else begin
            // no leaf table: nothing mapped in the rest of this table's span
            tbls_d = tbls_q + 1'b1;
            i_d    = i_q + step;
            vpn_d  = vpn_q + VpnW'(step);
            st_d   = (i_q + step >= pages_q) ? StChkDone : StChkRoot;
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
        if (is_map_q && rdata_q[PteV]) begin
          status_d = sgpu_regs_pkg::STATUS_CONFLICTING_ADDRESSES;
          st_d     = StDone;
        end else if (!is_map_q && !rdata_q[PteV]) begin
          status_d = sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW;
          st_d     = StDone;
        end else begin
          i_d   = i_q + 1'b1;
          vpn_d = vpn_next;
          if (i_q + 1'b1 == pages_q)             st_d = StChkDone;
          else if (vpn_next[LvlW-1:0] == '0)     st_d = StChkRoot;
          else                                   st_d = StChkLeaf;
        end
      end
      StChkDone: begin
        i_d   = '0;
        vpn_d = base_vpn;
        if (!is_map_q) st_d = StUnRoot;
        else if (32'(pages_q) + 32'(tbls_q) > 32'(free_frames)) begin
          status_d = sgpu_regs_pkg::STATUS_NO_MEMORY;
          st_d     = StDone;
        end else begin
          tbls_d = '0;                       // now: leaf tables built
          st_d   = StMapRoot;
        end
      end

      // ------------------------------------------------ MAP: build
      StMapRoot: begin
        l1_d   = cur_l1;
        addr_d = {root_i, cur_l1};
        ret_d  = StMapRootD;
        st_d   = StRd;
      end
      StMapRootD: begin
        pte_d = rdata_q;
        if (!rdata_q[PteV]) begin
          ret_d = StMapTbl;
          st_d  = StAlloc;
        end else st_d = StMapData;
      end
      StMapTbl: begin
        pte_d     = make_pte(fr_q, '0);
        tbls_d    = tbls_q + 1'b1;
        ptop_o.op = sgpu_pkg::PtTblInc;
        st_d      = StMapData;
      end
      StMapData: begin
        ret_d = StMapLeafW;
        st_d  = StAlloc;
      end
      StMapLeafW: begin
        if (mem_req_ready_i) begin
          pte_d     = make_pte(pte_frame(pte_q), pte_count(pte_q) + 1'b1);
          ptop_o.op = sgpu_pkg::PtDataInc;
          i_d       = i_q + 1'b1;
          vpn_d     = vpn_next;
          st_d      = (i_q + 1'b1 == pages_q || vpn_next[LvlW-1:0] == '0) ? StMapRootW : StMapData;
        end
      end
      StMapRootW: begin
        if (mem_req_ready_i) st_d = (i_q == pages_q) ? StDone : StMapRoot;
      end

      // ------------------------------------------------ UNMAP: tear down
      StUnRoot: begin
        l1_d   = cur_l1;
        addr_d = {root_i, cur_l1};
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
        fr_d = pte_frame(rdata_q);
        if (mem_req_ready_i) st_d = StUnInv;
      end
      StUnInv: if (inv_done_i) st_d = StUnFree;
      StUnFree: begin
        if (al_rsp_i.done) begin
          pte_d     = make_pte(pte_frame(pte_q), pte_count(pte_q) - 1'b1);
          ptop_o.op = sgpu_pkg::PtDataDec;
          i_d       = i_q + 1'b1;
          vpn_d     = vpn_next;
          st_d      = (i_q + 1'b1 == pages_q || vpn_next[LvlW-1:0] == '0) ? StUnRootW : StUnLeaf;
        end
      end
      StUnRootW: begin
        if (mem_req_ready_i) st_d = (pte_count(pte_q) == '0) ? StUnTblInv : StUnCont;
      end
      StUnTblInv: if (inv_done_i) st_d = StUnTblFree;
      StUnTblFree: begin
        if (al_rsp_i.done) begin
          tbls_d    = tbls_q + 1'b1;
          ptop_o.op = sgpu_pkg::PtTblDec;
          st_d      = StUnCont;
        end
      end
      StUnCont: st_d = (i_q == pages_q) ? StDone : StUnRoot;
      default:  st_d = StIdle;
    endcase
  end

  // ---------------------------------------------------------------- results
  assign status_o = status_q;
  always_comb begin
    res_o = '0;
    if (status_q == sgpu_regs_pkg::STATUS_SUCCESS) begin
      if (is_create) begin
        res_o[0] = (32'(gen_i) << GenLsb) | 32'(slot_i);   // handle
        res_o[1] = 32'(slot_i);                      // asid
        res_o[2] = 32'(fr_q);                        // root frame
      end else begin
        res_o[0] = 32'(pages_q);                     // pages mapped / unmapped
        res_o[1] = 32'(tbls_q);                      // leaf tables allocated / freed
      end
    end
  end

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) st_q <= StIdle;
    else         st_q <= st_d;
  end

  // Datapath: loaded at the start, only read while a command runs.
  always_ff @(posedge clk_i) begin
    if (st_q == StIdle && start_i) begin
      is_map_q <= cmd_i.opcode == sgpu_regs_pkg::OP_MAP;
      pages_q  <= IdxW'(cmd_i.arg2);
    end
    ret_q    <= ret_d;
    status_q <= status_d;
    i_q      <= i_d;
    vpn_q    <= vpn_d;
    tbls_q   <= tbls_d;
    pte_q    <= pte_d;
    l1_q     <= l1_d;
    tbl_q    <= tbl_d;
    fr_q     <= fr_d;
    addr_q   <= addr_d;
    rdata_q  <= rdata_d;
  end

`ifdef FORMAL
  `include "sgpu_ptmgr_props.svh"
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // Functional covers (make coverage): UNMAP freeing a table, an allocation waiting for the
  // scrubber, a conflict found by the precheck.
  CovUnmapTableFree_C: cover property (@(posedge clk_i) st_q == StUnTblFree && al_rsp_i.done);
  CovAllocWait_C:   cover property (@(posedge clk_i) st_q == StAlloc && !al_rsp_i.done);
  CovMapNewTable_C: cover property (@(posedge clk_i) st_q == StMapTbl);
  // The precheck guarantees every allocation of a command succeeds.
  AllocNeverFails_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (st_q == StAlloc && al_rsp_i.done) |-> !al_rsp_i.nomem);
`endif

  // Waiver: the command fields this block does not use (arg0: the dispatcher checked the
  // handle; arg3, policy; the offset bits of arg1), and of the allocator's answer the release
  // count and the nomem flag (the precheck makes it impossible, asserted above).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{cmd_i, al_rsp_i};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
