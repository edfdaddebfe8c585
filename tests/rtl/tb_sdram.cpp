// tb_sdram: the ULX3S SDRAM path (tests/rtl/sgpu_sdram_tb_top.sv: sgpu_mem_sdram -> the
// generated LiteDRAM controller -> GENSDRPHY -> the chip model sgpu_sdram_model, started by
// sgpu_sdram_init) driven through the core's memory-port contract with random reads and
// writes (random byte enables), every read checked against a shadow memory; unwritten words
// must read as the chip model's power-up pattern (nothing zeroes the SDRAM).
// Addresses: half from a small pool of words spread over every bank and a few rows per bank
// (row hits, row misses, read-after-write to the same word), half anywhere in the 32 MB.
// Run long enough for hundreds of refreshes; the response side takes responses with random
// delays (rsp_ready low), and requests come with random gaps.
// Checks: start-up completes (init_done, the chip's mode set) within a bound; every read
// answers with the shadow's value, in order; the chip model reports no violation (datasheet
// timing, bank state, refresh rate, start-up sequence); refreshes and row misses happened;
// no request waits longer than a bound. Prints latency and throughput.
// --expect-violations: for a build whose chip model is slower than the controller (tRCD):
// passes only if the chip model reports violations (its checks can fail).
// Usage: tb_sdram [--seed N] [--ops N] [--expect-violations]
#include <verilated.h>

#include <cstring>
#include <deque>
#include <unordered_map>

#include "Vsgpu_sdram_tb_top.h"
#include "tb_util.h"

namespace {

// the chip model's power-up contents (sgpu_sdram_model.sv): half-word a
uint16_t chip_init(uint32_t a) { return static_cast<uint16_t>(a ^ 0xA5C3u ^ (a >> 8)); }
uint32_t word_init(uint32_t w) {
  return static_cast<uint32_t>(chip_init(2 * w)) | (static_cast<uint32_t>(chip_init(2 * w + 1)) << 16);
}

constexpr uint32_t kWords = 1u << 23;          // 32 MB of 32-bit words
constexpr uint64_t kInitBound = 20000;         // cycles to init_done (power-up wait is 8,000)
constexpr uint64_t kWaitBound = 2000;          // cycles a request or a response may wait

}  // namespace

int main(int argc, char **argv) {
  uint64_t seed = 1, ops = 60000;
  bool expect_violations = false;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (!std::strcmp(argv[i], "--ops") && i + 1 < argc) {
      ops = std::strtoull(argv[++i], nullptr, 0);
    } else if (!std::strcmp(argv[i], "--expect-violations")) {
      expect_violations = true;
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("usage: tb_sdram [--seed N] [--ops N] [--expect-violations]\n"
                  "The ULX3S SDRAM path (adapter, LiteDRAM, GENSDRPHY, chip model) under random\n"
                  "reads and writes checked against a shadow memory.\n");
      return 0;
    } else {
      std::fprintf(stderr, "tb_sdram: unknown argument '%s' (see --help)\n", argv[i]);
      return 2;
    }
  }
  std::printf("tb_sdram: seed %" PRIu64 ", %" PRIu64 " requests%s\n", seed, ops,
              expect_violations ? ", expecting chip-model violations" : "");
  TbBlock<Vsgpu_sdram_tb_top> tb;
  TbCheck chk;
  TbRng rng(seed);
  auto &t = tb.top;
  tb.reset([](Vsgpu_sdram_tb_top &v) {
    v.req_valid_i = 0;
    v.rsp_ready_i = 0;
  });

  // start-up
  while (!t.init_done_o && tb.cycles < kInitBound) tb.tick();
  chk.expect(t.init_done_o, "init_done within the start-up bound");
  chk.expect(t.chip_ready_o, "the chip's mode register set by the start-up sequence");
  std::printf("tb_sdram: init_done after %" PRIu64 " cycles\n", tb.cycles);
  if (!t.init_done_o) return chk.finish("tb_sdram");

  // a frame's worth of sequential whole-word writes, as the scrubber does (4 KiB = 1024 words,
  // response side idle), then read back in order: cycles per word of each
  std::unordered_map<uint32_t, uint32_t> shadow;
  {
    const uint32_t base = 0x123400;  // a 4 KiB-aligned word address (frame 0x48d)
    uint64_t t0 = tb.cycles;
    for (uint32_t i = 0; i < 1024;) {
      t.req_valid_i = 1;
      t.req_we_i = 1;
      t.req_be_i = 0xF;
      t.req_addr_i = base + i;
      t.req_wdata_i = 0;
      t.rsp_ready_i = 1;
      t.eval();
      if (t.req_ready_o) {
        shadow[base + i] = 0;
        i++;
      }
      tb.tick();
      if (tb.cycles - t0 > 1024 * kWaitBound) break;
    }
    uint64_t wr = tb.cycles - t0;
    t0 = tb.cycles;
    uint32_t got = 0, sent = 0, bad = 0;
    while (got < 1024 && tb.cycles - t0 < 1024 * kWaitBound) {
      t.req_valid_i = sent < 1024;
      t.req_we_i = 0;
      t.req_addr_i = base + sent;
      t.rsp_ready_i = 1;
      t.eval();
      if (t.rsp_valid_o) {
        bad += t.rsp_rdata_o != 0;
        got++;
      }
      if (t.req_valid_i && t.req_ready_o) sent++;
      tb.tick();
    }
    t.req_valid_i = 0;
    uint64_t rd = tb.cycles - t0;
    chk.expect(got == 1024 && bad == 0, "a scrubbed frame reads back as zeros");
    std::printf("tb_sdram: one 4 KiB frame: %" PRIu64 " cycles to write with zeros (%.2f per word), "
                "%" PRIu64 " to read back\n", wr, double(wr) / 1024.0, rd);
  }

  // the address pool: 4 banks x 4 rows x 4 columns (native address = {row, bank, col})
  uint32_t pool[64];
  for (int i = 0; i < 64; i++) {
    uint32_t bank = i & 3, row = (i >> 2) & 3, col = static_cast<uint32_t>(rng.below(256));
    uint32_t native = (row * 37 + 5) << 11 | bank << 9 | col * 2;  // even: word aligned
    pool[i] = native >> 1;
  }
  std::deque<std::pair<uint32_t, uint64_t>> expect;  // expected read data, issue cycle
  uint64_t issued = 0, reads = 0, writes = 0, answered = 0, lat_sum = 0, lat_max = 0;
  uint64_t wait = 0, rsp_wait = 0, mismatches = 0, start = tb.cycles;
  bool have = false;
  const bool trace = std::getenv("TB_SDRAM_TRACE") != nullptr;
  uint32_t we = 0, be = 0, addr = 0, wdata = 0;
  while ((issued < ops || !expect.empty()) && chk.failed == 0) {
    // a new request (or the held one)
    if (!have && issued < ops && rng.below(100) < 80) {
      have = true;
      we = rng.below(2);
      addr = rng.below(2) ? pool[rng.below(64)] : rng.below(kWords);
      be = we ? (rng.below(4) ? 0xFu : 1 + rng.below(15)) : 0xFu;
      wdata = static_cast<uint32_t>(rng.next());
    }
    t.req_valid_i = have;
    t.req_we_i = we;
    t.req_be_i = be;
    t.req_addr_i = addr;
    t.req_wdata_i = wdata;
    t.rsp_ready_i = rng.below(100) < 70;
    t.eval();
    bool req_fire = have && t.req_ready_o;
    bool rsp_fire = t.rsp_valid_o && t.rsp_ready_i;
    if (rsp_fire) {
      if (expect.empty()) {
        chk.expect(false, "a response nobody asked for");
      } else {
        auto [want, when] = expect.front();
        expect.pop_front();
        if (t.rsp_rdata_o != want) {
          char b[96];
          std::snprintf(b, sizeof b, "(read %" PRIu64 ": got 0x%08x, want 0x%08x)", answered,
                        t.rsp_rdata_o, want);
          chk.expect(false, "read data", b);
          mismatches++;
        }
        uint64_t lat = tb.cycles - when;
        lat_sum += lat;
        if (lat > lat_max) lat_max = lat;
        answered++;
      }
    }
    if (req_fire && trace)
      std::printf("  %" PRIu64 ": %s addr 0x%06x be %x wdata 0x%08x\n", tb.cycles, we ? "write" : "read",
                  addr, be, wdata);
    if (req_fire) {
      auto it = shadow.find(addr);
      uint32_t old = it != shadow.end() ? it->second : word_init(addr);
      if (we) {
        uint32_t m = 0;
        for (int b = 0; b < 4; b++)
          if (be >> b & 1) m |= 0xFFu << (8 * b);
        shadow[addr] = (old & ~m) | (wdata & m);
        writes++;
      } else {
        expect.emplace_back(old, tb.cycles);
        reads++;
      }
      issued++;
      have = false;
      wait = 0;
    } else if (have && ++wait > kWaitBound) {
      chk.expect(false, "request accepted within the wait bound");
      break;
    }
    rsp_wait = t.rsp_valid_o && !rsp_fire ? rsp_wait : 0;
    if (!expect.empty() && tb.cycles - expect.front().second > kWaitBound) {
      chk.expect(false, "read answered within the wait bound");
      break;
    }
    tb.tick();
  }
  t.req_valid_i = 0;
  t.rsp_ready_i = 1;
  for (int i = 0; i < 100; i++) tb.tick();
  chk.expect(!t.rsp_valid_o, "no response after the last one");
  uint64_t run = tb.cycles - start;
  std::printf("tb_sdram: %" PRIu64 " reads, %" PRIu64 " writes in %" PRIu64
              " cycles; read latency mean %.1f max %" PRIu64 " cycles (random response stalls)\n",
              reads, writes, run, reads ? double(lat_sum) / double(reads) : 0.0, lat_max);
  std::printf("tb_sdram: chip: %u ACTIVE (row opens), %u READ, %u WRITE, %u REFRESH, %u violations\n",
              t.chip_acts_o, t.chip_reads_o, t.chip_writes_o, t.chip_refreshes_o, t.chip_errors_o);
  if (expect_violations) {
    // the checks that must fire: only the chip model's
    std::printf("tb_sdram: %u chip-model violations reported (expected some)\n", t.chip_errors_o);
    TbCheck want;
    want.expect(t.chip_errors_o > 0, "the chip model reports the too-fast controller");
    return want.finish("tb_sdram (broken chip timing)");
  }
  chk.expect_eq(t.chip_errors_o, 0, "chip-model violations");
  chk.expect_eq(answered, reads, "every read answered");
  chk.expect(t.chip_refreshes_o >= run / 400, "refreshes kept up (one per 391 cycles at 50 MHz)");
  chk.expect(t.chip_acts_o > 1000, "row misses exercised (ACTIVE commands)");
  chk.expect(!t.init_error_o, "no init_error");
  chk.expect_eq(mismatches, 0, "read mismatches");
  return chk.finish("tb_sdram");
}
