// tb_mmu.cpp - unit bench of the translate path (sgpu_walker + sgpu_tlb over sgpu_mem).
//
// Builds two-level page tables through a backdoor memory port and checks: walks return the
// mapped frame, faults on missing root and leaf entries, a repeated lookup hits the TLB (no
// memory read), invalidate-by-ASID removes exactly that ASID's entries (another ASID still
// hits; the invalidated one walks again and sees the new table contents), invalidate of one
// (asid, vpn) removes only it, and an invalidation during a walk makes the walk start over
// rather than fill a translation read before it.
#include "Vsgpu_mmu_tb_top.h"
#include "verilated.h"
#include "tb_util.h"

static const uint32_t kShift = 8, kLvl = kShift - 2, kEntries = 1u << kLvl;

struct Bench : TbBlock<Vsgpu_mmu_tb_top> {
  Bench() {
    reset([](Vsgpu_mmu_tb_top &t) {
      t.bd_valid_i = 0;
      t.tr_valid_i = 0;
      t.inv_valid_i = 0;
    });
  }
  void poke(uint32_t frame, uint32_t idx, uint32_t v) {
    top.bd_valid_i = 1;
    top.bd_we_i = 1;
    top.bd_addr_i = (frame << kLvl) | idx;
    top.bd_wdata_i = v;
    tick();
    top.bd_valid_i = 0;
  }
  static uint32_t pte(uint32_t frame, uint32_t count = 0) {
    return (count << SGPU_PTE_COUNT_LSB) | (frame << SGPU_PTE_FRAME_LSB) | (1u << SGPU_PTE_VALID_BIT);
  }
  struct Tr {
    bool fault;
    uint32_t frame, reads, cycles;
  };
  // Translate; optionally fire an invalidation of inv_asid `inv_at` cycles after the request.
  Tr translate(uint32_t asid, uint32_t root, uint32_t vpn, int inv_at = -1, uint32_t inv_asid = 0) {
    uint32_t r0 = top.walk_reads_o;
    top.tr_valid_i = 1;
    top.tr_asid_i = asid;
    top.tr_root_i = root;
    top.tr_vpn_i = vpn;
    top.eval();
    while (!top.tr_ready_o) tick();
    tick();
    top.tr_valid_i = 0;
    Tr t{false, 0, 0, 1};
    for (int c = 0; c < 100; c++, t.cycles++) {
      top.inv_valid_i = (c == inv_at);
      top.inv_by_asid_i = 1;
      top.inv_asid_i = inv_asid;
      top.eval();
      if (top.tr_rsp_valid_o) {
        t.fault = top.tr_rsp_fault_o;
        t.frame = top.tr_rsp_frame_o;
        break;
      }
      tick();
    }
    top.inv_valid_i = 0;
    tick();
    while (top.inv_done_o) tick();
    t.reads = top.walk_reads_o - r0;
    return t;
  }
  void invalidate(bool by_asid, uint32_t asid, uint32_t vpn) {
    top.inv_valid_i = 1;
    top.inv_by_asid_i = by_asid;
    top.inv_asid_i = asid;
    top.inv_vpn_i = vpn;
    top.eval();
    while (!top.inv_done_o) {
      tick();
      top.eval();
    }
    top.inv_valid_i = 0;
    tick();
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

  Bench::Tr r = b.translate(1, 1, 0);
  t.expect(!r.fault && r.frame == 10 && r.reads == 2, "walk vpn 0 -> frame 10 with two reads");
  r = b.translate(1, 1, 0);
  t.expect(!r.fault && r.frame == 10 && r.reads == 0, "second lookup hits the TLB");
  r = b.translate(1, 1, 1);
  t.expect(!r.fault && r.frame == 11, "walk vpn 1 -> frame 11");
  r = b.translate(1, 1, 2);
  t.expect(r.fault && r.reads == 2, "missing leaf entry faults");
  r = b.translate(1, 1, 3u << kLvl);
  t.expect(r.fault && r.reads == 1, "missing root entry faults after one read");
  r = b.translate(2, 3, vpn2);
  t.expect(!r.fault && r.frame == 20, "ASID 2 walk");
  r = b.translate(2, 1, 0);
  t.expect(r.fault || r.reads > 0, "ASID 2 does not hit ASID 1's entry");

  // Remap ASID 1's vpn 0 in memory; the stale TLB entry still answers until invalidated.
  b.poke(2, 0, Bench::pte(12));
  r = b.translate(1, 1, 0);
  t.expect(r.frame == 10 && r.reads == 0, "stale entry before invalidation (TLB semantics)");
  b.invalidate(true, 1, 0);
  r = b.translate(1, 1, 0);
  t.expect(!r.fault && r.frame == 12 && r.reads == 2, "after invalidate-by-ASID: walks, new frame");
  r = b.translate(2, 3, vpn2);
  t.expect(!r.fault && r.frame == 20 && r.reads == 0, "other ASID's entry untouched");

  // Invalidate one (asid, vpn).
  b.translate(1, 1, 1);
  b.invalidate(false, 1, 0);
  r = b.translate(1, 1, 1);
  t.expect(r.reads == 0, "single invalidation leaves the neighbour");
  r = b.translate(1, 1, 0);
  t.expect(r.reads == 2, "single invalidation removed its page");

  // Invalidation racing a walk: the walk restarts and returns the table's new contents.
  b.invalidate(true, 1, 0);
  b.poke(2, 1, Bench::pte(13));
  r = b.translate(1, 1, 1, /*inv_at=*/2, /*inv_asid=*/1);
  t.expect(!r.fault && r.frame == 13 && r.reads >= 3, "walk restarted after a racing invalidation");
  // An invalidation of another ASID does not restart the walk.
  b.invalidate(true, 2, 0);
  r = b.translate(2, 3, vpn2, 2, 1);
  t.expect(!r.fault && r.frame == 20 && r.reads == 2, "other ASID's invalidation does not restart");

  // Fill more entries than the TLB has: still correct translations (replacement).
  for (uint32_t v = 0; v < kEntries && v < 8; v++) b.poke(2, v, Bench::pte(30 + v));
  b.invalidate(true, 1, 0);
  for (int round = 0; round < 2; round++)
    for (uint32_t v = 0; v < 8; v++) {
      r = b.translate(1, 1, v);
      t.expect(!r.fault && r.frame == 30 + v, "translation under replacement");
    }
  b.top.final();
  return t.finish("tb_mmu");
}
