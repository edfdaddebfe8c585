// sgpu_sim.cpp - the C ABI of sgpu_sim.h over the C++ harness, built into
// libsgpu_sim_<config>.so for libsgpu's sim: transport.
#include "sgpu_sim.h"

#include <new>

#include "sgpu_harness.h"

#ifndef SGPU_SIM_CONFIG
#define SGPU_SIM_CONFIG "default"
#endif

struct sgpu_sim {
  SgpuHarness h;
  explicit sgpu_sim(const char *trace) : h(trace) {}
};

extern "C" {

sgpu_sim *sgpu_sim_create(const char *trace_path) {
  try {
    return new sgpu_sim(trace_path);
  } catch (...) {
    return nullptr;
  }
}

void sgpu_sim_destroy(sgpu_sim *sim) { delete sim; }

uint32_t sgpu_sim_abi_version(void) { return SGPU_SIM_ABI_VERSION; }

int sgpu_sim_read32(sgpu_sim *sim, uint32_t addr, uint32_t *data, uint32_t max_cycles) {
  return sim->h.read32(addr, data, max_cycles) ? 0 : -1;
}

int sgpu_sim_write32(sgpu_sim *sim, uint32_t addr, uint32_t data, uint32_t max_cycles) {
  (void)max_cycles;  // writes are posted: the bus takes one every cycle
  return sim->h.write32(addr, data) ? 0 : -1;
}

void sgpu_sim_step(sgpu_sim *sim, uint64_t n) { sim->h.step(n); }

uint64_t sgpu_sim_cycles(sgpu_sim *sim) { return sim->h.cycles(); }

const char *sgpu_sim_config(void) { return SGPU_SIM_CONFIG; }

}  // extern "C"
