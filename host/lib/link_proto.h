/* link_proto.h - the sgpu wire protocol, host side (internal to libsgpu; not installed).
 *
 * The protocol is specified in docs/protocol.md; its wire constants (the SGPU_LINK_* macros)
 * come from the generated sgpu_link.h (regmap/link.toml, tools/linkmap.py), the same
 * description the RTL bridge's sgpu_link_pkg is generated from. Register offsets come from the
 * generated sgpu_regs.h. Contents, bottom up:
 *   - CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected, no final xor);
 *   - COBS encoding and decoding (canonical encoder; decoding may be in place);
 *   - frame build and parse (every field checked, an error naming the failing value);
 *   - a streaming deframer: arbitrary byte chunks in, complete frames out;
 *   - the request engine (sgpui_link_client): sequence numbers, retry with the same sequence
 *     number on timeout, on a frame that fails its checks and on a NAK, up to a limit,
 *     responses matched by sequence number and kind, stale ones discarded; written against
 *     an abstract byte channel (sgpui_link_channel), so a pty/tcp/serial/usb transport only
 *     supplies the channel;
 *   - the typed requests: PING, INFO, REG_BATCH, ADMIN, MEM_READ, MEM_WRITE.
 *
 * Errors: every function returns an sgpui_link_err (SGPUI_LINK_OK = 0) and, where it takes
 * err/errlen, writes a message naming the value that was wrong (err may be NULL). A request
 * that the bridge answered with a status other than OK is SGPUI_LINK_E_REMOTE; the status and
 * its detail are in the client (last_status, last_detail). sgpui_link_sgpu_status maps an
 * error to the sgpu_status a transport returns (STATUS_IO_TIMEOUT / STATUS_IO_DEVICE_ERROR).
 *
 * Ownership and state: no allocation, no global state. A client is caller-allocated
 * (sgpui_link_client_init), used by one thread at a time, and owns nothing: the channel's
 * context stays the caller's. Buffers passed in stay the caller's.
 */
#ifndef SGPU_LINK_PROTO_H
#define SGPU_LINK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ============================================================ wire constants (docs/protocol.md) */
/* SGPU_LINK_* (version, delimiter, header offsets and lengths, limits, CRC parameters, kinds
 * with their X-list SGPU_LINK_KIND_LIST, statuses with SGPU_LINK_STATUS_LIST, payload
 * layouts) are generated from regmap/link.toml, as the RTL bridge's sgpu_link_pkg is. */
#include "sgpu_link.h"

/* COBS: n bytes encode to at most n + ceil(n / 254) bytes (1 for n = 0); for n =
 * SGPU_LINK_MAX_FRAME this is SGPU_LINK_MAX_ENCODED (checked below). */
#define SGPU_LINK_COBS_MAX(n) ((n) == 0 ? 1u : (n) + ((n) + 253u) / 254u)
#ifdef __cplusplus
static_assert(SGPU_LINK_COBS_MAX(SGPU_LINK_MAX_FRAME) == SGPU_LINK_MAX_ENCODED,
              "link.toml: MAX_ENCODED disagrees with the COBS bound");
#else
_Static_assert(SGPU_LINK_COBS_MAX(SGPU_LINK_MAX_FRAME) == SGPU_LINK_MAX_ENCODED,
               "link.toml: MAX_ENCODED disagrees with the COBS bound");
#endif

/* ============================================================ host side */
typedef enum {
  SGPUI_LINK_OK = 0,
  SGPUI_LINK_MORE,      /* deframer: no complete frame yet, every byte consumed */
  SGPUI_LINK_E_COBS,    /* a COBS block runs past the end of the frame */
  SGPUI_LINK_E_SHORT,   /* decoded frame shorter than header + CRC */
  SGPUI_LINK_E_LONG,    /* frame longer than SGPU_LINK_MAX_FRAME (or its encoding) */
  SGPUI_LINK_E_CRC,     /* CRC mismatch */
  SGPUI_LINK_E_VERSION, /* version byte is not SGPU_LINK_VERSION */
  SGPUI_LINK_E_LENGTH,  /* length field disagrees with the frame */
  SGPUI_LINK_E_KIND,    /* unknown kind, or a response of another kind than the request */
  SGPUI_LINK_E_PAYLOAD, /* a response payload that does not fit its request */
  SGPUI_LINK_E_REMOTE,  /* the bridge answered with a status other than OK */
  SGPUI_LINK_E_TIMEOUT, /* no valid response after every attempt */
  SGPUI_LINK_E_CHANNEL, /* the channel failed (its message is passed on) */
  SGPUI_LINK_E_ARG,     /* the caller's request cannot be sent; nothing was sent */
} sgpui_link_err;

const char *sgpui_link_err_str(int e);          /* "E_CRC"... */
const char *sgpui_link_status_name(uint8_t st); /* "BAD_CRC"..., "UNKNOWN" */
const char *sgpui_link_kind_name(uint8_t kind); /* "ADMIN", "ADMIN response", "NAK", "UNKNOWN" */
/* The sgpu_status for a link error (remote: the bridge's status, for E_REMOTE): SUCCESS,
 * STATUS_IO_TIMEOUT (E_TIMEOUT, ADMIN_TIMEOUT), STATUS_INVALID_PARAMETER (E_ARG),
 * STATUS_IO_DEVICE_ERROR (everything else). */
uint32_t sgpui_link_sgpu_status(int e, uint8_t remote);

/* CRC-16/CCITT-FALSE, continuing from crc (SGPU_LINK_CRC_INIT to start). */
uint16_t sgpui_link_crc16(uint16_t crc, const uint8_t *p, size_t n);

/* COBS. encode: out has room for SGPU_LINK_COBS_MAX(n) bytes; returns the encoded length
 * (canonical: no code byte after a final full block). decode: out may be in (in place);
 * E_COBS for a code byte 0 or a block past the end, E_LONG if more than cap bytes. */
size_t sgpui_link_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
int sgpui_link_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* A parsed frame; payload points into the buffer that was parsed. */
typedef struct {
  uint8_t version, kind, seq;
  uint16_t len;
  const uint8_t *payload;
} sgpui_link_frame;

/* Build a frame: DELIM, COBS(header | payload | CRC), DELIM into wire (cap bytes; enough:
 * SGPU_LINK_MAX_WIRE). E_ARG if len > SGPU_LINK_MAX_PAYLOAD or cap is too small. raw_out (may
 * be NULL) receives the decoded frame, raw_len its length. */
int sgpui_link_frame_build(uint8_t kind, uint8_t seq, const uint8_t *payload, size_t len,
                           uint8_t *wire, size_t cap, size_t *wire_len, uint8_t *raw_out,
                           size_t *raw_len, char *err, size_t errlen);
/* Check a decoded frame in the bridge's order: size (E_SHORT, E_LONG), CRC, version, length
 * field, kind (a request kind, a response kind or NAK). */
int sgpui_link_frame_parse(const uint8_t *raw, size_t n, sgpui_link_frame *f, char *err,
                           size_t errlen);

/* Streaming deframer. push consumes bytes of p[0..n) up to and including the delimiter that
 * ends a frame and returns: OK with the frame in *f (its payload lives in the deframer until
 * the next push), an error for a frame that failed (COBS, size, CRC, ...), or MORE when
 * every byte was consumed without ending a frame; *used says how many bytes it consumed.
 * Call again with the rest. Back-to-back delimiters (empty frames) are skipped silently; an
 * encoded frame longer than SGPU_LINK_MAX_ENCODED is discarded up to its delimiter (E_LONG). */
typedef struct {
  uint8_t buf[SGPU_LINK_MAX_ENCODED];
  size_t n;        /* encoded bytes of the frame being received */
  size_t overflow; /* bytes beyond buf (frame too long) */
} sgpui_link_deframer;
void sgpui_link_deframer_init(sgpui_link_deframer *d);
int sgpui_link_deframer_push(sgpui_link_deframer *d, const uint8_t *p, size_t n, size_t *used,
                             sgpui_link_frame *f, char *err, size_t errlen);

/* ------------------------------------------------------------ the request engine */

/* A byte channel. write sends all n bytes (0) or fails (-1, message in err). read waits at
 * most timeout_ms for bytes and returns how many it stored (1..cap), 0 if none came in that
 * time, -1 on failure (message in err). ctx is the transport's. */
typedef struct {
  void *ctx;
  int (*write)(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen);
  long (*read)(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err, size_t errlen);
} sgpui_link_channel;

#define SGPUI_LINK_DEFAULT_TIMEOUT_MS 2000u
#define SGPUI_LINK_DEFAULT_ATTEMPTS 8u
/* Bytes one attempt accepts without a matching response before it counts as timed out (a
 * babbling line cannot hold the engine forever). */
#define SGPUI_LINK_JUNK_LIMIT (4u * SGPU_LINK_MAX_WIRE)

typedef struct {
  uint32_t timeout_ms; /* an attempt ends after this long without a byte (0: default) */
  uint32_t attempts;   /* transmissions of one request, at least 1 (0: default) */
} sgpui_link_cfg;

typedef struct {
  uint64_t requests;      /* requests started (a batch split in k frames counts k) */
  uint64_t transmissions; /* frames sent */
  uint64_t retries;       /* transmissions after the first of a request */
  uint64_t timeouts;      /* attempts that ended without a byte for timeout_ms (or babble) */
  uint64_t frames_rx;     /* received frames that passed every check (any kind) */
  uint64_t bad_frames;    /* received frames that failed COBS/size/CRC/version/length/kind */
  uint64_t naks;          /* NAKs for the request being sent (retried) */
  uint64_t stale;         /* valid responses with another sequence number (discarded) */
  uint64_t ignored;       /* valid frames that are requests (an echo), ignored */
  uint64_t bytes_tx, bytes_rx;
  uint64_t failures; /* requests that ended with E_TIMEOUT */
} sgpui_link_stats;

typedef struct {
  sgpui_link_channel ch;
  sgpui_link_cfg cfg;
  uint8_t seq;          /* sequence number of the last request sent */
  bool synced;          /* a PING has established that the bridge's kept seq is ours */
  uint8_t last_status;  /* the bridge's status of the last response (E_REMOTE) */
  uint16_t last_detail; /* and its detail */
  sgpui_link_deframer df;
  uint8_t rx[256];
  size_t rx_pos, rx_len; /* bytes read from the channel, not yet deframed */
  uint8_t wire[SGPU_LINK_MAX_WIRE];
  uint8_t resp[SGPU_LINK_MAX_PAYLOAD];
  sgpui_link_stats stats;
} sgpui_link_client;

/* Initialise c over ch (copied) with cfg (NULL or zero fields: defaults). first_seq is the
 * sequence number of the first request minus one (any value; the sync PING makes it safe). */
void sgpui_link_client_init(sgpui_link_client *c, const sgpui_link_channel *ch,
                            const sgpui_link_cfg *cfg, uint8_t first_seq);

/* One request, raw: send kind with payload req[0..len), wait for the response with the same
 * sequence number and kind | SGPU_LINK_KIND_RESPONSE, retrying as docs/protocol.md says.
 * OK: *resp points to its payload (in the client, valid until the next request) of *resp_len
 * bytes (at least SGPU_LINK_RESP_HDR_LEN), whatever its status. A NAK (nothing executed) is
 * retried like a timeout; E_REMOTE if the last attempt is NAKed too, E_TIMEOUT if it saw no
 * valid answer. The first request of a client, and the first after a failed one (E_TIMEOUT,
 * E_REMOTE after NAKs, E_KIND, E_CHANNEL), is preceded by sgpui_link_sync. */
int sgpui_link_request(sgpui_link_client *c, uint8_t kind, const uint8_t *req, size_t len,
                       const uint8_t **resp, size_t *resp_len, char *err, size_t errlen);
/* PING that accepts a response of any kind with its sequence number: afterwards the
 * bridge's kept sequence number is this one, so the next request is never taken for a
 * replay of another session's. */
int sgpui_link_sync(sgpui_link_client *c, char *err, size_t errlen);

int sgpui_link_ping(sgpui_link_client *c, char *err, size_t errlen);

typedef struct {
  uint8_t link_version, admin_wait_log2;
  uint16_t max_payload;
  uint32_t id, version, caps0, caps1, caps2;
} sgpui_link_info;
int sgpui_link_info_get(sgpui_link_client *c, sgpui_link_info *info, char *err, size_t errlen);

/* One register access (the fields of libsgpu's sgpui_reg_op). */
typedef struct {
  uint32_t addr;
  uint32_t is_write; /* 0: read (value out), 1: write (value in) */
  uint32_t value;
} sgpui_link_op;
/* Run ops[0..n) in order, in as few REG_BATCH requests as fit, stopping at the first
 * failure; *done = entries carried out, read values stored in their entries. Every address
 * is checked first (below 1 << SGPU_BUS_ADDR_BITS, 4-byte aligned): E_ARG naming the entry,
 * nothing sent. A bus error is E_REMOTE (BUS_ERROR) naming the entry. */
int sgpui_link_batch(sgpui_link_client *c, sgpui_link_op *ops, size_t n, size_t *done, char *err,
                     size_t errlen);

typedef struct {
  uint8_t opcode, policy, nargs, nres, flags;
  uint32_t args[SGPU_LINK_ADMIN_MAX_ARGS];
} sgpui_link_admin_req;
typedef struct {
  uint32_t cpl_status, cpl_seq;
  uint32_t res[SGPU_LINK_ADMIN_MAX_RES];    /* [nres..6) are 0 */
  uint32_t phases[SGPU_LINK_ADMIN_NPHASES]; /* 0 without SGPU_LINK_ADMIN_F_PHASES */
} sgpui_link_admin_resp;
/* One admin command in one request: OK whatever the command's CPL_STATUS (the caller
 * judges it); E_REMOTE for BUS_ERROR, ADMIN_BUSY, ADMIN_TIMEOUT. */
int sgpui_link_admin(sgpui_link_client *c, const sgpui_link_admin_req *rq,
                     sgpui_link_admin_resp *rs, char *err, size_t errlen);

typedef struct {
  uint32_t cpl_status, cpl_seq, res0;
} sgpui_link_mem_resp;
/* One burst of 1..SGPU_LINK_MEM_MAX_WORDS words (the caller splits larger transfers, and
 * keeps to CAPS2.DATA_WORDS). mem_read stores the words in data only if cpl_status is
 * STATUS_SUCCESS. Words are host-order uint32_t, little-endian on the wire. */
int sgpui_link_mem_read(sgpui_link_client *c, uint32_t handle, uint32_t va, uint32_t words,
                        uint32_t *data, sgpui_link_mem_resp *rs, char *err, size_t errlen);
int sgpui_link_mem_write(sgpui_link_client *c, uint32_t handle, uint32_t va, uint32_t words,
                         const uint32_t *data, sgpui_link_mem_resp *rs, char *err, size_t errlen);

/* libsgpu's link transports (transport_link.c): the request engine's counters of a device
 * opened on tcp: or pty: (a snapshot, taken under the device lock); false for a device on
 * another transport. For tests and tools that count frames and retries. */
struct sgpu_device;
bool sgpui_link_dev_stats(struct sgpu_device *dev, sgpui_link_stats *out);

/* Raw mode for a byte link on a terminal (what cfmakeraw does, in POSIX terms): 8 data bits,
 * no parity, one stop bit, no echo, no line editing, no signals, no flow control, no output
 * processing, reads return as soon as one byte is there. Changes *t only; the caller gets
 * and sets the attributes (transport_link.c's pty:, and sgpu-sim's own pty end). */
struct termios;
void sgpui_link_termios_raw(struct termios *t);

/* Little-endian field access (also used by the bridge model and the tests). */
static inline uint16_t sgpui_link_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t sgpui_link_get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void sgpui_link_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void sgpui_link_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

#endif /* SGPU_LINK_PROTO_H */
