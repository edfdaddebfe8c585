// sgpu_mmu: the MMU. NumPorts translate ports share one TLB (tagged by ASID) and one page
// walker; the walker reads page tables through the MMU's memory master port.
//
// Translate port k (sgpu_pkg::xlate_req_t / xlate_rsp_t):
//   req_valid_i[k]/req_ready_o[k]  one request (asid, vpn) per handshake; at most one
//                                  translation per port outstanding, from the handshake to
//                                  the port's retire_i[k] pulse (in or after the response
//                                  cycle). Hold the request until ready.
//   rsp_valid_o[k], rsp_o          the answer (frame or fault), one cycle; rsp_o is shared by
//                                  the ports and qualified by rsp_valid_o[k].
//   retire_i[k]                    the port no longer uses the translation it was given.
//   Latency: TLB hit 2 cycles from the handshake, a walk 2 reads more. Ports are served one
//   at a time in round-robin order, so a waiting port is served after at most NumPorts - 1
//   others.
// Address spaces: root_we_i writes the root table frame of an ASID and enables the ASID
// (the process table does it at CREATE_PROCESS). Until then, and after an invalidation with
// `disable_asid` set (the teardown's), every request of that ASID faults without a walk.
// Invalidation (inv_valid_i held until inv_done_o pulses): by ASID or one (asid, vpn).
// The TLB drops the entries at the first edge; a walk of that ASID in flight starts over
// (never filling or returning what it read before). inv_done_o then waits until every port
// that held, or was waiting for, a translation of that ASID when the invalidation fired has
// retired it: after inv_done_o no translation of that ASID from before the invalidation is
// in use anywhere, so its frames can be freed (the i915/Mali stale-translation bugs).
// Retiring is each port's promise (the engine contract): a port holds a translation for a
// bounded time, so the wait is bounded.
module sgpu_mmu #(
  parameter int unsigned PageShift  = 8,
  parameter int unsigned NumFrames  = 64,
  parameter int unsigned NumProcs   = 4,     // ASIDs 0..NumProcs-1
  parameter int unsigned TlbEntries = 4,
  parameter int unsigned NumPorts   = 2,
  localparam int unsigned FrameW    = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned LvlW      = PageShift - 2,
  localparam int unsigned VpnW      = 2 * LvlW,
  localparam int unsigned AsidW     = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned PortW     = (NumPorts > 1) ? $clog2(NumPorts) : 1
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  // translate ports
  input  logic [NumPorts-1:0]                 req_valid_i,
  output logic [NumPorts-1:0]                 req_ready_o,
  input  logic [NumPorts-1:0][sgpu_pkg::XlateReqW-1:0] req_i,   // sgpu_pkg::xlate_req_t each
  output logic [NumPorts-1:0]                 rsp_valid_o,
  output sgpu_pkg::xlate_rsp_t                rsp_o,
  input  logic [NumPorts-1:0]                 retire_i,
  // address spaces
  input  logic                                root_we_i,
  input  logic [AsidW-1:0]                    root_asid_i,
  input  logic [FrameW-1:0]                   root_frame_i,
  // invalidation
  input  logic                                inv_valid_i,
  input  sgpu_pkg::inval_req_t                inv_i,
  input  logic                                inv_disable_i,  // also disable the ASID
  output logic                                inv_done_o,
  // memory master (page-table reads)
  output logic                                mem_req_valid_o,
  input  logic                                mem_req_ready_i,
  output sgpu_pkg::mem_req_t                  mem_req_o,
  input  logic                                mem_rsp_valid_i,
  output logic                                mem_rsp_ready_o,
  input  sgpu_pkg::mem_rsp_t                  mem_rsp_i
);
  // ---------------------------------------------------------------- address spaces
  logic [FrameW-1:0]   root_q [NumProcs];
  logic [NumProcs-1:0] en_q;

  // ---------------------------------------------------------------- port state
  logic [NumPorts-1:0] hold_q;       // accepted and not retired
  logic [AsidW-1:0]    pasid_q [NumPorts];
  logic [NumPorts-1:0] wait_q;       // held a translation of the ASID being invalidated
  logic [PortW-1:0]    rr_q;         // last port served
  logic                busy_q;       // a request is with the walker
  logic [PortW-1:0]    cur_q;        // ... from this port
  logic                flt_q;        // ... and it faults without a walk (ASID not enabled)

  // ---------------------------------------------------------------- round robin
  logic             grant_any;
  logic [PortW-1:0] grant;
  always_comb begin
    grant_any = 1'b0;
    grant     = rr_q;
    // the first requesting port after the last one served
    for (int unsigned i = NumPorts; i >= 1; i--) begin
      logic [PortW-1:0] k;
      k = PortW'((32'(rr_q) + i) % NumPorts);
      if (req_valid_i[k] && !hold_q[k]) begin
        grant_any = 1'b1;
        grant     = k;
      end
    end
  end

  sgpu_pkg::xlate_req_t sel;
  logic                 take, sel_ok;
  logic [AsidW-1:0]     sel_asid;
  assign sel      = req_i[grant];
  assign sel_asid = sel.asid[AsidW-1:0];
  assign sel_ok   = (32'(sel.asid) < NumProcs) && en_q[sel_asid] &&
                    (sel.vpn >> VpnW) == '0;
  logic             w_req_ready, w_rsp_valid, w_rsp_fault;
  logic [FrameW-1:0] w_rsp_frame;
  assign take = !busy_q && grant_any;

  always_comb begin
    req_ready_o = '0;
    if (take) req_ready_o[grant] = 1'b1;
  end

  // ---------------------------------------------------------------- walker and TLB
  logic              w_valid;
  logic [AsidW-1:0]  w_asid;
  logic [FrameW-1:0] w_root;
  logic [VpnW-1:0]   w_vpn;
  logic [AsidW-1:0]  tlb_asid, inv_fire_asid;
  logic [VpnW-1:0]   tlb_vpn;
  logic              tlb_hit, tlb_fill, inv_fire, tlb_done;
  logic [FrameW-1:0] tlb_frame, tlb_fill_frame;
  logic [FrameW+LvlW-1:0] w_mem_addr;

  assign w_valid = take && sel_ok;
  assign w_asid  = sel_asid;
  assign w_root  = root_q[sel_asid];
  assign w_vpn   = sel.vpn[VpnW-1:0];

  sgpu_walker #(.PageShift(PageShift), .NumFrames(NumFrames), .AsidW(AsidW)) u_walker (
    .clk_i, .rst_ni,
    .req_valid_i(w_valid), .req_ready_o(w_req_ready), .req_asid_i(w_asid), .req_root_i(w_root),
    .req_vpn_i(w_vpn), .rsp_valid_o(w_rsp_valid), .rsp_fault_o(w_rsp_fault),
    .rsp_frame_o(w_rsp_frame),
    .tlb_asid_o(tlb_asid), .tlb_vpn_o(tlb_vpn), .tlb_hit_i(tlb_hit), .tlb_frame_i(tlb_frame),
    .tlb_fill_o(tlb_fill), .tlb_fill_frame_o(tlb_fill_frame),
    .tlb_inv_fire_i(inv_fire), .tlb_inv_asid_i(inv_fire_asid),
    .mem_req_valid_o, .mem_req_ready_i, .mem_req_addr_o(w_mem_addr),
    .mem_rsp_valid_i, .mem_rsp_rdata_i(mem_rsp_i.rdata)
  );
  assign mem_rsp_ready_o = 1'b1;   // the walker waits for its read: it always takes it
  always_comb begin
    mem_req_o      = '0;
    mem_req_o.we   = 1'b0;
    mem_req_o.be   = 4'hF;
    mem_req_o.addr = sgpu_pkg::MemAddrW'(w_mem_addr);
  end

  logic [AsidW-1:0] inv_asid;
  logic [VpnW-1:0]  inv_vpn;
  assign inv_asid = inv_i.asid[AsidW-1:0];
  assign inv_vpn  = inv_i.vpn[VpnW-1:0];

  sgpu_tlb #(.Entries(TlbEntries), .AsidW(AsidW), .VpnW(VpnW), .FrameW(FrameW)) u_tlb (
    .clk_i, .rst_ni,
    .lookup_asid_i(tlb_asid), .lookup_vpn_i(tlb_vpn), .lookup_hit_o(tlb_hit),
    .lookup_frame_o(tlb_frame),
    .fill_valid_i(tlb_fill), .fill_asid_i(tlb_asid), .fill_vpn_i(tlb_vpn),
    .fill_frame_i(tlb_fill_frame),
    .inv_valid_i(inv_valid_i && !inv_pend_q), .inv_by_asid_i(inv_i.by_asid), .inv_asid_i(inv_asid),
    .inv_vpn_i(inv_vpn), .inv_done_o(tlb_done), .inv_fire_o(inv_fire),
    .inv_fire_asid_o(inv_fire_asid)
  );

  // ---------------------------------------------------------------- responses
  // A request of a disabled ASID (or out of range) faults the cycle after it is taken.
  logic done;
  assign done = busy_q && (flt_q || w_rsp_valid);
  always_comb begin
    rsp_valid_o = '0;
    if (done) rsp_valid_o[cur_q] = 1'b1;
    rsp_o       = '0;
    rsp_o.fault = flt_q || w_rsp_fault;
    rsp_o.frame = (flt_q || w_rsp_fault) ? '0 : sgpu_pkg::MaxFrameW'(w_rsp_frame);
  end

  // ---------------------------------------------------------------- invalidation
  // inv_pend_q: the TLB has fired this request; wait for it and for the ports to retire.
  logic                inv_pend_q, tlb_seen_q;
  logic [NumPorts-1:0] inv_match;   // ports holding (or just taking) a translation of inv_asid
  always_comb begin
    for (int unsigned k = 0; k < NumPorts; k++)
      inv_match[k] = (hold_q[k] && pasid_q[k] == inv_asid) ||
                     (take && grant == PortW'(k) && sel_asid == inv_asid);
  end
  assign inv_done_o = inv_pend_q && (tlb_seen_q || tlb_done) && (wait_q & ~retire_i) == '0;

  // ---------------------------------------------------------------- state
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      en_q       <= '0;
      hold_q     <= '0;
      wait_q     <= '0;
      rr_q       <= '0;
      busy_q     <= 1'b0;
      flt_q      <= 1'b0;
      inv_pend_q <= 1'b0;
      tlb_seen_q <= 1'b0;
    end else begin
      if (take) begin
        rr_q          <= grant;
        busy_q        <= 1'b1;
        flt_q         <= !sel_ok;
      end else if (done) begin
        busy_q <= 1'b0;
        flt_q  <= 1'b0;
      end
      hold_q <= (hold_q | (take ? (NumPorts'(1) << grant) : '0)) & ~retire_i;
      // invalidation: fire, then wait for the TLB and for every port that held the ASID
      if (inv_valid_i && !inv_pend_q) begin
        inv_pend_q <= 1'b1;
        tlb_seen_q <= 1'b0;
        wait_q     <= inv_match & ~retire_i;
        if (inv_disable_i && 32'(inv_i.asid) < NumProcs) en_q[inv_asid] <= 1'b0;
      end else begin
        if (tlb_done) tlb_seen_q <= 1'b1;
        wait_q <= wait_q & ~retire_i;
        if (inv_done_o) inv_pend_q <= 1'b0;
      end
      if (root_we_i) en_q[root_asid_i] <= 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (root_we_i) root_q[root_asid_i] <= root_frame_i;
    if (take) begin
      pasid_q[grant] <= sel_asid;
      cur_q          <= grant;
    end
  end

`ifdef FORMAL
  `include "sgpu_mmu_props.svh"
`endif

  // Waiver: the walker is always ready when busy_q is low (it answers before taking more).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = w_req_ready ^ (|sel.asid) ^ (|inv_i.vpn) ^ (|inv_i.asid);
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
