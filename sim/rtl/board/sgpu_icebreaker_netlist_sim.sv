// sgpu_icebreaker_netlist_sim: the iCEBreaker's synthesized netlist (Yosys's write_verilog of
// the bitstream's netlist, build/icebreaker/netlist.v, with Yosys's iCE40 cell models) behind
// the ports of sim/rtl/link/sgpu_sim_link_top.sv, for the post-synthesis test
// (tests/boards/postsynth.sh): sgpu-sim --bridge rtl --model PATH serves it, and the pin trace
// of the RTL top is replayed into it. Same pins as sgpu_icebreaker_sim; the netlist has no
// hierarchy to read, so the UART's dropped-byte pulses, the bus strobe and the interrupt read 0
// here (the replay compares TX cycle by cycle instead). The UART's bit time is given as
// parameters (the netlist has none): mk/boards.mk passes the bitstream's.
module sgpu_icebreaker_netlist_sim #(
  parameter int unsigned ClksNum = 4
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
  logic ledr_n, ledg_n, led1, led2;

  sgpu_icebreaker_top u_top (
    .CLK(clk_i), .BTN_N(rst_ni), .RX(uart_rx_i), .TX(uart_tx_o),
    .LEDR_N(ledr_n), .LEDG_N(ledg_n), .LED1(led1), .LED2(led2)
  );

  assign frame_err_o        = 1'b0;
  assign overrun_o          = 1'b0;
  assign bus_valid_o        = 1'b0;
  assign irq_o              = 1'b0;
  assign owner_violations_o = '0;
  assign clks_num_o         = ClksNum;
  assign clks_den_o         = 1;

  // Waiver: the LEDs are for people.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{ledr_n, ledg_n, led1, led2};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
