/* process.c - process lifecycle: CREATE_PROCESS, DESTROY_PROCESS (the device policies with
 * their per-phase cycles, and the host-driven baseline), QUERY. Reclaim events of DEFERRED
 * destroys: reclaim.c. */
#include <stdio.h>
#include <string.h>

#include "sgpu_internal.h"

sgpu_status sgpu_create_process(sgpu_device *dev, sgpu_process *proc) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  uint32_t res[6];
  sgpui_proc_book *fresh = NULL;
  sgpu_status st = proc ? sgpui_book_reserve(dev, &fresh)
                        : sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                     "create_process: the handle out pointer is NULL");
  if (st == SGPU_STATUS_SUCCESS) st = sgpui_admin(dev, SGPU_OP_CREATE_PROCESS, 0, NULL, res);
  if (st == SGPU_STATUS_SUCCESS) {
    sgpui_book_add(dev, fresh, res[0]); /* known to this device: host-destroyable */
    *proc = res[0];
  } else {
    sgpui_book_unreserve(fresh);
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}

static void add_sat(uint32_t *acc, uint32_t v) { *acc = v > UINT32_MAX - *acc ? UINT32_MAX : *acc + v; }

/* The six TD_* phase counts, VALIDATE .. COMPLETE, into the result. */
static void set_phases(sgpu_destroy_result *r, const uint32_t v[6]) {
  r->validate_cycles = v[0];
  r->stop_drain_cycles = v[1];
  r->tlb_cycles = v[2];
  r->free_cycles = v[3];
  r->release_cycles = v[4];
  r->complete_cycles = v[5];
  r->phases_read = 1;
}

/* The TD_* phase registers of the DESTROY_PROCESS that just completed, one batch (when they
 * did not come with the command: register-batch transports). On a failure the phase fields
 * stay 0 and phases_read 0; the status is returned. Lock held. */
static sgpu_status read_phases(sgpu_device *dev, sgpu_destroy_result *r) {
  sgpui_reg_op b[6] = {{SGPU_REG_TD_VALIDATE, 0, 0}, {SGPU_REG_TD_STOP_DRAIN, 0, 0},
                       {SGPU_REG_TD_TLB, 0, 0},      {SGPU_REG_TD_FREE, 0, 0},
                       {SGPU_REG_TD_RELEASE, 0, 0},  {SGPU_REG_TD_COMPLETE, 0, 0}};
  sgpu_status st = sgpui_batch(dev, b, 6);
  if (st != SGPU_STATUS_SUCCESS) return st;
  uint32_t v[6];
  for (int i = 0; i < 6; i++) v[i] = b[i].value;
  set_phases(r, v);
  return SGPU_STATUS_SUCCESS;
}

/* After the device destroyed the process: the phases, and the note of a DEFERRED destroy's
 * reclaim event. Neither failure undoes the destroy: the caller gets STATUS_SUCCESS,
 * phases_read says whether the phases are there, sgpu_last_error says what failed. The note
 * comes first, so a DEFERRED destroy is always recorded for sgpu_wait_reclaim. have_phases:
 * the phases came with the command (a native admin transport: phases[]); else they are read
 * here, one batch. */
static void after_destroy(sgpu_device *dev, sgpu_process proc, sgpu_policy policy,
                          sgpu_destroy_result *r, bool have_phases, const uint32_t *phases) {
  char note_err[SGPUI_ERR_LEN] = "";
  if (policy == SGPU_POLICY_DEFERRED &&
      sgpui_reclaim_note(dev, proc, r->frames_freed) != SGPU_STATUS_SUCCESS)
    snprintf(note_err, sizeof note_err, "%s", dev->last_error);
  if (have_phases) {
    set_phases(r, phases);
    if (note_err[0]) snprintf(dev->last_error, sizeof dev->last_error, "%s", note_err);
  } else if (read_phases(dev, r) != SGPU_STATUS_SUCCESS) {
    char why[SGPUI_ERR_LEN];
    snprintf(why, sizeof why, "%s", dev->last_error);
    sgpui_fail(dev, SGPU_STATUS_SUCCESS,
               "destroy_process(0x%08x) succeeded, but its phase registers could not be read "
               "(phase fields 0, phases_read 0): %s",
               proc, why);
  } else if (note_err[0]) {
    snprintf(dev->last_error, sizeof dev->last_error, "%s", note_err);
  }
  /* For DEFERRED the free and release phases belong to the background reclaimer: 0 here
   * (sgpu_wait_reclaim reports them). */
  if (policy == SGPU_POLICY_DEFERRED) r->free_cycles = r->release_cycles = 0;
}

/* The host-driven baseline: what a software driver does over the bus, one command per page
 * and per queue, then destroy the empty process. Counts are summed over the commands; the
 * time is the device's cycle counter around the whole sequence. Lock held. */
static sgpu_status destroy_host(sgpu_device *dev, sgpu_process proc, sgpu_destroy_result *r) {
  uint32_t res[6];
  uint64_t t0, t1;
  sgpui_proc_book *b = sgpui_book_find(dev, proc);
  if (!b)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "destroy_process(0x%08x) policy host: this process was not created "
                      "through this sgpu_device, so libsgpu does not know its pages and "
                      "queues; nothing sent (use the eager or deferred policy)",
                      proc);
  sgpu_status st = sgpui_cycles(dev, &t0);
  if (st != SGPU_STATUS_SUCCESS) return st;
  uint32_t shift = dev->info.page_shift;
  /* Pages from the last range backwards, each range from its start: every UNMAP shrinks the
   * book in O(1), so a failure leaves it exact. */
  while (b->nranges) {
    sgpui_range *rg = &b->ranges[b->nranges - 1];
    uint32_t args[3] = {proc, rg->first_vpn << shift, 1};
    if ((st = sgpui_admin(dev, SGPU_OP_UNMAP, 0, args, res)) != SGPU_STATUS_SUCCESS) return st;
    add_sat(&r->frames_freed, res[0] + res[1]);
    add_sat(&r->pt_pages_freed, res[1]);
    rg->first_vpn++;
    if (--rg->pages == 0) b->nranges--;
  }
  while (b->nqueues) {
    uint32_t args[2] = {proc, b->queues[b->nqueues - 1]};
    if ((st = sgpui_admin(dev, SGPU_OP_DESTROY_QUEUE, 0, args, res)) != SGPU_STATUS_SUCCESS)
      return st;
    b->nqueues--;
    add_sat(&r->queues_freed, 1);
  }
  uint32_t args[1] = {proc}, phases[6];
  bool have_phases;
  if ((st = sgpui_admin_ex(dev, SGPU_OP_DESTROY_PROCESS, SGPU_POLICY_EAGER, args, res, phases,
                           &have_phases)) != SGPU_STATUS_SUCCESS)
    return st;
  add_sat(&r->frames_freed, res[1]);
  add_sat(&r->pt_pages_freed, res[2]);
  add_sat(&r->queues_freed, res[3]);
  add_sat(&r->work_aborted, res[4]);
  add_sat(&r->doorbells_ignored, res[5]);
  /* The process is destroyed now: a clock or phase read that fails does not undo that. */
  if (sgpui_cycles(dev, &t1) == SGPU_STATUS_SUCCESS)
    r->cycles = t1 - t0 > UINT32_MAX ? UINT32_MAX : (uint32_t)(t1 - t0);
  else
    r->cycles = UINT32_MAX;
  /* After the clock is read: the phases of the final (eager) DESTROY_PROCESS. */
  after_destroy(dev, proc, SGPU_POLICY_EAGER, r, have_phases, phases);
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpu_destroy_process(sgpu_device *dev, sgpu_process proc, sgpu_policy policy,
                                 sgpu_destroy_result *res) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  sgpu_destroy_result r;
  memset(&r, 0, sizeof r);
  uint32_t w[6];
  sgpu_status st;
  pthread_mutex_lock(&dev->lock);
  if (policy == SGPU_POLICY_HOST) {
    st = destroy_host(dev, proc, &r);
  } else if (policy == SGPU_POLICY_DEFAULT || policy == SGPU_POLICY_EAGER ||
             policy == SGPU_POLICY_DEFERRED) {
    uint32_t args[1] = {proc}, phases[6];
    bool have_phases;
    st = sgpui_admin_ex(dev, SGPU_OP_DESTROY_PROCESS, policy, args, w, phases, &have_phases);
    if (st == SGPU_STATUS_SUCCESS) {
      r.cycles = w[0];
      r.frames_freed = w[1];
      r.pt_pages_freed = w[2];
      r.queues_freed = w[3];
      r.work_aborted = w[4];
      r.doorbells_ignored = w[5];
      /* The process is gone for the host whatever the reads below say: drop its pages
       * (DEFERRED included: it is unreachable, the device frees them). Phases after the
       * completion (not part of its cycles). */
      sgpui_book_drop_proc(dev, proc);
      after_destroy(dev, proc, policy, &r, have_phases, phases);
    }
  } else {
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                    "destroy_process(0x%08x): unknown policy %u (default %u, eager %u, deferred "
                    "%u, host %u)",
                    proc, policy, SGPU_POLICY_DEFAULT, SGPU_POLICY_EAGER, SGPU_POLICY_DEFERRED,
                    SGPU_POLICY_HOST);
  }
  /* Gone from the device either way: destroyed now, or the handle is no longer valid.
   * (STATUS_PROCESS_IS_TERMINATING: an earlier DEFERRED destroy already dropped it.) */
  if (st == SGPU_STATUS_SUCCESS || st == SGPU_STATUS_INVALID_HANDLE)
    sgpui_book_drop_proc(dev, proc);
  if (st == SGPU_STATUS_SUCCESS && res) *res = r;
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_query_process(sgpu_device *dev, sgpu_process proc, sgpu_process_info *info) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  uint32_t w[6], args[1] = {proc};
  sgpu_status st;
  if (!info)
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER, "query_process: info pointer is NULL");
  else if (proc == SGPU_DEVICE_QUERY)
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                    "query_process: handle 0x%08x means the device; use sgpu_query_device",
                    proc);
  else
    st = sgpui_admin(dev, SGPU_OP_QUERY, 0, args, w);
  if (st == SGPU_STATUS_SUCCESS) {
    info->state = w[0];
    info->asid = w[1];
    info->data_frames = w[2];
    info->pt_pages = w[3];
    info->queues = w[4];
    info->doorbells_ignored = w[5];
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_query_device(sgpu_device *dev, sgpu_device_info *info) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  uint32_t w[6], args[1] = {SGPU_DEVICE_QUERY};
  sgpu_status st = info ? sgpui_admin(dev, SGPU_OP_QUERY, 0, args, w)
                        : sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                     "query_device: info pointer is NULL");
  if (st == SGPU_STATUS_SUCCESS) {
    info->frames_clean = w[0];
    info->frames_dirty = w[1];
    info->frames_used = w[2];
    info->live_processes = w[3];
    info->live_queues = w[4];
    info->doorbells_ignored = w[5];
    /* RECLAIM_PENDING and RECLAIM_SEQ in one batch; the records settle from that seq. */
    sgpui_reg_op b[2] = {{SGPU_REG_RECLAIM_PENDING, 0, 0}, {SGPU_REG_RECLAIM_SEQ, 0, 0}};
    if ((st = sgpui_batch(dev, b, 2)) == SGPU_STATUS_SUCCESS) {
      info->reclaim_pending = b[0].value;
      info->reclaim_seq = b[1].value;
      st = sgpui_reclaim_settle(dev, b[1].value);
    }
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}
