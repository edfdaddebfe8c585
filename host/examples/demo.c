/* demo.c - the sgpu co-simulated demo (`make demo`).
 *
 * Drives the Verilated core through the real libsgpu: two processes map memory and write a
 * pattern through the device MMU, one is destroyed by the hardware teardown engine, its
 * completion is printed, and the other's data is read back intact. Exits non-zero if any
 * step does not do what it should. Usage: demo [URI] (default "sim:"). Over a byte link
 * (`make demo` also runs it as `demo pty:/dev/pts/N` against sgpu-sim --bridge rtl, the RTL
 * UART and link bridge in the loop) it also prints the frames and bytes the destroy took on
 * the wire (sgpu_link_stats).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu.h"

#define PAGES_A 64u
#define PAGES_B 16u

static int fail(sgpu_device *dev, const char *what, sgpu_status st) {
  fprintf(stderr, "demo: %s failed: %s (0x%08X)%s%s\n", what, sgpu_status_str(st), st,
          dev ? ": " : "", dev ? sgpu_last_error(dev) : "");
  return 1;
}

static uint32_t pattern(uint32_t tag, uint32_t word) { return tag ^ (word * 0x9E3779B1u); }

int main(int argc, char **argv) {
  const char *uri = argc > 1 ? argv[1] : "sim:";
  if (argc > 2 || (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
    printf("usage: demo [URI]   (default sim:, the Verilated core in-process)\n");
    return argc > 2 ? 2 : 0;
  }
  sgpu_device *dev = NULL;
  char err[256] = "";
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  if (st) {
    fprintf(stderr, "demo: cannot open '%s': %s: %s\n", uri, sgpu_status_str(st), err);
    return 1;
  }
  sgpu_info info;
  if ((st = sgpu_get_info(dev, &info))) return fail(dev, "get_info", st);
  const uint32_t page = 1u << info.page_shift;
  printf("sgpu %u.%u on %s: %u process slots, %u queue slots, %u TLB entries, %u frames of %u B\n",
         info.version >> 16, info.version & 0xFFFF, uri, info.num_procs, info.num_queues,
         info.tlb_entries, info.num_frames, page);

  sgpu_process a, b;
  uint32_t qa, qb;
  if ((st = sgpu_create_process(dev, &a))) return fail(dev, "create process A", st);
  if ((st = sgpu_create_process(dev, &b))) return fail(dev, "create process B", st);
  printf("created process A (handle 0x%08X) and B (handle 0x%08X)\n", a, b);
  if ((st = sgpu_map(dev, a, 0x00000000u, PAGES_A))) return fail(dev, "map A", st);
  if ((st = sgpu_map(dev, b, 0x10000000u, PAGES_B))) return fail(dev, "map B", st);
  if ((st = sgpu_create_queue(dev, a, 0x0000F000u, 6, &qa))) return fail(dev, "queue A", st);
  if ((st = sgpu_create_queue(dev, b, 0x10000000u, 6, &qb))) return fail(dev, "queue B", st);
  printf("A: %u pages at VA 0x00000000, queue %u; B: %u pages at VA 0x10000000, queue %u\n",
         PAGES_A, qa, PAGES_B, qb);

  /* One word per 64 bytes of every page, written through the MMU. */
  const uint32_t step = 64, words = page / step;
  uint32_t *buf = malloc((size_t)words * 4);
  if (!buf) return 1;
  for (uint32_t p = 0; p < PAGES_A; p++)
    for (uint32_t w = 0; w < words; w++)
      if ((st = sgpu_write(dev, a, p * page + w * step, &(uint32_t){pattern(0xAAAA0000u, p * words + w)}, 4)))
        return fail(dev, "write A", st);
  for (uint32_t p = 0; p < PAGES_B; p++)
    for (uint32_t w = 0; w < words; w++)
      if ((st = sgpu_write(dev, b, 0x10000000u + p * page + w * step,
                           &(uint32_t){pattern(0xBBBB0000u, p * words + w)}, 4)))
        return fail(dev, "write B", st);
  printf("wrote %u words into A and %u into B through the device MMU\n", PAGES_A * words,
         PAGES_B * words);

  sgpu_device_info before, after;
  if ((st = sgpu_query_device(dev, &before))) return fail(dev, "query device", st);
  printf("device before: %u frames used, %u clean, %u dirty, %u processes, %u queues\n",
         before.frames_used, before.frames_clean, before.frames_dirty, before.live_processes,
         before.live_queues);

  sgpu_destroy_result r;
  sgpu_link_counters w0, w1;
  bool link = sgpu_link_stats(dev, &w0) == SGPU_STATUS_SUCCESS;
  st = sgpu_destroy_process(dev, a, SGPU_POLICY_EAGER, &r);
  printf("\nDESTROY_PROCESS A (eager, in hardware): %s\n", sgpu_status_str(st));
  if (st) return fail(dev, "destroy A", st);
  printf("  cycles from doorbell to completion: %u\n", r.cycles);
  printf("  frames freed: %u (%u data + %u page-table pages)\n", r.frames_freed,
         r.frames_freed - r.pt_pages_freed, r.pt_pages_freed);
  printf("  queues freed: %u, work aborted: %u, doorbells ignored: %u\n", r.queues_freed,
         r.work_aborted, r.doorbells_ignored);
  printf("  phases (cycles): validate %u, stop/drain %u, TLB %u, free %u, release %u, "
         "complete %u\n",
         r.validate_cycles, r.stop_drain_cycles, r.tlb_cycles, r.free_cycles, r.release_cycles,
         r.complete_cycles);
  if (link && sgpu_link_stats(dev, &w1) == SGPU_STATUS_SUCCESS)
    printf("  on the wire: %llu request frame, %llu response frame (%llu bytes out, %llu bytes "
           "in, %llu retransmissions): the whole teardown, its phases included\n",
           (unsigned long long)(w1.frames_tx - w0.frames_tx),
           (unsigned long long)(w1.frames_rx - w0.frames_rx),
           (unsigned long long)(w1.bytes_tx - w0.bytes_tx),
           (unsigned long long)(w1.bytes_rx - w0.bytes_rx),
           (unsigned long long)(w1.retries - w0.retries));
  putchar('\n');

  uint64_t c0 = 0, c1 = 0;
  sgpu_read_cycles(dev, &c0);
  if ((st = sgpu_wait_clean(dev, 100000000ull))) return fail(dev, "wait_clean", st);
  sgpu_read_cycles(dev, &c1);
  if ((st = sgpu_query_device(dev, &after))) return fail(dev, "query device", st);
  printf("scrubber zeroed the freed frames in the background: clean again after %llu cycles\n",
         (unsigned long long)(c1 - c0));
  printf("device after:  %u frames used, %u clean, %u dirty, %u processes, %u queues\n",
         after.frames_used, after.frames_clean, after.frames_dirty, after.live_processes,
         after.live_queues);

  int bad = 0;
  if (after.frames_used != before.frames_used - r.frames_freed) {
    fprintf(stderr, "demo: frames used %u, expected %u\n", after.frames_used,
            before.frames_used - r.frames_freed);
    bad = 1;
  }
  uint32_t mismatches = 0;
  for (uint32_t p = 0; p < PAGES_B; p++)
    for (uint32_t w = 0; w < words; w++) {
      uint32_t v = 0;
      if ((st = sgpu_read(dev, b, 0x10000000u + p * page + w * step, &v, 4))) return fail(dev, "read B", st);
      if (v != pattern(0xBBBB0000u, p * words + w)) mismatches++;
    }
  uint32_t v0 = 0, vl = 0;
  sgpu_read(dev, b, 0x10000000u, &v0, 4);
  sgpu_read(dev, b, 0x10000000u + PAGES_B * page - step, &vl, 4);
  printf("B's data after A's teardown: %u of %u words intact (first 0x%08X, last 0x%08X)\n",
         PAGES_B * words - mismatches, PAGES_B * words, v0, vl);
  sgpu_process_info pi;
  if ((st = sgpu_query_process(dev, b, &pi))) return fail(dev, "query B", st);
  printf("B: state %u, %u data frames, %u page-table pages, %u queues\n", pi.state, pi.data_frames,
         pi.pt_pages, pi.queues);
  uint32_t x = 0;
  st = sgpu_read(dev, a, 0, &x, 4);
  printf("reading through A's stale handle: %s\n", sgpu_status_str(st));
  if (st != SGPU_STATUS_INVALID_HANDLE) bad = 1;
  if (mismatches || pi.data_frames != PAGES_B || pi.queues != 1) bad = 1;
  free(buf);
  sgpu_close(dev);
  printf("\ndemo: %s\n", bad ? "FAILED" : "OK");
  return bad;
}
