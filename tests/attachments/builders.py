"""Inert test files for the attachment inspectors, built in code (no corpus file is copied).

- ``vba_document`` (re-exported from ``emoguard.testing.vba``): an OLE .doc/.xls with a VBA
  project whose only module shows a MsgBox, optionally with matching or stomped p-code;
- ``lnk_file``: a Windows shortcut (MS-SHLLINK header + StringData) whose command line is
  a harmless echo, or a base64 string that decodes to the inert marker;
- ``onenote_file``: a OneNote header and a FileDataStoreObject holding the given bytes;
- ``iso_image``: an ISO 9660 image (pycdlib, in memory);
- ``ooxml``: a zip with [Content_Types].xml and the given parts (docx, xlsm with an XLM
  macro sheet, external template relationships, embedded packages).

Nothing here runs anything; every text carries ``INERT_MARKER``.
"""

from __future__ import annotations

import io
import struct

from emoguard.testing import INERT_MARKER, cfb_file, zip_archive
from emoguard.testing.vba import vba_document

__all__ = ["vba_document"]

# -- VBA ---------------------------------------------------------------------------------------
# vba_document (with optional p-code, matching or stomped) lives in emoguard.testing.vba.

# -- LNK ----------------------------------------------------------------------------------------

_LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")


def lnk_file(target: str = r"C:\Windows\System32\cmd.exe", arguments: str = f"/c echo {INERT_MARKER}",
             icon: str = r"C:\Windows\System32\shell32.dll", name: str = "請求書") -> bytes:
    """A shortcut with a relative path, arguments and icon (LinkFlags HasName|HasRelativePath|
    HasArguments|HasIconLocation|IsUnicode); no target ID list, no link info."""
    flags = 0x04 | 0x08 | 0x20 | 0x40 | 0x80
    header = struct.pack("<L16sLLQQQLLLHHLL", 0x4C, _LNK_CLSID, flags, 0x20, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)
    assert len(header) == 76

    def sd(s: str) -> bytes:
        return struct.pack("<H", len(s)) + s.encode("utf-16-le")

    return header + sd(name) + sd(target) + sd(arguments) + sd(icon) + b"\x00\x00\x00\x00"


# -- OneNote ------------------------------------------------------------------------------------

ONENOTE_HEADER_GUID = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
FILE_DATA_GUID = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")


def onenote_file(*embedded: bytes) -> bytes:
    """A OneNote-like section: the file header GUID, padding, then FileDataStoreObjects."""
    out = bytearray(ONENOTE_HEADER_GUID + b"\x00" * 1008)
    for data in embedded:
        out += FILE_DATA_GUID + struct.pack("<QLQ", len(data), 0, 0) + data
        out += b"\x00" * (-len(out) % 8) + bytes.fromhex("22a7fb71792f0b4cb883d6c2a4d2d8f0")
    return bytes(out)


# -- ISO ----------------------------------------------------------------------------------------


def iso_image(files: dict[str, bytes]) -> bytes:
    import pycdlib

    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3)
    for n, data in files.items():
        short = n.upper().replace(" ", "_")[:30]
        iso.add_fp(io.BytesIO(data), len(data), f"/{short};1", joliet_path=f"/{n}")
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


# -- OOXML --------------------------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
       "{overrides}</Types>")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body_xml: str = f"<w:p><w:r><w:t>{INERT_MARKER}</w:t></w:r></w:p>",
         extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx; ``extra`` adds parts (relationships, embeddings)."""
    parts: dict[str, bytes] = {
        "[Content_Types].xml": _CT.format(overrides=(
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/>')).encode(),
        "_rels/.rels": (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                        b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                        b'Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'
                              f"{body_xml}</w:body></w:document>").encode(),
    }
    parts.update(extra or {})
    return zip_archive(parts)


def external_template_docx(url: str = "https://templates.example/invoice.dotm") -> bytes:
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/attachedTemplate" Target="{url}" TargetMode="External"/>'
            "</Relationships>")
    return docx(extra={"word/settings.xml": f'<w:settings xmlns:w="{_W}"/>'.encode(),
                       "word/_rels/settings.xml.rels": rels.encode()})


def dde_docx() -> bytes:
    field = f' DDEAUTO "{INERT_MARKER}" "no-such-topic" '
    return docx('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve">{field}</w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def ole_package(filename: str, data: bytes) -> bytes:
    """An \\x01Ole10Native stream payload (MS-OLEDS packager format)."""
    fn = filename.encode("cp1252", "replace") + b"\x00"
    src = (r"C:\Users\user\Desktop" + "\\" + filename).encode("cp1252", "replace") + b"\x00"
    tmp = (r"C:\Users\user\AppData\Local\Temp" + "\\" + filename).encode("cp1252", "replace") + b"\x00"
    body = struct.pack("<H", 2) + fn + src + struct.pack("<L", 0x00030000) + struct.pack("<L", len(tmp)) + tmp
    body += struct.pack("<L", len(data)) + data
    return struct.pack("<L", len(body)) + body


def embedded_package_docx(filename: str = "readme.txt", data: bytes = INERT_MARKER.encode()) -> bytes:
    obj = cfb_file({"\x01Ole10Native": ole_package(filename, data)})
    return docx(extra={"word/embeddings/oleObject1.bin": obj})


def xlm_xlsm() -> bytes:
    """A workbook with an Excel 4.0 macro sheet and the defined name _xlnm.Auto_Open (inert ALERT)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts = {
        "[Content_Types].xml": _CT.format(overrides=(
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.'
            'main+xml"/><Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-'
            'excel.macrosheet+xml"/>')).encode(),
        "xl/workbook.xml": (f'<workbook xmlns="{ns}"><sheets><sheet name="Macro1" sheetId="1"/></sheets>'
                            '<definedNames><definedName name="_xlnm.Auto_Open">Macro1!$A$1</definedName>'
                            "</definedNames></workbook>").encode(),
        "xl/macrosheets/sheet1.xml": (f'<xm:macrosheet xmlns:xm="{ns}"><sheetData><row r="1"><c r="A1">'
                                      f'<f>ALERT("{INERT_MARKER}")</f></c></row><row r="2"><c r="A2"><f>HALT()'
                                      "</f></c></row></sheetData></xm:macrosheet>").encode(),
    }
    return zip_archive(parts)
