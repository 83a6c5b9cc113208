"""Terminal output for ``scan``: a rich table, the flagged messages' reasons, a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from emoguard.i18n import t

LEVEL_STYLE = {"malicious": "bold white on red", "suspicious": "bold black on yellow", "clean": "green"}
MAX_DETAILED = 50
MAX_CLEAN_ROWS = 30


@dataclass
class Summary:
    """Counts for the closing summary (kept by every output format)."""

    total: int = 0
    levels: dict[str, int] = field(default_factory=lambda: {"malicious": 0, "suspicious": 0, "clean": 0})
    unreadable: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def add(self, rec: dict[str, Any]) -> None:
        self.total += 1
        lvl = str(rec.get("level", "clean"))
        self.levels[lvl] = self.levels.get(lvl, 0) + 1
        if any(str(e).startswith("unreadable") for e in rec.get("errors", ())):
            self.unreadable += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.total,
            "levels": dict(self.levels),
            "unreadable": self.unreadable,
            "skipped": len(self.skipped),
            "failed_paths": len(self.failed),
        }


def level_text(level: str, lang: str) -> str:
    label = t(f"level.{level}", lang) if level in LEVEL_STYLE else level
    return f"[{LEVEL_STYLE.get(level, '')}] {escape(label)} [/]"


class TerminalReport:
    """Collects records and prints the table, details and summary at the end."""

    def __init__(self, console: Console, lang: str, *, show_all: bool = False) -> None:
        self.console = console
        self.lang = lang
        self.show_all = show_all
        self.flagged: list[dict[str, Any]] = []
        self.clean: list[dict[str, Any]] = []
        self.clean_hidden = 0

    def add(self, rec: dict[str, Any]) -> None:
        if rec.get("level") != "clean" or rec.get("errors"):
            self.flagged.append(rec)
        elif self.show_all or len(self.clean) < MAX_CLEAN_ROWS:
            self.clean.append(rec)
        else:
            self.clean_hidden += 1

    def render(self, summary: Summary, elapsed: float) -> None:
        lang, c = self.lang, self.console
        order = {"malicious": 0, "suspicious": 1, "clean": 2}
        rows = sorted(self.flagged, key=lambda r: (order.get(r.get("level", ""), 3), -r.get("score", 0)))
        if not self.show_all and summary.total > MAX_CLEAN_ROWS:
            self.clean_hidden += len(self.clean)
            self.clean = []
        table = Table(show_lines=True, header_style="bold", expand=False)
        table.add_column(t("col.level", lang), no_wrap=True)
        table.add_column(t("col.score", lang), justify="right", no_wrap=True)
        table.add_column(t("col.from", lang) + " / " + t("col.subject", lang), overflow="fold", ratio=3)
        table.add_column(t("col.signs", lang), overflow="fold", ratio=2)
        for r in [*rows, *self.clean]:
            signs = "\n".join(h["rule"] for h in r.get("hits", [])[:4]) or "; ".join(r.get("errors", []))[:80]
            who = (
                f"{escape(_clip(str(r.get('from', '')), 60))}\n"
                f"[bold]{escape(_clip(str(r.get('subject', '')), 70))}[/]\n"
                f"[dim]{escape(_clip(str(r.get('source', '')), 70))}[/]"
            )
            table.add_row(
                level_text(str(r.get("level")), lang),
                f"{float(r.get('score', 0)):.1f}",
                who,
                escape(signs),
            )
        if rows or self.clean:
            c.print(table)
        for r in rows[:MAX_DETAILED]:
            if not r.get("hits") and not r.get("errors"):
                continue
            c.print()
            c.print(f"{level_text(str(r.get('level')), lang)} [bold]{escape(str(r.get('subject', '')))}[/] "
                    f"[dim]{escape(str(r.get('source', '')))}[/]")
            for h in r.get("hits", []):
                title = h.get("title", {}).get(lang) or h.get("title", {}).get("en", "")
                c.print(f"  [bold]+{h['score']:.1f}[/] {escape(title)} [dim]({escape(h['rule'])})[/]")
                ev = h.get("evidence_ja") if lang == "ja" and h.get("evidence_ja") else h.get("evidence", [])
                for e in ev[:5]:
                    c.print(f"      [cyan]{escape(_clip(str(e), 200))}[/]")
            for e in r.get("errors", []):
                c.print(f"  [red]{t('error', lang)}:[/] {escape(str(e))}")
        c.print()
        c.rule(t("sum.title", lang))
        c.print(t("sum.messages", lang, n=summary.total) + " — " + t("sum.levels", lang, **summary.levels))
        if self.clean_hidden:
            c.print(t("sum.clean_hidden", lang, n=self.clean_hidden))
        if summary.unreadable:
            c.print(t("sum.unreadable", lang, n=summary.unreadable))
        if summary.skipped:
            c.print(t("sum.skipped", lang, n=len(summary.skipped)))
        if summary.failed:
            c.print(f"[red]{t('sum.failed', lang, n=len(summary.failed))}[/]")
        rate = summary.total / elapsed if elapsed > 0 else 0.0
        c.print(f"[dim]{t('sum.elapsed', lang, secs=elapsed, rate=rate)}[/]")
        if summary.levels.get("malicious") or summary.levels.get("suspicious"):
            c.print(f"[bold]{t('sum.advice.bad', lang)}[/]")


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
