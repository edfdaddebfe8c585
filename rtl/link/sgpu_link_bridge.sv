// sgpu_link_bridge: the device side of the sgpu wire protocol (docs/protocol.md): requests
// in and responses out as byte streams (valid/ready; a UART, sgpu_uart_rx/tx, or any other
// byte channel), the core's register bus mastered (the reg_* slave port of sgpu_core).
//   sgpu_link_deframer  COBS decoding, the CRC register, the header, the request buffer;
//   this module         the sequence engine: for each frame the deframer offers (size and
//                       COBS already good) it sends a NAK for a bad CRC or version, replays
//                       the kept response for the kept sequence number, NAKs a wrong length
//                       field or kind, else starts the executor (section 6);
//   sgpu_link_exec      payload checks (NAK) and execution: the bus master, writing the
//                       response payload into the response buffer;
//   sgpu_link_framer    COBS encoding with the CRC, from the response buffer or, for a NAK,
//                       from registers.
// It keeps one response (the last executed request's: kind, seq, length, payload in the
// response buffer) and a valid flag; a NAK never replaces it. While a frame is checked,
// executed or answered the deframer takes no byte (rx_ready_o low).
// Buffers: two sgpu_link_ram of MAX_PAYLOAD bytes (one block RAM each on iCE40).
// Formal properties: sgpu_link_bridge_props.svh (tests/formal/link_bridge.sby).
module sgpu_link_bridge #(
  parameter int unsigned  AdminWaitLog2 = 20,  // admin completion wait: 2^this cycles
  parameter int unsigned  ReadTimeout   = 16,  // cycles a register read may take
  localparam int unsigned AddrW = sgpu_regs_pkg::BUS_ADDR_BITS
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // bytes from the host
  input  logic             rx_valid_i,
  output logic             rx_ready_o,
  input  logic [7:0]       rx_data_i,
  // bytes to the host
  output logic             tx_valid_o,
  input  logic             tx_ready_i,
  output logic [7:0]       tx_data_o,
  // register bus master (to sgpu_core's reg_* port)
  output logic             reg_valid_o,
  output logic             reg_write_o,
  output logic [AddrW-1:0] reg_addr_o,
  output logic [31:0]      reg_wdata_o,
  input  logic             reg_rvalid_i,
  input  logic [31:0]      reg_rdata_i
);
  localparam int unsigned PosW = $clog2(sgpu_link_pkg::MAX_FRAME + 2);
  localparam int unsigned LenW = $clog2(sgpu_link_pkg::MAX_PAYLOAD + 1);
  localparam int unsigned BufW = $clog2(sgpu_link_pkg::MAX_PAYLOAD);

  typedef enum logic [1:0] {Idle, Exec, Send, SendWait} state_e;

  // deframer
  logic            frame_valid, frame_ack, crc_ok;
  logic [PosW-1:0] pos;
  logic [7:0]      version, kind, seq;
  logic [15:0]     len;
  logic            rq_we;
  logic [BufW-1:0] rq_waddr, rq_raddr;
  logic [7:0]      rq_wdata, rq_rdata;
  // executor
  logic            ex_start, ex_busy, ex_done, ex_nak;
  logic [7:0]      ex_status;
  logic [15:0]     ex_detail;
  logic [LenW-1:0] ex_len;
  logic            rs_we;
  logic [BufW-1:0] rs_waddr, rs_raddr;
  logic [7:0]      rs_wdata, rs_rdata;
  // framer
  logic            fr_start, fr_busy, fr_done;

  state_e          state_q, state_d;
  logic            kept_q, kept_d;              // a response is kept
  logic [7:0]      kept_seq_q, kept_seq_d;
  logic [2:0]      kept_kind_q, kept_kind_d;
  logic [LenW-1:0] kept_len_q, kept_len_d;
  logic            nak_q, nak_d;                // the frame being sent is a NAK
  logic [7:0]      nak_status_q, nak_status_d;
  logic [15:0]     nak_detail_q, nak_detail_d;
  logic            replay, len_ok, kind_ok;
  logic [PosW-1:0] pay;                         // payload bytes of the frame offered

  sgpu_link_deframer u_deframer (
    .clk_i, .rst_ni, .rx_valid_i, .rx_ready_o, .rx_data_i,
    .frame_valid_o(frame_valid), .frame_ack_i(frame_ack), .crc_ok_o(crc_ok), .pos_o(pos),
    .version_o(version), .kind_o(kind), .seq_o(seq), .len_o(len),
    .buf_we_o(rq_we), .buf_waddr_o(rq_waddr), .buf_wdata_o(rq_wdata)
  );

  sgpu_link_ram #(.Depth(sgpu_link_pkg::MAX_PAYLOAD), .Width(8)) u_req_buf (
    .clk_i, .we_i(rq_we), .waddr_i(rq_waddr), .wdata_i(rq_wdata), .raddr_i(rq_raddr),
    .rdata_o(rq_rdata)
  );

  // The checks of section 3 and 6, in the protocol's order.
  assign replay  = kept_q && (seq == kept_seq_q);
  assign pay     = pos - PosW'(sgpu_link_pkg::MIN_FRAME);
  assign len_ok  = (len == 16'(pay));
  assign kind_ok = (kind >= sgpu_link_pkg::KIND_FIRST) && (kind <= sgpu_link_pkg::KIND_LAST);

  always_comb begin
    state_d      = state_q;
    kept_d       = kept_q;
    kept_seq_d   = kept_seq_q;
    kept_kind_d  = kept_kind_q;
    kept_len_d   = kept_len_q;
    nak_d        = nak_q;
    nak_status_d = nak_status_q;
    nak_detail_d = nak_detail_q;
    ex_start     = 1'b0;
    fr_start     = 1'b0;
    frame_ack    = 1'b0;
    unique case (state_q)
      Idle: if (frame_valid) begin
        state_d = Send;
        nak_d   = 1'b1;
        if (!crc_ok) begin
          nak_status_d = sgpu_link_pkg::ST_BAD_CRC;
          nak_detail_d = 16'(pos);
        end else if (version != sgpu_link_pkg::VERSION) begin
          nak_status_d = sgpu_link_pkg::ST_BAD_VERSION;
          nak_detail_d = {8'd0, version};
        end else if (replay) begin
          nak_d = 1'b0;  // send the kept response again, execute nothing
        end else if (!len_ok) begin
          nak_status_d = sgpu_link_pkg::ST_BAD_LENGTH;
          nak_detail_d = len;
        end else if (!kind_ok) begin
          nak_status_d = sgpu_link_pkg::ST_BAD_KIND;
          nak_detail_d = {8'd0, kind};
        end else begin
          ex_start = 1'b1;
          state_d  = Exec;
        end
      end
      Exec: if (ex_done) begin
        state_d = Send;
        nak_d   = ex_nak;
        if (ex_nak) begin
          nak_status_d = ex_status;
          nak_detail_d = ex_detail;
        end else begin
          kept_d      = 1'b1;
          kept_seq_d  = seq;
          kept_kind_d = kind[2:0];
          kept_len_d  = ex_len;
        end
      end
      Send: begin
        fr_start = 1'b1;
        state_d  = SendWait;
      end
      SendWait: if (fr_done) begin
        frame_ack = 1'b1;
        state_d   = Idle;
      end
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= Idle;
      kept_q  <= 1'b0;
      nak_q   <= 1'b0;
    end else begin
      state_q <= state_d;
      kept_q  <= kept_d;
      nak_q   <= nak_d;
    end
  end

  // Read only with kept_q / nak_q, written with them.
  always_ff @(posedge clk_i) begin
    kept_seq_q   <= kept_seq_d;
    kept_kind_q  <= kept_kind_d;
    kept_len_q   <= kept_len_d;
    nak_status_q <= nak_status_d;
    nak_detail_q <= nak_detail_d;
  end

  sgpu_link_exec #(.AdminWaitLog2(AdminWaitLog2), .ReadTimeout(ReadTimeout)) u_exec (
    .clk_i, .rst_ni,
    .start_i(ex_start), .kind_i(kind[2:0]), .len_i(LenW'(len)),
    .busy_o(ex_busy), .done_o(ex_done), .nak_o(ex_nak), .status_o(ex_status),
    .detail_o(ex_detail), .resp_len_o(ex_len),
    .rbuf_raddr_o(rq_raddr), .rbuf_rdata_i(rq_rdata),
    .wbuf_we_o(rs_we), .wbuf_waddr_o(rs_waddr), .wbuf_wdata_o(rs_wdata),
    .reg_valid_o, .reg_write_o, .reg_addr_o, .reg_wdata_o, .reg_rvalid_i, .reg_rdata_i
  );

  sgpu_link_ram #(.Depth(sgpu_link_pkg::MAX_PAYLOAD), .Width(8)) u_resp_buf (
    .clk_i, .we_i(rs_we), .waddr_i(rs_waddr), .wdata_i(rs_wdata), .raddr_i(rs_raddr),
    .rdata_o(rs_rdata)
  );

  sgpu_link_framer u_framer (
    .clk_i, .rst_ni, .start_i(fr_start), .busy_o(fr_busy), .done_o(fr_done),
    .kind_i(nak_q ? sgpu_link_pkg::KIND_NAK : (sgpu_link_pkg::KIND_RESPONSE | {5'd0, kept_kind_q})),
    .seq_i(nak_q ? seq : kept_seq_q),
    .len_i(nak_q ? LenW'(sgpu_link_pkg::RESP_HDR_LEN) : kept_len_q),
    .nak_i(nak_q), .nak_status_i(nak_status_q), .nak_detail_i(nak_detail_q),
    .buf_raddr_o(rs_raddr), .buf_rdata_i(rs_rdata),
    .tx_valid_o, .tx_ready_i, .tx_data_o
  );

`ifdef VERILATOR  // one-cycle assertions: Verilator here; the formal flow has the rest
  // The executor runs only for the frame being handled, the framer only when sending.
  ExecInExec_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      ex_busy |-> state_q == Exec);
  FramerInSend_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      fr_busy |-> state_q == SendWait);
`endif
`ifdef FORMAL
  `include "sgpu_link_bridge_props.svh"
`endif
endmodule
