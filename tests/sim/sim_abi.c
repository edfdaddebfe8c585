/* sim_abi.c - the model object's C ABI (sim/sgpu_sim.h) called directly, without libsgpu:
 * what every caller of the ABI relies on, whatever libsgpu checks first.
 *
 *   bus_range   an address at or beyond 1 << SGPU_BUS_ADDR_BITS is refused (-1) before
 *               anything is driven: no clock cycle passes, a read leaves *data as it was, and
 *               no register changes (defect 1 of issue 12: the harness drove the address
 *               truncated to 16 bits, so 0x10024 wrote CMD_ARG0, 0x10034 rang the admin
 *               doorbell and re-ran the last command, 0x10000 read ID into *data)
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
static uint32_t admin(abi *a, sgpu_sim *s, uint32_t op, uint32_t arg0, uint32_t *res0) {
  uint32_t seq = rd(a, s, SGPU_REG_CPL_SEQ);
  wr(a, s, SGPU_REG_CMD_ARG0, arg0);
  wr(a, s, SGPU_REG_CMD_OP, op);
  wr(a, s, SGPU_REG_ADMIN_DOORBELL, 1);
  for (int i = 0; i < 100000 && rd(a, s, SGPU_REG_CPL_SEQ) == seq; i++) {}
  if (rd(a, s, SGPU_REG_CPL_SEQ) != seq + 1) {
    printf("sim_abi: admin command 0x%X: no single completion\n", op);
    exit(1);
  }
  if (res0) *res0 = rd(a, s, SGPU_REG_CPL_RES0);
  return rd(a, s, SGPU_REG_CPL_STATUS);
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
  wr(a, s, SGPU_REG_CMD_ARG0, 0x1234u);
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
  CHECK(rd(a, s, SGPU_REG_CMD_ARG0) == 0x1234u, "CMD_ARG0 is 0x%08X, expected 0x1234",
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

static const struct {
  const char *name;
  void (*fn)(abi *);
} cases[] = {
    {"bus_range", case_bus_range},
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
