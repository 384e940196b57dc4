"""Keeping China's working-day calendar (`consultations.calendar`): the admin page "工作日历 /
Working-day calendar" and `python -m ipoverseas calendar`.

A year's table (the State Council's notice: holidays and make-up working days) is entered day by
day or uploaded (xlsx/csv, through the upload pre-flight safety check) with a preview of what
changes. Every change is audited, and saving recomputes the open consultations' stored clock
facts at once (their basis holds the calendar's digest, as at start-up: `bootstrap.refresh_clocks`);
only those whose deadline the change moves get other figures.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import delete, select

from ipoverseas.access import policy
from ipoverseas.audit import trail
from ipoverseas.consultations import calendar, workflow
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, CalendarDay, CalendarYear, utcnow
from . import duties, transfers

KINDS = calendar.KINDS


def _allow(user) -> None:
    """`user` None: the server operator (the command line without --user), as for imports."""
    if user is not None:
        policy.require(user, "manage_calendar")
MAX_NAME, MAX_SOURCE = 200, 300


_KIND_WORDS = {"holiday": "holiday", "休": "holiday", "放假": "holiday", "假": "holiday", "节假日": "holiday",
               "workday": "workday", "班": "workday", "上班": "workday", "调休上班": "workday", "补班": "workday"}
_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\s*$")


def year_view(user, year: int) -> dict:
    """A year of the calendar as the admin page and `calendar show` list it."""
    _allow(user)
    with db.read_session() as s:
        row = s.get(CalendarYear, year)
        days = s.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                   CalendarDay.day <= date(year, 12, 31))
                         .order_by(CalendarDay.day)).all()
    return {"year": year, "covered": row is not None, "provisional": bool(row and row.provisional),
            "source": row.source if row else "",
            "days": [{"day": d.day, "kind": d.kind, "name": d.name, "source": d.source} for d in days]}


def read_notice(path: str | Path, filename: str) -> list[dict]:
    """The rows of a notice's table (xlsx or csv: columns date, kind, name; kind in English or
    Chinese: 放假/休 or 上班/班), after the upload pre-flight safety check."""
    from ipoverseas.imports import preflight
    preflight.check(path, filename)
    if PurePosixPath(filename.replace("\\", "/")).suffix.lower() == ".csv":
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig") if not raw.startswith(b"\xff\xfe") else raw.decode("utf-16")
        rows = list(csv.reader(line for line in io.StringIO(text) if line.strip() and not line.startswith("#")))
    else:
        from openpyxl import load_workbook
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
            rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True, max_col=3)]
        finally:
            wb.close()
    out, problems = [], []
    for n, r in enumerate(rows, start=1):
        cells = list(r) + ["", "", ""]
        if n == 1 and str(cells[0]).strip().lower() in ("date", "日期"):
            continue
        if not str(cells[0]).strip():
            continue
        day, kind = _as_date(cells[0]), _KIND_WORDS.get(str(cells[1]).strip().lower())
        if day is None or kind is None:
            problems.append((f"row {n}", "calendar.bad_row", {"row": n}))
            continue
        out.append({"day": day, "kind": kind, "name": str(cells[2]).strip()[:MAX_NAME]})
    if problems:
        raise errors.Invalid(problems[:20])
    if not out:
        raise errors.Invalid("calendar.empty_table")
    return out


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _CN_DATE.match(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check(year: int, rows: list[dict]) -> None:
    problems = []
    seen: set[date] = set()
    for r in rows:
        day, kind = r["day"], r["kind"]
        if day.year != year:
            problems.append(("day", "calendar.other_year", {"day": day.isoformat(), "year": year}))
        elif kind not in KINDS:
            problems.append(("kind", "calendar.bad_kind", {"day": day.isoformat()}))
        elif kind == "workday" and day.weekday() < 5:
            problems.append(("kind", "calendar.workday_on_weekday", {"day": day.isoformat()}))
        elif day in seen:
            problems.append(("day", "calendar.twice", {"day": day.isoformat()}))
        seen.add(day)
    if problems:
        raise errors.Invalid(problems[:20])


def preview(user, year: int, rows: list[dict]) -> list[dict]:
    """What replacing the year's days by `rows` changes: one line per day added, changed or removed."""
    _allow(user)
    _check(year, rows)
    before = {d["day"]: d for d in year_view(user, year)["days"]}
    after = {r["day"]: r for r in rows}
    out = []
    for day in sorted(set(before) | set(after)):
        b, a = before.get(day), after.get(day)
        if b and a and (b["kind"], b["name"]) == (a["kind"], a.get("name", "")):
            continue
        out.append({"day": day, "change": "add" if not b else "remove" if not a else "change",
                    "before": b["kind"] if b else "", "after": a["kind"] if a else "",
                    "name": (a or b).get("name", "")})
    return out


def save_year(user, year: int, rows: list[dict], *, provisional: bool, source: str) -> dict:
    """Replace the year's days by `rows` (the notice's table), audited, then recompute the open
    consultations' stored clock facts at once. Returns {"changes": [...], "recomputed": n}."""
    changes = preview(user, year, rows)
    source = (source or "").strip()[:MAX_SOURCE]
    now = utcnow()
    with db.write_session() as s:
        row = s.get(CalendarYear, year)
        before = {"provisional": row.provisional, "source": row.source} if row else None
        s.execute(delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
        s.flush()
        for r in rows:
            s.add(CalendarDay(day=r["day"], kind=r["kind"], name=r.get("name", "")[:MAX_NAME], source=source,
                              updated_at=now))
        if row is None:
            row = CalendarYear(year=year)
            s.add(row)
        row.provisional, row.source, row.updated_at = bool(provisional), source, now
        trail.record(s, user, "calendar.save_year", "calendar_year", year, before=before,
                     after={"provisional": bool(provisional), "source": source},
                     detail={"changes": [{k: v for k, v in c.items()} for c in changes]})
    return {"changes": changes, "recomputed": _after_change()}


def save_day(user, day: date, kind: str | None, name: str = "", source: str = "") -> dict:
    """Enter, correct (kind holiday/workday) or remove (kind None) one day; audited; recomputes."""
    _allow(user)
    if kind is not None:
        _check(day.year, [{"day": day, "kind": kind}])
    with db.write_session() as s:
        row = s.get(CalendarDay, day)
        before = {"kind": row.kind, "name": row.name} if row else None
        if kind is None:
            if row is None:
                raise errors.NotFound("calendar.no_such_day")
            s.delete(row)
        else:
            if row is None:
                row = CalendarDay(day=day)
                s.add(row)
            row.kind, row.name = kind, (name or "").strip()[:MAX_NAME]
            row.source, row.updated_at = (source or "").strip()[:MAX_SOURCE], utcnow()
            if s.get(CalendarYear, day.year) is None:
                s.add(CalendarYear(year=day.year, provisional=True, source=row.source, updated_at=utcnow()))
        trail.record(s, user, "calendar.save_day", "calendar_year", day.year, before=before,
                     after={"kind": kind, "name": name} if kind else None, detail={"day": day.isoformat()})
    return {"recomputed": _after_change()}


def set_provisional(user, year: int, provisional: bool, source: str | None = None) -> dict:
    _allow(user)
    with db.write_session() as s:
        row = s.get(CalendarYear, year)
        if row is None:
            raise errors.NotFound("calendar.no_such_year")
        before = {"provisional": row.provisional, "source": row.source}
        row.provisional = bool(provisional)
        if source is not None:
            row.source = source.strip()[:MAX_SOURCE]
        row.updated_at = utcnow()
        trail.record(s, user, "calendar.set_provisional", "calendar_year", year, before=before,
                     after={"provisional": row.provisional, "source": row.source})
    calendar.invalidate()
    return {"recomputed": 0}


def _after_change() -> int:
    """The calendar changed here: forget the cache, and store the open consultations' clock facts
    and the reporting duties' due dates again (their basis holds the calendar's digest:
    `bootstrap.refresh_clocks` does the same at start-up). Only the consultations and duties whose
    deadline the change moves get other figures; returns how many consultations were recomputed
    plus how many due dates moved."""
    calendar.invalidate()
    count = workflow.recompute_clocks(only_stale=True) + duties.recompute_due_dates()
    transfers.recompute_due()      # the open transfers' acceptance deadlines, on the same calendar
    return count


def history(user, year: int, limit: int = 100) -> list[dict]:
    """The year's audited changes, newest first: when (UTC), who, what, the detail."""
    _allow(user)
    with db.read_session() as s:
        rows = s.execute(select(AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail)
                         .where(AuditEvent.entity == "calendar_year", AuditEvent.entity_id == year)
                         .order_by(AuditEvent.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
