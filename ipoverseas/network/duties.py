"""The sub-centres' reporting duties: what each owes for which period, when it falls due, and
where it stands (page 报送 / Reports, `python -m ipoverseas duties`).

A duty type (`DutyType`, seeded from `data/duty_types.json`) is owed by every active sub-centre
or by one; each of its periods becomes a `DutyItem` with a stored due date (`duerules`). Items
are made on demand for a year (`ensure_year`), once each (a unique key; a second maker's rows
are ignored). An item's state is read from its status and its due date against today (Beijing):

    upcoming, due_soon         not handed in; due in more / no more than `duty_soon_days` working days
    missing                    not handed in, due date passed
    submitted_on_time / _late  handed in and awaiting review; the first hand-in's date decides
    returned                   returned for revision (hand in again)
    accepted                   accepted by the centre

Handing in and reviewing: `network.submissions`; reminders: `network.reminders`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import and_, case, delete, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from ipoverseas.access import policy
from ipoverseas.audit import trail
from ipoverseas.consultations import calendar
from ipoverseas.core import config, db, errors, localtime
from ipoverseas.core.models import DutyItem, DutyType, SubCentre
from . import duerules

STATES = ("upcoming", "due_soon", "missing", "submitted_on_time", "submitted_late", "returned", "accepted")
STATUSES = ("open", "submitted", "returned", "accepted")
MAX_NAME, MAX_SHORT, MAX_CONTENT, MAX_FIGURES = 200, 20, 4000, 12


def _allow(user, action: str = "read_duties") -> None:
    """`user` None: the server operator (the command line without --user), as for imports."""
    if user is not None:
        policy.require(user, action)


def _visible(user):
    """The items this user may read, as SQL (all of them for the server operator)."""
    return true() if user is None else policy.where(user, "read_duties")


def soon_days() -> int:
    return int(config.get("duty_soon_days"))


def soon_until(today: date) -> date:
    """The last due date that counts as 'due soon' on `today`."""
    return calendar.add_working_days(today, soon_days())


def state_of(status: str, on_time: bool | None, due_on: date, today: date, soon: date) -> str:
    if status == "accepted":
        return "accepted"
    if status == "returned":
        return "returned"
    if status == "submitted":
        return "submitted_on_time" if on_time else "submitted_late"
    if due_on < today:
        return "missing"
    return "due_soon" if due_on <= soon else "upcoming"


def state_sql(state: str, today: date, soon: date):
    """The same states as a SQL condition over duty_items (lists filter and count in SQL)."""
    t = DutyItem.__table__.c
    return {
        "accepted": t.status == "accepted",
        "returned": t.status == "returned",
        "submitted_on_time": and_(t.status == "submitted", t.on_time.is_(True)),
        "submitted_late": and_(t.status == "submitted", or_(t.on_time.is_(False), t.on_time.is_(None))),
        "missing": and_(t.status == "open", t.due_on < today),
        "due_soon": and_(t.status == "open", t.due_on >= today, t.due_on <= soon),
        "upcoming": and_(t.status == "open", t.due_on > soon),
    }[state]


def _state_case(today: date, soon: date):
    return case(*[(state_sql(s, today, soon), s) for s in STATES], else_="upcoming")


# --- duty types ----------------------------------------------------------------------------


TYPE_FIELDS = ("code", "name_zh", "name_en", "short_zh", "short_en", "owner_sub_centre_id", "frequency",
               "due_rule", "content_zh", "content_en", "figures", "active", "position")


def duty_types(*, active_only: bool = False) -> list[dict]:
    stmt = select(DutyType).order_by(DutyType.position, DutyType.id)
    if active_only:
        stmt = stmt.where(DutyType.active.is_(True))
    with db.read_session() as s:
        return [{f: getattr(t, f) for f in ("id",) + TYPE_FIELDS} for t in s.scalars(stmt)]


@dataclass
class DutyTypeForm:
    code: str
    name_zh: str
    name_en: str = ""
    short_zh: str = ""
    short_en: str = ""
    owner_sub_centre_id: int | None = None
    frequency: str = "yearly"
    due_rule: str = "fixed:12-01"
    content_zh: str = ""
    content_en: str = ""
    figures: list[dict] | None = None
    active: bool = True


def _clean(form: DutyTypeForm) -> dict:
    problems = []
    code = (form.code or "").strip().lower()
    if not code or len(code) > 40 or not all(ch.isalnum() or ch == "_" for ch in code) or not code.isascii():
        problems.append(("code", "duties.bad_code", {}))
    if not (form.name_zh or "").strip():
        problems.append(("name_zh", "duties.name_required", {}))
    try:
        duerules.check(form.frequency, form.due_rule)
    except errors.Invalid as exc:
        problems.extend((p.field, p.key, p.values) for p in exc.problems)
    figures = []
    for f in (form.figures or [])[:MAX_FIGURES]:
        fcode = str(f.get("code", "")).strip().lower()
        if not fcode or not fcode.isascii() or not all(ch.isalnum() or ch == "_" for ch in fcode):
            problems.append(("figures", "duties.bad_figure", {"figure": fcode or "—"}))
            continue
        figures.append({"code": fcode[:40], "zh": str(f.get("zh") or fcode)[:60], "en": str(f.get("en") or fcode)[:60]})
    if problems:
        raise errors.Invalid(problems)
    return {"code": code, "name_zh": form.name_zh.strip()[:MAX_NAME], "name_en": (form.name_en or "").strip()[:MAX_NAME],
            "short_zh": (form.short_zh or form.name_zh).strip()[:MAX_SHORT],
            "short_en": (form.short_en or form.name_en or code).strip()[:MAX_SHORT],
            "owner_sub_centre_id": form.owner_sub_centre_id, "frequency": form.frequency,
            "due_rule": form.due_rule.strip(), "content_zh": (form.content_zh or "").strip()[:MAX_CONTENT],
            "content_en": (form.content_en or "").strip()[:MAX_CONTENT], "figures": figures, "active": bool(form.active)}


def save_duty_type(user, form: DutyTypeForm, type_id: int | None = None) -> int:
    """Add (type_id None) or change a duty type; audited. A changed rule moves the due dates of the
    type's items at once (`recompute_due_dates`)."""
    _allow(user, "manage_duty_types")
    values = _clean(form)
    try:
        with db.write_session() as s:
            if type_id is None:
                row = DutyType(position=(s.scalar(select(func.max(DutyType.position))) or 0) + 1, **values)
                s.add(row)
                before = None
            else:
                row = s.get(DutyType, type_id)
                if row is None:
                    raise errors.NotFound("duties.no_such_type")
                before = {f: getattr(row, f) for f in values if getattr(row, f) != values[f]}
                for f, v in values.items():
                    setattr(row, f, v)
            s.flush()
            after = {f: values[f] for f in (before or values)}
            withdrawn = _withdraw_unowed(s, row, localtime.today()) if type_id is not None else 0
            trail.record(s, user, "duty_type.save", "duty_type", row.id, before=before, after=after,
                         detail={"items_withdrawn": withdrawn} if withdrawn else None)
            type_id = row.id
    except IntegrityError:
        raise errors.Invalid("duties.code_taken", field="code", code=values["code"]) from None
    recompute_due_dates()
    return type_id


def _withdraw_unowed(session, t: DutyType, today: date) -> int:
    """Remove the type's items that it no longer asks for after a change (made inactive, another owner,
    another frequency or once-date): only open ones nobody has handed in and not yet due, so no one is
    reminded of a report that is not owed, and no report or past lateness is lost. Returns how many."""
    stmt = select(DutyItem.id, DutyItem.sub_centre_id, DutyItem.year, DutyItem.period).where(
        DutyItem.duty_type_id == t.id, DutyItem.status == "open", DutyItem.first_submitted_at.is_(None),
        DutyItem.due_on >= today)
    once = duerules.once_date(t.due_rule) if t.frequency == "once" else None
    periods_of: dict[int, set[str]] = {}
    gone = []
    for item in session.execute(stmt):
        if item.year not in periods_of:
            periods_of[item.year] = {p.code for p in duerules.periods(t.frequency, item.year, once_on=once)}
        other_owner = t.owner_sub_centre_id is not None and item.sub_centre_id != t.owner_sub_centre_id
        if not t.active or other_owner or item.period not in periods_of[item.year]:
            gone.append(item.id)
    if gone:
        session.execute(delete(DutyItem).where(DutyItem.id.in_(gone)))
    return len(gone)


# --- items -----------------------------------------------------------------------------------


def _owners(session, t: DutyType, sub_centre_ids: Iterable[int] | None) -> list[tuple[int, date]]:
    stmt = select(SubCentre.id, SubCentre.created_at).where(SubCentre.active.is_(True))
    if t.owner_sub_centre_id is not None:
        stmt = stmt.where(SubCentre.id == t.owner_sub_centre_id)
    if sub_centre_ids is not None:
        stmt = stmt.where(SubCentre.id.in_(list(sub_centre_ids)))
    return [(i, localtime.to_local(created).date() if created else date.min) for i, created in session.execute(stmt)]


def _wanted(session, year: int, sub_centre_ids, since_creation: bool) -> list[dict]:
    rows = []
    for t in session.scalars(select(DutyType).where(DutyType.active.is_(True))):
        once = duerules.once_date(t.due_rule) if t.frequency == "once" else None
        spans = duerules.periods(t.frequency, year, once_on=once)
        if not spans:
            continue
        rule_basis = duerules.basis(t.due_rule)
        dues = [duerules.due_date(t.due_rule, p) for p in spans]
        for sc_id, created in _owners(session, t, sub_centre_ids):
            for p, due in zip(spans, dues):
                if since_creation and due < created:
                    continue   # no report is owed that fell due before the sub-centre existed
                rows.append({"duty_type_id": t.id, "sub_centre_id": sc_id, "year": year, "period": p.code,
                             "period_start": p.start, "period_end": p.end, "due_on": due, "basis": rule_basis,
                             "status": "open", "is_demo": False})
    return rows


def ensure_year(year: int, sub_centre_ids: Iterable[int] | None = None, *, since_creation: bool = True,
                is_demo: bool = False) -> int:
    """Make the year's missing items (every active duty x owing sub-centre x period); returns how
    many were made. Cheap when nothing is missing (one read); safe to run twice at once."""
    if not 2000 <= year <= 2200:
        raise errors.Invalid("duties.bad_year", field="year", year=year)
    with db.read_session() as s:
        wanted = _wanted(s, year, sub_centre_ids, since_creation)
        have = set(s.execute(select(DutyItem.duty_type_id, DutyItem.sub_centre_id, DutyItem.period)
                             .where(DutyItem.year == year)).all())
    missing = [dict(r, is_demo=is_demo) for r in wanted
               if (r["duty_type_id"], r["sub_centre_id"], r["period"]) not in have]
    if not missing:
        return 0
    with db.write_session() as s:
        insert = db.insert_ignoring_duplicates(s)
        return len(s.execute(insert(DutyItem).values(missing).returning(DutyItem.id)).all())


def recompute_due_dates() -> int:
    """Store the due dates again where they were computed on another rule or calendar (after a
    calendar change, a rule change, at start-up); returns how many due dates moved. Only those
    change; the others get the new basis."""
    moved = 0
    with db.write_session() as s:
        for t in s.scalars(select(DutyType)):
            rule_basis = duerules.basis(t.due_rule)
            stale = s.execute(select(DutyItem.id, DutyItem.year, DutyItem.period, DutyItem.period_start,
                                     DutyItem.period_end, DutyItem.due_on, DutyItem.first_submitted_at)
                              .where(DutyItem.duty_type_id == t.id, DutyItem.basis != rule_basis)).all()
            for item in stale:
                period = duerules.Period(item.period, item.year, item.period_start, item.period_end)
                due = duerules.due_date(t.due_rule, period)
                values: dict[str, Any] = {"basis": rule_basis}
                if due != item.due_on:
                    moved += 1
                    values["due_on"] = due
                    if item.first_submitted_at is not None:
                        values["on_time"] = localtime.to_local(item.first_submitted_at).date() <= due
                s.execute(update(DutyItem).where(DutyItem.id == item.id).values(**values))
    return moved


# --- reading -----------------------------------------------------------------------------------


def _labels(t: dict, lang: str) -> tuple[str, str]:
    name = t["name_en"] if lang == "en" and t["name_en"] else t["name_zh"]
    short = t["short_en"] if lang == "en" and t["short_en"] else t["short_zh"]
    return name, short or name


def period_label(period: str, lang: str) -> str:
    """2026-07 -> 2026年7月 / Jul 2026; 2026-Q3 -> 2026年第3季度 / Q3 2026; 2026 -> 2026年 / 2026."""
    if period == "once":
        return "一次性" if lang != "en" else "once"
    if "-Q" in period:
        y, q = period.split("-Q")
        return f"{y}年第{q}季度" if lang != "en" else f"Q{q} {y}"
    if "-" in period:
        y, m = period.split("-")
        return f"{y}年{int(m)}月" if lang != "en" else f"{datetime(int(y), int(m), 1):%b} {y}"
    return f"{period}年" if lang != "en" else period


def _column_of(period: str, short: str, lang: str) -> str:
    if "-Q" in period:
        return f"{short} Q{period.split('-Q')[1]}"
    if "-" in period and period != "once":
        month = int(period.split("-")[1])
        return f"{short} {month}月" if lang != "en" else f"{short} {month:02d}"
    return short


def grid(user, year: int, *, sub_centre_id: int | None = None, lang: str = "zh",
         today: date | None = None) -> dict:
    """The year's duties by sub-centre: {"columns": [...], "rows": [{"sub_centre", "cells": {col: (state, item_id)}}],
    "counts": {state: n}}. Staff see their own sub-centre's only."""
    _allow(user)
    today = today or localtime.today()
    soon = soon_until(today)
    types = {t["id"]: t for t in duty_types()}
    stmt = (select(DutyItem.id, DutyItem.duty_type_id, DutyItem.sub_centre_id, DutyItem.period, DutyItem.status,
                   DutyItem.on_time, DutyItem.due_on, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)
            .join(SubCentre, SubCentre.id == DutyItem.sub_centre_id)
            .join(DutyType, DutyType.id == DutyItem.duty_type_id)
            .where(DutyItem.year == year, DutyType.active.is_(True), _visible(user)))
    if sub_centre_id is not None:
        stmt = stmt.where(DutyItem.sub_centre_id == sub_centre_id)
    with db.read_session() as s:
        items = s.execute(stmt).all()
    columns: dict[str, tuple[int, str]] = {}
    rows: dict[int, dict] = {}
    counts = {state: 0 for state in STATES}
    for it in items:
        t = types.get(it.duty_type_id)
        if t is None:
            continue
        _, short = _labels(t, lang)
        col = _column_of(it.period, short, lang)
        if columns.get(col, (t["position"], it.period, t["id"]))[2] != t["id"]:
            col = f"{col} ({t['code']})"      # two types share a short name: each keeps its own column
        columns.setdefault(col, (t["position"], it.period, t["id"]))
        state = state_of(it.status, it.on_time, it.due_on, today, soon)
        counts[state] += 1
        row = rows.setdefault(it.sub_centre_id, {
            "sub_centre_id": it.sub_centre_id, "code": it.code,
            "name": it.name_en if lang == "en" and it.name_en else it.name_zh, "cells": {}})
        row["cells"][col] = (state, it.id)
    ordered = sorted(columns, key=lambda c: columns[c])
    return {"year": year, "columns": ordered, "rows": sorted(rows.values(), key=lambda r: r["code"]),
            "counts": counts, "today": today}


def sub_centres(lang: str = "zh") -> list[dict]:
    """Every sub-centre (inactive ones keep their past duties), for the page's pickers."""
    with db.read_session() as s:
        rows = s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)
                         .order_by(SubCentre.code)).all()
    return [{"id": r.id, "code": r.code, "label": (r.name_en if lang == "en" and r.name_en else r.name_zh)}
            for r in rows]


LIST_SIZE = 50


def items(user, *, year: int | None = None, sub_centre_id: int | None = None, duty_type_id: int | None = None,
          states: Iterable[str] = (), lang: str = "zh", today: date | None = None,
          limit: int = LIST_SIZE, offset: int = 0) -> dict:
    """One page of items with their state, filtered and counted in SQL: {"rows", "total", "counts"}."""
    _allow(user)
    today = today or localtime.today()
    soon = soon_until(today)
    states = [s for s in states if s in STATES]
    cond = [_visible(user), DutyItem.duty_type_id.in_(select(DutyType.id).where(DutyType.active.is_(True)))]
    if year is not None:
        cond.append(DutyItem.year == year)
    if sub_centre_id is not None:
        cond.append(DutyItem.sub_centre_id == sub_centre_id)
    if duty_type_id is not None:
        cond.append(DutyItem.duty_type_id == duty_type_id)
    state_col = _state_case(today, soon).label("state")
    with db.read_session() as s:
        counts = dict(s.execute(select(state_col, func.count()).where(*cond).group_by(state_col)).all())
        if states:
            cond.append(or_(*[state_sql(x, today, soon) for x in states]))
        total = s.scalar(select(func.count()).select_from(DutyItem).where(*cond)) or 0
        found = s.execute(
            select(DutyItem.id, DutyItem.duty_type_id, DutyItem.period, DutyItem.due_on, DutyItem.status,
                   DutyItem.on_time, DutyItem.first_submitted_at, DutyItem.last_submitted_at, DutyItem.is_demo,
                   SubCentre.code, SubCentre.name_zh, SubCentre.name_en, DutyType.name_zh.label("duty_zh"),
                   DutyType.name_en.label("duty_en"), state_col)
            .join(SubCentre, SubCentre.id == DutyItem.sub_centre_id)
            .join(DutyType, DutyType.id == DutyItem.duty_type_id)
            .where(*cond)
            .order_by(DutyItem.due_on, SubCentre.code, DutyType.position, DutyItem.id)
            .limit(max(1, min(limit, 500))).offset(max(0, offset))).all()
    rows = [{"id": r.id, "sub_centre": (r.name_en if lang == "en" and r.name_en else r.name_zh),
             "sub_centre_code": r.code, "duty": (r.duty_en if lang == "en" and r.duty_en else r.duty_zh),
             "period": r.period, "period_label": period_label(r.period, lang), "due_on": r.due_on,
             "state": r.state, "first_submitted_at": r.first_submitted_at,
             "last_submitted_at": r.last_submitted_at, "is_demo": r.is_demo} for r in found]
    return {"rows": rows, "total": int(total), "counts": {k: int(counts.get(k, 0)) for k in STATES}}


def item(user, item_id: int, *, lang: str = "zh", today: date | None = None) -> dict:
    """One item with its duty type and state; errors.NotFound when there is none this user may see."""
    with db.read_session() as s:
        it = s.get(DutyItem, item_id)
        if it is None or (user is not None and not policy.can(user, "read_duties", it)):
            raise errors.NotFound("duties.no_such_item")
        t = s.get(DutyType, it.duty_type_id)
        sc = s.get(SubCentre, it.sub_centre_id)
    today = today or localtime.today()
    name, _ = _labels({f: getattr(t, f) for f in TYPE_FIELDS}, lang)
    return {"id": it.id, "duty_type_id": t.id, "duty": name, "duty_code": t.code, "frequency": t.frequency,
            "content": (t.content_en if lang == "en" and t.content_en else t.content_zh), "figures": t.figures or [],
            "sub_centre_id": it.sub_centre_id, "sub_centre": (sc.name_en if lang == "en" and sc.name_en else sc.name_zh),
            "year": it.year, "period": it.period, "period_label": period_label(it.period, lang), "due_on": it.due_on,
            "status": it.status, "on_time": it.on_time, "state": state_of(it.status, it.on_time, it.due_on, today,
                                                                         soon_until(today)),
            "first_submitted_at": it.first_submitted_at, "last_submitted_at": it.last_submitted_at,
            "reviewed_at": it.reviewed_at, "is_demo": it.is_demo}
