"""RFC 5322 / MIME bytes -> :class:`~emoguard.model.Message`.

The stdlib parser (``compat32`` policy: fast, and it never raises on header
access) builds the tree; everything after that is ours: header and parameter
decoding, transfer decoding, charset handling, leaf collection and the
attachment decision. The tree is walked with an explicit stack and nested
``message/rfc822`` parts recurse at most ``max_depth`` times, so hostile
nesting cannot reach Python's recursion limit here (the stdlib parser itself
can; that is caught and the mail is re-read headers-only).

Defect names are stable: stdlib defect classes are mapped to ``mime.*`` /
``header.*`` snake_case names, plus our own (``mime.depth_limit``,
``mime.parts_limit``, ``mime.bad_base64``, ``mime.leading_bom`` ...). The hostile-input
guards (docs/robustness.md) add ``header.line_too_long``, ``header.block_too_long``,
``mime.bad_quoted_printable``, ``mime.text_truncated`` and ``html.tag_flood``.
"""

from __future__ import annotations

import binascii
import email
import email.parser
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email._policybase import Compat32
from email.message import Message as EmailMessage
from typing import Any
from urllib.parse import unquote_to_bytes

from emoguard.model import Address, Message, Part

from .charsets import decode_text
from .headers import (
    decode_header,
    decode_words,
    extract_ids,
    parse_addresses,
    raw_to_text,
    unfold,
)
from .tnef import expand_tnef, guess_type, is_tnef
from .uu import decode_uu_payload, extract_uuencoded

__all__ = [
    "HeaderFields",
    "build_message",
    "get_param",
    "header_fields",
    "parse_mime",
    "split_params",
]

_STD_DEFECTS = {
    "NoBoundaryInMultipartDefect": "mime.no_boundary_in_multipart",
    "StartBoundaryNotFoundDefect": "mime.start_boundary_not_found",
    "CloseBoundaryNotFoundDefect": "mime.close_boundary_not_found",
    "FirstHeaderLineIsContinuationDefect": "mime.first_header_line_is_continuation",
    "MisplacedEnvelopeHeaderDefect": "mime.misplaced_envelope_header",
    "MissingHeaderBodySeparatorDefect": "mime.missing_header_body_separator",
    "MultipartInvariantViolationDefect": "mime.multipart_invariant_violation",
    "InvalidMultipartContentTransferEncodingDefect": "mime.invalid_multipart_cte",
    "UndecodableBytesDefect": "mime.undecodable_bytes",
    "InvalidBase64PaddingDefect": "mime.bad_base64",
    "InvalidBase64CharactersDefect": "mime.bad_base64",
    "InvalidBase64LengthDefect": "mime.bad_base64",
    "InvalidDateDefect": "header.invalid_date",
    "HeaderMissingRequiredValue": "header.missing_required_value",
    "NonPrintableDefect": "header.non_printable",
    "ObsoleteHeaderDefect": "header.obsolete_syntax",
    "NonASCIILocalPartDefect": "header.non_ascii_local_part",
    "InvalidHeaderDefect": "header.invalid",
    "HeaderDefect": "header.invalid",
}
_CAMEL_RE = re.compile(r"(?<!^)(?=[A-Z])")


def std_defect_name(defect: object) -> str:
    """Stable snake_case name for a stdlib ``email.errors`` defect instance."""
    cls = type(defect).__name__
    name = _STD_DEFECTS.get(cls)
    if name is None:
        base = cls[:-6] if cls.endswith("Defect") else cls
        name = "mime." + _CAMEL_RE.sub("_", base).lower()
    return name


# message/* types that are reports (text-like), not attached mails.
_REPORT_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/disposition-notification",
        "message/feedback-report",
        "message/global-delivery-status",
        "message/global-disposition-notification",
    }
)
_WANTED = frozenset({"content-type", "content-disposition", "content-transfer-encoding", "content-id"})
_MAX_PARAM_LEN = 16384
MAX_TEXT_BYTES = 8 * 1024 * 1024
"""Bytes of one text part decoded for the features (defect ``mime.text_truncated`` beyond)."""
MAX_HTML_TAGS = 200_000
"""More ``<`` than this in one HTML part is a tag flood (defect ``html.tag_flood``); it is
still read in linear time, but no real mail has that many tags."""
_LIMIT_DEFECTS = frozenset({"mime.depth_limit", "mime.parts_limit", "mime.recursion_limit"})


# --- header parameters -----------------------------------------------------------


def _split_quoted(value: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    inq = False
    esc = False
    for i, c in enumerate(value):
        if esc:
            esc = False
        elif c == "\\":
            esc = inq
        elif c == '"':
            inq = not inq
        elif c == ";" and not inq:
            pieces.append(value[start:i])
            start = i + 1
    pieces.append(value[start:])
    return pieces


_BACKSLASH_RE = re.compile(r"\\(.)")
_PARAM_START_RE = re.compile(r";(?=\s*[A-Za-z0-9_.*-]+\s*=)")
_CLOSE_QUOTE_RE = re.compile(r'(?<!\\)"')
_MISSING_SEMI_RE = re.compile(r'(?<=")\s+(?=[A-Za-z0-9_.-]+(?:\*\d*\*?)?\s*=)')


def _unquote(v: str) -> str:
    """A parameter value with quotes, correct or not, -> its text."""
    if v.startswith('""'):
        v = v[2:]  # name=""value" (seen in Japanese webmail)
    elif v.startswith('"'):
        m = _CLOSE_QUOTE_RE.search(v, 1)
        # Text after the closing quote is junk (often a folded next header).
        v = v[1 : m.start()] if m else v[1:]
    v = v.strip('"').strip()
    if "\\" in v:
        v = _BACKSLASH_RE.sub(r"\1", v)
    return v


def split_params(value: str) -> tuple[str, list[tuple[str, str]]]:
    """``'type/sub; a=1; b="x;y"'`` -> ``('type/sub', [('a', '1'), ('b', 'x;y')])``.

    Lenient about the quoting real mail gets wrong (``name==?..?=``,
    ``name=""..."``, unclosed quotes, doubled semicolons). Keys are
    lower-cased; values keep surrogate-escaped raw bytes.
    """
    value = unfold(value)
    if len(value) > _MAX_PARAM_LEN:
        value = value[:_MAX_PARAM_LEN]
    if '"' in value:
        pieces = _split_quoted(value)
        if any(p.count('"') & 1 for p in pieces):
            # Unbalanced quotes: split at every "; name=" instead.
            pieces = _PARAM_START_RE.split(value)
    else:
        pieces = value.split(";")
    head = pieces[0].strip()
    rest = pieces[1:]
    if "=" in head and "/" not in head.partition("=")[0]:
        rest.insert(0, head)  # "Content-Type: name=..." with no type at all
        head = ""
    if '"' in value:
        # A missing ';' between a quoted value and the next parameter.
        rest = [q for p in rest for q in _MISSING_SEMI_RE.split(p)]
    params: list[tuple[str, str]] = []
    for p in rest:
        k, eq, v = p.partition("=")
        if not eq:
            continue
        k = k.strip().lower()
        v = v.strip()
        if '"' in v:
            v = _unquote(v)
        params.append((k, v))
    return head, params


_SECTION_RE = re.compile(r"(\d{1,3})(\*?)$")
_PCT_RE = re.compile(rb"%[0-9A-Fa-f]{2}")


def _pct_bytes(s: str) -> bytes:
    return unquote_to_bytes(s.encode("ascii", "surrogateescape"))


def _raw_bytes(s: str) -> bytes:
    try:
        return s.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape")


def get_param(params: list[tuple[str, str]], name: str, hint: str | None = None) -> tuple[str | None, tuple[str, ...]]:
    """Decoded value of parameter ``name``: RFC 2231 (``name*``, ``name*0*``
    continuations, charset-tagged), RFC 2047 words inside the value, raw
    8-bit / ISO-2022-JP bytes. Returns (value or None, defects)."""
    plain: str | None = None
    sections: list[tuple[int, bool, str]] = []
    star = name + "*"
    for k, v in params:
        if k == name:
            if plain is None:
                plain = v
        elif k.startswith(star):
            rest = k[len(star) :]
            if rest == "":
                sections.append((0, True, v))
            else:
                m = _SECTION_RE.match(rest)
                if m:
                    sections.append((int(m.group(1)), bool(m.group(2)), v))
    defects: tuple[str, ...] = ()
    if sections:
        sections.sort(key=lambda t: t[0])
        charset: str | None = None
        chunks: list[bytes] = []
        flags: list[bool] = []
        for idx, (_, encoded, v) in enumerate(sections):
            if idx == 0 and encoded and v.count("'") >= 2:
                charset, _lang, v = v.split("'", 2)
                charset = charset.strip().strip('"') or None
                v = v.strip('"')
            chunks.append(_pct_bytes(v) if encoded else _raw_bytes(v))
            flags.append(encoded)
        any_encoded = any(flags)
        if any_encoded and charset:
            # Continuations that forgot their '*' but still carry %XX escapes.
            chunks = [
                _pct_bytes(c.decode("latin-1")) if not enc and _PCT_RE.search(c) else c
                for c, enc in zip(chunks, flags, strict=True)
            ]
        raw = b"".join(chunks)
        text, d = decode_text(raw, charset)
        defects += d
        if "=?" in text:
            text, d = decode_words(text)
            defects += d
        text = text.strip().strip('"').strip()
        if text or plain is None:
            return text, defects
    if plain is None:
        return None, defects
    return _decode_plain_param(plain, hint)


def _decode_plain_param(v: str, hint: str | None) -> tuple[str, tuple[str, ...]]:
    defects: tuple[str, ...] = ()
    if not v.isascii() or "\x1b" in v:
        v, defects = raw_to_text(v, hint)
    if "=?" in v:
        v, d = decode_words(v)
        defects += d
    return v.strip().strip('"').strip(), defects


# --- transfer encodings ------------------------------------------------------------

_B64_CLEAN_RE = re.compile(rb"[^A-Za-z0-9+/]")


_B64_AND_SPACE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"
_QP_BAD_ESCAPE_RE = re.compile(rb"=(?![0-9A-Fa-f]{2}|[ \t]*\r?\n|[ \t]*$)")


def b64decode_lenient(raw: bytes) -> tuple[bytes, bool]:
    """Base64 that survives junk, missing padding and truncation: (bytes, was_bad).

    Characters outside the alphabet, which ``a2b_base64`` skips silently, count as bad."""
    try:
        return binascii.a2b_base64(raw), bool(raw.translate(None, _B64_AND_SPACE))
    except (binascii.Error, ValueError):
        pass
    clean = _B64_CLEAN_RE.sub(b"", raw)
    rem = len(clean) % 4
    if rem == 1:
        clean = clean[:-1]
    elif rem:
        clean += b"=" * (4 - rem)
    try:
        return binascii.a2b_base64(clean), True
    except (binascii.Error, ValueError):
        return b"", True


def _transfer_decode(raw: bytes, cte: str) -> tuple[bytes, tuple[str, ...]]:
    if not cte:
        return raw, ()
    cte = cte.strip().strip("\"'").strip().lower()
    if cte in ("7bit", "8bit", "binary", "") or cte.startswith(("7", "8")):
        return raw, ()
    if "base64" in cte or cte == "b":
        data, bad = b64decode_lenient(raw)
        return data, ("mime.bad_base64",) if bad else ()
    if "quoted" in cte or cte == "q":
        return binascii.a2b_qp(raw), ("mime.bad_quoted_printable",) if _QP_BAD_ESCAPE_RE.search(raw) else ()
    if "uu" in cte:
        f = decode_uu_payload(raw)
        if f is None:
            return raw, ("mime.bad_uuencode",)
        return f.data, ()
    return raw, ("mime.unknown_transfer_encoding",)


# --- the walk ----------------------------------------------------------------------


@dataclass(slots=True)
class _Budget:
    parts: int
    max_depth: int


def _payload_of(part: EmailMessage) -> object:
    """The stored payload, untouched.

    ``get_payload()`` must not be used for 8-bit bodies: compat32 then
    decodes them with the declared charset and ``errors="replace"``, which
    loses exactly the bytes we need to judge (and costs time).
    """
    return getattr(part, "_payload", None)


def _payload_raw(part: EmailMessage) -> bytes:
    payload = _payload_of(part)
    if isinstance(payload, str):
        return _raw_bytes(payload)
    if isinstance(payload, bytes):
        return payload
    return b""


def _norm_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _report_text(blocks: list[object]) -> str:
    out: list[str] = []
    for blk in blocks:
        if isinstance(blk, EmailMessage):
            out.append("\n".join(f"{k}: {decode_header(v)[0]}" for k, v in blk.raw_items()))
    return "\n\n".join(out)


class _VerbatimPolicy(Compat32):
    """Serialise headers exactly as parsed: no refolding, no RFC 2047 re-encoding.

    The stdlib folds a header by growing an encoded word one character at a time, which
    is quadratic in the header's length: a 100 KB header line (found by fuzzing) took a
    minute. Nested mail is re-serialised only to be parsed again, so the original bytes
    are what we want anyway.
    """

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        text = value if isinstance(value, str) else str(value)
        return f"{name}: {text}{self.linesep}"

    def fold_binary(self, name: str, value: Any) -> bytes:
        return self._fold(name, value, False).encode("utf-8", "surrogateescape")


_VERBATIM = _VerbatimPolicy(linesep="\n")


def _as_bytes(msg: EmailMessage) -> bytes:
    try:
        return msg.as_bytes(policy=_VERBATIM)
    except Exception:
        try:
            return _raw_bytes(msg.as_string(policy=_VERBATIM))
        except Exception:
            return b""


def _headers_of(part: EmailMessage) -> dict[str, str]:
    found: dict[str, str] = {}
    for k, v in part.raw_items():
        low = k.lower()
        if low in _WANTED and low not in found:
            found[low] = v if isinstance(v, str) else str(v)
    return found


def _charset_hint(em: EmailMessage) -> str | None:
    """A charset declared somewhere in the mail, for raw 8-bit headers."""
    try:
        for part in em.walk():
            cs = part.get_param("charset")
            if isinstance(cs, tuple):
                cs = cs[2]
            if isinstance(cs, str) and cs.strip() and cs.strip().lower() not in ("us-ascii", "ascii"):
                return cs.strip()
    except Exception:
        return None
    return None


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(slots=True)
class HeaderFields:
    """Decoded headers plus the convenience fields of :class:`Message`."""

    headers: tuple[tuple[str, str], ...] = ()
    subject: str = ""
    from_: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    sender: tuple[Address, ...] = ()
    return_path: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    date: str = ""
    defects: list[str] = field(default_factory=list)
    hint: str | None = None


def header_fields(items: Iterable[tuple[str, object]], hint_fn: Callable[[], str | None] | None = None) -> HeaderFields:
    """Decode raw (name, value) header pairs; ``hint_fn`` is called at most
    once, and only when a raw 8-bit header needs a charset hint."""
    hf = HeaderFields()
    defects = hf.defects
    headers: list[tuple[str, str]] = []
    raw_first: dict[str, str] = {}
    dec_first: dict[str, str] = {}
    hint: str | None = None
    hint_done = False
    for name, value in items:
        v = value if isinstance(value, str) else str(value)
        if not hint_done and not v.isascii():
            hint_done = True
            if hint_fn is not None:
                hint = hint_fn()
        dec, d = decode_header(v, hint)
        if d:
            defects.extend(d)
        headers.append((name, dec))
        low = name.lower()
        if low not in raw_first:
            raw_first[low] = v
            dec_first[low] = dec
    hf.headers = tuple(headers)
    hf.hint = hint

    def addresses(key: str) -> tuple[Address, ...]:
        raw = raw_first.get(key)
        if raw is None:
            return ()
        addrs, d = parse_addresses(raw, hint)
        defects.extend(d)
        return addrs

    hf.from_ = addresses("from")
    hf.to = addresses("to")
    hf.cc = addresses("cc")
    hf.reply_to = addresses("reply-to")
    hf.sender = addresses("sender")
    hf.subject = dec_first.get("subject", "").strip()
    hf.date = dec_first.get("date", "").strip()
    if "message-id" in raw_first:
        ids = extract_ids(raw_first["message-id"])
        if ids:
            hf.message_id = ids[0]
            if not hf.message_id.startswith("<"):
                defects.append("header.message_id_malformed")
    if "in-reply-to" in raw_first:
        ids = extract_ids(raw_first["in-reply-to"])
        hf.in_reply_to = ids[0] if ids else ""
    if "references" in raw_first:
        hf.references = extract_ids(raw_first["references"])
    if "return-path" in dec_first:
        rp = dec_first["return-path"].strip()
        if "<" in rp:
            rp = rp.partition("<")[2].partition(">")[0]
        hf.return_path = rp.strip()
    return hf


def build_message(
    em: EmailMessage,
    *,
    raw_size: int,
    depth: int = 0,
    budget: _Budget | None = None,
    defects: list[str] | None = None,
    max_depth: int = 10,
    max_parts: int = 1000,
) -> Message:
    """A parsed stdlib (compat32) message -> our :class:`Message`."""
    if budget is None:
        budget = _Budget(max_parts, max_depth)
    defects = list(defects or ())
    defects.extend(std_defect_name(defect) for defect in em.defects)

    hf = header_fields(em.raw_items(), lambda: _charset_hint(em))
    defects.extend(hf.defects)
    hint = hf.hint

    # Body: iterative walk, leaves in MIME order.
    parts: list[Part] = []
    extra: list[Part] = []  # uuencode / TNEF expansions, listed after their part
    texts: list[str] = []
    htmls: list[str] = []
    seen_plain: set[int] = set()
    seen_html: set[int] = set()
    stack: list[tuple[EmailMessage, str, int, int]] = [(em, "", 0, 0)]
    while stack:
        part, path, level, alt = stack.pop()
        if part is not em and part.defects:
            defects.extend(std_defect_name(defect) for defect in part.defects)
        payload = _payload_of(part)
        hdrs = _headers_of(part)
        raw_ct = hdrs.get("content-type")
        params: list[tuple[str, str]] = []
        if raw_ct is None:
            ctype = part.get_default_type()
        else:
            ctype, params = split_params(raw_ct)
            ctype = ctype.lower()
            if "/" not in ctype or " " in ctype:
                if ctype:
                    defects.append("mime.invalid_content_type")
                ctype = part.get_default_type()
        maintype = ctype.partition("/")[0]
        if isinstance(payload, list) and maintype != "message":
            if level >= budget.max_depth:
                defects.append("mime.depth_limit")
                continue
            child_alt = id(part) if ctype == "multipart/alternative" else alt
            for i in range(len(payload) - 1, -1, -1):
                child = payload[i]
                if isinstance(child, EmailMessage):
                    stack.append((child, f"{path}.{i + 1}" if path else str(i + 1), level + 1, child_alt))
            continue
        if budget.parts <= 0:
            defects.append("mime.parts_limit")
            break
        budget.parts -= 1
        leaf_path = path or "1"

        disposition: str | None = None
        raw_cd = hdrs.get("content-disposition")
        cd_params: list[tuple[str, str]] = []
        if raw_cd is not None:
            disp, cd_params = split_params(raw_cd)
            disposition = disp.lower() or None
        filename: str | None = None
        if cd_params:
            filename, d = get_param(cd_params, "filename", hint)
            defects.extend(d)
        if filename is None and params:
            filename, d = get_param(params, "name", hint)
            defects.extend(d)
        if filename is not None and "\x00" in filename:
            filename = filename.replace("\x00", "")
            defects.append("mime.filename_nul")
        if filename == "":
            filename = None
        cid = hdrs.get("content-id")
        content_id = unfold(cid).strip().strip("<>").strip() if cid else None
        charset: str | None = None
        if params:
            cs, _ = get_param(params, "charset")
            if cs:
                charset = cs.strip().lower()

        nested: Message | None = None
        text: str | None = None
        cte = hdrs.get("content-transfer-encoding", "")
        if maintype == "message" and isinstance(payload, list):
            if ctype in _REPORT_TYPES:
                text = _report_text(payload)
                data = text.encode("utf-8", "surrogateescape")
            else:
                sub = payload[0] if payload and isinstance(payload[0], EmailMessage) else None
                data = _as_bytes(sub) if sub is not None else b""
                cte_l = cte.strip().lower()
                if sub is not None and ("base64" in cte_l or "quoted" in cte_l):
                    data, d = _transfer_decode(data, cte_l)
                    defects.extend(d)
                    sub = _parse_bytes(data, [])
                if sub is not None:
                    if depth + 1 > budget.max_depth:
                        defects.append("mime.depth_limit")
                    else:
                        nested = build_message(sub, raw_size=len(data), depth=depth + 1, budget=budget)
                        # Limits hit deep inside must be visible at the top.
                        defects.extend(d for d in nested.defects if d in _LIMIT_DEFECTS)
        else:
            data, d = _transfer_decode(_payload_raw(part), cte)
            defects.extend(d)

        is_report = ctype in _REPORT_TYPES
        is_attachment = (
            disposition == "attachment"
            or filename is not None
            or (maintype not in ("text", "multipart") and not is_report)
        )
        if text is None and (maintype in ("text", "multipart") or is_report):
            if len(data) > MAX_TEXT_BYTES:
                # A 50 MB HTML body took 650 MB of copies through decoding and html_to_text;
                # the features read at most the first few MB anyway. The payload stays whole.
                defects.append("mime.text_truncated")
                text, d = decode_text(data[:MAX_TEXT_BYTES], charset)
            else:
                text, d = decode_text(data, charset)
            defects.extend(d)
            text = _norm_newlines(text)
            if ctype == "text/html" and data.count(b"<") > MAX_HTML_TAGS:
                defects.append("html.tag_flood")

        if text is not None and not is_attachment and (ctype == "text/plain" or maintype == "multipart"):
            text, files = extract_uuencoded(text, max_files=max(budget.parts, 0))
            for j, f in enumerate(files, 1):
                budget.parts -= 1
                extra.append(
                    Part(
                        path=f"{leaf_path}.u{j}",
                        content_type=guess_type(f.name),
                        payload=f.data,
                        filename=f.name or None,
                        disposition="attachment",
                        is_attachment=True,
                        origin="uuencode",
                    )
                )
                if not f.complete:
                    defects.append("uu.unterminated")

        parts.append(
            Part(
                path=leaf_path,
                content_type=ctype,
                payload=data,
                charset=charset,
                filename=filename,
                disposition=disposition,
                content_id=content_id,
                text=text,
                is_attachment=is_attachment,
                origin="mime",
                message=nested,
            )
        )
        if extra:
            parts.extend(extra)
            extra.clear()

        if text is not None and not is_attachment:
            if ctype == "text/html":
                if alt == 0 or alt not in seen_html:
                    seen_html.add(alt)
                    htmls.append(text)
            elif (ctype == "text/plain" or maintype == "multipart") and (alt == 0 or alt not in seen_plain):
                seen_plain.add(alt)
                texts.append(text)

        if maintype != "text" and is_tnef(ctype, filename, data):
            res = expand_tnef(data, leaf_path, max(budget.parts, 0))
            defects.extend(res.defects)
            budget.parts -= len(res.parts)
            parts.extend(res.parts)
            if res.body and not texts:
                texts.append(_norm_newlines(res.body))
            if res.html and not htmls:
                htmls.append(res.html)

    return Message(
        headers=hf.headers,
        subject=hf.subject,
        from_=hf.from_,
        to=hf.to,
        cc=hf.cc,
        reply_to=hf.reply_to,
        sender=hf.sender,
        return_path=hf.return_path,
        message_id=hf.message_id,
        in_reply_to=hf.in_reply_to,
        references=hf.references,
        date=hf.date,
        text="\n".join(texts),
        html="\n".join(htmls),
        parts=tuple(parts),
        attachments=tuple(p for p in parts if p.is_attachment),
        defects=_dedupe(defects),
        raw_size=raw_size,
        kind="eml",
    )


def _parse_bytes(data: bytes, defects: list[str]) -> EmailMessage:
    """stdlib parse (compat32) that survives hostile nesting."""
    try:
        return email.message_from_bytes(data)
    except RecursionError:
        defects.append("mime.recursion_limit")
        return email.parser.BytesParser().parsebytes(data, headersonly=True)


MAX_HEADER_LINE = 64 * 1024
"""Longest physical header line kept (RFC 5322 allows 998 bytes); the rest of it is dropped."""
MAX_HEADER_BLOCK = 1024 * 1024
"""Most bytes of top-level header block kept; header lines after it are dropped."""
_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")


def _cap_header_block(data: bytes, defects: list[str]) -> bytes:
    """Cut over-long top-level header lines and header blocks (defects ``header.line_too_long``,
    ``header.block_too_long``). A 50 MB ``Subject:`` line made the stdlib parser and our
    header decoding take seconds and 600 MB; no mailer writes one."""
    if len(data) <= MAX_HEADER_LINE:
        return data
    m = _HEADER_END_RE.search(data)
    end = m.start() if m else len(data)
    if end <= MAX_HEADER_LINE:
        return data
    pieces: list[bytes | memoryview] = []
    view = memoryview(data)
    pos = kept = 0
    cut_line = False
    while pos < end:
        nl = data.find(b"\n", pos, end)
        stop = end if nl < 0 else nl + 1
        line = view[pos:stop]
        if len(line) > MAX_HEADER_LINE:
            cut_line = True
            line = view[pos : pos + MAX_HEADER_LINE]
            if data[stop - 1 : stop] == b"\n":
                pieces.append(line)
                line = view[stop - 1 - (data[stop - 2 : stop - 1] == b"\r") : stop]
        if kept + len(line) > MAX_HEADER_BLOCK:
            defects.append("header.block_too_long")
            pos = end
            break
        pieces.append(line)
        kept += len(line)
        pos = stop
    if not cut_line and pos >= end and "header.block_too_long" not in defects:
        return data
    if cut_line:
        defects.append("header.line_too_long")
    pieces.append(view[end:])
    return b"".join(pieces)


_HEADERISH_RE = re.compile(rb"[\x21-\x39\x3b-\x7e]{1,200}:|[ \t]")
_BOUNDARY_LINE_RE = re.compile(rb"(?m)^--[^\r\n]")


def _cap_part_header_lines(data: bytes, defects: list[str]) -> bytes:
    """Cut over-long header lines inside MIME parts (after the top-level header block).

    A physical line over ``MAX_HEADER_LINE`` is cut when it looks like a header field or
    its continuation and comes after a boundary line with no blank line in between (a
    part's header block). Long lines in bodies (one-line base64) are left alone. Finding
    long lines costs one ``find`` per ``MAX_HEADER_LINE // 2`` bytes, not one per line.
    """
    n = len(data)
    half = MAX_HEADER_LINE // 2
    if n <= MAX_HEADER_LINE:
        return data
    m = _HEADER_END_RE.search(data)
    if m is None:
        return data
    cuts: list[tuple[int, int]] = []  # (start, end) of the part of a line to drop
    k = m.end()
    while k < n:
        if data.find(b"\n", k, k + half) >= 0:
            k += half
            continue
        start = data.rfind(b"\n", 0, k) + 1
        end = data.find(b"\n", k)
        end = n if end < 0 else end
        k = end + 1
        if end - start <= MAX_HEADER_LINE or not _HEADERISH_RE.match(data, start):
            continue
        lo = max(m.end(), start - MAX_HEADER_BLOCK)
        blank = max(data.rfind(b"\n\n", lo, start), data.rfind(b"\n\r\n", lo, start))
        if _BOUNDARY_LINE_RE.search(data, max(lo, blank + 1), start) is None:
            continue
        keep = start + MAX_HEADER_LINE
        cuts.append((keep, end - 1 if data[end - 1 : end] == b"\r" else end))
    if not cuts:
        return data
    defects.append("header.line_too_long")
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    pos = 0
    for a, b in cuts:
        pieces.append(view[pos:a])
        pos = b
    pieces.append(view[pos:])
    return b"".join(pieces)


_BIG_MESSAGE = 4 * 1024 * 1024


def _parse_single_body(data: bytes) -> EmailMessage | None:
    """A big mail that is not multipart: headers parsed by the stdlib, the body kept as bytes.

    The stdlib parser holds a body as a list of lines and then as one string of
    surrogate-escaped characters: a 50 MB 8-bit HTML body peaked at 625 MB. None when the
    mail is multipart/message or its headers end oddly (then the full parse runs).
    """
    m = _HEADER_END_RE.search(data)
    if m is None:
        return None
    em = email.parser.BytesParser().parsebytes(data[: m.start()] + b"\n\n", headersonly=True)
    if em.get_payload() or em.get_content_maintype() in ("multipart", "message"):
        return None
    em.set_payload(data[m.end() :])
    return em


def parse_mime(data: bytes, *, max_depth: int = 10, max_parts: int = 1000) -> Message:
    """RFC 5322/MIME bytes -> Message (may raise; callers use parse_message)."""
    size = len(data)
    defects: list[str] = []
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
        defects.append("mime.leading_bom")
    if data[:1] in (b"\r", b"\n"):
        data = data.lstrip(b"\r\n")
        defects.append("mime.leading_blank_lines")
    data = _cap_header_block(data, defects)
    data = _cap_part_header_lines(data, defects)
    em = _parse_single_body(data) if len(data) > _BIG_MESSAGE else None
    if em is None:
        em = _parse_bytes(data, defects)
    return build_message(
        em,
        raw_size=size,
        defects=defects,
        budget=_Budget(max_parts, max_depth),
    )
