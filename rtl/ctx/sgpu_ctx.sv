// sgpu_ctx: the context manager: the dispatcher, the process table, the page-table manager,
// the teardown engine, the memory path (MEM_READ/MEM_WRITE through the data window) and the
// deferred reclaimer, wired together.
//
// The blocks share the frame allocator, the queue strobes, the process table's update port,
// the MMU invalidation port and one memory master. Only one of them runs at a time (the
// dispatcher's owner_o / owner_rc_o), so sharing is a multiplexer by owner; the reclaimer's
// event (a process-table release of a DYING slot) has its own port and may coincide with a
// command, never on the command's slot.
// Interfaces: command/completion (sgpu_csr), frame allocator, queue block, MMU (one translate
// port, root writes, invalidation), memory master, the data window's device port, the
// engines' control port, registers.
module sgpu_ctx #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned NumQueues = 4,
  parameter int unsigned TimeW     = 32,
  parameter int unsigned DrainW    = 20,
  parameter int unsigned DataWords = 64,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned GenW     = sgpu_regs_pkg::HANDLE_GEN_BITS,   // handle layout (the map)
  localparam int unsigned QW       = (NumQueues > 1) ? $clog2(NumQueues) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned QCntW    = $clog2(NumQueues + 1),
  localparam int unsigned LiveW    = $clog2(NumProcs + 1),
  localparam int unsigned TotW     = CntW + 1,
  localparam int unsigned WinW     = $clog2(DataWords)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic [TimeW-1:0]       now_i,
  input  logic [DrainW-1:0]      drain_timeout_i,
  // command (sgpu_csr)
  input  logic                   cmd_valid_i,
  input  sgpu_pkg::cmd_t         cmd_i,
  input  logic [TimeW-1:0]       cmd_t0_i,          // the doorbell's cycle
  input  logic [TimeW-1:0]       now_next_i,        // now_i in the next cycle
  output logic                   cmd_take_o,
  output logic                   busy_o,
  output logic                   cpl_valid_o,
  output sgpu_pkg::cpl_t         cpl_o,
  // frame allocator
  output sgpu_pkg::alloc_req_t   al_req_o,
  input  sgpu_pkg::alloc_rsp_t   al_rsp_i,
  input  logic [CntW-1:0]        frames_clean_i,
  input  logic [CntW-1:0]        frames_dirty_i,
  input  logic [CntW-1:0]        frames_used_i,
  input  logic [TotW-1:0]        dirty_in_total_i,
  input  logic [TotW-1:0]        clean_out_total_i,
  // queue block
  output sgpu_pkg::qctl_t        qctl_o,
  output logic [QW-1:0]          q_lk_o,
  input  logic                   q_lk_live_i,
  input  logic [SlotW-1:0]       q_lk_owner_i,
  input  logic                   q_free_found_i,
  input  logic [QW-1:0]          q_free_idx_i,
  output logic [SlotW-1:0]       q_cnt_owner_o,
  input  logic [QCntW-1:0]       q_owned_cnt_i,
  input  logic [31:0]            q_owner_ign_i,
  input  logic [QCntW-1:0]       q_live_cnt_i,
  input  logic [31:0]            q_ign_total_i,
  output logic [NumProcs-1:0]    proc_active_o,
  // MMU
  output logic                   xl_req_valid_o,
  input  logic                   xl_req_ready_i,
  output sgpu_pkg::xlate_req_t   xl_req_o,
  input  logic                   xl_rsp_valid_i,
  input  sgpu_pkg::xlate_rsp_t   xl_rsp_i,
  output logic                   xl_retire_o,
  output logic                   root_we_o,
  output logic [SlotW-1:0]       root_asid_o,
  output logic [FrameW-1:0]      root_frame_o,
  output logic                   inv_valid_o,
  output sgpu_pkg::inval_req_t   inv_o,
  output logic                   inv_disable_o,
  input  logic                   inv_done_i,
  // memory master
  output logic                   mem_req_valid_o,
  input  logic                   mem_req_ready_i,
  output sgpu_pkg::mem_req_t     mem_req_o,
  input  logic                   mem_rsp_valid_i,
  output logic                   mem_rsp_ready_o,
  input  sgpu_pkg::mem_rsp_t     mem_rsp_i,
  // the data window's device port (sgpu_data_window; MEM_READ/MEM_WRITE)
  output logic                   win_re_o,
  output logic [WinW-1:0]        win_raddr_o,
  input  logic [31:0]            win_rdata_i,
  output logic                   win_we_o,
  output logic [WinW-1:0]        win_waddr_o,
  output logic [31:0]            win_wdata_o,
  // engines
  output sgpu_pkg::eng_ctl_req_t eng_req_o,
  input  sgpu_pkg::eng_ctl_rsp_t eng_rsp_i,
  // registers: teardown phases, reclaim events
  input  logic [2:0]             td_raddr_i,        // TD_* phase RAM read port (latency 1)
  output logic [31:0]            td_rdata_o,
  output logic [TimeW-1:0]       td_scrub_o,
  output logic [31:0]            rc_seq_o,
  output logic [31:0]            rc_handle_o,
  output logic [TimeW-1:0]       rc_cycles_o,
  output logic [CntW:0]          rc_frames_o,
  output logic [TimeW-1:0]       rc_scrub_o,
  output logic [7:0]             rc_free_o,
  output logic [7:0]             rc_release_o,
  output logic [LiveW-1:0]       rc_pending_o
);
  localparam int unsigned UnitPt = 0, UnitTd = 1, UnitMem = 2;

  // dispatcher <-> units
  logic [2:0]            start, done, owner;
  logic                  owner_rc;
  sgpu_pkg::cmd_t        cmd;
  logic [SlotW-1:0]      slot;
  logic [TimeW-1:0]      cmd_t0, elapsed;
  logic [2:0][31:0]      status;
  logic [2:0][5:0][31:0] res;
  sgpu_pkg::qctl_t       qctl_disp, qctl_pt, qctl_td, qctl_rc;
  // process table
  sgpu_pkg::ptop_t       ptop_pt, ptop_td, ptop_cmd, ptop_rc;
  logic [FrameW-1:0]     ptop_root;
  logic [1:0]            pt_state;
  logic [GenW-1:0] pt_gen, rc_gen;
  logic [FrameW-1:0]     pt_root;
  logic [CntW-1:0]       pt_data, pt_tbl;
  logic                  pt_free_found;
  logic [SlotW-1:0]      pt_free_idx, rc_gen_slot;
  logic [LiveW-1:0]      pt_live;
  // allocator, invalidation, memory
  sgpu_pkg::alloc_req_t  al_pt, al_td, al_rc;
  logic                  inv_valid_pt, inv_valid_td;
  sgpu_pkg::inval_req_t  inv_pt, inv_td;
  logic                  memv_pt, memv_mem;
  sgpu_pkg::mem_req_t    mem_pt, mem_mem;
  // reclaimer hand-over
  logic                  rc_add, rc_req, rc_done;
  logic [SlotW-1:0]      rc_slot;
  logic [CntW:0]         rc_frames;
  logic [TimeW-1:0]      rc_t0;

  sgpu_ctx_dispatch #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues),
    .TimeW(TimeW)
  ) u_dispatch (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_i, .cmd_t0_i, .now_next_i, .cmd_take_o, .busy_o, .cpl_valid_o, .cpl_o,
    .start_o(start), .cmd_o(cmd), .slot_o(slot), .t0_o(cmd_t0), .elapsed_o(elapsed),
    .done_i(done), .status_i(status), .res_i(res), .owner_o(owner), .owner_rc_o(owner_rc),
    .rc_req_i(rc_req), .rc_done_i(rc_done),
    .pt_state_i(pt_state), .pt_gen_i(pt_gen), .pt_data_i(pt_data), .pt_tbl_i(pt_tbl),
    .pt_free_found_i(pt_free_found), .pt_free_idx_i(pt_free_idx), .pt_live_i(pt_live),
    .frames_clean_i, .frames_dirty_i, .frames_used_i,
    .qctl_o(qctl_disp), .q_lk_o, .q_lk_live_i, .q_lk_owner_i, .q_free_found_i, .q_free_idx_i,
    .q_owned_cnt_i, .q_owner_ign_i, .q_live_cnt_i, .q_ign_total_i
  );

  sgpu_proc_table #(.NumProcs(NumProcs), .NumFrames(NumFrames)) u_proc_table (
    .clk_i, .rst_ni,
    .cmd_op_i(ptop_cmd), .cmd_root_i(ptop_root), .rc_op_i(ptop_rc),
    .lk_slot_i(slot), .lk_state_o(pt_state), .lk_gen_o(pt_gen), .lk_root_o(pt_root),
    .lk_data_o(pt_data), .lk_tbl_o(pt_tbl),
    .rc_slot_i(rc_gen_slot), .rc_gen_o(rc_gen),
    .free_found_o(pt_free_found), .free_idx_o(pt_free_idx), .active_o(proc_active_o),
    .live_o(pt_live)
  );

  sgpu_ptmgr #(.PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs)) u_ptmgr (
    .clk_i, .rst_ni,
    .start_i(start[UnitPt]), .cmd_i(cmd), .slot_i(slot), .done_o(done[UnitPt]),
    .status_o(status[UnitPt]), .res_o(res[UnitPt]),
    .root_i(pt_root), .gen_i(pt_gen), .frames_clean_i, .frames_dirty_i,
    .ptop_o(ptop_pt), .ptop_root_o(ptop_root), .qctl_o(qctl_pt),
    .al_req_o(al_pt), .al_rsp_i,
    .root_we_o, .inv_valid_o(inv_valid_pt), .inv_o(inv_pt), .inv_done_i,
    .mem_req_valid_o(memv_pt), .mem_req_ready_i, .mem_req_o(mem_pt), .mem_rsp_valid_i, .mem_rsp_i
  );
  assign root_asid_o  = slot;
  assign root_frame_o = ptop_root;

  sgpu_teardown #(
    .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues), .TimeW(TimeW),
    .DrainW(DrainW)
  ) u_teardown (
    .clk_i, .rst_ni, .now_i,
    .start_i(start[UnitTd]), .cmd_i(cmd), .slot_i(slot), .t0_i(cmd_t0), .elapsed_i(elapsed),
    .drain_timeout_i, .done_o(done[UnitTd]), .status_o(status[UnitTd]), .res_o(res[UnitTd]),
    .data_i(pt_data), .tbl_i(pt_tbl), .q_owned_cnt_i, .q_owner_ign_i,
    .ptop_o(ptop_td), .qctl_o(qctl_td), .eng_req_o, .eng_rsp_i,
    .inv_valid_o(inv_valid_td), .inv_o(inv_td), .inv_done_i,
    .al_req_o(al_td), .al_rsp_i, .dirty_in_total_i, .clean_out_total_i,
    .rc_add_o(rc_add), .rc_slot_o(rc_slot), .rc_frames_o(rc_frames), .rc_t0_o(rc_t0),
    .td_raddr_i, .td_rdata_o, .td_scrub_o
  );

  sgpu_ctx_mem #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .DataWords(DataWords)
  ) u_mem (
    .clk_i, .rst_ni,
    .start_i(start[UnitMem]), .cmd_i(cmd), .slot_i(slot), .done_o(done[UnitMem]),
    .status_o(status[UnitMem]), .res_o(res[UnitMem]),
    .xl_req_valid_o, .xl_req_ready_i, .xl_req_o, .xl_rsp_valid_i, .xl_rsp_i, .xl_retire_o,
    .mem_req_valid_o(memv_mem), .mem_req_ready_i, .mem_req_o(mem_mem), .mem_rsp_valid_i,
    .mem_rsp_i,
    .win_re_o, .win_raddr_o, .win_rdata_i, .win_we_o, .win_waddr_o, .win_wdata_o
  );

  sgpu_reclaim #(.NumFrames(NumFrames), .NumProcs(NumProcs), .TimeW(TimeW)) u_reclaim (
    .clk_i, .rst_ni, .now_i, .now_next_i,
    .rc_add_i(rc_add), .rc_slot_i(rc_slot), .rc_frames_i(rc_frames), .rc_t0_i(rc_t0),
    .req_o(rc_req), .grant_i(owner_rc), .done_o(rc_done), .al_req_o(al_rc), .al_rsp_i,
    .qctl_o(qctl_rc), .dirty_in_total_i, .clean_out_total_i,
    .ptop_o(ptop_rc), .gen_slot_o(rc_gen_slot), .gen_i(rc_gen),
    .seq_o(rc_seq_o), .handle_o(rc_handle_o), .cycles_o(rc_cycles_o), .frames_o(rc_frames_o),
    .scrub_o(rc_scrub_o), .free_o(rc_free_o), .release_o(rc_release_o),
    .pending_o(rc_pending_o)
  );

  // ---------------------------------------------------------------- sharing, by owner
  always_comb begin
    al_req_o = '0;
    if (owner[UnitPt])      al_req_o = al_pt;
    else if (owner[UnitTd]) al_req_o = al_td;
    else if (owner_rc)      al_req_o = al_rc;

    qctl_o = qctl_disp;                       // CREATE_QUEUE / DESTROY_QUEUE in decode
    if (owner[UnitPt])      qctl_o = qctl_pt;
    else if (owner[UnitTd]) qctl_o = qctl_td;
    else if (owner_rc)      qctl_o = qctl_rc;

    ptop_cmd = '0;
    if (owner[UnitPt])      ptop_cmd = ptop_pt;
    else if (owner[UnitTd]) ptop_cmd = ptop_td;

    inv_valid_o   = 1'b0;
    inv_o         = inv_pt;
    inv_disable_o = 1'b0;
    if (owner[UnitPt]) inv_valid_o = inv_valid_pt;
    else if (owner[UnitTd]) begin
      inv_valid_o   = inv_valid_td;
      inv_o         = inv_td;
      inv_disable_o = 1'b1;                   // the teardown's: the ASID is gone
    end

    mem_req_valid_o = 1'b0;
    mem_req_o       = mem_pt;
    if (owner[UnitPt]) mem_req_valid_o = memv_pt;
    else if (owner[UnitMem]) begin
      mem_req_valid_o = memv_mem;
      mem_req_o       = mem_mem;
    end
    // The command's units (and the dispatcher) act on the command's slot: their slot fields
    // are `slot` itself, not a multiplexer of equal values (asserted below), so the process
    // table, queues and allocator see the same net as their lookups.
    ptop_cmd.slot = sgpu_pkg::AsidW'(slot);
    inv_o.asid    = sgpu_pkg::AsidW'(slot);
    if (!owner_rc) begin
      al_req_o.owner = sgpu_pkg::AsidW'(slot);
      qctl_o.owner   = sgpu_pkg::AsidW'(slot);
    end
  end
  assign mem_rsp_ready_o = 1'b1;              // the owner waits for its read: it takes it
  assign q_cnt_owner_o   = slot;

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // a unit acts only while it owns the shared ports
  // the command's units name the command's slot (the sharing above relies on it)
  CmdSlot_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (!al_pt.valid || al_pt.owner == sgpu_pkg::AsidW'(slot)) &&
    (!al_td.valid || al_td.owner == sgpu_pkg::AsidW'(slot)) &&
    (ptop_pt.op == sgpu_pkg::PtNone || ptop_pt.slot == sgpu_pkg::AsidW'(slot)) &&
    (ptop_td.op == sgpu_pkg::PtNone || ptop_td.slot == sgpu_pkg::AsidW'(slot)) &&
    (qctl_pt.op == sgpu_pkg::QcNone || qctl_pt.owner == sgpu_pkg::AsidW'(slot)) &&
    (qctl_td.op == sgpu_pkg::QcNone || qctl_td.owner == sgpu_pkg::AsidW'(slot)) &&
    (qctl_disp.op == sgpu_pkg::QcNone || qctl_disp.owner == sgpu_pkg::AsidW'(slot)) &&
    (!inv_valid_pt || inv_pt.asid == sgpu_pkg::AsidW'(slot)) &&
    (!inv_valid_td || inv_td.asid == sgpu_pkg::AsidW'(slot)));
  NoStrayAlloc_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (!al_pt.valid || owner[UnitPt]) && (!al_td.valid || owner[UnitTd]) &&
    (!al_rc.valid || owner_rc));
  NoStrayMem_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (!memv_pt || owner[UnitPt]) && (!memv_mem || owner[UnitMem]));
  NoStrayInv_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (!inv_valid_pt || owner[UnitPt]) && (!inv_valid_td || owner[UnitTd]));
  NoStrayQ_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (qctl_pt.op == sgpu_pkg::QcNone || owner[UnitPt]) &&
    (qctl_td.op == sgpu_pkg::QcNone || owner[UnitTd]) &&
    (qctl_rc.op == sgpu_pkg::QcNone || owner_rc));
  NoStrayPt_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (ptop_pt.op == sgpu_pkg::PtNone || owner[UnitPt]) &&
    (ptop_td.op == sgpu_pkg::PtNone || owner[UnitTd]));
`endif
endmodule
