/* simsrv_rtl.h - sgpu-sim's RTL link (--bridge rtl): a Verilated device with the RTL UART and
 * link bridge in the loop (libsgpu_simlink_<config>.so, sim/sgpu_simlink.h), and the host's
 * UART (the part a USB-serial chip plays on a board) in C: bytes from the host are serialised
 * onto the model's uart_rx_i pin bit by bit, 8N1, at the model's clocks per bit, back to back,
 * and its uart_tx_o pin is sampled every cycle and deserialised (start bit found by its
 * falling edge and checked at its middle, data bits sampled at their middles, a stop bit 0 is
 * a framing error: the byte is dropped and counted).
 *
 * Busy: bytes are queued or on a pin, or the bridge drove the register bus, within the last
 * SIMRTL_BUSY_TAIL cycles. While busy the caller runs the clock as fast as it can.
 */
#ifndef SIMSRV_RTL_H
#define SIMSRV_RTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgpu_simlink.h"

#define SIMRTL_QUEUE 65536u     /* host bytes waiting for the rx pin */
#define SIMRTL_BUSY_TAIL 4096u  /* cycles the link counts as busy after its last activity */
#define SIMRTL_FLUSH 256u       /* bytes from uart_tx_o handed on without waiting for a frame's end */

typedef struct {
  void *so;
  sgpu_simlink *m;
  sgpu_simlink *(*create)(void);
  void (*destroy)(sgpu_simlink *);
  const char *(*config)(void);
  sgpu_simlink_pins (*cycle)(sgpu_simlink *, int);
  void (*counts)(sgpu_simlink *, sgpu_simlink_counts *);
  char path[600];
  uint32_t num, den; /* clock cycles per bit: num / den */
  /* host to device: the queue and the byte on the rx pin */
  uint8_t q[SIMRTL_QUEUE];
  size_t q_head, q_len;
  int tx_bit;        /* bit of the byte on the pin (0 start .. 9 stop), -1: line idle */
  uint16_t tx_frame; /* start, data LSB first, stop */
  uint32_t tx_left;  /* cycles left of the bit */
  uint64_t tx_acc;   /* the bit time's remainder (fractional bit times do not accumulate) */
  /* device to host: the deserialiser */
  bool rx_active;
  uint8_t rx_prev;   /* the pin in the previous cycle */
  uint32_t rx_t;     /* cycles since the start bit's falling edge */
  int rx_k;          /* next bit to sample */
  uint16_t rx_bits;
  uint64_t last_activity; /* cycle */
  /* counts */
  uint64_t bytes_in, bytes_out, host_frame_errors, run_ns;
} simrtl;

/* Load the model object (a NAME without '/': DIR/libsgpu_simlink_NAME.so, DIR $SGPU_SIM_DIR
 * else default_dir) and create the device. 0, or -1 with the reason in err. */
int simrtl_open(simrtl *r, const char *model, const char *default_dir, char *err, size_t len);
void simrtl_close(simrtl *r);
/* Room in the queue; queue bytes (at most the room). */
size_t simrtl_room(const simrtl *r);
void simrtl_push(simrtl *r, const uint8_t *p, size_t n);
/* Drop what is queued and not yet on the pin (a new connection: a fresh byte stream). */
void simrtl_flush(simrtl *r);
/* A byte is queued for, or on, either pin (not just the busy tail after the last activity). */
bool simrtl_active(const simrtl *r);
bool simrtl_busy(const simrtl *r);
/* Run up to max_cycles clock cycles, or fewer once stop_idle is set and the link is no longer
 * busy; bytes deserialised from uart_tx_o are appended to out (cap bytes). The run also stops
 * after a frame delimiter or SIMRTL_FLUSH bytes came out, so the host gets them at once.
 * Returns the cycles run. */
uint64_t simrtl_run(simrtl *r, uint64_t max_cycles, bool stop_idle, uint8_t *out, size_t cap,
                    size_t *n_out);
uint64_t simrtl_cycles(const simrtl *r);
void simrtl_counts(const simrtl *r, sgpu_simlink_counts *c);

#endif /* SIMSRV_RTL_H */
