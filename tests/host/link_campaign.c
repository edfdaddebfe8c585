/* link_campaign.c - the host link's fault campaign (issue 13): many admin commands through
 * libsgpu over a link that drops, flips, duplicates and inserts bytes in both directions
 * (sgpu-sim --fault), each checked against the C reference model run here in lockstep.
 *
 *   link_campaign SGPU_SIM [--commands N] [--seed S] [--rate R] [--retries N]
 *                 [--timeout-ms N] [--tcp] [--model NAME]
 *
 * sgpu-sim serves --model (default ref: the same C model, sim:ref) on a new pseudo-terminal
 * (--tcp: on TCP), injecting each of drop, flip, dup and insert at R per byte (default
 * 0.001) in both directions, seeded with S. The program opens pty:PATH?timeout_ms=..&retries=..
 * and issues N admin commands (default 10000), a seeded mix of CREATE_PROCESS,
 * DESTROY_PROCESS (default, eager and deferred policy), MAP, UNMAP, CREATE_QUEUE, DESTROY_QUEUE, QUERY
 * of a process and of the device, MEM_WRITE and MEM_READ (sgpu_write/sgpu_read of at most
 * one data window), with valid and invalid arguments. A DEFERRED destroy that ran is followed by
 * its reclaim event (RECLAIM_SEQ polled; RECLAIM_HANDLE and RECLAIM_FRAMES checked), and the
 * model is brought to the same event, so no reclaim is pending across the next command. Its
 * own reference model (sgpu_ref,
 * the device's parameters) executes every command the device executed:
 *   - a call the device answered must match the model exactly: status, handle, queue,
 *     destroy counts, query fields, data read;
 *   - a call that ended in a link error (STATUS_IO_TIMEOUT / STATUS_IO_DEVICE_ERROR whose
 *     message names the link) is resolved by asking the device (QUERY of the device and of
 *     the process concerned, the data read back) and comparing with the model's state with
 *     and without the command: it ran once or not at all, never anything else. A command
 *     that changes nothing either way (a query, a refused command) stays undetermined;
 *   - at the end the device's CPL_SEQ advanced by exactly the commands it answered plus the
 *     resolved ones that ran, plus at most the undetermined ones: no command executed twice
 *     (a replayed retry would add one), none answered without being executed.
 * It prints the link's counters (sgpu_link_stats: requests, retries, NAKs, damaged frames,
 * timeouts) and sgpu-sim's count of injected faults. Any mismatch prints the seed, the
 * command's number and how to replay it; the exit status is the number of failed checks
 * (capped at 1).
 *
 * Not covered: commands naming a DYING process (the reclaim event may come inside such a
 * command's window; tests/model/model_sync.c resolves that for the difftest on sim:).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "host_test.h"
#include "sgpu.h"
#include "sgpu_ref.h"
#include "sgpu_regs.h" /* tests only: CPL_SEQ, CAPS2 */
#include "sim_child.h"

#define ST(x) sgpu_status_str(x)
#define MAX_WORDS 64u /* a transfer of at most one data window: one MEM command */
#define SETTLE_TRIES 60
#define OP_RECLAIM 0xFFu /* a history entry: the model brought to RECLAIM_SEQ = args[0] */

typedef struct {
  uint32_t op, policy, args[4];
  uint32_t nwords; /* MEM_WRITE: its data at pool[data_at] */
  size_t data_at;
} hist_ent;

typedef struct {
  sgpu_device *dev;
  char link[640]; /* the URI without options: link errors name it */
  sgpu_ref *m;
  ref_params prm;
  hist_ent *hist;
  size_t nhist, caphist;
  uint32_t *pool;
  size_t npool, cappool;
  uint64_t rng, seed;
  uint64_t index; /* the command being run */
  /* queues the model says were created: (handle, queue) */
  uint32_t qh[64], qq[64];
  unsigned nq;
  /* accounting */
  uint64_t answered, ran, not_ran, maybe, link_errors, refused, reclaims;
  uint64_t per_op[SGPU_OP_MAX + 1];
  bool fatal;
} camp;

static uint64_t rnd(camp *c) { /* splitmix64 */
  uint64_t z = (c->rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static uint32_t rndn(camp *c, uint32_t n) { return n ? (uint32_t)(rnd(c) % n) : 0; }

static void die(camp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void die(camp *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("FAIL  command %llu (seed %llu): ", (unsigned long long)c->index,
         (unsigned long long)c->seed);
  vprintf(fmt, ap);
  printf("\n      replay: link_campaign SGPU_SIM --seed %llu --commands %llu (same --rate, "
         "--retries, --timeout-ms)\n",
         (unsigned long long)c->seed, (unsigned long long)c->index + 1);
  va_end(ap);
  fflush(stdout);
  ht_checks++;
  ht_failed++;
  c->fatal = true;
}

/* ---------------------------------------------------------------- the model */

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return p;
  size_t n = *cap ? *cap * 2 : 1024;
  while (n < need) n *= 2;
  void *q = realloc(p, n * elem);
  if (!q) {
    fprintf(stderr, "link_campaign: out of memory\n");
    exit(1);
  }
  *cap = n;
  return q;
}

static uint32_t model_run(sgpu_ref *m, const hist_ent *e, const uint32_t *data, uint32_t res[6]) {
  if (e->op == OP_RECLAIM) {
    ref_reclaim_upto(m, e->args[0]);
    return SGPU_STATUS_SUCCESS;
  }
  if (e->op == SGPU_OP_MEM_WRITE)
    for (uint32_t i = 0; i < e->nwords; i++) ref_window_write(m, SGPU_DATA_BASE + 4u * i, data[i]);
  return ref_exec(m, e->op, e->policy, e->args, res);
}

/* Execute a command on the model; state-changing kinds are kept for a rebuild. */
static uint32_t model_exec(camp *c, uint32_t op, uint32_t policy, const uint32_t args[4],
                           const uint32_t *data, uint32_t nwords, uint32_t res[6]) {
  hist_ent e = {op, policy, {args[0], args[1], args[2], args[3]}, nwords, c->npool};
  if (op == SGPU_OP_MEM_WRITE) {
    c->pool = grow(c->pool, &c->cappool, c->npool + nwords, sizeof *c->pool);
    memcpy(c->pool + c->npool, data, 4u * nwords);
    c->npool += nwords;
  }
  if (op != SGPU_OP_QUERY && op != SGPU_OP_MEM_READ) {
    c->hist = grow(c->hist, &c->caphist, c->nhist + 1, sizeof *c->hist);
    c->hist[c->nhist++] = e;
  }
  return model_run(c->m, &e, c->pool + e.data_at, res);
}

/* The last command did not run on the device: forget it and rebuild the model. */
static void model_undo_last(camp *c) {
  hist_ent *last = &c->hist[--c->nhist];
  if (last->op == SGPU_OP_MEM_WRITE) c->npool -= last->nwords;
  ref_destroy(c->m);
  c->m = ref_create(&c->prm);
  if (!c->m) {
    fprintf(stderr, "link_campaign: ref_create failed\n");
    exit(1);
  }
  uint32_t res[6];
  for (size_t i = 0; i < c->nhist; i++) model_run(c->m, &c->hist[i], c->pool + c->hist[i].data_at, res);
}

/* ---------------------------------------------------------------- link errors */

static bool is_link_error(camp *c, sgpu_status st) {
  return (st == SGPU_STATUS_IO_TIMEOUT || st == SGPU_STATUS_IO_DEVICE_ERROR) &&
         strstr(sgpu_last_error(c->dev), c->link);
}

/* A call's status: a link error is counted and shown (the first few); any other
 * STATUS_IO_* is a failure (e.g. "CPL_SEQ jumped": a command executed twice). */
static bool link_failed(camp *c, sgpu_status st, const char *what) {
  if (is_link_error(c, st)) {
    if (++c->link_errors <= 3)
      printf("      link error %llu (%s, command %llu): %s: %s\n",
             (unsigned long long)c->link_errors, what, (unsigned long long)c->index, ST(st),
             sgpu_last_error(c->dev));
    return true;
  }
  if (st == SGPU_STATUS_IO_TIMEOUT || st == SGPU_STATUS_IO_DEVICE_ERROR)
    die(c, "%s: %s that is not a link error: %s", what, ST(st), sgpu_last_error(c->dev));
  return false;
}

/* ---------------------------------------------------------------- reclaim events */

/* After a DEFERRED destroy of h ran on the device (answered, or found by resolution): wait for
 * its reclaim event there (RECLAIM_SEQ polled: register reads, no admin command, so the
 * CPL_SEQ account stays exact; sgpu_wait_reclaim may send QUERYs), check the event's handle
 * and frames (frames UINT32_MAX: not known), then post it in the model, so no reclaim is
 * pending across the next command. */
static sgpu_status reg_settle(camp *c, uint32_t addr, uint32_t *v) {
  sgpu_status st = SGPU_STATUS_IO_TIMEOUT;
  for (int i = 0; i < SETTLE_TRIES; i++)
    if (!is_link_error(c, st = sgpu_reg_read(c->dev, addr, v))) break;
  return st;
}

static void follow_reclaim(camp *c, uint32_t h, uint32_t frames) {
  uint32_t target = ref_reg_read(c->m, SGPU_REG_RECLAIM_SEQ) + ref_reclaim_pending(c->m);
  uint32_t seq = 0, rh = 0, rf = 0;
  sgpu_status st;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    st = reg_settle(c, SGPU_REG_RECLAIM_SEQ, &seq);
    if (st != SGPU_STATUS_SUCCESS || (int32_t)(seq - target) >= 0) break;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec - t0.tv_sec > 30) break;
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  if (st == SGPU_STATUS_SUCCESS) st = reg_settle(c, SGPU_REG_RECLAIM_HANDLE, &rh);
  if (st == SGPU_STATUS_SUCCESS) st = reg_settle(c, SGPU_REG_RECLAIM_FRAMES, &rf);
  if (st != SGPU_STATUS_SUCCESS || seq != target || rh != h ||
      (frames != UINT32_MAX && rf != frames)) {
    die(c, "reclaim of 0x%08x: RECLAIM_SEQ %u, RECLAIM_HANDLE 0x%08x, RECLAIM_FRAMES %u (%s); "
        "expected event %u of 0x%08x with %d frames",
        h, seq, rh, rf, ST(st), target, h, frames == UINT32_MAX ? -1 : (int)frames);
    return;
  }
  uint32_t a[4] = {target, 0, 0, 0}, r[6];
  model_exec(c, OP_RECLAIM, 0, a, NULL, 0, r);
  c->reclaims++;
}

/* ---------------------------------------------------------------- digests */

/* What the device shows of the state a command may have changed: the device's counts, the
 * process concerned, and for a MEM_WRITE the words at its place. */
typedef struct {
  uint32_t frames_used, live_p, live_q, dbign;
  uint32_t pst, p[6];
  uint32_t mst, mem[MAX_WORDS];
} digest;

typedef struct {
  uint32_t h, va, nwords; /* nwords 0: no memory part */
} digest_spec;

static void model_digest(camp *c, const digest_spec *s, digest *d) {
  memset(d, 0, sizeof *d);
  uint32_t a[4] = {SGPU_DEVICE_QUERY, 0, 0, 0}, r[6];
  ref_exec(c->m, SGPU_OP_QUERY, 0, a, r);
  d->frames_used = r[2], d->live_p = r[3], d->live_q = r[4], d->dbign = r[5];
  a[0] = s->h;
  d->pst = ref_exec(c->m, SGPU_OP_QUERY, 0, a, r);
  if (d->pst == SGPU_STATUS_SUCCESS) memcpy(d->p, r, sizeof d->p);
  if (s->nwords) {
    uint32_t b[4] = {s->h, s->va, s->nwords, 0};
    d->mst = ref_exec(c->m, SGPU_OP_MEM_READ, 0, b, r);
    if (d->mst == SGPU_STATUS_SUCCESS)
      for (uint32_t i = 0; i < s->nwords; i++) d->mem[i] = ref_reg_read(c->m, SGPU_DATA_BASE + 4u * i);
  }
}

/* A state-neutral call, asked again until answered; link-errored attempts may have run. */
#define SETTLE(c, call, st)                                             \
  do {                                                                  \
    for (int i_ = 0; i_ < SETTLE_TRIES; i_++) {                         \
      st = (call);                                                      \
      if (!is_link_error(c, st)) break;                                 \
      c->link_errors++;                                                 \
      c->maybe++;                                                       \
    }                                                                   \
    if (!is_link_error(c, st)) c->answered++;                           \
  } while (0)

static bool device_digest(camp *c, const digest_spec *s, digest *d) {
  memset(d, 0, sizeof *d);
  sgpu_status st;
  sgpu_device_info di;
  SETTLE(c, sgpu_query_device(c->dev, &di), st);
  if (st != SGPU_STATUS_SUCCESS) {
    die(c, "resolving: QUERY of the device: %s: %s", ST(st), sgpu_last_error(c->dev));
    return false;
  }
  d->frames_used = di.frames_used, d->live_p = di.live_processes, d->live_q = di.live_queues;
  d->dbign = di.doorbells_ignored;
  sgpu_process_info pi;
  SETTLE(c, sgpu_query_process(c->dev, s->h, &pi), st);
  if (is_link_error(c, st)) {
    die(c, "resolving: QUERY of 0x%08x never answered: %s", s->h, sgpu_last_error(c->dev));
    return false;
  }
  d->pst = st;
  if (st == SGPU_STATUS_SUCCESS) {
    uint32_t v[6] = {pi.state, pi.asid, pi.data_frames, pi.pt_pages, pi.queues,
                     pi.doorbells_ignored};
    memcpy(d->p, v, sizeof v);
  }
  if (s->nwords) {
    SETTLE(c, sgpu_read(c->dev, s->h, s->va, d->mem, 4u * s->nwords), st);
    if (is_link_error(c, st)) {
      die(c, "resolving: read back never answered: %s", sgpu_last_error(c->dev));
      return false;
    }
    d->mst = st;
    if (st != SGPU_STATUS_SUCCESS) memset(d->mem, 0, sizeof d->mem);
  }
  return true;
}

static void digest_str(const digest *d, const digest_spec *s, char *buf, size_t len) {
  snprintf(buf, len,
           "frames_used %u, live processes %u, live queues %u; process 0x%08x: %s data %u pt "
           "%u queues %u; mem %s [0] 0x%08x",
           d->frames_used, d->live_p, d->live_q, s->h, ST(d->pst), d->p[2], d->p[3], d->p[4],
           s->nwords ? ST(d->mst) : "-", d->mem[0]);
}

/* After a link error on a command the model has just executed (before: the model's digest
 * without it): did the device run it once, or not at all? */
static void resolve(camp *c, const char *what, const digest_spec *s, const digest *before,
                    bool deferred) {
  digest after, dev;
  model_digest(c, s, &after);
  if (!device_digest(c, s, &dev)) return;
  bool changes = memcmp(&after, before, sizeof after) != 0;
  if (deferred && changes && memcmp(&dev, before, sizeof dev)) {
    /* It ran (the process is DYING or already reclaimed): compare after its event. */
    follow_reclaim(c, s->h, UINT32_MAX);
    if (c->fatal) return;
    model_digest(c, s, &after);
    if (!device_digest(c, s, &dev)) return;
  }
  char b1[256], b2[256], b3[256];
  if (!memcmp(&dev, &after, sizeof dev)) {
    if (changes)
      c->ran++;
    else
      c->maybe++; /* the state is the same either way */
    return;
  }
  if (changes && !memcmp(&dev, before, sizeof dev)) {
    c->not_ran++;
    model_undo_last(c);
    return;
  }
  digest_str(&dev, s, b1, sizeof b1);
  digest_str(&after, s, b2, sizeof b2);
  digest_str(before, s, b3, sizeof b3);
  die(c, "%s after a link error: the device shows neither the command run once nor not at "
      "all\n      device:         %s\n      ran once:       %s\n      did not run:    %s",
      what, b1, b2, b3);
}

/* ---------------------------------------------------------------- the commands */

static uint32_t live_handle(camp *c, bool allow_stale) {
  uint32_t live[256], n = 0;
  for (uint32_t s = 0; s < c->prm.procs; s++)
    if (ref_proc_state(c->m, s) == SGPU_PROC_STATE_ACTIVE) live[n++] = ref_proc_handle(c->m, s);
  if (n && (!allow_stale || rndn(c, 10) != 0)) return live[rndn(c, n)];
  uint32_t slot = rndn(c, c->prm.procs + 1); /* one past the slots: out of range */
  uint32_t h = slot < c->prm.procs ? ref_proc_handle(c->m, slot) : slot;
  return rndn(c, 2) ? h : h - 0x10000u; /* the current (maybe FREE) or an older generation */
}

/* A page in a small window (conflicts and unmaps of mapped pages are frequent), sometimes
 * far away (a new leaf table). */
static uint32_t pick_vpn(camp *c) {
  return rndn(c, 8) ? rndn(c, 48) : 1024u * (1u + rndn(c, 6)) + rndn(c, 8);
}

/* A mapped page of h's slot if there is one (else any page). */
static uint32_t mapped_vpn(camp *c, uint32_t h) {
  uint32_t slot = h & 0xFFFFu, vpn = pick_vpn(c);
  if (slot < c->prm.procs && ref_proc_state(c->m, slot) == SGPU_PROC_STATE_ACTIVE) {
    uint32_t v;
    if (ref_next_mapped(c->m, slot, vpn, &v) || ref_next_mapped(c->m, slot, 0, &v)) return v;
  }
  return vpn;
}

static const char *op_name(uint32_t op) {
  static const char *const n[] = {"?",     "CREATE_PROCESS", "DESTROY_PROCESS", "MAP",
                                  "UNMAP", "CREATE_QUEUE",   "DESTROY_QUEUE",   "QUERY",
                                  "MEM_READ", "MEM_WRITE"};
  return op <= SGPU_OP_MAX ? n[op] : "?";
}

static void want(camp *c, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void want(camp *c, bool ok, const char *fmt, ...) {
  if (ok) return;
  char m[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m, sizeof m, fmt, ap);
  va_end(ap);
  die(c, "%s (last error: %s)", m, sgpu_last_error(c->dev));
}

static void one_command(camp *c) {
  uint32_t k = rndn(c, 100), op, policy = 0, a[4] = {0, 0, 0, 0}, nwords = 0;
  uint32_t data[MAX_WORDS], got[MAX_WORDS];
  uint32_t S = c->prm.page_shift;
  if (k < 12) {
    op = SGPU_OP_CREATE_PROCESS;
  } else if (k < 20) {
    op = SGPU_OP_DESTROY_PROCESS;
    a[0] = live_handle(c, true);
    const uint32_t pols[3] = {SGPU_POLICY_DEFAULT, SGPU_POLICY_EAGER, SGPU_POLICY_DEFERRED};
    policy = pols[rndn(c, 3)];
  } else if (k < 44) {
    op = SGPU_OP_MAP;
    a[0] = live_handle(c, true);
    a[1] = pick_vpn(c) << S;
    a[2] = 1u + rndn(c, 6);
  } else if (k < 58) {
    op = SGPU_OP_UNMAP;
    a[0] = live_handle(c, true);
    a[1] = (rndn(c, 4) ? mapped_vpn(c, a[0]) : pick_vpn(c)) << S;
    a[2] = 1u + rndn(c, 3);
  } else if (k < 64) {
    op = SGPU_OP_CREATE_QUEUE;
    a[0] = live_handle(c, true);
    a[1] = (mapped_vpn(c, a[0]) << S) + 16u * rndn(c, 4);
    a[2] = rndn(c, 17); /* 0 and 16 are out of range */
  } else if (k < 69) {
    op = SGPU_OP_DESTROY_QUEUE;
    if (c->nq && rndn(c, 4)) {
      uint32_t i = rndn(c, c->nq);
      a[0] = c->qh[i], a[1] = c->qq[i];
    } else {
      a[0] = live_handle(c, true), a[1] = rndn(c, c->prm.queues + 1);
    }
  } else if (k < 79) {
    op = SGPU_OP_QUERY;
    a[0] = live_handle(c, true);
  } else if (k < 85) {
    op = SGPU_OP_QUERY;
    a[0] = SGPU_DEVICE_QUERY;
  } else {
    op = k < 93 ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ;
    a[0] = live_handle(c, true);
    nwords = 1u + rndn(c, c->prm.data_words < MAX_WORDS ? c->prm.data_words : MAX_WORDS);
    uint32_t page_words = 1u << (S - 2);
    a[1] = (mapped_vpn(c, a[0]) << S) + 4u * rndn(c, page_words);
    a[2] = nwords;
    for (uint32_t i = 0; i < nwords; i++) data[i] = (uint32_t)rnd(c);
  }
  c->per_op[op]++;

  /* The model's state before, for a link error's resolution. */
  digest_spec ds = {op == SGPU_OP_CREATE_PROCESS || (op == SGPU_OP_QUERY && a[0] == SGPU_DEVICE_QUERY)
                        ? 0u
                        : a[0],
                    a[1], op == SGPU_OP_MEM_WRITE ? nwords : 0u};
  digest before;
  model_digest(c, &ds, &before);

  /* The device, through libsgpu. */
  sgpu_status st;
  sgpu_process h = 0;
  uint32_t q = 0;
  sgpu_destroy_result dr;
  sgpu_process_info pi;
  sgpu_device_info di;
  memset(&dr, 0, sizeof dr);
  memset(&pi, 0, sizeof pi);
  memset(&di, 0, sizeof di);
  switch (op) {
    case SGPU_OP_CREATE_PROCESS: st = sgpu_create_process(c->dev, &h); break;
    case SGPU_OP_DESTROY_PROCESS: st = sgpu_destroy_process(c->dev, a[0], policy, &dr); break;
    case SGPU_OP_MAP: st = sgpu_map(c->dev, a[0], a[1], a[2]); break;
    case SGPU_OP_UNMAP: st = sgpu_unmap(c->dev, a[0], a[1], a[2]); break;
    case SGPU_OP_CREATE_QUEUE: st = sgpu_create_queue(c->dev, a[0], a[1], a[2], &q); break;
    case SGPU_OP_DESTROY_QUEUE: st = sgpu_destroy_queue(c->dev, a[0], a[1]); break;
    case SGPU_OP_MEM_WRITE: st = sgpu_write(c->dev, a[0], a[1], data, 4u * nwords); break;
    case SGPU_OP_MEM_READ: st = sgpu_read(c->dev, a[0], a[1], got, 4u * nwords); break;
    default:
      st = a[0] == SGPU_DEVICE_QUERY ? sgpu_query_device(c->dev, &di)
                                     : sgpu_query_process(c->dev, a[0], &pi);
  }
  bool lerr = link_failed(c, st, op_name(op));
  if (c->fatal) return;

  /* The model. */
  uint32_t r[6];
  uint32_t mst = model_exec(c, op, policy, a, data, nwords, r);
  if (op == SGPU_OP_CREATE_PROCESS) ds.h = mst == SGPU_STATUS_SUCCESS ? r[0] : 0u;
  if (mst == SGPU_STATUS_SUCCESS && op == SGPU_OP_CREATE_QUEUE && c->nq < 64) {
    c->qh[c->nq] = a[0];
    c->qq[c->nq++] = r[0];
  }
  if (lerr) {
    if (op == SGPU_OP_QUERY || op == SGPU_OP_MEM_READ) {
      c->maybe++; /* a question: nothing to resolve */
      return;
    }
    char what[128];
    snprintf(what, sizeof what, "%s(0x%x, 0x%x, 0x%x)", op_name(op), a[0], a[1], a[2]);
    if (op == SGPU_OP_CREATE_PROCESS && mst == SGPU_STATUS_SUCCESS) {
      before.pst = SGPU_STATUS_INVALID_HANDLE; /* the new handle did not exist before */
      memset(before.p, 0, sizeof before.p);
    }
    resolve(c, what, &ds, &before,
            op == SGPU_OP_DESTROY_PROCESS && policy == SGPU_POLICY_DEFERRED &&
                mst == SGPU_STATUS_SUCCESS);
    return;
  }
  c->answered++;
  if (st != SGPU_STATUS_SUCCESS) c->refused++;

  /* Answered: exactly the model. */
  want(c, st == mst, "%s(0x%x, 0x%x, 0x%x) policy %u: device %s, model %s", op_name(op), a[0],
       a[1], a[2], policy, ST(st), ST(mst));
  if (c->fatal || st != SGPU_STATUS_SUCCESS) return;
  switch (op) {
    case SGPU_OP_CREATE_PROCESS:
      want(c, h == r[0], "CREATE_PROCESS: handle 0x%08x, model 0x%08x", h, r[0]);
      break;
    case SGPU_OP_DESTROY_PROCESS:
      want(c, dr.frames_freed == r[1] && dr.pt_pages_freed == r[2] && dr.queues_freed == r[3] &&
                  dr.work_aborted == r[4] && dr.doorbells_ignored == r[5],
           "DESTROY_PROCESS(0x%08x): frames %u pt %u queues %u aborted %u db %u, model %u %u "
           "%u %u %u",
           a[0], dr.frames_freed, dr.pt_pages_freed, dr.queues_freed, dr.work_aborted,
           dr.doorbells_ignored, r[1], r[2], r[3], r[4], r[5]);
      if (!c->fatal && policy == SGPU_POLICY_DEFERRED) follow_reclaim(c, a[0], r[1]);
      break;
    case SGPU_OP_CREATE_QUEUE:
      want(c, q == r[0], "CREATE_QUEUE(0x%08x): queue %u, model %u", a[0], q, r[0]);
      break;
    case SGPU_OP_MEM_READ:
      for (uint32_t i = 0; i < nwords && !c->fatal; i++)
        want(c, got[i] == ref_reg_read(c->m, SGPU_DATA_BASE + 4u * i),
             "MEM_READ(0x%08x, 0x%x, %u): word %u is 0x%08x, model 0x%08x", a[0], a[1], nwords,
             i, got[i], ref_reg_read(c->m, SGPU_DATA_BASE + 4u * i));
      break;
    case SGPU_OP_QUERY:
      if (a[0] == SGPU_DEVICE_QUERY)
        want(c, di.frames_used == r[2] && di.live_processes == r[3] && di.live_queues == r[4] &&
                    di.doorbells_ignored == r[5] && di.frames_clean + di.frames_dirty == r[0] + r[1],
             "QUERY device: used %u live %u queues %u db %u clean+dirty %u, model %u %u %u %u %u",
             di.frames_used, di.live_processes, di.live_queues, di.doorbells_ignored,
             di.frames_clean + di.frames_dirty, r[2], r[3], r[4], r[5], r[0] + r[1]);
      else
        want(c, pi.state == r[0] && pi.asid == r[1] && pi.data_frames == r[2] &&
                    pi.pt_pages == r[3] && pi.queues == r[4] && pi.doorbells_ignored == r[5],
             "QUERY 0x%08x: state %u asid %u data %u pt %u queues %u db %u, model %u %u %u %u "
             "%u %u",
             a[0], pi.state, pi.asid, pi.data_frames, pi.pt_pages, pi.queues,
             pi.doorbells_ignored, r[0], r[1], r[2], r[3], r[4], r[5]);
      break;
    default:
      break;
  }
}

/* ---------------------------------------------------------------- main */

static bool parse_num(const char *s, double *v) {
  char *end;
  errno = 0;
  *v = s ? strtod(s, &end) : 0;
  return s && *s && !errno && !*end && *v >= 0;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: link_campaign SGPU_SIM [--commands N] [--seed S] [--rate R] [--retries N]\n"
          "                     [--timeout-ms N] [--tcp] [--model NAME]\n"
          "Admin commands through libsgpu over a faulty link to sgpu-sim, each checked against\n"
          "the reference model; see the comment at the top of tests/host/link_campaign.c.\n"
          "  --commands N   admin commands to issue (10000)\n"
          "  --seed S       seeds the command mix and sgpu-sim's faults (1)\n"
          "  --rate R       per byte and per fault kind (drop, flip, dup, insert), both\n"
          "                 directions (0.001)\n"
          "  --retries N    the link's retries (pty:...?retries=N; 7)\n"
          "  --timeout-ms N an attempt's wait for its answer (25)\n"
          "  --tcp          serve on TCP instead of a pseudo-terminal\n"
          "  --model NAME   sgpu-sim's model (ref)\n");
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sim_bin = argv[1], *model = "ref";
  double commands = 10000, seed = 1, rate = 0.001, retries = 7, timeout_ms = 25;
  bool tcp = false;
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    double *dst = !strcmp(o, "--commands")     ? &commands
                  : !strcmp(o, "--seed")       ? &seed
                  : !strcmp(o, "--rate")       ? &rate
                  : !strcmp(o, "--retries")    ? &retries
                  : !strcmp(o, "--timeout-ms") ? &timeout_ms
                                               : NULL;
    if (!strcmp(o, "--tcp")) {
      tcp = true;
    } else if (!strcmp(o, "--model") && v) {
      model = v;
      i++;
    } else if (dst && parse_num(v, dst)) {
      i++;
    } else {
      fprintf(stderr, "link_campaign: bad option '%s'%s%s\n", o, v ? " " : "", v ? v : "");
      usage(stderr);
      return 2;
    }
  }
  if (rate > 0.2 || timeout_ms < 1 || retries > 100) {
    fprintf(stderr, "link_campaign: --rate 0..0.2, --timeout-ms >= 1, --retries 0..100\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  camp c;
  memset(&c, 0, sizeof c);
  c.seed = (uint64_t)seed;
  c.rng = c.seed * 0x9E3779B97F4A7C15ull + 7u;

  char r[32], sd[32], f[4][64];
  snprintf(r, sizeof r, "%g", rate);
  snprintf(sd, sizeof sd, "%llu", (unsigned long long)c.seed);
  const char *kinds[4] = {"drop", "flip", "dup", "insert"};
  for (int i = 0; i < 4; i++) snprintf(f[i], sizeof f[i], "both:%s:%s", kinds[i], r);
  /* The device clock runs while the link is busy (sgpu-sim's default 1 MHz): reclaim events
   * come within milliseconds of a DEFERRED destroy. */
  const char *args[] = {"--model", model, "--seed", sd, "--fault", f[0],
                        "--fault", f[1], "--fault", f[2], "--fault", f[3],
                        tcp ? "--tcp" : "--pty", tcp ? "0" : NULL, NULL};
  printf("-- link campaign: %.0f admin commands over %s, drop/flip/dup/insert each at %s per "
         "byte in both directions, seed %s, retries %.0f, timeout %.0f ms\n",
         commands, tcp ? "tcp:" : "pty:", r, sd, retries, timeout_ms);
  sim_child s;
  if (!CHECK(sim_child_start(&s, sim_bin, args), "sgpu-sim --model %s listening", model))
    return ht_done("link_campaign");
  snprintf(c.link, sizeof c.link, "%s", s.uri);
  char uri[900], err[1024] = "";
  snprintf(uri, sizeof uri, "%s?timeout_ms=%.0f&retries=%.0f", s.uri, timeout_ms, retries);
  sgpu_status st = SGPU_STATUS_IO_TIMEOUT;
  for (int i = 0; i < 20 && st != SGPU_STATUS_SUCCESS; i++)
    st = sgpu_open_ex(uri, &c.dev, err, sizeof err); /* opening is a few requests too */
  if (!CHECK(st == SGPU_STATUS_SUCCESS, "open %s through the faults (%s %s)", uri, ST(st), err)) {
    sim_child_stop(&s, SIGTERM, NULL, NULL, 0);
    return ht_done("link_campaign");
  }

  /* The model with the device's parameters. */
  sgpu_info info;
  uint32_t caps2 = 0, seq0 = 0, seq1 = 0;
  SETTLE((&c), sgpu_get_info(c.dev, &info), st);
  sgpu_status st2, st3;
  SETTLE((&c), sgpu_reg_read(c.dev, SGPU_REG_CAPS2, &caps2), st2);
  sgpu_device_info di0;
  SETTLE((&c), sgpu_query_device(c.dev, &di0), st3);
  c.answered = 0, c.maybe = 0; /* counted from the CPL_SEQ read below */
  c.prm = (ref_params){info.num_procs, info.num_queues, info.num_frames, info.page_shift,
                       info.tlb_entries,
                       (caps2 >> SGPU_CAPS2_DATA_WORDS_LSB) & ((1u << SGPU_CAPS2_DATA_WORDS_BITS) - 1u)};
  c.m = ref_create(&c.prm);
  bool fresh = st3 == SGPU_STATUS_SUCCESS && di0.live_processes == 0 && di0.frames_used == 0;
  if (!CHECK(st == SGPU_STATUS_SUCCESS && st2 == SGPU_STATUS_SUCCESS && c.m && fresh,
             "reference model P=%u Q=%u F=%u S=%u data window %u words, device fresh (%u live, "
             "%u frames used)",
             c.prm.procs, c.prm.queues, c.prm.frames, c.prm.page_shift, c.prm.data_words,
             di0.live_processes, di0.frames_used)) {
    sgpu_close(c.dev);
    sim_child_stop(&s, SIGTERM, NULL, NULL, 0);
    return ht_done("link_campaign");
  }
  SETTLE((&c), sgpu_reg_read(c.dev, SGPU_REG_CPL_SEQ, &seq0), st);
  c.answered = 0, c.maybe = 0;

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint64_t n = (uint64_t)commands;
  for (c.index = 0; c.index < n && !c.fatal; c.index++) {
    one_command(&c);
    if ((c.index + 1) % 20000 == 0) {
      printf("      %llu commands, %llu link errors\n", (unsigned long long)c.index + 1,
             (unsigned long long)c.link_errors);
      fflush(stdout);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;

  if (!c.fatal) {
    uint64_t before_final = c.answered;
    SETTLE((&c), sgpu_reg_read(c.dev, SGPU_REG_CPL_SEQ, &seq1), st);
    c.answered = before_final; /* a register read is no admin command */
    uint32_t delta = seq1 - seq0;
    uint64_t lo = c.answered + c.ran, hi = lo + c.maybe;
    CHECK(st == SGPU_STATUS_SUCCESS && delta >= lo && delta <= hi,
          "the device completed %u admin commands (CPL_SEQ 0x%08x -> 0x%08x): %llu answered "
          "+ %llu that ran though their answer was lost (+ at most %llu undetermined): none "
          "executed twice, none answered unexecuted",
          delta, seq0, seq1, (unsigned long long)c.answered, (unsigned long long)c.ran,
          (unsigned long long)c.maybe);
    digest_spec none = {0, 0, 0};
    digest md, dd;
    model_digest(&c, &none, &md);
    if (device_digest(&c, &none, &dd))
      CHECK(!memcmp(&md, &dd, sizeof md),
            "final state as the model's: %u frames used, %u live processes, %u live queues "
            "(model %u, %u, %u)",
            dd.frames_used, dd.live_p, dd.live_q, md.frames_used, md.live_p, md.live_q);
  }
  CHECK(!c.fatal && c.index >= n,
        "%llu admin commands checked against the reference model in %.1f s: %llu answered "
        "(%llu refused by the device as the model predicted), %llu reclaim events followed, %llu "
        "link errors (%llu resolved as run once, %llu as not run, %llu undetermined, questions "
        "included)",
        (unsigned long long)c.index, secs, (unsigned long long)c.answered,
        (unsigned long long)c.refused, (unsigned long long)c.reclaims,
        (unsigned long long)c.link_errors,
        (unsigned long long)c.ran, (unsigned long long)c.not_ran, (unsigned long long)c.maybe);
  printf("      mix:");
  for (uint32_t i = 1; i <= SGPU_OP_MAX; i++)
    if (c.per_op[i]) printf(" %s %llu", op_name(i), (unsigned long long)c.per_op[i]);
  printf("\n");
  sgpu_link_counters lc;
  st = sgpu_link_stats(c.dev, &lc);
  CHECK(st == SGPU_STATUS_SUCCESS && (rate == 0 || lc.retries > 0),
        "retries: %llu (link: %llu requests, %llu frames sent, %llu received, %llu NAKs, %llu "
        "damaged frames, %llu timeouts, %llu stale answers, %llu requests given up; %llu "
        "bytes out, %llu in)",
        (unsigned long long)lc.retries, (unsigned long long)lc.requests,
        (unsigned long long)lc.frames_tx, (unsigned long long)lc.frames_rx,
        (unsigned long long)lc.naks, (unsigned long long)lc.bad_frames,
        (unsigned long long)lc.timeouts, (unsigned long long)lc.stale,
        (unsigned long long)lc.failures, (unsigned long long)lc.bytes_tx,
        (unsigned long long)lc.bytes_rx);
  sgpu_close(c.dev);
  char faults[1024];
  int ws = sim_child_stop(&s, SIGTERM, "sgpu-sim: faults", faults, sizeof faults);
  CHECK(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && strstr(faults, "rx drop"),
        "sgpu-sim exited cleanly; %s", faults);
  /* A transport without a link has no counters, and says so. */
  sgpu_device *sdev = NULL;
  char sim_uri[64];
  snprintf(sim_uri, sizeof sim_uri, "sim:%s", model);
  if (!strchr(model, '/') && sgpu_open(sim_uri, &sdev) == SGPU_STATUS_SUCCESS) {
    st = sgpu_link_stats(sdev, &lc);
    CHECK(st == SGPU_STATUS_INVALID_DEVICE_REQUEST && strstr(sgpu_last_error(sdev), "sim:"),
          "sgpu_link_stats on %s: %s (%s)", sim_uri, ST(st), sgpu_last_error(sdev));
    sgpu_close(sdev);
  }
  ref_destroy(c.m);
  free(c.hist);
  free(c.pool);
  return ht_done("link_campaign");
}
