"""Every word the web pages say, in Japanese and English (the report's labels included)."""

from __future__ import annotations

from emoguard.sinks.html import LABELS as REPORT_LABELS

LANGS = ("ja", "en")

_WEB: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "app": ("emoguard メール検査", "emoguard mail check"),
    "nav.analyze": ("メールを調べる", "Check a mail"),
    "nav.history": ("履歴", "History"),
    "nav.quarantine": ("隔離", "Quarantine"),
    "nav.guide": ("Emotet メールの見分け方", "Spotting Emotet mail"),
    "nav.logout": ("ログアウト", "Log out"),
    "lang.switch": ("言語", "Language"),
    "login.title": ("ログイン", "Log in"),
    "login.token": ("アクセストークン", "Access token"),
    "login.help": (
        "emoguard serve を最初に起動したときに表示されたトークン("
        "または EMOGUARD_TOKEN に設定した値)を入力してください。",
        "Enter the token printed when emoguard serve first started (or the value of EMOGUARD_TOKEN).",
    ),
    "login.submit": ("ログイン", "Log in"),
    "login.failed": ("トークンが違います。", "That token is not right."),
    "analyze.title": ("このメールは危険?", "Is this mail dangerous?"),
    "analyze.intro": (
        "メールファイル(.eml または Outlook の .msg)をここにドロップするか選んでください。"
        "メールのソース(ヘッダーを含む全文)を貼り付けることもできます。メールはこのサーバーの中だけで調べ、"
        "添付ファイルを開いたりリンク先にアクセスしたりはしません。",
        "Drop a mail file (.eml, or Outlook .msg) here or pick one, or paste the mail's full source "
        "(headers included). The mail is checked on this server only; no attachment is opened and no link "
        "is visited.",
    ),
    "analyze.drop": ("ここにメールファイルをドロップ", "Drop a mail file here"),
    "analyze.pick": ("ファイルを選ぶ", "Pick a file"),
    "analyze.or_paste": ("または、メールのソースを貼り付け", "or paste the mail's source"),
    "analyze.paste_ph": ("Received: ... / From: ... / Subject: ... から始まるメールの全文",
                         "The whole mail, starting with Received: ... / From: ... / Subject: ..."),
    "analyze.submit": ("調べる", "Check"),
    "analyze.limit": ("最大 {size}", "up to {size}"),
    "analyze.too_big": ("ファイルが大きすぎます(上限 {size})。", "The file is too large (limit {size})."),
    "analyze.nothing": ("ファイルを選ぶか、ソースを貼り付けてください。", "Pick a file or paste a source."),
    "analyze.how_to_save": (
        "メールをファイルに保存するには: Outlook ではメールを開いて「ファイル」→「名前を付けて保存」(.msg)、"
        "Thunderbird では「名前を付けて保存」(.eml)、Gmail では「︙」→「メッセージをダウンロード」(.eml)。",
        "To save a mail as a file: in Outlook open it and use File → Save As (.msg); in Thunderbird, Save As "
        "(.eml); in Gmail, ⋮ → Download message (.eml).",
    ),
    "verdict.title": ("判定結果", "Verdict"),
    "verdict.level_head.malicious": ("危険: 攻撃メールと考えられます", "Malicious: this looks like an attack"),
    "verdict.level_head.suspicious": ("要注意: 攻撃メールの可能性があります", "Suspicious: this may be an attack"),
    "verdict.level_head.clean": ("攻撃メールの特徴は見つかりませんでした", "No sign of an attack was found"),
    "verdict.level_head.unknown": ("判定できませんでした", "No verdict"),
    "verdict.why": ("そう判断した理由", "Why"),
    "verdict.no_hits": ("攻撃メールの特徴は見つかりませんでした。", "No sign of an Emotet-style attack was found."),
    "verdict.points": ("点", "points"),
    "verdict.sender": ("差出人", "Sender"),
    "verdict.known_contact": ("連絡先に登録済みのアドレスです", "A known contact address"),
    "verdict.unknown_contact": ("連絡先に登録のないアドレスです", "Not a known contact address"),
    "verdict.first_contact": (
        "初めてやり取りする相手(ドメインも未知)です",
        "First mail from this sender (domain unknown too)",
    ),
    "verdict.no_directory": (
        "連絡先ディレクトリがないため、知っている相手かどうかは確認していません(emoguard contacts で作成できます)。",
        "No contacts directory, so whether the sender is known was not checked (emoguard contacts builds one).",
    ),
    "verdict.name_known_as": ("この表示名の人の既知のアドレス", "Addresses known for this display name"),
    "verdict.name_mismatch": (
        "表示名は知っている人ですが、アドレスが違います(なりすましの典型です)",
        "The display name is a known person, but the address is not theirs (typical impersonation)",
    ),
    "verdict.lookalike": ("よく似た別のドメイン", "Look-alike domain"),
    "verdict.reply_to": ("返信先 (Reply-To)", "Reply-To"),
    "verdict.headers": ("主なヘッダー", "Key headers"),
    "verdict.urls": ("本文中のリンク(無効化して表示)", "Links in the mail (defanged)"),
    "verdict.no_urls": ("リンクはありません。", "No links."),
    "verdict.body": ("本文", "Body"),
    "verdict.body_text": ("テキスト", "Text"),
    "verdict.body_html": ("HTML(安全化して表示)", "HTML (sanitised)"),
    "verdict.html_note": (
        "HTML 本文はスクリプト・フォーム・外部画像などを取り除き、リンクを無効にしてから表示しています。",
        "The HTML body is shown with scripts, forms, remote images and the like removed, and links disabled.",
    ),
    "verdict.no_body": ("本文はありません。", "No body."),
    "verdict.body_not_kept": (
        "本文とヘッダーは保存していません(判定の記録だけが履歴に残ります)。もう一度アップロードすると表示できます。",
        "The body and headers are not kept (only the verdict record is in the history). Upload the mail "
        "again to see them.",
    ),
    "verdict.truncated": ("(長いため途中まで表示)", "(truncated)"),
    "verdict.record": ("判定の記録 (JSON)", "Verdict record (JSON)"),
    "verdict.again": ("別のメールを調べる", "Check another mail"),
    "verdict.expired": (
        "この結果はもうメモリにありません。履歴から開いてください。",
        "This result is no longer in memory; open it from the history.",
    ),
    "verdict.history_link": ("履歴 #{id}", "History #{id}"),
    "verdict.kind_msg": ("Outlook .msg ファイル", "Outlook .msg file"),
    "history.title": ("検査の履歴", "Scan history"),
    "history.filter": ("絞り込み", "Filter"),
    "history.level_any": ("すべて", "any"),
    "history.since": ("この日から", "From"),
    "history.until": ("この日まで", "Until"),
    "history.text": ("件名・差出人・ファイル名", "Subject, sender, file"),
    "history.origin": ("検査元", "Origin"),
    "history.apply": ("絞り込む", "Apply"),
    "history.reset": ("解除", "Reset"),
    "history.at": ("検査日時 (UTC)", "Checked (UTC)"),
    "history.none": ("該当する記録はありません。", "No matching records."),
    "history.count": ("{total} 件中 {start}–{end} 件目", "{start}–{end} of {total}"),
    "history.newer": ("← 新しい", "← Newer"),
    "history.older": ("古い →", "Older →"),
    "quarantine.title": ("隔離されたメール", "Quarantined mail"),
    "quarantine.intro": (
        "emoguard sweep --quarantine で隔離フォルダに移したメールと、milter が Postfix の保留キューに入れたメールです。"
        "「解放」すると元の場所(保留キューの場合は配送)に戻りま"
        "す。攻撃メールでないことを確認してから解放してください。",
        "Mail moved to the quarantine folder by emoguard sweep --quarantine, and mail the milter put in "
        "Postfix's hold queue. Release puts a message back where it was (held mail is delivered). Release only "
        "what you have confirmed is not an attack.",
    ),
    "quarantine.none": ("隔離されたメールはありません。", "Nothing is quarantined."),
    "quarantine.where": ("場所", "Where"),
    "quarantine.state": ("状態", "State"),
    "quarantine.release": ("解放", "Release"),
    "quarantine.confirm": ("このメールを元に戻します。よろしいですか?", "Put this mail back where it was?"),
    "quarantine.released": ("#{id} を解放しました。", "Released #{id}."),
    "quarantine.failed": ("#{id} を解放できませんでした: {error}", "Could not release #{id}: {error}"),
    "quarantine.sweep": ("sweep で隔離", "sweep quarantine"),
    "quarantine.milter": ("milter が保留", "held by the milter"),
    "quarantine.not_configured": (
        "Web からの解放は無効です(web.release_held_command)。サーバーで実行: postsuper -H {qid}",
        "Release from the web is off (web.release_held_command). On the server run: postsuper -H {qid}",
    ),
    "state.quarantined": ("隔離中", "quarantined"),
    "state.restored": ("解放済み", "released"),
    "state.held": ("保留中", "held"),
    "state.missing": ("見つからない", "missing"),
    "state.failed": ("失敗", "failed"),
    "error.title": ("エラー", "Error"),
    "error.csrf": (
        "フォームの有効期限が切れました。ページを再読み込みしてから、もう一度操作してください。",
        "The form has expired. Reload the page and try again.",
    ),
    "error.not_found": ("見つかりません。", "Not found."),
    "error.timeout": (
        "解析が時間内に終わらなかったため打ち切りました。このメールは開かず、担当者に相談してください。",
        "The analysis did not finish in time and was abandoned. Do not open this mail; ask your IT contact.",
    ),
    "error.busy": ("サーバーが混み合っています。少し待ってからもう一度お試しください。",
                   "The server is busy. Please try again in a moment."),
    "error.upload": ("このファイルは調べられません: {detail}", "This file cannot be checked: {detail}"),
    "error.back": ("戻る", "Back"),
    "footer": (
        "emoguard {version} — メール由来の文字列はそのまま表示せず"
        "、URL は無効化(hxxp://example[.]com の形)しています。",
        "emoguard {version} — text from mail is shown escaped, and URLs are defanged (hxxp://example[.]com).",
    ),
}


def labels(lang: str) -> dict[str, str]:
    """The report's labels and the web's, for ``lang``."""
    i = 0 if lang == "ja" else 1
    out = dict(REPORT_LABELS["ja" if lang == "ja" else "en"])
    out.update({k: v[i] for k, v in _WEB.items()})
    return out
