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

#include "sgpu.h"

/* A byte channel (the write/read of sgpui_link_channel, same contract) and its close
 * (frees ctx; NULL ctx is not passed). */
typedef struct {
  void *ctx;
  int (*write)(void *ctx, const uint8_t *p, size_t n, char *err, size_t errlen);
  long (*read)(void *ctx, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err, size_t errlen);
  void (*close)(void *ctx);
} sgpui_link_port;

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

#endif /* SGPU_LINK_PORT_H */
