/* sim_child.h - sgpu-sim as a child process of a test (test_serial.c, test_usb.c): started
 * with a pipe on its stdout, its first line ("sgpu-sim: listening on URI") read within a
 * timeout, stopped with SIGTERM and reaped. Header-only (static functions). */
#ifndef SIM_CHILD_H
#define SIM_CHILD_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  pid_t pid;
  int out; /* its stdout */
  char uri[512];
} sim_child;

/* Start SIM with argv args (NULL-terminated, after the binary); env_strip: remove these
 * variables from the child's environment (e.g. LD_PRELOAD). The URI it prints in c->uri.
 * false with a message on stderr. */
static bool sim_child_start(sim_child *c, const char *sim, const char *const *args,
                            const char *env_strip, int timeout_ms) {
  memset(c, 0, sizeof *c);
  int fds[2];
  if (pipe(fds) != 0) return false;
  const char *argv[32];
  size_t k = 0;
  argv[k++] = sim;
  for (size_t i = 0; args[i] && k < 31; i++) argv[k++] = args[i];
  argv[k] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (env_strip) unsetenv(env_strip);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(sim, (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", sim, strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  c->pid = pid;
  c->out = fds[0];
  char line[480];
  size_t n = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    if (spent >= timeout_ms || n + 1 >= sizeof line) break;
    struct pollfd p = {c->out, POLLIN, 0};
    int r = poll(&p, 1, (int)(timeout_ms - spent));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t got = read(c->out, line + n, 1); /* byte by byte: only the first line is ours */
    if (got <= 0) break;
    if (line[n] == '\n') {
      line[n] = '\0';
      const char *pre = "sgpu-sim: listening on ";
      if (strncmp(line, pre, strlen(pre))) break;
      snprintf(c->uri, sizeof c->uri, "%s", line + strlen(pre));
      return true;
    }
    n++;
  }
  line[n] = '\0';
  fprintf(stderr, "sgpu-sim did not say where it listens (first output: '%s')\n", line);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(c->out);
  c->pid = 0;
  return false;
}

/* SIGTERM (SIGKILL after timeout_ms), reap; its exit status or -1. */
static int sim_child_stop(sim_child *c, int timeout_ms) {
  if (!c->pid) return -1;
  kill(c->pid, SIGTERM);
  int status = -1;
  for (int waited = 0;; waited += 5) {
    pid_t r = waitpid(c->pid, &status, WNOHANG);
    if (r == c->pid) break;
    if (waited >= timeout_ms) {
      kill(c->pid, SIGKILL);
      waitpid(c->pid, &status, 0);
      break;
    }
    /* draining its stdout keeps it from blocking on a full pipe while it exits */
    char buf[4096];
    struct pollfd p = {c->out, POLLIN, 0};
    if (poll(&p, 1, 5) > 0 && read(c->out, buf, sizeof buf) <= 0) {
      struct timespec ts = {0, 5000000};
      nanosleep(&ts, NULL);
    }
  }
  close(c->out);
  c->pid = 0;
  return status;
}

#endif /* SIM_CHILD_H */
