/* reclaim.c - reclaim events of DEFERRED destroys: which event is whose, and waiting for it.
 *
 * The device counts reclaim events in RECLAIM_SEQ and keeps only the last one's details
 * (RECLAIM_HANDLE/CYCLES/FRAMES, TD_SCRUB). Events come in the order of the DEFERRED
 * destroys and RECLAIM_PENDING counts the destroys whose event has not come, so right after
 * a DEFERRED completion the process's own event is number RECLAIM_SEQ + RECLAIM_PENDING (it
 * is counted in PENDING until its event, and every destroy before it comes first). Both are
 * read between two reads of RECLAIM_SEQ, retried if an event slipped in between.
 *
 * libsgpu keeps one record per process slot (a slot cannot be deferred-destroyed again
 * before its event: it is DYING until then), settles records whenever it reads RECLAIM_SEQ,
 * and copies the event registers into the record whose number RECLAIM_SEQ shows, checking
 * that RECLAIM_SEQ did not move while they were read.
 */
#include <string.h>

#include "sgpu_internal.h"

/* seq has reached target (wrapping). */
static bool reached(uint32_t seq, uint32_t target) { return (int32_t)(seq - target) >= 0; }

bool sgpui_reclaim_pending(const sgpu_device *dev) {
  for (uint32_t i = 0; i < dev->info.num_procs; i++)
    if (dev->reclaims[i].valid && !dev->reclaims[i].done) return true;
  return false;
}

sgpu_status sgpui_reclaim_poll(sgpu_device *dev, uint32_t *seq_out) {
  uint32_t seq;
  sgpu_status st = sgpui_rd(dev, SGPU_REG_RECLAIM_SEQ, &seq);
  if (st != SGPU_STATUS_SUCCESS) return st;
  if (seq_out) *seq_out = seq;
  for (uint32_t i = 0; i < dev->info.num_procs; i++) {
    sgpui_reclaim *r = &dev->reclaims[i];
    if (!r->valid || r->done || !reached(seq, r->target)) continue;
    r->done = true;
    if (seq != r->target) continue; /* overtaken by later events: details lost */
    uint32_t h, cyc, frames, scrub, fr, rel, seq2;
    if ((st = sgpui_rd(dev, SGPU_REG_RECLAIM_HANDLE, &h)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_CYCLES, &cyc)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_FRAMES, &frames)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_TD_SCRUB, &scrub)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_TD_FREE, &fr)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_TD_RELEASE, &rel)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_SEQ, &seq2)) != SGPU_STATUS_SUCCESS) {
      r->done = false; /* try again at the next poll */
      return st;
    }
    if (seq2 != seq || h != r->info.handle) continue; /* moved on while read, or not ours */
    r->info.cycles = cyc;
    r->info.frames = frames;
    r->info.scrub_cycles = scrub;
    r->info.free_cycles = fr;
    r->info.release_cycles = rel;
    r->info.exact = 1;
  }
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpui_reclaim_note(sgpu_device *dev, sgpu_process proc, uint32_t frames) {
  uint32_t slot = proc & 0xFFFFu, s1, s2, pending;
  sgpu_status st;
  if (slot >= dev->info.num_procs) return SGPU_STATUS_SUCCESS; /* the device accepted it?! */
  for (unsigned tries = 0;; tries++) {
    if ((st = sgpui_rd(dev, SGPU_REG_RECLAIM_SEQ, &s1)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_PENDING, &pending)) != SGPU_STATUS_SUCCESS ||
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_SEQ, &s2)) != SGPU_STATUS_SUCCESS)
      return st;
    if (s1 == s2) break;
    if (tries >= 1000)
      return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                        "destroy_process(0x%08x) deferred: RECLAIM_SEQ kept moving (0x%08x -> "
                        "0x%08x) while RECLAIM_PENDING was read",
                        proc, s1, s2);
  }
  sgpui_reclaim *r = &dev->reclaims[slot];
  memset(r, 0, sizeof *r);
  r->valid = true;
  r->target = s1 + pending;
  r->info.handle = proc;
  r->info.seq = r->target;
  r->info.frames = frames;
  /* Settle it (and older ones) at once if its event has already come. */
  return sgpui_reclaim_poll(dev, NULL);
}

sgpu_status sgpu_wait_reclaim(sgpu_device *dev, sgpu_process proc, uint64_t timeout_cycles,
                              sgpu_reclaim_info *info) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = SGPU_STATUS_SUCCESS;
  uint32_t slot = proc & 0xFFFFu, seq = 0;
  sgpui_reclaim *r = slot < dev->info.num_procs ? &dev->reclaims[slot] : NULL;
  if (!r || !r->valid || r->info.handle != proc) {
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                    "wait_reclaim(0x%08x): this process was not destroyed with the DEFERRED "
                    "policy through this device",
                    proc);
    goto out;
  }
  uint64_t start, now;
  if ((st = sgpui_now(dev, &start)) != SGPU_STATUS_SUCCESS) goto out;
  for (uint32_t polls = 0; !r->done; polls++) {
    if ((st = sgpui_reclaim_poll(dev, &seq)) != SGPU_STATUS_SUCCESS) goto out;
    if (r->done) break;
    if ((st = sgpui_now(dev, &now)) != SGPU_STATUS_SUCCESS) goto out;
    if (now - start >= timeout_cycles || polls >= dev->poll_limit) {
      st = sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT,
                      "wait_reclaim(0x%08x): no reclaim event after %llu cycles (RECLAIM_SEQ "
                      "0x%08x, waiting for 0x%08x; limit %llu cycles, %u polls)",
                      proc, (unsigned long long)(now - start), seq, r->target,
                      (unsigned long long)timeout_cycles, polls);
      goto out;
    }
    if (dev->tp->step) {
      /* Short steps while other events are due, so each is seen while it is the last one
       * (the device keeps only the last event's details). */
      uint64_t s = sgpui_poll_step(polls), left = timeout_cycles - (now - start);
      uint32_t due = 0;
      for (uint32_t i = 0; i < dev->info.num_procs; i++)
        due += dev->reclaims[i].valid && !dev->reclaims[i].done;
      if (due > 1 && s > 64) s = 64;
      dev->tp->step(dev->tp_ctx, s < left ? s : left);
    } else {
      sgpui_poll_pause(dev, polls);
    }
  }
  if (info) *info = r->info;
out:
  pthread_mutex_unlock(&dev->lock);
  return st;
}
