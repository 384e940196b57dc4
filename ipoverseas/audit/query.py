"""Reading the audit trail: filter, paginate (in SQL), export; and one record's history.

Only admins read the trail (`read_audit_log`). A record's history holds before-images (the
unmasked party names of a case, an expert's contact details, an article's drafts), so
`history` decides here, per kind of record, who may see it (`may_see_history`); a page only
shows what it returns.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from ipoverseas.audit import labels, references
from ipoverseas.core import errors, i18n, localtime
from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import AuditEvent, RecordVersion, SubCentre

EXPORT_MAX_ROWS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""                       # part of the username (case-insensitive; % and _ are literal)
    sub_centre_id: int | None = None
    action: str = ""                     # exact action, or a prefix ending in "." (e.g. "login.")
    entity: str = ""
    entity_id: int | None = None
    since: date | None = None            # inclusive; the users' date (localtime), events are stored in UTC
    until: date | None = None            # inclusive; the users' date


def _where(f: AuditFilter) -> list:
    where = []
    if f.user.strip():
        where.append(func.lower(func.coalesce(AuditEvent.username, "")).contains(f.user.strip().lower(),
                                                                                 autoescape=True))
    if f.sub_centre_id:
        where.append(AuditEvent.sub_centre_id == f.sub_centre_id)
    if f.action.strip():
        action = f.action.strip()
        where.append(AuditEvent.action.like(action + "%") if action.endswith(".") else AuditEvent.action == action)
    if f.entity.strip():
        where.append(AuditEvent.entity == f.entity.strip())
    if f.entity_id is not None:
        where.append(AuditEvent.entity_id == f.entity_id)
    if f.since:
        where.append(AuditEvent.at >= day_start(f.since))
    if f.until:
        where.append(AuditEvent.at < day_start(f.until + timedelta(days=1)))
    return where


def day_start(day: date) -> datetime:
    """00:00 of the users' date (Beijing time by default), as stored: naive UTC like `AuditEvent.at`."""
    return localtime.from_local(datetime.combine(day, time.min))


def _columns() -> Select:
    return (select(AuditEvent.id, AuditEvent.at, AuditEvent.username, AuditEvent.user_id,
                   SubCentre.code.label("sub_centre"), AuditEvent.sub_centre_id, AuditEvent.action, AuditEvent.entity,
                   AuditEvent.entity_id, AuditEvent.detail)
            .outerjoin(SubCentre, SubCentre.id == AuditEvent.sub_centre_id))


def search(actor: Principal, f: AuditFilter, *, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    """One page of events, newest first, and the total that match."""
    policy.require(actor, "read_audit_log")
    where = _where(f)
    with db.read_session() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        rows = session.execute(_columns().where(*where).order_by(AuditEvent.id.desc())
                               .offset(max(offset, 0)).limit(max(1, min(limit, 500)))).mappings().all()
    return [dict(r) for r in rows], total


def facets(actor: Principal) -> dict[str, list[str]]:
    """The actions and entities present, for the filter dropdowns (grouped in SQL)."""
    policy.require(actor, "read_audit_log")
    with db.read_session() as session:
        actions = [a for a in session.scalars(select(AuditEvent.action).group_by(AuditEvent.action)
                                              .order_by(AuditEvent.action))]
        entities = [e for e in session.scalars(select(AuditEvent.entity).where(AuditEvent.entity.is_not(None))
                                               .group_by(AuditEvent.entity).order_by(AuditEvent.entity))]
    return {"actions": actions, "entities": entities}


def neutralise(value: Any) -> str:
    """Text for a spreadsheet cell that a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def summary(detail: dict | None, lang: str = i18n.DEFAULT_LANGUAGE, entity: str | None = None,
            refs: dict | None = None) -> str:
    """before -> after as readable lines in one cell ("审核状态: 已提交 → 已批准"), for tables and exports;
    `refs` (`names_in`) names the sub-centres, experts and users a detail has by id."""
    return labels.text(detail, lang, entity, refs)


def names_in(details: list, lang: str = i18n.DEFAULT_LANGUAGE) -> dict:
    """The names of the records these details name by id, for `summary` (one query per kind)."""
    with db.read_session() as session:
        return references.names(session, details, lang)


# The export's columns: (header key, whether it names the zone). Times are the users' (Beijing) time.
EXPORT_COLUMNS = (("audit.export.id", False), ("audit.at", True), ("audit.user", False), ("audit.export.user_id", False),
                  ("admin.users.sub_centre", False), ("audit.action", False), ("audit.export.action_code", False),
                  ("audit.entity", False), ("audit.entity_id", False), ("audit.change", False),
                  ("audit.export.detail_json", False))


def export_headers(lang: str) -> list[str]:
    return [i18n.t("time.header", lang, name=i18n.t(key, lang), zone=localtime.label(lang)) if zoned
            else i18n.t(key, lang) for key, zoned in EXPORT_COLUMNS]


def export_xlsx(actor: Principal, f: AuditFilter, lang: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """The matching events as an xlsx in `lang` (streamed from SQL in chunks; every cell written as text).
    The raw detail (JSON) stays in the last column, so that nothing of the record is lost."""
    import xlsxwriter

    policy.require(actor, "read_audit_log")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("audit")
    bold = book.add_format({"bold": True})
    for c, name in enumerate(export_headers(lang)):
        sheet.write_string(0, c, name, bold)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 20)
    sheet.set_column(5, 5, 24)
    sheet.set_column(9, 10, 60)
    where = _where(f)
    centres = dict(actors_sub_centres(lang))
    r = 0
    with db.read_session() as session:
        result = session.execute(_columns().where(*where).order_by(AuditEvent.id.desc()).limit(EXPORT_MAX_ROWS)
                                 .execution_options(yield_per=2000)).mappings()
        for chunk in result.partitions():
            refs = references.names(session, [row["detail"] for row in chunk], lang)
            for row in chunk:
                r += 1
                values = (row["id"], localtime.text(row["at"], "%Y-%m-%d %H:%M:%S"),
                          row["username"], row["user_id"], centres.get(row["sub_centre_id"], row["sub_centre"]),
                          labels.action(row["action"], lang),
                          row["action"], labels.entity(row["entity"], lang), row["entity_id"],
                          summary(row["detail"], lang, row["entity"], refs),
                          json.dumps(row["detail"], ensure_ascii=False, default=str) if row["detail"] else "")
                for c, value in enumerate(values):
                    if isinstance(value, int) and not isinstance(value, bool):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, neutralise(value))
    book.close()
    return buffer.getvalue()


def may_see_history(actor: Principal | None, entity: str, entity_id: int) -> bool:
    """May `actor` see the history of this record?

    Admin (`read_audit_log`) may see every record's. Otherwise the policy action of `HISTORY_ACTIONS`
    decides: a case's, article's, import batch's or consultation's history is for those who may
    change it (staff of its sub-centre), an expert's for those who may see their contact details,
    an account's for its owner. Anything else, and a record that does not exist, to admin only.
    """
    with db.read_session() as session:
        return _may_see(session, actor, entity, int(entity_id))


# Who may change a record (for an expert: see their contact details; for an account: its owner)
# may read its history; admin reads every record's, as the audit log.
HISTORY_ACTIONS = {"case": "edit_case", "article": "edit_article", "import_batch": "rollback_batch",
                   "consultation": "triage_consultation", "expert": "see_expert_contact", "user": "keep_own_account",
                   "duty": "read_duties", "activity": "read_activities", "transfer": "read_transfer"}


def _may_see(session, actor: Principal | None, entity: str, entity_id: int) -> bool:
    if policy.can(actor, "read_audit_log"):
        return True
    action = HISTORY_ACTIONS.get(entity)
    if action is None or not policy.can(actor, action):
        return False
    table = policy.model_for(action).__table__
    row = session.execute(select(table).where(table.c.id == entity_id)).first()
    return row is not None and policy.can(actor, action, row._mapping)


def history(actor: Principal | None, entity: str, entity_id: int, *, limit: int = 200,
            lang: str = i18n.DEFAULT_LANGUAGE) -> list[dict]:
    """A record's history, newest first: its audit events, and the before-images kept by edits and imports.
    Each row: at, who, what (the action's code), label (its words in `lang`), change (readable lines), source.

    Raises errors.Denied unless `actor` may see it (`may_see_history`).
    """
    entity_id = int(entity_id)
    with db.read_session() as session:
        if not _may_see(session, actor, entity, entity_id):
            raise errors.Denied(action="history")
        events = session.execute(
            select(AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id.desc()).limit(limit)).mappings().all()
        versions = session.execute(
            select(RecordVersion.created_at, RecordVersion.action, RecordVersion.before, RecordVersion.batch_id,
                   RecordVersion.after_version, RecordVersion.user_id)
            .where(RecordVersion.entity == entity, RecordVersion.entity_id == entity_id)
            .order_by(RecordVersion.id.desc()).limit(limit)).mappings().all()
        refs = references.names(session, [e["detail"] for e in events] + [v["before"] for v in versions]
                                + [{"user_id": v["user_id"]} for v in versions], lang)
    names = refs.get("user_id", {})
    out = [{"at": e["at"], "who": e["username"] or "", "what": e["action"], "label": labels.action(e["action"], lang),
            "change": summary(e["detail"], lang, entity, refs), "source": "audit"} for e in events]
    for v in versions:
        code = f"{entity}.{v['action']}" if f"{entity}.{v['action']}" in labels.ACTIONS else v["action"]
        label = labels.action(code, lang)
        if v["batch_id"]:
            label = i18n.t("audit.version_of", lang, what=label, batch=v["batch_id"])
        change = summary({"before": v["before"]}, lang, entity, refs) if v["before"] else ""
        out.append({"at": v["created_at"], "who": names.get(v["user_id"], ""),
                    "what": v["action"] + (f" (batch #{v['batch_id']})" if v["batch_id"] else ""), "label": label,
                    "change": change, "source": "version"})
    out.sort(key=lambda item: item["at"] or datetime.min, reverse=True)
    return out[:limit]


def actors_sub_centres(lang: str = i18n.DEFAULT_LANGUAGE) -> list[tuple[int, str]]:
    """(id, name in `lang`) of every sub-centre, for the filter and for the table's sub-centre column."""
    with db.read_session() as session:
        return [(i, (en if lang == "en" and en else zh) or code) for i, code, zh, en in session.execute(
            select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en).order_by(SubCentre.code))]


__all__ = ["AuditFilter", "search", "facets", "export_xlsx", "history", "may_see_history", "neutralise", "summary"]
