// sgpu_mem_arb: fixed-priority arbiter that lets N masters share one memory port.
//
// Master 0 has the highest priority. The downstream port follows the sgpu_mem contract
// (req valid/ready, read data on rsp_valid). Responses are routed back in request order by a
// small FIFO of grant indices, so the arbiter stays correct behind a memory with a longer
// latency (up to MaxOutstanding reads in flight).
// Latency: zero added cycles (the grant is combinational).
module sgpu_mem_arb #(
  parameter int unsigned N              = 3,   // masters
  parameter int unsigned AddrW          = 16,  // word address width
  parameter int unsigned MaxOutstanding = 2    // reads in flight downstream (power of two)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // masters
  input  logic [N-1:0]             m_req_valid_i,
  output logic [N-1:0]             m_req_ready_o,
  input  logic [N-1:0]             m_req_we_i,
  input  logic [N*AddrW-1:0]       m_req_addr_i,    // master i at [i*AddrW +: AddrW]
  input  logic [N*32-1:0]          m_req_wdata_i,   // master i at [i*32 +: 32]
  output logic [N-1:0]             m_rsp_valid_o,
  output logic [31:0]              m_rsp_rdata_o,   // shared; qualified by m_rsp_valid_o
  // memory
  output logic                     s_req_valid_o,
  input  logic                     s_req_ready_i,
  output logic                     s_req_we_o,
  output logic [AddrW-1:0]         s_req_addr_o,
  output logic [31:0]              s_req_wdata_o,
  input  logic                     s_rsp_valid_i,
  input  logic [31:0]              s_rsp_rdata_i
);
  localparam int unsigned IdxW = (N > 1) ? $clog2(N) : 1;
  localparam int unsigned PtrW = (MaxOutstanding > 1) ? $clog2(MaxOutstanding) : 1;

  logic [IdxW-1:0] grant;
  logic            any;

  always_comb begin
    grant = '0;
    any   = 1'b0;
    for (int i = N - 1; i >= 0; i--) begin
      if (m_req_valid_i[i]) begin
        grant = IdxW'(i);
        any   = 1'b1;
      end
    end
  end

  assign s_req_valid_o = any;
  assign s_req_we_o    = m_req_we_i[grant];
  assign s_req_addr_o  = m_req_addr_i[32'(grant) * AddrW +: AddrW];
  assign s_req_wdata_o = m_req_wdata_i[32'(grant) * 32 +: 32];

  always_comb begin
    m_req_ready_o = '0;
    if (any) m_req_ready_o[grant] = s_req_ready_i;
  end

  // Order of outstanding reads.
  logic [IdxW-1:0] fifo_q [MaxOutstanding];
  logic [PtrW-1:0] wr_q, rd_q;
  logic [PtrW:0]   cnt_q;
  logic            push, pop;

  assign push = any && s_req_ready_i && !s_req_we_o;
  assign pop  = s_rsp_valid_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_q  <= '0;
      rd_q  <= '0;
      cnt_q <= '0;
    end else begin
      if (push) begin
        fifo_q[wr_q] <= grant;
        wr_q         <= wr_q + 1'b1;
      end
      if (pop) rd_q <= rd_q + 1'b1;
      cnt_q <= cnt_q + {{PtrW{1'b0}}, push} - {{PtrW{1'b0}}, pop};
    end
  end

  always_comb begin
    m_rsp_valid_o = '0;
    if (pop) m_rsp_valid_o[fifo_q[rd_q]] = 1'b1;
  end
  assign m_rsp_rdata_o = s_rsp_rdata_i;

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  NoOverflow_A:  assert property (@(posedge clk_i) disable iff (!rst_ni)
    push && !pop |-> (cnt_q < (PtrW+1)'(MaxOutstanding)));
  NoUnderflow_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    pop |-> (cnt_q != '0));
`endif
endmodule
