"""Terminal and HTML views of a trace result (the JSON view is ``TraceResult.to_dict``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import jinja2

from emoguard.ir.trace import TraceResult

LABELS = {
    "ja": {
        "title": "漏えい元の推定(emoguard trace)", "rank": "順位", "source": "情報源", "score": "対数尤度比",
        "prob": "確率", "coverage": "一致率", "exclusive": "ここだけ", "contacts": "アドレス数",
        "targets": "攻撃対象", "addresses": "アドレス", "names": "名前", "spoofed": "なりすましに使われた名前",
        "unexplained": "どの情報源にもない対象", "none": "どの情報源でもない確率", "evidence": "根拠",
        "problems": "読み飛ばした問題", "generated": "作成日時", "subjects": "件名", "attachments": "添付ファイル",
        "model": "スコアは「この情報源から漏れた」と「対象は偶然」の尤度比(log10)。"
                 "アドレス帳が大きいだけでは上がりません。",
        "tie": "僅差", "read": "メール {m} 通・ファイル {f} 個から",
    },
    "en": {
        "title": "Which PC leaked? (emoguard trace)", "rank": "#", "source": "Source", "score": "log10 LR",
        "prob": "Probability", "coverage": "Coverage", "exclusive": "Only here", "contacts": "Addresses",
        "targets": "Targets", "addresses": "addresses", "names": "names", "spoofed": "Spoofed sender names",
        "unexplained": "Targets in no source", "none": "Probability that none of these leaked", "evidence": "Evidence",
        "problems": "Problems (skipped)", "generated": "Generated", "subjects": "Subjects",
        "attachments": "Attachments",
        "model": "The score is the log10 likelihood ratio of 'this source leaked' against 'the targets are chance'; "
                 "a big address book does not score high by size alone.",
        "tie": "near-tie", "read": "from {m} mails in {f} files",
    },
}


def render_trace_text(res: TraceResult, lang: str, *, top: int = 10) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    lab = LABELS["ja" if lang == "ja" else "en"]
    buf = StringIO()
    con = Console(file=buf, highlight=False, width=120, force_terminal=False)
    tg = res.targets
    con.print(f"[bold]{lab['title']}[/]")
    con.print(f"{lab['targets']}: {len(tg.addresses)} {lab['addresses']}, {len(tg.names)} {lab['names']} "
              f"({lab['read'].format(m=tg.messages, f=tg.reports)})", markup=False)
    if tg.spoofed:
        con.print(f"{lab['spoofed']}: " + ", ".join(sorted(set(tg.spoofed.values()))[:10]), markup=False)
    table = Table(header_style="bold")
    for col, just in (("rank", "right"), ("source", "left"), ("score", "right"), ("prob", "right"),
                      ("coverage", "right"), ("exclusive", "right"), ("contacts", "right")):
        table.add_column(lab[col], justify=just)  # type: ignore[arg-type]
    for i, r in enumerate(res.ranking[:top], 1):
        table.add_row(str(i), r.source, f"{r.score:+.1f}", f"{r.probability:.3f}", f"{r.coverage:.0%}",
                      str(r.exclusive), str(r.contacts))
    con.print(table)
    for r in res.ranking[: min(top, 3)]:
        con.print(f"[bold]{r.source}[/]")
        for e in (r.evidence_ja if lang == "ja" else r.evidence):
            con.print(f"  - {e}", markup=False)
    con.print(f"{lab['none']}: {res.none_probability:.3f}", markup=False)
    if res.unexplained:
        shown = ", ".join(res.unexplained[:10]) + (" …" if len(res.unexplained) > 10 else "")
        con.print(f"{lab['unexplained']} ({len(res.unexplained)}): {shown}", markup=False)
    con.print(lab["model"], markup=False)
    return buf.getvalue()


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("emoguard.ir", "templates"), autoescape=True)


def render_trace_html(res: TraceResult, lang: str) -> str:
    """One self-contained page (inline CSS, no scripts, no external references)."""
    lab = LABELS["ja" if lang == "ja" else "en"]
    return _env().get_template("trace.html.j2").render(
        lab=lab, lang=lang, res=res, doc=res.to_dict(), ja=lang == "ja",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
