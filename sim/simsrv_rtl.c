/* simsrv_rtl.c - see simsrv_rtl.h. */
#define _POSIX_C_SOURCE 200809L
#include "simsrv_rtl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int simrtl_open(simrtl *r, const char *model, const char *default_dir, char *err, size_t len) {
  memset(r, 0, sizeof *r);
  r->tx_bit = -1;
  r->rx_prev = 1;
  if (strchr(model, '/')) {
    snprintf(r->path, sizeof r->path, "%s", model);
  } else {
    const char *dir = getenv("SGPU_SIM_DIR");
    if (!dir || !*dir) dir = default_dir;
    snprintf(r->path, sizeof r->path, "%s/libsgpu_simlink_%s.so", dir, model);
  }
  r->so = dlopen(r->path, RTLD_NOW | RTLD_LOCAL);
  if (!r->so) {
    snprintf(err, len,
             "--bridge rtl: cannot load the RTL link model '%s' (%s): %s (the link models are "
             "default and small: make %s)",
             model, r->path, dlerror(), strchr(model, '/') ? "sim" : r->path);
    return -1;
  }
  uint32_t (*abi)(void) = (uint32_t(*)(void))dlsym(r->so, "sgpu_simlink_abi_version");
  void (*bit_time)(sgpu_simlink *, uint32_t *, uint32_t *) =
      (void (*)(sgpu_simlink *, uint32_t *, uint32_t *))dlsym(r->so, "sgpu_simlink_bit_time");
  r->create = (sgpu_simlink * (*)(void)) dlsym(r->so, "sgpu_simlink_create");
  r->destroy = (void (*)(sgpu_simlink *))dlsym(r->so, "sgpu_simlink_destroy");
  r->config = (const char *(*)(void))dlsym(r->so, "sgpu_simlink_config");
  r->cycle = (sgpu_simlink_pins(*)(sgpu_simlink *, int))dlsym(r->so, "sgpu_simlink_cycle");
  r->counts = (void (*)(sgpu_simlink *, sgpu_simlink_counts *))dlsym(r->so,
                                                                     "sgpu_simlink_counts_get");
  if (!abi || !bit_time || !r->create || !r->destroy || !r->config || !r->cycle || !r->counts) {
    snprintf(err, len, "--bridge rtl: %s lacks the sgpu_simlink ABI (sim/sgpu_simlink.h)",
             r->path);
    dlclose(r->so);
    return -1;
  }
  if (abi() != SGPU_SIMLINK_ABI_VERSION) {
    snprintf(err, len, "--bridge rtl: %s has sgpu_simlink ABI %u, expected %u", r->path, abi(),
             SGPU_SIMLINK_ABI_VERSION);
    dlclose(r->so);
    return -1;
  }
  r->m = r->create();
  if (!r->m) {
    snprintf(err, len, "--bridge rtl: %s: creating the device failed", r->path);
    dlclose(r->so);
    return -1;
  }
  bit_time(r->m, &r->num, &r->den);
  if (r->den == 0 || r->num < 4u * r->den) {
    snprintf(err, len, "--bridge rtl: %s: a bit time of %u/%u clock cycles (at least 4)",
             r->path, r->num, r->den);
    simrtl_close(r);
    return -1;
  }
  return 0;
}

void simrtl_close(simrtl *r) {
  if (r->m) r->destroy(r->m);
  r->m = NULL;
  if (r->so) dlclose(r->so);
  r->so = NULL;
}

size_t simrtl_room(const simrtl *r) { return SIMRTL_QUEUE - r->q_len; }

void simrtl_push(simrtl *r, const uint8_t *p, size_t n) {
  if (n > simrtl_room(r)) n = simrtl_room(r);
  for (size_t i = 0; i < n; i++) r->q[(r->q_head + r->q_len + i) % SIMRTL_QUEUE] = p[i];
  r->q_len += n;
}

void simrtl_flush(simrtl *r) { r->q_len = 0; }

uint64_t simrtl_cycles(const simrtl *r) {
  sgpu_simlink_counts c;
  r->counts(r->m, &c);
  return c.cycles;
}

void simrtl_counts(const simrtl *r, sgpu_simlink_counts *c) { r->counts(r->m, c); }

bool simrtl_active(const simrtl *r) { return r->q_len || r->tx_bit >= 0 || r->rx_active; }

bool simrtl_busy(const simrtl *r) {
  return r->q_len || r->tx_bit >= 0 || r->rx_active ||
         simrtl_cycles(r) - r->last_activity < SIMRTL_BUSY_TAIL;
}

/* The next bit's length in cycles: floor or ceil of num / den, the remainder carried. */
static uint32_t bit_len(simrtl *r) {
  r->tx_acc += r->num;
  uint32_t l = (uint32_t)(r->tx_acc / r->den);
  r->tx_acc -= (uint64_t)l * r->den;
  return l;
}

/* Cycles after the start bit's edge at which bit k is sampled: its middle. */
static uint32_t mid(const simrtl *r, int k) {
  return (uint32_t)(((uint64_t)(2 * k + 1) * r->num) / (2u * r->den));
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t simrtl_run(simrtl *r, uint64_t max_cycles, bool stop_idle, uint8_t *out, size_t cap,
                    size_t *n_out) {
  uint64_t t0 = now_ns(), c = 0;
  sgpu_simlink_counts cnt;
  r->counts(r->m, &cnt);
  uint64_t cyc = cnt.cycles;
  for (; c < max_cycles && *n_out < cap; c++) {
    if (stop_idle && !r->q_len && r->tx_bit < 0 && !r->rx_active &&
        cyc - r->last_activity >= SIMRTL_BUSY_TAIL)
      break;
    /* the host's UART: the next byte starts as soon as the last one's stop bit ends */
    if (r->tx_bit < 0 && r->q_len) {
      uint8_t b = r->q[r->q_head];
      r->q_head = (r->q_head + 1) % SIMRTL_QUEUE;
      r->q_len--;
      r->tx_frame = (uint16_t)(1u << 9 | (uint32_t)b << 1);
      r->tx_bit = 0;
      r->tx_left = bit_len(r);
      r->bytes_in++;
    }
    int pin = r->tx_bit < 0 ? 1 : (r->tx_frame >> r->tx_bit) & 1;
    sgpu_simlink_pins p = r->cycle(r->m, pin);
    cyc++;
    if (r->tx_bit >= 0 && --r->tx_left == 0) {
      if (++r->tx_bit == 10) {
        r->tx_bit = -1;
        if (!r->q_len) r->tx_acc = 0; /* idle: the next start bit is whole */
      } else {
        r->tx_left = bit_len(r);
      }
    }
    /* the device's TX pin */
    if (!r->rx_active) {
      if (r->rx_prev && !p.tx) {
        r->rx_active = true;
        r->rx_t = 0;
        r->rx_k = 0;
        r->rx_bits = 0;
      }
    } else {
      r->rx_t++;
    }
    while (r->rx_active && r->rx_k < 10 && r->rx_t == mid(r, r->rx_k)) {
      if (r->rx_k == 0 && p.tx) {
        r->rx_active = false; /* a glitch, not a start bit */
        break;
      }
      r->rx_bits |= (uint16_t)((p.tx & 1u) << r->rx_k);
      if (++r->rx_k == 10) {
        r->rx_active = false;
        if (r->rx_bits >> 9 & 1u) {
          out[(*n_out)++] = (uint8_t)(r->rx_bits >> 1);
          r->bytes_out++;
          /* a frame's end (its delimiter) or a good part of a long one: to the host now */
          if ((out[*n_out - 1] == 0 && *n_out > 1 && out[*n_out - 2] != 0) ||
              *n_out >= SIMRTL_FLUSH)
            cap = *n_out;
        } else {
          r->host_frame_errors++;
        }
      }
    }
    r->rx_prev = p.tx;
    if (pin == 0 || r->tx_bit >= 0 || !p.tx || r->rx_active || p.bus) r->last_activity = cyc;
  }
  r->run_ns += now_ns() - t0;
  return c;
}
