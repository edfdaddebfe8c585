/* sgpu_ref.h - C reference model of the sgpu device at the command level (the one C device
 * model; tests/model/sim_shell.c puts it behind the sim ABI as sim:ref and the host tests'
 * fake devices).
 *
 * Predicts, for every admin command of docs/semantics.md, the status and every result word
 * except the cycle count, the data window's contents (what MEM_READ copies into it, what the
 * host wrote), the frame counts, the queue registers and the reclaim events (handle, frames,
 * order). It is UNTIMED, and predicts none of these:
 * DESTROY_PROCESS's cycles (CPL_RES0; the model reports 0), the per-phase cycles TD_VALIDATE ..
 * TD_COMPLETE and TD_SCRUB, RECLAIM_CYCLES, SCRUB_CYCLES, the cycle counter, and when the
 * scrubber makes a frame clean (so not the clean/dirty split, nor when a reclaim event comes).
 * The shell reports its own progress-clock values for those registers (see sim_shell.c);
 * they are never compared with the RTL. In detail:
 *   - commands complete at once (DESTROY_PROCESS results cycles = 0 and work_aborted = 0);
 *   - DESTROY_PROCESS with policy DEFAULT or EAGER (the device default is eager) tears the
 *     process down completely before the command returns. DEFERRED returns the same results
 *     but leaves the slot DYING (same generation; every command naming it gets
 *     STATUS_PROCESS_IS_TERMINATING); its frames are on the dirty list and its queues
 *     released at once (the device's reclaimer runs before the next command). Policy 3 is
 *     STATUS_INVALID_PARAMETER, checked after the handle;
 *   - the scrubber runs only when told (ref_scrub / ref_scrub_all / ref_reclaim_upto). A freed
 *     frame stays dirty until then; the dirty list is a FIFO, and an allocation that finds no
 *     clean frame takes the oldest dirty one and scrubs it on the spot (the device would wait
 *     for its scrubber). So only frames_used and frames_clean + frames_dirty are comparable
 *     with a real device, not the split;
 *   - a DEFERRED destroy's reclaim event (slot FREE with gen + 1, RECLAIM_SEQ + 1,
 *     RECLAIM_HANDLE, RECLAIM_FRAMES) is posted as soon as the model's scrubber has taken
 *     every one of its frames off the dirty FIFO, so events come in destroy order. A device
 *     scrubs on its own time, always at least as far as the model: a test synchronises the
 *     model by reading the device's RECLAIM_SEQ and calling ref_reclaim_upto.
 * Frame numbers (root_frame) are the model's own choice and are not comparable either.
 *
 * Failed commands change nothing and return six zero result words; a successful command
 * returns zeros in the words it does not define.
 *
 * Memory contents are sparse: a page's buffer is allocated when a non-zero word is first
 * written to it, so mapping all of a large device costs only the page tables.
 *
 * Ownership: ref_create returns a model the caller frees with ref_destroy. Nothing else
 * allocates for the caller. A model is used by one thread at a time. No global state.
 */
#ifndef SGPU_REF_H
#define SGPU_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sgpu_ref sgpu_ref;

typedef struct {
  uint32_t procs;       /* P: process slots, 1..255 (CAPS0.NUM_PROCS is 8 bits) */
  uint32_t queues;      /* Q: queue slots, 1..255 */
  uint32_t frames;      /* F: device-memory frames, 1..2^20 (PTE frame field) */
  uint32_t page_shift;  /* S: 3..12 (the virtual space S + 2(S-2) bits must fit 32) */
  uint32_t tlb_entries; /* reported in CAPS0 only; the model has no TLB (0..255) */
  uint32_t data_words;  /* the data window: a power of two, 2..SGPU_DATA_SIZE / 4 (CAPS2) */
} ref_params;

/* NULL if a parameter is out of range or memory ran out. */
sgpu_ref *ref_create(const ref_params *params);
void ref_destroy(sgpu_ref *ref);
const ref_params *ref_get_params(const sgpu_ref *ref);

/* Execute one admin command: opcode = CMD_OP.OPCODE, policy = CMD_OP.POLICY (0..3; only
 * DESTROY_PROCESS looks at it), args = CMD_ARG0..3. Writes results[0..5] (always all six)
 * and returns the NTSTATUS (SGPU_STATUS_*). */
uint32_t ref_exec(sgpu_ref *ref, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                  uint32_t results[6]);

/* A write of wptr to queue slot q's QDB register (q = (addr - QUEUE_BASE) / QUEUE_STRIDE,
 * for any QDB offset inside the queue window): accepted or ignored and counted. QDB is
 * write-only, so an accepted wptr leaves no state here. A slot number >= Q is ignored and
 * counted in DB_IGNORED only. */
void ref_doorbell(sgpu_ref *ref, uint32_t q, uint32_t wptr);

/* Read a register the model owns: ID, VERSION, CAPS0..2, FRAMES_CLEAN, FRAMES_DIRTY,
 * FRAMES_USED, DB_IGNORED, RECLAIM_SEQ, RECLAIM_HANDLE, RECLAIM_FRAMES, RECLAIM_PENDING,
 * every queue slot register and the data window's words. Anything else reads 0 (the mailbox,
 * cycle, TD_* phase, RECLAIM_CYCLES and scrubber-time registers belong to the device shell,
 * sim_shell.c; so does the rule that the window is the device's while the mailbox is BUSY). */
uint32_t ref_reg_read(const sgpu_ref *ref, uint32_t addr);

/* A host write of the data window at register address addr (DATA_BASE + 4 * word): stored
 * when addr is a word of the window (aligned, word < data_words), else ignored. */
void ref_window_write(sgpu_ref *ref, uint32_t addr, uint32_t value);

/* Make up to n dirty frames clean, oldest first, and post the reclaim events this
 * completes; returns how many frames were cleaned. */
uint32_t ref_scrub(sgpu_ref *ref, uint32_t n);
/* Make every dirty frame clean (posting every pending reclaim event). */
void ref_scrub_all(sgpu_ref *ref);
/* Scrub just far enough that RECLAIM_SEQ reaches n (the absolute count of reclaim events
 * since reset, compared modulo 2^32), or every pending reclaim is posted. Returns the new
 * RECLAIM_SEQ. */
uint32_t ref_reclaim_upto(sgpu_ref *ref, uint32_t n);
/* Frames ever put on the dirty list, and ever taken off it (by the scrubber or by an
 * allocation): a shell compares the two to know when a given batch of freed frames is all
 * clean. */
uint64_t ref_frames_freed_total(const sgpu_ref *ref);
uint64_t ref_frames_scrubbed(const sgpu_ref *ref);
/* DEFERRED destroys whose reclaim event is not posted yet (RECLAIM_PENDING). */
uint32_t ref_reclaim_pending(const sgpu_ref *ref);
/* Handle of the i-th oldest pending reclaim (i < ref_reclaim_pending), else 0. Its event
 * will be number RECLAIM_SEQ + i + 1. */
uint32_t ref_pending_handle(const sgpu_ref *ref, uint32_t i);

/* Introspection for test generators (not device behaviour). */
uint32_t ref_proc_state(const sgpu_ref *ref, uint32_t slot);  /* SGPU_PROC_STATE_*, FREE if out of range */
uint32_t ref_proc_handle(const sgpu_ref *ref, uint32_t slot); /* current handle of the slot (even if FREE) */
int ref_is_mapped(const sgpu_ref *ref, uint32_t slot, uint32_t vpn); /* ACTIVE slots only */
/* Whether the leaf table l1 (vpn >> (S-2)) of the slot exists. */
int ref_has_leaf(const sgpu_ref *ref, uint32_t slot, uint32_t l1);
/* Find the first mapped vpn >= from in an ACTIVE slot; returns 1 and sets *vpn, or 0. */
int ref_next_mapped(const sgpu_ref *ref, uint32_t slot, uint32_t from, uint32_t *vpn);

/* Check the model's own invariants (clean + dirty + used = F, per-process counts agree with
 * the page tables, every used frame owned once). Returns 0 if they hold, else -1 with a
 * message in msg. */
int ref_check_invariants(const sgpu_ref *ref, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif /* SGPU_REF_H */
