// sgpu_core: the sgpu core. Register bus in, one memory master port out; MMU, queues and
// the context manager (with the hardware teardown engine) inside. The device memory is the
// top's choice (simulation model, block RAM, SPRAM, SDRAM controller) behind the memory port
// contract of sgpu_pkg.
//
// Blocks: sgpu_csr (registers) -> sgpu_ctxmgr (admin commands, process table, teardown)
// -> sgpu_frame_alloc (frame lists) + sgpu_scrubber (zeroing) + sgpu_walker/sgpu_tlb
// (translate port) + sgpu_queues (queue slots, doorbells); every memory master reaches
// the memory port through sgpu_mem_arb.
// engine_busy_i reports, per process slot, work still in flight in engines outside the core;
// teardown waits for it to drop before invalidating and freeing (tie to 0 when there are none).
module sgpu_core #(
  parameter int unsigned PageShift  = 8,    // log2 page bytes (>= 6); 4 KiB in simulation
  parameter int unsigned NumFrames  = 64,   // device-memory frames
  parameter int unsigned NumProcs   = 4,    // process slots
  parameter int unsigned NumQueues  = 4,    // hardware queue slots (<= 254)
  parameter int unsigned TlbEntries = 4     // TLB entries
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                reg_valid_i,
  input  logic                reg_write_i,
  input  logic [15:0]         reg_addr_i,
  input  logic [31:0]         reg_wdata_i,
  output logic                reg_rvalid_o,
  output logic [31:0]         reg_rdata_o,
  output logic                irq_o,
  input  logic [NumProcs-1:0] engine_busy_i,
  // memory master port (sgpu_pkg memory-port contract; word addresses)
  output logic                mem_req_valid_o,
  input  logic                mem_req_ready_i,
  output sgpu_pkg::mem_req_t  mem_req_o,
  input  logic                mem_rsp_valid_i,
  output logic                mem_rsp_ready_o,
  input  sgpu_pkg::mem_rsp_t  mem_rsp_i
);
  localparam int unsigned FrameW = (NumFrames > 1) ? $clog2(NumFrames) : 1;
  localparam int unsigned LvlW   = PageShift - 2;
  localparam int unsigned VpnW   = 2 * LvlW;
  localparam int unsigned AddrW  = FrameW + LvlW;
  localparam int unsigned SlotW  = (NumProcs > 1) ? $clog2(NumProcs) : 1;
  localparam int unsigned QW     = (NumQueues > 1) ? $clog2(NumQueues) : 1;
  localparam int unsigned CntW   = $clog2(NumFrames + 1);
  localparam int unsigned QCntW  = $clog2(NumQueues + 1);
  localparam int unsigned NumM   = 3;  // memory masters: ctxmgr, walker, scrubber

  // command path
  logic                    cmd_valid, cmd_take, cmd_busy, cpl_valid;
  logic [31:0]             cmd_wait;
  logic [7*32-1:0]         td;
  logic [31:0]             rc_seq, rc_handle, rc_cycles, rc_frames, rc_pending;
  logic [31:0]             dirty_in_total, clean_out_total;
  logic [7:0]              cmd_op;
  logic [1:0]              cmd_policy;
  logic [3*32-1:0]         cmd_arg;
  logic [31:0]             cpl_status;
  logic [6*32-1:0]         cpl_res;
  // allocator
  logic                    al_valid, al_done, al_nomem;
  logic [1:0]              al_op;
  logic [SlotW-1:0]        al_owner;
  logic [FrameW-1:0]       al_frame_req, al_frame_rsp;
  logic [CntW-1:0]         al_count, fr_clean, fr_dirty, fr_used;
  logic                    pop_req, pop_ack, push_req, push_ack;
  logic [FrameW-1:0]       pop_frame, push_frame;
  // memory
  logic [NumM-1:0]             m_valid, m_ready, m_we, m_rsp_valid;
  logic [NumM*AddrW-1:0]       m_addr;
  logic [NumM*32-1:0]          m_wdata;
  logic [31:0]                 m_rdata;
  logic                        s_valid, s_ready, s_we, s_rsp_valid;
  logic [AddrW-1:0]            s_addr;
  logic [31:0]                 s_wdata, s_rdata;
  // translate / TLB
  logic                    tr_valid, tr_ready, tr_rsp_valid, tr_fault;
  logic [SlotW-1:0]        tr_asid;
  logic [FrameW-1:0]       tr_root, tr_frame;
  logic [VpnW-1:0]         tr_vpn;
  logic [SlotW-1:0]        tlb_asid, inv_asid, inv_fire_asid;
  logic [VpnW-1:0]         tlb_vpn, inv_vpn;
  logic                    tlb_hit, tlb_fill, inv_valid, inv_by_asid, inv_done, inv_fire;
  logic [FrameW-1:0]       tlb_frame, tlb_fill_frame;
  // queues
  logic                    q_create, q_destroy, q_stop, q_release, q_clear, q_free_found;
  logic [QW-1:0]           q_create_idx, q_destroy_idx, q_free_idx;
  logic [31:4]             q_ring_va;
  logic [3:0]              q_ring_log2;
  logic [SlotW-1:0]        q_owner;
  logic [NumQueues-1:0]    q_live;
  logic [NumQueues*SlotW-1:0] q_owners;
  logic [QCntW-1:0]        q_owned_cnt;
  logic [31:0]             q_owner_ign, q_ign_total, qrd_data, db_wptr, scrub_cycles;
  logic                    db_valid, db_accept;
  logic [7:0]              db_q, qrd_q;
  logic [1:0]              qrd_reg;
  logic [NumProcs-1:0]     proc_active;
  logic                    scrub_busy;

  sgpu_csr #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs),
    .NumQueues(NumQueues), .TlbEntries(TlbEntries)
  ) u_csr (
    .clk_i, .rst_ni,
    .reg_valid_i, .reg_write_i, .reg_addr_i, .reg_wdata_i, .reg_rvalid_o, .reg_rdata_o, .irq_o,
    .cmd_valid_o(cmd_valid), .cmd_take_i(cmd_take), .cmd_wait_o(cmd_wait), .cmd_op_o(cmd_op), .cmd_policy_o(cmd_policy), .cmd_arg_o(cmd_arg),
    .cmd_busy_i(cmd_busy), .cpl_valid_i(cpl_valid), .cpl_status_i(cpl_status), .cpl_res_i(cpl_res),
    .frames_clean_i(fr_clean), .frames_dirty_i(fr_dirty), .frames_used_i(fr_used),
    .db_ignored_i(q_ign_total), .scrub_cycles_i(scrub_cycles), .td_i(td),
    .rc_seq_i(rc_seq), .rc_handle_i(rc_handle), .rc_cycles_i(rc_cycles), .rc_frames_i(rc_frames),
    .rc_pending_i(rc_pending),
    .db_valid_o(db_valid), .db_q_o(db_q), .db_wptr_o(db_wptr),
    .qrd_q_o(qrd_q), .qrd_reg_o(qrd_reg), .qrd_data_i(qrd_data)
  );

  sgpu_ctxmgr #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues)
  ) u_ctxmgr (
    .clk_i, .rst_ni,
    .cmd_valid_i(cmd_valid), .cmd_wait_i(cmd_wait), .cmd_take_o(cmd_take), .op_i(cmd_op), .policy_i(cmd_policy), .arg_i(cmd_arg),
    .busy_o(cmd_busy), .cpl_valid_o(cpl_valid), .cpl_status_o(cpl_status), .cpl_res_o(cpl_res),
    .al_valid_o(al_valid), .al_op_o(al_op), .al_owner_o(al_owner), .al_frame_o(al_frame_req),
    .al_done_i(al_done), .al_frame_i(al_frame_rsp), .al_nomem_i(al_nomem), .al_count_i(al_count),
    .frames_clean_i(fr_clean), .frames_dirty_i(fr_dirty), .frames_used_i(fr_used),
    .dirty_in_total_i(dirty_in_total), .clean_out_total_i(clean_out_total),
    .td_o(td), .rc_seq_o(rc_seq), .rc_handle_o(rc_handle), .rc_cycles_o(rc_cycles),
    .rc_frames_o(rc_frames), .rc_pending_o(rc_pending),
    .mem_req_valid_o(m_valid[0]), .mem_req_ready_i(m_ready[0]), .mem_req_we_o(m_we[0]),
    .mem_req_addr_o(m_addr[0 +: AddrW]), .mem_req_wdata_o(m_wdata[0 +: 32]),
    .mem_rsp_valid_i(m_rsp_valid[0]), .mem_rsp_rdata_i(m_rdata),
    .tr_req_valid_o(tr_valid), .tr_req_ready_i(tr_ready), .tr_asid_o(tr_asid),
    .tr_root_o(tr_root), .tr_vpn_o(tr_vpn), .tr_rsp_valid_i(tr_rsp_valid),
    .tr_rsp_fault_i(tr_fault), .tr_rsp_frame_i(tr_frame),
    .inv_valid_o(inv_valid), .inv_by_asid_o(inv_by_asid), .inv_asid_o(inv_asid),
    .inv_vpn_o(inv_vpn), .inv_done_i(inv_done),
    .q_create_o(q_create), .q_create_idx_o(q_create_idx), .q_ring_va_o(q_ring_va),
    .q_ring_log2_o(q_ring_log2), .q_destroy_o(q_destroy), .q_destroy_idx_o(q_destroy_idx),
    .q_stop_owner_o(q_stop), .q_release_owner_o(q_release), .q_clear_owner_o(q_clear),
    .q_owner_o(q_owner), .q_live_i(q_live), .q_owner_i(q_owners),
    .q_free_found_i(q_free_found), .q_free_idx_i(q_free_idx), .q_owned_cnt_i(q_owned_cnt),
    .q_owner_ign_i(q_owner_ign), .q_ign_total_i(q_ign_total),
    .proc_active_o(proc_active), .drain_busy_i(engine_busy_i)
  );

  sgpu_frame_alloc #(.NumFrames(NumFrames), .NumOwners(NumProcs)) u_alloc (
    .clk_i, .rst_ni,
    .op_valid_i(al_valid), .op_i(al_op), .op_owner_i(al_owner), .op_frame_i(al_frame_req),
    .op_done_o(al_done), .rsp_frame_o(al_frame_rsp), .rsp_nomem_o(al_nomem), .rsp_count_o(al_count),
    .pop_req_i(pop_req), .pop_ack_o(pop_ack), .pop_frame_o(pop_frame),
    .push_req_i(push_req), .push_frame_i(push_frame), .push_ack_o(push_ack),
    .clean_cnt_o(fr_clean), .dirty_cnt_o(fr_dirty), .used_cnt_o(fr_used),
    .dirty_in_total_o(dirty_in_total), .clean_out_total_o(clean_out_total)
  );

  sgpu_scrubber #(.NumFrames(NumFrames), .PageShift(PageShift)) u_scrub (
    .clk_i, .rst_ni,
    .pop_req_o(pop_req), .pop_ack_i(pop_ack), .pop_frame_i(pop_frame),
    .push_req_o(push_req), .push_frame_o(push_frame), .push_ack_i(push_ack),
    .mem_req_valid_o(m_valid[2]), .mem_req_ready_i(m_ready[2]), .mem_req_addr_o(m_addr[2*AddrW +: AddrW]),
    .busy_o(scrub_busy), .busy_cycles_o(scrub_cycles)
  );
  assign m_we[2]    = 1'b1;
  assign m_wdata[2*32 +: 32] = '0;

  sgpu_walker #(.PageShift(PageShift), .NumFrames(NumFrames), .AsidW(SlotW)) u_walker (
    .clk_i, .rst_ni,
    .req_valid_i(tr_valid), .req_ready_o(tr_ready), .req_asid_i(tr_asid), .req_root_i(tr_root),
    .req_vpn_i(tr_vpn), .rsp_valid_o(tr_rsp_valid), .rsp_fault_o(tr_fault), .rsp_frame_o(tr_frame),
    .tlb_asid_o(tlb_asid), .tlb_vpn_o(tlb_vpn), .tlb_hit_i(tlb_hit), .tlb_frame_i(tlb_frame),
    .tlb_fill_o(tlb_fill), .tlb_fill_frame_o(tlb_fill_frame),
    .tlb_inv_fire_i(inv_fire), .tlb_inv_asid_i(inv_fire_asid),
    .mem_req_valid_o(m_valid[1]), .mem_req_ready_i(m_ready[1]), .mem_req_addr_o(m_addr[AddrW +: AddrW]),
    .mem_rsp_valid_i(m_rsp_valid[1]), .mem_rsp_rdata_i(m_rdata)
  );
  assign m_we[1]    = 1'b0;
  assign m_wdata[32 +: 32] = '0;

  sgpu_tlb #(.Entries(TlbEntries), .AsidW(SlotW), .VpnW(VpnW), .FrameW(FrameW)) u_tlb (
    .clk_i, .rst_ni,
    .lookup_asid_i(tlb_asid), .lookup_vpn_i(tlb_vpn), .lookup_hit_o(tlb_hit),
    .lookup_frame_o(tlb_frame),
    .fill_valid_i(tlb_fill), .fill_asid_i(tlb_asid), .fill_vpn_i(tlb_vpn),
    .fill_frame_i(tlb_fill_frame),
    .inv_valid_i(inv_valid), .inv_by_asid_i(inv_by_asid), .inv_asid_i(inv_asid),
    .inv_vpn_i(inv_vpn), .inv_done_o(inv_done), .inv_fire_o(inv_fire),
    .inv_fire_asid_o(inv_fire_asid)
  );

  sgpu_queues #(.NumQueues(NumQueues), .NumProcs(NumProcs)) u_queues (
    .clk_i, .rst_ni,
    .create_i(q_create), .create_q_i(q_create_idx), .ring_va_i(q_ring_va),
    .ring_log2_i(q_ring_log2), .destroy_i(q_destroy), .destroy_q_i(q_destroy_idx),
    .stop_owner_i(q_stop), .release_owner_i(q_release), .clear_owner_i(q_clear),
    .owner_i(q_owner), .live_o(q_live), .owner_o(q_owners),
    .free_found_o(q_free_found), .free_idx_o(q_free_idx), .owned_cnt_o(q_owned_cnt),
    .owner_ign_o(q_owner_ign), .proc_active_i(proc_active),
    .db_valid_i(db_valid), .db_q_i(db_q), .db_wptr_i(db_wptr), .db_accept_o(db_accept),
    .rd_q_i(qrd_q), .rd_reg_i(qrd_reg), .rd_data_o(qrd_data), .ign_total_o(q_ign_total)
  );

  sgpu_mem_arb #(.N(NumM), .AddrW(AddrW)) u_arb (
    .clk_i, .rst_ni,
    .m_req_valid_i(m_valid), .m_req_ready_o(m_ready), .m_req_we_i(m_we), .m_req_addr_i(m_addr),
    .m_req_wdata_i(m_wdata), .m_rsp_valid_o(m_rsp_valid), .m_rsp_rdata_o(m_rdata),
    .s_req_valid_o(s_valid), .s_req_ready_i(s_ready), .s_req_we_o(s_we), .s_req_addr_o(s_addr),
    .s_req_wdata_o(s_wdata), .s_rsp_valid_i(s_rsp_valid), .s_rsp_rdata_i(s_rdata)
  );

  assign mem_req_valid_o = s_valid;
  assign s_ready         = mem_req_ready_i;
  always_comb begin
    mem_req_o       = '0;
    mem_req_o.we    = s_we;
    mem_req_o.be    = 4'hF;
    mem_req_o.addr  = sgpu_pkg::MemAddrW'(s_addr);
    mem_req_o.wdata = s_wdata;
  end
  assign s_rsp_valid     = mem_rsp_valid_i;
  assign mem_rsp_ready_o = 1'b1;   // every master here takes its read data at once
  assign s_rdata         = mem_rsp_i.rdata;

  // Waiver: db_accept and scrub_busy are for the engines (next milestone); the scrubber only
  // writes, so it never gets a read response.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = db_accept ^ scrub_busy ^ m_rsp_valid[2];
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
