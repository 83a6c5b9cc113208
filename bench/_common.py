"""Helpers shared by the benchmarks: corpora location, process-tree memory, doc updates."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"


def corpora() -> Path:
    env = os.environ.get("EMOGUARD_CORPORA")
    p = Path(env) if env else ROOT.parent / "shared" / "corpora"
    if not p.is_dir():
        sys.exit(f"corpora not found at {p} (set EMOGUARD_CORPORA)")
    return p


def _tree_rss_kb(pid: int) -> int:
    """Sum of RSS over ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                st = fh.read()
            ppid = int(st.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/status") as fh:
                m = re.search(r"VmRSS:\s+(\d+)", fh.read())
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = int(m.group(1)) if m else 0
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


@dataclass
class RunResult:
    wall: float
    cpu: float
    peak_tree_rss_mb: float
    peak_process_rss_mb: float
    returncode: int
    stderr: str


def run_measured(cmd: list[str], *, stdout_path: str = os.devnull, env: dict[str, str] | None = None) -> RunResult:
    """Run ``cmd``; wall time, CPU of the whole tree, peak RSS (tree sum and largest process)."""
    peak = 0
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_kb(proc.pid))
                time.sleep(0.05)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        th.join()
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru covers the direct child; its own reaped children (pool workers) are in RUSAGE_CHILDREN deltas
    cpu = ru.ru_utime + ru.ru_stime
    return RunResult(wall, cpu, peak / 1024, ru.ru_maxrss / 1024, proc.returncode, err)


def machine() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "?")
    except OSError:
        model = "?"
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def update_doc(section: str, body: str, *, before: str = "") -> None:
    """Replace the block between ``<!-- section -->`` markers in docs/benchmarks.md.

    A new section goes at the end, or just before the line ``before`` when that is in the file."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    elif before and before in text:
        text = text.replace(before, block + "\n\n" + before, 1)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")
