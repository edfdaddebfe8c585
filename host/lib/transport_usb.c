/* transport_usb.c - the port of the `usb:` transport: an FTDI USB-serial chip driven straight
 * through libusb-1.0 (no kernel serial driver), carrying the wire protocol of
 * docs/protocol.md; the link session on top is transport_link.c's.
 *
 *   usb:VID:PID[:SERIAL][@BAUD][?OPTIONS]
 *     VID:PID   four hex digits each, e.g. 0403:6010 (iCEBreaker: FT2232H, the UART on
 *               interface B) or 0403:6015 (ULX3S: FT231X)
 *     SERIAL    the chip's serial-number string, to pick one of several boards
 *     BAUD      1..12000000, default 3000000 (the iCEBreaker bridge: 12 MHz, 4 clocks per bit);
 *               refused when the chip cannot make it within 3 %
 *     OPTIONS   those of every link (timeout_ms, retries, admin) and latency_ms=N (the chip's
 *               latency timer, 1..255 ms, default SGPUI_USB_LATENCY_DEFAULT = 2)
 *
 * The chip is recognised by its bcdDevice (VID:PID can be reprogrammed): 0x0700 FT2232H
 * (high speed, 512-byte bulk packets, UART on interface B: bInterfaceNumber 1, FTDI port index
 * 2), 0x1000 FT-X such as the FT231X (full speed, 64-byte packets, interface 0, port index 1).
 *
 * At open: find the device (VID:PID, and SERIAL if given; several matches without SERIAL are
 * refused, naming them), open it, detach the kernel driver (ftdi_sio) from the interface if
 * one is bound (reattached at close), claim the interface, then FTDI vendor requests
 * (bmRequestType 0x40, every one with the timeout): RESET (0x00) with wValue 0 (reset), 1
 * (purge RX) and 2 (purge TX); SET_BITMODE (0x0B) 0 (plain UART, in case MPSSE was left on);
 * SET_DATA (0x04) 0x0008 (8N1, no break); SET_FLOW_CTRL (0x02) wValue 0, wIndex port (none);
 * SET_BAUDRATE (0x03) with the chip's divisor (below); SET_LATENCY_TIMER (0x09). wIndex is
 * the port index for all but SET_BAUDRATE.
 *
 * Baud divisors (ftdi_baud_divisor below; facts from FTDI's AN232B-05, libftdi and Linux's
 * ftdi_sio): a divisor in eighths d8 = round(8 * base / baud), sent as (d8 >> 3) with the
 * eighths in bits 14..16 coded {0,3,2,4,1,5,6,7}; d8 = 8 (divisor 1) is sent as 0 and
 * d8 = 12 (1.5) as 1, and other divisors below 2 do not exist (rounded to 1, 1.5 or 2).
 * FT231X: base 3 MHz (48 MHz / 16). FT2232H: base 12 MHz (120 MHz / 10) with bit 17 set for
 * rates from 1200 baud up, else the 3 MHz base. The 17/18-bit value goes out as wValue = bits
 * 0..15 and:
 *   FT2232H: wIndex = (bits 16..17) << 8 | port index (both libftdi and Linux agree);
 *   FT231X:  wIndex = bit 16 (libftdi's layout for single-port chips, as on the FT232R).
 *            Linux's ftdi_sio groups FT-X with the multi-port chips and sends bit 16 in wIndex
 *            bit 8 with port 0 in the low byte. They differ only for rates whose eighths code
 *            has bit 2 set (e.g. 558140 baud: d8 = 43); 3000000, 115200 and the other usual
 *            rates give wIndex 0 in both. We follow libftdi because the FT-X is a single-port
 *            chip and AN232B-05 documents the single-port layout; the test asserts the raw pairs
 *            so the choice is visible.
 *
 * Data: bulk OUT as it is. Every bulk IN transfer comes as max-packet-size chunks, each
 * starting with two modem-status bytes (sent even when no data is waiting, when the latency
 * timer runs out): they are stripped from every chunk. A read returns as soon as a transfer
 * brings data, else keeps reading until its timeout.
 *
 * Errors: every transfer has a timeout; LIBUSB_ERROR_NO_DEVICE is a channel failure naming the
 * device and its /dev/bus/usb node ("unplugged"), which the session reports as
 * STATUS_IO_DEVICE_ERROR; open failures are STATUS_NOT_FOUND naming the URI and what was
 * wrong: no such device (with the FTDI devices that are there), permission denied (the node,
 * its mode and owner, the uid), a busy interface, a chip this transport does not drive.
 */
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "link_port.h"
#include "sgpu_internal.h"

/* FTDI vendor requests (bRequest) and their fixed values. */
enum {
  FTDI_REQ_RESET = 0x00,
  FTDI_REQ_SET_FLOW_CTRL = 0x02,
  FTDI_REQ_SET_BAUDRATE = 0x03,
  FTDI_REQ_SET_DATA = 0x04,
  FTDI_REQ_SET_LATENCY = 0x09,
  FTDI_REQ_SET_BITMODE = 0x0B,
};
#define FTDI_OUT_REQTYPE 0x40 /* host to device, vendor, device */
#define FTDI_RESET_SIO 0u
#define FTDI_PURGE_RX 1u
#define FTDI_PURGE_TX 2u
#define FTDI_DATA_8N1 0x0008u /* 8 bits; parity none (bits 8..10 = 0); 1 stop (11..13 = 0) */
#define FTDI_STATUS_BYTES 2u
#define USB_RX_PACKETS 8u /* a bulk IN transfer asks for this many packets */

typedef struct {
  uint32_t value; /* the 17/18-bit encoded divisor */
  uint32_t rate;  /* the rate it makes */
} ftdi_div;

/* The divisor for baud from a base clock (3 MHz or 12 MHz), d8 in eighths. */
static ftdi_div div_from_base(uint32_t base, uint32_t baud) {
  static const uint8_t frac_code[8] = {0, 3, 2, 4, 1, 5, 6, 7};
  uint64_t d8 = ((uint64_t)base * 8u + baud / 2u) / baud;
  if (d8 < 8u) d8 = 8u;                        /* faster than the base: the base */
  else if (d8 < 16u) d8 = d8 < 10u ? 8u : d8 < 14u ? 12u : 16u; /* only 1, 1.5 and 2 */
  if (d8 > 0x1FFFFu) d8 = 0x1FFFFu;            /* the largest: 16383.875 */
  ftdi_div r;
  r.value = (uint32_t)(d8 >> 3) | (uint32_t)frac_code[d8 & 7u] << 14;
  if (r.value == 1u) r.value = 0u;             /* 1.0 */
  else if (r.value == 0x4001u) r.value = 1u;   /* 1.5 */
  r.rate = (uint32_t)(((uint64_t)base * 8u + d8 / 2u) / d8);
  return r;
}

int sgpui_ftdi_baud(sgpui_ftdi_chip chip, uint32_t baud, uint16_t port, uint16_t *wvalue,
                    uint16_t *windex, uint32_t *actual) {
  if (baud == 0) return -1;
  ftdi_div d;
  if (chip == SGPUI_FTDI_2232H && baud >= 1200u) {
    d = div_from_base(12000000u, baud);
    d.value |= 0x20000u; /* the 120 MHz clock without its divide by 2.5 */
    *windex = (uint16_t)(((d.value >> 16) << 8) | port);
  } else {
    d = div_from_base(3000000u, baud);
    *windex = chip == SGPUI_FTDI_2232H ? (uint16_t)(((d.value >> 16) << 8) | port)
                                       : (uint16_t)(d.value >> 16);
  }
  *wvalue = (uint16_t)(d.value & 0xFFFFu);
  *actual = d.rate;
  uint32_t diff = d.rate > baud ? d.rate - baud : baud - d.rate;
  return (uint64_t)diff * 100u > (uint64_t)baud * 3u ? -1 : 0;
}

/* ---------------------------------------------------------------- the port */

typedef struct {
  libusb_context *ctx;
  libusb_device_handle *h;
  sgpui_ftdi_chip chip;
  int iface;             /* bInterfaceNumber */
  uint16_t port;         /* FTDI port index (wIndex) */
  uint8_t ep_in, ep_out; /* bulk endpoints */
  uint16_t mps;          /* the IN endpoint's wMaxPacketSize */
  bool claimed, detached;
  uint32_t timeout_ms; /* a write or control transfer waits at most this long */
  const char *uri;     /* the session's */
  char node[40];       /* /dev/bus/usb/BBB/DDD */
  uint8_t *raw;        /* one IN transfer: USB_RX_PACKETS packets */
  size_t raw_cap;
  uint8_t *data; /* stripped bytes not handed out yet */
  size_t data_pos, data_len;
} usb_port;

static const char *chip_name(sgpui_ftdi_chip chip) {
  return chip == SGPUI_FTDI_2232H ? "FT2232H" : "FT231X";
}

/* A transfer error, named; unplugged says what LIBUSB_ERROR_NO_DEVICE means. */
static void usb_err(usb_port *u, char *err, size_t errlen, const char *what, int r) {
  sgpui_set_err(err, errlen, "%s: %s: %s%s (%s)", u->uri, what, libusb_error_name(r),
                r == LIBUSB_ERROR_NO_DEVICE ? ": the device was unplugged" : "", u->node);
}

static int usb_write(void *vc, const uint8_t *p, size_t n, char *err, size_t errlen) {
  usb_port *u = vc;
  size_t off = 0;
  uint64_t end = sgpui_now_ms() + u->timeout_ms;
  while (off < n) {
    uint64_t t = sgpui_now_ms();
    if (t >= end) {
      sgpui_set_err(err, errlen, "%s: could not send for %u ms (the chip does not take data; %s)",
                    u->uri, u->timeout_ms, u->node);
      return -1;
    }
    int sent = 0;
    int chunk = n - off > 65536u ? 65536 : (int)(n - off);
    int r = libusb_bulk_transfer(u->h, u->ep_out, (uint8_t *)p + off, chunk, &sent,
                                 (unsigned)(end - t));
    if (sent > 0) off += (size_t)sent;
    if (r == LIBUSB_ERROR_TIMEOUT) continue; /* the loop's deadline decides */
    if (r != 0) {
      usb_err(u, err, errlen, "bulk OUT", r);
      return -1;
    }
  }
  return 0;
}

static long usb_read(void *vc, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err,
                     size_t errlen) {
  usb_port *u = vc;
  uint64_t end = sgpui_now_ms() + timeout_ms;
  while (u->data_pos == u->data_len) {
    uint64_t t = sgpui_now_ms();
    if (t >= end) return 0;
    int got = 0;
    int r = libusb_bulk_transfer(u->h, u->ep_in, u->raw, (int)u->raw_cap, &got,
                                 (unsigned)(end - t));
    if (r != 0 && r != LIBUSB_ERROR_TIMEOUT) {
      usb_err(u, err, errlen, "bulk IN", r);
      return -1;
    }
    /* Every max-packet-size chunk starts with the two modem-status bytes. */
    u->data_pos = u->data_len = 0;
    for (size_t off = 0; off < (size_t)got; off += u->mps) {
      size_t len = (size_t)got - off < u->mps ? (size_t)got - off : u->mps;
      if (len <= FTDI_STATUS_BYTES) continue;
      memcpy(u->data + u->data_len, u->raw + off + FTDI_STATUS_BYTES, len - FTDI_STATUS_BYTES);
      u->data_len += len - FTDI_STATUS_BYTES;
    }
    if (r == LIBUSB_ERROR_TIMEOUT && u->data_len == 0) return 0;
  }
  size_t n = u->data_len - u->data_pos < cap ? u->data_len - u->data_pos : cap;
  memcpy(p, u->data + u->data_pos, n);
  u->data_pos += n;
  return (long)n;
}

static void usb_close(void *vc) {
  usb_port *u = vc;
  if (u->h) {
    if (u->claimed) libusb_release_interface(u->h, u->iface);
    if (u->detached) libusb_attach_kernel_driver(u->h, u->iface);
    libusb_close(u->h);
  }
  if (u->ctx) libusb_exit(u->ctx);
  free(u->raw);
  free(u->data);
  free(u);
}

/* ---------------------------------------------------------------- open */

typedef struct {
  uint16_t vid, pid;
  char serial[128];
  bool has_serial;
  uint32_t baud;
} usb_spec;

static int hex4(const char *s, size_t n, uint16_t *v) {
  if (n != 4 || strspn(s, "0123456789abcdefABCDEF") < 4) return -1;
  char tmp[5];
  memcpy(tmp, s, 4);
  tmp[4] = '\0';
  *v = (uint16_t)strtoul(tmp, NULL, 16);
  return 0;
}

/* "VID:PID[:SERIAL][@BAUD]" (n bytes) */
static sgpu_status parse_spec(const char *s, size_t n, const char *uri, usb_spec *sp, char *err,
                              size_t errlen) {
  memset(sp, 0, sizeof *sp);
  sp->baud = SGPUI_BAUD_DEFAULT;
  const char *at = NULL;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '@') at = s + i;
  if (at) {
    if (sgpui_parse_baud(at + 1, n - (size_t)(at + 1 - s), uri, &sp->baud, err, errlen) != 0)
      return SGPU_STATUS_NOT_FOUND;
    n = (size_t)(at - s);
  }
  const char *c1 = memchr(s, ':', n);
  const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) : NULL;
  size_t pid_len = c1 ? (c2 ? (size_t)(c2 - c1 - 1) : n - (size_t)(c1 + 1 - s)) : 0;
  if (!c1 || hex4(s, (size_t)(c1 - s), &sp->vid) != 0 || hex4(c1 + 1, pid_len, &sp->pid) != 0) {
    sgpui_set_err(err, errlen,
                  "bad USB id '%.*s' in '%s' (expected VID:PID in hex, e.g. usb:0403:6010)",
                  (int)(c2 ? (size_t)(c2 - s) : n), s, uri);
    return SGPU_STATUS_NOT_FOUND;
  }
  if (c2) {
    size_t sl = n - (size_t)(c2 + 1 - s);
    if (sl == 0 || sl >= sizeof sp->serial) {
      sgpui_set_err(err, errlen, "bad USB serial '%.*s' in '%s' (1..%zu characters after VID:PID:)",
                    (int)sl, c2 + 1, uri, sizeof sp->serial - 1);
      return SGPU_STATUS_NOT_FOUND;
    }
    memcpy(sp->serial, c2 + 1, sl);
    sp->serial[sl] = '\0';
    sp->has_serial = true;
  }
  return SGPU_STATUS_SUCCESS;
}

static void node_of(libusb_device *d, char *buf, size_t cap) {
  snprintf(buf, cap, "/dev/bus/usb/%03u/%03u", libusb_get_bus_number(d),
           libusb_get_device_address(d));
}

/* Why opening a node failed with LIBUSB_ERROR_ACCESS: its mode and owner. */
static void access_err(const char *uri, const char *node, char *err, size_t errlen) {
  struct stat sb;
  if (stat(node, &sb) == 0)
    sgpui_set_err(err, errlen,
                  "%s: permission denied opening %s (mode %04o, owner uid %u, group gid %u; this "
                  "process runs as uid %u: add a udev rule giving your user access to the board, "
                  "e.g. MODE=\"0660\", GROUP=\"plugdev\", or run as root)",
                  uri, node, (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
                  (unsigned)sb.st_gid, (unsigned)getuid());
  else
    sgpui_set_err(err, errlen, "%s: permission denied opening %s (%s)", uri, node, strerror(errno));
}

/* The chip from the device descriptor; -1 if this transport does not drive it. */
static int chip_of(const struct libusb_device_descriptor *dd, sgpui_ftdi_chip *chip) {
  if (dd->bcdDevice == 0x0700) *chip = SGPUI_FTDI_2232H;
  else if (dd->bcdDevice == 0x1000) *chip = SGPUI_FTDI_231X;
  else return -1;
  return 0;
}

/* Find the bulk endpoints of interface iface in configuration 0. */
static int find_endpoints(libusb_device *d, int iface, usb_port *u) {
  struct libusb_config_descriptor *cfg = NULL;
  if (libusb_get_active_config_descriptor(d, &cfg) != 0 &&
      libusb_get_config_descriptor(d, 0, &cfg) != 0)
    return -1;
  int found = 0;
  for (int i = 0; i < cfg->bNumInterfaces; i++) {
    const struct libusb_interface *it = &cfg->interface[i];
    for (int a = 0; a < it->num_altsetting && a < 1; a++) {
      const struct libusb_interface_descriptor *id = &it->altsetting[a];
      if (id->bInterfaceNumber != iface) continue;
      for (int e = 0; e < id->bNumEndpoints; e++) {
        const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
        if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK) continue;
        if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
          u->ep_in = ep->bEndpointAddress;
          u->mps = ep->wMaxPacketSize & 0x7FF;
          found |= 1;
        } else {
          u->ep_out = ep->bEndpointAddress;
          found |= 2;
        }
      }
    }
  }
  libusb_free_config_descriptor(cfg);
  return found == 3 && u->mps > FTDI_STATUS_BYTES ? 0 : -1;
}

static int ctrl(usb_port *u, uint8_t req, uint16_t value, uint16_t index, const char *what,
                char *err, size_t errlen) {
  int r = libusb_control_transfer(u->h, FTDI_OUT_REQTYPE, req, value, index, NULL, 0,
                                  u->timeout_ms);
  if (r < 0) {
    char w[96];
    snprintf(w, sizeof w, "FTDI request %s (0x%02x, wValue 0x%04x, wIndex 0x%04x)", what, req,
             value, index);
    usb_err(u, err, errlen, w, r);
    return -1;
  }
  return 0;
}

/* Open the matching device into u (u->h set); STATUS_NOT_FOUND with a message otherwise. */
static sgpu_status find_device(usb_port *u, const usb_spec *sp, char *err, size_t errlen) {
  libusb_device **list = NULL;
  ssize_t nd = libusb_get_device_list(u->ctx, &list);
  if (nd < 0) {
    sgpui_set_err(err, errlen, "%s: cannot list USB devices: %s", u->uri,
                  libusb_error_name((int)nd));
    return SGPU_STATUS_NOT_FOUND;
  }
  char seen[256] = "", matches[256] = "", denied[512] = "";
  size_t seen_n = 0, nmatch = 0;
  libusb_device *pick = NULL;
  for (ssize_t i = 0; i < nd; i++) {
    struct libusb_device_descriptor dd;
    if (libusb_get_device_descriptor(list[i], &dd) != 0) continue;
    char node[40];
    node_of(list[i], node, sizeof node);
    if (dd.idVendor != sp->vid || dd.idProduct != sp->pid) {
      if (dd.idVendor == 0x0403 && seen_n < sizeof seen - 40)
        seen_n += (size_t)snprintf(seen + seen_n, sizeof seen - seen_n, "%s%04x:%04x at %s",
                                   seen_n ? ", " : "", dd.idVendor, dd.idProduct, node);
      continue;
    }
    if (sp->has_serial) {
      libusb_device_handle *h = NULL;
      int r = libusb_open(list[i], &h);
      if (r == LIBUSB_ERROR_ACCESS) {
        access_err(u->uri, node, denied, sizeof denied);
        continue;
      }
      if (r != 0) continue;
      unsigned char s[128] = "";
      int sl = dd.iSerialNumber
                   ? libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof s)
                   : -1;
      libusb_close(h);
      if (sl < 0 || strcmp((char *)s, sp->serial)) {
        if (seen_n < sizeof seen - 60)
          seen_n += (size_t)snprintf(seen + seen_n, sizeof seen - seen_n,
                                     "%s%04x:%04x serial '%s' at %s", seen_n ? ", " : "",
                                     dd.idVendor, dd.idProduct, sl < 0 ? "?" : (char *)s, node);
        continue;
      }
    }
    size_t ml = strlen(matches);
    snprintf(matches + ml, sizeof matches - ml, "%s%s", ml ? ", " : "", node);
    if (!pick) pick = list[i];
    nmatch++;
  }
  sgpu_status st = SGPU_STATUS_SUCCESS;
  if (!pick && denied[0]) {
    sgpui_set_err(err, errlen, "%s", denied);
    st = SGPU_STATUS_NOT_FOUND;
  } else if (!pick) {
    sgpui_set_err(
        err, errlen, "%s: no USB device %04x:%04x%s%s found (%s%s)", u->uri, sp->vid, sp->pid,
        sp->has_serial ? " with serial " : "", sp->has_serial ? sp->serial : "",
        seen_n ? "FTDI devices present: " : "no FTDI device present; is the board plugged in?",
        seen);
    st = SGPU_STATUS_NOT_FOUND;
  } else if (nmatch > 1) {
    sgpui_set_err(err, errlen,
                  "%s: %zu devices match (%s): name one by its serial, "
                  "usb:%04x:%04x:SERIAL",
                  u->uri, nmatch, matches, sp->vid, sp->pid);
    st = SGPU_STATUS_NOT_FOUND;
  }
  if (st == SGPU_STATUS_SUCCESS) {
    struct libusb_device_descriptor dd;
    libusb_get_device_descriptor(pick, &dd);
    node_of(pick, u->node, sizeof u->node);
    if (chip_of(&dd, &u->chip) != 0) {
      sgpui_set_err(err, errlen,
                    "%s: %s is %04x:%04x with bcdDevice 0x%04x, not a chip this transport "
                    "drives (FT2232H: 0x0700, FT231X/FT-X: 0x1000)",
                    u->uri, u->node, dd.idVendor, dd.idProduct, dd.bcdDevice);
      st = SGPU_STATUS_NOT_FOUND;
    } else {
      u->iface = u->chip == SGPUI_FTDI_2232H ? 1 : 0; /* interface B : the only one */
      u->port = u->chip == SGPUI_FTDI_2232H ? 2 : 1;
      if (find_endpoints(pick, u->iface, u) != 0) {
        sgpui_set_err(err, errlen, "%s: %s (%s) has no bulk IN/OUT endpoint pair on interface %d",
                      u->uri, u->node, chip_name(u->chip), u->iface);
        st = SGPU_STATUS_NOT_FOUND;
      } else {
        int r = libusb_open(pick, &u->h);
        if (r == LIBUSB_ERROR_ACCESS) {
          access_err(u->uri, u->node, err, errlen);
          st = SGPU_STATUS_NOT_FOUND;
        } else if (r != 0) {
          u->h = NULL;
          sgpui_set_err(err, errlen, "%s: cannot open %s: %s", u->uri, u->node,
                        libusb_error_name(r));
          st = SGPU_STATUS_NOT_FOUND;
        }
      }
    }
  }
  libusb_free_device_list(list, 1);
  return st;
}

sgpu_status sgpui_usb_port_open(const char *spec, size_t n, const char *uri, uint32_t timeout_ms,
                                uint32_t latency_ms, sgpui_link_port *port, char *err,
                                size_t errlen) {
  usb_spec sp;
  sgpu_status st = parse_spec(spec, n, uri, &sp, err, errlen);
  if (st != SGPU_STATUS_SUCCESS) return st;
  usb_port *u = calloc(1, sizeof *u);
  if (!u) {
    sgpui_set_err(err, errlen, "host out of memory opening '%s'", uri);
    return SGPU_STATUS_NO_MEMORY;
  }
  u->uri = uri;
  u->timeout_ms = timeout_ms;
  int r = libusb_init(&u->ctx);
  if (r != 0) {
    u->ctx = NULL;
    sgpui_set_err(err, errlen, "%s: libusb_init: %s", uri, libusb_error_name(r));
    usb_close(u);
    return SGPU_STATUS_NOT_FOUND;
  }
  st = find_device(u, &sp, err, errlen);
  uint16_t bv = 0, bi = 0;
  uint32_t actual = 0;
  if (st == SGPU_STATUS_SUCCESS &&
      sgpui_ftdi_baud(u->chip, sp.baud, u->port, &bv, &bi, &actual) != 0) {
    sgpui_set_err(err, errlen, "%s: the %s cannot make %u baud (nearest %u; %s)", uri,
                  chip_name(u->chip), sp.baud, actual,
                  u->chip == SGPUI_FTDI_2232H ? "183..12000000, 12 MHz / (n + k/8)"
                                              : "183..3000000, 3 MHz / (n + k/8)");
    st = SGPU_STATUS_NOT_FOUND;
  }
  if (st == SGPU_STATUS_SUCCESS) {
    r = libusb_kernel_driver_active(u->h, u->iface);
    if (r == 1) {
      r = libusb_detach_kernel_driver(u->h, u->iface);
      if (r != 0) {
        sgpui_set_err(err, errlen,
                      "%s: cannot detach the kernel driver from interface %d of %s: %s", uri,
                      u->iface, u->node, libusb_error_name(r));
        st = SGPU_STATUS_NOT_FOUND;
      } else {
        u->detached = true;
      }
    }
  }
  if (st == SGPU_STATUS_SUCCESS) {
    r = libusb_claim_interface(u->h, u->iface);
    if (r != 0) {
      sgpui_set_err(err, errlen, "%s: cannot claim interface %d of %s: %s%s", uri, u->iface,
                    u->node, libusb_error_name(r),
                    r == LIBUSB_ERROR_BUSY
                        ? " (another program has it: another sgpu, openFPGALoader, "
                          "a terminal?)"
                        : "");
      st = SGPU_STATUS_NOT_FOUND;
    } else {
      u->claimed = true;
    }
  }
  if (st == SGPU_STATUS_SUCCESS) {
    uint16_t lat = (uint16_t)(latency_ms ? latency_ms : SGPUI_USB_LATENCY_DEFAULT);
    if (ctrl(u, FTDI_REQ_RESET, FTDI_RESET_SIO, u->port, "reset", err, errlen) ||
        ctrl(u, FTDI_REQ_RESET, FTDI_PURGE_RX, u->port, "purge RX", err, errlen) ||
        ctrl(u, FTDI_REQ_RESET, FTDI_PURGE_TX, u->port, "purge TX", err, errlen) ||
        ctrl(u, FTDI_REQ_SET_BITMODE, 0, u->port, "bitmode reset", err, errlen) ||
        ctrl(u, FTDI_REQ_SET_DATA, FTDI_DATA_8N1, u->port, "8N1", err, errlen) ||
        ctrl(u, FTDI_REQ_SET_FLOW_CTRL, 0, u->port, "no flow control", err, errlen) ||
        ctrl(u, FTDI_REQ_SET_BAUDRATE, bv, bi, "baud rate", err, errlen) ||
        ctrl(u, FTDI_REQ_SET_LATENCY, lat, u->port, "latency timer", err, errlen))
      st = SGPU_STATUS_NOT_FOUND;
  }
  if (st == SGPU_STATUS_SUCCESS) {
    u->raw_cap = (size_t)u->mps * USB_RX_PACKETS;
    u->raw = malloc(u->raw_cap);
    u->data = malloc(u->raw_cap);
    if (!u->raw || !u->data) {
      sgpui_set_err(err, errlen, "host out of memory opening '%s'", uri);
      st = SGPU_STATUS_NO_MEMORY;
    }
  }
  if (st != SGPU_STATUS_SUCCESS) {
    usb_close(u);
    return st;
  }
  *port = (sgpui_link_port){u, usb_write, usb_read, usb_close};
  return SGPU_STATUS_SUCCESS;
}
