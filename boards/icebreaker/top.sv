// sgpu_icebreaker_top: sgpu on the iCEBreaker (iCE40UP5K-SG48). The pins are named as in
// icebreaker.pcf (beside this file, each cited to the board's documentation).
//
//   CLK (12 MHz) -> SB_PLL40_PAD -> the core clock, CoreMHz (24: DIVF/DIVQ below, from
//                   `icepll -i 12 -o 24`); CoreMHz = 12 uses the 12 MHz clock directly
//   RX/TX        -> sgpu_link_uart (8N1, 3 Mbaud: CoreMHz / 3 clock cycles per bit) -> the
//                   register bus of sgpu_core (the `up5k` configuration of tools/synth_gate.sh)
//   sgpu_core's memory port -> sgpu_mem_spram: the four SPRAMs, 128 frames of 1 KiB; SPRAM does
//                   not start zeroed, so the core scrubs every frame before first use
//   BTN_N        -> reset (with a power-on reset after configuration and after PLL lock)
//   LEDG_N       heartbeat: blinks slowly (0.35 s on, 0.35 s off) once the device is ready
//                (every frame scrubbed once since reset), fast (44 ms on, 44 ms off) before
//   LEDR_N       error: lit for 0.35-0.7 s after a command completed with a warning or error
//                NTSTATUS, or the UART dropped a byte (framing error or overrun)
//   LED1         busy (PMOD2 breakout, active high): lit while an admin command executes,
//                stretched to at least 0.35 s so a 1 us teardown is visible
//   LED2         ready (PMOD2 breakout, active high)
// The one engine port is tied off by sgpu_eng_idle (no engines on this board yet).
// A top wires; the only logic here is the reset and the LED timers.
// Waiver: every board's top is boards/BOARD/top.sv (boards/common.mk), so the file name is not
// the module's.
/* verilator lint_off DECLFILENAME */
module sgpu_icebreaker_top #(
  parameter int unsigned CoreMHz    = 24,  // 24 (PLL) or 12 (the board clock directly)
  parameter int unsigned NumProcs   = 4,   // the core's process slots,
  parameter int unsigned NumQueues  = 4,   // queue slots
  parameter int unsigned TlbEntries = 4,   // TLB entries,
  parameter int unsigned TimeW      = 20,  // phase cycle counters,
  parameter int unsigned StatW      = 16,  // statistics counters,
  parameter int unsigned CycleW     = 48,  // the free-running cycle counter,
  parameter int unsigned DrainW     = 20,  // the drain timer
  parameter int unsigned MaxOut     = 4    // and reads in flight at the memory port
) (
  input  logic CLK,      // 12 MHz oscillator
  input  logic BTN_N,    // user button, low when pressed
  input  logic RX,       // from the FT2232H channel B (the host's TXD)
  output logic TX,       // to the FT2232H channel B (the host's RXD)
  output logic LEDR_N,   // red user LED, active low
  output logic LEDG_N,   // green user LED, active low
  output logic LED1,     // PMOD2 breakout LEDs, active high
  output logic LED2
);
  localparam int unsigned AddrW   = sgpu_regs_pkg::BUS_ADDR_BITS;
  localparam int unsigned ClksBit = CoreMHz / 3;   // 3 Mbaud

  if (CoreMHz != 12 && CoreMHz != 24) begin : g_bad_mhz
    $error("sgpu_icebreaker_top: CoreMHz %0d is not 12 or 24 (the PLL settings and 3 Mbaud)", CoreMHz);
  end

  // ---------------------------------------------------------------- clock
  logic clk, pll_lock;
  if (CoreMHz == 24) begin : g_pll
    // 12 MHz x (DIVF + 1) / 2^DIVQ = 12 x 64 / 32 (VCO 768 MHz): icepll -i 12 -o 24
    SB_PLL40_PAD #(
      .FEEDBACK_PATH("SIMPLE"), .DIVR(4'd0), .DIVF(7'd63), .DIVQ(3'd5), .FILTER_RANGE(3'd1)
    ) u_pll (
      .PACKAGEPIN(CLK), .PLLOUTGLOBAL(clk), .LOCK(pll_lock), .RESETB(1'b1), .BYPASS(1'b0)
    );
  end else begin : g_direct
    assign clk      = CLK;
    assign pll_lock = 1'b1;
  end

  // ---------------------------------------------------------------- reset
  // The button through two flip-flops; 2^4 cycles of reset after it is released and the PLL
  // has locked. iCE40 flip-flops start at 0 after configuration, so this runs at power-up; the
  // initial values say so to a simulator (which would otherwise start them at random and
  // could release the core before the first reset).
  logic [1:0] btn_q = '0;
  logic [4:0] por_q = '0;
  logic       rst_n;
  always_ff @(posedge clk) begin
    btn_q <= {btn_q[0], BTN_N && pll_lock};
    if (!btn_q[1])     por_q <= '0;
    else if (!por_q[4]) por_q <= por_q + 1'b1;
  end
  assign rst_n = por_q[4];

  // ---------------------------------------------------------------- the link
  logic             reg_valid, reg_write, reg_rvalid, frame_err, overrun;
  logic [AddrW-1:0] reg_addr;
  logic [31:0]      reg_wdata, reg_rdata;

  sgpu_link_uart #(.ClksNum(ClksBit), .ClksDen(1)) u_link (
    .clk_i(clk), .rst_ni(rst_n), .uart_rx_i(RX), .uart_tx_o(TX),
    .frame_err_o(frame_err), .overrun_o(overrun),
    .reg_valid_o(reg_valid), .reg_write_o(reg_write), .reg_addr_o(reg_addr),
    .reg_wdata_o(reg_wdata), .reg_rvalid_i(reg_rvalid), .reg_rdata_i(reg_rdata)
  );

  // ---------------------------------------------------------------- the core
  logic                                  irq, busy, ready, err;
  logic                                  mem_req_valid, mem_req_ready, mem_rsp_valid, mem_rsp_ready;
  sgpu_pkg::mem_req_t                    mem_req;
  sgpu_pkg::mem_rsp_t                    mem_rsp;
  logic [0:0][sgpu_pkg::EngCtlReqW-1:0]  eng_ctl_req;
  logic [0:0][sgpu_pkg::EngCtlRspW-1:0]  eng_ctl_rsp;
  sgpu_pkg::doorbell_t                   doorbell;
  logic [0:0]                            xl_valid, xl_ready, xl_rsp_valid, xl_retire;
  logic [0:0][sgpu_pkg::XlateReqW-1:0]   xl_req;
  sgpu_pkg::xlate_rsp_t                  xl_rsp;
  logic [0:0]                            m_valid, m_ready, m_rsp_valid, m_rsp_ready;
  logic [0:0][sgpu_pkg::MemReqW-1:0]     m_req;
  sgpu_pkg::mem_rsp_t                    m_rsp;

  sgpu_core #(
    .PageShift(10), .NumFrames(128), .NumProcs(NumProcs), .NumQueues(NumQueues), .TlbEntries(TlbEntries),
    .NumEngines(1), .MemZeroed(1'b0), .TimeW(TimeW), .StatW(StatW), .CycleW(CycleW),
    .DrainW(DrainW), .MaxOutstanding(MaxOut)
  ) u_core (
    .clk_i(clk), .rst_ni(rst_n),
    .reg_valid_i(reg_valid), .reg_write_i(reg_write), .reg_addr_i(reg_addr),
    .reg_wdata_i(reg_wdata), .reg_rvalid_o(reg_rvalid), .reg_rdata_o(reg_rdata), .irq_o(irq),
    .busy_o(busy), .ready_o(ready), .err_o(err),
    .mem_req_valid_o(mem_req_valid), .mem_req_ready_i(mem_req_ready), .mem_req_o(mem_req),
    .mem_rsp_valid_i(mem_rsp_valid), .mem_rsp_ready_o(mem_rsp_ready), .mem_rsp_i(mem_rsp),
    .eng_ctl_o(eng_ctl_req), .eng_ctl_i(eng_ctl_rsp), .doorbell_o(doorbell),
    .eng_xl_req_valid_i(xl_valid), .eng_xl_req_ready_o(xl_ready), .eng_xl_req_i(xl_req),
    .eng_xl_rsp_valid_o(xl_rsp_valid), .eng_xl_rsp_o(xl_rsp), .eng_xl_retire_i(xl_retire),
    .eng_mem_req_valid_i(m_valid), .eng_mem_req_ready_o(m_ready), .eng_mem_req_i(m_req),
    .eng_mem_rsp_valid_o(m_rsp_valid), .eng_mem_rsp_ready_i(m_rsp_ready), .eng_mem_rsp_o(m_rsp)
  );

  sgpu_eng_idle u_eng (
    .clk_i(clk), .rst_ni(rst_n), .ctl_i(eng_ctl_req[0]), .ctl_o(eng_ctl_rsp[0]),
    .xl_req_valid_o(xl_valid[0]), .xl_req_o(xl_req[0]), .xl_retire_o(xl_retire[0]),
    .mem_req_valid_o(m_valid[0]), .mem_req_o(m_req[0]), .mem_rsp_ready_o(m_rsp_ready[0])
  );

  sgpu_mem_spram #(.AddrW(15)) u_mem (
    .clk_i(clk), .rst_ni(rst_n),
    .req_valid_i(mem_req_valid), .req_ready_o(mem_req_ready), .req_i(mem_req),
    .rsp_valid_o(mem_rsp_valid), .rsp_ready_i(mem_rsp_ready), .rsp_o(mem_rsp)
  );

  // ---------------------------------------------------------------- LEDs
  // One free-running counter times everything: bit 23 toggles every 0.35 s at 24 MHz.
  localparam int unsigned HbW = (CoreMHz == 24) ? 24 : 23;
  logic [HbW-1:0] hb_q;
  logic           win_q, err_seen_q, err_led_q, busy_seen_q, busy_led_q;
  always_ff @(posedge clk) begin
    hb_q  <= hb_q + 1'b1;
    win_q <= hb_q[HbW-2];
    if (win_q && !hb_q[HbW-2]) begin     // a 0.35 s window ended: show what it saw
      err_led_q   <= err_seen_q;
      busy_led_q  <= busy_seen_q;
      err_seen_q  <= err || frame_err || overrun;
      busy_seen_q <= busy;
    end else begin
      err_seen_q  <= err_seen_q || err || frame_err || overrun;
      busy_seen_q <= busy_seen_q || busy;
    end
  end
  assign LEDG_N = !(ready ? hb_q[HbW-1] : hb_q[HbW-4]);
  assign LEDR_N = !err_led_q;
  assign LED1   = busy_led_q || busy;
  assign LED2   = ready;

  // Waiver: no engine rings doorbells or uses translations here; the interrupt has no pin
  // (the link polls).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{irq, doorbell, xl_ready, xl_rsp_valid, xl_rsp, m_ready, m_rsp_valid, m_rsp};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
/* verilator lint_on DECLFILENAME */
