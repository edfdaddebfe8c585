// sgpu_simlink.cpp - the C ABI of sgpu_simlink.h over the Verilated sgpu_sim_link_top, built
// into libsgpu_simlink_<config>.so for sgpu-sim --bridge rtl. The same file serves a board's
// top through its simulation wrapper (sim/rtl/board/sgpu_BOARD_sim.sv, same ports):
// SGPU_SIMLINK_TOP names the Verilated class (mk/boards.mk builds libsgpu_simlink_BOARD.so).
//
// Pin trace: with SGPU_SIMLINK_TRACE=FILE in the environment, the model writes every change of
// its pins to FILE, one line per cycle in which one changed: "CYCLE RST RX TX" (decimal cycle
// number from creation, the levels of rst_ni, uart_rx_i and uart_tx_o in that cycle; the first
// line is cycle 0), and at the end "# end CYCLES". The post-synthesis test
// (tests/boards/postsynth.sh) replays RST and RX into the synthesized netlist and requires the
// same TX at the same cycles.
#include "sgpu_simlink.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#ifndef SGPU_SIMLINK_TOP
#define SGPU_SIMLINK_TOP Vsgpu_sim_link_top
#define SGPU_SIMLINK_HDR "Vsgpu_sim_link_top.h"
#endif
#include SGPU_SIMLINK_HDR
#include "verilated.h"

#ifndef SGPU_SIM_CONFIG
#define SGPU_SIM_CONFIG "default"
#endif

// Owns its VerilatedContext and makes it the thread's current one before it runs or deletes
// the model (as SgpuHarness does, sim/sgpu_harness.h, for the reasons given there).
struct sgpu_simlink {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<SGPU_SIMLINK_TOP> top;
  sgpu_simlink_counts n{};
  std::FILE *trace = nullptr;
  int last_pins = -1;  // rst, rx, tx of the last traced cycle

  sgpu_simlink() : ctx(new VerilatedContext) {
    ctx->randReset(2);  // uninitialised state random: a missing reset shows
    ctx->randSeed(1);
    const char *tf = std::getenv("SGPU_SIMLINK_TRACE");
    if (tf && *tf) {
      trace = std::fopen(tf, "w");
      if (!trace) std::fprintf(stderr, "sgpu_simlink: cannot write the pin trace %s\n", tf);
    }
    top.reset(new SGPU_SIMLINK_TOP(ctx.get(), "top"));
    top->clk_i = 0;
    top->uart_rx_i = 1;
    top->rst_ni = 0;
    top->eval();  // initial values settle before the first edge (cycle 0 of the pin trace)
    for (int i = 0; i < 4; i++) tick();
    top->rst_ni = 1;
    tick();
  }
  ~sgpu_simlink() {
    if (trace) {
      std::fprintf(trace, "# end %llu\n", (unsigned long long)n.cycles);
      std::fclose(trace);
    }
    Verilated::threadContextp(ctx.get());
    top->final();
    top.reset();
    ctx.reset();
    Verilated::threadContextp(nullptr);
  }
  void tick() {
    Verilated::threadContextp(ctx.get());
    if (trace) {  // the inputs of this cycle's edge and the output before it
      int pins = (top->rst_ni << 2) | (top->uart_rx_i << 1) | top->uart_tx_o;
      if (pins != last_pins) {
        std::fprintf(trace, "%llu %d %d %d\n", (unsigned long long)n.cycles, top->rst_ni,
                     top->uart_rx_i, top->uart_tx_o);
        last_pins = pins;
      }
    }
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
    ctx->timeInc(1);
    n.cycles++;
    if (top->rst_ni) {  // in reset the outputs may still show the random initial state
      n.frame_errors += top->frame_err_o;
      n.overruns += top->overrun_o;
    }
  }
};

extern "C" {

sgpu_simlink *sgpu_simlink_create(void) {
  try {
    return new sgpu_simlink();
  } catch (...) {
    std::fprintf(stderr, "sgpu_simlink: creating the model failed\n");
    return nullptr;
  }
}

void sgpu_simlink_destroy(sgpu_simlink *sim) { delete sim; }

uint32_t sgpu_simlink_abi_version(void) { return SGPU_SIMLINK_ABI_VERSION; }

const char *sgpu_simlink_config(void) { return SGPU_SIM_CONFIG; }

void sgpu_simlink_bit_time(sgpu_simlink *sim, uint32_t *num, uint32_t *den) {
  *num = sim->top->clks_num_o;  // constant ports: the top's parameters
  *den = sim->top->clks_den_o;
}

sgpu_simlink_pins sgpu_simlink_cycle(sgpu_simlink *sim, int rx) {
  sim->top->uart_rx_i = rx ? 1 : 0;
  sim->tick();
  sgpu_simlink_pins p;
  p.tx = sim->top->uart_tx_o;
  p.bus = sim->top->bus_valid_o;
  return p;
}

void sgpu_simlink_counts_get(sgpu_simlink *sim, sgpu_simlink_counts *out) {
  *out = sim->n;
  out->owner_violations = sim->top->owner_violations_o;
}

}  // extern "C"
