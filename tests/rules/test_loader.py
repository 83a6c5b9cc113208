"""Rule loading: errors carry file:line and a suggestion; all problems are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoguard.rules import RuleLoadError, builtin_rules_dir, load_rules

GOOD = """\
id: test.reply
title: {ja: 返信, en: Reply}
score: 1.5
group: thread
detection:
  reply:
    subject.is_reply: true
condition: reply
evidence: {ja: "件名 {subject.text}", en: "subject {subject.text}"}
"""


def write_rule(tmp: Path, name: str, text: str) -> Path:
    d = tmp / "custom"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_rules_load_and_are_bilingual() -> None:
    rs = load_rules()
    assert len(rs.rules) >= 8
    for r in rs.rules:
        assert r.title_ja and r.title_en and r.description_ja and r.description_en, r.id
        assert r.tags, r.id


def test_unknown_feature_reports_file_line_and_suggestion(tmp_path: Path) -> None:
    p = write_rule(tmp_path, "bad.yml", GOOD.replace("subject.is_reply: true", "subjct.is_reply: true"))
    with pytest.raises(RuleLoadError) as ei:
        load_rules([tmp_path])
    (msg,) = ei.value.problems
    assert msg == f"{p}:7: unknown feature 'subjct.is_reply' — did you mean 'subject.is_reply'?"


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    write_rule(tmp_path, "a.yml", GOOD.replace("score: 1.5", "score: high"))
    write_rule(tmp_path, "b.yml", GOOD.replace("id: test.reply", "id: test.other").replace("condition: reply", "condition: rply"))
    write_rule(tmp_path, "c.yml", GOOD.replace("id: test.reply", "id: test.third").replace("subject.is_reply: true", "subject.text|contians: RE"))
    write_rule(tmp_path, "d.yml", "id: [unclosed\n")
    with pytest.raises(RuleLoadError) as ei:
        load_rules([tmp_path])
    text = "\n".join(ei.value.problems)
    assert "a.yml:3: score must be a number" in text
    assert "b.yml:8: condition: unknown selection 'rply' — did you mean 'reply'?" in text
    assert "c.yml:7: unknown modifier 'contians' — did you mean 'contains'?" in text
    assert "d.yml: line 2: YAML error" in text
    assert "b.yml:6: selection 'reply' is not used in the condition" in text
    assert len(ei.value.problems) == 5


def test_unknown_key_group_list_and_missing_language(tmp_path: Path) -> None:
    text = GOOD.replace("title: {ja: 返信, en: Reply}", "title: {en: Reply}").replace("group: thread", "group: thred\nscroe: 1")
    text = text.replace("subject.is_reply: true", "subject.text|contains|list: salutatons")
    p = write_rule(tmp_path, "x.yml", text)
    with pytest.raises(RuleLoadError) as ei:
        load_rules([builtin_rules_dir(), tmp_path], groups={"thread": 5.0, "body": 2.0})
    text = "\n".join(ei.value.problems)
    assert f"{p}:2: 'title' needs both 'ja' and 'en' strings" in text
    assert f"{p}:5: unknown key 'scroe' — did you mean 'score'?" in text
    assert f"{p}:4: unknown group 'thred' — did you mean 'thread'?" in text
    assert "unknown list 'salutatons' — did you mean 'salutations'?" in text


def test_duplicate_ids_and_unused_selection(tmp_path: Path) -> None:
    write_rule(tmp_path, "a.yml", GOOD)
    write_rule(tmp_path, "b.yml", GOOD)
    write_rule(tmp_path, "c.yml", GOOD.replace("id: test.reply", "id: test.c").replace(
        "detection:\n", "detection:\n  spare:\n    subject.is_forward: true\n"))
    with pytest.raises(RuleLoadError) as ei:
        load_rules([tmp_path])
    text = "\n".join(ei.value.problems)
    assert "rule id 'test.reply' also in" in text
    assert "selection 'spare' is not used in the condition" in text


def test_overrides_and_disabling(tmp_path: Path) -> None:
    rs = load_rules(score_overrides={"url.ip_host": 9.0}, disabled=["body.group_salutation"])
    assert rs.by_id("url.ip_host").score == 9.0  # type: ignore[union-attr]
    assert rs.by_id("body.group_salutation") is None
    with pytest.raises(RuleLoadError) as ei:
        load_rules(disabled=["url.ip_hots"])
    assert "config: unknown rule id 'url.ip_hots' — did you mean 'url.ip_host'?" in ei.value.problems


def test_bad_regex_is_a_load_error(tmp_path: Path) -> None:
    write_rule(tmp_path, "r.yml", GOOD.replace("subject.is_reply: true", "subject.text|re: '(unclosed'"))
    with pytest.raises(RuleLoadError) as ei:
        load_rules([tmp_path])
    assert "r.yml:7: bad regular expression" in ei.value.problems[0]
