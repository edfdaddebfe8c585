// tb_xbar.cpp - bench of the memory system: sgpu_mem_xbar (4 masters, at most 3 reads in
// flight) in front of sgpu_mem_sim (25 % request stalls, 0..6 extra read cycles, contents
// starting non-zero) or, with --mem bram, sgpu_mem_bram (one-cycle reads, starting at zero).
//
// Four synthetic masters, driven from C++ (tests/rtl/sgpu_xbar_tb_top.sv wires them):
//   0 "engine"    greedy: a new request every cycle it is not stalled, mostly reads
//   1, 2 "random" random idle gaps, reads and writes with random byte enables (sometimes none),
//                 random rsp_ready stalls (master 2 stalls its responses often)
//   3 "scrubber"  runs of 128 consecutive full-word writes, then a short pause
// Checks, every cycle: at most one master accepted and it asked; every read's data against a
// C++ shadow memory (initial contents per the memory's Zeroed), in each master's request order;
// no response to a master without a read outstanding; reads in flight at the memory never above
// the limit; a master that holds a request sees at most NumMasters-1 grants to others before
// its own (round robin), and waits at most a bounded number of cycles; a pending memory request
// stays unchanged until accepted. Afterwards every word is read back. The run must also have
// reached the limit, held a read back there, let a write pass there, and stalled responses,
// so the checks are not vacuous.
//
// Usage: tb_xbar [--seed N] [--cycles N] [--mem sim|bram|both]   (default: seed 1, 1,000,000
// cycles of random traffic per memory, both memories). The seed drives the masters; the
// memory's own generator is the MemSeed build parameter (fixed in the build), so the seed and
// the binary replay a run exactly. A failure prints the command line that replays it.
#include <deque>
#include <string>
#include <vector>

#include "Vsgpu_xbar_tb_top.h"
#include "verilated.h"
#include "tb_util.h"

namespace {

enum Kind { Engine, Random, Scrubber };

struct Req {
  bool we = false;
  uint32_t be = 0, addr = 0, wdata = 0;
};

struct Master {
  Kind kind;
  int rsp_stall_pct;        // % of cycles with rsp_ready low
  bool valid = false;
  Req req;
  int idle = 0;             // cycles before the next request
  uint32_t run_left = 0;    // scrubber: writes left in this run
  uint32_t run_addr = 0;
  std::deque<uint32_t> expect;  // read data owed, oldest first
  int others_granted = 0;   // grants to others while this one waited
  uint64_t wait_cycles = 0;
  // statistics
  uint64_t reads = 0, writes = 0, max_wait = 0;
  int max_others = 0;
};

struct Bench : TbBlock<Vsgpu_xbar_tb_top> {
  TbCheck &t;
  TbRng rng;
  uint32_t n, max_out, words;
  bool zeroed;
  std::vector<uint32_t> shadow;
  std::vector<Master> m;
  int out = 0;  // reads accepted by the memory, not yet answered
  // the memory-side request seen pending last cycle (must not change until accepted)
  bool mon_pending = false;
  uint32_t mon_addr = 0;
  bool mon_we = false;
  // coverage of the interesting situations
  uint64_t at_limit = 0, held_back = 0, write_at_limit = 0, rsp_stalled = 0, reads_ok = 0;
  uint64_t bram_read_refused = 0, bram_write_while_held = 0;
  int max_in_flight = 0;
  static constexpr uint64_t kWaitBound = 2000;  // cycles; generous: stalls and the limit add up
  static constexpr int kMaxPrinted = 20;        // failures printed; the rest only counted

  void check(bool ok, const char *what, const std::string &detail = "") {
    if (ok) t.passed++;
    else if (t.failed < kMaxPrinted) t.expect(false, what, detail);
    else t.failed++;
  }

  Bench(TbCheck &tc, uint64_t seed, bool bram) : t(tc), rng(seed) {
    top.mem_sel_i = bram;
    reset([](Vsgpu_xbar_tb_top &v) {
      v.m_req_valid_i = 0;
      v.m_rsp_ready_i = 0;
    });
    n = top.cfg_masters_o;
    max_out = top.cfg_max_out_o;
    words = top.cfg_words_o;
    zeroed = top.cfg_zeroed_o;
    shadow.resize(words);
    for (uint32_t a = 0; a < words; a++) shadow[a] = zeroed ? 0 : (a ^ 0xDEADBEEFu);
    for (uint32_t k = 0; k < n; k++) {
      Master x{k == 0 ? Engine : (k == n - 1 ? Scrubber : Random), 0};
      x.rsp_stall_pct = (k == 0) ? 10 : (k == 2 ? 60 : 30);
      if (x.kind == Scrubber) x.rsp_stall_pct = 0;
      m.push_back(x);
    }
  }

  void next_request(Master &x) {
    x.valid = false;
    switch (x.kind) {
      case Engine:
        x.req.we = rng.below(100) < 20;
        break;
      case Random:
        if (rng.below(100) < 40) {
          x.idle = static_cast<int>(rng.below(8));
          return;
        }
        x.req.we = rng.below(2);
        break;
      case Scrubber:
        if (x.run_left == 0) {
          x.idle = 20 + static_cast<int>(rng.below(200));
          x.run_left = 128;
          x.run_addr = rng.below(words / 128) * 128;
          return;
        }
        x.req = Req{true, 0xF, x.run_addr++, 0};
        x.run_left--;
        x.valid = true;
        return;
    }
    // A small hot region half of the time, so reads often follow writes of the same word.
    x.req.addr = rng.below(2) ? rng.below(16) : rng.below(words);
    x.req.wdata = static_cast<uint32_t>(rng.next());
    x.req.be = x.req.we ? (rng.below(8) == 0 ? 0 : rng.below(16)) : 0xF;
    x.valid = true;
  }

  // Drive the masters' inputs for this cycle.
  void drive(bool quiesce) {
    uint32_t valid = 0, ready = 0, we = 0, be = 0;
    for (uint32_t k = 0; k < n; k++) {
      Master &x = m[k];
      if (!x.valid && !quiesce) {
        if (x.idle > 0) x.idle--;
        else next_request(x);
      }
      if (x.valid) valid |= 1u << k;
      if (x.req.we) we |= 1u << k;
      be |= (x.req.be & 0xF) << (4 * k);
      top.m_req_addr_i[k] = x.req.addr;
      top.m_req_wdata_i[k] = x.req.wdata;
      if (quiesce || rng.below(100) >= static_cast<uint32_t>(x.rsp_stall_pct)) ready |= 1u << k;
    }
    top.m_req_valid_i = valid;
    top.m_req_we_i = we;
    top.m_req_be_i = be;
    top.m_rsp_ready_i = ready;
  }

  // Sample the handshakes of this cycle (after eval, before the clock edge) and check them.
  void sample() {
    uint32_t acc = top.m_req_ready_o & top.m_req_valid_i;
    check((top.m_req_ready_o & ~top.m_req_valid_i & ((1u << n) - 1)) == 0,
             "req_ready only to a master that asks");
    check((acc & (acc - 1)) == 0, "at most one request accepted per cycle");
    bool mreq = top.mon_req_valid_o && top.mon_req_ready_o;
    check(mreq == (acc != 0), "a master handshake exactly when a memory handshake");

    // Outstanding limit, seen at the memory port.
    bool full = out == static_cast<int>(max_out);
    if (full) at_limit++;
    if (top.mon_req_valid_o && !top.mon_req_we_o)
      check(!full, "no read offered to memory at the limit");
    if (full && mreq && top.mon_req_we_o) write_at_limit++;
    if (full) {
      for (uint32_t k = 0; k < n; k++)
        if (m[k].valid && !m[k].req.we && !(acc >> k & 1)) {
          held_back++;
          break;
        }
    }
    // A memory request offered and not taken must come back unchanged.
    if (mon_pending)
      check(top.mon_req_valid_o && top.mon_req_addr_o == mon_addr && top.mon_req_we_o == mon_we,
               "pending memory request held until accepted");
    mon_pending = top.mon_req_valid_o && !top.mon_req_ready_o;
    mon_addr = top.mon_req_addr_o;
    mon_we = top.mon_req_we_o;

    // Requests accepted: update the shadow, or record the data the read must return.
    for (uint32_t k = 0; k < n; k++) {
      Master &x = m[k];
      if (acc >> k & 1) {
        check(top.mon_req_addr_o == x.req.addr && top.mon_req_we_o == x.req.we,
                 "memory gets the accepted master's request");
        if (x.req.we) {
          uint32_t &w = shadow[x.req.addr];
          for (int b = 0; b < 4; b++)
            if (x.req.be >> b & 1) w = (w & ~(0xFFu << 8 * b)) | (x.req.wdata & (0xFFu << 8 * b));
          x.writes++;
        } else {
          x.expect.push_back(shadow[x.req.addr]);
          x.reads++;
        }
        x.valid = false;
        x.others_granted = 0;
        x.wait_cycles = 0;
      } else if (x.valid) {
        x.wait_cycles++;
        bool passed_over = acc != 0;
        if (passed_over) x.others_granted++;
        if (x.others_granted > x.max_others) x.max_others = x.others_granted;
        if (x.wait_cycles > x.max_wait) x.max_wait = x.wait_cycles;
        if (passed_over && x.others_granted == static_cast<int>(n)) {  // once per wait
          char b[96];
          std::snprintf(b, sizeof b, "(master %u passed over %u times, cycle %" PRIu64 ")", k, n,
                        cycles);
          check(false, "round robin: at most NumMasters-1 grants to others while waiting", b);
        }
        if (x.wait_cycles == kWaitBound + 1) {
          char b[96];
          std::snprintf(b, sizeof b, "(master %u, cycle %" PRIu64 ")", k, cycles);
          check(false, "request accepted within the cycle bound", b);
        }
      }
    }
    if (mreq && !top.mon_req_we_o) out++;

    // Responses.
    uint32_t rv = top.m_rsp_valid_o, rr = top.m_rsp_ready_i;
    check((rv & (rv - 1)) == 0, "at most one response valid");
    bool mrsp = top.mon_rsp_valid_o && top.mon_rsp_ready_o;
    check(mrsp == ((rv & rr) != 0), "a master response handshake exactly when a memory one");
    if (top.mon_rsp_valid_o && !top.mon_rsp_ready_o) {
      rsp_stalled++;
      if (top.mon_req_valid_o && !top.mon_req_we_o && !top.mon_req_ready_o) bram_read_refused++;
      if (mreq && top.mon_req_we_o) bram_write_while_held++;
    }
    for (uint32_t k = 0; k < n; k++) {
      if (!(rv >> k & 1)) continue;
      Master &x = m[k];
      if (x.expect.empty()) {
        check(false, "response only to a master with a read outstanding");
        continue;
      }
      if (rr >> k & 1) {
        uint32_t want = x.expect.front();
        x.expect.pop_front();
        if (top.m_rsp_rdata_o == want) {
          reads_ok++;
        } else {
          char b[128];
          std::snprintf(b, sizeof b, "(master %u, cycle %" PRIu64 ": got 0x%08x, want 0x%08x)", k,
                        cycles, top.m_rsp_rdata_o, want);
          check(false, "read data in request order", b);
        }
      }
    }
    if (mrsp) out--;
    if (out > max_in_flight) max_in_flight = out;  // after this cycle's handshakes
    check(out >= 0 && out <= static_cast<int>(max_out), "reads in flight within the limit");
  }

  void step(bool quiesce = false) {
    drive(quiesce);
    top.eval();
    sample();
    tick();
  }

  bool idle() const {
    if (out != 0) return false;
    for (const Master &x : m)
      if (x.valid || !x.expect.empty()) return false;
    return true;
  }

  // Let every request and response finish, with nobody stalling; fail after `limit` cycles.
  void drain(const char *when, uint64_t limit = 10000) {
    uint64_t start = cycles;
    while (!idle() && cycles - start < limit) step(true);
    check(idle(), (std::string("everything answered ") + when).c_str());
  }

  // One master reads every word, in order, and compares each with the shadow.
  void readback(uint32_t k) {
    Master &x = m[k];
    for (uint32_t a = 0; a < words; a++) {
      x.req = Req{false, 0xF, a, 0};
      x.valid = true;
      uint64_t start = cycles;
      while (x.valid && cycles - start < kWaitBound) step(true);
    }
    drain("after the read-back");
  }
};

int run(TbCheck &total, const char *argv0, uint64_t seed, uint64_t ncycles, bool bram) {
  TbCheck t;
  Bench b(t, seed, bram);
  std::printf("tb_xbar: %s memory, %u masters, limit %u reads, %u words (contents start %s)\n",
              bram ? "sgpu_mem_bram" : "sgpu_mem_sim", b.n, b.max_out, b.words,
              b.zeroed ? "zeroed" : "non-zero");
  // Never-written words read as the memory's initial contents.
  Master &first = b.m[1];
  for (uint32_t a = b.words - 8; a < b.words; a++) {
    first.req = Req{false, 0xF, a, 0};
    first.valid = true;
    for (int c = 0; first.valid && c < 100; c++) b.step(true);
  }
  b.drain("after the initial reads");
  for (uint64_t c = 0; c < ncycles; c++) b.step();
  b.drain("after the random traffic");
  b.readback(2);

  t.expect(b.rsp_stalled > 0, "a response was stalled by rsp_ready");
  if (!bram) {
    t.expect(b.at_limit > 0, "the outstanding limit was reached");
    t.expect(b.held_back > 0, "a read was held back at the limit");
    t.expect(b.write_at_limit > 0, "a write went through at the limit");
  } else {
    // Block RAM holds one response: a read waits while it is stalled, a write does not.
    t.expect(b.max_in_flight == 1, "block RAM: one read in flight at most, and reached");
    t.expect(b.bram_read_refused > 0, "block RAM: a read refused while its response is held");
    t.expect(b.bram_write_while_held > 0, "block RAM: a write accepted while a response is held");
  }
  for (uint32_t k = 0; k < b.n; k++) {
    const Master &x = b.m[k];
    std::printf("  master %u %-8s reads %7" PRIu64 " writes %7" PRIu64
                "  max wait %4" PRIu64 " cycles, %d grants to others\n",
                k, x.kind == Engine ? "engine" : x.kind == Scrubber ? "scrubber" : "random",
                x.reads, x.writes, x.max_wait, x.max_others);
    t.expect(x.reads + x.writes > 0, "every master was served");
  }
  std::printf("  %" PRIu64 " reads checked, at most %d in flight; cycles at the limit %" PRIu64
              ", reads held back there %" PRIu64 ", writes through there %" PRIu64
              "; response stalls %" PRIu64 "\n",
              b.reads_ok, b.max_in_flight, b.at_limit, b.held_back, b.write_at_limit, b.rsp_stalled);
  int rc = t.finish(bram ? "tb_xbar (bram)" : "tb_xbar (sim)");
  total.passed += t.passed;
  total.failed += t.failed;
  if (rc)
    std::printf("replay: %s --seed %" PRIu64 " --cycles %" PRIu64 " --mem %s\n", argv0, seed, ncycles,
                bram ? "bram" : "sim");
  return rc;
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1, ncycles = 1000000;
  std::string mem = "both";
  for (int i = 1; i < argc; i++) {
    std::string a(argv[i]);
    if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--cycles" && i + 1 < argc) ncycles = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--mem" && i + 1 < argc) mem = argv[++i];
    else {
      std::printf("usage: %s [--seed N] [--cycles N] [--mem sim|bram|both]\n", argv[0]);
      return 2;
    }
  }
  if (mem != "sim" && mem != "bram" && mem != "both") {
    std::printf("tb_xbar: unknown --mem '%s' (sim, bram or both)\n", mem.c_str());
    return 2;
  }
  std::printf("tb_xbar: seed %" PRIu64 " (replay: %s --seed %" PRIu64 ")\n", seed, argv[0], seed);
  TbCheck total;
  if (mem != "bram") run(total, argv[0], seed, ncycles, false);
  if (mem != "sim") run(total, argv[0], seed, ncycles, true);
  return total.finish("tb_xbar");
}
