/* mailbox.c - the admin command path: every admin command goes through sgpui_admin.
 *
 * Protocol (docs/semantics.md), three steps and two register batches per command:
 *   1. one batch: CMD_ARGn (the opcode's NARGS), CMD_OP (opcode | policy << 8),
 *      ADMIN_DOORBELL;
 *   2. the completion wait (sgpui_wait_for): poll CPL_SEQ until it advances;
 *   3. one batch: CPL_STATUS, the opcode's NRESULTS result words, and a write of 1 to
 *      IRQ_ACK, so ADMIN_STATUS.IRQ (and an interrupt line a bridge raises from it) means
 *      "a completion nobody has taken yet" - it is low again after every command.
 * A byte link carries each batch as one request frame, so a command costs two requests plus
 * the polls. CPL_SEQ is remembered between commands (one read less per command); after a
 * timeout, a CPL_SEQ jump or a raw register write it is re-synchronised: wait until the
 * device is no longer BUSY, then take CPL_SEQ as it is, so a late completion is never taken
 * for the next command's.
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

sgpu_status sgpui_admin(sgpu_device *dev, uint32_t opcode, uint32_t policy,
                        const uint32_t *args, uint32_t res[6]) {
  sgpu_status st;
  memset(res, 0, 6 * sizeof *res);
  /* Unknown opcodes are sent as they are (the device answers INVALID_DEVICE_REQUEST). */
  const op_desc *op = opcode <= SGPU_OP_MAX && ops[opcode].name ? &ops[opcode] : NULL;
  uint32_t nargs = op ? op->nargs : NARGS_MAX, nres = op ? op->nresults : NRES_MAX;
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
  if (c.seq != dev->cpl_seq + 1u) {
    dev->cpl_seq_valid = false;
    return sgpui_fail(dev, SGPU_STATUS_IO_DEVICE_ERROR,
                      "%s: CPL_SEQ jumped from 0x%08x to 0x%08x (another agent on the "
                      "admin mailbox?)",
                      sgpui_op_name(opcode), dev->cpl_seq, c.seq);
  }
  dev->cpl_seq = c.seq;

  /* 3. status, results, interrupt acknowledge */
  sgpui_reg_op cpl[NRES_MAX + 2];
  n = 0;
  cpl[n++] = (sgpui_reg_op){SGPU_REG_CPL_STATUS, 0, 0};
  for (uint32_t i = 0; i < nres; i++) cpl[n++] = (sgpui_reg_op){res_regs[i], 0, 0};
  cpl[n++] = (sgpui_reg_op){SGPU_REG_IRQ_ACK, 1, 1u << SGPU_IRQ_ACK_ACK_LSB};
  if ((st = sgpui_batch(dev, cpl, n)) != SGPU_STATUS_SUCCESS) return st;
  uint32_t status = cpl[0].value;
  for (uint32_t i = 0; i < nres; i++) res[i] = cpl[1 + i].value;
  if (status != SGPU_STATUS_SUCCESS) {
    char a[96] = "";
    for (uint32_t i = 0, k = 0; i < nargs && k < sizeof a; i++)
      k += (uint32_t)snprintf(a + k, sizeof a - k, "%s0x%x", i ? ", " : "", args[i]);
    if (policy)
      return sgpui_fail(dev, status, "%s(%s) policy %u: device returned %s (0x%08X)",
                        sgpui_op_name(opcode), a, policy, sgpu_status_str(status), status);
    return sgpui_fail(dev, status, "%s(%s): device returned %s (0x%08X)",
                      sgpui_op_name(opcode), a, sgpu_status_str(status), status);
  }
  return SGPU_STATUS_SUCCESS;
}
