// sgpu_wb_slave_props.svh - formal properties of sgpu_wb_slave (tests/formal/wb_slave.sby),
// included at the end of the module under `ifdef FORMAL`.
// Assumed, the master (Wishbone B4): STB only within CYC; no CYC during reset; pipelined mode:
// a stalled request is held unchanged; standard mode: a request is held unchanged until it is
// answered. Assumed, the register bus (abstract: any latency, possibly never): at most one
// answer per read issued, in order, never in the read's own cycle; the answer to the n-th read
// carries n (mod 16) as its data, so a read handed another read's answer is seen.
// Proven:
//  (1) at most one of ACK and ERR; an answer only while CYC is high and a request is owed
//      (accepted, not yet answered, CYC not dropped since): so never more answers than
//      requests, none the cycle after CYC was low; answers in order (at most one owed beyond
//      the answering cycle);
//  (2) standard mode takes a request only when nothing is owed;
//  (3) every owed request is answered within ReadTimeout+1 cycles while CYC stays up (the bus
//      never hangs, whatever the register bus does);
//  (4) a write is ACKed iff it was not refused (SEL, high address), a refused request gets ERR,
//      a read's ACK carries that read's own answer (never a late answer of an earlier read);
//  (5) a register-bus access only for a taken request, with its address, data and direction;
//  (6) the count of timed-out reads never overflows (late_q + rd_q <= 2^LateW - 1), and it
//      equals the register bus's unanswered reads.
// Cover: a read ACKed, a timeout ERR, a late answer discarded, pipelined back-to-back taking.
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

// ---------------------------------------------------------------- the master
always_comb begin
  assume (!wb_stb_i || wb_cyc_i);
  if (!rst_ni) assume (!wb_cyc_i);
end
logic f_held;  // the request of the last cycle must still be on the bus
always_ff @(posedge clk_i) begin
  if (!rst_ni) f_held <= 1'b0;
  else if (Pipelined) f_held <= wb_cyc_i && wb_stb_i && wb_stall_o;
  else f_held <= wb_cyc_i && wb_stb_i && !wb_ack_o && !wb_err_o;
end
always_ff @(posedge clk_i) begin
  if (f_past_valid && f_held && wb_cyc_i) begin
    assume (wb_stb_i);
    assume ($stable(wb_we_i) && $stable(wb_adr_i) && $stable(wb_dat_i) && $stable(wb_sel_i));
  end
end

// ---------------------------------------------------------------- the register bus
logic [LateW:0] f_pend;           // reads issued, not yet answered
logic [3:0]     f_iss, f_ans;     // reads issued, answered (mod 16)
always_comb begin
  assume (!reg_rvalid_i || f_pend != '0);
  assume (!reg_rvalid_i || reg_rdata_i == 32'(f_ans));
end
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_pend <= '0;
    f_iss  <= '0;
    f_ans  <= '0;
  end else begin
    f_pend <= f_pend + (LateW+1)'(reg_valid_o && !reg_write_o) - (LateW+1)'(reg_rvalid_i);
    f_iss  <= f_iss + 4'(reg_valid_o && !reg_write_o);
    f_ans  <= f_ans + 4'(reg_rvalid_i);
  end
end

// ---------------------------------------------------------------- what is owed
logic       f_out;        // a request accepted and not answered (CYC up since)
logic       f_out_rd;     // ... a read that went to the register bus
logic       f_out_bad;    // ... refused
logic [3:0] f_out_idx;    // ... that read's index
logic [7:0] f_wait;       // cycles it has waited without an answer
logic       f_answer;
assign f_answer = wb_ack_o || wb_err_o;
always_ff @(posedge clk_i) begin
  if (!rst_ni || !wb_cyc_i) begin
    f_out  <= 1'b0;
    f_wait <= '0;
  end else begin
    if (take) begin
      f_out     <= 1'b1;
      f_out_rd  <= !bad && !wb_we_i;
      f_out_bad <= bad;
      f_out_idx <= f_iss;
    end else if (f_answer) begin
      f_out <= 1'b0;
    end
    f_wait <= (f_out && !f_answer && !take) ? f_wait + 8'd1 : '0;
  end
end

always_comb begin
  if (f_on) begin
    // (1)
    assert (!(wb_ack_o && wb_err_o));
    assert (!f_answer || f_out);
    assert (!f_answer || wb_cyc_i);
    assert (!take || !f_out || f_answer);
    // (2)
    if (!Pipelined) assert (!take || !f_out);
    // (3)
    assert (f_wait < 8'(ReadTimeout + 1));
    // (4)
    if (f_answer && f_out) begin
      if (f_out_bad) assert (wb_err_o);
      if (!f_out_bad && !f_out_rd) assert (wb_ack_o);  // an accepted write
      if (wb_ack_o) assert (!f_out_bad);
      if (wb_ack_o && f_out_rd) assert (wb_dat_o == 32'(f_out_idx));
    end
    // (5)
    assert (!reg_valid_o || (take && !bad));
    // (6) and the invariants the induction needs
    assert (int'(late_q) + int'(rd_q) <= (1 << LateW) - 1);
    assert (f_pend == (LateW+1)'(late_q) + (LateW+1)'(rd_q));
    assert (f_iss - f_ans == 4'(f_pend));
    assert (int'(ack_q) + int'(err_q) + int'(rd_q) <= 1);
    assert (f_out == (ack_q || err_q || rd_q));
    if (rd_q) begin
      assert (f_out_rd);
      assert (f_out_idx == f_ans + 4'(late_q));
      assert (tmo_q <= TmoLast);
      assert (f_wait == 8'(tmo_q));
    end
    if (f_out) assert (!(f_out_rd && f_out_bad));
    if (ack_q) assert (!f_out_rd && !f_out_bad);
    if (err_q && !f_out_bad) assert (f_out_rd);
    if (!f_out) assert (f_wait == '0);
  end
end

// ---------------------------------------------------------------- cover
always_comb if (f_on) begin
  cover (wb_ack_o && f_out_rd && wb_cyc_i);
  cover (wb_err_o && f_out_rd);
  cover (discard);
  if (Pipelined) cover (take && wb_ack_o && f_out_rd);
end
