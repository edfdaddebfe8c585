// sgpu_harness.h - C++ harness class around the Verilated sgpu_sim_top (the core and its
// simulated memory).
//
// Owns the VerilatedContext, the model, the clock and reset, and (when the model was built
// with --trace-fst) an FST trace. Tests use it as a script of register transactions:
//   SgpuHarness h;              // reset applied, released
//   h.write32(addr, value);
//   uint32_t v = h.read32(addr);
// Uninitialised state is randomised (randReset(2)) so a missing reset shows up in tests.
//
// Several harnesses may live in one process (libsgpu opens one model per device). Each owns
// its VerilatedContext, but Verilator 5.006 also keeps a per-thread "current context"
// (Verilated::threadContextp(), set by every VerilatedContext and model constructor) that
// parts of the runtime use instead of the model's own: VerilatedScope's destructor erases the
// scope from the *current* context's name map, and $error/$stop, the random state and
// --x-assign unique reach the context through it too. So a harness makes its own context
// current before it runs or deletes its model, and after deleting its context it leaves no
// thread pointing at the freed one. (Without this, two models of one shared object, the
// second one deleted first, left the thread pointing at the freed second context, and
// deleting the first model locked a mutex inside freed memory: the hang of defect 11.)
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../host/lib/sgpu_regs.h"  // SGPU_BUS_ADDR_BITS (relative: any include path)
#include "Vsgpu_sim_top.h"
#include "verilated.h"

static_assert(SGPU_BUS_ADDR_BITS <= 8 * sizeof(Vsgpu_sim_top::reg_addr_i) &&
                  SGPU_BUS_ADDR_BITS < 32,
              "the model's reg_addr_i is narrower than the register map's bus");
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

class SgpuHarness {
 public:
  explicit SgpuHarness(const char *trace_path = nullptr, uint64_t seed = 1)
      : ctx_(new VerilatedContext) {
    ctx_->randReset(2);
    ctx_->randSeed(static_cast<int>(seed));
    top_.reset(new Vsgpu_sim_top(ctx_.get(), "top"));
#if VM_TRACE_FST
    if (trace_path) {
      ctx_->traceEverOn(true);
      tfp_.reset(new VerilatedFstC);
      top_->trace(tfp_.get(), 99);
      tfp_->open(trace_path);
    }
#else
    (void)trace_path;
#endif
    top_->clk_i = 0;
    top_->reg_valid_i = 0;
    top_->reg_write_i = 0;
    top_->eng_hold_i = 0;
    top_->eng_writes_i = 0;
    top_->rst_ni = 0;
    for (int i = 0; i < 4; i++) tick();
    top_->rst_ni = 1;
    tick();
  }
  ~SgpuHarness() {
    Verilated::threadContextp(ctx_.get());
#if VM_TRACE_FST
    if (tfp_) tfp_->close();
    tfp_.reset();
#endif
    top_->final();
#if VM_COVERAGE
    // A model built with --coverage writes its counts to $SGPU_COVERAGE_DIR (make coverage).
    if (const char *dir = std::getenv("SGPU_COVERAGE_DIR")) {
      static std::atomic<unsigned> n{0};
      std::string f = std::string(dir) + "/cov-" + std::to_string(getpid()) + "-" +
                      std::to_string(n++) + ".dat";
      ctx_->coveragep()->write(f.c_str());
    }
#endif
    top_.reset();  // its scopes leave this context's name map (the current context)
    ctx_.reset();
    // No dangling current context: the next harness to run sets its own.
    Verilated::threadContextp(nullptr);
  }
  SgpuHarness(const SgpuHarness &) = delete;
  SgpuHarness &operator=(const SgpuHarness &) = delete;

  // One clock cycle: inputs set by the caller are sampled at the rising edge.
  void tick() {
    Verilated::threadContextp(ctx_.get());  // cheap (a thread-local store); see the top
    top_->clk_i = 1;
    top_->eval();
    dump();
    top_->clk_i = 0;
    top_->eval();
    dump();
    cycles_++;
  }
  void step(uint64_t n) {
    for (uint64_t i = 0; i < n; i++) tick();
  }

  // The register bus carries SGPU_BUS_ADDR_BITS address bits (the generated map). An address
  // at or beyond 1 << SGPU_BUS_ADDR_BITS is refused before anything is driven: false, no
  // clock cycle, *data untouched (driving it truncated would reach another register).
  static bool on_bus(uint32_t addr) { return (addr >> SGPU_BUS_ADDR_BITS) == 0; }

  // A posted write: one cycle. false if the address is not on the bus.
  bool write32(uint32_t addr, uint32_t data) {
    if (!on_bus(addr)) return false;
    top_->reg_valid_i = 1;
    top_->reg_write_i = 1;
    top_->reg_addr_i = static_cast<std::remove_reference_t<decltype(top_->reg_addr_i)>>(addr);
    top_->reg_wdata_i = data;
    tick();
    top_->reg_valid_i = 0;
    top_->reg_write_i = 0;
    return true;
  }
  // A read: *data set when the bus answers within max_cycles cycles after the request; false
  // (and *data untouched) if it does not or the address is not on the bus.
  bool read32(uint32_t addr, uint32_t *data, uint32_t max_cycles = 16) {
    if (!on_bus(addr)) return false;
    top_->reg_valid_i = 1;
    top_->reg_write_i = 0;
    top_->reg_addr_i = static_cast<std::remove_reference_t<decltype(top_->reg_addr_i)>>(addr);
    tick();
    top_->reg_valid_i = 0;
    for (uint32_t i = 0; i < max_cycles; i++) {
      if (top_->reg_rvalid_o) {
        *data = top_->reg_rdata_o;
        return true;
      }
      tick();
    }
    return false;
  }
  uint32_t read32(uint32_t addr) {
    uint32_t v = 0;
    if (!read32(addr, &v))
      throw std::runtime_error("register read at 0x" + hex(addr) +
                               (on_bus(addr) ? " timed out" : " is beyond the register bus"));
    return v;
  }

  // The stand-in engines (sim/rtl/sgpu_engine_standin.sv): hold every work item of the
  // engines in mask (a stuck engine: teardown must time out and abort), and whether work
  // items write their fence word (else they read it).
  void set_engine_hold(uint32_t mask) { top_->eng_hold_i = mask; }
  void set_engine_writes(bool on) { top_->eng_writes_i = on; }
  uint32_t engine_hold() const { return top_->eng_hold_i; }
  bool engine_writes() const { return top_->eng_writes_i; }
  uint32_t engine_count() const { return top_->eng_count_o; }
  uint32_t engine_items_done() const { return top_->eng_items_done_o; }
  uint32_t owner_violations() const { return top_->owner_violations_o; }
  uint64_t cycles() const { return cycles_; }
  Vsgpu_sim_top *top() { return top_.get(); }

  static std::string hex(uint32_t v) {
    char b[16];
    snprintf(b, sizeof b, "%X", v);
    return b;
  }

 private:
  void dump() {
    ctx_->timeInc(1);
#if VM_TRACE_FST
    if (tfp_) tfp_->dump(ctx_->time());
#endif
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vsgpu_sim_top> top_;
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> tfp_;
#endif
  uint64_t cycles_ = 0;
};
