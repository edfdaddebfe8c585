/* transport_pcie.c - the `pcie:` transport: the core's register bus as BAR0 of a PCI Express
 * device (a LitePCIe-style bridge in front of the core's Wishbone slave), mapped from sysfs.
 *
 *   pcie:DDDD:BB:DD.F   the device at PCI domain DDDD, bus BB, device DD (00..1f), function F
 *                       (0..7), hex as lspci -D prints it, e.g. pcie:0000:01:00.0
 *
 * At open: /sys/bus/pci/devices/DDDD:BB:DD.F/resource0 is opened read-write (O_SYNC) and its
 * first 1 << SGPU_BUS_ADDR_BITS bytes are mapped shared; register byte offset A of the bus is
 * BAR offset A (1:1). BAR0 smaller than that is refused, naming both sizes; a device whose ID
 * register reads all ones (memory decoding off, a device that does not answer) is refused
 * with the hint to enable it. Accesses are volatile 32-bit loads and stores with a full fence
 * after each (bar_access.h): the order and width a real uncached BAR gives, also when the
 * mapping is ordinary memory.
 *
 * The directory searched is /sys/bus/pci/devices, or $SGPU_PCI_SYSFS when set (for tests and
 * bring-up: a directory holding DDDD:BB:DD.F/resource0 files; documented in sgpu.h and
 * docs/host.md). Errors (STATUS_NOT_FOUND, naming the path and errno): a malformed address, no
 * such device, no resource0, permission denied (with its mode, owner and the process's uid:
 * BAR access needs root or a udev rule), a BAR too small, all ones.
 *
 * Register level only (read32/write32, no native batch, admin or memory hooks): admin commands
 * take libsgpu's mailbox path (register batches and CPL_SEQ polls with short sleeps), memory
 * the data window. An access itself cannot time out in software: a device that stops
 * answering makes the PCIe completion time out in hardware and the read return all ones,
 * which the mailbox's bounded polls then report (STATUS_IO_TIMEOUT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bar_access.h"
#include "sgpu_internal.h"

#define PCI_SYSFS_DEFAULT "/sys/bus/pci/devices"
#define BAR_BYTES (1u << SGPU_BUS_ADDR_BITS)

typedef struct {
  int fd;
  volatile uint32_t *bar;
  size_t len;
  char path[512]; /* .../resource0, for messages */
} pcie_ctx;

/* n hex digits at s (exactly), at most max. */
static bool hexn(const char *s, size_t n, unsigned max, unsigned *v) {
  if (strspn(s, "0123456789abcdefABCDEF") < n) return false;
  unsigned x = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    x = x * 16u + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  *v = x;
  return x <= max;
}

int sgpui_pcie_parse(const char *arg, char *bdf, size_t cap) {
  unsigned dom, bus, dev, fn;
  /* DDDD:BB:DD.F, 12 characters */
  if (strlen(arg) != 12 || arg[4] != ':' || arg[7] != ':' || arg[10] != '.' ||
      !hexn(arg, 4, 0xFFFF, &dom) || !hexn(arg + 5, 2, 0xFF, &bus) ||
      !hexn(arg + 8, 2, 0x1F, &dev) || !hexn(arg + 11, 1, 7, &fn))
    return -1;
  snprintf(bdf, cap, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
  return 0;
}

static void pcie_close(void *p) {
  pcie_ctx *c = p;
  if (!c) return;
  if (c->bar) munmap((void *)c->bar, c->len);
  if (c->fd >= 0) close(c->fd);
  free(c);
}

static sgpu_status pcie_open(const char *arg, void **out, char *err, size_t errlen) {
  char bdf[16];
  if (sgpui_pcie_parse(arg, bdf, sizeof bdf) != 0) {
    sgpui_set_err(
        err, errlen,
        "bad PCI address '%s' in 'pcie:%s' (expected DDDD:BB:DD.F in hex: domain, "
        "bus, device 00..1f, function 0..7, as lspci -D prints it, e.g. pcie:0000:01:00.0)",
        arg, arg);
    return SGPU_STATUS_NOT_FOUND;
  }
  const char *root = getenv("SGPU_PCI_SYSFS");
  if (!root || !*root) root = PCI_SYSFS_DEFAULT;
  pcie_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    sgpui_set_err(err, errlen, "host out of memory opening 'pcie:%s'", arg);
    return SGPU_STATUS_NO_MEMORY;
  }
  c->fd = -1;
  char dir[480];
  snprintf(dir, sizeof dir, "%.400s/%s", root, bdf);
  snprintf(c->path, sizeof c->path, "%s/resource0", dir);
  struct stat sb;
  if (stat(dir, &sb) != 0) {
    sgpui_set_err(err, errlen, "pcie:%s: no PCI device %s (%s: %s)", arg, bdf, dir,
                  strerror(errno));
    pcie_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  c->fd = open(c->path, O_RDWR | O_SYNC | O_CLOEXEC);
  if (c->fd < 0) {
    int e = errno;
    if (e == ENOENT)
      sgpui_set_err(err, errlen, "pcie:%s: the device has no BAR0 (%s: %s)", arg, c->path,
                    strerror(e));
    else if ((e == EACCES || e == EPERM) && stat(c->path, &sb) == 0)
      sgpui_set_err(err, errlen,
                    "pcie:%s: cannot open %s: %s (mode %04o, owner uid %u, group gid %u; "
                    "this process runs as uid %u: mapping a BAR needs root or a udev rule for the "
                    "device)",
                    arg, c->path, strerror(e), (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
                    (unsigned)sb.st_gid, (unsigned)getuid());
    else
      sgpui_set_err(err, errlen, "pcie:%s: cannot open %s: %s", arg, c->path, strerror(e));
    pcie_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  if (fstat(c->fd, &sb) != 0 || (uint64_t)sb.st_size < BAR_BYTES) {
    sgpui_set_err(err, errlen, "pcie:%s: BAR0 is %lld bytes (%s); the sgpu register bus needs %u",
                  arg, (long long)sb.st_size, c->path, BAR_BYTES);
    pcie_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  void *m = mmap(NULL, BAR_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
  if (m == MAP_FAILED) {
    sgpui_set_err(err, errlen, "pcie:%s: cannot map %u bytes of %s: %s", arg, BAR_BYTES, c->path,
                  strerror(errno));
    pcie_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  c->bar = m;
  c->len = BAR_BYTES;
  uint32_t id = sgpui_bar_read32(c->bar, SGPU_REG_ID);
  if (id == 0xFFFFFFFFu) {
    sgpui_set_err(
        err, errlen,
        "pcie:%s: the ID register reads 0xffffffff (%s): the device does not "
        "answer; is its memory decoding on (echo 1 > %s/enable) and the bitstream loaded?",
        arg, c->path, dir);
    pcie_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  *out = c;
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status pcie_read32(void *p, uint32_t addr, uint32_t *val, char *err, size_t errlen) {
  pcie_ctx *c = p;
  if (addr % 4u || addr >= c->len) { /* device.c checks first; this keeps the mapping safe */
    sgpui_set_err(err, errlen, "%s: register read at 0x%x outside the %zu-byte BAR", c->path, addr,
                  c->len);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  *val = sgpui_bar_read32(c->bar, addr);
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status pcie_write32(void *p, uint32_t addr, uint32_t val, char *err, size_t errlen) {
  pcie_ctx *c = p;
  if (addr % 4u || addr >= c->len) {
    sgpui_set_err(err, errlen, "%s: register write at 0x%x outside the %zu-byte BAR", c->path, addr,
                  c->len);
    return SGPU_STATUS_IO_DEVICE_ERROR;
  }
  sgpui_bar_write32(c->bar, addr, val);
  return SGPU_STATUS_SUCCESS;
}

const sgpui_transport sgpui_transport_pcie = {
    .scheme = "pcie",
    .help = "pcie:DDDD:BB:DD.F  BAR0 of a PCI Express device through sysfs resource0 "
            "($SGPU_PCI_SYSFS for another directory), e.g. pcie:0000:01:00.0",
    .caps = 0,
    .open = pcie_open,
    .close = pcie_close,
    .read32 = pcie_read32,
    .write32 = pcie_write32,
};
