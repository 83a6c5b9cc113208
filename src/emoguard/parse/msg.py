"""Outlook ``.msg`` (OLE compound file) -> the same :class:`Message` model.

Uses ``extract_msg`` (imported lazily: it takes ~0.2 s to import). Things it
gets wrong for Japanese mail that we correct here:

* non-Unicode ("ANSI") .msg files without a code page property are read as
  ISO-8859-15 by extract_msg; we sniff the 8-bit string streams (and the
  locale id) and re-open with the right code page, so CP932 mail decodes to
  Japanese;
* its generated HTML (from the plain body) is not an HTML body; we only take a
  real HTML stream or HTML encapsulated in the RTF body, unwrapped by our own
  fast tokenizer (:mod:`.rtf`) instead of RTFDE (~0.5-1 s per message).

Non-mail OLE files (a .doc, a contact) never raise: a .doc becomes an empty
Message with the defect ``msg.not_a_message``.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import email.utils
import logging
import re
from typing import Any

from emoguard.model import Address, Message, Part

from .charsets import decode_text, detect_charset
from .headers import parse_addresses
from .mime import header_fields
from .rtf import html_from_rtf
from .tnef import guess_type

__all__ = ["OLE_MAGIC", "parse_msg"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_quieted = False


def _quiet() -> None:
    global _quieted
    if not _quieted:
        for name in ("extract_msg", "olefile", "RTFDE", "tnefparse", "compressed_rtf"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        _quieted = True


# LCID -> ANSI code page, for the locales we care about.
_LCID_CODEPAGE = {
    1041: "cp932",  # ja-JP
    2052: "gb18030",  # zh-CN
    1028: "cp950",  # zh-TW
    1042: "cp949",  # ko-KR
}


def _prop(msg: Any, prop_id: str) -> Any:
    try:
        props = msg.props
        if prop_id in props:
            return msg.getPropertyVal(prop_id)
    except Exception:
        return None
    return None


def _stream(msg: Any, name: str) -> bytes:
    """Raw bytes of an 8-bit string stream (``__substg1.0_XXXX001E``)."""
    try:
        data = msg.getStream(name)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _ansi_codepage(msg: Any) -> str | None:
    """Code page to force for a non-Unicode msg lacking PR_MESSAGE_CODEPAGE."""
    try:
        if msg.areStringsUnicode or _prop(msg, "3FFD0003") is not None:
            return None
    except Exception:
        return None
    sample = b" ".join(_stream(msg, f"__substg1.0_{pid}001E") for pid in ("0037", "1000", "0C1A", "0042", "0E04"))
    found = detect_charset(sample) if not sample.isascii() else None
    if found == "iso-2022-jp":
        found = None  # 7-bit; the default decoding is as good as any
    if found is None:
        lcid = _prop(msg, "3FF10003")
        if isinstance(lcid, int):
            found = _LCID_CODEPAGE.get(lcid & 0xFFFF)
    if found == "euc-jp":
        return "euc_jp"
    return found


def _open(data: bytes, override: str | None) -> Any:
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    kwargs: dict[str, Any] = {
        "strict": False,
        "delayAttachments": True,
        "errorBehavior": ErrorBehavior.SUPPRESS_ALL,
    }
    if override:
        kwargs["overrideEncoding"] = override
    return extract_msg.openMsg(data, **kwargs)


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = decode_text(value, None)[0]
    return str(value).replace("\x00", "")


def _get(obj: Any, attr: str) -> Any:
    try:
        return getattr(obj, attr, None)
    except Exception:
        return None


_CHARSET_META_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def _html_text(raw: bytes) -> tuple[str, tuple[str, ...]]:
    m = _CHARSET_META_RE.search(raw[:4096])
    return decode_text(raw, m.group(1).decode("ascii") if m else None)


def parse_msg(data: bytes, *, max_depth: int = 10, max_parts: int = 1000) -> Message:
    """Outlook .msg bytes -> Message (kind ``msg``). Never raises."""
    _quiet()
    try:
        msg = _open(data, None)
    except Exception:
        return Message(raw_size=len(data), kind="msg", defects=("msg.unreadable",))
    try:
        override = _ansi_codepage(msg)
        if override:
            with contextlib.suppress(Exception):
                msg.close()
            msg = _open(data, override)
        budget = [max_parts]
        return _convert(msg, raw_size=len(data), depth=0, max_depth=max_depth, budget=budget)
    except Exception:
        return Message(raw_size=len(data), kind="msg", defects=("msg.unreadable",))
    finally:
        with contextlib.suppress(Exception):
            msg.close()


def _html_from_rtf(msg: Any, defects: list[str]) -> str | None:
    """HTML encapsulated in the RTF body (``\\fromhtml1``), else None."""
    rtf = _get(msg, "rtfBody")
    if not isinstance(rtf, bytes):
        return None
    try:
        return html_from_rtf(rtf)
    except Exception:
        defects.append("msg.bad_rtf")
        return None


def _is_mail(msg: Any) -> bool:
    from extract_msg.msg_classes import MessageBase

    return isinstance(msg, MessageBase)


def _recipients(msg: Any) -> tuple[tuple[Address, ...], tuple[Address, ...]]:
    to: list[Address] = []
    cc: list[Address] = []
    recips = _get(msg, "recipients") or []
    for r in recips:
        name = _s(_get(r, "name")).strip()
        addr = _s(_get(r, "smtpAddress") or _get(r, "email")).strip()
        try:
            kind = int(_get(r, "type") or 1)
        except (TypeError, ValueError):
            kind = 1
        if name == addr:
            name = ""
        if not name and not addr:
            continue
        (cc if kind == 2 else to if kind == 1 else []).append(Address(name, addr))
    return tuple(to), tuple(cc)


def _sender(msg: Any) -> tuple[Address, ...]:
    name = ""
    addr = ""
    for pid in ("0042", "0C1A"):
        try:
            name = _s(msg.getStringStream(f"__substg1.0_{pid}")).strip()
        except Exception:
            name = ""
        if name:
            break
    for pid in ("5D02", "5D01", "0065", "0C1F"):
        try:
            addr = _s(msg.getStringStream(f"__substg1.0_{pid}")).strip()
        except Exception:
            addr = ""
        if addr and "@" in addr:
            break
    if name == addr:
        name = ""
    if not name and not addr:
        sender = _s(_get(msg, "sender"))
        return parse_addresses(sender)[0] if sender else ()
    return (Address(name, addr),)


def _convert(msg: Any, *, raw_size: int, depth: int, max_depth: int, budget: list[int]) -> Message:
    defects: list[str] = []
    if not _is_mail(msg):
        cls = type(msg).__name__
        if cls == "MSGFile":
            return Message(raw_size=raw_size, kind="msg", defects=("msg.not_a_message",))
        defects.append("msg.not_mail_item")

    # Transport headers, when Outlook kept them, are the most faithful source.
    header_text = _s(_get(msg, "headerText"))
    if header_text.startswith("Microsoft Mail Internet Headers Version 2.0"):
        header_text = header_text[43:].lstrip()
    items: list[tuple[str, object]] = []
    if header_text.strip():
        try:
            hdr = email.parser.Parser(policy=email.policy.compat32).parsestr(header_text, headersonly=True)
            items = list(hdr.raw_items())
        except Exception:
            defects.append("msg.bad_transport_headers")
    hf = header_fields(items)
    defects.extend(hf.defects)

    subject = _s(_get(msg, "subject")).strip() or hf.subject
    from_ = hf.from_ or _sender(msg)
    to, cc = _recipients(msg)
    to = hf.to or to
    cc = hf.cc or cc
    date = hf.date
    if not date:
        dt = _get(msg, "date")
        if dt is not None:
            try:
                date = email.utils.format_datetime(dt)
            except Exception:
                date = str(dt)
    message_id = hf.message_id
    if not message_id:
        mid = _s(_get(msg, "messageId")).strip()
        message_id = mid
    in_reply_to = hf.in_reply_to or _s(_get(msg, "inReplyTo")).strip()
    references = hf.references
    if not references:
        try:
            refs = _s(msg.getStringStream("__substg1.0_1039"))
        except Exception:
            refs = ""
        references = tuple(re.findall(r"<[^<>\s]+>", refs))

    text = _s(_get(msg, "body")).replace("\r\n", "\n")
    html = ""
    try:
        raw_html = msg.getStream("__substg1.0_10130102")
    except Exception:
        raw_html = None
    if not raw_html:
        raw_html = _html_from_rtf(msg, defects)
    if isinstance(raw_html, str):
        html = raw_html
    elif isinstance(raw_html, bytes) and raw_html:
        html, d = _html_text(raw_html)
        defects.extend(d)

    parts: list[Part] = []
    if text:
        parts.append(
            Part(
                path="1",
                content_type="text/plain",
                payload=text.encode("utf-8"),
                charset="utf-8",
                text=text,
                origin="msg",
            )
        )
    if html:
        parts.append(
            Part(
                path=str(len(parts) + 1),
                content_type="text/html",
                payload=html.encode("utf-8"),
                charset="utf-8",
                text=html,
                origin="msg",
            )
        )
    try:
        atts = list(_get(msg, "attachments") or [])
    except Exception:
        atts = []
        defects.append("msg.bad_attachment")
    for att in atts:
        if budget[0] <= 0:
            defects.append("mime.parts_limit")
            break
        budget[0] -= 1
        part = _attachment(att, str(len(parts) + 1), depth, max_depth, budget, defects)
        if part is not None:
            parts.append(part)

    return Message(
        headers=hf.headers,
        subject=subject,
        from_=from_,
        to=to,
        cc=cc,
        reply_to=hf.reply_to,
        sender=hf.sender,
        return_path=hf.return_path,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        date=date,
        text=text,
        html=html,
        parts=tuple(parts),
        attachments=tuple(p for p in parts if p.is_attachment),
        defects=tuple(dict.fromkeys(defects)),
        raw_size=raw_size,
        kind="msg",
    )


def _attachment(att: Any, path: str, depth: int, max_depth: int, budget: list[int], defects: list[str]) -> Part | None:
    name = ""
    for attr in ("longFilename", "shortFilename", "displayName", "name"):
        name = _s(_get(att, attr)).strip().strip("\x00")
        if name:
            break
    cid = _s(_get(att, "cid")).strip().strip("<>") or None
    data = _get(att, "data")
    if isinstance(data, bytes):
        ctype = _s(_get(att, "mimetype")).strip().lower() or guess_type(name)
        return Part(
            path=path,
            content_type=ctype if "/" in ctype else guess_type(name),
            payload=data,
            filename=name or None,
            disposition="attachment",
            content_id=cid,
            is_attachment=True,
            origin="msg",
        )
    if data is not None and hasattr(data, "getStream"):  # embedded .msg
        nested: Message | None = None
        payload = b""
        try:
            payload = data.exportBytes()
        except Exception:
            payload = b""
        if depth + 1 > max_depth:
            defects.append("mime.depth_limit")
        else:
            try:
                nested = _convert(data, raw_size=len(payload), depth=depth + 1, max_depth=max_depth, budget=budget)
            except Exception:
                defects.append("msg.bad_attachment")
        if not name and nested is not None:
            name = nested.subject
        return Part(
            path=path,
            content_type="application/vnd.ms-outlook",
            payload=payload,
            filename=(name + ".msg") if name and not name.lower().endswith(".msg") else name or None,
            disposition="attachment",
            content_id=cid,
            is_attachment=True,
            origin="msg",
            message=nested,
        )
    if data is not None:
        defects.append("msg.unsupported_attachment")
        return Part(
            path=path,
            content_type="application/octet-stream",
            filename=name or None,
            disposition="attachment",
            is_attachment=True,
            origin="msg",
        )
    return None
