#!/usr/bin/env python3
"""Draws bench/*.svg, the scaling curves, from BenchmarkDotNet's CSV reports.

    python3 bench/plot.py [RESULTS_DIR]

RESULTS_DIR defaults to bench/results/, where the reports the README's figures come from are
kept (copied from BenchmarkDotNet.Artifacts/results/). Standard library only; the output depends
on the CSV files alone (no dates, no random ids), so the same reports give the same SVGs.
"""

import csv
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UNITS = {"ns": 1e-9, "us": 1e-6, "\u03bcs": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0}
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
W, H = 640, 420
LEFT, RIGHT, TOP, BOTTOM = 80, 170, 40, 60


def seconds(text):
    """'1,234.5 us' -> 0.0012345."""
    number, unit = text.strip().split()
    return float(number.replace(",", "")) * UNITS[unit]


def report(results, name):
    path = os.path.join(results, f"DaxHolder.Bench.Benchmarks.{name}-report.csv")
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def size_bytes(text):
    number, unit = text[:-3], text[-3:]
    return int(number) * {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]


def si(value):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= div:
            return f"{value / div:g}{suffix}"
    return f"{value:g}"


def binary(value):
    for div, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if value >= div:
            return f"{value / div:g} {suffix}"
    return f"{value:g} B"


def duration(value):
    for div, suffix in ((1.0, "s"), (1e-3, "ms"), (1e-6, "\u00b5s"), (1e-9, "ns")):
        if value >= div:
            return f"{value / div:g} {suffix}"
    return f"{value:g} s"


def decades(lo, hi):
    return [10.0 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart(path, title, xlabel, ylabel, series, xticks, xfmt, yfmt):
    """A log-log line chart: series is [(name, [(x, y), ...])]."""
    xs = [x for _, pts in series for x, _ in pts]
    ys = [y for _, pts in series for _, y in pts]
    xlo, xhi = min(xticks + xs), max(xticks + xs)
    yticks = decades(min(ys), max(ys))
    ylo, yhi = yticks[0], yticks[-1]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x):
        return LEFT + (math.log10(x) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo)) * pw

    def py(y):
        return TOP + ph - (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2:.1f}" y="22" text-anchor="middle" font-size="15">{esc(title)}</text>']
    for t in xticks:
        x = px(t)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 16}" text-anchor="middle">{esc(xfmt(t))}</text>')
    for t in yticks:
        y = py(t)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(yfmt(t))}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2:.1f}" y="{H - 18}" text-anchor="middle">{esc(xlabel)}</text>')
    out.append(f'<text transform="translate(18 {TOP + ph / 2:.1f}) rotate(-90)" text-anchor="middle">{esc(ylabel)}</text>')
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        pts = sorted(pts)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)}"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"><title>{esc(name)}: {esc(xfmt(x))}, {esc(yfmt(y))}</title></circle>')
        ly = TOP + 14 + 18 * i
        out.append(f'<line x1="{LEFT + pw + 12}" y1="{ly - 4}" x2="{LEFT + pw + 32}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{LEFT + pw + 36}" y="{ly}">{esc(name)}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results")

    rows = report(results, "RmapMemoryBenchmarks")
    # (e)'s job shows the mean of three runs, no median.
    fill = [(int(r["Records"].replace(",", "")), seconds(r["Mean"])) for r in rows]
    chart(os.path.join(HERE, "scaling-rmap-records.svg"), "XFS rmap store: fill time against records",
          "rmap records", "mean fill time (3 runs)", [("fill (xfs_rmap_map)", fill)],
          decades(min(x for x, _ in fill), max(x for x, _ in fill)), si, duration)

    rows = report(results, "DispatchBenchmarks")
    by = {}
    for r in rows:
        case = r["Case"]
        if not case.startswith("processes:"):
            continue
        processes = int(case.split()[1])
        if r["Median"] in ("NA", "-"):
            continue
        name = "kernel algorithm" if r["Method"].startswith("'kernel") or "kernel" in r["Method"] else "host"
        by.setdefault(name, []).append((processes, seconds(r["Median"])))
    chart(os.path.join(HERE, "scaling-tasks.svg"), "Dispatch of one faulted page against processes",
          "processes (10 mappings each)", "median per page", sorted(by.items()),
          decades(min(x for s in by.values() for x, _ in s), max(x for s in by.values() for x, _ in s)), si, duration)

    rows = report(results, "TouchScalingBenchmarks")
    by = {}
    for r in rows:
        kind, size = r["Case"].split()
        name = "fsdax PMD (XFS)" if kind == "fsdax-pmd" else "device-DAX PUD"
        by.setdefault(name, []).append((size_bytes(size), seconds(r["Median"])))
    sizes = sorted({x for s in by.values() for x, _ in s})
    chart(os.path.join(HERE, "scaling-mappings.svg"), "Touching every page of a fresh mapping",
          "mapping size", "median touch time", sorted(by.items()), sizes, binary, duration)


if __name__ == "__main__":
    main()
