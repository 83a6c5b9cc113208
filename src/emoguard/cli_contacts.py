"""``emoguard contacts``: import address books, learn from mail history, list.

No ``from __future__ import annotations`` here: typer evaluates the annotations, and
the help texts in them depend on ``lang`` (a closure variable).

Registered on the main app by :func:`register`. Everything is local: the directory
lives in the SQLite store of the state directory (``--state-dir``), and ``scan``
loads it from there by itself.
"""


import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from emoguard.i18n import t

MAX_PROBLEM_LINES = 200


class ContactsFormat(StrEnum):
    text = "text"
    json = "json"


def _err(msg: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(msg, markup=False)


def _config(config: Path | None, state_dir: Path | None) -> Any:
    from emoguard.config import ConfigError, load_config

    try:
        return load_config(config).with_overrides({"state_dir": str(state_dir) if state_dir else None})
    except ConfigError as e:
        _err(f"emoguard: configuration error:\n{e}")
        raise typer.Exit(2) from None


def _save(cfg: Any, builder: Any) -> int:
    from emoguard.sinks.store import Store

    try:
        with Store.open(cfg.state_dir) as store:
            store.save_contacts(builder)
            n: int = store.db.execute("SELECT COUNT(DISTINCT address) FROM contacts").fetchone()[0]
    except Exception as e:
        _err(f"emoguard: cannot write the contacts store ({cfg.state_dir}): {e}")
        raise typer.Exit(2) from None
    return n


def register(app: typer.Typer, lang: str) -> None:
    """Add the ``contacts`` sub-app (import / learn / list) to ``app``."""
    contacts_app = typer.Typer(help=t("contacts.help", lang), no_args_is_help=True)
    app.add_typer(contacts_app, name="contacts")
    state_help = t("contacts.state_dir", lang)
    config_help = t("opt.config", lang)

    @contacts_app.command("import", help=t("contacts.import.help", lang), no_args_is_help=True)
    def contacts_import(
        files: Annotated[list[Path], typer.Argument(help=t("contacts.import.files", lang))],
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=state_help)] = None,
        config: Annotated[Path | None, typer.Option("--config", help=config_help)] = None,
    ) -> None:
        from emoguard.contacts import DirectoryBuilder, import_file

        cfg = _config(config, state_dir)
        builder = DirectoryBuilder()
        total = 0
        problems_shown = 0
        for f in files:
            res = import_file(f)
            for p in res.problems:
                if problems_shown < MAX_PROBLEM_LINES:
                    _err(f"emoguard: {p}")
                problems_shown += 1
            for c in res.contacts:
                if builder.add_contact(c.name, c.address, source=f"import:{res.format}"):
                    total += 1
            if res.format:
                print(t("contacts.imported", lang, path=f, n=len(res.contacts), fmt=res.format, enc=res.encoding))
        if problems_shown:
            _err(t("contacts.problems", lang, n=problems_shown))
        if not total:
            _err(t("contacts.nothing", lang))
            raise typer.Exit(1)
        n = _save(cfg, builder)
        print(t("contacts.saved", lang, n=n, path=cfg.state_dir))

    @contacts_app.command("learn", help=t("contacts.learn.help", lang), no_args_is_help=True)
    def contacts_learn(
        paths: Annotated[list[str], typer.Argument(help=t("contacts.learn.paths", lang))],
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("contacts.own_domain", lang))] = [],  # noqa: B006
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=state_help)] = None,
        config: Annotated[Path | None, typer.Option("--config", help=config_help)] = None,
    ) -> None:
        from emoguard.contacts import DirectoryBuilder
        from emoguard.sources import Skipped, open_sources

        cfg = _config(config, state_dir)
        own = [d.strip().lower() for d in (own_domain or cfg["organisation.domains"]) if d.strip()]
        if not own:
            _err(t("contacts.no_own_domain", lang))
        builder = DirectoryBuilder()
        builder.add_own_domains(own)
        shown = 0
        for it in open_sources(paths):
            if isinstance(it, Skipped):
                if shown < MAX_PROBLEM_LINES:
                    _err(f"emoguard: {t('error' if it.unreadable else 'skip', lang)}: {it.source}: {it.reason}")
                shown += 1
                continue
            try:
                data = it.load()
            except OSError as e:
                _err(f"emoguard: {t('error', lang)}: {it.source}: {e.strerror or e}")
                continue
            try:
                builder.learn_bytes(data, own_domains=own)
            except Exception as e:  # the parser promises not to raise; never lose the run
                _err(f"emoguard: {t('error', lang)}: {it.source}: {type(e).__name__}: {e}")
        print(t("contacts.learned", lang, messages=builder.messages, addresses=len(builder),
                sent=len(builder.sent_ids())))
        n = _save(cfg, builder)
        print(t("contacts.saved", lang, n=n, path=cfg.state_dir))

    @contacts_app.command("list", help=t("contacts.list.help", lang))
    def contacts_list(
        fmt: Annotated[ContactsFormat, typer.Option("--format", "-f", help=t("contacts.list.format", lang))] = (
            ContactsFormat.text
        ),
        search: Annotated[str | None, typer.Option("--search", "-s", help=t("contacts.list.search", lang))] = None,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=state_help)] = None,
        config: Annotated[Path | None, typer.Option("--config", help=config_help)] = None,
    ) -> None:
        import unicodedata

        from emoguard.contacts import Directory

        cfg = _config(config, state_dir)
        directory = Directory.load(cfg.state_dir)
        needle = "".join(unicodedata.normalize("NFKC", search or "").split()).casefold()

        def matches(addr: str, names: tuple[str, ...]) -> bool:
            if not needle:
                return True
            hay = [addr, *names]
            return any(needle in "".join(unicodedata.normalize("NFKC", h).split()).casefold() for h in hay)

        rows = [s for s in directory.contacts() if matches(s.address, s.names)]
        if fmt is ContactsFormat.json:
            from emoguard.contacts.traits import format_phone

            print(json.dumps([{"address": s.address, "names": list(s.names), "count": s.count,
                               "first_seen": s.first_seen, "last_seen": s.last_seen,
                               "sources": list(s.sources),
                               # what the identity rules compare against (docs/contacts.md)
                               "first_hops": directory.trait(s.address, "hop"),
                               "first_hop_networks": directory.trait(s.address, "hopnet"),
                               "phones": {format_phone(p): n for p, n in directory.trait(s.address, "phone").items()}}
                              for s in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            _err(t("contacts.empty", lang))
            return
        from rich.table import Table

        table = Table(header_style="bold")
        for key in ("address", "names", "count", "first", "last", "sources"):
            table.add_column(t(f"contacts.col.{key}", lang), overflow="fold")
        for s in rows:
            table.add_row(s.address, ", ".join(s.names), str(s.count), s.first_seen[:10], s.last_seen[:10],
                          ", ".join(s.sources))
        Console(highlight=False, soft_wrap=False).print(table)
