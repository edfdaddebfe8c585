/* transport_link.c - the byte-link transports `tcp:`, `pty:`, `serial:` (and the session of
 * `usb:`, whose port is transport_usb.c): the wire protocol of docs/protocol.md
 * (host/lib/link_proto.[ch], the request engine) over a byte channel, a file descriptor here.
 *
 *   tcp:HOST:PORT[?OPTIONS]   a TCP connection (HOST a name, an IPv4 address or [IPv6]);
 *                             e.g. sgpu-sim --tcp 0 prints tcp:127.0.0.1:PORT
 *   pty:PATH[?OPTIONS]        a terminal device: a pseudo-terminal (sgpu-sim --pty prints
 *                             pty:/dev/pts/N) or any tty, put in raw mode (termios: 8 bits,
 *                             no echo, no line editing, no flow control, no CR/NL mapping)
 *   serial:PATH[@BAUD][?OPTIONS]  a serial line (/dev/ttyUSB1, /dev/ttyACM0): raw mode as
 *                             pty:, 8N1, hardware flow control off, BAUD (1..12000000,
 *                             default 3000000: the iCEBreaker bridge) set with its Bxxx code,
 *                             or with termios2 BOTHER for a rate Linux does not name
 *                             (serial_baud.c); the driver's rate is read back and one more
 *                             than 3 % off is refused
 *   OPTIONS  timeout_ms=N     an attempt waits at most N ms for its answer (1..600000,
 *                             default SGPUI_LINK_DEFAULT_TIMEOUT_MS = 2000)
 *            retries=N        transmissions of one request after the first (0..100,
 *                             default SGPUI_LINK_DEFAULT_ATTEMPTS - 1 = 7)
 *            admin=off        do not use the ADMIN and MEM requests: admin commands and
 *                             memory go through register batches (REG_BATCH) and CPL_SEQ
 *                             polls, as on the sim transport (for comparisons and tests)
 *            latency_ms=N     usb: only: the FTDI latency timer (transport_usb.c)
 *   options are joined with '&': tcp:127.0.0.1:5555?timeout_ms=200&retries=3
 *
 * At open: connect (tcp; at most timeout_ms) or open the terminal and set raw mode, discarding
 * whatever it held (pty, serial), then PING (the sync of docs/protocol.md section 6) and INFO,
 * which says which protocol version the far end speaks. A version-1 bridge executes every
 * request kind, so this instance has SGPUI_CAP_BATCH (register batches: one REG_BATCH request
 * each, split only when a batch exceeds one frame), SGPUI_CAP_ADMIN (one ADMIN request per
 * admin command) and SGPUI_CAP_MEM (MEM_READ/MEM_WRITE bursts of up to 124 words); admin=off
 * leaves only SGPUI_CAP_BATCH.
 *
 * Errors: a transfer that fails after its retries is STATUS_IO_TIMEOUT (no valid answer,
 * or the bridge's ADMIN_TIMEOUT) or STATUS_IO_DEVICE_ERROR (the connection closed or failed,
 * a malformed answer, the bridge's BUS_ERROR/ADMIN_BUSY), with the URI and the engine's
 * message (the request, its sequence number, what happened) in sgpu_last_error. Every read
 * and write waits at most timeout_ms. Open failures: STATUS_NOT_FOUND when nothing is at the
 * address (no such host or file, connection refused, not a terminal, permission denied:
 * named; a bad or refused baud rate, named), the link statuses when something is there but
 * no sgpu bridge answers.
 *
 * Not thread-safe by itself: libsgpu calls a transport with the device lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "link_port.h"
#include "link_proto.h"
#include "sgpu_internal.h"

#define LINK_MAX_TIMEOUT_MS 600000u
#define LINK_MAX_RETRIES 100u
#define LINK_URI_LEN 512

typedef enum { LINK_TCP, LINK_PTY, LINK_SERIAL, LINK_USB } link_kind;
static const char *const kind_scheme[] = {"tcp", "pty", "serial", "usb"};

/* A file-descriptor port (tcp:, pty:, serial:). */
typedef struct {
  int fd;
  bool is_tcp;
  bool termios_saved;
  struct termios saved; /* pty:, serial: the terminal's settings before open, restored at close */
  uint32_t write_timeout_ms; /* a write waits at most this long (the session's timeout_ms) */
  const char *uri;      /* the session's, for messages */
} fd_port;

/* One open link: the session over its port. */
typedef struct {
  sgpui_link_port port;
  bool admin_off;
  char uri[LINK_URI_LEN]; /* "tcp:127.0.0.1:5555" (without options), for messages */
  sgpui_link_info info;
  sgpui_link_client cl;
} link_ctx;

/* poll() one fd for events, at most timeout_ms in total across EINTR. */
static int wait_fd(int fd, short events, uint32_t timeout_ms, short *revents) {
  uint64_t end = sgpui_now_ms() + timeout_ms;
  for (;;) {
    uint64_t t = sgpui_now_ms();
    int left = t >= end ? 0 : (int)(end - t);
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    *revents = p.revents;
    return r;
  }
}

/* ---------------------------------------------------------------- the channel */

static int ch_write(void *vc, const uint8_t *p, size_t n, char *err, size_t errlen) {
  fd_port *c = vc;
  size_t off = 0;
  while (off < n) {
    short rev = 0;
    int r = wait_fd(c->fd, POLLOUT, c->write_timeout_ms, &rev);
    if (r < 0) {
      sgpui_set_err(err, errlen, "%s: poll: %s", c->uri, strerror(errno));
      return -1;
    }
    if (r == 0) {
      sgpui_set_err(err, errlen, "%s: could not send for %u ms (the far end does not read)", c->uri,
                    c->write_timeout_ms);
      return -1;
    }
    ssize_t w = c->is_tcp ? send(c->fd, p + off, n - off, MSG_NOSIGNAL)
                          : write(c->fd, p + off, n - off);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      sgpui_set_err(err, errlen, "%s: %s: %s%s", c->uri, c->is_tcp ? "send" : "write",
                    strerror(errno),
                    errno == EPIPE || errno == ECONNRESET || errno == EIO
                        ? " (the far end closed the link: did the simulator exit?)"
                        : "");
      return -1;
    }
    off += (size_t)w;
  }
  return 0;
}

static long ch_read(void *vc, uint8_t *p, size_t cap, uint32_t timeout_ms, char *err,
                    size_t errlen) {
  fd_port *c = vc;
  for (;;) {
    short rev = 0;
    int r = wait_fd(c->fd, POLLIN, timeout_ms, &rev);
    if (r < 0) {
      sgpui_set_err(err, errlen, "%s: poll: %s", c->uri, strerror(errno));
      return -1;
    }
    if (r == 0) return 0;
    ssize_t got = read(c->fd, p, cap);
    if (got > 0) return (long)got;
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (got == 0)
      sgpui_set_err(err, errlen, "%s: the far end closed the connection (did the simulator exit?)",
                    c->uri);
    else
      sgpui_set_err(
          err, errlen, "%s: read: %s%s", c->uri, strerror(errno),
          errno == EIO ? " (the far end closed the terminal: did the simulator exit?)" : "");
    return -1;
  }
}

/* ---------------------------------------------------------------- options */

/* What the options of a link URI set. */
typedef struct {
  sgpui_link_cfg cfg;
  bool admin_off;
  uint32_t latency_ms; /* usb: 0 = its default */
} link_opts;

/* Parse "key=value&..." after '?'. */
static sgpu_status parse_options(link_kind kind, const char *arg, const char *q, link_opts *lo,
                                 char *err, size_t errlen) {
  const char *scheme = kind_scheme[kind];
  sgpui_link_cfg *cfg = &lo->cfg;
  bool *admin_off = &lo->admin_off;
  for (const char *o = q; *o;) {
    const char *end = strchr(o, '&');
    size_t olen = end ? (size_t)(end - o) : strlen(o);
    const char *eq = memchr(o, '=', olen);
    size_t klen = eq ? (size_t)(eq - o) : olen;
    const char *v = eq ? eq + 1 : o + olen;
    size_t vlen = eq ? olen - klen - 1 : 0;
    char val[32];
    if (vlen >= sizeof val) vlen = sizeof val - 1; /* a number this long is refused below */
    memcpy(val, v, vlen);
    val[vlen] = '\0';
    bool num_ok = vlen > 0 && strspn(val, "0123456789") == vlen && vlen < 10;
    unsigned long num = num_ok ? strtoul(val, NULL, 10) : 0;
    if (klen == 10 && !strncmp(o, "timeout_ms", 10)) {
      if (!num_ok || num < 1 || num > LINK_MAX_TIMEOUT_MS) {
        sgpui_set_err(err, errlen, "bad timeout_ms '%.*s' in '%s:%s' (1..%u ms)",
                      (int)(olen - klen - (eq ? 1 : 0)), v, scheme, arg, LINK_MAX_TIMEOUT_MS);
        return SGPU_STATUS_NOT_FOUND;
      }
      cfg->timeout_ms = (uint32_t)num;
    } else if (klen == 7 && !strncmp(o, "retries", 7)) {
      if (!num_ok || num > LINK_MAX_RETRIES) {
        sgpui_set_err(err, errlen, "bad retries '%.*s' in '%s:%s' (0..%u)",
                      (int)(olen - klen - (eq ? 1 : 0)), v, scheme, arg, LINK_MAX_RETRIES);
        return SGPU_STATUS_NOT_FOUND;
      }
      cfg->attempts = (uint32_t)num + 1u;
    } else if (klen == 5 && !strncmp(o, "admin", 5)) {
      if (!eq || (strcmp(val, "off") && strcmp(val, "on")) || olen - klen - 1 != strlen(val)) {
        sgpui_set_err(err, errlen, "bad admin '%.*s' in '%s:%s' (on or off)",
                      (int)(olen - klen - (eq ? 1 : 0)), v, scheme, arg);
        return SGPU_STATUS_NOT_FOUND;
      }
      *admin_off = !strcmp(val, "off");
    } else if (kind == LINK_USB && klen == 10 && !strncmp(o, "latency_ms", 10)) {
      if (!num_ok || num < 1 || num > SGPUI_USB_LATENCY_MAX) {
        sgpui_set_err(err, errlen, "bad latency_ms '%.*s' in '%s:%s' (1..%u ms)",
                      (int)(olen - klen - (eq ? 1 : 0)), v, scheme, arg, SGPUI_USB_LATENCY_MAX);
        return SGPU_STATUS_NOT_FOUND;
      }
      lo->latency_ms = (uint32_t)num;
    } else {
      sgpui_set_err(
          err, errlen,
          "unknown %s option '%.*s' in '%s:%s' (known: timeout_ms=N, retries=N, admin=off%s)",
          scheme, (int)olen, o, scheme, arg, kind == LINK_USB ? ", latency_ms=N" : "");
      return SGPU_STATUS_NOT_FOUND;
    }
    o += olen + (end ? 1 : 0);
  }
  return SGPU_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- tcp: connect */

/* "HOST:PORT" or "[V6]:PORT" (n bytes) into host and port. */
static sgpu_status split_host_port(const char *arg, size_t n, char *host, size_t hcap,
                                   char *port, size_t pcap, char *err, size_t errlen) {
  const char *colon;
  size_t hlen;
  const char *h = arg;
  if (n && arg[0] == '[') {
    const char *close = memchr(arg, ']', n);
    if (!close || (size_t)(close - arg) + 1 >= n || close[1] != ':') {
      sgpui_set_err(err, errlen, "bad tcp address '%.*s': expected [IPV6]:PORT", (int)n, arg);
      return SGPU_STATUS_NOT_FOUND;
    }
    h = arg + 1;
    hlen = (size_t)(close - h);
    colon = close + 1;
  } else {
    colon = NULL;
    for (size_t i = 0; i < n; i++)
      if (arg[i] == ':') colon = arg + i; /* the last one */
    if (!colon) {
      sgpui_set_err(err, errlen,
                    "bad tcp address '%.*s': expected HOST:PORT (e.g. tcp:127.0.0.1:5555)", (int)n,
                    arg);
      return SGPU_STATUS_NOT_FOUND;
    }
    hlen = (size_t)(colon - arg);
  }
  size_t plen = n - (size_t)(colon + 1 - arg);
  const char *p = colon + 1;
  unsigned long pn = 0;
  bool ok = plen > 0 && plen < 6 && strspn(p, "0123456789") >= plen;
  if (ok) {
    char tmp[8];
    memcpy(tmp, p, plen);
    tmp[plen] = '\0';
    pn = strtoul(tmp, NULL, 10);
  }
  if (!ok || pn < 1 || pn > 65535) {
    sgpui_set_err(err, errlen, "bad tcp port '%.*s' in '%.*s' (1..65535)", (int)plen, p, (int)n,
                  arg);
    return SGPU_STATUS_NOT_FOUND;
  }
  if (hlen == 0 || hlen >= hcap) {
    sgpui_set_err(err, errlen, "bad tcp host '%.*s' in '%.*s'", (int)hlen, h, (int)n, arg);
    return SGPU_STATUS_NOT_FOUND;
  }
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  snprintf(port, pcap, "%lu", pn);
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status tcp_connect(fd_port *c, const char *host, const char *port,
                               uint32_t timeout_ms, char *err, size_t errlen) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int g = getaddrinfo(host, port, &hints, &res);
  if (g != 0) {
    sgpui_set_err(err, errlen, "%s: cannot resolve host '%s': %s", c->uri, host, gai_strerror(g));
    return SGPU_STATUS_NOT_FOUND;
  }
  int last = 0;
  const char *what = "connect";
  for (struct addrinfo *a = res; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) {
      last = errno;
      what = "socket";
      continue;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int r = connect(fd, a->ai_addr, a->ai_addrlen);
    if (r < 0 && errno == EINPROGRESS) {
      short rev = 0;
      r = wait_fd(fd, POLLOUT, timeout_ms, &rev);
      if (r == 0) {
        close(fd);
        last = ETIMEDOUT;
        what = "connect";
        continue;
      }
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
      if (soerr) {
        errno = soerr;
        r = -1;
      } else {
        r = 0;
      }
    }
    if (r < 0) {
      last = errno;
      what = "connect";
      close(fd);
      continue;
    }
    int one = 1; /* frames are small and one request is in flight: no Nagle delay */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    freeaddrinfo(res);
    return SGPU_STATUS_SUCCESS;
  }
  freeaddrinfo(res);
  sgpui_set_err(err, errlen, "%s: %s: %s%s", c->uri, what, strerror(last),
                last == ECONNREFUSED ? " (nothing listens there: is sgpu-sim running?)"
                : last == ETIMEDOUT  ? " (no answer within timeout_ms)"
                                     : "");
  return SGPU_STATUS_NOT_FOUND;
}

/* ---------------------------------------------------------------- pty: open a terminal */

static sgpu_status tty_open(fd_port *c, const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    struct stat sb;
    if (e == EACCES && stat(path, &sb) == 0)
      sgpui_set_err(err, errlen,
                    "%s: cannot open '%s': %s (mode %04o, owner uid %u, group gid %u; this process "
                    "runs as uid %u)",
                    c->uri, path, strerror(e), (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid,
                    (unsigned)sb.st_gid, (unsigned)getuid());
    else
      sgpui_set_err(err, errlen, "%s: cannot open '%s': %s", c->uri, path, strerror(e));
    return SGPU_STATUS_NOT_FOUND;
  }
  c->fd = fd;
  struct termios t;
  if (!isatty(fd) || tcgetattr(fd, &t) != 0) {
    sgpui_set_err(err, errlen, "%s: '%s' is not a terminal (%s)", c->uri, path, strerror(errno));
    return SGPU_STATUS_NOT_FOUND;
  }
  c->saved = t;
  c->termios_saved = true;
  sgpui_link_termios_raw(&t);   /* bytes in and out as they are */
  if (tcsetattr(fd, TCSANOW, &t) != 0) {
    sgpui_set_err(err, errlen, "%s: cannot set raw mode on '%s': %s", c->uri, path,
                  strerror(errno));
    return SGPU_STATUS_NOT_FOUND;
  }
  /* Whatever an earlier session left unread (late answers) is not ours. */
  tcflush(fd, TCIOFLUSH);
  return SGPU_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- open / close */

static void fd_close(void *p) {
  fd_port *c = p;
  if (c->fd >= 0) {
    if (c->termios_saved) tcsetattr(c->fd, TCSANOW, &c->saved);
    close(c->fd);
  }
  free(c);
}

static void link_close(void *p) {
  link_ctx *c = p;
  if (!c) return;
  if (c->port.ctx) c->port.close(c->port.ctx);
  free(c);
}

static sgpu_status link_status(const link_ctx *c, int e) {
  return sgpui_link_sgpu_status(e, c->cl.last_status);
}

int sgpui_parse_baud(const char *s, size_t n, const char *uri, uint32_t *baud, char *err,
                     size_t errlen) {
  bool ok = n > 0 && n < 10 && strspn(s, "0123456789") >= n;
  unsigned long v = 0;
  if (ok) {
    char tmp[12];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    v = strtoul(tmp, NULL, 10);
  }
  if (!ok || v < 1 || v > SGPUI_BAUD_MAX) {
    sgpui_set_err(err, errlen,
                  "bad baud rate '%.*s' in '%s' (a decimal rate 1..%u after '@', e.g. "
                  "@3000000)",
                  (int)n, s, uri, SGPUI_BAUD_MAX);
    return -1;
  }
  *baud = (uint32_t)v;
  return 0;
}

/* The port of a tcp:, pty: or serial: URI (spec: its first n bytes, no options). */
static sgpu_status fd_port_open(link_kind kind, const char *spec, size_t n, const char *uri,
                                uint32_t timeout_ms, sgpui_link_port *port, char *err,
                                size_t errlen) {
  fd_port *c = calloc(1, sizeof *c);
  if (!c) {
    sgpui_set_err(err, errlen, "host out of memory opening '%s'", uri);
    return SGPU_STATUS_NO_MEMORY;
  }
  c->fd = -1;
  c->is_tcp = kind == LINK_TCP;
  c->write_timeout_ms = timeout_ms;
  c->uri = uri;
  sgpu_status st;
  if (kind == LINK_TCP) {
    char host[256], portno[8];
    st = split_host_port(spec, n, host, sizeof host, portno, sizeof portno, err, errlen);
    if (st == SGPU_STATUS_SUCCESS) st = tcp_connect(c, host, portno, timeout_ms, err, errlen);
  } else {
    /* serial: PATH[@BAUD] (the last '@'); pty: PATH as it is */
    const char *at = NULL;
    if (kind == LINK_SERIAL)
      for (size_t i = 0; i < n; i++)
        if (spec[i] == '@') at = spec + i;
    size_t plen = at ? (size_t)(at - spec) : n;
    uint32_t baud = SGPUI_BAUD_DEFAULT;
    char path[LINK_URI_LEN];
    snprintf(path, sizeof path, "%.*s", (int)plen, spec);
    if (at && sgpui_parse_baud(at + 1, n - plen - 1, uri, &baud, err, errlen) != 0)
      st = SGPU_STATUS_NOT_FOUND;
    else if (plen == 0) {
      sgpui_set_err(err, errlen,
                    "'%s' names no serial device (expected serial:PATH[@BAUD], e.g. "
                    "serial:/dev/ttyUSB1@3000000)",
                    uri);
      st = SGPU_STATUS_NOT_FOUND;
    } else {
      st = tty_open(c, path, err, errlen);
      if (st == SGPU_STATUS_SUCCESS && kind == LINK_SERIAL &&
          sgpui_serial_set_baud(c->fd, baud, uri, err, errlen) != 0)
        st = SGPU_STATUS_NOT_FOUND;
      if (st == SGPU_STATUS_SUCCESS) tcflush(c->fd, TCIOFLUSH); /* after the speed change too */
    }
  }
  if (st != SGPU_STATUS_SUCCESS) {
    fd_close(c);
    return st;
  }
  *port = (sgpui_link_port){c, ch_write, ch_read, fd_close};
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status link_open(link_kind kind, const char *arg, void **out, char *err,
                             size_t errlen) {
  const char *scheme = kind_scheme[kind];
  const char *q = strchr(arg, '?');
  size_t n = q ? (size_t)(q - arg) : strlen(arg);
  link_opts lo;
  memset(&lo, 0, sizeof lo);
  sgpu_status st;
  if (q && (st = parse_options(kind, arg, q + 1, &lo, err, errlen)) != SGPU_STATUS_SUCCESS)
    return st;
  if (n == 0) {
    static const char *const want[] = {
        "address (expected tcp:HOST:PORT)", "terminal (expected pty:PATH, e.g. pty:/dev/pts/3)",
        "serial device (expected serial:PATH[@BAUD], e.g. serial:/dev/ttyUSB1@3000000)",
        "device (expected usb:VID:PID[:SERIAL][@BAUD], e.g. usb:0403:6010)"};
    sgpui_set_err(err, errlen, "'%s:%s' names no %s", scheme, arg, want[kind]);
    return SGPU_STATUS_NOT_FOUND;
  }
  link_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    sgpui_set_err(err, errlen, "host out of memory opening '%s:%s'", scheme, arg);
    return SGPU_STATUS_NO_MEMORY;
  }
  c->admin_off = lo.admin_off;
  if ((size_t)snprintf(c->uri, sizeof c->uri, "%s:%.*s", scheme, (int)n, arg) >= sizeof c->uri) {
    sgpui_set_err(err, errlen, "'%s:%.40s...' is too long (%zu bytes; at most %zu)", scheme, arg, n,
                  LINK_URI_LEN - strlen(scheme) - 2);
    free(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  uint32_t timeout_ms = lo.cfg.timeout_ms ? lo.cfg.timeout_ms : SGPUI_LINK_DEFAULT_TIMEOUT_MS;
  const char *spec = c->uri + strlen(scheme) + 1;
  if (kind == LINK_USB)
    st = sgpui_usb_port_open(spec, n, c->uri, timeout_ms, lo.latency_ms, &c->port, err, errlen);
  else
    st = fd_port_open(kind, spec, n, c->uri, timeout_ms, &c->port, err, errlen);
  if (st != SGPU_STATUS_SUCCESS) {
    link_close(c);
    return st;
  }
  sgpui_link_channel ch = {c->port.ctx, c->port.write, c->port.read};
  /* Any first sequence number will do: the sync PING makes the next one fresh. */
  sgpui_link_client_init(&c->cl, &ch, &lo.cfg, (uint8_t)(sgpui_now_ms() & 0xFFu));
  char why[SGPUI_ERR_LEN];
  int e = sgpui_link_sync(&c->cl, why, sizeof why);
  if (e == SGPUI_LINK_OK) e = sgpui_link_info_get(&c->cl, &c->info, why, sizeof why);
  if (e != SGPUI_LINK_OK) {
    sgpui_set_err(err, errlen, "%s: no sgpu link bridge answered: %s", c->uri, why);
    st = link_status(c, e);
    link_close(c);
    return st;
  }
  if (c->info.link_version != SGPU_LINK_VERSION || c->info.max_payload != SGPU_LINK_MAX_PAYLOAD) {
    sgpui_set_err(
        err, errlen,
        "%s: the bridge speaks link protocol version %u with %u-byte payloads; this libsgpu "
        "speaks version %u with %u-byte payloads",
        c->uri, c->info.link_version, c->info.max_payload, SGPU_LINK_VERSION,
        SGPU_LINK_MAX_PAYLOAD);
    link_close(c);
    return SGPU_STATUS_NOT_FOUND;
  }
  *out = c;
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status tcp_open(const char *arg, void **out, char *err, size_t errlen) {
  return link_open(LINK_TCP, arg, out, err, errlen);
}

static sgpu_status pty_open(const char *arg, void **out, char *err, size_t errlen) {
  return link_open(LINK_PTY, arg, out, err, errlen);
}

static sgpu_status serial_open(const char *arg, void **out, char *err, size_t errlen) {
  return link_open(LINK_SERIAL, arg, out, err, errlen);
}

static sgpu_status usb_open(const char *arg, void **out, char *err, size_t errlen) {
  return link_open(LINK_USB, arg, out, err, errlen);
}

static uint32_t link_ctx_caps(void *p) {
  link_ctx *c = p;
  /* INFO said version 1 (checked at open): every request kind is there. */
  return SGPUI_CAP_BATCH | (c->admin_off ? 0u : SGPUI_CAP_ADMIN | SGPUI_CAP_MEM);
}

/* ---------------------------------------------------------------- register access */

static sgpu_status link_batch(void *p, sgpui_reg_op *ops, size_t n, size_t *done, char *err,
                              size_t errlen) {
  link_ctx *c = p;
  sgpui_link_op small[32], *lo = n <= 32 ? small : malloc(n * sizeof *lo);
  *done = 0;
  if (!lo) {
    sgpui_set_err(err, errlen, "%s: host out of memory for a batch of %zu register accesses",
                  c->uri, n);
    return SGPU_STATUS_NO_MEMORY;
  }
  for (size_t i = 0; i < n; i++)
    lo[i] = (sgpui_link_op){ops[i].addr, ops[i].is_write, ops[i].value};
  char why[SGPUI_ERR_LEN];
  int e = sgpui_link_batch(&c->cl, lo, n, done, why, sizeof why);
  for (size_t i = 0; i < *done; i++)
    if (!ops[i].is_write) ops[i].value = lo[i].value;
  if (lo != small) free(lo);
  if (e == SGPUI_LINK_OK) return SGPU_STATUS_SUCCESS;
  sgpui_set_err(err, errlen, "%s: %s", c->uri, why);
  return link_status(c, e);
}

static sgpu_status link_read32(void *p, uint32_t addr, uint32_t *val, char *err, size_t errlen) {
  return sgpui_batch_read32(link_batch, p, addr, val, err, errlen);
}

static sgpu_status link_write32(void *p, uint32_t addr, uint32_t val, char *err, size_t errlen) {
  return sgpui_batch_write32(link_batch, p, addr, val, err, errlen);
}

/* ---------------------------------------------------------------- admin and memory */

/* A failed ADMIN/MEM request: the status, the message, BUSY noted. */
static sgpu_status native_fail(link_ctx *c, int e, const char *why, sgpui_admin_rs *rs,
                               char *err, size_t errlen) {
  rs->busy = e == SGPUI_LINK_E_REMOTE && c->cl.last_status == SGPU_LINK_ST_ADMIN_BUSY;
  sgpui_set_err(err, errlen, "%s: %s", c->uri, why);
  return link_status(c, e);
}

static sgpu_status link_admin(void *p, const sgpui_admin_rq *rq, sgpui_admin_rs *rs, char *err,
                              size_t errlen) {
  link_ctx *c = p;
  memset(rs, 0, sizeof *rs);
  if (rq->nargs > SGPU_LINK_ADMIN_MAX_ARGS || rq->nres > SGPU_LINK_ADMIN_MAX_RES) {
    sgpui_set_err(err, errlen,
                  "%s: admin opcode 0x%x with %u arguments and %u results does not fit "
                  "an ADMIN request (at most %u and %u)",
                  c->uri, rq->opcode, rq->nargs, rq->nres, SGPU_LINK_ADMIN_MAX_ARGS,
                  SGPU_LINK_ADMIN_MAX_RES);
    return SGPU_STATUS_INVALID_PARAMETER;
  }
  /* The fields as CMD_OP holds them, as the register path writes them (mailbox.c). */
  uint32_t op_mask = (1u << SGPU_CMD_OP_OPCODE_BITS) - 1u;
  uint32_t pol_mask = (1u << SGPU_CMD_OP_POLICY_BITS) - 1u;
  sgpui_link_admin_req lr = {.opcode = (uint8_t)(rq->opcode & op_mask),
                             .policy = (uint8_t)(rq->policy & pol_mask),
                             .nargs = (uint8_t)rq->nargs,
                             .nres = (uint8_t)rq->nres,
                             .flags = rq->phases ? SGPU_LINK_ADMIN_F_PHASES : 0u};
  for (uint32_t i = 0; i < rq->nargs; i++) lr.args[i] = rq->args[i];
  sgpui_link_admin_resp lrs;
  char why[SGPUI_ERR_LEN];
  int e = sgpui_link_admin(&c->cl, &lr, &lrs, why, sizeof why);
  if (e != SGPUI_LINK_OK) return native_fail(c, e, why, rs, err, errlen);
  rs->cpl_status = lrs.cpl_status;
  rs->cpl_seq = lrs.cpl_seq;
  memcpy(rs->res, lrs.res, sizeof rs->res);
  memcpy(rs->phases, lrs.phases, sizeof rs->phases);
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status link_mem(void *p, bool write, uint32_t handle, uint32_t va, uint32_t words,
                            uint32_t *data, sgpui_admin_rs *rs, char *err, size_t errlen) {
  link_ctx *c = p;
  memset(rs, 0, sizeof *rs);
  sgpui_link_mem_resp mr;
  char why[SGPUI_ERR_LEN];
  int e = write ? sgpui_link_mem_write(&c->cl, handle, va, words, data, &mr, why, sizeof why)
                : sgpui_link_mem_read(&c->cl, handle, va, words, data, &mr, why, sizeof why);
  if (e != SGPUI_LINK_OK) return native_fail(c, e, why, rs, err, errlen);
  rs->cpl_status = mr.cpl_status;
  rs->cpl_seq = mr.cpl_seq;
  rs->res[0] = mr.res0;
  return SGPU_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- statistics (tests) */

void sgpui_link_termios_raw(struct termios *t) {
  t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                            IXOFF | IXANY | INPCK);
  t->c_oflag &= ~(tcflag_t)OPOST;
  t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
  t->c_cflag |= CS8 | CREAD | CLOCAL;
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
}

bool sgpui_link_dev_stats(sgpu_device *dev, sgpui_link_stats *out) {
  /* every link-session transport closes with link_close (LINK_SESSION_OPS) */
  if (!dev || dev->tp->close != link_close) return false;
  pthread_mutex_lock(&dev->lock);
  *out = ((link_ctx *)dev->tp_ctx)->cl.stats;
  pthread_mutex_unlock(&dev->lock);
  return true;
}

/* sgpu_link_stats: the engine's counters in the public form. */
static void link_stats(void *p, sgpu_link_counters *o) {
  const sgpui_link_stats *s = &((link_ctx *)p)->cl.stats;
  o->requests = s->requests;
  o->frames_tx = s->transmissions;
  o->frames_rx = s->frames_rx;
  o->bytes_tx = s->bytes_tx;
  o->bytes_rx = s->bytes_rx;
  o->retries = s->retries;
  o->timeouts = s->timeouts;
  o->naks = s->naks;
  o->bad_frames = s->bad_frames;
  o->stale = s->stale;
  o->failures = s->failures;
}

/* The operations of every link-session transport (the tables below), written once so that
 * the tables differ only in scheme, help and open. */
#define LINK_SESSION_OPS                                                                      \
  .caps = SGPUI_CAP_BATCH | SGPUI_CAP_ADMIN | SGPUI_CAP_MEM, .close = link_close,            \
  .read32 = link_read32, .write32 = link_write32, .batch = link_batch,                       \
  .ctx_caps = link_ctx_caps, .admin = link_admin, .mem = link_mem,                           \
  .mem_max_words = SGPU_LINK_MEM_MAX_WORDS, .link_stats = link_stats

const sgpui_transport sgpui_transport_tcp = {
    .scheme = "tcp",
    .help = "tcp:HOST:PORT[?timeout_ms=N&retries=N&admin=off]  wire protocol over TCP "
            "(sgpu-sim --tcp)",
    .open = tcp_open,
    LINK_SESSION_OPS,
};

const sgpui_transport sgpui_transport_pty = {
    .scheme = "pty",
    .help = "pty:PATH[?timeout_ms=N&retries=N&admin=off]  wire protocol over a terminal, raw "
            "mode (sgpu-sim --pty)",
    .open = pty_open,
    LINK_SESSION_OPS,
};

const sgpui_transport sgpui_transport_serial = {
    .scheme = "serial",
    .help = "serial:PATH[@BAUD][?timeout_ms=N&retries=N&admin=off]  wire protocol over a serial "
            "line, raw 8N1, BAUD 1..12000000 (default 3000000), e.g. serial:/dev/ttyUSB1@3000000",
    .open = serial_open,
    LINK_SESSION_OPS,
};

const sgpui_transport sgpui_transport_usb = {
    .scheme = "usb",
    .help = "usb:VID:PID[:SERIAL][@BAUD][?timeout_ms=N&retries=N&admin=off&latency_ms=N]  wire "
            "protocol through an FTDI FT2232H/FT231X by libusb, e.g. usb:0403:6010 (iCEBreaker)",
    .open = usb_open,
    LINK_SESSION_OPS,
};
