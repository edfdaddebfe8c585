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
// How: a microcoded sequencer over a byte-serial datapath. The program (what each kind does,
// in the order above) is written once in tools/link_ucode.py and generated into
// rtl/gen/sgpu_link_ucode_pkg.sv (make gen); the instruction at upc_d is registered every
// cycle (block RAM: three SB_RAM40_4K on iCE40), so the decoding costs no logic. The datapath:
// a byte bus (b) from one of 16 sources; a 32-bit word that shifts bytes in at the top
// (little-endian in from the request, out to the response) or loads a register read; the
// register address (an immediate, +4, or shifted in from the request); the request read
// pointer rp and the response write pointer wp; a loop counter; status and detail; the
// CPL_SEQ value before the doorbell (s0); the admin wait counter.
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
  localparam int unsigned UpcW  = sgpu_link_ucode_pkg::UPC_BITS;
  localparam int unsigned UiW   = sgpu_link_ucode_pkg::WIDTH;

  // ------------------------------------------------------------ the instruction
  logic [UpcW-1:0] upc_q, upc_d;
  logic [UiW-1:0]  ui_q;  // ucode(upc_q): registered from upc_d (block RAM)

  always_ff @(posedge clk_i) ui_q <= sgpu_link_ucode_pkg::ucode(upc_d, 8'(AdminWaitLog2));

  logic       u_jmp, u_pol, u_wsh, u_we, u_wa, u_st, u_dlo, u_dhi, u_s0, u_wclr, u_done, u_nak;
  logic [3:0] u_cond, u_b;
  logic [1:0] u_bus, u_rp, u_wp, u_ad, u_cnt;
  logic [15:0] u_imm;
  logic [7:0]  imm8;
  assign u_jmp  = ui_q[sgpu_link_ucode_pkg::F_JMP];
  assign u_pol  = ui_q[sgpu_link_ucode_pkg::F_POL];
  assign u_cond = ui_q[sgpu_link_ucode_pkg::F_COND +: 4];
  assign u_bus  = ui_q[sgpu_link_ucode_pkg::F_BUS +: 2];
  assign u_b    = ui_q[sgpu_link_ucode_pkg::F_B +: 4];
  assign u_wsh  = ui_q[sgpu_link_ucode_pkg::F_WSH];
  assign u_we   = ui_q[sgpu_link_ucode_pkg::F_WE];
  assign u_wa   = ui_q[sgpu_link_ucode_pkg::F_WA];
  assign u_rp   = ui_q[sgpu_link_ucode_pkg::F_RP +: 2];
  assign u_wp   = ui_q[sgpu_link_ucode_pkg::F_WP +: 2];
  assign u_ad   = ui_q[sgpu_link_ucode_pkg::F_AD +: 2];
  assign u_cnt  = ui_q[sgpu_link_ucode_pkg::F_CNT +: 2];
  assign u_st   = ui_q[sgpu_link_ucode_pkg::F_ST];
  assign u_dlo  = ui_q[sgpu_link_ucode_pkg::F_DLO];
  assign u_dhi  = ui_q[sgpu_link_ucode_pkg::F_DHI];
  assign u_s0   = ui_q[sgpu_link_ucode_pkg::F_S0];
  assign u_wclr = ui_q[sgpu_link_ucode_pkg::F_WCLR];
  assign u_done = ui_q[sgpu_link_ucode_pkg::F_DONE];
  assign u_nak  = ui_q[sgpu_link_ucode_pkg::F_NAK];
  assign u_imm  = ui_q[sgpu_link_ucode_pkg::F_IMM +: 16];
  assign imm8   = u_imm[7:0];

  // ------------------------------------------------------------ datapath registers
  logic [31:0]      word_q, s0_q;
  logic [AddrW-1:0] addr_q;
  logic [LenW-1:0]  rp_q, rp_d, wp_q;
  logic [7:0]       cnt_q, status_q, dlo_q, dhi_q;
  logic [WaitW-1:0] wait_q;
  logic [TmoW-1:0]  tmo_q;
  logic             rdw_q;  // a register read was issued, its answer awaited

  // an instruction takes effect when it completes: at once, or a read when answered
  logic rd, adv, tmo_hit;
  assign rd      = (u_bus == sgpu_link_ucode_pkg::BUS_RD);
  assign adv     = !rd || (rdw_q && reg_rvalid_i);
  assign tmo_hit = rd && rdw_q && !reg_rvalid_i && (tmo_q == TmoW'(ReadTimeout - 1));

  // the byte bus
  logic [7:0] b;
  always_comb begin
    unique case (u_b)
      sgpu_link_ucode_pkg::B_ZERO:  b = 8'h00;
      sgpu_link_ucode_pkg::B_RB:    b = rbuf_rdata_i;
      sgpu_link_ucode_pkg::B_IMM:   b = imm8;
      sgpu_link_ucode_pkg::B_W0:    b = word_q[7:0];
      sgpu_link_ucode_pkg::B_ST:    b = status_q;
      sgpu_link_ucode_pkg::B_DLO:   b = dlo_q;
      sgpu_link_ucode_pkg::B_DHI:   b = dhi_q;
      sgpu_link_ucode_pkg::B_LENLO: b = len_i[7:0];
      sgpu_link_ucode_pkg::B_LENHI: b = 8'(len_i >> 8);
      sgpu_link_ucode_pkg::B_RPLO:  b = rp_q[7:0];
      sgpu_link_ucode_pkg::B_RPHI:  b = 8'(rp_q >> 8);
      sgpu_link_ucode_pkg::B_WPLO:  b = wp_q[7:0];
      sgpu_link_ucode_pkg::B_WPHI:  b = 8'(wp_q >> 8);
      sgpu_link_ucode_pkg::B_CNT:   b = cnt_q;
      sgpu_link_ucode_pkg::B_ADLO:  b = addr_q[7:0];
      default:                      b = addr_q[AddrW-1:AddrW-8];  // B_ADHI
    endcase
  end

  // conditions
  logic [LenW-1:0] left;  // payload bytes from rp on
  logic            c;
  assign left = len_i - rp_q;
  always_comb begin
    unique case (u_cond)
      sgpu_link_ucode_pkg::COND_TRUE:     c = 1'b1;
      sgpu_link_ucode_pkg::COND_START:    c = start_i;
      sgpu_link_ucode_pkg::COND_LEFTEQ:   c = (left == LenW'(imm8));
      sgpu_link_ucode_pkg::COND_LEFTLT:   c = (left < LenW'(imm8));
      sgpu_link_ucode_pkg::COND_BGT:      c = (b > imm8);
      sgpu_link_ucode_pkg::COND_BAND:     c = ((b & imm8) != 8'h00);
      sgpu_link_ucode_pkg::COND_CNT0:     c = (cnt_q == 8'h00);
      sgpu_link_ucode_pkg::COND_KIND:     c = (kind_i == imm8[2:0]);
      sgpu_link_ucode_pkg::COND_WAITDONE: c = wait_q[WaitW-1];
      sgpu_link_ucode_pkg::COND_SEQMOVED: c = (word_q != s0_q);
      sgpu_link_ucode_pkg::COND_WORD0:    c = (word_q == 32'h0);
      default:                            c = (wp_q > LenW'(sgpu_link_pkg::MAX_PAYLOAD));  // WPOVER
    endcase
  end

  // the next instruction
  always_comb begin
    upc_d = upc_q;
    if (!rst_ni) begin
      upc_d = sgpu_link_ucode_pkg::L_IDLE;
    end else if (tmo_hit) begin
      upc_d = sgpu_link_ucode_pkg::L_BUSERR;
    end else if (adv) begin
      upc_d = (u_jmp && (c ^ u_pol)) ? u_imm[15:8] : upc_q + 1'b1;
    end
  end

  always_comb begin
    rp_d = rp_q;
    if (adv) begin
      unique case (u_rp)
        sgpu_link_ucode_pkg::RP_INC: rp_d = rp_q + 1'b1;
        sgpu_link_ucode_pkg::RP_SET: rp_d = LenW'(imm8);
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      upc_q <= sgpu_link_ucode_pkg::L_IDLE;
      rdw_q <= 1'b0;
    end else begin
      upc_q <= upc_d;
      rdw_q <= rd && !adv && !tmo_hit;
    end
  end

  // Datapath: each register is written before it is read in a request.
  always_ff @(posedge clk_i) begin
    rp_q <= rp_d;
    if (rd && !rdw_q) tmo_q <= '0;
    else if (rdw_q) tmo_q <= tmo_q + 1'b1;
    wait_q <= u_wclr ? '0 : wait_q + {{(WaitW - 1){1'b0}}, !wait_q[WaitW-1]};
    if (rd && rdw_q && reg_rvalid_i) begin
      word_q <= reg_rdata_i;
    end else if (adv && u_wsh) begin
      word_q <= {b, word_q[31:8]};
    end
    if (adv) begin
      unique case (u_wp)
        sgpu_link_ucode_pkg::WP_INC: wp_q <= wp_q + 1'b1;
        sgpu_link_ucode_pkg::WP_SET: wp_q <= LenW'(imm8);
        default: ;
      endcase
      unique case (u_ad)
        sgpu_link_ucode_pkg::AD_IMM:  addr_q <= u_imm;
        sgpu_link_ucode_pkg::AD_ADD4: addr_q <= addr_q + AddrW'(4);
        sgpu_link_ucode_pkg::AD_SH:   addr_q <= {b, addr_q[AddrW-1:8]};
        default: ;
      endcase
      unique case (u_cnt)
        sgpu_link_ucode_pkg::CNT_LD:  cnt_q <= b;
        sgpu_link_ucode_pkg::CNT_DEC: cnt_q <= cnt_q - 8'd1;
        sgpu_link_ucode_pkg::CNT_INC: cnt_q <= cnt_q + 8'd1;
        default: ;
      endcase
      if (u_st)  status_q <= imm8;
      if (u_dlo) dlo_q <= b;
      if (u_dhi) dhi_q <= b;
      if (u_s0)  s0_q <= word_q;
    end
  end

  assign busy_o       = (upc_q != sgpu_link_ucode_pkg::L_IDLE);
  assign done_o       = adv && u_done;
  assign nak_o        = u_nak;
  assign status_o     = status_q;
  assign detail_o     = {dhi_q, dlo_q};
  assign resp_len_o   = wp_q;
  assign rbuf_raddr_o = BufW'(rp_d);
  assign wbuf_we_o    = adv && u_we;
  assign wbuf_waddr_o = u_wa ? BufW'(imm8) : BufW'(wp_q);
  assign wbuf_wdata_o = b;
  assign reg_valid_o  = (u_bus == sgpu_link_ucode_pkg::BUS_WR) || (rd && !rdw_q);
  assign reg_write_o  = (u_bus == sgpu_link_ucode_pkg::BUS_WR);
  assign reg_addr_o   = addr_q;
  assign reg_wdata_o  = word_q;

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
