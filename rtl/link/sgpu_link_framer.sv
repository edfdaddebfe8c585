// sgpu_link_framer: the send side of the link bridge (docs/protocol.md sections 2-4, 8). On
// start_i it sends DELIM, COBS(frame), DELIM as a byte stream (valid/ready), the frame being
//   version | kind_i | seq_i | len_i (LE) | payload | CRC (most significant byte first),
// the payload read from the response buffer (sgpu_link_ram: buf_raddr_o, its data on
// buf_rdata_i the next cycle) or, with nak_i, the four bytes status, 0, detail (LE) from
// nak_status_i / nak_detail_i. The inputs must stay stable until done_o.
// The COBS encoder scans ahead from each block start for the next zero (at most 254 bytes),
// sends the code byte, then goes back and sends the block (every frame byte is read twice).
// The CRC register runs over the bytes as the scan meets them, so it holds the frame's CRC
// when the scan reaches the CRC bytes; nothing is stored. Canonical COBS: no code byte after a
// final run of exactly 254 non-zero bytes.
// Latency: the first byte is offered the cycle after start_i; done_o pulses the cycle after
// the trailing delimiter is taken.
module sgpu_link_framer #(
  localparam int unsigned PosW = $clog2(sgpu_link_pkg::MAX_FRAME + 2),
  localparam int unsigned LenW = $clog2(sgpu_link_pkg::MAX_PAYLOAD + 1),
  localparam int unsigned BufW = $clog2(sgpu_link_pkg::MAX_PAYLOAD)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            start_i,       // send a frame (while idle)
  output logic            busy_o,
  output logic            done_o,        // pulse: the frame was sent
  input  logic [7:0]      kind_i,
  input  logic [7:0]      seq_i,
  input  logic [LenW-1:0] len_i,         // payload bytes
  input  logic            nak_i,         // the payload is the NAK's four bytes below
  input  logic [7:0]      nak_status_i,
  input  logic [15:0]     nak_detail_i,
  output logic [BufW-1:0] buf_raddr_o,   // the response buffer, payload byte i at address i
  input  logic [7:0]      buf_rdata_i,
  output logic            tx_valid_o,
  input  logic            tx_ready_i,
  output logic [7:0]      tx_data_o
);
  localparam int unsigned HdrLen = sgpu_link_pkg::HDR_LEN;

  typedef enum logic [2:0] {Idle, Lead, Scan, Code, Emit, Trail, Done} state_e;

  state_e          state_q, state_d;
  logic [PosW-1:0] idx_q, idx_d;   // frame byte being scanned or sent
  logic [PosW-1:0] blk_q, blk_d;   // first byte of the current block
  logic [7:0]      cnt_q, cnt_d;   // scan: bytes in the block; emit: bytes left to send
  logic            zend_q, zend_d; // the block ends at a zero byte (at idx after the emit)
  logic [15:0]     crc_q, crc_d, crc_next;
  logic [PosW-1:0] n;              // frame length
  logic [7:0]      b;              // frame byte idx_q
  logic [1:0]      poff;           // payload offset of idx_q, low bits (the NAK's byte)

  assign n    = PosW'(len_i) + PosW'(sgpu_link_pkg::MIN_FRAME);
  assign poff = idx_q[1:0] - 2'(HdrLen);

  always_comb begin
    b = buf_rdata_i;
    if (idx_q < PosW'(HdrLen)) begin
      unique case (idx_q[2:0])
        3'(sgpu_link_pkg::OFF_VERSION): b = sgpu_link_pkg::VERSION;
        3'(sgpu_link_pkg::OFF_KIND):    b = kind_i;
        3'(sgpu_link_pkg::OFF_SEQ):     b = seq_i;
        3'(sgpu_link_pkg::OFF_LEN):     b = 8'(len_i);
        default:                        b = 8'(len_i >> 8);
      endcase
    end else if (idx_q == n - PosW'(2)) begin
      b = crc_q[15:8];
    end else if (idx_q == n - PosW'(1)) begin
      b = crc_q[7:0];
    end else if (nak_i) begin
      unique case (poff)
        2'd0:    b = nak_status_i;
        2'd1:    b = 8'h00;
        2'd2:    b = nak_detail_i[7:0];
        default: b = nak_detail_i[15:8];
      endcase
    end
  end

  sgpu_link_crc16 u_crc (.crc_i(crc_q), .data_i(b), .crc_o(crc_next));

  always_comb begin
    state_d    = state_q;
    idx_d      = idx_q;
    blk_d      = blk_q;
    cnt_d      = cnt_q;
    zend_d     = zend_q;
    crc_d      = crc_q;
    tx_valid_o = 1'b0;
    tx_data_o  = sgpu_link_pkg::DELIM;
    done_o     = 1'b0;
    unique case (state_q)
      Idle: if (start_i) begin
        state_d = Lead;
        crc_d   = sgpu_link_pkg::CRC_INIT;
        idx_d   = '0;
        blk_d   = '0;
        cnt_d   = 8'd0;
      end
      Lead: begin
        tx_valid_o = 1'b1;
        if (tx_ready_i) state_d = Scan;
      end
      Scan: begin
        if (idx_q == n || cnt_q == 8'd254) begin
          zend_d  = 1'b0;
          state_d = Code;
        end else begin
          // the scan meets each byte once: the CRC register takes it, up to the CRC bytes
          if (idx_q < n - PosW'(2)) crc_d = crc_next;
          if (b == 8'h00) begin
            zend_d  = 1'b1;  // the zero stays at idx_q, the block before it is sent
            state_d = Code;
          end else begin
            cnt_d = cnt_q + 8'd1;
            idx_d = idx_q + 1'b1;
          end
        end
      end
      Code: begin
        tx_valid_o = 1'b1;
        tx_data_o  = (cnt_q == 8'd254) ? 8'hFF : cnt_q + 8'd1;
        idx_d      = blk_q;  // go back to send the block
        if (tx_ready_i) begin
          if (cnt_q != 8'd0) begin
            state_d = Emit;
          end else begin
            // an empty block: only a zero (or the end) follows
            if (zend_q) begin
              idx_d   = blk_q + 1'b1;
              blk_d   = blk_q + 1'b1;
              state_d = Scan;
            end else begin
              state_d = Trail;
            end
          end
        end
      end
      Emit: begin
        tx_valid_o = 1'b1;
        tx_data_o  = b;
        if (tx_ready_i) begin
          idx_d = idx_q + 1'b1;
          cnt_d = cnt_q - 8'd1;
          if (cnt_q == 8'd1) begin
            // idx_d is where the scan stopped: the zero, the end, or the 255th byte
            if (zend_q) begin
              idx_d   = idx_q + PosW'(2);
              blk_d   = idx_q + PosW'(2);
              cnt_d   = 8'd0;
              state_d = Scan;
            end else if (idx_q + 1'b1 == n) begin
              state_d = Trail;
            end else begin
              blk_d   = idx_q + 1'b1;
              cnt_d   = 8'd0;
              state_d = Scan;
            end
          end
        end
      end
      Trail: begin
        tx_valid_o = 1'b1;
        if (tx_ready_i) state_d = Done;
      end
      Done: begin
        done_o  = 1'b1;
        state_d = Idle;
      end
      default: state_d = Idle;
    endcase
  end

  // The buffer is read at the next cycle's byte, so its data is there when that byte is used.
  assign buf_raddr_o = BufW'(idx_d - PosW'(HdrLen));
  assign busy_o      = (state_q != Idle);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= Idle;
      idx_q   <= '0;
      blk_q   <= '0;
      cnt_q   <= 8'd0;
      zend_q  <= 1'b0;
      crc_q   <= sgpu_link_pkg::CRC_INIT;
    end else begin
      state_q <= state_d;
      idx_q   <= idx_d;
      blk_q   <= blk_d;
      cnt_q   <= cnt_d;
      zend_q  <= zend_d;
      crc_q   <= crc_d;
    end
  end
`ifdef FORMAL
  `include "sgpu_link_framer_props.svh"
`endif
endmodule
