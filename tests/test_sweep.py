"""sweep over Maildirs: findings, read flags, time window, quarantine/restore, crash resume."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emoguard.quarantine import Journal, maildir_step, maildir_target
from emoguard.sinks.store import Store
from emoguard.sweep import entry_of
from emoguard.testing import MailBuilder, emotet

GOOD = (MailBuilder(seed=1).from_(("山田 太郎", "yamada@partner.co.jp")).to("tanaka@example.co.jp")
        .subject("打ち合わせの件").date("Mon, 10 Jun 2024 10:00:00 +0900").text("お世話になっております。\n").build())


def bad(i: int) -> bytes:
    return emotet.thread_hijack_doc(seed=i, date="Mon, 10 Jun 2024 09:00:00 +0900")


def make_maildir(root: Path) -> Path:
    md = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
        (md / ".Archive" / sub).mkdir(parents=True)
    (md / "cur" / "1.host:2,S").write_bytes(bad(1))  # read
    (md / "new" / "2.host").write_bytes(bad(2))  # unread
    (md / "cur" / "3.host:2,S").write_bytes(GOOD)
    (md / ".Archive" / "cur" / "4.host:2,").write_bytes(bad(3))
    old = emotet.password_zip(seed=5, date="Tue, 01 Sep 2020 09:42:00 +0900")
    (md / ".Archive" / "cur" / "5.host:2,S").write_bytes(old)  # outside the window
    return md


def state(md: Path) -> dict[str, str]:
    return {str(p.relative_to(md)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(md.rglob("*")) if p.is_file()}


def cli(*args: str, tmp: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    e.update({"EMOGUARD_LANG": "en", **(env or {})})
    return subprocess.run([sys.executable, "-m", "emoguard", *args, "--state-dir", str(tmp / "state")],
                          capture_output=True, text=True, env=e, timeout=300)


def test_sweep_lists_findings_with_read_flags(tmp_path: Path) -> None:
    md = make_maildir(tmp_path)
    r = cli("sweep", str(md), "--since", "2024-06-01", "--format", "json", "--jobs", "1", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    got = {(Path(e["source"]).name, e["folder"], e["seen"]) for e in entries}
    assert got == {("1.host:2,S", "Maildir", True), ("2.host", "Maildir", False), ("4.host:2,", ".Archive", False)}
    for e in entries:
        assert e["level"] in ("suspicious", "malicious") and e["hits"] and e["score"] > 0
        assert e["attachments"] == ["からの変更20-09.doc"]
    assert "4 messages examined, 3 found (1 of them read)" in r.stderr
    r = cli("sweep", str(md), "--since", "2020-01-01", "--until", "2020-12-31", "--format", "json",
            tmp=tmp_path)
    assert [Path(e["source"]).name for e in json.loads(r.stdout)] == ["5.host:2,S"]
    r = cli("sweep", str(md), "--since", "2024-06-01", tmp=tmp_path)
    assert r.returncode == 0 and "unread" in r.stdout
    assert cli("sweep", str(md), "--since", "June", tmp=tmp_path).returncode == 2


def test_quarantine_and_restore_maildir(tmp_path: Path) -> None:
    md = make_maildir(tmp_path)
    start = state(md)
    r = cli("sweep", str(md), "--since", "2024-06-01", "--quarantine", "Quarantine", "--format", "json",
            tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    assert all(e["quarantine_id"] for e in entries)
    now = state(md)
    assert sorted(now.values()) == sorted(start.values())  # nothing lost or duplicated
    assert sum(1 for k in now if k.startswith(".Quarantine/cur/")) == 3
    assert "3 messages moved to Quarantine" in r.stderr
    r = cli("restore", "--list", tmp=tmp_path)
    assert r.stdout.count("quarantined") == 3
    r = cli("restore", str(entries[0]["quarantine_id"]), tmp=tmp_path)
    assert r.returncode == 0 and "1 messages restored" in r.stdout
    r = cli("restore", "--all", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {k: v for k, v in state(md).items()} == start
    assert cli("restore", "--all", tmp=tmp_path).stderr.strip().endswith("nothing to restore")


def test_crash_after_intent_is_resumed(tmp_path: Path) -> None:
    md = make_maildir(tmp_path)
    start = state(md)
    r = cli("sweep", str(md), "--since", "2024-06-01", "--quarantine", "Q", tmp=tmp_path,
            env={"EMOGUARD_TEST_QUARANTINE_CRASH": "q_intent:2"})
    assert r.returncode == 137
    assert sorted(state(md).values()) == sorted(start.values())
    r = cli("sweep", str(md), "--since", "2024-06-01", "--quarantine", "Q", "--format", "json", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(state(md).values()) == sorted(start.values())
    assert sum(1 for k in state(md) if k.startswith(".Q/cur/")) == 3
    assert cli("restore", "--all", tmp=tmp_path).returncode == 0
    assert state(md) == start


def test_journal_steps_for_every_interruption(tmp_path: Path) -> None:
    md = make_maildir(tmp_path)
    src = md / "new" / "2.host"
    data = src.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with Store.open(tmp_path / "state") as store:
        j = Journal(store)
        dst = maildir_target(src, "Q")

        def entry() -> int:
            return j.add(kind="maildir", mailbox=str(md), folder="Maildir", path=str(src), q_path=str(dst),
                         qfolder="Q", sha256=sha, size=len(data), state="q_intent")

        # 1. killed after the intent: nothing moved yet -> moved now
        e = j.get(entry())
        assert e is not None and maildir_step(j, e) == "quarantined"
        assert dst.read_bytes() == data and not src.exists()
        # 2. killed after a cross-device copy, before the unlink: both exist -> origin removed
        src.write_bytes(data)
        e = j.get(entry())
        assert e is not None and maildir_step(j, e) == "quarantined" and not src.exists()
        # 3. killed after the rename, before the journal said so: only the target -> recorded
        e = j.get(entry())
        assert e is not None and maildir_step(j, e) == "quarantined"
        # 4. gone from both places (someone else deleted it): said, not hidden
        dst.unlink()
        e = j.get(entry())
        assert e is not None and maildir_step(j, e) == "missing"
        assert "neither" in (j.get(e.id) or e).error


def test_entry_shape() -> None:
    rec = {"source": "imap://t@h:143/INBOX;UIDVALIDITY=7/;UID=3", "message_id": "<a@b>", "level": "malicious",
           "score": 9.0, "hits": [{"rule": "x"}], "from": "a <b@c>", "subject": "s", "date": "d",
           "attachments": [{"name": "a.doc", "children": []}],
           "meta": {"kind": "imap", "mailbox": "imap://t@h:143", "folder": "INBOX", "uid": 3, "seen": True}}
    e = entry_of(rec)
    assert {k: e[k] for k in ("mailbox", "folder", "uid", "message_id", "seen", "level", "score", "hits")} == {
        "mailbox": "imap://t@h:143", "folder": "INBOX", "uid": 3, "message_id": "<a@b>", "seen": True,
        "level": "malicious", "score": 9.0, "hits": [{"rule": "x"}]}
    assert e["attachments"] == ["a.doc"]


@pytest.mark.parametrize("args", [["restore"], ["restore", "99"]])
def test_restore_usage(tmp_path: Path, args: list[str]) -> None:
    r = cli(*args, tmp=tmp_path)
    assert r.returncode in (0, 2)


def test_copyuid_sets() -> None:
    from emoguard.quarantine import _uid_set

    assert _uid_set(b"5:7,9") == [5, 6, 7, 9]
    assert _uid_set(b"12") == [12]
    assert _uid_set(b"x") == []
