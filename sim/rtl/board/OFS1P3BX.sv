// OFS1P3BX (simulation stand-in; the ECP5 I/O-cell flip-flop in synthesis): Q takes D at the rising
// edge of SCLK when SP (clock enable) is high; PD presets Q to 1 asynchronously.
// Waiver: the primitive's names are the vendor's.
/* verilator lint_off DECLFILENAME */
module OFS1P3BX (
  input  logic D, SP, SCLK, PD,
  output logic Q
);
  always_ff @(posedge SCLK or posedge PD) begin
    if (PD)      Q <= 1'b1;
    else if (SP) Q <= D;
  end
endmodule
