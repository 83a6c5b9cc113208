"""Milter policy: verdict + config -> action, headers, subject tag, reply (pure, no sockets)."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from emoguard.config import load_config
from emoguard.milter.policy import (
    action_for,
    check_config,
    decide,
    failure_decision,
    libmilter_socket,
    tagged_subject,
)

REC = {
    "level": "malicious", "score": 12.5, "subject": "RE: 見積書の件",
    "hits": [{"rule": "sender.display_name_foreign_address", "score": 6.0,
              "evidence": ["display name shows yamada@partner.co.jp, but the mail came from x@y.com.br"]},
             {"rule": "header.reply_without_threading", "score": 2.0, "evidence": ["subject ..."]}],
    "errors": [],
}  # fmt: skip


def cfg(**over):  # type: ignore[no-untyped-def]
    return load_config(search_defaults=False).with_overrides(over)


def test_default_actions() -> None:
    c = cfg()
    d = decide(REC, ["tanaka@example.co.jp"], c)
    assert d.action == "hold" and d.hold_reason.startswith("emoguard malicious 12.5: sender.display_name_foreign_address")
    names = dict(d.headers)
    assert names["X-Emoguard-Level"] == "malicious" and names["X-Emoguard-Score"] == "12.5"
    assert names["X-Emoguard-Rules"] == "sender.display_name_foreign_address=6, header.reply_without_threading=2"
    ev = str(make_header(decode_header(names["X-Emoguard-Evidence"])))
    assert "yamada@partner.co.jp" in ev
    sus = decide({**REC, "level": "suspicious"}, [], c)
    assert sus.action == "tag" and str(make_header(decode_header(sus.subject))) == "[要注意] RE: 見積書の件"
    clean = decide({**REC, "level": "clean", "hits": []}, [], c)
    assert clean.action == "accept" and clean.subject is None and dict(clean.headers)["X-Emoguard-Rules"] == "none"


def test_reject_reply_is_ascii_5xx() -> None:
    d = decide(REC, ["a@example.co.jp"], cfg(**{"milter.actions": {"malicious": "reject"}}))
    assert d.action == "reject" and d.reply[0] == "550" and d.reply[1] == "5.7.1"
    d.reply[2].encode("ascii")
    assert "sender.display_name_foreign_address" in d.reply[2]


def test_per_domain_policy_strictest_wins() -> None:
    c = cfg(**{"milter.domains": {"strict.example": {"malicious": "reject", "suspicious": "hold"}}})
    assert action_for("malicious", ["a@example.co.jp"], c) == "hold"
    assert action_for("malicious", ["a@example.co.jp", "b@STRICT.example"], c) == "reject"
    assert action_for("suspicious", ["b@strict.example"], c) == "hold"
    assert action_for("clean", ["b@strict.example"], c) == "accept"


def test_tag_is_not_doubled_and_ascii_stays_plain() -> None:
    assert tagged_subject("[SUSPICIOUS] hello", "[SUSPICIOUS]") == "[SUSPICIOUS] hello"
    assert tagged_subject("hello", "[SUSPICIOUS]") == "[SUSPICIOUS] hello"


def test_failure_policy() -> None:
    assert failure_decision("boom", cfg()).action == "accept"
    d = failure_decision("boom", cfg(**{"milter.fail_action": "tempfail"}))
    assert d.action == "tempfail" and d.reply[0] == "451"
    assert dict(d.headers)["X-Emoguard-Error"] == "boom"


def test_errors_become_a_header() -> None:
    d = decide({**REC, "errors": ["feature x failed: ValueError: bad"]}, [], cfg())
    assert dict(d.headers)["X-Emoguard-Errors"] == "feature x failed: ValueError: bad"


@pytest.mark.parametrize(
    ("listen", "sock"),
    [("inet:127.0.0.1:8899", "inet:8899@127.0.0.1"), ("unix:/run/emoguard.sock", "unix:/run/emoguard.sock"),
     ("inet:[::1]:10025", "inet6:10025@::1")],
)
def test_listen_spec(listen: str, sock: str) -> None:
    assert libmilter_socket(listen) == sock


def test_check_config_reports_every_problem() -> None:
    c = cfg(**{"milter.listen": "tcp:1", "milter.actions": {"malicious": "explode"}, "milter.fail_action": "maybe",
               "milter.domains": {"x.example": {"clean": "bounce"}}})
    problems = check_config(c)
    assert len(problems) == 4
    assert check_config(cfg()) == []
