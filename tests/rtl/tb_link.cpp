// tb_link.cpp - the RTL link bridge (rtl/link/sgpu_link_bridge.sv) against the
// C reference bridge (tests/model/bridge_ref.c), byte for byte.
//
// Each step sends one piece of byte stream, the same to both bridges: a request
// built with the host's encoder (host/lib/link_proto.c: sgpui_link_frame_build,
// or its CRC and COBS for frames the builder refuses to make) or a damaged one.
// Both bridges master a register device of their own, two copies of one C model
// (class Dev) that start equal and see the same configuration each step, so
// equal bus behaviour keeps them equal. After each step the RTL bridge runs
// until it is quiet; then
//   - its output bytes must equal the reference's exactly (responses, NAKs,
//   replays, and
//     nothing for a dropped frame);
//   - the register writes each bridge made must be the same list (address,
//   value), and the
//     reads the same list once repeated CPL_SEQ polls are counted as one (the
//     reference counts polls where the RTL counts cycles);
//   - the two devices must hold the same registers.
// Steps (random, seeded): every request kind with valid and invalid payloads
// (operations, alignment, nargs, nres, flags, words, lengths), unknown kinds, a
// wrong version, a wrong length field, a repeated sequence number (a replay: no
// bus access), a flipped bit (BAD_CRC), a lost, duplicated or inserted byte, a
// frame cut short, garbage, empty frames, frames too long to decode; a busy
// device (ADMIN_BUSY), a device that never completes (ADMIN_TIMEOUT), a
// register that does not answer (BUS_ERROR). The RTL side also takes bytes with
// random gaps and sends them against random back-pressure.
//
// --noise: each step is instead a pure random byte stream (random lengths up to several
// times the longest frame, random zero density, bursts of zeros) then a valid PING: outputs
// compared as above, no register access unless the reference executed a frame by chance,
// and the PING answered (the bridge's receiver resynchronises).
//
// Usage: tb_link [--seed N] [--steps N] [--noise] [--verbose]. A failure prints the
// replay line.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "Vsgpu_link_bridge.h"
#include "tb_util.h"
#include "verilated.h"

extern "C" {
#include "bridge_ref.h"
#include "link_proto.h"
}

namespace {

constexpr unsigned kAdminWaitLog2 = 8;  // the model's -GAdminWaitLog2 (mk/verilator.mk)

// A register device: a register file over the whole bus; reads of a hole are
// not answered; a doorbell completes the command at once (CPL_SEQ + 1, status
// and results from the arguments) unless the device is set to hang.
struct Dev {
  std::map<uint32_t, uint32_t> regs;
  std::set<uint32_t> holes;
  bool hang = false;
  std::vector<std::pair<uint32_t, uint32_t>> writes;
  std::vector<uint32_t> reads;
  uint32_t rd(uint32_t a) const {
    auto it = regs.find(a);
    return it == regs.end() ? a * 0x9E3779B1u : it->second;
  }
  bool read(uint32_t a, uint32_t *v) {
    if (reads.empty() || !(a == SGPU_REG_CPL_SEQ && reads.back() == a)) reads.push_back(a);
    if (holes.count(a)) return false;
    *v = rd(a);
    return true;
  }
  void write(uint32_t a, uint32_t v) {
    writes.push_back({a, v});
    regs[a] = v;
    if (a == SGPU_REG_ADMIN_DOORBELL && !hang) {
      uint32_t op = rd(SGPU_REG_CMD_OP), a0 = rd(SGPU_REG_CMD_ARG0), a1 = rd(SGPU_REG_CMD_ARG1);
      regs[SGPU_REG_CPL_SEQ] = rd(SGPU_REG_CPL_SEQ) + 1;
      regs[SGPU_REG_CPL_STATUS] = (a0 & 3u) ? 0xC000000Du : SGPU_STATUS_SUCCESS;
      for (uint32_t i = 0; i < 6; i++) regs[SGPU_REG_CPL_RES0 + 4 * i] = a0 * 31u + a1 + op + i;
    }
  }
};

int dev_read(void *ctx, uint32_t addr, uint32_t *val) {
  return static_cast<Dev *>(ctx)->read(addr, val) ? 0 : -1;
}
int dev_write(void *ctx, uint32_t addr, uint32_t val) {
  static_cast<Dev *>(ctx)->write(addr, val);
  return 0;
}
// The reference's io context is its Dev; its tx callback appends to the bench's
// copy.
std::vector<uint8_t> *g_ref_out = nullptr;
void ref_tx(void *, const uint8_t *p, size_t n) { g_ref_out->insert(g_ref_out->end(), p, p + n); }

struct Bench : TbBlock<Vsgpu_link_bridge> {
  TbCheck &t;
  TbRng rng;
  bool verbose;
  Dev dref, drtl;
  bridge_ref ref;
  std::vector<uint8_t> ref_out, rtl_out;
  // the RTL bus: a read answered after 1..3 cycles, or never (a hole)
  int rd_wait = -1;
  uint32_t rd_addr = 0;
  uint8_t seq = 0;
  uint64_t steps = 0, compared_bytes = 0;
  std::map<std::string, int> kinds_seen;

  Bench(TbCheck &tc, uint64_t seed, bool v) : t(tc), rng(seed), verbose(v) {
    bridge_ref_io io{&dref, dev_read, dev_write, ref_tx};
    bridge_ref_init(&ref, &io, kAdminWaitLog2);
    reset([](Vsgpu_link_bridge &m) {
      m.rx_valid_i = 0;
      m.rx_data_i = 0;
      m.tx_ready_i = 0;
      m.reg_rvalid_i = 0;
      m.reg_rdata_i = 0;
    });
    // device contents: some registers set, the rest read as a hash of the
    // address
    for (uint32_t i = 0; i < 64; i++) {
      uint32_t a = 4 * rng.below(0x140 / 4), v = uint32_t(rng.next());
      dref.regs[a] = drtl.regs[a] = v;
    }
    for (uint32_t a = 0x7F00; a < 0x8000; a += 4) dref.holes.insert(a), drtl.holes.insert(a);
    set_admin_status(false);
  }

  void set_admin_status(bool busy) {
    uint32_t v = (busy ? 1u : 0u) << SGPU_ADMIN_STATUS_BUSY_LSB | 0x5A00u;
    dref.regs[SGPU_REG_ADMIN_STATUS] = drtl.regs[SGPU_REG_ADMIN_STATUS] = v;
  }

  // One RTL cycle: drive the bus answer, collect a sent byte.
  void cycle(bool tx_ready) {
    top.tx_ready_i = tx_ready;
    top.reg_rvalid_i = 0;
    if (rd_wait == 0) {
      uint32_t v;
      if (drtl.read(rd_addr, &v)) {
        top.reg_rvalid_i = 1;
        top.reg_rdata_i = v;
      }
      rd_wait = -1;
    } else if (rd_wait > 0) {
      rd_wait--;
    }
    top.eval();
    if (top.tx_valid_o && top.tx_ready_i) rtl_out.push_back(top.tx_data_o);
    bool req = top.reg_valid_o, wr = top.reg_write_o;
    uint32_t addr = top.reg_addr_o, wdata = top.reg_wdata_o;
    tick();
    if (req) {
      t.expect(rd_wait < 0 || wr, "bus: one read at a time");
      if (wr)
        drtl.write(addr, wdata);
      else {
        rd_addr = addr;
        rd_wait = int(rng.below(3));
      }
    }
  }

  std::string hex(const std::vector<uint8_t> &v) {
    std::string s;
    char b[4];
    for (uint8_t x : v) {
      std::snprintf(b, sizeof b, "%02x ", x);
      s += b;
    }
    return s;
  }

  void compare(const char *what) {
    steps++;
    kinds_seen[what]++;
    bool same = ref_out == rtl_out;
    compared_bytes += ref_out.size();
    if (!same || verbose)
      std::printf("step %" PRIu64 " (%s)\n  ref %s\n  rtl %s\n", steps, what, hex(ref_out).c_str(),
                  hex(rtl_out).c_str());
    t.expect(same, "response bytes equal to the reference bridge's", what);
    t.expect(dref.writes == drtl.writes, "register writes equal to the reference's", what);
    t.expect(dref.reads == drtl.reads, "register reads equal to the reference's", what);
    t.expect(dref.regs == drtl.regs, "device registers equal", what);
    ref_out.clear();
    rtl_out.clear();
    dref.writes.clear();
    drtl.writes.clear();
    dref.reads.clear();
    drtl.reads.clear();
  }

  // ------------------------------------------------------------ building frames
  static std::vector<uint8_t> raw_frame(uint8_t ver, uint8_t kind, uint8_t s, uint16_t len_field,
                                        const std::vector<uint8_t> &p) {
    std::vector<uint8_t> r(SGPU_LINK_HDR_LEN + p.size() + SGPU_LINK_CRC_LEN);
    r[SGPU_LINK_OFF_VERSION] = ver;
    r[SGPU_LINK_OFF_KIND] = kind;
    r[SGPU_LINK_OFF_SEQ] = s;
    r[SGPU_LINK_OFF_LEN] = uint8_t(len_field);
    r[SGPU_LINK_OFF_LEN + 1] = uint8_t(len_field >> 8);
    std::copy(p.begin(), p.end(), r.begin() + SGPU_LINK_HDR_LEN);
    size_t n = SGPU_LINK_HDR_LEN + p.size();
    uint16_t crc = sgpui_link_crc16(SGPU_LINK_CRC_INIT, r.data(), n);
    r[n] = uint8_t(crc >> 8);  // most significant byte first
    r[n + 1] = uint8_t(crc);
    return r;
  }
  static std::vector<uint8_t> wire(const std::vector<uint8_t> &raw) {
    std::vector<uint8_t> w(raw.size() + raw.size() / 254 + 4);
    w[0] = SGPU_LINK_DELIM;
    size_t e = sgpui_link_cobs_encode(raw.data(), raw.size(), w.data() + 1);
    w[1 + e] = SGPU_LINK_DELIM;
    w.resize(e + 2);
    return w;
  }
  std::vector<uint8_t> build(uint8_t kind, uint8_t s, const std::vector<uint8_t> &p) {
    uint8_t w[SGPU_LINK_MAX_WIRE];
    size_t n = 0;
    char err[128];
    int e = sgpui_link_frame_build(kind, s, p.data(), p.size(), w, sizeof w, &n, nullptr, nullptr,
                                   err, sizeof err);
    t.expect(e == SGPUI_LINK_OK, "host encoder builds the frame", err);
    return std::vector<uint8_t>(w, w + n);
  }

  static void put16(std::vector<uint8_t> &p, uint32_t v) {
    p.push_back(uint8_t(v));
    p.push_back(uint8_t(v >> 8));
  }
  static void put32(std::vector<uint8_t> &p, uint32_t v) {
    put16(p, v);
    put16(p, v >> 16);
  }

  uint32_t some_addr() {
    switch (rng.below(6)) {
      case 0:
        return 0x7F00 + 4 * rng.below(64);  // a hole
      case 1:
        return SGPU_REG_ID + 4 * rng.below(5);
      case 2:
        return SGPU_DATA_BASE + 4 * rng.below(64);
      default:
        return 4 * rng.below(0x140 / 4);
    }
  }

  std::vector<uint8_t> batch_payload(bool damage) {
    std::vector<uint8_t> p;
    unsigned nops = rng.below(8) == 0 ? 60 + rng.below(120) : 1 + rng.below(12);
    bool reads_only = rng.below(10) == 0;  // up to 170 reads: TOO_LONG beyond 127
    for (unsigned i = 0; i < nops; i++) {
      bool w = !reads_only && rng.below(2);
      size_t need = w ? 7 : 3;
      if (p.size() + need > SGPU_LINK_MAX_PAYLOAD) break;
      p.push_back(w ? SGPU_LINK_OP_WRITE : SGPU_LINK_OP_READ);
      put16(p, some_addr());
      if (w) put32(p, uint32_t(rng.next()));
    }
    if (damage && !p.empty()) {
      switch (rng.below(3)) {
        case 0:
          p[rng.below(uint32_t(p.size()))] = uint8_t(rng.next());
          break;  // op/align
        case 1:
          p.resize(p.size() - 1 - rng.below(2));
          break;  // cut short
        default:  // a bad op, within the payload limit
          if (p.size() < SGPU_LINK_MAX_PAYLOAD)
            p.push_back(uint8_t(2 + rng.below(250)));
          else
            p.back() = uint8_t(2 + rng.below(250));
          break;
      }
    }
    return p;
  }

  std::vector<uint8_t> admin_payload(bool damage) {
    std::vector<uint8_t> p;
    uint8_t nargs = uint8_t(rng.below(5)), nres = uint8_t(rng.below(7));
    p.push_back(uint8_t(rng.below(10)));
    p.push_back(uint8_t(rng.below(3)));
    p.push_back(nargs);
    p.push_back(nres);
    p.push_back(uint8_t(rng.below(2)));
    for (unsigned i = 0; i < nargs; i++) put32(p, rng.below(4) ? uint32_t(rng.next()) : 0);
    if (damage) {
      switch (rng.below(4)) {
        case 0:
          p[1 + rng.below(4)] = uint8_t(rng.next());
          break;
        case 1:
          p.resize(rng.below(uint32_t(p.size())));
          break;
        case 2:
          p.push_back(uint8_t(rng.next()));
          break;
        default:
          p[2] = uint8_t(rng.below(6));
          break;
      }
    }
    return p;
  }

  std::vector<uint8_t> mem_payload(bool write, bool damage) {
    std::vector<uint8_t> p;
    uint32_t words = 1 + rng.below(rng.below(4) ? 16 : SGPU_LINK_MEM_MAX_WORDS);
    put32(p, rng.below(3) ? uint32_t(rng.next()) & ~3u : 0x10001u);
    put32(p, uint32_t(rng.next()));
    if (write)
      for (uint32_t i = 0; i < words; i++) put32(p, uint32_t(rng.next()));
    else
      put16(p, words);
    if (damage) {
      if (write) {
        switch (rng.below(3)) {
          case 0:
            p.resize(rng.below(12));
            break;
          case 1:
            p.push_back(1);
            break;
          default:
            while (p.size() <= SGPU_LINK_MEM_HDR_LEN + 4 * SGPU_LINK_MEM_MAX_WORDS) put32(p, 7);
        }
      } else {
        switch (rng.below(3)) {
          case 0:
            p[8] = 0, p[9] = 0;
            break;
          case 1:
            p[8] = uint8_t(125 + rng.below(100)), p[9] = uint8_t(rng.below(2));
            break;
          default:
            p.resize(rng.below(2) ? 9 : 11, 0);
            break;
        }
      }
    }
    return p;
  }

  // ------------------------------------------------------------ one step
  void step() {
    // the device this step
    set_admin_status(rng.below(12) == 0);
    dref.hang = drtl.hang = rng.below(15) == 0;
    uint32_t extra_hole = 0;
    if (rng.below(12) == 0) {
      static const uint32_t cand[] = {
          SGPU_REG_ADMIN_STATUS, SGPU_REG_CPL_SEQ,   SGPU_REG_CPL_STATUS,
          SGPU_REG_CPL_RES0,     SGPU_REG_CPL_RES2,  SGPU_REG_TD_TLB,
          SGPU_REG_TD_COMPLETE,  SGPU_DATA_BASE + 4, SGPU_REG_CAPS1};
      extra_hole = cand[rng.below(sizeof cand / sizeof cand[0])];
      dref.holes.insert(extra_hole);
      drtl.holes.insert(extra_hole);
    }
    uint8_t s = rng.below(6) == 0 ? seq : ++seq;  // a repeat: a replay if the last executed
    if (rng.below(40) == 0) s = uint8_t(rng.next());
    bool damage = rng.below(5) == 0;
    std::vector<uint8_t> w;
    const char *what = "";
    uint32_t pick = rng.below(100);
    if (pick < 10) {
      what = "PING";
      w = build(SGPU_LINK_KIND_PING, s, {});
    } else if (pick < 16) {
      what = "INFO";
      w = build(SGPU_LINK_KIND_INFO, s, {});
    } else if (pick < 36) {
      what = damage ? "REG_BATCH damaged" : "REG_BATCH";
      w = build(SGPU_LINK_KIND_REG_BATCH, s, batch_payload(damage));
    } else if (pick < 52) {
      what = damage ? "ADMIN damaged" : "ADMIN";
      w = build(SGPU_LINK_KIND_ADMIN, s, admin_payload(damage));
    } else if (pick < 62) {
      what = damage ? "MEM_READ damaged" : "MEM_READ";
      w = build(SGPU_LINK_KIND_MEM_READ, s, mem_payload(false, damage));
    } else if (pick < 72) {
      what = damage ? "MEM_WRITE damaged" : "MEM_WRITE";
      auto p = mem_payload(true, damage);
      if (p.size() > SGPU_LINK_MAX_PAYLOAD)
        w = wire(raw_frame(SGPU_LINK_VERSION, SGPU_LINK_KIND_MEM_WRITE, s, uint16_t(p.size()), p));
      else
        w = build(SGPU_LINK_KIND_MEM_WRITE, s, p);
    } else if (pick < 75) {
      what = "PING with payload (BAD_LENGTH)";
      w = wire(raw_frame(SGPU_LINK_VERSION, SGPU_LINK_KIND_PING, s, 2, {1, 2}));
    } else if (pick < 78) {
      what = "unknown kind";
      static const uint8_t k[] = {0x00, 0x07, 0x81, 0xFF, 0x40};
      w = wire(raw_frame(SGPU_LINK_VERSION, k[rng.below(5)], s, 0, {}));
    } else if (pick < 80) {
      what = "wrong version";
      w = wire(raw_frame(uint8_t(2 + rng.below(200)), SGPU_LINK_KIND_PING, s, 0, {}));
    } else if (pick < 83) {
      what = "wrong length field";
      std::vector<uint8_t> p(rng.below(20), 0x11);
      w = wire(raw_frame(SGPU_LINK_VERSION, SGPU_LINK_KIND_REG_BATCH, s,
                         uint16_t(p.size() + 1 + rng.below(600)), p));
    } else if (pick < 88) {
      what = "bit flipped (BAD_CRC or dropped)";
      auto raw = raw_frame(SGPU_LINK_VERSION, SGPU_LINK_KIND_REG_BATCH, s, 0, batch_payload(false));
      raw[rng.below(uint32_t(raw.size()))] ^= uint8_t(1u << rng.below(8));
      w = wire(raw);
    } else if (pick < 93) {
      what = "wire byte lost, doubled, inserted or changed";
      w = build(SGPU_LINK_KIND_ADMIN, s, admin_payload(false));
      size_t at = 1 + rng.below(uint32_t(w.size() - 2));
      switch (rng.below(4)) {
        case 0:
          w.erase(w.begin() + long(at));
          break;
        case 1:
          w.insert(w.begin() + long(at), w[at]);
          break;
        case 2:
          w.insert(w.begin() + long(at), uint8_t(rng.next()));
          break;
        default:
          w[at] = uint8_t(rng.next());
          break;
      }
    } else if (pick < 95) {
      what = "frame cut short";
      w = build(SGPU_LINK_KIND_REG_BATCH, s, batch_payload(false));
      w.resize(1 + rng.below(uint32_t(w.size() - 1)));
    } else if (pick < 97) {
      what = "garbage and empty frames";
      w.assign(rng.below(30), 0);
      for (auto &x : w) x = rng.below(4) ? uint8_t(rng.next()) : 0;
      w.push_back(0);
      w.push_back(0);
    } else {
      what = "too long to decode";
      w.assign(1, 0);
      size_t n = 520 + rng.below(300);
      while (w.size() < n) {
        w.push_back(0xFF);
        for (int i = 0; i < 254 && w.size() < n; i++) w.push_back(uint8_t(1 + rng.below(255)));
      }
      w.push_back(0);
    }
    feed(w);
    compare(what);
    if (extra_hole) {
      dref.holes.erase(extra_hole);
      drtl.holes.erase(extra_hole);
    }
  }

  // ------------------------------------------------------------ noise (--noise)
  // Random byte streams, three kinds: (a) pure random bytes: lengths from empty to several
  // times the longest frame, a zero density of none, about 1/256, 5 % or 30 %, and in half of
  // them bursts of zeros; (b) random bytes COBS-encoded between delimiters (so they get past
  // the decoder to the length and CRC checks), lengths up to beyond the longest frame; (c)
  // frames with a correct CRC over random bytes (a random header, the version, kind and
  // length field made right some of the time), reaching the header checks and, now and then,
  // execution. Kinds (b) and (c) come with pure noise between frames. The same bytes go to
  // both bridges: the outputs must be equal, and the RTL must not touch the register bus unless
  // the reference executed a frame. Then a valid PING: the reference answers it (executed or
  // replayed) and the RTL's bytes equal its.
  uint64_t noise_bytes = 0, noise_chance = 0, noise_chance_pure = 0, noise_pings = 0;
  uint64_t noise_kind[3] = {0, 0, 0};
  uint32_t noise_last = 0;  // the kind of the last stream
  void pure_noise(std::vector<uint8_t> &w, size_t n) {
    static const uint32_t zero_per_mille[] = {0, 4, 50, 300};
    const uint32_t zp = zero_per_mille[rng.below(4)];
    const bool bursts = rng.below(2);
    n += w.size();
    while (w.size() < n) {
      if (bursts && rng.below(64) == 0) {
        w.insert(w.end(), 1 + rng.below(24), 0);
        continue;
      }
      w.push_back(rng.below(1000) < zp ? 0 : uint8_t(1 + rng.below(255)));
    }
  }
  std::vector<uint8_t> random_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    for (auto &x : v) x = rng.below(8) ? uint8_t(rng.next()) : 0;
    return v;
  }
  std::vector<uint8_t> noise() {
    std::vector<uint8_t> w;
    const uint32_t kind = rng.below(4) < 2 ? 0 : rng.below(2) ? 1 : 2;
    noise_kind[kind]++;
    noise_last = kind;
    if (kind == 0) {
      const uint32_t r = rng.below(10);
      pure_noise(w, r < 5 ? rng.below(64) : r < 8 ? 64 + rng.below(600) : 600 + rng.below(2400));
      return w;
    }
    for (uint32_t f = 1 + rng.below(6); f > 0; f--) {
      if (rng.below(3) == 0) pure_noise(w, rng.below(40));
      std::vector<uint8_t> frame;
      if (kind == 1) {
        const uint32_t r = rng.below(8);
        frame = wire(random_bytes(r < 6 ? rng.below(40) : 500 + rng.below(100)));
      } else {
        const size_t n = rng.below(8) ? rng.below(40) : rng.below(SGPU_LINK_MAX_PAYLOAD + 40);
        std::vector<uint8_t> p = random_bytes(n);
        const uint8_t ver = rng.below(4) ? SGPU_LINK_VERSION : uint8_t(rng.next());
        const uint8_t k = rng.below(4) ? uint8_t(SGPU_LINK_KIND_FIRST + rng.below(SGPU_LINK_KIND_LAST))
                                       : uint8_t(rng.next());
        const uint16_t len = rng.below(4) ? uint16_t(n) : uint16_t(rng.next());
        frame = wire(raw_frame(ver, k, uint8_t(rng.next()), len, p));
      }
      if (rng.below(2)) frame.erase(frame.begin());  // no leading delimiter
      w.insert(w.end(), frame.begin(), frame.end());
    }
    return w;
  }
  void noise_step() {
    set_admin_status(false);
    dref.hang = drtl.hang = false;
    const std::vector<uint8_t> w = noise();
    const uint64_t exec0 = ref.st.executed;
    feed(w);
    if (ref.st.executed != exec0) {
      noise_chance++;
      noise_chance_pure += noise_last == 0;
    } else {
      t.expect(drtl.writes.empty() && drtl.reads.empty(),
               "no register access for random bytes (the reference executed none)");
    }
    noise_bytes += w.size();
    compare("random bytes");
    const uint64_t ans0 = ref.st.executed + ref.st.replayed;
    feed(build(SGPU_LINK_KIND_PING, ++seq, {}));
    t.expect(ref.st.executed + ref.st.replayed > ans0 && !rtl_out.empty(),
             "a PING after random bytes is answered (resynchronised)");
    noise_pings++;
    compare("PING after random bytes");
  }

  // The same bytes into both bridges; the RTL runs until it has been quiet for
  // a while.
  void feed(const std::vector<uint8_t> &w) {
    g_ref_out = &ref_out;
    bridge_ref_rx(&ref, w.data(), w.size());
    // the RTL: bytes with random gaps, output with random back-pressure
    size_t i = 0;
    uint64_t guard = 0;
    while (i < w.size() && guard++ < 2000000) {
      bool offer = rng.below(4) != 0;
      top.rx_valid_i = offer;
      top.rx_data_i = w[i];
      top.eval();
      bool took = offer && top.rx_ready_o;
      cycle(rng.below(3) != 0);
      if (took) i++;
    }
    top.rx_valid_i = 0;
    t.expect(i == w.size(), "rtl: took every byte");
    int quiet = 0;
    guard = 0;
    while (quiet < 600 && guard++ < 400000) {
      size_t before = rtl_out.size();
      cycle(rng.below(3) != 0);
      quiet = (rtl_out.size() == before && rtl_out.size() >= ref_out.size()) ? quiet + 1 : 0;
    }
  }
};

}  // namespace

int main(int argc, char **argv) {
  uint64_t seed = 1, nsteps = 20000;
  bool verbose = false, noise = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--steps" && i + 1 < argc)
      nsteps = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--noise")
      noise = true;
    else {
      std::fprintf(stderr,
                   "usage: %s [--seed N] [--steps N] [--noise] [--verbose]\n"
                   "  --noise: each step is a random byte stream then a valid PING (no frames)\n",
                   argv[0]);
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  TbCheck t;
  Bench b(t, seed, verbose);
  std::printf("tb_link: seed %" PRIu64 ", %" PRIu64 " steps%s\n", seed, nsteps,
              noise ? " of random bytes" : "");
  if (noise) {
    for (uint64_t i = 0; i < nsteps && t.failed < 10; i++) b.noise_step();
    const bridge_ref_stats &st = b.ref.st;
    std::printf("noise: %" PRIu64 " random bytes in %" PRIu64 " streams (%" PRIu64 " pure, %" PRIu64
                " COBS-framed, %" PRIu64 " with a correct CRC), %" PRIu64
                " PINGs after them; reference: dropped cobs %" PRIu64 " short %" PRIu64
                " long %" PRIu64 ", NAKs crc %" PRIu64 " version %" PRIu64 " length %" PRIu64
                " kind %" PRIu64 " field %" PRIu64 ", executed %" PRIu64 " (PINGs included; %" PRIu64
                " streams held an executed frame, %" PRIu64 " of them pure), replayed %" PRIu64 "; %" PRIu64
                " bytes compared\n",
                b.noise_bytes, nsteps, b.noise_kind[0], b.noise_kind[1], b.noise_kind[2],
                b.noise_pings, st.dropped_cobs, st.dropped_short,
                st.dropped_long, st.naks[SGPU_LINK_ST_BAD_CRC], st.naks[SGPU_LINK_ST_BAD_VERSION],
                st.naks[SGPU_LINK_ST_BAD_LENGTH], st.naks[SGPU_LINK_ST_BAD_KIND],
                st.naks[SGPU_LINK_ST_BAD_FIELD], st.executed, b.noise_chance, b.noise_chance_pure,
                st.replayed, b.compared_bytes);
    t.expect(st.dropped_cobs > 0 && st.dropped_short > 0 && st.dropped_long > 0 &&
                 st.naks[SGPU_LINK_ST_BAD_CRC] > 0 && st.naks[SGPU_LINK_ST_BAD_VERSION] > 0 &&
                 st.naks[SGPU_LINK_ST_BAD_LENGTH] > 0 && st.naks[SGPU_LINK_ST_BAD_KIND] > 0 &&
                 b.noise_chance > 0,
             "the noise reached every drop path, the CRC and header checks and execution",
             "(raise --steps)");
    int rc = t.finish("tb_link --noise");
    if (rc)
      std::printf("replay: %s --noise --seed %" PRIu64 " --steps %" PRIu64 " --verbose\n", argv[0],
                  seed, nsteps);
    return rc;
  }
  for (uint64_t i = 0; i < nsteps && t.failed < 10; i++) b.step();
  const bridge_ref_stats &st = b.ref.st;
  std::printf("reference: %" PRIu64 " executed, %" PRIu64 " replayed, NAKs crc %" PRIu64
              " version %" PRIu64 " length %" PRIu64 " kind %" PRIu64 " field %" PRIu64
              " too_long %" PRIu64 ", dropped %" PRIu64 ", bus errors %" PRIu64
              ", admin busy %" PRIu64 ", timeouts %" PRIu64 "; %" PRIu64 " bytes compared\n",
              st.executed, st.replayed, st.naks[SGPU_LINK_ST_BAD_CRC],
              st.naks[SGPU_LINK_ST_BAD_VERSION], st.naks[SGPU_LINK_ST_BAD_LENGTH],
              st.naks[SGPU_LINK_ST_BAD_KIND], st.naks[SGPU_LINK_ST_BAD_FIELD],
              st.naks[SGPU_LINK_ST_TOO_LONG], st.dropped_cobs + st.dropped_short + st.dropped_long,
              st.bus_errors, st.admin_busy, st.admin_timeouts, b.compared_bytes);
  // the run must have reached every outcome, or the comparison proves little
  t.expect(st.executed > nsteps / 4 && st.replayed > 0 && st.naks[SGPU_LINK_ST_BAD_CRC] > 0 &&
               st.naks[SGPU_LINK_ST_BAD_VERSION] > 0 && st.naks[SGPU_LINK_ST_BAD_LENGTH] > 0 &&
               st.naks[SGPU_LINK_ST_BAD_KIND] > 0 && st.naks[SGPU_LINK_ST_BAD_FIELD] > 0 &&
               st.naks[SGPU_LINK_ST_TOO_LONG] > 0 &&
               st.dropped_cobs + st.dropped_short + st.dropped_long > 0 && st.bus_errors > 0 &&
               st.admin_busy > 0 && st.admin_timeouts > 0,
           "every outcome reached", "(raise --steps)");
  int rc = t.finish("tb_link");
  if (rc)
    std::printf("replay: %s --seed %" PRIu64 " --steps %" PRIu64 " --verbose\n", argv[0], seed,
                nsteps);
  return rc;
}
