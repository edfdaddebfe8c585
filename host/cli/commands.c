/* commands.c - one run_* per device subcommand of the sgpu tool (selftest.c and script.c
 * hold the other two); each calls libsgpu and prints through output.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int run_info(cli *c, const cmd *k, const args *a) {
  (void)a;
  sgpu_info in;
  CHECK(c, k, sgpu_get_info(c->dev, &in));
  char ver[32];
  snprintf(ver, sizeof ver, "%u.%u", in.version >> 16, in.version & 0xFFFFu);
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_str(c, "uri", c->uri);
  out_u32(c, "magic", in.magic, true);
  out_str(c, "version", ver);
  out_u32(c, "num_procs", in.num_procs, false);
  out_u32(c, "num_queues", in.num_queues, false);
  out_u32(c, "tlb_entries", in.tlb_entries, false);
  out_u32(c, "page_shift", in.page_shift, false);
  out_u32(c, "page_bytes", 1u << in.page_shift, false);
  out_u32(c, "num_frames", in.num_frames, false);
  out_end(c);
  return EXIT_OK;
}

int run_create_process(cli *c, const cmd *k, const args *a) {
  (void)a;
  sgpu_process p;
  CHECK(c, k, sgpu_create_process(c->dev, &p));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", p, true);
  out_end(c);
  c->has_result = true;
  c->result = p;
  return EXIT_OK;
}

static void out_destroy(cli *c, const cmd *k, sgpu_process p, sgpu_policy pol,
                        const sgpu_destroy_result *r) {
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", p, true);
  out_str(c, "policy", policy_name(pol));
  out_u32(c, "cycles", r->cycles, false);
  out_u32(c, "frames_freed", r->frames_freed, false);
  out_u32(c, "pt_pages_freed", r->pt_pages_freed, false);
  out_u32(c, "queues_freed", r->queues_freed, false);
  out_u32(c, "work_aborted", r->work_aborted, false);
  out_u32(c, "doorbells_ignored", r->doorbells_ignored, false);
  out_u32(c, "validate_cycles", r->validate_cycles, false);
  out_u32(c, "stop_drain_cycles", r->stop_drain_cycles, false);
  out_u32(c, "tlb_cycles", r->tlb_cycles, false);
  out_u32(c, "free_cycles", r->free_cycles, false);
  out_u32(c, "release_cycles", r->release_cycles, false);
  out_u32(c, "complete_cycles", r->complete_cycles, false);
  /* Only when the phases could not be read (the destroy still happened): the phase fields
   * above are 0 then, and the normal output stays as it was. */
  if (!r->phases_read) out_u32(c, "phases_read", 0, false);
  out_end(c);
}

int run_destroy_process(cli *c, const cmd *k, const args *a) {
  sgpu_destroy_result r;
  CHECK(c, k, sgpu_destroy_process(c->dev, a->v[0], a->policy, &r));
  if (!r.phases_read)
    fprintf(stderr, "sgpu%s%s %s: note: %s\n", c->where ? " " : "", c->where ? c->where : "",
            k->name, sgpu_last_error(c->dev));
  out_destroy(c, k, a->v[0], a->policy, &r);
  return EXIT_OK;
}

int run_map_unmap(cli *c, const cmd *k, const args *a) {
  bool map = !strcmp(k->name, "map");
  CHECK(c, k, (map ? sgpu_map : sgpu_unmap)(c->dev, a->v[0], a->v[1], a->v[2]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "va", a->v[1], true);
  out_u32(c, "pages", a->v[2], false);
  out_end(c);
  return EXIT_OK;
}

int run_create_queue(cli *c, const cmd *k, const args *a) {
  uint32_t q;
  CHECK(c, k, sgpu_create_queue(c->dev, a->v[0], a->v[1], a->v[2], &q));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "queue", q, false);
  out_end(c);
  c->has_result = true;
  c->result = q;
  return EXIT_OK;
}

int run_destroy_queue(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_destroy_queue(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "queue", a->v[1], false);
  out_end(c);
  return EXIT_OK;
}

const char *state_name(uint32_t s) {
  switch (s) {
  case SGPU_PROC_STATE_FREE: return "FREE";
  case SGPU_PROC_STATE_ACTIVE: return "ACTIVE";
  case SGPU_PROC_STATE_DYING: return "DYING";
  default: return "UNKNOWN";
  }
}

int run_query(cli *c, const cmd *k, const args *a) {
  if (a->n == 0 || a->v[0] == SGPU_DEVICE_QUERY) {
    sgpu_device_info d;
    CHECK(c, k, sgpu_query_device(c->dev, &d));
    out_begin(c, k->name, "STATUS_SUCCESS");
    out_str(c, "target", "device");
    out_u32(c, "frames_clean", d.frames_clean, false);
    out_u32(c, "frames_dirty", d.frames_dirty, false);
    out_u32(c, "frames_used", d.frames_used, false);
    out_u32(c, "live_processes", d.live_processes, false);
    out_u32(c, "live_queues", d.live_queues, false);
    out_u32(c, "doorbells_ignored", d.doorbells_ignored, false);
    out_u32(c, "reclaim_pending", d.reclaim_pending, false);
    out_u32(c, "reclaim_seq", d.reclaim_seq, false);
    out_end(c);
    return EXIT_OK;
  }
  sgpu_process_info p;
  CHECK(c, k, sgpu_query_process(c->dev, a->v[0], &p));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_str(c, "state", state_name(p.state));
  out_u32(c, "asid", p.asid, false);
  out_u32(c, "data_frames", p.data_frames, false);
  out_u32(c, "pt_pages", p.pt_pages, false);
  out_u32(c, "queues", p.queues, false);
  out_u32(c, "doorbells_ignored", p.doorbells_ignored, false);
  out_end(c);
  return EXIT_OK;
}

int check_read(cli *c, const cmd *k, const args *a) {
  uint32_t n = a->n > 2 ? a->v[2] : 1;
  if (n == 0 || n > MAX_READ_WORDS)
    return usage_error(c, k, "bad words '%u': must be 1..%u", n, MAX_READ_WORDS);
  return EXIT_OK;
}

int run_read(cli *c, const cmd *k, const args *a) {
  uint32_t n = a->n > 2 ? a->v[2] : 1;
  uint32_t *buf = malloc((size_t)n * 4);
  if (!buf) return usage_error(c, k, "cannot allocate %u words", n);
  sgpu_status st = sgpu_read(c->dev, a->v[0], a->v[1], buf, (size_t)n * 4);
  c->last_st = st;
  if (st != SGPU_STATUS_SUCCESS) {
    free(buf);
    return device_failure(c, k->name, st, sgpu_last_error(c->dev));
  }
  if (c->json) {
    out_begin(c, k->name, "STATUS_SUCCESS");
    out_u32(c, "handle", a->v[0], true);
    out_u32(c, "va", a->v[1], true);
    out_key(c, "words");
    for (uint32_t i = 0; i < n; i++) printf("%s%u", i ? "," : "[", buf[i]);
    putchar(']');
    out_end(c);
  } else {
    for (uint32_t i = 0; i < n; i++) printf("0x%08x 0x%08x\n", a->v[1] + 4 * i, buf[i]);
  }
  c->has_result = true;
  c->result = buf[0];
  free(buf);
  return EXIT_OK;
}

int run_write(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_write(c->dev, a->v[0], a->v[1], a->v + 2, (a->n - 2) * 4));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", a->v[0], true);
  out_u32(c, "va", a->v[1], true);
  out_u32(c, "words", (uint32_t)(a->n - 2), false);
  out_end(c);
  return EXIT_OK;
}

int run_wait_clean(cli *c, const cmd *k, const args *a) {
  uint32_t limit = a->n ? a->v[0] : DEFAULT_WAIT_CYCLES;
  uint64_t t0, t1;
  CHECK(c, k, sgpu_read_cycles(c->dev, &t0));
  CHECK(c, k, sgpu_wait_clean(c->dev, limit));
  CHECK(c, k, sgpu_read_cycles(c->dev, &t1));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u64(c, "cycles", t1 - t0);
  out_end(c);
  return EXIT_OK;
}

int run_wait_reclaim(cli *c, const cmd *k, const args *a) {
  uint32_t limit = a->n > 1 ? a->v[1] : DEFAULT_WAIT_CYCLES;
  uint64_t t0, t1;
  sgpu_reclaim_info ri;
  CHECK(c, k, sgpu_read_cycles(c->dev, &t0));
  CHECK(c, k, sgpu_wait_reclaim(c->dev, a->v[0], limit, &ri));
  CHECK(c, k, sgpu_read_cycles(c->dev, &t1));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "handle", ri.handle, true);
  out_u32(c, "seq", ri.seq, false);
  out_u32(c, "frames", ri.frames, false);
  out_u32(c, "cycles", ri.cycles, false);
  out_u32(c, "scrub_cycles", ri.scrub_cycles, false);
  out_u32(c, "free_cycles", ri.free_cycles, false);
  out_u32(c, "release_cycles", ri.release_cycles, false);
  out_u32(c, "exact", ri.exact, false);
  out_u64(c, "waited_cycles", t1 - t0);
  out_end(c);
  c->has_result = true;
  c->result = ri.cycles;
  return EXIT_OK;
}

int run_doorbell(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_ring_doorbell(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "queue", a->v[0], false);
  out_u32(c, "wptr", a->v[1], true);
  out_end(c);
  return EXIT_OK;
}

int run_reg_read(cli *c, const cmd *k, const args *a) {
  uint32_t v;
  CHECK(c, k, sgpu_reg_read(c->dev, a->v[0], &v));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "addr", a->v[0], true);
  out_u32(c, "value", v, true);
  out_end(c);
  c->has_result = true;
  c->result = v;
  return EXIT_OK;
}

int run_reg_write(cli *c, const cmd *k, const args *a) {
  CHECK(c, k, sgpu_reg_write(c->dev, a->v[0], a->v[1]));
  out_begin(c, k->name, "STATUS_SUCCESS");
  out_u32(c, "addr", a->v[0], true);
  out_u32(c, "value", a->v[1], true);
  out_end(c);
  return EXIT_OK;
}
