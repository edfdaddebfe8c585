// EHXPLLL (simulation stand-in; the ECP5 PLL in synthesis): CLKOP and CLKOS follow CLKI, so
// the simulation's clock is the core clock. The 90-degree shift of CLKOS is not modelled:
// the board wrapper (sgpu_ulx3s_sim) clocks the SDRAM chip model on the opposite edge
// instead. LOCK is high from time 0. Parameters are accepted and ignored; the outputs the
// board top leaves open (CLKOS2, CLKOS3, INTLOCK, REFCLK, CLKINTFB) are not modelled.
// Waiver: the primitive's names and unused pins are the vendor's.
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module EHXPLLL #(
  parameter int    CLKI_DIV = 1, parameter int CLKFB_DIV = 1, parameter FEEDBK_PATH = "CLKOP",
  parameter        CLKOP_ENABLE = "ENABLED", parameter int CLKOP_DIV = 8,
  parameter int    CLKOP_CPHASE = 0, parameter int CLKOP_FPHASE = 0,
  parameter        CLKOS_ENABLE = "DISABLED", parameter int CLKOS_DIV = 8,
  parameter int    CLKOS_CPHASE = 0, parameter int CLKOS_FPHASE = 0
) (
  input  logic CLKI, CLKFB, RST, STDBY, PHASESEL0, PHASESEL1, PHASEDIR, PHASESTEP,
  input  logic PHASELOADREG, PLLWAKESYNC, ENCLKOP, ENCLKOS, ENCLKOS2, ENCLKOS3,
  output logic CLKOP, CLKOS, LOCK
);
  assign CLKOP = CLKI;
  assign CLKOS = CLKI;
  assign LOCK = 1'b1;
endmodule
