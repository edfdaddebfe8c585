// FD1S3BX (simulation stand-in; the ECP5 flip-flop with asynchronous preset in synthesis):
// Q takes D at the rising edge of CK; PD presets Q to 1 asynchronously.
// Waiver: the primitive's names are the vendor's.
/* verilator lint_off DECLFILENAME */
module FD1S3BX (
  input  logic D, CK, PD,
  output logic Q
);
  always_ff @(posedge CK or posedge PD) begin
    if (PD) Q <= 1'b1;
    else    Q <= D;
  end
endmodule
