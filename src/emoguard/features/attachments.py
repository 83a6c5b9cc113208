"""Attachment features that need no unpacking: names, extensions, content types.

Deep inspection (archives, macros, passwords) lives in ``emoguard.attachments``
and is exposed through expensive features.
"""

from __future__ import annotations

from emoguard.attachments import sniff
from emoguard.features.registry import Features, feature


@feature("attachments.count", type="int")
def count(fx: Features) -> int:
    """Number of attachments (MIME, uuencode, TNEF, .msg)."""
    return len(fx.message.attachments)


@feature("attachments.names", type="list")
def names(fx: Features) -> tuple[str, ...]:
    """Decoded attachment file names ('' for unnamed ones is left out)."""
    return tuple(p.filename for p in fx.message.attachments if p.filename)


@feature("attachments.extensions", type="list")
def extensions(fx: Features) -> tuple[str, ...]:
    """Lower-cased last extensions of the attachment names, without the dot."""
    out = []
    for n in fx["attachments.names"]:
        base = n.strip().rstrip(". ")
        if "." in base:
            out.append(base.rsplit(".", 1)[1].lower())
    return tuple(out)


@feature("attachments.types", type="list")
def types(fx: Features) -> tuple[str, ...]:
    """Attachment types sniffed from content (``ole``, ``zip``, ``pdf``, ``pe`` …), not names."""
    return tuple(sniff(p.payload) for p in fx.message.attachments)


@feature("attachments.legacy_office", type="list")
def legacy_office(fx: Features) -> tuple[str, ...]:
    """Names of attachments that are legacy binary Office files (.doc/.xls/.ppt or OLE content).

    Office 2003 formats are rare in current mail and were Emotet's carrier
    (INDICATORS c1, the seed's からの変更20-09.doc).
    """
    out = []
    for p in fx.message.attachments:
        name = (p.filename or "").strip()
        ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
        kind = sniff(p.payload)
        if ext in {"doc", "xls", "ppt", "dot", "xlt"} or (kind == "ole" and ext not in {"msg", "msi"}):
            out.append(name or f"(unnamed {kind} part {p.path})")
    return tuple(out)
