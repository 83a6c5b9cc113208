"""RFC 2047 decoding, raw 8-bit headers, addresses and message ids."""

from __future__ import annotations

import base64

import pytest

from emoguard.model import Address
from emoguard.parse.headers import decode_header, decode_words, extract_ids, parse_addresses


def b64word(charset: str, raw: bytes, pad: bool = True) -> str:
    text = base64.b64encode(raw).decode()
    return f"=?{charset}?B?{text if pad else text.rstrip('=')}?="


def test_plain_values_are_unfolded_only() -> None:
    assert decode_header("hello\r\n world") == ("hello world", ())
    assert decode_header("a\n\tb") == ("a\tb", ())


def test_b_and_q_words_any_case() -> None:
    assert decode_words("=?utf-8?b?44OG44K544OI?=")[0] == "テスト"
    assert decode_words("=?UTF-8?Q?=E3=83=86=E3=82=B9=E3=83=88_x?=")[0] == "テスト x"
    assert decode_words("=?iso-2022-jp?q?=1B$B%F%9%H=1B(B?=")[0] == "テスト"


def test_adjacent_words_lose_whitespace_and_join_bytes() -> None:
    raw = "請求書".encode()
    # split in the middle of the second character
    w1 = b64word("UTF-8", raw[:4])
    w2 = b64word("utf-8", raw[4:])
    assert decode_header(f"RE: {w1}\r\n {w2} です")[0] == "RE: 請求書 です"


def test_iso2022jp_word_split_inside_jis_mode() -> None:
    raw = "\x1b$B@A5a=q\x1b(B".encode("ascii")  # 請求書
    w1 = b64word("ISO-2022-JP", raw[:6])
    w2 = b64word("ISO-2022-JP", raw[6:])
    assert decode_header(f"{w1} {w2}")[0] == "請求書"


def test_missing_padding_and_bad_words() -> None:
    word = b64word("UTF-8", "お世話になっております".encode(), pad=False)
    assert decode_header(word)[0] == "お世話になっております"
    text, defects = decode_header("=?iso-2022-jp?b?GyRCJUYlOSVIGyhCCg=?=")  # redmine fixture
    assert text.strip() == "テスト"
    assert "header.bad_encoded_word" in defects


def test_words_without_surrounding_whitespace_and_in_quotes() -> None:
    w = b64word("UTF-8", "山田".encode())
    assert decode_header(f"RE:{w}様")[0] == "RE:山田様"
    assert decode_header(f'"{w}" <yamada@example.jp>')[0] == '"山田" <yamada@example.jp>'


def test_unknown_charset_in_word_is_detected() -> None:
    assert decode_words("=?UNKNOWN?B?44Ko44Oz44Kz44O844OJ?=") == ("エンコード", ("charset.unknown",))


def test_q_word_with_bare_question_mark() -> None:
    # jdec fixture: a broken encoder left '?' unencoded inside Q text
    assert decode_header("=?ISO-2022-JP?Q?=1B$B:9=3DP?M=1B(B?=")[0] == "差出人"


def surrogate(raw: bytes) -> str:
    """What compat32 hands us for raw 8-bit header bytes."""
    return raw.decode("ascii", "surrogateescape")


@pytest.mark.parametrize("codec", ["utf-8", "cp932", "euc_jp"])
def test_raw_8bit_headers_are_detected(codec: str) -> None:
    text, defects = decode_header(surrogate("【重要】請求書の件".encode(codec)))
    assert text == "【重要】請求書の件"
    assert defects == ("header.raw_8bit",)


def test_raw_iso2022jp_header() -> None:
    assert decode_header("\x1b$B%F%9%H\x1b(B") == ("テスト", ("header.raw_iso2022",))


def test_addresses_simple_and_lists() -> None:
    addrs, defects = parse_addresses("a@example.jp, Taro <taro@example.jp>,\r\n\t<c@x.jp>")
    assert addrs == (
        Address("", "a@example.jp"),
        Address("Taro", "taro@example.jp"),
        Address("", "c@x.jp"),
    )
    assert defects == ()


def test_encoded_display_names() -> None:
    w = b64word("ISO-2022-JP", "山田 太郎".encode("iso2022_jp"))
    assert parse_addresses(f"{w} <yamada@partner.co.jp>")[0] == (Address("山田 太郎", "yamada@partner.co.jp"),)
    assert parse_addresses(f'"{w}" <yamada@partner.co.jp>')[0] == (Address("山田 太郎", "yamada@partner.co.jp"),)


def test_display_name_decoding_to_comma_quote_and_address_stays_one_mailbox() -> None:
    # Emotet style: the display name carries the partner's real address.
    w = b64word("UTF-8", '山田, "太郎" <yamada@partner.co.jp>'.encode())
    addrs, _ = parse_addresses(f"{w} <x@compromised.com.br>")
    assert addrs == (Address('山田, "太郎" <yamada@partner.co.jp>', "x@compromised.com.br"),)
    # a broken Q encoder leaving a comma unencoded
    addrs, _ = parse_addresses("=?utf-8?Q?Yamada,_Taro?= <t@x.jp>, b@y.jp")
    assert addrs == (Address("Yamada, Taro", "t@x.jp"), Address("", "b@y.jp"))


def test_raw_8bit_display_name() -> None:
    addrs, defects = parse_addresses(surrogate("山田 <y@example.jp>".encode("cp932")))
    assert addrs == (Address("山田", "y@example.jp"),)
    assert "header.raw_8bit" in defects


@pytest.mark.parametrize(
    "value",
    [
        "undisclosed-recipients:;",
        "Friends: a@x.jp, b@y.jp;",
        'a@b\r\n, "unterminated <x@y',
        '<<<>>>,,,;;;:::"""((()))',
        "=?utf-8?B?!!!?= <a@b>",
        "\x00\r\n\x1b$B",
        "",
        "a" * 10000,
    ],
)
def test_garbage_addresses_never_raise(value: str) -> None:
    addrs, _ = parse_addresses(value)
    assert all(isinstance(a, Address) for a in addrs)


def test_group_members_are_returned() -> None:
    addrs, _ = parse_addresses("Friends: a@x.jp, b@y.jp;")
    assert [a.addr for a in addrs] == ["a@x.jp", "b@y.jp"]


def test_encoded_local_part_is_kept_as_address() -> None:
    w = b64word("ISO-2022-JP", "あ い".encode("iso2022_jp"))
    addrs, _ = parse_addresses(f"{w}@example.jp")
    assert addrs == (Address("", "あ い@example.jp"),)


def test_extract_ids() -> None:
    assert extract_ids("<a@b>") == ("<a@b>",)
    assert extract_ids("<a@b>\r\n <c@\r\n d>") == ("<a@b>", "<c@d>")
    assert extract_ids('"Yamada" <x@y> (comment)') == ("<x@y>",)
    assert extract_ids("bare@id") == ("bare@id",)
    assert extract_ids("") == ()
