/* reclaim.c - reclaim events of DEFERRED destroys: which event is whose, and waiting for it.
 *
 * The device counts reclaim events in RECLAIM_SEQ and keeps only the last one's details
 * (RECLAIM_HANDLE/CYCLES/FRAMES and its phases RECLAIM_SCRUB/FREE/RELEASE, which belong to
 * the event alone: a later destroy never overwrites them). Events come in the order of the DEFERRED
 * destroys and RECLAIM_PENDING counts the destroys whose event has not come, so right after
 * a DEFERRED completion the process's own event is number RECLAIM_SEQ + RECLAIM_PENDING (it
 * is counted in PENDING until its event, and every destroy before it comes first). Both are
 * read between two reads of RECLAIM_SEQ, retried if an event slipped in between.
 *
 * libsgpu keeps one record per process slot (a slot cannot be deferred-destroyed again
 * before its event: it is DYING until then), settles records whenever it reads RECLAIM_SEQ,
 * and copies the event registers into the record whose number RECLAIM_SEQ shows, checking
 * that RECLAIM_SEQ did not move while they were read. If RECLAIM_SEQ/RECLAIM_PENDING cannot
 * be read right after the destroy, the record is kept without a target and its event is
 * recognised by QUERY of the handle answering INVALID_HANDLE instead of
 * PROCESS_IS_TERMINATING (its slot is FREE); its details then stay inexact (exact 0, seq 0).
 */
#include <stdio.h>
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
  return sgpui_reclaim_settle(dev, seq);
}

sgpu_status sgpui_reclaim_settle(sgpu_device *dev, uint32_t seq) {
  sgpu_status st;
  for (uint32_t i = 0; i < dev->info.num_procs; i++) {
    sgpui_reclaim *r = &dev->reclaims[i];
    if (!r->valid || r->done || !r->target_known || !reached(seq, r->target)) continue;
    r->done = true;
    if (seq != r->target) continue; /* overtaken by later events: details lost */
    /* The last event's registers, then RECLAIM_SEQ again: one batch. */
    sgpui_reg_op b[7] = {{SGPU_REG_RECLAIM_HANDLE, 0, 0}, {SGPU_REG_RECLAIM_CYCLES, 0, 0},
                         {SGPU_REG_RECLAIM_FRAMES, 0, 0}, {SGPU_REG_RECLAIM_SCRUB, 0, 0},
                         {SGPU_REG_RECLAIM_FREE, 0, 0},   {SGPU_REG_RECLAIM_RELEASE, 0, 0},
                         {SGPU_REG_RECLAIM_SEQ, 0, 0}};
    if ((st = sgpui_batch(dev, b, 7)) != SGPU_STATUS_SUCCESS) {
      r->done = false; /* try again at the next poll */
      return st;
    }
    if (b[6].value != seq || b[0].value != r->info.handle) continue; /* moved on, or not ours */
    r->info.cycles = b[1].value;
    r->info.frames = b[2].value;
    r->info.scrub_cycles = b[3].value;
    r->info.free_cycles = b[4].value;
    r->info.release_cycles = b[5].value;
    r->info.exact = 1;
  }
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpui_reclaim_note(sgpu_device *dev, sgpu_process proc, uint32_t frames) {
  uint32_t slot = SGPU_HANDLE_SLOT(proc);
  sgpu_status st;
  if (slot >= dev->info.num_procs) return SGPU_STATUS_SUCCESS; /* the device accepted it?! */
  sgpui_reclaim *r = &dev->reclaims[slot];
  memset(r, 0, sizeof *r);
  r->valid = true; /* recorded whatever the reads below say */
  r->info.handle = proc;
  r->info.frames = frames;
  uint32_t seq_now;
  for (unsigned tries = 0;; tries++) {
    sgpui_reg_op b[3] = {{SGPU_REG_RECLAIM_SEQ, 0, 0}, {SGPU_REG_RECLAIM_PENDING, 0, 0},
                         {SGPU_REG_RECLAIM_SEQ, 0, 0}};
    if ((st = sgpui_batch(dev, b, 3)) != SGPU_STATUS_SUCCESS) return st; /* target unknown */
    if (b[0].value == b[2].value) {
      r->target_known = true;
      r->target = b[0].value + b[1].value;
      r->info.seq = r->target;
      seq_now = b[2].value;
      break;
    }
    if (tries >= 1000)
      return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                        "destroy_process(0x%08x) deferred: RECLAIM_SEQ kept moving (0x%08x -> "
                        "0x%08x) while RECLAIM_PENDING was read",
                        proc, b[0].value, b[2].value);
  }
  /* Settle it (and older ones) at once if its event has already come: RECLAIM_SEQ as the
   * batch just read it. */
  return sgpui_reclaim_settle(dev, seq_now);
}

/* sgpu_wait_reclaim's condition: RECLAIM_SEQ reached the record's target; or, for a record
 * whose target could not be read, QUERY of the handle no longer PROCESS_IS_TERMINATING. */
typedef struct {
  sgpui_reclaim *r;
  uint32_t seq;
  sgpu_status query;
} reclaim_wait;

static sgpu_status reclaim_cond(sgpu_device *dev, sgpui_wait *w, bool *done) {
  reclaim_wait *rw = w->arg;
  sgpui_reclaim *r = rw->r;
  sgpu_status st;
  if (r->target_known) {
    if ((st = sgpui_reclaim_poll(dev, &rw->seq)) != SGPU_STATUS_SUCCESS) return st;
  } else {
    uint32_t args[1] = {r->info.handle}, res[6];
    char keep[SGPUI_ERR_LEN];
    snprintf(keep, sizeof keep, "%s", dev->last_error);
    rw->query = sgpui_admin(dev, SGPU_OP_QUERY, 0, args, res);
    snprintf(dev->last_error, sizeof dev->last_error, "%s", keep);
    if (rw->query == SGPU_STATUS_INVALID_HANDLE) r->done = true; /* slot FREE: its event came */
    else if (rw->query != SGPU_STATUS_PROCESS_IS_TERMINATING)
      return sgpui_fail(dev, rw->query == SGPU_STATUS_SUCCESS ? SGPU_STATUS_IO_DEVICE_ERROR
                                                              : rw->query,
                        "wait_reclaim(0x%08x): QUERY answered %s, expected "
                        "STATUS_PROCESS_IS_TERMINATING or STATUS_INVALID_HANDLE",
                        r->info.handle, sgpu_status_str(rw->query));
  }
  *done = r->done;
  /* Short steps while other events are due, so each is seen while it is the last one (the
   * device keeps only the last event's details). */
  uint32_t due = 0;
  for (uint32_t i = 0; i < dev->info.num_procs; i++)
    due += dev->reclaims[i].valid && !dev->reclaims[i].done;
  if (due > 1) w->step_cap = 64;
  return SGPU_STATUS_SUCCESS;
}

static void reclaim_describe(const sgpui_wait *w, char *buf, size_t len) {
  const reclaim_wait *rw = w->arg;
  if (rw->r->target_known)
    snprintf(buf, len, "no reclaim event (RECLAIM_SEQ 0x%08x, waiting for 0x%08x)", rw->seq,
             rw->r->target);
  else
    snprintf(buf, len, "no reclaim event (QUERY still answers %s)", sgpu_status_str(rw->query));
}

sgpu_status sgpu_wait_reclaim(sgpu_device *dev, sgpu_process proc, uint64_t timeout_cycles,
                              sgpu_reclaim_info *info) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = SGPU_STATUS_SUCCESS;
  uint32_t slot = SGPU_HANDLE_SLOT(proc);
  sgpui_reclaim *r = slot < dev->info.num_procs ? &dev->reclaims[slot] : NULL;
  if (!r || !r->valid || r->info.handle != proc) {
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                    "wait_reclaim(0x%08x): this process was not destroyed with the DEFERRED "
                    "policy through this device",
                    proc);
  } else if (!r->done) {
    char what[48];
    snprintf(what, sizeof what, "wait_reclaim(0x%08x)", proc);
    reclaim_wait rw = {r, 0, SGPU_STATUS_SUCCESS};
    sgpui_wait w = {.what = what, .cond = reclaim_cond, .describe = reclaim_describe,
                    .arg = &rw,
                    .timeout_cycles = timeout_cycles == SGPUI_WAIT_POLLS_ONLY
                                          ? timeout_cycles - 1
                                          : timeout_cycles};
    st = sgpui_wait_for(dev, &w);
  }
  if (st == SGPU_STATUS_SUCCESS && info) *info = r->info;
  pthread_mutex_unlock(&dev->lock);
  return st;
}
