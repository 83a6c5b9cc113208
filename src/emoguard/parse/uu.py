"""uuencoded files inside text bodies (``begin 644 name`` ... ``end``).

Old mailers (and some malware campaigns) put attachments in the body this
way; a mail client still shows them as attachments, so we do too. Decoding is
lenient: lines with bad length characters are decoded as far as possible and
a missing ``end`` just ends the file at the last uu-looking line.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from .headers import decode_words

__all__ = ["UUFile", "decode_uu_payload", "extract_uuencoded"]

_BEGIN_RE = re.compile(r"^begin(?:-base64)?[ \t]+([0-7]{3,4})[ \t]+(\S.*?)[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class UUFile:
    name: str
    data: bytes
    complete: bool


def _decode_line(line: str) -> bytes | None:
    """One uuencoded line -> bytes, or None if it is not a uu line."""
    if not line:
        return None
    try:
        raw = line.encode("ascii")
    except UnicodeEncodeError:
        return None
    n = (raw[0] - 32) & 63
    if abs(len(raw) - (1 + (n + 2) // 3 * 4)) > 3:
        return None  # not a uu line (its length does not fit its count)
    try:
        return binascii.a2b_uu(raw)
    except binascii.Error:
        pass
    # Some encoders pad or trim lines; decode the length the first byte says.
    need = (n * 4 + 5) // 3
    try:
        return binascii.a2b_uu(raw[:need])[:n]
    except binascii.Error:
        return None


def _scan(lines: list[str], start: int, max_files: int) -> tuple[list[UUFile], list[tuple[int, int]]]:
    """Find uu blocks in ``lines`` from index ``start``.

    Returns the files and the (first, last) line index range of each block.
    """
    files: list[UUFile] = []
    spans: list[tuple[int, int]] = []
    i = start
    n = len(lines)
    while i < n and len(files) < max_files:
        m = _BEGIN_RE.match(lines[i].rstrip("\r"))
        if m is None:
            i += 1
            continue
        first = i
        name = m.group(2)
        i += 1
        # An RFC 2047 name folded onto the next line (seen in Japanese mail).
        while "=?" in name and i < n and lines[i][:1] in (" ", "\t") and "=?" in lines[i]:
            name += lines[i].strip()
            i += 1
        chunks: list[bytes] = []
        complete = False
        while i < n:
            line = lines[i].rstrip("\r")
            if line.strip() == "end":
                complete = True
                i += 1
                break
            if _BEGIN_RE.match(line):
                break
            data = _decode_line(line)
            if data is None:
                if not line.strip():
                    i += 1
                    continue
                break
            chunks.append(data)
            i += 1
        if "=?" in name:
            name = decode_words(name)[0]
        files.append(UUFile(name.strip().strip('"'), b"".join(chunks), complete))
        spans.append((first, i - 1))
    return files, spans


def extract_uuencoded(text: str, max_files: int = 100) -> tuple[str, list[UUFile]]:
    """Cut uuencoded blocks out of a text body.

    Returns the text without the blocks and the decoded files. Cheap when
    there is nothing to do (one substring test).
    """
    if "begin " not in text or not _BEGIN_RE.search(text):
        return text, []
    lines = text.split("\n")
    files, spans = _scan(lines, 0, max_files)
    if not files:
        return text, []
    keep: list[str] = []
    pos = 0
    for first, last in spans:
        keep.extend(lines[pos:first])
        pos = last + 1
    keep.extend(lines[pos:])
    return "\n".join(keep), files


def decode_uu_payload(payload: bytes) -> UUFile | None:
    """A part whose Content-Transfer-Encoding is x-uuencode -> its first file."""
    text = payload.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    files, _ = _scan(text.split("\n"), 0, 1)
    return files[0] if files else None
