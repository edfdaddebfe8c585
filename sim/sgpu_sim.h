/* sgpu_sim.h - the small C ABI of a Verilated sgpu model.
 *
 * The model is built as a shared object (build/sim/libsgpu_sim_<config>.so) exporting these
 * functions with C linkage. libsgpu's `sim:` transport loads it with dlopen, so the driver
 * stays plain C and the model configuration (memory size, slots) is chosen at open time.
 *
 * Register accesses go through the model's register bus (sgpu_top's reg_* ports), one
 * transaction at a time; each call advances the clock until the access completes.
 * A handle is used by one thread at a time (libsgpu serialises per device).
 */
#ifndef SGPU_SIM_H
#define SGPU_SIM_H

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

#ifdef __cplusplus
}
#endif

#endif /* SGPU_SIM_H */
