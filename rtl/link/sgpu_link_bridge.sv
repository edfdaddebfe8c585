// sgpu_link_bridge: the device side of the sgpu wire protocol (docs/protocol.md): requests
// in and responses out as byte streams (valid/ready; a UART, sgpu_uart_rx/tx, or any other
// byte channel), the core's register bus mastered (the reg_* slave port of sgpu_core).
// One microcoded engine does all of it, one byte per step:
//   receive   COBS decoding, every decoded byte through the CRC register into the buffer;
//             a frame cut short, shorter than MIN_FRAME or longer than MAX_FRAME is dropped;
//   check     BAD_CRC, BAD_VERSION, the replay (the kept response sent again), BAD_LENGTH,
//             BAD_KIND, then the payload against its kind (section 3, 6, 7): a NAK, nothing
//             executed;
//   execute   PING; INFO; REG_BATCH; ADMIN, MEM_READ, MEM_WRITE (the admin transaction: the
//             arguments, the doorbell, CPL_SEQ until it moves or 2^AdminWaitLog2 cycles pass,
//             status, results, phases, IRQ_ACK), as master of the register bus; the response
//             payload goes to the buffer;
//   frame     header, payload and CRC through the CRC register and a COBS encoder that writes
//             the encoded frame to the buffer (a placeholder for each block's code byte,
//             filled in when the block ends), the trailing delimiter included;
//   send      a delimiter, then the encoded frame up to its delimiter.
// The kept response (the last executed request's) stays encoded in the buffer with its
// sequence number and a valid flag; a NAK is encoded elsewhere and never replaces it. While a
// frame is checked, executed or answered the engine takes no byte (rx_ready_o low).
// The program (what each step does) is written once in tools/link_ucode.py and generated into
// rtl/gen/sgpu_link_ucode_pkg.sv (make gen); the instruction at upc_d is registered every cycle
// (block RAM on iCE40), so decoding costs no logic. The datapath: a byte bus (b) from one of 13
// sources; a 32-bit word that shifts bytes in at the top or loads a register read; the register
// address (shifted in a byte at a time, +4 within a 1 KiB block); the buffer's read pointer rp
// (its read address is rp_d) and the response pointer wp, which also counts received bytes
// (from -7); the encoder's output and code pointers (op, cp); a loop counter; the CRC register;
// kind, seq and the length field, captured as received; CPL_SEQ's low byte before the doorbell
// (s0); the admin wait counter; the read timeout. The buffer (sgpu_link_ram, 2048 bytes: four iCE40 block RAMs): the kept response
// at 0, a NAK at 576, the request at 1019 (payload byte i at 1024 + i), the response payload
// at 1536 (tools/link_ucode.py names them).
// Register bus: reg_valid_o for one cycle per access; a write is posted; a read's data comes on
// reg_rvalid_i/reg_rdata_i; a read not answered within ReadTimeout cycles completes with berr_q
// set, which the program tests (a bus error).
// Formal properties: sgpu_link_bridge_props.svh (tests/formal/link_bridge.sby).
module sgpu_link_bridge #(
  parameter int unsigned  AdminWaitLog2 = 20,  // admin completion wait: 2^this cycles
  parameter int unsigned  ReadTimeout   = 16,  // cycles a register read may take, >= 2
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
  localparam int unsigned WaitW = AdminWaitLog2 + 1;
  localparam int unsigned TmoW  = $clog2(ReadTimeout + 1);
  localparam int unsigned MemW  = $clog2(sgpu_link_ucode_pkg::MEM_DEPTH);
  localparam int unsigned PtrW  = 10;  // wp, op, cp: 0..1023
  localparam logic [MemW-1:0] ABase = MemW'(sgpu_link_ucode_pkg::A_BASE);

  // ------------------------------------------------------------ the instruction
  logic [sgpu_link_ucode_pkg::UPC_BITS-1:0] upc_q, upc_d;
  logic [sgpu_link_ucode_pkg::WIDTH-1:0]    ui_q;  // ucode(upc_q): registered from upc_d (block RAM)

  always_ff @(posedge clk_i) ui_q <= sgpu_link_ucode_pkg::ucode(upc_d, 8'(AdminWaitLog2));

  logic        u_jmp, u_jt8, u_pol, u_wsh, u_ops, u_s0, u_wclr, u_tx, u_take, u_keep;
  logic [4:0]  u_cond;
  logic [3:0]  u_b;
  logic [2:0]  u_wr;
  logic [1:0]  u_bus, u_rp, u_wp, u_ad, u_cnt, u_crc;
  logic [15:0] u_imm;
  logic [7:0]  imm8;
  assign u_jmp  = ui_q[sgpu_link_ucode_pkg::F_JMP];
  assign u_jt8  = ui_q[sgpu_link_ucode_pkg::F_JT8];
  assign u_pol  = ui_q[sgpu_link_ucode_pkg::F_POL];
  assign u_cond = ui_q[sgpu_link_ucode_pkg::F_COND +: 5];
  assign u_bus  = ui_q[sgpu_link_ucode_pkg::F_BUS +: 2];
  assign u_b    = ui_q[sgpu_link_ucode_pkg::F_B +: 4];
  assign u_wsh  = ui_q[sgpu_link_ucode_pkg::F_WSH];
  assign u_wr   = ui_q[sgpu_link_ucode_pkg::F_WR +: 3];
  assign u_rp   = ui_q[sgpu_link_ucode_pkg::F_RP +: 2];
  assign u_wp   = ui_q[sgpu_link_ucode_pkg::F_WP +: 2];
  assign u_ad   = ui_q[sgpu_link_ucode_pkg::F_AD +: 2];
  assign u_cnt  = ui_q[sgpu_link_ucode_pkg::F_CNT +: 2];
  assign u_crc  = ui_q[sgpu_link_ucode_pkg::F_CRC +: 2];
  assign u_ops  = ui_q[sgpu_link_ucode_pkg::F_OPS];
  assign u_s0   = ui_q[sgpu_link_ucode_pkg::F_S0];
  assign u_wclr = ui_q[sgpu_link_ucode_pkg::F_WCLR];
  assign u_tx   = ui_q[sgpu_link_ucode_pkg::F_TX];
  assign u_take = ui_q[sgpu_link_ucode_pkg::F_TAKE];
  assign u_keep = ui_q[sgpu_link_ucode_pkg::F_KEEP];
  assign u_imm  = ui_q[sgpu_link_ucode_pkg::F_IMM +: 16];
  assign imm8   = u_imm[7:0];

  // ------------------------------------------------------------ datapath registers
  logic [31:0]      word_q;
  logic [7:0]       s0_q;     // CPL_SEQ's low byte before the doorbell
  logic [AddrW-1:0] addr_q;
  logic [MemW-1:0]  rp_q, rp_d;
  logic [PtrW-1:0]  wp_q, op_q, cp_q;
  logic [7:0]       cnt_q, seq_q, kept_seq_q;
  logic [2:0]       kind_q;
  logic [9:0]       len_q;
  logic             lenhi_q;  // the length field's bits 15:10 are not all 0
  logic             kept_q;   // a response is kept (encoded at B_BASE, its seq in kept_seq_q)
  logic [15:0]      crc_q, crc_next;
  logic [WaitW-1:0] wait_q;
  logic [TmoW-1:0]  tmo_q;
  logic             rdw_q;    // a register read was issued, its answer awaited
  logic             berr_q;   // the last read was not answered within ReadTimeout cycles
  logic [7:0]       mem_rdata;

  // the COBS encoder: the code byte of the open block, and whether the block is full
  logic [7:0] code;
  logic       full, emit, b0;
  assign code = op_q[7:0] - cp_q[7:0];
  assign full = (code == 8'hFF);
  assign emit = (u_wr == sgpu_link_ucode_pkg::WR_EMIT);

  // an instruction takes effect when it completes: at once; a read when answered; a byte
  // taken or sent when it is; an emit into a full block after the block is closed
  logic rd, adv, tmo_hit;
  assign rd      = (u_bus == sgpu_link_ucode_pkg::BUS_RD);
  assign adv     = (!rd || (rdw_q && (reg_rvalid_i || tmo_hit))) && (!u_tx || tx_ready_i) &&
                   (!u_take || rx_valid_i) && !(emit && full);
  assign tmo_hit = rd && rdw_q && !reg_rvalid_i && (tmo_q == TmoW'(ReadTimeout - 1));

  // the byte bus
  logic [7:0] b;
  always_comb begin
    unique case (u_b)
      sgpu_link_ucode_pkg::B_IMM:    b = imm8;
      sgpu_link_ucode_pkg::B_RX:     b = rx_data_i;
      sgpu_link_ucode_pkg::B_MEM:    b = mem_rdata;
      sgpu_link_ucode_pkg::B_W0:     b = word_q[7:0];
      sgpu_link_ucode_pkg::B_CNT:    b = cnt_q;
      sgpu_link_ucode_pkg::B_RPLO:   b = rp_q[7:0];
      sgpu_link_ucode_pkg::B_RPHI:   b = {6'd0, rp_q[9:8]};  // a payload offset (rp - 1024)
      sgpu_link_ucode_pkg::B_WPLO:   b = wp_q[7:0];
      sgpu_link_ucode_pkg::B_WPHI:   b = {6'd0, wp_q[9:8]};
      sgpu_link_ucode_pkg::B_ADLO:   b = addr_q[7:0];
      sgpu_link_ucode_pkg::B_ADHI:   b = addr_q[AddrW-1:AddrW-8];
      sgpu_link_ucode_pkg::B_CRCHI:  b = crc_q[15:8];
      default:  b = crc_q[7:0];           // B_CRCLO
    endcase
  end
  assign b0 = (b == 8'h00);

  sgpu_link_crc16 u_crc16 (.crc_i(crc_q), .data_i(b), .crc_o(crc_next));

  // conditions
  logic c, wpneg;
  assign wpneg = (wp_q[PtrW-1:3] == '1);  // -8..-1
  always_comb begin
    unique case (u_cond)
      sgpu_link_ucode_pkg::COND_TRUE:     c = 1'b1;
      sgpu_link_ucode_pkg::COND_BEQ:      c = (b == imm8);
      sgpu_link_ucode_pkg::COND_BGT:      c = (b > imm8);
      sgpu_link_ucode_pkg::COND_BAND:     c = ((b & imm8) != 8'h00);
      sgpu_link_ucode_pkg::COND_CNT0:     c = (cnt_q == 8'h00);
      sgpu_link_ucode_pkg::COND_KIND:     c = (kind_q == imm8[2:0]);
      sgpu_link_ucode_pkg::COND_WAITDONE: c = wait_q[WaitW-1];
      sgpu_link_ucode_pkg::COND_BERR:     c = berr_q;
      sgpu_link_ucode_pkg::COND_SEQMOVED: c = (word_q[7:0] != s0_q);  // CPL_SEQ's low byte
      sgpu_link_ucode_pkg::COND_WPOVER:   c = (wp_q > PtrW'(sgpu_link_pkg::MAX_PAYLOAD));
      // receiving, wp counts decoded bytes from -MIN_FRAME: past MAX_FRAME, below MIN_FRAME
      sgpu_link_ucode_pkg::COND_WPGTF:    c = (wp_q == PtrW'(sgpu_link_pkg::MAX_PAYLOAD + 1));
      sgpu_link_ucode_pkg::COND_WPNEG:    c = wpneg;
      // the payload ends at rp (rp - 1024 is the payload offset)
      sgpu_link_ucode_pkg::COND_RPEQLEN:  c = (rp_q[9:0] == len_q);
      // framing: rp reached A_BASE + wp (wp <= MAX_PAYLOAD; rp wraps to 0 after 2047)
      sgpu_link_ucode_pkg::COND_RPEND:    c = (rp_q[9:0] == 10'(sgpu_link_ucode_pkg::A_BASE) + wp_q);
      sgpu_link_ucode_pkg::COND_CRC0:     c = (crc_q == 16'h0000);
      sgpu_link_ucode_pkg::COND_REPLAY:   c = kept_q && (seq_q == kept_seq_q);
      // the length field equals the decoded length - 7 (its bits 15:10 counted apart)
      default:                            c = (wp_q == len_q) && !lenhi_q;  // COND_LENOK
    endcase
  end

  // the next instruction
  always_comb begin
    upc_d = upc_q;
    if (!rst_ni) begin
      upc_d = sgpu_link_ucode_pkg::L_RX_START;
    end else if (adv) begin
      upc_d = (u_jmp && (c ^ u_pol)) ? {u_jt8, u_imm[15:8]} : upc_q + 1'b1;
    end
  end

  always_comb begin
    rp_d = rp_q;
    if (adv) begin
      unique case (u_rp)
        sgpu_link_ucode_pkg::RP_INC:  rp_d = rp_q + 1'b1;
        sgpu_link_ucode_pkg::RP_SET8: rp_d = MemW'(sgpu_link_ucode_pkg::REQ_PAY) | MemW'(imm8);
        sgpu_link_ucode_pkg::RP_SETW: rp_d = u_imm[MemW-1:0];
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      upc_q  <= sgpu_link_ucode_pkg::L_RX_START;
      rdw_q  <= 1'b0;
      berr_q <= 1'b0;
      kept_q <= 1'b0;
    end else begin
      upc_q  <= upc_d;
      rdw_q  <= rd && !adv;
      if (rd) berr_q <= tmo_hit;
      if (adv && u_keep) kept_q <= 1'b1;
    end
  end

  // the buffer's write port
  logic            we;
  logic [MemW-1:0] waddr;
  logic [7:0]      wdata;
  always_comb begin
    we    = adv;
    waddr = {1'b0, cp_q};
    wdata = b;
    unique case (u_wr)
      sgpu_link_ucode_pkg::WR_RX:    waddr = rp_q;
      sgpu_link_ucode_pkg::WR_A:     waddr = ABase | MemW'(wp_q[8:0]);
      sgpu_link_ucode_pkg::WR_AI:    waddr = ABase | MemW'(u_imm[15:8]);
      sgpu_link_ucode_pkg::WR_EMIT: begin  // a data byte, or the code byte of a block that ends (a zero, or full)
        we = 1'b1;
        if (!full && !b0) waddr = {1'b0, op_q};
        else wdata = code;
      end
      sgpu_link_ucode_pkg::WR_CLOSE: wdata = code;
      sgpu_link_ucode_pkg::WR_ENDZ:  ;
      default:  we = 1'b0;  // WR_NONE, WR_OPEN
    endcase
  end

  sgpu_link_ram #(.Depth(sgpu_link_ucode_pkg::MEM_DEPTH), .Width(8)) u_buf (
    .clk_i, .we_i(we), .waddr_i(waddr), .wdata_i(wdata), .raddr_i(rp_d), .rdata_o(mem_rdata)
  );

  // Datapath: each register is written before it is read in a request.
  always_ff @(posedge clk_i) begin
    rp_q <= rp_d;
    if (rd && !rdw_q) tmo_q <= '0;
    else if (rdw_q) tmo_q <= tmo_q + 1'b1;
    // the admin wait: restarted before the first poll; the poll loop leaves when its top bit
    // sets (it may wrap later, unused)
    wait_q <= u_wclr ? '0 : wait_q + 1'b1;
    if (rd && rdw_q && reg_rvalid_i) begin
      word_q <= reg_rdata_i;
    end else if (adv && u_wsh) begin
      word_q <= {b, word_q[31:8]};
    end
    // the encoder: op advances with every byte written to the frame and every placeholder;
    // a block that ends leaves its code byte at cp, and cp moves to the next placeholder
    if (u_wr == sgpu_link_ucode_pkg::WR_CLOSE || u_wr == sgpu_link_ucode_pkg::WR_OPEN || (emit && (full || b0))) cp_q <= op_q;
    if (u_wr == sgpu_link_ucode_pkg::WR_CLOSE || u_wr == sgpu_link_ucode_pkg::WR_OPEN || emit) op_q <= op_q + 1'b1;
    // the immediate is B_BASE or N_BASE (the assembler checks): only their bits are kept
    else if (adv && u_ops) op_q <= u_imm[PtrW-1:0] & PtrW'(sgpu_link_ucode_pkg::B_BASE | sgpu_link_ucode_pkg::N_BASE);
    if (adv) begin
      unique case (u_wp)
        sgpu_link_ucode_pkg::WP_INC:  wp_q <= wp_q + 1'b1;
        sgpu_link_ucode_pkg::WP_SET:  wp_q <= {{(PtrW - 8){imm8[7]}}, imm8};  // sign-extended
        default: ;
      endcase
      unique case (u_ad)
        // +4 within a 1 KiB block (the program's loops never cross one: tools/link_ucode.py)
        sgpu_link_ucode_pkg::AD_ADD4: addr_q[9:2] <= addr_q[9:2] + 8'd1;
        sgpu_link_ucode_pkg::AD_SH:   addr_q <= {b, addr_q[AddrW-1:8]};
        default: ;
      endcase
      unique case (u_cnt)
        sgpu_link_ucode_pkg::CNT_LD:  cnt_q <= b;
        sgpu_link_ucode_pkg::CNT_DEC: cnt_q <= cnt_q - 8'd1;
        sgpu_link_ucode_pkg::CNT_INC: cnt_q <= cnt_q + 8'd1;
        default: ;
      endcase
      unique case (u_crc)
        sgpu_link_ucode_pkg::CRC_UPD:  crc_q <= crc_next;
        sgpu_link_ucode_pkg::CRC_INIT: crc_q <= sgpu_link_pkg::CRC_INIT;
        default: ;
      endcase
      if (u_s0) s0_q <= word_q[7:0];
      if (u_keep) kept_seq_q <= seq_q;
      // the header bytes the checks and the execution use, as they are received
      // (wp is -7..-3 for them: wpneg and its low 3 bits)
      if (u_wr == sgpu_link_ucode_pkg::WR_RX && wpneg) begin
        unique case (wp_q[2:0])
          3'(sgpu_link_pkg::OFF_KIND - sgpu_link_pkg::MIN_FRAME): kind_q <= b[2:0];
          3'(sgpu_link_pkg::OFF_SEQ - sgpu_link_pkg::MIN_FRAME):  seq_q <= b;
          3'(sgpu_link_pkg::OFF_LEN - sgpu_link_pkg::MIN_FRAME):  len_q[7:0] <= b;
          3'(sgpu_link_pkg::OFF_LEN + 1 - sgpu_link_pkg::MIN_FRAME): begin
            len_q[9:8] <= b[1:0];
            lenhi_q    <= (b[7:2] != 6'd0);
          end
          default: ;
        endcase
      end
    end
  end

  assign rx_ready_o  = u_take;
  assign tx_valid_o  = u_tx;
  assign tx_data_o   = b;
  assign reg_valid_o = (u_bus == sgpu_link_ucode_pkg::BUS_WR) || (rd && !rdw_q);
  assign reg_write_o = (u_bus == sgpu_link_ucode_pkg::BUS_WR);
  assign reg_addr_o  = addr_q;
  assign reg_wdata_o = word_q;

  // wpneg (-8..-1) holds the receive counter's start, -MIN_FRAME
  if (sgpu_link_pkg::MIN_FRAME > 8) begin : gen_bad_min_frame
    $error("sgpu_link_bridge: MIN_FRAME %0d > 8", sgpu_link_pkg::MIN_FRAME);
  end
  if (ReadTimeout < 2) begin : gen_bad_timeout
    $error("sgpu_link_bridge: ReadTimeout %0d < 2", ReadTimeout);
  end
  if (AdminWaitLog2 < 1 || AdminWaitLog2 > 40) begin : gen_bad_wait
    $error("sgpu_link_bridge: AdminWaitLog2 %0d outside 1..40", AdminWaitLog2);
  end
`ifdef FORMAL
  `include "sgpu_link_bridge_props.svh"
`endif
endmodule
