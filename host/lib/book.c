/* book.c - per-process bookkeeping of mapped pages and queues, for host-driven teardown.
 *
 * Mapped pages are kept as ranges of virtual page numbers, sorted, disjoint and never
 * adjacent (neighbours are merged), so a process that mapped 16,384 pages in a few calls
 * costs a few ranges, and finding a page is a binary search. The device has the last word
 * on what is mapped: the book only records what successful commands reported. A record is
 * made by a successful CREATE_PROCESS through this device, so a process libsgpu did not
 * create has none (and SGPU_POLICY_HOST refuses it).
 */
#include <stdlib.h>
#include <string.h>

#include "sgpu_internal.h"

static uint64_t range_end(const sgpui_range *r) { return (uint64_t)r->first_vpn + r->pages; }

sgpui_proc_book *sgpui_book_find(sgpu_device *dev, sgpu_process handle) {
  for (size_t i = 0; i < dev->nbooks; i++)
    if (dev->books[i]->handle == handle) return dev->books[i];
  return NULL;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t ncap = *cap ? *cap : 4;
  while (ncap < need) ncap *= 2;
  void *p = realloc(*arr, ncap * elem);
  if (!p) return false;
  *arr = p;
  *cap = ncap;
  return true;
}

static void free_book(sgpui_proc_book *b) {
  free(b->ranges);
  free(b->queues);
  free(b);
}

sgpu_status sgpui_book_reserve(sgpu_device *dev, sgpui_proc_book **fresh) {
  *fresh = NULL;
  if (!grow((void **)&dev->books, &dev->cap_books, dev->nbooks + 1, sizeof *dev->books) ||
      !(*fresh = calloc(1, sizeof **fresh)))
    return sgpui_fail(dev, SGPU_STATUS_NO_MEMORY,
                      "host out of memory for the record of a new process; nothing sent");
  return SGPU_STATUS_SUCCESS;
}

void sgpui_book_unreserve(sgpui_proc_book *fresh) { free(fresh); }

void sgpui_book_add(sgpu_device *dev, sgpui_proc_book *fresh, sgpu_process handle) {
  /* A stale record under the same handle cannot exist (generations differ), but one for a
   * handle the device has just reissued after a generation wrap could: start fresh. */
  sgpui_book_drop_proc(dev, handle);
  fresh->handle = handle;
  dev->books[dev->nbooks++] = fresh; /* room reserved by sgpui_book_reserve */
}

sgpu_status sgpui_book_prepare(sgpu_device *dev, sgpu_process handle, sgpui_proc_book **book) {
  sgpui_proc_book *b = sgpui_book_find(dev, handle);
  *book = b;
  if (!b) return SGPU_STATUS_SUCCESS; /* not created through this device: nothing to record */
  if (!grow((void **)&b->ranges, &b->cap_ranges, b->nranges + 1, sizeof *b->ranges) ||
      !grow((void **)&b->queues, &b->cap_queues, b->nqueues + 1, sizeof *b->queues))
    return sgpui_fail(dev, SGPU_STATUS_NO_MEMORY,
                      "host out of memory recording the pages of process 0x%08x; nothing sent",
                      handle);
  return SGPU_STATUS_SUCCESS;
}

void sgpui_book_drop_proc(sgpu_device *dev, sgpu_process handle) {
  for (size_t i = 0; i < dev->nbooks; i++) {
    if (dev->books[i]->handle != handle) continue;
    free_book(dev->books[i]);
    dev->books[i] = dev->books[--dev->nbooks];
    return;
  }
}

void sgpui_book_free_all(sgpu_device *dev) {
  for (size_t i = 0; i < dev->nbooks; i++) free_book(dev->books[i]);
  free(dev->books);
  dev->books = NULL;
  dev->nbooks = dev->cap_books = 0;
}

/* Index of the first range ending after vpn (nranges if none). */
static size_t first_ending_after(const sgpui_proc_book *b, uint64_t vpn) {
  size_t lo = 0, hi = b->nranges;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (range_end(&b->ranges[mid]) > vpn)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static void remove_at(sgpui_proc_book *b, size_t i) {
  memmove(&b->ranges[i], &b->ranges[i + 1], (b->nranges - i - 1) * sizeof *b->ranges);
  b->nranges--;
}

/* Needs room for one more range (reserved by sgpui_book_prepare). */
static void insert_at(sgpui_proc_book *b, size_t i, uint32_t first, uint32_t pages) {
  memmove(&b->ranges[i + 1], &b->ranges[i], (b->nranges - i) * sizeof *b->ranges);
  b->ranges[i].first_vpn = first;
  b->ranges[i].pages = pages;
  b->nranges++;
}

void sgpui_book_map(sgpui_proc_book *b, uint32_t first, uint32_t pages) {
  if (pages == 0) return;
  uint64_t end = (uint64_t)first + pages;
  /* i: first range ending at or after first, so i - 1 (if any) ends before or at first. */
  size_t i = first_ending_after(b, first == 0 ? 0 : (uint64_t)first - 1);
  /* The device refused overlaps, so ranges[i] (if any) starts at or after end... unless it
   * ends exactly at first (adjacent on the left). */
  bool left = i < b->nranges && range_end(&b->ranges[i]) == first;
  size_t r = left ? i + 1 : i;
  bool right = r < b->nranges && b->ranges[r].first_vpn == end;
  if (left && right) {
    b->ranges[i].pages += pages + b->ranges[r].pages;
    remove_at(b, r);
  } else if (left) {
    b->ranges[i].pages += pages;
  } else if (right) {
    b->ranges[r].first_vpn = first;
    b->ranges[r].pages += pages;
  } else {
    insert_at(b, r, first, pages);
  }
}

void sgpui_book_unmap(sgpui_proc_book *b, uint32_t first, uint32_t pages) {
  uint64_t end = (uint64_t)first + pages;
  size_t i = first_ending_after(b, first);
  while (i < b->nranges && b->ranges[i].first_vpn < end) {
    sgpui_range *r = &b->ranges[i];
    uint64_t rend = range_end(r);
    bool keep_left = r->first_vpn < first, keep_right = rend > end;
    if (keep_left && keep_right) { /* a hole in the middle: split (at most once) */
      r->pages = first - r->first_vpn;
      insert_at(b, i + 1, (uint32_t)end, (uint32_t)(rend - end));
      return;
    } else if (keep_left) {
      r->pages = first - r->first_vpn;
      i++;
    } else if (keep_right) {
      r->pages = (uint32_t)(rend - end);
      r->first_vpn = (uint32_t)end;
      return;
    } else {
      remove_at(b, i);
    }
  }
}

void sgpui_book_add_queue(sgpui_proc_book *b, uint32_t queue) {
  for (size_t i = 0; i < b->nqueues; i++)
    if (b->queues[i] == queue) return;
  b->queues[b->nqueues++] = queue;
}

void sgpui_book_drop_queue(sgpui_proc_book *b, uint32_t queue) {
  for (size_t i = 0; i < b->nqueues; i++) {
    if (b->queues[i] != queue) continue;
    b->queues[i] = b->queues[--b->nqueues];
    return;
  }
}
