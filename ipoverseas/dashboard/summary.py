"""The figures and newest items each role's home page shows, computed in SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, true

from ipoverseas.core import db
from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF, Principal
from ipoverseas.core.models import Article, Case, Consultation, Expert, ImportBatch, SubCentre
from ipoverseas.access.scopes import article_scope, case_scope, consultation_scope

OPEN_CONSULTATION = ("new", "assigned", "accepted", "waiting")


def active_alerts(user: Principal, today: date | None = None, limit: int = 5) -> list[dict]:
    """Published risk alerts still valid today, most severe first."""
    today = today or date.today()
    severity_rank = case({"high": 0, "medium": 1, "low": 2}, value=Article.severity, else_=3)
    stmt = (select(Article.id, Article.title_zh, Article.title_en, Article.severity, Article.valid_until)
            .where(article_scope(user), Article.status == "published", Article.kind == "risk_alert",
                   (Article.valid_until.is_(None)) | (Article.valid_until >= today))
            .order_by(severity_rank, Article.valid_until.desc(), Article.id.desc()).limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def counts(user: Principal, today: date | None = None) -> dict[str, int]:
    """The KPI tiles of the user's home page."""
    today = today or date.today()
    with db.read_session() as s:
        def scalar(stmt) -> int:
            return int(s.scalar(stmt) or 0)

        published_cases = scalar(select(func.count()).select_from(Case).where(Case.review_status == "published"))
        guides = scalar(select(func.count()).select_from(Article).where(Article.status == "published"))
        alerts = scalar(select(func.count()).select_from(Article).where(
            Article.status == "published", Article.kind == "risk_alert",
            (Article.valid_until.is_(None)) | (Article.valid_until >= today)))
        mine = select(func.count()).select_from(Consultation).where(consultation_scope(user))
        out = {"published_cases": published_cases, "articles": guides, "active_alerts": alerts}
        if user.role == ENTERPRISE:
            out["my_open"] = scalar(mine.where(Consultation.status.in_(OPEN_CONSULTATION)))
            out["my_answered"] = scalar(mine.where(Consultation.status == "answered"))
        elif user.role == EXPERT:
            out["assigned_open"] = scalar(mine.where(Consultation.status.in_(("assigned", "accepted", "waiting"))))
            out["answered"] = scalar(mine.where(Consultation.status.in_(("answered", "closed"))))
        elif user.role in (STAFF, ADMIN):
            own = case_scope(user) if user.role == ADMIN else Case.sub_centre_id == user.sub_centre_id
            out["cases"] = scalar(select(func.count()).select_from(Case).where(own))
            out["to_review"] = scalar(select(func.count()).select_from(Case).where(own, Case.review_status == "submitted"))
            out["to_assign"] = scalar(mine.where(Consultation.status == "new"))
            out["open_consultations"] = scalar(mine.where(Consultation.status.in_(OPEN_CONSULTATION)))
            experts = select(func.count()).select_from(Expert).where(Expert.active.is_(True))
            if user.role == STAFF:
                experts = experts.where(Expert.sub_centre_id == user.sub_centre_id)
            out["experts"] = scalar(experts)
            if user.role == ADMIN:
                out["sub_centres"] = scalar(select(func.count()).select_from(SubCentre).where(SubCentre.active.is_(True)))
        return out


def newest_cases(user: Principal, limit: int = 8) -> list[dict]:
    """Newest cases the user may see; staff see their region's, admin the review queue first.

    Ordered by id (ids grow with creation), so the primary key serves the sort at any size.
    """
    columns = (Case.id, Case.case_ref, Case.title, Case.country, Case.dispute_type, Case.filed_on,
               Case.review_status, Case.distinction, Case.is_demo)
    where = [case_scope(user)]
    if user.role == STAFF:
        where.append(Case.sub_centre_id == user.sub_centre_id)
    elif user.role in (ENTERPRISE, EXPERT):
        where.append(Case.review_status == "published")
    with db.read_session() as s:
        rows = []
        if user.role == ADMIN:
            queue = select(*columns).where(Case.review_status == "submitted").order_by(Case.id.desc()).limit(limit)
            rows = [dict(r._mapping) for r in s.execute(queue)]
        if len(rows) < limit:
            seen = [r["id"] for r in rows]
            rest = select(*columns).where(*where, Case.id.not_in(seen) if seen else true())
            rows += [dict(r._mapping) for r in s.execute(rest.order_by(Case.id.desc()).limit(limit - len(rows)))]
        return rows


def newest_articles(user: Principal, limit: int = 6) -> list[dict]:
    stmt = (select(Article.id, Article.kind, Article.title_zh, Article.title_en, Article.published_on)
            .where(article_scope(user), Article.status == "published")
            .order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def my_consultations(user: Principal, limit: int = 8) -> list[dict]:
    stmt = (select(Consultation.id, Consultation.company, Consultation.country, Consultation.status,
                   Consultation.enterprise_deadline, Consultation.created_at, Consultation.question)
            .where(consultation_scope(user))
            .order_by(Consultation.status.in_(OPEN_CONSULTATION).desc(),
                      Consultation.enterprise_deadline.asc().nulls_last(), Consultation.created_at.desc())
            .limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def recent_imports(user: Principal, limit: int = 5) -> list[dict]:
    stmt = select(ImportBatch.id, ImportBatch.dataset, ImportBatch.filename, ImportBatch.created_at,
                  ImportBatch.created_count, ImportBatch.updated_count, ImportBatch.status)
    if user.role == STAFF:
        stmt = stmt.where(ImportBatch.sub_centre_id == user.sub_centre_id)
    elif user.role != ADMIN:
        return []
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt.order_by(ImportBatch.id.desc()).limit(limit))]
