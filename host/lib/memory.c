/* memory.c - GPU virtual memory: MAP/UNMAP (recorded in the process's book for host-driven
 * teardown) and the debug path MEM_READ/MEM_WRITE, one word per command. */
#include <string.h>

#include "sgpu_internal.h"

/* MAP or UNMAP: the device checks the fields (alignment, range, conflicts); the book records
 * what it accepted, in pages. */
static sgpu_status map_unmap(sgpu_device *dev, uint32_t op, sgpu_process proc, uint32_t va,
                             uint32_t pages) {
  pthread_mutex_lock(&dev->lock);
  sgpui_proc_book *b;
  bool created;
  uint32_t res[6], args[3] = {proc, va, pages};
  sgpu_status st = sgpui_book_prepare(dev, proc, &b, &created);
  if (st == SGPU_STATUS_SUCCESS) {
    st = sgpui_admin(dev, op, 0, args, res);
    uint32_t vpn = va >> dev->info.page_shift;
    if (st == SGPU_STATUS_SUCCESS && op == SGPU_OP_MAP)
      sgpui_book_map(b, vpn, pages);
    else if (st == SGPU_STATUS_SUCCESS)
      sgpui_book_unmap(b, vpn, pages);
    else if (st == SGPU_STATUS_INVALID_HANDLE)
      sgpui_book_drop_proc(dev, proc); /* the device does not know it (any more) */
    else
      sgpui_book_discard(dev, b, created);
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

sgpu_status sgpu_write(sgpu_device *dev, sgpu_process proc, uint32_t va, const void *buf,
                       size_t len) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = check_span(dev, "write", va, buf, len);
  const unsigned char *p = buf;
  for (size_t off = 0; st == SGPU_STATUS_SUCCESS && off < len; off += 4) {
    uint32_t word, res[6];
    memcpy(&word, p + off, 4);
    uint32_t args[3] = {proc, va + (uint32_t)off, word};
    st = sgpui_admin(dev, SGPU_OP_MEM_WRITE, 0, args, res);
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_read(sgpu_device *dev, sgpu_process proc, uint32_t va, void *buf, size_t len) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st = check_span(dev, "read", va, buf, len);
  unsigned char *p = buf;
  for (size_t off = 0; st == SGPU_STATUS_SUCCESS && off < len; off += 4) {
    uint32_t res[6], args[2] = {proc, va + (uint32_t)off};
    st = sgpui_admin(dev, SGPU_OP_MEM_READ, 0, args, res);
    if (st == SGPU_STATUS_SUCCESS) memcpy(p + off, &res[0], 4);
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}
