"""Benchmark: messages/s and added SMTP latency through a real Postfix, with and without milters.

    python -m bench.milter [--messages 1000] [--clients 8] [--rspamd] [--write]

Starts a private Postfix (tests/integration/postfix.py: own config and queue, loopback,
free port, Maildir delivery) three ways — no milter, `emoguard milter`, and (with
--rspamd) rspamd's proxy worker in milter mode from ../shared/peerbench (started with its
start.sh only if it is not already running, stopped again only if this run started it) —
sends the same corpus messages through `--clients` concurrent SMTP sessions, and reports
sustained messages/s (all accepted / wall time until the last one is delivered or held)
and the per-message SMTP latency (MAIL FROM .. end of DATA, where the milter works) p50/p99.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, corpora, machine, update_doc

sys.path.insert(0, str(ROOT / "tests" / "integration"))
from postfix import Postfix, free_port, wait_port
from smtpload import corpus_messages, send_all

PEERBENCH = ROOT.parent / "shared" / "peerbench"


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


def run_case(name: str, milter: str, msgs: list[bytes], clients: int, base: Path) -> dict[str, float | str]:
    pf = Postfix(base / name.replace(" ", "_").replace("+", "").replace("(", "").replace(")", ""),
                 milter=milter, default_action="accept")
    pf.start()
    try:
        warm = send_all(pf.port, msgs[:50], clients=clients).count("ok")  # warm-up, not timed
        pf.wait_idle(warm, timeout=300)
        lat: list[float] = []
        t0 = time.perf_counter()
        res = send_all(pf.port, msgs, clients=clients, latencies=lat)
        # a milter may reject or defer some: wait for the ones Postfix accepted
        pf.wait_idle(warm + res.count("ok"), timeout=900)
        wall = time.perf_counter() - t0
    finally:
        pf.stop()
    ok = res.count("ok")
    return {"case": name, "messages": ok, "refused": len(res) - ok, "wall": wall, "rate": len(res) / wall,
            "p50": pct(lat, 50), "p99": pct(lat, 99), "mean": statistics.mean(lat) * 1000}


def rspamd_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 11332), timeout=1).close()
        return True
    except OSError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rspamd", action="store_true", help="also measure rspamd's milter (proxy) mode")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    msgs = corpus_messages(corpora(), args.messages + 50)
    msgs = msgs[50:] + msgs[:50]  # the warm-up messages are the last 50 of the list
    msgs, _ = msgs[: args.messages], None
    base = Path(tempfile.mkdtemp(prefix="emoguard-bench-postfix-"))
    base.chmod(0o755)
    rows = [run_case("postfix only", "", msgs, args.clients, base)]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    mil = subprocess.Popen([sys.executable, "-m", "emoguard", "milter", "--listen", f"inet:127.0.0.1:{port}",
                            "--no-history", "--state-dir", str(base / "state")],
                           stderr=(base / "milter.log").open("wb"), env=env, start_new_session=True)
    try:
        wait_port(port)
        rows.append(run_case("postfix + emoguard milter", f"inet:127.0.0.1:{port}", msgs, args.clients, base))
    finally:
        os.killpg(mil.pid, signal.SIGTERM)
        mil.wait(30)
    if args.rspamd:
        started = False
        if not rspamd_running():
            subprocess.run([str(PEERBENCH / "start.sh")], check=True, capture_output=True)
            started = True
        try:
            rows.append(run_case("postfix + rspamd milter (proxy)", "inet:127.0.0.1:11332", msgs, args.clients, base))
        finally:
            if started:
                subprocess.run([str(PEERBENCH / "stop.sh")], check=False, capture_output=True)
    base_p50 = float(rows[0]["p50"])
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} with "
        f"`python -m bench.milter --messages {args.messages} --clients {args.clients}"
        f"{' --rspamd' if args.rspamd else ''} --write`: {len(msgs)} corpus messages "
        f"(SpamAssassin, phishing_pot, linux_nvdimm, Japanese test mails), {args.clients} concurrent SMTP "
        "sessions into a private Postfix 3.7 on loopback delivering to a Maildir. Latency is the "
        "client's MAIL FROM..end-of-DATA time per message (the milter works inside it).",
        "",
        "| setup | accepted | rejected or deferred | wall s | msg/s | SMTP latency p50 ms | p99 ms | added p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['messages']} | {r['refused']} | {float(r['wall']):.1f} | {float(r['rate']):.0f} | "
                     f"{float(r['p50']):.1f} | {float(r['p99']):.1f} | {float(r['p50']) - base_p50:+.1f} |")
    body = "\n".join(lines)
    print(body)
    if args.write:
        update_doc("milter", "## Milter through Postfix\n\n" + body)


if __name__ == "__main__":
    main()
