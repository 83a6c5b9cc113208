"""MailBuilder: parseable, byte-stable mail whose Japanese comes back as given."""

from __future__ import annotations

import email
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from emoguard.testing import DEFAULT_DATE, MailBuilder
from emoguard.testing.files import ole_document
from emoguard.testing.mail import encoded_words
from emoguard.testing.mangle import relabel_charset, without_boundary

CHARSETS = ["iso-2022-jp", "utf-8", "shift_jis"]
SUBJECT = (
    "RE: 9月分のお見積りについて（再送）　とても長い件名なので複数の encoded-word に分かれます"
)
DOC = ole_document("doc")


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def full(charset: str = "iso-2022-jp", *, filename_encoding: str = "rfc2231") -> bytes:
    return (
        MailBuilder(charset=charset)  # type: ignore[arg-type]
        .return_path("bounce@comercial-exemplo.com.br")
        .from_(("山田 太郎", "financeiro@comercial-exemplo.com.br"))
        .to(("田中 一郎", "tanaka@example.co.jp"), ("鈴木 次郎（営業部）", "suzuki@example.co.jp"))
        .cc("plain@example.co.jp", ("yamada@partner.co.jp", "x@y.com.br"))
        .reply_to(("経理部 担当者", "keiri@example.net"))
        .subject(SUBJECT)
        .in_reply_to("<orig@example.co.jp>")
        .references("<first@example.co.jp>", "orig@example.co.jp")
        .header("X-Note", "社内メモ")
        .header("Received", "from a by b; Thu, 24 Sep 2020 10:14:00 +0900", top=True)
        .text("協力会社各位\n\nご確認をお願いします。\n")
        .html("<p>ご確認をお願いします。</p>\n")
        .attach(DOC, "からの変更20-09.doc", filename_encoding=filename_encoding)  # type: ignore[arg-type]
        .attach(b"\x00\x01binary\xff" * 50, "請求書.zip", filename_encoding=filename_encoding)  # type: ignore[arg-type]
        .build()
    )


@pytest.mark.parametrize("charset", CHARSETS)
def test_headers_decode_back_to_the_japanese_given(charset: str) -> None:
    msg = parse(full(charset))
    assert msg["subject"] == SUBJECT
    (frm,) = msg["from"].addresses
    assert (frm.display_name, frm.addr_spec) == ("山田 太郎", "financeiro@comercial-exemplo.com.br")
    assert [(a.display_name, a.addr_spec) for a in msg["to"].addresses] == [
        ("田中 一郎", "tanaka@example.co.jp"),
        ("鈴木 次郎（営業部）", "suzuki@example.co.jp"),
    ]
    assert [(a.display_name, a.addr_spec) for a in msg["cc"].addresses] == [
        ("", "plain@example.co.jp"),
        ("yamada@partner.co.jp", "x@y.com.br"),
    ]
    assert msg["reply-to"].addresses[0].display_name == "経理部 担当者"
    assert msg["x-note"] == "社内メモ"
    assert msg["return-path"] == "<bounce@comercial-exemplo.com.br>"
    assert msg["in-reply-to"] == "<orig@example.co.jp>"
    assert msg["references"] == "<first@example.co.jp> <orig@example.co.jp>"
    assert msg["date"] == DEFAULT_DATE
    assert not msg.defects


@pytest.mark.parametrize("charset", CHARSETS)
def test_compat32_decoding_agrees(charset: str) -> None:
    # Old-style readers (email.header) see the same text.
    msg = email.message_from_bytes(full(charset))
    assert str(make_header(decode_header(msg["Subject"]))) == SUBJECT
    assert str(make_header(decode_header(msg["From"]))).startswith("山田 太郎 ")


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("filename_encoding", ["rfc2231", "rfc2047"])
def test_attachments_come_back_byte_identical(charset: str, filename_encoding: str) -> None:
    msg = parse(full(charset, filename_encoding=filename_encoding))
    atts = list(msg.iter_attachments())
    assert [a.get_filename() for a in atts] == ["からの変更20-09.doc", "請求書.zip"]
    assert atts[0].get_content_type() == "application/msword"
    assert atts[0].get_content() == DOC
    assert atts[1].get_content() == b"\x00\x01binary\xff" * 50
    body = msg.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "協力会社各位\n\nご確認をお願いします。\n"
    html = msg.get_body(("html",))
    assert html is not None and "ご確認" in html.get_content()


@pytest.mark.parametrize("filename_encoding", ["rfc2231", "rfc2047"])
def test_long_japanese_filename(filename_encoding: str) -> None:
    name = "令和2年度 第3四半期 取引先別 請求明細書（最終版）修正済み_差し替え用.xls"
    raw = (
        MailBuilder()
        .from_("a@example.co.jp")
        .attach(b"x" * 10, name, filename_encoding=filename_encoding)  # type: ignore[arg-type]
        .build()
    )
    (att,) = parse(raw).iter_attachments()
    assert att.get_filename() == name
    if filename_encoding == "rfc2231":
        assert b"filename*0*=UTF-8''" in raw and b"filename*1*=" in raw
    else:
        assert b'filename="=?ISO-2022-JP?B?' in raw


def test_iso_2022_jp_mail_is_7bit() -> None:
    raw = (
        MailBuilder()
        .from_(("山田 太郎", "yamada@partner.co.jp"))
        .subject("見積書")
        .text("本文です。\n二行目\n")
        .build()
    )
    assert raw.isascii()
    assert b"Content-Transfer-Encoding: 7bit" in raw
    assert b'charset="ISO-2022-JP"' in raw
    # every line returns to ASCII before its end (RFC 1468)
    for line in raw.split(b"\r\n"):
        if b"\x1b$B" in line:
            assert line.rfind(b"\x1b(B") > line.rfind(b"\x1b$B")
    body = parse(raw).get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "本文です。\n二行目\n"


@pytest.mark.parametrize("cte", ["base64", "quoted-printable", "8bit"])
def test_transfer_encodings_round_trip(cte: str) -> None:
    text = "こんにちは。" * 30 + "\nsecond line = ok\n"
    raw = (
        MailBuilder(charset="utf-8")
        .from_("a@example.co.jp")
        .text(text, transfer_encoding=cte)  # type: ignore[arg-type]
        .build()
    )
    assert f"Content-Transfer-Encoding: {cte}".encode() in raw
    assert parse(raw).get_content().replace("\r\n", "\n").rstrip("\n") == text.rstrip("\n")


def test_lines_and_encoded_words_stay_within_limits() -> None:
    raw = full()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    for line in head.split("\r\n"):
        assert len(line) <= 78 or "filename=" in line or "name=" in line, line
    for word in re.findall(r"=\?[^?]+\?B\?[^?]*\?=", head):
        assert len(word) <= 75
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_output_is_byte_stable_and_seeded() -> None:
    assert full() == full()
    a = MailBuilder(seed=1).from_("a@example.co.jp").text("x").attach(b"1", "a.bin").build()
    b = MailBuilder(seed=2).from_("a@example.co.jp").text("x").attach(b"1", "a.bin").build()
    assert a != b
    mid_a = parse(a)["message-id"]
    assert re.fullmatch(r"<[0-9A-F]{12}\.[0-9a-f]{16}@example\.co\.jp>", mid_a)
    assert mid_a != parse(b)["message-id"]


def test_message_id_can_be_set_or_omitted() -> None:
    raw = MailBuilder().from_("a@example.co.jp").message_id("abc@host").build()
    assert parse(raw)["message-id"] == "<abc@host>"
    raw = MailBuilder().from_("a@example.co.jp").message_id(None).build()
    assert b"Message-ID" not in raw


def test_header_order_trace_headers_first() -> None:
    raw = full()
    names = [line.split(":", 1)[0] for line in raw.split(b"\r\n\r\n")[0].decode().split("\r\n")
             if line and not line.startswith(" ")]
    assert names[:3] == ["Return-Path", "Received", "Date"]
    assert names.index("X-Note") < names.index("MIME-Version") < names.index("Content-Type")


def test_nested_message_attachment() -> None:
    inner = (
        MailBuilder(charset="utf-8", seed="inner")
        .from_(("佐藤 花子", "sato@example.co.jp"))
        .subject("元のメール")
        .text("中身\n")
        .attach(b"PK\x05\x06" + b"\x00" * 18, "資料.zip")
        .build()
    )
    raw = (
        MailBuilder()
        .from_("it@example.co.jp")
        .text("転送します\n")
        .attach_message(inner, "転送.eml")
        .build()
    )
    msg = parse(raw)
    (att,) = msg.iter_attachments()
    assert att.get_content_type() == "message/rfc822"
    assert att.get_filename() == "転送.eml"
    nested = att.get_content()
    assert nested["subject"] == "元のメール"
    (inner_att,) = nested.iter_attachments()
    assert inner_att.get_filename() == "資料.zip"
    assert inner_att.get_content() == b"PK\x05\x06" + b"\x00" * 18


def test_attachment_only_and_empty_mail() -> None:
    msg = parse(MailBuilder().from_("a@b.example").attach(b"abc", "a.doc").build())
    assert msg.get_content_type() == "multipart/mixed"
    assert [p.get_filename() for p in msg.iter_attachments()] == ["a.doc"]
    empty = parse(MailBuilder().build())
    assert empty.get_content_type() == "text/plain"


def test_characters_outside_iso_2022_jp_are_refused() -> None:
    with pytest.raises(ValueError, match="ISO-2022-JP"):
        MailBuilder().subject("ｶﾀｶﾅ").build()
    # ... and work in UTF-8
    assert parse(MailBuilder(charset="utf-8").subject("ｶﾀｶﾅ①").build())["subject"] == "ｶﾀｶﾅ①"


def test_encoded_words_split_on_characters() -> None:
    words = encoded_words("あ" * 100, "iso-2022-jp")
    assert len(words) > 1
    assert "".join(str(make_header(decode_header(w))) for w in words) == "あ" * 100


def test_without_boundary_makes_an_unsplittable_multipart() -> None:
    broken = without_boundary(full())
    assert b"boundary=" not in broken.split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(broken, policy=policy.default)
    assert any(type(d).__name__ == "NoBoundaryInMultipartDefect" for d in msg.defects)
    with pytest.raises(ValueError):
        without_boundary(MailBuilder().text("x").build())


def test_relabel_charset_keeps_the_bytes() -> None:
    raw = MailBuilder().text("本文").build()
    relabelled = relabel_charset(raw, "ISO-2022-JP", "Shift_JIS")
    assert b'charset="Shift_JIS"' in relabelled
    assert relabelled.replace(b'charset="Shift_JIS"', b'charset="ISO-2022-JP"') == raw


def test_newlines_in_values_are_refused() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        MailBuilder().subject("hello\r\nBcc: victim@example.jp").build()
    with pytest.raises(ValueError, match="CR or LF"):
        MailBuilder().from_(("name\n", "a@b.example")).build()
    with pytest.raises(ValueError, match="CR or LF"):
        MailBuilder().attach(b"", "a\r\n.doc").build()
    # ... unless broken mail is what the test wants
    raw = MailBuilder().header("X-Broken", "a\r\n b", encode=False).build()
    assert b"X-Broken: a\r\n b\r\n" in raw


def test_long_ascii_subject_folds_and_unfolds() -> None:
    subject = "Re: Fwd: " + " ".join(f"word{i}" for i in range(40))
    raw = MailBuilder().subject(subject).build()
    assert b"\r\n word" in raw
    assert parse(raw)["subject"] == subject
