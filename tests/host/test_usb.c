/* test_usb.c - the usb: transport (host/lib/transport_usb.c) without a board: umockdev plays
 * an FT2232H (iCEBreaker, 0403:6010, high speed, 512-byte packets, UART on interface B) and an
 * FT231X (ULX3S, 0403:6015, full speed, 64-byte packets) to unchanged libusb, and each chip's
 * UART side is an sgpu-sim (the C reference bridge and model) on a pseudo-terminal.
 *
 *   umockdev-wrapper test_usb SGPU_SIM MODEL SGPU_CLI
 *   (or LD_PRELOAD=libumockdev-preload.so.0; under ASan also ASAN_OPTIONS=verify_asan_link_order=0)
 *
 * The chips: a sysfs USB device each (busnum, devnum, speed, ids, the binary `descriptors`
 * attribute: device, configuration, interfaces and bulk endpoints with the chips' packet
 * sizes, bcdDevice 0x0700 / 0x1000) and a live usbdevfs handler (UMockdevIoctlBase on the
 * testbed's worker thread) answering what libusb sends: capabilities, GETDRIVER (ftdi_sio
 * bound until the DISCONNECT ioctl, back after CONNECT), claim/release, and URBs: control
 * transfers (the FTDI vendor requests are recorded; string descriptors answered for the
 * serial numbers), bulk OUT bytes written to the sim's pty, bulk IN filled from it in
 * max-packet-size chunks each starting with the two modem-status bytes (0x31 0x60, values a
 * missed strip would show), completed when full or when the latency timer the host set runs
 * out (then a status-only packet when there is no data, as the chip does). The handler never
 * blocks: an IN URB stays pending, like a NAKed transfer, until one of those.
 *
 * Cases: the open sequence (detach, claim, reset, purges, bitmode, 8N1, flow control, baud,
 * latency) as exact (bRequest, wValue, wIndex) triples on both chips; the baud pairs for several
 * rates on both, and rates refused; a lifecycle through libsgpu over usb: with transfers of
 * more than one packet (the counters show multi-packet IN transfers, no retry, no bad frame;
 * sgpu_link_stats gives the same counters);
 * the serial-number match; the latency option; a chip that stops answering (STATUS_IO_TIMEOUT,
 * bounded); the unmodified sgpu CLI in separate invocations on one device, and as uid 65534
 * facing a node of mode 0600 (the permission message); an unplug (ENODEV:
 * STATUS_IO_DEVICE_ERROR naming the node), then no such device; bad URIs. A watchdog (alarm)
 * turns any hang into a failure.
 *
 * sgpu-sim children are started before the testbed exists and without LD_PRELOAD, and their
 * ptys opened then, so nothing of theirs goes through umockdev.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <glib.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <umockdev.h>

#include "host_test.h"
#include "link_port.h"
#include "link_proto.h"
#include "sgpu.h"
#include "link_check.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_child.h"

#define ST(x) sgpu_status_str(x)
#define WATCHDOG_S 300

/* ---------------------------------------------------------------- the fake chips */

typedef struct {
  uint8_t req;
  uint16_t value, index;
} ctrl_rec;

typedef struct urb_rec {
  UMockdevIoctlClient *client;
  UMockdevIoctlData *urb_d, *buf_d;
  gint64 submitted_us;
  size_t out_done; /* bulk OUT: bytes already passed on */
  struct urb_rec *next;
} urb_rec;

typedef struct {
  const char *name, *node, *syspath_tail, *serial, *product;
  uint16_t pid, bcd, mps;
  int iface;
  uint8_t ep_in, ep_out;
  int sim_fd; /* the sgpu-sim pty (the UART's far side) */
  UMockdevIoctlBase *handler;
  GMutex mu;
  /* set by the test */
  bool mute, unplugged;
  /* seen by the chip */
  ctrl_rec ctrls[512];
  size_t nctrl;
  int claimed, released;
  bool bound[2];
  int disconnects, connects;
  uint16_t latency_ms;
  uint64_t in_transfers, in_multi, in_status_only, out_bytes, in_bytes, dropped;
  uint8_t fifo[16384]; /* UART bytes from the sim not sent to the host yet */
  size_t fifo_len;
  urb_rec *pending, *done;
} fake_chip;

static fake_chip chips[2] = {
    {.name = "FT2232H", .node = "/dev/bus/usb/001/002", .syspath_tail = "1-1",
     .serial = "ICE0001", .product = "Dual RS232-HS", .pid = 0x6010, .bcd = 0x0700,
     .mps = 512, .iface = 1, .ep_in = 0x83, .ep_out = 0x04},
    {.name = "FT231X", .node = "/dev/bus/usb/001/003", .syspath_tail = "1-2",
     .serial = "ULX3S0002", .product = "FT231X USB UART", .pid = 0x6015, .bcd = 0x1000,
     .mps = 64, .iface = 0, .ep_in = 0x81, .ep_out = 0x02},
};
#define H (&chips[0])
#define X (&chips[1])

static const uint8_t modem_status[2] = {0x31, 0x60}; /* CTS|DSR|reserved, THRE|TEMT */

static struct usbdevfs_urb *urb_of(urb_rec *r) { return (struct usbdevfs_urb *)r->urb_d->data; }

static void urb_free(urb_rec *r) {
  g_object_unref(r->urb_d);
  g_object_unref(r->buf_d);
  g_object_unref(r->client);
  g_free(r);
}

static void push_done(fake_chip *f, urb_rec *r) {
  r->next = NULL;
  urb_rec **p = &f->done;
  while (*p) p = &(*p)->next;
  *p = r;
}

/* Pull what the sim has sent into the chip's FIFO (non-blocking). */
static void uart_rx(fake_chip *f) {
  while (f->fifo_len < sizeof f->fifo) {
    ssize_t got = read(f->sim_fd, f->fifo + f->fifo_len, sizeof f->fifo - f->fifo_len);
    if (got <= 0) break;
    if (f->mute) continue; /* a chip that stopped answering: the bytes are lost */
    f->fifo_len += (size_t)got;
  }
}

/* Advance the in-flight URBs: OUT bytes to the sim, IN URBs filled and completed when full or
 * when the latency timer has run out since their submission. */
static void progress(fake_chip *f) {
  uart_rx(f);
  gint64 now = g_get_monotonic_time();
  urb_rec **p = &f->pending;
  while (*p) {
    urb_rec *r = *p;
    struct usbdevfs_urb *u = urb_of(r);
    bool complete = false;
    if (u->endpoint == f->ep_out) {
      while (r->out_done < (size_t)u->buffer_length) {
        if (f->mute) {
          f->dropped += (size_t)u->buffer_length - r->out_done;
          r->out_done = (size_t)u->buffer_length;
          break;
        }
        ssize_t w = write(f->sim_fd, r->buf_d->data + r->out_done,
                          (size_t)u->buffer_length - r->out_done);
        if (w <= 0) break; /* the pty is full: the URB waits, as a NAKed OUT would */
        r->out_done += (size_t)w;
        f->out_bytes += (size_t)w;
      }
      if (r->out_done == (size_t)u->buffer_length) {
        u->actual_length = u->buffer_length;
        u->status = 0;
        complete = true;
      }
    } else {
      size_t packets = (size_t)u->buffer_length / f->mps;
      size_t room = packets * (f->mps - 2u);
      uint16_t lat = f->latency_ms ? f->latency_ms : 16u; /* the chip's power-on value */
      bool expired = now - r->submitted_us >= (gint64)lat * 1000;
      if (packets > 0 && (f->fifo_len >= room || expired)) {
        size_t take = f->fifo_len < room ? f->fifo_len : room, off = 0, in = 0;
        do { /* at least one packet: status bytes alone when there is no data */
          size_t n = take - in < f->mps - 2u ? take - in : f->mps - 2u;
          memcpy(r->buf_d->data + off, modem_status, 2);
          memcpy(r->buf_d->data + off + 2, f->fifo + in, n);
          off += n + 2u;
          in += n;
        } while (in < take);
        memmove(f->fifo, f->fifo + take, f->fifo_len - take);
        f->fifo_len -= take;
        u->actual_length = (int)off;
        u->status = 0;
        f->in_transfers++;
        f->in_bytes += take;
        if (off > f->mps) f->in_multi++;
        if (take == 0) f->in_status_only++;
        complete = true;
      }
    }
    if (complete) {
      *p = r->next;
      push_done(f, r);
    } else {
      p = &r->next;
    }
  }
}

static void put_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

/* A control URB: setup in the first 8 bytes of its buffer. */
static void control(fake_chip *f, urb_rec *r) {
  struct usbdevfs_urb *u = urb_of(r);
  uint8_t *b = r->buf_d->data;
  uint8_t type = b[0], req = b[1];
  uint16_t value = (uint16_t)(b[2] | b[3] << 8), index = (uint16_t)(b[4] | b[5] << 8);
  uint16_t wlen = (uint16_t)(b[6] | b[7] << 8);
  u->status = 0;
  u->actual_length = 0;
  if (type == 0x40) { /* FTDI vendor request */
    if (f->nctrl < sizeof f->ctrls / sizeof f->ctrls[0])
      f->ctrls[f->nctrl++] = (ctrl_rec){req, value, index};
    if (req == 0x09) f->latency_ms = value;
    if (req == 0x00 && value == 1) f->fifo_len = 0; /* purge RX */
  } else if (type == 0x80 && req == 6 && value >> 8 == 3) { /* string descriptor */
    uint8_t d[128];
    size_t n;
    const char *s = (value & 0xFF) == 1 ? "FTDI" : (value & 0xFF) == 2 ? f->product : f->serial;
    if ((value & 0xFF) == 0) {
      n = 4;
      d[2] = 0x09;
      d[3] = 0x04;
    } else {
      n = 2;
      for (size_t i = 0; s[i] && n + 2 <= sizeof d; i++, n += 2) put_le16(d + n, (uint8_t)s[i]);
    }
    d[0] = (uint8_t)n;
    d[1] = 3;
    size_t give = n < wlen ? n : wlen;
    memcpy(b + 8, d, give);
    u->actual_length = (int)give;
  } else {
    u->status = -EPIPE; /* a stall, as for any request the chip does not know */
  }
  push_done(f, r);
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user) {
  (void)base;
  fake_chip *f = user;
  gulong req = umockdev_ioctl_client_get_request(client);
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
  GError *e = NULL;
  g_mutex_lock(&f->mu);
  if (f->unplugged) { /* usbfs after a disconnect: every call fails with ENODEV */
    umockdev_ioctl_client_complete(client, -1, ENODEV);
    g_mutex_unlock(&f->mu);
    return TRUE;
  }
  switch (req) {
  case USBDEVFS_GET_CAPABILITIES: {
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &e);
    if (d) {
      *(uint32_t *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                             USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
      umockdev_ioctl_client_complete(client, 0, 0);
      g_object_unref(d);
    }
    break;
  }
  case USBDEVFS_GET_SPEED:
    umockdev_ioctl_client_complete(client, f->mps == 512 ? 3 : 2, 0); /* HIGH : FULL */
    break;
  case USBDEVFS_GETDRIVER: {
    UMockdevIoctlData *d =
        umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), &e);
    if (d) {
      struct usbdevfs_getdriver *gd = (void *)d->data;
      if (gd->interface < 2 && f->bound[gd->interface]) {
        snprintf(gd->driver, sizeof gd->driver, "ftdi_sio");
        umockdev_ioctl_client_complete(client, 0, 0);
      } else {
        umockdev_ioctl_client_complete(client, -1, ENODATA);
      }
      g_object_unref(d);
    }
    break;
  }
  case USBDEVFS_IOCTL: {
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), &e);
    if (d) {
      struct usbdevfs_ioctl *io = (void *)d->data;
      bool ok = io->ifno >= 0 && io->ifno < 2;
      if (ok && io->ioctl_code == (int)USBDEVFS_DISCONNECT) {
        f->bound[io->ifno] = false;
        f->disconnects++;
      } else if (ok && io->ioctl_code == (int)USBDEVFS_CONNECT) {
        f->bound[io->ifno] = true;
        f->connects++;
      }
      umockdev_ioctl_client_complete(client, ok ? 0 : -1, ok ? 0 : EINVAL);
      g_object_unref(d);
    }
    break;
  }
  case USBDEVFS_CLAIMINTERFACE:
  case USBDEVFS_RELEASEINTERFACE: {
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), &e);
    if (d) {
      unsigned int i = *(unsigned int *)d->data;
      if (req == USBDEVFS_CLAIMINTERFACE) f->claimed = (int)i;
      else f->released = (int)i;
      umockdev_ioctl_client_complete(client, 0, 0);
      g_object_unref(d);
    }
    break;
  }
  case USBDEVFS_RESET:
  case USBDEVFS_CLEAR_HALT:
  case USBDEVFS_RESETEP:
  case USBDEVFS_SETINTERFACE:
  case USBDEVFS_SETCONFIGURATION:
    umockdev_ioctl_client_complete(client, 0, 0);
    break;
  case USBDEVFS_SUBMITURB: {
    UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &e);
    if (!ud) break;
    struct usbdevfs_urb *u = (void *)ud->data;
    UMockdevIoctlData *bd = umockdev_ioctl_data_resolve(
        ud, offsetof(struct usbdevfs_urb, buffer), (gsize)u->buffer_length, &e);
    if (!bd) {
      g_object_unref(ud);
      break;
    }
    urb_rec *r = g_new0(urb_rec, 1);
    r->client = g_object_ref(client);
    r->urb_d = ud;
    r->buf_d = bd;
    r->submitted_us = g_get_monotonic_time();
    if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
      control(f, r);
    } else if (u->type == USBDEVFS_URB_TYPE_BULK &&
               (u->endpoint == f->ep_in || u->endpoint == f->ep_out)) {
      r->next = f->pending;
      f->pending = r;
      progress(f);
    } else {
      urb_free(r);
      umockdev_ioctl_client_complete(client, -1, EINVAL);
      break;
    }
    umockdev_ioctl_client_complete(client, 0, 0);
    break;
  }
  case USBDEVFS_DISCARDURB: {
    gulong addr = *(gulong *)arg->data;
    bool found = false;
    for (urb_rec **p = &f->pending; *p; p = &(*p)->next)
      if ((*p)->urb_d->client_addr == addr) {
        urb_rec *r = *p;
        *p = r->next;
        urb_of(r)->status = -ENOENT;
        push_done(f, r);
        found = true;
        break;
      }
    umockdev_ioctl_client_complete(client, found ? 0 : -1, found ? 0 : EINVAL);
    break;
  }
  case USBDEVFS_REAPURB:
  case USBDEVFS_REAPURBNDELAY: {
    progress(f);
    urb_rec **p = &f->done;
    while (*p && (*p)->client != client) p = &(*p)->next;
    if (!*p) {
      umockdev_ioctl_client_complete(client, -1, EAGAIN);
      break;
    }
    urb_rec *r = *p;
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &e);
    if (!d) break;
    *p = r->next;
    umockdev_ioctl_data_set_ptr(d, 0, r->urb_d);
    umockdev_ioctl_client_complete(client, 0, 0);
    g_object_unref(d);
    urb_free(r);
    break;
  }
  default:
    umockdev_ioctl_client_complete(client, -1, ENOTTY);
    break;
  }
  if (e) {
    fprintf(stderr, "fake %s: ioctl 0x%lx: %s\n", f->name, req, e->message);
    g_error_free(e);
    umockdev_ioctl_client_complete(client, -1, EFAULT);
  }
  g_mutex_unlock(&f->mu);
  return TRUE;
}

static void on_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user) {
  (void)base;
  fake_chip *f = user;
  g_mutex_lock(&f->mu);
  urb_rec **lists[2] = {&f->pending, &f->done};
  for (int l = 0; l < 2; l++)
    for (urb_rec **p = lists[l]; *p;) {
      if ((*p)->client == client) {
        urb_rec *r = *p;
        *p = r->next;
        urb_free(r);
      } else {
        p = &(*p)->next;
      }
    }
  g_mutex_unlock(&f->mu);
}

/* The sysfs description: device, configuration, interfaces, endpoints (hex). */
static char *describe(const fake_chip *f) {
  GString *hex = g_string_new(NULL);
  uint8_t d[128];
  size_t n = 0;
  bool hs = f->mps == 512;
  uint8_t dev[18] = {18, 1, 0x00, 0x02, 0, 0, 0, hs ? 64 : 8, 0x03, 0x04, (uint8_t)f->pid,
                     (uint8_t)(f->pid >> 8), (uint8_t)f->bcd, (uint8_t)(f->bcd >> 8), 1, 2, 3, 1};
  memcpy(d + n, dev, sizeof dev);
  n += sizeof dev;
  int nif = hs ? 2 : 1;
  uint16_t total = (uint16_t)(9 + nif * (9 + 7 + 7));
  uint8_t cfg[9] = {9, 2, (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)nif, 1, 0,
                    hs ? 0x80 : 0xA0, hs ? 0x4B : 0x2D};
  memcpy(d + n, cfg, sizeof cfg);
  n += sizeof cfg;
  for (int i = 0; i < nif; i++) {
    uint8_t in_ep = (uint8_t)(0x81 + 2 * i), out_ep = (uint8_t)(0x02 + 2 * i);
    uint8_t itf[9] = {9, 4, (uint8_t)i, 0, 2, 0xFF, 0xFF, 0xFF, 2};
    uint8_t e1[7] = {7, 5, in_ep, 2, (uint8_t)f->mps, (uint8_t)(f->mps >> 8), 0};
    uint8_t e2[7] = {7, 5, out_ep, 2, (uint8_t)f->mps, (uint8_t)(f->mps >> 8), 0};
    memcpy(d + n, itf, 9);
    memcpy(d + n + 9, e1, 7);
    memcpy(d + n + 16, e2, 7);
    n += 23;
  }
  for (size_t i = 0; i < n; i++) g_string_append_printf(hex, "%02x", d[i]);
  unsigned busnum = 1, devnum = (unsigned)atoi(f->node + strlen("/dev/bus/usb/001/"));
  char *s = g_strdup_printf(
      "P: /devices/pci0000:00/0000:00:14.0/usb1/%s\n"
      "N: bus/usb/001/%03u\n"
      "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DEVNAME=%s\n"
      "E: BUSNUM=%03u\nE: DEVNUM=%03u\nE: PRODUCT=403/%x/%x\n"
      "A: busnum=%u\\n\nA: devnum=%u\\n\nA: speed=%s\\n\nA: bConfigurationValue=1\\n\n"
      "A: idVendor=0403\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\nA: serial=%s\\n\n"
      "A: product=%s\\n\nA: manufacturer=FTDI\\n\nA: bNumConfigurations=1\\n\n"
      "A: bNumInterfaces= %d\\n\nA: bMaxPacketSize0=%u\\n\nA: bDeviceClass=00\\n\n"
      "H: descriptors=%s\n",
      f->syspath_tail, devnum, f->node, busnum, devnum, f->pid, f->bcd, busnum, devnum,
      hs ? "480" : "12", f->pid, f->bcd, f->serial, f->product, nif, hs ? 64u : 8u, hex->str);
  g_string_free(hex, TRUE);
  return s;
}

/* ---------------------------------------------------------------- helpers */

static void chip_reset_log(fake_chip *f) {
  g_mutex_lock(&f->mu);
  f->nctrl = 0;
  f->claimed = f->released = -1;
  f->disconnects = f->connects = 0;
  f->in_transfers = f->in_multi = f->in_status_only = f->out_bytes = f->in_bytes = 0;
  g_mutex_unlock(&f->mu);
}

static sgpu_device *open_ok(const char *uri) {
  char err[1024] = "";
  sgpu_device *dev = NULL;
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == SGPU_STATUS_SUCCESS, "open %s (%s %s)", uri, ST(st), err);
  return st == SGPU_STATUS_SUCCESS ? dev : NULL;
}

static void open_fails(const char *uri, sgpu_status want, const char *n1, const char *n2) {
  char err[1024] = "";
  sgpu_device *dev = (sgpu_device *)1;
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == want && !dev && strstr(err, n1) && (!n2 || strstr(err, n2)),
        "open %s -> %s naming '%s'%s%s (%s: %s)", uri, ST(want), n1, n2 ? " and " : "",
        n2 ? n2 : "", ST(st), err);
}

/* The recorded vendor requests equal want[0..n). */
static void check_ctrls(fake_chip *f, const ctrl_rec *want, size_t n, const char *what) {
  g_mutex_lock(&f->mu);
  bool ok = f->nctrl == n;
  char got[1024] = "";
  size_t gl = 0;
  for (size_t i = 0; i < f->nctrl && gl < sizeof got - 32; i++) {
    gl += (size_t)snprintf(got + gl, sizeof got - gl, " %02x/%04x/%04x", f->ctrls[i].req,
                           f->ctrls[i].value, f->ctrls[i].index);
    if (i < n && (f->ctrls[i].req != want[i].req || f->ctrls[i].value != want[i].value ||
                  f->ctrls[i].index != want[i].index))
      ok = false;
  }
  g_mutex_unlock(&f->mu);
  char exp[1024] = "";
  size_t el = 0;
  for (size_t i = 0; i < n && el < sizeof exp - 32; i++)
    el += (size_t)snprintf(exp + el, sizeof exp - el, " %02x/%04x/%04x", want[i].req,
                           want[i].value, want[i].index);
  CHECK(ok, "%s %s: vendor requests (bRequest/wValue/wIndex)%s (expected%s)", f->name, what, got,
        exp);
}

/* The open sequence for a baud pair and latency. */
static size_t open_seq(const fake_chip *f, uint16_t bv, uint16_t bi, uint16_t lat, ctrl_rec *out) {
  uint16_t port = f == H ? 2 : 1;
  ctrl_rec seq[] = {{0x00, 0, port}, {0x00, 1, port}, {0x00, 2, port},   {0x0B, 0, port},
                    {0x04, 0x0008, port}, {0x02, 0, port}, {0x03, bv, bi}, {0x09, lat, port}};
  memcpy(out, seq, sizeof seq);
  return sizeof seq / sizeof seq[0];
}

static void lifecycle(sgpu_device *dev, const char *uri, unsigned words) {
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(dev, &p);
  if (!CHECK(st == SGPU_STATUS_SUCCESS, "%s: create_process (%s %s)", uri, ST(st),
             sgpu_last_error(dev)))
    return;
  st = sgpu_map(dev, p, 0x10000, 2);
  CHECK(st == SGPU_STATUS_SUCCESS, "%s: map 2 pages (%s %s)", uri, ST(st), sgpu_last_error(dev));
  uint32_t w[1024], r[1024];
  for (unsigned i = 0; i < words; i++) w[i] = 0xA5000000u ^ (i * 2654435761u);
  memset(r, 0, sizeof r);
  st = sgpu_write(dev, p, 0x10000, w, words * 4u);
  sgpu_status st2 = sgpu_read(dev, p, 0x10000, r, words * 4u);
  CHECK(st == SGPU_STATUS_SUCCESS && st2 == SGPU_STATUS_SUCCESS && !memcmp(w, r, words * 4u),
        "%s: %u words written and read back (%s, %s %s)", uri, words, ST(st), ST(st2),
        sgpu_last_error(dev));
  sgpu_destroy_result res;
  st = sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, &res);
  CHECK(st == SGPU_STATUS_SUCCESS, "%s: destroy_process (%s %s)", uri, ST(st),
        sgpu_last_error(dev));
}

static gint64 ms_since(gint64 t0) { return (g_get_monotonic_time() - t0) / 1000; }

/* ---------------------------------------------------------------- the cases */

static void open_and_lifecycle(fake_chip *f, const char *uri, uint16_t bv, uint16_t bi) {
  chip_reset_log(f);
  sgpu_device *dev = open_ok(uri);
  if (!dev) return;
  g_mutex_lock(&f->mu);
  int claimed = f->claimed, disc = f->disconnects;
  bool bound = f->bound[f->iface];
  g_mutex_unlock(&f->mu);
  CHECK(claimed == f->iface && disc == 1 && !bound,
        "%s: ftdi_sio detached from interface %d and the interface claimed (claimed %d, "
        "disconnects %d)", f->name, f->iface, claimed, disc);
  ctrl_rec seq[8];
  size_t n = open_seq(f, bv, bi, SGPUI_USB_LATENCY_DEFAULT, seq);
  check_ctrls(f, seq, n, "open");
  /* 300 words: MEM bursts of 124 words, answers of about 520 bytes: more than one 512-byte
   * packet on the FT2232H, nine 64-byte packets on the FT231X */
  lifecycle(dev, uri, 300);
  sgpui_link_stats s;
  memset(&s, 0, sizeof s);
  bool have = sgpui_link_dev_stats(dev, &s);
  g_mutex_lock(&f->mu);
  uint64_t multi = f->in_multi, tr = f->in_transfers, so = f->in_status_only, inb = f->in_bytes;
  g_mutex_unlock(&f->mu);
  CHECK(have && s.retries == 0 && s.bad_frames == 0 && s.timeouts == 0 && s.bytes_rx == inb,
        "%s: every frame arrived intact after stripping the status bytes (%llu bytes in, %llu "
        "data bytes from the chip; retries %llu, bad frames %llu, timeouts %llu)",
        f->name, (unsigned long long)s.bytes_rx, (unsigned long long)inb,
        (unsigned long long)s.retries, (unsigned long long)s.bad_frames,
        (unsigned long long)s.timeouts);
  CHECK(multi > 0, "%s: IN transfers of more than one %u-byte packet happened (%llu of %llu; "
        "%llu status-only)", f->name, f->mps, (unsigned long long)multi,
        (unsigned long long)tr, (unsigned long long)so);
  /* The public counters: a clean link, and the engine's counters in the public form. */
  sgpu_link_counters lc;
  if (check_clean_link_counters(dev, uri, 9, &lc))
    CHECK(lc.requests == s.requests && lc.frames_tx == s.transmissions &&
              lc.frames_rx == s.frames_rx && lc.bytes_tx == s.bytes_tx && lc.bytes_rx == s.bytes_rx,
          "%s: sgpu_link_stats gives the engine's counters (%llu requests, %llu frames in, %llu "
          "bytes in)", uri, (unsigned long long)s.requests, (unsigned long long)s.frames_rx,
          (unsigned long long)s.bytes_rx);
  sgpu_close(dev);
  g_mutex_lock(&f->mu);
  int rel = f->released, conn = f->connects;
  bound = f->bound[f->iface];
  g_mutex_unlock(&f->mu);
  CHECK(rel == f->iface && conn == 1 && bound,
        "%s: at close the interface released and ftdi_sio reattached (released %d, connects %d)",
        f->name, rel, conn);
}

/* Baud pairs: opened at each rate, the SET_BAUDRATE request checked raw. */
typedef struct {
  fake_chip *f;
  uint32_t baud;
  uint16_t wvalue, windex;
} baud_case;

static void baud_pairs(void) {
  /* Worked by hand from the encoding in transport_usb.c (d8 = round(8 * base / baud)):
   * FT2232H port B (index 2), 12 MHz base and bit 17 from 1200 baud, 3 MHz below;
   * FT231X, 3 MHz base, bit 16 in wIndex bit 0 (libftdi's layout; Linux would send 0x0100). */
  static const baud_case cases[] = {
      {H, 3000000, 0x0004, 0x0202},  /* d8 32: 4 */
      {H, 12000000, 0x0000, 0x0202}, /* d8 8: divisor 1 is sent as 0 */
      {H, 8000000, 0x0001, 0x0202},  /* d8 12: divisor 1.5 is sent as 1 */
      {H, 115200, 0xC068, 0x0202},   /* d8 833: 104 + 1/8 (code 3) */
      {H, 2232558, 0x0005, 0x0302},  /* d8 43: 5 + 3/8 (code 4: bit 16) */
      {H, 9600, 0x04E2, 0x0202},     /* d8 10000: 1250 */
      {H, 300, 0x2710, 0x0002},      /* below 1200: 3 MHz base, d8 80000: 10000, no bit 17 */
      {X, 3000000, 0x0000, 0x0000},  /* d8 8 */
      {X, 2000000, 0x0001, 0x0000},  /* d8 12 */
      {X, 115200, 0x001A, 0x0000},   /* d8 208: 26 */
      {X, 57600, 0xC034, 0x0000},    /* d8 417: 52 + 1/8 */
      {X, 9600, 0x4138, 0x0000},     /* d8 2500: 312 + 4/8 (code 1) */
      {X, 558140, 0x0005, 0x0001},   /* d8 43: 5 + 3/8 (code 4: bit 16) */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const baud_case *c = &cases[i];
    uint16_t v = 0, x = 0;
    uint32_t actual = 0;
    int r = sgpui_ftdi_baud(c->f == H ? SGPUI_FTDI_2232H : SGPUI_FTDI_231X, c->baud,
                            c->f == H ? 2 : 1, &v, &x, &actual);
    CHECK(r == 0 && v == c->wvalue && x == c->windex,
          "%s %u baud: sgpui_ftdi_baud gives wValue 0x%04x wIndex 0x%04x (got 0x%04x 0x%04x, "
          "%u baud made)", c->f->name, c->baud, c->wvalue, c->windex, v, x, actual);
  }
  /* the same pairs on the wire, at open, for a few of them */
  static const size_t wire[] = {0, 3, 4, 6, 9, 11, 12};
  for (size_t k = 0; k < sizeof wire / sizeof wire[0]; k++) {
    const baud_case *c = &cases[wire[k]];
    char uri[128];
    snprintf(uri, sizeof uri, "usb:0403:%04x@%u?timeout_ms=2000", c->f->pid, c->baud);
    chip_reset_log(c->f);
    sgpu_device *dev = open_ok(uri);
    if (!dev) continue;
    ctrl_rec seq[8];
    size_t n = open_seq(c->f, c->wvalue, c->windex, SGPUI_USB_LATENCY_DEFAULT, seq);
    char what[64];
    snprintf(what, sizeof what, "open at %u baud", c->baud);
    check_ctrls(c->f, seq, n, what);
    sgpu_close(dev);
  }
  /* rates a chip cannot make within 3 % */
  open_fails("usb:0403:6015@4000000", SGPU_STATUS_NOT_FOUND, "FT231X cannot make 4000000 baud",
             "nearest 3000000");
  open_fails("usb:0403:6015@2400000", SGPU_STATUS_NOT_FOUND, "FT231X cannot make 2400000 baud",
             NULL);
  open_fails("usb:0403:6010@10000000", SGPU_STATUS_NOT_FOUND, "FT2232H cannot make 10000000",
             "nearest 8000000");
  open_fails("usb:0403:6010@13000000", SGPU_STATUS_NOT_FOUND, "bad baud rate '13000000'", NULL);
}

static void serial_and_latency(void) {
  sgpu_device *dev = open_ok("usb:0403:6010:ICE0001?latency_ms=16");
  if (dev) {
    lifecycle(dev, "usb:0403:6010:ICE0001", 16);
    sgpu_close(dev);
  }
  g_mutex_lock(&H->mu);
  uint16_t lat = H->latency_ms;
  g_mutex_unlock(&H->mu);
  CHECK(lat == 16, "latency_ms=16 sets the FT2232H's latency timer to 16 ms (SET_LATENCY_TIMER "
        "wValue %u)", lat);
  open_fails("usb:0403:6010:NOPE", SGPU_STATUS_NOT_FOUND, "with serial NOPE",
             "serial 'ICE0001'");
  open_fails("usb:0403:6015:ICE0001", SGPU_STATUS_NOT_FOUND, "0403:6015 with serial ICE0001",
             NULL);
}

static void stops_answering(void) {
  const char *uri = "usb:0403:6015?timeout_ms=150&retries=1";
  sgpu_device *dev = open_ok(uri);
  if (!dev) return;
  g_mutex_lock(&X->mu);
  X->mute = true;
  g_mutex_unlock(&X->mu);
  gint64 t0 = g_get_monotonic_time();
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(dev, &p);
  gint64 took = ms_since(t0);
  CHECK(st == SGPU_STATUS_IO_TIMEOUT && strstr(sgpu_last_error(dev), "usb:0403:6015"),
        "a chip that stops answering: create_process -> STATUS_IO_TIMEOUT after %lld ms, naming "
        "the link (%s: %s)", (long long)took, ST(st), sgpu_last_error(dev));
  g_mutex_lock(&X->mu);
  uint64_t dropped = X->dropped, so = X->in_status_only;
  X->mute = false;
  g_mutex_unlock(&X->mu);
  CHECK(dropped > 0 && so > 0, "meanwhile the chip took the requests (%llu bytes lost) and "
        "answered status-only packets (%llu)", (unsigned long long)dropped,
        (unsigned long long)so);
  uint32_t v = 0;
  st = sgpu_reg_read(dev, 0, &v);
  CHECK(st == SGPU_STATUS_SUCCESS, "once it answers again the link recovers (ID 0x%08x, %s %s)",
        v, ST(st), sgpu_last_error(dev));
  sgpu_close(dev);
}

/* The sgpu CLI, unmodified, as a child (it inherits the preload and the testbed); as_uid:
 * run it as that user (-1: as we are). */
static int run_cli_as(const char *cli, const char *const *args, char *out, size_t cap,
                      int as_uid) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const char *argv[16];
  size_t k = 0;
  argv[k++] = cli;
  for (size_t i = 0; args[i] && k < 15; i++) argv[k++] = args[i];
  argv[k] = NULL;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (as_uid >= 0 && (setgid((gid_t)as_uid) != 0 || setuid((uid_t)as_uid) != 0)) _exit(126);
    execv(cli, (char *const *)argv);
    _exit(127);
  }
  close(fds[1]);
  size_t n = 0;
  for (;;) {
    struct pollfd pf = {fds[0], POLLIN, 0};
    if (poll(&pf, 1, 60000) <= 0) break;
    ssize_t got = read(fds[0], out + n, cap - 1 - n);
    if (got <= 0) break;
    n += (size_t)got;
    if (n + 1 >= cap) break;
  }
  out[n] = '\0';
  close(fds[0]);
  int status = -1;
  waitpid(pid, &status, 0);
  return status;
}

static int run_cli(const char *cli, const char *const *args, char *out, size_t cap) {
  return run_cli_as(cli, args, out, cap, -1);
}

/* chmod -R of the testbed (directories 0777, sockets 0666, files go+r), so that another user
 * can enumerate it, and umockdev's preload can bind its emulated udev monitor socket there and
 * reach the ioctl handlers' sockets. */
static void open_up(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0 || S_ISLNK(sb.st_mode)) return;
  chmod(path, (sb.st_mode & 07777) |
                  (S_ISDIR(sb.st_mode) ? 0777 : S_ISSOCK(sb.st_mode) ? 0666 : 0644));
  if (!S_ISDIR(sb.st_mode)) return;
  GDir *d = g_dir_open(path, 0, NULL);
  for (const char *n; d && (n = g_dir_read_name(d));) {
    char *sub = g_build_filename(path, n, NULL);
    open_up(sub);
    g_free(sub);
  }
  if (d) g_dir_close(d);
}

/* A user without access to the node: the CLI (as nobody) names the node, its mode, owner and
 * the uid. Only when we are root (else we cannot change users). */
static void permission(UMockdevTestbed *tb, const char *cli) {
  if (getuid() != 0) {
    CHECK(true, "permission message: skipped, not root (cannot run the CLI as another user)");
    return;
  }
  char *rootdir = umockdev_testbed_get_root_dir(tb); /* ours to free */
  open_up(rootdir);
  char *node = g_build_filename(rootdir, H->node, NULL);
  int r = chmod(node, 0600);
  const char *a[] = {"--uri", "usb:0403:6010", "info", NULL};
  char out[4096];
  int s = run_cli_as(cli, a, out, sizeof out, 65534);
  CHECK(r == 0 && WIFEXITED(s) && WEXITSTATUS(s) == 1 &&
            strstr(out, "permission denied opening /dev/bus/usb/001/002 (mode 0600, owner uid 0") &&
            strstr(out, "runs as uid 65534") && strstr(out, "udev rule"),
        "as uid 65534 without access to the node: sgpu --uri usb:0403:6010 info names the node, "
        "its mode and owner, the uid and the fix (exit 0x%x) [%s]", (unsigned)s, out);
  chmod(node, 0644);
  g_free(node);
  g_free(rootdir);
}

static void cli_runs(const char *cli) {
  char out[8192], handle[32] = "";
  const char *uri = "usb:0403:6010:ICE0001";
  const char *a1[] = {"--uri", uri, "create-process", NULL};
  int s = run_cli(cli, a1, out, sizeof out);
  const char *h = strstr(out, "0x");
  if (h) snprintf(handle, sizeof handle, "%.10s", h);
  CHECK(s == 0 && h, "sgpu --uri %s create-process: exit 0, a handle (%s) [%s]", uri, handle,
        out);
  const char *a2[] = {"--uri", uri, "map", handle, "0x20000", "3", NULL};
  s = run_cli(cli, a2, out, sizeof out);
  CHECK(s == 0, "sgpu --uri %s map %s 0x20000 3: exit 0 [%s]", uri, handle, out);
  const char *a3[] = {"--uri", uri, "--json", "query", handle, NULL};
  s = run_cli(cli, a3, out, sizeof out);
  CHECK(s == 0 && strstr(out, "\"data_frames\":3"),
        "sgpu --json query %s in another invocation sees the 3 pages [%s]", handle, out);
  const char *a4[] = {"--uri", uri, "destroy-process", handle, NULL};
  s = run_cli(cli, a4, out, sizeof out);
  CHECK(s == 0 && strstr(out, "frames_freed       5"),
        "sgpu --uri %s destroy-process %s: 5 frames freed (3 data, 2 tables) [%s]", uri, handle,
        out);
  const char *a5[] = {"--uri", "usb:0403:6010:NOPE", "info", NULL};
  s = run_cli(cli, a5, out, sizeof out);
  CHECK(WIFEXITED(s) && WEXITSTATUS(s) != 0 && strstr(out, "NOPE"),
        "sgpu --uri usb:0403:6010:NOPE info fails naming the serial [%s]", out);
}

static void unplug(UMockdevTestbed *tb) {
  const char *uri = "usb:0403:6015?timeout_ms=300";
  sgpu_device *dev = open_ok(uri);
  if (!dev) return;
  g_mutex_lock(&X->mu);
  X->unplugged = true;
  g_mutex_unlock(&X->mu);
  gint64 t0 = g_get_monotonic_time();
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(dev, &p);
  gint64 took = ms_since(t0);
  const char *m = sgpu_last_error(dev);
  CHECK(st == SGPU_STATUS_IO_DEVICE_ERROR && strstr(m, "unplugged") &&
            strstr(m, "/dev/bus/usb/001/003"),
        "after an unplug: create_process -> STATUS_IO_DEVICE_ERROR naming the device, in %lld ms "
        "(%s: %s)", (long long)took, ST(st), m);
  sgpu_close(dev);
  umockdev_testbed_remove_device(tb, "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2");
  open_fails("usb:0403:6015", SGPU_STATUS_NOT_FOUND, "no USB device 0403:6015 found",
             "0403:6010 at /dev/bus/usb/001/002");
}

static void bad_uris(void) {
  open_fails("usb:1234:5678", SGPU_STATUS_NOT_FOUND, "no USB device 1234:5678 found", NULL);
  open_fails("usb:0403", SGPU_STATUS_NOT_FOUND, "bad USB id '0403'", NULL);
  open_fails("usb:04g3:6010", SGPU_STATUS_NOT_FOUND, "bad USB id '04g3:6010'", NULL);
  open_fails("usb:", SGPU_STATUS_NOT_FOUND, "names no device", NULL);
  open_fails("usb:0403:6010@fast", SGPU_STATUS_NOT_FOUND, "bad baud rate 'fast'", NULL);
  open_fails("usb:0403:6010?latency_ms=256", SGPU_STATUS_NOT_FOUND, "bad latency_ms '256'", NULL);
  open_fails("usb:0403:6010?speed=9", SGPU_STATUS_NOT_FOUND, "unknown usb option 'speed=9'",
             "latency_ms=N");
}

/* ---------------------------------------------------------------- main */

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "test_usb: FAIL: watchdog: no result within the time limit (a hang)\n";
  ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)w;
  _exit(3);
}

static int open_uart(const char *uri) {
  if (strncmp(uri, "pty:", 4)) return -1;
  int fd = open(uri + 4, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  struct termios t;
  if (fd >= 0 && tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: umockdev-wrapper test_usb SGPU_SIM MODEL SGPU_CLI\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm(WATCHDOG_S);
  /* The chips' far sides first, before the testbed: nothing of theirs goes through umockdev.
   * The reference model's default parameters with a 128-word data window, so that memory
   * bursts are the link's largest (124 words): answers of about 520 bytes, more than one
   * 512-byte packet. */
  setenv("SGPU_MODEL_PARAMS", "8,8,20480,12,8,128", 1);
  sim_child sims[2];
  const char *args[] = {"--model", argv[2], "--pty", NULL};
  for (int i = 0; i < 2; i++) {
    if (!CHECK(sim_child_start_env(&sims[i], argv[1], args, "LD_PRELOAD"),
               "sgpu-sim for the %s starts (%s)", chips[i].name, sims[i].uri))
      return ht_done("test_usb");
    chips[i].sim_fd = open_uart(sims[i].uri);
    CHECK(chips[i].sim_fd >= 0, "the %s's UART side opens %s", chips[i].name, sims[i].uri);
  }
  UMockdevTestbed *tb = umockdev_testbed_new();
  if (!CHECK(umockdev_in_mock_environment(),
             "running under umockdev's preload (umockdev-wrapper or LD_PRELOAD)"))
    return ht_done("test_usb");
  for (int i = 0; i < 2; i++) {
    fake_chip *f = &chips[i];
    g_mutex_init(&f->mu);
    f->bound[0] = f->bound[1] = true; /* ftdi_sio would bind every interface */
    char *desc = describe(f);
    GError *e = NULL;
    bool ok = umockdev_testbed_add_from_string(tb, desc, &e);
    CHECK(ok, "testbed: the %s at %s (%s)", f->name, f->node, e ? e->message : "ok");
    g_free(desc);
    if (e) g_clear_error(&e);
    f->handler = umockdev_ioctl_base_new();
    g_signal_connect(f->handler, "handle-ioctl", G_CALLBACK(on_ioctl), f);
    g_signal_connect(f->handler, "client-vanished", G_CALLBACK(on_vanished), f);
    ok = umockdev_testbed_attach_ioctl(tb, f->node, f->handler, &e);
    CHECK(ok, "testbed: the %s's usbdevfs handler on %s (%s)", f->name, f->node,
          e ? e->message : "ok");
    if (e) g_clear_error(&e);
  }

  open_and_lifecycle(H, "usb:0403:6010", 0x0004, 0x0202);
  open_and_lifecycle(X, "usb:0403:6015", 0x0000, 0x0000);
  baud_pairs();
  serial_and_latency();
  stops_answering();
  cli_runs(argv[3]);
  permission(tb, argv[3]);
  bad_uris();
  unplug(tb);

  for (int i = 0; i < 2; i++) {
    umockdev_testbed_detach_ioctl(tb, chips[i].node, NULL);
    g_object_unref(chips[i].handler);
  }
  g_object_unref(tb);
  for (int i = 0; i < 2; i++) {
    close(chips[i].sim_fd);
    int s = sim_child_stop(&sims[i], SIGTERM, NULL, NULL, 0);
    CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0, "sgpu-sim for the %s exits cleanly (0x%x)",
          chips[i].name, s);
  }
  return ht_done("test_usb");
}
