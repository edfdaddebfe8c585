// sgpu_link_deframer: the receive side of the link bridge (docs/protocol.md sections 2-3, 8).
// Bytes in (valid/ready); COBS decoded on the fly (a block counter and an implied-zero flag);
// every decoded byte goes through the CRC register, the first HDR_LEN into the header
// registers, the payload (and the two CRC bytes, if they fit) into the request buffer
// (sgpu_link_ram, buf_*_o). At a delimiter:
//   - an empty frame (two delimiters in a row) is ignored;
//   - a frame with no trustworthy header is dropped silently: a COBS block cut short, fewer
//     than MIN_FRAME or more than MAX_FRAME decoded bytes (the count saturates at
//     MAX_FRAME + 1);
//   - any other frame is offered on frame_valid_o with its decoded length (pos_o), whether the
//     CRC register ended at 0 (crc_ok_o) and its header; the deframer then takes no byte
//     (rx_ready_o low) until frame_ack_i, and keeps header, length and buffer unchanged.
// The request buffer is written only while no frame is offered.
// Latency: frame_valid_o rises the cycle after the delimiter is taken.
module sgpu_link_deframer #(
  localparam int unsigned PosW = $clog2(sgpu_link_pkg::MAX_FRAME + 2),
  localparam int unsigned BufW = $clog2(sgpu_link_pkg::MAX_PAYLOAD)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // bytes from the line
  input  logic            rx_valid_i,
  output logic            rx_ready_o,
  input  logic [7:0]      rx_data_i,
  // the frame, held from frame_valid_o until frame_ack_i
  output logic            frame_valid_o,
  input  logic            frame_ack_i,   // done with it: receive the next frame
  output logic            crc_ok_o,
  output logic [PosW-1:0] pos_o,         // decoded bytes, MIN_FRAME..MAX_FRAME
  output logic [7:0]      version_o,
  output logic [7:0]      kind_o,
  output logic [7:0]      seq_o,
  output logic [15:0]     len_o,         // the length field
  // the request buffer's write port (payload byte i at address i)
  output logic            buf_we_o,
  output logic [BufW-1:0] buf_waddr_o,
  output logic [7:0]      buf_wdata_o
);
  localparam int unsigned HdrLen = sgpu_link_pkg::HDR_LEN;
  localparam logic [PosW-1:0] PosSat = PosW'(sgpu_link_pkg::MAX_FRAME + 1);

  logic            hold_q, hold_d;         // a frame is offered
  logic            any_q, any_d;           // a non-delimiter byte since the last delimiter
  logic [7:0]      left_q, left_d;         // data bytes left in the current COBS block
  logic            zero_q, zero_d;         // the current block ends in an implied zero
  logic [PosW-1:0] pos_q, pos_d;
  logic [15:0]     crc_q, crc_d, crc_next;
  logic [7:0]      hdr_q [HdrLen];
  logic            take, delim, emit, drop;
  logic [7:0]      y;                      // the decoded byte emitted this cycle

  assign rx_ready_o = !hold_q;
  assign take       = rx_valid_i && !hold_q;
  assign delim      = take && (rx_data_i == sgpu_link_pkg::DELIM);

  // A code byte emits the previous block's implied zero; a data byte emits itself.
  assign emit = take && !delim && ((left_q != 8'd0) || zero_q);
  assign y    = (left_q != 8'd0) ? rx_data_i : 8'h00;

  sgpu_link_crc16 u_crc (.crc_i(crc_q), .data_i(y), .crc_o(crc_next));

  assign drop = (pos_q > PosW'(sgpu_link_pkg::MAX_FRAME)) || (left_q != 8'd0) ||
                (pos_q < PosW'(sgpu_link_pkg::MIN_FRAME));

  always_comb begin
    hold_d = hold_q;
    any_d  = any_q;
    left_d = left_q;
    zero_d = zero_q;
    pos_d  = pos_q;
    crc_d  = crc_q;
    if (emit) begin
      crc_d = crc_next;
      if (pos_q != PosSat) pos_d = pos_q + 1'b1;
    end
    if (take && !delim) begin
      any_d = 1'b1;
      if (left_q == 8'd0) begin  // a code byte
        left_d = rx_data_i - 8'd1;
        zero_d = (rx_data_i != 8'hFF);
      end else begin
        left_d = left_q - 8'd1;
      end
    end
    // Offer the frame, or forget it (empty, dropped, or acknowledged).
    if ((delim && any_q && !drop) || (hold_q && !frame_ack_i)) begin
      hold_d = 1'b1;
    end else if (delim || (hold_q && frame_ack_i)) begin
      hold_d = 1'b0;
      any_d  = 1'b0;
      left_d = 8'd0;
      zero_d = 1'b0;
      pos_d  = '0;
      crc_d  = sgpu_link_pkg::CRC_INIT;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      hold_q <= 1'b0;
      any_q  <= 1'b0;
      left_q <= 8'd0;
      zero_q <= 1'b0;
      pos_q  <= '0;
      crc_q  <= sgpu_link_pkg::CRC_INIT;
    end else begin
      hold_q <= hold_d;
      any_q  <= any_d;
      left_q <= left_d;
      zero_q <= zero_d;
      pos_q  <= pos_d;
      crc_q  <= crc_d;
    end
  end

  // Datapath: the header bytes, read only while a frame is offered (pos_q >= MIN_FRAME).
  always_ff @(posedge clk_i) begin
    for (int unsigned i = 0; i < HdrLen; i++) begin
      if (emit && pos_q == PosW'(i)) hdr_q[i] <= y;
    end
  end

  assign buf_we_o    = emit && (pos_q >= PosW'(HdrLen)) &&
                       (pos_q < PosW'(HdrLen + sgpu_link_pkg::MAX_PAYLOAD));
  assign buf_waddr_o = BufW'(pos_q - PosW'(HdrLen));
  assign buf_wdata_o = y;

  assign frame_valid_o = hold_q;
  assign crc_ok_o      = (crc_q == 16'h0000);
  assign pos_o         = pos_q;
  assign version_o     = hdr_q[sgpu_link_pkg::OFF_VERSION];
  assign kind_o        = hdr_q[sgpu_link_pkg::OFF_KIND];
  assign seq_o         = hdr_q[sgpu_link_pkg::OFF_SEQ];
  assign len_o         = {hdr_q[sgpu_link_pkg::OFF_LEN + 1], hdr_q[sgpu_link_pkg::OFF_LEN]};
endmodule
