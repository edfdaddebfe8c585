/* test_shm.c - libsgpu's shm: transport (host/lib/transport_shm.c) against sgpu-sim --shm
 * (sim/sim_shm.c), each sgpu-sim a child process started here (tests/host/sim_child.c).
 *
 *   test_shm SGPU_SIM [MODEL] [--quick]     MODEL default ref; --quick: fewer timing rounds
 *
 * 1. The object: sgpu-sim's first line names shm:NAME, /dev/shm/sgpu-NAME exists while it
 *    serves and is gone after SIGINT (test_shm_cli.sh: SIGTERM); a second sgpu-sim on the
 *    same name is refused.
 * 2. A lifecycle through libsgpu: create, map, write and read back across a page boundary,
 *    query, a queue, destroy with its phases, the device back to where it started; the
 *    link counters (sgpu_link_stats) count the requests with no failure.
 * 3. Successive clients on one device state (create in one session, query in the next,
 *    destroy in a third); a second client while one holds the slot is refused, naming it.
 * 4. Failures, never a hang: a stopped server (SIGSTOP) -> STATUS_IO_TIMEOUT after timeout_ms
 *    naming shm:NAME, and the instance refuses later calls; a killed server (SIGKILL) ->
 *    STATUS_IO_DEVICE_ERROR naming it; its left-over object is refused at open and replaced
 *    by the next sgpu-sim; bad URIs.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_test.h"
#include "sgpu.h"
#include "sim_child.h"

#define ST(x) sgpu_status_str(x)

static const char *sim_bin, *model = "ref";
static bool quick;
static char name[64], path[128];

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool exists(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0;
}

static bool start(sim_child *s) {
  const char *args[] = {"--model", model, "--shm", name, NULL};
  bool ok = sim_child_start(s, sim_bin, args);
  char want[128];
  snprintf(want, sizeof want, "shm:%s", name);
  return CHECK(ok && !strcmp(s->uri, want) && exists(path),
               "sgpu-sim --shm %s: first line 'sgpu-sim: listening on %s', %s exists", name,
               ok ? s->uri : "(none)", path);
}

static sgpu_device *open_ok(const char *uri) {
  sgpu_device *dev = NULL;
  char err[512];
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == SGPU_STATUS_SUCCESS, "open %s (%s %s)", uri, ST(st), err);
  return st == SGPU_STATUS_SUCCESS ? dev : NULL;
}

static void expect_fail(sgpu_status st, sgpu_status want, const char *msg, const char *n1,
                        const char *n2, const char *what) {
  CHECK(st == want && strstr(msg, n1) && (!n2 || strstr(msg, n2)),
        "%s -> %s naming '%s'%s%s%s (got %s: %s)", what, ST(want), n1, n2 ? " and '" : "",
        n2 ? n2 : "", n2 ? "'" : "", ST(st), msg);
}

/* ---------------------------------------------------------------- 2. lifecycle */

static void lifecycle(const char *uri) {
  puts("-- lifecycle");
  sgpu_device *dev = open_ok(uri);
  if (!dev) return;
  sgpu_info info;
  sgpu_device_info d0, d1;
  sgpu_status st = sgpu_get_info(dev, &info);
  CHECK(st == SGPU_STATUS_SUCCESS && info.magic == SGPU_MAGIC, "info: magic 0x%08x, %u slots",
        info.magic, info.num_procs);
  CHECK(sgpu_query_device(dev, &d0) == SGPU_STATUS_SUCCESS, "query device: %u live, %u used",
        d0.live_processes, d0.frames_used);
  uint32_t page = 1u << info.page_shift, va = 0x10u * page;
  uint32_t pages = 2u + 1200u / page; /* the 300 words below fit, whatever the page size */
  sgpu_process p = 0;
  st = sgpu_create_process(dev, &p);
  CHECK(st == SGPU_STATUS_SUCCESS, "create_process: 0x%08x (%s)", p, ST(st));
  st = sgpu_map(dev, p, va, pages);
  CHECK(st == SGPU_STATUS_SUCCESS, "map %u pages at 0x%x (%s)", pages, va, ST(st));
  st = sgpu_map(dev, p, va + page, 1);
  CHECK(st == SGPU_STATUS_CONFLICTING_ADDRESSES, "a conflicting map: %s", ST(st));
  uint32_t w[300], r[300];
  for (uint32_t i = 0; i < 300; i++) w[i] = 0x5A000000u ^ (i * 2654435761u);
  uint32_t wva = va + page - 8u; /* across page boundaries */
  st = sgpu_write(dev, p, wva, w, sizeof w);
  CHECK(st == SGPU_STATUS_SUCCESS, "write 300 words at 0x%x (%s)", wva, ST(st));
  memset(r, 0, sizeof r);
  st = sgpu_read(dev, p, wva, r, sizeof r);
  CHECK(st == SGPU_STATUS_SUCCESS && !memcmp(w, r, sizeof w), "read them back (%s)", ST(st));
  uint32_t q = 0;
  st = sgpu_create_queue(dev, p, va, 4, &q);
  CHECK(st == SGPU_STATUS_SUCCESS, "create_queue: %u (%s)", q, ST(st));
  sgpu_process_info pi;
  st = sgpu_query_process(dev, p, &pi);
  CHECK(st == SGPU_STATUS_SUCCESS && pi.data_frames == pages && pi.queues == 1,
        "query: %u data frames, %u queues (%s)", pi.data_frames, pi.queues, ST(st));
  sgpu_destroy_result dr;
  st = sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, &dr);
  CHECK(st == SGPU_STATUS_SUCCESS && dr.frames_freed == pages + dr.pt_pages_freed &&
            dr.queues_freed == 1 && dr.phases_read == 1 && dr.complete_cycles > 0,
        "destroy eager: %u frames freed (%u tables), %u queues, phases read (%s)",
        dr.frames_freed, dr.pt_pages_freed, dr.queues_freed, ST(st));
  st = sgpu_wait_clean(dev, 10000000);
  CHECK(st == SGPU_STATUS_SUCCESS, "wait_clean (%s %s)", ST(st), sgpu_last_error(dev));
  CHECK(sgpu_query_device(dev, &d1) == SGPU_STATUS_SUCCESS && d1.live_processes == d0.live_processes &&
            d1.frames_used == d0.frames_used,
        "device back: %u live, %u frames used", d1.live_processes, d1.frames_used);
  sgpu_link_counters lc;
  st = sgpu_link_stats(dev, &lc);
  CHECK(st == SGPU_STATUS_SUCCESS && lc.requests > 10 && lc.frames_rx == lc.requests &&
            lc.failures == 0 && lc.retries == 0,
        "link counters: %llu requests, %llu answers, %llu bytes out, %llu in, 0 failures",
        (unsigned long long)lc.requests, (unsigned long long)lc.frames_rx,
        (unsigned long long)lc.bytes_tx, (unsigned long long)lc.bytes_rx);
  /* Timing: an admin command answered at once (QUERY of a handle that does not exist). */
  unsigned n = quick ? 200 : 2000, bad = 0;
  uint64_t t0 = now_us();
  for (unsigned i = 0; i < n; i++)
    if (sgpu_query_process(dev, 0x00FF0001u, &pi) != SGPU_STATUS_INVALID_HANDLE) bad++;
  uint64_t t1 = now_us();
  sgpu_link_counters lc2;
  sgpu_link_stats(dev, &lc2);
  CHECK(bad == 0, "%u admin commands: %.1f us each, %.1f requests each (register batches and "
        "completion polls)",
        n, (double)(t1 - t0) / n, (double)(lc2.requests - lc.requests) / n);
  sgpu_close(dev);
}

/* ---------------------------------------------------------------- 3. clients */

static void clients(const char *uri) {
  puts("-- successive clients, one device");
  sgpu_process p = 0;
  sgpu_device *a = open_ok(uri);
  if (!a) return;
  sgpu_status st = sgpu_create_process(a, &p);
  CHECK(st == SGPU_STATUS_SUCCESS, "session 1: create_process 0x%08x", p);
  /* A second client while the first holds the slot. */
  sgpu_device *b = NULL;
  char err[512];
  st = sgpu_open_ex(uri, &b, err, sizeof err);
  char me[32];
  snprintf(me, sizeof me, "pid %u", (unsigned)getpid());
  expect_fail(st, SGPU_STATUS_IO_DEVICE_ERROR, err, uri, me, "a second client meanwhile");
  sgpu_close(a);
  sgpu_device *c = open_ok(uri);
  if (c) {
    sgpu_process_info pi;
    st = sgpu_query_process(c, p, &pi);
    CHECK(st == SGPU_STATUS_SUCCESS && pi.state == SGPU_PROC_STATE_ACTIVE,
          "session 2: the process of session 1 is there (%s, state %u)", ST(st), pi.state);
    sgpu_close(c);
  }
  /* A client that dies holding the slot (no sgpu_close): the next one takes it over. */
  fflush(stdout);
  pid_t kid = fork();
  if (kid == 0) {
    sgpu_device *k = NULL;
    _exit(sgpu_open(uri, &k) == SGPU_STATUS_SUCCESS ? 0 : 1);
  }
  int ks = -1;
  if (kid > 0) waitpid(kid, &ks, 0);
  CHECK(kid > 0 && WIFEXITED(ks) && WEXITSTATUS(ks) == 0, "a child opened %s and exited "
        "without closing it", uri);
  sgpu_device *d = open_ok(uri);
  if (d) {
    sgpu_destroy_result dr;
    st = sgpu_destroy_process(d, p, SGPU_POLICY_DEFAULT, &dr);
    CHECK(st == SGPU_STATUS_SUCCESS, "session 3, after the dead client: destroy it (%s)", ST(st));
    st = sgpu_destroy_process(d, p, SGPU_POLICY_DEFAULT, &dr);
    CHECK(st == SGPU_STATUS_INVALID_HANDLE, "a second destroy: %s", ST(st));
    sgpu_close(d);
  }
}

/* ---------------------------------------------------------------- 4. failures */

static void failures(sim_child *s) {
  puts("-- failures");
  char uri[160], err[512];
  snprintf(uri, sizeof uri, "shm:%s?timeout_ms=300", name);
  sgpu_status st;
  sgpu_device *dev = open_ok(uri);
  if (dev) { /* a stopped server: a timeout, not a hang */
    kill(s->pid, SIGSTOP);
    sgpu_device_info di;
    uint64_t t0 = now_us();
    st = sgpu_query_device(dev, &di);
    uint64_t ms = (now_us() - t0) / 1000u;
    kill(s->pid, SIGCONT);
    expect_fail(st, SGPU_STATUS_IO_TIMEOUT, sgpu_last_error(dev), "shm:", "timeout_ms=300",
                "a call while sgpu-sim is stopped (SIGSTOP)");
    CHECK(ms >= 300 && ms < 10000, "... after %llu ms", (unsigned long long)ms);
    st = sgpu_query_device(dev, &di);
    expect_fail(st, SGPU_STATUS_IO_DEVICE_ERROR, sgpu_last_error(dev), "earlier request failed",
                NULL, "the same instance afterwards");
    sgpu_close(dev);
  }
  dev = open_ok(uri);
  if (dev) { /* a killed server */
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    sgpu_device_info di;
    uint64_t t0 = now_us();
    st = sgpu_query_device(dev, &di);
    uint64_t ms = (now_us() - t0) / 1000u;
    expect_fail(st, SGPU_STATUS_IO_DEVICE_ERROR, sgpu_last_error(dev), "shm:", "is gone",
                "a call after sgpu-sim was killed");
    CHECK(ms < 5000, "... within %llu ms", (unsigned long long)ms);
    sgpu_close(dev);
  }
  sim_child_kill(s);
  dev = NULL;
  st = sgpu_open_ex(uri, &dev, err, sizeof err);
  expect_fail(st, SGPU_STATUS_NOT_FOUND, err, path, "left over",
              "open of the object a killed sgpu-sim left");
  sim_child s2;
  if (start(&s2)) { /* the next sgpu-sim replaces the stale object */
    if ((dev = open_ok(uri))) {
      sgpu_process p;
      CHECK(sgpu_create_process(dev, &p) == SGPU_STATUS_SUCCESS, "the replaced object serves");
      sgpu_close(dev);
    }
    const char *args[] = {"--model", model, "--shm", name, NULL};
    sim_child s3;
    CHECK(!sim_child_start(&s3, sim_bin, args), "a second sgpu-sim on shm:%s is refused", name);
    char last[512];
    int ws = sim_child_stop(&s2, SIGINT, "sgpu-sim: exit", last, sizeof last);
    CHECK(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && strstr(last, "on SIGINT") &&
              strstr(last, "removed") && !exists(path),
          "SIGINT: exit 0, %s removed ('%s')", path, last);
  }
  st = sgpu_open_ex(uri, &dev, err, sizeof err);
  expect_fail(st, SGPU_STATUS_NOT_FOUND, err, "no shared object", "sgpu-sim --shm",
              "open with no simulator");

  struct {
    const char *uri, *n1;
  } bad[] = {
      {"shm:", "bad shm name ''"},
      {"shm:a/b", "bad shm name 'a/b'"},
      {"shm:x?timeout_ms=0", "timeout_ms=0"},
      {"shm:x?colour=red", "colour=red"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dev = (sgpu_device *)1;
    st = sgpu_open_ex(bad[i].uri, &dev, err, sizeof err);
    CHECK(st == SGPU_STATUS_NOT_FOUND && !dev && strstr(err, bad[i].n1),
          "open '%s' -> STATUS_NOT_FOUND naming '%s' (%s: %s)", bad[i].uri, bad[i].n1, ST(st),
          err);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_shm SGPU_SIM [MODEL] [--quick]\n");
    return 2;
  }
  sim_bin = argv[1];
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--quick"))
      quick = true;
    else
      model = argv[i];
  }
  signal(SIGPIPE, SIG_IGN);
  snprintf(name, sizeof name, "test-%u", (unsigned)getpid());
  snprintf(path, sizeof path, "/dev/shm/sgpu-%s", name);
  sim_child s;
  if (start(&s)) {
    char uri[128];
    snprintf(uri, sizeof uri, "shm:%s", name);
    lifecycle(uri);
    clients(uri);
    failures(&s);
  }
  sim_child_kill(&s);
  if (exists(path)) unlink(path); /* never leave one behind */
  return ht_done("test_shm");
}
