/* two_models.c - several Verilated models in one process, opened and closed in every order
 * (defect 11 of issue 12: two `sim:small` devices closed in reverse order of opening hung in
 * the second sgpu_close).
 *
 * For every multiset of 2 and of 3 models drawn from the URIs given (repetition allowed:
 * the same model object twice or three times, and mixes of different ones), every distinct
 * order of opening them and every order of closing them, a child process opens the devices
 * through libsgpu, runs a command on each, then closes them one at a time in that order and
 * after every close runs a command on each device still open. A command is CREATE_PROCESS
 * then an EAGER DESTROY_PROCESS: the handle must be slot 0 with generation n + 1 after n
 * earlier ones on that device, so the devices must also keep their state apart.
 *
 * The child runs under alarm(): a hang is reported as a failure naming the sequence (and the
 * test goes on), never a hung test; a crash names its signal.
 *
 *   two_models [--timeout SECONDS] URI...      e.g. two_models sim:small sim:/abs/copy.so
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sgpu.h"

#define MAX_URIS 4
#define MAX_K 3

static const char *uris[MAX_URIS];
static unsigned nuris;

/* One device of a sequence: its URI index, and its commands so far (for the generation). */
typedef struct {
  sgpu_device *dev;
  unsigned uri;
  unsigned commands;
} slot;

static int command(slot *s, unsigned pos) {
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(s->dev, &p);
  if (st != SGPU_STATUS_SUCCESS) {
    printf("    device %u (%s): create_process: %s: %s\n", pos, uris[s->uri],
           sgpu_status_str(st), sgpu_last_error(s->dev));
    return 1;
  }
  uint32_t want = (s->commands + 1) << SGPU_HANDLE_GEN_SHIFT;
  if (p != want) {
    printf("    device %u (%s): handle 0x%08X after %u commands, expected 0x%08X\n", pos,
           uris[s->uri], p, s->commands, want);
    return 1;
  }
  st = sgpu_destroy_process(s->dev, p, SGPU_POLICY_EAGER, NULL);
  if (st != SGPU_STATUS_SUCCESS) {
    printf("    device %u (%s): destroy_process: %s: %s\n", pos, uris[s->uri],
           sgpu_status_str(st), sgpu_last_error(s->dev));
    return 1;
  }
  s->commands++;
  return 0;
}

static int use_open(slot *d, unsigned k) {
  for (unsigned i = 0; i < k; i++)
    if (d[i].dev && command(&d[i], i)) return 1;
  return 0;
}

/* The child: open in order, use, close in close order using the rest after every close. */
static int run_sequence(const unsigned *open_uri, const unsigned *close_pos, unsigned k) {
  slot d[MAX_K];
  memset(d, 0, sizeof d);
  for (unsigned i = 0; i < k; i++) {
    char err[512];
    d[i].uri = open_uri[i];
    sgpu_status st = sgpu_open_ex(uris[open_uri[i]], &d[i].dev, err, sizeof err);
    if (st != SGPU_STATUS_SUCCESS) {
      printf("    open %s: %s: %s\n", uris[open_uri[i]], sgpu_status_str(st), err);
      return 1;
    }
  }
  if (use_open(d, k)) return 1;
  for (unsigned c = 0; c < k; c++) {
    sgpu_close(d[close_pos[c]].dev);
    d[close_pos[c]].dev = NULL;
    if (use_open(d, k)) return 1;
  }
  return 0;
}

static void describe(char *buf, size_t len, const unsigned *open_uri, const unsigned *close_pos,
                     unsigned k) {
  size_t n = 0;
  n += (size_t)snprintf(buf + n, len - n, "open");
  for (unsigned i = 0; i < k && n < len; i++)
    n += (size_t)snprintf(buf + n, len - n, " %u:%s", i, uris[open_uri[i]]);
  if (n < len) n += (size_t)snprintf(buf + n, len - n, ", close");
  for (unsigned i = 0; i < k && n < len; i++)
    n += (size_t)snprintf(buf + n, len - n, " %u", close_pos[i]);
}

/* Fork, run the sequence in the child under an alarm, report. Returns 1 on failure. */
static int sequence(const unsigned *open_uri, const unsigned *close_pos, unsigned k,
                    unsigned timeout) {
  char what[512];
  describe(what, sizeof what, open_uri, close_pos, k);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    alarm(timeout);
    int rc = run_sequence(open_uri, close_pos, k);
    fflush(stdout);
    _exit(rc);
  }
  int ws = 0;
  if (waitpid(pid, &ws, 0) != pid) {
    perror("waitpid");
    return 1;
  }
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) return 0;
  if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
    printf("FAIL  %s: hung (no return within %u s)\n", what, timeout);
  else if (WIFSIGNALED(ws))
    printf("FAIL  %s: killed by signal %d (%s)\n", what, WTERMSIG(ws), strsignal(WTERMSIG(ws)));
  else
    printf("FAIL  %s: exit status %d\n", what, WEXITSTATUS(ws));
  return 1;
}

/* Every permutation of 0..k-1 (k <= 3), in lexicographic order. */
static unsigned permutations(unsigned k, unsigned out[6][MAX_K]) {
  unsigned n = 0;
  for (unsigned a = 0; a < k; a++)
    for (unsigned b = 0; b < k; b++)
      for (unsigned c = 0; c < k; c++) {
        unsigned p[3] = {a, b, c};
        bool ok = (k < 2 || a != b) && (k < 3 || (a != c && b != c));
        if (!ok || (k == 2 && c != 0)) continue;
        memcpy(out[n++], p, sizeof(unsigned) * MAX_K);
      }
  return n;
}

int main(int argc, char **argv) {
  unsigned timeout = 20;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
      timeout = (unsigned)strtoul(argv[++i], NULL, 0);
    } else if (argv[i][0] == '-' || nuris == MAX_URIS) {
      fprintf(stderr, "usage: %s [--timeout SECONDS] URI... (1 to %d URIs)\n", argv[0], MAX_URIS);
      return 2;
    } else {
      uris[nuris++] = argv[i];
    }
  }
  if (!nuris || !timeout) {
    fprintf(stderr, "usage: %s [--timeout SECONDS] URI... (1 to %d URIs)\n", argv[0], MAX_URIS);
    return 2;
  }
  unsigned runs = 0, failed = 0;
  for (unsigned k = 2; k <= MAX_K; k++) {
    unsigned perm[6][MAX_K], np = permutations(k, perm);
    /* multisets: nondecreasing tuples of URI indices */
    unsigned m[MAX_K] = {0};
    for (;;) {
      unsigned seen[6][MAX_K], nseen = 0, mruns = 0, mfail = 0;
      for (unsigned o = 0; o < np; o++) {
        unsigned open_uri[MAX_K] = {0};
        for (unsigned i = 0; i < k; i++) open_uri[i] = m[perm[o][i]];
        bool dup = false;
        for (unsigned s = 0; s < nseen && !dup; s++)
          dup = !memcmp(seen[s], open_uri, sizeof(unsigned) * k);
        if (dup) continue;
        memcpy(seen[nseen++], open_uri, sizeof open_uri);
        for (unsigned c = 0; c < np; c++) {
          mruns++;
          mfail += (unsigned)sequence(open_uri, perm[c], k, timeout);
        }
      }
      printf("%u models {", k);
      for (unsigned i = 0; i < k; i++) printf("%s%s", i ? ", " : "", uris[m[i]]);
      printf("}: %u open/close orders, %u failed\n", mruns, mfail);
      runs += mruns;
      failed += mfail;
      /* next nondecreasing tuple */
      int i = (int)k - 1;
      while (i >= 0 && m[i] == nuris - 1) i--;
      if (i < 0) break;
      m[i]++;
      for (unsigned j = (unsigned)i + 1; j < k; j++) m[j] = m[i];
    }
  }
  printf("two_models: %u sequences, %u failed\n", runs, failed);
  return failed ? 1 : 0;
}
