"""bytes -> :class:`~emoguard.model.Message` (MIME mail or Outlook .msg).

``parse_message`` is the one entry point the engine uses. It never raises:
whatever goes wrong becomes a defect string on the returned Message, and the
Message holds everything that could be read.
"""

from __future__ import annotations

from emoguard.model import Message

from .charsets import decode_text
from .html import html_to_text
from .msg import OLE_MAGIC

__all__ = ["decode_text", "html_to_text", "parse_message"]


def parse_message(data: bytes, *, max_depth: int = 10, max_parts: int = 1000) -> Message:
    """Parse one mail.

    ``data`` starting with the OLE magic is read as an Outlook .msg, anything
    else as RFC 5322/MIME. ``max_depth`` bounds multipart nesting and nested
    ``message/rfc822`` / embedded-msg depth; ``max_parts`` bounds the number of
    leaf parts (hitting either adds ``mime.depth_limit`` / ``mime.parts_limit``).
    Empty or whitespace-only input gives the defect ``input.empty``.
    """
    try:
        if not isinstance(data, bytes):
            data = bytes(data) if not isinstance(data, str) else data.encode("utf-8", "surrogateescape")
        if not data.strip():
            return Message(raw_size=len(data), defects=("input.empty",))
        if data[:8] == OLE_MAGIC:
            from .msg import parse_msg

            return parse_msg(data, max_depth=max_depth, max_parts=max_parts)
        from .mime import parse_mime

        return parse_mime(data, max_depth=max_depth, max_parts=max_parts)
    except Exception as exc:  # the contract: never raise on mail
        return _fallback(data, exc)


def _fallback(data: object, exc: BaseException) -> Message:
    """Headers-only best effort after an internal failure."""
    size = len(data) if isinstance(data, (bytes, bytearray)) else 0
    defect = f"parse.failed.{type(exc).__name__.lower()}"
    try:
        import email.parser

        from .mime import build_message

        raw = bytes(data) if isinstance(data, (bytes, bytearray)) else b""
        em = email.parser.BytesParser().parsebytes(raw, headersonly=True)
        em.set_payload("")
        return build_message(em, raw_size=size, defects=[defect])
    except Exception:
        return Message(raw_size=size, defects=(defect,))
