/* sim_shell.c - the device shell: the reference model (sgpu_ref.c) behind the sgpu_sim.h ABI.
 * It is the only C device model: "sim:ref" and every fake device of the host tests
 * ("sim:fake", "sim:fakesmall", "sim:fakebadabi", ...) are builds of this file.
 *
 * The shell adds what a command-level model lacks: the register file (mailbox CMD_*, which
 * are write-only and read 0 as on the RTL, ADMIN_* with BUSY, IRQ and IRQ_ACK, ADMIN_DROPPED,
 * CPL_*; CYCLE_LO/HI; TD_*; RECLAIM_CYCLES; SCRUB_CYCLES; the queue window; the data
 * window's ownership: while BUSY host reads of it return 0 and host writes are ignored, as on
 * the RTL), a progress clock, and fault-injection switches. Statuses,
 * result words, frame counts, queue registers and reclaim events come from the model and are
 * exact (docs/semantics.md); everything measured in cycles is the shell's own and UNTIMED
 * (it predicts none of the RTL's numbers; see "Untimed" below and docs/verification.md).
 *
 * Configuration (build-time defaults, -D, each overridable by the environment when an
 * instance is created):
 *   SHELL_CONFIG  "ref"            the name sgpu_sim_config() returns
 *   SHELL_PARAMS  "8,8,20480,12,8,64" P,Q,F,S[,TLB[,DW]] (DW: data window words, default
 *                                  64)            env SGPU_MODEL_PARAMS (or SGPU_REF_PARAMS)
 *   SHELL_FAULTS  ""               fault switches    env SGPU_MODEL_FAULTS
 *   SHELL_NO_STEP                  (build only) do not export sgpu_sim_step
 * Fault switches, comma separated:
 *   magic=X       the ID register reads X instead of SGPU_MAGIC
 *   abi=N         sgpu_sim_abi_version() returns N
 *   hang          a doorbell makes the mailbox BUSY forever: no command executes or completes
 *   fail_read=A   every read of register address A fails (returns -1: the bus does not
 *                 answer); repeatable, and env SGPU_MODEL_FAIL_READS="A[,A...]" adds more
 *
 * Untimed: the progress clock. The clock advances by 1 per register access and by n per
 * sgpu_sim_step(n). A command executes on the ADMIN_DOORBELL write (all its effects are
 * visible at once) but is posted LATENCY cycles later: BUSY until then, and a doorbell
 * meanwhile is dropped and counted in ADMIN_DROPPED; LATENCY = 4 + the frames and queues the
 * command touches (at most 4 + 256). DESTROY_PROCESS's phases are placeholders that keep the
 * documented relations only: TD_VALIDATE 1, TD_STOP_DRAIN 1 + queues, TD_TLB 2, TD_FREE
 * min(frames, 256), TD_RELEASE 1 + queues, TD_COMPLETE 1; its cycles result (CPL_RES0) is their
 * sum (DEFERRED: without free and release, which the reclaimer writes when the completion is
 * posted). The scrubber cleans one dirty frame every max(1, 2^(S-2) / 4) cycles, oldest first,
 * and pauses while a DEFERRED destroy is BUSY (so no reclaim event precedes its completion);
 * SCRUB_CYCLES counts the cycles during which a frame was dirty. TD_SCRUB is written when the
 * last frame of a destroy is clean: at the reclaim event (DEFERRED; RECLAIM_CYCLES = event -
 * doorbell) or when an EAGER destroy's frames are all scrubbed. None of these numbers is the
 * RTL's: the differential tests never compare them.
 *
 * The queue window is QUEUE_BASE..QUEUE_BASE + QUEUE_SIZE - 1 (like the RTL): a QDB write to a
 * slot >= Q there is ignored and counted; its registers read 0. An access at or beyond
 * 2^SGPU_BUS_ADDR_BITS is not answered (-1). MEM_READ/MEM_WRITE take LATENCY 4 + words/4.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_ref.h"
#include "sgpu_regs.h"

#ifndef SHELL_CONFIG
#define SHELL_CONFIG "ref"
#endif
#ifndef SHELL_PARAMS
#define SHELL_PARAMS "8,8,20480,12,8,64"
#endif
#ifndef SHELL_FAULTS
#define SHELL_FAULTS ""
#endif
#define MAX_FAIL_READS 16

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
/* more than the most process slots CAPS0.NUM_PROCS can report */
#define RC_RING (1u << SGPU_CAPS0_NUM_PROCS_BITS)

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
  /* pending reclaims, oldest first (a ring of RC_RING >= P): doorbell and completion cycles */
  uint64_t rc_doorbell[RC_RING], rc_dirty[RC_RING];
  uint32_t rc_head, rc_n, rc_seen_seq;
  uint32_t reclaim_cycles, reclaim_scrub, reclaim_free, reclaim_release;
  uint32_t rc_free[RC_RING], rc_release[RC_RING]; /* the pending reclaims' background phases */
  uint32_t drain_timeout;
  /* the last EAGER destroy whose frames are not all clean yet: TD_SCRUB when they are */
  bool eager_scrub;
  uint64_t eager_mark, eager_dirty_at;
  /* fault switches */
  uint32_t magic;
  bool hang;
  uint32_t fail_reads[MAX_FAIL_READS], nfail_reads;
};

/* One fault list "k=v,k,..." into the switches (NULL s: nothing). Returns false on an unknown
 * switch, with a message on stderr. abi is only reported (sgpu_sim_abi_version). */
static bool parse_faults(sgpu_sim *s, const char *list, uint32_t *abi) {
  char buf[512];
  if (!list || !*list) return true;
  snprintf(buf, sizeof buf, "%s", list);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    unsigned long v = eq ? strtoul(eq + 1, NULL, 0) : 0;
    if (eq) *eq = '\0';
    if (!strcmp(tok, "magic") && eq && s) s->magic = (uint32_t)v;
    else if (!strcmp(tok, "abi") && eq) { if (abi) *abi = (uint32_t)v; }
    else if (!strcmp(tok, "hang") && !eq && s) s->hang = true;
    else if (!strcmp(tok, "fail_read") && eq && s && s->nfail_reads < MAX_FAIL_READS)
      s->fail_reads[s->nfail_reads++] = (uint32_t)v;
    else if (s || (strcmp(tok, "magic") && strcmp(tok, "hang") && strcmp(tok, "fail_read"))) {
      fprintf(stderr, "sim_shell: unknown fault switch '%s' in '%s'\n", tok, list);
      return false;
    }
  }
  return true;
}

enum { TD_VALIDATE, TD_STOP_DRAIN, TD_TLB, TD_FREE, TD_RELEASE, TD_COMPLETE, TD_SCRUB };

/* Reclaim events the model posted since last time: time them at cycle now. */
static void note_reclaims(sgpu_sim *s, uint64_t now) {
  uint32_t seq = ref_reg_read(s->ref, SGPU_REG_RECLAIM_SEQ);
  while (s->rc_seen_seq != seq && s->rc_n > 0) {
    uint64_t db = s->rc_doorbell[s->rc_head], dirty = s->rc_dirty[s->rc_head];
    s->reclaim_cycles = (uint32_t)(now > db ? now - db : 1);
    s->reclaim_scrub = (uint32_t)(now > dirty ? now - dirty : 1);
    s->reclaim_free = s->rc_free[s->rc_head];
    s->reclaim_release = s->rc_release[s->rc_head];
    s->rc_head = (s->rc_head + 1) % RC_RING;
    s->rc_n--;
    s->rc_seen_seq++;
  }
  s->rc_seen_seq = seq;
}

/* TD_SCRUB of an EAGER destroy: once the scrubber has taken all of its frames. */
static void note_eager_scrub(sgpu_sim *s, uint64_t now) {
  if (s->eager_scrub && ref_frames_scrubbed(s->ref) >= s->eager_mark) {
    s->td[TD_SCRUB] = (uint32_t)(now > s->eager_dirty_at ? now - s->eager_dirty_at : 1);
    s->eager_scrub = false;
  }
}

static void post_completion(sgpu_sim *s) {
  if (s->pend_destroy) {
    if (s->pend_deferred) { /* the reclaimer runs now: its phases are the event's */
      uint32_t i = (s->rc_head + s->rc_n - 1) % RC_RING;
      s->rc_dirty[i] = s->done_at;
      s->rc_free[i] = s->pend_td[TD_FREE];
      s->rc_release[i] = s->pend_td[TD_RELEASE];
      s->td[TD_FREE] = s->td[TD_RELEASE] = 0; /* a DEFERRED destroy has no free/release */
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
    note_eager_scrub(s, end); /* an allocation may have taken its last dirty frames */
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
  note_eager_scrub(s, end);
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
    case SGPU_OP_MEM_READ:
    case SGPU_OP_MEM_WRITE: work = res[0] / 4; break;
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
  if (s->hang) { /* the fault: BUSY forever, nothing executes */
    s->busy = true;
    s->done_at = UINT64_MAX;
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
    s->eager_scrub = false; /* TD_SCRUB belongs to this destroy now (0 unless EAGER) */
    s->td[TD_SCRUB] = 0;
    lat = td[TD_VALIDATE] + td[TD_STOP_DRAIN] + td[TD_TLB] + td[TD_COMPLETE];
    if (!s->pend_deferred) lat += td[TD_FREE] + td[TD_RELEASE];
    s->pend_res[0] = lat;
    if (s->pend_deferred) {
      uint32_t i = (s->rc_head + s->rc_n) % RC_RING;
      s->rc_doorbell[i] = s->cycle;
      s->rc_dirty[i] = s->cycle + lat;
      s->rc_n++;
    } else { /* its frames are on the dirty list now: TD_SCRUB once they are all clean */
      s->eager_scrub = true;
      s->eager_mark = ref_frames_freed_total(s->ref);
      s->eager_dirty_at = s->cycle;
    }
  }
  s->busy = true;
  s->done_at = s->cycle + lat;
}

static bool parse_params(ref_params *p) {
  const char *src = getenv("SGPU_MODEL_PARAMS");
  if (!src || !*src) src = getenv("SGPU_REF_PARAMS");
  if (!src || !*src) src = SHELL_PARAMS;
  unsigned v[6] = {0, 0, 0, 0, 8, 64};
  int n = sscanf(src, "%u,%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
  if (n < 4 || n > 6) {
    fprintf(stderr, "sim_shell: parameters '%s' are not P,Q,F,S[,TLB[,DW]]\n", src);
    return false;
  }
  *p = (ref_params){.procs = v[0], .queues = v[1], .frames = v[2], .page_shift = v[3],
                    .tlb_entries = v[4], .data_words = v[5]};
  return true;
}

sgpu_sim *sgpu_sim_create(const char *trace_path) {
  (void)trace_path; /* no waveform to write */
  ref_params p;
  if (!parse_params(&p)) return NULL;
  sgpu_sim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->magic = SGPU_MAGIC;
  s->drain_timeout = 4096; /* the RTL's default DrainTimeout parameter */
  const char *fail = getenv("SGPU_MODEL_FAIL_READS");
  for (char *end; fail && *fail && s->nfail_reads < MAX_FAIL_READS; fail = *end ? end + 1 : end) {
    s->fail_reads[s->nfail_reads++] = (uint32_t)strtoul(fail, &end, 0);
    if (end == fail) break;
  }
  if (!parse_faults(s, SHELL_FAULTS, NULL) || !parse_faults(s, getenv("SGPU_MODEL_FAULTS"), NULL)) {
    free(s);
    return NULL;
  }
  s->ref = ref_create(&p);
  if (!s->ref) {
    fprintf(stderr, "sim_shell: parameters P=%u Q=%u F=%u S=%u TLB=%u DW=%u out of range\n",
            p.procs, p.queues, p.frames, p.page_shift, p.tlb_entries, p.data_words);
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

uint32_t sgpu_sim_abi_version(void) {
  uint32_t abi = SGPU_SIM_ABI_VERSION;
  parse_faults(NULL, SHELL_FAULTS, &abi);
  parse_faults(NULL, getenv("SGPU_MODEL_FAULTS"), &abi);
  return abi;
}

const char *sgpu_sim_config(void) { return SHELL_CONFIG; }

uint64_t sgpu_sim_cycles(sgpu_sim *s) { return s->cycle; }

#ifndef SHELL_NO_STEP
void sgpu_sim_step(sgpu_sim *s, uint64_t n) {
  if (n) advance(s, n);
}
#endif

static bool in_data_window(uint32_t addr) {
  return addr >= SGPU_DATA_BASE && addr < SGPU_DATA_BASE + SGPU_DATA_SIZE;
}

int sgpu_sim_read32(sgpu_sim *s, uint32_t addr, uint32_t *data, uint32_t max_cycles) {
  (void)max_cycles; /* the model answers every access in one cycle */
  if (SGPU_BUS_ADDR_BITS < 32 && addr >> SGPU_BUS_ADDR_BITS) return -1; /* not on the bus */
  advance(s, 1);
  for (uint32_t i = 0; i < s->nfail_reads; i++)
    if (s->fail_reads[i] == addr) return -1;
  uint32_t v;
  switch (addr) {
  case SGPU_REG_ID: v = s->magic; break;
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
  case SGPU_REG_RECLAIM_SCRUB: v = s->reclaim_scrub; break;
  case SGPU_REG_RECLAIM_FREE: v = s->reclaim_free; break;
  case SGPU_REG_RECLAIM_RELEASE: v = s->reclaim_release; break;
  case SGPU_REG_DRAIN_TIMEOUT: v = s->drain_timeout; break;
  default:
    /* the data window is the device's while BUSY: host reads return 0 */
    v = in_data_window(addr) && s->busy ? 0 : ref_reg_read(s->ref, addr);
    break;
  }
  *data = v;
  return 0;
}

int sgpu_sim_write32(sgpu_sim *s, uint32_t addr, uint32_t data, uint32_t max_cycles) {
  (void)max_cycles;
  if (SGPU_BUS_ADDR_BITS < 32 && addr >> SGPU_BUS_ADDR_BITS) return -1; /* not on the bus */
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
  case SGPU_REG_DRAIN_TIMEOUT:
    s->drain_timeout = FIELD(SGPU_DRAIN_TIMEOUT_CYCLES, data); /* the stored field only */
    break;
  case SGPU_REG_ADMIN_DOORBELL: admin_doorbell(s); break;
  case SGPU_REG_IRQ_ACK:
    if (FIELD_GET(SGPU_IRQ_ACK_ACK, data)) s->irq = false;
    break;
  default:
    if (addr >= SGPU_QUEUE_BASE && addr < SGPU_QUEUE_BASE + SGPU_QUEUE_SIZE &&
        (addr - SGPU_QUEUE_BASE) % SGPU_QUEUE_STRIDE == SGPU_QREG_QDB)
      ref_doorbell(s->ref, (addr - SGPU_QUEUE_BASE) / SGPU_QUEUE_STRIDE, data);
    else if (in_data_window(addr) && !s->busy) /* the device's while BUSY: ignored */
      ref_window_write(s->ref, addr, data);
    break; /* read-only and unmapped registers ignore writes */
  }
  return 0;
}
