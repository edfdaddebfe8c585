/* test_link.c - libsgpu over a byte link (the tcp: and pty: transports, host/lib/
 * transport_link.c) against sgpu-sim (sim/sgpu_sim_main.c: a model behind the C reference
 * bridge), each sgpu-sim a child process started here.
 *
 *   test_link SGPU_SIM MODEL HANG_MODEL [--quick] [--bridge ref|rtl]
 *     SGPU_SIM    the sgpu-sim binary
 *     MODEL       the working device model (e.g. ref, or a path; with --bridge rtl an RTL link
 *                 model: small or default)
 *     HANG_MODEL  a model whose doorbell never completes (the fakehang build of the shell),
 *                 always served through the reference bridge (--bridge ref)
 *     --quick     fewer rounds (the ASan+UBSan run)
 *     --bridge B  sgpu-sim's bridge for MODEL (default ref); rtl: the RTL UART and link bridge
 *                 in the Verilated model, bytes bit-timed on its pins (sgpu-sim --bridge rtl)
 *
 * 1. Frames: on a clean link every admin command (create, map, unmap, query, queues, destroy
 *    with its phases) and every memory burst of up to 124 words costs exactly one request
 *    frame and one response frame, counted by the client's engine and, per connection, by
 *    sgpu-sim; admin=off (register batches and polls) for comparison; a timing of admin
 *    commands; over tcp: and pty:.
 * 2. Faults: lifecycle rounds (create, map, write, read back, query, destroy) through sgpu-sim
 *    injecting drops, flips, duplicates and insertions in both directions at several rates
 *    and seeds: every call either succeeds, exactly once, with the device state to match
 *    (live processes, frames, data), or fails with a clear link error
 *    (STATUS_IO_TIMEOUT/STATUS_IO_DEVICE_ERROR naming the link); then the device is asked
 *    whether such a command ran, and it must have run at most once. Never a duplicated or
 *    misapplied command.
 * 3. Failures: ADMIN_TIMEOUT from the bridge and the BUSY device after it, the simulator
 *    killed mid-session, a far end that never answers (tcp and pty), a refused connection,
 *    a file that is not a terminal, bad URIs: each a clear status and message, never a hang.
 *
 * Every wait has a timeout; sgpu-sim's first stdout line gives its URI (no sleeps).
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, kill, setenv */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_test.h"
#include "link_proto.h"
#include "sgpu.h"
#include "sim_child.h"

#define ST(x) sgpu_status_str(x)
#define LINE_TIMEOUT_MS 30000 /* sgpu-sim under ASan on a busy machine starts in well under */

static const char *sim_bin, *model, *hang_model, *bridge = "ref";
static bool quick;
static uint32_t root_frames = 1; /* frames an empty process holds (its root table), measured */

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---------------------------------------------------------------- sgpu-sim as a child */
/* (tests/host/sim_child.c, each outcome a check) */

typedef sim_child simproc;

static bool sim_start(simproc *s, const char *const *args) {
  return CHECK(sim_child_start(s, sim_bin, args),
               "sgpu-sim (%s %s ...) starts and names where it listens", args[0],
               args[1] ? args[1] : "");
}

/* SIGTERM, then its remaining lines (the last ones are the exit summary) and a clean exit.
 * The line starting with want_prefix (if not NULL) is copied to found. */
static bool sim_stop(simproc *s, const char *want_prefix, char *found, size_t cap) {
  int st = sim_child_stop(s, SIGTERM, want_prefix, found, cap);
  return CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && s->exit_seen,
               "sgpu-sim exits cleanly on SIGTERM with its summary (status 0x%x)", (unsigned)st);
}

/* ---------------------------------------------------------------- helpers */

static bool is_link_error(sgpu_status st) {
  return st == SGPU_STATUS_IO_TIMEOUT || st == SGPU_STATUS_IO_DEVICE_ERROR;
}

static sgpui_link_stats stats(sgpu_device *dev) {
  sgpui_link_stats s;
  memset(&s, 0, sizeof s);
  if (!sgpui_link_dev_stats(dev, &s)) CHECK(false, "the device is on a link transport");
  return s;
}

static sgpu_device *open_uri(const char *uri) {
  char err[1024];
  sgpu_device *dev = NULL;
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == SGPU_STATUS_SUCCESS, "open %s (%s %s)", uri, ST(st), err);
  return st == SGPU_STATUS_SUCCESS ? dev : NULL;
}

/* ---------------------------------------------------------------- 1. frames */

typedef struct {
  sgpu_device *dev;
  sgpui_link_stats before;
} frame_probe;

static void probe_begin(frame_probe *p) { p->before = stats(p->dev); }

/* The frames of the call since probe_begin: exactly req request frames and as many response
 * frames, no retry. */
static void probe_end(frame_probe *p, sgpu_status st, const char *what, uint64_t req) {
  sgpui_link_stats a = stats(p->dev);
  uint64_t tx = a.transmissions - p->before.transmissions, rx = a.frames_rx - p->before.frames_rx;
  CHECK(st == SGPU_STATUS_SUCCESS && tx == req && rx == req && a.retries == p->before.retries,
        "%-34s %s: %llu request frame%s, %llu response frame%s (%llu bytes out, %llu in)", what,
        ST(st), (unsigned long long)tx, tx == 1 ? "" : "s", (unsigned long long)rx,
        rx == 1 ? "" : "s", (unsigned long long)(a.bytes_tx - p->before.bytes_tx),
        (unsigned long long)(a.bytes_rx - p->before.bytes_rx));
  if (st != SGPU_STATUS_SUCCESS) printf("      | %s\n", sgpu_last_error(p->dev));
}

/* "frames in N (executed E, ...), frames out M" of a connection line (--bridge ref), or
 * "frames in N, frames out M (NAKs K, ...)" (--bridge rtl: counted on the pins; *exec is then
 * the responses that were not NAKs). */
static bool parse_conn(const char *line, unsigned long long *in, unsigned long long *exec,
                       unsigned long long *out) {
  const char *a = strstr(line, "frames in "), *b = strstr(line, "frames out ");
  unsigned long long naks = 0;
  if (!a || !b || sscanf(b, "frames out %llu", out) != 1) return false;
  if (sscanf(a, "frames in %llu (executed %llu", in, exec) == 2) return true;
  if (sscanf(a, "frames in %llu,", in) != 1 || sscanf(b, "frames out %*u (NAKs %llu", &naks) != 1)
    return false;
  *exec = *out - naks;
  return true;
}

static void frames_test(const char *kind) {
  printf("-- frames per admin command over %s:\n", kind);
  simproc s;
  /* --clock-hz 0: the device's clock moves with register accesses only, so no reclaim
   * event can come between a DEFERRED destroy and libsgpu's note of it (the frame counts
   * below are exact). */
  const char *args[] = {"--bridge", bridge, "--model", model, "--clock-hz", "0",
                        kind[0] == 't' ? "--tcp" : "--pty", kind[0] == 't' ? "0" : NULL, NULL};
  if (!sim_start(&s, args)) return;
  sgpu_device *dev = open_uri(s.uri);
  if (!dev) {
    sim_stop(&s, NULL, NULL, 0);
    return;
  }
  frame_probe p = {dev, {0}};
  sgpu_status st;
  sgpu_process a = 0, b = 0, c = 0;
  sgpu_info info;
  sgpu_get_info(dev, &info);
  uint32_t page = 1u << info.page_shift, va = 0x100u * page;

  sgpu_device_info d0, d1;
  sgpu_status q0 = sgpu_query_device(dev, &d0);
  probe_begin(&p);
  st = sgpu_create_process(dev, &a);
  probe_end(&p, st, "CREATE_PROCESS", 1);
  if (q0 == SGPU_STATUS_SUCCESS && sgpu_query_device(dev, &d1) == SGPU_STATUS_SUCCESS)
    root_frames = d1.frames_used - d0.frames_used;
  probe_begin(&p);
  st = sgpu_map(dev, a, va, 4);
  probe_end(&p, st, "MAP 4 pages", 1);
  probe_begin(&p);
  st = sgpu_unmap(dev, a, va + 3 * page, 1);
  probe_end(&p, st, "UNMAP 1 page", 1);
  uint32_t q = 0;
  probe_begin(&p);
  st = sgpu_create_queue(dev, a, va, 4, &q);
  probe_end(&p, st, "CREATE_QUEUE", 1);
  probe_begin(&p);
  st = sgpu_destroy_queue(dev, a, q);
  probe_end(&p, st, "DESTROY_QUEUE", 1);
  sgpu_process_info pi;
  probe_begin(&p);
  st = sgpu_query_process(dev, a, &pi);
  probe_end(&p, st, "QUERY process", 1);
  CHECK(st == SGPU_STATUS_SUCCESS && pi.data_frames == 3,
        "QUERY answers 3 data frames after map 4, unmap 1 (%u)", pi.data_frames);

  uint32_t w[124], r[124];
  for (uint32_t i = 0; i < 124; i++) w[i] = 0xA5000000u + i * 0x10001u;
  uint32_t burst = 124; /* one MEM request, or two if the device's data window is smaller */
  probe_begin(&p);
  st = sgpu_write(dev, a, va + 4, w, 4u * 40u);
  probe_end(&p, st, "write 40 words (MEM_WRITE)", 1);
  probe_begin(&p);
  st = sgpu_read(dev, a, va + 4, r, 4u * 40u);
  probe_end(&p, st, "read 40 words (MEM_READ)", 1);
  CHECK(st == SGPU_STATUS_SUCCESS && !memcmp(w, r, 4u * 40u), "the 40 words read back");
  /* A longer transfer: one burst per min(124, data window) words. */
  probe_begin(&p);
  st = sgpu_write(dev, a, va + page, w, sizeof w);
  sgpui_link_stats after = stats(dev);
  uint64_t bursts = after.transmissions - p.before.transmissions;
  CHECK(st == SGPU_STATUS_SUCCESS && bursts >= 1 && bursts <= 2 &&
            after.frames_rx - p.before.frames_rx == bursts,
        "write %u words: %llu MEM_WRITE frame(s), as many answers", burst,
        (unsigned long long)bursts);
  memset(r, 0, sizeof r);
  st = sgpu_read(dev, a, va + page, r, sizeof r);
  CHECK(st == SGPU_STATUS_SUCCESS && !memcmp(w, r, sizeof r), "the %u words read back (%s)", burst,
        ST(st));
  /* A device failure comes back in the same single exchange. */
  probe_begin(&p);
  st = sgpu_read(dev, a, va + 3 * page, r, 4);
  sgpui_link_stats fa = stats(dev);
  CHECK(st == SGPU_STATUS_ACCESS_VIOLATION &&
            fa.transmissions - p.before.transmissions == 1 &&
            fa.frames_rx - p.before.frames_rx == 1,
        "read of an unmapped page: STATUS_ACCESS_VIOLATION in 1 frame each way (%s: %s)", ST(st),
        sgpu_last_error(dev));

  sgpu_destroy_result dr;
  probe_begin(&p);
  st = sgpu_destroy_process(dev, a, SGPU_POLICY_EAGER, &dr);
  probe_end(&p, st, "DESTROY_PROCESS eager, with phases", 1);
  CHECK(st == SGPU_STATUS_SUCCESS && dr.phases_read == 1 && dr.validate_cycles > 0 &&
            dr.complete_cycles > 0 && dr.frames_freed == 3 + dr.pt_pages_freed,
        "eager destroy: phases read with the command (%u; validate %u, complete %u), %u frames "
        "freed (%u tables)",
        dr.phases_read, dr.validate_cycles, dr.complete_cycles, dr.frames_freed,
        dr.pt_pages_freed);
  st = sgpu_create_process(dev, &b);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_map(dev, b, va, 2);
  probe_begin(&p);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_destroy_process(dev, b, SGPU_POLICY_DEFAULT, &dr);
  probe_end(&p, st, "DESTROY_PROCESS default", 1);
  /* A DEFERRED destroy also notes its reclaim event (RECLAIM_SEQ, RECLAIM_PENDING,
   * RECLAIM_SEQ: one batch), and QUERY of the device also reads RECLAIM_PENDING and
   * RECLAIM_SEQ (one batch): libsgpu's bookkeeping, not the command. */
  st = sgpu_create_process(dev, &c);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_map(dev, c, va, 2);
  probe_begin(&p);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_destroy_process(dev, c, SGPU_POLICY_DEFERRED, &dr);
  if (strcmp(bridge, "rtl")) {
    probe_end(&p, st, "DESTROY_PROCESS deferred (+ 1 note)", 2);
  } else {
    /* The RTL device's clock runs while the bridge executes (--clock-hz 0 stops it only
     * between requests), so the reclaim event may land between the note batch's two
     * RECLAIM_SEQ reads: libsgpu then reads the batch again (host/lib/reclaim.c). */
    sgpui_link_stats a = stats(dev);
    uint64_t tx = a.transmissions - p.before.transmissions, rx = a.frames_rx - p.before.frames_rx;
    CHECK(st == SGPU_STATUS_SUCCESS && (tx == 2 || tx == 3) && rx == tx &&
              a.retries == p.before.retries,
          "%-34s %s: %llu request frames, %llu response frames (2, or 3 when the reclaim came "
          "between the note's RECLAIM_SEQ reads), no retry",
          "DESTROY_PROCESS deferred (+ note)", ST(st), (unsigned long long)tx,
          (unsigned long long)rx);
  }
  sgpu_device_info di;
  probe_begin(&p);
  st = sgpu_query_device(dev, &di);
  probe_end(&p, st, "QUERY device (+ 1 reclaim batch)", 2);

  /* Timing: QUERY of a process that does not exist, an admin command the device answers at
   * once, back to back. */
  unsigned n = quick ? 200 : 2000;
  sgpui_link_stats t0s = stats(dev);
  uint64_t t0 = now_us();
  unsigned bad = 0;
  for (unsigned i = 0; i < n; i++)
    if (sgpu_query_process(dev, 0x00FF0001u, &pi) != SGPU_STATUS_INVALID_HANDLE) bad++;
  uint64_t t1 = now_us();
  sgpui_link_stats t1s = stats(dev);
  CHECK(bad == 0 && t1s.transmissions - t0s.transmissions == n &&
            t1s.frames_rx - t0s.frames_rx == n,
        "%u admin commands over %s: %llu request frames, %llu response frames, %.1f us per "
        "command (%.0f bytes out, %.0f in per command)",
        n, kind, (unsigned long long)(t1s.transmissions - t0s.transmissions),
        (unsigned long long)(t1s.frames_rx - t0s.frames_rx), (double)(t1 - t0) / n,
        (double)(t1s.bytes_tx - t0s.bytes_tx) / n, (double)(t1s.bytes_rx - t0s.bytes_rx) / n);
  sgpui_link_stats total = stats(dev);
  sgpu_link_counters lc;
  sgpu_status lst = sgpu_link_stats(dev, &lc);
  CHECK(lst == SGPU_STATUS_SUCCESS && lc.frames_tx == total.transmissions &&
            lc.frames_rx == total.frames_rx && lc.bytes_tx == total.bytes_tx &&
            lc.bytes_rx == total.bytes_rx && lc.retries == total.retries,
        "sgpu_link_stats: %llu frames out, %llu in, %llu bytes out, %llu in, %llu "
        "retransmissions, as the link engine counted (%s)",
        (unsigned long long)lc.frames_tx, (unsigned long long)lc.frames_rx,
        (unsigned long long)lc.bytes_tx, (unsigned long long)lc.bytes_rx,
        (unsigned long long)lc.retries, ST(lst));
  sgpu_close(dev);

  /* The same commands through register batches (admin=off), for comparison. */
  char uri[768];
  snprintf(uri, sizeof uri, "%s?admin=off", s.uri);
  sgpu_device *rdev = open_uri(uri);
  if (rdev) {
    frame_probe rp = {rdev, {0}};
    sgpu_process x = 0;
    probe_begin(&rp);
    st = sgpu_create_process(rdev, &x);
    sgpui_link_stats ra = stats(rdev);
    uint64_t cf = ra.transmissions - rp.before.transmissions;
    probe_begin(&rp);
    if (st == SGPU_STATUS_SUCCESS) st = sgpu_destroy_process(rdev, x, SGPU_POLICY_EAGER, &dr);
    ra = stats(rdev);
    uint64_t df = ra.transmissions - rp.before.transmissions;
    CHECK(st == SGPU_STATUS_SUCCESS && cf >= 3 && df >= 4 && dr.phases_read == 1,
          "admin=off (register batches and CPL_SEQ polls): CREATE_PROCESS %llu request frames, "
          "DESTROY_PROCESS with phases %llu",
          (unsigned long long)cf, (unsigned long long)df);
    sgpu_close(rdev);
  }

  /* sgpu-sim's own count of the first connection (tcp only: a pty has no connections). */
  if (kind[0] == 't') {
    char line[1024];
    bool got = sim_child_line(&s, line, sizeof line, LINE_TIMEOUT_MS);
    unsigned long long in = 0, ex = 0, out = 0;
    bool parsed = got && parse_conn(line, &in, &ex, &out);
    CHECK(parsed && in == total.transmissions && out == total.frames_rx,
          "sgpu-sim counted the first connection's frames as the client did: %llu in (%llu "
          "executed), %llu out; client %llu sent, %llu received ('%s')",
          in, ex, out, (unsigned long long)total.transmissions,
          (unsigned long long)total.frames_rx, got ? line : "no line");
  }
  sim_stop(&s, NULL, NULL, 0);
}

/* ---------------------------------------------------------------- 2. faults */

typedef struct {
  sgpu_device *dev;
  unsigned link_errors, ambiguous_ran, ambiguous_not, retried_ok;
  unsigned commands;
  uint32_t frames0; /* frames used before the first round */
  uint32_t leaked;  /* processes created by a command whose answer was lost (no handle) */
  bool fatal;
} fctx;

/* A link error must be a clear one: the link statuses, a message naming the link. */
static bool clear_link_error(fctx *f, sgpu_status st, const char *what) {
  const char *m = sgpu_last_error(f->dev);
  f->link_errors++;
  bool ok = is_link_error(st) && strstr(m, "tcp:") &&
            (strstr(m, "transmissions") || strstr(m, "closed") || strstr(m, "bridge"));
  if (!ok || f->link_errors <= 3)
    CHECK(ok, "%s: a clear link error: %s: %s", what, ST(st), m);
  return ok;
}

/* Retry an idempotent question until it is answered (a link error just means ask again). */
static sgpu_status settle_query_process(fctx *f, sgpu_process p, sgpu_process_info *pi) {
  sgpu_status st = SGPU_STATUS_IO_TIMEOUT;
  for (int i = 0; i < 40 && is_link_error(st); i++) st = sgpu_query_process(f->dev, p, pi);
  return st;
}

static sgpu_status settle_query_device(fctx *f, sgpu_device_info *di) {
  sgpu_status st = SGPU_STATUS_IO_TIMEOUT;
  for (int i = 0; i < 40 && is_link_error(st); i++) st = sgpu_query_device(f->dev, di);
  return st;
}

typedef struct {
  sgpu_process h;
  uint32_t data_frames; /* mapped pages */
} known_proc;

/* One lifecycle round. Expected state: *live processes, of which the known ones in kp. */
static void fault_round(fctx *f, unsigned round, uint32_t page, uint32_t words, uint32_t *live,
                        uint64_t *rng) {
  char what[96];
  sgpu_status st;
  sgpu_device_info di;
  sgpu_process_info pi;
  known_proc k = {0, 0};

  /* create */
  f->commands++;
  st = sgpu_create_process(f->dev, &k.h);
  if (st == SGPU_STATUS_SUCCESS) {
    ++*live;
  } else {
    snprintf(what, sizeof what, "round %u create", round);
    if (!clear_link_error(f, st, what)) return;
    st = settle_query_device(f, &di);
    if (!CHECK(st == SGPU_STATUS_SUCCESS, "%s: device query answers (%s)", what, ST(st))) {
      f->fatal = true;
      return;
    }
    if (!CHECK(di.live_processes == *live || di.live_processes == *live + 1,
               "%s after a link error: ran at most once (%u live, expected %u or %u)", what,
               di.live_processes, *live, *live + 1)) {
      f->fatal = true;
      return;
    }
    if (di.live_processes == *live + 1) {
      f->ambiguous_ran++;
      f->leaked++; /* a process we have no handle of: it stays, unmapped */
    } else {
      f->ambiguous_not++;
    }
    *live = di.live_processes;
    return;
  }

  /* map 2 ranges: 3 pages (the transfers go there) and 1 */
  bool mapped0 = false;
  for (uint32_t r = 0; r < 2; r++) {
    uint32_t va = (0x40u + 0x10u * r) * page, pages = r ? 1 : 3;
    f->commands++;
    st = sgpu_map(f->dev, k.h, va, pages);
    if (st == SGPU_STATUS_SUCCESS) {
      k.data_frames += pages;
      mapped0 |= r == 0;
      continue;
    }
    snprintf(what, sizeof what, "round %u map %u pages at 0x%x", round, pages, va);
    if (!is_link_error(st)) {
      CHECK(false, "%s: %s: %s (a duplicated MAP would say CONFLICTING_ADDRESSES)", what, ST(st),
            sgpu_last_error(f->dev));
      f->fatal = true;
      return;
    }
    if (!clear_link_error(f, st, what)) return;
    st = settle_query_process(f, k.h, &pi);
    if (!CHECK(st == SGPU_STATUS_SUCCESS && (pi.data_frames == k.data_frames ||
                                             pi.data_frames == k.data_frames + pages),
               "%s after a link error: ran at most once (%u data frames, expected %u or %u)",
               what, pi.data_frames, k.data_frames, k.data_frames + pages)) {
      f->fatal = true;
      return;
    }
    if (pi.data_frames != k.data_frames) {
      f->ambiguous_ran++;
      mapped0 |= r == 0;
    } else {
      f->ambiguous_not++;
    }
    k.data_frames = pi.data_frames;
  }

  /* write a pattern across the first range, read it back (writes and reads are idempotent:
   * a link error means do it again) */
  if (words > 3u * page / 4u) words = 3u * page / 4u; /* within the 3-page range */
  uint32_t *w = malloc(4u * words), *r = malloc(4u * words);
  if (!w || !r) {
    free(w);
    free(r);
    f->fatal = true;
    CHECK(false, "host memory");
    return;
  }
  for (uint32_t i = 0; i < words; i++) {
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull; /* an LCG: data, not faults */
    w[i] = (uint32_t)(*rng >> 32);
  }
  uint32_t wva = 0x40u * page;
  bool written = mapped0;
  if (written) {
    int tries = 0;
    do {
      f->commands++;
      st = sgpu_write(f->dev, k.h, wva, w, 4u * words);
      if (st != SGPU_STATUS_SUCCESS) {
        snprintf(what, sizeof what, "round %u write %u words", round, words);
        if (!is_link_error(st) || !clear_link_error(f, st, what)) {
          CHECK(false, "%s: %s: %s", what, ST(st), sgpu_last_error(f->dev));
          f->fatal = true;
          break;
        }
      }
    } while (st != SGPU_STATUS_SUCCESS && ++tries < 20);
    if (tries) f->retried_ok += st == SGPU_STATUS_SUCCESS;
    if (st == SGPU_STATUS_SUCCESS) {
      tries = 0;
      do {
        memset(r, 0, 4u * words);
        f->commands++;
        st = sgpu_read(f->dev, k.h, wva, r, 4u * words);
        if (st != SGPU_STATUS_SUCCESS && !is_link_error(st)) break;
        if (st != SGPU_STATUS_SUCCESS) clear_link_error(f, st, "read back");
      } while (st != SGPU_STATUS_SUCCESS && ++tries < 20);
      if (!CHECK(st == SGPU_STATUS_SUCCESS && !memcmp(w, r, 4u * words),
                 "round %u: %u words read back as written (%s)", round, words, ST(st)))
        f->fatal = true;
    }
  }
  free(w);
  free(r);
  if (f->fatal) return;

  /* the device's view of the process */
  st = settle_query_process(f, k.h, &pi);
  if (!CHECK(st == SGPU_STATUS_SUCCESS && pi.data_frames == k.data_frames &&
                 pi.state == SGPU_PROC_STATE_ACTIVE,
             "round %u: QUERY: %u data frames (expected %u), state %u (%s)", round,
             pi.data_frames, k.data_frames, pi.state, ST(st))) {
    f->fatal = true;
    return;
  }
  uint32_t pt = pi.pt_pages;
  st = settle_query_device(f, &di);
  uint32_t want_frames = f->frames0 + f->leaked * root_frames + k.data_frames + pt;
  if (!CHECK(st == SGPU_STATUS_SUCCESS && di.live_processes == *live &&
                 di.frames_used == want_frames,
             "round %u: %u live processes (expected %u), %u frames used (expected %u)", round,
             di.live_processes, *live, di.frames_used, want_frames)) {
    f->fatal = true;
    return;
  }

  /* destroy */
  sgpu_destroy_result dr;
  sgpu_policy pol = round % 2 ? SGPU_POLICY_EAGER : SGPU_POLICY_DEFAULT;
  f->commands++;
  st = sgpu_destroy_process(f->dev, k.h, pol, &dr);
  snprintf(what, sizeof what, "round %u destroy 0x%08x", round, k.h);
  if (st == SGPU_STATUS_SUCCESS) {
    --*live;
    if (!CHECK(dr.frames_freed == k.data_frames + pt && dr.phases_read == 1,
               "%s: %u frames freed (expected %u data + %u tables), phases %u", what,
               dr.frames_freed, k.data_frames, pt, dr.phases_read))
      f->fatal = true;
  } else {
    if (!is_link_error(st)) {
      CHECK(false, "%s: %s: %s", what, ST(st), sgpu_last_error(f->dev));
      f->fatal = true;
      return;
    }
    if (!clear_link_error(f, st, what)) return;
    st = settle_query_process(f, k.h, &pi);
    if (st == SGPU_STATUS_INVALID_HANDLE) {
      --*live;
      f->ambiguous_ran++;
    } else if (st == SGPU_STATUS_SUCCESS) {
      f->ambiguous_not++; /* not destroyed: destroy it now (idempotent question first) */
      sgpu_status d = SGPU_STATUS_IO_TIMEOUT;
      for (int i = 0; i < 40 && is_link_error(d); i++) {
        d = sgpu_destroy_process(f->dev, k.h, pol, &dr);
        if (is_link_error(d) && settle_query_process(f, k.h, &pi) == SGPU_STATUS_INVALID_HANDLE)
          d = SGPU_STATUS_SUCCESS; /* ran, its answer lost */
      }
      if (CHECK(d == SGPU_STATUS_SUCCESS, "%s: destroyed on a later attempt (%s)", what, ST(d)))
        --*live;
      else
        f->fatal = true;
    } else {
      CHECK(false, "%s: query after the link error: %s", what, ST(st));
      f->fatal = true;
    }
  }
}

static void fault_test(double rate, uint64_t seed, unsigned rounds, uint32_t words,
                       const char *uri_opts) {
  char r[32], sd[32];
  snprintf(r, sizeof r, "%.4f", rate);
  snprintf(sd, sizeof sd, "%llu", (unsigned long long)seed);
  printf("-- faults: drop, flip, dup, insert each at %s per byte, both directions, seed %s, "
         "%u rounds of %u-word transfers\n",
         r, sd, rounds, words);
  char f1[64], f2[64], f3[64], f4[64];
  snprintf(f1, sizeof f1, "both:drop:%s", r);
  snprintf(f2, sizeof f2, "both:flip:%s", r);
  snprintf(f3, sizeof f3, "both:dup:%s", r);
  snprintf(f4, sizeof f4, "both:insert:%s", r);
  const char *args[] = {"--bridge", bridge, "--model", model, "--tcp", "0", "--seed", sd,
                        "--fault", f1, "--fault", f2, "--fault", f3, "--fault", f4, NULL};
  simproc s;
  if (!sim_start(&s, args)) return;
  char uri[768];
  snprintf(uri, sizeof uri, "%s?%s", s.uri, uri_opts);
  /* Opening is a few requests too: retry it like any idempotent question. */
  sgpu_device *dev = NULL;
  char err[1024] = "";
  sgpu_status st = SGPU_STATUS_IO_TIMEOUT;
  for (int i = 0; i < 20 && st != SGPU_STATUS_SUCCESS; i++)
    st = sgpu_open_ex(uri, &dev, err, sizeof err);
  if (!CHECK(st == SGPU_STATUS_SUCCESS, "open %s through the faults (%s %s)", uri, ST(st), err)) {
    sim_stop(&s, NULL, NULL, 0);
    return;
  }
  sgpu_info info;
  for (int i = 0; i < 40 && (st = sgpu_get_info(dev, &info)) != SGPU_STATUS_SUCCESS; i++) {
  }
  fctx f = {dev, 0, 0, 0, 0, 0, 0, 0, false};
  sgpu_device_info di;
  st = settle_query_device(&f, &di);
  uint32_t live = di.live_processes;
  f.frames0 = di.frames_used;
  uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
  uint32_t page = 1u << info.page_shift;
  for (unsigned i = 0; i < rounds && !f.fatal; i++) fault_round(&f, i, page, words, &live, &rng);
  st = settle_query_device(&f, &di);
  CHECK(!f.fatal && st == SGPU_STATUS_SUCCESS && di.live_processes == live &&
            di.frames_used == f.frames0 + f.leaked * root_frames,
        "after %u rounds: %u live processes (expected %u), %u frames used (expected %u at the "
        "start + %u for %u processes whose create answer was lost)",
        rounds, di.live_processes, live, di.frames_used, f.frames0, f.leaked * root_frames,
        f.leaked);
  sgpui_link_stats ls = stats(dev);
  CHECK(!f.fatal, "rate %s seed %s: %u commands; %llu requests, %llu retries, %llu NAKs, %llu "
        "damaged frames, %llu timeouts, %llu stale answers; %u link errors (after them the "
        "device showed %u commands had run, %u had not; %u transfers redone)",
        r, sd, f.commands, (unsigned long long)ls.requests, (unsigned long long)ls.retries,
        (unsigned long long)ls.naks, (unsigned long long)ls.bad_frames,
        (unsigned long long)ls.timeouts, (unsigned long long)ls.stale, f.link_errors,
        f.ambiguous_ran, f.ambiguous_not, f.retried_ok);
  sgpu_close(dev);
  char faults[1024];
  sim_stop(&s, "sgpu-sim: faults", faults, sizeof faults);
  const char *none = "rx drop 0, flip 0, dup 0, insert 0; tx drop 0, flip 0, dup 0, insert 0";
  CHECK(strstr(faults, "rx drop ") && !strstr(faults, none),
        "sgpu-sim injected faults: %s", faults);
}

/* ---------------------------------------------------------------- 3. failures */

static void expect_fail(sgpu_status st, sgpu_status want, const char *msg, const char *n1,
                        const char *n2, const char *what) {
  CHECK(st == want && (!n1 || strstr(msg, n1)) && (!n2 || strstr(msg, n2)),
        "%s -> %s naming '%s'%s%s%s (got %s: %s)", what, ST(want), n1 ? n1 : "",
        n2 ? " and '" : "", n2 ? n2 : "", n2 ? "'" : "", ST(st), msg);
}

static void failures_test(void) {
  puts("-- failures");
  char err[1024], uri[768];
  sgpu_device *dev = NULL;
  sgpu_status st;

  /* The bridge's admin wait runs out: ADMIN_TIMEOUT -> STATUS_IO_TIMEOUT; the device stays
   * BUSY, so the next command finds ADMIN_BUSY, waits for BUSY through register reads and
   * times out naming it. */
  {
    simproc s;
    const char *args[] = {"--bridge", "ref", "--model", hang_model, "--tcp", "0",
                          "--admin-wait-log2", "6", NULL};
    if (sim_start(&s, args)) {
      if ((dev = open_uri(s.uri))) {
        sgpu_set_poll_limit(dev, 20);
        sgpu_process p;
        frame_probe pr = {dev, {0}};
        probe_begin(&pr);
        st = sgpu_create_process(dev, &p);
        sgpui_link_stats a = stats(dev);
        expect_fail(st, SGPU_STATUS_IO_TIMEOUT, sgpu_last_error(dev), "ADMIN_TIMEOUT",
                    "CREATE_PROCESS", "a command that never completes (bridge wait 2^6 polls)");
        CHECK(a.transmissions - pr.before.transmissions == 1,
              "ADMIN_TIMEOUT is an answer: one request, no retry (%llu)",
              (unsigned long long)(a.transmissions - pr.before.transmissions));
        st = sgpu_map(dev, 0x10000, 0, 1);
        expect_fail(st, SGPU_STATUS_IO_TIMEOUT, sgpu_last_error(dev), "BUSY", "20 polls",
                    "the next command while the device stays BUSY");
        sgpu_close(dev);
      }
      sim_stop(&s, NULL, NULL, 0);
    }
  }

  /* Link counters of a device that is not on a byte link: refused, naming its transport. */
  {
    snprintf(uri, sizeof uri, "sim:%s", hang_model);
    if ((dev = open_uri(uri))) {
      sgpu_link_counters lc;
      st = sgpu_link_stats(dev, &lc);
      expect_fail(st, SGPU_STATUS_INVALID_DEVICE_REQUEST, sgpu_last_error(dev), "no link to count",
                  "sim:", "sgpu_link_stats on a sim: device");
      sgpu_close(dev);
    }
  }

  /* The simulator dies mid-session: the next call fails at once naming the link. */
  {
    simproc s;
    const char *args[] = {"--bridge", bridge, "--model", model, "--tcp", "0", NULL};
    if (sim_start(&s, args)) {
      snprintf(uri, sizeof uri, "%s?timeout_ms=200&retries=1", s.uri);
      if ((dev = open_uri(uri))) {
        sim_child_kill(&s);
        sgpu_device_info di;
        uint64_t t0 = now_us();
        st = sgpu_query_device(dev, &di);
        uint64_t ms = (now_us() - t0) / 1000u;
        expect_fail(st, SGPU_STATUS_IO_DEVICE_ERROR, sgpu_last_error(dev), s.uri, "closed",
                    "a call after sgpu-sim was killed");
        CHECK(ms < 5000, "... within %llu ms", (unsigned long long)ms);
        sgpu_close(dev);
      }
    }
  }

  /* A TCP server that accepts (in its backlog) but never answers. */
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sa;
  if (CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                getsockname(lfd, (struct sockaddr *)&sa, &sl) == 0,
            "a TCP socket bound to 127.0.0.1, port %u", ntohs(sa.sin_port))) {
    unsigned port = ntohs(sa.sin_port);
    /* bound, not listening: connection refused */
    snprintf(uri, sizeof uri, "tcp:127.0.0.1:%u", port);
    st = sgpu_open_ex(uri, &dev, err, sizeof err);
    expect_fail(st, SGPU_STATUS_NOT_FOUND, err, uri, "refused", "nothing listening");
    if (CHECK(listen(lfd, 2) == 0, "listening, never answering")) {
      snprintf(uri, sizeof uri, "tcp:127.0.0.1:%u?timeout_ms=50&retries=2", port);
      uint64_t t0 = now_us();
      st = sgpu_open_ex(uri, &dev, err, sizeof err);
      uint64_t ms = (now_us() - t0) / 1000u;
      expect_fail(st, SGPU_STATUS_IO_TIMEOUT, err, "no sgpu link bridge answered",
                  "3 transmissions", "a silent far end (timeout_ms=50, retries=2)");
      CHECK(ms >= 150 && ms < 5000, "... after its 3 attempts of 50 ms (%llu ms)",
            (unsigned long long)ms);
    }
  }
  if (lfd >= 0) close(lfd);

  /* A terminal nobody serves. */
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 && ptsname(m), "a pseudo-terminal")) {
    snprintf(uri, sizeof uri, "pty:%s?timeout_ms=50&retries=1", ptsname(m));
    st = sgpu_open_ex(uri, &dev, err, sizeof err);
    expect_fail(st, SGPU_STATUS_IO_TIMEOUT, err, ptsname(m), "no sgpu link bridge answered",
                "a pty with nothing behind it");
  }
  if (m >= 0) close(m);

  /* Addresses and options. */
  struct {
    const char *uri, *n1, *n2;
  } bad[] = {
      {"pty:/dev/null", "not a terminal", "/dev/null"},
      {"pty:/nonexistent/tty", "/nonexistent/tty", "No such file"},
      {"pty:", "names no terminal", NULL},
      {"tcp:", "names no address", NULL},
      {"tcp:localhost", "HOST:PORT", "'localhost'"},
      {"tcp:127.0.0.1:0", "bad tcp port '0'", NULL},
      {"tcp:127.0.0.1:70000", "'70000'", NULL},
      {"tcp:127.0.0.1:x1", "'x1'", NULL},
      {"tcp:127.0.0.1:5555?timeout_ms=0", "timeout_ms '0'", NULL},
      {"tcp:127.0.0.1:5555?retries=x", "retries 'x'", NULL},
      {"tcp:127.0.0.1:5555?retries=1000", "retries '1000'", "0..100"},
      {"tcp:127.0.0.1:5555?admin=maybe", "admin 'maybe'", NULL},
      {"pty:/dev/ptmx?colour=red", "'colour=red'", "timeout_ms=N"},
      {"nosuch:/dev/ttyUSB0", "unknown URI scheme 'nosuch'", "tcp:, pty:"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dev = (sgpu_device *)1;
    st = sgpu_open_ex(bad[i].uri, &dev, err, sizeof err);
    CHECK(st == SGPU_STATUS_NOT_FOUND && dev == NULL && strstr(err, bad[i].n1) &&
              (!bad[i].n2 || strstr(err, bad[i].n2)),
          "open '%s' -> STATUS_NOT_FOUND naming '%s' (%s: %s)", bad[i].uri, bad[i].n1, ST(st),
          err);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: test_link SGPU_SIM MODEL HANG_MODEL [--quick] [--bridge ref|rtl]\n");
    return 2;
  }
  sim_bin = argv[1];
  model = argv[2];
  hang_model = argv[3];
  for (int i = 4; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!strcmp(argv[i], "--bridge") && i + 1 < argc &&
               (!strcmp(argv[i + 1], "ref") || !strcmp(argv[i + 1], "rtl"))) {
      bridge = argv[++i];
    } else {
      fprintf(stderr, "test_link: bad option '%s' (--quick, --bridge ref|rtl)\n", argv[i]);
      return 2;
    }
  }
  printf("test_link: sgpu-sim --bridge %s --model %s\n", bridge, model);
  signal(SIGPIPE, SIG_IGN);

  frames_test("tcp");
  frames_test("pty");
  /* Rates per byte and per fault kind (4 kinds, both directions): 0.05 % .. 0.4 %, so 0.2 %
   * to 1.6 % of the bytes are damaged; the highest with fewer retries, to provoke link
   * errors. Transfers up to 150 words (2 bursts). */
  /* The RTL bridge is simulated bit by bit at about a million cycles per wall second: a
   * 150-word MEM_WRITE (about 620 bytes, 40 cycles each) takes some 25 ms of wall time, so an
   * attempt waits 10 times longer there. */
  bool rtl = !strcmp(bridge, "rtl");
  fault_test(0.0005, 1, quick ? 8 : 20, 150, rtl ? "timeout_ms=400" : "timeout_ms=40");
  fault_test(0.002, 2, quick ? 8 : 20, 40, rtl ? "timeout_ms=400" : "timeout_ms=40");
  fault_test(0.004, 3, quick ? 8 : 20, 16,
             rtl ? "timeout_ms=400&retries=3" : "timeout_ms=40&retries=3");
  if (!quick) fault_test(0.002, 4, 20, 60, "timeout_ms=40&retries=2");
  failures_test();
  return ht_done("test_link");
}
