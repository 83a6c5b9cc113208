"""Normalisation of names, addresses, domains and Message-IDs for the contacts directory.

Everything the directory stores and every lookup go through these functions, so an
import, a learned mail and a scanned mail agree on what "the same name" or "the same
domain" means. Deliberately *not* done: guessing that 「山田 太郎」 and 「太郎 山田」 or
"Yamada Taro" and 「山田 太郎」 are one person; a wrong guess would make the
impersonation check fire on real mail or stay silent on spoofs.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache

# Honorifics written after a name in Japanese display names and address books.
HONORIFICS: tuple[str, ...] = ("様", "さま", "さん", "殿", "御中")
# Those written after a person's name (not 御中, which follows a company or department).
PERSON_HONORIFICS: tuple[str, ...] = ("様", "さん", "殿", "さま")


def strip_honorifics(s: str, honorifics: tuple[str, ...] = HONORIFICS) -> str:
    """``s`` without the honorifics at its end, each tried once in the given order
    (never all of ``s``: 「様」 alone stays)."""
    for h in honorifics:
        if s.endswith(h) and len(s) > len(h):
            s = s[: -len(h)]
    return s

# Role words used as display names by many unrelated people: a name like this says
# nothing about who sent the mail, so it is never indexed as a person's name.
GENERIC_NAMES: frozenset[str] = frozenset(
    {
        "info", "information", "admin", "administrator", "support", "sales", "contact",
        "noreply", "no-reply", "postmaster", "mailer-daemon", "webmaster", "office",
        "user", "customer", "service", "staff", "team", "accounting", "hr",
        "総務", "総務部", "営業", "営業部", "経理", "経理部", "事務局", "担当者", "管理者",
        "人事部", "お客様", "カスタマーサポート", "サポート", "インフォメーション",
        "maildeliverysystem", "maildeliverysubsystem", "mailerdaemon", "mailadministrator",
        "systemadministrator", "mailsystem", "システム管理者",
    }
)  # fmt: skip

# Shared mail services: a domain here says nothing about the organisation behind an
# address, so it never makes a sender "known" and is not a correspondent domain.
FREEMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.co.jp", "ymail.ne.jp", "yahoo.com",
        "outlook.com", "outlook.jp", "hotmail.com", "hotmail.co.jp", "live.jp", "live.com",
        "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "docomo.ne.jp",
        "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp", "ymobile.ne.jp",
        "nifty.com", "biglobe.ne.jp", "ocn.ne.jp", "so-net.ne.jp", "plala.or.jp",
        "excite.co.jp", "infoseek.jp", "gmx.de", "gmx.net", "mail.ru", "yandex.ru",
        "qq.com", "163.com", "126.com", "protonmail.com", "proton.me", "zoho.com",
        "mail.com", "web.de", "naver.com",
    }
)  # fmt: skip

# Second-level public suffixes common in our mail; the registrable domain is one label
# more than these ("partner.co.jp", not "co.jp"). A small list on purpose (no network,
# no large data file): unknown suffixes fall back to "last two labels".
_MULTI_SUFFIXES: frozenset[str] = frozenset(
    {
        "co.jp", "ne.jp", "or.jp", "ac.jp", "ad.jp", "ed.jp", "go.jp", "gr.jp", "lg.jp",
        "co.uk", "org.uk", "ac.uk", "gov.uk", "com.br", "net.br", "org.br", "gov.br",
        "com.au", "net.au", "org.au", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn",
        "com.tw", "org.tw", "co.in", "com.sg", "com.hk", "co.nz", "com.mx", "com.ar",
        "co.za", "co.th", "com.vn", "com.my", "co.id", "com.ph", "com.tr", "com.ua",
        "co.il", "com.co", "com.pe", "com.ec", "co.ve", "com.pl", "co.at", "com.es",
    }
)  # fmt: skip

_ADDR_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\.]+$")
_DROP = re.compile(r"[\s\u3000'\"“”‘’「」『』<>()（）\[\]]+")


def normalize_name(name: str) -> str:
    """The lookup key of a display name: NFKC, no whitespace (U+3000 too), no
    quotes or brackets, no written address, honorifics (様, さん, 殿 …) stripped,
    casefolded. '' when nothing person-like remains (empty, generic role words)."""
    s = unicodedata.normalize("NFKC", name or "")
    s = _ADDR_IN_TEXT.sub("", s)
    s = _DROP.sub("", s)
    s = strip_honorifics(strip_honorifics(s))
    s = s.casefold()
    if len(s) < 2 or s in GENERIC_NAMES:
        return ""
    return s


def normalize_address(addr: str) -> str:
    """A mailbox address lower-cased, without ``mailto:``, brackets or blanks;
    '' when it does not look like an address."""
    s = unicodedata.normalize("NFKC", addr or "").strip().strip("<>").strip()
    if s.lower().startswith("mailto:"):
        s = s[7:].strip()
    s = s.lower()
    return s if _ADDRESS.match(s) else ""


def domain_of(addr: str) -> str:
    """Lower-cased domain of an address ('' without '@')."""
    _, at, dom = addr.rpartition("@")
    return dom.strip().strip(">").rstrip(".").lower() if at else ""


def registrable_domain(domain: str) -> str:
    """The registrable part of ``domain`` ("mail.partner.co.jp" -> "partner.co.jp")."""
    d = domain.strip().rstrip(".").lower()
    labels = [x for x in d.split(".") if x]
    if len(labels) <= 2:
        return ".".join(labels)
    if ".".join(labels[-2:]) in _MULTI_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def registrable_label(domain: str) -> tuple[str, str]:
    """(label, public suffix) of the registrable domain: ("partner", "co.jp")."""
    reg = registrable_domain(domain)
    label, _, suffix = reg.partition(".")
    return label, suffix


def is_freemail(domain: str) -> bool:
    d = domain.lower()
    return d in FREEMAIL_DOMAINS or registrable_domain(d) in FREEMAIL_DOMAINS


def in_domains(domain: str, domains: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """``domain`` equals one of ``domains`` or is a subdomain of one."""
    d = domain.lower()
    return any(d == x or d.endswith("." + x) for x in domains)


def normalize_message_id(mid: str) -> str:
    """``<left@right>`` with blanks removed and the right-hand side lower-cased."""
    s = "".join((mid or "").split())
    if not s:
        return ""
    s = s.strip("<>")
    left, at, right = s.rpartition("@")
    if at:
        s = f"{left}@{right.lower()}"
    return f"<{s}>"


def contains_cjk(s: str) -> bool:
    return any(
        "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in s
    )


def join_name(family: str, given: str) -> str:
    """A display name from family and given names: Japanese order for CJK names."""
    family, given = family.strip(), given.strip()
    if not family or not given:
        return family or given
    if contains_cjk(family + given):
        return f"{family} {given}"
    return f"{given} {family}"


def strip_written_address(name: str) -> str:
    """Outlook's "山田 太郎 (yamada@partner.co.jp)" display form -> "山田 太郎"."""
    s = _ADDR_IN_TEXT.sub("", name)
    s = re.sub(r"[(（\[<]\s*[)）\]>]", "", s)
    return " ".join(s.split()).strip(" '\"")


# -- look-alike domains ---------------------------------------------------------------

# Letters from other scripts that render like Latin ones (Cyrillic, Greek, full width is
# handled by NFKC). Only the common homoglyphs used in registered look-alike domains.
_HOMOGLYPHS: dict[str, str] = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ԁ": "d", "ѕ": "s", "ӏ": "l", "һ": "h", "ԛ": "q", "ԝ": "w", "ь": "b",
    "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ɡ": "g", "ο": "o", "α": "a",
    "ν": "v", "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "ε": "e", "υ": "u", "ω": "w",
}  # fmt: skip
_FOLD_SEQ: tuple[tuple[str, str], ...] = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_FOLD_CHR = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "_": "-"})


def decode_idn(domain: str) -> str:
    """Punycode labels (``xn--...``) decoded to Unicode; others unchanged."""
    out = []
    for label in domain.lower().split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                label = label[4:].encode("ascii").decode("punycode")
        out.append(label)
    return ".".join(out)


def skeleton(label: str) -> str:
    """A confusable-folded form: two labels that look alike to a reader fold equal
    (0/o, 1/l/i, rn/m, vv/w, Cyrillic and Greek homoglyphs, full width)."""
    s = unicodedata.normalize("NFKC", label).lower()
    s = "".join(_HOMOGLYPHS.get(c, c) for c in s)
    for a, b in _FOLD_SEQ:
        s = s.replace(a, b)
    return s.translate(_FOLD_CHR)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance with adjacent transpositions, capped at ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) >= limit:
            return limit
        prev2, prev = prev, cur
    return min(prev[-1], limit)


def lookalike(candidate: str, known: str) -> bool:
    """``candidate`` is a different domain made to look like ``known``.

    Same registrable domain (subdomains) is not a look-alike. Otherwise the
    registrable labels (IDN decoded) must fold to the same confusable skeleton,
    or be within edit distance 1 (labels of 5+ characters) or 2 (8+). The same label
    under another suffix is not a look-alike (companies own .com and .co.jp).
    """
    c_reg, k_reg = registrable_domain(candidate), registrable_domain(known)
    if not c_reg or not k_reg or c_reg == k_reg:
        return False
    c_label = registrable_label(decode_idn(c_reg))[0]
    k_label = registrable_label(decode_idn(k_reg))[0]
    if not c_label or not k_label:
        return False
    if c_label == k_label:
        # Same name under another suffix (toyota.com / toyota.co.jp) is usually the same
        # company's other domain; too many real ones to call it a look-alike.
        return False
    if skeleton(c_label) == skeleton(k_label):
        return True
    shortest = min(len(c_label), len(k_label))
    limit = 2 if shortest >= 8 else 1 if shortest >= 5 else 0
    if limit == 0:
        return False
    return edit_distance(c_label, k_label, limit + 1) <= limit


def _limit(a: str, b: str) -> int:
    shortest = min(len(a), len(b))
    return 2 if shortest >= 8 else 1 if shortest >= 5 else 0


def _deletes(s: str, depth: int) -> set[str]:
    """``s`` with up to ``depth`` characters deleted (the symmetric-delete neighbourhood)."""
    out = {s}
    frontier = {s}
    for _ in range(depth):
        frontier = {x[:i] + x[i + 1 :] for x in frontier for i in range(len(x))}
        out |= frontier
    return out


def _depth(label: str) -> int:
    return 2 if len(label) >= 8 else 1 if len(label) >= 5 else 0


@lru_cache(maxsize=8)
def _target_index(
    targets: frozenset[str],
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, str], ...]]]:
    """Per target set (a directory's domains; cached per process, never pickled):
    skeleton -> domains, and symmetric-delete variant -> (label, domain), so a mail
    costs a few dict lookups instead of an edit distance per known domain."""
    by_skel: dict[str, list[str]] = {}
    by_variant: dict[str, list[tuple[str, str]]] = {}
    for t in sorted(targets):
        reg = registrable_domain(t)
        label = registrable_label(decode_idn(reg))[0]
        if not label:
            continue
        by_skel.setdefault(skeleton(label), []).append(reg)
        for v in _deletes(label, _depth(label)) if _depth(label) else ():
            by_variant.setdefault(v, []).append((label, reg))
    return ({k: tuple(v) for k, v in by_skel.items()}, {k: tuple(v) for k, v in by_variant.items()})


def lookalikes(candidate: str, targets: frozenset[str]) -> list[str]:
    """The domains of ``targets`` that ``candidate`` imitates (same result as
    :func:`lookalike` against each), using an index cached per target set."""
    c_reg = registrable_domain(candidate)
    c_label = registrable_label(decode_idn(c_reg))[0] if c_reg else ""
    if not c_label:
        return []
    by_skel, by_variant = _target_index(targets)
    out: dict[str, None] = {}
    for reg in by_skel.get(skeleton(c_label), ()):
        if reg != c_reg and registrable_label(decode_idn(reg))[0] != c_label:
            out[reg] = None
    if _depth(c_label):
        for v in _deletes(c_label, _depth(c_label)):
            for label, reg in by_variant.get(v, ()):
                if reg in out or reg == c_reg or label == c_label:
                    continue
                shortest = min(len(label), len(c_label))
                lim = 2 if shortest >= 8 else 1 if shortest >= 5 else 0
                if lim and edit_distance(c_label, label, lim + 1) <= lim:
                    out[reg] = None
    return sorted(out)
