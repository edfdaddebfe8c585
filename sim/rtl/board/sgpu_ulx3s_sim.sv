// sgpu_ulx3s_sim: the ULX3S board top (boards/ulx3s/top.sv, sgpu_ulx3s_top, unchanged) with its
// SDRAM chip, for co-simulation: the simulator library (sim/sgpu_simlink.cpp) serves it over
// pty through the UART pins, with the ports of sim/rtl/link/sgpu_sim_link_top.sv.
//   clk_i     -> clk_25mhz: the PLL stand-in (sim/rtl/board/EHXPLLL.sv) passes it through, so
//                the simulation clock is the core clock (50 MHz on the board)
//   rst_ni    -> btn_pwr_n (the board's reset button, low when pressed)
//   uart_rx_i -> ftdi_txd, uart_tx_o <- ftdi_rxd (8N1, clks_num_o / clks_den_o cycles a bit)
//   SDRAM pins -> sgpu_sdram_model (sim/rtl/board/sgpu_sdram_model.sv), clocked by the inverted
//                SDRAM clock pin: the stand-in for the board's 90-degree SDRAM clock
// The I/O cells and flops LiteDRAM instantiates (OFS1P3BX, IFS1P3BX, TRELLIS_IO, FD1S3BX) and
// ODDRX1F are the sim/rtl/board/ stand-ins. frame_err_o, overrun_o, bus_valid_o are the top's
// own signals, read by hierarchical reference; owner_violations_o is 0 (no engine, no check).
// A violation seen by the chip model stops the simulation (ChipClean_A below).
module sgpu_ulx3s_sim #(
  parameter int unsigned UartClksNum = 25,   // the board's: 50 MHz / 2 Mbaud
  parameter int unsigned UartClksDen = 1,
  parameter int unsigned ChipTRcdNs  = 20    // the chip model's tRCD (45: a slower chip, to
                                             // see ChipClean_A stop the simulation)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        uart_rx_i,
  output logic        uart_tx_o,
  output logic        frame_err_o,
  output logic        overrun_o,
  output logic        bus_valid_o,
  output logic        irq_o,
  output logic [31:0] owner_violations_o,
  output logic [31:0] clks_num_o,
  output logic [31:0] clks_den_o
);
  logic [7:0]  led;
  logic        sdram_clk, cke, csn, wen, rasn, casn;
  logic [12:0] a;
  logic [1:0]  ba, dqm;
  wire  [15:0] dq;

  sgpu_ulx3s_top #(.UartClksNum(UartClksNum), .UartClksDen(UartClksDen)) u_top (
    .clk_25mhz(clk_i), .btn_pwr_n(rst_ni), .ftdi_txd(uart_rx_i), .ftdi_rxd(uart_tx_o),
    .led, .sdram_clk, .sdram_cke(cke), .sdram_csn(csn), .sdram_wen(wen), .sdram_rasn(rasn),
    .sdram_casn(casn), .sdram_a(a), .sdram_ba(ba), .sdram_dqm(dqm), .sdram_d(dq)
  );

  logic [31:0] chip_errors, chip_acts, chip_reads, chip_writes, chip_refreshes;
  logic        chip_ready;
  sgpu_sdram_model #(.ClkMhz(50), .CasLatency(2), .TRcdNs(ChipTRcdNs)) u_chip (
    .clk_i(!sdram_clk), .cke_i(cke), .cs_ni(csn), .ras_ni(rasn), .cas_ni(casn), .we_ni(wen),
    .a_i(a), .ba_i(ba), .dqm_i(dqm), .dq_io(dq),
    .errors_o(chip_errors), .acts_o(chip_acts), .reads_o(chip_reads), .writes_o(chip_writes),
    .refreshes_o(chip_refreshes), .ready_o(chip_ready)
  );

  assign frame_err_o        = u_top.frame_err;
  assign overrun_o          = u_top.overrun;
  assign bus_valid_o        = u_top.reg_valid;
  assign irq_o              = u_top.irq;
  assign owner_violations_o = 32'h0;
  assign clks_num_o         = UartClksNum;
  assign clks_den_o         = UartClksDen;

`ifdef VERILATOR
  // Any SDRAM protocol violation the chip model sees (timing, bank state, refresh rate,
  // start-up) stops the simulation: sgpu-sim exits and the co-simulation test fails.
  ChipClean_A: assert property (@(posedge clk_i) chip_errors == 32'h0)
    else $error("sgpu_ulx3s_sim: the SDRAM chip model reports %0d violation(s)", chip_errors);
`endif

  // Waiver: the LEDs and the chip's counts are for a person or a bench, not for the simulator.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{led, chip_errors, chip_acts, chip_reads, chip_writes, chip_refreshes,
                       chip_ready};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
