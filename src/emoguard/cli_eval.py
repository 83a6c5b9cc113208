"""``emoguard eval``: recall and false positives on labelled sets.

No ``from __future__ import annotations`` here: typer evaluates the option
annotations at run time and they use ``lang`` from the enclosing function.
"""


import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from emoguard.i18n import t


class EvalFormat(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer, lang: str) -> None:
    @app.command("eval", help=t("eval.help", lang))
    def eval_cmd(
        malicious: Annotated[list[str], typer.Option("--malicious", help=t("eval.malicious", lang))] = [],  # noqa: B006
        benign: Annotated[list[str], typer.Option("--benign", help=t("eval.benign", lang))] = [],  # noqa: B006
        history: Annotated[list[str], typer.Option("--history", help=t("eval.history", lang))] = [],  # noqa: B006
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("scan.own_domain", lang))] = [],  # noqa: B006
        fmt: Annotated[EvalFormat, typer.Option("--format", "-f", help=t("eval.format", lang))] = EvalFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=t("scan.jobs", lang))] = None,
        show: Annotated[int, typer.Option("--show", min=0, help=t("eval.show", lang))] = 30,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
    ) -> None:
        from emoguard.cli import _err, _load_config, _load_engine
        from emoguard.evaluate import evaluate, render_text
        from emoguard.model import Context
        from emoguard.runner import default_jobs

        if not malicious and not benign:
            _err("emoguard eval: " + t("eval.nothing", lang))
            raise typer.Exit(2)
        for p in (*malicious, *benign, *history):
            if not Path(p).exists():
                _err(f"emoguard eval: {p}: " + t("eval.missing", lang))
                raise typer.Exit(2)
        cfg = _load_config(config, **{"organisation.domains": list(own_domain) or None, "scan.jobs": jobs})
        engine = _load_engine(cfg)
        ctx = Context(own_domains=tuple(d.lower() for d in cfg["organisation.domains"]))
        doc = evaluate(engine, malicious=malicious, benign=benign, history=history, context=ctx,
                       jobs=cfg["scan.jobs"] or default_jobs())
        text = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n" if fmt is EvalFormat.json
                else render_text(doc, lang=lang, show=show))
        if output is not None:
            output.write_text(text, encoding="utf-8")
            _err(t("written", lang, path=output))
        else:
            print(text, end="")
