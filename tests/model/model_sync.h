/* model_sync.h - following a device's reclaim events with the reference model: the one copy
 * of the synchronisation that the differential test (tests/cosim/difftest.c) and the fuzzer
 * (tests/fuzz/fuzz_admin.c) share.
 *
 * The device posts reclaim events on its own time; the model (sgpu_ref.c) scrubs only when
 * told. So the model is never allowed ahead of the device: before a command, RECLAIM_SEQ is
 * read and the model brought up to it (msync_sync). A command whose outcome depends on a
 * reclaim finishing inside its window (a command naming a DYING handle: TERMINATING or
 * INVALID_HANDLE; CREATE_PROCESS when a DYING slot could become the lowest FREE one; the
 * device QUERY's live processes, which count DYING slots) runs on the device first; then
 * msync_exec reads RECLAIM_SEQ again and runs the model at the event count between the two
 * reads that explains the device's answer (if none does, the model stays where it was and the
 * caller's comparison reports the mismatch, with the window note).
 *
 * Device RECLAIM_SEQ values are counted from the value at msync_init, the model's from 0.
 */
#ifndef MODEL_SYNC_H
#define MODEL_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "sgpu.h"
#include "sgpu_ref.h"

typedef struct {
  sgpu_device *dev;
  sgpu_ref *ref;
  uint32_t procs;
  uint32_t rseq_base;   /* device RECLAIM_SEQ at msync_init */
  char window[200];     /* what the last window looked like, for a mismatch report */
  uint64_t windows_resolved; /* outcomes explained by a reclaim inside the window */
  /* Called on a failed register read or an impossible RECLAIM_SEQ; must not return
   * (the difftest exits, the fuzzer aborts). */
  void (*fail)(void *ctx, const char *msg);
  void *fail_ctx;
} msync;

/* Reads the device's RECLAIM_SEQ as the base; the model must be fresh (no reclaim yet). */
void msync_init(msync *m, sgpu_device *dev, sgpu_ref *ref, void (*fail)(void *, const char *),
                void *fail_ctx);
/* A device register (fail on a transport error). */
uint32_t msync_reg(msync *m, uint32_t addr);
uint32_t msync_model_rseq(const msync *m);
uint32_t msync_model_pending(const msync *m);
/* The device's reclaim events since msync_init. */
uint32_t msync_dev_rseq(msync *m);
/* Post the model's reclaim events up to n (a count the device has reached). */
void msync_reclaim_to(msync *m, uint32_t n, const char *where);
/* Read RECLAIM_SEQ and bring the model up to it; returns it. */
uint32_t msync_sync(msync *m, const char *where);
/* Index of a pending reclaim naming handle h (its event is model RECLAIM_SEQ + i + 1), or -1. */
int msync_pending_index(const msync *m, uint32_t h);
/* Run a command on the model after the device ran it and answered dev_st with the result
 * words dev_res (dev_res[0]: a CREATE_PROCESS's handle; dev_res[3]: a device QUERY's live
 * processes), resolving reclaim events inside the command's window. Returns the model's
 * status; res gets its six result words. */
uint32_t msync_exec(msync *m, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                    uint32_t res[6], uint32_t dev_st, const uint32_t dev_res[6]);

#endif /* MODEL_SYNC_H */
