/* bench_teardown.c - teardown latency of a GPU process against its footprint (`make bench`).
 *
 * Three policies side by side, in one run, over the same workloads:
 *   eager     DESTROY_PROCESS, the device frees everything before completing
 *   deferred  DESTROY_PROCESS, the device completes once the process is unreachable and its
 *             background reclaimer frees the frames; a reclaim event follows the scrubbing
 *   host      the driver tears down as software stacks do: one UNMAP per page, one
 *             DESTROY_QUEUE per queue, then DESTROY_PROCESS (eager) of the emptied process
 * Workloads: pages 1, 4, 16, ..., 16384; layout dense (consecutive pages) and sparse (pages
 * spread over as many leaf tables as possible); queues 0 and the device's maximum (dense
 * only); nothing in flight (no engines yet). For each workload every policy gets a fresh
 * process on an idle device (sgpu_wait_clean between runs, which also waits for reclaims).
 *
 * Per row:
 *   completion_cycles  eager/deferred: the device's count, doorbell to completion (CPL_RES0);
 *                      host: CYCLE_LO/HI read before and after the whole sequence
 *   cycles             the same number (kept for an earlier consumer of the CSV)
 *   reclaim_cycles     cycles from the completion until every freed frame is clean.
 *                      deferred: exact, from the device's reclaim event: RECLAIM_CYCLES
 *                      (doorbell to event) minus completion_cycles. eager/host: measured by
 *                      polling: CYCLE read when sgpu_destroy_process returns, to when
 *                      sgpu_wait_clean sees no dirty frame (poll steps grow to 1024 cycles,
 *                      so about 1% coarse on the smallest rows, exact to 0.01% on the largest)
 *   host_us            host wall-clock time of the sgpu_destroy_process call (depends on the
 *                      co-simulation speed, not a hardware figure)
 *   e2e_cycles         simulated device cycles from the host's call of sgpu_destroy_process to
 *                      its return, the link included: CYCLE read before and after the call,
 *                      minus what two back-to-back CYCLE reads measure on this device (the
 *                      reads' own travel; calibrated at start, the smallest of 8)
 *   wire_bytes         bytes on the link, both directions, during the call (sgpu_link_stats;
 *                      0 on a transport without a link, sim:)
 *   transport          the URI's scheme with its colon (sim:, pty:, tcp:, ...)
 * Writes the CSV (columns policy,pages,queues,cycles,transport,layout,inflight,
 * completion_cycles,reclaim_cycles,host_us,e2e_cycles,wire_bytes) and a markdown report:
 * latency table with the host/eager and host/deferred ratios, the end-to-end table (e2e cycles,
 * microseconds at --clock-mhz, wire bytes, host/eager and host/deferred end to end), the
 * per-phase cycles (TD_* registers) of the eager and deferred rows, the link's throughput
 * (register reads and memory bytes per simulated second) and the co-simulation speed.
 *
 *   bench_teardown [--uri URI] [--csv FILE] [--md FILE] [--max-pages N] [--quick]
 *                  [--policies eager,deferred,host] [--clock-mhz F]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgpu.h"

enum { P_EAGER, P_DEFERRED, P_HOST, NPOL };
static const char *const pol_name[NPOL] = {"eager", "deferred", "host"};
static const sgpu_policy pol_value[NPOL] = {SGPU_POLICY_EAGER, SGPU_POLICY_DEFERRED,
                                            SGPU_POLICY_HOST};

typedef struct {
  int policy;
  const char *layout;
  uint32_t pages, queues;
  uint64_t completion, reclaim, e2e, wire;
  double host_us;
  sgpu_destroy_result res;
  sgpu_reclaim_info ri; /* deferred */
} row_t;

#define MAX_ROWS 512
#define WAIT_LIMIT 4000000000ull

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(sgpu_device *dev, const char *what, sgpu_status st) {
  fprintf(stderr, "bench: %s: %s (0x%08X): %s\n", what, sgpu_status_str(st), st,
          dev ? sgpu_last_error(dev) : "");
  exit(1);
}

static uint64_t cycles_of(sgpu_device *dev) {
  uint64_t c = 0;
  sgpu_status st = sgpu_read_cycles(dev, &c);
  if (st) die(dev, "read cycles", st);
  return c;
}

/* Bytes on the link so far, both directions; 0 without a link. */
static uint64_t wire_of(sgpu_device *dev) {
  sgpu_link_counters lc;
  if (sgpu_link_stats(dev, &lc) != SGPU_STATUS_SUCCESS) return 0;
  return lc.bytes_tx + lc.bytes_rx;
}

/* What two back-to-back CYCLE reads measure: subtracted from every e2e figure. */
static uint64_t read_overhead;

static void calibrate(sgpu_device *dev) {
  read_overhead = UINT64_MAX;
  for (int i = 0; i < 8; i++) {
    uint64_t a = cycles_of(dev), b = cycles_of(dev);
    if (b - a < read_overhead) read_overhead = b - a;
  }
}

static void run(sgpu_device *dev, const sgpu_info *info, row_t *r) {
  const uint32_t entries = 1u << (info->page_shift - 2), page = 1u << info->page_shift;
  sgpu_process p;
  sgpu_status st;
  if ((st = sgpu_create_process(dev, &p))) die(dev, "create", st);
  if (!strcmp(r->layout, "dense")) {
    if ((st = sgpu_map(dev, p, 0, r->pages))) die(dev, "map dense", st);
  } else {
    /* page i goes to leaf table i % entries, slot i / entries: one leaf table per page up to
     * `entries` pages, then spread evenly */
    for (uint32_t i = 0; i < r->pages; i++) {
      uint32_t vpn = (i % entries) * entries + i / entries;
      if ((st = sgpu_map(dev, p, vpn * page, 1))) die(dev, "map sparse", st);
    }
  }
  for (uint32_t q = 0; q < r->queues; q++) {
    uint32_t id;
    if ((st = sgpu_create_queue(dev, p, 0x1000u * q, 4, &id))) die(dev, "create queue", st);
  }
  uint64_t e0 = cycles_of(dev), w0 = wire_of(dev);
  double t0 = now_us();
  st = sgpu_destroy_process(dev, p, pol_value[r->policy], &r->res);
  r->host_us = now_us() - t0;
  if (st) die(dev, "destroy", st);
  r->wire = wire_of(dev) - w0; /* before the CYCLE read below puts its own bytes on the link */
  uint64_t e1 = cycles_of(dev);
  r->e2e = e1 - e0 > read_overhead ? e1 - e0 - read_overhead : 0;
  r->completion = r->res.cycles;
  if (r->policy == P_DEFERRED) {
    if ((st = sgpu_wait_reclaim(dev, p, WAIT_LIMIT, &r->ri))) die(dev, "wait reclaim", st);
    if (!r->ri.exact || r->ri.frames != r->res.frames_freed) {
      fprintf(stderr, "bench: deferred %s %u pages: reclaim event not seen exactly (exact %u, "
              "%u frames of %u)\n", r->layout, r->pages, r->ri.exact, r->ri.frames,
              r->res.frames_freed);
      exit(1);
    }
    r->reclaim = r->ri.cycles - r->res.cycles;
  } else {
    uint64_t c0 = cycles_of(dev);
    if ((st = sgpu_wait_clean(dev, WAIT_LIMIT))) die(dev, "wait clean", st);
    r->reclaim = cycles_of(dev) - c0;
  }
  /* Idle device for the next run (the deferred slot is FREE, no frame dirty). */
  if ((st = sgpu_wait_clean(dev, WAIT_LIMIT))) die(dev, "wait clean", st);
  if (r->res.queues_freed != r->queues || r->res.frames_freed < r->pages + 1) {
    fprintf(stderr, "bench: %s %s %u pages %u queues: freed %u frames, %u queues\n",
            pol_name[r->policy], r->layout, r->pages, r->queues, r->res.frames_freed,
            r->res.queues_freed);
    exit(1);
  }
}

static const row_t *find(const row_t *rows, int n, int policy, const row_t *like) {
  for (int i = 0; i < n; i++)
    if (rows[i].policy == policy && rows[i].pages == like->pages &&
        rows[i].queues == like->queues && !strcmp(rows[i].layout, like->layout))
      return &rows[i];
  return NULL;
}

/* One table line per workload, at its first row: true there, with the workload's eager,
 * deferred and host rows (NULL where a policy was not run). */
static bool workload_first(const row_t *rows, int n, int i, const row_t **e, const row_t **d,
                           const row_t **h) {
  for (int j = 0; j < i; j++)
    if (rows[j].pages == rows[i].pages && rows[j].queues == rows[i].queues &&
        !strcmp(rows[j].layout, rows[i].layout))
      return false;
  *e = find(rows, n, P_EAGER, &rows[i]);
  *d = find(rows, n, P_DEFERRED, &rows[i]);
  *h = find(rows, n, P_HOST, &rows[i]);
  return true;
}

static void cell_u64(FILE *f, const row_t *r, uint64_t v) {
  if (r)
    fprintf(f, " %llu |", (unsigned long long)v);
  else
    fprintf(f, " - |");
}

static void cell_ratio(FILE *f, const row_t *a, const row_t *b) {
  if (a && b && b->completion)
    fprintf(f, " %.0fx |", (double)a->completion / (double)b->completion);
  else
    fprintf(f, " - |");
}

static void cell_e2e_ratio(FILE *f, const row_t *a, const row_t *b) {
  if (a && b && b->e2e)
    fprintf(f, " %.1fx |", (double)a->e2e / (double)b->e2e);
  else
    fprintf(f, " - |");
}

/* The link's throughput in simulated time: register reads (one round trip each) and a memory
 * burst written and read back through a process (MEM requests on a link). */
static void throughput(sgpu_device *dev, const sgpu_info *info, double mhz, FILE *fm) {
  enum { READS = 32 };
  uint32_t v;
  uint64_t c0 = cycles_of(dev), w0 = wire_of(dev);
  for (int i = 0; i < READS; i++) {
    sgpu_status st = sgpu_reg_read(dev, 0, &v);
    if (st) die(dev, "register read", st);
  }
  uint64_t reg_wire = wire_of(dev) - w0, reg_cyc = cycles_of(dev) - c0 - read_overhead;
  const uint32_t bytes = 1u << info->page_shift;
  static uint8_t buf[1u << 16], back[1u << 16];
  for (uint32_t i = 0; i < bytes; i++) buf[i] = (uint8_t)(i * 7 + 1);
  sgpu_process p;
  sgpu_status st;
  if ((st = sgpu_create_process(dev, &p))) die(dev, "create", st);
  if ((st = sgpu_map(dev, p, 0, 1))) die(dev, "map", st);
  c0 = cycles_of(dev);
  if ((st = sgpu_write(dev, p, 0, buf, bytes))) die(dev, "memory write", st);
  uint64_t wr_cyc = cycles_of(dev) - c0 - read_overhead;
  c0 = cycles_of(dev);
  if ((st = sgpu_read(dev, p, 0, back, bytes))) die(dev, "memory read", st);
  uint64_t rd_cyc = cycles_of(dev) - c0 - read_overhead;
  if (memcmp(buf, back, bytes)) {
    fprintf(stderr, "bench: memory read back differs\n");
    exit(1);
  }
  if ((st = sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, NULL))) die(dev, "destroy", st);
  if ((st = sgpu_wait_clean(dev, WAIT_LIMIT))) die(dev, "wait clean", st);
  double per_s = mhz * 1e6;
  fprintf(fm, "\nLink throughput in simulated time at %.1f MHz: %d register reads, %llu cycles "
              "(%.0f cycles = %.1f us each, %.0f reads/s, %.0f wire bytes each); a %u-byte "
              "memory write %llu cycles (%.0f KB/s), read back %llu cycles (%.0f KB/s).\n",
          mhz, READS, (unsigned long long)reg_cyc, (double)reg_cyc / READS,
          (double)reg_cyc / READS / mhz, READS * per_s / (double)(reg_cyc ? reg_cyc : 1),
          (double)reg_wire / READS, bytes, (unsigned long long)wr_cyc,
          bytes * per_s / (double)(wr_cyc ? wr_cyc : 1) / 1e3, (unsigned long long)rd_cyc,
          bytes * per_s / (double)(rd_cyc ? rd_cyc : 1) / 1e3);
  printf("link throughput: %.0f cycles per register read, %u-byte write %llu cycles, read "
         "%llu cycles\n", (double)reg_cyc / READS, bytes, (unsigned long long)wr_cyc,
         (unsigned long long)rd_cyc);
}

static void usage(FILE *f) {
  fprintf(f, "usage: bench_teardown [--uri URI] [--csv FILE] [--md FILE] [--max-pages N] "
             "[--quick]\n"
             "                      [--policies eager,deferred,host] [--clock-mhz F]\n"
             "  --quick        pages up to 64 (a few seconds)\n"
             "  --clock-mhz F  the device clock for microseconds in the report (default 12,\n"
             "                 the iCEBreaker's; cycles are what is measured)\n");
}

int main(int argc, char **argv) {
  const char *uri = "sim:", *csv = "build/bench/teardown.csv", *md = "build/bench/teardown.md";
  uint32_t max_pages = 16384;
  double mhz = 12.0;
  bool use[NPOL] = {true, true, true};
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--uri") && i + 1 < argc) uri = argv[++i];
    else if (!strcmp(argv[i], "--csv") && i + 1 < argc) csv = argv[++i];
    else if (!strcmp(argv[i], "--md") && i + 1 < argc) md = argv[++i];
    else if (!strcmp(argv[i], "--max-pages") && i + 1 < argc) {
      char *end;
      max_pages = (uint32_t)strtoul(argv[++i], &end, 0);
      if (*end || !max_pages) {
        fprintf(stderr, "bench: bad --max-pages '%s'\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "--clock-mhz") && i + 1 < argc) {
      char *end;
      mhz = strtod(argv[++i], &end);
      if (*end || !(mhz > 0 && mhz < 10000)) {
        fprintf(stderr, "bench: bad --clock-mhz '%s' (a frequency in MHz, e.g. 12)\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "--quick")) max_pages = 64;
    else if (!strcmp(argv[i], "--policies") && i + 1 < argc) {
      char buf[128];
      snprintf(buf, sizeof buf, "%s", argv[++i]);
      memset(use, 0, sizeof use);
      for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        int k = 0;
        while (k < NPOL && strcmp(pol_name[k], t)) k++;
        if (k == NPOL) {
          fprintf(stderr, "bench: bad policy '%s' in --policies (eager, deferred, host)\n", t);
          return 2;
        }
        use[k] = true;
      }
    } else {
      bool help = !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
      if (!help) fprintf(stderr, "bench: bad argument '%s'\n", argv[i]);
      usage(help ? stdout : stderr);
      return help ? 0 : 2;
    }
  }
  sgpu_device *dev = NULL;
  char err[256] = "";
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  if (st) {
    fprintf(stderr, "bench: cannot open '%s': %s: %s\n", uri, sgpu_status_str(st), err);
    return 1;
  }
  sgpu_info info;
  if ((st = sgpu_get_info(dev, &info))) die(dev, "info", st);
  sgpu_set_poll_limit(dev, 100000000u);
  if ((st = sgpu_wait_clean(dev, WAIT_LIMIT))) die(dev, "wait clean", st);
  FILE *fc = fopen(csv, "w"), *fm = fopen(md, "w");
  if (!fc || !fm) {
    fprintf(stderr, "bench: cannot write %s / %s\n", csv, md);
    return 1;
  }
  fprintf(fc, "policy,pages,queues,cycles,transport,layout,inflight,completion_cycles,"
              "reclaim_cycles,host_us,e2e_cycles,wire_bytes\n");
  char scheme[32];
  snprintf(scheme, sizeof scheme, "%.*s:", (int)strcspn(uri, ":"), uri);
  calibrate(dev);
  static const char *layouts[] = {"dense", "sparse"};
  static row_t rows[MAX_ROWS];
  int n = 0;
  double t_start = now_us();
  uint64_t c_start = cycles_of(dev);
  printf("%-8s %-6s %6s %6s %12s %12s %10s %12s %10s\n", "policy", "layout", "pages", "queues",
         "completion", "reclaim", "host_us", "e2e", "wire_B");
  for (int l = 0; l < 2; l++)
    for (uint32_t pages = 1; pages <= max_pages; pages *= 4)
      for (int qsel = 0; qsel < 2; qsel++) {
        if (qsel && l) continue; /* queues only vary on the dense layout */
        for (int pi = 0; pi < NPOL; pi++) {
          if (!use[pi] || n == MAX_ROWS) continue;
          row_t *r = &rows[n++];
          memset(r, 0, sizeof *r);
          r->policy = pi;
          r->layout = layouts[l];
          r->pages = pages;
          r->queues = qsel ? info.num_queues : 0;
          run(dev, &info, r);
          printf("%-8s %-6s %6u %6u %12llu %12llu %10.0f %12llu %10llu\n", pol_name[pi],
                 r->layout, r->pages, r->queues, (unsigned long long)r->completion,
                 (unsigned long long)r->reclaim, r->host_us, (unsigned long long)r->e2e,
                 (unsigned long long)r->wire);
          fflush(stdout);
          fprintf(fc, "%s,%u,%u,%llu,%s,%s,0,%llu,%llu,%.0f,%llu,%llu\n", pol_name[pi],
                  r->pages, r->queues, (unsigned long long)r->completion, scheme, r->layout,
                  (unsigned long long)r->completion, (unsigned long long)r->reclaim,
                  r->host_us, (unsigned long long)r->e2e, (unsigned long long)r->wire);
        }
      }
  double secs = (now_us() - t_start) / 1e6;
  uint64_t sim_cycles = cycles_of(dev) - c_start;
  double speed = sim_cycles / (secs > 0 ? secs : 1);

  fprintf(fm, "Device `%s`: %u frames of %u B, %u queue slots. Co-simulation: %llu cycles in "
              "%.1f s = %.2f M cycles/s.\n\n",
          uri, info.num_frames, 1u << info.page_shift, info.num_queues,
          (unsigned long long)sim_cycles, secs, speed / 1e6);
  fprintf(fm, "Completion latency (device cycles) and reclaim (cycles from the completion until "
              "every freed frame is clean; deferred: from the reclaim event, eager/host: "
              "polled).\n\n");
  fprintf(fm, "| layout | pages | queues | eager | deferred | host-driven | host/eager | "
              "host/deferred | reclaim eager | reclaim deferred | reclaim host |\n");
  fprintf(fm, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i < n; i++) {
    const row_t *k = &rows[i], *e, *d, *h;
    if (!workload_first(rows, n, i, &e, &d, &h)) continue;
    fprintf(fm, "| %s | %u | %u |", k->layout, k->pages, k->queues);
    cell_u64(fm, e, e ? e->completion : 0);
    cell_u64(fm, d, d ? d->completion : 0);
    cell_u64(fm, h, h ? h->completion : 0);
    cell_ratio(fm, h, e);
    cell_ratio(fm, h, d);
    cell_u64(fm, e, e ? e->reclaim : 0);
    cell_u64(fm, d, d ? d->reclaim : 0);
    cell_u64(fm, h, h ? h->reclaim : 0);
    fputc('\n', fm);
  }
  fprintf(fm, "\nEnd to end over `%s`: device cycles from the host's call to its return, the "
              "link included (CYCLE read around the call, less %llu cycles of the reads' own "
              "travel), microseconds at %.1f MHz, and the bytes on the link both ways.\n\n",
          scheme, (unsigned long long)read_overhead, mhz);
  fprintf(fm, "| layout | pages | queues | eager e2e | deferred e2e | host-driven e2e | "
              "eager us | host-driven us | host/eager | host/deferred | eager wire B | "
              "deferred wire B | host wire B |\n");
  fprintf(fm, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i < n; i++) {
    const row_t *k = &rows[i], *e, *d, *h;
    if (!workload_first(rows, n, i, &e, &d, &h)) continue;
    fprintf(fm, "| %s | %u | %u |", k->layout, k->pages, k->queues);
    cell_u64(fm, e, e ? e->e2e : 0);
    cell_u64(fm, d, d ? d->e2e : 0);
    cell_u64(fm, h, h ? h->e2e : 0);
    if (e) fprintf(fm, " %.1f |", e->e2e / mhz); else fprintf(fm, " - |");
    if (h) fprintf(fm, " %.1f |", h->e2e / mhz); else fprintf(fm, " - |");
    cell_e2e_ratio(fm, h, e);
    cell_e2e_ratio(fm, h, d);
    cell_u64(fm, e, e ? e->wire : 0);
    cell_u64(fm, d, d ? d->wire : 0);
    cell_u64(fm, h, h ? h->wire : 0);
    fputc('\n', fm);
  }
  fprintf(fm, "\nPer-phase cycles (TD_* registers). Deferred: validate, stop/drain, TLB and "
              "complete are in the command; free and release are the background reclaimer's, "
              "scrub is from its frames reaching the dirty list to the reclaim event.\n\n");
  fprintf(fm, "| layout | pages | queues | policy | validate | stop/drain | TLB | free | "
              "release | complete | completion | scrub |\n");
  fprintf(fm, "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i < n; i++) {
    const row_t *r = &rows[i];
    if (r->policy == P_HOST) continue;
    bool def = r->policy == P_DEFERRED;
    fprintf(fm, "| %s | %u | %u | %s | %u | %u | %u | %u | %u | %u | %llu | ", r->layout,
            r->pages, r->queues, pol_name[r->policy], r->res.validate_cycles,
            r->res.stop_drain_cycles, r->res.tlb_cycles,
            def ? r->ri.free_cycles : r->res.free_cycles,
            def ? r->ri.release_cycles : r->res.release_cycles, r->res.complete_cycles,
            (unsigned long long)r->completion);
    if (def)
      fprintf(fm, "%u |\n", r->ri.scrub_cycles);
    else
      fprintf(fm, "- |\n");
  }
  throughput(dev, &info, mhz, fm);
  fclose(fc);
  fclose(fm);
  printf("\nco-simulation: %llu cycles in %.1f s = %.2f M cycles/s (%s)\n",
         (unsigned long long)sim_cycles, secs, speed / 1e6, uri);
  printf("wrote %s and %s\n", csv, md);
  sgpu_close(dev);
  return 0;
}
