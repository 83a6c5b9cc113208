"""Property tests: nothing in the parser raises, whatever the bytes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emoguard.model import Message
from emoguard.parse import decode_text, html_to_text, parse_message
from emoguard.parse.headers import decode_header, parse_addresses

_PIECES = st.sampled_from(
    [
        b"Subject: ",
        b"From: ",
        b"To: ",
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b"Content-Type: text/plain; charset=iso-2022-jp\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename*0*=utf-8''%E8; filename*1=\"x\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"\r\n",
        b"=?utf-8?B?44OG?=",
        b"=?iso-2022-jp?q?=1B$B",
        b"\x1b$B%F%9\x1b(B",
        b"\x82\xa0\x8e",
        b"begin 644 x\r\n",
        b"end\r\n",
        b"\xd0\xcf\x11\xe0",
        b"<html><p>",
    ]
)
_MAILISH = st.lists(st.one_of(_PIECES, st.binary(max_size=40)), max_size=40).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MAILISH)
def test_parse_message_never_raises(data: bytes) -> None:
    m = parse_message(data)
    assert isinstance(m, Message)
    assert not [d for d in m.defects if d.startswith("parse.failed")]


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=200),
    st.sampled_from([None, "utf-8", "iso-2022-jp", "shift_jis", "euc-jp", "gb2312", "utf-7", "bogus"]),
)
def test_decode_text_never_raises(data: bytes, charset: str | None) -> None:
    text, defects = decode_text(data, charset)
    assert isinstance(text, str)
    assert all(isinstance(d, str) for d in defects)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_header_functions_never_raise(value: str) -> None:
    decode_header(value)
    parse_addresses(value)
    html_to_text(value)
