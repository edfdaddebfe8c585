#!/usr/bin/env python3
"""link_ucode.py - the link bridge's microcode: its program and its assembler.

Usage: link_ucode.py [--out DIR] [--check] [--list]
  (none)     write rtl/gen/sgpu_link_ucode_pkg.sv under DIR (default: the repository)
  --check    regenerate in memory and fail if the checked-in file differs (make check-gen)
  --list     print the program with its addresses and labels (for reading a trace)

sgpu_link_bridge (rtl/link/sgpu_link_bridge.sv) is one sequencer over a byte-serial datapath;
everything it does (docs/protocol.md sections 2-8: receive and COBS-decode a frame, check it,
execute it on the register bus, frame and COBS-encode the response into the buffer, send it)
is the program below, one instruction per cycle (a register read, a byte taken or sent, an
emit into a full COBS block stall it). The generated package holds the instruction layout
(field LSBs and codes), the buffer's layout, the labels the RTL and the proofs use, and the
program as the function ucode(addr, admin_wait_log2); the bridge registers ucode(upc_d) every
cycle, which Yosys maps to block RAM (50 bits x 512 words).

Instruction fields (all optional; the default does nothing and goes to the next address):
  jmp/cond/pol   jump to a label if cond (xor pol) holds; cond "true" jumps always
  bus            "wr": write word to addr (one cycle); "rd": read addr into word (stalls until
                 the answer; one not answered within ReadTimeout cycles completes with the
                 condition berr set: p.read() tests it and goes to BUSERR)
  b              the byte bus: imm rx mem w0 cnt rplo rphi wplo wphi adlo adhi crchi crclo, and
                 "zero" (imm 0) (rx: the byte from the host; mem: the buffer at rp; w0:
                 word[7:0])
  wsh            word <= {b, word[31:8]}
  wr             the buffer's write: "rx" (b at rp: a received byte), "a" (b at A_BASE + wp),
                 "ai" (b at A_BASE + aa, aa 0..255), "emit" (b into the COBS encoder), "open"
                 (the first code byte's placeholder), "close" (the open block's code byte),
                 "endz" (b, the delimiter, at the last placeholder)
  take, tx       take the byte from the host (waits for it) / send b (waits until taken)
  rp             "inc", "set8" (REQ_PAY + imm[7:0]: a payload offset), "setw" (imm[10:0])
  wp             "inc", "set" (imm[7:0] sign-extended)
  ad             "add4" (within a 1 KiB block), "sh" (addr <= {b, addr[15:8]})
  cnt            "ld" (<= b), "dec", "inc"
  crc            "upd" (the CRC register takes b), "init"
  ops            op (the encoder's output) <= imm (B_BASE or N_BASE)
  s0             s0 <= word[7:0]; wclr: restart the admin wait counter
  keep           the response being framed is the kept one (its seq, the valid flag)
The immediate is 16 bits: imm[7:0] is the byte operand (b imm, conditions, rp set8, wp set),
imm[15:8] the jump target (with the jt8 bit) or aa; "rp setw" and "ops" use all 16 and cannot
jump. The assembler refuses an instruction whose operands collide. Python standard library
only.
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = "rtl/gen/sgpu_link_ucode_pkg.sv"
sys.path.insert(0, os.path.join(ROOT, "tools"))


def fail(msg):
    sys.exit(f"link_ucode: {msg}")


def link_consts():
    """The protocol's and the register map's constants, from the generated SV packages."""
    env = {}
    # the link package last: its VERSION (the protocol's) wins over the register map's
    for f in ("rtl/gen/sgpu_regs_pkg.sv", "rtl/gen/sgpu_link_pkg.sv"):
        for line in open(os.path.join(ROOT, f)):
            line = line.strip()
            if not line.startswith("localparam"):
                continue
            name, _, rest = line.partition("=")
            name = name.split()[-1]
            val = rest.split(";")[0].strip()
            if "'h" in val:
                env[name] = int(val.split("'h")[1].replace("_", ""), 16)
            elif val.isdigit():
                env[name] = int(val)
    return env


C = link_consts()

# ---------------------------------------------------------------------------- layout
FIELDS = [  # name, bits (LSB first)
    ("jmp", 1), ("jt8", 1), ("pol", 1), ("cond", 5), ("bus", 2), ("b", 4), ("wsh", 1), ("wr", 3),
    ("rp", 2), ("wp", 2), ("ad", 2), ("cnt", 2), ("crc", 2), ("ops", 1), ("s0", 1),
    ("wclr", 1), ("tx", 1), ("take", 1), ("keep", 1), ("imm", 16),
]
CODES = {
    "cond": ["true", "beq", "bgt", "band", "cnt0", "kind", "waitdone", "seqmoved", "berr",
             "wpover", "wpgtf", "wpneg", "rpend", "rpeqlen", "crc0", "replay", "lenok"],
    "bus": ["none", "wr", "rd"],
    "b": ["imm", "rx", "mem", "w0", "cnt", "rplo", "rphi", "wplo", "wphi", "adlo",
          "adhi", "crchi", "crclo"],
    "wr": ["none", "rx", "a", "ai", "emit", "close", "open", "endz"],
    "rp": ["hold", "inc", "set8", "setw"],
    "wp": ["hold", "inc", "set"],
    "ad": ["hold", "add4", "sh"],
    "cnt": ["hold", "ld", "dec", "inc"],
    "crc": ["hold", "upd", "init"],
}
IMM8_CONDS = {"beq", "bgt", "band", "kind"}
WIDTH = sum(w for _, w in FIELDS)
UPC_BITS = 9

# The buffer (one 2048 x 8 block RAM array, sgpu_link_ram): byte addresses.
MEM_DEPTH = 2048
B_BASE = 0      # the kept response, COBS-encoded, its trailing delimiter included (<= 523 bytes)
N_BASE = 576    # a NAK, encoded the same way (<= 14 bytes)
REQ_HDR = 1019  # the request as decoded: header at 1019..1023, payload byte i at 1024 + i, CRC
REQ_PAY = 1024  # after it (the receive pointer stops at 1019 + MAX_FRAME + 1 = 1539)
A_BASE = 1536   # the response payload as executed (byte i at 1536 + i), read again to frame it
# Labels the RTL and the proofs use (L_NAME in the package).
EXPORT = ["RX_START", "RX_DELIM", "ACC", "CHK", "NOREP", "XEND", "SEND", "SEND_L"]


class Prog:
    def __init__(self):
        self.ins = []      # (fields dict, comment)
        self.labels = {}

    def label(self, name):
        if name in self.labels:
            fail(f"label {name} twice")
        self.labels[name] = len(self.ins)

    def __call__(self, comment="", **f):
        self.ins.append((f, comment))

    # shorthands
    def put_word(self, last=None):
        """word into the response, little-endian (4 bytes; `last` adds fields to the 4th)."""
        for i in range(4):
            extra = dict(last or {}) if i == 3 else {}
            self(b="w0", wr="a", wsh=1, wp="inc", **extra)

    def word_from_req(self, last=None):
        """a little-endian word from the request at rp (rp advances by 4)."""
        for i in range(4):
            extra = dict(last or {}) if i == 3 else {}
            self(b="mem", wsh=1, rp="inc", **extra)

    def read(self):
        """a register read into word; an unanswered one (ReadTimeout) goes to BUSERR."""
        self(bus="rd")
        self(jmp="BUSERR", cond="berr")

    def addr(self, a):
        """the register address a, a byte at a time (addr <= {b, addr[15:8]})."""
        self(b="imm", imm=a & 0xFF, ad="sh")
        self(b="imm", imm=a >> 8, ad="sh")

    def word_imm(self, value):
        for i in range(4):
            self(b="imm", imm=(value >> (8 * i)) & 0xFF, wsh=1)

    def head(self, status, lo, hi, lo_mem=False):
        """response payload bytes 0, 2, 3 (status, detail; byte 1 is written 0 by GO or
        NAK_TAIL): the status an immediate, the detail bytes from byte sources."""
        self(b="imm", imm=status, wr="ai", aa=0)
        self(b=lo, wr="ai", aa=2, **({"rp": "inc"} if lo_mem else {}))
        self(b=hi, wr="ai", aa=3)


def program(p):
    frame = frame_routine(p)
    K = {n: C["KIND_" + n] for n in ("PING", "INFO", "REG_BATCH", "ADMIN", "MEM_READ",
                                     "MEM_WRITE")}
    R = lambda n: C["REG_" + n]

    def put_status():  # CPL_STATUS (in word) at response bytes 4..7
        for i in range(4):
            p(b="w0", wr="ai", aa=C["RESP_HDR_LEN"] + i, wsh=1)

    # ad add4 counts in addr[9:2] only: a loop of registers 4 apart stays in one 1 KiB block
    for base, most in ((R("ID"), 5), (R("CPL_RES0"), C["ADMIN_MAX_RES"]),
                       (R("TD_VALIDATE"), C["ADMIN_NPHASES"]), (R("CMD_ARG0"), 4),
                       (C["DATA_BASE"], C["MEM_MAX_WORDS"])):
        if base >> 10 != (base + 4 * (most - 1)) >> 10:
            fail(f"registers {base:#x} + 4 x {most} cross a 1 KiB block (ad add4)")

    def rdloop(tag):  # cnt registers from addr on, 4 apart, into the response
        p.label("L_" + tag)
        p(jmp="E_" + tag, cond="cnt0")
        p.read()
        p.put_word(last=dict(cnt="dec", ad="add4", jmp="L_" + tag, cond="true"))
        p.label("E_" + tag)

    def rx_block(tag, after):
        """the data bytes of a COBS block (cnt of them), stored; then `after`. A delimiter
        inside the block cuts the frame short: stored (harmless), then a new frame starts."""
        p.label("RX_D" + tag)
        p(jmp=after, cond="cnt0")
        p(b="rx", take=1, wr="rx", crc="upd", rp="inc", wp="inc", cnt="dec", jmp="RX_START",
          cond="beq", imm=0)
        p(jmp="RX_OVER", cond="wpgtf")
        p(jmp="RX_D" + tag, cond="true")

    # ------------------------------------------------------------------ receive (section 2)
    # Each byte is looked at in the instruction that takes it (take waits for rx_valid_i). The
    # decoded frame goes to REQ_HDR.. (rp), its length counts in wp, every decoded byte through
    # the CRC register; the RTL keeps kind, seq and the length field as they pass.
    p.label("RX_START")
    p("a new frame; wp counts from -MIN_FRAME (the decoded length - 7)",
      wp="set", imm=0x100 - C["MIN_FRAME"], crc="init")
    p(rp="setw", imm=REQ_HDR)
    p.label("RX_CODE")  # a code byte (or a delimiter) expected, no zero pending
    p("the code byte: its block has code - 1 data bytes", b="rx", take=1, cnt="ld",
      jmp="RX_DELIM", cond="beq", imm=0)
    p.label("RX_CODE2")
    p(b="cnt", jmp="RX_FF", cond="beq", imm=0xFF)
    p(cnt="dec")
    rx_block("Z", "RX_CODEZ")
    p.label("RX_FF")
    p("a block of 254 bytes: no zero after it", cnt="dec")
    rx_block("F", "RX_CODE")
    p.label("RX_CODEZ")  # a code byte or a delimiter expected, the block's zero pending
    p("a delimiter: the pending zero is the virtual one", b="rx", take=1, cnt="ld",
      jmp="RX_DELIM", cond="beq", imm=0)
    p("the zero that ended the block", b="zero", wr="rx", crc="upd", rp="inc", wp="inc")
    p(jmp="RX_OVER", cond="wpgtf")
    p(jmp="RX_CODE2", cond="true")
    p.label("RX_OVER")  # more than MAX_FRAME bytes: drop up to the next delimiter
    p(b="rx", take=1, jmp="RX_START", cond="beq", imm=0)
    p(jmp="RX_OVER", cond="true")

    # ------------------------------------------------------------------ frame checks (3, 6)
    p.label("RX_DELIM")
    p("(taken) empty or shorter than MIN_FRAME: dropped", jmp="RX_START", cond="wpneg")
    p.label("ACC")  # a frame accepted: it gets exactly one response
    p(jmp="NK_CRC", cond="crc0", pol=1)
    # CHK..XEND: the CRC register stays 0 (nothing updates it before XEND; the NAKs are after)
    p.label("CHK")
    p("the length field against the decoded length - 7 (wp)", jmp="CHK_LB", cond="lenok",
      pol=1)
    p(rp="setw", imm=REQ_HDR)
    p(b="mem", jmp="NK_VER", cond="beq", imm=C["VERSION"], pol=1)
    p("the kept seq: send the kept response again", rp="inc", jmp="REPLAY", cond="replay")
    # ------------------------------------------------------------------ kind, dispatch
    # NOREP..XEND: the frame passed every frame check and is not a replay
    p.label("NOREP")
    p(b="mem", jmp="NK_KIND", cond="beq", imm=0)
    p(b="mem", jmp="NK_KIND", cond="bgt", imm=C["KIND_LAST"])
    p("the payload checks read from byte 0", rp="set8", imm=0)
    p(jmp="CB", cond="kind", imm=K["REG_BATCH"])
    p(jmp="CA", cond="kind", imm=K["ADMIN"])
    p(jmp="CMR", cond="kind", imm=K["MEM_READ"])
    p(jmp="CMW", cond="kind", imm=K["MEM_WRITE"])
    p("PING, INFO: no payload", jmp="NAK_LEN", cond="rpeqlen", pol=1)
    p(jmp="GO", cond="true")

    # ------------------------------------------------------------------ REG_BATCH checks
    # Lengths are checked by walking rp over the bytes an operation needs: the payload ends
    # where rp equals the length field (rpeqlen). A field found wrong before all its
    # operation's bytes are known present waits for them (its offset kept in addr), so a short
    # payload is BAD_LENGTH first, as section 7 orders them.
    def need(n):  # rp + 1 .. rp + n - 1 present (rp itself is); rp advances by n - 1
        for _ in range(n - 1):
            p(rp="inc")
            p(jmp="NAK_LEN", cond="rpeqlen")

    def keep_rp():  # the payload offset rp into addr (for NAK_FIELD_A)
        p(b="rplo", ad="sh")
        p(b="rphi", ad="sh")

    p.label("CB")
    p("wp counts the response: header + 4 per read", wp="set", imm=C["RESP_HDR_LEN"])
    p.label("CBOP")
    p(jmp="CBEND", cond="rpeqlen")
    p(b="mem", jmp="NAK_FIELD", cond="bgt", imm=C["OP_WRITE"])
    p(b="mem", jmp="CBW", cond="bgt", imm=C["OP_READ"])
    assert C["OP_READ_LEN"] == 3 and C["OP_WRITE_LEN"] == 7
    p(rp="inc", wp="inc")
    p(jmp="NAK_LEN", cond="rpeqlen")
    p("the address's low byte", b="mem", wp="inc", jmp="CBR_MIS", cond="band", imm=3)
    p(rp="inc", wp="inc")
    p(jmp="NAK_LEN", cond="rpeqlen")
    p(rp="inc", wp="inc", jmp="CBOP", cond="true")
    p.label("CBR_MIS")
    keep_rp()
    need(2)
    p(jmp="NAK_FIELD_A", cond="true")
    p.label("CBW")
    need(2)
    p("the address's low byte", b="mem", jmp="CBW_MIS", cond="band", imm=3)
    need(C["OP_WRITE_LEN"] - 1)
    p(rp="inc", jmp="CBOP", cond="true")
    p.label("CBW_MIS")
    keep_rp()
    need(C["OP_WRITE_LEN"] - 1)
    p(jmp="NAK_FIELD_A", cond="true")
    p.label("CBEND")
    p(jmp="NAK_LONG", cond="wpover")
    p(jmp="GO", cond="true")

    # ------------------------------------------------------------------ ADMIN checks
    p.label("CA")
    p("the header present (rp at 0)", jmp="NAK_LEN", cond="rpeqlen")
    need(C["ADMIN_HDR_LEN"])
    p("opcode: any", rp="set8", imm=1)
    p("policy", b="mem", jmp="NAK_FIELD", cond="bgt", imm=(1 << C["CMD_OP_POLICY_BITS"]) - 1)
    p(rp="inc")
    p("nargs", b="mem", jmp="NAK_FIELD", cond="bgt", imm=C["ADMIN_MAX_ARGS"])
    p(b="mem", cnt="ld", rp="inc")
    p("nres", b="mem", jmp="NAK_FIELD", cond="bgt", imm=C["ADMIN_MAX_RES"])
    p(rp="inc")
    p("flags", b="mem", jmp="NAK_FIELD", cond="band", imm=0xFF & ~C["ADMIN_F_PHASES"])
    p("length: header + 4 x nargs", rp="set8", imm=C["ADMIN_HDR_LEN"])
    p.label("CAL")
    p(jmp="CAL2", cond="cnt0")
    p(rp="inc", cnt="dec")
    p(rp="inc")
    p(rp="inc")
    p(rp="inc", jmp="CAL", cond="true")
    p.label("CAL2")
    p(jmp="NAK_LEN", cond="rpeqlen", pol=1)
    p(jmp="GO", cond="true")

    # ------------------------------------------------------------------ MEM checks
    p.label("CMR")
    p(rp="set8", imm=C["MEM_READ_LEN"])
    p("the length is MEM_READ_LEN", jmp="NAK_LEN", cond="rpeqlen", pol=1)
    p(rp="set8", imm=C["MEM_HDR_LEN"] + 1)
    p("words: high byte", b="mem", jmp="NAK_F8", cond="bgt", imm=0)
    p(rp="set8", imm=C["MEM_HDR_LEN"])
    p("words: low byte", b="mem", jmp="NAK_F8", cond="bgt", imm=C["MEM_MAX_WORDS"])
    p(b="mem", jmp="NAK_F8", cond="beq", imm=0)
    p(jmp="GO", cond="true")
    p.label("CMW")
    p("the header and a word present (rp at 0)", jmp="NAK_LEN", cond="rpeqlen")
    need(C["MEM_HDR_LEN"] + 4)
    p("cnt counts the data words", b="zero", cnt="ld")
    p(rp="set8", imm=C["MEM_HDR_LEN"])
    p.label("CMWL")
    p(jmp="CMWE", cond="rpeqlen")
    need(4)
    p(rp="inc", cnt="inc", jmp="CMWL", cond="true")
    p.label("CMWE")
    p(b="cnt", jmp="NAK_LEN", cond="bgt", imm=C["MEM_MAX_WORDS"])

    # ------------------------------------------------------------------ execution
    p.label("GO")
    p("status OK, detail 0", b="imm", imm=C["ST_OK"], wr="ai", aa=0)
    p(b="zero", wr="ai", aa=1)
    p(b="zero", wr="ai", aa=2)
    p("count 0", b="zero", wr="ai", aa=3, cnt="ld")
    p(rp="set8", imm=0)
    p(wp="set", imm=C["RESP_HDR_LEN"])
    p(jmp="XB", cond="kind", imm=K["REG_BATCH"])
    p(jmp="XI", cond="kind", imm=K["INFO"])
    p(jmp="FIN", cond="kind", imm=K["PING"])
    p("ADMIN, MEM_READ, MEM_WRITE", jmp="XADM", cond="true")
    # INFO: version, admin wait log2, max payload, then ID, VERSION, CAPS0..2
    p.label("XI")
    p(b="imm", imm=C["VERSION"], wr="a", wp="inc")
    p(b="imm", imm="AWL", wr="a", wp="inc")
    p(b="imm", imm=C["MAX_PAYLOAD"] & 0xFF, wr="a", wp="inc")
    p(b="imm", imm=C["MAX_PAYLOAD"] >> 8, wr="a", wp="inc")
    assert [R(r) for r in ("ID", "VERSION", "CAPS0", "CAPS1", "CAPS2")] == [0, 4, 8, 12, 16]
    p(b="imm", imm=5, cnt="ld")
    p.addr(R("ID"))
    rdloop("INFO")
    p(jmp="FIN", cond="true")

    # REG_BATCH: the operations in order; cnt counts them
    p.label("XB")
    p(jmp="XBEND", cond="rpeqlen")
    p(b="mem", jmp="XBW", cond="bgt", imm=C["OP_READ"])
    p(rp="inc")
    p(b="mem", ad="sh", rp="inc")
    p(b="mem", ad="sh", rp="inc")
    p.read()
    p.put_word(last=dict(cnt="inc", jmp="XB", cond="true"))
    p.label("XBW")
    p(rp="inc")
    p(b="mem", ad="sh", rp="inc")
    p(b="mem", ad="sh", rp="inc")
    p.word_from_req()
    p(bus="wr", cnt="inc", jmp="XB", cond="true")
    p.label("XBEND")
    p("detail: the operations", b="cnt", wr="ai", aa=2)
    p(jmp="FIN", cond="true")

    # The admin transaction (ADMIN, MEM_READ, MEM_WRITE), one routine with branches on the kind:
    # ADMIN_STATUS, CPL_SEQ, [MEM_WRITE: the data words], the arguments, CMD_OP, the doorbell,
    # CPL_SEQ until it moves, CPL_STATUS, the results, [the phases / the words read], IRQ_ACK.
    p.label("XADM")
    p.addr(R("ADMIN_STATUS"))
    p.read()
    p(b="w0", jmp="XBUSY", cond="band", imm=1 << C["ADMIN_STATUS_BUSY_LSB"])
    p.addr(R("CPL_SEQ"))
    p.read()
    p("CPL_SEQ before the doorbell", s0=1)
    p(jmp="ARGS_A", cond="kind", imm=K["ADMIN"])
    p(jmp="ARGS_M", cond="kind", imm=K["MEM_READ"])
    # MEM_WRITE: the data words into the window first; cnt counts them
    p(b="zero", cnt="ld")
    p(rp="set8", imm=C["MEM_HDR_LEN"])
    p.addr(C["DATA_BASE"])
    p.label("DW")
    p(jmp="DWE", cond="rpeqlen")
    p.word_from_req()
    p(bus="wr", cnt="inc")
    p(ad="add4", jmp="DW", cond="true")
    p.label("DWE")
    p(rp="set8", imm=0)
    p.label("ARGS_M")  # handle, va from the payload; then the words
    p.addr(R("CMD_ARG0"))
    for i in range(2):
        p.word_from_req()
        p(bus="wr")
        p(ad="add4")
    p(jmp="ARG2_MW", cond="kind", imm=K["MEM_WRITE"])
    p("MEM_READ: words u16", b="mem", wsh=1, rp="inc")
    p(b="mem", wsh=1, jmp="ARG2", cond="true")
    p.label("ARG2_MW")
    p("MEM_WRITE: the words counted", b="cnt", wsh=1)
    p(b="zero", wsh=1)
    p.label("ARG2")
    p(b="zero", wsh=1)
    p(b="zero", wsh=1)
    p(bus="wr")
    p.addr(R("CMD_OP"))
    p(jmp="OP_MW", cond="kind", imm=K["MEM_WRITE"])
    p(b="imm", imm=C["OP_MEM_READ"], wsh=1, jmp="OP3", cond="true")
    p.label("OP_MW")
    p(b="imm", imm=C["OP_MEM_WRITE"], wsh=1, jmp="OP3", cond="true")
    p.label("ARGS_A")  # ADMIN: nargs words from payload offset ADMIN_HDR_LEN
    p(rp="set8", imm=2)
    p("nargs", b="mem", cnt="ld")
    p(rp="set8", imm=C["ADMIN_HDR_LEN"])
    p.addr(R("CMD_ARG0"))
    p.label("ARGS_AL")
    p(jmp="OP_A", cond="cnt0")
    p.word_from_req()
    p(bus="wr", cnt="dec")
    p(ad="add4", jmp="ARGS_AL", cond="true")
    p.label("OP_A")  # opcode, policy: payload bytes 0, 1 (the policy was checked < 4)
    p.addr(R("CMD_OP"))
    p(rp="set8", imm=0)
    p(b="mem", wsh=1, rp="inc")
    p(b="mem", wsh=1, jmp="OP2", cond="true")
    p.label("OP3")
    p(b="zero", wsh=1)
    p.label("OP2")
    p(b="zero", wsh=1)
    p(b="zero", wsh=1)
    p(bus="wr")
    p.addr(R("ADMIN_DOORBELL"))
    p.word_imm(1)
    p(bus="wr")
    p.addr(R("CPL_SEQ"))
    p("the admin wait starts", wclr=1)
    p.label("POLL")
    p.read()
    p(jmp="MOVED", cond="seqmoved")
    p(jmp="POLL", cond="waitdone", pol=1)
    p(jmp="XTIMEOUT", cond="true")
    p.label("MOVED")
    p("CPL_SEQ as it moved: response bytes 8..11", wp="set", imm=C["RESP_HDR_LEN"] + 4)
    p.put_word()
    p.addr(R("CPL_STATUS"))
    p.read()
    p(jmp="ST_A", cond="kind", imm=K["ADMIN"])
    # CPL_STATUS != 0: each byte tested as the word rotates (b = w0 into the top); a non-zero
    # byte finishes the rotation at NZ_k, so the word is whole again at ST_MRF
    for k in (3, 2, 1):
        p(b="w0", wsh=1, jmp=f"NZ_{k}", cond="band", imm=0xFF)
    p(b="w0", wsh=1, jmp="ST_MRF", cond="band", imm=0xFF)
    p(jmp="ST_MRF", cond="kind", imm=K["MEM_WRITE"])
    # MEM_READ that succeeded: status, CPL_RES0, the words
    put_status()
    p.addr(R("CPL_RES0"))
    p.read()
    p.put_word(last=dict(rp="set8", imm=C["MEM_HDR_LEN"]))
    p("words", b="mem", cnt="ld")
    p.addr(C["DATA_BASE"])
    rdloop("MRD")
    p(jmp="ACK", cond="true")
    p.label("NZ_3")
    p(b="w0", wsh=1)
    p.label("NZ_2")
    p(b="w0", wsh=1)
    p.label("NZ_1")
    p(b="w0", wsh=1)
    p.label("ST_MRF")  # MEM_WRITE, or MEM_READ that failed: status, CPL_RES0
    put_status()
    p.addr(R("CPL_RES0"))
    p.read()
    p.put_word(last=dict(jmp="ACK", cond="true"))
    p.label("ST_A")  # ADMIN: status, nres results, [the phases]
    put_status()
    p(rp="set8", imm=3)
    p("nres", b="mem", cnt="ld")
    p.addr(R("CPL_RES0"))
    rdloop("RES_A")
    p(rp="set8", imm=4)
    p("flags: PHASES", b="mem", jmp="ACK", cond="band", imm=C["ADMIN_F_PHASES"], pol=1)
    p(b="imm", imm=C["ADMIN_NPHASES"], cnt="ld")
    p.addr(R("TD_VALIDATE"))
    rdloop("PH")
    p.label("ACK")
    p.addr(R("IRQ_ACK"))
    p.word_imm(1 << C["IRQ_ACK_ACK_LSB"])
    p(bus="wr", jmp="FIN", cond="true")

    # ------------------------------------------------------------------ endings
    p.label("XBUSY")  # ADMIN_STATUS.BUSY: nothing written; detail ADMIN_STATUS[15:0]
    p(b="imm", imm=C["ST_ADMIN_BUSY"], wr="ai", aa=0)
    p(b="w0", wr="ai", aa=2, wsh=1)
    p(b="w0", wr="ai", aa=3)
    p(jmp="FIN", cond="true")
    p.label("XTIMEOUT")  # no completion: detail CPL_SEQ[15:0] as last read
    p(b="imm", imm=C["ST_ADMIN_TIMEOUT"], wr="ai", aa=0)
    p(b="w0", wr="ai", aa=2, wsh=1)
    p(b="w0", wr="ai", aa=3)
    p(jmp="FIN", cond="true")
    p.label("BUSERR")  # a read not answered (the executor jumps here)
    p(b="imm", imm=C["ST_BUS_ERROR"], wr="ai", aa=0)
    p(jmp="BEB", cond="kind", imm=K["REG_BATCH"])
    p("detail: the address; no data", b="adlo", wr="ai", aa=2)
    p(b="adhi", wr="ai", aa=3)
    p(wp="set", imm=C["RESP_HDR_LEN"], jmp="FIN", cond="true")
    p.label("BEB")  # REG_BATCH: the operations done; their reads stay (detail byte 3 is 0)
    p(b="cnt", wr="ai", aa=2)
    p.label("FIN")
    p(jmp="FRAME_B", cond="true")
    p.label("XEND")

    p.label("CHK_LB")  # the length field is wrong: version and replay first
    p(rp="setw", imm=REQ_HDR)
    p(b="mem", jmp="NK_VER", cond="beq", imm=C["VERSION"], pol=1)
    p(jmp="REPLAY", cond="replay")
    p(jmp="NAK_LEN", cond="true")

    # ------------------------------------------------------------------ NAKs (nothing executed)
    # the payload: status, 0, detail at A_BASE; then NAK_TAIL frames it at N_BASE and sends it
    p.label("NK_CRC")  # BAD_CRC, detail the decoded length (wp + MIN_FRAME)
    for _ in range(C["MIN_FRAME"]):
        p(wp="inc")
    p.head(C["ST_BAD_CRC"], "wplo", "wphi")
    p(jmp="NAK_TAIL", cond="true")
    p.label("NK_VER")  # BAD_VERSION, detail the version byte (rp at it)
    p.head(C["ST_BAD_VERSION"], "mem", "zero")
    p(jmp="NAK_TAIL", cond="true")
    p.label("NK_KIND")  # BAD_KIND, detail the kind byte (rp at it)
    p.head(C["ST_BAD_KIND"], "mem", "zero")
    p(jmp="NAK_TAIL", cond="true")
    p.label("NAK_LEN")  # BAD_LENGTH, detail the length field
    p(rp="setw", imm=REQ_HDR + C["OFF_LEN"])
    p.head(C["ST_BAD_LENGTH"], "mem", "mem", lo_mem=True)
    p(jmp="NAK_TAIL", cond="true")
    p.label("NAK_F8")   # BAD_FIELD at the MEM_READ words field
    p(rp="set8", imm=C["MEM_HDR_LEN"])
    p.label("NAK_FIELD")  # BAD_FIELD, detail the payload offset rp
    p.head(C["ST_BAD_FIELD"], "rplo", "rphi")
    p(jmp="NAK_TAIL", cond="true")
    p.label("NAK_FIELD_A")  # BAD_FIELD, the payload offset kept in addr
    p.head(C["ST_BAD_FIELD"], "adlo", "adhi")
    p(jmp="NAK_TAIL", cond="true")
    p.label("NAK_LONG")  # TOO_LONG, detail the response length (counted in wp)
    p.head(C["ST_TOO_LONG"], "wplo", "wphi")
    p.label("NAK_TAIL")
    p(b="zero", wr="ai", aa=1)
    p(wp="set", imm=C["RESP_HDR_LEN"])
    frame("N", N_BASE, "nak")
    p(rp="setw", imm=N_BASE)
    p(jmp="SEND", cond="true")


    # ------------------------------------------------------------------ framing, sending
    p.label("FRAME_B")
    p("a new response: it is the one kept", keep=1)
    frame("B", B_BASE, "kind")
    p.label("REPLAY")
    p(rp="setw", imm=B_BASE)
    p.label("SEND")  # the frame at rp: a delimiter, then its bytes up to its own delimiter
    p(b="zero", tx=1)
    p.label("SEND_L")
    p(b="mem", tx=1, rp="inc", jmp="SEND_L", cond="beq", imm=0, pol=1)
    p(jmp="RX_START", cond="true")


def frame_routine(p):
    def frame(tag, base, kind):
        """frame version | kind | seq | length (wp) | payload (A_BASE..) | CRC, COBS-encoded
        at `base` (its trailing delimiter included). kind: "nak", or "kind" (the request's
        kind with bit 7 set, by a jump table on it)."""
        p(ops=1, imm=base)
        p("the seq byte, emitted below", rp="setw", imm=REQ_HDR + C["OFF_SEQ"])
        p(wr="open", crc="init")
        p(b="imm", imm=C["VERSION"], wr="emit", crc="upd")
        if kind == "nak":
            p(b="imm", imm=C["KIND_NAK"], wr="emit", crc="upd")
        else:
            first, last = C["KIND_FIRST"], C["KIND_LAST"]
            for k in range(first + 1, last + 1):
                p(jmp=f"FK{k}_{tag}", cond="kind", imm=k)
            for k in range(first, last + 1):
                if k != first:
                    p.label(f"FK{k}_{tag}")
                p(b="imm", imm=C["KIND_RESPONSE"] | k, wr="emit", crc="upd", jmp="FS_" + tag,
                  cond="true")
            p.label("FS_" + tag)
        p(b="mem", wr="emit", crc="upd")
        p(b="wplo", wr="emit", crc="upd")
        p(b="wphi", wr="emit", crc="upd")
        p(rp="setw", imm=A_BASE)
        p.label("FP_" + tag)
        p("rp at A_BASE + wp", jmp="FC_" + tag, cond="rpend")
        p(b="mem", wr="emit", crc="upd", rp="inc", jmp="FP_" + tag, cond="true")
        p.label("FC_" + tag)
        p("the CRC, most significant byte first (the register holds)", b="crchi", wr="emit")
        p(b="crclo", wr="emit")
        p("the last block's code byte; the delimiter after it", wr="close")
        p(b="zero", wr="endz")
    return frame


def assemble(p):
    words = []
    for addr, (f, comment) in enumerate(p.ins):
        f = dict(f)
        for k in f:
            if k not in dict(FIELDS) and k != "aa":
                fail(f"@{addr}: unknown field {k}")
        lo, hi, full = {}, {}, {}  # users of imm[7:0], imm[15:8], all 16 bits
        cond = f.get("cond")
        if "jmp" in f and cond is None:
            fail(f"@{addr}: jump without a condition")
        if cond in IMM8_CONDS:
            lo["cond"] = f.get("imm")
        if f.get("b") == "zero":  # the byte 0: an immediate
            f["b"], lo["b"] = "imm", 0
        elif f.get("b") == "imm":
            lo["b"] = f.get("imm")
        if f.get("rp") == "set8":
            lo["rp"] = f.get("imm")
        if f.get("wp") == "set":
            lo["wp"] = f.get("imm")
        if f.get("wr") == "ai":
            if "aa" not in f:
                fail(f"@{addr}: wr ai needs aa")
            hi["aa"] = f["aa"]
        elif "aa" in f:
            fail(f"@{addr}: aa without wr ai")
        if "jmp" in f:
            if f["jmp"] not in p.labels:
                fail(f"@{addr}: no label {f['jmp']}")
            hi["jmp"] = p.labels[f["jmp"]]
        if f.get("ad") == "imm":
            full["ad"] = f.get("imm")
        if f.get("rp") == "setw":
            full["rp"] = f.get("imm")
        if f.get("ops"):
            full["ops"] = f.get("imm")
            if f.get("imm") not in (B_BASE, N_BASE) or B_BASE & N_BASE:
                fail(f"@{addr}: ops {f.get('imm')}: the RTL keeps only the bits of B_BASE | "
                     "N_BASE (and needs them disjoint)")
        for what in (lo, full):
            if None in what.values():
                fail(f"@{addr}: {sorted(what)} needs imm")
        if len(set(lo.values())) > 1:
            fail(f"@{addr}: imm[7:0] wanted as {lo}")
        if len(full) > 1 or (full and (lo or hi)):
            fail(f"@{addr}: the 16-bit immediate wanted as {full} {lo} {hi}")
        awl = "AWL" in lo.values()
        imm = 0
        if lo and not awl:
            imm = set(lo.values()).pop()
            if not 0 <= imm <= 0xFF:
                fail(f"@{addr}: byte operand {imm} out of range")
        if full:
            imm = full.popitem()[1]
            if not 0 <= imm <= 0xFFFF:
                fail(f"@{addr}: immediate {imm:#x} out of range")
        if len(hi) > 1:
            fail(f"@{addr}: imm[15:8] wanted as {hi}")
        if hi:
            who, v = hi.popitem()
            if not 0 <= v < (1 << (UPC_BITS if who == "jmp" else 8)):
                fail(f"@{addr}: {who} {v} out of range")
            imm |= (v & 0xFF) << 8
            if who == "jmp":
                f["jt8"] = v >> 8
        if "jmp" in f:
            f["jmp"] = 1
        enc = {}
        for name, _ in FIELDS:
            v = f.get(name)
            if name in CODES:
                if v is None:
                    v = CODES[name][0]
                if v not in CODES[name]:
                    fail(f"@{addr}: {name}={v}")
                v = CODES[name].index(v)
            enc[name] = 0 if v is None else v
        enc["imm"] = imm
        word, lsb = 0, 0
        for name, w in FIELDS:
            if not 0 <= enc[name] < (1 << w):
                fail(f"@{addr}: {name}={enc[name]} does not fit {w} bits")
            word |= enc[name] << lsb
            lsb += w
        words.append((word, awl, comment, f))
    if len(words) > (1 << UPC_BITS):
        fail(f"{len(words)} instructions > {1 << UPC_BITS}")
    return words


def render(p, words):
    lsb, out = 0, []
    out.append("// GENERATED by tools/link_ucode.py from its program: do not edit.")
    out.append("// The link bridge's microcode (rtl/link/sgpu_link_bridge.sv): the instruction layout,")
    out.append("// the buffer's layout, the labels the RTL and the proofs use, and the program,")
    out.append("// ucode(addr, admin_wait_log2).")
    out.append("package sgpu_link_ucode_pkg;")
    out.append("  // Waiver: the bridge decodes each field by its codes; the hold codes and the")
    out.append("  // program's length are named for the reader and the proofs, not used by the logic.")
    out.append("  /* verilator lint_off UNUSEDPARAM */")
    out.append(f"  localparam int unsigned WIDTH = {WIDTH};  // bits of an instruction")
    out.append(f"  localparam int unsigned UPC_BITS = {UPC_BITS};")
    out.append(f"  localparam int unsigned LENGTH = {len(words)};  // instructions")
    for name, w in FIELDS:
        out.append(f"  localparam int unsigned F_{name.upper()} = {lsb};  // {w} bit{'s' if w > 1 else ''}")
        lsb += w
    for name, codes in CODES.items():
        w = dict(FIELDS)[name]
        for i, c in enumerate(codes):
            out.append(f"  localparam logic [{w - 1}:0] {name.upper()}_{c.upper()} = {w}'d{i};")
    out.append(f"  localparam int unsigned MEM_DEPTH = {MEM_DEPTH};  // the buffer, bytes")
    out.append(f"  localparam int unsigned B_BASE = {B_BASE};  // the kept response, encoded")
    out.append(f"  localparam int unsigned N_BASE = {N_BASE};  // a NAK, encoded")
    out.append(f"  localparam int unsigned REQ_PAY = {REQ_PAY};  // the request's payload byte 0")
    out.append(f"  localparam int unsigned A_BASE = {A_BASE};  // the response payload as executed")
    for lab in EXPORT:
        out.append(f"  localparam logic [{UPC_BITS - 1}:0] L_{lab} = {UPC_BITS}'d{p.labels[lab]};")
    out.append("")
    out.append(f"  function automatic logic [{WIDTH - 1}:0] ucode(input logic [{UPC_BITS - 1}:0] a,")
    out.append("                                            input logic [7:0] awl);")
    out.append("    unique case (a)")
    inv = {v: k for k, v in p.labels.items()}
    imm_lsb = sum(w for n, w in FIELDS if n != "imm")
    for addr, (word, awl, comment, f) in enumerate(words):
        lab = f"  // {inv[addr]}" if addr in inv else ""
        expr = f"{WIDTH}'h{word:0{(WIDTH + 3) // 4}x}"
        if awl:
            expr += f" | ({WIDTH}'(awl) << {imm_lsb})"
        out.append(f"      {UPC_BITS}'d{addr}: ucode = {expr};{lab}")
    out.append(f"      default: ucode = {WIDTH}'h0;  // unused: never reached")
    out.append("    endcase")
    out.append("  endfunction")
    out.append("endpackage")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=ROOT)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    p = Prog()
    program(p)
    words = assemble(p)
    text = render(p, words)
    if a.list:
        inv = {v: k for k, v in p.labels.items()}
        for addr, (_, _, comment, f) in enumerate(words):
            print(f"{addr:3d} {inv.get(addr, ''):10s} {f} {comment}")
        return
    path = os.path.join(a.out, OUT)
    if a.check:
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            fail(f"{OUT} is out of date: run make gen")
        print(f"link_ucode: {OUT} matches the program ({len(words)} of "
              f"{1 << UPC_BITS} instructions)")
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
