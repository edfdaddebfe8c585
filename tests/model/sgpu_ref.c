/* sgpu_ref.c - the command-level reference model; see sgpu_ref.h and docs/semantics.md.
 *
 * Layout: frames (three-state array plus a clean stack and a dirty FIFO: the scrubber, and an
 * allocation that finds no clean frame, take the oldest dirty frame, so the reclaim events of
 * DEFERRED destroys come in destroy order), pending reclaims (a FIFO of DYING slots, each with
 * the dirty-FIFO position of its last frame), process slots
 * (each with an E-entry root of leaf pointers; a leaf holds E page entries and its valid
 * count), queue slots. Every command first validates (opcode, handle, fields, conflicts and
 * resources, in the order of docs/semantics.md) without touching state, then applies.
 */
#include "sgpu_ref.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_regs.h"

#define FIELD(name, v) (((uint32_t)(v) & ((1u << name##_BITS) - 1u)) << name##_LSB)
#define GEN_MASK ((1u << SGPU_HANDLE_GEN_BITS) - 1u)
/* The core's limits (sgpu_core's elaboration checks), from the map: CAPS0.NUM_PROCS holds the
 * slot count; queue ids are 0..QUEUE_SLOTS-1 with 0xFF meaning "no queue". */
#define REF_MAX_PROCS ((1u << SGPU_CAPS0_NUM_PROCS_BITS) - 1u)
#define REF_MAX_QUEUES (SGPU_QUEUE_SLOTS - 2u)

enum { FRAME_CLEAN, FRAME_DIRTY, FRAME_USED };

typedef struct {
  uint32_t frame;
  bool valid;
  uint32_t *data; /* E words, NULL while the page reads all zero */
} ref_page;

typedef struct {
  uint32_t frame;
  uint32_t count; /* valid entries */
  ref_page *pages; /* E entries */
} ref_leaf;

typedef struct {
  uint32_t state; /* SGPU_PROC_STATE_* */
  uint32_t gen;
  uint32_t root_frame;
  uint32_t data_frames, pt_pages, queues, db_ignored;
  ref_leaf **leaves; /* E entries, allocated while the slot is not FREE */
} ref_proc;

typedef struct {
  bool live, stopped;
  uint32_t owner, ring, ignored; /* QDB is write-only: the pointer is not kept */
} ref_queue;

struct sgpu_ref {
  ref_params p;
  uint32_t e;          /* entries per table: 2^(S-2) */
  uint32_t l2_bits;    /* S-2 */
  uint64_t vpn_limit;  /* 2^(2(S-2)) */
  uint8_t *frame_state;
  uint32_t *clean, nclean; /* stack of clean frames */
  uint32_t *dirty, dhead, ndirty; /* FIFO of dirty frames (ring of F) */
  uint64_t dirty_pushed, dirty_popped; /* frames ever queued / taken off the dirty FIFO */
  uint32_t used;
  /* DEFERRED destroys whose reclaim event has not been posted (ring of P, oldest first) */
  struct {
    uint32_t slot, handle, frames;
    uint64_t mark; /* dirty_pushed after its frames were queued */
  } *pend;
  uint32_t phead, npend;
  uint32_t reclaim_seq, reclaim_handle, reclaim_frames;
  uint32_t db_ignored;
  ref_proc *procs;
  ref_queue *queues;
  uint32_t *window; /* the data window, data_words words */
};

/* ------------------------------------------------------------------ frames */

static void post_reclaims(sgpu_ref *r);

/* Take the oldest dirty frame off the FIFO (the scrubber zeroes it). */
static uint32_t dirty_pop(sgpu_ref *r) {
  uint32_t f = r->dirty[r->dhead];
  r->dhead = (r->dhead + 1) % r->p.frames;
  r->ndirty--;
  r->dirty_popped++;
  return f;
}

static uint32_t frame_alloc(sgpu_ref *r) {
  uint32_t f;
  if (r->nclean > 0) {
    f = r->clean[--r->nclean];
  } else {
    /* The device waits for its scrubber here; the model scrubs the oldest dirty frame itself
     * (which may complete a pending reclaim: the device's scrubber would have got there too). */
    if (r->ndirty == 0) abort(); /* callers check clean + dirty first */
    f = dirty_pop(r);
    post_reclaims(r);
  }
  r->frame_state[f] = FRAME_USED;
  r->used++;
  return f;
}

static void frame_free(sgpu_ref *r, uint32_t f) {
  if (r->frame_state[f] != FRAME_USED) abort();
  r->frame_state[f] = FRAME_DIRTY;
  r->dirty[(r->dhead + r->ndirty) % r->p.frames] = f;
  r->ndirty++;
  r->dirty_pushed++;
  r->used--;
}

static uint32_t frames_free(const sgpu_ref *r) { return r->nclean + r->ndirty; }

/* Post the reclaim event of every pending DEFERRED destroy (oldest first) whose frames have
 * all left the dirty FIFO: its slot becomes FREE with gen + 1. */
static void post_reclaims(sgpu_ref *r) {
  while (r->npend > 0 && r->pend[r->phead].mark <= r->dirty_popped) {
    ref_proc *pr = &r->procs[r->pend[r->phead].slot];
    if (pr->state != SGPU_PROC_STATE_DYING) abort();
    pr->state = SGPU_PROC_STATE_FREE;
    pr->gen = (pr->gen + 1) & GEN_MASK;
    if (pr->gen == 0) pr->gen = 1;
    r->reclaim_seq++;
    r->reclaim_handle = r->pend[r->phead].handle;
    r->reclaim_frames = r->pend[r->phead].frames;
    r->phead = (r->phead + 1) % r->p.procs;
    r->npend--;
  }
}

uint32_t ref_scrub(sgpu_ref *r, uint32_t n) {
  uint32_t done = 0;
  while (done < n && r->ndirty > 0) {
    uint32_t f = dirty_pop(r);
    r->frame_state[f] = FRAME_CLEAN;
    r->clean[r->nclean++] = f;
    done++;
  }
  post_reclaims(r);
  return done;
}

void ref_scrub_all(sgpu_ref *r) { ref_scrub(r, r->ndirty); }

uint32_t ref_reclaim_upto(sgpu_ref *r, uint32_t n) {
  while ((int32_t)(r->reclaim_seq - n) < 0 && r->npend > 0) {
    uint64_t need = r->pend[r->phead].mark - r->dirty_popped; /* > 0, else already posted */
    ref_scrub(r, (uint32_t)need);
  }
  return r->reclaim_seq;
}

uint32_t ref_reclaim_pending(const sgpu_ref *r) { return r->npend; }

uint64_t ref_frames_freed_total(const sgpu_ref *r) { return r->dirty_pushed; }

uint64_t ref_frames_scrubbed(const sgpu_ref *r) { return r->dirty_popped; }

uint32_t ref_pending_handle(const sgpu_ref *r, uint32_t i) {
  return i < r->npend ? r->pend[(r->phead + i) % r->p.procs].handle : 0;
}

/* ------------------------------------------------------------------ create/destroy */

sgpu_ref *ref_create(const ref_params *p) {
  if (!p || p->procs < 1 || p->procs > REF_MAX_PROCS || p->queues < 1 ||
      p->queues > REF_MAX_QUEUES || p->frames < 1 || p->frames > (1u << SGPU_PTE_FRAME_BITS) ||
      p->page_shift < 3 || p->page_shift > SGPU_PTE_COUNT_BITS + 1 ||
      p->tlb_entries > (1u << SGPU_CAPS0_TLB_ENTRIES_BITS) - 1 || p->data_words < 2 ||
      p->data_words > SGPU_DATA_SIZE / 4 || (p->data_words & (p->data_words - 1)))
    return NULL;
  sgpu_ref *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->p = *p;
  r->l2_bits = p->page_shift - 2;
  r->e = 1u << r->l2_bits;
  r->vpn_limit = 1ull << (2 * r->l2_bits);
  r->frame_state = calloc(p->frames, 1);
  r->clean = malloc(sizeof(uint32_t) * p->frames);
  r->dirty = malloc(sizeof(uint32_t) * p->frames);
  r->procs = calloc(p->procs, sizeof *r->procs);
  r->queues = calloc(p->queues, sizeof *r->queues);
  r->pend = calloc(p->procs, sizeof *r->pend);
  r->window = calloc(p->data_words, sizeof *r->window); /* zero, like the simulated RTL */
  if (!r->frame_state || !r->clean || !r->dirty || !r->procs || !r->queues || !r->pend ||
      !r->window) {
    ref_destroy(r);
    return NULL;
  }
  /* Every frame clean at reset; pops hand out 0, 1, 2, ... */
  for (uint32_t i = 0; i < p->frames; i++) r->clean[i] = p->frames - 1 - i;
  r->nclean = p->frames;
  for (uint32_t s = 0; s < p->procs; s++) r->procs[s].gen = 1;
  return r;
}

static void free_leaf(ref_leaf *l, uint32_t e) {
  if (!l) return;
  for (uint32_t i = 0; i < e; i++) free(l->pages[i].data);
  free(l->pages);
  free(l);
}

void ref_destroy(sgpu_ref *r) {
  if (!r) return;
  if (r->procs) {
    for (uint32_t s = 0; s < r->p.procs; s++) {
      ref_proc *pr = &r->procs[s];
      if (!pr->leaves) continue;
      for (uint32_t i = 0; i < r->e; i++) free_leaf(pr->leaves[i], r->e);
      free(pr->leaves);
    }
  }
  free(r->procs);
  free(r->queues);
  free(r->pend);
  free(r->window);
  free(r->frame_state);
  free(r->clean);
  free(r->dirty);
  free(r);
}

const ref_params *ref_get_params(const sgpu_ref *r) { return &r->p; }

/* ------------------------------------------------------------------ helpers */

/* Step 2 of the checks: the handle names a live process. */
static uint32_t check_handle(const sgpu_ref *r, uint32_t h, ref_proc **out) {
  uint32_t slot = SGPU_HANDLE_SLOT(h), gen = SGPU_HANDLE_GEN(h);
  if (slot >= r->p.procs) return SGPU_STATUS_INVALID_HANDLE;
  ref_proc *pr = &r->procs[slot];
  if (pr->state == SGPU_PROC_STATE_FREE || gen != pr->gen) return SGPU_STATUS_INVALID_HANDLE;
  if (pr->state == SGPU_PROC_STATE_DYING) return SGPU_STATUS_PROCESS_IS_TERMINATING;
  *out = pr;
  return SGPU_STATUS_SUCCESS;
}

static ref_page *lookup(const sgpu_ref *r, const ref_proc *pr, uint64_t vpn) {
  if (vpn >= r->vpn_limit) return NULL;
  ref_leaf *l = pr->leaves[vpn >> r->l2_bits];
  if (!l) return NULL;
  ref_page *pg = &l->pages[vpn & (r->e - 1)];
  return pg->valid ? pg : NULL;
}

/* Field checks shared by MAP and UNMAP. */
static bool range_ok(const sgpu_ref *r, uint32_t va, uint32_t pages) {
  uint32_t pmask = (1u << r->p.page_shift) - 1u;
  if ((va & pmask) != 0 || pages == 0) return false;
  uint64_t vpn = va >> r->p.page_shift;
  return vpn + pages <= r->vpn_limit;
}

/* Count mapped pages in [vpn, vpn+pages) (stops at the first one if first_only). */
static uint64_t count_mapped(const sgpu_ref *r, const ref_proc *pr, uint64_t vpn,
                             uint64_t pages, bool first_only) {
  uint64_t end = vpn + pages, n = 0;
  while (vpn < end) {
    uint64_t l1 = vpn >> r->l2_bits;
    uint64_t l1_end = (l1 + 1) << r->l2_bits;
    uint64_t stop = end < l1_end ? end : l1_end;
    const ref_leaf *l = pr->leaves[l1];
    if (l && l->count > 0) {
      for (uint64_t v = vpn; v < stop; v++) {
        if (l->pages[v & (r->e - 1)].valid) {
          n++;
          if (first_only) return n;
        }
      }
    }
    vpn = stop;
  }
  return n;
}

static uint32_t missing_leaves(const sgpu_ref *r, const ref_proc *pr, uint64_t vpn,
                               uint64_t pages) {
  uint64_t first = vpn >> r->l2_bits, last = (vpn + pages - 1) >> r->l2_bits;
  uint32_t n = 0;
  for (uint64_t l1 = first; l1 <= last; l1++)
    if (!pr->leaves[l1]) n++;
  return n;
}

/* Release everything a process owns; returns data frames and table pages freed. */
static void teardown(sgpu_ref *r, uint32_t slot, uint32_t *data_freed, uint32_t *pt_freed,
                     uint32_t *queues_freed) {
  ref_proc *pr = &r->procs[slot];
  uint32_t d = 0, t = 0, q = 0;
  for (uint32_t i = 0; i < r->e; i++) {
    ref_leaf *l = pr->leaves[i];
    if (!l) continue;
    for (uint32_t j = 0; j < r->e; j++) {
      if (!l->pages[j].valid) continue;
      frame_free(r, l->pages[j].frame);
      d++;
    }
    frame_free(r, l->frame);
    t++;
    free_leaf(l, r->e);
    pr->leaves[i] = NULL;
  }
  frame_free(r, pr->root_frame);
  t++;
  for (uint32_t i = 0; i < r->p.queues; i++) {
    if (r->queues[i].live && r->queues[i].owner == slot) {
      memset(&r->queues[i], 0, sizeof r->queues[i]);
      q++;
    }
  }
  *data_freed = d;
  *pt_freed = t;
  *queues_freed = q;
}

/* ------------------------------------------------------------------ commands */

static uint32_t cmd_create_process(sgpu_ref *r, uint32_t *res) {
  uint32_t slot;
  for (slot = 0; slot < r->p.procs; slot++)
    if (r->procs[slot].state == SGPU_PROC_STATE_FREE) break;
  if (slot == r->p.procs) return SGPU_STATUS_INSUFFICIENT_RESOURCES;
  if (frames_free(r) == 0) return SGPU_STATUS_NO_MEMORY;
  ref_proc *pr = &r->procs[slot];
  ref_leaf **leaves = calloc(r->e, sizeof *leaves);
  if (!leaves) abort();
  pr->leaves = leaves;
  pr->root_frame = frame_alloc(r);
  pr->state = SGPU_PROC_STATE_ACTIVE;
  pr->data_frames = 0;
  pr->pt_pages = 1;
  pr->queues = 0;
  pr->db_ignored = 0;
  res[0] = SGPU_HANDLE_MAKE(slot, pr->gen);
  res[1] = slot;
  res[2] = pr->root_frame;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_destroy_process(sgpu_ref *r, uint32_t policy, const uint32_t *a,
                                    uint32_t *res) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  if (policy != SGPU_POLICY_DEFAULT && policy != SGPU_POLICY_EAGER &&
      policy != SGPU_POLICY_DEFERRED)
    return SGPU_STATUS_INVALID_PARAMETER;
  uint32_t slot = SGPU_HANDLE_SLOT(a[0]), d, t, q;
  teardown(r, slot, &d, &t, &q);
  res[0] = 0; /* cycles: the model has no time */
  res[1] = d + t;
  res[2] = t;
  res[3] = q;
  res[4] = 0; /* work_aborted: no engines yet */
  res[5] = pr->db_ignored;
  free(pr->leaves);
  pr->leaves = NULL;
  pr->data_frames = pr->pt_pages = pr->queues = pr->db_ignored = 0;
  if (policy == SGPU_POLICY_DEFERRED) {
    /* Completion now; the reclaimer has already queued the frames and released the queues
     * (it runs before the next command). The slot stays DYING until the scrubber has zeroed
     * every one of those frames (post_reclaims). */
    pr->state = SGPU_PROC_STATE_DYING;
    uint32_t i = (r->phead + r->npend) % r->p.procs;
    r->pend[i].slot = slot;
    r->pend[i].handle = a[0];
    r->pend[i].frames = d + t;
    r->pend[i].mark = r->dirty_pushed;
    r->npend++;
    return SGPU_STATUS_SUCCESS;
  }
  pr->state = SGPU_PROC_STATE_FREE;
  pr->gen = (pr->gen + 1) & GEN_MASK;
  if (pr->gen == 0) pr->gen = 1;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_map(sgpu_ref *r, const uint32_t *a, uint32_t *res) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  uint32_t va = a[1], pages = a[2];
  if (!range_ok(r, va, pages)) return SGPU_STATUS_INVALID_PARAMETER;
  uint64_t vpn = va >> r->p.page_shift;
  if (count_mapped(r, pr, vpn, pages, true)) return SGPU_STATUS_CONFLICTING_ADDRESSES;
  uint32_t leaves = missing_leaves(r, pr, vpn, pages);
  if ((uint64_t)pages + leaves > frames_free(r)) return SGPU_STATUS_NO_MEMORY;
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    ref_leaf **lp = &pr->leaves[v >> r->l2_bits];
    if (!*lp) {
      ref_leaf *l = calloc(1, sizeof *l);
      if (!l || !(l->pages = calloc(r->e, sizeof *l->pages))) abort();
      l->frame = frame_alloc(r);
      *lp = l;
      pr->pt_pages++;
    }
    ref_page *pg = &(*lp)->pages[v & (r->e - 1)];
    pg->valid = true;
    pg->frame = frame_alloc(r);
    pg->data = NULL;
    (*lp)->count++;
    pr->data_frames++;
  }
  res[0] = pages;
  res[1] = leaves;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_unmap(sgpu_ref *r, const uint32_t *a, uint32_t *res) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  uint32_t va = a[1], pages = a[2];
  if (!range_ok(r, va, pages)) return SGPU_STATUS_INVALID_PARAMETER;
  uint64_t vpn = va >> r->p.page_shift;
  if (count_mapped(r, pr, vpn, pages, false) != pages) return SGPU_STATUS_NOT_MAPPED_VIEW;
  uint32_t leaves_freed = 0;
  for (uint64_t v = vpn; v < vpn + pages; v++) {
    ref_leaf **lp = &pr->leaves[v >> r->l2_bits];
    ref_page *pg = &(*lp)->pages[v & (r->e - 1)];
    pg->valid = false;
    free(pg->data);
    pg->data = NULL;
    frame_free(r, pg->frame);
    pr->data_frames--;
    if (--(*lp)->count == 0) {
      frame_free(r, (*lp)->frame);
      free_leaf(*lp, r->e);
      *lp = NULL;
      pr->pt_pages--;
      leaves_freed++;
    }
  }
  res[0] = pages;
  res[1] = leaves_freed;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_create_queue(sgpu_ref *r, const uint32_t *a, uint32_t *res) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  uint32_t ring_va = a[1], ring_log2 = a[2];
  if (ring_va & ((1u << SGPU_QRING_BASE_LSB) - 1u) || ring_log2 < 1 ||
      ring_log2 > (1u << SGPU_QRING_LOG2_BITS) - 1u)
    return SGPU_STATUS_INVALID_PARAMETER;
  uint32_t q;
  for (q = 0; q < r->p.queues; q++)
    if (!r->queues[q].live) break;
  if (q == r->p.queues) return SGPU_STATUS_INSUFFICIENT_RESOURCES;
  ref_queue *qs = &r->queues[q];
  memset(qs, 0, sizeof *qs);
  qs->live = true;
  qs->owner = SGPU_HANDLE_SLOT(a[0]);
  qs->ring = ring_va | ring_log2 << SGPU_QRING_LOG2_LSB; /* QRING: BASE keeps its bits */
  pr->queues++;
  res[0] = q;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_destroy_queue(sgpu_ref *r, const uint32_t *a) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  uint32_t q = a[1];
  if (q >= r->p.queues || !r->queues[q].live || r->queues[q].owner != SGPU_HANDLE_SLOT(a[0]))
    return SGPU_STATUS_INVALID_PARAMETER;
  memset(&r->queues[q], 0, sizeof r->queues[q]);
  pr->queues--;
  return SGPU_STATUS_SUCCESS;
}

static uint32_t cmd_query(sgpu_ref *r, const uint32_t *a, uint32_t *res) {
  if (a[0] == SGPU_HANDLE_DEVICE) {
    uint32_t live_p = 0, live_q = 0;
    for (uint32_t s = 0; s < r->p.procs; s++)
      if (r->procs[s].state != SGPU_PROC_STATE_FREE) live_p++;
    for (uint32_t q = 0; q < r->p.queues; q++)
      if (r->queues[q].live) live_q++;
    res[0] = r->nclean;
    res[1] = r->ndirty;
    res[2] = r->used;
    res[3] = live_p;
    res[4] = live_q;
    res[5] = r->db_ignored;
    return SGPU_STATUS_SUCCESS;
  }
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  res[0] = pr->state;
  res[1] = SGPU_HANDLE_SLOT(a[0]);
  res[2] = pr->data_frames;
  res[3] = pr->pt_pages;
  res[4] = pr->queues;
  res[5] = pr->db_ignored;
  return SGPU_STATUS_SUCCESS;
}

/* MEM_READ / MEM_WRITE(handle, va, words): window word i <-> va + 4 i. */
static uint32_t cmd_mem(sgpu_ref *r, bool write, const uint32_t *a, uint32_t *res) {
  ref_proc *pr;
  uint32_t st = check_handle(r, a[0], &pr);
  if (st) return st;
  uint32_t va = a[1], n = a[2];
  if (va % 4 != 0 || n == 0 || n > r->p.data_words || (uint64_t)va + 4ull * n > 1ull << 32)
    return SGPU_STATUS_INVALID_PARAMETER;
  /* Every page first (nothing moves unless all are mapped); a page beyond the virtual space
   * cannot be mapped: a translation fault like any other. */
  uint64_t first = va >> r->p.page_shift, last = ((uint64_t)va + 4ull * n - 1) >> r->p.page_shift;
  for (uint64_t v = first; v <= last; v++)
    if (!lookup(r, pr, v)) return SGPU_STATUS_ACCESS_VIOLATION;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t addr = va + 4u * i;
    ref_page *pg = lookup(r, pr, addr >> r->p.page_shift);
    uint32_t word = (addr & ((1u << r->p.page_shift) - 1u)) >> 2;
    if (!write) {
      r->window[i] = pg->data ? pg->data[word] : 0;
      continue;
    }
    if (!pg->data) {
      if (r->window[i] == 0) continue;
      pg->data = calloc(r->e, sizeof(uint32_t));
      if (!pg->data) abort();
    }
    pg->data[word] = r->window[i];
  }
  res[0] = n;
  return SGPU_STATUS_SUCCESS;
}

uint32_t ref_exec(sgpu_ref *r, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                  uint32_t results[6]) {
  uint32_t res[6] = {0};
  uint32_t st;
  switch (opcode) {
  case SGPU_OP_CREATE_PROCESS: st = cmd_create_process(r, res); break;
  case SGPU_OP_DESTROY_PROCESS: st = cmd_destroy_process(r, policy, args, res); break;
  case SGPU_OP_MAP: st = cmd_map(r, args, res); break;
  case SGPU_OP_UNMAP: st = cmd_unmap(r, args, res); break;
  case SGPU_OP_CREATE_QUEUE: st = cmd_create_queue(r, args, res); break;
  case SGPU_OP_DESTROY_QUEUE: st = cmd_destroy_queue(r, args); break;
  case SGPU_OP_QUERY: st = cmd_query(r, args, res); break;
  case SGPU_OP_MEM_READ: st = cmd_mem(r, false, args, res); break;
  case SGPU_OP_MEM_WRITE: st = cmd_mem(r, true, args, res); break;
  default: st = SGPU_STATUS_INVALID_DEVICE_REQUEST; break;
  }
  if (st != SGPU_STATUS_SUCCESS) memset(res, 0, sizeof res);
  memcpy(results, res, sizeof res);
  return st;
}

/* ------------------------------------------------------------------ registers */

void ref_doorbell(sgpu_ref *r, uint32_t q, uint32_t wptr) {
  (void)wptr; /* QDB is write-only: an accepted pointer goes to the engines, not the model */
  if (q >= r->p.queues) { /* no such slot, but inside the queue window: counted */
    r->db_ignored++;
    return;
  }
  ref_queue *qs = &r->queues[q];
  if (qs->live && !qs->stopped && r->procs[qs->owner].state == SGPU_PROC_STATE_ACTIVE)
    return; /* accepted: the pointer goes to the engines (QDB is write-only, reads 0) */
  r->db_ignored++;
  if (qs->live) {
    qs->ignored++;
    r->procs[qs->owner].db_ignored++;
  }
}

uint32_t ref_reg_read(const sgpu_ref *r, uint32_t addr) {
  switch (addr) {
  case SGPU_REG_ID: return SGPU_MAGIC;
  case SGPU_REG_VERSION: return SGPU_VERSION;
  case SGPU_REG_CAPS0:
    return FIELD(SGPU_CAPS0_NUM_PROCS, r->p.procs) | FIELD(SGPU_CAPS0_NUM_QUEUES, r->p.queues) |
           FIELD(SGPU_CAPS0_TLB_ENTRIES, r->p.tlb_entries) |
           FIELD(SGPU_CAPS0_PAGE_SHIFT, r->p.page_shift);
  case SGPU_REG_CAPS1: return r->p.frames;
  case SGPU_REG_CAPS2: return FIELD(SGPU_CAPS2_DATA_WORDS, r->p.data_words);
  case SGPU_REG_FRAMES_CLEAN: return r->nclean;
  case SGPU_REG_FRAMES_DIRTY: return r->ndirty;
  case SGPU_REG_FRAMES_USED: return r->used;
  case SGPU_REG_DB_IGNORED: return r->db_ignored;
  case SGPU_REG_RECLAIM_SEQ: return r->reclaim_seq;
  case SGPU_REG_RECLAIM_HANDLE: return r->reclaim_handle;
  case SGPU_REG_RECLAIM_FRAMES: return r->reclaim_frames;
  case SGPU_REG_RECLAIM_PENDING: return r->npend;
  default: break;
  }
  if (addr >= SGPU_DATA_BASE && addr % 4 == 0 && (addr - SGPU_DATA_BASE) / 4 < r->p.data_words)
    return r->window[(addr - SGPU_DATA_BASE) / 4];
  if (addr >= SGPU_QUEUE_BASE && addr % 4 == 0 &&
      addr < SGPU_QUEUE_BASE + r->p.queues * SGPU_QUEUE_STRIDE) {
    const ref_queue *qs = &r->queues[(addr - SGPU_QUEUE_BASE) / SGPU_QUEUE_STRIDE];
    switch ((addr - SGPU_QUEUE_BASE) % SGPU_QUEUE_STRIDE) {
    case SGPU_QREG_QDB: return 0; /* write-only */
    case SGPU_QREG_QSTATE:
      return FIELD(SGPU_QSTATE_LIVE, qs->live) | FIELD(SGPU_QSTATE_STOPPED, qs->stopped) |
             FIELD(SGPU_QSTATE_OWNER, qs->owner);
    case SGPU_QREG_QIGNORED: return qs->ignored;
    case SGPU_QREG_QRING: return qs->ring;
    default: break;
    }
  }
  return 0;
}

void ref_window_write(sgpu_ref *r, uint32_t addr, uint32_t value) {
  if (addr >= SGPU_DATA_BASE && addr % 4 == 0 && (addr - SGPU_DATA_BASE) / 4 < r->p.data_words)
    r->window[(addr - SGPU_DATA_BASE) / 4] = value;
}

/* ------------------------------------------------------------------ introspection */

uint32_t ref_proc_state(const sgpu_ref *r, uint32_t slot) {
  return slot < r->p.procs ? r->procs[slot].state : SGPU_PROC_STATE_FREE;
}

uint32_t ref_proc_handle(const sgpu_ref *r, uint32_t slot) {
  return slot < r->p.procs ? SGPU_HANDLE_MAKE(slot, r->procs[slot].gen) : 0;
}

int ref_is_mapped(const sgpu_ref *r, uint32_t slot, uint32_t vpn) {
  if (ref_proc_state(r, slot) != SGPU_PROC_STATE_ACTIVE) return 0;
  return lookup(r, &r->procs[slot], vpn) != NULL;
}

int ref_has_leaf(const sgpu_ref *r, uint32_t slot, uint32_t l1) {
  if (ref_proc_state(r, slot) != SGPU_PROC_STATE_ACTIVE || l1 >= r->e) return 0;
  return r->procs[slot].leaves[l1] != NULL;
}

int ref_next_mapped(const sgpu_ref *r, uint32_t slot, uint32_t from, uint32_t *vpn) {
  if (ref_proc_state(r, slot) != SGPU_PROC_STATE_ACTIVE) return 0;
  const ref_proc *pr = &r->procs[slot];
  for (uint64_t v = from; v < r->vpn_limit;) {
    const ref_leaf *l = pr->leaves[v >> r->l2_bits];
    if (!l) {
      v = ((v >> r->l2_bits) + 1) << r->l2_bits;
      continue;
    }
    if (l->pages[v & (r->e - 1)].valid) {
      *vpn = (uint32_t)v;
      return 1;
    }
    v++;
  }
  return 0;
}

static int fail(char *msg, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (msg && n) vsnprintf(msg, n, fmt, ap);
  va_end(ap);
  return -1;
}

int ref_check_invariants(const sgpu_ref *r, char *msg, size_t n) {
  uint32_t F = r->p.frames;
  if (r->nclean + r->ndirty + r->used != F)
    return fail(msg, n, "clean %u + dirty %u + used %u != F %u", r->nclean, r->ndirty, r->used, F);
  if (r->dirty_pushed - r->dirty_popped != r->ndirty)
    return fail(msg, n, "dirty FIFO: %llu pushed - %llu popped != %u dirty",
                (unsigned long long)r->dirty_pushed, (unsigned long long)r->dirty_popped, r->ndirty);
  uint32_t dying = 0;
  for (uint32_t s = 0; s < r->p.procs; s++) dying += r->procs[s].state == SGPU_PROC_STATE_DYING;
  if (dying != r->npend)
    return fail(msg, n, "%u DYING slots but %u pending reclaims", dying, r->npend);
  for (uint32_t i = 0; i < r->npend; i++) {
    uint32_t k = (r->phead + i) % r->p.procs, ps = r->pend[k].slot;
    if (ps >= r->p.procs || r->procs[ps].state != SGPU_PROC_STATE_DYING ||
        (r->pend[k].handle != SGPU_HANDLE_MAKE(ps, r->procs[ps].gen)) ||
        r->pend[k].mark <= r->dirty_popped || r->pend[k].mark > r->dirty_pushed ||
        (i > 0 && r->pend[k].mark < r->pend[(k + r->p.procs - 1) % r->p.procs].mark))
      return fail(msg, n, "pending reclaim %u (slot %u) inconsistent", i, ps);
  }
  uint8_t *seen = calloc(F, 1);
  if (!seen) return fail(msg, n, "out of memory");
  int rc = 0;
#define MARK(f, what)                                                                          \
  do {                                                                                         \
    uint32_t f_ = (f);                                                                         \
    if (f_ >= F || seen[f_] || r->frame_state[f_] != FRAME_USED) {                             \
      rc = fail(msg, n, "slot %u: %s frame %u out of range, owned twice or not used", s,       \
                what, f_);                                                                     \
      goto out;                                                                                \
    }                                                                                          \
    seen[f_] = 1;                                                                              \
  } while (0)
  uint32_t total = 0, queues_owned[256] = {0};
  for (uint32_t q = 0; q < r->p.queues; q++)
    if (r->queues[q].live) queues_owned[r->queues[q].owner]++;
  for (uint32_t s = 0; s < r->p.procs; s++) {
    const ref_proc *pr = &r->procs[s];
    if (pr->state != SGPU_PROC_STATE_ACTIVE) {
      if (queues_owned[s] || pr->leaves) {
        rc = fail(msg, n, "%s slot %u owns %u queues or page tables",
                  pr->state == SGPU_PROC_STATE_FREE ? "free" : "dying", s, queues_owned[s]);
        goto out;
      }
      continue;
    }
    uint32_t d = 0, t = 1;
    MARK(pr->root_frame, "root");
    for (uint32_t i = 0; i < r->e; i++) {
      const ref_leaf *l = pr->leaves[i];
      if (!l) continue;
      MARK(l->frame, "leaf");
      t++;
      uint32_t c = 0;
      for (uint32_t j = 0; j < r->e; j++) {
        if (!l->pages[j].valid) continue;
        MARK(l->pages[j].frame, "data");
        c++;
      }
      if (c != l->count || c == 0) {
        rc = fail(msg, n, "slot %u leaf %u: count %u, %u valid entries", s, i, l->count, c);
        goto out;
      }
      d += c;
    }
    if (d != pr->data_frames || t != pr->pt_pages || queues_owned[s] != pr->queues) {
      rc = fail(msg, n, "slot %u: counters data %u pt %u queues %u, tables say %u %u %u", s,
                pr->data_frames, pr->pt_pages, pr->queues, d, t, queues_owned[s]);
      goto out;
    }
    total += d + t;
  }
  if (total != r->used) rc = fail(msg, n, "used %u but processes own %u frames", r->used, total);
#undef MARK
out:
  free(seen);
  return rc;
}
