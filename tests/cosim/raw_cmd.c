/* raw_cmd.c - see raw_cmd.h. */
#include "raw_cmd.h"

static const uint32_t arg_regs[4] = {SGPU_REG_CMD_ARG0, SGPU_REG_CMD_ARG1, SGPU_REG_CMD_ARG2,
                                     SGPU_REG_CMD_ARG3};
static const uint32_t res_regs[6] = {SGPU_REG_CPL_RES0, SGPU_REG_CPL_RES1, SGPU_REG_CPL_RES2,
                                     SGPU_REG_CPL_RES3, SGPU_REG_CPL_RES4, SGPU_REG_CPL_RES5};

sgpu_status raw_cmd(sgpu_device *dev, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                    uint64_t max_cycles, uint32_t *cpl_status, uint32_t res[6], uint32_t *seq_out) {
  uint32_t seq0, seq;
  uint64_t t0 = 0, now;
  sgpu_status st = sgpu_reg_read(dev, SGPU_REG_CPL_SEQ, &seq0);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_read_cycles(dev, &t0);
  for (int i = 0; i < 4 && st == SGPU_STATUS_SUCCESS; i++)
    st = sgpu_reg_write(dev, arg_regs[i], args[i]);
  uint32_t op = (opcode & ((1u << SGPU_CMD_OP_OPCODE_BITS) - 1u)) << SGPU_CMD_OP_OPCODE_LSB |
                (policy & ((1u << SGPU_CMD_OP_POLICY_BITS) - 1u)) << SGPU_CMD_OP_POLICY_LSB;
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_reg_write(dev, SGPU_REG_CMD_OP, op);
  if (st == SGPU_STATUS_SUCCESS) st = sgpu_reg_write(dev, SGPU_REG_ADMIN_DOORBELL, 1);
  if (st != SGPU_STATUS_SUCCESS) return st;
  seq = seq0;
  for (uint32_t polls = 1; seq == seq0; polls++) {
    if ((st = sgpu_reg_read(dev, SGPU_REG_CPL_SEQ, &seq)) != SGPU_STATUS_SUCCESS) return st;
    if (polls % 256 == 0 && seq == seq0) {
      if ((st = sgpu_read_cycles(dev, &now)) != SGPU_STATUS_SUCCESS) return st;
      if (now - t0 > max_cycles) return SGPU_STATUS_IO_TIMEOUT;
    }
  }
  if (seq_out) *seq_out = seq;
  if (seq != seq0 + 1u) return SGPU_STATUS_IO_DEVICE_ERROR;
  if ((st = sgpu_reg_read(dev, SGPU_REG_CPL_STATUS, cpl_status)) != SGPU_STATUS_SUCCESS) return st;
  for (int i = 0; i < 6; i++)
    if ((st = sgpu_reg_read(dev, res_regs[i], &res[i])) != SGPU_STATUS_SUCCESS) return st;
  return SGPU_STATUS_SUCCESS;
}
