"""MIME walking: parts, bodies, attachments, filenames, transfer encodings, limits."""

from __future__ import annotations

import base64
import binascii

import pytest

from emoguard.model import Address
from emoguard.parse import parse_message
from emoguard.parse.mime import get_param, split_params


def mail(headers: str, body: str | bytes) -> bytes:
    b = body.encode() if isinstance(body, str) else body
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + b


def b64(s: str, codec: str = "utf-8") -> str:
    return base64.b64encode(s.encode(codec)).decode()


SIMPLE = mail(
    "From: =?ISO-2022-JP?B?GyRCOzNFRCBCQE86GyhC?= <yamada@partner.co.jp>\n"
    "To: tanaka@example.co.jp, =?UTF-8?B?" + b64("鈴木") + "?= <suzuki@example.co.jp>\n"
    "Cc: <c@example.co.jp>\n"
    "Reply-To: other@evil.example\n"
    "Subject: =?UTF-8?B?" + b64("RE: 請求書の件") + "?=\n"
    "Message-ID: <abc@partner.co.jp>\n"
    "In-Reply-To: <prev@example.co.jp>\n"
    "References: <first@example.co.jp>\n <prev@example.co.jp>\n"
    "Return-Path: <bounce@evil.example>\n"
    "Date: Mon, 1 Feb 2021 10:00:00 +0900\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=ISO-2022-JP\n",
    "ご苦労さまです。\r\n".encode("iso2022_jp"),
)


def test_simple_fields() -> None:
    m = parse_message(SIMPLE)
    assert m.kind == "eml"
    assert m.raw_size == len(SIMPLE)
    assert m.subject == "RE: 請求書の件"
    assert m.from_ == (Address("山田 太郎", "yamada@partner.co.jp"),)
    assert m.to == (Address("", "tanaka@example.co.jp"), Address("鈴木", "suzuki@example.co.jp"))
    assert m.cc == (Address("", "c@example.co.jp"),)
    assert m.reply_to == (Address("", "other@evil.example"),)
    assert m.message_id == "<abc@partner.co.jp>"
    assert m.in_reply_to == "<prev@example.co.jp>"
    assert m.references == ("<first@example.co.jp>", "<prev@example.co.jp>")
    assert m.return_path == "bounce@evil.example"
    assert m.date == "Mon, 1 Feb 2021 10:00:00 +0900"
    assert m.text == "ご苦労さまです。\n"
    assert m.header("subject") == "RE: 請求書の件"
    assert len(m.headers) == 12
    assert [(p.path, p.content_type, p.charset, p.is_attachment) for p in m.parts] == [
        ("1", "text/plain", "iso-2022-jp", False)
    ]
    assert m.attachments == ()
    assert m.defects == ()


ALT = mail(
    'Subject: alt\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="M"\n',
    "--M\r\n"
    'Content-Type: multipart/alternative; boundary="A"\r\n\r\n'
    "--A\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + b64("本文です")
    + "\r\n--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsecond plain alternative\r\n"
    "--A\r\nContent-Type: text/html; charset=shift_jis\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "<p>=96=7B=95=B6=82=C5=82=B7</p>\r\n"
    "--A--\r\n"
    "--M\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "iVBORw0KGgo=\r\n"
    "--M\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.zip\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n"
    "--M\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n\r\nfooter text\r\n"
    "--M--\r\n",
)


def test_alternative_and_attachments() -> None:
    m = parse_message(ALT)
    assert [(p.path, p.content_type) for p in m.parts] == [
        ("1.1", "text/plain"),
        ("1.2", "text/plain"),
        ("1.3", "text/html"),
        ("2", "image/png"),
        ("3", "application/octet-stream"),
        ("4", "text/plain"),
    ]
    assert m.text == "本文です\nfooter text"  # the CRLF before a boundary belongs to it
    assert m.html == "<p>本文です</p>"
    img, zipf = m.attachments
    assert (img.content_id, img.is_attachment, img.disposition) == ("img1@x", True, None)
    assert img.payload == b"\x89PNG\r\n\x1a\n"
    assert (zipf.filename, zipf.disposition, zipf.payload, zipf.size) == ("請求書.zip", "attachment", b"PK\x03\x04", 4)
    assert m.parts[2].text == "<p>本文です</p>"
    assert m.parts[0].text == "本文です"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="plain.doc"', "plain.doc"),
        ("attachment; filename*=ISO-2022-JP''%1B%24B%40A5a%3Dq%1B%28B.doc", "請求書.doc"),
        ("attachment; filename*=shift_jis'ja'%90%BF%8B%81%8F%91.xls", "請求書.xls"),
        (
            "attachment; filename*0*=UTF-8''%E8%AB%8B%E6; filename*1*=%B1%82%E6%9B%B8; filename*2=.zip",
            "請求書.zip",
        ),
        (
            "attachment; filename*0*=ISO-2022-JP''%1B%24B%40A5a; filename*1*=%3Dq%1B%28B.doc",
            "請求書.doc",
        ),
        ('attachment; filename="=?UTF-8?B?' + b64("請求書.doc") + '?="', "請求書.doc"),
        (
            'attachment; filename="=?ISO-2022-JP?B?GyRCQEE1YRsoQg==?=\r\n =?ISO-2022-JP?B?GyRCPXEbKEI=?=.doc"',
            "請求書.doc",
        ),
        ("attachment; filename==?UTF-8?B?" + b64("請求書") + "?=", "請求書"),
        ('attachment; filename=""=?UTF-8?B?' + b64("請求書") + '?="', "請求書"),
        ('attachment; filename="\x1b$B@A5a=q\x1b(B.doc"', "請求書.doc"),
    ],
)
def test_filenames(header: str, expected: str) -> None:
    _, params = split_params(header)
    assert get_param(params, "filename")[0] == expected


@pytest.mark.parametrize("codec", ["utf-8", "cp932", "euc_jp"])
def test_raw_8bit_filename(codec: str) -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        b'Content-Type: application/octet-stream; name="' + "見積書.xls".encode(codec) + b'"\r\n\r\nx\r\n--B--\r\n'
    )
    m = parse_message(raw)
    assert m.attachments[0].filename == "見積書.xls"


def test_filename_from_content_type_name_and_8bit_body() -> None:
    raw = (
        b'Subject: x\r\nContent-Type: text/plain; name="=?UTF-8?B?' + b64("メモ.txt").encode() + b'?="\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "内容".encode("cp932") + b"\r\n"
    )
    m = parse_message(raw)
    part = m.parts[0]
    assert (part.filename, part.is_attachment, part.text) == ("メモ.txt", True, "内容\n")
    assert m.text == ""  # an attachment is not the body
    assert "charset.undeclared_8bit" in m.defects


def test_nested_message_rfc822() -> None:
    inner = mail(
        "From: =?UTF-8?B?"
        + b64("佐藤")
        + "?= <sato@example.jp>\nSubject: =?UTF-8?B?"
        + b64("元のメール")
        + "?=\nContent-Type: text/plain; charset=utf-8\n",
        "元の本文",
    )
    outer = mail(
        'Subject: fwd\nContent-Type: multipart/mixed; boundary="B"\n',
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n"
        + inner
        + b"\r\n--B--\r\n",
    )
    m = parse_message(outer)
    att = m.attachments[0]
    assert att.content_type == "message/rfc822"
    assert att.message is not None
    assert att.message.subject == "元のメール"
    assert att.message.from_ == (Address("佐藤", "sato@example.jp"),)
    assert att.message.text.startswith("元の本文")
    assert att.payload.startswith(b"From:")


def test_base64_encoded_message_rfc822() -> None:
    inner = b"Subject: inner\r\n\r\nhi\r\n"
    outer = mail(
        'Subject: o\nContent-Type: multipart/mixed; boundary="B"\n',
        "--B\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(inner).decode()
        + "\r\n--B--\r\n",
    )
    m = parse_message(outer)
    assert m.attachments[0].message is not None
    assert m.attachments[0].message.subject == "inner"


def test_delivery_status_is_text_not_attachment() -> None:
    raw = mail(
        'Subject: bounce\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n',
        "--B\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; a@b\r\nStatus: 5.1.1\r\n--B--\r\n",
    )
    m = parse_message(raw)
    ds = m.parts[1]
    assert ds.is_attachment is False
    assert ds.text is not None and "Status: 5.1.1" in ds.text


def test_bad_base64_is_best_effort() -> None:
    good = base64.b64encode("壊れたbase64でも読める".encode()).decode()
    raw = mail(
        "Subject: b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
        good[:-2] + "*",
    )
    m = parse_message(raw)
    assert m.text.startswith("壊れたbase64でも読")
    assert "mime.bad_base64" in m.defects


def test_uuencode_in_body() -> None:
    data = b"MZ\x90\x00fake"
    block = "begin 644 invoice.exe\n" + binascii.b2a_uu(data).decode() + "`\nend\n"
    m = parse_message(mail("Subject: uu\nContent-Type: text/plain\n", "Please see\n" + block + "bye\n"))
    assert m.text == "Please see\nbye\n"
    uu = m.attachments[0]
    assert (uu.path, uu.filename, uu.payload, uu.origin, uu.is_attachment) == (
        "1.u1",
        "invoice.exe",
        data,
        "uuencode",
        True,
    )


def test_unknown_cte_and_invalid_content_type() -> None:
    m = parse_message(mail("Content-Type: garbage\nContent-Transfer-Encoding: x-weird\n", "body"))
    assert m.parts[0].content_type == "text/plain"
    assert {"mime.unknown_transfer_encoding", "mime.invalid_content_type"} <= set(m.defects)


@pytest.mark.parametrize(
    ("raw", "defect"),
    [
        (b"Content-Type: multipart/mixed; boundary=B\r\n\r\nno boundary here\r\n", "mime.start_boundary_not_found"),
        (b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nx\r\n", "mime.close_boundary_not_found"),
        (b"Content-Type: multipart/mixed\r\n\r\nx\r\n", "mime.no_boundary_in_multipart"),
        (b"Subject: x\r\nthis is not a header\r\n\r\nbody", "mime.missing_header_body_separator"),
        (b"\xef\xbb\xbfSubject: bom\r\n\r\nbody", "mime.leading_bom"),
    ],
)
def test_stdlib_defects_get_stable_names(raw: bytes, defect: str) -> None:
    assert defect in parse_message(raw).defects


def test_empty_input() -> None:
    assert parse_message(b"").defects == ("input.empty",)
    assert parse_message(b" \r\n\t").defects == ("input.empty",)


def test_bom_is_stripped_so_headers_survive() -> None:
    assert parse_message(b"\xef\xbb\xbfSubject: bom\r\n\r\nbody").subject == "bom"


def nested_multipart(levels: int) -> bytes:
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(levels))
    tail = b"".join(b"\r\n--b%d--" % i for i in reversed(range(levels)))
    return b"Subject: deep\r\n" + head + b"Content-Type: text/plain\r\n\r\nhello" + tail + b"\r\n"


def test_depth_limit() -> None:
    assert parse_message(nested_multipart(5)).text == "hello"
    m = parse_message(nested_multipart(30), max_depth=10)
    assert m.subject == "deep"
    assert "mime.depth_limit" in m.defects


def test_hostile_nesting_does_not_reach_recursion_error() -> None:
    m = parse_message(nested_multipart(3000))
    assert m.subject == "deep"
    assert {"mime.depth_limit", "mime.recursion_limit"} & set(m.defects)


def test_nested_rfc822_depth_limit() -> None:
    raw = b"Content-Type: text/plain\r\n\r\ninner\r\n"
    for i in range(30):
        raw = b"Subject: l%d\r\nContent-Type: message/rfc822\r\n\r\n" % i + raw
    m = parse_message(raw, max_depth=5)
    assert m.subject == "l29"
    assert "mime.depth_limit" in m.defects


def test_parts_limit() -> None:
    body = b"".join(b"--x\r\nContent-Type: text/plain\r\n\r\np%d\r\n" % i for i in range(50)) + b"--x--\r\n"
    m = parse_message(b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + body, max_parts=10)
    assert len(m.parts) == 10
    assert "mime.parts_limit" in m.defects


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00" * 100,
        b"\r\n\r\n\r\n",
        b"From nobody Mon Jan  1 00:00:00 2001\nSubject: mbox\n\nbody\n",
        b"Subject: =?utf-8?B?" + b"=" * 10000 + b"?=\r\n\r\n",
        b'Content-Type: multipart/mixed; boundary="' + b"a" * 100000 + b'"\r\n\r\n',
        b"To: " + b"a@b," * 20000 + b"\r\n\r\n",
        bytes(range(256)) * 50,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    ],
)
def test_never_raises(raw: bytes) -> None:
    m = parse_message(raw)
    assert m.raw_size == len(raw)


def test_leading_blank_lines_are_not_a_missing_header_block() -> None:
    m = parse_message(b"\r\n\r\nSubject: late\r\n\r\nbody")
    assert m.subject == "late"
    assert "mime.leading_blank_lines" in m.defects
