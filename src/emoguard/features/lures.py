"""Lure wording and text oddities: short "please check" bodies, lure topics, odd Japanese.

One compiled alternation per family, run once over a bounded slice of the text,
so the cost per message stays flat (habit: cheap features for every message).
"""

from __future__ import annotations

import re
from functools import lru_cache

from emoguard.features.registry import Features, feature

# "Please check (the attachment)" lines that make up the whole new text of
# Emotet's hijack mails (INDICATORS b5), Japanese and English.
_LURE = re.compile(
    r"ご確認(?:を)?(?:お願い(?:いた)?します|お願い申し上げます|ください|下さい|願います)"
    r"|(?:早急に|至急)?確認(?:して|を)?(?:ください|下さい|お願いします)"
    r"|添付(?:ファイル)?(?:を|の)?(?:ご確認|確認|ご査収)"
    r"|(?:下記|以下)(?:より|から)(?:ダウンロード|ご確認)"
    r"|ダウンロード(?:して|を)?(?:ください|下さい|お願いします)"
    r"|please (?:see|find|check|review|open|confirm|download)(?: the)? "
    r"(?:attach|enclos|below|link|file|document|invoice)\w*"
    r"|see (?:the )?attach\w*|kindly (?:check|review|confirm|open)\w*",
    re.IGNORECASE,
)
SHORT_BODY = 250
"""New text (whitespace excluded) at most this long counts as a short lure body."""

# Lure topics (INDICATORS b9/b10). Weak: ordinary business words.
_TOPIC_JA = re.compile(
    r"請求書|御?見積(?:書|り)?|お?支払(?:い)?|送金|振込|入金|修正事項|差異|納品書|注文書|発注書|契約書"
    r"|領収書|賞与|給与|コロナウイルス|新型コロナ|メンテナンスのお知らせ|保健所"
)
# Run on lower-cased text; the lookahead on the first letter keeps the scan cheap.
_TOPIC_EN = re.compile(
    r"\b(?=[iprsb])(?:invoice|payment|remittance|purchase order|p\.?o\.? ?#|rfq|shipment|shipping document"
    r"|salary|bonus|statement|scan(?:ned)? (?:from|document))\b"
)
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Mojibake: UTF-8 read as CP932/Latin-1, and replacement characters.
_MOJIBAKE = re.compile(
    r"(?:[縺繧繝譁莠蛻螟遘謌荳][\u3000-\u30ff\u4e00-\u9fff]){3,}"
    r"|(?:[ÃÂâ][\u0080-\u00bf]){3,}|\ufffd{2,}|(?:[ｱ-ﾝ][^\x00-\x7f\uff61-\uff9f]){4,}"
)


_MOJIBAKE_HINT = re.compile("[縺繧繝譁莠蛻螟遘謌荳ÃÂâ\ufffd\uff71-\uff9d]")


_TOPIC_EN_HINTS = ("invoice", "payment", "remittance", "order", "p.o", "po#", "po #", "rfq", "ship", "salary",
                   "bonus", "statement", "scan")


@feature("body.lure_phrases", type="list")
def lure_phrases(fx: Features) -> tuple[str, ...]:
    """"Please check" phrases in the new text (INDICATORS b5).

    ご確認をお願いします, 確認してください, please see attached.
    """
    return tuple(dict.fromkeys(m.group(0) for m in _LURE.finditer(fx["body.new_text"][:5000])))


@feature("body.short_lure", type="list")
def short_lure(fx: Features) -> tuple[str, ...]:
    """The lure phrases when the new text is short (at most 250 non-space characters).

    The whole mail is "please check".
    """
    if fx["body.new_text_length"] > SHORT_BODY:
        return ()
    return fx["body.lure_phrases"]  # type: ignore[no-any-return]


@feature("lure.topics", type="list")
def topics(fx: Features) -> tuple[str, ...]:
    """Lure topic words in the subject, new text or attachment names (INDICATORS b9/b10).

    請求書, 見積, invoice, payment…
    """
    src = "\n".join((fx["subject.text"], fx["body.new_text"][:1500], *fx["attachments.names"]))
    low = src.lower()
    found = [m.group(0) for m in _TOPIC_EN.finditer(low)] if any(w in low for w in _TOPIC_EN_HINTS) else []
    if not src.isascii():
        found += [m.group(0) for m in _TOPIC_JA.finditer(src)]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=8192)
def _not_jis(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False


@feature("text.non_japanese_glyphs", type="list")
def non_japanese_glyphs(fx: Features) -> tuple[str, ...]:
    """Han characters outside the Japanese character set (CP932) inside Japanese text.

    Simplified-Chinese-only glyphs (们, 这, 发, 东…) in a mail written in
    Japanese betray machine-made text (INDICATORS b7/b8, seed: 違和感). Empty
    unless the subject + new text has at least 5 kana.
    """
    src = fx["subject.text"] + "\n" + fx["body.new_text"][:5000]
    if src.isascii() or len(_KANA.findall(src)) < 5:
        return ()
    return tuple(dict.fromkeys(c for c in _HAN.findall(src) if _not_jis(c)))[:20]


@feature("text.mojibake", type="list")
def mojibake(fx: Features) -> tuple[str, ...]:
    """Snippets of mojibake in the subject or new text (UTF-8 read as Shift_JIS, 縺ゅ, Ã©, U+FFFD runs)."""
    src = fx["subject.text"] + "\n" + fx["body.new_text"][:5000]
    if src.isascii() or not _MOJIBAKE_HINT.search(src):
        return ()
    return tuple(dict.fromkeys(m.group(0)[:30] for m in _MOJIBAKE.finditer(src)))[:5]
