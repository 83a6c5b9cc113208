"""The pure core: bytes + context -> Verdict (DESIGN 2.1).

``Engine.load`` reads config, word lists and rules once; ``analyze`` is cheap
to call in a loop, safe to share across threads, does no network I/O and
never raises on bad mail: a failing component is listed in
``Verdict.errors`` and the rest of the verdict stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from emoguard.attachments import Inspector
from emoguard.config import Config, load_config
from emoguard.features.registry import Features
from emoguard.model import Context, FileNode, Hit, Level, Message, Verdict
from emoguard.rules import RuleSet, builtin_rules_dir, load_rules

# Parser defects that mean "this input is not a mail we could read".
UNREADABLE_DEFECTS = frozenset({"input.empty", "msg.unreadable", "msg.not_a_message"})
# How deep mail attached to mail is analysed with the rules (a forward of a forward).
MAX_NESTED_MAIL = 2


class Engine:
    """Loaded rules + config. Create with :meth:`load`; share freely."""

    def __init__(self, config: Config, ruleset: RuleSet) -> None:
        self.config = config
        self.ruleset = ruleset
        self._caps = {str(k): float(v) for k, v in config["groups"].items()}
        self._suspicious = float(config["levels.suspicious"])
        self._malicious = float(config["levels.malicious"])
        self._own_domains = tuple(d.lower() for d in config["organisation.domains"])
        # limits, configured passwords and compiled YARA rules, loaded once per engine
        self.inspector = Inspector.from_config(config)

    @classmethod
    def load(
        cls,
        config_path: str | Path | None = None,
        *,
        config: Config | None = None,
        search_defaults: bool = True,
    ) -> Engine:
        """Load config (layered; see :mod:`emoguard.config`) and compile the rules.

        Raises ``ConfigError`` or ``RuleLoadError`` listing every problem.
        """
        cfg = config or load_config(config_path, search_defaults=search_defaults)
        dirs = [builtin_rules_dir(), *(Path(d).expanduser() for d in cfg["rules.dirs"])]
        ruleset = load_rules(
            dirs,
            groups=cfg["groups"],
            score_overrides=cfg["rules.scores"],
            disabled=cfg["rules.disabled"],
            extra_lists=cfg["lists"],
        )
        return cls(cfg, ruleset)

    # -- analysis ------------------------------------------------------------

    def analyze(
        self, raw: bytes, context: Context | None = None, *, source: str = ""
    ) -> Verdict:
        """Analyse one message (RFC 5322 bytes or an Outlook .msg file)."""
        if not raw.strip():
            return self.unreadable(source, "empty input")
        if len(raw) > self.config["limits.max_message_bytes"]:
            return self.unreadable(
                source,
                f"message is {len(raw)} bytes, over limits.max_message_bytes "
                f"({self.config['limits.max_message_bytes']})",
            )
        try:
            from emoguard.parse import parse_message

            message = parse_message(
                raw,
                max_depth=self.config["limits.max_depth"],
                max_parts=self.config["limits.max_parts"],
            )
        except Exception as exc:  # the parser promises not to raise; belt and braces
            return self.unreadable(source, f"parse failed: {type(exc).__name__}: {exc}")
        return self.analyze_message(message, context, source=source)

    def analyze_message(
        self, message: Message, context: Context | None = None, *, source: str = "", nesting: int = 0
    ) -> Verdict:
        """Analyse an already parsed message.

        Mail attached to it is analysed with the same rules on demand (the
        ``attachments.mail_verdicts`` feature), down to ``MAX_NESTED_MAIL`` levels;
        ``nesting`` is the current level.
        """
        ctx = context or Context()
        if self._own_domains and not ctx.own_domains:
            ctx = replace(ctx, own_domains=self._own_domains)
        errors: list[str] = []
        bad = sorted(UNREADABLE_DEFECTS.intersection(message.defects))
        fx = Features(message, ctx, lists=dict(self.ruleset.lists), settings=self.feature_settings(ctx, nesting))
        hits: list[Hit] = []
        for rule in self.ruleset.rules:
            try:
                hit = rule.evaluate(fx)
            except Exception as exc:  # contained per rule (DESIGN 5)
                errors.append(f"rule {rule.id} failed: {type(exc).__name__}: {exc}")
                continue
            if hit is not None:
                hits.append(hit)
        errors.extend(fx.errors)
        n_errors = len(fx.errors)
        errors.extend(f"parser: {d}" for d in message.defects if d.startswith("parse.failed"))
        # The record shows the same memoized tree the rules saw (exploded at most once,
        # bounded by attachments.time_budget; files.tree never raises, a failure is in fx.errors).
        attachments: list[FileNode] = list(fx["files.tree"]) if message.attachments else []
        if len(fx.errors) > n_errors:
            errors.extend(fx.errors[n_errors:])
        score = self.score(hits)
        level = self.level_for(score)
        if bad:
            errors.insert(0, "unreadable: " + ", ".join(bad))
            level = self._max_level(level, self.config["policy.unreadable_level"])
        hits.sort(key=lambda h: (-h.score, h.rule))
        first_from = message.from_[0] if message.from_ else None
        return Verdict(
            level=level,
            score=score,
            hits=tuple(hits),
            errors=tuple(errors),
            source=source,
            message_id=message.message_id,
            from_=str(first_from) if first_from else "",
            to=tuple(a.addr for a in (*message.to, *message.cc) if a.addr),
            subject=message.subject,
            date=message.date,
            attachments=tuple(attachments),
            defects=message.defects,
        )

    def feature_settings(self, ctx: Context, nesting: int = 0) -> dict[str, Any]:
        """What features get from the engine: the attachment inspector, and (while
        ``nesting`` is below ``MAX_NESTED_MAIL``) the analysis of attached mail."""
        settings: dict[str, Any] = {"attachments.inspector": self.inspector}
        if nesting < MAX_NESTED_MAIL:
            # the attached mail was sent to someone else: only the organisation's facts carry over
            inner = Context(own_domains=ctx.own_domains, directory=ctx.directory, passwords=ctx.passwords)
            settings["engine.nested"] = lambda m: self.analyze_message(m, inner, nesting=nesting + 1)
        return settings

    def unreadable(self, source: str, reason: str) -> Verdict:
        """The record for an input that could not be read at all (policy level)."""
        return Verdict(
            level=self.config["policy.unreadable_level"],
            score=0.0,
            errors=(f"unreadable: {reason}",),
            source=source,
        )

    # -- scoring ---------------------------------------------------------------

    def score(self, hits: Iterable[Hit]) -> float:
        """Sum of hit scores, each group capped at its configured maximum."""
        per_group: dict[str, float] = {}
        for h in hits:
            per_group[h.group] = per_group.get(h.group, 0.0) + h.score
        total = 0.0
        for group, s in per_group.items():
            cap = self._caps.get(group)
            total += min(s, cap) if cap is not None else s
        return round(total, 2)

    def level_for(self, score: float) -> Level:
        if score >= self._malicious:
            return "malicious"
        if score >= self._suspicious:
            return "suspicious"
        return "clean"

    @staticmethod
    def _max_level(a: Level, b: str) -> Level:
        order = ("clean", "suspicious", "malicious")
        return a if order.index(a) >= order.index(b) else b  # type: ignore[return-value]
