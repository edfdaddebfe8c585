// tb_postsynth.v - replay a pin trace of the RTL board top into the synthesized netlist of the
// same top (Icarus Verilog, Yosys's iCE40 cell models) and require the same TX, cycle by cycle.
//
//   vvp tb.vvp +trace=FILE [+max=N]
//
// FILE is what sim/sgpu_simlink.cpp writes with SGPU_SIMLINK_TRACE: one line "CYCLE RST RX TX"
// for every cycle in which one of the pins changed (RST is the board's button, BTN_N), then
// "# end CYCLES". In cycle CYCLE the bench drives BTN_N = RST and RX = RX before the rising
// edge and compares TX, sampled before that edge, with the trace's TX. The trace's TX holds
// until the next line; cycle 0, before the first clock edge, is not compared. Prints "postsynth: N cycles, N TX changes matched" and exits 0, or names
// the first cycle where TX differs and exits 1 ($fatal).
`timescale 1ns / 1ps
module tb_postsynth;
  reg  clk = 1'b0, btn_n = 1'b0, rx = 1'b1;
  wire tx, ledr_n, ledg_n, led1, led2;
  integer fd, n, cyc, rst_v, rx_v, tx_v, next_cyc, end_cyc, changes, want_tx, line_rc;
  reg [8*256-1:0] path;
  reg [8*64-1:0]  word;

  sgpu_icebreaker_top dut (.CLK(clk), .BTN_N(btn_n), .RX(rx), .TX(tx), .LEDR_N(ledr_n),
                           .LEDG_N(ledg_n), .LED1(led1), .LED2(led2));

  // read the next "CYCLE RST RX TX" line into next_cyc/rst_v/rx_v/tx_v; at "# end N",
  // next_cyc = -1 and end_cyc = N
  task next_line;
    begin
      line_rc = $fscanf(fd, "%d %d %d %d\n", next_cyc, rst_v, rx_v, tx_v);
      if (line_rc != 4) begin
        line_rc = $fscanf(fd, "# end %d\n", end_cyc);
        if (line_rc != 1) begin
          $display("postsynth: FAIL trace line after cycle %0d is neither 'CYCLE RST RX TX' nor '# end N'", cyc);
          $fatal(1);
        end
        next_cyc = -1;
      end
    end
  endtask

  initial begin
    if (!$value$plusargs("trace=%s", path)) begin
      $display("postsynth: FAIL usage: vvp tb.vvp +trace=FILE"); $fatal(1);
    end
    fd = $fopen(path, "r");
    if (fd == 0) begin $display("postsynth: FAIL cannot read %0s", path); $fatal(1); end
    end_cyc = -1; changes = 0; want_tx = 1; cyc = 0;
    next_line;
    if (next_cyc != 0) begin
      $display("postsynth: FAIL the trace does not start at cycle 0 (%0d)", next_cyc); $fatal(1);
    end
    while (next_cyc >= 0 || cyc < end_cyc) begin
      if (next_cyc == cyc) begin
        btn_n = rst_v; rx = rx_v; want_tx = tx_v;
        changes = changes + 1;
        next_line;
      end
      #1;
      // cycle 0 is before the first edge: the netlist's flip-flops hold their configuration
      // value (0, as on the FPGA) where the RTL model starts them at random; from the first
      // edge on the reset (held from configuration by the top's power-on reset) sets TX
      if (cyc > 0 && tx !== want_tx[0]) begin
        $display("postsynth: FAIL cycle %0d: TX is %b in the netlist, %0d in the RTL (%0d pin changes matched before)",
                 cyc, tx, want_tx, changes - 1);
        $fatal(1);
      end
      #4 clk = 1'b1;
      #5 clk = 1'b0;
      cyc = cyc + 1;
      if (cyc % 100000 == 0) $display("postsynth: %0d of %0d cycles", cyc, end_cyc);
    end
    $display("postsynth: %0d cycles, %0d pin changes replayed, TX matched in every cycle", cyc, changes);
    $finish;
  end
endmodule
