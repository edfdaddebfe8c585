// sgpu_sdram_model: a cycle-based model of a x16 SDR SDRAM (4 banks x 8192 rows x 512 columns,
// 32 MB: the ULX3S chip, IS42S16160 / MT48LC16M16 class) that stores data and checks what a
// controller must respect, counting each violation in errors_o (and $display-ing the first
// MaxReports of them with the cycle and the rule):
//   start-up: no command but NOP/INHIBIT for PowerUpCycles after time 0; then PRECHARGE ALL,
//     >= 2 AUTO REFRESH, LOAD MODE REGISTER before any ACTIVE/READ/WRITE; the mode register
//     must say burst length 1, sequential, CAS latency CasLatency, standard operation,
//     programmed-burst writes;
//   bank state: ACTIVE only to an idle bank, READ/WRITE only to an active bank (with A10:
//     auto precharge, the bank closes itself once tRAS and, after a write, tWR are met; LiteDRAM
//     uses it when its next queued command is to another row), REFRESH and LOAD MODE only with
//     every bank idle; BURST TERMINATE is reported (never needed at burst length 1);
//   timing, in clock cycles from nanoseconds at ClkMhz (rounded up): tRCD ACTIVE->READ/WRITE,
//     tRP PRECHARGE->ACTIVE/REFRESH/LOAD MODE, tRAS ACTIVE->PRECHARGE, tRC ACTIVE->ACTIVE
//     (same bank), tRRD ACTIVE->ACTIVE (any bank), tWR last write data->PRECHARGE, tRFC
//     REFRESH->any command but NOP, tMRD LOAD MODE->any command but NOP;
//   refresh: one AUTO REFRESH per tREFI (64 ms / 8192 rows) on average; at most
//     MaxRefreshDebt (JEDEC: 8) may be owed at any time (counted from LOAD MODE);
//   data bus: no WRITE while the chip is still driving read data (a collision);
//   CKE must stay high once the start-up has begun (no power-down or self refresh modelled).
// Timing: the model acts at the rising edge of clk_i, the SDRAM clock pin. Read data is driven
// on dq from the edge CasLatency-1 after the READ until the edge CasLatency after it (the chip's
// tAC/tOH window); write data is taken with the WRITE command, byte lanes masked by dqm = 1.
// The array is indexed {row, bank, column} (LiteDRAM ROW_BANK_COL: the native port address)
// and starts with a pattern (word a holds a[15:0] ^ 16'hA5C3 ^ a[23:8]), not zeros: the
// ULX3S's SDRAM does not start zeroed, so reading unwritten memory shows it.
// Waiver: a behavioural model, not RTL: one process updates the chip's state in program order
// at each clock edge (blocking assignments); what it drives (dq, counts) is read at the other
// edge or by the bench after the edge, so no race.
/* verilator lint_off BLKSEQ */
module sgpu_sdram_model #(
  parameter int unsigned ClkMhz         = 50,
  parameter int unsigned CasLatency     = 2,              // 2 or 3
  parameter int unsigned PowerUpCycles  = ClkMhz * 100,   // 100 us
  parameter int unsigned TRcdNs = 20, TRpNs = 20, TRasNs = 42, TRcNs = 60, TRrdNs = 14,
  parameter int unsigned TWrNs  = 15, TRfcNs = 66,
  parameter int unsigned TMrdCycles     = 2,
  parameter int unsigned TRefiPs        = 7812500,        // 64 ms / 8192 rows, in ps
  parameter int unsigned MaxRefreshDebt = 8,
  parameter int unsigned MaxReports     = 10
) (
  input  logic        clk_i,
  input  logic        cke_i,
  input  logic        cs_ni,
  input  logic        ras_ni,
  input  logic        cas_ni,
  input  logic        we_ni,
  input  logic [12:0] a_i,
  input  logic [1:0]  ba_i,
  input  logic [1:0]  dqm_i,
  inout  wire  [15:0] dq_io,
  // what the bench reads
  output logic [31:0] errors_o,
  output logic [31:0] acts_o,       // ACTIVE commands (row opens: misses and first touches)
  output logic [31:0] reads_o,
  output logic [31:0] writes_o,
  output logic [31:0] refreshes_o,
  output logic        ready_o       // LOAD MODE done: the start-up sequence is over
);
  function automatic int unsigned cyc(int unsigned ns);
    return (ns * ClkMhz + 999) / 1000;
  endfunction
  localparam int unsigned TRcd = cyc(TRcdNs), TRp = cyc(TRpNs), TRas = cyc(TRasNs);
  localparam int unsigned TRc = cyc(TRcNs), TRrd = cyc(TRrdNs), TWr = cyc(TWrNs);
  localparam int unsigned TRfc = cyc(TRfcNs), CyclePs = 1000000 / ClkMhz;

  logic [15:0] mem [1 << 24];
  initial begin
    for (int a = 0; a < (1 << 24); a++) mem[a] = 16'(a) ^ 16'hA5C3 ^ 16'(a >> 8);
  end

  // bank state
  logic        open_q  [4];
  logic [12:0] row_q   [4];
  longint      t_act_q [4];   // last ACTIVE
  longint      t_pre_q [4];   // last PRECHARGE
  longint      t_wr_q  [4];   // last WRITE
  longint      now, t_act_any, t_ref, t_mrs, debt_ps;
  int          refs_since_pre, debt;
  logic        pre_all_seen, mode_ok, started;
  // read data pipeline: index k drives at the edge k cycles from now
  logic [15:0] rd_data_q [4];
  logic        rd_valid_q [4];
  logic [15:0] dq_out;
  logic        dq_oe;

  assign dq_io = dq_oe ? dq_out : 16'hzzzz;

  task automatic fail(string what);
    errors_o++;
    if (errors_o <= MaxReports)
      $display("sgpu_sdram_model: cycle %0d: %s", now, what);
  endtask

  logic [3:0] cmd;
  assign cmd = {cs_ni, ras_ni, cas_ni, we_ni};
  localparam logic [3:0] CMD_MRS = 4'b0000, CMD_REF = 4'b0001, CMD_PRE = 4'b0010,
                         CMD_ACT = 4'b0011, CMD_WR = 4'b0100, CMD_RD = 4'b0101,
                         CMD_NOP = 4'b0111;  // BURST TERMINATE (0110): reported as unknown

  initial begin
    errors_o = 0; acts_o = 0; reads_o = 0; writes_o = 0; refreshes_o = 0; ready_o = 1'b0;
    now = 0; t_act_any = -1000; t_ref = -1000; t_mrs = -1000; debt_ps = 0;
    refs_since_pre = 0; debt = 0; pre_all_seen = 1'b0; mode_ok = 1'b0; started = 1'b0;
    for (int b = 0; b < 4; b++) begin
      open_q[b] = 1'b0; row_q[b] = '0; t_act_q[b] = -1000; t_pre_q[b] = -1000; t_wr_q[b] = -1000;
    end
    for (int k = 0; k < 4; k++) rd_valid_q[k] = 1'b0;
    dq_oe = 1'b0; dq_out = '0;
  end

  always @(posedge clk_i) begin
    logic [1:0]  b;
    logic [23:0] addr;
    b = ba_i;
    now++;
    // the read data window: what was scheduled for this edge is driven until the next
    dq_oe  = rd_valid_q[0];
    dq_out = rd_data_q[0];
    for (int k = 0; k < 3; k++) begin
      rd_valid_q[k] = rd_valid_q[k+1]; rd_data_q[k] = rd_data_q[k+1];
    end
    rd_valid_q[3] = 1'b0;
    // refresh debt, counted once the mode is set
    // (exact: time in ps, one refresh owed per TRefiPs)
    if (mode_ok) begin
      debt_ps += longint'(CyclePs);
      if (debt_ps >= longint'(TRefiPs)) begin
        debt_ps -= longint'(TRefiPs); debt++;
        if (debt == int'(MaxRefreshDebt) + 1) fail($sformatf("refresh: %0d refreshes owed (tREFI %0d ps)", debt, TRefiPs));
      end
    end
    if (started && !cke_i) fail("CKE low after start-up began (power-down is not modelled)");
    if (cke_i && cmd != CMD_NOP && !cs_ni) begin
      if (now < longint'(PowerUpCycles))
        fail($sformatf("command %b during the power-up wait (%0d cycles)", cmd, PowerUpCycles));
      started = 1'b1;
      if (now - t_ref < longint'(TRfc)) fail($sformatf("command %b %0d cycles after REFRESH (tRFC %0d)", cmd, now - t_ref, TRfc));
      if (now - t_mrs < longint'(TMrdCycles)) fail($sformatf("command %b %0d cycles after LOAD MODE (tMRD %0d)", cmd, now - t_mrs, TMrdCycles));
      unique case (cmd)
        CMD_MRS: begin
          for (int k = 0; k < 4; k++) if (open_q[k]) fail($sformatf("LOAD MODE with bank %0d open", k));
          for (int k = 0; k < 4; k++) if (now - t_pre_q[k] < longint'(TRp)) fail("LOAD MODE within tRP of PRECHARGE");
          if (!pre_all_seen || refs_since_pre < 2) fail($sformatf("LOAD MODE before PRECHARGE ALL and 2 REFRESH (%0d refreshes)", refs_since_pre));
          if (a_i[2:0] != 3'b000 || a_i[3] || a_i[8:7] != 2'b00 || a_i[9] || 32'(a_i[6:4]) != CasLatency)
            fail($sformatf("mode register %h: want burst 1, sequential, CL %0d, standard", a_i, CasLatency));
          else mode_ok = 1'b1;
          if (!ready_o) debt_ps = 0;
          ready_o = mode_ok;
          t_mrs = now;
        end
        CMD_REF: begin
          for (int k = 0; k < 4; k++) if (open_q[k]) fail($sformatf("REFRESH with bank %0d open", k));
          for (int k = 0; k < 4; k++) if (now - t_pre_q[k] < longint'(TRp)) fail($sformatf("REFRESH %0d cycles after PRECHARGE (tRP %0d)", now - t_pre_q[k], TRp));
          refs_since_pre++;
          if (debt > 0) debt--;
          refreshes_o++;
          t_ref = now;
        end
        CMD_PRE: begin
          for (int k = 0; k < 4; k++) begin
            if (a_i[10] || b == 2'(k)) begin
              if (open_q[k] && now - t_act_q[k] < longint'(TRas)) fail($sformatf("PRECHARGE bank %0d %0d cycles after ACTIVE (tRAS %0d)", k, now - t_act_q[k], TRas));
              if (now - t_wr_q[k] < longint'(TWr) + 1) fail($sformatf("PRECHARGE bank %0d %0d cycles after WRITE (tWR %0d)", k, now - t_wr_q[k], TWr));
              if (open_q[k] || a_i[10]) t_pre_q[k] = now;
              open_q[k] = 1'b0;
            end
          end
          if (a_i[10] && !mode_ok) begin pre_all_seen = 1'b1; refs_since_pre = 0; end
        end
        CMD_ACT: begin
          if (!mode_ok) fail("ACTIVE before the mode register is set");
          if (open_q[b]) fail($sformatf("ACTIVE to bank %0d with row %0d open", b, row_q[b]));
          if (now - t_pre_q[b] < longint'(TRp)) fail($sformatf("ACTIVE bank %0d %0d cycles after PRECHARGE (tRP %0d)", b, now - t_pre_q[b], TRp));
          if (now - t_act_q[b] < longint'(TRc)) fail($sformatf("ACTIVE bank %0d %0d cycles after ACTIVE (tRC %0d)", b, now - t_act_q[b], TRc));
          if (now - t_act_any < longint'(TRrd)) fail($sformatf("ACTIVE %0d cycles after another bank's ACTIVE (tRRD %0d)", now - t_act_any, TRrd));
          open_q[b] = 1'b1; row_q[b] = a_i; t_act_q[b] = now; t_act_any = now;
          acts_o++;
        end
        CMD_RD, CMD_WR: begin
          if (!open_q[b]) fail($sformatf("%s to idle bank %0d", cmd == CMD_RD ? "READ" : "WRITE", b));
          else if (now - t_act_q[b] < longint'(TRcd)) fail($sformatf("%s bank %0d %0d cycles after ACTIVE (tRCD %0d)", cmd == CMD_RD ? "READ" : "WRITE", b, now - t_act_q[b], TRcd));
          addr = {row_q[b], b, a_i[8:0]};  // LiteDRAM native address order: row, bank, column
          if (cmd == CMD_RD) begin
            rd_valid_q[CasLatency - 2] = 1'b1;  // driven from the edge CasLatency - 1 after this one
            rd_data_q[CasLatency - 2]  = mem[addr];
            reads_o++;
          end else begin
            if (dq_oe) fail("WRITE while the chip drives read data (bus collision)");
            if (!dqm_i[0]) mem[addr][7:0]  = dq_io[7:0];
            if (!dqm_i[1]) mem[addr][15:8] = dq_io[15:8];
            t_wr_q[b] = now;
            writes_o++;
          end
          // auto precharge (A10): the bank closes by itself, once tRAS is met and, after a
          // write, tWR after the data (as an explicit PRECHARGE would); tRP counts from there
          if (a_i[10] && open_q[b]) begin
            t_pre_q[b] = (cmd == CMD_WR) ? now + longint'(TWr) + 1 : now + 1;
            if (t_pre_q[b] < t_act_q[b] + longint'(TRas)) t_pre_q[b] = t_act_q[b] + longint'(TRas);
            open_q[b] = 1'b0;
          end
        end
        default: fail($sformatf("command %b (BURST TERMINATE or unknown)", cmd));
      endcase
    end
  end

`ifdef VERILATOR
  initial begin
    assert (CasLatency >= 2 && CasLatency <= 3) else $error("sgpu_sdram_model: CasLatency %0d", CasLatency);
  end
`endif
endmodule
