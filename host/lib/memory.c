/* memory.c - GPU virtual memory: MAP/UNMAP (recorded in the process's book for host-driven
 * teardown) and the debug path MEM_READ/MEM_WRITE.
 *
 * Transfers are split into chunks by mem_transfer: today a chunk is one word and costs one
 * admin command (MEM_READ/MEM_WRITE). When the device gets a data window, a chunk becomes
 * one admin command per transfer plus its data words (a batch of window reads or writes);
 * only xfer_chunk changes. */
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

/* Host-side checks of the debug path; the device checks the mapping. */
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

/* One chunk of a transfer at va: today one word per MEM_READ/MEM_WRITE command. Returns the
 * bytes it moved in *moved. */
static sgpu_status xfer_chunk(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                              unsigned char *p, size_t len, size_t *moved) {
  uint32_t res[6], word = 0;
  (void)len;
  if (write) memcpy(&word, p, 4);
  uint32_t args[3] = {proc, va, word};
  sgpu_status st = sgpui_admin(dev, write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ, 0, args, res);
  if (st == SGPU_STATUS_SUCCESS && !write) memcpy(p, &res[0], 4);
  *moved = st == SGPU_STATUS_SUCCESS ? 4 : 0;
  return st;
}

static sgpu_status mem_transfer(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                                unsigned char *p, size_t len) {
  sgpu_status st = check_span(dev, write ? "write" : "read", va, p, len);
  for (size_t off = 0, moved = 0; st == SGPU_STATUS_SUCCESS && off < len; off += moved)
    st = xfer_chunk(dev, write, proc, va + (uint32_t)off, p + off, len - off, &moved);
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
