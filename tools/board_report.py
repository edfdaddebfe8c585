#!/usr/bin/env python3
"""tools/board_report.py - the end of a board flow (boards/common.mk): read what Yosys and
nextpnr wrote, print a table, write build/BOARD/report.json, and fail when the build is not
what the board promises.

  board_report.py --board B --device D --family ice40|ecp5 --target-mhz F
                  --netlist NETLIST.json --pnr-report NEXTPNR_REPORT.json
                  [--expect CELL=N ...] [--out report.json]

Inputs:
  NETLIST.json      the flattened netlist Yosys wrote (write_json) for nextpnr
  NEXTPNR_REPORT    nextpnr's --report file: "utilization" (used/available per cell type)
                    and "fmax" (achieved and constraint per clock)
Checks (exit 1, the failing value named):
  - every clock's achieved frequency reaches --target-mhz (timing met);
  - no cell type is used above what the device has (it fits);
  - each --expect CELL=N: the netlist has exactly N cells of type CELL (a memory mapped to the
    block RAM or SPRAM intended: an SPRAM array that fell back to flip-flops, or a block RAM
    that stopped being inferred, fails here).
Share of the logic: each LUT and flip-flop cell of the netlist is attributed to a block by its
name. Yosys names a mapped cell after the net it drives, and a flattened net keeps its
hierarchical path (u_core.u_ctx.u_teardown.ph_q...), so the prefix says which instance the
logic came from; cells named after a net of a parent (ports between blocks) count for the
parent. An approximation, stated as such in the report.
"""
import argparse
import json
import re
import sys

# (block, hierarchical prefixes) in report order; the first match wins
BLOCKS = [
    ("teardown_and_process_table", ["u_core.u_ctx.u_teardown.", "u_core.u_ctx.u_proc_table.",
                                    "u_core.u_ctx.u_reclaim."]),
    ("memory_system", ["u_core.u_alloc.", "u_core.u_scrub.", "u_core.u_xbar.", "u_mem.",
                       "u_sdram.", "u_dram."]),
    ("mmu", ["u_core.u_mmu."]),
    ("link_bridge", ["u_link."]),
    ("rest_of_core", ["u_core."]),
]
FAMILY = {
    # logic cell as nextpnr counts it, LUT and FF cell types in the netlist, block RAM, SPRAM
    "ice40": {"lc": "ICESTORM_LC", "lut": re.compile(r"^SB_LUT4$"), "ff": re.compile(r"^SB_DFF"),
              "bram": "ICESTORM_RAM", "spram": "ICESTORM_SPRAM"},
    "ecp5": {"lc": "TRELLIS_COMB", "lut": re.compile(r"^LUT4$"), "ff": re.compile(r"^TRELLIS_FF$"),
             "bram": "DP16KD", "spram": None},
}


def block_of(name):
    name = name.lstrip("\\$")
    for block, prefixes in BLOCKS:
        for p in prefixes:
            if name.startswith(p):
                return block
    return "board_top"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--board", required=True)
    ap.add_argument("--device", required=True)
    ap.add_argument("--family", required=True, choices=sorted(FAMILY))
    ap.add_argument("--target-mhz", required=True, type=float)
    ap.add_argument("--netlist", required=True)
    ap.add_argument("--pnr-report", required=True)
    ap.add_argument("--expect", action="append", default=[], metavar="CELL=N")
    ap.add_argument("--out")
    a = ap.parse_args()
    fam = FAMILY[a.family]
    errors = []

    with open(a.netlist) as f:
        net = json.load(f)
    tops = [m for m, v in net["modules"].items() if v.get("attributes", {}).get("top")]
    if len(tops) != 1:
        sys.exit(f"board_report: {a.netlist}: expected one top module, found {len(tops)}")
    cells = net["modules"][tops[0]]["cells"]
    if len(net["modules"]) > 1:
        others = [m for m in net["modules"] if m != tops[0] and
                  not net["modules"][m].get("attributes", {}).get("blackbox")]
        if others:
            errors.append(f"netlist not flattened: modules {others[:3]} besides {tops[0]}")
    types = {}
    share = {b: {"lut4": 0, "ff": 0} for b, _ in BLOCKS}
    share["board_top"] = {"lut4": 0, "ff": 0}
    for cname, c in cells.items():
        t = c["type"]
        types[t] = types.get(t, 0) + 1
        kind = "lut4" if fam["lut"].match(t) else "ff" if fam["ff"].match(t) else None
        if kind:
            share[block_of(cname)][kind] += 1
    lut4 = sum(v["lut4"] for v in share.values())
    ff = sum(v["ff"] for v in share.values())

    with open(a.pnr_report) as f:
        rep = json.load(f)
    util = rep.get("utilization", {})
    fmax = rep.get("fmax", {})
    if not util:
        errors.append(f"{a.pnr_report}: no utilization (nextpnr did not finish?)")
    for t, u in sorted(util.items()):
        if u["used"] > u["available"]:
            errors.append(f"{t}: {u['used']} used of {u['available']}: does not fit")
    if not fmax:
        errors.append(f"{a.pnr_report}: no fmax (nextpnr did not route?)")
    clocks = {}
    for clk, v in fmax.items():
        clocks[clk] = round(v["achieved"], 2)
        if v["achieved"] < a.target_mhz:
            errors.append(f"clock {clk}: {v['achieved']:.2f} MHz below the target {a.target_mhz:g} MHz: timing not met")
    for e in a.expect:
        cell, _, n = e.partition("=")
        if types.get(cell, 0) != int(n):
            errors.append(f"{cell}: {types.get(cell, 0)} in the netlist, expected {n} (a memory not mapped as intended?)")

    def used(key):
        return util.get(key, {}).get("used", 0) if key else 0

    def avail(key):
        return util.get(key, {}).get("available", 0) if key else 0

    fmax_min = min(clocks.values()) if clocks else 0.0
    report = {
        "board": a.board, "device": a.device, "family": a.family,
        "lut4": lut4, "ff": ff,
        "logic_cells": used(fam["lc"]), "logic_cells_available": avail(fam["lc"]),
        "bram": used(fam["bram"]), "bram_available": avail(fam["bram"]),
        "spram": used(fam["spram"]), "spram_available": avail(fam["spram"]),
        "fmax_mhz": fmax_min, "fmax_by_clock": clocks, "target_mhz": a.target_mhz,
        "timing_met": bool(clocks) and fmax_min >= a.target_mhz,
        "share": {b: {**v, "lut4_pct": round(100.0 * v["lut4"] / lut4, 1) if lut4 else 0.0}
                  for b, v in share.items()},
        "share_method": "cells attributed by the hierarchical name Yosys gives each mapped "
                        "cell (the net it drives); an approximation",
        "cells": dict(sorted(types.items())),
        "errors": errors,
    }
    print(f"board {a.board} ({a.device})")
    print(f"  {'logic cells':<28} {report['logic_cells']:>6} of {report['logic_cells_available']}")
    print(f"  {'LUT4':<28} {lut4:>6}")
    print(f"  {'flip-flops':<28} {ff:>6}")
    print(f"  {'block RAM':<28} {report['bram']:>6} of {report['bram_available']}")
    if fam["spram"]:
        print(f"  {'SPRAM':<28} {report['spram']:>6} of {report['spram_available']}")
    print(f"  {'fmax (MHz)':<28} {fmax_min:>6.2f} (target {a.target_mhz:g}: "
          f"{'met' if report['timing_met'] else 'NOT MET'})")
    print("  share of LUT4 / FF by block (by cell name, approximate):")
    for b, v in report["share"].items():
        print(f"    {b:<26} {v['lut4']:>6} LUT4 ({v['lut4_pct']:>4.1f} %) {v['ff']:>6} FF")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        print(f"  report: {a.out}")
    for e in errors:
        print(f"board_report: {a.board}: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
