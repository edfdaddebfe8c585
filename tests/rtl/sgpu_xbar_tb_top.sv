// sgpu_xbar_tb_top: bench wrapper for tests/rtl/tb_xbar.cpp. sgpu_mem_xbar with NumMasters
// masters driven from C++, in front of either memory: sgpu_mem_sim (random stalls, random
// read latency, contents starting non-zero) or sgpu_mem_bram (one-cycle reads, contents
// starting at zero), chosen by mem_sel_i (held for a whole run; the other one sees no traffic).
// Master fields come as plain per-master vectors so the C++ side sets words, not packed
// structs; the memory port is mirrored on mon_* outputs for the bench's own checks.
// For Verilator benches only.
module sgpu_xbar_tb_top #(
  parameter int unsigned  NumMasters      = 4,
  parameter int unsigned  MaxOutstanding  = 3,
  parameter int unsigned  AddrW           = 10,
  parameter int unsigned  StallPct        = 25,
  parameter int unsigned  MaxExtraLatency = 6,
  parameter int unsigned  MemSeed         = 1,
  localparam int unsigned ReqW            = $bits(sgpu_pkg::mem_req_t),
  localparam bit          SimZeroed       = 1'b0,  // like SPRAM/SDRAM after power-up
  localparam bit          BramZeroed      = 1'b1   // what block RAM configuration gives
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        mem_sel_i,       // 0 sgpu_mem_sim, 1 sgpu_mem_bram
  // masters
  input  logic [NumMasters-1:0]       m_req_valid_i,
  output logic [NumMasters-1:0]       m_req_ready_o,
  input  logic [NumMasters-1:0]       m_req_we_i,
  input  logic [NumMasters-1:0][3:0]  m_req_be_i,
  input  logic [NumMasters-1:0][31:0] m_req_addr_i,
  input  logic [NumMasters-1:0][31:0] m_req_wdata_i,
  output logic [NumMasters-1:0]       m_rsp_valid_o,
  input  logic [NumMasters-1:0]       m_rsp_ready_i,
  output logic [31:0]                 m_rsp_rdata_o,
  // the memory port, mirrored
  output logic                        mon_req_valid_o,
  output logic                        mon_req_ready_o,
  output logic                        mon_req_we_o,
  output logic [31:0]                 mon_req_addr_o,
  output logic                        mon_rsp_valid_o,
  output logic                        mon_rsp_ready_o,
  // configuration, for the bench to read
  output logic [7:0]                  cfg_masters_o,
  output logic [7:0]                  cfg_max_out_o,
  output logic [31:0]                 cfg_words_o,
  output logic                        cfg_zeroed_o     // of the selected memory
);
  logic [NumMasters-1:0][ReqW-1:0] req_all;
  sgpu_pkg::mem_req_t         mreq;
  sgpu_pkg::mem_rsp_t         mrsp, sim_rsp, bram_rsp, xrsp;
  logic                       mreq_valid, mreq_ready, mrsp_valid, mrsp_ready;
  logic                       sim_req_ready, sim_rsp_valid, bram_req_ready, bram_rsp_valid;

  always_comb begin
    for (int unsigned k = 0; k < NumMasters; k++) begin
      sgpu_pkg::mem_req_t r;
      r.we    = m_req_we_i[k];
      r.be    = m_req_be_i[k];
      r.addr  = m_req_addr_i[k];
      r.wdata = m_req_wdata_i[k];
      req_all[k] = r;
    end
  end

  sgpu_mem_xbar #(
    .NumMasters     (NumMasters),
    .MaxOutstanding (MaxOutstanding)
  ) u_xbar (
    .clk_i,
    .rst_ni,
    .req_valid_i     (m_req_valid_i),
    .req_ready_o     (m_req_ready_o),
    .req_i           (req_all),
    .rsp_valid_o     (m_rsp_valid_o),
    .rsp_ready_i     (m_rsp_ready_i),
    .rsp_o           (xrsp),
    .mem_req_valid_o (mreq_valid),
    .mem_req_ready_i (mreq_ready),
    .mem_req_o       (mreq),
    .mem_rsp_valid_i (mrsp_valid),
    .mem_rsp_ready_o (mrsp_ready),
    .mem_rsp_i       (mrsp)
  );
  assign m_rsp_rdata_o = xrsp.rdata;

  sgpu_mem_sim #(
    .AddrW           (AddrW),
    .StallPct        (StallPct),
    .MaxExtraLatency (MaxExtraLatency),
    .Seed            (MemSeed),
    .Zeroed          (SimZeroed)
  ) u_sim (
    .clk_i,
    .rst_ni,
    .req_valid_i (mreq_valid && !mem_sel_i),
    .req_ready_o (sim_req_ready),
    .req_i       (mreq),
    .rsp_valid_o (sim_rsp_valid),
    .rsp_ready_i (mrsp_ready && !mem_sel_i),
    .rsp_o       (sim_rsp)
  );

  sgpu_mem_bram #(
    .AddrW  (AddrW),
    .Zeroed (BramZeroed)
  ) u_bram (
    .clk_i,
    .rst_ni,
    .req_valid_i (mreq_valid && mem_sel_i),
    .req_ready_o (bram_req_ready),
    .req_i       (mreq),
    .rsp_valid_o (bram_rsp_valid),
    .rsp_ready_i (mrsp_ready && mem_sel_i),
    .rsp_o       (bram_rsp)
  );

  assign mreq_ready = mem_sel_i ? bram_req_ready : sim_req_ready;
  assign mrsp_valid = mem_sel_i ? bram_rsp_valid : sim_rsp_valid;
  assign mrsp       = mem_sel_i ? bram_rsp : sim_rsp;

  assign mon_req_valid_o = mreq_valid;
  assign mon_req_ready_o = mreq_ready;
  assign mon_req_we_o    = mreq.we;
  assign mon_req_addr_o  = mreq.addr;
  assign mon_rsp_valid_o = mrsp_valid;
  assign mon_rsp_ready_o = mrsp_ready;
  assign cfg_masters_o   = 8'(NumMasters);
  assign cfg_max_out_o   = 8'(MaxOutstanding);
  assign cfg_words_o     = 32'(1 << AddrW);
  assign cfg_zeroed_o    = mem_sel_i ? BramZeroed : SimZeroed;
endmodule
