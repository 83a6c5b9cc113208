"""``emoguard sweep`` and ``emoguard restore``: incident sweep, quarantine, restore.

No ``from __future__ import annotations`` here: typer evaluates the option
annotations at run time and they use ``lang`` from the enclosing function.
"""


import contextlib
import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from emoguard.i18n import t


class SweepFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class MinLevel(StrEnum):
    suspicious = "suspicious"
    malicious = "malicious"


def _err(msg: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(msg, markup=False)


def _day(value: str | None, lang: str) -> Any:
    if value is None:
        return None
    from emoguard.sweep import parse_day

    try:
        return parse_day(value)
    except ValueError:
        _err(f"emoguard: {value!r}: {t('sweep.bad_date', lang)}")
        raise typer.Exit(2) from None


def render_text(entries: list[dict[str, Any]], console: Console, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from emoguard.sinks.terminal import level_text

    table = Table(show_lines=True, header_style="bold", title=t("sweep.title", lang))
    table.add_column(t("col.level", lang), no_wrap=True)
    table.add_column(t("sweep.col.mailbox", lang) + " / " + t("sweep.col.folder", lang), overflow="fold")
    table.add_column(t("sweep.col.date", lang), overflow="fold")
    table.add_column(t("sweep.col.seen", lang), no_wrap=True)
    table.add_column(t("col.from", lang) + " / " + t("col.subject", lang), overflow="fold", ratio=3)
    table.add_column(t("sweep.col.attachments", lang), overflow="fold")
    for e in entries:
        seen = e["seen"]
        seen_txt = "-" if seen is None else t("sweep.seen.yes" if seen else "sweep.seen.no", lang)
        if seen:
            seen_txt = f"[bold]{seen_txt}[/]"
        where = f"{e['mailbox']}\n{e['folder']}" + (f" UID {e['uid']}" if e["uid"] else "")
        if e.get("quarantine_id"):
            where += f"\n→ #{e['quarantine_id']}"
        reasons = []
        for h in sorted(e["hits"], key=lambda h: -float(h.get("score", 0)))[:3]:
            title = h.get("title") or {}
            reasons.append(f"+{float(h.get('score', 0)):g} {title.get(lang) or h.get('rule', '')}")
        table.add_row(level_text(str(e["level"]), lang) + f"\n{float(e['score']):.1f}", escape(where),
                      escape(str(e["received"] or e["date"])), seen_txt,
                      escape(f"{e['from']}\n{e['subject']}") + (f"\n[dim]{escape(chr(10).join(reasons))}[/]"
                                                                if reasons else ""),
                      escape("\n".join(e["attachments"])))
    console.print(table)


def register(app: typer.Typer, lang: str) -> None:
    @app.command("sweep", help=t("sweep.help", lang), no_args_is_help=True)
    def sweep_cmd(
        sources: Annotated[list[str], typer.Argument(help=t("sweep.sources", lang))],
        since: Annotated[str, typer.Option("--since", help=t("sweep.since", lang))],
        until: Annotated[str | None, typer.Option("--until", help=t("sweep.until", lang))] = None,
        min_level: Annotated[MinLevel, typer.Option("--min-level", help=t("sweep.min_level", lang))] = (
            MinLevel.suspicious
        ),
        fmt: Annotated[SweepFormat, typer.Option("--format", "-f", help=t("sweep.format", lang))] = SweepFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        quarantine: Annotated[str | None, typer.Option("--quarantine", help=t("sweep.quarantine", lang))] = None,
        incremental: Annotated[bool, typer.Option("--incremental", help=t("sweep.incremental", lang))] = False,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=t("scan.jobs", lang))] = None,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=t("scan.state_dir", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("scan.own_domain", lang))] = [],  # noqa: B006
    ) -> None:
        from emoguard.cli import _load_config, _load_directory, _load_engine
        from emoguard.model import Context
        from emoguard.runner import default_jobs
        from emoguard.sinks.store import Store
        from emoguard.sources.imap import ImapError
        from emoguard.sweep import Sweep

        since_d, until_d = _day(since, lang), _day(until, lang)
        cfg = _load_config(config, **{
            "state_dir": str(state_dir) if state_dir else None,
            "organisation.domains": list(own_domain) or None,
            "scan.jobs": jobs,
        })
        if quarantine == "-":
            quarantine = cfg["quarantine.folder"]
        engine = _load_engine(cfg)
        own = tuple(d.lower() for d in cfg["organisation.domains"])
        directory = _load_directory(cfg, own, lang)
        ctx = Context(own_domains=own or (directory.own_domains if directory is not None else ()),
                      directory=directory)
        store = Store.open(cfg.state_dir) if (quarantine or incremental) else None
        sw = Sweep(cfg, engine, ctx, since=since_d, until=until_d, min_level=min_level.value,
                   jobs=cfg["scan.jobs"] or default_jobs(), store=store, incremental=incremental,
                   quarantine_folder=quarantine, lang=lang)
        started = time.perf_counter()
        try:
            res = sw.run(sources)
        except ImapError as e:
            _err(f"emoguard: {e}")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            _err("emoguard: interrupted")
            raise typer.Exit(130) from None
        except Exception as e:  # a dropped connection mid-quarantine: the journal resumes next run
            _err(f"emoguard: sweep stopped: {type(e).__name__}: {e}")
            raise typer.Exit(1) from None
        finally:
            sw.close()
            if store is not None:
                store.close()
        elapsed = time.perf_counter() - started
        for src, reason in res.failed:
            _err(f"emoguard: {t('error', lang)}: {src}: {reason}")
        entries = res.entries()
        out: IO[str] = output.open("w", encoding="utf-8") if output is not None else sys.stdout
        try:
            if fmt is SweepFormat.json:
                out.write(json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
            elif fmt is SweepFormat.html:
                from emoguard.sinks.html import render_report

                recs = []
                for rec, ent in zip(res.found, entries, strict=True):
                    seen = "-" if ent["seen"] is None else t("sweep.seen.yes" if ent["seen"] else "sweep.seen.no", lang)
                    where = f"{ent['mailbox']} / {ent['folder']}" + (f" / UID {ent['uid']}" if ent["uid"] else "")
                    recs.append({**rec, "source": f"{where} — {t('sweep.col.seen', lang)}: {seen}"})
                out.write(render_report(recs, lang=lang, title=t("sweep.title", lang), summary_extra={
                    "examined": res.examined, "skipped": len(res.skipped), "failed_paths": len(res.failed)}))
            else:
                render_text(entries, Console(file=out, highlight=False), lang)
        finally:
            if out is not sys.stdout:
                out.close()
        seen_n = sum(1 for e in entries if e["seen"])
        _err(t("sweep.summary", lang, messages=res.examined, found=len(entries), seen=seen_n)
             + f" ({elapsed:.1f} s)")
        if res.resumed:
            _err(t("sweep.resumed", lang, n=len(res.resumed)))
        if quarantine:
            ok = [q for q in res.quarantined if q.state == "quarantined"]
            _err(t("sweep.quarantined", lang, n=len(ok), folder=quarantine))
            for q in res.quarantined:
                if q.state != "quarantined":
                    _err(f"emoguard: #{q.id} {q.state}: {q.error}")
        if seen_n:
            _err(t("sweep.ask", lang))
        if res.failed:  # a mailbox or path could not be read: the sweep is incomplete
            raise typer.Exit(1)

    @app.command("restore", help=t("restore.help", lang))
    def restore_cmd(
        ids: Annotated[list[int] | None, typer.Argument(help=t("restore.ids", lang))] = None,
        all_: Annotated[bool, typer.Option("--all", help=t("restore.all", lang))] = False,
        list_only: Annotated[bool, typer.Option("--list", help=t("restore.list", lang))] = False,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=t("scan.state_dir", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        fmt: Annotated[SweepFormat, typer.Option("--format", "-f", help=t("sweep.format", lang))] = SweepFormat.text,
    ) -> None:
        from emoguard.cli import _load_config
        from emoguard.quarantine import Journal, iter_summary, restore_entries, resume_pending
        from emoguard.sinks.store import Store
        from emoguard.sources.imap import ImapError, connect, parse_url

        cfg = _load_config(config, **{"state_dir": str(state_dir) if state_dir else None})
        clients: dict[str, Any] = {}

        def client(box: str) -> Any:
            if box not in clients:
                clients[box] = connect(parse_url(box), cfg, lang=lang)
            return clients[box]

        with Store.open(cfg.state_dir) as store:
            journal = Journal(store)
            if list_only:
                rows = journal.all()
                if fmt is SweepFormat.json:
                    print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
                else:
                    for line in iter_summary(rows):
                        print(line)
                return
            if not ids and not all_:
                _err("emoguard restore: give quarantine ids or --all (see --list)")
                raise typer.Exit(2)
            try:
                resumed = resume_pending(journal, client)
                if resumed:
                    _err(t("sweep.resumed", lang, n=len(resumed)))
                if all_:
                    targets = journal.in_state("quarantined")
                else:
                    targets = [e for e in (journal.get(i) for i in ids or []) if e is not None]
                    for i in ids or []:
                        q = journal.get(i)
                        if q is None or q.state != "quarantined":
                            _err(f"emoguard restore: #{i}: {'unknown id' if q is None else q.state}")
                if not targets:
                    _err(t("restore.nothing", lang))
                    return
                done = restore_entries(journal, targets, client)
            except ImapError as e:
                _err(f"emoguard: {e}")
                raise typer.Exit(2) from None
            except Exception as e:
                _err(f"emoguard: restore stopped: {type(e).__name__}: {e}")
                raise typer.Exit(1) from None
            finally:
                for c in clients.values():
                    with contextlib.suppress(Exception):
                        c.logout()
            ok = [d for d in done if d.state == "restored"]
            for d in done:
                if d.state != "restored":
                    _err(f"emoguard: #{d.id} {d.state}: {d.error}")
            print(t("restore.done", lang, n=len(ok)))
            if len(ok) != len(done):
                raise typer.Exit(1)
