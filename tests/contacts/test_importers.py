"""Address-book importers: formats and encodings as Japanese Windows writes them, and
broken input named by file:line and skipped."""

from __future__ import annotations

import base64
import codecs
from pathlib import Path

from emoguard.contacts import import_bytes, import_file
from emoguard.contacts.importers import decode_bytes, sniff_format

OUTLOOK_JA_HEADER = (
    "敬称,名,ミドル ネーム,姓,敬称 (英語),会社名,部署,役職,番地 (会社),電子メール アドレス,"
    "電子メールの種類,電子メール表示名,電子メール 2 アドレス,電子メール 3 アドレス"
)


def _pairs(res) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(c.name, c.address) for c in res.contacts]


def test_outlook_japanese_cp932(tmp_path: Path) -> None:
    text = "\r\n".join([
        OUTLOOK_JA_HEADER,
        ",太郎,,山田,,パートナー㈱,営業部,,,yamada@partner.co.jp,SMTP,山田 太郎 (yamada@partner.co.jp),taro.yamada@partner.example,",
        ",花子,,佐藤,,サプライヤー,,,,sato@supplier.co.jp,SMTP,,,",
        ",一郎,,鈴木,,,,,,,,,,",  # no address: a phone-only contact, not a problem
    ]) + "\r\n"
    p = tmp_path / "連絡先.CSV"
    p.write_bytes(text.encode("cp932"))
    res = import_file(p)
    assert res.format == "csv/outlook" and res.encoding == "cp932"
    assert _pairs(res) == [
        ("山田 太郎", "yamada@partner.co.jp"),
        ("山田 太郎", "taro.yamada@partner.example"),
        ("佐藤 花子", "sato@supplier.co.jp"),
    ]
    assert res.problems == ()
    assert res.contacts[2].line == 3


def test_outlook_utf16_bom_tab_separated(tmp_path: Path) -> None:
    rows = [
        "名\t姓\t電子メール アドレス\t電子メール表示名",
        "太郎\t山田\tyamada@partner.co.jp\t山田 太郎 (yamada@partner.co.jp)",
        "花子\t佐藤\tnot-an-address\t",
    ]
    p = tmp_path / "contacts.txt"
    p.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(rows).encode("utf-16-le"))
    res = import_file(p)
    assert res.encoding == "utf-16"
    assert _pairs(res) == [("山田 太郎", "yamada@partner.co.jp")]
    assert res.problems == (f"{p}:3: 'not-an-address' is not an e-mail address; skipped",)


def test_outlook_english_utf8_bom_with_broken_row(tmp_path: Path) -> None:
    text = (
        "First Name,Middle Name,Last Name,E-mail Address,E-mail Display Name\n"
        "Taro,,Yamada,yamada@partner.co.jp,Taro Yamada (yamada@partner.co.jp)\n"
        "Broken,,Row,a@b.example,x,unexpected,extra\n"
        '"Multi\nLine",,Note,note@c.example,\n'
        "Hanako,,Sato,sato@supplier.co.jp,\n"
    )
    p = tmp_path / "outlook.csv"
    p.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    res = import_file(p)
    assert res.format == "csv/outlook"
    assert _pairs(res) == [
        ("Taro Yamada", "yamada@partner.co.jp"),
        ("Multi Line Note", "note@c.example"),
        ("Hanako Sato", "sato@supplier.co.jp"),
    ]
    assert len(res.problems) == 1 and res.problems[0].startswith(f"{p}:3: 7 fields")
    assert res.contacts[2].line == 6  # the quoted newline counts as a line


def test_google_and_thunderbird_csv() -> None:
    google = (
        "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value\n"
        "山田 太郎,太郎,山田,* Work,yamada@partner.co.jp ::: t.yamada@partner.co.jp,Home,taro@gmail.com\n"
    ).encode()
    res = import_bytes(google, "google.csv")
    assert res.format == "csv/google"
    assert sorted(a for _, a in _pairs(res)) == ["t.yamada@partner.co.jp", "taro@gmail.com", "yamada@partner.co.jp"]
    assert res.problems == ()
    named = import_bytes(b"Name,E-mail\nTaro Yamada,Taro Yamada <yamada@partner.co.jp>\n", "plain.csv")
    assert _pairs(named) == [("Taro Yamada", "yamada@partner.co.jp")] and named.problems == ()
    thunder = (
        "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email\n"
        "花子,佐藤,佐藤 花子,,sato@supplier.co.jp,\n"
    ).encode()
    res = import_bytes(thunder, "tb.csv")
    assert res.format == "csv/thunderbird"
    assert _pairs(res) == [("佐藤 花子", "sato@supplier.co.jp")]


def test_csv_without_email_column_is_named() -> None:
    res = import_bytes("会社名,電話\nパートナー,03-0000-0000\n".encode("cp932"), "phones.csv")
    assert res.contacts == ()
    assert res.problems[0].startswith("phones.csv:1: not an address book")


def test_vcard_3_and_4_folded_multiple_email() -> None:
    vcf = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\n"
        "EMAIL;TYPE=INTERNET,WORK:yamada@part\r\n ner.co.jp\r\nEMAIL;TYPE=HOME:taro@example.net\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Hanako Sato\r\nitem1.EMAIL;PREF=1:sato@supplier.co.jp\r\nEND:VCARD\r\n"
    ).encode()
    res = import_bytes(vcf, "a.vcf")
    assert res.format == "vcard" and res.problems == ()
    assert _pairs(res) == [
        ("山田 太郎", "yamada@partner.co.jp"),
        ("山田 太郎", "taro@example.net"),
        ("Hanako Sato", "sato@supplier.co.jp"),
    ]


def test_vcard_21_quoted_printable_shift_jis() -> None:
    qp_name = "".join(f"={b:02X}" for b in "山田 太郎".encode("cp932"))
    vcf = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{qp_name[:12]}=\r\n{qp_name[12:]}\r\n"
        "EMAIL;INTERNET;PREF:yamada@partner.co.jp\r\nEND:VCARD\r\n"
    ).encode("ascii")
    res = import_bytes(vcf, "k.vcf")
    assert _pairs(res) == [("山田 太郎", "yamada@partner.co.jp")]


def test_vcard_raw_shift_jis_and_broken_cards() -> None:
    vcf = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:佐藤 花子\nEMAIL:sato@supplier.co.jp\n"  # END missing
        "BEGIN:VCARD\nVERSION:3.0\nFN:鈴木\nthis line has no colon\nEMAIL:bad address\nEND:VCARD\n"
        "stray text\n"
        "BEGIN:VCARD\nFN:伊藤\nEMAIL:ito@partner.co.jp\nEND:VCARD\n"
    ).encode("cp932")
    res = import_bytes(vcf, "b.vcf")
    assert res.encoding == "cp932"
    assert _pairs(res) == [("佐藤 花子", "sato@supplier.co.jp"), ("伊藤", "ito@partner.co.jp")]
    assert res.problems == (
        "b.vcf:1: card has no END:VCARD (read up to line 4)",
        "b.vcf:8: not a vCard property line; skipped",
        "b.vcf:9: 'bad address' is not an e-mail address; skipped",
        "b.vcf:11: text outside any card; skipped",
    )


def test_ldif_base64_and_folded() -> None:
    cn = base64.b64encode("山田 太郎".encode()).decode()
    ldif = (
        "version: 1\n\n"
        f"dn: cn=yamada,mail=yamada@partner.co.jp\nobjectclass: person\ncn:: {cn}\n"
        "mail: yamada@part\n ner.co.jp\nmozillaSecondEmail: taro@example.net\n\n"
        "dn: cn=broken\ncn:: !!!notbase64\nmail: x@y.example\n\n"
        "dn: cn=sato\ngivenName: Hanako\nsn: Sato\nmail: sato@supplier.co.jp\n"
    ).encode()
    res = import_bytes(ldif, "tb.ldif")
    assert res.format == "ldif"
    assert _pairs(res) == [
        ("山田 太郎", "yamada@partner.co.jp"),
        ("山田 太郎", "taro@example.net"),
        ("", "x@y.example"),
        ("Hanako Sato", "sato@supplier.co.jp"),
    ]
    assert res.problems == ("tb.ldif:11: bad base64 value for 'cn'; skipped",)


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    assert import_file(tmp_path / "missing.csv").problems[0].startswith(f"{tmp_path / 'missing.csv'}: cannot read")
    (tmp_path / "e.csv").write_bytes(b"")
    assert import_file(tmp_path / "e.csv").problems == (f"{tmp_path / 'e.csv'}: empty file",)


def test_decode_and_sniff() -> None:
    assert decode_bytes("あ".encode("cp932"))[1] == "cp932"
    assert decode_bytes("a,b".encode("utf-16-le"))[1] == "utf-16-le"
    assert sniff_format("\n# comment\nBEGIN:VCARD\n") == "vcard"
    assert sniff_format("dn: cn=x\n") == "ldif"
    assert sniff_format("Name,E-mail\n") == "csv"


def test_outlook_pst_contacts_and_distribution_lists(corpora: Path) -> None:
    from emoguard.contacts.importers import import_file

    for name in ("dist-list.pst", "passworded.pst"):
        r = import_file(corpora / "outlook_pst" / "java_libpst" / name)
        assert r.format == "pst" and r.problems == ()
        pairs = {(c.name, c.address) for c in r.contacts}
        assert ("contact name 1", "contact1@rjohnson.id.au") in pairs
        assert {"dist1@rjohnson.id.au", "dist2@rjohnson.id.au"} <= {c.address for c in r.contacts}
