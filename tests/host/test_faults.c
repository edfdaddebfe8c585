/* test_faults.c - libsgpu when register reads fail after the device has acted, on a model
 * with fault injection (SGPU_MODEL_FAIL_READS: reads of the listed addresses fail).
 *
 *   test_faults [URI...]   default sim:fake (a model that implements the switch); mk/tests.mk
 *                          also runs sim:fake?batch=native (the transport's own batch path)
 *
 * Defect 9: a DESTROY_PROCESS that succeeded keeps its outcome when the TD_* phase registers
 * cannot be read (STATUS_SUCCESS, phases_read 0, phase fields 0) and a DEFERRED one is still
 * recorded for sgpu_wait_reclaim, also when RECLAIM_SEQ cannot be read. And a failed register
 * batch names the entry that failed.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdlib.h>

#include "host_test.h"
#include "sgpu.h"
#include "sgpu_regs.h" /* internal: register offsets (tests only) */

#define ST(x) sgpu_status_str(x)

static sgpu_device *open_failing(const char *uri, uint32_t addr) {
  char v[32], err[512];
  snprintf(v, sizeof v, "0x%x", addr);
  setenv("SGPU_MODEL_FAIL_READS", v, 1);
  sgpu_device *dev = NULL;
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  unsetenv("SGPU_MODEL_FAIL_READS");
  CHECK(st == SGPU_STATUS_SUCCESS, "open %s with reads of 0x%03x failing (%s %s)", uri, addr,
        ST(st), err);
  return st == SGPU_STATUS_SUCCESS ? dev : NULL;
}

/* A process with 4 pages: 4 data frames, a leaf table and the root. */
static sgpu_process build(sgpu_device *dev) {
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(dev, &p);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_map(dev, p, 0, 4);
  CHECK(st == SGPU_STATUS_SUCCESS, "create a process and map 4 pages (%s)", ST(st));
  return p;
}

static void phases_unreadable(const char *uri) {
  puts("-- TD_VALIDATE reads fail");
  sgpu_device *dev = open_failing(uri, SGPU_REG_TD_VALIDATE);
  if (!dev) return;
  for (int k = 0; k < 2; k++) {
    sgpu_policy pol = k ? SGPU_POLICY_EAGER : SGPU_POLICY_DEFERRED;
    const char *name = k ? "eager" : "deferred";
    sgpu_process p = build(dev);
    sgpu_destroy_result r;
    memset(&r, 0xFF, sizeof r);
    sgpu_status st = sgpu_destroy_process(dev, p, pol, &r);
    CHECK(st == SGPU_STATUS_SUCCESS, "%s destroy succeeds although its phases cannot be read (%s: %s)",
          name, ST(st), sgpu_last_error(dev));
    CHECK(r.phases_read == 0 && r.validate_cycles == 0 && r.tlb_cycles == 0 &&
              r.complete_cycles == 0 && r.free_cycles == 0,
          "%s: phases_read 0, phase fields 0 (%u; %u %u %u %u)", name, r.phases_read,
          r.validate_cycles, r.tlb_cycles, r.complete_cycles, r.free_cycles);
    CHECK(r.frames_freed == 6 && r.pt_pages_freed == 2 && r.cycles > 0,
          "%s: the completion's results are kept (%u frames, %u tables, %u cycles)", name,
          r.frames_freed, r.pt_pages_freed, r.cycles);
    const char *e = sgpu_last_error(dev);
    char at[16];
    snprintf(at, sizeof at, "0x%03x", SGPU_REG_TD_VALIDATE);
    CHECK(strstr(e, "phase") && strstr(e, at), "%s: last error names the phase read at %s: %s",
          name, at, e);
    if (pol == SGPU_POLICY_DEFERRED) {
      sgpu_reclaim_info ri;
      memset(&ri, 0, sizeof ri);
      st = sgpu_wait_reclaim(dev, p, 100000000ull, &ri);
      CHECK(st == SGPU_STATUS_SUCCESS && ri.handle == p && ri.frames == 6 && ri.exact == 1,
            "the deferred destroy was recorded: wait_reclaim %s, handle 0x%08x, %u frames, exact %u",
            ST(st), ri.handle, ri.frames, ri.exact);
    }
    sgpu_process_info pi;
    st = sgpu_query_process(dev, p, &pi);
    CHECK(st == SGPU_STATUS_INVALID_HANDLE, "%s: the process is gone (%s)", name, ST(st));
  }
  /* Host-driven: the final DESTROY_PROCESS's phases cannot be read either. */
  sgpu_process p = build(dev);
  sgpu_destroy_result r;
  sgpu_status st = sgpu_destroy_process(dev, p, SGPU_POLICY_HOST, &r);
  CHECK(st == SGPU_STATUS_SUCCESS && r.phases_read == 0 && r.frames_freed == 6,
        "host-driven destroy: %s, phases_read %u, %u frames", ST(st), r.phases_read, r.frames_freed);
  sgpu_close(dev);
}

static void reclaim_seq_unreadable(const char *uri) {
  puts("-- RECLAIM_SEQ reads fail");
  sgpu_device *dev = open_failing(uri, SGPU_REG_RECLAIM_SEQ);
  if (!dev) return;
  sgpu_process p = build(dev);
  sgpu_destroy_result r;
  memset(&r, 0, sizeof r);
  sgpu_status st = sgpu_destroy_process(dev, p, SGPU_POLICY_DEFERRED, &r);
  CHECK(st == SGPU_STATUS_SUCCESS && r.phases_read == 1 && r.frames_freed == 6,
        "deferred destroy succeeds (%s, phases_read %u, %u frames: %s)", ST(st), r.phases_read,
        r.frames_freed, sgpu_last_error(dev));
  sgpu_reclaim_info ri;
  memset(&ri, 0xFF, sizeof ri);
  st = sgpu_wait_reclaim(dev, p, 100000000ull, &ri);
  CHECK(st == SGPU_STATUS_SUCCESS && ri.handle == p && ri.frames == 6 && ri.exact == 0,
        "it is still recorded: wait_reclaim %s (handle 0x%08x, %u frames, exact %u) %s", ST(st),
        ri.handle, ri.frames, ri.exact, st ? sgpu_last_error(dev) : "");
  sgpu_process_info pi;
  st = sgpu_query_process(dev, p, &pi);
  CHECK(st == SGPU_STATUS_INVALID_HANDLE, "its slot is FREE after the wait (%s)", ST(st));
  sgpu_close(dev);
}

static void batch_entry_named(const char *uri) {
  puts("-- a failing batch names its entry");
  sgpu_device *dev = open_failing(uri, SGPU_REG_TD_TLB);
  if (!dev) return;
  sgpu_process p = build(dev);
  sgpu_destroy_result r;
  sgpu_status st = sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, &r);
  const char *e = sgpu_last_error(dev);
  CHECK(st == SGPU_STATUS_SUCCESS && r.phases_read == 0, "destroy: %s, phases_read %u", ST(st),
        r.phases_read);
  char at[16];
  snprintf(at, sizeof at, "0x%03x", SGPU_REG_TD_TLB);
  CHECK(strstr(e, "entry 2 of 6") && strstr(e, at),
        "the message names entry 2 of the 6 phase reads, at %s (TD_TLB): %s", at, e);
  sgpu_close(dev);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc || i == 1; i++) {
    const char *uri = argc > 1 ? argv[i] : "sim:fake";
    printf("== %s\n", uri);
    phases_unreadable(uri);
    reclaim_seq_unreadable(uri);
    batch_entry_named(uri);
  }
  return ht_done("test_faults");
}
