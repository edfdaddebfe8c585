/* sgpu.h - libsgpu, the host driver of the sgpu soft-GPU.
 *
 * One API over several transports, chosen by the URI given to sgpu_open():
 *   "sim:"          the default Verilated model, in-process (libsgpu_sim_default.so)
 *   "sim:NAME"      the model configuration NAME (libsgpu_sim_NAME.so), e.g. "sim:small"
 *   "sim:/path.so"  a model shared object by path
 * The directory searched for models is $SGPU_SIM_DIR, else the build directory compiled in.
 *   "tcp:HOST:PORT" a device behind the wire protocol (docs/protocol.md) on a TCP connection,
 *                   e.g. the one `sgpu-sim --tcp 0` serves ("tcp:127.0.0.1:40123")
 *   "pty:PATH"      the same over a terminal in raw mode: a pseudo-terminal (`sgpu-sim --pty`,
 *                   "pty:/dev/pts/7") or another tty
 *   "serial:PATH[@BAUD]"  the same over a serial line (a board's USB-serial port through the
 *                   kernel's driver, "serial:/dev/ttyUSB1@3000000"): raw 8N1, no flow control,
 *                   BAUD 1..12000000, default 3000000; a rate Linux does not name is set with
 *                   termios2 (BOTHER)
 *   "usb:VID:PID[:SERIAL][@BAUD]"  the same straight through libusb to a board's FTDI chip, no
 *                   kernel serial driver (detached while open): the FT2232H of an iCEBreaker
 *                   ("usb:0403:6010", UART on interface B) or the FT231X of a ULX3S
 *                   ("usb:0403:6015"); SERIAL picks one board of several; BAUD as for serial:
 *                   (refused when the chip cannot make it within 3 %); option latency_ms=N
 *                   (the chip's latency timer, 1..255, default 2). An unplugged board gives
 *                   STATUS_IO_DEVICE_ERROR naming its /dev/bus/usb node
 *   "pcie:DDDD:BB:DD.F"  the core's register bus as BAR0 of a PCI Express device
 *                   ("pcie:0000:01:00.0", as lspci -D names it), mapped from sysfs
 *                   /sys/bus/pci/devices/DDDD:BB:DD.F/resource0 (needs root or a udev rule);
 *                   $SGPU_PCI_SYSFS names another directory holding DDDD:BB:DD.F/resource0
 *                   (tests, bring-up). Register accesses only: admin commands take the
 *                   mailbox's register path
 *   "shm:NAME"      the register bus as a BAR in shared memory, /dev/shm/sgpu-NAME, served by
 *                   `sgpu-sim --shm NAME` (one client at a time; option ?timeout_ms=N, default
 *                   2000: the wait for each answer). A server that is gone or stopped gives
 *                   STATUS_IO_DEVICE_ERROR / STATUS_IO_TIMEOUT naming shm:NAME, never a hang.
 * The link URIs take options after '?', joined with '&': timeout_ms=N (each attempt's wait for
 * an answer, default 2000), retries=N (transmissions after the first, default 7), admin=off
 * (register batches instead of one ADMIN request per admin command). Over a link an admin
 * command is one request frame and one response frame; a link that fails after its retries
 * gives STATUS_IO_TIMEOUT or STATUS_IO_DEVICE_ERROR with the reason in sgpu_last_error, and a
 * command is never applied twice (it may or may not have run once when the link failed).
 *
 * Conventions (after libusb): opaque handles, every call returns an sgpu_status (an NTSTATUS
 * value, STATUS_SUCCESS = 0), out parameters last, the caller owns what it passes in, no
 * global state. One sgpu_device may be used from several threads; calls are serialised.
 */
#ifndef SGPU_H
#define SGPU_H

#include <stddef.h>
#include <stdint.h>

#include "sgpu_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t sgpu_status; /* an NTSTATUS value, see SGPU_STATUS_* in sgpu_codes.h */

/* Host-side failures that never come from the device (still real NTSTATUS values). */
#define SGPU_STATUS_IO_DEVICE_ERROR 0xC0000185u /* transport failed (bus timeout, link lost) */
#define SGPU_STATUS_IO_TIMEOUT 0xC00000B5u      /* the device did not complete in time */
#define SGPU_STATUS_NOT_FOUND 0xC0000225u       /* URI names no transport or model */

typedef struct sgpu_device sgpu_device; /* opaque; from sgpu_open, freed by sgpu_close */
typedef uint32_t sgpu_process;          /* process handle: slot | generation << 16 */
#define SGPU_DEVICE_QUERY SGPU_HANDLE_DEVICE /* QUERY target meaning "the device" (from the map) */

/* Teardown policy. SGPU_POLICY_DEFAULT, SGPU_POLICY_EAGER and SGPU_POLICY_DEFERRED are the
 * device's values (CMD_OP.POLICY), defined in the generated sgpu_codes.h; they cannot also be
 * enumerators here (the macros would expand inside the enum), so the type is an integer.
 * SGPU_POLICY_HOST is libsgpu's own: the value 3 that the device rejects, never sent. */
typedef uint32_t sgpu_policy;
#define SGPU_POLICY_HOST 3u /* host-driven baseline (issued by libsgpu, not a device policy) */

typedef struct {
  uint32_t magic, version;
  uint32_t num_procs, num_queues, tlb_entries, page_shift, num_frames;
} sgpu_info;

typedef struct {
  uint32_t cycles;            /* doorbell to completion, both included; the device counts it
                                 in its TimeW bits (32 in the simulated devices, 20 in the up5k
                                 build) and it wraps, like the phase counts below; HOST: the
                                 whole host-driven sequence (UINT32_MAX if the cycle counter
                                 could not be read after it) */
  uint32_t frames_freed;      /* data frames + page-table pages (DEFERRED: to be freed by the
                                 device's background reclaimer) */
  uint32_t pt_pages_freed;
  uint32_t queues_freed;
  uint32_t work_aborted;      /* work items the engines dropped: queued ones at STOP, and
                                 running ones when they had not drained within DRAIN_TIMEOUT */
  uint32_t doorbells_ignored; /* ignored while the process was dying */
  /* Per-phase device cycles of the DESTROY_PROCESS (TD_* registers, read after its
   * completion). EAGER: all six. DEFERRED: free_cycles and release_cycles are 0 here, since
   * the device's reclaimer does that work after the completion (see sgpu_reclaim_info).
   * HOST: the phases of its final DESTROY_PROCESS (EAGER, of the emptied process). */
  uint32_t validate_cycles;   /* doorbell to validated handle */
  uint32_t stop_drain_cycles; /* mark dying, stop queues and engines, drain (or abort) its
                                 in-flight work, clear engine state */
  uint32_t tlb_cycles;        /* TLB invalidation by ASID until confirmed */
  uint32_t free_cycles;       /* frames and tables onto the dirty list */
  uint32_t release_cycles;    /* queue slots and the process slot */
  uint32_t complete_cycles;   /* posting the completion */
  /* 1: the six phase fields above were read. 0: the destroy succeeded but reading the TD_*
   * registers afterwards failed (a transport error): the phase fields are 0, the call still
   * returns STATUS_SUCCESS (the process is destroyed, and a DEFERRED destroy is recorded for
   * sgpu_wait_reclaim), and sgpu_last_error names the read that failed. */
  uint32_t phases_read;
} sgpu_destroy_result;

/* The reclaim event of a process destroyed with SGPU_POLICY_DEFERRED (sgpu_wait_reclaim):
 * all its frames are back and zeroed and its slot is FREE. */
typedef struct {
  uint32_t handle;        /* the destroyed process (RECLAIM_HANDLE) */
  uint32_t seq;           /* its RECLAIM_SEQ value */
  uint32_t frames;        /* frames (data + tables) returned clean (RECLAIM_FRAMES) */
  uint32_t cycles;        /* DESTROY_PROCESS doorbell to the event (RECLAIM_CYCLES) */
  uint32_t scrub_cycles;  /* its frames reaching the dirty list to all zeroed (RECLAIM_SCRUB) */
  uint32_t free_cycles;   /* the background reclaimer's phases for this process (RECLAIM_FREE, */
  uint32_t release_cycles;/* RECLAIM_RELEASE): the event's own, whatever ran in between       */
  uint32_t exact;         /* 1: the registers above were read while this event was the last
                             one. 0: later events overtook it before libsgpu looked; then
                             only handle, seq and frames (from the destroy) are known, the
                             cycle fields are 0. */
} sgpu_reclaim_info;

typedef struct {
  uint32_t state; /* SGPU_PROC_STATE_* */
  uint32_t asid, data_frames, pt_pages, queues, doorbells_ignored;
} sgpu_process_info;

typedef struct {
  uint32_t frames_clean, frames_dirty, frames_used;
  uint32_t live_processes, live_queues, doorbells_ignored; /* live_processes counts DYING */
  uint32_t reclaim_pending; /* DEFERRED destroys whose reclaim has not finished (registers) */
  uint32_t reclaim_seq;     /* reclaim events so far (RECLAIM_SEQ) */
} sgpu_device_info;

/* Open the device named by uri (NULL or "" means "sim:"). On success *dev is set. */
sgpu_status sgpu_open(const char *uri, sgpu_device **dev);
/* sgpu_open, and on failure a one-line reason (naming the URI, path or value that was wrong)
 * written to errbuf (errlen bytes, NUL terminated; errbuf may be NULL). There is no device
 * yet to hold the message, and the library keeps no global state. */
sgpu_status sgpu_open_ex(const char *uri, sgpu_device **dev, char *errbuf, size_t errlen);
void sgpu_close(sgpu_device *dev);
sgpu_status sgpu_get_info(sgpu_device *dev, sgpu_info *info);

/* One-line description of the last failure on dev (the call, the value that was wrong, the
 * device status), "" if none yet. Owned by dev; valid until the next call on dev (from any
 * thread) or sgpu_close. The library never prints. */
const char *sgpu_last_error(sgpu_device *dev);

/* Limit on completion polls per admin command (and per sgpu_wait_clean) before
 * STATUS_IO_TIMEOUT; 0 restores the default (SGPU_DEFAULT_POLL_LIMIT). On the sim transport
 * the model is stepped between polls, by a step that grows with the wait (1 to 1024 cycles). */
#define SGPU_DEFAULT_POLL_LIMIT 100000u
void sgpu_set_poll_limit(sgpu_device *dev, uint32_t polls);

/* The device's free-running cycle counter (CYCLE_LO then CYCLE_HI). */
sgpu_status sgpu_read_cycles(sgpu_device *dev, uint64_t *cycles);

/* Process lifecycle (DxgkDdiCreateProcess / DxgkDdiDestroyProcess). */
sgpu_status sgpu_create_process(sgpu_device *dev, sgpu_process *proc);
/* res may be NULL. SGPU_POLICY_HOST tears down from the host: one UNMAP per mapped page and
 * one DESTROY_QUEUE per queue, then DESTROY_PROCESS of the empty process. It knows the pages
 * and queues from libsgpu's bookkeeping of the successful sgpu_map/sgpu_unmap/
 * sgpu_create_queue/sgpu_destroy_queue calls made on this sgpu_device; its cycles are
 * measured with the CYCLE registers around the whole sequence, its counts are summed. Only a
 * process created with sgpu_create_process on this sgpu_device can be destroyed with it;
 * any other handle is STATUS_INVALID_PARAMETER (naming the handle) and nothing is sent.
 * Once the device has destroyed the process (any policy) the call returns STATUS_SUCCESS even
 * if reading the phase registers afterwards fails: see phases_read. */
sgpu_status sgpu_destroy_process(sgpu_device *dev, sgpu_process proc, sgpu_policy policy,
                                 sgpu_destroy_result *res);
/* SGPU_POLICY_DEFERRED completes once the process is unreachable (slot DYING: every command
 * naming it gets STATUS_PROCESS_IS_TERMINATING); the device then frees its frames and queues
 * in the background and posts a reclaim event when they are all zeroed and the slot is FREE.
 * sgpu_wait_reclaim waits for that event: at most timeout_cycles device cycles (sim) or an
 * equivalent time, STATUS_IO_TIMEOUT if it did not come. Reclaim events come in the order of
 * the DEFERRED destroys; libsgpu notes at the destroy which RECLAIM_SEQ value is the
 * process's. info may be NULL. STATUS_INVALID_PARAMETER if proc was not destroyed with
 * DEFERRED through this dev (libsgpu remembers the last DEFERRED destroy of each slot, so a
 * process can be waited for again until its slot is deferred-destroyed anew). */
sgpu_status sgpu_wait_reclaim(sgpu_device *dev, sgpu_process proc, uint64_t timeout_cycles,
                              sgpu_reclaim_info *info);

/* GPU virtual memory. va page aligned; pages >= 1. */
sgpu_status sgpu_map(sgpu_device *dev, sgpu_process proc, uint32_t va, uint32_t pages);
sgpu_status sgpu_unmap(sgpu_device *dev, sgpu_process proc, uint32_t va, uint32_t pages);

/* Queues. ring_log2 = log2 of the ring's entry count (1..15). */
sgpu_status sgpu_create_queue(sgpu_device *dev, sgpu_process proc, uint32_t ring_va,
                              uint32_t ring_log2, uint32_t *queue);
sgpu_status sgpu_destroy_queue(sgpu_device *dev, sgpu_process proc, uint32_t queue);
/* Ring a queue's doorbell with a new write pointer (a register write; no completion). */
sgpu_status sgpu_ring_doorbell(sgpu_device *dev, uint32_t queue, uint32_t wptr);

/* Memory by virtual address through the device MMU; len multiple of 4, va 4-byte aligned,
 * buffers in host byte order. A transfer goes through the device's data window in chunks of
 * at most its size (CAPS2.DATA_WORDS words): per chunk one MEM_WRITE/MEM_READ command plus
 * the data words as register accesses. Each chunk is all or nothing (every page of it must be
 * mapped, else STATUS_ACCESS_VIOLATION and nothing of it moves); when a chunk fails, the
 * chunks before it have been moved. */
sgpu_status sgpu_write(sgpu_device *dev, sgpu_process proc, uint32_t va, const void *buf,
                       size_t len);
sgpu_status sgpu_read(sgpu_device *dev, sgpu_process proc, uint32_t va, void *buf, size_t len);

sgpu_status sgpu_query_process(sgpu_device *dev, sgpu_process proc, sgpu_process_info *info);
sgpu_status sgpu_query_device(sgpu_device *dev, sgpu_device_info *info);

/* Wait until no frame is dirty (the scrubber has caught up) and no DEFERRED reclaim is
 * pending (RECLAIM_PENDING = 0), at most timeout_cycles device cycles (sim) or an equivalent
 * time. STATUS_IO_TIMEOUT if it did not. */
sgpu_status sgpu_wait_clean(sgpu_device *dev, uint64_t timeout_cycles);

/* Raw register access, for tools and tests. addr must be 4-byte aligned and below
 * 1 << SGPU_BUS_ADDR_BITS (the register bus width, in the internal register map), else
 * STATUS_INVALID_PARAMETER naming it, nothing is sent and *val is left as it was. */
sgpu_status sgpu_reg_read(sgpu_device *dev, uint32_t addr, uint32_t *val);
sgpu_status sgpu_reg_write(sgpu_device *dev, uint32_t addr, uint32_t val);

/* Link statistics of a device opened on a link transport (tcp:, pty:, serial:, usb:, shm:;
 * counted since sgpu_open): what the link did to carry the calls so far. A snapshot; the
 * counters only grow. On a transport without a link (sim:, pcie:)
 * STATUS_INVALID_DEVICE_REQUEST, naming the scheme.
 * Byte links (tcp:, pty:, serial:, usb:) count frames and bytes on the wire; shm: counts one "frame" per
 * request and per answer through the shared object and the bytes of their slots. */
typedef struct {
  uint64_t requests;   /* requests made (a register batch split over k frames counts k) */
  uint64_t frames_tx;  /* request frames sent, retransmissions included */
  uint64_t frames_rx;  /* received frames that passed every check */
  uint64_t bytes_tx, bytes_rx;
  uint64_t retries;    /* retransmissions: frames_tx - requests on a byte link */
  uint64_t timeouts;   /* attempts that ended without an answer within timeout_ms */
  uint64_t naks;       /* requests the far end refused unexecuted (a damaged frame), retried */
  uint64_t bad_frames; /* received frames that failed COBS/size/CRC/version/length/kind */
  uint64_t stale;      /* valid answers to an earlier request, discarded */
  uint64_t failures;   /* requests given up after every attempt (a link error was returned) */
} sgpu_link_counters;
sgpu_status sgpu_link_stats(sgpu_device *dev, sgpu_link_counters *out);

/* Static name of a status, e.g. "STATUS_NO_MEMORY"; "STATUS_UNKNOWN(0x...)" is never
 * returned: unknown codes give "STATUS_UNKNOWN". */
const char *sgpu_status_str(sgpu_status st);
/* One-line description of a status. */
const char *sgpu_status_desc(sgpu_status st);

#ifdef __cplusplus
}
#endif

#endif /* SGPU_H */
