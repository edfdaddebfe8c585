// sgpu_ptmgr_props.svh - formal properties of sgpu_ptmgr (tests/formal/ptmgr.sby), included at
// the end of the module under `ifdef FORMAL`.
//  (1) one done per start, nothing while idle; requests only for the command's slot;
//  (2) UNMAP frees a frame (a page's or an emptied leaf table's) only after the command's last
//      memory write (the entry clear) and then a completed MMU invalidation of the slot's
//      ASID, with no memory write in between: a frame is never freed while a translation to
//      it can be in use (the MMU acknowledges only when every port retired it);
//  (3) CREATE_PROCESS updates nothing but the new slot: one process-table create, one root
//      write to the MMU, one queue-count clear, all after the root frame was allocated;
//  (4) with neighbours that answer within FN cycles (f_fair), every command completes within
//      a bound that follows from the parameters (a progress rank that rises at every state
//      change; the constants derive from PageShift).
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

localparam int unsigned FN  = 2;
localparam int unsigned FCW = 3;
(* anyconst *) logic f_fair;

// ---- harness state
logic           f_busy, f_rd_out;
logic [1:0]     f_useq;                 // 0 no write yet, 1 a write since the last inval, 2 inval after it
logic [FCW-1:0] f_stay;
logic [31:0]    f_age;
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_busy <= 1'b0; f_rd_out <= 1'b0; f_useq <= 2'd0; f_stay <= '0; f_age <= '0;
  end else begin
    if (start_i && st_q == StIdle) begin
      f_busy <= 1'b1; f_useq <= 2'd0; f_age <= '0;
    end else begin
      if (done_o) f_busy <= 1'b0;
      if (f_busy) f_age <= f_age + 1'b1;
      if (mem_req_valid_o && mem_req_ready_i && mem_req_o.we) f_useq <= 2'd1;
      else if (inv_valid_o && inv_done_i && f_useq != 2'd0) f_useq <= 2'd2;
    end
    if (mem_rsp_valid_i) f_rd_out <= 1'b0;
    if (mem_req_valid_o && mem_req_ready_i && !mem_req_o.we) f_rd_out <= 1'b1;
    f_stay <= (st_d != st_q) ? '0 : (f_stay == '1) ? f_stay : f_stay + 1'b1;
  end
end

// ---- environment: the dispatcher's and the neighbours' contracts
always_comb if (rst_ni) begin
  if (start_i) assume (st_q == StIdle);
  if (al_rsp_i.done) assume (al_req_o.valid);
  if (inv_done_i) assume (inv_valid_o);
  if (mem_rsp_valid_i) assume (f_rd_out);
  // the dispatcher checked the fields (docs/semantics.md): pages >= 1, the range fits
  if (start_i && !is_create)
    assume (cmd_i.arg2 != '0 && (64'(cmd_i.arg1) >> PageShift) + 64'(cmd_i.arg2) <= (64'd1 << VpnW));
  // fair neighbours (liveness only)
  if (f_fair && f_stay >= FCW'(FN)) begin
    if (mem_req_valid_o) assume (mem_req_ready_i);
    if (f_rd_out) assume (mem_rsp_valid_i);
    if (al_req_o.valid) assume (al_rsp_i.done);
    if (inv_valid_o) assume (inv_done_i);
  end
end
`ifdef FCOVER
// Cover task only: every neighbour answers at once (extra assumptions only remove traces, so
// every cover reached here is reachable under the contracts above), and the tables hold small
// values, so the deep covers (a MAP that builds a table, an UNMAP that frees one) are found
// in seconds instead of minutes.
always_comb if (f_past_valid) begin
  assume (rst_ni);
  assume (mem_req_ready_i && al_rsp_i.done == al_req_o.valid && inv_done_i == inv_valid_o);
  assume (mem_rsp_valid_i == f_rd_out);
  assume (cmd_i.arg1 < 32'h100 && cmd_i.arg2 <= 32'd2 && al_rsp_i.frame < 8 && !al_rsp_i.nomem);
  assume (mem_rsp_i.rdata[31:PteCnt+2] == '0 && mem_rsp_i.rdata[PteCnt-1:PteFr+3] == '0);
end
`endif
// the command, its slot and its root are held while it runs
always_ff @(posedge clk_i)
  if (f_past_valid && $past(rst_ni) && rst_ni && ($past(st_q) != StIdle || $past(start_i)))
    assume (cmd_i == $past(cmd_i));
always_ff @(posedge clk_i)    // (the slot and its root: from the cycle after the start)
  if (f_past_valid && $past(rst_ni) && rst_ni && $past(st_q) != StIdle && st_q != StIdle)
    assume (slot_i == $past(slot_i) && root_i == $past(root_i));

// ---- the progress rank (rises at every state change of a command)
localparam int unsigned MaxPages = 1 << VpnW;
localparam int unsigned FChk     = 1;
localparam int unsigned FChkDone = FChk + 8 * MaxPages;
localparam int unsigned FBld     = FChkDone + 1;
localparam int unsigned FDone    = FBld + 14 * MaxPages + 14;
logic [31:0] f_rank, f_i;
assign f_i = 32'(i_q);
always_comb begin
  f_rank = '0;
  unique case (st_q)
    StCreate:    f_rank = 2;
    StDone:      f_rank = FDone;
    StChkRoot:   f_rank = FChk + 8 * f_i + 0;
    StChkRootD:  f_rank = FChk + 8 * f_i + 3;
    StChkLeaf:   f_rank = FChk + 8 * f_i + 4;
    StChkLeafD:  f_rank = FChk + 8 * f_i + 7;
    StChkDone:   f_rank = FChkDone;
    StMapRoot:   f_rank = FBld + 14 * f_i + 4;
    StMapRootD:  f_rank = FBld + 14 * f_i + 7;
    StMapTbl:    f_rank = FBld + 14 * f_i + 9;
    StMapData:   f_rank = FBld + 14 * f_i + 10;
    StMapLeafW:  f_rank = FBld + 14 * f_i + 12;
    StMapRootW:  f_rank = FBld + 14 * f_i + 3;
    StUnRoot:    f_rank = FBld + 14 * f_i + 4;
    StUnRootD:   f_rank = FBld + 14 * f_i + 7;
    StUnLeaf:    f_rank = FBld + 14 * f_i + 8;
    StUnLeafD:   f_rank = FBld + 14 * f_i + 11;
    StUnInv:     f_rank = FBld + 14 * f_i + 12;
    StUnFree:    f_rank = FBld + 14 * f_i + 13;
    StUnRootW:   f_rank = FBld + 14 * f_i + 0;
    StUnTblInv:  f_rank = FBld + 14 * f_i + 1;
    StUnTblFree: f_rank = FBld + 14 * f_i + 2;
    StUnCont:    f_rank = FBld + 14 * f_i + 3;
    StAlloc: unique case (ret_q)
      StCreate: f_rank = 1;
      StMapTbl: f_rank = FBld + 14 * f_i + 8;
      default:  f_rank = FBld + 14 * f_i + 11;
    endcase
    StRd, StRdW: unique case (ret_q)
      StChkRootD: f_rank = FChk + 8 * f_i + 1 + 32'(st_q == StRdW);
      StChkLeafD: f_rank = FChk + 8 * f_i + 5 + 32'(st_q == StRdW);
      StMapRootD: f_rank = FBld + 14 * f_i + 5 + 32'(st_q == StRdW);
      StUnRootD:  f_rank = FBld + 14 * f_i + 5 + 32'(st_q == StRdW);
      default:    f_rank = FBld + 14 * f_i + 9 + 32'(st_q == StRdW);   // StUnLeafD
    endcase
    default: ;
  endcase
end
logic [31:0] f_rank_prev;
state_e      f_st_prev;
logic        f_busy_prev;
always_ff @(posedge clk_i) begin
  f_rank_prev <= f_rank;
  f_st_prev   <= st_q;
  f_busy_prev <= f_busy && rst_ni;
end

// ---- states, grouped
logic f_rw, f_loop, f_loop_end, f_chk, f_map, f_unmap;
assign f_rw       = st_q == StRd || st_q == StRdW;
assign f_chk      = st_q == StChkRoot || st_q == StChkRootD || st_q == StChkLeaf ||
                    st_q == StChkLeafD || (f_rw && (ret_q == StChkRootD || ret_q == StChkLeafD));
assign f_map      = st_q == StMapRoot || st_q == StMapRootD || st_q == StMapTbl ||
                    st_q == StMapData || st_q == StMapLeafW || (f_rw && ret_q == StMapRootD) ||
                    (st_q == StAlloc && ret_q != StCreate);
assign f_unmap    = st_q == StUnRoot || st_q == StUnRootD || st_q == StUnLeaf ||
                    st_q == StUnLeafD || st_q == StUnInv || st_q == StUnFree ||
                    (f_rw && (ret_q == StUnRootD || ret_q == StUnLeafD));
assign f_loop     = f_chk || f_map || f_unmap;
assign f_loop_end = st_q == StMapRootW || st_q == StUnRootW || st_q == StUnTblInv ||
                    st_q == StUnTblFree || st_q == StUnCont;

// ---- properties
always_comb if (f_on) begin
  // (1)
  assert (f_busy == (st_q != StIdle));
  if (done_o) assert (f_busy);
  if (!f_busy)
    assert (!al_req_o.valid && !mem_req_valid_o && !inv_valid_o && !root_we_o &&
            ptop_o.op == sgpu_pkg::PtNone && qctl_o.op == sgpu_pkg::QcNone);
  if (al_req_o.valid) assert (32'(al_req_o.owner) == 32'(slot_i));
  if (inv_valid_o) assert (32'(inv_o.asid) == 32'(slot_i) && !inv_o.by_asid);
  // (2) a free follows the entry clear and then a completed invalidation
  if (al_req_o.valid && al_req_o.op == sgpu_pkg::AlFree) assert (f_useq == 2'd2);
  if (st_q == StUnInv || st_q == StUnTblInv) assert (f_useq != 2'd0);
  if (st_q == StUnFree || st_q == StUnTblFree) assert (f_useq == 2'd2);
  // (3)
  if (root_we_o || ptop_o.op == sgpu_pkg::PtCreate || qctl_o.op == sgpu_pkg::QcClear)
    assert (st_q == StCreate && is_create);
  if (ptop_o.op != sgpu_pkg::PtNone) assert (32'(ptop_o.slot) == 32'(slot_i));
  if (is_create && f_busy)
    assert (st_q == StAlloc || st_q == StCreate || st_q == StDone);
  if (st_q == StAlloc && ret_q == StCreate) assert (is_create);
  // helpers: the loop index stays within the range; reads and waits match the states
  if (f_loop) assert (i_q < pages_q && !is_create);
  if (f_loop_end) assert (i_q <= pages_q && !is_create);
  if (st_q == StChkDone) assert (!is_create);
  if (f_busy && !is_create) assert (pages_q != '0 && 32'(pages_q) <= MaxPages);
  if (f_rw) assert (ret_q == StChkRootD || ret_q == StChkLeafD || ret_q == StMapRootD ||
                    ret_q == StUnRootD || ret_q == StUnLeafD);
  if (st_q == StAlloc) assert (ret_q == StCreate || ret_q == StMapTbl || ret_q == StMapLeafW);
  assert (f_rd_out == (st_q == StRdW));
  assert (st_q <= StUnCont);
  // (4) progress
  if (f_busy) assert (f_rank <= FDone);
  if (f_busy_prev && f_busy && st_q != f_st_prev) assert (f_rank > f_rank_prev);
  if (f_fair && f_busy) begin
    assert (32'(f_stay) <= FN);
    assert (f_age <= f_rank * (FN + 1) + 32'(f_stay));
  end
end

// ---- reachability
always_comb if (f_on) begin
  cover (done_o && is_create);
  cover (done_o && is_map_q && status_q == sgpu_regs_pkg::STATUS_SUCCESS && tbls_q != '0);
  cover (st_q == StUnTblFree && al_rsp_i.done);                   // UNMAP frees a table
  cover (done_o && !is_map_q && !is_create && status_q == sgpu_regs_pkg::STATUS_SUCCESS);
  cover (done_o && status_q == sgpu_regs_pkg::STATUS_CONFLICTING_ADDRESSES);
end
