// SB_SPRAM256KA: a simulation model of the iCE40UP5K's single-port RAM (16K x 16) for the
// Verilated board top (Yosys's iCE40 cell library is not written for Verilator; the
// post-synthesis simulation uses that one). Behaviour as Yosys's model (share/ice40/cells_sim.v) for the inputs sgpu drives
// (STANDBY = SLEEP = 0, POWEROFF = 1):
//   rising CLOCK with CHIPSELECT: WREN 0 reads ADDRESS into DATAOUT (one cycle of latency);
//   WREN 1 writes the nibbles MASKWREN enables and leaves DATAOUT undefined (here: 16'hxxxx
//   is not available in Verilator, so it becomes a marker value, 16'hDEAD);
//   without CHIPSELECT nothing changes and DATAOUT holds.
// Contents at start: word a = a ^ 16'hA5A5 (bit 15 always set: never zero), standing in for
// the undefined power-up contents (the core scrubs every frame before use, MemZeroed = 0).
// Checks: STANDBY, SLEEP and POWEROFF at their operating values (sgpu never uses the
// low-power modes).
module SB_SPRAM256KA (
  input  logic [13:0] ADDRESS,
  input  logic [15:0] DATAIN,
  input  logic [3:0]  MASKWREN,
  input  logic        WREN,
  input  logic        CHIPSELECT,
  input  logic        CLOCK,
  input  logic        STANDBY,
  input  logic        SLEEP,
  input  logic        POWEROFF,
  output logic [15:0] DATAOUT
);
  logic [15:0] mem_q [16384];

  initial begin
    for (int unsigned a = 0; a < 16384; a++) mem_q[a] = 16'(a) ^ 16'hA5A5;
  end

  always_ff @(posedge CLOCK) begin
    if (CHIPSELECT) begin
      if (!WREN) DATAOUT <= mem_q[ADDRESS];
      else begin
        for (int unsigned n = 0; n < 4; n++) begin
          if (MASKWREN[n]) mem_q[ADDRESS][4*n +: 4] <= DATAIN[4*n +: 4];
        end
        DATAOUT <= 16'hDEAD;
      end
    end
  end

`ifdef VERILATOR
  OperatingMode_A: assert property (@(posedge CLOCK) !STANDBY && !SLEEP && POWEROFF);
`endif
endmodule
