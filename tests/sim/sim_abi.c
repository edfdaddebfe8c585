/* sim_abi.c - the model object's C ABI (sim/sgpu_sim.h) called directly, without libsgpu:
 * what every caller of the ABI relies on, whatever libsgpu checks first.
 *
 *   bus_range   an address at or beyond 1 << SGPU_BUS_ADDR_BITS is refused (-1) before
 *               anything is driven: no clock cycle passes, a read leaves *data as it was, and
 *               no register changes (defect 1 of issue 12: the harness drove the address
 *               truncated to 16 bits, so 0x10024 wrote CMD_ARG0, 0x10034 rang the admin
 *               doorbell and re-ran the last command, 0x10000 read ID into *data)
 *
 *   engine_settings  the stand-in engines' controls (sgpu_sim_engines_set/_get, and
 *               SGPU_SIM_ENGINES at sgpu_sim_create): reads/writes/hold=MASK applied in order,
 *               per instance; every unknown setting or bad value refused, named, and nothing
 *               applied; sgpu_sim_instance lists the live instances in order of creation
 *   engine_effect    the settings act: `reads` leaves the ring entry zero, `writes` puts the
 *               fence word there (read back with MEM_READ), `hold` keeps the item from
 *               finishing until released; the ownership checker stays at 0
 *
 *   sim_abi MODEL.so [CASE...]
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_regs.h"
#include "sgpu_sim.h"

typedef struct {
  void *so;
  const char *path;
  sgpu_sim *(*create)(const char *);
  void (*destroy)(sgpu_sim *);
  int (*read32)(sgpu_sim *, uint32_t, uint32_t *, uint32_t);
  int (*write32)(sgpu_sim *, uint32_t, uint32_t, uint32_t);
  void (*step)(sgpu_sim *, uint64_t);
  uint64_t (*cycles)(sgpu_sim *);
  int (*engines_set)(sgpu_sim *, const char *, char *, size_t);
  void (*engines_get)(sgpu_sim *, sgpu_sim_engine_info *);
  sgpu_sim *(*instance)(uint32_t);
  const char *(*error)(void);
} abi;

static int failures;
static const char *case_name = "";

static void fail(int line, const char *fmt, ...) {
  va_list ap;
  printf("  FAIL [%s] sim_abi.c:%d: ", case_name, line);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  failures++;
}

#define CHECK(cond, ...)                                                                       \
  do {                                                                                         \
    if (!(cond)) fail(__LINE__, __VA_ARGS__);                                                  \
  } while (0)

static void *sym(abi *a, const char *name) {
  dlerror();
  void *p = dlsym(a->so, name);
  if (!p) {
    printf("sim_abi: %s lacks %s: %s\n", a->path, name, dlerror());
    exit(1);
  }
  return p;
}

#define BIND(a, field, name)                                                                   \
  do {                                                                                         \
    void *p_ = sym(a, name);                                                                   \
    memcpy(&(a)->field, &p_, sizeof p_);                                                       \
  } while (0)

/* Bus accesses that must succeed (the bus answers within 64 cycles). */
static uint32_t rd(abi *a, sgpu_sim *s, uint32_t addr) {
  uint32_t v = 0;
  if (a->read32(s, addr, &v, 64) != 0) {
    printf("sim_abi: read of 0x%04X not answered\n", addr);
    exit(1);
  }
  return v;
}

static void wr(abi *a, sgpu_sim *s, uint32_t addr, uint32_t v) {
  if (a->write32(s, addr, v, 64) != 0) {
    printf("sim_abi: write of 0x%04X not taken\n", addr);
    exit(1);
  }
}

/* An admin command through the mailbox; returns its CPL_STATUS (completion within 10^5 reads). */
static uint32_t admin3(abi *a, sgpu_sim *s, uint32_t op, uint32_t arg0, uint32_t arg1,
                       uint32_t arg2, uint32_t *res0) {
  uint32_t seq = rd(a, s, SGPU_REG_CPL_SEQ);
  wr(a, s, SGPU_REG_CMD_ARG0, arg0);
  wr(a, s, SGPU_REG_CMD_ARG1, arg1);
  wr(a, s, SGPU_REG_CMD_ARG2, arg2);
  wr(a, s, SGPU_REG_CMD_OP, op << SGPU_CMD_OP_OPCODE_LSB);
  wr(a, s, SGPU_REG_ADMIN_DOORBELL, 1);
  for (int i = 0; i < 100000 && rd(a, s, SGPU_REG_CPL_SEQ) == seq; i++) {}
  if (rd(a, s, SGPU_REG_CPL_SEQ) != seq + 1) {
    printf("sim_abi: admin command 0x%X: no single completion\n", op);
    exit(1);
  }
  if (res0) *res0 = rd(a, s, SGPU_REG_CPL_RES0);
  return rd(a, s, SGPU_REG_CPL_STATUS);
}

/* One word by virtual address: MEM_READ(handle, va, 1 word) into the data window, then its
 * word 0. Returns the CPL_STATUS. */
static uint32_t read_word(abi *a, sgpu_sim *s, uint32_t h, uint32_t va, uint32_t *v) {
  uint32_t st = admin3(a, s, SGPU_OP_MEM_READ, h, va, 1, NULL);
  *v = st == SGPU_STATUS_SUCCESS ? rd(a, s, SGPU_DATA_BASE) : 0xFFFFFFFFu;
  return st;
}

static uint32_t admin(abi *a, sgpu_sim *s, uint32_t op, uint32_t arg0, uint32_t *res0) {
  return admin3(a, s, op, arg0, 0, 0, res0);
}

/* ------------------------------------------------------------------ bus_range */
static void case_bus_range(abi *a) {
  sgpu_sim *s = a->create(NULL);
  CHECK(s, "sgpu_sim_create failed");
  if (!s) return;
  const uint32_t limit = 1u << SGPU_BUS_ADDR_BITS;
  CHECK(rd(a, s, SGPU_REG_ID) == SGPU_MAGIC, "ID register");
  /* The last word inside the bus is still answered (the check is not too strict). */
  uint32_t v = 0xA5A5A5A5u;
  CHECK(a->read32(s, limit - 4, &v, 64) == 0, "read of 0x%X (last word of the bus) refused",
        limit - 4);

  /* A command to re-run: CREATE_PROCESS, so a second run would show as a second process. */
  uint32_t h = 0;
  CHECK(admin(a, s, SGPU_OP_CREATE_PROCESS, 0, &h) == SGPU_STATUS_SUCCESS, "create process");
  wr(a, s, SGPU_REG_DRAIN_TIMEOUT, 0x1234u);
  const uint32_t seq = rd(a, s, SGPU_REG_CPL_SEQ), dropped = rd(a, s, SGPU_REG_ADMIN_DROPPED);
  const uint32_t drain = rd(a, s, SGPU_REG_DRAIN_TIMEOUT), used = rd(a, s, SGPU_REG_FRAMES_USED);

  const uint32_t bad[] = {limit | SGPU_REG_CMD_ARG0, limit | SGPU_REG_ADMIN_DOORBELL,
                          limit | SGPU_REG_DRAIN_TIMEOUT, limit | SGPU_REG_ID, limit,
                          0xFFFFFFFCu, 0x80000000u | SGPU_REG_ADMIN_DOORBELL};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t c0 = a->cycles(s);
    int rc = a->write32(s, bad[i], 0xDEADu, 64);
    CHECK(rc == -1, "write32 of 0x%08X returned %d, expected -1", bad[i], rc);
    CHECK(a->cycles(s) == c0, "write32 of 0x%08X drove the bus (%" PRIu64 " cycles passed)",
          bad[i], a->cycles(s) - c0);
    v = 0xA5A5A5A5u;
    c0 = a->cycles(s);
    rc = a->read32(s, bad[i], &v, 64);
    CHECK(rc == -1, "read32 of 0x%08X returned %d, expected -1", bad[i], rc);
    CHECK(v == 0xA5A5A5A5u, "read32 of 0x%08X stored 0x%08X in *data", bad[i], v);
    CHECK(a->cycles(s) == c0, "read32 of 0x%08X drove the bus (%" PRIu64 " cycles passed)",
          bad[i], a->cycles(s) - c0);
  }
  a->step(s, 200); /* let a wrongly rung doorbell's command finish, if there was one */
  CHECK(rd(a, s, SGPU_REG_CMD_ARG0) == 0, "CMD_ARG0 (write-only) reads 0x%08X, expected 0",
        rd(a, s, SGPU_REG_CMD_ARG0));
  CHECK(rd(a, s, SGPU_REG_CPL_SEQ) == seq, "CPL_SEQ moved from %u to %u: a command ran", seq,
        rd(a, s, SGPU_REG_CPL_SEQ));
  CHECK(rd(a, s, SGPU_REG_ADMIN_DROPPED) == dropped, "ADMIN_DROPPED moved from %u to %u",
        dropped, rd(a, s, SGPU_REG_ADMIN_DROPPED));
  CHECK(rd(a, s, SGPU_REG_DRAIN_TIMEOUT) == drain, "DRAIN_TIMEOUT changed from %u to %u", drain,
        rd(a, s, SGPU_REG_DRAIN_TIMEOUT));
  CHECK(rd(a, s, SGPU_REG_FRAMES_USED) == used, "FRAMES_USED changed from %u to %u", used,
        rd(a, s, SGPU_REG_FRAMES_USED));
  a->destroy(s);
}

/* ------------------------------------------------------------------ engine_settings */
static sgpu_sim_engine_info engines(abi *a, sgpu_sim *s) {
  sgpu_sim_engine_info i;
  memset(&i, 0xEE, sizeof i);
  a->engines_get(s, &i);
  return i;
}

/* settings must be refused, naming `names`, and change nothing */
static void refused(abi *a, sgpu_sim *s, const char *settings, const char *names) {
  sgpu_sim_engine_info before = engines(a, s), after;
  char err[256] = "";
  int rc = a->engines_set(s, settings, err, sizeof err);
  after = engines(a, s);
  CHECK(rc == -1, "settings '%s' accepted", settings);
  CHECK(strstr(err, names) != NULL, "settings '%s': message '%s' does not name '%s'", settings,
        err, names);
  CHECK(after.hold_mask == before.hold_mask && after.writes == before.writes,
        "refused settings '%s' changed hold 0x%X -> 0x%X, writes %u -> %u", settings,
        before.hold_mask, after.hold_mask, before.writes, after.writes);
}

static void case_engine_settings(abi *a) {
  unsetenv(SGPU_SIM_ENGINES_ENV);
  sgpu_sim *s = a->create(NULL);
  CHECK(s, "sgpu_sim_create failed: %s", a->error());
  if (!s) return;
  sgpu_sim_engine_info i = engines(a, s);
  CHECK(i.engines == 2, "the model has %u stand-in engines, expected 2", i.engines);
  CHECK(i.hold_mask == 0 && i.writes == 0, "defaults: hold 0x%X writes %u", i.hold_mask, i.writes);
  CHECK(a->instance(0) == s && a->instance(1) == NULL, "sgpu_sim_instance: not just this one");
  char err[256] = "";
  CHECK(a->engines_set(s, "writes,hold=0x3", err, sizeof err) == 0, "writes,hold=0x3: %s", err);
  i = engines(a, s);
  CHECK(i.hold_mask == 3 && i.writes == 1, "writes,hold=0x3 gave hold 0x%X writes %u", i.hold_mask,
        i.writes);
  CHECK(a->engines_set(s, "", err, sizeof err) == 0, "empty settings refused: %s", err);
  CHECK(a->engines_set(s, "hold=1,reads", err, sizeof err) == 0, "hold=1,reads: %s", err);
  i = engines(a, s);
  CHECK(i.hold_mask == 1 && i.writes == 0, "hold=1,reads gave hold 0x%X writes %u", i.hold_mask,
        i.writes);
  refused(a, s, "frobnicate", "'frobnicate'");
  refused(a, s, "writes,stuck", "'stuck'");         /* all or none: writes not applied */
  refused(a, s, "hold=0x4", "hold=0x4");             /* engine 2 does not exist */
  refused(a, s, "hold=", "'hold='");
  refused(a, s, "hold=3x", "'hold=3x'");
  refused(a, s, "hold=-1", "'hold=-1'");
  refused(a, s, "writes,,reads", "empty setting");
  refused(a, s, "Writes", "'Writes'");
  refused(a, s, "writes ", "'writes '");
  CHECK(a->engines_set(s, "hold=0", err, sizeof err) == 0, "hold=0: %s", err);

  /* From the environment at create: each instance gets the settings in force then. */
  setenv(SGPU_SIM_ENGINES_ENV, "hold=2", 1);
  sgpu_sim *h2 = a->create(NULL);
  setenv(SGPU_SIM_ENGINES_ENV, "writes", 1);
  sgpu_sim *w = a->create(NULL);
  setenv(SGPU_SIM_ENGINES_ENV, "reads,bogus=1", 1);
  sgpu_sim *bad = a->create(NULL);
  unsetenv(SGPU_SIM_ENGINES_ENV);
  CHECK(h2 && w, "create with SGPU_SIM_ENGINES set failed: %s", a->error());
  CHECK(!bad, "create with SGPU_SIM_ENGINES=reads,bogus=1 succeeded");
  CHECK(strstr(a->error(), "'bogus=1'") && strstr(a->error(), SGPU_SIM_ENGINES_ENV),
        "create's error '%s' does not name SGPU_SIM_ENGINES and 'bogus=1'", a->error());
  if (bad) a->destroy(bad);
  if (h2 && w) {
    sgpu_sim_engine_info ih = engines(a, h2), iw = engines(a, w);
    CHECK(ih.hold_mask == 2 && ih.writes == 0, "hold=2 instance: hold 0x%X writes %u",
          ih.hold_mask, ih.writes);
    CHECK(iw.hold_mask == 0 && iw.writes == 1, "writes instance: hold 0x%X writes %u",
          iw.hold_mask, iw.writes);
    CHECK(engines(a, s).hold_mask == 0 && engines(a, s).writes == 0,
          "the first instance changed with the environment");
    CHECK(a->instance(0) == s && a->instance(1) == h2 && a->instance(2) == w &&
              a->instance(3) == NULL,
          "sgpu_sim_instance: not the three live instances in order of creation");
    a->destroy(h2);
    CHECK(a->instance(0) == s && a->instance(1) == w && a->instance(2) == NULL,
          "sgpu_sim_instance after a destroy");
    a->destroy(w);
  }
  a->destroy(s);
}

/* ------------------------------------------------------------------ engine_effect */
/* The settings act on the engines: a doorbell's work item writes its fence word into its
 * ring entry with `writes` (read back through MEM_READ), leaves it zero with `reads`, and
 * does not finish while its engine is held. */
static void case_engine_effect(abi *a) {
  unsetenv(SGPU_SIM_ENGINES_ENV);
  sgpu_sim *s = a->create(NULL);
  CHECK(s, "sgpu_sim_create failed: %s", a->error());
  if (!s) return;
  uint32_t h = 0, q = 0, v = 0;
  CHECK(admin(a, s, SGPU_OP_CREATE_PROCESS, 0, &h) == SGPU_STATUS_SUCCESS, "create process");
  CHECK(admin3(a, s, SGPU_OP_MAP, h, 0, 1, NULL) == SGPU_STATUS_SUCCESS, "map the ring page");
  /* ring at va 0, 2^2 entries of 16 bytes */
  CHECK(admin3(a, s, SGPU_OP_CREATE_QUEUE, h, 0, 2, &q) == SGPU_STATUS_SUCCESS, "create queue");
  const uint32_t qdb = SGPU_QUEUE_BASE + q * SGPU_QUEUE_STRIDE + SGPU_QREG_QDB;
  const uint32_t engine = q % engines(a, s).engines;
  char err[256] = "";

  /* reads: entry 1 stays zero, one item done */
  uint32_t done0 = engines(a, s).items_done;
  wr(a, s, qdb, 1);
  a->step(s, 200);
  CHECK(engines(a, s).items_done == done0 + 1, "reads: %u items done, expected 1",
        engines(a, s).items_done - done0);
  CHECK(read_word(a, s, h, 16, &v) == SGPU_STATUS_SUCCESS && v == 0,
        "reads: ring entry 1 holds 0x%08X, expected 0", v);

  /* writes, engine held: nothing done, nothing written; released: the fence lands */
  CHECK(a->engines_set(s, engine ? "writes,hold=2" : "writes,hold=1", err, sizeof err) == 0,
        "writes,hold: %s", err);
  done0 = engines(a, s).items_done;
  wr(a, s, qdb, 2);
  a->step(s, 500);
  CHECK(engines(a, s).items_done == done0, "held engine finished %u items",
        engines(a, s).items_done - done0);
  CHECK(read_word(a, s, h, 32, &v) == SGPU_STATUS_SUCCESS && v == 0,
        "held engine: ring entry 2 holds 0x%08X, expected 0", v);
  CHECK(a->engines_set(s, "hold=0", err, sizeof err) == 0, "hold=0: %s", err);
  a->step(s, 200);
  CHECK(engines(a, s).items_done == done0 + 1, "released engine: %u items done, expected 1",
        engines(a, s).items_done - done0);
  const uint32_t fence = (0xE0u | engine) << 24 | (h & 0xFFu) << 16 | 2u;
  CHECK(read_word(a, s, h, 32, &v) == SGPU_STATUS_SUCCESS && v == fence,
        "writes: ring entry 2 holds 0x%08X, expected the fence 0x%08X", v, fence);
  CHECK(engines(a, s).owner_violations == 0, "%u ownership violations",
        engines(a, s).owner_violations);
  a->destroy(s);
}

static const struct {
  const char *name;
  void (*fn)(abi *);
} cases[] = {
    {"bus_range", case_bus_range},
    {"engine_settings", case_engine_settings},
    {"engine_effect", case_engine_effect},
};
#define NCASES (sizeof cases / sizeof cases[0])

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.so [CASE...]\n", argv[0]);
    return 2;
  }
  abi a = {.path = argv[1]};
  a.so = dlopen(a.path, RTLD_NOW | RTLD_LOCAL);
  if (!a.so) {
    printf("sim_abi: cannot load %s: %s\n", a.path, dlerror());
    return 1;
  }
  BIND(&a, create, "sgpu_sim_create");
  BIND(&a, destroy, "sgpu_sim_destroy");
  BIND(&a, read32, "sgpu_sim_read32");
  BIND(&a, write32, "sgpu_sim_write32");
  BIND(&a, step, "sgpu_sim_step");
  BIND(&a, cycles, "sgpu_sim_cycles");
  BIND(&a, engines_set, "sgpu_sim_engines_set");
  BIND(&a, engines_get, "sgpu_sim_engines_get");
  BIND(&a, instance, "sgpu_sim_instance");
  BIND(&a, error, "sgpu_sim_error");
  int run = 0;
  for (size_t i = 0; i < NCASES; i++) {
    bool want = argc == 2;
    for (int k = 2; k < argc; k++) want |= !strcmp(argv[k], cases[i].name);
    if (!want) continue;
    int before = failures;
    case_name = cases[i].name;
    cases[i].fn(&a);
    printf("%s %s\n", failures == before ? "PASS" : "FAIL", cases[i].name);
    run++;
  }
  if (!run) {
    fprintf(stderr, "%s: no such case\n", argv[0]);
    return 2;
  }
  dlclose(a.so);
  printf("sim_abi: %d cases, %d failed checks\n", run, failures);
  return failures ? 1 : 0;
}
