"""Inert Office documents with a VBA project, optionally *stomped*.

A VBA project (MS-OVBA) keeps each module twice: the source code (compressed, at the
module stream's text offset) and the compiled p-code in the module's *performance cache*
in front of it. Office runs the p-code when the document is opened by the VBA version
that compiled it; analysis tools read the source. "VBA stomping" (EvilClippy, Adaptive
Document Builder) replaces the source and leaves the p-code, so what a reader sees is not
what runs. emoguard's detector (``emoguard.attachments.office._stomping``) compares the
p-code disassembly (pcodedmp) with the source.

:func:`vba_document` writes such a project from scratch, byte-stable and without any
compiler:

- the ``dir`` stream (MS-OVBA 2.3.4.2) and the module source, compressed with literal
  tokens only (:func:`ovba_compress`);
- a minimal ``_VBA_PROJECT`` stream (magic ``0x61CC``, VBA7 version ``0x00B2``) whose
  identifier table holds the names the p-code refers to, in the layout pcodedmp reads;
- a module performance cache holding the p-code of ``Sub <proc>() / MsgBox "<text>" /
  End Sub``: ``FuncDefn``, ``LitStr``, ``ArgsCall MsgBox``, ``EndSub``, with the indirect
  table entry the ``FuncDefn`` points at.

Both macros are harmless (a message box showing ``INERT_MARKER``), and the p-code is not a
complete compiled module (no object or type tables Office would need), so Office would
discard it and recompile the source: nothing in these files can do anything. A *stomped*
document (``pcode_proc``/``pcode_text`` differing from ``proc``/``text``) has p-code that
defines another procedure and another string than the source: exactly the mismatch the
detector looks for. Without them the p-code matches the source (a normal macro document).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

from emoguard.testing.files import INERT_MARKER, cfb_file, ole_document

__all__ = ["AUTOOPEN_SOURCE", "VbaModule", "ovba_compress", "vba_dir_stream", "vba_document", "vba_project_streams"]

AUTOOPEN_SOURCE = (
    'Attribute VB_Name = "{module}"\r\n'
    "Sub {proc}()\r\n"
    '    MsgBox "{text}"\r\n'
    "End Sub\r\n"
)
"""Module source template: one procedure showing a message box."""

DEFAULT_TEXT = f"{INERT_MARKER}: inert test macro, it only shows this box"

_CLSID_WORD = bytes.fromhex("0609020000000000c000000000000046")
_CLSID_EXCEL = bytes.fromhex("2008020000000000c000000000000046")


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA CompressedContainer using literal tokens only (valid, not small).

    Chunks of 4096 bytes that would grow past the 4098-byte chunk limit are stored raw.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = bytearray()
        for i in range(0, len(chunk), 8):
            body += b"\x00" + chunk[i : i + 8]
        if len(body) + 2 > 4098:  # too big for a compressed chunk: store it raw (4096 bytes)
            raw = chunk + b"\x00" * (4096 - len(chunk))
            out += struct.pack("<H", (4096 + 2 - 3) | (0b011 << 12)) + raw
        else:
            out += struct.pack("<H", (len(body) + 2 - 3) | (0b011 << 12) | 0x8000) + body
    return bytes(out)


def _rec(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HL", rid, len(payload)) + payload


def vba_dir_stream(module: str, codepage: int = 1252, *, text_offset: int = 0) -> bytes:
    """The compressed ``dir`` stream of a one-module project (MS-OVBA 2.3.4.2).

    ``text_offset`` is where the module's source starts in its stream (after the p-code).
    """
    name = b"VBAProject"
    mod = module.encode("ascii")
    d = bytearray()
    d += _rec(0x0001, struct.pack("<L", 1))  # SYSKIND win32
    d += _rec(0x0002, struct.pack("<L", 0x409))  # LCID
    d += _rec(0x0014, struct.pack("<L", 0x409))  # LCIDINVOKE
    d += _rec(0x0003, struct.pack("<H", codepage))
    d += _rec(0x0004, name)
    d += _rec(0x0005, b"") + struct.pack("<HL", 0x0040, 0)  # DOCSTRING + unicode
    d += _rec(0x0006, b"") + struct.pack("<HL", 0x003D, 0)  # HELPFILEPATH 1 + 2
    d += _rec(0x0007, struct.pack("<L", 0))  # HELPCONTEXT
    d += _rec(0x0008, struct.pack("<L", 0))  # LIBFLAGS
    d += struct.pack("<HLLH", 0x0009, 4, 1, 0)  # VERSION (reserved=4, major, minor)
    d += _rec(0x000C, b"") + struct.pack("<HL", 0x003C, 0)  # CONSTANTS + unicode
    d += struct.pack("<HLH", 0x000F, 2, 1)  # PROJECTMODULES: 1 module
    d += struct.pack("<HLH", 0x0013, 2, 0xFFFF)  # PROJECTCOOKIE
    d += _rec(0x0019, mod)  # MODULENAME
    d += _rec(0x0047, module.encode("utf-16-le"))  # MODULENAMEUNICODE
    d += _rec(0x001A, mod) + struct.pack("<H", 0x0032) + struct.pack("<L", len(mod) * 2) + module.encode(
        "utf-16-le")  # MODULESTREAMNAME
    d += _rec(0x001C, b"") + struct.pack("<HL", 0x0048, 0)  # MODULEDOCSTRING
    d += _rec(0x0031, struct.pack("<L", text_offset))  # MODULEOFFSET
    d += _rec(0x001E, struct.pack("<L", 0))  # MODULEHELPCONTEXT
    d += _rec(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
    d += struct.pack("<HL", 0x0022, 0)  # MODULETYPE: document module
    d += struct.pack("<HL", 0x002B, 0)  # MODULE terminator
    d += struct.pack("<HL", 0x0010, 0)  # dir terminator
    return ovba_compress(bytes(d))


# -- p-code -------------------------------------------------------------------------------------

_VBA_VERSION = 0x00B2  # Office 2016, 32-bit: VBA7 opcodes
# Raw VBA7 (32-bit) opcodes; pcodedmp translates raw numbers >= 179 by +3 (LitStr 182 -> 185).
_OP_ARGSCALL = 65
_OP_ENDSUB = 111
_OP_FUNCDEFN = 150
_OP_LITSTR = 182
_FUNC_ENTRY = 64  # bytes per procedure descriptor in the indirect table


def _ident(index: int) -> int:
    """The p-code word naming identifier ``index`` of ``_VBA_PROJECT`` (VBA7, 32-bit)."""
    return (0x100 + 4 + index) << 1


def _vba_project_stream(identifiers: list[str]) -> bytes:
    """A ``_VBA_PROJECT`` stream: header, an empty performance-cache prefix, identifiers.

    Layout as pcodedmp reads it (``getTheIdentifiers``): no references, no modules, then
    the identifier counts at 0xA4 and the entries (length, type, name, 4 bytes) at 0xAE.
    """
    head = bytearray(0xAE)
    struct.pack_into("<HHBH", head, 0, 0x61CC, _VBA_VERSION, 0, 1)
    n = len(identifiers)
    struct.pack_into("<HHH", head, 0xA4, n, n, 0)
    out = bytes(head)
    for name in identifiers:
        raw = name.encode("ascii")
        out += bytes([len(raw), 0]) + raw + b"\x00" * 4
    return out + b"\x00" * 4


def _pcode_lines(text: str, msgbox_id: int) -> list[bytes]:
    lit = text.encode("cp1252")
    lit_pad = lit + (b"\x00" if len(lit) & 1 else b"")
    return [
        struct.pack("<HL", _OP_FUNCDEFN, 0),  # FuncDefn func_00000000 (Sub <proc>())
        struct.pack("<HH", _OP_LITSTR, len(lit)) + lit_pad  # LitStr "<text>"
        + struct.pack("<HHH", _OP_ARGSCALL | (16 << 10), _ident(msgbox_id), 1),  # ArgsCall MsgBox 0x0001
        struct.pack("<H", _OP_ENDSUB),  # EndSub
    ]


def _performance_cache(proc_id: int, text: str, msgbox_id: int) -> bytes:
    """The module stream's p-code part (VBA6/7 32-bit layout read by pcodedmp ``pcodeDump``)."""
    indirect = bytearray(_FUNC_ENTRY)
    struct.pack_into("<HH", indirect, 0, 0x1000, _ident(proc_id))  # flags: Sub; name
    struct.pack_into("<LLH", indirect, 40, 0xFFFFFFFF, 0, 0xFFFF)  # no arguments, no return type, no Declare
    lines = _pcode_lines(text, msgbox_id)
    p_ind = 0x50  # where the indirect table's length is stored
    p_obj = p_ind + 4 + len(indirect)  # object table length (empty table)
    p_magic = p_obj + 4
    head = bytearray(p_magic + 6)
    struct.pack_into("<H", head, 0, 1)
    struct.pack_into("<L", head, 0x05, p_obj - 0x8A)
    struct.pack_into("<L", head, 0x11, p_ind - 10)
    struct.pack_into("<L", head, 0x19, p_magic - 0x3C)
    struct.pack_into("<L", head, 0x3F, 0)  # empty declaration table
    struct.pack_into("<L", head, p_ind, len(indirect))
    head[p_ind + 4 : p_obj] = indirect
    struct.pack_into("<L", head, p_obj, 0)
    struct.pack_into("<HHH", head, p_magic, 0xCAFE, 0, len(lines))
    table = bytearray()
    code = bytearray()
    for ln in lines:
        table += struct.pack("<LHHL", 0, len(ln), 0, len(code))
        code += ln
    return bytes(head) + bytes(table) + b"\x00" * 10 + bytes(code)


@dataclass(frozen=True, slots=True)
class VbaModule:
    """What one module says: its source, and what its p-code (if any) defines."""

    source: str
    pcode_proc: str | None = None
    pcode_text: str = ""


def vba_project_streams(root: str, module: str, m: VbaModule) -> dict[str, bytes]:
    """The streams of a one-module VBA project under storage ``root`` (``Macros`` for Word,
    ``_VBA_PROJECT_CUR`` for Excel)."""
    src = m.source.encode("cp1252")
    identifiers: list[str] = []
    cache = b""
    if m.pcode_proc is not None:
        identifiers = [m.pcode_proc, "MsgBox"]
        cache = _performance_cache(0, m.pcode_text, 1)
    project = (f'ID="{{00000000-0000-0000-0000-000000000000}}"\r\nDocument={module}/&H00000000\r\n'
               'Name="VBAProject"\r\n').encode("ascii")
    return {
        f"{root}/PROJECT": project,
        f"{root}/VBA/dir": vba_dir_stream(module, text_offset=len(cache)),
        f"{root}/VBA/{module}": cache + ovba_compress(src),
        f"{root}/VBA/_VBA_PROJECT": _vba_project_stream(identifiers) if identifiers
        else b"\xcc\x61\xff\xff\x00\x00\x00",
    }


def vba_document(
    kind: Literal["doc", "xls"] = "doc",
    proc: str | None = None,
    source: str | None = None,
    *,
    text: str = DEFAULT_TEXT,
    pcode: bool = False,
    pcode_proc: str | None = None,
    pcode_text: str | None = None,
) -> bytes:
    """An inert OLE ``.doc``/``.xls`` whose one VBA module shows a message box.

    ``proc`` defaults to the auto-exec name (``AutoOpen`` / ``Workbook_Open``); ``source``
    is a template with ``{module}``, ``{proc}``, ``{text}`` (default
    :data:`AUTOOPEN_SOURCE`). Without ``pcode`` (or ``pcode_*``) there is no compiled
    p-code, as in a document saved by another VBA version. With ``pcode=True`` the p-code
    matches the source (``Sub <proc>`` showing ``text``). With ``pcode_proc`` and/or
    ``pcode_text`` the p-code defines another procedure or string than the source: a
    **stomped** document (the source was replaced after compiling).
    """
    if kind == "doc":
        module, root = "ThisDocument", "Macros"
        proc = proc or "AutoOpen"
    elif kind == "xls":
        module, root = "ThisWorkbook", "_VBA_PROJECT_CUR"
        proc = proc or "Workbook_Open"
    else:
        raise ValueError(f"kind must be 'doc' or 'xls', not {kind!r}")
    src = (source or AUTOOPEN_SOURCE).format(module=module, proc=proc, text=text)
    stomped = pcode_proc is not None or pcode_text is not None
    mod = VbaModule(src, (pcode_proc or proc) if (pcode or stomped) else None,
                    pcode_text if pcode_text is not None else text)
    base = ole_document(kind)
    import olefile

    ole = olefile.OleFileIO(base)
    try:
        streams = {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}
    finally:
        ole.close()
    streams.update(vba_project_streams(root, module, mod))
    return cfb_file(streams, root_clsid=_CLSID_WORD if kind == "doc" else _CLSID_EXCEL)
