/* bench_teardown.c - teardown latency of a GPU process against its footprint (`make bench`).
 *
 * For each policy (eager: DESTROY_PROCESS in hardware; host: the driver tears down one UNMAP
 * per page and one DESTROY_QUEUE per queue, as software stacks do), layout (dense: consecutive
 * pages; sparse: pages spread over as many leaf tables as possible), footprint (pages) and
 * queue count, it creates a process, maps and queues it, destroys it and records:
 *   cycles          device cycles from the first command of the teardown to its completion
 *   reclaim_cycles  further cycles until the scrubber has zeroed every freed frame
 *   host_us         host wall-clock time of the teardown call (simulation speed dependent)
 * Writes CSV (columns policy,pages,queues,cycles,layout,transport,reclaim_cycles,host_us) and a
 * markdown table with the host/eager ratio. Usage:
 *   bench_teardown [--uri URI] [--csv FILE] [--md FILE] [--max-pages N] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgpu.h"

typedef struct {
  const char *policy, *layout;
  uint32_t pages, queues;
  uint64_t cycles, reclaim;
  double host_us;
} row_t;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int die(sgpu_device *dev, const char *what, sgpu_status st) {
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
  sgpu_destroy_result res;
  double t0 = now_us();
  st = sgpu_destroy_process(dev, p, !strcmp(r->policy, "eager") ? SGPU_POLICY_EAGER : SGPU_POLICY_HOST,
                            &res);
  r->host_us = now_us() - t0;
  if (st) die(dev, "destroy", st);
  uint64_t c0 = cycles_of(dev);
  if ((st = sgpu_wait_clean(dev, 1000000000ull))) die(dev, "wait clean", st);
  r->reclaim = cycles_of(dev) - c0;
  r->cycles = res.cycles;
  uint32_t expect_q = r->queues;
  if (res.queues_freed != expect_q || res.frames_freed < r->pages + 1) {
    fprintf(stderr, "bench: %s %s %u pages %u queues: freed %u frames, %u queues\n", r->policy,
            r->layout, r->pages, r->queues, res.frames_freed, res.queues_freed);
    exit(1);
  }
}

int main(int argc, char **argv) {
  const char *uri = "sim:", *csv = "build/bench/teardown.csv", *md = "build/bench/teardown.md";
  uint32_t max_pages = 16384;
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
    } else if (!strcmp(argv[i], "--quick")) max_pages = 64;
    else {
      printf("usage: bench_teardown [--uri URI] [--csv FILE] [--md FILE] [--max-pages N] [--quick]\n");
      return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ? 2 : 0;
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
  FILE *fc = fopen(csv, "w"), *fm = fopen(md, "w");
  if (!fc || !fm) {
    fprintf(stderr, "bench: cannot write %s / %s\n", csv, md);
    return 1;
  }
  fprintf(fc, "policy,pages,queues,cycles,layout,transport,reclaim_cycles,host_us\n");
  static const char *policies[] = {"eager", "host"};
  static const char *layouts[] = {"dense", "sparse"};
  row_t rows[256];
  int n = 0;
  double t_start = now_us();
  uint64_t c_start = cycles_of(dev);
  printf("%-6s %-6s %6s %6s %12s %14s %10s\n", "policy", "layout", "pages", "queues", "cycles",
         "reclaim_cyc", "host_us");
  for (int l = 0; l < 2; l++)
    for (uint32_t pages = 1; pages <= max_pages; pages *= 4)
      for (int qsel = 0; qsel < 2; qsel++) {
        if (qsel && l) continue;  /* queues only vary on the dense layout */
        for (int pi = 0; pi < 2; pi++) {
          row_t *r = &rows[n++];
          memset(r, 0, sizeof *r);
          r->policy = policies[pi];
          r->layout = layouts[l];
          r->pages = pages;
          r->queues = qsel ? info.num_queues : 0;
          run(dev, &info, r);
          printf("%-6s %-6s %6u %6u %12llu %14llu %10.0f\n", r->policy, r->layout, r->pages,
                 r->queues, (unsigned long long)r->cycles, (unsigned long long)r->reclaim, r->host_us);
          fflush(stdout);
          fprintf(fc, "%s,%u,%u,%llu,%s,%s,%llu,%.0f\n", r->policy, r->pages, r->queues,
                  (unsigned long long)r->cycles, r->layout, uri, (unsigned long long)r->reclaim,
                  r->host_us);
        }
      }
  double secs = (now_us() - t_start) / 1e6;
  uint64_t sim_cycles = cycles_of(dev) - c_start;
  fprintf(fm, "| layout | pages | queues | eager cycles | host-driven cycles | host/eager | reclaim cycles (eager) |\n");
  fprintf(fm, "|---|---:|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i + 1 < n; i += 2)
    fprintf(fm, "| %s | %u | %u | %llu | %llu | %.0fx | %llu |\n", rows[i].layout, rows[i].pages,
            rows[i].queues, (unsigned long long)rows[i].cycles, (unsigned long long)rows[i + 1].cycles,
            (double)rows[i + 1].cycles / (double)(rows[i].cycles ? rows[i].cycles : 1),
            (unsigned long long)rows[i].reclaim);
  fclose(fc);
  fclose(fm);
  printf("\nco-simulation: %llu cycles in %.1f s = %.2f M cycles/s (%s)\n",
         (unsigned long long)sim_cycles, secs, sim_cycles / secs / 1e6, uri);
  printf("wrote %s and %s\n", csv, md);
  sgpu_close(dev);
  return 0;
}
