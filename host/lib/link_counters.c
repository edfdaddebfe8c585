/* link_counters.c - sgpu_link_counters_get (sgpu.h): what a device opened over a byte link
 * (tcp:, pty:) has sent and received, from the link engine's counters (link_proto.h). */
#include <string.h>

#include "link_proto.h"
#include "sgpu_internal.h"

sgpu_status sgpu_link_counters_get(sgpu_device *dev, sgpu_link_counters *out) {
  if (!dev || !out) return SGPU_STATUS_INVALID_PARAMETER;
  sgpui_link_stats s;
  if (!sgpui_link_dev_stats(dev, &s)) {
    pthread_mutex_lock(&dev->lock);
    sgpu_status st = sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                "link_counters: the device is not on a byte link (%s:)",
                                dev->tp->scheme);
    pthread_mutex_unlock(&dev->lock);
    return st;
  }
  memset(out, 0, sizeof *out);
  out->frames_tx = s.transmissions;
  out->frames_rx = s.frames_rx;
  out->bytes_tx = s.bytes_tx;
  out->bytes_rx = s.bytes_rx;
  out->retries = s.retries;
  return SGPU_STATUS_SUCCESS;
}
