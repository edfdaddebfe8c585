/* model_sync.c - see model_sync.h. */
#include "model_sync.h"

#include <stdarg.h>
#include <stdio.h>

#include "sgpu_regs.h"

static void failf(msync *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(msync *m, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  m->fail(m->fail_ctx, msg);
}

uint32_t msync_reg(msync *m, uint32_t addr) {
  uint32_t v = 0;
  sgpu_status st = sgpu_reg_read(m->dev, addr, &v);
  if (st != SGPU_STATUS_SUCCESS)
    failf(m, "register read 0x%03X failed: %s (%s)", addr, sgpu_status_str(st),
          sgpu_last_error(m->dev));
  return v;
}

void msync_init(msync *m, sgpu_device *dev, sgpu_ref *ref, void (*fail)(void *, const char *),
                void *fail_ctx) {
  *m = (msync){.dev = dev, .ref = ref, .procs = ref_get_params(ref)->procs, .fail = fail,
               .fail_ctx = fail_ctx};
  m->rseq_base = msync_reg(m, SGPU_REG_RECLAIM_SEQ);
}

uint32_t msync_model_rseq(const msync *m) { return ref_reg_read(m->ref, SGPU_REG_RECLAIM_SEQ); }
uint32_t msync_model_pending(const msync *m) { return ref_reclaim_pending(m->ref); }
uint32_t msync_dev_rseq(msync *m) { return msync_reg(m, SGPU_REG_RECLAIM_SEQ) - m->rseq_base; }

void msync_reclaim_to(msync *m, uint32_t n, const char *where) {
  uint32_t cur = msync_model_rseq(m), total = cur + msync_model_pending(m);
  if ((int32_t)(n - cur) < 0)
    failf(m,
          "%s: device RECLAIM_SEQ %u is behind the model's %u (the model scrubs only on "
          "demand, so the device can never be behind it)",
          where, n, cur);
  if ((int32_t)(n - total) > 0)
    failf(m, "%s: device RECLAIM_SEQ %u, but only %u DEFERRED destroys so far", where, n, total);
  ref_reclaim_upto(m->ref, n);
}

uint32_t msync_sync(msync *m, const char *where) {
  uint32_t d = msync_dev_rseq(m);
  msync_reclaim_to(m, d, where);
  return d;
}

int msync_pending_index(const msync *m, uint32_t h) {
  for (uint32_t i = 0; i < msync_model_pending(m); i++)
    if (ref_pending_handle(m->ref, i) == h) return (int)i;
  return -1;
}

/* The CREATE_PROCESS outcome if the first j pending reclaims were posted: status and slot. */
static uint32_t predict_create(const msync *m, uint32_t j, uint32_t *slot) {
  for (uint32_t s = 0; s < m->procs; s++) {
    bool is_free = ref_proc_state(m->ref, s) == SGPU_PROC_STATE_FREE;
    for (uint32_t i = 0; i < j && !is_free; i++)
      is_free = SGPU_HANDLE_SLOT(ref_pending_handle(m->ref, i)) == s;
    if (!is_free) continue;
    *slot = s;
    uint32_t free = ref_reg_read(m->ref, SGPU_REG_FRAMES_CLEAN) +
                    ref_reg_read(m->ref, SGPU_REG_FRAMES_DIRTY);
    return free ? SGPU_STATUS_SUCCESS : SGPU_STATUS_NO_MEMORY;
  }
  *slot = 0;
  return SGPU_STATUS_INSUFFICIENT_RESOURCES;
}

uint32_t msync_exec(msync *m, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                    uint32_t res[6], uint32_t dev_st, const uint32_t dev_res[6]) {
  uint32_t pend = msync_model_pending(m), cur = msync_model_rseq(m);
  if (pend == 0) return ref_exec(m->ref, opcode, policy, args, res);
  bool dq = opcode == SGPU_OP_QUERY && args[0] == SGPU_DEVICE_QUERY;
  bool names = opcode >= SGPU_OP_DESTROY_PROCESS && opcode <= SGPU_OP_MEM_WRITE && !dq;
  if (names) {
    int i = msync_pending_index(m, args[0]);
    if (i >= 0) {
      uint32_t s1 = msync_dev_rseq(m), e = cur + (uint32_t)i + 1;
      snprintf(m->window, sizeof m->window,
               "handle 0x%08X is pending reclaim event %u; device RECLAIM_SEQ %u before, %u "
               "after the command",
               args[0], e, cur, s1);
      if (dev_st != SGPU_STATUS_PROCESS_IS_TERMINATING && (int32_t)(s1 - e) >= 0) {
        msync_reclaim_to(m, e, "window");
        m->windows_resolved++;
      }
    }
  } else if (opcode == SGPU_OP_CREATE_PROCESS) {
    uint32_t s1 = msync_dev_rseq(m), slot, want = SGPU_HANDLE_SLOT(dev_res[0]);
    snprintf(m->window, sizeof m->window,
             "%u reclaim(s) pending; device RECLAIM_SEQ %u before, %u after the command", pend,
             cur, s1);
    for (uint32_t j = 0; j <= pend && (int32_t)(s1 - (cur + j)) >= 0; j++) {
      uint32_t st = predict_create(m, j, &slot);
      if (st == dev_st && (st != SGPU_STATUS_SUCCESS || slot == want)) {
        if (j) {
          msync_reclaim_to(m, cur + j, "window");
          m->windows_resolved++;
        }
        break;
      }
    }
  } else if (dq && dev_st == SGPU_STATUS_SUCCESS) {
    /* live processes counts DYING slots: a reclaim inside the window lowers it */
    uint32_t s1 = msync_dev_rseq(m), r[6];
    ref_exec(m->ref, opcode, policy, args, r); /* no state change */
    snprintf(m->window, sizeof m->window,
             "device QUERY; device RECLAIM_SEQ %u before, %u after the command", cur, s1);
    if (dev_res[3] < r[3] && r[3] - dev_res[3] <= s1 - cur) {
      msync_reclaim_to(m, cur + (r[3] - dev_res[3]), "window");
      m->windows_resolved++;
    }
  }
  return ref_exec(m->ref, opcode, policy, args, res);
}
