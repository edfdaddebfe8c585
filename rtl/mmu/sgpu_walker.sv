// sgpu_walker: the translate port. TLB lookup, then a two-level page walk in device memory.
//
// Translate port: req_valid_i/req_ready_o with (asid, root frame, vpn); one response per
// request on rsp_valid_o with rsp_fault_o or rsp_frame_o.
//   TLB hit: response 1 cycle after the request is accepted.
//   Miss:    two memory reads (root entry, leaf entry), then a TLB fill and the response.
// If the TLB invalidates the walk's ASID while the walk runs, the walk starts again, so a
// translation read before an invalidation is never filled or returned after it, nor in the
// cycle the invalidation fires (rsp_valid_o is withheld then; the walk starts over).
// Page-table layout: a table is one page of 32-bit entries (see docs/registers.md).
module sgpu_walker #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned AsidW     = 2,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned LvlW     = PageShift - 2,
  localparam int unsigned VpnW     = 2 * LvlW,
  localparam int unsigned AddrW    = FrameW + LvlW
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // translate port
  input  logic              req_valid_i,
  output logic              req_ready_o,
  input  logic [AsidW-1:0]  req_asid_i,
  input  logic [FrameW-1:0] req_root_i,
  input  logic [VpnW-1:0]   req_vpn_i,
  output logic              rsp_valid_o,
  output logic              rsp_fault_o,
  output logic [FrameW-1:0] rsp_frame_o,
  // TLB
  output logic [AsidW-1:0]  tlb_asid_o,
  output logic [VpnW-1:0]   tlb_vpn_o,
  input  logic              tlb_hit_i,
  input  logic [FrameW-1:0] tlb_frame_i,
  output logic              tlb_fill_o,
  output logic [FrameW-1:0] tlb_fill_frame_o,
  input  logic              tlb_inv_fire_i,
  input  logic [AsidW-1:0]  tlb_inv_asid_i,
  // memory port (reads)
  output logic              mem_req_valid_o,
  input  logic              mem_req_ready_i,
  output logic [AddrW-1:0]  mem_req_addr_o,
  input  logic              mem_rsp_valid_i,
  input  logic [31:0]       mem_rsp_rdata_i
);
  localparam int unsigned PteV  = sgpu_regs_pkg::PTE_VALID_BIT;
  localparam int unsigned PteFr = sgpu_regs_pkg::PTE_FRAME_LSB;

  typedef enum logic [2:0] {StIdle, StLookup, StRdRoot, StWtRoot, StRdLeaf, StWtLeaf, StResp}
    state_e;
  state_e            state_q, state_d;
  logic [AsidW-1:0]  asid_q;
  logic [FrameW-1:0] root_q, table_q, table_d, frame_q, frame_d;
  logic [VpnW-1:0]   vpn_q;
  logic              fault_q, fault_d;
  logic              restart, stale_q, stale_d, at_boundary;

  assign tlb_asid_o       = asid_q;
  assign tlb_vpn_o        = vpn_q;
  assign tlb_fill_frame_o = frame_d;
  assign restart          = tlb_inv_fire_i && tlb_inv_asid_i == asid_q;

  always_comb begin
    state_d = state_q;
    table_d = table_q;
    frame_d = frame_q;
    fault_d = fault_q;
    tlb_fill_o      = 1'b0;
    stale_d         = stale_q;
    unique case (state_q)
      StIdle: begin
        if (req_valid_i) state_d = StLookup;
      end
      StLookup: begin
        if (tlb_hit_i) begin
          frame_d = tlb_frame_i;
          fault_d = 1'b0;
          state_d = StResp;
        end else begin
          state_d = StRdRoot;
        end
      end
      StRdRoot: begin
        if (mem_req_ready_i) state_d = StWtRoot;
      end
      StWtRoot: begin
        if (mem_rsp_valid_i) begin
          table_d = mem_rsp_rdata_i[PteFr +: FrameW];
          if (!mem_rsp_rdata_i[PteV]) begin
            fault_d = 1'b1;
            state_d = StResp;
          end else begin
            state_d = StRdLeaf;
          end
        end
      end
      StRdLeaf: begin
        if (mem_req_ready_i) state_d = StWtLeaf;
      end
      StWtLeaf: begin
        if (mem_rsp_valid_i) begin
          frame_d = mem_rsp_rdata_i[PteFr +: FrameW];
          fault_d = !mem_rsp_rdata_i[PteV];
          tlb_fill_o = mem_rsp_rdata_i[PteV];
          state_d = StResp;
        end
      end
      StResp: begin
        // an invalidation of this ASID in the answer's cycle: no answer, walk again
        state_d = restart ? StLookup : StIdle;
      end
      default: state_d = StIdle;
    endcase
    // An invalidation of this ASID during the walk: remember it, and start over at the next
    // point where no read is outstanding, without filling the TLB.
    if (restart && state_q != StIdle && state_q != StResp) stale_d = 1'b1;
    if ((stale_q || restart) && at_boundary) begin
      state_d    = StLookup;
      stale_d    = 1'b0;
      tlb_fill_o = 1'b0;
    end
  end

  // (a read already offered to the memory is never withdrawn: the memory port's valid/ready
  // rule; the walk restarts once its answer is in)
  assign at_boundary = (state_q == StLookup) ||
                       ((state_q == StWtRoot || state_q == StWtLeaf) && mem_rsp_valid_i);

  // Handshake outputs depend on the state only (rsp_valid_o also on the invalidation strobe).
  assign req_ready_o     = (state_q == StIdle);
  assign rsp_valid_o     = (state_q == StResp) && !restart;
  assign mem_req_valid_o = (state_q == StRdRoot) || (state_q == StRdLeaf);
  assign mem_req_addr_o  = (state_q == StRdRoot) ? {root_q, vpn_q[VpnW-1:LvlW]}
                                                 : {table_q, vpn_q[LvlW-1:0]};
  assign rsp_fault_o = fault_q;
  assign rsp_frame_o = frame_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      stale_q <= 1'b0;
    end else begin
      state_q <= state_d;
      stale_q <= stale_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (state_q == StIdle && req_valid_i) begin
      asid_q <= req_asid_i;
      root_q <= req_root_i;
      vpn_q  <= req_vpn_i;
    end
    table_q <= table_d;
    frame_q <= frame_d;
    fault_q <= fault_d;
  end
`ifdef FORMAL
  // Properties for tests/formal/walker.sby: a translation read before an invalidation of its
  // ASID is never filled into the TLB nor returned after it. An attempt starts at StLookup
  // (the TLB is read there); f_seen records an invalidation of the walk's ASID that fired
  // during the attempt, from its lookup cycle on. A fill, or a response, of an attempt that
  // saw one would carry a translation that may already be gone (the i915/Mali bug class).
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  logic f_seen, f_restarted;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_seen      <= 1'b0;
      f_restarted <= 1'b0;
    end else begin
      if (state_q == StIdle)        f_seen <= 1'b0;
      else if (state_q == StLookup) f_seen <= restart;
      else                          f_seen <= f_seen || restart;
      if (state_q == StIdle) f_restarted <= 1'b0;
      else if (state_q != StLookup && state_d == StLookup) f_restarted <= 1'b1;
    end
  end
  always_comb if (f_past_valid && rst_ni) begin
    if (tlb_fill_o) assert (!f_seen && !restart);
    if (rsp_valid_o) assert (!f_seen && !restart);
    // (the implementation's flag is the spec's, inside a walk: the induction needs this)
    if (state_q != StIdle && state_q != StLookup && state_q != StResp) assert (stale_q == f_seen);
    if (state_q == StIdle || state_q == StResp) assert (!stale_q);
    assert (state_q <= StResp);
  end
  always_comb if (f_past_valid && rst_ni) begin
    cover (tlb_fill_o && f_restarted);             // a walk raced an invalidation, then filled
    cover (state_q == StResp && fault_q && f_restarted);
    cover (rsp_valid_o && !fault_q);
  end
`endif
endmodule
