/* sim_shm.h - sgpu-sim's shared-memory mode (`sgpu-sim --shm NAME`): the loaded model's
 * register bus served as a BAR in /dev/shm/sgpu-NAME for libsgpu's shm: transport. The
 * object's layout and its request protocol are host/lib/shm_bar.h (docs/host.md, "The shm:
 * transport").
 */
#ifndef SGPU_SIM_SHM_H
#define SGPU_SIM_SHM_H

#include <stdbool.h>
#include <stdint.h>

#include "sgpu_internal.h"

typedef struct {
  const char *name;          /* NAME: 1..SHM_BAR_NAME_MAX of [A-Za-z0-9._-] */
  const sgpui_transport *tp; /* the model, opened by the caller with libsgpu's sim transport */
  void *dev;
  uint32_t clock_hz; /* free-running device clock while requests come (0: accesses only) */
  uint32_t idle_ms;  /* ... paused after this long without a request */
  bool once;         /* exit when the first client leaves */
} sim_shm_cfg;

/* Create the object (replacing a stale one whose server is gone; refusing one whose server
 * lives), print "sgpu-sim: listening on shm:NAME" as the first stdout line, serve requests
 * until SIGINT/SIGTERM (or, with once, the first client's leaving), then mark the object
 * stopped, unlink it and print the summary. Returns the exit status (0, or 1 with a message
 * on stderr). Installs its own SIGINT/SIGTERM handlers. */
int sim_shm_serve(const sim_shm_cfg *cfg);

/* Whether NAME is a valid shm: name (the host's transport checks the same). */
bool sim_shm_name_ok(const char *name);

#endif /* SGPU_SIM_SHM_H */
