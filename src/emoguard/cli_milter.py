"""``emoguard milter``: run the Postfix milter, or check its configuration.

No ``from __future__ import annotations`` here: typer evaluates the option
annotations at run time and they use ``lang`` from the enclosing function.
"""


import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from emoguard.i18n import t


def register(app: typer.Typer, lang: str) -> None:
    @app.command("milter", help=t("milter.help", lang))
    def milter_cmd(
        listen: Annotated[str | None, typer.Option("--listen", help=t("milter.listen", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        check_config: Annotated[bool, typer.Option("--check-config", help=t("milter.check", lang))] = False,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=t("scan.jobs", lang))] = None,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=t("scan.state_dir", lang))] = None,
        no_history: Annotated[bool, typer.Option("--no-history", help=t("scan.no_history", lang))] = False,
    ) -> None:
        from emoguard.cli import _err, _load_config, _load_engine
        from emoguard.milter.policy import check_config as check
        from emoguard.runner import default_jobs

        cfg = _load_config(config, **{
            "milter.listen": listen,
            "milter.jobs": jobs,
            "state_dir": str(state_dir) if state_dir else None,
        })
        problems = check(cfg)
        _load_engine(cfg)  # rules must load too (exits 2 with every problem)
        if problems:
            _err("emoguard milter: configuration problems:\n" + "\n".join(problems))
            raise typer.Exit(2)
        n_jobs = cfg["milter.jobs"] or default_jobs()
        if check_config:
            print(t("milter.ok", lang))
            for key in ("milter.listen", "milter.actions", "milter.domains", "milter.subject_tags",
                        "milter.fail_action", "milter.timeout", "organisation.domains"):
                print(f"  {key} = {cfg[key]!r}")
            print(f"  jobs = {n_jobs}")
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        root: Any = logging.getLogger("emoguard.milter")
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        from emoguard.milter.server import serve

        serve(cfg, jobs=n_jobs, history=cfg["scan.history"] and not no_history)
