/* host_test.h - the few helpers the host tests share: each check prints what it checked,
 * PASS or FAIL, and the closing line; the exit code is the number of failures (capped). */
#ifndef HOST_TEST_H
#define HOST_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static unsigned ht_checks, ht_failed;

__attribute__((format(printf, 2, 3))) static bool ht_check(bool ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s  ", ok ? "PASS" : "FAIL");
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  fflush(stdout);
  ht_checks++;
  if (!ok) ht_failed++;
  return ok;
}

#define CHECK(cond, ...) ht_check((cond), __VA_ARGS__)

static int ht_done(const char *name) {
  printf("%s: %u checks, %u failed\n", name, ht_checks, ht_failed);
  return ht_failed ? 1 : 0;
}

#endif /* HOST_TEST_H */
