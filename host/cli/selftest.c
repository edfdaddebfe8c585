/* selftest.c - `sgpu selftest`: two processes isolated and torn down cleanly, PASS/FAIL per
 * check. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
  cli *c;
  unsigned checks, failed;
  char first[256];
} st_ctx;

static bool check(st_ctx *t, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool check(st_ctx *t, bool ok, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  t->checks++;
  if (!ok) {
    if (!t->failed++) snprintf(t->first, sizeof t->first, "%s", msg);
  }
  if (!t->c->json) printf("%s  %s\n", ok ? "PASS" : "FAIL", msg);
  return ok;
}

static bool check_st(st_ctx *t, sgpu_status st, sgpu_status want, const char *what) {
  if (st == want) return check(t, true, "%s: %s", what, sgpu_status_str(st));
  return check(t, false, "%s: %s, expected %s (%s)", what, sgpu_status_str(st),
               sgpu_status_str(want), sgpu_last_error(t->c->dev));
}

static uint32_t pattern(uint32_t seed, uint32_t i) { return (seed ^ (i * 0x9E3779B9u)) + i; }

int run_selftest(cli *c, const cmd *k, const args *a) {
  (void)a;
  st_ctx t = {.c = c};
  sgpu_info in;
  sgpu_device_info d0, d1;
  sgpu_process pa = 0, pb = 0;
  CHECK(c, k, sgpu_get_info(c->dev, &in));
  CHECK(c, k, sgpu_query_device(c->dev, &d0));
  uint32_t page = 1u << in.page_shift, va = 4 * page, nw = 32;
  uint32_t span = va + page - 4 * (nw / 2); /* straddles the boundary of two pages */
  uint32_t buf[32], back[32];

  if (check_st(&t, sgpu_create_process(c->dev, &pa), SGPU_STATUS_SUCCESS, "create process A") &&
      check_st(&t, sgpu_create_process(c->dev, &pb), SGPU_STATUS_SUCCESS, "create process B")) {
    check(&t, pa != pb, "handles differ (A 0x%08x, B 0x%08x)", pa, pb);
    check_st(&t, sgpu_map(c->dev, pa, va, 2), SGPU_STATUS_SUCCESS, "map 2 pages in A");
    check_st(&t, sgpu_map(c->dev, pb, va, 2), SGPU_STATUS_SUCCESS, "map 2 pages in B (same va)");
    check_st(&t, sgpu_read(c->dev, pa, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read fresh pages of A");
    uint32_t nz = 0;
    for (uint32_t i = 0; i < nw; i++) nz += back[i] != 0;
    check(&t, nz == 0, "fresh pages read zero (%u nonzero words)", nz);
    for (uint32_t i = 0; i < nw; i++) buf[i] = pattern(0xA5A5A5A5u, i);
    check_st(&t, sgpu_write(c->dev, pa, span, buf, sizeof buf), SGPU_STATUS_SUCCESS,
             "write pattern A across the page boundary");
    for (uint32_t i = 0; i < nw; i++) buf[i] = pattern(0x5A5A5A5Au, i);
    check_st(&t, sgpu_write(c->dev, pb, span, buf, sizeof buf), SGPU_STATUS_SUCCESS,
             "write pattern B at the same va in B");
    uint32_t bad = 0;
    check_st(&t, sgpu_read(c->dev, pa, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read back A");
    for (uint32_t i = 0; i < nw; i++) bad += back[i] != pattern(0xA5A5A5A5u, i);
    check(&t, bad == 0, "A reads its own pattern (%u words differ)", bad);
    uint32_t q = 0;
    check_st(&t, sgpu_create_queue(c->dev, pa, va, 4, &q), SGPU_STATUS_SUCCESS,
             "create a queue in A");
    sgpu_destroy_result r;
    memset(&r, 0, sizeof r);
    check_st(&t, sgpu_destroy_process(c->dev, pa, SGPU_POLICY_DEFAULT, &r), SGPU_STATUS_SUCCESS,
             "destroy A (device default policy)");
    check(&t, r.frames_freed == 4 && r.pt_pages_freed == 2 && r.queues_freed == 1,
          "A freed 4 frames, 2 of them page tables, 1 queue (got %u, %u, %u)", r.frames_freed,
          r.pt_pages_freed, r.queues_freed);
    sgpu_process_info pi;
    check_st(&t, sgpu_query_process(c->dev, pa, &pi), SGPU_STATUS_INVALID_HANDLE,
             "stale handle of A is refused");
    check_st(&t, sgpu_read(c->dev, pa, span, back, 4), SGPU_STATUS_INVALID_HANDLE,
             "memory of A is unreachable");
    bad = 0;
    check_st(&t, sgpu_read(c->dev, pb, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read back B after A died");
    for (uint32_t i = 0; i < nw; i++) bad += back[i] != pattern(0x5A5A5A5Au, i);
    check(&t, bad == 0, "B is intact (%u words differ)", bad);
    check_st(&t, sgpu_query_process(c->dev, pb, &pi), SGPU_STATUS_SUCCESS, "query B");
    check(&t, pi.state == SGPU_PROC_STATE_ACTIVE && pi.data_frames == 2,
          "B is ACTIVE with 2 data frames (state %s, %u frames)", state_name(pi.state),
          pi.data_frames);
    memset(&r, 0, sizeof r);
    check_st(&t, sgpu_destroy_process(c->dev, pb, SGPU_POLICY_HOST, &r), SGPU_STATUS_SUCCESS,
             "destroy B (host-driven)");
    check(&t, r.frames_freed == 4 && r.pt_pages_freed == 2,
          "B freed 4 frames, 2 of them page tables (got %u, %u)", r.frames_freed,
          r.pt_pages_freed);
    check_st(&t, sgpu_wait_clean(c->dev, DEFAULT_WAIT_CYCLES), SGPU_STATUS_SUCCESS,
             "scrubber catches up");
    if (check_st(&t, sgpu_query_device(c->dev, &d1), SGPU_STATUS_SUCCESS, "query device"))
      check(&t,
            d1.frames_used == d0.frames_used && d1.live_processes == d0.live_processes &&
                d1.frames_dirty == 0,
            "device back to its start (used %u->%u, live %u->%u, dirty %u)", d0.frames_used,
            d1.frames_used, d0.live_processes, d1.live_processes, d1.frames_dirty);
  }
  bool ok = t.failed == 0;
  if (c->json) {
    out_begin(c, k->name, ok ? "STATUS_SUCCESS" : "FAIL");
    out_str(c, "result", ok ? "PASS" : "FAIL");
    out_u32(c, "checks", t.checks, false);
    out_u32(c, "failed", t.failed, false);
    if (!ok) out_str(c, "first_failure", t.first);
    out_end(c);
  } else {
    printf("selftest: %s (%u checks, %u failed)\n", ok ? "PASS" : "FAIL", t.checks, t.failed);
  }
  return ok ? EXIT_OK : EXIT_DEVICE;
}
