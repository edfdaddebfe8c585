// TRELLIS_IO (simulation stand-in; the ECP5 I/O buffer in synthesis): B is driven with I
// while T is low (the output enable is active low) and released otherwise; O reads B.
// Waiver: the primitive's names are the vendor's; DIR is accepted and ignored (BIDIR).
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDPARAM */
module TRELLIS_IO #(
  parameter DIR = "BIDIR"
) (
  inout  wire  B,
  input  logic I, T,
  output logic O
);
  assign B = T ? 1'bz : I;
  assign O = B;
endmodule
