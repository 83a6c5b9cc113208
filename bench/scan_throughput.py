"""Benchmark: `emoguard scan --format jsonl` throughput and memory on the real corpora.

    python -m bench.scan_throughput [--write]

Measures, on ../shared/corpora (SpamAssassin ham+spam, phishing_pot, linux_nvdimm):
  1. in-process engine speed (messages loaded in memory first; parse + cheap
     features + rules; start-up excluded) on the SpamAssassin corpus, one core;
  2. the real command line, `--jobs 1` and `--jobs <cores>`, wall time,
     messages/s, CPU, peak RSS of the whole process tree and of the largest process.
With --write the table replaces its section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, corpora, machine, run_measured, update_doc

SETS = {
    "spamassassin": ["spamassassin_public/easy_ham", "spamassassin_public/easy_ham_2",
                     "spamassassin_public/spam", "spamassassin_public/spam_2"],
    "phishing_pot": ["phishing_pot"],
    "linux_nvdimm": ["linux_nvdimm_list_archive"],
}  # fmt: skip


def in_process(paths: list[Path]) -> tuple[int, float]:
    from emoguard import Engine

    engine = Engine.load(search_defaults=False)
    datas = [p.read_bytes() for d in paths for p in sorted(d.rglob("*.eml"))]
    for d in datas[:50]:  # warm-up (imports, regex caches)
        engine.analyze(d)
    t0 = time.process_time()
    for d in datas:
        engine.analyze(d)
    return len(datas), time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the 'all cores' job count")
    args = ap.parse_args()
    base = corpora()
    lines = []
    n, cpu = in_process([base / p for p in SETS["spamassassin"]])
    engine_rate = n / cpu
    print(f"in-process, SpamAssassin ham+spam: {n} messages, {cpu:.2f} CPU-s -> {engine_rate:.0f} msg per CPU-second")
    emoguard = [sys.executable, "-m", "emoguard"]
    rows = []
    for name, rels in SETS.items():
        dirs = [str(base / r) for r in rels]
        for jobs in sorted({1, args.jobs}):
            with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as tmp:
                out = tmp.name
            r = run_measured([*emoguard, "scan", "--format", "jsonl", "--no-history", "--jobs", str(jobs), *dirs],
                             stdout_path=out)
            with open(out, "rb") as fh:
                count = sum(1 for _ in fh)
            os.unlink(out)
            if r.returncode != 0:
                print(r.stderr, file=sys.stderr)
                sys.exit(f"scan failed on {name} (exit {r.returncode})")
            rows.append((name, jobs, count, r.wall, count / r.wall, r.peak_tree_rss_mb, r.peak_process_rss_mb))
            print(f"{name:13} jobs={jobs}: {count} msgs in {r.wall:.1f} s = {count / r.wall:.0f} msg/s; "
                  f"peak RSS tree {r.peak_tree_rss_mb:.0f} MB, largest process {r.peak_process_rss_mb:.0f} MB")
    lines.append(f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} "
                 f"with `python -m bench.scan_throughput --write`.")
    lines.append("")
    lines.append(f"**Engine, in process** (parse + features + all rules, start-up and file reading excluded), "
                 f"SpamAssassin ham+spam, {n} messages: **{engine_rate:.0f} messages per CPU-second** (one core).")
    lines.append("")
    lines.append("**Command line** `emoguard scan --format jsonl --no-history --jobs N DIRS` (wall time includes "
                 "start-up, reading files, JSON output):")
    lines.append("")
    lines.append("| corpus | jobs | messages | wall s | msg/s | peak RSS, whole process tree, sampled every 50 ms (MB) | peak RSS of the largest process, getrusage (MB) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for name, jobs, count, wall, rate, tree, proc in rows:
        lines.append(f"| {name} | {jobs} | {count} | {wall:.1f} | {rate:.0f} | {tree:.0f} | {proc:.0f} |")
    body = "\n".join(lines)
    print()
    print(body)
    if args.write:
        update_doc("scan_throughput", "## Scan throughput\n\n" + body)
        print(f"\nwritten to {ROOT / 'docs' / 'benchmarks.md'}")


if __name__ == "__main__":
    main()
