/* fuzz_link.c - libFuzzer target on the host side of the wire protocol (host/lib/link_proto.c,
 * docs/protocol.md): the streaming deframer, the frame parser, COBS, and the request engine's
 * handling of whatever the far end sends back (the response parser of every request kind).
 *
 * An input is: a mode byte, a chunk byte, then the bytes. Modes:
 *   0  raw stream: the bytes go to the deframer in chunks of 1 + chunk % 64 bytes;
 *   1  framed stream: the bytes are pieces [n][ctl][n bytes] (n = 0..255); each piece gets a
 *      correct CRC and is COBS-encoded between delimiters, ctl optionally fixing its version,
 *      length field, kind and sequence number (so the fuzzer reaches the checks behind the CRC
 *      and the engine's matching), every 8th piece left raw (garbage between frames); then
 *      deframed as in mode 0;
 *   2  the engine: the framed stream of mode 1 is what the far end answers, read in chunks;
 *      the client (3 attempts) runs the sync PING and then one request chosen by the chunk
 *      byte: PING, INFO, a REG_BATCH of reads and writes, an ADMIN with phases, MEM_READ or
 *      MEM_WRITE. An empty read is a timeout (no wall clock), or, with bit 2 of the mode byte,
 *      a failing channel;
 *   3  COBS: decode the bytes; what decodes must encode back to a stream that decodes to the
 *      same bytes.
 * Checked (abort on violation, beside ASan/UBSan): a frame the deframer returns is one the
 * parser accepts, its payload within SGPU_LINK_MAX_PAYLOAD and inside the deframer's buffer,
 * and rebuilding it with sgpui_link_frame_build and deframing the result gives the same frame;
 * the engine never consumes more bytes than it was given, answers OK only with a payload of
 * the request's size, and its counters agree (transmissions = requests + retries).
 *
 * Build and run: mk/fuzz.mk (`make test`: fuzz-link, a short run; `make fuzz-link`: a timed
 * campaign of FUZZ_TIME seconds). Replay a crash: build/tests/fuzz/fuzz_link CRASHFILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_proto.h"
#include "sgpu_regs.h"

#define CHECK(c)                                                                 \
  do {                                                                           \
    if (!(c)) {                                                                  \
      fprintf(stderr, "fuzz_link: check failed: %s (line %d)\n", #c, __LINE__); \
      abort();                                                                   \
    }                                                                            \
  } while (0)

/* Mode 1's stream: pieces [n][ctl][n bytes], each with a correct CRC, COBS-encoded between
 * delimiters; every 8th piece is sent raw (garbage between frames). ctl helps the fuzzer past
 * the checks behind the CRC: bit 0 sets the version byte, bit 1 the length field to the
 * piece's payload size, bit 2 picks the kind from the known ones (byte 1 indexes them), bit 3
 * makes the sequence number 1 or 2 (the engine's sync PING and its request), bit 4 makes it a
 * response of a request kind (byte 1 picks it) with the payload size a well-formed answer to
 * the engine's request of that kind has (zero-padded), so the answers' parsers are reached. */
static const uint8_t kinds[] = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0xFF, 0x01, 0x04, 0x87, 0x00};
/* Payload sizes of well-formed answers to engine()'s requests: PING, INFO, the batch (4
 * reads), ADMIN with 6 results and phases, MEM_READ of 8 words, MEM_WRITE. */
static const uint16_t answer_len[6] = {4, 4 + SGPU_LINK_INFO_LEN, 4 + 16, 4 + 8 + 48,
                                       4 + 12 + 32, 4 + 12};

static size_t build_stream(const uint8_t *p, size_t n, uint8_t *out, size_t cap) {
  size_t o = 0, i = 0, piece = 0;
  while (i + 2 <= n && o + SGPU_LINK_MAX_WIRE + 4 < cap) {
    size_t len = p[i++];
    uint8_t ctl = p[i++];
    if (len > n - i) len = n - i;
    uint8_t raw[SGPU_LINK_MAX_FRAME];
    memcpy(raw, p + i, len);
    i += len;
    if ((ctl & 16u) && len >= SGPU_LINK_HDR_LEN) {
      unsigned k = raw[SGPU_LINK_OFF_KIND] % 6u;
      size_t want = SGPU_LINK_HDR_LEN + answer_len[k];
      if (want > len) memset(raw + len, 0, want - len);
      len = want;
      raw[SGPU_LINK_OFF_KIND] = (uint8_t)(0x81u + k);
      ctl &= (uint8_t)~4u;
    }
    if (++piece % 8 == 0) { /* raw garbage */
      memcpy(out + o, raw, len);
      o += len;
      continue;
    }
    if (len >= SGPU_LINK_HDR_LEN) {
      if (ctl & 1u) raw[SGPU_LINK_OFF_VERSION] = SGPU_LINK_VERSION;
      if (ctl & 2u) sgpui_link_put16(raw + SGPU_LINK_OFF_LEN, (uint16_t)(len - SGPU_LINK_HDR_LEN));
      if (ctl & 4u) raw[SGPU_LINK_OFF_KIND] = kinds[raw[SGPU_LINK_OFF_KIND] % sizeof kinds];
      if (ctl & 8u) raw[SGPU_LINK_OFF_SEQ] = (uint8_t)(1u + (raw[SGPU_LINK_OFF_SEQ] & 1u));
    }
    uint16_t crc = sgpui_link_crc16(SGPU_LINK_CRC_INIT, raw, len);
    raw[len] = (uint8_t)(crc >> 8);
    raw[len + 1] = (uint8_t)crc;
    out[o++] = SGPU_LINK_DELIM;
    o += sgpui_link_cobs_encode(raw, len + 2, out + o);
    out[o++] = SGPU_LINK_DELIM;
  }
  return o;
}

static void check_frame(const sgpui_link_deframer *d, const sgpui_link_frame *f) {
  CHECK(f->len <= SGPU_LINK_MAX_PAYLOAD);
  CHECK(f->payload >= d->buf && f->payload + f->len <= d->buf + sizeof d->buf);
  CHECK(f->version == SGPU_LINK_VERSION);
  /* Rebuild it and deframe that: the same frame. */
  uint8_t wire[SGPU_LINK_MAX_WIRE];
  size_t wl;
  CHECK(sgpui_link_frame_build(f->kind, f->seq, f->payload, f->len, wire, sizeof wire, &wl, NULL,
                               NULL, NULL, 0) == SGPUI_LINK_OK);
  sgpui_link_deframer d2;
  sgpui_link_deframer_init(&d2);
  size_t used = 0;
  sgpui_link_frame g;
  int e = sgpui_link_deframer_push(&d2, wire, wl, &used, &g, NULL, 0);
  CHECK(e == SGPUI_LINK_OK && g.kind == f->kind && g.seq == f->seq && g.len == f->len &&
        !memcmp(g.payload, f->payload, f->len));
}

static void deframe(const uint8_t *p, size_t n, uint8_t chunk) {
  sgpui_link_deframer d;
  sgpui_link_deframer_init(&d);
  size_t step = 1u + chunk % 64u;
  char err[256];
  for (size_t i = 0; i < n;) {
    size_t k = n - i < step ? n - i : step, pos = 0;
    while (pos < k) {
      size_t used = 0;
      sgpui_link_frame f;
      int e = sgpui_link_deframer_push(&d, p + i + pos, k - pos, &used, &f, err, sizeof err);
      CHECK(used >= 1 && used <= k - pos);
      pos += used;
      if (e == SGPUI_LINK_OK) check_frame(&d, &f);
      else CHECK(e == SGPUI_LINK_MORE || (e >= SGPUI_LINK_E_COBS && e <= SGPUI_LINK_E_KIND));
    }
    i += k;
  }
}

/* ---------------------------------------------------------------- the engine */

typedef struct {
  const uint8_t *p;
  size_t n, pos, step;
  uint64_t written;
  bool fail_at_end; /* the read after the stream fails (a closed connection), not a timeout */
} chan;

static int ch_write(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen) {
  (void)p, (void)err, (void)errlen;
  ((chan *)ctx)->written += n;
  return 0;
}

static long ch_read(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err,
                    size_t errlen) {
  (void)timeout_ms;
  chan *c = ctx;
  size_t k = c->n - c->pos;
  if (k > c->step) k = c->step;
  if (k > cap) k = cap;
  if (k == 0 && c->fail_at_end) {
    snprintf(err, errlen, "fuzz channel: closed");
    return -1;
  }
  memcpy(p, c->p + c->pos, k);
  c->pos += k;
  return (long)k; /* 0: a timeout */
}

static void engine(const uint8_t *stream, size_t n, uint8_t chunk, bool fail_at_end) {
  chan ch = {stream, n, 0, 1u + chunk % 97u, 0, fail_at_end};
  sgpui_link_channel lc = {&ch, ch_write, ch_read};
  sgpui_link_cfg cfg = {1, 3};
  static sgpui_link_client cl; /* large: not on the stack */
  sgpui_link_client_init(&cl, &lc, &cfg, 0);
  char err[512];
  int e = SGPUI_LINK_OK;
  switch (chunk % 6u) {
    case 0: e = sgpui_link_ping(&cl, err, sizeof err); break;
    case 1: {
      sgpui_link_info info;
      e = sgpui_link_info_get(&cl, &info, err, sizeof err);
      break;
    }
    case 2: {
      sgpui_link_op ops[5] = {{SGPU_REG_ID, 0, 0}, {SGPU_REG_DRAIN_TIMEOUT, 1, 7},
                              {SGPU_REG_VERSION, 0, 0}, {SGPU_REG_CAPS0, 0, 0},
                              {SGPU_REG_CPL_SEQ, 0, 0}};
      size_t done = 0;
      e = sgpui_link_batch(&cl, ops, 5, &done, err, sizeof err);
      CHECK(done <= 5 && (e != SGPUI_LINK_OK || done == 5));
      break;
    }
    case 3: {
      sgpui_link_admin_req rq = {SGPU_OP_DESTROY_PROCESS, 1, 1, 6, SGPU_LINK_ADMIN_F_PHASES,
                                 {0x10001u, 0, 0, 0}};
      sgpui_link_admin_resp rs;
      e = sgpui_link_admin(&cl, &rq, &rs, err, sizeof err);
      break;
    }
    case 4: {
      uint32_t data[8];
      sgpui_link_mem_resp rs;
      e = sgpui_link_mem_read(&cl, 0x10001u, 0x1000u, 8, data, &rs, err, sizeof err);
      break;
    }
    default: {
      uint32_t data[3] = {1, 2, 3};
      sgpui_link_mem_resp rs;
      e = sgpui_link_mem_write(&cl, 0x10001u, 0x1000u, 3, data, &rs, err, sizeof err);
      break;
    }
  }
  CHECK(e >= SGPUI_LINK_OK && e <= SGPUI_LINK_E_ARG && e != SGPUI_LINK_MORE);
  CHECK(ch.pos <= n);
  CHECK(cl.stats.transmissions == cl.stats.requests + cl.stats.retries);
  CHECK(cl.stats.bytes_rx == ch.pos && cl.rx_pos <= cl.rx_len);
  CHECK(cl.stats.bytes_tx == ch.written);
}

/* ---------------------------------------------------------------- COBS */

static void cobs(const uint8_t *p, size_t n) {
  static uint8_t dec[4096], enc[4096 + 32], dec2[4096];
  size_t dl = 0;
  if (n > 4000) n = 4000;
  if (sgpui_link_cobs_decode(p, n, dec, sizeof dec, &dl) != SGPUI_LINK_OK) return;
  CHECK(dl <= n);
  size_t el = sgpui_link_cobs_encode(dec, dl, enc);
  CHECK(el <= SGPU_LINK_COBS_MAX(dl));
  for (size_t i = 0; i < el; i++) CHECK(enc[i] != 0);
  size_t d2 = 0;
  CHECK(sgpui_link_cobs_decode(enc, el, dec2, sizeof dec2, &d2) == SGPUI_LINK_OK);
  CHECK(d2 == dl && !memcmp(dec, dec2, dl));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  uint8_t mode = data[0] % 4u, chunk = data[1];
  data += 2;
  size -= 2;
  static uint8_t stream[3 * 65536];
  size_t sn;
  switch (mode) {
    case 0:
      deframe(data, size, chunk);
      break;
    case 1:
      sn = build_stream(data, size, stream, sizeof stream);
      deframe(stream, sn, chunk);
      break;
    case 2:
      sn = build_stream(data, size, stream, sizeof stream);
      engine(stream, sn, chunk, (data[-2] >> 2) & 1u);
      break;
    default:
      cobs(data, size);
  }
  return 0;
}
