#!/usr/bin/env python3
"""Merge Verilator coverage files (.dat from a --coverage model) and report, for rtl/:
line (line + branch points) and functional (cover property) coverage, per file and in total,
then list every uncovered line point and every functional cover never hit. (No toggle
coverage: see SIM_PARAMS_smallcov in mk/verilator.mk.)
Usage: coverage_report.py DIR [--min-line PCT]  (exit 1 if line coverage < PCT)"""
import collections
import glob
import os
import sys


def parse(path, acc, meta):
    with open(path, encoding="latin-1") as f:
        for line in f:
            if not line.startswith("C '"):
                continue
            key, count = line[3:].rsplit("' ", 1)
            fields = dict(kv.split("\x02", 1) for kv in key.split("\x01") if "\x02" in kv)
            acc[key] += int(count)
            meta[key] = fields


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    min_line = float(sys.argv[sys.argv.index("--min-line") + 1]) if "--min-line" in sys.argv else None
    files = glob.glob(os.path.join(d, "*.dat"))
    if not files:
        sys.exit(f"coverage_report: no .dat files in {d}")
    acc, meta = collections.Counter(), {}
    for p in files:
        parse(p, acc, meta)
    kinds = {"line": ("v_line", "v_branch"), "functional": ("v_user",)}
    per = collections.defaultdict(lambda: [0, 0])   # (kind, file) -> [hit, total]
    uncovered_lines, uncovered_user = [], []
    for key, n in acc.items():
        m = meta[key]
        fname = m.get("f", "")
        if not fname.startswith("rtl/") or fname.startswith("rtl/gen/"):
            continue
        page = m.get("page", "")
        kind = next((k for k, pre in kinds.items() if page.startswith(pre)), None)
        if not kind:
            continue
        per[(kind, fname)][1] += 1
        if n:
            per[(kind, fname)][0] += 1
        elif kind == "line":
            uncovered_lines.append((fname, int(m.get("l", 0)), m.get("o", ""), m.get("h", "")))
        elif kind == "functional":
            uncovered_user.append((fname, int(m.get("l", 0)), m.get("o", "")))
    print(f"coverage of rtl/ from {len(files)} model run(s):")
    print(f"  {'file':28s} {'line':>14s} {'functional':>12s}")
    tot = {k: [0, 0] for k in kinds}
    for fname in sorted({f for (_, f) in per}):
        cells = []
        for k in kinds:
            h, t = per.get((k, fname), [0, 0])
            tot[k][0] += h
            tot[k][1] += t
            cells.append(f"{h}/{t} {100.0 * h / t:5.1f}%" if t else "-")
        print(f"  {fname:28s} {cells[0]:>14s} {cells[1]:>12s}")
    pct = {k: (100.0 * h / t if t else 0.0) for k, (h, t) in tot.items()}
    print("  " + "-" * 56)
    print(f"  {'total':28s} " + " ".join(f"{tot[k][0]}/{tot[k][1]} {pct[k]:5.1f}%".rjust(w)
                                        for k, w in zip(kinds, (14, 12))))
    print(f"\nuncovered line/branch points ({len(uncovered_lines)}):")
    for f, l, o, h in sorted(set(uncovered_lines)):
        print(f"  {f}:{l}  {o}  ({h})")
    print(f"\nfunctional covers never hit ({len(uncovered_user)}):")
    for f, l, o in sorted(set(uncovered_user)):
        print(f"  {f}:{l}  {o}")
    if min_line is not None and pct["line"] < min_line:
        print(f"\ncoverage_report: line coverage {pct['line']:.1f}% is below {min_line}%")
        sys.exit(1)


if __name__ == "__main__":
    main()
