#!/usr/bin/env python3
"""plot_teardown.py - the teardown benchmark as a PNG (make bench-plot).

    plot_teardown.py CSV PNG [--layout dense]

Reads the CSV of host/examples/bench_teardown.c (columns policy, pages, queues, cycles,
transport, layout, inflight, completion_cycles, reclaim_cycles, host_us) and draws, for one
layout (dense by default), two log-log panels against the pages mapped:
  left   completion latency in device cycles, one line per policy and transport; solid with
         no queue, dashed with the most queues measured
  right  reclaim: cycles from the completion until every freed frame is zeroed
Needs matplotlib (tools/venv.sh installs it into .venv).
"""
import argparse
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"eager": "tab:blue", "deferred": "tab:green", "host": "tab:red"}
LABELS = {"eager": "eager (hardware)", "deferred": "deferred (hardware)",
          "host": "host-driven"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--layout", default="dense")
    a = ap.parse_args()

    with open(a.csv, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["layout"] == a.layout]
    if not rows:
        sys.exit(f"plot_teardown: no {a.layout} rows in {a.csv}")
    maxq = max(int(r["queues"]) for r in rows)
    # (policy, transport, queues) -> [(pages, completion, reclaim)]
    series = defaultdict(list)
    for r in rows:
        series[(r["policy"], r["transport"], int(r["queues"]))].append(
            (int(r["pages"]), int(r["completion_cycles"]), int(r["reclaim_cycles"])))
    transports = sorted({k[1] for k in series})

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    order = ["eager", "deferred", "host"]
    for (pol, tr, q), pts in sorted(series.items(),
                                    key=lambda kv: (order.index(kv[0][0])
                                                    if kv[0][0] in order else 9, kv[0][1:])):
        if q not in (0, maxq):
            continue
        pts.sort()
        x = [p[0] for p in pts]
        label = LABELS.get(pol, pol)
        if len(transports) > 1:
            label += f" [{tr}]"
        label += f", {q} queues"
        style = dict(color=COLORS.get(pol), marker="o", markersize=4,
                     linestyle="-" if q == 0 else "--")
        ax1.plot(x, [max(p[1], 1) for p in pts], label=label, **style)
        ax2.plot(x, [max(p[2], 1) for p in pts], label=label, **style)
    for ax, title, ylabel in (
            (ax1, "Teardown completion latency", "device cycles, doorbell to completion"),
            (ax2, "Reclaim: completion to every freed frame zeroed", "device cycles")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(f"pages mapped ({a.layout} layout)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("sgpu process teardown: eager and deferred (in hardware) vs host-driven")
    fig.tight_layout()
    fig.savefig(a.png, dpi=120)
    print(f"plot_teardown: wrote {a.png}")


if __name__ == "__main__":
    main()
