// sgpu_ulx3s_top: sgpu on the ULX3S (Lattice ECP5 LFE5U-12F/25F/45F/85F, CABGA381), device
// memory in the board's 32 MB SDR SDRAM through LiteDRAM (boards/ulx3s/litedram_core.v).
//
//   clk_25mhz -> EHXPLLL -> clk (SysMhz, 50 MHz: 25 / CLKI_DIV 1 * CLKFB_DIV 2; VCO 600 MHz =
//                            50 * CLKOP_DIV 12) and clk_sdram (the same, 90 degrees later:
//                            3 of the 12 VCO cycles, CLKOS_CPHASE 8 against CLKOP_CPHASE 5);
//                            divider and phase values as `ecppll -i 25 -o 50 --clkout1 50
//                            --phase1 90` (Project Trellis) computes them
//   clk_sdram -> ODDRX1F (D0 1, D1 0) -> sdram_clk: the chip samples commands and write data
//                            a quarter period after the controller's I/O flops launch them
//   reset: PLL lock and the PWR button (btn[0], BTN_PWRn, low when pressed), synchronised,
//          then held 16 cycles
//   ftdi_txd -> sgpu_link_uart -> sgpu_core register bus; ftdi_rxd <- its transmitter;
//          8N1 at SysMhz / UartClksNum * UartClksDen: 2 Mbaud at 50 MHz (25 cycles a bit,
//          exact; the FT231X makes 2 Mbaud exactly: its 3 MHz base divided by the special
//          divisor 1.5)
//   sgpu_core memory port -> sgpu_mem_sdram -> LiteDRAM native port; sgpu_sdram_init runs
//          the JEDEC start-up over LiteDRAM's CSR port; until it is done the native port
//          stalls, and the core's requests wait.
//   LEDs (active high): 0 heartbeat (~1.5 Hz), 1 link busy (a register access or a received
//          bit in the last ~42 ms), 2 error (sticky until reset: a UART framing error or
//          overrun, LiteDRAM's init_error, or a command completed with a warning or error
//          NTSTATUS), 3 the SDRAM is initialised, 4 irq, 5 an admin command executing
//          (stretched to ~42 ms), 6 ready: every frame of device memory scrubbed once.
// The engine port of the core has no engine: sgpu_eng_idle stands on it (nothing requests,
// control requests are acknowledged the cycle after with nothing aborted).
// Waiver: the board folders name their top top.sv (boards/*/top.sv), not after the module.
/* verilator lint_off DECLFILENAME */
module sgpu_ulx3s_top #(
  parameter int unsigned SysMhz      = 50,   // core clock (PLL parameters below are for 50)
  parameter int unsigned UartClksNum = 25,   // cycles per UART bit, numerator
  parameter int unsigned UartClksDen = 1,    //   and denominator
  parameter int unsigned PowerUpCycles = SysMhz * 200  // SDRAM start-up wait: 200 us
) (
  input  logic        clk_25mhz,
  input  logic        btn_pwr_n,     // btn[0]: BTN_PWRn, low when pressed
  input  logic        ftdi_txd,      // FT231X TXD: the FPGA receives
  output logic        ftdi_rxd,      // FT231X RXD: the FPGA transmits
  output logic [7:0]  led,
  output logic        sdram_clk,
  output logic        sdram_cke,
  output logic        sdram_csn,
  output logic        sdram_wen,
  output logic        sdram_rasn,
  output logic        sdram_casn,
  output logic [12:0] sdram_a,
  output logic [1:0]  sdram_ba,
  output logic [1:0]  sdram_dqm,
  inout  wire  [15:0] sdram_d
);
  localparam int unsigned AddrW = sgpu_regs_pkg::BUS_ADDR_BITS;

  // ---------------------------------------------------------------- clocks and reset
  logic clk, clk_sdram, pll_locked;
  (* FREQUENCY_PIN_CLKI = "25" *) (* FREQUENCY_PIN_CLKOP = "50" *) (* FREQUENCY_PIN_CLKOS = "50" *)
  EHXPLLL #(
    .CLKI_DIV(1), .CLKFB_DIV(2), .FEEDBK_PATH("CLKOP"),
    .CLKOP_ENABLE("ENABLED"), .CLKOP_DIV(12), .CLKOP_CPHASE(5), .CLKOP_FPHASE(0),
    .CLKOS_ENABLE("ENABLED"), .CLKOS_DIV(12), .CLKOS_CPHASE(8), .CLKOS_FPHASE(0)
  ) u_pll (
    .CLKI(clk_25mhz), .CLKFB(clk), .RST(1'b0), .STDBY(1'b0),
    .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1), .PHASESTEP(1'b1),
    .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0), .ENCLKOS(1'b0),
    .ENCLKOS2(1'b0), .ENCLKOS3(1'b0),
    .CLKOP(clk), .CLKOS(clk_sdram), .LOCK(pll_locked)
  );

  ODDRX1F u_sdram_clk (.D0(1'b1), .D1(1'b0), .SCLK(clk_sdram), .RST(1'b0), .Q(sdram_clk));

  logic [1:0] rst_sync_q;   // lock and button, synchronised
  logic [4:0] rst_cnt_q;    // bit 4 set: out of reset
  logic       rst_n;
  always_ff @(posedge clk) begin
    rst_sync_q <= {rst_sync_q[0], pll_locked && btn_pwr_n};
    if (!rst_sync_q[1])     rst_cnt_q <= '0;
    else if (!rst_cnt_q[4]) rst_cnt_q <= rst_cnt_q + 5'd1;
  end
  assign rst_n = rst_cnt_q[4];

  // ---------------------------------------------------------------- link and core
  logic             reg_valid, reg_write, reg_rvalid, irq, frame_err, overrun;
  logic [AddrW-1:0] reg_addr;
  logic [31:0]      reg_wdata, reg_rdata;

  // The bridge waits up to 2^25 cycles (0.67 s) for an admin command's completion before it
  // answers ADMIN_TIMEOUT: a MAP of every frame just after reset (or after a large destroy)
  // waits for the scrubber to zero each frame first, 3,223 cycles per 4 KiB frame through the
  // SDRAM, 26.4 M cycles for all 8,192. The default 2^20 (21 ms) timed such a MAP out on the
  // link (the difftest's full-memory MAP of 8,173 pages did, docs/boards.md).
  sgpu_link_uart #(.ClksNum(UartClksNum), .ClksDen(UartClksDen), .AdminWaitLog2(25)) u_link (
    .clk_i(clk), .rst_ni(rst_n), .uart_rx_i(ftdi_txd), .uart_tx_o(ftdi_rxd),
    .frame_err_o(frame_err), .overrun_o(overrun),
    .reg_valid_o(reg_valid), .reg_write_o(reg_write), .reg_addr_o(reg_addr),
    .reg_wdata_o(reg_wdata), .reg_rvalid_i(reg_rvalid), .reg_rdata_i(reg_rdata)
  );

  logic                 mem_req_valid, mem_req_ready, mem_rsp_valid, mem_rsp_ready;
  sgpu_pkg::mem_req_t   mem_req;
  sgpu_pkg::mem_rsp_t   mem_rsp, eng_mem_rsp;
  sgpu_pkg::doorbell_t  doorbell;
  sgpu_pkg::xlate_rsp_t eng_xl_rsp;
  logic [sgpu_pkg::EngCtlReqW-1:0] eng_ctl;
  logic [sgpu_pkg::EngCtlRspW-1:0] eng_ctl_rsp;
  logic [sgpu_pkg::XlateReqW-1:0]  eng_xl_req;
  logic [sgpu_pkg::MemReqW-1:0]    eng_mem_req;
  logic eng_xl_req_valid, eng_xl_retire, eng_mem_req_valid, eng_mem_rsp_ready;
  logic eng_xl_req_ready, eng_xl_rsp_valid, eng_mem_req_ready, eng_mem_rsp_valid;
  logic core_busy, core_ready, core_err;

  sgpu_core #(
    .PageShift(12), .NumFrames(8192), .NumProcs(4), .NumQueues(4), .TlbEntries(4),
    .NumEngines(1), .MemZeroed(1'b0)
  ) u_core (
    .clk_i(clk), .rst_ni(rst_n),
    .reg_valid_i(reg_valid), .reg_write_i(reg_write), .reg_addr_i(reg_addr),
    .reg_wdata_i(reg_wdata), .reg_rvalid_o(reg_rvalid), .reg_rdata_o(reg_rdata), .irq_o(irq),
    .busy_o(core_busy), .ready_o(core_ready), .err_o(core_err),
    .mem_req_valid_o(mem_req_valid), .mem_req_ready_i(mem_req_ready), .mem_req_o(mem_req),
    .mem_rsp_valid_i(mem_rsp_valid), .mem_rsp_ready_o(mem_rsp_ready), .mem_rsp_i(mem_rsp),
    .eng_ctl_o(eng_ctl), .eng_ctl_i(eng_ctl_rsp), .doorbell_o(doorbell),
    .eng_xl_req_valid_i(eng_xl_req_valid), .eng_xl_req_ready_o(eng_xl_req_ready),
    .eng_xl_req_i(eng_xl_req), .eng_xl_rsp_valid_o(eng_xl_rsp_valid), .eng_xl_rsp_o(eng_xl_rsp),
    .eng_xl_retire_i(eng_xl_retire),
    .eng_mem_req_valid_i(eng_mem_req_valid), .eng_mem_req_ready_o(eng_mem_req_ready),
    .eng_mem_req_i(eng_mem_req), .eng_mem_rsp_valid_o(eng_mem_rsp_valid),
    .eng_mem_rsp_ready_i(eng_mem_rsp_ready), .eng_mem_rsp_o(eng_mem_rsp)
  );

  sgpu_eng_idle u_eng (
    .clk_i(clk), .rst_ni(rst_n), .ctl_i(eng_ctl), .ctl_o(eng_ctl_rsp),
    .xl_req_valid_o(eng_xl_req_valid), .xl_req_o(eng_xl_req), .xl_retire_o(eng_xl_retire),
    .mem_req_valid_o(eng_mem_req_valid), .mem_req_o(eng_mem_req),
    .mem_rsp_ready_o(eng_mem_rsp_ready)
  );

  // ---------------------------------------------------------------- SDRAM
  logic        cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready, rdata_valid, rdata_ready;
  logic [23:0] cmd_addr;
  logic [15:0] wdata_data, rdata_data;
  logic [1:0]  wdata_we;
  logic        wb_cyc, wb_stb, wb_we, wb_ack, wb_err, init_done, init_error, seq_done;
  logic [29:0] wb_adr;
  logic [31:0] wb_dat_w, wb_dat_r;
  logic        user_clk, user_rst;

  sgpu_mem_sdram #(.AddrW(24)) u_mem (
    .clk_i(clk), .rst_ni(rst_n),
    .req_valid_i(mem_req_valid), .req_ready_o(mem_req_ready), .req_i(mem_req),
    .rsp_valid_o(mem_rsp_valid), .rsp_ready_i(mem_rsp_ready), .rsp_o(mem_rsp),
    .cmd_valid_o(cmd_valid), .cmd_ready_i(cmd_ready), .cmd_we_o(cmd_we), .cmd_addr_o(cmd_addr),
    .wdata_valid_o(wdata_valid), .wdata_ready_i(wdata_ready), .wdata_data_o(wdata_data),
    .wdata_we_o(wdata_we), .rdata_valid_i(rdata_valid), .rdata_ready_o(rdata_ready),
    .rdata_data_i(rdata_data)
  );

  sgpu_sdram_init #(.PowerUpCycles(PowerUpCycles),
    .CsrInitDone(litedram_csr_pkg::CSR_DDRCTRL_INIT_DONE),
    .CsrControl(litedram_csr_pkg::CSR_SDRAM_DFII_CONTROL),
    .CsrCommand(litedram_csr_pkg::CSR_SDRAM_DFII_PI0_COMMAND),
    .CsrIssue(litedram_csr_pkg::CSR_SDRAM_DFII_PI0_COMMAND_ISSUE),
    .CsrAddress(litedram_csr_pkg::CSR_SDRAM_DFII_PI0_ADDRESS),
    .CsrBAddress(litedram_csr_pkg::CSR_SDRAM_DFII_PI0_BADDRESS)) u_sdram_init (
    .clk_i(clk), .rst_ni(rst_n), .wb_cyc_o(wb_cyc), .wb_stb_o(wb_stb), .wb_we_o(wb_we),
    .wb_adr_o(wb_adr), .wb_dat_o(wb_dat_w), .wb_ack_i(wb_ack), .done_o(seq_done)
  );

  litedram_core u_dram (
    .clk(clk), .rst(!rst_n), .init_done(init_done), .init_error(init_error),
    .sdram_a(sdram_a), .sdram_ba(sdram_ba), .sdram_cas_n(sdram_casn), .sdram_cke(sdram_cke),
    .sdram_cs_n(sdram_csn), .sdram_dm(sdram_dqm), .sdram_dq(sdram_d), .sdram_ras_n(sdram_rasn),
    .sdram_we_n(sdram_wen), .user_clk(user_clk), .user_rst(user_rst),
    .user_port_native_0_cmd_addr(cmd_addr), .user_port_native_0_cmd_ready(cmd_ready),
    .user_port_native_0_cmd_valid(cmd_valid), .user_port_native_0_cmd_we(cmd_we),
    .user_port_native_0_rdata_data(rdata_data), .user_port_native_0_rdata_ready(rdata_ready),
    .user_port_native_0_rdata_valid(rdata_valid), .user_port_native_0_wdata_data(wdata_data),
    .user_port_native_0_wdata_ready(wdata_ready), .user_port_native_0_wdata_valid(wdata_valid),
    .user_port_native_0_wdata_we(wdata_we),
    .wb_ctrl_ack(wb_ack), .wb_ctrl_adr(wb_adr), .wb_ctrl_bte(2'b00), .wb_ctrl_cti(3'b000),
    .wb_ctrl_cyc(wb_cyc), .wb_ctrl_dat_r(wb_dat_r), .wb_ctrl_dat_w(wb_dat_w),
    .wb_ctrl_err(wb_err), .wb_ctrl_sel(4'hF), .wb_ctrl_stb(wb_stb), .wb_ctrl_we(wb_we)
  );

  // ---------------------------------------------------------------- LEDs
  logic [24:0] hb_q;
  logic        act_q, busy_q, err_q;
  always_ff @(posedge clk) begin
    hb_q <= hb_q + 25'd1;
    if (!rst_n) begin
      act_q <= 1'b0; busy_q <= 1'b0; err_q <= 1'b0;
    end else begin
      if (reg_valid || !ftdi_txd)   act_q <= 1'b1;
      else if (hb_q[20:0] == '0)    act_q <= 1'b0;
      if (core_busy)                busy_q <= 1'b1;
      else if (hb_q[20:0] == '0)    busy_q <= 1'b0;
      if (frame_err || overrun || init_error || core_err) err_q <= 1'b1;
    end
  end
  assign led = {1'b0, core_ready, busy_q, irq, init_done, err_q, act_q, hb_q[24]};

  // Waiver: what no engine and no board function uses.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{doorbell, eng_xl_rsp, eng_xl_req_ready, eng_xl_rsp_valid,
                       eng_mem_req_ready, eng_mem_rsp_valid, eng_mem_rsp, wb_err, wb_dat_r,
                       seq_done, user_clk, user_rst};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
