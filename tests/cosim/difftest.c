/* difftest.c - randomized differential test: a device under test (through libsgpu) against
 * the C reference model (tests/model, called directly), driven by the same seeded
 * sequence of operations.
 *
 *   difftest [--uri URI] [--seed N] [--ops N] [--verbose] [--no-cpl]
 *
 * URI defaults to sim:small. The model is created with the parameters the device reports
 * (CAPS0/CAPS1/CAPS2). Every status, every deterministic result word, every read value is
 * compared, and after every operation the device QUERY (frames_used, frames_clean +
 * frames_dirty, live processes and queues, ignored doorbells). Queue registers are compared
 * after queue operations and every 64 operations; now and then sgpu_wait_clean must leave no
 * dirty frame.
 *
 * Memory goes through the data window (W = CAPS2.DATA_WORDS words). Raw MEM_READ/MEM_WRITE
 * take word counts in and out of 1..W over ranges that cross pages (the window filled through
 * registers first, on both sides), and the window's words are compared after each (what a
 * MEM_READ copied, that a failed one changed nothing, a word past W reads 0). API transfers
 * (sgpu_write/sgpu_read, up to 3W + 8 words) are mirrored on the model as libsgpu documents
 * them (host checks, then chunks of at most W words), and CPL_SEQ must advance by exactly the
 * number of chunks. Before the random run, directed checks pin down the window's purpose: a
 * transfer of n words costs ceil(n / W) admin commands (1 for n <= W) with no dropped
 * doorbell, across page boundaries, and a MEM_WRITE (or MEM_READ) over a range whose last page
 * is unmapped fails with STATUS_ACCESS_VIOLATION and moves nothing.
 *
 * Commands go through the libsgpu API, and about a quarter of them through the raw admin
 * mailbox (sgpu_reg_write/sgpu_reg_read), so that the device sees every bad input even when
 * libsgpu rejects it first; raw commands also carry what the API cannot express (unknown
 * opcodes, destroy policy 3). After an API command the completion registers are read back
 * too (CPL_SEQ must have advanced by one per command, CPL_STATUS and all six CPL_RESn must
 * match the model, zero where the command defines no result and for every failed command);
 * --no-cpl skips that.
 *
 * Teardown policies: DESTROY_PROCESS uses EAGER, DEFAULT and DEFERRED (and, raw, the invalid
 * 3). A DEFERRED destroy leaves its slot DYING until the device's scrubber has cleaned its
 * frames; the device then posts a reclaim event on its own time. Reclaim events are FIFO, so
 * the model is synchronised from the device: before every operation RECLAIM_SEQ is read and
 * the model brought up to it (ref_reclaim_upto). An operation whose outcome depends on a
 * reclaim finishing inside its window (a command naming a DYING handle: TERMINATING or
 * INVALID_HANDLE; CREATE_PROCESS when a DYING slot could become the lowest FREE one; the device
 * QUERY's live processes; RECLAIM_PENDING) runs on the device first, RECLAIM_SEQ is read
 * again, and only an outcome the model gives for some event count between the two reads is
 * accepted (the model is then run at that count). The model is never allowed ahead of the
 * device (its scrubber is lazy), and after sgpu_wait_clean every reclaim must be posted.
 * Directed random cases: a DEFERRED destroy of the largest process immediately followed by a
 * MAP of (nearly) every free frame, more than are clean (it must wait for the scrubber, never
 * STATUS_NO_MEMORY); destroys of either policy while earlier reclaims are pending; repeated
 * commands and destroys naming a DYING handle (STATUS_PROCESS_IS_TERMINATING).
 *
 * Not compared: root_frame (CREATE_PROCESS), cycles and work_aborted (DESTROY_PROCESS: the
 * engines' timing), and the split of free
 * frames into clean and dirty (the scrubber runs on its own time) except right after a wait.
 *
 * On a mismatch: the operation index, the operation, both values and the command line that
 * replays the run up to it; exit 1. Otherwise a summary per operation kind and per status.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "raw_cmd.h"
#include "sgpu.h"
#include "model_sync.h"
#include "sgpu_ref.h"

#define WAIT_CLEAN_CYCLES 400000000ull
#define RAW_MAX_CYCLES 200000000ull

#define RECLAIM_POLL_READS 4096u /* register reads to wait for a reclaim event after a wait */

enum kind {
  K_CREATE, K_DESTROY, K_MAP, K_UNMAP, K_CREATE_QUEUE, K_DESTROY_QUEUE, K_DOORBELL,
  K_WRITE, K_READ, K_QUERY_PROC, K_QUERY_DEV, K_BAD_CMD, K_PRESSURE, K_WAIT_CLEAN, K_NKINDS
};
static const char *const kind_names[K_NKINDS] = {
    "create_process", "destroy_process", "map", "unmap", "create_queue", "destroy_queue",
    "doorbell", "mem_write", "mem_read", "query_process", "query_device", "bad_command",
    "pressure", "wait_clean"};
static const unsigned base_weight[K_NKINDS] = {8, 4, 18, 10, 6, 5, 8, 12, 14, 5, 2, 1, 1, 0};

#define MAX_STATUS_KINDS 32
typedef struct {
  uint32_t code;
  uint64_t count;
} status_count;

typedef struct {
  /* options */
  const char *uri;
  uint64_t seed, nops;
  bool verbose, cpl;
  /* the two sides */
  sgpu_device *dev;
  sgpu_ref *ref;
  uint32_t P, Q, F, S, E, DW; /* DW: data window words (CAPS2) */
  uint64_t vpn_limit;
  /* generator */
  uint64_t rng;
  uint32_t stale[16];
  unsigned nstale;
  uint32_t recent_h[32], recent_va[32]; /* recent MEM_WRITEs, to read back */
  unsigned nrecent;
  /* run */
  uint64_t op;
  char desc[256];
  uint32_t cpl_seq;
  uint64_t per_kind[K_NKINDS], raw_per_kind[K_NKINDS], host_only;
  uint64_t words_read, words_read_nonzero, chunks, xfer_words;
  /* an API transfer's data, what the device read and what the model read (max_xfer words) */
  uint32_t *xdata, *xgot, *xref, max_xfer;
  status_count statuses[MAX_STATUS_KINDS];
  unsigned nstatuses;
  /* reclaim synchronisation (model_sync.h): its window note is printed with a mismatch */
  msync ms;
  uint64_t destroys[4], destroys_while_pending, max_pending;
  uint64_t pressure_maps, pressure_beyond_clean, wait_reclaim_reads;
} ctx;

/* ------------------------------------------------------------------ random numbers */

static uint64_t rnd64(ctx *c) { /* splitmix64 */
  uint64_t z = (c->rng += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static uint32_t rnd32(ctx *c) { return (uint32_t)(rnd64(c) >> 32); }
static uint32_t below(ctx *c, uint64_t n) { return n ? (uint32_t)(rnd64(c) % n) : 0; }
static bool chance(ctx *c, unsigned percent) { return below(c, 100) < percent; }

/* ------------------------------------------------------------------ reporting */

static void replay_line(const ctx *c) {
  fprintf(stderr, "replay: difftest --uri %s --seed %" PRIu64 " --ops %" PRIu64 " --verbose%s\n",
          c->uri, c->seed, c->op + 1, c->cpl ? "" : " --no-cpl");
}

static void mismatch(const ctx *c, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "MISMATCH at op %" PRIu64 ": %s\n  ", c->op, c->desc);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  if (c->ms.window[0]) fprintf(stderr, "  reclaim window: %s\n", c->ms.window);
  if (c->dev) {
    const char *e = sgpu_last_error(c->dev);
    if (e && *e) fprintf(stderr, "  libsgpu last error: %s\n", e);
  }
  replay_line(c);
  exit(1);
}

static void expect_status(const ctx *c, const char *what, uint32_t dut, uint32_t ref) {
  if (dut != ref)
    mismatch(c, "%s: device %s (0x%08X), model %s (0x%08X)", what, sgpu_status_str(dut), dut,
             sgpu_status_str(ref), ref);
}

static void expect_u32(const ctx *c, const char *what, uint32_t dut, uint32_t ref) {
  if (dut != ref) mismatch(c, "%s: device 0x%08X (%u), model 0x%08X (%u)", what, dut, dut, ref, ref);
}

static void count_status(ctx *c, uint32_t st) {
  for (unsigned i = 0; i < c->nstatuses; i++)
    if (c->statuses[i].code == st) {
      c->statuses[i].count++;
      return;
    }
  if (c->nstatuses < MAX_STATUS_KINDS) c->statuses[c->nstatuses++] = (status_count){st, 1};
}

/* Set the current operation's description; --verbose prints it before the device sees
 * it, so the last line names the culprit even if the model aborts. */
static void describe(ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->desc, sizeof c->desc, fmt, ap);
  va_end(ap);
  if (c->verbose) {
    printf("%7" PRIu64 " %-60s", c->op, c->desc);
    fflush(stdout);
  }
}

/* ------------------------------------------------------------------ device access */

static uint32_t reg_rd(ctx *c, uint32_t addr) {
  uint32_t v = 0;
  sgpu_status st = sgpu_reg_read(c->dev, addr, &v);
  if (st != SGPU_STATUS_SUCCESS)
    mismatch(c, "register read 0x%03X failed: %s", addr, sgpu_status_str(st));
  return v;
}

static const uint32_t res_regs[6] = {SGPU_REG_CPL_RES0, SGPU_REG_CPL_RES1, SGPU_REG_CPL_RES2,
                                     SGPU_REG_CPL_RES3, SGPU_REG_CPL_RES4, SGPU_REG_CPL_RES5};

/* One command through the admin mailbox, bypassing libsgpu's command layer. */
static uint32_t raw_exec(ctx *c, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                         uint32_t res[6]) {
  uint32_t cpl = 0, seq = c->cpl_seq;
  sgpu_status st = raw_cmd(c->dev, opcode, policy, args, RAW_MAX_CYCLES, &cpl, res, &seq);
  c->cpl_seq = seq;
  if (st != SGPU_STATUS_SUCCESS)
    mismatch(c, "raw command did not complete: %s (CPL_SEQ 0x%08X)", sgpu_status_str(st), seq);
  return cpl;
}

/* ------------------------------------------------------------------ reclaim synchronisation
 * (tests/model/model_sync.c, shared with the fuzzer) */

static uint32_t model_rseq(ctx *c) { return msync_model_rseq(&c->ms); }
static uint32_t model_pending(ctx *c) { return msync_model_pending(&c->ms); }
/* The device's reclaim events since the start (same numbering as the model's RECLAIM_SEQ). */
static uint32_t dev_rseq(ctx *c) { return msync_dev_rseq(&c->ms); }
static void model_reclaim_to(ctx *c, uint32_t n, const char *where) {
  msync_reclaim_to(&c->ms, n, where);
}
static uint32_t sync_reclaims(ctx *c, const char *where) { return msync_sync(&c->ms, where); }

/* The model's answer to a command the device answered with dev_st and the result words dres
 * (NULL: only the handle of a successful CREATE_PROCESS, dev_handle, is known). */
static uint32_t model_exec(ctx *c, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                           uint32_t res[6], uint32_t dev_st, uint32_t dev_handle,
                           const uint32_t *dres) {
  uint32_t d[6] = {dev_handle, 0, 0, 0, 0, 0};
  return msync_exec(&c->ms, opcode, policy, args, res, dev_st, dres ? dres : d);
}

static void sync_failed(void *p, const char *msg) { mismatch(p, "%s", msg); }

/* Words the device may legitimately differ in: bit i set = CPL_RESi not compared. */
static uint32_t nondet_mask(uint32_t opcode, const uint32_t args[4]) {
  switch (opcode) {
  case SGPU_OP_CREATE_PROCESS: return 1u << 2;  /* root_frame */
  /* cycles, and work_aborted: how many work items the engines still held or had queued for
   * the process depends on the engines' timing, which the untimed model does not know */
  case SGPU_OP_DESTROY_PROCESS: return 1u << 0 | 1u << 4;
  case SGPU_OP_QUERY: return args[0] == SGPU_DEVICE_QUERY ? 3u : 0u; /* clean, dirty */
  default: return 0;
  }
}

static void compare_results(ctx *c, const char *how, uint32_t opcode, const uint32_t args[4],
                            uint32_t st, const uint32_t dut[6], const uint32_t ref[6]) {
  uint32_t mask = st == SGPU_STATUS_SUCCESS ? nondet_mask(opcode, args) : 0;
  char what[64];
  for (int i = 0; i < 6; i++) {
    if (mask >> i & 1u) continue;
    snprintf(what, sizeof what, "%s CPL_RES%d", how, i);
    expect_u32(c, what, dut[i], ref[i]);
  }
  if (mask == 3u) expect_u32(c, "QUERY device clean + dirty", dut[0] + dut[1], ref[0] + ref[1]);
}

/* After an API call: did libsgpu send the command? CPL_SEQ advanced by 0 means libsgpu
 * answered by itself: allowed only as a rejection (STATUS_INVALID_PARAMETER) of something
 * the model rejects too, whatever the status (libsgpu checks some fields before the device
 * would check the handle). Otherwise by exactly ncmds (1, or the chunks of a transfer): the
 * status must be the model's, and for a single command the completion registers must match
 * the model. */
static void api_done(ctx *c, uint32_t opcode, const uint32_t args[4], uint32_t ncmds,
                     uint32_t dut_st, uint32_t ref_st, const uint32_t ref_res[6]) {
  uint32_t seq = reg_rd(c, SGPU_REG_CPL_SEQ), delta = seq - c->cpl_seq;
  c->cpl_seq = seq;
  if (delta == 0) {
    c->host_only++;
    if (dut_st == SGPU_STATUS_INVALID_PARAMETER && ref_st != SGPU_STATUS_SUCCESS) return;
    expect_status(c, "status (answered by libsgpu, no device command)", dut_st, ref_st);
    return;
  }
  expect_status(c, "status", dut_st, ref_st);
  /* exactly: a transfer of n words is ceil(n / DW) commands, nothing else is more than one */
  if (delta != ncmds) mismatch(c, "CPL_SEQ advanced by %u for %u command(s)", delta, ncmds);
  if (!c->cpl || ncmds != 1) return;
  uint32_t st = reg_rd(c, SGPU_REG_CPL_STATUS), res[6];
  expect_status(c, "CPL_STATUS", st, ref_st);
  for (int i = 0; i < 6; i++) res[i] = reg_rd(c, res_regs[i]);
  compare_results(c, "completion register", opcode, args, st, res, ref_res);
}

/* ------------------------------------------------------------------ state comparison */

/* The device QUERY against the model, and RECLAIM_PENDING. Its live processes count DYING
 * slots, so a reclaim event inside the window changes it: the model is taken to the event
 * count (between the RECLAIM_SEQ reads before and after) that the device's count implies. */
static void compare_device(ctx *c) {
  sgpu_device_info di;
  uint32_t args[4] = {SGPU_DEVICE_QUERY, 0, 0, 0}, r[6];
  uint32_t s0 = sync_reclaims(c, "before the device QUERY");
  sgpu_status st = sgpu_query_device(c->dev, &di);
  c->cpl_seq++;
  uint32_t pend = reg_rd(c, SGPU_REG_RECLAIM_PENDING);
  uint32_t s1 = dev_rseq(c);
  uint32_t total = model_rseq(c) + model_pending(c);
  uint32_t rst = ref_exec(c->ref, SGPU_OP_QUERY, 0, args, r);
  expect_status(c, "device QUERY status", st, rst);
  if (di.live_processes < r[3] && r[3] - di.live_processes <= s1 - s0) {
    model_reclaim_to(c, s0 + (r[3] - di.live_processes), "device QUERY window");
    c->ms.windows_resolved++;
    ref_exec(c->ref, SGPU_OP_QUERY, 0, args, r);
  }
  if (s1 != s0)
    snprintf(c->ms.window, sizeof c->ms.window, "device RECLAIM_SEQ %u before the device QUERY, %u after",
             s0, s1);
  expect_u32(c, "frames_used", di.frames_used, r[2]);
  expect_u32(c, "frames_clean + frames_dirty", di.frames_clean + di.frames_dirty, r[0] + r[1]);
  expect_u32(c, "live_processes", di.live_processes, r[3]);
  expect_u32(c, "live_queues", di.live_queues, r[4]);
  expect_u32(c, "device doorbells_ignored", di.doorbells_ignored, r[5]);
  /* RECLAIM_PENDING was read between the two RECLAIM_SEQ reads. */
  if (pend > total - s0 || pend < total - s1)
    mismatch(c, "RECLAIM_PENDING: device %u, model %u..%u (%u DEFERRED destroys, RECLAIM_SEQ "
             "%u..%u)", pend, total - s1, total - s0, total, s0, s1);
  if (model_pending(c) > c->max_pending) c->max_pending = model_pending(c);
}

static void compare_queue_regs(ctx *c) {
  static const uint32_t qregs[4] = {SGPU_QREG_QDB, SGPU_QREG_QSTATE, SGPU_QREG_QIGNORED,
                                    SGPU_QREG_QRING};
  static const char *const qnames[4] = {"QDB", "QSTATE", "QIGNORED", "QRING"};
  char what[48];
  for (uint32_t q = 0; q < c->Q; q++)
    for (int i = 0; i < 4; i++) {
      uint32_t a = SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + qregs[i];
      snprintf(what, sizeof what, "queue %u %s", q, qnames[i]);
      expect_u32(c, what, reg_rd(c, a), ref_reg_read(c->ref, a));
    }
  expect_u32(c, "DB_IGNORED register", reg_rd(c, SGPU_REG_DB_IGNORED),
             ref_reg_read(c->ref, SGPU_REG_DB_IGNORED));
  expect_u32(c, "FRAMES_USED register", reg_rd(c, SGPU_REG_FRAMES_USED),
             ref_reg_read(c->ref, SGPU_REG_FRAMES_USED));
  /* The last reclaim event, if RECLAIM_SEQ holds still across the reads. */
  uint32_t a = dev_rseq(c), h = reg_rd(c, SGPU_REG_RECLAIM_HANDLE);
  uint32_t f = reg_rd(c, SGPU_REG_RECLAIM_FRAMES), b = dev_rseq(c);
  if (a == b && a != 0) {
    model_reclaim_to(c, a, "reclaim registers");
    expect_u32(c, "RECLAIM_HANDLE", h, ref_reg_read(c->ref, SGPU_REG_RECLAIM_HANDLE));
    expect_u32(c, "RECLAIM_FRAMES", f, ref_reg_read(c->ref, SGPU_REG_RECLAIM_FRAMES));
  }
}

static void check_model(ctx *c) {
  char msg[256];
  if (ref_check_invariants(c->ref, msg, sizeof msg))
    mismatch(c, "reference model invariant broken (a model bug): %s", msg);
}

/* ------------------------------------------------------------------ operand choice */

static uint32_t live_slot(ctx *c, bool *found) { /* a random ACTIVE slot */
  uint32_t start = below(c, c->P);
  for (uint32_t i = 0; i < c->P; i++) {
    uint32_t s = (start + i) % c->P;
    if (ref_proc_state(c->ref, s) == SGPU_PROC_STATE_ACTIVE) {
      *found = true;
      return s;
    }
  }
  *found = false;
  return start;
}

/* Mostly a live handle; else stale, a free slot's current handle, or garbage; never
 * 0xFFFFFFFF (the QUERY device target). */
static uint32_t pick_handle(ctx *c) {
  bool found;
  uint32_t s = live_slot(c, &found);
  unsigned roll = below(c, 100);
  uint32_t pend = model_pending(c);
  if (found && roll < 72) return ref_proc_handle(c->ref, s);
  if (roll < 80 && pend) return ref_pending_handle(c->ref, below(c, pend)); /* DYING */
  if (roll < 85 && c->nstale) return c->stale[below(c, c->nstale)];
  if (roll < 90) return ref_proc_handle(c->ref, below(c, c->P)); /* maybe free */
  switch (below(c, 5)) {
  case 0: return below(c, c->P); /* generation 0 */
  case 1: return (c->P + below(c, 1000)) | 1u << SGPU_HANDLE_GEN_SHIFT; /* slot out of range */
  case 2: return ref_proc_handle(c->ref, below(c, c->P)) + (1u << SGPU_HANDLE_GEN_SHIFT);
  case 3: return 0;
  default: {
    uint32_t h = rnd32(c);
    return h == SGPU_DEVICE_QUERY ? 0xFFFFFFFEu : h;
  }
  }
}

/* A virtual page near leaf-table boundaries and the two ends of the space, so ranges
 * overlap and cross tables often. */
static uint32_t hot_vpn(ctx *c) {
  uint64_t tables = c->vpn_limit / c->E;
  uint64_t l1;
  switch (below(c, 4)) {
  case 0: l1 = 0; break;
  case 1: l1 = 1; break;
  case 2: l1 = tables - 1; break;
  default: l1 = below(c, 4) == 0 ? below(c, tables) : 2 % tables; break;
  }
  uint32_t l2 = chance(c, 50) ? below(c, c->E) : (chance(c, 50) ? below(c, 8) : c->E - 1 - below(c, 8));
  return (uint32_t)(l1 * c->E + l2);
}

/* A mapped page of slot s if there is one (searching from a hot vpn), else a hot vpn. */
static uint32_t mapped_vpn(ctx *c, uint32_t slot) {
  uint32_t v = hot_vpn(c), m;
  if (ref_next_mapped(c->ref, slot, v, &m) || ref_next_mapped(c->ref, slot, 0, &m)) return m;
  return v;
}

static uint32_t frames_free(ctx *c) {
  return ref_reg_read(c->ref, SGPU_REG_FRAMES_CLEAN) + ref_reg_read(c->ref, SGPU_REG_FRAMES_DIRTY);
}

/* va with bits set above the virtual space (S + 2(S-2) bits), when there are such bits: a
 * device that drops them would alias a mapped page. */
static uint32_t alias_va(ctx *c, uint32_t va) {
  uint32_t va_bits = c->S + 2 * (c->S - 2);
  if (va_bits >= 32) return va;
  return va | (1u + below(c, (1u << (32 - va_bits)) - 1u)) << va_bits;
}

/* A VA for MAP/UNMAP: mostly page aligned and in range; sometimes not. */
static uint32_t range_va(ctx *c, uint32_t vpn, bool *odd) {
  *odd = false;
  if (chance(c, 4)) {
    *odd = true;
    return vpn << c->S | (1u + below(c, (1u << c->S) - 1u)); /* misaligned */
  }
  if (chance(c, 2)) {
    *odd = true;
    return rnd32(c) & ~((1u << c->S) - 1u); /* anywhere, maybe beyond the space */
  }
  if (chance(c, 2)) {
    *odd = true;
    return alias_va(c, (uint32_t)((uint64_t)vpn << c->S));
  }
  return (uint32_t)((uint64_t)vpn << c->S);
}

/* Leaf tables a MAP of [vpn, vpn + pages) would have to create (0 past the space). */
static uint32_t missing_leaves(ctx *c, uint32_t slot, uint32_t vpn, uint64_t pages) {
  if (vpn + pages > c->vpn_limit) return 0;
  uint32_t n = 0;
  for (uint64_t l1 = vpn / c->E; l1 <= (vpn + pages - 1) / c->E; l1++)
    n += !ref_has_leaf(c->ref, slot, (uint32_t)l1);
  return n;
}

static uint32_t map_pages(ctx *c, uint32_t slot, uint32_t vpn) {
  uint32_t free = frames_free(c);
  switch (below(c, 20)) {
  case 0: return 0;
  case 1: return 0xFFFFFFFFu;
  case 2: return (uint32_t)(c->vpn_limit - vpn);     /* to the very end */
  case 3: return (uint32_t)(c->vpn_limit - vpn + 1); /* one past it */
  case 4: case 5: { /* needed = pages + missing leaf tables just below, at or above free */
    uint64_t want = (uint64_t)free + below(c, 3), pages; /* one more than the target */
    if (want < 2) return 1;
    want--;
    pages = want < c->vpn_limit - vpn ? want : c->vpn_limit - vpn;
    while (pages > 1 && pages + missing_leaves(c, slot, vpn, pages) > want) pages--;
    return (uint32_t)pages;
  }
  case 6: case 7: return 1 + below(c, 2 * c->E);
  default: return 1 + below(c, 8);
  }
}

/* ------------------------------------------------------------------ operations */

static void log_op(ctx *c, uint32_t st) {
  count_status(c, st);
  if (c->verbose) printf(" -> %s\n", sgpu_status_str(st));
}

/* Each operation runs on the model, then on the device through the API or (raw) the
 * mailbox, and compares. */
static void op_create(ctx *c, bool raw) {
  uint32_t args[4] = {0}, rres[6], dres[6] = {0}, st, rst;
  describe(c, "CREATE_PROCESS() via %s", raw ? "raw" : "api");
  if (raw) {
    st = raw_exec(c, SGPU_OP_CREATE_PROCESS, 0, args, dres);
    rst = model_exec(c, SGPU_OP_CREATE_PROCESS, 0, args, rres, st, dres[0], NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", SGPU_OP_CREATE_PROCESS, args, st, dres, rres);
  } else {
    sgpu_process h = 0;
    st = sgpu_create_process(c->dev, &h);
    rst = model_exec(c, SGPU_OP_CREATE_PROCESS, 0, args, rres, st, h, NULL);
    api_done(c, SGPU_OP_CREATE_PROCESS, args, 1, st, rst, rres);
    if (st == SGPU_STATUS_SUCCESS) expect_u32(c, "handle", h, rres[0]);
  }
  log_op(c, st);
}

/* One DESTROY_PROCESS of h with the given policy. */
static uint32_t do_destroy(ctx *c, uint32_t h, uint32_t policy, bool raw) {
  uint32_t args[4] = {h, 0, 0, 0}, rres[6], dres[6] = {0}, st, rst;
  describe(c, "DESTROY_PROCESS(0x%08X) policy %u via %s", h, policy, raw ? "raw" : "api");
  bool was_live = ref_proc_state(c->ref, SGPU_HANDLE_SLOT(h)) == SGPU_PROC_STATE_ACTIVE &&
                  ref_proc_handle(c->ref, SGPU_HANDLE_SLOT(h)) == h;
  bool pending = model_pending(c) > 0;
  if (raw) {
    st = raw_exec(c, SGPU_OP_DESTROY_PROCESS, policy, args, dres);
    rst = model_exec(c, SGPU_OP_DESTROY_PROCESS, policy, args, rres, st, 0, NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", SGPU_OP_DESTROY_PROCESS, args, st, dres, rres);
  } else {
    sgpu_destroy_result r;
    memset(&r, 0, sizeof r);
    st = sgpu_destroy_process(c->dev, h, policy, &r);
    rst = model_exec(c, SGPU_OP_DESTROY_PROCESS, policy, args, rres, st, 0, NULL);
    api_done(c, SGPU_OP_DESTROY_PROCESS, args, 1, st, rst, rres);
    if (st == SGPU_STATUS_SUCCESS) {
      expect_u32(c, "frames_freed", r.frames_freed, rres[1]);
      expect_u32(c, "pt_pages_freed", r.pt_pages_freed, rres[2]);
      expect_u32(c, "queues_freed", r.queues_freed, rres[3]);
      expect_u32(c, "work_aborted", r.work_aborted, rres[4]);
      expect_u32(c, "doorbells_ignored", r.doorbells_ignored, rres[5]);
    }
  }
  if (rst == SGPU_STATUS_SUCCESS && was_live) {
    if (c->nstale < 16) c->stale[c->nstale++] = h;
    else c->stale[below(c, 16)] = h;
    c->destroys[policy & 3u]++;
    c->destroys_while_pending += pending;
  }
  log_op(c, st);
  return st;
}

static void op_destroy(ctx *c, bool raw) {
  uint32_t h = pick_handle(c), policy = SGPU_POLICY_EAGER;
  uint32_t pend = model_pending(c);
  if (pend && chance(c, 20)) /* a DYING handle again: TERMINATING (or stale, if reclaimed) */
    h = ref_pending_handle(c->ref, below(c, pend));
  unsigned roll = below(c, 100);
  if (roll < 15) policy = SGPU_POLICY_DEFAULT;
  else if (roll < 55) policy = SGPU_POLICY_DEFERRED;
  else if (roll < 60 && raw) policy = 3; /* the API's 3 is the host policy */
  do_destroy(c, h, policy, raw);
}

/* One MAP or UNMAP. */
static uint32_t do_map_unmap(ctx *c, bool map, uint32_t h, uint32_t va, uint32_t pages,
                             bool raw) {
  uint32_t opcode = map ? SGPU_OP_MAP : SGPU_OP_UNMAP;
  uint32_t args[4] = {h, va, pages, 0}, rres[6], dres[6] = {0}, st, rst;
  describe(c, "%s(0x%08X, va 0x%08X, pages %u) via %s", map ? "MAP" : "UNMAP", h, va, pages,
           raw ? "raw" : "api");
  if (raw) {
    st = raw_exec(c, opcode, 0, args, dres);
    rst = model_exec(c, opcode, 0, args, rres, st, 0, NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", opcode, args, st, dres, rres);
  } else {
    st = map ? sgpu_map(c->dev, h, va, pages) : sgpu_unmap(c->dev, h, va, pages);
    rst = model_exec(c, opcode, 0, args, rres, st, 0, NULL);
    api_done(c, opcode, args, 1, st, rst, rres);
  }
  log_op(c, st);
  return st;
}

static void op_map_unmap(ctx *c, bool map, bool raw) {
  uint32_t h = pick_handle(c), slot = SGPU_HANDLE_SLOT(h), vpn, pages;
  bool odd;
  if (map) {
    vpn = chance(c, 25) ? mapped_vpn(c, slot) : hot_vpn(c); /* some overlap on purpose */
    pages = map_pages(c, slot, vpn);
  } else {
    vpn = chance(c, 85) ? mapped_vpn(c, slot) : hot_vpn(c);
    unsigned roll = below(c, 20);
    if (roll < 10) {
      pages = 1; /* then extend over the mapped run, sometimes one past it */
      while (pages < 4 * c->E && vpn + pages < c->vpn_limit &&
             ref_is_mapped(c->ref, slot, vpn + pages) && chance(c, 90))
        pages++;
      if (chance(c, 15)) pages++;
    } else if (roll < 17) {
      pages = 1 + below(c, 4);
    } else {
      pages = map_pages(c, slot, vpn);
    }
  }
  uint32_t va = range_va(c, vpn, &odd);
  do_map_unmap(c, map, h, va, pages, raw);
}

/* Memory pressure while a reclaim runs: DEFERRED destroy of the process holding the most
 * frames, then at once (no command in between) a MAP into another live process of every free
 * frame but 0..2, in tables it has not got, so no conflict: more than are clean while the
 * reclaim's frames are dirty. It must wait for the scrubber, never STATUS_NO_MEMORY. */
static void op_pressure(ctx *c, bool raw) {
  uint32_t victim = c->P, mapper = c->P, best = 0;
  uint32_t start = below(c, c->P);
  for (uint32_t i = 0; i < c->P; i++) {
    uint32_t s = (start + i) % c->P;
    if (ref_proc_state(c->ref, s) != SGPU_PROC_STATE_ACTIVE) continue;
    uint32_t args[4] = {ref_proc_handle(c->ref, s), 0, 0, 0}, r[6];
    ref_exec(c->ref, SGPU_OP_QUERY, 0, args, r); /* no state change */
    uint32_t frames = r[2] + r[3];
    if (victim == c->P || frames > best) {
      if (victim != c->P && mapper == c->P) mapper = victim;
      victim = s, best = frames;
    } else if (mapper == c->P) {
      mapper = s;
    }
  }
  if (victim == c->P) {
    op_create(c, raw);
    return;
  }
  if (do_destroy(c, ref_proc_handle(c->ref, victim), SGPU_POLICY_DEFERRED, raw) !=
          SGPU_STATUS_SUCCESS || mapper == c->P)
    return;
  if (c->verbose) printf("%7s ", "");
  /* A run of tables without a leaf in the mapper, long enough for want pages and tables. */
  uint32_t free = frames_free(c), want = free > 3 ? free - below(c, 3) : free;
  uint32_t tables = (uint32_t)(c->vpn_limit / c->E), need_tables = want / c->E + 2;
  uint32_t t0 = below(c, tables), run = 0, first = 0;
  for (uint32_t i = 0; i < 2 * tables && run < need_tables; i++) {
    uint32_t t = (t0 + i) % tables;
    if (t == 0) run = 0; /* runs do not wrap around the space */
    if (ref_has_leaf(c->ref, mapper, t)) {
      run = 0;
    } else {
      if (run++ == 0) first = t;
    }
  }
  if (run < need_tables || want < 2) return;
  uint64_t vpn = (uint64_t)first * c->E, pages = want;
  while (pages > 1 && pages + missing_leaves(c, mapper, (uint32_t)vpn, pages) > want) pages--;
  uint32_t clean = reg_rd(c, SGPU_REG_FRAMES_CLEAN);
  uint32_t needed = (uint32_t)pages + missing_leaves(c, mapper, (uint32_t)vpn, pages);
  c->pressure_maps++;
  c->pressure_beyond_clean += needed > clean;
  uint32_t st = do_map_unmap(c, true, ref_proc_handle(c->ref, mapper),
                             (uint32_t)(vpn << c->S), (uint32_t)pages, raw);
  if (st == SGPU_STATUS_NO_MEMORY) /* the model agreed, or do_map_unmap had stopped */
    mismatch(c, "memory pressure: STATUS_NO_MEMORY for %u frames with %u free", needed, free);
}

static void op_create_queue(ctx *c, bool raw) {
  uint32_t h = pick_handle(c);
  uint32_t ring_va = rnd32(c) & ~15u, log2 = 1 + below(c, 15);
  if (chance(c, 8)) ring_va |= 1u << below(c, 4);
  if (chance(c, 8)) {
    static const uint32_t bad[] = {0, 16, 17, 31, 0x80000001u};
    log2 = bad[below(c, 5)];
  }
  uint32_t args[4] = {h, ring_va, log2, 0}, rres[6], dres[6] = {0}, st, rst;
  describe(c, "CREATE_QUEUE(0x%08X, ring 0x%08X, log2 %u) via %s", h, ring_va, log2,
           raw ? "raw" : "api");
  if (raw) {
    st = raw_exec(c, SGPU_OP_CREATE_QUEUE, 0, args, dres);
    rst = model_exec(c, SGPU_OP_CREATE_QUEUE, 0, args, rres, st, 0, NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", SGPU_OP_CREATE_QUEUE, args, st, dres, rres);
  } else {
    uint32_t q = 0xDEAD;
    st = sgpu_create_queue(c->dev, h, ring_va, log2, &q);
    rst = model_exec(c, SGPU_OP_CREATE_QUEUE, 0, args, rres, st, 0, NULL);
    api_done(c, SGPU_OP_CREATE_QUEUE, args, 1, st, rst, rres);
    if (st == SGPU_STATUS_SUCCESS) expect_u32(c, "queue id", q, rres[0]);
  }
  log_op(c, st);
}

static uint32_t queue_owner_field(uint32_t qstate) {
  return qstate >> SGPU_QSTATE_OWNER_LSB & ((1u << SGPU_QSTATE_OWNER_BITS) - 1u);
}

static void op_destroy_queue(ctx *c, bool raw) {
  uint32_t h = pick_handle(c), slot = SGPU_HANDLE_SLOT(h), q = below(c, c->Q);
  unsigned roll = below(c, 100);
  if (roll < 60) { /* one of its own, if it has any */
    for (uint32_t i = 0; i < c->Q; i++) {
      uint32_t cand = (q + i) % c->Q;
      uint32_t qs = ref_reg_read(c->ref, SGPU_QUEUE_BASE + cand * SGPU_QUEUE_STRIDE + SGPU_QREG_QSTATE);
      if ((qs >> SGPU_QSTATE_LIVE_LSB & 1u) && queue_owner_field(qs) == slot) {
        q = cand;
        break;
      }
    }
  } else if (roll < 75) {
    q = c->Q + below(c, 4);
  } else if (roll < 80) {
    q = rnd32(c);
  } /* else any slot: maybe dead, maybe another process's */
  uint32_t args[4] = {h, q, 0, 0}, rres[6], dres[6] = {0}, st, rst;
  describe(c, "DESTROY_QUEUE(0x%08X, queue %u) via %s", h, q, raw ? "raw" : "api");
  if (raw) {
    st = raw_exec(c, SGPU_OP_DESTROY_QUEUE, 0, args, dres);
    rst = model_exec(c, SGPU_OP_DESTROY_QUEUE, 0, args, rres, st, 0, NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", SGPU_OP_DESTROY_QUEUE, args, st, dres, rres);
  } else {
    st = sgpu_destroy_queue(c->dev, h, q);
    rst = model_exec(c, SGPU_OP_DESTROY_QUEUE, 0, args, rres, st, 0, NULL);
    api_done(c, SGPU_OP_DESTROY_QUEUE, args, 1, st, rst, rres);
  }
  log_op(c, st);
}

static void op_doorbell(ctx *c) {
  uint32_t q = below(c, c->Q), wptr = chance(c, 10) ? 0 : rnd32(c);
  sgpu_status st;
  if (chance(c, 8)) { /* a slot number >= Q inside the queue window: ignored, counted */
    uint32_t slots = SGPU_QUEUE_SLOTS;
    q = chance(c, 50) ? c->Q + below(c, 4) : c->Q + below(c, slots - c->Q);
    describe(c, "DOORBELL(queue %u >= Q, wptr 0x%08X) via register", q, wptr);
    st = sgpu_reg_write(c->dev, SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + SGPU_QREG_QDB, wptr);
  } else {
    describe(c, "DOORBELL(queue %u, wptr 0x%08X)", q, wptr);
    st = sgpu_ring_doorbell(c->dev, q, wptr);
  }
  ref_doorbell(c->ref, q, wptr);
  expect_status(c, "status", st, SGPU_STATUS_SUCCESS);
  log_op(c, st);
}

/* ------------------------------------------------------------------ memory through the window */

#define WIN(i) (SGPU_DATA_BASE + 4u * (uint32_t)(i))

/* A host write of a window word on both sides. */
static void win_write(ctx *c, uint32_t addr, uint32_t v) {
  sgpu_status st = sgpu_reg_write(c->dev, addr, v);
  if (st != SGPU_STATUS_SUCCESS)
    mismatch(c, "window write 0x%04X failed: %s", addr, sgpu_status_str(st));
  ref_window_write(c->ref, addr, v);
}

/* Window words [0, n) (and sometimes all of it and one past it) on both sides. */
static void compare_window(ctx *c, uint32_t n) {
  char what[48];
  if (chance(c, 10)) n = c->DW + 1;
  for (uint32_t i = 0; i < n; i++) {
    snprintf(what, sizeof what, "window word %u", i);
    expect_u32(c, what, reg_rd(c, WIN(i)), ref_reg_read(c->ref, WIN(i)));
  }
}

/* A word count: mostly 1..DW (often one word, often the whole window), sometimes invalid. */
static uint32_t pick_words(ctx *c, bool raw) {
  unsigned roll = below(c, 100);
  if (roll < 30) return 1;
  if (roll < 45) return c->DW;
  if (roll < 80) return 1 + below(c, c->DW);
  if (!raw) return c->DW + 1 + below(c, 2 * c->DW + 8); /* several chunks */
  switch (below(c, 4)) {
  case 0: return 0;
  case 1: return c->DW + 1;
  case 2: return c->DW + 1 + below(c, 1000);
  default: return rnd32(c);
  }
}

/* The model side of an API transfer, mirroring libsgpu (memory.c, documented in sgpu.h): a
 * misaligned va or a range past 2^32 is refused by the host (nothing sent); otherwise chunks
 * of at most DW words, each: (write) the window words, then one MEM_WRITE / (read) one
 * MEM_READ, then the window words; stops at the first failing chunk. Returns the status,
 * the chunks sent in *cmds and, for a read, the words in out. */
static uint32_t model_transfer(ctx *c, bool write, uint32_t h, uint32_t va, const uint32_t *data,
                               uint32_t *out, uint32_t n, uint32_t dev_st, uint32_t *cmds) {
  uint32_t opcode = write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ, rres[6], st = SGPU_STATUS_SUCCESS;
  *cmds = 0;
  if (va % 4 || (n && (uint64_t)va + 4ull * n - 1 > UINT32_MAX))
    return SGPU_STATUS_INVALID_PARAMETER;
  for (uint32_t off = 0; off < n && st == SGPU_STATUS_SUCCESS; off += c->DW) {
    uint32_t k = n - off < c->DW ? n - off : c->DW;
    uint32_t a[4] = {h, va + 4u * off, k, 0};
    if (write)
      for (uint32_t i = 0; i < k; i++) ref_window_write(c->ref, WIN(i), data[off + i]);
    st = model_exec(c, opcode, 0, a, rres, dev_st, 0, NULL);
    ++*cmds;
    if (st == SGPU_STATUS_SUCCESS && rres[0] != k)
      mismatch(c, "model moved %u of %u words (a model bug)", rres[0], k);
    if (!write && st == SGPU_STATUS_SUCCESS)
      for (uint32_t i = 0; i < k; i++) out[off + i] = ref_reg_read(c->ref, WIN(i));
  }
  return st;
}

static void op_mem(ctx *c, bool write, bool raw) {
  uint32_t h = pick_handle(c), slot = SGPU_HANDLE_SLOT(h);
  uint32_t vpn = chance(c, 85) ? mapped_vpn(c, slot) : hot_vpn(c);
  uint32_t words_per_page = 1u << (c->S - 2), word;
  switch (below(c, 4)) { /* few distinct words, so reads meet earlier writes; page ends */
  case 0: word = below(c, 4); break;
  case 1: word = words_per_page - 1 - below(c, 4); break;
  case 2: word = (words_per_page / 2 + below(c, 4)) & (words_per_page - 1); break;
  default: word = below(c, words_per_page); break;
  }
  uint32_t va = vpn << c->S | word << 2;
  if (!write && c->nrecent && chance(c, 40)) { /* read back a recent write, if still live */
    unsigned i = below(c, c->nrecent);
    uint32_t rh = c->recent_h[i];
    if (ref_proc_state(c->ref, SGPU_HANDLE_SLOT(rh)) == SGPU_PROC_STATE_ACTIVE &&
        ref_proc_handle(c->ref, SGPU_HANDLE_SLOT(rh)) == rh) {
      h = rh;
      va = c->recent_va[i];
    }
  }
  if (chance(c, 3)) va |= 1u + below(c, 3);
  else if (chance(c, 2)) va = rnd32(c) & ~3u;
  else if (chance(c, 3)) va = alias_va(c, va);
  uint32_t n = pick_words(c, raw);
  uint32_t opcode = write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ;
  uint32_t nd = n < c->max_xfer ? n : c->max_xfer; /* data words that exist */
  for (uint32_t i = 0; i < nd; i++) c->xdata[i] = chance(c, 10) ? 0 : rnd32(c);
  describe(c, "%s(0x%08X, va 0x%08X, %u word(s)) via %s", write ? "MEM_WRITE" : "MEM_READ", h,
           va, n, raw ? "raw" : "api");
  uint32_t rst, st;
  if (raw) {
    /* the window first (a write's data; sometimes a stray word past it), then the command */
    uint32_t fill = write ? (nd < c->DW ? nd : c->DW) : (chance(c, 20) ? below(c, c->DW) : 0);
    for (uint32_t i = 0; i < fill; i++) win_write(c, WIN(i), c->xdata[i]);
    if (chance(c, 5)) win_write(c, WIN(c->DW + below(c, 4)), rnd32(c));
    uint32_t args[4] = {h, va, n, 0}, rres[6], dres[6] = {0};
    st = raw_exec(c, opcode, 0, args, dres);
    rst = model_exec(c, opcode, 0, args, rres, st, 0, NULL);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", opcode, args, st, dres, rres);
    /* what a MEM_READ copied, or (failure) that the window is unchanged */
    compare_window(c, n < c->DW ? n : c->DW);
    if (!write && rst == SGPU_STATUS_SUCCESS) {
      c->words_read += n;
      for (uint32_t i = 0; i < n; i++) c->words_read_nonzero += ref_reg_read(c->ref, WIN(i)) != 0;
    }
  } else {
    memset(c->xgot, 0xA5, 4 * nd);
    st = write ? sgpu_write(c->dev, h, va, c->xdata, 4 * (size_t)n)
               : sgpu_read(c->dev, h, va, c->xgot, 4 * (size_t)n);
    uint32_t cmds, rres[6] = {0}, args[4] = {h, va, n < c->DW ? n : c->DW, 0};
    rst = model_transfer(c, write, h, va, c->xdata, c->xref, n, st, &cmds);
    if (cmds == 1 && rst == SGPU_STATUS_SUCCESS) rres[0] = args[2];
    api_done(c, opcode, args, cmds, st, rst, rres);
    if (st == SGPU_STATUS_SUCCESS) {
      c->chunks += cmds;
      c->xfer_words += n;
    }
    if (!write && st == SGPU_STATUS_SUCCESS)
      for (uint32_t i = 0; i < n; i++) {
        char what[48];
        snprintf(what, sizeof what, "read word %u (va 0x%08X)", i, va + 4 * i);
        expect_u32(c, what, c->xgot[i], c->xref[i]);
        c->words_read++;
        c->words_read_nonzero += c->xref[i] != 0;
      }
    if (chance(c, 10)) compare_window(c, c->DW);
  }
  if (write && rst == SGPU_STATUS_SUCCESS) {
    unsigned i = c->nrecent < 32 ? c->nrecent++ : below(c, 32);
    c->recent_h[i] = h;
    c->recent_va[i] = va + 4 * below(c, n < c->DW ? n : c->DW);
  }
  log_op(c, st);
}

/* A raw command on both sides, compared; returns the status (results in res). */
static uint32_t both_raw(ctx *c, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                         uint32_t res[6]) {
  uint32_t rres[6];
  uint32_t st = raw_exec(c, opcode, policy, args, res);
  uint32_t rst = model_exec(c, opcode, policy, args, rres, st, res[0], NULL);
  expect_status(c, "status", st, rst);
  compare_results(c, "result", opcode, args, st, res, rres);
  return st;
}

/* An API transfer on both sides that must succeed in exactly ceil(n / DW) admin commands
 * (CPL_SEQ) with no doorbell dropped (ADMIN_DROPPED). */
static void directed_xfer(ctx *c, bool write, uint32_t h, uint32_t va, uint32_t n) {
  uint32_t seq0 = reg_rd(c, SGPU_REG_CPL_SEQ), drop0 = reg_rd(c, SGPU_REG_ADMIN_DROPPED), cmds;
  describe(c, "directed: %s of %u word(s) at va 0x%08X (window %u words)",
           write ? "sgpu_write" : "sgpu_read", n, va, c->DW);
  sgpu_status st = write ? sgpu_write(c->dev, h, va, c->xdata, 4 * (size_t)n)
                         : sgpu_read(c->dev, h, va, c->xgot, 4 * (size_t)n);
  uint32_t rst = model_transfer(c, write, h, va, c->xdata, c->xref, n, st, &cmds);
  expect_status(c, "status", st, SGPU_STATUS_SUCCESS);
  expect_status(c, "model status", rst, SGPU_STATUS_SUCCESS);
  uint32_t seq1 = reg_rd(c, SGPU_REG_CPL_SEQ);
  expect_u32(c, "admin commands (CPL_SEQ advance) for the transfer", seq1 - seq0,
             (n + c->DW - 1) / c->DW);
  expect_u32(c, "model chunks", cmds, (n + c->DW - 1) / c->DW);
  expect_u32(c, "ADMIN_DROPPED", reg_rd(c, SGPU_REG_ADMIN_DROPPED), drop0);
  c->cpl_seq = seq1;
  if (!write)
    for (uint32_t i = 0; i < n; i++) {
      expect_u32(c, "directed read word (device vs model)", c->xgot[i], c->xref[i]);
      expect_u32(c, "directed read word (what was written)", c->xgot[i], c->xdata[i]);
    }
  log_op(c, st);
}

/* Directed checks of the window path, before the random run: a transfer of n words costs
 * ceil(n / DW) admin commands (1 for n <= DW), over page boundaries; a MEM_WRITE (or
 * MEM_READ) over a range with an unmapped page fails with STATUS_ACCESS_VIOLATION and moves
 * nothing. On a process of its own, destroyed at the end; the model follows every command. */
static void directed_window(ctx *c) {
  uint32_t args[4] = {0}, res[6], h;
  describe(c, "directed: CREATE_PROCESS");
  if (both_raw(c, SGPU_OP_CREATE_PROCESS, 0, args, res) != SGPU_STATUS_SUCCESS) {
    log_op(c, res[0]);
    return; /* no slot or frame: nothing to check on this device */
  }
  log_op(c, 0);
  h = res[0];
  uint32_t big = 2 * c->DW + 3, pages = (big + c->E - 1) / c->E + 1;
  uint32_t end = pages * c->E * 4; /* the first unmapped byte */
  describe(c, "directed: MAP(0x%08X, 0, %u)", h, pages);
  uint32_t margs[4] = {h, 0, pages, 0};
  if (both_raw(c, SGPU_OP_MAP, 0, margs, res) != SGPU_STATUS_SUCCESS) {
    log_op(c, res[0]);
    return;
  }
  log_op(c, 0);
  /* 1. cost: 1, DW and 2 DW + 3 words, from a va that crosses a page boundary */
  uint32_t half = (c->DW < c->E ? c->DW : c->E) / 2, va = 4 * (c->E - half);
  const uint32_t ns[3] = {1, c->DW, big};
  for (int k = 0; k < 3; k++) {
    for (uint32_t i = 0; i < ns[k]; i++) c->xdata[i] = 0x5EED0000u + 0x100u * (uint32_t)k + i;
    directed_xfer(c, true, h, va, ns[k]);
    directed_xfer(c, false, h, va, ns[k]);
  }
  /* 2. a range whose last page is unmapped: nothing written to memory or to the window */
  uint32_t n = c->DW < 4 ? c->DW : 4, hva = end - 4 * (n / 2);
  uint32_t before[4] = {0}, r4[4] = {h, hva, n / 2, 0};
  describe(c, "directed: MEM_READ of the last mapped words");
  expect_status(c, "status", both_raw(c, SGPU_OP_MEM_READ, 0, r4, res), SGPU_STATUS_SUCCESS);
  for (uint32_t i = 0; i < n / 2; i++) before[i] = reg_rd(c, WIN(i));
  log_op(c, 0);
  for (uint32_t i = 0; i < n; i++) win_write(c, WIN(i), 0xBAD00000u + i);
  uint32_t w4[4] = {h, hva, n, 0};
  describe(c, "directed: MEM_WRITE(0x%08X, va 0x%08X, %u) over an unmapped page", h, hva, n);
  expect_status(c, "status", both_raw(c, SGPU_OP_MEM_WRITE, 0, w4, res),
                SGPU_STATUS_ACCESS_VIOLATION);
  log_op(c, SGPU_STATUS_ACCESS_VIOLATION);
  describe(c, "directed: MEM_READ(0x%08X, va 0x%08X, %u) over an unmapped page", h, hva, n);
  expect_status(c, "status", both_raw(c, SGPU_OP_MEM_READ, 0, w4, res),
                SGPU_STATUS_ACCESS_VIOLATION);
  for (uint32_t i = 0; i < n; i++)
    expect_u32(c, "window unchanged by the failed MEM_READ", reg_rd(c, WIN(i)), 0xBAD00000u + i);
  log_op(c, SGPU_STATUS_ACCESS_VIOLATION);
  describe(c, "directed: the mapped words after the failed MEM_WRITE");
  expect_status(c, "status", both_raw(c, SGPU_OP_MEM_READ, 0, r4, res), SGPU_STATUS_SUCCESS);
  for (uint32_t i = 0; i < n / 2; i++)
    expect_u32(c, "memory unchanged by the failed MEM_WRITE", reg_rd(c, WIN(i)), before[i]);
  log_op(c, 0);
  describe(c, "directed: DESTROY_PROCESS(0x%08X)", h);
  uint32_t d4[4] = {h, 0, 0, 0};
  expect_status(c, "status", both_raw(c, SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_EAGER, d4, res),
                SGPU_STATUS_SUCCESS);
  log_op(c, 0);
}

static void op_query_proc(ctx *c, bool raw) {
  uint32_t h = pick_handle(c);
  uint32_t args[4] = {h, 0, 0, 0}, rres[6], dres[6] = {0}, st;
  if (raw && chance(c, 20)) args[0] = h = SGPU_DEVICE_QUERY;
  describe(c, "QUERY(0x%08X) via %s", h, raw ? "raw" : "api");
  uint32_t rst;
  if (raw) {
    st = raw_exec(c, SGPU_OP_QUERY, 0, args, dres);
    rst = model_exec(c, SGPU_OP_QUERY, 0, args, rres, st, 0, dres);
    expect_status(c, "status", st, rst);
    compare_results(c, "result", SGPU_OP_QUERY, args, st, dres, rres);
  } else {
    sgpu_process_info pi;
    st = sgpu_query_process(c->dev, h, &pi);
    rst = model_exec(c, SGPU_OP_QUERY, 0, args, rres, st, 0, NULL);
    api_done(c, SGPU_OP_QUERY, args, 1, st, rst, rres);
    if (st == SGPU_STATUS_SUCCESS) {
      expect_u32(c, "state", pi.state, rres[0]);
      expect_u32(c, "asid", pi.asid, rres[1]);
      expect_u32(c, "data_frames", pi.data_frames, rres[2]);
      expect_u32(c, "pt_pages", pi.pt_pages, rres[3]);
      expect_u32(c, "queues", pi.queues, rres[4]);
      expect_u32(c, "doorbells_ignored", pi.doorbells_ignored, rres[5]);
    }
  }
  log_op(c, st);
}

static void op_bad_cmd(ctx *c) {
  uint32_t opcode = chance(c, 30) ? 0 : SGPU_OP_MAX + 1 + below(c, 0xFF - SGPU_OP_MAX);
  uint32_t args[4] = {rnd32(c), rnd32(c), rnd32(c), rnd32(c)}, rres[6], dres[6], st;
  if (chance(c, 50)) {
    bool found;
    args[0] = ref_proc_handle(c->ref, live_slot(c, &found));
  }
  uint32_t policy = below(c, 4);
  describe(c, "opcode 0x%02X policy %u (0x%08X, 0x%08X, 0x%08X, 0x%08X) via raw", opcode, policy,
           args[0], args[1], args[2], args[3]);
  st = raw_exec(c, opcode, policy, args, dres);
  uint32_t rst = model_exec(c, opcode, policy, args, rres, st, 0, NULL);
  expect_status(c, "status", st, rst);
  compare_results(c, "result", opcode, args, st, dres, rres);
  log_op(c, st);
}

static void op_wait_clean(ctx *c) {
  describe(c, "WAIT_CLEAN");
  sgpu_status st = sgpu_wait_clean(c->dev, WAIT_CLEAN_CYCLES);
  expect_status(c, "wait_clean", st, SGPU_STATUS_SUCCESS);
  /* No dirty frame left: every reclaim's frames are clean, so every reclaim event must be
   * posted (a few register reads of slack for the event to follow the last frame). */
  uint32_t total = model_rseq(c) + model_pending(c), d = dev_rseq(c), reads = 1;
  while (d != total && reads < RECLAIM_POLL_READS) d = dev_rseq(c), reads++;
  c->wait_reclaim_reads += reads - 1;
  if (d != total)
    mismatch(c, "after wait_clean (no dirty frame) device RECLAIM_SEQ %u, expected %u (every "
             "DEFERRED destroy reclaimed), still after %u reads", d, total, reads);
  expect_u32(c, "RECLAIM_PENDING after wait_clean", reg_rd(c, SGPU_REG_RECLAIM_PENDING), 0);
  ref_scrub_all(c->ref);
  sgpu_device_info di;
  st = sgpu_query_device(c->dev, &di);
  c->cpl_seq++;
  expect_status(c, "device QUERY status", st, SGPU_STATUS_SUCCESS);
  expect_u32(c, "frames_dirty after wait_clean", di.frames_dirty, 0);
  expect_u32(c, "frames_clean after wait_clean", di.frames_clean,
             ref_reg_read(c->ref, SGPU_REG_FRAMES_CLEAN));
  log_op(c, st);
}

/* ------------------------------------------------------------------ main loop */

static enum kind choose(ctx *c) {
  unsigned w[K_NKINDS], total = 0;
  uint32_t used = ref_reg_read(c->ref, SGPU_REG_FRAMES_USED);
  uint32_t live = 0;
  for (uint32_t s = 0; s < c->P; s++) live += ref_proc_state(c->ref, s) == SGPU_PROC_STATE_ACTIVE;
  for (int k = 0; k < K_NKINDS; k++) w[k] = base_weight[k];
  if (live == 0) w[K_CREATE] *= 6;
  if (used * 5 > c->F * 4) { /* over 80% used: give frames back more often */
    w[K_UNMAP] *= 2;
    w[K_DESTROY] *= 2;
  }
  if (model_pending(c) && chance(c, 50)) w[K_PRESSURE] *= 2; /* allocate while reclaims run */
  for (int k = 0; k < K_NKINDS; k++) total += w[k];
  unsigned r = below(c, total);
  for (int k = 0; k < K_NKINDS; k++) {
    if (r < w[k]) return (enum kind)k;
    r -= w[k];
  }
  return K_QUERY_DEV;
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--uri URI] [--seed N] [--ops N] [--verbose] [--no-cpl]\n"
          "  --uri URI   device under test (default sim:small)\n"
          "  --seed N    random seed (default: from the time; always printed)\n"
          "  --ops N     operations to run (default 20000)\n"
          "  --verbose   print every operation and its status\n"
          "  --no-cpl    do not read back the completion registers after API calls\n",
          argv0);
}

static bool parse_u64(const char *s, uint64_t *v) {
  char *end;
  if (!s || !*s) return false;
  *v = strtoull(s, &end, 0);
  return *end == '\0';
}

int main(int argc, char **argv) {
  ctx c;
  memset(&c, 0, sizeof c);
  c.uri = "sim:small";
  c.nops = 20000;
  c.cpl = true;
  c.seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--uri") && i + 1 < argc) c.uri = argv[++i];
    else if (!strcmp(a, "--seed") && i + 1 < argc && parse_u64(argv[i + 1], &c.seed)) i++;
    else if (!strcmp(a, "--ops") && i + 1 < argc && parse_u64(argv[i + 1], &c.nops)) i++;
    else if (!strcmp(a, "--verbose")) c.verbose = true;
    else if (!strcmp(a, "--no-cpl")) c.cpl = false;
    else {
      fprintf(stderr, "difftest: bad argument '%s'\n", a);
      usage(argv[0]);
      return 2;
    }
  }
  c.rng = c.seed;
  printf("difftest: uri %s seed %" PRIu64 " ops %" PRIu64 "\n", c.uri, c.seed, c.nops);
  fflush(stdout);

  char err[512];
  sgpu_status st = sgpu_open_ex(c.uri, &c.dev, err, sizeof err);
  if (st != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "difftest: cannot open '%s': %s: %s\n", c.uri, sgpu_status_str(st), err);
    return 1;
  }
  sgpu_info info;
  if ((st = sgpu_get_info(c.dev, &info)) != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "difftest: get_info failed: %s\n", sgpu_status_str(st));
    return 1;
  }
  uint32_t caps2 = 0;
  if ((st = sgpu_reg_read(c.dev, SGPU_REG_CAPS2, &caps2)) != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "difftest: reading CAPS2 failed: %s\n", sgpu_status_str(st));
    return 1;
  }
  ref_params p = {.procs = info.num_procs, .queues = info.num_queues, .frames = info.num_frames,
                  .page_shift = info.page_shift, .tlb_entries = info.tlb_entries,
                  .data_words = caps2 >> SGPU_CAPS2_DATA_WORDS_LSB &
                                ((1u << SGPU_CAPS2_DATA_WORDS_BITS) - 1u)};
  c.ref = ref_create(&p);
  if (!c.ref) {
    fprintf(stderr, "difftest: the model cannot take P=%u Q=%u F=%u S=%u TLB=%u DW=%u\n",
            p.procs, p.queues, p.frames, p.page_shift, p.tlb_entries, p.data_words);
    return 1;
  }
  c.P = p.procs, c.Q = p.queues, c.F = p.frames, c.S = p.page_shift, c.E = 1u << (c.S - 2);
  c.DW = p.data_words;
  c.vpn_limit = 1ull << (2 * (c.S - 2));
  c.max_xfer = 3 * c.DW + 9;
  c.xdata = calloc(c.max_xfer, sizeof *c.xdata);
  c.xgot = calloc(c.max_xfer, sizeof *c.xgot);
  c.xref = calloc(c.max_xfer, sizeof *c.xref);
  if (!c.xdata || !c.xgot || !c.xref) {
    fprintf(stderr, "difftest: out of memory\n");
    return 1;
  }
  printf("difftest: device P=%u Q=%u F=%u S=%u TLB=%u DW=%u\n", c.P, c.Q, c.F, c.S,
         p.tlb_entries, c.DW);

  snprintf(c.desc, sizeof c.desc, "initial state");
  c.op = 0;
  c.cpl_seq = reg_rd(&c, SGPU_REG_CPL_SEQ);
  msync_init(&c.ms, c.dev, c.ref, sync_failed, &c);
  expect_u32(&c, "RECLAIM_PENDING at the start", reg_rd(&c, SGPU_REG_RECLAIM_PENDING), 0);
  static const uint32_t id_regs[] = {SGPU_REG_ID, SGPU_REG_VERSION, SGPU_REG_CAPS0, SGPU_REG_CAPS1};
  for (size_t i = 0; i < sizeof id_regs / sizeof id_regs[0]; i++)
    expect_u32(&c, "identification register", reg_rd(&c, id_regs[i]), ref_reg_read(c.ref, id_regs[i]));
  compare_device(&c);
  compare_queue_regs(&c);
  directed_window(&c);
  compare_device(&c);
  c.ms.window[0] = '\0';

  for (c.op = 0; c.op < c.nops; c.op++) {
    c.ms.window[0] = '\0';
    sync_reclaims(&c, "before the operation");
    enum kind k = choose(&c);
    if (c.op % 1000 == 999 || below(&c, 1000) == 0) k = K_WAIT_CLEAN;
    bool raw = chance(&c, 25);
    switch (k) {
    case K_CREATE: op_create(&c, raw); break;
    case K_DESTROY: op_destroy(&c, raw); break;
    case K_MAP: op_map_unmap(&c, true, raw); break;
    case K_UNMAP: op_map_unmap(&c, false, raw); break;
    case K_CREATE_QUEUE: op_create_queue(&c, raw); break;
    case K_DESTROY_QUEUE: op_destroy_queue(&c, raw); break;
    case K_DOORBELL: op_doorbell(&c); raw = false; break;
    case K_WRITE: op_mem(&c, true, raw); break;
    case K_READ: op_mem(&c, false, raw); break;
    case K_QUERY_PROC: op_query_proc(&c, raw); break;
    case K_QUERY_DEV: raw = false; describe(&c, "QUERY(device) via api"); log_op(&c, 0); break;
    case K_BAD_CMD: op_bad_cmd(&c); raw = true; break;
    case K_PRESSURE: op_pressure(&c, raw); break;
    case K_WAIT_CLEAN: op_wait_clean(&c); raw = false; break;
    default: break;
    }
    c.per_kind[k]++;
    if (raw) c.raw_per_kind[k]++;
    compare_device(&c);
    if (k == K_CREATE_QUEUE || k == K_DESTROY_QUEUE || k == K_DOORBELL || k == K_DESTROY ||
        c.op % 64 == 0)
      compare_queue_regs(&c);
    if (c.op % 16 == 0 || c.F <= 4096) check_model(&c);
  }
  c.op = c.nops;
  op_wait_clean(&c);

  printf("difftest: PASS, %" PRIu64 " operations, seed %" PRIu64 ", uri %s\n", c.nops, c.seed, c.uri);
  printf("  %-16s %8s %8s\n", "operation", "total", "raw");
  for (int k = 0; k < K_NKINDS; k++)
    printf("  %-16s %8" PRIu64 " %8" PRIu64 "\n", kind_names[k], c.per_kind[k], c.raw_per_kind[k]);
  printf("  API calls answered by libsgpu without a device command: %" PRIu64 "\n", c.host_only);
  printf("  successful destroys: default %" PRIu64 ", eager %" PRIu64 ", deferred %" PRIu64
         "; %" PRIu64 " while a reclaim was pending (at most %" PRIu64 " pending)\n",
         c.destroys[0], c.destroys[1], c.destroys[2], c.destroys_while_pending, c.max_pending);
  printf("  reclaim events: %u; outcomes resolved by a reclaim inside the window: %" PRIu64
         "; reads waited after wait_clean: %" PRIu64 "\n",
         model_rseq(&c), c.ms.windows_resolved, c.wait_reclaim_reads);
  printf("  pressure maps after a deferred destroy: %" PRIu64 " (%" PRIu64
         " needed more frames than were clean)\n", c.pressure_maps, c.pressure_beyond_clean);
  printf("  words read and compared: %" PRIu64 " (%" PRIu64 " expected non-zero)\n", c.words_read,
         c.words_read_nonzero);
  printf("  API transfers: %" PRIu64 " words in %" PRIu64 " admin commands (window %u words)\n",
         c.xfer_words, c.chunks, c.DW);
  printf("  %-36s %8s\n", "status", "count");
  for (unsigned i = 0; i < c.nstatuses; i++)
    printf("  %-36s %8" PRIu64 "\n", sgpu_status_str(c.statuses[i].code), c.statuses[i].count);
  ref_destroy(c.ref);
  sgpu_close(c.dev);
  free(c.xdata);
  free(c.xgot);
  free(c.xref);
  return 0;
}
