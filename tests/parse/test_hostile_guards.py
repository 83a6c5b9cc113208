"""Parser guards against hostile input (issue 9; the full cases are in tests/test_hostile.py)."""

from __future__ import annotations

import time

from emoguard.parse import html_to_text, parse_message
from emoguard.parse import mime as mime_mod
from emoguard.parse.charsets import MAX_ESCAPES, decode_text
from emoguard.parse.mime import MAX_HEADER_LINE, MAX_TEXT_BYTES, b64decode_lenient

HEAD = b"From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"


def test_many_unclosed_titles_are_linear() -> None:
    t0 = time.process_time()
    assert html_to_text("<title>x" * 100_000 + "<head>" * 100_000) == "x" * 100_000
    assert time.process_time() - t0 < 2.0  # was quadratic: 3 s for 40 000


def test_overlong_header_line_is_cut() -> None:
    raw = HEAD.replace(b"Subject: s", b"Subject: " + b"A" * (MAX_HEADER_LINE * 3)) + b"\r\nbody\r\n"
    m = parse_message(raw)
    assert "header.line_too_long" in m.defects
    assert m.subject.startswith("AAAA") and len(m.subject) < MAX_HEADER_LINE
    assert m.text.strip() == "body" and m.from_[0].addr == "a@b.example"


def test_overlong_header_block_is_cut() -> None:
    raw = b"".join(b"X-Junk-%d: %s\r\n" % (i, b"j" * 1000) for i in range(2000)) + HEAD + b"\r\nbody\r\n"
    m = parse_message(raw)
    assert "header.block_too_long" in m.defects and m.text.strip() == "body"


def test_overlong_header_line_inside_a_part_is_cut() -> None:
    raw = (HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nX-Junk: "
           + b"A" * (MAX_HEADER_LINE * 3) + b"\r\n\r\nbody\r\n--b--\r\n")
    m = parse_message(raw)
    assert "header.line_too_long" in m.defects and m.text.strip() == "body"


def test_long_body_lines_are_left_alone() -> None:
    import base64

    blob = b"x" * (MAX_HEADER_LINE * 4)
    raw = (HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream;"
           b" name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(blob) + b"\r\n--b\r\n"
           b"Content-Type: text/plain\r\n\r\nNote: " + b"y" * (MAX_HEADER_LINE * 2) + b"\r\n--b--\r\n")
    m = parse_message(raw)
    assert "header.line_too_long" not in m.defects
    assert m.attachments[0].payload == blob and len(m.text.strip()) > MAX_HEADER_LINE * 2


def test_normal_headers_untouched() -> None:
    raw = HEAD + b"\r\n" + b"x" * (MAX_HEADER_LINE * 2) + b"\r\n"
    assert not {"header.line_too_long", "header.block_too_long"} & set(parse_message(raw).defects)


def test_base64_junk_characters_are_a_defect() -> None:
    assert b64decode_lenient(b"QUJD\r\nREVG\r\n") == (b"ABCDEF", False)
    data, bad = b64decode_lenient(b"QU!JD*REVG")
    assert data == b"ABCDEF" and bad


def test_bad_quoted_printable_is_a_defect() -> None:
    def defects(body: bytes) -> tuple[str, ...]:
        return parse_message(HEAD + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + body).defects

    assert "mime.bad_quoted_printable" not in defects(b"caf=C3=A9 soft=\r\nbreak=\r\n")
    assert "mime.bad_quoted_printable" in defects(b"bad =ZZ escape\r\n")


def test_escape_flood_is_fast_and_named() -> None:
    data = b"\x1b$B$\"\x1b(Ba" * (MAX_ESCAPES // 2 + 10)
    t0 = time.process_time()
    text, defects = decode_text(data, "iso-2022-jp")
    assert time.process_time() - t0 < 1.0
    assert text.startswith("あaあa") and "charset.escape_flood" in defects
    assert "charset.escape_flood" not in decode_text(b"\x1b$B$\"\x1b(B" * 100, "iso-2022-jp")[1]


def test_huge_text_part_is_truncated_and_tag_flood_named() -> None:
    html = b"<p>x</p>" * (MAX_TEXT_BYTES // 8 + 1000)
    m = parse_message(HEAD + b"Content-Type: text/html\r\n\r\n" + html)
    assert {"mime.text_truncated", "html.tag_flood"} <= set(m.defects)
    assert len(m.html) <= MAX_TEXT_BYTES and len(m.parts[0].payload) >= len(html)


def test_big_single_body_fast_path_matches_the_full_parse() -> None:
    body = ("請求書をご確認ください。\r\n" * 200_000).encode("utf-8")
    raw = HEAD + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
    assert len(raw) > mime_mod._BIG_MESSAGE
    fast = parse_message(raw)
    old = mime_mod._BIG_MESSAGE
    try:
        mime_mod._BIG_MESSAGE = 1 << 62
        full = parse_message(raw)
    finally:
        mime_mod._BIG_MESSAGE = old
    assert (fast.text, fast.subject, fast.defects, [p.payload for p in fast.parts]) == \
        (full.text, full.subject, full.defects, [p.payload for p in full.parts])
