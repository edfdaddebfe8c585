// sgpu_wb_slave_pair: the formal top of tests/formal/wb_slave.sby: a pipelined and a standard
// sgpu_wb_slave side by side, each with its own free inputs, so one `prove` task covers both
// modes (their properties are in rtl/link/sgpu_wb_slave_props.svh). A top wires.
module sgpu_wb_slave_pair #(
  parameter int unsigned AdrW        = 16,
  parameter int unsigned ReadTimeout = 3,
  parameter int unsigned LateW       = 2,
  localparam int unsigned BusW       = sgpu_regs_pkg::BUS_ADDR_BITS
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [1:0]           wb_cyc_i,
  input  logic [1:0]           wb_stb_i,
  input  logic [1:0]           wb_we_i,
  input  logic [1:0][AdrW-1:0] wb_adr_i,
  input  logic [1:0][31:0]     wb_dat_i,
  input  logic [1:0][3:0]      wb_sel_i,
  output logic [1:0]           wb_stall_o,
  output logic [1:0]           wb_ack_o,
  output logic [1:0]           wb_err_o,
  output logic [1:0][31:0]     wb_dat_o,
  output logic [1:0]           reg_valid_o,
  output logic [1:0]           reg_write_o,
  output logic [1:0][BusW-1:0] reg_addr_o,
  output logic [1:0][31:0]     reg_wdata_o,
  input  logic [1:0]           reg_rvalid_i,
  input  logic [1:0][31:0]     reg_rdata_i
);
  for (genvar i = 0; i < 2; i++) begin : g_slave
    sgpu_wb_slave #(
      .AdrW(AdrW), .Pipelined(i == 0), .ErrHigh(1'b1), .ReadTimeout(ReadTimeout), .LateW(LateW)
    ) u_slave (
      .clk_i, .rst_ni,
      .wb_cyc_i(wb_cyc_i[i]), .wb_stb_i(wb_stb_i[i]), .wb_we_i(wb_we_i[i]),
      .wb_adr_i(wb_adr_i[i]), .wb_dat_i(wb_dat_i[i]), .wb_sel_i(wb_sel_i[i]),
      .wb_stall_o(wb_stall_o[i]), .wb_ack_o(wb_ack_o[i]), .wb_err_o(wb_err_o[i]),
      .wb_dat_o(wb_dat_o[i]),
      .reg_valid_o(reg_valid_o[i]), .reg_write_o(reg_write_o[i]), .reg_addr_o(reg_addr_o[i]),
      .reg_wdata_o(reg_wdata_o[i]), .reg_rvalid_i(reg_rvalid_i[i]), .reg_rdata_i(reg_rdata_i[i])
    );
  end
endmodule
