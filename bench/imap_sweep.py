"""IMAP sweep throughput over loopback, against a private Dovecot (from Debian).

Starts Dovecot the way the integration tests do (tests/integration/dovecot.py: own
config, users file and Maildir root in a temp dir, a free loopback port), APPENDs
SpamAssassin ham+spam plus planted Emotet-style mail into INBOX and a second folder,
then measures:

- reading only (LOGIN, EXAMINE, UID SEARCH SINCE, UID FETCH BODY.PEEK[] in batches);
- ``emoguard sweep imap://…/* --since … --format json`` with 1 job and with all cores;
- a second ``--incremental`` sweep after the first (nothing new: what a repeated run costs);
- ``--quarantine`` of the planted messages, then ``restore --all``.

    .venv/bin/python -m bench.imap_sweep [--messages 3000] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, corpora, machine, run_measured, update_doc

sys.path.insert(0, str(ROOT / "tests" / "integration"))
from dovecot import Dovecot

WHEN = dt.datetime(2024, 6, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=3000, help="corpus messages to append (default 3000)")
    ap.add_argument("--planted", type=int, default=20, help="planted Emotet-style messages (default 20)")
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = ap.parse_args()

    from emoguard.config import load_config
    from emoguard.sources.imap import connect, parse_url, read_mailbox
    from emoguard.testing import emotet

    sa = corpora() / "spamassassin_public"
    every = sorted(p for p in sa.rglob("*.eml") if p.is_file())
    n = min(args.messages, len(every))
    files = [every[i * len(every) // n] for i in range(n)]  # spread evenly over ham and spam
    n_spam = sum(1 for p in files if p.parent.name.startswith("spam"))
    mails = [p.read_bytes() for p in files]
    planted = [raw for kind, raw in emotet.variants(args.planted * 2, seed=7) if not kind.startswith("legit")]
    planted = planted[: args.planted]
    base = Path(tempfile.mkdtemp(prefix="emoguard-bench-dovecot-"))
    base.chmod(0o755)
    dc = Dovecot(base / "dovecot")
    dc.start()
    rows: list[tuple[str, int, float, str]] = []
    try:
        c = dc.client("tanaka")
        c.create_folder("Archive")
        t0 = time.perf_counter()
        half = len(mails) // 2
        for folder, batch in (("INBOX", mails[:half] + planted[: len(planted) // 2]),
                              ("Archive", mails[half:] + planted[len(planted) // 2 :])):
            for m in batch:
                c.append(folder, m, msg_time=WHEN)
        append_s = time.perf_counter() - t0
        c.logout()
        total = len(mails) + len(planted)
        size_mb = sum(len(m) for m in mails + planted) / 1e6
        print(f"appended {total} messages ({size_mb:.1f} MB) in {append_s:.1f} s")

        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        os.environ["EMOGUARD_IMAP_PASSWORD"] = "pw-tanaka"
        url = dc.url("tanaka", "*")
        cfg = load_config(search_defaults=False)
        t0 = time.perf_counter()
        client = connect(parse_url(url), cfg)
        n = sum(1 for _ in read_mailbox(client, parse_url(url)))
        client.logout()
        read_s = time.perf_counter() - t0
        rows.append(("read only (EXAMINE + UID FETCH BODY.PEEK[], no analysis)", n, read_s, "-"))
        print(f"read only: {n} in {read_s:.2f} s = {n / read_s:.0f} msg/s, {size_mb / read_s:.1f} MB/s")

        env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
        emoguard = [sys.executable, "-m", "emoguard"]
        state = base / "state"
        jobs_all = len(os.sched_getaffinity(0))
        for jobs in sorted({1, jobs_all}):
            out = str(base / f"sweep-{jobs}.json")
            r = run_measured([*emoguard, "sweep", url, "--since", "2024-06-01", "--format", "json",
                              "--jobs", str(jobs), "--state-dir", str(state / f"j{jobs}")],
                             stdout_path=out, env=env)
            found = len(json.loads(Path(out).read_text()))
            if r.returncode != 0:
                sys.exit(f"sweep failed: {r.stderr}")
            rows.append((f"`sweep imap://…/* --since … --format json --jobs {jobs}`", total, r.wall,
                         f"{found} found; peak RSS tree {r.peak_tree_rss_mb:.0f} MB"))
            print(f"sweep jobs={jobs}: {total} in {r.wall:.1f} s = {total / r.wall:.0f} msg/s, {found} found")
        inc = [*emoguard, "sweep", url, "--since", "2024-06-01", "--format", "json", "--incremental",
               "--state-dir", str(state / "inc")]
        r1 = run_measured(inc, env=env)
        r2 = run_measured(inc, env=env)
        rows.append(("`sweep --incremental`, first run", total, r1.wall, "all messages read"))
        rows.append(("`sweep --incremental`, second run (nothing new)", 0, r2.wall, "start-up + EXAMINE + SEARCH"))
        print(f"incremental: first {r1.wall:.1f} s, second {r2.wall:.1f} s")
        q = run_measured([*emoguard, "sweep", url, "--since", "2024-06-01", "--quarantine", "Quarantine",
                          "--format", "json", "--state-dir", str(state / "q")], env=env)
        rs_out = str(base / "restore.txt")
        rs = run_measured([*emoguard, "restore", "--all", "--state-dir", str(state / "q")], env=env,
                          stdout_path=rs_out)
        if q.returncode or rs.returncode:
            sys.exit(f"quarantine/restore failed: {q.stderr} {rs.stderr}")
        moved = next((ln for ln in q.stderr.splitlines() if "moved to" in ln), "")
        rows.append(("`sweep --quarantine Quarantine` (sweep, then MOVE of what it found)", total, q.wall, moved))
        rows.append(("`restore --all`", 0, rs.wall, Path(rs_out).read_text().strip()))
        print(f"quarantine {q.wall:.1f} s, restore {rs.wall:.1f} s")
    finally:
        dc.stop()
        shutil.rmtree(base, ignore_errors=True)

    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} with "
        f"`python -m bench.imap_sweep --messages {args.messages} --write`: a private Dovecot 2.3 (Debian) on "
        f"127.0.0.1, Maildir, {total} messages ({size_mb:.1f} MB: SpamAssassin, {len(files) - n_spam} ham and "
        f"{n_spam} spam, and {len(planted)} "
        f"planted Emotet-style mails) in two folders, appended in {append_s:.1f} s. Wall times include "
        "start-up; the second incremental run, which reads nothing new, shows what start-up, login and "
        f"one SEARCH per folder cost. Load average when the sweeps started: {load}.",
        "",
        "| what | messages | wall s | msg/s | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for what, n_msgs, wall, note in rows:
        rate = f"{n_msgs / wall:.0f}" if n_msgs else "-"
        lines.append(f"| {what} | {n_msgs} | {wall:.2f} | {rate} | {note} |")
    body = "\n".join(lines)
    print()
    print(body)
    if args.write:
        update_doc("imap_sweep", "## IMAP sweep over loopback\n\n" + body)
        print(f"\nwritten to {ROOT / 'docs' / 'benchmarks.md'}")


if __name__ == "__main__":
    main()
