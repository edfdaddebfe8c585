// sgpu_link_exec: the request checker and executor of the link bridge (docs/protocol.md
// sections 5, 7 and 8), the master of the core's register bus. Started with a request that
// passed the frame checks (size, CRC, version, not a replay, length field, kind 1..6), it
//   1. checks the payload against its kind, reading it from the request buffer: a failure
//      ends in a NAK (nak_o, status_o, detail_o) with nothing executed and nothing written to
//      the response buffer;
//   2. executes it: PING; INFO (bridge parameters, then ID, VERSION, CAPS0..2); REG_BATCH (the
//      operations in order, each read's data appended); ADMIN, MEM_READ, MEM_WRITE (the admin
//      transaction: ADMIN_STATUS, CPL_SEQ, [the data words], the arguments, CMD_OP, the
//      doorbell, CPL_SEQ until it moves or 2^AdminWaitLog2 cycles pass, CPL_STATUS, the
//      results, [the phases / the words read], IRQ_ACK), writing the response payload (status,
//      0, detail, data) to the response buffer; resp_len_o is its length.
// Register bus (the slave port of sgpu_core): reg_valid_o for one cycle per access; a write is
// posted; a read's data comes on reg_rvalid_i/reg_rdata_i, and a read not answered within
// ReadTimeout cycles is a bus error (BUS_ERROR, detail as the protocol says).
// Buffers: the request buffer is read with a registered read (rbuf_raddr_o is the address of
// the next cycle's byte), the response buffer written a byte per cycle.
// Latency: done_o pulses once per start_i, after the checks (NAK) or the execution.
module sgpu_link_exec #(
  parameter int unsigned  AdminWaitLog2 = 20,  // cycles the admin transaction waits: 2^this
  parameter int unsigned  ReadTimeout   = 16,  // cycles a register read may take, >= 2
  localparam int unsigned LenW  = $clog2(sgpu_link_pkg::MAX_PAYLOAD + 1),
  localparam int unsigned BufW  = $clog2(sgpu_link_pkg::MAX_PAYLOAD),
  localparam int unsigned AddrW = sgpu_regs_pkg::BUS_ADDR_BITS
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // the request (stable from start_i to done_o)
  input  logic             start_i,
  input  logic [2:0]       kind_i,        // a request kind, KIND_FIRST..KIND_LAST
  input  logic [LenW-1:0]  len_i,         // payload bytes (the frame's, checked)
  output logic             busy_o,
  output logic             done_o,        // pulse: finished
  output logic             nak_o,         // with done_o: refused, nothing executed
  output logic [7:0]       status_o,      // with done_o
  output logic [15:0]      detail_o,      // with done_o
  output logic [LenW-1:0]  resp_len_o,    // with done_o and !nak_o: response payload bytes
  // request buffer (read) and response buffer (write)
  output logic [BufW-1:0]  rbuf_raddr_o,
  input  logic [7:0]       rbuf_rdata_i,
  output logic             wbuf_we_o,
  output logic [BufW-1:0]  wbuf_waddr_o,
  output logic [7:0]       wbuf_wdata_o,
  // register bus master
  output logic             reg_valid_o,
  output logic             reg_write_o,
  output logic [AddrW-1:0] reg_addr_o,
  output logic [31:0]      reg_wdata_o,
  input  logic             reg_rvalid_i,
  input  logic [31:0]      reg_rdata_i
);
  localparam int unsigned WaitW = AdminWaitLog2 + 1;
  localparam int unsigned TmoW  = $clog2(ReadTimeout + 1);
  localparam int unsigned IdxW  = $clog2(sgpu_link_pkg::MEM_MAX_WORDS + 1);
  localparam logic [LenW-1:0] RespHdr = LenW'(sgpu_link_pkg::RESP_HDR_LEN);

  typedef enum logic [5:0] {
    Idle, Chk, ChkBOp, ChkBAddr, ChkAdm, ChkMemLo, ChkMemHi, Nak, Go,
    BatOp, BatA0, BatA1, BatWr, BatPut, BatNext,
    InfoReg, InfoPut,
    XSt, XSt2, XS0, XDw, XDw2, XArg, XArg2, XOp, XDb, XPoll, XPoll2, XStat, XSeq,
    XRes, XRes2, XPh, XPh2, XRd, XRd2, XAck, XOk,
    SubRdw, SubBrd, SubBrdW, SubBwr, SubPutw,
    Fin, Done
  } state_e;

  state_e            state_q, state_d, ret_q, ret_d;  // ret: where a Sub* state returns
  logic [LenW-1:0]   rp_q, rp_d;        // request payload offset of rbuf_rdata_i
  logic [LenW-1:0]   wp_q, wp_d;        // response payload bytes written
  logic [1:0]        k_q, k_d;          // byte of a word
  logic [31:0]       word_q, word_d;
  logic [AddrW-1:0]  addr_q, addr_d;
  logic [7:0]        cnt_q, cnt_d;      // REG_BATCH: reads (checks), operations done (execution)
  logic [IdxW-1:0]   idx_q, idx_d;      // argument, result, phase, data word
  logic [31:0]       s0_q, s0_d;        // CPL_SEQ before the doorbell, then as it moved
  logic [TmoW-1:0]   tmo_q, tmo_d;
  logic [WaitW-1:0]  wait_q, wait_d;
  logic [7:0]        status_q, status_d;
  logic [15:0]       detail_q, detail_d;
  logic [7:0]        op_q, op_d;        // ADMIN opcode
  logic [1:0]        pol_q, pol_d;
  logic [2:0]        nargs_q, nargs_d;
  logic [2:0]        nres_q, nres_d;
  logic              ph_q, ph_d;        // PHASES
  logic [IdxW-1:0]   words_q, words_d;  // MEM words
  logic              rd_q, rd_d;        // REG_BATCH: the operation is a read
  logic              succ_q, succ_d;    // CPL_STATUS was STATUS_SUCCESS
  logic [7:0]        rbyte;

  logic is_batch, is_admin, is_mread, is_mwrite, is_mem;
  assign is_batch  = (kind_i == 3'(sgpu_link_pkg::KIND_REG_BATCH));
  assign is_admin  = (kind_i == 3'(sgpu_link_pkg::KIND_ADMIN));
  assign is_mread  = (kind_i == 3'(sgpu_link_pkg::KIND_MEM_READ));
  assign is_mwrite = (kind_i == 3'(sgpu_link_pkg::KIND_MEM_WRITE));
  assign is_mem    = is_mread || is_mwrite;
  assign rbyte     = rbuf_rdata_i;

  // Lengths for the checks (one bit wider: no wrap)
  logic [LenW:0] left;      // payload bytes from rp on
  logic [LenW:0] need;      // bytes of the operation at rp
  logic [LenW:0] mw_data;   // MEM_WRITE data bytes
  assign left    = {1'b0, len_i} - {1'b0, rp_q};
  assign need    = (rbyte == sgpu_link_pkg::OP_READ) ? (LenW + 1)'(sgpu_link_pkg::OP_READ_LEN)
                                                     : (LenW + 1)'(sgpu_link_pkg::OP_WRITE_LEN);
  assign mw_data = {1'b0, len_i} - (LenW + 1)'(sgpu_link_pkg::MEM_HDR_LEN);

  // The INFO registers, in order.
  function automatic logic [AddrW-1:0] info_addr(input logic [IdxW-1:0] i);
    unique case (i)
      IdxW'(0): info_addr = AddrW'(sgpu_regs_pkg::REG_ID);
      IdxW'(1): info_addr = AddrW'(sgpu_regs_pkg::REG_VERSION);
      IdxW'(2): info_addr = AddrW'(sgpu_regs_pkg::REG_CAPS0);
      IdxW'(3): info_addr = AddrW'(sgpu_regs_pkg::REG_CAPS1);
      default:  info_addr = AddrW'(sgpu_regs_pkg::REG_CAPS2);
    endcase
  endfunction
  localparam logic [IdxW-1:0] InfoRegs = IdxW'(5);
  localparam logic [IdxW-1:0] MemArgs  = IdxW'(3);  // handle, va, words
  localparam logic [IdxW-1:0] MemWords = IdxW'(2);  // the argument computed, not sent

  // Registers at 4-byte steps from a base (CMD_ARG0.., CPL_RES0.., TD_VALIDATE.., DATA_BASE..).
  function automatic logic [AddrW-1:0] at(input logic [AddrW-1:0] base,
                                           input logic [IdxW-1:0] i);
    at = base + AddrW'({i, 2'b00});
  endfunction

  always_comb begin
    state_d  = state_q;
    ret_d    = ret_q;
    rp_d     = rp_q;
    wp_d     = wp_q;
    k_d      = k_q;
    word_d   = word_q;
    addr_d   = addr_q;
    cnt_d    = cnt_q;
    idx_d    = idx_q;
    s0_d     = s0_q;
    tmo_d    = tmo_q;
    wait_d   = wait_q[WaitW-1] ? wait_q : wait_q + 1'b1;
    status_d = status_q;
    detail_d = detail_q;
    op_d     = op_q;
    pol_d    = pol_q;
    nargs_d  = nargs_q;
    nres_d   = nres_q;
    ph_d     = ph_q;
    words_d  = words_q;
    rd_d     = rd_q;
    succ_d   = succ_q;
    done_o       = 1'b0;
    nak_o        = 1'b0;
    wbuf_we_o    = 1'b0;
    wbuf_wdata_o = word_q[7:0];
    reg_valid_o  = 1'b0;
    reg_write_o  = 1'b0;
    unique case (state_q)
      // ------------------------------------------------------------ checks
      Idle: if (start_i) begin
        state_d  = Chk;
        rp_d     = is_mread ? LenW'(sgpu_link_pkg::MEM_HDR_LEN) : '0;
        cnt_d    = 8'd0;
        status_d = sgpu_link_pkg::ST_BAD_LENGTH;
        detail_d = 16'(len_i);
      end
      Chk: begin
        unique case (1'b1)
          is_batch: state_d = ChkBOp;
          is_admin: state_d = (len_i < LenW'(sgpu_link_pkg::ADMIN_HDR_LEN)) ? Nak : ChkAdm;
          is_mread: state_d = (len_i != LenW'(sgpu_link_pkg::MEM_READ_LEN)) ? Nak : ChkMemLo;
          is_mwrite: begin
            words_d = IdxW'(mw_data >> 2);
            state_d = (len_i < LenW'(sgpu_link_pkg::MEM_HDR_LEN + 4) || mw_data[1:0] != 2'd0 ||
                       (mw_data >> 2) > (LenW + 1)'(sgpu_link_pkg::MEM_MAX_WORDS)) ? Nak : Go;
          end
          default: state_d = (len_i != '0) ? Nak : Go;  // PING, INFO
        endcase
      end
      ChkBOp: begin
        if (rp_q == len_i) begin
          if (cnt_q > 8'(sgpu_link_pkg::BATCH_MAX_READS)) begin
            status_d = sgpu_link_pkg::ST_TOO_LONG;
            detail_d = 16'(sgpu_link_pkg::RESP_HDR_LEN) + {6'd0, cnt_q, 2'b00};
            state_d  = Nak;
          end else begin
            state_d = Go;
          end
        end else if (rbyte > sgpu_link_pkg::OP_WRITE) begin
          status_d = sgpu_link_pkg::ST_BAD_FIELD;
          detail_d = 16'(rp_q);
          state_d  = Nak;
        end else if (need > left) begin
          state_d = Nak;  // BAD_LENGTH, the length field
        end else begin
          rd_d    = (rbyte == sgpu_link_pkg::OP_READ);
          rp_d    = rp_q + 1'b1;
          state_d = ChkBAddr;
        end
      end
      ChkBAddr: begin
        if (rbyte[1:0] != 2'b00) begin
          status_d = sgpu_link_pkg::ST_BAD_FIELD;
          detail_d = 16'(rp_q);
          state_d  = Nak;
        end else begin
          cnt_d   = cnt_q + {7'd0, rd_q};
          rp_d    = rp_q + (rd_q ? LenW'(sgpu_link_pkg::OP_READ_LEN - 1)
                                 : LenW'(sgpu_link_pkg::OP_WRITE_LEN - 1));
          state_d = ChkBOp;
        end
      end
      ChkAdm: begin
        // opcode, policy, nargs, nres, flags at payload offsets 0..4
        rp_d     = rp_q + 1'b1;
        status_d = sgpu_link_pkg::ST_BAD_FIELD;
        detail_d = 16'(rp_q);
        unique case (rp_q[2:0])
          3'd0: op_d = rbyte;
          3'd1: begin
            pol_d = rbyte[1:0];
            if (rbyte >= (8'd1 << sgpu_regs_pkg::CMD_OP_POLICY_BITS)) state_d = Nak;
          end
          3'd2: begin
            nargs_d = rbyte[2:0];
            if (rbyte > 8'(sgpu_link_pkg::ADMIN_MAX_ARGS)) state_d = Nak;
          end
          3'd3: begin
            nres_d = rbyte[2:0];
            if (rbyte > 8'(sgpu_link_pkg::ADMIN_MAX_RES)) state_d = Nak;
          end
          default: begin
            ph_d = rbyte[0];
            if ((rbyte & ~sgpu_link_pkg::ADMIN_F_PHASES) != 8'd0) begin
              state_d = Nak;
            end else if (len_i != LenW'(sgpu_link_pkg::ADMIN_HDR_LEN) + LenW'({nargs_q, 2'b00})) begin
              status_d = sgpu_link_pkg::ST_BAD_LENGTH;
              detail_d = 16'(len_i);
              state_d  = Nak;
            end else begin
              state_d = Go;
            end
          end
        endcase
      end
      ChkMemLo: begin
        word_d[7:0] = rbyte;
        rp_d        = rp_q + 1'b1;
        state_d     = ChkMemHi;
      end
      ChkMemHi: begin
        words_d = IdxW'(word_q[7:0]);
        if ({rbyte, word_q[7:0]} == 16'd0 ||
            {rbyte, word_q[7:0]} > 16'(sgpu_link_pkg::MEM_MAX_WORDS)) begin
          status_d = sgpu_link_pkg::ST_BAD_FIELD;
          detail_d = 16'(sgpu_link_pkg::MEM_HDR_LEN);
          state_d  = Nak;
        end else begin
          state_d = Go;
        end
      end
      Nak: begin
        done_o  = 1'b1;
        nak_o   = 1'b1;
        state_d = Idle;
      end
      // ------------------------------------------------------------ execution
      Go: begin
        wp_d     = RespHdr;
        cnt_d    = 8'd0;
        idx_d    = '0;
        status_d = sgpu_link_pkg::ST_OK;
        detail_d = 16'd0;
        rp_d     = is_admin ? LenW'(sgpu_link_pkg::ADMIN_HDR_LEN)
                 : is_mwrite ? LenW'(sgpu_link_pkg::MEM_HDR_LEN) : '0;
        unique case (1'b1)
          is_batch: state_d = BatOp;
          is_admin, is_mem: state_d = XSt;
          (kind_i == 3'(sgpu_link_pkg::KIND_INFO)): begin
            word_d  = {16'(sgpu_link_pkg::MAX_PAYLOAD), 8'(AdminWaitLog2), sgpu_link_pkg::VERSION};
            ret_d   = InfoReg;
            state_d = SubPutw;
          end
          default: state_d = Fin;  // PING
        endcase
      end
      BatOp: begin
        if (rp_q == len_i) begin
          detail_d = {8'd0, cnt_q};
          state_d  = Fin;
        end else begin
          rd_d    = (rbyte == sgpu_link_pkg::OP_READ);
          rp_d    = rp_q + 1'b1;
          state_d = BatA0;
        end
      end
      BatA0: begin
        addr_d[7:0] = rbyte;
        rp_d        = rp_q + 1'b1;
        state_d     = BatA1;
      end
      BatA1: begin
        addr_d[AddrW-1:8] = rbyte[AddrW-9:0];
        rp_d              = rp_q + 1'b1;
        ret_d             = rd_q ? BatPut : BatWr;
        state_d           = rd_q ? SubBrd : SubRdw;
      end
      BatWr: begin
        ret_d   = BatNext;
        state_d = SubBwr;
      end
      BatPut: begin
        ret_d   = BatNext;
        state_d = SubPutw;
      end
      BatNext: begin
        cnt_d   = cnt_q + 8'd1;
        state_d = BatOp;
      end
      InfoReg: begin
        if (idx_q == InfoRegs) begin
          state_d = Fin;
        end else begin
          addr_d  = info_addr(idx_q);
          idx_d   = idx_q + 1'b1;
          ret_d   = InfoPut;
          state_d = SubBrd;
        end
      end
      InfoPut: begin
        ret_d   = InfoReg;
        state_d = SubPutw;
      end
      XSt: begin
        addr_d  = AddrW'(sgpu_regs_pkg::REG_ADMIN_STATUS);
        ret_d   = XSt2;
        state_d = SubBrd;
      end
      XSt2: begin
        if (word_q[sgpu_regs_pkg::ADMIN_STATUS_BUSY_LSB]) begin
          status_d = sgpu_link_pkg::ST_ADMIN_BUSY;
          detail_d = word_q[15:0];
          state_d  = Fin;
        end else begin
          addr_d  = AddrW'(sgpu_regs_pkg::REG_CPL_SEQ);
          ret_d   = XS0;
          state_d = SubBrd;
        end
      end
      XS0: begin
        s0_d    = word_q;
        state_d = is_mwrite ? XDw : XArg;
      end
      XDw: begin  // MEM_WRITE: the data words into the window, before the arguments
        if (idx_q == words_q) begin
          idx_d   = '0;
          rp_d    = '0;
          state_d = XArg;
        end else begin
          ret_d   = XDw2;
          state_d = SubRdw;
        end
      end
      XDw2: begin
        addr_d  = at(AddrW'(sgpu_regs_pkg::DATA_BASE), idx_q);
        idx_d   = idx_q + 1'b1;
        ret_d   = XDw;
        state_d = SubBwr;
      end
      XArg: begin
        if (idx_q == (is_mem ? MemArgs : IdxW'(nargs_q))) begin
          state_d = XOp;
        end else if (is_mem && idx_q == MemWords) begin
          word_d  = 32'(words_q);
          state_d = XArg2;
        end else begin
          ret_d   = XArg2;
          state_d = SubRdw;
        end
      end
      XArg2: begin
        addr_d  = at(AddrW'(sgpu_regs_pkg::REG_CMD_ARG0), idx_q);
        idx_d   = idx_q + 1'b1;
        ret_d   = XArg;
        state_d = SubBwr;
      end
      XOp: begin
        word_d = '0;
        word_d[sgpu_regs_pkg::CMD_OP_OPCODE_LSB +: 8] =
            is_mwrite ? sgpu_regs_pkg::OP_MEM_WRITE : is_mread ? sgpu_regs_pkg::OP_MEM_READ : op_q;
        word_d[sgpu_regs_pkg::CMD_OP_POLICY_LSB +: 2] = is_mem ? 2'd0 : pol_q;
        addr_d  = AddrW'(sgpu_regs_pkg::REG_CMD_OP);
        ret_d   = XDb;
        state_d = SubBwr;
      end
      XDb: begin
        word_d  = 32'd1;
        addr_d  = AddrW'(sgpu_regs_pkg::REG_ADMIN_DOORBELL);
        wait_d  = '0;
        ret_d   = XPoll;
        state_d = SubBwr;
      end
      XPoll: begin
        addr_d  = AddrW'(sgpu_regs_pkg::REG_CPL_SEQ);
        ret_d   = XPoll2;
        state_d = SubBrd;
      end
      XPoll2: begin
        if (word_q != s0_q) begin
          s0_d    = word_q;
          addr_d  = AddrW'(sgpu_regs_pkg::REG_CPL_STATUS);
          ret_d   = XStat;
          state_d = SubBrd;
        end else if (wait_q[WaitW-1]) begin
          status_d = sgpu_link_pkg::ST_ADMIN_TIMEOUT;
          detail_d = word_q[15:0];
          state_d  = Fin;
        end else begin
          state_d = XPoll;
        end
      end
      XStat: begin
        succ_d  = (word_q == sgpu_regs_pkg::STATUS_SUCCESS);
        ret_d   = XSeq;
        state_d = SubPutw;
      end
      XSeq: begin
        word_d  = s0_q;
        idx_d   = '0;
        ret_d   = XRes;
        state_d = SubPutw;
      end
      XRes: begin
        if (idx_q == (is_mem ? IdxW'(1) : IdxW'(nres_q))) begin
          idx_d   = '0;
          state_d = (is_admin && ph_q) ? XPh : (is_mread && succ_q) ? XRd : XAck;
        end else begin
          addr_d  = at(AddrW'(sgpu_regs_pkg::REG_CPL_RES0), idx_q);
          idx_d   = idx_q + 1'b1;
          ret_d   = XRes2;
          state_d = SubBrd;
        end
      end
      XRes2: begin
        ret_d   = XRes;
        state_d = SubPutw;
      end
      XPh: begin
        if (idx_q == IdxW'(sgpu_link_pkg::ADMIN_NPHASES)) begin
          state_d = XAck;
        end else begin
          addr_d  = at(AddrW'(sgpu_regs_pkg::REG_TD_VALIDATE), idx_q);
          idx_d   = idx_q + 1'b1;
          ret_d   = XPh2;
          state_d = SubBrd;
        end
      end
      XPh2: begin
        ret_d   = XPh;
        state_d = SubPutw;
      end
      XRd: begin
        if (idx_q == words_q) begin
          state_d = XAck;
        end else begin
          addr_d  = at(AddrW'(sgpu_regs_pkg::DATA_BASE), idx_q);
          idx_d   = idx_q + 1'b1;
          ret_d   = XRd2;
          state_d = SubBrd;
        end
      end
      XRd2: begin
        ret_d   = XRd;
        state_d = SubPutw;
      end
      XAck: begin
        word_d  = 32'd1 << sgpu_regs_pkg::IRQ_ACK_ACK_LSB;
        addr_d  = AddrW'(sgpu_regs_pkg::REG_IRQ_ACK);
        ret_d   = XOk;
        state_d = SubBwr;
      end
      XOk: begin
        status_d = sgpu_link_pkg::ST_OK;
        detail_d = 16'd0;
        state_d  = Fin;
      end
      // ------------------------------------------------------------ subroutines
      SubRdw: begin  // a little-endian word from the request payload
        word_d  = {rbyte, word_q[31:8]};
        rp_d    = rp_q + 1'b1;
        k_d     = k_q + 2'd1;
        if (k_q == 2'd3) state_d = ret_q;
      end
      SubPutw: begin  // a word into the response, little-endian
        wbuf_we_o = 1'b1;
        word_d    = {8'h00, word_q[31:8]};
        wp_d      = wp_q + 1'b1;
        k_d       = k_q + 2'd1;
        if (k_q == 2'd3) state_d = ret_q;
      end
      SubBrd: begin
        reg_valid_o = 1'b1;
        tmo_d       = '0;
        state_d     = SubBrdW;
      end
      SubBrdW: begin
        if (reg_rvalid_i) begin
          word_d  = reg_rdata_i;
          state_d = ret_q;
        end else if (tmo_q == TmoW'(ReadTimeout - 1)) begin
          status_d = sgpu_link_pkg::ST_BUS_ERROR;
          if (is_batch) begin
            detail_d = {8'd0, cnt_q};  // operations done; their reads stay in the response
          end else begin
            detail_d = 16'(addr_q);
            wp_d     = RespHdr;
          end
          state_d = Fin;
        end else begin
          tmo_d = tmo_q + 1'b1;
        end
      end
      SubBwr: begin
        reg_valid_o = 1'b1;
        reg_write_o = 1'b1;
        state_d     = ret_q;
      end
      Fin: begin  // the response header: status, 0, detail
        wbuf_we_o = 1'b1;
        k_d       = k_q + 2'd1;
        unique case (k_q)
          2'd0:    wbuf_wdata_o = status_q;
          2'd1:    wbuf_wdata_o = 8'h00;
          2'd2:    wbuf_wdata_o = detail_q[7:0];
          default: wbuf_wdata_o = detail_q[15:8];
        endcase
        if (k_q == 2'd3) state_d = Done;
      end
      Done: begin
        done_o  = 1'b1;
        state_d = Idle;
      end
      default: state_d = Idle;
    endcase
  end

  assign busy_o       = (state_q != Idle);
  assign rbuf_raddr_o = BufW'(rp_d);
  assign wbuf_waddr_o = (state_q == Fin) ? BufW'(k_q) : BufW'(wp_q);
  assign reg_addr_o   = addr_q;
  assign reg_wdata_o  = word_q;
  assign status_o     = status_q;
  assign detail_o     = detail_q;
  assign resp_len_o   = wp_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= Idle;
      ret_q   <= Idle;
      k_q     <= 2'd0;
    end else begin
      state_q <= state_d;
      ret_q   <= ret_d;
      k_q     <= k_d;
    end
  end

  // Datapath and request fields: each is written before it is read in a request.
  always_ff @(posedge clk_i) begin
    rp_q     <= rp_d;
    wp_q     <= wp_d;
    word_q   <= word_d;
    addr_q   <= addr_d;
    cnt_q    <= cnt_d;
    idx_q    <= idx_d;
    s0_q     <= s0_d;
    tmo_q    <= tmo_d;
    wait_q   <= wait_d;
    status_q <= status_d;
    detail_q <= detail_d;
    op_q     <= op_d;
    pol_q    <= pol_d;
    nargs_q  <= nargs_d;
    nres_q   <= nres_d;
    ph_q     <= ph_d;
    words_q  <= words_d;
    rd_q     <= rd_d;
    succ_q   <= succ_d;
  end

  if (ReadTimeout < 2) begin : gen_bad_timeout
    $error("sgpu_link_exec: ReadTimeout %0d < 2", ReadTimeout);
  end
  if (AdminWaitLog2 < 1 || AdminWaitLog2 > 40) begin : gen_bad_wait
    $error("sgpu_link_exec: AdminWaitLog2 %0d outside 1..40", AdminWaitLog2);
  end
`ifdef FORMAL
  `include "sgpu_link_exec_props.svh"
`endif
endmodule
