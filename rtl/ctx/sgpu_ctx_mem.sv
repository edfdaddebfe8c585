// sgpu_ctx_mem: the admin debug path, MEM_READ and MEM_WRITE of one word at a virtual address
// of a process, through the MMU like an engine's access (translate port, then memory).
//
// Start: start_i pulses with the command (cmd_i: arg1 the 4-byte aligned va, arg2 the data of
// a write; the dispatcher has checked the handle and the alignment) and the slot; done_o pulses
// once with status_o (SUCCESS, or ACCESS_VIOLATION when the page is not mapped) and, for a
// read, the word in res_o[0].
// The translation is retired as soon as the memory has accepted the access (or at once on a
// fault), so an invalidation never waits on it longer than one access.
// Latency: translate (TLB hit 2 cycles, walk 2 reads more), then 1 cycle for a write, the
// memory's read latency for a read, then done.
module sgpu_ctx_mem #(
  parameter int unsigned PageShift = 8,
  parameter int unsigned NumFrames = 64,
  parameter int unsigned NumProcs  = 4,
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1
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
  input  sgpu_pkg::mem_rsp_t   mem_rsp_i
);
  typedef enum logic [2:0] {StIdle, StTr, StTrW, StAcc, StRdW, StDone} state_e;
  state_e            st_q, st_d;
  logic [FrameW-1:0] frame_q;
  logic [31:0]       status_q, data_q;
  logic              write_q;

  assign xl_req_valid_o = (st_q == StTr);
  always_comb begin
    xl_req_o      = '0;
    xl_req_o.asid = sgpu_pkg::AsidW'(slot_i);
    xl_req_o.vpn  = sgpu_pkg::VpnW'(64'(cmd_i.arg1) >> PageShift);
    mem_req_o       = '0;
    mem_req_o.we    = write_q;
    mem_req_o.be    = 4'hF;
    mem_req_o.addr  = sgpu_pkg::MemAddrW'({frame_q, cmd_i.arg1[PageShift-1:2]});
    mem_req_o.wdata = cmd_i.arg2;
  end
  assign mem_req_valid_o = (st_q == StAcc);
  // the translation is in use from its answer until the memory takes the access
  assign xl_retire_o = (st_q == StTrW && xl_rsp_valid_i && xl_rsp_i.fault) ||
                       (st_q == StAcc && mem_req_ready_i);

  always_comb begin
    st_d   = st_q;
    done_o = 1'b0;
    unique case (st_q)
      StIdle: if (start_i) st_d = StTr;
      StTr:   if (xl_req_ready_i) st_d = StTrW;
      StTrW:  if (xl_rsp_valid_i) st_d = xl_rsp_i.fault ? StDone : StAcc;
      StAcc:  if (mem_req_ready_i) st_d = write_q ? StDone : StRdW;
      StRdW:  if (mem_rsp_valid_i) st_d = StDone;
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
    res_o[0] = (status_q == sgpu_regs_pkg::STATUS_SUCCESS && !write_q) ? data_q : '0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) st_q <= StIdle;
    else         st_q <= st_d;
  end

  // Datapath: loaded at the start and when the answers come, read while the command runs.
  always_ff @(posedge clk_i) begin
    if (st_q == StIdle && start_i) begin
      write_q  <= cmd_i.opcode == sgpu_regs_pkg::OP_MEM_WRITE;
      status_q <= sgpu_regs_pkg::STATUS_SUCCESS;
    end
    if (st_q == StTrW && xl_rsp_valid_i) begin
      frame_q <= FrameW'(xl_rsp_i.frame);
      if (xl_rsp_i.fault) status_q <= sgpu_regs_pkg::STATUS_ACCESS_VIOLATION;
    end
    if (st_q == StRdW && mem_rsp_valid_i) data_q <= mem_rsp_i.rdata;
  end

  // Waiver: the handle, arg3 and policy were the dispatcher's; frames fit FrameW.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{cmd_i, xl_rsp_i};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
