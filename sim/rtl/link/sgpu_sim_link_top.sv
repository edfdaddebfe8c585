// sgpu_sim_link_top: the simulated device as a board sees it from its USB-serial chip: the
// same device as sgpu_sim_top (the core, its device memory, the stand-in engines, with the
// same parameters per configuration) with the host link (sgpu_link_uart: UART + link bridge)
// as the only master of its register bus. The host reaches it through two pins, uart_rx_i
// and uart_tx_o, 8N1 at ClksNum / ClksDen clock cycles per bit; sgpu-sim (--bridge rtl)
// drives and samples them bit by bit (sim/sgpu_simlink.cpp, sim/sgpu_sim_main.c).
// The stand-in engines run their default work (ring entries read, never held).
// Kept out of sim/rtl/*.sv (SIM_RTL_SRC): it needs the link's RTL, which the core's builds do
// not read.
module sgpu_sim_link_top #(
  // the device (sgpu_sim_top's parameters, same defaults)
  parameter int unsigned PageShift     = 8,
  parameter int unsigned NumFrames     = 64,
  parameter int unsigned NumProcs      = 4,
  parameter int unsigned NumQueues     = 4,
  parameter int unsigned TlbEntries    = 4,
  parameter int unsigned NumEngines    = 2,
  parameter int unsigned DrainTimeout  = 4096,
  parameter int unsigned MemStallPct   = 0,
  parameter int unsigned MemExtraLat   = 0,
  parameter int unsigned MemSeed       = 1,
  parameter bit          MemZeroed     = 1'b1,
  parameter int unsigned EngMaxHold    = 32,
  // the link (sgpu_link_uart's parameters)
  parameter int unsigned ClksNum       = 4,   // clock cycles per bit, numerator (12 MHz,
  parameter int unsigned ClksDen       = 1,   // 3 Mbaud: 4 / 1, as on the iCEBreaker)
  parameter int unsigned AdminWaitLog2 = 20,  // admin completion wait: 2^this cycles
  parameter int unsigned ReadTimeout   = 16   // cycles a register read may take
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        uart_rx_i,       // from the host, idle high
  output logic        uart_tx_o,       // to the host, idle high
  // what the simulator reports and watches
  output logic        frame_err_o,     // pulse: the UART dropped a byte with a stop bit 0
  output logic        overrun_o,       // pulse: a byte came while the bridge was busy (lost)
  output logic        bus_valid_o,     // the bridge drives the register bus this cycle
  output logic        irq_o,
  output logic [31:0] owner_violations_o,
  output logic [31:0] clks_num_o,      // ClksNum, ClksDen: the bit time the model was built
  output logic [31:0] clks_den_o       // with, for the simulator's UART
);
  localparam int unsigned AddrW = sgpu_regs_pkg::BUS_ADDR_BITS;

  logic             reg_valid, reg_write, reg_rvalid;
  logic [AddrW-1:0] reg_addr;
  logic [31:0]      reg_wdata, reg_rdata, items_done;
  logic [7:0]       eng_count;

  sgpu_link_uart #(
    .ClksNum(ClksNum), .ClksDen(ClksDen), .AdminWaitLog2(AdminWaitLog2),
    .ReadTimeout(ReadTimeout)
  ) u_link (
    .clk_i, .rst_ni, .uart_rx_i, .uart_tx_o, .frame_err_o, .overrun_o,
    .reg_valid_o(reg_valid), .reg_write_o(reg_write), .reg_addr_o(reg_addr),
    .reg_wdata_o(reg_wdata), .reg_rvalid_i(reg_rvalid), .reg_rdata_i(reg_rdata)
  );

  sgpu_sim_top #(
    .PageShift(PageShift), .NumFrames(NumFrames), .NumProcs(NumProcs), .NumQueues(NumQueues),
    .TlbEntries(TlbEntries), .NumEngines(NumEngines), .DrainTimeout(DrainTimeout),
    .MemStallPct(MemStallPct), .MemExtraLat(MemExtraLat), .MemSeed(MemSeed),
    .MemZeroed(MemZeroed), .EngMaxHold(EngMaxHold)
  ) u_dev (
    .clk_i, .rst_ni,
    .reg_valid_i(reg_valid), .reg_write_i(reg_write), .reg_addr_i(reg_addr),
    .reg_wdata_i(reg_wdata), .reg_rvalid_o(reg_rvalid), .reg_rdata_o(reg_rdata), .irq_o,
    .eng_hold_i('0), .eng_writes_i(1'b0), .eng_items_done_o(items_done),
    .owner_violations_o, .eng_count_o(eng_count)
  );

  assign bus_valid_o = reg_valid;
  assign clks_num_o  = ClksNum;
  assign clks_den_o  = ClksDen;

  // Waiver: the engines' counters are for the benches that drive sgpu_sim_top directly.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_ok;
  assign unused_ok = ^{items_done, eng_count};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
