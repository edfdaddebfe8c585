// sgpu_uart_tick: a fractional clock divider, the time base of the UART (sgpu_uart_tx,
// sgpu_uart_rx). It ticks on average once every Num / Inc clock cycles, as a phase accumulator
// would that adds Inc each cycle and ticks, subtracting Num, when the sum reaches Num (the
// reference behaviour; built as below, with the same ticks). Every interval is
// floor(Num / Inc) or that + 1 cycles, so the error never accumulates (the position of tick n
// is within one cycle of n * Num / Inc).
//   restart_i  start a new time base: the accumulator goes to 0 (no tick this cycle); the first
//              tick then comes ceil(Num / Inc) cycles later.
//   tick_o     one-cycle pulse, combinational from the state (no tick with restart_i).
// Num >= Inc >= 1 (at most one tick per cycle), checked at elaboration.
// Built as: when Inc divides Num the accumulator only ever holds multiples of Inc, so a counter
// of Num / Inc cycles: a Johnson counter for an even count up to 8 (gen_johnson), else binary
// (0 .. Num / Inc - 1, ticking at the last; a power-of-two count wraps by itself); otherwise the
// phase after the last tick and a down counter (gen_frac).
module sgpu_uart_tick #(
  parameter int unsigned Num = 4,  // interval numerator, cycles x Inc
  parameter int unsigned Inc = 1   // interval denominator
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic restart_i,  // reset the phase, see above
  output logic tick_o      // one interval has passed
);
  if (Inc >= 1 && Num % Inc == 0 && (Num / Inc) % 2 == 0 && Num / Inc <= 8) begin : gen_johnson
    // A short even count: a Johnson counter of Num / Inc / 2 bits (no adder; its last state,
    // 10..0, decoded from two bits).
    localparam int unsigned M = Num / Inc / 2;
    logic [M-1:0] j_q, j_d;
    logic         last;

    if (M == 1) begin : gen_one
      assign last = j_q[0];
      assign j_d  = restart_i ? 1'b0 : !j_q[0];
    end else begin : gen_more
      assign last = j_q[M-1] && !j_q[M-2];
      assign j_d  = restart_i ? '0 : {j_q[M-2:0], !j_q[M-1]};
    end
    assign tick_o = !restart_i && last;

    always_ff @(posedge clk_i) begin
      if (!rst_ni) j_q <= '0;
      else j_q <= j_d;
    end
  end else if (Inc >= 1 && Num % Inc == 0) begin : gen_count
    localparam int unsigned Period = Num / Inc;
    localparam int unsigned CntW   = Period > 1 ? $clog2(Period) : 1;
    localparam bit          Wraps  = (Period & (Period - 1)) == 0;  // a power of two

    logic [CntW-1:0] cnt_q, cnt_d;

    assign tick_o = !restart_i && (cnt_q == CntW'(Period - 1));

    always_comb begin
      cnt_d = cnt_q + CntW'(1);
      if (tick_o && !Wraps) cnt_d = '0;
      if (restart_i) cnt_d = '0;
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) cnt_q <= '0;
      else cnt_q <= cnt_d;
    end

`ifdef VERILATOR  // concurrent assertions: Verilator here
    CntBelowPeriod_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        cnt_q <= CntW'(Period - 1));
`endif
  end else begin : gen_frac
    // The accumulator kept as its value after the last tick (the phase, below Inc) and a
    // count of the cycles to the next tick: with Num = Q * Inc + R (0 < R < Inc), from phase
    // p the next tick is Q + 1 cycles on if p < R (the phase then grows by Inc - R), else Q
    // (it shrinks by R). A small phase function and a down counter instead of a wide adder,
    // comparator and subtractor; the same ticks.
    localparam int unsigned Q    = Num / Inc;
    localparam int unsigned R    = Num % Inc;
    localparam int unsigned PhW  = $clog2(Inc);
    localparam int unsigned CntW = $clog2(Q + 1);

    logic [PhW-1:0]  ph_q, ph_d, ph_next;  // the phase after the last tick (or restart)
    logic [CntW-1:0] cnt_q, cnt_d;         // cycles to the next tick, minus one

    assign ph_next = (ph_q < PhW'(R)) ? ph_q + PhW'(Inc - R) : ph_q - PhW'(R);
    assign tick_o  = !restart_i && (cnt_q == '0);

    always_comb begin
      ph_d  = ph_q;
      cnt_d = cnt_q - CntW'(1);
      if (tick_o) begin
        ph_d  = ph_next;
        cnt_d = (ph_next < PhW'(R)) ? CntW'(Q) : CntW'(Q - 1);
      end
      if (restart_i) begin
        ph_d  = '0;
        cnt_d = CntW'(Q);  // phase 0 < R: Q + 1 cycles, ceil(Num / Inc)
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        ph_q  <= '0;
        cnt_q <= CntW'(Q);
      end else begin
        ph_q  <= ph_d;
        cnt_q <= cnt_d;
      end
    end

`ifdef VERILATOR  // concurrent assertions: Verilator here
    PhaseBelowInc_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        {1'b0, ph_q} < (PhW + 1)'(Inc) && cnt_q <= CntW'(Q));
`endif
  end

  if (Inc < 1 || Num < Inc) begin : gen_bad_params
    $error("sgpu_uart_tick: need Num >= Inc >= 1 (Num %0d, Inc %0d)", Num, Inc);
  end
endmodule
