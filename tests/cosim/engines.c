/* engines.c - the engine contract through libsgpu, with the simulated device's stand-in engines
 * (sim/rtl/sgpu_engine_standin.sv) doing work while processes come and go:
 *
 *   fences   seeded random rounds: processes are created (every page they map must read zero
 *            first: no residue), ring their queues' doorbells while the engines write fence
 *            words into their rings, unmap and remap their ring and data pages, and are
 *            destroyed EAGER or DEFERRED while work is in flight; engines stall (hold) for a
 *            while and resume. Checked: the ownership checker never fires (it stops the
 *            simulation, and its count must be 0); every word of a live process's ring is 0
 *            or a fence of that process (its slot, its engine, a write pointer it rang, at
 *            that write pointer's entry), its data pages keep their pattern, a fence rung on an
 *            idle engine lands in the ring; after every destroy the next process to take the
 *            slot maps the same addresses and reads zero, and a held item of the destroyed
 *            process must never write into it when the engine resumes; at the end, a process
 *            that maps every frame reads zero everywhere
 *   stuck    engines held forever (SGPU_SIM_ENGINES=hold=0x3 at open): DESTROY_PROCESS of a
 *            process with a work item in flight completes (EAGER and DEFERRED) after about
 *            DRAIN_TIMEOUT cycles (set small with sgpu_reg_write) with work_aborted >= 1, and
 *            another process keeps working meanwhile (memory, mapping, doorbells, its own
 *            destroy); released, the engines run that process's work again
 *   drained  engines that finish in time: an item held while DESTROY_PROCESS waits in its
 *            drain phase (no completion until it is released), then released: the completion
 *            has work_aborted 0 and the item counted as done; and destroys right after
 *            doorbells, many rounds, both policies: work_aborted 0 every time
 *
 *   engines [--uri URI] [--seed N] [--rounds N] [CASE...]
 *
 * The engines are controlled and observed through the model object's optional sim ABI
 * (sim/sgpu_sim.h): SGPU_SIM_ENGINES when the device is opened, then sgpu_sim_engines_set and
 * _get, and sgpu_sim_step to let time pass, on the one instance libsgpu created (dlopen of the
 * same object with RTLD_NOLOAD, sgpu_sim_instance(0)). So each case opens one device at a time, on a
 * Verilated model (sim:small, sim:default; sim:ref has no engines).
 */
#define _GNU_SOURCE /* RTLD_NOLOAD */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosim_check.h"
#include "sgpu.h"
#include "sgpu_regs.h" /* internal: register offsets (tests only) */
#include "sgpu_sim.h"

#ifndef SGPU_SIM_DEFAULT_DIR
#define SGPU_SIM_DEFAULT_DIR "build/sim"
#endif

#define WAIT_CYCLES 400000000ull
#define MAX_PROCS 3    /* live processes in `fences` (one slot left for DYING ones) */
#define MAX_DATA 3     /* data pages per process: VA pages 1..MAX_DATA; the ring is page 0 */

typedef struct {
  void *so;
  sgpu_sim *sim;
  int (*set)(sgpu_sim *, const char *, char *, size_t);
  void (*get)(sgpu_sim *, sgpu_sim_engine_info *);
  sgpu_sim *(*instance)(uint32_t);
  void (*step)(sgpu_sim *, uint64_t);
} model;

typedef struct {
  const char *uri, *name;
  uint64_t seed;
  uint32_t rounds;
  sgpu_device *dev;
  sgpu_info info;
  model m;
  uint32_t E; /* words per page */
} ec;

/* xorshift64*: reproducible from the printed seed */
static uint64_t rng_s;
static uint32_t rnd(uint32_t n) {
  rng_s ^= rng_s >> 12;
  rng_s ^= rng_s << 25;
  rng_s ^= rng_s >> 27;
  return n ? (uint32_t)((rng_s * 2685821657736338717ull >> 32) % n) : 0;
}

static uint32_t pattern(uint32_t tag, uint32_t va) {
  uint32_t x = tag * 0x9E3779B9u ^ va;
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  return x | 1u;
}

/* ------------------------------------------------------------------ the model object */

/* The model object libsgpu loads for uri (as host/lib/transport_sim.c resolves it). */
static int model_path(ec *c, char *path, size_t len) {
  const char *arg = strncmp(c->uri, "sim:", 4) ? NULL : c->uri + 4;
  REQUIRE(arg, "'%s' is not a sim: URI (the engines are the simulated device's)", c->uri);
  size_t n = strcspn(arg, "?");
  int w;
  if (memchr(arg, '/', n)) {
    w = snprintf(path, len, "%.*s", (int)n, arg);
  } else {
    const char *dir = getenv("SGPU_SIM_DIR");
    if (!dir || !*dir) dir = SGPU_SIM_DEFAULT_DIR;
    w = n ? snprintf(path, len, "%s/libsgpu_sim_%.*s.so", dir, (int)n, arg)
          : snprintf(path, len, "%s/libsgpu_sim_default.so", dir);
  }
  REQUIRE(w > 0 && (size_t)w < len, "model path too long");
  return 0;
}

static int bind(ec *c, void **slot, const char *name, const char *path) {
  dlerror();
  void *p = dlsym(c->m.so, name);
  REQUIRE(p, "model '%s' lacks %s (a model without the engine controls: %s)", path, name,
          dlerror());
  memcpy(slot, &p, sizeof p);
  return 0;
}

static void close_dev(ec *c) {
  if (c->m.so) dlclose(c->m.so);
  memset(&c->m, 0, sizeof c->m);
  if (c->dev) sgpu_close(c->dev);
  c->dev = NULL;
}

/* Open the device with SGPU_SIM_ENGINES=engines (NULL: unset) and find its model instance. */
static int open_dev(ec *c, const char *engines) {
  char err[512], path[4096];
  if (engines)
    setenv(SGPU_SIM_ENGINES_ENV, engines, 1);
  else
    unsetenv(SGPU_SIM_ENGINES_ENV);
  sgpu_status st = sgpu_open_ex(c->uri, &c->dev, err, sizeof err);
  unsetenv(SGPU_SIM_ENGINES_ENV);
  if (st != SGPU_STATUS_SUCCESS) {
    c->dev = NULL;
    return fail_at(c, __LINE__, "cannot open '%s' with SGPU_SIM_ENGINES=%s: %s: %s", c->uri,
                   engines ? engines : "(unset)", sgpu_status_str(st), err);
  }
  ST(sgpu_get_info(c->dev, &c->info), SGPU_STATUS_SUCCESS);
  REQUIRE(c->info.num_procs > MAX_PROCS, "the device has %u process slots; this test needs %u",
          c->info.num_procs, MAX_PROCS + 1);
  c->E = 1u << (c->info.page_shift - 2);
  DO(model_path(c, path, sizeof path));
  c->m.so = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  REQUIRE(c->m.so, "model '%s' is not the object libsgpu loaded: %s", path, dlerror());
  DO(bind(c, (void **)&c->m.set, "sgpu_sim_engines_set", path));
  DO(bind(c, (void **)&c->m.get, "sgpu_sim_engines_get", path));
  DO(bind(c, (void **)&c->m.instance, "sgpu_sim_instance", path));
  DO(bind(c, (void **)&c->m.step, "sgpu_sim_step", path));
  c->m.sim = c->m.instance(0);
  REQUIRE(c->m.sim && !c->m.instance(1), "expected exactly one live instance of '%s'", path);
  return 0;
}

static sgpu_sim_engine_info eng(ec *c) {
  sgpu_sim_engine_info i;
  c->m.get(c->m.sim, &i);
  return i;
}

static int eng_set(ec *c, const char *settings) {
  char err[256];
  REQUIRE(c->m.set(c->m.sim, settings, err, sizeof err) == 0, "%s", err);
  return 0;
}

static int hold(ec *c, uint32_t mask) {
  char s[32];
  snprintf(s, sizeof s, "hold=0x%X", mask);
  return eng_set(c, s);
}

static void step(ec *c, uint64_t n) { c->m.step(c->m.sim, n); }

static uint32_t engine_of(ec *c, uint32_t q) { return q % eng(c).engines; }

static uint32_t reg(ec *c, uint32_t addr) {
  uint32_t v = 0xFFFFFFFFu;
  if (sgpu_reg_read(c->dev, addr, &v) != SGPU_STATUS_SUCCESS) v = 0xFFFFFFFFu;
  return v;
}

/* Read n words at va of p (n <= 1024). */
static int read_words(ec *c, sgpu_process p, uint32_t va, uint32_t *buf, uint32_t n) {
  ST(sgpu_read(c->dev, p, va, buf, 4 * n), SGPU_STATUS_SUCCESS);
  return 0;
}

static int all_zero(ec *c, sgpu_process p, uint32_t vpn, uint32_t pages, uint64_t *words) {
  uint32_t buf[1024];
  for (uint32_t v = vpn; v < vpn + pages; v++) {
    uint32_t va = v << c->info.page_shift;
    for (uint32_t w0 = 0; w0 < c->E; w0 += 1024) {
      uint32_t n = c->E - w0 < 1024 ? c->E - w0 : 1024;
      DO(read_words(c, p, va + 4 * w0, buf, n));
      for (uint32_t w = 0; w < n; w++)
        REQUIRE(buf[w] == 0, "residue: process 0x%08X va 0x%08X reads 0x%08X in a page it just "
                "mapped", p, va + 4 * (w0 + w), buf[w]);
      *words += n;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ fences */

typedef struct {
  bool live;
  sgpu_process h;
  uint32_t serial; /* this process's number in the run (owner of its write pointers) */
  uint32_t q, log2;
  bool ring_mapped;
  uint32_t data;   /* data pages 1..data mapped, holding pattern(tag) */
  uint32_t tag;
  uint32_t rung;   /* doorbells rung on its queue */
} proc;

typedef struct {
  proc p[MAX_PROCS];
  uint32_t serials;
  uint32_t wptr;                /* the last write pointer rung (global, never reused) */
  uint32_t wptr_owner[65536];   /* serial of the process that rang it, 0: none */
  uint32_t stall_mask, stall_rounds;
  /* counts */
  uint32_t created, destroyed[3], aborted, aborted_destroys, stall_destroys, doorbells,
      unmaps, scans, fences_seen, fences_rung_idle, reuse_checks;
  uint64_t zero_words;
} fstate;

static int ring_doorbell(ec *c, fstate *s, proc *p) {
  REQUIRE(s->wptr < 65535, "write pointers used up (fewer rounds)");
  s->wptr++;
  s->wptr_owner[s->wptr] = p->serial;
  ST(sgpu_ring_doorbell(c->dev, p->q, s->wptr), SGPU_STATUS_SUCCESS);
  s->doorbells++;
  p->rung++;
  return 0;
}

/* Every word of p's ring page (if mapped) and data pages: ring words are 0 or p's own fences at
 * their entry, the rest of page 0 is 0, data pages hold their pattern. */
static int scan(ec *c, fstate *s, proc *p) {
  uint32_t buf[1024];
  const uint32_t slot = SGPU_HANDLE_SLOT(p->h), entries = 1u << p->log2;
  const uint32_t engine = engine_of(c, p->q);
  s->scans++;
  if (p->ring_mapped) {
    REQUIRE(c->E <= 1024, "page too large for this check");
    DO(read_words(c, p->h, 0, buf, c->E));
    for (uint32_t w = 0; w < c->E; w++) {
      uint32_t v = buf[w];
      if (!v) continue;
      uint32_t entry = w / 4, wp = v & 0xFFFFu;
      REQUIRE(w % 4 == 0 && entry < entries && v >> 24 == (0xE0u | engine) &&
                  ((v >> 16) & 0xFFu) == slot && s->wptr_owner[wp] == p->serial &&
                  (wp & (entries - 1)) == entry,
              "process 0x%08X (serial %u, queue %u on engine %u, %u entries) ring word %u holds "
              "0x%08X: not a fence of its own (write pointer %u was rung by serial %u)",
              p->h, p->serial, p->q, engine, entries, w, v, wp, s->wptr_owner[wp]);
      s->fences_seen++;
    }
  }
  for (uint32_t d = 1; d <= p->data; d++) {
    uint32_t va = d << c->info.page_shift;
    for (uint32_t w0 = 0; w0 < c->E; w0 += 1024) {
      uint32_t n = c->E - w0 < 1024 ? c->E - w0 : 1024;
      DO(read_words(c, p->h, va + 4 * w0, buf, n));
      for (uint32_t w = 0; w < n; w++) {
        uint32_t a = va + 4 * (w0 + w);
        REQUIRE(buf[w] == pattern(p->tag, a),
                "process 0x%08X data va 0x%08X reads 0x%08X, expected 0x%08X", p->h, a, buf[w],
                pattern(p->tag, a));
      }
    }
  }
  return 0;
}

static int write_data(ec *c, proc *p, uint32_t d) {
  uint32_t buf[1024];
  uint32_t va = d << c->info.page_shift;
  for (uint32_t w0 = 0; w0 < c->E; w0 += 1024) {
    uint32_t n = c->E - w0 < 1024 ? c->E - w0 : 1024;
    for (uint32_t w = 0; w < n; w++) buf[w] = pattern(p->tag, va + 4 * (w0 + w));
    ST(sgpu_write(c->dev, p->h, va + 4 * w0, buf, 4 * n), SGPU_STATUS_SUCCESS);
  }
  return 0;
}

/* MAP, and when memory is short wait for the scrubber and the reclaimer once. */
static sgpu_status map_pages(ec *c, sgpu_process h, uint32_t vpn, uint32_t pages) {
  sgpu_status st = sgpu_map(c->dev, h, vpn << c->info.page_shift, pages);
  if (st == SGPU_STATUS_NO_MEMORY && sgpu_wait_clean(c->dev, WAIT_CYCLES) == SGPU_STATUS_SUCCESS)
    st = sgpu_map(c->dev, h, vpn << c->info.page_shift, pages);
  return st;
}

/* A new process in p: it maps its ring page and data pages, which must all read zero (no
 * residue of anything before it, engines' fences included), writes its data, creates its
 * queue with the ring at va 0. Returns 0, or 1 on failure; p->live says whether it exists (a
 * shortage of frames is not a failure: it is destroyed again and p stays empty). */
static int create_proc(ec *c, fstate *s, proc *p) {
  memset(p, 0, sizeof *p);
  sgpu_status st = sgpu_create_process(c->dev, &p->h);
  if (st == SGPU_STATUS_INSUFFICIENT_RESOURCES) {
    ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS); /* DYING slots come back */
    st = sgpu_create_process(c->dev, &p->h);
  }
  ST(st, SGPU_STATUS_SUCCESS);
  p->live = true;
  p->serial = ++s->serials;
  p->tag = p->serial * 7919u;
  s->created++;
  uint32_t data = 1 + rnd(MAX_DATA);
  st = map_pages(c, p->h, 0, 1 + data);
  if (st == SGPU_STATUS_NO_MEMORY) { /* not enough frames now: it goes again */
    ST(sgpu_destroy_process(c->dev, p->h, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
    p->live = false;
    return 0;
  }
  ST(st, SGPU_STATUS_SUCCESS);
  p->ring_mapped = true;
  DO(all_zero(c, p->h, 0, 1 + data, &s->zero_words));
  p->data = data;
  for (uint32_t d = 1; d <= data; d++) DO(write_data(c, p, d));
  uint32_t max_log2 = c->info.page_shift - 4; /* the ring fits in page 0 */
  if (max_log2 > 4) max_log2 = 4;
  p->log2 = 1 + rnd(max_log2);
  st = sgpu_create_queue(c->dev, p->h, 0, p->log2, &p->q);
  if (st == SGPU_STATUS_INSUFFICIENT_RESOURCES) { /* queue slots all taken by DYING processes */
    ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS);
    st = sgpu_create_queue(c->dev, p->h, 0, p->log2, &p->q);
  }
  ST(st, SGPU_STATUS_SUCCESS);
  return 0;
}

static int destroy_proc(ec *c, fstate *s, proc *p, uint32_t policy) {
  sgpu_destroy_result r;
  ST(sgpu_destroy_process(c->dev, p->h, policy, &r), SGPU_STATUS_SUCCESS);
  s->destroyed[policy]++;
  s->aborted += r.work_aborted;
  s->aborted_destroys += r.work_aborted > 0;
  s->stall_destroys += s->stall_mask != 0;
  /* Before DRAIN_TIMEOUT only queued items can have been dropped (at STOP): no more than the
   * doorbells rung on its queue; running work is aborted only after the timeout. */
  if (s->stall_mask & (1u << engine_of(c, p->q)))
    REQUIRE(r.stop_drain_cycles >= reg(c, SGPU_REG_DRAIN_TIMEOUT) || r.work_aborted <= p->rung,
            "destroy aborted %u work items after %u drain cycles, before DRAIN_TIMEOUT, with "
            "only %u doorbells rung", r.work_aborted, r.stop_drain_cycles, p->rung);
  p->live = false;
  return 0;
}

/* A fence rung on an idle engine lands in p's ring within a bounded time. */
static int fence_lands(ec *c, fstate *s, proc *p) {
  step(c, 2000); /* the engines' backlog (at most a few items of <= ~60 cycles) is done */
  DO(ring_doorbell(c, s, p));
  const uint32_t w = s->wptr, entries = 1u << p->log2;
  const uint32_t want = (0xE0u | engine_of(c, p->q)) << 24 | (p->h & 0xFFu) << 16 | w;
  uint32_t v = 0;
  for (int i = 0; i < 100 && v != want; i++) {
    step(c, 16);
    DO(read_words(c, p->h, (w & (entries - 1)) * 16, &v, 1));
  }
  REQUIRE(v == want, "fence of write pointer %u never landed in process 0x%08X's ring (entry "
          "holds 0x%08X, expected 0x%08X)", w, p->h, v, want);
  s->fences_rung_idle++;
  return 0;
}

/* The slot's next owner: a destroyed process had an item held by a stalled engine; a new
 * process takes the same slot (the ASID comes back), maps the same addresses and reads zero;
 * when the engine resumes, the held item must not write into the new process's ring (it was
 * aborted), which scan() would see as a fence the new process never rang. */
static int reuse_after_stall(ec *c, fstate *s, proc *p, uint32_t policy) {
  const uint32_t slot = SGPU_HANDLE_SLOT(p->h), mask = 1u << engine_of(c, p->q), old = s->stall_mask;
  s->stall_mask |= mask;
  DO(hold(c, s->stall_mask));
  for (uint32_t i = 0, n = 1 + rnd(3); i < n; i++) DO(ring_doorbell(c, s, p));
  step(c, 4 + rnd(40));
  DO(destroy_proc(c, s, p, policy));
  if (policy == SGPU_POLICY_DEFERRED) ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS);
  /* CREATE_PROCESS takes the lowest FREE slot: the same one unless a lower one is free */
  DO(create_proc(c, s, p));
  if (p->live && SGPU_HANDLE_SLOT(p->h) == slot) s->reuse_checks++;
  s->stall_mask = old;
  DO(hold(c, s->stall_mask));
  step(c, 2000);
  return p->live ? scan(c, s, p) : 0;
}

static int case_fences(ec *c) {
  fstate *s = calloc(1, sizeof *s);
  REQUIRE(s, "out of memory");
  int rc = 1;
  const uint32_t drain = 256;
  printf("  [fences] seed %" PRIu64 ", %u rounds (replay: engines --uri %s --seed %" PRIu64
         " --rounds %u fences)\n", c->seed, c->rounds, c->uri, c->seed, c->rounds);
  rng_s = c->seed ? c->seed : 0x9E3779B97F4A7C15ull;
  if (open_dev(c, "writes")) goto out;
  {
    sgpu_sim_engine_info i0 = eng(c);
    if (i0.writes != 1 || i0.hold_mask != 0) {
      fail_at(c, __LINE__, "SGPU_SIM_ENGINES=writes gave writes %u hold 0x%X", i0.writes,
              i0.hold_mask);
      goto out;
    }
  }
  if (sgpu_reg_write(c->dev, SGPU_REG_DRAIN_TIMEOUT, drain) != SGPU_STATUS_SUCCESS) {
    fail_at(c, __LINE__, "DRAIN_TIMEOUT write");
    goto out;
  }
  /* The attack first, on a fresh device (slot reuse certain), with both policies. */
  if (create_proc(c, s, &s->p[0]) || !s->p[0].live ||
      reuse_after_stall(c, s, &s->p[0], SGPU_POLICY_EAGER) || !s->p[0].live ||
      reuse_after_stall(c, s, &s->p[0], SGPU_POLICY_DEFERRED))
    goto out;
  if (s->reuse_checks != 2) {
    fail_at(c, __LINE__, "the new process did not take the destroyed one's slot (%u of 2)",
            s->reuse_checks);
    goto out;
  }
  for (uint32_t round = 0; round < c->rounds; round++) {
    uint32_t k = rnd(MAX_PROCS);
    proc *p = &s->p[k];
    uint32_t act = rnd(100);
    if (s->stall_mask && --s->stall_rounds == 0) { /* the stall ends */
      s->stall_mask = 0;
      if (hold(c, 0)) goto out;
    }
    if (!p->live) {
      if (create_proc(c, s, p) || (p->live && ring_doorbell(c, s, p))) goto out;
    } else if (act < 30) { /* doorbells */
      for (uint32_t i = 0, n = 1 + rnd(4); i < n; i++)
        if (ring_doorbell(c, s, p)) goto out;
      step(c, rnd(60));
    } else if (act < 42) { /* the ring page goes and comes back while items use it */
      if (p->ring_mapped) {
        for (uint32_t i = 0, n = 1 + rnd(4); i < n; i++) /* a backlog: items mid-access */
          if (ring_doorbell(c, s, p)) goto out;
        step(c, rnd(100));
        sgpu_status st = sgpu_unmap(c->dev, p->h, 0, 1);
        if (st != SGPU_STATUS_SUCCESS) {
          fail_at(c, __LINE__, "unmap ring page: %s", sgpu_status_str(st));
          goto out;
        }
        p->ring_mapped = false;
        s->unmaps++;
        step(c, rnd(40));
      }
      sgpu_status st = map_pages(c, p->h, 0, 1);
      if (st == SGPU_STATUS_SUCCESS) p->ring_mapped = true;
      else if (st != SGPU_STATUS_NO_MEMORY) {
        fail_at(c, __LINE__, "remap ring page: %s", sgpu_status_str(st));
        goto out;
      }
      if (scan(c, s, p)) goto out;
    } else if (act < 50) { /* the last data page goes; a new one must read zero */
      if (p->data) {
        sgpu_status st = sgpu_unmap(c->dev, p->h, p->data << c->info.page_shift, 1);
        if (st != SGPU_STATUS_SUCCESS) {
          fail_at(c, __LINE__, "unmap data page: %s", sgpu_status_str(st));
          goto out;
        }
        s->unmaps++;
        st = map_pages(c, p->h, p->data, 1);
        if (st == SGPU_STATUS_SUCCESS) {
          if (all_zero(c, p->h, p->data, 1, &s->zero_words) || write_data(c, p, p->data))
            goto out;
        } else if (st == SGPU_STATUS_NO_MEMORY) {
          p->data--;
        } else {
          fail_at(c, __LINE__, "remap data page: %s", sgpu_status_str(st));
          goto out;
        }
      }
    } else if (act < 62) { /* destroy with work in flight */
      for (uint32_t i = 0, n = rnd(4); i < n; i++)
        if (ring_doorbell(c, s, p)) goto out;
      step(c, rnd(40));
      if (destroy_proc(c, s, p, rnd(2) ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER)) goto out;
    } else if (act < 68) { /* the attack again, mid-run */
      if (reuse_after_stall(c, s, p, rnd(2) ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER))
        goto out;
    } else if (act < 80) {
      if (scan(c, s, p)) goto out;
    } else if (act < 88) { /* an engine stalls for a few rounds, or resumes */
      s->stall_mask = s->stall_mask ? 0 : 1u + rnd((1u << eng(c).engines) - 1);
      s->stall_rounds = 2 + rnd(8);
      if (hold(c, s->stall_mask)) goto out;
    } else if (!s->stall_mask && p->ring_mapped) {
      if (fence_lands(c, s, p)) goto out;
    }
  }
  /* The end: engines resume, every live process's ring and data checked, all destroyed. */
  if (hold(c, 0)) goto out;
  s->stall_mask = 0;
  step(c, 2000);
  for (uint32_t i = 0; i < MAX_PROCS; i++) {
    if (!s->p[i].live) continue;
    if (scan(c, s, &s->p[i]) || (s->p[i].ring_mapped && fence_lands(c, s, &s->p[i])) ||
        destroy_proc(c, s, &s->p[i], i % 2 ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER))
      goto out;
  }
  if (sgpu_wait_clean(c->dev, WAIT_CYCLES) != SGPU_STATUS_SUCCESS) {
    fail_at(c, __LINE__, "wait_clean at the end");
    goto out;
  }
  {
    sgpu_device_info d;
    if (sgpu_query_device(c->dev, &d) != SGPU_STATUS_SUCCESS || d.frames_clean != c->info.num_frames) {
      fail_at(c, __LINE__, "frames clean at the end: %u of %u", d.frames_clean, c->info.num_frames);
      goto out;
    }
    /* No residue anywhere: one process maps every frame it can (all but its tables). */
    sgpu_process r;
    uint32_t leaves = (c->info.num_frames + c->E - 1) / c->E;
    uint32_t pages = c->info.num_frames - 1 - leaves;
    if (sgpu_create_process(c->dev, &r) != SGPU_STATUS_SUCCESS ||
        sgpu_map(c->dev, r, 0, pages) != SGPU_STATUS_SUCCESS) {
      fail_at(c, __LINE__, "mapping every frame (%u pages)", pages);
      goto out;
    }
    if ((uint64_t)pages * c->E <= 300000) {
      if (all_zero(c, r, 0, pages, &s->zero_words)) goto out;
    } else { /* a large configuration: words 0, E/2 and E-1 of every page */
      for (uint32_t v = 0; v < pages; v++) {
        const uint32_t at[3] = {0, c->E / 2, c->E - 1};
        for (int k = 0; k < 3; k++) {
          uint32_t x = 1, va = (v << c->info.page_shift) + 4 * at[k];
          if (read_words(c, r, va, &x, 1)) goto out;
          if (x) {
            fail_at(c, __LINE__, "residue: va 0x%08X reads 0x%08X", va, x);
            goto out;
          }
          s->zero_words++;
        }
      }
    }
    if (sgpu_destroy_process(c->dev, r, SGPU_POLICY_EAGER, NULL) != SGPU_STATUS_SUCCESS) {
      fail_at(c, __LINE__, "destroy of the reader");
      goto out;
    }
  }
  {
    sgpu_sim_engine_info e = eng(c);
    printf("  [fences] %u processes, %u doorbells, %u unmaps, destroys %u eager + %u deferred "
           "(%u while an engine stalled, %u with work aborted, %u items aborted), %u slot "
           "reuses after a stalled destroy\n",
           s->created, s->doorbells, s->unmaps, s->destroyed[SGPU_POLICY_EAGER],
           s->destroyed[SGPU_POLICY_DEFERRED], s->stall_destroys, s->aborted_destroys,
           s->aborted, s->reuse_checks);
    printf("  [fences] %u work items done, %u fence words seen in %u ring scans, %u fences "
           "rung on an idle engine landed, %" PRIu64 " words read zero, %u ownership "
           "violations\n",
           e.items_done, s->fences_seen, s->scans, s->fences_rung_idle, s->zero_words,
           e.owner_violations);
    if (e.owner_violations != 0) {
      fail_at(c, __LINE__, "%u ownership violations", e.owner_violations);
      goto out;
    }
    if (e.items_done < s->doorbells / 4 || s->fences_seen == 0 || s->fences_rung_idle == 0 ||
        s->aborted_destroys == 0 || s->destroyed[SGPU_POLICY_EAGER] == 0 ||
        s->destroyed[SGPU_POLICY_DEFERRED] == 0) {
      fail_at(c, __LINE__, "the run did not exercise the contract (items done, fences seen, "
              "fences landed, aborting destroys, both policies): more rounds or another seed");
      goto out;
    }
  }
  rc = 0;
out:
  close_dev(c);
  free(s);
  return rc;
}

/* ------------------------------------------------------------------ stuck */

static int case_stuck(ec *c) {
  const uint32_t timeout = 300;
  DO(open_dev(c, "hold=0x3"));
  sgpu_sim_engine_info e = eng(c);
  EQ("hold mask from SGPU_SIM_ENGINES=hold=0x3", e.hold_mask, 3);
  ST(sgpu_reg_write(c->dev, SGPU_REG_DRAIN_TIMEOUT, timeout), SGPU_STATUS_SUCCESS);
  EQ("DRAIN_TIMEOUT", reg(c, SGPU_REG_DRAIN_TIMEOUT), timeout);
  /* B: data and a queue, working throughout. */
  sgpu_process b, x;
  uint32_t qb, buf[64], done0;
  ST(sgpu_create_process(c->dev, &b), SGPU_STATUS_SUCCESS);
  ST(sgpu_map(c->dev, b, 0, 2), SGPU_STATUS_SUCCESS);
  ST(sgpu_create_queue(c->dev, b, 0, 2, &qb), SGPU_STATUS_SUCCESS);
  for (uint32_t w = 0; w < 64; w++) buf[w] = pattern(0xB, 4 * w);
  ST(sgpu_write(c->dev, b, 1u << c->info.page_shift, buf, sizeof buf), SGPU_STATUS_SUCCESS);
  for (int round = 0; round < 2; round++) {
    const uint32_t policy = round ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER;
    sgpu_process a;
    uint32_t qa;
    ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
    ST(sgpu_map(c->dev, a, 0, 1), SGPU_STATUS_SUCCESS);
    ST(sgpu_create_queue(c->dev, a, 0, 2, &qa), SGPU_STATUS_SUCCESS);
    /* A's item must run (not wait behind B's held one): STOP drops queued items uncounted */
    REQUIRE(engine_of(c, qa) != engine_of(c, qb), "queues %u and %u share an engine", qa, qb);
    done0 = eng(c).items_done;
    ST(sgpu_ring_doorbell(c->dev, qa, 1), SGPU_STATUS_SUCCESS);
    step(c, 50); /* the item started and holds */
    sgpu_destroy_result r;
    ST(sgpu_destroy_process(c->dev, a, policy, &r), SGPU_STATUS_SUCCESS);
    printf("  [stuck] %s destroy with a held item: %u cycles, stop+drain+abort %u (DRAIN_TIMEOUT "
           "%u), work_aborted %u\n", round ? "DEFERRED" : "EAGER", r.cycles, r.stop_drain_cycles,
           timeout, r.work_aborted);
    REQUIRE(r.work_aborted >= 1, "stuck engine: work_aborted %u, expected >= 1", r.work_aborted);
    REQUIRE(r.stop_drain_cycles > timeout && r.stop_drain_cycles < timeout + 64,
            "stop+drain %u cycles: the drain did not end at DRAIN_TIMEOUT %u",
            r.stop_drain_cycles, timeout);
    REQUIRE(r.cycles >= r.stop_drain_cycles, "cycles %u < stop+drain %u", r.cycles,
            r.stop_drain_cycles);
    EQ("items done while held", eng(c).items_done, done0);
    /* B keeps working: its data, new mappings, its doorbells, a new process. */
    uint32_t got[64];
    ST(sgpu_read(c->dev, b, 1u << c->info.page_shift, got, sizeof got), SGPU_STATUS_SUCCESS);
    REQUIRE(!memcmp(got, buf, sizeof buf), "B's data changed during A's stuck teardown");
    ST(sgpu_map(c->dev, b, (2u + (uint32_t)round) << c->info.page_shift, 1), SGPU_STATUS_SUCCESS);
    ST(sgpu_write(c->dev, b, (2u + (uint32_t)round) << c->info.page_shift, buf, 16),
       SGPU_STATUS_SUCCESS);
    uint32_t dbi = reg(c, SGPU_REG_DB_IGNORED);
    ST(sgpu_ring_doorbell(c->dev, qb, 10u + (uint32_t)round), SGPU_STATUS_SUCCESS);
    EQ("B's doorbell accepted (DB_IGNORED unchanged)", reg(c, SGPU_REG_DB_IGNORED), dbi);
    ST(sgpu_create_process(c->dev, &x), SGPU_STATUS_SUCCESS);
    ST(sgpu_destroy_process(c->dev, x, SGPU_POLICY_EAGER, NULL), SGPU_STATUS_SUCCESS);
  }
  /* Released, the engines run B's held items; held again, B's own destroy aborts its item. */
  DO(hold(c, 0));
  done0 = eng(c).items_done;
  step(c, 500);
  uint32_t resumed = eng(c).items_done - done0;
  printf("  [stuck] released: %u of B's held work items finished\n", resumed);
  REQUIRE(resumed >= 1, "released engines finished none of B's items");
  DO(hold(c, 3));
  ST(sgpu_ring_doorbell(c->dev, qb, 20), SGPU_STATUS_SUCCESS);
  step(c, 50);
  sgpu_destroy_result r;
  ST(sgpu_destroy_process(c->dev, b, SGPU_POLICY_EAGER, &r), SGPU_STATUS_SUCCESS);
  REQUIRE(r.work_aborted >= 1, "B's stuck item: work_aborted %u", r.work_aborted);
  DO(hold(c, 0));
  ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS);
  EQ("ownership violations", eng(c).owner_violations, 0);
  close_dev(c);
  return 0;
}

/* ------------------------------------------------------------------ drained */

/* DESTROY_PROCESS by its registers, so the engines can be released while it waits. */
static int raw_destroy_begin(ec *c, sgpu_process h, uint32_t policy, uint32_t *seq) {
  *seq = reg(c, SGPU_REG_CPL_SEQ);
  ST(sgpu_reg_write(c->dev, SGPU_REG_CMD_ARG0, h), SGPU_STATUS_SUCCESS);
  ST(sgpu_reg_write(c->dev, SGPU_REG_CMD_OP,
                    SGPU_OP_DESTROY_PROCESS << SGPU_CMD_OP_OPCODE_LSB |
                        policy << SGPU_CMD_OP_POLICY_LSB),
     SGPU_STATUS_SUCCESS);
  ST(sgpu_reg_write(c->dev, SGPU_REG_ADMIN_DOORBELL, 1), SGPU_STATUS_SUCCESS);
  return 0;
}

static int case_drained(ec *c) {
  DO(open_dev(c, "writes"));
  ST(sgpu_reg_write(c->dev, SGPU_REG_DRAIN_TIMEOUT, 4096), SGPU_STATUS_SUCCESS);
  /* Held while the destroy waits, released before DRAIN_TIMEOUT: drained, not aborted. */
  for (int round = 0; round < 2; round++) {
    const uint32_t policy = round ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER;
    sgpu_process a;
    uint32_t qa, seq;
    ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
    ST(sgpu_map(c->dev, a, 0, 1), SGPU_STATUS_SUCCESS);
    ST(sgpu_create_queue(c->dev, a, 0, 2, &qa), SGPU_STATUS_SUCCESS);
    DO(hold(c, 1u << engine_of(c, qa)));
    const uint32_t done0 = eng(c).items_done;
    ST(sgpu_ring_doorbell(c->dev, qa, 1), SGPU_STATUS_SUCCESS);
    step(c, 10);
    DO(raw_destroy_begin(c, a, policy, &seq));
    step(c, 1000);
    EQ("CPL_SEQ while the held item drains (no completion)", reg(c, SGPU_REG_CPL_SEQ), seq);
    DO(hold(c, 0));
    for (int i = 0; i < 1000 && reg(c, SGPU_REG_CPL_SEQ) == seq; i++) step(c, 4);
    EQ("CPL_SEQ after the release", reg(c, SGPU_REG_CPL_SEQ), seq + 1);
    EQ("destroy status", reg(c, SGPU_REG_CPL_STATUS), SGPU_STATUS_SUCCESS);
    const uint32_t aborted = reg(c, SGPU_REG_CPL_RES4), sd = reg(c, SGPU_REG_TD_STOP_DRAIN);
    printf("  [drained] %s destroy, item held 1000 cycles then released: stop+drain %u cycles, "
           "work_aborted %u, items done +%u\n", round ? "DEFERRED" : "EAGER", sd, aborted,
           eng(c).items_done - done0);
    EQ("work_aborted of a drained item", aborted, 0);
    EQ("items done: the held item finished", eng(c).items_done, done0 + 1);
    REQUIRE(sd >= 1000, "stop+drain %u cycles: the destroy did not wait for the item", sd);
    ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS);
  }
  /* Destroys right after doorbells: the items finish in time. */
  uint32_t destroys = 0, drained = 0;
  rng_s = c->seed ? c->seed : 1;
  for (uint32_t round = 0; round < 40; round++) {
    sgpu_process a;
    uint32_t qa;
    ST(sgpu_create_process(c->dev, &a), SGPU_STATUS_SUCCESS);
    ST(sgpu_map(c->dev, a, 0, 1), SGPU_STATUS_SUCCESS);
    ST(sgpu_create_queue(c->dev, a, 0, 2, &qa), SGPU_STATUS_SUCCESS);
    uint32_t base = eng(c).items_done;
    ST(sgpu_ring_doorbell(c->dev, qa, 1 + round), SGPU_STATUS_SUCCESS);
    step(c, 2);
    sgpu_destroy_result r;
    const uint32_t policy = round % 2 ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER;
    ST(sgpu_destroy_process(c->dev, a, policy, &r), SGPU_STATUS_SUCCESS);
    destroys++;
    drained += eng(c).items_done > base;
    REQUIRE(r.work_aborted == 0, "round %u: work_aborted %u with engines that finish in time",
            round, r.work_aborted);
    if (policy == SGPU_POLICY_DEFERRED) ST(sgpu_wait_clean(c->dev, WAIT_CYCLES), SGPU_STATUS_SUCCESS);
  }
  printf("  [drained] %u destroys right after a doorbell: work_aborted 0 in all, the item "
         "finished before the completion in %u\n", destroys, drained);
  REQUIRE(drained == destroys, "%u of %u items were not finished at the completion",
          destroys - drained, destroys);
  EQ("ownership violations", eng(c).owner_violations, 0);
  close_dev(c);
  return 0;
}

/* ------------------------------------------------------------------ runner */

static const struct {
  const char *name;
  int (*fn)(ec *);
} cases[] = {
    {"stuck", case_stuck},
    {"drained", case_drained},
    {"fences", case_fences},
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv) {
  ec c = {.uri = "sim:small", .rounds = 2000, .seed = 0};
  bool want[NCASES] = {false}, any = false, seeded = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--uri") && i + 1 < argc) {
      c.uri = argv[++i];
    } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      c.seed = strtoull(argv[++i], NULL, 0);
      seeded = true;
    } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
      c.rounds = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else {
      size_t k;
      for (k = 0; k < NCASES && strcmp(argv[i], cases[k].name); k++) {}
      if (k == NCASES) {
        fprintf(stderr, "usage: %s [--uri URI] [--seed N] [--rounds N] [CASE...]\ncases:", argv[0]);
        for (k = 0; k < NCASES; k++) fprintf(stderr, " %s", cases[k].name);
        fprintf(stderr, "\n");
        return 2;
      }
      want[k] = any = true;
    }
  }
  if (!seeded) c.seed = (uint64_t)time(NULL);
  printf("engines: uri %s, seed %" PRIu64 "\n", c.uri, c.seed);
  int failed = 0, run = 0;
  for (size_t i = 0; i < NCASES; i++) {
    if (any && !want[i]) continue;
    c.name = cases[i].name;
    run++;
    int rc = cases[i].fn(&c);
    close_dev(&c);
    printf("%s %s\n", rc ? "FAIL" : "PASS", c.name);
    fflush(stdout);
    failed += rc;
  }
  printf("engines: %d run, %d failed (seed %" PRIu64 ")\n", run, failed, c.seed);
  return failed ? 1 : 0;
}
