#!/usr/bin/env python3
"""linkmap.py - generate the wire protocol's constants from regmap/link.toml.

Usage: linkmap.py [--src TOML] [--out DIR] [--check]
  (none)     write host/lib/sgpu_link.h and rtl/gen/sgpu_link_pkg.sv under DIR (default: the
             repository)
  --check    regenerate in memory and fail if a checked-in output differs (make check-gen)

The protocol (docs/protocol.md) is typed once, in regmap/link.toml: the C side (libsgpu's
link_proto.h includes sgpu_link.h; the reference bridge, the tests) and the RTL bridge
(sgpu_link_pkg::NAME) read the same values. The kinds and statuses are also emitted as C
X-lists (SGPU_LINK_KIND_LIST(X) with X(name, value), SGPU_LINK_STATUS_LIST(X) with
X(name, value, detail)), so C code that walks them stays one list.

Checks: names are unique upper-case identifiers, every value fits 0..2^32-1 (and its bits, if
given), expressions only use + - * // and parentheses over earlier names, kinds are 0x01..0x7F
and consecutive (the bridge checks a request kind by range), statuses below ST_FIRST_EXEC are
NAK statuses. Python standard library only (tomllib: Python >= 3.11).
"""
import argparse
import ast
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "regmap", "link.toml")
OUTPUTS = {"c": "host/lib/sgpu_link.h", "sv": "rtl/gen/sgpu_link_pkg.sv"}


def fail(msg):
    sys.exit(f"linkmap: {msg}")


def evaluate(expr, env, what):
    """Integer value of expr (+ - * // and parentheses over names in env)."""
    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.Name):
            if n.id not in env:
                fail(f"{what}: '{n.id}' is not an earlier constant")
            return env[n.id]
        if isinstance(n, ast.BinOp) and type(n.op) in (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv):
            a, b = ev(n.left), ev(n.right)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b,
                    ast.FloorDiv: a // b if b else fail(f"{what}: division by 0")}[type(n.op)]
        fail(f"{what}: only + - * // and parentheses over names and numbers: '{expr}'")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as e:
        fail(f"{what}: '{expr}': {e.msg}")
    return ev(tree)


def load(path):
    with open(path, "rb") as f:
        m = tomllib.load(f)
    unknown = set(m) - {"const", "kind", "status"}
    if unknown:
        fail(f"{path}: unknown tables {sorted(unknown)}")
    env, seen = {}, set()

    def name_ok(n, what):
        if not isinstance(n, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", n):
            fail(f"{what}: name '{n}' is not an upper-case identifier")
        if n in seen:
            fail(f"{what}: name '{n}' given twice")
        seen.add(n)

    consts = []
    for i, c in enumerate(m.get("const", [])):
        what = f"const #{i} ({c.get('name')})"
        name_ok(c.get("name"), what)
        if ("value" in c) == ("expr" in c):
            fail(f"{what}: give value or expr, exactly one")
        v = c["value"] if "value" in c else evaluate(c["expr"], env, what)
        bits = c.get("bits")
        if bits not in (None, 8, 16):
            fail(f"{what}: bits {bits} (8, 16 or none)")
        if not 0 <= v < (1 << (bits or 32)):
            fail(f"{what}: value {v} does not fit {bits or 32} bits")
        if not c.get("doc"):
            fail(f"{what}: no doc")
        env[c["name"]] = v
        consts.append(dict(c, value=v))

    kinds = []
    for i, k in enumerate(m.get("kind", [])):
        what = f"kind #{i} ({k.get('name')})"
        name_ok("KIND_" + str(k.get("name")), what)
        v = k.get("value")
        if not isinstance(v, int) or not 0x01 <= v <= 0x7F:
            fail(f"{what}: value {v} is not 0x01..0x7F (bit 7 marks a response)")
        if kinds and v != kinds[-1]["value"] + 1:
            fail(f"{what}: value 0x{v:02X} does not follow 0x{kinds[-1]['value']:02X} "
                 "(the bridge checks a request kind by range)")
        if not k.get("doc"):
            fail(f"{what}: no doc")
        kinds.append(k)
    if not kinds:
        fail("no [[kind]]")

    first_exec = env.get("ST_FIRST_EXEC")
    if first_exec is None:
        fail("const ST_FIRST_EXEC is missing")
    statuses = []
    for i, s in enumerate(m.get("status", [])):
        what = f"status #{i} ({s.get('name')})"
        name_ok("ST_" + str(s.get("name")), what)
        v = s.get("value")
        if not isinstance(v, int) or not 0 <= v <= 0xFF:
            fail(f"{what}: value {v} is not a byte")
        if any(v == t["value"] for t in statuses):
            fail(f"{what}: value 0x{v:02X} given twice")
        for key in ("detail", "doc"):
            if not s.get(key) or '"' in s[key] or "\\" in s[key]:
                fail(f"{what}: {key} missing, or with a quote or backslash")
        statuses.append(s)
    if not any(s["value"] == 0 for s in statuses):
        fail("no status with value 0 (OK)")
    return consts, kinds, statuses


def c_hex(v, bits):
    return f"0x{v:0{(bits or 8) // 4}X}u" if bits else f"{v}u"


def gen_c(consts, kinds, statuses):
    L = ["/* Generated by tools/linkmap.py from regmap/link.toml. Do not edit. */",
         "/* sgpu_link.h - the wire protocol's constants (docs/protocol.md): SGPU_LINK_*, and",
         " * the request kinds and the response statuses as X-lists. Included by link_proto.h. */",
         "#ifndef SGPU_LINK_H", "#define SGPU_LINK_H", ""]
    for c in consts:
        src = f" = {c['expr'].replace('//', '/')}" if "expr" in c else ""
        L.append(f"#define SGPU_LINK_{c['name']} {c_hex(c['value'], c.get('bits'))}"
                 f" /* {c['doc']}{src} */")
    L += ["", "/* The request kinds, in order: X(name, value). A response has the kind | "
          "SGPU_LINK_KIND_RESPONSE. */"]
    L.append("#define SGPU_LINK_KIND_LIST(X) \\")
    for i, k in enumerate(kinds):
        end = " \\" if i + 1 < len(kinds) else ""
        L.append(f"  X({k['name']}, 0x{k['value']:02X}u){end}")
    L += ["#define X(name, value) SGPU_LINK_KIND_##name = value,",
          "enum { SGPU_LINK_KIND_LIST(X) };", "#undef X",
          f"#define SGPU_LINK_KIND_FIRST SGPU_LINK_KIND_{kinds[0]['name']}",
          f"#define SGPU_LINK_KIND_LAST SGPU_LINK_KIND_{kinds[-1]['name']}", ""]
    L += ["/* Response statuses: X(name, value, detail), detail being what the u16 detail names. "
          "Below", " * SGPU_LINK_ST_FIRST_EXEC in a NAK (nothing executed), from it on in a "
          "response (executed). */"]
    L.append("#define SGPU_LINK_STATUS_LIST(X) \\")
    for i, s in enumerate(statuses):
        end = " \\" if i + 1 < len(statuses) else ""
        L.append(f"  X({s['name']}, 0x{s['value']:02X}u, \"{s['detail']}\"){end}")
    L += ["#define X(name, value, detail) SGPU_LINK_ST_##name = value,",
          "enum { SGPU_LINK_STATUS_LIST(X) };", "#undef X", "", "#endif /* SGPU_LINK_H */", ""]
    return "\n".join(L)


def gen_sv(consts, kinds, statuses):
    L = ["// Generated by tools/linkmap.py from regmap/link.toml. Do not edit.", "//",
         "// The wire protocol's constants (docs/protocol.md) for the RTL host link (rtl/link/),",
         "// referenced as sgpu_link_pkg::NAME (Yosys does not accept `import`). Sizes, offsets",
         "// and counts are int unsigned; bytes and CRC words on the wire are logic vectors.",
         "package sgpu_link_pkg;",
         "  // Waiver: each block uses only part of the protocol, so unused constants are expected.",
         "  /* verilator lint_off UNUSEDPARAM */"]

    def decl(name, v, bits, doc):
        if bits:
            L.append(f"  localparam logic [{bits - 1}:0] {name} = {bits}'h{v:0{bits // 4}X};"
                     f"  // {doc}")
        else:
            L.append(f"  localparam int unsigned {name} = {v};  // {doc}")
    for c in consts:
        decl(c["name"], c["value"], c.get("bits"), c["doc"])
    for k in kinds:
        decl("KIND_" + k["name"], k["value"], 8, k["doc"])
    decl("KIND_FIRST", kinds[0]["value"], 8, "the first request kind")
    decl("KIND_LAST", kinds[-1]["value"], 8, "the last request kind (they are consecutive)")
    for s in statuses:
        decl("ST_" + s["name"], s["value"], 8, f"{s['doc']}; detail: {s['detail']}")
    L += ["  /* verilator lint_on UNUSEDPARAM */", "endpackage", ""]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=SRC)
    ap.add_argument("--out", default=ROOT)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    m = load(a.src)
    texts = {"c": gen_c(*m), "sv": gen_sv(*m)}
    if a.check:
        bad = []
        for k, rel in OUTPUTS.items():
            path = os.path.join(a.out, rel)
            have = open(path).read() if os.path.exists(path) else None
            if have != texts[k]:
                bad.append(rel)
        if bad:
            fail(f"out of date (run make gen): {', '.join(bad)}")
        print(f"linkmap: {len(OUTPUTS)} generated files match regmap/link.toml")
        return
    for k, rel in OUTPUTS.items():
        path = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(texts[k])
        print(f"linkmap: wrote {rel}")


if __name__ == "__main__":
    main()
