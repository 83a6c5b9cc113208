"""A fluent, deterministic builder for RFC 5322 mail, shaped like Japanese business mail.

``MailBuilder`` writes the bytes itself instead of going through ``email.generator``:
tests and the committed examples compare bytes, so folding, boundaries, Message-IDs and
the Date must not depend on the Python version or on the clock. Everything that would
be random in a real mailer is derived from ``seed`` and the content.

Japanese mailers (Outlook, Becky!, Thunderbird in ja locale) send ISO-2022-JP with
RFC 2047 ``B`` encoded words, so that is the default; ``utf-8`` and ``shift_jis`` are
there to exercise the parser's other paths. Attachment names can be written the
standard way (RFC 2231 ``filename*=UTF-8''...``) or the way Outlook does in Japan
(an RFC 2047 encoded word inside a quoted parameter, which RFC 2047 forbids but every
reader accepts).

Example::

    raw = (MailBuilder()
           .from_(("山田 太郎", "yamada@partner.co.jp"))
           .to(("田中 一郎", "tanaka@example.co.jp"))
           .subject("RE: 9月分のお見積りについて")
           .text("ご確認をお願いします。")
           .attach(b"...", "見積書.doc")
           .build())
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Literal, Self
from urllib.parse import quote

from emoguard.model import Address

Charset = Literal["iso-2022-jp", "utf-8", "shift_jis", "us-ascii"]
TransferEncoding = Literal["7bit", "8bit", "base64", "quoted-printable"]
FilenameEncoding = Literal["rfc2231", "rfc2047"]
AddressLike = str | tuple[str, str] | Address
"""A bare address, a ``(display name, address)`` pair as in ``email.utils.formataddr``,
or a :class:`emoguard.model.Address`."""

DEFAULT_DATE = "Thu, 24 Sep 2020 10:15:00 +0900"
"""The fixed Date used unless one is given (the seed notice's wave, JST)."""

CRLF = "\r\n"

# Python codec and the label written into the mail for each charset we support.
_CODECS: dict[str, tuple[str, str]] = {
    "iso-2022-jp": ("iso2022_jp", "ISO-2022-JP"),
    "utf-8": ("utf-8", "UTF-8"),
    "shift_jis": ("shift_jis", "Shift_JIS"),
    "us-ascii": ("ascii", "US-ASCII"),
}

# Content types by extension. Our own table, not ``mimetypes``: that one reads the
# system's mime.types and would make the output differ between machines.
_CONTENT_TYPES: dict[str, str] = {
    "doc": "application/msword",
    "dot": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docm": "application/vnd.ms-word.document.macroEnabled.12",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "zip": "application/x-zip-compressed",  # what Outlook on Windows sends
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "eml": "message/rfc822",
    "one": "application/onenote",
    "lnk": "application/x-ms-shortcut",
}

_ATEXT_PHRASE = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ "
)
_TSPECIALS = set('()<>@,;:\\"/[]?= \t')
_MAX_WORD = 75  # RFC 2047: an encoded word is at most 75 characters
_LINE = 78  # RFC 5322: lines SHOULD be at most 78 characters


def content_type_for(filename: str) -> str:
    """The content type a Windows mailer would declare for ``filename``."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    return _CONTENT_TYPES.get(ext, "application/octet-stream")


def _codec(charset: str) -> tuple[str, str]:
    try:
        return _CODECS[charset.lower()]
    except KeyError:
        raise ValueError(
            f"unsupported charset {charset!r}; use one of {', '.join(_CODECS)}"
        ) from None


def _encode(text: str, charset: str) -> bytes:
    codec, label = _codec(charset)
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise ValueError(
            f"{bad!r} cannot be written in {label} (half-width katakana, NEC/IBM "
            "extensions and U+FF5E are not in it); use charset='utf-8'"
        ) from None


def _one_line(value: str, what: str) -> str:
    # A CR or LF in a value would start a new header: refuse it rather than write an
    # injection by accident (use ``header(..., encode=False)`` to build broken mail).
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what} must not contain CR or LF: {value!r}")
    return value


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def encoded_words(text: str, charset: str, first: int = _MAX_WORD) -> list[str]:
    """Split ``text`` into RFC 2047 ``B`` encoded words of at most 75 characters.

    Each word encodes whole characters and, for ISO-2022-JP, starts and ends in ASCII
    (RFC 1468), so every word decodes on its own. ``first`` is a tighter limit for
    the first word, which shares its line with the header name.
    """
    _, label = _codec(charset)
    overhead = len(label) + 7  # =?<label>?B?...?=
    words: list[str] = []
    chunk = ""
    limit = max(first, overhead + 8)
    for ch in text:
        cand = chunk + ch
        encoded = _encode(cand, charset)
        if chunk and overhead + 4 * ((len(encoded) + 2) // 3) > limit:
            words.append(f"=?{label}?B?{base64.b64encode(_encode(chunk, charset)).decode()}?=")
            chunk = ch
            limit = _MAX_WORD
        else:
            chunk = cand
    if chunk or not words:
        words.append(f"=?{label}?B?{base64.b64encode(_encode(chunk, charset)).decode()}?=")
    return words


def _fold_tokens(name: str, tokens: list[str]) -> str:
    """Join ``tokens`` with spaces after ``Name:``, folding (CRLF + space) before 78 chars.

    Folding only replaces a space by CRLF + space, so unfolding gives the value back.
    """
    lines: list[str] = []
    cur = f"{name}:"
    for i, tok in enumerate(tokens):
        piece = " " + tok
        if i and tok and len(cur) + len(piece) > _LINE:
            lines.append(cur)
            cur = piece
        else:
            cur += piece
    lines.append(cur)
    return CRLF.join(lines)


def _unstructured(name: str, value: str, charset: str) -> str:
    """An unstructured header (Subject, X-...): plain if ASCII, encoded words otherwise."""
    _one_line(value, name)
    if value.isascii():
        return _fold_tokens(name, value.split(" ")) if len(name) + len(value) + 2 > _LINE else (
            f"{name}: {value}"
        )
    words = encoded_words(value, charset, first=_LINE - len(name) - 2)
    return _fold_tokens(name, words)


def _phrase_tokens(name: str, charset: str) -> list[str]:
    """Display name as tokens: atoms, one quoted string, or encoded words."""
    _one_line(name, "display name")
    if not name:
        return []
    if name.isascii():
        if set(name) <= _ATEXT_PHRASE and name.strip() == name and "  " not in name:
            return name.split(" ")
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return [f'"{escaped}"']
    # One word whenever it fits: CPython's address parser keeps the blank between two
    # encoded words of a phrase, so a split name would come back with a double space.
    return encoded_words(name, charset)


def _as_address(value: AddressLike) -> Address:
    if isinstance(value, Address):
        return value
    if isinstance(value, tuple):
        return Address(value[0], value[1])
    return Address("", value)


def _address_header(name: str, mailboxes: list[Address], charset: str) -> str:
    tokens: list[str] = []
    for i, mb in enumerate(mailboxes):
        toks = _phrase_tokens(mb.name, charset)
        addr = _one_line(mb.addr, "address")
        toks.append(f"<{addr}>" if toks else addr)
        if i < len(mailboxes) - 1:
            toks[-1] += ","
        tokens.extend(toks)
    return _fold_tokens(name, tokens)


def _param(key: str, value: str, *, mode: FilenameEncoding, charset: str) -> list[str]:
    """``key=value`` parameter(s) for Content-Type/Content-Disposition."""
    _one_line(value, key)
    if value.isascii():
        if value and not set(value) & _TSPECIALS:
            return [f"{key}={value}"]
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return [f'{key}="{escaped}"']
    if mode == "rfc2047":
        # Outlook style: encoded words inside a quoted string, on one (long) line.
        return [f'{key}="{" ".join(encoded_words(value, charset))}"']
    encoded = quote(value.encode("utf-8"), safe="")
    if len(encoded) + len(key) + 10 <= _LINE - 2:
        return [f"{key}*=UTF-8''{encoded}"]
    # RFC 2231 continuations, never splitting a %XX escape.
    pieces: list[str] = []
    cur = ""
    i = 0
    while i < len(encoded):
        tok = encoded[i : i + 3] if encoded[i] == "%" else encoded[i]
        if len(cur) + len(tok) > 48:
            pieces.append(cur)
            cur = ""
        cur += tok
        i += len(tok)
    pieces.append(cur)
    out = []
    for n, piece in enumerate(pieces):
        prefix = "UTF-8''" if n == 0 else ""
        out.append(f"{key}*{n}*={prefix}{piece}")
    return out


def _params_header(name: str, value: str, params: list[str]) -> str:
    tokens = [value + (";" if params else "")]
    for i, p in enumerate(params):
        tokens.append(p + (";" if i < len(params) - 1 else ""))
    return _fold_tokens(name, tokens)


def _normalise_eol(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def _b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _qp(data: bytes) -> bytes:
    out = []
    for line in data.split(b"\r\n"):
        out.append(binascii.b2a_qp(line, quotetabs=False, istext=False).replace(b"\n", b"\r\n"))
    return b"\r\n".join(out)


def _lines_ok_for_7bit(data: bytes) -> bool:
    return data.isascii() and all(len(line) <= 998 for line in data.split(b"\r\n"))


@dataclass(frozen=True, slots=True)
class _Entity:
    """A MIME entity under construction: header lines (already folded) and body bytes."""

    headers: tuple[str, ...]
    body: bytes

    def to_bytes(self) -> bytes:
        head = CRLF.join(self.headers).encode("utf-8")
        return head + b"\r\n\r\n" + self.body


@dataclass(frozen=True, slots=True)
class _Attachment:
    data: bytes
    filename: str | None
    content_type: str
    filename_encoding: FilenameEncoding
    inline: bool
    content_id: str | None
    transfer_encoding: TransferEncoding | None
    is_message: bool


_UNSET = object()


class MailBuilder:
    """Build one mail as RFC 5322 bytes. Every setter returns ``self``.

    The output is byte-stable: the same calls with the same ``seed`` give the same
    bytes on every machine and Python version. Lines end in CRLF.

    ``charset`` is the default for headers and bodies; individual calls may override it.
    """

    def __init__(self, *, charset: Charset = "iso-2022-jp", seed: str | int = 0) -> None:
        _codec(charset)
        self._charset: str = charset
        self._seed = str(seed)
        self._from: list[Address] = []
        self._to: list[Address] = []
        self._cc: list[Address] = []
        self._reply_to: list[Address] = []
        self._return_path: str | None = None
        self._subject: tuple[str, str] | None = None
        self._date: str = DEFAULT_DATE
        self._message_id: object = _UNSET
        self._in_reply_to: str | None = None
        self._references: list[str] = []
        self._top: list[str] = []
        self._extra: list[str] = []
        self._text: tuple[str, str, TransferEncoding | None] | None = None
        self._html: tuple[str, str, TransferEncoding | None] | None = None
        self._attachments: list[_Attachment] = []
        self._mime_version = True

    # -- addresses -------------------------------------------------------------------

    def from_(self, *mailboxes: AddressLike) -> Self:
        """From. Usually one mailbox: ``("山田 太郎", "x@y.com.br")``."""
        self._from = [_as_address(m) for m in mailboxes]
        return self

    def to(self, *mailboxes: AddressLike) -> Self:
        self._to = [_as_address(m) for m in mailboxes]
        return self

    def cc(self, *mailboxes: AddressLike) -> Self:
        self._cc = [_as_address(m) for m in mailboxes]
        return self

    def reply_to(self, *mailboxes: AddressLike) -> Self:
        self._reply_to = [_as_address(m) for m in mailboxes]
        return self

    def return_path(self, addr: str) -> Self:
        """Return-Path (written first, as the delivering MTA would)."""
        self._return_path = _one_line(addr, "Return-Path")
        return self

    # -- other headers ---------------------------------------------------------------

    def subject(self, text: str, *, charset: Charset | None = None) -> Self:
        self._subject = (text, charset or self._charset)
        return self

    def date(self, value: str | datetime) -> Self:
        """Date; a ``datetime`` must be timezone-aware."""
        self._date = _one_line(
            format_datetime(value) if isinstance(value, datetime) else value, "Date"
        )
        return self

    def message_id(self, value: str | None) -> Self:
        """Message-ID as given (``<...>`` added if missing); ``None`` omits the header.

        Without a call, one is derived from the seed and the content, on the From domain.
        """
        if value is not None:
            _one_line(value, "Message-ID")
        if value is not None and not value.startswith("<"):
            value = f"<{value}>"
        self._message_id = value
        return self

    def in_reply_to(self, msgid: str) -> Self:
        _one_line(msgid, "In-Reply-To")
        self._in_reply_to = msgid if msgid.startswith("<") else f"<{msgid}>"
        return self

    def references(self, *msgids: str) -> Self:
        ids = [_one_line(m, "References") for m in msgids]
        self._references = [m if m.startswith("<") else f"<{m}>" for m in ids]
        return self

    def header(
        self,
        name: str,
        value: str,
        *,
        top: bool = False,
        encode: bool = True,
        charset: Charset | None = None,
    ) -> Self:
        """Add any header. ``top`` puts it above Date (trace headers: Received,
        Authentication-Results). Non-ASCII values are RFC 2047-encoded unless
        ``encode=False``, which writes the value verbatim as UTF-8 (for broken mail).
        """
        if encode:
            line = _unstructured(name, value, charset or self._charset)
        else:
            line = f"{name}: {value}"
        (self._top if top else self._extra).append(line)
        return self

    def without_mime_version(self) -> Self:
        """Omit MIME-Version (old or broken mailers)."""
        self._mime_version = False
        return self

    # -- bodies ----------------------------------------------------------------------

    def text(
        self,
        body: str,
        *,
        charset: Charset | None = None,
        transfer_encoding: TransferEncoding | None = None,
    ) -> Self:
        """The text/plain body. ``\\n`` line ends are written as CRLF.

        Transfer encoding by default: 7bit for ISO-2022-JP and ASCII text, base64 for
        UTF-8 and Shift_JIS text (as Japanese mailers do).
        """
        self._text = (body, charset or self._charset, transfer_encoding)
        return self

    def html(
        self,
        body: str,
        *,
        charset: Charset | None = None,
        transfer_encoding: TransferEncoding | None = None,
    ) -> Self:
        """The text/html body; with a text body too, both go in multipart/alternative."""
        self._html = (body, charset or self._charset, transfer_encoding)
        return self

    def attach(
        self,
        data: bytes,
        filename: str | None,
        content_type: str | None = None,
        *,
        filename_encoding: FilenameEncoding = "rfc2231",
        inline: bool = False,
        content_id: str | None = None,
        transfer_encoding: TransferEncoding | None = None,
    ) -> Self:
        """Attach ``data`` (written base64 unless told otherwise).

        ``filename_encoding`` chooses how a Japanese name is written: ``"rfc2231"``
        (``filename*=UTF-8''%E8%AB%8B...``, continued when long) or ``"rfc2047"``
        (``filename="=?ISO-2022-JP?B?...?="``, Outlook's way). ``content_type``
        defaults to what Windows mailers send for the extension.
        """
        if content_type is None:
            content_type = content_type_for(filename) if filename else "application/octet-stream"
        self._attachments.append(
            _Attachment(data, filename, content_type, filename_encoding, inline, content_id,
                        transfer_encoding, False)
        )
        return self

    def attach_message(
        self,
        raw: bytes,
        filename: str | None = None,
        *,
        filename_encoding: FilenameEncoding = "rfc2231",
    ) -> Self:
        """Attach a whole mail as message/rfc822 (a forwarded mail, an .eml attachment)."""
        self._attachments.append(
            _Attachment(_normalise_eol(raw), filename, "message/rfc822", filename_encoding,
                        False, None, None, True)
        )
        return self

    # -- output ----------------------------------------------------------------------

    def build(self) -> bytes:
        """The mail as bytes (CRLF line ends)."""
        body = self._body_entity()
        headers: list[str] = []
        if self._return_path is not None:
            headers.append(f"Return-Path: <{self._return_path}>")
        headers.extend(self._top)
        headers.append(f"Date: {self._date}")
        if self._from:
            headers.append(_address_header("From", self._from, self._charset))
        if self._to:
            headers.append(_address_header("To", self._to, self._charset))
        if self._cc:
            headers.append(_address_header("Cc", self._cc, self._charset))
        if self._reply_to:
            headers.append(_address_header("Reply-To", self._reply_to, self._charset))
        if self._subject is not None:
            headers.append(_unstructured("Subject", *self._subject))
        mid_index = len(headers)
        if self._in_reply_to:
            headers.append(f"In-Reply-To: {self._in_reply_to}")
        if self._references:
            headers.append(_fold_tokens("References", self._references))
        headers.extend(self._extra)
        if self._mime_version:
            headers.append("MIME-Version: 1.0")
        headers.extend(body.headers)
        if self._message_id is _UNSET:
            domain = self._from[0].domain if self._from and self._from[0].domain else (
                "emoguard.test"
            )
            content = CRLF.join(headers).encode("utf-8") + body.body
            token = _digest("message-id", self._seed, content)
            headers.insert(mid_index, f"Message-ID: <{token[:12].upper()}.{token[12:28]}"
                                      f"@{domain}>")
        elif isinstance(self._message_id, str):
            headers.insert(mid_index, f"Message-ID: {self._message_id}")
        return _Entity(tuple(headers), body.body).to_bytes()

    # -- internals -------------------------------------------------------------------

    def _text_entity(self, subtype: str, spec: tuple[str, str, TransferEncoding | None]) -> (
        _Entity
    ):
        text, charset, cte = spec
        _, label = _codec(charset)
        lines = text.replace("\r\n", "\n").split("\n")
        # Encode line by line so every ISO-2022-JP line returns to ASCII before CRLF.
        data = b"\r\n".join(_encode(line, charset) for line in lines)
        if cte is None:
            cte = "7bit" if _lines_ok_for_7bit(data) else "base64"
        payload = self._transfer(data, cte)
        return _Entity(
            (f'Content-Type: text/{subtype}; charset="{label}"',
             f"Content-Transfer-Encoding: {cte}"),
            payload,
        )

    @staticmethod
    def _transfer(data: bytes, cte: TransferEncoding) -> bytes:
        if cte == "base64":
            return _b64_lines(data)
        if cte == "quoted-printable":
            return _qp(data)
        return data

    def _attachment_entity(self, att: _Attachment) -> _Entity:
        ctype_params: list[str] = []
        disp_params: list[str] = []
        if att.filename is not None:
            ctype_params = _param("name", att.filename, mode=att.filename_encoding,
                                  charset=self._charset)
            disp_params = _param("filename", att.filename, mode=att.filename_encoding,
                                 charset=self._charset)
        headers = [_params_header("Content-Type", att.content_type, ctype_params)]
        if att.is_message:
            cte: TransferEncoding = "7bit" if _lines_ok_for_7bit(att.data) else "8bit"
            payload = att.data
        else:
            cte = att.transfer_encoding or "base64"
            payload = self._transfer(att.data, cte)
        headers.append(f"Content-Transfer-Encoding: {cte}")
        if att.content_id:
            cid = att.content_id if att.content_id.startswith("<") else f"<{att.content_id}>"
            headers.append(f"Content-ID: {cid}")
        headers.append(_params_header("Content-Disposition",
                                      "inline" if att.inline else "attachment", disp_params))
        return _Entity(tuple(headers), payload)

    def _multipart(self, subtype: str, parts: list[_Entity], level: int) -> _Entity:
        blobs = [p.to_bytes() for p in parts]
        n = 0
        while True:
            token = _digest("boundary", self._seed, level, n, *blobs)
            boundary = (f"----=_NextPart_{level:03d}_{token[:4].upper()}_"
                        f"{token[4:12].upper()}.{token[12:20].upper()}")
            if not any(boundary.encode() in b for b in blobs):
                break
            n += 1
        body = b"This is a multi-part message in MIME format.\r\n\r\n"
        # The CRLF before each delimiter belongs to the delimiter (RFC 2046 5.1.1), so
        # a part's own final line end survives the round trip.
        for blob in blobs:
            body += b"--" + boundary.encode() + b"\r\n" + blob + b"\r\n"
        body += b"--" + boundary.encode() + b"--\r\n"
        header = _fold_tokens("Content-Type", [f"multipart/{subtype};", f'boundary="{boundary}"'])
        return _Entity((header,), body)

    def _body_entity(self) -> _Entity:
        alternatives: list[_Entity] = []
        if self._text is not None:
            alternatives.append(self._text_entity("plain", self._text))
        if self._html is not None:
            alternatives.append(self._text_entity("html", self._html))
        level = 1 if self._attachments else 0
        main: _Entity | None
        if len(alternatives) == 2:
            main = self._multipart("alternative", alternatives, level)
        elif alternatives:
            main = alternatives[0]
        elif not self._attachments:
            main = self._text_entity("plain", ("", self._charset, None))
        else:
            main = None
        if not self._attachments:
            assert main is not None
            if not main.body.endswith(b"\r\n"):
                main = _Entity(main.headers, main.body + b"\r\n")
            return main
        parts = ([main] if main is not None else []) + [
            self._attachment_entity(a) for a in self._attachments
        ]
        return self._multipart("mixed", parts, 0)
