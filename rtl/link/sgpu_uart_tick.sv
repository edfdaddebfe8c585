// sgpu_uart_tick: a fractional clock divider, the time base of the UART (sgpu_uart_tx,
// sgpu_uart_rx). It ticks on average once every Num / Inc clock cycles: a phase accumulator
// adds Inc each cycle and ticks, subtracting Num, when the sum reaches Num. Every interval is
// floor(Num / Inc) or that + 1 cycles, so the error never accumulates (the position of tick n
// is within one cycle of n * Num / Inc).
//   restart_i  start a new time base: the accumulator goes to 0 (no tick this cycle); the first
//              tick then comes ceil(Num / Inc) cycles later.
//   tick_o     one-cycle pulse, combinational from the accumulator (no tick with restart_i).
// Num >= Inc >= 1 (at most one tick per cycle), checked at elaboration.
// When Inc divides Num the accumulator only ever holds multiples of Inc: it is then a plain
// counter of Num / Inc cycles (0 .. Num / Inc - 1, ticking at the last), the same ticks for
// fewer bits; a power-of-two count wraps by itself.
module sgpu_uart_tick #(
  parameter int unsigned  Num  = 4,  // interval numerator, cycles x Inc
  parameter int unsigned  Inc  = 1,  // interval denominator
  localparam int unsigned AccW = $clog2(Num + Inc + 1)
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic restart_i,  // reset the phase, see above
  output logic tick_o      // one interval has passed
);
  if (Inc >= 1 && Num % Inc == 0) begin : gen_count
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
  end else begin : gen_acc
    logic [AccW-1:0] acc_q, acc_d;
    logic [AccW-1:0] sum;

    assign sum    = acc_q + AccW'(Inc);
    assign tick_o = !restart_i && (sum >= AccW'(Num));

    always_comb begin
      acc_d = sum;
      if (tick_o) acc_d = sum - AccW'(Num);
      if (restart_i) acc_d = '0;
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) acc_q <= '0;
      else acc_q <= acc_d;
    end

`ifdef VERILATOR  // concurrent assertions: Verilator here
    AccBelowNum_A: assert property (@(posedge clk_i) disable iff (!rst_ni) acc_q < AccW'(Num));
`endif
  end

  if (Inc < 1 || Num < Inc) begin : gen_bad_params
    $error("sgpu_uart_tick: need Num >= Inc >= 1 (Num %0d, Inc %0d)", Num, Inc);
  end
endmodule
