"""File-system sources: single files, folder trees, Maildir, mbox, stdin."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from emoguard.sources import Item, RawMessage, Skipped
from emoguard.sources.sniff import is_outlook_msg, is_outlook_msg_bytes, sniff_bytes

HEAD_BYTES = 8192
_MAILDIR_INFO = re.compile(r"[:_!;]2,([A-Za-z]*)$")


def from_path(path: Path) -> Iterator[Item]:
    try:
        if path.is_dir():
            yield from _walk(path)
            return
        if not path.exists():
            yield Skipped(str(path), "no such file or directory", unreadable=True)
            return
    except OSError as e:
        yield Skipped(str(path), f"cannot read: {e.strerror or e}", unreadable=True)
        return
    yield from from_file(path)


def _is_maildir(d: Path) -> bool:
    return (d / "cur").is_dir() and (d / "new").is_dir()


def _walk(root: Path) -> Iterator[Item]:
    """Depth-first, sorted, symlink-loop safe; Maildir folders recognised anywhere."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as err:
            yield Skipped(str(d), f"cannot read folder: {err.strerror or err}", unreadable=True)
            continue
        if _is_maildir(d):
            yield from _maildir(d)
            entries = [e for e in entries if e.name not in {"cur", "new", "tmp"}]
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir():
                    subdirs.append(Path(entry.path))
                elif entry.is_file():
                    yield from from_file(Path(entry.path))
            except OSError as err:
                yield Skipped(entry.path, f"cannot read: {err.strerror or err}", unreadable=True)
        stack.extend(reversed(subdirs))


def _maildir(d: Path) -> Iterator[Item]:
    folder = d.name
    for sub in ("new", "cur"):
        try:
            names = sorted(e.name for e in os.scandir(d / sub))
        except OSError as e:
            yield Skipped(str(d / sub), f"cannot read folder: {e.strerror or e}", unreadable=True)
            continue
        for name in names:
            if name.startswith("."):
                continue
            p = d / sub / name
            m = _MAILDIR_INFO.search(name)
            flags = m.group(1) if m else ""
            yield RawMessage(
                source=str(p),
                path=str(p),
                meta={"maildir": str(d), "folder": folder, "seen": "S" in flags},
            )


def from_file(path: Path) -> Iterator[Item]:
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as e:
        yield Skipped(str(path), f"cannot read: {e.strerror or e}", unreadable=True)
        return
    kind = sniff_bytes(head, name_hint=path.name)
    if kind == "eml":
        yield RawMessage(source=str(path), path=str(path))
    elif kind == "mbox":
        yield from mbox_file(path)
    elif kind == "ole":
        if is_outlook_msg(str(path)):
            yield RawMessage(source=str(path), path=str(path), meta={"kind": "msg"})
        else:
            yield Skipped(str(path), "not a mail: OLE document (not an Outlook .msg)")
    elif kind == "empty":
        if path.suffix.lower() in {".eml", ".msg"}:
            yield RawMessage(source=str(path), path=str(path))  # recorded as unreadable
        else:
            yield Skipped(str(path), "not a mail: empty file")
    else:
        yield Skipped(str(path), "not a mail: no header block")


def mbox_file(path: Path) -> Iterator[Item]:
    try:
        fh = path.open("rb")
    except OSError as e:
        yield Skipped(str(path), f"cannot read: {e.strerror or e}", unreadable=True)
        return
    with fh:
        try:
            yield from split_mbox(fh, str(path))
        except OSError as e:
            yield Skipped(str(path), f"read error in mbox: {e.strerror or e}", unreadable=True)


def split_mbox(fh: BinaryIO, name: str) -> Iterator[RawMessage]:
    """Stream an mbox: one message in memory at a time (mboxo/mboxrd '>From ' unquoted).

    A message starts at a ``From `` line at the top of the file or after an
    empty line. Message n (from 1) is named ``FILE#n``.
    """
    buf: list[bytes] = []
    n = 0
    prev_blank = True
    started = False
    for line in fh:
        if prev_blank and line.startswith(b"From "):
            if started:
                n += 1
                yield _mbox_message(name, n, buf)
            buf = []
            started = True
            prev_blank = False
            continue
        if not started:
            if not line.strip():
                continue
            started = True  # mbox without a leading From line: treat as one message
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        buf.append(line)
        prev_blank = line in (b"\n", b"\r\n")
    if started:
        n += 1
        yield _mbox_message(name, n, buf)


def _mbox_message(name: str, n: int, lines: list[bytes]) -> RawMessage:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the separator blank line belongs to the mbox, not the mail
    return RawMessage(source=f"{name}#{n}", data=b"".join(lines), meta={"mbox": name, "index": n})


def from_stdin(stream: Any = None) -> Iterator[Item]:
    fh: BinaryIO = stream if stream is not None else sys.stdin.buffer
    try:
        data = fh.read()
    except OSError as e:
        yield Skipped("-", f"cannot read standard input: {e}", unreadable=True)
        return
    kind = sniff_bytes(data[:HEAD_BYTES])
    if kind == "mbox":
        import io

        yield from split_mbox(io.BytesIO(data), "-")
    elif kind == "ole" and not is_outlook_msg_bytes(data):
        yield Skipped("-", "not a mail: OLE document (not an Outlook .msg)")
    else:
        yield RawMessage(source="-", data=data)
