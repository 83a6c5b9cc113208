"""Outlook ``.pst`` / ``.ost`` files as a source (libpff-python, ``import pypff``).

Recognised by content (magic ``!BDN``), not by name. Every folder is walked; each
message (mail, meeting, task: anything that is not a contact or a distribution
list) becomes RFC 5322 bytes: the original transport headers when the PST kept them
(received mail), else headers rebuilt from the MAPI properties, then the plain and
HTML bodies and every attachment (embedded Outlook items as ``message/rfc822``).
Records carry ``meta``: ``pst``, ``folder`` (path inside the file), ``seen``
(MSGFLAG_READ), ``delivery_time``.

:func:`read_contacts` gives the address book inside a PST (contacts and the one-off
members of distribution lists) for the contacts directory.

A password-protected PST is read like any other: Outlook's PST password is only a
checksum in the file header area (PidTagPstPassword) and does not encrypt the data;
``PstInfo.password_protected`` says so, and ``meta["pst_password_protected"]`` too.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.policy import compat32
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from emoguard.sources import Item, RawMessage, Skipped

PST_MAGIC = b"!BDN"
ONE_OFF_UID = bytes.fromhex("812b1fa4bea310199d6e00dd010f5402")
PR_MESSAGE_CLASS = 0x001A
PR_MESSAGE_FLAGS = 0x0E07
PR_DISPLAY_NAME = 0x3001
PR_SENDER_EMAIL = 0x0C1F
PR_SENT_REPRESENTING_EMAIL = 0x0065
PR_DISPLAY_TO = 0x0E04
PR_DISPLAY_CC = 0x0E03
PR_INTERNET_MESSAGE_ID = 0x1035
PR_IN_REPLY_TO = 0x1042
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_MIME_TAG = 0x370E
PR_PST_PASSWORD = 0x67FF
MSGFLAG_READ = 0x1
NOT_MAIL_CLASSES = ("ipm.contact", "ipm.distlist", "ipm.microsoft.", "ipm.configuration")
_DROP = (b"content-type", b"content-transfer-encoding", b"mime-version", b"content-disposition")
MAX_ATTACHMENT = 256 * 1024 * 1024


def is_pst(head: bytes) -> bool:
    return head[:4] == PST_MAGIC


# -- property access -------------------------------------------------------------------------


def _entries(item: Any) -> Iterator[Any]:
    try:
        for rs in item.record_sets:
            yield from rs.entries
    except Exception:
        return


def _props(item: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for e in _entries(item):
        try:
            out.setdefault(int(e.entry_type), e)
        except Exception:  # noqa: S112
            continue
    return out


def _str(props: dict[int, Any], tag: int) -> str:
    e = props.get(tag)
    if e is None:
        return ""
    try:
        if e.value_type == 0x001F:
            data = e.data or b""
            return bytes(data).decode("utf-16-le", "replace").rstrip("\x00")
        if e.value_type == 0x001E:
            return str(e.get_data_as_string() or "")
    except Exception:
        return ""
    return ""


def _int(props: dict[int, Any], tag: int) -> int:
    e = props.get(tag)
    if e is None or not e.data:
        return 0
    try:
        return int.from_bytes(bytes(e.data)[:4], "little")
    except Exception:
        return 0


def _multi_binary(data: bytes) -> list[bytes]:
    """Values of a PtypMultipleBinary as stored: count, offsets, then the values."""
    if len(data) < 4:
        return []
    (n,) = struct.unpack_from("<I", data, 0)
    if n == 0 or 4 + 4 * n > len(data):
        return []
    offs = list(struct.unpack_from(f"<{n}I", data, 4)) + [len(data)]
    return [data[offs[i] : offs[i + 1]] for i in range(n) if offs[i] <= offs[i + 1] <= len(data)]


def parse_one_off(entry_id: bytes) -> tuple[str, str, str] | None:
    """(display name, address type, address) from a one-off EntryID, or None."""
    if len(entry_id) < 24 or entry_id[4:20] != ONE_OFF_UID:
        return None
    (flags,) = struct.unpack_from("<H", entry_id, 22)
    rest = entry_id[24:]
    if flags & 0x8000:  # MAPI_UNICODE
        parts = rest.decode("utf-16-le", "replace").split("\x00")
    else:
        parts = rest.decode("cp1252", "replace").split("\x00")
    if len(parts) < 3:
        return None
    return parts[0], parts[1], parts[2]


def _one_offs(item: Any) -> list[tuple[str, str]]:
    """Every (name, SMTP address) in one-off EntryIDs of this item's binary properties."""
    out: list[tuple[str, str]] = []
    for e in _entries(item):
        try:
            vt, data = int(e.value_type), bytes(e.data or b"")
        except Exception:  # noqa: S112
            continue
        values = [data] if vt == 0x0102 else _multi_binary(data) if vt == 0x1102 else []
        for v in values:
            oo = parse_one_off(v)
            if oo and "@" in oo[2] and (name_addr := (oo[0], oo[2])) not in out:
                out.append(name_addr)
    return out


# -- the file ------------------------------------------------------------------------------------


@dataclass
class PstInfo:
    path: str
    password_protected: bool = False
    folders: list[str] = field(default_factory=list)
    messages: int = 0
    contacts: int = 0
    distribution_lists: int = 0


def _open(path: Path) -> Any:
    import pypff

    f = pypff.file()
    f.open(str(path))
    return f


def _password_protected(f: Any) -> bool:
    try:
        return _int(_props(f.get_message_store()), PR_PST_PASSWORD) != 0
    except Exception:
        return False


def _walk(folder: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, folder
    try:
        n = folder.number_of_sub_folders
    except Exception:
        return
    for i in range(n):
        try:
            sub = folder.get_sub_folder(i)
            name = sub.name or f"folder{i}"
        except Exception:  # noqa: S112
            continue
        yield from _walk(sub, f"{path}/{name}" if path else name)


def _messages(folder: Any) -> Iterator[tuple[int, Any]]:
    try:
        n = folder.number_of_sub_messages
    except Exception:
        return
    for i in range(n):
        try:
            yield i, folder.get_sub_message(i)
        except Exception:  # noqa: S112 - one unreadable item: the rest go on
            continue


def _message_class(item: Any) -> str:
    return _str(_props(item), PR_MESSAGE_CLASS)


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _body_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        for enc in ("utf-8", "cp932", "cp1252"):
            try:
                return value.decode(enc).rstrip("\x00")
            except UnicodeDecodeError:
                continue
        return value.decode("utf-8", "replace")
    return str(value)


def _attachment_part(att: Any, depth: int) -> MIMEBase | None:
    props = _props(att)
    name = _str(props, PR_ATTACH_LONG_FILENAME) or _str(props, PR_ATTACH_FILENAME) or _str(props, PR_DISPLAY_NAME)
    method = _int(props, PR_ATTACH_METHOD)
    if method == 5 and depth < 4:  # an embedded Outlook item
        try:
            if att.number_of_sub_items:
                inner = message_bytes(att.get_sub_item(0), depth + 1)
                return MIMEMessage(BytesParser(policy=compat32).parsebytes(inner))
        except Exception:  # noqa: S110 - fall through to the raw data, if any
            pass
    try:
        size = int(att.size or 0)
        data = att.read_buffer(min(size, MAX_ATTACHMENT)) if size else b""
    except Exception:
        data = b""
    mime = _str(props, PR_ATTACH_MIME_TAG) or "application/octet-stream"
    maintype, _, subtype = mime.partition("/")
    part = MIMEBase(maintype or "application", subtype or "octet-stream")
    part.set_payload(bytes(data or b""))
    from email import encoders

    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name or "attachment"))
    return part


def message_bytes(item: Any, depth: int = 0) -> bytes:
    """One PST item as RFC 5322 bytes (transport headers kept when present)."""
    props = _props(item)
    text = _body_text(getattr(item, "plain_text_body", None))
    html = _body_text(getattr(item, "html_body", None))
    body: MIMEBase
    alt = MIMEMultipart("alternative") if text and html else None
    if alt is not None:
        alt.attach(MIMEText(text, "plain", "utf-8"))
        alt.attach(MIMEText(html, "html", "utf-8"))
        body = alt
    elif html:
        body = MIMEText(html, "html", "utf-8")
    else:
        body = MIMEText(text, "plain", "utf-8")
    atts: list[MIMEBase] = []
    try:
        n_att = item.number_of_attachments
    except Exception:
        n_att = 0
    for i in range(n_att):
        try:
            part = _attachment_part(item.get_attachment(i), depth)
        except Exception:  # noqa: S112
            continue
        if part is not None:
            atts.append(part)
    if atts:
        mixed = MIMEMultipart("mixed")
        mixed.attach(body)
        for a in atts:
            mixed.attach(a)
        body = mixed
    headers = _transport_headers(item)
    if not headers:
        headers = _rebuilt_headers(item, props)
    return headers + body.as_bytes(policy=compat32.clone(linesep="\n"))


def _transport_headers(item: Any) -> bytes:
    try:
        th = item.transport_headers
    except Exception:
        return b""
    if not th:
        return b""
    raw = (th if isinstance(th, bytes) else str(th).encode("utf-8", "replace")).replace(b"\r\n", b"\n")
    raw = raw.split(b"\n\n", 1)[0]
    out: list[bytes] = []
    keep = True
    for line in raw.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if keep and out:
                out.append(line)
            continue
        keep = line.split(b":", 1)[0].strip().lower() not in _DROP
        if keep and line.strip():
            out.append(line)
    return b"\n".join(out) + b"\n" if out else b""


def _hdr(name: str, value: str) -> bytes:
    from email.header import Header

    value = " ".join(value.split())
    if not value:
        return b""
    try:
        value.encode("ascii")
        return f"{name}: {value}\n".encode()
    except UnicodeEncodeError:
        return f"{name}: {Header(value, 'utf-8').encode()}\n".encode()


def _rebuilt_headers(item: Any, props: dict[int, Any]) -> bytes:
    sender_name = ""
    with contextlib.suppress(Exception):
        sender_name = str(item.sender_name or "")
    sender = _str(props, PR_SENDER_EMAIL) or _str(props, PR_SENT_REPRESENTING_EMAIL)
    if "@" not in sender:
        sender = ""  # an Exchange DN or "Unknown": not an address
    try:
        subject = str(item.subject or "")
    except Exception:
        subject = ""
    when = None
    for attr in ("client_submit_time", "delivery_time", "creation_time"):
        try:
            when = _dt(getattr(item, attr))
        except Exception:  # noqa: S112
            continue
        if when is not None:
            break
    out = b""
    if sender or sender_name:
        from email.header import Header

        name = str(Header(sender_name, "utf-8").encode()) if sender_name and not sender_name.isascii() else sender_name
        out += f"From: {formataddr((name, sender)) if sender else name}\n".encode()
    out += _hdr("To", _str(props, PR_DISPLAY_TO))
    out += _hdr("Cc", _str(props, PR_DISPLAY_CC))
    out += _hdr("Subject", subject)
    if when is not None:
        out += f"Date: {format_datetime(when)}\n".encode()
    out += _hdr("Message-ID", _str(props, PR_INTERNET_MESSAGE_ID))
    out += _hdr("In-Reply-To", _str(props, PR_IN_REPLY_TO))
    out += _hdr("X-Emoguard-PST-Class", _str(props, PR_MESSAGE_CLASS))
    return out


def from_pst(path: Path) -> Iterator[Item]:
    """Every message of a PST/OST file, folder by folder."""
    try:
        f = _open(path)
    except ImportError:
        yield Skipped(str(path), "Outlook PST/OST file, but libpff-python (pypff) is not installed", unreadable=True)
        return
    except Exception as e:
        yield Skipped(str(path), f"cannot open PST/OST file: {e}", unreadable=True)
        return
    yielded = other = 0
    try:
        protected = _password_protected(f)
        root = f.get_root_folder()
        for fpath, folder in _walk(root, ""):
            for i, item in _messages(folder):
                cls = _message_class(item)
                if cls.lower().startswith(NOT_MAIL_CLASSES):
                    other += 1
                    continue
                yielded += 1
                try:
                    data = message_bytes(item)
                except Exception as e:
                    yield Skipped(f"{path}#{fpath}/{i}", f"cannot read PST item: {e}", unreadable=True)
                    continue
                props = _props(item)
                try:
                    delivered = _dt(item.delivery_time)
                except Exception:
                    delivered = None
                meta: dict[str, Any] = {
                    "kind": "pst", "pst": str(path), "folder": fpath, "index": i, "class": cls,
                    "seen": bool(_int(props, PR_MESSAGE_FLAGS) & MSGFLAG_READ),
                    "delivery_time": delivered.isoformat() if delivered else "",
                }  # fmt: skip
                if protected:
                    meta["pst_password_protected"] = True
                yield RawMessage(source=f"{path}#{fpath}/{i}", data=data, meta=meta)
        if not yielded:  # said, not silently skipped
            note = " (password-protected: Outlook's PST password does not encrypt, so it was read)" if protected else ""
            yield Skipped(str(path), f"Outlook PST/OST without mail items: {other} contacts, lists or "
                          f"internal items{note}")
    finally:
        with contextlib.suppress(Exception):
            f.close()


@dataclass(frozen=True, slots=True)
class PstContact:
    name: str
    address: str
    kind: str  # "contact" | "distlist:<list name>"
    folder: str


def read_contacts(path: str | Path) -> tuple[list[PstContact], PstInfo]:
    """Contacts and distribution-list members of a PST, and what the file holds."""
    p = Path(path)
    f = _open(p)
    info = PstInfo(str(p), password_protected=_password_protected(f))
    out: list[PstContact] = []
    try:
        for fpath, folder in _walk(f.get_root_folder(), ""):
            info.folders.append(fpath)
            for _i, item in _messages(folder):
                props = _props(item)
                cls = _str(props, PR_MESSAGE_CLASS).lower()
                if cls.startswith("ipm.contact"):
                    info.contacts += 1
                    name = _str(props, PR_DISPLAY_NAME)
                    for oo_name, addr in _one_offs(item) or []:
                        out.append(PstContact(name or oo_name, addr, "contact", fpath))
                elif cls.startswith("ipm.distlist"):
                    info.distribution_lists += 1
                    lname = _str(props, PR_DISPLAY_NAME)
                    for oo_name, addr in _one_offs(item):
                        out.append(PstContact(oo_name, addr, f"distlist:{lname}", fpath))
                else:
                    info.messages += 1
    finally:
        f.close()
    return out, info
