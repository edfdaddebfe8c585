/* fuzz_admin.c - libFuzzer target: arbitrary admin commands on the Verilated RTL core
 * (sim:small) against the C reference model (tests/model), compared word for word.
 *
 * What it covers
 *   Each input is decoded (see decode_one) into at most MAX_CMDS commands with arbitrary
 *   fields: any opcode byte (unknown ones included), any CMD_OP.POLICY 0..3 on any command,
 *   handles that are live, DYING (pending reclaim), stale (generation -1/+1), of free slots,
 *   with slot >= P or plain garbage, VAs page aligned / misaligned / at the end of the space /
 *   raw 32-bit, page counts small / a few leaf tables / raw (huge, 0, overflowing), queue ids
 *   in and out of range, MEM_READ/MEM_WRITE word counts in and out of 1..DATA_WORDS over
 *   ranges that cross pages (the data window filled from the input before a MEM_WRITE),
 *   garbage in the argument words a command does not use, queue doorbell writes to the QDB
 *   offset of any slot of the queue window, and "wait for the scrubber" steps. Every command goes through the admin mailbox registers
 *   (tests/cosim/raw_cmd.c: sgpu_reg_write/sgpu_reg_read on sgpu_open("sim:small")) and
 *   through ref_exec. Compared after every command: CPL_STATUS and all six CPL_RESn (except
 *   CREATE_PROCESS root_frame, DESTROY_PROCESS cycles and work_aborted, and the clean/dirty split of the
 *   device QUERY, whose sum is compared), then a device QUERY (frames_used, clean + dirty,
 *   live processes, live queues, doorbells ignored) and RECLAIM_PENDING; after doorbells
 *   and queue commands every queue register and DB_IGNORED; after MEM_READ/MEM_WRITE the
 *   data window's words (what a MEM_READ copied, or that a failed one changed nothing). Any divergence prints the input's
 *   command log and abort()s, which libFuzzer reports as a crash.
 *   DEFERRED teardown: the device posts reclaim events on its own time; the model is
 *   synchronised from the device's RECLAIM_SEQ by tests/model/model_sync.c, shared with
 *   tests/cosim/difftest.c (the model is never ahead; a command whose outcome depends on a
 *   reclaim inside its window is checked against every event count inside the window).
 *   One device and one model stay open for the whole process (never two Verilated models in
 *   one process). Between inputs every live process is destroyed (EAGER, compared too), the
 *   device is waited on until FRAMES_DIRTY == 0 and RECLAIM_PENDING == 0 and the model is
 *   scrubbed: both are then back to "everything free", with the same per-slot generations
 *   and cumulative counters, because the model has followed every command. Handles are
 *   encoded in inputs relative to the slot's current generation, so an input means the same
 *   thing whatever ran before it.
 *   Coverage feedback comes from this file and the reference model (compiled with
 *   -fsanitize=fuzzer); the RTL itself is not instrumented.
 *
 * Build:   make build/tests/fuzz/fuzz_admin        (clang-14, libFuzzer + ASan + UBSan)
 * Short run (make test, test name fuzz-admin): see mk/fuzz.mk.
 * Long campaign (corpus grows in the work directory; the checked-in one is left alone):
 *   mkdir -p /tmp/fz && cp tests/fuzz/corpus/seed-* /tmp/fz/
 *   SGPU_SIM_DIR=$PWD/build/sim build/tests/fuzz/fuzz_admin /tmp/fz -max_total_time=3600 \
 *     -max_len=1024 -print_final_stats=1 -artifact_prefix=/tmp/fz-
 * Replay a crash (prints every command with device and model answers when FUZZ_VERBOSE=1):
 *   FUZZ_VERBOSE=1 SGPU_SIM_DIR=$PWD/build/sim build/tests/fuzz/fuzz_admin /tmp/fz-crash-XXXX
 * Minimise it:  ... build/tests/fuzz/fuzz_admin -minimize_crash=1 -runs=10000 /tmp/fz-crash-XXXX
 * A crash found after other inputs ran is replayed alone from a fresh device; it reproduces
 * unless it depended on an earlier input's state (then replay the run's inputs in order).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_cmd.h"
#include "sgpu.h"
#include "model_sync.h"
#include "sgpu_ref.h"
#include "sgpu_regs.h"

#define MAX_CMDS 64
#define RAW_MAX_CYCLES 50000000ull
#define WAIT_CLEAN_CYCLES 50000000ull
#define RECLAIM_POLL_READS 4096u

static sgpu_device *dev;
static sgpu_ref *ref;
static msync ms; /* reclaim synchronisation with the model */
static uint32_t P, Q, F, S, E, DW;
static uint64_t vpn_limit;
static bool verbose;
static char logbuf[1 << 16];
static size_t loglen;
static char desc[200];

/* ------------------------------------------------------------------ reporting */

static void logf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (loglen < sizeof logbuf) {
    int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    if (n > 0) loglen += (size_t)n;
    if (loglen > sizeof logbuf) loglen = sizeof logbuf;
  }
  va_end(ap);
  if (verbose) {
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
  }
}

static void divergence(const char *fmt, ...) {
  va_list ap;
  if (!verbose) fprintf(stderr, "---- commands of this input so far ----\n%.*s", (int)loglen, logbuf);
  fprintf(stderr, "DIVERGENCE at: %s\n  ", desc);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  if (ms.window[0]) fprintf(stderr, "  reclaim window: %s\n", ms.window);
  abort();
}

static void expect_u32(const char *what, uint32_t d, uint32_t m) {
  if (d != m) divergence("%s: device 0x%08X (%u), model 0x%08X (%u)", what, d, d, m, m);
}

static uint32_t reg_rd(uint32_t addr) {
  uint32_t v = 0;
  sgpu_status st = sgpu_reg_read(dev, addr, &v);
  if (st != SGPU_STATUS_SUCCESS) divergence("register read 0x%03X failed: %s", addr, sgpu_status_str(st));
  return v;
}

/* ------------------------------------------------------------------ reclaim synchronisation
 * (tests/model/model_sync.c, shared with tests/cosim/difftest.c) */


static void sync_failed(void *p, const char *msg) {
  (void)p;
  divergence("%s", msg);
}
static uint32_t model_rseq(void) { return msync_model_rseq(&ms); }
static uint32_t model_pending(void) { return msync_model_pending(&ms); }
static uint32_t dev_rseq(void) { return msync_dev_rseq(&ms); }
static uint32_t sync_reclaims(const char *where) { return msync_sync(&ms, where); }

/* ------------------------------------------------------------------ one command, both sides */

static uint32_t nondet_mask(uint32_t opcode, const uint32_t args[4]) {
  switch (opcode) {
  case SGPU_OP_CREATE_PROCESS: return 1u << 2;  /* root_frame */
  /* cycles, and work_aborted: how many work items the engines still held or had queued for
   * the process depends on the engines' timing, which the untimed model does not know */
  case SGPU_OP_DESTROY_PROCESS: return 1u << 0 | 1u << 4;
  case SGPU_OP_QUERY: return args[0] == SGPU_DEVICE_QUERY ? 3u : 0u; /* clean, dirty: sum only */
  default: return 0;
  }
}

static uint32_t both_exec(uint32_t opcode, uint32_t policy, const uint32_t args[4], uint32_t res_out[6]) {
  uint32_t dst = 0, dres[6] = {0}, mres[6] = {0}, seq = 0;
  sync_reclaims("before the command");
  snprintf(desc, sizeof desc, "op 0x%02X pol %u args 0x%08X 0x%08X 0x%08X 0x%08X", opcode, policy, args[0],
           args[1], args[2], args[3]);
  sgpu_status t = raw_cmd(dev, opcode, policy, args, RAW_MAX_CYCLES, &dst, dres, &seq);
  if (t != SGPU_STATUS_SUCCESS)
    divergence("raw command did not complete: %s (CPL_SEQ 0x%08X)", sgpu_status_str(t), seq);
  ms.window[0] = '\0';
  uint32_t mst = msync_exec(&ms, opcode, policy, args, mres, dst, dres);
  logf_("  %s -> dev 0x%08X [%08X %08X %08X %08X %08X %08X] model 0x%08X\n", desc, dst, dres[0], dres[1], dres[2],
        dres[3], dres[4], dres[5], mst);
  if (dst != mst)
    divergence("CPL_STATUS: device %s (0x%08X), model %s (0x%08X)", sgpu_status_str(dst), dst, sgpu_status_str(mst),
               mst);
  uint32_t mask = dst == SGPU_STATUS_SUCCESS ? nondet_mask(opcode, args) : 0;
  char what[32];
  for (int i = 0; i < 6; i++) {
    if (mask >> i & 1u) continue;
    snprintf(what, sizeof what, "CPL_RES%d", i);
    expect_u32(what, dres[i], mres[i]);
  }
  if (mask == 3u) expect_u32("QUERY device clean + dirty", dres[0] + dres[1], mres[0] + mres[1]);
  if (res_out) memcpy(res_out, dres, sizeof dres);
  return dst;
}

/* Device QUERY (frames_used, clean + dirty, live processes/queues, doorbells ignored) and
 * RECLAIM_PENDING against the model. */
static void compare_state(void) {
  uint32_t args[4] = {SGPU_DEVICE_QUERY, 0, 0, 0};
  uint32_t s0 = sync_reclaims("before the state QUERY");
  both_exec(SGPU_OP_QUERY, 0, args, NULL);
  uint32_t pend = reg_rd(SGPU_REG_RECLAIM_PENDING), s1 = dev_rseq();
  uint32_t total = model_rseq() + model_pending();
  if (pend > total - s0 || pend < total - s1)
    divergence("RECLAIM_PENDING: device %u, model %u..%u (RECLAIM_SEQ %u..%u)", pend, total - s1, total - s0, s0, s1);
  char msg[256];
  if (ref_check_invariants(ref, msg, sizeof msg)) divergence("reference model invariant broken: %s", msg);
}

static void compare_queues(void) {
  static const uint32_t qregs[4] = {SGPU_QREG_QDB, SGPU_QREG_QSTATE, SGPU_QREG_QIGNORED, SGPU_QREG_QRING};
  static const char *const qn[4] = {"QDB", "QSTATE", "QIGNORED", "QRING"};
  char what[48];
  for (uint32_t q = 0; q < Q; q++)
    for (int i = 0; i < 4; i++) {
      uint32_t a = SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + qregs[i];
      snprintf(what, sizeof what, "queue %u %s", q, qn[i]);
      expect_u32(what, reg_rd(a), ref_reg_read(ref, a));
    }
  expect_u32("DB_IGNORED", reg_rd(SGPU_REG_DB_IGNORED), ref_reg_read(ref, SGPU_REG_DB_IGNORED));
}

#define WIN(i) (SGPU_DATA_BASE + 4u * (uint32_t)(i))

/* A host write of a window word, both sides. */
static void win_write(uint32_t i, uint32_t v) {
  sgpu_status st = sgpu_reg_write(dev, WIN(i), v);
  if (st != SGPU_STATUS_SUCCESS) divergence("window write %u failed: %s", i, sgpu_status_str(st));
  ref_window_write(ref, WIN(i), v);
}

/* Window words [0, n) and the first word past the window, both sides. */
static void compare_window(uint32_t n) {
  char what[40];
  for (uint32_t i = 0; i < n; i++) {
    snprintf(what, sizeof what, "window word %u", i);
    expect_u32(what, reg_rd(WIN(i)), ref_reg_read(ref, WIN(i)));
  }
  expect_u32("window word past DATA_WORDS", reg_rd(WIN(DW)), ref_reg_read(ref, WIN(DW)));
}

/* Let the scrubber finish: FRAMES_DIRTY == 0 and RECLAIM_PENDING == 0, model scrubbed. */
static void wait_clean(void) {
  snprintf(desc, sizeof desc, "wait for the scrubber");
  sgpu_status st = sgpu_wait_clean(dev, WAIT_CLEAN_CYCLES);
  if (st != SGPU_STATUS_SUCCESS) divergence("sgpu_wait_clean: %s", sgpu_status_str(st));
  uint32_t i = 0;
  while ((reg_rd(SGPU_REG_RECLAIM_PENDING) || reg_rd(SGPU_REG_FRAMES_DIRTY)) && ++i < RECLAIM_POLL_READS) {
  }
  if (i >= RECLAIM_POLL_READS)
    divergence("device still has RECLAIM_PENDING %u / FRAMES_DIRTY %u after waiting", reg_rd(SGPU_REG_RECLAIM_PENDING),
               reg_rd(SGPU_REG_FRAMES_DIRTY));
  sync_reclaims("after the wait");
  if (model_pending()) divergence("device posted every reclaim, model still has %u pending", model_pending());
  ref_scrub_all(ref);
  expect_u32("FRAMES_CLEAN after wait", reg_rd(SGPU_REG_FRAMES_CLEAN), ref_reg_read(ref, SGPU_REG_FRAMES_CLEAN));
  expect_u32("FRAMES_DIRTY after wait", reg_rd(SGPU_REG_FRAMES_DIRTY), ref_reg_read(ref, SGPU_REG_FRAMES_DIRTY));
  expect_u32("FRAMES_USED after wait", reg_rd(SGPU_REG_FRAMES_USED), ref_reg_read(ref, SGPU_REG_FRAMES_USED));
  expect_u32("RECLAIM_HANDLE after wait", reg_rd(SGPU_REG_RECLAIM_HANDLE), ref_reg_read(ref, SGPU_REG_RECLAIM_HANDLE));
  expect_u32("RECLAIM_FRAMES after wait", reg_rd(SGPU_REG_RECLAIM_FRAMES), ref_reg_read(ref, SGPU_REG_RECLAIM_FRAMES));
  logf_("  wait clean\n");
}

/* ------------------------------------------------------------------ input decoding */

typedef struct {
  const uint8_t *p;
  size_t n, i;
} rd;
static uint32_t u8(rd *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static uint32_t u16(rd *r) { uint32_t a = u8(r); return a | u8(r) << 8; }
static uint32_t u32(rd *r) { uint32_t a = u16(r); return a | u16(r) << 16; }

static uint32_t pick_handle(rd *r, uint32_t mode, uint32_t hs) {
  uint32_t slot = hs % (P + 2), pend = model_pending();
  uint32_t cur = slot < P ? ref_proc_handle(ref, slot) : (slot | 1u << SGPU_HANDLE_GEN_SHIFT);
  switch (mode & 7) {
  case 4: return cur + (1u << SGPU_HANDLE_GEN_SHIFT); /* a future generation */
  case 5: return cur - (1u << SGPU_HANDLE_GEN_SHIFT); /* stale (or generation 0) */
  case 6: return pend ? ref_pending_handle(ref, hs % pend) : cur; /* DYING */
  case 7: return u32(r);                                            /* garbage */
  default: return cur;
  }
}

static uint32_t pick_va(rd *r, uint32_t mode, uint32_t a) {
  switch (mode & 3) {
  case 0: return (a % (4 * E)) << S;                                   /* first leaf tables */
  case 1: return (uint32_t)((vpn_limit - 1 - a % (2 * E)) << S);        /* end of the space */
  case 2: return ((a >> 8) % (4 * E)) << S | (a & 0xFF & ((1u << S) - 1u)); /* maybe misaligned */
  default: (void)r; return a;                                           /* raw */
  }
}

static uint32_t pick_pages(uint32_t b) {
  switch (b >> 30) {
  case 0: case 1: return 1 + b % 8;
  case 2: return b % (3 * E);
  default: return b; /* huge, overflowing */
  }
}

/* One record -> one step. Returns false when the input is exhausted. */
static bool decode_one(rd *r, int idx) {
  if (r->i >= r->n) return false;
  uint32_t sel = u8(r), flags = u8(r), hs = u8(r);
  uint32_t a = u32(r), b = u32(r);
  uint32_t policy = flags & 3, hmode = flags >> 2 & 7, vmode = flags >> 5 & 3, garbage = flags >> 7;
  uint32_t args[4] = {0, 0, 0, 0}, opcode;
  logf_("#%d sel %u flags 0x%02X hs %u a 0x%08X b 0x%08X\n", idx, sel, flags, hs, a, b);
  switch (sel % 20) {
  case 0: case 1: case 2: opcode = SGPU_OP_CREATE_PROCESS; break;
  case 3: case 4: opcode = SGPU_OP_DESTROY_PROCESS; break;
  case 5: case 6: case 7: opcode = SGPU_OP_MAP; break;
  case 8: case 9: opcode = SGPU_OP_UNMAP; break;
  case 10: opcode = SGPU_OP_CREATE_QUEUE; break;
  case 11: opcode = SGPU_OP_DESTROY_QUEUE; break;
  case 12: opcode = SGPU_OP_QUERY; break;
  case 13: opcode = SGPU_OP_MEM_READ; break;
  case 14: case 15: opcode = SGPU_OP_MEM_WRITE; break;
  case 16: opcode = hs; break; /* any opcode byte, all argument words raw */
  case 17: { /* queue doorbell at the QDB offset of any slot of the window */
    uint32_t slots = SGPU_QUEUE_SLOTS;
    uint32_t q = flags & 0x80 ? a % slots : hs % (Q + 2);
    snprintf(desc, sizeof desc, "doorbell queue %u wptr 0x%08X", q, b);
    logf_("  %s\n", desc);
    sync_reclaims("before the doorbell");
    sgpu_status st = sgpu_reg_write(dev, SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + SGPU_QREG_QDB, b);
    if (st != SGPU_STATUS_SUCCESS) divergence("doorbell write failed: %s", sgpu_status_str(st));
    ref_doorbell(ref, q, b);
    compare_queues();
    compare_state();
    return true;
  }
  case 18: wait_clean(); compare_state(); return true;
  default: opcode = 1 + sel % SGPU_OP_MAX; break;
  }
  if (sel % 20 == 16) {
    args[0] = a; args[1] = b; args[2] = u32(r); args[3] = u32(r);
    if (!(flags & 0x80)) args[0] = pick_handle(r, hmode, a);
  } else {
    if (garbage) { args[1] = u32(r); args[2] = u32(r); args[3] = u32(r); }
    switch (opcode) {
    case SGPU_OP_CREATE_PROCESS: if (!garbage) args[0] = 0; else args[0] = a; break;
    case SGPU_OP_QUERY:
      args[0] = (hs & 0x80) ? SGPU_DEVICE_QUERY : pick_handle(r, hmode, hs);
      break;
    case SGPU_OP_DESTROY_PROCESS: args[0] = pick_handle(r, hmode, hs); break;
    case SGPU_OP_MAP: case SGPU_OP_UNMAP:
      args[0] = pick_handle(r, hmode, hs); args[1] = pick_va(r, vmode, a); args[2] = pick_pages(b);
      break;
    case SGPU_OP_CREATE_QUEUE:
      args[0] = pick_handle(r, hmode, hs);
      args[1] = vmode == 3 ? a : a & ~15u;
      args[2] = vmode >= 2 ? b : b % 17;
      break;
    case SGPU_OP_DESTROY_QUEUE:
      args[0] = pick_handle(r, hmode, hs);
      args[1] = vmode == 3 ? a : a % (Q + 2);
      break;
    default: /* MEM_READ / MEM_WRITE(handle, va, words) */
      args[0] = pick_handle(r, hmode, hs);
      if (vmode == 3) args[1] = a;                 /* raw */
      else if (vmode == 2) args[1] = pick_va(r, 2, a); /* maybe misaligned */
      else args[1] = (((a >> 8) % (4 * E)) << S) | ((a & 0xFFu) << 2 & ((1u << S) - 1u));
      switch (b >> 30) { /* mostly in 1..DW, the whole window often */
      case 0: args[2] = 1 + b % DW; break;
      case 1: args[2] = b & 1 ? DW : 1 + b % 4; break;
      case 2: args[2] = b % (DW + 2); break; /* 0 and DW + 1 too */
      default: args[2] = b; break;
      }
      if (opcode == SGPU_OP_MEM_WRITE) /* the data: from the input, zeros often */
        for (uint32_t i = 0; i < (args[2] < DW ? args[2] : DW); i++)
          win_write(i, (b ^ a * (i + 1)) & (i % 3 ? 0xFFFFFFFFu : 0u));
      break;
    }
  }
  both_exec(opcode, policy, args, NULL);
  if (opcode == SGPU_OP_MEM_READ || opcode == SGPU_OP_MEM_WRITE)
    compare_window(args[2] < DW ? args[2] : DW);
  if (opcode == SGPU_OP_CREATE_QUEUE || opcode == SGPU_OP_DESTROY_QUEUE || opcode == SGPU_OP_DESTROY_PROCESS)
    compare_queues();
  compare_state();
  return true;
}

/* Back to "everything free": destroy every live process (EAGER), wait for the scrubber. */
static void reset_state(void) {
  for (uint32_t s = 0; s < P; s++)
    if (ref_proc_state(ref, s) == SGPU_PROC_STATE_ACTIVE) {
      uint32_t args[4] = {ref_proc_handle(ref, s), 0, 0, 0};
      logf_("  reset: destroy slot %u\n", s);
      if (both_exec(SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_EAGER, args, NULL) != SGPU_STATUS_SUCCESS)
        divergence("reset: destroy of slot %u failed", s);
    }
  wait_clean();
  compare_queues();
  compare_state();
  for (uint32_t s = 0; s < P; s++)
    if (ref_proc_state(ref, s) != SGPU_PROC_STATE_FREE) divergence("reset: slot %u not free in the model", s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  char err[256];
  verbose = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE") == '1';
  const char *uri = getenv("FUZZ_URI") ? getenv("FUZZ_URI") : "sim:small";
  if (sgpu_open_ex(uri, &dev, err, sizeof err) != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "fuzz_admin: cannot open %s: %s\n", uri, err);
    exit(2);
  }
  uint32_t caps0 = reg_rd(SGPU_REG_CAPS0);
  ref_params p = {
      .procs = caps0 >> SGPU_CAPS0_NUM_PROCS_LSB & ((1u << SGPU_CAPS0_NUM_PROCS_BITS) - 1u),
      .queues = caps0 >> SGPU_CAPS0_NUM_QUEUES_LSB & ((1u << SGPU_CAPS0_NUM_QUEUES_BITS) - 1u),
      .frames = reg_rd(SGPU_REG_CAPS1),
      .page_shift = caps0 >> SGPU_CAPS0_PAGE_SHIFT_LSB & ((1u << SGPU_CAPS0_PAGE_SHIFT_BITS) - 1u),
      .tlb_entries = caps0 >> SGPU_CAPS0_TLB_ENTRIES_LSB & ((1u << SGPU_CAPS0_TLB_ENTRIES_BITS) - 1u),
      .data_words = reg_rd(SGPU_REG_CAPS2) >> SGPU_CAPS2_DATA_WORDS_LSB &
                    ((1u << SGPU_CAPS2_DATA_WORDS_BITS) - 1u),
  };
  ref = ref_create(&p);
  if (!ref) {
    fprintf(stderr, "fuzz_admin: ref_create failed (P %u Q %u F %u S %u DW %u)\n", p.procs, p.queues, p.frames,
            p.page_shift, p.data_words);
    exit(2);
  }
  P = p.procs; Q = p.queues; F = p.frames; S = p.page_shift; E = 1u << (S - 2); DW = p.data_words;
  vpn_limit = 1ull << (2 * (S - 2));
  msync_init(&ms, dev, ref, sync_failed, NULL);
  /* the model starts at reset; so must the device (fresh open). A device whose memory does
   * not start zeroed has its frames dirty until its first scrub: clean + dirty is the model's
   * clean count then, and the split is compared after a wait. */
  expect_u32("FRAMES_CLEAN + FRAMES_DIRTY at open",
             reg_rd(SGPU_REG_FRAMES_CLEAN) + reg_rd(SGPU_REG_FRAMES_DIRTY),
             ref_reg_read(ref, SGPU_REG_FRAMES_CLEAN));
  if (sgpu_wait_clean(dev, 100000000ull) != SGPU_STATUS_SUCCESS) {
    fprintf(stderr, "fuzz_admin: initial wait_clean: %s\n", sgpu_last_error(dev));
    exit(2);
  }
  expect_u32("FRAMES_CLEAN after the first scrub", reg_rd(SGPU_REG_FRAMES_CLEAN),
             ref_reg_read(ref, SGPU_REG_FRAMES_CLEAN));
  expect_u32("DB_IGNORED at open", reg_rd(SGPU_REG_DB_IGNORED), ref_reg_read(ref, SGPU_REG_DB_IGNORED));
  compare_window(DW); /* both start zeroed */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rd r = {data, size, 0};
  loglen = 0;
  ms.window[0] = 0;
  for (int i = 0; i < MAX_CMDS && decode_one(&r, i); i++) {
  }
  reset_state();
  return 0;
}
