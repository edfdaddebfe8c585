// sgpu_ctx_mem: the admin memory path, MEM_READ and MEM_WRITE of 1..DataWords words between
// the data window (sgpu_data_window) and a process's virtual memory, through the MMU like an
// engine's access (translate port, then memory).
//
// Start: start_i pulses with the command (cmd_i: arg1 va, arg2 words; the dispatcher has
// checked the opcode and the handle) and the slot. This block checks the fields: va 4-byte
// aligned, words in 1..DataWords, va + 4 * words <= 2^32, else STATUS_INVALID_PARAMETER. Then
// every page of the range must be mapped, checked before anything moves, else
// STATUS_ACCESS_VIOLATION: nothing is written to memory (MEM_WRITE) or to the window
// (MEM_READ). done_o pulses once with status_o and res_o[0] = the words moved (0 on failure).
// Word i of the range is window word i.
// Translations: a range on one page is translated once. A range on pages p0..pn first checks
// p1..pn, each translation retired as soon as it is answered (a fault ends the command), then
// the access pass translates p0..pn in order: each page once, its words issued back to back,
// its translation retired in the cycle its page's last access is accepted by the memory. So
// the port holds at most one translation, for at most one page's accesses, and an
// invalidation never waits on it longer than that (sgpu_mmu's retire contract). Between the
// check and the use nothing can unmap a page: commands run one at a time and this one owns
// the process's page tables.
// MEM_READ: read requests back to back (the memory system bounds the reads in flight); each
// response, in order, is written to the next window word. MEM_WRITE: the window is read one
// word ahead (its synchronous read port) so a write request can be issued every cycle.
// Latency: per page a translation (TLB hit 2 cycles, walk 2 reads more), then one cycle per
// word when the memory is ready; a read waits for its last response. Plus, for a range over
// several pages, one translation per page after the first before anything moves.
module sgpu_ctx_mem #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned DataWords = 64,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned IdxW     = $clog2(DataWords),
  localparam int unsigned CntW     = IdxW + 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  sgpu_pkg::cmd_t       cmd_i,
  input  logic [SlotW-1:0]     slot_i,
  output logic                 done_o,
  output logic [31:0]          status_o,
  output logic [5:0][31:0]     res_o,
  // translate port
  output logic                 xl_req_valid_o,
  input  logic                 xl_req_ready_i,
  output sgpu_pkg::xlate_req_t xl_req_o,
  input  logic                 xl_rsp_valid_i,
  input  sgpu_pkg::xlate_rsp_t xl_rsp_i,
  output logic                 xl_retire_o,
  // memory master
  output logic                 mem_req_valid_o,
  input  logic                 mem_req_ready_i,
  output sgpu_pkg::mem_req_t   mem_req_o,
  input  logic                 mem_rsp_valid_i,
  input  sgpu_pkg::mem_rsp_t   mem_rsp_i,
  // the data window's device port (data the cycle after win_re_o, held until the next)
  output logic                 win_re_o,
  output logic [IdxW-1:0]      win_raddr_o,
  input  logic [31:0]          win_rdata_i,
  output logic                 win_we_o,
  output logic [IdxW-1:0]      win_waddr_o,
  output logic [31:0]          win_wdata_o
);
  localparam int unsigned VpnW = 32 - PageShift;

  typedef enum logic [2:0] {StIdle, StChk, StChkW, StTr, StTrW, StAcc, StRdW, StDone} state_e;
  state_e            st_q, st_d;
  logic              write_q;
  logic [31:0]       status_q, status_d;
  logic [31:0]       va_q;           // the address of word idx_q
  logic [VpnW-1:0]   chk_vpn_q, last_vpn_q;
  logic [CntW-1:0]   words_q, idx_q, rsp_q;
  logic [FrameW-1:0] frame_q;
  logic              have_q;         // the window's read port holds word idx_q (MEM_WRITE)

  // ---------------------------------------------------------------- the fields, at the start
  logic [33:0]     end_va;
  logic [VpnW-1:0] first_vpn, last_vpn;
  logic            fields_bad;
  assign end_va     = 34'(cmd_i.arg1) + (34'(cmd_i.arg2) << 2);
  assign first_vpn  = cmd_i.arg1[31:PageShift];
  assign last_vpn   = VpnW'((end_va - 34'd1) >> PageShift);
  assign fields_bad = cmd_i.arg1[1:0] != 2'b00 || cmd_i.arg2 == '0 ||
                      cmd_i.arg2 > 32'(DataWords) || end_va > 34'h1_0000_0000;

  // ---------------------------------------------------------------- accesses
  logic fire, page_last, all_last, running;
  assign fire      = mem_req_valid_o && mem_req_ready_i;
  assign page_last = va_q[PageShift-1:2] == '1;
  assign all_last  = idx_q + CntW'(1) == words_q;
  assign running   = st_q != StIdle && st_q != StDone;

  assign xl_req_valid_o = (st_q == StChk) || (st_q == StTr);
  always_comb begin
    xl_req_o      = '0;
    xl_req_o.asid = sgpu_pkg::AsidW'(slot_i);
    xl_req_o.vpn  = (st_q == StChk) ? sgpu_pkg::VpnW'(chk_vpn_q)
                                    : sgpu_pkg::VpnW'(va_q[31:PageShift]);
    mem_req_o       = '0;
    mem_req_o.we    = write_q;
    mem_req_o.be    = 4'hF;
    mem_req_o.addr  = sgpu_pkg::MemAddrW'({frame_q, va_q[PageShift-1:2]});
    mem_req_o.wdata = win_rdata_i;
  end
  assign mem_req_valid_o = (st_q == StAcc) && (!write_q || have_q);
  // a check's translation is retired when answered; an access's when its page is done (or at
  // once if it faults)
  assign xl_retire_o = (st_q == StChkW && xl_rsp_valid_i) ||
                       (st_q == StTrW && xl_rsp_valid_i && xl_rsp_i.fault) ||
                       (fire && (page_last || all_last));

  // MEM_WRITE: read the window one word ahead of the memory writes
  always_comb begin
    win_re_o    = 1'b0;
    win_raddr_o = idx_q[IdxW-1:0];
    if (running && write_q) begin
      if (fire) begin
        win_re_o    = !all_last;
        win_raddr_o = IdxW'(idx_q + CntW'(1));
      end else begin
        win_re_o = !have_q;
      end
    end
  end
  // MEM_READ: each response (in order) to the next window word, while requests are answered
  assign win_we_o    = running && !write_q && mem_rsp_valid_i && rsp_q != idx_q;
  assign win_waddr_o = rsp_q[IdxW-1:0];
  assign win_wdata_o = mem_rsp_i.rdata;

  // ---------------------------------------------------------------- the FSM
  always_comb begin
    st_d     = st_q;
    status_d = status_q;
    done_o   = 1'b0;
    unique case (st_q)
      StIdle: if (start_i) begin
        status_d = fields_bad ? sgpu_regs_pkg::STATUS_INVALID_PARAMETER
                              : sgpu_regs_pkg::STATUS_SUCCESS;
        if (fields_bad)                   st_d = StDone;
        else if (first_vpn != last_vpn)   st_d = StChk;
        else                              st_d = StTr;
      end
      StChk:  if (xl_req_ready_i) st_d = StChkW;
      StChkW: if (xl_rsp_valid_i) begin
        if (xl_rsp_i.fault) begin
          status_d = sgpu_regs_pkg::STATUS_ACCESS_VIOLATION;
          st_d     = StDone;
        end else begin
          st_d = (chk_vpn_q == last_vpn_q) ? StTr : StChk;
        end
      end
      StTr:   if (xl_req_ready_i) st_d = StTrW;
      StTrW:  if (xl_rsp_valid_i) begin
        // a fault here cannot happen (the range was checked and nothing unmaps meanwhile);
        // if it did, the reads already issued are waited for (writes are posted)
        if (xl_rsp_i.fault) begin
          status_d = sgpu_regs_pkg::STATUS_ACCESS_VIOLATION;
          st_d     = write_q ? StDone : StRdW;
        end else begin
          st_d = StAcc;
        end
      end
      StAcc:  if (fire) begin
        if (all_last)       st_d = write_q ? StDone : StRdW;
        else if (page_last) st_d = StTr;
      end
      StRdW:  if (rsp_q == idx_q) st_d = StDone;
      StDone: begin
        done_o = 1'b1;
        st_d   = StIdle;
      end
      default: st_d = StIdle;
    endcase
  end

  assign status_o = status_q;
  always_comb begin
    res_o    = '0;
    res_o[0] = (status_q == sgpu_regs_pkg::STATUS_SUCCESS) ? 32'(words_q) : '0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) st_q <= StIdle;
    else         st_q <= st_d;
  end

  // Datapath: loaded at the start and as the command advances, read while it runs.
  always_ff @(posedge clk_i) begin
    status_q <= status_d;
    if (st_q == StIdle && start_i) begin
      write_q    <= cmd_i.opcode == sgpu_regs_pkg::OP_MEM_WRITE;
      va_q       <= cmd_i.arg1;
      words_q    <= CntW'(cmd_i.arg2);
      chk_vpn_q  <= first_vpn + VpnW'(1);
      last_vpn_q <= last_vpn;
      idx_q      <= '0;
      rsp_q      <= '0;
      have_q     <= 1'b0;
    end else begin
      if (st_q == StChkW && xl_rsp_valid_i) chk_vpn_q <= chk_vpn_q + VpnW'(1);
      if (st_q == StTrW && xl_rsp_valid_i) frame_q <= FrameW'(xl_rsp_i.frame);
      if (fire) begin
        va_q  <= va_q + 32'd4;
        idx_q <= idx_q + CntW'(1);
      end
      if (win_we_o) rsp_q <= rsp_q + CntW'(1);
      if (win_re_o) have_q <= 1'b1;
      else if (fire) have_q <= 1'b0;
    end
  end

`ifdef VERILATOR  // immediate assertions at the clock edge (see sgpu_data_window)
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // at most DataWords words, issued in order; a read's responses never outrun its requests
      IdxBound_A: assert (!running ||
                          (idx_q <= words_q && rsp_q <= idx_q && 32'(words_q) <= DataWords));
      // no memory access before every page of the range has been checked
      NoAccessInCheck_A: assert (!(st_q == StChk || st_q == StChkW) ||
                                 (idx_q == '0 && !mem_req_valid_o));
      // MEM_WRITE: a write request carries the window word of its index
      WriteData_A: assert (!(mem_req_valid_o && write_q) || have_q);
      // the window is written only by a running MEM_READ, read only by a running MEM_WRITE
      WinUse_A: assert ((!win_we_o || (running && !write_q)) &&
                        (!win_re_o || (running && write_q)));
    end
  end
`endif

  // Waiver: the handle, arg3 and policy were the dispatcher's; the upper words bits are
  // checked at the start (fields_bad) and not kept; frames fit FrameW; a write's response
  // never comes (posted writes).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{cmd_i, xl_rsp_i, end_va};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
