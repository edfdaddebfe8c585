// tb_util.h - small helpers shared by the Verilator unit benches: checks that count and
// report, a seeded RNG, and an admin-command driver over SgpuHarness.
#pragma once

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../host/lib/sgpu_regs.h"

struct TbCheck {
  int passed = 0, failed = 0;
  void expect(bool ok, const char *what, const std::string &detail = "") {
    if (ok) {
      passed++;
    } else {
      failed++;
      std::printf("  FAIL: %s %s\n", what, detail.c_str());
    }
  }
  void expect_eq(uint64_t got, uint64_t want, const char *what) {
    char b[96];
    std::snprintf(b, sizeof b, "(got 0x%" PRIx64 ", want 0x%" PRIx64 ")", got, want);
    expect(got == want, what, b);
  }
  int finish(const char *bench) {
    std::printf("%s: %d checks passed, %d failed\n", bench, passed, failed);
    return failed ? 1 : 0;
  }
};

// xorshift64*: reproducible from the printed seed.
struct TbRng {
  uint64_t s;
  explicit TbRng(uint64_t seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }
};

// Clock and reset for a block bench on a Verilated module V with clk_i/rst_ni: uninitialised
// state randomised (randReset(2)), the caller's idle() sets the other inputs, then 3 cycles
// of reset. Only for benches that include verilated.h and their model's header first.
#ifdef VERILATOR_VERILATED_H_
template <class V>
struct TbBlock {
  VerilatedContext ctx;
  V top;
  uint64_t cycles = 0;
  TbBlock() : ctx(), top((ctx.randReset(2), &ctx)) {}
  template <class Idle>
  void reset(Idle idle) {
    top.rst_ni = 0;
    idle(top);
    for (int i = 0; i < 3; i++) tick();
    top.rst_ni = 1;
    tick();
  }
  void tick() {
    top.clk_i = 1;
    top.eval();
    top.clk_i = 0;
    top.eval();
    cycles++;
  }
};
#endif

#ifdef SGPU_TB_HAVE_HARNESS
struct Completion {
  uint32_t status = 0;
  uint32_t res[6] = {0, 0, 0, 0, 0, 0};
};

// Step the harness until pred() holds, at most max_cycles; a bench that waits forever is a
// bench that hangs CI, so running out is a failure that names what was awaited.
template <class H, class P>
void wait_until(H &h, P pred, const char *what, uint64_t max_cycles = 10000000) {
  uint64_t start = h.cycles();
  while (!pred()) {
    if (h.cycles() - start > max_cycles) {
      std::printf("FAIL  timed out after %" PRIu64 " cycles waiting for: %s\n", max_cycles, what);
      std::exit(2);
    }
    h.step(1);
  }
}

// Drives the admin mailbox the way the driver does: args, op, doorbell, wait for CPL_SEQ.
template <class H>
Completion admin(H &h, uint32_t op, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0,
                 uint32_t policy = 0, uint64_t max_cycles = 50000000) {
  uint32_t seq = h.read32(SGPU_REG_CPL_SEQ);
  h.write32(SGPU_REG_CMD_ARG0, a0);
  h.write32(SGPU_REG_CMD_ARG1, a1);
  h.write32(SGPU_REG_CMD_ARG2, a2);
  h.write32(SGPU_REG_CMD_OP, op | (policy << SGPU_CMD_OP_POLICY_LSB));
  h.write32(SGPU_REG_ADMIN_DOORBELL, 1);
  uint64_t start = h.cycles();
  while (h.read32(SGPU_REG_CPL_SEQ) == seq) {
    if (h.cycles() - start > max_cycles) {
      std::printf("admin op 0x%x timed out after %" PRIu64 " cycles\n", op, max_cycles);
      std::exit(2);
    }
  }
  Completion c;
  c.status = h.read32(SGPU_REG_CPL_STATUS);
  for (int i = 0; i < 6; i++) c.res[i] = h.read32(SGPU_REG_CPL_RES0 + 4 * i);
  return c;
}

// One word by virtual address through the data window: MEM_WRITE(handle, va, 1) of window
// word 0; MEM_READ(handle, va, 1), then res[0] = window word 0 (0 if the command failed).
template <class H>
Completion write_word(H &h, uint32_t handle, uint32_t va, uint32_t value) {
  h.write32(SGPU_DATA_BASE, value);
  return admin(h, SGPU_OP_MEM_WRITE, handle, va, 1);
}
template <class H>
Completion read_word(H &h, uint32_t handle, uint32_t va) {
  Completion c = admin(h, SGPU_OP_MEM_READ, handle, va, 1);
  c.res[0] = c.status == SGPU_STATUS_SUCCESS ? h.read32(SGPU_DATA_BASE) : 0;
  return c;
}
#endif
