"""Attachment features that need no unpacking: names, extensions, content types.

Deep inspection (archives, macros, passwords) lives in ``emoguard.attachments``
and is exposed through expensive features.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from emoguard.attachments import sniff
from emoguard.contacts.normalize import registrable_domain, strip_honorifics
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


# File-name shapes of INDICATORS (e). Extensions: the Office / archive carriers.
_CARRIER = r"(?:zip|xls|xlsm|xlsb|doc|docm|docx|xlsx|rar|7z)"
_E1 = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}})_\d{{4}}\.{_CARRIER}$", re.IGNORECASE)
_E_CODES = re.compile(
    rf"^(?:[A-Z]{{3,4}}-\d{{6}} [A-Z]{{3,4}}-\d{{6}}"  # e2 ETT-010121 GOX-012021
    r"|[A-Z]{2,3}\d{9,10}[A-Z]{2}"  # e3 HK4732595683OH
    r"|[A-Za-z]{3}_[A-Z]\d{6}"  # e5 Mes_G697449
    rf"|FILE_[A-Z]{{3}}_\d{{6}}_[A-Z]{{3}}_\d{{6}})\.{_CARRIER}$"  # e5 FILE_JKO_100120_WGF_102620
)
_E4 = re.compile(rf"^(?:[A-Za-z]{{1,12}}_)?\d{{9,}}\.{_CARRIER}$", re.IGNORECASE)
_E8 = re.compile(rf"^[A-Za-z0-9]{{6,40}}\.{_CARRIER}$", re.IGNORECASE)
RISKY_EXTENSIONS = frozenset({
    "lnk", "one", "onepkg", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "exe", "scr", "pif",
    "com", "bat", "cmd", "ps1", "iso", "img", "vhd", "vhdx", "cpl", "msi", "jar",
})  # fmt: skip
_DOC_LIKE = frozenset({
    "doc", "docx", "docm", "xls", "xlsx", "xlsm", "pdf", "txt", "rtf", "jpg", "jpeg", "png",
    "ppt", "pptx", "csv", "zip", "html", "htm",
})  # fmt: skip
_PARTICLE_START = re.compile(r"^(?:から|に|を|は|が|の|で|と|へ)の?[\u4e00-\u9fff]")
_NAME_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")


def _stem_ext(name: str) -> tuple[str, str]:
    base = name.strip().rstrip(". ")
    if "." not in base:
        return base, ""
    stem, ext = base.rsplit(".", 1)
    return stem, ext.lower()


@feature("attachments.zip_names", type="list")
def zip_names(fx: Features) -> tuple[str, ...]:
    """Attachments that are zip archives (by content or by a .zip name)."""
    out = []
    for p in fx.message.attachments:
        name = (p.filename or "").strip()
        if name.lower().endswith(".zip") or (sniff(p.payload) == "zip" and not name.lower().endswith(
            (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".odt", ".ods", ".jar", ".apk", ".epub")
        )):
            out.append(name or f"(unnamed zip part {p.path})")
    return tuple(out)


@feature("attachments.name_date_shape", type="list")
def name_date_shape(fx: Features) -> tuple[str, ...]:
    """Names shaped ``YYYY-MM-DD_nnnn.zip|xls|doc`` (the 2022 Japanese wave; INDICATORS e1)."""
    return tuple(n for n in fx["attachments.names"] if _E1.match(n.strip()))


@feature("attachments.name_impossible_date", type="list")
def name_impossible_date(fx: Features) -> tuple[str, ...]:
    """e1-shaped names whose month field is impossible (``2022-22-02_1239.zip``: YYYY-DD-MM)."""
    out = []
    for n in fx["attachments.name_date_shape"]:
        m = _E1.match(n.strip())
        if m and not 1 <= int(m.group(2)) <= 12:
            out.append(n)
    return tuple(out)


@feature("attachments.name_code_shape", type="list")
def name_code_shape(fx: Features) -> tuple[str, ...]:
    """Names with Emotet's code shapes (e2, e3, e5).

    ``ETT-010121 GOX-012021.zip``, ``HK4732595683OH.doc``, ``Mes_G697449.doc``.
    """
    return tuple(n for n in fx["attachments.names"] if _E_CODES.match(n.strip()))


@feature("attachments.name_digit_string", type="list")
def name_digit_string(fx: Features) -> tuple[str, ...]:
    """Office/archive names that are a long digit string (e4).

    ``426534628608157239.xls``, ``comments_208697167.xls``.
    """
    return tuple(n for n in fx["attachments.names"] if _E4.match(n.strip()))


@feature("attachments.name_random_alnum", type="list")
def name_random_alnum(fx: Features) -> tuple[str, ...]:
    """Office/archive names that are a random-looking run of letters and digits (英数字の羅列; e8)."""
    out = []
    for n in fx["attachments.names"]:
        n = n.strip()
        if not _E8.match(n) or _E4.match(n) or _E_CODES.match(n):
            continue
        stem = n.rsplit(".", 1)[0]
        switches = sum(1 for a, b in itertools.pairwise(stem) if a.isdigit() != b.isdigit())
        inner_upper = any(c.isupper() for c in stem[1:]) and any(c.islower() for c in stem)
        if switches >= 3 or (switches >= 1 and inner_upper and len(stem) >= 8):
            out.append(n)
    return tuple(out)


@feature("attachments.double_extension", type="list")
def double_extension(fx: Features) -> tuple[str, ...]:
    """Names with a document-like extension followed by a risky one (``資料.txt.lnk``, ``請求書.pdf.exe``; e10)."""
    out = []
    for n in fx["attachments.names"]:
        stem, ext = _stem_ext(n)
        if ext in RISKY_EXTENSIONS and "." in stem and stem.rsplit(".", 1)[1].lower() in _DOC_LIKE:
            out.append(n)
    return tuple(out)


@feature("attachments.risky_extension", type="list")
def risky_extension(fx: Features) -> tuple[str, ...]:
    """Attachments named as shortcuts, OneNote, scripts, executables or disk images.

    .lnk, .one, .js, .exe, .iso… (INDICATORS c5, c6, c8), judged by name only.
    """
    return tuple(n for n in fx["attachments.names"] if _stem_ext(n)[1] in RISKY_EXTENSIONS)


@feature("attachments.broken_japanese_name", type="list")
def broken_japanese_name(fx: Features) -> tuple[str, ...]:
    """Japanese document names that start with a particle then kanji (``からの変更20-09.doc``, ``に修 2020 9月.doc``).

    Machine-cut Japanese from the 2020 wave (seed notice; INDICATORS e9, [U]):
    only names of Office/archive files are checked.
    """
    out = []
    for n in fx["attachments.names"]:
        stem, ext = _stem_ext(n)
        if ext in {"doc", "docm", "docx", "xls", "xlsm", "xlsx", "zip"} and _PARTICLE_START.match(stem):
            out.append(n)
    return tuple(out)


# -- e7: a generic business word + a date or number ------------------------------------------------

# The carriers of the e7 names in the catalogue's samples: legacy and macro Office files and
# archives. docx/xlsx/pdf named "請求書_20221104" are everyday Japanese business mail.
_E7_CARRIERS = frozenset({"doc", "docm", "dot", "dotm", "xls", "xlsm", "xlsb", "xlt", "xltm", "zip", "rar", "7z"})
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_E7_REST = re.compile(
    r"^[\s_\-#:.,№]*(?:(?:no|nr|num|n)\.?\s*[#:.]?\s*)?"
    rf"(?P<num>{_MONTH}\s*\d{{1,2}},?\s*\d{{2,4}}|\d[\d\-_./ ]*\d|\d)"
    r"(?:[\s_\-]+[a-z]{1,5}[_\-]?\d{3,})?\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=8)
def _business_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({unicodedata.normalize("NFKC", w).casefold() for w in words if w.strip()},
                        key=len, reverse=True))


def business_number_name(stem: str, words: tuple[str, ...]) -> bool:
    """``stem`` is a business word followed by a date or a number of 3+ digits only."""
    s = unicodedata.normalize("NFKC", stem).strip().casefold()
    for w in _business_words(words):
        if not s.startswith(w):
            continue
        rest = s[len(w) :]
        if w.isascii() and rest[:1].isalpha():
            continue  # "information" is not "info" + …
        m = _E7_REST.match(rest)
        if m and (sum(c.isdigit() for c in m.group("num")) >= 3 or not m.group("num")[0].isdigit()):
            return True
    return False


@feature("attachments.name_business_number", type="list")
def name_business_number(fx: Features) -> tuple[str, ...]:
    """Office/archive names that are a generic business word plus a date or number (INDICATORS e7).

    ``Form - Jan 20, 2021.doc``, ``PO# 01202021.zip``, ``invoice #47528.zip``, ``請求書_20221104.xls``,
    ``見積書 No.4475.doc``; words from the ``attachment_business_words`` list. Only legacy/macro
    Office files and archives (.doc, .xls, .xlsm, .zip …): a ``.xlsx``/``.pdf`` named like this is
    everyday business mail.
    """
    words = tuple(fx.lists.get("attachment_business_words", ()))
    out = []
    for n in fx["attachments.names"]:
        stem, ext = _stem_ext(n)
        if ext in _E7_CARRIERS and business_number_name(stem, words):
            out.append(n)
    return tuple(out)


# -- e6: named after the recipient's company or a contact ----------------------------------------

_LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|㈱|㈲"
    r"|\b(?:inc|incorporated|llc|ltd|limited|co|corp|corporation|company|gmbh|plc|kk|s\.?a|srl)\b\.?",
    re.IGNORECASE,
)
_NAME_NOISE = re.compile(r"[\s\u3000_\-.,・/\\()\[\]「」『』\"'&]+")
_HONORIFIC_END = ("御中", "様", "殿", "さま", "さん")


def name_key(text: str) -> str:
    """A comparable form of a company or person name: NFKC, legal forms (株式会社, Inc.),
    honorifics and punctuation removed, casefolded ('' when under 3 characters, or under
    4 Latin letters)."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = _LEGAL_FORMS.sub(" ", s)
    s = _NAME_NOISE.sub("", s)
    s = strip_honorifics(s, _HONORIFIC_END)
    if len(s) < 3 or (s.isascii() and len(s) < 4) or s.isdigit():
        return ""
    return s


def _name_keys(name: str) -> set[str]:
    """Keys for a display name and for each company-like piece of it (「田中 一郎 (株式会社山田製作所)」)."""
    keys = {name_key(name)}
    marked = _LEGAL_FORMS.sub("\u3013", unicodedata.normalize("NFKC", name))  # 〓 stands for a legal form
    for piece in re.split(r"[()\[\]/|,、]| {2,}", marked):
        if "\u3013" in piece:
            keys.add(name_key(piece.replace("\u3013", " ")))
    return keys - {""}


@lru_cache(maxsize=4)
def _directory_name_keys(directory: object) -> dict[str, str]:
    """key -> the contact name as written, for every name in a directory (cached per directory)."""
    from emoguard.contacts.directory import Directory

    out: dict[str, str] = {}
    if isinstance(directory, Directory):
        for names, *_ in directory.by_address.values():
            for n in names:
                for k in _name_keys(n):
                    out.setdefault(k, n)
    return out


@feature("attachments.name_is_recipient", type="list")
def name_is_recipient(fx: Features) -> tuple[str, ...]:
    """Office/archive names that are exactly the recipient's name or company, an own or recipient
    domain's name, or a contact's name from the directory (INDICATORS e6: ``Barker Cabinets.xls``,
    ``株式会社山田製作所.xls``), as ``name (whose name it is)``. Legal forms (株式会社, Inc.) and
    spacing are ignored; short names (under 3 characters) never match."""
    cands = []
    for n in fx["attachments.names"]:
        stem, ext = _stem_ext(n)
        if ext in _E7_CARRIERS or ext in {"docx", "xlsx"}:
            key = name_key(stem)
            if key:
                cands.append((n, key))
    if not cands:
        return ()
    m = fx.message
    known: dict[str, str] = {}
    for name in (*fx.context.recipient_names, *(a.name for a in (*m.to, *m.cc) if a.name)):
        for k in _name_keys(name):
            known.setdefault(k, name)
    own = [*fx.context.own_domains, *getattr(fx.context.directory, "own", ())]
    for dom in (*own, *fx["headers.recipient_domains"]):
        reg = registrable_domain(dom.lower())
        label = name_key(reg.split(".")[0]) if reg else ""
        if label:
            known.setdefault(label, reg)
    if fx.context.directory is not None:
        for k, v in _directory_name_keys(fx.context.directory).items():
            known.setdefault(k, v)
    return tuple(f"{n} ({known[k]})" for n, k in cands if k in known)
