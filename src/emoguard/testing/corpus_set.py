"""A labelled Emotet-style evaluation set built by hijacking real ham threads.

    python -m emoguard.testing.corpus_set OUTDIR --corpora ../shared/corpora [--seed 1]

writes ``OUTDIR/malicious/``, ``OUTDIR/benign/``, ``OUTDIR/history/`` (``.eml``) and
``OUTDIR/manifest.json``. Deterministic for a given seed and corpus.

How it is built (docs/evaluation.md): real messages from the ham corpora (SpamAssassin
``easy_ham``, the Japanese ``ja_*`` folders, linux_nvdimm ``ham_japanese_charset``) are the
"stolen threads": their subject, the author's name and address, the recipient and the
quoted text. For a thread ``A -> B``:

- **history**: the original mail itself (what B's organisation has in its mailbox), from
  which a contacts directory can be learned;
- **malicious**: Emotet writing to B *as A* from an unrelated account, one wave each
  (2019 macro ``.doc`` or link, 2020 password zip, 2022 XLS / LNK, 2023 padded doc /
  OneNote, link-only), in the thread's language (Japanese or English);
- **benign**: look-alikes from A's real address: threaded replies quoting the thread,
  お取引先各位 / "Dear partners" notices, and a password zip whose password follows in a
  second mail.

Everything is inert (``emoguard.testing.files``): documents hold text, LNK/OneNote files
are headers plus text, links point at ``.example`` hosts or RFC 5737 addresses. Nothing
from the corpora is written except the quoted text, subjects, names and addresses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from emoguard.model import Message
from emoguard.parse import parse_message
from emoguard.testing.emotet import LURE_DOCUMENT_TEXT
from emoguard.testing.files import PaddedFile, ole_document, zip_archive
from emoguard.testing.mail import MailBuilder

__all__ = ["WAVES", "Thread", "build_set", "load_threads", "main"]

WAVES: tuple[str, ...] = (
    "w2019_doc", "w2019_link", "w2020_zip", "w2022_xls", "w2022_lnk",
    "w2023_padded", "w2023_onenote", "link_only",
)  # fmt: skip
BENIGN_KINDS: tuple[str, ...] = ("legit_reply", "legit_notice", "legit_password_zip", "legit_password_mail")

EN_SOURCES = ("spamassassin_public/easy_ham", "spamassassin_public/easy_ham_2")
JA_SOURCES = (
    "ja_spamassassin_ja_fp", "ja_jpmobile_fixtures", "ja_milter_manager_test_mails",
    "ja_shirasagi_fixtures", "ja_tomoyo_users_ml", "ja_redmine_fixtures", "ja_namazu2_debian_tests",
    "ja_request_tracker5_debian", "joruri_mail_fixtures_ja", "linux_nvdimm_list_archive/ham_japanese_charset",
)  # fmt: skip

JA_NAMES = ("山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "伊藤 健", "渡辺 由美", "中村 誠", "小林 直子",
            "加藤 大輔", "吉田 恵", "山本 翔", "松本 彩")
FOREIGN = (
    "financeiro@comercial-exemplo.com.br", "keiri@empresa-exemplo.com.ar", "info@tienda-ejemplo.com.mx",
    "contact@congty-vidu.com.vn", "admin@negocio-exemplo.com.br", "office@firma-beispiel.example",
    "ventas@distribuidora-ejemplo.com.co", "sales@toko-contoh.co.id", "mail@shop-example.example",
    "soporte@servicios-ejemplo.cl", "jimu@kaisha-rei.example.jp", "post@bedrift-eksempel.example",
)  # fmt: skip
SITES = ("www.sakura-dental-clinic.example", "blog.kobe-bakery.example", "shop.green-garden.example",
         "www.osaka-seikotsu.example", "tokyo-yoga-studio.example", "www.hokkaido-farm.example")
IP_HOSTS = ("198.51.100.17", "203.0.113.45", "192.0.2.88")
SEED_DOC_NAMES = ("からの変更20-09.doc", "契約する.doc", "に修 2020 9月.doc", "変化2020-09-23.doc", "ビル.doc",
                  "注文.doc")
EN_DOC_NAMES = ("Mes_G697449.doc", "FILE_JKO_100120_WGF_102620.doc", "INV_47528.doc", "HK4732595683OH.doc",
                "ZXX-010121 IVF-012021.doc", "January Invoice.doc", "Electronic form.doc", "Form - Jan 20, 2021.doc")
SEED_GARBLED_SUBJECT = "お手伝いいただける日程について、アンケートwお"
"""A subject of the 2020-09 wave as the seed notice quotes it (machine-garbled Japanese)."""
JA_LURES = ("ご確認をお願いします。", "確認してください。", "早急に確認お願いします。",
            "添付ファイルをご確認ください。", "よろしくお願いいたします。ご確認ください。")
EN_LURES = ("Please see attached.", "Please check the attached file.", "Please review the attached document.",
            "See attached, thanks.", "Kindly check and confirm.")
JA_SALUTATIONS = ("協力会社各位", "お取引先各位", "関係者各位", "お取引先様各位")


@dataclass(frozen=True, slots=True)
class Thread:
    """One stolen conversation: A wrote ``body`` to B under ``subject``."""

    source: str
    lang: str  # ja | en
    a_name: str
    a_addr: str
    b_name: str
    b_addr: str
    subject: str
    body: str
    date: str
    message_id: str
    raw: bytes


_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|sv|返信|転送)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)


def _has_japanese(s: str) -> bool:
    return sum(1 for c in s if "\u3041" <= c <= "\u30fa" or "\u4e00" <= c <= "\u9fff") >= 2


def _thread_from(path: Path, msg: Message, lang: str, rng: random.Random, raw: bytes) -> Thread | None:
    if not msg.subject.strip() or not msg.text.strip():
        return None
    a = msg.from_[0] if msg.from_ else None
    b = msg.to[0] if msg.to else None
    if lang == "en" and (a is None or not a.name or "@" in a.name or b is None or "@" not in b.addr):
        return None
    a_addr = a.addr.lower() if a and "@" in a.addr else ""
    if not a_addr:
        a_addr = f"user{rng.randrange(1000):03d}@partner-{rng.randrange(100)}.example.co.jp"
    a_name = a.name if a and a.name and "@" not in a.name else rng.choice(JA_NAMES)
    if lang == "ja" and not _has_japanese(a_name) and rng.random() < 0.5:
        a_name = rng.choice(JA_NAMES)
    b_addr = b.addr.lower() if b and "@" in b.addr else "tanaka@example.co.jp"
    b_name = b.name if b and b.name and "@" not in b.name else ""
    if a_addr == b_addr:
        return None
    body = "\n".join(msg.text.strip().splitlines()[:25])[:1500]
    subject = _REPLY_PREFIX.sub("", " ".join(msg.subject.split()))[:120] or "(no subject)"
    return Thread(str(path), lang, " ".join(a_name.split()), a_addr, " ".join(b_name.split()), b_addr,
                  subject, body, msg.date or "Thu, 24 Sep 2020 10:15:00 +0900",
                  msg.message_id, raw)


def load_threads(corpora: Path, *, seed: int = 1, en: int = 150) -> list[Thread]:
    """Usable threads: every Japanese ham message that parses, plus ``en`` seeded English ones."""
    rng = random.Random(seed)
    out: list[Thread] = []
    for rel in JA_SOURCES:
        for p in sorted((corpora / rel).rglob("*.eml")):
            raw = p.read_bytes()
            msg = parse_message(raw)
            if "msg.not_a_message" in msg.defects:
                continue
            t = _thread_from(p.relative_to(corpora), msg, "ja", rng, raw)
            if t is not None:
                out.append(t)
    en_paths = sorted(p for rel in EN_SOURCES for p in (corpora / rel).glob("*.eml"))
    rng.shuffle(en_paths)
    n = 0
    for p in en_paths:
        if n >= en:
            break
        raw = p.read_bytes()
        t = _thread_from(p.relative_to(corpora), parse_message(raw), "en", rng, raw)
        if t is not None and len(t.body) > 80:
            out.append(t)
            n += 1
    return out


# -- inert payloads ---------------------------------------------------------------------

def lnk_file(text: str = "inert") -> bytes:
    """An inert Windows shortcut: the ShellLinkHeader (magic + CLSID) and no target."""
    header = bytes.fromhex("4c000000" "0114020000000000c000000000000046") + b"\x00" * 56
    return header + text.encode("utf-16-le")


def onenote_file(text: str = "inert") -> bytes:
    """An inert OneNote section: the file-format GUID header followed by plain text."""
    return bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 48 + text.encode("utf-16-le")


# -- builders ---------------------------------------------------------------------------

_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def _tok(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    while True:
        t = "".join(rng.choice(alphabet) for _ in range(n))
        if any(c.isupper() for c in t[1:]) and any(c.islower() for c in t) and any(c.isdigit() for c in t):
            return t


def _quote(t: Thread, *, reverse: bool = False) -> str:
    a = f"{t.a_name} <{t.a_addr}>"
    b = f"{t.b_name} <{t.b_addr}>" if t.b_name else t.b_addr
    if reverse:
        a, b = b, a
    if t.lang == "ja":
        head = f"-----Original Message-----\n差出人: {a}\n送信日時: {t.date}\n宛先: {b}\n件名: {t.subject}\n"
    else:
        head = f"-----Original Message-----\nFrom: {a}\nSent: {t.date}\nTo: {b}\nSubject: {t.subject}\n"
    return head + "\n" + t.body + "\n"


def _charset(t: Thread, text: str) -> str:
    try:
        text.encode("iso2022_jp")
    except UnicodeEncodeError:
        return "utf-8"
    return "iso-2022-jp" if t.lang == "ja" else "utf-8"


def _date(rng: random.Random, wave: str) -> str:
    year = {"w2019_doc": 2019, "w2019_link": 2019, "w2020_zip": 2020, "w2022_xls": 2022, "w2022_lnk": 2022,
            "w2023_padded": 2023, "w2023_onenote": 2023}.get(wave, 2022)
    return f"Tue, {rng.randrange(1, 28):02d} Mar {year} {rng.randrange(8, 19):02d}:{rng.randrange(60):02d}:00 +0900"


PAD_TO = 520_000_000
"""Uncompressed size of the 2023 padded ``.doc`` (the real wave: over 500 MB)."""


def malicious(t: Thread, wave: str, rng: random.Random, i: int, *, pad_to: int = PAD_TO) -> bytes:
    """One Emotet-style mail to B, claiming to be A, for ``wave``."""
    ja = t.lang == "ja"
    sender = rng.choice(FOREIGN)
    display = t.a_name
    if wave == "w2022_xls" and rng.random() < 0.3:
        display = t.a_addr  # a9: the display name is the partner's real address
    lure = rng.choice(JA_LURES if ja else EN_LURES)
    recipient_name = t.b_name or t.b_addr.split("@")[0]
    subject = f"{rng.choice(('RE: ', 'Re: ', 'RE: RE: ', 'Fwd: '))}{t.subject}"
    lines = [lure, ""]
    if rng.random() < 0.6:
        lines += [f"{t.a_name} {t.a_addr}", ""]  # b2: the impersonated person's real address
    if ja and rng.random() < 0.25:
        # b7: the partner's name signed with a number that is not theirs
        lines += [f"{t.a_name}", f"TEL: 03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}", ""]
    quote = wave in ("w2019_doc", "w2019_link", "w2022_xls") or rng.random() < 0.5
    attach: list[tuple[str, bytes]] = []
    html_link = None
    date = _date(rng, wave)
    if wave == "w2019_doc":
        name = rng.choice(SEED_DOC_NAMES if ja else EN_DOC_NAMES)
        attach.append((name, ole_document("doc", LURE_DOCUMENT_TEXT)))
        if ja and rng.random() < 0.15:
            subject = SEED_GARBLED_SUBJECT  # the seed notice's garbled subject (2020-09)
    elif wave in ("w2019_link", "link_only"):
        kind = rng.randrange(4)
        host = rng.choice(SITES)
        if kind == 0:
            wp = rng.choice(("wp-content", "wp-includes", "wp-admin"))
            url = f"https://{host}/{wp}/{_tok(rng, rng.randrange(6, 19))}/"
        elif kind == 1:
            url = f"http://{rng.choice(IP_HOSTS)}/wp-includes/{_tok(rng, 9)}/"
        elif kind == 2:
            url = f"https://{host}/{rng.choice(('cli', 'cgi-bin', 'SpryAssets', '404', 'img'))}/{_tok(rng, 10)}/?i=1"
        else:
            url = f"https://{host}:443/about/{_tok(rng, 7)}/"
        lines = [("資料は下記よりダウンロードしてください。" if ja else "Please download the document below."), "", url,
                 "", lure, ""] + lines[2:]
        if rng.random() < 0.5:
            html_link = url
        if wave == "link_only":
            quote = False
            if rng.random() < 0.5:
                subject = rng.choice(("RE: ", "Fwd: ", "")) + recipient_name
    elif wave == "w2020_zip":
        pw = _tok(rng, rng.choice((8, 11)), "abcdefghijkmnopqrstuvwxyz23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        zname = rng.choice(("請求書.zip", "見積書.zip", "資料.zip", "注文書.zip")) if ja else rng.choice(
            ("invoice.zip", "PO# 01202021.zip", "payment details.zip", "documents.zip", "invoice #47528.zip"))
        member = zname[:-4] + ".doc"
        attach.append((zname, zip_archive({member: ole_document("doc", LURE_DOCUMENT_TEXT)}, pw, seed=i)))
        sal = rng.choice(JA_SALUTATIONS) if ja else "Dear partners,"
        pwline = f"パスワード: {pw}" if ja else f"Password: {pw}"
        lines = [sal, "", lure, "", (f"添付ファイル: {zname}" if ja else f"Archive file attached to email: {zname}"),
                 pwline, ""] + lines[2:]
        if rng.random() < 0.6:
            subject = rng.choice(("RE: ", "Fwd: ", "")) + recipient_name
    elif wave == "w2022_xls":
        shape = rng.randrange(5)
        if shape == 0:
            name = f"2022-{rng.randrange(13, 29)}-0{rng.randrange(1, 4)}_{rng.randrange(1000, 9999)}.xls"
        elif shape == 1:
            name = f"{rng.randrange(10**17, 10**18)}.xls"
        elif shape == 2:
            name = f"2022-0{rng.randrange(1, 4)}-{rng.randrange(10, 28)}_{rng.randrange(1000, 9999)}.xls"
        elif shape == 3:
            name = f"{_tok(rng, 10)}.xlsm"
        else:  # e6: named after the recipient (their name, else their domain's name)
            person = t.b_name if t.b_name and "@" not in t.b_name else ""
            name = f"{person or t.b_addr.split('@')[1].split('.')[0].capitalize()}.xls"
        data = ole_document("xls", LURE_DOCUMENT_TEXT)
        if rng.random() < 0.4:
            pw = _tok(rng, 8)
            attach.append((name.rsplit(".", 1)[0] + ".zip", zip_archive({name: data}, pw, seed=i)))
            lines += [f"パスワード: {pw}" if ja else f"Password: {pw}", ""]
        else:
            attach.append((name, data))
    elif wave == "w2022_lnk":
        base = rng.choice(("資料", "請求書", "見積書") if ja else ("document", "invoice", "report"))
        lnk = lnk_file(LURE_DOCUMENT_TEXT)
        if rng.random() < 0.5:
            attach.append((f"{base}.txt.lnk" if rng.random() < 0.5 else f"{base}.lnk", lnk))
        else:
            pw = _tok(rng, 8)
            archive = zip_archive({f"{base}.doc.lnk": lnk}, pw, seed=i)
            attach.append((f"{base}_{rng.randrange(1000, 9999)}.zip", archive))
            lines += [f"パスワード: {pw}" if ja else f"Password: {pw}", ""]
    elif wave == "w2023_padded":
        base = rng.choice(("請求書", "見積書", "資料") if ja else ("invoice", "statement", "report"))
        pad = PaddedFile(ole_document("doc", LURE_DOCUMENT_TEXT), pad_to)
        attach.append((f"{base}_{rng.randrange(100, 1231):04d}.zip",
                       zip_archive({f"{base}.doc": pad}, None, compression="deflated", seed=i)))
        if rng.random() < 0.5:
            subject = "RE: " + recipient_name
    elif wave == "w2023_onenote":
        base = rng.choice(("請求書", "資料", "注文書") if ja else ("invoice", "document", "payment"))
        attach.append((f"{base}.one", onenote_file(LURE_DOCUMENT_TEXT)))
    body = "\n".join(lines).rstrip() + "\n\n" + (_quote(t) if quote else "")
    sdom = sender.split("@")[1]
    b = (MailBuilder(charset=_charset(t, body + subject + display), seed=f"m{i}")  # type: ignore[arg-type]
         # a4: delivered by the stolen account's provider, not the partner's
         .header("Received", f"from smtp.{sdom} (smtp.{sdom} [{rng.choice(IP_HOSTS)}]) "
                 f"by mx.{t.b_addr.split('@')[1]} with ESMTPS; {date}", top=True)
         .header("Received", f"from [{rng.choice(IP_HOSTS)}] (Authenticated sender: {sender}) "
                 f"by smtp.{sdom} (Postfix) with ESMTPA; {date}", top=True)
         .date(date).from_((display, sender)).to((t.b_name, t.b_addr) if t.b_name else t.b_addr)
         .subject(subject).text(body))
    if html_link:
        b.html("<html><body>" + "".join(f"<p>{ln}</p>" for ln in lines if ln and ln != html_link)
               + f'<p><a href="{html_link}">{html_link}</a></p></body></html>')
    for name, data in attach:
        b.attach(data, name)
    return b.build()


def benign(t: Thread, kind: str, rng: random.Random, i: int, password: str = "") -> bytes:
    """A legitimate look-alike from A's real address."""
    ja = t.lang == "ja"
    b = MailBuilder(charset="utf-8", seed=f"b{i}")
    date = _date(rng, "benign")
    b.date(date).from_((t.a_name, t.a_addr)).to((t.b_name, t.b_addr) if t.b_name else t.b_addr)
    b.header("Received", f"from mail.{t.a_addr.split('@')[1]} (mail.{t.a_addr.split('@')[1]} [192.0.2.10]) "
             f"by mx.{t.b_addr.split('@')[1]} with ESMTPS; {date}", top=True)
    sig = f"\n--\n{t.a_name}\n{t.a_addr}\n"
    if kind == "legit_reply":
        mid = t.message_id or f"<orig-{i}@{t.b_addr.split('@')[1]}>"
        text = (("お世話になっております。\n承知しました。詳細は改めてご連絡いたします。\nよろしくお願いいたします。\n")
                if ja else "Thanks, that works for me. I will follow up with the details tomorrow.\n")
        b.subject("RE: " + t.subject).in_reply_to(mid).references(mid)
        b.text(text + sig + "\n" + _quote(t, reverse=True))
        if rng.random() < 0.3:
            b.attach(b"%PDF-1.4\n% inert test file\n", "見積書.pdf" if ja else "quote.pdf")
    elif kind == "legit_notice":
        if ja:
            b.subject(rng.choice(("【重要】価格改定のお知らせ", "年末年始休業のお知らせ",
                                  "お取引先各位 システムメンテナンスのお知らせ")))
            b.text(f"{rng.choice(JA_SALUTATIONS)}\n\n平素は格別のお引き立てを賜り、厚く御礼申し上げます。\n"
                   "さて、下記の通りご案内申し上げます。詳細は担当営業よりご連絡いたします。\n\n"
                   "記\n1. 実施日 2020年11月1日\n2. 対象 弊社取扱製品全般\n\n以上\n" + sig)
        else:
            b.subject(rng.choice(("Price revision notice", "Holiday closure notice", "Office relocation")))
            b.text("Dear partners,\n\nThank you for your continued business. Please note the changes described "
                   "below, effective November 1. Your account manager will contact you with details.\n\n"
                   "Best regards," + sig)
    elif kind == "legit_password_zip":
        name = rng.choice(("見積書_202011.zip", "資料一式.zip") if ja else ("quote_2020-11.zip", "drawings.zip"))
        b.subject(("【送付】" if ja else "Documents: ") + t.subject[:40])
        b.text((f"いつもお世話になっております。\n{name} をお送りします。\nパスワードは別のメールでお送りします。\n"
                if ja else f"Hello,\nAttached is {name}. The password follows in a separate mail.\n") + sig)
        b.attach(zip_archive({name[:-4] + ".pdf": b"%PDF-1.4\n% inert\n"}, password, seed=i), name)
    else:  # legit_password_mail
        b.subject(("【パスワード通知】" if ja else "Password: ") + t.subject[:40])
        b.text((f"先ほどお送りしたファイルのパスワードをお知らせします。\nパスワード: {password}\n"
                if ja else f"The password for the archive I just sent:\nPassword: {password}\n") + sig)
    return b.build()


def build_set(threads: Sequence[Thread], *, seed: int = 1, per_wave: int = 45, benign_threads: int = 60,
              pad_to: int = PAD_TO) -> Iterator[tuple[str, str, bytes, dict[str, str]]]:
    """(split, file name, bytes, meta) for the history, malicious and benign sets."""
    rng = random.Random(seed)
    ordered = list(threads)
    rng.shuffle(ordered)
    for k, t in enumerate(ordered):
        yield "history", f"h{k:04d}.eml", t.raw, {"source": t.source, "lang": t.lang}
    i = 0
    for wave in WAVES:
        n = per_wave if wave != "w2023_padded" else max(1, per_wave // 3)
        for j in range(n):
            t = ordered[(i * 7 + j) % len(ordered)]
            i += 1
            r = random.Random(f"{seed}:{wave}:{j}")
            yield ("malicious", f"{wave}-{t.lang}-{j:03d}.eml", malicious(t, wave, r, i, pad_to=pad_to),
                   {"wave": wave, "lang": t.lang, "source": t.source})
    for j in range(benign_threads):
        t = ordered[(j * 5) % len(ordered)]
        r = random.Random(f"{seed}:benign:{j}")
        kind = BENIGN_KINDS[j % 3]
        if kind == "legit_password_zip":
            pw = _tok(r, 10)
            yield ("benign", f"legit_password_zip-{t.lang}-{j:03d}.eml", benign(t, kind, r, j, pw),
                   {"kind": kind, "lang": t.lang, "source": t.source})
            yield ("benign", f"legit_password_mail-{t.lang}-{j:03d}.eml", benign(t, "legit_password_mail", r, j, pw),
                   {"kind": "legit_password_mail", "lang": t.lang, "source": t.source})
        else:
            yield ("benign", f"{kind}-{t.lang}-{j:03d}.eml", benign(t, kind, r, j),
                   {"kind": kind, "lang": t.lang, "source": t.source})


def write_set(out: Path, corpora: Path, *, seed: int = 1, per_wave: int = 45, en: int = 150,
              benign_threads: int = 60, pad_to: int = PAD_TO) -> dict[str, int]:
    """Write ``out/{malicious,benign,history}/`` and ``out/manifest.json``; returns the counts."""
    threads = load_threads(corpora, seed=seed, en=en)
    if not threads:
        raise SystemExit(f"no usable ham threads under {corpora}")
    counts: dict[str, int] = {}
    manifest: dict[str, dict[str, str]] = {}
    for split in ("malicious", "benign", "history"):
        (out / split).mkdir(parents=True, exist_ok=True)
    for split, name, data, meta in build_set(threads, seed=seed, per_wave=per_wave, benign_threads=benign_threads,
                                             pad_to=pad_to):
        (out / split / name).write_bytes(data)
        counts[split] = counts.get(split, 0) + 1
        manifest[f"{split}/{name}"] = meta
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    (out / "manifest.json").write_text(json.dumps({"seed": seed, "counts": counts, "digest": digest,
                                                   "files": manifest}, ensure_ascii=False, indent=1), "utf-8")
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m emoguard.testing.corpus_set", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-wave", type=int, default=45, help="malicious mails per wave (padded: a third)")
    ap.add_argument("--en-threads", type=int, default=150, help="English threads taken from easy_ham")
    ap.add_argument("--benign-threads", type=int, default=60)
    a = ap.parse_args(argv)
    counts = write_set(a.outdir, a.corpora, seed=a.seed, per_wave=a.per_wave, en=a.en_threads,
                       benign_threads=a.benign_threads)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), "->", a.outdir)


if __name__ == "__main__":
    main()
