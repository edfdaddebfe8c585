/* test_serial.c - the serial: transport (host/lib/transport_link.c, serial_baud.c).
 *
 *   test_serial SGPU_SIM MODEL
 *
 * 1. Baud parsing and mapping, without a line: sgpui_parse_baud accepts 1..12000000 and
 *    refuses the rest naming the value; sgpui_serial_baud_code gives the kernel's Bxxx code
 *    (compared with <asm/termbits.h> here) for the rates Linux names and BOTHER for others.
 * 2. serial: against sgpu-sim's pseudo-terminal (a pty ignores the rate but keeps the
 *    settings, so they can be read back through a second descriptor of the same terminal):
 *    for a standard rate, a non-standard one (BOTHER) and the default 3000000, the line's rate
 *    and flow control while open, a process created, mapped, written, read back and
 *    destroyed through it, the link counters of sgpu_link_stats (every request answered
 *    once, no retry), and the terminal's settings restored at close.
 * 3. Errors: bad rates, no path, a missing device, a file that is not a terminal: each
 *    STATUS_NOT_FOUND naming the value.
 * What a pty cannot show: a driver that refuses or rounds a rate (the readback check of
 * serial_baud.c), real line timing.
 */
#define _GNU_SOURCE
#include <asm/termbits.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include "host_test.h"
#include "link_port.h"
#include "sgpu.h"
#include "link_check.h"
#include <signal.h>
#include <sys/wait.h>

#include "sim_child.h"

#define ST(x) sgpu_status_str(x)

static void baud_units(void) {
  static const struct {
    const char *s;
    uint32_t want; /* 0: refused */
  } cases[] = {{"3000000", 3000000}, {"115200", 115200}, {"1", 1},       {"12000000", 12000000},
               {"12000001", 0},      {"0", 0},           {"", 0},        {"fast", 0},
               {"-9600", 0},         {"96OO", 0},        {"9999999999", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[256] = "";
    uint32_t b = 0;
    int r = sgpui_parse_baud(cases[i].s, strlen(cases[i].s), "serial:/dev/x", &b, err, sizeof err);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "'%s'", cases[i].s);
    if (cases[i].want)
      CHECK(r == 0 && b == cases[i].want, "baud '%s' parses to %u (got %u)", cases[i].s,
            cases[i].want, b);
    else
      CHECK(r != 0 && strstr(err, quoted) && strstr(err, "serial:/dev/x"),
            "baud '%s' is refused naming it (%s)", cases[i].s, err);
  }
  static const struct {
    uint32_t rate;
    unsigned code;
  } codes[] = {{9600, B9600},       {115200, B115200},   {921600, B921600},
               {1000000, B1000000}, {2000000, B2000000}, {3000000, B3000000},
               {4000000, B4000000}};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    unsigned c = 0;
    bool std = sgpui_serial_baud_code(codes[i].rate, &c);
    CHECK(std && c == codes[i].code, "%u baud is the standard code 0%o (got %s 0%o)",
          codes[i].rate, codes[i].code, std ? "standard" : "BOTHER", c);
  }
  static const uint32_t other[] = {250000, 2400000, 12000000, 3000001};
  for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
    unsigned c = 0;
    bool std = sgpui_serial_baud_code(other[i], &c);
    CHECK(!std && c == BOTHER, "%u baud goes through BOTHER (0%o; got 0%o)", other[i], BOTHER,
          c);
  }
}

/* The line's rate and CRTSCTS, read through our own descriptor of the terminal. */
static bool line_state(const char *path, uint32_t *baud, bool *rtscts) {
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct termios2 t;
  bool ok = ioctl(fd, TCGETS2, &t) == 0 && sgpui_serial_get_baud(fd, baud) == 0;
  *rtscts = ok && (t.c_cflag & CRTSCTS);
  close(fd);
  return ok;
}

static void set_rtscts(const char *path) {
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  struct termios2 t;
  if (fd >= 0 && ioctl(fd, TCGETS2, &t) == 0) {
    t.c_cflag |= CRTSCTS;
    ioctl(fd, TCSETS2, &t);
  }
  if (fd >= 0) close(fd);
}

static void lifecycle(sgpu_device *dev, const char *uri) {
  sgpu_process p = 0;
  sgpu_status st = sgpu_create_process(dev, &p);
  CHECK(st == SGPU_STATUS_SUCCESS, "%s: create_process (%s %s)", uri, ST(st),
        sgpu_last_error(dev));
  if (st != SGPU_STATUS_SUCCESS) return;
  st = sgpu_map(dev, p, 0x10000, 2);
  CHECK(st == SGPU_STATUS_SUCCESS, "%s: map 2 pages (%s %s)", uri, ST(st), sgpu_last_error(dev));
  uint32_t w[300], r[300];
  for (unsigned i = 0; i < 300; i++) w[i] = 0x5e000000u + i * 7919u;
  memset(r, 0, sizeof r);
  st = sgpu_write(dev, p, 0x10000, w, sizeof w);
  sgpu_status st2 = sgpu_read(dev, p, 0x10000, r, sizeof r);
  CHECK(st == SGPU_STATUS_SUCCESS && st2 == SGPU_STATUS_SUCCESS && !memcmp(w, r, sizeof w),
        "%s: 300 words written and read back (%s, %s)", uri, ST(st), ST(st2));
  sgpu_destroy_result res;
  st = sgpu_destroy_process(dev, p, SGPU_POLICY_EAGER, &res);
  CHECK(st == SGPU_STATUS_SUCCESS, "%s: destroy_process (%s %s)", uri, ST(st),
        sgpu_last_error(dev));
  /* create, map, 3 MEM_WRITE and 3 MEM_READ bursts, destroy: 9 requests at least */
  sgpu_link_counters lc;
  check_clean_link_counters(dev, uri, 9, &lc);
}

static void against_sim(const char *sim, const char *model) {
  sim_child c;
  const char *args[] = {"--model", model, "--pty", NULL};
  if (!CHECK(sim_child_start(&c, sim, args), "sgpu-sim --model %s --pty starts",
             model))
    return;
  const char *path = c.uri + 4; /* "pty:/dev/pts/N" */
  uint32_t before = 0, during = 0, after = 0;
  bool fc = false;
  bool ok0 = !strncmp(c.uri, "pty:", 4) && line_state(path, &before, &fc);
  CHECK(ok0, "sgpu-sim's terminal %s: %u baud before", path, before);
  static const struct {
    const char *suffix;
    uint32_t want;
  } rates[] = {{"@115200", 115200}, {"@250000", 250000}, {"", 3000000}, {"@2400000", 2400000}};
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
    char uri[600];
    snprintf(uri, sizeof uri, "serial:%.500s%s?timeout_ms=1000", path, rates[i].suffix);
    set_rtscts(path); /* on before: serial: must turn it off */
    char err[1024] = "";
    sgpu_device *dev = NULL;
    sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
    if (!CHECK(st == SGPU_STATUS_SUCCESS, "open %s (%s %s)", uri, ST(st), err)) continue;
    bool ok = line_state(path, &during, &fc);
    CHECK(ok && during == rates[i].want && !fc,
          "%s: the line is at %u baud, no RTS/CTS flow control (read back: %u, crtscts %d)", uri,
          rates[i].want, during, fc);
    lifecycle(dev, uri);
    sgpu_close(dev);
    ok = line_state(path, &after, &fc);
    CHECK(ok && after == before && fc, "%s: the terminal's settings are restored at close "
          "(%u baud, crtscts %d)", uri, after, fc);
  }
  /* bad URIs on a real terminal */
  static const struct {
    const char *suffix, *needle;
  } bad[] = {{"@0", "'0'"}, {"@", "''"}, {"@3M", "'3M'"}, {"@99000000", "'99000000'"},
             {"?parity=even", "parity=even"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char uri[600], err[1024] = "";
    snprintf(uri, sizeof uri, "serial:%.500s%s", path, bad[i].suffix);
    sgpu_device *dev = (sgpu_device *)1;
    sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
    CHECK(st == SGPU_STATUS_NOT_FOUND && !dev && strstr(err, bad[i].needle),
          "open %s -> STATUS_NOT_FOUND naming %s (%s: %s)", uri, bad[i].needle, ST(st), err);
  }
  int s = sim_child_stop(&c, SIGTERM, NULL, NULL, 0);
  CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0, "sgpu-sim exits cleanly (status 0x%x)", s);
}

static void missing(void) {
  static const struct {
    const char *uri, *needle;
  } bad[] = {{"serial:/dev/ttyUSB_sgpu_none@115200", "/dev/ttyUSB_sgpu_none"},
             {"serial:/dev/null", "not a terminal"},
             {"serial:", "names no serial device"},
             {"serial:@115200", "names no serial device"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char err[1024] = "";
    sgpu_device *dev = (sgpu_device *)1;
    sgpu_status st = sgpu_open_ex(bad[i].uri, &dev, err, sizeof err);
    CHECK(st == SGPU_STATUS_NOT_FOUND && !dev && strstr(err, bad[i].needle),
          "open %s -> STATUS_NOT_FOUND naming '%s' (%s: %s)", bad[i].uri, bad[i].needle, ST(st),
          err);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: test_serial SGPU_SIM MODEL\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  baud_units();
  against_sim(argv[1], argv[2]);
  missing();
  return ht_done("test_serial");
}
