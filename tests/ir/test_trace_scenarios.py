"""Trace on 200 seeded scenarios built from real address graphs (../shared/corpora).

Per-person "PCs" come from the correspondents in the linux-nvdimm and notmuch/LKML
archives, SpamAssassin ham and the TOMOYO users list (``emoguard.ir.scenarios``). Each
scenario has 20–80 sources with overlapping contacts, a planted leaker whose current
book lacks 5% of what was stolen, a partial report (10–50% of the leaker's contacts,
at most 150), 20% noise targets (other PCs' contacts and unknown addresses) and up to 3
spoofed names. The whole 200 run in seconds, so they are in the default run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoguard.cli import build_app
from emoguard.ir.scenarios import Person, correspondent_graph, first_rank_rate, make_scenario
from emoguard.testing import MailBuilder

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def people(corpora: Path) -> list[Person]:
    ppl = correspondent_graph(corpora)
    assert len(ppl) > 300  # enough distinct PCs to draw 80 from
    return ppl


def test_leaker_ranks_first_in_95_percent_of_200_scenarios(people: list[Person]) -> None:
    ok, total, failed = first_rank_rate(people, range(200))
    assert total == 200
    assert ok / total >= 0.95, f"{ok}/{total}; failed seeds {failed}"


def test_scenarios_are_hard_enough(people: list[Person]) -> None:
    """The scenarios really overlap: the leaker shares contacts with other sources, and
    the noise puts other sources' contacts among the targets."""
    shared = 0
    for seed in range(20):
        sc = make_scenario(people, seed)
        leaker = next(b for b in sc.books if b.name == sc.leaker)
        others = set().union(*(b.addresses for b in sc.books if b.name != sc.leaker))
        shared += len(leaker.addresses & others) > 0.2 * len(leaker.addresses)
        assert any(w == "noise" for w in sc.targets.addresses.values()) or len(sc.targets.addresses) < 5
    assert shared >= 10


def test_cli_end_to_end_on_a_corpus_scenario(people: list[Person], tmp_path: Path) -> None:
    """A scenario written as files: books as Outlook CSV (CP932, UTF-16) and vCard, the
    reports as spam mails, through the command line."""
    sc = make_scenario(people, 7, sources=(25, 25))
    args = ["trace", "--format", "json"]
    for i, b in enumerate(sc.books):
        rows = sorted(b.addresses)
        if i % 3 == 0:
            p = tmp_path / f"{b.name}.vcf"
            p.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Contact {j}\r\nEMAIL:{a}\r\nEND:VCARD\r\n"
                                 for j, a in enumerate(rows)), encoding="utf-8")
        else:
            text = "名,姓,電子メール アドレス\r\n" + "".join(f"{j},連絡先,{a}\r\n" for j, a in enumerate(rows))
            p = tmp_path / f"{b.name}.csv"
            p.write_bytes(text.encode("cp932") if i % 3 == 1 else text.encode("utf-16"))
        args += ["--source", f"{b.name}={p}"]
    rep = tmp_path / "reports"
    rep.mkdir()
    for j, a in enumerate(sorted(sc.targets.addresses)):
        (rep / f"{j}.eml").write_bytes(MailBuilder().from_(("山田 太郎", "x@y.com.br")).to(a).subject("RE: 請求書")
                                       .text("ご確認ください").build())
    args += ["--reports", str(rep)]
    res = CliRunner().invoke(build_app("en"), args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ranking"][0]["source"] == sc.leaker
    assert len(doc["ranking"]) == 25
