/* fake_model.c - a small stand-in device behind the sim ABI (sim/sgpu_sim.h), for testing
 * libsgpu and the sgpu CLI before (and besides) the RTL and the reference model.
 *
 * It follows docs/semantics.md for everything the host tests check (statuses and their
 * order, result words, frame accounting with two-level page tables, queue registers,
 * doorbells, the mailbox with BUSY, CPL_SEQ and ADMIN_DROPPED, a background scrubber, the
 * CYCLE_LO/CYCLE_HI latch, DESTROY_PROCESS EAGER and DEFERRED with its DYING slot,
 * STATUS_PROCESS_IS_TERMINATING, background reclaimer and reclaim events, the TD_* phase
 * registers). It is not the reference model (tests/refmodel/ is): it has no TLB, and its
 * timing is made up: each bus access takes 2 cycles, a command completes 8 + 2 * (pages
 * touched) cycles after its doorbell, DESTROY_PROCESS takes its phases (validate 2, stop and
 * drain 2 + 2 per queue, TLB 4, free 1, release 1 + 1 per queue, complete 1; DEFERRED leaves
 * free and release to the reclaimer, which runs when the completion is posted), the scrubber
 * cleans one frame every 32 cycles.
 *
 * Variants, for the failure paths of the transport (-D at build time):
 *   FAKE_ABI=n      report ABI version n           FAKE_MAGIC=x  ID register reads x
 *   FAKE_NO_STEP    do not export sgpu_sim_step   FAKE_HANG     never post a completion
 *   FAKE_PAGE_SHIFT, FAKE_FRAMES, FAKE_PROCS, FAKE_QUEUES   the configuration
 * and at run time: SGPU_MODEL_FAIL_READS="ADDR[,ADDR...]" (read when an instance is created)
 * makes every read of those register addresses fail (sgpu_sim_read32 returns -1, as a bus
 * that does not answer), for the host's error paths.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_regs.h"
#include "sgpu_sim.h"

#ifndef FAKE_ABI
#define FAKE_ABI SGPU_SIM_ABI_VERSION
#endif
#ifndef FAKE_MAGIC
#define FAKE_MAGIC SGPU_MAGIC
#endif
#ifndef FAKE_PAGE_SHIFT
#define FAKE_PAGE_SHIFT 12
#endif
#ifndef FAKE_FRAMES
#define FAKE_FRAMES 20480
#endif
#ifndef FAKE_PROCS
#define FAKE_PROCS 8
#endif
#ifndef FAKE_QUEUES
#define FAKE_QUEUES 8
#endif
#ifndef FAKE_CONFIG
#define FAKE_CONFIG "fake"
#endif

#define EXPORT __attribute__((visibility("default")))
#define S FAKE_PAGE_SHIFT
#define E (1u << (S - 2))       /* entries per table */
#define PAGE_WORDS (1u << (S - 2))
#define VPN_LIMIT (1ull << (2 * (S - 2)))
#define NONE 0xFFFFFFFFu
#define BUS_CYCLES 2
#define SCRUB_PERIOD 32

typedef struct {
  uint32_t state, gen, data_frames, pt_pages, queues, db_ignored;
  uint32_t root;
  uint32_t *leaf_frame;  /* [E]: frame of the leaf table, NONE if absent */
  uint32_t **leaf;       /* [E]: leaf entries (data frame or NONE), NULL if absent */
  uint32_t *leaf_count;  /* [E]: valid entries of each leaf */
} proc_t;

typedef struct {
  bool live, stopped;
  uint32_t owner, wptr, ignored, ring;
} queue_t;

/* A DEFERRED destroy whose reclaim event has not come (FIFO, in destroy order). */
typedef struct {
  uint32_t slot, handle, frames;
  uint64_t doorbell_at, dirty_at;
  uint64_t mark; /* its frames are all clean once scrubbed_total reaches this */
  bool moved;    /* the reclaimer has put its frames on the dirty list */
} reclaim_t;

struct sgpu_sim {
  uint64_t cycle, done_at, scrub_credit;
  uint32_t cycle_hi_latch;
  uint32_t cmd_op, args[4];
  bool busy, irq;
  uint32_t cpl_status, cpl_seq, cpl_res[6], pend_status, pend_res[6];
  uint32_t admin_dropped, db_ignored, scrub_cycles;
  uint32_t clean[FAKE_FRAMES], nclean;          /* stack of clean frames */
  uint32_t dirty[FAKE_FRAMES], dhead, ndirty;   /* FIFO of dirty frames */
  uint32_t used;
  uint32_t *data[FAKE_FRAMES];                  /* NULL: all zero */
  proc_t procs[FAKE_PROCS];
  queue_t queues[FAKE_QUEUES];
  uint64_t pushed_total, scrubbed_total; /* frames ever put on / taken off the dirty list */
  uint32_t td[7]; /* TD_VALIDATE .. TD_SCRUB */
  uint32_t reclaim_seq, reclaim_handle, reclaim_cycles, reclaim_frames;
  reclaim_t reclaims[FAKE_PROCS];
  uint32_t rhead, nreclaims;
  bool reclaimer_due; /* run the reclaimer of the last reclaim when the completion posts */
  uint64_t doorbell_at;
  uint32_t fail_reads[16], nfail_reads; /* SGPU_MODEL_FAIL_READS */
};

enum { TD_VALIDATE, TD_STOP_DRAIN, TD_TLB, TD_FREE, TD_RELEASE, TD_COMPLETE, TD_SCRUB };

/* ------------------------------------------------------------------ frames */

static void reclaim_events(sgpu_sim *m);

static void scrub_one(sgpu_sim *m) {
  uint32_t f = m->dirty[m->dhead];
  m->dhead = (m->dhead + 1) % FAKE_FRAMES;
  m->ndirty--;
  free(m->data[f]);
  m->data[f] = NULL;
  m->clean[m->nclean++] = f;
  m->scrubbed_total++;
  reclaim_events(m);
}

/* Takes a clean frame, waiting for the scrubber if need be (the caller checked that
 * clean + dirty suffices). */
static uint32_t alloc_frame(sgpu_sim *m) {
  if (m->nclean == 0) scrub_one(m);
  m->used++;
  return m->clean[--m->nclean];
}

static void free_frame(sgpu_sim *m, uint32_t f) {
  m->dirty[(m->dhead + m->ndirty) % FAKE_FRAMES] = f;
  m->ndirty++;
  m->used--;
  m->pushed_total++;
}

static void reclaimer(sgpu_sim *m) __attribute__((unused)); /* unused with FAKE_HANG */

static void advance(sgpu_sim *m, uint64_t n) {
  m->cycle += n;
  if (m->ndirty) {
    m->scrub_credit += n;
    m->scrub_cycles += (uint32_t)n;
    while (m->ndirty && m->scrub_credit >= SCRUB_PERIOD) {
      scrub_one(m);
      m->scrub_credit -= SCRUB_PERIOD;
    }
  }
  if (!m->ndirty) m->scrub_credit = 0;
#ifndef FAKE_HANG
  if (m->busy && m->cycle >= m->done_at) {
    m->busy = false;
    m->irq = true;
    m->cpl_status = m->pend_status;
    memcpy(m->cpl_res, m->pend_res, sizeof m->cpl_res);
    m->cpl_seq++;
    if (m->reclaimer_due) reclaimer(m); /* before any later command */
  }
#endif
}

/* ------------------------------------------------------------------ commands */

static uint32_t check_handle(sgpu_sim *m, uint32_t h, proc_t **p) {
  uint32_t slot = h & 0xFFFFu, gen = h >> SGPU_HANDLE_GEN_SHIFT;
  if (slot >= FAKE_PROCS || m->procs[slot].state == SGPU_PROC_STATE_FREE ||
      m->procs[slot].gen != gen)
    return SGPU_STATUS_INVALID_HANDLE;
  if (m->procs[slot].state == SGPU_PROC_STATE_DYING) return SGPU_STATUS_PROCESS_IS_TERMINATING;
  *p = &m->procs[slot];
  return SGPU_STATUS_SUCCESS;
}

static bool mapped(const proc_t *p, uint64_t vpn) {
  uint32_t l1 = (uint32_t)(vpn >> (S - 2)), l2 = (uint32_t)(vpn & (E - 1));
  return p->leaf[l1] && p->leaf[l1][l2] != NONE;
}

static uint32_t range_check(uint32_t va, uint32_t pages) {
  uint64_t vpn = va >> S;
  if (va & ((1u << S) - 1) || pages == 0 || vpn + pages > VPN_LIMIT)
    return SGPU_STATUS_INVALID_PARAMETER;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_map(sgpu_sim *m, proc_t *p, uint32_t va, uint32_t pages, uint32_t *res) {
  uint32_t st = range_check(va, pages);
  if (st) return st;
  uint64_t vpn = va >> S, needed = pages;
  for (uint64_t v = vpn; v < vpn + pages; v++)
    if (mapped(p, v)) return SGPU_STATUS_CONFLICTING_ADDRESSES;
  for (uint64_t l1 = vpn >> (S - 2); l1 <= (vpn + pages - 1) >> (S - 2); l1++)
    if (!p->leaf[l1]) needed++;
  if (needed > (uint64_t)m->nclean + m->ndirty) return SGPU_STATUS_NO_MEMORY;
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    uint32_t l1 = (uint32_t)(v >> (S - 2)), l2 = (uint32_t)(v & (E - 1));
    if (!p->leaf[l1]) {
      p->leaf[l1] = malloc(E * sizeof(uint32_t));
      if (!p->leaf[l1]) abort();
      memset(p->leaf[l1], 0xFF, E * sizeof(uint32_t));
      p->leaf_frame[l1] = alloc_frame(m);
      p->pt_pages++;
      res[1]++;
    }
    p->leaf[l1][l2] = alloc_frame(m);
    p->leaf_count[l1]++;
    p->data_frames++;
  }
  res[0] = pages;
  return SGPU_STATUS_SUCCESS;
}

static void drop_leaf(sgpu_sim *m, proc_t *p, uint32_t l1) {
  free_frame(m, p->leaf_frame[l1]);
  free(p->leaf[l1]);
  p->leaf[l1] = NULL;
  p->leaf_frame[l1] = NONE;
  p->leaf_count[l1] = 0;
  p->pt_pages--;
}

static uint32_t cmd_unmap(sgpu_sim *m, proc_t *p, uint32_t va, uint32_t pages, uint32_t *res) {
  uint32_t st = range_check(va, pages);
  if (st) return st;
  uint64_t vpn = va >> S;
  for (uint64_t v = vpn; v < vpn + pages; v++)
    if (!mapped(p, v)) return SGPU_STATUS_NOT_MAPPED_VIEW;
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    uint32_t l1 = (uint32_t)(v >> (S - 2)), l2 = (uint32_t)(v & (E - 1));
    free_frame(m, p->leaf[l1][l2]);
    p->leaf[l1][l2] = NONE;
    p->data_frames--;
    if (--p->leaf_count[l1] == 0) {
      drop_leaf(m, p, l1);
      res[1]++;
    }
  }
  res[0] = pages;
  return SGPU_STATUS_SUCCESS;
}

static void release_queue(queue_t *q) { memset(q, 0, sizeof *q); }

/* Every frame of p onto the dirty list, every queue of its slot released. */
static uint32_t free_all(sgpu_sim *m, proc_t *p) {
  uint32_t slot = (uint32_t)(p - m->procs), nq = 0;
  for (uint32_t l1 = 0; l1 < E; l1++) {
    if (!p->leaf[l1]) continue;
    for (uint32_t l2 = 0; l2 < E; l2++)
      if (p->leaf[l1][l2] != NONE) free_frame(m, p->leaf[l1][l2]);
    drop_leaf(m, p, l1);
  }
  free_frame(m, p->root);
  p->data_frames = 0;
  p->pt_pages = 0;
  for (uint32_t q = 0; q < FAKE_QUEUES; q++)
    if (m->queues[q].live && m->queues[q].owner == slot) {
      release_queue(&m->queues[q]);
      nq++;
    }
  return nq;
}

static void release_slot(proc_t *p) {
  p->state = SGPU_PROC_STATE_FREE;
  p->gen = (p->gen + 1) & ((1u << SGPU_HANDLE_GEN_BITS) - 1);
  if (p->gen == 0) p->gen = 1;
  p->data_frames = p->pt_pages = p->queues = p->db_ignored = 0;
}

/* The background reclaimer of the last DEFERRED destroy: its frames onto the dirty list,
 * its queues released; the event comes when the scrubber has zeroed them. */
static void reclaimer(sgpu_sim *m) {
  m->reclaimer_due = false;
  reclaim_t *r = &m->reclaims[(m->rhead + m->nreclaims - 1) % FAKE_PROCS];
  uint32_t nq = free_all(m, &m->procs[r->slot]);
  r->moved = true;
  r->mark = m->pushed_total;
  r->dirty_at = m->cycle;
  m->td[TD_FREE] = 1;
  m->td[TD_RELEASE] = 1 + nq;
  reclaim_events(m);
}

static void reclaim_events(sgpu_sim *m) {
  while (m->nreclaims) {
    reclaim_t *r = &m->reclaims[m->rhead];
    if (!r->moved || m->scrubbed_total < r->mark) return;
    release_slot(&m->procs[r->slot]);
    m->reclaim_handle = r->handle;
    m->reclaim_cycles = (uint32_t)(m->cycle - r->doorbell_at);
    m->reclaim_frames = r->frames;
    m->td[TD_SCRUB] = (uint32_t)(m->cycle - r->dirty_at);
    m->reclaim_seq++;
    m->rhead = (m->rhead + 1) % FAKE_PROCS;
    m->nreclaims--;
  }
}

/* Returns the status; res as docs/semantics.md; *dur the cycles to the completion. */
static uint32_t cmd_destroy(sgpu_sim *m, proc_t *p, uint32_t policy, uint32_t *res,
                            uint64_t *dur) {
  if (policy > SGPU_POLICY_DEFERRED) return SGPU_STATUS_INVALID_PARAMETER;
  uint32_t slot = (uint32_t)(p - m->procs), nq = 0;
  for (uint32_t q = 0; q < FAKE_QUEUES; q++)
    if (m->queues[q].live && m->queues[q].owner == slot) {
      m->queues[q].stopped = true;
      nq++;
    }
  p->state = SGPU_PROC_STATE_DYING;
  res[1] = p->data_frames + p->pt_pages;
  res[2] = p->pt_pages;
  res[3] = nq;
  res[5] = p->db_ignored;
  m->td[TD_VALIDATE] = 2;
  m->td[TD_STOP_DRAIN] = 2 + 2 * nq;
  m->td[TD_TLB] = 4;
  m->td[TD_COMPLETE] = 1;
  uint32_t cycles = m->td[TD_VALIDATE] + m->td[TD_STOP_DRAIN] + m->td[TD_TLB] + m->td[TD_COMPLETE];
  if (policy == SGPU_POLICY_DEFERRED) {
    reclaim_t *r = &m->reclaims[(m->rhead + m->nreclaims++) % FAKE_PROCS];
    *r = (reclaim_t){.slot = slot, .handle = slot | p->gen << SGPU_HANDLE_GEN_SHIFT,
                     .frames = res[1], .doorbell_at = m->doorbell_at};
    m->reclaimer_due = true;
  } else {
    free_all(m, p);
    m->td[TD_FREE] = 1;
    m->td[TD_RELEASE] = 1 + nq;
    cycles += m->td[TD_FREE] + m->td[TD_RELEASE];
    release_slot(p);
  }
  res[0] = cycles;
  *dur = cycles;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t *word_at(sgpu_sim *m, proc_t *p, uint32_t va, uint32_t *st) {
  if (va % 4) {
    *st = SGPU_STATUS_INVALID_PARAMETER;
    return NULL;
  }
  uint64_t vpn = va >> S;
  if (!mapped(p, vpn)) {
    *st = SGPU_STATUS_ACCESS_VIOLATION;
    return NULL;
  }
  uint32_t f = p->leaf[vpn >> (S - 2)][vpn & (E - 1)];
  if (!m->data[f]) {
    m->data[f] = calloc(PAGE_WORDS, sizeof(uint32_t));
    if (!m->data[f]) abort();
  }
  *st = SGPU_STATUS_SUCCESS;
  return &m->data[f][(va & ((1u << S) - 1)) / 4];
}

/* Executes the command in CMD_*; returns the status, fills res and the work done (or the
 * duration, for DESTROY_PROCESS). */
static uint32_t execute(sgpu_sim *m, uint32_t *res, uint64_t *work, uint64_t *dur) {
  uint32_t op = (m->cmd_op >> SGPU_CMD_OP_OPCODE_LSB) & ((1u << SGPU_CMD_OP_OPCODE_BITS) - 1);
  uint32_t policy = (m->cmd_op >> SGPU_CMD_OP_POLICY_LSB) & ((1u << SGPU_CMD_OP_POLICY_BITS) - 1);
  uint32_t *a = m->args, st;
  proc_t *p = NULL;
  if (op == 0 || op > SGPU_OP_MAX) return SGPU_STATUS_INVALID_DEVICE_REQUEST;
  if (op == SGPU_OP_CREATE_PROCESS) {
    uint32_t slot = 0;
    while (slot < FAKE_PROCS && m->procs[slot].state != SGPU_PROC_STATE_FREE) slot++;
    if (slot == FAKE_PROCS) return SGPU_STATUS_INSUFFICIENT_RESOURCES;
    if (m->nclean + m->ndirty == 0) return SGPU_STATUS_NO_MEMORY;
    p = &m->procs[slot];
    p->state = SGPU_PROC_STATE_ACTIVE;
    p->root = alloc_frame(m);
    p->pt_pages = 1;
    res[0] = slot | p->gen << SGPU_HANDLE_GEN_SHIFT;
    res[1] = slot;
    res[2] = p->root;
    return SGPU_STATUS_SUCCESS;
  }
  if (op == SGPU_OP_QUERY && a[0] == 0xFFFFFFFFu) {
    uint32_t live_p = 0, live_q = 0;
    for (uint32_t i = 0; i < FAKE_PROCS; i++) live_p += m->procs[i].state != SGPU_PROC_STATE_FREE;
    for (uint32_t i = 0; i < FAKE_QUEUES; i++) live_q += m->queues[i].live;
    res[0] = m->nclean;
    res[1] = m->ndirty;
    res[2] = m->used;
    res[3] = live_p;
    res[4] = live_q;
    res[5] = m->db_ignored;
    return SGPU_STATUS_SUCCESS;
  }
  if ((st = check_handle(m, a[0], &p)) != SGPU_STATUS_SUCCESS) return st;
  uint32_t slot = (uint32_t)(p - m->procs);
  uint32_t *w;
  switch (op) {
  case SGPU_OP_DESTROY_PROCESS:
    return cmd_destroy(m, p, policy, res, dur);
  case SGPU_OP_MAP:
    *work = a[2];
    return cmd_map(m, p, a[1], a[2], res);
  case SGPU_OP_UNMAP:
    *work = a[2];
    return cmd_unmap(m, p, a[1], a[2], res);
  case SGPU_OP_CREATE_QUEUE: {
    if (a[1] % 16 || a[2] < 1 || a[2] > 15) return SGPU_STATUS_INVALID_PARAMETER;
    uint32_t q = 0;
    while (q < FAKE_QUEUES && m->queues[q].live) q++;
    if (q == FAKE_QUEUES) return SGPU_STATUS_INSUFFICIENT_RESOURCES;
    m->queues[q] = (queue_t){.live = true, .owner = slot, .ring = (a[1] & ~0xFu) | a[2]};
    p->queues++;
    res[0] = q;
    return SGPU_STATUS_SUCCESS;
  }
  case SGPU_OP_DESTROY_QUEUE:
    if (a[1] >= FAKE_QUEUES || !m->queues[a[1]].live || m->queues[a[1]].owner != slot)
      return SGPU_STATUS_INVALID_PARAMETER;
    release_queue(&m->queues[a[1]]);
    p->queues--;
    return SGPU_STATUS_SUCCESS;
  case SGPU_OP_QUERY:
    res[0] = p->state;
    res[1] = slot;
    res[2] = p->data_frames;
    res[3] = p->pt_pages;
    res[4] = p->queues;
    res[5] = p->db_ignored;
    return SGPU_STATUS_SUCCESS;
  case SGPU_OP_MEM_READ:
    if ((w = word_at(m, p, a[1], &st))) res[0] = *w;
    return st;
  case SGPU_OP_MEM_WRITE:
    if ((w = word_at(m, p, a[1], &st))) *w = a[2];
    return st;
  default:
    return SGPU_STATUS_INVALID_DEVICE_REQUEST;
  }
}

static void doorbell(sgpu_sim *m) {
  if (m->busy) {
    m->admin_dropped++;
    return;
  }
  uint64_t work = 0, dur = 0;
  memset(m->pend_res, 0, sizeof m->pend_res);
  m->doorbell_at = m->cycle;
  m->pend_status = execute(m, m->pend_res, &work, &dur);
  m->busy = true;
  m->done_at = m->cycle + (dur ? dur : 8 + 2 * work);
}

static void queue_doorbell(sgpu_sim *m, uint32_t q, uint32_t v) {
  queue_t *qs = &m->queues[q];
  if (qs->live && !qs->stopped && m->procs[qs->owner].state == SGPU_PROC_STATE_ACTIVE) {
    qs->wptr = v;
    return;
  }
  m->db_ignored++;
  if (qs->live) {
    qs->ignored++;
    m->procs[qs->owner].db_ignored++;
  }
}

/* ------------------------------------------------------------------ the ABI */

EXPORT sgpu_sim *sgpu_sim_create(const char *trace_path) {
  (void)trace_path;
  sgpu_sim *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  for (uint32_t i = 0; i < FAKE_FRAMES; i++) m->clean[i] = FAKE_FRAMES - 1 - i;
  m->nclean = FAKE_FRAMES;
  for (uint32_t i = 0; i < FAKE_PROCS; i++) {
    proc_t *p = &m->procs[i];
    p->gen = 1;
    p->leaf_frame = malloc(E * sizeof *p->leaf_frame);
    p->leaf = calloc(E, sizeof *p->leaf);
    p->leaf_count = calloc(E, sizeof *p->leaf_count);
    if (!p->leaf_frame || !p->leaf || !p->leaf_count) abort();
    memset(p->leaf_frame, 0xFF, E * sizeof *p->leaf_frame);
  }
  const char *fail = getenv("SGPU_MODEL_FAIL_READS");
  for (char *end; fail && *fail && m->nfail_reads < 16; fail = *end ? end + 1 : end) {
    m->fail_reads[m->nfail_reads++] = (uint32_t)strtoul(fail, &end, 0);
    if (end == fail) break;
  }
  advance(m, 4); /* reset */
  return m;
}

EXPORT void sgpu_sim_destroy(sgpu_sim *m) {
  if (!m) return;
  for (uint32_t i = 0; i < FAKE_PROCS; i++) {
    for (uint32_t l1 = 0; l1 < E; l1++) free(m->procs[i].leaf[l1]);
    free(m->procs[i].leaf);
    free(m->procs[i].leaf_frame);
    free(m->procs[i].leaf_count);
  }
  for (uint32_t f = 0; f < FAKE_FRAMES; f++) free(m->data[f]);
  free(m);
}

EXPORT uint32_t sgpu_sim_abi_version(void) { return FAKE_ABI; }

EXPORT int sgpu_sim_read32(sgpu_sim *m, uint32_t addr, uint32_t *data, uint32_t max_cycles) {
  (void)max_cycles;
  advance(m, BUS_CYCLES);
  for (uint32_t i = 0; i < m->nfail_reads; i++)
    if (m->fail_reads[i] == addr) return -1;
  uint32_t v = 0;
  if (addr >= SGPU_QUEUE_BASE && addr < SGPU_QUEUE_BASE + FAKE_QUEUES * SGPU_QUEUE_STRIDE) {
    const queue_t *q = &m->queues[(addr - SGPU_QUEUE_BASE) / SGPU_QUEUE_STRIDE];
    switch ((addr - SGPU_QUEUE_BASE) % SGPU_QUEUE_STRIDE) {
    case SGPU_QREG_QDB: v = q->wptr; break;
    case SGPU_QREG_QSTATE:
      v = (uint32_t)q->live << SGPU_QSTATE_LIVE_LSB | (uint32_t)q->stopped << SGPU_QSTATE_STOPPED_LSB |
          (q->live ? q->owner << SGPU_QSTATE_OWNER_LSB : 0);
      break;
    case SGPU_QREG_QIGNORED: v = q->ignored; break;
    case SGPU_QREG_QRING: v = q->ring; break;
    }
    *data = v;
    return 0;
  }
  switch (addr) {
  case SGPU_REG_ID: v = FAKE_MAGIC; break;
  case SGPU_REG_VERSION: v = SGPU_VERSION; break;
  case SGPU_REG_CAPS0:
    v = FAKE_PROCS << SGPU_CAPS0_NUM_PROCS_LSB | FAKE_QUEUES << SGPU_CAPS0_NUM_QUEUES_LSB |
        0u << SGPU_CAPS0_TLB_ENTRIES_LSB | (uint32_t)S << SGPU_CAPS0_PAGE_SHIFT_LSB;
    break;
  case SGPU_REG_CAPS1: v = FAKE_FRAMES; break;
  case SGPU_REG_CMD_OP: v = m->cmd_op; break;
  case SGPU_REG_CMD_ARG0: v = m->args[0]; break;
  case SGPU_REG_CMD_ARG1: v = m->args[1]; break;
  case SGPU_REG_CMD_ARG2: v = m->args[2]; break;
  case SGPU_REG_CMD_ARG3: v = m->args[3]; break;
  case SGPU_REG_ADMIN_STATUS:
    v = (uint32_t)m->busy << SGPU_ADMIN_STATUS_BUSY_LSB | (uint32_t)m->irq << SGPU_ADMIN_STATUS_IRQ_LSB;
    break;
  case SGPU_REG_CPL_STATUS: v = m->cpl_status; break;
  case SGPU_REG_CPL_SEQ: v = m->cpl_seq; break;
  case SGPU_REG_CPL_RES0: v = m->cpl_res[0]; break;
  case SGPU_REG_CPL_RES1: v = m->cpl_res[1]; break;
  case SGPU_REG_CPL_RES2: v = m->cpl_res[2]; break;
  case SGPU_REG_CPL_RES3: v = m->cpl_res[3]; break;
  case SGPU_REG_CPL_RES4: v = m->cpl_res[4]; break;
  case SGPU_REG_CPL_RES5: v = m->cpl_res[5]; break;
  case SGPU_REG_ADMIN_DROPPED: v = m->admin_dropped; break;
  case SGPU_REG_FRAMES_CLEAN: v = m->nclean; break;
  case SGPU_REG_FRAMES_DIRTY: v = m->ndirty; break;
  case SGPU_REG_FRAMES_USED: v = m->used; break;
  case SGPU_REG_DB_IGNORED: v = m->db_ignored; break;
  case SGPU_REG_SCRUB_CYCLES: v = m->scrub_cycles; break;
  case SGPU_REG_CYCLE_LO:
    v = (uint32_t)m->cycle;
    m->cycle_hi_latch = (uint32_t)(m->cycle >> 32);
    break;
  case SGPU_REG_CYCLE_HI: v = m->cycle_hi_latch; break;
  case SGPU_REG_TD_VALIDATE: v = m->td[TD_VALIDATE]; break;
  case SGPU_REG_TD_STOP_DRAIN: v = m->td[TD_STOP_DRAIN]; break;
  case SGPU_REG_TD_TLB: v = m->td[TD_TLB]; break;
  case SGPU_REG_TD_FREE: v = m->td[TD_FREE]; break;
  case SGPU_REG_TD_RELEASE: v = m->td[TD_RELEASE]; break;
  case SGPU_REG_TD_COMPLETE: v = m->td[TD_COMPLETE]; break;
  case SGPU_REG_TD_SCRUB: v = m->td[TD_SCRUB]; break;
  case SGPU_REG_RECLAIM_SEQ: v = m->reclaim_seq; break;
  case SGPU_REG_RECLAIM_HANDLE: v = m->reclaim_handle; break;
  case SGPU_REG_RECLAIM_CYCLES: v = m->reclaim_cycles; break;
  case SGPU_REG_RECLAIM_FRAMES: v = m->reclaim_frames; break;
  case SGPU_REG_RECLAIM_PENDING:
    for (uint32_t i = 0; i < FAKE_PROCS; i++) v += m->procs[i].state == SGPU_PROC_STATE_DYING;
    break;
  }
  *data = v;
  return 0;
}

EXPORT int sgpu_sim_write32(sgpu_sim *m, uint32_t addr, uint32_t data, uint32_t max_cycles) {
  (void)max_cycles;
  advance(m, BUS_CYCLES);
  if (addr >= SGPU_QUEUE_BASE && addr < SGPU_QUEUE_BASE + FAKE_QUEUES * SGPU_QUEUE_STRIDE) {
    if ((addr - SGPU_QUEUE_BASE) % SGPU_QUEUE_STRIDE == SGPU_QREG_QDB)
      queue_doorbell(m, (addr - SGPU_QUEUE_BASE) / SGPU_QUEUE_STRIDE, data);
    return 0;
  }
  switch (addr) {
  case SGPU_REG_CMD_OP: m->cmd_op = data; break;
  case SGPU_REG_CMD_ARG0: m->args[0] = data; break;
  case SGPU_REG_CMD_ARG1: m->args[1] = data; break;
  case SGPU_REG_CMD_ARG2: m->args[2] = data; break;
  case SGPU_REG_CMD_ARG3: m->args[3] = data; break;
  case SGPU_REG_ADMIN_DOORBELL: doorbell(m); break;
  case SGPU_REG_IRQ_ACK:
    if (data & 1u) m->irq = false;
    break;
  }
  return 0;
}

#ifndef FAKE_NO_STEP
EXPORT void sgpu_sim_step(sgpu_sim *m, uint64_t n) { advance(m, n); }
#endif

EXPORT uint64_t sgpu_sim_cycles(sgpu_sim *m) { return m->cycle; }

EXPORT const char *sgpu_sim_config(void) { return FAKE_CONFIG; }
