"""Features of INDICATORS a4, b7, e6, e7 and the seed's garbled subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.contacts import directory_from_mapping
from emoguard.engine import Engine
from emoguard.features.attachments import business_number_name, name_key
from emoguard.features.registry import Features
from emoguard.model import Context
from emoguard.parse import parse_message
from emoguard.testing import MailBuilder, ole_document

LISTS = dict(Engine.load(search_defaults=False).ruleset.lists)
WORDS = LISTS["attachment_business_words"]


@pytest.mark.parametrize("stem", [
    "Form - Jan 20, 2021", "PO# 01202021", "invoice #47528", "informazioni_20_012021",
    "Messaggio 012021 DRH_63930590", "PO 02222022", "INV_47528", "請求書_20221104", "見積書 No.4475",
    "注文書2020-09", "Payment details 2022-03-01", "ＩＮＶＯＩＣＥ　＃４７５２８",
])
def test_e7_shapes(stem: str) -> None:
    assert business_number_name(stem, WORDS)


@pytest.mark.parametrize("stem", [
    "invoice", "請求書", "Document1", "資料1", "order 12", "report_final", "見積書(2020年11月分)",
    "ACH Payment info", "informed 2020", "docomo 2020", "January Invoice", "議事録_20221104",
])
def test_e7_non_shapes(stem: str) -> None:
    assert not business_number_name(stem, WORDS)


def test_name_keys() -> None:
    assert name_key("Barker Cabinets") == name_key("barker-cabinets") == "barkercabinets"
    assert name_key("株式会社山田製作所") == name_key("(株)山田製作所 御中") == name_key("山田製作所") == "山田製作所"
    assert name_key("Global Information Technology Inc.") == "globalinformationtechnology"
    assert name_key("山田") == name_key("ABC") == name_key("2021") == ""


def _fx(frm: tuple[str, str], *, to: tuple[str, str] = ("田中 一郎", "tanaka@example.co.jp"), subject: str = "件名",
        text: str = "本文\n", received: tuple[str, ...] = (), attach: str = "", directory: object = None,
        own: tuple[str, ...] = ("example.co.jp",)) -> Features:
    b = MailBuilder(charset="utf-8").from_(frm).to(to).subject(subject).text(text)
    for r in received:  # top first
        b.header("Received", r, top=True)
    if attach:
        b.attach(ole_document("xls"), attach)
    return Features(parse_message(b.build()), Context(directory=directory, own_domains=own), lists=LISTS)


def test_e6_sources() -> None:
    d = directory_from_mapping({"contacts": [{"name": "佐藤 花子", "address": "sato@supplier.co.jp"}]})
    # the recipient's display name, a company piece of it, the recipient domain, a contact
    assert _fx(("x", "x@y.example"), attach="田中一郎.xls")["attachments.name_is_recipient"] == (
        "田中一郎.xls (田中 一郎)",)
    assert _fx(("x", "x@y.example"), to=("田中 一郎 / ㈱山田製作所", "t@yamada-ss.co.jp"),
               attach="株式会社 山田製作所.xls")["attachments.name_is_recipient"]
    assert _fx(("x", "x@y.example"), to=("Sales", "sales@barker-cabinets.com"),
               attach="Barker Cabinets.xls")["attachments.name_is_recipient"] == (
        "Barker Cabinets.xls (barker-cabinets.com)",)
    assert _fx(("x", "x@y.example"), attach="佐藤 花子.xls", directory=d)["attachments.name_is_recipient"] == (
        "佐藤 花子.xls (佐藤 花子)",)
    assert _fx(("x", "x@y.example"), attach="Example.xls")["attachments.name_is_recipient"] == (
        "Example.xls (example.co.jp)",)  # the own domain's name
    assert not _fx(("x", "x@y.example"), attach="請求書.xls", directory=d)["attachments.name_is_recipient"]


@pytest.mark.parametrize(("subject", "found"), [
    ("お手伝いいただける日程について、アンケートwお", ("、アンケートwお",)),
    ("RE: 見積書の送付sお願い", ("見積書の送付sお願い",)),
    ("Re: Wi-Fiの設定について", ()), ("A社との打ち合わせ", ()), ("変数xの値", ()), ("eラーニング", ()),
    ("ありがとうございましたw", ()), ("Report for week 12", ()),
])
def test_garbled_subject(subject: str, found: tuple[str, ...]) -> None:
    assert _fx(("x", "x@y.example"), subject=subject)["subject.garbled_japanese"] == found


RELAY = "from mail.partner.co.jp (mail.partner.co.jp [203.0.113.10]) by mx.example.co.jp with ESMTPS; x"
FOREIGN = "from smtp.hosting.example.com.br (smtp.hosting.example.com.br [198.51.100.9]) by mx.example.co.jp; x"
DIR = directory_from_mapping({"contacts": [
    {"name": "山田 太郎", "address": "yamada@partner.co.jp", "hops": {"partner.co.jp": 3, "203.0.0.0/16": 3},
     "phones": {"03-1234-5678": 2}},
]})


def test_hop_features() -> None:
    f = _fx(("山田 太郎", "yamada@partner.co.jp"), received=(FOREIGN,), directory=DIR)
    assert f["received.first_hop"] == "smtp.hosting.example.com.br [198.51.100.9]"
    assert f["received.first_hop_provider"] == "example.com.br" and f["received.first_hop_network"] == "198.51.0.0/16"
    assert f["identity.claimed_contact"] == ("yamada@partner.co.jp",)
    assert f["identity.usual_first_hops"] == ("partner.co.jp (3 mails)",)
    assert f["identity.unusual_first_hop"]
    assert not _fx(("山田 太郎", "yamada@partner.co.jp"), received=(RELAY,), directory=DIR)["identity.unusual_first_hop"]
    # the display name alone claims the contact
    spoof = _fx(("山田 太郎", "x@lojaexemplo.com.br"), received=(FOREIGN,), directory=DIR)
    assert spoof["identity.claimed_contact"] == ("yamada@partner.co.jp",) and spoof["identity.unusual_first_hop"]
    # no directory, no hop, no history: silent
    assert not _fx(("山田 太郎", "yamada@partner.co.jp"), received=(FOREIGN,))["identity.unusual_first_hop"]
    assert not _fx(("山田 太郎", "yamada@partner.co.jp"), directory=DIR)["identity.unusual_first_hop"]


def test_phone_features() -> None:
    sig = "田中様\n\n資料です。\n\n--\n山田 太郎\nTEL: {}\n"
    f = _fx(("山田 太郎", "x@lojaexemplo.com.br"), text=sig.format("03-9876-5432"), directory=DIR)
    assert f["body.signature_phones"] == ("03-9876-5432",)
    assert f["identity.known_phones"] == ("03-1234-5678",)
    assert f["identity.unknown_signature_phones"] == ("03-9876-5432",)
    assert not _fx(("山田 太郎", "yamada@partner.co.jp"), text=sig.format("03-1234-5678"),
                   directory=DIR)["identity.unknown_signature_phones"]
    assert not _fx(("山田 太郎", "yamada@partner.co.jp"), text=sig.format("03-9876-5432") + "代表 03-1234-5678\n",
                   directory=DIR)["identity.unknown_signature_phones"]


@pytest.mark.corpus
def test_new_name_and_subject_signs_are_silent_on_japanese_ham(corpora: Path) -> None:
    """The seed's garbled subject, e6 and e7 on every ja_* / joruri ham message: no hit."""
    paths = [p for d in sorted(corpora.glob("ja_*")) + [corpora / "joruri_mail_fixtures_ja"]
             for p in sorted(d.rglob("*.eml"))]
    assert len(paths) > 100
    fired = []
    for p in paths:
        f = Features(parse_message(p.read_bytes()), Context(), lists=LISTS)
        for name in ("subject.garbled_japanese", "attachments.name_business_number", "attachments.name_is_recipient"):
            if f[name]:
                fired.append((p.name, name, f[name]))
    assert fired == []
