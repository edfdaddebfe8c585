/* serial_baud.c - the baud rate of a serial line (the serial: transport, transport_link.c):
 * a standard rate through its Bxxx code, any other through termios2 with BOTHER (Linux).
 *
 * Its own file because termios2 and BOTHER come from the kernel's <asm/termbits.h>, whose
 * struct termios clashes with the C library's <termios.h> that transport_link.c uses: this
 * file includes only the kernel's. The setting changes the speed and turns hardware flow
 * control (CRTSCTS) off; the rest of raw 8N1 is set by the caller through <termios.h> before.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "link_port.h"

/* The Bxxx codes of the rates Linux names (asm/termbits.h). */
static const struct {
  uint32_t rate;
  unsigned code;
} std_rates[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};
#define NUM_STD (sizeof std_rates / sizeof std_rates[0])

bool sgpui_serial_baud_code(uint32_t baud, unsigned *code) {
  for (size_t i = 0; i < NUM_STD; i++)
    if (std_rates[i].rate == baud) {
      *code = std_rates[i].code;
      return true;
    }
  *code = BOTHER;
  return false;
}

int sgpui_serial_get_baud(int fd, uint32_t *baud) {
  struct termios2 t;
  if (ioctl(fd, TCGETS2, &t) != 0) return -1;
  unsigned code = t.c_cflag & CBAUD;
  if (code == BOTHER) {
    *baud = t.c_ospeed;
    return 0;
  }
  for (size_t i = 0; i < NUM_STD; i++)
    if (std_rates[i].code == code) {
      *baud = std_rates[i].rate;
      return 0;
    }
  *baud = 0; /* B0 (hang up) or a code this table lacks */
  return 0;
}

int sgpui_serial_set_baud(int fd, uint32_t baud, const char *what, char *err, size_t errlen) {
  struct termios2 t;
  if (ioctl(fd, TCGETS2, &t) != 0) {
    snprintf(err, errlen, "%s: cannot read the line settings (TCGETS2): %s", what,
             strerror(errno));
    return -1;
  }
  unsigned code;
  bool std = sgpui_serial_baud_code(baud, &code);
  t.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT) | CRTSCTS);
  t.c_cflag |= code; /* the input speed follows the output speed (its field left 0) */
  t.c_ispeed = baud;
  t.c_ospeed = baud;
  if (ioctl(fd, TCSETS2, &t) != 0) {
    snprintf(err, errlen, "%s: the serial driver refuses %u baud (%s, TCSETS2): %s", what,
             (unsigned)baud, std ? "a standard rate" : "a non-standard rate, BOTHER",
             strerror(errno));
    return -1;
  }
  /* A driver may round a rate it cannot make: refuse one beyond a UART's tolerance. */
  uint32_t got = 0;
  if (sgpui_serial_get_baud(fd, &got) != 0) {
    snprintf(err, errlen, "%s: cannot read back the line settings (TCGETS2): %s", what,
             strerror(errno));
    return -1;
  }
  uint32_t diff = got > baud ? got - baud : baud - got;
  if ((uint64_t)diff * 100u > (uint64_t)baud * 3u) {
    snprintf(err, errlen, "%s: asked for %u baud, the serial driver set %u (more than 3 %% off)",
             what, (unsigned)baud, (unsigned)got);
    return -1;
  }
  return 0;
}
