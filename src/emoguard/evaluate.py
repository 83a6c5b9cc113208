"""Measure detection on labelled sets: recall on malicious mail, false positives on ham.

``evaluate()`` learns a contacts directory from a history set (optional), scans a
malicious and a benign set through the same runner as ``emoguard scan`` (process pool,
``jobs``), and returns one plain dict (the ``emoguard eval --format json`` document):
recall and false-positive rate per level, the misses and false positives with their
hits, and per-rule hit counts. Pure apart from reading the given directories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from emoguard.engine import Engine
from emoguard.model import Context
from emoguard.sources import RawMessage, Skipped, open_sources

SCHEMA = 1
LEVELS = ("clean", "suspicious", "malicious")


def _messages(paths: Sequence[str], skipped: list[str]) -> Iterator[RawMessage]:
    for it in open_sources(paths):
        if isinstance(it, Skipped):
            skipped.append(f"{it.source}: {it.reason}")
            continue
        yield it


def learn_directory(history: Sequence[str], own_domains: Sequence[str] = ()) -> tuple[Any, int]:
    """A contacts directory learned from every message under ``history`` (and how many were read)."""
    from emoguard.contacts import DirectoryBuilder
    from emoguard.parse import parse_message

    b = DirectoryBuilder()
    n = 0
    for raw in _messages(history, []):
        try:
            msg = parse_message(raw.load())
        except OSError:
            continue
        b.learn(msg, own_domains=list(own_domains))
        n += 1
    return b.build(), n


def _brief(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": rec.get("source", ""),
        "level": rec.get("level", ""),
        "score": rec.get("score", 0.0),
        "subject": rec.get("subject", ""),
        "hits": [{"rule": h["rule"], "score": h["score"], "evidence": h["evidence"][:3]} for h in rec.get("hits", [])],
        "errors": rec.get("errors", []),
    }


def _scan(
    engine: Engine, paths: Sequence[str], context: Context, jobs: int, skipped: list[str]
) -> list[dict[str, Any]]:
    from emoguard.runner import run

    return list(run(_messages(paths, skipped), engine=engine, context=context, jobs=jobs))


def summarise(records: Iterable[dict[str, Any]], *, malicious: bool) -> dict[str, Any]:
    """Counts per level and the rates that matter for a labelled set."""
    recs = list(records)
    n = len(recs)
    levels = Counter(r["level"] for r in recs)
    rules: Counter[str] = Counter(h["rule"] for r in recs for h in r.get("hits", []))
    flagged = levels["suspicious"] + levels["malicious"]
    out: dict[str, Any] = {
        "n": n,
        "levels": {lv: levels.get(lv, 0) for lv in LEVELS},
        "rule_hits": dict(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        "errors": sum(1 for r in recs if r.get("errors")),
    }
    if malicious:
        out["recall_suspicious"] = flagged / n if n else 0.0
        out["recall_malicious"] = levels["malicious"] / n if n else 0.0
        out["misses"] = [_brief(r) for r in recs if r["level"] == "clean"]
        out["not_malicious"] = [_brief(r) for r in recs if r["level"] == "suspicious"]
    else:
        out["fp_suspicious"] = flagged / n if n else 0.0
        out["fp_malicious"] = levels["malicious"] / n if n else 0.0
        out["false_positives"] = [_brief(r) for r in recs if r["level"] != "clean"]
    return out


def evaluate(
    engine: Engine,
    *,
    malicious: Sequence[str] = (),
    benign: Sequence[str] = (),
    history: Sequence[str] = (),
    context: Context | None = None,
    jobs: int = 1,
) -> dict[str, Any]:
    """The evaluation document (see the module docstring)."""
    ctx = context or Context()
    doc: dict[str, Any] = {"schema": SCHEMA, "directory": None}
    if history:
        directory, n = learn_directory(history, ctx.own_domains)
        ctx = replace(ctx, directory=directory)
        doc["directory"] = {"history": list(history), "messages": n, "contacts": len(directory)}
    skipped: list[str] = []
    if malicious:
        doc["malicious"] = summarise(_scan(engine, malicious, ctx, jobs, skipped), malicious=True)
        doc["malicious"]["paths"] = list(malicious)
    if benign:
        doc["benign"] = summarise(_scan(engine, benign, ctx, jobs, skipped), malicious=False)
        doc["benign"]["paths"] = list(benign)
    doc["skipped"] = skipped
    doc["levels"] = {"suspicious": engine.config["levels.suspicious"], "malicious": engine.config["levels.malicious"]}
    return doc


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render_text(doc: dict[str, Any], *, lang: str = "en", show: int = 30) -> str:
    """A plain-text report of an evaluation document."""
    ja = lang == "ja"
    out: list[str] = []
    d = doc.get("directory")
    if d:
        out.append(f"連絡先ディレクトリ: {d['messages']} 通から {d['contacts']} 件を学習" if ja else
                    f"directory: learned {d['contacts']} contacts from {d['messages']} messages")
    else:
        out.append("連絡先ディレクトリ: なし" if ja else "directory: none")
    m = doc.get("malicious")
    if m:
        out.append(("悪性" if ja else "malicious") + f": n={m['n']} levels={m['levels']} "
                   f"recall(suspicious+)={pct(m['recall_suspicious'])} recall(malicious)={pct(m['recall_malicious'])}")
    b = doc.get("benign")
    if b:
        out.append(("正常" if ja else "benign") + f": n={b['n']} levels={b['levels']} "
                   f"FP(suspicious+)={pct(b['fp_suspicious'])} FP(malicious)={pct(b['fp_malicious'])}")
    for title, items in ((("見逃し" if ja else "misses (malicious judged clean)"), (m or {}).get("misses", [])),
                         (("誤検知" if ja else "false positives"), (b or {}).get("false_positives", []))):
        out.append(f"\n{title}: {len(items)}")
        for r in items[:show]:
            out.append(f"  [{r['level']} {r['score']:g}] {r['source']}  {r['subject'][:60]}")
            for h in r["hits"]:
                out.append(f"      {h['rule']} +{h['score']:g}: {'; '.join(h['evidence'])[:160]}")
        if len(items) > show:
            out.append(f"  … {len(items) - show} more")
    for name, s in (("malicious", m), ("benign", b)):
        if s:
            out.append(f"\n{'ルール別ヒット数' if ja else 'rule hits'} ({name}):")
            for rule, c in s["rule_hits"].items():
                out.append(f"  {c:6d}  {rule}")
    return "\n".join(out) + "\n"
