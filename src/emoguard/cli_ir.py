"""``emoguard trace | hostcheck | notice | incident``: responding after an infection.

No ``from __future__ import annotations`` here: typer evaluates the option
annotations at run time and they use ``lang`` from the enclosing function.
"""


import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from emoguard.i18n import t


class TraceFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class HostFormat(StrEnum):
    text = "text"
    json = "json"


class NoticeKind(StrEnum):
    employees = "employees"
    partners = "partners"
    public = "public"


class NoticeFormat(StrEnum):
    md = "md"
    html = "html"
    eml = "eml"


class DocLang(StrEnum):
    ja = "ja"
    en = "en"


class ListFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


def _err(msg: str) -> None:
    from emoguard.cli import _err as err

    err(msg)


def _write(output: Path | None, data: str | bytes) -> None:
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            output.write_bytes(data)
        else:
            output.write_text(data, encoding="utf-8")
    except OSError as e:
        _err(f"emoguard: cannot write {output}: {e.strerror or e}")
        raise typer.Exit(2) from None


def _read_reports(paths: list[Path]) -> list[Any]:
    from emoguard.ir.notice import load_report

    docs = []
    for p in paths:
        try:
            docs.append(load_report(p.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            _err(f"emoguard: {p}: not a JSON report: {e}")
            raise typer.Exit(2) from None
    return docs


def register(app: typer.Typer, lang: str) -> None:
    # -- trace ----------------------------------------------------------------------------

    @app.command("trace", help=t("trace.help", lang), no_args_is_help=True,
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
    def trace_cmd(
        ctx: typer.Context,
        reports: Annotated[list[str], typer.Option("--reports", "-r", help=t("trace.reports", lang))] = [],  # noqa: B006
        sources: Annotated[list[str], typer.Option("--source", "-s", help=t("trace.source", lang))] = [],  # noqa: B006
        fmt: Annotated[TraceFormat, typer.Option("--format", "-f", help=t("trace.format", lang))] = TraceFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("trace.own_domain", lang))] = [],  # noqa: B006
        noise: Annotated[float, typer.Option("--noise", min=0.001, max=0.99, help=t("trace.noise", lang))] = 0.3,
        top: Annotated[int, typer.Option("--top", min=1, help=t("trace.top", lang))] = 10,
    ) -> None:
        from emoguard.ir.trace import load_source, parse_source_arg, rank, read_reports

        # `--reports A B --source X=a Y=b`: click gives the extra values as plain args;
        # NAME=PATH ones are sources, the rest reports.
        for extra in ctx.args:
            (sources if "=" in extra and not extra.startswith("-") else reports).append(extra)
        if not reports or not sources:
            _err("emoguard trace: " + t("trace.need", lang))
            raise typer.Exit(2)
        targets = read_reports(reports, own_domains=own_domain)
        if not len(targets):
            for p in targets.problems:
                _err(f"emoguard: {p}")
            _err("emoguard trace: " + t("trace.no_targets", lang))
            raise typer.Exit(2)
        books = [load_source(*parse_source_arg(s)) for s in sources]
        res = rank(targets, books, noise=noise)
        for p in res.problems[:50]:
            _err(f"emoguard: {t('skip', lang)}: {p}")
        if len(res.problems) > 50:
            _err(f"emoguard: … {len(res.problems) - 50} more")
        if fmt is TraceFormat.json:
            _write(output, json.dumps(res.to_dict(), ensure_ascii=False, indent=2) + "\n")
        elif fmt is TraceFormat.html:
            from emoguard.ir.report import render_trace_html

            _write(output, render_trace_html(res, lang))
        else:
            from emoguard.ir.report import render_trace_text

            _write(output, render_trace_text(res, lang, top=top))

    # -- hostcheck ------------------------------------------------------------------------

    @app.command("hostcheck", help=t("hostcheck.help", lang))
    def hostcheck_cmd(
        bundles: Annotated[list[Path], typer.Option("--bundle", "-b", help=t("hostcheck.bundle", lang))] = [],  # noqa: B006
        print_collector: Annotated[bool, typer.Option("--print-collector", help=t("hostcheck.print", lang))] = False,
        fmt: Annotated[HostFormat, typer.Option("--format", "-f", help=t("hostcheck.format", lang))] = HostFormat.text,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        output_dir: Annotated[Path | None, typer.Option("--output-dir", help=t("hostcheck.output_dir", lang))] = None,
        fail: Annotated[bool, typer.Option("--fail-on-detect", help=t("hostcheck.fail", lang))] = False,
    ) -> None:
        from emoguard.ir.hostcheck import (
            BundleError,
            check_bundle,
            collector_script,
            load_bundle,
            render_text,
            report_filename,
            run_live,
        )

        if print_collector:
            _write(output, collector_script())
            return
        reports = []
        try:
            if bundles:
                for b in bundles:
                    try:
                        data = b.read_bytes()
                    except OSError as e:
                        _err(f"emoguard: {b}: {e.strerror or e}")
                        raise typer.Exit(2) from None
                    try:
                        reports.append(check_bundle(load_bundle(data), source=str(b)))
                    except BundleError as e:
                        _err(f"emoguard: {b}: {e}")
                        raise typer.Exit(2) from None
            else:
                reports.append(check_bundle(run_live(), source="live"))
        except BundleError as e:
            _err(f"emoguard hostcheck: {e}")
            raise typer.Exit(2) from None
        if fmt is HostFormat.json:
            docs = [r.to_dict() for r in reports]
            text = json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2) + "\n"
        else:
            text = "\n".join(render_text(r, lang) for r in reports)
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            for r in reports:
                p = output_dir / report_filename(r)
                p.write_text(json.dumps(r.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
                _err(t("written", lang, path=p))
        _write(output, text)
        if fail and any(r.infected for r in reports):
            raise typer.Exit(1)

    # -- notice ---------------------------------------------------------------------------

    @app.command("notice", help=t("notice.help", lang), no_args_is_help=True)
    def notice_cmd(
        kind: Annotated[NoticeKind, typer.Argument(help=t("notice.kind", lang))],
        doc_lang: Annotated[DocLang, typer.Option("--doc-lang", help=t("notice.doc_lang", lang))] = DocLang.ja,
        fmt: Annotated[NoticeFormat | None, typer.Option("--format", "-f", help=t("notice.format", lang))] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("scan.output", lang))] = None,
        from_report: Annotated[list[Path], typer.Option("--from-report", help=t("notice.from_report", lang))] = [],  # noqa: B006
        company: Annotated[str, typer.Option("--company", help=t("notice.company", lang))] = "",
        signer: Annotated[str, typer.Option("--signer", help=t("notice.signer", lang))] = "",
        contact: Annotated[str, typer.Option("--contact", help=t("notice.contact", lang))] = "",
        date: Annotated[str, typer.Option("--date", help=t("notice.date", lang))] = "",
        period: Annotated[str, typer.Option("--period", help=t("notice.period", lang))] = "",
        host: Annotated[str, typer.Option("--host", help=t("notice.host", lang))] = "",
        spoofed: Annotated[list[str], typer.Option("--spoofed-name", help=t("notice.spoofed", lang))] = [],  # noqa: B006
        sender: Annotated[list[str], typer.Option("--sender-address", help=t("notice.sender", lang))] = [],  # noqa: B006
        subject: Annotated[list[str], typer.Option("--subject", help=t("notice.subject", lang))] = [],  # noqa: B006
        attachment: Annotated[list[str], typer.Option("--attachment", help=t("notice.attachment", lang))] = [],  # noqa: B006
        own_domain: Annotated[list[str], typer.Option("--own-domain", help=t("scan.own_domain", lang))] = [],  # noqa: B006
        leaked: Annotated[str, typer.Option("--leaked", help=t("notice.leaked", lang))] = "",
        from_addr: Annotated[str, typer.Option("--from", help=t("notice.from", lang))] = "",
        to: Annotated[list[str], typer.Option("--to", help=t("notice.to", lang))] = [],  # noqa: B006
    ) -> None:
        from emoguard.ir.notice import Facts, facts_from_report, render

        facts = Facts(company=company, signer=signer, contact=contact, date=date, period=period, host=host,
                      spoofed_names=list(spoofed), sender_addresses=list(sender), subjects=list(subject),
                      attachments=list(attachment), own_domains=list(own_domain), leaked=leaked,
                      from_addr=from_addr, to=list(to))
        for doc in _read_reports(from_report):
            facts = facts.merge(facts_from_report(doc))
        f = fmt or (NoticeFormat.eml if kind is NoticeKind.partners else NoticeFormat.md)
        if f is NoticeFormat.eml and kind is not NoticeKind.partners:
            _err("emoguard notice: " + t("notice.eml_only", lang))
            raise typer.Exit(2)
        _write(output, render(kind.value, facts, doc_lang.value, f.value))
        if output is not None:
            _err(t("written", lang, path=output))

    # -- incident -------------------------------------------------------------------------

    @app.command("incident", help=t("incident.help", lang))
    def incident_cmd(
        state: Annotated[Path | None, typer.Option("--state", help=t("incident.state", lang))] = None,
        done: Annotated[list[str], typer.Option("--done", help=t("incident.done", lang))] = [],  # noqa: B006
        undo: Annotated[list[str], typer.Option("--undo", help=t("incident.undo", lang))] = [],  # noqa: B006
        from_report: Annotated[list[Path], typer.Option("--from-report", help=t("notice.from_report", lang))] = [],  # noqa: B006
        fmt: Annotated[ListFormat, typer.Option("--format", "-f", help=t("incident.format", lang))] = ListFormat.text,
    ) -> None:
        from emoguard.ir.incident import Status, checklist, load_state, mark, render_markdown, render_text, save_state

        try:
            st = load_state(state) if state is not None else Status({})
            for d in done:
                step, _, note = d.partition(":")
                st = mark(st, step.strip(), note.strip())
            for u in undo:
                st = Status({k: v for k, v in st.done.items() if k != u.strip()})
        except ValueError as e:
            _err(f"emoguard incident: {e}")
            raise typer.Exit(2) from None
        if state is not None and (done or undo):
            save_state(state, st)
        rows = checklist(st, _read_reports(from_report))
        if fmt is ListFormat.json:
            print(json.dumps({"steps": rows}, ensure_ascii=False, indent=2))
        elif fmt is ListFormat.md:
            print(render_markdown(rows, lang), end="")
        else:
            print(render_text(rows, lang), end="")
