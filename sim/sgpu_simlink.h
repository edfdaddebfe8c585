/* sgpu_simlink.h - the C ABI of a Verilated sgpu device with its host link in the loop
 * (sim/rtl/link/sgpu_sim_link_top.sv: the core, its memory and stand-in engines, and the RTL
 * UART + link bridge, sgpu_link_uart, as the only master of the register bus).
 *
 * Built as build/sim/libsgpu_simlink_<config>.so (mk/verilator.mk), loaded with dlopen by
 * sgpu-sim --bridge rtl. Unlike sgpu_sim.h there is no register port: the device is reached
 * through its UART pins only, one clock cycle per call, so the caller plays the host's UART
 * (the USB-serial chip) and serialises bytes onto uart_rx_i bit by bit and deserialises
 * uart_tx_o. A handle is used by one thread at a time; several may live in one process.
 */
#ifndef SGPU_SIMLINK_H
#define SGPU_SIMLINK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sgpu_simlink sgpu_simlink;

#define SGPU_SIMLINK_ABI_VERSION 1u

/* What one clock cycle showed. */
typedef struct {
  uint8_t tx;        /* uart_tx_o after the edge (1: idle or a 1 bit) */
  uint8_t bus;       /* the bridge drove the register bus in this cycle */
} sgpu_simlink_pins;

/* Counters kept by the model. */
typedef struct {
  uint64_t cycles;            /* clock cycles since creation */
  uint64_t frame_errors;      /* bytes the RTL UART dropped for a stop bit 0 */
  uint64_t overruns;          /* bytes that came while the bridge was busy (lost) */
  uint32_t owner_violations;  /* engine accesses to frames their process did not own */
} sgpu_simlink_counts;

/* A device, held in reset for a few cycles with uart_rx_i high (idle), then released.
 * NULL on failure (with the reason on stderr). */
sgpu_simlink *sgpu_simlink_create(void);
void sgpu_simlink_destroy(sgpu_simlink *sim);
uint32_t sgpu_simlink_abi_version(void);
/* The model's configuration ("default", "small"). */
const char *sgpu_simlink_config(void);
/* The bit time the model's UART was built with: *num / *den clock cycles per bit. */
void sgpu_simlink_bit_time(sgpu_simlink *sim, uint32_t *num, uint32_t *den);

/* One clock cycle with uart_rx_i = rx (0 or 1), sampled at the rising edge. */
sgpu_simlink_pins sgpu_simlink_cycle(sgpu_simlink *sim, int rx);
void sgpu_simlink_counts_get(sgpu_simlink *sim, sgpu_simlink_counts *out);

#ifdef __cplusplus
}
#endif

#endif /* SGPU_SIMLINK_H */
