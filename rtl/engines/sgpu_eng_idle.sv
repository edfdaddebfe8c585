// sgpu_eng_idle: what stands on a core engine port that has no engine (a board build without
// engines). It keeps the engine contract (sgpu_pkg, eng_ctl_req_t) as an engine with no work
// of any process: every control request (STOP, DRAIN, ABORT, CLEAR) is acknowledged in the
// cycle after it is first seen, ABORT with 0 work items dropped; it never asks for a
// translation or a memory access and takes every memory response (none come).
// Latency: ack one cycle after the request appears; the request drops after the ack, so a
// request is acknowledged exactly once.
module sgpu_eng_idle (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic [sgpu_pkg::EngCtlReqW-1:0]     ctl_i,
  output logic [sgpu_pkg::EngCtlRspW-1:0]     ctl_o,
  output logic                                xl_req_valid_o,
  output logic [sgpu_pkg::XlateReqW-1:0]      xl_req_o,
  output logic                                xl_retire_o,
  output logic                                mem_req_valid_o,
  output logic [sgpu_pkg::MemReqW-1:0]        mem_req_o,
  output logic                                mem_rsp_ready_o
);
  sgpu_pkg::eng_ctl_req_t req;
  sgpu_pkg::eng_ctl_rsp_t rsp;
  logic                   ack_q;

  assign req = ctl_i;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) ack_q <= 1'b0;
    else         ack_q <= req.valid && !ack_q;   // one pulse per request
  end
  assign rsp.ack     = ack_q;
  assign rsp.aborted = '0;
  assign ctl_o       = rsp;

  assign xl_req_valid_o  = 1'b0;
  assign xl_req_o        = '0;
  assign xl_retire_o     = 1'b0;
  assign mem_req_valid_o = 1'b0;
  assign mem_req_o       = '0;
  assign mem_rsp_ready_o = 1'b1;

  // Waiver: only the request's valid bit matters to an engine with no work.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{req.op, req.asid};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
