"""OOXML parts with a DTD (XML bomb, XXE) are named, not expanded (issue 9)."""

from __future__ import annotations

import io
import zipfile

from emoguard import Engine
from emoguard.testing import MailBuilder

ENGINE = Engine.load(search_defaults=False)


def _docx(document_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def _codes(raw_doc: bytes) -> set[str]:
    mail = (MailBuilder().from_("a@partner.example").to("b@example.co.jp").subject("資料")
            .text("ご確認ください。\n").attach(raw_doc, "a.docx").build())
    v = ENGINE.analyze(mail)
    return set(v.attachments[0].codes)


def test_entity_declarations_are_named() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<d>&b;</d>")
    assert "office.xml_dtd" in _codes(_docx(bomb))


def test_plain_docx_has_no_dtd_finding() -> None:
    assert "office.xml_dtd" not in _codes(_docx('<?xml version="1.0"?><w:document/>'))
