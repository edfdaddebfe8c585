// sgpu_wb_tb_top: the bench top of tests/rtl/tb_wb.cpp. Two sgpu_wb_slave instances share the
// Wishbone inputs, one pipelined (ErrHigh = 1: a BAR-style point-to-point port) and one
// standard (ErrHigh = 0: a LiteX-style port whose upper address bits are ignored); classic_i
// picks the one that sees CYC and drives the outputs. The chosen slave's register bus goes to
// the real device (sgpu_sim_top: the core, its memory, stand-in engines) or, with use_model_i,
// out to the bench's register-bus model (random latency), which answers on m_rvalid_i/
// m_rdata_i. The register bus is also brought out (bus_*_o) for the bench to check every
// access against the Wishbone requests. A top wires.
module sgpu_wb_tb_top #(
  parameter int unsigned PageShift    = 8,
  parameter int unsigned NumFrames    = 64,
  parameter int unsigned NumProcs     = 4,
  parameter int unsigned NumQueues    = 4,
  parameter int unsigned TlbEntries   = 4,
  parameter int unsigned MemStallPct  = 20,
  parameter int unsigned MemExtraLat  = 3,
  parameter int unsigned MemSeed      = 7,
  parameter bit          MemZeroed    = 1'b0,
  parameter int unsigned ReadTimeout  = 6,     // both slaves
  localparam int unsigned BusW        = sgpu_regs_pkg::BUS_ADDR_BITS
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            classic_i,     // 1: the standard-mode slave; 0: the pipelined one
  input  logic            use_model_i,   // 1: the bench's register-bus model; 0: the device
  input  logic            wb_cyc_i,
  input  logic            wb_stb_i,
  input  logic            wb_we_i,
  input  logic [29:0]     wb_adr_i,
  input  logic [31:0]     wb_dat_i,
  input  logic [3:0]      wb_sel_i,
  output logic            wb_stall_o,
  output logic            wb_ack_o,
  output logic            wb_err_o,
  output logic [31:0]     wb_dat_o,
  output logic            bus_valid_o,
  output logic            bus_write_o,
  output logic [BusW-1:0] bus_addr_o,
  output logic [31:0]     bus_wdata_o,
  input  logic            m_rvalid_i,
  input  logic [31:0]     m_rdata_i,
  output logic            irq_o,
  output logic [7:0]      read_timeout_o  // ReadTimeout, for the bench's expectations
);
  logic            p_stall, p_ack, p_err, c_stall, c_ack, c_err;
  logic [31:0]     p_dat, c_dat, p_wdata, c_wdata, rdata, d_rdata;
  logic            p_valid, p_write, c_valid, c_write, rvalid, d_rvalid, d_valid;
  logic [BusW-1:0] p_addr, c_addr;
  logic [31:0]     items, violations;
  logic [7:0]      eng_count;

  sgpu_wb_slave #(.AdrW(30), .Pipelined(1'b1), .ErrHigh(1'b1), .ReadTimeout(ReadTimeout)) u_pipe (
    .clk_i, .rst_ni,
    .wb_cyc_i(wb_cyc_i && !classic_i), .wb_stb_i, .wb_we_i, .wb_adr_i, .wb_dat_i, .wb_sel_i,
    .wb_stall_o(p_stall), .wb_ack_o(p_ack), .wb_err_o(p_err), .wb_dat_o(p_dat),
    .reg_valid_o(p_valid), .reg_write_o(p_write), .reg_addr_o(p_addr), .reg_wdata_o(p_wdata),
    .reg_rvalid_i(rvalid && !classic_i), .reg_rdata_i(rdata)
  );
  sgpu_wb_slave #(.AdrW(30), .Pipelined(1'b0), .ErrHigh(1'b0), .ReadTimeout(ReadTimeout)) u_cls (
    .clk_i, .rst_ni,
    .wb_cyc_i(wb_cyc_i && classic_i), .wb_stb_i, .wb_we_i, .wb_adr_i, .wb_dat_i, .wb_sel_i,
    .wb_stall_o(c_stall), .wb_ack_o(c_ack), .wb_err_o(c_err), .wb_dat_o(c_dat),
    .reg_valid_o(c_valid), .reg_write_o(c_write), .reg_addr_o(c_addr), .reg_wdata_o(c_wdata),
    .reg_rvalid_i(rvalid && classic_i), .reg_rdata_i(rdata)
  );

  assign wb_stall_o  = classic_i ? c_stall : p_stall;
  assign wb_ack_o    = classic_i ? c_ack : p_ack;
  assign wb_err_o    = classic_i ? c_err : p_err;
  assign wb_dat_o    = classic_i ? c_dat : p_dat;
  assign bus_valid_o = classic_i ? c_valid : p_valid;
  assign bus_write_o = classic_i ? c_write : p_write;
  assign bus_addr_o  = classic_i ? c_addr : p_addr;
  assign bus_wdata_o = classic_i ? c_wdata : p_wdata;
  assign d_valid     = bus_valid_o && !use_model_i;
  assign read_timeout_o = 8'(ReadTimeout);
  assign rvalid      = use_model_i ? m_rvalid_i : d_rvalid;
  assign rdata       = use_model_i ? m_rdata_i : d_rdata;

  sgpu_sim_top #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues),
    .TlbEntries(TlbEntries), .MemStallPct(MemStallPct), .MemExtraLat(MemExtraLat),
    .MemSeed(MemSeed), .MemZeroed(MemZeroed)
  ) u_dev (
    .clk_i, .rst_ni,
    .reg_valid_i(d_valid), .reg_write_i(bus_write_o), .reg_addr_i(bus_addr_o),
    .reg_wdata_i(bus_wdata_o), .reg_rvalid_o(d_rvalid), .reg_rdata_o(d_rdata), .irq_o,
    .eng_hold_i('0), .eng_writes_i(1'b0), .eng_items_done_o(items),
    .owner_violations_o(violations), .eng_count_o(eng_count)
  );

  // Waiver: the stand-in engines' counters are for other benches.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{items, violations, eng_count};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
