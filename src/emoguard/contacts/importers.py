"""Address-book importers: Outlook / Google / Thunderbird CSV, vCard 2.1/3.0/4.0, LDIF.

The format is sniffed from the content, not the file name. Text encodings are detected
the way Japanese Windows writes them: a BOM (UTF-8, UTF-16 LE/BE) wins; otherwise UTF-8
if the bytes decode, else CP932 (Shift_JIS with the NEC/IBM extensions). A broken row,
card or record is reported as ``file:line: message`` and skipped; the rest of the file
is still read, and :func:`import_file` itself never raises on bad content.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import io
import quopri
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emoguard.contacts.normalize import join_name, normalize_address, strip_written_address

MAX_FILE_BYTES = 64 * 1024 * 1024
_ADDR_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


@dataclass(frozen=True, slots=True)
class Contact:
    """One (name, address) pair read from an address book, with where it was."""

    name: str
    address: str
    line: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", " ".join(self.name.split()))


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Contacts read from one file, the problems met (``file:line: message``), the format."""

    contacts: tuple[Contact, ...]
    problems: tuple[str, ...]
    format: str = ""
    encoding: str = ""


# -- decoding ---------------------------------------------------------------------------


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of an address-book file; never raises."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    head = data[:2000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 3:
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        return data.decode("cp932", errors="replace"), "cp932 (with undecodable bytes)"


def sniff_format(text: str) -> str:
    """'vcard', 'ldif' or 'csv' (the CSV dialect is told apart by its header)."""
    for raw in text.splitlines()[:50]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        low = line.lower()
        if low.startswith("begin:vcard"):
            return "vcard"
        if low.startswith(("dn:", "dn::", "version: 1", "version:1")):
            return "ldif"
        return "csv"
    return "csv"


def import_file(path: str | Path) -> ImportResult:
    """Read one address-book file (any supported format, an Outlook .pst/.ost included)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            magic = fh.read(4)
    except OSError as e:
        return ImportResult((), (f"{p}: cannot read: {e.strerror or e}",))
    if magic == b"!BDN":
        return _import_pst(p)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            return ImportResult((), (f"{p}: {size} bytes is too large for an address book (limit {MAX_FILE_BYTES})",))
        data = p.read_bytes()
    except OSError as e:
        return ImportResult((), (f"{p}: cannot read: {e.strerror or e}",))
    return import_bytes(data, str(p))


def _import_pst(p: Path) -> ImportResult:
    """Contacts and distribution-list members of an Outlook PST/OST (libpff, via sources.pst)."""
    from emoguard.sources.pst import read_contacts

    try:
        found, info = read_contacts(p)
    except Exception as e:  # a damaged or unsupported PST: named, never the whole run
        return ImportResult((), (f"{p}: cannot read as Outlook PST: {e}",), "pst")
    contacts = tuple(Contact(c.name, c.address) for c in found if c.address)
    problems: tuple[str, ...] = ()
    if not contacts:
        problems = (f"{p}: no contacts or distribution lists in this PST ({info.messages} other items)",)
    return ImportResult(contacts, problems, "pst")


def import_bytes(data: bytes, name: str = "<data>") -> ImportResult:
    """Like :func:`import_file` for bytes in hand; ``name`` is used in problems."""
    if not data.strip():
        return ImportResult((), (f"{name}: empty file",))
    text, enc = decode_bytes(data)
    text = text.lstrip("\ufeff")
    fmt = sniff_format(text)
    try:
        if fmt == "vcard":
            contacts, problems = _read_vcard(text, name, enc)
        elif fmt == "ldif":
            contacts, problems = _read_ldif(text, name)
        else:
            fmt, contacts, problems = _read_csv(text, name)
    except Exception as e:  # a reader bug must not lose the whole run
        return ImportResult((), (f"{name}: cannot read as {fmt}: {type(e).__name__}: {e}",), fmt, enc)
    return ImportResult(tuple(contacts), tuple(problems), fmt, enc)


# -- CSV ----------------------------------------------------------------------------------


def _hkey(h: str) -> str:
    return re.sub(r"[\s_\-:]+", "", unicodedata.normalize("NFKC", h)).casefold()


# Normalised header names (see _hkey) per role. Outlook (ja/en), Google (old and new),
# Thunderbird (ja/en), and the plain "Name,E-mail" files people make by hand.
_DISPLAY = ("displayname", "表示名", "name", "名前", "氏名", "fullname", "emaildisplayname",
            "電子メール表示名")  # fmt: skip
_GIVEN = ("firstname", "givenname", "名", "名(ふりがな)")
_FAMILY = ("lastname", "familyname", "surname", "姓", "姓(ふりがな)")
_MIDDLE = ("middlename", "additionalname", "ミドルネーム")
_EMAIL_EXACT = (
    "email", "emailaddress", "電子メールアドレス", "メールアドレス", "メール", "primaryemail",
    "secondaryemail", "第2メールアドレス", "mail", "e-mail",
)  # fmt: skip
_EMAIL_RE = re.compile(
    r"^(?:e?mail\d*(?:address|value)?|email\d+(?:address|value)|電子メール\d*アドレス|メールアドレス\d*|"
    r"第?\d*メールアドレス|(?:primary|secondary|other|home|work)email)$"
)


def _address_in(text: str) -> str:
    """The one address inside "Name <addr>"-style text ('' when none or several)."""
    found = _ADDR_IN_TEXT.findall(text)
    return normalize_address(found[0]) if len(found) == 1 else ""


def _is_email_header(k: str) -> bool:
    return k in _EMAIL_EXACT or bool(_EMAIL_RE.match(k))


def _csv_dialect(header_line: str) -> str:
    return "\t" if header_line.count("\t") > header_line.count(",") else (
        ";" if header_line.count(";") > header_line.count(",") else ","
    )


def _csv_flavour(keys: list[str]) -> str:
    ks = set(keys)
    if {"givenname", "familyname"} & ks or any(k.startswith("email1") and k.endswith("value") for k in ks):
        return "csv/google"
    if "primaryemail" in ks or "第2メールアドレス" in ks:
        return "csv/thunderbird"
    if any(k in ks for k in ("電子メールアドレス", "emailaddress", "emaildisplayname", "電子メール表示名")):
        return "csv/outlook"
    return "csv"


def _read_csv(text: str, name: str) -> tuple[str, list[Contact], list[str]]:
    problems: list[str] = []
    contacts: list[Contact] = []
    lines = text.splitlines(keepends=True)
    # Skip leading blank lines and comments; the first real line is the header.
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        start += 1
    if start >= len(lines):
        return "csv", [], [f"{name}: no header line"]
    delim = _csv_dialect(lines[start])
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=delim)
    line_offset = start
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as e:
        return "csv", [], [f"{name}:{start + 1}: unreadable CSV header: {e}"]
    keys = [_hkey(h) for h in header]
    flavour = _csv_flavour(keys)
    email_cols = [i for i, k in enumerate(keys) if _is_email_header(k)]
    display_cols = [i for i, k in enumerate(keys) if k in _DISPLAY]
    # Prefer a real display name over Outlook's "E-mail Display Name" and nicknames.
    display_cols.sort(key=lambda i: _DISPLAY.index(keys[i]))
    given = next((i for i, k in enumerate(keys) if k in _GIVEN), None)
    family = next((i for i, k in enumerate(keys) if k in _FAMILY), None)
    middle = next((i for i, k in enumerate(keys) if k in _MIDDLE), None)
    if not email_cols:
        return flavour, [], [
            f"{name}:{start + 1}: not an address book: no e-mail column in the header "
            f"({', '.join(h for h in header[:8])}{'…' if len(header) > 8 else ''})"
        ]
    prev_end = reader.line_num
    errors = 0
    while True:
        row_line = line_offset + prev_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(f"{name}:{row_line}: unreadable CSV row ({e}); skipped")
            prev_end = reader.line_num
            errors += 1
            if errors > 10_000:
                problems.append(f"{name}: too many broken rows; stopped")
                break
            continue
        prev_end = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(
                f"{name}:{row_line}: {len(row)} fields where the header has {len(header)} "
                "(an unquoted comma or tab?); skipped"
            )
            continue

        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        disp = next((strip_written_address(cell(i)) for i in display_cols if strip_written_address(cell(i))), "")
        if not disp:
            parts = [cell(family), cell(given)]
            disp = join_name(cell(family), " ".join(x for x in (cell(given), cell(middle)) if x)) if any(
                parts) else ""
        found = False
        for i in email_cols:
            raw = cell(i)
            if not raw:
                continue
            pieces = [x for x in re.split(r"\s*(?::::|[;,\s])\s*", raw) if x] if raw.count("@") > 1 else [raw]
            for piece in pieces:
                addr = normalize_address(piece) or _address_in(piece)
                if addr:
                    contacts.append(Contact(disp, addr, row_line))
                    found = True
                elif piece.strip():
                    # Outlook writes Exchange DNs ("/o=ExchangeLabs/...") for internal users.
                    if piece.strip().startswith("/o="):
                        continue
                    problems.append(f"{name}:{row_line}: '{piece.strip()[:60]}' is not an e-mail address; skipped")
        _ = found  # rows without any address (phone-only contacts) are normal, not problems
    return flavour, contacts, problems


# -- vCard ------------------------------------------------------------------------------

_VC_PROP = re.compile(r"^(?:[A-Za-z0-9\-]+\.)?(?P<name>[A-Za-z0-9\-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$", re.S)


def _vc_logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line number, unfolded line): RFC 6350 folding (CRLF + blank)
    and vCard 2.1 quoted-printable soft breaks (a line ending in '=')."""
    cur: str | None = None
    cur_line = 0
    qp_cont = False
    for n, raw in enumerate(text.splitlines(), 1):
        if cur is not None and (qp_cont or (raw[:1] in (" ", "\t"))):
            if qp_cont:
                cur = cur[:-1] + raw.lstrip() if cur.endswith("=") else cur + raw
            else:
                cur += raw[1:]
        else:
            if cur is not None:
                yield cur_line, cur
            cur, cur_line = raw, n
        qp_cont = bool(cur) and "QUOTED-PRINTABLE" in cur.split(":", 1)[0].upper() and cur.endswith("=")
    if cur is not None:
        yield cur_line, cur


def _vc_unescape(v: str) -> str:
    return re.sub(r"\\([\\;,nN:])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), v)


def _vc_value(params: str, value: str, file_enc: str) -> str:
    plist = [p.strip() for p in params.split(";") if p.strip()]
    upper = [p.upper() for p in plist]
    charset = next((p.split("=", 1)[1].strip('"') for p in plist if p.upper().startswith("CHARSET=")), "")
    if "ENCODING=QUOTED-PRINTABLE" in upper or "QUOTED-PRINTABLE" in upper:
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        enc = charset or ("utf-8" if file_enc.startswith("utf") else "cp932")
        if enc.lower().replace("-", "_") in ("shift_jis", "sjis", "x_sjis", "shift_jisx0213"):
            enc = "cp932"
        try:
            return raw.decode(enc, errors="replace")
        except LookupError:
            return raw.decode("utf-8", errors="replace")
    if any(u in ("ENCODING=B", "ENCODING=BASE64", "BASE64") for u in upper):
        try:
            data = base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            return ""
        return data.decode("utf-8", errors="replace")
    return value


def _read_vcard(text: str, name: str, file_enc: str = "utf-8") -> tuple[list[Contact], list[str]]:
    contacts: list[Contact] = []
    problems: list[str] = []
    in_card = False
    card_line = 0
    fn = ""
    n_name = ""
    emails: list[tuple[int, str]] = []

    def finish() -> None:
        disp = strip_written_address(fn or n_name)
        for line, raw in emails:
            addr = normalize_address(raw)
            if addr:
                contacts.append(Contact(disp, addr, line))
            elif raw.strip():
                problems.append(f"{name}:{line}: '{raw.strip()[:60]}' is not an e-mail address; skipped")

    for line, logical in _vc_logical_lines(text):
        if not logical.strip():
            continue
        low = logical.strip().lower()
        if low == "begin:vcard":
            if in_card:
                problems.append(f"{name}:{card_line}: card has no END:VCARD (read up to line {line - 1})")
                finish()
            in_card, card_line, fn, n_name, emails = True, line, "", "", []
            continue
        if low == "end:vcard":
            if not in_card:
                problems.append(f"{name}:{line}: END:VCARD without BEGIN:VCARD; skipped")
                continue
            finish()
            in_card = False
            continue
        if not in_card:
            problems.append(f"{name}:{line}: text outside any card; skipped")
            continue
        m = _VC_PROP.match(logical)
        if not m:
            problems.append(f"{name}:{line}: not a vCard property line; skipped")
            continue
        prop = m.group("name").upper()
        if prop not in ("FN", "N", "EMAIL"):
            continue
        value = _vc_value(m.group("params"), m.group("value"), file_enc)
        if prop == "FN":
            fn = _vc_unescape(value).strip()
        elif prop == "N":
            fields = [_vc_unescape(x).strip() for x in re.split(r"(?<!\\);", value)]
            fields += [""] * (3 - len(fields))
            n_name = join_name(fields[0], " ".join(x for x in (fields[1], fields[2]) if x))
        else:
            emails.append((line, _vc_unescape(value).strip()))
    if in_card:
        problems.append(f"{name}:{card_line}: card has no END:VCARD (file ends first)")
        finish()
    return contacts, problems


# -- LDIF -------------------------------------------------------------------------------

_LDIF_NAME_ATTRS = ("displayname", "cn", "commonname")
_LDIF_MAIL_ATTRS = ("mail", "mozillasecondemail", "othermailbox", "email", "rfc822mailbox")


def _ldif_records(text: str) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    rec: list[tuple[int, str]] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        if raw.startswith(" ") and rec:
            ln, prev = rec[-1]
            rec[-1] = (ln, prev + raw[1:])
            continue
        if not raw.strip():
            if rec:
                yield start, rec
            rec = []
            continue
        if raw.startswith("#"):
            continue
        if not rec:
            start = n
        rec.append((n, raw))
    if rec:
        yield start, rec


def _read_ldif(text: str, name: str) -> tuple[list[Contact], list[str]]:
    contacts: list[Contact] = []
    problems: list[str] = []
    for _start, rec in _ldif_records(text):
        attrs: dict[str, list[tuple[int, str]]] = {}
        for n, line in rec:
            if ":" not in line:
                problems.append(f"{name}:{n}: not an LDIF 'attribute: value' line; skipped")
                continue
            attr, _, value = line.partition(":")
            attr = attr.split(";", 1)[0].strip().lower()
            if value.startswith(":"):
                try:
                    value = base64.b64decode(value[1:].strip(), validate=True).decode("utf-8")
                except (binascii.Error, ValueError, UnicodeDecodeError):
                    problems.append(f"{name}:{n}: bad base64 value for '{attr}'; skipped")
                    continue
            elif value.startswith("<"):
                continue  # a URL reference; never fetched
            attrs.setdefault(attr, []).append((n, value.strip()))
        if "version" in attrs and len(attrs) == 1:
            continue
        disp = ""
        for a in _LDIF_NAME_ATTRS:
            if attrs.get(a):
                disp = strip_written_address(attrs[a][0][1])
                break
        if not disp and (attrs.get("sn") or attrs.get("givenname")):
            disp = join_name(
                (attrs.get("sn") or [(0, "")])[0][1], (attrs.get("givenname") or [(0, "")])[0][1]
            )
        mails = [v for a in _LDIF_MAIL_ATTRS for v in attrs.get(a, [])]
        for n, raw in mails:
            addr = normalize_address(raw)
            if addr:
                contacts.append(Contact(disp, addr, n))
            elif raw:
                problems.append(f"{name}:{n}: '{raw[:60]}' is not an e-mail address; skipped")
    return contacts, problems
