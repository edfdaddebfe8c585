// sgpu_uart_rx: UART receiver, 8N1, line idle high. The bit time is ClksNum / ClksDen clock
// cycles (a fraction, at least 4; see sgpu_uart_tx). The line goes through a two-flop
// synchroniser; a falling edge starts a frame and restarts a half-bit time base
// (sgpu_uart_tick with twice the rate), so every bit is sampled once, near its middle: the
// start bit is checked at its middle (high again: a glitch, ignored), the data bits and the
// stop bit one bit time apart after it. At 4 cycles per bit the edge is known to within one
// cycle, so samples fall 50..75 % into a bit for a sender at the exact rate; a sender up to
// about 2.5 % off still meets every sample (10 bits x 2.5 % = 0.25 bit of drift).
//   rx_i        the serial line (asynchronous).
//   rx_valid_o/rx_ready_i/rx_data_o  the byte stream (valid/ready); a byte is held until taken.
//   frame_err_o one-cycle pulse: a stop bit sampled 0 (the byte is dropped); the receiver then
//               waits for the line to be high before it looks for a start bit (a break).
//   overrun_o   one-cycle pulse: a byte was received while the last one was still not taken;
//               the new byte is dropped.
// Latency: a byte is valid about half a bit time (+ 3 cycles) after the start of its stop bit.
// Inside: no bit counter and no state for the stop bit or the break. The samples shift in at
// the top of a register preset to all ones while idle, so the start bit's 0 reaching its bottom
// says the next sample is the stop bit's. A frame starts at a falling edge of the synchronised
// line (a third flop keeps the line a cycle earlier), which is the wait for the line to go high
// after a framing error; every other idle cycle starts with the line high, so there the edge is
// the level.
module sgpu_uart_rx #(
  parameter int unsigned ClksNum = 4,  // clock cycles per bit, numerator
  parameter int unsigned ClksDen = 1   // and denominator
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic       rx_valid_o,
  input  logic       rx_ready_i,
  output logic [7:0] rx_data_o,
  output logic       frame_err_o,
  output logic       overrun_o
);
  logic [2:0] sync_q;           // the synchroniser (sync_q[1] is the line), the line before
  logic       busy_q, busy_d;   // a frame: from its falling edge to its stop bit's sample
  logic       first_q, first_d; // the next sample is the start bit's
  logic       half_q, half_d;   // the next half-bit tick is a sample
  logic [8:0] shift_q, shift_d; // the samples, shifted in at the top over all ones
  logic       valid_q, valid_d;
  logic [7:0] data_q, data_d;
  logic       ferr_d, ovr_d, ferr_q, ovr_q;
  logic       line, fall, tick, restart, sample;

  assign line = sync_q[1];
  assign fall = sync_q[2] && !sync_q[1];

  sgpu_uart_tick #(.Num(ClksNum), .Inc(2 * ClksDen)) u_tick (
    .clk_i, .rst_ni, .restart_i(restart), .tick_o(tick)
  );

  assign restart = !busy_q;
  // The start bit at the first half-bit tick, then every second one, a bit time apart.
  assign sample  = tick && half_q;

  always_comb begin
    busy_d  = busy_q;
    first_d = first_q;
    half_d  = half_q;
    shift_d = shift_q;
    valid_d = valid_q && !rx_ready_i;
    data_d  = data_q;
    ferr_d  = 1'b0;
    ovr_d   = 1'b0;
    if (tick) half_d = !half_q;
    if (!busy_q) begin
      // idle (and after a framing error: a falling edge needs the line high first)
      busy_d  = fall;
      first_d = 1'b1;
      half_d  = 1'b1;
      shift_d = '1;
    end else if (sample) begin
      first_d = 1'b0;
      shift_d = {line, shift_q[8:1]};
      if (first_q && line) busy_d = 1'b0;  // high again at the start bit's middle: a glitch
      if (!shift_q[0]) begin
        // the start bit (0) has reached the bottom: this is the stop bit's sample
        busy_d = 1'b0;
        if (!line) ferr_d = 1'b1;
        else if (valid_d) ovr_d = 1'b1;
        else begin
          valid_d = 1'b1;
          data_d  = shift_q[8:1];
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      sync_q  <= 3'b111;
      busy_q  <= 1'b0;
      valid_q <= 1'b0;
      ferr_q  <= 1'b0;
      ovr_q   <= 1'b0;
    end else begin
      sync_q  <= {sync_q[1:0], rx_i};
      busy_q  <= busy_d;
      valid_q <= valid_d;
      ferr_q  <= ferr_d;
      ovr_q   <= ovr_d;
    end
  end

  // Set while idle, before they are read.
  always_ff @(posedge clk_i) begin
    first_q <= first_d;
    half_q  <= half_d;
    shift_q <= shift_d;
  end

  // Datapath: read only with valid_q.
  always_ff @(posedge clk_i) data_q <= data_d;

  assign rx_valid_o  = valid_q;
  assign rx_data_o   = data_q;
  assign frame_err_o = ferr_q;
  assign overrun_o   = ovr_q;

  if (ClksDen < 1 || ClksNum < 4 * ClksDen) begin : gen_bad_params
    $error("sgpu_uart_rx: need ClksNum / ClksDen >= 4 (%0d / %0d)", ClksNum, ClksDen);
  end

`ifdef VERILATOR  // concurrent assertions: Verilator here
  // valid/ready: a byte offered stays, unchanged, until taken
  HoldData_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rx_valid_o && !rx_ready_i |=> rx_valid_o && $stable(rx_data_o));
`endif
endmodule
