/* link_check.h - the public link counters (sgpu_link_stats) of a byte-link device after calls
 * over a clean link, for the transport tests that share the link session (test_serial.c,
 * test_usb.c). Include after host_test.h and sgpu.h. */
#ifndef LINK_CHECK_H
#define LINK_CHECK_H

/* sgpu_link_stats answers on dev (opened on uri) and its counters are consistent with a
 * clean link that carried at least min_requests requests: every request sent once and
 * answered once, nothing retried, lost, refused, damaged, stale or given up, bytes both
 * ways. The counters go to *out (zeroed when the call fails). */
static bool check_clean_link_counters(sgpu_device *dev, const char *uri, uint64_t min_requests,
                                      sgpu_link_counters *out) {
  memset(out, 0, sizeof *out);
  sgpu_status st = sgpu_link_stats(dev, out);
  const sgpu_link_counters *c = out;
  return CHECK(st == SGPU_STATUS_SUCCESS && c->requests >= min_requests &&
                   c->frames_tx == c->requests && c->frames_rx == c->requests &&
                   c->bytes_tx >= c->frames_tx && c->bytes_rx >= c->frames_rx &&
                   c->retries == 0 && c->timeouts == 0 && c->naks == 0 && c->bad_frames == 0 &&
                   c->stale == 0 && c->failures == 0,
               "%s: sgpu_link_stats (%s%s%s): %llu requests (at least %llu), %llu frames out, "
               "%llu in, %llu/%llu bytes; retries %llu, timeouts %llu, NAKs %llu, bad frames "
               "%llu, stale %llu, failures %llu (all 0)",
               uri, sgpu_status_str(st), st == SGPU_STATUS_SUCCESS ? "" : ": ",
               st == SGPU_STATUS_SUCCESS ? "" : sgpu_last_error(dev),
               (unsigned long long)c->requests, (unsigned long long)min_requests,
               (unsigned long long)c->frames_tx, (unsigned long long)c->frames_rx,
               (unsigned long long)c->bytes_tx, (unsigned long long)c->bytes_rx,
               (unsigned long long)c->retries, (unsigned long long)c->timeouts,
               (unsigned long long)c->naks, (unsigned long long)c->bad_frames,
               (unsigned long long)c->stale, (unsigned long long)c->failures);
}

#endif /* LINK_CHECK_H */
