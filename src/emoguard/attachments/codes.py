"""Finding codes: stable machine names for what the inspectors found, with ja/en labels.

``FileNode.findings`` holds the English sentence for people; ``FileNode.codes`` holds the
code of each finding (same order, same length), so rules match codes and reports can
show the Japanese label from :data:`CODES` next to (or instead of) the English detail.
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    # Office
    "office.vba": ("VBA マクロを含む", "contains VBA macros"),
    "office.vba_autoexec": ("開くと自動実行される VBA マクロ", "VBA macro that runs automatically"),
    "office.vba_suspicious": ("不審な VBA キーワード", "suspicious VBA keywords"),
    "office.vba_stomping": ("VBA ストンピング(ソースと P コードが不一致)",
                            "VBA stomping (p-code without matching source)"),
    "office.xlm": ("Excel 4.0 (XLM) マクロシート", "Excel 4.0 (XLM) macro sheet"),
    "office.xlm_autoopen": ("Excel 4.0 マクロの自動実行名 (Auto_Open)", "Excel 4.0 auto-run name (Auto_Open)"),
    "office.dde": ("DDE フィールド/リンク", "DDE field or link"),
    "office.external_link": ("外部テンプレート/外部オブジェクトへのリンク",
                             "external template or object link"),
    "office.embedded_object": ("埋め込み OLE オブジェクト", "embedded OLE object"),
    "office.rtf_object": ("RTF 内の埋め込みオブジェクト", "object embedded in RTF"),
    "office.lure": ("「コンテンツの有効化」を促す文言", "\"enable content\" lure text"),
    "office.encrypted": ("暗号化された Office 文書", "encrypted Office document"),
    "office.decrypted": ("暗号化文書をパスワードで復号", "encrypted document opened with a password"),
    "office.unparsed": ("Office 文書を解析できない", "Office document could not be parsed"),
    "office.xml_dtd": ("OOXML の部品に DTD/エンティティ宣言(XML 爆弾・XXE の疑い)",
                       "DTD or entity declaration in an OOXML part (XML bomb or XXE?)"),
    # archives
    "archive.encrypted": ("暗号化された書庫", "encrypted archive"),
    "archive.opened_with_password": ("メール内のパスワードで書庫を展開", "archive opened with a password"),
    "archive.corrupt": ("壊れた/途中で切れた書庫", "corrupt or truncated archive"),
    "archive.declared_oversize": ("展開後のサイズが異常に大きい(水増しファイル)",
                                  "member declares an oversized uncompressed size (padding)"),
    "archive.nested": ("書庫の中の書庫", "archive inside an archive"),
    # any file
    "file.encrypted_uninspected": ("暗号化されていて中身を検査できない", "encrypted, could not inspect"),
    "file.lnk": ("ショートカット (LNK) ファイル", "Windows shortcut (LNK) file"),
    "file.lnk_command": ("LNK がコマンドを実行する", "LNK runs a command interpreter"),
    "file.onenote": ("OneNote ファイル", "OneNote file"),
    "file.onenote_embedded": ("OneNote に埋め込まれたファイル", "file embedded in OneNote"),
    "file.iso": ("ディスクイメージ (ISO/IMG)", "disk image (ISO/IMG)"),
    "file.script": ("スクリプトファイル", "script file"),
    "file.script_suspicious": ("不審なスクリプト命令", "suspicious script commands"),
    "file.executable": ("実行ファイル", "executable file"),
    "file.double_extension": ("二重拡張子", "double extension"),
    "file.hidden_extension": ("拡張子の偽装(RLO・空白)", "hidden extension (RLO or spaces)"),
    "file.type_mismatch": ("拡張子と中身の種類が違う", "extension does not match content"),
    "file.attached_mail": ("添付されたメール", "attached mail"),
    "file.unparsed": ("ファイルを解析できない", "file could not be parsed"),
    "file.yara": ("YARA ルールに一致", "YARA rule match"),
    # limits
    "limit.depth": ("入れ子が深すぎて打ち切り", "nesting depth limit reached"),
    "limit.members": ("書庫のファイル数が多すぎて打ち切り", "member count limit reached"),
    "limit.bytes": ("展開サイズの上限に達して打ち切り", "bytes-produced limit reached"),
    "limit.ratio": ("圧縮率が異常(zip 爆弾の疑い)", "compression ratio limit (zip bomb?)"),
    "limit.time": ("検査時間の上限に達して打ち切り", "time budget exhausted"),
    "limit.passwords": ("パスワード試行回数の上限", "password try limit reached"),
    "limit.loop": ("同じ書庫が入れ子で繰り返される", "archive nested inside itself (loop)"),
}  # fmt: skip


def label(code: str, lang: str = "en") -> str:
    """The label of ``code`` in ``lang`` ('ja' or 'en'); the code itself when unknown."""
    ja, en = CODES.get(code, (code, code))
    return ja if lang == "ja" else en


__all__ = ["CODES", "label"]
