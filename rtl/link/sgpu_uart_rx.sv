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
  typedef enum logic [2:0] {Idle, Start, Data, Stop, Break} state_e;

  state_e     state_q, state_d;
  logic [1:0] sync_q;                // the synchroniser; sync_q[1] is the line
  logic       half_q, half_d;        // which half-bit tick within a bit
  logic [2:0] bit_q, bit_d;          // data bit being received
  logic [7:0] shift_q, shift_d;
  logic       valid_q, valid_d;
  logic [7:0] data_q, data_d;
  logic       ferr_d, ovr_d, ferr_q, ovr_q;
  logic       line, tick, restart, sample;

  assign line = sync_q[1];

  sgpu_uart_tick #(.Num(ClksNum), .Inc(2 * ClksDen)) u_tick (
    .clk_i, .rst_ni, .restart_i(restart), .tick_o(tick)
  );

  assign restart = (state_q == Idle);
  // Data and stop bits: every second half-bit tick, a bit time after the last sample.
  assign sample  = tick && half_q;

  always_comb begin
    state_d = state_q;
    half_d  = half_q;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = valid_q && !rx_ready_i;
    data_d  = data_q;
    ferr_d  = 1'b0;
    ovr_d   = 1'b0;
    if (tick) half_d = !half_q;
    unique case (state_q)
      Idle: if (!line) state_d = Start;
      Start: if (tick) begin
        // the middle of the start bit
        half_d  = 1'b0;
        bit_d   = '0;
        state_d = line ? Idle : Data;
      end
      Data: if (sample) begin
        shift_d = {line, shift_q[7:1]};
        bit_d   = bit_q + 3'd1;
        if (bit_q == 3'd7) state_d = Stop;
      end
      Stop: if (sample) begin
        if (!line) begin
          ferr_d  = 1'b1;
          state_d = Break;
        end else begin
          state_d = Idle;
          if (valid_d) ovr_d = 1'b1;
          else begin
            valid_d = 1'b1;
            data_d  = shift_q;
          end
        end
      end
      Break: if (line) state_d = Idle;
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= Idle;
      sync_q  <= 2'b11;
      half_q  <= 1'b0;
      bit_q   <= '0;
      valid_q <= 1'b0;
      ferr_q  <= 1'b0;
      ovr_q   <= 1'b0;
    end else begin
      state_q <= state_d;
      sync_q  <= {sync_q[0], rx_i};
      half_q  <= half_d;
      bit_q   <= bit_d;
      valid_q <= valid_d;
      ferr_q  <= ferr_d;
      ovr_q   <= ovr_d;
    end
  end

  // Datapath: read only with valid_q / after eight shifts.
  always_ff @(posedge clk_i) begin
    shift_q <= shift_d;
    data_q  <= data_d;
  end

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
