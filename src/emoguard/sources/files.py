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
    elif kind == "mbox" and path.suffix.lower() in SINGLE_MESSAGE_SUFFIXES:
        yield from _single_with_from_line(path)
    elif kind == "mbox":
        yield from mbox_file(path)
    elif kind == "ole":
        if is_outlook_msg(str(path)):
            yield RawMessage(source=str(path), path=str(path), meta={"kind": "msg"})
        else:
            yield Skipped(str(path), "not a mail: OLE document (not an Outlook .msg)")
    elif kind == "pst":
        from emoguard.sources.pst import from_pst

        yield from from_pst(path)
    elif kind == "empty":
        if path.suffix.lower() in {".eml", ".msg"}:
            yield RawMessage(source=str(path), path=str(path))  # recorded as unreadable
        else:
            yield Skipped(str(path), "not a mail: empty file")
    else:
        yield Skipped(str(path), "not a mail: no header block")


# A file named as one message that starts with an mbox "From " line is one message
# whose envelope line was kept (mail clients save .eml files like that). Unescaped
# "From " lines in its body (bounces quoting the original, pasted patches) are text;
# the name breaks the tie that the content alone cannot.
SINGLE_MESSAGE_SUFFIXES = frozenset({".eml", ".msg", ".mime", ".rfc822"})


def _single_with_from_line(path: Path) -> Iterator[Item]:
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Skipped(str(path), f"cannot read: {e.strerror or e}", unreadable=True)
        return
    first, _, rest = data.lstrip(b"\r\n").partition(b"\n")
    yield RawMessage(source=str(path), data=rest, meta={"envelope": first.decode("latin-1").rstrip("\r")})


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
    empty line. Message n (from 1) is named ``FILE#n``; a file holding a single
    message (an .eml saved with its ``From `` line) keeps the plain file name.
    """
    held: RawMessage | None = None
    n = 0
    for data in _mbox_bodies(fh):
        n += 1
        if held is not None:
            yield held
        held = RawMessage(source=f"{name}#{n}", data=data, meta={"mbox": name, "index": n})
    if held is not None:
        yield RawMessage(source=name, data=held.data) if n == 1 else held


def _mbox_bodies(fh: BinaryIO) -> Iterator[bytes]:
    """Split on ``From `` lines that start the file or follow an empty line (mboxo/mboxrd).

    This is what mail clients and Python's ``mailbox`` do. An unescaped ``From ``
    line in a body therefore starts a new record; guessing otherwise (say, from an
    open MIME multipart) lets one broken message swallow the rest of a large mbox.
    """
    buf: list[bytes] = []
    prev_blank = True
    started = False
    for line in fh:
        if prev_blank and line.startswith(b"From "):
            if started:
                yield _join(buf)
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
        yield _join(buf)


def _join(lines: list[bytes]) -> bytes:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the separator blank line belongs to the mbox, not the mail
    return b"".join(lines)


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
