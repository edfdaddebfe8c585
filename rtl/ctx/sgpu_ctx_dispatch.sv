// sgpu_ctx_dispatch: the context manager's front: takes one admin command at a time, checks
// the opcode, the process handle and the fields (docs/semantics.md, in that order), answers
// the short commands itself (QUERY, CREATE_QUEUE, DESTROY_QUEUE), starts the block that runs
// a long one, and posts the completion. It also decides who owns the shared resources
// (frame allocator, queue strobes, process-table updates) each cycle.
//
// Command (from sgpu_csr): pending while cmd_valid_i; taken with cmd_take_o when idle;
// busy_o from the take to the cpl_valid_o pulse. cmd_t0_i is the doorbell's cycle (the cycle
// counter's low TimeW bits; now_next_i is the counter's next value), so elapsed cycles, doorbell
// and now both included, are one subtraction: now_next_i - t0 (they wrap at 2^TimeW).
// Long commands: start_o[unit] pulses once with the command in cmd_o / slot_o (held until the
// completion); the unit answers with done_i[unit] (one cycle), its status and result words.
// start_o is registered: decode decides (start_d), the unit sees start_o in the next cycle,
// the first of StRun, and owns the shared resources from then (owner_o comes from registers
// only). Starting a unit in the decode cycle itself put the whole decode (handle and range
// checks, 32-bit compares) in front of every unit's first memory or allocator request: the
// critical path of the iCEBreaker build, 11.6 MHz, docs/boards.md; registered, 17-18 MHz (and
// the ULX3S 42 -> 58 MHz).
//   UnitPt   CREATE_PROCESS, MAP, UNMAP        (sgpu_ptmgr)
//   UnitTd   DESTROY_PROCESS                    (sgpu_teardown)
//   UnitMem  MEM_READ, MEM_WRITE                (sgpu_ctx_mem, which checks their fields: it
//                                                knows the data window's size)
// The deferred reclaimer asks with rc_req_i; when no command is outstanding it is granted
// (owner UnitRc) until rc_done_i, before the next command is taken, so a command after a
// DEFERRED completion sees the process's frames already on the dirty list.
// Completion: CPL_STATUS and CPL_RES0..5 are stored here, once (cpl_o), written only in the
// cycle of cpl_valid_o, so they always hold the last completed command; DESTROY_PROCESS's
// result 0 is the cycle count from the doorbell to the completion, both included.
// Latency: take 1 cycle; the short commands complete in the decode cycle, the long ones in
// the cycle their unit is done (the unit starts one cycle after decode).
module sgpu_ctx_dispatch #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned NumQueues = 4,
  parameter int unsigned TimeW     = 32,    // the cycle counts (they wrap)
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned GenW     = sgpu_regs_pkg::HANDLE_GEN_BITS,   // handle layout (the map)
  localparam int unsigned HSlotW   = sgpu_regs_pkg::HANDLE_SLOT_BITS,   // handle layout (the map)
  localparam int unsigned GenLsb   = sgpu_regs_pkg::HANDLE_GEN_SHIFT,   // handle layout (the map)
  localparam int unsigned QW       = (NumQueues > 1) ? $clog2(NumQueues) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned QCntW    = $clog2(NumQueues + 1),
  localparam int unsigned LiveW    = $clog2(NumProcs + 1),
  localparam int unsigned LvlW     = PageShift - 2,
  localparam int unsigned VpnW     = 2 * LvlW
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // command (register block)
  input  logic                 cmd_valid_i,
  input  sgpu_pkg::cmd_t       cmd_i,
  input  logic [TimeW-1:0]     cmd_t0_i,         // the doorbell's cycle
  input  logic [TimeW-1:0]     now_next_i,       // the cycle counter, next cycle
  output logic                 cmd_take_o,
  output logic                 busy_o,
  output logic                 cpl_valid_o,
  output sgpu_pkg::cpl_t       cpl_o,
  // the units: start / done, the command they work on
  output logic [2:0]           start_o,          // [UnitPt, UnitTd, UnitMem]
  output sgpu_pkg::cmd_t       cmd_o,
  output logic [SlotW-1:0]     slot_o,           // the command's slot (CREATE: the new one, from start + 1)
  output logic [TimeW-1:0]     t0_o,             // the command's doorbell cycle
  output logic [TimeW-1:0]     elapsed_o,        // doorbell to now, both included (TD_VALIDATE in decode)
  input  logic [2:0]           done_i,
  input  logic [2:0][31:0]     status_i,
  input  logic [2:0][5:0][31:0] res_i,
  output logic [2:0]           owner_o,          // one-hot: who owns the shared resources
  output logic                 owner_rc_o,       // ... the reclaimer
  // the deferred reclaimer
  input  logic                 rc_req_i,
  input  logic                 rc_done_i,
  // process table (the command's slot, and the summaries)
  input  logic [1:0]           pt_state_i,
  input  logic [GenW-1:0] pt_gen_i,
  input  logic [CntW-1:0]      pt_data_i,
  input  logic [CntW-1:0]      pt_tbl_i,
  input  logic                 pt_free_found_i,
  input  logic [SlotW-1:0]     pt_free_idx_i,
  input  logic [LiveW-1:0]     pt_live_i,
  // frame counts
  input  logic [CntW-1:0]      frames_clean_i,
  input  logic [CntW-1:0]      frames_dirty_i,
  input  logic [CntW-1:0]      frames_used_i,
  // queue slots
  output sgpu_pkg::qctl_t      qctl_o,           // CREATE_QUEUE / DESTROY_QUEUE strobes
  output logic [QW-1:0]        q_lk_o,           // the queue DESTROY_QUEUE names
  input  logic                 q_lk_live_i,
  input  logic [SlotW-1:0]     q_lk_owner_i,
  input  logic                 q_free_found_i,
  input  logic [QW-1:0]        q_free_idx_i,
  input  logic [QCntW-1:0]     q_owned_cnt_i,    // of the command's slot
  input  logic [31:0]          q_owner_ign_i,    // of the command's slot
  input  logic [QCntW-1:0]     q_live_cnt_i,
  input  logic [31:0]          q_ign_total_i
);
  // CREATE_QUEUE's ring: base address and log2 size as the map's QRING lays them out
  localparam int unsigned RingLsb = sgpu_regs_pkg::QRING_BASE_LSB;
  localparam int unsigned Log2W   = sgpu_regs_pkg::QRING_LOG2_BITS;
  localparam int unsigned UnitPt = 0, UnitTd = 1, UnitMem = 2;
  localparam logic [1:0] PsFree   = sgpu_regs_pkg::PROC_STATE_FREE[1:0];
  localparam logic [1:0] PsDying  = sgpu_regs_pkg::PROC_STATE_DYING[1:0];
  localparam logic [32:0] VpnLimit = 33'd1 << VpnW;

  typedef enum logic [1:0] {StIdle, StDecode, StRun, StRc} state_e;
  state_e          st_q, st_d;
  sgpu_pkg::cmd_t  cmd_q;
  logic [1:0]      unit_q, unit_d;              // the unit running the command
  logic [2:0]      start_d, start_q;            // start_o, registered
  logic [31:0]     status_q, status_d;   // the last completion (CPL_STATUS) ...
  logic [5:0][31:0] res_q, res_d;        // ... and its result words (CPL_RES0..5)
  logic [TimeW-1:0] t0_q;                       // the doorbell's cycle
  logic [TimeW-1:0] elapsed;                    // doorbell .. now, both included
  logic [SlotW-1:0] slot_q, slot_d;

  // ---------------------------------------------------------------- decode helpers
  logic        hslot_ok, handle_bad, handle_dying;
  logic [32:0] base_vpn, end_vpn;      // 33 bits: a 32-bit page count past any base fits
  logic [CntW:0] free_frames;
  logic        is_dev_query;
  assign hslot_ok     = 32'(cmd_q.arg0[HSlotW-1:0]) < NumProcs;
  assign handle_bad   = !hslot_ok || pt_state_i == PsFree || pt_gen_i != cmd_q.arg0[GenLsb +: GenW];
  assign handle_dying = pt_state_i == PsDying;
  assign base_vpn     = 33'(cmd_q.arg1) >> PageShift;
  assign end_vpn      = base_vpn + 33'(cmd_q.arg2);
  assign free_frames  = (CntW+1)'(frames_clean_i) + (CntW+1)'(frames_dirty_i);
  assign is_dev_query = cmd_q.opcode == sgpu_regs_pkg::OP_QUERY && cmd_q.arg0 == sgpu_regs_pkg::HANDLE_DEVICE;
  assign q_lk_o       = cmd_q.arg1[QW-1:0];

  // ---------------------------------------------------------------- the FSM
  always_comb begin
    st_d       = st_q;
    unit_d     = unit_q;
    status_d   = status_q;
    res_d      = res_q;
    slot_d     = slot_q;
    cmd_take_o = 1'b0;
    start_d    = '0;
    qctl_o     = '0;
    qctl_o.owner     = sgpu_pkg::AsidW'(slot_q);
    qctl_o.ring_va   = cmd_q.arg1[31:RingLsb];
    qctl_o.ring_log2 = cmd_q.arg2[Log2W-1:0];
    cpl_valid_o = 1'b0;

    unique case (st_q)
      StIdle: begin
        if (rc_req_i) st_d = StRc;
        else if (cmd_valid_i) begin
          cmd_take_o = 1'b1;
          st_d       = StDecode;
        end
      end
      StRc: if (rc_done_i) st_d = StIdle;

      StDecode: begin
        st_d     = StIdle;            // unless a unit starts
        status_d = sgpu_regs_pkg::STATUS_SUCCESS;
        res_d    = '0;
        // 1. the opcode (each has its own arm; anything else is refused), 2. the handle,
        // 3. the fields, 4. resources
        unique case (cmd_q.opcode)
          sgpu_regs_pkg::OP_CREATE_PROCESS: begin
            if (!pt_free_found_i)        status_d = sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES;
            else if (free_frames == '0)  status_d = sgpu_regs_pkg::STATUS_NO_MEMORY;
            else begin
              slot_d = pt_free_idx_i;
              unit_d = 2'(UnitPt);
              st_d   = StRun;
            end
          end
          sgpu_regs_pkg::OP_DESTROY_PROCESS, sgpu_regs_pkg::OP_MAP, sgpu_regs_pkg::OP_UNMAP,
          sgpu_regs_pkg::OP_CREATE_QUEUE, sgpu_regs_pkg::OP_DESTROY_QUEUE,
          sgpu_regs_pkg::OP_QUERY, sgpu_regs_pkg::OP_MEM_READ, sgpu_regs_pkg::OP_MEM_WRITE: begin
            if (is_dev_query) begin
              res_d[0] = 32'(frames_clean_i);
              res_d[1] = 32'(frames_dirty_i);
              res_d[2] = 32'(frames_used_i);
              res_d[3] = 32'(pt_live_i);
              res_d[4] = 32'(q_live_cnt_i);
              res_d[5] = q_ign_total_i;
            end else if (handle_bad) begin
              status_d = sgpu_regs_pkg::STATUS_INVALID_HANDLE;
            end else if (handle_dying) begin
              status_d = sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING;
            end else begin
              unique case (cmd_q.opcode)
                sgpu_regs_pkg::OP_QUERY: begin
                  res_d[0] = 32'(pt_state_i);
                  res_d[1] = 32'(slot_q);
                  res_d[2] = 32'(pt_data_i);
                  res_d[3] = 32'(pt_tbl_i);
                  res_d[4] = 32'(q_owned_cnt_i);
                  res_d[5] = q_owner_ign_i;
                end
                sgpu_regs_pkg::OP_DESTROY_PROCESS: begin
                  if (32'(cmd_q.policy) > sgpu_regs_pkg::POLICY_DEFERRED)
                    status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
                  else begin
                    unit_d = 2'(UnitTd);
                    st_d   = StRun;
                  end
                end
                sgpu_regs_pkg::OP_MAP, sgpu_regs_pkg::OP_UNMAP: begin
                  if (cmd_q.arg1[PageShift-1:0] != '0 || cmd_q.arg2 == '0 || end_vpn > VpnLimit)
                    status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
                  else begin
                    unit_d = 2'(UnitPt);
                    st_d   = StRun;
                  end
                end
                sgpu_regs_pkg::OP_CREATE_QUEUE: begin
                  if (cmd_q.arg1[RingLsb-1:0] != '0 || cmd_q.arg2 == '0 || cmd_q.arg2 > 32'((1 << Log2W) - 1))
                    status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
                  else if (!q_free_found_i)
                    status_d = sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES;
                  else begin
                    qctl_o.op  = sgpu_pkg::QcCreate;
                    qctl_o.qid = sgpu_pkg::QueueIdW'(q_free_idx_i);
                    res_d[0]   = 32'(q_free_idx_i);
                  end
                end
                sgpu_regs_pkg::OP_DESTROY_QUEUE: begin
                  if (cmd_q.arg1 >= NumQueues || !q_lk_live_i || q_lk_owner_i != slot_q)
                    status_d = sgpu_regs_pkg::STATUS_INVALID_PARAMETER;
                  else begin
                    qctl_o.op  = sgpu_pkg::QcDestroy;
                    qctl_o.qid = sgpu_pkg::QueueIdW'(q_lk_o);
                  end
                end
                sgpu_regs_pkg::OP_MEM_READ, sgpu_regs_pkg::OP_MEM_WRITE: begin
                  unit_d = 2'(UnitMem);                // it checks va and words itself
                  st_d   = StRun;
                end
                default: status_d = sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST;  // unreachable
              endcase
            end
          end
          default: status_d = sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST;
        endcase
        if (st_d == StRun) start_d[unit_d] = 1'b1;
        else cpl_valid_o = 1'b1;
      end

      StRun: begin
        if (done_i[unit_q]) begin
          status_d    = status_i[unit_q];
          res_d       = res_i[unit_q];
          cpl_valid_o = 1'b1;
          st_d        = StIdle;
          if (cmd_q.opcode == sgpu_regs_pkg::OP_DESTROY_PROCESS &&
              status_i[unit_q] == sgpu_regs_pkg::STATUS_SUCCESS)
            res_d[0] = 32'(elapsed);               // doorbell to completion, both included
        end
      end
      default: st_d = StIdle;
    endcase
  end

  assign busy_o = (st_q == StDecode) || (st_q == StRun);
  always_comb begin
    owner_o = '0;
    if (st_q == StRun) owner_o[unit_q] = 1'b1;
  end
  assign owner_rc_o = (st_q == StRc);
  assign cmd_o      = cmd_q;
  assign slot_o     = slot_q;           // units read it from the cycle after their start
  assign elapsed   = now_next_i - t0_q;
  assign elapsed_o = elapsed;
  assign t0_o      = t0_q;

  assign cpl_o.status = status_q;
  assign cpl_o.res    = res_q;

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q    <= StIdle;
      start_q <= '0;
    end else begin
      st_q    <= st_d;
      start_q <= start_d;
    end
  end
  assign start_o = start_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      status_q <= '0;
      res_q    <= '0;
      cmd_q    <= '0;
    end else begin
      if (cpl_valid_o) begin
        status_q <= status_d;
        res_q    <= res_d;
      end
      if (cmd_take_o) cmd_q <= cmd_i;
    end
  end

  // Datapath: loaded at the take, only read while a command is outstanding.
  always_ff @(posedge clk_i) begin
    unit_q <= unit_d;
    slot_q <= cmd_take_o ? SlotW'(cmd_i.arg0[SlotW-1:0]) : slot_d;
    if (cmd_take_o) t0_q <= cmd_t0_i;
  end

`ifdef FORMAL
  `include "sgpu_ctx_dispatch_props.svh"
`endif

`ifdef VERILATOR  // functional covers (make coverage): every status, a command held while the
                  // reclaimer runs
  CovHeldCmd_C:     cover property (@(posedge clk_i) cmd_valid_i && st_q == StRc);
  CovStSuccess_C:   cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_SUCCESS);
  CovStAccess_C:    cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_ACCESS_VIOLATION);
  CovStHandle_C:    cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_INVALID_HANDLE);
  CovStParam_C:     cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_INVALID_PARAMETER);
  CovStRequest_C:   cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_INVALID_DEVICE_REQUEST);
  CovStNoMem_C:     cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_NO_MEMORY);
  CovStConflict_C:  cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_CONFLICTING_ADDRESSES);
  CovStNotMapped_C: cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_NOT_MAPPED_VIEW);
  CovStResources_C: cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_INSUFFICIENT_RESOURCES);
  CovStTerminating_C: cover property (@(posedge clk_i) cpl_valid_o && status_d == sgpu_regs_pkg::STATUS_PROCESS_IS_TERMINATING);
`endif
endmodule
