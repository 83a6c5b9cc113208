"""The ``emoguard`` command line. Thin: it wires sources, engine and sinks.

Help texts exist in Japanese and English; the language is chosen before the
app is built (``--lang`` or the locale), so ``--help`` speaks it too.
Exit status: 0 done, 1 a message reached ``--fail-on``, 2 usage or
configuration errors.
"""


import json
import sys
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from emoguard import __version__
from emoguard.i18n import detect_lang, t

LEVEL_ORDER = {"clean": 0, "suspicious": 1, "malicious": 2}
MAX_SKIP_LINES = 20


class Format(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    html = "html"


class FailOn(StrEnum):
    suspicious = "suspicious"
    malicious = "malicious"


class ListFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _err(msg: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(msg, markup=False)


def _load_config(config: Path | None, **overrides: Any) -> Any:
    from emoguard.config import ConfigError, load_config

    try:
        return load_config(config).with_overrides(overrides)
    except ConfigError as e:
        _err(f"emoguard: configuration error:\n{e}")
        raise typer.Exit(2) from None


def _load_engine(cfg: Any) -> Any:
    from emoguard.engine import Engine
    from emoguard.rules import RuleLoadError

    try:
        return Engine.load(config=cfg)
    except RuleLoadError as e:
        _err("emoguard: rule errors:\n" + "\n".join(e.problems))
        raise typer.Exit(2) from None


def _load_directory(cfg: Any, own_domains: tuple[str, ...], lang: str) -> Any:
    """The contacts directory of the state dir, or None when it holds none (or is unreadable)."""
    from emoguard.contacts import Directory

    try:
        directory = Directory.load(cfg.state_dir, own_domains=own_domains)
    except Exception as e:  # identity checks are lost, the scan goes on
        _err(f"emoguard: contacts directory unavailable ({cfg.state_dir}): {e}")
        return None
    if directory.is_empty:
        return None
    _err(f"emoguard: {t('contacts.directory_loaded', lang, n=len(directory))}")
    return directory


#: The help screen's fixed words (click/typer print them in English), in Japanese.
_HELP_WORDS_JA = (
    ("Usage: ", "使い方: "),
    ("Arguments:\n", "引数:\n"),
    ("Options:\n", "オプション:\n"),
    ("Commands:\n", "コマンド:\n"),
    ("Show this message and exit.", "このヘルプを表示して終了"),
    ("[required]", "[必須]"),
    ("[default: ", "[既定: "),
)


def _localise_help_screen(lang: str) -> None:
    """Help screens in ``lang``: their fixed words are translated when the text is complete.

    The language is chosen once per process, before the app is built, so the formatter of
    the click context class (vendored by typer) is set for the whole process.
    """
    from typer._click import core
    from typer._click.formatting import HelpFormatter

    if lang != "ja":
        core.Context.formatter_class = HelpFormatter
        return

    class JapaneseHelpFormatter(HelpFormatter):
        def getvalue(self) -> str:
            text = super().getvalue()
            for en, ja in _HELP_WORDS_JA:
                text = text.replace(en, ja)
            return text

    core.Context.formatter_class = JapaneseHelpFormatter


def build_app(lang: str) -> typer.Typer:
    _localise_help_screen(lang)
    app = typer.Typer(
        help=t("app.help", lang),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    rules_app = typer.Typer(help=t("rules.help", lang), no_args_is_help=True)
    config_app = typer.Typer(help=t("config.help", lang), no_args_is_help=True)
    app.add_typer(rules_app, name="rules")
    from emoguard.cli_milter import register as register_milter

    register_milter(app, lang)
    from emoguard.cli_contacts import register as register_contacts

    register_contacts(app, lang)
    __import__("emoguard.cli_eval").cli_eval.register(app, lang)
    __import__("emoguard.cli_sweep").cli_sweep.register(app, lang)
    __import__("emoguard.cli_ir").cli_ir.register(app, lang)
    __import__("emoguard.cli_web").cli_web.register(app, lang)
    app.add_typer(config_app, name="config")

    def _version(value: bool) -> None:
        if value:
            print(f"emoguard {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option("--version", callback=_version, is_eager=True, help=t("opt.version", lang)),
        ] = False,
        lang_opt: Annotated[str, typer.Option("--lang", help=t("opt.lang", lang))] = lang,
    ) -> None:
        if lang_opt not in ("ja", "en"):
            raise typer.BadParameter("ja | en", param_hint="--lang")

    # -- scan ---------------------------------------------------------------

    @app.command("scan", help=t("scan.help", lang), no_args_is_help=True)
    def scan(
        paths: Annotated[list[str], typer.Argument(help=t("scan.paths", lang))],
        fmt: Annotated[Format, typer.Option("--format", "-f", help=t("scan.format", lang))] = Format.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help=t("scan.fail_on", lang))] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=t("scan.jobs", lang))] = None,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=t("scan.state_dir", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        recipient: Annotated[list[str], typer.Option("--recipient", help=t("scan.recipient", lang))] = [],  # noqa: B006
        recipient_name: Annotated[
            list[str], typer.Option("--recipient-name", help=t("scan.recipient_name", lang))
        ] = [],  # noqa: B006
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("scan.own_domain", lang))] = [],  # noqa: B006
        no_history: Annotated[bool, typer.Option("--no-history", help=t("scan.no_history", lang))] = False,
        show_all: Annotated[bool, typer.Option("--all", help=t("scan.all", lang))] = False,
    ) -> None:
        from emoguard.model import Context
        from emoguard.runner import default_jobs, run
        from emoguard.sinks.terminal import Summary, TerminalReport
        from emoguard.sources import RawMessage, Skipped, open_sources

        cfg = _load_config(
            config,
            **{
                "state_dir": str(state_dir) if state_dir else None,
                "organisation.domains": list(own_domain) or None,
                "scan.jobs": jobs,
            },
        )
        engine = _load_engine(cfg)
        __import__("emoguard.sources.imap").sources.imap.configure(cfg)  # --config/--state-dir for imap://
        n_jobs = cfg["scan.jobs"] or default_jobs()
        own_domains = tuple(d.lower() for d in cfg["organisation.domains"])
        directory = _load_directory(cfg, own_domains, lang)
        ctx = Context(
            recipients=tuple(recipient),
            recipient_names=tuple(recipient_name),
            own_domains=own_domains or (directory.own_domains if directory is not None else ()),
            directory=directory,
        )
        summary = Summary()
        err_console = Console(stderr=True, highlight=False, soft_wrap=True)

        def items() -> Iterator[RawMessage]:
            shown = 0
            for it in open_sources(paths):
                if isinstance(it, Skipped):
                    if it.unreadable:
                        summary.failed.append((it.source, it.reason))
                        err_console.print(f"emoguard: {t('error', lang)}: {it.source}: {it.reason}", markup=False)
                    else:
                        summary.skipped.append((it.source, it.reason))
                        if shown < MAX_SKIP_LINES:
                            err_console.print(f"emoguard: {t('skip', lang)}: {it.source}: {it.reason}", markup=False)
                            shown += 1
                    continue
                yield it

        out: IO[str]
        if output is not None:
            try:
                out = output.open("w", encoding="utf-8")
            except OSError as e:
                _err(f"emoguard: cannot write {output}: {e.strerror or e}")
                raise typer.Exit(2) from None
        else:
            out = sys.stdout
        store = None
        if cfg["scan.history"] and not no_history:
            from emoguard.sinks.store import Store

            try:
                store = Store.open(cfg.state_dir)
            except Exception as e:  # history is a convenience; the scan goes on
                _err(f"emoguard: history store unavailable ({cfg.state_dir}): {e}")
        history_batch: list[dict[str, Any]] = []
        worst = 0
        collected: list[dict[str, Any]] = []
        report = None
        if fmt is Format.text:
            report = TerminalReport(Console(file=out, highlight=False), lang, show_all=show_all)
        started = time.perf_counter()
        progress = _progress(lang)
        first = True
        try:
            with progress as prog:
                task = prog.add_task(t("progress", lang), total=None) if prog else None
                if fmt is Format.json:
                    out.write("[")
                for rec in run(items(), engine=engine, context=ctx, jobs=n_jobs):
                    summary.add(rec)
                    worst = max(worst, LEVEL_ORDER.get(rec["level"], 0))
                    if fmt is Format.jsonl:
                        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    elif fmt is Format.json:
                        out.write(("\n" if first else ",\n") + json.dumps(rec, ensure_ascii=False))
                    elif fmt is Format.html:
                        collected.append(rec)
                    elif report is not None:
                        report.add(rec)
                    first = False
                    if store is not None:
                        history_batch.append(rec)
                        if len(history_batch) >= 500:
                            store.add_history(history_batch)
                            history_batch = []
                    if prog is not None and task is not None:
                        prog.advance(task)
        except KeyboardInterrupt:
            _err("emoguard: interrupted")
            raise typer.Exit(130) from None
        finally:
            if store is not None:
                if history_batch:
                    store.add_history(history_batch)
                store.close()
        elapsed = time.perf_counter() - started
        if fmt is Format.json:
            out.write("\n]\n")
        elif fmt is Format.html:
            from emoguard.sinks.html import render_report

            out.write(render_report(collected, lang=lang, summary_extra=summary.as_dict()))
        elif report is not None:
            report.render(summary, elapsed)
        if out is not sys.stdout:
            out.close()
        if fmt is not Format.text:
            s = summary
            line = t("sum.messages", lang, n=s.total) + " — " + t("sum.levels", lang, **s.levels)
            if s.skipped:
                line += "; " + t("sum.skipped", lang, n=len(s.skipped))
            if s.failed:
                line += "; " + t("sum.failed", lang, n=len(s.failed))
            if s.unreadable:
                line += "; " + t("sum.unreadable", lang, n=s.unreadable)
            _err(line)
            if output is not None:
                _err(t("written", lang, path=output))
        if fail_on is not None and worst >= LEVEL_ORDER[fail_on.value]:
            raise typer.Exit(1)

    # -- config -------------------------------------------------------------

    @config_app.command("show", help=t("config.show.help", lang))
    def config_show(
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
    ) -> None:
        import tomli_w

        from emoguard.config import KEYS

        cfg = _load_config(config)
        print(f"# {t('config.files', lang)}: {', '.join(cfg.files) or t('config.none', lang)}")
        print(f"# state_dir -> {cfg.state_dir}")
        for k in KEYS:
            print(f"#   {k.name} = {cfg[k.name]!r}  ({cfg.origins.get(k.name, 'default')}) — "
                  f"{k.help_ja if lang == 'ja' else k.help_en}")
        print()
        print(tomli_w.dumps(cfg.to_toml_dict()), end="")

    # -- rules --------------------------------------------------------------

    @rules_app.command("list", help=t("rules.list.help", lang))
    def rules_list(
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        fmt: Annotated[ListFormat, typer.Option("--format", "-f", help=t("fmt.help", lang))] = ListFormat.text,
    ) -> None:
        engine = _load_engine(_load_config(config))
        rules = engine.ruleset.rules
        if fmt is ListFormat.json:
            print(json.dumps([{"id": r.id, "score": r.score, "group": r.group, "tags": list(r.tags),
                               "title": {"ja": r.title_ja, "en": r.title_en}, "path": r.path}
                              for r in rules], ensure_ascii=False, indent=2))
            return
        if fmt is ListFormat.markdown:
            print("| id | score | group | title (ja) | title (en) |\n|---|---:|---|---|---|")
            for r in rules:
                print(f"| `{r.id}` | {r.score:g} | {r.group} | {r.title_ja} | {r.title_en} |")
            return
        from rich.table import Table

        table = Table(header_style="bold")
        for col in ("id", "score", "group", "title"):
            table.add_column(col, overflow="fold")
        for r in rules:
            table.add_row(r.id, f"{r.score:g}", r.group, r.title_ja if lang == "ja" else r.title_en)
        Console(highlight=False).print(table)

    @rules_app.command("validate", help=t("rules.validate.help", lang))
    def rules_validate(
        dirs: Annotated[list[Path] | None, typer.Argument(help=t("rules.dirs", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
    ) -> None:
        from emoguard.rules import RuleLoadError, builtin_rules_dir, load_rules

        cfg = _load_config(config)
        all_dirs = [builtin_rules_dir(), *(Path(d) for d in cfg["rules.dirs"]), *(dirs or [])]
        try:
            rs = load_rules(all_dirs, groups=cfg["groups"], score_overrides=cfg["rules.scores"],
                            disabled=cfg["rules.disabled"], extra_lists=cfg["lists"])
        except RuleLoadError as e:
            for p in e.problems:
                print(p)
            _err(t("rules.problems", lang, n=len(e.problems)))
            raise typer.Exit(1) from None
        print(t("rules.ok", lang, n=len(rs.rules)))

    @rules_app.command("test", help=t("rules.test.help", lang))
    def rules_test(
        ids: Annotated[list[str] | None, typer.Argument(help="rule ids (default: all)")] = None,
        samples: Annotated[Path | None, typer.Option("--samples", help=t("rules.samples", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
    ) -> None:
        from emoguard.rules.samples import default_samples_dir, run_samples

        engine = _load_engine(_load_config(config))
        sdir = samples or default_samples_dir()
        if sdir is None or not sdir.is_dir():
            _err("emoguard: no samples directory; pass --samples DIR (the repository keeps them in tests/rules)")
            raise typer.Exit(2)
        results, missing = run_samples(engine, sdir, ids=ids or None)
        failed = [r for r in results if not r.ok]
        for r in results:
            mark = "ok  " if r.ok else "FAIL"
            print(f"{mark} {r.rule} {r.sample}" + ("" if r.ok else f": {r.reason}"))
        if missing:
            print(t("rules.test.nosamples", lang, ids=", ".join(missing)))
        print(t("rules.test.result", lang, passed=len(results) - len(failed), failed=len(failed) + len(missing)))
        if failed or missing:
            raise typer.Exit(1)

    # -- features -----------------------------------------------------------

    @app.command("features", help=t("features.help", lang))
    def features_cmd(
        fmt: Annotated[ListFormat, typer.Option("--format", "-f", help=t("fmt.help", lang))] = ListFormat.text,
    ) -> None:
        import emoguard.features
        from emoguard.features.registry import REGISTRY

        _ = emoguard.features
        specs = REGISTRY.specs()
        if fmt is ListFormat.json:
            print(json.dumps([{"name": s.name, "type": s.type, "cost": s.cost, "doc": s.doc} for s in specs],
                             indent=2, ensure_ascii=False))
        elif fmt is ListFormat.markdown:
            print(features_markdown(), end="")
        else:
            for s in specs:
                print(f"{s.name:45} {s.type:5} {s.cost:9} {s.doc}")

    return app


def features_markdown() -> str:
    """The body of docs/features.md (generated; a test keeps the file current)."""
    import emoguard.features
    from emoguard.features.registry import REGISTRY

    _ = emoguard.features
    lines = [
        "# Features",
        "",
        "Generated by `emoguard features --format markdown`; do not edit by hand.",
        "Rules name these in their `detection:` selections (`feature|modifier: value`).",
        "",
        "| feature | type | cost | meaning |",
        "|---|---|---|---|",
    ]
    for s in REGISTRY.specs():
        doc = s.doc.replace("|", "\\|")
        lines.append(f"| `{s.name}` | {s.type} | {s.cost} | {doc} |")
    return "\n".join(lines) + "\n"


def _progress(lang: str) -> Any:
    """A progress display on an interactive stderr; a no-op context otherwise."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description} [bold]{task.completed}[/]"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    app = build_app(detect_lang(args))
    app(args=args, prog_name="emoguard")
