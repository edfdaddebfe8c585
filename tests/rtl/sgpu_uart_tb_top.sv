// sgpu_uart_tb_top: the UART bench's top (tests/rtl/tb_uart.cpp). A transmitter and a receiver
// at the same rate; the receiver's line is the transmitter's (loopback) or, with line_sel_i,
// line_i driven by the bench (a bit stream generated in C, at another rate). The rate is
// reported on clks_num_o / clks_den_o so one bench serves every build.
module sgpu_uart_tb_top #(
  parameter int unsigned ClksNum = 4,
  parameter int unsigned ClksDen = 1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        tx_valid_i,
  output logic        tx_ready_o,
  input  logic [7:0]  tx_data_i,
  output logic        tx_o,
  input  logic        line_sel_i,  // 0: rx_i = tx_o, 1: rx_i = line_i
  input  logic        line_i,
  output logic        rx_valid_o,
  input  logic        rx_ready_i,
  output logic [7:0]  rx_data_o,
  output logic        frame_err_o,
  output logic        overrun_o,
  output logic [31:0] clks_num_o,
  output logic [31:0] clks_den_o
);
  sgpu_uart_tx #(.ClksNum(ClksNum), .ClksDen(ClksDen)) u_tx (
    .clk_i, .rst_ni, .tx_valid_i, .tx_ready_o, .tx_data_i, .tx_o
  );
  sgpu_uart_rx #(.ClksNum(ClksNum), .ClksDen(ClksDen)) u_rx (
    .clk_i, .rst_ni, .rx_i(line_sel_i ? line_i : tx_o), .rx_valid_o, .rx_ready_i, .rx_data_o,
    .frame_err_o, .overrun_o
  );
  assign clks_num_o = ClksNum;
  assign clks_den_o = ClksDen;
endmodule
