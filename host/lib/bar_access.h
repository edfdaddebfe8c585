/* bar_access.h - 32-bit register access to a memory-mapped BAR (internal to libsgpu): the
 * pcie: transport (transport_pcie.c) and any other transport that maps the register bus.
 *
 * A real BAR0 of a non-prefetchable memory region is mapped uncached: every access reaches the
 * device, in program order, at its own width. A mapping of ordinary memory (a file, shared
 * memory that a simulator serves) is cached and weakly ordered: the compiler may merge, split
 * or drop accesses, and the CPU may let a store pass a later load (x86's store buffer; weaker
 * CPUs reorder more). So each access is a volatile 32-bit load or store (one access of that
 * width, never merged, split or elided) and a full fence follows every store (the store is
 * visible before any later load or store: a doorbell write is seen before the completion
 * poll that follows it) and every load (no later access moves before it). On a real uncached
 * BAR the fences cost little and change nothing. PCIe registers are little-endian: a
 * big-endian host swaps. */
#ifndef SGPU_BAR_ACCESS_H
#define SGPU_BAR_ACCESS_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SGPUI_BAR_LE32(v) __builtin_bswap32(v)
#else
#define SGPUI_BAR_LE32(v) (v)
#endif

static inline uint32_t sgpui_bar_read32(volatile uint32_t *bar, uint32_t byte_off) {
  uint32_t v = bar[byte_off / 4u];
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return SGPUI_BAR_LE32(v);
}

static inline void sgpui_bar_write32(volatile uint32_t *bar, uint32_t byte_off, uint32_t v) {
  bar[byte_off / 4u] = SGPUI_BAR_LE32(v);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif /* SGPU_BAR_ACCESS_H */
