/* memory.c - GPU virtual memory: MAP/UNMAP (recorded in the process's book for host-driven
 * teardown) and reads and writes by virtual address through the device's data window.
 *
 * A transfer is split into chunks of at most the window's size (dev->data_words, CAPS2 at
 * open), and on a transport with native memory bursts (SGPUI_CAP_MEM, the byte links) of at
 * most its burst (mem_max_words). With SGPUI_CAP_MEM a chunk is one exchange (one MEM_READ or
 * MEM_WRITE request frame and its response: data, the admin command and its completion).
 * Otherwise a chunk costs one admin command plus its data words as one register batch: a
 * write fills window words 0..n-1 (a batch) then runs MEM_WRITE(proc, va, n); a read runs
 * MEM_READ(proc, va, n) then reads window words 0..n-1 (a batch). The device checks the
 * chunk's pages before it moves anything, so each chunk is all or nothing
 * (docs/semantics.md). */
#include <stdlib.h>
#include <string.h>

#include "sgpu_internal.h"

/* MAP or UNMAP: the device checks the fields (alignment, range, conflicts); the book records
 * what it accepted, in pages. */
static sgpu_status map_unmap(sgpu_device *dev, uint32_t op, sgpu_process proc, uint32_t va,
                             uint32_t pages) {
  pthread_mutex_lock(&dev->lock);
  sgpui_proc_book *b;
  uint32_t res[6], args[3] = {proc, va, pages};
  sgpu_status st = sgpui_book_prepare(dev, proc, &b);
  if (st == SGPU_STATUS_SUCCESS) {
    st = sgpui_admin(dev, op, 0, args, res);
    uint32_t vpn = va >> dev->info.page_shift;
    if (st == SGPU_STATUS_SUCCESS && b && op == SGPU_OP_MAP)
      sgpui_book_map(b, vpn, pages);
    else if (st == SGPU_STATUS_SUCCESS && b)
      sgpui_book_unmap(b, vpn, pages);
    else if (st == SGPU_STATUS_INVALID_HANDLE)
      sgpui_book_drop_proc(dev, proc); /* the device does not know it (any more) */
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_map(sgpu_device *dev, sgpu_process proc, uint32_t va, uint32_t pages) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  return map_unmap(dev, SGPU_OP_MAP, proc, va, pages);
}

sgpu_status sgpu_unmap(sgpu_device *dev, sgpu_process proc, uint32_t va, uint32_t pages) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  return map_unmap(dev, SGPU_OP_UNMAP, proc, va, pages);
}

/* Host-side checks of a transfer; the device checks the mapping. */
static sgpu_status check_span(sgpu_device *dev, const char *what, uint32_t va, const void *buf,
                              size_t len) {
  if (!buf && len)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER, "%s: buffer is NULL (len %zu)", what,
                      len);
  if (va % 4)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "%s: va 0x%08x is not 4-byte aligned", what, va);
  if (len % 4)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "%s: length %zu is not a multiple of 4", what, len);
  if (len && (uint64_t)va + len - 1 > UINT32_MAX)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "%s: va 0x%08x + length %zu runs past 0xffffffff", what, va, len);
  return SGPU_STATUS_SUCCESS;
}

/* One chunk at va: n = min(len / 4, window) words; ops has room for the window's words.
 * Returns the bytes it moved in *moved. */
static uint32_t chunk_words(const sgpu_device *dev) {
  uint32_t w = dev->data_words;
  if (sgpui_has(dev, SGPUI_CAP_MEM) && dev->tp->mem_max_words < w) w = dev->tp->mem_max_words;
  return w;
}

/* One chunk as one native burst; words is room for the chunk. */
static sgpu_status xfer_native(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                               unsigned char *p, uint32_t n, uint32_t *words, size_t *moved) {
  uint32_t done;
  if (write)
    for (uint32_t i = 0; i < n; i++) memcpy(&words[i], p + 4u * i, 4);
  sgpu_status st = sgpui_admin_mem(dev, write, proc, va, n, words, &done);
  if (st != SGPU_STATUS_SUCCESS) return st;
  if (done != n)
    return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                      "%s(0x%x, 0x%x, %u): the device reports %u words moved",
                      write ? "MEM_WRITE" : "MEM_READ", proc, va, n, done);
  if (!write)
    for (uint32_t i = 0; i < n; i++) memcpy(p + 4u * i, &words[i], 4);
  *moved = 4u * (size_t)n;
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status xfer_chunk(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                              unsigned char *p, size_t len, sgpui_reg_op *ops, uint32_t *words,
                              size_t *moved) {
  uint32_t res[6], cw = chunk_words(dev), n = (uint32_t)(len / 4 < cw ? len / 4 : cw);
  uint32_t args[3] = {proc, va, n};
  sgpu_status st;
  *moved = 0;
  if (sgpui_has(dev, SGPUI_CAP_MEM)) return xfer_native(dev, write, proc, va, p, n, words, moved);
  for (uint32_t i = 0; i < n; i++) {
    ops[i] = (sgpui_reg_op){SGPU_DATA_BASE + 4u * i, write, 0};
    if (write) memcpy(&ops[i].value, p + 4u * i, 4);
  }
  if (write && (st = sgpui_batch(dev, ops, n)) != SGPU_STATUS_SUCCESS) return st;
  st = sgpui_admin(dev, write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ, 0, args, res);
  if (st != SGPU_STATUS_SUCCESS) return st;
  if (res[0] != n)
    return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                      "%s(0x%x, 0x%x, %u): the device reports %u words moved",
                      write ? "MEM_WRITE" : "MEM_READ", proc, va, n, res[0]);
  if (!write) {
    if ((st = sgpui_batch(dev, ops, n)) != SGPU_STATUS_SUCCESS) return st;
    for (uint32_t i = 0; i < n; i++) memcpy(p + 4u * i, &ops[i].value, 4);
  }
  *moved = 4u * (size_t)n;
  return SGPU_STATUS_SUCCESS;
}

static sgpu_status mem_transfer(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                                unsigned char *p, size_t len) {
  sgpu_status st = check_span(dev, write ? "write" : "read", va, p, len);
  if (st != SGPU_STATUS_SUCCESS || len == 0) return st;
  size_t words = len / 4 < chunk_words(dev) ? len / 4 : chunk_words(dev);
  sgpui_reg_op *ops = malloc(words * sizeof *ops);
  uint32_t *buf = malloc(words * sizeof *buf);
  if (!ops || !buf) {
    free(ops);
    free(buf);
    return sgpui_fail(dev, SGPU_STATUS_NO_MEMORY, "%s: host out of memory for %zu words",
                      write ? "write" : "read", words);
  }
  for (size_t off = 0, moved = 0; st == SGPU_STATUS_SUCCESS && off < len; off += moved)
    st = xfer_chunk(dev, write, proc, va + (uint32_t)off, p + off, len - off, ops, buf, &moved);
  free(ops);
  free(buf);
  return st;
}

sgpu_status sgpu_write(sgpu_device *dev, sgpu_process proc, uint32_t va, const void *buf,
                       size_t len) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  /* Written only through xfer_chunk's write path, which reads from the buffer. */
  sgpu_status st = mem_transfer(dev, true, proc, va, (unsigned char *)(uintptr_t)buf, len);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_read(sgpu_device *dev, sgpu_process proc, uint32_t va, void *buf, size_t len) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = mem_transfer(dev, false, proc, va, buf, len);
  pthread_mutex_unlock(&dev->lock);
  return st;
}
