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
    "milter.help": (
        "Postfix 用 milter として動作し、届いたメールを検査してヘッダー付与・件名タグ・保留・拒否を行う",
        "run as a Postfix milter: check incoming mail, add headers, tag, hold or reject",
    ),
    "milter.listen": ("待ち受け先 inet:ホスト:ポート または unix:パス", "listen on inet:HOST:PORT or unix:PATH"),
    "milter.check": ("設定とルールを検査して終了", "check the configuration and rules, then exit"),
    "milter.ok": ("milter の設定に問題はありません", "milter configuration is valid"),
    # contacts (emoguard.cli_contacts)
    "contacts.help": (
        "連絡先ディレクトリ(アドレス帳・メール履歴)の取り込みと一覧。scan が自動で使います",
        "build and list the contacts directory (address books, mail history); scan uses it automatically",
    ),
    "contacts.import.help": (
        "アドレス帳を取り込む: Outlook / Google / Thunderbird の CSV、vCard、LDIF(形式と文字コードは自動判定)",
        "import address books: Outlook / Google / Thunderbird CSV, vCard, LDIF (format and encoding detected)",
    ),
    "contacts.import.files": ("取り込むファイル", "address-book files to import"),
    "contacts.learn.help": (
        "過去のメール(フォルダ・mbox・Maildir・.msg)から差出人・宛先と送信済み Message-ID を学習",
        "learn From/To/Cc and the Message-IDs of sent mail from mail history (folders, mbox, Maildir, .msg)",
    ),
    "contacts.learn.paths": ("学習するメールのパス", "mail to learn from"),
    "contacts.own_domain": (
        "自組織のドメイン(送信済みメールの判定に使用)。複数可。既定は設定の organisation.domains",
        "the organisation's own domain (tells sent mail apart); repeatable; default organisation.domains",
    ),
    "contacts.list.help": ("登録されている連絡先の一覧", "list the contacts in the directory"),
    "contacts.list.format": ("出力形式: text|json", "output format: text|json"),
    "contacts.list.search": (
        "名前またはアドレスにこの文字列を含むものだけ表示",
        "only contacts whose name or address contains this text",
    ),
    "contacts.state_dir": (
        "連絡先を保存する SQLite ストアのディレクトリ",
        "directory of the SQLite store holding the contacts",
    ),
    "contacts.imported": (
        "{path}: {n} 件の連絡先を読み込みました(形式 {fmt}、文字コード {enc})",
        "{path}: {n} contacts read (format {fmt}, encoding {enc})",
    ),
    "contacts.problems": (
        "{n} 件の問題(該当する行・ファイルは飛ばし、残りは取り込みました)",
        "{n} problems (those rows or files were skipped, the rest was read)",
    ),
    "contacts.saved": (
        "連絡先ディレクトリ: {n} 件のアドレス({path})",
        "contacts directory: {n} addresses ({path})",
    ),
    "contacts.learned": (
        "{messages} 通のメールから {addresses} 件のアドレスと {sent} 件の送信済み Message-ID を学習しました",
        "learned {addresses} addresses and {sent} sent Message-IDs from {messages} messages",
    ),
    "contacts.no_own_domain": (
        "注意: 自組織のドメインが指定されていないため、送信済みメールを判別できません(--own-domain)",
        "note: no own domain given, so sent mail cannot be told apart (use --own-domain)",
    ),
    "contacts.nothing": ("取り込める連絡先がありませんでした", "no contacts could be read"),
    "contacts.empty": ("連絡先はまだ登録されていません", "the contacts directory is empty"),
    "contacts.col.address": ("アドレス", "Address"),
    "contacts.col.names": ("名前", "Names"),
    "contacts.col.count": ("回数", "Seen"),
    "contacts.col.first": ("初回", "First seen"),
    "contacts.col.last": ("最終", "Last seen"),
    "contacts.col.sources": ("出どころ", "Sources"),
    "contacts.directory_loaded": (
        "連絡先ディレクトリ: {n} 件のアドレスを照合に使います",
        "contacts directory: {n} addresses used for identity checks",
    ),
    # eval (emoguard eval)
    "eval.help": (
        "ラベル付きのメール集合で検知率と誤検知率を測る(--history で連絡先を学習)",
        "measure recall and false positives on labelled mail sets (--history learns contacts first)",
    ),
    "eval.malicious": ("悪性メールのディレクトリ・ファイル。複数可", "directory or file of malicious mail; repeatable"),
    "eval.benign": ("正常メールのディレクトリ・ファイル。複数可", "directory or file of benign mail; repeatable"),
    "eval.history": (
        "連絡先ディレクトリを学習するメール履歴。複数可",
        "mail history to learn the contacts directory from; repeatable",
    ),
    "eval.format": ("出力形式: text|json", "output format: text|json"),
    "eval.show": ("見逃し・誤検知を最大何件表示するか", "how many misses and false positives to list"),
    "eval.nothing": ("--malicious か --benign を指定してください", "give --malicious and/or --benign"),
    "eval.missing": ("見つかりません", "not found"),
    # mailboxes: sweep / restore (emoguard.cli_sweep)
    "sweep.help": (
        "インシデント調査: メールボックス(IMAP・PST・Maildir)から期間内の危険・要注意メールを洗い出し、"
        "既読かどうか(開封した人)を一覧にする。--quarantine で隔離フォルダへ移動",
        "incident sweep: list every suspicious or malicious message in mailboxes (IMAP, PST, Maildir) in a "
        "time window, with whether it was read; --quarantine moves them to a quarantine folder",
    ),
    "sweep.sources": (
        "imap://ユーザー@ホスト/フォルダ(/* で全フォルダ)、imaps://…、.pst、Maildir、フォルダ",
        "imap://user@host/FOLDER (/* for all folders), imaps://..., .pst, Maildir, folders",
    ),
    "sweep.since": ("この日以降に受信したメール (YYYY-MM-DD)", "mail received on or after this date (YYYY-MM-DD)"),
    "sweep.until": ("この日までに受信したメール (YYYY-MM-DD)", "mail received on or before this date (YYYY-MM-DD)"),
    "sweep.min_level": ("一覧に載せる最低レベル (suspicious|malicious)", "lowest level listed (suspicious|malicious)"),
    "sweep.format": ("出力形式: text|json|html", "output format: text|json|html"),
    "sweep.quarantine": (
        "見つかったメールをこのフォルダへ移動(IMAP MOVE。削除はしない)。- で設定 quarantine.folder",
        "move the messages found into this folder (IMAP MOVE; never a plain delete); '-' = quarantine.folder",
    ),
    "sweep.incremental": (
        "前回の sweep/scan 以降に届いたメールだけを読む",
        "read only mail that arrived since the previous scan of each folder",
    ),
    "sweep.title": ("インシデント調査の結果", "Incident sweep"),
    "sweep.col.mailbox": ("メールボックス", "Mailbox"),
    "sweep.col.folder": ("フォルダ", "Folder"),
    "sweep.col.date": ("日時", "Date"),
    "sweep.col.seen": ("既読", "Read"),
    "sweep.col.attachments": ("添付", "Attachments"),
    "sweep.seen.yes": ("既読", "read"),
    "sweep.seen.no": ("未読", "unread"),
    "sweep.summary": (
        "{messages} 通を調べ、{found} 通が該当(うち既読 {seen} 通)",
        "{messages} messages examined, {found} found ({seen} of them read)",
    ),
    "sweep.ask": (
        "既読のメールを受け取った人に「開いたか・添付を開いたか」を確認してください。",
        "Ask the people who have read these messages whether they opened them or their attachments.",
    ),
    "sweep.quarantined": ("{n} 通を {folder} に隔離しました", "{n} messages moved to {folder}"),
    "sweep.resumed": (
        "中断していた隔離・復元を {n} 件完了しました",
        "{n} interrupted quarantine/restore operations completed",
    ),
    "sweep.bad_date": ("日付は YYYY-MM-DD で指定してください", "dates are YYYY-MM-DD"),
    "restore.help": (
        "隔離したメールを元のフォルダへ戻す(ID または --all)",
        "move quarantined messages back to where they came from (ID or --all)",
    ),
    "restore.ids": ("戻す隔離 ID(sweep の出力・--list で表示)", "quarantine ids to restore (shown by --list)"),
    "restore.all": ("隔離中のものをすべて戻す", "restore everything in quarantine"),
    "restore.list": ("隔離の一覧を表示するだけ", "only list the quarantine"),
    "restore.done": ("{n} 通を元のフォルダへ戻しました", "{n} messages restored"),
    "restore.nothing": ("戻すものはありません", "nothing to restore"),
    "imap.password_prompt": ("{account} のパスワード: ", "password for {account}: "),
    "imap.no_password": (
        "{account} のパスワードがありません(EMOGUARD_IMAP_PASSWORD、設定 imap.password、または端末で入力)",
        "no password for {account} (set EMOGUARD_IMAP_PASSWORD, config imap.password, or type it at a terminal)",
    ),
    "pst.password": (
        "{path}: パスワード付き PST です。Outlook の PST パスワードは内容を暗号化しないため、そのまま読みました",
        "{path}: password-protected PST; Outlook's PST password does not encrypt the content, so it was read",
    ),
    # incident response: trace, hostcheck, notice, incident (emoguard.cli_ir)
    "trace.help": (
        "漏えい元の PC・メールボックスを推定: 取引先に届いた迷惑メールの宛先と、各 PC のアドレス帳・メールを照合",
        "find the leaking PC or mailbox: match who received spam against each PC's address book or mail",
    ),
    "trace.reports": (
        "取引先から転送された迷惑メール(.eml/.msg/mbox/フォルダ)や宛先一覧の CSV。複数可",
        "spam as partners forwarded it (.eml/.msg/mbox/folder) or a CSV of targeted addresses/names; repeatable",
    ),
    "trace.source": (
        "名前=パス: PC やメールボックスごとのアドレス帳(Outlook CSV・vCard・LDIF・PST)"
        "かメール(PST・mbox・Maildir・IMAP)。複数可",
        "NAME=PATH: one PC's or mailbox's address book (Outlook CSV, vCard, LDIF, PST) "
        "or mail store (PST, mbox, Maildir, IMAP); repeatable",
    ),
    "trace.format": ("出力形式: text|json|html", "output format: text|json|html"),
    "trace.own_domain": (
        "自組織のドメイン(転送した自社の社員を攻撃対象に数えない)。複数可",
        "the organisation's own domain (its staff who forwarded a report are not counted as targets); repeatable",
    ),
    "trace.noise": (
        "攻撃対象のうち雑音(無関係な報告など)と見なす割合(既定 0.3)",
        "share of targets assumed to be noise (unrelated reports and the like); default 0.3",
    ),
    "trace.top": ("表示する順位の数", "how many sources to show"),
    "trace.need": (
        "--reports と --source をそれぞれ 1 つ以上指定してください",
        "give at least one --reports and one --source",
    ),
    "trace.no_targets": (
        "報告から攻撃対象のアドレスも名前も読み取れませんでした",
        "no targeted address or name could be read from the reports",
    ),
    "hostcheck.help": (
        "EmoCheck(v1〜v5)と同じ方法で PC の Emotet 感染を確認(Windows で直接、または収集したファイルで)",
        "check a PC for Emotet like EmoCheck v1–v5 (live on Windows, or from a collected artifact bundle)",
    ),
    "hostcheck.bundle": (
        "収集スクリプトが作ったファイル(JSON)。複数可。省略時は Windows 上で直接確認",
        "artifact bundle (JSON) written by the collector; repeatable; without it, check this Windows PC live",
    ),
    "hostcheck.print": (
        "収集スクリプト(PowerShell)を出力して終了",
        "print the PowerShell collector script and exit",
    ),
    "hostcheck.format": ("出力形式: text|json", "output format: text|json"),
    "hostcheck.output_dir": (
        "結果の JSON を <ホスト名>_<日時>_emoguard-hostcheck.json としてこのフォルダに保存",
        "also save each result as <host>_<time>_emoguard-hostcheck.json in this folder",
    ),
    "hostcheck.fail": ("Emotet を検知したら終了コード 1", "exit 1 when Emotet is detected"),
    "notice.help": (
        "社員向け注意喚起・取引先への注意喚起メール(.eml)・Web 掲載用のお知らせとお詫びを作成",
        "write the staff warning, the partner warning mail (.eml) or the public notice and apology",
    ),
    "notice.kind": ("employees | partners | public", "employees | partners | public"),
    "notice.doc_lang": ("文書の言語 (ja|en)。既定は ja", "language of the document (ja|en); default ja"),
    "notice.format": (
        "出力形式: md|html|eml(eml は partners のみ。partners の既定)",
        "output format: md|html|eml (eml for partners only, and its default)",
    ),
    "notice.from_report": (
        "事実を読み取る JSON レポート(trace・hostcheck・sweep・scan の --format json 出力)。複数可",
        "JSON report to take facts from (trace, hostcheck, sweep or scan --format json output); repeatable",
    ),
    "notice.company": ("会社名", "company name"),
    "notice.signer": ("署名(部署・氏名など)", "signature (department, name)"),
    "notice.contact": ("問い合わせ先(電話・メール)", "contact (phone, mail)"),
    "notice.date": ("文書の日付(既定は今日)", "date of the document (default: today)"),
    "notice.period": ("不審なメールが送られた期間", "when the suspicious mail was sent"),
    "notice.host": ("漏えい元の PC(分かっている場合)", "the leaking PC, when known"),
    "notice.spoofed": ("なりすましに使われた差出人名。複数可", "spoofed sender display name; repeatable"),
    "notice.sender": ("実際の送信元アドレス。複数可", "real sending address seen; repeatable"),
    "notice.subject": ("件名の例。複数可", "example subject; repeatable"),
    "notice.attachment": ("添付ファイル名の例。複数可", "example attachment name; repeatable"),
    "notice.leaked": ("流出した可能性のある情報", "what may have leaked"),
    "notice.from": ("取引先向けメールの差出人(名前 <アドレス>)", "From of the partner mail (Name <address>)"),
    "notice.to": (
        "取引先向けメールの宛先。複数なら Bcc に入れます",
        "recipient of the partner mail; several go in Bcc",
    ),
    "notice.eml_only": ("eml 形式は partners だけです", "the eml format is for partners only"),
    "incident.help": (
        "感染後の対応チェックリスト(隔離・初期化・パスワード変更・連絡)と完了状況",
        "the after-infection checklist (isolate, reinstall, passwords, whom to tell) with what is done",
    ),
    "incident.state": ("完了状況を保存する JSON ファイル", "JSON file that keeps what is done"),
    "incident.done": ("完了にする項目(ID[:メモ])。複数可", "mark a step done (ID[:note]); repeatable"),
    "incident.undo": ("完了を取り消す項目 ID。複数可", "unmark a step (ID); repeatable"),
    "incident.format": ("出力形式: text|json|md", "output format: text|json|md"),
    # web page and REST API (emoguard.cli_web)
    "serve.help": (
        "Web ページと REST API を起動: メールをドロップすると危険かどうかと理由を表示。履歴・隔離・見分け方の説明も",
        "run the web page and REST API: drop a mail, read whether it is dangerous and why; history, quarantine, "
        "a guide for staff",
    ),
    "serve.listen": ("待ち受け先 ホスト:ポート(既定 127.0.0.1:8080)", "listen on HOST:PORT (default 127.0.0.1:8080)"),
    "serve.jobs": ("解析ワーカープロセス数(既定はコア数)", "analysis worker processes (default: one per core)"),
    "serve.timeout": ("1 通の解析の制限時間(秒)", "seconds allowed for analysing one message"),
    "serve.max_upload": ("アップロードの上限(バイト)", "largest upload accepted (bytes)"),
    "serve.new_token": (
        "新しいアクセストークンを作って表示(古いものは無効)",
        "make and print a new access token (the old one stops working)",
    ),
    "serve.print_openapi": (
        "API の OpenAPI 仕様 (JSON) を表示して終了",
        "print the API's OpenAPI spec (JSON) and exit",
    ),
    "serve.token_new": (
        "アクセストークン(この 1 回だけ表示します。控えておいてください。"
        "保存されるのはハッシュのみ): {token}",
        "access token (shown this once; keep it, only its hash is stored): {token}",
    ),
    "serve.token_env": ("アクセストークン: 環境変数 EMOGUARD_TOKEN の値", "access token: the value of EMOGUARD_TOKEN"),
    "serve.token_file": (
        "アクセストークン: 初回起動時に表示したもの(ハッシュは {path}。忘れたら --new-token)",
        "access token: the one printed at the first start (its hash is in {path}; lost it? --new-token)",
    ),
    "serve.listening": ("http://{host}:{port}/ で待ち受けます", "listening on http://{host}:{port}/"),
    "serve.bad_listen": ("--listen は ホスト:ポート の形で指定してください", "--listen must be HOST:PORT"),
    "serve.not_loopback": (
        "注意: ループバック以外で待ち受けています。トークンとメールが平文で流れないよう、HTTPS のリバースプロキシの"
        "後ろで使ってください(docs/web.md)",
        "note: listening beyond loopback; put it behind an HTTPS reverse proxy so the token and the mail do not "
        "travel in clear text (docs/web.md)",
    ),
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
