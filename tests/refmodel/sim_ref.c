/* sim_ref.c - the reference model behind the sgpu_sim.h ABI: a fake device ("sim:ref").
 *
 * Built as libsgpu_sim_ref.so, so libsgpu's sim: transport and the CLI can run before the
 * RTL exists, and the difftest can check libsgpu against the model itself.
 *
 * Parameters: P=8 Q=8 F=20480 S=12 (TLB 8, reported only), like sim:default; the
 * environment variable SGPU_REF_PARAMS="P,Q,F,S" (optionally ",TLB") overrides them.
 *
 * Timing (made up, but enough to exercise a driver's polling):
 *   - the clock advances by 1 per register access and by n per sgpu_sim_step(n);
 *   - a command executes on the ADMIN_DOORBELL write (all its effects are visible at once)
 *     but is posted only LATENCY cycles later: BUSY until then, and a doorbell meanwhile is
 *     dropped and counted in ADMIN_DROPPED. LATENCY = 4 + the frames and queues the command
 *     touches, capped at 4 + 256, except DESTROY_PROCESS: the sum of its phases, TD_VALIDATE
 *     1, TD_STOP_DRAIN 1 + queues, TD_TLB 2, TD_FREE frames (capped at 256), TD_RELEASE
 *     1 + queues, TD_COMPLETE 1; for DEFERRED, TD_FREE and TD_RELEASE are not part of the
 *     command (the reclaimer writes them when the completion is posted). DESTROY_PROCESS
 *     reports that latency as its cycles result (the command-level model alone reports 0).
 *     A failed command writes no TD_* register;
 *   - the scrubber makes one dirty frame clean every max(1, 2^(S-2) / 4) cycles (four words
 *     a cycle), oldest first; SCRUB_CYCLES counts the cycles during which some frame was
 *     dirty. It pauses while a DEFERRED destroy is BUSY, so no reclaim event comes before its
 *     completion. A reclaim event is posted when the model's scrubber has cleaned the
 *     process's last frame (or an allocation took it): RECLAIM_CYCLES = event - doorbell,
 *     TD_SCRUB = event - completion (the frames reached the dirty list), both >= 1;
 *   - the queue window is 0x100..0xFFFF (16-bit register addresses, like the RTL): a QDB
 *     write to a slot >= Q there is ignored and counted; its registers read 0.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_ref.h"
#include "sgpu_regs.h"

/* Built with -fvisibility=hidden: only the ABI is exported, so the model's own symbols never
 * interpose with a program that links sgpu_ref.c itself (the difftest). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif
#include "sgpu_sim.h"
#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#define FIELD_GET(name, v) (((v) >> name##_LSB) & ((1u << name##_BITS) - 1u))
#define FIELD(name, v) (((uint32_t)(v) & ((1u << name##_BITS) - 1u)) << name##_LSB)

enum { BASE_LATENCY = 4, MAX_EXTRA_LATENCY = 256 };

struct sgpu_sim {
  sgpu_ref *ref;
  uint64_t cycle;
  uint32_t cycle_hi; /* sampled when CYCLE_LO is read */
  /* mailbox */
  uint32_t cmd_op, args[4];
  bool busy, irq;
  uint64_t done_at;
  uint32_t pend_status, pend_res[6];
  uint32_t cpl_status, cpl_seq, cpl_res[6];
  uint32_t admin_dropped;
  /* scrubber */
  uint64_t scrub_period, scrub_acc;
  uint32_t scrub_cycles;
  /* teardown phases of the destroy in flight and of the last one */
  bool pend_destroy, pend_deferred;
  uint32_t pend_td[6], td[7]; /* VALIDATE, STOP_DRAIN, TLB, FREE, RELEASE, COMPLETE, SCRUB */
  /* pending reclaims, oldest first (ring of 256 >= P): doorbell and completion cycles */
  uint64_t rc_doorbell[256], rc_dirty[256];
  uint32_t rc_head, rc_n, rc_seen_seq;
  uint32_t reclaim_cycles;
};

enum { TD_VALIDATE, TD_STOP_DRAIN, TD_TLB, TD_FREE, TD_RELEASE, TD_COMPLETE, TD_SCRUB };

/* Reclaim events the model posted since last time: time them at cycle now. */
static void note_reclaims(sgpu_sim *s, uint64_t now) {
  uint32_t seq = ref_reg_read(s->ref, SGPU_REG_RECLAIM_SEQ);
  while (s->rc_seen_seq != seq && s->rc_n > 0) {
    uint64_t db = s->rc_doorbell[s->rc_head], dirty = s->rc_dirty[s->rc_head];
    s->reclaim_cycles = (uint32_t)(now > db ? now - db : 1);
    s->td[TD_SCRUB] = (uint32_t)(now > dirty ? now - dirty : 1);
    s->rc_head = (s->rc_head + 1) % 256;
    s->rc_n--;
    s->rc_seen_seq++;
  }
  s->rc_seen_seq = seq;
}

static void post_completion(sgpu_sim *s) {
  if (s->pend_destroy) {
    if (s->pend_deferred) { /* the reclaimer runs now: its phases, and the timestamps */
      s->td[TD_FREE] = s->pend_td[TD_FREE];
      s->td[TD_RELEASE] = s->pend_td[TD_RELEASE];
      uint32_t i = (s->rc_head + s->rc_n - 1) % 256;
      s->rc_dirty[i] = s->done_at;
    } else {
      s->td[TD_FREE] = s->pend_td[TD_FREE];
      s->td[TD_RELEASE] = s->pend_td[TD_RELEASE];
    }
    s->td[TD_VALIDATE] = s->pend_td[TD_VALIDATE];
    s->td[TD_STOP_DRAIN] = s->pend_td[TD_STOP_DRAIN];
    s->td[TD_TLB] = s->pend_td[TD_TLB];
    s->td[TD_COMPLETE] = s->pend_td[TD_COMPLETE];
  }
  s->pend_destroy = s->pend_deferred = false;
  s->cpl_status = s->pend_status;
  memcpy(s->cpl_res, s->pend_res, sizeof s->cpl_res);
  s->cpl_seq++;
  s->irq = true;
  s->busy = false;
}

/* n cycles of scrubbing, ending at cycle end. */
static void scrub(sgpu_sim *s, uint64_t n, uint64_t end) {
  if (n == 0 || (s->busy && s->pend_deferred)) return;
  if (ref_reg_read(s->ref, SGPU_REG_FRAMES_DIRTY) == 0) {
    s->scrub_acc = 0;
    return;
  }
  s->scrub_cycles += (uint32_t)n;
  s->scrub_acc += n;
  uint64_t frames = s->scrub_acc / s->scrub_period;
  s->scrub_acc %= s->scrub_period;
  while (frames > 0) {
    uint32_t chunk = frames > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)frames;
    if (ref_scrub(s->ref, chunk) < chunk) {
      s->scrub_acc = 0;
      break;
    }
    frames -= chunk;
  }
  note_reclaims(s, end);
}

static void advance(sgpu_sim *s, uint64_t n) {
  uint64_t end = s->cycle + n;
  if (s->busy && end >= s->done_at) {
    uint64_t before = s->done_at > s->cycle ? s->done_at - s->cycle : 0;
    scrub(s, before, s->done_at);
    post_completion(s);
    s->cycle = end;
    scrub(s, n - before, end);
    return;
  }
  s->cycle = end;
  scrub(s, n, end);
}

static uint32_t latency_of(uint32_t opcode, uint32_t st, const uint32_t *res) {
  uint32_t work = 0;
  if (st == SGPU_STATUS_SUCCESS) {
    switch (opcode) {
    case SGPU_OP_DESTROY_PROCESS: work = res[1] + res[3]; break;
    case SGPU_OP_MAP:
    case SGPU_OP_UNMAP: work = res[0] + res[1]; break;
    case SGPU_OP_CREATE_PROCESS: work = 1; break;
    default: break;
    }
  }
  return BASE_LATENCY + (work > MAX_EXTRA_LATENCY ? MAX_EXTRA_LATENCY : work);
}

static void admin_doorbell(sgpu_sim *s) {
  if (s->busy) {
    s->admin_dropped++;
    return;
  }
  uint32_t opcode = FIELD_GET(SGPU_CMD_OP_OPCODE, s->cmd_op);
  uint32_t policy = FIELD_GET(SGPU_CMD_OP_POLICY, s->cmd_op);
  s->pend_status = ref_exec(s->ref, opcode, policy, s->args, s->pend_res);
  uint32_t lat = latency_of(opcode, s->pend_status, s->pend_res);
  note_reclaims(s, s->cycle); /* an allocation may have completed a reclaim */
  if (opcode == SGPU_OP_DESTROY_PROCESS && s->pend_status == SGPU_STATUS_SUCCESS) {
    uint32_t frames = s->pend_res[1], queues = s->pend_res[3];
    uint32_t *td = s->pend_td;
    td[TD_VALIDATE] = 1;
    td[TD_STOP_DRAIN] = 1 + queues;
    td[TD_TLB] = 2;
    td[TD_FREE] = frames > MAX_EXTRA_LATENCY ? MAX_EXTRA_LATENCY : frames;
    td[TD_RELEASE] = 1 + queues;
    td[TD_COMPLETE] = 1;
    s->pend_destroy = true;
    s->pend_deferred = policy == SGPU_POLICY_DEFERRED;
    lat = td[TD_VALIDATE] + td[TD_STOP_DRAIN] + td[TD_TLB] + td[TD_COMPLETE];
    if (!s->pend_deferred) lat += td[TD_FREE] + td[TD_RELEASE];
    s->pend_res[0] = lat;
    if (s->pend_deferred) {
      uint32_t i = (s->rc_head + s->rc_n) % 256;
      s->rc_doorbell[i] = s->cycle;
      s->rc_dirty[i] = s->cycle + lat;
      s->rc_n++;
    }
  }
  s->busy = true;
  s->done_at = s->cycle + lat;
}

static bool parse_params(ref_params *p) {
  *p = (ref_params){.procs = 8, .queues = 8, .frames = 20480, .page_shift = 12, .tlb_entries = 8};
  const char *env = getenv("SGPU_REF_PARAMS");
  if (!env || !*env) return true;
  unsigned v[5] = {0, 0, 0, 0, p->tlb_entries};
  int n = sscanf(env, "%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4]);
  if (n != 4 && n != 5) {
    fprintf(stderr, "sim_ref: SGPU_REF_PARAMS='%s' is not P,Q,F,S[,TLB]\n", env);
    return false;
  }
  *p = (ref_params){.procs = v[0], .queues = v[1], .frames = v[2], .page_shift = v[3],
                    .tlb_entries = v[4]};
  return true;
}

sgpu_sim *sgpu_sim_create(const char *trace_path) {
  (void)trace_path; /* no waveform to write */
  ref_params p;
  if (!parse_params(&p)) return NULL;
  sgpu_sim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->ref = ref_create(&p);
  if (!s->ref) {
    fprintf(stderr, "sim_ref: parameters P=%u Q=%u F=%u S=%u TLB=%u out of range\n", p.procs,
            p.queues, p.frames, p.page_shift, p.tlb_entries);
    free(s);
    return NULL;
  }
  uint64_t words = 1ull << (p.page_shift - 2);
  s->scrub_period = words / 4 ? words / 4 : 1;
  s->cycle = 8; /* the few cycles held in reset */
  return s;
}

void sgpu_sim_destroy(sgpu_sim *s) {
  if (!s) return;
  ref_destroy(s->ref);
  free(s);
}

uint32_t sgpu_sim_abi_version(void) { return SGPU_SIM_ABI_VERSION; }

const char *sgpu_sim_config(void) { return "ref"; }

uint64_t sgpu_sim_cycles(sgpu_sim *s) { return s->cycle; }

void sgpu_sim_step(sgpu_sim *s, uint64_t n) {
  if (n) advance(s, n);
}

int sgpu_sim_read32(sgpu_sim *s, uint32_t addr, uint32_t *data, uint32_t max_cycles) {
  (void)max_cycles; /* the model answers every access in one cycle */
  advance(s, 1);
  uint32_t v;
  switch (addr) {
  case SGPU_REG_CMD_OP: v = s->cmd_op; break;
  case SGPU_REG_CMD_ARG0: v = s->args[0]; break;
  case SGPU_REG_CMD_ARG1: v = s->args[1]; break;
  case SGPU_REG_CMD_ARG2: v = s->args[2]; break;
  case SGPU_REG_CMD_ARG3: v = s->args[3]; break;
  case SGPU_REG_ADMIN_STATUS:
    v = FIELD(SGPU_ADMIN_STATUS_BUSY, s->busy) | FIELD(SGPU_ADMIN_STATUS_IRQ, s->irq);
    break;
  case SGPU_REG_CPL_STATUS: v = s->cpl_status; break;
  case SGPU_REG_CPL_SEQ: v = s->cpl_seq; break;
  case SGPU_REG_CPL_RES0: v = s->cpl_res[0]; break;
  case SGPU_REG_CPL_RES1: v = s->cpl_res[1]; break;
  case SGPU_REG_CPL_RES2: v = s->cpl_res[2]; break;
  case SGPU_REG_CPL_RES3: v = s->cpl_res[3]; break;
  case SGPU_REG_CPL_RES4: v = s->cpl_res[4]; break;
  case SGPU_REG_CPL_RES5: v = s->cpl_res[5]; break;
  case SGPU_REG_ADMIN_DROPPED: v = s->admin_dropped; break;
  case SGPU_REG_SCRUB_CYCLES: v = s->scrub_cycles; break;
  case SGPU_REG_CYCLE_LO:
    s->cycle_hi = (uint32_t)(s->cycle >> 32);
    v = (uint32_t)s->cycle;
    break;
  case SGPU_REG_CYCLE_HI: v = s->cycle_hi; break;
  case SGPU_REG_TD_VALIDATE: v = s->td[TD_VALIDATE]; break;
  case SGPU_REG_TD_STOP_DRAIN: v = s->td[TD_STOP_DRAIN]; break;
  case SGPU_REG_TD_TLB: v = s->td[TD_TLB]; break;
  case SGPU_REG_TD_FREE: v = s->td[TD_FREE]; break;
  case SGPU_REG_TD_RELEASE: v = s->td[TD_RELEASE]; break;
  case SGPU_REG_TD_COMPLETE: v = s->td[TD_COMPLETE]; break;
  case SGPU_REG_TD_SCRUB: v = s->td[TD_SCRUB]; break;
  case SGPU_REG_RECLAIM_CYCLES: v = s->reclaim_cycles; break;
  default: v = ref_reg_read(s->ref, addr); break;
  }
  *data = v;
  return 0;
}

int sgpu_sim_write32(sgpu_sim *s, uint32_t addr, uint32_t data, uint32_t max_cycles) {
  (void)max_cycles;
  advance(s, 1);
  switch (addr) {
  case SGPU_REG_CMD_OP:
    s->cmd_op = FIELD(SGPU_CMD_OP_OPCODE, FIELD_GET(SGPU_CMD_OP_OPCODE, data)) |
                FIELD(SGPU_CMD_OP_POLICY, FIELD_GET(SGPU_CMD_OP_POLICY, data));
    break;
  case SGPU_REG_CMD_ARG0: s->args[0] = data; break;
  case SGPU_REG_CMD_ARG1: s->args[1] = data; break;
  case SGPU_REG_CMD_ARG2: s->args[2] = data; break;
  case SGPU_REG_CMD_ARG3: s->args[3] = data; break;
  case SGPU_REG_ADMIN_DOORBELL: admin_doorbell(s); break;
  case SGPU_REG_IRQ_ACK:
    if (data & 1u) s->irq = false;
    break;
  default:
    if (addr >= SGPU_QUEUE_BASE && addr <= 0xFFFFu &&
        (addr - SGPU_QUEUE_BASE) % SGPU_QUEUE_STRIDE == SGPU_QREG_QDB)
      ref_doorbell(s->ref, (addr - SGPU_QUEUE_BASE) / SGPU_QUEUE_STRIDE, data);
    break; /* read-only and unmapped registers ignore writes */
  }
  return 0;
}
