/* link_port.h - what the byte-link transports of libsgpu share (internal, not installed).
 *
 * transport_link.c holds the link session of every byte-link transport (tcp:, pty:,
 * serial:, usb:): the options, the request engine (link_proto.c) over a port, the PING/INFO
 * at open, the register/admin/memory hooks. A port is the byte channel under it, with its
 * own close: a file descriptor (transport_link.c: a socket, a terminal) or an FTDI chip
 * through libusb (transport_usb.c).
 */
#ifndef SGPU_LINK_PORT_H
#define SGPU_LINK_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sgpu.h"

/* A byte channel (the write/read of sgpui_link_channel, same contract) and its close
 * (frees ctx; NULL ctx is not passed). */
typedef struct {
  void *ctx;
  int (*write)(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen);
  long (*read)(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err, size_t errlen);
  void (*close)(void *ctx);
} sgpui_link_port;

/* Milliseconds on the monotonic clock (the ports' and the session's deadlines). */
static inline uint64_t sgpui_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------------- serial: (serial_baud.c) */
/* The line rate the serial: and usb: URIs take after '@' ("3000000"): 1..SGPUI_BAUD_MAX. */
#define SGPUI_BAUD_MAX 12000000u
#define SGPUI_BAUD_DEFAULT 3000000u /* the iCEBreaker bridge: 12 MHz, 4 clocks per bit */
/* Parse the n bytes at s as a baud rate; -1 with a message naming it and uri otherwise. */
int sgpui_parse_baud(const char *s, size_t n, const char *uri, uint32_t *baud, char *err,
                     size_t errlen);
/* The Bxxx code of a rate Linux names (true), or BOTHER (false): asm/termbits.h values. */
bool sgpui_serial_baud_code(uint32_t baud, unsigned *code);
/* Set the line's rate (Bxxx, else termios2 BOTHER) and hardware flow control off; read it
 * back and refuse a rate more than 3 % off. -1 with a message starting with `what`. */
int sgpui_serial_set_baud(int fd, uint32_t baud, const char *what, char *err, size_t errlen);
/* The line's output rate now (TCGETS2); 0 for B0 or an unknown code. -1 with errno. */
int sgpui_serial_get_baud(int fd, uint32_t *baud);

/* ---------------------------------------------------------------- usb: (transport_usb.c) */
#define SGPUI_USB_LATENCY_MAX 255u /* the FTDI latency timer's range in ms: 1..255 */
#define SGPUI_USB_LATENCY_DEFAULT 2u /* ms: a short answer waits at most this long in the chip */

/* The FTDI chips the usb: transport drives. */
typedef enum { SGPUI_FTDI_2232H, SGPUI_FTDI_231X } sgpui_ftdi_chip;

/* The SET_BAUDRATE request's wValue/wIndex for baud on chip (port: the FTDI port index, which
 * the FT2232H's wIndex carries), and the rate it makes; -1 if that is more than 3 % off (the
 * pair is still written). The encoding is described in transport_usb.c. */
int sgpui_ftdi_baud(sgpui_ftdi_chip chip, uint32_t baud, uint16_t port, uint16_t *wvalue,
                    uint16_t *windex, uint32_t *actual);

/* The port of usb:VID:PID[:SERIAL][@BAUD] (spec: its first n bytes, no options), the chip
 * configured (timeout_ms bounds every transfer, latency_ms 0: the default). uri is the
 * session's, kept for messages. */
sgpu_status sgpui_usb_port_open(const char *spec, size_t n, const char *uri, uint32_t timeout_ms,
                                uint32_t latency_ms, sgpui_link_port *port, char *err,
                                size_t errlen);

#endif /* SGPU_LINK_PORT_H */
