"""The figures and newest items each role's home page shows, computed in SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, true

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.core import db, localtime, vocab
from ipoverseas.core.models import Article, Case, Consultation, Expert, ImportBatch, SubCentre


def active_alerts(user: Principal, today: date | None = None, limit: int = 5) -> list[dict]:
    """Published risk alerts still valid today, most severe first."""
    today = today or localtime.today()
    severity_rank = case({"high": 0, "medium": 1, "low": 2}, value=Article.severity, else_=3)
    stmt = (select(Article.id, Article.title_zh, Article.title_en, Article.severity, Article.valid_until)
            .where(policy.where(user, "read_article"), Article.status == "published", Article.kind == "risk_alert",
                   (Article.valid_until.is_(None)) | (Article.valid_until >= today))
            .order_by(severity_rank, Article.valid_until.desc(), Article.id.desc()).limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def counts(user: Principal, today: date | None = None) -> dict[str, int]:
    """The KPI tiles of the user's home page."""
    today = today or localtime.today()
    with db.read_session() as s:
        def scalar(stmt) -> int:
            return int(s.scalar(stmt) or 0)

        published_cases = scalar(select(func.count()).select_from(Case).where(Case.review_status == "published"))
        guides = scalar(select(func.count()).select_from(Article).where(Article.status == "published"))
        alerts = scalar(select(func.count()).select_from(Article).where(
            Article.status == "published", Article.kind == "risk_alert",
            (Article.valid_until.is_(None)) | (Article.valid_until >= today)))
        mine = select(func.count()).select_from(Consultation).where(policy.where(user, "read_consultation"))
        out = {"published_cases": published_cases, "articles": guides, "active_alerts": alerts}
        if policy.can(user, "follow_own_consultations"):
            out["my_open"] = scalar(mine.where(Consultation.status.in_(vocab.CONSULTATION_OPEN)))
            out["my_answered"] = scalar(mine.where(Consultation.status == "answered"))
        elif policy.can(user, "answer_consultation"):
            out["assigned_open"] = scalar(mine.where(Consultation.status.in_(("assigned", "accepted", "waiting"))))
            out["answered"] = scalar(mine.where(Consultation.status.in_(("answered", "closed"))))
        elif policy.can(user, "triage_consultation"):
            own = policy.where(user, "edit_case")  # staff: their region's cases; admin: all
            out["cases"] = scalar(select(func.count()).select_from(Case).where(own))
            out["to_review"] = scalar(select(func.count()).select_from(Case).where(own, Case.review_status == "submitted"))
            out["to_assign"] = scalar(mine.where(Consultation.status == "new"))
            out["open_consultations"] = scalar(mine.where(Consultation.status.in_(vocab.CONSULTATION_OPEN)))
            out["experts"] = scalar(select(func.count()).select_from(Expert)
                                    .where(Expert.active.is_(True), policy.where(user, "edit_expert")))
            if policy.can(user, "manage_users"):
                out["sub_centres"] = scalar(select(func.count()).select_from(SubCentre).where(SubCentre.active.is_(True)))
        return out


def newest_cases(user: Principal, limit: int = 8) -> list[dict]:
    """Newest cases the user may see; staff see their region's, admin the review queue first.

    Ordered by id (ids grow with creation), so the primary key serves the sort at any size.
    """
    columns = (Case.id, Case.case_ref, Case.title, Case.country, Case.dispute_type, Case.filed_on,
               Case.review_status, Case.distinction, Case.is_demo)
    if policy.can(user, "edit_case"):  # staff: their region's, whatever the state; admin: all
        where = [policy.where(user, "edit_case")]
    else:
        where = [policy.where(user, "read_case"), Case.review_status == "published"]
    with db.read_session() as s:
        rows = []
        if policy.can(user, "review_cases"):
            queue = select(*columns).where(Case.review_status == "submitted").order_by(Case.id.desc()).limit(limit)
            rows = [dict(r._mapping) for r in s.execute(queue)]
        if len(rows) < limit:
            seen = [r["id"] for r in rows]
            rest = select(*columns).where(*where, Case.id.not_in(seen) if seen else true())
            rows += [dict(r._mapping) for r in s.execute(rest.order_by(Case.id.desc()).limit(limit - len(rows)))]
        return rows


def newest_articles(user: Principal, limit: int = 6) -> list[dict]:
    stmt = (select(Article.id, Article.kind, Article.title_zh, Article.title_en, Article.published_on)
            .where(policy.where(user, "read_article"), Article.status == "published")
            .order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def my_consultations(user: Principal, limit: int = 8) -> list[dict]:
    stmt = (select(Consultation.id, Consultation.company, Consultation.country, Consultation.status,
                   Consultation.enterprise_deadline, Consultation.created_at, Consultation.question)
            .where(policy.where(user, "read_consultation"))
            .order_by(Consultation.status.in_(vocab.CONSULTATION_OPEN).desc(),
                      Consultation.enterprise_deadline.asc().nulls_last(), Consultation.created_at.desc())
            .limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def recent_imports(user: Principal, limit: int = 5) -> list[dict]:
    stmt = select(ImportBatch.id, ImportBatch.dataset, ImportBatch.filename, ImportBatch.created_at,
                  ImportBatch.created_count, ImportBatch.updated_count, ImportBatch.status)
    if not policy.can(user, "import_records"):
        return []
    stmt = stmt.where(policy.where(user, "import_records"))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt.order_by(ImportBatch.id.desc()).limit(limit))]
