// ODDRX1F (simulation stand-in; the ECP5 output DDR register in synthesis): Q is D0 while
// SCLK is high and D1 while it is low. With D0 = 1, D1 = 0 (the SDRAM clock) Q follows SCLK.
// Waiver: the primitive's names are the vendor's; RST is not modelled (tied low on the board).
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDSIGNAL */
module ODDRX1F (
  input  logic D0, D1, SCLK, RST,
  output logic Q
);
  logic d0_q, d1_q;
  always_ff @(posedge SCLK) begin
    d0_q <= D0;
    d1_q <= D1;
  end
  assign Q = SCLK ? d0_q : d1_q;
endmodule
