/* link_fixture.c - the fake device, the faulty in-memory channel and the frame helpers of
 * the link tests (link_fixture.h). */
#include "link_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgpu.h"

uint64_t rnd(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint32_t rndn(uint64_t *s, uint32_t n) { return n ? (uint32_t)(rnd(s) % n) : 0; }

/* ---------------------------------------------------------------- the fake device */

static const uint32_t res_regs[6] = {SGPU_REG_CPL_RES0, SGPU_REG_CPL_RES1, SGPU_REG_CPL_RES2,
                                     SGPU_REG_CPL_RES3, SGPU_REG_CPL_RES4, SGPU_REG_CPL_RES5};
static const uint32_t td_regs[6] = {SGPU_REG_TD_VALIDATE, SGPU_REG_TD_STOP_DRAIN,
                                    SGPU_REG_TD_TLB,      SGPU_REG_TD_FREE,
                                    SGPU_REG_TD_RELEASE,  SGPU_REG_TD_COMPLETE};
#define R(a) d->regs[(a) / 4u]

fakedev *fk_new(uint64_t seed, uint32_t max_latency) {
  fakedev *d = calloc(1, sizeof *d);
  if (!d) abort();
  d->rng = seed;
  d->max_latency = max_latency;
  return d;
}

void fk_free(fakedev *d) { free(d); }

static bool fk_busy(const fakedev *d) { return d->busy_left > 0 || d->hang; }

static void fk_tick(fakedev *d) {
  d->accesses++;
  if (d->busy_left == 0 || d->hang || --d->busy_left) return;
  R(SGPU_REG_CPL_STATUS) = d->post_status;
  for (int i = 0; i < 6; i++) R(res_regs[i]) = d->post_res[i], R(td_regs[i]) = d->post_td[i];
  R(SGPU_REG_CPL_SEQ)++;
  d->irq = true;
  d->completions++;
}

static void fk_execute(fakedev *d) {
  uint32_t op = R(SGPU_REG_CMD_OP) & 0xFFu, policy = R(SGPU_REG_CMD_OP) >> 8 & 3u;
  uint32_t a[4] = {R(SGPU_REG_CMD_ARG0), R(SGPU_REG_CMD_ARG1), R(SGPU_REG_CMD_ARG2),
                   R(SGPU_REG_CMD_ARG3)};
  memset(d->post_res, 0, sizeof d->post_res);
  memset(d->post_td, 0, sizeof d->post_td);
  d->post_status = SGPU_STATUS_SUCCESS;
  if (d->script) {
    d->script = false;
    d->post_status = d->script_status;
    memcpy(d->post_res, d->script_res, sizeof d->post_res);
    memcpy(d->post_td, d->script_td, sizeof d->post_td);
  } else if (op == FK_OP_TAG) {
    d->admin_applied[a[0] & 0xFFFFu]++;
    uint32_t r[6] = {a[0] + a[1], a[2] ^ a[3], op, a[0] * 7u, ~a[1], policy};
    memcpy(d->post_res, r, sizeof r);
    for (uint32_t i = 0; i < 6; i++) d->post_td[i] = a[0] + i + 1u;
  } else if (op == SGPU_OP_MEM_READ || op == SGPU_OP_MEM_WRITE) {
    uint32_t va = a[1], n = a[2];
    if (a[0] != FK_HANDLE)
      d->post_status = SGPU_STATUS_INVALID_HANDLE;
    else if (va % 4u || n == 0 || n > FK_DATA_WORDS || va / 4u + n > FK_MEM_WORDS)
      d->post_status = SGPU_STATUS_INVALID_PARAMETER;
    else {
      for (uint32_t i = 0; i < n; i++) {
        if (op == SGPU_OP_MEM_READ)
          R(SGPU_DATA_BASE + 4u * i) = d->mem[va / 4u + i];
        else
          d->mem[va / 4u + i] = R(SGPU_DATA_BASE + 4u * i);
      }
      d->post_res[0] = n;
    }
  } else {
    d->post_status = SGPU_STATUS_INVALID_DEVICE_REQUEST;
  }
  d->busy_left = 1u + rndn(&d->rng, d->max_latency + 1u);
}

static bool in_window(uint32_t a) {
  return a >= SGPU_DATA_BASE && a < SGPU_DATA_BASE + SGPU_DATA_SIZE;
}

int fk_read(void *ctx, uint32_t a, uint32_t *v) {
  fakedev *d = ctx;
  fk_tick(d);
  if (a >= (1u << SGPU_BUS_ADDR_BITS) || a % 4u || (d->fail_addr && a == d->fail_addr)) return -1;
  switch (a) {
    case SGPU_REG_ID:
      *v = SGPU_MAGIC;
      return 0;
    case SGPU_REG_VERSION:
      *v = SGPU_VERSION;
      return 0;
    case SGPU_REG_CAPS0:
      *v = 4u | 4u << 8 | 4u << 16 | 8u << 24;
      return 0;
    case SGPU_REG_CAPS1:
      *v = 64u;
      return 0;
    case SGPU_REG_CAPS2:
      *v = FK_DATA_WORDS;
      return 0;
    case SGPU_REG_ADMIN_STATUS:
      *v = (fk_busy(d) ? 1u : 0u) << SGPU_ADMIN_STATUS_BUSY_LSB | (d->irq ? 1u : 0u)
                                                                      << SGPU_ADMIN_STATUS_IRQ_LSB;
      return 0;
    case FK_INCR:
      *v = (uint32_t)d->incr_total;
      return 0;
  }
  *v = in_window(a) && fk_busy(d) ? 0u : R(a);
  return 0;
}

int fk_write(void *ctx, uint32_t a, uint32_t v) {
  fakedev *d = ctx;
  fk_tick(d);
  if (a >= (1u << SGPU_BUS_ADDR_BITS) || a % 4u || (d->fail_addr && a == d->fail_addr)) return -1;
  d->writes++;
  switch (a) {
    case SGPU_REG_ID:
    case SGPU_REG_VERSION:
    case SGPU_REG_CAPS0:
    case SGPU_REG_CAPS1:
    case SGPU_REG_CAPS2:
    case SGPU_REG_ADMIN_STATUS:
    case SGPU_REG_CPL_SEQ:
    case SGPU_REG_CPL_STATUS:
      return 0;
    case SGPU_REG_ADMIN_DOORBELL:
      if (fk_busy(d))
        R(SGPU_REG_ADMIN_DROPPED)++;
      else if (d->hang)
        return 0;
      else
        fk_execute(d);
      return 0;
    case SGPU_REG_IRQ_ACK:
      if (v & 1u) d->irq = false;
      return 0;
    case FK_INCR:
      d->incr_total += v;
      return 0;
    case FK_LOG:
      d->log_applied[v & 0xFFFFu]++;
      return 0;
  }
  if (in_window(a) && fk_busy(d)) return 0;
  R(a) = v;
  return 0;
}
#undef R

/* A doorbell on a hanging device: BUSY from then on, never completes. */
int fk_write_hang(void *ctx, uint32_t a, uint32_t v) {
  fakedev *d = ctx;
  if (a == SGPU_REG_ADMIN_DOORBELL && !fk_busy(d)) {
    fk_tick(d);
    d->writes++;
    d->hang = true;
    return 0;
  }
  return fk_write(ctx, a, v);
}

static bool roll(fault_dir *f, uint32_t rate) { return rate && rndn(&f->rng, 1000000u) < rate; }

typedef void (*sink_fn)(void *ctx, uint8_t b);

static void pass_byte(fault_dir *f, uint8_t b, sink_fn out, void *ctx) {
  if (roll(f, f->r.drop)) {
    f->n_drop++;
    return;
  }
  if (roll(f, f->r.flip)) {
    f->n_flip++;
    b ^= (uint8_t)(1u + rndn(&f->rng, 255u));
  }
  if (roll(f, f->r.ins)) {
    f->n_ins++;
    out(ctx, (uint8_t)rnd(&f->rng));
  }
  if (!f->held_valid && roll(f, f->r.swap)) { /* goes out after the next byte */
    f->n_swap++;
    f->held = b;
    f->held_valid = true;
    return;
  }
  out(ctx, b);
  if (f->held_valid) {
    out(ctx, f->held);
    f->held_valid = false;
  }
  if (roll(f, f->r.dup)) {
    f->n_dup++;
    out(ctx, b);
  }
}

static void pass_flush(fault_dir *f, sink_fn out, void *ctx) {
  if (f->held_valid) out(ctx, f->held);
  f->held_valid = false;
}

static void to_host(void *ctx, uint8_t b) {
  tlink *t = ctx;
  if (t->qh + t->qn == t->qcap) {
    memmove(t->q, t->q + t->qh, t->qn);
    t->qh = 0;
  }
  if (t->qn == t->qcap) abort(); /* the host never lets this much pile up */
  t->q[t->qh + t->qn++] = b;
}

static void to_bridge(void *ctx, uint8_t b) { bridge_ref_rx(&((tlink *)ctx)->br, &b, 1); }

static void bridge_tx(void *ctx, const uint8_t *p, size_t n) {
  tlink *t = ctx;
  for (size_t i = 0; i < n; i++) pass_byte(&t->b2h, p[i], to_host, t);
  pass_flush(&t->b2h, to_host, t);
}

int ch_write(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen) {
  (void)err, (void)errlen;
  tlink *t = ctx;
  for (size_t i = 0; i < n; i++) pass_byte(&t->h2b, p[i], to_bridge, t);
  pass_flush(&t->h2b, to_bridge, t);
  return 0;
}

long ch_read(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err, size_t errlen) {
  (void)timeout_ms;
  tlink *t = ctx;
  if (t->fail_read) {
    snprintf(err, errlen, "test channel: read failed on purpose");
    return -1;
  }
  if (t->qn == 0) return 0;
  size_t k = 1u + rndn(&t->rng, 97u);
  if (k > cap) k = cap;
  if (k > t->qn) k = t->qn;
  memcpy(p, t->q + t->qh, k);
  t->qh += k;
  t->qn -= k;
  if (t->qn == 0) t->qh = 0;
  return (long)k;
}

static int tl_bus_read(void *ctx, uint32_t a, uint32_t *v) {
  tlink *t = ctx;
  return t->dev_rd(t->dev, a, v);
}
static int tl_bus_write(void *ctx, uint32_t a, uint32_t v) {
  tlink *t = ctx;
  return t->dev_wr(t->dev, a, v);
}

tlink *tl_new(uint64_t seed, rates h2b, rates b2h, void *dev,
              int (*rd)(void *, uint32_t, uint32_t *), int (*wr)(void *, uint32_t, uint32_t),
              uint32_t admin_wait_log2) {
  tlink *t = calloc(1, sizeof *t);
  if (!t) abort();
  t->qcap = 1u << 20;
  t->q = malloc(t->qcap);
  if (!t->q) abort();
  t->h2b.r = h2b;
  t->b2h.r = b2h;
  t->h2b.rng = seed ^ 0x1111u;
  t->b2h.rng = seed ^ 0x2222u;
  t->rng = seed ^ 0x3333u;
  t->dev = dev;
  t->dev_rd = rd;
  t->dev_wr = wr;
  bridge_ref_io io = {t, tl_bus_read, tl_bus_write, bridge_tx};
  bridge_ref_init(&t->br, &io, admin_wait_log2);
  return t;
}

void tl_free(tlink *t) {
  if (!t) return;
  free(t->q);
  free(t);
}

sgpui_link_channel tl_channel(tlink *t) {
  sgpui_link_channel ch = {t, ch_write, ch_read};
  return ch;
}

/* ---------------------------------------------------------------- frame helpers */

void hex(char *buf, size_t cap, const uint8_t *p, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  for (size_t i = 0; i < n && o + 4 < cap; i++)
    o += (size_t)snprintf(buf + o, cap - o, "%s%02x", i ? " " : "", p[i]);
}

int bridge_answer(tlink *t, const uint8_t *wire, size_t n, got_frame *g) {
  ch_write(t, wire, n, NULL, 0);
  sgpui_link_deframer d;
  sgpui_link_deframer_init(&d);
  int frames = 0;
  size_t pos = t->qh, end = t->qh + t->qn;
  while (pos < end) {
    size_t used;
    sgpui_link_frame f;
    int e = sgpui_link_deframer_push(&d, t->q + pos, end - pos, &used, &f, NULL, 0);
    pos += used;
    if (e == SGPUI_LINK_MORE) break;
    if (frames++ == 0) {
      g->err = e;
      if (e == SGPUI_LINK_OK) {
        g->f = f;
        memcpy(g->pl, f.payload, f.len);
        g->f.payload = g->pl;
      }
    }
  }
  t->qh = t->qn = 0;
  return frames;
}

/* A decoded frame with every field chosen (crc_ok 0: the CRC's low byte flipped). */
size_t raw_frame(uint8_t *raw, uint8_t version, uint8_t kind, uint8_t seq, uint16_t lenf,
                 const uint8_t *pl, size_t n, bool crc_ok) {
  raw[0] = version;
  raw[1] = kind;
  raw[2] = seq;
  sgpui_link_put16(raw + 3, lenf);
  if (n) memcpy(raw + 5, pl, n);
  uint16_t crc = sgpui_link_crc16(SGPU_LINK_CRC_INIT, raw, 5 + n);
  raw[5 + n] = (uint8_t)(crc >> 8);
  raw[6 + n] = (uint8_t)(crc ^ (crc_ok ? 0u : 0x5Au));
  return n + 7;
}

/* DELIM, COBS(raw), DELIM. */
size_t wire_of(const uint8_t *raw, size_t n, uint8_t *wire) {
  wire[0] = 0;
  size_t e = sgpui_link_cobs_encode(raw, n, wire + 1);
  wire[e + 1] = 0;
  return e + 2;
}
