"""The Emotet-style builders carry the indicators they claim, and stay inert."""

from __future__ import annotations

import email
import io
import re
import zipfile
from email import policy
from email.message import EmailMessage

import pytest

from emoguard.testing import INERT_MARKER, emotet

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert not msg.defects
    return msg


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def from_of(msg: EmailMessage) -> tuple[str, str]:
    (a,) = msg["from"].addresses
    return a.display_name, a.addr_spec


def assert_inert_ole(data: bytes) -> None:
    assert data[:8] == CFB_MAGIC
    assert INERT_MARKER.encode("utf-16-le") in data
    for word in (b"VBA", b"_VBA_PROJECT", b"Macros"):
        assert word.decode().encode("utf-16-le") not in data


def test_thread_hijack_doc() -> None:
    msg = parse(emotet.thread_hijack_doc())
    name, addr = from_of(msg)
    assert name == "山田 太郎" and not addr.endswith("partner.co.jp") and addr.endswith(".com.br")
    assert msg["subject"] == "RE: 9月分のお見積りについて"
    assert msg["in-reply-to"] is None and msg["references"] is None
    text = body_text(msg)
    assert text.startswith("ご確認をお願いします。")
    assert "yamada@partner.co.jp" in text  # b2: the real address, in the body
    assert "-----Original Message-----" in text and "件名: 9月分のお見積りについて" in text
    (att,) = msg.iter_attachments()
    assert att.get_filename() == "からの変更20-09.doc"
    assert_inert_ole(att.get_content())
    assert "コンテンツの有効化".encode("utf-16-le") in att.get_content()


def test_thread_hijack_parameters() -> None:
    raw = emotet.thread_hijack_doc(partner=("佐藤 花子", "sato@kaisha.example"),
                                   sender_addr="z@w.com.ar", original_subject="会議資料",
                                   attachment_name="契約する.doc", seed=5)
    msg = parse(raw)
    assert from_of(msg) == ("佐藤 花子", "z@w.com.ar")
    assert msg["subject"] == "RE: 会議資料"
    assert [a.get_filename() for a in msg.iter_attachments()] == ["契約する.doc"]
    assert raw != emotet.thread_hijack_doc()


def test_thread_hijack_delivery_hop_and_signature_phone() -> None:
    plain = emotet.thread_hijack_doc()
    assert emotet.thread_hijack_doc(delivered_by=None, signature_phone=None) == plain  # opt-in only
    msg = parse(emotet.thread_hijack_doc(delivered_by="198.51.100.9", signature_phone="03-9876-5432"))
    received = msg.get_all("received")
    assert len(received) == 2
    assert received[0].startswith("from smtp.comercial-exemplo.com.br (smtp.comercial-exemplo.com.br [198.51.100.9])")
    assert "by mx.example.co.jp" in received[0] and "Authenticated sender" in received[1]
    assert "山田 太郎\nTEL: 03-9876-5432\n" in body_text(msg).replace("\r\n", "\n")


def test_password_zip() -> None:
    msg = parse(emotet.password_zip())
    assert msg["subject"] == "RE: 田中 一郎"
    text = body_text(msg)
    assert text.startswith("協力会社各位")
    assert "パスワード: Xk3pq9Ld" in text
    (att,) = msg.iter_attachments()
    assert att.get_filename() == "請求書.zip"
    with zipfile.ZipFile(io.BytesIO(att.get_content())) as zf:
        assert zf.namelist() == ["請求書.doc"]
        assert zf.getinfo("請求書.doc").flag_bits & 0x1
        assert_inert_ole(zf.read("請求書.doc", pwd=b"Xk3pq9Ld"))


def test_password_zip_salutation_and_password() -> None:
    msg = parse(emotet.password_zip(salutation="お取引先各位", password="abc12345",
                                    subject="請求書の件"))
    assert body_text(msg).startswith("お取引先各位")
    assert msg["subject"] == "請求書の件"
    (att,) = msg.iter_attachments()
    with zipfile.ZipFile(io.BytesIO(att.get_content())) as zf:
        assert_inert_ole(zf.read("請求書.doc", pwd=b"abc12345"))


def test_display_name_with_address() -> None:
    raw = emotet.display_name_with_address()
    assert b'From: "yamada@partner.co.jp" <x@y.com.br>' in raw
    msg = parse(raw)
    assert from_of(msg) == ("yamada@partner.co.jp", "x@y.com.br")
    (att,) = msg.iter_attachments()
    assert att.get_filename() == "2022-22-02_1239.xls"
    assert_inert_ole(att.get_content())


def test_link_only() -> None:
    msg = parse(emotet.link_only())
    assert list(msg.iter_attachments()) == []
    text = body_text(msg)
    (url,) = re.findall(r"https://\S+", text)
    assert re.fullmatch(r"https://[^/]+\.example/wp-content/[A-Za-z0-9]{1,30}/", url)
    html = msg.get_body(("html",))
    assert html is not None and f'href="{url}"' in html.get_content()
    other = parse(emotet.link_only(seed=1, html=False))
    assert other.get_content_type() == "text/plain"
    assert re.findall(r"https://\S+", body_text(other)) != [url]


def test_legit_reply_is_threaded_and_from_the_real_address() -> None:
    msg = parse(emotet.legit_reply())
    assert from_of(msg) == ("山田 太郎", "yamada@partner.co.jp")
    orig = "<20200914070200.5F3A1C2B@mail.example.co.jp>"
    assert msg["in-reply-to"] == orig and msg["references"] == orig
    assert msg["subject"] == "RE: 9月分のお見積りについて"
    assert list(msg.iter_attachments()) == []


def test_legit_notice() -> None:
    msg = parse(emotet.legit_notice())
    assert from_of(msg)[1] == "eigyo@partner.co.jp"
    assert body_text(msg).startswith("お取引先各位")
    assert msg.get_content_type() == "text/plain"


def test_padded_doc_zip_small() -> None:
    msg = parse(emotet.padded_doc_zip(pad_to=20_000_000))
    (att,) = msg.iter_attachments()
    data = att.get_content()
    assert len(data) < 100_000
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        (info,) = zf.infolist()
        assert info.filename.endswith(".doc") and info.file_size == 20_000_000


def test_variants_are_many_distinct_and_deterministic() -> None:
    first = list(emotet.variants(60))
    assert first == list(emotet.variants(60))
    assert len({raw for _, raw in first}) == 60
    kinds = {k for k, _ in first}
    assert {"thread_hijack_doc", "password_zip", "legit_notice"} <= kinds
    for _, raw in first:
        parse(raw)


@pytest.mark.parametrize(
    "build",
    [emotet.thread_hijack_doc, emotet.password_zip, emotet.display_name_with_address,
     emotet.link_only, emotet.legit_reply, emotet.legit_notice],
)
def test_builders_are_byte_stable(build: object) -> None:
    assert callable(build)
    assert build() == build()
