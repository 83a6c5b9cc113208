"""File-system sources: sniffing by content, Maildir, streamed mbox, stdin, bad paths."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from emoguard.sources import RawMessage, Skipped, open_source
from emoguard.sources.files import split_mbox
from emoguard.sources.sniff import sniff_bytes

MAIL = b"From: a@example.com\nTo: b@example.co.jp\nSubject: hi\n\nbody\n"


def items(loc: str) -> list[RawMessage | Skipped]:
    return list(open_source(loc))


def test_sniffing_uses_content_not_name() -> None:
    assert sniff_bytes(MAIL, name_hint="notes.txt") == "eml"
    assert sniff_bytes(b"Subject: only a subject\n\nbody", name_hint="1.txt") == "eml"
    assert sniff_bytes(b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + MAIL) == "mbox"
    assert sniff_bytes(b"# README\n\nsome text", name_hint="mail.txt") == "other"
    assert sniff_bytes(b"plain words", name_hint="x.eml") == "eml"
    assert sniff_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", name_hint="a.eml") == "ole"
    assert sniff_bytes(b"   \n", name_hint="a.eml") == "empty"
    assert sniff_bytes(b"From the desk of the CEO\nplease read", name_hint="x.txt") == "other"


def test_folder_walk_mixed_content(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.dat").write_bytes(MAIL)
    (tmp_path / "readme.md").write_text("# hello\n")
    (tmp_path / "box").write_bytes(b"From x Mon Jan  1 00:00:00 2024\n" + MAIL + b"\nFrom y Mon Jan  1 00:00:00 2024\n" + MAIL)
    got = items(str(tmp_path))
    msgs = [i for i in got if isinstance(i, RawMessage)]
    skipped = [i for i in got if isinstance(i, Skipped)]
    assert sorted(m.source for m in msgs) == sorted([str(tmp_path / "a" / "one.dat"), f"{tmp_path / 'box'}#1", f"{tmp_path / 'box'}#2"])
    assert [s.source for s in skipped] == [str(tmp_path / "readme.md")]
    assert not skipped[0].unreadable


def test_maildir_with_flags_and_subfolders(tmp_path: Path) -> None:
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (md / sub).mkdir(parents=True)
    (md / "new" / "1.host").write_bytes(MAIL)
    (md / "cur" / "2.host:2,S").write_bytes(MAIL)
    (md / "tmp" / "3.host").write_bytes(MAIL)  # being delivered: not a message yet
    (md / ".Sent" / "cur" / "4.host:2,RS").write_bytes(MAIL)
    got = [i for i in items(str(md)) if isinstance(i, RawMessage)]
    assert [(Path(m.source).name, m.meta["seen"], m.meta["folder"]) for m in got] == [
        ("1.host", False, "Maildir"), ("2.host:2,S", True, "Maildir"), ("4.host:2,RS", True, ".Sent"),
    ]


def test_mbox_split_unquotes_and_keeps_bodies() -> None:
    box = (
        b"From a@example.com Mon Jan  1 00:00:00 2024\n" + MAIL + b">From the start\nend\n\n"
        b"From b@example.com Mon Jan  1 00:00:01 2024\n" + MAIL
    )
    msgs = list(split_mbox(io.BytesIO(box), "box"))
    assert [m.source for m in msgs] == ["box#1", "box#2"]
    assert msgs[0].data is not None and msgs[0].data.endswith(b"From the start\nend\n")
    assert msgs[1].data == MAIL


def test_mbox_is_streamed(tmp_path: Path) -> None:
    """Messages come out one at a time while the file is read (no whole-file load)."""
    p = tmp_path / "big.mbox"
    with p.open("wb") as fh:
        for i in range(2000):
            fh.write(b"From x Mon Jan  1 00:00:00 2024\n" + MAIL.replace(b"hi", str(i).encode()) + b"\n")
    it = open_source(str(p))
    first = next(it)
    assert isinstance(first, RawMessage) and first.source.endswith("#1")
    assert sum(1 for _ in it) == 1999


def test_stdin_mail_and_mbox() -> None:
    (one,) = list(open_source("-", stdin=io.BytesIO(MAIL)))
    assert isinstance(one, RawMessage) and one.source == "-" and one.data == MAIL
    two = list(open_source("-", stdin=io.BytesIO(b"From x Mon Jan  1 00:00:00 2024\n" + MAIL + b"\nFrom y Mon Jan  1 00:00:00 2024\n" + MAIL)))
    assert [m.source for m in two] == ["-#1", "-#2"]


def test_missing_and_unreadable_paths(tmp_path: Path) -> None:
    (gone,) = items(str(tmp_path / "nope.eml"))
    assert isinstance(gone, Skipped) and gone.unreadable
    if os.geteuid() == 0:
        pytest.skip("root can read files without permission bits")
    p = tmp_path / "secret.eml"
    p.write_bytes(MAIL)
    p.chmod(0)
    (err,) = items(str(p))
    assert isinstance(err, Skipped) and err.unreadable and "Permission denied" in err.reason


def test_outlook_msg_detected_by_content(corpora: Path, tmp_path: Path) -> None:
    src = corpora / "outlook_msg" / "msgreader" / "nonUnicodeCP932.msg"
    renamed = tmp_path / "mail.bin"
    renamed.write_bytes(src.read_bytes())
    (m,) = items(str(renamed))
    assert isinstance(m, RawMessage) and m.meta.get("kind") == "msg"
    doc = corpora / "oletools_test_data" / "msodde" / "harmless-clean.doc"
    (s,) = items(str(doc))
    assert isinstance(s, Skipped) and "not a mail" in s.reason


def test_single_message_with_from_line_keeps_plain_name(tmp_path: Path) -> None:
    p = tmp_path / "saved.eml"
    p.write_bytes(b"From someone Mon Jan  1 00:00:00 2024\n" + MAIL)
    (m,) = items(str(p))
    assert isinstance(m, RawMessage) and m.source == str(p) and m.data == MAIL


def test_broken_multipart_does_not_swallow_the_rest_of_an_mbox() -> None:
    broken = b"From: a@example.com\nSubject: x\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\nno close\n"
    box = b"".join(b"From x Mon Jan  1 00:00:00 2024\n" + (broken if i == 0 else MAIL) + b"\n" for i in range(5))
    assert len(list(split_mbox(io.BytesIO(box), "box"))) == 5
