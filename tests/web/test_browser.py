"""In a real browser: Debian's headless Chromium driven by Playwright, against `emoguard serve`.

Upload an Emotet-style mail and read the Japanese explanation, switch the language,
release a quarantined mail, and render hostile HTML mail (ours and real ones from
../shared/corpora): no script runs, nothing is fetched from anywhere but the server's
own pages and static files (a second local "tracker" server counts any attempt).
Screenshots go to test-artifacts/web/ (gitignored).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from emoguard.testing import MailBuilder, emotet

sys.path.insert(0, str(Path(__file__).parent))
from web_support import ARTIFACTS, make_quarantine

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps"]
CORPUS_HOSTILE = [  # HTML mails with scripts, handlers, forms, frames, remote images and CSS (found by scanning)
    "phishing_pot/email/sample-6474.eml",  # <script>, CSS url(), remote images
    "phishing_pot/email/sample-6399.eml",  # <form>, <iframe>, <link rel=stylesheet>, <style>, remote images
    "spamassassin_public/spam/00322.7d39d31fb7aad32c15dff84c14019b8c.eml",  # <script>, <iframe>, <link>
    "spamassassin_public/spam_2/00569.369bb86b7ae4572b2eba48e0b8daf0ea.eml",  # on* handlers, <form>
    "spamassassin_public/spam_2/01042.7b53680639a0b4ec9e333ce3046b6af4.eml",  # CSS url(), <form>, <link>
]


def _need_chromium() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        if Path(CHROMIUM).exists():
            return
        reason = f"Debian's chromium is not installed at {CHROMIUM} (scripts/test.sh installs it)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- a tracker: any request reaching it means the page fetched something it must not ------------


class Tracker:
    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the server under test --------------------------------------------------------------------


@dataclass
class Live:
    base: str
    token: str
    state: Path
    maildir: Path
    originals: dict[str, str]
    tracker: Tracker
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def api(self, path: str) -> Any:
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    _need_chromium()
    root = tmp_path_factory.mktemp("live")
    state = root / "state"
    maildir, originals = make_quarantine(root, state, n=1)
    port = free_port()
    log = root / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_TOKEN", "EMOGUARD_CONFIG", "EMOGUARD_LANG")}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "emoguard", "--lang", "en", "serve", "--listen",
                                 f"127.0.0.1:{port}", "--state-dir", str(state), "--jobs", "1"],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    tracker = Tracker()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("emoguard serve did not start:\n" + log.read_text(errors="replace"))
                time.sleep(0.2)
        text = log.read_text(errors="replace")
        m = re.search(r"access token \(shown this once; keep it, only its hash is stored\): (\S+)", text)
        assert m, text
        token = m.group(1)
        # the token was made on this first start and only its hash is on disk
        stored = (state / "web-token.json").read_text()
        assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
        yield Live(base, token, state, maildir, originals, tracker, log)
    finally:
        tracker.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    print(f"\nweb test screenshots: {ARTIFACTS}")


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def watched(browser: Any, live: Live) -> Iterator[Watched]:
    """A logged-in page in a Japanese browser, with every request and console message recorded."""
    ctx = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    w = Watched(page)
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("console", lambda m: w.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    page.goto(live.base + "/")
    assert "/login" in page.url
    page.fill("#token", live.token)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(live.base + "/")
    try:
        yield w
    finally:
        ctx.close()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def upload(page: Any, path: Path) -> None:
    page.set_input_files("#file", str(path))
    page.click("#check")
    page.wait_for_selector("#verdict")


def history_id(page: Any) -> str:
    m = re.search(r"/history/(\d+)", page.inner_html("#verdict"))
    assert m
    return m.group(1)


# -- the tests -----------------------------------------------------------------------------------


def test_upload_emotet_mail_shows_the_japanese_explanation(watched: Watched, live: Live, tmp_path: Path) -> None:
    page = watched.page
    mail = tmp_path / "請求書の件.eml"
    mail.write_bytes(emotet.password_zip(seed=21))
    upload(page, mail)
    assert page.get_attribute("#verdict", "data-level") in ("malicious", "suspicious")
    head = page.inner_text("#verdict h1")
    assert "危険" in head or "要注意" in head
    advice = page.inner_text("#advice")
    assert "この結果の意味と、すること" in advice and "電話" in advice
    record = live.api(f"/api/v1/history/{history_id(page)}")["record"]
    why = page.inner_text("#why")
    assert record["hits"] and all(h["title"]["ja"] in why for h in record["hits"])
    assert page.inner_text("#attachments").count(".zip") >= 1
    shot(page, "verdict-ja")
    # the same through drag and drop onto the drop zone
    page.goto(live.base + "/")
    raw = emotet.thread_hijack_doc(seed=22)
    dt = page.evaluate_handle(
        "(bytes) => { const dt = new DataTransfer();"
        " dt.items.add(new File([new Uint8Array(bytes)], 'dropped.eml', {type: 'message/rfc822'})); return dt; }",
        list(raw))
    page.dispatch_event("#drop", "drop", {"dataTransfer": dt})
    assert "dropped.eml" in page.inner_text("#picked")
    shot(page, "upload-dropped")
    page.click("#check")
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-level") == "malicious"
    assert "Emotet などの攻撃メール" in page.inner_text("#advice")
    assert not watched.errors


def test_switch_language(watched: Watched, live: Live, tmp_path: Path) -> None:
    page = watched.page
    mail = tmp_path / "hijack.eml"
    mail.write_bytes(emotet.thread_hijack_doc(seed=23))
    upload(page, mail)
    assert "危険" in page.inner_text("#verdict h1")
    record = live.api(f"/api/v1/history/{history_id(page)}")["record"]
    page.click("#lang-en")
    page.wait_for_selector("html[lang=en]")
    assert "Malicious: this looks like an attack" in page.inner_text("#verdict h1")
    why = page.inner_text("#why")
    assert all(h["title"]["en"] in why for h in record["hits"])
    assert page.inner_text("header nav") .startswith("Check a mail")
    shot(page, "verdict-en")
    page.click("#lang-ja")
    page.wait_for_selector("html[lang=ja]")
    assert "危険" in page.inner_text("#verdict h1")
    page.goto(live.base + "/guide")
    assert "コンテンツの有効化" in page.inner_text("main")
    shot(page, "guide-ja")


def test_release_a_quarantined_mail(watched: Watched, live: Live) -> None:
    page = watched.page
    page.goto(live.base + "/quarantine")
    row = page.locator("#q-1")
    assert row.get_attribute("data-state") == "quarantined"
    assert all(not Path(p).exists() for p in live.originals)
    shot(page, "quarantine-before")
    row.locator("button.release").click()  # a confirm() dialog, accepted by the fixture
    page.wait_for_selector("#released")
    assert page.locator("#q-1").get_attribute("data-state") == "restored"
    assert "解放しました" in page.inner_text("#released")
    for p, sha in live.originals.items():
        assert hashlib.sha256(Path(p).read_bytes()).hexdigest() == sha  # back where it was, unchanged
    assert live.api("/api/v1/quarantine/1")["state"] == "restored"
    shot(page, "quarantine-released")


def hostile_mail(tracker: int) -> bytes:
    t = f"http://127.0.0.1:{tracker}"
    html = f"""<html><head><base href="{t}/base/">
<meta http-equiv="refresh" content="0;url={t}/refresh">
<link rel="stylesheet" href="{t}/link.css"><link rel="prefetch" href="{t}/prefetch">
<style>@import url("{t}/import.css"); body {{ background: url("{t}/bg.png") }}
p::after {{ content: url("{t}/after.png") }} @font-face {{ font-family: x; src: url("{t}/font.woff") }}</style>
<script>console.log("PWNED-script"); fetch("{t}/script"); top.document.title = "PWNED";
parent.document.body.dataset.pwned = "1";</script>
</head><body onload="console.log('PWNED-onload')">
<p id="marker">敵対的なテスト本文 hostile test body</p>
<img src="{t}/pixel.gif" width="1" height="1"><img src="x" onerror="console.log('PWNED-onerror');fetch('{t}/onerror')">
<img srcset="{t}/srcset.png 1x"><picture><source srcset="{t}/source.png"><img src="{t}/picture.png"></picture>
<img src="relative.png"><input type="image" src="{t}/input.png"><video poster="{t}/poster.png" src="{t}/v.mp4"></video>
<audio src="{t}/a.mp3" autoplay></audio><object data="{t}/object"></object><embed src="{t}/embed">
<iframe src="{t}/iframe"></iframe><iframe srcdoc="<script>console.log('PWNED-srcdoc')</script>"></iframe>
<svg onload="console.log('PWNED-svg')"><image href="{t}/svgimage.png"/><script>console.log('PWNED-svgscript')</script></svg>
<div style="background-image:url('{t}/inline.png')">styled</div><table background="{t}/table.png"><tr><td>cell</td></tr></table>
<a href="javascript:console.log('PWNED-js')">javascript link</a> <a href="{t}/clicked" id="lnk">a link</a>
<form action="{t}/form" method="post"><input name="password" value="x"><button>送信</button></form>
<details open ontoggle="console.log('PWNED-toggle')"><summary>s</summary></details>
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' onload='fetch(&quot;{t}/datasvg&quot;)'/%3E">
</body></html>"""
    return (MailBuilder(seed=9, charset="utf-8").from_(("<script>console.log('PWNED-from')</script>", "x@evil.example"))
            .to("tanaka@example.co.jp").subject("<img src=x onerror=console.log('PWNED-subject')> 請求書")
            .text(f"plain part {t}/text-url <script>console.log('PWNED-text')</script>\n").html(html).build())


def _allowed(url: str, base: str) -> bool:
    if not url.startswith(base + "/"):
        return False
    path = url[len(base):]
    return path in ("/", "/analyze") or path.startswith(("/static/", "/verdict/"))


def check_inert(w: Watched, live: Live, name: str) -> None:
    page = w.page
    w.requests.clear()
    w.console.clear()
    before = len(live.tracker.hits)
    # the iframe's own head is ours: one <meta charset> and the hashed style sheet
    assert page.evaluate("() => document.querySelectorAll('script:not([src=\"/static/app.js\"])').length") == 0
    frame_el = page.query_selector("#html-body")
    if frame_el is not None:
        frame = frame_el.content_frame()
        assert frame is not None
        counts = frame.evaluate(
            "() => ({scripts: document.body.querySelectorAll('script, iframe, object, embed, form, input, link, style, "
            "meta, base, svg').length, handlers: [...document.body.querySelectorAll('*')].filter(e => [...e.attributes]"
            ".some(a => a.name.startsWith('on') || a.name === 'style')).length, remote: [...document.body.querySelectorAll("
            "'[src], [href], [srcset], [poster], [background]')].filter(e => !(e.getAttribute('src') || '')"
            ".startsWith('data:image/')).length})")
        assert counts == {"scripts": 0, "handlers": 0, "remote": 0}, (name, counts)
        with contextlib.suppress(Exception):  # clicking a (dead) link in the mail goes nowhere
            frame.click("a", timeout=1000)
    page.wait_for_timeout(800)  # give any delayed load or script a chance to show itself
    assert page.title() != "PWNED" and "PWNED" not in page.title()
    assert page.evaluate("() => document.body.dataset.pwned") is None
    assert not [c for c in w.console if "PWNED" in c or "Refused" in c or "Blocked" in c], (name, w.console)
    assert not [u for u in w.requests if not _allowed(u, live.base)], (name, w.requests)
    assert live.tracker.hits[before:] == [], (name, live.tracker.hits)
    assert not w.errors, (name, w.errors)


def test_hostile_html_runs_nothing_and_fetches_nothing(watched: Watched, live: Live, tmp_path: Path) -> None:
    page = watched.page
    mail = tmp_path / "hostile.eml"
    mail.write_bytes(hostile_mail(live.tracker.port))
    watched.requests.clear()
    upload(page, mail)
    assert not [u for u in watched.requests if not _allowed(u, live.base)], watched.requests
    frame = page.query_selector("#html-body").content_frame()
    assert "敵対的なテスト本文" in frame.inner_text("body")  # the text survives sanitising
    assert "hxxp://127[.]0[.]0[.]1" in page.inner_text("#urls")  # links listed, defanged
    assert "<script>" in page.inner_text("#text-body")  # shown as text, not run
    check_inert(watched, live, "own hostile mail")
    shot(page, "hostile-own")
    assert live.tracker.hits == []


@pytest.mark.corpus
def test_hostile_html_from_the_corpora(watched: Watched, live: Live, corpora: Path) -> None:
    page = watched.page
    for rel in CORPUS_HOSTILE:
        path = corpora / rel
        watched.requests.clear()
        page.goto(live.base + "/")
        upload(page, path)
        assert not [u for u in watched.requests if not _allowed(u, live.base)], (rel, watched.requests)
        assert page.query_selector("#html-body") is not None, rel  # it has an HTML body to show
        check_inert(watched, live, rel)
        shot(page, "hostile-" + Path(rel).stem[:20])
    assert live.tracker.hits == []
