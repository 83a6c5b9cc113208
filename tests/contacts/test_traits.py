"""What the directory learns beyond names: the first external hop and signature phones."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.contacts import DirectoryBuilder, directory_from_mapping
from emoguard.contacts.traits import first_external_hop, format_phone, signature_phones
from emoguard.parse import parse_message
from emoguard.sinks.store import Store
from emoguard.testing import MailBuilder

OWN = ("example.co.jp",)


def _mail(received: list[str], frm: tuple[str, str] = ("山田 太郎", "yamada@partner.co.jp"), text: str = "本文\n",
          seed: int = 0) -> bytes:
    b = MailBuilder(seed=seed).from_(frm).to("tanaka@example.co.jp").subject("件名").text(text)
    for r in received:  # top first, as in the mail (each added below the previous one)
        b.header("Received", r, top=True)
    return b.build()


@pytest.mark.parametrize(("received", "host", "provider", "net"), [
    # our MX (private address) first, then the partner's relay
    (["from mx.example.co.jp (mx.example.co.jp [10.1.2.3]) by mbox.example.co.jp with ESMTP; x",
      "from mail.partner.co.jp (mail.partner.co.jp [203.0.113.10]) by mx.example.co.jp with ESMTPS; x",
      "from [192.168.1.20] (unknown [192.168.1.20]) by mail.partner.co.jp with ESMTPA; x"],
     "mail.partner.co.jp [203.0.113.10]", "partner.co.jp", "203.0.0.0/16"),
    # reverse DNS wins over HELO; a public own-domain relay is internal too
    (["from relay.example.co.jp (relay.example.co.jp [198.51.100.1]) by mx.example.co.jp; x",
      "from helo.other.example (nx3obp01-01.ezweb.ne.jp [59.135.39.205]) by relay.example.co.jp; x"],
     "nx3obp01-01.ezweb.ne.jp [59.135.39.205]", "ezweb.ne.jp", "59.135.0.0/16"),
    # qmail: HELO in parentheses, bare address
    (["from unknown (HELO rhenium.btinternet.com) (194.73.73.93) by mta3.example.com with SMTP; x"],
     "rhenium.btinternet.com [194.73.73.93]", "btinternet.com", "194.73.0.0/16"),
    # only an address: the provider is the network
    (["from [198.51.100.77] (unknown [198.51.100.77]) by smtp.lojaexemplo.com.br with ESMTPA; x"],
     "[198.51.100.77]", "198.51.0.0/16", "198.51.0.0/16"),
    # IPv6
    (["from mail-yw1.google.com (mail-yw1.google.com [2607:f8b0:4864:20::b2a]) by mx.example.co.jp; x"],
     "mail-yw1.google.com [2607:f8b0:4864:20::b2a]", "google.com", "2607:f8b0::/32"),
])
def test_first_external_hop(received: list[str], host: str, provider: str, net: str) -> None:
    hop = first_external_hop(parse_message(_mail(received)), OWN)
    assert hop is not None
    assert (hop.describe(), hop.provider, hop.net) == (host, provider, net)


@pytest.mark.parametrize("received", [
    [],
    ["from localhost (localhost [127.0.0.1]) by mx.example.co.jp; x", "(qmail 76099 invoked from network); x"],
    ["by mx.example.co.jp with LMTP; x"],
    ["from phobos [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0); x"],
])
def test_no_external_hop(received: list[str]) -> None:
    assert first_external_hop(parse_message(_mail(received)), OWN) is None


def test_signature_phones() -> None:
    sig = ("田中様\n本文です。\n\n--\n山田 太郎\nTEL: 03-1234-5678 FAX: 03-1234-5679\n"
           "携帯：０９０－１２３４－５６７８\n〒530-0001 大阪市北区梅田1-1-3\n")
    assert signature_phones(sig) == ("0312345678", "0312345679", "09012345678")
    assert signature_phones("TEL (06)6123-4567 / +81-45-987-6543\nTel:+81 90 1234 5678") == (
        "0661234567", "0459876543", "09012345678")
    assert signature_phones("フリーダイヤル 0120-775-200") == ("0120775200",)
    # dates, postal codes, order numbers, short or long digit runs are not phones
    assert signature_phones("2020-09-23\n〒100-0001\n注文番号 0123-4567\n001-234-5678\n03-1234-56789") == ()
    # only the last lines count, and quoted lines never
    assert signature_phones("TEL: 03-1111-2222\n" + "本文\n" * 20) == ()
    assert signature_phones("> TEL: 03-1111-2222\n") == ()
    assert [format_phone(p) for p in ("0312345678", "09012345678", "0120775200", "0459876543")] == [
        "03-1234-5678", "090-1234-5678", "0120-775-200", "045-987-6543"]


def test_learning_counts_hops_and_phones_per_sender(tmp_path: Path) -> None:
    relay = "from mail.partner.co.jp (mail.partner.co.jp [203.0.113.10]) by mx.example.co.jp with ESMTPS; x"
    text = "お世話になります。\n\n--\n山田 太郎\nTEL: 03-1234-5678\n"
    b = DirectoryBuilder()
    for i in range(3):
        assert b.learn_bytes(_mail([relay], text=text, seed=i), own_domains=OWN)
    # a reply quoting someone else's signature teaches nothing about the quoted number
    b.learn_bytes(_mail([relay], text="了解です。\n\n-----Original Message-----\nTEL: 03-9999-0000\n", seed=5),
                  own_domains=OWN)
    d = b.build()
    assert d.trait("yamada@partner.co.jp", "hop") == {"partner.co.jp": 4}
    assert d.trait("yamada@partner.co.jp", "hopnet") == {"203.0.0.0/16": 4}
    assert d.trait("yamada@partner.co.jp", "phone") == {"0312345678": 3}
    assert d.trait("tanaka@example.co.jp", "hop") == {}  # recipients get nothing
    # the store keeps them (migration 5) and adds up on a second run
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_contacts(b)
        store.save_contacts(b)
        again = store.load_directory()
        (version,) = store.db.execute("PRAGMA user_version").fetchone()
    assert version >= 5
    assert again.trait("yamada@partner.co.jp", "hop") == {"partner.co.jp": 8}
    assert again.trait("YAMADA@partner.co.jp", "phone") == {"0312345678": 6}


def test_traits_from_a_sample_mapping() -> None:
    d = directory_from_mapping({"contacts": [
        {"name": "山田 太郎", "address": "yamada@partner.co.jp", "hops": {"partner.co.jp": 5, "203.0.0.0/16": 5},
         "phones": {"03-1234-5678": 3}},
        {"name": "佐藤 花子", "address": "sato@supplier.co.jp", "phones": ["06-6123-4567"]},
    ]})
    assert d.trait("yamada@partner.co.jp", "hop") == {"partner.co.jp": 5}
    assert d.trait("yamada@partner.co.jp", "hopnet") == {"203.0.0.0/16": 5}
    assert d.trait("yamada@partner.co.jp", "phone") == {"0312345678": 3}
    assert d.trait("sato@supplier.co.jp", "phone") == {"0661234567": 1}
    import pickle

    assert b"0312345678" in pickle.dumps(d)  # plain data, shipped to --jobs workers


def test_list_posts_teach_no_hop() -> None:
    relay = "from lists.example.org (lists.example.org [198.51.100.40]) by mx.example.co.jp with ESMTPS; x"
    raw = (MailBuilder(seed=1).from_(("山田 太郎", "yamada@partner.co.jp")).to("users@lists.example.org")
           .subject("[users] 質問").header("List-Id", "<users.lists.example.org>")
           .header("Received", relay, top=True).text("質問です。\n--\n山田 太郎\nTEL 03-1234-5678\n").build())
    b = DirectoryBuilder()
    b.learn_bytes(raw, own_domains=OWN)
    d = b.build()
    assert d.trait("yamada@partner.co.jp", "hop") == {} and d.trait("yamada@partner.co.jp", "phone")


def test_learned_history_makes_the_hijack_show_its_relay_and_phone() -> None:
    """End to end: learn three real mails of 山田 太郎, then scan an Emotet-style hijack under his name."""
    from emoguard import Engine
    from emoguard.model import Context
    from emoguard.testing import emotet

    relay = "from mail.partner.co.jp (mail.partner.co.jp [203.0.113.10]) by mx.example.co.jp with ESMTPS; x"
    b = DirectoryBuilder()
    for i in range(3):
        b.learn_bytes(_mail([relay], text="田中様\n承知しました。\n\n--\n山田 太郎\nTEL: 03-1234-5678\n", seed=i),
                      own_domains=OWN)
    raw = emotet.thread_hijack_doc(delivered_by="198.51.100.23", signature_phone="03-9876-5432")
    v = Engine.load(search_defaults=False).analyze(raw, Context(directory=b.build(), own_domains=OWN))
    hits = {h.rule: h for h in v.hits}
    assert "smtp.comercial-exemplo.com.br [198.51.100.23]" in hits["identity.unusual_first_hop"].evidence[0]
    assert "partner.co.jp (3 mails)" in hits["identity.unusual_first_hop"].evidence[0]
    assert hits["identity.signature_phone_changed"].evidence == (
        "signature phone 03-9876-5432; yamada@partner.co.jp signed with 03-1234-5678 before",)
    assert v.level == "malicious"
