"""The command line as a user runs it: formats, exit codes, languages, history."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from emoguard import __version__

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "rules"
BAD = SAMPLES / "sender.display_name_foreign_address" / "hit-1.eml"
GOOD = SAMPLES / "header.reply_without_threading" / "miss-1.eml"


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "LANG": "C.UTF-8", "EMOGUARD_CONFIG": "", **(env or {})}
    e.pop("EMOGUARD_CONFIG")
    e.pop("LC_ALL", None)
    return subprocess.run(
        [sys.executable, "-m", "emoguard", *args],
        input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True, text=True, env=e, cwd=ROOT, timeout=120,
    )


@pytest.fixture()
def state(tmp_path: Path) -> str:
    return str(tmp_path / "state")


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"emoguard {__version__}"
    r = run("--help")
    assert r.returncode == 0 and "scan" in r.stdout and "Emotet" in r.stdout
    r = run("--lang", "ja", "scan", "--help")
    assert r.returncode == 0 and "メール" in r.stdout and "終了コード" in r.stdout
    r = run("scan", "--help", env={"LANG": "ja_JP.UTF-8"})
    assert "検査" in r.stdout


def test_help_screen_words_follow_the_language() -> None:
    ja = run("--lang", "ja", "scan", "--help").stdout
    assert "使い方: emoguard scan" in ja and "オプション:" in ja and "このヘルプを表示して終了" in ja
    assert "[必須]" in ja and "[既定: text]" in ja
    assert "Usage:" not in ja and "Show this message" not in ja
    en = run("--lang", "en", "scan", "--help").stdout
    assert "Usage: emoguard scan" in en and "Options:" in en and "Show this message and exit." in en


def test_jsonl_one_record_per_message(tmp_path: Path, state: str) -> None:
    r = run("scan", "--format", "jsonl", "--state-dir", state, "-j", "1", str(SAMPLES))
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    emls = sorted(str(p) for p in SAMPLES.rglob("*.eml"))
    assert sorted(rec["source"] for rec in recs) == emls
    assert "skipped" in r.stderr  # expect.yml files are named, not silently dropped


def test_fail_on_exit_codes(state: str) -> None:
    assert run("scan", "--format", "jsonl", "--state-dir", state, "--fail-on", "malicious", str(BAD)).returncode == 1
    assert run("scan", "--format", "jsonl", "--state-dir", state, "--fail-on", "malicious", str(GOOD)).returncode == 0
    assert run("scan", "--format", "jsonl", "--state-dir", state, str(BAD)).returncode == 0
    assert run("scan", "--fail-on", "sometimes", str(BAD)).returncode == 2
    assert run("scan", "--format", "yaml", str(BAD)).returncode == 2


def test_text_output_both_languages(state: str) -> None:
    r = run("scan", "--state-dir", state, str(BAD))
    assert r.returncode == 0
    assert "malicious" in r.stdout and "display name shows yamada@partner.co.jp" in r.stdout
    r = run("--lang", "ja", "scan", "--state-dir", state, str(BAD))
    assert "危険" in r.stdout and "表示名には yamada@partner.co.jp" in r.stdout


def test_json_html_and_output_file(tmp_path: Path, state: str) -> None:
    out = tmp_path / "r.json"
    r = run("scan", "--format", "json", "--output", str(out), "--state-dir", state, str(BAD), str(GOOD))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["level"] for d in data] == ["malicious", "clean"]
    html = tmp_path / "r.html"
    r = run("scan", "--format", "html", "-o", str(html), "--state-dir", state, str(BAD))
    assert r.returncode == 0, r.stderr
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html") and "yamada@partner.co.jp" in text


def test_stdin_and_unreadable_paths(tmp_path: Path, state: str) -> None:
    r = run("scan", "--format", "jsonl", "--state-dir", state, "-", str(tmp_path / "missing.eml"), stdin=BAD.read_bytes())
    assert r.returncode == 0
    (rec,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert rec["source"] == "-" and rec["level"] == "malicious"
    assert "missing.eml" in r.stderr and "no such file" in r.stderr


def test_history_store(tmp_path: Path, state: str) -> None:
    run("scan", "--format", "jsonl", "--state-dir", state, str(BAD), str(GOOD))
    db = sqlite3.connect(Path(state) / "emoguard.sqlite3")
    rows = db.execute("SELECT source, level FROM history ORDER BY id").fetchall()
    assert rows == [(str(BAD), "malicious"), (str(GOOD), "clean")]
    run("scan", "--format", "jsonl", "--state-dir", state, "--no-history", str(BAD))
    assert db.execute("SELECT count(*) FROM history").fetchone() == (2,)


def test_jobs_keep_order(tmp_path: Path, state: str) -> None:
    one = run("scan", "--format", "jsonl", "--no-history", "-j", "1", str(SAMPLES))
    two = run("scan", "--format", "jsonl", "--no-history", "-j", "2", str(SAMPLES))
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout


def test_config_show_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[levels]\nsuspicious = 3.0\n")
    r = run("config", "show", "--config", str(f))
    assert r.returncode == 0 and "suspicious = 3.0" in r.stdout and str(f) in r.stdout
    f.write_text("[levels]\nsuspicous = 3.0\n")
    r = run("scan", "--config", str(f), str(BAD))
    assert r.returncode == 2 and "did you mean 'levels.suspicious'" in r.stderr and "Traceback" not in r.stderr


def test_rules_commands(tmp_path: Path) -> None:
    r = run("rules", "list", "--format", "json")
    ids = {x["id"] for x in json.loads(r.stdout)}
    assert "header.reply_without_threading" in ids
    assert run("rules", "validate").returncode == 0
    bad = tmp_path / "myrules" / "x"
    bad.mkdir(parents=True)
    (bad / "r.yml").write_text("id: my.rule\ntitle: {ja: a, en: b}\nscore: 1\ngroup: body\n"
                               "detection:\n  s:\n    subject.txt: x\ncondition: s\n")
    r = run("rules", "validate", str(tmp_path / "myrules"))
    assert r.returncode == 1 and "r.yml:7: unknown feature 'subject.txt' — did you mean 'subject.text'?" in r.stdout
    r = run("rules", "test", "--samples", str(SAMPLES))
    assert r.returncode == 0, r.stdout
    assert " 0 failed" in r.stdout


def test_docs_features_is_current() -> None:
    from emoguard.cli import features_markdown

    assert (ROOT / "docs" / "features.md").read_text(encoding="utf-8") == features_markdown()
