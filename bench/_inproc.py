"""Child of ``python -m bench``: the engine in process over a list of files, one core.

    python -m bench._inproc LIST.txt

Reads every file first (file reading is not timed), loads the engine (not timed), analyses
the first 20 messages untimed (imports, regex caches), resets the peak-RSS counter, then
times every message. Prints one JSON line: messages, CPU seconds (``time.process_time``),
wall seconds, p50/p99 per-message latency (ms, nearest rank), peak RSS of this process
during the loop (``VmHWM``; the messages held in memory included) and the level counts.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import Counter
from pathlib import Path


def pct(sorted_vals: list[float], q: float) -> float:
    """Nearest-rank percentile, as ../shared/peerbench/bench.py computes it."""
    if not sorted_vals:
        return float("nan")
    k = max(1, math.ceil(q / 100.0 * len(sorted_vals) - 1e-9))
    return sorted_vals[min(k, len(sorted_vals)) - 1]


def hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(x.split()[1]) for x in fh if x.startswith("VmHWM:")) / 1024


def main() -> None:
    paths = [ln.strip() for ln in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if ln.strip()]
    datas = [Path(p).read_bytes() for p in paths]
    from emoguard import Engine

    engine = Engine.load(search_defaults=False)
    for d in datas[:20]:
        engine.analyze(d)
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    lat: list[float] = []
    levels: Counter[str] = Counter()
    c0, w0 = time.process_time(), time.perf_counter()
    for d in datas:
        t = time.perf_counter()
        levels[engine.analyze(d).level] += 1
        lat.append(time.perf_counter() - t)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    lat.sort()
    print(json.dumps({"messages": len(datas), "cpu_s": cpu, "wall_s": wall, "p50_ms": 1000 * pct(lat, 50),
                      "p99_ms": 1000 * pct(lat, 99), "peak_rss_mb": hwm_mb(), "levels": dict(levels)}))


if __name__ == "__main__":
    main()
