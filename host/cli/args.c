/* args.c - argument parsing of one command: numbers (decimal or 0x hex, the bad value
 * named), --policy, --help, counts against the command's table entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Decimal, or hex after 0x. Returns NULL on success, else why not. */
const char *parse_u32(const char *s, uint32_t *out) {
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

const char *policy_name(sgpu_policy p) {
  for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
    if (policies[i].policy == p) return policies[i].name;
  return "?";
}

const char *pos_name(const cmd *k, size_t i) {
  size_t last = 0;
  while (last + 1 < sizeof k->pos / sizeof k->pos[0] && k->pos[last + 1]) last++;
  return k->pos[i <= last ? i : last];
}

void print_help(const cmd *k) {
  printf("usage: sgpu [--uri URI] [--json] %s %s\n\n%s\n", k->name, k->synopsis, k->summary);
  if (k->help) printf("\n%s", k->help);
}

/* Parse argv (after the command name). Returns EXIT_OK, EXIT_USAGE or EXIT_HELP. */
int parse_args(cli *c, const cmd *k, int argc, char **argv, args *a) {
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
