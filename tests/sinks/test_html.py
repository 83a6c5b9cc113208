"""The HTML report: escaped, defanged, self-contained, bilingual, robust to odd records."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from emoguard.model import FileNode, Hit, Verdict
from emoguard.sinks.html import LABELS, defang, render_report


def record(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema": 1,
        "source": "inbox/123.eml",
        "message_id": "<abc@comercial-exemplo.com.br>",
        "from": "山田 太郎 <x@y.com.br>",
        "to": ["tanaka@example.co.jp"],
        "subject": "RE: 9月分のお見積りについて",
        "date": "Thu, 24 Sep 2020 10:15:00 +0900",
        "level": "malicious",
        "score": 14.5,
        "hits": [
            {
                "rule": "sender.display_name_spoof",
                "score": 6.0,
                "evidence": ["display name 山田 太郎 is known as yamada@partner.co.jp, "
                             "mail came from x@y.com.br"],
                "evidence_ja": ["表示名「山田 太郎」は yamada@partner.co.jp の人ですが、"
                                "x@y.com.br から届きました"],
                "title": {"ja": "表示名のなりすまし", "en": "Display name spoofing"},
                "tags": ["emotet", "attack.t1566.001"],
            }
        ],
        "attachments": [
            {"name": "請求書.zip", "type": "zip", "size": 40960, "sha256": "ab" * 32,
             "findings": ["encrypted (AES); opened with password 'Xk3pq9Ld' found in the body"],
             "children": [{"name": "請求書.doc", "type": "ole/doc", "size": 1000,
                           "findings": ["VBA auto-exec: Document_Open"], "children": []}]}
        ],
        "defects": ["mime.boundary_missing"],
        "errors": [],
    }
    base.update(kw)
    return base


def clean(i: int = 0) -> dict[str, Any]:
    return record(level="clean", score=0.0, hits=[], attachments=[], defects=[],
                  subject=f"定例会議の議事録 {i}", source=f"inbox/ok-{i}.eml")


def render(records: list[dict[str, Any]], **kw: Any) -> str:
    kw.setdefault("generated_at", "2020-09-25T10:00:00+09:00")
    return render_report(records, **kw)


def card(html: str, cls: str, label: str) -> int:
    m = re.search(rf'<div class="card {cls}"><div class="n">(\d+)</div><div class="l">'
                  rf"{re.escape(label)}</div>", html)
    assert m, (cls, label)
    return int(m.group(1))


def test_mail_text_is_escaped() -> None:
    html = render([record(subject='<script>alert("x")</script> 請求書',
                          **{"from": '"<img src=x onerror=alert(1)>" <a@b.example>'})])
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 請求書" in html
    assert "<img" not in html
    assert "<script" not in html.lower()


def test_both_languages() -> None:
    recs = [record(), clean()]
    ja = render(recs, lang="ja")
    en = render(recs, lang="en")
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    assert "危険" in ja and "表示名のなりすまし" in ja and "x@y.com.br から届きました" in ja
    assert "Malicious" in en and "Display name spoofing" in en and "mail came from" in en
    assert LABELS["ja"]["what_this_means"] in ja and LABELS["en"]["what_this_means"] in en
    assert "添付ファイル" in ja and "Attachments" in en
    assert set(LABELS["ja"]) == set(LABELS["en"])
    with pytest.raises(ValueError):
        render(recs, lang="fr")


def test_title_and_evidence_fall_back_to_the_other_language() -> None:
    hit = {"rule": "x.rule", "score": 1, "evidence": ["english only"],
           "title": {"ja": "", "en": "English title"}, "tags": []}
    html = render([record(hits=[hit])], lang="ja")
    assert "English title" in html and "english only" in html


def test_summary_counts() -> None:
    recs = [
        record(), record(score=20.0),
        record(level="suspicious", score=5.0),
        clean(1), clean(2), clean(3),
        {"source": "broken.eml", "level": "suspicious", "score": 0.0,
         "errors": ["unreadable: parse failed: ValueError: bad"]},
        clean(4) | {"errors": ["rule x failed: KeyError"]},
    ]
    html = render(recs, lang="en")
    assert card(html, "total", "Messages scanned") == 8
    assert card(html, "malicious", "Malicious") == 2
    assert card(html, "suspicious", "Suspicious") == 2
    assert card(html, "clean", "Clean") == 4
    assert card(html, "errors", "Unreadable") == 1
    assert card(html, "errors", "Partly analysed") == 2
    assert "Messages that need attention (4)" in html
    assert "Messages judged clean (4)" in html


def test_sorted_by_severity_then_score() -> None:
    recs = [record(level="suspicious", score=9.0, subject="S9"),
            record(score=7.0, subject="M7"),
            record(score=12.0, subject="M12"),
            clean(),
            {"errors": ["x"], "subject": "U"}]
    html = render(recs)
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    order = re.findall(r'<a href="#msg-\d+">([^<]+)</a>', table)
    assert order == ["M12", "M7", "S9", "U"]


def test_clean_messages_are_collapsed() -> None:
    html = render([clean(i) for i in range(3)])
    details = html.split("<details>")[1].split("</details>")[0]
    assert all(f"定例会議の議事録 {i}" in details for i in range(3))
    assert LABELS["ja"]["no_flagged"] in html
    assert 'class="msg' not in html


def test_defang() -> None:
    assert defang("http://example.com/a.b") == "hxxp://example[.]com/a.b"
    assert defang("see HTTPS://Evil.Example.jp:8443/wp-content/x/?i=1.") == (
        "see hxxps://Evil[.]Example[.]jp:8443/wp-content/x/?i=1."
    )
    assert defang("ftp://10.0.0.1/file") == "fxp://10[.]0[.]0[.]1/file"
    assert defang("go to www.example.com now") == "go to www[.]example[.]com now"
    assert defang("Www.Example.com") == "Www[.]Example[.]com"
    assert defang("mail yamada@partner.co.jp") == "mail yamada@partner.co.jp"
    once = defang("http://a.example/ https://b.example/x www.c.example")
    assert defang(once) == once
    assert defang("「https://例え.jp/パス」") == "「hxxps://例え[.]jp/パス」"


def test_urls_in_the_report_are_defanged() -> None:
    hit = {"rule": "url.wp_random", "score": 3.0,
           "evidence": ["link https://www.sakura-dental-clinic.example/wp-content/15zZybP1EX/"],
           "evidence_ja": ["リンク https://www.sakura-dental-clinic.example/wp-content/15zZybP1EX/"],
           "title": {"ja": "改ざんサイトのURL", "en": "Compromised-site URL"}, "tags": []}
    rec = record(hits=[hit], subject="見て http://phish.example/login",
                 errors=["fetch of http://x.example/ refused"])
    for lang in ("ja", "en"):
        html = render([rec], lang=lang)
        assert "hxxps://www[.]sakura-dental-clinic[.]example/wp-content/15zZybP1EX/" in html
        assert "hxxp://phish[.]example/login" in html
        assert "http://" not in html and "https://" not in html


def test_no_external_resources() -> None:
    html = render([record(), clean(), {"errors": ["e"]}])
    assert not re.search(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""",
                         html, re.IGNORECASE)
    assert "http://" not in html and "https://" not in html
    for banned in ("<script", "<link", "<iframe", "<img", "<object", "@import", "url("):
        assert banned not in html.lower()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert '<meta charset="utf-8">' in html


@pytest.mark.parametrize(
    "rec",
    [
        {"errors": ["unreadable: message is 99999999 bytes, over limits.max_message_bytes"]},
        {"source": "inbox/broken.eml", "level": "suspicious", "errors": ["unreadable: x"]},
        {},
        {"level": "weird", "score": "n/a", "hits": "nope", "attachments": [1, None, {}],
         "to": "one@example.jp", "errors": "a single string"},
    ],
)
def test_odd_and_errors_only_records_render(rec: dict[str, Any]) -> None:
    for lang in ("ja", "en"):
        html = render([rec], lang=lang)
        assert html.rstrip().endswith("</html>")
        for err in rec.get("errors", []) if isinstance(rec.get("errors"), list) else []:
            assert err.split(",")[0] in html


def test_errors_only_record_is_counted_unreadable_and_flagged() -> None:
    html = render([{"source": "a.eml", "errors": ["unreadable: empty input"]}], lang="en")
    assert card(html, "errors", "Unreadable") == 1
    assert "unreadable: empty input" in html
    assert 'class="badge unknown"' in html


def test_deep_attachment_tree_is_cut_not_crashed() -> None:
    node: dict[str, Any] = {"name": "leaf.doc", "type": "ole/doc", "children": []}
    for i in range(200):
        node = {"name": f"level{i}.zip", "type": "zip", "children": [node]}
    html = render([record(attachments=[node])], lang="en")
    assert LABELS["en"]["omitted"] in html
    assert "level199.zip" in html


def test_verdict_objects_and_summary_extra() -> None:
    v = Verdict(
        level="malicious", score=9.0,
        hits=(Hit("attachment.legacy_office", 3.0, ("attachment a.doc",), "旧形式", "Legacy",
                  ("emotet",), ("添付 a.doc",)),),
        source="v.eml", subject="verdict subject",
        attachments=(FileNode("a.doc", "ole/doc", 10, "00" * 32, declared_size=600_000_000),),
    )
    html = render_report([v], lang="ja", summary_extra={"skipped": 2, "failed_paths": 0,
                                                         "unreadable": 5, "levels": {"x": 1}})
    assert "verdict subject" in html and "旧形式" in html and "添付 a.doc" in html
    assert "572.2 MB" in html  # declared size of a padded document
    assert "メールではないため飛ばしたファイル</th><td>2" in html
    assert "読み込めなかったパス" not in html  # zero rows are left out
    assert card(html, "errors", "読めなかったメール") == 5


def test_title_and_generated_at() -> None:
    html = render([], title="A社 インシデント <調査>", generated_at="2020-09-25 10:00")
    assert "<title>A社 インシデント &lt;調査&gt;</title>" in html
    assert "2020-09-25 10:00" in html
    assert card(html, "total", "検査したメール") == 0


def test_ten_thousand_records_are_fast() -> None:
    recs = []
    for i in range(10_000):
        level = ("malicious", "suspicious", "clean", "clean")[i % 4]
        recs.append(record(level=level, score=float(i % 17), subject=f"件名 {i}",
                           source=f"inbox/{i}.eml"))
    started = time.perf_counter()
    html = render(recs, lang="en")
    elapsed = time.perf_counter() - started
    assert card(html, "total", "Messages scanned") == 10_000
    assert elapsed < 10, f"rendering 10,000 records took {elapsed:.1f} s"
