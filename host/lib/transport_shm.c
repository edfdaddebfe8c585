/* transport_shm.c - `shm:NAME[?timeout_ms=N]`: a device whose register bus is served as a BAR
 * in shared memory, /dev/shm/sgpu-NAME (`sgpu-sim --shm NAME`, sim/sim_shm.c). The object's
 * layout and its request protocol are host/lib/shm_bar.h; docs/host.md describes them.
 *
 * A register batch (up to SHM_BAR_MAX_OPS accesses, larger ones split) is one request: the
 * accesses are written into the request slot, a fence, REQ_SEQ + 1 published; then RSP_SEQ is
 * awaited: spinning with sched_yield for the first polls (an answer takes microseconds), then
 * sleeping 20 us between polls, never longer than timeout_ms in all. While waiting it watches
 * the server: its STATE (stopped at a clean exit), its pid (gone: it was killed) and its
 * heartbeat (unchanged for timeout_ms: stopped or hung). A failure names shm:NAME and the
 * reason (STATUS_IO_DEVICE_ERROR when the server is gone, STATUS_IO_TIMEOUT when it does not
 * answer); after it the instance refuses every later access (a late answer could meet the next
 * request): the caller opens the device again.
 *
 * One client at a time holds the slot: open claims CLIENT_PID with a compare-and-swap (0 or a
 * dead client's pid to ours), close gives it back. Nothing above the transport table knows
 * this is shared memory; the device layer polls the admin completion through batches (no
 * SGPUI_CAP_STEP, no SGPUI_CAP_ADMIN).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sgpu_internal.h"
#include "shm_bar.h"

#define SHM_DEFAULT_TIMEOUT_MS 2000u
#define SHM_SPIN_POLLS 1000u /* polls with sched_yield before sleeping between them */

typedef struct {
  void *bar;
  char uri[SHM_BAR_NAME_MAX + 16]; /* "shm:NAME" */
  char path[SHM_BAR_NAME_MAX + 16]; /* "/dev/shm/sgpu-NAME" */
  uint32_t timeout_ms;
  uint32_t server_pid, seq;
  bool claimed;
  char broken[SGPUI_ERR_LEN]; /* non-empty: a request failed; every later one fails */
  sgpu_link_counters st;
} shm_ctx;

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool pid_alive(uint32_t pid) { return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM); }

#define W(off) (*shm_bar_word(c->bar, (off)))

/* Is the server still there? "" if so, else why not (into why). */
static bool server_gone(shm_ctx *c, char *why, size_t len) {
  if (W(SHM_BAR_OFF_STATE) == SHM_BAR_STATE_STOPPED) {
    sgpui_set_err(why, len, "the simulator (pid %u) has stopped serving it (it exited)",
                  c->server_pid);
    return true;
  }
  if (!pid_alive(c->server_pid)) {
    sgpui_set_err(why, len, "the simulator (pid %u) is gone (killed? did sgpu-sim exit?)",
                  c->server_pid);
    return true;
  }
  return false;
}

/* Wait until RSP_SEQ == want, at most timeout_ms, watching the server. */
static sgpu_status wait_answer(shm_ctx *c, uint32_t want, const char *what, char *err,
                               size_t errlen) {
  uint64_t start = now_us(), last_beat_at = start;
  uint32_t beat = W(SHM_BAR_OFF_HEARTBEAT);
  for (uint32_t polls = 0;; polls++) {
    if (W(SHM_BAR_OFF_RSP_SEQ) == want) {
      __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the answer is read after its number */
      return SGPU_STATUS_SUCCESS;
    }
    uint64_t t = now_us();
    char why[160];
    if ((polls & 63u) == 63u && server_gone(c, why, sizeof why)) {
      sgpui_set_err(err, errlen, "%s: %s: %s", c->uri, what, why);
      return SGPU_STATUS_IO_DEVICE_ERROR;
    }
    uint32_t b = W(SHM_BAR_OFF_HEARTBEAT);
    if (b != beat) beat = b, last_beat_at = t;
    if (t - start >= (uint64_t)c->timeout_ms * 1000u) {
      if (server_gone(c, why, sizeof why)) {
        sgpui_set_err(err, errlen, "%s: %s: %s", c->uri, what, why);
        return SGPU_STATUS_IO_DEVICE_ERROR;
      }
      sgpui_set_err(
          err, errlen,
          "%s: %s: no answer within timeout_ms=%u (RSP_SEQ 0x%08x, waiting for 0x%08x; the "
          "simulator, pid %u, %s)",
          c->uri, what, c->timeout_ms, W(SHM_BAR_OFF_RSP_SEQ), want, c->server_pid,
          t - last_beat_at >= (uint64_t)c->timeout_ms * 1000u
              ? "has not run for as long: stopped or hung"
              : "runs but did not take the request");
      return SGPU_STATUS_IO_TIMEOUT;
    }
    if (polls < SHM_SPIN_POLLS) {
      sched_yield();
    } else {
      struct timespec ts = {0, 20000};
      nanosleep(&ts, NULL);
    }
  }
}

/* ---------------------------------------------------------------- register access */

static sgpu_status shm_request(shm_ctx *c, sgpui_reg_op *ops, size_t n, size_t *done,
                               char *err, size_t errlen) {
  uint32_t seq = c->seq + 1u;
  W(SHM_BAR_OFF_REQ_N) = (uint32_t)n;
  for (size_t i = 0; i < n; i++) {
    uint32_t off = SHM_BAR_OFF_OPS + 4u * SHM_BAR_OP_WORDS * (uint32_t)i;
    W(off) = ops[i].addr;
    W(off + 4u) = ops[i].is_write ? SHM_BAR_OP_WRITE : 0u;
    W(off + 8u) = ops[i].is_write ? ops[i].value : 0u;
  }
  __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the request is written before its number */
  W(SHM_BAR_OFF_REQ_SEQ) = seq;
  c->seq = seq;
  c->st.requests++;
  c->st.frames_tx++;
  c->st.bytes_tx += 4u + 12u * n;
  char what[64];
  snprintf(what, sizeof what, "request 0x%08x (%zu register accesses)", seq, n);
  sgpu_status st = wait_answer(c, seq, what, err, errlen);
  if (st != SGPU_STATUS_SUCCESS) {
    if (st == SGPU_STATUS_IO_TIMEOUT) c->st.timeouts++;
    c->st.failures++;
    snprintf(c->broken, sizeof c->broken, "%s", err);
    return st;
  }
  c->st.frames_rx++;
  uint32_t status = W(SHM_BAR_OFF_RSP_STATUS), ndone = W(SHM_BAR_OFF_RSP_DONE);
  c->st.bytes_rx += 8u + 12u * n;
  if (ndone > n) ndone = (uint32_t)n;
  for (size_t i = 0; i < ndone; i++)
    if (!ops[i].is_write)
      ops[i].value = W(SHM_BAR_OFF_OPS + 4u * SHM_BAR_OP_WORDS * (uint32_t)i + 8u);
  *done += ndone;
  if (status == SHM_BAR_RSP_OK && ndone == n) return SGPU_STATUS_SUCCESS;
  if (status == SHM_BAR_RSP_BUS) {
    sgpui_set_err(err, errlen, "%s: the register bus did not answer the %s of 0x%03x", c->uri,
                  ops[ndone < n ? ndone : n - 1].is_write ? "write" : "read",
                  ops[ndone < n ? ndone : n - 1].addr);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  sgpui_set_err(err, errlen, "%s: request 0x%08x answered with status %u after %u of %zu accesses",
                c->uri, seq, status, ndone, n);
  return SGPU_STATUS_IO_DEVICE_ERROR;
}

static sgpu_status shm_batch(void *p, sgpui_reg_op *ops, size_t n, size_t *done, char *err,
                             size_t errlen) {
  shm_ctx *c = p;
  *done = 0;
  if (c->broken[0]) {
    sgpui_set_err(err, errlen, "%s (an earlier request failed; open the device again)", c->broken);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  for (size_t i = 0; i < n; i += SHM_BAR_MAX_OPS) {
    size_t k = n - i < SHM_BAR_MAX_OPS ? n - i : SHM_BAR_MAX_OPS;
    size_t got = 0;
    sgpu_status st = shm_request(c, ops + i, k, &got, err, errlen);
    *done += got;
    if (st != SGPU_STATUS_SUCCESS) return st;
  }
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status shm_read32(void *p, uint32_t addr, uint32_t *val, char *err, size_t errlen) {
  return sgpui_batch_read32(shm_batch, p, addr, val, err, errlen);
}

static sgpu_status shm_write32(void *p, uint32_t addr, uint32_t val, char *err, size_t errlen) {
  return sgpui_batch_write32(shm_batch, p, addr, val, err, errlen);
}

/* ---------------------------------------------------------------- open / close */

static void shm_close(void *p) {
  shm_ctx *c = p;
  if (!c) return;
  if (c->bar) {
    if (c->claimed) {
      uint32_t me = (uint32_t)getpid();
      __atomic_compare_exchange_n((uint32_t *)shm_bar_word(c->bar, SHM_BAR_OFF_CLIENT_PID), &me,
                                  0u, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    munmap(c->bar, SHM_BAR_SIZE);
  }
  free(c);
}

static sgpu_status shm_fail(shm_ctx *c, sgpu_status st) {
  shm_close(c);
  return st;
}

static sgpu_status shm_open_uri(const char *arg, void **out, char *err, size_t errlen) {
  const char *q = strchr(arg, '?');
  size_t n = q ? (size_t)(q - arg) : strlen(arg);
  uint32_t timeout_ms = SHM_DEFAULT_TIMEOUT_MS;
  for (const char *o = q ? q + 1 : NULL; o && *o;) {
    const char *end = strchr(o, '&');
    size_t olen = end ? (size_t)(end - o) : strlen(o);
    unsigned long v = 0;
    char num[16] = "";
    if (olen > 11 && !strncmp(o, "timeout_ms=", 11) && olen - 11 < sizeof num) {
      memcpy(num, o + 11, olen - 11);
      num[olen - 11] = '\0';
    }
    if (!num[0] || strspn(num, "0123456789") != strlen(num) || (v = strtoul(num, NULL, 10)) < 1 ||
        v > 600000) {
      sgpui_set_err(err, errlen, "bad option '%.*s' in 'shm:%s' (known: timeout_ms=N, 1..600000)",
                    (int)olen, o, arg);
      return SGPU_STATUS_NOT_FOUND;
    }
    timeout_ms = (uint32_t)v;
    o += olen + (end ? 1 : 0);
  }
  char name[SHM_BAR_NAME_MAX + 1];
  if (n == 0 || n > SHM_BAR_NAME_MAX ||
      strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") < n) {
    sgpui_set_err(err, errlen,
                  "bad shm name '%.*s' in 'shm:%s': 1..%u of A-Z a-z 0-9 . _ - (the object is "
                  "/dev/shm/sgpu-NAME, served by sgpu-sim --shm NAME)",
                  (int)n, arg, arg, SHM_BAR_NAME_MAX);
    return SGPU_STATUS_NOT_FOUND;
  }
  memcpy(name, arg, n);
  name[n] = '\0';
  shm_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    sgpui_set_err(err, errlen, "host out of memory opening 'shm:%s'", arg);
    return SGPU_STATUS_NO_MEMORY;
  }
  c->timeout_ms = timeout_ms;
  snprintf(c->uri, sizeof c->uri, "shm:%s", name);
  snprintf(c->path, sizeof c->path, "/dev/shm%s%s", SHM_BAR_PREFIX, name);
  char oname[SHM_BAR_NAME_MAX + 8];
  snprintf(oname, sizeof oname, "%s%s", SHM_BAR_PREFIX, name);
  int fd = shm_open(oname, O_RDWR, 0);
  if (fd < 0) {
    int e = errno;
    struct stat sb;
    if (e == ENOENT)
      sgpui_set_err(err, errlen, "%s: no shared object %s (is `sgpu-sim --shm %s` running?)",
                    c->uri, c->path, name);
    else if (e == EACCES && stat(c->path, &sb) == 0)
      sgpui_set_err(
          err, errlen,
          "%s: cannot open %s: %s (mode %04o, owner uid %u, group gid %u; this process runs "
          "as uid %u)",
          c->uri, c->path, strerror(e), (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
          (unsigned)sb.st_gid, (unsigned)getuid());
    else
      sgpui_set_err(err, errlen, "%s: cannot open %s: %s", c->uri, c->path, strerror(e));
    return shm_fail(c, SGPU_STATUS_NOT_FOUND);
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0 || (size_t)sb.st_size < SHM_BAR_SIZE) {
    sgpui_set_err(err, errlen, "%s: %s holds %lld bytes, not an sgpu BAR (%u bytes)", c->uri,
                  c->path, (long long)sb.st_size, SHM_BAR_SIZE);
    close(fd);
    return shm_fail(c, SGPU_STATUS_NOT_FOUND);
  }
  void *bar = mmap(NULL, SHM_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (bar == MAP_FAILED) {
    sgpui_set_err(err, errlen, "%s: cannot map %s: %s", c->uri, c->path, strerror(errno));
    return shm_fail(c, SGPU_STATUS_NOT_FOUND);
  }
  c->bar = bar;
  uint32_t magic = W(SHM_BAR_OFF_MAGIC), version = W(SHM_BAR_OFF_VERSION);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (magic != SHM_BAR_MAGIC || version != SHM_BAR_VERSION || W(SHM_BAR_OFF_SIZE) != SHM_BAR_SIZE ||
      W(SHM_BAR_OFF_MAX_OPS) != SHM_BAR_MAX_OPS) {
    sgpui_set_err(
        err, errlen,
        "%s: %s is not an sgpu BAR of this libsgpu (magic 0x%08x, version %u, size %u, %u "
        "accesses; expected 0x%08x, %u, %u, %u)",
        c->uri, c->path, magic, version, W(SHM_BAR_OFF_SIZE), W(SHM_BAR_OFF_MAX_OPS), SHM_BAR_MAGIC,
        SHM_BAR_VERSION, SHM_BAR_SIZE, SHM_BAR_MAX_OPS);
    return shm_fail(c, SGPU_STATUS_NOT_FOUND);
  }
  c->server_pid = W(SHM_BAR_OFF_SERVER_PID);
  char why[160];
  if (server_gone(c, why, sizeof why)) {
    sgpui_set_err(err, errlen, "%s: %s is left over: %s", c->uri, c->path, why);
    return shm_fail(c, SGPU_STATUS_NOT_FOUND);
  }
  /* Claim the slot: free, or held by a client that has died. */
  uint32_t me = (uint32_t)getpid(), holder = 0;
  volatile uint32_t *cp = shm_bar_word(c->bar, SHM_BAR_OFF_CLIENT_PID);
  while (!__atomic_compare_exchange_n((uint32_t *)cp, &holder, me, false, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST)) {
    if (pid_alive(holder)) {
      sgpui_set_err(err, errlen, "%s: in use by another client (pid %u); one client at a time",
                    c->uri, holder);
      return shm_fail(c, SGPU_STATUS_IO_DEVICE_ERROR);
    }
    /* holder is the dead client's pid: the next compare-and-swap replaces it */
  }
  c->claimed = true;
  /* A dead client may have left a request unanswered: wait for the server to catch up. */
  uint32_t req = W(SHM_BAR_OFF_REQ_SEQ);
  sgpu_status st = wait_answer(c, req, "catching up with the last client's request", err, errlen);
  if (st != SGPU_STATUS_SUCCESS) return shm_fail(c, st);
  c->seq = req;
  *out = c;
  return SGPU_STATUS_SUCCESS;
}

static void shm_link_stats(void *p, sgpu_link_counters *out) { *out = ((shm_ctx *)p)->st; }

const sgpui_transport sgpui_transport_shm = {
    .scheme = "shm",
    .help = "shm:NAME[?timeout_ms=N]  the register bus as a BAR in /dev/shm/sgpu-NAME "
            "(sgpu-sim --shm NAME)",
    .caps = SGPUI_CAP_BATCH,
    .open = shm_open_uri,
    .close = shm_close,
    .read32 = shm_read32,
    .write32 = shm_write32,
    .batch = shm_batch,
    .link_stats = shm_link_stats,
};
