"""Outlook .msg files (corpus-based: building OLE files by hand is not practical)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.model import Message
from emoguard.parse import parse_message

pytestmark = pytest.mark.corpus


def load(corpora: Path, rel: str) -> Message:
    return parse_message((corpora / rel).read_bytes())


def test_non_unicode_cp932_msg(corpora: Path) -> None:
    m = load(corpora, "outlook_msg/msgreader/nonUnicodeCP932.msg")
    assert m.kind == "msg"
    assert m.subject == "日本語 Non Unicode タイトル"
    assert m.text == "日本語 Non Unicode 本文\n"
    assert [a.addr for a in m.to] == ["xmailuser2@xmailserver.test"]
    # HTML is unwrapped from the compressed RTF body, per-font code pages honoured
    assert "日本語" in m.html and "本文" in m.html


def test_cjk_msg(corpora: Path) -> None:
    m = load(corpora, "outlook_msg/msgreader/Hello +CJK.msg")
    assert m.subject == "Hello +CJK"
    assert m.text == "Hello\nC 你好\nJ こんにちは\nK 안녕하세요\n"
    assert "你好" in m.html and "こんにちは" in m.html and "안녕하세요" in m.html


def test_unicode_msg_with_japanese_subject(corpora: Path) -> None:
    m = load(corpora, "outlook_msg/msgreader/voteItems.msg")
    assert m.subject == "3 vote items: はい;いいえ;たぶん"
    assert m.from_[0].addr == "xmailuser@xmailserver.test"


def test_attachments_and_embedded_msg(corpora: Path) -> None:
    m = load(corpora, "outlook_msg/msgreader/msgInMsg.msg")
    assert m.subject == "I have attachments!"
    kinds = [(p.content_type, p.filename, p.origin) for p in m.attachments]
    assert ("image/png", "green.png", "msg") in kinds
    embedded = [p for p in m.attachments if p.message is not None]
    assert len(embedded) == 1
    assert embedded[0].message is not None
    assert embedded[0].message.kind == "msg"
    assert embedded[0].payload[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_transport_headers(corpora: Path) -> None:
    m = load(corpora, "spamscope_mail_parser_tests/mail_outlook_1.msg")
    assert m.subject.startswith("Newsletter Prüfung Personalwesen")
    assert m.from_[0].addr == "NueblingV@w-vwa.de"
    assert m.header("received") is not None
    assert m.message_id.startswith("<")
    assert len(m.attachments) == 5


def test_not_a_message(corpora: Path) -> None:
    m = load(corpora, "oletools_test_data/msodde/harmless-clean.doc")
    assert m.kind == "msg"
    assert m.defects == ("msg.not_a_message",)


def test_broken_ole() -> None:
    m = parse_message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 1000)
    assert m.defects == ("msg.unreadable",)
