"""`emoguard scan --format jsonl` over all of ../shared/corpora: one record per message file.

The expectation is computed independently of the sniffer: every ``*.eml``, every Outlook
``*.msg`` item, and every Enron-Spam ``*.txt`` message gets exactly one record; mbox files
get one record per message; nothing raises and every record has the DESIGN 2.2 fields.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

RECORD_FIELDS = {
    "schema", "source", "message_id", "from", "to", "subject", "date", "level", "score",
    "hits", "attachments", "defects", "errors",
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus_scan(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], str]:
    out = tmp_path_factory.mktemp("scan") / "all.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "EMOGUARD_CONFIG"}
    with out.open("wb") as fh:
        r = subprocess.run(
            [sys.executable, "-m", "emoguard", "scan", "--format", "jsonl", "--no-history", str(corpora)],
            stdout=fh, stderr=subprocess.PIPE, env=env, timeout=1800,
        )
    stderr = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 0, stderr[-3000:]
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return recs, stderr


def _is_outlook_item(p: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(p)) as ole:
            return bool(ole.exists("__properties_version1.0"))
    except Exception:
        return False


@pytest.mark.corpus
def test_one_record_per_message_file(corpora: Path, corpus_scan: tuple[list[dict], str]) -> None:
    recs, stderr = corpus_scan
    assert "Traceback" not in stderr
    per_file = Counter(r["source"].split("#", 1)[0] for r in recs)
    expected = [p for p in corpora.rglob("*.eml")]
    expected += [p for p in corpora.rglob("*.msg") if _is_outlook_item(p)]
    expected += [p for p in (corpora / "enron_spam_metsis_preprocessed").rglob("*.txt") if p.name != "Summary.txt"]
    missing = [str(p) for p in expected if per_file.get(str(p), 0) != 1]
    assert missing == [], f"{len(missing)} message files without exactly one record, e.g. {missing[:5]}"
    failures = (corpora / "PYTHON_EMAIL_PARSE_FAILURES.tsv").read_text().splitlines()[1:]
    listed = [corpora / line.split("\t")[0] for line in failures]
    present = [p for p in listed if p.exists()]  # a few listed files were later left out of the corpus
    assert len(present) >= 15
    for p in present:
        assert per_file[str(p)] == 1, p
    for name in ("outofmemory.eml", "htmllargecallstack.eml"):
        (hit,) = [k for k in per_file if k.endswith("/" + name)]
        assert per_file[hit] == 1
    mboxes = [p for p in (corpora / "sisimai_set_of_emails").rglob("*") if p.is_file() and p.read_bytes()[:5] == b"From "]
    assert mboxes and all(per_file[str(p)] >= 1 for p in mboxes)
    for r in recs:
        assert set(r) >= RECORD_FIELDS, r.get("source")
        assert r["level"] in {"clean", "suspicious", "malicious"}


@pytest.mark.corpus
def test_no_component_failures_on_real_mail(corpus_scan: tuple[list[dict], str]) -> None:
    recs, _ = corpus_scan
    failed = [(r["source"], r["errors"]) for r in recs if any("failed" in e for e in r["errors"])]
    assert failed == []
