"""uuencoded files in text bodies."""

from __future__ import annotations

import binascii

from emoguard.parse.uu import decode_uu_payload, extract_uuencoded


def uu_block(name: str, data: bytes, mode: str = "644") -> str:
    lines = [f"begin {mode} {name}"]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n"))
    lines += ["`", "end"]
    return "\n".join(lines)


def test_block_is_cut_out_and_decoded() -> None:
    data = bytes(range(256)) * 3
    text = "前文です\n" + uu_block("請求書.doc", data) + "\n後文です"
    body, files = extract_uuencoded(text)
    assert body == "前文です\n後文です"
    assert len(files) == 1
    assert files[0].name == "請求書.doc"
    assert files[0].data == data
    assert files[0].complete


def test_two_blocks_and_unterminated() -> None:
    text = uu_block("a.txt", b"hello") + "\nmiddle\n" + uu_block("b.txt", b"world")[: -len("\nend")]
    body, files = extract_uuencoded(text)
    assert [f.name for f in files] == ["a.txt", "b.txt"]
    assert [f.data for f in files] == [b"hello", b"world"]
    assert files[1].complete is False
    assert "middle" in body


def test_no_block_is_cheap_and_untouched() -> None:
    text = "I will begin the meeting at 10.\nend of story"
    assert extract_uuencoded(text) == (text, [])


def test_rfc2047_name_folded_on_next_line() -> None:
    # as in joruri's uuencode.eml
    text = (
        "begin 664 =?UTF-8?B?dXVlbmNvZGXmt7vku5jjg5XjgqHjgqTjg6vlkI3jgYzopIfmlbDooYzjgavj?=\n"
        " =?UTF-8?B?go/jgZ/jgovjg4bjgrnjg4g=?=\n%````````\n`\nend\n"
    )
    _, files = extract_uuencoded(text)
    assert files[0].name == "uuencode添付ファイル名が複数行にわたるテスト"
    assert files[0].data == b"\x00" * 5


def test_payload_with_uuencode_transfer_encoding() -> None:
    f = decode_uu_payload(b"begin 664 test.txt\r\n%````````\r\n`\r\nend\r\n")
    assert f is not None
    assert (f.name, f.data) == ("test.txt", b"\x00" * 5)
    assert decode_uu_payload(b"no uu here") is None
