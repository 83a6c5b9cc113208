"""sweep, quarantine, restore and incremental scans against a real Dovecot (from Debian).

Each test starts its own Dovecot (tests/integration/dovecot.py) on a free loopback
port with its own config, passwd-file and Maildir root under a temp dir, fills the
mailboxes over IMAP APPEND with corpus mail (../shared/corpora, read in place) and
planted Emotet-style mail from emoguard.testing.emotet, and stops only that Dovecot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from dovecot import Dovecot, dovecot_available

from emoguard.config import load_config
from emoguard.engine import Engine
from emoguard.model import Context
from emoguard.testing import emotet

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
JST = timezone(timedelta(hours=9))
IN_WINDOW = datetime(2024, 6, 10, 9, 30, tzinfo=JST)
OUT_OF_WINDOW = datetime(2023, 1, 5, 9, 30, tzinfo=JST)
SINCE = "2024-06-01"
QFOLDER = "Quarantine"
JA_FOLDER = "取引先/2020年"


def corpora() -> Path:
    env = os.environ.get("EMOGUARD_CORPORA")
    p = Path(env) if env else ROOT.parent / "shared" / "corpora"
    if not p.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"corpora not found at {p}")
        pytest.skip(f"corpora not found at {p}")
    return p


@pytest.fixture()
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_available():
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed; scripts/test.sh installs dovecot-imapd")
        pytest.skip("dovecot not installed (run scripts/test.sh)")
    base = Path(tempfile.mkdtemp(prefix="emoguard-dovecot-"))
    base.chmod(0o755)  # Dovecot's auth process (user dovecot) reads the users file below it
    d = Dovecot(base / "dovecot")
    d.start()
    try:
        yield d
    finally:
        d.stop()
        shutil.rmtree(base, ignore_errors=True)


def planted(n: int, seed: int = 0) -> list[bytes]:
    """``n`` Emotet-style mails (the malicious kinds of emotet.variants)."""
    out = []
    for kind, raw in emotet.variants(n * 3, seed=seed):
        if not kind.startswith("legit"):
            out.append(raw)
        if len(out) == n:
            break
    return out


def corpus_files(sub: str, n: int) -> list[bytes]:
    files = sorted(p for p in (corpora() / sub).rglob("*.eml") if p.is_file())[:n]
    return [p.read_bytes() for p in files]


def ja_corpus() -> list[bytes]:
    return [p.read_bytes() for d in sorted(corpora().glob("ja_*")) for p in sorted(d.rglob("*.eml"))]


def append(dc: Dovecot, user: str, folder: str, mails: list[bytes], *, seen: set[int] = frozenset(),  # type: ignore[assignment]
           when: datetime = IN_WINDOW) -> None:
    c = dc.client(user)
    try:
        if not c.folder_exists(folder):
            c.create_folder(folder)
        for i, m in enumerate(mails):
            c.append(folder, m, flags=[b"\\Seen"] if i in seen else [], msg_time=when)
    finally:
        c.logout()


def snapshot(dc: Dovecot, user: str) -> dict[str, Counter[tuple[str, bool]]]:
    """Per folder: the multiset of (sha256 of the content, \\Seen)."""
    c = dc.client(user)
    out: dict[str, Counter[tuple[str, bool]]] = {}
    try:
        for flags, _d, name in c.list_folders():
            if b"\\Noselect" in flags:
                continue
            info = c.select_folder(name, readonly=True)
            cnt: Counter[tuple[str, bool]] = Counter()
            if info.get(b"EXISTS"):
                for _uid, item in c.fetch(c.search(["ALL"]), [b"BODY.PEEK[]", b"FLAGS"]).items():
                    cnt[(hashlib.sha256(item[b"BODY[]"]).hexdigest(), b"\\Seen" in item[b"FLAGS"])] += 1
            out[name] = cnt
    finally:
        c.logout()
    return out


def nonempty(snap: dict[str, Counter[tuple[str, bool]]]) -> dict[str, Counter[tuple[str, bool]]]:
    return {k: v for k, v in snap.items() if sum(v.values())}


def total(snap: dict[str, Counter[tuple[str, bool]]]) -> Counter[tuple[str, bool]]:
    out: Counter[tuple[str, bool]] = Counter()
    for v in snap.values():
        out += v
    return out


def run_cli(args: list[str], tmp: Path, *, env_extra: dict[str, str] | None = None,
            password: str = "pw-tanaka", timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_CONFIG",)}
    env.update({"EMOGUARD_IMAP_PASSWORD": password, "EMOGUARD_LANG": "en", **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "emoguard", *args, "--state-dir", str(tmp / "state")],
                          capture_output=True, text=True, env=env, timeout=timeout)


def norm_id(raw: bytes) -> str:
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def engine_flags(mails: list[bytes]) -> set[str]:
    """Which of these mails the engine itself (no IMAP) rates suspicious or worse."""
    eng = Engine.load(config=load_config(search_defaults=False))
    return {norm_id(m) for m in mails if eng.analyze(m, Context()).level != "clean"}


# -- the sweep ----------------------------------------------------------------------------------


def test_sweep_reports_exactly_the_planted_mail_with_read_flags(dovecot: Dovecot, tmp_path: Path) -> None:
    ja = ja_corpus()
    ham = corpus_files("spamassassin_public/easy_ham", 60)
    phish = corpus_files("phishing_pot", 40)
    bad = planted(8)
    # tanaka: Japanese corpus + 4 planted in INBOX (2 read), ham + 2 planted in a Japanese-named folder
    append(dovecot, "tanaka", "INBOX", ja)
    append(dovecot, "tanaka", "INBOX", bad[:4], seen={0, 2})
    append(dovecot, "tanaka", JA_FOLDER, ham)
    append(dovecot, "tanaka", JA_FOLDER, bad[4:6], seen={1})
    append(dovecot, "tanaka", "INBOX", planted(1, seed=9), when=OUT_OF_WINDOW)  # before --since: not listed
    # sato: real phishing + 2 planted, unread
    append(dovecot, "sato", "INBOX", phish)
    append(dovecot, "sato", "INBOX", bad[6:8])
    cfg = tmp_path / "emoguard.toml"
    port = dovecot.port
    cfg.write_text('[imap.passwords]\n"sato@127.0.0.1" = "pw-sato"\n', encoding="utf-8")

    r = run_cli(["sweep", dovecot.url("tanaka", "*"), f"imap://sato@127.0.0.1:{port}/INBOX",
                 "--since", SINCE, "--format", "json", "--config", str(cfg)], tmp_path)
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    assert all(set(e) >= {"mailbox", "folder", "uid", "message_id", "seen", "level", "score", "hits"}
               for e in entries)

    # what the engine flags on the same bytes read from files: the planted ones, plus
    # whatever real phishing (and ham false positives) it flags; no Japanese corpus mail
    expected_extra = engine_flags(ham + phish + ja)
    assert not expected_extra & {norm_id(m) for m in ja}
    c = dovecot.client("tanaka")
    found_ids: set[str] = set()
    by_id: dict[str, dict[str, object]] = {}
    clients = {"tanaka": c, "sato": dovecot.client("sato")}
    try:
        for e in entries:
            user = "tanaka" if "tanaka" in str(e["mailbox"]) else "sato"
            cl = clients[user]
            cl.select_folder(str(e["folder"]), readonly=True)
            raw = cl.fetch([e["uid"]], [b"BODY.PEEK[]"])[e["uid"]][b"BODY[]"]
            found_ids.add(norm_id(raw))
            by_id[norm_id(raw)] = e
    finally:
        for cl in clients.values():
            cl.logout()
    planted_ids = {norm_id(m) for m in bad}
    assert planted_ids <= found_ids, "a planted message was missed"
    assert found_ids - planted_ids == expected_extra & (found_ids - planted_ids)
    assert found_ids == planted_ids | expected_extra
    assert len(entries) == len(found_ids)  # one entry per message
    # read flags exactly as set at APPEND, and reading did not change them
    expected_seen = {norm_id(bad[i]): (i in (0, 2, 5)) for i in range(8)}
    for pid, seen in expected_seen.items():
        assert by_id[pid]["seen"] is seen, by_id[pid]
    folders = {(str(e["mailbox"]).split("@")[0].split("//")[1], e["folder"]) for e in entries
               if norm_id_in(e, planted_ids, by_id)}
    assert ("tanaka", JA_FOLDER) in folders and ("sato", "INBOX") in folders
    snap = snapshot(dovecot, "tanaka")
    assert sum(1 for (_h, s) in total(snap).elements() if s) == 3  # no \Seen was added by the sweep
    # terminal and HTML output work on the same sweep
    r2 = run_cli(["sweep", dovecot.url("tanaka", "*"), "--since", SINCE, "--format", "html", "-o",
                  str(tmp_path / "sweep.html")], tmp_path)
    assert r2.returncode == 0, r2.stderr
    html = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert JA_FOLDER in html and "<html" in html
    r3 = run_cli(["sweep", dovecot.url("tanaka", "INBOX"), "--since", SINCE], tmp_path)
    assert r3.returncode == 0, r3.stderr
    assert "read" in r3.stdout and "unread" in r3.stdout
    assert "Ask the people" in r3.stderr


def norm_id_in(e: dict[str, object], ids: set[str], by_id: dict[str, dict[str, object]]) -> bool:
    return any(by_id[i] is e for i in ids if i in by_id)


def test_password_on_command_line_is_refused(tmp_path: Path) -> None:
    r = run_cli(["sweep", "imap://tanaka:secret@127.0.0.1:1/INBOX", "--since", SINCE], tmp_path)
    assert r.returncode == 2
    assert "password in the URL is refused" in r.stderr


# -- quarantine and restore ----------------------------------------------------------------------


def fill_for_quarantine(dc: Dovecot, n_bad: int = 6) -> list[bytes]:
    ja = ja_corpus()[:40]
    bad = planted(n_bad, seed=3)
    append(dc, "tanaka", "INBOX", ja[:30])
    append(dc, "tanaka", "INBOX", bad[: n_bad // 2], seen={0})
    append(dc, "tanaka", "Archive", ja[30:])
    append(dc, "tanaka", "Archive", bad[n_bad // 2 :], seen={1})
    return bad


def _assert_in_quarantine(dc: Dovecot, start: dict[str, Counter[tuple[str, bool]]], n_bad: int) -> None:
    snap = snapshot(dc, "tanaka")
    assert total(snap) == total(start)  # nothing lost, nothing duplicated
    assert sum(snap[QFOLDER].values()) == n_bad
    assert sum(snap["INBOX"].values()) + sum(snap["Archive"].values()) == sum(total(start).values()) - n_bad


def test_quarantine_then_restore_round_trip(dovecot: Dovecot, tmp_path: Path) -> None:
    fill_for_quarantine(dovecot)
    start = nonempty(snapshot(dovecot, "tanaka"))
    r = run_cli(["sweep", dovecot.url("tanaka", "*"), "--since", SINCE, "--quarantine", QFOLDER,
                 "--format", "json"], tmp_path)
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    assert len(entries) == 6 and all(e["quarantine_id"] for e in entries)
    _assert_in_quarantine(dovecot, start, 6)
    # a second sweep does not sweep the quarantine folder itself
    r = run_cli(["sweep", dovecot.url("tanaka", "*"), "--since", SINCE, "--quarantine", QFOLDER,
                 "--format", "json"], tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout) == []
    # one by id, then the rest
    first = entries[0]["quarantine_id"]
    r = run_cli(["restore", str(first)], tmp_path)
    assert r.returncode == 0, r.stderr
    r = run_cli(["restore", "--all"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert nonempty(snapshot(dovecot, "tanaka")) == start


@pytest.mark.parametrize("crash", ["q_intent:2", "q_moved:3", "r_moved:2"])
def test_crash_mid_quarantine_loses_nothing(dovecot: Dovecot, tmp_path: Path, crash: str) -> None:
    fill_for_quarantine(dovecot)
    start = nonempty(snapshot(dovecot, "tanaka"))
    env = {"EMOGUARD_TEST_QUARANTINE_CRASH": crash}
    args = ["sweep", dovecot.url("tanaka", "*"), "--since", SINCE, "--quarantine", QFOLDER, "--format", "json"]
    if crash.startswith("q_"):
        r = run_cli(args, tmp_path, env_extra=env)
        assert r.returncode == 137, r.stderr  # died mid-way
        assert total(snapshot(dovecot, "tanaka")) == total(start)  # every message somewhere, once
        r = run_cli(args, tmp_path)
        assert r.returncode == 0, r.stderr
        _assert_in_quarantine(dovecot, start, 6)
        r = run_cli(["restore", "--all"], tmp_path)
    else:
        r = run_cli(args, tmp_path)
        assert r.returncode == 0, r.stderr
        r = run_cli(["restore", "--all"], tmp_path, env_extra=env)
        assert r.returncode == 137, r.stderr
        assert total(snapshot(dovecot, "tanaka")) == total(start)
        r = run_cli(["restore", "--all"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert nonempty(snapshot(dovecot, "tanaka")) == start


def test_sigkill_mid_quarantine_then_rerun(dovecot: Dovecot, tmp_path: Path) -> None:
    n_bad = 24
    fill_for_quarantine(dovecot, n_bad)
    start = nonempty(snapshot(dovecot, "tanaka"))
    env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    env.update({"EMOGUARD_IMAP_PASSWORD": "pw-tanaka", "EMOGUARD_LANG": "en"})
    args = [sys.executable, "-m", "emoguard", "sweep", dovecot.url("tanaka", "*"), "--since", SINCE,
            "--quarantine", QFOLDER, "--state-dir", str(tmp_path / "state"), "--jobs", "1"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    db = tmp_path / "state" / "emoguard.sqlite3"
    deadline = time.monotonic() + 240
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db, timeout=1) as con:
                n = con.execute("SELECT count(*) FROM quarantine WHERE state != 'q_intent'").fetchone()[0]
        except sqlite3.Error:
            n = 0
        if n >= 2:
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = n
            break
        time.sleep(0.005)
    proc.wait(30)
    assert killed_at is not None, "the sweep finished before it could be killed"
    assert total(snapshot(dovecot, "tanaka")) == total(start)
    r = run_cli(["sweep", dovecot.url("tanaka", "*"), "--since", SINCE, "--quarantine", QFOLDER], tmp_path)
    assert r.returncode == 0, r.stderr
    _assert_in_quarantine(dovecot, start, n_bad)
    r = run_cli(["restore", "--all"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert nonempty(snapshot(dovecot, "tanaka")) == start


# -- incremental -----------------------------------------------------------------------------------


def test_second_scan_reads_only_new_mail(dovecot: Dovecot, tmp_path: Path) -> None:
    ja = ja_corpus()
    append(dovecot, "tanaka", "INBOX", ja[:50])
    append(dovecot, "tanaka", "Sent", ja[50:60])
    url = dovecot.url("tanaka", "*")
    r = run_cli(["scan", url, "--format", "jsonl", "--no-history", "--jobs", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 60
    new = ja[60:63] + planted(1)
    append(dovecot, "tanaka", "INBOX", new[:2])
    append(dovecot, "tanaka", "Sent", new[2:])
    r = run_cli(["scan", url, "--format", "jsonl", "--no-history", "--jobs", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == 4
    assert {(x["meta"]["folder"]) for x in recs} == {"INBOX", "Sent"}
    r = run_cli(["scan", url, "--format", "jsonl", "--no-history"], tmp_path)
    assert r.stdout == ""
    r = run_cli(["scan", url + "?full=1", "--format", "jsonl", "--no-history"], tmp_path)
    assert len(r.stdout.splitlines()) == 64
    with sqlite3.connect(tmp_path / "state" / "emoguard.sqlite3") as con:  # the state is in --state-dir
        rows = con.execute("SELECT folder, last_uid FROM imap_state WHERE mailbox LIKE ?",
                           (f"imap://tanaka@127.0.0.1:{dovecot.port}",)).fetchall()
    assert sorted(rows) == [("INBOX", 52), ("Sent", 12)]


def test_copy_fallback_and_resume_of_a_half_done_copy(dovecot: Dovecot, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without MOVE: UID COPY + \\Deleted + UID EXPUNGE; a copy left without its expunge is finished."""
    from emoguard.quarantine import ImapMover, Journal, restore_entries, resume_pending
    from emoguard.sinks.store import Store
    from emoguard.sources.imap import connect, parse_url
    from emoguard.sweep import Sweep

    monkeypatch.setenv("EMOGUARD_IMAP_PASSWORD", "pw-tanaka")
    fill_for_quarantine(dovecot)
    start = nonempty(snapshot(dovecot, "tanaka"))
    cfg = load_config(search_defaults=False).with_overrides({"state_dir": str(tmp_path / "state")})
    engine = Engine.load(config=cfg)
    url = dovecot.url("tanaka", "*")
    with Store.open(cfg.state_dir) as store:
        sw = Sweep(cfg, engine, Context(), since=datetime(2024, 6, 1).date(), store=store, jobs=1,
                   quarantine_folder=QFOLDER, use_move=False)
        try:
            res = sw.run([url])
        finally:
            sw.close()
        assert len(res.quarantined) == 6 and {q.state for q in res.quarantined} == {"quarantined"}
        _assert_in_quarantine(dovecot, start, 6)
        journal = Journal(store)
        box = parse_url(url).mailbox
        client = connect(parse_url(box), cfg)
        try:
            # simulate a restore killed between COPY and the expunge: copy one back by hand
            e = journal.in_state("quarantined")[0]
            client.select_folder(QFOLDER)
            client.copy([e.q_uid], e.folder)
            journal.update(e.id, state="r_copied")
            assert sum(total(snapshot(dovecot, "tanaka")).values()) == sum(total(start).values()) + 1
            done = resume_pending(journal, lambda _b: client)
            assert [d.state for d in done] == ["restored"]
            assert total(snapshot(dovecot, "tanaka")) == total(start)
            mover = ImapMover(client, journal, use_move=False)
            assert not mover.has_move and mover.has_uidplus
            restore_entries(journal, journal.in_state("quarantined"), lambda _b: client)
        finally:
            client.logout()
    assert nonempty(snapshot(dovecot, "tanaka")) == start


def test_imaps_and_starttls(tmp_path: Path) -> None:
    """imaps:// and STARTTLS on imap:// against Dovecot with a self-signed certificate."""
    if not dovecot_available() or not shutil.which("openssl"):
        pytest.skip("dovecot or openssl not installed")
    base = Path(tempfile.mkdtemp(prefix="emoguard-dovecot-"))
    base.chmod(0o755)
    dc = Dovecot(base / "dovecot", tls=True)
    dc.start()
    try:
        append(dc, "tanaka", "INBOX", planted(2) + ja_corpus()[:3], seen={1})
        cfg = tmp_path / "insecure.toml"
        cfg.write_text("[imap]\ntls_verify = false\n", encoding="utf-8")
        tls_url = f"imaps://tanaka@127.0.0.1:{dc.tls_port}/INBOX"
        r = run_cli(["sweep", tls_url, "--since", SINCE, "--format", "json", "--config", str(cfg)], tmp_path)
        assert r.returncode == 0, r.stderr
        assert sorted(e["seen"] for e in json.loads(r.stdout)) == [False, True]
        r = run_cli(["sweep", dc.url("tanaka"), "--since", SINCE, "--format", "json", "--config", str(cfg)],
                    tmp_path)
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)) == 2
        assert "TLS" in dc.log.read_text(errors="replace")  # the imap:// login went through STARTTLS
        r = run_cli(["sweep", tls_url, "--since", SINCE], tmp_path)  # the certificate is verified by default
        assert r.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in r.stderr
    finally:
        dc.stop()
        shutil.rmtree(base, ignore_errors=True)
