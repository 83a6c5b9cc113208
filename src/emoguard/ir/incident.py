"""The "if infected" checklist of the seed notice, with what is already done.

The steps follow ``../shared/seed/emotet_notice_2020-09.txt`` (identify the PC, ask who
opened what, isolate it, reinstall or clean it, change the passwords Emotet steals —
mail accounts, sites saved in the browser, network credentials —, check the data kept
on it, warn partners, publish a notice and apology, train staff, call an expert when
the PC cannot be found) and JPCERT/CC's FAQ as summarised in research/peers.md §5
(EmoCheck on every PC). Progress is kept in a small JSON state file the user names, and
is also read from emoguard's own reports (a trace ranking, a hostcheck result).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Step:
    id: str
    ja: str
    en: str
    how_ja: str
    how_en: str


STEPS: tuple[Step, ...] = (
    Step(
        "identify",
        "感染 PC(漏えい元)を特定する",
        "Find the infected (leaking) PC",
        "取引先から届いた迷惑メールと各 PC のアドレス帳を照合: emoguard trace --reports … --source PC名=アドレス帳 …",
        (
            "match the spam partners received against each PC's address book: emoguard trace --reports … --source "
            "NAME=BOOK …"
        ),
    ),
    Step(
        "hostcheck",
        "全 PC を EmoCheck 相当の方法で確認する",
        "Check every PC the way EmoCheck does",
        (
            "各 PC で収集スクリプトを実行し判定: emoguard hostcheck --print-collector > collect.ps1、emoguard "
            "hostcheck --bundle …"
        ),
        (
            "run the collector on each PC and check it: emoguard hostcheck --print-collector > collect.ps1; emoguard "
            "hostcheck --bundle …"
        ),
    ),
    Step(
        "interview",
        "添付ファイルを開いた社員がいないか聞き取り、受信メールを確認する",
        "Ask who opened an attachment; check the mail each PC received",
        "添付ファイル付きメールを中心に: emoguard sweep(既読・未読も表示)",
        "attachments first: emoguard sweep (shows read/unread)",
    ),
    Step(
        "isolate",
        "感染 PC をネットワークから隔離する",
        "Isolate the infected PC from the network",
        "LAN ケーブルを抜き Wi-Fi を切る。電源は切らない",
        "unplug the cable, turn Wi-Fi off; do not switch it off",
    ),
    Step(
        "reinstall",
        "感染 PC を初期化する(または駆除する)",
        "Reinstall the infected PC (or clean it)",
        "1 台なら初期化を強く推奨。Emotet はウイルス対策ソフトから隠れることがある",
        "reinstalling is strongly recommended for a single PC; Emotet hides from antivirus",
    ),
    Step(
        "pw_mail",
        "メールアカウントのパスワードを変更する",
        "Change the mail account passwords",
        "感染 PC の Outlook 等に設定していたすべてのアカウント。別の安全な PC から",
        "every account configured in Outlook etc. on the PC, from another clean PC",
    ),
    Step(
        "pw_browser",
        "ブラウザに保存していたサイトのパスワードを変更する",
        "Change the passwords saved in the browser",
        "インターネットバンキング等を含む。不正な取引がないかも確認",
        "including online banking; check for fraudulent transactions",
    ),
    Step(
        "pw_network",
        "社内サーバー・共有フォルダ等のネットワーク認証情報を変更する",
        "Change network credentials (company servers, shared folders)",
        "漏れるとランサムウェア被害につながるおそれ",
        "leaked network credentials can lead to ransomware",
    ),
    Step(
        "data",
        "感染 PC に保存されていた重要データを確認する",
        "Check what important data the PC held",
        "流出した可能性のある情報(アドレス帳・メール・ファイル)を把握する",
        "know what may have leaked (address book, mail, files)",
    ),
    Step(
        "partners",
        "取引先へ注意喚起の連絡をする",
        "Warn partners",
        "emoguard notice partners --from-report trace.json -o warning.eml",
        "emoguard notice partners --from-report trace.json -o warning.eml",
    ),
    Step(
        "public",
        "Web サイトにお知らせとお詫びを掲載する",
        "Publish a notice and apology on the web site",
        "emoguard notice public --format html",
        "emoguard notice public --format html",
    ),
    Step(
        "staff",
        "社員へ注意喚起し、説明の場を設ける",
        "Warn staff and explain the rules in person",
        "emoguard notice employees(4 つのルールと見分け方)",
        "emoguard notice employees (the four rules and how to recognise the mail)",
    ),
    Step(
        "expert",
        "感染 PC が特定できない場合はセキュリティの専門家に相談する",
        "If the PC cannot be found, call a security specialist",
        "全 PC の初期化は困難なため、駆除とリスクの確認を依頼する",
        "reinstalling every PC is hard; ask for cleaning and a risk assessment",
    ),
)
STEP_IDS = tuple(s.id for s in STEPS)


@dataclass
class Status:
    done: dict[str, str]  # step id -> note (who/when/what), "" when just ticked

    def to_dict(self) -> dict[str, Any]:
        return {"schema": 1, "done": self.done}


def load_state(path: Path) -> Status:
    if not path.exists():
        return Status({})
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: not an incident state file: {e}") from None
    done = doc.get("done") if isinstance(doc, dict) else None
    if not isinstance(done, dict):
        raise ValueError(f"{path}: not an incident state file (no 'done' object)")
    return Status({str(k): str(v) for k, v in done.items() if k in STEP_IDS})


def save_state(path: Path, st: Status) -> None:
    path.write_text(json.dumps(st.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def mark(st: Status, step: str, note: str = "") -> Status:
    if step not in STEP_IDS:
        raise ValueError(f"unknown step {step!r}; steps: {', '.join(STEP_IDS)}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Status({**st.done, step: note or stamp})


def from_reports(docs: list[Any]) -> dict[str, str]:
    """Steps emoguard's own reports show as done, with a note saying so."""
    out: dict[str, str] = {}
    checked_hosts: list[str] = []
    for doc in docs:
        if isinstance(doc, dict) and "ranking" in doc and doc.get("ranking"):
            top = doc["ranking"][0]
            out["identify"] = f"trace: {top.get('source')} ranks first (coverage {top.get('coverage')})"
        elif isinstance(doc, dict) and doc.get("tool") == "emoguard hostcheck":
            checked_hosts.append(f"{doc.get('host')}: {doc.get('status')}")
    if checked_hosts:
        out["hostcheck"] = "hostcheck: " + ", ".join(checked_hosts)
    return out


def checklist(st: Status, reports: list[Any] | None = None) -> list[dict[str, Any]]:
    auto = from_reports(reports or [])
    rows = []
    for s in STEPS:
        note = st.done.get(s.id)
        if note is None and s.id in auto:
            note = auto[s.id]
        rows.append({"id": s.id, "done": note is not None, "note": note or "",
                     "step": {"ja": s.ja, "en": s.en}, "how": {"ja": s.how_ja, "en": s.how_en}})
    return rows


def render_text(rows: list[dict[str, Any]], lang: str) -> str:
    ja = lang == "ja"
    done = sum(r["done"] for r in rows)
    lines = ["感染後の対応チェックリスト" if ja else "After an infection: checklist",
             (f"完了 {done} / {len(rows)}" if ja else f"{done} of {len(rows)} done"), ""]
    for i, r in enumerate(rows, 1):
        mark_ = "[x]" if r["done"] else "[ ]"
        lines.append(f"{mark_} {i:2d}. {r['step'][lang]}  ({r['id']})")
        lines.append(f"        {r['how'][lang]}")
        if r["note"]:
            lines.append(("        済: " if ja else "        done: ") + r["note"])
    return "\n".join(lines) + "\n"


def render_markdown(rows: list[dict[str, Any]], lang: str) -> str:
    ja = lang == "ja"
    lines = ["# " + ("感染後の対応チェックリスト" if ja else "After an infection: checklist"), ""]
    for r in rows:
        lines.append(f"- [{'x' if r['done'] else ' '}] **{r['step'][lang]}** (`{r['id']}`) — {r['how'][lang]}"
                     + (f" — {'済' if ja else 'done'}: {r['note']}" if r["note"] else ""))
    return "\n".join(lines) + "\n"
