"""Identity features against a contacts directory (INDICATORS a1, b2, a5; lookalikes)."""

from __future__ import annotations

from typing import Any

from emoguard.contacts import Directory, directory_from_mapping
from emoguard.features.registry import Features
from emoguard.model import Context
from emoguard.parse import parse_message
from emoguard.testing import MailBuilder

ME = ("田中 一郎", "tanaka@example.co.jp")
DIR = directory_from_mapping({
    "contacts": [
        {"name": "山田 太郎", "address": "yamada@partner.co.jp"},
        {"name": "山田 太郎", "address": "taro.yamada@gmail.com"},
        {"name": "佐藤 花子", "address": "sato@supplier.co.jp"},
    ],
    "sent_message_ids": ["<s1@example.co.jp>"],
    "own_domains": ["example.co.jp"],
})


def fx(frm: tuple[str, str], *, body: str = "ご確認ください。", directory: Any = DIR,
       own: tuple[str, ...] = (), **kw: Any) -> Features:
    b = MailBuilder().from_(frm).to(ME).subject(kw.get("subject", "RE: お見積り")).text(body)
    if "in_reply_to" in kw:
        b.in_reply_to(kw["in_reply_to"])
    if "references" in kw:
        b.references(*kw["references"])
    if "reply_to" in kw:
        b.reply_to(kw["reply_to"])
    ctx = Context(directory=directory, own_domains=own, known_message_ids=kw.get("known", frozenset()))
    return Features(parse_message(b.build()), ctx)


def test_without_directory_everything_is_quiet() -> None:
    f = fx(("山田 太郎", "x@evil.example"), directory=None)
    for name in ("identity.has_directory", "identity.known_sender", "identity.first_contact",
                 "identity.reply_to_unknown_thread"):
        assert f[name] is False
    for name in ("identity.name_known_other_address", "identity.lookalike_domains", "identity.name_addresses"):
        assert f[name] == ()
    assert fx(("山田 太郎", "x@evil.example"), directory=Directory.empty())["identity.has_directory"] is False
    assert not f.errors


def test_name_known_other_address() -> None:
    f = fx(("山田 太郎", "contato@lojaexemplo.com.br"))
    assert f["identity.has_directory"] and not f["identity.known_sender"]
    assert f["identity.name_known_other_address"] == (
        "山田 太郎 is known as taro.yamada@gmail.com",
        "山田 太郎 is known as yamada@partner.co.jp",
    )
    assert fx(("山田　太郎 様", "x@evil.example"))["identity.name_known_other_address"]
    # the real address, a second known address, a colleague on the same domain: quiet
    assert fx(("山田 太郎", "yamada@partner.co.jp"))["identity.name_known_other_address"] == ()
    assert fx(("山田 太郎", "taro.yamada@gmail.com"))["identity.name_known_other_address"] == ()
    assert fx(("山田 太郎", "t-yamada@partner.co.jp"))["identity.name_known_other_address"] == ()
    # name order and unknown names are not guessed
    assert fx(("太郎 山田", "x@evil.example"))["identity.name_known_other_address"] == ()


def test_body_names_real_address() -> None:
    quote = "\n\n-----Original Message-----\n差出人: 山田 太郎 <yamada@partner.co.jp>\n件名: お見積り\n"
    f = fx(("山田 太郎", "x@evil.example"), body="ご確認ください。" + quote)
    assert f["identity.body_names_real_address"] == ("yamada@partner.co.jp",)
    assert fx(("山田 太郎", "yamada@partner.co.jp"), body=quote)["identity.body_names_real_address"] == ()
    # fallback without a directory: the name on the address's line, or romaji in the local part
    g = fx(("鈴木 一郎", "x@evil.example"), body="鈴木 一郎 <suzuki@kaisha.co.jp>\n", directory=None)
    assert g["identity.body_names_real_address"] == ("suzuki@kaisha.co.jp",)
    h = fx(("Ichiro Suzuki", "x@evil.example"), body="contact: i.suzuki@kaisha.co.jp\n", directory=None)
    assert h["identity.body_names_real_address"] == ("i.suzuki@kaisha.co.jp",)
    other = fx(("鈴木 一郎", "x@evil.example"), body="田中様 tanaka@example.co.jp\n", directory=None)
    assert other["identity.body_names_real_address"] == ()
    same = fx(("鈴木 一郎", "suzuki@kaisha.co.jp"), body="鈴木 一郎 <ichiro@mail.kaisha.co.jp>\n", directory=None)
    assert same["identity.body_names_real_address"] == ()


def test_first_contact() -> None:
    assert fx(("高橋", "takahashi@new-trading.co.jp"))["identity.first_contact"] is True
    assert fx(("x", "someone@gmail.com"))["identity.first_contact"] is True  # freemail domain says nothing
    assert fx(("佐藤 花子", "sato@supplier.co.jp"))["identity.first_contact"] is False
    assert fx(("伊藤", "ito@partner.co.jp"))["identity.first_contact"] is False  # known company
    assert fx(("同僚", "dokyo@example.co.jp"))["identity.first_contact"] is False  # own domain


def test_lookalike_domains() -> None:
    assert fx(("山田 太郎", "yamada@partnor.co.jp"))["identity.lookalike_domains"] == ("partnor.co.jp ~ partner.co.jp",)
    assert fx(("経理", "keiri@examp1e.co.jp"))["identity.lookalike_domains"] == ("examp1e.co.jp ~ example.co.jp",)
    idn = "xn--" + "suppliеr".encode("punycode").decode() + ".co.jp"  # Cyrillic е
    f = fx(("佐藤 花子", "sato@supplier.co.jp"), reply_to=("佐藤", f"sato@{idn}"))
    assert f["identity.lookalike_domains"] == (f"{idn} ~ supplier.co.jp",)
    g = fx(("佐藤 花子", "sato@supplier.co.jp"), reply_to=("佐藤", "sato@supp1ier.co.jp"))
    assert g["identity.lookalike_domains"] == ("supp1ier.co.jp ~ supplier.co.jp",)
    assert fx(("山田 太郎", "yamada@partner.co.jp"))["identity.lookalike_domains"] == ()
    assert fx(("x", "x@lojaexemplo.com.br"))["identity.lookalike_domains"] == ()
    # own domains are protected even without a directory
    assert fx(("x", "x@examp1e.co.jp"), directory=None, own=("example.co.jp",))["identity.lookalike_domains"]


def test_reply_to_unknown_thread() -> None:
    assert fx(("山田 太郎", "yamada@partner.co.jp"), in_reply_to="<zz@evil>")["identity.reply_to_unknown_thread"]
    f = fx(("山田 太郎", "yamada@partner.co.jp"), in_reply_to="<zz@evil>", references=["<zz@evil>"])
    assert f["identity.unknown_thread_references"] == ("<zz@evil>",)
    ok = fx(("山田 太郎", "yamada@partner.co.jp"), in_reply_to="<x@y>", references=["<s1@Example.CO.JP>", "<x@y>"])
    assert ok["identity.reply_to_unknown_thread"] is False
    assert fx(("山田 太郎", "yamada@partner.co.jp"))["identity.reply_to_unknown_thread"] is False  # not a reply
    known = fx(("a", "a@b.example"), in_reply_to="<k@example.co.jp>", directory=None,
               known=frozenset({"<k@example.co.jp>"}))
    assert known["identity.reply_to_unknown_thread"] is False
    internal = fx(("同僚", "dokyo@example.co.jp"), in_reply_to="<zz@evil>")
    assert internal["identity.reply_to_unknown_thread"] is False


def test_passing_spf_dkim_dmarc_never_lowers_the_score() -> None:
    from emoguard.engine import Engine

    engine = Engine.load(search_defaults=False)

    def build(auth: bool) -> bytes:
        b = MailBuilder().from_(("山田 太郎", "contato@lojaexemplo.com.br")).to(ME).subject("RE: お見積り")
        if auth:
            b.header("Authentication-Results", "mx.example.co.jp; spf=pass smtp.mailfrom=lojaexemplo.com.br; "
                     "dkim=pass header.d=lojaexemplo.com.br; dmarc=pass header.from=lojaexemplo.com.br", top=True)
            b.header("Received-SPF", "pass (lojaexemplo.com.br: 192.0.2.7 is authorized)", top=True)
        return b.text("ご確認をお願いします。").build()

    plain = engine.analyze(build(False), Context(directory=DIR))
    signed = engine.analyze(build(True), Context(directory=DIR))
    assert "identity.name_known_other_address" in {h.rule for h in signed.hits}
    assert signed.score >= plain.score and signed.level == plain.level == "malicious"


def test_freemail_and_known_sender_edges() -> None:
    # the person's known address is on gmail.com: another gmail.com account is a stranger
    f = fx(("山田 太郎", "yamada.t.1999@gmail.com"))
    assert f["identity.name_known_other_address"] == (
        "山田 太郎 is known as taro.yamada@gmail.com",
        "山田 太郎 is known as yamada@partner.co.jp",
    )
    # a known sender whose signature lists a private address is not b2
    sig = "佐藤 花子\nsato@supplier.co.jp / 私用: 佐藤 花子 <hanako.sato@example.net>\n"
    assert fx(("佐藤 花子", "sato@supplier.co.jp"), body=sig)["identity.body_names_real_address"] == ()
    assert fx(("Ichiro Suzuki", "x@evil.example"), body="li@kaisha.co.jp\n", directory=None)[
        "identity.body_names_real_address"] == ()
