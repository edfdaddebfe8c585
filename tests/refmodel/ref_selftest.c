/* ref_selftest.c - directed checks of the reference model against hand-computed values
 * from docs/semantics.md, and of sim_ref.c through the sgpu_sim.h ABI (linked directly).
 * Needs no libsgpu and no RTL. Exit 0 if every check holds.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
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

/* P=2 Q=2 F=16 S=8: E=64 entries per table, 4096 virtual pages of 256 bytes. */
static void test_small(void) {
  ref_params p = {.procs = 2, .queues = 2, .frames = 16, .page_shift = 8, .tlb_entries = 4};
  sgpu_ref *r = ref_create(&p);
  if (!r) {
    fprintf(stderr, "ref_create failed\n");
    failures++;
    return;
  }
  CHECK_EQ("caps0", ref_reg_read(r, SGPU_REG_CAPS0), 0x08040202u);
  CHECK_EQ("caps1", ref_reg_read(r, SGPU_REG_CAPS1), 16);
  CHECK_EQ("bad opcode", ex(r, 0, 0, 0, 0), SGPU_STATUS_INVALID_DEVICE_REQUEST);
  CHECK_EQ("bad opcode 10", ex(r, 10, 0, 0, 0), SGPU_STATUS_INVALID_DEVICE_REQUEST);

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

  /* Memory. */
  CHECK_EQ("write", ex(r, SGPU_OP_MEM_WRITE, a, (63u << 8) + 4, 0xDEADBEEFu), SGPU_STATUS_SUCCESS);
  CHECK_EQ("read", ex(r, SGPU_OP_MEM_READ, a, (63u << 8) + 4, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("read value", res[0], 0xDEADBEEFu);
  CHECK_EQ("read fresh", ex(r, SGPU_OP_MEM_READ, a, 64u << 8, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("read fresh value", res[0], 0);
  CHECK_EQ("read misaligned", ex(r, SGPU_OP_MEM_READ, a, 2, 0), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("read unmapped", ex(r, SGPU_OP_MEM_READ, a, 0, 0), SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("read beyond space", ex(r, SGPU_OP_MEM_READ, a, 0x00100000u, 0),
           SGPU_STATUS_ACCESS_VIOLATION);
  CHECK_EQ("read other process", ex(r, SGPU_OP_MEM_READ, b, (63u << 8) + 4, 0),
           SGPU_STATUS_ACCESS_VIOLATION);

  /* Unmap: partial hole -> NOT_MAPPED_VIEW; then 63..64 frees leaf 1 only. */
  CHECK_EQ("unmap hole", ex(r, SGPU_OP_UNMAP, a, 61u << 8, 2), SGPU_STATUS_NOT_MAPPED_VIEW);
  CHECK_EQ("unmap misaligned", ex(r, SGPU_OP_UNMAP, a, 1, 1), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("unmap", ex(r, SGPU_OP_UNMAP, a, 63u << 8, 2), SGPU_STATUS_SUCCESS);
  CHECK_EQ("unmap pages", res[0], 2);
  CHECK_EQ("unmap leaves", res[1], 1);
  CHECK_EQ("dirty 3", ref_reg_read(r, SGPU_REG_FRAMES_DIRTY), 3);
  CHECK_EQ("remap", ex(r, SGPU_OP_MAP, a, 63u << 8, 1), SGPU_STATUS_SUCCESS);
  CHECK_EQ("remap leaves", res[1], 0);
  CHECK_EQ("remapped reads zero", ex(r, SGPU_OP_MEM_READ, a, (63u << 8) + 4, 0),
           SGPU_STATUS_SUCCESS);
  CHECK_EQ("remapped value", res[0], 0);
  check_inv(r, "unmap");

  /* Query. */
  CHECK_EQ("query A", ex(r, SGPU_OP_QUERY, a, 0, 0), SGPU_STATUS_SUCCESS);
  uint32_t qa[6] = {SGPU_PROC_STATE_ACTIVE, 0, 1 + 2 + 6, 1 + 3, 1, 0};
  for (int i = 0; i < 6; i++) CHECK_EQ("query A word", res[i], qa[i]);
  CHECK_EQ("query dev", ex(r, SGPU_OP_QUERY, 0xFFFFFFFFu, 0, 0), SGPU_STATUS_SUCCESS);
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
  CHECK_EQ("qdb", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QDB), 77);
  CHECK_EQ("db ignored 0", ref_reg_read(r, SGPU_REG_DB_IGNORED), 0);
  CHECK_EQ("dq B", ex(r, SGPU_OP_DESTROY_QUEUE, b, 1, 0), SGPU_STATUS_SUCCESS);
  CHECK_EQ("released qdb", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QDB), 0);
  ref_doorbell(r, 1, 78);
  ref_doorbell(r, 7, 78); /* no such slot: not counted */
  CHECK_EQ("db ignored 1", ref_reg_read(r, SGPU_REG_DB_IGNORED), 1);
  CHECK_EQ("dead qignored", ref_reg_read(r, SGPU_QUEUE_BASE + SGPU_QUEUE_STRIDE + SGPU_QREG_QIGNORED), 0);
  CHECK_EQ("dq dead", ex(r, SGPU_OP_DESTROY_QUEUE, b, 1, 0), SGPU_STATUS_INVALID_PARAMETER);

  /* Destroy. */
  CHECK_EQ("destroy policy 3", destroy(r, a, 3), SGPU_STATUS_INVALID_PARAMETER);
  CHECK_EQ("destroy deferred", destroy(r, a, SGPU_POLICY_DEFERRED), SGPU_STATUS_NOT_IMPLEMENTED);
  CHECK_EQ("destroy bad handle before policy", destroy(r, 0x00050000u, 3),
           SGPU_STATUS_INVALID_HANDLE);
  CHECK_EQ("destroy A", destroy(r, a, SGPU_POLICY_EAGER), SGPU_STATUS_SUCCESS);
  uint32_t da[6] = {0, 13, 4, 1, 0, 0};
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

/* Generation wrap: 0xFFFF + 1 skips 0. */
static void test_gen_wrap(void) {
  ref_params p = {.procs = 1, .queues = 1, .frames = 4, .page_shift = 12, .tlb_entries = 0};
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

/* The ABI wrapper: a CREATE_PROCESS through the mailbox. */
static uint32_t rd(sgpu_sim *s, uint32_t a) {
  uint32_t v = 0;
  sgpu_sim_read32(s, a, &v, 100);
  return v;
}

static void test_sim(void) {
  setenv("SGPU_REF_PARAMS", "4,4,64,8", 1);
  sgpu_sim *s = sgpu_sim_create(NULL);
  if (!s) {
    failures++;
    return;
  }
  CHECK_EQ("id", rd(s, SGPU_REG_ID), SGPU_MAGIC);
  CHECK_EQ("caps1", rd(s, SGPU_REG_CAPS1), 64);
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
  /* destroy: 1 root frame freed, dirty, scrubbed within 16 cycles (E=64 words / 4). */
  sgpu_sim_write32(s, SGPU_REG_CMD_ARG0, 0x00010000u, 100);
  sgpu_sim_write32(s, SGPU_REG_CMD_OP, SGPU_OP_DESTROY_PROCESS | SGPU_POLICY_EAGER << 8, 100);
  sgpu_sim_write32(s, SGPU_REG_ADMIN_DOORBELL, 1, 100);
  CHECK_EQ("dirty after destroy", rd(s, SGPU_REG_FRAMES_DIRTY), 1);
  sgpu_sim_step(s, 100);
  CHECK_EQ("destroy status", rd(s, SGPU_REG_CPL_STATUS), 0);
  CHECK_EQ("destroy cycles", rd(s, SGPU_REG_CPL_RES0), 5);
  CHECK_EQ("destroy frames", rd(s, SGPU_REG_CPL_RES1), 1);
  CHECK_EQ("scrubbed", rd(s, SGPU_REG_FRAMES_DIRTY), 0);
  CHECK_EQ("clean", rd(s, SGPU_REG_FRAMES_CLEAN), 64);
  uint64_t c = sgpu_sim_cycles(s);
  CHECK_EQ("cycle lo", rd(s, SGPU_REG_CYCLE_LO), (uint32_t)(c + 1));
  sgpu_sim_destroy(s);
}

int main(void) {
  test_small();
  test_gen_wrap();
  test_sim();
  if (failures) {
    fprintf(stderr, "ref_selftest: %d check(s) failed\n", failures);
    return 1;
  }
  printf("ref_selftest: all checks passed\n");
  return 0;
}
