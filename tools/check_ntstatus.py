#!/usr/bin/env python3
"""Check every status code of regmap/sgpu.toml, and the host-only codes of host/include/sgpu.h,
against the real ntstatus.h (mingw-w64's copy, Debian package mingw-w64-common): same name,
same value. Usage: check_ntstatus.py [PATH_TO_NTSTATUS_H]"""
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/mingw-w64/include/ntstatus.h"
real = {}
with open(path, encoding="latin-1") as f:
    for m in re.finditer(r"#define\s+(STATUS_\w+)\s+\(\(NTSTATUS\)(0x[0-9A-Fa-f]+)L?\)", f.read()):
        real[m.group(1)] = int(m.group(2), 16)
if len(real) < 100:
    sys.exit(f"check_ntstatus: only {len(real)} codes parsed from {path}: wrong file?")
with open(os.path.join(ROOT, "regmap", "sgpu.toml"), "rb") as f:
    ours = [(s["name"], s["value"], "regmap/sgpu.toml") for s in tomllib.load(f)["status"]]
with open(os.path.join(ROOT, "host", "include", "sgpu.h")) as f:
    for m in re.finditer(r"#define\s+SGPU_(STATUS_\w+)\s+(0x[0-9A-Fa-f]+)u", f.read()):
        ours.append((m.group(1), int(m.group(2), 16), "host/include/sgpu.h"))
bad = 0
for name, value, where in ours:
    if name not in real:
        print(f"{where}: {name} is not in {path}")
        bad += 1
    elif real[name] != value:
        print(f"{where}: {name} is 0x{value:08X} here but 0x{real[name]:08X} in ntstatus.h")
        bad += 1
    else:
        print(f"ok  {name:34s} 0x{value:08X}")
print(f"{len(ours) - bad} of {len(ours)} status codes match ntstatus.h")
sys.exit(1 if bad else 0)
