"""Break well-formed mail in the ways real broken mail is broken (DESIGN 5).

Each function takes the bytes of a mail (usually from ``MailBuilder``) and returns
new bytes with exactly one defect, so parser tests can name the defect they expect.
"""

from __future__ import annotations

import re

__all__ = ["relabel_charset", "without_boundary"]

_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _split(raw: bytes) -> tuple[bytes, bytes]:
    m = _HEADER_END.search(raw)
    if m is None:
        return raw, b""
    return raw[: m.start()], raw[m.start() :]


def without_boundary(raw: bytes) -> bytes:
    """Drop the ``boundary`` parameter from the top-level multipart Content-Type.

    The body keeps its delimiter lines, so a reader sees a multipart with no way to
    split it (the ``mime.boundary_missing`` defect). Raises ``ValueError`` if the
    top-level entity is not multipart with a boundary.
    """
    head, body = _split(raw)
    new, n = re.subn(rb';(?:\r?\n)?[ \t]*boundary="?[^"\r\n;]*"?', b"", head, count=1,
                     flags=re.IGNORECASE)
    if n == 0:
        raise ValueError("the top-level entity has no boundary parameter")
    return new + body


def relabel_charset(raw: bytes, old: str, new: str) -> bytes:
    """Rewrite ``charset=old`` labels to ``charset=new`` in every Content-Type, leaving
    the bytes as they are: e.g. ISO-2022-JP text labelled Shift_JIS, as some mailers do.
    """
    pattern = re.compile(rb'(charset=)"?' + re.escape(old.encode()) + rb'"?', re.IGNORECASE)
    return pattern.sub(lambda m: m.group(1) + b'"' + new.encode() + b'"', raw)
