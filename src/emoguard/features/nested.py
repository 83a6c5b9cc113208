"""Mail attached to mail: the attached mail's own verdict.

An employee forwards a suspicious mail to IT as an attachment, or a password-zip mail
arrives wrapped in another: the outer mail's rules see only a ``message/rfc822`` part.
The engine analyses each attached mail with the same rules (``engine.nested`` in the
feature settings, bounded in depth) and these features report the ones that are
themselves suspicious or malicious, naming the attached mail, its score and its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emoguard.features.registry import Features, feature


def _verdicts(fx: Features) -> list[tuple[str, Any]]:
    nested: Callable[[Any], Any] | None = fx.settings.get("engine.nested")
    if nested is None:
        return []
    out = []
    for p in fx.message.attachments:
        if p.message is None:
            continue
        v = nested(p.message)
        name = p.filename or f"(subject {p.message.subject!r})"
        out.append((name, v))
    return out


@feature("attachments.mail_verdicts", type="list", cost="expensive")
def mail_verdicts(fx: Features) -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
    """(name, level, score, rule ids) of each attached mail, analysed with the same rules."""
    return tuple((name, v.level, v.score, tuple(h.rule for h in v.hits)) for name, v in _verdicts(fx))


def _describe(level: str, fx: Features) -> tuple[str, ...]:
    return tuple(f"'{name}' ({score:g}: {', '.join(rules[:6])}{', …' if len(rules) > 6 else ''})"
                 for name, lvl, score, rules in fx["attachments.mail_verdicts"] if lvl == level)


@feature("attachments.attached_mail_malicious", type="list", cost="expensive")
def attached_mail_malicious(fx: Features) -> tuple[str, ...]:
    """Attached mails that are malicious on their own: ``'name' (score: rule ids)``."""
    return _describe("malicious", fx)


@feature("attachments.attached_mail_suspicious", type="list", cost="expensive")
def attached_mail_suspicious(fx: Features) -> tuple[str, ...]:
    """Attached mails that are suspicious (not malicious) on their own, with their score and rules."""
    return _describe("suspicious", fx)
