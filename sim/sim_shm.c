/* sim_shm.c - sgpu-sim --shm NAME: the model's register bus as a BAR in shared memory
 * (sim_shm.h; the layout and protocol: host/lib/shm_bar.h, docs/host.md).
 *
 * The loop: bump the heartbeat; if REQ_SEQ differs from the last answered number, execute
 * the request's accesses in order on the register bus (the sim transport's read32/write32,
 * stopping at the first that fails), write the answer, fence, publish RSP_SEQ. Between
 * requests it yields, then sleeps 50 us, then (after 100 ms without a request) 1 ms, so an
 * idle server costs little and a busy one answers in microseconds. While requests came within
 * idle_ms the device clock runs between them at about clock_hz, at most clock_hz / 1000 cycles
 * per millisecond of wall time and never while a request waits (the scrubber and reclaims
 * progress between requests, as over the byte links; a slow model's clock runs slower).
 */
#define _XOPEN_SOURCE 700
#include "sim_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm_bar.h"

static volatile sig_atomic_t shm_stop = 0;
static void on_stop(int sig) { shm_stop = sig; }

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool sim_shm_name_ok(const char *name) {
  size_t n = strlen(name);
  return n >= 1 && n <= SHM_BAR_NAME_MAX &&
         strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

#define W(off) (*shm_bar_word(bar, (off)))

static bool pid_alive(uint32_t pid) { return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM); }

/* An object of that name already there: in use (its server lives) or stale (removed). */
static int check_existing(const char *shm_name, const char *name) {
  int fd = shm_open(shm_name, O_RDWR, 0);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  struct stat sb;
  uint32_t pid = 0, magic = 0;
  if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= SHM_BAR_SIZE) {
    void *bar = mmap(NULL, SHM_BAR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (bar != MAP_FAILED) {
      magic = W(SHM_BAR_OFF_MAGIC);
      pid = W(SHM_BAR_OFF_SERVER_PID);
      munmap(bar, SHM_BAR_SIZE);
    }
  }
  close(fd);
  if (magic == SHM_BAR_MAGIC && pid_alive(pid) && pid != (uint32_t)getpid()) {
    fprintf(stderr, "sgpu-sim: shm:%s is served by another sgpu-sim (pid %u): /dev/shm%s\n",
            name, pid, shm_name);
    return 1;
  }
  fprintf(stderr, "sgpu-sim: replacing a stale /dev/shm%s (its server, pid %u, is gone)\n",
          shm_name, pid);
  shm_unlink(shm_name);
  return 0;
}

/* One request: the accesses in order; the answer's status and count. */
static void serve(const sim_shm_cfg *cfg, void *bar, uint64_t *accesses, uint64_t *bus_errors) {
  uint32_t n = W(SHM_BAR_OFF_REQ_N), done = 0, status = SHM_BAR_RSP_OK;
  if (n == 0 || n > SHM_BAR_MAX_OPS) {
    status = SHM_BAR_RSP_BAD;
  } else {
    char why[256];
    for (; done < n; done++) {
      uint32_t off = SHM_BAR_OFF_OPS + 4u * SHM_BAR_OP_WORDS * done;
      uint32_t addr = W(off), flags = W(off + 4u);
      sgpu_status st;
      (*accesses)++;
      if (flags & SHM_BAR_OP_WRITE) {
        st = cfg->tp->write32(cfg->dev, addr, W(off + 8u), why, sizeof why);
      } else {
        uint32_t v = 0;
        st = cfg->tp->read32(cfg->dev, addr, &v, why, sizeof why);
        if (st == SGPU_STATUS_SUCCESS) W(off + 8u) = v;
      }
      if (st != SGPU_STATUS_SUCCESS) {
        status = SHM_BAR_RSP_BUS;
        (*bus_errors)++;
        break;
      }
    }
  }
  W(SHM_BAR_OFF_RSP_STATUS) = status;
  W(SHM_BAR_OFF_RSP_DONE) = done;
}

int sim_shm_serve(const sim_shm_cfg *cfg) {
  if (!sim_shm_name_ok(cfg->name)) {
    fprintf(stderr, "sgpu-sim: bad --shm name '%s' (1..%u of A-Z a-z 0-9 . _ -)\n", cfg->name,
            SHM_BAR_NAME_MAX);
    return 2;
  }
  char shm_name[SHM_BAR_NAME_MAX + 8];
  snprintf(shm_name, sizeof shm_name, "%s%s", SHM_BAR_PREFIX, cfg->name);
  int ex = check_existing(shm_name, cfg->name);
  if (ex) {
    if (ex < 0) fprintf(stderr, "sgpu-sim: /dev/shm%s: %s\n", shm_name, strerror(errno));
    return 1;
  }
  int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || ftruncate(fd, SHM_BAR_SIZE) != 0) {
    fprintf(stderr, "sgpu-sim: cannot create /dev/shm%s: %s\n", shm_name, strerror(errno));
    if (fd >= 0) {
      close(fd);
      shm_unlink(shm_name);
    }
    return 1;
  }
  void *bar = mmap(NULL, SHM_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (bar == MAP_FAILED) {
    fprintf(stderr, "sgpu-sim: cannot map /dev/shm%s: %s\n", shm_name, strerror(errno));
    shm_unlink(shm_name);
    return 1;
  }
  W(SHM_BAR_OFF_VERSION) = SHM_BAR_VERSION;
  W(SHM_BAR_OFF_SIZE) = SHM_BAR_SIZE;
  W(SHM_BAR_OFF_MAX_OPS) = SHM_BAR_MAX_OPS;
  W(SHM_BAR_OFF_SERVER_PID) = (uint32_t)getpid();
  W(SHM_BAR_OFF_STATE) = SHM_BAR_STATE_SERVING;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  W(SHM_BAR_OFF_MAGIC) = SHM_BAR_MAGIC; /* last: the object is ready */

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  printf("sgpu-sim: listening on shm:%s\n", cfg->name);
  fflush(stdout);
  fprintf(stderr, "sgpu-sim: model behind /dev/shm%s, %u-byte request slot of %u accesses, "
          "clock %u Hz when busy\n", shm_name, SHM_BAR_SIZE, SHM_BAR_MAX_OPS, cfg->clock_hz);

  uint64_t t_start = now_ms(), c_start = cfg->tp->cycles(cfg->dev);
  uint64_t last_req = 0, last_step = t_start, requests = 0, accesses = 0, bus_errors = 0;
  uint64_t client_requests = 0, clients = 0;
  uint32_t answered = W(SHM_BAR_OFF_RSP_SEQ), client = 0, idle_spins = 0, hb = 0;
  bool done = false;
  while (!shm_stop && !done) {
    W(SHM_BAR_OFF_HEARTBEAT) = ++hb;
    uint32_t req = W(SHM_BAR_OFF_REQ_SEQ);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the request's words are read after its number */
    if (req != answered) { /* a request first: the clock waits */
      serve(cfg, bar, &accesses, &bus_errors);
      __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the answer is written before its number */
      W(SHM_BAR_OFF_RSP_SEQ) = req;
      answered = req;
      requests++;
      client_requests++;
      last_req = now_ms();
      idle_spins = 0;
      continue;
    }
    /* No request: the device clock runs, at most 1 ms of it per pass (a model slower than
     * clock_hz runs slower, and never makes a request wait behind a long catch-up). */
    uint64_t t = now_ms();
    bool clock_on = cfg->clock_hz && last_req && t - last_req < cfg->idle_ms;
    if (clock_on && t > last_step) cfg->tp->step(cfg->dev, cfg->clock_hz / 1000u);
    if (t > last_step) last_step = t;
    uint32_t cp = W(SHM_BAR_OFF_CLIENT_PID);
    if (cp != client) {
      if (client) {
        printf("sgpu-sim: client pid %u left: %llu requests\n", client,
               (unsigned long long)client_requests);
        fflush(stdout);
        if (cfg->once) done = true;
      }
      if (cp) W(SHM_BAR_OFF_CLIENTS) = (uint32_t)++clients;
      client = cp;
      client_requests = 0;
    }
    /* Idle: yield first (a busy client's next request is microseconds away), then sleep. */
    idle_spins++;
    if (idle_spins < 2000) {
      sched_yield();
    } else {
      struct timespec ts = {0, now_ms() - last_req > 100 ? 1000000 : 50000};
      nanosleep(&ts, NULL);
    }
  }
  if (client) {
    printf("sgpu-sim: client pid %u left: %llu requests\n", client,
           (unsigned long long)client_requests);
  }
  W(SHM_BAR_OFF_STATE) = SHM_BAR_STATE_STOPPED;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  munmap(bar, SHM_BAR_SIZE);
  shm_unlink(shm_name);

  double secs = (double)(now_ms() - t_start) / 1000.0;
  uint64_t cycles = cfg->tp->cycles(cfg->dev) - c_start;
  printf("sgpu-sim: exit%s: %llu client%s; %llu requests, %llu register accesses, %llu bus "
         "errors; /dev/shm%s removed\n",
         shm_stop == SIGINT ? " on SIGINT" : shm_stop == SIGTERM ? " on SIGTERM" : "",
         (unsigned long long)clients, clients == 1 ? "" : "s", (unsigned long long)requests,
         (unsigned long long)accesses, (unsigned long long)bus_errors, shm_name);
  printf("sgpu-sim: clock: %llu cycles in %.1f s of wall time (%.0f cycles/s)\n",
         (unsigned long long)cycles, secs, secs > 0 ? (double)cycles / secs : 0.0);
  fflush(stdout);
  return 0;
}
