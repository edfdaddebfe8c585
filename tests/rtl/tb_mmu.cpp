// tb_mmu.cpp - unit bench of the MMU (sgpu_mmu: two translate ports over the TLB and the
// walker, reading page tables from a memory with random stalls and latency).
//
// Builds two-level page tables through a backdoor memory port and checks: walks return the
// mapped frame, faults on missing root and leaf entries, a repeated lookup hits the TLB (no
// memory read), invalidate-by-ASID removes exactly that ASID's entries (another ASID still
// hits; the invalidated one walks again and sees the new table contents), invalidate of one
// (asid, vpn) removes only it, an invalidation during a walk makes the walk start over rather
// than fill a translation read before it, an invalidation is not acknowledged while a port
// still holds a translation of that ASID (until it retires it), a disabled ASID faults until
// its root is written again, and the ports are served in turn.
#include "Vsgpu_mmu_tb_top.h"
#include "verilated.h"
#include "tb_util.h"

static const uint32_t kShift = 8, kLvl = kShift - 2, kEntries = 1u << kLvl;

struct Bench : TbBlock<Vsgpu_mmu_tb_top> {
  Bench() {
    reset([](Vsgpu_mmu_tb_top &t) {
      t.bd_valid_i = 0;
      t.root_we_i = 0;
      t.p0_valid_i = 0;
      t.p1_valid_i = 0;
      t.p0_retire_i = 0;
      t.p1_retire_i = 0;
      t.inv_valid_i = 0;
      t.inv_disable_i = 0;
    });
  }
  void poke(uint32_t frame, uint32_t idx, uint32_t v) {
    top.bd_valid_i = 1;
    top.bd_addr_i = (frame << kLvl) | idx;
    top.bd_wdata_i = v;
    top.eval();
    for (int i = 0; i < 1000 && !top.bd_ready_o; i++) {
      tick();
      top.eval();
    }
    tick();
    top.bd_valid_i = 0;
  }
  void root(uint32_t asid, uint32_t frame) {
    top.root_we_i = 1;
    top.root_asid_i = asid;
    top.root_frame_i = frame;
    tick();
    top.root_we_i = 0;
  }
  static uint32_t pte(uint32_t frame, uint32_t count = 0) {
    return (count << SGPU_PTE_COUNT_LSB) | (frame << SGPU_PTE_FRAME_LSB) | (1u << SGPU_PTE_VALID_BIT);
  }
  struct Tr {
    bool fault = true;
    uint32_t frame = 0, reads = 0, cycles = 0;
    bool answered = false;
  };
  // Translate on port 0 and retire at once; optionally fire an invalidation of inv_asid
  // `inv_at` cycles after the request.
  Tr translate(uint32_t asid, uint32_t vpn, int inv_at = -1, uint32_t inv_asid = 0) {
    uint32_t r0 = top.walk_reads_o;
    top.p0_valid_i = 1;
    top.p0_asid_i = asid;
    top.p0_vpn_i = vpn;
    top.eval();
    for (int i = 0; i < 1000 && !top.p0_ready_o; i++) {
      tick();
      top.eval();
    }
    tick();
    top.p0_valid_i = 0;
    Tr t;
    bool inv_fired = false;
    for (int c = 0; c < 1000; c++, t.cycles++) {
      top.inv_valid_i = (c >= inv_at && inv_at >= 0 && !inv_fired);
      top.inv_by_asid_i = 1;
      top.inv_asid_i = inv_asid;
      top.eval();
      if (top.inv_done_o) inv_fired = true;
      if (top.p0_rsp_valid_o) {
        t.fault = top.rsp_fault_o;
        t.frame = top.rsp_frame_o;
        t.answered = true;
        top.p0_retire_i = 1;
        tick();
        top.p0_retire_i = 0;
        break;
      }
      tick();
    }
    if (inv_at >= 0) {  // let a racing invalidation finish (the port retired)
      top.inv_valid_i = !inv_fired;
      top.eval();
      for (int i = 0; i < 1000 && top.inv_valid_i && !top.inv_done_o; i++) {
        tick();
        top.eval();
      }
      if (top.inv_valid_i) tick();
      top.inv_valid_i = 0;
      tick();
    }
    t.reads = top.walk_reads_o - r0;
    return t;
  }
  // Hold the invalidation until done; returns the cycles it took (or -1 after max cycles).
  int invalidate(bool by_asid, uint32_t asid, uint32_t vpn, bool disable = false, int max = 1000) {
    top.inv_valid_i = 1;
    top.inv_by_asid_i = by_asid;
    top.inv_disable_i = disable;
    top.inv_asid_i = asid;
    top.inv_vpn_i = vpn;
    top.eval();
    int c = 0;
    while (!top.inv_done_o) {
      if (c++ >= max) return -1;
      tick();
      top.eval();
    }
    tick();
    top.inv_valid_i = 0;
    top.inv_disable_i = 0;
    return c;
  }
};

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  TbCheck t;
  Bench b;
  // ASID 1: root frame 1, leaf table frame 2 for l1 = 0, data frames 10, 11 at vpn 0, 1.
  // ASID 2: root frame 3, leaf table frame 4 for l1 = 5, data frame 20 at vpn (5 << kLvl) | 7.
  b.poke(1, 0, Bench::pte(2, 2));
  b.poke(2, 0, Bench::pte(10));
  b.poke(2, 1, Bench::pte(11));
  b.poke(3, 5, Bench::pte(4, 1));
  const uint32_t vpn2 = (5u << kLvl) | 7;
  b.poke(4, 7, Bench::pte(20));
  b.root(1, 1);
  b.root(2, 3);

  Bench::Tr r = b.translate(1, 0);
  t.expect(!r.fault && r.frame == 10 && r.reads == 2, "walk vpn 0 -> frame 10 with two reads");
  r = b.translate(1, 0);
  t.expect(!r.fault && r.frame == 10 && r.reads == 0, "second lookup hits the TLB");
  r = b.translate(1, 1);
  t.expect(!r.fault && r.frame == 11, "walk vpn 1 -> frame 11");
  r = b.translate(1, 2);
  t.expect(r.fault && r.reads == 2, "missing leaf entry faults");
  r = b.translate(1, 3u << kLvl);
  t.expect(r.fault && r.reads == 1, "missing root entry faults after one read");
  r = b.translate(2, vpn2);
  t.expect(!r.fault && r.frame == 20, "ASID 2 walk");
  r = b.translate(2, 0);
  t.expect(r.fault && r.reads > 0, "ASID 2 does not hit ASID 1's entry (its own table has none)");

  // Remap ASID 1's vpn 0 in memory; the stale TLB entry still answers until invalidated.
  b.poke(2, 0, Bench::pte(12));
  r = b.translate(1, 0);
  t.expect(r.frame == 10 && r.reads == 0, "stale entry before invalidation (TLB semantics)");
  b.invalidate(true, 1, 0);
  r = b.translate(1, 0);
  t.expect(!r.fault && r.frame == 12 && r.reads == 2, "after invalidate-by-ASID: walks, new frame");
  r = b.translate(2, vpn2);
  t.expect(!r.fault && r.frame == 20 && r.reads == 0, "other ASID's entry untouched");

  // Invalidate one (asid, vpn).
  b.translate(1, 1);
  b.invalidate(false, 1, 0);
  r = b.translate(1, 1);
  t.expect(r.reads == 0, "single invalidation leaves the neighbour");
  r = b.translate(1, 0);
  t.expect(r.reads == 2, "single invalidation removed its page");

  // Invalidation racing a walk: the walk restarts and returns the table's new contents.
  b.invalidate(true, 1, 0);
  b.poke(2, 1, Bench::pte(13));
  r = b.translate(1, 1, /*inv_at=*/2, /*inv_asid=*/1);
  t.expect(!r.fault && r.frame == 13 && r.reads >= 3, "walk restarted after a racing invalidation");
  // An invalidation of another ASID does not restart the walk.
  b.invalidate(true, 2, 0);
  r = b.translate(2, vpn2, 2, 1);
  t.expect(!r.fault && r.frame == 20 && r.reads == 2, "other ASID's invalidation does not restart");

  // Fill more entries than the TLB has: still correct translations (replacement).
  for (uint32_t v = 0; v < kEntries && v < 8; v++) b.poke(2, v, Bench::pte(30 + v));
  b.invalidate(true, 1, 0);
  for (int round = 0; round < 2; round++)
    for (uint32_t v = 0; v < 8; v++) {
      r = b.translate(1, v);
      t.expect(!r.fault && r.frame == 30 + v, "translation under replacement");
    }
  // A port that holds a translation of ASID 1 (port 1: answered, not retired) holds back
  // the acknowledgement of an invalidation of ASID 1 until it retires it; an invalidation of
  // ASID 2 is not held back by it.
  b.invalidate(true, 1, 0);
  b.top.p1_valid_i = 1;
  b.top.p1_asid_i = 1;
  b.top.p1_vpn_i = 1;
  b.top.eval();
  for (int i = 0; i < 1000 && !b.top.p1_ready_o; i++) { b.tick(); b.top.eval(); }
  b.tick();
  b.top.p1_valid_i = 0;
  b.top.eval();
  for (int i = 0; i < 1000 && !b.top.p1_rsp_valid_o; i++) { b.tick(); b.top.eval(); }
  t.expect(b.top.p1_rsp_valid_o && !b.top.rsp_fault_o, "port 1 got a translation of ASID 1");
  b.tick();
  t.expect(b.invalidate(true, 2, 0) >= 0, "an invalidation of ASID 2 is not held by port 1");
  t.expect(b.invalidate(true, 1, 0, false, 50) == -1,
           "invalidation of ASID 1 not acknowledged while port 1 holds its translation");
  b.top.p1_retire_i = 1;   // still requesting the invalidation: retire now
  b.top.eval();
  bool done_now = b.top.inv_done_o;
  b.tick();
  b.top.p1_retire_i = 0;
  b.top.eval();
  t.expect(done_now || b.top.inv_done_o, "acknowledged as soon as port 1 retires");
  b.tick();
  b.top.inv_valid_i = 0;
  b.tick();

  // The teardown's invalidation disables the ASID: its requests fault without a walk until
  // its root is written again (the next CREATE_PROCESS of the slot).
  t.expect(b.invalidate(true, 2, 0, /*disable=*/true) >= 0, "disabling invalidation done");
  r = b.translate(2, vpn2);
  t.expect(r.fault && r.reads == 0, "disabled ASID faults without a walk");
  b.root(2, 3);
  r = b.translate(2, vpn2);
  t.expect(!r.fault && r.frame == 20, "root written again: ASID 2 translates");

  // Both ports asking at once are both answered (round robin).
  b.invalidate(true, 1, 0);
  b.top.p0_valid_i = 1; b.top.p0_asid_i = 1; b.top.p0_vpn_i = 1;
  b.top.p1_valid_i = 1; b.top.p1_asid_i = 2; b.top.p1_vpn_i = vpn2;
  bool got0 = false, got1 = false;
  for (int c = 0; c < 2000 && !(got0 && got1); c++) {
    b.top.eval();
    const bool take0 = b.top.p0_valid_i && b.top.p0_ready_o;
    const bool take1 = b.top.p1_valid_i && b.top.p1_ready_o;
    b.top.p0_retire_i = b.top.p0_rsp_valid_o;
    b.top.p1_retire_i = b.top.p1_rsp_valid_o;
    if (b.top.p0_rsp_valid_o) got0 = !b.top.rsp_fault_o && b.top.rsp_frame_o == 30 + 1;
    if (b.top.p1_rsp_valid_o) got1 = !b.top.rsp_fault_o && b.top.rsp_frame_o == 20;
    b.tick();
    if (take0) b.top.p0_valid_i = 0;   // the request went at this edge
    if (take1) b.top.p1_valid_i = 0;
  }
  b.top.p0_retire_i = b.top.p1_retire_i = 0;
  t.expect(got0 && got1, "two ports at once: both answered with their own translations");

  b.top.final();
  return t.finish("tb_mmu");
}
