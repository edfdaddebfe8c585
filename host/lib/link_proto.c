/* link_proto.c - the sgpu wire protocol, host side (link_proto.h, docs/protocol.md).
 *
 * The engine keeps one request in flight. Per request: take the next sequence number, build
 * the frame once, then up to cfg.attempts transmissions of the same bytes. After each, read
 * and deframe until a frame ends the attempt:
 *   - a response with our sequence number and kind: done (whatever its status);
 *   - a NAK with our sequence number: the bridge executed nothing; since our frame is well
 *     formed it was damaged on the way (a CRC mismatch, or damage the CRC let through: zero
 *     bytes appended after the CRC keep a zero residue and only the length check sees them)
 *     -> send again at once; if the last attempt is NAKed too: E_REMOTE with its status;
 *   - a frame that fails its checks (a damaged response) -> send again at once: the bridge
 *     answers a repeated sequence number from its kept response, without executing;
 *   - a valid response with another sequence number (a late or repeated answer to an
 *     earlier request) or a request (an echo): discarded, keep reading;
 *   - nothing for timeout_ms, or SGPUI_LINK_JUNK_LIMIT bytes without a match: send again.
 * A request that fails (E_TIMEOUT, E_REMOTE after NAKs, E_CHANNEL) clears synced: the next
 * request is preceded by a sync PING, so however many requests were lost the sequence numbers
 * never wrap onto the bridge's kept one.
 * Bytes read past the end of the frame that settled a request stay in the client and are
 * deframed first by the next request.
 */
#include "link_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sgpu.h"
#include "sgpu_regs.h"

#if defined(__GNUC__)
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LP_PRINTF(f, a)
#endif

static int LP_PRINTF(4, 5) fail(int e, char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return e;
}

/* ---------------------------------------------------------------- names */

const char *sgpui_link_err_str(int e) {
  static const char *const names[] = {
      [SGPUI_LINK_OK] = "OK",
      [SGPUI_LINK_MORE] = "MORE",
      [SGPUI_LINK_E_COBS] = "E_COBS",
      [SGPUI_LINK_E_SHORT] = "E_SHORT",
      [SGPUI_LINK_E_LONG] = "E_LONG",
      [SGPUI_LINK_E_CRC] = "E_CRC",
      [SGPUI_LINK_E_VERSION] = "E_VERSION",
      [SGPUI_LINK_E_LENGTH] = "E_LENGTH",
      [SGPUI_LINK_E_KIND] = "E_KIND",
      [SGPUI_LINK_E_PAYLOAD] = "E_PAYLOAD",
      [SGPUI_LINK_E_REMOTE] = "E_REMOTE",
      [SGPUI_LINK_E_TIMEOUT] = "E_TIMEOUT",
      [SGPUI_LINK_E_CHANNEL] = "E_CHANNEL",
      [SGPUI_LINK_E_ARG] = "E_ARG",
  };
  return e >= 0 && (size_t)e < sizeof names / sizeof names[0] && names[e] ? names[e] : "E_UNKNOWN";
}

const char *sgpui_link_status_name(uint8_t st) {
  switch (st) {
#define X(name, value, detail) \
  case value:                  \
    return #name;
    SGPU_LINK_STATUS_LIST(X)
#undef X
  }
  return "UNKNOWN";
}

static const char *status_detail(uint8_t st) {
  switch (st) {
#define X(name, value, detail) \
  case value:                  \
    return detail;
    SGPU_LINK_STATUS_LIST(X)
#undef X
  }
  return "?";
}

const char *sgpui_link_kind_name(uint8_t kind) {
  switch (kind) {
#define X(name, value)                  \
  case value:                           \
    return #name;                       \
  case value | SGPU_LINK_KIND_RESPONSE: \
    return #name " response";
    SGPU_LINK_KIND_LIST(X)
#undef X
    case SGPU_LINK_KIND_NAK:
      return "NAK";
  }
  return "UNKNOWN";
}

static bool is_request_kind(uint8_t k) {
  return k >= SGPU_LINK_KIND_PING && k <= SGPU_LINK_KIND_LAST;
}

uint32_t sgpui_link_sgpu_status(int e, uint8_t remote) {
  switch (e) {
    case SGPUI_LINK_OK:
      return SGPU_STATUS_SUCCESS;
    case SGPUI_LINK_E_TIMEOUT:
      return SGPU_STATUS_IO_TIMEOUT;
    case SGPUI_LINK_E_ARG:
      return SGPU_STATUS_INVALID_PARAMETER;
    case SGPUI_LINK_E_REMOTE:
      return remote == SGPU_LINK_ST_ADMIN_TIMEOUT ? SGPU_STATUS_IO_TIMEOUT
                                                  : SGPU_STATUS_IO_DEVICE_ERROR;
    default:
      return SGPU_STATUS_IO_DEVICE_ERROR;
  }
}

/* ---------------------------------------------------------------- CRC and COBS */

uint16_t sgpui_link_crc16(uint16_t crc, const uint8_t *p, size_t n) {
  while (n--) {
    crc ^= (uint16_t)(*p++ << 8);
    for (int i = 0; i < 8; i++)
      crc = (crc & 0x8000u) ? (uint16_t)(crc << 1 ^ SGPU_LINK_CRC_POLY) : (uint16_t)(crc << 1);
  }
  return crc;
}

size_t sgpui_link_cobs_encode(const uint8_t *in, size_t n, uint8_t *out) {
  size_t o = 1, code_at = 0;
  uint8_t code = 1;
  for (size_t i = 0; i < n; i++) {
    if (in[i]) {
      out[o++] = in[i];
      code++;
    }
    if (!in[i] || code == 0xFF) {
      out[code_at] = code;
      code = 1;
      code_at = o;
      if (!in[i] || i + 1 < n) o++; /* a full block at the very end takes no new code byte */
    }
  }
  if (code_at < o) out[code_at] = code;
  return o;
}

int sgpui_link_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  size_t i = 0, o = 0;
  *out_len = 0;
  while (i < n) {
    uint8_t code = in[i++];
    if (code == 0) return SGPUI_LINK_E_COBS;
    size_t k = (size_t)code - 1u;
    if (k > n - i) return SGPUI_LINK_E_COBS;
    if (k > cap - o) return SGPUI_LINK_E_LONG;
    memmove(out + o, in + i, k); /* in place: o < i always */
    o += k;
    i += k;
    if (code != 0xFF && i < n) {
      if (o == cap) return SGPUI_LINK_E_LONG;
      out[o++] = 0;
    }
  }
  *out_len = o;
  return SGPUI_LINK_OK;
}

/* ---------------------------------------------------------------- frames */

int sgpui_link_frame_build(uint8_t kind, uint8_t seq, const uint8_t *payload, size_t len,
                           uint8_t *wire, size_t cap, size_t *wire_len, uint8_t *raw_out,
                           size_t *raw_len, char *err, size_t errlen) {
  uint8_t raw[SGPU_LINK_MAX_FRAME];
  *wire_len = 0;
  if (len > SGPU_LINK_MAX_PAYLOAD)
    return fail(SGPUI_LINK_E_ARG, err, errlen, "%s payload of %zu bytes exceeds the maximum of %u",
                sgpui_link_kind_name(kind), len, SGPU_LINK_MAX_PAYLOAD);
  size_t n = SGPU_LINK_HDR_LEN + len + SGPU_LINK_CRC_LEN;
  if (cap < SGPU_LINK_COBS_MAX(n) + 2u)
    return fail(SGPUI_LINK_E_ARG, err, errlen, "frame buffer of %zu bytes, %zu needed", cap,
                (size_t)(SGPU_LINK_COBS_MAX(n) + 2u));
  raw[SGPU_LINK_OFF_VERSION] = SGPU_LINK_VERSION;
  raw[SGPU_LINK_OFF_KIND] = kind;
  raw[SGPU_LINK_OFF_SEQ] = seq;
  sgpui_link_put16(raw + SGPU_LINK_OFF_LEN, (uint16_t)len);
  if (len) memcpy(raw + SGPU_LINK_HDR_LEN, payload, len);
  uint16_t crc = sgpui_link_crc16(SGPU_LINK_CRC_INIT, raw, SGPU_LINK_HDR_LEN + len);
  raw[SGPU_LINK_HDR_LEN + len] = (uint8_t)(crc >> 8); /* MSB first: zero residue */
  raw[SGPU_LINK_HDR_LEN + len + 1] = (uint8_t)crc;
  wire[0] = SGPU_LINK_DELIM;
  size_t e = sgpui_link_cobs_encode(raw, n, wire + 1);
  wire[1 + e] = SGPU_LINK_DELIM;
  *wire_len = e + 2;
  if (raw_out) memcpy(raw_out, raw, n);
  if (raw_len) *raw_len = n;
  return SGPUI_LINK_OK;
}

int sgpui_link_frame_parse(const uint8_t *raw, size_t n, sgpui_link_frame *f, char *err,
                           size_t errlen) {
  if (n < SGPU_LINK_MIN_FRAME)
    return fail(SGPUI_LINK_E_SHORT, err, errlen,
                "frame of %zu bytes is shorter than header and CRC (%u)", n, SGPU_LINK_MIN_FRAME);
  if (n > SGPU_LINK_MAX_FRAME)
    return fail(SGPUI_LINK_E_LONG, err, errlen, "frame of %zu bytes exceeds the maximum of %u", n,
                SGPU_LINK_MAX_FRAME);
  if (sgpui_link_crc16(SGPU_LINK_CRC_INIT, raw, n) != 0)
    return fail(SGPUI_LINK_E_CRC, err, errlen,
                "CRC mismatch in a frame of %zu bytes: received 0x%04x, computed 0x%04x", n,
                (unsigned)(raw[n - 2] << 8 | raw[n - 1]),
                (unsigned)sgpui_link_crc16(SGPU_LINK_CRC_INIT, raw, n - 2));
  if (raw[SGPU_LINK_OFF_VERSION] != SGPU_LINK_VERSION)
    return fail(SGPUI_LINK_E_VERSION, err, errlen, "protocol version 0x%02x, expected 0x%02x",
                raw[SGPU_LINK_OFF_VERSION], SGPU_LINK_VERSION);
  uint16_t len = sgpui_link_get16(raw + SGPU_LINK_OFF_LEN);
  if (len != n - SGPU_LINK_MIN_FRAME)
    return fail(SGPUI_LINK_E_LENGTH, err, errlen,
                "length field %u but the frame carries %zu payload bytes", len,
                n - SGPU_LINK_MIN_FRAME);
  uint8_t k = raw[SGPU_LINK_OFF_KIND];
  if (!is_request_kind(k) && !is_request_kind(k & (uint8_t)~SGPU_LINK_KIND_RESPONSE) &&
      k != SGPU_LINK_KIND_NAK)
    return fail(SGPUI_LINK_E_KIND, err, errlen, "unknown kind 0x%02x", k);
  f->version = raw[SGPU_LINK_OFF_VERSION];
  f->kind = k;
  f->seq = raw[SGPU_LINK_OFF_SEQ];
  f->len = len;
  f->payload = raw + SGPU_LINK_HDR_LEN;
  return SGPUI_LINK_OK;
}

void sgpui_link_deframer_init(sgpui_link_deframer *d) {
  d->n = 0;
  d->overflow = 0;
}

int sgpui_link_deframer_push(sgpui_link_deframer *d, const uint8_t *p, size_t n, size_t *used,
                             sgpui_link_frame *f, char *err, size_t errlen) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != SGPU_LINK_DELIM) {
      if (d->n < sizeof d->buf)
        d->buf[d->n++] = p[i];
      else
        d->overflow++;
      continue;
    }
    *used = i + 1;
    size_t enc = d->n, over = d->overflow;
    d->n = 0;
    d->overflow = 0;
    if (enc == 0) continue; /* back-to-back delimiters: no frame */
    if (over)
      return fail(SGPUI_LINK_E_LONG, err, errlen,
                  "encoded frame of %zu bytes exceeds the maximum of %u (discarded)", enc + over,
                  SGPU_LINK_MAX_ENCODED);
    size_t raw_n;
    int e = sgpui_link_cobs_decode(d->buf, enc, d->buf, sizeof d->buf, &raw_n);
    if (e == SGPUI_LINK_E_COBS)
      return fail(e, err, errlen, "COBS block runs past the end of a %zu-byte encoded frame", enc);
    if (e != SGPUI_LINK_OK) /* cannot happen: decoding never lengthens */
      return fail(e, err, errlen, "COBS decoding of %zu bytes overflowed", enc);
    return sgpui_link_frame_parse(d->buf, raw_n, f, err, errlen);
  }
  *used = n;
  return SGPUI_LINK_MORE;
}

/* ---------------------------------------------------------------- the request engine */

void sgpui_link_client_init(sgpui_link_client *c, const sgpui_link_channel *ch,
                            const sgpui_link_cfg *cfg, uint8_t first_seq) {
  memset(c, 0, sizeof *c);
  c->ch = *ch;
  c->cfg.timeout_ms = cfg && cfg->timeout_ms ? cfg->timeout_ms : SGPUI_LINK_DEFAULT_TIMEOUT_MS;
  c->cfg.attempts = cfg && cfg->attempts ? cfg->attempts : SGPUI_LINK_DEFAULT_ATTEMPTS;
  c->seq = first_seq;
  sgpui_link_deframer_init(&c->df);
}

/* One request with the next sequence number; any_kind: accept a response of any kind (the
 * sync PING). */
static int exchange(sgpui_link_client *c, uint8_t kind, const uint8_t *req, size_t len,
                    bool any_kind, const uint8_t **resp, size_t *resp_len, char *err,
                    size_t errlen) {
  char msg[160];
  size_t wire_len;
  uint8_t seq = (uint8_t)(c->seq + 1u);
  int e = sgpui_link_frame_build(kind, seq, req, len, c->wire, sizeof c->wire, &wire_len, NULL,
                                 NULL, err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  c->seq = seq;
  c->stats.requests++;
  unsigned timeouts = 0, bad = 0, naks = 0, stale = 0;
  uint8_t last_nak = 0;
  uint16_t last_nak_detail = 0;
  bool nak_ended = false; /* the last attempt ended with a NAK */
  for (uint32_t attempt = 0; attempt < c->cfg.attempts; attempt++) {
    if (attempt) c->stats.retries++;
    nak_ended = false;
    c->stats.transmissions++;
    if (c->ch.write(c->ch.ctx, c->wire, wire_len, msg, sizeof msg) != 0) {
      c->synced = false;
      return fail(SGPUI_LINK_E_CHANNEL, err, errlen, "%s (seq 0x%02x): sending %zu bytes: %s",
                  sgpui_link_kind_name(kind), seq, wire_len, msg);
    }
    c->stats.bytes_tx += wire_len;
    size_t junk = 0;
    for (;;) {
      if (c->rx_pos == c->rx_len) {
        long r = c->ch.read(c->ch.ctx, c->rx, sizeof c->rx, c->cfg.timeout_ms, msg, sizeof msg);
        if (r < 0) {
          c->synced = false;
          return fail(SGPUI_LINK_E_CHANNEL, err, errlen, "%s (seq 0x%02x): receiving: %s",
                      sgpui_link_kind_name(kind), seq, msg);
        }
        if (r == 0) {
          timeouts++;
          c->stats.timeouts++;
          break;
        }
        c->rx_pos = 0;
        c->rx_len = (size_t)r;
        c->stats.bytes_rx += (uint64_t)r;
      }
      size_t used;
      sgpui_link_frame f;
      e = sgpui_link_deframer_push(&c->df, c->rx + c->rx_pos, c->rx_len - c->rx_pos, &used, &f,
                                   NULL, 0);
      c->rx_pos += used;
      junk += used;
      if (e == SGPUI_LINK_MORE) {
        if (junk > SGPUI_LINK_JUNK_LIMIT) {
          timeouts++;
          c->stats.timeouts++;
          break;
        }
        continue;
      }
      if (e != SGPUI_LINK_OK) { /* a damaged frame: most likely our response */
        bad++;
        c->stats.bad_frames++;
        break;
      }
      c->stats.frames_rx++;
      if (!(f.kind & SGPU_LINK_KIND_RESPONSE)) { /* a request: an echo of ours, not for us */
        c->stats.ignored++;
        continue;
      }
      if (f.seq != seq) {
        stale++;
        c->stats.stale++;
        if (junk > SGPUI_LINK_JUNK_LIMIT) {
          timeouts++;
          c->stats.timeouts++;
          break;
        }
        continue;
      }
      if (f.len < SGPU_LINK_RESP_HDR_LEN)
        return fail(SGPUI_LINK_E_PAYLOAD, err, errlen,
                    "%s (seq 0x%02x): %s of %u bytes, shorter than its status (%u)",
                    sgpui_link_kind_name(kind), seq, sgpui_link_kind_name(f.kind), f.len,
                    SGPU_LINK_RESP_HDR_LEN);
      uint8_t st = f.payload[0];
      uint16_t detail = sgpui_link_get16(f.payload + 2);
      if (f.kind == SGPU_LINK_KIND_NAK) {
        /* Nothing was executed. Our frame is well formed, so the bridge saw it damaged: a CRC
         * mismatch, or damage the CRC let through (zero bytes appended after the CRC keep a
         * zero residue and only the length check sees them). Send it again. */
        naks++;
        c->stats.naks++;
        last_nak = st;
        last_nak_detail = detail;
        nak_ended = true;
        break;
      }
      if (f.kind != (kind | SGPU_LINK_KIND_RESPONSE) && !any_kind) {
        c->synced = false; /* the bridge replayed another request's response */
        return fail(SGPUI_LINK_E_KIND, err, errlen,
                    "%s (seq 0x%02x) answered by a %s: the bridge's kept response is another "
                    "request's (resynchronising)",
                    sgpui_link_kind_name(kind), seq, sgpui_link_kind_name(f.kind));
      }
      memcpy(c->resp, f.payload, f.len);
      *resp = c->resp;
      *resp_len = f.len;
      c->last_status = st;
      c->last_detail = detail;
      return SGPUI_LINK_OK;
    }
  }
  c->stats.failures++;
  c->synced = false; /* however many requests are lost, the next seq never meets a kept one */
  if (nak_ended) {
    c->last_status = last_nak;
    c->last_detail = last_nak_detail;
    return fail(SGPUI_LINK_E_REMOTE, err, errlen,
                "%s (seq 0x%02x): no answer after %u transmissions, the last refused by the "
                "bridge (%u NAKs, %u timeouts, %u damaged frames): %s (0x%02x), detail %u (%s)",
                sgpui_link_kind_name(kind), seq, c->cfg.attempts, naks, timeouts, bad,
                sgpui_link_status_name(last_nak), last_nak, last_nak_detail,
                status_detail(last_nak));
  }
  return fail(SGPUI_LINK_E_TIMEOUT, err, errlen,
              "%s (seq 0x%02x): no valid response after %u transmissions (%u timeouts of %u ms, "
              "%u damaged frames, %u NAKs, %u stale responses)",
              sgpui_link_kind_name(kind), seq, c->cfg.attempts, timeouts, c->cfg.timeout_ms, bad,
              naks, stale);
}

int sgpui_link_sync(sgpui_link_client *c, char *err, size_t errlen) {
  const uint8_t *resp;
  size_t n;
  int e = exchange(c, SGPU_LINK_KIND_PING, NULL, 0, true, &resp, &n, err, errlen);
  c->synced = e == SGPUI_LINK_OK;
  return e;
}

int sgpui_link_request(sgpui_link_client *c, uint8_t kind, const uint8_t *req, size_t len,
                       const uint8_t **resp, size_t *resp_len, char *err, size_t errlen) {
  if (!c->synced) {
    int e = sgpui_link_sync(c, err, errlen);
    if (e != SGPUI_LINK_OK) return e;
  }
  return exchange(c, kind, req, len, false, resp, resp_len, err, errlen);
}

/* The response's status: OK, or E_REMOTE for one the kind may answer, else E_PAYLOAD. */
static int check_status(sgpui_link_client *c, uint8_t kind, const uint8_t *resp, size_t n,
                        uint32_t allowed, char *err, size_t errlen) {
  uint8_t st = resp[0];
  uint16_t detail = sgpui_link_get16(resp + 2);
  if (st == SGPU_LINK_ST_OK) return SGPUI_LINK_OK;
  if (st >= SGPU_LINK_ST_FIRST_EXEC && st < SGPU_LINK_ST_FIRST_EXEC + 32u &&
      (allowed >> (st - SGPU_LINK_ST_FIRST_EXEC) & 1u)) {
    c->last_status = st;
    c->last_detail = detail;
    return fail(SGPUI_LINK_E_REMOTE, err, errlen,
                "%s (seq 0x%02x): bridge reports %s, detail %u (%s)", sgpui_link_kind_name(kind),
                c->seq, sgpui_link_status_name(st), detail, status_detail(st));
  }
  return fail(SGPUI_LINK_E_PAYLOAD, err, errlen,
              "%s (seq 0x%02x): response status 0x%02x (%s) is not one this kind answers "
              "(%zu bytes)",
              sgpui_link_kind_name(kind), c->seq, st, sgpui_link_status_name(st), n);
}
#define ALLOW(st) (1u << ((st)-SGPU_LINK_ST_FIRST_EXEC))

static int bad_len(const sgpui_link_client *c, uint8_t kind, size_t got, size_t want, char *err,
                   size_t errlen) {
  return fail(SGPUI_LINK_E_PAYLOAD, err, errlen,
              "%s (seq 0x%02x): response payload of %zu bytes, expected %zu",
              sgpui_link_kind_name(kind), c->seq, got, want);
}

int sgpui_link_ping(sgpui_link_client *c, char *err, size_t errlen) {
  const uint8_t *r;
  size_t n;
  int e = sgpui_link_request(c, SGPU_LINK_KIND_PING, NULL, 0, &r, &n, err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  if ((e = check_status(c, SGPU_LINK_KIND_PING, r, n, 0, err, errlen)) != SGPUI_LINK_OK) return e;
  if (n != SGPU_LINK_RESP_HDR_LEN)
    return bad_len(c, SGPU_LINK_KIND_PING, n, SGPU_LINK_RESP_HDR_LEN, err, errlen);
  return SGPUI_LINK_OK;
}

int sgpui_link_info_get(sgpui_link_client *c, sgpui_link_info *info, char *err, size_t errlen) {
  const uint8_t *r;
  size_t n;
  int e = sgpui_link_request(c, SGPU_LINK_KIND_INFO, NULL, 0, &r, &n, err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  if ((e = check_status(c, SGPU_LINK_KIND_INFO, r, n, ALLOW(SGPU_LINK_ST_BUS_ERROR), err,
                        errlen)) != SGPUI_LINK_OK)
    return e;
  if (n != SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_INFO_LEN)
    return bad_len(c, SGPU_LINK_KIND_INFO, n, SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_INFO_LEN, err,
                   errlen);
  const uint8_t *d = r + SGPU_LINK_RESP_HDR_LEN;
  info->link_version = d[0];
  info->admin_wait_log2 = d[1];
  info->max_payload = sgpui_link_get16(d + 2);
  info->id = sgpui_link_get32(d + 4);
  info->version = sgpui_link_get32(d + 8);
  info->caps0 = sgpui_link_get32(d + 12);
  info->caps1 = sgpui_link_get32(d + 16);
  info->caps2 = sgpui_link_get32(d + 20);
  return SGPUI_LINK_OK;
}

int sgpui_link_batch(sgpui_link_client *c, sgpui_link_op *ops, size_t n, size_t *done, char *err,
                     size_t errlen) {
  *done = 0;
  for (size_t i = 0; i < n; i++)
    if (ops[i].addr >= (1u << SGPU_BUS_ADDR_BITS) || ops[i].addr % 4u || ops[i].is_write > 1u)
      return fail(SGPUI_LINK_E_ARG, err, errlen, "register batch entry %zu of %zu (%s 0x%x): %s", i,
                  n, ops[i].is_write ? "write" : "read", ops[i].addr,
                  ops[i].is_write > 1u ? "is_write is neither 0 nor 1"
                  : ops[i].addr % 4u   ? "address not 4-byte aligned"
                                       : "address beyond the register bus");
  size_t i = 0;
  while (i < n) {
    uint8_t req[SGPU_LINK_MAX_PAYLOAD];
    size_t len = 0, reads = 0, j = i;
    while (j < n) {
      size_t op_len = ops[j].is_write ? SGPU_LINK_OP_WRITE_LEN : SGPU_LINK_OP_READ_LEN;
      if (len + op_len > SGPU_LINK_MAX_PAYLOAD) break;
      if (!ops[j].is_write && reads == SGPU_LINK_BATCH_MAX_READS) break;
      req[len] = ops[j].is_write ? SGPU_LINK_OP_WRITE : SGPU_LINK_OP_READ;
      sgpui_link_put16(req + len + 1, (uint16_t)ops[j].addr);
      if (ops[j].is_write)
        sgpui_link_put32(req + len + 3, ops[j].value);
      else
        reads++;
      len += op_len;
      j++;
    }
    const uint8_t *r;
    size_t rn;
    int e = sgpui_link_request(c, SGPU_LINK_KIND_REG_BATCH, req, len, &r, &rn, err, errlen);
    if (e != SGPUI_LINK_OK) return e;
    uint8_t st = r[0];
    size_t carried = sgpui_link_get16(r + 2);
    if (st != SGPU_LINK_ST_OK && st != SGPU_LINK_ST_BUS_ERROR)
      return check_status(c, SGPU_LINK_KIND_REG_BATCH, r, rn, 0, err, errlen);
    if (carried > j - i || (st == SGPU_LINK_ST_OK && carried != j - i) ||
        (st == SGPU_LINK_ST_BUS_ERROR && carried == j - i))
      return fail(SGPUI_LINK_E_PAYLOAD, err, errlen,
                  "REG_BATCH (seq 0x%02x): %s after %zu of %zu operations", c->seq,
                  sgpui_link_status_name(st), carried, j - i);
    size_t rd = 0;
    for (size_t k = i; k < i + carried; k++) rd += !ops[k].is_write;
    if (rn != SGPU_LINK_RESP_HDR_LEN + 4u * rd)
      return bad_len(c, SGPU_LINK_KIND_REG_BATCH, rn, SGPU_LINK_RESP_HDR_LEN + 4u * rd, err,
                     errlen);
    const uint8_t *d = r + SGPU_LINK_RESP_HDR_LEN;
    for (size_t k = i; k < i + carried; k++)
      if (!ops[k].is_write) {
        ops[k].value = sgpui_link_get32(d);
        d += 4;
      }
    *done = i + carried;
    if (st == SGPU_LINK_ST_BUS_ERROR) {
      c->last_status = st;
      c->last_detail = (uint16_t)carried;
      return fail(SGPUI_LINK_E_REMOTE, err, errlen,
                  "register batch entry %zu of %zu (%s 0x%03x): bus error at the bridge", *done, n,
                  ops[*done].is_write ? "write" : "read", ops[*done].addr);
    }
    i = j;
  }
  return SGPUI_LINK_OK;
}

static const uint32_t admin_errors = ALLOW(SGPU_LINK_ST_BUS_ERROR) |
                                     ALLOW(SGPU_LINK_ST_ADMIN_BUSY) |
                                     ALLOW(SGPU_LINK_ST_ADMIN_TIMEOUT);

int sgpui_link_admin(sgpui_link_client *c, const sgpui_link_admin_req *rq,
                     sgpui_link_admin_resp *rs, char *err, size_t errlen) {
  memset(rs, 0, sizeof *rs);
  if (rq->nargs > SGPU_LINK_ADMIN_MAX_ARGS || rq->nres > SGPU_LINK_ADMIN_MAX_RES ||
      (rq->flags & ~SGPU_LINK_ADMIN_F_PHASES) || rq->policy >> SGPU_CMD_OP_POLICY_BITS)
    return fail(SGPUI_LINK_E_ARG, err, errlen,
                "ADMIN opcode 0x%02x: nargs %u (max %u), nres %u (max %u), flags 0x%02x, "
                "policy %u (max %u): out of range",
                rq->opcode, rq->nargs, SGPU_LINK_ADMIN_MAX_ARGS, rq->nres, SGPU_LINK_ADMIN_MAX_RES,
                rq->flags, rq->policy, (1u << SGPU_CMD_OP_POLICY_BITS) - 1u);
  uint8_t req[SGPU_LINK_ADMIN_HDR_LEN + 4u * SGPU_LINK_ADMIN_MAX_ARGS];
  req[0] = rq->opcode;
  req[1] = rq->policy;
  req[2] = rq->nargs;
  req[3] = rq->nres;
  req[4] = rq->flags;
  for (unsigned i = 0; i < rq->nargs; i++)
    sgpui_link_put32(req + SGPU_LINK_ADMIN_HDR_LEN + 4u * i, rq->args[i]);
  const uint8_t *r;
  size_t n;
  int e = sgpui_link_request(c, SGPU_LINK_KIND_ADMIN, req, SGPU_LINK_ADMIN_HDR_LEN + 4u * rq->nargs,
                             &r, &n, err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  if ((e = check_status(c, SGPU_LINK_KIND_ADMIN, r, n, admin_errors, err, errlen)) != SGPUI_LINK_OK)
    return e;
  unsigned nph = rq->flags & SGPU_LINK_ADMIN_F_PHASES ? SGPU_LINK_ADMIN_NPHASES : 0;
  size_t want = SGPU_LINK_RESP_HDR_LEN + 8u + 4u * (rq->nres + nph);
  if (n != want) return bad_len(c, SGPU_LINK_KIND_ADMIN, n, want, err, errlen);
  const uint8_t *d = r + SGPU_LINK_RESP_HDR_LEN;
  rs->cpl_status = sgpui_link_get32(d);
  rs->cpl_seq = sgpui_link_get32(d + 4);
  d += 8;
  for (unsigned i = 0; i < rq->nres; i++, d += 4) rs->res[i] = sgpui_link_get32(d);
  for (unsigned i = 0; i < nph; i++, d += 4) rs->phases[i] = sgpui_link_get32(d);
  return SGPUI_LINK_OK;
}

static int mem_words_ok(uint32_t words, const char *what, char *err, size_t errlen) {
  if (words == 0 || words > SGPU_LINK_MEM_MAX_WORDS)
    return fail(SGPUI_LINK_E_ARG, err, errlen, "%s of %u words: 1..%u per burst", what, words,
                SGPU_LINK_MEM_MAX_WORDS);
  return SGPUI_LINK_OK;
}

static void mem_resp(const uint8_t *d, sgpui_link_mem_resp *rs) {
  rs->cpl_status = sgpui_link_get32(d);
  rs->cpl_seq = sgpui_link_get32(d + 4);
  rs->res0 = sgpui_link_get32(d + 8);
}

int sgpui_link_mem_read(sgpui_link_client *c, uint32_t handle, uint32_t va, uint32_t words,
                        uint32_t *data, sgpui_link_mem_resp *rs, char *err, size_t errlen) {
  memset(rs, 0, sizeof *rs);
  int e = mem_words_ok(words, "MEM_READ", err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  uint8_t req[SGPU_LINK_MEM_READ_LEN];
  sgpui_link_put32(req, handle);
  sgpui_link_put32(req + 4, va);
  sgpui_link_put16(req + 8, (uint16_t)words);
  const uint8_t *r;
  size_t n;
  if ((e = sgpui_link_request(c, SGPU_LINK_KIND_MEM_READ, req, sizeof req, &r, &n, err, errlen)) !=
      SGPUI_LINK_OK)
    return e;
  if ((e = check_status(c, SGPU_LINK_KIND_MEM_READ, r, n, admin_errors, err, errlen)) !=
      SGPUI_LINK_OK)
    return e;
  if (n < SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN)
    return bad_len(c, SGPU_LINK_KIND_MEM_READ, n, SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN,
                   err, errlen);
  mem_resp(r + SGPU_LINK_RESP_HDR_LEN, rs);
  size_t want = SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN +
                (rs->cpl_status == SGPU_STATUS_SUCCESS ? 4u * words : 0u);
  if (n != want) return bad_len(c, SGPU_LINK_KIND_MEM_READ, n, want, err, errlen);
  if (rs->cpl_status == SGPU_STATUS_SUCCESS) {
    const uint8_t *d = r + SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN;
    for (uint32_t i = 0; i < words; i++) data[i] = sgpui_link_get32(d + 4u * i);
  }
  return SGPUI_LINK_OK;
}

int sgpui_link_mem_write(sgpui_link_client *c, uint32_t handle, uint32_t va, uint32_t words,
                         const uint32_t *data, sgpui_link_mem_resp *rs, char *err, size_t errlen) {
  memset(rs, 0, sizeof *rs);
  int e = mem_words_ok(words, "MEM_WRITE", err, errlen);
  if (e != SGPUI_LINK_OK) return e;
  uint8_t req[SGPU_LINK_MEM_HDR_LEN + 4u * SGPU_LINK_MEM_MAX_WORDS];
  sgpui_link_put32(req, handle);
  sgpui_link_put32(req + 4, va);
  for (uint32_t i = 0; i < words; i++)
    sgpui_link_put32(req + SGPU_LINK_MEM_HDR_LEN + 4u * i, data[i]);
  const uint8_t *r;
  size_t n;
  if ((e = sgpui_link_request(c, SGPU_LINK_KIND_MEM_WRITE, req, SGPU_LINK_MEM_HDR_LEN + 4u * words,
                              &r, &n, err, errlen)) != SGPUI_LINK_OK)
    return e;
  if ((e = check_status(c, SGPU_LINK_KIND_MEM_WRITE, r, n, admin_errors, err, errlen)) !=
      SGPUI_LINK_OK)
    return e;
  if (n != SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN)
    return bad_len(c, SGPU_LINK_KIND_MEM_WRITE, n, SGPU_LINK_RESP_HDR_LEN + SGPU_LINK_MEM_RESP_LEN,
                   err, errlen);
  mem_resp(r + SGPU_LINK_RESP_HDR_LEN, rs);
  return SGPUI_LINK_OK;
}
