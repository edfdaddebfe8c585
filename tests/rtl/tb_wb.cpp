// tb_wb.cpp - bench of sgpu_wb_slave (rtl/link/sgpu_wb_slave.sv) on sgpu_wb_tb_top: a
// Wishbone B4 master model drives the pipelined slave and the standard-mode (classic) slave,
// each in front of the REAL device (sgpu_sim_top in the small configuration) and in front of a
// register-bus model with random latency. Every answer is checked against an expectation
// computed when the request was accepted; every register-bus access against the request it
// came from.
//
// Phases, for each slave (pipelined, then classic):
//   device   directed: ID, a write and its read back, a sub-word write (ERR, no effect), an
//            address above 64 KiB (pipelined: ERR; classic: ignored upper bits, aliases), the
//            throughput of back-to-back accesses (pipelined: N in N+1 cycles; classic: 2N),
//            CYC dropped right after a write (the write stands) and after a read (the answer is
//            swallowed); then an admin command through the mailbox registers (pipelined:
//            CREATE_PROCESS; classic: DESTROY_PROCESS of it): args, CMD_OP, doorbell, CPL_SEQ
//            polled, CPL_STATUS and the results read;
//   device   random: pipelined reads and writes with random gaps, STALL respected, CYC
//            dropped at random, over the rw registers (CMD_ARG0..3), the data window (in and
//            beyond its words), read-only and unmapped addresses; a shadow gives every read's
//            value; random sub-word writes and high addresses;
//   model    random: the same master against a register bus whose reads take 1 cycle to
//            ~200 cycles (in order), so reads time out (ERR exactly ReadTimeout+1 cycles after
//            the request), their late answers must be discarded (never handed to a later
//            read), and with 3 of them unanswered a read is refused without reaching the bus.
// Wishbone rules checked every cycle: ACK and ERR never together; an answer only for an
// accepted, unanswered request, in order, never in the cycle after CYC was low; no request
// left unanswered longer than the timeout bound; register-bus accesses only for accepted
// requests that are not refused, with the request's address, data and direction.
// Usage: tb_wb [--seed N] [--cycles N] [--verbose]; a failure prints how to replay it.
#include <verilated.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "Vsgpu_wb_tb_top.h"
#define SGPU_TB_HAVE_HARNESS 1
#include "../../host/include/sgpu_codes.h"
#include "tb_util.h"

namespace {

constexpr uint32_t kWordBits = SGPU_BUS_ADDR_BITS - 2;  // the register space's word address bits
constexpr uint32_t kBusWords = 1u << kWordBits;  // the 64 KiB register space, in words
constexpr uint32_t kDataWords = 64;             // the core's default DataWords
constexpr uint32_t kDrainTimeout = 4096;        // the top's DrainTimeout (the default)
constexpr int kLateMax = 3;                     // 2^LateW - 1 (LateW = 2, the default)

struct Req {
  bool we = false;
  uint32_t adr = 0;  // word address, 30 bits
  uint32_t dat = 0;
  uint32_t sel = 0xF;
};

// what an accepted request must be answered with
struct Exp {
  Req r;
  bool refuse = false;     // ERR without a bus access (SEL, high address, late limit)
  bool issued = false;     // reached the register bus
  uint64_t core_idx = 0;   // model mode: which register-bus read
  uint64_t issue = 0;      // cycle of acceptance
  uint32_t want = 0;       // device mode: a read's value
  bool check = false;      // ... known to the shadow
  bool late = false;       // refused: a read with 2^LateW-1 timed-out reads unanswered
  bool scripted = false;
};

// model mode: a register-bus read in flight
struct CoreRead {
  uint64_t idx, issue, due;
  uint32_t data;
  bool abandoned = false;  // its Wishbone request was answered with ERR or dropped
};

struct Result {
  bool ack, err;
  uint32_t dat;
};

struct Bench {
  TbCheck &t;
  TbRng rng;
  bool verbose;
  TbBlock<Vsgpu_wb_tb_top> b;
  Vsgpu_wb_tb_top &top = b.top;
  int rt = 0;  // the slaves' ReadTimeout
  bool classic = false, model = false;
  // master
  bool cyc = false, have = false, prev_cyc = false;
  Req cur;
  std::deque<Exp> owed;
  std::deque<Req> script;
  std::deque<Result> results;
  bool random_on = false;
  uint32_t p_idle = 30, p_drop = 2, p_bad = 8;  // percent
  uint64_t accepted = 0, answered = 0, errs = 0, drops = 0, timeouts = 0, refused_late = 0;
  uint64_t last_answer = 0;
  // device shadow: word address -> value, for the addresses the random phase uses
  std::map<uint32_t, uint32_t> shadow;
  // model
  std::vector<uint32_t> mem = std::vector<uint32_t>(kBusWords, 0);
  std::deque<CoreRead> mq;
  uint64_t core_reads = 0;
  std::map<uint64_t, std::pair<uint64_t, uint32_t>> core_answers;  // idx -> (cycle, data)

  Bench(TbCheck &tc, uint64_t seed, bool v) : t(tc), rng(seed), verbose(v) {
    b.reset([](Vsgpu_wb_tb_top &m) {
      m.classic_i = 0;
      m.use_model_i = 0;
      m.wb_cyc_i = 0;
      m.wb_stb_i = 0;
      m.wb_we_i = 0;
      m.wb_adr_i = 0;
      m.wb_dat_i = 0;
      m.wb_sel_i = 0;
      m.m_rvalid_i = 0;
      m.m_rdata_i = 0;
    });
    rt = top.read_timeout_o;
    for (uint32_t a : {SGPU_REG_CMD_ARG0, SGPU_REG_CMD_ARG1, SGPU_REG_CMD_ARG2, SGPU_REG_CMD_ARG3})
      shadow[a / 4] = 0;
    for (uint32_t i = 0; i < 2 * kDataWords; i++) shadow[SGPU_DATA_BASE / 4 + i] = 0;
    shadow[SGPU_REG_ID / 4] = SGPU_MAGIC;
    shadow[SGPU_REG_VERSION / 4] = SGPU_VERSION;
    shadow[SGPU_REG_CAPS1 / 4] = 64;  // NumFrames of the top
    shadow[SGPU_REG_DRAIN_TIMEOUT / 4] = kDrainTimeout;
    shadow[0x4000 / 4] = 0;           // in no register and no window
  }

  uint64_t now() const { return b.cycles; }

  // ------------------------------------------------------------ expectations
  // device mode: the bits of word w a write stores and a read returns (the data window's
  // words, DRAIN_TIMEOUT's field; CMD_ARGn are stored but read back 0: readback = false)
  static uint32_t wmask(uint32_t w) {
    if (w >= SGPU_DATA_BASE / 4 && w < SGPU_DATA_BASE / 4 + kDataWords) return 0xFFFFFFFFu;
    if (w == SGPU_REG_DRAIN_TIMEOUT / 4) return (1u << SGPU_DRAIN_TIMEOUT_CYCLES_BITS) - 1;
    return 0;
  }
  void store(uint32_t w, uint32_t v) {
    auto it = shadow.find(w);
    if (it != shadow.end()) it->second = (it->second & ~wmask(w)) | (v & wmask(w));
  }
  bool high_refused(const Req &r) const { return !classic && (r.adr >> kWordBits) != 0; }

  size_t late_count() const {
    size_t n = 0;
    for (const CoreRead &c : mq) n += c.abandoned;
    return n;
  }
  void abandon(const Exp &e) {
    if (!model || !e.issued || e.r.we) return;
    for (CoreRead &c : mq)
      if (c.idx == e.core_idx) c.abandoned = true;
  }

  Exp expect_for(const Req &r) {
    Exp e;
    e.r = r;
    e.issue = now();
    e.late = model && !r.we && late_count() >= static_cast<size_t>(kLateMax);
    e.refuse = high_refused(r) || (r.we && r.sel != 0xF) || e.late;
    e.issued = !e.refuse;
    const uint32_t w = r.adr & (kBusWords - 1);
    if (!model && e.issued) {
      if (r.we) {
        store(w, r.dat);
      } else {
        auto it = shadow.find(w);
        e.check = it != shadow.end();  // the random phase reads only these
        if (e.check) e.want = it->second;
      }
    }
    return e;
  }

  void check_answer(const Exp &e, bool ack, bool err, uint32_t dat) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "(cycle %" PRIu64 ", %s word 0x%x sel 0x%x, accepted cycle %" PRIu64
                  ", ack %d err %d dat 0x%08x)", now(), e.r.we ? "write" : "read", e.r.adr, e.r.sel,
                  e.issue, ack, err, dat);
    const std::string d = buf;
    if (e.refuse) {
      t.expect(err, "refused request answered with ERR", d);
      refused_late += e.late;
      return;
    }
    if (e.r.we) {
      t.expect(ack, "write answered with ACK", d);
      t.expect(now() == e.issue + 1, "write ACKed the cycle after acceptance", d);
      return;
    }
    if (!model) {
      t.expect(ack, "device read answered with ACK", d);
      t.expect(now() == e.issue + 1, "device read ACKed one cycle after acceptance", d);
      if (ack && e.check && dat != e.want) {
        std::snprintf(buf, sizeof buf, " want 0x%08x", e.want);
        t.expect(false, "device read data", d + buf);
      }
      return;
    }
    auto it = core_answers.find(e.core_idx);
    const bool in_time = it != core_answers.end() && it->second.first - e.issue <= uint64_t(rt);
    if (in_time) {
      t.expect(ack && it->second.first == now(), "read answered in time: ACK with its answer", d);
      if (ack && dat != it->second.second) {
        std::snprintf(buf, sizeof buf, " want 0x%08x (register-bus read %" PRIu64 ")",
                      it->second.second, e.core_idx);
        t.expect(false, "model read data", d + buf);
      }
    } else {
      t.expect(err, "read not answered within ReadTimeout: ERR", d);
      t.expect(now() == e.issue + uint64_t(rt) + 1, "timeout ERR ReadTimeout+1 cycles after the request", d);
      timeouts++;
    }
  }

  // ------------------------------------------------------------ the master
  Req random_req() {
    Req r;
    r.we = rng.below(2);
    uint32_t w;
    if (model) {
      w = rng.below(64) + (rng.below(4) ? 0 : rng.below(kBusWords));
    } else {
      auto it = shadow.begin();
      std::advance(it, rng.below(static_cast<uint32_t>(shadow.size())));
      w = it->first;
    }
    r.adr = w;
    if (rng.below(100) < p_bad) r.adr |= (1u + rng.below(0xFFFF)) << kWordBits;
    r.dat = static_cast<uint32_t>(rng.next());
    r.sel = 0xF;
    if (rng.below(100) < p_bad) r.sel = rng.below(15);
    return r;
  }

  void drop_cyc() {
    cyc = false;
    have = false;
    for (const Exp &e : owed) abandon(e);
    owed.clear();
    drops++;
  }

  void choose_inputs() {
    if (random_on && cyc && rng.below(100) < p_drop) {
      drop_cyc();
      return;
    }
    if (have) return;  // held: stalled (pipelined) or waiting for its answer (classic)
    if (!script.empty()) {
      if (classic && !owed.empty()) return;
      cur = script.front();
      script.pop_front();
      have = true;
      cyc = true;
      return;
    }
    if (!random_on) {
      if (owed.empty()) cyc = false;
      return;
    }
    if (classic && !owed.empty()) return;
    if (rng.below(100) < p_idle) {
      if (owed.empty() && rng.below(4) == 0) cyc = false;  // end the cycle, idle
      return;
    }
    cur = random_req();
    have = true;
    cyc = true;
  }

  void cycle() {
    choose_inputs();
    if (!cyc && have) have = false;
    const bool stb_in = cyc && have;
    top.wb_cyc_i = cyc;
    top.wb_stb_i = stb_in;
    top.wb_we_i = cur.we;
    top.wb_adr_i = cur.adr;
    top.wb_dat_i = cur.dat;
    top.wb_sel_i = cur.sel;
    // the register-bus model answers its oldest read when due (in order, one per cycle)
    bool m_ans = model && !mq.empty() && mq.front().due <= now();
    top.m_rvalid_i = m_ans;
    top.m_rdata_i = m_ans ? mq.front().data : static_cast<uint32_t>(rng.next());
    top.eval();

    const bool ack = top.wb_ack_o, err = top.wb_err_o, stall = top.wb_stall_o;
    const uint32_t dat = top.wb_dat_o;
    if (m_ans) {
      core_answers[mq.front().idx] = {now(), mq.front().data};
    }
    t.expect(!(ack && err), "ACK and ERR never together");
    if (ack || err) {
      if (!cyc) t.expect(false, "no answer while CYC is low");
      if (!prev_cyc) t.expect(false, "no answer in the cycle after CYC was low");
      if (cyc) {
        if (owed.empty()) {
          t.expect(false, "an answer with no request owed", "(cycle " + std::to_string(now()) + ")");
        } else {
          Exp e = owed.front();
          owed.pop_front();
          check_answer(e, ack, err, dat);
          answered++;
          errs += err;
          last_answer = now();
          if (err) abandon(e);
          if (classic) have = false;
          if (e.scripted) results.push_back({ack, err, dat});
        }
      }
    }
    if (cyc && !owed.empty() && now() - owed.front().issue > uint64_t(rt) + 2)
      t.expect(false, "request unanswered beyond the timeout bound (the bus would hang)");

    const bool take = stb_in && !stall;
    if (classic && take) t.expect(owed.empty(), "classic: a request taken only with nothing owed");
    bool bus = top.bus_valid_o;
    if (take) {
      Exp e = expect_for(cur);
      e.scripted = !random_on;
      accepted++;
      t.expect(bus == e.issued, e.issued ? "an accepted request reaches the register bus"
                                         : "a refused request does not reach the register bus");
      if (bus) {
        t.expect_eq(top.bus_write_o, cur.we, "bus direction");
        t.expect_eq(top.bus_addr_o, (cur.adr & (kBusWords - 1)) << 2, "bus byte address");
        if (cur.we) t.expect_eq(top.bus_wdata_o, cur.dat, "bus write data");
      }
      if (model && bus) {
        const uint32_t w = top.bus_addr_o >> 2;
        if (cur.we) {
          mem[w] = cur.dat;
        } else {
          const uint32_t r = rng.below(100);
          uint64_t lat = r < 65 ? 1 : r < 85 ? 1 + rng.below(rt) : r < 98 ? rt + 1 + rng.below(2 * rt)
                                                                        : 50 + rng.below(150);
          uint64_t due = now() + lat;
          if (!mq.empty() && mq.back().due >= due) due = mq.back().due + 1;
          e.core_idx = core_reads++;
          mq.push_back({e.core_idx, now(), due, mem[w] ^ static_cast<uint32_t>(e.core_idx << 20)});
        }
      }
      owed.push_back(e);
      if (!classic) have = false;
    } else {
      t.expect(!bus, "no register-bus access without an accepted request");
    }
    if (m_ans) mq.pop_front();
    if (verbose)
      std::printf("%8" PRIu64 " cyc %d stb %d we %d adr 0x%x sel %x | stall %d ack %d err %d dat %08x bus %d\n",
                  now(), cyc, stb_in, cur.we, cur.adr, cur.sel, stall, ack, err, dat, bus);
    prev_cyc = cyc;
    b.tick();
  }

  // ------------------------------------------------------------ blocking accesses (the
  // harness interface tb_util.h's admin() uses)
  Result run_one(const Req &r) {
    script.push_back(r);
    const uint64_t start = now();
    while (!script.empty() || have || !owed.empty()) {
      cycle();
      if (now() - start > 1000) {
        t.expect(false, "blocking access timed out");
        std::exit(2);
      }
    }
    cycle();  // CYC low for a cycle between blocking accesses
    Result res = results.empty() ? Result{false, false, 0} : results.back();
    results.clear();
    return res;
  }
  uint32_t read32(uint32_t addr) {
    Result r = run_one({false, addr / 4, 0, 0xF});
    t.expect(r.ack, "blocking read ACKed");
    return r.dat;
  }
  void write32(uint32_t addr, uint32_t v) {
    Result r = run_one({true, addr / 4, v, 0xF});
    t.expect(r.ack, "blocking write ACKed");
  }
  uint64_t cycles() const { return now(); }
  void step(int n) {
    for (int i = 0; i < n; i++) cycle();
  }

  void idle(int n) {
    random_on = false;
    for (int i = 0; i < n || have || !owed.empty(); i++) {
      cycle();
      if (i > 10000) {
        t.expect(false, "idle: answers still owed after 10000 cycles");
        std::exit(2);
      }
    }
  }
  void select(bool cls, bool mdl) {
    idle(4);
    // model mode: let every read given up come back, so the next phase starts clean
    while (model && !mq.empty()) cycle();
    classic = cls;
    model = mdl;
    top.classic_i = cls;
    top.use_model_i = mdl;
    top.eval();
  }

  // ------------------------------------------------------------ phases
  void directed() {
    const char *m = classic ? "classic" : "pipelined";
    std::printf("tb_wb: %s slave, device, directed\n", m);
    t.expect_eq(read32(SGPU_REG_ID), SGPU_MAGIC, "ID through Wishbone");
    const uint32_t w5 = SGPU_DATA_BASE + 4 * 5;
    write32(w5, 0x12345678);
    t.expect_eq(read32(w5), 0x12345678, "a data-window word written and read back");
    Result r = run_one({true, w5 / 4, 0xAAAAAAAA, 0x3});
    t.expect(r.err && !r.ack, "a sub-word write (SEL 0x3) is answered with ERR");
    t.expect_eq(read32(w5), 0x12345678, "... and changes nothing");
    const uint32_t high = (w5 / 4) | (1u << 20);
    r = run_one({true, high, 0x55AA55AA, 0xF});
    if (classic) {
      t.expect(r.ack, "classic (ErrHigh 0): an address above 64 KiB is ACKed");
      t.expect_eq(read32(w5), 0x55AA55AA, "... and aliases into the 64 KiB");
    } else {
      t.expect(r.err, "pipelined (ErrHigh 1): an address above 64 KiB is answered with ERR");
      t.expect_eq(read32(w5), 0x12345678, "... and changes nothing");
      r = run_one({false, high, 0, 0xF});
      t.expect(r.err, "pipelined (ErrHigh 1): a read above 64 KiB is answered with ERR");
    }
    // throughput: N back-to-back accesses
    const int n = 32;
    for (int i = 0; i < n; i++) script.push_back({i % 2 == 0, SGPU_DATA_BASE / 4 + uint32_t(i / 2), uint32_t(i), 0xF});
    const uint64_t start = now();
    while (!script.empty() || have || !owed.empty()) cycle();
    const uint64_t took = last_answer - start + 1;
    for (const Result &x : results) t.expect(x.ack, "throughput run: every access ACKed");
    results.clear();
    cycle();
    std::printf("tb_wb: %s: %d back-to-back accesses (alternating write/read) in %" PRIu64 " cycles\n",
                m, n, took);
    t.expect_eq(took, classic ? 2 * n : n + 1,
                classic ? "classic: N accesses take 2N cycles" : "pipelined: N accesses take N+1 cycles");
    for (int i = 0; i < n / 2; i++)
      t.expect_eq(read32(SGPU_DATA_BASE + 4 * i), uint32_t(2 * i), "throughput run's writes");
    // CYC dropped with answers owed: the write stands, the read's answer is swallowed
    script.push_back({true, w5 / 4, 0xC0FFEE00, 0xF});
    cycle();
    t.expect_eq(owed.size(), 1, "write accepted");
    drop_cyc();
    cycle();
    t.expect_eq(read32(w5), 0xC0FFEE00, "a write accepted before CYC dropped stands");
    script.push_back({false, w5 / 4, 0, 0xF});
    cycle();
    drop_cyc();
    cycle();
    t.expect_eq(read32(SGPU_REG_ID), SGPU_MAGIC, "after a dropped read: the next read gets its own answer");
    for (uint32_t i = 0; i < kDataWords; i++) shadow[SGPU_DATA_BASE / 4 + i] = read32(SGPU_DATA_BASE + 4 * i);
  }

  void admin_commands() {
    write32(SGPU_REG_DRAIN_TIMEOUT, kDrainTimeout);  // the random phase wrote it
    shadow[SGPU_REG_DRAIN_TIMEOUT / 4] = kDrainTimeout;
    if (!classic) {
      std::printf("tb_wb: pipelined slave: CREATE_PROCESS through the mailbox registers\n");
      wait_until(*this, [&] { return read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "the first scrub", 200000);
      const uint32_t used0 = read32(SGPU_REG_FRAMES_USED);
      const uint32_t seq0 = read32(SGPU_REG_CPL_SEQ);
      Completion c = admin(*this, SGPU_OP_CREATE_PROCESS, 0, 0, 0, 0, 500000);
      t.expect_eq(c.status, SGPU_STATUS_SUCCESS, "CREATE_PROCESS over Wishbone: CPL_STATUS");
      t.expect_eq(read32(SGPU_REG_CPL_SEQ), seq0 + 1, "CPL_SEQ advanced by one");
      t.expect(read32(SGPU_REG_FRAMES_USED) > used0, "the new process's root table is allocated");
      handle = c.res[0];
      std::printf("tb_wb: process handle 0x%08x\n", handle);
    } else {
      std::printf("tb_wb: classic slave: DESTROY_PROCESS through the mailbox registers\n");
      Completion c = admin(*this, SGPU_OP_DESTROY_PROCESS, handle, 0, 0, SGPU_POLICY_EAGER, 500000);
      t.expect_eq(c.status, SGPU_STATUS_SUCCESS, "DESTROY_PROCESS over Wishbone: CPL_STATUS");
      Completion d = admin(*this, SGPU_OP_DESTROY_PROCESS, handle, 0, 0, SGPU_POLICY_EAGER, 500000);
      t.expect(d.status != SGPU_STATUS_SUCCESS, "a second DESTROY of the same handle fails");
    }
  }

  void random_run(uint64_t n) {
    std::printf("tb_wb: %s slave, %s, %" PRIu64 " random cycles\n", classic ? "classic" : "pipelined",
                model ? "register-bus model" : "device", n);
    const uint64_t a0 = accepted, e0 = errs, d0 = drops, t0 = timeouts, l0 = refused_late;
    random_on = true;
    for (uint64_t i = 0; i < n; i++) {
      if (i % 2000 == 0) {  // vary the master: busy and gap-free, or sparse with drops
        p_idle = rng.below(4) == 0 ? 0 : rng.below(60);
        p_drop = rng.below(3) == 0 ? 0 : 1 + rng.below(4);
      }
      cycle();
      if (t.failed > 20) break;
    }
    idle(4);
    std::printf("tb_wb:   %" PRIu64 " requests accepted, %" PRIu64 " ERR, %" PRIu64 " CYC drops, %" PRIu64
                " timeouts, %" PRIu64 " refused at the late limit\n",
                accepted - a0, errs - e0, drops - d0, timeouts - t0, refused_late - l0);
    t.expect(accepted - a0 > n / 4, "the random run accepted requests");
    if (model) t.expect(timeouts - t0 > 0, "the model run exercised read timeouts");
  }

  uint32_t handle = 0;
};

}  // namespace

int main(int argc, char **argv) {
  uint64_t seed = 1, ncycles = 20000;
  bool verbose = false;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--cycles" && i + 1 < argc) {
      ncycles = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--verbose") {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seed N] [--cycles N] [--verbose]\n"
                   "  Wishbone slave bench (sgpu_wb_slave): directed and random pipelined and classic\n"
                   "  accesses against the device and a random-latency register-bus model.\n"
                   "  --cycles N: random cycles per random phase (default 20000)\n",
                   argv[0]);
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  Verilated::commandArgs(argc, argv);
  TbCheck t;
  Bench b(t, seed, verbose);
  std::printf("tb_wb: seed %" PRIu64 ", ReadTimeout %d\n", seed, b.rt);
  for (bool cls : {false, true}) {
    b.select(cls, false);
    b.directed();
    b.admin_commands();
    b.random_run(ncycles);
    b.select(cls, true);
    b.random_run(ncycles);
  }
  int rc = t.finish("tb_wb");
  if (rc) std::printf("replay: %s --seed %" PRIu64 " --cycles %" PRIu64 " --verbose\n", argv[0], seed, ncycles);
  return rc;
}
