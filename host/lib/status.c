/* status.c - names and descriptions of every status: the device's (from the generated
 * SGPU_STATUS_LIST) and the three that only the host produces (sgpu.h). */
#include "sgpu.h"

#define SGPUI_HOST_STATUS_LIST(X)                                                            \
  X(STATUS_IO_DEVICE_ERROR, SGPU_STATUS_IO_DEVICE_ERROR,                                     \
    "Host: the transport failed (bus access not answered, link lost).")                     \
  X(STATUS_IO_TIMEOUT, SGPU_STATUS_IO_TIMEOUT, "Host: the device did not complete in time.") \
  X(STATUS_NOT_FOUND, SGPU_STATUS_NOT_FOUND,                                                 \
    "Host: the URI names no transport, no model file, or no sgpu device.")

typedef struct {
  sgpu_status code;
  const char *name, *desc;
} status_entry;

static const status_entry statuses[] = {
#define X(name, value, desc) {value, #name, desc},
    SGPU_STATUS_LIST(X) SGPUI_HOST_STATUS_LIST(X)
#undef X
};

static const status_entry *lookup(sgpu_status st) {
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (statuses[i].code == st) return &statuses[i];
  return NULL;
}

const char *sgpu_status_str(sgpu_status st) {
  const status_entry *e = lookup(st);
  return e ? e->name : "STATUS_UNKNOWN";
}

const char *sgpu_status_desc(sgpu_status st) {
  const status_entry *e = lookup(st);
  return e ? e->desc : "A status code libsgpu does not know.";
}
