/* link_fixture.h - what the link tests share (tests/host/test_proto.c): a fake device on the
 * register bus, an in-memory byte channel with seeded faults and the reference bridge
 * (tests/model/bridge_ref.c) at its far end, and small frame helpers.
 *
 * Ownership: fk_new and tl_new allocate; fk_free / tl_free release. The link does not own the
 * device it serves. No global state.
 */
#ifndef LINK_FIXTURE_H
#define LINK_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge_ref.h"
#include "link_proto.h"
#include "sgpu_regs.h"

/* Seeded random numbers (splitmix64). */
uint64_t rnd(uint64_t *s);
uint32_t rndn(uint64_t *s, uint32_t n); /* 0..n-1; 0 for n = 0 */

/* ---------------------------------------------------------------- the fake device
 * Every bus address is plain storage except: ID/VERSION/CAPS0..2 (constants), the admin
 * mailbox (a doorbell executes at once, posts after a random number of bus accesses: BUSY
 * until then, results and CPL_SEQ move at the post), the data window (reads 0 and ignores
 * writes while BUSY), FK_INCR (a write adds to a 64-bit total), FK_LOG (a write counts tag
 * value & 0xFFFF as applied), fail_addr (the bus does not answer). Admin opcodes: FK_OP_TAG
 * (counts arg0 & 0xFFFF, results from the arguments), MEM_READ/MEM_WRITE on FK_HANDLE over a
 * small memory, anything else STATUS_INVALID_DEVICE_REQUEST. */
#define FK_WORDS (1u << (SGPU_BUS_ADDR_BITS - 2u))
#define FK_INCR (SGPU_REGION_ENGINE_BASE + 0x80u)
#define FK_LOG (SGPU_REGION_ENGINE_BASE + 0x84u)
#define FK_FAIL (SGPU_REGION_ENGINE_BASE + 0x88u)
#define FK_RF (SGPU_REGION_ENGINE_BASE) /* the random test's register file: 32 words */
#define FK_RF_WORDS 32u
#define FK_DATA_WORDS 64u
#define FK_MEM_WORDS 4096u
#define FK_HANDLE 0x00010001u
#define FK_OP_TAG 0x40u
#define FK_TAGS 65536u

typedef struct {
  uint32_t regs[FK_WORDS];
  uint32_t mem[FK_MEM_WORDS];
  uint64_t incr_total;
  uint8_t log_applied[FK_TAGS], admin_applied[FK_TAGS];
  uint32_t busy_left; /* accesses until the completion is posted */
  bool hang;          /* a doorbell makes it BUSY forever */
  bool irq;
  uint32_t fail_addr; /* 0: none */
  uint32_t max_latency;
  uint32_t post_status, post_res[6], post_td[6];
  bool script; /* the next command completes with script_* */
  uint32_t script_status, script_res[6], script_td[6];
  uint64_t accesses, writes, completions;
  uint64_t rng;
} fakedev;

fakedev *fk_new(uint64_t seed, uint32_t max_latency); /* latency: 1..1+max bus accesses */
void fk_free(fakedev *d);
int fk_read(void *dev, uint32_t addr, uint32_t *val); /* 0, or -1: the bus does not answer */
int fk_write(void *dev, uint32_t addr, uint32_t val);
/* fk_write, except that a doorbell makes the device BUSY forever (it never completes). */
int fk_write_hang(void *dev, uint32_t addr, uint32_t val);

/* ---------------------------------------------------------------- the faulty in-memory channel
 * Host writes go through the host-to-bridge faults into the bridge, byte by byte; the bridge's
 * responses go through the bridge-to-host faults into a queue the host reads in random chunks.
 * An empty queue is a timeout (no wall clock). Rates are per million bytes, per fault. */
typedef struct {
  uint32_t drop, flip, dup, ins, swap;
} rates;

typedef struct {
  rates r;
  uint64_t rng;
  bool held_valid;
  uint8_t held;
  uint64_t n_drop, n_flip, n_dup, n_ins, n_swap;
} fault_dir;

typedef struct tlink {
  bridge_ref br;
  fault_dir h2b, b2h;
  uint8_t *q;
  size_t qh, qn, qcap;
  uint64_t rng;
  bool fail_read; /* the channel's read fails (E_CHANNEL) */
  void *dev;      /* the register bus behind the bridge */
  int (*dev_rd)(void *dev, uint32_t addr, uint32_t *val);
  int (*dev_wr)(void *dev, uint32_t addr, uint32_t val);
} tlink;

/* A link to dev through a new reference bridge (admin wait 2^admin_wait_log2 polls). */
tlink *tl_new(uint64_t seed, rates h2b, rates b2h, void *dev,
              int (*rd)(void *, uint32_t, uint32_t *), int (*wr)(void *, uint32_t, uint32_t),
              uint32_t admin_wait_log2);
void tl_free(tlink *t);
sgpui_link_channel tl_channel(tlink *t);
/* The channel's two functions (also called directly by the tests). */
int ch_write(void *link, const uint8_t *p, size_t n, char *err, size_t errlen);
long ch_read(void *link, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err, size_t errlen);

/* ---------------------------------------------------------------- frame helpers */

/* Bytes as "aa bb cc" (truncated to cap). */
void hex(char *buf, size_t cap, const uint8_t *p, size_t n);

/* The frames the bridge sent for wire[0..n) fed on a clean link, deframed by the host: the
 * first one in *f (payload copied to pl), the number of frames returned. */
typedef struct {
  sgpui_link_frame f;
  uint8_t pl[SGPU_LINK_MAX_PAYLOAD];
  int err;
} got_frame;
int bridge_answer(tlink *t, const uint8_t *wire, size_t n, got_frame *g);

/* A decoded frame with every field chosen (crc_ok false: the CRC's low byte damaged); its
 * length. */
size_t raw_frame(uint8_t *raw, uint8_t version, uint8_t kind, uint8_t seq, uint16_t lenf,
                 const uint8_t *pl, size_t n, bool crc_ok);
/* DELIM, COBS(raw), DELIM into wire; its length. */
size_t wire_of(const uint8_t *raw, size_t n, uint8_t *wire);

#endif /* LINK_FIXTURE_H */
