/* sim_child.c - sgpu-sim as a child process of a test (sim_child.h). */
#define _XOPEN_SOURCE 700
#include "sim_child.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool sim_child_line(sim_child *s, char *line, size_t cap, int timeout_ms) {
  uint64_t end = now_ms() + (uint64_t)timeout_ms;
  for (;;) {
    char *nl = memchr(s->buf, '\n', s->n);
    if (nl) {
      size_t len = (size_t)(nl - s->buf);
      snprintf(line, cap, "%.*s", (int)len, s->buf);
      memmove(s->buf, nl + 1, s->n - len - 1);
      s->n -= len + 1;
      return true;
    }
    uint64_t t = now_ms();
    if (s->out < 0 || t >= end || s->n == sizeof s->buf) return false;
    struct pollfd p = {s->out, POLLIN, 0};
    int r = poll(&p, 1, (int)(end - t) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    ssize_t got = read(s->out, s->buf + s->n, sizeof s->buf - s->n);
    if (got <= 0) return false;
    s->n += (size_t)got;
  }
}

bool sim_child_start(sim_child *s, const char *bin, const char *const *args) {
  return sim_child_start_env(s, bin, args, NULL);
}

bool sim_child_start_env(sim_child *s, const char *bin, const char *const *args,
                         const char *env_strip) {
  memset(s, 0, sizeof *s);
  s->out = -1;
  int fds[2];
  if (pipe(fds) != 0) {
    fprintf(stderr, "sim_child: pipe: %s\n", strerror(errno));
    return false;
  }
  const char *argv[40];
  size_t k = 0;
  argv[k++] = bin;
  for (size_t i = 0; args[i] && k < 39; i++) argv[k++] = args[i];
  argv[k] = NULL;
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "sim_child: fork: %s\n", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    if (env_strip) unsetenv(env_strip);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(bin, (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  s->pid = pid;
  s->out = fds[0];
  char line[600];
  const char *pre = "sgpu-sim: listening on ";
  bool ok = sim_child_line(s, line, sizeof line, SIM_CHILD_TIMEOUT_MS);
  if (!ok || strncmp(line, pre, strlen(pre))) {
    fprintf(stderr, "sim_child: %s did not say where it listens (first line: '%s')\n", bin,
            ok ? line : "(none)");
    sim_child_kill(s);
    return false;
  }
  snprintf(s->uri, sizeof s->uri, "%s", line + strlen(pre));
  return true;
}

static int reap(sim_child *s, int timeout_ms) {
  uint64_t end = now_ms() + (uint64_t)timeout_ms;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid) break;
    if (now_ms() >= end) {
      kill(s->pid, SIGKILL);
      waitpid(s->pid, &status, 0);
      s->pid = 0;
      return -1;
    }
    struct timespec ts = {0, 2000000}; /* a child's exit has no line to wait for */
    nanosleep(&ts, NULL);
  }
  s->pid = 0;
  return status;
}

int sim_child_stop(sim_child *s, int sig, const char *want, char *found, size_t cap) {
  if (found && cap) found[0] = '\0';
  if (!s->pid) return -1;
  kill(s->pid, sig);
  char line[1024];
  while (sim_child_line(s, line, sizeof line, SIM_CHILD_TIMEOUT_MS)) {
    printf("      | %s\n", line);
    if (!strncmp(line, "sgpu-sim: exit", 14)) s->exit_seen = true;
    if (want && found && !found[0] && !strncmp(line, want, strlen(want)))
      snprintf(found, cap, "%s", line);
  }
  fflush(stdout);
  if (s->out >= 0) close(s->out);
  s->out = -1;
  return reap(s, SIM_CHILD_TIMEOUT_MS);
}

void sim_child_kill(sim_child *s) {
  if (s->pid) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
  }
  if (s->out >= 0) close(s->out);
  s->out = -1;
}
