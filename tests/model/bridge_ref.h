/* bridge_ref.h - C reference model of the sgpu link bridge: the device side of the wire
 * protocol (docs/protocol.md), the golden model a later RTL bridge is compared with.
 *
 * It is written the way the RTL will work, not the way the host library does: bytes are
 * taken one at a time (bridge_ref_rx), COBS is decoded on the fly, the CRC register runs over
 * every decoded byte and is checked for a zero residue at the delimiter, the header is held
 * apart from the payload buffer, and every request is executed with 32-bit register accesses
 * through the bus callbacks in the order docs/protocol.md prescribes (the admin transaction:
 * ADMIN_STATUS, CPL_SEQ, arguments, CMD_OP, ADMIN_DOORBELL, CPL_SEQ polls, CPL_STATUS, results,
 * phases, IRQ_ACK). It keeps one response (the last executed request's) and answers a repeated
 * sequence number from it without executing. NAKs are built apart and never replace it.
 * Its CRC and COBS encoder are its own (byte-parallel CRC, scan-ahead encoder), so the host
 * code (host/lib/link_proto.c) is checked against an independent implementation.
 *
 * Timing is not modelled: a request is executed as soon as its delimiter arrives and its
 * response is handed to io.tx before bridge_ref_rx returns. The admin wait counts CPL_SEQ
 * polls (2^admin_wait_log2 of them) where the RTL counts cycles.
 *
 * Ownership: the caller allocates the bridge_ref and owns the io context; no allocation, no
 * global state; one thread at a time.
 */
#ifndef BRIDGE_REF_H
#define BRIDGE_REF_H

#include <stddef.h>
#include <stdint.h>

#include "link_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  void *ctx;
  /* One register access; 0 on success, nonzero if the bus did not answer. */
  int (*read32)(void *ctx, uint32_t addr, uint32_t *val);
  int (*write32)(void *ctx, uint32_t addr, uint32_t val);
  /* Bytes for the host (a whole frame with its delimiters per call). */
  void (*tx)(void *ctx, const uint8_t *p, size_t n);
} bridge_ref_io;

typedef struct {
  uint64_t bytes_rx, bytes_tx;
  uint64_t dropped_cobs, dropped_short, dropped_long; /* silently dropped frames */
  uint64_t naks[SGPU_LINK_ST_FIRST_EXEC];             /* by status */
  uint64_t executed, replayed;
  uint64_t bus_reads, bus_writes, bus_errors;
  uint64_t admin_busy, admin_timeouts;
} bridge_ref_stats;

typedef struct {
  bridge_ref_io io;
  uint32_t admin_wait_log2; /* CPL_SEQ polls before ADMIN_TIMEOUT: 2^this */
  /* receiver: COBS state, decoded byte count, header, payload (+ CRC) buffer, CRC register */
  size_t enc;         /* encoded bytes of the frame so far */
  size_t pos;         /* decoded bytes so far */
  uint8_t block_left; /* data bytes left in the current COBS block */
  uint8_t zero_next;  /* the current block ends with an implied zero */
  uint16_t crc;
  uint8_t hdr[SGPU_LINK_HDR_LEN];
  uint8_t buf[SGPU_LINK_MAX_PAYLOAD + SGPU_LINK_CRC_LEN];
  /* the kept response (decoded frame) */
  uint8_t resp[SGPU_LINK_MAX_FRAME];
  size_t resp_len;
  uint8_t kept, kept_seq;
  bridge_ref_stats st;
} bridge_ref;

void bridge_ref_init(bridge_ref *b, const bridge_ref_io *io, uint32_t admin_wait_log2);
/* Feed bytes received from the host; responses go out through io.tx. */
void bridge_ref_rx(bridge_ref *b, const uint8_t *p, size_t n);
/* The line was reset (a server's new connection; a UART has no such event): a partly
 * received frame is dropped without an answer. The kept response stays, as it does across
 * host sessions on one UART. */
void bridge_ref_line_reset(bridge_ref *b);

/* The model's own CRC and COBS encoder (for the tests to compare with the host's). */
uint16_t bridge_ref_crc16(uint16_t crc, const uint8_t *p, size_t n);
size_t bridge_ref_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE_REF_H */
