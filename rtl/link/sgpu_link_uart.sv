// sgpu_link_uart: the host link as a board sees it: a UART (sgpu_uart_rx, sgpu_uart_tx, 8N1,
// ClksNum / ClksDen clock cycles per bit) in front of the link bridge (sgpu_link_bridge),
// which masters the core's register bus. A byte the bridge cannot take while it executes or
// answers is lost (the receiver's overrun; the protocol's retry covers it, docs/protocol.md
// section 6), as is a byte with a framing error.
module sgpu_link_uart #(
  parameter int unsigned  ClksNum       = 4,   // clock cycles per bit, numerator
  parameter int unsigned  ClksDen       = 1,   // and denominator
  parameter int unsigned  AdminWaitLog2 = 20,  // admin completion wait: 2^this cycles
  parameter int unsigned  ReadTimeout   = 16,  // cycles a register read may take
  localparam int unsigned AddrW = sgpu_regs_pkg::BUS_ADDR_BITS
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             uart_rx_i,     // from the host (asynchronous)
  output logic             uart_tx_o,     // to the host
  output logic             frame_err_o,   // pulse: a byte with a stop bit 0 was dropped
  output logic             overrun_o,     // pulse: a byte arrived while the bridge was busy
  // register bus master (to sgpu_core's reg_* port)
  output logic             reg_valid_o,
  output logic             reg_write_o,
  output logic [AddrW-1:0] reg_addr_o,
  output logic [31:0]      reg_wdata_o,
  input  logic             reg_rvalid_i,
  input  logic [31:0]      reg_rdata_i
);
  logic       rx_valid, rx_ready, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;

  sgpu_uart_rx #(.ClksNum(ClksNum), .ClksDen(ClksDen)) u_rx (
    .clk_i, .rst_ni, .rx_i(uart_rx_i), .rx_valid_o(rx_valid), .rx_ready_i(rx_ready),
    .rx_data_o(rx_data), .frame_err_o, .overrun_o
  );

  sgpu_link_bridge #(.AdminWaitLog2(AdminWaitLog2), .ReadTimeout(ReadTimeout)) u_bridge (
    .clk_i, .rst_ni,
    .rx_valid_i(rx_valid), .rx_ready_o(rx_ready), .rx_data_i(rx_data),
    .tx_valid_o(tx_valid), .tx_ready_i(tx_ready), .tx_data_o(tx_data),
    .reg_valid_o, .reg_write_o, .reg_addr_o, .reg_wdata_o, .reg_rvalid_i, .reg_rdata_i
  );

  sgpu_uart_tx #(.ClksNum(ClksNum), .ClksDen(ClksDen)) u_tx (
    .clk_i, .rst_ni, .tx_valid_i(tx_valid), .tx_ready_o(tx_ready), .tx_data_i(tx_data),
    .tx_o(uart_tx_o)
  );
endmodule
