"""Office documents: OLE (doc/xls/ppt), OOXML, RTF, SYLK — macros, DDE, objects, encryption.

Built on oletools (olevba/mraptor keywords, pcodedmp, msodde, rtfobj, oleobj) and
msoffcrypto-tool, with our own checks where oletools has gaps (peers.md §5):

- VBA auto-exec and suspicious keywords (olevba), and **VBA stomping**: the compiled
  p-code defines procedures or string literals that the source code does not contain
  (the source was replaced, as EvilClippy/ADB do); auto-exec names found only in the
  p-code are still reported;
- Excel 4.0/XLM macro sheets and ``Auto_Open`` names, in BIFF, SYLK and OOXML
  (``xl/macrosheets/``, ``_xlnm.Auto_Open``);
- DDE fields and links (msodde), external template/object links in OOXML relationships,
  embedded OLE objects and packages (their payloads become child nodes), RTF objects;
- encrypted documents: detected, then opened with the Office default password
  (``VelvetSweatshop``) and the mail's password candidates; the decrypted document is a
  child node, else the finding says "encrypted, could not inspect";
- "enable content" / 「コンテンツの有効化」 lure text.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from emoguard.attachments.limits import LimitReached
from emoguard.model import FileNode

if TYPE_CHECKING:
    from emoguard.attachments import Walker

Found = list[tuple[str, str]]
T = TypeVar("T")

_LURE = re.compile(
    r"enable\s+(?:the\s+)?(?:content|editing|macros?)|コンテンツの有効化|編集を有効に|マクロを有効に|"
    r"コンテンツを有効に|信頼できる場所|trusted\s+location",
    re.IGNORECASE,
)
_NOISY_SUSPICIOUS = frozenset({"Hex Strings"})
_LIT = re.compile(r'LitStr 0x[0-9a-fA-F]+ "(.*)"\s*$')
_FUNC = re.compile(r"FuncDefn \((?:Private |Public )?(?:Sub|Function) ([A-Za-z_][A-Za-z0-9_]*)")
_CALL = re.compile(r"^\s*(?:ArgsCall|ArgsLd|ArgsMemCall|MemCall)\s+(?:\(Call\)\s+)?([A-Za-z_][A-Za-z0-9_]*)")



_OLETOOLS_LOGGERS = ("olevba", "msodde", "rtfobj", "oleobj", "ooxml", "xls_parser", "crypto", "ppt_record_parser",
                     "record_base", "pcodedmp", "olefile")


class _DropOletools(logging.Filter):
    """Some oletools modules log straight to the root logger; drop those records only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "oletools" not in record.pathname


if not any(isinstance(f, _DropOletools) for f in logging.getLogger().filters):
    logging.getLogger().addFilter(_DropOletools())


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """oletools logs warnings about odd files; keep them out of our output.

    Only the oletools loggers are touched (not sys.stdout or the global logging switch),
    so other threads sharing the engine are unaffected.
    """
    for name in _OLETOOLS_LOGGERS:
        lg = logging.getLogger(name)
        lg.setLevel(logging.CRITICAL + 1)
        lg.propagate = False
    yield


def _with_tempfile(data: bytes, suffix: str, fn: Callable[[str], T]) -> T:
    """Run ``fn(path)`` on a private temporary copy (for readers that need a path)."""
    with tempfile.TemporaryDirectory(prefix="emoguard-") as d:
        p = Path(d) / ("doc" + suffix)
        p.write_bytes(data)
        return fn(str(p))


def _autoexec_names() -> set[str]:
    from oletools.olevba import AUTOEXEC_KEYWORDS

    names: set[str] = set()
    for kws in AUTOEXEC_KEYWORDS.values():
        names.update(k.lower() for k in kws)
    return names


# -- entry points ---------------------------------------------------------------------------


def inspect(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
            anc: frozenset[str]) -> str | None:
    from emoguard.attachments import sniff

    kind = sniff(data)
    if kind == "rtf":
        _rtf(w, data, name, depth, found, kids, anc)
        return None
    if kind == "slk":
        _vba(w, data, name, found)
        return None
    return _ole(w, data, name, depth, found, kids, anc)


def _ole_kind(streams: list[list[str]]) -> str:
    top = {s[0].lower() for s in streams}
    flat = {"/".join(s).lower() for s in streams}
    if "encryptedpackage" in top and "encryptioninfo" in top:
        return "ole/encrypted-ooxml"
    if "worddocument" in top:
        return "ole/doc"
    if "workbook" in top or "book" in top:
        return "ole/xls"
    if "powerpoint document" in top:
        return "ole/ppt"
    if any(t.startswith("__substg1.0_") for t in top):
        return "ole/msg"
    if "\x01ole10native" in top or any(f.endswith("\x01ole10native") for f in flat):
        return "ole/package"
    return "ole"


def _ole(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
         anc: frozenset[str]) -> str | None:
    import olefile

    ole = olefile.OleFileIO(data)
    try:
        streams = ole.listdir(streams=True, storages=False)
        kind = _ole_kind(streams)
        if kind == "ole/msg":
            _msg(w, data, depth, found, kids, anc)
            return kind
        if _decrypt(w, data, name, kind, depth, found, kids, anc):
            return kind
        # Embedded OLE packages (\x01Ole10Native): the payload is a file of its own.
        for s in streams:
            if s[-1].lower() == "\x01ole10native":
                _ole_native(w, ole.openstream(s).read(), "/".join(s), depth, found, kids, anc)
            elif (s[0] == "ObjectPool" or s[0].startswith("MBD")) and len(s) > 1:
                found.append(("office.embedded_object", f"embedded OLE object ({'/'.join(s[:2])})"))
    finally:
        ole.close()
    if kind == "ole/ppt":
        try:
            _ppt_objects(w, data, depth, found, kids, anc)
        except LimitReached:
            raise
        except Exception:  # noqa: S110 - ppt_record_parser is strict; macros are still checked below
            pass
    _vba(w, data, name, found)
    _dde(data, ".doc" if kind == "ole/doc" else ".xls" if kind == "ole/xls" else ".ole", found)
    _lure(data, found)
    return kind


def _ppt_objects(w: Walker, data: bytes, depth: int, found: Found, kids: list[FileNode],
                 anc: frozenset[str]) -> None:
    """Embedded OLE objects of PowerPoint 97-2003 (zlib-compressed ExOleObjStg records)."""
    import olefile
    from oletools.ppt_record_parser import PptFile, PptRecordExOleVbaActiveXAtom

    with _quiet():
        ppt = PptFile(data)
        try:
            n = 0
            for stream in ppt.iter_streams():
                for record in stream.iter_records():
                    if not isinstance(record, PptRecordExOleVbaActiveXAtom):
                        continue
                    w.check_time()
                    parts: list[bytes] = []
                    size = 0
                    for chunk in record.iter_uncompressed():
                        parts.append(chunk)
                        size += len(chunk)
                        if size > w.read_cap(size):
                            break
                    blob = b"".join(parts)
                    if not blob.startswith(olefile.MAGIC):
                        continue  # an ActiveX control or the VBA storage, not an object
                    n += 1
                    found.append(("office.embedded_object", f"embedded OLE object #{n} in the presentation"))
                    w.take(len(blob))
                    kids.append(w.node(blob, f"oleObject{n}.bin", depth=depth + 1, ancestors=anc))
        finally:
            ppt.close()


def _msg(w: Walker, data: bytes, depth: int, found: Found, kids: list[FileNode], anc: frozenset[str]) -> None:
    from emoguard.parse import parse_message

    msg = parse_message(data)
    found.append(("file.attached_mail", f"Outlook message, subject {msg.subject!r}"))
    for p in msg.attachments:
        kids.append(w.node(p.payload, p.filename or "", depth=depth + 1, ancestors=anc))


def _ole_native(w: Walker, raw: bytes, where: str, depth: int, found: Found, kids: list[FileNode],
                anc: frozenset[str]) -> None:
    from oletools import oleobj

    nat = oleobj.OleNativeStream(bindata=raw)
    fname = (nat.filename or nat.src_path or "").replace("\\", "/").rsplit("/", 1)[-1] or "ole10native.bin"
    payload = bytes(nat.data or b"")
    found.append(("office.embedded_object", f"embedded OLE package {fname!r} ({len(payload):,} bytes)"))
    w.take(len(payload))
    kids.append(w.node(payload, fname, depth=depth + 1, ancestors=anc))


def _decrypt(w: Walker, data: bytes, name: str, kind: str, depth: int, found: Found,
             kids: list[FileNode], anc: frozenset[str]) -> bool:
    """True when the document is encrypted (opened or not); the plaintext becomes a child."""
    import msoffcrypto

    try:
        of = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = bool(of.is_encrypted())
    except Exception:
        return kind == "ole/encrypted-ooxml" and _undecryptable(found, "unsupported encryption")
    if not encrypted:
        return False

    ooxml = kind == "ole/encrypted-ooxml"

    def attempt(pw: str) -> bytes | None:
        f2 = msoffcrypto.OfficeFile(io.BytesIO(data))
        if ooxml:
            # msoffcrypto's key check rejects some valid agile files (the oletools
            # VelvetSweatshop samples); a real zip coming out is the better proof.
            f2.load_key(password=pw)
        else:
            try:
                f2.load_key(password=pw, verify_password=True)
            except TypeError:  # formats without the verify_password option
                f2.load_key(password=pw)
        out = io.BytesIO()
        f2.decrypt(out)
        plain = out.getvalue()
        if ooxml and not _is_ooxml_zip(plain):
            return None
        return plain if plain else None

    found.append(("office.encrypted", "encrypted Office document"))
    got = w.try_passwords(attempt, office=True, found=found)
    if got is None:
        return _undecryptable(found, f"none of {len(w.passwords) + 1} candidates (the Office default "
                                     "password and the mail's) opened it")
    plain, cand = got
    where = cand.source if cand.source.startswith("the Office") else f"found in {cand.source}"
    found.append(("office.decrypted", f"opened with password '{cand.password}' ({where})"))
    w.take(len(plain))
    kids.append(w.node(plain, f"{name} (decrypted)" if name else "(decrypted)", depth=depth + 1, ancestors=anc))
    return True


def _is_ooxml_zip(data: bytes) -> bool:
    import zipfile

    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" in z.namelist()
    except Exception:
        return False


def _undecryptable(found: Found, why: str) -> bool:
    found.append(("file.encrypted_uninspected", f"encrypted Office document, could not inspect: {why}"))
    return True


# -- OOXML ------------------------------------------------------------------------------------


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)\b", re.IGNORECASE)


def inspect_ooxml(w: Walker, zf: Any, data: bytes, name: str, depth: int, found: Found,
                  kids: list[FileNode], anc: frozenset[str]) -> str:
    names = [i.filename for i in zf.infolist()]
    low = [n.lower() for n in names]
    if any(n.startswith("word/") for n in low):
        base = "docx"
    elif any(n.startswith("xl/") for n in low):
        base = "xlsx"
    else:
        base = "pptx"
    has_vba = any(n.endswith("vbaproject.bin") for n in low)
    kind = f"ooxml/{base[:-1] + 'm' if has_vba else base}"

    def read(member: str, cap: int = 8 << 20) -> bytes:
        info = zf.getinfo(member)
        with zf.open(info) as fh:
            buf: bytes = fh.read(min(cap, w.read_cap(info.file_size)))
        w.take(len(buf))
        return buf

    if any(n.startswith("xl/macrosheets/") for n in low):
        sheets = [n for n in names if n.lower().startswith("xl/macrosheets/") and not n.endswith(".rels")]
        found.append(("office.xlm", "Excel 4.0 macro sheet: " + ", ".join(s.rsplit("/", 1)[-1] for s in sheets)))
    for wb in ("xl/workbook.xml", "xl/workbook.bin"):
        if wb in names:
            raw = read(wb)
            if re.search(rb"auto_open|a\x00u\x00t\x00o\x00_\x00o\x00p\x00e\x00n", raw, re.IGNORECASE):
                found.append(("office.xlm_autoopen", "defined name Auto_Open (runs an Excel 4.0 macro on open)"))
    dtd = [n for n in names if n.lower().endswith((".xml", ".rels")) and _DTD.search(read(n, 4096))]
    if dtd:
        # Office never writes a DTD; entity declarations are an XML bomb ("billion laughs")
        # or an external-entity (XXE) probe. Nothing here expands them: expat refuses
        # external entities and caps amplification, and our own checks are regexes.
        found.append(("office.xml_dtd", "DTD / entity declarations in " + ", ".join(dtd[:5])))
    for n in names:
        if n.lower().endswith(".rels"):
            rel = read(n, 1 << 20).decode("utf-8", "replace")
            for m in re.finditer(r"<Relationship\b[^>]*>", rel):
                tag = m.group(0)
                if 'TargetMode="External"' not in tag:
                    continue
                typ = re.search(r'Type="[^"]*/([^"/]+)"', tag)
                tgt = re.search(r'Target="([^"]*)"', tag)
                t = typ.group(1) if typ else "?"
                if t in ("hyperlink",):
                    continue
                found.append(("office.external_link",
                              f"external {t} link to {(tgt.group(1) if tgt else '?')[:200]}"))
    for n in names:
        nl = n.lower()
        if "/embeddings/" in nl and not nl.endswith((".emf", ".wmf", ".png", ".jpeg", ".jpg")):
            w.check_time()
            buf = read(n, w.limits.max_file_bytes)
            found.append(("office.embedded_object", f"embedded object {n}"))
            kids.append(w.node(buf, n.rsplit("/", 1)[-1], depth=depth + 1, ancestors=anc))
    text_parts = [n for n in names if n.lower() in ("word/document.xml", "xl/sharedstrings.xml")
                  or (n.lower().startswith("ppt/slides/slide") and n.lower().endswith(".xml"))]
    for n in text_parts[:20]:
        _lure(read(n, 4 << 20), found)
    if has_vba:
        _vba(w, data, name, found)
    _dde(data, "." + base, found)
    return kind


# -- RTF ------------------------------------------------------------------------------------


def _rtf(w: Walker, data: bytes, name: str, depth: int, found: Found, kids: list[FileNode],
         anc: frozenset[str]) -> None:
    from oletools import rtfobj

    with _quiet():
        p = rtfobj.RtfObjParser(data)
        p.parse()
    for obj in p.objects[: w.limits.max_members]:
        w.check_time()
        if obj.is_package and obj.olepkgdata:
            fname = (obj.filename or "package.bin").replace("\\", "/").rsplit("/", 1)[-1]
            found.append(("office.rtf_object", f"RTF embeds OLE package {fname!r}"))
            w.take(len(obj.olepkgdata))
            kids.append(w.node(bytes(obj.olepkgdata), fname, depth=depth + 1, ancestors=anc))
        elif obj.is_ole and obj.oledata:
            cls = (obj.class_name or b"").decode("latin-1", "replace") if isinstance(obj.class_name, bytes) \
                else str(obj.class_name or "")
            found.append(("office.rtf_object", f"RTF embeds OLE object {cls or '(unknown class)'}"))
            w.take(len(obj.oledata))
            kids.append(w.node(bytes(obj.oledata), f"{cls or 'object'}.bin", depth=depth + 1, ancestors=anc))
    if re.search(rb"\\\*?\s*\\?fldinst|dde", data[: 32 << 20], re.IGNORECASE):
        _dde(data, ".rtf", found)
    _lure(data, found)


_CSV_DDE = re.compile(r"^\s*[\"']?[=+\-@][^\n|]{0,200}\|[^\n!]{0,400}![^\n]{0,100}", re.MULTILINE)
_OFFICE_XML = re.compile(rb"mso-application|<w:wordDocument|urn:schemas-microsoft-com:office:(?:spreadsheet|word)|"
                         rb"<pkg:package|ActiveMime|QWN0aXZlTWltZQ", re.IGNORECASE)


def inspect_text(w: Walker, data: bytes, name: str, found: Found) -> bool:
    """Office 2003 XML / flat OPC / MHT documents and CSV with DDE formulas; True if handled."""
    head = data[: 1 << 20]
    if _OFFICE_XML.search(head):
        _vba(w, data, name, found)
        _dde(data, ".xml", found)
        _lure(data, found)
        return True
    text = head.decode("utf-8", "ignore")
    for m in list(_CSV_DDE.finditer(text))[:3]:
        found.append(("office.dde", f"DDE formula: {m.group(0).strip()[:160]}"))
    return False


# -- shared checks ------------------------------------------------------------------------------


def _stomping(pcode: str, source: str) -> tuple[bool, list[str], list[str]]:
    """(stomped, p-code procedure names, reasons): compare p-code with the VBA source."""
    src = source.lower()
    funcs: list[str] = []
    missing: list[str] = []
    for line in pcode.splitlines():
        m = _FUNC.search(line)
        if m:
            funcs.append(m.group(1))
            if m.group(1).lower() not in src:
                missing.append(f"procedure {m.group(1)}")
            continue
        m = _LIT.search(line)
        if m and len(m.group(1)) >= 4 and '"' not in m.group(1) and m.group(1).lower() not in src:
            missing.append(f"string \"{m.group(1)[:60]}\"")
            continue
        m = _CALL.match(line)
        if m and len(m.group(1)) >= 3 and m.group(1).lower() not in src:
            missing.append(f"call {m.group(1)}")
    return bool(missing), funcs, missing


def _pcode(vp: Any) -> str:
    """The p-code disassembly (pcodedmp) of an in-memory VBA_Parser ('' when unavailable)."""
    try:
        from pcodedmp import pcodedmp
    except Exception:  # pragma: no cover - pcodedmp ships with oletools
        return ""

    class _Args:
        disasmOnly = True
        verbose = False

    out = io.StringIO()
    try:
        if vp.ole_file is None:
            for sub in vp.ole_subfiles or []:
                pcodedmp.processProject(sub, _Args, output_file=out)
        else:
            pcodedmp.processProject(vp, _Args, output_file=out)
    except Exception:
        return ""
    return out.getvalue()


def _vba(w: Walker, data: bytes, name: str, found: Found) -> None:
    from oletools.olevba import VBA_Parser

    w.check_time()
    with _quiet():
        vp = VBA_Parser(name or "document", data=data)
        try:
            # olevba reads any plain text as VBA source; only real containers count
            if vp.type != "Text" and vp.detect_vba_macros():
                modules = []
                source = []
                for _f, _s, vname, code in vp.extract_macros():
                    modules.append(vname)
                    source.append(code if isinstance(code, str) else str(code))
                found.append(("office.vba", "VBA macros in " + ", ".join(dict.fromkeys(modules))[:200]))
                results = vp.analyze_macros() or []
                auto = sorted({kw for t, kw, _ in results if t == "AutoExec"})
                susp = sorted({kw for t, kw, _ in results if t == "Suspicious" and kw not in _NOISY_SUSPICIOUS})
                for kw in auto:
                    found.append(("office.vba_autoexec", f"VBA auto-exec: {kw}"))
                if susp:
                    found.append(("office.vba_suspicious", "suspicious VBA keywords: " + ", ".join(susp[:12])))
                pcode = _pcode(vp)
                if pcode:
                    stomped, funcs, why = _stomping(pcode, "\n".join(source))
                    if stomped:
                        found.append(("office.vba_stomping",
                                      "VBA stomping: the p-code has " + ", ".join(why[:4]) + " not in the source"))
                        autos = _autoexec_names()
                        have = {a.lower() for a in auto}
                        for f in funcs:
                            if f.lower() in autos and f.lower() not in have:
                                found.append(("office.vba_autoexec", f"VBA auto-exec: {f} (in the p-code only; "
                                                                     "the source was stomped)"))
            if vp.detect_xlm_macros():
                text = "\n".join(str(x) for x in (vp.xlm_macros or []))
                sheets = re.findall(r"Excel 4\.0 macro sheet, \w+ - \x00?(\S+)", text)
                found.append(("office.xlm", "Excel 4.0 macro sheet" + (": " + ", ".join(sheets) if sheets else "")))
                if re.search(r"auto_open|auto_close", text, re.IGNORECASE):
                    found.append(("office.xlm_autoopen", "Excel 4.0 macro runs on open (Auto_Open name)"))
        finally:
            vp.close()


def _dde(data: bytes, suffix: str, found: Found) -> None:
    from oletools import msodde

    def run(path: str) -> str:
        with _quiet():
            return str(msodde.process_file(path, msodde.FIELD_FILTER_DDE) or "")

    try:
        links = _with_tempfile(data, suffix, run)
    except Exception:
        return
    for ln in [x.strip() for x in links.splitlines() if x.strip()][:5]:
        found.append(("office.dde", f"DDE: {ln[:200]}"))


def _lure(data: bytes, found: Found) -> None:
    head = data[: 8 << 20]
    texts = [head.decode("utf-8", "ignore"), head.decode("utf-16-le", "ignore"),
             head[1:].decode("utf-16-le", "ignore")]
    hits: dict[str, None] = {}
    for t in texts:
        for m in _LURE.finditer(t):
            hits.setdefault(" ".join(m.group(0).split()), None)
            if len(hits) >= 3:
                break
    if hits:
        found.append(("office.lure", "lure text: " + ", ".join(f'"{h}"' for h in hits)))


__all__ = ["inspect", "inspect_ooxml"]
