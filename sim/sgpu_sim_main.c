/* sgpu_sim_main.c - sgpu-sim: a simulated sgpu device served over a byte link, so that libsgpu
 * reaches it as it will reach a board: `sgpu --uri pty:/dev/pts/N ...` or
 * `sgpu --uri tcp:127.0.0.1:PORT ...` (host/lib/transport_link.c), speaking the wire protocol
 * of docs/protocol.md.
 *
 *   model   a model object with the sim/sgpu_sim.h ABI, loaded with libsgpu's own sim
 *           transport (the code behind `sim:`): --model NAME is DIR/libsgpu_sim_NAME.so
 *           (DIR: $SGPU_SIM_DIR, else the build's sim/ directory), default `default` (the
 *           Verilated core); `ref` is the C reference model; a NAME with a '/' is a path.
 *   bridge  --bridge ref (the default): the C reference bridge (tests/model/bridge_ref.c, the
 *           golden model of the RTL bridge) in front of the model's register bus: it deframes
 *           the host's bytes, checks CRC and sequence numbers, executes requests as 32-bit
 *           register accesses and keeps the last response for replays; bytes are handed to it
 *           directly (no UART timing).
 *           --bridge rtl: the real RTL, the bridge in the loop. --model NAME is then
 *           DIR/libsgpu_simlink_NAME.so (default or small; sim/sgpu_simlink.h): the Verilated
 *           device of that configuration with the RTL UART and link bridge (rtl/link,
 *           sgpu_link_uart) as the only master of its register bus
 *           (sim/rtl/link/sgpu_sim_link_top.sv). The host's bytes are serialised onto its
 *           uart_rx_i pin bit by bit, 8N1, at the model's clock cycles per bit (4: 3 Mbaud
 *           from 12 MHz, as on the iCEBreaker), and its uart_tx_o pin is sampled every cycle
 *           and deserialised (sim/simsrv_rtl.c, the part the board's USB-serial chip plays).
 *           --sim-hz (default 12 MHz) is the clock the simulated time and the baud rate are
 *           reported at.
 *   link    a pseudo-terminal (--pty, the default; its slave is the device the host opens) or
 *           a TCP port (--tcp [HOST:]PORT, HOST default 127.0.0.1, PORT 0: any free port).
 *           The host side (host/lib/transport_link.c) is the same for both bridges.
 *
 * Its first line on stdout is where it listens, e.g. `sgpu-sim: listening on pty:/dev/pts/7`
 * or `sgpu-sim: listening on tcp:127.0.0.1:40123` (flushed), so a script reads the URI. One
 * device state serves every connection in turn (separate `sgpu` invocations act on one
 * device); each closed TCP connection prints a line of frame and byte counts. It runs until
 * SIGINT/SIGTERM (a clean exit, status 0) or, with --once, until the first client leaves; at
 * exit it prints the totals, the injected faults and the simulated clock (with --bridge rtl
 * also the effective baud rate and the co-simulation speed, which stderr gives at start too).
 *
 * The device's clock advances with every register access (--bridge ref) or, with --bridge
 * rtl, as fast as the model runs while the link is busy (bytes queued or on a pin, or the
 * bridge on the register bus within the last 4096 cycles); and while the link has been used
 * within the last --idle-ms (default 1000) it runs freely at about --clock-hz (default 1e6)
 * cycles per second of wall time, so background work (the scrubber, deferred reclaims)
 * progresses between requests; when the link is idle the clock pauses (no CPU spent).
 *
 * Link faults (--fault DIR:KIND:RATE, repeatable; --seed N): each byte crossing the link in
 * DIR (rx: host to bridge, tx: bridge to host, both) is, with probability RATE each, dropped,
 * flipped (one random bit), duplicated, or preceded by an inserted random byte.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bridge_ref.h"
#include "link_proto.h"
#include "sgpu_internal.h"
#include "sim_shm.h"
#include "simsrv_rtl.h"

#ifndef SGPU_SIM_DEFAULT_DIR
#define SGPU_SIM_DEFAULT_DIR "build/sim"
#endif

#define DEFAULT_ADMIN_WAIT_LOG2 20u
#define DEFAULT_CLOCK_HZ 1000000u
#define DEFAULT_IDLE_MS 1000u
#define DEFAULT_SIM_HZ 12000000u /* the iCEBreaker's clock */
#define RTL_CHUNK 4096u           /* cycles run between two looks at the link while bytes move */
#define RTL_TAIL_CHUNK 64u        /* ... and in the busy tail after them: a request that comes
                                     then starts within 64 cycles (device time the host's own
                                     think time would otherwise add to end-to-end figures) */
#define SEND_TIMEOUT_MS 1000 /* a client that reads nothing for this long is dropped */

/* ---------------------------------------------------------------- faults */

enum { F_DROP, F_FLIP, F_DUP, F_INSERT, F_KINDS };
static const char *const fault_names[F_KINDS] = {"drop", "flip", "dup", "insert"};

typedef struct {
  double rate[F_KINDS];
  uint64_t count[F_KINDS];
} fault_dir;

/* What crossed the RTL bridge's pins (--bridge rtl): bytes and frames into uart_rx_i (after
 * the rx faults), out of uart_tx_o (before the tx faults); a frame is a non-empty run of bytes
 * ended by a delimiter; the responses are parsed to count NAKs. */
typedef struct {
  uint64_t frames_in, frames_out, naks, bad_out, bytes_in, bytes_out;
} rtl_stats;

typedef struct {
  /* configuration */
  const char *model;
  bool tcp, once, rtl, admin_wait_set;
  uint32_t sim_hz;
  const char *tcp_addr;
  const char *shm_name; /* --shm NAME: serve the register bus as a BAR (sim_shm.c) */
  uint64_t seed;
  uint32_t admin_wait_log2, clock_hz, idle_ms;
  fault_dir rx, tx;
  uint64_t rng;
  /* the device */
  const sgpui_transport *tp;
  void *dev;
  bridge_ref br;
  simrtl *r;           /* --bridge rtl */
  rtl_stats rs, rs_at_connect;
  bool in_frame;       /* a byte since the last delimiter into the bridge */
  sgpui_link_deframer out_df;
  /* the link */
  int listen_fd, conn_fd; /* tcp */
  int master_fd, slave_keep; /* pty */
  bool conn_broken;
  uint64_t connections;
  uint64_t tx_lost; /* bytes for a client that was gone or not reading */
  bridge_ref_stats at_connect;
} simsrv;

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* splitmix64 */
static uint64_t rnd(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static bool chance(uint64_t *s, double p) {
  return p > 0 && (double)(rnd(s) >> 11) * 0x1.0p-53 < p;
}

/* Bytes p[0..n) through the faults of d into out (room for 3 n bytes); the count out. */
static size_t apply_faults(simsrv *s, fault_dir *d, const uint8_t *p, size_t n, uint8_t *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    if (chance(&s->rng, d->rate[F_DROP])) {
      d->count[F_DROP]++;
      continue;
    }
    if (chance(&s->rng, d->rate[F_INSERT])) {
      d->count[F_INSERT]++;
      out[o++] = (uint8_t)rnd(&s->rng);
    }
    if (chance(&s->rng, d->rate[F_FLIP])) {
      d->count[F_FLIP]++;
      b ^= (uint8_t)(1u << (rnd(&s->rng) % 8u));
    }
    out[o++] = b;
    if (chance(&s->rng, d->rate[F_DUP])) {
      d->count[F_DUP]++;
      out[o++] = b;
    }
  }
  return o;
}

/* ---------------------------------------------------------------- the bridge's io */

static int bus_read(void *ctx, uint32_t addr, uint32_t *val) {
  simsrv *s = ctx;
  char why[256];
  return s->tp->read32(s->dev, addr, val, why, sizeof why) == SGPU_STATUS_SUCCESS ? 0 : -1;
}

static int bus_write(void *ctx, uint32_t addr, uint32_t val) {
  simsrv *s = ctx;
  char why[256];
  return s->tp->write32(s->dev, addr, val, why, sizeof why) == SGPU_STATUS_SUCCESS ? 0 : -1;
}

/* Write all of p to fd within SEND_TIMEOUT_MS; false if the client is gone or stuck. */
static bool send_all(int fd, bool sock, const uint8_t *p, size_t n) {
  uint64_t end = now_ms() + SEND_TIMEOUT_MS;
  while (n) {
    ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    uint64_t t = now_ms();
    if (t >= end) return false;
    struct pollfd pf = {fd, POLLOUT, 0};
    poll(&pf, 1, (int)(end - t));
  }
  return true;
}

static void bridge_tx(void *ctx, const uint8_t *p, size_t n) {
  simsrv *s = ctx;
  uint8_t out[3 * SGPU_LINK_MAX_WIRE];
  size_t m = apply_faults(s, &s->tx, p, n, out);
  if (s->tcp) {
    if (s->conn_fd < 0 || s->conn_broken || !send_all(s->conn_fd, true, out, m)) {
      s->conn_broken = s->conn_fd >= 0;
      s->tx_lost += m;
    }
  } else if (!send_all(s->master_fd, false, out, m)) {
    s->tx_lost += m; /* nobody reads the terminal: like a UART with no listener */
  }
}

/* Bytes the RTL bridge sent on uart_tx_o (deserialised): counted, then to the host through
 * the tx faults. */
static void rtl_out(simsrv *s, const uint8_t *p, size_t n) {
  s->rs.bytes_out += n;
  size_t off = 0;
  while (off < n) {
    size_t used = 0;
    sgpui_link_frame f;
    int e = sgpui_link_deframer_push(&s->out_df, p + off, n - off, &used, &f, NULL, 0);
    off += used;
    if (e == SGPUI_LINK_MORE) break;
    s->rs.frames_out++;
    if (e != SGPUI_LINK_OK)
      s->rs.bad_out++;
    else if (f.kind == SGPU_LINK_KIND_NAK)
      s->rs.naks++;
  }
  bridge_tx(s, p, n);
}

/* ---------------------------------------------------------------- reports */

static uint64_t naks_total(const bridge_ref_stats *b) {
  uint64_t n = 0;
  for (size_t i = 0; i < SGPU_LINK_ST_FIRST_EXEC; i++) n += b->naks[i];
  return n;
}

/* "frames in N (executed E, replayed R, NAKed K, dropped D), frames out M, bytes in A, bytes
 * out B" for the counts since base (NULL: all). */
static void frame_counts(char *buf, size_t len, const bridge_ref_stats *now,
                         const bridge_ref_stats *base) {
  bridge_ref_stats z;
  memset(&z, 0, sizeof z);
  if (!base) base = &z;
  uint64_t ex = now->executed - base->executed, rp = now->replayed - base->replayed;
  uint64_t nk = naks_total(now) - naks_total(base);
  uint64_t dr = now->dropped_cobs + now->dropped_short + now->dropped_long -
                (base->dropped_cobs + base->dropped_short + base->dropped_long);
  snprintf(buf, len,
           "frames in %llu (executed %llu, replayed %llu, NAKed %llu, dropped %llu), frames out "
           "%llu, bytes in %llu, bytes out %llu",
           (unsigned long long)(ex + rp + nk + dr), (unsigned long long)ex,
           (unsigned long long)rp, (unsigned long long)nk, (unsigned long long)dr,
           (unsigned long long)(ex + rp + nk),
           (unsigned long long)(now->bytes_rx - base->bytes_rx),
           (unsigned long long)(now->bytes_tx - base->bytes_tx));
}

/* The same line for --bridge rtl: what crossed its pins since base (NULL: all). */
static void rtl_counts(char *buf, size_t len, const rtl_stats *now, const rtl_stats *base) {
  rtl_stats z;
  memset(&z, 0, sizeof z);
  if (!base) base = &z;
  snprintf(buf, len,
           "frames in %llu, frames out %llu (NAKs %llu, damaged %llu), bytes in %llu, bytes out "
           "%llu (on the RTL bridge's UART pins)",
           (unsigned long long)(now->frames_in - base->frames_in),
           (unsigned long long)(now->frames_out - base->frames_out),
           (unsigned long long)(now->naks - base->naks),
           (unsigned long long)(now->bad_out - base->bad_out),
           (unsigned long long)(now->bytes_in - base->bytes_in),
           (unsigned long long)(now->bytes_out - base->bytes_out));
}

static void fault_line(char *buf, size_t len, const fault_dir *d) {
  size_t k = 0;
  for (int i = 0; i < F_KINDS && k < len; i++)
    k += (size_t)snprintf(buf + k, len - k, "%s%s %llu", i ? ", " : "", fault_names[i],
                          (unsigned long long)d->count[i]);
}

/* ---------------------------------------------------------------- options */

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgpu-sim [--bridge ref|rtl] [--model NAME|PATH]\n"
          "                [--pty | --tcp [HOST:]PORT | --shm NAME] [--once]\n"
          "                [--fault DIR:KIND:RATE]... [--seed N] [--admin-wait-log2 N]\n"
          "                [--clock-hz N] [--idle-ms N] [--sim-hz N]\n\n"
          "A simulated sgpu device served over a byte link (the wire protocol of\n"
          "docs/protocol.md), for libsgpu's pty: and tcp: transports:\n"
          "  sgpu-sim --tcp 0 &      prints  sgpu-sim: listening on tcp:127.0.0.1:PORT\n"
          "  sgpu --uri tcp:127.0.0.1:PORT create-process\n\n"
          "options:\n"
          "  --bridge ref|rtl    ref (the default): the C reference bridge (tests/model/\n"
          "                      bridge_ref.c) in front of the model's register bus, bytes\n"
          "                      handed to it directly; rtl: the RTL UART and link bridge\n"
          "                      (rtl/link) in the Verilated model, the host's bytes serialised\n"
          "                      onto its RX pin and its TX pin deserialised bit by bit (8N1,\n"
          "                      4 clock cycles per bit: 3 Mbaud at 12 MHz)\n"
          "  --model NAME|PATH   the device model. --bridge ref: DIR/libsgpu_sim_NAME.so (DIR:\n"
          "                      $SGPU_SIM_DIR, else the build's sim/ directory), as sim:NAME\n"
          "                      opens it: 'default' (the Verilated core, the default), 'small',\n"
          "                      'ref' (the C reference model). --bridge rtl:\n"
          "                      DIR/libsgpu_simlink_NAME.so: 'default', 'small', or a board's\n"
          "                      top: 'icebreaker' (boards/icebreaker/top.sv, the bitstream's\n"
          "                      parameters), 'icebreaker_netlist' (its synthesized netlist)\n"
          "                      (make build/sim/libsgpu_simlink_NAME.so). A NAME with '/' is a\n"
          "                      path\n"
          "  --pty               serve on a new pseudo-terminal (the default)\n"
          "  --tcp [HOST:]PORT   serve on TCP (HOST default 127.0.0.1; PORT 0: any free port),\n"
          "                      one connection at a time\n"
          "  --shm NAME          serve the register bus as a BAR in /dev/shm/sgpu-NAME for\n"
          "                      libsgpu's shm:NAME (no bridge, no faults; sim/sim_shm.c)\n"
          "  --once              exit when the first client leaves (else: until SIGINT/SIGTERM)\n"
          "  --fault DIR:KIND:RATE\n"
          "                      inject link faults: DIR rx (host to device), tx (device to\n"
          "                      host) or both; KIND drop, flip (one bit), dup or insert (a\n"
          "                      random byte before it); RATE the probability per byte (0..1,\n"
          "                      e.g. 0.005). Repeatable. The counts are printed at exit.\n"
          "  --seed N            seed of the fault injection (default 1)\n"
          "  --admin-wait-log2 N --bridge ref: the bridge waits 2^N CPL_SEQ polls for a\n"
          "                      completion (ADMIN_TIMEOUT after; default %u); the RTL bridge's\n"
          "                      wait (2^20 cycles) is a parameter of its build\n"
          "  --clock-hz N        free-running device clock while the link was used within\n"
          "                      --idle-ms, cycles per second of wall time (default %u; 0: only\n"
          "                      register accesses advance the clock, or with --bridge rtl only\n"
          "                      a busy link: bytes on a pin or the bridge on the register bus)\n"
          "  --idle-ms N         the clock pauses after N ms without a byte (default %u)\n"
          "  --sim-hz N          --bridge rtl: the simulated device's clock frequency, for the\n"
          "                      reports (simulated time, baud rate; default %u)\n"
          "  -h, --help          this text\n\n"
          "stdout: the first line is 'sgpu-sim: listening on URI'; then a line per closed TCP\n"
          "connection (frames and bytes), and at exit the totals, the faults injected and the\n"
          "simulated clock (--bridge rtl: cycles, simulated time at --sim-hz, the effective\n"
          "baud rate, the co-simulation speed in cycles per wall second; also on stderr at\n"
          "start).\n",
          DEFAULT_ADMIN_WAIT_LOG2, DEFAULT_CLOCK_HZ, DEFAULT_IDLE_MS, DEFAULT_SIM_HZ);
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("sgpu-sim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (sgpu-sim --help)\n", stderr);
  va_end(ap);
  return 2;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19) return false;
  unsigned long long v = strtoull(s, NULL, 10);
  if (v > max) return false;
  *out = v;
  return true;
}

/* DIR:KIND:RATE */
static int parse_fault(simsrv *s, const char *arg) {
  char dir[8], kind[8], rate[32];
  const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2 || (size_t)(c1 - arg) >= sizeof dir || (size_t)(c2 - c1 - 1) >= sizeof kind ||
      strlen(c2 + 1) >= sizeof rate)
    return bad_usage("bad --fault '%s': expected DIR:KIND:RATE, e.g. both:flip:0.005", arg);
  snprintf(dir, sizeof dir, "%.*s", (int)(c1 - arg), arg);
  snprintf(kind, sizeof kind, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
  snprintf(rate, sizeof rate, "%s", c2 + 1);
  bool rx = !strcmp(dir, "rx") || !strcmp(dir, "both");
  bool tx = !strcmp(dir, "tx") || !strcmp(dir, "both");
  if (!rx && !tx) return bad_usage("bad fault direction '%s' in '%s' (rx, tx or both)", dir, arg);
  int k = -1;
  for (int i = 0; i < F_KINDS; i++)
    if (!strcmp(kind, fault_names[i])) k = i;
  if (k < 0) return bad_usage("bad fault kind '%s' in '%s' (drop, flip, dup or insert)", kind, arg);
  char *end;
  errno = 0;
  double r = strtod(rate, &end);
  if (errno || end == rate || *end || !(r >= 0.0 && r <= 1.0))
    return bad_usage("bad fault rate '%s' in '%s' (a probability per byte, 0..1)", rate, arg);
  if (rx) s->rx.rate[k] = r;
  if (tx) s->tx.rate[k] = r;
  return 0;
}

static int parse_args(simsrv *s, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(a, "--pty")) {
      s->tcp = false;
    } else if (!strcmp(a, "--once")) {
      s->once = true;
    } else if (!strcmp(a, "--shm")) {
      if (!v) return bad_usage("--shm needs a name");
      if (!sim_shm_name_ok(v))
        return bad_usage("bad --shm name '%s' (1..64 of A-Z a-z 0-9 . _ -)", v);
      s->shm_name = v;
      i++;
    } else if (!strcmp(a, "--model") || !strcmp(a, "--tcp") || !strcmp(a, "--fault") ||
               !strcmp(a, "--seed") || !strcmp(a, "--admin-wait-log2") ||
               !strcmp(a, "--clock-hz") || !strcmp(a, "--idle-ms") || !strcmp(a, "--bridge") ||
               !strcmp(a, "--sim-hz")) {
      if (!v) return bad_usage("%s needs a value", a);
      i++;
      if (!strcmp(a, "--bridge")) {
        if (strcmp(v, "ref") && strcmp(v, "rtl"))
          return bad_usage("bad --bridge '%s' (ref or rtl)", v);
        s->rtl = !strcmp(v, "rtl");
      } else if (!strcmp(a, "--sim-hz")) {
        if (!parse_u64(v, 4000000000u, &n) || n == 0)
          return bad_usage("bad --sim-hz '%s' (1..4000000000)", v);
        s->sim_hz = (uint32_t)n;
      } else if (!strcmp(a, "--model")) {
        if (!*v) return bad_usage("--model needs a name or a path");
        s->model = v;
      } else if (!strcmp(a, "--tcp")) {
        s->tcp = true;
        s->tcp_addr = v;
      } else if (!strcmp(a, "--fault")) {
        if (parse_fault(s, v)) return 2;
      } else if (!strcmp(a, "--seed")) {
        if (!parse_u64(v, UINT64_MAX, &s->seed)) return bad_usage("bad seed '%s'", v);
      } else if (!strcmp(a, "--admin-wait-log2")) {
        if (!parse_u64(v, 40, &n)) return bad_usage("bad --admin-wait-log2 '%s' (0..40)", v);
        s->admin_wait_log2 = (uint32_t)n;
        s->admin_wait_set = true;
      } else if (!strcmp(a, "--clock-hz")) {
        if (!parse_u64(v, 1000000000u, &n))
          return bad_usage("bad --clock-hz '%s' (0..1000000000)", v);
        s->clock_hz = (uint32_t)n;
      } else {
        if (!parse_u64(v, 3600000u, &n) || n == 0)
          return bad_usage("bad --idle-ms '%s' (1..3600000)", v);
        s->idle_ms = (uint32_t)n;
      }
    } else {
      return bad_usage("unknown option '%s'", a);
    }
  }
  if (s->rtl && s->admin_wait_set)
    return bad_usage("--admin-wait-log2 is the reference bridge's; the RTL bridge waits 2^20 "
                     "cycles (a parameter of its build)");
  return 0;
}

/* ---------------------------------------------------------------- the link */

static int open_tcp(simsrv *s, char *where, size_t wlen) {
  const char *spec = s->tcp_addr, *colon = strrchr(spec, ':');
  char host[256] = "127.0.0.1";
  const char *port = spec;
  if (colon) {
    size_t hl = (size_t)(colon - spec);
    if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
      spec++;
      hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host) {
      fprintf(stderr, "sgpu-sim: bad --tcp host in '%s'\n", s->tcp_addr);
      return -1;
    }
    snprintf(host, sizeof host, "%.*s", (int)hl, spec);
    port = colon + 1;
  }
  uint64_t pn;
  if (!parse_u64(port, 65535, &pn)) {
    fprintf(stderr, "sgpu-sim: bad --tcp port '%s' in '%s' (0..65535; 0: any free port)\n", port,
            s->tcp_addr);
    return -1;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int g = getaddrinfo(host, port, &hints, &res);
  if (g) {
    fprintf(stderr, "sgpu-sim: cannot resolve --tcp host '%s': %s\n", host, gai_strerror(g));
    return -1;
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 4) < 0) {
    fprintf(stderr, "sgpu-sim: cannot listen on %s port %s: %s\n", host, port, strerror(errno));
    if (fd >= 0) close(fd);
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  char addr[INET6_ADDRSTRLEN] = "?";
  unsigned bound = 0;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
    if (ss.ss_family == AF_INET) {
      struct sockaddr_in *in = (struct sockaddr_in *)&ss;
      inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
      bound = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
      inet_ntop(AF_INET6, &in->sin6_addr, addr, sizeof addr);
      bound = ntohs(in->sin6_port);
    }
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  s->listen_fd = fd;
  snprintf(where, wlen, ss.ss_family == AF_INET6 ? "tcp:[%s]:%u" : "tcp:%s:%u", addr, bound);
  return 0;
}

static bool set_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) != 0) return false;
  sgpui_link_termios_raw(&t);   /* libsgpu's pty: sets the same mode on its end */
  return tcsetattr(fd, TCSANOW, &t) == 0;
}

static int open_pty(simsrv *s, char *where, size_t wlen) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
    fprintf(stderr, "sgpu-sim: cannot create a pseudo-terminal: %s\n", strerror(errno));
    if (m >= 0) close(m);
    return -1;
  }
  const char *name = ptsname(m);
  if (!name) {
    fprintf(stderr, "sgpu-sim: ptsname: %s\n", strerror(errno));
    close(m);
    return -1;
  }
  snprintf(where, wlen, "pty:%s", name);
  fcntl(m, F_SETFD, FD_CLOEXEC);
  fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
  s->master_fd = m;
  /* Serving several clients: hold the slave open, so a client's close is no hangup, and keep
   * it raw. With --once the first hangup (a client came and went) ends the run instead. */
  if (!s->once) {
    int sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (sl < 0 || !set_raw(sl)) {
      fprintf(stderr, "sgpu-sim: cannot open %s to set raw mode: %s\n", name, strerror(errno));
      if (sl >= 0) close(sl);
      return -1;
    }
    s->slave_keep = sl;
  }
  return 0;
}

static void close_conn(simsrv *s) {
  char counts[320];
  if (s->rtl)
    rtl_counts(counts, sizeof counts, &s->rs, &s->rs_at_connect);
  else
    frame_counts(counts, sizeof counts, &s->br.st, &s->at_connect);
  printf("sgpu-sim: connection %llu closed%s: %s\n", (unsigned long long)s->connections,
         s->conn_broken ? " (the client stopped reading)" : "", counts);
  fflush(stdout);
  close(s->conn_fd);
  s->conn_fd = -1;
  s->conn_broken = false;
}

/* Bytes from the host through the rx faults into the bridge. */
static void feed(simsrv *s, const uint8_t *p, size_t n) {
  uint8_t out[3 * 4096];
  size_t m = apply_faults(s, &s->rx, p, n, out);
  if (!s->rtl) {
    bridge_ref_rx(&s->br, out, m);
    return;
  }
  for (size_t i = 0; i < m; i++) {
    if (out[i] == SGPU_LINK_DELIM) {
      s->rs.frames_in += s->in_frame;
      s->in_frame = false;
    } else {
      s->in_frame = true;
    }
  }
  s->rs.bytes_in += m;
  simrtl_push(s->r, out, m); /* the caller read no more than a third of the room */
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv) {
  simsrv s;
  memset(&s, 0, sizeof s);
  s.model = "default";
  s.seed = 1;
  s.admin_wait_log2 = DEFAULT_ADMIN_WAIT_LOG2;
  s.clock_hz = DEFAULT_CLOCK_HZ;
  s.idle_ms = DEFAULT_IDLE_MS;
  s.sim_hz = DEFAULT_SIM_HZ;
  s.listen_fd = s.conn_fd = s.master_fd = s.slave_keep = -1;
  int rc = parse_args(&s, argc, argv);
  if (rc) return rc;
  if (s.shm_name && s.rtl)
    return bad_usage("--shm serves the register bus itself: no bridge, so not with --bridge rtl");
  s.rng = s.seed;

  /* The device: a model through libsgpu's sim transport behind the reference bridge, or the
   * RTL link model reached through its pins. */
  char err[SGPUI_ERR_LEN];
  if (s.rtl) {
    s.r = malloc(sizeof *s.r);
    if (!s.r || simrtl_open(s.r, s.model, SGPU_SIM_DEFAULT_DIR, err, sizeof err) != 0) {
      fprintf(stderr, "sgpu-sim: %s\n", s.r ? err : "out of memory");
      free(s.r);
      return 1;
    }
    sgpui_link_deframer_init(&s.out_df);
  } else {
    s.tp = &sgpui_transport_sim;
    if (s.tp->open(s.model, &s.dev, err, sizeof err) != SGPU_STATUS_SUCCESS) {
      fprintf(stderr, "sgpu-sim: %s\n", err);
      return 1;
    }
    bridge_ref_io io = {&s, bus_read, bus_write, bridge_tx};
    bridge_ref_init(&s.br, &io, s.admin_wait_log2);
  }
  if (s.shm_name) { /* the shared-memory BAR instead of a byte link (no bridge) */
    sim_shm_cfg sc = {s.shm_name, s.tp, s.dev, s.clock_hz, s.idle_ms, s.once};
    rc = sim_shm_serve(&sc);
    s.tp->close(s.dev);
    return rc;
  }

  char where[600];
  if ((s.tcp ? open_tcp(&s, where, sizeof where) : open_pty(&s, where, sizeof where)) != 0) {
    if (s.rtl)
      simrtl_close(s.r);
    else
      s.tp->close(s.dev);
    free(s.r);
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("sgpu-sim: listening on %s\n", where);
  fflush(stdout);
  double baud = 0;
  if (s.rtl) {
    baud = (double)s.sim_hz * s.r->den / s.r->num;
    fprintf(stderr,
            "sgpu-sim: model '%s' (%s), the RTL link bridge in the loop: UART 8N1 at %u/%u clock "
            "cycles per bit, simulated clock %u Hz, %.0f baud; free clock %u cycles/s when "
            "recently used; fault seed %llu\n",
            s.r->config(), s.r->path, s.r->num, s.r->den, s.sim_hz, baud, s.clock_hz,
            (unsigned long long)s.seed);
  } else {
    fprintf(stderr, "sgpu-sim: model '%s', bridge admin wait 2^%u polls, clock %u Hz when busy, "
            "fault seed %llu\n", s.model, s.admin_wait_log2, s.clock_hz,
            (unsigned long long)s.seed);
  }

  uint64_t t_start = now_ms(), c_start = s.rtl ? simrtl_cycles(s.r) : s.tp->cycles(s.dev);
  uint64_t last_byte = 0, last_step = t_start;
  bool had_client = false, done = false;
  uint8_t buf[4096], out[4096];
  while (!done && !stop_signal) {
    uint64_t t = now_ms();
    bool clock_on = s.clock_hz && last_byte && t - last_byte < s.idle_ms;
    int timeout = clock_on ? 1 : 100;
    if (s.rtl) {
      size_t n_out = 0;
      if (simrtl_busy(s.r)) {
        simrtl_run(s.r, simrtl_active(s.r) ? RTL_CHUNK : RTL_TAIL_CHUNK, true, out, sizeof out,
                   &n_out);
        timeout = 0;
      } else if (clock_on && t > last_step) {
        uint64_t dt = t - last_step > 100 ? 100 : t - last_step;
        simrtl_run(s.r, (uint64_t)s.clock_hz * dt / 1000u, false, out, sizeof out, &n_out);
      }
      if (n_out) rtl_out(&s, out, n_out);
    } else if (clock_on && t > last_step) {
      uint64_t dt = t - last_step > 100 ? 100 : t - last_step; /* no catching up after a stall */
      s.tp->step(s.dev, (uint64_t)s.clock_hz * dt / 1000u);
    }
    last_step = t;
    int fd = s.tcp ? (s.conn_fd >= 0 ? s.conn_fd : s.listen_fd) : s.master_fd;
    /* --bridge rtl: read no more than a third of the queue's room (faults may triple it) */
    size_t want = s.rtl ? simrtl_room(s.r) / 3 : sizeof buf;
    if (want > sizeof buf) want = sizeof buf;
    if (want == 0) continue; /* the queue drains at the line's rate first */
    struct pollfd pf = {fd, POLLIN, 0};
    int r = poll(&pf, 1, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "sgpu-sim: poll: %s\n", strerror(errno));
      rc = 1;
      break;
    }
    if (r == 0) continue;
    if (s.tcp && s.conn_fd < 0) { /* a new client */
      int c = accept(s.listen_fd, NULL, NULL);
      if (c < 0) continue;
      fcntl(c, F_SETFD, FD_CLOEXEC);
      fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
      int one = 1; /* a response goes out as it leaves the bridge: no Nagle delay */
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      s.conn_fd = c;
      s.connections++;
      /* a fresh byte stream */
      if (s.rtl) {
        s.rs_at_connect = s.rs;
        simrtl_flush(s.r);
        s.in_frame = false;
      } else {
        s.at_connect = s.br.st;
        bridge_ref_line_reset(&s.br);
      }
      had_client = true;
      continue;
    }
    ssize_t got = read(fd, buf, want);
    if (got > 0) {
      last_byte = now_ms();
      had_client = true;
      feed(&s, buf, (size_t)got);
      if (s.tcp && s.conn_broken) {
        close_conn(&s);
        done = s.once;
      }
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (s.tcp) { /* EOF or error: the client left */
      close_conn(&s);
      done = s.once;
    } else if (s.once && had_client) {
      done = true; /* EIO: the client closed the terminal */
    } else if (s.once) {
      had_client = true; /* a hangup before any byte still was a client that came and went */
      done = true;
    } else {
      /* cannot happen while the slave is held; do not spin */
      struct timespec ts = {0, 10000000};
      nanosleep(&ts, NULL);
    }
  }
  if (s.tcp && s.conn_fd >= 0) close_conn(&s);

  double secs = (double)(now_ms() - t_start) / 1000.0;
  uint64_t cycles = (s.rtl ? simrtl_cycles(s.r) : s.tp->cycles(s.dev)) - c_start;
  char counts[320], frx[128], ftx[128];
  if (s.rtl)
    rtl_counts(counts, sizeof counts, &s.rs, NULL);
  else
    frame_counts(counts, sizeof counts, &s.br.st, NULL);
  fault_line(frx, sizeof frx, &s.rx);
  fault_line(ftx, sizeof ftx, &s.tx);
  printf("sgpu-sim: exit%s: %llu connection%s; %s\n",
         stop_signal == SIGINT ? " on SIGINT" : stop_signal == SIGTERM ? " on SIGTERM" : "",
         (unsigned long long)s.connections, s.connections == 1 ? "" : "s", counts);
  printf("sgpu-sim: faults (seed %llu): rx %s; tx %s; %llu bytes for an absent client lost\n",
         (unsigned long long)s.seed, frx, ftx, (unsigned long long)s.tx_lost);
  if (s.rtl) {
    sgpu_simlink_counts c;
    simrtl_counts(s.r, &c);
    double run = (double)s.r->run_ns / 1e9;
    printf("sgpu-sim: clock: %llu cycles, %.3f s simulated at %u Hz, in %.1f s of wall time "
           "(%.1f s running: %.0f cycles per wall second); UART 8N1 at %u/%u cycles per bit: "
           "%.0f baud; the RTL UART dropped %llu bytes for a framing error and %llu for an "
           "overrun, the host's UART %llu; %u engine ownership violations\n",
           (unsigned long long)cycles, (double)cycles / s.sim_hz, s.sim_hz, secs, run,
           run > 0 ? (double)cycles / run : 0.0, s.r->num, s.r->den, baud,
           (unsigned long long)c.frame_errors, (unsigned long long)c.overruns,
           (unsigned long long)s.r->host_frame_errors, c.owner_violations);
  } else {
    printf("sgpu-sim: clock: %llu cycles in %.1f s of wall time (%.0f cycles/s); bytes handed "
           "across (--bridge ref: no UART timing)\n",
           (unsigned long long)cycles, secs, secs > 0 ? (double)cycles / secs : 0.0);
  }
  fflush(stdout);
  if (s.listen_fd >= 0) close(s.listen_fd);
  if (s.slave_keep >= 0) close(s.slave_keep);
  if (s.master_fd >= 0) close(s.master_fd);
  if (s.rtl) {
    simrtl_close(s.r);
    free(s.r);
  } else {
    s.tp->close(s.dev);
  }
  return rc;
}
