// sgpu_sdram_init: the JEDEC start-up of an SDR SDRAM behind a LiteDRAM controller generated
// without a CPU (boards/ulx3s/litedram_core.v), done in hardware over the controller's CSR
// Wishbone port (wb_ctrl), then init_done.
//
// After reset it writes, one Wishbone write at a time (classic cycle, waits for ack):
//   DFII control = CKE | ODT | RESET_N  (software control of the DFI, clock enable high)
//   wait PowerUpCycles                  (the datasheets' 100 us of stable clock, NOPs only)
//   PRECHARGE ALL (A10 = 1)
//   AUTO REFRESH x Refreshes            (JEDEC: 2; some ISSI parts ask 8)
//   LOAD MODE REGISTER = ModeReg        (default 0x020: CAS latency 2, burst length 1,
//                                        sequential; CL must match the controller's PHY:
//                                        SDRAM_PHY_CL of the generator's sdram_phy.h)
//   DFII control = SEL                  (the controller drives the chip: refresh, user ports)
//   init_done = 1                       (LiteDRAM opens the user ports)
// and then holds done_o high. Each command is the sequence pi0_address, pi0_baddress,
// pi0_command, pi0_command_issue; it is followed by CmdGapCycles of waiting (>= tRP, tRFC,
// tMRD at the clock used: the default 16 cycles is 400 ns at 40 MHz; tRFC is 66 ns).
// CSR addresses: boards/ulx3s/litedram_csr.csv (byte addresses; Wishbone takes byte/4).
// Timing: done_o rises PowerUpCycles + about 40 Wishbone writes' worth of cycles after reset.
module sgpu_sdram_init #(
  parameter int unsigned PowerUpCycles = 8000,       // 200 us at 40 MHz
  parameter int unsigned CmdGapCycles  = 16,         // wait after each issued command
  parameter int unsigned Refreshes     = 8,          // AUTO REFRESH commands, >= 2
  parameter logic [12:0] ModeReg       = 13'h020,    // mode register (A12..A0)
  // CSR byte addresses: the generated controller's map, passed by the top
  // (boards/ulx3s/litedram_csr_pkg.sv, generated with it by tools/gen_litedram.sh); the
  // defaults are no register (all ones), so a top that passes no map never sees init_done
  // (tb_sdram would fail) instead of writing a guessed address
  parameter logic [31:0] CsrInitDone   = '1,
  parameter logic [31:0] CsrControl    = '1,
  parameter logic [31:0] CsrCommand    = '1,
  parameter logic [31:0] CsrIssue      = '1,
  parameter logic [31:0] CsrAddress    = '1,
  parameter logic [31:0] CsrBAddress   = '1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Wishbone master (classic), to litedram_core's wb_ctrl_* port
  output logic        wb_cyc_o,
  output logic        wb_stb_o,
  output logic        wb_we_o,
  output logic [29:0] wb_adr_o,     // word address (byte address / 4)
  output logic [31:0] wb_dat_o,
  input  logic        wb_ack_i,
  output logic        done_o        // the start-up sequence is over (level)
);
  // DFII control and command bits (LiteDRAM DFIInjector)
  localparam logic [31:0] CtlSel = 32'h1, CtlCke = 32'h2, CtlOdt = 32'h4, CtlResetN = 32'h8;
  localparam logic [31:0] CmdCs = 32'h1, CmdWe = 32'h2, CmdCas = 32'h4, CmdRas = 32'h8;
  localparam logic [31:0] CmdPrecharge = CmdRas | CmdWe | CmdCs;
  localparam logic [31:0] CmdRefresh   = CmdRas | CmdCas | CmdCs;
  localparam logic [31:0] CmdMode      = CmdRas | CmdCas | CmdWe | CmdCs;
  // The program: step s is one Wishbone write; commands are 4 writes each.
  //   0     control = CKE|ODT|RESET_N, then the power-up wait
  //   1-4   PRECHARGE ALL
  //   5..   Refreshes x AUTO REFRESH (4 writes each)
  //   then  LOAD MODE REGISTER (4), control = SEL, init_done = 1
  localparam int unsigned RefFirst = 5;
  localparam int unsigned ModeFirst = RefFirst + 4 * Refreshes;
  localparam int unsigned StepSel  = ModeFirst + 4;
  localparam int unsigned StepDone = StepSel + 1;
  localparam int unsigned Steps    = StepDone + 1;
  localparam int unsigned StepW    = $clog2(Steps + 1);
  localparam int unsigned WaitW    = $clog2(PowerUpCycles + CmdGapCycles + 1);

  typedef enum logic [1:0] {StWrite, StWait, StDone} st_e;
  st_e               st_q, st_d;
  logic [StepW-1:0]  step_q, step_d;
  logic [WaitW-1:0]  wait_q, wait_d;
  logic [31:0]       adr, dat;
  logic [StepW-1:0]  k;        // step within a command (0 address, 1 baddress, 2 command, 3 issue)
  logic [31:0]       cmd, cmd_addr;

  // the step's register and value
  always_comb begin
    cmd = CmdRefresh; cmd_addr = 32'h0;
    k   = '0;
    if (step_q >= StepW'(1) && step_q < StepW'(RefFirst)) begin
      cmd = CmdPrecharge; cmd_addr = 32'h400; k = step_q - StepW'(1);
    end else if (step_q >= StepW'(RefFirst) && step_q < StepW'(ModeFirst)) begin
      cmd = CmdRefresh;   cmd_addr = 32'h0;   k = (step_q - StepW'(RefFirst)) & StepW'(3);
    end else if (step_q >= StepW'(ModeFirst) && step_q < StepW'(StepSel)) begin
      cmd = CmdMode;      cmd_addr = 32'(ModeReg); k = step_q - StepW'(ModeFirst);
    end
    if (step_q == '0) begin
      adr = CsrControl; dat = CtlCke | CtlOdt | CtlResetN;
    end else if (step_q == StepW'(StepSel)) begin
      adr = CsrControl; dat = CtlSel;
    end else if (step_q == StepW'(StepDone)) begin
      adr = CsrInitDone; dat = 32'h1;
    end else begin
      unique case (k[1:0])
        2'd0:    begin adr = CsrAddress;  dat = cmd_addr; end
        2'd1:    begin adr = CsrBAddress; dat = 32'h0;    end
        2'd2:    begin adr = CsrCommand;  dat = cmd;      end
        default: begin adr = CsrIssue;    dat = 32'h1;    end
      endcase
    end
  end

  always_comb begin
    st_d = st_q; step_d = step_q; wait_d = wait_q;
    unique case (st_q)
      StWrite: if (wb_ack_i) begin
        if (step_q == StepW'(StepDone)) begin
          st_d = StDone;
        end else begin
          step_d = step_q + StepW'(1);
          if (step_q == '0) begin
            st_d = StWait; wait_d = WaitW'(PowerUpCycles);
          end else if (step_q != StepW'(StepSel) && k[1:0] == 2'd3) begin
            st_d = StWait; wait_d = WaitW'(CmdGapCycles);
          end
        end
      end
      StWait: begin
        wait_d = wait_q - WaitW'(1);
        if (wait_q == '0) st_d = StWrite;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q <= StWrite; step_q <= '0; wait_q <= '0;
    end else begin
      st_q <= st_d; step_q <= step_d; wait_q <= wait_d;
    end
  end

  assign wb_cyc_o = (st_q == StWrite);
  assign wb_stb_o = (st_q == StWrite);
  assign wb_we_o  = 1'b1;
  assign wb_adr_o = adr[31:2];
  assign wb_dat_o = dat;
  assign done_o   = (st_q == StDone);

  // Waiver: Wishbone takes word addresses; the CSR byte addresses' low bits are 0.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{adr[1:0], k[StepW-1:2]};
  /* verilator lint_on UNUSEDSIGNAL */

`ifdef VERILATOR
  initial begin
    assert (Refreshes >= 2) else $error("sgpu_sdram_init: Refreshes %0d < 2", Refreshes);
  end
`endif
endmodule
