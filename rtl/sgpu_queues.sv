// sgpu_queues: hardware queue slots, their doorbells and ring state.
//
// Each slot is owned by one process slot and holds a ring (base VA, log2 of entries), the
// write pointer last rung, a stopped flag and a count of ignored doorbells.
// Context-manager strobes (one cycle each, at most one per cycle): create, destroy, stop every
// queue of an owner, release every queue of an owner, clear an owner's ignored count.
// Doorbells come from the register bus: a doorbell is accepted only when the slot is live,
// not stopped and its owner is ACTIVE (proc_active_i); otherwise it is ignored and counted
// (device total, the slot's count if live, and the owner's count). db_accept_o pulses for an
// accepted doorbell (the engines will start work on it).
// A released slot is cleared completely: no ring state of the old owner survives.
module sgpu_queues #(
  parameter int unsigned NumQueues = 4,
  parameter int unsigned NumProcs  = 4,
  localparam int unsigned QW       = (NumQueues > 1) ? $clog2(NumQueues) : 1,
  localparam int unsigned SlotW    = (NumProcs > 1) ? $clog2(NumProcs) : 1,
  localparam int unsigned QCntW    = $clog2(NumQueues + 1)
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // context manager
  input  logic                             create_i,
  input  logic [QW-1:0]                    create_q_i,
  input  logic [31:4]                      ring_va_i,      // 16-byte aligned
  input  logic [3:0]                       ring_log2_i,
  input  logic                             destroy_i,
  input  logic [QW-1:0]                    destroy_q_i,
  input  logic                             stop_owner_i,
  input  logic                             release_owner_i,
  input  logic                             clear_owner_i,
  input  logic [SlotW-1:0]                 owner_i,        // for create/stop/release/clear/count
  output logic [NumQueues-1:0]             live_o,
  output logic [NumQueues*SlotW-1:0]       owner_o,        // slot q at [q*SlotW +: SlotW]
  output logic                             free_found_o,   // a non-live slot exists
  output logic [QW-1:0]                    free_idx_o,     // the lowest one
  output logic [QCntW-1:0]                 owned_cnt_o,    // live slots owned by owner_i
  output logic [31:0]                      owner_ign_o,    // owner_i's ignored doorbells
  input  logic [NumProcs-1:0]              proc_active_i,
  // doorbells and registers (register bus)
  input  logic                             db_valid_i,
  input  logic [7:0]                       db_q_i,
  input  logic [31:0]                      db_wptr_i,
  output logic                             db_accept_o,
  input  logic [7:0]                       rd_q_i,
  input  logic [1:0]                       rd_reg_i,       // register index within the slot
  output logic [31:0]                      rd_data_o,
  output logic [31:0]                      ign_total_o
);
  logic [NumQueues-1:0] live_q, stopped_q;
  logic [SlotW-1:0]     owner_q  [NumQueues];
  logic [27:0]          ring_q   [NumQueues];   // ring_va[31:4]
  logic [3:0]           log2_q   [NumQueues];
  logic [31:0]          wptr_q   [NumQueues];
  logic [31:0]          qign_q   [NumQueues];
  logic [31:0]          pign_q   [NumProcs];
  logic [31:0]          ign_total_q;
  logic                 db_in_range, db_live;
  logic [QW-1:0]        db_idx, rd_idx;

  assign db_in_range = 32'(db_q_i) < NumQueues;
  assign db_idx      = db_q_i[QW-1:0];
  assign db_live     = db_in_range && live_q[db_idx];
  assign db_accept_o = db_valid_i && db_live && !stopped_q[db_idx] && proc_active_i[owner_q[db_idx]];

  always_comb begin
    free_found_o = 1'b0;
    free_idx_o   = '0;
    owned_cnt_o  = '0;
    for (int i = NumQueues - 1; i >= 0; i--) begin
      if (!live_q[i]) begin
        free_found_o = 1'b1;
        free_idx_o   = QW'(i);
      end
    end
    for (int unsigned i = 0; i < NumQueues; i++) begin
      live_o[i]  = live_q[i];
      owner_o[i*SlotW +: SlotW] = owner_q[i];
      owned_cnt_o = owned_cnt_o + QCntW'(live_q[i] && owner_q[i] == owner_i);
    end
  end
  assign owner_ign_o = pign_q[owner_i];
  assign ign_total_o = ign_total_q;

  assign rd_idx = rd_q_i[QW-1:0];
  always_comb begin
    rd_data_o = '0;
    if (32'(rd_q_i) < NumQueues) begin
      unique case (rd_reg_i)
        2'd0: rd_data_o = wptr_q[rd_idx];
        2'd1: rd_data_o = (32'(owner_q[rd_idx]) << sgpu_regs_pkg::QSTATE_OWNER_LSB) |
                          (32'(stopped_q[rd_idx]) << sgpu_regs_pkg::QSTATE_STOPPED_LSB) |
                          (32'(live_q[rd_idx]) << sgpu_regs_pkg::QSTATE_LIVE_LSB);
        2'd2: rd_data_o = qign_q[rd_idx];
        default: rd_data_o = {ring_q[rd_idx], log2_q[rd_idx]};
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      live_q      <= '0;
      stopped_q   <= '0;
      ign_total_q <= '0;
      for (int unsigned i = 0; i < NumQueues; i++) begin
        owner_q[i] <= '0;
        ring_q[i]  <= '0;
        log2_q[i]  <= '0;
        wptr_q[i]  <= '0;
        qign_q[i]  <= '0;
      end
      for (int unsigned p = 0; p < NumProcs; p++) pign_q[p] <= '0;
    end else begin
      if (db_valid_i) begin
        if (db_accept_o) wptr_q[db_idx] <= db_wptr_i;
        else begin
          ign_total_q <= ign_total_q + 1'b1;
          if (db_live) begin
            qign_q[db_idx]          <= qign_q[db_idx] + 1'b1;
            pign_q[owner_q[db_idx]] <= pign_q[owner_q[db_idx]] + 1'b1;
          end
        end
      end
      if (create_i) begin
        live_q[create_q_i]    <= 1'b1;
        stopped_q[create_q_i] <= 1'b0;
        owner_q[create_q_i]   <= owner_i;
        ring_q[create_q_i]    <= ring_va_i;
        log2_q[create_q_i]    <= ring_log2_i;
        wptr_q[create_q_i]    <= '0;
        qign_q[create_q_i]    <= '0;
      end
      for (int unsigned i = 0; i < NumQueues; i++) begin
        if ((destroy_i && destroy_q_i == QW'(i)) ||
            (release_owner_i && live_q[i] && owner_q[i] == owner_i)) begin
          live_q[i]    <= 1'b0;
          stopped_q[i] <= 1'b0;
          owner_q[i]   <= '0;
          ring_q[i]    <= '0;
          log2_q[i]    <= '0;
          wptr_q[i]    <= '0;
          qign_q[i]    <= '0;
        end else if (stop_owner_i && live_q[i] && owner_q[i] == owner_i) begin
          stopped_q[i] <= 1'b1;
        end
      end
      if (clear_owner_i) pign_q[owner_i] <= '0;
    end
  end

`ifdef VERILATOR  // concurrent assertions: Verilator here, the formal flow has its own
  OneStrobe_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    $onehot0({create_i, destroy_i, stop_owner_i, release_owner_i, clear_owner_i}));
  CreateFree_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
    create_i |-> !live_q[create_q_i]);
`endif
endmodule
