// sgpu_wb_slave: a Wishbone B4 slave (32-bit data, word addresses) onto the core's register
// bus, so that an SoC bus (LiteX) or a PCIe core's BAR master (LitePCIe) drives sgpu directly.
// Pipelined mode (Pipelined = 1, B4 "pipelined") or standard mode (Pipelined = 0, B4
// "standard"/classic, what LiteX's wishbone.Interface speaks); docs/architecture.md ("Wishbone
// slave") shows how to connect it.
//
// Wishbone side (all synchronous to clk_i; the core's clock):
//   wb_cyc_i, wb_stb_i, wb_we_i, wb_adr_i (WORD address: byte address / 4, as LiteX's
//   30-bit adr), wb_dat_i, wb_sel_i in; wb_stall_o, wb_ack_o, wb_err_o, wb_dat_o out.
//   A request is accepted in a cycle with wb_cyc_i && wb_stb_i && !wb_stall_o. Every accepted
//   request is answered by exactly one wb_ack_o or wb_err_o, in order, unless the master drops
//   wb_cyc_i first: then the answers still owed are discarded (a write accepted before the
//   drop has been applied; a read's late answer from the core is swallowed, never handed to a
//   later read). ACK and ERR are given only while wb_cyc_i is high (gated combinationally), and
//   never in the cycle after a cycle with wb_cyc_i low.
//   - Address: the low BUS_ADDR_BITS-2 bits of wb_adr_i are the register's word (byte address
//     {adr, 2'b00} on the register bus). The bits above: ErrHigh = 0 ignores them (a LiteX
//     interconnect has decoded them already: the slave's region aliases every 64 KiB);
//     ErrHigh = 1 answers an access with any of them set with ERR and no register access
//     (point to point, e.g. behind a PCIe BAR larger than the 64 KiB register space). Inside
//     the 64 KiB, the core's own rules apply: an address in no register and no window reads 0
//     and ignores writes (sgpu_reg_block); that is ACKed, not ERRed.
//   - SEL: a write must have wb_sel_i == 4'hF; any other write (a sub-word store) is answered
//     with ERR and does nothing (the registers have side effects on write: a doorbell, a
//     write-one-to-clear; a read-modify-write would repeat them). A read ignores wb_sel_i and
//     returns the whole word (reads have no side effect beyond CYCLE_LO's sampling of
//     CYCLE_HI).
//   - Timing: a write is ACKed the cycle after it is accepted (posted: it reaches the register
//     bus in its acceptance cycle). A read is ACKed in the cycle its data comes back
//     (wb_dat_o is valid only with that ACK): one cycle after acceptance on sgpu_core. Pipelined
//     mode accepts the next request in the cycle the previous one is answered, so back-to-back
//     accesses run at one per cycle on sgpu_core (wb_stall_o stays low); it stalls only while a
//     read waits for the core beyond that. Standard mode accepts a request only when nothing is
//     owed (the master holds STB through the ACK cycle): one access per two cycles.
//   - Timeout: a read the core has not answered ReadTimeout cycles after the request is
//     answered with ERR (one cycle later), so a dead register bus never hangs the SoC bus. Its
//     late answer, when it comes, is discarded; up to 2^LateW-1 such reads are tracked, and
//     with that many still unanswered a further read is answered with ERR without reaching
//     the core (a core that stopped answering; writes still go through).
//   - No registers on the request path: wb_* inputs reach reg_*_o combinationally; wb_stall_o,
//     wb_ack_o and wb_dat_o depend combinationally on reg_rvalid_i/reg_rdata_i (flop outputs
//     in sgpu_core), wb_ack_o/wb_err_o on wb_cyc_i. Put a register slice in the interconnect if timing needs one.
// Register bus side (master of sgpu_core's slave port, the contract of sgpu_csr and
// sgpu_reg_block): reg_valid_o for one cycle per access with reg_write_o, reg_addr_o (byte
// address), reg_wdata_o; writes posted; each read answered once, in order, on
// reg_rvalid_i/reg_rdata_i (sgpu_core: exactly one cycle later, and every cycle ready). The
// slave relies only on "in order, at most one answer per read" (plus the latency for speed).
// Reset: rst_ni synchronous, active low (LiteX's sys_rst is active high: invert it).
// Area (synth_ice40, tools/synth_link.sh line `wb`): see docs/architecture.md.
// Properties: one-cycle assertions below (Verilator, tests/rtl/tb_wb.cpp); the handshake
// proof is sgpu_wb_slave_props.svh (tests/formal/wb_slave.sby).
module sgpu_wb_slave #(
  parameter int unsigned AdrW        = 30,    // wb_adr_i bits (word address), >= BUS_ADDR_BITS-2
  parameter bit          Pipelined   = 1'b1,  // 1: B4 pipelined (STALL); 0: B4 standard
  parameter bit          ErrHigh     = 1'b0,  // 1: ERR for an address above the 64 KiB space
  parameter int unsigned ReadTimeout = 16,    // cycles a read may take on the register bus, >= 1
  parameter int unsigned LateW       = 2,     // bits of the count of timed-out reads, >= 1
  localparam int unsigned BusW       = sgpu_regs_pkg::BUS_ADDR_BITS,
  localparam int unsigned WordW      = BusW - 2
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // Wishbone slave
  input  logic            wb_cyc_i,
  input  logic            wb_stb_i,
  input  logic            wb_we_i,
  input  logic [AdrW-1:0] wb_adr_i,   // word address
  input  logic [31:0]     wb_dat_i,
  input  logic [3:0]      wb_sel_i,
  output logic            wb_stall_o,
  output logic            wb_ack_o,
  output logic            wb_err_o,
  output logic [31:0]     wb_dat_o,   // valid with wb_ack_o of a read
  // register bus master (sgpu_core's slave port)
  output logic            reg_valid_o,
  output logic            reg_write_o,
  output logic [BusW-1:0] reg_addr_o,  // byte address
  output logic [31:0]     reg_wdata_o,
  input  logic            reg_rvalid_i,
  input  logic [31:0]     reg_rdata_i
);
  localparam int unsigned TmoW = (ReadTimeout > 1) ? $clog2(ReadTimeout) : 1;
  localparam logic [TmoW-1:0] TmoLast = TmoW'(ReadTimeout - 1);

  if (AdrW < WordW) begin : g_bad_adr_w
    $error("sgpu_wb_slave: AdrW %0d below %0d (the 64 KiB register space in words)", AdrW, WordW);
  end
  if (ReadTimeout < 1 || LateW < 1) begin : g_bad_timeout
    $error("sgpu_wb_slave: ReadTimeout (%0d) and LateW (%0d) must be >= 1", ReadTimeout, LateW);
  end

  // ---------------------------------------------------------------- state
  logic             ack_q, ack_d;     // a write accepted last cycle: ACK now
  logic             err_q, err_d;     // a refused request or a timed-out read: ERR now
  logic             rd_q, rd_d;       // a read issued to the core, its answer awaited
  logic [TmoW-1:0]  tmo_q, tmo_d;     // cycles rd_q has waited, minus one
  logic [LateW-1:0] late_q, late_d;   // reads given up (timeout, CYC dropped) not yet answered

  // ---------------------------------------------------------------- request side
  logic high, bad, take, rd_done, discard, expire, abandon;
  if (AdrW > WordW) begin : g_high
    assign high = ErrHigh && (wb_adr_i[AdrW-1:WordW] != '0);
  end else begin : g_no_high
    assign high = 1'b0;
  end
  // the core's answer to the read awaited (the ones given up come first: answers are in order)
  assign rd_done = rd_q && reg_rvalid_i && late_q == '0;
  assign discard = reg_rvalid_i && late_q != '0;
  assign expire  = rd_q && !rd_done && tmo_q == TmoLast;
  assign abandon = rd_q && !rd_done && (expire || !wb_cyc_i);

  // Pipelined: take the next request once the awaited read is answered (in that very cycle).
  // Standard: only when nothing is owed, since STB stays up through the answer's cycle.
  assign wb_stall_o = Pipelined ? (rd_q && !rd_done) : (rd_q || ack_q || err_q);
  assign take = wb_cyc_i && wb_stb_i && !wb_stall_o;
  assign bad  = high || (wb_we_i && wb_sel_i != 4'hF) || (!wb_we_i && late_q == '1);

  assign reg_valid_o = take && !bad;
  assign reg_write_o = wb_we_i;
  assign reg_addr_o  = {wb_adr_i[WordW-1:0], 2'b00};
  assign reg_wdata_o = wb_dat_i;

  // ---------------------------------------------------------------- answers
  // only while CYC is up: in the cycle the master drops CYC, what was due is swallowed here
  assign wb_ack_o = wb_cyc_i && (ack_q || rd_done);
  assign wb_err_o = wb_cyc_i && err_q;
  assign wb_dat_o = reg_rdata_i;

  always_comb begin
    ack_d  = take && !bad && wb_we_i;
    err_d  = (take && bad) || (expire && wb_cyc_i);
    rd_d   = rd_q && !rd_done && !abandon;
    tmo_d  = tmo_q + TmoW'(1);
    if (take && !bad && !wb_we_i) begin
      rd_d  = 1'b1;
      tmo_d = '0;
    end
    // a read is issued only below the limit, and then late_q only falls until it is given up:
    // no overflow (the formal proof checks it)
    late_d = late_q - LateW'(discard) + LateW'(abandon);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ack_q  <= 1'b0;
      err_q  <= 1'b0;
      rd_q   <= 1'b0;
      late_q <= '0;
    end else begin
      ack_q  <= ack_d;
      err_q  <= err_d;
      rd_q   <= rd_d;
      late_q <= late_d;
    end
  end
  always_ff @(posedge clk_i) tmo_q <= tmo_d;  // counts only while rd_q (set with it)

`ifdef VERILATOR  // one-cycle assertions: Verilator here; the formal flow has the rest
  AckErrOne_A: assert property (@(posedge clk_i) disable iff (!rst_ni) !(wb_ack_o && wb_err_o));
  BusOnTake_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      reg_valid_o |-> wb_cyc_i && wb_stb_i && !wb_stall_o);
  // the core answers only reads it was given (in order, at most once each)
  NoStrayAnswer_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      reg_rvalid_i |-> rd_q || late_q != '0);
  AnswerOwed_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (wb_ack_o || wb_err_o) |-> int'(ack_q) + int'(err_q) + int'(rd_q) == 1 && wb_cyc_i);
`endif
`ifdef FORMAL
  `include "sgpu_wb_slave_props.svh"
`endif
endmodule
