"""What the milter does with a message, decided from its verdict and the config.

Pure functions, no sockets: the milter protocol layer only carries out the
:class:`Decision`. Actions, from mildest to strictest: ``accept`` (headers
only), ``tag`` (headers + subject prefix), ``hold`` (Postfix HOLD queue, with
the reason logged) and ``reject`` (5xx with a clear text). With several
recipient domains, the strictest of their policies wins: a message has one fate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import Header
from typing import Any, Protocol

ACTIONS = ("accept", "tag", "hold", "reject")
STRICTNESS = {a: i for i, a in enumerate(ACTIONS)}
LEVELS = ("clean", "suspicious", "malicious")
HEADER_PREFIX = "X-Emoguard-"
MAX_RULES_HEADER = 900
_LISTEN = re.compile(r"^(?:inet:(?P<host>[^:\[\]]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})|unix:(?P<path>/.+))$")


class Settings(Protocol):
    """Anything read like the config: ``cfg["milter.actions"]`` (Config or a plain dict)."""

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    level: str
    score: float
    headers: tuple[tuple[str, str], ...]
    subject: str | None = None  # the new Subject value (already RFC 2047 encoded) when tagging
    reply: tuple[str, str, str] | None = None  # (code, extended code, text) for reject/tempfail
    hold_reason: str | None = None

    def log_fields(self) -> dict[str, Any]:
        return {"action": self.action, "level": self.level, "score": self.score}


def libmilter_socket(listen: str) -> str:
    """``inet:127.0.0.1:8899`` -> libmilter's ``inet:8899@127.0.0.1``; ``unix:/p`` unchanged."""
    m = _LISTEN.match(listen)
    if not m:
        raise ValueError(f"cannot read listen address {listen!r} (use inet:HOST:PORT or unix:/PATH)")
    if m.group("path"):
        return f"unix:{m.group('path')}"
    host = m.group("host").strip("[]")
    if ":" in host:
        return f"inet6:{m.group('port')}@{host}"
    return f"inet:{m.group('port')}@{host}"


def check_config(cfg: Settings) -> list[str]:
    """Every problem with the milter settings (empty list when fine)."""
    problems: list[str] = []
    try:
        libmilter_socket(str(cfg["milter.listen"]))
    except ValueError as e:
        problems.append(f"milter.listen: {e}")
    for level, action in cfg["milter.actions"].items():
        if level not in LEVELS:
            problems.append(f"milter.actions: unknown level '{level}' (use {', '.join(LEVELS)})")
        if action not in ACTIONS:
            problems.append(f"milter.actions.{level}: unknown action '{action}' (use {', '.join(ACTIONS)})")
    for dom, table in cfg["milter.domains"].items():
        for level, action in table.items():
            if level not in LEVELS or action not in ACTIONS:
                problems.append(f"milter.domains.{dom}.{level}: '{action}' is not one of {', '.join(ACTIONS)}")
    for level in cfg["milter.subject_tags"]:
        if level not in LEVELS:
            problems.append(f"milter.subject_tags: unknown level '{level}'")
    if cfg["milter.fail_action"] not in ("accept", "tempfail"):
        problems.append("milter.fail_action must be accept or tempfail")
    if float(cfg["milter.timeout"]) <= 0:
        problems.append("milter.timeout must be positive")
    return problems


def action_for(level: str, recipients: Sequence[str], cfg: Settings) -> str:
    """The configured action for ``level``; per-recipient-domain overrides, strictest wins."""
    default = cfg["milter.actions"].get(level, "accept")
    domains: Mapping[str, Mapping[str, str]] = cfg["milter.domains"]
    if not domains or not recipients:
        return str(default)
    chosen: list[str] = []
    for rcpt in recipients:
        dom = rcpt.rpartition("@")[2].strip(">").lower()
        over = domains.get(dom, {})
        chosen.append(str(over.get(level, default)))
    return max(chosen, key=lambda a: STRICTNESS.get(a, 0))


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def header_values(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The X-Emoguard-* headers for a verdict record (always added)."""
    hits = record.get("hits", [])
    rules = ", ".join(f"{h['rule']}={h['score']:g}" for h in hits) or "none"
    if len(rules) > MAX_RULES_HEADER:
        rules = rules[: MAX_RULES_HEADER - 3] + "..."
    out = [
        (HEADER_PREFIX + "Level", str(record.get("level", "clean"))),
        (HEADER_PREFIX + "Score", f"{float(record.get('score', 0.0)):.1f}"),
        (HEADER_PREFIX + "Rules", rules),
    ]
    errors = record.get("errors", [])
    if errors:
        out.append((HEADER_PREFIX + "Errors", _ascii("; ".join(str(e) for e in errors))[:300]))
    evidence = [e for h in hits[:3] for e in h.get("evidence", [])[:1]]
    if evidence:
        text = " | ".join(evidence)[:600]
        out.append((HEADER_PREFIX + "Evidence", Header(text, "utf-8", header_name="X-Emoguard-Evidence").encode()))
    return out


def tagged_subject(subject: str, tag: str) -> str:
    """``tag`` + the decoded subject, RFC 2047 encoded when not ASCII; not tagged twice."""
    if subject.startswith(tag):
        new = subject
    else:
        new = f"{tag} {subject}".rstrip()
    try:
        new.encode("ascii")
        return new
    except UnicodeEncodeError:
        return Header(new, "utf-8", header_name="Subject").encode()


def decide(record: Mapping[str, Any], recipients: Sequence[str], cfg: Settings) -> Decision:
    level = str(record.get("level", "clean"))
    score = float(record.get("score", 0.0))
    action = action_for(level, recipients, cfg)
    headers = tuple(header_values(record))
    rule_ids = [h["rule"] for h in record.get("hits", [])]
    if action == "reject":
        text = f"{cfg['milter.reject_text']} ({level}, {score:g}: {', '.join(rule_ids[:4])})"
        return Decision(action, level, score, headers, reply=("550", "5.7.1", _ascii(text)[:400]))
    if action == "hold":
        reason = f"emoguard {level} {score:g}: {', '.join(rule_ids[:6])}"
        tag = cfg["milter.subject_tags"].get(level)
        subject = tagged_subject(str(record.get("subject", "")), tag) if tag else None
        return Decision(action, level, score, headers, subject=subject, hold_reason=_ascii(reason)[:250])
    if action == "tag":
        tag = cfg["milter.subject_tags"].get(level)
        subject = tagged_subject(str(record.get("subject", "")), tag) if tag else None
        return Decision(action, level, score, headers, subject=subject)
    return Decision("accept", level, score, headers)


def failure_decision(reason: str, cfg: Settings) -> Decision:
    """Analysis failed or timed out: the configured fail policy, never a crash."""
    headers = ((HEADER_PREFIX + "Error", _ascii(reason)[:300]),)
    if cfg["milter.fail_action"] == "tempfail":
        return Decision("tempfail", "unknown", 0.0, headers,
                        reply=("451", "4.3.0", "Temporary failure in content scanning, try again later"))
    return Decision("accept", "unknown", 0.0, headers)
