// sgpu_mem_xbar_props.svh: formal properties of sgpu_mem_xbar, included in its body under
// `ifdef FORMAL (tests/formal/xbar.sby). Assumptions are the port contract of the neighbours,
// each one marked; everything else is asserted. Fairness is proven by sgpu_rr_arb's own
// properties (a symbolic requester, checked inside this proof); here it is tied to the
// xbar's ports: req_ready_o is the arbiter's grant and every downstream handshake is exactly
// one arbiter grant.

  logic f_past_valid = 1'b0;
  always_ff @(posedge clk_i) f_past_valid <= 1'b1;
  always_comb if (!f_past_valid) assume (!rst_ni);

  // ---------------------------------------------------------------- environment
  // Masters and memory are reset with the xbar: no request or response during reset.
  always_comb begin
    if (!rst_ni) begin
      assume (req_valid_i == '0);
      assume (!mem_rsp_valid_i);
    end
  end

  // Masters hold a request, unchanged, until it is accepted.
  logic [NumMasters-1:0]      f_req_wait_q;
  logic [NumMasters*ReqW-1:0] f_req_q;
  always_ff @(posedge clk_i) begin
    f_req_wait_q <= rst_ni ? (req_valid_i & ~req_ready_o) : '0;
    f_req_q      <= req_i;
  end
  always_comb begin
    for (int unsigned k = 0; k < NumMasters; k++) begin
      if (rst_ni && f_req_wait_q[k]) begin
        assume (req_valid_i[k]);
        assume (req_i[k*ReqW +: ReqW] == f_req_q[k*ReqW +: ReqW]);
      end
    end
  end

  // The memory: a response only for a read it accepted in an earlier cycle, held until taken.
  logic [CntW-1:0]    f_mem_out_q;   // reads accepted by the memory and not yet answered
  logic               f_rsp_wait_q;
  sgpu_pkg::mem_rsp_t f_rsp_q;
  logic               f_mem_rd, f_mem_rsp;
  assign f_mem_rd  = mem_req_valid_o && mem_req_ready_i && !mem_req_o.we;
  assign f_mem_rsp = mem_rsp_valid_i && mem_rsp_ready_o;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_mem_out_q <= '0;
    else         f_mem_out_q <= f_mem_out_q + CntW'(f_mem_rd) - CntW'(f_mem_rsp);
    f_rsp_wait_q <= rst_ni && mem_rsp_valid_i && !mem_rsp_ready_o;
    f_rsp_q      <= mem_rsp_i;
  end
  always_comb begin
    if (rst_ni) begin
      if (mem_rsp_valid_i) assume (f_mem_out_q != '0);
      if (f_rsp_wait_q) assume (mem_rsp_valid_i && mem_rsp_i == f_rsp_q);
    end
  end

  // ---------------------------------------------------------------- bookkeeping
  // f_out_q[k]: reads of master k accepted and not yet answered to k.
  logic [NumMasters-1:0][CntW-1:0] f_out_q;
  always_ff @(posedge clk_i) begin
    for (int unsigned k = 0; k < NumMasters; k++) begin
      if (!rst_ni) begin
        f_out_q[k] <= '0;
      end else begin
        f_out_q[k] <= f_out_q[k]
                    + CntW'(req_valid_i[k] && req_ready_o[k] && !f_req_we(k))
                    - CntW'(rsp_valid_o[k] && rsp_ready_i[k]);
      end
    end
  end

  function automatic logic f_req_we(int unsigned k);
    sgpu_pkg::mem_req_t r;
    r = req_i[k*ReqW +: ReqW];
    f_req_we = r.we;
  endfunction

  // FIFO slot of the i-th oldest read in flight
  function automatic logic [SlotW-1:0] f_slot(int unsigned i);
    int unsigned s;
    s = 32'(rd_slot_q) + i;
    if (s >= MaxOutstanding) s = s - MaxOutstanding;
    f_slot = SlotW'(s);
  endfunction

  // One symbolic read (chosen by f_pick when it is accepted) is followed to its response:
  // f_trk_ahead_q responses are still owed to older reads before it.
  (* anyseq *) logic f_pick;
  logic            f_trk_q;
  logic [IdxW-1:0] f_trk_m_q;
  logic [CntW-1:0] f_trk_ahead_q;
  logic            f_trk_done;
  assign f_trk_done = f_trk_q && rsp_pop && (f_trk_ahead_q == '0);
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      f_trk_q <= 1'b0;
    end else if (!f_trk_q) begin
      if (rd_push && f_pick) begin
        f_trk_q       <= 1'b1;
        f_trk_m_q     <= arb_idx;
        f_trk_ahead_q <= cnt_q - CntW'(rsp_pop);
      end
    end else if (rsp_pop) begin
      if (f_trk_ahead_q == '0) f_trk_q <= 1'b0;
      else                     f_trk_ahead_q <= f_trk_ahead_q - 1'b1;
    end
  end

  // ---------------------------------------------------------------- properties
  logic [NumMasters-1:0][CntW-1:0] f_in_fifo;   // entries of each master in the FIFO
  logic [CntW:0]                   f_out_sum;
  always_comb begin
    f_in_fifo = '0;
    f_out_sum = '0;
    for (int unsigned k = 0; k < NumMasters; k++) begin
      f_out_sum = f_out_sum + (CntW + 1)'(f_out_q[k]);
      for (int unsigned i = 0; i < MaxOutstanding; i++) begin
        if (i < 32'(cnt_q) && order_q[f_slot(i)] == IdxW'(k)) f_in_fifo[k] = f_in_fifo[k] + 1'b1;
      end
    end
  end

  always_comb begin
    if (rst_ni && f_past_valid) begin
      // Request side: a master handshake exactly when a downstream one, to a single master
      // that asked, with its request unchanged (nothing lost, duplicated or altered).
      assert ($onehot0(req_ready_o));
      assert ((req_ready_o != '0) == (mem_req_valid_o && mem_req_ready_i));
      for (int unsigned k = 0; k < NumMasters; k++) begin
        if (req_ready_o[k]) begin
          assert (req_valid_i[k]);
          assert (mem_req_o == req_i[k*ReqW +: ReqW]);
        end
      end
      // The arbiter sees every master that requests (nothing is filtered before it, e.g.
      // a read at the limit), and its grant is the downstream handshake: so its fairness
      // property (a symbolic requester, in sgpu_rr_arb) is the xbar's, over the masters'
      // req_valid_i/req_ready_o.
      assert (arb_req == (req_valid_i != '0));
      assert ((arb_req && arb_gnt) == (mem_req_valid_o && mem_req_ready_i));

      // Outstanding limit: never more than MaxOutstanding reads in flight, and no read is
      // offered at the limit.
      assert (f_mem_out_q <= MaxCnt);
      assert (cnt_q == f_mem_out_q);
      if (cnt_q == MaxCnt && mem_req_valid_o) assert (mem_req_o.we);

      // Response side: only to a master with a read outstanding, one master at a time, a
      // master handshake exactly when a memory one, the memory's data unchanged.
      assert ($onehot0(rsp_valid_o));
      assert (((rsp_valid_o & rsp_ready_i) != '0) == f_mem_rsp);
      assert (rsp_o == mem_rsp_i);
      for (int unsigned k = 0; k < NumMasters; k++) begin
        if (rsp_valid_o[k]) assert (f_out_q[k] != '0);
        // invariant: the FIFO holds exactly each master's outstanding reads
        assert (f_in_fifo[k] == f_out_q[k]);
      end
      assert (f_out_sum == (CntW + 1)'(cnt_q));

      // In order, to the issuer: the tracked read's response is the (ahead+1)-th from now and
      // goes to the master that issued it.
      if (f_trk_q) begin
        assert (f_trk_ahead_q < cnt_q);
        assert (order_q[f_slot(32'(f_trk_ahead_q))] == f_trk_m_q);  // invariant
        if (f_trk_done) assert (rsp_valid_o[f_trk_m_q] && rsp_ready_i[f_trk_m_q]);
      end
      assert (32'(rd_slot_q) < MaxOutstanding);
    end
  end

  // Offers are stable: an offer not taken stays, unchanged, in the next cycle.
  logic               f_offer_q;
  sgpu_pkg::mem_req_t f_offer_req_q;
  always_ff @(posedge clk_i) begin
    f_offer_q     <= rst_ni && mem_req_valid_o && !mem_req_ready_i;
    f_offer_req_q <= mem_req_o;
  end
  always_comb begin
    if (rst_ni && f_offer_q) begin
      assert (mem_req_valid_o);
      assert (mem_req_o == f_offer_req_q);
    end
  end

  // ---------------------------------------------------------------- covers
  logic [NumMasters-1:0] f_granted_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) f_granted_q <= '0;
    else         f_granted_q <= f_granted_q | req_ready_o;
  end
  always_comb begin
    if (rst_ni) begin
      cover (f_granted_q == '1);                                  // every master granted
      cover (at_limit && arb_req && held_back);                   // a read held back at the limit
      cover (at_limit && mem_req_valid_o && mem_req_ready_i);     // ... while a write goes through
      cover (mem_rsp_valid_i && (cnt_q != '0) && !mem_rsp_ready_o); // a response stalled by rsp_ready
      cover (f_trk_done && f_trk_m_q != '0 && (f_out_sum > 1));   // tracked read answered, others pending
    end
  end
