"""The staff guide: how to recognise Emotet-style mail, and what to do (ja/en).

Condensed for people who are not security staff from the project's research
(``shared/emotet/INDICATORS.md``: the Japanese waves 2019–2023 as reported by IPA,
JPCERT/CC and victims' notices) and the seed notice of September 2020 (a Japanese IT
firm's warning to its customers). Each sign names the catalogue entries it comes from,
so the page and the detection rules tell the same story.
"""

from __future__ import annotations

from typing import Any

# (title ja, title en, [(text ja, text en, catalogue ids), ...])
SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Emotet(エモテット)とは",
        "What Emotet is",
        (
            (
                "取引先や同僚になりすましたメールで広がるウイルスです。感染したパソコンからメールの送受信記録と"
                "アドレス帳が盗まれ、その人の名前と本物のやり取りを使った攻撃メールが、次の取引先に送られます。",
                "A virus that spreads through mail that pretends to come from partners and colleagues. An infected "
                "PC loses its mail and address book, and the attackers send new attack mail to that person's "
                "partners, using their name and their real conversations.",
                "",
            ),
            (
                "日本では 2019 年から 2023 年にかけて何度も大き"
                "な波があり、多くの中小企業が「当社を装った不審なメール」の"
                "お詫びを掲載しました。知っている相手からのメールだから安全、とは言えません。",
                "Japan saw several large waves from 2019 to 2023, and many small companies had to publish apologies "
                "for \"suspicious mail pretending to be from us\". Mail from someone you know is not safe just "
                "because you know them.",
                "",
            ),
        ),
    ),
    (
        "差出人の見分け方",
        "The sender",
        (
            (
                "表示名は知っている人なのに、メールアドレスが違う(見覚えのないドメイン、海外のドメインなど)。"
                "メールソフトは名前しか表示しないことが多いので、アドレスまで確認してください。",
                "The display name is someone you know, but the address is different (a domain you have never seen, "
                "often a foreign one). Mail programs often show only the name: look at the address too.",
                "a1",
            ),
            (
                "表示名の中に本物のアドレスが書かれているが、実際の送信元アドレスは別のもの"
                "(例: 「山田 太郎 yamada@partner.co.jp」<xyz@example.com.br>)。",
                "The display name contains the real address, but the mail really comes from another one "
                "(e.g. \"Taro Yamada yamada@partner.co.jp\" <xyz@example.com.br>).",
                "a9, b2",
            ),
            (
                "SPF・DKIM などの送信元認証が「合格」でも安心できません"
                "。乗っ取られた本物のメールアカウントから送られることがあります。",
                "Passing sender authentication (SPF, DKIM) does not clear a mail: Emotet sends through real "
                "mailboxes it has stolen.",
                "a3",
            ),
        ),
    ),
    (
        "件名と本文の見分け方",
        "Subject and body",
        (
            (
                "件名が「RE:」「Fwd:」+ 過去の本物の件名、またはあなたや同僚の名前だけ(「RE: 田中 一郎」など)。",
                "The subject is \"RE:\" or \"Fwd:\" plus a real past subject, or just your name or a colleague's "
                "(\"RE: Ichiro Tanaka\").",
                "b3, b4",
            ),
            (
                "以前の本物のやり取りが引用されているのに、新しく書かれ"
                "た部分は「ご確認をお願いします。」のように極端に短い。",
                "A real earlier conversation is quoted, but the new part is very short, like \"Please check.\"",
                "b1, b5",
            ),
            (
                "請求書・支払い・見積書・修正のお知らせなど、急いで添付ファイルを開かせる話題。",
                "Topics that make you open the attachment quickly: invoices, payments, quotes, \"corrections\".",
                "b9",
            ),
            (
                "添付 ZIP のパスワードが同じメールの本文に書かれて"
                "いる(ウイルス対策ソフトの検査を逃れるための手口です)。",
                "The password of the attached ZIP is written in the same mail (a trick to get past virus scanners).",
                "b6, c3",
            ),
            (
                "「お取引先各位」「協力会社各位」で始まる一斉送信風の文面(2020 "
                "年 9 月の通知で多数報告。ただし普通の業務メールでも使われるため、"
                "これだけで判断はできません)。",
                "Mass-mail openings such as お取引先各位 / 協力会社各位 (\"to all our partners\"; many were reported "
                "in September 2020, but normal business mail uses them too, so this alone proves nothing).",
                "b11",
            ),
        ),
    ),
    (
        "添付ファイルの見分け方",
        "Attachments",
        (
            (
                "Word・Excel のファイルを開くと「編集を有効にする」「コンテンツの有効化」を押すよう求められる。"
                "絶対に押さないでください。押すとマクロが動いて感染します。",
                "A Word or Excel file that asks you to click \"Enable Editing\" and \"Enable Content\". Never click "
                "them: that runs the macro that infects the PC.",
                "c1, c2",
            ),
            (
                "今は珍しい古い形式 .doc / .xls の添付(2020 年の例: 「からの変更20-09.doc」「契約する.doc」「注文.doc」"
                "のように日本語として不自然な名前)。",
                "Old-format .doc / .xls attachments, rare today (examples from 2020: oddly worded Japanese names "
                "such as からの変更20-09.doc, 契約する.doc, 注文.doc).",
                "c1, e9",
            ),
            (
                "パスワード付き ZIP、日付と番号だけの名前の ZIP(例: 2022-02-04_1234.zip)。",
                "Password-protected ZIPs, and ZIPs named only by a date and a number (e.g. 2022-02-04_1234.zip).",
                "c3, e1",
            ),
            (
                "ショートカット (.lnk)、OneNote (.one)、900 KB ほどの ZIP の中に 500 MB を超える巨大な .doc"
                "(ウイルス対策ソフトが検査をあきらめる大きさに水増ししたもの)。",
                "Shortcuts (.lnk), OneNote files (.one), and a ZIP of about 900 KB holding a .doc of over 500 MB "
                "(padded so that virus scanners give up).",
                "c4, c5, c6",
            ),
            (
                "Excel ファイルを「Templates などの信頼できる場所にコピーしてから開いて」と指示する。",
                "An Excel file that tells you to copy it into a \"trusted location\" such as Templates before "
                "opening it.",
                "c7",
            ),
        ),
    ),
    (
        "リンクの見分け方",
        "Links",
        (
            (
                "添付の代わりに、Word や Excel をダウンロードさせるリンクがある。リンク先が本文の説明と違うサイト、"
                "意味のない文字列で終わるアドレス(…/wp-content/Xk3"
                "pq/ など)、数字だけのアドレス(IP アドレス)は特に危険です。",
                "Instead of an attachment, a link that downloads a Word or Excel file. Be most careful with links to "
                "a site that does not match the text, addresses ending in random characters (…/wp-content/Xk3pq/), "
                "and addresses made of numbers (IP addresses).",
                "b12, d1, d2, d4",
            ),
        ),
    ),
    (
        "怪しいと思ったら",
        "If a mail looks suspicious",
        (
            (
                "添付ファイルもリンクも開かず、返信もしないでください。",
                "Do not open its attachments or links, and do not reply.",
                "",
            ),
            (
                "差出人には、メールへの返信ではなく電話など別の方法で「このメールを送りましたか」と確認してください。",
                "Ask the sender whether they sent it, by phone or another channel, not by replying to the mail.",
                "",
            ),
            (
                "このページの「メールを調べる」で確認できます。「危険」"
                "「要注意」と出たら、情報システム担当に知らせてください。",
                "You can check it with \"Check a mail\" on this site. If it says Malicious or Suspicious, tell your "
                "IT contact.",
                "",
            ),
            (
                "すでに添付ファイルを開いた、「コンテンツの有効化」を押した場合は、すぐにそのパソコンをネットワーク"
                "(LAN ケーブル・Wi-Fi)から外し、電源は切らずに情報システム担当へ連絡してください。",
                "If you already opened the attachment or clicked \"Enable Content\", unplug that PC from the "
                "network (cable and Wi-Fi) at once, leave it switched on, and call your IT contact.",
                "",
            ),
            (
                "メールは削除せず残してください(調査と、ほかの人への注意喚起に必要です)。",
                "Do not delete the mail: it is needed for the investigation and to warn others.",
                "",
            ),
        ),
    ),
)

SOURCES = (
    "IPA・JPCERT/CC の注意喚起(被害企業のお知らせ・報道経由。shared/emotet/INDICATORS.md に出典一覧)",
    "IPA and JPCERT/CC advisories (through victims' notices and news; sources listed in "
    "shared/emotet/INDICATORS.md)",
    "「お取引先各位」迷惑メール ウイルス Emotet にご注意(IT サポート会社のお知らせ、2020-09-25)",
    "\"お取引先各位\" spam and the Emotet virus (an IT support firm's notice to customers, 2020-09-25)",
)


def sections(lang: str) -> list[dict[str, Any]]:
    i = 0 if lang == "ja" else 1
    return [
        {"title": (ja, en)[i], "points": [{"text": (tja, ten)[i], "ids": ids} for tja, ten, ids in items]}
        for ja, en, items in SECTIONS
    ]


def sources(lang: str) -> list[str]:
    return [SOURCES[0], SOURCES[2]] if lang == "ja" else [SOURCES[1], SOURCES[3]]
