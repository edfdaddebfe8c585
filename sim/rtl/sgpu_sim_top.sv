// sgpu_sim_top: the simulated device: the core, its device memory (sgpu_mem_sim: seeded random
// stalls and read latency) and NumEngines stand-in engines (sgpu_engine_standin), the top the
// Verilated models (libsgpu_sim_<config>.so) and the RTL benches are built from.
// A top wires; the one thing added here is the ownership checker, simulation only: every
// memory access an engine makes must hit a frame that the engine's process owns at that
// moment (the frame allocator's ownership shadow). A read or write of any other frame, such as
// a frame freed by a teardown or an UNMAP while the engine still used a translation to it, is
// reported with $error (which stops the simulation) and counted in owner_violations_o.
module sgpu_sim_top #(
  parameter int unsigned PageShift    = 8,     // log2 page bytes (6..12)
  parameter int unsigned NumFrames    = 64,    // device-memory frames
  parameter int unsigned NumProcs     = 4,     // process slots
  parameter int unsigned NumQueues    = 4,     // hardware queue slots
  parameter int unsigned TlbEntries   = 4,     // TLB entries
  parameter int unsigned NumEngines   = 2,     // stand-in engines
  parameter int unsigned DrainTimeout = 4096,  // DRAIN_TIMEOUT after reset
  parameter int unsigned MemStallPct  = 0,     // memory: % of cycles not ready
  parameter int unsigned MemExtraLat  = 0,     // memory: extra read latency 0..this
  parameter int unsigned MemSeed      = 1,     // memory and engine randomness
  parameter bit          MemZeroed    = 1'b1,  // memory starts zeroed (else garbage, scrubbed
                                               // before first use: the core is told so too)
  parameter int unsigned EngMaxHold   = 32     // engine work items hold 1..this cycles
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  reg_valid_i,
  input  logic                  reg_write_i,
  input  logic [sgpu_regs_pkg::BUS_ADDR_BITS-1:0] reg_addr_i,
  input  logic [31:0]           reg_wdata_i,
  output logic                  reg_rvalid_o,
  output logic [31:0]           reg_rdata_o,
  output logic                  irq_o,
  // stand-in engines, for the benches
  input  logic [NumEngines-1:0] eng_hold_i,     // hold every work item (a stuck engine)
  input  logic                  eng_writes_i,   // work items write their fence word
  output logic [31:0]           eng_items_done_o,
  output logic [31:0]           owner_violations_o,
  output logic [7:0]            eng_count_o     // NumEngines (the width of eng_hold_i)
);
  localparam int unsigned FrameW = (NumFrames > 1) ? $clog2(NumFrames) : 1;
  localparam int unsigned LvlW   = PageShift - 2;
  localparam int unsigned AddrW  = FrameW + LvlW;
  localparam int unsigned SlotW  = (NumProcs > 1) ? $clog2(NumProcs) : 1;

  logic                  mem_req_valid, mem_req_ready, mem_rsp_valid, mem_rsp_ready;
  sgpu_pkg::mem_req_t    mem_req;
  sgpu_pkg::mem_rsp_t    mem_rsp;
  sgpu_pkg::doorbell_t   doorbell;
  logic [NumEngines-1:0][sgpu_pkg::EngCtlReqW-1:0] eng_ctl_req;
  logic [NumEngines-1:0][sgpu_pkg::EngCtlRspW-1:0] eng_ctl_rsp;
  logic [NumEngines-1:0]                       xl_valid, xl_ready, xl_rsp_valid, xl_retire;
  logic [NumEngines-1:0][sgpu_pkg::XlateReqW-1:0] xl_req;
  sgpu_pkg::xlate_rsp_t                        xl_rsp;
  logic [NumEngines-1:0]                       m_valid, m_ready, m_rsp_valid, m_rsp_ready;
  logic [NumEngines-1:0][sgpu_pkg::MemReqW-1:0] m_req;
  sgpu_pkg::mem_rsp_t                          m_rsp;
  logic [NumEngines-1:0][SlotW-1:0]            e_asid;
  logic [NumEngines-1:0][31:0]                 e_done, e_dropped;
  logic [NumEngines-1:0]                       e_running;

  logic                                        st_busy, st_ready, st_err;

  sgpu_core #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues),
    .TlbEntries(TlbEntries), .NumEngines(NumEngines), .DrainTimeout(DrainTimeout),
    .MemZeroed(MemZeroed)
  ) u_core (
    .clk_i, .rst_ni,
    .reg_valid_i, .reg_write_i, .reg_addr_i, .reg_wdata_i, .reg_rvalid_o, .reg_rdata_o, .irq_o,
    .busy_o(st_busy), .ready_o(st_ready), .err_o(st_err),
    .mem_req_valid_o(mem_req_valid), .mem_req_ready_i(mem_req_ready), .mem_req_o(mem_req),
    .mem_rsp_valid_i(mem_rsp_valid), .mem_rsp_ready_o(mem_rsp_ready), .mem_rsp_i(mem_rsp),
    .eng_ctl_o(eng_ctl_req), .eng_ctl_i(eng_ctl_rsp), .doorbell_o(doorbell),
    .eng_xl_req_valid_i(xl_valid), .eng_xl_req_ready_o(xl_ready), .eng_xl_req_i(xl_req),
    .eng_xl_rsp_valid_o(xl_rsp_valid), .eng_xl_rsp_o(xl_rsp), .eng_xl_retire_i(xl_retire),
    .eng_mem_req_valid_i(m_valid), .eng_mem_req_ready_o(m_ready), .eng_mem_req_i(m_req),
    .eng_mem_rsp_valid_o(m_rsp_valid), .eng_mem_rsp_ready_i(m_rsp_ready), .eng_mem_rsp_o(m_rsp)
  );

  sgpu_mem_sim #(
    .AddrW(AddrW), .Words(NumFrames << LvlW), .StallPct(MemStallPct),
    .MaxExtraLatency(MemExtraLat), .Seed(MemSeed), .Zeroed(MemZeroed)
  ) u_mem (
    .clk_i, .rst_ni,
    .req_valid_i(mem_req_valid), .req_ready_o(mem_req_ready), .req_i(mem_req),
    .rsp_valid_o(mem_rsp_valid), .rsp_ready_i(mem_rsp_ready), .rsp_o(mem_rsp)
  );

  for (genvar e = 0; e < NumEngines; e++) begin : g_eng
    sgpu_engine_standin #(
      .PageShift(PageShift), .NumProcs(NumProcs), .NumEngines(NumEngines), .EngineId(e),
      .MaxHold(EngMaxHold), .Seed(MemSeed)
    ) u_eng (
      .clk_i, .rst_ni, .hold_i(eng_hold_i[e]), .writes_i(eng_writes_i),
      .doorbell_i(doorbell), .ctl_i(eng_ctl_req[e]), .ctl_o(eng_ctl_rsp[e]),
      .xl_req_valid_o(xl_valid[e]), .xl_req_ready_i(xl_ready[e]), .xl_req_o(xl_req[e]),
      .xl_rsp_valid_i(xl_rsp_valid[e]), .xl_rsp_i(xl_rsp), .xl_retire_o(xl_retire[e]),
      .mem_req_valid_o(m_valid[e]), .mem_req_ready_i(m_ready[e]), .mem_req_o(m_req[e]),
      .mem_rsp_valid_i(m_rsp_valid[e]), .mem_rsp_ready_o(m_rsp_ready[e]), .mem_rsp_i(m_rsp),
      .cur_asid_o(e_asid[e]), .running_o(e_running[e]), .items_done_o(e_done[e]),
      .items_dropped_o(e_dropped[e])
    );
  end

  // ---------------------------------------------------------------- ownership checker
  // The allocator's shadow (its VERILATOR section): a frame is owned by sh_owner_q while
  // sh_state_q is "used" and its epoch is its owner's current one (a RELEASE bumps the epoch).
  logic [31:0] viol_q, done_sum;
  always_comb begin
    done_sum = '0;
    for (int unsigned e = 0; e < NumEngines; e++) done_sum = done_sum + e_done[e];
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) viol_q <= '0;
    else begin
      for (int unsigned e = 0; e < NumEngines; e++) begin
        if (m_valid[e] && m_ready[e]) begin
          /* verilator lint_off UNUSEDSIGNAL */  // only the address and we are checked
          sgpu_pkg::mem_req_t r;
          /* verilator lint_on UNUSEDSIGNAL */
          logic [FrameW-1:0]  f;
          logic [SlotW-1:0]   own;
          r   = m_req[e];
          f   = r.addr[AddrW-1:LvlW];
          own = u_core.u_alloc.sh_owner_q[f];
          if (!(u_core.u_alloc.sh_state_q[f] == 2'd1 &&
                u_core.u_alloc.sh_epoch_q[f] == u_core.u_alloc.sh_rel_q[own] &&
                own == e_asid[e])) begin
            viol_q <= viol_q + 1'b1;
            $error("sgpu_sim_top: engine %0d %s frame %0d (word 0x%0h) for process slot %0d, which does not own it (state %0d, owner %0d)",
                   e, r.we ? "wrote" : "read", f, r.addr, e_asid[e],
                   u_core.u_alloc.sh_state_q[f], own);
          end
        end
      end
    end
  end
  assign owner_violations_o = viol_q;
  assign eng_items_done_o   = done_sum;
  assign eng_count_o        = 8'(NumEngines);

  // Waiver: per-engine status the benches do not read yet; the core's LED status (the
  // simulator reads the same through the registers).
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{e_dropped, e_running, st_busy, st_ready, st_err};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
