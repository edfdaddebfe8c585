// sgpu_csr: the register block's behaviour. The generated sgpu_reg_block (regmap/sgpu.toml)
// decodes the register bus, stores the rw registers (CMD_*, DRAIN_TIMEOUT), answers reads and
// forwards the queue and data windows; this module adds what is not plain storage:
//   - the admin mailbox: ADMIN_DOORBELL (a write strobe) makes the command pending
//     (cmd_valid_o) until the context manager takes it (cmd_take_i); cmd_t0_o is the cycle
//     counter's value (low TimeW bits) in the doorbell's cycle, so the completion's cycle
//     count starts at the doorbell (now_next_o - cmd_t0_o: doorbell to now, both included). A doorbell while a command is pending or executing
//     (ADMIN_STATUS.BUSY) is dropped and counted (ADMIN_DROPPED). A completion (cpl_valid_i)
//     advances CPL_SEQ and raises IRQ (irq_o) until a write of 1 to IRQ_ACK.ACK
//     (write-one-to-clear; a completion in the same cycle wins). CPL_STATUS and CPL_RESn read
//     the context manager's completion record (cpl_i): the results are stored there once;
//   - the free-running CycleW-bit cycle counter (64, or 33..64: it wraps at 2^CycleW): CYCLE_LO
//     reads its low word and (read strobe) samples the high bits into CYCLE_HI, so LO then HI
//     is one consistent value;
//   - the queue window as slot/register selects and doorbell strobes for sgpu_queues.
// Every other ro register comes in on hw2reg_i, filled by the core (the mailbox and cycle
// registers there are this module's and are overridden).
//
// Register bus (any master: the simulator's C ABI today, a UART bridge or a PCIe BAR later):
//   reg_valid_i, reg_write_i, reg_addr_i (byte offset), reg_wdata_i; always ready.
//   Reads answer on reg_rvalid_o/reg_rdata_o one cycle after the request. Writes are posted.
// Data window: the register block's DATA sub-bus, passed through to sgpu_data_window
//   (dwin_*; read data the cycle after the request).
module sgpu_csr #(
  parameter int unsigned TimeW        = 32,
  parameter int unsigned CycleW       = 64,     // the cycle counter, 33..64 (CYCLE_LO/HI)
  parameter int unsigned StatW        = 32,     // ADMIN_DROPPED's counter (it wraps)
  parameter int unsigned DrainW       = 20,
  parameter int unsigned DrainTimeout = 4096,   // DRAIN_TIMEOUT after reset
  localparam int unsigned AddrW       = sgpu_regs_pkg::BUS_ADDR_BITS,
  localparam int unsigned QOffW       = $clog2(sgpu_regs_pkg::QUEUE_SIZE),
  localparam int unsigned DOffW       = $clog2(sgpu_regs_pkg::DATA_SIZE)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // register bus
  input  logic                   reg_valid_i,
  input  logic                   reg_write_i,
  input  logic [AddrW-1:0]       reg_addr_i,
  input  logic [31:0]            reg_wdata_i,
  output logic                   reg_rvalid_o,
  output logic [31:0]            reg_rdata_o,
  output logic                   irq_o,
  // the hardware-written registers the core provides (mailbox and cycle fields ignored), and
  // the whole reg2hw bundle, for registers that blocks outside this one use
  input  sgpu_regs_pkg::hw2reg_t hw2reg_i,
  output sgpu_regs_pkg::reg2hw_t reg2hw_o,
  // context manager
  output logic                   cmd_valid_o,
  input  logic                   cmd_take_i,
  output logic [TimeW-1:0]       cmd_t0_o,        // the doorbell's cycle
  output sgpu_pkg::cmd_t         cmd_o,
  input  logic                   cmd_busy_i,
  input  logic                   cpl_valid_i,
  input  sgpu_pkg::cpl_t         cpl_i,
  output logic [TimeW-1:0]       now_o,           // the free-running cycle counter, low bits
  output logic [TimeW-1:0]       now_next_o,      // ... and its value in the next cycle
  output logic [DrainW-1:0]      drain_timeout_o,
  // TD_VALIDATE..TD_COMPLETE: words of the teardown's phase RAM (the map's RAM group TD)
  output logic [2:0]             td_raddr_o,      // the word a read names, every cycle
  input  logic [31:0]            td_rdata_i,      // its value, the cycle after
  // queue window
  output logic                   db_valid_o,
  output logic [7:0]             db_q_o,
  output logic [31:0]            db_wptr_o,
  output logic [7:0]             qrd_q_o,
  output logic [1:0]             qrd_reg_o,
  input  logic [31:0]            qrd_data_i,
  // data window (byte offset inside it; read data the cycle after)
  output logic                   dwin_valid_o,
  output logic                   dwin_write_o,
  output logic [DOffW-1:0]       dwin_addr_o,
  output logic [31:0]            dwin_wdata_o,
  input  logic [31:0]            dwin_rdata_i
);
  localparam int unsigned QShift = $clog2(sgpu_regs_pkg::QUEUE_STRIDE);

  if (DrainW > sgpu_regs_pkg::DRAIN_TIMEOUT_CYCLES_BITS) begin : g_bad_drain_w
    $error("sgpu_csr: DrainW %0d is wider than DRAIN_TIMEOUT.CYCLES (%0d bits)", DrainW,
           sgpu_regs_pkg::DRAIN_TIMEOUT_CYCLES_BITS);
  end
  if (QOffW - QShift != 8 || QShift - 2 != 2) begin : g_bad_queue_window
    $error("sgpu_csr: the queue window must hold 256 slots of 4 registers (db_q_o, qrd_reg_o)");
  end

  sgpu_regs_pkg::reg2hw_t reg2hw;
  sgpu_regs_pkg::hw2reg_t hw2reg;
  logic                   q_valid, q_write;
  logic [QOffW-1:0]       q_addr;
  logic [31:0]            q_wdata;

  logic             pend_q, pend_d, irq_q, irq_d, busy;
  logic [TimeW-1:0] t0_q, t0_d;
  logic [31:0]      seq_q, seq_d;
  logic [StatW-1:0] dropped_q, dropped_d;
  logic [31:0]      cycle_hi_q, cycle_hi_d;
  logic [CycleW-1:0] cycle_q, cycle_d;

  sgpu_reg_block #(.DrainTimeout(DrainTimeout)) u_regs (
    .clk_i, .rst_ni,
    .reg_valid_i, .reg_write_i, .reg_addr_i, .reg_wdata_i, .reg_rvalid_o, .reg_rdata_o,
    .reg2hw_o(reg2hw), .hw2reg_i(hw2reg),
    .queue_valid_o(q_valid), .queue_write_o(q_write), .queue_addr_o(q_addr),
    .queue_wdata_o(q_wdata), .queue_rdata_i(qrd_data_i),
    .data_valid_o(dwin_valid_o), .data_write_o(dwin_write_o), .data_addr_o(dwin_addr_o),
    .data_wdata_o(dwin_wdata_o), .data_rdata_i(dwin_rdata_i),
    .td_raddr_o, .td_rdata_i
  );

  // ---------------------------------------------------------------- the hardware's registers
  assign busy = pend_q || cmd_busy_i;
  always_comb begin
    hw2reg                   = hw2reg_i;
    hw2reg.admin_status.busy = busy;
    hw2reg.admin_status.irq  = irq_q;
    hw2reg.cpl_status.d      = cpl_i.status;
    hw2reg.cpl_seq.d         = seq_q;
    hw2reg.cpl_res0.d        = cpl_i.res[0];
    hw2reg.cpl_res1.d        = cpl_i.res[1];
    hw2reg.cpl_res2.d        = cpl_i.res[2];
    hw2reg.cpl_res3.d        = cpl_i.res[3];
    hw2reg.cpl_res4.d        = cpl_i.res[4];
    hw2reg.cpl_res5.d        = cpl_i.res[5];
    hw2reg.admin_dropped.d   = 32'(dropped_q);
    hw2reg.cycle_lo.d        = cycle_q[31:0];
    hw2reg.cycle_hi.d        = cycle_hi_q;
  end

  always_comb begin
    cmd_o        = '0;
    cmd_o.opcode = reg2hw.cmd_op.opcode;
    cmd_o.policy = reg2hw.cmd_op.policy;
    cmd_o.arg0   = reg2hw.cmd_arg0.q;
    cmd_o.arg1   = reg2hw.cmd_arg1.q;
    cmd_o.arg2   = reg2hw.cmd_arg2.q;
    cmd_o.arg3   = reg2hw.cmd_arg3.q;
  end
  assign reg2hw_o        = reg2hw;
  assign cmd_valid_o     = pend_q;
  assign cmd_t0_o        = t0_q;
  assign cycle_d         = cycle_q + 1'b1;
  assign now_o           = cycle_q[TimeW-1:0];
  assign now_next_o      = cycle_d[TimeW-1:0];
  assign drain_timeout_o = DrainW'(reg2hw.drain_timeout.cycles);
  assign irq_o           = irq_q;

  // Queue window: slot = offset / stride (0..255; 255 is never a real slot, NumQueues <= 254),
  // register = (offset % stride) / 4. A doorbell is a write to a slot's QDB offset.
  assign qrd_q_o    = q_addr[QOffW-1:QShift];
  assign qrd_reg_o  = q_addr[QShift-1:2];
  assign db_q_o     = q_addr[QOffW-1:QShift];
  assign db_wptr_o  = q_wdata;
  assign db_valid_o = q_valid && q_write &&
                      q_addr[QShift-1:0] == sgpu_regs_pkg::QREG_QDB[QShift-1:0];

  // ---------------------------------------------------------------- mailbox, IRQ, cycle counter
  always_comb begin
    pend_d     = pend_q;
    t0_d       = t0_q;
    dropped_d  = dropped_q;
    seq_d      = seq_q;
    irq_d      = irq_q;
    cycle_hi_d = cycle_hi_q;
    if (cmd_take_i)  pend_d = 1'b0;
    if (reg2hw.admin_doorbell.qe) begin
      if (busy) dropped_d = dropped_q + 1'b1;
      else begin
        pend_d     = 1'b1;
        t0_d       = cycle_q[TimeW-1:0];
      end
    end
    if (cpl_valid_i) begin
      seq_d = seq_q + 32'd1;
      irq_d = 1'b1;
    end else if (reg2hw.irq_ack.qe && reg2hw.irq_ack.ack) begin
      irq_d = 1'b0;
    end
    if (reg2hw.cycle_lo.re) cycle_hi_d = 32'(cycle_q[CycleW-1:32]);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pend_q     <= 1'b0;
      t0_q       <= '0;
      dropped_q  <= '0;
      seq_q      <= '0;
      irq_q      <= 1'b0;
      cycle_hi_q <= '0;
      cycle_q    <= '0;
    end else begin
      pend_q     <= pend_d;
      t0_q       <= t0_d;
      dropped_q  <= dropped_d;
      seq_q      <= seq_d;
      irq_q      <= irq_d;
      cycle_hi_q <= cycle_hi_d;
      cycle_q    <= cycle_d;
    end
  end

`ifdef FORMAL
  // Properties for tests/formal/csr.sby (with sgpu_reg_block's generated ones), the register
  // block's half of "every accepted command gets exactly one completion" (the dispatcher's
  // proof has one completion per take): a doorbell, seen on the bus, is either accepted
  // (exactly one pending command, taken exactly once) or dropped and counted; every
  // completion advances CPL_SEQ by one and raises IRQ; IRQ_ACK clears it; CYCLE_LO samples
  // CYCLE_HI.
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  // environment (the dispatcher's contract): it takes a command only while one is pending
  always_comb if (rst_ni && cmd_take_i) assume (cmd_valid_o);

  logic f_db, f_ack, f_lo;
  assign f_db  = reg_valid_i && reg_write_i &&
                 reg_addr_i == sgpu_regs_pkg::REG_ADMIN_DOORBELL[AddrW-1:0];
  assign f_ack = reg_valid_i && reg_write_i && reg_wdata_i[sgpu_regs_pkg::IRQ_ACK_ACK_LSB] &&
                 reg_addr_i == sgpu_regs_pkg::REG_IRQ_ACK[AddrW-1:0];
  assign f_lo  = reg_valid_i && !reg_write_i &&
                 reg_addr_i == sgpu_regs_pkg::REG_CYCLE_LO[AddrW-1:0];
  always_comb if (f_past_valid && rst_ni) begin
    assert (cmd_valid_o == pend_q);
    assert (irq_o == irq_q);
  end
  always_ff @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni)) begin
      // an accepted doorbell makes exactly one command pending, stamped with its cycle
      if ($past(f_db && !busy)) begin
        assert (pend_q && t0_q == $past(cycle_q[TimeW-1:0]) && dropped_q == $past(dropped_q));
      end
      // a doorbell while busy is dropped and counted, and changes nothing else
      if ($past(f_db && busy)) begin
        assert (dropped_q == $past(dropped_q) + 1'b1);
        assert (pend_q == ($past(pend_q) && !$past(cmd_take_i)));
      end
      if (!$past(f_db)) assert (dropped_q == $past(dropped_q));
      // a pending command ends only by being taken, and only an accepted doorbell starts one
      if ($past(pend_q) && !pend_q) assert ($past(cmd_take_i));
      if (!$past(pend_q) && pend_q) assert ($past(f_db && !busy));
      if ($past(cmd_take_i)) assert (!pend_q);
      // the stamp changes only at an accepted doorbell; the counter counts every cycle
      if (!$past(f_db && !busy)) assert (t0_q == $past(t0_q));
      assert (cycle_q == $past(cycle_q) + 64'd1);
      // every completion counts once: CPL_SEQ + 1 and IRQ raised (the record is the
      // context manager's, read through)
      if ($past(cpl_valid_i)) begin
        assert (seq_q == $past(seq_q) + 32'd1 && irq_q);
      end else begin
        assert (seq_q == $past(seq_q));
        // IRQ_ACK with bit 0 set clears IRQ; nothing else does
        assert (irq_q == ($past(f_ack) ? 1'b0 : $past(irq_q)));
      end
      // reading CYCLE_LO samples the high word: LO then HI is one value of the counter
      if ($past(f_lo)) assert (cycle_hi_q == 32'($past(cycle_q[CycleW-1:32])) &&
                               reg_rdata_o == $past(cycle_q[31:0]));
      else assert (cycle_hi_q == $past(cycle_hi_q));
      // the command handed to the context manager is what the host wrote
      assert (cmd_o.arg0 == reg2hw.cmd_arg0.q && cmd_o.opcode == reg2hw.cmd_op.opcode);
    end
  end
  always_comb if (f_past_valid && rst_ni) begin
    cover (f_db && busy);                     // a dropped doorbell
    cover (pend_q && now_o - t0_q == TimeW'(3));  // a command kept waiting (reclaimer running)
    cover (cpl_valid_i && irq_q);             // a completion before the previous IRQ_ACK
    cover (f_ack && irq_q && !cpl_valid_i);   // an acknowledge that clears IRQ
  end
`endif

  // Waiver: the mailbox and cycle fields of hw2reg_i are this module's (the core leaves them
  // 0); the queue window's write data bits are the doorbell's write pointer (all used) and the
  // cmd_t fields beyond the map's are zero.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{hw2reg_i.admin_status, hw2reg_i.cpl_status, hw2reg_i.cpl_seq,
                       hw2reg_i.cpl_res0, hw2reg_i.cpl_res1, hw2reg_i.cpl_res2, hw2reg_i.cpl_res3,
                       hw2reg_i.cpl_res4, hw2reg_i.cpl_res5, hw2reg_i.admin_dropped,
                       hw2reg_i.cycle_lo, hw2reg_i.cycle_hi};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
