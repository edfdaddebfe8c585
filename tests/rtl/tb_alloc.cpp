// tb_alloc.cpp - unit bench of sgpu_frame_alloc (NumFrames=32, NumOwners=4); tb_allocnz.cpp
// runs it on an allocator whose memory does not start zeroed (MemZeroed=0).
//
// Drives the command and scrubber ports directly and checks them against a C++ model of the
// frame sets: no frame handed out twice, none lost, dirty frames never handed out, an
// ALLOC that finds only dirty frames waits, RELEASE frees a whole owner list in one cycle,
// FREE unlinks heads, tails and middles correctly, and the operations take the cycles the
// header promises (ALLOC 2, FREE 3, RELEASE 1). A seeded random phase ends it.
#include <algorithm>
#include <set>
#include <vector>

#include "Vsgpu_frame_alloc.h"
#include "verilated.h"
#include "tb_util.h"

#ifndef TB_ALLOC_NOT_ZEROED
#define TB_ALLOC_NOT_ZEROED 0
#endif
static const char *const kName = TB_ALLOC_NOT_ZEROED ? "tb_allocnz" : "tb_alloc";

static const uint32_t kFrames = 32, kOwners = 4;
enum { OpAlloc = 0, OpFree = 1, OpRelease = 2 };

struct Bench : TbBlock<Vsgpu_frame_alloc> {
  Bench() {
    reset([](Vsgpu_frame_alloc &t) {
      t.op_valid_i = 0;
      t.pop_req_i = 0;
      t.push_req_i = 0;
    });
  }
  // Run one command; returns cycles taken (done seen). Fails after limit cycles.
  int cmd(int op, uint32_t owner, uint32_t frame, uint32_t *out_frame, bool *nomem,
          uint32_t *count, int limit = 16) {
    top.op_valid_i = 1;
    top.op_i = op;
    top.op_owner_i = owner;
    top.op_frame_i = frame;
    for (int c = 1; c <= limit; c++) {
      top.eval();
      if (top.op_done_o) {
        if (out_frame) *out_frame = top.rsp_frame_o;
        if (nomem) *nomem = top.rsp_nomem_o;
        if (count) *count = top.rsp_count_o;
        tick();
        top.op_valid_i = 0;
        top.eval();
        return c;
      }
      tick();
    }
    top.op_valid_i = 0;
    return -1;
  }
  // The scrubber's pop: held until acked (the dirty list's successor pointer is read first,
  // so a pop from the list takes two cycles; a never-used frame one). False if no ack.
  bool pop(uint32_t *f) {
    top.pop_req_i = 1;
    bool ok = false;
    for (int c = 0; c < 3 && !ok; c++) {
      top.eval();
      ok = top.pop_ack_o;
      if (ok) *f = top.pop_frame_o;
      tick();
    }
    top.pop_req_i = 0;
    top.eval();
    return ok;
  }
  bool push(uint32_t f) {
    top.push_req_i = 1;
    top.push_frame_i = f;
    top.eval();
    bool ok = top.push_ack_o;
    tick();
    top.push_req_i = 0;
    top.eval();
    return ok;
  }
};

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (std::string(argv[i]) == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], 0, 0);
  TbCheck t;
  Bench b;
  std::vector<std::vector<uint32_t>> owned(kOwners);
  std::set<uint32_t> clean, dirty, held;
  for (uint32_t f = 0; f < kFrames; f++) (TB_ALLOC_NOT_ZEROED ? dirty : clean).insert(f);
  auto check_counts = [&](const char *when) {
    std::string w(when);
    t.expect_eq(b.top.clean_cnt_o, clean.size(), ("clean count " + w).c_str());
    t.expect_eq(b.top.dirty_cnt_o, dirty.size() + held.size(), ("dirty count " + w).c_str());
    size_t used = 0;
    for (auto &o : owned) used += o.size();
    t.expect_eq(b.top.used_cnt_o, used, ("used count " + w).c_str());
  };

  // 0. (MemZeroed=0) Every frame starts dirty: ALLOC waits (never nomem), and the scrubber
  // gets the never-used frames first, in order; each comes back clean.
  if (TB_ALLOC_NOT_ZEROED) {
    check_counts("at reset");
    t.expect(b.cmd(OpAlloc, 0, 0, nullptr, nullptr, nullptr, 8) == -1,
             "alloc waits for the first scrub (memory not zeroed)");
    for (uint32_t i = 0; i < kFrames; i++) {
      uint32_t pf = 0;
      t.expect(b.pop(&pf), "scrubber pops a never-used frame");
      t.expect_eq(pf, i, "never-used frames go to the scrubber in order");
      dirty.erase(pf);
      t.expect(b.push(pf), "and back clean");
      clean.insert(pf);
    }
    check_counts("after the first scrub");
  }

  // 1. Hand out every frame: all distinct, one cycle each; then nomem at once.
  for (uint32_t i = 0; i < kFrames; i++) {
    uint32_t f = 0;
    bool nomem = true;
    int c = b.cmd(OpAlloc, i % kOwners, 0, &f, &nomem, nullptr);
    t.expect(c == 2 && !nomem, "alloc takes two cycles");
    t.expect(clean.count(f) == 1, "alloc returns a clean, unused frame");
    clean.erase(f);
    owned[i % kOwners].push_back(f);
  }
  bool nomem = false;
  t.expect(b.cmd(OpAlloc, 0, 0, nullptr, &nomem, nullptr) == 1 && nomem, "nomem when nothing is free");
  check_counts("after filling");

  // 2. FREE the head, a middle and the tail of owner 1's list: each goes dirty.
  auto &o1 = owned[1];
  uint32_t picks[3] = {o1.front(), o1[o1.size() / 2], o1.back()};
  for (uint32_t f : picks) {
    t.expect(b.cmd(OpFree, 1, f, nullptr, nullptr, nullptr) == 3, "free takes three cycles");
    o1.erase(std::find(o1.begin(), o1.end(), f));
    dirty.insert(f);
  }
  check_counts("after frees");

  // 3. ALLOC with only dirty frames left waits; the scrubber's push ends the wait.
  t.expect(b.cmd(OpAlloc, 2, 0, nullptr, nullptr, nullptr, 8) == -1, "alloc waits for the scrubber");
  uint32_t pf = 0;
  t.expect(b.pop(&pf), "scrubber pops a dirty frame");
  t.expect_eq(pf, picks[0], "dirty FIFO order");
  dirty.erase(pf);
  held.insert(pf);
  check_counts("while scrubbing");
  t.expect(b.push(pf), "scrubber pushes it back clean");
  held.erase(pf);
  clean.insert(pf);
  uint32_t got = 99;
  t.expect(b.cmd(OpAlloc, 2, 0, &got, &nomem, nullptr) == 2 && !nomem, "alloc after scrub");
  t.expect_eq(got, pf, "the scrubbed frame is handed out");
  clean.erase(got);
  owned[2].push_back(got);

  // 4. RELEASE: a whole list in one cycle, whatever its length.
  uint32_t cnt = 0;
  size_t n3 = owned[3].size();
  t.expect(b.cmd(OpRelease, 3, 0, nullptr, nullptr, &cnt) == 1, "release takes one cycle");
  t.expect_eq(cnt, n3, "release count");
  for (uint32_t f : owned[3]) dirty.insert(f);
  owned[3].clear();
  check_counts("after release");
  // The FIFO hands them to the scrubber in order: the earlier frees first, then owner 3's list.
  std::vector<uint32_t> popped;
  uint32_t f;
  while (b.pop(&f)) {
    popped.push_back(f);
    t.expect(dirty.count(f) == 1, "popped frame was dirty");
    dirty.erase(f);
    t.expect(b.push(f), "push");
    clean.insert(f);
  }
  t.expect_eq(popped.size(), 2 + n3, "every dirty frame scrubbed once");
  check_counts("after scrubbing all");

  // 5. Random operations against the model.
  TbRng rng(seed);
  std::printf("%s: random phase, seed %llu (replay: %s --seed %llu)\n", kName,
              (unsigned long long)seed, kName, (unsigned long long)seed);
  for (int step = 0; step < 20000; step++) {
    uint32_t o = rng.below(kOwners);
    switch (rng.below(6)) {
      case 0:
      case 1: {
        bool nm = false;
        uint32_t fr = 0;
        if (!clean.empty()) {
          t.expect(b.cmd(OpAlloc, o, 0, &fr, &nm, nullptr) == 2 && !nm, "random alloc");
          t.expect(clean.count(fr) == 1, "random alloc clean");
          clean.erase(fr);
          owned[o].push_back(fr);
        } else if (dirty.empty() && held.empty()) {
          t.expect(b.cmd(OpAlloc, o, 0, nullptr, &nm, nullptr) == 1 && nm, "random nomem");
        }
        break;
      }
      case 2:
        if (!owned[o].empty()) {
          size_t k = rng.below(owned[o].size());
          uint32_t fr = owned[o][k];
          t.expect(b.cmd(OpFree, o, fr, nullptr, nullptr, nullptr) == 3, "random free");
          owned[o].erase(owned[o].begin() + k);
          dirty.insert(fr);
        }
        break;
      case 3: {
        uint32_t c = 0;
        b.cmd(OpRelease, o, 0, nullptr, nullptr, &c);
        t.expect_eq(c, owned[o].size(), "random release count");
        for (uint32_t fr : owned[o]) dirty.insert(fr);
        owned[o].clear();
        break;
      }
      case 4:
        if (held.empty() && !dirty.empty()) {
          uint32_t fr = 0;
          t.expect(b.pop(&fr) && dirty.count(fr) == 1, "random pop");
          dirty.erase(fr);
          held.insert(fr);
        }
        break;
      default:
        if (!held.empty()) {
          uint32_t fr = *held.begin();
          t.expect(b.push(fr), "random push");
          held.erase(fr);
          clean.insert(fr);
        }
        break;
    }
    check_counts("random");
    if (t.failed) {
      std::printf("first failure at step %d (seed %llu)\n", step, (unsigned long long)seed);
      break;
    }
  }
  b.top.final();
  return t.finish(kName);
}
