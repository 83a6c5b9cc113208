"""Benchmark: `POST /api/v1/analyze` latency and throughput of `emoguard serve`.

    python -m bench.web [--messages 2000] [--jobs N] [--write]

Starts `emoguard serve` on a free loopback port (a fresh state dir, the token preset
through EMOGUARD_TOKEN, history on as by default), sends a fixed sample of typical mail
(SpamAssassin ham and spam from ../shared/corpora, every k-th file) as raw
`message/rfc822` bodies from 1 and then 20 concurrent clients (threads, one keep-alive
connection each), and reports per-request latency p50/p99 (request sent .. JSON read)
and requests per second. With --write the table replaces its section in
docs/benchmarks.md. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench._common import ROOT, corpora, machine, update_doc

TOKEN = "bench-token-not-secret"
CORPUS = ["spamassassin_public/easy_ham", "spamassassin_public/spam"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample(n: int) -> list[bytes]:
    files = sorted(p for rel in CORPUS for p in (corpora() / rel).rglob("*.eml"))
    step = max(1, len(files) // n)
    return [p.read_bytes() for p in files[::step][:n]]


def background_fuzzers() -> int:
    """Processes running the project's fuzzer (python -m fuzz.run, atheris) besides this benchmark."""
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ")
            except OSError:
                continue
            n += b"fuzz.run" in cmd or b"atheris" in cmd
    return n


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


def wait_up(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("emoguard serve exited while starting")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("emoguard serve did not start")


def run(port: int, msgs: list[bytes], clients: int, total: int) -> dict[str, float]:
    """``total`` requests spread over ``clients`` threads; latencies in seconds."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = msgs[i % len(msgs)]
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/analyze", body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                if r.status != 200:
                    errors.append(f"{r.status} {data[:100]!r}")
                else:
                    json.loads(data)
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            dt_ = time.perf_counter() - t0
            with lock:
                lat.append(dt_)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"clients": clients, "requests": len(lat), "errors": len(errors), "wall": wall,
            "rate": len(lat) / wall, "p50": pct(lat, 50), "p99": pct(lat, 99), "mean": statistics.mean(lat) * 1000,
            "max": max(lat) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=2000, help="requests per concurrency level")
    ap.add_argument("--jobs", type=int, default=0, help="analysis workers of the server (0: one per core)")
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = ap.parse_args()
    msgs = sample(300)
    sizes = sorted(len(m) for m in msgs)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_CONFIG",)}
    env["EMOGUARD_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as state:
        cmd = [sys.executable, "-m", "emoguard", "serve", "--listen", f"127.0.0.1:{port}", "--state-dir", state]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            wait_up(port, proc)
            run(port, msgs, 4, 60)  # warm-up: imports, caches in every worker (not timed)
            load = os.getloadavg()
            fuzzers = background_fuzzers()
            results = [run(port, msgs, c, args.messages) for c in (1, 20)]
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    jobs = args.jobs or len(os.sched_getaffinity(0))
    for r in results:
        print(f"{r['clients']:2} clients: {r['requests']} requests ({r['errors']} errors) in {r['wall']:.1f} s = "
              f"{r['rate']:.0f}/s; p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms")
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} with `python -m bench.web "
        f"--messages {args.messages} --write`: `emoguard serve` with {jobs} analysis workers, history on; "
        f"{len(msgs)} SpamAssassin messages (ham and spam, every k-th file; median {sizes[len(sizes) // 2] / 1024:.1f} KB, "
        f"largest {sizes[-1] / 1024:.0f} KB), cycled through, sent as raw `message/rfc822` bodies over keep-alive connections "
        f"from client threads in a second process on the same machine. Latency is request sent .. JSON record "
        f"read. Load average when the runs started: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
        + (f" — the machine was also running a background fuzzer ({fuzzers} process{'es' if fuzzers > 1 else ''}, "
           "another session's `python -m fuzz.run`) on one of its two cores, so these figures are pessimistic."
           if fuzzers else "."),
        "",
        "| concurrent clients | requests | errors | requests/s | p50 ms | p99 ms | mean ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['rate']:.0f} | {r['p50']:.1f} | "
                     f"{r['p99']:.1f} | {r['mean']:.1f} | {r['max']:.0f} |")
    lines += ["", "With 20 clients and two workers most of a request's time is spent queueing for a free "
              "worker: the p50 is roughly 20 / throughput. Each analysis is one message sent down a pipe to a "
              "worker process (a hung one is killed after `web.timeout`), and each verdict is one SQLite insert."]
    body = "\n".join(lines)
    print()
    print(body)
    if args.write:
        update_doc("web", "## Web API: /api/v1/analyze\n\n" + body)
        print(f"\nwritten to {ROOT / 'docs' / 'benchmarks.md'}")


if __name__ == "__main__":
    main()
