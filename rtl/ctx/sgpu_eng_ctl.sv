// sgpu_eng_ctl: fans the teardown's per-process control request (sgpu_pkg engine contract) out
// to NumEngines engines and combines their answers.
//
// req_i is held until ack_o. Each engine sees the request (eng_req_o[e]) until it acks; its ack
// is remembered, so engines may answer in any cycle and in any order. When the last one has
// acked, rsp_o.ack pulses for one cycle with the sum of the work items they aborted, and the
// requester drops (or changes) its request in the next cycle.
// Latency: the slowest engine's, plus 0 cycles (the last ack is passed on in its own cycle).
module sgpu_eng_ctl #(
  parameter int unsigned NumEngines = 1
) (
  input  logic                                        clk_i,
  input  logic                                        rst_ni,
  input  sgpu_pkg::eng_ctl_req_t                      req_i,
  output sgpu_pkg::eng_ctl_rsp_t                      rsp_o,
  output logic [NumEngines-1:0][sgpu_pkg::EngCtlReqW-1:0] eng_req_o,   // eng_ctl_req_t each
  input  logic [NumEngines-1:0][sgpu_pkg::EngCtlRspW-1:0] eng_rsp_i     // eng_ctl_rsp_t each
);
  logic [NumEngines-1:0] acked_q, ack_now;
  logic [15:0]           sum_q, sum_d;
  logic                  all;

  // per engine: its request and answer as structs
  logic [NumEngines-1:0]       eng_ack;
  logic [NumEngines-1:0][15:0] eng_aborted;
  for (genvar e = 0; e < NumEngines; e++) begin : g_eng
    sgpu_pkg::eng_ctl_rsp_t r;
    sgpu_pkg::eng_ctl_req_t q;
    assign r              = eng_rsp_i[e];
    assign eng_ack[e]     = r.ack;
    assign eng_aborted[e] = r.aborted;
    always_comb begin
      q       = req_i;
      q.valid = req_i.valid && !acked_q[e];
    end
    assign eng_req_o[e] = q;
  end

  always_comb begin
    sum_d   = sum_q;
    ack_now = req_i.valid ? (eng_ack & ~acked_q) : '0;
    for (int unsigned e = 0; e < NumEngines; e++)
      if (ack_now[e]) sum_d = sum_d + eng_aborted[e];
    all = req_i.valid && ((acked_q | ack_now) == '1);
    rsp_o         = '0;
    rsp_o.ack     = all;
    rsp_o.aborted = sum_d;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      acked_q <= '0;
      sum_q   <= '0;
    end else if (all || !req_i.valid) begin
      acked_q <= '0;
      sum_q   <= '0;
    end else begin
      acked_q <= acked_q | ack_now;
      sum_q   <= sum_d;
    end
  end
endmodule
