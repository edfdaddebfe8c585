// sgpu_link_bridge_props.svh - formal properties of sgpu_link_bridge
// (tests/formal/link_bridge.sby), included at the end of the module under `ifdef FORMAL`.
// The bytes from the host, their timing and the register bus's answers are unconstrained; the
// buffer's contents are symbolic. Monitors record, at each delimiter the engine takes, the CRC
// register (f_crc) and whether the frame's seq is the kept one (f_rep); then
//  (1) no frame whose CRC register did not end at 0 ever causes a register access: every bus
//      access has f_crc == 0, and the frame's own delimiter was the last byte taken;
//  (2) a frame carrying the kept sequence number (a replay) never causes a register access;
//  (3) every accepted frame (one that reached L_ACC: delimited, MIN_FRAME..MAX_FRAME bytes)
//      gets exactly one response: one leading delimiter sent between its acceptance and the
//      end of that response, none outside, and no byte taken meanwhile.
// The induction needs the engine's state tied to its program: the registered instruction is
// the program's word at upc, upc stays within the program, and the program's regions (labels
// from the generated package) hold what the monitors say. The program's text is logic in the
// proof (proc -norom), so the solver checks every instruction of every region.
// Covers: the receive path (deeper ones cost minutes: tb_link reaches every outcome).
logic f_past_valid = 1'b0;
always_ff @(posedge clk_i) f_past_valid <= 1'b1;
always_comb if (!f_past_valid) assume (!rst_ni);
logic f_on;
assign f_on = f_past_valid && rst_ni;

localparam logic [8:0] FRxDelim = sgpu_link_ucode_pkg::L_RX_DELIM;
localparam logic [8:0] FAcc     = sgpu_link_ucode_pkg::L_ACC;
localparam logic [8:0] FChk     = sgpu_link_ucode_pkg::L_CHK;
localparam logic [8:0] FNoRep   = sgpu_link_ucode_pkg::L_NOREP;
localparam logic [8:0] FXEnd    = sgpu_link_ucode_pkg::L_XEND;
localparam logic [8:0] FSend    = sgpu_link_ucode_pkg::L_SEND;
localparam logic [8:0] FSendL   = sgpu_link_ucode_pkg::L_SEND_L;

logic f_take, f_tx, f_replay_now;
assign f_take       = rx_valid_i && rx_ready_o;
assign f_tx         = tx_valid_o && tx_ready_i;
assign f_replay_now = kept_q && (seq_q == kept_seq_q);

// (1), (2): at each delimiter taken
logic [15:0] f_crc;
logic        f_rep;
always_ff @(posedge clk_i) begin
  if (f_take && rx_data_i == 8'h00) begin
    f_crc <= crc_q;
    f_rep <= f_replay_now;
  end
end

// (3): a frame accepted and not yet answered (f_pend); its response started (f_sent)
logic f_pend, f_sent, f_last;
assign f_last = f_tx && upc_q == FSendL && tx_data_o == 8'h00;  // the response's last byte
always_ff @(posedge clk_i) begin
  if (!rst_ni) begin
    f_pend <= 1'b0;
    f_sent <= 1'b0;
  end else begin
    if (upc_q == FAcc && adv) f_pend <= 1'b1;
    if (f_tx && upc_q == FSend) f_sent <= 1'b1;
    if (f_last) begin
      f_pend <= 1'b0;
      f_sent <= 1'b0;
    end
  end
end

logic f_in_delim, f_in_chk, f_in_exec;
assign f_in_delim = (upc_q >= FRxDelim) && (upc_q < FXEnd);
assign f_in_chk   = (upc_q >= FChk) && (upc_q < FXEnd);
assign f_in_exec  = (upc_q >= FNoRep) && (upc_q < FXEnd);

always_comb begin
  if (f_on) begin
    // the engine runs its program
    assert (ui_q == sgpu_link_ucode_pkg::ucode(upc_q, 8'(AdminWaitLog2)));
    assert (32'(upc_q) < sgpu_link_ucode_pkg::LENGTH);
    assert (!rdw_q || rd);
    // regions: from a delimiter to the end of execution the CRC register and the replay
    // verdict are the delimiter's; past the CRC check the register is 0; in execution the
    // frame is no replay; the bus is used only there
    if (f_in_delim) begin
      assert (crc_q == f_crc);
      assert (f_replay_now == f_rep);
    end
    if (f_in_chk) assert (crc_q == 16'h0000);
    if (f_in_exec) assert (!f_replay_now);
    assert (u_bus == sgpu_link_ucode_pkg::BUS_NONE || f_in_exec);
    assert (!rdw_q || f_in_exec);
    // (1), (2)
    assert (!reg_valid_o || (f_crc == 16'h0000 && !f_rep));
    // (3): pending exactly from acceptance to the response's last byte; the response's
    // leading delimiter once, only while pending; no byte taken while pending
    assert (f_pend == (upc_q > FAcc && !(upc_q == FSendL + 9'd1)));
    assert (f_sent == (upc_q == FSendL));
    assert (!(f_tx && upc_q == FSend) || (f_pend && !f_sent));
    assert (!f_take || !f_pend);
    assert (!f_tx || f_pend);
  end
end

// covers: a decoded byte stored; a delimiter after a block. (A whole frame accepted is ~30
// steps deep, the solver takes over 10 minutes there; tb_link reaches every outcome.)
always_comb if (f_on) cover (we && u_wr == sgpu_link_ucode_pkg::WR_RX);
always_comb if (f_on) cover (upc_q == FRxDelim);
