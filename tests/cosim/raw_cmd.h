/* raw_cmd.h - one admin command through the mailbox registers (sgpu_reg_write/_read),
 * bypassing libsgpu's command layer: for what the API cannot express (unknown opcodes,
 * CMD_OP.POLICY = 3) and to show the device bad inputs libsgpu might reject first.
 */
#ifndef RAW_CMD_H
#define RAW_CMD_H

#include <stdint.h>

#include "sgpu.h"
#include "sgpu_regs.h" /* internal: register offsets (tests only) */

/* Write CMD_ARG0..3 = args, CMD_OP = opcode | policy << 8, ring ADMIN_DOORBELL, poll CPL_SEQ
 * until it advances (at most max_cycles device cycles by the CYCLE registers: a MAP may wait
 * for the scrubber for a frame's worth of cycles per page), then read CPL_STATUS into
 * *cpl_status and all six CPL_RESn into res. Returns STATUS_SUCCESS, a transport failure,
 * SGPU_STATUS_IO_TIMEOUT (no completion) or SGPU_STATUS_IO_DEVICE_ERROR (CPL_SEQ advanced by
 * more than one). *seq_out (may be NULL) receives the new CPL_SEQ. */
sgpu_status raw_cmd(sgpu_device *dev, uint32_t opcode, uint32_t policy, const uint32_t args[4],
                    uint64_t max_cycles, uint32_t *cpl_status, uint32_t res[6], uint32_t *seq_out);

#endif /* RAW_CMD_H */
