/* test_api.c - libsgpu end to end against a device: lifecycle, MAP/UNMAP and their checks,
 * the memory debug path, queues and doorbells, every teardown policy with its phase cycles,
 * DEFERRED teardown (DYING, STATUS_PROCESS_IS_TERMINATING, reclaim events in FIFO order,
 * sgpu_wait_reclaim), host-driven teardown of 16,384 pages from the library's bookkeeping,
 * wait_clean, resource exhaustion, and several threads sharing one device.
 *
 *   test_api [URI...]     default: sim:
 *
 * Expectations come from docs/semantics.md only, scaled to the device's CAPS, so the same
 * test runs on the fake models, the reference model (sim:ref) and the RTL (sim:, sim:small).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "host_test.h"
#include "sgpu.h"
#include "sgpu_regs.h" /* internal: register offsets (tests only) */

static sgpu_device *dev;
static sgpu_info info;
static uint32_t S, PAGE, E; /* page shift, page bytes, entries per table */
static uint64_t VPN_LIMIT;

#define ST(x) sgpu_status_str(x)

/* Call, expect a status; prints the library's message on a mismatch. */
#define EXPECT(call, want, ...)                                                          \
  do {                                                                                   \
    sgpu_status st_ = (call);                                                            \
    char what_[256];                                                                     \
    snprintf(what_, sizeof what_, __VA_ARGS__);                                          \
    CHECK(st_ == (want), "%s -> %s (got %s%s%s)", what_, ST(want), ST(st_),              \
          st_ != SGPU_STATUS_SUCCESS ? ": " : "",                                        \
          st_ != SGPU_STATUS_SUCCESS ? sgpu_last_error(dev) : "");                       \
  } while (0)

static sgpu_process_info pinfo(sgpu_process p) {
  sgpu_process_info i;
  memset(&i, 0, sizeof i);
  sgpu_status st = sgpu_query_process(dev, p, &i);
  if (st != SGPU_STATUS_SUCCESS) printf("note: query 0x%08x: %s\n", p, sgpu_last_error(dev));
  return i;
}

static sgpu_device_info dinfo(void) {
  sgpu_device_info i;
  memset(&i, 0, sizeof i);
  if (sgpu_query_device(dev, &i) != SGPU_STATUS_SUCCESS)
    printf("note: query device: %s\n", sgpu_last_error(dev));
  return i;
}

static uint32_t pat(uint32_t seed, uint32_t i) { return (seed ^ (i * 0x9E3779B9u)) + i; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ sections */

static void lifecycle(sgpu_process *a, sgpu_process *b) {
  puts("-- lifecycle and handle checks");
  EXPECT(sgpu_create_process(dev, a), SGPU_STATUS_SUCCESS, "create A");
  EXPECT(sgpu_create_process(dev, b), SGPU_STATUS_SUCCESS, "create B");
  CHECK(*a != *b && (*a >> SGPU_HANDLE_GEN_SHIFT) != 0,
        "handles differ and carry a generation (A 0x%08x, B 0x%08x)", *a, *b);
  sgpu_process_info i = pinfo(*a);
  CHECK(i.state == SGPU_PROC_STATE_ACTIVE && i.asid == SGPU_HANDLE_SLOT(*a) && i.pt_pages == 1 &&
            i.data_frames == 0 && i.queues == 0,
        "fresh A: ACTIVE, asid = slot %u, 1 page-table page, nothing else (state %u asid %u "
        "pt %u data %u queues %u)",
        SGPU_HANDLE_SLOT(*a), i.state, i.asid, i.pt_pages, i.data_frames, i.queues);
  sgpu_process out_of_range = info.num_procs | 1u << SGPU_HANDLE_GEN_SHIFT;
  sgpu_process wrong_gen = *a + (1u << SGPU_HANDLE_GEN_SHIFT);
  EXPECT(sgpu_query_process(dev, out_of_range, &i), SGPU_STATUS_INVALID_HANDLE,
         "query slot %u (out of range)", info.num_procs);
  EXPECT(sgpu_map(dev, wrong_gen, 0, 1), SGPU_STATUS_INVALID_HANDLE,
         "map with A's slot but the wrong generation 0x%08x", wrong_gen);
  char want[32];
  snprintf(want, sizeof want, "0x%x", wrong_gen);
  CHECK(strstr(sgpu_last_error(dev), want) && strstr(sgpu_last_error(dev), "MAP"),
        "last error names the command and handle %s: %s", want, sgpu_last_error(dev));
  EXPECT(sgpu_destroy_process(dev, 0, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_INVALID_HANDLE,
         "destroy handle 0");
  EXPECT(sgpu_destroy_process(dev, *a, 7, NULL), SGPU_STATUS_INVALID_PARAMETER,
         "destroy with unknown policy 7");
  CHECK(strstr(sgpu_last_error(dev), "policy 7") != NULL, "message names policy 7: %s",
        sgpu_last_error(dev));
}

static void mapping(sgpu_process a) {
  puts("-- MAP/UNMAP");
  EXPECT(sgpu_map(dev, a, 4, 1), SGPU_STATUS_INVALID_PARAMETER, "map misaligned va 0x4");
  EXPECT(sgpu_map(dev, a, 0, 0), SGPU_STATUS_INVALID_PARAMETER, "map 0 pages");
  if (VPN_LIMIT < UINT32_MAX)
    EXPECT(sgpu_map(dev, a, 0, (uint32_t)VPN_LIMIT + 1), SGPU_STATUS_INVALID_PARAMETER,
           "map %llu pages (past the %llu-page address space)",
           (unsigned long long)VPN_LIMIT + 1, (unsigned long long)VPN_LIMIT);
  EXPECT(sgpu_map(dev, a, 0, 3), SGPU_STATUS_SUCCESS, "map 3 pages at 0");
  sgpu_process_info i = pinfo(a);
  CHECK(i.data_frames == 3 && i.pt_pages == 2, "3 data frames, 2 table pages (got %u, %u)",
        i.data_frames, i.pt_pages);
  EXPECT(sgpu_map(dev, a, PAGE, 1), SGPU_STATUS_CONFLICTING_ADDRESSES, "map a mapped page");
  EXPECT(sgpu_unmap(dev, a, 3 * PAGE, 1), SGPU_STATUS_NOT_MAPPED_VIEW, "unmap an unmapped page");
  EXPECT(sgpu_unmap(dev, a, 0, 4), SGPU_STATUS_NOT_MAPPED_VIEW, "unmap 4 pages, 3 mapped");
  i = pinfo(a);
  CHECK(i.data_frames == 3, "failed commands changed nothing (%u data frames)", i.data_frames);
  /* Two pages either side of a leaf-table boundary: two new leaf tables. */
  uint32_t va1 = (2 * E - 1) << S;
  EXPECT(sgpu_map(dev, a, va1, 2), SGPU_STATUS_SUCCESS, "map 2 pages across a table boundary");
  i = pinfo(a);
  CHECK(i.data_frames == 5 && i.pt_pages == 4, "5 data frames, 4 table pages (got %u, %u)",
        i.data_frames, i.pt_pages);
  sgpu_device_info d = dinfo();
  uint32_t far = (4 * E) << S;
  if ((uint64_t)(4 * E) + d.frames_clean + d.frames_dirty + 1 <= VPN_LIMIT)
    EXPECT(sgpu_map(dev, a, far, d.frames_clean + d.frames_dirty), SGPU_STATUS_NO_MEMORY,
           "map as many pages as there are free frames (plus a table)");
  EXPECT(sgpu_unmap(dev, a, va1, 2), SGPU_STATUS_SUCCESS, "unmap them");
  i = pinfo(a);
  CHECK(i.data_frames == 3 && i.pt_pages == 2, "emptied tables freed: 3 data, 2 tables (got %u, %u)",
        i.data_frames, i.pt_pages);
}

static void memory(sgpu_process a, sgpu_process b) {
  puts("-- memory through the MMU");
  uint32_t w[8], r[8];
  uint32_t va = PAGE - 16; /* 4 words in page 0, 4 in page 1 */
  for (uint32_t i = 0; i < 8; i++) w[i] = pat(0x1234u, i);
  EXPECT(sgpu_write(dev, a, va, w, sizeof w), SGPU_STATUS_SUCCESS, "write 8 words across a page");
  memset(r, 0, sizeof r);
  EXPECT(sgpu_read(dev, a, va, r, sizeof r), SGPU_STATUS_SUCCESS, "read them back");
  CHECK(!memcmp(w, r, sizeof w), "read back what was written");
  EXPECT(sgpu_read(dev, a, 2 * PAGE, r, 4), SGPU_STATUS_SUCCESS, "read a fresh page");
  CHECK(r[0] == 0, "a fresh page reads zero (0x%08x)", r[0]);
  EXPECT(sgpu_read(dev, a, 3 * PAGE, r, 4), SGPU_STATUS_ACCESS_VIOLATION,
         "read an unmapped page (its table exists)");
  EXPECT(sgpu_write(dev, a, (3 * E) << S, w, 4), SGPU_STATUS_ACCESS_VIOLATION,
         "write where no table exists");
  EXPECT(sgpu_read(dev, a, 2, r, 4), SGPU_STATUS_INVALID_PARAMETER, "read at va 0x2");
  CHECK(strstr(sgpu_last_error(dev), "0x00000002") != NULL, "message names the va: %s",
        sgpu_last_error(dev));
  EXPECT(sgpu_read(dev, a, 0, r, 6), SGPU_STATUS_INVALID_PARAMETER, "read 6 bytes");
  EXPECT(sgpu_map(dev, b, 0, 2), SGPU_STATUS_SUCCESS, "B maps the same va");
  EXPECT(sgpu_read(dev, b, va, r, sizeof r), SGPU_STATUS_SUCCESS, "B reads that va");
  uint32_t nz = 0;
  for (uint32_t i = 0; i < 8; i++) nz += r[i] != 0;
  CHECK(nz == 0, "B does not see A's words (%u nonzero)", nz);
}

static uint32_t queues(sgpu_process a, sgpu_process b) {
  puts("-- queues and doorbells");
  uint32_t q = 0, v = 0, extra[256], n = 0;
  EXPECT(sgpu_create_queue(dev, a, 0x40, 4, &q), SGPU_STATUS_SUCCESS, "create a queue in A");
  uint32_t base = SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE;
  sgpu_reg_read(dev, base + SGPU_QREG_QRING, &v);
  CHECK(v == (0x40u | 4u), "QRING holds ring 0x40 and log2 4 (0x%08x)", v);
  sgpu_reg_read(dev, base + SGPU_QREG_QSTATE, &v);
  CHECK((v >> SGPU_QSTATE_LIVE_LSB & 1u) &&
            (v >> SGPU_QSTATE_OWNER_LSB & ((1u << SGPU_QSTATE_OWNER_BITS) - 1)) == SGPU_HANDLE_SLOT(a),
        "QSTATE: live, owned by A's slot (0x%08x)", v);
  uint32_t ign0 = 0;
  sgpu_reg_read(dev, SGPU_REG_DB_IGNORED, &ign0);
  EXPECT(sgpu_ring_doorbell(dev, q, 7), SGPU_STATUS_SUCCESS, "ring queue %u with 7", q);
  sgpu_reg_read(dev, SGPU_REG_DB_IGNORED, &v);
  CHECK(v == ign0, "the doorbell was accepted: DB_IGNORED stays %u (%u)", ign0, v);
  sgpu_reg_read(dev, base + SGPU_QREG_QDB, &v);
  CHECK(v == 0, "QDB is write-only: it reads 0 (%u)", v);
  EXPECT(sgpu_ring_doorbell(dev, info.num_queues, 1), SGPU_STATUS_INVALID_PARAMETER,
         "ring queue %u (out of range)", info.num_queues);
  EXPECT(sgpu_create_queue(dev, a, 0x48, 4, &v), SGPU_STATUS_INVALID_PARAMETER, "ring va 0x48");
  EXPECT(sgpu_create_queue(dev, a, 0x40, 0, &v), SGPU_STATUS_INVALID_PARAMETER, "ring log2 0");
  EXPECT(sgpu_create_queue(dev, a, 0x40, 16, &v), SGPU_STATUS_INVALID_PARAMETER, "ring log2 16");
  EXPECT(sgpu_destroy_queue(dev, b, q), SGPU_STATUS_INVALID_PARAMETER,
         "B destroys A's queue %u", q);
  sgpu_status st;
  while (n < 256 && (st = sgpu_create_queue(dev, b, 0, 1, &extra[n])) == SGPU_STATUS_SUCCESS) n++;
  sgpu_device_info d = dinfo();
  CHECK(st == SGPU_STATUS_INSUFFICIENT_RESOURCES && d.live_queues == info.num_queues,
        "queues run out after %u slots with %s (live %u)", info.num_queues, ST(st),
        d.live_queues);
  for (uint32_t i = 0; i < n; i++)
    EXPECT(sgpu_destroy_queue(dev, b, extra[i]), SGPU_STATUS_SUCCESS, "destroy B's queue %u",
           extra[i]);
  return q;
}

/* A's teardown host-driven, and the same process built again and destroyed eagerly:
 * the counts must agree. */
static void teardown(sgpu_process a, uint32_t qa) {
  puts("-- host-driven teardown vs eager");
  EXPECT(sgpu_map(dev, a, 8 * PAGE, 4), SGPU_STATUS_SUCCESS, "map 4 pages at page 8");
  EXPECT(sgpu_map(dev, a, 4 * PAGE, 4), SGPU_STATUS_SUCCESS, "map the 4 pages between");
  EXPECT(sgpu_unmap(dev, a, 5 * PAGE, 2), SGPU_STATUS_SUCCESS, "unmap 2 in the middle");
  sgpu_process_info i = pinfo(a);
  sgpu_destroy_result r;
  memset(&r, 0xFF, sizeof r);
  EXPECT(sgpu_destroy_process(dev, a, SGPU_POLICY_HOST, &r), SGPU_STATUS_SUCCESS,
         "destroy A host-driven");
  CHECK(r.frames_freed == i.data_frames + i.pt_pages && r.pt_pages_freed == i.pt_pages &&
            r.queues_freed == i.queues && r.queues_freed == 1 && r.cycles > 0,
        "freed %u frames (%u tables), %u queue(s), in %u cycles (expected %u, %u, %u)",
        r.frames_freed, r.pt_pages_freed, r.queues_freed, r.cycles,
        i.data_frames + i.pt_pages, i.pt_pages, i.queues);
  sgpu_process_info gone;
  EXPECT(sgpu_query_process(dev, a, &gone), SGPU_STATUS_INVALID_HANDLE, "A is gone");
  sgpu_device_info d0 = dinfo();
  sgpu_ring_doorbell(dev, qa, 9);
  sgpu_device_info d1 = dinfo();
  CHECK(d1.doorbells_ignored == d0.doorbells_ignored + 1,
        "a doorbell on A's released queue is ignored and counted (%u -> %u)",
        d0.doorbells_ignored, d1.doorbells_ignored);

  sgpu_process c;
  uint32_t q;
  EXPECT(sgpu_create_process(dev, &c), SGPU_STATUS_SUCCESS, "create C");
  CHECK(SGPU_HANDLE_SLOT(c) == SGPU_HANDLE_SLOT(a) && c != a,
        "C reuses A's slot with a new generation (A 0x%08x, C 0x%08x)", a, c);
  sgpu_map(dev, c, 0, 3);
  sgpu_map(dev, c, 8 * PAGE, 4);
  sgpu_map(dev, c, 4 * PAGE, 4);
  sgpu_unmap(dev, c, 5 * PAGE, 2);
  sgpu_create_queue(dev, c, 0x40, 4, &q);
  sgpu_destroy_result e;
  EXPECT(sgpu_destroy_process(dev, c, SGPU_POLICY_EAGER, &e), SGPU_STATUS_SUCCESS, "destroy C eagerly");
  CHECK(e.frames_freed == r.frames_freed && e.pt_pages_freed == r.pt_pages_freed &&
            e.queues_freed == r.queues_freed,
        "eager frees the same (%u frames, %u tables, %u queues)", e.frames_freed,
        e.pt_pages_freed, e.queues_freed);
  printf("note: cycles host-driven %u, eager %u\n", r.cycles, e.cycles);
  uint64_t sum = (uint64_t)e.validate_cycles + e.stop_drain_cycles + e.tlb_cycles +
                 e.free_cycles + e.release_cycles + e.complete_cycles;
  CHECK(sum > 0 && sum <= e.cycles,
        "eager phases (validate %u, stop/drain %u, TLB %u, free %u, release %u, complete %u) "
        "add up to %llu, within its %u cycles",
        e.validate_cycles, e.stop_drain_cycles, e.tlb_cycles, e.free_cycles, e.release_cycles,
        e.complete_cycles, (unsigned long long)sum, e.cycles);
  sum = (uint64_t)r.validate_cycles + r.stop_drain_cycles + r.tlb_cycles + r.free_cycles +
        r.release_cycles + r.complete_cycles;
  CHECK(sum > 0 && sum < r.cycles,
        "host-driven: the phases of its final DESTROY_PROCESS (%llu cycles) are a part of its "
        "%u cycles",
        (unsigned long long)sum, r.cycles);

  /* Bookkeeping dies with the process whatever the policy, and survives a failed destroy. */
  for (int k = 0; k < 2; k++) {
    sgpu_policy pol = k ? SGPU_POLICY_EAGER : SGPU_POLICY_DEFERRED;
    const char *name = k ? "eagerly" : "deferred";
    sgpu_process d, f;
    EXPECT(sgpu_create_process(dev, &d), SGPU_STATUS_SUCCESS, "create D");
    sgpu_map(dev, d, 0, 8);
    EXPECT(sgpu_destroy_process(dev, d, pol, NULL), SGPU_STATUS_SUCCESS, "destroy D %s",
           name);
    if (pol == SGPU_POLICY_DEFERRED)
      EXPECT(sgpu_wait_reclaim(dev, d, 1000000000ull, NULL), SGPU_STATUS_SUCCESS,
             "wait for D's reclaim");
    EXPECT(sgpu_create_process(dev, &f), SGPU_STATUS_SUCCESS, "create F");
    memset(&r, 0, sizeof r);
    EXPECT(sgpu_destroy_process(dev, f, SGPU_POLICY_HOST, &r), SGPU_STATUS_SUCCESS,
           "destroy F host-driven");
    CHECK(r.frames_freed == 1 && r.pt_pages_freed == 1 && r.queues_freed == 0,
          "F freed only its root table (%u frames, %u tables): D's pages were forgotten",
          r.frames_freed, r.pt_pages_freed);
  }
}

/* Map `pages` pages of a new process: half at 0, half in another leaf table; one queue. */
static sgpu_process build(uint32_t pages, uint32_t *queue) {
  sgpu_process p = 0;
  EXPECT(sgpu_create_process(dev, &p), SGPU_STATUS_SUCCESS, "create a process");
  EXPECT(sgpu_map(dev, p, 0, pages - pages / 2), SGPU_STATUS_SUCCESS, "map %u pages at 0",
         pages - pages / 2);
  EXPECT(sgpu_map(dev, p, (2 * E) << S, pages / 2), SGPU_STATUS_SUCCESS,
         "map %u pages in another table", pages / 2);
  EXPECT(sgpu_create_queue(dev, p, 0x40, 4, queue), SGPU_STATUS_SUCCESS, "create a queue");
  return p;
}

static void deferred(void) {
  puts("-- DEFERRED teardown and reclaim events");
  sgpu_device_info d0 = dinfo();
  uint32_t pages = d0.frames_clean / 2 > 32 ? 32 : d0.frames_clean / 2, qd = 0, v = 0;
  sgpu_process d = build(pages, &qd);
  sgpu_process_info pi = pinfo(d);
  sgpu_destroy_result r;
  memset(&r, 0xFF, sizeof r);
  EXPECT(sgpu_destroy_process(dev, d, SGPU_POLICY_DEFERRED, &r), SGPU_STATUS_SUCCESS,
         "destroy D (%u pages, 1 queue) deferred", pages);
  CHECK(r.frames_freed == pi.data_frames + pi.pt_pages && r.pt_pages_freed == pi.pt_pages &&
            r.queues_freed == 1 && r.work_aborted == 0,
        "the completion counts what the reclaimer will free: %u frames (%u tables), %u queue "
        "(expected %u, %u, 1)",
        r.frames_freed, r.pt_pages_freed, r.queues_freed, pi.data_frames + pi.pt_pages,
        pi.pt_pages);
  uint64_t sum = (uint64_t)r.validate_cycles + r.stop_drain_cycles + r.tlb_cycles +
                 r.complete_cycles;
  CHECK(r.free_cycles == 0 && r.release_cycles == 0 && sum > 0 && sum <= r.cycles,
        "deferred phases: validate %u, stop/drain %u, TLB %u, complete %u (sum %llu within %u "
        "cycles); free and release 0 (%u, %u: the reclaimer's)",
        r.validate_cycles, r.stop_drain_cycles, r.tlb_cycles, r.complete_cycles,
        (unsigned long long)sum, r.cycles, r.free_cycles, r.release_cycles);

  /* While DYING (the scrubber needs a while for `pages` frames): every command naming D is
   * refused with PROCESS_IS_TERMINATING. */
  sgpu_device_info d1 = dinfo();
  bool dying = d1.reclaim_pending == d0.reclaim_pending + 1;
  CHECK(dying && d1.live_processes == d0.live_processes + 1,
        "D is DYING: RECLAIM_PENDING %u -> %u, live processes (DYING counted) %u -> %u",
        d0.reclaim_pending, d1.reclaim_pending, d0.live_processes, d1.live_processes);
  if (dying) {
    /* Defect 14: the timeout message reports the counts read at the last poll, not a
     * RECLAIM_PENDING left over from before (it was read only when no frame was dirty). */
    EXPECT(sgpu_wait_clean(dev, 1), SGPU_STATUS_IO_TIMEOUT, "wait_clean for 1 cycle while D is DYING");
    char msg[600], want[64];
    snprintf(msg, sizeof msg, "%s", sgpu_last_error(dev));
    sgpu_device_info dn = dinfo();
    snprintf(want, sizeof want, "%u reclaims pending", dn.reclaim_pending);
    if (dn.reclaim_pending == d1.reclaim_pending)
      CHECK(strstr(msg, want) != NULL, "wait_clean's timeout names the current count '%s': %s",
            want, msg);
    EXPECT(sgpu_query_process(dev, d, &pi), SGPU_STATUS_PROCESS_IS_TERMINATING, "query D");
    EXPECT(sgpu_map(dev, d, 64 * PAGE, 1), SGPU_STATUS_PROCESS_IS_TERMINATING, "map in D");
    EXPECT(sgpu_destroy_process(dev, d, SGPU_POLICY_EAGER, NULL),
           SGPU_STATUS_PROCESS_IS_TERMINATING, "destroy D again, eagerly");
    EXPECT(sgpu_destroy_process(dev, d, SGPU_POLICY_DEFERRED, NULL),
           SGPU_STATUS_PROCESS_IS_TERMINATING, "destroy D again, deferred");
    sgpu_process e = 0;
    EXPECT(sgpu_create_process(dev, &e), SGPU_STATUS_SUCCESS, "create E while D is DYING");
    sgpu_device_info d2 = dinfo();
    if (d2.reclaim_pending == d1.reclaim_pending)
      CHECK(SGPU_HANDLE_SLOT(e) != SGPU_HANDLE_SLOT(d), "E does not get D's DYING slot (D 0x%08x, E 0x%08x)",
            d, e);
    EXPECT(sgpu_destroy_process(dev, e, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS,
           "destroy E");
    if (d2.reclaim_pending == d1.reclaim_pending)
      EXPECT(sgpu_wait_reclaim(dev, d, 1, NULL), SGPU_STATUS_IO_TIMEOUT,
             "wait for D's reclaim for 1 cycle");
  }
  sgpu_device_info db0 = dinfo();
  sgpu_ring_doorbell(dev, qd, 3);
  sgpu_device_info db1 = dinfo();
  CHECK(db1.doorbells_ignored == db0.doorbells_ignored + 1,
        "a doorbell on D's queue is ignored and counted (%u -> %u)", db0.doorbells_ignored,
        db1.doorbells_ignored);

  sgpu_reclaim_info ri, again;
  memset(&ri, 0, sizeof ri);
  uint64_t c0 = 0, c1 = 0;
  sgpu_read_cycles(dev, &c0);
  EXPECT(sgpu_wait_reclaim(dev, d, 1000000000ull, &ri), SGPU_STATUS_SUCCESS,
         "wait for D's reclaim");
  sgpu_read_cycles(dev, &c1);
  CHECK(ri.handle == d && ri.frames == r.frames_freed && ri.exact == 1 &&
            ri.seq == d1.reclaim_seq + 1u,
        "reclaim event: handle 0x%08x, %u frames, seq %u, exact %u (expected 0x%08x, %u, %u, 1)",
        ri.handle, ri.frames, ri.seq, ri.exact, d, r.frames_freed, d1.reclaim_seq + 1u);
  CHECK(ri.cycles > r.cycles && ri.scrub_cycles > 0 && ri.scrub_cycles < ri.cycles,
        "reclaim: %u cycles from the doorbell (completion after %u), scrubbing %u of them; "
        "background free %u, release %u; waited %llu cycles",
        ri.cycles, r.cycles, ri.scrub_cycles, ri.free_cycles, ri.release_cycles,
        (unsigned long long)(c1 - c0));
  EXPECT(sgpu_wait_reclaim(dev, d, 1, &again), SGPU_STATUS_SUCCESS, "wait for D again");
  CHECK(!memcmp(&ri, &again, sizeof ri), "the same event again");
  EXPECT(sgpu_query_process(dev, d, &pi), SGPU_STATUS_INVALID_HANDLE, "D is gone after its event");
  sgpu_reg_read(dev, SGPU_QUEUE_BASE + qd * SGPU_QUEUE_STRIDE + SGPU_QREG_QSTATE, &v);
  CHECK(v == 0, "D's queue slot was released (QSTATE 0x%08x)", v);
  sgpu_device_info d3 = dinfo();
  CHECK(d3.reclaim_pending == d0.reclaim_pending && d3.live_processes == d0.live_processes &&
            d3.frames_used == d0.frames_used && d3.live_queues == d0.live_queues,
        "after the event: pending %u, processes %u, used frames %u, queues %u as before",
        d3.reclaim_pending, d3.live_processes, d3.frames_used, d3.live_queues);

  sgpu_process f;
  EXPECT(sgpu_create_process(dev, &f), SGPU_STATUS_SUCCESS, "create F");
  EXPECT(sgpu_wait_reclaim(dev, f, 1, NULL), SGPU_STATUS_INVALID_PARAMETER,
         "wait for the reclaim of a live process");
  CHECK(strstr(sgpu_last_error(dev), "DEFERRED") != NULL, "message says why: %s",
        sgpu_last_error(dev));
  EXPECT(sgpu_destroy_process(dev, f, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS, "destroy F");
  EXPECT(sgpu_wait_reclaim(dev, f, 1, NULL), SGPU_STATUS_INVALID_PARAMETER,
         "wait for the reclaim of an eagerly destroyed process");
  EXPECT(sgpu_wait_reclaim(dev, 0xFFFFu, 1, NULL), SGPU_STATUS_INVALID_PARAMETER,
         "wait for the reclaim of slot 0xffff");

  /* Two deferred destroys in a row: events in destroy order, each seen exactly even when the
   * later one is waited for first. */
  uint32_t qx, qy;
  sgpu_process x = build(pages, &qx), y = build(pages / 4 ? pages / 4 : 1, &qy);
  sgpu_destroy_result rx, ry;
  EXPECT(sgpu_destroy_process(dev, x, SGPU_POLICY_DEFERRED, &rx), SGPU_STATUS_SUCCESS,
         "destroy X deferred");
  EXPECT(sgpu_destroy_process(dev, y, SGPU_POLICY_DEFERRED, &ry), SGPU_STATUS_SUCCESS,
         "destroy Y (smaller) deferred");
  sgpu_reclaim_info ix, iy;
  memset(&ix, 0, sizeof ix);
  memset(&iy, 0, sizeof iy);
  EXPECT(sgpu_wait_reclaim(dev, y, 1000000000ull, &iy), SGPU_STATUS_SUCCESS, "wait for Y first");
  EXPECT(sgpu_wait_reclaim(dev, x, 1, &ix), SGPU_STATUS_SUCCESS, "X's event came before");
  CHECK(ix.seq + 1u == iy.seq && ix.handle == x && iy.handle == y && ix.frames == rx.frames_freed &&
            iy.frames == ry.frames_freed,
        "FIFO: X is event %u (%u frames), Y event %u (%u frames)", ix.seq, ix.frames, iy.seq,
        iy.frames);
  CHECK(ix.exact && iy.exact && iy.cycles > 0 && ix.cycles > 0,
        "both seen exactly (exact %u, %u; %u and %u cycles)", ix.exact, iy.exact, ix.cycles,
        iy.cycles);
}

/* CREATE_PROCESS through the mailbox registers, behind libsgpu's back (it has no record of
 * the process). Returns the handle, 0 on failure. */
static sgpu_process raw_create(void) {
  uint32_t seq0 = 0, seq = 0, st = 1, h = 0;
  if (sgpu_reg_read(dev, SGPU_REG_CPL_SEQ, &seq0) ||
      sgpu_reg_write(dev, SGPU_REG_CMD_OP, SGPU_OP_CREATE_PROCESS << SGPU_CMD_OP_OPCODE_LSB) ||
      sgpu_reg_write(dev, SGPU_REG_ADMIN_DOORBELL, 1))
    return 0;
  seq = seq0;
  for (int i = 0; i < 100000 && seq == seq0; i++)
    if (sgpu_reg_read(dev, SGPU_REG_CPL_SEQ, &seq)) return 0;
  if (seq == seq0 || sgpu_reg_read(dev, SGPU_REG_CPL_STATUS, &st) || st ||
      sgpu_reg_read(dev, SGPU_REG_CPL_RES0, &h))
    return 0;
  return h;
}

static uint32_t reg(uint32_t addr) {
  uint32_t v = 0xBAD0BAD0u;
  if (sgpu_reg_read(dev, addr, &v) != SGPU_STATUS_SUCCESS)
    printf("note: reg_read 0x%x: %s\n", addr, sgpu_last_error(dev));
  return v;
}

static void registers(void) {
  puts("-- register range, interrupt acknowledge, host policy on unknown processes");
  const uint32_t bus = 1u << SGPU_BUS_ADDR_BITS;
  /* Defect 1 (host half): an address beyond the bus never reaches the device. */
  /* (DRAIN_TIMEOUT: a rw register that reads back; CMD_ARGn are write-only) */
  const uint32_t drain0 = reg(SGPU_REG_DRAIN_TIMEOUT);
  EXPECT(sgpu_reg_write(dev, SGPU_REG_DRAIN_TIMEOUT, 0x1234u), SGPU_STATUS_SUCCESS,
         "write DRAIN_TIMEOUT");
  EXPECT(sgpu_reg_write(dev, bus + SGPU_REG_DRAIN_TIMEOUT, 0xdeadu), SGPU_STATUS_INVALID_PARAMETER,
         "write 0x%x (DRAIN_TIMEOUT + the bus size)", bus + SGPU_REG_DRAIN_TIMEOUT);
  char want[32];
  snprintf(want, sizeof want, "0x%x", bus + SGPU_REG_DRAIN_TIMEOUT);
  CHECK(strstr(sgpu_last_error(dev), want) != NULL, "message names %s: %s", want,
        sgpu_last_error(dev));
  uint32_t v = reg(SGPU_REG_DRAIN_TIMEOUT);
  CHECK(v == 0x1234u, "DRAIN_TIMEOUT unchanged (0x%08x)", v);
  EXPECT(sgpu_reg_write(dev, SGPU_REG_DRAIN_TIMEOUT, drain0), SGPU_STATUS_SUCCESS,
         "restore DRAIN_TIMEOUT");
  v = reg(SGPU_REG_CMD_ARG0);
  CHECK(v == 0, "CMD_ARG0 is write-only: it reads 0 (0x%08x)", v);
  v = 0x5a5a5a5au;
  EXPECT(sgpu_reg_read(dev, bus + SGPU_REG_ID, &v), SGPU_STATUS_INVALID_PARAMETER, "read 0x%x",
         bus + SGPU_REG_ID);
  CHECK(v == 0x5a5a5a5au, "the failed read left the caller's value alone (0x%08x)", v);
  EXPECT(sgpu_reg_read(dev, 0xFFFFFFFCu, &v), SGPU_STATUS_INVALID_PARAMETER, "read 0xfffffffc");
  sgpu_process p;
  EXPECT(sgpu_create_process(dev, &p), SGPU_STATUS_SUCCESS, "create P");
  sgpu_device_info d0 = dinfo();
  EXPECT(sgpu_reg_write(dev, bus + SGPU_REG_ADMIN_DOORBELL, 1), SGPU_STATUS_INVALID_PARAMETER,
         "write the doorbell + the bus size");
  sgpu_device_info d1 = dinfo();
  CHECK(d1.live_processes == d0.live_processes,
        "no command re-run: live processes %u -> %u", d0.live_processes, d1.live_processes);
  EXPECT(sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS, "destroy P");

  /* Defect 7: every completion is acknowledged, so IRQ is low between commands. */
  v = reg(SGPU_REG_ADMIN_STATUS);
  CHECK(((v >> SGPU_ADMIN_STATUS_IRQ_LSB) & 1u) == 0 && ((v >> SGPU_ADMIN_STATUS_BUSY_LSB) & 1u) == 0,
        "ADMIN_STATUS after completed commands: IRQ and BUSY clear (0x%08x)", v);

  /* Defect 8: HOST on a process libsgpu did not create: refused, nothing sent. */
  sgpu_process r = raw_create();
  if (CHECK(r != 0, "a process created through the raw mailbox (0x%08x)", r)) {
    uint32_t seq0 = reg(SGPU_REG_CPL_SEQ);
    sgpu_destroy_result res;
    EXPECT(sgpu_destroy_process(dev, r, SGPU_POLICY_HOST, &res), SGPU_STATUS_INVALID_PARAMETER,
           "host-driven destroy of it");
    snprintf(want, sizeof want, "0x%08x", r);
    CHECK(strstr(sgpu_last_error(dev), want) != NULL, "message names the handle %s: %s", want,
          sgpu_last_error(dev));
    uint32_t seq1 = reg(SGPU_REG_CPL_SEQ);
    CHECK(seq1 == seq0, "no command sent (CPL_SEQ %u -> %u)", seq0, seq1);
    sgpu_process_info pi = pinfo(r);
    CHECK(pi.state == SGPU_PROC_STATE_ACTIVE, "it is still ACTIVE (state %u)", pi.state);
    EXPECT(sgpu_map(dev, r, 0, 2), SGPU_STATUS_SUCCESS, "map in it through libsgpu");
    EXPECT(sgpu_destroy_process(dev, r, SGPU_POLICY_HOST, NULL), SGPU_STATUS_INVALID_PARAMETER,
           "host-driven destroy after a map: still unknown");
    EXPECT(sgpu_destroy_process(dev, r, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS,
           "eager destroy of it");
  }
  sgpu_process e;
  sgpu_destroy_result er;
  EXPECT(sgpu_create_process(dev, &e), SGPU_STATUS_SUCCESS, "create E");
  EXPECT(sgpu_destroy_process(dev, e, SGPU_POLICY_HOST, &er), SGPU_STATUS_SUCCESS,
         "host-driven destroy of E, created here, nothing mapped");
  CHECK(er.frames_freed == 1 && er.phases_read == 1, "E freed its root (%u frames), phases read (%u)",
        er.frames_freed, er.phases_read);
}

static void big(void) {
  sgpu_device_info d = dinfo();
  uint64_t avail = d.frames_clean + d.frames_dirty;
  uint64_t n = 16384;
  if (n + n / E + 3 > avail) n = (avail - 3) * E / (E + 1);
  if (n > VPN_LIMIT) n = VPN_LIMIT;
  n -= n % 4;
  printf("-- host-driven teardown of %llu pages\n", (unsigned long long)n);
  sgpu_process p;
  EXPECT(sgpu_create_process(dev, &p), SGPU_STATUS_SUCCESS, "create P");
  uint32_t quarter = (uint32_t)(n / 4), order[4] = {2, 0, 3, 1}; /* merges on both sides */
  for (int k = 0; k < 4; k++)
    EXPECT(sgpu_map(dev, p, (order[k] * quarter) << S, quarter), SGPU_STATUS_SUCCESS,
           "map quarter %u (%u pages)", order[k], quarter);
  sgpu_process_info i = pinfo(p);
  uint32_t tables = 1 + (uint32_t)((n + E - 1) / E);
  CHECK(i.data_frames == n && i.pt_pages == tables, "%llu data frames, %u tables (got %u, %u)",
        (unsigned long long)n, tables, i.data_frames, i.pt_pages);
  sgpu_destroy_result r;
  double t0 = now_s();
  EXPECT(sgpu_destroy_process(dev, p, SGPU_POLICY_HOST, &r), SGPU_STATUS_SUCCESS,
         "destroy P host-driven");
  double t = now_s() - t0;
  CHECK(r.frames_freed == n + tables && r.pt_pages_freed == tables,
        "freed %u frames, %u tables (expected %llu, %u)", r.frames_freed, r.pt_pages_freed,
        (unsigned long long)(n + tables), tables);
  printf("note: %llu UNMAPs + DESTROY in %u device cycles, %.3f s host time\n",
         (unsigned long long)n, r.cycles, t);

  /* The same process destroyed eagerly: same counts, and every frame dirty at once. */
  EXPECT(sgpu_create_process(dev, &p), SGPU_STATUS_SUCCESS, "create P again");
  EXPECT(sgpu_map(dev, p, 0, (uint32_t)n), SGPU_STATUS_SUCCESS, "map %llu pages in one call",
         (unsigned long long)n);
  sgpu_destroy_result e;
  EXPECT(sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, &e), SGPU_STATUS_SUCCESS,
         "destroy P eagerly");
  CHECK(e.frames_freed == r.frames_freed && e.pt_pages_freed == r.pt_pages_freed,
        "eager frees the same (%u frames, %u tables) in %u cycles", e.frames_freed,
        e.pt_pages_freed, e.cycles);
  d = dinfo();
  if (d.frames_dirty > 0)
  {
    EXPECT(sgpu_wait_clean(dev, 1), SGPU_STATUS_IO_TIMEOUT,
           "wait_clean for 1 cycle with %u frames dirty", d.frames_dirty);
    CHECK(strstr(sgpu_last_error(dev), "dirty") != NULL, "message says how many are dirty: %s",
          sgpu_last_error(dev));
  }
  else
    puts("note: no frame dirty right after an eager teardown; wait_clean's timeout not tried");
  EXPECT(sgpu_wait_clean(dev, 1000000000ull), SGPU_STATUS_SUCCESS, "wait_clean");
  d = dinfo();
  CHECK(d.frames_dirty == 0, "no frame dirty after wait_clean (%u)", d.frames_dirty);
}

static void resources(void) {
  puts("-- resource exhaustion");
  sgpu_process ps[256];
  uint32_t n = 0;
  sgpu_status st;
  EXPECT(sgpu_wait_clean(dev, 1000000000ull), SGPU_STATUS_SUCCESS, "wait_clean");
  sgpu_device_info d0 = dinfo();
  while (n < 256 && (st = sgpu_create_process(dev, &ps[n])) == SGPU_STATUS_SUCCESS) n++;
  CHECK(st == SGPU_STATUS_INSUFFICIENT_RESOURCES && n + d0.live_processes == info.num_procs,
        "process slots run out after %u (+%u live) of %u with %s", n, d0.live_processes,
        info.num_procs, ST(st));
  for (uint32_t i = 0; i < n; i++) {
    sgpu_policy pol = i % 4;
    EXPECT(sgpu_destroy_process(dev, ps[i], pol, NULL), SGPU_STATUS_SUCCESS,
           "destroy 0x%08x with policy %u", ps[i], pol);
  }
  /* wait_clean also waits for the DEFERRED reclaims: every slot is FREE again after it. */
  EXPECT(sgpu_wait_clean(dev, 1000000000ull), SGPU_STATUS_SUCCESS, "wait_clean");
  sgpu_device_info d1 = dinfo();
  CHECK(d1.reclaim_pending == 0 && d1.live_processes == d0.live_processes &&
            d1.frames_dirty == 0,
        "after wait_clean: no reclaim pending (%u), live processes back to %u (%u), no frame "
        "dirty (%u)",
        d1.reclaim_pending, d0.live_processes, d1.live_processes, d1.frames_dirty);
}

typedef struct {
  uint32_t id, bad;
  sgpu_status st;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  sgpu_process p;
  uint32_t buf[64], back[64];
  for (int round = 0; round < 3 && !w->bad && !w->st; round++) {
    if ((w->st = sgpu_create_process(dev, &p))) break;
    if ((w->st = sgpu_map(dev, p, 0, 1))) break;
    for (uint32_t i = 0; i < 64; i++) buf[i] = pat(w->id << 24 | (uint32_t)round, i);
    if ((w->st = sgpu_write(dev, p, 0, buf, sizeof buf))) break;
    if ((w->st = sgpu_read(dev, p, 0, back, sizeof back))) break;
    w->bad += memcmp(buf, back, sizeof buf) != 0;
    w->st = sgpu_destroy_process(dev, p, round % 2 ? SGPU_POLICY_HOST : SGPU_POLICY_EAGER, NULL);
  }
  return NULL;
}

static void threads(void) {
  uint32_t n = info.num_procs < 4 ? info.num_procs : 4;
  printf("-- %u threads on one device\n", n);
  pthread_t t[4];
  worker w[4];
  for (uint32_t i = 0; i < n; i++) {
    w[i] = (worker){.id = i};
    pthread_create(&t[i], NULL, work, &w[i]);
  }
  for (uint32_t i = 0; i < n; i++) {
    pthread_join(t[i], NULL);
    CHECK(w[i].st == SGPU_STATUS_SUCCESS && w[i].bad == 0,
          "thread %u: 3 rounds of create/map/write/read/destroy (%s, %u mismatches)", i,
          ST(w[i].st), w[i].bad);
  }
}

static void run(const char *uri) {
  char err[512];
  printf("== %s\n", uri);
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  if (!CHECK(st == SGPU_STATUS_SUCCESS, "open %s (%s%s%s)", uri, ST(st), *err ? ": " : "", err))
    return;
  EXPECT(sgpu_get_info(dev, &info), SGPU_STATUS_SUCCESS, "get_info");
  S = info.page_shift;
  PAGE = 1u << S;
  E = 1u << (S - 2);
  VPN_LIMIT = 1ull << (2 * (S - 2));
  printf("note: %u procs, %u queues, %u frames of %u bytes\n", info.num_procs, info.num_queues,
         info.num_frames, PAGE);
  CHECK(info.magic == SGPU_MAGIC && info.num_procs >= 2 && info.num_queues >= 1,
        "device has the magic and at least 2 process slots and 1 queue");
  /* A device whose memory does not start zeroed (sim:small) starts with every frame dirty and
   * scrubs them first: the reference state is the one after that. */
  sgpu_device_info dstart = dinfo();
  CHECK(dstart.frames_clean + dstart.frames_dirty + dstart.frames_used == info.num_frames,
        "at open: clean %u + dirty %u + used %u = %u frames", dstart.frames_clean,
        dstart.frames_dirty, dstart.frames_used, info.num_frames);
  EXPECT(sgpu_wait_clean(dev, 1000000000ull), SGPU_STATUS_SUCCESS, "initial wait_clean");
  sgpu_device_info d0 = dinfo();

  sgpu_process a, b;
  lifecycle(&a, &b);
  mapping(a);
  memory(a, b);
  uint32_t qa = queues(a, b);
  teardown(a, qa);
  EXPECT(sgpu_destroy_process(dev, b, SGPU_POLICY_DEFAULT, NULL), SGPU_STATUS_SUCCESS, "destroy B");
  registers();
  deferred();
  big();
  resources();
  threads();

  EXPECT(sgpu_wait_clean(dev, 1000000000ull), SGPU_STATUS_SUCCESS, "final wait_clean");
  sgpu_device_info d1 = dinfo();
  CHECK(d1.frames_used == d0.frames_used && d1.live_processes == d0.live_processes &&
            d1.live_queues == d0.live_queues && d1.frames_clean == d0.frames_clean,
        "device back to its start: used %u->%u, clean %u->%u, processes %u->%u, queues %u->%u",
        d0.frames_used, d1.frames_used, d0.frames_clean, d1.frames_clean, d0.live_processes,
        d1.live_processes, d0.live_queues, d1.live_queues);
  sgpu_close(dev);
  dev = NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    run("sim:");
  } else {
    for (int i = 1; i < argc; i++) run(argv[i]);
  }
  return ht_done("test_api");
}
