/* sim_child.h - sgpu-sim as a child process of a test: start it, read the URI from its first
 * stdout line ("sgpu-sim: listening on URI"), read its later lines, stop it with a signal and
 * collect its exit summary. Every wait is bounded (no sleeps to wait for a line).
 *
 * Used by the link campaign (link_campaign.c), the shm: tests (test_shm.c) and the serial: and
 * usb: tests (test_serial.c, test_usb.c). Ownership: a
 * sim_child is caller-allocated; sim_child_start fills it, sim_child_stop / sim_child_kill
 * reap the child and close its pipe.
 */
#ifndef SIM_CHILD_H
#define SIM_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SIM_CHILD_TIMEOUT_MS 30000 /* sgpu-sim under ASan on a busy machine starts well within */

typedef struct {
  pid_t pid; /* 0: not running */
  int out;   /* its stdout, -1 when closed */
  char uri[640];
  char buf[16384];
  size_t n;
  bool exit_seen; /* sim_child_stop saw its exit summary ("sgpu-sim: exit ...") */
} sim_child;

/* Start bin with args (NULL-terminated, after the binary; stderr inherited) and read its
 * first line within SIM_CHILD_TIMEOUT_MS. False with a message on stderr if it did not say
 * where it listens (the child is then killed). */
bool sim_child_start(sim_child *s, const char *bin, const char *const *args);
/* The same with the variable env_strip (if not NULL) removed from the child's environment,
 * e.g. LD_PRELOAD: a simulator started under umockdev-wrapper must not load the preload. */
bool sim_child_start_env(sim_child *s, const char *bin, const char *const *args,
                         const char *env_strip);
/* The next stdout line (without the newline) within timeout_ms; false at EOF or timeout. */
bool sim_child_line(sim_child *s, char *line, size_t cap, int timeout_ms);
/* Send sig, print its remaining lines ("      | ..."), wait for its exit (bounded; killed
 * after). The first line starting with want (if not NULL) is copied to found. Returns the
 * wait status, or -1 if it had to be killed. */
int sim_child_stop(sim_child *s, int sig, const char *want, char *found, size_t cap);
/* SIGKILL and reap, no summary (a simulator that dies). */
void sim_child_kill(sim_child *s);

#endif /* SIM_CHILD_H */
