"""The pages without a browser: login, CSRF, headers, language, each page's content; the sanitiser."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emoguard.testing import MailBuilder, emotet
from emoguard.web.app import CSP
from emoguard.web.view import sanitize_html

sys.path.insert(0, str(Path(__file__).parent))
from web_support import AUTH, TOKEN, config, csrf_of, login, make_quarantine

BAD = emotet.thread_hijack_doc(seed=11)


def test_pages_need_a_login_and_the_cookie_is_strict(client: TestClient) -> None:
    for path in ("/", "/history", "/history/1", "/quarantine", "/guide", "/verdict/abc"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    r = client.get("/login")
    assert r.status_code == 200 and 'name="token"' in r.text
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    csrf = csrf_of(r.text)
    r = client.post("/login", data={"token": TOKEN + "x", "csrf": csrf, "next": "/"}, follow_redirects=False)
    assert r.status_code == 401 and "eg_session" not in r.headers.get("set-cookie", "")
    r = client.post("/login", data={"token": TOKEN, "csrf": csrf, "next": "/history?level=malicious"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/history?level=malicious"
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("eg_session=") and "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/", follow_redirects=False).status_code == 200
    # logging out ends that session for good (a copied cookie no longer works)
    session = client.cookies.get("eg_session")
    r = client.post("/logout", data={"csrf": csrf_of(client.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("eg_session", session or "")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_and_forms_refuse_a_missing_or_wrong_csrf_token(client: TestClient) -> None:
    csrf = csrf_of(client.get("/login").text)
    assert client.post("/login", data={"token": TOKEN}).status_code == 403
    assert client.post("/login", data={"token": TOKEN, "csrf": csrf + "0"}).status_code == 403
    good = login(client)
    files = {"file": ("a.eml", BAD, "message/rfc822")}
    for data in ({}, {"csrf": "x" * 64}):
        r = client.post("/analyze", data=data, files=files, follow_redirects=False)
        assert (r.status_code == 403 and "フォームの有効期限" in r.text) or "form has expired" in r.text
    assert client.post("/quarantine/1/release", data={}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    # a form posted from another site (Origin header) is refused even with the right token
    r = client.post("/analyze", data={"csrf": good}, files=files, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/analyze", data={"csrf": good}, files=files, headers={"Origin": "http://testserver"},
                    follow_redirects=False)
    assert r.status_code == 303
    # the CSRF cookie alone is not the token: a new browser gets another one
    other = TestClient(client.app, base_url="http://testserver")
    other_csrf = csrf_of(other.get("/login").text)
    assert other_csrf != good


def test_security_headers_on_every_response(client: TestClient) -> None:
    for r in (client.get("/login"), client.get("/api/v1/health"), client.get("/static/app.js"),
              client.get("/api/v1/history")):
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self';" in CSP and "default-src 'none'" in CSP and "img-src 'self' data:;" in CSP
    assert "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_language_switch_and_safe_redirects(client: TestClient) -> None:
    assert 'lang="ja"' in client.get("/login", headers={"Accept-Language": "ja-JP,ja"}).text
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "en-US,en"}).text
    r = client.get("/lang/en", params={"next": "/login?next=/history"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/history"
    assert "eg_lang=en" in r.headers["set-cookie"]
    assert "Access token" in client.get("/login", headers={"Accept-Language": "ja"}).text
    client.get("/lang/ja")
    assert "アクセストークン" in client.get("/login").text
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert client.get("/lang/en", params={"next": evil}, follow_redirects=False).headers["location"] == "/"
    r = client.post("/login", data={"token": TOKEN, "csrf": csrf_of(client.get("/login").text),
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_upload_by_paste_and_the_verdict_page(client: TestClient) -> None:
    csrf = login(client)
    client.get("/lang/ja")
    hostile = (MailBuilder(seed=3).from_(("<script>alert(1)</script>", "x@evil.example")).to("tanaka@example.co.jp")
               .subject("<img src=x onerror=alert(1)> 請求書").text("see https://evil.example/wp-content/abc/\n")
               .html('<p onclick="x()">hi<script>alert(2)</script><img src="https://evil.example/t.gif"></p>')
               .build())
    r = client.post("/analyze", data={"csrf": csrf, "source": hostile.decode()}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/verdict/")
    page = client.get(r.headers["location"]).text
    assert "&lt;img src=x onerror=alert(1)&gt; 請求書" in page  # escaped, never markup
    assert "<script>alert" not in page and "onerror=alert(1)>" not in page
    assert "hxxps://evil[.]example/wp-content/abc/" in page and "https://evil.example" not in page
    srcdoc = re.search(r'srcdoc="([^"]*)"', page)
    assert srcdoc and "script" not in srcdoc.group(1) and "onclick" not in srcdoc.group(1)
    assert 'sandbox=""' in page
    assert "判定の記録" in page and "そう判断した理由" in page
    # a file upload of an Emotet-style mail: the Japanese explanation
    r = client.post("/analyze", data={"csrf": csrf}, files={"file": ("請求書.eml", BAD, "message/rfc822")})
    assert r.status_code == 200 and 'data-level="malicious"' in r.text
    assert "Emotet などの攻撃メールと考えられるメールが見つかりました" in r.text
    assert "からの変更20-09.doc" in r.text  # the attachment tree
    hid = re.search(r'href="/history/(\d+)"', r.text)
    assert hid
    record = client.get(f"/api/v1/history/{hid.group(1)}", headers=AUTH).json()["record"]
    text = html.unescape(r.text)
    assert record["hits"] and all(h["title"]["ja"] in text for h in record["hits"])  # every reason, in Japanese
    assert all(e in text for h in record["hits"] for e in h["evidence_ja"] if "://" not in e)
    # from the history the same verdict, in English on request
    client.get("/lang/en")
    page = client.get(f"/history/{hid.group(1)}").text
    assert "Malicious: this looks like an attack" in page
    assert all(h["title"]["en"] in html.unescape(page) for h in record["hits"])
    assert client.get("/verdict/no-such-key").status_code == 404


def test_page_upload_errors_are_friendly(make_client) -> None:  # type: ignore[no-untyped-def]
    c = make_client(max_upload=50_000)
    csrf = login(c)
    c.get("/lang/en")
    r = c.post("/analyze", data={"csrf": csrf, "source": "just some text"})
    assert r.status_code == 422 and "This file cannot be checked" in r.text and 'id="upload"' in r.text
    r = c.post("/analyze", data={"csrf": csrf})
    assert r.status_code == 400
    r = c.post("/analyze", data={"csrf": csrf}, files={"file": ("big.eml", BAD + b"x" * 60_000, "message/rfc822")})
    assert r.status_code == 413 and "too large" in r.text


def test_history_page_filters(client: TestClient) -> None:
    good = MailBuilder(seed=4).from_("a@partner.co.jp").to("b@example.co.jp").subject("定例会議").text("hi\n").build()
    for raw in (good, BAD):
        client.post("/api/v1/analyze", content=raw, headers={**AUTH, "Content-Type": "message/rfc822"})
    login(client)
    page = client.get("/history").text
    assert page.count('href="/history/') == 2
    page = client.get("/history", params={"level": "malicious"}).text
    assert page.count('href="/history/') == 1 and "定例会議" not in page
    page = client.get("/history", params={"q": "定例"}).text
    assert page.count('href="/history/') == 1 and "定例会議" in page
    page = client.get("/history", params={"since": "2000-01-01", "until": "2000-01-02"}).text
    assert 'href="/history/' not in page
    assert client.get("/history", params={"since": "garbage"}).status_code == 200  # ignored, not an error


def test_quarantine_page_release(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "qs"
    _md, originals = make_quarantine(tmp_path, state, n=1)
    c = make_client(state_dir=state)
    csrf = login(c)
    page = c.get("/quarantine").text
    assert 'data-state="quarantined"' in page and 'action="/quarantine/1/release"' in page
    r = c.post("/quarantine/1/release", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/quarantine?released=1"
    assert all(Path(p).exists() for p in originals)
    page = c.get(r.headers["location"]).text
    assert 'data-state="restored"' in page and 'id="released"' in page
    r = c.post("/quarantine/1/release", data={"csrf": csrf})
    assert r.status_code == 409


def test_guide_in_both_languages(client: TestClient) -> None:
    login(client)
    client.get("/lang/ja")
    ja = client.get("/guide").text
    assert "コンテンツの有効化" in ja and "お取引先各位" in ja and "電話" in ja
    client.get("/lang/en")
    en = client.get("/guide").text
    assert "Enable Content" in en and "by phone" in en


def test_serve_help_in_japanese_and_english() -> None:
    from typer.testing import CliRunner

    from emoguard.cli import build_app

    for lang, want in (("ja", "Web ページと REST API"), ("en", "run the web page and REST API")):
        r = CliRunner().invoke(build_app(lang), ["serve", "--help"])
        assert r.exit_code == 0 and want in r.output and "--listen" in r.output


# -- the sanitiser ---------------------------------------------------------------------------------


@pytest.mark.parametrize("html", [
    '<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '<body onload="alert(1)">',
    '<svg><script>alert(1)</script></svg>', '<svg onload=alert(1)>', '<iframe src="https://evil.example/">',
    '<a href="javascript:alert(1)">x</a>', '<form action="https://evil.example/"><input name=p></form>',
    '<object data="https://evil.example/x.swf"></object>', '<embed src="https://evil.example/x">',
    '<link rel="stylesheet" href="https://evil.example/a.css">', '<style>@import url(https://evil.example/a.css)</style>',
    '<div style="background:url(https://evil.example/p.gif)">x</div>', '<meta http-equiv="refresh" content="0;url=x">',
    '<base href="https://evil.example/">', '<img src="https://evil.example/t.gif">', '<math><mi xlink:href="x">',
    '<table background="https://evil.example/b.gif"><tr><td>x</td></tr></table>', '<!--<script>x</script>-->',
    '<img src="cid:logo@x">', '<p><noscript><img src=x onerror=alert(1)></noscript></p>',
])
def test_sanitiser_leaves_nothing_active_or_remote(html: str) -> None:
    out = sanitize_html(html).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "<iframe", "javascript:", "<form", "<input", "<object",
                "<embed", "<link", "<style", "style=", "<meta", "<base", "http", "background", "<svg", "<math",
                "cid:", "href"):
        assert bad not in out, (html, out)


def test_sanitiser_keeps_text_and_shows_links_defanged() -> None:
    out = sanitize_html('<p>請求書 <a href="https://evil.example/wp-content/x/?a=1&amp;b=2">こちら</a></p>'
                        '<img alt="logo" src="data:image/png;base64,iVBORw0KGgo=" width="10">')
    assert "請求書" in out and "こちら" in out
    assert 'title="hxxps://evil[.]example/wp-content/x/?a=1&amp;b=2"' in out and "href" not in out
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out
    assert sanitize_html("") == ""


def test_sender_identity_from_the_contacts_directory(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess

    from emoguard.web.analysis import AnalysisPool

    state = tmp_path / "cstate"
    card = tmp_path / "partner.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:山田 太郎\r\nEMAIL:yamada@partner.co.jp\r\nEND:VCARD\r\n",
                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    r = subprocess.run([sys.executable, "-m", "emoguard", "contacts", "import", str(card), "--state-dir", str(state)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    pool = AnalysisPool(config(state), jobs=1, timeout=30)  # workers load the directory of their state dir
    try:
        pool.warm_up()
        c = make_client(state_dir=state, use_pool=pool)
        csrf = login(c)
        c.get("/lang/ja")
        page = c.post("/analyze", data={"csrf": csrf}, files={"file": ("a.eml", BAD, "message/rfc822")}).text
        sender = page[page.index('id="sender"'):page.index('id="headers"')]
        assert "表示名は知っている人ですが、アドレスが違います" in sender and "yamada@partner.co.jp" in sender
        real = (MailBuilder(seed=5).from_(("山田 太郎", "yamada@partner.co.jp")).to("tanaka@example.co.jp")
                .subject("打ち合わせ").text("よろしくお願いします。\n").build())
        page = c.post("/analyze", data={"csrf": csrf}, files={"file": ("b.eml", real, "message/rfc822")}).text
        sender = page[page.index('id="sender"'):page.index('id="headers"')]
        assert "連絡先に登録済みのアドレスです" in sender and "アドレスが違います" not in sender
    finally:
        pool.close()
