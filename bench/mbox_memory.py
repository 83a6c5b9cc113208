"""Benchmark: scan a 1 GB mbox and record peak memory (it must stay flat).

    python -m bench.mbox_memory [--size-mb 1024] [--write]

Builds a temporary mbox of the requested size from SpamAssassin ham+spam
(repeated), then runs `emoguard scan --format jsonl --no-history` on it with
`--jobs 1` and `--jobs <cores>`, sampling the RSS of the whole process tree.
The file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from bench._common import corpora, machine, run_measured, update_doc


def build_mbox(path: Path, size: int) -> int:
    base = corpora() / "spamassassin_public"
    msgs = [p.read_bytes() for d in ("easy_ham", "spam") for p in sorted((base / d).glob("*.eml"))]
    n = 0
    written = 0
    with path.open("wb") as fh:
        while written < size:
            for m in msgs:
                m = m.replace(b"\r\n", b"\n")
                body = b"\n".join(b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in m.split(b"\n"))
                chunk = b"From bench@example.invalid Mon Jan  1 00:00:00 2024\n" + body.rstrip(b"\n") + b"\n\n"
                fh.write(chunk)
                written += len(chunk)
                n += 1
                if written >= size:
                    break
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        mbox = Path(tmp) / "big.mbox"
        n = build_mbox(mbox, args.size_mb * 1024 * 1024)
        size_mb = mbox.stat().st_size / 1024 / 1024
        print(f"built {mbox}: {size_mb:.0f} MB, {n} messages")
        for jobs in sorted({1, args.jobs}):
            out = Path(tmp) / "out.jsonl"
            r = run_measured([sys.executable, "-m", "emoguard", "scan", "--format", "jsonl", "--no-history",
                              "--jobs", str(jobs), str(mbox)], stdout_path=str(out))
            with out.open("rb") as fh:
                count = sum(1 for _ in fh)
            if r.returncode != 0 or count != n:
                print(r.stderr, file=sys.stderr)
                sys.exit(f"scan failed: exit {r.returncode}, {count} of {n} records")
            rows.append((jobs, count, r.wall, r.peak_tree_rss_mb, r.peak_process_rss_mb))
            print(f"jobs={jobs}: {count} records, {r.wall:.0f} s, {count / r.wall:.0f} msg/s, peak RSS tree "
                  f"{r.peak_tree_rss_mb:.0f} MB, largest process {r.peak_process_rss_mb:.0f} MB")
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} with "
        f"`python -m bench.mbox_memory --size-mb {args.size_mb} --write`: one mbox of {size_mb:.0f} MB, "
        f"{n} messages (SpamAssassin ham+spam repeated).",
        "",
        "| jobs | records | wall s | msg/s | peak RSS, whole process tree, sampled every 50 ms (MB) | peak RSS of the largest process, getrusage (MB) |",
        "|---:|---:|---:|---:|---:|---:|",
        *(f"| {j} | {c} | {w:.0f} | {c / w:.0f} | {t:.0f} | {p:.0f} |" for j, c, w, t, p in rows),
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        update_doc("mbox_memory", "## 1 GB mbox: memory stays flat\n\n" + body)


if __name__ == "__main__":
    main()
