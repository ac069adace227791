#!/usr/bin/env python3
"""PNG charts of `accesslog-load` results (docs/performance.md).

    perf-chart.py RESULT.json [RESULT.json ...] --out-dir DIR

Each JSON file is one scenario's `--out` file; its `scenario` field says which:
  sla         -> sla-latency.png (p50/p95/p99/max per operation against the 5 s / 8 s requirement)
                 and sla-timeline.png (operations completed per second)
  throughput  -> throughput.png (finalized records per second, batched vs the naive baseline)
  scale       -> scale.png (query p99 per kind against the entry count)
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def save(fig, out_dir, name):
    """Write `fig` as out_dir/name and close it; returns the path."""
    fig.tight_layout()
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sla(result, out_dir):
    ops = result["operations"]
    names = [o["op"] for o in ops]
    fig, ax = plt.subplots(figsize=(10, 5))
    width = 0.2
    for k, (key, label) in enumerate(
        [("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99"), ("max_ms", "max")]
    ):
        xs = [i + (k - 1.5) * width for i in range(len(ops))]
        ax.bar(xs, [o[key] for o in ops], width, label=label)
    ax.axhline(5000, color="orange", linestyle="--", label="average limit 5 s")
    ax.axhline(8000, color="red", linestyle="--", label="maximum limit 8 s")
    ax.set_yscale("log")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_xticks(range(len(ops)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    verdict = "PASS" if result["pass"] else "FAIL"
    ax.set_title(
        f"sla: {result['users']} users, {result['duration_s']} s: {verdict}"
    )
    ax.legend(fontsize=8)
    path = save(fig, out_dir, "sla-latency.png")
    written = [path]

    timeline = result["timeline"]
    seconds = sorted(int(s) for s in timeline)
    series = sorted({op for per in timeline.values() for op in per})
    fig, ax = plt.subplots(figsize=(10, 4))
    for op in series:
        ax.plot(seconds, [timeline[str(s)].get(op, 0) for s in seconds], label=op, linewidth=0.8)
    ax.set_xlabel("second of the run")
    ax.set_ylabel("items completed per second")
    ax.set_title("sla: throughput over time")
    ax.legend(fontsize=7, ncol=3)
    path = save(fig, out_dir, "sla-timeline.png")
    return written + [path]


def throughput(result, out_dir):
    fig, (total, rate) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for phase in result["phases"]:
        per_second = phase["per_second"]
        label = f"{phase['name']} ({phase['method']}): {phase['sustained_per_s']:.0f}/s sustained"
        cumulative, running = [], 0
        for n in per_second:
            running += n
            cumulative.append(running)
        total.plot(range(len(per_second)), cumulative, label=label)
        # Blocks come every 2 s: a 10-second moving average shows the rate.
        window = 10
        average = [
            sum(per_second[max(0, i - window + 1) : i + 1]) / min(window, i + 1)
            for i in range(len(per_second))
        ]
        rate.plot(range(len(per_second)), average, label=label)
    for ax in (total, rate):
        ax.axvline(result["warmup_s"], color="grey", linestyle=":", label="end of warm-up")
        ax.axvline(result["duration_s"], color="grey", linestyle="--", label="end of submission")
    total.set_ylabel("records finalized (cumulative)")
    rate.set_ylabel("records finalized per second\n(10 s moving average)")
    rate.set_xlabel("second of the phase")
    total.set_title(f"throughput: batched / naive = {result['ratio']:.1f}x")
    total.legend(fontsize=8)
    path = save(fig, out_dir, "throughput.png")
    return [path]


def scale(result, out_dir):
    steps = result["steps"]
    entries = [s["entries"] for s in steps]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    kinds = sorted({q["op"] for s in steps for q in s["queries"]})
    for kind in kinds:
        for key, style in [("p50_ms", ":"), ("p99_ms", "-")]:
            ys = [next(q[key] for q in s["queries"] if q["op"] == kind) for s in steps]
            ax.plot(entries, ys, style, marker="o", label=f"{kind} {key[:3]}")
    ax.axhline(result["target_p99_ms"], color="red", linestyle="--", label="p99 target")
    ax.set_xscale("log")
    ax.set_xlabel("entries stored")
    ax.set_ylabel("latency (ms)")
    ax.set_title("scale: query latency as the chain grows")
    ax.legend(fontsize=7, ncol=2)
    path = save(fig, out_dir, "scale.png")
    return [path]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="JSON files written by accesslog-load --out")
    parser.add_argument("--out-dir", default=".", help="where the PNG files go")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    charts = {"sla": sla, "throughput": throughput, "scale": scale}
    for name in args.results:
        try:
            with open(name, encoding="utf-8") as f:
                result = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"error: cannot read {name}: {e}")
        kind = result.get("scenario")
        if kind not in charts:
            sys.exit(f"error: {name}: unknown scenario {kind!r} (expected sla, throughput or scale)")
        for path in charts[kind](result, args.out_dir):
            print(f"chart written to {path}")


if __name__ == "__main__":
    main()
