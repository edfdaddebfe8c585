// SB_PLL40_PAD: a simulation stand-in for the iCE40 PLL for Verilator. It passes the pad's
// clock through (PLLOUTGLOBAL = PACKAGEPIN) and reports lock at once: the simulator's clock is
// the core clock, whatever the real PLL would multiply it to. The settings are accepted and
// unused; the real PLL is Yosys's cell in the bitstream and in the post-synthesis simulation.
// Waiver (to the end of the file): a pass-through has no use for the settings or the controls.
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off UNUSEDSIGNAL */
module SB_PLL40_PAD #(
  parameter string      FEEDBACK_PATH = "SIMPLE",
  parameter logic [3:0] DIVR          = 4'd0,
  parameter logic [6:0] DIVF          = 7'd0,
  parameter logic [2:0] DIVQ          = 3'd0,
  parameter logic [2:0] FILTER_RANGE  = 3'd0
) (
  input  logic PACKAGEPIN,
  output logic PLLOUTGLOBAL,
  output logic LOCK,
  input  logic RESETB,
  input  logic BYPASS
);
  assign PLLOUTGLOBAL = PACKAGEPIN;
  assign LOCK         = 1'b1;
  logic unused_ok;
  assign unused_ok = ^{RESETB, BYPASS};
endmodule
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
