// sgpu_sdram_tb_top: bench wrapper for tests/rtl/tb_sdram.cpp: the ULX3S memory path as the
// board top builds it (boards/ulx3s/top.sv) - sgpu_mem_sdram, the generated LiteDRAM
// controller (boards/ulx3s/litedram_core.v: GENSDRPHY, its I/O flops and buffers as the
// simulation stand-ins in sim/rtl/board/), sgpu_sdram_init - against the SDRAM chip model
// sgpu_sdram_model, clocked on the falling edge: the stand-in for the board's 90-degree SDRAM
// clock (ODDRX1F from the PLL's shifted output). The core's memory port is driven from C++ as
// plain vectors. Model* parameters set the chip model's timing, to check that its checks fire
// (a part slower than the controller was generated for). For Verilator benches only.
module sgpu_sdram_tb_top #(
  parameter int unsigned PowerUpCycles = 10000,  // the board's: 200 us at 50 MHz
  parameter int unsigned ModelCas      = 2,      // the chip model's CAS latency
  parameter int unsigned ModelTRcdNs   = 20,     // and tRCD (MT48LC16M16-6A: 18 ns)
  parameter int unsigned ModelTRpNs    = 20
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic        req_we_i,
  input  logic [3:0]  req_be_i,
  input  logic [31:0] req_addr_i,
  input  logic [31:0] req_wdata_i,
  output logic        rsp_valid_o,
  input  logic        rsp_ready_i,
  output logic [31:0] rsp_rdata_o,
  output logic        init_done_o,
  output logic        init_error_o,
  // the chip model's counts
  output logic [31:0] chip_errors_o,
  output logic [31:0] chip_acts_o,
  output logic [31:0] chip_reads_o,
  output logic [31:0] chip_writes_o,
  output logic [31:0] chip_refreshes_o,
  output logic        chip_ready_o
);
  sgpu_pkg::mem_req_t req;
  sgpu_pkg::mem_rsp_t rsp;
  always_comb begin
    req.we = req_we_i; req.be = req_be_i; req.addr = req_addr_i; req.wdata = req_wdata_i;
  end
  assign rsp_rdata_o = rsp.rdata;

  logic        cmd_valid, cmd_ready, cmd_we, wdata_valid, wdata_ready, rdata_valid, rdata_ready;
  logic [23:0] cmd_addr;
  logic [15:0] wdata_data, rdata_data;
  logic [1:0]  wdata_we;
  logic        wb_cyc, wb_stb, wb_we, wb_ack, wb_err, seq_done, user_clk, user_rst;
  logic [29:0] wb_adr;
  logic [31:0] wb_dat_w, wb_dat_r;
  logic        sdram_clk, cke, csn, rasn, casn, wen;
  logic [12:0] a;
  logic [1:0]  ba, dqm;
  wire  [15:0] dq;

  sgpu_mem_sdram #(.AddrW(24)) u_mem (
    .clk_i, .rst_ni, .req_valid_i, .req_ready_o, .req_i(req), .rsp_valid_o, .rsp_ready_i,
    .rsp_o(rsp),
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
    .CsrBAddress(litedram_csr_pkg::CSR_SDRAM_DFII_PI0_BADDRESS)) u_init (
    .clk_i, .rst_ni, .wb_cyc_o(wb_cyc), .wb_stb_o(wb_stb), .wb_we_o(wb_we), .wb_adr_o(wb_adr),
    .wb_dat_o(wb_dat_w), .wb_ack_i(wb_ack), .done_o(seq_done)
  );

  litedram_core u_dram (
    .clk(clk_i), .rst(!rst_ni), .init_done(init_done_o), .init_error(init_error_o),
    .sdram_a(a), .sdram_ba(ba), .sdram_cas_n(casn), .sdram_cke(cke), .sdram_cs_n(csn),
    .sdram_dm(dqm), .sdram_dq(dq), .sdram_ras_n(rasn), .sdram_we_n(wen),
    .user_clk(user_clk), .user_rst(user_rst),
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

  ODDRX1F u_sdram_clk (.D0(1'b1), .D1(1'b0), .SCLK(clk_i), .RST(1'b0), .Q(sdram_clk));

  sgpu_sdram_model #(
    .ClkMhz(50), .CasLatency(ModelCas), .TRcdNs(ModelTRcdNs), .TRpNs(ModelTRpNs)
  ) u_chip (
    .clk_i(!sdram_clk), .cke_i(cke), .cs_ni(csn), .ras_ni(rasn), .cas_ni(casn), .we_ni(wen),
    .a_i(a), .ba_i(ba), .dqm_i(dqm), .dq_io(dq),
    .errors_o(chip_errors_o), .acts_o(chip_acts_o), .reads_o(chip_reads_o),
    .writes_o(chip_writes_o), .refreshes_o(chip_refreshes_o), .ready_o(chip_ready_o)
  );

  // Waiver: the controller's outputs no board function uses.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{wb_err, wb_dat_r, seq_done, user_clk, user_rst};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
