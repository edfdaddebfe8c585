/* sgpu.c - the sgpu command-line tool: one subcommand per libsgpu call, a script runner
 * that drives one opened device through many commands, and a self-test.
 *
 * Exit codes: 0 success, 1 the device (or transport) returned a failure status, 2 usage.
 * Arguments are checked before the device is opened, so a usage error never costs a model
 * start. With --json every command prints one JSON object on stdout, failures included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu.h"

enum { EXIT_OK = 0, EXIT_DEVICE = 1, EXIT_USAGE = 2, EXIT_HELP = -1 };

#define MAX_READ_WORDS (1u << 20)
#define DEFAULT_WAIT_CYCLES 100000000u

typedef struct {
  char name[32];
  uint32_t value;
} var;

typedef struct {
  const char *uri;
  bool json;
  uint32_t poll_limit;
  sgpu_device *dev;
  const char *where;    /* "FILE:LINE" inside a script, else NULL */
  bool in_script;
  bool quiet_failure;   /* under `expect`: the caller judges the status */
  sgpu_status last_st;  /* status of the last device call */
  bool has_result;      /* the command's main result, for `$name = command` */
  uint32_t result;
  /* JSON/text output of the current command */
  bool first_field;
  var *vars;
  size_t nvars;
} cli;

typedef struct {
  uint32_t *v; /* positional numbers */
  size_t n;
  const char *str; /* the positional of a string command (script) */
  sgpu_policy policy;
} args;

typedef struct cmd cmd;
struct cmd {
  const char *name, *synopsis, *summary, *help;
  const char *pos[4]; /* positional names, lower case, for messages */
  int min, max;       /* positional count; max -1: the last name repeats */
  bool opt_policy, string_arg, no_device;
  int (*run)(cli *c, const cmd *k, const args *a);
  int (*check)(cli *c, const cmd *k, const args *a); /* optional, before the device opens */
};

static const cmd commands[];
static const size_t num_commands;

/* ------------------------------------------------------------------ output */

/* Length of the valid UTF-8 sequence at s (1..4), 0 if s does not start one (a stray or
 * missing continuation byte, an overlong form, a surrogate, beyond U+10FFFF). */
static int utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || c > 0xF4 || c == 0xC0 || c == 0xC1) return 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if (n == 3 && c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
  if (n == 3 && c == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
  if (n == 4 && c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
  if (n == 4 && c == 0xF4 && s[1] >= 0x90) return 0; /* beyond U+10FFFF */
  return n;
}

/* A JSON string: quotes, backslashes and control characters escaped, and every byte that is
 * not part of valid UTF-8 replaced by U+FFFD, so the output is always valid JSON. */
static void json_str(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  putchar('"');
  while (*s) {
    unsigned char ch = *s;
    int n = utf8_len(s);
    if (n == 0) {
      fputs("\\ufffd", stdout);
      s++;
      continue;
    }
    if (ch == '"' || ch == '\\')
      printf("\\%c", ch);
    else if (ch == '\n')
      fputs("\\n", stdout);
    else if (ch < 0x20)
      printf("\\u%04x", ch);
    else
      fwrite(s, 1, (size_t)n, stdout);
    s += n;
  }
  putchar('"');
}

static void out_begin(cli *c, const char *command, const char *status) {
  c->first_field = true;
  if (!c->json) return;
  fputs("{\"command\":", stdout);
  json_str(command);
  fputs(",\"status\":", stdout);
  json_str(status);
  c->first_field = false;
}

static void out_key(cli *c, const char *key) {
  if (c->json) {
    fputs(c->first_field ? "{" : ",", stdout);
    json_str(key);
    putchar(':');
  } else {
    printf("%-18s ", key);
  }
  c->first_field = false;
}

static void out_u32(cli *c, const char *key, uint32_t v, bool hex) {
  out_key(c, key);
  if (c->json)
    printf("%u", v);
  else if (hex)
    printf("0x%08x\n", v);
  else
    printf("%u\n", v);
}

static void out_u64(cli *c, const char *key, uint64_t v) {
  out_key(c, key);
  printf(c->json ? "%llu" : "%llu\n", (unsigned long long)v);
}

static void out_str(cli *c, const char *key, const char *s) {
  out_key(c, key);
  if (c->json)
    json_str(s);
  else
    printf("%s\n", s);
}

static void out_end(cli *c) {
  if (c->json) puts(c->first_field ? "{}" : "}");
  fflush(stdout);
}

/* A usage error: message naming the bad value, the command's synopsis; exit code 2. */
static int usage_error(cli *c, const cmd *k, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "sgpu%s%s%s%s: %s\n", c->where ? " " : "", c->where ? c->where : "",
          k ? " " : "", k ? k->name : "", msg);
  if (k)
    fprintf(stderr, "usage: sgpu %s %s   (sgpu %s --help)\n", k->name, k->synopsis, k->name);
  else
    fprintf(stderr, "usage: sgpu [--uri URI] [--json] COMMAND [ARGS]   (sgpu --help)\n");
  if (c->json) {
    out_begin(c, k ? k->name : "", "USAGE");
    out_str(c, "error", msg);
    out_end(c);
  }
  return EXIT_USAGE;
}

/* A failure status from the device or the transport: its name, the library's message. */
static int device_failure(cli *c, const char *command, sgpu_status st, const char *detail) {
  c->last_st = st;
  if (c->quiet_failure) return EXIT_DEVICE;
  fprintf(stderr, "sgpu%s%s %s: %s: %s\n", c->where ? " " : "", c->where ? c->where : "",
          command, sgpu_status_str(st), detail && *detail ? detail : sgpu_status_desc(st));
  if (c->json) {
    char code[16];
    snprintf(code, sizeof code, "0x%08X", st);
    out_begin(c, command, sgpu_status_str(st));
    out_str(c, "code", code);
    out_str(c, "error", detail && *detail ? detail : sgpu_status_desc(st));
    out_end(c);
  }
  return EXIT_DEVICE;
}

/* Check a device call; on failure print it and return its exit code. */
#define CHECK(c, k, call)                                                           \
  do {                                                                              \
    sgpu_status st_ = (call);                                                       \
    (c)->last_st = st_;                                                             \
    if (st_ != SGPU_STATUS_SUCCESS)                                                 \
      return device_failure((c), (k)->name, st_, sgpu_last_error((c)->dev));        \
  } while (0)

static int open_device(cli *c) {
  if (c->dev) return EXIT_OK;
  char err[512];
  sgpu_status st = sgpu_open_ex(c->uri, &c->dev, err, sizeof err);
  if (st != SGPU_STATUS_SUCCESS) {
    bool q = c->quiet_failure;
    c->quiet_failure = false; /* a device that cannot open is never the expected outcome */
    char detail[640];
    snprintf(detail, sizeof detail, "cannot open '%s': %s", c->uri, err);
    int rc = device_failure(c, "open", st, detail);
    c->quiet_failure = q;
    return rc;
  }
  if (c->poll_limit) sgpu_set_poll_limit(c->dev, c->poll_limit);
  return EXIT_OK;
}

/* ------------------------------------------------------------------ parsing */

/* Decimal, or hex after 0x. Returns NULL on success, else why not. */
static const char *parse_u32(const char *s, uint32_t *out) {
  unsigned base = 10;
  const char *p = s;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p) return "not a number";
  uint64_t v = 0;
  for (; *p; p++) {
    unsigned d;
    if (*p >= '0' && *p <= '9')
      d = (unsigned)(*p - '0');
    else if (*p >= 'a' && *p <= 'f')
      d = (unsigned)(*p - 'a' + 10);
    else if (*p >= 'A' && *p <= 'F')
      d = (unsigned)(*p - 'A' + 10);
    else
      return "not a number";
    if (d >= base) return "not a number";
    v = v * base + d;
    if (v > UINT32_MAX) return "out of range (max 0xffffffff)";
  }
  *out = (uint32_t)v;
  return NULL;
}

static const struct {
  const char *name;
  sgpu_policy policy;
} policies[] = {
    {"default", SGPU_POLICY_DEFAULT},
    {"eager", SGPU_POLICY_EAGER},
    {"deferred", SGPU_POLICY_DEFERRED},
    {"host", SGPU_POLICY_HOST},
};

static const char *policy_name(sgpu_policy p) {
  for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
    if (policies[i].policy == p) return policies[i].name;
  return "?";
}

static const char *pos_name(const cmd *k, size_t i) {
  size_t last = 0;
  while (last + 1 < sizeof k->pos / sizeof k->pos[0] && k->pos[last + 1]) last++;
  return k->pos[i <= last ? i : last];
}

static void print_help(const cmd *k) {
  printf("usage: sgpu [--uri URI] [--json] %s %s\n\n%s\n", k->name, k->synopsis, k->summary);
  if (k->help) printf("\n%s", k->help);
}

/* Parse argv (after the command name). Returns EXIT_OK, EXIT_USAGE or EXIT_HELP. */
static int parse_args(cli *c, const cmd *k, int argc, char **argv, args *a) {
  memset(a, 0, sizeof *a);
  a->policy = SGPU_POLICY_DEFAULT;
  a->v = calloc((size_t)argc + 1, sizeof *a->v);
  if (!a->v) return usage_error(c, k, "out of memory for %d arguments", argc);
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      print_help(k);
      return EXIT_HELP;
    }
    if (k->opt_policy && !strncmp(s, "--policy", 8) && (s[8] == '\0' || s[8] == '=')) {
      const char *val = s[8] == '=' ? s + 9 : (i + 1 < argc ? argv[++i] : NULL);
      if (!val) return usage_error(c, k, "--policy needs a value (eager, deferred, host, default)");
      size_t j = 0;
      while (j < sizeof policies / sizeof policies[0] && strcmp(policies[j].name, val)) j++;
      if (j == sizeof policies / sizeof policies[0])
        return usage_error(c, k, "bad policy '%s': expected eager, deferred, host or default",
                           val);
      a->policy = policies[j].policy;
      continue;
    }
    if (s[0] == '-' && s[1] == '-') {
      bool global = !strcmp(s, "--json") || !strncmp(s, "--uri", 5) ||
                    !strncmp(s, "--poll-limit", 12);
      return usage_error(c, k, "unknown option '%s'%s", s,
                         global ? " (global options go before the command)" : "");
    }
    if (k->max >= 0 && a->n >= (size_t)k->max)
      return usage_error(c, k, "unexpected argument '%s' (takes at most %d)", s, k->max);
    if (k->string_arg) {
      a->str = s;
      a->n++;
      continue;
    }
    const char *why = parse_u32(s, &a->v[a->n]);
    if (why) return usage_error(c, k, "bad %s '%s': %s", pos_name(k, a->n), s, why);
    a->n++;
  }
  if (a->n < (size_t)k->min) return usage_error(c, k, "missing %s", pos_name(k, a->n));
  return EXIT_OK;
}

/* ------------------------------------------------------------------ commands */

static int run_info(cli *c, const cmd *k, const args *a) {
  (void)a;
  sgpu_info in;
  CHECK(c, k, sgpu_get_info(c->dev, &in));
  char ver[32];
  snprintf(ver, sizeof ver, "%u.%u", in.version >> 16, in.version & 0xFFFFu);
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_str(c, "uri", c->uri);
  out_u32(c, "magic", in.magic, true);
  out_str(c, "version", ver);
  out_u32(c, "num_procs", in.num_procs, false);
  out_u32(c, "num_queues", in.num_queues, false);
  out_u32(c, "tlb_entries", in.tlb_entries, false);
  out_u32(c, "page_shift", in.page_shift, false);
  out_u32(c, "page_bytes", 1u << in.page_shift, false);
  out_u32(c, "num_frames", in.num_frames, false);
  out_end(c);
  return EXIT_OK;
}

static int run_create_process(cli *c, const cmd *k, const args *a) {
  (void)a;
  sgpu_process p;
  CHECK(c, k, sgpu_create_process(c->dev, &p));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", p, true);
  out_end(c);
  c->has_result = true;
  c->result = p;
  return EXIT_OK;
}

static void out_destroy(cli *c, const cmd *k, sgpu_process p, sgpu_policy pol,
                        const sgpu_destroy_result *r) {
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", p, true);
  out_str(c, "policy", policy_name(pol));
  out_u32(c, "cycles", r->cycles, false);
  out_u32(c, "frames_freed", r->frames_freed, false);
  out_u32(c, "pt_pages_freed", r->pt_pages_freed, false);
  out_u32(c, "queues_freed", r->queues_freed, false);
  out_u32(c, "work_aborted", r->work_aborted, false);
  out_u32(c, "doorbells_ignored", r->doorbells_ignored, false);
  out_u32(c, "validate_cycles", r->validate_cycles, false);
  out_u32(c, "stop_drain_cycles", r->stop_drain_cycles, false);
  out_u32(c, "tlb_cycles", r->tlb_cycles, false);
  out_u32(c, "free_cycles", r->free_cycles, false);
  out_u32(c, "release_cycles", r->release_cycles, false);
  out_u32(c, "complete_cycles", r->complete_cycles, false);
  out_end(c);
}

static int run_destroy_process(cli *c, const cmd *k, const args *a) {
  sgpu_destroy_result r;
  CHECK(c, k, sgpu_destroy_process(c->dev, a->v[0], a->policy, &r));
  out_destroy(c, k, a->v[0], a->policy, &r);
  return EXIT_OK;
}

static int run_map_unmap(cli *c, const cmd *k, const args *a) {
  bool map = !strcmp(k->name, "map");
  CHECK(c, k, (map ? sgpu_map : sgpu_unmap)(c->dev, a->v[0], a->v[1], a->v[2]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "va", a->v[1], true);
  out_u32(c, "pages", a->v[2], false);
  out_end(c);
  return EXIT_OK;
}

static int run_create_queue(cli *c, const cmd *k, const args *a) {
  uint32_t q;
  CHECK(c, k, sgpu_create_queue(c->dev, a->v[0], a->v[1], a->v[2], &q));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "queue", q, false);
  out_end(c);
  c->has_result = true;
  c->result = q;
  return EXIT_OK;
}

static int run_destroy_queue(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_destroy_queue(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "queue", a->v[1], false);
  out_end(c);
  return EXIT_OK;
}

static const char *state_name(uint32_t s) {
  switch (s) {
  case SGPU_PROC_STATE_FREE: return "FREE";
  case SGPU_PROC_STATE_ACTIVE: return "ACTIVE";
  case SGPU_PROC_STATE_DYING: return "DYING";
  default: return "UNKNOWN";
  }
}

static int run_query(cli *c, const cmd *k, const args *a) {
  if (a->n == 0 || a->v[0] == SGPU_DEVICE_QUERY) {
    sgpu_device_info d;
    CHECK(c, k, sgpu_query_device(c->dev, &d));
    out_begin(c, k->name, "STATUS_SUCCESS");
    out_str(c, "target", "device");
    out_u32(c, "frames_clean", d.frames_clean, false);
    out_u32(c, "frames_dirty", d.frames_dirty, false);
    out_u32(c, "frames_used", d.frames_used, false);
    out_u32(c, "live_processes", d.live_processes, false);
    out_u32(c, "live_queues", d.live_queues, false);
    out_u32(c, "doorbells_ignored", d.doorbells_ignored, false);
    out_u32(c, "reclaim_pending", d.reclaim_pending, false);
    out_u32(c, "reclaim_seq", d.reclaim_seq, false);
    out_end(c);
    return EXIT_OK;
  }
  sgpu_process_info p;
  CHECK(c, k, sgpu_query_process(c->dev, a->v[0], &p));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_str(c, "state", state_name(p.state));
  out_u32(c, "asid", p.asid, false);
  out_u32(c, "data_frames", p.data_frames, false);
  out_u32(c, "pt_pages", p.pt_pages, false);
  out_u32(c, "queues", p.queues, false);
  out_u32(c, "doorbells_ignored", p.doorbells_ignored, false);
  out_end(c);
  return EXIT_OK;
}

static int check_read(cli *c, const cmd *k, const args *a) {
  uint32_t n = a->n > 2 ? a->v[2] : 1;
  if (n == 0 || n > MAX_READ_WORDS)
    return usage_error(c, k, "bad words '%u': must be 1..%u", n, MAX_READ_WORDS);
  return EXIT_OK;
}

static int run_read(cli *c, const cmd *k, const args *a) {
  uint32_t n = a->n > 2 ? a->v[2] : 1;
  uint32_t *buf = malloc((size_t)n * 4);
  if (!buf) return usage_error(c, k, "cannot allocate %u words", n);
  sgpu_status st = sgpu_read(c->dev, a->v[0], a->v[1], buf, (size_t)n * 4);
  c->last_st = st;
  if (st != SGPU_STATUS_SUCCESS) {
    free(buf);
    return device_failure(c, k->name, st, sgpu_last_error(c->dev));
  }
  if (c->json) {
    out_begin(c, k->name, "STATUS_SUCCESS");
    out_u32(c, "handle", a->v[0], true);
    out_u32(c, "va", a->v[1], true);
    out_key(c, "words");
    for (uint32_t i = 0; i < n; i++) printf("%s%u", i ? "," : "[", buf[i]);
    putchar(']');
    out_end(c);
  } else {
    for (uint32_t i = 0; i < n; i++) printf("0x%08x 0x%08x\n", a->v[1] + 4 * i, buf[i]);
  }
  c->has_result = true;
  c->result = buf[0];
  free(buf);
  return EXIT_OK;
}

static int run_write(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_write(c->dev, a->v[0], a->v[1], a->v + 2, (a->n - 2) * 4));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "va", a->v[1], true);
  out_u32(c, "words", (uint32_t)(a->n - 2), false);
  out_end(c);
  return EXIT_OK;
}

static int run_wait_clean(cli *c, const cmd *k, const args *a) {
  uint32_t limit = a->n ? a->v[0] : DEFAULT_WAIT_CYCLES;
  uint64_t t0, t1;
  CHECK(c, k, sgpu_read_cycles(c->dev, &t0));
  CHECK(c, k, sgpu_wait_clean(c->dev, limit));
  CHECK(c, k, sgpu_read_cycles(c->dev, &t1));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u64(c, "cycles", t1 - t0);
  out_end(c);
  return EXIT_OK;
}

static int run_wait_reclaim(cli *c, const cmd *k, const args *a) {
  uint32_t limit = a->n > 1 ? a->v[1] : DEFAULT_WAIT_CYCLES;
  uint64_t t0, t1;
  sgpu_reclaim_info ri;
  CHECK(c, k, sgpu_read_cycles(c->dev, &t0));
  CHECK(c, k, sgpu_wait_reclaim(c->dev, a->v[0], limit, &ri));
  CHECK(c, k, sgpu_read_cycles(c->dev, &t1));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", ri.handle, true);
  out_u32(c, "seq", ri.seq, false);
  out_u32(c, "frames", ri.frames, false);
  out_u32(c, "cycles", ri.cycles, false);
  out_u32(c, "scrub_cycles", ri.scrub_cycles, false);
  out_u32(c, "free_cycles", ri.free_cycles, false);
  out_u32(c, "release_cycles", ri.release_cycles, false);
  out_u32(c, "exact", ri.exact, false);
  out_u64(c, "waited_cycles", t1 - t0);
  out_end(c);
  c->has_result = true;
  c->result = ri.cycles;
  return EXIT_OK;
}

static int run_doorbell(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_ring_doorbell(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "queue", a->v[0], false);
  out_u32(c, "wptr", a->v[1], true);
  out_end(c);
  return EXIT_OK;
}

static int run_reg_read(cli *c, const cmd *k, const args *a) {
  uint32_t v;
  CHECK(c, k, sgpu_reg_read(c->dev, a->v[0], &v));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "addr", a->v[0], true);
  out_u32(c, "value", v, true);
  out_end(c);
  c->has_result = true;
  c->result = v;
  return EXIT_OK;
}

static int run_reg_write(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_reg_write(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "addr", a->v[0], true);
  out_u32(c, "value", a->v[1], true);
  out_end(c);
  return EXIT_OK;
}

/* ---- selftest */

typedef struct {
  cli *c;
  unsigned checks, failed;
  char first[256];
} st_ctx;

static bool check(st_ctx *t, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool check(st_ctx *t, bool ok, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  t->checks++;
  if (!ok) {
    if (!t->failed++) snprintf(t->first, sizeof t->first, "%s", msg);
  }
  if (!t->c->json) printf("%s  %s\n", ok ? "PASS" : "FAIL", msg);
  return ok;
}

static bool check_st(st_ctx *t, sgpu_status st, sgpu_status want, const char *what) {
  if (st == want) return check(t, true, "%s: %s", what, sgpu_status_str(st));
  return check(t, false, "%s: %s, expected %s (%s)", what, sgpu_status_str(st),
               sgpu_status_str(want), sgpu_last_error(t->c->dev));
}

static uint32_t pattern(uint32_t seed, uint32_t i) { return (seed ^ (i * 0x9E3779B9u)) + i; }

static int run_selftest(cli *c, const cmd *k, const args *a) {
  (void)a;
  st_ctx t = {.c = c};
  sgpu_info in;
  sgpu_device_info d0, d1;
  sgpu_process pa = 0, pb = 0;
  CHECK(c, k, sgpu_get_info(c->dev, &in));
  CHECK(c, k, sgpu_query_device(c->dev, &d0));
  uint32_t page = 1u << in.page_shift, va = 4 * page, nw = 32;
  uint32_t span = va + page - 4 * (nw / 2); /* straddles the boundary of two pages */
  uint32_t buf[32], back[32];

  if (check_st(&t, sgpu_create_process(c->dev, &pa), SGPU_STATUS_SUCCESS, "create process A") &&
      check_st(&t, sgpu_create_process(c->dev, &pb), SGPU_STATUS_SUCCESS, "create process B")) {
    check(&t, pa != pb, "handles differ (A 0x%08x, B 0x%08x)", pa, pb);
    check_st(&t, sgpu_map(c->dev, pa, va, 2), SGPU_STATUS_SUCCESS, "map 2 pages in A");
    check_st(&t, sgpu_map(c->dev, pb, va, 2), SGPU_STATUS_SUCCESS, "map 2 pages in B (same va)");
    check_st(&t, sgpu_read(c->dev, pa, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read fresh pages of A");
    uint32_t nz = 0;
    for (uint32_t i = 0; i < nw; i++) nz += back[i] != 0;
    check(&t, nz == 0, "fresh pages read zero (%u nonzero words)", nz);
    for (uint32_t i = 0; i < nw; i++) buf[i] = pattern(0xA5A5A5A5u, i);
    check_st(&t, sgpu_write(c->dev, pa, span, buf, sizeof buf), SGPU_STATUS_SUCCESS,
             "write pattern A across the page boundary");
    for (uint32_t i = 0; i < nw; i++) buf[i] = pattern(0x5A5A5A5Au, i);
    check_st(&t, sgpu_write(c->dev, pb, span, buf, sizeof buf), SGPU_STATUS_SUCCESS,
             "write pattern B at the same va in B");
    uint32_t bad = 0;
    check_st(&t, sgpu_read(c->dev, pa, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read back A");
    for (uint32_t i = 0; i < nw; i++) bad += back[i] != pattern(0xA5A5A5A5u, i);
    check(&t, bad == 0, "A reads its own pattern (%u words differ)", bad);
    uint32_t q = 0;
    check_st(&t, sgpu_create_queue(c->dev, pa, va, 4, &q), SGPU_STATUS_SUCCESS,
             "create a queue in A");
    sgpu_destroy_result r;
    memset(&r, 0, sizeof r);
    check_st(&t, sgpu_destroy_process(c->dev, pa, SGPU_POLICY_DEFAULT, &r), SGPU_STATUS_SUCCESS,
             "destroy A (device default policy)");
    check(&t, r.frames_freed == 4 && r.pt_pages_freed == 2 && r.queues_freed == 1,
          "A freed 4 frames, 2 of them page tables, 1 queue (got %u, %u, %u)", r.frames_freed,
          r.pt_pages_freed, r.queues_freed);
    sgpu_process_info pi;
    check_st(&t, sgpu_query_process(c->dev, pa, &pi), SGPU_STATUS_INVALID_HANDLE,
             "stale handle of A is refused");
    check_st(&t, sgpu_read(c->dev, pa, span, back, 4), SGPU_STATUS_INVALID_HANDLE,
             "memory of A is unreachable");
    bad = 0;
    check_st(&t, sgpu_read(c->dev, pb, span, back, sizeof back), SGPU_STATUS_SUCCESS,
             "read back B after A died");
    for (uint32_t i = 0; i < nw; i++) bad += back[i] != pattern(0x5A5A5A5Au, i);
    check(&t, bad == 0, "B is intact (%u words differ)", bad);
    check_st(&t, sgpu_query_process(c->dev, pb, &pi), SGPU_STATUS_SUCCESS, "query B");
    check(&t, pi.state == SGPU_PROC_STATE_ACTIVE && pi.data_frames == 2,
          "B is ACTIVE with 2 data frames (state %s, %u frames)", state_name(pi.state),
          pi.data_frames);
    memset(&r, 0, sizeof r);
    check_st(&t, sgpu_destroy_process(c->dev, pb, SGPU_POLICY_HOST, &r), SGPU_STATUS_SUCCESS,
             "destroy B (host-driven)");
    check(&t, r.frames_freed == 4 && r.pt_pages_freed == 2,
          "B freed 4 frames, 2 of them page tables (got %u, %u)", r.frames_freed,
          r.pt_pages_freed);
    check_st(&t, sgpu_wait_clean(c->dev, DEFAULT_WAIT_CYCLES), SGPU_STATUS_SUCCESS,
             "scrubber catches up");
    if (check_st(&t, sgpu_query_device(c->dev, &d1), SGPU_STATUS_SUCCESS, "query device"))
      check(&t,
            d1.frames_used == d0.frames_used && d1.live_processes == d0.live_processes &&
                d1.frames_dirty == 0,
            "device back to its start (used %u->%u, live %u->%u, dirty %u)", d0.frames_used,
            d1.frames_used, d0.live_processes, d1.live_processes, d1.frames_dirty);
  }
  bool ok = t.failed == 0;
  if (c->json) {
    out_begin(c, k->name, ok ? "STATUS_SUCCESS" : "FAIL");
    out_str(c, "result", ok ? "PASS" : "FAIL");
    out_u32(c, "checks", t.checks, false);
    out_u32(c, "failed", t.failed, false);
    if (!ok) out_str(c, "first_failure", t.first);
    out_end(c);
  } else {
    printf("selftest: %s (%u checks, %u failed)\n", ok ? "PASS" : "FAIL", t.checks, t.failed);
  }
  return ok ? EXIT_OK : EXIT_DEVICE;
}

/* ---- script */

static int run_argv(cli *c, int argc, char **argv);

static var *find_var(cli *c, const char *name) {
  for (size_t i = 0; i < c->nvars; i++)
    if (!strcmp(c->vars[i].name, name)) return &c->vars[i];
  return NULL;
}

static bool valid_var(const char *s) {
  if (!*s || strlen(s) >= sizeof ((var *)0)->name) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return false;
  return true;
}

static bool known_status(const char *name) {
#define X(n, v, d) if (!strcmp(name, #n)) return true;
  SGPU_STATUS_LIST(X)
#undef X
  const sgpu_status host[] = {SGPU_STATUS_IO_DEVICE_ERROR, SGPU_STATUS_IO_TIMEOUT,
                              SGPU_STATUS_NOT_FOUND};
  for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
    if (!strcmp(name, sgpu_status_str(host[i]))) return true;
  return false;
}

/* One script line, already split into words. */
static int script_line(cli *c, const cmd *k, int argc, char **argv) {
  const char *assign = NULL;
  if (!c->json) { /* echo the line, so text output reads as a transcript */
    fputs(">", stdout);
    for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
    putchar('\n');
  }
  if (argc >= 2 && argv[0][0] == '$' && !strcmp(argv[1], "=")) {
    if (!valid_var(argv[0] + 1))
      return usage_error(c, k, "bad variable name '%s' (letters, digits, '_')", argv[0]);
    if (argc == 2) return usage_error(c, k, "nothing to assign to '%s'", argv[0]);
    assign = argv[0] + 1;
    argv += 2;
    argc -= 2;
  }
  char subst[64][24];
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] != '$') continue;
    var *v = find_var(c, argv[i] + 1);
    if (!v) return usage_error(c, k, "undefined variable '%s'", argv[i]);
    if (i >= 64) return usage_error(c, k, "too many words on one line (max 64 with variables)");
    snprintf(subst[i], sizeof subst[i], "0x%x", v->value);
    argv[i] = subst[i];
  }
  const char *expect = NULL;
  if (!strcmp(argv[0], "expect")) {
    if (argc < 3) return usage_error(c, k, "expect needs STATUS_NAME and a command");
    if (!known_status(argv[1]))
      return usage_error(c, k, "bad status '%s': not a status name (e.g. STATUS_NO_MEMORY)",
                         argv[1]);
    expect = argv[1];
    argv += 2;
    argc -= 2;
  }
  c->has_result = false;
  c->last_st = SGPU_STATUS_SUCCESS;
  c->quiet_failure = expect != NULL;
  int rc = run_argv(c, argc, argv);
  c->quiet_failure = false;
  if (expect && rc != EXIT_USAGE) {
    const char *got = sgpu_status_str(c->last_st);
    if (strcmp(got, expect)) {
      fprintf(stderr, "sgpu %s: expected %s, got %s%s%s\n", c->where, expect, got,
              c->last_st ? ": " : "", c->last_st ? sgpu_last_error(c->dev) : "");
      return EXIT_DEVICE;
    }
    if (!c->json)
      printf("expect %s: ok\n", expect);
    else if (c->last_st == SGPU_STATUS_SUCCESS)
      ; /* the command printed its object */
    else {
      out_begin(c, argv[0], got);
      out_str(c, "expected", expect);
      out_end(c);
    }
    rc = EXIT_OK;
  }
  if (rc == EXIT_OK && assign) {
    if (!c->has_result) return usage_error(c, k, "'%s' has no result to assign", argv[0]);
    var *v = find_var(c, assign);
    if (!v) {
      var *nv = realloc(c->vars, (c->nvars + 1) * sizeof *nv);
      if (!nv) return usage_error(c, k, "out of memory for variable '%s'", assign);
      c->vars = nv;
      v = &c->vars[c->nvars++];
      snprintf(v->name, sizeof v->name, "%s", assign);
    }
    v->value = c->result;
  }
  return rc;
}

/* Longest script line, in bytes without its newline. */
#define SCRIPT_LINE_MAX 4096

/* Read one line of f (without its newline) into buf (SCRIPT_LINE_MAX + 1 bytes, NUL
 * terminated). Returns 1 for a line, 0 at the end of the file, -1 with *why set: a read error
 * (errno's text), a NUL byte (*col its column) or a line longer than SCRIPT_LINE_MAX. It never
 * reads more than one byte past the limit, so no input makes it allocate. */
static int read_line(FILE *f, char *buf, const char **why, size_t *col) {
  size_t n = 0;
  int ch;
  errno = 0;
  while ((ch = getc(f)) != EOF && ch != '\n') {
    if (ch == '\0') {
      *col = n + 1;
      *why = "NUL";
      return -1;
    }
    if (n == SCRIPT_LINE_MAX) {
      *why = "long";
      return -1;
    }
    buf[n++] = (char)ch;
  }
  buf[n] = '\0';
  if (ch == EOF && ferror(f)) {
    *why = strerror(errno ? errno : EIO);
    return -1;
  }
  return ch == EOF && n == 0 ? 0 : 1;
}

static int run_script(cli *c, const cmd *k, const args *a) {
  if (c->in_script) return usage_error(c, k, "a script cannot run another script");
  const char *name = strcmp(a->str, "-") ? a->str : "<stdin>";
  FILE *f = strcmp(a->str, "-") ? fopen(a->str, "r") : stdin;
  if (!f) return usage_error(c, k, "cannot open script '%s': %s", a->str, strerror(errno));
  char *line = malloc(SCRIPT_LINE_MAX + 1), where[512];
  if (!line) {
    if (f != stdin) fclose(f);
    return usage_error(c, k, "out of memory for a script line (%d bytes)", SCRIPT_LINE_MAX + 1);
  }
  unsigned lineno = 0;
  int rc = EXIT_OK;
  c->in_script = true;
  while (rc == EXIT_OK) {
    const char *why = NULL;
    size_t col = 0;
    int got = read_line(f, line, &why, &col);
    if (got == 0) break;
    lineno++;
    snprintf(where, sizeof where, "%s:%u", name, lineno);
    c->where = where;
    if (got < 0) {
      if (!strcmp(why, "NUL"))
        rc = usage_error(c, NULL, "NUL byte at column %zu (a script is text)", col);
      else if (!strcmp(why, "long"))
        rc = usage_error(c, NULL, "line longer than %d bytes", SCRIPT_LINE_MAX);
      else
        rc = usage_error(c, NULL, "cannot read script '%s': %s", a->str, why);
      c->where = NULL;
      break;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *words[256];
    int n = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
      if (n == 256) break;
      words[n++] = tok;
    }
    if (n > 0)
      rc = n == 256 ? usage_error(c, NULL, "more than 255 words on a line")
                    : script_line(c, NULL, n, words);
    c->where = NULL;
  }
  c->in_script = false;
  free(line);
  if (f != stdin) fclose(f);
  if (rc != EXIT_OK)
    fprintf(stderr, "sgpu script: stopped at %s:%u (exit %d)\n", name, lineno, rc);
  return rc;
}

static int run_help(cli *c, const cmd *k, const args *a);

/* ------------------------------------------------------------------ the table */

static const cmd commands[] = {
    {.name = "info", .synopsis = "", .run = run_info,
     .summary = "Show the device: magic, register-map version, build parameters."},
    {.name = "create-process", .synopsis = "", .run = run_create_process,
     .summary = "Create a process; prints its handle."},
    {.name = "destroy-process", .synopsis = "HANDLE [--policy eager|deferred|host|default]",
     .pos = {"handle"}, .min = 1, .max = 1, .opt_policy = true, .run = run_destroy_process,
     .summary = "Destroy a process; print what was freed and how many cycles it took.",
     .help = "policies:\n"
             "  default   the device's default (CMD_OP.POLICY 0, eager)\n"
             "  eager     the device frees everything before completing\n"
             "  deferred  the device completes once the process is unreachable (DYING: any\n"
             "            command naming it gets STATUS_PROCESS_IS_TERMINATING), then frees\n"
             "            its frames and queues in the background and posts a reclaim event\n"
             "            when they are zeroed (see wait-reclaim, in a script)\n"
             "  host      libsgpu tears it down from the host: one UNMAP per mapped page, one\n"
             "            DESTROY_QUEUE per queue, then DESTROY_PROCESS; it knows only the\n"
             "            pages and queues created through the same open device (use "
             "`script`);\n"
             "            cycles are then the device's cycle counter around the whole "
             "sequence\n\n"
             "output: cycles (doorbell to completion), frames_freed (data + tables; deferred:\n"
             "to be freed by the reclaimer), pt_pages_freed, queues_freed, work_aborted,\n"
             "doorbells_ignored, and the device's per-phase cycles (TD_* registers):\n"
             "validate, stop_drain, tlb, free, release, complete. deferred: free and release\n"
             "are 0 (the background reclaimer's; wait-reclaim shows them); host: the phases\n"
             "of its final DESTROY_PROCESS.\n"},
    {.name = "map", .synopsis = "HANDLE VA PAGES", .pos = {"handle", "va", "pages"}, .min = 3,
     .max = 3, .run = run_map_unmap,
     .summary = "Map PAGES fresh zeroed pages at VA (page aligned)."},
    {.name = "unmap", .synopsis = "HANDLE VA PAGES", .pos = {"handle", "va", "pages"},
     .min = 3, .max = 3, .run = run_map_unmap,
     .summary = "Unmap PAGES pages at VA; every page must be mapped."},
    {.name = "create-queue", .synopsis = "HANDLE RING_VA RING_LOG2",
     .pos = {"handle", "ring_va", "ring_log2"}, .min = 3, .max = 3, .run = run_create_queue,
     .summary = "Create a queue, ring at RING_VA (16-byte aligned), 2^RING_LOG2 entries."},
    {.name = "destroy-queue", .synopsis = "HANDLE Q", .pos = {"handle", "queue"}, .min = 2,
     .max = 2, .run = run_destroy_queue, .summary = "Destroy queue Q of the process."},
    {.name = "query", .synopsis = "[HANDLE]", .pos = {"handle"}, .min = 0, .max = 1,
     .run = run_query, .summary = "Report a process, or the device when HANDLE is left out.",
     .help = "The device: frames clean/dirty/used, live processes (DYING ones counted), live\n"
             "queues, doorbells ignored, reclaim_pending (deferred destroys whose reclaim has\n"
             "not finished, RECLAIM_PENDING) and reclaim_seq (reclaim events so far).\n"
             "A process being reclaimed answers STATUS_PROCESS_IS_TERMINATING.\n"},
    {.name = "read", .synopsis = "HANDLE VA [WORDS]", .pos = {"handle", "va", "words"},
     .min = 2, .max = 3, .run = run_read, .check = check_read,
     .summary = "Read WORDS 32-bit words (default 1) at VA through the process's MMU."},
    {.name = "write", .synopsis = "HANDLE VA WORD...", .pos = {"handle", "va", "word"},
     .min = 3, .max = -1, .run = run_write,
     .summary = "Write the words at VA through the process's MMU."},
    {.name = "wait-clean", .synopsis = "[CYCLES]", .pos = {"cycles"}, .min = 0, .max = 1,
     .run = run_wait_clean,
     .summary = "Wait until every freed frame is scrubbed (at most CYCLES, default 1e8).",
     .help = "Also waits for the reclaims of deferred destroys (RECLAIM_PENDING = 0).\n"},
    {.name = "wait-reclaim", .synopsis = "HANDLE [CYCLES]", .pos = {"handle", "cycles"},
     .min = 1, .max = 2, .run = run_wait_reclaim,
     .summary = "Wait for the reclaim event of a process destroyed with --policy deferred.",
     .help = "Waits at most CYCLES device cycles (default 1e8) until the device has zeroed\n"
             "every frame of HANDLE, released its queues and freed its slot. Only a process\n"
             "destroyed with --policy deferred through the same open device can be waited\n"
             "for, so use it in a `script` (each invocation opens the device afresh):\n"
             "  $p = create-process\n"
             "  map $p 0 16\n"
             "  destroy-process $p --policy deferred\n"
             "  wait-reclaim $p\n"
             "output: handle, seq (RECLAIM_SEQ of its event), frames returned, cycles (its\n"
             "DESTROY_PROCESS doorbell to the event), scrub_cycles (its frames reaching the\n"
             "dirty list to all zeroed), free_cycles and release_cycles (the reclaimer's\n"
             "phases), exact (0: later events overtook it before it was read; then the cycle\n"
             "fields are 0), waited_cycles. `$v = wait-reclaim ...` keeps cycles.\n"
             "STATUS_INVALID_PARAMETER: HANDLE was not destroyed deferred through this device;\n"
             "STATUS_IO_TIMEOUT: no event within CYCLES.\n"},
    {.name = "doorbell", .synopsis = "Q WPTR", .pos = {"queue", "wptr"}, .min = 2, .max = 2,
     .run = run_doorbell, .summary = "Ring queue Q's doorbell with write pointer WPTR."},
    {.name = "reg-read", .synopsis = "ADDR", .pos = {"addr"}, .min = 1, .max = 1,
     .run = run_reg_read, .summary = "Read the register at byte offset ADDR."},
    {.name = "reg-write", .synopsis = "ADDR VALUE", .pos = {"addr", "value"}, .min = 2,
     .max = 2, .run = run_reg_write,
     .summary = "Write VALUE to the register at byte offset ADDR."},
    {.name = "selftest", .synopsis = "", .run = run_selftest,
     .summary = "Check two processes are isolated and torn down cleanly; PASS or FAIL.",
     .help = "Creates two processes, maps the same va in both, writes and reads back a\n"
             "pattern through the MMU across a page boundary, destroys one (device default\n"
             "policy), checks its handle is refused and the other is intact, destroys the\n"
             "other host-driven, waits for the scrubber and checks the device is back to\n"
             "its start. Prints PASS/FAIL per check; exits 1 on any failure.\n"},
    {.name = "script", .synopsis = "FILE|-", .pos = {"file"}, .min = 1, .max = 1,
     .string_arg = true, .no_device = true, .run = run_script,
     .summary = "Run commands from FILE (- for stdin), one per line, on ONE open device.",
     .help = "Each `sgpu` invocation opens its device afresh; with sim: that is a new\n"
             "in-process model, so state (processes, mappings) does not survive from one\n"
             "invocation to the next. A script keeps one device open for all its lines.\n\n"
             "Line syntax:\n"
             "  COMMAND ARGS...                 any command but script (no `sgpu`, no --uri)\n"
             "  $NAME = COMMAND ARGS...         keep its result (handle, queue, first word "
             "read)\n"
             "  expect STATUS_NAME COMMAND ...  the command must end with that status\n"
             "  # comment                       blank lines and comments are skipped\n"
             "$NAME in ARGS is replaced by its value. The script stops at the first line\n"
             "that fails, with that line's exit code. Lines are text of at most 4096 bytes;\n"
             "a longer line, a NUL byte or a read error stops it with exit 2.\n\n"
             "example:\n"
             "  $a = create-process\n"
             "  map $a 0x10000 4\n"
             "  write $a 0x10000 0xdeadbeef 1 2 3\n"
             "  expect STATUS_CONFLICTING_ADDRESSES map $a 0x10000 1\n"
             "  destroy-process $a --policy host\n"},
    {.name = "help", .synopsis = "[COMMAND]", .pos = {"command"}, .min = 0, .max = 1,
     .string_arg = true, .no_device = true, .run = run_help,
     .summary = "Show the help of COMMAND, or the list of commands."},
};
static const size_t num_commands = sizeof commands / sizeof commands[0];

static const cmd *find_cmd(const char *name) {
  for (size_t i = 0; i < num_commands; i++)
    if (!strcmp(commands[i].name, name)) return &commands[i];
  return NULL;
}

static void main_help(void) {
  printf("usage: sgpu [--uri URI] [--json] [--poll-limit N] COMMAND [ARGS]\n\n"
         "The sgpu soft-GPU command-line tool (libsgpu).\n\n"
         "options:\n"
         "  --uri URI         device to open (default sim:):\n"
         "                      sim:             the default model (libsgpu_sim_default.so)\n"
         "                      sim:NAME         the model libsgpu_sim_NAME.so, e.g. sim:small\n"
         "                      sim:/path.so     a model by path\n"
         "                    models are looked up in $SGPU_SIM_DIR, else the build directory\n"
         "  --json            print one JSON object per command (failures included)\n"
         "  --poll-limit N    completion polls per command before STATUS_IO_TIMEOUT\n"
         "  --list-commands   print the command names, one per line\n"
         "  -h, --help        this text; COMMAND --help for a command\n\n"
         "commands:\n");
  for (size_t i = 0; i < num_commands; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].synopsis);
    const char *s = commands[i].summary, *nl = strchr(s, '\n');
    printf("  %-45s %.*s\n", head, nl ? (int)(nl - s) : (int)strlen(s), s);
  }
  printf("\nEach invocation opens the device afresh (with sim:, a new model): use `script` to\n"
         "run several commands against one device. Numbers are decimal or 0x hex.\n"
         "Exit status: 0 success, 1 the device returned a failure status, 2 usage error.\n");
}

static int run_help(cli *c, const cmd *k, const args *a) {
  if (a->n == 0) {
    main_help();
    return EXIT_OK;
  }
  const cmd *t = find_cmd(a->str);
  if (!t) return usage_error(c, k, "unknown command '%s'", a->str);
  print_help(t);
  return EXIT_OK;
}

/* Parse and run one command; argv[0] is its name. */
static int run_argv(cli *c, int argc, char **argv) {
  const cmd *k = find_cmd(argv[0]);
  if (!k) return usage_error(c, NULL, "unknown command '%s' (sgpu --help lists them)", argv[0]);
  args a;
  int rc = parse_args(c, k, argc - 1, argv + 1, &a);
  if (rc == EXIT_OK && k->check) rc = k->check(c, k, &a);
  if (rc == EXIT_OK && !k->no_device) rc = open_device(c);
  if (rc == EXIT_OK) rc = k->run(c, k, &a);
  free(a.v);
  return rc == EXIT_HELP ? EXIT_OK : rc;
}

int main(int argc, char **argv) {
  cli c = {.uri = "sim:"};
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      main_help();
      return EXIT_OK;
    } else if (!strcmp(s, "--json")) {
      c.json = true;
    } else if (!strcmp(s, "--list-commands")) {
      for (size_t j = 0; j < num_commands; j++) puts(commands[j].name);
      return EXIT_OK;
    } else if (!strcmp(s, "--uri") || !strncmp(s, "--uri=", 6)) {
      const char *v = s[5] == '=' ? s + 6 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return usage_error(&c, NULL, "--uri needs a value (e.g. sim:, sim:small)");
      c.uri = v;
    } else if (!strcmp(s, "--poll-limit") || !strncmp(s, "--poll-limit=", 13)) {
      const char *v = s[12] == '=' ? s + 13 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return usage_error(&c, NULL, "--poll-limit needs a number");
      const char *why = parse_u32(v, &c.poll_limit);
      if (why) return usage_error(&c, NULL, "bad poll limit '%s': %s", v, why);
    } else {
      return usage_error(&c, NULL, "unknown option '%s'", s);
    }
  }
  if (i == argc) return usage_error(&c, NULL, "no command given");
  int rc = run_argv(&c, argc - i, argv + i);
  sgpu_close(c.dev);
  free(c.vars);
  return rc;
}
