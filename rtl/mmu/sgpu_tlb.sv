// sgpu_tlb: fully associative TLB tagged by address-space id (ASID).
//
// lookup: combinational hit and frame for (asid, vpn).
// fill:   one-cycle write of (asid, vpn, frame), replacing a matching entry if there is one,
//         else the round-robin victim.
// invalidate: hold inv_valid_i; by ASID (inv_by_asid_i) or one (asid, vpn). The entries are
//         cleared at the first clock edge; inv_done_o pulses in the following cycle, when no
//         lookup can hit them any more. inv_fire_o/inv_fire_asid_o tell page walkers in
//         flight that an invalidation for that ASID happened, so they retry instead of
//         filling a translation read before it (the fill race behind freed-page reuse bugs).
module sgpu_tlb #(
  parameter int unsigned Entries = 8,
  parameter int unsigned AsidW   = 3,
  parameter int unsigned VpnW    = 20,
  parameter int unsigned FrameW  = 15
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [AsidW-1:0]  lookup_asid_i,
  input  logic [VpnW-1:0]   lookup_vpn_i,
  output logic              lookup_hit_o,
  output logic [FrameW-1:0] lookup_frame_o,
  input  logic              fill_valid_i,
  input  logic [AsidW-1:0]  fill_asid_i,
  input  logic [VpnW-1:0]   fill_vpn_i,
  input  logic [FrameW-1:0] fill_frame_i,
  input  logic              inv_valid_i,
  input  logic              inv_by_asid_i,
  input  logic [AsidW-1:0]  inv_asid_i,
  input  logic [VpnW-1:0]   inv_vpn_i,
  output logic              inv_done_o,
  output logic              inv_fire_o,
  output logic [AsidW-1:0]  inv_fire_asid_o
);
  localparam int unsigned IdxW = (Entries > 1) ? $clog2(Entries) : 1;

  logic [Entries-1:0] valid_q;
  logic [AsidW-1:0]   asid_q  [Entries];
  logic [VpnW-1:0]    vpn_q   [Entries];
  logic [FrameW-1:0]  frame_q [Entries];
  logic [IdxW-1:0]    victim_q;
  logic               inv_pend_q;
  logic               inv_fire;
  logic [Entries-1:0] fill_match;

  always_comb begin
    lookup_hit_o   = 1'b0;
    lookup_frame_o = '0;
    fill_match     = '0;
    for (int unsigned i = 0; i < Entries; i++) begin
      if (valid_q[i] && asid_q[i] == lookup_asid_i && vpn_q[i] == lookup_vpn_i) begin
        lookup_hit_o   = 1'b1;
        lookup_frame_o = frame_q[i];
      end
      fill_match[i] = valid_q[i] && asid_q[i] == fill_asid_i && vpn_q[i] == fill_vpn_i;
    end
  end

  assign inv_fire        = inv_valid_i && !inv_pend_q;
  assign inv_done_o      = inv_pend_q;
  assign inv_fire_o      = inv_fire;
  assign inv_fire_asid_o = inv_asid_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_q    <= '0;
      victim_q   <= '0;
      inv_pend_q <= 1'b0;
    end else begin
      inv_pend_q <= inv_fire;
      if (fill_valid_i && !inv_fire) begin
        if (fill_match != '0) begin
          for (int unsigned i = 0; i < Entries; i++) if (fill_match[i]) frame_q[i] <= fill_frame_i;
        end else begin
          valid_q[victim_q]  <= 1'b1;
          asid_q[victim_q]   <= fill_asid_i;
          vpn_q[victim_q]    <= fill_vpn_i;
          frame_q[victim_q]  <= fill_frame_i;
          victim_q           <= (32'(victim_q) == Entries - 1) ? '0 : victim_q + 1'b1;
        end
      end
      if (inv_fire) begin
        for (int unsigned i = 0; i < Entries; i++) begin
          if (asid_q[i] == inv_asid_i && (inv_by_asid_i || vpn_q[i] == inv_vpn_i)) valid_q[i] <= 1'b0;
        end
      end
    end
  end

`ifdef FORMAL
  // Properties for tests/formal/tlb.sby (one symbolic ASID f_asid stands for every ASID).
  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);
  (* anyconst *) logic [AsidW-1:0] f_asid;
  // f_stale[i]: entry i held a translation of f_asid when an invalidation of f_asid (by ASID)
  // fired, and has not been refilled since.
  logic [Entries-1:0] f_stale;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_stale <= '0;
    else begin
      for (int unsigned i = 0; i < Entries; i++) begin
        if (inv_fire && inv_by_asid_i && inv_asid_i == f_asid && valid_q[i] && asid_q[i] == f_asid)
          f_stale[i] <= 1'b1;
        else if (fill_valid_i && !inv_fire && (fill_match[i] || (fill_match == '0 && victim_q == IdxW'(i))))
          f_stale[i] <= 1'b0;
      end
    end
  end
  always_comb begin
    if (rst_ni && f_past_valid) begin
      for (int unsigned i = 0; i < Entries; i++) begin
        // once the invalidation has fired, no entry filled before it can hit again
        if (f_stale[i]) assert (!valid_q[i]);
      end
      // so inv_done (the cycle after the fire) finds none: a lookup of f_asid never hits one
      if (inv_done_o && inv_by_asid_i && inv_asid_i == f_asid)
        for (int unsigned i = 0; i < Entries; i++) assert (!(valid_q[i] && asid_q[i] == f_asid && f_stale[i]));
      // the victim pointer stays in range
      assert (32'(victim_q) < Entries);
    end
  end
  // entries of other ASIDs are untouched by an invalidation
  always_ff @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni) && $past(inv_fire)) begin
      for (int unsigned i = 0; i < Entries; i++) begin
        if ($past(valid_q[i]) && $past(asid_q[i]) != $past(inv_asid_i)) begin
          assert (valid_q[i]);
          assert (frame_q[i] == $past(frame_q[i]) && vpn_q[i] == $past(vpn_q[i]));
        end
      end
    end
  end
  // reachability
  always_comb if (rst_ni) begin
    cover (inv_done_o && lookup_hit_o);
    cover (f_stale != '0);
    cover (valid_q == '1);
  end
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // At most one entry per (asid, vpn): a second one would make a lookup ambiguous.
  logic [$clog2(Entries+1)-1:0] n_match;
  always_comb begin
    n_match = '0;
    for (int unsigned i = 0; i < Entries; i++)
      n_match = n_match + {{($clog2(Entries+1)-1){1'b0}},
                           (valid_q[i] && asid_q[i] == lookup_asid_i && vpn_q[i] == lookup_vpn_i)};
  end
  UniqueHit_A: assert property (@(posedge clk_i) disable iff (!rst_ni) n_match <= 1);
`endif
endmodule
