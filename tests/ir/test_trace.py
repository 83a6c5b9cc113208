"""``emoguard trace``: reading reports and sources in every format, and the ranking model."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

from typer.testing import CliRunner

from emoguard.cli import build_app
from emoguard.ir.trace import SourceBook, Targets, load_source, parse_source_arg, rank, read_reports
from emoguard.testing import MailBuilder

OUTLOOK_JA_HEADER = "名,姓,電子メール アドレス,電子メール 表示名\r\n"


def _spam(to: str, spoofed: str = "山田 太郎", sender: str = "x@y.com.br", subject: str = "RE: 見積書の件",
          attachment: str = "請求書.doc") -> bytes:
    return (MailBuilder(charset="iso-2022-jp").from_((spoofed, sender)).to(to).subject(subject)
            .text("ご確認をお願いします。").attach(b"inert placeholder", attachment).build())


def _outlook_csv(rows: list[tuple[str, str, str]], encoding: str = "cp932") -> bytes:
    text = OUTLOOK_JA_HEADER + "".join(f"{g},{f},{a},{f} {g}\r\n" for g, f, a in rows)
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


# -- reports ---------------------------------------------------------------------------------


def test_forward_with_attached_spam_counts_recipient_forwarder_and_spoofed_name(tmp_path: Path) -> None:
    spam = _spam("tanaka@client.co.jp", spoofed="佐藤 花子 <sato@own.co.jp>")
    fwd = (MailBuilder().from_(("田中", "tanaka@client.co.jp")).to("info@own.co.jp").subject("Fwd: 不審なメール")
           .text("御社から不審なメールが届きました。").attach_message(spam).build())
    (tmp_path / "fwd.eml").write_bytes(fwd)
    tg = read_reports([str(tmp_path / "fwd.eml")], own_domains=("own.co.jp",))
    assert set(tg.addresses) == {"tanaka@client.co.jp", "sato@own.co.jp"}  # the address written in the name
    assert "x@y.com.br" not in tg.addresses  # the unrelated sending account is not a target
    assert list(tg.spoofed.values()) == ["佐藤 花子 <sato@own.co.jp>"]
    assert tg.attachments == {"請求書.doc": 1} and tg.messages == 1 and not tg.problems


def test_inline_forward_outlook_japanese_header_block(tmp_path: Path) -> None:
    body = ("下記のメールが届きました。ご確認ください。\n\n"
            "-----Original Message-----\n差出人: 山田 太郎 <abc@foreign.com.ar>\n送信日時: 2022年3月1日 10:00\n"
            "宛先: 鈴木 一郎 <suzuki@client2.co.jp>; kato@client2.co.jp\n件名: RE: 打ち合わせ\n\nご確認をお願いします\n")
    (tmp_path / "inline.eml").write_bytes(
        MailBuilder().from_("suzuki@client2.co.jp").to("info@own.co.jp").subject("FW: RE: 打ち合わせ").text(body).build())
    tg = read_reports([str(tmp_path / "inline.eml")])
    assert {"suzuki@client2.co.jp", "kato@client2.co.jp"} <= set(tg.addresses)
    assert "abc@foreign.com.ar" not in tg.addresses
    assert "山田 太郎" in tg.spoofed.values() and "RE: 打ち合わせ" in tg.subjects


def test_mbox_of_spam_and_target_csv_with_broken_rows(tmp_path: Path) -> None:
    mbox = b"".join(b"From x@y Mon Jan  1 00:00:00 2024\n" + _spam(f"p{i}@client.co.jp") + b"\n" for i in range(3))
    (tmp_path / "spam.mbox").write_bytes(mbox)
    csv_text = "宛先アドレス,氏名\r\np10@client.co.jp,\r\n\"never closed,\r\n,高橋 三郎\r\nfoo@bar,\r\n"
    (tmp_path / "targets.csv").write_bytes(csv_text.encode("cp932"))
    tg = read_reports([str(tmp_path / "spam.mbox"), str(tmp_path / "targets.csv")])
    assert {"p0@client.co.jp", "p1@client.co.jp", "p2@client.co.jp", "p10@client.co.jp"} <= set(tg.addresses)
    assert "高橋 三郎" in tg.name_labels.values()
    assert any(p.startswith(f"{tmp_path / 'targets.csv'}:3:") for p in tg.problems), tg.problems
    assert any(p.startswith(f"{tmp_path / 'targets.csv'}:5:") for p in tg.problems), tg.problems


def test_unreadable_report_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "ok.eml").write_bytes(_spam("a@client.co.jp"))
    (tmp_path / "empty.eml").write_bytes(b"")
    tg = read_reports([str(tmp_path), str(tmp_path / "missing.eml")])
    assert "a@client.co.jp" in tg.addresses
    assert any("missing.eml" in p for p in tg.problems)
    assert any("empty.eml" in p for p in tg.problems)


# -- sources --------------------------------------------------------------------------------


def test_sources_in_every_address_book_format(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(_outlook_csv([("太郎", "山田", "yamada@p.co.jp"), ("花子", "佐藤", "sato@q.co.jp")]))
    (tmp_path / "b.csv").write_bytes(_outlook_csv([("一郎", "鈴木", "suzuki@r.co.jp")], "utf-16"))
    (tmp_path / "c.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kato Jiro\r\nEMAIL;TYPE=WORK:kato@s.c\r\n o.jp\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:broken\r\nEMAIL:kimura@t.co.jp\r\n"  # no END:VCARD
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ito Goro\r\nEMAIL:ito@u.co.jp\r\nEND:VCARD\r\n")
    (tmp_path / "d.ldif").write_text("dn: cn=Mori\nmail: mori@v.co.jp\ncn: Mori Rokuro\n\n", encoding="utf-8")
    addrs = {}
    problems = []
    for f in ("a.csv", "b.csv", "c.vcf", "d.ldif"):
        b = load_source(f, str(tmp_path / f))
        addrs[f] = b.addresses
        problems += b.problems
    assert addrs["a.csv"] == {"yamada@p.co.jp", "sato@q.co.jp"}
    assert addrs["b.csv"] == {"suzuki@r.co.jp"}
    assert {"kato@s.co.jp", "ito@u.co.jp"} <= addrs["c.vcf"]
    assert addrs["d.ldif"] == {"mori@v.co.jp"}
    assert any(p.startswith(f"{tmp_path / 'c.vcf'}:") for p in problems), problems


def test_mail_store_source_and_folder_of_books(tmp_path: Path) -> None:
    md = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "1:2,S").write_bytes(
        MailBuilder().from_(("山田 太郎", "yamada@p.co.jp")).to("me@own.co.jp").cc("kato@s.co.jp").subject("x").text("y").build())
    b = load_source("PC", str(md))
    assert {"yamada@p.co.jp", "kato@s.co.jp", "me@own.co.jp"} <= b.addresses and b.messages_read == 1
    assert parse_source_arg("PC-07=/x/y.csv") == ("PC-07", "/x/y.csv")
    assert parse_source_arg("/x/pc-08.vcf") == ("pc-08", "/x/pc-08.vcf")


def test_pst_source_reads_contacts_and_mail(corpora: Path) -> None:
    pst = corpora / "outlook_pst" / "java_libpst" / "dist-list.pst"
    b = load_source("PST", str(pst))
    assert b.addresses, b.problems  # distribution-list members and/or mail correspondents


# -- the model --------------------------------------------------------------------------------


def _book(name: str, addrs: list[str]) -> SourceBook:
    b = SourceBook(name, name)
    for a in addrs:
        b.add("", a)
    return b


def test_size_alone_does_not_win_and_common_contacts_do_not_decide() -> None:
    common = [f"colleague{i}@own.co.jp" for i in range(20)]
    leaker = _book("PC-07", common + [f"p{i}@client{i}.co.jp" for i in range(100)])
    huge = _book("SERVER", common + [f"p{i}@client{i}.co.jp" for i in range(0, 100, 2)] +
                 [f"z{i}@else.co.jp" for i in range(20000)])
    other = _book("PC-02", common + [f"q{i}@vendor.co.jp" for i in range(80)])
    tg = Targets()
    for a in [*common[:5], *[f"p{i}@client{i}.co.jp" for i in range(0, 100, 3)], "nobody@nowhere.example"]:
        tg.add_address(a, "r")
    res = rank(tg, [huge, other, leaker])
    first = res.ranking[0]
    assert first.source == "PC-07"
    assert first.addresses_found == 39 and first.exclusive == first.exclusive_addresses == 17
    assert res.unexplained == ["nobody@nowhere.example"]
    assert first.evidence[0] == "PC-07: 39 of 40 targeted addresses, 17 in no other source"
    server = next(r for r in res.ranking if r.source == "SERVER")
    assert server.addresses_found == 22 and server.score < first.score  # more hits than PC-02, but 20k contacts
    # a book that holds everything explains nothing: its score is about 0
    everything = _book("ALL", [a for b in (leaker, huge, other) for a in b.addresses] + ["nobody@nowhere.example"])
    res2 = rank(tg, [everything, leaker])
    assert res2.ranking[0].source == "PC-07" and abs(next(r for r in res2.ranking if r.source == "ALL").score) < 0.01


def test_near_tie_is_said() -> None:
    a = _book("A", [f"p{i}@c.co.jp" for i in range(50)])
    b = _book("B", [f"p{i}@c.co.jp" for i in range(50)])
    tg = Targets()
    for i in range(10):
        tg.add_address(f"p{i}@c.co.jp", "r")
    res = rank(tg, [a, b])
    assert res.ranking[0].tied_with == ("B",) and "near-tie" in res.ranking[0].evidence[-1]


# -- command line ------------------------------------------------------------------------------


def test_cli_json_keys_and_order(tmp_path: Path) -> None:
    leak = [(f"太郎{i}", "山田", f"p{i}@client{i % 9}.co.jp") for i in range(60)]
    other = [(f"次郎{i}", "佐藤", f"q{i}@vendor{i % 4}.co.jp") for i in range(60)] + leak[:6]
    (tmp_path / "pc07.csv").write_bytes(_outlook_csv(leak))
    (tmp_path / "pc02.csv").write_bytes(_outlook_csv(other, "utf-16"))
    rep = tmp_path / "reports"
    rep.mkdir()
    for i in range(0, 60, 4):
        (rep / f"{i}.eml").write_bytes(_spam(f"p{i}@client{i % 9}.co.jp", spoofed=f"山田 太郎{i + 1}"))
    (rep / "bad.csv").write_bytes(b"address\r\n\xff\xfe\x00broken\r\n")
    res = CliRunner().invoke(build_app("en"), ["trace", "--reports", str(rep), "--source",
                                               f"PC-07={tmp_path / 'pc07.csv'}", f"PC-02={tmp_path / 'pc02.csv'}",
                                               "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["source"] for r in doc["ranking"]] == ["PC-07", "PC-02"]
    first = doc["ranking"][0]
    assert {"source", "score", "coverage", "exclusive", "evidence"} <= set(first)
    assert first["coverage"] == 1.0 and first["exclusive"] == 26 and first["exclusive_addresses"] == 13
    assert first["evidence"][0] == "PC-07: 15 of 15 targeted addresses, 13 in no other source"
    assert len(first["spoofed_names_seen"]) == 15
    assert doc["ranking"][0]["score"] > doc["ranking"][1]["score"]


def test_cli_text_and_html(tmp_path: Path) -> None:
    (tmp_path / "pc.csv").write_bytes(_outlook_csv([("太郎", "山田", "p1@client.co.jp")]))
    (tmp_path / "r.eml").write_bytes(_spam("p1@client.co.jp", spoofed="<b>山田</b> 太郎"))
    app = build_app("ja")
    res = CliRunner().invoke(app, ["trace", "-r", str(tmp_path / "r.eml"), "-s", f"PC-01={tmp_path / 'pc.csv'}"])
    assert res.exit_code == 0 and "PC-01" in res.stdout and "攻撃対象のアドレス 1 件中 1 件" in res.stdout
    out = tmp_path / "t.html"
    res = CliRunner().invoke(app, ["trace", "-r", str(tmp_path / "r.eml"), "-s", f"PC-01={tmp_path / 'pc.csv'}",
                                   "-f", "html", "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    assert res.exit_code == 0 and "PC-01" in page and "<script" not in page and "&lt;b&gt;" in page
    res = CliRunner().invoke(app, ["trace", "-r", str(tmp_path / "r.eml")])
    assert res.exit_code == 2


def test_spam_attached_as_a_plain_file_and_outlook_msg_forward(tmp_path: Path, corpora: Path) -> None:
    spam = _spam("kimura@client9.co.jp", spoofed="高橋 三郎")
    fwd = (MailBuilder().from_("kimura@client9.co.jp").to("info@own.co.jp").subject("転送")
           .text("添付のメールが届きました").attach(spam, "spam.eml", "application/octet-stream").build())
    (tmp_path / "fwd.eml").write_bytes(fwd)
    tg = read_reports([str(tmp_path / "fwd.eml")])
    assert tg.messages == 1 and "高橋 三郎" in tg.spoofed.values() and "kimura@client9.co.jp" in tg.addresses
    # an Outlook .msg forward with the original attached as an embedded .msg
    tg = read_reports([str(corpora / "outlook_msg" / "msgreader" / "msgInMsg.msg")])
    assert tg.messages == 1 and tg.addresses and not tg.problems
