// sgpu_engine_standin: a simulation-only engine that keeps the engine contract (sgpu_pkg) the
// way a copy or SIMT engine will, so teardown is exercised with work in flight before real
// engines exist.
//
// Work: an accepted doorbell of a queue this engine serves (qid % NumEngines == EngineId)
// becomes a work item {asid, ring, write pointer}, queued (up to Slots; more are dropped and
// counted). An item runs in turn: it holds for a random 1..MaxHold cycles (longer while
// hold_i is high: a stuck engine), translates the address of its ring entry (ring_va + (wptr
// mod entries) * 16) through its MMU port, then, with writes_i, writes a fence word there
// ({8'hE0 | EngineId, asid, wptr[15:0]}), otherwise reads it; the translation is retired as
// soon as the memory takes the access. A fault ends the item.
// Control (one request at a time, ack one cycle, `aborted` = items of that ASID dropped):
//   STOP   mark the ASID stopped and drop its queued items (they never started)
//   DRAIN  ack once no item of the ASID runs (and none is queued)
//   ABORT  drop the running item of the ASID at the next safe point (a request already
//          offered to the MMU or the memory completes first; a read's data is taken), then ack
//   CLEAR  zero the scratch register if the ASID wrote it, clear its stopped mark, ack
// Debug outputs for the harness's ownership checker: the item's ASID with every memory write.
module sgpu_engine_standin #(
  parameter int unsigned PageShift  = 8,
  parameter int unsigned NumProcs   = 4,
  parameter int unsigned NumEngines = 1,
  parameter int unsigned EngineId   = 0,
  parameter int unsigned MaxHold    = 32,     // cycles an item holds, 1..MaxHold (random)
  parameter int unsigned Slots      = 4,      // queued items
  parameter int unsigned Seed       = 1,
  localparam int unsigned SlotW     = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned IdxW      = (Slots > 1) ? $clog2(Slots) : 1
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                hold_i,       // items do not finish holding
  input  logic                                writes_i,     // write fences (else read them)
  input  sgpu_pkg::doorbell_t                 doorbell_i,
  input  logic [sgpu_pkg::EngCtlReqW-1:0]     ctl_i,        // sgpu_pkg::eng_ctl_req_t
  output logic [sgpu_pkg::EngCtlRspW-1:0]     ctl_o,        // sgpu_pkg::eng_ctl_rsp_t
  // translate port
  output logic                                xl_req_valid_o,
  input  logic                                xl_req_ready_i,
  output logic [sgpu_pkg::XlateReqW-1:0]      xl_req_o,
  input  logic                                xl_rsp_valid_i,
  input  sgpu_pkg::xlate_rsp_t                xl_rsp_i,
  output logic                                xl_retire_o,
  // memory master
  output logic                                mem_req_valid_o,
  input  logic                                mem_req_ready_i,
  output logic [sgpu_pkg::MemReqW-1:0]        mem_req_o,
  input  logic                                mem_rsp_valid_i,
  output logic                                mem_rsp_ready_o,
  input  sgpu_pkg::mem_rsp_t                  mem_rsp_i,
  // status for the harness
  output logic [SlotW-1:0]                    cur_asid_o,
  output logic                                running_o,
  output logic [31:0]                         items_done_o,
  output logic [31:0]                         items_dropped_o
);
  typedef enum logic [2:0] {StIdle, StHold, StTr, StTrW, StAcc, StRdW} state_e;

  sgpu_pkg::eng_ctl_req_t ctl;
  sgpu_pkg::eng_ctl_rsp_t rsp;
  assign ctl   = ctl_i;
  assign ctl_o = rsp;

  // ---------------------------------------------------------------- queued items
  logic [Slots-1:0]       qv_q;
  logic [SlotW-1:0]       qasid_q [Slots];
  logic [31:4]            qring_q [Slots];
  logic [3:0]             qlog2_q [Slots];
  logic [31:0]            qwptr_q [Slots];
  logic [NumProcs-1:0]    stopped_q;
  // ---------------------------------------------------------------- the running item
  state_e                 st_q, st_d;
  logic [SlotW-1:0]       asid_q;
  logic [31:0]            va_q;
  logic [15:0]            wptr_q;
  logic [15:0]            hold_q;
  logic [sgpu_pkg::MaxFrameW-1:0] frame_q;
  logic                   abort_q;            // ABORT of the running item: drop at a safe point
  logic [31:0]            rng_q, done_q, dropped_q;
  logic [31:0]            scratch_q;          // on-chip state an item leaves behind
  logic [SlotW-1:0]       scratch_own_q;
  logic                   scratch_v_q;

  // ---------------------------------------------------------------- helpers
  logic             mine, pick_any;
  logic [IdxW-1:0]  pick, free_idx;
  logic             free_any;
  logic             ctl_asid_running;
  logic [SlotW-1:0] ctl_asid;
  logic [IdxW:0]    queued_of_ctl;
  assign mine     = doorbell_i.valid && (32'(doorbell_i.qid) % NumEngines == EngineId);
  assign ctl_asid = ctl.asid[SlotW-1:0];
  assign ctl_asid_running = (st_q != StIdle) && asid_q == ctl_asid;
  always_comb begin
    pick_any = 1'b0; pick = '0; free_any = 1'b0; free_idx = '0; queued_of_ctl = '0;
    for (int i = Slots - 1; i >= 0; i--) begin
      if (qv_q[i] && !stopped_q[qasid_q[i]]) begin pick_any = 1'b1; pick = IdxW'(i); end
      if (!qv_q[i]) begin free_any = 1'b1; free_idx = IdxW'(i); end
    end
    for (int unsigned i = 0; i < Slots; i++)
      queued_of_ctl = queued_of_ctl + (IdxW+1)'(qv_q[i] && qasid_q[i] == ctl_asid);
  end

  // ---------------------------------------------------------------- the item's FSM
  logic safe_drop;   // the running item may be dropped now (ABORT)
  always_comb begin
    st_d      = st_q;
    safe_drop = 1'b0;
    unique case (st_q)
      StIdle: if (pick_any) st_d = StHold;
      StHold: begin
        if (abort_q) safe_drop = 1'b1;
        else if (hold_q == '0 && !hold_i) st_d = StTr;
      end
      StTr:   if (xl_req_ready_i) st_d = StTrW;
      StTrW: begin
        if (xl_rsp_valid_i) begin
          if (abort_q) safe_drop = 1'b1;
          else st_d = xl_rsp_i.fault ? StIdle : StAcc;
        end
      end
      StAcc: begin
        if (mem_req_ready_i) begin
          if (writes_i) begin
            st_d      = StIdle;
            safe_drop = abort_q;
          end else st_d = StRdW;
        end
      end
      StRdW: begin
        if (mem_rsp_valid_i) begin
          st_d      = StIdle;
          safe_drop = abort_q;
        end
      end
      default: st_d = StIdle;
    endcase
    if (safe_drop) st_d = StIdle;
  end

  always_comb begin
    sgpu_pkg::xlate_req_t x;
    sgpu_pkg::mem_req_t   m;
    x       = '0;
    x.asid  = sgpu_pkg::AsidW'(asid_q);
    x.vpn   = sgpu_pkg::VpnW'(va_q >> PageShift);
    m       = '0;
    m.we    = writes_i;
    m.be    = 4'hF;
    m.addr  = sgpu_pkg::MemAddrW'({frame_q, va_q[PageShift-1:2]});
    m.wdata = {8'hE0 | 8'(EngineId), 8'(asid_q), wptr_q};
    xl_req_o  = x;
    mem_req_o = m;
  end
  assign xl_req_valid_o  = (st_q == StTr);
  assign mem_req_valid_o = (st_q == StAcc);
  assign mem_rsp_ready_o = 1'b1;
  assign xl_retire_o     = (st_q == StTrW && xl_rsp_valid_i && (xl_rsp_i.fault || abort_q)) ||
                           (st_q == StAcc && mem_req_ready_i);
  assign cur_asid_o      = asid_q;
  assign running_o       = (st_q != StIdle);
  assign items_done_o    = done_q;
  assign items_dropped_o = dropped_q;

  // ---------------------------------------------------------------- control requests
  always_comb begin
    rsp = '0;
    if (ctl.valid) begin
      unique case (ctl.op)
        sgpu_pkg::EngStop:  begin rsp.ack = 1'b1; rsp.aborted = 16'(queued_of_ctl); end
        sgpu_pkg::EngDrain: rsp.ack = !ctl_asid_running && queued_of_ctl == '0;
        sgpu_pkg::EngAbort: begin
          rsp.ack     = !ctl_asid_running || safe_drop;
          rsp.aborted = 16'(ctl_asid_running && safe_drop) + 16'(queued_of_ctl);
        end
        sgpu_pkg::EngClear: rsp.ack = 1'b1;
        default: rsp.ack = 1'b1;
      endcase
    end
  end

  // ---------------------------------------------------------------- registers
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      st_q        <= StIdle;
      qv_q        <= '0;
      stopped_q   <= '0;
      abort_q     <= 1'b0;
      rng_q       <= 32'h9E37_79B9 ^ (Seed * 32'h0100_0193) ^ (EngineId + 1);
      done_q      <= '0;
      dropped_q   <= '0;
      scratch_v_q <= 1'b0;
    end else begin
      st_q  <= st_d;
      rng_q <= rng_q ^ (rng_q << 13) ^ (rng_q >> 17) ^ (rng_q << 5);
      // a new doorbell for this engine: queue it (or drop it when full)
      if (mine) begin
        if (free_any) qv_q[free_idx] <= 1'b1;
        else          dropped_q <= dropped_q + 1'b1;
      end
      // start the next item
      if (st_q == StIdle && pick_any) qv_q[pick] <= 1'b0;
      if (st_q != StIdle && st_d == StIdle && !safe_drop) done_q <= done_q + 1'b1;
      // control
      if (ctl.valid && ctl.op == sgpu_pkg::EngStop) begin
        stopped_q[ctl_asid] <= 1'b1;
        for (int unsigned i = 0; i < Slots; i++) if (qasid_q[i] == ctl_asid) qv_q[i] <= 1'b0;
      end
      if (ctl.valid && ctl.op == sgpu_pkg::EngAbort && ctl_asid_running && !safe_drop)
        abort_q <= 1'b1;
      if (safe_drop || st_q == StIdle) abort_q <= 1'b0;
      if (ctl.valid && ctl.op == sgpu_pkg::EngClear) begin
        stopped_q[ctl_asid] <= 1'b0;
        if (scratch_own_q == ctl_asid) scratch_v_q <= 1'b0;
      end
      if (st_q == StAcc && mem_req_ready_i) scratch_v_q <= 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (mine && free_any) begin
      qasid_q[free_idx] <= SlotW'(doorbell_i.asid);
      qring_q[free_idx] <= doorbell_i.ring_va;
      qlog2_q[free_idx] <= doorbell_i.ring_log2;
      qwptr_q[free_idx] <= doorbell_i.wptr;
    end
    if (st_q == StIdle && pick_any) begin
      asid_q <= qasid_q[pick];
      wptr_q <= qwptr_q[pick][15:0];
      // ring entries are 16 bytes; the write pointer wraps at 2^log2 entries
      va_q   <= {qring_q[pick], 4'b0} +
                ((qwptr_q[pick] & ((32'd1 << qlog2_q[pick]) - 32'd1)) << 4);
      hold_q <= 16'(rng_q % MaxHold);
    end else if (st_q == StHold && hold_q != '0) hold_q <= hold_q - 1'b1;
    if (st_q == StTrW && xl_rsp_valid_i) frame_q <= xl_rsp_i.frame;
    if (st_q == StAcc && mem_req_ready_i) begin
      scratch_q     <= mem_req_o[31:0];
      scratch_own_q <= asid_q;
    end
    if (st_q == StRdW && mem_rsp_valid_i) scratch_q <= mem_rsp_i.rdata;
  end

`ifdef VERILATOR
  // CLEAR leaves nothing of the ASID behind; ABORT acks only with the item gone.
  ClearedScratch_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (ctl.valid && ctl.op == sgpu_pkg::EngClear) |=> !(scratch_v_q && scratch_own_q == $past(ctl_asid)));
`endif

  // Waiver: the scratch word models state an engine keeps; only its owner matters here.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{scratch_q, ctl.asid, doorbell_i.asid};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
