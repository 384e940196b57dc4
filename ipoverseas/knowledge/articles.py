"""The knowledge base: country guides, laws & procedures, risk alerts and practice guides.

Reading: browse with filters and facet counts, the per-country figures of the world
map, alerts (active or archived), one article with its related articles and cases.
All of it is SQL with the policy's scope (`policy.where(user, "read_article")`), so nobody lists,
counts or opens an article they may not see.

Writing: staff (own sub-centre) and admin create and edit articles, draft ->
published. Every change keeps the row's before-image (`RecordVersion`), leaves an
audit event, and is checked against the version the editor started from, so a
stale edit is refused with a clear message instead of overwriting someone's work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ipoverseas.access import policy
from ipoverseas.core import errors, localtime
from ipoverseas.core.errors import Problem
from ipoverseas.audit import trail
from ipoverseas.core import db, search, vocab
from ipoverseas.imports import images
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import (Article, ArticleCountry, ArticleIndustry, ArticleIpType, Case, RecordVersion, SubCentre, User, utcnow)
from ipoverseas.core.markdown import is_safe_url
from ipoverseas.sharing import fanout
from ipoverseas.core.markdown import plain_text as safe_plain

KINDS = vocab.ARTICLE_KINDS.codes
ALERT = "risk_alert"
SEARCH_LIMIT = 500          # ranked matches kept from the full-text search
MAX_BODY_CHARS = 100_000
MAX_TITLE_CHARS = 300
ALERT_STATES = ("current", "archived", "all")


# --- filters ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFilter:
    """What the reader chose. Empty fields do not filter."""

    country: str | None = None
    kind: str | None = None
    ip_type: str | None = None
    industry: str | None = None
    dispute_type: str | None = None
    status: str | None = None
    alerts: str = "current"          # current: guides + active alerts; archived: expired alerts only
    text: str = ""
    mine: bool = False               # only articles the user may edit

    def without(self, name: str) -> "ArticleFilter":
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values[name] = None if name != "alerts" else "all"
        return ArticleFilter(**values)


def is_active_alert(today: date) -> ColumnElement[bool]:
    return and_(Article.kind == ALERT, or_(Article.valid_until.is_(None), Article.valid_until >= today))


def is_archived_alert(today: date) -> ColumnElement[bool]:
    return and_(Article.kind == ALERT, Article.valid_until.is_not(None), Article.valid_until < today)


def search_ids(text: str) -> list[int] | None:
    """Ranked ids of the articles matching the full-text search (not scoped: callers add the
    policy), or None for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    return search.search_ids("articles", text, limit=SEARCH_LIMIT)


def _snippets(s: Session, rows: list[dict], text: str) -> None:
    """The matching passage of each row's text, as safe Markdown with the matches in bold."""
    if not rows:
        return
    bodies = dict(s.execute(select(Article.id, Article.body).where(Article.id.in_([r["id"] for r in rows]))).all())
    for r in rows:
        body = bodies.get(r["id"]) or ""
        r["snippet"] = search.snippet(safe_plain(body), text, 160)


def _conditions(user: Principal, flt: ArticleFilter, today: date, ids: list[int] | None) -> list:
    where: list = [policy.where(user, "read_article")]
    if flt.kind:
        where.append(Article.kind == flt.kind)
    if flt.status:
        where.append(Article.status == flt.status)
    if flt.dispute_type:
        where.append(Article.dispute_type == flt.dispute_type)
    if flt.alerts == "current":
        where.append(not_(is_archived_alert(today)))
    elif flt.alerts == "archived":
        where.append(is_archived_alert(today))
    if flt.country:
        where.append(Article.id.in_(select(ArticleCountry.article_id).where(ArticleCountry.country == flt.country)))
    if flt.ip_type:
        where.append(Article.id.in_(select(ArticleIpType.article_id).where(ArticleIpType.ip_type == flt.ip_type)))
    if flt.industry:
        where.append(Article.id.in_(select(ArticleIndustry.article_id).where(ArticleIndustry.industry == flt.industry)))
    if flt.mine:
        where.append(policy.where(user, "edit_article"))
    text = (flt.text or "").strip()
    if text:
        where.append(Article.id.in_(ids) if ids else false())
    return where


LIST_COLUMNS = (Article.id, Article.ref, Article.kind, Article.title_zh, Article.title_en, Article.status,
                Article.severity, Article.valid_until, Article.published_on, Article.dispute_type,
                Article.language, Article.source, Article.sub_centre_id, Article.updated_at, Article.is_demo)


def browse(user: Principal, flt: ArticleFilter = ArticleFilter(), *, page: int = 1, page_size: int = 20,
           today: date | None = None) -> tuple[list[dict], int]:
    """One page of the articles matching `flt`, and the number of matches.

    Newest first; with a text query, in the search's rank order.
    """
    today = today or localtime.today()
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 200))
    ids = search_ids(flt.text) if flt.text else None
    where = _conditions(user, flt, today, ids)
    with db.read_session() as s:
        total = int(s.scalar(select(func.count()).select_from(Article).where(*where)) or 0)
        stmt = select(*LIST_COLUMNS).where(*where)
        if ids:
            rank = case({article_id: i for i, article_id in enumerate(ids)}, value=Article.id, else_=len(ids))
            stmt = stmt.order_by(rank, Article.id)
        else:
            stmt = stmt.order_by(Article.published_on.desc().nulls_last(), Article.id.desc())
        rows = [dict(r._mapping) for r in s.execute(stmt.offset((page - 1) * page_size).limit(page_size))]
        _attach_countries(s, rows)
        if flt.text:
            _snippets(s, rows, flt.text)
    return rows, total


def _attach_countries(s: Session, rows: list[dict], *, industries: bool = False) -> None:
    """Add each row's country codes (and, for alerts, industry codes): one query per facet for the page."""
    by_id = {r["id"]: r for r in rows}
    facets = [("countries", ArticleCountry, ArticleCountry.country)]
    if industries:
        facets.append(("industries", ArticleIndustry, ArticleIndustry.industry))
    for name, table, column in facets:
        for r in rows:
            r[name] = []
        if not by_id:
            continue
        for article_id, code in s.execute(select(table.article_id, column)
                                          .where(table.article_id.in_(list(by_id))).order_by(column)):
            by_id[article_id][name].append(code)


FACETS = ("kind", "country", "ip_type", "industry", "status")


def facets(user: Principal, flt: ArticleFilter = ArticleFilter(), *, today: date | None = None) -> dict[str, dict[str, int]]:
    """For each facet, code -> number of matching articles, under every other current filter."""
    today = today or localtime.today()
    ids = search_ids(flt.text) if flt.text else None
    out: dict[str, dict[str, int]] = {"status": {}}
    sees_drafts = policy.can(user, "edit_article")
    with db.read_session() as s:
        for name in FACETS:
            if name == "status" and not sees_drafts:
                continue   # readers see published articles only: nothing to count
            where = _conditions(user, flt.without(name), today, ids)
            if name in ("kind", "status"):
                column = getattr(Article, name)
                stmt = select(column, func.count()).where(*where).group_by(column)
            else:
                table, column = {"country": (ArticleCountry, ArticleCountry.country),
                                 "ip_type": (ArticleIpType, ArticleIpType.ip_type),
                                 "industry": (ArticleIndustry, ArticleIndustry.industry)}[name]
                stmt = (select(column, func.count()).select_from(Article)
                        .join(table, table.article_id == Article.id).where(*where).group_by(column))
            out[name] = {code: int(n) for code, n in s.execute(stmt) if code is not None}
    return out


def map_counts(user: Principal, *, today: date | None = None) -> list[dict]:
    """Per country: published guides (every kind but alerts), active alerts, and their sum."""
    today = today or localtime.today()
    guides = func.sum(case((Article.kind != ALERT, 1), else_=0))
    alerts = func.sum(case((is_active_alert(today), 1), else_=0))
    stmt = (select(ArticleCountry.country, guides.label("guides"), alerts.label("active_alerts"))
            .select_from(Article).join(ArticleCountry, ArticleCountry.article_id == Article.id)
            .where(policy.where(user, "read_article"), Article.status == "published")
            .group_by(ArticleCountry.country))
    with db.read_session() as s:
        rows = [{"country": c, "guides": int(g or 0), "active_alerts": int(a or 0)} for c, g, a in s.execute(stmt)]
    for r in rows:
        r["total"] = r["guides"] + r["active_alerts"]
    return [r for r in sorted(rows, key=lambda r: (-r["total"], r["country"])) if r["total"]]


def alerts(user: Principal, which: str = "active", *, today: date | None = None, country: str | None = None,
           industry: str | None = None, limit: int = 100) -> list[dict]:
    """Published risk alerts: `active` (valid today or open-ended), most severe first,
    or the `archive` (valid_until before today), most recently expired first."""
    today = today or localtime.today()
    severity_rank = case({"high": 0, "medium": 1, "low": 2}, value=Article.severity, else_=3)
    stmt = select(*LIST_COLUMNS).where(policy.where(user, "read_article"), Article.status == "published")
    if which == "archive":
        stmt = stmt.where(is_archived_alert(today)).order_by(Article.valid_until.desc(), Article.id.desc())
    else:
        stmt = stmt.where(is_active_alert(today)).order_by(
            severity_rank, Article.valid_until.asc().nulls_last(), Article.id.desc())
    if country:
        stmt = stmt.where(Article.id.in_(select(ArticleCountry.article_id).where(ArticleCountry.country == country)))
    if industry:
        stmt = stmt.where(Article.id.in_(select(ArticleIndustry.article_id).where(ArticleIndustry.industry == industry)))
    with db.read_session() as s:
        rows = [dict(r._mapping) for r in s.execute(stmt.limit(limit))]
        _attach_countries(s, rows, industries=True)
    return rows


# --- one article ------------------------------------------------------------------------


def _snapshot(article: Article) -> dict[str, Any]:
    return {
        "ref": article.ref, "sub_centre_id": article.sub_centre_id, "kind": article.kind,
        "title_zh": article.title_zh, "title_en": article.title_en, "body": article.body,
        "language": article.language, "dispute_type": article.dispute_type, "severity": article.severity,
        "valid_until": article.valid_until.isoformat() if article.valid_until else None,
        "source": article.source, "source_url": article.source_url, "status": article.status,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "countries": sorted(c.country for c in article.countries),
        "ip_types": sorted(c.ip_type for c in article.ip_types),
        "industries": sorted(c.industry for c in article.industries),
        "version": article.version,
    }


def get_article(user: Principal, article_id: int) -> dict | None:
    """The article with its facets, author and sub-centre; None when missing or not visible."""
    try:
        article_id = int(article_id)
    except (TypeError, ValueError):
        return None
    with db.read_session() as s:
        article = s.scalar(select(Article).where(Article.id == article_id, policy.where(user, "read_article")))
        if article is None:
            return None
        out = _snapshot(article)
        out.update(id=article.id, created_at=article.created_at, updated_at=article.updated_at,
                   is_demo=article.is_demo, author_id=article.author_id)
        out["valid_until"] = article.valid_until
        out["published_on"] = article.published_on
        out["author"] = s.scalar(select(User.display_name).where(User.id == article.author_id)) if article.author_id else None
        sub = s.get(SubCentre, article.sub_centre_id) if article.sub_centre_id else None
        out["sub_centre"] = {"code": sub.code, "name_zh": sub.name_zh, "name_en": sub.name_en} if sub else None
        out["editable"] = can_edit(user, article)
        return out


def related_articles(user: Principal, article_id: int, *, today: date | None = None, limit: int = 6) -> list[dict]:
    """Published articles sharing a country or the dispute type: the most shared first."""
    today = today or localtime.today()
    with db.read_session() as s:
        base = s.execute(select(Article.id, Article.dispute_type).where(Article.id == article_id, policy.where(user, "read_article"))).first()
        if base is None:
            return []
        countries = list(s.scalars(select(ArticleCountry.country).where(ArticleCountry.article_id == article_id)))
        shared = (select(ArticleCountry.article_id.label("aid"), func.count().label("n"))
                  .where(ArticleCountry.country.in_(countries or ["-"]))
                  .group_by(ArticleCountry.article_id).subquery())
        same_type = (Article.dispute_type == base.dispute_type) if base.dispute_type else false()
        stmt = (select(*LIST_COLUMNS, func.coalesce(shared.c.n, 0).label("shared"))
                .outerjoin(shared, shared.c.aid == Article.id)
                .where(policy.where(user, "read_article"), Article.status == "published", Article.id != article_id,
                       not_(is_archived_alert(today)), or_(shared.c.n.is_not(None), same_type))
                .order_by(case((same_type, 0), else_=1), func.coalesce(shared.c.n, 0).desc(),
                          Article.published_on.desc().nulls_last(), Article.id.desc())
                .limit(limit))
        rows = [dict(r._mapping) for r in s.execute(stmt)]
        _attach_countries(s, rows)
    return rows


CASE_COLUMNS = (Case.id, Case.case_ref, Case.title, Case.country, Case.dispute_type, Case.forum, Case.outcome,
                Case.filed_on, Case.distinction, Case.is_demo)


def related_cases(user: Principal, article_id: int, *, limit: int = 8) -> list[dict]:
    """Published cases in the article's countries and of its dispute type (when it has one);
    typical and guiding cases first, then the newest."""
    with db.read_session() as s:
        base = s.execute(select(Article.id, Article.dispute_type).where(Article.id == article_id, policy.where(user, "read_article"))).first()
        if base is None:
            return []
        countries = list(s.scalars(select(ArticleCountry.country).where(ArticleCountry.article_id == article_id)))
        if not countries and not base.dispute_type:
            return []
        where = [policy.where(user, "read_case"), Case.review_status == "published"]
        if countries:
            where.append(Case.country.in_(countries))
        if base.dispute_type:
            where.append(Case.dispute_type == base.dispute_type)
        stmt = (select(*CASE_COLUMNS).where(*where)
                .order_by(case((Case.distinction == "guiding", 0), (Case.distinction == "typical", 1), else_=2),
                          Case.filed_on.desc().nulls_last(), Case.id.desc()).limit(limit))
        return [dict(r._mapping) for r in s.execute(stmt)]


def history(user: Principal, article_id: int) -> list[dict]:
    """The article's saved versions (before-images), newest first; only for its editors."""
    with db.read_session() as s:
        article = s.get(Article, article_id)
        if article is None or not can_edit(user, article):
            return []
        stmt = (select(RecordVersion.id, RecordVersion.action, RecordVersion.before, RecordVersion.after_version,
                       RecordVersion.created_at, User.display_name.label("by"))
                .outerjoin(User, User.id == RecordVersion.user_id)
                .where(RecordVersion.entity == "article", RecordVersion.entity_id == article_id)
                .order_by(RecordVersion.id.desc()))
        return [dict(r._mapping) for r in s.execute(stmt)]


# --- editing ------------------------------------------------------------------------


def can_edit(user: Principal | None, article: Any) -> bool:
    """Admin any article; staff their own sub-centre's; nobody else."""
    return policy.can(user, "edit_article", article)


def can_author(user: Principal | None) -> bool:
    return policy.can(user, "edit_article")


@dataclass
class ArticleInput:
    """The editor's form, as the user typed it; `clean()` checks and normalises it."""

    kind: str = "country_guide"
    title_zh: str = ""
    title_en: str = ""
    body: str = ""
    language: str = "zh"
    countries: Iterable[str] = field(default_factory=list)
    ip_types: Iterable[str] = field(default_factory=list)
    industries: Iterable[str] = field(default_factory=list)
    dispute_type: str | None = None
    severity: str | None = None
    valid_until: date | None = None
    source: str | None = None
    source_url: str | None = None
    ref: str | None = None

    def clean(self, *, publishing: bool) -> dict[str, Any]:
        problems: list[Problem] = []

        def text(name: str, limit: int, required: bool = False) -> str:
            value = (getattr(self, name) or "").strip()
            if required and not value:
                problems.append(Problem(name, "guides.error.required", dict()))
            elif len(value) > limit:
                problems.append(Problem(name, "guides.error.too_long", dict(limit=limit)))
            return value

        def term(name: str, vocabulary: vocab.Vocabulary, required: bool = False) -> str | None:
            raw = getattr(self, name)
            if raw in (None, ""):
                if required:
                    problems.append(Problem(name, "guides.error.required", dict()))
                return None
            code = vocabulary.lookup(raw)
            if code is None:
                problems.append(Problem(name, "guides.error.unknown_value", dict(value=str(raw))))
            return code

        def terms(name: str, vocabulary: vocab.Vocabulary) -> list[str]:
            codes: list[str] = []
            for raw in getattr(self, name) or []:
                code = vocabulary.lookup(raw)
                if code is None:
                    problems.append(Problem(name, "guides.error.unknown_value", dict(value=str(raw))))
                elif code not in codes:
                    codes.append(code)
            return codes

        kind = term("kind", vocab.ARTICLE_KINDS, required=True)
        data: dict[str, Any] = {
            "kind": kind,
            "title_zh": text("title_zh", MAX_TITLE_CHARS, required=True),
            "title_en": text("title_en", MAX_TITLE_CHARS),
            "body": (self.body or "").replace("\r\n", "\n"),
            "language": term("language", vocab.LANGUAGES) or "zh",
            "countries": terms("countries", vocab.countries()),
            "ip_types": terms("ip_types", vocab.IP_TYPES),
            "industries": terms("industries", vocab.INDUSTRIES),
            "dispute_type": term("dispute_type", vocab.DISPUTE_TYPES),
            "severity": term("severity", vocab.SEVERITIES),
            "valid_until": self.valid_until,
            "source": text("source", 500) or None,
            "source_url": text("source_url", 500) or None,
            "ref": text("ref", 64) or None,
        }
        if len(data["body"]) > MAX_BODY_CHARS:
            problems.append(Problem("body", "guides.error.too_long", dict(limit=MAX_BODY_CHARS)))
        if data["source_url"] and not is_safe_url(data["source_url"]):
            problems.append(Problem("source_url", "guides.error.bad_url", dict(value=data["source_url"])))
        if data["valid_until"] is not None and not isinstance(data["valid_until"], date):
            problems.append(Problem("valid_until", "guides.error.bad_date", dict(value=str(data["valid_until"]))))
        if kind == ALERT:
            if not data["severity"]:
                problems.append(Problem("severity", "guides.error.alert_needs", dict()))
            if data["valid_until"] is None:
                problems.append(Problem("valid_until", "guides.error.alert_needs", dict()))
            if not data["countries"]:
                problems.append(Problem("countries", "guides.error.alert_needs", dict()))
        else:
            data["severity"], data["valid_until"] = None, None
        if publishing:
            if not data["body"].strip():
                problems.append(Problem("body", "guides.error.publish_needs", dict()))
            if not data["source"]:
                problems.append(Problem("source", "guides.error.publish_needs", dict()))
        if problems:
            raise errors.Invalid(problems)
        return data

    @classmethod
    def of(cls, article: dict) -> "ArticleInput":
        return cls(**{f: article.get(f) for f in cls.__dataclass_fields__ if f in article})


def _apply(article: Article, data: dict[str, Any]) -> None:
    for name in ("kind", "title_zh", "title_en", "body", "language", "dispute_type", "severity",
                 "valid_until", "source", "source_url"):
        setattr(article, name, data[name])
    if {c.country for c in article.countries} != set(data["countries"]):
        article.countries = [ArticleCountry(country=c) for c in data["countries"]]
    if {c.ip_type for c in article.ip_types} != set(data["ip_types"]):
        article.ip_types = [ArticleIpType(ip_type=c) for c in data["ip_types"]]
    if {c.industry for c in article.industries} != set(data["industries"]):
        article.industries = [ArticleIndustry(industry=c) for c in data["industries"]]


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if k != "version" and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def create_article(user: Principal, form: ArticleInput, *, publish: bool = False,
                   sub_centre_id: int | None = None, today: date | None = None) -> int:
    """A new article (draft, or published at once); returns its id.

    Staff write for their own sub-centre; admin for the national centre (no
    sub-centre) or for the one given.
    """
    if not can_author(user):
        raise errors.Denied("guides.error.not_allowed")
    owner = sub_centre_id if policy.can(user, "edit_article", {"sub_centre_id": sub_centre_id}) else user.sub_centre_id
    if not can_edit(user, {"sub_centre_id": owner}):
        raise errors.Denied("guides.error.not_allowed")
    data = form.clean(publishing=publish)
    today = today or localtime.today()
    with db.write_session() as s:
        ref = data["ref"] or f"KB-{uuid.uuid4().hex[:10].upper()}"
        taken = s.scalar(select(func.count()).select_from(Article).where(
            Article.ref == ref, Article.sub_centre_id.is_(None) if owner is None else Article.sub_centre_id == owner))
        if taken:
            raise errors.Invalid([Problem("ref", "guides.error.ref_taken", dict(value=ref))])
        article = Article(ref=ref, sub_centre_id=owner, author_id=user.id, status="draft",
                          kind=data["kind"], title_zh=data["title_zh"])
        _apply(article, data)
        if publish:
            article.status, article.published_on = "published", today
        s.add(article)
        s.flush()
        after = _snapshot(article)
        s.add(RecordVersion(entity="article", entity_id=article.id, action="create", before=None,
                            after_version=article.version, user_id=user.id))
        trail.record(s, user, "article.create", "article", article.id, after=after)
        article_id = article.id
    if publish:   # after the commit: followers told, a risk alert routed to the sub-centres it concerns
        fanout.announce_articles([article_id], actor_id=user.id)
    return article_id


def _load_for_edit(s: Session, user: Principal, article_id: int, expected_version: int) -> Article:
    article = s.get(Article, int(article_id))
    if article is None or not s.scalar(select(func.count()).select_from(Article)
                                       .where(Article.id == article.id, policy.where(user, "read_article"))):
        raise errors.NotFound()
    if not can_edit(user, article):
        raise errors.Denied("guides.error.not_allowed")
    if expected_version is not None and article.version != int(expected_version):
        raise _stale(s, article)
    return article


def _stale(s: Session, article: Article) -> errors.Stale:
    by = s.scalar(select(RecordVersion.user_id).where(RecordVersion.entity == "article",
                                                       RecordVersion.entity_id == article.id)
                  .order_by(RecordVersion.id.desc()).limit(1))
    name = s.scalar(select(User.display_name).where(User.id == by)) if by else None
    return errors.Stale("guides.error.stale", version=article.version, by=name or "?")


def _save(s: Session, user: Principal, article: Article, action: str, mutate) -> dict:
    before = _snapshot(article)
    expected = article.version
    mutate(article)
    old, new = _changes(before, _snapshot(article))
    if not new:
        return {}
    article.updated_at = utcnow()   # an UPDATE of the row, so the version moves even when only facets changed
    try:
        s.flush()
    except StaleDataError:
        raise errors.Stale("guides.error.stale", version=expected + 1, by="?") from None
    s.add(RecordVersion(entity="article", entity_id=article.id, action=action, before=before,
                        after_version=article.version, user_id=user.id))
    trail.record(s, user, f"article.{action}", "article", article.id, before=old, after=new,
                 detail={"version": article.version})
    return new


def update_article(user: Principal, article_id: int, form: ArticleInput, *, expected_version: int) -> int:
    """Save an edit made on version `expected_version`; returns the new version.

    A published article stays published (and must still satisfy the publishing
    rules). Saving an unchanged form changes nothing.
    """
    with db.write_session() as s:
        article = _load_for_edit(s, user, article_id, expected_version)
        data = form.clean(publishing=article.status == "published")
        if data["ref"] and data["ref"] != article.ref:
            data["ref"] = None   # the natural key does not change in the editor
        changed = _save(s, user, article, "update", lambda a: _apply(a, data))
        version, alert = article.version, article.status == "published" and article.kind == ALERT
    if alert and "valid_until" in changed:   # a published alert's validity extended or ended
        fanout.announce_alert_changed([article_id], actor_id=user.id)
    return version


def set_status(user: Principal, article_id: int, status: str, *, expected_version: int,
               today: date | None = None) -> int:
    """Publish a draft or withdraw a published article to draft; returns the new version."""
    if status not in vocab.ARTICLE_STATUSES:
        raise errors.Invalid("guides.error.unknown_value", field="status", value=status)
    today = today or localtime.today()
    with db.write_session() as s:
        article = _load_for_edit(s, user, article_id, expected_version)
        if article.status == status:
            return article.version
        if status == "published":   # the snapshot holds the date as text, for the audit trail
            ArticleInput.of(_snapshot(article) | {"valid_until": article.valid_until}).clean(publishing=True)

        def mutate(a: Article) -> None:
            a.status = status
            if status == "published" and a.published_on is None:
                a.published_on = today

        _save(s, user, article, "publish" if status == "published" else "unpublish", mutate)
        version = article.version
    if status == "published":   # after the commit: followers told, a risk alert routed (issue 17)
        fanout.announce_articles([article_id], actor_id=user.id)
    return version


def restore_version(user: Principal, article_id: int, record_version_id: int, *, expected_version: int) -> int:
    """Put back the content of a saved before-image (as a new version; the status stays)."""
    with db.write_session() as s:
        article = _load_for_edit(s, user, article_id, expected_version)
        saved = s.get(RecordVersion, record_version_id)
        if saved is None or saved.entity != "article" or saved.entity_id != article.id or not saved.before:
            raise errors.NotFound()
        image = {name: images.value_of(value) for name, value in saved.before.items()}   # an import's are tagged
        valid_until = image.get("valid_until")
        image["valid_until"] = date.fromisoformat(valid_until) if isinstance(valid_until, str) else valid_until or None
        data = ArticleInput.of(image).clean(publishing=article.status == "published")
        _save(s, user, article, "restore", lambda a: _apply(a, data))
        return article.version
