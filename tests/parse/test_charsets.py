"""decode_text: Japanese charsets, vendor characters, mislabelled and missing charsets."""

from __future__ import annotations

import pytest

from emoguard.parse.charsets import decode_text, detect_charset, normalize_charset

JIS = b"\x1b$B"
ASCII = b"\x1b(B"


def test_empty_and_ascii() -> None:
    assert decode_text(b"", "utf-8") == ("", ())
    assert decode_text(b"hello", None) == ("hello", ())
    assert decode_text(b"hello", "iso-2022-jp") == ("hello", ())


def test_iso2022jp_plain() -> None:
    # "本文がISO-2022-JPです。" as sent by a Japanese mailer
    raw = b"\x1b$BK\\J8$,\x1b(BISO-2022-JP\x1b$B$G$9!#\x1b(B"
    assert decode_text(raw, "iso-2022-jp") == ("本文がISO-2022-JPです。", ())


@pytest.mark.parametrize(
    ("jis", "expected"),
    [
        (b'-!-"-#', "①②③"),  # NEC row 13 circled digits
        (b"-j", "㈱"),  # NEC row 13 parenthesised kabushiki
        (b"!A", "～"),  # cp932 maps 0x2141 to FULLWIDTH TILDE, as Outlook shows it
        (b"-5", "Ⅰ"),  # NEC roman numeral
        (b"|b", "髙"),  # NEC-selected IBM extension kanji (row 92)
    ],
)
def test_iso2022jp_cp932_extensions(jis: bytes, expected: str) -> None:
    text, defects = decode_text(JIS + jis + ASCII, "ISO-2022-JP")
    assert text == expected
    assert defects == ()


def test_iso2022jp_halfwidth_katakana_escape_and_so_si() -> None:
    assert decode_text(b"\x1b(I126\x1b(B", "iso-2022-jp")[0] == "ｱｲｶ"
    assert decode_text(b"a\x0e126\x0fb", "iso-2022-jp")[0] == "aｱｲｶb"


def test_iso2022jp_other_escapes() -> None:
    # ESC $ @ (JIS C 6226-1978) and ESC ( J (JIS X 0201 Roman)
    assert decode_text(b"\x1b$@%F%9%H\x1b(Jabc", "iso-2022-jp")[0] == "テストabc"
    # ESC & @ ESC $ B announcer for JIS X 0208-1990
    assert decode_text(b"\x1b&@\x1b$B%F%9%H\x1b(B", "iso-2022-jp")[0] == "テスト"


def test_iso2022jp_2_with_other_sets() -> None:
    # ISO-2022-JP-2 with a GB2312 (ESC $ A) segment goes through the stdlib codec
    raw = "中文テスト".encode("iso2022_jp_2")
    assert decode_text(raw, "iso-2022-jp-2")[0] == "中文テスト"


def test_iso2022jp_user_defined_rows_become_private_use() -> None:
    text, defects = decode_text(JIS + b"u!" + ASCII, "iso-2022-jp")
    assert text == "\ue000"
    assert "charset.decode_errors" not in defects


def test_iso2022jp_truncated_segment_is_a_defect_not_an_exception() -> None:
    text, defects = decode_text(JIS + b"%F%", "iso-2022-jp")
    assert text.startswith("テ")
    assert "charset.decode_errors" in defects


@pytest.mark.parametrize(
    "label", ["shift_jis", "Shift_JIS", "x-sjis", "shift-jis", "sjis", "windows-31j", "cp932", "MS932"]
)
def test_shift_jis_spellings_decode_as_cp932(label: str) -> None:
    raw = "①㈱髙～テスト".encode("cp932")
    assert decode_text(raw, label) == ("①㈱髙～テスト", ())
    assert normalize_charset(label) == "cp932"


def test_euc_jp_and_fallbacks() -> None:
    assert decode_text("エンコードテスト".encode("euc_jp"), "euc-jp") == ("エンコードテスト", ())
    # NEC row 13 in EUC-JP (cp51932): euc_jp fails, euc_jis_2004 decodes it
    assert decode_text(b"\xad\xa1\xa4\xa2", "EUC-JP")[0] == "①あ"
    # ㈱ (NEC row 13, 0xADEA) is not in JIS X 0213 at that point -> cp51932 path
    text, defects = decode_text(b"\xad\xea", "euc-jp")
    assert text == "㈱"
    assert defects == ()


def test_utf8_and_utf7() -> None:
    assert decode_text("テスト".encode(), "utf-8") == ("テスト", ())
    assert decode_text(b"+MMYwuTDI-", "unicode-1-1-utf-7") == ("テスト", ())
    # IMAP-style modified UTF-7 where UTF-7 was declared
    assert decode_text(b"&MKgw8zCzMPwwyTDGMLkwyA-.txt", "utf-7")[0] == "エンコードテスト.txt"
    # ',' used for '/' inside a +...- run
    assert decode_text(b"+MMYwuTDIMOEw,DDrMG5O9lQN-", "utf-7")[0] == "テストメールの件名"


@pytest.mark.parametrize(
    ("label", "text"),
    [("gb2312", "字符串转GB2312"), ("GBK", "中文"), ("euc-kr", "테스트"), ("koi8-r", "Это тест")],
)
def test_other_asian_and_cyrillic(label: str, text: str) -> None:
    codec = {"gb2312": "gb2312", "GBK": "gbk", "euc-kr": "euc_kr", "koi8-r": "koi8_r"}[label]
    assert decode_text(text.encode(codec), label) == (text, ())


def test_shift_jis_labelled_iso2022jp_is_mislabelled() -> None:
    text, defects = decode_text("こんにちは①".encode("cp932"), "iso-2022-jp")
    assert text == "こんにちは①"
    assert defects == ("charset.mislabelled",)


def test_utf8_labelled_shift_jis_is_mislabelled() -> None:
    text, defects = decode_text("日本語のテキスト".encode(), "shift_jis")
    assert text == "日本語のテキスト"
    assert defects == ("charset.mislabelled",)


def test_japanese_labelled_gb2312_is_mislabelled() -> None:
    raw = "お世話になっております。請求書を送付します".encode("euc_jp")
    text, defects = decode_text(raw, "gb2312")
    assert text == "お世話になっております。請求書を送付します"
    assert defects == ("charset.mislabelled",)
    raw = "お世話になっております。請求書を送付します".encode("cp932")
    assert decode_text(raw, "gb2312") == (
        "お世話になっております。請求書を送付します",
        ("charset.mislabelled",),
    )


def test_8bit_labelled_us_ascii() -> None:
    assert decode_text("テスト".encode(), "us-ascii") == ("テスト", ("charset.mislabelled",))
    assert decode_text("テスト".encode("cp932"), "us-ascii") == ("テスト", ("charset.mislabelled",))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("請求書をお送りします".encode(), "請求書をお送りします"),
        ("請求書をお送りします".encode("cp932"), "請求書をお送りします"),
        ("請求書をお送りします".encode("euc_jp"), "請求書をお送りします"),
        ("テスト".encode("euc_jp"), "テスト"),  # must not become half-width katakana
        ("山田".encode("euc_jp"), "山田"),
        ("①②③".encode("cp932"), "①②③"),
        ("請求書".encode("iso2022_jp"), "請求書"),
    ],
)
def test_undeclared_charset_detection(raw: bytes, expected: str) -> None:
    text, defects = decode_text(raw, None)
    assert text == expected
    if not raw.isascii():
        assert defects == ("charset.undeclared_8bit",)


def test_unknown_charset_label() -> None:
    assert decode_text("エンコードテスト".encode(), "unknown") == (
        "エンコードテスト",
        ("charset.unknown",),
    )
    assert decode_text(b"plain", "x-no-such-charset") == ("plain", ("charset.unknown",))
    # codecs that are not text encodings are never applied to mail bytes
    assert decode_text(b"aGVsbG8=", "base64") == ("aGVsbG8=", ("charset.unknown",))


def test_latin1_fallback_and_western_text() -> None:
    assert decode_text("café crème".encode("latin-1"), None)[0] == "café crème"
    assert decode_text("\u201cquoted\u201d".encode("cp1252"), "iso-8859-1")[0] == "\u201cquoted\u201d"
    assert decode_text("naïve".encode("latin-1"), "iso-8859-1") == ("naïve", ())


def test_garbage_never_raises() -> None:
    for label in (None, "utf-8", "iso-2022-jp", "euc-jp", "shift_jis", "gb2312", "utf-7", "\x00", "a" * 500):
        text, _ = decode_text(bytes(range(256)) * 3, label)
        assert isinstance(text, str)


def test_detect_charset() -> None:
    assert detect_charset("テスト".encode()) == "utf-8"
    assert detect_charset("請求書を送ります".encode("cp932")) == "cp932"
    assert detect_charset("請求書を送ります".encode("euc_jp")) == "euc-jp"
    assert detect_charset(JIS + b"%F%9%H" + ASCII) == "iso-2022-jp"
    assert detect_charset(b"plain") is None
