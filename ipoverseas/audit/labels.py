"""The audit trail in the reader's words: each action, kind of record and field has a label in
Chinese and English (`audit.action.*`, `audit.entity.*`, `audit.field.*` in locales admin.json),
and an event's details read as lines, "审核状态: 已提交 → 已批准", never as JSON.

`ACTIONS` lists every action the code writes; tests/audit/test_labels.py finds them in the source
and fails on one without a label.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from ipoverseas.core import i18n, localtime, vocab

ACTIONS = (
    "login.success", "login.failed", "login.refused", "login.locked", "logout", "session.expired",
    "password.change", "password.change_refused",
    "user.create", "user.bulk_create", "user.update", "user.link_expert", "user.enable", "user.disable",
    "user.unlock", "user.reset_password",
    "sub_centre.create", "sub_centre.update", "sub_centre.activate", "sub_centre.deactivate",
    "case.create", "case.approve", "case.return", "case.publish", "case.unpublish", "case.distinction",
    "case.distinction_clear",
    "article.create", "article.update", "article.publish", "article.unpublish", "article.restore",
    "expert.create", "expert.update", "expert.away.add", "expert.away.remove",
    "consultation.ask", "consultation.assign", "consultation.reassign", "consultation.accept",
    "consultation.decline", "consultation.answer", "consultation.waiting", "consultation.resume",
    "consultation.message", "consultation.followup", "consultation.rate", "consultation.close",
    "consultation.recompute_clocks", "consultation.overdue_notified",
    "import.apply", "import.rollback", "import.failed",
    "calendar.save_year", "calendar.save_day", "calendar.set_provisional",
    "notification.read",
    "duty_type.save", "duty.submit", "duty.accept", "duty.return",     # the sub-centres' reporting duties (issue 13)
    "activity.create", "activity.update",                              # their activities
    "transfer.create", "transfer.accept", "transfer.refuse", "transfer.retransfer", "transfer.withdraw",
    "transfer.overdue_notified", "transfer.recompute_due", "consultation.from_transfer", "consultation.transferred",
    "assessment.rubric_save", "assessment.override", "assessment.override_remove", "assessment.freeze",
    "assessment.unfreeze",                                             # the annual assessment (issue 14)
    "follow.add", "follow.remove", "profile.update",                   # follows, company profiles (issue 17)
    "dispute.link", "dispute.distinct", "dispute.unlink", "alert.route",   # information sharing (issue 17)
)
ENTITIES = ("user", "user_session", "sub_centre", "case", "article", "expert", "consultation", "import_batch",
            "calendar_year", "notification", "duty", "duty_type", "activity", "transfer", "assessment_year",
            "assessment_rubric", "follow", "dispute_link")

# Fields whose values are codes of a vocabulary: shown as the vocabulary's label.
_VOCABULARIES = {
    "review_status": vocab.REVIEW_STATUSES, "distinction": vocab.DISTINCTIONS, "dispute_type": vocab.DISPUTE_TYPES,
    "ip_type": vocab.IP_TYPES, "industry": vocab.INDUSTRIES, "forum": vocab.FORUMS, "outcome": vocab.OUTCOMES,
    "chinese_party_role": vocab.PARTY_ROLES, "severity": vocab.SEVERITIES, "stage": vocab.STAGES,
    "urgency": vocab.URGENCIES, "role": vocab.ROLES, "province": vocab.PROVINCES, "language": vocab.LANGUAGES,
}
# "status" and "kind" mean different things on different records.
_BY_ENTITY = {("case", "status"): vocab.CASE_STATUSES, ("consultation", "status"): vocab.CONSULTATION_STATUSES,
              ("article", "status"): vocab.ARTICLE_STATUSES, ("article", "kind"): vocab.ARTICLE_KINDS,
              ("activity", "kind"): vocab.ACTIVITY_KINDS}
WIDTH = 80
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")   # a time as trail.jsonable writes it


def _known(key: str, lang: str) -> str | None:
    return i18n.catalogue(lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE).get(key)


def action(code: str | None, lang: str) -> str:
    """The label of an action; a family prefix ("login.") reads as "登录（全部）"."""
    if not code:
        return ""
    key = ("audit.group." if code.endswith(".") else "audit.action.") + code
    return _known(key, lang) or code


def entity(code: str | None, lang: str) -> str:
    return (_known(f"audit.entity.{code}", lang) or code) if code else ""


def field(name: str, lang: str) -> str:
    return _known(f"audit.field.{name}", lang) or name


def value(name: str, raw: Any, lang: str, entity_code: str | None = None, refs: dict | None = None) -> str:
    """One value as a reader reads it: vocabulary labels, 是/否, Beijing times, （空） for nothing, and
    a record named by id as its name where `refs` (audit.references.names) knows it."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return i18n.t("audit.value.empty", lang)
    if isinstance(raw, bool):
        return i18n.t("audit.value.yes" if raw else "audit.value.no", lang)
    if refs and isinstance(raw, int) and raw in refs.get(name, {}):
        return _clip(f"{refs[name][raw]} (#{raw})")
    if name == "country" and isinstance(raw, str):
        return vocab.countries().label(raw, lang)
    if name == "dataset" and isinstance(raw, str):
        return _known(f"upload.dataset.{raw}", lang) or raw
    vocabulary = _BY_ENTITY.get((entity_code, name)) or _VOCABULARIES.get(name)
    if vocabulary is not None and isinstance(raw, str):
        return vocabulary.label(raw, lang)
    if isinstance(raw, dict):
        return _clip(", ".join(f"{field(k, lang)}: {value(k, v, lang, entity_code, refs)}" for k, v in raw.items()))
    if isinstance(raw, list):
        return _clip(", ".join(value(name, v, lang, entity_code, refs) for v in raw))
    if isinstance(raw, str):
        if _ISO_TIME.match(raw):
            try:     # stored as naive UTC ISO text (trail.jsonable): shown in the users' time zone
                return localtime.text(datetime.fromisoformat(raw))
            except ValueError:
                pass
        return _clip(_known(f"audit.value.{raw}", lang) or raw)
    return _clip(str(raw))


def _clip(text: str) -> str:
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def lines(detail: dict | None, lang: str, entity_code: str | None = None, refs: dict | None = None) -> list[str]:
    """An event's detail as readable lines: "field: old → new" for a change, "field: value" for the rest."""
    if not detail:
        return []
    if not isinstance(detail, dict):      # never expected; still no raw JSON for the reader
        return [_clip(json.dumps(detail, ensure_ascii=False, default=str))]
    before, after = detail.get("before"), detail.get("after")
    out = []
    if before is not None or after is not None:
        before, after = before or {}, after or {}
        for k in dict.fromkeys([*before, *after]):
            old = value(k, before.get(k), lang, entity_code, refs)
            new = value(k, after.get(k), lang, entity_code, refs)
            out.append(f"{field(k, lang)}: {old} → {new}" if k in before and k in after
                       else f"{field(k, lang)}: {new if k in after else old}")
    for k, v in detail.items():
        if k not in ("before", "after"):
            out.append(f"{field(k, lang)}: {value(k, v, lang, entity_code, refs)}")
    return out


def text(detail: dict | None, lang: str, entity_code: str | None = None, refs: dict | None = None) -> str:
    """The lines in one table cell."""
    return ("；" if lang == "zh" else "; ").join(lines(detail, lang, entity_code, refs))
