// sgpu_scrubber: zeroes freed frames in the background and returns them to the clean list.
//
// Takes the head of the allocator's dirty FIFO (pop), writes zero to every word of the frame
// through its memory port (one write per cycle while the port grants it), then pushes the
// frame onto the clean list. It is the lowest-priority memory master, so it only uses cycles
// that nothing else wants. busy_cycles_o counts cycles spent holding a frame.
// Throughput: WordsPerPage cycles per frame on an idle memory port.
module sgpu_scrubber #(
  parameter int unsigned NumFrames   = 64,
  parameter int unsigned PageShift   = 8,                 // log2 bytes per page
  parameter int unsigned StatW       = 32,                // busy-cycle counter (wraps)
  localparam int unsigned FrameW     = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned WordW      = PageShift - 2,     // word index within a page
  localparam int unsigned AddrW      = FrameW + WordW
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // allocator
  output logic              pop_req_o,
  input  logic              pop_ack_i,
  input  logic [FrameW-1:0] pop_frame_i,
  output logic              push_req_o,
  output logic [FrameW-1:0] push_frame_o,
  input  logic              push_ack_i,
  // memory port (writes only)
  output logic              mem_req_valid_o,
  input  logic              mem_req_ready_i,
  output logic [AddrW-1:0]  mem_req_addr_o,
  // status
  output logic              busy_o,
  output logic [31:0]       busy_cycles_o
);
  typedef enum logic [1:0] {StIdle, StZero, StPush} state_e;
  state_e            state_q, state_d;
  logic [FrameW-1:0] frame_q, frame_d;
  logic [WordW-1:0]  word_q, word_d;
  logic [StatW-1:0]  busy_cycles_q;

  always_comb begin
    state_d = state_q;
    frame_d = frame_q;
    word_d  = word_q;
    unique case (state_q)
      StIdle: begin
        if (pop_ack_i) begin
          frame_d = pop_frame_i;
          word_d  = '0;
          state_d = StZero;
        end
      end
      StZero: begin
        if (mem_req_ready_i) begin
          word_d = word_q + 1'b1;
          if (word_q == '1) state_d = StPush;
        end
      end
      StPush: begin
        if (push_ack_i) state_d = StIdle;
      end
      default: state_d = StIdle;
    endcase
  end

  // Requests depend on the state only (no path from a grant back to a request).
  assign pop_req_o       = (state_q == StIdle);
  assign mem_req_valid_o = (state_q == StZero);
  assign push_req_o      = (state_q == StPush);
  assign mem_req_addr_o  = {frame_q, word_q};
  assign push_frame_o   = frame_q;
  assign busy_o         = (state_q != StIdle);
  assign busy_cycles_o  = 32'(busy_cycles_q);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      busy_cycles_q <= '0;
    end else begin
      state_q <= state_d;
      if (state_q != StIdle) busy_cycles_q <= busy_cycles_q + 1'b1;
    end
  end

  // Datapath registers: only meaningful outside StIdle, which reset enforces.
  always_ff @(posedge clk_i) begin
    frame_q <= frame_d;
    word_q  <= word_d;
  end
endmodule
