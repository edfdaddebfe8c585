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
  localparam int unsigned FrameBits = 10;  // start, 8 data, stop

  logic       busy_q, busy_d;
  logic [8:0] shift_q, shift_d;  // data then stop bit, shifted out LSB first after the start bit
  logic [3:0] bits_q, bits_d;    // bits of the frame sent so far
  logic       line_q, line_d;
  logic       tick, restart, take, last;

  sgpu_uart_tick #(.Num(ClksNum), .Inc(ClksDen)) u_tick (
    .clk_i, .rst_ni, .restart_i(restart), .tick_o(tick)
  );

  assign last       = busy_q && tick && (bits_q == 4'(FrameBits - 1));
  assign tx_ready_o = !busy_q || last;
  assign take       = tx_valid_i && tx_ready_o;
  assign restart    = !busy_q;

  always_comb begin
    busy_d  = busy_q;
    shift_d = shift_q;
    bits_d  = bits_q;
    line_d  = line_q;
    if (busy_q && tick) begin
      bits_d  = bits_q + 4'd1;
      line_d  = shift_q[0];
      shift_d = {1'b1, shift_q[8:1]};
      if (last) begin
        busy_d = 1'b0;
        line_d = 1'b1;
      end
    end
    if (take) begin
      busy_d  = 1'b1;
      shift_d = {1'b1, tx_data_i};
      bits_d  = '0;
      line_d  = 1'b0;  // the start bit
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      bits_q <= '0;
      line_q <= 1'b1;
    end else begin
      busy_q <= busy_d;
      bits_q <= bits_d;
      line_q <= line_d;
    end
  end

  // Datapath: only read while busy, loaded with every byte taken.
  always_ff @(posedge clk_i) shift_q <= shift_d;

  assign tx_o = line_q;

  if (ClksDen < 1 || ClksNum < 4 * ClksDen) begin : gen_bad_params
    $error("sgpu_uart_tx: need ClksNum / ClksDen >= 4 (%0d / %0d)", ClksNum, ClksDen);
  end

`ifdef VERILATOR  // concurrent assertions: Verilator here
  IdleHigh_A: assert property (@(posedge clk_i) disable iff (!rst_ni) !busy_q |-> tx_o);
`endif
endmodule
