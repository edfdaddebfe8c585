/* shm_bar.h - the shared-memory BAR of `shm:NAME` (docs/host.md, "The shm: transport"): the
 * layout of the shared object /dev/shm/sgpu-NAME that `sgpu-sim --shm NAME` (sim/sim_shm.c)
 * serves and libsgpu's shm: transport (host/lib/transport_shm.c) maps. Internal to the two;
 * not installed.
 *
 * Why a request slot and not the registers themselves: a memory page does not tell its owner
 * when it is read, nor every write (two writes to one word between two looks are one), so
 * read-to-clear, latch-on-read (CYCLE_LO latches CYCLE_HI), write-one-to-clear (IRQ_ACK),
 * doorbells and the data window (the device's while BUSY) cannot be memory cells. The host
 * writes a batch of register accesses into the request slot and publishes it by a sequence
 * number; the server executes them on the register bus, in order, and answers by its own
 * sequence number. One request is in flight; the host waits for the answer, bounded, and
 * watches the server's heartbeat and pid.
 *
 * Every field is a little-endian 32-bit word (the object is only shared between processes of
 * one machine: host byte order), accessed with volatile 32-bit loads and stores; a sequence
 * number is published after a full fence (everything it covers is written) and read before a
 * full fence (everything it covers is read after it). Offsets are bytes from the start.
 */
#ifndef SGPU_SHM_BAR_H
#define SGPU_SHM_BAR_H

#include <stdint.h>

#define SHM_BAR_MAGIC 0x48534753u   /* "SGSH" read as little-endian bytes */
#define SHM_BAR_VERSION 1u
#define SHM_BAR_PREFIX "/sgpu-"     /* shm_open name: /sgpu-NAME, i.e. /dev/shm/sgpu-NAME */
#define SHM_BAR_NAME_MAX 64u        /* NAME: 1..64 of [A-Za-z0-9._-] */
#define SHM_BAR_MAX_OPS 256u        /* register accesses per request */
#define SHM_BAR_SIZE 8192u          /* bytes of the object */
#define SHM_BAR_HEARTBEAT_MS 5u     /* the server bumps HEARTBEAT at least this often */

/* Header: written by the server at creation (MAGIC last, after a fence), then live. */
#define SHM_BAR_OFF_MAGIC 0x00u      /* SHM_BAR_MAGIC once the object is ready */
#define SHM_BAR_OFF_VERSION 0x04u    /* SHM_BAR_VERSION */
#define SHM_BAR_OFF_SIZE 0x08u       /* SHM_BAR_SIZE */
#define SHM_BAR_OFF_MAX_OPS 0x0Cu    /* SHM_BAR_MAX_OPS */
#define SHM_BAR_OFF_SERVER_PID 0x10u /* the serving process */
#define SHM_BAR_OFF_STATE 0x14u      /* SHM_BAR_STATE_* (server) */
#define SHM_BAR_OFF_HEARTBEAT 0x18u  /* incremented by the server while it runs */
#define SHM_BAR_OFF_CLIENT_PID 0x1Cu /* 0, or the client that holds the slot (CAS by the host) */
#define SHM_BAR_OFF_REQ_SEQ 0x20u    /* host: published request number */
#define SHM_BAR_OFF_RSP_SEQ 0x24u    /* server: number of the request last answered */
#define SHM_BAR_OFF_CLIENTS 0x28u    /* server: clients that have held the slot (statistics) */

/* The request (host writes, before REQ_SEQ). */
#define SHM_BAR_OFF_REQ_N 0x40u      /* accesses in the request, 1..MAX_OPS */
/* The answer (server writes, before RSP_SEQ). */
#define SHM_BAR_OFF_RSP_STATUS 0x44u /* SHM_BAR_RSP_* */
#define SHM_BAR_OFF_RSP_DONE 0x48u   /* accesses carried out (the failing one's index on BUS) */
/* The accesses: MAX_OPS entries of three words from OFF_OPS: address, flags (bit 0: write),
 * value (a write's value in; a read's value out, written by the server in place). */
#define SHM_BAR_OFF_OPS 0x80u
#define SHM_BAR_OP_WORDS 3u
#define SHM_BAR_OP_WRITE 0x1u

#define SHM_BAR_STATE_SERVING 1u
#define SHM_BAR_STATE_STOPPED 2u     /* the server exited (SIGINT/SIGTERM); it unlinks the name */

#define SHM_BAR_RSP_OK 0u
#define SHM_BAR_RSP_BUS 1u           /* access RSP_DONE was not answered by the register bus */
#define SHM_BAR_RSP_BAD 2u           /* REQ_N out of range: nothing executed */

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(SHM_BAR_OFF_OPS + 4u * SHM_BAR_OP_WORDS * SHM_BAR_MAX_OPS <= SHM_BAR_SIZE,
               "the request slot must fit the object");
#endif

/* A word of the object (volatile: another process writes it). */
static inline volatile uint32_t *shm_bar_word(void *base, uint32_t off) {
  return (volatile uint32_t *)((volatile uint8_t *)base + off);
}

#endif /* SGPU_SHM_BAR_H */
