// tb_teardown.cpp - unit bench of the context manager's teardown engine on sgpu_sim_top (the
// core, a memory with random stalls and latency, two stand-in engines).
//
// Checks, on the register interface: the eager DESTROY_PROCESS completion (status, frames and
// tables freed, queues freed, cycles bounded by a constant), that teardown waits for in-flight
// engine work (a held work item) and ignores the dying process's doorbells meanwhile, that a
// stuck engine makes it abort the work after DRAIN_TIMEOUT cycles (work_aborted) instead of
// hanging, that engines writing through the MMU never touch a frame their process no longer
// owns while processes are unmapped and destroyed under them (the simulation's ownership
// checker), that a second process is untouched, that freed frames are scrubbed before they
// are reused, and the generation rule for stale handles. Every wait is bounded.
#define SGPU_TB_HAVE_HARNESS 1
#include "../../sim/sgpu_harness.h"
#include "tb_util.h"

static uint32_t caps(SgpuHarness &h, int lsb, int bits) {
  return (h.read32(SGPU_REG_CAPS0) >> lsb) & ((1u << bits) - 1);
}

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  TbCheck t;
  SgpuHarness h;
  const uint32_t page_shift = caps(h, SGPU_CAPS0_PAGE_SHIFT_LSB, SGPU_CAPS0_PAGE_SHIFT_BITS);
  const uint32_t nframes = h.read32(SGPU_REG_CAPS1);
  const uint32_t page = 1u << page_shift;
  const uint32_t entries = page / 4;
  std::printf("tb_teardown: page %u B, %u frames\n", page, nframes);
  t.expect_eq(h.read32(SGPU_REG_ID), SGPU_MAGIC, "ID register");
  // The small configuration's memory does not start zeroed: every frame starts dirty and is
  // scrubbed before its first use.
  t.expect_eq(h.read32(SGPU_REG_FRAMES_CLEAN) + h.read32(SGPU_REG_FRAMES_DIRTY), nframes,
              "every frame free after reset");
  wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "the first scrub");
  t.expect_eq(h.read32(SGPU_REG_FRAMES_CLEAN), nframes, "all frames clean after the first scrub");

  Completion a = admin(h, SGPU_OP_CREATE_PROCESS);
  Completion b = admin(h, SGPU_OP_CREATE_PROCESS);
  t.expect_eq(a.status, SGPU_STATUS_SUCCESS, "create A");
  t.expect_eq(b.status, SGPU_STATUS_SUCCESS, "create B");
  const uint32_t ha = a.res[0], hb = b.res[0];
  t.expect(ha != hb, "distinct handles");

  // A: 2 pages in the first leaf table, 1 page in another one (sparse). B: 1 page.
  const uint32_t npages_a = 3;
  t.expect_eq(admin(h, SGPU_OP_MAP, ha, 0, 2).status, SGPU_STATUS_SUCCESS, "map A lo");
  t.expect_eq(admin(h, SGPU_OP_MAP, ha, entries * page * 3, 1).status, SGPU_STATUS_SUCCESS,
              "map A hi");
  t.expect_eq(admin(h, SGPU_OP_MAP, hb, 0, 1).status, SGPU_STATUS_SUCCESS, "map B");
  t.expect_eq(write_word(h, ha, 4, 0xA5A5A5A5).status, SGPU_STATUS_SUCCESS, "write A");
  t.expect_eq(write_word(h, hb, 8, 0xB0B0B0B0).status, SGPU_STATUS_SUCCESS, "write B");
  t.expect_eq(read_word(h, ha, 4).res[0], 0xA5A5A5A5, "read A");
  Completion qa = admin(h, SGPU_OP_CREATE_QUEUE, ha, 0x100, 4);
  Completion qb = admin(h, SGPU_OP_CREATE_QUEUE, hb, 0x200, 4);
  t.expect_eq(qa.status, SGPU_STATUS_SUCCESS, "queue A");
  t.expect_eq(qb.status, SGPU_STATUS_SUCCESS, "queue B");
  const uint32_t qreg_a = SGPU_QUEUE_BASE + qa.res[0] * SGPU_QUEUE_STRIDE;
  const uint32_t qreg_b = SGPU_QUEUE_BASE + qb.res[0] * SGPU_QUEUE_STRIDE;
  const uint32_t ign_a0 = h.read32(SGPU_REG_DB_IGNORED);
  h.write32(qreg_a + SGPU_QREG_QDB, 3);
  t.expect_eq(h.read32(SGPU_REG_DB_IGNORED), ign_a0, "doorbell A accepted (not counted ignored)");
  t.expect_eq(h.read32(qreg_a + SGPU_QREG_QDB), 0, "QDB is write-only (reads 0)");
  h.step(200);   // its work item runs to the end (items hold at most EngMaxHold = 32 cycles)
  const uint32_t used_before = h.read32(SGPU_REG_FRAMES_USED);

  // Destroy A while its engine work is still in flight: the teardown must wait in the drain
  // phase, and A's doorbells must be ignored from the moment it is marked dying.
  h.set_engine_hold(3);                       // every work item holds until released
  const uint32_t done0 = h.engine_items_done();
  h.write32(qreg_a + SGPU_QREG_QDB, 4);       // work for A's queue: the engine takes it, holds
  h.step(8);
  uint32_t seq = h.read32(SGPU_REG_CPL_SEQ);
  h.write32(SGPU_REG_CMD_ARG0, ha);
  h.write32(SGPU_REG_CMD_OP, SGPU_OP_DESTROY_PROCESS | (SGPU_POLICY_EAGER << SGPU_CMD_OP_POLICY_LSB));
  h.write32(SGPU_REG_ADMIN_DOORBELL, 1);
  h.step(50);
  t.expect(h.read32(SGPU_REG_ADMIN_STATUS) & 1, "teardown waits while work is in flight");
  t.expect_eq(h.read32(SGPU_REG_CPL_SEQ), seq, "no completion before the drain");
  t.expect_eq(h.read32(SGPU_REG_FRAMES_USED), used_before, "nothing freed before the drain");
  const uint32_t ign0 = h.read32(SGPU_REG_DB_IGNORED);
  h.write32(qreg_a + SGPU_QREG_QDB, 7);
  t.expect_eq(h.read32(SGPU_REG_DB_IGNORED), ign0 + 1, "dying process's doorbell ignored");
  t.expect_eq(h.read32(qreg_a + SGPU_QREG_QIGNORED), 1, "counted on A's queue");
  h.write32(qreg_b + SGPU_QREG_QDB, 5);
  t.expect_eq(h.read32(SGPU_REG_DB_IGNORED), ign0 + 1, "other process's doorbell still works");
  t.expect_eq(h.read32(qreg_b + SGPU_QREG_QIGNORED), 0, "nothing counted on B's queue");
  h.set_engine_hold(0);
  wait_until(h, [&] { return h.read32(SGPU_REG_CPL_SEQ) != seq; }, "destroy A's completion");
  t.expect(h.engine_items_done() > done0, "the held work item finished (drained, not aborted)");
  Completion d;
  d.status = h.read32(SGPU_REG_CPL_STATUS);
  for (int i = 0; i < 6; i++) d.res[i] = h.read32(SGPU_REG_CPL_RES0 + 4 * i);
  t.expect_eq(d.status, SGPU_STATUS_SUCCESS, "destroy status");
  t.expect_eq(d.res[1], npages_a + 2 + 1, "frames freed = 3 data + 2 leaf + 1 root");
  t.expect_eq(d.res[2], 3, "page-table pages freed");
  t.expect_eq(d.res[3], 1, "queues freed");
  t.expect_eq(d.res[4], 0, "drained: no work aborted");
  t.expect_eq(d.res[5], 1, "doorbells ignored while dying");
  t.expect_eq(h.read32(qreg_a + SGPU_QREG_QSTATE), 0, "released queue slot cleared");
  t.expect_eq(h.read32(qreg_a + SGPU_QREG_QRING), 0, "released ring state cleared");

  // The same teardown without engine work: cycles must not depend on the footprint.
  Completion c1 = admin(h, SGPU_OP_CREATE_PROCESS);
  admin(h, SGPU_OP_MAP, c1.res[0], 0, 1);
  Completion d1 = admin(h, SGPU_OP_DESTROY_PROCESS, c1.res[0]);
  Completion c2 = admin(h, SGPU_OP_CREATE_PROCESS);
  const uint32_t big = nframes / 2;
  t.expect_eq(admin(h, SGPU_OP_MAP, c2.res[0], 0, big).status, SGPU_STATUS_SUCCESS, "map many");
  Completion d2 = admin(h, SGPU_OP_DESTROY_PROCESS, c2.res[0]);
  std::printf("  eager teardown: %u cycles at 1 page, %u cycles at %u pages\n", d1.res[0],
              d2.res[0], big);
  t.expect(d1.res[0] > 0 && d1.res[0] < 32, "1-page teardown is a small constant");
  t.expect_eq(d2.res[0], d1.res[0], "teardown cycles independent of pages");

  // Stale handles: the slot's generation moved on.
  t.expect_eq(admin(h, SGPU_OP_DESTROY_PROCESS, ha).status, SGPU_STATUS_INVALID_HANDLE,
              "destroy stale handle");
  t.expect_eq(read_word(h, ha, 4).status, SGPU_STATUS_INVALID_HANDLE, "read stale");
  Completion r = admin(h, SGPU_OP_CREATE_PROCESS);
  t.expect_eq(SGPU_HANDLE_SLOT(r.res[0]), SGPU_HANDLE_SLOT(ha), "slot reused");
  t.expect(r.res[0] != ha, "new generation on the reused slot");

  // B untouched.
  t.expect_eq(read_word(h, hb, 8).res[0], 0xB0B0B0B0, "B data intact");
  Completion qb2 = admin(h, SGPU_OP_QUERY, hb);
  t.expect_eq(qb2.res[2], 1, "B data frames");
  t.expect_eq(qb2.res[4], 1, "B queues");

  // Scrubbed before reuse: the new process maps everything it can and reads zero everywhere
  // (a word per 16 bytes keeps the bench short; tests/cosim reads every word).
  const uint32_t avail = h.read32(SGPU_REG_FRAMES_CLEAN) + h.read32(SGPU_REG_FRAMES_DIRTY);
  const uint32_t want = avail - 2;  // room for the leaf tables
  t.expect_eq(admin(h, SGPU_OP_MAP, r.res[0], 0, want).status, SGPU_STATUS_SUCCESS, "map the rest");
  uint32_t nonzero = 0;
  for (uint32_t va = 0; va < want * page; va += 16) nonzero += read_word(h, r.res[0], va).res[0] != 0;
  t.expect_eq(nonzero, 0, "no residue in reused frames");
  t.expect_eq(admin(h, SGPU_OP_DESTROY_PROCESS, r.res[0]).status, SGPU_STATUS_SUCCESS, "destroy the reader");
  t.expect_eq(admin(h, SGPU_OP_DESTROY_PROCESS, hb).status, SGPU_STATUS_SUCCESS, "destroy B");

  // ---------------------------------------------------------------- per-phase cycles (eager)
  {
    Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
    admin(h, SGPU_OP_MAP, c.res[0], 0, 4);
    Completion d = admin(h, SGPU_OP_DESTROY_PROCESS, c.res[0], 0, 0, SGPU_POLICY_EAGER);
    uint32_t sum = 0;
    for (int i = 0; i < 6; i++) {
      uint32_t v = h.read32(SGPU_REG_TD_VALIDATE + 4 * i);
      t.expect(v >= 1, "every eager phase takes at least a cycle");
      sum += v;
    }
    t.expect_eq(sum, d.res[0], "eager phases add up to the completion's cycles");
    const uint32_t scrub0 = h.read32(SGPU_REG_TD_SCRUB);
    wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "all frames clean");
    h.step(4);
    const uint32_t scrub = h.read32(SGPU_REG_TD_SCRUB);
    std::printf("  eager scrub phase: %u cycles for %u frames\n", scrub, d.res[1]);
    t.expect(scrub != scrub0 && scrub >= d.res[1] * (page / 4),
             "eager scrub phase recorded: at least a word-write per word of every freed frame");
  }

  // ---------------------------------------------------------------- DEFERRED
  // Completion as soon as the process is unreachable; the slot stays DYING until every frame
  // it had is clean; then a reclaim event.
  uint32_t defer_cycles[2];
  const uint32_t sizes[2] = {1, nframes / 4};
  for (int k = 0; k < 2; k++) {
    wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "all frames clean");
    Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
    const uint32_t hd = c.res[0];
    t.expect_eq(admin(h, SGPU_OP_MAP, hd, 0, sizes[k]).status, SGPU_STATUS_SUCCESS, "deferred: map");
    Completion q = admin(h, SGPU_OP_CREATE_QUEUE, hd, 0x40, 3);
    const uint32_t qreg = SGPU_QUEUE_BASE + q.res[0] * SGPU_QUEUE_STRIDE;
    const uint32_t used0 = h.read32(SGPU_REG_FRAMES_USED);
    const uint32_t seq0 = h.read32(SGPU_REG_RECLAIM_SEQ);
    Completion d = admin(h, SGPU_OP_DESTROY_PROCESS, hd, 0, 0, SGPU_POLICY_DEFERRED);
    t.expect_eq(d.status, SGPU_STATUS_SUCCESS, "deferred: status");
    t.expect_eq(d.res[1], sizes[k] + 2, "deferred: frames to reclaim (data + leaf + root)");
    t.expect_eq(d.res[3], 1, "deferred: queues");
    defer_cycles[k] = d.res[0];
    uint32_t sum = 0;
    for (int i : {0, 1, 2, 5}) sum += h.read32(SGPU_REG_TD_VALIDATE + 4 * i);
    t.expect_eq(sum, d.res[0], "deferred: validate+stop+tlb+complete = completion cycles");
    t.expect_eq(admin(h, SGPU_OP_QUERY, hd).status, SGPU_STATUS_PROCESS_IS_TERMINATING,
                "deferred: a dying handle is terminating");
    t.expect(h.read32(SGPU_REG_TD_FREE) == 0 && h.read32(SGPU_REG_TD_RELEASE) == 0,
             "deferred: no free or release phase in the command");
    t.expect_eq(admin(h, SGPU_OP_DESTROY_PROCESS, hd).status, SGPU_STATUS_PROCESS_IS_TERMINATING,
                "deferred: destroying it again is terminating");
    t.expect_eq(h.read32(SGPU_REG_RECLAIM_PENDING), 1, "deferred: one reclaim pending");
    t.expect_eq(h.read32(SGPU_REG_FRAMES_USED), used0 - d.res[1],
                "deferred: frames on the dirty list before the next command");
    t.expect_eq(h.read32(qreg + SGPU_QREG_QSTATE), 0, "deferred: queue slot released");
    uint32_t ign = h.read32(SGPU_REG_DB_IGNORED);
    h.write32(qreg + SGPU_QREG_QDB, 9);
    t.expect_eq(h.read32(SGPU_REG_DB_IGNORED), ign + 1, "deferred: doorbell ignored and counted");
    wait_until(h, [&] { return h.read32(SGPU_REG_RECLAIM_SEQ) != seq0; }, "the reclaim event");
    t.expect_eq(h.read32(SGPU_REG_RECLAIM_SEQ), seq0 + 1, "deferred: reclaim event");
    t.expect_eq(h.read32(SGPU_REG_RECLAIM_HANDLE), hd, "deferred: event names the handle");
    t.expect_eq(h.read32(SGPU_REG_RECLAIM_FRAMES), d.res[1], "deferred: event frames");
    t.expect_eq(h.read32(SGPU_REG_FRAMES_DIRTY), 0, "deferred: all clean at the event");
    t.expect(h.read32(SGPU_REG_RECLAIM_CYCLES) > d.res[0], "deferred: event after completion");
    t.expect(h.read32(SGPU_REG_RECLAIM_SCRUB) >= 1, "deferred: the event's scrub phase recorded");
    t.expect(h.read32(SGPU_REG_RECLAIM_FREE) >= 1 && h.read32(SGPU_REG_RECLAIM_RELEASE) >= 1,
             "deferred: the event's free and release phases (the background reclaimer's)");
    t.expect_eq(h.read32(SGPU_REG_RECLAIM_PENDING), 0, "deferred: nothing pending");
    t.expect_eq(admin(h, SGPU_OP_QUERY, hd).status, SGPU_STATUS_INVALID_HANDLE,
                "deferred: handle dead after the event");
  }
  std::printf("  deferred teardown: %u cycles at %u page, %u cycles at %u pages\n", defer_cycles[0],
              sizes[0], defer_cycles[1], sizes[1]);
  t.expect_eq(defer_cycles[1], defer_cycles[0], "deferred cycles independent of pages");

  // A command rung while the reclaimer runs (right after a deferred completion) is held until
  // the reclaimer is done, not dropped.
  {
    wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "all frames clean");
    Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
    admin(h, SGPU_OP_MAP, c.res[0], 0, 2);
    const uint32_t seq = h.read32(SGPU_REG_CPL_SEQ), dropped = h.read32(SGPU_REG_ADMIN_DROPPED);
    h.write32(SGPU_REG_CMD_ARG0, c.res[0]);
    h.write32(SGPU_REG_CMD_OP, SGPU_OP_DESTROY_PROCESS | (SGPU_POLICY_DEFERRED << SGPU_CMD_OP_POLICY_LSB));
    h.write32(SGPU_REG_ADMIN_DOORBELL, 1);
    // the destroy is taken; stage the next command (a device QUERY) while it runs
    h.write32(SGPU_REG_CMD_ARG0, 0xFFFFFFFFu);
    h.write32(SGPU_REG_CMD_OP, SGPU_OP_QUERY);
    wait_until(h, [&] { return h.read32(SGPU_REG_CPL_SEQ) != seq; }, "the deferred completion",
               100000);
    h.write32(SGPU_REG_ADMIN_DOORBELL, 1);   // lands while the reclaimer releases the frames
    wait_until(h, [&] { return h.read32(SGPU_REG_CPL_SEQ) != seq + 1; }, "the held command",
               100000);
    t.expect_eq(h.read32(SGPU_REG_ADMIN_DROPPED), dropped, "held command: not dropped");
    t.expect_eq(h.read32(SGPU_REG_CPL_STATUS), SGPU_STATUS_SUCCESS, "held command: completed");
    t.expect_eq(h.read32(SGPU_REG_CPL_RES2), h.read32(SGPU_REG_FRAMES_USED),
                "held command: ran after the reclaimer (used frames already released)");
  }

  // Memory pressure while a reclaim runs: a MAP that needs more than the clean frames waits
  // for the scrubber instead of failing.
  {
    Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
    const uint32_t avail = h.read32(SGPU_REG_FRAMES_CLEAN) + h.read32(SGPU_REG_FRAMES_DIRTY);
    admin(h, SGPU_OP_MAP, c.res[0], 0, avail - 3);
    admin(h, SGPU_OP_DESTROY_PROCESS, c.res[0], 0, 0, SGPU_POLICY_DEFERRED);
    Completion n = admin(h, SGPU_OP_CREATE_PROCESS);
    t.expect(h.read32(SGPU_REG_FRAMES_DIRTY) > 0, "pressure: frames still dirty");
    Completion m = admin(h, SGPU_OP_MAP, n.res[0], 0, avail / 2);
    t.expect_eq(m.status, SGPU_STATUS_SUCCESS, "pressure: map waits for the scrubber");
  }
  // ---------------------------------------------------------------- a stuck engine
  // Work that never finishes: the teardown waits DRAIN_TIMEOUT cycles, then aborts the work
  // (counted), and completes; the admin path does not hang.
  {
    wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_DIRTY) == 0; }, "all frames clean");
    Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
    Completion q = admin(h, SGPU_OP_CREATE_QUEUE, c.res[0], 0x40, 3);
    const uint32_t qreg = SGPU_QUEUE_BASE + q.res[0] * SGPU_QUEUE_STRIDE;
    const uint32_t timeout = 200;
    h.write32(SGPU_REG_DRAIN_TIMEOUT, timeout);
    t.expect_eq(h.read32(SGPU_REG_DRAIN_TIMEOUT), timeout, "DRAIN_TIMEOUT is writable");
    h.set_engine_hold(3);
    h.write32(qreg + SGPU_QREG_QDB, 1);       // runs, and holds
    h.step(8);
    h.write32(qreg + SGPU_QREG_QDB, 2);       // queued behind it
    h.step(8);
    Completion d = admin(h, SGPU_OP_DESTROY_PROCESS, c.res[0], 0, 0, SGPU_POLICY_EAGER, 100000);
    h.set_engine_hold(0);
    t.expect_eq(d.status, SGPU_STATUS_SUCCESS, "stuck engine: the destroy completes");
    t.expect_eq(d.res[4], 2, "stuck engine: the queued item (at STOP) and the running one "
                             "(at ABORT) counted in work_aborted");
    const uint32_t sd = h.read32(SGPU_REG_TD_STOP_DRAIN);
    std::printf("  stuck engine: destroy in %u cycles, stop+drain+abort %u (timeout %u)\n",
                d.res[0], sd, timeout);
    t.expect(sd > timeout && sd < timeout + 64, "stuck engine: the drain phase ends at the timeout");
    t.expect_eq(admin(h, SGPU_OP_QUERY, c.res[0]).status, SGPU_STATUS_INVALID_HANDLE,
                "stuck engine: the process is gone");
    h.write32(SGPU_REG_DRAIN_TIMEOUT, 4096);
  }

  // ---------------------------------------------------------------- engines writing
  // Engines write fence words into the rings of live processes while those processes unmap
  // the ring pages and are destroyed (both policies). The ownership checker in sgpu_sim_top
  // stops the simulation on any access to a frame the engine's process no longer owns; here
  // the count must stay 0 while many items ran.
  {
    h.set_engine_writes(true);
    TbRng rng(7);
    const uint32_t v0 = h.owner_violations(), done1 = h.engine_items_done();
    uint32_t fences = 0;
    for (int round = 0; round < 24; round++) {
      wait_until(h, [&] { return h.read32(SGPU_REG_FRAMES_CLEAN) >= 8; }, "clean frames");
      Completion c = admin(h, SGPU_OP_CREATE_PROCESS);
      if (c.status != SGPU_STATUS_SUCCESS) continue;
      const uint32_t hp = c.res[0];
      admin(h, SGPU_OP_MAP, hp, 0, 2);                       // the ring lives in page 0
      Completion q = admin(h, SGPU_OP_CREATE_QUEUE, hp, 0, 2);
      const uint32_t qreg = SGPU_QUEUE_BASE + q.res[0] * SGPU_QUEUE_STRIDE;
      for (uint32_t w = 1; w <= 3; w++) h.write32(qreg + SGPU_QREG_QDB, w);
      h.step(rng.below(40));
      const uint32_t what = rng.below(3);
      if (what == 0) admin(h, SGPU_OP_UNMAP, hp, 0, 1);      // the ring page goes first
      h.step(rng.below(40));
      Completion f = read_word(h, hp, 16);                 // entry 1: the first fence
      if (f.status == SGPU_STATUS_SUCCESS && (f.res[0] >> 24) >= 0xE0) fences++;
      admin(h, SGPU_OP_DESTROY_PROCESS, hp, 0, 0,
            what == 2 ? SGPU_POLICY_DEFERRED : SGPU_POLICY_EAGER, 100000);
    }
    h.step(2000);
    h.set_engine_writes(false);
    std::printf("  engines writing: %u work items ran, %u fences seen, %u ownership violations\n",
                h.engine_items_done() - done1, fences, h.owner_violations() - v0);
    t.expect(h.engine_items_done() - done1 >= 24, "engines ran work items");
    t.expect(fences > 0, "engines' fence writes landed in the rings");
    t.expect_eq(h.owner_violations() - v0, 0, "no engine access to a frame its process lost");
  }
  return t.finish("tb_teardown");
}
