"""html_to_text: readable text, linear time on hostile input."""

from __future__ import annotations

import time

from emoguard.parse import html_to_text


def test_basic_structure() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>ご確認を<br>お願いします</p><div>パスワード:&nbsp;Xk3pq9Ld</div>"
        "<script>alert(1)</script><ul><li>一</li><li>二</li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table><!-- hidden -->&lt;tag&gt; &amp;</body></html>"
    )
    text = html_to_text(html)
    assert "color" not in text and "alert" not in text and "hidden" not in text and "t\n" not in text
    lines = text.split("\n")
    assert "ご確認を" in lines and "お願いします" in lines
    assert "パスワード: Xk3pq9Ld" in lines
    assert "一" in lines and "二" in lines
    assert "a b" in lines
    assert lines[-1] == "<tag> &"


def test_whitespace_collapses_but_ideographic_space_survives() -> None:
    assert html_to_text("<p>  山田\u3000太郎 \n\n  様 </p>") == "山田\u3000太郎 様"


def test_unclosed_constructs() -> None:
    assert html_to_text("before<!-- never closed <p>x") == "before"
    assert html_to_text("before<script>var a = '<p>x'") == "before"
    assert html_to_text("<head><p>body text") == "body text"
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("") == ""


def test_linear_time_on_hostile_html() -> None:
    cases = [
        "<!--" * 50000,
        "<script" * 50000,
        "<p" * 100000,
        "<a href='" * 50000,
        "<" * 200000,
        "&" * 200000,
        "<div>" * 100000,
    ]
    for html in cases:
        start = time.perf_counter()
        html_to_text(html)
        assert time.perf_counter() - start < 2.0, html[:10]
