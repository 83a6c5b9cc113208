"""Outlook PST files from ../shared/corpora/outlook_pst (read in place, never copied)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emoguard.sources import RawMessage, Skipped, open_source
from emoguard.sources.pst import ONE_OFF_UID, parse_one_off, read_contacts
from emoguard.sources.sniff import sniff_bytes

pytestmark = pytest.mark.corpus


@pytest.fixture()
def pst_dir(corpora: Path) -> Path:
    return corpora / "outlook_pst" / "java_libpst"


def test_sniffed_by_content(pst_dir: Path, tmp_path: Path) -> None:
    head = (pst_dir / "dist-list.pst").read_bytes()[:8192]
    assert sniff_bytes(head, name_hint="renamed.txt") == "pst"
    renamed = tmp_path / "mailbox.bin"  # the name does not matter
    renamed.write_bytes((pst_dir / "dist-list.pst").read_bytes())
    assert any(isinstance(i, RawMessage) for i in open_source(str(renamed)))


def test_messages_with_attachments_and_folders(pst_dir: Path) -> None:
    items = list(open_source(str(pst_dir / "dist-list.pst")))
    msgs = [i for i in items if isinstance(i, RawMessage)]
    assert len(msgs) == 1  # the one Outlook item that is not a contact, list or internal item
    m = msgs[0]
    assert m.meta["folder"] == "Top of Personal Folders/Calendar"
    assert m.meta["class"] == "IPM.Appointment" and m.meta["seen"] is True
    data = m.load()
    assert b"Subject: Test appointment" in data
    assert b"VGhpcyBpcyBhIGNvbXBsZXRlIHRlc3QNCg==" in data  # "This is a complete test\r\n"
    assert data.count(b"Content-Disposition: attachment") == 2


def test_scan_gives_records(pst_dir: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "emoguard", "scan", "--no-history", "--format", "jsonl",
                        str(pst_dir / "dist-list.pst")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["subject"] for x in recs] == ["Test appointment"]
    assert [a["name"] for a in recs[0]["attachments"]] == ["Untitled", "Untitled"]
    assert recs[0]["meta"]["pst"].endswith("dist-list.pst")


def test_contacts_and_distribution_lists(pst_dir: Path) -> None:
    contacts, info = read_contacts(pst_dir / "dist-list.pst")
    assert info.contacts == 1 and info.distribution_lists == 1 and not info.password_protected
    pairs = {(c.name, c.address, c.kind) for c in contacts}
    assert ("contact name 1", "contact1@rjohnson.id.au", "contact") in pairs
    assert {("dist name 1", "dist1@rjohnson.id.au"), ("dist name 2", "dist2@rjohnson.id.au"),
            ("contact name 1", "contact1@rjohnson.id.au")} == {
        (c.name, c.address) for c in contacts if c.kind == "distlist:test dist list"}


def test_password_protected_pst_is_read_and_said(pst_dir: Path) -> None:
    contacts, info = read_contacts(pst_dir / "passworded.pst")
    assert info.password_protected
    assert {c.address for c in contacts} >= {"contact1@rjohnson.id.au", "dist1@rjohnson.id.au"}
    items = list(open_source(str(pst_dir / "passworded.pst")))
    assert len(items) == 1 and isinstance(items[0], Skipped) and not items[0].unreadable
    assert "password-protected" in items[0].reason


def test_one_off_entry_id() -> None:
    eid = b"\0\0\0\0" + ONE_OFF_UID + b"\0\0\x01\x80" + "山田 太郎\0SMTP\0yamada@partner.co.jp\0".encode("utf-16-le")
    assert parse_one_off(eid) == ("山田 太郎", "SMTP", "yamada@partner.co.jp")
    assert parse_one_off(b"\0" * 30) is None


def test_broken_pst_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "broken.pst"
    p.write_bytes(b"!BDN" + b"\0" * 600)
    items = list(open_source(str(p)))
    assert len(items) == 1 and isinstance(items[0], Skipped) and items[0].unreadable


def test_sweep_reads_pst(pst_dir: Path, tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "emoguard", "sweep", str(pst_dir / "dist-list.pst"), "--since",
                        "2016-01-01", "--format", "json", "--state-dir", str(tmp_path / "state")],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "EMOGUARD_LANG": "en"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []  # the one item is a clean appointment
    assert "1 messages examined, 0 found" in r.stderr
    r = subprocess.run([sys.executable, "-m", "emoguard", "sweep", str(pst_dir / "dist-list.pst"), "--since",
                        "2017-01-01", "--format", "json", "--state-dir", str(tmp_path / "state")],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "EMOGUARD_LANG": "en"})
    assert "0 messages examined" in r.stderr  # delivered 2016-08-02: outside the window
