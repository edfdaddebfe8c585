/* scenarios.c - directed co-simulation scenarios through libsgpu, one named case each:
 *
 *   lifecycle      create, map N pages, write and read back every word, destroy, for EAGER,
 *                  the host-driven baseline (SGPU_POLICY_HOST)
 *                  and DEFERRED: every result word, cycles plausible, all frames back after
 *                  a wait; DEFERRED: TERMINATING while DYING, its doorbells ignored and
 *                  counted, RECLAIM_PENDING, then the reclaim event (handle, frames), the
 *                  handle invalid and the slot reused with gen + 1
 *   bad_inputs     every rejected input returns its status and changes nothing (device,
 *                  process and queue state compared before and after)
 *   isolation      a second process's memory and queues survive the first one's teardown
 *   dead_doorbell  a destroyed process's queue: doorbells ignored and counted, slot reads 0
 *   no_residue     for EAGER, host-driven and DEFERRED: after a destroy, a process that maps every frame
 *                  it can get reads zeros, and the reused queue slot holds nothing of A's
 *   gen_wrap       a slot reused 65535 times: its generation wraps to 1, skipping 0
 *   policy_equiv   the same workload on two fresh devices, EAGER and DEFERRED: once every
 *                  frame is clean, the same device state and the same next handle
 *   td_phases      TD_* per-phase registers against the destroy's cycles, both policies
 *   dying_slots    CREATE_PROCESS with no FREE slot but a DYING one: INSUFFICIENT_RESOURCES;
 *                  every command naming the DYING handle: TERMINATING; after the reclaim
 *                  event the slot is taken again
 *
 *   scenarios [--uri URI] [--full] [--max-words N] [CASE...]
 *
 * Each case opens its own device (a fresh model on sim:). Parameters come from CAPS, so the
 * cases run on any configuration (sim:default, sim:small, sim:ref). no_residue reads every
 * word of the device when that is at most --max-words words (default 300000) or with --full;
 * otherwise it reads words 0, E/2 and E-1 of every page, and every word of as many pages as
 * the budget allows (the last pages mapped first, then spread over the rest), and says so.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_cmd.h"
#include "cosim_check.h"
#include "sgpu.h"

#define WAIT_CLEAN_CYCLES 400000000ull
#define RAW_MAX_CYCLES 200000000ull
#define LIFECYCLE_MAX_CYCLES 1000u

typedef struct {
  const char *uri, *name;
  bool full;
  bool scrubbing; /* same_as compares clean + dirty, not the split (the scrubber is busy) */
  uint64_t max_words;
  sgpu_device *dev;
  sgpu_info info;
  uint32_t E;          /* entries per table = words per page */
  uint64_t vpn_limit;  /* 2^(2(S-2)) */
} sc;

#define GEN_MAX ((1u << SGPU_HANDLE_GEN_BITS) - 1u) /* generations 1..GEN_MAX, then 1 */

/* The handle a slot gets when it is reissued: one generation on, skipping 0. */
static uint32_t next_handle(uint32_t h) {
  uint32_t g = SGPU_HANDLE_GEN(h) + 1;
  return SGPU_HANDLE_MAKE(SGPU_HANDLE_SLOT(h), g > GEN_MAX ? 1u : g);
}

static uint32_t pattern(uint32_t tag, uint32_t va) {
  uint32_t x = tag * 0x9E3779B9u ^ va;
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x | 1u; /* never zero, so residue cannot hide */
}

static uint32_t page_va(const sc *c, uint64_t vpn) { return (uint32_t)(vpn << c->info.page_shift); }
static uint32_t leaves_for(const sc *c, uint64_t first_vpn, uint64_t pages) {
  return pages ? (uint32_t)((first_vpn + pages - 1) / c->E - first_vpn / c->E + 1) : 0;
}

/* ------------------------------------------------------------------ helpers */

static int query_dev(sc *c, sgpu_device_info *d) {
  ST(sgpu_query_device(c->dev, d), SGPU_STATUS_SUCCESS);
  EQ("frames clean + dirty + used", (uint64_t)d->frames_clean + d->frames_dirty + d->frames_used,
     c->info.num_frames);
  return 0;
}

static int wait_clean(sc *c) {
  sgpu_device_info d;
  ST(sgpu_wait_clean(c->dev, WAIT_CLEAN_CYCLES), SGPU_STATUS_SUCCESS);
  DO(query_dev(c, &d));
  EQ("frames_dirty after wait_clean", d.frames_dirty, 0);
  return 0;
}

static int write_pages(sc *c, sgpu_process p, uint64_t vpn, uint64_t pages, uint32_t tag) {
  uint32_t *buf = malloc(sizeof(uint32_t) * c->E);
  REQUIRE(buf, "out of memory");
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    for (uint32_t w = 0; w < c->E; w++) buf[w] = pattern(tag, page_va(c, v) + 4 * w);
    sgpu_status st = sgpu_write(c->dev, p, page_va(c, v), buf, 4 * c->E);
    if (st != SGPU_STATUS_SUCCESS) {
      free(buf);
      return fail_at(c, __LINE__, "write of page va 0x%08X: %s", page_va(c, v), sgpu_status_str(st));
    }
  }
  free(buf);
  return 0;
}

/* Read pages back: tag 0 means every word must be zero. */
static int check_pages(sc *c, sgpu_process p, uint64_t vpn, uint64_t pages, uint32_t tag) {
  uint32_t *buf = malloc(sizeof(uint32_t) * c->E);
  REQUIRE(buf, "out of memory");
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    sgpu_status st = sgpu_read(c->dev, p, page_va(c, v), buf, 4 * c->E);
    if (st != SGPU_STATUS_SUCCESS) {
      free(buf);
      return fail_at(c, __LINE__, "read of page va 0x%08X: %s", page_va(c, v), sgpu_status_str(st));
    }
    for (uint32_t w = 0; w < c->E; w++) {
      uint32_t va = page_va(c, v) + 4 * w, want = tag ? pattern(tag, va) : 0;
      uint32_t got = buf[w];
      if (got != want) {
        free(buf);
        return fail_at(c, __LINE__, "process 0x%08X va 0x%08X reads 0x%08X, expected 0x%08X", p,
                       va, got, want);
      }
    }
  }
  free(buf);
  return 0;
}

/* The registers of a queue slot, in the order snapshots keep them. */
static const uint32_t qregs[4] = {SGPU_QREG_QDB, SGPU_QREG_QSTATE, SGPU_QREG_QIGNORED,
                                  SGPU_QREG_QRING};

/* Everything a rejected command must leave alone. */
typedef struct {
  sgpu_device_info dev;
  sgpu_process procs[8];
  sgpu_process_info pinfo[8];
  unsigned nprocs;
  uint32_t qregs[256][4];
  uint32_t db_ignored;
} snapshot;

static int take_snapshot(sc *c, const sgpu_process *procs, unsigned n, snapshot *s) {
  memset(s, 0, sizeof *s);
  DO(query_dev(c, &s->dev));
  s->nprocs = n;
  for (unsigned i = 0; i < n && i < 8; i++) {
    s->procs[i] = procs[i];
    ST(sgpu_query_process(c->dev, procs[i], &s->pinfo[i]), SGPU_STATUS_SUCCESS);
  }
  for (uint32_t q = 0; q < c->info.num_queues && q < 256; q++)
    for (uint32_t r = 0; r < 4; r++)
      ST(sgpu_reg_read(c->dev, SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + qregs[r], &s->qregs[q][r]),
         SGPU_STATUS_SUCCESS);
  ST(sgpu_reg_read(c->dev, SGPU_REG_DB_IGNORED, &s->db_ignored), SGPU_STATUS_SUCCESS);
  return 0;
}

static int same_as(sc *c, const snapshot *before, const char *after_what) {
  snapshot now;
  DO(take_snapshot(c, before->procs, before->nprocs, &now));
  if (c->scrubbing) {
    now.dev.frames_clean += now.dev.frames_dirty;
    now.dev.frames_dirty = before->dev.frames_dirty;
    now.dev.frames_clean -= before->dev.frames_dirty;
  }
  if (memcmp(&now.dev, &before->dev, sizeof now.dev))
    return fail_at(c, __LINE__,
                   "after %s the device QUERY changed: clean %u->%u dirty %u->%u used %u->%u "
                   "processes %u->%u queues %u->%u ignored %u->%u",
                   after_what, before->dev.frames_clean, now.dev.frames_clean,
                   before->dev.frames_dirty, now.dev.frames_dirty, before->dev.frames_used,
                   now.dev.frames_used, before->dev.live_processes, now.dev.live_processes,
                   before->dev.live_queues, now.dev.live_queues, before->dev.doorbells_ignored,
                   now.dev.doorbells_ignored);
  for (unsigned i = 0; i < now.nprocs; i++)
    if (memcmp(&now.pinfo[i], &before->pinfo[i], sizeof now.pinfo[i]))
      return fail_at(c, __LINE__, "after %s the QUERY of process 0x%08X changed", after_what,
                     now.procs[i]);
  for (uint32_t q = 0; q < c->info.num_queues && q < 256; q++)
    for (uint32_t r = 0; r < 4; r++)
      if (now.qregs[q][r] != before->qregs[q][r])
        return fail_at(c, __LINE__, "after %s queue %u register +0x%X changed 0x%08X -> 0x%08X",
                       after_what, q, qregs[r], before->qregs[q][r], now.qregs[q][r]);
  if (now.db_ignored != before->db_ignored)
    return fail_at(c, __LINE__, "after %s DB_IGNORED changed %u -> %u", after_what,
                   before->db_ignored, now.db_ignored);
  return 0;
}

/* A rejected call: its status, then nothing changed. */
#define REJECT(call, want, snap)                                                               \
  do {                                                                                         \
    ST(call, want);                                                                            \
    DO(same_as(c, snap, #call));                                                               \
  } while (0)

static uint32_t qreg(sc *c, uint32_t q, uint32_t reg) {
  uint32_t v = 0xDEADBEEFu;
  sgpu_reg_read(c->dev, SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + reg, &v);
  return v;
}

static uint32_t reg(sc *c, uint32_t addr) {
  uint32_t v = 0xDEADBEEFu;
  sgpu_reg_read(c->dev, addr, &v);
  return v;
}

static uint32_t qstate(bool live, uint32_t owner) {
  return (uint32_t)live << SGPU_QSTATE_LIVE_LSB | owner << SGPU_QSTATE_OWNER_LSB;
}

/* A raw command's device status (fails the case on a transport problem). */
static int raw(sc *c, uint32_t opcode, uint32_t policy, uint32_t a0, uint32_t *status) {
  uint32_t args[4] = {a0, 0, 0, 0}, res[6];
  ST(raw_cmd(c->dev, opcode, policy, args, RAW_MAX_CYCLES, status, res, NULL), SGPU_STATUS_SUCCESS);
  for (int i = 0; i < 6; i++)
    if (*status != SGPU_STATUS_SUCCESS && res[i] != 0)
      return fail_at(c, __LINE__, "failed raw command 0x%02X left CPL_RES%d = 0x%08X, not 0",
                     opcode, i, res[i]);
  return 0;
}

/* Map every free frame into process p, from an empty region that starts at table
 * first_l1: picks an offset into the first table and a page count so that pages + leaf
 * tables == free exactly. Returns the range mapped. */
static int fill_frames(sc *c, sgpu_process p, uint32_t first_l1, uint64_t *vpn_out,
                       uint64_t *pages_out) {
  sgpu_device_info d;
  DO(query_dev(c, &d));
  uint64_t free = (uint64_t)d.frames_clean + d.frames_dirty;
  *pages_out = 0;
  *vpn_out = (uint64_t)first_l1 * c->E;
  if (free < 2) return 0; /* not even one page and its table */
  for (uint32_t off = 0; off < c->E; off++) {
    uint64_t vpn = (uint64_t)first_l1 * c->E + off;
    uint64_t pages = free * c->E / (c->E + 1) + 2;
    while (pages > 0 && pages + leaves_for(c, vpn, pages) > free) pages--;
    if (pages && pages + leaves_for(c, vpn, pages) == free && vpn + pages <= c->vpn_limit) {
      ST(sgpu_map(c->dev, p, page_va(c, vpn), (uint32_t)pages), SGPU_STATUS_SUCCESS);
      DO(query_dev(c, &d));
      EQ("free frames after filling", (uint64_t)d.frames_clean + d.frames_dirty, 0);
      *vpn_out = vpn;
      *pages_out = pages;
      return 0;
    }
  }
  return fail_at(c, __LINE__, "no page range uses exactly %" PRIu64 " frames", free);
}

/* ------------------------------------------------------------------ cases */

static const char *policy_name(uint32_t policy) {
  return policy == SGPU_POLICY_DEFERRED ? "deferred"
         : policy == SGPU_POLICY_EAGER  ? "eager"
         : policy == SGPU_POLICY_HOST   ? "host-driven"
                                        : "default";
}

/* Wait until RECLAIM_SEQ has advanced by n from seq0: sgpu_wait_clean, then register reads
 * (each one advances a simulated device). The event follows the last frame's scrubbing. */
#define RECLAIM_WAIT_READS 200000u
static int wait_reclaim(sc *c, uint32_t seq0, uint32_t n) {
  for (uint32_t i = 0; i < RECLAIM_WAIT_READS; i++) {
    if (i % 64 == 0) ST(sgpu_wait_clean(c->dev, WAIT_CLEAN_CYCLES), SGPU_STATUS_SUCCESS);
    if (reg(c, SGPU_REG_RECLAIM_SEQ) - seq0 >= n) return 0;
  }
  return fail_at(c, __LINE__, "RECLAIM_SEQ still 0x%08X (waiting for %u event(s) after 0x%08X), "
                 "RECLAIM_PENDING %u, after every frame was clean", reg(c, SGPU_REG_RECLAIM_SEQ),
                 n, seq0, reg(c, SGPU_REG_RECLAIM_PENDING));
}

/* (a) one policy */
static int lifecycle_policy(sc *c, uint32_t policy) {
  const char *pn = policy_name(policy);
  sgpu_device_info d;
  DO(query_dev(c, &d));
  EQ("frames_used at start", d.frames_used, 0);
  uint64_t base = c->E; /* table 1 */
  uint32_t n = 64;
  while (n > 1 && n + leaves_for(c, base, n) + 1 > c->info.num_frames) n--;
  uint32_t leaves = leaves_for(c, base, n);
  uint32_t nq = c->info.num_queues < 2 ? c->info.num_queues : 2, qs[2] = {0, 0};
  printf("  [lifecycle/%s] %u pages, %u leaf table(s), %u queue(s)\n", pn, n, leaves, nq);

  sgpu_process p;
  ST(sgpu_create_process(c->dev, &p), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, p, page_va(c, base), n), SGPU_STATUS_SUCCESS);
  for (uint32_t i = 0; i < nq; i++) {
    ST(sgpu_create_queue(c->dev, p, 0x10000u * (i + 1), 4, &qs[i]), SGPU_STATUS_SUCCESS);
    ST(sgpu_ring_doorbell(c->dev, qs[i], 3 + i), SGPU_STATUS_SUCCESS);
  }
  sgpu_process_info pi;
  ST(sgpu_query_process(c->dev, p, &pi), SGPU_STATUS_SUCCESS);
  EQ("state", pi.state, SGPU_PROC_STATE_ACTIVE);
  EQ("data_frames", pi.data_frames, n);
  EQ("pt_pages", pi.pt_pages, leaves + 1);
  EQ("queues", pi.queues, nq);
  DO(query_dev(c, &d));
  EQ("frames_used", d.frames_used, n + leaves + 1);
  uint32_t used0 = d.frames_used;

  DO(write_pages(c, p, base, n, 0xA11CE));
  DO(check_pages(c, p, base, n, 0xA11CE));

  uint32_t rseq0 = reg(c, SGPU_REG_RECLAIM_SEQ), db0 = reg(c, SGPU_REG_DB_IGNORED);
  sgpu_destroy_result r;
  ST(sgpu_destroy_process(c->dev, p, policy, &r), SGPU_STATUS_SUCCESS);
  printf("  [lifecycle/%s] destroy: %u cycles, %u frames freed\n", pn, r.cycles, r.frames_freed);
  EQ("frames_freed", r.frames_freed, n + leaves + 1);
  EQ("pt_pages_freed", r.pt_pages_freed, leaves + 1);
  EQ("queues_freed", r.queues_freed, nq);
  EQ("work_aborted", r.work_aborted, 0);
  EQ("doorbells_ignored", r.doorbells_ignored, 0);
  if (policy == SGPU_POLICY_HOST) /* one UNMAP command per page: at least a cycle per page */
    REQUIRE(r.cycles >= n, "host-driven destroy took %u cycles for %u pages", r.cycles, n);
  else
    REQUIRE(r.cycles > 0 && r.cycles < LIFECYCLE_MAX_CYCLES,
            "destroy took %u cycles, expected 1..%u", r.cycles, LIFECYCLE_MAX_CYCLES - 1);

  if (policy == SGPU_POLICY_DEFERRED) {
    /* A doorbell right after the completion (before any other command): ignored and counted,
     * whether or not the reclaimer has released the queue yet. */
    if (nq) {
      ST(sgpu_ring_doorbell(c->dev, qs[0], 99), SGPU_STATUS_SUCCESS);
      EQ("DB_IGNORED after the dying process's doorbell", reg(c, SGPU_REG_DB_IGNORED), db0 + 1);
    }
    /* TERMINATING while DYING. Over a byte link thousands of cycles pass between two
     * commands (a 3 Mbaud UART moves a byte in 40 cycles of a 12 MHz clock), so the scrubber
     * may have finished and the reclaim event come already: then INVALID_HANDLE, and only if
     * RECLAIM_SEQ shows that event. */
    sgpu_status qst = sgpu_query_process(c->dev, p, &pi);
    if (qst != SGPU_STATUS_PROCESS_IS_TERMINATING) {
      ST(qst, SGPU_STATUS_INVALID_HANDLE);
      REQUIRE(reg(c, SGPU_REG_RECLAIM_SEQ) != rseq0,
              "QUERY of the DYING handle: INVALID_HANDLE before its reclaim event");
      printf("  [lifecycle/%s] the reclaim event came before the QUERY\n", pn);
    } else {
      sgpu_status dst = sgpu_destroy_process(c->dev, p, SGPU_POLICY_DEFERRED, NULL);
      if (dst != SGPU_STATUS_PROCESS_IS_TERMINATING) {
        ST(dst, SGPU_STATUS_INVALID_HANDLE);
        REQUIRE(reg(c, SGPU_REG_RECLAIM_SEQ) != rseq0,
                "second destroy of the DYING handle: INVALID_HANDLE before its reclaim event");
        printf("  [lifecycle/%s] the reclaim event came before the second destroy\n", pn);
      }
    }
    /* PENDING first, then SEQ: if SEQ has not moved after PENDING was read, the process was
     * still DYING when PENDING was read (the other order races with the reclaim event, which
     * a board with no engines to drain reaches within the 1,400 cycles of a register read). */
    uint32_t pending = reg(c, SGPU_REG_RECLAIM_PENDING);
    uint32_t seq = reg(c, SGPU_REG_RECLAIM_SEQ);
    if (seq == rseq0) { /* still DYING (the event may already have come on a fast scrubber) */
      EQ("RECLAIM_PENDING while DYING", pending, 1);
      DO(query_dev(c, &d));
      if (reg(c, SGPU_REG_RECLAIM_SEQ) == rseq0)
        EQ("live_processes counts the DYING slot", d.live_processes, 1);
    }
    /* The reclaimer ran before the QUERY: frames on the dirty list, queues released. */
    DO(query_dev(c, &d));
    EQ("frames_used after a deferred completion (frames handed to the reclaimer)", d.frames_used, 0);
    for (uint32_t i = 0; i < nq; i++)
      for (uint32_t k = 0; k < 4; k++) EQ("released queue register", qreg(c, qs[i], qregs[k]), 0);
    DO(wait_reclaim(c, rseq0, 1));
    EQ("RECLAIM_SEQ advanced by one", reg(c, SGPU_REG_RECLAIM_SEQ), rseq0 + 1);
    EQ("RECLAIM_HANDLE", reg(c, SGPU_REG_RECLAIM_HANDLE), p);
    EQ("RECLAIM_FRAMES == frames_freed", reg(c, SGPU_REG_RECLAIM_FRAMES), r.frames_freed);
    EQ("RECLAIM_PENDING after the event", reg(c, SGPU_REG_RECLAIM_PENDING), 0);
    REQUIRE(reg(c, SGPU_REG_RECLAIM_CYCLES) > r.cycles,
            "RECLAIM_CYCLES %u not after the completion (%u cycles)", reg(c, SGPU_REG_RECLAIM_CYCLES),
            r.cycles);
  } else {
    EQ("eager: RECLAIM_SEQ unchanged", reg(c, SGPU_REG_RECLAIM_SEQ), rseq0);
    EQ("eager: RECLAIM_PENDING", reg(c, SGPU_REG_RECLAIM_PENDING), 0);
  }

  DO(query_dev(c, &d));
  EQ("frames_used after destroy", d.frames_used, 0);
  EQ("live_processes after destroy", d.live_processes, 0);
  EQ("live_queues after destroy", d.live_queues, 0);
  DO(wait_clean(c));
  DO(query_dev(c, &d));
  EQ("frames_used after wait_clean", d.frames_used, 0);
  EQ("frames_clean after wait_clean", d.frames_clean, c->info.num_frames);
  ST(sgpu_query_process(c->dev, p, &pi), SGPU_STATUS_INVALID_HANDLE);
  /* A destroyed handle is refused: by the device, or for the host-driven policy by libsgpu,
   * which no longer has a record of the process and sends nothing. */
  ST(sgpu_destroy_process(c->dev, p, policy, NULL),
     policy == SGPU_POLICY_HOST ? SGPU_STATUS_INVALID_PARAMETER : SGPU_STATUS_INVALID_HANDLE);
  /* The slot is reusable, one generation on; FRAMES_USED back to what the process had. */
  sgpu_process p2;
  ST(sgpu_create_process(c->dev, &p2), SGPU_STATUS_SUCCESS);
  EQ("reused handle", p2, next_handle(p));
  ST(sgpu_map(c->dev, p2, page_va(c, base), n), SGPU_STATUS_SUCCESS);
  DO(check_pages(c, p2, base, n, 0));
  EQ("FRAMES_USED back", reg(c, SGPU_REG_FRAMES_USED), used0);
  ST(sgpu_destroy_process(c->dev, p2, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  return wait_clean(c);
}

static int case_lifecycle(sc *c) {
  DO(lifecycle_policy(c, SGPU_POLICY_EAGER));
  DO(lifecycle_policy(c, SGPU_POLICY_HOST)); /* the baseline must reach the same end state */
  return lifecycle_policy(c, SGPU_POLICY_DEFERRED);
}

/* (b) */
static int case_bad_inputs(sc *c) {
  const uint32_t P = c->info.num_procs, Q = c->info.num_queues, S = c->info.page_shift;
  REQUIRE(P >= 4 && Q >= 2, "needs 4 process slots and 2 queue slots (P=%u Q=%u)", P, Q);
  const uint64_t base = c->E; /* A's pages: 4 at the start of table 1 */
  sgpu_process a, b, cc, dd, procs[3];
  uint32_t qa, qb, status, qtmp;
  snapshot s;
  sgpu_process_info pi;

  ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, a, page_va(c, base), 4), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, a, 0x1000, 4, &qa), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0x2000, 5, &qb), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  procs[0] = a, procs[1] = b;
  DO(take_snapshot(c, procs, 2, &s));

  /* Unknown handles. */
  uint32_t a_slot = SGPU_HANDLE_SLOT(a);
  const sgpu_process bad_handles[] = {
      P | 1u << SGPU_HANDLE_GEN_SHIFT,         /* slot out of range */
      0xFFFEu | 1u << SGPU_HANDLE_GEN_SHIFT,   /* far out of range */
      a_slot,                                  /* generation 0 */
      a + (1u << SGPU_HANDLE_GEN_SHIFT),       /* a future generation */
      (P - 1) | 1u << SGPU_HANDLE_GEN_SHIFT,   /* a free slot */
  };
  for (size_t i = 0; i < sizeof bad_handles / sizeof bad_handles[0]; i++) {
    sgpu_process h = bad_handles[i];
    REJECT(sgpu_destroy_process(c->dev, h, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_INVALID_HANDLE, &s);
    REJECT(sgpu_query_process(c->dev, h, &pi), SGPU_STATUS_INVALID_HANDLE, &s);
    REJECT(sgpu_map(c->dev, h, page_va(c, 3 * c->E), 1), SGPU_STATUS_INVALID_HANDLE, &s);
    REJECT(sgpu_create_queue(c->dev, h, 0x3000, 3, &qtmp), SGPU_STATUS_INVALID_HANDLE, &s);
    DO(raw(c, SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_EAGER, h, &status));
    EQ("raw DESTROY_PROCESS of a bad handle", status, SGPU_STATUS_INVALID_HANDLE);
    DO(same_as(c, &s, "raw DESTROY_PROCESS of a bad handle"));
  }

  /* Already destroyed, then stale while its slot is reused. */
  ST(sgpu_create_process(c->dev, &cc), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, cc, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  DO(take_snapshot(c, procs, 2, &s));
  REJECT(sgpu_destroy_process(c->dev, cc, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_INVALID_HANDLE, &s);
  REJECT(sgpu_map(c->dev, cc, page_va(c, base), 1), SGPU_STATUS_INVALID_HANDLE, &s);
  ST(sgpu_create_process(c->dev, &dd), SGPU_STATUS_SUCCESS);
  EQ("reused slot", SGPU_HANDLE_SLOT(dd), SGPU_HANDLE_SLOT(cc));
  REQUIRE(dd != cc, "a reused slot gave the same handle 0x%08X", dd);
  DO(wait_clean(c));
  procs[2] = dd;
  DO(take_snapshot(c, procs, 3, &s));
  REJECT(sgpu_destroy_process(c->dev, cc, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_INVALID_HANDLE, &s);
  REJECT(sgpu_query_process(c->dev, cc, &pi), SGPU_STATUS_INVALID_HANDLE, &s);
  REJECT(sgpu_unmap(c->dev, cc, page_va(c, base), 1), SGPU_STATUS_INVALID_HANDLE, &s);

  /* MAP/UNMAP fields. */
  uint32_t va0 = page_va(c, base);
  uint32_t last = page_va(c, c->vpn_limit - 1);
  REJECT(sgpu_map(c->dev, a, va0 + 4, 1), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, va0 + (1u << (S - 1)), 1), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, page_va(c, 3 * c->E), 0), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, last, 2), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, 0, 0xFFFFFFFFu), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, page_va(c, 3 * c->E), (uint32_t)(c->vpn_limit - 3 * c->E + 1)),
         SGPU_STATUS_INVALID_PARAMETER, &s);
  uint32_t va_bits = S + 2 * (S - 2);
  if (va_bits < 32) /* a page beyond the virtual space */
    REJECT(sgpu_map(c->dev, a, va0 | 1u << va_bits, 1), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_map(c->dev, a, page_va(c, base + 2), 4), SGPU_STATUS_CONFLICTING_ADDRESSES, &s);
  REJECT(sgpu_unmap(c->dev, a, va0 + 4, 1), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_unmap(c->dev, a, va0, 0), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_unmap(c->dev, a, last, 2), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_unmap(c->dev, a, page_va(c, 3 * c->E), 1), SGPU_STATUS_NOT_MAPPED_VIEW, &s);
  REJECT(sgpu_unmap(c->dev, a, va0, 5), SGPU_STATUS_NOT_MAPPED_VIEW, &s);
  REJECT(sgpu_unmap(c->dev, b, va0, 1), SGPU_STATUS_NOT_MAPPED_VIEW, &s);

  /* Not enough frames. */
  uint32_t free = s.dev.frames_clean + s.dev.frames_dirty;
  REJECT(sgpu_map(c->dev, a, page_va(c, 3 * c->E), free), SGPU_STATUS_NO_MEMORY, &s);
  REJECT(sgpu_map(c->dev, a, page_va(c, base + 4), free + 1), SGPU_STATUS_NO_MEMORY, &s);
  if (c->vpn_limit - 3 * c->E > free)
    REJECT(sgpu_map(c->dev, a, page_va(c, 3 * c->E), (uint32_t)(c->vpn_limit - 3 * c->E)),
           SGPU_STATUS_NO_MEMORY, &s);

  /* Policies and opcodes. */
  DO(raw(c, SGPU_OP_DESTROY_PROCESS, 3, a, &status));
  EQ("raw DESTROY_PROCESS policy 3", status, SGPU_STATUS_INVALID_PARAMETER);
  DO(same_as(c, &s, "DESTROY_PROCESS policy 3"));
  REJECT(sgpu_destroy_process(c->dev, a, 7, NULL), SGPU_STATUS_INVALID_PARAMETER, &s);
  const uint32_t bad_ops[] = {0x00, SGPU_OP_MAX + 1, 0x7F, 0xFF};
  for (size_t i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
    DO(raw(c, bad_ops[i], 0, a, &status));
    EQ("unknown opcode", status, SGPU_STATUS_INVALID_DEVICE_REQUEST);
    DO(same_as(c, &s, "unknown opcode"));
  }

  /* Queues. */
  REJECT(sgpu_create_queue(c->dev, a, 0x1008, 4, &qtmp), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_create_queue(c->dev, a, 0x1000, 0, &qtmp), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_create_queue(c->dev, a, 0x1000, 16, &qtmp), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_destroy_queue(c->dev, a, Q), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_destroy_queue(c->dev, a, 0xFFFFFFFFu), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_destroy_queue(c->dev, a, qb), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_destroy_queue(c->dev, b, qa), SGPU_STATUS_INVALID_PARAMETER, &s);
  for (uint32_t q = 0; q < Q; q++)
    if (q != qa && q != qb)
      REJECT(sgpu_destroy_queue(c->dev, a, q), SGPU_STATUS_INVALID_PARAMETER, &s);

  /* Memory. */
  uint32_t word;
  REJECT(sgpu_read(c->dev, a, va0 + 2, &word, 4), SGPU_STATUS_INVALID_PARAMETER, &s);
  REJECT(sgpu_read(c->dev, a, page_va(c, 3 * c->E), &word, 4), SGPU_STATUS_ACCESS_VIOLATION, &s);
  REJECT(sgpu_read(c->dev, b, va0, &word, 4), SGPU_STATUS_ACCESS_VIOLATION, &s);
  word = 0x12345678u;
  REJECT(sgpu_write(c->dev, b, va0, &word, 4), SGPU_STATUS_ACCESS_VIOLATION, &s);
  if (va_bits < 32)
    REJECT(sgpu_read(c->dev, a, va0 | 1u << va_bits, &word, 4), SGPU_STATUS_ACCESS_VIOLATION, &s);
  ST(sgpu_read(c->dev, a, va0, &word, 4), SGPU_STATUS_SUCCESS);
  EQ("A's first word (B's failed write must not land)", word, 0);

  /* Out of process slots. */
  sgpu_process extra[256];
  uint32_t nextra = 0;
  while (nextra + 3 < P) ST(sgpu_create_process(c->dev, &extra[nextra++]), SGPU_STATUS_SUCCESS);
  DO(take_snapshot(c, procs, 3, &s));
  REJECT(sgpu_create_process(c->dev, &extra[nextra]), SGPU_STATUS_INSUFFICIENT_RESOURCES, &s);
  for (uint32_t i = 0; i < nextra; i++)
    ST(sgpu_destroy_process(c->dev, extra[i], SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));

  /* Out of queue slots. */
  uint32_t qextra[256], nq = 0;
  while (nq + 2 < Q) ST(sgpu_create_queue(c->dev, dd, 0x4000, 2, &qextra[nq++]), SGPU_STATUS_SUCCESS);
  DO(take_snapshot(c, procs, 3, &s));
  REJECT(sgpu_create_queue(c->dev, a, 0x5000, 2, &qtmp), SGPU_STATUS_INSUFFICIENT_RESOURCES, &s);
  for (uint32_t i = 0; i < nq; i++) ST(sgpu_destroy_queue(c->dev, dd, qextra[i]), SGPU_STATUS_SUCCESS);

  /* Out of frames: CREATE_PROCESS, and a one-page MAP into an existing table. */
  uint64_t fvpn, fpages;
  DO(fill_frames(c, dd, 2, &fvpn, &fpages));
  DO(take_snapshot(c, procs, 3, &s));
  EQ("free frames", s.dev.frames_clean + s.dev.frames_dirty, 0);
  REJECT(sgpu_create_process(c->dev, &extra[0]), SGPU_STATUS_NO_MEMORY, &s);
  REJECT(sgpu_map(c->dev, a, page_va(c, base + 4), 1), SGPU_STATUS_NO_MEMORY, &s);
  if (fpages) ST(sgpu_unmap(c->dev, dd, page_va(c, fvpn), (uint32_t)fpages), SGPU_STATUS_SUCCESS);

  ST(sgpu_destroy_process(c->dev, a, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, b, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, dd, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  sgpu_device_info d;
  DO(query_dev(c, &d));
  EQ("frames_clean at the end", d.frames_clean, c->info.num_frames);
  return 0;
}

/* (c) */
static int case_isolation(sc *c) {
  REQUIRE(c->info.num_procs >= 2 && c->info.num_queues >= 3, "needs P >= 2 and Q >= 3");
  const uint64_t base = c->E;
  uint32_t k = 8;
  while (k > 1 && 3 * (k + leaves_for(c, base, k) + 1) > c->info.num_frames) k--;
  sgpu_process a, b, p3;
  uint32_t qa, qb1, qb2;
  ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  /* The same virtual pages in both: only the ASID tells them apart. */
  ST(sgpu_map(c->dev, a, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, b, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  DO(write_pages(c, a, base, k, 0xAAAA));
  DO(write_pages(c, b, base, k, 0xBBBB));
  ST(sgpu_create_queue(c->dev, a, 0x1000, 4, &qa), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0x2000, 5, &qb1), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0x3000, 6, &qb2), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qa, 11), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qb1, 21), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qb2, 22), SGPU_STATUS_SUCCESS);
  DO(check_pages(c, a, base, k, 0xAAAA)); /* both translations now cached */
  DO(check_pages(c, b, base, k, 0xBBBB));
  sgpu_process_info before, after;
  ST(sgpu_query_process(c->dev, b, &before), SGPU_STATUS_SUCCESS);
  uint32_t db0 = reg(c, SGPU_REG_DB_IGNORED);

  sgpu_destroy_result r;
  ST(sgpu_destroy_process(c->dev, a, SGPU_POLICY_EAGER, &r), SGPU_STATUS_SUCCESS);
  EQ("A queues_freed", r.queues_freed, 1);
  EQ("A frames_freed", r.frames_freed, k + leaves_for(c, base, k) + 1);

  DO(check_pages(c, b, base, k, 0xBBBB));
  ST(sgpu_query_process(c->dev, b, &after), SGPU_STATUS_SUCCESS);
  REQUIRE(!memcmp(&before, &after, sizeof before), "B's QUERY changed across A's teardown");
  uint32_t bslot = SGPU_HANDLE_SLOT(b);
  EQ("qb1 QSTATE", qreg(c, qb1, SGPU_QREG_QSTATE), qstate(true, bslot));
  EQ("qb1 QRING", qreg(c, qb1, SGPU_QREG_QRING), 0x2000u | 5);
  EQ("qb1 QIGNORED", qreg(c, qb1, SGPU_QREG_QIGNORED), 0);
  EQ("qb2 QSTATE", qreg(c, qb2, SGPU_QREG_QSTATE), qstate(true, bslot));
  EQ("qb2 QRING", qreg(c, qb2, SGPU_QREG_QRING), 0x3000u | 6);
  for (uint32_t i = 0; i < 4; i++) EQ("A's released queue register", qreg(c, qa, qregs[i]), 0);
  ST(sgpu_ring_doorbell(c->dev, qb1, 31), SGPU_STATUS_SUCCESS);
  EQ("qb1 QIGNORED after a new doorbell", qreg(c, qb1, SGPU_QREG_QIGNORED), 0);
  EQ("DB_IGNORED (B's doorbells are accepted)", reg(c, SGPU_REG_DB_IGNORED), db0);

  /* A third process on A's recycled frames, same virtual pages: B still intact. */
  ST(sgpu_create_process(c->dev, &p3), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, p3, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  DO(check_pages(c, p3, base, k, 0));
  DO(write_pages(c, p3, base, k, 0xCCCC));
  DO(check_pages(c, b, base, k, 0xBBBB));
  DO(check_pages(c, p3, base, k, 0xCCCC));
  ST(sgpu_destroy_process(c->dev, p3, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(check_pages(c, b, base, k, 0xBBBB));
  ST(sgpu_destroy_process(c->dev, b, SGPU_POLICY_EAGER, &r), SGPU_STATUS_SUCCESS);
  EQ("B queues_freed", r.queues_freed, 2);
  return wait_clean(c);
}

/* (d) */
static int case_dead_doorbell(sc *c) {
  sgpu_process a, b;
  uint32_t q, q2;
  ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, a, 0x2000, 3, &q), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, q, 5), SGPU_STATUS_SUCCESS);
  EQ("QDB is write-only (reads 0)", qreg(c, q, SGPU_QREG_QDB), 0);
  EQ("QIGNORED of a live queue's accepted doorbell", qreg(c, q, SGPU_QREG_QIGNORED), 0);
  uint32_t db0 = reg(c, SGPU_REG_DB_IGNORED);
  sgpu_destroy_result r;
  ST(sgpu_destroy_process(c->dev, a, SGPU_POLICY_EAGER, &r), SGPU_STATUS_SUCCESS);
  EQ("queues_freed", r.queues_freed, 1);
  EQ("doorbells_ignored", r.doorbells_ignored, 0);
  for (uint32_t i = 0; i < 4; i++) EQ("released queue register", qreg(c, q, qregs[i]), 0);

  ST(sgpu_ring_doorbell(c->dev, q, 7), SGPU_STATUS_SUCCESS);
  EQ("DB_IGNORED after a dead doorbell", reg(c, SGPU_REG_DB_IGNORED), db0 + 1);
  EQ("QDB of a dead queue", qreg(c, q, SGPU_QREG_QDB), 0);
  EQ("QSTATE of a dead queue", qreg(c, q, SGPU_QREG_QSTATE), 0);
  EQ("QIGNORED of a dead queue", qreg(c, q, SGPU_QREG_QIGNORED), 0);
  ST(sgpu_ring_doorbell(c->dev, q, 9), SGPU_STATUS_SUCCESS);
  EQ("DB_IGNORED after two", reg(c, SGPU_REG_DB_IGNORED), db0 + 2);
  EQ("QDB still", qreg(c, q, SGPU_QREG_QDB), 0);
  if (c->info.num_queues > 1) { /* a slot never used at all */
    ST(sgpu_ring_doorbell(c->dev, c->info.num_queues - 1, 1), SGPU_STATUS_SUCCESS);
    EQ("DB_IGNORED after a never-used slot", reg(c, SGPU_REG_DB_IGNORED), db0 + 3);
  }
  uint32_t ignored = reg(c, SGPU_REG_DB_IGNORED);
  sgpu_device_info d;
  DO(query_dev(c, &d));
  EQ("device QUERY doorbells_ignored", d.doorbells_ignored, ignored);

  /* The slot, reissued, starts clean and takes doorbells again. */
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0x3000, 2, &q2), SGPU_STATUS_SUCCESS);
  EQ("reissued queue slot", q2, q);
  EQ("reissued QIGNORED", qreg(c, q2, SGPU_QREG_QIGNORED), 0);
  EQ("reissued QDB", qreg(c, q2, SGPU_QREG_QDB), 0);
  EQ("reissued QSTATE", qreg(c, q2, SGPU_QREG_QSTATE), qstate(true, SGPU_HANDLE_SLOT(b)));
  ST(sgpu_ring_doorbell(c->dev, q2, 13), SGPU_STATUS_SUCCESS);
  EQ("reissued QIGNORED after a doorbell", qreg(c, q2, SGPU_QREG_QIGNORED), 0);
  EQ("DB_IGNORED unchanged", reg(c, SGPU_REG_DB_IGNORED), ignored);
  sgpu_process_info pi;
  ST(sgpu_query_process(c->dev, b, &pi), SGPU_STATUS_SUCCESS);
  EQ("B doorbells_ignored", pi.doorbells_ignored, 0);
  ST(sgpu_destroy_process(c->dev, b, SGPU_POLICY_EAGER, &r), SGPU_STATUS_SUCCESS);
  EQ("B doorbells_ignored at destroy", r.doorbells_ignored, 0);
  return wait_clean(c);
}

/* (e) An attacker B after A's teardown with the given policy. */
static int no_residue_policy(sc *c, uint32_t policy) {
  const uint32_t E = c->E, F = c->info.num_frames;
  const char *pn = policy_name(policy);
  sgpu_process a, b;
  uint64_t vpn, pages;
  uint32_t qa, qb;
  /* A dirties as many frames as the write budget allows (every frame on small devices), and
   * leaves marks in a queue slot: ring, write pointer, ignored doorbells. */
  ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, a, 0xABCD0, 7, &qa), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qa, 0xD1127), SGPU_STATUS_SUCCESS);
  uint64_t budget_pages = c->max_words / E > 64 ? c->max_words / E : 64;
  if (c->full || (uint64_t)F * E <= c->max_words) {
    DO(fill_frames(c, a, 1, &vpn, &pages));
  } else {
    vpn = E;
    pages = budget_pages < F / 2 ? budget_pages : F / 2;
    ST(sgpu_map(c->dev, a, page_va(c, vpn), (uint32_t)pages), SGPU_STATUS_SUCCESS);
  }
  DO(write_pages(c, a, vpn, pages, 0xD1127));
  printf("  [no_residue/%s] A wrote %" PRIu64 " pages; destroying it\n", pn, pages);
  uint32_t rseq0 = reg(c, SGPU_REG_RECLAIM_SEQ);
  ST(sgpu_destroy_process(c->dev, a, policy, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qa, 0xBAD), SGPU_STATUS_SUCCESS); /* ignored, counted */

  /* No wait: B must get only scrubbed frames even while the scrubber (and, DEFERRED, the
   * reclaim) is busy. A's released queue slot reads zero; B gets it back with nothing of A's. */
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  for (uint32_t k = 0; k < 4; k++) EQ("A's released queue register", qreg(c, qa, qregs[k]), 0);
  ST(sgpu_create_queue(c->dev, b, 0x40, 1, &qb), SGPU_STATUS_SUCCESS);
  EQ("B's queue reuses A's slot", qb, qa);
  EQ("B's QDB", qreg(c, qb, SGPU_QREG_QDB), 0);
  EQ("B's QIGNORED", qreg(c, qb, SGPU_QREG_QIGNORED), 0);
  EQ("B's QRING (its own, nothing of A's)", qreg(c, qb, SGPU_QREG_QRING), 0x40u | 1);
  EQ("B's QSTATE", qreg(c, qb, SGPU_QREG_QSTATE), qstate(true, SGPU_HANDLE_SLOT(b)));
  DO(fill_frames(c, b, 3, &vpn, &pages));
  uint64_t total = pages * E;
  bool full = c->full || total <= c->max_words;
  uint32_t *buf = malloc(sizeof(uint32_t) * E);
  REQUIRE(buf, "out of memory");
  uint64_t read = 0, full_pages = 0;
  if (full) {
    free(buf);
    DO(check_pages(c, b, vpn, pages, 0));
    read = total;
    full_pages = pages;
  } else {
    /* Three words of every page, then whole pages: the last ones mapped (allocators that
     * reuse freed frames last hand them out there), then a stride over the rest. */
    const uint32_t probes[3] = {0, E / 2, E - 1};
    for (uint64_t v = vpn; v < vpn + pages; v++)
      for (int i = 0; i < 3; i++) {
        uint32_t va = page_va(c, v) + 4 * probes[i], w = 1;
        sgpu_status st = sgpu_read(c->dev, b, va, &w, 4);
        if (st != SGPU_STATUS_SUCCESS || w != 0) {
          free(buf);
          return fail_at(c, __LINE__, "va 0x%08X: %s, reads 0x%08X, expected 0", va,
                         sgpu_status_str(st), w);
        }
        read++;
      }
    uint64_t whole = (c->max_words > read ? c->max_words - read : 0) / E;
    uint64_t tail = whole / 2 < pages ? whole / 2 : pages;
    free(buf);
    DO(check_pages(c, b, vpn + pages - tail, tail, 0));
    uint64_t rest = whole - tail, stride = rest ? (pages - tail) / rest + 1 : 0;
    for (uint64_t v = vpn; rest && v < vpn + pages - tail; v += stride, rest--) {
      DO(check_pages(c, b, v, 1, 0));
      full_pages++;
    }
    full_pages += tail;
    read += full_pages * E;
  }
  printf("  [no_residue/%s] B mapped %" PRIu64 " pages (every free frame); read %" PRIu64
         " of %" PRIu64 " words%s, %" PRIu64 " pages whole: all zero\n",
         pn, pages, read, total, full ? "" : " (sampled; --full reads all)", full_pages);
  ST(sgpu_destroy_process(c->dev, b, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  if (policy == SGPU_POLICY_DEFERRED) DO(wait_reclaim(c, rseq0, 1));
  sgpu_device_info d;
  DO(query_dev(c, &d));
  EQ("frames_clean at the end", d.frames_clean, F);
  EQ("RECLAIM_PENDING at the end", reg(c, SGPU_REG_RECLAIM_PENDING), 0);
  return 0;
}

static int case_no_residue(sc *c) {
  DO(no_residue_policy(c, SGPU_POLICY_EAGER));
  DO(no_residue_policy(c, SGPU_POLICY_HOST));
  return no_residue_policy(c, SGPU_POLICY_DEFERRED);
}

/* Generations wrap from 0xFFFF to 1, never 0. 65535 create/destroy pairs on one slot: each
 * root frame comes back dirty, so on a large device it runs at the scrubber's pace; it is
 * skipped there unless --full. */
static int case_gen_wrap(sc *c) {
  if (!c->full && c->info.num_frames > 4096) {
    printf("  [gen_wrap] SKIP: %u frames (> 4096); --full runs it\n", c->info.num_frames);
    return 0;
  }
  sgpu_process p = 0, first;
  ST(sgpu_create_process(c->dev, &first), SGPU_STATUS_SUCCESS);
  uint32_t slot = SGPU_HANDLE_SLOT(first), gen = SGPU_HANDLE_GEN(first);
  p = first;
  for (uint32_t want = gen + 1; want <= GEN_MAX + 1u; want++) {
    ST(sgpu_destroy_process(c->dev, p, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
    ST(sgpu_create_process(c->dev, &p), SGPU_STATUS_SUCCESS);
    uint32_t expect = want > GEN_MAX ? 1u : want;
    if (p != SGPU_HANDLE_MAKE(slot, expect))
      return fail_at(c, __LINE__, "handle 0x%08X after %u reuses, expected 0x%08X", p,
                     want - gen, SGPU_HANDLE_MAKE(slot, expect));
  }
  /* Generation 1 again (the very first handle names a live process once more, as 16 bits
   * allow); the last handle before the wrap and generation 0 are invalid. */
  sgpu_process_info pi;
  ST(sgpu_query_process(c->dev, SGPU_HANDLE_MAKE(slot, GEN_MAX), &pi),
     SGPU_STATUS_INVALID_HANDLE);
  ST(sgpu_query_process(c->dev, slot, &pi), SGPU_STATUS_INVALID_HANDLE); /* generation 0 */
  ST(sgpu_query_process(c->dev, p, &pi), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, p, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  printf("  [gen_wrap] slot %u wrapped from generation 0xFFFF to 1\n", slot);
  return wait_clean(c);
}

/* (c) The same workload with EAGER and with DEFERRED teardown, each on a freshly opened
 * device: once every frame is clean (and every reclaim event posted), the device QUERY,
 * every surviving process's QUERY, every queue register, DB_IGNORED, the frame registers,
 * RECLAIM_PENDING == 0 and the next CREATE_PROCESS handle are the same. (Commands are only
 * issued when no reclaim is pending, where the contract makes the outcome policy-free.) */
typedef struct {
  sgpu_device_info dev;
  sgpu_process procs[4];
  sgpu_process_info pinfo[4];
  uint32_t q[256][4];
  uint32_t db_ignored, used, clean, dirty, pending, next_handle;
} equiv_state;

static int equiv_workload(sc *c, uint32_t policy, equiv_state *out) {
  const uint64_t base = c->E;
  sgpu_process a, b, cc, d;
  uint32_t qa0, qa1 = 0, qb, qcc;
  uint32_t k = 3, rseq0 = reg(c, SGPU_REG_RECLAIM_SEQ), deferred = 0;
  while (k > 1 && 4 * (k + 2 * leaves_for(c, base, k) + 2) > c->info.num_frames) k--;
  ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_process(c->dev, &cc), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, a, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, a, page_va(c, 2 * base), 1), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, b, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, cc, 0, 1), SGPU_STATUS_SUCCESS);
  DO(write_pages(c, a, base, k, 0xE1));
  DO(write_pages(c, b, base, k, 0xE2));
  ST(sgpu_create_queue(c->dev, a, 0x100, 3, &qa0), SGPU_STATUS_SUCCESS);
  if (c->info.num_queues >= 4) ST(sgpu_create_queue(c->dev, a, 0x200, 4, &qa1), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0x300, 5, &qb), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, cc, 0x400, 6, &qcc), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qa0, 1), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qb, 2), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qcc, 3), SGPU_STATUS_SUCCESS);
  /* Tear down B and A with the policy; doorbells of their queues meanwhile. */
  ST(sgpu_destroy_process(c->dev, b, policy, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qb, 4), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, a, policy, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qa0, 5), SGPU_STATUS_SUCCESS);
  deferred += policy == SGPU_POLICY_DEFERRED ? 2 : 0;
  ST(sgpu_unmap(c->dev, cc, 0, 1), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  DO(wait_reclaim(c, rseq0, deferred));
  /* A new process on the recycled slots and frames; then C goes too. */
  ST(sgpu_create_process(c->dev, &d), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, d, page_va(c, base), k), SGPU_STATUS_SUCCESS);
  DO(check_pages(c, d, base, k, 0));
  ST(sgpu_create_queue(c->dev, d, 0x500, 2, &qb), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qb, 6), SGPU_STATUS_SUCCESS);
  ST(sgpu_destroy_process(c->dev, cc, policy, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_ring_doorbell(c->dev, qcc, 7), SGPU_STATUS_SUCCESS);
  deferred += policy == SGPU_POLICY_DEFERRED ? 1 : 0;
  DO(wait_clean(c));
  DO(wait_reclaim(c, rseq0, deferred));
  /* The state. */
  memset(out, 0, sizeof *out);
  DO(query_dev(c, &out->dev));
  out->procs[0] = a, out->procs[1] = b, out->procs[2] = cc, out->procs[3] = d;
  for (int i = 0; i < 4; i++) {
    sgpu_status st = sgpu_query_process(c->dev, out->procs[i], &out->pinfo[i]);
    if (i < 3) REQUIRE(st == SGPU_STATUS_INVALID_HANDLE, "destroyed handle 0x%08X: %s",
                       out->procs[i], sgpu_status_str(st));
    else REQUIRE(st == SGPU_STATUS_SUCCESS, "live handle 0x%08X: %s", out->procs[i],
                 sgpu_status_str(st));
  }
  for (uint32_t q = 0; q < c->info.num_queues && q < 256; q++)
    for (uint32_t r = 0; r < 4; r++) out->q[q][r] = qreg(c, q, qregs[r]);
  out->db_ignored = reg(c, SGPU_REG_DB_IGNORED);
  out->used = reg(c, SGPU_REG_FRAMES_USED);
  out->clean = reg(c, SGPU_REG_FRAMES_CLEAN);
  out->dirty = reg(c, SGPU_REG_FRAMES_DIRTY);
  out->pending = reg(c, SGPU_REG_RECLAIM_PENDING);
  EQ("RECLAIM_PENDING once every frame is clean", out->pending, 0);
  EQ("RECLAIM_SEQ: one event per deferred destroy", reg(c, SGPU_REG_RECLAIM_SEQ) - rseq0, deferred);
  ST(sgpu_create_process(c->dev, &out->next_handle), SGPU_STATUS_SUCCESS);
  return 0;
}

static int case_policy_equiv(sc *c) {
  REQUIRE(c->info.num_procs >= 4 && c->info.num_queues >= 3, "needs P >= 4 and Q >= 3");
  equiv_state st[2];
  const uint32_t pol[2] = {SGPU_POLICY_EAGER, SGPU_POLICY_DEFERRED};
  for (int i = 0; i < 2; i++) {
    if (i == 1) { /* a freshly opened device for the second policy (after closing the first:
                   * two Verilated models open at once in one process deadlock at close) */
      char err[256];
      sgpu_close(c->dev);
      sgpu_status s = sgpu_open_ex(c->uri, &c->dev, err, sizeof err);
      if (s != SGPU_STATUS_SUCCESS) {
        c->dev = NULL;
        return fail_at(c, __LINE__, "second open: %s: %s", sgpu_status_str(s), err);
      }
    }
    DO(equiv_workload(c, pol[i], &st[i]));
  }
  const equiv_state *e = &st[0], *f = &st[1];
#define SAME(what, x) EQ(what " (deferred run vs eager run)", f->x, e->x)
  SAME("frames_clean", dev.frames_clean);
  SAME("frames_dirty", dev.frames_dirty);
  SAME("frames_used", dev.frames_used);
  SAME("live_processes", dev.live_processes);
  SAME("live_queues", dev.live_queues);
  SAME("device doorbells_ignored", dev.doorbells_ignored);
  for (int i = 0; i < 4; i++) {
    SAME("handle", procs[i]);
    REQUIRE(!memcmp(&f->pinfo[i], &e->pinfo[i], sizeof e->pinfo[i]),
            "QUERY of process %d differs between the policies", i);
  }
  for (uint32_t q = 0; q < c->info.num_queues && q < 256; q++)
    for (uint32_t r = 0; r < 4; r++)
      if (f->q[q][r] != e->q[q][r])
        return fail_at(c, __LINE__, "queue %u register +0x%X: deferred 0x%08X, eager 0x%08X", q,
                       qregs[r], f->q[q][r], e->q[q][r]);
  SAME("DB_IGNORED", db_ignored);
  SAME("FRAMES_USED", used);
  SAME("FRAMES_CLEAN", clean);
  SAME("FRAMES_DIRTY", dirty);
  SAME("RECLAIM_PENDING", pending);
  SAME("next CREATE_PROCESS handle", next_handle);
#undef SAME
  printf("  [policy_equiv] same state; next handle 0x%08X, %u doorbells ignored\n", e->next_handle,
         e->db_ignored);
  return 0;
}

/* (d) The per-phase registers. Contract (docs/semantics.md, docs/registers.md):
 *   EAGER: TD_VALIDATE, TD_STOP_DRAIN, TD_TLB, TD_FREE, TD_RELEASE, TD_COMPLETE are each >= 1
 *          and sum to the completion's cycles (doorbell to completion);
 *   DEFERRED: TD_VALIDATE + TD_STOP_DRAIN + TD_TLB + TD_COMPLETE == the completion's cycles
 *          (each >= 1), TD_FREE == TD_RELEASE == 0; after the reclaim event its own phases
 *          RECLAIM_FREE >= 1, RECLAIM_RELEASE >= 1 and RECLAIM_SCRUB >= 1, RECLAIM_CYCLES
 *          (doorbell to event) >= the completion's cycles and >= RECLAIM_SCRUB, and the
 *          destroy's TD_* registers are untouched by the event. */
static int case_td_phases(sc *c) {
  static const uint32_t td[6] = {SGPU_REG_TD_VALIDATE, SGPU_REG_TD_STOP_DRAIN, SGPU_REG_TD_TLB,
                                 SGPU_REG_TD_FREE, SGPU_REG_TD_RELEASE, SGPU_REG_TD_COMPLETE};
  static const char *const tdn[6] = {"TD_VALIDATE", "TD_STOP_DRAIN", "TD_TLB", "TD_FREE",
                                     "TD_RELEASE", "TD_COMPLETE"};
  uint32_t pages = 8;
  while (pages > 1 && pages + 3 > c->info.num_frames) pages--;
  for (int k = 0; k < 2; k++) {
    uint32_t policy = k ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER, q, v[6];
    sgpu_process p;
    sgpu_destroy_result r;
    ST(sgpu_create_process(c->dev, &p), SGPU_STATUS_SUCCESS);
    ST(sgpu_map(c->dev, p, page_va(c, c->E), pages), SGPU_STATUS_SUCCESS);
    ST(sgpu_create_queue(c->dev, p, 0x1000, 3, &q), SGPU_STATUS_SUCCESS);
    uint32_t rseq0 = reg(c, SGPU_REG_RECLAIM_SEQ);
    ST(sgpu_destroy_process(c->dev, p, policy, &r), SGPU_STATUS_SUCCESS);
    uint64_t sum = 0;
    for (int i = 0; i < 6; i++) v[i] = reg(c, td[i]);
    printf("  [td_phases/%s] cycles %u: validate %u stop_drain %u tlb %u free %u release %u "
           "complete %u\n", policy_name(policy), r.cycles, v[0], v[1], v[2], v[3], v[4], v[5]);
    if (policy == SGPU_POLICY_EAGER) {
      for (int i = 0; i < 6; i++) {
        REQUIRE(v[i] >= 1, "eager %s is %u, expected >= 1", tdn[i], v[i]);
        sum += v[i];
      }
      EQ("eager: sum of the six phases == completion cycles", sum, r.cycles);
    } else {
      const int in_cmd[4] = {0, 1, 2, 5};
      for (int j = 0; j < 4; j++) {
        REQUIRE(v[in_cmd[j]] >= 1, "deferred %s is %u, expected >= 1", tdn[in_cmd[j]], v[in_cmd[j]]);
        sum += v[in_cmd[j]];
      }
      EQ("deferred: TD_VALIDATE + TD_STOP_DRAIN + TD_TLB + TD_COMPLETE == completion cycles", sum,
         r.cycles);
      EQ("deferred: TD_FREE", v[3], 0);
      EQ("deferred: TD_RELEASE", v[4], 0);
      DO(wait_reclaim(c, rseq0, 1));
      uint32_t f = reg(c, SGPU_REG_RECLAIM_FREE), rl = reg(c, SGPU_REG_RECLAIM_RELEASE);
      uint32_t sc_ = reg(c, SGPU_REG_RECLAIM_SCRUB), rc = reg(c, SGPU_REG_RECLAIM_CYCLES);
      printf("  [td_phases/deferred] after the event: free %u release %u scrub %u, reclaim "
             "cycles %u\n", f, rl, sc_, rc);
      REQUIRE(f >= 1, "RECLAIM_FREE after the reclaim event is %u, expected >= 1", f);
      REQUIRE(rl >= 1, "RECLAIM_RELEASE after the reclaim event is %u, expected >= 1", rl);
      REQUIRE(sc_ >= 1, "RECLAIM_SCRUB after the reclaim event is %u, expected >= 1", sc_);
      REQUIRE(rc >= r.cycles && rc >= sc_,
              "RECLAIM_CYCLES %u < completion cycles %u or RECLAIM_SCRUB %u", rc, r.cycles, sc_);
      for (int i = 0; i < 6; i++)
        EQ("deferred: the event leaves the destroy's TD_* alone", reg(c, td[i]), v[i]);
    }
    DO(wait_clean(c));
  }
  return 0;
}

/* (e) No FREE slot, a DYING one: CREATE_PROCESS answers INSUFFICIENT_RESOURCES (it never takes a
 * DYING slot, even with its reclaim about to finish), first with the others ACTIVE, then with
 * every slot DYING; every command naming the DYING handle is TERMINATING and changes nothing;
 * after the first reclaim event the slot is taken again with gen + 1. The first process to die
 * holds enough frames that its scrubbing outlasts the commands in between; if its event comes
 * first anyway, the case says so and fails (it could not test what it is for). */
static int case_dying_slots(sc *c) {
  const uint32_t P = c->info.num_procs, F = c->info.num_frames;
  REQUIRE(P >= 2 && P <= 64, "needs 2..64 process slots (P=%u)", P);
  sgpu_process h[64], extra;
  uint32_t st, q;
  for (uint32_t i = 0; i < P; i++) ST(sgpu_create_process(c->dev, &h[i]), SGPU_STATUS_SUCCESS);
  for (uint32_t i = 1; i < P; i++) ST(sgpu_map(c->dev, h[i], 0, 1), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, h[0], 0x100, 2, &q), SGPU_STATUS_SUCCESS);
  /* h[0]: as many frames as there are, up to 64K words of scrubbing. */
  sgpu_device_info d;
  DO(query_dev(c, &d));
  uint64_t free = (uint64_t)d.frames_clean + d.frames_dirty, cap = 65536 / c->E;
  uint64_t pages = free > 2 ? free - 1 - (free - 1) / (c->E + 1) : 1;
  if (pages > cap) pages = cap;
  while (pages > 1 && pages + leaves_for(c, c->E, pages) > free) pages--;
  ST(sgpu_map(c->dev, h[0], page_va(c, c->E), (uint32_t)pages), SGPU_STATUS_SUCCESS);
  snapshot s;
  uint32_t rseq0 = reg(c, SGPU_REG_RECLAIM_SEQ);
  ST(sgpu_destroy_process(c->dev, h[0], SGPU_POLICY_DEFERRED, NULL), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_process(c->dev, &extra), SGPU_STATUS_INSUFFICIENT_RESOURCES);
  REQUIRE(reg(c, SGPU_REG_RECLAIM_SEQ) == rseq0,
          "the reclaim of %" PRIu64 " frames finished before the checks (inconclusive)", pages + 2);
  /* Every command naming the DYING handle. */
  DO(take_snapshot(c, &h[1], P - 1 < 8 ? P - 1 : 8, &s));
  c->scrubbing = true;
  sgpu_process_info pi;
  uint32_t w = 0;
  REJECT(sgpu_query_process(c->dev, h[0], &pi), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_map(c->dev, h[0], 0, 1), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_unmap(c->dev, h[0], page_va(c, c->E), 1), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_create_queue(c->dev, h[0], 0x100, 2, &q), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_destroy_queue(c->dev, h[0], q), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_read(c->dev, h[0], page_va(c, c->E), &w, 4), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  REJECT(sgpu_write(c->dev, h[0], page_va(c, c->E), &w, 4), SGPU_STATUS_PROCESS_IS_TERMINATING, &s);
  for (uint32_t pol = 0; pol < 4; pol++) {
    DO(raw(c, SGPU_OP_DESTROY_PROCESS, pol, h[0], &st));
    EQ("raw DESTROY_PROCESS of a DYING handle (any policy, handle checked first)", st,
       SGPU_STATUS_PROCESS_IS_TERMINATING);
  }
  DO(same_as(c, &s, "DESTROY_PROCESS of a DYING handle"));
  c->scrubbing = false;
  REQUIRE(reg(c, SGPU_REG_RECLAIM_SEQ) == rseq0,
          "the reclaim of %" PRIu64 " frames finished before the checks (inconclusive)", pages + 2);
  EQ("RECLAIM_PENDING", reg(c, SGPU_REG_RECLAIM_PENDING), 1);
  EQ("live_processes counts the DYING slot", s.dev.live_processes, P);
  /* Every slot DYING: the others' reclaims come after h[0]'s (FIFO). */
  for (uint32_t i = 1; i < P; i++) {
    DO(raw(c, SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_DEFERRED, h[i], &st));
    EQ("deferred destroy", st, SGPU_STATUS_SUCCESS);
  }
  DO(raw(c, SGPU_OP_CREATE_PROCESS, 0, 0, &st));
  uint32_t seq_now = reg(c, SGPU_REG_RECLAIM_SEQ);
  REQUIRE(seq_now == rseq0, "the first reclaim finished before the all-DYING check (inconclusive)");
  EQ("CREATE_PROCESS with every slot DYING", st, SGPU_STATUS_INSUFFICIENT_RESOURCES);
  EQ("RECLAIM_PENDING, every slot DYING", reg(c, SGPU_REG_RECLAIM_PENDING), P);
  /* The first event frees h[0]'s slot (FIFO), and only that one at first. */
  /* Poll RECLAIM_SEQ with register reads only (each advances a simulated device): the
   * first event must name h[0]. */
  uint32_t seq1 = rseq0, hd = 0, seq2 = rseq0;
  for (uint64_t i = 0; i < 100000000ull && seq1 == rseq0; i++) seq1 = reg(c, SGPU_REG_RECLAIM_SEQ);
  hd = reg(c, SGPU_REG_RECLAIM_HANDLE);
  seq2 = reg(c, SGPU_REG_RECLAIM_SEQ);
  REQUIRE(seq1 != rseq0, "no reclaim event after 10^8 register reads");
  if (seq1 == rseq0 + 1 && seq2 == seq1)
    EQ("first RECLAIM_HANDLE (destroy order)", hd, h[0]);
  else
    printf("  [dying_slots] NOTE: events %u..%u came between two reads; first handle not checked\n",
           seq1 - rseq0, seq2 - rseq0);
  ST(sgpu_create_process(c->dev, &extra), SGPU_STATUS_SUCCESS);
  if (seq1 == rseq0 + 1 && reg(c, SGPU_REG_RECLAIM_SEQ) == seq1)
    EQ("the reclaimed slot, gen + 1", extra, next_handle(h[0]));
  else
    REQUIRE(SGPU_HANDLE_SLOT(extra) < P, "CREATE_PROCESS gave 0x%08X", extra);
  ST(sgpu_query_process(c->dev, h[0], &pi), SGPU_STATUS_INVALID_HANDLE);
  DO(wait_clean(c));
  DO(wait_reclaim(c, rseq0, P));
  for (uint32_t i = 1; i < P; i++) {
    ST(sgpu_query_process(c->dev, h[i], &pi), SGPU_STATUS_INVALID_HANDLE);
  }
  EQ("last RECLAIM_HANDLE (destroy order)", reg(c, SGPU_REG_RECLAIM_HANDLE), h[P - 1]);
  EQ("RECLAIM_PENDING at the end", reg(c, SGPU_REG_RECLAIM_PENDING), 0);
  ST(sgpu_destroy_process(c->dev, extra, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  DO(wait_clean(c));
  DO(query_dev(c, &d));
  EQ("frames_clean at the end", d.frames_clean, F);
  return 0;
}

/* ------------------------------------------------------------------ runner */

static const struct {
  const char *name;
  int (*fn)(sc *);
} cases[] = {
    {"lifecycle", case_lifecycle},       {"bad_inputs", case_bad_inputs},
    {"isolation", case_isolation},       {"dead_doorbell", case_dead_doorbell},
    {"no_residue", case_no_residue},     {"gen_wrap", case_gen_wrap},
    {"policy_equiv", case_policy_equiv}, {"td_phases", case_td_phases},
    {"dying_slots", case_dying_slots},
};
#define NCASES (sizeof cases / sizeof cases[0])

static int run_case(sc *c, size_t i) {
  char err[512];
  c->name = cases[i].name;
  c->scrubbing = false;
  sgpu_status st = sgpu_open_ex(c->uri, &c->dev, err, sizeof err);
  if (st != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "FAIL [%s] cannot open '%s': %s: %s\n", c->name, c->uri, sgpu_status_str(st), err);
    return 1;
  }
  int rc = 1;
  if ((st = sgpu_get_info(c->dev, &c->info)) != SGPU_STATUS_SUCCESS) {
    fail_at(c, __LINE__, "get_info: %s", sgpu_status_str(st));
  } else {
    c->E = 1u << (c->info.page_shift - 2);
    c->vpn_limit = 1ull << (2 * (c->info.page_shift - 2));
    rc = cases[i].fn(c);
  }
  sgpu_close(c->dev);
  c->dev = NULL;
  printf("%s %s\n", rc ? "FAIL" : "PASS", c->name);
  fflush(stdout);
  return rc;
}

int main(int argc, char **argv) {
  sc c = {.uri = "sim:", .max_words = 120000};
  bool want[NCASES] = {false}, any = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--uri") && i + 1 < argc) {
      c.uri = argv[++i];
    } else if (!strcmp(argv[i], "--full")) {
      c.full = true;
    } else if (!strcmp(argv[i], "--max-words") && i + 1 < argc) {
      c.max_words = strtoull(argv[++i], NULL, 0);
    } else {
      size_t k;
      for (k = 0; k < NCASES && strcmp(argv[i], cases[k].name); k++) {}
      if (k == NCASES) {
        fprintf(stderr, "usage: %s [--uri URI] [--full] [--max-words N] [CASE...]\ncases:", argv[0]);
        for (k = 0; k < NCASES; k++) fprintf(stderr, " %s", cases[k].name);
        fprintf(stderr, "\n");
        return 2;
      }
      want[k] = any = true;
    }
  }
  printf("scenarios: uri %s\n", c.uri);
  int failed = 0, run = 0;
  for (size_t i = 0; i < NCASES; i++) {
    if (any && !want[i]) continue;
    run++;
    failed += run_case(&c, i);
  }
  printf("scenarios: %d run, %d failed\n", run, failed);
  return failed ? 1 : 0;
}
