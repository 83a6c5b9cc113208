"""The committed example mails under ``examples/``, and the command that regenerates them.

    python -m emoguard.testing.examples DIR

writes every example (and the directory's README.md and .gitattributes) into DIR.
The output is byte-stable; ``tests/testing/test_examples.py`` checks that ``examples/``
is exactly what this module produces, so edit the builders here, never the files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from emoguard.testing import emotet
from emoguard.testing.mail import MailBuilder
from emoguard.testing.mangle import without_boundary

__all__ = ["EXAMPLES", "Example", "generate", "main", "write"]


@dataclass(frozen=True, slots=True)
class Example:
    """One example file: its name, what it shows (ja/en), and how it is built."""

    filename: str
    expected: str  # the level a correct engine should give (asserted by the tests)
    ja: str
    en: str
    build: Callable[[], bytes]


def _malformed() -> bytes:
    return without_boundary(
        emotet.thread_hijack_doc(
            original_subject="発注書の件",
            attachment_name="注文.doc",
            seed="07",
        )
    )


def _english() -> bytes:
    return emotet.thread_hijack_doc(
        partner=("John Miller", "john.miller@contoso-partner.example"),
        sender_addr="vendas@loja-exemplo.com.br",
        recipient=("Kenji Tanaka", "k.tanaka@example.co.jp"),
        original_subject="Postpone this week's meeting",
        reply_prefix="Re: Re: ",
        body_line="Please see the attached file and confirm.",
        quoted_body=(
            "Hi John,\n\nCould we postpone this week's meeting to Friday 10:00?\n"
            "The updated agenda will follow.\n\nBest regards,\nKenji"
        ),
        quoted_sent="Monday, November 2, 2020 5:40 PM",
        attachment_name="Mes_G697449.doc",
        lang="en",
        charset="utf-8",
        filename_encoding="rfc2231",
        date="Tue, 03 Nov 2020 09:12:00 -0300",
        seed="08",
    )


def _forwarded() -> bytes:
    suspicious = emotet.password_zip(
        salutation="お取引先各位",
        password="Rt7wQ2mZ",  # noqa: S106 - an inert sample's zip password
        seed="09-inner",
    )
    return (
        MailBuilder(seed="09")
        .date("Tue, 01 Sep 2020 10:05:00 +0900")
        .from_(("佐藤 花子", "sato@example.co.jp"))
        .to(("情報システム担当", "it-support@example.co.jp"))
        .subject("不審なメールの転送")
        .text(
            "情報システム担当様\n\n"
            "取引先の山田様の名前で、心当たりのないメールが届きました。\n"
            "添付ファイルは開いていません。元のメールを添付しますので確認をお願いします。\n\n"
            "佐藤\n"
        )
        .attach_message(suspicious, "RE 田中 一郎.eml")
        .build()
    )


EXAMPLES: tuple[Example, ...] = (
    Example(
        "01-thread-hijack-doc.eml", "malicious",
        "2019年型のスレッド乗っ取り。差出人名は実在の取引先（山田 太郎）だがアドレスは無関係な"
        "ブラジルのドメイン、件名は「RE: 」＋過去の実際の件名で In-Reply-To/References なし、"
        "本文は「ご確認をお願いします。」と盗まれた過去のやり取りの引用、添付は旧形式の"
        "「からの変更20-09.doc」（無害なOLEファイル、ファイル名はRFC 2047形式）。",
        "2019-style thread hijack: the From display name is a real partner (山田 太郎) on an "
        "unrelated Brazilian address, subject is RE: + a real past subject with no "
        "In-Reply-To/References, a one-line body over the quoted stolen thread, and a legacy "
        "からの変更20-09.doc (inert OLE file, name encoded Outlook-style with RFC 2047).",
        emotet.thread_hijack_doc,
    ),
    Example(
        "02-password-zip.eml", "malicious",
        "2020年型。本文が「協力会社各位」で始まり、件名は「RE: 田中 一郎」（受信者の名前）、"
        "暗号化ZIP「請求書.zip」（ZipCrypto、中身は無害な請求書.doc）とそのパスワード"
        "「パスワード: Xk3pq9Ld」が同じメールに書かれている。",
        "2020-style: body opens with 協力会社各位, the subject is RE: + the recipient's own "
        "name, and an encrypted 請求書.zip (ZipCrypto, holding an inert 請求書.doc) comes with "
        "its password (パスワード: Xk3pq9Ld) in the same mail.",
        emotet.password_zip,
    ),
    Example(
        "03-display-name-with-address.eml", "malicious",
        "2022年型。表示名に取引先の本物のアドレスが入っている: "
        "`\"yamada@partner.co.jp\" <x@y.com.br>`。添付は存在しない月のファイル名"
        "「2022-22-02_1239.xls」（無害なOLE/Excelファイル）。",
        "2022-style: the display name is the partner's real address, "
        "`\"yamada@partner.co.jp\" <x@y.com.br>`, with an inert .xls named with an impossible "
        "month (2022-22-02_1239.xls).",
        emotet.display_name_with_address,
    ),
    Example(
        "04-link-only-wordpress.eml", "malicious",
        "添付なし、改ざんされたWordPressサイトの形をしたリンク"
        "（`https://…/wp-content/<ランダム>/`、.example ドメインなので実在しない）だけのメール。"
        "テキストとHTMLの両方。",
        "No attachment: only a link shaped like a compromised WordPress site "
        "(`https://…/wp-content/<random>/`, on a .example host that does not exist), in both "
        "text and HTML parts.",
        emotet.link_only,
    ),
    Example(
        "05-legit-reply.eml", "clean",
        "正当な返信（誤検知しないための見本）。取引先の本物のアドレスから、"
        "In-Reply-To/References 付きで、署名と引用のある普通の返信。",
        "Benign near miss: a real reply from the partner's real address, with "
        "In-Reply-To/References, a signature and the quoted thread.",
        emotet.legit_reply,
    ),
    Example(
        "06-legit-notice.eml", "clean",
        "正当な「お取引先各位」の価格改定のお知らせ（誤検知しないための見本）。"
        "取引先の本物のドメインから、添付なし、パスワードなし。",
        "Benign near miss: a genuine お取引先各位 price-revision notice from the partner's "
        "real domain; no attachment, no password.",
        emotet.legit_notice,
    ),
    Example(
        "07-malformed-missing-boundary.eml", "≥ suspicious",
        "壊れたメール: multipart/mixed なのに boundary パラメータがない"
        "（中身は01と同じ型のスレッド乗っ取り）。解析できなくても記録が残ることを確認する。",
        "Malformed: multipart/mixed without a boundary parameter (the content is a thread "
        "hijack like 01). Checks that unreadable structure still yields a record.",
        _malformed,
    ),
    Example(
        "08-english-thread-hijack.eml", "malicious",
        "英語版のスレッド乗っ取り（2020年の世界的な波の形）。件名「Re: Re: Postpone this "
        "week's meeting」、添付「Mes_G697449.doc」（無害）。",
        "English thread hijack in the shape of the 2020 global waves: \"Re: Re: Postpone "
        "this week's meeting\", attachment Mes_G697449.doc (inert).",
        _english,
    ),
    Example(
        "09-forwarded-suspicious-mail.eml", "malicious",
        "社員が不審なメールを添付ファイル（message/rfc822）として情報システム担当に"
        "転送したもの。添付の中身は02と同じ型（お取引先各位、パスワード付きZIP）。",
        "An employee forwards a suspicious mail to IT as an attachment (message/rfc822); "
        "the attached mail is a password-zip mail like 02 (お取引先各位).",
        _forwarded,
    ),
)

_README_HEAD = """\
# examples / サンプルメール

**これらのファイルは無害です。** すべて `emoguard.testing` が生成したもので、本物のマルウェアは
含まれていません。添付の .doc / .xls は文字だけを入れた最小のOLEファイル（マクロなし）で、
ZIPのパスワードも含めてすべて架空のものです。送信元のドメインは架空の名前、IPアドレスは
ドキュメント用の範囲（RFC 5737）、リンク先は存在しない `.example` ドメイン（RFC 2606）です。

**These files are inert.** They are generated by `emoguard.testing` and contain no real
malware: the attached .doc/.xls files are minimal OLE files holding plain text (no macros),
and every name, address and password is made up. Sending domains are invented, IP addresses
are documentation ranges (RFC 5737), links point at `.example` hosts (RFC 2606).

They show what Emotet-style mail in Japanese business mail looks like (the indicators are
catalogued in the project's `shared/emotet/INDICATORS.md`), next to benign mail that shares
its weak signals. Scanning this directory also reports README.md and .gitattributes as
skipped (not mail).

## 再生成 / Regenerate

このディレクトリはコードから生成されます。ファイルを直接編集せず、
`src/emoguard/testing/examples.py` を変更して次を実行してください。

Do not edit these files; change `src/emoguard/testing/examples.py` and run:

```
python -m emoguard.testing.examples examples/
```

`tests/testing/test_examples_dir.py` fails when this directory differs from what the
generator produces. Mail lines end in CRLF (RFC 5322); `.gitattributes` keeps git from
converting them.

## ファイル一覧 / Files

「期待される判定」は正しいエンジンが出すべき判定で、テスト(tests/testing/test_examples_dir.py)で確認しています。
The intended level is what a correct engine should say; the tests
(tests/testing/test_examples_dir.py) assert it.

| file | 期待される判定 / intended level | 内容 | what it shows |
|---|---|---|---|
"""

GITATTRIBUTES = "# Generated mail is byte-exact (CRLF line ends): never convert it.\n*.eml -text\n"


def _readme() -> str:
    rows = [f"| `{e.filename}` | {e.expected} | {e.ja} | {e.en} |" for e in EXAMPLES]
    return _README_HEAD + "\n".join(rows) + "\n"


def generate() -> dict[str, bytes]:
    """File name -> content for the whole examples directory."""
    files = {e.filename: e.build() for e in EXAMPLES}
    files["README.md"] = _readme().encode("utf-8")
    files[".gitattributes"] = GITATTRIBUTES.encode("utf-8")
    return files


def write(directory: Path) -> list[Path]:
    """Write every example into ``directory`` (created if needed); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in generate().items():
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m emoguard.testing.examples DIR", file=sys.stderr)
        return 2
    for path in write(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
