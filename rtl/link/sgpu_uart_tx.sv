// sgpu_uart_tx: UART transmitter, 8N1 (start bit 0, 8 data bits LSB first, stop bit 1), line
// idle high. The bit time is ClksNum / ClksDen clock cycles, a fraction (12 MHz / 115200 baud:
// ClksNum 12_000_000, ClksDen 115_200, or 625 / 6), at least 4; each bit lasts floor or ceil
// of it and the error does not accumulate (sgpu_uart_tick).
//   tx_valid_i/tx_ready_o/tx_data_i  the byte stream (valid/ready): a byte is taken when both
//              are high. Ready is high when idle and in the last cycle of a stop bit, so bytes
//              offered back to back go out with no idle time between frames (the time base
//              keeps running; from idle it restarts, so the start bit is whole).
//   tx_o       the serial line (registered).
// Latency: the start bit begins the cycle after a byte is taken.
// Inside: the line is the bottom of the shift register (loaded with the byte above a start bit,
// ones filling in from the top: the stop bit, then idle); the bits are counted by a 4-bit LFSR.
module sgpu_uart_tx #(
  parameter int unsigned ClksNum = 4,  // clock cycles per bit, numerator
  parameter int unsigned ClksDen = 1   // and denominator
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       tx_valid_i,
  output logic       tx_ready_o,
  input  logic [7:0] tx_data_i,
  output logic       tx_o
);
  // The bit counter: a 4-bit LFSR (x^4 + x^3 + 1, period 15, so the eleven states used are
  // distinct) stepped at every bit boundary, one LUT of feedback instead of an adder. A byte
  // taken loads Start (the start bit on the line); nine steps later the stop bit is on the line
  // (StopBit); one more step reaches Idle, where the time base is held in restart, so no tick
  // steps it further.
  typedef logic [3:0] cnt_t;
  function automatic logic [3:0] step(input logic [3:0] c);
    step = {c[2:0], c[3] ^ c[2]};
  endfunction
  function automatic logic [3:0] steps(input logic [3:0] c, input int unsigned n);
    steps = c;
    for (int unsigned i = 0; i < n; i++) steps = step(steps);
  endfunction
  localparam cnt_t Start   = 4'b1111;
  localparam cnt_t StopBit = steps(Start, 9);
  localparam cnt_t Idle    = step(StopBit);

  cnt_t       cnt_q, cnt_d;
  logic [8:0] shift_q, shift_d;  // [0] is the line; the data bits still to send above it
  logic       tick, restart, take, idle;

  sgpu_uart_tick #(.Num(ClksNum), .Inc(ClksDen)) u_tick (
    .clk_i, .rst_ni, .restart_i(restart), .tick_o(tick)
  );

  assign idle       = (cnt_q == Idle);
  assign tx_ready_o = idle || (tick && cnt_q == StopBit);
  assign take       = tx_valid_i && tx_ready_o;
  assign restart    = idle;

  always_comb begin
    cnt_d   = cnt_q;
    shift_d = shift_q;
    if (tick) begin
      // the next bit; ones (stop bit, then idle) fill in from the top
      cnt_d   = step(cnt_q);
      shift_d = {1'b1, shift_q[8:1]};
    end
    if (take) begin
      cnt_d   = Start;
      shift_d = {tx_data_i, 1'b0};  // the start bit on the line
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cnt_q      <= Idle;
      shift_q[0] <= 1'b1;
    end else begin
      cnt_q      <= cnt_d;
      shift_q[0] <= shift_d[0];
    end
  end

  // Datapath: loaded with every byte taken, read only after that.
  always_ff @(posedge clk_i) shift_q[8:1] <= shift_d[8:1];

  assign tx_o = shift_q[0];

  if (ClksDen < 1 || ClksNum < 4 * ClksDen) begin : gen_bad_params
    $error("sgpu_uart_tx: need ClksNum / ClksDen >= 4 (%0d / %0d)", ClksNum, ClksDen);
  end

`ifdef VERILATOR  // concurrent assertions: Verilator here
  IdleHigh_A: assert property (@(posedge clk_i) disable iff (!rst_ni) idle |-> tx_o);
`endif
endmodule
