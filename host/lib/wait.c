/* wait.c - the one wait/poll routine every wait of libsgpu goes through: the admin
 * completion, the BUSY wait of a mailbox resync, sgpu_wait_clean and sgpu_wait_reclaim.
 *
 * The caller's condition reads what it needs (one batch, ideally) and keeps the values; the
 * routine decides how long to let the device run between polls and when to give up, and on
 * a timeout builds the message from the values the condition read last, so a timeout never
 * reports a stale count.
 */
#include <stdio.h>
#include <time.h>

#include "sgpu_internal.h"

/* Step the model by 1 cycle between the first polls (so latency is measured to within a
 * cycle or two), then by a step that grows with the wait (about 1/8 of the polls made, at
 * most 1024 cycles), keeping long waits cheap in calls. */
uint64_t sgpui_poll_step(uint32_t polls) {
  if (polls < 64) return 1;
  uint64_t s = polls / 8;
  return s > 1024 ? 1024 : s;
}

sgpu_status sgpui_wait_for(sgpu_device *dev, sgpui_wait *w) {
  bool timed = w->timeout_cycles != SGPUI_WAIT_POLLS_ONLY, done = false;
  uint64_t start = 0, now = 0;
  sgpu_status st;
  w->polls = 0;
  w->waited = 0;
  if (timed && (st = sgpui_now(dev, &start)) != SGPU_STATUS_SUCCESS) return st;
  for (uint32_t polls = 0;; polls++) {
    w->polls = polls;
    w->step_cap = 0;
    if ((st = w->cond(dev, w, &done)) != SGPU_STATUS_SUCCESS) return st;
    if (timed) {
      if ((st = sgpui_now(dev, &now)) != SGPU_STATUS_SUCCESS) return st;
      w->waited = now - start;
    }
    if (done) return SGPU_STATUS_SUCCESS;
    if ((timed && w->waited >= w->timeout_cycles) || polls >= dev->poll_limit) {
      char state[256] = "";
      w->describe(w, state, sizeof state);
      if (timed)
        return sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT,
                          "%s: %s after %llu cycles (limit %llu cycles, %u polls)", w->what,
                          state, (unsigned long long)w->waited,
                          (unsigned long long)w->timeout_cycles, polls);
      return sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT, "%s: %s after %u polls", w->what, state,
                        polls);
    }
    if (sgpui_has(dev, SGPUI_CAP_STEP)) {
      uint64_t s = sgpui_poll_step(polls);
      if (w->step_cap && s > w->step_cap) s = w->step_cap;
      if (timed && s > w->timeout_cycles - w->waited) s = w->timeout_cycles - w->waited;
      dev->tp->step(dev->tp_ctx, s);
    } else if (polls >= 64) {
      struct timespec ts = {0, 10000}; /* 10 us: real hardware runs on its own */
      nanosleep(&ts, NULL);
    }
  }
}
