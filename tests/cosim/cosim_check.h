/* cosim_check.h - the check macros the co-simulation tests share (scenarios, engines).
 * They expect a context pointer `c` with `const char *name` (the case being run) and
 * `sgpu_device *dev` (may be NULL), and `return 1` from the calling function on a failure
 * after printing the file, line, what failed and libsgpu's last error. */
#ifndef SGPU_COSIM_CHECK_H
#define SGPU_COSIM_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sgpu.h"

static inline int cosim_fail(const char *file, const char *name, sgpu_device *dev, int line,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int cosim_fail(const char *file, const char *name, sgpu_device *dev, int line,
                             const char *fmt, ...) {
  const char *base = strrchr(file, '/');
  va_list ap;
  fprintf(stderr, "FAIL [%s] %s:%d: ", name, base ? base + 1 : file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  const char *e = dev ? sgpu_last_error(dev) : "";
  fprintf(stderr, "%s%s\n", *e ? "\n    libsgpu last error: " : "", e);
  return 1;
}

/* fail_at(c, __LINE__, fmt, ...): print a failure of the case c; returns 1 */
#define fail_at(c, line, ...) cosim_fail(__FILE__, (c)->name, (c)->dev, (line), __VA_ARGS__)

#define REQUIRE(cond, ...)                                                                     \
  do {                                                                                         \
    if (!(cond)) return fail_at(c, __LINE__, __VA_ARGS__);                                    \
  } while (0)

/* A status check: the call, what it must return. */
#define ST(call, want)                                                                         \
  do {                                                                                         \
    sgpu_status st_ = (call), want_ = (want);                                                  \
    if (st_ != want_)                                                                          \
      return fail_at(c, __LINE__, "%s returned %s (0x%08X), expected %s", #call,               \
                     sgpu_status_str(st_), st_, sgpu_status_str(want_));                        \
  } while (0)

#define EQ(what, got, want)                                                                    \
  do {                                                                                         \
    uint64_t g_ = (got), w_ = (want);                                                          \
    if (g_ != w_)                                                                              \
      return fail_at(c, __LINE__, "%s is %" PRIu64 " (0x%" PRIx64 "), expected %" PRIu64,      \
                     what, g_, g_, w_);                                                        \
  } while (0)

/* Run a sub-step that returns non-zero on failure. */
#define DO(call)                                                                               \
  do {                                                                                         \
    if (call) return 1;                                                                        \
  } while (0)

#endif
