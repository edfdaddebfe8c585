// tb_uart.cpp - bench of the UART (rtl/link/sgpu_uart_{tx,rx,tick}.sv) through
// tests/rtl/sgpu_uart_tb_top.sv, one build per rate (TB_BLOCKS uart4: 4 cycles per bit;
// uartfrac: 12 MHz / 115200 baud = 625/6 cycles per bit). The rate comes from the model.
//
//   tx timing   a gapless burst of random bytes: every cycle of the line between bit
//               boundaries (n * ClksNum / ClksDen after the first start bit, +-1 cycle) holds
//               the bit an ideal 8N1 frame has there; frames follow with no idle time.
//   loopback    tx -> rx, random bytes with random gaps, rx taken at random: every byte
//               arrives, in order, with no framing error and no overrun.
//   C stream    rx alone on a line drawn in C: a sender whose bit time is off by -2 %, 0 and
//               +2 %, with a random phase and random idle time (0..2 bits) between frames:
//               every byte arrives, no error.
//   faults      a stop bit 0 (framing error flagged once, that byte dropped, the next one
//               received), a break of 25 bit times (one framing error, then the next byte), a
//               one-cycle glitch (nothing received, no error, the next byte at its exact time),
//               two bytes not taken (overrun flagged, the first byte kept).
//   latency     rx reads each bit in exactly one cycle (its sample point; the line holds the
//               complement elsewhere) and the byte is valid exactly 3 cycles after the stop
//               bit's sample.
//
// Usage: tb_uart [--seed N] [--bytes N]. A failure prints the command line that replays it.
#include <cmath>
#include <vector>

#include "Vsgpu_uart_tb_top.h"
#include "tb_util.h"
#include "verilated.h"

namespace {

struct Bench : TbBlock<Vsgpu_uart_tb_top> {
  TbCheck &t;
  TbRng rng;
  double clks;  // cycles per bit
  std::vector<uint8_t> got;
  int ferr = 0, ovr = 0;

  Bench(TbCheck &tc, uint64_t seed) : t(tc), rng(seed) {
    reset([](Vsgpu_uart_tb_top &m) {
      m.tx_valid_i = 0;
      m.tx_data_i = 0;
      m.line_sel_i = 0;
      m.line_i = 1;
      m.rx_ready_i = 1;
    });
    clks = double(top.clks_num_o) / double(top.clks_den_o);
  }

  // One cycle with the inputs as set; returns whether tx took a byte.
  bool cycle() {
    top.eval();
    bool take = top.tx_valid_i && top.tx_ready_o;
    if (top.rx_valid_o && top.rx_ready_i) got.push_back(top.rx_data_o);
    tick();
    ferr += top.frame_err_o;
    ovr += top.overrun_o;
    return take;
  }

  void idle(int n) {
    top.tx_valid_i = 0;
    for (int i = 0; i < n; i++) cycle();
  }

  void tx_timing(int n) {
    std::vector<uint8_t> bytes(n);
    for (auto &b : bytes) b = uint8_t(rng.next());
    std::vector<uint8_t> line;
    int sent = 0;
    uint64_t guard = 0, limit = uint64_t(n + 2) * 10 * uint64_t(clks + 1) + 100;
    top.line_sel_i = 0;
    top.rx_ready_i = 1;
    while ((sent < n || !top.tx_ready_o || line.size() < size_t(10 * n * clks) + 8) &&
           guard++ < limit) {
      top.tx_valid_i = sent < n;
      top.tx_data_i = sent < n ? bytes[sent] : 0;
      if (cycle()) sent++;
      line.push_back(top.tx_o);
    }
    t.expect(sent == n, "tx timing: every byte taken");
    size_t t0 = 0;
    while (t0 < line.size() && line[t0]) t0++;
    int bad = 0;
    for (int k = 0; k < n && !bad; k++)
      for (int j = 0; j < 10; j++) {
        int want = j == 0 ? 0 : j == 9 ? 1 : (bytes[k] >> (j - 1)) & 1;
        double a = t0 + (10.0 * k + j) * clks, b = t0 + (10.0 * k + j + 1) * clks;
        for (size_t c = size_t(std::ceil(a)) + 1; c + 1 < b && c < line.size(); c++)
          if (line[c] != want) {
            bad++;
            char d[96];
            std::snprintf(d, sizeof d, "(byte %d bit %d cycle %zu: line %d, want %d)", k, j, c - t0,
                          line[c], want);
            t.expect(false, "tx timing: line holds each bit for its bit time", d);
            break;
          }
      }
    t.expect(bad == 0, "tx timing: every bit of every frame at its place, no idle between frames");
    t.expect(ferr == 0 && ovr == 0, "tx timing: loopback without error");
    idle(int(20 * clks));
    got.clear();
  }

  void loopback(int n) {
    std::vector<uint8_t> bytes(n);
    for (auto &b : bytes) b = uint8_t(rng.next());
    top.line_sel_i = 0;
    int sent = 0, gap = 0;
    uint64_t guard = 0, limit = uint64_t(n) * 40 * uint64_t(clks + 1) + 1000;
    ferr = ovr = 0;
    got.clear();
    while ((sent < n || got.size() < size_t(n)) && guard++ < limit) {
      if (gap > 0) gap--;
      top.tx_valid_i = sent < n && gap == 0;
      top.tx_data_i = sent < n ? bytes[sent] : 0;
      top.rx_ready_i = rng.below(2);
      if (cycle()) {
        sent++;
        gap = rng.below(4) == 0 ? int(rng.below(uint32_t(30 * clks))) : 0;
      }
    }
    t.expect_eq(got.size(), size_t(n), "loopback: bytes received");
    t.expect(got == bytes, "loopback: bytes received in order, unchanged");
    t.expect_eq(ferr, 0, "loopback: no framing error");
    t.expect_eq(ovr, 0, "loopback: no overrun");
    top.rx_ready_i = 1;
  }

  // The bench drives the receiver's line from a list of (duration in bit times, level).
  struct Seg {
    double bits;
    int level;
  };
  static void frame(std::vector<Seg> &s, uint8_t b, int stop = 1) {
    s.push_back({1, 0});
    for (int i = 0; i < 8; i++) s.push_back({1, (b >> i) & 1});
    s.push_back({1, stop});
  }
  // Play segments at `scale` x the nominal bit time, starting at a random phase.
  void play(const std::vector<Seg> &s, double scale) {
    top.line_sel_i = 1;
    top.tx_valid_i = 0;
    double bit = clks * scale, pos = rng.below(1000) / 1000.0;  // cycles into the stream
    for (const Seg &g : s) {
      double end_bits = g.bits * bit;
      while (pos < end_bits) {
        top.line_i = g.level;
        cycle();
        pos += 1.0;
      }
      pos -= end_bits;
    }
    top.line_i = 1;
    for (int i = 0; i < int(4 * clks) + 8; i++) cycle();
  }

  void stream(int n, double err) {
    std::vector<uint8_t> bytes(n);
    std::vector<Seg> s{{2, 1}};
    for (auto &b : bytes) {
      b = uint8_t(rng.next());
      frame(s, b);
      if (rng.below(2)) s.push_back({rng.below(2001) / 1000.0, 1});
    }
    ferr = ovr = 0;
    got.clear();
    top.rx_ready_i = 1;
    play(s, 1.0 + err);
    char what[80];
    std::snprintf(what, sizeof what, "C stream %+.0f %%: bytes received in order, unchanged",
                  err * 100);
    t.expect(got == bytes, what,
             "(" + std::to_string(got.size()) + " of " + std::to_string(n) + " received)");
    std::snprintf(what, sizeof what, "C stream %+.0f %%: no framing error, no overrun", err * 100);
    t.expect(ferr == 0 && ovr == 0, what);
  }

  // The receiver's sample points and latency, exact. With the start bit's falling edge in
  // cycle 0, bit j (0: start, 9: stop) is read as the line was in cycle T(2j + 1), T(n) =
  // ceil(n * ClksNum / (2 * ClksDen)) (the n-th half-bit tick after the edge, the synchroniser's
  // two cycles before it), and the byte is valid in cycle T(19) + 3. The line holds each bit only
  // in its sample cycle and its complement elsewhere in the bit, so a sample one cycle off reads
  // a wrong bit.
  void latency(uint8_t b, const char *what) {
    uint64_t num = top.clks_num_o, den = top.clks_den_o;
    auto T = [&](uint64_t n) { return (n * num + 2 * den - 1) / (2 * den); };
    uint64_t want = T(19) + 3, at = 0;
    top.line_sel_i = 1;
    top.tx_valid_i = 0;
    top.rx_ready_i = 1;
    got.clear();
    for (uint64_t c = 0; c < want + 2 * num / den && !at; c++) {
      uint64_t j = c * den / num;
      int v = j == 0 ? 0 : j <= 8 ? (b >> (j - 1)) & 1 : 1;
      top.line_i = c == 0 || c == T(2 * j + 1) || c > T(19) ? v : !v;
      top.eval();
      if (top.rx_valid_o) at = c;
      cycle();
    }
    top.line_i = 1;
    for (int i = 0; i < int(2 * clks); i++) cycle();
    t.expect(at == want && got == std::vector<uint8_t>{b}, what,
             (at ? "(valid in cycle " + std::to_string(at) : std::string("(not valid")) + ", want cycle " +
                 std::to_string(want) + ")");
  }

  void faults() {
    top.rx_ready_i = 1;
    top.line_sel_i = 1;
    top.line_i = 1;
    for (int i = 0; i < int(2 * clks); i++) cycle();
    latency(0x96, "rx latency: the stop bit sampled at its place");
    top.rx_ready_i = 1;
    // a stop bit 0, then a good byte
    std::vector<Seg> s{{2, 1}};
    frame(s, 0xA5, 0);
    s.push_back({1, 1});
    frame(s, 0x3C);
    ferr = ovr = 0;
    got.clear();
    play(s, 1.0);
    t.expect_eq(ferr, 1, "stop bit 0: one framing error");
    t.expect(got == std::vector<uint8_t>{0x3C}, "stop bit 0: that byte dropped, the next received");
    // a break, then a good byte
    s = {{2, 1}, {25, 0}, {2, 1}};
    frame(s, 0x81);
    ferr = 0;
    got.clear();
    play(s, 1.0);
    t.expect_eq(ferr, 1, "break: one framing error");
    t.expect(got == std::vector<uint8_t>{0x81}, "break: the next byte received");
    // a glitch of one cycle
    ferr = 0;
    got.clear();
    top.line_sel_i = 1;
    top.line_i = 0;
    cycle();
    top.line_i = 1;
    for (int i = 0; i < int(12 * clks); i++) cycle();
    t.expect(got.empty() && ferr == 0, "glitch: nothing received, no error");
    latency(0x5A, "glitch: the receiver idle again, the next byte sampled at its place");
    // overrun: two bytes, none taken
    s = {{2, 1}};
    frame(s, 0x11);
    frame(s, 0x22);
    top.rx_ready_i = 0;
    ovr = 0;
    play(s, 1.0);
    t.expect_eq(ovr, 1, "overrun: flagged once");
    t.expect(top.rx_valid_o && top.rx_data_o == 0x11, "overrun: the first byte kept");
    top.rx_ready_i = 1;
    got.clear();
    cycle();
    t.expect(got == std::vector<uint8_t>{0x11}, "overrun: the first byte taken afterwards");
  }
};

}  // namespace

int main(int argc, char **argv) {
  uint64_t seed = 1;
  int nbytes = 0;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--bytes" && i + 1 < argc)
      nbytes = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--seed N] [--bytes N]\n", argv[0]);
      return 2;
    }
  }
  TbCheck t;
  Bench b(t, seed);
  if (nbytes <= 0) nbytes = b.clks < 10 ? 2000 : 300;
  std::printf("tb_uart: %u/%u cycles per bit, seed %" PRIu64 ", %d bytes\n", b.top.clks_num_o,
              b.top.clks_den_o, seed, nbytes);
  b.tx_timing(nbytes / 4 + 1);
  b.loopback(nbytes);
  for (double err : {-0.02, 0.0, 0.02}) b.stream(nbytes, err);
  b.faults();
  int rc = t.finish("tb_uart");
  if (rc) std::printf("replay: %s --seed %" PRIu64 " --bytes %d\n", argv[0], seed, nbytes);
  return rc;
}
