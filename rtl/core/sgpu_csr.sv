// sgpu_csr: the register block. Decodes the register bus into the admin mailbox, the
// completion registers, the device counters and the queue-slot window.
//
// Register bus (any master: the simulator's C ABI today, a UART bridge or a PCIe BAR later):
//   reg_valid_i, reg_write_i, reg_addr_i (byte offset), reg_wdata_i; always ready.
//   Reads answer on reg_rvalid_o/reg_rdata_o one cycle after the request. Writes are posted.
// Offsets, fields and codes all come from the generated sgpu_regs_pkg.
// The admin doorbell makes the command pending (cmd_valid_o) until the context manager takes
// it (cmd_take_i); cmd_wait_o counts the cycles it has been pending, doorbell cycle included,
// so the completion's cycle count starts at the doorbell. A doorbell while a command is
// pending or executing (ADMIN_STATUS.BUSY) is dropped and counted (ADMIN_DROPPED). A
// completion (cpl_valid_i) advances CPL_SEQ and raises IRQ (irq_o) until IRQ_ACK; CPL_STATUS
// and CPL_RESn read the context manager's completion record (cpl_i), which holds the last
// completed command: the results are stored there once, not copied here.
module sgpu_csr #(
  parameter int unsigned PageShift    = 8,
  parameter int unsigned NumFrames    = 64,
  parameter int unsigned NumProcs     = 4,
  parameter int unsigned NumQueues    = 4,
  parameter int unsigned TlbEntries   = 4,
  parameter int unsigned TimeW        = 32,
  parameter int unsigned DrainW       = 20,
  parameter int unsigned DrainTimeout = 4096,   // DRAIN_TIMEOUT after reset
  localparam int unsigned CntW        = $clog2(NumFrames + 1),
  localparam int unsigned LiveW       = $clog2(NumProcs + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // register bus
  input  logic                  reg_valid_i,
  input  logic                  reg_write_i,
  input  logic [15:0]           reg_addr_i,
  input  logic [31:0]           reg_wdata_i,
  output logic                  reg_rvalid_o,
  output logic [31:0]           reg_rdata_o,
  output logic                  irq_o,
  // context manager
  output logic                  cmd_valid_o,
  input  logic                  cmd_take_i,
  output logic [31:0]           cmd_wait_o,
  output sgpu_pkg::cmd_t        cmd_o,
  input  logic                  cmd_busy_i,
  input  logic                  cpl_valid_i,
  input  sgpu_pkg::cpl_t        cpl_i,
  output logic [TimeW-1:0]      now_o,           // the free-running cycle counter, low bits
  output logic [DrainW-1:0]     drain_timeout_o,
  // counters
  input  logic [CntW-1:0]       frames_clean_i,
  input  logic [CntW-1:0]       frames_dirty_i,
  input  logic [CntW-1:0]       frames_used_i,
  input  logic [31:0]           db_ignored_i,
  input  logic [31:0]           scrub_cycles_i,
  input  logic [5:0][TimeW-1:0] td_i,            // TD_VALIDATE .. TD_COMPLETE
  input  logic [TimeW-1:0]      td_scrub_i,
  input  logic [31:0]           rc_seq_i,
  input  logic [31:0]           rc_handle_i,
  input  logic [TimeW-1:0]      rc_cycles_i,
  input  logic [CntW:0]         rc_frames_i,
  input  logic [TimeW-1:0]      rc_scrub_i,
  input  logic [7:0]            rc_free_i,
  input  logic [7:0]            rc_release_i,
  input  logic [LiveW-1:0]      rc_pending_i,
  // queue window
  output logic                  db_valid_o,
  output logic [7:0]            db_q_o,
  output logic [31:0]           db_wptr_o,
  output logic [7:0]            qrd_q_o,
  output logic [1:0]            qrd_reg_o,
  input  logic [31:0]           qrd_data_i
);
  localparam logic [15:0] QBase   = sgpu_regs_pkg::QUEUE_BASE[15:0];
  localparam int unsigned QStride = sgpu_regs_pkg::QUEUE_STRIDE;
  localparam int unsigned QShift  = $clog2(QStride);

  logic [31:0]      op_q, arg0_q, arg1_q, arg2_q, arg3_q;
  logic [31:0]      seq_q, dropped_q;
  logic [DrainW-1:0] drain_q;
  logic             irq_q, pend_q, busy;
  logic [31:0]      pend_cnt_q;
  logic [63:0]      cycle_q;
  logic [31:0]      cycle_hi_q;
  logic             rvalid_q;
  logic [31:0]      rdata_q, rdata_d;
  logic             wr, rd, in_qwin;
  logic [15:0]      qoff, qidx;
  logic [7:0]       qsel;

  assign wr      = reg_valid_i && reg_write_i;
  assign rd      = reg_valid_i && !reg_write_i;
  assign in_qwin = reg_addr_i >= QBase;
  assign qoff    = reg_addr_i - QBase;

  assign busy         = pend_q || cmd_busy_i;
  assign cmd_valid_o  = pend_q;
  assign cmd_wait_o   = pend_cnt_q;
  always_comb begin
    cmd_o        = '0;
    cmd_o.opcode = op_q[sgpu_regs_pkg::CMD_OP_OPCODE_LSB +: 8];
    cmd_o.policy = op_q[sgpu_regs_pkg::CMD_OP_POLICY_LSB +: 2];
    cmd_o.arg0   = arg0_q;
    cmd_o.arg1   = arg1_q;
    cmd_o.arg2   = arg2_q;
    cmd_o.arg3   = arg3_q;
  end
  assign now_o           = cycle_q[TimeW-1:0];
  assign drain_timeout_o = drain_q;

  // Queue window: slot = offset / stride, register = (offset % stride) / 4. Slots past 254
  // map to 0xFF, which is never a real slot (NumQueues <= 255), so they cannot alias slot 0.
  assign qidx       = qoff >> QShift;
  assign qsel       = (qidx < 16'd255) ? qidx[7:0] : 8'hFF;
  assign qrd_q_o    = qsel;
  assign qrd_reg_o  = qoff[3:2];
  assign db_q_o     = qsel;
  assign db_wptr_o  = reg_wdata_i;
  assign db_valid_o = wr && in_qwin && (qoff[QShift-1:0] == sgpu_regs_pkg::QREG_QDB[QShift-1:0]);
  assign irq_o      = irq_q;

  always_comb begin
    rdata_d = '0;
    if (in_qwin) rdata_d = qrd_data_i;
    else begin
      unique case (reg_addr_i)
        sgpu_regs_pkg::REG_ID[15:0]:           rdata_d = sgpu_regs_pkg::MAGIC;
        sgpu_regs_pkg::REG_VERSION[15:0]:      rdata_d = sgpu_regs_pkg::VERSION;
        sgpu_regs_pkg::REG_CAPS0[15:0]:        rdata_d =
            (32'(NumProcs)   << sgpu_regs_pkg::CAPS0_NUM_PROCS_LSB) |
            (32'(NumQueues)  << sgpu_regs_pkg::CAPS0_NUM_QUEUES_LSB) |
            (32'(TlbEntries) << sgpu_regs_pkg::CAPS0_TLB_ENTRIES_LSB) |
            (32'(PageShift)  << sgpu_regs_pkg::CAPS0_PAGE_SHIFT_LSB);
        sgpu_regs_pkg::REG_CAPS1[15:0]:        rdata_d = 32'(NumFrames);
        sgpu_regs_pkg::REG_CMD_OP[15:0]:       rdata_d = op_q;
        sgpu_regs_pkg::REG_CMD_ARG0[15:0]:     rdata_d = arg0_q;
        sgpu_regs_pkg::REG_CMD_ARG1[15:0]:     rdata_d = arg1_q;
        sgpu_regs_pkg::REG_CMD_ARG2[15:0]:     rdata_d = arg2_q;
        sgpu_regs_pkg::REG_CMD_ARG3[15:0]:     rdata_d = arg3_q;
        sgpu_regs_pkg::REG_ADMIN_STATUS[15:0]: rdata_d =
            (32'(busy)       << sgpu_regs_pkg::ADMIN_STATUS_BUSY_LSB) |
            (32'(irq_q)      << sgpu_regs_pkg::ADMIN_STATUS_IRQ_LSB);
        sgpu_regs_pkg::REG_CPL_STATUS[15:0]:   rdata_d = cpl_i.status;
        sgpu_regs_pkg::REG_CPL_SEQ[15:0]:      rdata_d = seq_q;
        sgpu_regs_pkg::REG_CPL_RES0[15:0]:     rdata_d = cpl_i.res[0];
        sgpu_regs_pkg::REG_CPL_RES1[15:0]:     rdata_d = cpl_i.res[1];
        sgpu_regs_pkg::REG_CPL_RES2[15:0]:     rdata_d = cpl_i.res[2];
        sgpu_regs_pkg::REG_CPL_RES3[15:0]:     rdata_d = cpl_i.res[3];
        sgpu_regs_pkg::REG_CPL_RES4[15:0]:     rdata_d = cpl_i.res[4];
        sgpu_regs_pkg::REG_CPL_RES5[15:0]:     rdata_d = cpl_i.res[5];
        sgpu_regs_pkg::REG_ADMIN_DROPPED[15:0]: rdata_d = dropped_q;
        sgpu_regs_pkg::REG_FRAMES_CLEAN[15:0]: rdata_d = 32'(frames_clean_i);
        sgpu_regs_pkg::REG_FRAMES_DIRTY[15:0]: rdata_d = 32'(frames_dirty_i);
        sgpu_regs_pkg::REG_FRAMES_USED[15:0]:  rdata_d = 32'(frames_used_i);
        sgpu_regs_pkg::REG_DB_IGNORED[15:0]:   rdata_d = db_ignored_i;
        sgpu_regs_pkg::REG_SCRUB_CYCLES[15:0]: rdata_d = scrub_cycles_i;
        sgpu_regs_pkg::REG_TD_VALIDATE[15:0]:  rdata_d = 32'(td_i[0]);
        sgpu_regs_pkg::REG_TD_STOP_DRAIN[15:0]: rdata_d = 32'(td_i[1]);
        sgpu_regs_pkg::REG_TD_TLB[15:0]:       rdata_d = 32'(td_i[2]);
        sgpu_regs_pkg::REG_TD_FREE[15:0]:      rdata_d = 32'(td_i[3]);
        sgpu_regs_pkg::REG_TD_RELEASE[15:0]:   rdata_d = 32'(td_i[4]);
        sgpu_regs_pkg::REG_TD_COMPLETE[15:0]:  rdata_d = 32'(td_i[5]);
        sgpu_regs_pkg::REG_TD_SCRUB[15:0]:     rdata_d = 32'(td_scrub_i);
        sgpu_regs_pkg::REG_RECLAIM_SEQ[15:0]:  rdata_d = rc_seq_i;
        sgpu_regs_pkg::REG_RECLAIM_HANDLE[15:0]: rdata_d = rc_handle_i;
        sgpu_regs_pkg::REG_RECLAIM_CYCLES[15:0]: rdata_d = 32'(rc_cycles_i);
        sgpu_regs_pkg::REG_RECLAIM_FRAMES[15:0]: rdata_d = 32'(rc_frames_i);
        sgpu_regs_pkg::REG_RECLAIM_PENDING[15:0]: rdata_d = 32'(rc_pending_i);
        sgpu_regs_pkg::REG_RECLAIM_SCRUB[15:0]: rdata_d = 32'(rc_scrub_i);
        sgpu_regs_pkg::REG_RECLAIM_FREE[15:0]: rdata_d = 32'(rc_free_i);
        sgpu_regs_pkg::REG_RECLAIM_RELEASE[15:0]: rdata_d = 32'(rc_release_i);
        sgpu_regs_pkg::REG_DRAIN_TIMEOUT[15:0]: rdata_d = 32'(drain_q);
        sgpu_regs_pkg::REG_CYCLE_LO[15:0]:     rdata_d = cycle_q[31:0];
        sgpu_regs_pkg::REG_CYCLE_HI[15:0]:     rdata_d = cycle_hi_q;
        default:                               rdata_d = '0;
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      op_q       <= '0;
      arg0_q     <= '0;
      arg1_q     <= '0;
      arg2_q     <= '0;
      arg3_q     <= '0;
      seq_q      <= '0;
      dropped_q  <= '0;
      drain_q    <= DrainW'(DrainTimeout);
      irq_q      <= 1'b0;
      cycle_q    <= '0;
      cycle_hi_q <= '0;
      rvalid_q   <= 1'b0;
      pend_q     <= 1'b0;
      pend_cnt_q <= '0;
    end else begin
      if (cmd_take_i) pend_q <= 1'b0;
      else if (pend_q) pend_cnt_q <= pend_cnt_q + 1'b1;
      cycle_q  <= cycle_q + 1'b1;
      rvalid_q <= rd;
      if (rd && reg_addr_i == sgpu_regs_pkg::REG_CYCLE_LO[15:0]) cycle_hi_q <= cycle_q[63:32];
      if (wr) begin
        unique case (reg_addr_i)
          sgpu_regs_pkg::REG_CMD_OP[15:0]:   op_q   <= reg_wdata_i;
          sgpu_regs_pkg::REG_CMD_ARG0[15:0]: arg0_q <= reg_wdata_i;
          sgpu_regs_pkg::REG_CMD_ARG1[15:0]: arg1_q <= reg_wdata_i;
          sgpu_regs_pkg::REG_CMD_ARG2[15:0]: arg2_q <= reg_wdata_i;
          sgpu_regs_pkg::REG_CMD_ARG3[15:0]: arg3_q <= reg_wdata_i;
          sgpu_regs_pkg::REG_DRAIN_TIMEOUT[15:0]: drain_q <= DrainW'(reg_wdata_i);
          sgpu_regs_pkg::REG_ADMIN_DOORBELL[15:0]: begin
            if (busy) dropped_q <= dropped_q + 1'b1;
            else begin
              pend_q     <= 1'b1;
              pend_cnt_q <= 32'd1;
            end
          end
          default: ;
        endcase
      end
      if (cpl_valid_i) begin
        seq_q    <= seq_q + 1'b1;
        irq_q    <= 1'b1;
      end else if (wr && reg_addr_i == sgpu_regs_pkg::REG_IRQ_ACK[15:0] && reg_wdata_i[0]) begin
        irq_q <= 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i) rdata_q <= rdata_d;

`ifdef FORMAL
  // Properties for tests/formal/csr.sby, the register block's half of "every accepted command
  // gets exactly one completion" (sgpu_ctxmgr's FORMAL block proves one completion per take):
  // a doorbell is either accepted (exactly one pending command, taken exactly once) or dropped
  // and counted; every completion advances CPL_SEQ by one and latches its status.
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  // environment (sgpu_ctxmgr's contract): it takes a command only while one is pending
  always_comb if (rst_ni && cmd_take_i) assume (cmd_valid_o);

  logic f_db;
  assign f_db = wr && reg_addr_i == sgpu_regs_pkg::REG_ADMIN_DOORBELL[15:0];
  always_comb if (f_past_valid && rst_ni) begin
    assert (cmd_valid_o == pend_q);
  end
  always_ff @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni)) begin
      // an accepted doorbell makes exactly one command pending, waiting 1 cycle so far
      if ($past(f_db && !busy)) begin
        assert (pend_q && pend_cnt_q == 32'd1 && dropped_q == $past(dropped_q));
      end
      // a doorbell while busy is dropped and counted, and changes nothing else
      if ($past(f_db && busy)) begin
        assert (dropped_q == $past(dropped_q) + 32'd1);
        assert (pend_q == ($past(pend_q) && !$past(cmd_take_i)));
      end
      if (!$past(f_db)) assert (dropped_q == $past(dropped_q));
      // a pending command ends only by being taken, and only an accepted doorbell starts one
      if ($past(pend_q) && !pend_q) assert ($past(cmd_take_i));
      if (!$past(pend_q) && pend_q) assert ($past(f_db && !busy));
      if ($past(cmd_take_i)) assert (!pend_q);
      // while pending, the wait count counts cycles
      if ($past(pend_q) && pend_q) assert (pend_cnt_q == $past(pend_cnt_q) + 32'd1);
      // every completion counts once: CPL_SEQ + 1 and IRQ raised (the record is the
      // context manager's, read through)
      if ($past(cpl_valid_i)) begin
        assert (seq_q == $past(seq_q) + 32'd1 && irq_q);
      end else begin
        assert (seq_q == $past(seq_q));
      end
    end
  end
  always_comb if (f_past_valid && rst_ni) begin
    cover (f_db && busy);                     // a dropped doorbell
    cover (pend_q && pend_cnt_q == 32'd3);    // a command kept waiting (reclaimer running)
    cover (cpl_valid_i && irq_q);             // a completion before the previous IRQ_ACK
  end
`endif

  assign reg_rvalid_o = rvalid_q;
  assign reg_rdata_o  = rdata_q;
endmodule
