"""What a file is, from its first bytes: a mail, an mbox, an Outlook .msg, or not mail."""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["eml", "mbox", "msg", "ole", "pst", "empty", "other"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PST_MAGIC = b"!BDN"
_FIELD = re.compile(rb"^([!-9;-~]{1,76})[ \t]*:", re.ASCII)
_MBOX_FROM = re.compile(rb"^From \S*", re.ASCII)
# Header names that only mail has; one of them in the first header block makes it mail.
_MAIL_FIELDS = frozenset(
    {
        b"from", b"to", b"cc", b"subject", b"date", b"received", b"return-path",
        b"message-id", b"mime-version", b"content-type", b"delivered-to", b"reply-to",
        b"sender", b"x-mailer", b"in-reply-to", b"references", b"dkim-signature",
        b"authentication-results", b"x-original-to", b"envelope-to", b"content-transfer-encoding",
        b"thread-index", b"x-ms-exchange-organization-authas", b"user-agent", b"bcc",
        b"resent-from", b"x-sender", b"x-envelope-from", b"list-id", b"precedence",
        b"x-spam-status", b"x-originating-ip", b"status", b"x-uidl", b"importance",
    }
)  # fmt: skip
MAIL_SUFFIXES = frozenset({".eml", ".mbox", ".mbx", ".mail", ".msg", ".mime", ".rfc822"})


def looks_like_headers(head: bytes) -> bool:
    """The text opens with a header block that names at least one mail header."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n")
    seen = 0
    for raw in text.splitlines()[:60]:
        if not raw.strip():
            break
        if raw[:1] in b" \t":
            continue  # folded continuation
        m = _FIELD.match(raw)
        if not m:
            return False
        seen += 1
        if m.group(1).lower() in _MAIL_FIELDS or m.group(1).lower().startswith(b"x-"):
            return True
    return False


def sniff_bytes(head: bytes, *, name_hint: str = "") -> Kind:
    """Classify by content; the name only breaks ties for text without a header block."""
    if not head.strip():
        return "empty"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(PST_MAGIC):
        return "pst"  # Outlook .pst / .ost (emoguard.sources.pst)
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    if _MBOX_FROM.match(first):
        rest = head.lstrip(b"\r\n").split(b"\n", 1)
        if len(rest) == 1 or looks_like_headers(rest[1]) or name_hint.endswith((".mbox", ".mbx")):
            return "mbox"
    if looks_like_headers(head):
        return "eml"
    if b"\x00" in head[:4096]:
        return "other"
    low = name_hint.lower()
    if any(low.endswith(s) for s in MAIL_SUFFIXES):
        return "eml"  # text without a header block, but named as a mail: still read it
    return "other"


def is_outlook_msg(path: str) -> bool:
    """An OLE file is an Outlook item when it has the MAPI property stream."""
    try:
        import olefile
    except ImportError:  # extract-msg depends on olefile; be safe anyway
        return path.lower().endswith(".msg")
    try:
        with olefile.OleFileIO(path) as ole:
            return bool(ole.exists("__properties_version1.0"))
    except Exception:
        return False


def is_outlook_msg_bytes(data: bytes) -> bool:
    try:
        import olefile

        with olefile.OleFileIO(data) as ole:
            return bool(ole.exists("__properties_version1.0"))
    except Exception:
        return False
