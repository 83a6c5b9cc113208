"""HTML de-encapsulation from \\fromhtml1 RTF."""

from __future__ import annotations

import time

from emoguard.parse.rtf import html_from_rtf


def test_not_html_rtf() -> None:
    assert html_from_rtf(b"{\\rtf1\\ansi\\fromtext hello}") is None


def test_fromhtml_with_cp932_and_fonts() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\ansicpg932\\fromhtml1 \\deff0"
        b"{\\fonttbl{\\f0\\fswiss\\fcharset128 MS PGothic;}{\\f1\\fnil\\fcharset134 SimSun;}}"
        b"{\\colortbl;\\red0\\green0\\blue0;}"
        b"{\\*\\htmltag19 <html>}{\\*\\htmltag34 <body>}"
        b"\\htmlrtf {\\htmlrtf0 {\\*\\htmltag64 <p>}\\f0 \\'93\\'fa\\'96\\'7b\\'8c\\'ea"
        b"\\htmlrtf\\par\\htmlrtf0 {\\*\\htmltag72 </p>}}\\htmlrtf }\\htmlrtf0 "
        b"{\\*\\htmltag64 <p>}{\\f1 \\'c4\\'e3\\'ba\\'c3}\\u12354?{\\*\\htmltag72 </p>}"
        b'{\\*\\htmltag84 <a href="http://x.example/\\{a\\}">}link{\\*\\htmltag92 </a>}'
        b"{\\*\\htmltag42 </body>}{\\*\\htmltag27 </html>}}"
    )
    html = html_from_rtf(rtf)
    assert html == '<html><body><p>日本語</p><p>你好あ</p><a href="http://x.example/{a}">link</a></body></html>'


def test_hostile_rtf_is_linear() -> None:
    start = time.perf_counter()
    out = html_from_rtf(b"{\\rtf1\\fromhtml1" + b"{" * 100000 + b"\\'zz\\u99999999 " * 10000)
    assert isinstance(out, str)
    assert "\ufffd" in out  # out-of-range \uN becomes U+FFFD, not a crash
    assert time.perf_counter() - start < 2.0
