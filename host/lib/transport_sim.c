/* transport_sim.c - the `sim:` transport: a model shared object (sim/sgpu_sim.h ABI) loaded
 * with dlopen and driven in-process.
 *
 *   sim:               DIR/libsgpu_sim_default.so
 *   sim:NAME           DIR/libsgpu_sim_NAME.so   (NAME: letters, digits, '_', '-', '.')
 *   sim:PATH           PATH, when it contains a '/' (e.g. sim:/abs/model.so, sim:./m.so)
 *   ...?trace=FILE     ask the model for an FST trace in FILE
 *   ...?batch=native   register batches go to this transport's batch hook in one call (a
 *                      loop over the ABI inside the transport, as a byte link would send one
 *                      frame) instead of the device layer's loop; for testing that path
 * DIR is $SGPU_SIM_DIR, else SGPU_SIM_DEFAULT_DIR compiled in (the build's sim/ directory).
 * Each open loads (or re-references) the object and creates its own model instance.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sgpu_internal.h"
#include "sgpu_sim.h"

#ifndef SGPU_SIM_DEFAULT_DIR
#define SGPU_SIM_DEFAULT_DIR "build/sim"
#endif

/* Cycles a register access may take before the bus is declared dead. */
#define SIM_BUS_MAX_CYCLES 1000u

typedef struct {
  void *so;
  sgpu_sim *sim;
  bool native_batch; /* ?batch=native */
  char path[4096];
  sgpu_sim *(*create)(const char *);
  void (*destroy)(sgpu_sim *);
  uint32_t (*abi_version)(void);
  int (*read32)(sgpu_sim *, uint32_t, uint32_t *, uint32_t);
  int (*write32)(sgpu_sim *, uint32_t, uint32_t, uint32_t);
  void (*step)(sgpu_sim *, uint64_t);
  uint64_t (*cycles)(sgpu_sim *);
  const char *(*config)(void);
} sim_ctx;

static bool valid_name(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-' || c == '.'))
      return false;
  }
  return n > 0;
}

/* Resolve the model path from the URI argument (before any '?'). */
static sgpu_status model_path(const char *arg, size_t n, char *path, size_t len, char *err,
                              size_t errlen) {
  int w;
  if (memchr(arg, '/', n)) {
    w = snprintf(path, len, "%.*s", (int)n, arg);
  } else {
    const char *name = n ? arg : "default";
    size_t nlen = n ? n : strlen("default");
    if (!valid_name(name, nlen)) {
      snprintf(err, errlen,
               "bad sim model name '%.*s' in 'sim:%s' (letters, digits, '_', '-', '.'; or a "
               "path containing '/')",
               (int)nlen, name, arg);
      return SGPU_STATUS_NOT_FOUND;
    }
    const char *dir = getenv("SGPU_SIM_DIR");
    if (!dir || !*dir) dir = SGPU_SIM_DEFAULT_DIR;
    w = snprintf(path, len, "%s/libsgpu_sim_%.*s.so", dir, (int)nlen, name);
  }
  if (w < 0 || (size_t)w >= len) {
    snprintf(err, errlen, "sim model path for 'sim:%s' is too long", arg);
    return SGPU_STATUS_NOT_FOUND;
  }
  return SGPU_STATUS_SUCCESS;
}

static void sim_close(void *p) {
  sim_ctx *c = p;
  if (!c) return;
  if (c->sim) c->destroy(c->sim);
  if (c->so) dlclose(c->so);
  free(c);
}

static sgpu_status sim_open(const char *arg, void **out, char *err, size_t errlen) {
  const char *q = strchr(arg, '?');
  size_t n = q ? (size_t)(q - arg) : strlen(arg);
  const char *trace = NULL;
  char trace_buf[4096];
  bool native_batch = false;
  if (q) {
    /* Options: key=value separated by '&'. */
    for (const char *o = q + 1; *o;) {
      const char *end = strchr(o, '&');
      size_t olen = end ? (size_t)(end - o) : strlen(o);
      if (olen > 6 && !strncmp(o, "trace=", 6) && olen - 6 < sizeof trace_buf) {
        snprintf(trace_buf, sizeof trace_buf, "%.*s", (int)(olen - 6), o + 6);
        trace = trace_buf;
      } else if (olen == 12 && !strncmp(o, "batch=native", 12)) {
        native_batch = true;
      } else {
        snprintf(err, errlen,
                 "unknown sim option '%.*s' in 'sim:%s' (known: trace=FILE, batch=native)",
                 (int)olen, o, arg);
        return SGPU_STATUS_NOT_FOUND;
      }
      o += olen + (end ? 1 : 0);
    }
  }

  sim_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "host out of memory opening 'sim:%s'", arg);
    return SGPU_STATUS_NO_MEMORY;
  }
  sgpu_status st = model_path(arg, n, c->path, sizeof c->path, err, errlen);
  if (st != SGPU_STATUS_SUCCESS) {
    free(c);
    return st;
  }
  if (access(c->path, F_OK) != 0) {
    snprintf(err, errlen,
             "sim model '%s' not found (from 'sim:%s'; set SGPU_SIM_DIR or build it: make sim)",
             c->path, arg);
    free(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  dlerror();
  c->so = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
  if (!c->so) {
    const char *e = dlerror();
    snprintf(err, errlen, "cannot load sim model '%s': %s", c->path, e ? e : "unknown error");
    free(c);
    return SGPU_STATUS_NOT_FOUND;
  }

  /* Resolve every symbol of the ABI; a missing one names itself. */
  struct {
    const char *name;
    void **slot;
  } syms[] = {
      {"sgpu_sim_create", (void **)&c->create},   {"sgpu_sim_destroy", (void **)&c->destroy},
      {"sgpu_sim_abi_version", (void **)&c->abi_version},
      {"sgpu_sim_read32", (void **)&c->read32},   {"sgpu_sim_write32", (void **)&c->write32},
      {"sgpu_sim_step", (void **)&c->step},       {"sgpu_sim_cycles", (void **)&c->cycles},
      {"sgpu_sim_config", (void **)&c->config},
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
    dlerror();
    void *p = dlsym(c->so, syms[i].name);
    const char *e = dlerror();
    if (e || !p) {
      snprintf(err, errlen, "sim model '%s' lacks symbol %s: %s", c->path, syms[i].name,
               e ? e : "resolves to NULL");
      sim_close(c);
      return SGPU_STATUS_NOT_FOUND;
    }
    /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
    memcpy(syms[i].slot, &p, sizeof p);
  }
  uint32_t abi = c->abi_version();
  if (abi != SGPU_SIM_ABI_VERSION) {
    snprintf(err, errlen, "sim model '%s' has ABI version %u, this libsgpu needs %u", c->path,
             abi, SGPU_SIM_ABI_VERSION);
    sim_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  c->sim = c->create(trace);
  if (!c->sim) {
    snprintf(err, errlen, "sim model '%s' (config '%s') failed to create an instance%s%s",
             c->path, c->config(), trace ? " with trace " : "", trace ? trace : "");
    sim_close(c);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  c->native_batch = native_batch;
  *out = c;
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status sim_read32(void *p, uint32_t addr, uint32_t *val, char *err, size_t errlen) {
  sim_ctx *c = p;
  if (c->read32(c->sim, addr, val, SIM_BUS_MAX_CYCLES) != 0) {
    snprintf(err, errlen, "sim: register read at 0x%03x not answered within %u cycles", addr,
             SIM_BUS_MAX_CYCLES);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status sim_write32(void *p, uint32_t addr, uint32_t val, char *err, size_t errlen) {
  sim_ctx *c = p;
  if (c->write32(c->sim, addr, val, SIM_BUS_MAX_CYCLES) != 0) {
    snprintf(err, errlen,
             "sim: register write of 0x%08x at 0x%03x not answered within %u cycles", val,
             addr, SIM_BUS_MAX_CYCLES);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  return SGPU_STATUS_SUCCESS;
}

/* The native batch of ?batch=native: every entry in one call, stopping at the first that the
 * model does not answer. */
static sgpu_status sim_batch(void *p, sgpui_reg_op *ops, size_t n, size_t *done, char *err,
                             size_t errlen) {
  sgpu_status st = SGPU_STATUS_SUCCESS;
  for (*done = 0; *done < n; ++*done) {
    sgpui_reg_op *o = &ops[*done];
    st = o->is_write ? sim_write32(p, o->addr, o->value, err, errlen)
                     : sim_read32(p, o->addr, &o->value, err, errlen);
    if (st != SGPU_STATUS_SUCCESS) break;
  }
  return st;
}

static uint32_t sim_ctx_caps(void *p) {
  sim_ctx *c = p;
  return SGPUI_CAP_STEP | SGPUI_CAP_CYCLES | (c->native_batch ? SGPUI_CAP_BATCH : 0u);
}

static void sim_step(void *p, uint64_t n) {
  sim_ctx *c = p;
  c->step(c->sim, n);
}

static uint64_t sim_cycles(void *p) {
  sim_ctx *c = p;
  return c->cycles(c->sim);
}

const sgpui_transport sgpui_transport_sim = {
    .scheme = "sim",
    .help = "sim:[NAME|PATH][?trace=FILE]  in-process model DIR/libsgpu_sim_NAME.so",
    /* The sim ABI has no batch: by default the device layer loops over read32/write32;
     * ?batch=native routes batches through sim_batch (same effect, the other code path). */
    .caps = SGPUI_CAP_STEP | SGPUI_CAP_CYCLES | SGPUI_CAP_BATCH,
    .open = sim_open,
    .close = sim_close,
    .read32 = sim_read32,
    .write32 = sim_write32,
    .step = sim_step,
    .cycles = sim_cycles,
    .batch = sim_batch,
    .ctx_caps = sim_ctx_caps,
};
