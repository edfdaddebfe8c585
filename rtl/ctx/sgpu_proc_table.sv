// sgpu_proc_table: the process table. One record per process slot: state (FREE, ACTIVE,
// DYING), generation, root page-table frame, data-frame and table-page counts. ASID = slot;
// a handle is slot | generation << 16 (docs/semantics.md).
//
// Updates (sgpu_pkg::ptop_t), at most one per port per cycle, applied at the clock edge:
//   cmd port  the context-manager block that owns the command (create, dying, release, counts)
//   rc port   the deferred reclaimer's event (release only), never on the cmd port's slot
// Reads are combinational: the record of lk_slot_i (the command's slot), the generation of
// rc_slot_i (the reclaimer's), the lowest FREE slot, the ACTIVE slots (doorbell gate) and the
// number of slots that are not FREE.
// The generation advances when a slot is created (FREE -> ACTIVE): 0 after reset, so the first
// process of a slot has generation 1; it skips 0 on wrap, so handle 0 never names a process,
// and a stale handle (slot reused) never matches: its slot is FREE (refused) or created again
// (a new generation). Only the cmd port creates, so one incrementer serves (the reclaimer's
// release leaves the generation alone, and its event reports the dying process's handle).
// The callers' contract (asserted in simulation, assumed in this block's proof, proven of the
// callers in theirs): create only a FREE slot, dying only an ACTIVE one, release only a DYING
// one; counts only of a non-FREE slot; the two ports never name the same slot at once.
module sgpu_proc_table #(
  parameter int unsigned NumProcs  = 4,
  parameter int unsigned NumFrames = 64,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned GenW     = sgpu_regs_pkg::HANDLE_GEN_BITS,   // handle layout (the map)
  localparam int unsigned FrameW   = (NumFrames > 1) ? $clog2(NumFrames) : 1,
  localparam int unsigned CntW     = $clog2(NumFrames + 1),
  localparam int unsigned LiveW    = $clog2(NumProcs + 1)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // updates
  input  sgpu_pkg::ptop_t     cmd_op_i,
  input  logic [FrameW-1:0]   cmd_root_i,      // PtCreate: the root table's frame
  input  sgpu_pkg::ptop_t     rc_op_i,
  // the command's slot
  input  logic [SlotW-1:0]    lk_slot_i,
  output logic [1:0]          lk_state_o,
  output logic [GenW-1:0] lk_gen_o,
  output logic [FrameW-1:0]   lk_root_o,
  output logic [CntW-1:0]     lk_data_o,
  output logic [CntW-1:0]     lk_tbl_o,
  // the reclaimer's slot
  input  logic [SlotW-1:0]    rc_slot_i,
  output logic [GenW-1:0] rc_gen_o,
  // summaries
  output logic                free_found_o,
  output logic [SlotW-1:0]    free_idx_o,
  output logic [NumProcs-1:0] active_o,
  output logic [LiveW-1:0]    live_o
);
  localparam logic [1:0] PsFree   = sgpu_regs_pkg::PROC_STATE_FREE[1:0];
  localparam logic [1:0] PsActive = sgpu_regs_pkg::PROC_STATE_ACTIVE[1:0];
  localparam logic [1:0] PsDying  = sgpu_regs_pkg::PROC_STATE_DYING[1:0];

  logic [1:0]        state_q [NumProcs];
  logic [GenW-1:0] gen_q [NumProcs];
  logic [FrameW-1:0] root_q  [NumProcs];
  logic [CntW-1:0]   data_q  [NumProcs];
  logic [CntW-1:0]   tbl_q   [NumProcs];

  function automatic logic [GenW-1:0] gen_next(logic [GenW-1:0] g);
    gen_next = (g == '1) ? GenW'(1) : g + 1'b1;    // generation 0 is never used
  endfunction

  // ---------------------------------------------------------------- reads
  assign lk_state_o = state_q[lk_slot_i];
  assign lk_gen_o   = gen_q[lk_slot_i];
  assign lk_root_o  = root_q[lk_slot_i];
  assign lk_data_o  = data_q[lk_slot_i];
  assign lk_tbl_o   = tbl_q[lk_slot_i];
  assign rc_gen_o   = gen_q[rc_slot_i];

  always_comb begin
    free_found_o = 1'b0;
    free_idx_o   = '0;
    live_o       = '0;
    for (int p = NumProcs - 1; p >= 0; p--) begin
      if (state_q[p] == PsFree) begin
        free_found_o = 1'b1;
        free_idx_o   = SlotW'(p);
      end
    end
    for (int unsigned p = 0; p < NumProcs; p++) begin
      active_o[p] = (state_q[p] == PsActive);
      live_o      = live_o + LiveW'(state_q[p] != PsFree);
    end
  end

  // ---------------------------------------------------------------- updates
  // Each port's new values are computed once, from the record it names, and written with an
  // enable per slot (no per-slot arithmetic: a register file, not an array of counters).
  logic [SlotW-1:0] cs, rs;
  assign cs = cmd_op_i.slot[SlotW-1:0];
  assign rs = rc_op_i.slot[SlotW-1:0];

  logic [1:0]      c_state;
  logic [GenW-1:0] c_gen;
  logic [CntW-1:0] c_data, c_tbl;
  logic            c_we_state, c_we_gen, c_we_data, c_we_tbl, r_rel;
  always_comb begin
    c_state = state_q[cs];
    c_gen   = gen_next(gen_q[cs]);
    c_data  = data_q[cs] + ((cmd_op_i.op == sgpu_pkg::PtDataDec) ? '1 : CntW'(1));
    c_tbl   = tbl_q[cs] + ((cmd_op_i.op == sgpu_pkg::PtTblDec) ? '1 : CntW'(1));
    c_we_state = 1'b0; c_we_gen = 1'b0; c_we_data = 1'b0; c_we_tbl = 1'b0;
    unique case (cmd_op_i.op)
      sgpu_pkg::PtCreate: begin
        c_state = PsActive; c_data = '0; c_tbl = CntW'(1);
        c_we_state = 1'b1; c_we_gen = 1'b1; c_we_data = 1'b1; c_we_tbl = 1'b1;
      end
      sgpu_pkg::PtDying: begin
        c_state = PsDying; c_we_state = 1'b1;
      end
      sgpu_pkg::PtRelease: begin
        c_state = PsFree; c_data = '0; c_tbl = '0;
        c_we_state = 1'b1; c_we_data = 1'b1; c_we_tbl = 1'b1;
      end
      sgpu_pkg::PtDataInc, sgpu_pkg::PtDataDec: c_we_data = 1'b1;
      sgpu_pkg::PtTblInc, sgpu_pkg::PtTblDec:   c_we_tbl  = 1'b1;
      default: ;
    endcase
    r_rel = (rc_op_i.op == sgpu_pkg::PtRelease);
  end

  for (genvar p = 0; p < NumProcs; p++) begin : g_slot
    logic c_hit, r_hit;
    assign c_hit = (cs == SlotW'(p));
    assign r_hit = r_rel && (rs == SlotW'(p));
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        state_q[p] <= PsFree;
        gen_q[p]   <= '0;
        data_q[p]  <= '0;
        tbl_q[p]   <= '0;
      end else if (r_hit) begin           // the reclaim event: never the cmd port's slot
        state_q[p] <= PsFree;
        data_q[p]  <= '0;
        tbl_q[p]   <= '0;
      end else if (c_hit) begin
        if (c_we_state) state_q[p] <= c_state;
        if (c_we_gen)   gen_q[p]   <= c_gen;
        if (c_we_data)  data_q[p]  <= c_data;
        if (c_we_tbl)   tbl_q[p]   <= c_tbl;
      end
    end
  end

  // The root frame is meaningful only while the slot is not FREE (no reset needed).
  always_ff @(posedge clk_i) begin
    if (cmd_op_i.op == sgpu_pkg::PtCreate) root_q[cs] <= cmd_root_i;
  end

`ifdef FORMAL
  `include "sgpu_proc_table_props.svh"
`endif

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  // the callers' contract
  logic [1:0] cs_state, rs_state;
  assign cs_state = state_q[cs];
  assign rs_state = state_q[rs];
  CreateFree_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    cmd_op_i.op == sgpu_pkg::PtCreate |-> cs_state == PsFree);
  DyingActive_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    cmd_op_i.op == sgpu_pkg::PtDying |-> cs_state == PsActive);
  ReleaseDying_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    cmd_op_i.op == sgpu_pkg::PtRelease |-> cs_state == PsDying);
  RcReleaseDying_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    rc_op_i.op == sgpu_pkg::PtRelease |-> rs_state == PsDying);
  CountLive_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    cmd_op_i.op inside {sgpu_pkg::PtDataInc, sgpu_pkg::PtDataDec, sgpu_pkg::PtTblInc,
                        sgpu_pkg::PtTblDec} |-> cs_state != PsFree);
  NoClash_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    (cmd_op_i.op != sgpu_pkg::PtNone && rc_op_i.op != sgpu_pkg::PtNone) |-> cs != rs);
  RcOnlyRelease_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    rc_op_i.op inside {sgpu_pkg::PtNone, sgpu_pkg::PtRelease});
`endif
endmodule
