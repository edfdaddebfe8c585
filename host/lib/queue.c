/* queue.c - hardware queues: CREATE_QUEUE/DESTROY_QUEUE (recorded in the process's book for
 * host-driven teardown) and the per-queue doorbell register. */
#include "sgpu_internal.h"

sgpu_status sgpu_create_queue(sgpu_device *dev, sgpu_process proc, uint32_t ring_va,
                              uint32_t ring_log2, uint32_t *queue) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpui_proc_book *b = NULL;
  uint32_t res[6], args[3] = {proc, ring_va, ring_log2};
  sgpu_status st = queue ? sgpui_book_prepare(dev, proc, &b)
                         : sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                                      "create_queue: the queue out pointer is NULL");
  if (st == SGPU_STATUS_SUCCESS) {
    st = sgpui_admin(dev, SGPU_OP_CREATE_QUEUE, 0, args, res);
    if (st == SGPU_STATUS_SUCCESS) {
      if (b) sgpui_book_add_queue(b, res[0]);
      *queue = res[0];
    } else if (st == SGPU_STATUS_INVALID_HANDLE) {
      sgpui_book_drop_proc(dev, proc);
    }
  }
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_destroy_queue(sgpu_device *dev, sgpu_process proc, uint32_t queue) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  uint32_t res[6], args[2] = {proc, queue};
  sgpu_status st = sgpui_admin(dev, SGPU_OP_DESTROY_QUEUE, 0, args, res);
  sgpui_proc_book *b = sgpui_book_find(dev, proc);
  if (st == SGPU_STATUS_SUCCESS && b)
    sgpui_book_drop_queue(b, queue);
  else if (st == SGPU_STATUS_INVALID_HANDLE)
    sgpui_book_drop_proc(dev, proc);
  pthread_mutex_unlock(&dev->lock);
  return st;
}

sgpu_status sgpu_ring_doorbell(sgpu_device *dev, uint32_t queue, uint32_t wptr) {
  if (!dev) return SGPU_STATUS_INVALID_PARAMETER;
  pthread_mutex_lock(&dev->lock);
  sgpu_status st =
      queue >= dev->info.num_queues
          ? sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                       "ring_doorbell: queue %u out of range (device has %u queue slots)", queue,
                       dev->info.num_queues)
          : sgpui_wr(dev, SGPU_QUEUE_BASE + queue * SGPU_QUEUE_STRIDE + SGPU_QREG_QDB, wptr);
  pthread_mutex_unlock(&dev->lock);
  return st;
}
