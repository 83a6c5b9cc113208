"""Directory, builder, normalisation and the SQLite persistence."""

from __future__ import annotations

import pickle
from pathlib import Path

from emoguard.contacts import Directory, DirectoryBuilder, directory_from_mapping
from emoguard.contacts.normalize import (
    decode_idn,
    edit_distance,
    lookalike,
    normalize_message_id,
    normalize_name,
    registrable_domain,
    skeleton,
)
from emoguard.parse import parse_message
from emoguard.sinks.store import DB_NAME, Store
from emoguard.testing import MailBuilder

OWN = ("example.co.jp",)


def _sent(seed: int, to: tuple[str, str], mid: str, date: str = "Tue, 01 Sep 2020 10:15:00 +0900") -> bytes:
    return (MailBuilder(seed=seed).from_(("田中 一郎", "tanaka@example.co.jp")).to(to)
            .cc(("経理", "keiri@example.co.jp")).subject("お見積り").message_id(mid).date(date)
            .text("よろしくお願いします。").build())


def _received(seed: int, frm: tuple[str, str], date: str = "Thu, 24 Sep 2020 10:15:00 +0900") -> bytes:
    return (MailBuilder(seed=seed).from_(frm).to(("田中 一郎", "tanaka@example.co.jp"))
            .subject("RE: お見積り").date(date).text("添付します。").build())


def test_normalize_name() -> None:
    assert normalize_name("山田　太郎 様") == normalize_name("山田太郎") == "山田太郎"
    assert normalize_name("ＹＡＭＡＤＡ Taro さん") == "yamadataro"
    assert normalize_name("'山田 太郎 (yamada@partner.co.jp)'") == "山田太郎"
    assert normalize_name("太郎 山田") != normalize_name("山田 太郎")  # order is never guessed
    assert normalize_name("Info") == normalize_name("営業部") == normalize_name("様") == ""


def test_domains_and_lookalikes() -> None:
    assert registrable_domain("mail.partner.co.jp") == "partner.co.jp"
    assert registrable_domain("smtp.lojaexemplo.com.br") == "lojaexemplo.com.br"
    assert registrable_domain("a.b.example.com") == "example.com"
    assert edit_distance("partner", "partnre") == 1 and edit_distance("partner", "xyz", 3) == 3
    assert skeleton("rnicrosoft") == skeleton("microsoft")
    assert skeleton("examp1e") == skeleton("example") and skeleton("раrtner") == skeleton("partner")
    assert decode_idn("xn--80ak6aa92e.com") == "аррӏе.com"
    assert lookalike("partnor.co.jp", "partner.co.jp")
    assert lookalike("xn--80ak6aa92e.com", "apple.com")  # Cyrillic "аррӏе"
    assert lookalike("rnicrosoft.com", "microsoft.com")
    assert lookalike("supplierr.com", "supplier.co.jp")
    assert not lookalike("mail.partner.co.jp", "partner.co.jp")  # subdomain: same company
    assert not lookalike("partner.com", "partner.co.jp")  # same name, other suffix
    assert not lookalike("sony.com", "song.com")  # short labels: only confusables count
    assert not lookalike("lojaexemplo.com.br", "partner.co.jp")


def test_message_id_normalisation() -> None:
    assert normalize_message_id(" <Abc.1@MX.Example.CO.JP> ") == "<Abc.1@mx.example.co.jp>"
    assert normalize_message_id("abc@x") == "<abc@x>"


def test_learn_counts_sent_ids_and_lookups() -> None:
    b = DirectoryBuilder()
    b.learn(parse_message(_sent(1, ("山田 太郎", "yamada@partner.co.jp"), "<s1@example.co.jp>")), own_domains=OWN)
    b.learn(parse_message(_received(2, ("山田 太郎 様", "Yamada@Partner.co.jp"))), own_domains=OWN)
    b.learn(parse_message(_received(3, ("Gmail User", "someone@gmail.com"))), own_domains=OWN)
    b.add_contact("佐藤 花子", "mailto:sato@supplier.co.jp", source="import:vcard")
    assert not b.add_contact("x", "not an address", source="import:csv")
    d = b.build()
    assert d.addresses_for_name("山田太郎") == frozenset({"yamada@partner.co.jp"})
    assert d.addresses_for_name("山田　太郎さん") == frozenset({"yamada@partner.co.jp"})
    assert d.addresses_for_name("太郎 山田") == frozenset()
    assert set(d.names_for_address("yamada@partner.co.jp")) == {"山田 太郎", "山田 太郎 様"}
    s = d.stats("YAMADA@partner.co.jp")
    assert s is not None and s.count == 2 and s.correspondent
    assert (s.first_seen, s.last_seen) == ("2020-09-01T01:15:00Z", "2020-09-24T01:15:00Z")
    assert d.knows_address("sato@supplier.co.jp") and not d.knows_address("x@partner.co.jp")
    assert d.known_domains == frozenset({"partner.co.jp", "supplier.co.jp"})  # freemail and own left out
    assert d.knows_domain("mail.partner.co.jp") and d.knows_domain("example.co.jp")
    assert not d.knows_domain("gmail.com")
    assert d.is_sent_id("<s1@EXAMPLE.co.jp>") and not d.is_sent_id("<x@example.co.jp>")
    assert d.own_domains == OWN
    # kept compact and picklable: it travels to scan workers inside Context (loading in a
    # worker is exercised by the `scan -j 2` CLI test)
    assert len(pickle.dumps(d)) < 2000


def test_from_mapping_and_empty() -> None:
    d = directory_from_mapping({"contacts": [{"name": "山田 太郎", "address": "yamada@partner.co.jp"}],
                                "sent_message_ids": ["<a@example.co.jp>"], "own_domains": ["example.co.jp"]})
    assert d.addresses_for_name("山田 太郎") and d.has_sent_ids and not d.is_empty
    assert Directory.empty().is_empty and len(Directory.empty()) == 0


def test_store_round_trip_merges(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert Directory.load(state).is_empty
    assert not (state / DB_NAME).exists()  # loading never creates a store
    b = DirectoryBuilder()
    b.learn(parse_message(_sent(1, ("山田 太郎", "yamada@partner.co.jp"), "<s1@example.co.jp>")), own_domains=OWN)
    with Store.open(state) as st:
        assert not st.has_contacts()
        st.save_contacts(b)
        assert st.has_contacts()
    b2 = DirectoryBuilder()
    b2.learn(parse_message(_sent(4, ("山田 太郎", "yamada@partner.co.jp"), "<s2@example.co.jp>",
                                 "Mon, 05 Oct 2020 09:00:00 +0900")), own_domains=OWN)
    b2.add_contact("山田 太郎", "yamada@partner.co.jp", source="import:csv/outlook")
    with Store.open(state) as st:
        st.save_contacts(b2)
        st.save_contacts(DirectoryBuilder())  # nothing new: a no-op
    d = Directory.load(state)
    s = d.stats("yamada@partner.co.jp")
    assert s is not None and s.count == 2 and s.last_seen == "2020-10-05T00:00:00Z"
    assert s.sources == ("import:csv/outlook", "sent")
    assert d.is_sent_id("<s1@example.co.jp>") and d.is_sent_id("<s2@example.co.jp>")
    assert d.own_domains == OWN  # remembered from `learn`
    assert Directory.load(state, own_domains=["example.com"]).own_domains == ("example.co.jp", "example.com")


def test_indexed_lookalikes_agree_with_pairwise() -> None:
    from emoguard.contacts.normalize import lookalikes

    targets = frozenset({"partner.co.jp", "supplier.co.jp", "example.co.jp", "apple.com", "microsoft.com"})
    for cand in ("partnor.co.jp", "supp1ier.co.jp", "examp1e.co.jp", "xn--80ak6aa92e.com", "rnicrosoft.com",
                 "partner.co.jp", "mail.partner.co.jp", "partner.com", "lojaexemplo.com.br", "abc.jp"):
        assert lookalikes(cand, targets) == sorted(t for t in targets if lookalike(cand, t)), cand


def test_person_keys_and_trusted_addresses() -> None:
    from emoguard.contacts.directory import person_key

    assert person_key("山田 太郎") == "山田太郎" and person_key("Taro Yamada") == "taroyamada"
    assert person_key("佐藤") == "" and person_key("yamada") == "" and person_key("info", "info@x.jp") == ""
    assert person_key("株式会社パートナー") == "株式会社パートナー"
    b = DirectoryBuilder()
    b.learn(parse_message(_sent(1, ("山田 太郎", "yamada@partner.co.jp"), "<s1@example.co.jp>")), own_domains=OWN)
    # the inbox already holds a spoof and a mail from the partner's second office address
    b.learn(parse_message(_received(2, ("山田 太郎", "contato@lojaexemplo.com.br"))), own_domains=OWN)
    b.learn(parse_message(_received(3, ("山田 太郎", "t.yamada@osaka.partner.co.jp"))), own_domains=OWN)
    d = b.build()
    assert d.addresses_for_name("山田 太郎") == frozenset({"yamada@partner.co.jp", "t.yamada@osaka.partner.co.jp"})
    assert d.knows_address("contato@lojaexemplo.com.br")  # seen, but not as 山田 太郎's address
    # with no trusted address at all, everything seen counts
    b2 = DirectoryBuilder()
    b2.learn(parse_message(_received(2, ("山田 太郎", "yamada@partner.co.jp"))), own_domains=OWN)
    assert b2.build().addresses_for_name("山田 太郎") == frozenset({"yamada@partner.co.jp"})


def test_learn_bytes_reads_a_bounded_prefix() -> None:
    from emoguard.contacts.directory import LEARN_PREFIX, headers_only

    raw = _sent(1, ("山田 太郎", "yamada@partner.co.jp"), "<s1@example.co.jp>")
    assert headers_only(raw) == raw[: raw.index(b"\r\n\r\n") + 4] != raw
    # a huge attachment after the text part is not read (the signature comes first)
    big = (MailBuilder(seed=9).from_(("山田 太郎", "yamada@partner.co.jp")).to("tanaka@example.co.jp")
           .subject("資料").text("資料です。\n--\n山田 太郎\nTEL: 03-1234-5678\n")
           .attach(b"\x00" * (4 * LEARN_PREFIX), "big.bin").build())
    bb = DirectoryBuilder()
    assert bb.learn_bytes(big, own_domains=OWN)
    assert bb.build().trait("yamada@partner.co.jp", "phone") == {"0312345678": 1}
    b = DirectoryBuilder()
    assert b.learn_bytes(raw, own_domains=OWN) and not b.learn_bytes(b"  \n", own_domains=OWN)
    d = b.build()
    assert d.is_sent_id("<s1@example.co.jp>") and d.addresses_for_name("山田 太郎") == {"yamada@partner.co.jp"}
