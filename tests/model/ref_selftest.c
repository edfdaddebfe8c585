/* ref_selftest.c - directed checks of the reference model against hand-computed values
 * from docs/semantics.md, and of the device shell (sim_shell.c) through the sgpu_sim.h ABI
 * (linked directly): its mailbox, its placeholder (untimed) progress clock, its fault
 * switches. Needs no libsgpu and no RTL. Exit 0 if every check holds.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_ref.h"
#include "sgpu_regs.h"
#include "sgpu_sim.h"

static int failures;

#define CHECK_EQ(what, got, want)                                                              \
  do {                                                                                         \
    unsigned long long g_ = (got), w_ = (want);                                                \
    if (g_ != w_) {                                                                            \
      fprintf(stderr, "%s:%d: %s: got 0x%llx, want 0x%llx\n", __FILE__, __LINE__, what, g_,   \
              w_);                                                                             \
      failures++;                                                                              \
    }                                                                                          \
  } while (0)

static uint32_t res[6];

static uint32_t ex(sgpu_ref *r, uint32_t op, uint32_t a0, uint32_t a1, uint32_t a2) {
  uint32_t args[4] = {a0, a1, a2, 0};
  return ref_exec(r, op, 0, args, res);
}

static uint32_t destroy(sgpu_ref *r, uint32_t h, uint32_t policy) {
  uint32_t args[4] = {h, 0, 0, 0};
  return ref_exec(r, SGPU_OP_DESTROY_PROCESS, policy, args, res);
}

static void check_inv(const sgpu_ref *r, const char *where) {
  char msg[256];
  if (ref_check_invariants(r, msg, sizeof msg)) {
    fprintf(stderr, "invariants broken after %s: %s\n", where, msg);
    failures++;
  }
}

#define WIN(i) (SGPU_DATA_BASE + 4u * (i))

/* Fill the data window's first n words with base + i (through the host's write path). */
static void win_fill(sgpu_ref *r, uint32_t n, uint32_t base) {
  for (uint32_t i = 0; i < n; i++) ref_window_write(r, WIN(i), base + i);
}

/* P=2 Q=2 F=16 S=8: E=64 entries per table, 4096 virtual pages of 256 bytes; DW=8. */
static void test_small(void) {
  ref_params p = {.procs = 2, .queues = 2, .frames = 16, .page_shift = 8, .tlb_entries = 4,
                  .data_words = 8};
  sgpu_ref *r = ref_create(&p);
  if (!r) {
    fprintf(stderr, "ref_create failed\n");
    failures++;
    return;
  }
  CHECK_EQ("caps0", ref_reg_read(r, SGPU_REG_CAPS0), 0x08040202u);
  CHECK_EQ("caps1", ref_reg_read(r, SGPU_REG_CAPS1), 16);
  CHECK_EQ("caps2", ref_reg_read(r, SGPU_REG_CAPS2), 8);
  CHECK_EQ("window starts zero", ref_reg_read(r, WIN(7)), 0);
  ref_window_write(r, WIN(8), 5); /* past DATA_WORDS: ignored */
  ref_window_write(r, WIN(1) + 2, 5); /* not a word: ignored */
  CHECK_EQ("past the window reads 0", ref_reg_read(r, WIN(8)), 0);
  CHECK_EQ("window word 1 untouched", ref_reg_read(r, WIN(1)), 0);
  CHECK_EQ("bad opcode", ex(r, 0, 0, 0, 0), SGPU_STATUS_INVALID_DEVICE_REQUEST);
  CHECK_EQ("opcode past the last", ex(r, SGPU_OP_MAX + 1u, 0, 0, 0),
           SGPU_STATUS_INVALID_DEVICE_REQUEST);

  CHECK_EQ("create A", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), SGPU_STATUS_SUCCESS);
  uint32_t a = res[0];
  CHECK_EQ("A handle", a, 0x00010000u);
  CHECK_EQ("A asid", res[1], 0);
  CHECK_EQ("create B", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), SGPU_STATUS_SUCCESS);
  uint32_t b = res[0];
  CHECK_EQ("B handle", b, 0x00010001u);
  CHECK_EQ("create C: no slot", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0),
           SGPU_STATUS_INSUFFICIENT_RESOURCES);
  CHECK_EQ("failed results zero", res[0] | res[1] | res[2], 0);
  CHECK_EQ("used", ref_reg_read(r, SGPU_REG_FRAMES_USED), 2);

  /* Field checks. */
  CHECK_EQ("map misaligned", ex(r, SGPU_OP_MAP, a, 0x80, 1), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("map zero", ex(r, SGPU_OP_MAP, a, 0x100, 0), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("map past end", ex(r, SGPU_OP_MAP, a, 4095u << 8, 2), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("map last page", ex(r, SGPU_OP_MAP, a, 4095u << 8, 1), SGPU_STATUS_SUCCESS);
  CHECK_EQ("map last: leaves", res[1], 1);
  CHECK_EQ("map va beyond space", ex(r, SGPU_OP_MAP, a, 4096u << 8, 1),
           SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("map huge", ex(r, SGPU_OP_MAP, a, 0, 0xFFFFFFFFu), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("map bad handle", ex(r, SGPU_OP_MAP, 0x00020000u, 0, 1), SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("map bad slot", ex(r, SGPU_OP_MAP, 0x00010005u, 0x80, 1), SGPU_STATUS_INVALID_HANDLE);

  /* 3 pages spanning two leaf tables: 62..64 -> l1 0 and 1. */
  CHECK_EQ("map span", ex(r, SGPU_OP_MAP, a, 62u << 8, 3), SGPU_STATUS_SUCCESS);
  CHECK_EQ("map span pages", res[0], 3);
  CHECK_EQ("map span leaves", res[1], 2);
  CHECK_EQ("conflict", ex(r, SGPU_OP_MAP, a, 60u << 8, 3), SGPU_STATUS_CONFLICTING_ADDRESSES);
  /* used: 2 roots + 1 leaf + 1 page + 2 leaves + 3 pages = 9; free 7. needs 7+1 > 7. */
  CHECK_EQ("used 9", ref_reg_read(r, SGPU_REG_FRAMES_USED), 9);
  CHECK_EQ("no memory", ex(r, SGPU_OP_MAP, a, 128u << 8, 7), SGPU_STATUS_NO_MEMORY);
  CHECK_EQ("just enough", ex(r, SGPU_OP_MAP, a, 128u << 8, 6), SGPU_STATUS_SUCCESS);
  CHECK_EQ("all used", ref_reg_read(r, SGPU_REG_FRAMES_USED), 16);
  CHECK_EQ("create queue while full still ok", ex(r, SGPU_OP_CREATE_QUEUE, a, 0x1000, 4),
           SGPU_STATUS_SUCCESS);
  CHECK_EQ("queue 0", res[0], 0);
  check_inv(r, "maps");

  /* Memory through the data window: a has pages 62..64, 128..133, 4095 mapped. */
  win_fill(r, 2, 0xDEAD0000u);
  CHECK_EQ("write 2", ex(r, SGPU_OP_MEM_WRITE, a, (63u << 8) + 4, 2), SGPU_STATUS_SUCCESS);
  CHECK_EQ("write 2: words", res[0], 2);
  win_fill(r, 8, 0x5000u);
  CHECK_EQ("read 2", ex(r, SGPU_OP_MEM_READ, a, (63u << 8) + 4, 2), SGPU_STATUS_SUCCESS);
  CHECK_EQ("read 2: words", res[0], 2);
  CHECK_EQ("read word 0", ref_reg_read(r, WIN(0)), 0xDEAD0000u);
  CHECK_EQ("read word 1", ref_reg_read(r, WIN(1)), 0xDEAD0001u);
  CHECK_EQ("word 2 not touched", ref_reg_read(r, WIN(2)), 0x5002u);
  win_fill(r, 8, 0xB0000000u); /* 8 words over the 63/64 page boundary */
  CHECK_EQ("write across", ex(r, SGPU_OP_MEM_WRITE, a, (64u << 8) - 16, 8), SGPU_STATUS_SUCCESS);
  win_fill(r, 8, 0);
  CHECK_EQ("read across", ex(r, SGPU_OP_MEM_READ, a, (64u << 8) - 16, 8), SGPU_STATUS_SUCCESS);
  CHECK_EQ("across word 0", ref_reg_read(r, WIN(0)), 0xB0000000u);
  CHECK_EQ("across word 7", ref_reg_read(r, WIN(7)), 0xB0000007u);
  CHECK_EQ("read fresh", ex(r, SGPU_OP_MEM_READ, a, 130u << 8, 1), SGPU_STATUS_SUCCESS);
  CHECK_EQ("read fresh value", ref_reg_read(r, WIN(0)), 0);
  CHECK_EQ("read misaligned", ex(r, SGPU_OP_MEM_READ, a, 2, 1), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("read 0 words", ex(r, SGPU_OP_MEM_READ, a, 63u << 8, 0), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("write 9 words > DW", ex(r, SGPU_OP_MEM_WRITE, a, 63u << 8, 9),
           SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("read past 2^32", ex(r, SGPU_OP_MEM_READ, a, 0xFFFFFFF8u, 3),
           SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("read to 2^32, beyond space", ex(r, SGPU_OP_MEM_READ, a, 0xFFFFFFF8u, 2),
           SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("read unmapped", ex(r, SGPU_OP_MEM_READ, a, 0, 1), SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("failed: no result", res[0], 0);
  CHECK_EQ("read beyond space", ex(r, SGPU_OP_MEM_READ, a, 0x00100000u, 1),
           SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("read other process", ex(r, SGPU_OP_MEM_READ, b, (63u << 8) + 4, 1),
           SGPU_STATUS_ACCESS_VIOLATION);
  /* 61 unmapped, 62 mapped: a read of both changes no window word */
  win_fill(r, 8, 0x77000000u);
  CHECK_EQ("read half unmapped", ex(r, SGPU_OP_MEM_READ, a, (62u << 8) - 8, 4),
           SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("window unchanged", ref_reg_read(r, WIN(3)), 0x77000003u);
  /* 64 mapped, 65 not: a write of both writes nothing */
  CHECK_EQ("write half unmapped", ex(r, SGPU_OP_MEM_WRITE, a, (65u << 8) - 8, 4),
           SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("reread", ex(r, SGPU_OP_MEM_READ, a, (65u << 8) - 8, 2), SGPU_STATUS_SUCCESS);
  CHECK_EQ("nothing written (word 0)", ref_reg_read(r, WIN(0)), 0);
  CHECK_EQ("nothing written (word 1)", ref_reg_read(r, WIN(1)), 0);

  /* Unmap: partial hole -> NOT_MAPPED_VIEW; then 63..64 frees leaf 1 only. */
  CHECK_EQ("unmap hole", ex(r, SGPU_OP_UNMAP, a, 61u << 8, 2), SGPU_STATUS_NOT_MAPPED_VIEW);
  CHECK_EQ("unmap misaligned", ex(r, SGPU_OP_UNMAP, a, 1, 1), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("unmap", ex(r, SGPU_OP_UNMAP, a, 63u << 8, 2), SGPU_STATUS_SUCCESS);
  CHECK_EQ("unmap pages", res[0], 2);
  CHECK_EQ("unmap leaves", res[1], 1);
  CHECK_EQ("dirty 3", ref_reg_read(r, SGPU_REG_FRAMES_DIRTY), 3);
  CHECK_EQ("remap", ex(r, SGPU_OP_MAP, a, 63u << 8, 1), SGPU_STATUS_SUCCESS);
  CHECK_EQ("remap leaves", res[1], 0);
  ref_window_write(r, WIN(0), 0x1234u);
  CHECK_EQ("remapped reads zero", ex(r, SGPU_OP_MEM_READ, a, (63u << 8) + 4, 1),
           SGPU_STATUS_SUCCESS);
  CHECK_EQ("remapped value", ref_reg_read(r, WIN(0)), 0);
  check_inv(r, "unmap");

  /* Query. */
  CHECK_EQ("query A", ex(r, SGPU_OP_QUERY, a, 0, 0), SGPU_STATUS_SUCCESS);
  uint32_t qa[6] = {SGPU_PROC_STATE_ACTIVE, 0, 1 + 2 + 6, 1 + 3, 1, 0};
  for (int i = 0; i < 6; i++) CHECK_EQ("query A word", res[i], qa[i]);
  CHECK_EQ("query dev", ex(r, SGPU_OP_QUERY, SGPU_HANDLE_DEVICE, 0, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("dev used", res[2], 14);
  CHECK_EQ("dev clean+dirty", res[0] + res[1], 2);
  CHECK_EQ("dev procs", res[3], 2);
  CHECK_EQ("dev queues", res[4], 1);

  /* Queues. */
  CHECK_EQ("cq bad align", ex(r, SGPU_OP_CREATE_QUEUE, b, 8, 4), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("cq log2 0", ex(r, SGPU_OP_CREATE_QUEUE, b, 0, 0), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("cq log2 16", ex(r, SGPU_OP_CREATE_QUEUE, b, 0, 16), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("cq B", ex(r, SGPU_OP_CREATE_QUEUE, b, 0x2000, 15), SGPU_STATUS_SUCCESS);
  CHECK_EQ("cq B id", res[0], 1);
  CHECK_EQ("cq full", ex(r, SGPU_OP_CREATE_QUEUE, b, 0, 1), SGPU_STATUS_INSUFFICIENT_RESOURCES);
  CHECK_EQ("qring", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QRING),
           0x200Fu);
  CHECK_EQ("qstate", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QSTATE),
           0x101u);
  CHECK_EQ("dq other's", ex(r, SGPU_OP_DESTROY_QUEUE, b, 0, 0), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("dq bad id", ex(r, SGPU_OP_DESTROY_QUEUE, b, 2, 0), SGPU_STATUS_INVALID_PARAMETER);
  ref_doorbell(r, 1, 77);
  CHECK_EQ("qdb write-only", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QDB), 0);
  CHECK_EQ("qignored 0", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QIGNORED), 0);
  CHECK_EQ("db ignored 0", ref_reg_read(r, SGPU_REG_DB_IGNORED), 0);
  CHECK_EQ("dq B", ex(r, SGPU_OP_DESTROY_QUEUE, b, 1, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("released qdb", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QDB), 0);
  ref_doorbell(r, 1, 78);
  ref_doorbell(r, 7, 78); /* no such slot, inside the queue window: counted */
  CHECK_EQ("db ignored 2", ref_reg_read(r, SGPU_REG_DB_IGNORED), 2);
  CHECK_EQ("dead qignored", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QIGNORED), 0);
  CHECK_EQ("dq dead", ex(r, SGPU_OP_DESTROY_QUEUE, b, 1, 0), SGPU_STATUS_INVALID_PARAMETER);

  /* Destroy. */
  CHECK_EQ("destroy policy 3", destroy(r, a, 3), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("destroy bad handle before policy", destroy(r, 0x00050000u, 3),
           SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("destroy A", destroy(r, a, SGPU_POLICY_EAGER), SGPU_STATUS_SUCCESS);
  uint32_t da[6] = {0, 13, 4, 1, 0, 0};
  CHECK_EQ("eager: no reclaim event", ref_reg_read(r, SGPU_REG_RECLAIM_SEQ), 0);
  CHECK_EQ("eager: nothing pending", ref_reg_read(r, SGPU_REG_RECLAIM_PENDING), 0);
  for (int i = 0; i < 6; i++) CHECK_EQ("destroy A word", res[i], da[i]);
  CHECK_EQ("destroy A again", destroy(r, a, SGPU_POLICY_EAGER), SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("query stale", ex(r, SGPU_OP_QUERY, a, 0, 0), SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("queue 0 released", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QREG_QSTATE), 0);
  CHECK_EQ("used 1", ref_reg_read(r, SGPU_REG_FRAMES_USED), 1);
  CHECK_EQ("create A2", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("A2 handle gen 2", res[0], 0x00020000u);
  check_inv(r, "destroy");
  CHECK_EQ("scrub", ref_scrub(r, 1000), 14);
  CHECK_EQ("dirty 0", ref_reg_read(r, SGPU_REG_FRAMES_DIRTY), 0);
  ref_destroy(r);
}

/* DEFERRED: completion with the results, slot DYING (TERMINATING for every command naming
 * it), frames dirty and queues released at once, slot FREE with gen + 1 and a reclaim event
 * once the scrubber has cleaned all its frames, events in destroy order. P=3 Q=3 F=16 S=8. */
static void test_deferred(void) {
  ref_params p = {.procs = 3, .queues = 3, .frames = 16, .page_shift = 8, .tlb_entries = 4,
                  .data_words = 64};
  sgpu_ref *r = ref_create(&p);
  uint32_t a, b, c, args[4] = {0};
  ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), a = res[0];
  ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), b = res[0];
  CHECK_EQ("A map 3", ex(r, SGPU_OP_MAP, a, 0, 3), SGPU_STATUS_SUCCESS);     /* 3 + 1 leaf */
  CHECK_EQ("A queue", ex(r, SGPU_OP_CREATE_QUEUE, a, 0x100, 2), SGPU_STATUS_SUCCESS);
  ref_doorbell(r, 0, 9);
  CHECK_EQ("B map 2", ex(r, SGPU_OP_MAP, b, 64u << 8, 2), SGPU_STATUS_SUCCESS); /* 2 + 1 */
  CHECK_EQ("used", ref_reg_read(r, SGPU_REG_FRAMES_USED), 9);
  CHECK_EQ("destroy A deferred", destroy(r, a, SGPU_POLICY_DEFERRED), SGPU_STATUS_SUCCESS);
  uint32_t da[6] = {0, 5, 2, 1, 0, 0};
  for (int i = 0; i < 6; i++) CHECK_EQ("deferred result word", res[i], da[i]);
  CHECK_EQ("A dying", ref_proc_state(r, 0), SGPU_PROC_STATE_DYING);
  CHECK_EQ("same generation", ref_proc_handle(r, 0), a);
  CHECK_EQ("pending 1", ref_reg_read(r, SGPU_REG_RECLAIM_PENDING), 1);
  CHECK_EQ("pending handle", ref_pending_handle(r, 0), a);
  CHECK_EQ("seq 0", ref_reg_read(r, SGPU_REG_RECLAIM_SEQ), 0);
  CHECK_EQ("frames dirty at once", ref_reg_read(r, SGPU_REG_FRAMES_DIRTY), 5);
  CHECK_EQ("used 4", ref_reg_read(r, SGPU_REG_FRAMES_USED), 4);
  CHECK_EQ("queue released at once", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QREG_QSTATE), 0);
  CHECK_EQ("queue QDB 0", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QREG_QDB), 0);
  CHECK_EQ("query dying", ex(r, SGPU_OP_QUERY, a, 0, 0), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("failed: zero results", res[0] | res[1] | res[5], 0);
  CHECK_EQ("destroy dying", destroy(r, a, SGPU_POLICY_EAGER), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("destroy dying deferred", destroy(r, a, SGPU_POLICY_DEFERRED),
           SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("destroy dying policy 3 (handle first)", destroy(r, a, 3),
           SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("map dying", ex(r, SGPU_OP_MAP, a, 0x1000, 1), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("map dying bad va (handle first)", ex(r, SGPU_OP_MAP, a, 3, 0),
           SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("read dying", ex(r, SGPU_OP_MEM_READ, a, 0, 0), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("cq dying", ex(r, SGPU_OP_CREATE_QUEUE, a, 0, 2), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("dq dying", ex(r, SGPU_OP_DESTROY_QUEUE, a, 0, 0), SGPU_STATUS_PROCESS_IS_TERMINATING);
  CHECK_EQ("other gen of a dying slot", ex(r, SGPU_OP_QUERY, a + 0x10000u, 0, 0),
           SGPU_STATUS_INVALID_HANDLE);
  uint32_t db0 = ref_reg_read(r, SGPU_REG_DB_IGNORED);
  ref_doorbell(r, 0, 10);
  CHECK_EQ("dying queue doorbell counted", ref_reg_read(r, SGPU_REG_DB_IGNORED), db0 + 1);
  CHECK_EQ("released queue QIGNORED 0", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QREG_QIGNORED), 0);
  CHECK_EQ("dev query", ex(r, SGPU_OP_QUERY, SGPU_HANDLE_DEVICE, 0, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("live processes count DYING", res[3], 2);
  CHECK_EQ("live queues", res[4], 0);
  check_inv(r, "deferred destroy");

  /* A FREE slot exists (2): taken; then none is FREE: INSUFFICIENT_RESOURCES, not slot 0. */
  CHECK_EQ("create C", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), SGPU_STATUS_SUCCESS);
  c = res[0];
  CHECK_EQ("C in slot 2", c, 0x00010002u);
  CHECK_EQ("create: only a DYING slot", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0),
           SGPU_STATUS_INSUFFICIENT_RESOURCES);
  /* Deferred destroy of B too: FIFO. Partial scrubbing posts nothing until all of A's 5. */
  CHECK_EQ("destroy B deferred", destroy(r, b, SGPU_POLICY_DEFERRED), SGPU_STATUS_SUCCESS);
  CHECK_EQ("B frames", res[1], 4);
  CHECK_EQ("pending 2", ref_reclaim_pending(r), 2);
  CHECK_EQ("scrub 4", ref_scrub(r, 4), 4);
  CHECK_EQ("still pending 2", ref_reclaim_pending(r), 2);
  CHECK_EQ("scrub 1", ref_scrub(r, 1), 1);
  CHECK_EQ("A reclaimed", ref_reg_read(r, SGPU_REG_RECLAIM_SEQ), 1);
  CHECK_EQ("A reclaim handle", ref_reg_read(r, SGPU_REG_RECLAIM_HANDLE), a);
  CHECK_EQ("A reclaim frames", ref_reg_read(r, SGPU_REG_RECLAIM_FRAMES), 5);
  CHECK_EQ("pending 1 again", ref_reg_read(r, SGPU_REG_RECLAIM_PENDING), 1);
  CHECK_EQ("A slot free", ref_proc_state(r, 0), SGPU_PROC_STATE_FREE);
  CHECK_EQ("A stale", ex(r, SGPU_OP_QUERY, a, 0, 0), SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("destroy A stale", destroy(r, a, SGPU_POLICY_DEFERRED), SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("create into A's slot", ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("A's slot gen 2", res[0], 0x00020000u);
  uint32_t a2 = res[0];
  check_inv(r, "first reclaim");
  /* An allocation that takes B's dirty frames completes B's reclaim on the way. */
  uint32_t clean = ref_reg_read(r, SGPU_REG_FRAMES_CLEAN);
  uint32_t free = clean + ref_reg_read(r, SGPU_REG_FRAMES_DIRTY);
  CHECK_EQ("map into dirty frames", ex(r, SGPU_OP_MAP, a2, 0, free - 1), SGPU_STATUS_SUCCESS);
  CHECK_EQ("B reclaimed by the allocation", ref_reg_read(r, SGPU_REG_RECLAIM_SEQ), 2);
  CHECK_EQ("B reclaim handle", ref_reg_read(r, SGPU_REG_RECLAIM_HANDLE), b);
  CHECK_EQ("B reclaim frames", ref_reg_read(r, SGPU_REG_RECLAIM_FRAMES), 4);
  CHECK_EQ("nothing pending", ref_reg_read(r, SGPU_REG_RECLAIM_PENDING), 0);
  check_inv(r, "allocation reclaim");
  /* ref_reclaim_upto: only as far as asked. */
  CHECK_EQ("destroy C deferred", destroy(r, c, SGPU_POLICY_DEFERRED), SGPU_STATUS_SUCCESS);
  CHECK_EQ("destroy A2 deferred", destroy(r, a2, SGPU_POLICY_DEFERRED), SGPU_STATUS_SUCCESS);
  CHECK_EQ("upto 3", ref_reclaim_upto(r, 3), 3);
  CHECK_EQ("C done, A2 pending", ref_reclaim_pending(r), 1);
  CHECK_EQ("C handle", ref_reg_read(r, SGPU_REG_RECLAIM_HANDLE), c);
  CHECK_EQ("upto 3 again", ref_reclaim_upto(r, 3), 3);
  CHECK_EQ("upto 100 stops at the last", ref_reclaim_upto(r, 100), 4);
  CHECK_EQ("A2 gen 3", ref_proc_handle(r, 0), 0x00030000u);
  ref_scrub_all(r);
  CHECK_EQ("all clean", ref_reg_read(r, SGPU_REG_FRAMES_CLEAN), 16);
  check_inv(r, "all reclaimed");
  (void)args;
  ref_destroy(r);
}

/* Generation wrap: 0xFFFF + 1 skips 0. */
static void test_gen_wrap(void) {
  ref_params p = {.procs = 1, .queues = 1, .frames = 4, .page_shift = 12, .tlb_entries = 0,
                  .data_words = 2};
  sgpu_ref *r = ref_create(&p);
  uint32_t h = 0;
  for (uint32_t i = 0; i < 0xFFFFu; i++) {
    if (ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0) != SGPU_STATUS_SUCCESS) {
      failures++;
      break;
    }
    h = res[0];
    destroy(r, h, SGPU_POLICY_EAGER);
  }
  CHECK_EQ("last gen", h, 0xFFFF0000u);
  ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0);
  CHECK_EQ("wrapped gen", res[0], 0x00010000u);
  ref_destroy(r);
}

/* A range over three pages: S=4 (16-byte pages of 4 words), DW=8. Every page is checked
 * before anything moves; words land at va + 4 i in order. */
static void test_window_pages(void) {
  ref_params p = {.procs = 1, .queues = 1, .frames = 16, .page_shift = 4, .tlb_entries = 1,
                  .data_words = 8};
  sgpu_ref *r = ref_create(&p);
  CHECK_EQ("DW not a power of two refused",
           ref_create(&(ref_params){.procs = 1, .queues = 1, .frames = 4, .page_shift = 8,
                                    .data_words = 12}) == NULL, 1);
  ex(r, SGPU_OP_CREATE_PROCESS, 0, 0, 0);
  uint32_t h = res[0];
  CHECK_EQ("map 4 pages", ex(r, SGPU_OP_MAP, h, 0, 4), SGPU_STATUS_SUCCESS);
  win_fill(r, 8, 0xA0);
  CHECK_EQ("write over 3 pages", ex(r, SGPU_OP_MEM_WRITE, h, 4, 8), SGPU_STATUS_SUCCESS);
  win_fill(r, 8, 0);
  CHECK_EQ("read page 2", ex(r, SGPU_OP_MEM_READ, h, 32, 4), SGPU_STATUS_SUCCESS);
  CHECK_EQ("va 32 = window word 7 of the write", ref_reg_read(r, WIN(0)), 0xA7);
  CHECK_EQ("va 36 never written", ref_reg_read(r, WIN(1)), 0);
  CHECK_EQ("unmap page 2", ex(r, SGPU_OP_UNMAP, h, 32, 1), SGPU_STATUS_SUCCESS);
  win_fill(r, 8, 0xC0);
  CHECK_EQ("write over a hole", ex(r, SGPU_OP_MEM_WRITE, h, 4, 8), SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("read page 0..1", ex(r, SGPU_OP_MEM_READ, h, 0, 8), SGPU_STATUS_SUCCESS);
  CHECK_EQ("page 0 unchanged", ref_reg_read(r, WIN(1)), 0xA0);
  CHECK_EQ("page 1 unchanged", ref_reg_read(r, WIN(7)), 0xA6);
  check_inv(r, "window pages");
  ref_destroy(r);
}

/* The ABI wrapper: a CREATE_PROCESS through the mailbox. */
static uint32_t rd(sgpu_sim *s, uint32_t a) {
  uint32_t v = 0;
  sgpu_sim_read32(s, a, &v, 100);
  return v;
}

static void test_sim(void) {
  setenv("SGPU_MODEL_PARAMS", "4,4,64,8", 1);
  sgpu_sim *s = sgpu_sim_create(NULL);
  if (!s) {
    failures++;
    return;
  }
  CHECK_EQ("id", rd(s, SGPU_REG_ID), SGPU_MAGIC);
  CHECK_EQ("caps1", rd(s, SGPU_REG_CAPS1), 64);
  CHECK_EQ("caps2 default", rd(s, SGPU_REG_CAPS2), 64);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, SGPU_OP_CREATE_PROCESS, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  CHECK_EQ("busy", rd(s, SGPU_REG_ADMIN_STATUS), 1);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  CHECK_EQ("dropped", rd(s, SGPU_REG_ADMIN_DROPPED), 1);
  sgpu_sim_step(s, 100);
  CHECK_EQ("irq", rd(s, SGPU_REG_ADMIN_STATUS), 2);
  CHECK_EQ("seq", rd(s, SGPU_REG_CPL_SEQ), 1);
  CHECK_EQ("status", rd(s, SGPU_REG_CPL_STATUS), 0);
  CHECK_EQ("handle", rd(s, SGPU_REG_CPL_RES0), 0x00010000u);
  sgpu_sim_write32(s, SGPU_REG_IRQ_ACK, 1, 100);
  CHECK_EQ("acked", rd(s, SGPU_REG_ADMIN_STATUS), 0);
  /* the data window is the host's while idle, the device's while BUSY */
  sgpu_sim_write32(s, WIN(3), 0xCAFEu, 100);
  CHECK_EQ("window word", rd(s, WIN(3)), 0xCAFEu);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, SGPU_OP_QUERY, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG0, 0x00010000u, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  CHECK_EQ("window reads 0 while BUSY", rd(s, WIN(3)), 0);
  sgpu_sim_write32(s, WIN(3), 0xBEEFu, 100);
  sgpu_sim_step(s, 100);
  CHECK_EQ("write while BUSY ignored", rd(s, WIN(3)), 0xCAFEu);
  sgpu_sim_write32(s, SGPU_REG_IRQ_ACK, 1, 100);
  /* destroy: 1 root frame freed, dirty, scrubbed within 16 cycles (E=64 words / 4). The
   * cycle numbers are the shell's placeholders (untimed), checked here so they stay as
   * documented in sim_shell.c, not because the RTL has them. */
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG0, 0x00010000u, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, SGPU_OP_DESTROY_PROCESS | SGPU_POLICY_EAGER << 8, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  CHECK_EQ("dirty after destroy", rd(s, SGPU_REG_FRAMES_DIRTY), 1);
  sgpu_sim_step(s, 100);
  CHECK_EQ("destroy status", rd(s, SGPU_REG_CPL_STATUS), 0);
  CHECK_EQ("destroy cycles", rd(s, SGPU_REG_CPL_RES0), 7);
  uint32_t sum = 0;
  for (uint32_t a = SGPU_REG_TD_VALIDATE; a <= SGPU_REG_TD_COMPLETE; a += 4) {
    CHECK_EQ("eager phase >= 1", rd(s, a) >= 1, 1);
    sum += rd(s, a);
  }
  CHECK_EQ("eager phases sum to cycles", sum, 7);
  CHECK_EQ("destroy frames", rd(s, SGPU_REG_CPL_RES1), 1);
  CHECK_EQ("scrubbed", rd(s, SGPU_REG_FRAMES_DIRTY), 0);
  CHECK_EQ("clean", rd(s, SGPU_REG_FRAMES_CLEAN), 64);
  CHECK_EQ("eager TD_SCRUB once its frame is clean", rd(s, SGPU_REG_TD_SCRUB) >= 1, 1);
  uint64_t c = sgpu_sim_cycles(s);
  CHECK_EQ("cycle lo", rd(s, SGPU_REG_CYCLE_LO), (uint32_t)(c + 1));
  /* The register bus is SGPU_BUS_ADDR_BITS wide: beyond it nothing answers. */
  uint32_t v = 0x5a5a5a5au;
  CHECK_EQ("read beyond the bus fails", sgpu_sim_read32(s, 1u << SGPU_BUS_ADDR_BITS, &v, 100),
           -1);
  CHECK_EQ("and leaves the value", v, 0x5a5a5a5au);
  CHECK_EQ("write beyond the bus fails",
           sgpu_sim_write32(s, (1u << SGPU_BUS_ADDR_BITS) + SGPU_REG_ADMIN_DOORBELL, 1, 100),
           -1);
  CHECK_EQ("no command from it", (rd(s, SGPU_REG_ADMIN_STATUS) >> SGPU_ADMIN_STATUS_BUSY_LSB & 1u), 0);
  sgpu_sim_destroy(s);
}

/* The fault switches (SGPU_MODEL_FAULTS, SGPU_MODEL_FAIL_READS). */
static void test_faults(void) {
  char faults[128], fail_reads[64];
  snprintf(faults, sizeof faults, "magic=0x12345678,abi=7,hang,fail_read=0x%x",
           SGPU_REG_TD_STOP_DRAIN);
  snprintf(fail_reads, sizeof fail_reads, "0x%x,0x%x", SGPU_REG_TD_TLB, SGPU_REG_RECLAIM_SEQ);
  setenv("SGPU_MODEL_PARAMS", "2,2,16,8", 1);
  setenv("SGPU_MODEL_FAULTS", faults, 1);
  setenv("SGPU_MODEL_FAIL_READS", fail_reads, 1);
  CHECK_EQ("abi switch", sgpu_sim_abi_version(), 7);
  sgpu_sim *s = sgpu_sim_create(NULL);
  unsetenv("SGPU_MODEL_FAULTS");
  unsetenv("SGPU_MODEL_FAIL_READS");
  if (!s) {
    failures++;
    return;
  }
  CHECK_EQ("abi back to normal", sgpu_sim_abi_version(), SGPU_SIM_ABI_VERSION);
  CHECK_EQ("magic switch", rd(s, SGPU_REG_ID), 0x12345678u);
  uint32_t v = 0;
  CHECK_EQ("fail_read TD_STOP_DRAIN", sgpu_sim_read32(s, SGPU_REG_TD_STOP_DRAIN, &v, 100), -1);
  CHECK_EQ("FAIL_READS TD_TLB", sgpu_sim_read32(s, SGPU_REG_TD_TLB, &v, 100), -1);
  CHECK_EQ("FAIL_READS RECLAIM_SEQ", sgpu_sim_read32(s, SGPU_REG_RECLAIM_SEQ, &v, 100), -1);
  CHECK_EQ("other reads work", sgpu_sim_read32(s, SGPU_REG_TD_VALIDATE, &v, 100), 0);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, SGPU_OP_CREATE_PROCESS, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  sgpu_sim_step(s, 100000);
  CHECK_EQ("hang: still BUSY", (rd(s, SGPU_REG_ADMIN_STATUS) >> SGPU_ADMIN_STATUS_BUSY_LSB & 1u), 1);
  CHECK_EQ("hang: no completion", rd(s, SGPU_REG_CPL_SEQ), 0);
  CHECK_EQ("hang: nothing executed", rd(s, SGPU_REG_FRAMES_USED), 0);
  sgpu_sim_destroy(s);
  setenv("SGPU_MODEL_FAULTS", "frobnicate", 1);
  s = sgpu_sim_create(NULL);
  CHECK_EQ("an unknown switch fails the creation", s == NULL, 1);
  sgpu_sim_destroy(s);
  unsetenv("SGPU_MODEL_FAULTS");
}

static uint32_t sim_cmd(sgpu_sim *s, uint32_t op, uint32_t policy, uint32_t a0, uint32_t a1,
                        uint32_t a2) {
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG0, a0, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG1, a1, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG2, a2, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, op | policy << SGPU_CMD_OP_POLICY_LSB, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  while ((rd(s, SGPU_REG_ADMIN_STATUS) >> SGPU_ADMIN_STATUS_BUSY_LSB & 1u)) {}
  return rd(s, SGPU_REG_CPL_STATUS);
}

/* The shell's DEFERRED timing: no event before the completion, then one when the scrubber is
 * done; phase registers; the queue window beyond Q. */
static void test_sim_deferred(void) {
  setenv("SGPU_MODEL_PARAMS", "2,2,64,8", 1);
  sgpu_sim *s = sgpu_sim_create(NULL);
  CHECK_EQ("create", sim_cmd(s, SGPU_OP_CREATE_PROCESS, 0, 0, 0, 0), 0);
  uint32_t h = rd(s, SGPU_REG_CPL_RES0);
  CHECK_EQ("map", sim_cmd(s, SGPU_OP_MAP, 0, h, 0, 10), 0);
  CHECK_EQ("cq", sim_cmd(s, SGPU_OP_CREATE_QUEUE, 0, h, 0x100, 2), 0);
  CHECK_EQ("deferred", sim_cmd(s, SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_DEFERRED, h, 0, 0), 0);
  uint32_t cyc = rd(s, SGPU_REG_CPL_RES0);
  CHECK_EQ("frames", rd(s, SGPU_REG_CPL_RES1), 12);
  CHECK_EQ("deferred cycles = validate+stop+tlb+complete",
           rd(s, SGPU_REG_TD_VALIDATE) + rd(s, SGPU_REG_TD_STOP_DRAIN) + rd(s, SGPU_REG_TD_TLB) +
               rd(s, SGPU_REG_TD_COMPLETE),
           cyc);
  CHECK_EQ("pending", rd(s, SGPU_REG_RECLAIM_PENDING), 1);
  CHECK_EQ("no event yet", rd(s, SGPU_REG_RECLAIM_SEQ), 0);
  CHECK_EQ("terminating", sim_cmd(s, SGPU_OP_QUERY, 0, h, 0, 0), SGPU_STATUS_PROCESS_IS_TERMINATING);
  sgpu_sim_step(s, 12 * 16 + 16);
  CHECK_EQ("event", rd(s, SGPU_REG_RECLAIM_SEQ), 1);
  CHECK_EQ("event handle", rd(s, SGPU_REG_RECLAIM_HANDLE), h);
  CHECK_EQ("event frames", rd(s, SGPU_REG_RECLAIM_FRAMES), 12);
  CHECK_EQ("pending 0", rd(s, SGPU_REG_RECLAIM_PENDING), 0);
  CHECK_EQ("TD_FREE stays 0 (the event has its own)", rd(s, SGPU_REG_TD_FREE), 0);
  CHECK_EQ("TD_SCRUB stays 0 (the event has its own)", rd(s, SGPU_REG_TD_SCRUB), 0);
  CHECK_EQ("RECLAIM_FREE >= 1", rd(s, SGPU_REG_RECLAIM_FREE) >= 1, 1);
  CHECK_EQ("RECLAIM_RELEASE >= 1", rd(s, SGPU_REG_RECLAIM_RELEASE) >= 1, 1);
  CHECK_EQ("RECLAIM_SCRUB >= 12 frames * 16", rd(s, SGPU_REG_RECLAIM_SCRUB) >= 12 * 16, 1);
  CHECK_EQ("RECLAIM_CYCLES > RECLAIM_SCRUB",
           rd(s, SGPU_REG_RECLAIM_CYCLES) > rd(s, SGPU_REG_RECLAIM_SCRUB), 1);
  CHECK_EQ("invalid now", sim_cmd(s, SGPU_OP_QUERY, 0, h, 0, 0), SGPU_STATUS_INVALID_HANDLE);
  uint32_t db0 = rd(s, SGPU_REG_DB_IGNORED);
  sgpu_sim_write32(s, SGPU_QUEUE_BASE + 5 * SGPU_QUEUE_STRIDE, 1, 100); /* slot 5 >= Q */
  sgpu_sim_write32(s, SGPU_QUEUE_BASE + SGPU_QUEUE_SIZE - SGPU_QUEUE_STRIDE, 1, 100); /* last */
  sgpu_sim_write32(s, SGPU_QUEUE_BASE + SGPU_QUEUE_SIZE, 1, 100); /* past the window: nothing */
  sgpu_sim_write32(s, SGPU_QUEUE_BASE + 5 * SGPU_QUEUE_STRIDE + 4, 1, 100); /* not QDB */
  CHECK_EQ("beyond-Q doorbells counted", rd(s, SGPU_REG_DB_IGNORED), db0 + 2);
  CHECK_EQ("beyond-Q reads 0", rd(s, SGPU_QUEUE_BASE + 5 * SGPU_QUEUE_STRIDE), 0);
  sgpu_sim_destroy(s);
}

/* The model takes exactly the configurations the core elaborates (sgpu_core's limits, from
 * the map): the largest of each is accepted, one more is refused. */
static void test_limits(void) {
  static const struct {
    const char *what;
    uint32_t procs, queues, page_shift, tlb;
    bool ok;
  } cases[] = {
      {"255 processes", 255, 4, 8, 4, true},     {"256 processes", 256, 4, 8, 4, false},
      {"254 queues", 4, 254, 8, 4, true},        {"255 queues", 4, 255, 8, 4, false},
      {"page shift 12", 4, 4, 12, 4, true},      {"page shift 13", 4, 4, 13, 4, false},
      {"255 TLB entries", 4, 4, 8, 255, true},   {"256 TLB entries", 4, 4, 8, 256, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ref_params p = {.procs = cases[i].procs, .queues = cases[i].queues, .frames = 16,
                    .page_shift = cases[i].page_shift, .tlb_entries = cases[i].tlb,
                    .data_words = 8};
    sgpu_ref *r = ref_create(&p);
    CHECK_EQ(cases[i].what, r != NULL, cases[i].ok);
    ref_destroy(r);
  }
}

int main(void) {
  test_limits();
  test_small();
  test_deferred();
  test_gen_wrap();
  test_window_pages();
  test_sim();
  test_sim_deferred();
  test_faults();
  if (failures) {
    fprintf(stderr, "ref_selftest: %d check(s) failed\n", failures);
    return 1;
  }
  printf("ref_selftest: all checks passed\n");
  return 0;
}
