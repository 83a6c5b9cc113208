"""The milter behind a real Postfix (from Debian), on loopback, delivering to a Maildir.

Postfix runs from its own config and queue directories on a free port; the
milter runs as ``emoguard milter`` in its own process group. Every test stops
only what it started.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from collections import Counter
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from postfix import Postfix
from smtpload import RCPT, corpus_messages, norm, send_all

from conftest import StartMilter
from emoguard.config import load_config
from emoguard.engine import Engine
from emoguard.model import Context

ROOT = Path(__file__).resolve().parents[2]
BAD = (ROOT / "tests/rules/sender.display_name_foreign_address/hit-1.eml").read_bytes()
GOOD = (ROOT / "tests/rules/header.reply_without_threading/miss-1.eml").read_bytes()

pytestmark = pytest.mark.integration


def split(raw: bytes) -> tuple[list[bytes], bytes]:
    raw = norm(raw)
    head, _, body = raw.partition(b"\n\n")
    lines: list[bytes] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b"\n" + line
        else:
            lines.append(line)
    return lines, body.rstrip(b"\n")


POSTFIX_PREPENDS = (b"return-path:", b"x-original-to:", b"delivered-to:", b"received:")


def _fields(lines: list[bytes]) -> tuple[list[list[bytes]], list[bytes]]:
    """The header block as fields (with continuation lines), and the rest from the blank line on."""
    fields: list[list[bytes]] = []
    i = 0
    while i < len(lines) and lines[i] != b"":
        if lines[i][:1] in (b" ", b"\t") and fields:
            fields[-1].append(lines[i])
        else:
            fields.append([lines[i]])
        i += 1
    return fields, lines[i:]


def content_hash(raw: bytes, *, delivered: bool = False) -> str:
    """Hash of the message as sent; for a delivered copy, after removing what Postfix and the milter add.

    Postfix's virtual delivery prepends Return-Path, X-Original-To, Delivered-To and its
    Received, in that order; the milter appends X-Emoguard-* fields. A message whose first
    line is not a header (a BOM, say) gets them as a header block of their own. The
    Subject field is left out on both sides: the tag action rewrites it (checked apart).
    """
    lines = norm(raw).split(b"\n")
    if delivered:
        fields, rest = _fields(lines)
        for prefix in POSTFIX_PREPENDS:
            assert fields and fields[0][0].lower().startswith(prefix), fields[:1]
            fields.pop(0)
        fields = [f for f in fields if not f[0].lower().startswith(b"x-emoguard-")]
        if not fields and rest:
            rest = rest[1:]  # the header block was all added: its blank line too
        lines = [ln for f in fields for ln in f] + rest
    fields, rest = _fields(lines)
    lines = [ln for f in fields if not f[0].lower().startswith(b"subject:") for ln in f] + rest
    return hashlib.sha256(b"\n".join(lines).rstrip(b"\n")).hexdigest()


def header(lines: list[bytes], name: str) -> str | None:
    low = name.lower().encode() + b":"
    for line in lines:
        if line.lower().startswith(low):
            return line.split(b":", 1)[1].strip().decode("ascii", "replace")
    return None


def test_headers_hold_and_clean_unchanged(start_milter: StartMilter, make_postfix) -> None:  # type: ignore[no-untyped-def]
    m = start_milter()
    pf: Postfix = make_postfix(m.address)
    assert send_all(pf.port, [BAD, GOOD], clients=1) == ["ok", "ok"]
    pf.wait_idle(2)
    held = [q for q in pf.queue() if q["queue_name"] == "hold"]
    assert len(held) == 1
    log = "\n".join(m.lines())
    assert f'"queue_id": "{held[0]["queue_id"]}"' in log and '"hold_reason": "emoguard malicious' in log
    postcat = subprocess.run(["postcat", "-c", str(pf.etc), "-q", held[0]["queue_id"]], capture_output=True, text=True)
    assert "X-Emoguard-Level: malicious" in postcat.stdout
    (delivered,) = pf.delivered()
    lines, body = split(delivered.read_bytes())
    assert header(lines, "X-Emoguard-Level") == "clean"
    orig_lines, orig_body = split(GOOD)
    assert body == orig_body
    added = {ln.split(b":", 1)[0].lower() for ln in lines if ln not in orig_lines}
    assert added <= {b"x-emoguard-level", b"x-emoguard-score", b"x-emoguard-rules", b"x-emoguard-evidence",
                     b"received", b"return-path", b"delivered-to", b"x-original-to"}  # the last three: Postfix


def test_reject_per_config(start_milter: StartMilter, make_postfix) -> None:  # type: ignore[no-untyped-def]
    m = start_milter('[milter.actions]\nmalicious = "reject"\n')
    pf: Postfix = make_postfix(m.address)
    res = send_all(pf.port, [BAD, GOOD], clients=1)
    assert res[0].startswith("550") and "rejected as malicious by emoguard" in res[0]
    assert res[1] == "ok"
    pf.wait_idle(1)
    assert len(pf.delivered()) == 1 and pf.queue() == []


def test_load_2000_reconciles(corpora: Path, start_milter: StartMilter, make_postfix) -> None:  # type: ignore[no-untyped-def]
    from emoguard.testing.emotet import variants

    msgs = corpus_messages(corpora, 2000) + [raw for _, raw in variants(120, seed=3)]
    cfg = load_config(search_defaults=False)
    engine = Engine.load(config=cfg)
    expected = [engine.analyze(raw, Context(recipients=(RCPT,))).level for raw in msgs]
    m = start_milter()
    pf: Postfix = make_postfix(m.address)
    results = send_all(pf.port, msgs, clients=8)
    assert Counter(results) == Counter({"ok": len(msgs)})
    n_held = expected.count("malicious")
    assert n_held > 50  # the generated Emotet mail is there and caught
    pf.wait_idle(len(msgs), timeout=300)
    held = [q for q in pf.queue() if q["queue_name"] == "hold"]
    assert len(held) == n_held
    assert len(pf.delivered()) == len(msgs) - n_held
    # release the held mail, then every message must be in the Maildir exactly once
    subprocess.run(["postsuper", "-c", str(pf.etc), "-H", "ALL"], check=True, capture_output=True)
    pf.flush()
    pf.wait_idle(len(msgs), timeout=300)
    got: Counter[tuple[str, str]] = Counter()
    for p in pf.delivered():
        lines, _ = split(p.read_bytes())
        level = header(lines, "X-Emoguard-Level") or "?"
        got[(content_hash(p.read_bytes(), delivered=True), level)] += 1
        if level in ("suspicious", "malicious"):
            subject = str(make_header(decode_header(header(lines, "Subject") or "")))
            assert subject.startswith({"suspicious": "[要注意]", "malicious": "[危険]"}[level]), subject
    want = Counter((content_hash(raw), lvl) for raw, lvl in zip(msgs, expected, strict=True))
    assert got == want  # none lost, none duplicated, each with the level its verdict says


def test_milter_killed_mid_run_loses_nothing(corpora: Path, start_milter: StartMilter, make_postfix) -> None:  # type: ignore[no-untyped-def]
    msgs = corpus_messages(corpora, 300)
    m = start_milter()
    pf: Postfix = make_postfix(m.address, default_action="accept")
    def kill_mid_run() -> None:
        # after the first deliveries, not after a fixed time: the milter may finish 300 in a second
        deadline = time.monotonic() + 60
        while len(pf.delivered()) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        m.kill()

    killer = threading.Thread(target=kill_mid_run)
    killer.start()
    results = send_all(pf.port, msgs, clients=4)
    killer.join()
    assert m.proc.poll() is not None  # it really died during the run
    assert Counter(results) == Counter({"ok": len(msgs)})
    pf.wait_idle(len(msgs), timeout=300)
    delivered = pf.delivered()
    held = [q for q in pf.queue() if q["queue_name"] == "hold"]
    assert len(delivered) + len(held) == len(msgs)
    with_headers = sum(1 for p in delivered if b"X-Emoguard-Level:" in p.read_bytes())
    assert 0 < with_headers < len(delivered)  # some checked before the kill, the rest passed by default
    # restarted on the same port: checking resumes
    m2 = start_milter(port=m.port)
    assert send_all(pf.port, [GOOD], clients=1) == ["ok"]
    pf.wait_idle(len(msgs) + 1)
    newest = max(pf.delivered(), key=lambda p: p.stat().st_mtime_ns)
    assert b"X-Emoguard-Level: clean" in newest.read_bytes()
    m2.stop()


def test_fail_closed_tempfails_while_milter_down(start_milter: StartMilter, make_postfix) -> None:  # type: ignore[no-untyped-def]
    m = start_milter()
    pf: Postfix = make_postfix(m.address, default_action="tempfail")
    m.kill()
    (res,) = send_all(pf.port, [GOOD], clients=1)
    assert res.startswith("451")
    start_milter(port=m.port)
    assert send_all(pf.port, [GOOD], clients=1) == ["ok"]  # the client's retry goes through
    pf.wait_idle(1)
    assert len(pf.delivered()) == 1


def test_big_malformed_and_failing_extractor(corpora: Path, start_milter: StartMilter, make_postfix, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "siterules" / "test"
    rules.mkdir(parents=True)
    (rules / "boom.yml").write_text(
        "id: test.boom\ntitle: {ja: テスト, en: test}\ndescription: {ja: テスト, en: test}\nscore: 1\n"
        "group: body\ntags: [test]\ndetection:\n  b:\n    test.boom: true\ncondition: b\n", encoding="utf-8")
    prelude = (
        "from emoguard.features.registry import feature\n"
        "@feature('test.boom', type='bool')\n"
        "def boom(fx):\n"
        "    'Raises on mail carrying X-Test-Boom (an extractor failing on one message).'\n"
        "    if fx.message.header('X-Test-Boom'):\n"
        "        raise ValueError('extractor failed on purpose')\n"
        "    return False\n"
    )
    m = start_milter(f'[rules]\ndirs = ["{tmp_path / "siterules"}"]\n', prelude=prelude)
    pf: Postfix = make_postfix(m.address)
    big = (b"From: a@sender.example\r\nTo: " + RCPT.encode() + b"\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + (b"QUJDRA" * 12 + b"\r\n") * 420_000)
    assert len(big) > 30_000_000
    malformed = (corpora / "apache_mime4j_testmsgs" / "mimetools-testmsgs" / "badbound.eml").read_bytes()
    boom = b"X-Test-Boom: yes\r\n" + BAD
    assert send_all(pf.port, [big, malformed, boom], clients=3) == ["ok", "ok", "ok"]
    pf.wait_idle(3, timeout=180)
    out = [p.read_bytes() for p in pf.delivered()] + [
        subprocess.run(["postcat", "-c", str(pf.etc), "-q", q["queue_id"]], capture_output=True).stdout
        for q in pf.queue()]
    assert len(out) == 3
    assert all(b"X-Emoguard-Level:" in o for o in out)
    boomed = [o for o in out if b"X-Emoguard-Errors: feature test.boom failed" in o]
    assert len(boomed) == 1
    assert b"X-Emoguard-Level: malicious" in boomed[0]  # the verdict of the other rules still stands
    assert len([q for q in pf.queue() if q["queue_name"] == "hold"]) == 1  # and so does the action
