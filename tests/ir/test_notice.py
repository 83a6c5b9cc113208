"""``emoguard notice`` and ``emoguard incident``: documents carry the facts, in both languages;
the partner ``.eml`` parses and reads correctly in Japanese."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoguard.cli import build_app
from emoguard.ir.incident import STEP_IDS, Status, checklist, mark
from emoguard.ir.notice import Facts, facts_from_report, markdown_to_html, partner_eml, render, render_markdown
from emoguard.parse import parse_message

FACTS = Facts(
    company="株式会社サンプル商事", signer="総務部 情報システム担当 鈴木", contact="03-1234-5678 / it@sample.co.jp",
    date="2026-11-29", period="2026-11-20 – 2026-11-28", host="PC-07",
    spoofed_names=["山田 太郎", "佐藤 花子"], sender_addresses=["vinicius@somahospitalar.com.br"],
    subjects=["RE: 見積書送付の件"], attachments=["2022-22-02_1239.zip", "請求書.doc"],
    own_domains=["sample.co.jp"], from_addr="株式会社サンプル商事 <info@sample.co.jp>",
    to=["a@partner.co.jp", "b@client.co.jp"],
)
FACT_VALUES = ("山田 太郎", "佐藤 花子", "RE: 見積書送付の件", "2022-22-02\\_1239.zip", "請求書.doc",
               "2026-11-20 – 2026-11-28")


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", ["employees", "partners", "public"])
def test_documents_carry_the_facts(kind: str, lang: str) -> None:
    md = render_markdown(kind, FACTS, lang)
    for v in FACT_VALUES:
        if kind == "public" and v == "vinicius@somahospitalar.com.br":
            continue
        assert v in md, (kind, lang, v)
    if kind != "employees":
        assert "sample.co.jp" in md and "株式会社サンプル商事" in md
    assert ("PC-07" in md) == (kind == "employees")  # the host name is internal; partners/public are not told it
    page = markdown_to_html(md, lang=lang)
    assert page.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in page
    assert "2022-22-02_1239.zip" in page and "<script" not in page and "http" not in page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_employee_notice_has_the_four_rules(lang: str) -> None:
    md = render_markdown("employees", Facts(), lang)
    rules = {"ja": ("疑わしいと思ったら開かずに担当者へ聞く", "添付ファイル付きは特に注意する",
                    "下の特徴に一致するメールは開かずに破棄する", "本文中の URL リンクは、心当たりがない限りクリックしない"),
             "en": ("do not open it: ask the person in charge first", "Take special care with attachments",
                    "Discard mail that matches the signs below", "Do not click links in the body")}[lang]
    for r in rules:
        assert r in md
    html_page = markdown_to_html(md, lang=lang)
    assert html_page.count("<li>") >= 4 and html_page.count("<ol>") == 1  # one numbered list of four rules


def test_mail_text_from_reports_is_escaped() -> None:
    f = Facts(spoofed_names=["<script>alert(1)</script> **x**"], subjects=["# not a heading"])
    md = render_markdown("employees", f, "ja")
    page = markdown_to_html(md)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<h1>" in page and page.count("<h1>") == 1


def test_partner_eml_parses_and_shows_japanese() -> None:
    raw = partner_eml(FACTS, "ja")
    assert raw.isascii()  # every header encoded, bodies base64
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(msg["Subject"]) == "【お詫びとお願い】弊社を装った不審なメール(Emotet)について"
    assert msg["From"].addresses[0].display_name == "株式会社サンプル商事"
    assert msg["From"].addresses[0].addr_spec == "info@sample.co.jp"
    assert msg["To"] == "undisclosed-recipients:;" and "a@partner.co.jp" in msg["Bcc"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("お取引先各位") and "山田 太郎" in text and "**" not in text and "請求書.doc" in text
    html_part = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "山田 太郎" in html_part
    ours = parse_message(raw)  # emoguard's own parser reads it too
    assert ours.subject.startswith("【お詫びとお願い】") and "佐藤 花子" in ours.text and not ours.defects


def test_partner_eml_english_single_recipient() -> None:
    f = Facts(company="Sample Trading Co.", own_domains=["sample.co.jp"], to=["a@partner.co.jp"])
    msg = email.message_from_bytes(partner_eml(f, "en"), policy=email.policy.default)
    assert str(msg["Subject"]).startswith("Apology and request") and msg["To"] == "a@partner.co.jp"
    assert msg["From"].addresses[0].addr_spec == "info@sample.co.jp" and "Bcc" not in msg


def test_facts_from_trace_sweep_and_hostcheck_reports() -> None:
    trace = {"ranking": [{"source": "PC-07", "score": 9.0}], "targets": {
        "spoofed_names": ["山田 太郎"], "subjects": ["RE: 請求書"], "attachments": ["請求書.doc"],
        "dates": ["Mon, 20 Nov 2026 10:00:00 +0900", "Tue, 28 Nov 2026 09:00:00 +0900"]}}
    f = facts_from_report(trace)
    assert (f.host, f.spoofed_names, f.period) == ("PC-07", ["山田 太郎"], "2026-11-20 – 2026-11-28")
    sweep = [{"level": "malicious", "from": "佐藤 花子 <x@y.com.br>", "subject": "RE: 佐藤", "attachments": ["a.zip"],
              "date": "Wed, 22 Nov 2026 10:00:00 +0900"}, {"level": "clean", "from": "ok <ok@ok.jp>"}]
    g = facts_from_report(sweep)
    assert g.spoofed_names == ["佐藤 花子"] and g.sender_addresses == ["x@y.com.br"] and g.attachments == ["a.zip"]
    h = facts_from_report({"tool": "emoguard hostcheck", "status": "detected", "host": "PC-09"})
    assert h.host == "PC-09"
    merged = Facts(company="X").merge(f).merge(g)
    assert merged.company == "X" and merged.spoofed_names == ["山田 太郎", "佐藤 花子"]


def test_cli_notice(tmp_path: Path) -> None:
    app = build_app("en")
    out = tmp_path / "warning.eml"
    rep = tmp_path / "trace.json"
    rep.write_text(json.dumps({"ranking": [{"source": "PC-07"}], "targets": {"spoofed_names": ["山田 太郎"]}}),
                   encoding="utf-8")
    r = CliRunner().invoke(app, ["notice", "partners", "--company", "株式会社サンプル商事", "--own-domain", "sample.co.jp",
                                 "--from-report", str(rep), "--to", "a@partner.co.jp", "-o", str(out)])
    assert r.exit_code == 0, r.output
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert "山田 太郎" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    r = CliRunner().invoke(app, ["notice", "public", "--doc-lang", "en", "--format", "html", "--company", "Sample"])
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>") and "Sample" in r.stdout
    r = CliRunner().invoke(app, ["notice", "employees", "--spoofed-name", "鈴木 一郎"])
    assert r.exit_code == 0 and "鈴木 一郎" in r.stdout and "4 つのこと" in r.stdout
    r = CliRunner().invoke(app, ["notice", "employees", "--format", "eml"])
    assert r.exit_code == 2


def test_incident_checklist_state_and_reports(tmp_path: Path) -> None:
    assert {"isolate", "reinstall", "pw_mail", "pw_browser", "pw_network", "partners", "public", "staff"} <= set(STEP_IDS)
    rows = checklist(mark(Status({}), "isolate", "LAN 抜線 10:05"),
                     [{"ranking": [{"source": "PC-07", "coverage": 0.95}]},
                      {"tool": "emoguard hostcheck", "host": "PC-07", "status": "detected"}])
    done = {r["id"]: r["note"] for r in rows if r["done"]}
    assert done["isolate"] == "LAN 抜線 10:05" and "PC-07" in done["identify"] and "PC-07: detected" in done["hostcheck"]
    with pytest.raises(ValueError):
        mark(Status({}), "nope")
    state = tmp_path / "incident.json"
    app = build_app("ja")
    r = CliRunner().invoke(app, ["incident", "--state", str(state), "--done", "pw_mail:全員変更済み", "--done", "isolate"])
    assert r.exit_code == 0 and "[x]" in r.stdout and "全員変更済み" in r.stdout and "パスワード" in r.stdout
    r = CliRunner().invoke(app, ["incident", "--state", str(state), "--undo", "isolate", "-f", "json"])
    steps = {s["id"]: s["done"] for s in json.loads(r.stdout)["steps"]}
    assert steps["pw_mail"] and not steps["isolate"]
    r = CliRunner().invoke(app, ["incident", "--done", "bogus"])
    assert r.exit_code == 2
    assert render("employees", Facts(), "ja", "md")


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("cmd", ["trace", "hostcheck", "notice", "incident"])
def test_help_in_both_languages(cmd: str, lang: str) -> None:
    r = CliRunner().invoke(build_app(lang), [cmd, "--help"])
    assert r.exit_code == 0 and ("使い方" if lang == "ja" else "Usage") in r.stdout
    assert bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", r.stdout)) == (lang == "ja")
