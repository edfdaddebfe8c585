/* test_proto.c - the wire protocol (docs/protocol.md): the host side (host/lib/link_proto.c)
 * against the reference bridge (tests/model/bridge_ref.c).
 *
 *   crc        the CRC-16/CCITT-FALSE check value, zero residue, host == bridge
 *   cobs       published vectors, random round trips with zeros up to the maximum frame,
 *              in-place decoding, host encoder == bridge encoder, decoding errors
 *   frames     every malformed frame rejected by the host parser with its error, and by the
 *              bridge with its NAK status and detail (or dropped), nothing executed and the
 *              kept response unchanged; replay without re-execution; BUS_ERROR, ADMIN_BUSY,
 *              ADMIN_TIMEOUT
 *   engine     the request engine against a scripted far end: stale and echoed frames
 *              discarded, CRC NAK retried, other NAKs and malformed responses refused,
 *              retries exhausted, a failing channel
 *   deframer   resynchronisation after garbage, a lost byte, split and joined chunks
 *   faults     the engine and the bridge over an in-memory channel that drops, flips,
 *              duplicates, inserts and swaps bytes (seeded, per direction) against a register
 *              file / counter / mailbox device: no write applied twice or lost, every call
 *              either right or a clear link error
 *   model      the real device model (tests/model/sim_shell.c + sgpu_ref.c) behind the
 *              bridge over a faulty channel: process lifecycles with memory bursts
 *   examples   the worked frames of docs/protocol.md: --examples prints them, --doc FILE
 *              checks that FILE contains them verbatim
 *
 * Usage: test_proto [--seed N] [--ops N] [--doc FILE] [--examples]
 * Random parts are seeded (default seed 1) and print the line that replays them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_ref.h"
#include "host_test.h"
#include "link_fixture.h"
#include "link_proto.h"
#include "sgpu.h"
#include "sgpu_regs.h"
#include "sgpu_sim.h"

/* ==================== crc */

static void test_crc(uint64_t seed) {
  const uint8_t check[] = "123456789";
  uint16_t h = sgpui_link_crc16(SGPU_LINK_CRC_INIT, check, 9);
  uint16_t b = bridge_ref_crc16(SGPU_LINK_CRC_INIT, check, 9);
  CHECK(h == SGPU_LINK_CRC_CHECK && h == 0x29B1u,
        "crc: host CRC of \"123456789\" = 0x%04x (0x29B1)", h);
  CHECK(b == 0x29B1u, "crc: bridge CRC of \"123456789\" = 0x%04x (0x29B1)", b);
  CHECK(sgpui_link_crc16(SGPU_LINK_CRC_INIT, check, 0) == 0xFFFFu,
        "crc: of no bytes is the initial value 0xFFFF");
  uint8_t with[11];
  memcpy(with, check, 9);
  with[9] = (uint8_t)(h >> 8);
  with[10] = (uint8_t)h;
  CHECK(sgpui_link_crc16(SGPU_LINK_CRC_INIT, with, 11) == 0,
        "crc: over the data and its CRC sent most significant byte first is 0 (zero residue)");
  uint64_t s = seed;
  unsigned same = 0, n = 2000;
  for (unsigned i = 0; i < n; i++) {
    uint8_t buf[600];
    size_t len = rndn(&s, sizeof buf + 1);
    for (size_t k = 0; k < len; k++) buf[k] = (uint8_t)rnd(&s);
    uint16_t init = (uint16_t)rnd(&s);
    same += sgpui_link_crc16(init, buf, len) == bridge_ref_crc16(init, buf, len);
  }
  CHECK(same == n, "crc: host (bitwise) and bridge (byte-parallel) agree on %u/%u random buffers",
        same, n);
}

/* ==================== cobs */

typedef struct {
  const char *what;
  uint8_t in[8];
  size_t n;
  uint8_t out[10];
  size_t m;
} cobs_vec;

static void test_cobs(uint64_t seed) {
  static const cobs_vec v[] = {
      {"empty", {0}, 0, {0x01}, 1},
      {"00", {0x00}, 1, {0x01, 0x01}, 2},
      {"00 00", {0x00, 0x00}, 2, {0x01, 0x01, 0x01}, 3},
      {"00 11 00", {0x00, 0x11, 0x00}, 3, {0x01, 0x02, 0x11, 0x01}, 4},
      {"11 22 00 33", {0x11, 0x22, 0x00, 0x33}, 4, {0x03, 0x11, 0x22, 0x02, 0x33}, 5},
      {"11 22 33 44", {0x11, 0x22, 0x33, 0x44}, 4, {0x05, 0x11, 0x22, 0x33, 0x44}, 5},
      {"11 00 00 00", {0x11, 0x00, 0x00, 0x00}, 4, {0x02, 0x11, 0x01, 0x01, 0x01}, 5},
  };
  uint8_t enc[SGPU_LINK_MAX_ENCODED + 8], dec[SGPU_LINK_MAX_FRAME + 8],
      benc[SGPU_LINK_MAX_ENCODED + 8];
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    size_t m = sgpui_link_cobs_encode(v[i].in, v[i].n, enc),
           bm = bridge_ref_cobs_encode(v[i].in, v[i].n, benc);
    size_t dn = 99;
    int e = sgpui_link_cobs_decode(enc, m, dec, sizeof dec, &dn);
    char h[64];
    hex(h, sizeof h, enc, m);
    CHECK(m == v[i].m && !memcmp(enc, v[i].out, m) && bm == m && !memcmp(benc, enc, m) &&
              e == SGPUI_LINK_OK && dn == v[i].n && !memcmp(dec, v[i].in, dn),
          "cobs: %s encodes to %s (host and bridge) and decodes back", v[i].what, h);
  }
  /* The long vectors: 254 and 255 non-zero bytes, 255 ending in a zero. */
  uint8_t in[SGPU_LINK_MAX_FRAME];
  for (int i = 0; i < 255; i++) in[i] = (uint8_t)(i + 1);
  size_t m = sgpui_link_cobs_encode(in, 254, enc);
  CHECK(m == 255 && enc[0] == 0xFF && !memcmp(enc + 1, in, 254),
        "cobs: 01..FE (254 bytes) encodes to FF 01..FE, no trailing code byte (%zu bytes)", m);
  m = sgpui_link_cobs_encode(in, 255, enc);
  CHECK(m == 257 && enc[0] == 0xFF && enc[255] == 0x02 && enc[256] == 0xFF,
        "cobs: 01..FF (255 bytes) encodes to FF 01..FE 02 FF (%zu bytes)", m);
  for (int i = 0; i < 254; i++) in[i] = (uint8_t)(i + 2);
  in[254] = 0;
  m = sgpui_link_cobs_encode(in, 255, enc);
  CHECK(m == 257 && enc[0] == 0xFF && enc[255] == 0x01 && enc[256] == 0x01,
        "cobs: 02..FF 00 (255 bytes) encodes to FF 02..FF 01 01 (%zu bytes)", m);

  /* Random round trips: lengths 0..max frame, zero densities none/some/half/all, runs. */
  uint64_t s = seed;
  unsigned ok = 0, n = 3000, worst = 0;
  for (unsigned i = 0; i < n; i++) {
    size_t len = i < 4 ? SGPU_LINK_MAX_FRAME : rndn(&s, SGPU_LINK_MAX_FRAME + 1);
    unsigned mode = i % 5;
    for (size_t k = 0; k < len; k++) {
      uint8_t b = (uint8_t)rnd(&s);
      in[k] = mode == 0   ? (uint8_t)(b | 1u)                        /* no zeros (worst case) */
              : mode == 1 ? (rndn(&s, 64) ? (uint8_t)(b | 1u) : 0)   /* some */
              : mode == 2 ? (rndn(&s, 2) ? b : 0)                    /* half */
              : mode == 3 ? 0                                        /* all */
                          : (uint8_t)((k / 300) % 2 ? 0 : (b | 1u)); /* runs */
    }
    m = sgpui_link_cobs_encode(in, len, enc);
    size_t bm = bridge_ref_cobs_encode(in, len, benc);
    bool nozero = memchr(enc, 0, m) == NULL;
    size_t dn;
    memcpy(dec, enc, m); /* in place */
    int e = sgpui_link_cobs_decode(dec, m, dec, sizeof dec, &dn);
    bool good = nozero && m <= SGPU_LINK_COBS_MAX(len) && bm == m && !memcmp(enc, benc, m) &&
                e == SGPUI_LINK_OK && dn == len && !memcmp(dec, in, len);
    if (mode == 0 && len == SGPU_LINK_MAX_FRAME && m == SGPU_LINK_MAX_ENCODED) worst++;
    if (!good && ok == i)
      printf("  cobs round trip %u failed: len %zu mode %u (seed %" PRIu64 ")\n", i, len, mode,
             seed);
    ok += good;
  }
  CHECK(ok == n,
        "cobs: %u/%u random round trips (0..%u bytes, with and without zeros, decoded in place; "
        "host == bridge encoder)",
        ok, n, SGPU_LINK_MAX_FRAME);
  CHECK(worst > 0,
        "cobs: a %u-byte frame without zeros encodes to exactly SGPU_LINK_MAX_ENCODED = %u bytes",
        SGPU_LINK_MAX_FRAME, SGPU_LINK_MAX_ENCODED);
  size_t dn;
  const uint8_t past[] = {0x05, 0x11, 0x22}, zero[] = {0x02, 0x11, 0x00, 0x01};
  CHECK(sgpui_link_cobs_decode(past, 3, dec, sizeof dec, &dn) == SGPUI_LINK_E_COBS,
        "cobs: 05 11 22 (block runs past the end) is E_COBS");
  CHECK(sgpui_link_cobs_decode(zero, 4, dec, sizeof dec, &dn) == SGPUI_LINK_E_COBS,
        "cobs: a code byte 00 is E_COBS");
  const uint8_t four[] = {0x05, 0x11, 0x22, 0x33, 0x44};
  CHECK(sgpui_link_cobs_decode(four, 5, dec, 3, &dn) == SGPUI_LINK_E_LONG,
        "cobs: decoding 4 bytes into room for 3 is E_LONG");
}

/* ==================== frames: host parser and bridge */

typedef struct {
  tlink *t;
  fakedev *d;
  uint64_t accesses; /* the device's bus accesses when the kept response was made */
} frame_env;

/* A malformed frame: the host parser's verdict, then the bridge's (a NAK with status and
 * detail, seq echoed), with no bus access. nak_status 0xFF: the host accepts the frame and
 * only the bridge refuses it by its payload. */
static void expect_reject(frame_env *x, const char *what, uint8_t version, uint8_t kind,
                          uint8_t seq, uint16_t lenf, const uint8_t *pl, size_t n, bool crc_ok,
                          int host_err, uint8_t nak_status, uint32_t nak_detail) {
  uint8_t raw[SGPU_LINK_MAX_FRAME + 16], wire[SGPU_LINK_MAX_WIRE + 16];
  char msg[200] = "";
  size_t rn = raw_frame(raw, version, kind, seq, lenf, pl, n, crc_ok);
  sgpui_link_frame f;
  int e = sgpui_link_frame_parse(raw, rn, &f, msg, sizeof msg);
  CHECK(e == host_err, "reject %s: host parser %s (want %s)%s%s", what, sgpui_link_err_str(e),
        sgpui_link_err_str(host_err), *msg ? ": " : "", msg);
  got_frame g;
  int frames = bridge_answer(x->t, wire, wire_of(raw, rn, wire), &g);
  CHECK(frames == 1 && g.err == SGPUI_LINK_OK && g.f.kind == SGPU_LINK_KIND_NAK && g.f.seq == seq &&
            g.f.len == SGPU_LINK_RESP_HDR_LEN && g.pl[0] == nak_status &&
            sgpui_link_get16(g.pl + 2) == nak_detail && x->d->accesses == x->accesses,
        "reject %s: bridge NAK %s detail %u, seq 0x%02x echoed, no bus access (got %d frames, kind "
        "0x%02x, status %s, detail %u, %" PRIu64 " accesses)",
        what, sgpui_link_status_name(nak_status), nak_detail, seq, frames, frames ? g.f.kind : 0,
        frames ? sgpui_link_status_name(g.pl[0]) : "-", frames ? sgpui_link_get16(g.pl + 2) : 0,
        x->d->accesses - x->accesses);
}

/* Bytes the bridge drops without an answer (no trustworthy header). */
static void expect_drop(frame_env *x, const char *what, const uint8_t *wire, size_t n,
                        uint64_t *counter) {
  uint64_t before = *counter;
  got_frame g;
  int frames = bridge_answer(x->t, wire, n, &g);
  CHECK(frames == 0 && *counter == before + 1 && x->d->accesses == x->accesses,
        "drop %s: bridge answers nothing, counts it, touches no register (%d frames)", what,
        frames);
}

static void test_frames(void) {
  frame_env x;
  x.d = fk_new(1, 3);
  x.t = tl_new(1, (rates){0}, (rates){0}, x.d, fk_read, fk_write, 8);
  uint8_t raw[SGPU_LINK_MAX_FRAME + 600], wire[2 * SGPU_LINK_MAX_WIRE],
      pl[SGPU_LINK_MAX_PAYLOAD + 8];
  size_t rn, wn;
  char msg[200];
  got_frame g;
  memset(pl, 0, sizeof pl);

  /* A good frame: build, parse, every field. */
  const uint8_t ping_pl[3] = {0xAA, 0x00, 0x55};
  int e = sgpui_link_frame_build(SGPU_LINK_KIND_REG_BATCH, 0x7E, ping_pl, 3, wire, sizeof wire, &wn,
                                 raw, &rn, msg, sizeof msg);
  sgpui_link_frame f;
  int pe = sgpui_link_frame_parse(raw, rn, &f, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && pe == SGPUI_LINK_OK && f.version == 1 && f.kind == 3 &&
            f.seq == 0x7E && f.len == 3 && !memcmp(f.payload, ping_pl, 3) && wire[0] == 0 &&
            wire[wn - 1] == 0 && !memchr(wire + 1, 0, wn - 2) && rn == 10,
        "frame: build and parse keep version, kind, seq, length and payload; the wire form is 00, "
        "COBS, 00 (%zu bytes)",
        wn);
  CHECK(sgpui_link_frame_build(1, 0, pl, SGPU_LINK_MAX_PAYLOAD + 1, wire, sizeof wire, &wn, NULL,
                               NULL, msg, sizeof msg) == SGPUI_LINK_E_ARG,
        "frame: a payload of %u bytes is not built (E_ARG): %s", SGPU_LINK_MAX_PAYLOAD + 1, msg);

  /* The kept response: REG_BATCH seq 0x10 writes FK_RF and reads it back. */
  uint8_t kb[10] = {SGPU_LINK_OP_WRITE, 0, 0, 0x78, 0x56, 0x34, 0x12, SGPU_LINK_OP_READ, 0, 0};
  sgpui_link_put16(kb + 1, FK_RF);
  sgpui_link_put16(kb + 8, FK_RF);
  uint8_t kept_wire[64], kept_resp[64];
  size_t kept_wn;
  sgpui_link_frame_build(SGPU_LINK_KIND_REG_BATCH, 0x10, kb, sizeof kb, kept_wire, sizeof kept_wire,
                         &kept_wn, NULL, NULL, NULL, 0);
  int frames = bridge_answer(x.t, kept_wire, kept_wn, &g);
  CHECK(frames == 1 && g.err == 0 && g.f.kind == (SGPU_LINK_KIND_REG_BATCH | 0x80) &&
            g.f.seq == 0x10 && g.f.len == 8 && g.pl[0] == SGPU_LINK_ST_OK &&
            sgpui_link_get16(g.pl + 2) == 2 && sgpui_link_get32(g.pl + 4) == 0x12345678u,
        "bridge: REG_BATCH seq 0x10 (write, read back) answers OK, 2 carried out, 0x12345678");
  memcpy(kept_resp, g.pl, g.f.len);
  x.accesses = x.d->accesses;
  uint64_t writes = x.d->writes;

  /* Malformed frames. */
  expect_reject(&x, "flipped CRC", 1, SGPU_LINK_KIND_PING, 0x21, 0, NULL, 0, false,
                SGPUI_LINK_E_CRC, SGPU_LINK_ST_BAD_CRC, 7);
  expect_reject(&x, "version 2", 2, SGPU_LINK_KIND_PING, 0x22, 0, NULL, 0, true,
                SGPUI_LINK_E_VERSION, SGPU_LINK_ST_BAD_VERSION, 2);
  expect_reject(&x, "version 0 with the kept seq", 0, SGPU_LINK_KIND_PING, 0x10, 0, NULL, 0, true,
                SGPUI_LINK_E_VERSION, SGPU_LINK_ST_BAD_VERSION, 0);
  expect_reject(&x, "length field 3 for 0 bytes", 1, SGPU_LINK_KIND_PING, 0x23, 3, NULL, 0, true,
                SGPUI_LINK_E_LENGTH, SGPU_LINK_ST_BAD_LENGTH, 3);
  pl[0] = 0;
  expect_reject(&x, "length field 0 for 1 byte", 1, SGPU_LINK_KIND_PING, 0x24, 0, pl, 1, true,
                SGPUI_LINK_E_LENGTH, SGPU_LINK_ST_BAD_LENGTH, 0);
  expect_reject(&x, "kind 0x07", 1, 0x07, 0x25, 0, NULL, 0, true, SGPUI_LINK_E_KIND,
                SGPU_LINK_ST_BAD_KIND, 7);
  expect_reject(&x, "kind 0x00", 1, 0x00, 0x26, 0, NULL, 0, true, SGPUI_LINK_E_KIND,
                SGPU_LINK_ST_BAD_KIND, 0);
  expect_reject(&x, "a response kind (0x81) sent to the bridge", 1, 0x81, 0x27, 0, NULL, 0, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_KIND, 0x81);
  expect_reject(&x, "PING with 1 payload byte", 1, SGPU_LINK_KIND_PING, 0x28, 1, pl, 1, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 1);
  expect_reject(&x, "INFO with 2 payload bytes", 1, SGPU_LINK_KIND_INFO, 0x29, 2, pl, 2, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 2);
  /* REG_BATCH: read FK_RF, then op 0x02 at offset 3 */
  uint8_t b1[6] = {SGPU_LINK_OP_READ, 0, 0, 0x02, 0, 0};
  sgpui_link_put16(b1 + 1, FK_RF);
  expect_reject(&x, "REG_BATCH op 0x02 at offset 3", 1, SGPU_LINK_KIND_REG_BATCH, 0x2A, 6, b1, 6,
                true, SGPUI_LINK_OK, SGPU_LINK_ST_BAD_FIELD, 3);
  uint8_t b2[3] = {SGPU_LINK_OP_READ, 0x02, 0x02};
  expect_reject(&x, "REG_BATCH read of 0x0202 (unaligned)", 1, SGPU_LINK_KIND_REG_BATCH, 0x2B, 3,
                b2, 3, true, SGPUI_LINK_OK, SGPU_LINK_ST_BAD_FIELD, 1);
  uint8_t b3[5] = {SGPU_LINK_OP_WRITE, 0x00, 0x02, 0x01, 0x02};
  expect_reject(&x, "REG_BATCH write cut short", 1, SGPU_LINK_KIND_REG_BATCH, 0x2C, 5, b3, 5, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 5);
  for (int i = 0; i < 128; i++) {
    pl[3 * i] = SGPU_LINK_OP_READ;
    sgpui_link_put16(pl + 3 * i + 1, FK_RF);
  }
  expect_reject(&x, "REG_BATCH of 128 reads (response 516 bytes)", 1, SGPU_LINK_KIND_REG_BATCH,
                0x2D, 384, pl, 384, true, SGPUI_LINK_OK, SGPU_LINK_ST_TOO_LONG, 516);
  uint8_t a[5 + 16] = {FK_OP_TAG, 0, 0, 0, 0};
  expect_reject(&x, "ADMIN of 4 bytes", 1, SGPU_LINK_KIND_ADMIN, 0x2E, 4, a, 4, true, SGPUI_LINK_OK,
                SGPU_LINK_ST_BAD_LENGTH, 4);
  a[1] = 4;
  expect_reject(&x, "ADMIN policy 4", 1, SGPU_LINK_KIND_ADMIN, 0x2F, 5, a, 5, true, SGPUI_LINK_OK,
                SGPU_LINK_ST_BAD_FIELD, 1);
  a[1] = 0, a[2] = 5;
  expect_reject(&x, "ADMIN nargs 5", 1, SGPU_LINK_KIND_ADMIN, 0x30, 5, a, 5, true, SGPUI_LINK_OK,
                SGPU_LINK_ST_BAD_FIELD, 2);
  a[2] = 0, a[3] = 7;
  expect_reject(&x, "ADMIN nres 7", 1, SGPU_LINK_KIND_ADMIN, 0x31, 5, a, 5, true, SGPUI_LINK_OK,
                SGPU_LINK_ST_BAD_FIELD, 3);
  a[3] = 0, a[4] = 0x02;
  expect_reject(&x, "ADMIN flags 0x02", 1, SGPU_LINK_KIND_ADMIN, 0x32, 5, a, 5, true, SGPUI_LINK_OK,
                SGPU_LINK_ST_BAD_FIELD, 4);
  a[4] = 0, a[2] = 2;
  expect_reject(&x, "ADMIN nargs 2 with one argument", 1, SGPU_LINK_KIND_ADMIN, 0x33, 9, a, 9, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 9);
  uint8_t m[10] = {0};
  expect_reject(&x, "MEM_READ of 9 bytes", 1, SGPU_LINK_KIND_MEM_READ, 0x34, 9, m, 9, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 9);
  expect_reject(&x, "MEM_READ of 0 words", 1, SGPU_LINK_KIND_MEM_READ, 0x35, 10, m, 10, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_FIELD, 8);
  sgpui_link_put16(m + 8, SGPU_LINK_MEM_MAX_WORDS + 1);
  expect_reject(&x, "MEM_READ of 125 words", 1, SGPU_LINK_KIND_MEM_READ, 0x36, 10, m, 10, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_FIELD, 8);
  memset(pl, 0x11, 512);
  expect_reject(&x, "MEM_WRITE without data", 1, SGPU_LINK_KIND_MEM_WRITE, 0x37, 8, pl, 8, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 8);
  expect_reject(&x, "MEM_WRITE of 6 data bytes", 1, SGPU_LINK_KIND_MEM_WRITE, 0x38, 14, pl, 14,
                true, SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 14);
  expect_reject(&x, "MEM_WRITE of 125 words", 1, SGPU_LINK_KIND_MEM_WRITE, 0x39, 508, pl, 508, true,
                SGPUI_LINK_OK, SGPU_LINK_ST_BAD_LENGTH, 508);

  /* Frames without a trustworthy header: dropped. */
  const uint8_t cobs_bad[] = {0, 0x05, 0x11, 0x22, 0};
  expect_drop(&x, "COBS block cut short (00 05 11 22 00)", cobs_bad, sizeof cobs_bad,
              &x.t->br.st.dropped_cobs);
  rn = raw_frame(raw, 1, 1, 0x40, 0, NULL, 0, true);
  wn = wire_of(raw, 6, wire);
  CHECK(sgpui_link_frame_parse(raw, 6, &f, msg, sizeof msg) == SGPUI_LINK_E_SHORT,
        "reject 6-byte frame: host parser E_SHORT: %s", msg);
  expect_drop(&x, "6-byte frame", wire, wn, &x.t->br.st.dropped_short);
  rn = raw_frame(raw, 1, SGPU_LINK_KIND_MEM_WRITE, 0x41, 513, pl, 513, true);
  CHECK(rn == 520 && sgpui_link_frame_parse(raw, rn, &f, msg, sizeof msg) == SGPUI_LINK_E_LONG,
        "reject 520-byte frame: host parser E_LONG: %s", msg);
  expect_drop(&x, "520-byte frame", wire, wire_of(raw, rn, wire), &x.t->br.st.dropped_long);
  memset(wire, 0x33, 665); /* 13 whole COBS blocks of 50 bytes: 662 decoded bytes */
  wire[0] = 0, wire[664] = 0;
  expect_drop(&x, "663 encoded bytes (662 decoded)", wire, 665, &x.t->br.st.dropped_long);
  sgpui_link_deframer d;
  sgpui_link_deframer_init(&d);
  size_t used;
  e = sgpui_link_deframer_push(&d, wire, 665, &used, &f, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_LONG && used == 665, "reject 663 encoded bytes: host deframer E_LONG: %s",
        msg);

  /* Nothing above touched the kept response: seq 0x10 again is answered from it. */
  uint64_t replayed = x.t->br.st.replayed;
  frames = bridge_answer(x.t, kept_wire, kept_wn, &g);
  CHECK(frames == 1 && g.err == 0 && g.f.seq == 0x10 && g.f.len == 8 &&
            !memcmp(g.pl, kept_resp, 8) && x.t->br.st.replayed == replayed + 1 &&
            x.d->accesses == x.accesses && x.d->writes == writes,
        "replay: seq 0x10 after every rejection gets the kept response again, byte for byte, with "
        "no bus access");

  /* Replay protects non-idempotent writes: FK_INCR += 5 twice with seq 0x50, then += 10 (0x51). */
  uint8_t inc[7] = {SGPU_LINK_OP_WRITE, 0, 0, 5, 0, 0, 0};
  sgpui_link_put16(inc + 1, FK_INCR);
  uint8_t iw[32], iw2[32];
  size_t iwn, iwn2;
  sgpui_link_frame_build(SGPU_LINK_KIND_REG_BATCH, 0x50, inc, 7, iw, sizeof iw, &iwn, NULL, NULL,
                         NULL, 0);
  inc[3] = 10;
  sgpui_link_frame_build(SGPU_LINK_KIND_REG_BATCH, 0x51, inc, 7, iw2, sizeof iw2, &iwn2, NULL, NULL,
                         NULL, 0);
  got_frame g1, g2, g3;
  bridge_answer(x.t, iw, iwn, &g1);
  bridge_answer(x.t, iw, iwn, &g2);
  bridge_answer(x.t, iw2, iwn2, &g3);
  CHECK(x.d->incr_total == 15 && g1.f.len == g2.f.len && !memcmp(g1.pl, g2.pl, g1.f.len) &&
            g3.f.seq == 0x51 && g3.pl[0] == SGPU_LINK_ST_OK,
        "replay: an increment sent twice with seq 0x50 is applied once, then seq 0x51 once (total "
        "%" PRIu64 ", want 15)",
        x.d->incr_total);
  tl_free(x.t);
  fk_free(x.d);
}

/* ==================== execution errors through the engine */

static void test_exec_errors(void) {
  fakedev *d = fk_new(2, 3);
  tlink *t = tl_new(2, (rates){0}, (rates){0}, d, fk_read, fk_write, 8);
  sgpui_link_channel ch = tl_channel(t);
  sgpui_link_client *c = malloc(sizeof *c);
  if (!c) abort();
  sgpui_link_cfg cfg = {10, 2};
  sgpui_link_client_init(c, &ch, &cfg, 0x80);
  char msg[300] = "";

  sgpui_link_info info;
  int e = sgpui_link_info_get(c, &info, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && info.link_version == SGPU_LINK_VERSION && info.admin_wait_log2 == 8 &&
            info.max_payload == SGPU_LINK_MAX_PAYLOAD && info.id == SGPU_MAGIC &&
            info.version == SGPU_VERSION && info.caps2 == FK_DATA_WORDS,
        "INFO: link version %u, admin wait 2^%u, max payload %u, ID 0x%08x, VERSION 0x%08x, CAPS2 "
        "%u %s",
        info.link_version, info.admin_wait_log2, info.max_payload, info.id, info.version,
        info.caps2, msg);

  /* BUS_ERROR in a batch: write, failing read, write. */
  d->fail_addr = FK_FAIL;
  sgpui_link_op ops[3] = {{FK_RF + 4, 1, 0xA1}, {FK_FAIL, 0, 0}, {FK_RF + 8, 1, 0xA2}};
  size_t done = 99;
  msg[0] = 0;
  e = sgpui_link_batch(c, ops, 3, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && done == 1 && c->last_status == SGPU_LINK_ST_BUS_ERROR &&
            d->regs[(FK_RF + 4) / 4] == 0xA1 && d->regs[(FK_RF + 8) / 4] != 0xA2 &&
            strstr(msg, "entry 1 of 3") &&
            sgpui_link_sgpu_status(e, c->last_status) == SGPU_STATUS_IO_DEVICE_ERROR,
        "BUS_ERROR: a batch stops at the failing read (done %zu, entry 2 not written): %s", done,
        msg);
  /* BUS_ERROR in an admin transaction: CPL_RES2 does not answer. */
  d->fail_addr = SGPU_REG_CPL_RES2;
  sgpui_link_admin_req rq = {FK_OP_TAG, 1, 4, 6, SGPU_LINK_ADMIN_F_PHASES, {7, 8, 9, 10}};
  sgpui_link_admin_resp rs;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && c->last_status == SGPU_LINK_ST_BUS_ERROR &&
            c->last_detail == SGPU_REG_CPL_RES2 && d->admin_applied[7] == 1,
        "BUS_ERROR: an admin command whose CPL_RES2 read fails names 0x%03x (detail 0x%03x): %s",
        SGPU_REG_CPL_RES2, c->last_detail, msg);
  d->fail_addr = 0;
  /* A good admin command: results from the arguments, phases, IRQ acknowledged. */
  rq.args[0] = 11;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && rs.cpl_status == 0 && rs.cpl_seq == 2 && rs.res[0] == 19 &&
            rs.res[1] == (9u ^ 10u) && rs.res[5] == 1 && rs.phases[0] == 12 && rs.phases[5] == 17 &&
            !d->irq && d->admin_applied[11] == 1,
        "ADMIN: one request returns CPL_STATUS, CPL_SEQ %u, six results and six phases; IRQ "
        "acknowledged %s",
        rs.cpl_seq, msg);
  rq.nres = 2;
  rq.flags = 0;
  rq.args[0] = 12;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && rs.res[0] == 20 && rs.res[1] == 3 && rs.res[2] == 0 &&
            rs.phases[0] == 0,
        "ADMIN: nres 2 without phases returns two results, the rest 0 %s", msg);
  /* An unknown opcode is the device's business: OK with its status. */
  rq.opcode = 0x7F;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && rs.cpl_status == SGPU_STATUS_INVALID_DEVICE_REQUEST,
        "ADMIN: the device's failure status comes back as data (0x%08x) %s", rs.cpl_status, msg);
  /* MEM_WRITE / MEM_READ bursts. */
  uint32_t data[64], back[64];
  for (int i = 0; i < 64; i++) data[i] = 0x01000000u * (uint32_t)i + (uint32_t)i;
  sgpui_link_mem_resp mr;
  msg[0] = 0;
  e = sgpui_link_mem_write(c, FK_HANDLE, 0x100, 64, data, &mr, msg, sizeof msg);
  msg[0] = 0;
  int e2 = sgpui_link_mem_read(c, FK_HANDLE, 0x100, 64, back, &mr, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && e2 == SGPUI_LINK_OK && mr.cpl_status == 0 && mr.res0 == 64 &&
            !memcmp(data, back, sizeof data) && d->mem[0x100 / 4 + 63] == data[63],
        "MEM_WRITE then MEM_READ of 64 words at 0x100: the words come back %s", msg);
  memset(back, 0x5A, sizeof back);
  msg[0] = 0;
  e = sgpui_link_mem_read(c, 0x00020002u, 0x100, 4, back, &mr, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && mr.cpl_status == SGPU_STATUS_INVALID_HANDLE && back[0] == 0x5A5A5A5Au,
        "MEM_READ with a bad handle: the device's status, no data stored %s", msg);

  /* Host-side refusals: nothing sent. */
  uint64_t tx = c->stats.transmissions;
  sgpui_link_op bad[2] = {{FK_RF, 1, 1}, {FK_RF + 2, 0, 0}};
  msg[0] = 0;
  e = sgpui_link_batch(c, bad, 2, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_ARG && strstr(msg, "entry 1") && strstr(msg, "0x202"),
        "E_ARG: unaligned batch address refused: %s", msg);
  bad[1].addr = 1u << SGPU_BUS_ADDR_BITS;
  msg[0] = 0;
  e = sgpui_link_batch(c, bad, 2, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_ARG && strstr(msg, "beyond"), "E_ARG: address beyond the bus refused: %s",
        msg);
  msg[0] = 0;
  e = sgpui_link_mem_read(c, FK_HANDLE, 0, SGPU_LINK_MEM_MAX_WORDS + 1, back, &mr, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_ARG, "E_ARG: MEM_READ of %u words refused: %s",
        SGPU_LINK_MEM_MAX_WORDS + 1, msg);
  msg[0] = 0;
  e = sgpui_link_mem_write(c, FK_HANDLE, 0, 0, data, &mr, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_ARG, "E_ARG: MEM_WRITE of 0 words refused: %s", msg);
  sgpui_link_admin_req bq = {1, 0, 5, 0, 0, {0}};
  msg[0] = 0;
  e = sgpui_link_admin(c, &bq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_ARG && strstr(msg, "nargs 5"), "E_ARG: ADMIN nargs 5 refused: %s", msg);
  CHECK(c->stats.transmissions == tx, "E_ARG: none of the refused requests was sent");

  /* A big batch is split over frames (300 writes + 300 reads: 7*300 and 3*300 bytes). */
  sgpui_link_op *big = calloc(600, sizeof *big);
  if (!big) abort();
  for (uint32_t i = 0; i < 300; i++) {
    big[i] = (sgpui_link_op){SGPU_QUEUE_BASE + 4u * (i % 1024u), 1, 0xB0000000u + i};
    big[300 + i] = (sgpui_link_op){SGPU_QUEUE_BASE + 4u * (i % 1024u), 0, 0};
  }
  uint64_t req0 = c->stats.requests;
  msg[0] = 0;
  e = sgpui_link_batch(c, big, 600, &done, msg, sizeof msg);
  bool allback = true;
  for (uint32_t i = 0; i < 300; i++) allback &= big[300 + i].value == 0xB0000000u + i;
  CHECK(e == SGPUI_LINK_OK && done == 600 && allback && c->stats.requests - req0 == 7,
        "REG_BATCH: 300 writes and 300 reads go in %" PRIu64 " frames (want 7) and read back %s",
        c->stats.requests - req0, msg);
  free(big);

  /* ADMIN_TIMEOUT, then ADMIN_BUSY with nothing written. */
  t->dev_wr = fk_write_hang;
  rq = (sgpui_link_admin_req){FK_OP_TAG, 0, 4, 6, 0, {13, 0, 0, 0}};
  uint64_t reads0 = t->br.st.bus_reads;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && c->last_status == SGPU_LINK_ST_ADMIN_TIMEOUT &&
            t->br.st.bus_reads - reads0 == 2 + 256 &&
            sgpui_link_sgpu_status(e, c->last_status) == SGPU_STATUS_IO_TIMEOUT,
        "ADMIN_TIMEOUT: a command that never completes is given up after 2^8 CPL_SEQ polls "
        "(%" PRIu64 " reads) and maps to STATUS_IO_TIMEOUT: %s",
        t->br.st.bus_reads - reads0, msg);
  uint64_t w0 = d->writes;
  msg[0] = 0;
  e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && c->last_status == SGPU_LINK_ST_ADMIN_BUSY &&
            (c->last_detail & 1u) && d->writes == w0,
        "ADMIN_BUSY: the next command finds BUSY and writes nothing (detail 0x%04x): %s",
        c->last_detail, msg);
  msg[0] = 0;
  e = sgpui_link_mem_write(c, FK_HANDLE, 0, 4, data, &mr, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && c->last_status == SGPU_LINK_ST_ADMIN_BUSY && d->writes == w0,
        "ADMIN_BUSY: MEM_WRITE does not write the data window while BUSY: %s", msg);
  free(c);
  tl_free(t);
  fk_free(d);
}

/* ==================== the engine against a scripted far end */

enum {
  SC_NORMAL,
  SC_STALE,
  SC_ECHO,
  SC_CRCNAK,
  SC_NAKFIELD,
  SC_WRONGKIND,
  SC_SHORTDATA,
  SC_SILENT,
  SC_GARBLED,
  SC_BABBLE
};

typedef struct {
  int mode;
  unsigned writes; /* of the request under test (not the sync PING) */
  uint8_t q[8192];
  size_t qh, qn;
  uint64_t rng;
  bool fail_read;
} script;

static void sc_push(script *s, uint8_t kind, uint8_t seq, const uint8_t *pl, size_t n,
                    bool garble) {
  uint8_t w[SGPU_LINK_MAX_WIRE];
  size_t wn;
  sgpui_link_frame_build(kind, seq, pl, n, w, sizeof w, &wn, NULL, NULL, NULL, 0);
  if (garble) w[wn / 2] ^= 0x10;
  if (s->qh + s->qn + wn > sizeof s->q) abort();
  memcpy(s->q + s->qh + s->qn, w, wn);
  s->qn += wn;
}

static void sc_reply(script *s, uint8_t kind, uint8_t seq, bool garble) {
  uint8_t pl[64] = {SGPU_LINK_ST_OK, 0, 0, 0};
  size_t n = SGPU_LINK_RESP_HDR_LEN;
  if (kind == SGPU_LINK_KIND_INFO) {
    memset(pl + 4, 0x42, SGPU_LINK_INFO_LEN);
    n += SGPU_LINK_INFO_LEN;
  } else if (kind == SGPU_LINK_KIND_REG_BATCH) {
    pl[2] = 1;
    sgpui_link_put32(pl + 4, 0xCAFEF00Du);
    n += 4;
  }
  sc_push(s, kind | SGPU_LINK_KIND_RESPONSE, seq, pl, n, garble);
}

static int sc_write(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen) {
  (void)err, (void)errlen;
  script *s = ctx;
  sgpui_link_deframer d;
  sgpui_link_deframer_init(&d);
  sgpui_link_frame f;
  size_t used, off = 0;
  int e;
  do {
    e = sgpui_link_deframer_push(&d, p + off, n - off, &used, &f, NULL, 0);
    off += used;
  } while (e == SGPUI_LINK_MORE && off < n);
  if (e != SGPUI_LINK_OK) abort();
  uint8_t nak[4] = {0, 0, 0, 0};
  if (f.kind == SGPU_LINK_KIND_PING && s->mode != SC_SILENT && s->mode != SC_ECHO) {
    sc_reply(s, f.kind, f.seq, false);
    return 0;
  }
  unsigned w = s->writes++;
  switch (s->mode) {
    case SC_STALE:
      sc_reply(s, f.kind, (uint8_t)(f.seq - 1u), false);
      sc_reply(s, f.kind, (uint8_t)(f.seq + 7u), false);
      sc_reply(s, f.kind, f.seq, false);
      break;
    case SC_ECHO:
      sc_push(s, f.kind, f.seq, f.payload, f.len, false);
      sc_reply(s, f.kind, f.seq, false);
      break;
    case SC_CRCNAK:
      nak[0] = SGPU_LINK_ST_BAD_CRC;
      if (w == 0)
        sc_push(s, SGPU_LINK_KIND_NAK, f.seq, nak, 4, false);
      else
        sc_reply(s, f.kind, f.seq, false);
      break;
    case SC_NAKFIELD:
      nak[0] = SGPU_LINK_ST_BAD_FIELD;
      nak[2] = 3;
      sc_push(s, SGPU_LINK_KIND_NAK, f.seq, nak, 4, false);
      break;
    case SC_WRONGKIND:
      sc_reply(s, SGPU_LINK_KIND_PING, f.seq, false);
      break;
    case SC_SHORTDATA: {
      uint8_t pl[4] = {SGPU_LINK_ST_OK, 0, 1, 0}; /* 1 read carried out, its value missing */
      sc_push(s, f.kind | SGPU_LINK_KIND_RESPONSE, f.seq, pl, 4, false);
      break;
    }
    case SC_GARBLED:
      sc_reply(s, f.kind, f.seq, w == 0);
      break;
    case SC_SILENT:
    case SC_BABBLE:
      break;
    default:
      sc_reply(s, f.kind, f.seq, false);
  }
  return 0;
}

static long sc_read(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err,
                    size_t errlen) {
  (void)timeout_ms;
  script *s = ctx;
  if (s->fail_read) {
    snprintf(err, errlen, "scripted channel: read failed on purpose");
    return -1;
  }
  if (s->mode == SC_BABBLE) { /* endless noise, never a delimiter */
    for (size_t i = 0; i < cap; i++) p[i] = (uint8_t)(1u + rndn(&s->rng, 255u));
    return (long)cap;
  }
  if (s->qn == 0) return 0;
  size_t k = s->qn < cap ? s->qn : cap;
  memcpy(p, s->q + s->qh, k);
  s->qh += k;
  s->qn -= k;
  if (!s->qn) s->qh = 0;
  return (long)k;
}

static void test_engine(void) {
  static script s;
  static sgpui_link_client c;
  sgpui_link_channel ch = {&s, sc_write, sc_read};
  sgpui_link_cfg cfg = {5, 3};
  char msg[300];
  sgpui_link_info info;
  sgpui_link_op op = {FK_RF, 0, 0};
  size_t done;
  int e;
#define SCRIPT(m)                                \
  do {                                           \
    memset(&s, 0, sizeof s);                     \
    s.mode = (m);                                \
    s.rng = 5;                                   \
    sgpui_link_client_init(&c, &ch, &cfg, 0xFE); \
    msg[0] = 0;                                  \
  } while (0)

  SCRIPT(SC_NORMAL);
  e = sgpui_link_batch(&c, &op, 1, &done, msg, sizeof msg);
  CHECK(
      e == SGPUI_LINK_OK && op.value == 0xCAFEF00Du && c.synced && c.stats.requests == 2 &&
          c.seq == 0x00 && c.stats.retries == 0,
      "engine: the first request is preceded by a sync PING (2 requests, seq wrapped to 0x%02x) %s",
      c.seq, msg);
  SCRIPT(SC_STALE);
  e = sgpui_link_info_get(&c, &info, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && c.stats.stale == 2 && info.id == 0x42424242u && c.stats.retries == 0,
        "engine: responses with other sequence numbers are discarded (%" PRIu64 " stale) %s",
        c.stats.stale, msg);
  SCRIPT(SC_ECHO);
  e = sgpui_link_ping(&c, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && c.stats.ignored == 2,
        "engine: an echo of the request is ignored "
        "(%" PRIu64 " ignored, sync included) %s",
        c.stats.ignored, msg);
  SCRIPT(SC_CRCNAK);
  e = sgpui_link_batch(&c, &op, 1, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && c.stats.naks == 1 && c.stats.retries == 1 && s.writes == 2,
        "engine: a BAD_CRC NAK makes it send the same frame again at once %s", msg);
  SCRIPT(SC_GARBLED);
  e = sgpui_link_batch(&c, &op, 1, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_OK && c.stats.bad_frames == 1 && c.stats.retries == 1 &&
            op.value == 0xCAFEF00Du,
        "engine: a damaged response makes it send again (the bridge would replay) %s", msg);
  SCRIPT(SC_NAKFIELD);
  e = sgpui_link_batch(&c, &op, 1, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_REMOTE && c.last_status == SGPU_LINK_ST_BAD_FIELD && c.last_detail == 3 &&
            c.stats.retries == 2 && s.writes == 3 && strstr(msg, "BAD_FIELD"),
        "engine: a NAK (nothing executed) is retried; NAKed every time it is E_REMOTE with the "
        "status: %s",
        msg);
  SCRIPT(SC_WRONGKIND);
  e = sgpui_link_info_get(&c, &info, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_KIND && !c.synced,
        "engine: a response of another kind with our seq is "
        "E_KIND and forces a new sync: %s",
        msg);
  SCRIPT(SC_SHORTDATA);
  e = sgpui_link_batch(&c, &op, 1, &done, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_PAYLOAD && done == 0,
        "engine: a batch response without its read value is "
        "E_PAYLOAD: %s",
        msg);
  SCRIPT(SC_SILENT);
  e = sgpui_link_ping(&c, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_TIMEOUT && c.stats.transmissions == 3 && c.stats.timeouts == 3 &&
            strstr(msg, "after 3 transmissions") && !c.synced &&
            sgpui_link_sgpu_status(e, 0) == SGPU_STATUS_IO_TIMEOUT,
        "engine: silence: 3 transmissions, then E_TIMEOUT (STATUS_IO_TIMEOUT), sync again next: %s",
        msg);
  SCRIPT(SC_BABBLE);
  e = sgpui_link_ping(&c, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_TIMEOUT && c.stats.bytes_rx <= 3u * (SGPUI_LINK_JUNK_LIMIT + sizeof c.rx),
        "engine: endless noise ends each attempt after the junk limit (%" PRIu64 " bytes read): %s",
        c.stats.bytes_rx, msg);
  SCRIPT(SC_NORMAL);
  s.fail_read = true;
  e = sgpui_link_ping(&c, msg, sizeof msg);
  CHECK(e == SGPUI_LINK_E_CHANNEL && strstr(msg, "read failed on purpose") &&
            sgpui_link_sgpu_status(e, 0) == SGPU_STATUS_IO_DEVICE_ERROR,
        "engine: a failing channel is E_CHANNEL with its message: %s", msg);
#undef SCRIPT
}

/* ==================== deframer resynchronisation */

typedef struct {
  int ok, bad;
  uint8_t seqs[64];
} df_result;

/* Deframe a stream in chunks of `chunk` bytes (0: random 1..64). */
static df_result deframe_all(const uint8_t *p, size_t n, size_t chunk, uint64_t *rng) {
  df_result r = {0, 0, {0}};
  sgpui_link_deframer d;
  sgpui_link_deframer_init(&d);
  size_t off = 0;
  while (off < n) {
    size_t k = chunk ? chunk : 1u + rndn(rng, 64);
    if (k > n - off) k = n - off;
    size_t pos = 0;
    while (pos < k) {
      size_t used;
      sgpui_link_frame f;
      int e = sgpui_link_deframer_push(&d, p + off + pos, k - pos, &used, &f, NULL, 0);
      pos += used;
      if (e == SGPUI_LINK_MORE) break;
      if (e == SGPUI_LINK_OK && r.ok < 64)
        r.seqs[r.ok++] = f.seq;
      else if (e != SGPUI_LINK_OK)
        r.bad++;
    }
    off += k;
  }
  return r;
}

static size_t frame_wire(uint8_t seq, size_t plen, uint8_t *w, uint64_t *rng) {
  uint8_t pl[SGPU_LINK_MAX_PAYLOAD];
  for (size_t i = 0; i < plen; i++) pl[i] = rndn(rng, 4) ? (uint8_t)rnd(rng) : 0;
  size_t wn;
  sgpui_link_frame_build(SGPU_LINK_KIND_MEM_WRITE | SGPU_LINK_KIND_RESPONSE, seq, pl, plen, w,
                         SGPU_LINK_MAX_WIRE, &wn, NULL, NULL, NULL, 0);
  return wn;
}

static void test_deframer(uint64_t seed) {
  uint64_t s = seed;
  uint8_t st[4 * SGPU_LINK_MAX_WIRE + 256], a[SGPU_LINK_MAX_WIRE], b[SGPU_LINK_MAX_WIRE],
      c[SGPU_LINK_MAX_WIRE];
  size_t an = frame_wire(0xA1, 40, a, &s), bn = frame_wire(0xB2, 300, b, &s),
         cn = frame_wire(0xC3, 0, c, &s);

  /* Garbage (non-zero bytes, no delimiter), then A, B, C. */
  size_t n = 0;
  for (int i = 0; i < 37; i++) st[n++] = (uint8_t)(1u + rndn(&s, 255));
  memcpy(st + n, a, an), n += an;
  memcpy(st + n, b, bn), n += bn;
  memcpy(st + n, c, cn), n += cn;
  df_result r = deframe_all(st, n, 0, &s);
  CHECK(r.ok == 3 && r.seqs[0] == 0xA1 && r.seqs[1] == 0xB2 && r.seqs[2] == 0xC3 && r.bad == 1,
        "deframer: 37 bytes of garbage, then three frames: the garbage is one bad frame, the three "
        "come out (%d ok, %d bad)",
        r.ok, r.bad);

  /* Split and joined: the same stream in every chunk size 1..n. */
  int good_sizes = 0;
  size_t m = an + bn + cn;
  memcpy(st, a, an), memcpy(st + an, b, bn), memcpy(st + an + bn, c, cn);
  for (size_t k = 1; k <= m; k++) {
    r = deframe_all(st, m, k, &s);
    good_sizes +=
        r.ok == 3 && r.bad == 0 && r.seqs[0] == 0xA1 && r.seqs[1] == 0xB2 && r.seqs[2] == 0xC3;
  }
  CHECK((size_t)good_sizes == m,
        "deframer: three frames in chunks of every size 1..%zu: %d/%zu right", m, good_sizes, m);
  /* Joined without the leading delimiters (one delimiter between frames). */
  n = 0;
  memcpy(st + n, a + 1, an - 1), n += an - 1;
  memcpy(st + n, b + 1, bn - 1), n += bn - 1;
  memcpy(st + n, c + 1, cn - 1), n += cn - 1;
  r = deframe_all(st, n, n, &s);
  CHECK(r.ok == 3 && r.bad == 0,
        "deframer: frames with a single delimiter between them, one chunk: %d ok", r.ok);

  /* A lost byte: every byte of A removed in turn, then B. A comes out only when the lost byte was a
   * delimiter; B always comes out. */
  int cases = 0, right = 0;
  for (size_t k = 0; k < an; k++) {
    n = 0;
    memcpy(st, a, k), n = k;
    memcpy(st + n, a + k + 1, an - k - 1), n += an - k - 1;
    memcpy(st + n, b, bn), n += bn;
    r = deframe_all(st, n, 0, &s);
    bool delim = a[k] == 0;
    cases++;
    right += delim ? (r.ok == 2 && r.seqs[0] == 0xA1 && r.seqs[1] == 0xB2)
                   : (r.ok == 1 && r.seqs[0] == 0xB2 && r.bad == 1);
  }
  CHECK(right == cases,
        "deframer: A with each of its %d bytes lost in turn, then B: A rejected "
        "(kept only if a delimiter was lost), B always received (%d/%d)",
        cases, right, cases);
  /* An inserted zero splits A: two bad frames, then B. */
  size_t cut = an / 2;
  memcpy(st, a, cut), n = cut;
  st[n++] = 0;
  memcpy(st + n, a + cut, an - cut), n += an - cut;
  memcpy(st + n, b, bn), n += bn;
  r = deframe_all(st, n, 0, &s);
  CHECK(r.ok == 1 && r.seqs[0] == 0xB2 && r.bad == 2,
        "deframer: a zero inserted into A gives two bad frames, then B (%d ok, %d bad)", r.ok,
        r.bad);

  /* Random garbage with zeros between 20 frames: every frame comes out, no garbage passes. */
  static uint8_t big[64 * 1024];
  n = 0;
  int want = 20, got_all = 1;
  for (int i = 0; i < want; i++) {
    size_t g = rndn(&s, 200);
    for (size_t k = 0; k < g; k++) big[n++] = (uint8_t)rnd(&s);
    n += frame_wire((uint8_t)i, rndn(&s, 200), big + n, &s);
  }
  r = deframe_all(big, n, 0, &s);
  for (int i = 0; i < want && i < r.ok; i++) got_all &= r.seqs[i] == i;
  CHECK(r.ok == want && got_all,
        "deframer: 20 frames with random garbage (zeros included) between "
        "them: %d frames out, in order, %d bad frames from the garbage",
        r.ok, r.bad);

  /* The bridge resynchronises the same way: garbage, then a request, executed once. */
  fakedev *d = fk_new(3, 0);
  tlink *t = tl_new(3, (rates){0}, (rates){0}, d, fk_read, fk_write, 8);
  uint8_t inc[7] = {SGPU_LINK_OP_WRITE, 0, 0, 3, 0, 0, 0};
  sgpui_link_put16(inc + 1, FK_INCR);
  size_t wn;
  n = 0;
  for (int i = 0; i < 50; i++) st[n++] = (uint8_t)rnd(&s);
  sgpui_link_frame_build(SGPU_LINK_KIND_REG_BATCH, 0x66, inc, 7, st + n, SGPU_LINK_MAX_WIRE, &wn,
                         NULL, NULL, NULL, 0);
  n += wn;
  got_frame g;
  bridge_answer(t, st, n, &g);
  CHECK(d->incr_total == 3,
        "bridge: 50 random bytes, then a request: executed once (total %" PRIu64 ")",
        d->incr_total);
  tl_free(t);
  fk_free(d);
}

/* ==================== faults: the engine and the bridge over a faulty link */

/* What the host may believe of a word: its value, or (after requests that failed with a link
 * error, which may or may not have been executed) one of a few values, or anything. */
typedef struct {
  uint32_t val;
  uint8_t n;
  bool any;
  uint32_t alt[6];
} belief;

static void maybe(belief *b, uint32_t v) {
  if (b->n < 6)
    b->alt[b->n++] = v;
  else
    b->any = true;
}
static bool possible(const belief *b, uint32_t v) {
  if (b->any || v == b->val) return true;
  for (unsigned i = 0; i < b->n; i++)
    if (b->alt[i] == v) return true;
  return false;
}
static void know(belief *b, uint32_t v) {
  b->val = v;
  b->n = 0;
  b->any = false;
}

typedef struct {
  const char *name;
  rates h2b, b2h;
  uint32_t attempts;
  int expect; /* 0 clean, 1 faults (each type injected, retries, recovered), 2 heavy (failures) */
} profile;

typedef struct {
  unsigned ops, ok, link_errors, nak_errors, wrong;
  char first_wrong[256];
} tally;

static void wrongf(tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wrongf(tally *t, const char *fmt, ...) {
  if (!t->wrong++) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->first_wrong, sizeof t->first_wrong, fmt, ap);
    va_end(ap);
  }
}

/* A link error is acceptable; anything else (a malformed response, a wrong kind) is not. */
static bool link_error(tally *t, int e, const sgpui_link_client *c, const char *msg, unsigned op) {
  if (e == SGPUI_LINK_E_TIMEOUT) {
    t->link_errors++;
    return true;
  }
  if (e == SGPUI_LINK_E_REMOTE && c->last_status != SGPU_LINK_ST_OK &&
      c->last_status < SGPU_LINK_ST_FIRST_EXEC) { /* a damaged request that passed the CRC */
    if (!t->nak_errors) printf("  first call that ended with a NAK, op %u: %s\n", op, msg);
    t->nak_errors++;
    return true;
  }
  wrongf(t, "op %u: unexpected %s: %s", op, sgpui_link_err_str(e), msg);
  return false;
}

static void run_faults(const profile *pf, uint64_t seed, unsigned ops) {
  fakedev *d = fk_new(seed, 6);
  tlink *t = tl_new(seed, pf->h2b, pf->b2h, d, fk_read, fk_write, 12);
  sgpui_link_channel ch = tl_channel(t);
  sgpui_link_client *c = malloc(sizeof *c);
  belief *rf = calloc(FK_RF_WORDS, sizeof *rf), *mem = calloc(FK_MEM_WORDS, sizeof *mem);
  uint8_t *tag_state = calloc(FK_TAGS, 1), *adm_state = calloc(FK_TAGS, 1); /* 1 ok, 2 failed */
  uint32_t *tag_v = calloc(FK_TAGS, sizeof *tag_v);
  if (!c || !rf || !mem || !tag_state || !adm_state || !tag_v) abort();
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 17u;
  sgpui_link_cfg cfg = {1, pf->attempts};
  sgpui_link_client_init(c, &ch, &cfg, (uint8_t)rnd(&s));
  tally ty = {0};
  char msg[300];
  uint32_t next_tag = 1, next_adm = 1, last_cpl = 0;
  for (unsigned i = 0; i < ops; i++) {
    unsigned what = rndn(&s, 100);
    msg[0] = 0;
    ty.ops++;
    if (what < 40) { /* a register batch, with a tagged LOG + INCR pair half of the time */
      sgpui_link_op o[14];
      size_t n = 0, done;
      uint32_t tag = 0;
      if (rndn(&s, 2)) {
        tag = next_tag++;
        tag_v[tag] = 1u + rndn(&s, 1000);
        o[n++] = (sgpui_link_op){FK_LOG, 1, tag};
        o[n++] = (sgpui_link_op){FK_INCR, 1, tag_v[tag]};
      }
      for (unsigned k = 1u + rndn(&s, 10); k; k--) {
        uint32_t r = rndn(&s, FK_RF_WORDS);
        uint32_t v = rndn(&s, 4) ? (uint32_t)rnd(&s) : 0;
        o[n++] = (sgpui_link_op){FK_RF + 4u * r, (uint32_t)rndn(&s, 2), v};
      }
      int e = sgpui_link_batch(c, o, n, &done, msg, sizeof msg);
      if (e == SGPUI_LINK_OK) {
        ty.ok++;
        if (tag) tag_state[tag] = 1;
        for (size_t k = 0; k < n; k++) {
          if (o[k].addr < FK_RF || o[k].addr >= FK_RF + 4u * FK_RF_WORDS) continue;
          belief *b = &rf[(o[k].addr - FK_RF) / 4u];
          if (!o[k].is_write && !possible(b, o[k].value))
            wrongf(&ty, "op %u: read of 0x%03x gave 0x%08x, expected 0x%08x (+%u possible)", i,
                   o[k].addr, o[k].value, b->val, b->n);
          know(b, o[k].value);
        }
      } else if (link_error(&ty, e, c, msg, i)) {
        if (tag) tag_state[tag] = 2;
        for (size_t k = 0; k < n; k++) /* executed whole or not at all */
          if (o[k].is_write && o[k].addr >= FK_RF && o[k].addr < FK_RF + 4u * FK_RF_WORDS)
            maybe(&rf[(o[k].addr - FK_RF) / 4u], o[k].value);
      }
    } else if (what < 65) { /* an admin command */
      uint32_t tag = next_adm++;
      sgpui_link_admin_req rq = {
          FK_OP_TAG,
          (uint8_t)rndn(&s, 3),
          4,
          (uint8_t)rndn(&s, 7),
          (uint8_t)(rndn(&s, 2) ? SGPU_LINK_ADMIN_F_PHASES : 0),
          {tag | (uint32_t)rnd(&s) << 16, (uint32_t)rnd(&s), (uint32_t)rnd(&s), (uint32_t)rnd(&s)}};
      sgpui_link_admin_resp rs;
      int e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg);
      if (e == SGPUI_LINK_OK) {
        ty.ok++;
        adm_state[tag] = 1;
        const uint32_t *a = rq.args;
        uint32_t want[6] = {a[0] + a[1], a[2] ^ a[3], FK_OP_TAG, a[0] * 7u, ~a[1], rq.policy};
        bool good = rs.cpl_status == SGPU_STATUS_SUCCESS && rs.cpl_seq > last_cpl;
        for (unsigned k = 0; k < 6; k++) {
          good &= rs.res[k] == (k < rq.nres ? want[k] : 0u);
          good &= rs.phases[k] == (rq.flags ? a[0] + k + 1u : 0u);
        }
        if (!good)
          wrongf(&ty,
                 "op %u: ADMIN tag %u: status 0x%08x, CPL_SEQ %u after %u, res0 0x%08x (want "
                 "0x%08x)",
                 i, tag, rs.cpl_status, rs.cpl_seq, last_cpl, rs.res[0], rq.nres ? want[0] : 0);
        last_cpl = rs.cpl_seq;
      } else if (link_error(&ty, e, c, msg, i)) {
        adm_state[tag] = 2;
      }
    } else if (what < 95) { /* a memory burst */
      bool write = what < 80;
      uint32_t words = 1u + rndn(&s, 32), va = 4u * rndn(&s, FK_MEM_WORDS - words + 1u);
      uint32_t data[64];
      sgpui_link_mem_resp mr;
      for (uint32_t k = 0; k < words; k++) data[k] = rndn(&s, 4) ? (uint32_t)rnd(&s) : 0;
      int e = write ? sgpui_link_mem_write(c, FK_HANDLE, va, words, data, &mr, msg, sizeof msg)
                    : sgpui_link_mem_read(c, FK_HANDLE, va, words, data, &mr, msg, sizeof msg);
      if (e == SGPUI_LINK_OK) {
        ty.ok++;
        if (mr.cpl_status != SGPU_STATUS_SUCCESS || mr.res0 != words || mr.cpl_seq <= last_cpl)
          wrongf(
              &ty, "op %u: MEM_%s of %u words at 0x%x: status 0x%08x, res0 %u, CPL_SEQ %u after %u",
              i, write ? "WRITE" : "READ", words, va, mr.cpl_status, mr.res0, mr.cpl_seq, last_cpl);
        last_cpl = mr.cpl_seq;
        for (uint32_t k = 0; k < words; k++) {
          belief *b = &mem[va / 4u + k];
          if (!write && !possible(b, data[k]))
            wrongf(&ty, "op %u: MEM_READ word 0x%x gave 0x%08x, expected 0x%08x (+%u possible)", i,
                   va + 4u * k, data[k], b->val, b->n);
          know(b, data[k]);
        }
      } else if (link_error(&ty, e, c, msg, i) && write) {
        for (uint32_t k = 0; k < words; k++) maybe(&mem[va / 4u + k], data[k]);
      }
    } else { /* INFO or PING */
      sgpui_link_info info;
      int e = rndn(&s, 2) ? sgpui_link_info_get(c, &info, msg, sizeof msg)
                          : sgpui_link_ping(c, msg, sizeof msg);
      if (e == SGPUI_LINK_OK) {
        ty.ok++;
      } else {
        link_error(&ty, e, c, msg, i);
      }
    }
  }
  /* The device, looked at directly: every tag applied at most once, exactly once if the host
   * was told it succeeded; the increments add up; registers and memory hold possible values. */
  unsigned twice = 0, lost = 0, adm_twice = 0, adm_lost = 0, unused = 0;
  uint64_t total = 0;
  for (uint32_t k = 1; k < next_tag; k++) {
    twice += d->log_applied[k] > 1;
    lost += tag_state[k] == 1 && d->log_applied[k] != 1;
    if (d->log_applied[k] == 1) total += tag_v[k];
  }
  for (uint32_t k = 1; k < next_adm; k++) {
    adm_twice += d->admin_applied[k] > 1;
    adm_lost += adm_state[k] == 1 && d->admin_applied[k] != 1;
  }
  for (uint32_t k = 0; k < FK_RF_WORDS; k++)
    if (!possible(&rf[k], d->regs[(FK_RF + 4u * k) / 4u]))
      wrongf(&ty, "register 0x%03x holds an impossible value", FK_RF + 4u * k);
  for (uint32_t k = 0; k < FK_MEM_WORDS; k++)
    if (!possible(&mem[k], d->mem[k]))
      wrongf(&ty, "memory word 0x%x holds an impossible value", 4u * k);
  for (uint32_t k = next_tag; k < FK_TAGS; k++) unused += d->log_applied[k] != 0;
  fault_dir *a = &t->h2b, *b = &t->b2h;
  bridge_ref_stats *bs = &t->br.st;
  printf("  faults %s: seed %" PRIu64
         ", %u ops: %u ok, %u link errors (%u ended with a NAK); injected h2b "
         "drop/flip/dup/ins/swap %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
         ", b2h %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "; host: %" PRIu64
         " retries, %" PRIu64 " timeouts, %" PRIu64 " bad frames, %" PRIu64 " NAKs, %" PRIu64
         " stale; bridge: %" PRIu64 " executed, %" PRIu64 " replayed, %" PRIu64
         " BAD_CRC NAKs, %" PRIu64 " dropped\n",
         pf->name, seed, ty.ops, ty.ok, ty.link_errors + ty.nak_errors, ty.nak_errors, a->n_drop,
         a->n_flip, a->n_dup, a->n_ins, a->n_swap, b->n_drop, b->n_flip, b->n_dup, b->n_ins,
         b->n_swap, c->stats.retries, c->stats.timeouts, c->stats.bad_frames, c->stats.naks,
         c->stats.stale, bs->executed, bs->replayed, bs->naks[SGPU_LINK_ST_BAD_CRC],
         bs->dropped_cobs + bs->dropped_short + bs->dropped_long);
  CHECK(ty.wrong == 0,
        "faults %s: every call right or a link error, never a wrong value (%u wrong%s%s)", pf->name,
        ty.wrong, ty.wrong ? "; first: " : "", ty.first_wrong);
  CHECK(twice == 0 && lost == 0 && unused == 0 && d->incr_total == total,
        "faults %s: %u tagged writes: none applied twice (%u), none lost (%u), increments add up "
        "(%" PRIu64 " = %" PRIu64 ")",
        pf->name, next_tag - 1, twice, lost, d->incr_total, total);
  CHECK(adm_twice == 0 && adm_lost == 0,
        "faults %s: %u admin commands: none executed twice (%u), "
        "none lost (%u)",
        pf->name, next_adm - 1, adm_twice, adm_lost);
  if (pf->expect == 0)
    CHECK(ty.ok == ty.ops && c->stats.retries == 0 && c->stats.bad_frames == 0 && bs->replayed == 0,
          "faults %s: a clean link needs no retry (%" PRIu64 " retries)", pf->name,
          c->stats.retries);
  const fault_dir *fd = pf->h2b.drop ? a : b;
  if (pf->expect >= 1)
    CHECK(fd->n_drop && fd->n_flip && fd->n_dup && fd->n_ins && fd->n_swap && c->stats.retries,
          "faults %s: every fault type was injected and retried over", pf->name);
  if (pf->expect == 1)
    CHECK(ty.ok + ty.link_errors + ty.nak_errors == ty.ops &&
              ty.link_errors + ty.nak_errors <= ty.ops / 100u,
          "faults %s: %u of %u calls succeeded (link errors at most 1%%)", pf->name, ty.ok, ty.ops);
  if (pf->expect >= 1 && pf->b2h.drop)
    CHECK(bs->replayed > 0,
          "faults %s: lost responses were answered by replay, not re-execution "
          "(%" PRIu64 " replays)",
          pf->name, bs->replayed);
  if (pf->expect >= 1 && pf->h2b.drop)
    CHECK(bs->naks[SGPU_LINK_ST_BAD_CRC] > 0 && c->stats.naks > 0,
          "faults %s: damaged requests were NAKed (BAD_CRC) and sent again", pf->name);
  if (pf->expect == 2)
    CHECK(ty.link_errors > 0,
          "faults %s: with %u attempts some calls fail, as clear link errors (%u)", pf->name,
          pf->attempts, ty.link_errors);
  free(tag_state), free(adm_state), free(tag_v), free(rf), free(mem), free(c);
  tl_free(t);
  fk_free(d);
}

/* ==================== the real device model behind the bridge */

static int sh_read(void *ctx, uint32_t a, uint32_t *v) {
  return sgpu_sim_read32(ctx, a, v, 1000) ? -1 : 0;
}
static int sh_write(void *ctx, uint32_t a, uint32_t v) {
  return sgpu_sim_write32(ctx, a, v, 1000) ? -1 : 0;
}

static void test_model(uint64_t seed, unsigned rounds) {
  sgpu_sim *sim = sgpu_sim_create(NULL);
  if (!CHECK(sim != NULL, "model: the reference device model (sim_shell) starts")) return;
  rates r = {300, 300, 300, 300, 300};
  tlink *t = tl_new(seed, r, r, sim, sh_read, sh_write, 16);
  sgpui_link_channel ch = tl_channel(t);
  sgpui_link_client *c = malloc(sizeof *c);
  if (!c) abort();
  sgpui_link_cfg cfg = {1, 32};
  sgpui_link_client_init(c, &ch, &cfg, 0);
  uint64_t s = seed ^ 0xABCDEFu;
  char msg[300] = "";
  tally ty = {0};
  sgpui_link_info info;
  int e = sgpui_link_info_get(c, &info, msg, sizeof msg);
  CHECK(e == 0 && info.id == SGPU_MAGIC && info.version == SGPU_VERSION && info.caps2 == 64,
        "model: INFO over the faulty link: ID 0x%08x, VERSION 0x%08x, CAPS2 %u %s", info.id,
        info.version, info.caps2, msg);
  uint32_t commands = 0, checks = 0;
  static uint32_t shadow[8 * 1024], buf[64];
#define ADMIN(op, pol, nres_, fl, ...)                                               \
  (rq =                                                                              \
       (sgpui_link_admin_req){                                                       \
           SGPU_OP_##op, (pol), SGPU_OP_##op##_NARGS, (nres_), (fl), {__VA_ARGS__}}, \
   e = sgpui_link_admin(c, &rq, &rs, msg, sizeof msg), commands += e == 0, e)
  sgpui_link_admin_req rq;
  sgpui_link_admin_resp rs;
  for (unsigned round = 0; round < rounds && !ty.wrong; round++) {
    uint32_t pages = 1u + rndn(&s, 8), va0 = 0x10000u, words = pages * 1024u;
    if (ADMIN(CREATE_PROCESS, 0, 3, 0, 0) || rs.cpl_status) {
      wrongf(&ty, "round %u: CREATE_PROCESS: %s status 0x%08x", round, msg, rs.cpl_status);
      break;
    }
    uint32_t h = rs.res[0];
    if (ADMIN(MAP, 0, 2, 0, h, va0, pages) || rs.cpl_status || rs.res[0] != pages) {
      wrongf(&ty, "round %u: MAP %u pages: %s status 0x%08x res0 %u", round, pages, msg,
             rs.cpl_status, rs.res[0]);
      break;
    }
    memset(shadow, 0, words * 4u);
    sgpui_link_mem_resp mr;
    for (int k = 0; k < 4; k++) { /* bursts at random places, then read back */
      uint32_t n = 1u + rndn(&s, 64), w = rndn(&s, words - n + 1u);
      for (uint32_t j = 0; j < n; j++) buf[j] = shadow[w + j] = rndn(&s, 3) ? (uint32_t)rnd(&s) : 0;
      e = sgpui_link_mem_write(c, h, va0 + 4u * w, n, buf, &mr, msg, sizeof msg);
      commands += e == 0;
      if (e || mr.cpl_status || mr.res0 != n)
        wrongf(&ty, "round %u: MEM_WRITE: %s status 0x%08x", round, msg, mr.cpl_status);
    }
    for (uint32_t w = 0; w < words && !ty.wrong; w += 64) {
      e = sgpui_link_mem_read(c, h, va0 + 4u * w, 64, buf, &mr, msg, sizeof msg);
      commands += e == 0;
      if (e || mr.cpl_status || memcmp(buf, shadow + w, sizeof buf))
        wrongf(&ty, "round %u: MEM_READ at 0x%x: %s status 0x%08x, data %s", round, va0 + 4u * w,
               msg, mr.cpl_status, e || mr.cpl_status ? "-" : "differs");
      checks++;
    }
    e = sgpui_link_mem_read(c, h, va0 + 4096u * pages, 4, buf, &mr, msg, sizeof msg);
    commands += e == 0;
    if (e || mr.cpl_status != SGPU_STATUS_ACCESS_VIOLATION)
      wrongf(&ty, "round %u: MEM_READ past the mapping: %s status 0x%08x", round, msg,
             mr.cpl_status);
    if (ADMIN(DESTROY_PROCESS, SGPU_POLICY_EAGER, 6, SGPU_LINK_ADMIN_F_PHASES, h) ||
        rs.cpl_status || rs.res[1] != pages + rs.res[2] || rs.res[2] < 1 ||
        (uint64_t)rs.phases[0] + rs.phases[1] + rs.phases[2] + rs.phases[3] + rs.phases[4] +
                rs.phases[5] >
            rs.res[0])
      wrongf(&ty, "round %u: DESTROY_PROCESS: %s status 0x%08x frames %u pt %u cycles %u", round,
             msg, rs.cpl_status, rs.res[1], rs.res[2], rs.res[0]);
    if (ADMIN(QUERY, 0, 6, 0, SGPU_HANDLE_DEVICE) || rs.cpl_status || rs.res[2] != 0 ||
        rs.res[3] != 0)
      wrongf(&ty, "round %u: QUERY device: %s frames used %u, live processes %u", round, msg,
             rs.res[2], rs.res[3]);
  }
#undef ADMIN
  uint32_t cpl_seq = 0;
  sgpu_sim_read32(sim, SGPU_REG_CPL_SEQ, &cpl_seq, 1000);
  CHECK(ty.wrong == 0,
        "model: %u process lifecycles (create, map, bursts, read back %u chunks, "
        "destroy eager with phases, query) over a faulty link%s%s",
        rounds, checks, ty.wrong ? ": " : "", ty.first_wrong);
  CHECK(cpl_seq == commands,
        "model: the device completed exactly the %u commands the host was "
        "answered for (CPL_SEQ %u; %" PRIu64 " retries, %" PRIu64 " replays)",
        commands, cpl_seq, c->stats.retries, t->br.st.replayed);
  free(c);
  tl_free(t);
  sgpu_sim_destroy(sim);
}

/* ==================== worked examples (docs/protocol.md) */

static void dump(FILE *o, const char *label, const uint8_t *p, size_t n) {
  fprintf(o, "  %-6s", label);
  for (size_t i = 0; i < n; i++) fprintf(o, "%s%02x", i && i % 16 == 0 ? "\n         " : " ", p[i]);
  fputc('\n', o);
}

/* One request through the bridge: print the request and the response, decoded and on the wire. */
static void example(FILE *o, tlink *t, const char *title, uint8_t kind, uint8_t seq,
                    const uint8_t *pl, size_t n, int damage) {
  uint8_t wire[SGPU_LINK_MAX_WIRE], raw[SGPU_LINK_MAX_FRAME];
  size_t wn, rn;
  sgpui_link_frame_build(kind, seq, pl, n, wire, sizeof wire, &wn, raw, &rn, NULL, 0);
  if (damage) { /* the CRC's last byte damaged in transit */
    raw[rn - 1] ^= 0x01;
    wn = wire_of(raw, rn, wire);
  }
  fprintf(o, "%s\n", title);
  dump(o, "frame", raw, rn);
  dump(o, "wire", wire, wn);
  ch_write(t, wire, wn, NULL, 0);
  uint8_t out[SGPU_LINK_MAX_WIRE];
  size_t on = t->qn < sizeof out ? t->qn : sizeof out;
  memcpy(out, t->q + t->qh, on);
  t->qh = t->qn = 0;
  size_t dn = 0;
  if (on >= 2) sgpui_link_cobs_decode(out + 1, on - 2, raw, sizeof raw, &dn);
  fprintf(o, "answer\n");
  dump(o, "frame", raw, dn);
  dump(o, "wire", out, on);
  fputc('\n', o);
}

/* The examples' text (caller frees). */
static char *examples(void) {
  char *text = NULL;
  size_t len = 0;
  FILE *o = open_memstream(&text, &len);
  if (!o) abort();
  fakedev *d = fk_new(42, 2);
  tlink *t = tl_new(42, (rates){0}, (rates){0}, d, fk_read, fk_write, 20);
  uint8_t pl[64];
  const uint8_t crc_in[] = "123456789", cobs_in[] = {0x11, 0x22, 0x00, 0x33};
  uint8_t enc[8];
  size_t en = sgpui_link_cobs_encode(cobs_in, 4, enc);
  fprintf(o, "CRC-16/CCITT-FALSE of the ASCII bytes \"123456789\" = 0x%04X\n",
          sgpui_link_crc16(SGPU_LINK_CRC_INIT, crc_in, 9));
  dump(o, "COBS", cobs_in, 4);
  dump(o, "is", enc, en);
  fputc('\n', o);

  example(o, t, "PING, seq 0x01", SGPU_LINK_KIND_PING, 0x01, NULL, 0, 0);
  example(o, t, "INFO, seq 0x02", SGPU_LINK_KIND_INFO, 0x02, NULL, 0, 0);

  size_t n = 0;
  pl[n] = SGPU_LINK_OP_WRITE, sgpui_link_put16(pl + n + 1, SGPU_REG_DRAIN_TIMEOUT);
  sgpui_link_put32(pl + n + 3, 0x00001000u), n += 7;
  pl[n] = SGPU_LINK_OP_READ, sgpui_link_put16(pl + n + 1, SGPU_REG_DRAIN_TIMEOUT), n += 3;
  pl[n] = SGPU_LINK_OP_READ, sgpui_link_put16(pl + n + 1, SGPU_REG_ID), n += 3;
  example(o, t,
          "REG_BATCH, seq 0x03: write DRAIN_TIMEOUT = 0x00001000, read DRAIN_TIMEOUT, read ID",
          SGPU_LINK_KIND_REG_BATCH, 0x03, pl, n, 0);

  d->script = true; /* the completion of a 64-page eager teardown */
  d->script_status = SGPU_STATUS_SUCCESS;
  const uint32_t res[6] = {14, 66, 2, 1, 0, 0}, td[6] = {1, 3, 2, 5, 2, 1};
  memcpy(d->script_res, res, sizeof res);
  memcpy(d->script_td, td, sizeof td);
  n = 0;
  pl[n++] = SGPU_OP_DESTROY_PROCESS;
  pl[n++] = SGPU_POLICY_EAGER;
  pl[n++] = SGPU_OP_DESTROY_PROCESS_NARGS;
  pl[n++] = SGPU_OP_DESTROY_PROCESS_NRESULTS;
  pl[n++] = SGPU_LINK_ADMIN_F_PHASES;
  sgpui_link_put32(pl + n, FK_HANDLE), n += 4;
  example(o, t, "ADMIN, seq 0x04: DESTROY_PROCESS(0x00010001), policy EAGER, 6 results, phases",
          SGPU_LINK_KIND_ADMIN, 0x04, pl, n, 0);

  sgpui_link_put32(pl, FK_HANDLE);
  sgpui_link_put32(pl + 4, 0x00001000u);
  sgpui_link_put32(pl + 8, 0xDEADBEEFu);
  sgpui_link_put32(pl + 12, 0x00000000u);
  example(o, t, "MEM_WRITE, seq 0x05: 2 words at va 0x00001000 of process 0x00010001",
          SGPU_LINK_KIND_MEM_WRITE, 0x05, pl, 16, 0);
  sgpui_link_put16(pl + 8, 2);
  example(o, t, "MEM_READ, seq 0x06: 2 words at va 0x00001000 of process 0x00010001",
          SGPU_LINK_KIND_MEM_READ, 0x06, pl, 10, 0);
  example(o, t, "PING, seq 0x07, its last CRC byte damaged in transit: NAK BAD_CRC, nothing kept",
          SGPU_LINK_KIND_PING, 0x07, NULL, 0, 1);
  example(o, t, "MEM_READ, seq 0x06 again (a retry): answered from the kept response, not executed",
          SGPU_LINK_KIND_MEM_READ, 0x06, pl, 10, 0);
  fclose(o);
  tl_free(t);
  fk_free(d);
  return text;
}

static void test_examples(const char *doc_path) {
  char *ex = examples();
  /* What the examples must show, checked on the text itself. */
  CHECK(strstr(ex, "\"123456789\" = 0x29B1") && strstr(ex, "11 22 00 33\n  is     03 11 22 02 33"),
        "examples: CRC check value and the COBS vector are in the text");
  FILE *f = fopen(doc_path, "rb");
  char *doc = NULL;
  size_t n = 0;
  if (f) {
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    doc = malloc((size_t)sz + 1);
    if (doc) n = fread(doc, 1, (size_t)sz, f), doc[n] = 0;
    fclose(f);
  }
  const char *where = doc ? strstr(doc, ex) : NULL;
  if (!where && doc) { /* name the first example line missing from the document */
    char *line = ex, *nl;
    while ((nl = strchr(line, '\n'))) {
      *nl = 0;
      if (*line && !strstr(doc, line)) {
        printf("  first line of the examples not in %s: \"%s\"\n", doc_path, line);
        break;
      }
      line = nl + 1;
    }
  }
  CHECK(where != NULL,
        "examples: %s contains the worked frames exactly as `test_proto --examples` "
        "prints them%s",
        doc_path, doc ? "" : " (cannot read it)");
  free(doc);
  free(ex);
}

/* ==================== main */

int main(int argc, char **argv) {
  uint64_t seed = 1;
  unsigned ops = 3000;
  const char *doc = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
      ops = (unsigned)strtoul(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--doc") && i + 1 < argc)
      doc = argv[++i];
    else if (!strcmp(argv[i], "--examples")) {
      char *ex = examples();
      fputs(ex, stdout);
      free(ex);
      return 0;
    } else {
      fprintf(stderr, "usage: %s [--seed N] [--ops N] [--doc FILE] [--examples]\n", argv[0]);
      return 2;
    }
  }
  if (ops > 20000) ops = 20000; /* tags are 16 bits */
  printf("test_proto: seed %" PRIu64
         ", %u ops per fault profile (replay: test_proto --seed %" PRIu64 " --ops %u)\n",
         seed, ops, seed, ops);
  test_crc(seed);
  test_cobs(seed);
  test_frames();
  test_exec_errors();
  test_engine();
  test_deframer(seed);
  const rates none = {0, 0, 0, 0, 0}, mid = {1000, 1000, 1000, 1000, 1000},
              both = {400, 400, 400, 400, 400}, heavy = {3000, 3000, 3000, 3000, 3000};
  const profile profiles[] = {
      {"clean", none, none, 4, 0},
      {"host-to-bridge", mid, none, 24, 1},
      {"bridge-to-host", none, mid, 24, 1},
      {"both-ways", both, both, 24, 1},
      {"heavy, 3 attempts", heavy, heavy, 3, 2},
  };
  for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
    run_faults(&profiles[i], seed + i, ops);
  test_model(seed, 12);
  if (doc) test_examples(doc);
  return ht_done("test_proto");
}
