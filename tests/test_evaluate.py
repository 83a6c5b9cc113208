"""``emoguard eval`` and the generated Emotet-style set (``emoguard.testing.corpus_set``).

The default run uses a small seeded subset; ``pytest -m slow`` runs the full evaluation
of docs/evaluation.md and asserts its targets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emoguard.engine import Engine
from emoguard.evaluate import evaluate, render_text, summarise
from emoguard.testing.corpus_set import WAVES, write_set

ROOT = Path(__file__).resolve().parents[1]
HAM_SETS = (
    "spamassassin_public/easy_ham",
    "spamassassin_public/easy_ham_2",
    "linux_nvdimm_list_archive/ham_japanese_charset",
    "linux_nvdimm_list_archive/ham_patch_traffic_sample",
    "notmuch_test_corpora",
)
JA_HAM_GLOB = ("ja_*", "joruri_mail_fixtures_ja")


@pytest.fixture(scope="module")
def small_set(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("set")
    write_set(out, corpora, seed=7, per_wave=5, en=30, benign_threads=12)
    return out


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(search_defaults=False)


def test_set_layout_and_labels(small_set: Path) -> None:
    man = json.loads((small_set / "manifest.json").read_text("utf-8"))
    mal = sorted(p.name for p in (small_set / "malicious").glob("*.eml"))
    assert len(mal) == man["counts"]["malicious"] >= 5 * (len(WAVES) - 1)
    assert {n.split("-")[0] for n in mal} == set(WAVES)
    assert {n.split("-")[1] for n in mal} == {"ja", "en"}
    assert man["counts"]["benign"] >= 12 and man["counts"]["history"] >= 30
    kinds = {m["kind"] for k, m in man["files"].items() if k.startswith("benign/")}
    assert kinds == {"legit_reply", "legit_notice", "legit_password_zip", "legit_password_mail"}


def test_set_is_deterministic(corpora: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        write_set(d, corpora, seed=3, per_wave=2, en=10, benign_threads=4, pad_to=1_000_000)
    assert json.loads((a / "manifest.json").read_text("utf-8")) == json.loads((b / "manifest.json").read_text("utf-8"))
    files = sorted(p.relative_to(a) for p in a.rglob("*.eml"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.eml"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_recall_on_small_set(engine: Engine, small_set: Path) -> None:
    for history in ([], [str(small_set / "history")]):
        doc = evaluate(engine, malicious=[str(small_set / "malicious")], benign=[str(small_set / "benign")],
                       history=history, jobs=1)
        mal, ben = doc["malicious"], doc["benign"]
        assert mal["recall_suspicious"] >= 0.98, mal["misses"]
        assert mal["recall_malicious"] >= 0.85, mal["not_malicious"]
        assert ben["levels"]["malicious"] == 0, ben["false_positives"]
        assert (doc["directory"] is not None) == bool(history)
    assert doc["directory"]["messages"] >= 30 and doc["directory"]["contacts"] > 0


def test_no_malicious_on_ham_sample(engine: Engine, corpora: Path) -> None:
    paths = sorted((corpora / "spamassassin_public" / "easy_ham").glob("*.eml"))[::10]
    paths += [p for g in JA_HAM_GLOB for d in sorted(corpora.glob(g)) for p in sorted(d.rglob("*.eml"))]
    doc = evaluate(engine, benign=[str(p) for p in paths], jobs=1)
    assert doc["benign"]["n"] == len(paths) > 300
    assert doc["benign"]["levels"]["malicious"] == 0, doc["benign"]["false_positives"]


def test_evidence_names_the_concrete_thing(engine: Engine, small_set: Path) -> None:
    """URL rules quote the URL, name rules the file name, sender/header rules the address."""
    checked = 0
    for path in sorted((small_set / "malicious").glob("*.eml")):
        v = engine.analyze(path.read_bytes())
        names = [a.name for a in v.attachments]
        for h in v.hits:
            ev = " ".join(h.evidence)
            assert ev and " ".join(h.evidence_ja), h
            area = h.rule.split(".")[0]
            if area == "url":
                assert "://" in ev, h
            elif area == "attachment" and h.rule not in ("attachment.legacy_office_in_fake_reply",):
                assert any(n in ev for n in names), (h, names)
            elif area in ("sender", "header") and h.rule != "header.reply_without_threading":
                assert "@" in ev or "boundary" in h.rule, h
            checked += 1
    assert checked > 200
    doc = evaluate(engine, malicious=[str(small_set / "malicious")], jobs=1)
    text = render_text(doc)
    assert "recall(suspicious+)" in text and "rule hits (malicious)" in text


def test_no_rule_lowers_a_score(engine: Engine) -> None:
    """DESIGN 3.2: passing SPF/DKIM/DMARC (or anything else) never subtracts."""
    assert all(r.score > 0 for r in engine.ruleset.rules)


def test_summarise_rates() -> None:
    recs = [{"level": "malicious", "hits": [{"rule": "a", "score": 9, "evidence": ["x"]}]},
            {"level": "suspicious", "hits": []}, {"level": "clean", "hits": []}, {"level": "clean", "hits": []}]
    m = summarise(recs, malicious=True)
    assert (m["recall_suspicious"], m["recall_malicious"], len(m["misses"])) == (0.5, 0.25, 2)
    b = summarise(recs, malicious=False)
    assert (b["fp_suspicious"], b["fp_malicious"], b["rule_hits"]) == (0.5, 0.25, {"a": 1})


def test_cli_json(small_set: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("EMOGUARD_CONFIG", "LC_ALL")}
    env["LANG"] = "C.UTF-8"
    r = subprocess.run(
        [sys.executable, "-m", "emoguard", "eval", "--malicious", str(small_set / "malicious"),
         "--benign", str(small_set / "benign"), "--history", str(small_set / "history"), "-j", "2", "-f", "json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"schema", "directory", "malicious", "benign", "levels", "skipped"}
    assert set(doc["malicious"]) >= {"n", "levels", "recall_suspicious", "recall_malicious", "misses", "rule_hits"}
    assert set(doc["benign"]) >= {"n", "levels", "fp_suspicious", "fp_malicious", "false_positives", "rule_hits"}
    r = subprocess.run([sys.executable, "-m", "emoguard", "eval", "--benign", str(small_set / "benign"), "-j", "1"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and "FP(suspicious+)" in r.stdout
    r = subprocess.run([sys.executable, "-m", "emoguard", "eval"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 2


# -- the full evaluation (docs/evaluation.md) ---------------------------------------------


@pytest.fixture()
def _only_with_m_slow(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("full evaluation: run with -m slow")


@pytest.mark.slow
@pytest.mark.usefixtures("_only_with_m_slow")
def test_full_evaluation_targets(engine: Engine, corpora: Path, tmp_path: Path) -> None:
    write_set(tmp_path, corpora, seed=1)
    for history in ([], [str(tmp_path / "history")]):
        doc = evaluate(engine, malicious=[str(tmp_path / "malicious")], benign=[str(tmp_path / "benign")],
                       history=history, jobs=2)
        mal = doc["malicious"]
        assert mal["n"] >= 300
        assert mal["recall_suspicious"] >= 0.98, mal["misses"]
        assert mal["recall_malicious"] >= 0.90, mal["not_malicious"]
        assert doc["benign"]["levels"]["malicious"] == 0
    ham = [str(corpora / s) for s in HAM_SETS]
    ham += [str(d) for g in JA_HAM_GLOB for d in sorted(corpora.glob(g))]
    for history in ([], [str(tmp_path / "history")]):
        ben = evaluate(engine, benign=ham, history=history, jobs=2)["benign"]
        assert ben["levels"]["malicious"] == 0, ben["false_positives"][:20]
        assert ben["fp_suspicious"] <= 0.005, (ben["fp_suspicious"], ben["false_positives"][:20])
