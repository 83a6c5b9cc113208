"""Attachment features that need no unpacking: names, extensions, content types.

Deep inspection (archives, macros, passwords) lives in ``emoguard.attachments``
and is exposed through expensive features.
"""

from __future__ import annotations

import itertools
import re

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
