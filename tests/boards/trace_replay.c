/* trace_replay.c - replay a pin trace into a device model and require the same TX pin in every
 * cycle: the post-synthesis check of a board (tests/boards/postsynth.sh).
 *
 *   trace_replay MODEL.so TRACE
 *
 * MODEL.so has the sim/sgpu_simlink.h ABI (libsgpu_simlink_*.so; here the Verilated netlist of
 * the board). TRACE is what sim/sgpu_simlink.cpp writes with SGPU_SIMLINK_TRACE set (another
 * model, here the RTL board top, driven by the real host code): "CYCLE RST RX TX" lines for the
 * cycles in which a pin changed, then "# end CYCLES". Every model is created the same way
 * (reset for 4 cycles with RX idle, then released: sgpu_simlink_create), so the trace's first
 * cycles must show exactly that; from there on this program drives RX as the trace says and
 * compares TX after every edge with the trace's TX before the next one.
 * Exit 0 and a line "trace_replay: N cycles, N RX changes, N TX changes: TX matched in every
 * cycle"; exit 1 naming the first cycle where TX differs (or the malformed line); exit 2 on
 * usage or a model that cannot be loaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu_simlink.h"

#define RESET_CYCLES 4u /* sgpu_simlink_create: rst_ni low for 4 cycles, then one cycle high */
#define CREATE_CYCLES 5u

typedef struct {
  uint64_t cycle;
  int rst, rx, tx;
} line_t;

static int usage(void) {
  fprintf(stderr,
          "usage: trace_replay MODEL.so TRACE\n"
          "  replays TRACE (SGPU_SIMLINK_TRACE output: 'CYCLE RST RX TX' lines, '# end N')\n"
          "  into MODEL.so (the sgpu_simlink.h ABI) and requires the same TX in every cycle\n");
  return 2;
}

/* the next line of the trace: 1 a pin line, 0 the end line (*end set), -1 malformed */
static int next_line(FILE *f, line_t *l, uint64_t *end, unsigned long lineno) {
  char buf[128];
  if (!fgets(buf, sizeof buf, f)) {
    fprintf(stderr, "trace_replay: FAIL the trace ends at line %lu without '# end N'\n", lineno);
    return -1;
  }
  uint64_t c;
  int r, x, t;
  if (sscanf(buf, "%" SCNu64 " %d %d %d", &c, &r, &x, &t) == 4 && r >= 0 && r <= 1 && x >= 0 &&
      x <= 1 && t >= 0 && t <= 1) {
    l->cycle = c;
    l->rst = r;
    l->rx = x;
    l->tx = t;
    return 1;
  }
  if (sscanf(buf, "# end %" SCNu64, &c) == 1) {
    *end = c;
    return 0;
  }
  fprintf(stderr, "trace_replay: FAIL line %lu is neither 'CYCLE RST RX TX' nor '# end N': %s",
          lineno, buf);
  return -1;
}

int main(int argc, char **argv) {
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage();
    return 0;
  }
  if (argc != 3) return usage();
  void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    fprintf(stderr, "trace_replay: cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  uint32_t (*abi)(void) = (uint32_t(*)(void))dlsym(so, "sgpu_simlink_abi_version");
  sgpu_simlink *(*create)(void) = (sgpu_simlink * (*)(void)) dlsym(so, "sgpu_simlink_create");
  void (*destroy)(sgpu_simlink *) = (void (*)(sgpu_simlink *))dlsym(so, "sgpu_simlink_destroy");
  sgpu_simlink_pins (*cycle)(sgpu_simlink *, int) =
      (sgpu_simlink_pins(*)(sgpu_simlink *, int))dlsym(so, "sgpu_simlink_cycle");
  if (!abi || !create || !destroy || !cycle || abi() != SGPU_SIMLINK_ABI_VERSION) {
    fprintf(stderr, "trace_replay: %s lacks the sgpu_simlink ABI version %u\n", argv[1],
            SGPU_SIMLINK_ABI_VERSION);
    return 2;
  }
  FILE *f = fopen(argv[2], "r");
  if (!f) {
    fprintf(stderr, "trace_replay: cannot read %s: %s\n", argv[2], strerror(errno));
    return 2;
  }

  unsigned long lineno = 1;
  uint64_t end = 0;
  line_t cur, nxt;
  int have = next_line(f, &cur, &end, lineno++);
  if (have != 1 || cur.cycle != 0) {
    if (have == 1) fprintf(stderr, "trace_replay: FAIL the trace starts at cycle %" PRIu64 ", not 0\n", cur.cycle);
    fclose(f);
    return 1;
  }
  /* the creation's cycles: reset low for RESET_CYCLES, then high, RX idle throughout; the
   * model under test does the same inside sgpu_simlink_create */
  have = next_line(f, &nxt, &end, lineno++);
  while (have == 1 && nxt.cycle < CREATE_CYCLES) {
    cur = nxt;
    have = next_line(f, &nxt, &end, lineno++);
  }
  if (have < 0) {
    fclose(f);
    return 1;
  }
  if (cur.rst != 1 || cur.rx != 1) {
    fprintf(stderr, "trace_replay: FAIL the trace's cycle %u has RST %d RX %d; every model is created with "
            "RST 0 for %u cycles, then 1, and RX 1\n", CREATE_CYCLES - 1, cur.rst, cur.rx, RESET_CYCLES);
    fclose(f);
    return 1;
  }
  sgpu_simlink *sim = create();
  if (!sim) {
    fprintf(stderr, "trace_replay: creating the model of %s failed\n", argv[1]);
    fclose(f);
    return 2;
  }
  int rc = 0;
  uint64_t rx_changes = 0, tx_changes = 0, c = CREATE_CYCLES;
  int rx = 1, want_tx = cur.tx;
  for (;;) {
    /* the trace's line for cycle c (if any) sets the inputs of this cycle and TX before it */
    if (have == 1 && nxt.cycle == c) {
      if (nxt.rst != 1) {
        fprintf(stderr, "trace_replay: FAIL cycle %" PRIu64 ": the trace resets the device again (not supported)\n", c);
        rc = 1;
        break;
      }
      if (nxt.rx != rx) rx_changes++;
      if (nxt.tx != want_tx) tx_changes++;
      rx = nxt.rx;
      want_tx = nxt.tx;
      have = next_line(f, &nxt, &end, lineno++);
      if (have < 0) {
        rc = 1;
        break;
      }
      if (have == 1 && nxt.cycle <= c) {
        fprintf(stderr, "trace_replay: FAIL line %lu: cycle %" PRIu64 " after cycle %" PRIu64 "\n",
                lineno - 1, nxt.cycle, c);
        rc = 1;
        break;
      }
    }
    if (have == 0 && c >= end) break;
    sgpu_simlink_pins p = cycle(sim, rx);
    c++;
    /* TX after this edge is TX before the next one: the trace's for cycle c */
    int expect = (have == 1 && nxt.cycle == c) ? nxt.tx : want_tx;
    if (p.tx != expect) {
      fprintf(stderr, "trace_replay: FAIL cycle %" PRIu64 ": TX is %d in %s, %d in the trace "
              "(%" PRIu64 " TX changes matched before)\n", c, p.tx, argv[1], expect, tx_changes);
      rc = 1;
      break;
    }
  }
  if (rc == 0)
    printf("trace_replay: %" PRIu64 " cycles, %" PRIu64 " RX changes, %" PRIu64
           " TX changes: TX matched in every cycle\n", c, rx_changes, tx_changes);
  destroy(sim);
  fclose(f);
  return rc;
}
