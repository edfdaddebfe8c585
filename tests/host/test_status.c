/* test_status.c - every status code has a distinct, known name and a description: the
 * device's (SGPU_STATUS_LIST, generated) and the three host-only codes of sgpu.h. */
#include <stdint.h>

#include "host_test.h"
#include "sgpu.h"

typedef struct {
  const char *name;
  sgpu_status code;
} entry;

static const entry all[] = {
#define X(name, value, desc) {#name, value},
    SGPU_STATUS_LIST(X)
#undef X
    {"STATUS_IO_DEVICE_ERROR", SGPU_STATUS_IO_DEVICE_ERROR},
    {"STATUS_IO_TIMEOUT", SGPU_STATUS_IO_TIMEOUT},
    {"STATUS_NOT_FOUND", SGPU_STATUS_NOT_FOUND},
};
#define N (sizeof all / sizeof all[0])

int main(void) {
  const char *unknown_desc = sgpu_status_desc(0x12345678u);
  CHECK(!strcmp(sgpu_status_str(0x12345678u), "STATUS_UNKNOWN"),
        "unknown code 0x12345678 is STATUS_UNKNOWN (got %s)", sgpu_status_str(0x12345678u));
  CHECK(unknown_desc && *unknown_desc, "unknown code has a description");
  for (size_t i = 0; i < N; i++) {
    const char *s = sgpu_status_str(all[i].code), *d = sgpu_status_desc(all[i].code);
    CHECK(strcmp(s, "STATUS_UNKNOWN") && !strcmp(s, all[i].name),
          "0x%08X is named %s (got %s)", all[i].code, all[i].name, s);
    CHECK(d && *d && strcmp(d, unknown_desc), "%s has its own description: \"%s\"", s, d);
    /* NTSTATUS: success is 0, failures have severity 3 (0xC.......). */
    CHECK(all[i].code == SGPU_STATUS_SUCCESS ? !strcmp(s, "STATUS_SUCCESS")
                                             : all[i].code >> 30 == 3u,
          "%s (0x%08X) is an NTSTATUS %s", s, all[i].code,
          all[i].code ? "error (severity 3)" : "success");
    const char *clash = NULL;
    for (size_t j = 0; j < N && !clash; j++)
      if (j != i && (all[i].code == all[j].code || !strcmp(s, sgpu_status_str(all[j].code))))
        clash = all[j].name;
    CHECK(!clash, "%s: code and name differ from the other %zu codes%s%s", s, N - 1,
          clash ? "; clashes with " : "", clash ? clash : "");
  }
  return ht_done("test_status");
}
