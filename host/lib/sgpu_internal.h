/* sgpu_internal.h - what the files of libsgpu share; not installed, not public.
 *
 * Layers: the public calls (process.c, memory.c, queue.c, reclaim.c) lock the device,
 * validate what only the host can validate, then issue admin commands through sgpui_admin
 * (mailbox.c), which uses register batches (sgpui_batch, device.c) and the one wait routine
 * (sgpui_wait, wait.c); those talk to the transport table only. Nothing above the transport
 * knows which one it is.
 * Internal names are sgpui_ (never exported: libsgpu.map exports sgpu_* only).
 */
#ifndef SGPU_INTERNAL_H
#define SGPU_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgpu.h"
#include "sgpu_regs.h" /* generated, internal: register offsets, fields, opcodes */

#if defined(__GNUC__)
#define SGPUI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SGPUI_PRINTF(f, a)
#endif

#define SGPUI_ERR_LEN 512

/* One register access of a batch: a write of value to addr, or a read of addr into value. */
typedef struct {
  uint32_t addr;
  uint32_t is_write; /* 0: read (value out), 1: write (value in) */
  uint32_t value;
} sgpui_reg_op;

/* Capability flags of a transport (sgpui_transport.caps). */
#define SGPUI_CAP_STEP 0x1u   /* a simulated clock that advances only when told (step) */
#define SGPUI_CAP_CYCLES 0x2u /* knows the device's cycle count without a bus access (cycles) */
#define SGPUI_CAP_BATCH 0x4u  /* native batch: many accesses in one request (batch) */
#define SGPUI_CAP_ADMIN 0x8u  /* native admin transaction: arguments, opcode and policy in;
                                 status, results and phase cycles out, in one exchange (the
                                 byte links' ADMIN request, transport_link.c); the mailbox
                                 uses it instead of register batches and polls (admin) */
#define SGPUI_CAP_MEM 0x10u   /* native memory burst by virtual address, one admin command
                                 per burst of at most mem_max_words words (the byte links'
                                 MEM_READ/MEM_WRITE requests); memory.c uses it (mem) */

/* A native admin command (SGPUI_CAP_ADMIN): what the mailbox hands the transport. */
typedef struct {
  uint32_t opcode, policy;
  uint32_t nargs, nres; /* arguments to write (0..4), result words to return (0..6) */
  bool phases;          /* also return the six TD_* phase registers */
  uint32_t args[4];
} sgpui_admin_rq;

/* Its answer (SGPUI_CAP_ADMIN, SGPUI_CAP_MEM). On STATUS_SUCCESS of the hook: the command
 * ran and completed, cpl_status is its NTSTATUS (a failing command is still a successful
 * exchange), cpl_seq the CPL_SEQ of its completion, res[0..nres) its results (MEM: res[0] =
 * words moved), phases[] with rq.phases. On a failure of the hook, busy says that the device
 * was BUSY with an earlier command and nothing was written (safe to send again once it is
 * not); otherwise the command may or may not have run (at most once). */
typedef struct {
  uint32_t cpl_status, cpl_seq;
  uint32_t res[6], phases[6];
  bool busy;
} sgpui_admin_rs;

/* A transport: how register accesses reach a device. open() gets the part of the URI after
 * "scheme:" and returns its own context; on failure it writes a message naming what was
 * wrong into err and returns a status (STATUS_NOT_FOUND when nothing is at that address).
 * read32/write32 return STATUS_SUCCESS or a failure (SGPU_STATUS_IO_DEVICE_ERROR) with a
 * message in err.
 * caps says which optional hooks exist (the hook of a flag that is not set is NULL); a
 * transport whose instances differ (a link that learns at open what the far end supports)
 * gives ctx_caps, the capabilities of one open instance, a subset of caps:
 *   step    (SGPUI_CAP_STEP)   advance a simulated device by n cycles with the bus idle;
 *   cycles  (SGPUI_CAP_CYCLES) the device's cycle count;
 *   batch   (SGPUI_CAP_BATCH)  run ops[0..n) in order in one request (a byte link sends one
 *           frame and gets one answer), stopping at the first failure: *done = the number of
 *           entries carried out (ops[*done] is the one that failed), reads' values written
 *           back. Without it the device layer loops over read32/write32 (sgpui_batch), so
 *           every transport supports batches;
 *   admin   (SGPUI_CAP_ADMIN)  one admin command in one exchange (sgpui_admin_rq/rs above):
 *           the far end checks ADMIN_STATUS.BUSY, writes the arguments and CMD_OP, rings the
 *           doorbell, waits for CPL_SEQ to move, reads CPL_STATUS, the results and (asked)
 *           the phases and acknowledges IRQ, the sequence of mailbox.c;
 *   mem     (SGPUI_CAP_MEM)    one MEM_READ (write false: data out, only when cpl_status is
 *           STATUS_SUCCESS) or MEM_WRITE (data in) of 1..mem_max_words words at va of
 *           handle through the data window, as one admin command (rs: cpl_status, cpl_seq,
 *           res[0] = words moved). */
typedef struct sgpui_transport {
  const char *scheme; /* "sim" */
  const char *help;   /* one line: URI forms */
  uint32_t caps;      /* SGPUI_CAP_* */
  sgpu_status (*open)(const char *arg, void **ctx, char *err, size_t errlen);
  void (*close)(void *ctx);
  sgpu_status (*read32)(void *ctx, uint32_t addr, uint32_t *val, char *err, size_t errlen);
  sgpu_status (*write32)(void *ctx, uint32_t addr, uint32_t val, char *err, size_t errlen);
  void (*step)(void *ctx, uint64_t cycles);  /* SGPUI_CAP_STEP */
  uint64_t (*cycles)(void *ctx);             /* SGPUI_CAP_CYCLES */
  sgpu_status (*batch)(void *ctx, sgpui_reg_op *ops, size_t n, size_t *done, char *err,
                       size_t errlen);       /* SGPUI_CAP_BATCH */
  uint32_t (*ctx_caps)(void *ctx);           /* optional; NULL: every instance has caps */
  sgpu_status (*admin)(void *ctx, const sgpui_admin_rq *rq, sgpui_admin_rs *rs, char *err,
                       size_t errlen);       /* SGPUI_CAP_ADMIN */
  sgpu_status (*mem)(void *ctx, bool write, uint32_t handle, uint32_t va, uint32_t words,
                     uint32_t *data, sgpui_admin_rs *rs, char *err,
                     size_t errlen);         /* SGPUI_CAP_MEM */
  uint32_t mem_max_words;                    /* SGPUI_CAP_MEM: words per burst at most */
  /* optional: the link's counters (sgpu_link_stats); NULL: a transport without a link */
  void (*link_stats)(void *ctx, sgpu_link_counters *out);
} sgpui_transport;

extern const sgpui_transport sgpui_transport_sim;
extern const sgpui_transport sgpui_transport_tcp; /* transport_link.c */
extern const sgpui_transport sgpui_transport_pty; /* transport_link.c */
extern const sgpui_transport sgpui_transport_serial; /* transport_link.c */
extern const sgpui_transport sgpui_transport_usb;    /* transport_link.c, transport_usb.c */
extern const sgpui_transport sgpui_transport_pcie;   /* transport_pcie.c */
/* pcie: "DDDD:BB:DD.F" (exactly, hex; device <= 0x1f, function <= 7) into bdf, lower case;
 * -1 if malformed (transport_pcie.c). */
int sgpui_pcie_parse(const char *arg, char *bdf, size_t cap);
extern const sgpui_transport sgpui_transport_shm; /* transport_shm.c */

/* Bookkeeping of one process created through this device (for SGPU_POLICY_HOST): its
 * mapped pages as sorted, disjoint, non-adjacent ranges of virtual page numbers, and its
 * queues. A record exists from a successful CREATE_PROCESS until the process is destroyed
 * or the device calls its handle invalid; a process libsgpu did not create has none. */
typedef struct {
  uint32_t first_vpn, pages;
} sgpui_range;

typedef struct {
  sgpu_process handle;
  sgpui_range *ranges;
  size_t nranges, cap_ranges;
  uint32_t *queues;
  size_t nqueues, cap_queues;
} sgpui_proc_book;

/* The last DEFERRED destroy of one process slot (reclaim.c): which reclaim event is its,
 * and what libsgpu saw of it. */
typedef struct {
  bool valid;  /* a DEFERRED destroy of this slot succeeded through this device */
  bool done;   /* its event has come (RECLAIM_SEQ has reached target) */
  bool target_known; /* false: RECLAIM_SEQ/RECLAIM_PENDING could not be read right after the
                        destroy; the event is then recognised by QUERY of the handle no
                        longer answering PROCESS_IS_TERMINATING (details not exact) */
  uint32_t target; /* the RECLAIM_SEQ value of its event */
  sgpu_reclaim_info info;
} sgpui_reclaim;

struct sgpu_device {
  pthread_mutex_t lock; /* held by every public call for its whole duration */
  const sgpui_transport *tp;
  void *tp_ctx;
  uint32_t caps;  /* SGPUI_CAP_* of this open transport instance */
  sgpu_info info; /* read once at open */
  uint32_t data_words; /* CAPS2.DATA_WORDS, read at open: the data window's size (memory.c) */
  uint32_t poll_limit;
  uint32_t cpl_seq; /* last completion sequence seen */
  bool cpl_seq_valid; /* false after a timeout: re-synchronise before the next command */
  sgpui_proc_book **books;
  size_t nbooks, cap_books;
  sgpui_reclaim *reclaims; /* [info.num_procs], by slot */
  char last_error[SGPUI_ERR_LEN];
};

/* Record the last error of dev (printf style) and return st, so callers can write
 * `return sgpui_fail(dev, st, "...", ...)`. */
sgpu_status sgpui_fail(sgpu_device *dev, sgpu_status st, const char *fmt, ...)
    SGPUI_PRINTF(3, 4);
/* The same into a caller's buffer (a transport's err/errlen): printf style, truncated to
 * errlen; nothing when err is NULL or errlen 0 (device.c). */
void sgpui_set_err(char *err, size_t errlen, const char *fmt, ...) SGPUI_PRINTF(3, 4);

/* Register access (device.c). Lock held. Every address is checked against the bus width
 * (1 << SGPU_BUS_ADDR_BITS) and alignment first: STATUS_INVALID_PARAMETER naming it, nothing
 * sent. sgpui_batch runs ops[0..n) in order (the transport's native batch, or a loop over
 * read32/write32), stopping at the first failure with a message naming the entry, its
 * address and the transport's reason; a read's value is stored in its entry only. */
sgpu_status sgpui_batch(sgpu_device *dev, sgpui_reg_op *ops, size_t n);
sgpu_status sgpui_rd(sgpu_device *dev, uint32_t addr, uint32_t *val);
sgpu_status sgpui_wr(sgpu_device *dev, uint32_t addr, uint32_t val);
/* read32/write32 of a transport whose native batch does the work: a batch of one entry
 * through batch (its SGPUI_CAP_BATCH hook), the status and message as it returns them. */
typedef sgpu_status sgpui_batch_fn(void *ctx, sgpui_reg_op *ops, size_t n, size_t *done,
                                   char *err, size_t errlen);
sgpu_status sgpui_batch_read32(sgpui_batch_fn *batch, void *ctx, uint32_t addr, uint32_t *val,
                               char *err, size_t errlen);
sgpu_status sgpui_batch_write32(sgpui_batch_fn *batch, void *ctx, uint32_t addr, uint32_t val,
                                char *err, size_t errlen);
/* CYCLE_LO then CYCLE_HI (HI is latched when LO is read), one batch. */
sgpu_status sgpui_cycles(sgpu_device *dev, uint64_t *cycles);
/* Device cycles now: the transport's count if it has one, else CYCLE_LO/HI. */
sgpu_status sgpui_now(sgpu_device *dev, uint64_t *cycles);
static inline bool sgpui_has(const sgpu_device *dev, uint32_t cap) {
  return (dev->caps & cap) != 0;
}
static inline uint32_t sgpui_field(uint32_t v, uint32_t lsb, uint32_t bits) {
  return bits >= 32 ? v >> lsb : (v >> lsb) & ((1u << bits) - 1u);
}

/* The one wait routine (wait.c). Lock held. Calls cond until it says done; between calls
 * it lets the device advance: on a transport with SGPUI_CAP_STEP the model is stepped
 * sgpui_poll_step(polls) cycles (at most step_cap when cond set it, and never past the
 * cycle limit), otherwise it pauses (short sleeps once past 64 polls). It gives up with
 * STATUS_IO_TIMEOUT after timeout_cycles device cycles (SGPUI_WAIT_POLLS_ONLY: no cycle limit
 * and no clock reads) or the device's poll limit, whichever comes first; the message is
 * "WHAT: STATE after N cycles (limit ...)" where STATE is what describe writes from the
 * values cond read last, so it shows the device as it was when the wait gave up. A failure
 * of cond (a transport error) ends the wait with that status. */
#define SGPUI_WAIT_POLLS_ONLY UINT64_MAX
typedef struct sgpui_wait {
  const char *what; /* names the wait in the timeout message, e.g. "wait_clean" */
  sgpu_status (*cond)(sgpu_device *dev, struct sgpui_wait *w, bool *done);
  void (*describe)(const struct sgpui_wait *w, char *buf, size_t len);
  void *arg;                /* for cond and describe */
  uint64_t timeout_cycles;  /* or SGPUI_WAIT_POLLS_ONLY */
  uint64_t step_cap;        /* cond may set it: cycles per step at most (0: no cap) */
  uint32_t polls;           /* out: conditions evaluated - 1 */
  uint64_t waited;          /* out: device cycles waited (0 with SGPUI_WAIT_POLLS_ONLY) */
} sgpui_wait;
sgpu_status sgpui_wait_for(sgpu_device *dev, sgpui_wait *w);
/* The stepping policy: 1 cycle between the first 64 polls, then polls/8, at most 1024. */
uint64_t sgpui_poll_step(uint32_t polls);

/* The admin mailbox (mailbox.c). Lock held. One command: one batch writes the opcode's
 * nargs arguments, CMD_OP and ADMIN_DOORBELL; sgpui_wait_for polls CPL_SEQ; one batch reads
 * CPL_STATUS and the opcode's result words into res (6 words, the ones the command does not
 * define are zeroed) and acknowledges the interrupt (IRQ_ACK). A device failure status is
 * returned with a message naming the command and its arguments. */
sgpu_status sgpui_admin(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                        const uint32_t *args, uint32_t res[6]);
/* sgpui_admin that also asks for the six TD_* phase registers where they come with the
 * command (SGPUI_CAP_ADMIN: in the same exchange): *phases_read says whether phases[] holds
 * them; otherwise the caller reads them itself afterwards. */
sgpu_status sgpui_admin_ex(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                           const uint32_t *args, uint32_t res[6], uint32_t phases[6],
                           bool *phases_read);
/* One memory burst as one native admin command (SGPUI_CAP_MEM): MEM_WRITE of words from
 * data, or MEM_READ into data, at va of proc; *moved = the device's words moved (CPL_RES0).
 * A device failure status is returned with a message naming the command and its arguments. */
sgpu_status sgpui_admin_mem(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                            uint32_t words, uint32_t *data, uint32_t *moved);
/* Wait for ADMIN_STATUS.BUSY to clear, then take CPL_SEQ as it is and acknowledge IRQ: at
 * open and before the first command after a timeout or a raw register write. */
sgpu_status sgpui_mailbox_resync(sgpu_device *dev);
/* Name of an opcode from SGPU_COMMAND_LIST ("MAP"), "UNKNOWN" otherwise. */
const char *sgpui_op_name(uint32_t opcode);

/* Reclaim events (reclaim.c). Lock held. After a successful DEFERRED DESTROY_PROCESS of
 * proc that freed `frames`: note which RECLAIM_SEQ value its event will have (the record is
 * kept even if that cannot be read; the status says what failed). sgpui_reclaim_pending: is
 * any noted event not seen yet. sgpui_reclaim_poll: read RECLAIM_SEQ (into *seq if not NULL)
 * and settle every noted event it has reached. */
sgpu_status sgpui_reclaim_note(sgpu_device *dev, sgpu_process proc, uint32_t frames);
bool sgpui_reclaim_pending(const sgpu_device *dev);
sgpu_status sgpui_reclaim_poll(sgpu_device *dev, uint32_t *seq);
/* sgpui_reclaim_poll's second half, for a caller that has just read RECLAIM_SEQ (seq) in a
 * batch of its own. */
sgpu_status sgpui_reclaim_settle(sgpu_device *dev, uint32_t seq);

/* Bookkeeping (book.c). Lock held. sgpui_book_reserve before CREATE_PROCESS (room for one
 * more record, allocated, so recording the success cannot fail after the device acted),
 * sgpui_book_add after its success, sgpui_book_unreserve after its failure. A command that
 * changes what a recorded process maps or owns is bracketed: sgpui_book_prepare before it
 * (finds the record, NULL if there is none, and reserves room for one more range and one
 * more queue), the update after success. Allocation failure: STATUS_NO_MEMORY, nothing
 * sent. */
sgpu_status sgpui_book_reserve(sgpu_device *dev, sgpui_proc_book **fresh);
void sgpui_book_unreserve(sgpui_proc_book *fresh);
void sgpui_book_add(sgpu_device *dev, sgpui_proc_book *fresh, sgpu_process handle);
sgpu_status sgpui_book_prepare(sgpu_device *dev, sgpu_process handle, sgpui_proc_book **book);
void sgpui_book_map(sgpui_proc_book *book, uint32_t first_vpn, uint32_t pages);
void sgpui_book_unmap(sgpui_proc_book *book, uint32_t first_vpn, uint32_t pages);
void sgpui_book_add_queue(sgpui_proc_book *book, uint32_t queue);
void sgpui_book_drop_queue(sgpui_proc_book *book, uint32_t queue);
sgpui_proc_book *sgpui_book_find(sgpu_device *dev, sgpu_process handle);
void sgpui_book_drop_proc(sgpu_device *dev, sgpu_process handle);
void sgpui_book_free_all(sgpu_device *dev);

#endif /* SGPU_INTERNAL_H */
