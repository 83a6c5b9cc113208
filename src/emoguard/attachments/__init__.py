"""Attachments: typing by content and the file-node tree (DESIGN 3.3).

``sniff`` names a file's type from its first bytes, never from its name.
``explode`` turns an attachment into a :class:`FileNode`; nested mails become
children. Archive members and embedded objects are added by the extractors
of the attachment-inspection work.
"""

from __future__ import annotations

import hashlib

from emoguard.model import FileNode, Part

# (magic, offset, type) checked in order; the first match wins.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "ole"),
    (b"PK\x03\x04", 0, "zip"),
    (b"PK\x05\x06", 0, "zip"),
    (b"PK\x07\x08", 0, "zip"),
    (b"Rar!\x1a\x07", 0, "rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7z"),
    (b"\x1f\x8b", 0, "gzip"),
    (b"%PDF", 0, "pdf"),
    (b"MZ", 0, "pe"),
    (b"\x7fELF", 0, "elf"),
    (b"{\\rt", 0, "rtf"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", 0, "lnk"),
    (b"\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d", 0, "onenote"),
    (b"\x89PNG", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"GIF8", 0, "gif"),
    (b"BM", 0, "bmp"),
    (b"\x78\x9f\x3e\x22", 0, "tnef"),
    (b"CD001", 0x8001, "iso"),
    (b"ustar", 257, "tar"),
    (b"MSCF", 0, "cab"),
)


def sniff(data: bytes) -> str:
    """Type of ``data`` from its content: 'ole', 'zip', 'pdf', 'pe', … or 'text'/'binary'/'empty'."""
    if not data:
        return "empty"
    for magic, off, kind in _MAGIC:
        if data[off : off + len(magic)] == magic:
            return kind
    head = data[:2048]
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<script", b"<body")):
        return "html"
    if low.startswith(b"<?xml"):
        return "xml"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:
            return "binary" if sum(b < 9 for b in head) > 8 else "text"
    return "text"


def explode(part: Part) -> FileNode:
    """The file node of one attachment: content type, size, hash; nested mail as children."""
    data = part.payload
    kind = "message/rfc822" if part.message is not None else sniff(data)
    children: tuple[FileNode, ...] = ()
    if part.message is not None:
        children = tuple(explode(p) for p in part.message.attachments)
    return FileNode(
        name=part.filename or "",
        type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        children=children,
    )


__all__ = ["explode", "sniff"]
