/* device.c - opening a device by URI, the transport table, the per-device lock and last
 * error, register access, and the admin mailbox every command goes through.
 *
 * Mailbox protocol (docs/semantics.md): write CMD_ARGn, CMD_OP (opcode | policy << 8), ring
 * ADMIN_DOORBELL, poll CPL_SEQ until it advances, read CPL_STATUS and CPL_RESn. CPL_SEQ is
 * remembered between commands (one read less per command); after a timeout it is re-read
 * once the device is no longer BUSY, so a late completion is never taken for the next one.
 * IRQ is not acknowledged: the driver polls, and every bus access counts on slow links.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgpu_internal.h"

/* Every transport libsgpu knows, by URI scheme. Later ones (pty, tcp, serial, usb, pcie)
 * are one more line here and one more transport_*.c. */
static const sgpui_transport *const transports[] = {
    &sgpui_transport_sim,
};
#define NUM_TRANSPORTS (sizeof transports / sizeof transports[0])

/* Completion polling: step the model by 1 cycle between the first polls (so latency is
 * measured to within a cycle or two), then by a step that grows with the wait (about 1/8
 * of the polls made, at most 1024 cycles), keeping long waits cheap in calls. */
uint64_t sgpui_poll_step(uint32_t polls) {
  if (polls < 64) return 1;
  uint64_t s = polls / 8;
  return s > 1024 ? 1024 : s;
}
#define poll_step sgpui_poll_step

/* Pause between polls on a transport that cannot be stepped (real hardware). */
static void poll_pause(void *ctx, const sgpui_transport *tp, uint32_t polls) {
  if (tp->step) {
    tp->step(ctx, poll_step(polls));
  } else if (polls >= 64) {
    struct timespec ts = {0, 10000}; /* 10 us */
    nanosleep(&ts, NULL);
  }
}

void sgpui_poll_pause(sgpu_device *dev, uint32_t polls) { poll_pause(dev->tp_ctx, dev->tp, polls); }

sgpu_status sgpui_now(sgpu_device *dev, uint64_t *cycles) {
  if (dev->tp->cycles) {
    *cycles = dev->tp->cycles(dev->tp_ctx);
    return SGPU_STATUS_SUCCESS;
  }
  return sgpui_cycles(dev, cycles);
}

sgpu_status sgpui_fail(sgpu_device *dev, sgpu_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->last_error, sizeof dev->last_error, fmt, ap);
  va_end(ap);
  return st;
}

static void set_err(char *buf, size_t len, const char *fmt, ...) SGPUI_PRINTF(3, 4);
static void set_err(char *buf, size_t len, const char *fmt, ...) {
  if (!buf || len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

sgpu_status sgpui_rd(sgpu_device *dev, uint32_t addr, uint32_t *val) {
  return dev->tp->read32(dev->tp_ctx, addr, val, dev->last_error, sizeof dev->last_error);
}

sgpu_status sgpui_wr(sgpu_device *dev, uint32_t addr, uint32_t val) {
  return dev->tp->write32(dev->tp_ctx, addr, val, dev->last_error, sizeof dev->last_error);
}

/* CYCLE_HI is sampled when CYCLE_LO is read: LO first. */
sgpu_status sgpui_cycles(sgpu_device *dev, uint64_t *cycles) {
  uint32_t lo, hi;
  sgpu_status st = sgpui_rd(dev, SGPU_REG_CYCLE_LO, &lo);
  if (st == SGPU_STATUS_SUCCESS) st = sgpui_rd(dev, SGPU_REG_CYCLE_HI, &hi);
  if (st == SGPU_STATUS_SUCCESS) *cycles = (uint64_t)hi << 32 | lo;
  return st;
}

/* ---------------------------------------------------------------- admin commands */

typedef struct {
  const char *name;
  uint32_t nargs, nresults;
} op_desc;

static const op_desc ops[SGPU_OP_MAX + 1] = {
#define X(name, code) [code] = {#name, SGPU_OP_##name##_NARGS, SGPU_OP_##name##_NRESULTS},
    SGPU_COMMAND_LIST(X)
#undef X
};

static const uint32_t arg_regs[] = {SGPU_REG_CMD_ARG0, SGPU_REG_CMD_ARG1, SGPU_REG_CMD_ARG2,
                                    SGPU_REG_CMD_ARG3};
static const uint32_t res_regs[] = {SGPU_REG_CPL_RES0, SGPU_REG_CPL_RES1, SGPU_REG_CPL_RES2,
                                    SGPU_REG_CPL_RES3, SGPU_REG_CPL_RES4, SGPU_REG_CPL_RES5};

const char *sgpui_op_name(uint32_t opcode) {
  return opcode <= SGPU_OP_MAX && ops[opcode].name ? ops[opcode].name : "UNKNOWN";
}

static uint32_t field(uint32_t v, uint32_t lsb, uint32_t bits) {
  return bits >= 32 ? v >> lsb : (v >> lsb) & ((1u << bits) - 1u);
}

/* After a timeout: wait until the device is no longer BUSY, then take CPL_SEQ as it is. */
static sgpu_status resync(sgpu_device *dev) {
  uint32_t v;
  sgpu_status st;
  for (uint32_t polls = 0;; polls++) {
    if ((st = sgpui_rd(dev, SGPU_REG_ADMIN_STATUS, &v)) != SGPU_STATUS_SUCCESS) return st;
    if (!field(v, SGPU_ADMIN_STATUS_BUSY_LSB, SGPU_ADMIN_STATUS_BUSY_BITS)) break;
    if (polls >= dev->poll_limit)
      return sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT,
                        "device still BUSY after %u polls (ADMIN_STATUS 0x%08x) from an "
                        "earlier command that timed out",
                        polls, v);
    poll_pause(dev->tp_ctx, dev->tp, polls);
  }
  if ((st = sgpui_rd(dev, SGPU_REG_CPL_SEQ, &dev->cpl_seq)) != SGPU_STATUS_SUCCESS) return st;
  dev->cpl_seq_valid = true;
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpui_admin(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                        const uint32_t *args, uint32_t res[6]) {
  sgpu_status st;
  memset(res, 0, 6 * sizeof *res);
  /* Unknown opcodes are sent as they are (the device answers INVALID_DEVICE_REQUEST). */
  const op_desc *op = opcode <= SGPU_OP_MAX && ops[opcode].name ? &ops[opcode] : NULL;
  uint32_t nargs = op ? op->nargs : 4, nres = op ? op->nresults : 6;
  if (!dev->cpl_seq_valid && (st = resync(dev)) != SGPU_STATUS_SUCCESS) return st;

  for (uint32_t i = 0; i < nargs; i++)
    if ((st = sgpui_wr(dev, arg_regs[i], args[i])) != SGPU_STATUS_SUCCESS) return st;
  uint32_t cmd = (opcode & ((1u << SGPU_CMD_OP_OPCODE_BITS) - 1u)) << SGPU_CMD_OP_OPCODE_LSB |
                 (policy & ((1u << SGPU_CMD_OP_POLICY_BITS) - 1u)) << SGPU_CMD_OP_POLICY_LSB;
  if ((st = sgpui_wr(dev, SGPU_REG_CMD_OP, cmd)) != SGPU_STATUS_SUCCESS) return st;
  if ((st = sgpui_wr(dev, SGPU_REG_ADMIN_DOORBELL, 1)) != SGPU_STATUS_SUCCESS) return st;

  uint32_t seq = dev->cpl_seq;
  for (uint32_t polls = 0;; polls++) {
    if ((st = sgpui_rd(dev, SGPU_REG_CPL_SEQ, &seq)) != SGPU_STATUS_SUCCESS) return st;
    if (seq != dev->cpl_seq) break;
    if (polls >= dev->poll_limit) {
      dev->cpl_seq_valid = false;
      return sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT,
                        "%s: no completion after %u polls (CPL_SEQ stayed 0x%08x)",
                        sgpui_op_name(opcode), polls, seq);
    }
    poll_pause(dev->tp_ctx, dev->tp, polls);
  }
  if (seq != dev->cpl_seq + 1u) {
    dev->cpl_seq_valid = false;
    return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                      "%s: CPL_SEQ jumped from 0x%08x to 0x%08x (another agent on the "
                      "admin mailbox?)",
                      sgpui_op_name(opcode), dev->cpl_seq, seq);
  }
  dev->cpl_seq = seq;

  uint32_t cpl;
  if ((st = sgpui_rd(dev, SGPU_REG_CPL_STATUS, &cpl)) != SGPU_STATUS_SUCCESS) return st;
  for (uint32_t i = 0; i < nres; i++)
    if ((st = sgpui_rd(dev, res_regs[i], &res[i])) != SGPU_STATUS_SUCCESS) return st;
  if (cpl != SGPU_STATUS_SUCCESS) {
    char a[96] = "";
    for (uint32_t i = 0, n = 0; i < nargs && n < sizeof a; i++)
      n += (uint32_t)snprintf(a + n, sizeof a - n, "%s0x%x", i ? ", " : "", args[i]);
    if (policy)
      return sgpui_fail(dev, cpl, "%s(%s) policy %u: device returned %s (0x%08X)",
                        sgpui_op_name(opcode), a, policy, sgpu_status_str(cpl), cpl);
    return sgpui_fail(dev, cpl, "%s(%s): device returned %s (0x%08X)", sgpui_op_name(opcode),
                      a, sgpu_status_str(cpl), cpl);
  }
  return SGPU_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- open / close */

static sgpu_status read_info(sgpu_device *dev, sgpu_info *info) {
  uint32_t caps0, caps1;
  sgpu_status st;
  if ((st = sgpui_rd(dev, SGPU_REG_ID, &info->magic)) != SGPU_STATUS_SUCCESS ||
      (st = sgpui_rd(dev, SGPU_REG_VERSION, &info->version)) != SGPU_STATUS_SUCCESS ||
      (st = sgpui_rd(dev, SGPU_REG_CAPS0, &caps0)) != SGPU_STATUS_SUCCESS ||
      (st = sgpui_rd(dev, SGPU_REG_CAPS1, &caps1)) != SGPU_STATUS_SUCCESS)
    return st;
  info->num_procs = field(caps0, SGPU_CAPS0_NUM_PROCS_LSB, SGPU_CAPS0_NUM_PROCS_BITS);
  info->num_queues = field(caps0, SGPU_CAPS0_NUM_QUEUES_LSB, SGPU_CAPS0_NUM_QUEUES_BITS);
  info->tlb_entries = field(caps0, SGPU_CAPS0_TLB_ENTRIES_LSB, SGPU_CAPS0_TLB_ENTRIES_BITS);
  info->page_shift = field(caps0, SGPU_CAPS0_PAGE_SHIFT_LSB, SGPU_CAPS0_PAGE_SHIFT_BITS);
  info->num_frames = caps1;
  return SGPU_STATUS_SUCCESS;
}

static void destroy_device(sgpu_device *dev) {
  if (dev->tp && dev->tp_ctx) dev->tp->close(dev->tp_ctx);
  sgpui_book_free_all(dev);
  free(dev->reclaims);
  pthread_mutex_destroy(&dev->lock);
  free(dev);
}

sgpu_status sgpu_open_ex(const char *uri, sgpu_device **out, char *errbuf, size_t errlen) {
  if (errbuf && errlen) errbuf[0] = '\0';
  if (!out) {
    set_err(errbuf, errlen, "sgpu_open: the device out pointer is NULL");
    return SGPU_STATUS_INVALID_PARAMETER;
  }
  *out = NULL;
  if (!uri || !*uri) uri = "sim:";
  const char *colon = strchr(uri, ':');
  if (!colon) {
    set_err(errbuf, errlen, "bad device URI '%s': no scheme (expected SCHEME:..., e.g. sim:)",
            uri);
    return SGPU_STATUS_NOT_FOUND;
  }
  size_t slen = (size_t)(colon - uri);
  const sgpui_transport *tp = NULL;
  for (size_t i = 0; i < NUM_TRANSPORTS; i++)
    if (strlen(transports[i]->scheme) == slen && !strncmp(transports[i]->scheme, uri, slen))
      tp = transports[i];
  if (!tp) {
    char known[128] = "";
    for (size_t i = 0, n = 0; i < NUM_TRANSPORTS && n < sizeof known; i++)
      n += (size_t)snprintf(known + n, sizeof known - n, "%s%s:", i ? ", " : "",
                            transports[i]->scheme);
    set_err(errbuf, errlen, "unknown URI scheme '%.*s' in '%s' (known: %s)", (int)slen, uri,
            uri, known);
    return SGPU_STATUS_NOT_FOUND;
  }

  sgpu_device *dev = calloc(1, sizeof *dev);
  if (!dev) {
    set_err(errbuf, errlen, "host out of memory opening '%s'", uri);
    return SGPU_STATUS_NO_MEMORY;
  }
  if (pthread_mutex_init(&dev->lock, NULL) != 0) {
    free(dev);
    set_err(errbuf, errlen, "cannot create the device lock for '%s'", uri);
    return SGPU_STATUS_INSUFFICIENT_RESOURCES;
  }
  dev->poll_limit = SGPU_DEFAULT_POLL_LIMIT;
  sgpu_status st = tp->open(colon + 1, &dev->tp_ctx, dev->last_error, sizeof dev->last_error);
  if (st == SGPU_STATUS_SUCCESS) {
    dev->tp = tp;
    st = read_info(dev, &dev->info);
  }
  if (st == SGPU_STATUS_SUCCESS && dev->info.magic != SGPU_MAGIC)
    st = sgpui_fail(dev, SGPU_STATUS_NOT_FOUND,
                    "no sgpu at '%s': ID register reads 0x%08x, expected 0x%08x", uri,
                    dev->info.magic, SGPU_MAGIC);
  if (st == SGPU_STATUS_SUCCESS && dev->info.version >> 16 != SGPU_VERSION >> 16)
    st = sgpui_fail(dev, SGPU_STATUS_NOT_FOUND,
                    "sgpu at '%s' has register-map version 0x%08x; this libsgpu drives major "
                    "version %u (0x%08x)",
                    uri, dev->info.version, SGPU_VERSION >> 16, SGPU_VERSION);
  if (st == SGPU_STATUS_SUCCESS && (dev->info.page_shift < 4 || dev->info.page_shift > 24))
    st = sgpui_fail(dev, SGPU_STATUS_NOT_FOUND,
                    "sgpu at '%s' reports page shift %u (CAPS0.PAGE_SHIFT), outside 4..24", uri,
                    dev->info.page_shift);
  if (st == SGPU_STATUS_SUCCESS) st = resync(dev);
  if (st == SGPU_STATUS_SUCCESS &&
      !(dev->reclaims = calloc(dev->info.num_procs ? dev->info.num_procs : 1,
                               sizeof *dev->reclaims)))
    st = sgpui_fail(dev, SGPU_STATUS_NO_MEMORY, "host out of memory opening '%s'", uri);
  if (st != SGPU_STATUS_SUCCESS) {
    set_err(errbuf, errlen, "%s", dev->last_error);
    destroy_device(dev);
    return st;
  }
  *out = dev;
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpu_open(const char *uri, sgpu_device **dev) {
  return sgpu_open_ex(uri, dev, NULL, 0);
}

void sgpu_close(sgpu_device *dev) {
  if (dev) destroy_device(dev);
}

const char *sgpu_last_error(sgpu_device *dev) { return dev ? dev->last_error : ""; }

void sgpu_set_poll_limit(sgpu_device *dev, uint32_t polls) {
  if (!dev) return;
  pthread_mutex_lock(&dev->lock);
  dev->poll_limit = polls ? polls : SGPU_DEFAULT_POLL_LIMIT;
  pthread_mutex_unlock(&dev->lock);
}

/* ---------------------------------------------------------------- device-wide calls */

sgpu_status sgpu_get_info(sgpu_device *dev, sgpu_info *info) {
  if (!dev || !info) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = read_info(dev, info);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_read_cycles(sgpu_device *dev, uint64_t *cycles) {
  if (!dev || !cycles) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = sgpui_cycles(dev, cycles);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_reg_read(sgpu_device *dev, uint32_t addr, uint32_t *val) {
  if (!dev || !val) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = addr % 4 ? sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                         "register address 0x%x is not 4-byte aligned", addr)
                            : sgpui_rd(dev, addr, val);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_reg_write(sgpu_device *dev, uint32_t addr, uint32_t val) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = addr % 4 ? sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                         "register address 0x%x is not 4-byte aligned", addr)
                            : sgpui_wr(dev, addr, val);
  /* A raw write may have been to the mailbox: do not trust the remembered CPL_SEQ. */
  dev->cpl_seq_valid = false;
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_wait_clean(sgpu_device *dev, uint64_t timeout_cycles) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st;
  uint64_t start, now;
  uint32_t dirty = 0, pending = 0;
  const sgpui_transport *tp = dev->tp;
  st = sgpui_now(dev, &start);
  for (uint32_t polls = 0; st == SGPU_STATUS_SUCCESS; polls++) {
    if ((st = sgpui_rd(dev, SGPU_REG_FRAMES_DIRTY, &dirty)) != SGPU_STATUS_SUCCESS) break;
    /* A DEFERRED destroy's frames reach the dirty list when the reclaimer runs: done only
     * when nothing is dirty and no reclaim is pending either. */
    if (dirty == 0 &&
        (st = sgpui_rd(dev, SGPU_REG_RECLAIM_PENDING, &pending)) != SGPU_STATUS_SUCCESS)
      break;
    if (sgpui_reclaim_pending(dev) && (st = sgpui_reclaim_poll(dev, NULL)) != SGPU_STATUS_SUCCESS)
      break;
    if (dirty == 0 && pending == 0) break;
    if ((st = sgpui_now(dev, &now)) != SGPU_STATUS_SUCCESS) break;
    if (now - start >= timeout_cycles || polls >= dev->poll_limit) {
      st = sgpui_fail(dev, SGPU_STATUS_IO_TIMEOUT,
                      "wait_clean: %u frames still dirty, %u reclaims pending after %llu cycles "
                      "(limit %llu cycles, %u polls)",
                      dirty, pending, (unsigned long long)(now - start),
                      (unsigned long long)timeout_cycles, polls);
      break;
    }
    if (tp->step) {
      uint64_t s = poll_step(polls), left = timeout_cycles - (now - start);
      tp->step(dev->tp_ctx, s < left ? s : left);
    } else {
      poll_pause(dev->tp_ctx, tp, polls);
    }
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}
