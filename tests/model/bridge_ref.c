/* bridge_ref.c - the reference bridge (bridge_ref.h, docs/protocol.md "The bridge").
 *
 * Receive: per byte, as the RTL deframer will: a delimiter ends the frame; otherwise the byte
 * is a COBS code byte (when the current block is used up: emit the previous block's implied
 * zero, start a block of code - 1 data bytes) or a data byte. Every decoded byte goes through
 * the CRC register and into the header registers (the first 5) or the payload buffer. At the
 * delimiter: drop silently what has no trustworthy header (COBS block cut short, fewer than 7
 * or more than 519 decoded bytes); NAK a CRC residue other than 0 and a wrong version; replay
 * the kept response for the kept sequence number; NAK a wrong length field, an unknown kind
 * or a malformed payload (checked whole before anything executes); else execute, keep the
 * response, send it.
 */
#include "bridge_ref.h"

#include <string.h>

#include "sgpu_regs.h"

/* ---------------------------------------------------------------- CRC and COBS (own versions) */

static uint16_t crc_byte(uint16_t crc, uint8_t b) {
  uint8_t x = (uint8_t)(crc >> 8 ^ b);
  x ^= (uint8_t)(x >> 4);
  return (uint16_t)(crc << 8 ^ (uint16_t)x << 12 ^ (uint16_t)x << 5 ^ x);
}

uint16_t bridge_ref_crc16(uint16_t crc, const uint8_t *p, size_t n) {
  while (n--) crc = crc_byte(crc, *p++);
  return crc;
}

/* Scan ahead from each block start for the next zero (at most 254 bytes), as the RTL
 * encoder reads its response buffer. */
size_t bridge_ref_cobs_encode(const uint8_t *in, size_t n, uint8_t *out) {
  size_t i = 0, o = 0;
  for (;;) {
    size_t j = i;
    while (j < n && in[j] != 0 && j - i < 254) j++;
    size_t len = j - i;
    out[o++] = (uint8_t)(len == 254 ? 0xFF : len + 1);
    memcpy(out + o, in + i, len);
    o += len;
    if (len == 254) { /* a full block: no implied zero, nothing skipped */
      i = j;
      if (i == n) break;
      continue;
    }
    if (j == n) break;
    i = j + 1; /* the zero the code byte stands for */
  }
  return o;
}

/* ---------------------------------------------------------------- sending */

static void send_frame(bridge_ref *b, const uint8_t *raw, size_t n) {
  uint8_t wire[SGPU_LINK_MAX_WIRE];
  wire[0] = SGPU_LINK_DELIM;
  size_t e = bridge_ref_cobs_encode(raw, n, wire + 1);
  wire[1 + e] = SGPU_LINK_DELIM;
  b->st.bytes_tx += e + 2;
  b->io.tx(b->io.ctx, wire, e + 2);
}

/* Header and CRC around payload[0..len) already at raw + HDR_LEN. */
static size_t seal(uint8_t *raw, uint8_t kind, uint8_t seq, size_t len) {
  raw[SGPU_LINK_OFF_VERSION] = SGPU_LINK_VERSION;
  raw[SGPU_LINK_OFF_KIND] = kind;
  raw[SGPU_LINK_OFF_SEQ] = seq;
  raw[SGPU_LINK_OFF_LEN] = (uint8_t)len;
  raw[SGPU_LINK_OFF_LEN + 1] = (uint8_t)(len >> 8);
  uint16_t crc = bridge_ref_crc16(SGPU_LINK_CRC_INIT, raw, SGPU_LINK_HDR_LEN + len);
  raw[SGPU_LINK_HDR_LEN + len] = (uint8_t)(crc >> 8);
  raw[SGPU_LINK_HDR_LEN + len + 1] = (uint8_t)crc;
  return SGPU_LINK_HDR_LEN + len + SGPU_LINK_CRC_LEN;
}

/* A NAK: built apart from the kept response, which it never replaces. */
static void nak(bridge_ref *b, uint8_t seq, uint8_t status, uint32_t detail) {
  uint8_t raw[SGPU_LINK_MIN_FRAME + SGPU_LINK_RESP_HDR_LEN];
  uint8_t *p = raw + SGPU_LINK_HDR_LEN;
  p[0] = status;
  p[1] = 0;
  p[2] = (uint8_t)detail;
  p[3] = (uint8_t)(detail >> 8);
  b->st.naks[status]++;
  send_frame(b, raw, seal(raw, SGPU_LINK_KIND_NAK, seq, SGPU_LINK_RESP_HDR_LEN));
}

/* ---------------------------------------------------------------- the register bus */

typedef struct {
  bridge_ref *b;
  uint8_t *data; /* response payload after the status header */
  size_t n;
  uint16_t detail;
} exec_ctx;

static int rd(exec_ctx *x, uint32_t addr, uint32_t *v) {
  x->b->st.bus_reads++;
  if (x->b->io.read32(x->b->io.ctx, addr, v) == 0) return 0;
  x->b->st.bus_errors++;
  x->detail = (uint16_t)addr;
  return -1;
}

static int wr(exec_ctx *x, uint32_t addr, uint32_t v) {
  x->b->st.bus_writes++;
  if (x->b->io.write32(x->b->io.ctx, addr, v) == 0) return 0;
  x->b->st.bus_errors++;
  x->detail = (uint16_t)addr;
  return -1;
}

static void put32(exec_ctx *x, uint32_t v) {
  x->data[x->n++] = (uint8_t)v;
  x->data[x->n++] = (uint8_t)(v >> 8);
  x->data[x->n++] = (uint8_t)(v >> 16);
  x->data[x->n++] = (uint8_t)(v >> 24);
}

/* Read a register into the response; -1 on a bus error. */
static int rd_put(exec_ctx *x, uint32_t addr) {
  uint32_t v;
  if (rd(x, addr, &v)) return -1;
  put32(x, v);
  return 0;
}

static const uint32_t arg_regs[SGPU_LINK_ADMIN_MAX_ARGS] = {SGPU_REG_CMD_ARG0, SGPU_REG_CMD_ARG1,
                                                            SGPU_REG_CMD_ARG2, SGPU_REG_CMD_ARG3};
static const uint32_t res_regs[SGPU_LINK_ADMIN_MAX_RES] = {SGPU_REG_CPL_RES0, SGPU_REG_CPL_RES1,
                                                           SGPU_REG_CPL_RES2, SGPU_REG_CPL_RES3,
                                                           SGPU_REG_CPL_RES4, SGPU_REG_CPL_RES5};
static const uint32_t phase_regs[SGPU_LINK_ADMIN_NPHASES] = {
    SGPU_REG_TD_VALIDATE, SGPU_REG_TD_STOP_DRAIN, SGPU_REG_TD_TLB,
    SGPU_REG_TD_FREE,     SGPU_REG_TD_RELEASE,    SGPU_REG_TD_COMPLETE};

/* The admin transaction up to the completion (docs/protocol.md, "ADMIN"): ADMIN_STATUS (BUSY:
 * nothing written), CPL_SEQ, the data words (MEM_WRITE), the arguments, CMD_OP, the doorbell,
 * then CPL_SEQ until its low byte moves (CPL_SEQ counts completions: the bridge keeps 8 bits of
 * it). On OK, CPL_STATUS and CPL_SEQ are in the response. */
static uint8_t admin_start(exec_ctx *x, uint32_t cmd_op, const uint32_t *args, unsigned nargs,
                           const uint8_t *wdata, unsigned wn, uint32_t *cpl_status) {
  uint32_t status, seq0, seq;
  if (rd(x, SGPU_REG_ADMIN_STATUS, &status)) return SGPU_LINK_ST_BUS_ERROR;
  if (status >> SGPU_ADMIN_STATUS_BUSY_LSB & 1u) {
    x->b->st.admin_busy++;
    x->detail = (uint16_t)status;
    return SGPU_LINK_ST_ADMIN_BUSY;
  }
  if (rd(x, SGPU_REG_CPL_SEQ, &seq0)) return SGPU_LINK_ST_BUS_ERROR;
  for (unsigned i = 0; i < wn; i++)
    if (wr(x, SGPU_DATA_BASE + 4u * i, sgpui_link_get32(wdata + 4u * i)))
      return SGPU_LINK_ST_BUS_ERROR;
  for (unsigned i = 0; i < nargs; i++)
    if (wr(x, arg_regs[i], args[i])) return SGPU_LINK_ST_BUS_ERROR;
  if (wr(x, SGPU_REG_CMD_OP, cmd_op) || wr(x, SGPU_REG_ADMIN_DOORBELL, 1u))
    return SGPU_LINK_ST_BUS_ERROR;
  uint64_t polls = (uint64_t)1 << x->b->admin_wait_log2;
  for (uint64_t i = 0;; i++) {
    if (rd(x, SGPU_REG_CPL_SEQ, &seq)) return SGPU_LINK_ST_BUS_ERROR;
    if ((uint8_t)seq != (uint8_t)seq0) break;
    if (i + 1 == polls) {
      x->b->st.admin_timeouts++;
      x->detail = (uint16_t)seq;
      return SGPU_LINK_ST_ADMIN_TIMEOUT;
    }
  }
  if (rd(x, SGPU_REG_CPL_STATUS, cpl_status)) return SGPU_LINK_ST_BUS_ERROR;
  put32(x, *cpl_status);
  put32(x, seq);
  return SGPU_LINK_ST_OK;
}

static uint8_t admin_finish(exec_ctx *x) {
  return wr(x, SGPU_REG_IRQ_ACK, 1u << SGPU_IRQ_ACK_ACK_LSB) ? SGPU_LINK_ST_BUS_ERROR
                                                             : SGPU_LINK_ST_OK;
}

/* ---------------------------------------------------------------- request checks */

/* 0 if the payload fits its kind, else the NAK status with *detail. */
static uint8_t check_request(uint8_t kind, const uint8_t *p, size_t len, uint32_t *detail) {
  *detail = (uint32_t)len;
  switch (kind) {
    case SGPU_LINK_KIND_PING:
    case SGPU_LINK_KIND_INFO:
      return len ? SGPU_LINK_ST_BAD_LENGTH : SGPU_LINK_ST_OK;
    case SGPU_LINK_KIND_REG_BATCH: {
      size_t off = 0, reads = 0;
      while (off < len) {
        if (p[off] > SGPU_LINK_OP_WRITE) {
          *detail = (uint32_t)off;
          return SGPU_LINK_ST_BAD_FIELD;
        }
        size_t need = p[off] == SGPU_LINK_OP_READ ? SGPU_LINK_OP_READ_LEN : SGPU_LINK_OP_WRITE_LEN;
        if (need > len - off) return SGPU_LINK_ST_BAD_LENGTH;
        if (p[off + 1] & 3u) {
          *detail = (uint32_t)off + 1u;
          return SGPU_LINK_ST_BAD_FIELD;
        }
        reads += p[off] == SGPU_LINK_OP_READ;
        off += need;
      }
      if (SGPU_LINK_RESP_HDR_LEN + 4u * reads > SGPU_LINK_MAX_PAYLOAD) {
        *detail = (uint32_t)(SGPU_LINK_RESP_HDR_LEN + 4u * reads);
        return SGPU_LINK_ST_TOO_LONG;
      }
      return SGPU_LINK_ST_OK;
    }
    case SGPU_LINK_KIND_ADMIN:
      if (len < SGPU_LINK_ADMIN_HDR_LEN) return SGPU_LINK_ST_BAD_LENGTH;
      *detail = 1;
      if (p[1] >> SGPU_CMD_OP_POLICY_BITS) return SGPU_LINK_ST_BAD_FIELD;
      *detail = 2;
      if (p[2] > SGPU_LINK_ADMIN_MAX_ARGS) return SGPU_LINK_ST_BAD_FIELD;
      *detail = 3;
      if (p[3] > SGPU_LINK_ADMIN_MAX_RES) return SGPU_LINK_ST_BAD_FIELD;
      *detail = 4;
      if (p[4] & ~SGPU_LINK_ADMIN_F_PHASES) return SGPU_LINK_ST_BAD_FIELD;
      *detail = (uint32_t)len;
      return len == SGPU_LINK_ADMIN_HDR_LEN + 4u * p[2] ? SGPU_LINK_ST_OK : SGPU_LINK_ST_BAD_LENGTH;
    case SGPU_LINK_KIND_MEM_READ: {
      if (len != SGPU_LINK_MEM_READ_LEN) return SGPU_LINK_ST_BAD_LENGTH;
      uint16_t words = sgpui_link_get16(p + 8);
      *detail = 8;
      return words == 0 || words > SGPU_LINK_MEM_MAX_WORDS ? SGPU_LINK_ST_BAD_FIELD
                                                           : SGPU_LINK_ST_OK;
    }
    case SGPU_LINK_KIND_MEM_WRITE:
      if (len < SGPU_LINK_MEM_HDR_LEN + 4u || (len - SGPU_LINK_MEM_HDR_LEN) % 4u ||
          (len - SGPU_LINK_MEM_HDR_LEN) / 4u > SGPU_LINK_MEM_MAX_WORDS)
        return SGPU_LINK_ST_BAD_LENGTH;
      return SGPU_LINK_ST_OK;
  }
  *detail = kind;
  return SGPU_LINK_ST_BAD_KIND;
}

/* ---------------------------------------------------------------- execution */

static uint8_t exec_batch(exec_ctx *x, const uint8_t *p, size_t len) {
  size_t off = 0, done = 0;
  while (off < len) {
    uint32_t addr = sgpui_link_get16(p + off + 1);
    if (p[off] == SGPU_LINK_OP_READ) {
      if (rd_put(x, addr)) break;
      off += SGPU_LINK_OP_READ_LEN;
    } else {
      if (wr(x, addr, sgpui_link_get32(p + off + 3))) break;
      off += SGPU_LINK_OP_WRITE_LEN;
    }
    done++;
  }
  x->detail = (uint16_t)done; /* carried out, whatever the outcome */
  return off < len ? SGPU_LINK_ST_BUS_ERROR : SGPU_LINK_ST_OK;
}

static uint8_t exec_info(exec_ctx *x, uint32_t admin_wait_log2) {
  static const uint32_t regs[] = {SGPU_REG_ID, SGPU_REG_VERSION, SGPU_REG_CAPS0, SGPU_REG_CAPS1,
                                  SGPU_REG_CAPS2};
  x->data[x->n++] = SGPU_LINK_VERSION;
  x->data[x->n++] = (uint8_t)admin_wait_log2;
  x->data[x->n++] = (uint8_t)SGPU_LINK_MAX_PAYLOAD;
  x->data[x->n++] = (uint8_t)(SGPU_LINK_MAX_PAYLOAD >> 8);
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
    if (rd_put(x, regs[i])) return SGPU_LINK_ST_BUS_ERROR;
  return SGPU_LINK_ST_OK;
}

static uint8_t exec_admin(exec_ctx *x, const uint8_t *p) {
  uint32_t args[SGPU_LINK_ADMIN_MAX_ARGS], cpl_status;
  unsigned nargs = p[2], nres = p[3];
  for (unsigned i = 0; i < nargs; i++)
    args[i] = sgpui_link_get32(p + SGPU_LINK_ADMIN_HDR_LEN + 4u * i);
  uint32_t cmd_op = (uint32_t)p[0] << SGPU_CMD_OP_OPCODE_LSB | (uint32_t)p[1]
                                                                   << SGPU_CMD_OP_POLICY_LSB;
  uint8_t st = admin_start(x, cmd_op, args, nargs, NULL, 0, &cpl_status);
  if (st != SGPU_LINK_ST_OK) return st;
  for (unsigned i = 0; i < nres; i++)
    if (rd_put(x, res_regs[i])) return SGPU_LINK_ST_BUS_ERROR;
  if (p[4] & SGPU_LINK_ADMIN_F_PHASES)
    for (unsigned i = 0; i < SGPU_LINK_ADMIN_NPHASES; i++)
      if (rd_put(x, phase_regs[i])) return SGPU_LINK_ST_BUS_ERROR;
  return admin_finish(x);
}

static uint8_t exec_mem(exec_ctx *x, bool write, const uint8_t *p, size_t len) {
  uint32_t words = write ? (uint32_t)(len - SGPU_LINK_MEM_HDR_LEN) / 4u : sgpui_link_get16(p + 8);
  uint32_t args[3] = {sgpui_link_get32(p), sgpui_link_get32(p + 4), words}, cpl_status;
  uint32_t op = write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ;
  uint8_t st =
      admin_start(x, op << SGPU_CMD_OP_OPCODE_LSB, args, 3,
                  write ? p + SGPU_LINK_MEM_HDR_LEN : NULL, write ? words : 0, &cpl_status);
  if (st != SGPU_LINK_ST_OK) return st;
  if (rd_put(x, SGPU_REG_CPL_RES0)) return SGPU_LINK_ST_BUS_ERROR;
  if (!write && cpl_status == SGPU_STATUS_SUCCESS)
    for (uint32_t i = 0; i < words; i++)
      if (rd_put(x, SGPU_DATA_BASE + 4u * i)) return SGPU_LINK_ST_BUS_ERROR;
  return admin_finish(x);
}

static void execute(bridge_ref *b, uint8_t kind, uint8_t seq, const uint8_t *p, size_t len) {
  uint8_t *payload = b->resp + SGPU_LINK_HDR_LEN;
  exec_ctx x = {b, payload + SGPU_LINK_RESP_HDR_LEN, 0, 0};
  uint8_t st = SGPU_LINK_ST_OK;
  switch (kind) {
    case SGPU_LINK_KIND_PING:
      break;
    case SGPU_LINK_KIND_INFO:
      st = exec_info(&x, b->admin_wait_log2);
      break;
    case SGPU_LINK_KIND_REG_BATCH:
      st = exec_batch(&x, p, len);
      break;
    case SGPU_LINK_KIND_ADMIN:
      st = exec_admin(&x, p);
      break;
    default:
      st = exec_mem(&x, kind == SGPU_LINK_KIND_MEM_WRITE, p, len);
      break;
  }
  /* Data only with OK; REG_BATCH also keeps the reads before a bus error. */
  if (st != SGPU_LINK_ST_OK && kind != SGPU_LINK_KIND_REG_BATCH) x.n = 0;
  if (st == SGPU_LINK_ST_OK && kind != SGPU_LINK_KIND_REG_BATCH) x.detail = 0;
  payload[0] = st;
  payload[1] = 0;
  payload[2] = (uint8_t)x.detail;
  payload[3] = (uint8_t)(x.detail >> 8);
  b->resp_len = seal(b->resp, kind | SGPU_LINK_KIND_RESPONSE, seq, SGPU_LINK_RESP_HDR_LEN + x.n);
  b->kept = 1;
  b->kept_seq = seq;
  b->st.executed++;
  send_frame(b, b->resp, b->resp_len);
}

/* ---------------------------------------------------------------- receiving */

static void frame_end(bridge_ref *b) {
  if (b->enc == 0) return;            /* back-to-back delimiters */
  if (b->pos > SGPU_LINK_MAX_FRAME) { /* overflowed, whatever else is wrong */
    b->st.dropped_long++;
    return;
  }
  if (b->block_left) {
    b->st.dropped_cobs++;
    return;
  }
  if (b->pos < SGPU_LINK_MIN_FRAME) {
    b->st.dropped_short++;
    return;
  }
  uint8_t seq = b->hdr[SGPU_LINK_OFF_SEQ], kind = b->hdr[SGPU_LINK_OFF_KIND];
  if (b->crc != 0) {
    nak(b, seq, SGPU_LINK_ST_BAD_CRC, (uint32_t)b->pos);
    return;
  }
  if (b->hdr[SGPU_LINK_OFF_VERSION] != SGPU_LINK_VERSION) {
    nak(b, seq, SGPU_LINK_ST_BAD_VERSION, b->hdr[SGPU_LINK_OFF_VERSION]);
    return;
  }
  if (b->kept && seq == b->kept_seq) {
    b->st.replayed++;
    send_frame(b, b->resp, b->resp_len);
    return;
  }
  size_t len = sgpui_link_get16(b->hdr + SGPU_LINK_OFF_LEN);
  if (len != b->pos - SGPU_LINK_MIN_FRAME) {
    nak(b, seq, SGPU_LINK_ST_BAD_LENGTH, (uint32_t)len);
    return;
  }
  if (kind < SGPU_LINK_KIND_PING || kind > SGPU_LINK_KIND_LAST) {
    nak(b, seq, SGPU_LINK_ST_BAD_KIND, kind);
    return;
  }
  uint32_t detail;
  uint8_t st = check_request(kind, b->buf, len, &detail);
  if (st != SGPU_LINK_ST_OK) {
    nak(b, seq, st, detail);
    return;
  }
  execute(b, kind, seq, b->buf, len);
}

static void emit(bridge_ref *b, uint8_t y) {
  b->crc = crc_byte(b->crc, y);
  if (b->pos < SGPU_LINK_HDR_LEN)
    b->hdr[b->pos] = y;
  else if (b->pos - SGPU_LINK_HDR_LEN < sizeof b->buf)
    b->buf[b->pos - SGPU_LINK_HDR_LEN] = y;
  b->pos++;
}

static void frame_reset(bridge_ref *b) {
  b->enc = 0;
  b->pos = 0;
  b->block_left = 0;
  b->zero_next = 0;
  b->crc = SGPU_LINK_CRC_INIT;
}

static void rx_byte(bridge_ref *b, uint8_t x) {
  if (x == SGPU_LINK_DELIM) {
    frame_end(b);
    frame_reset(b);
    return;
  }
  b->enc++;
  if (b->block_left == 0) { /* a code byte */
    if (b->zero_next) emit(b, 0);
    b->block_left = (uint8_t)(x - 1u);
    b->zero_next = x != 0xFF;
  } else {
    emit(b, x);
    b->block_left--;
  }
}

void bridge_ref_init(bridge_ref *b, const bridge_ref_io *io, uint32_t admin_wait_log2) {
  memset(b, 0, sizeof *b);
  b->io = *io;
  b->admin_wait_log2 = admin_wait_log2 > 40 ? 40 : admin_wait_log2;
  frame_reset(b);
}

void bridge_ref_rx(bridge_ref *b, const uint8_t *p, size_t n) {
  b->st.bytes_rx += n;
  for (size_t i = 0; i < n; i++) rx_byte(b, p[i]);
}

void bridge_ref_line_reset(bridge_ref *b) { frame_reset(b); }
