/* test_pcie.c - the pcie: transport (host/lib/transport_pcie.c) without a PCIe device.
 *
 *   test_pcie
 *
 * 1. Addresses: DDDD:BB:DD.F parsed exactly (hex, device <= 1f, function <= 7), the rest
 *    refused naming it; a device that is not there (the real /sys/bus/pci/devices) is
 *    STATUS_NOT_FOUND naming the sysfs path.
 * 2. A fake sysfs directory ($SGPU_PCI_SYSFS, as documented) holding DDDD:BB:DD.F/resource0
 *    files: no resource0, a BAR smaller than the register bus, a BAR reading all ones: each
 *    STATUS_NOT_FOUND naming the path and the value.
 * 3. A static register image in resource0 (ID, VERSION, CAPS0..2 of a small device, the mailbox
 *    idle): sgpu_open maps it and reads the device's parameters from it (register offsets 1:1,
 *    little-endian words); a register written through libsgpu is in the file at its offset
 *    (read back with pread, another view of the same pages), a word put in the file with pwrite
 *    is what libsgpu reads next (no caching in the transport); the mailbox resync at open
 *    acknowledged IRQ; an admin command goes the normal mailbox path (CMD_OP and
 *    ADMIN_DOORBELL written at their offsets) and, nothing serving the image, ends in
 *    STATUS_IO_TIMEOUT naming CPL_SEQ after the poll limit; an address beyond the bus is
 *    refused before any access.
 * What a file cannot show: a real BAR's uncached ordering and side effects (read-to-clear,
 * doorbell strobes), PCIe completion timeouts, permission checks (this runs as root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "sgpu.h"
#include "sgpu_internal.h"

#define ST(x) sgpu_status_str(x)
#define BAR_BYTES (1u << SGPU_BUS_ADDR_BITS)

static char root[256];

static void open_fails(const char *uri, const char *n1, const char *n2) {
  char err[1024] = "";
  sgpu_device *dev = (sgpu_device *)1;
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == SGPU_STATUS_NOT_FOUND && !dev && strstr(err, n1) && (!n2 || strstr(err, n2)),
        "open %s -> STATUS_NOT_FOUND naming '%s'%s%s (%s: %s)", uri, n1, n2 ? " and " : "",
        n2 ? n2 : "", ST(st), err);
}

static void addresses(void) {
  static const struct {
    const char *in, *out; /* out NULL: refused */
  } cases[] = {{"0000:01:00.0", "0000:01:00.0"}, {"ABCD:ef:1f.7", "abcd:ef:1f.7"},
               {"0000:01:20.0", NULL},           {"0000:01:00.8", NULL},
               {"0000:01:00", NULL},             {"01:00.0", NULL},
               {"0000:1:00.0", NULL},            {"000g:01:00.0", NULL},
               {"0000:01:00.0x", NULL},          {"", NULL}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char bdf[32] = "";
    int r = sgpui_pcie_parse(cases[i].in, bdf, sizeof bdf);
    if (cases[i].out)
      CHECK(r == 0 && !strcmp(bdf, cases[i].out), "PCI address '%s' parses to %s (got '%s')",
            cases[i].in, cases[i].out, bdf);
    else
      CHECK(r != 0, "PCI address '%s' is refused", cases[i].in);
  }
  open_fails("pcie:0000:01:20.0", "bad PCI address '0000:01:20.0'", "DDDD:BB:DD.F");
  open_fails("pcie:", "bad PCI address ''", NULL);
  unsetenv("SGPU_PCI_SYSFS");
  open_fails("pcie:0000:fe:1f.7", "no PCI device 0000:fe:1f.7",
             "/sys/bus/pci/devices/0000:fe:1f.7");
}

/* root/BDF/resource0 of len bytes, filled with fill, then words[] at their offsets. */
static char *make_bar(const char *bdf, size_t len, uint8_t fill, const uint32_t (*words)[2],
                      size_t nwords) {
  static char path[512];
  char dir[400];
  snprintf(dir, sizeof dir, "%s/%s", root, bdf);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/resource0", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return NULL;
  uint8_t *img = malloc(len ? len : 1);
  memset(img, fill, len);
  for (size_t i = 0; i < nwords; i++)
    for (int b = 0; b < 4; b++) img[words[i][0] + (uint32_t)b] = (uint8_t)(words[i][1] >> (8 * b));
  bool ok = write(fd, img, len) == (ssize_t)len;
  free(img);
  close(fd);
  return ok ? path : NULL;
}

static uint32_t file_word(const char *path, uint32_t off) {
  uint8_t b[4] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (pread(fd, b, 4, off) != 4) memset(b, 0, 4);
    close(fd);
  }
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void file_put(const char *path, uint32_t off, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (pwrite(fd, b, 4, off) != 4) CHECK(false, "pwrite %s", path);
    close(fd);
  }
}

static void fake_sysfs(void) {
  setenv("SGPU_PCI_SYSFS", root, 1);
  char dir[400];
  snprintf(dir, sizeof dir, "%s/0000:02:00.0", root);
  mkdir(dir, 0755);
  open_fails("pcie:0000:02:00.0", "has no BAR0", "0000:02:00.0/resource0");
  CHECK(make_bar("0000:03:00.0", 4096, 0, NULL, 0) != NULL, "a 4 KiB BAR0 file");
  char want[64];
  snprintf(want, sizeof want, "needs %u", BAR_BYTES);
  open_fails("pcie:0000:03:00.0", "BAR0 is 4096 bytes", want);
  CHECK(make_bar("0000:04:00.0", BAR_BYTES, 0xFF, NULL, 0) != NULL, "an all-ones BAR0 file");
  open_fails("pcie:0000:04:00.0", "reads 0xffffffff", "0000:04:00.0/enable");
}

static void register_image(void) {
  uint32_t caps0 = 4u << SGPU_CAPS0_NUM_PROCS_LSB | 4u << SGPU_CAPS0_NUM_QUEUES_LSB |
                   8u << SGPU_CAPS0_TLB_ENTRIES_LSB | 12u << SGPU_CAPS0_PAGE_SHIFT_LSB;
  const uint32_t img[][2] = {{SGPU_REG_ID, SGPU_MAGIC},     {SGPU_REG_VERSION, SGPU_VERSION},
                             {SGPU_REG_CAPS0, caps0},       {SGPU_REG_CAPS1, 96},
                             {SGPU_REG_CAPS2, 64},          {SGPU_REG_ADMIN_STATUS, 0},
                             {SGPU_REG_CPL_SEQ, 0x1234}};
  const char *path = make_bar("0000:05:00.0", BAR_BYTES, 0, img, sizeof img / sizeof img[0]);
  if (!CHECK(path != NULL, "a register image in %s/0000:05:00.0/resource0", root)) return;
  char p[512];
  snprintf(p, sizeof p, "%s", path);
  char err[1024] = "";
  sgpu_device *dev = NULL;
  sgpu_status st = sgpu_open_ex("pcie:0000:05:00.0", &dev, err, sizeof err);
  if (!CHECK(st == SGPU_STATUS_SUCCESS, "open pcie:0000:05:00.0 on the image (%s %s)", ST(st),
             err))
    return;
  sgpu_info info;
  st = sgpu_get_info(dev, &info);
  CHECK(st == SGPU_STATUS_SUCCESS && info.magic == SGPU_MAGIC && info.num_procs == 4 &&
            info.num_queues == 4 && info.tlb_entries == 8 && info.page_shift == 12 &&
            info.num_frames == 96,
        "the device's parameters come from the image (procs %u queues %u tlb %u shift %u frames "
        "%u)", info.num_procs, info.num_queues, info.tlb_entries, info.page_shift,
        info.num_frames);
  CHECK(file_word(p, SGPU_REG_IRQ_ACK) == 1u << SGPU_IRQ_ACK_ACK_LSB,
        "the mailbox resync at open acknowledged IRQ (IRQ_ACK at 0x%x holds 0x%x)",
        SGPU_REG_IRQ_ACK, file_word(p, SGPU_REG_IRQ_ACK));
  st = sgpu_reg_write(dev, SGPU_REG_DRAIN_TIMEOUT, 0xC0FFEE42u);
  CHECK(st == SGPU_STATUS_SUCCESS && file_word(p, SGPU_REG_DRAIN_TIMEOUT) == 0xC0FFEE42u,
        "a register write lands at its offset 0x%x, little-endian (file holds 0x%08x)",
        SGPU_REG_DRAIN_TIMEOUT, file_word(p, SGPU_REG_DRAIN_TIMEOUT));
  uint32_t v = 0;
  file_put(p, SGPU_REG_FRAMES_USED, 0x00ABCDEFu);
  st = sgpu_reg_read(dev, SGPU_REG_FRAMES_USED, &v);
  CHECK(st == SGPU_STATUS_SUCCESS && v == 0x00ABCDEFu,
        "a word changed behind the mapping is what the next read sees (0x%08x)", v);
  file_put(p, SGPU_REG_FRAMES_USED, 0x13572468u);
  st = sgpu_reg_read(dev, SGPU_REG_FRAMES_USED, &v);
  CHECK(st == SGPU_STATUS_SUCCESS && v == 0x13572468u, "and again: nothing cached (0x%08x)", v);
  st = sgpu_reg_read(dev, BAR_BYTES, &v);
  CHECK(st == SGPU_STATUS_INVALID_PARAMETER,
        "a register read at 0x%x (beyond the bus) is refused before any access (%s)", BAR_BYTES,
        ST(st));
  sgpu_set_poll_limit(dev, 40);
  sgpu_process proc = 0;
  st = sgpu_create_process(dev, &proc);
  uint32_t op = file_word(p, SGPU_REG_CMD_OP), bell = file_word(p, SGPU_REG_ADMIN_DOORBELL);
  CHECK(st == SGPU_STATUS_IO_TIMEOUT && strstr(sgpu_last_error(dev), "CPL_SEQ stayed 0x00001234"),
        "an admin command on a device that never completes: STATUS_IO_TIMEOUT after the poll "
        "limit (%s: %s)", ST(st), sgpu_last_error(dev));
  CHECK((op & ((1u << SGPU_CMD_OP_OPCODE_BITS) - 1u)) == SGPU_OP_CREATE_PROCESS && bell == 1,
        "it took the mailbox path: CMD_OP (0x%x) holds CREATE_PROCESS, ADMIN_DOORBELL (0x%x) "
        "was written (0x%x, 0x%x)", SGPU_REG_CMD_OP, SGPU_REG_ADMIN_DOORBELL, op, bell);
  sgpu_close(dev);
}

int main(void) {
  snprintf(root, sizeof root, "%s/sgpu-pcie-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(root)) {
    perror("mkdtemp");
    return 2;
  }
  addresses();
  fake_sysfs();
  register_image();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
  return ht_done("test_pcie");
}
