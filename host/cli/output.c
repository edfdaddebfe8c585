/* output.c - what the sgpu tool prints: the text and JSON writers (one object per command,
 * strings always valid UTF-8), usage errors, device failures, and opening the device. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
void json_str(const char *str) {
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

void out_begin(cli *c, const char *command, const char *status) {
  c->first_field = true;
  if (!c->json) return;
  fputs("{\"command\":", stdout);
  json_str(command);
  fputs(",\"status\":", stdout);
  json_str(status);
  c->first_field = false;
}

void out_key(cli *c, const char *key) {
  if (c->json) {
    fputs(c->first_field ? "{" : ",", stdout);
    json_str(key);
    putchar(':');
  } else {
    printf("%-18s ", key);
  }
  c->first_field = false;
}

void out_u32(cli *c, const char *key, uint32_t v, bool hex) {
  out_key(c, key);
  if (c->json)
    printf("%u", v);
  else if (hex)
    printf("0x%08x\n", v);
  else
    printf("%u\n", v);
}

void out_u64(cli *c, const char *key, uint64_t v) {
  out_key(c, key);
  printf(c->json ? "%llu" : "%llu\n", (unsigned long long)v);
}

void out_str(cli *c, const char *key, const char *s) {
  out_key(c, key);
  if (c->json)
    json_str(s);
  else
    printf("%s\n", s);
}

void out_end(cli *c) {
  if (c->json) puts(c->first_field ? "{}" : "}");
  fflush(stdout);
}

/* A usage error: message naming the bad value, the command's synopsis; exit code 2. */
int usage_error(cli *c, const cmd *k, const char *fmt, ...) {
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
int device_failure(cli *c, const char *command, sgpu_status st, const char *detail) {
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


int open_device(cli *c) {
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
