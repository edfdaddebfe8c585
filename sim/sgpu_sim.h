/* sgpu_sim.h - the small C ABI of a Verilated sgpu model.
 *
 * The model is built as a shared object (build/sim/libsgpu_sim_<config>.so) exporting these
 * functions with C linkage. libsgpu's `sim:` transport loads it with dlopen, so the driver
 * stays plain C and the model configuration (memory size, slots) is chosen at open time.
 *
 * Register accesses go through the model's register bus (sgpu_sim_top's reg_* ports), one
 * transaction at a time; each call advances the clock until the access completes.
 * A handle is used by one thread at a time (libsgpu serialises per device). Several instances
 * may live in one process, of one model object or of several, created and destroyed in any
 * order (tests/sim/two_models.c).
 */
#ifndef SGPU_SIM_H
#define SGPU_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sgpu_sim sgpu_sim;

/* ABI version of this header; sgpu_sim_abi_version() returns it. */
#define SGPU_SIM_ABI_VERSION 1u

/* Create a model, held in reset for a few cycles, then released. trace_path: NULL for no
 * waveform, or a file to write an FST trace to (only if the model was built with tracing;
 * otherwise creation still succeeds and the path is ignored). Returns NULL on failure. */
sgpu_sim *sgpu_sim_create(const char *trace_path);
void sgpu_sim_destroy(sgpu_sim *sim);
uint32_t sgpu_sim_abi_version(void);

/* One 32-bit register access at byte offset addr. Returns 0 on success, -1 if the bus did
 * not answer within max_cycles cycles (the access is then abandoned), or if addr is at or
 * beyond 1 << SGPU_BUS_ADDR_BITS (the register bus width of the generated map): then nothing
 * is driven, no cycle passes and *data is left as it was. */
int sgpu_sim_read32(sgpu_sim *sim, uint32_t addr, uint32_t *data, uint32_t max_cycles);
int sgpu_sim_write32(sgpu_sim *sim, uint32_t addr, uint32_t data, uint32_t max_cycles);

/* Advance the clock by n cycles with the bus idle (lets background work such as the
 * scrubber run). */
void sgpu_sim_step(sgpu_sim *sim, uint64_t n);

/* Cycles since creation. */
uint64_t sgpu_sim_cycles(sgpu_sim *sim);

/* Name of the model's configuration (e.g. "default", "small", "bench"). */
const char *sgpu_sim_config(void);

/* ---------------------------------------------------------------- simulation controls
 * Optional: libsgpu neither needs nor uses them (the ABI version stays 1). A test that drives
 * a device through libsgpu reaches its model with dlopen of the same model object (dlopen
 * returns the object already loaded, with its instances) and sgpu_sim_instance(). */

/* The stand-in engines (sim/rtl/sgpu_engine_standin.sv). Settings are a comma-separated
 * list, applied in order:
 *   reads       work items read their ring entry (the default)
 *   writes      work items write their fence word into their ring entry
 *   hold=MASK   the engines in MASK (bit e: engine e; C syntax, 3 or 0x3) hold every work item
 *               until released, a stuck engine; hold=0 releases them (the default)
 * sgpu_sim_create applies $SGPU_SIM_ENGINES to every instance it creates (when set and not
 * empty), so each instance gets the settings in force when it was opened: an unknown setting
 * or a bad value (a mask naming an engine the model lacks) makes it fail, returning NULL,
 * with the reason, naming the setting, on stderr and in sgpu_sim_error().
 * sgpu_sim_engines_set applies settings to a live instance, all or none: 0, or -1 with the
 * reason in err (errlen bytes, NUL terminated; err may be NULL). */
#define SGPU_SIM_ENGINES_ENV "SGPU_SIM_ENGINES"
int sgpu_sim_engines_set(sgpu_sim *sim, const char *settings, char *err, size_t errlen);

typedef struct {
  uint32_t engines;          /* stand-in engines in the model */
  uint32_t hold_mask;        /* the engines holding their work items */
  uint32_t writes;           /* 1: work items write their fence word, 0: they read it */
  uint32_t items_done;       /* work items finished (neither dropped nor aborted), all
                                engines, since the instance was created */
  uint32_t owner_violations; /* engine accesses to a frame its process did not own (the
                                ownership checker in sgpu_sim_top; its $error also stops the
                                simulation, which aborts the process, at the first one) */
} sgpu_sim_engine_info;
void sgpu_sim_engines_get(sgpu_sim *sim, sgpu_sim_engine_info *info);

/* The live instances of this model object in order of creation: the index-th, or NULL past
 * the last. Valid until it is destroyed. */
sgpu_sim *sgpu_sim_instance(uint32_t index);

/* Why the last sgpu_sim_create of the calling thread failed ("" if it did not). */
const char *sgpu_sim_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SGPU_SIM_H */
