"""Inputs found by fuzzing (docs/fuzzing.md), each kept as a named regression test.

The inputs are rebuilt here by code from what made them bad; the fuzzer's files (mutated
corpus mail) stay out of the repository.
"""

from __future__ import annotations

from emoguard.engine import Engine
from emoguard.parse import parse_message
from emoguard.parse.mime import _as_bytes


def _nested_with_huge_8bit_header(n: int = 100_000) -> bytes:
    inner = b"From: a@example.com\rSubject: " + b"\xe3\x81\x82x" * (n // 4) + b"\rX: y\r\rbody\r"
    return (b"From: b@example.com\rContent-Type: multipart/mixed; boundary=zz\r\r--zz\r"
            b"Content-Type: message/rfc822\r\r" + inner + b"--zz\r")


def test_timeout_2f3035_nested_mail_with_huge_8bit_header_is_not_refolded() -> None:
    """fuzz/crashes/timeout-2f3035…: an attached mail with a long 8-bit header (raw bytes,
    kept as surrogates) and a body that is not ASCII made ``as_bytes`` fail; the fallback
    ``as_string`` then refolded the header by growing an encoded word one character at a
    time (quadratic: a 100 KB header took a minute). Nested mail is now re-serialised
    verbatim, so the header must come back byte for byte, not as =?unknown-8bit?q?… words."""
    import email

    header = "\udce3\udc81\udc82x" * 2000  # 8-bit bytes as the bytes parser keeps them
    nested = email.message_from_string(f"From: a@example.com\nSubject: {header}\n\nbody ü\n")
    raw = _as_bytes(nested)
    assert b"Subject: " + b"\xe3\x81\x82x" * 2000 in raw
    assert b"=?" not in raw


def test_timeout_2f3035_whole_message_still_analysed() -> None:
    d = Engine.load(search_defaults=False).analyze(_nested_with_huge_8bit_header(), source="fuzz").to_dict()
    assert d["level"] in ("clean", "suspicious", "malicious")
    m = parse_message(_nested_with_huge_8bit_header())
    assert any(p.message is not None for p in m.attachments)
