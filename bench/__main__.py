"""One-command benchmark: emoguard beside SpamAssassin (spamd) and rspamd, same mail, same run.

    python -m bench [--write] [--quick] [--no-peers] [--jobs N] [--limit N] [--wait-load 0.5]

Corpora (read in place from ../shared/corpora, or $EMOGUARD_CORPORA):
  spamassassin   SpamAssassin public corpus, ham + spam
  phishing_pot   HTML-heavy phishing
  linux_nvdimm   a mailing-list archive (patches, Japanese, spam)
  attachments    generated mails, each carrying one of the benign Office/archive test files
                 (bench.attachments.MIX: oletools, msoffcrypto-tool, VBAstomp, sflock, eml_analyzer),
                 written to a temporary directory
  mixed          at most 100 messages from every folder of ../shared/corpora, seed 1 (the
                 sample ../shared/peerbench/bench.py takes with --per-dir 100 --seed 1)

For each corpus, on the same message list:
  engine      ``Engine.analyze`` in a child process, one core: messages per CPU-second
              (``time.process_time`` of the loop; start-up, file reading excluded), p50/p99 latency
  jobs 1 / N  ``emoguard scan --format jsonl --no-history --jobs J FILES``: wall msg/s; messages per
              CPU-second = messages / (CPU of the scan's process tree - CPU of the same command on
              one tiny message, i.e. start-up, engine loads and pool start excluded); peak RSS of the
              largest process (VmHWM) and of the whole tree (VmRSS summed, sampled every 50 ms)
  spamd       ../shared/peerbench/bench.py -c 2: msg/s, client-side p50/p99, messages per CPU-second of
  rspamd      the daemon's process tree (/proc, master + children), peak RSS as above

The peers are started with ../shared/peerbench/start.sh only when they are not already running,
and stopped again only if this command started them. Before measuring, the command waits until the
1-minute load average is under --wait-load (or --wait-max seconds pass) and records the load.
--write puts the table in docs/benchmarks.md ("Side by side") and the chart in docs/bench.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench._common import ROOT, corpora, machine, update_doc
from bench.scan_throughput import SETS

PEERBENCH = ROOT.parent / "shared" / "peerbench"
STATE = Path(os.environ.get("PEERBENCH_STATE", os.path.join(os.environ.get("TMPDIR", "/tmp"), "peerbench-state")))
TINY = b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: start-up\r\n\r\nhello\r\n"
TOOLS = ("engine", "jobs 1", "jobs N", "rspamd", "spamassassin")
ALL = "all lists together"


def peerbench() -> ModuleType:
    """../shared/peerbench/bench.py as a module (its sampling, percentiles, /proc helpers)."""
    spec = importlib.util.spec_from_file_location("peerbench_bench", PEERBENCH / "bench.py")
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {PEERBENCH / 'bench.py'}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- process-tree memory ---------------------------------------------------------------------------


def _procs() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, VmRSS kB, VmHWM kB) for every process."""
    out: dict[int, tuple[int, int, int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            rss = hwm = 0
            with open(f"/proc/{d}/status") as fh:
                for ln in fh:
                    if ln.startswith("VmRSS:"):
                        rss = int(ln.split()[1])
                    elif ln.startswith("VmHWM:"):
                        hwm = int(ln.split()[1])
        except (OSError, IndexError, ValueError):
            continue
        out[int(d)] = (ppid, rss, hwm)
    return out


def _tree(procs: dict[int, tuple[int, int, int]], roots: list[int]) -> list[int]:
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    seen: list[int] = []
    stack = [r for r in roots if r in procs]
    while stack:
        p = stack.pop()
        seen.append(p)
        stack.extend(kids.get(p, []))
    return seen


class RssSampler:
    """Peak of the summed VmRSS of the trees under ``roots`` and the largest VmHWM of one process."""

    def __init__(self, roots: list[int], interval: float = 0.05) -> None:
        self.roots = roots
        self.interval = interval
        self.tree_kb = 0
        self.proc_kb = 0
        self._stop = threading.Event()
        self._th = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        procs = _procs()
        pids = _tree(procs, self.roots)
        self.tree_kb = max(self.tree_kb, sum(procs[p][1] for p in pids))
        self.proc_kb = max(self.proc_kb, *(procs[p][2] for p in pids), 0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self._th.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._th.join()


# -- measurements -----------------------------------------------------------------------------------


@dataclass
class Row:
    corpus: str
    tool: str
    messages: int
    msg_s: float | None = None
    msg_cpu_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    worker_mb: float | None = None
    tree_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def write_list(path: Path, files: list[Path]) -> Path:
    path.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
    return path


def engine_in_process(corpus: str, lst: Path, n: int) -> Row:
    r = subprocess.run([sys.executable, "-m", "bench._inproc", str(lst)], capture_output=True, text=True,
                       cwd=ROOT, check=False)
    if r.returncode != 0:
        sys.exit(f"in-process run failed on {corpus}:\n{r.stderr[-3000:]}")
    d = json.loads(r.stdout.strip().splitlines()[-1])
    return Row(corpus, "engine", d["messages"], msg_s=d["messages"] / d["wall_s"],
               msg_cpu_s=d["messages"] / d["cpu_s"], p50_ms=d["p50_ms"], p99_ms=d["p99_ms"],
               worker_mb=d["peak_rss_mb"], note="one core, in process; RSS includes the loaded corpus",
               extra={"levels": d["levels"], "cpu_s": d["cpu_s"]})


def _scan(paths: list[str], jobs: int, out: str) -> tuple[float, float, float, float, int]:
    """(wall, CPU of the tree, peak VmHWM of one process MB, peak tree RSS MB, exit status)."""
    cmd = [sys.executable, "-m", "emoguard", "scan", "--format", "jsonl", "--no-history", "--jobs", str(jobs), *paths]
    with open(out, "wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.DEVNULL, cwd=ROOT)
        with RssSampler([proc.pid]) as s:
            # wait4's rusage covers the child and the pool workers it reaped
            _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, s.proc_kb / 1024, s.tree_kb / 1024, proc.returncode


def startup_cost(jobs: int, tmp: Path, tries: int = 3) -> tuple[float, float]:
    """(CPU, wall) of ``scan`` on one tiny message (interpreter, imports, engine loads, pool): best of ``tries``."""
    tiny = tmp / "tiny.eml"
    tiny.write_bytes(TINY)
    runs = [_scan([str(tiny)], jobs, os.devnull) for _ in range(tries)]
    return min(r[1] for r in runs), min(r[0] for r in runs)


def cli(corpus: str, files: list[Path], jobs: int, label: str, startup: tuple[float, float], tmp: Path) -> Row:
    out = str(tmp / f"{corpus}-{jobs}.jsonl")
    wall, cpu, proc_mb, tree_mb, rc = _scan([str(p) for p in files], jobs, out)
    with open(out, "rb") as fh:
        count = sum(1 for _ in fh)
    if rc not in (0, 1) or count != len(files):
        sys.exit(f"scan --jobs {jobs} on {corpus}: exit {rc}, {count} records for {len(files)} files")
    net = cpu - startup[0]
    return Row(corpus, label, count, msg_s=count / wall, msg_cpu_s=count / net if net > 0 else None,
               worker_mb=proc_mb, tree_mb=tree_mb, note=f"jobs {jobs}",
               extra={"wall_s": wall, "cpu_s": cpu, "startup_cpu_s": startup[0], "startup_wall_s": startup[1],
                      "net_wall_s": wall - startup[1], "jsonl": out})


def peers_running() -> bool:
    r = subprocess.run(["ss", "-Hltn", "sport = :11333 or sport = :783"], capture_output=True, text=True, check=False)
    return len(r.stdout.strip().splitlines()) >= 2


def peers(corpus: str, lst: Path, tmp: Path, pb: ModuleType) -> list[Row]:
    js = tmp / f"peers-{corpus}.json"
    roots = [p for p in (pb.read_pidfile(str(STATE), "spamd"), pb.read_pidfile(str(STATE), "rspamd")) if p]
    rows: list[Row] = []
    for peer in ("rspamd", "spamassassin"):
        root = pb.read_pidfile(str(STATE), "rspamd" if peer == "rspamd" else "spamd")
        cmd = [sys.executable, str(PEERBENCH / "bench.py"), "--files-from", str(lst), "--peers", peer, "--runs", "1",
               "-c", "2", "--wait-idle", "0", "--json", str(js), "--state", str(STATE)]
        with RssSampler([root] if root else roots) as s:
            r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        (tmp / f"peers-{corpus}-{peer}.log").write_text(r.stdout + r.stderr, encoding="utf-8")
        if not js.exists():
            sys.exit(f"peerbench failed on {corpus}/{peer}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
        run = json.loads(js.read_text(encoding="utf-8"))["runs"][peer][0]
        js.unlink()
        cpu = run["server_cpu_s"]
        rows.append(Row(corpus, peer, run["ok"], msg_s=run["msg_per_s"],
                        msg_cpu_s=run["ok"] / cpu if cpu else None, p50_ms=run["p50_ms"], p99_ms=run["p99_ms"],
                        worker_mb=s.proc_kb / 1024, tree_mb=s.tree_kb / 1024,
                        note=f"c=2, {run['errors']} errors",
                        extra={"daemon_cpu_s": cpu, "client_cpu_s": run["client_cpu_s"],
                               "others_cpu_s": run["others_cpu_s"], "calib_ms": run["calib_ms"],
                               "spam": run["spam"], "errors": run["errors"]}))
    return rows


# -- corpora ----------------------------------------------------------------------------------------


def build_corpora(base: Path, tmp: Path, pb: ModuleType, limit: int) -> dict[str, list[Path]]:
    import random

    out: dict[str, list[Path]] = {}
    for name, rels in SETS.items():
        out[name] = sorted(p for r in rels for p in (base / r).rglob("*.eml") if p.is_file())
    from bench.attachments import mix_files
    from emoguard.testing import MailBuilder

    att = tmp / "attachments"
    att.mkdir(exist_ok=True)
    files = []
    for i, p in enumerate(mix_files(base)):
        raw = (MailBuilder().from_(("山田 太郎", "yamada@partner.example")).to("tanaka@example.co.jp")
               .subject("資料送付").text("資料をお送りします。\n").attach(p.read_bytes(), p.name).build())
        f = att / f"{i:04d}.eml"
        f.write_bytes(raw)
        files.append(f)
    out["attachments"] = files
    msgs, _ = pb.find_messages([str(base)], "*.eml", 100, 0, 1, 0, 0)
    out["mixed"] = [Path(name) for name, _ in msgs]
    if limit:
        rng = random.Random(1)
        out = {k: (sorted(rng.sample(v, limit)) if len(v) > limit else v) for k, v in out.items()}
    return out


# -- the machine ------------------------------------------------------------------------------------


def wait_quiet(max_load: float, max_wait: float) -> tuple[float, float]:
    """Wait until the 1-minute load average is below ``max_load``; (seconds waited, load then)."""
    t0 = time.monotonic()
    while True:
        load = os.getloadavg()[0]
        waited = time.monotonic() - t0
        if load < max_load or waited >= max_wait:
            return waited, load
        if int(waited) % 60 < 10:
            print(f"  waiting for a quiet machine: load {load:.2f} (>= {max_load}), {waited:.0f} s so far",
                  file=sys.stderr)
        time.sleep(10)


def fuzzers() -> list[str]:
    r = subprocess.run(["pgrep", "-af", "fuzz.run"], capture_output=True, text=True, check=False)
    return [ln for ln in r.stdout.splitlines() if ln.strip() and "pgrep" not in ln]


# -- output -----------------------------------------------------------------------------------------


def _f(v: float | None, fmt: str = "{:.0f}") -> str:
    return "–" if v is None else fmt.format(v)


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.1f}×"


def table(rows: list[Row], jobs: int) -> str:
    names = {"engine": "emoguard engine (in process, 1 core)", "jobs 1": "emoguard scan --jobs 1",
             "jobs N": f"emoguard scan --jobs {jobs}", "rspamd": "rspamd 3.4 (`/checkv2`, c=2)",
             "spamassassin": "SpamAssassin 4.0.1 (spamd, c=2)"}
    lines = ["| corpus | tool | messages | msg/s (wall) | **msg per CPU-second** | p50 ms | p99 ms | "
             "peak RSS largest process MB | peak RSS tree MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r.corpus} | {names[r.tool]} | {r.messages} | {_f(r.msg_s)} | **{_f(r.msg_cpu_s)}** | "
                     f"{_f(r.p50_ms, '{:.1f}')} | {_f(r.p99_ms, '{:.1f}')} | {_f(r.worker_mb)} | {_f(r.tree_mb)} |")
    return "\n".join(lines)


def ratios(rows: list[Row]) -> str:
    by = {(r.corpus, r.tool): r for r in rows}
    corp = list(dict.fromkeys(r.corpus for r in rows))
    lines = ["| corpus | CPU: emoguard engine ÷ rspamd | CPU: scan jobs N ÷ rspamd | CPU: engine ÷ SpamAssassin | "
             "CPU: scan jobs N ÷ SpamAssassin | wall: scan jobs N ÷ rspamd | wall: scan jobs N ÷ SpamAssassin | "
             "wall: jobs N ÷ jobs 1 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in corp:
        e, n, one = by.get((c, "engine")), by.get((c, "jobs N")), by.get((c, "jobs 1"))
        rs, sa = by.get((c, "rspamd")), by.get((c, "spamassassin"))

        def cpu(x: Row | None) -> float | None:
            return x.msg_cpu_s if x else None

        def wall(x: Row | None) -> float | None:
            return x.msg_s if x else None

        lines.append(f"| {c} | {ratio(cpu(e), cpu(rs))} | {ratio(cpu(n), cpu(rs))} | {ratio(cpu(e), cpu(sa))} | "
                     f"{ratio(cpu(n), cpu(sa))} | {ratio(wall(n), wall(rs))} | {ratio(wall(n), wall(sa))} | "
                     f"{ratio(wall(n), wall(one))} |")
    return "\n".join(lines)


def targets(rows: list[Row], jobs: int) -> list[tuple[str, bool | None, str]]:
    by = {(r.corpus, r.tool): r for r in rows}
    out: list[tuple[str, bool | None, str]] = []
    e, n, rs, sa = (by.get(("mixed", t)) for t in ("engine", "jobs N", "rspamd", "spamassassin"))
    ours = [x.msg_cpu_s for x in (e, n) if x and x.msg_cpu_s]
    if ours and rs and rs.msg_cpu_s:
        out.append(("mixed sample: emoguard msg per CPU-second ≥ rspamd's daemon figure", min(ours) >= rs.msg_cpu_s,
                    f"engine {_f(e.msg_cpu_s if e else None)}, scan jobs {jobs} {_f(n.msg_cpu_s if n else None)} "
                    f"vs rspamd {_f(rs.msg_cpu_s)}"))
    else:
        out.append(("mixed sample: emoguard msg per CPU-second ≥ rspamd's daemon figure", None, "peers not measured"))
    if ours and sa and sa.msg_cpu_s:
        out.append(("mixed sample: ≥ 20× SpamAssassin's", min(ours) >= 20 * sa.msg_cpu_s,
                    f"{min(ours) / sa.msg_cpu_s:.0f}× (lower of engine and scan)"))
    else:
        out.append(("mixed sample: ≥ 20× SpamAssassin's", None, "peers not measured"))
    workers = [r.worker_mb for r in rows if r.tool in ("jobs 1", "jobs N") and r.worker_mb]
    out.append(("peak RSS < 300 MB per worker (scan, every corpus)", max(workers) < 300 if workers else None,
                f"largest {max(workers):.0f} MB" if workers else ""))
    sc = [(r1.corpus, r2.msg_s / r1.msg_s) for r1 in rows if r1.tool == "jobs 1" and r1.msg_s
          for r2 in rows if r2.tool == "jobs N" and r2.corpus == r1.corpus and r2.msg_s]
    net = {r1.corpus: r1.extra["net_wall_s"] / r2.extra["net_wall_s"] for r1 in rows if r1.tool == "jobs 1"
           for r2 in rows if r2.tool == "jobs N" and r2.corpus == r1.corpus and r2.extra.get("net_wall_s", 0) > 0}
    if jobs >= 2 and sc:
        key = ALL if ALL in dict(sc) else "mixed"
        mixed = dict(sc).get(key, min(s for _, s in sc))
        out.append((f"--jobs {jobs} ≥ 1.7× --jobs 1 in wall time ({key})", mixed >= 1.7,
                    "whole command: " + ", ".join(f"{c} {s:.2f}×" for c, s in sc)
                    + "; without the start-up wall time: " + ", ".join(f"{c} {s:.2f}×" for c, s in net.items())))
    return out


def chart(rows: list[Row], path: Path, jobs: int, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    corp = [c for c in dict.fromkeys(r.corpus for r in rows) if c != ALL]
    tools = [t for t in TOOLS if any(r.tool == t for r in rows)]
    labels = {"engine": "emoguard engine (1 core)", "jobs 1": "emoguard scan -j1", "jobs N": f"emoguard scan -j{jobs}",
              "rspamd": "rspamd", "spamassassin": "SpamAssassin"}
    colors = {"engine": "#1f5fa8", "jobs 1": "#5b9bd5", "jobs N": "#9dc3e6", "rspamd": "#e07b39",
              "spamassassin": "#8c8c8c"}
    by = {(r.corpus, r.tool): r for r in rows}
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / max(1, len(tools))
    for ax, attr, ylabel in ((axes[0], "msg_cpu_s", "messages per CPU-second (log)"),
                             (axes[1], "msg_s", "messages per second, wall (log)")):
        for i, t in enumerate(tools):
            vals = [getattr(by[(c, t)], attr) or 0 if (c, t) in by else 0 for c in corp]
            ax.bar([x + i * width for x in range(len(corp))], vals, width, label=labels[t], color=colors[t])
        ax.set_yscale("log")
        ax.set_xticks([x + width * (len(tools) - 1) / 2 for x in range(len(corp))], corp, rotation=15)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", which="both", alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(tools), fontsize=9, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md and docs/bench.png")
    ap.add_argument("--quick", action="store_true", help="20 messages per corpus, no waiting (a smoke test)")
    ap.add_argument("--no-peers", action="store_true", help="emoguard only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the 'all cores' job count")
    ap.add_argument("--limit", type=int, default=0, help="at most N messages per corpus (seeded sample)")
    ap.add_argument("--corpora", type=Path, default=None, help="default ../shared/corpora or $EMOGUARD_CORPORA")
    ap.add_argument("--only", default="", help="comma list of corpora to run (default: all)")
    ap.add_argument("--wait-load", type=float, default=0.5, help="wait until the 1-min load average is below this")
    ap.add_argument("--wait-max", type=float, default=1800.0, help="give up waiting after this many seconds")
    ap.add_argument("--json", type=Path, help="also write every figure here")
    ap.add_argument("--out", type=Path, help="keep the lists, jsonl and logs here (default: a temp dir)")
    ap.add_argument("--redraw", type=Path, metavar="JSON", help="only redraw docs/bench.png from a saved --json")
    args = ap.parse_args(argv)
    if args.redraw:
        saved = json.loads(args.redraw.read_text(encoding="utf-8"))
        rows = [Row(**d) for d in saved["rows"]]
        chart(rows, ROOT / "docs" / "bench.png", args.jobs, saved.get("title", "emoguard vs rspamd vs SpamAssassin"))
        return 0
    if args.quick:
        args.limit = args.limit or 20
    base = args.corpora or corpora()
    tmp = args.out or Path(tempfile.mkdtemp(prefix="emoguard-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    pb = peerbench()
    sets = build_corpora(base, tmp, pb, args.limit)
    if args.only:
        keep = {s.strip() for s in args.only.split(",")}
        sets = {k: v for k, v in sets.items() if k in keep}
    print("corpora: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()), file=sys.stderr)

    started = False
    use_peers = not args.no_peers
    if use_peers and not peers_running():
        print("starting the peers with ../shared/peerbench/start.sh", file=sys.stderr)
        r = subprocess.run([str(PEERBENCH / "start.sh")], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            sys.exit(f"peers could not be started:\n{r.stdout}{r.stderr}")
        started = True

    waited, load0 = (0.0, os.getloadavg()[0]) if args.quick else wait_quiet(args.wait_load, args.wait_max)
    fuzz_then = fuzzers()
    calib0 = pb.calibrate()
    t_start = dt.datetime.now(dt.UTC)
    rows: list[Row] = []
    loads: list[float] = [os.getloadavg()[0]]
    try:
        startup = {j: startup_cost(j, tmp, 1 if args.quick else 3) for j in sorted({1, args.jobs})}
        for name, files in sets.items():
            lst = write_list(tmp / f"{name}.txt", files)
            print(f"{name}: {len(files)} messages", file=sys.stderr)
            rows.append(engine_in_process(name, lst, len(files)))
            rows.append(cli(name, files, 1, "jobs 1", startup[1], tmp))
            if args.jobs != 1:
                rows.append(cli(name, files, args.jobs, "jobs N", startup[args.jobs], tmp))
            if use_peers:
                rows.extend(peers(name, lst, tmp, pb))
            loads.append(os.getloadavg()[0])
            for row in rows:
                if row.corpus == name:
                    print(f"  {row.tool:12} {_f(row.msg_s):>6} msg/s  {_f(row.msg_cpu_s):>6} msg/CPU-s  "
                          f"p50 {_f(row.p50_ms, '{:.1f}')} p99 {_f(row.p99_ms, '{:.1f}')} ms  "
                          f"RSS {_f(row.worker_mb)}/{_f(row.tree_mb)} MB", file=sys.stderr)
        if args.jobs != 1 and len(sets) > 1:
            # --jobs scaling on one long run: every list above together (start-up is a smaller share)
            union = sorted({p for files in sets.values() for p in files})
            print(f"all lists together: {len(union)} messages", file=sys.stderr)
            rows.append(cli(ALL, union, 1, "jobs 1", startup[1], tmp))
            rows.append(cli(ALL, union, args.jobs, "jobs N", startup[args.jobs], tmp))
            loads.append(os.getloadavg()[0])
    finally:
        if started:
            subprocess.run([str(PEERBENCH / "stop.sh")], capture_output=True, text=True, check=False)
    calib1 = pb.calibrate()
    t_end = dt.datetime.now(dt.UTC)
    load_note = (f"1-minute load average {load0:.2f} when the run started (waited {waited:.0f} s for < "
                 f"{args.wait_load}), {min(loads):.2f}–{max(loads):.2f} during it; "
                 f"fuzzers running: {len(fuzz_then)}; calibration loop (peerbench's `calib`, about 9 ms on a quiet "
                 f"machine) {calib0:.1f} ms before, {calib1:.1f} ms after")
    tg = targets(rows, args.jobs)
    body = render(rows, tg, args, t_start, t_end, load_note, {k: len(v) for k, v in sets.items()}, startup)
    print(body)
    if args.json:
        title = f"emoguard vs rspamd vs SpamAssassin, {t_start:%Y-%m-%d %H:%M} UTC, {machine()}"
        args.json.write_text(json.dumps({"rows": [r.__dict__ for r in rows], "targets": tg, "load": load_note,
                                         "title": title},
                                        indent=1, default=str), encoding="utf-8")
    if args.write:
        png = ROOT / "docs" / "bench.png"
        chart(rows, png, args.jobs, f"emoguard vs rspamd vs SpamAssassin, {t_start:%Y-%m-%d %H:%M} UTC, {machine()}")
        update_doc("side_by_side", body, before="<!-- scan_throughput:start -->")
        print(f"written to docs/benchmarks.md and {png.relative_to(ROOT)}", file=sys.stderr)
    return 0


def render(rows: list[Row], tg: list[tuple[str, bool | None, str]], args: argparse.Namespace, t0: dt.datetime,
           t1: dt.datetime, load_note: str, sizes: dict[str, int], startup: dict[int, tuple[float, float]]) -> str:
    mark = {True: "✅ holds", False: "❌ misses", None: "not measured"}
    cmd = "python -m bench --write" + (" --no-peers" if args.no_peers else "") + \
        (f" --limit {args.limit}" if args.limit else "")
    out = [
        "## Side by side: emoguard, rspamd and SpamAssassin",
        "",
        f"Measured {t0:%Y-%m-%d %H:%M}–{t1:%H:%M} UTC in one run of `{cmd}` on {machine()}. Load: {load_note}.",
        "",
        "Same message lists for every tool (" + ", ".join(f"{k} {v}" for k, v in sizes.items()) + "). "
        "**msg per CPU-second**: emoguard engine = the `Engine.analyze` loop's own CPU time in one process "
        "(start-up and file reading excluded); `emoguard scan` = messages ÷ (CPU of the scan's whole process "
        f"tree − CPU of the same command on one tiny message: {', '.join(f'jobs {j} {c[0]:.2f} s' for j, c in startup.items())}); "
        "rspamd and SpamAssassin = messages ÷ CPU of the daemon's process tree (master and workers, from "
        "/proc) while `../shared/peerbench/bench.py -c 2` sent the list (client CPU not counted). "
        "p50/p99: per-message latency, in process for the engine, client-side for the peers. Peak RSS: "
        "largest `VmHWM` of one process in the tree, and the tree's summed `VmRSS` sampled every 50 ms "
        "(for the engine row: the process that also holds the whole corpus in memory). Both peers run "
        "offline (no DNS/network tests, no Bayes; see ../shared/peerbench/README.md), so these are "
        "content-rule baselines. The rows \"all lists together\" run `emoguard scan` once over every list "
        "above (each file once), so that the --jobs scaling is also seen on a run where start-up is a small "
        "share of the wall time.",
        "",
        "![throughput chart](bench.png)",
        "",
        table(rows, args.jobs),
        "",
        "Ratios (emoguard ÷ peer; CPU = messages per CPU-second, wall = messages per second):",
        "",
        ratios(rows),
        "",
        "Reading the figures: on the attachment mix emoguard opens every Office file and archive (oletools, "
        "msoffcrypto-tool, archive readers, YARA), while rspamd and SpamAssassin only read the MIME "
        "structure around them, so that row is not like for like. The per-corpus jobs ratios include "
        "`scan`'s start-up (about half a second of wall time), which weighs on runs of a few seconds.",
        "",
        "Targets (issue 9):",
        "",
    ]
    out += [f"- {name}: **{mark[ok]}** ({detail})" for name, ok, detail in tg]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
