"""The three documents a company writes after an Emotet infection, in Japanese and English.

- ``employees`` — the staff warning: the seed notice's four rules (ask before opening,
  care with attachments, discard matching mail, do not click unknown links), how to
  recognise the current mails (spoofed names, subjects, attachment names, dates) and
  what to do after opening one.
- ``partners`` — the warning mail to partners, as a ready-to-send ``.eml`` (UTF-8,
  RFC 2047 headers) or as Markdown/HTML.
- ``public`` — the notice and apology for the web site.

The text lives in Jinja2 templates (``emoguard/ir/templates/<kind>.<lang>.md.j2``); the
facts come from the command line or from a trace/hostcheck/sweep/scan JSON report
(:func:`facts_from_report`). Markdown is the source; HTML is rendered from it by a small
renderer for exactly the constructs the templates use (headings, paragraphs, lists,
bold), with everything escaped, and no scripts or external references.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from functools import lru_cache
from typing import Any

import jinja2

KINDS = ("employees", "partners", "public")
LANGS = ("ja", "en")
MAX_LISTED = 15


@dataclass
class Facts:
    """What the documents say. Empty fields are left out (or replaced by a neutral phrase)."""

    company: str = ""
    signer: str = ""
    contact: str = ""
    date: str = ""
    period: str = ""
    host: str = ""
    spoofed_names: list[str] = field(default_factory=list)
    sender_addresses: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    own_domains: list[str] = field(default_factory=list)
    leaked: str = ""
    from_addr: str = ""
    to: list[str] = field(default_factory=list)

    def merge(self, other: Facts) -> Facts:
        """Self's values win; lists are joined without duplicates."""
        out = Facts()
        for f in fields(Facts):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, list):
                setattr(out, f.name, list(dict.fromkeys([*a, *b])))
            else:
                setattr(out, f.name, a or b)
        return out

    def as_context(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(Facts)}
        for k in ("spoofed_names", "sender_addresses", "subjects", "attachments"):
            d[k] = d[k][:MAX_LISTED]
        d["date"] = self.date or datetime.now(UTC).strftime("%Y-%m-%d")
        return d


def _addr_of(s: str) -> str:
    return email.utils.parseaddr(s)[1]


def _name_of(s: str) -> str:
    return email.utils.parseaddr(s)[0]


def _period(dates: list[str]) -> str:
    parsed = []
    for d in dates:
        try:
            dt = email.utils.parsedate_to_datetime(d)
        except (TypeError, ValueError, IndexError):
            try:
                dt = datetime.fromisoformat(d)
            except ValueError:
                continue
        parsed.append(dt.strftime("%Y-%m-%d"))
    if not parsed:
        return ""
    lo, hi = min(parsed), max(parsed)
    return lo if lo == hi else f"{lo} – {hi}"


def facts_from_report(doc: Any) -> Facts:
    """Facts from a JSON report: ``emoguard trace --format json``, ``hostcheck --format json``,
    ``sweep --format json`` (a list of entries) or ``scan --format json/jsonl`` records."""
    f = Facts()
    if isinstance(doc, dict) and "ranking" in doc:
        tg = doc.get("targets") or {}
        f.spoofed_names = [str(x) for x in tg.get("spoofed_names", [])]
        f.subjects = [str(x) for x in tg.get("subjects", [])]
        f.attachments = [str(x) for x in tg.get("attachments", [])]
        f.period = _period([str(x) for x in tg.get("dates", [])])
        rk = doc.get("ranking") or []
        if rk and isinstance(rk[0], dict):
            f.host = str(rk[0].get("source", ""))
        return f
    if isinstance(doc, dict) and doc.get("tool") == "emoguard hostcheck":
        if doc.get("status") in ("detected", "suspicious"):
            f.host = str(doc.get("host", ""))
        return f
    records = doc if isinstance(doc, list) else [doc] if isinstance(doc, dict) else []
    dates = []
    for r in records:
        if not isinstance(r, dict) or r.get("level") not in ("suspicious", "malicious"):
            continue
        frm = str(r.get("from", ""))
        if _name_of(frm):
            f.spoofed_names.append(_name_of(frm))
        if _addr_of(frm):
            f.sender_addresses.append(_addr_of(frm))
        if r.get("subject"):
            f.subjects.append(str(r["subject"]))
        for a in r.get("attachments") or []:
            name = a.get("name") if isinstance(a, dict) else a
            if name:
                f.attachments.append(str(name))
        if r.get("date"):
            dates.append(str(r["date"]))
    for k in ("spoofed_names", "sender_addresses", "subjects", "attachments"):
        setattr(f, k, list(dict.fromkeys(getattr(f, k))))
    f.period = _period(dates)
    return f


def load_report(text: str) -> Any:
    """A JSON document, or JSON lines (scan --format jsonl) as a list."""
    text = text.lstrip("\ufeff").strip()
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # Markdown output: nothing is HTML-escaped here; the HTML renderer escapes everything.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("emoguard.ir", "templates"),
        autoescape=False,  # noqa: S701 - Markdown, not HTML: the md filter escapes, markdown_to_html escapes all
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md_escape
    return env


def _md_escape(value: Any) -> str:
    """Text from mail inside Markdown: one line, Markdown/HTML-significant characters neutralised."""
    s = " ".join(str(value).split())
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", s)


def render_markdown(kind: str, facts: Facts, lang: str = "ja") -> str:
    if kind not in KINDS or lang not in LANGS:
        raise ValueError(f"unknown notice {kind!r}/{lang!r}")
    return _env().get_template(f"{kind}.{lang}.md.j2").render(**facts.as_context())


def title_of(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return _md_unescape(line[2:].strip())
    return ""


def _md_unescape(s: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>#|])", r"\1", s)


def _inline(s: str) -> str:
    parts = re.split(r"(\*\*(?:\\.|[^*])+\*\*)", s)
    out = []
    for p in parts:
        if p.startswith("**") and p.endswith("**") and len(p) > 4:
            out.append(f"<strong>{html.escape(_md_unescape(p[2:-2]))}</strong>")
        else:
            out.append(html.escape(_md_unescape(p)))
    return "".join(out)


def markdown_to_html(md: str, *, lang: str = "ja") -> str:
    """A complete, self-contained HTML page from the templates' Markdown subset."""
    body: list[str] = []
    para: list[str] = []
    lst: str | None = None

    def flush() -> None:
        nonlocal lst
        if para:
            body.append("<p>" + "<br>".join(_inline(x) for x in para) + "</p>")
            para.clear()
        if lst:
            body.append(f"</{lst}>")
            lst = None

    for raw in md.splitlines():
        line = raw.rstrip()
        m_h = re.match(r"^(#{1,4})\s+(.*)$", line)
        m_ul = re.match(r"^\s*[-*]\s+(.*)$", line)
        m_ol = re.match(r"^\s*\d+[.)]\s+(.*)$", line)
        if not line.strip():
            if para:  # a blank line ends a paragraph; a list goes on until other content
                body.append("<p>" + "<br>".join(_inline(x) for x in para) + "</p>")
                para.clear()
        elif m_h:
            flush()
            n = len(m_h.group(1))
            body.append(f"<h{n}>{_inline(m_h.group(2))}</h{n}>")
        elif m_ul or m_ol:
            kind = "ul" if m_ul else "ol"
            if para:
                body.append("<p>" + "<br>".join(_inline(x) for x in para) + "</p>")
                para.clear()
            if lst != kind:
                if lst:
                    body.append(f"</{lst}>")
                body.append(f"<{kind}>")
                lst = kind
            body.append(f"<li>{_inline((m_ul or m_ol).group(1))}</li>")  # type: ignore[union-attr]
        else:
            if lst:
                body.append(f"</{lst}>")
                lst = None
            para.append(line.strip())
    flush()
    title = html.escape(title_of(md))
    css = ("body{font-family:'Hiragino Sans','Yu Gothic','Meiryo',sans-serif;max-width:46em;margin:2em auto;"
           "line-height:1.7;color:#222;padding:0 1em}h1{font-size:1.5em;border-bottom:2px solid #b00}"
           "h2{font-size:1.2em;margin-top:1.6em}li{margin:.2em 0}strong{color:#b00}")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
            f"<style>{css}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def render(kind: str, facts: Facts, lang: str = "ja", fmt: str = "md") -> str | bytes:
    """The document as Markdown (str), HTML (str) or, for ``partners``, an ``.eml`` (bytes)."""
    md = render_markdown(kind, facts, lang)
    if fmt == "md":
        return md
    if fmt == "html":
        return markdown_to_html(md, lang=lang)
    if fmt == "eml":
        return partner_eml(facts, lang, md)
    raise ValueError(f"unknown format {fmt!r}")


def _body_text(md: str) -> str:
    """Markdown as the plain text of a mail: no '#', no '**', the title line dropped."""
    out = []
    for i, line in enumerate(md.splitlines()):
        if i == 0 and line.startswith("# "):
            continue
        line = re.sub(r"^#{1,4}\s+", "■ ", line)
        line = re.sub(r"\*\*((?:\\.|[^*])+)\*\*", r"\1", line)
        out.append(_md_unescape(line))
    return "\n".join(out).strip("\n") + "\n"


def partner_eml(facts: Facts, lang: str = "ja", md: str | None = None) -> bytes:
    """The partner warning as a ready-to-send mail: text/plain + text/html, UTF-8 (base64),
    subject and names as RFC 2047 encoded words. Recipients go in Bcc when there are
    several (partners must not see each other's addresses)."""
    md = md if md is not None else render_markdown("partners", facts, lang)
    subject = title_of(md)
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(_body_text(md), "plain", "utf-8"))
    msg.attach(MIMEText(markdown_to_html(md, lang=lang), "html", "utf-8"))
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8", header_name="Subject")  # type: ignore[assignment]
    sender = facts.from_addr or (f"info@{facts.own_domains[0]}" if facts.own_domains else "")
    if sender:
        name, addr = email.utils.parseaddr(sender)
        name = name or facts.company
        msg["From"] = email.utils.formataddr((name, addr), charset="utf-8") if name else addr
    if len(facts.to) == 1:
        msg["To"] = facts.to[0]
    else:
        msg["To"] = "undisclosed-recipients:;"
        if facts.to:
            msg["Bcc"] = ", ".join(facts.to)
    msg["Date"] = email.utils.formatdate(localtime=False)
    domain = _addr_of(sender).rpartition("@")[2] or "emoguard.invalid"
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    return msg.as_bytes()
