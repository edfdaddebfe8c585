/* mailbox.c - the admin command path: every admin command goes through sgpui_admin.
 *
 * Two ways, chosen by the transport's capabilities:
 *
 * Native (SGPUI_CAP_ADMIN, the byte links): ONE exchange per command - one request frame and
 * one response frame on the wire. The transport's admin hook carries the arguments, opcode
 * and policy; the far end (the link bridge) checks ADMIN_STATUS.BUSY, writes them, rings the
 * doorbell, waits for the completion in hardware, reads CPL_STATUS, the opcode's results and,
 * when asked, the six phase registers, and acknowledges IRQ (docs/protocol.md, ADMIN). A
 * memory burst is one MEM_READ/MEM_WRITE exchange the same way (sgpui_admin_mem,
 * SGPUI_CAP_MEM). If the bridge finds the device BUSY (nothing written), the mailbox resyncs
 * (below) and sends the command once more.
 *
 * Register batches (every other transport), three steps and two batches per command
 * (docs/semantics.md):
 *   1. one batch: CMD_ARGn (the opcode's NARGS), CMD_OP (opcode | policy << 8),
 *      ADMIN_DOORBELL;
 *   2. the completion wait (sgpui_wait_for): poll CPL_SEQ until it advances;
 *   3. one batch: CPL_STATUS, the opcode's NRESULTS result words, and a write of 1 to
 *      IRQ_ACK, so ADMIN_STATUS.IRQ (and an interrupt line a bridge raises from it) means
 *      "a completion nobody has taken yet" - it is low again after every command.
 *
 * Both ways CPL_SEQ is remembered between commands: each completion must be the next one
 * (else another agent uses the mailbox: an error). After a timeout, a link failure, a CPL_SEQ
 * jump or a raw register write it is re-synchronised: wait until the device is no longer BUSY,
 * then take CPL_SEQ as it is, so a late completion is never taken for the next command's.
 */
#include <stdio.h>
#include <string.h>

#include "sgpu_internal.h"

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
#define NARGS_MAX (sizeof arg_regs / sizeof arg_regs[0])
#define NRES_MAX (sizeof res_regs / sizeof res_regs[0])

const char *sgpui_op_name(uint32_t opcode) {
  return opcode <= SGPU_OP_MAX && ops[opcode].name ? ops[opcode].name : "UNKNOWN";
}

/* ---------------------------------------------------------------- resync: BUSY clears */

static sgpu_status busy_cond(sgpu_device *dev, sgpui_wait *w, bool *done) {
  uint32_t *status = w->arg;
  sgpu_status st = sgpui_rd(dev, SGPU_REG_ADMIN_STATUS, status);
  *done = !sgpui_field(*status, SGPU_ADMIN_STATUS_BUSY_LSB, SGPU_ADMIN_STATUS_BUSY_BITS);
  return st;
}

static void busy_describe(const sgpui_wait *w, char *buf, size_t len) {
  snprintf(buf, len,
           "device still BUSY (ADMIN_STATUS 0x%08x) from an earlier command that timed out",
           *(const uint32_t *)w->arg);
}

sgpu_status sgpui_mailbox_resync(sgpu_device *dev) {
  uint32_t status = 0;
  sgpui_wait w = {.what = "mailbox resync", .cond = busy_cond, .describe = busy_describe,
                  .arg = &status, .timeout_cycles = SGPUI_WAIT_POLLS_ONLY};
  sgpu_status st = sgpui_wait_for(dev, &w);
  if (st != SGPU_STATUS_SUCCESS) return st;
  sgpui_reg_op b[2] = {{SGPU_REG_CPL_SEQ, 0, 0}, {SGPU_REG_IRQ_ACK, 1, 1u << SGPU_IRQ_ACK_ACK_LSB}};
  if ((st = sgpui_batch(dev, b, 2)) != SGPU_STATUS_SUCCESS) return st;
  dev->cpl_seq = b[0].value;
  dev->cpl_seq_valid = true;
  return SGPU_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- one command */

typedef struct {
  uint32_t opcode, seq;
} cpl_wait;

static sgpu_status cpl_cond(sgpu_device *dev, sgpui_wait *w, bool *done) {
  cpl_wait *c = w->arg;
  sgpu_status st = sgpui_rd(dev, SGPU_REG_CPL_SEQ, &c->seq);
  *done = c->seq != dev->cpl_seq;
  return st;
}

static void cpl_describe(const sgpui_wait *w, char *buf, size_t len) {
  const cpl_wait *c = w->arg;
  snprintf(buf, len, "no completion (CPL_SEQ stayed 0x%08x)", c->seq);
}

/* The failure message of a command the device refused (status not SUCCESS). */
static sgpu_status device_refused(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                                  const uint32_t *args, uint32_t nargs, uint32_t status) {
  char a[96] = "";
  for (uint32_t i = 0, k = 0; i < nargs && k < sizeof a; i++)
    k += (uint32_t)snprintf(a + k, sizeof a - k, "%s0x%x", i ? ", " : "", args[i]);
  if (policy)
    return sgpui_fail(dev, status, "%s(%s) policy %u: device returned %s (0x%08X)",
                      sgpui_op_name(opcode), a, policy, sgpu_status_str(status), status);
  return sgpui_fail(dev, status, "%s(%s): device returned %s (0x%08X)", sgpui_op_name(opcode),
                    a, sgpu_status_str(status), status);
}

/* The completion's CPL_SEQ must be the one after the last seen. */
static sgpu_status take_seq(sgpu_device *dev, uint32_t opcode, uint32_t seq) {
  if (seq != dev->cpl_seq + 1u) {
    dev->cpl_seq_valid = false;
    return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                      "%s: CPL_SEQ jumped from 0x%08x to 0x%08x (another agent on the "
                      "admin mailbox?)",
                      sgpui_op_name(opcode), dev->cpl_seq, seq);
  }
  dev->cpl_seq = seq;
  return SGPU_STATUS_SUCCESS;
}

/* One native exchange (admin or mem hook, through call), with the BUSY retry: a BUSY answer
 * wrote nothing, so after the resync (BUSY has cleared) the same command is sent once more.
 * On a failure the message names the command, its arguments and the transport's reason. */
typedef sgpu_status (*native_call)(sgpu_device *dev, void *arg, sgpui_admin_rs *rs, char *why,
                                   size_t len);

static sgpu_status native(sgpu_device *dev, uint32_t opcode, const uint32_t *args,
                          uint32_t nargs, native_call call, void *arg, sgpui_admin_rs *rs) {
  sgpu_status st;
  char why[SGPUI_ERR_LEN] = "";
  if (!dev->cpl_seq_valid && (st = sgpui_mailbox_resync(dev)) != SGPU_STATUS_SUCCESS) return st;
  for (int attempt = 0;; attempt++) {
    memset(rs, 0, sizeof *rs);
    st = call(dev, arg, rs, why, sizeof why);
    if (st == SGPU_STATUS_SUCCESS) break;
    dev->cpl_seq_valid = false; /* unless BUSY, the command may or may not have run */
    if (!rs->busy || attempt == 1) {
      char a[96] = "";
      for (uint32_t i = 0, k = 0; i < nargs && k < sizeof a; i++)
        k += (uint32_t)snprintf(a + k, sizeof a - k, "%s0x%x", i ? ", " : "", args[i]);
      return sgpui_fail(dev, st, "%s(%s): %s", sgpui_op_name(opcode), a, why);
    }
    if ((st = sgpui_mailbox_resync(dev)) != SGPU_STATUS_SUCCESS) return st;
  }
  return take_seq(dev, opcode, rs->cpl_seq);
}

typedef struct {
  const sgpui_admin_rq *rq;
} admin_arg;

static sgpu_status call_admin(sgpu_device *dev, void *arg, sgpui_admin_rs *rs, char *why,
                              size_t len) {
  return dev->tp->admin(dev->tp_ctx, ((admin_arg *)arg)->rq, rs, why, len);
}

typedef struct {
  bool write;
  uint32_t handle, va, words;
  uint32_t *data;
} mem_arg;

static sgpu_status call_mem(sgpu_device *dev, void *arg, sgpui_admin_rs *rs, char *why,
                            size_t len) {
  mem_arg *m = arg;
  return dev->tp->mem(dev->tp_ctx, m->write, m->handle, m->va, m->words, m->data, rs, why, len);
}

sgpu_status sgpui_admin_ex(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                           const uint32_t *args, uint32_t res[6], uint32_t phases[6],
                           bool *phases_read) {
  sgpu_status st;
  memset(res, 0, 6 * sizeof *res);
  if (phases_read) *phases_read = false;
  /* Unknown opcodes are sent as they are (the device answers INVALID_DEVICE_REQUEST). */
  const op_desc *op = opcode <= SGPU_OP_MAX && ops[opcode].name ? &ops[opcode] : NULL;
  uint32_t nargs = op ? op->nargs : NARGS_MAX, nres = op ? op->nresults : NRES_MAX;

  if (sgpui_has(dev, SGPUI_CAP_ADMIN)) {
    sgpui_admin_rq rq = {.opcode = opcode, .policy = policy, .nargs = nargs, .nres = nres,
                         .phases = phases != NULL};
    for (uint32_t i = 0; i < nargs; i++) rq.args[i] = args[i];
    sgpui_admin_rs rs;
    admin_arg aa = {&rq};
    if ((st = native(dev, opcode, args, nargs, call_admin, &aa, &rs)) != SGPU_STATUS_SUCCESS)
      return st;
    for (uint32_t i = 0; i < nres; i++) res[i] = rs.res[i];
    if (phases) {
      memcpy(phases, rs.phases, sizeof rs.phases);
      if (phases_read) *phases_read = true;
    }
    if (rs.cpl_status != SGPU_STATUS_SUCCESS)
      return device_refused(dev, opcode, policy, args, nargs, rs.cpl_status);
    return SGPU_STATUS_SUCCESS;
  }

  if (!dev->cpl_seq_valid && (st = sgpui_mailbox_resync(dev)) != SGPU_STATUS_SUCCESS) return st;

  /* 1. arguments, CMD_OP, doorbell */
  sgpui_reg_op req[NARGS_MAX + 2];
  size_t n = 0;
  for (uint32_t i = 0; i < nargs; i++) req[n++] = (sgpui_reg_op){arg_regs[i], 1, args[i]};
  uint32_t cmd = (opcode & ((1u << SGPU_CMD_OP_OPCODE_BITS) - 1u)) << SGPU_CMD_OP_OPCODE_LSB |
                 (policy & ((1u << SGPU_CMD_OP_POLICY_BITS) - 1u)) << SGPU_CMD_OP_POLICY_LSB;
  req[n++] = (sgpui_reg_op){SGPU_REG_CMD_OP, 1, cmd};
  req[n++] = (sgpui_reg_op){SGPU_REG_ADMIN_DOORBELL, 1, 1u};
  if ((st = sgpui_batch(dev, req, n)) != SGPU_STATUS_SUCCESS) {
    dev->cpl_seq_valid = false; /* the doorbell may or may not have rung */
    return st;
  }

  /* 2. the completion */
  cpl_wait c = {opcode, dev->cpl_seq};
  sgpui_wait w = {.what = sgpui_op_name(opcode), .cond = cpl_cond, .describe = cpl_describe,
                  .arg = &c, .timeout_cycles = SGPUI_WAIT_POLLS_ONLY};
  if ((st = sgpui_wait_for(dev, &w)) != SGPU_STATUS_SUCCESS) {
    dev->cpl_seq_valid = false;
    return st;
  }
  if ((st = take_seq(dev, opcode, c.seq)) != SGPU_STATUS_SUCCESS) return st;

  /* 3. status, results, interrupt acknowledge */
  sgpui_reg_op cpl[NRES_MAX + 2];
  n = 0;
  cpl[n++] = (sgpui_reg_op){SGPU_REG_CPL_STATUS, 0, 0};
  for (uint32_t i = 0; i < nres; i++) cpl[n++] = (sgpui_reg_op){res_regs[i], 0, 0};
  cpl[n++] = (sgpui_reg_op){SGPU_REG_IRQ_ACK, 1, 1u << SGPU_IRQ_ACK_ACK_LSB};
  if ((st = sgpui_batch(dev, cpl, n)) != SGPU_STATUS_SUCCESS) return st;
  uint32_t status = cpl[0].value;
  for (uint32_t i = 0; i < nres; i++) res[i] = cpl[1 + i].value;
  if (status != SGPU_STATUS_SUCCESS)
    return device_refused(dev, opcode, policy, args, nargs, status);
  return SGPU_STATUS_SUCCESS;
}

sgpu_status sgpui_admin(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                        const uint32_t *args, uint32_t res[6]) {
  return sgpui_admin_ex(dev, opcode, policy, args, res, NULL, NULL);
}

sgpu_status sgpui_admin_mem(sgpu_device *dev, bool write, sgpu_process proc, uint32_t va,
                            uint32_t words, uint32_t *data, uint32_t *moved) {
  uint32_t opcode = write ? SGPU_OP_MEM_WRITE : SGPU_OP_MEM_READ;
  uint32_t args[3] = {proc, va, words};
  *moved = 0;
  if (!sgpui_has(dev, SGPUI_CAP_MEM) || words == 0 || words > dev->tp->mem_max_words)
    return sgpui_fail(dev, SGPU_STATUS_INVALID_PARAMETER,
                      "%s(0x%x, 0x%x, %u): not a native burst of this transport (1..%u words)",
                      sgpui_op_name(opcode), proc, va, words,
                      sgpui_has(dev, SGPUI_CAP_MEM) ? dev->tp->mem_max_words : 0u);
  mem_arg m = {write, proc, va, words, data};
  sgpui_admin_rs rs;
  sgpu_status st = native(dev, opcode, args, 3, call_mem, &m, &rs);
  if (st != SGPU_STATUS_SUCCESS) return st;
  if (rs.cpl_status != SGPU_STATUS_SUCCESS)
    return device_refused(dev, opcode, 0, args, 3, rs.cpl_status);
  *moved = rs.res[0];
  return SGPU_STATUS_SUCCESS;
}
