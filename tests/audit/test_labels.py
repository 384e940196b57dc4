"""Every action the code writes to the audit trail, every kind of record and every field has a
label in Chinese and in English; details read as lines, never as JSON (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ipoverseas.audit import labels
from ipoverseas.core import i18n, models

ROOT = Path(labels.__file__).resolve().parents[1]
AUDITED = (models.Case, models.Consultation, models.Expert, models.User, models.SubCentre, models.Article)


def _written_actions() -> set[str]:
    """The action argument of every `trail.record(...)` call and of the helpers that pass one on
    (`_transition(action=...)`, `_end_one(..., "action", ...)`, `_save(..., "action", ...)`,
    `_FOLLOW_UP_TRANSITIONS`), as literal strings; an f-string action ("case.{action}") is
    expanded over the literals its module passes."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = []
            if name == "record" and len(node.args) >= 3:
                args.append(node.args[2])
            if name == "_end_one" and len(node.args) >= 4:
                args.append(node.args[3])
            args += [k.value for k in node.keywords if k.arg == "action" and name == "_transition"]
            for arg in args:
                for sub in ast.walk(arg):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value:
                        found.add(sub.value)
    # The families whose verb is a variable: case.{approve,...}, article.{update,...}.
    from ipoverseas.cases import review
    found |= {f"case.{a}" for a in review.TRANSITIONS} | {"case.distinction", "case.distinction_clear"}
    found |= {"article.update", "article.publish", "article.unpublish", "article.restore"}
    from ipoverseas.consultations import workflow
    found |= {a for a, _ in workflow._FOLLOW_UP_TRANSITIONS.values()}
    return {a for a in found if ("." in a and not a.endswith(".")) or a == "logout"}   # not an f-string's "case."


def test_the_source_writes_no_action_missing_from_the_list():
    written = _written_actions()
    assert len(written) > 40
    assert written <= set(labels.ACTIONS), sorted(written - set(labels.ACTIONS))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_action_entity_and_field_has_a_label(lang):
    for code in labels.ACTIONS:
        assert labels.action(code, lang) != code, code
    for code in labels.ENTITIES:
        assert labels.entity(code, lang) != code, code
    fields = {c.name for model in AUDITED for c in model.__table__.columns}
    fields |= {"method", "reason", "username", "email", "sessions_ended", "ended_at", "note", "kind", "away_id",
               "starts_on", "ends_on", "filename", "sha256", "created", "dataset", "counts", "removed", "restored",
               "kept", "provisional", "changes", "day", "ids", "count", "promise_days", "calendar", "basis", "rows",
               "scope", "only_stale", "complete", "temporary_password", "expert_ref", "name", "source",
               # the reporting duties (issue 13)
               "short_zh", "short_en", "owner_sub_centre_id", "frequency", "due_rule", "content_zh", "content_en",
               "figures", "submission", "file", "on_time", "items_withdrawn"}
    missing = [f for f in sorted(fields) if labels.field(f, lang) == f]
    assert not missing


def test_details_read_as_lines_not_json():
    login = {"method": "password"}
    assert labels.lines(login, "zh") == ["登录方式: 密码"]
    assert labels.lines(login, "en") == ["Method: password"]
    change = {"before": {"review_status": "submitted"}, "after": {"review_status": "approved"}}
    assert labels.lines(change, "zh", "case") == ["审核状态: 待审核 → 已通过"]
    assert labels.lines(change, "en", "case") == ["Review status: Submitted → Approved"]
    mixed = {"before": {"locked_until": None}, "after": {"locked_until": "2026-12-02T18:18:00"},
             "sessions_ended": 2}
    assert labels.lines(mixed, "zh", "user") == ["锁定至: （空） → 2026-12-03 02:18", "结束的会话数: 2"]
    for text in (labels.text(login, "zh"), labels.text(change, "zh", "case"), labels.text(mixed, "zh", "user")):
        assert "{" not in text and '"' not in text
    assert labels.action("login.", "zh") == "登录（全部）"
