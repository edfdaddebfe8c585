/* script.c - `sgpu script FILE|-`: many commands on one open device, variables
 * ($name = ...), `expect STATUS_X ...`, and strict input (text lines of at most
 * SCRIPT_LINE_MAX bytes; NUL bytes and read errors are errors naming FILE:LINE). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

int run_script(cli *c, const cmd *k, const args *a) {
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
