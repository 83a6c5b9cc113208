"""``winmail.dat`` / ``application/ms-tnef``: Outlook's wrapper around the real
attachments. We unwrap it with ``tnefparse`` so the files inside are scanned
like any other attachment (``origin="tnef"``)."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from emoguard.model import Part

from .charsets import decode_text

__all__ = ["TnefResult", "expand_tnef", "is_tnef"]

TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef", "application/x-tnef"})

logging.getLogger("tnefparse").setLevel(logging.CRITICAL)


@dataclass(slots=True)
class TnefResult:
    parts: list[Part] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    body: str = ""
    html: str = ""


def is_tnef(content_type: str, filename: str | None, payload: bytes) -> bool:
    """True for a TNEF part: by type, by the winmail.dat name, or by magic."""
    if content_type in _TNEF_TYPES:
        return True
    if filename and filename.strip().lower() in ("winmail.dat", "win.dat"):
        return True
    return payload[:4] == TNEF_SIGNATURE


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_text(value, None)[0].strip("\x00").strip()
    if isinstance(value, list) and value:
        return _text(value[0])
    return str(value).strip("\x00").strip()


def guess_type(filename: str | None) -> str:
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    return "application/octet-stream"


def expand_tnef(payload: bytes, path: str, max_parts: int) -> TnefResult:
    """Unwrap a TNEF blob into attachment parts ``<path>.t1``, ``<path>.t2``...

    Never raises: an unreadable blob yields the defect ``tnef.unreadable``
    (the caller keeps the original part either way).
    """
    res = TnefResult()
    try:
        from tnefparse.tnef import TNEF

        tnef = TNEF(payload, do_checksum=False)
    except Exception:
        res.defects.append("tnef.unreadable")
        return res
    try:
        for i, att in enumerate(tnef.attachments, 1):
            if len(res.parts) >= max_parts:
                res.defects.append("mime.parts_limit")
                break
            name = ""
            try:
                name = _text(att.long_filename())
            except Exception:
                name = ""
            if not name:
                try:
                    name = _text(att.name)
                except Exception:
                    name = ""
            data = att.data if isinstance(att.data, bytes) else b""
            res.parts.append(
                Part(
                    path=f"{path}.t{i}",
                    content_type=guess_type(name),
                    payload=data,
                    filename=name or None,
                    disposition="attachment",
                    is_attachment=True,
                    origin="tnef",
                )
            )
        body = getattr(tnef, "body", None)
        if body:
            res.body = _text(body)
        html = getattr(tnef, "htmlbody", None)
        if html:
            res.html = _text(html)
    except Exception:
        res.defects.append("tnef.unreadable")
    return res
