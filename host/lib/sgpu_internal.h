/* sgpu_internal.h - what the files of libsgpu share; not installed, not public.
 *
 * Layers: the public calls (process.c, memory.c, queue.c) lock the device, validate what only
 * the host can validate, then issue admin commands through sgpui_admin (device.c), which
 * talks to the transport table only. Nothing above the transport knows which one it is.
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

/* A transport: how register accesses reach a device. open() gets the part of the URI after
 * "scheme:" and returns its own context; on failure it writes a message naming what was
 * wrong into err and returns a status (STATUS_NOT_FOUND when nothing is at that address).
 * read32/write32 return STATUS_SUCCESS or a failure (SGPU_STATUS_IO_DEVICE_ERROR) with a
 * message in err. step and cycles are optional (NULL): a simulated device only advances
 * when told to (step), and knows its cycle count without a bus access (cycles). */
typedef struct sgpui_transport {
  const char *scheme; /* "sim" */
  const char *help;   /* one line: URI forms */
  sgpu_status (*open)(const char *arg, void **ctx, char *err, size_t errlen);
  void (*close)(void *ctx);
  sgpu_status (*read32)(void *ctx, uint32_t addr, uint32_t *val, char *err, size_t errlen);
  sgpu_status (*write32)(void *ctx, uint32_t addr, uint32_t val, char *err, size_t errlen);
  void (*step)(void *ctx, uint64_t cycles);  /* optional */
  uint64_t (*cycles)(void *ctx);             /* optional */
} sgpui_transport;

extern const sgpui_transport sgpui_transport_sim;

/* Bookkeeping of one process created on this device (for SGPU_POLICY_HOST): its mapped
 * pages as sorted, disjoint, non-adjacent ranges of virtual page numbers, and its queues. */
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
  bool done;   /* RECLAIM_SEQ has reached target */
  uint32_t target; /* the RECLAIM_SEQ value of its event */
  sgpu_reclaim_info info;
} sgpui_reclaim;

struct sgpu_device {
  pthread_mutex_t lock; /* held by every public call for its whole duration */
  const sgpui_transport *tp;
  void *tp_ctx;
  sgpu_info info; /* read once at open */
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

/* Register access through the transport, with the error recorded. Lock held. */
sgpu_status sgpui_rd(sgpu_device *dev, uint32_t addr, uint32_t *val);
sgpu_status sgpui_wr(sgpu_device *dev, uint32_t addr, uint32_t val);
sgpu_status sgpui_cycles(sgpu_device *dev, uint64_t *cycles);

/* One admin command through the mailbox: write the nargs arguments of the opcode, CMD_OP,
 * ring the doorbell, poll CPL_SEQ, read CPL_STATUS and the opcode's result words into res
 * (6 words, the ones the command does not define are zeroed). Lock held. A device failure
 * status is returned with a message naming the command and its arguments. */
sgpu_status sgpui_admin(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                        const uint32_t *args, uint32_t res[6]);

/* Completion polling (device.c): the sim model is stepped poll_step(polls) cycles between
 * polls; a device without step() is paused. */
uint64_t sgpui_poll_step(uint32_t polls);
void sgpui_poll_pause(sgpu_device *dev, uint32_t polls);
/* Device cycles now: the transport's count if it has one, else CYCLE_LO/HI. */
sgpu_status sgpui_now(sgpu_device *dev, uint64_t *cycles);

/* Reclaim events (reclaim.c). Lock held. After a successful DEFERRED DESTROY_PROCESS of
 * proc that freed `frames`: note which RECLAIM_SEQ value its event will have.
 * sgpui_reclaim_pending: is any noted event not seen yet. sgpui_reclaim_poll: read
 * RECLAIM_SEQ (into *seq if not NULL) and settle every noted event it has reached. */
sgpu_status sgpui_reclaim_note(sgpu_device *dev, sgpu_process proc, uint32_t frames);
bool sgpui_reclaim_pending(const sgpu_device *dev);
sgpu_status sgpui_reclaim_poll(sgpu_device *dev, uint32_t *seq);

/* Name of an opcode from SGPU_COMMAND_LIST ("MAP"), "UNKNOWN" otherwise. */
const char *sgpui_op_name(uint32_t opcode);

/* Bookkeeping (book.c). Lock held. A device command that changes what is mapped or owned
 * is bracketed: sgpui_book_prepare before it (finds or creates the process's record and
 * reserves room for one more range and one more queue, so recording the outcome cannot fail
 * after the device has acted), the update after success, sgpui_book_discard after a failure
 * (drops a record prepare created). Allocation failure: STATUS_NO_MEMORY, nothing sent. */
sgpu_status sgpui_book_prepare(sgpu_device *dev, sgpu_process handle, sgpui_proc_book **book,
                               bool *created);
void sgpui_book_discard(sgpu_device *dev, sgpui_proc_book *book, bool created);
void sgpui_book_map(sgpui_proc_book *book, uint32_t first_vpn, uint32_t pages);
void sgpui_book_unmap(sgpui_proc_book *book, uint32_t first_vpn, uint32_t pages);
void sgpui_book_add_queue(sgpui_proc_book *book, uint32_t queue);
void sgpui_book_drop_queue(sgpui_proc_book *book, uint32_t queue);
sgpui_proc_book *sgpui_book_find(sgpu_device *dev, sgpu_process handle);
void sgpui_book_drop_proc(sgpu_device *dev, sgpu_process handle);
void sgpui_book_free_all(sgpu_device *dev);

#endif /* SGPU_INTERNAL_H */
