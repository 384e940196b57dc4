"""The sub-centres' activities the assessment counts (page 工作活动 / Activities): training
sessions, publicity events, reports or guides published, enterprises helped to assistance funding
or matched with an IP service agency, other work.

Entered here one at a time (with evidence files, checked like a report's documents), or in bulk
through the Excel upload pipeline as the dataset `activities` (imports.datasets: template,
validation, preview, apply, history, rollback). The list, its counts per sub-centre, kind and
month, and its xlsx export are filtered and counted in SQL. The knowledge base's published articles
count as publications of their sub-centre: they are listed (as kind `publication`, source
`knowledge_base`) and counted with the activities, never entered twice.
"""

from __future__ import annotations

import io
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from sqlalchemy import String, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from ipoverseas.access import policy
from ipoverseas.audit import trail
from ipoverseas.core import db, errors, vocab
from ipoverseas.core.markdown import is_safe_url
from ipoverseas.core.models import (Activity, ActivityCountry, ActivityFile, ActivityIndustry, Article, StoredFile,
                                    SubCentre, utcnow)
from . import documents

KINDS = vocab.ACTIVITY_KINDS
PAGE_SIZE = 50
MAX_COUNT = 1_000_000
SOURCES = ("activity", "knowledge_base")


@dataclass(frozen=True)
class ActivityFilter:
    year: int | None = None
    sub_centre_id: int | None = None
    kinds: tuple[str, ...] = ()
    month: int | None = None          # 1-12 within the year


@dataclass
class ActivityForm:
    held_on: date | None
    kind: str
    title: str
    activity_ref: str = ""
    city: str = ""
    organisers: str = ""
    participants: Any = None
    enterprises_reached: Any = None
    industries: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    article_url: str = ""
    note: str = ""


# --- what the list reads: activities and published articles, one shape ----------------------------


def _month(column, dialect: str):
    """A date's month as text, 2026-05: each database says it its own way."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _union(user, flt: ActivityFilter, dialect: str):
    """Activities and published knowledge-base articles of the filter, as one selectable."""
    acts = [policy.where(user, "read_activities", Activity)]
    arts = [Article.status == "published", Article.sub_centre_id.is_not(None), Article.published_on.is_not(None),
            policy.where(user, "read_activities", Article)]     # the same scope: a sub-centre's own
    if flt.year is not None:
        start, end = date(flt.year, 1, 1), date(flt.year, 12, 31)
        if flt.month:
            start, end = date(flt.year, flt.month, 1), date(flt.year, flt.month, monthrange(flt.year, flt.month)[1])
        acts.append(Activity.held_on.between(start, end))
        arts.append(Article.published_on.between(start, end))
    if flt.sub_centre_id is not None:
        acts.append(Activity.sub_centre_id == flt.sub_centre_id)
        arts.append(Article.sub_centre_id == flt.sub_centre_id)
    if flt.kinds:
        acts.append(Activity.kind.in_(flt.kinds))
        if "publication" not in flt.kinds:
            arts.append(literal(False))
    a = select(Activity.id.label("id"), literal("activity", String).label("source"),
               Activity.sub_centre_id.label("sub_centre_id"), Activity.held_on.label("held_on"),
               Activity.kind.label("kind"), Activity.title.label("title"), Activity.city.label("city"),
               Activity.participants.label("participants"),
               Activity.enterprises_reached.label("enterprises_reached"), Activity.is_demo.label("is_demo"),
               _month(Activity.held_on, dialect).label("month")).where(*acts)
    b = select(Article.id.label("id"), literal("knowledge_base", String).label("source"),
               Article.sub_centre_id.label("sub_centre_id"), Article.published_on.label("held_on"),
               literal("publication", String).label("kind"), Article.title_zh.label("title"),
               literal("", String).label("city"), literal(None).label("participants"),
               literal(None).label("enterprises_reached"), Article.is_demo.label("is_demo"),
               _month(Article.published_on, dialect).label("month")).where(*arts)
    return union_all(a, b).subquery("listed")


def browse(user, flt: ActivityFilter = ActivityFilter(), *, page: int = 1, page_size: int = PAGE_SIZE,
           lang: str = "zh") -> dict:
    """One page of the list, newest first, with the filter's total and counts:
    {"rows", "total", "by_kind", "by_sub_centre", "by_month"}."""
    policy.require(user, "read_activities")
    with db.read_session() as s:
        u = _union(user, flt, s.get_bind().dialect.name)
        total = s.scalar(select(func.count()).select_from(u)) or 0
        by_kind = dict(s.execute(select(u.c.kind, func.count()).group_by(u.c.kind)).all())
        by_month = dict(s.execute(select(u.c.month, func.count()).group_by(u.c.month).order_by(u.c.month)).all())
        by_centre = s.execute(select(u.c.sub_centre_id, u.c.kind, func.count(),
                                     func.coalesce(func.sum(u.c.participants), 0),
                                     func.coalesce(func.sum(u.c.enterprises_reached), 0))
                              .group_by(u.c.sub_centre_id, u.c.kind)).all()
        rows = s.execute(select(u).order_by(u.c.held_on.desc(), u.c.source, u.c.id.desc())
                         .limit(max(1, min(page_size, 500))).offset(max(0, page - 1) * page_size)).mappings().all()
        names = _centre_names(s, lang)
    centres: dict[int, dict] = {}
    for sc, kind, n, people, firms in by_centre:
        row = centres.setdefault(sc, {"sub_centre_id": sc, "sub_centre": names.get(sc, ""), "total": 0,
                                      "participants": 0, "enterprises_reached": 0, **{k: 0 for k in KINDS.codes}})
        row[kind] = row.get(kind, 0) + n
        row["total"] += n
        row["participants"] += int(people or 0)
        row["enterprises_reached"] += int(firms or 0)
    return {"rows": [dict(r, sub_centre=names.get(r["sub_centre_id"], "")) for r in rows], "total": int(total),
            "by_kind": {k: int(by_kind.get(k, 0)) for k in KINDS.codes},
            "by_month": {m: int(n) for m, n in by_month.items() if m},
            "by_sub_centre": sorted(centres.values(), key=lambda r: -r["total"])}


def _centre_names(session, lang: str) -> dict[int, str]:
    return {i: (en if lang == "en" and en else zh) for i, zh, en in
            session.execute(select(SubCentre.id, SubCentre.name_zh, SubCentre.name_en))}


def export_xlsx(user, flt: ActivityFilter = ActivityFilter(), *, lang: str = "zh", limit: int = 100_000) -> bytes:
    """The filtered list as a workbook (the rows in the list's order), headers in the user's language."""
    from openpyxl import Workbook

    policy.require(user, "read_activities")
    heads = {"zh": ["分中心", "日期", "活动类型", "名称", "城市", "参加人数", "覆盖企业数", "来源"],
             "en": ["Sub-centre", "Date", "Kind", "Title", "City", "Participants", "Enterprises reached", "Source"]}
    source = {"activity": ("工作活动", "Activity"), "knowledge_base": ("知识库文章", "Knowledge base")}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("活动" if lang != "en" else "Activities")
    ws.append(heads["en" if lang == "en" else "zh"])
    with db.read_session() as s:
        u = _union(user, flt, s.get_bind().dialect.name)
        names = _centre_names(s, lang)
        for r in s.execute(select(u).order_by(u.c.held_on.desc(), u.c.source, u.c.id.desc()).limit(limit)).mappings():
            ws.append([names.get(r["sub_centre_id"], ""), r["held_on"], KINDS.label(r["kind"], lang),
                       _cell(r["title"]), _cell(r["city"]), r["participants"], r["enterprises_reached"],
                       source[r["source"]][lang == "en"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(text: str | None) -> str:
    """A text cell that a spreadsheet will not read as a formula."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- one activity ---------------------------------------------------------------------------------


def get(user, activity_id: int, lang: str = "zh") -> dict:
    with db.read_session() as s:
        a = s.get(Activity, activity_id)
        if a is None or not policy.can(user, "read_activities", a):
            raise errors.NotFound("activities.not_found")
        files = s.execute(select(StoredFile.id, StoredFile.name, StoredFile.kind, StoredFile.size, StoredFile.sha256)
                          .join(ActivityFile, ActivityFile.file_id == StoredFile.id)
                          .where(ActivityFile.activity_id == a.id).order_by(StoredFile.id)).mappings().all()
        centre = _centre_names(s, lang).get(a.sub_centre_id, "")
        return {"id": a.id, "activity_ref": a.activity_ref, "sub_centre_id": a.sub_centre_id, "sub_centre": centre,
                "held_on": a.held_on, "kind": a.kind, "title": a.title, "city": a.city, "organisers": a.organisers,
                "participants": a.participants, "enterprises_reached": a.enterprises_reached,
                "industries": sorted(i.industry for i in a.industries), "countries": sorted(c.country for c in a.countries),
                "article_url": a.article_url or "", "note": a.note, "version": a.version, "is_demo": a.is_demo,
                "import_batch_id": a.import_batch_id, "files": [dict(f) for f in files],
                "may_edit": policy.can(user, "edit_activity", a)}


def _count(field_name: str, value: Any, problems: list) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number.is_integer() or not 0 <= number <= MAX_COUNT:
        problems.append((field_name, "activities.bad_count", {"value": str(value)[:40]}))
        return None
    return int(number)


def _clean(form: ActivityForm) -> dict:
    problems: list = []
    if not isinstance(form.held_on, date):
        problems.append(("held_on", "activities.date_required", {}))
    if form.kind not in KINDS.codes:
        problems.append(("kind", "activities.kind_required", {}))
    title = (form.title or "").strip()
    if not title:
        problems.append(("title", "activities.title_required", {}))
    url = (form.article_url or "").strip()
    if url and not (url.startswith(("http://", "https://")) and is_safe_url(url)):
        problems.append(("article_url", "activities.bad_url", {}))
    values = {"participants": _count("participants", form.participants, problems),
              "enterprises_reached": _count("enterprises_reached", form.enterprises_reached, problems)}
    industries = [i for i in dict.fromkeys(form.industries or []) if i in vocab.INDUSTRIES.codes]
    countries = [c for c in dict.fromkeys(form.countries or []) if c in vocab.countries().codes]
    if problems:
        raise errors.Invalid(problems)
    return {"held_on": form.held_on, "kind": form.kind, "title": title[:300], "city": (form.city or "").strip()[:100],
            "organisers": (form.organisers or "").strip()[:500], "article_url": url[:500] or None,
            "note": (form.note or "").strip()[:5000], **values, "industries": industries, "countries": countries}


def _next_ref(session, sub_centre_id: int, held_on: date) -> str:
    n = session.scalar(select(func.count()).select_from(Activity).where(Activity.sub_centre_id == sub_centre_id)) or 0
    return f"HD-{held_on:%Y%m%d}-{n + 1:04d}"


def add(user, sub_centre_id: int | None, form: ActivityForm, files: Iterable[tuple[str, bytes]] = ()) -> int:
    """Record one activity of `sub_centre_id` (staff: their own); evidence files checked first. Audited."""
    sub_centre_id = sub_centre_id if sub_centre_id is not None else user.sub_centre_id
    if sub_centre_id is None:
        raise errors.Invalid("activities.sub_centre_required", field="sub_centre_id")
    policy.require(user, "edit_activity", {"sub_centre_id": sub_centre_id})
    values = _clean(form)
    checked = [documents.check(content, name) for name, content in files]
    industries, countries = values.pop("industries"), values.pop("countries")
    ref = (form.activity_ref or "").strip()[:64]
    try:
        with db.write_session() as s:
            ref = ref or _next_ref(s, sub_centre_id, values["held_on"])
            a = Activity(activity_ref=ref, sub_centre_id=sub_centre_id, created_by_id=user.id, **values,
                         industries=[ActivityIndustry(industry=i) for i in industries],
                         countries=[ActivityCountry(country=c) for c in countries])
            s.add(a)
            s.flush()
            _attach(s, user, a.id, checked)
            trail.record(s, user, "activity.create", "activity", a.id,
                         after={**values, "activity_ref": ref, "industries": industries, "countries": countries,
                                "files": [d.name for d in checked]})
            return a.id
    except IntegrityError:
        raise errors.Invalid("activities.ref_taken", field="activity_ref", ref=ref) from None


def update(user, activity_id: int, form: ActivityForm, *, expected_version: int,
           files: Iterable[tuple[str, bytes]] = ()) -> None:
    """Change an activity (and add evidence files); refused as Stale if it changed meanwhile."""
    values = _clean(form)
    checked = [documents.check(content, name) for name, content in files]
    industries, countries = values.pop("industries"), values.pop("countries")
    with db.write_session() as s:
        a = s.get(Activity, activity_id, with_for_update=True)
        if a is None or not policy.can(user, "read_activities", a):
            raise errors.NotFound("activities.not_found")
        policy.require(user, "edit_activity", a)
        if a.version != expected_version:
            raise errors.Stale("activities.changed_meanwhile")
        before = {k: getattr(a, k) for k in values if getattr(a, k) != values[k]}
        before_facets = {"industries": [i.industry for i in a.industries], "countries": [c.country for c in a.countries]}
        for k, v in values.items():
            setattr(a, k, v)
        a.industries = [ActivityIndustry(industry=i) for i in industries]
        a.countries = [ActivityCountry(country=c) for c in countries]
        a.updated_at = utcnow()
        _attach(s, user, a.id, checked)
        for k, v in before_facets.items():
            if v != {"industries": industries, "countries": countries}[k]:
                before[k] = v
        after = {k: values.get(k, {"industries": industries, "countries": countries}.get(k)) for k in before}
        trail.record(s, user, "activity.update", "activity", a.id, before=before, after=after,
                     detail={"files": [d.name for d in checked]} if checked else None)


def _attach(session, user, activity_id: int, checked: list[documents.Document]) -> None:
    for d in checked:
        f = StoredFile(name=d.name, kind=d.kind, size=d.size, sha256=d.sha256, content=d.content, created_by=user.id)
        session.add(f)
        session.flush()
        session.add(ActivityFile(activity_id=activity_id, file_id=f.id))


def evidence(user, activity_id: int, file_id: int) -> tuple[str, str, bytes]:
    """(name, media type, bytes) of one evidence file, for its download."""
    with db.read_session() as s:
        a = s.get(Activity, activity_id)
        linked = s.get(ActivityFile, (activity_id, file_id))
        if a is None or linked is None or not policy.can(user, "read_activities", a):
            raise errors.NotFound("activities.no_such_file")
        f = s.get(StoredFile, file_id)
        return f.name, documents.MEDIA_TYPES[f.kind], f.content


def sub_centres_for(user, lang: str = "zh") -> list[dict]:
    """The sub-centres this user may record activities for (staff: their own; admin: every active one)."""
    with db.read_session() as s:
        rows = s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)
                         .where(SubCentre.active.is_(True)).order_by(SubCentre.code)).all()
    return [{"id": r.id, "code": r.code, "label": r.name_en if lang == "en" and r.name_en else r.name_zh}
            for r in rows if policy.can(user, "edit_activity", {"sub_centre_id": r.id})]


__all__ = ["ActivityFilter", "ActivityForm", "browse", "export_xlsx", "get", "add", "update", "evidence",
           "sub_centres_for", "KINDS", "SOURCES"]
