"""Japanese and English for everything the command line says to a person.

Japanese first: every key has both. The language comes from ``--lang`` or,
by default, from the locale (LC_ALL / LC_MESSAGES / LANG starting with 'ja').
"""

from __future__ import annotations

import os

LANGS = ("ja", "en")

_T: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "app.help": (
        "emoguard: Emotet 型の攻撃メールを見つけ、感染後の対応を助けるツール。",
        "emoguard: find Emotet-style malicious mail and help recover from an infection.",
    ),
    "opt.version": ("バージョンを表示して終了", "print the version and exit"),
    "opt.lang": ("表示言語 (ja|en)。既定はロケールから", "output language (ja|en); default from the locale"),
    "opt.config": ("設定ファイル (TOML)", "configuration file (TOML)"),
    "scan.help": (
        "メール(ファイル・フォルダ・mbox・Maildir・.msg・- で標準入力)を検査して判定を表示",
        "scan mail (files, folders, mbox, Maildir, .msg, '-' for stdin) and show verdicts",
    ),
    "scan.paths": ("検査するパス(- は標準入力)", "paths to scan ('-' reads standard input)"),
    "scan.format": ("出力形式: text|json|jsonl|html", "output format: text|json|jsonl|html"),
    "scan.output": ("出力先ファイル(既定は標準出力)", "write the output to this file (default: stdout)"),
    "scan.fail_on": (
        "このレベル以上のメールがあれば終了コード 1 (suspicious|malicious)",
        "exit 1 when any message reaches this level (suspicious|malicious)",
    ),
    "scan.jobs": ("並列ワーカー数(既定はコア数)", "worker processes (default: one per core)"),
    "scan.state_dir": ("SQLite ストアのディレクトリ", "directory of the SQLite store"),
    "scan.recipient": ("受信者アドレス(エンベロープ)。複数可", "envelope recipient address; repeatable"),
    "scan.recipient_name": ("受信者の表示名。複数可", "recipient display name; repeatable"),
    "scan.own_domain": ("自組織のドメイン。複数可", "the organisation's own domain; repeatable"),
    "scan.no_history": ("判定を履歴に記録しない", "do not record verdicts in the history store"),
    "scan.all": ("安全なメールもすべて表に出す", "list clean messages in the table too"),
    "config.help": ("設定の表示", "show configuration"),
    "config.show.help": (
        "実際に使われる設定と、その出どころを表示",
        "print the effective configuration and where each value comes from",
    ),
    "rules.help": ("検知ルールの一覧・検証・テスト", "list, validate and test detection rules"),
    "rules.list.help": ("読み込まれたルールの一覧", "list the loaded rules"),
    "rules.validate.help": (
        "ルールファイルを検査し、すべての問題を file:line 付きで表示",
        "check rule files and report every problem with file:line",
    ),
    "rules.test.help": (
        "各ルールを単独でサンプル (hit-*.eml は一致、miss-*.eml は不一致) に対して実行",
        "run each rule alone against its samples (hit-*.eml must fire, miss-*.eml must not)",
    ),
    "rules.samples": ("サンプルのディレクトリ(<rule id>/hit-*.eml)", "samples directory (<rule id>/hit-*.eml)"),
    "rules.dirs": ("追加で検査するルールディレクトリ", "extra rule directories to check"),
    "features.help": ("ルールで使える特徴量の一覧", "list the features rules can use"),
    "fmt.help": ("出力形式: text|json|markdown", "output format: text|json|markdown"),
    # table and summary
    "col.level": ("判定", "Level"),
    "col.score": ("点数", "Score"),
    "col.from": ("差出人", "From"),
    "col.subject": ("件名", "Subject"),
    "col.signs": ("兆候", "Signs"),
    "col.source": ("ファイル", "Source"),
    "level.clean": ("安全", "clean"),
    "level.suspicious": ("要注意", "suspicious"),
    "level.malicious": ("危険", "malicious"),
    "sum.title": ("検査結果", "Scan summary"),
    "sum.messages": ("{n} 通を検査しました", "{n} messages scanned"),
    "sum.levels": (
        "危険 {malicious} 通 / 要注意 {suspicious} 通 / 安全 {clean} 通",
        "{malicious} malicious, {suspicious} suspicious, {clean} clean",
    ),
    "sum.unreadable": (
        "読めなかったメール: {n} 通(記録済み。理由は errors を参照)",
        "unreadable messages: {n} (recorded; see their errors)",
    ),
    "sum.skipped": ("メールではないため飛ばしたファイル: {n}", "paths skipped as not mail: {n}"),
    "sum.failed": ("読み込めなかったパス: {n}", "paths that could not be read: {n}"),
    "sum.elapsed": ("{secs:.1f} 秒({rate:.0f} 通/秒)", "{secs:.1f} s ({rate:.0f} messages/s)"),
    "sum.clean_hidden": ("安全なメール {n} 通は省略(--all で表示)", "{n} clean messages not listed (use --all)"),
    "sum.advice.bad": (
        "危険・要注意のメールは開かず、添付ファイルやリンクに触れないでください。"
        "心当たりがあれば差出人に電話などメール以外の方法で確認してください。",
        "Do not open the flagged mail, its attachments or links. If it seems to come from someone you know, "
        "check with them by phone, not by replying.",
    ),
    "progress": ("検査中", "Scanning"),
    "skip": ("スキップ", "skipped"),
    "error": ("エラー", "error"),
    "details": ("詳細", "Details"),
    "written": ("{path} に書き出しました", "written to {path}"),
    "rules.ok": ("{n} 個のルールに問題はありません", "{n} rules, no problems"),
    "rules.problems": ("{n} 件の問題があります", "{n} problems found"),
    "rules.test.result": ("{passed} 件成功 / {failed} 件失敗", "{passed} passed, {failed} failed"),
    "rules.test.nosamples": ("サンプルのないルール: {ids}", "rules without samples: {ids}"),
    "config.files": ("読み込んだ設定ファイル", "config files read"),
    "config.none": ("(なし: 既定値のみ)", "(none: defaults only)"),
}


def detect_lang(argv: list[str] | None = None) -> str:
    """``--lang X`` / ``--lang=X`` on the command line, else the locale, else English."""
    args = argv or []
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in LANGS:
            return args[i + 1]
        if a.startswith("--lang=") and a.split("=", 1)[1] in LANGS:
            return a.split("=", 1)[1]
    env = os.environ.get("EMOGUARD_LANG")
    if env in LANGS:
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var)
        if val:
            return "ja" if val.lower().startswith("ja") else "en"
    return "en"


def t(key: str, lang: str, **kw: object) -> str:
    ja, en = _T[key]
    s = ja if lang == "ja" else en
    return s.format(**kw) if kw else s


def both(key: str) -> tuple[str, str]:
    return _T[key]
