"""`emoguard contacts import/learn/list` as a user runs them, and `scan` using the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from emoguard.testing import MailBuilder

ROOT = Path(__file__).resolve().parents[2]
ME = ("田中 一郎", "tanaka@example.co.jp")
YAMADA = ("山田 太郎", "yamada@partner.co.jp")


def run(*args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_CONFIG", "LC_ALL", "EMOGUARD_LANG")}
    e["LANG"] = lang
    return subprocess.run([sys.executable, "-m", "emoguard", *args], capture_output=True, text=True,
                          env=e, cwd=ROOT, timeout=120)


def test_import_list_and_problems(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    csv = tmp_path / "outlook.csv"
    csv.write_bytes(("名,姓,電子メール アドレス\r\n太郎,山田,yamada@partner.co.jp\r\n花子,佐藤,壊れた\r\n")
                    .encode("cp932"))
    vcf = tmp_path / "b.vcf"
    vcf.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Hanako Sato\nEMAIL:sato@supplier.co.jp\nEND:VCARD\n", "utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", "utf-8")
    r = run("contacts", "import", str(csv), str(vcf), str(junk), "--state-dir", state)
    assert r.returncode == 0, r.stderr
    assert f"{csv}:3: '壊れた' is not an e-mail address; skipped" in r.stderr
    assert f"{junk}:1: not an address book" in r.stderr
    assert "csv/outlook" in r.stdout and "cp932" in r.stdout and "2 addresses" in r.stdout
    r = run("contacts", "list", "--format", "json", "--state-dir", state)
    data = json.loads(r.stdout)
    assert [(d["address"], d["names"], d["sources"]) for d in data] == [
        ("sato@supplier.co.jp", ["Hanako Sato"], ["import:vcard"]),
        ("yamada@partner.co.jp", ["山田 太郎"], ["import:csv/outlook"]),
    ]
    r = run("--lang", "ja", "contacts", "list", "--search", "山田", "--state-dir", state)
    assert r.returncode == 0 and "yamada@partner.co.jp" in r.stdout and "sato@" not in r.stdout
    assert "アドレス" in r.stdout
    r = run("contacts", "import", str(junk), "--state-dir", state)
    assert r.returncode == 1 and "no contacts could be read" in r.stderr


def test_help_in_both_languages() -> None:
    r = run("contacts", "--help")
    assert r.returncode == 0 and "import" in r.stdout and "learn" in r.stdout
    r = run("contacts", "import", "--help", lang="ja_JP.UTF-8")
    assert "アドレス帳" in r.stdout and "--state-dir" in r.stdout


def _history(folder: Path) -> None:
    folder.mkdir()
    (folder / "1.eml").write_bytes(
        MailBuilder(seed=1).from_(ME).to(YAMADA).subject("9月分のお見積りについて")
        .message_id("<20200901.1@example.co.jp>").text("山田様\nお見積りをお願いします。").build())
    (folder / "2.eml").write_bytes(
        MailBuilder(seed=2).from_(YAMADA).to(ME).subject("RE: 9月分のお見積りについて")
        .header("Received", "from mail.partner.co.jp (mail.partner.co.jp [203.0.113.10]) by mx.example.co.jp"
                " with ESMTPS; Thu, 24 Sep 2020 10:15:00 +0900", top=True)
        .in_reply_to("<20200901.1@example.co.jp>").text("田中様\n添付いたします。\n--\n山田 太郎\nTEL 03-1234-5678\n")
        .build())
    (folder / "notmail.txt").write_text("not a mail", "utf-8")


def test_learn_then_scan_uses_the_directory(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    _history(tmp_path / "history")
    r = run("contacts", "learn", str(tmp_path / "history"), "--own-domain", "example.co.jp", "--state-dir", state)
    assert r.returncode == 0, r.stderr
    assert "learned 2 addresses and 1 sent Message-IDs from 2 messages" in r.stdout
    r = run("contacts", "list", "-f", "json", "--state-dir", state)
    yamada = next(d for d in json.loads(r.stdout) if d["address"] == "yamada@partner.co.jp")
    assert yamada["count"] == 2 and "sent" in yamada["sources"] and yamada["first_seen"].startswith("2020-09-24")
    assert yamada["first_hops"] == {"partner.co.jp": 1} and yamada["first_hop_networks"] == {"203.0.0.0/16": 1}
    assert yamada["phones"] == {"03-1234-5678": 1}

    spoof = tmp_path / "spoof.eml"
    spoof.write_bytes(MailBuilder(seed=3).from_(("山田 太郎", "contato@lojaexemplo.com.br")).to(ME)
                      .subject("RE: 9月分のお見積りについて").text("ご確認をお願いします。").build())
    real = tmp_path / "real.eml"
    real.write_bytes(MailBuilder(seed=4).from_(YAMADA).to(ME).subject("RE: 9月分のお見積りについて")
                     .in_reply_to("<20200901.1@example.co.jp>").text("田中様\n承知しました。").build())
    for jobs in ("1", "2"):  # in-process and in worker processes (the directory is pickled)
        r = run("scan", "--format", "jsonl", "--no-history", "-j", jobs, "--state-dir", state, str(spoof), str(real))
        assert r.returncode == 0, r.stderr
        assert "contacts directory: 2 addresses used for identity checks" in r.stderr
        recs = {Path(d["source"]).name: d for d in map(json.loads, r.stdout.splitlines())}
        hit = next(h for h in recs["spoof.eml"]["hits"] if h["rule"] == "identity.name_known_other_address")
        assert hit["evidence"] == [
            "display name 山田 太郎 is known as yamada@partner.co.jp, but the mail came from contato@lojaexemplo.com.br"
        ]
        assert recs["spoof.eml"]["level"] == "malicious"
        assert not [h for h in recs["real.eml"]["hits"] if h["rule"].startswith("identity.")]
    # without the directory the identity rule stays silent
    r = run("scan", "--format", "jsonl", "--no-history", "-j", "1", "--state-dir", str(tmp_path / "empty"), str(spoof))
    assert "identity.name_known_other_address" not in r.stdout
