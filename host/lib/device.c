/* device.c - opening a device by URI, the transport table, the per-device lock and last
 * error, register access (single and batched, range-checked), and the device-wide calls.
 * The admin mailbox is mailbox.c, the wait routine wait.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgpu_internal.h"

/* Every transport libsgpu knows, by URI scheme. Later ones (serial, usb, pcie) are one more
 * line here and one more transport_*.c. */
static const sgpui_transport *const transports[] = {
    &sgpui_transport_sim,
    &sgpui_transport_tcp,
    &sgpui_transport_pty,
    &sgpui_transport_serial,
    &sgpui_transport_usb,
    &sgpui_transport_pcie,
    &sgpui_transport_shm, /* transport_shm.c */
};
#define NUM_TRANSPORTS (sizeof transports / sizeof transports[0])

sgpu_status sgpui_now(sgpu_device *dev, uint64_t *cycles) {
  if (sgpui_has(dev, SGPUI_CAP_CYCLES)) {
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

void sgpui_set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* The register bus is SGPU_BUS_ADDR_BITS wide: an address beyond it would be truncated by
 * the device (and alias a real register), so it never leaves the host. */
static sgpu_status check_addr(sgpu_device *dev, uint32_t addr, bool write) {
  if (SGPU_BUS_ADDR_BITS < 32 && addr >> SGPU_BUS_ADDR_BITS)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "register %s at 0x%x: beyond the %u-bit register bus (addresses "
                      "0x0..0x%x); nothing sent",
                      write ? "write" : "read", addr, SGPU_BUS_ADDR_BITS,
                      (uint32_t)((1ull << SGPU_BUS_ADDR_BITS) - 1u));
  if (addr % 4)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "register address 0x%x is not 4-byte aligned", addr);
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpui_batch(sgpu_device *dev, sgpui_reg_op *ops, size_t n) {
  sgpu_status st;
  for (size_t i = 0; i < n; i++)
    if ((st = check_addr(dev, ops[i].addr, ops[i].is_write)) != SGPU_STATUS_SUCCESS) return st;
  size_t done = 0;
  char why[SGPUI_ERR_LEN] = "";
  if (sgpui_has(dev, SGPUI_CAP_BATCH)) {
    st = dev->tp->batch(dev->tp_ctx, ops, n, &done, why, sizeof why);
  } else {
    st = SGPU_STATUS_SUCCESS;
    for (; done < n; done++) {
      sgpui_reg_op *o = &ops[done];
      st = o->is_write ? dev->tp->write32(dev->tp_ctx, o->addr, o->value, why, sizeof why)
                       : dev->tp->read32(dev->tp_ctx, o->addr, &o->value, why, sizeof why);
      if (st != SGPU_STATUS_SUCCESS) break;
    }
  }
  if (st == SGPU_STATUS_SUCCESS) return st;
  if (n == 1) return sgpui_fail(dev, st, "%s", why);
  if (done >= n) done = n - 1;
  return sgpui_fail(dev, st, "register batch entry %zu of %zu (%s 0x%03x) failed: %s", done, n,
                    ops[done].is_write ? "write" : "read", ops[done].addr, why);
}

sgpu_status sgpui_batch_read32(sgpui_batch_fn *batch, void *ctx, uint32_t addr, uint32_t *val,
                               char *err, size_t errlen) {
  sgpui_reg_op op = {addr, 0, 0};
  size_t done;
  sgpu_status st = batch(ctx, &op, 1, &done, err, errlen);
  if (st == SGPU_STATUS_SUCCESS) *val = op.value;
  return st;
}

sgpu_status sgpui_batch_write32(sgpui_batch_fn *batch, void *ctx, uint32_t addr, uint32_t val,
                                char *err, size_t errlen) {
  sgpui_reg_op op = {addr, 1, val};
  size_t done;
  return batch(ctx, &op, 1, &done, err, errlen);
}

sgpu_status sgpui_rd(sgpu_device *dev, uint32_t addr, uint32_t *val) {
  sgpui_reg_op op = {addr, 0, 0};
  sgpu_status st = sgpui_batch(dev, &op, 1);
  if (st == SGPU_STATUS_SUCCESS) *val = op.value;
  return st;
}

sgpu_status sgpui_wr(sgpu_device *dev, uint32_t addr, uint32_t val) {
  sgpui_reg_op op = {addr, 1, val};
  return sgpui_batch(dev, &op, 1);
}

/* CYCLE_HI is sampled when CYCLE_LO is read: LO first. */
sgpu_status sgpui_cycles(sgpu_device *dev, uint64_t *cycles) {
  sgpui_reg_op b[2] = {{SGPU_REG_CYCLE_LO, 0, 0}, {SGPU_REG_CYCLE_HI, 0, 0}};
  sgpu_status st = sgpui_batch(dev, b, 2);
  if (st == SGPU_STATUS_SUCCESS) *cycles = (uint64_t)b[1].value << 32 | b[0].value;
  return st;
}

/* ---------------------------------------------------------------- open / close */

static sgpu_status read_info(sgpu_device *dev, sgpu_info *info) {
  sgpui_reg_op b[5] = {{SGPU_REG_ID, 0, 0},    {SGPU_REG_VERSION, 0, 0}, {SGPU_REG_CAPS0, 0, 0},
                       {SGPU_REG_CAPS1, 0, 0}, {SGPU_REG_CAPS2, 0, 0}};
  sgpu_status st = sgpui_batch(dev, b, 5);
  if (st != SGPU_STATUS_SUCCESS) return st;
  dev->data_words = sgpui_field(b[4].value, SGPU_CAPS2_DATA_WORDS_LSB, SGPU_CAPS2_DATA_WORDS_BITS);
  uint32_t caps0 = b[2].value;
  info->magic = b[0].value;
  info->version = b[1].value;
  info->num_procs = sgpui_field(caps0, SGPU_CAPS0_NUM_PROCS_LSB, SGPU_CAPS0_NUM_PROCS_BITS);
  info->num_queues = sgpui_field(caps0, SGPU_CAPS0_NUM_QUEUES_LSB, SGPU_CAPS0_NUM_QUEUES_BITS);
  info->tlb_entries = sgpui_field(caps0, SGPU_CAPS0_TLB_ENTRIES_LSB, SGPU_CAPS0_TLB_ENTRIES_BITS);
  info->page_shift = sgpui_field(caps0, SGPU_CAPS0_PAGE_SHIFT_LSB, SGPU_CAPS0_PAGE_SHIFT_BITS);
  info->num_frames = b[3].value;
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
    sgpui_set_err(errbuf, errlen, "sgpu_open: the device out pointer is NULL");
    return SGPU_STATUS_INVALID_PARAMETER;
  }
  *out = NULL;
  if (!uri || !*uri) uri = "sim:";
  const char *colon = strchr(uri, ':');
  if (!colon) {
    sgpui_set_err(errbuf, errlen, "bad device URI '%s': no scheme (expected SCHEME:..., e.g. sim:)",
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
    sgpui_set_err(errbuf, errlen, "unknown URI scheme '%.*s' in '%s' (known: %s)", (int)slen, uri,
                  uri, known);
    return SGPU_STATUS_NOT_FOUND;
  }

  sgpu_device *dev = calloc(1, sizeof *dev);
  if (!dev) {
    sgpui_set_err(errbuf, errlen, "host out of memory opening '%s'", uri);
    return SGPU_STATUS_NO_MEMORY;
  }
  if (pthread_mutex_init(&dev->lock, NULL) != 0) {
    free(dev);
    sgpui_set_err(errbuf, errlen, "cannot create the device lock for '%s'", uri);
    return SGPU_STATUS_INSUFFICIENT_RESOURCES;
  }
  dev->poll_limit = SGPU_DEFAULT_POLL_LIMIT;
  sgpu_status st = tp->open(colon + 1, &dev->tp_ctx, dev->last_error, sizeof dev->last_error);
  if (st == SGPU_STATUS_SUCCESS) {
    dev->tp = tp;
    dev->caps = tp->ctx_caps ? tp->ctx_caps(dev->tp_ctx) & tp->caps : tp->caps;
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
  if (st == SGPU_STATUS_SUCCESS &&
      (dev->data_words == 0 || dev->data_words > SGPU_DATA_SIZE / 4))
    st = sgpui_fail(dev, SGPU_STATUS_NOT_FOUND,
                    "sgpu at '%s' reports a data window of %u words (CAPS2.DATA_WORDS), outside "
                    "1..%u",
                    uri, dev->data_words, SGPU_DATA_SIZE / 4);
  if (st == SGPU_STATUS_SUCCESS) st = sgpui_mailbox_resync(dev);
  if (st == SGPU_STATUS_SUCCESS &&
      !(dev->reclaims = calloc(dev->info.num_procs ? dev->info.num_procs : 1,
                               sizeof *dev->reclaims)))
    st = sgpui_fail(dev, SGPU_STATUS_NO_MEMORY, "host out of memory opening '%s'", uri);
  if (st != SGPU_STATUS_SUCCESS) {
    sgpui_set_err(errbuf, errlen, "%s", dev->last_error);
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
  sgpu_status st = sgpui_rd(dev, addr, val); /* *val is written only on success */
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_reg_write(sgpu_device *dev, uint32_t addr, uint32_t val) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = sgpui_wr(dev, addr, val);
  /* A raw write may have been to the mailbox: do not trust the remembered CPL_SEQ. */
  if (st != SGPU_STATUS_INVALID_PARAMETER) dev->cpl_seq_valid = false;
  pthread_mutex_unlock(&dev->lock);
  return st;
}

/* sgpu_wait_clean: FRAMES_DIRTY and RECLAIM_PENDING read together at every poll. */
typedef struct {
  uint32_t dirty, pending;
} clean_state;

static sgpu_status clean_cond(sgpu_device *dev, sgpui_wait *w, bool *done) {
  clean_state *c = w->arg;
  sgpui_reg_op b[2] = {{SGPU_REG_FRAMES_DIRTY, 0, 0}, {SGPU_REG_RECLAIM_PENDING, 0, 0}};
  sgpu_status st = sgpui_batch(dev, b, 2);
  if (st != SGPU_STATUS_SUCCESS) return st;
  c->dirty = b[0].value;
  c->pending = b[1].value;
  if (sgpui_reclaim_pending(dev) && (st = sgpui_reclaim_poll(dev, NULL)) != SGPU_STATUS_SUCCESS)
    return st;
  /* A DEFERRED destroy's frames reach the dirty list when the reclaimer runs: done only when
   * nothing is dirty and no reclaim is pending either. */
  *done = c->dirty == 0 && c->pending == 0;
  return SGPU_STATUS_SUCCESS;
}

static void clean_describe(const sgpui_wait *w, char *buf, size_t len) {
  const clean_state *c = w->arg;
  snprintf(buf, len, "%u frames still dirty, %u reclaims pending", c->dirty, c->pending);
}

sgpu_status sgpu_wait_clean(sgpu_device *dev, uint64_t timeout_cycles) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  clean_state c = {0, 0};
  sgpui_wait w = {.what = "wait_clean", .cond = clean_cond, .describe = clean_describe,
                  .arg = &c,
                  .timeout_cycles = timeout_cycles == SGPUI_WAIT_POLLS_ONLY ? timeout_cycles - 1
                                                                            : timeout_cycles};
  sgpu_status st = sgpui_wait_for(dev, &w);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_link_stats(sgpu_device *dev, sgpu_link_counters *out) {
  if (!dev || !out) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = SGPU_STATUS_SUCCESS;
  if (dev->tp->link_stats) {
    memset(out, 0, sizeof *out);
    dev->tp->link_stats(dev->tp_ctx, out);
  } else {
    st = sgpui_fail(dev, SGPU_STATUS_INVALID_DEVICE_REQUEST,
                    "link_stats: the %s: transport has no link to count", dev->tp->scheme);
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}
