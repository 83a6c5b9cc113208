"""The core contract (DESIGN 2.1/2.2): Engine.load / analyze and the verdict record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import emoguard
from emoguard import Context, Engine
from emoguard.config import load_config
from emoguard.features.registry import Features, Registry
from emoguard.model import Hit, Message

RECORD_FIELDS = {
    "schema", "source", "message_id", "from", "to", "subject", "date", "level", "score",
    "hits", "attachments", "defects", "errors",
}  # fmt: skip
SAMPLES = Path(__file__).parent / "rules"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(search_defaults=False)


def test_public_api() -> None:
    assert sorted(emoguard.__all__) == ["Context", "Engine", "FileNode", "Hit", "Message", "Verdict", "__version__"]
    for name in emoguard.__all__:
        assert getattr(emoguard, name) is not None


def test_analyze_record_shape(engine: Engine) -> None:
    raw = (SAMPLES / "sender.display_name_foreign_address" / "hit-1.eml").read_bytes()
    v = engine.analyze(raw, context=Context(recipients=("tanaka@example.co.jp",)), source="x.eml")
    d = v.to_dict()
    assert set(d) >= RECORD_FIELDS
    assert d["schema"] == 1 and d["source"] == "x.eml"
    assert d["level"] == "malicious" and d["score"] >= 8
    hit = next(h for h in d["hits"] if h["rule"] == "sender.display_name_foreign_address")
    assert set(hit) >= {"rule", "score", "evidence", "title", "tags"}
    assert hit["title"]["ja"] and hit["title"]["en"]
    assert "contato@lojaexemplo.com.br" in hit["evidence"][0]
    assert "contato@lojaexemplo.com.br" in hit["evidence_ja"][0]
    json.dumps(d, ensure_ascii=False)


def test_attachment_tree_in_record(engine: Engine) -> None:
    raw = (SAMPLES / "attachment.legacy_office" / "hit-1.eml").read_bytes()
    (att,) = engine.analyze(raw).to_dict()["attachments"]
    assert att["name"] == "からの変更20-09.doc"
    assert att["type"] == "ole" and att["size"] > 0 and len(att["sha256"]) == 64
    assert att["children"] == []


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff" * 100, b"From: \r\n\r\n", b"Content-Type: multipart/mixed; boundary=x\n\n--x\n",
     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Subject: =?iso-2022-jp?B?GyRCJDMbKEI?=\n\n①".encode("cp932")],
)
def test_never_raises_and_always_a_record(engine: Engine, raw: bytes) -> None:
    d = engine.analyze(raw, source="bad").to_dict()
    assert set(d) >= RECORD_FIELDS
    assert d["level"] in {"clean", "suspicious", "malicious"}


def test_unreadable_gets_policy_level(engine: Engine) -> None:
    v = engine.analyze(b"", source="empty.eml")
    assert v.level == "suspicious" and v.errors and v.errors[0].startswith("unreadable")
    cfg = load_config(search_defaults=False).with_overrides({"policy.unreadable_level": "malicious"})
    assert Engine.load(config=cfg).analyze(b"").level == "malicious"


def test_oversized_message_is_recorded_not_parsed() -> None:
    cfg = load_config(search_defaults=False).with_overrides({"limits.max_message_bytes": 100})
    v = Engine.load(config=cfg).analyze(b"Subject: x\n\n" + b"a" * 200, source="big")
    assert v.level == "suspicious" and "over limits.max_message_bytes" in v.errors[0]


def test_group_caps_and_levels() -> None:
    cfg = load_config(search_defaults=False).with_overrides(
        {"groups": {"body": 2.0, "thread": 6.0}, "levels.suspicious": 3.0, "levels.malicious": 5.0}
    )
    eng = Engine.load(config=cfg)
    hits = [Hit("a.x", 1.5, group="body"), Hit("a.y", 1.5, group="body"), Hit("a.z", 2.5, group="thread")]
    assert eng.score(hits) == 4.5  # body capped at 2.0
    assert eng.level_for(2.9) == "clean"
    assert eng.level_for(3.0) == "suspicious"
    assert eng.level_for(5.0) == "malicious"


def test_failing_feature_is_contained() -> None:
    reg = Registry()

    @reg.feature("boom.value", type="list")
    def boom(fx: Features) -> tuple[str, ...]:
        raise RuntimeError("kaput")

    fx = Features(Message(), Context(), registry=reg)
    assert fx["boom.value"] == ()
    assert fx.errors == ["feature boom.value failed: RuntimeError: kaput"]
    assert fx["boom.value"] == () and len(fx.errors) == 1  # memoized, logged once


def test_engine_is_reusable_and_deterministic(engine: Engine) -> None:
    raw = (SAMPLES / "header.reply_without_threading" / "hit-1.eml").read_bytes()
    a = engine.analyze(raw).to_dict()
    b = engine.analyze(raw).to_dict()
    assert a == b


def test_context_recipient_names(engine: Engine) -> None:
    raw = b"From: x@example.mx\nTo: tanaka@example.co.jp\nSubject: RE: \xe7\x94\xb0\xe4\xb8\xad \xe4\xb8\x80\xe9\x83\x8e\n\nhi\n"
    plain = engine.analyze(raw)
    named = engine.analyze(raw, context=Context(recipient_names=("田中 一郎",)))
    assert "subject.recipient_name" not in {h.rule for h in plain.hits}
    assert "subject.recipient_name" in {h.rule for h in named.hits}
