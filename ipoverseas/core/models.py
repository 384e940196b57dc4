"""SQLAlchemy 2.x typed models of the shared database (DESIGN.md §3).

Controlled values (countries, dispute types, statuses...) are stored as the codes of
`ipoverseas.vocab`. Multi-valued facets are rows in association tables, so "experts
for US patents in electronics" is an indexed query.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
    Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Revision(Base):
    """One row (id=1) whose value every write bumps; caches key on it."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class SubCentre(Base):
    __tablename__ = "sub_centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    province: Mapped[Optional[str]] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("experts.id", use_alter=True), index=True)
    organisation: Mapped[Optional[str]] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    sub_centre: Mapped[Optional[SubCentre]] = relationship(lazy="joined")


class UserSession(Base):
    """A server-side login session; only the token's hash is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    user_agent: Mapped[Optional[str]] = mapped_column(String(300))


class Article(Base):
    """A knowledge-base entry: country guide, law & procedure, risk alert, practice guide."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("sub_centre_id", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    dispute_type: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    severity: Mapped[Optional[str]] = mapped_column(String(16))
    valid_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    source: Mapped[Optional[str]] = mapped_column(String(500))
    source_url: Mapped[Optional[str]] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    published_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id"))  # not indexed: 0012
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    countries: Mapped[list["ArticleCountry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    ip_types: Mapped[list["ArticleIpType"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    industries: Mapped[list["ArticleIndustry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class ArticleCountry(Base):
    __tablename__ = "article_countries"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ArticleIpType(Base):
    __tablename__ = "article_ip_types"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    ip_type: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ArticleIndustry(Base):
    __tablename__ = "article_industries"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    industry: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Case(Base):
    """A foreign IP dispute with a Chinese party, fed by a sub-centre."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("sub_centre_id", "case_ref"),
        Index("ix_cases_review_filed", "review_status", "filed_on"),
        Index("ix_cases_country_dispute", "country", "dispute_type"),
        # a sub-centre's cases by when they were reported (the assessment's quarters, its evidence);
        # it serves every lookup by sub-centre too (it replaced ix_cases_sub_centre_id in 0018)
        Index("ix_cases_sub_centre_created", "sub_centre_id", "created_at"),
        # the duplicate check's blocks (ipoverseas.sharing.duplicates, migrations 0021 and 0026); its near-match
        # block, ix_cases_country_dispute_party_filed, is on an expression and lives in migrations 0022/0026 only
        Index("ix_cases_forum_docket_key", "forum", "docket_key", "sub_centre_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(64))
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id"))   # ix_cases_sub_centre_created
    title: Mapped[str] = mapped_column(String(300), index=True)  # the library sorted by title
    country: Mapped[str] = mapped_column(String(8), index=True)
    forum: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    docket_no: Mapped[Optional[str]] = mapped_column(String(64))     # the forum's docket / investigation number
    # docket_no normalised (upper case, no spaces or separators): kept by a trigger (migration 0021)
    docket_key: Mapped[Optional[str]] = mapped_column(String(64))
    dispute_type: Mapped[str] = mapped_column(String(32), index=True)
    ip_type: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    industry: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    province: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    chinese_party: Mapped[Optional[str]] = mapped_column(String(300))
    chinese_party_role: Mapped[Optional[str]] = mapped_column(String(32))
    party_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    opposing_party: Mapped[Optional[str]] = mapped_column(String(300), index=True)
    filed_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="ongoing", index=True)
    outcome: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    amount_usd: Mapped[Optional[Decimal]] = mapped_column(Numeric(18, 2))
    defendants_count: Mapped[Optional[int]] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[Optional[str]] = mapped_column(String(500))
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("experts.id"), index=True)
    review_status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    review_note: Mapped[Optional[str]] = mapped_column(Text)
    distinction: Mapped[Optional[str]] = mapped_column(String(16), index=True)
    distinction_reason: Mapped[Optional[str]] = mapped_column(Text)
    published_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id"))  # not indexed: 0012
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    __mapper_args__ = {"version_id_col": version}


class Expert(Base):
    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("sub_centre_id", "expert_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_ref: Mapped[str] = mapped_column(String(64))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[Optional[str]] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    capacity_per_month: Mapped[int] = mapped_column(Integer, default=4)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id"))  # not indexed: 0012
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    countries: Mapped[list["ExpertCountry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    ip_types: Mapped[list["ExpertIpType"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    industries: Mapped[list["ExpertIndustry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    languages: Mapped[list["ExpertLanguage"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class ExpertCountry(Base):
    __tablename__ = "expert_countries"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ExpertIpType(Base):
    __tablename__ = "expert_ip_types"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    ip_type: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ExpertIndustry(Base):
    __tablename__ = "expert_industries"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    industry: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ExpertLanguage(Base):
    __tablename__ = "expert_languages"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ExpertAway(Base):
    """A period in which an expert takes no new consultations."""

    __tablename__ = "expert_away"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(String(300))


class ExpertPartyLink(Base):
    """A party an expert has acted for or is linked to: the basis of the conflict check."""

    __tablename__ = "expert_party_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(300), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    note: Mapped[Optional[str]] = mapped_column(String(300))


class Consultation(Base):
    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    company: Mapped[str] = mapped_column(String(300))
    contact: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    ip_type: Mapped[Optional[str]] = mapped_column(String(32))
    industry: Mapped[Optional[str]] = mapped_column(String(32))
    dispute_type: Mapped[Optional[str]] = mapped_column(String(32))
    stage: Mapped[Optional[str]] = mapped_column(String(32))
    opposing_party: Mapped[Optional[str]] = mapped_column(String(300))
    enterprise_deadline: Mapped[Optional[date]] = mapped_column(Date, index=True)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("experts.id"), index=True)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    rating: Mapped[Optional[int]] = mapped_column(Integer)
    rating_comment: Mapped[Optional[str]] = mapped_column(Text)
    followup_outcome: Mapped[Optional[str]] = mapped_column(String(32))
    loss_avoided_cny: Mapped[Optional[Decimal]] = mapped_column(Numeric(18, 2))
    draft_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    disclaimer_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)   # ix_consultations_assessment
    assigned_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    answered_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # The service clock's facts, kept by `consultations` at every status change (from the
    # events, with `consultations/clock.py`), so the queue and compliance filter, sort and count in SQL.
    # Service clock: from the question; expert clock: from the (last) assignment.
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime)          # overdue after this
    at_risk_at: Mapped[Optional[datetime]] = mapped_column(DateTime)      # 80% of the promise used
    first_answer_days: Mapped[Optional[float]] = mapped_column(Float)     # working days to the first answer
    answered_on_time: Mapped[Optional[bool]] = mapped_column(Boolean)
    expert_due_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    expert_answer_days: Mapped[Optional[float]] = mapped_column(Float)
    expert_on_time: Mapped[Optional[bool]] = mapped_column(Boolean)
    assign_days: Mapped[Optional[float]] = mapped_column(Float)           # working days to the first assignment
    overdue_notified_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # What the facts were computed on (`clock.basis`: the promise and the holiday table's
    # digest); start-up recomputes the open consultations whose basis is not the current one.
    clock_basis: Mapped[Optional[str]] = mapped_column(String(40))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_consultations_status_due_at", "status", "due_at"),
        Index("ix_consultations_expert_status", "expert_id", "status"),   # open load per expert
        # A year's consultations with every figure the assessment reads (one index-only pass);
        # it serves every lookup by date too (it replaced ix_consultations_created_at in 0018).
        Index("ix_consultations_assessment", "created_at", "sub_centre_id", "status", "assign_days",
              "first_answer_days", "answered_on_time", "answered_at", "due_at", "closed_at", "followup_outcome",
              "rating"),
    )


class ConsultationMessage(Base):
    """One post in a consultation's thread: a follow-up question, an answer, a note."""

    __tablename__ = "consultation_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsultationEvent(Base):
    """A status change; the working-day clock (and its pauses) is computed from these."""

    __tablename__ = "consultation_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[Optional[str]] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    expert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("experts.id"))
    note: Mapped[Optional[str]] = mapped_column(Text)


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    consultation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # a notification about another kind of record (a reporting duty...): its entity and id
    entity: Mapped[Optional[str]] = mapped_column(String(32))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="applied")   # running -> applied | failed; rolled_back
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rolled_back_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    rolled_back_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # "host:pid:start" of the process applying a batch still "running" (imports/running.py)
    process: Mapped[Optional[str]] = mapped_column(String(200))


class ImportRefusal(Base):
    """An upload refused (the file as a whole, or rows with errors): who, when, which file and why.

    Nothing of the file is stored but its name, size, hash and the first problems (JSON text,
    capped). Its own table, so the queries of applied batches (home page, rollback) stay as
    they are; the import history lists both.
    """

    __tablename__ = "import_refusals"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id", ondelete="CASCADE"), index=True)
    dataset: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(300))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    cause: Mapped[str] = mapped_column(String(64))         # the refusal's code, or "row_errors"
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecordVersion(Base):
    """The before-image of a row that a batch or an edit changed."""

    __tablename__ = "record_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id"), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after_version: Mapped[Optional[int]] = mapped_column(Integer)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_record_versions_entity", "entity", "entity_id"),)


class AuditEvent(Base):
    """Append-only trail of every write: who, when (UTC), what, on which record, before -> after."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # No foreign keys: the trail outlives the users and records it names.
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    username: Mapped[Optional[str]] = mapped_column(String(80))
    sub_centre_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    entity: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)


# A record's history (ipoverseas.ui.history) looks events up by entity and id.
Index("ix_audit_events_entity_entity_id", AuditEvent.entity, AuditEvent.entity_id)


class DisputeLink(Base):
    """Two case records of one dispute, reported by two sub-centres (ipoverseas.sharing.duplicates).

    `status`: "candidate" (found by the duplicate check, waiting for the national centre), "linked"
    (one dispute: `duplicate_id` counts no more in the analytics, both records keep their
    sub-centre and provenance) or "distinct" (two disputes after all). The pair is stored once,
    the lower id first in `case_a_id`; `primary_id` is the record the analytics count.
    """

    __tablename__ = "dispute_links"
    __table_args__ = (UniqueConstraint("case_a_id", "case_b_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_a_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    case_b_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    reason: Mapped[str] = mapped_column(String(16))           # "docket" or "near"
    score: Mapped[Optional[float]] = mapped_column(Float)
    duplicate_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)   # set while "linked"
    found_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[Optional[str]] = mapped_column(Text)


class AlertRoute(Base):
    """The admin's change to the sub-centres a risk alert is routed to (ipoverseas.sharing.routing):
    `mode` "add" or "remove"; and when the sub-centre's staff were notified of it (`notified_at`)."""

    __tablename__ = "alert_routes"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[Optional[str]] = mapped_column(String(8))
    notified_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)


class CaseFacetTotal(Base):
    """How many cases have each facet value, per review status and sub-centre.

    Kept exact by database triggers on `cases` (migration 0005), so the case library's
    facet counts and totals for an unfiltered view cost the same at a million cases as
    at a thousand. `value` is '' for a case without that facet.
    """

    __tablename__ = "case_facet_totals"
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    review_status: Mapped[str] = mapped_column(String(16), primary_key=True)
    sub_centre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CasePairFacet(Base):
    """How many cases have each IP type, industry, forum, outcome and filing year, per
    country, dispute type, review status and sub-centre (triggers of migration 0011).

    The facet counts under a country and/or dispute-type filter read it, not the cases.
    """

    __tablename__ = "case_pair_facets"
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    dispute_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    review_status: Mapped[str] = mapped_column(String(16), primary_key=True)
    sub_centre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# The case library's filtered facet counts and analytics read this index only, never the rows (on
# PostgreSQL it includes the id, which SQLite's indexes hold anyway: migration 0025).
Index("ix_cases_library_facets", Case.review_status, Case.country, Case.dispute_type, Case.ip_type, Case.industry,
      Case.forum, Case.outcome, Case.sub_centre_id, Case.filed_on, Case.closed_on, Case.amount_usd,
      Case.defendants_count, Case.province, Case.distinction, postgresql_include=["id"])


class CaseRollup(Base):
    """Per-chart case statistics for the analytics page, per review status and sub-centre (see `case_rollups`).

    Kept exact by database triggers on `cases` (migration 0007). `a` and `b` are the
    chart's two group keys ('' when missing); `n` counts cases, `m1`..`m6` are sums. The charts and
    their measures are named in `ipoverseas.cases.rollups`; read a measure by name (`Chart.column`).
    """

    __tablename__ = "case_rollups"
    chart: Mapped[str] = mapped_column(String(4), primary_key=True)
    review_status: Mapped[str] = mapped_column(String(16), primary_key=True)
    sub_centre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str] = mapped_column(String(32), primary_key=True)
    b: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    m1: Mapped[float] = mapped_column(Float)
    m2: Mapped[float] = mapped_column(Float)
    m3: Mapped[float] = mapped_column(Float)
    m4: Mapped[float] = mapped_column(Float)
    m5: Mapped[float] = mapped_column(Float)
    m6: Mapped[float] = mapped_column(Float)


class CalendarDay(Base):
    """One exception to Monday-Friday in China's working-day calendar (`consultations.calendar`):
    a holiday (a day off) or a make-up working day (调休上班). Seeded from `data/holidays_cn.csv`
    by migration 0013; kept by the admin on the page "工作日历 / Working-day calendar"."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))            # holiday | workday
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CalendarYear(Base):
    """A year the calendar covers: its source (the State Council notice) and whether it is
    provisional (the notice not yet published: statutory holidays only, no make-up days)."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoredFile(Base):
    """A document a user handed in (a report, evidence), kept in the database so that every app
    process and host sees it; checked by `network.documents` before it is stored."""

    __tablename__ = "stored_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))                 # docx | xlsx | pdf
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class DutyType(Base):
    """A reporting duty of the sub-centres (the annual plan, the monthly status...). Seeded from
    `data/duty_types.json` by migration 0014; kept by the admin on the page 报送 / Reports."""

    __tablename__ = "duty_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    short_zh: Mapped[str] = mapped_column(String(20), default="")    # the duty grid's column heads
    short_en: Mapped[str] = mapped_column(String(20), default="")
    owner_sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"))  # None: every active one
    frequency: Mapped[str] = mapped_column(String(12))          # yearly | quarterly | monthly | once
    due_rule: Mapped[str] = mapped_column(String(60))
    content_zh: Mapped[str] = mapped_column(Text, default="")
    content_en: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DutyItem(Base):
    """One report a sub-centre owes: a duty for one period, with its due date (stored, computed on
    the working-day calendar whose digest is `basis`) and where it stands."""

    __tablename__ = "duty_items"
    __table_args__ = (UniqueConstraint("duty_type_id", "sub_centre_id", "period"),
                      Index("ix_duty_items_year_sub_centre", "year", "sub_centre_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    duty_type_id: Mapped[int] = mapped_column(ForeignKey("duty_types.id", ondelete="CASCADE"))
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))             # 2026 | 2026-Q3 | 2026-07 | once
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    basis: Mapped[str] = mapped_column(String(80), default="")   # the rule and calendar digest due_on was computed on
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | submitted | returned | accepted
    on_time: Mapped[Optional[bool]] = mapped_column(Boolean)    # the first submission was on or before due_on
    first_submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    last_submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    reminded_soon_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    reminded_due_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    reminded_overdue_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class DutySubmission(Base):
    """One handing-in of a duty's report (a returned one is handed in again: a new row), and the
    admin's decision on it."""

    __tablename__ = "duty_submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("duty_items.id", ondelete="CASCADE"), index=True)
    submitted_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stored_files.id"))
    decision: Mapped[Optional[str]] = mapped_column(String(12))   # accepted | returned
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Activity(Base):
    """Something a sub-centre did that the assessment counts: a training session, a publicity
    event, a report published, an enterprise helped to funding or matched with an agency. Entered
    on the page 工作活动 / Activities or uploaded (the dataset `activities`)."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("sub_centre_id", "activity_ref"),
                      Index("ix_activities_sub_centre_held_on", "sub_centre_id", "held_on"),
                      Index("ix_activities_kind_held_on", "kind", "held_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_ref: Mapped[str] = mapped_column(String(64))
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100), default="")
    organisers: Mapped[str] = mapped_column(String(500), default="")
    participants: Mapped[Optional[int]] = mapped_column(Integer)
    enterprises_reached: Mapped[Optional[int]] = mapped_column(Integer)
    article_url: Mapped[Optional[str]] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batches.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    countries: Mapped[list["ActivityCountry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    industries: Mapped[list["ActivityIndustry"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class ActivityCountry(Base):
    __tablename__ = "activity_countries"
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ActivityIndustry(Base):
    __tablename__ = "activity_industries"
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    industry: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ActivityFile(Base):
    """An evidence file of an activity (a sign-in sheet, photos in a PDF...)."""

    __tablename__ = "activity_files"
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), primary_key=True)


class Transfer(Base):
    """A dispute the national centre hands to a sub-centre (`network.transfers`): an existing
    consultation, or a dispute lead (an enterprise, a country, what happened, the deadline it
    faces). The sub-centre accepts it (the lead becomes a consultation of theirs; a consultation
    moves to them) or refuses it with a reason; a refused one may be sent elsewhere (`next_id`).

    The acceptance clock counts working days (`consultations.calendar`) from `created_at`:
    `due_at` is the deadline (overdue strictly after it), stored with its basis like the
    consultation clock, so lists filter, sort and count in SQL."""

    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_sub_centre_created", "sub_centre_id", "created_at"),
        Index("ix_transfers_status_due_at", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))                       # consultation | lead
    consultation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"),
                                                           index=True)
    # The lead (for a consultation: a copy of its company, country and deadline, for the lists).
    company: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[Optional[str]] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    enterprise_deadline: Mapped[Optional[date]] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(300), default="")
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id"))    # the target (the scope)
    from_sub_centre_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sub_centres.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|accepted|refused|withdrawn
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    refused_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    refused_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    refusal_reason: Mapped[Optional[str]] = mapped_column(Text)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    result_consultation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    previous_id: Mapped[Optional[int]] = mapped_column(ForeignKey("transfers.id", ondelete="SET NULL"))
    next_id: Mapped[Optional[int]] = mapped_column(ForeignKey("transfers.id", ondelete="SET NULL"))
    # The acceptance clock's facts (see the class note) and the sweep's mark.
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    decision_days: Mapped[Optional[float]] = mapped_column(Float)        # working days to accept or refuse
    decided_on_time: Mapped[Optional[bool]] = mapped_column(Boolean)
    clock_basis: Mapped[Optional[str]] = mapped_column(String(40))
    overdue_notified_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    __mapper_args__ = {"version_id_col": version}


class AssessmentRubric(Base):
    """One version of the assessment rubric (`assessment.rubric`): sections, items, points and how
    each item is measured, as JSON. Seeded from `data/assessment_rubric.json` as version 1; each
    save by the admin adds a version (the newest is in force; a frozen year keeps its own)."""

    __tablename__ = "assessment_rubrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssessmentOverride(Base):
    """The admin's points for one item of one sub-centre's assessment in a year, with the reason:
    an override of a computed item, or the points of an item set by judgement."""

    __tablename__ = "assessment_overrides"
    __table_args__ = (UniqueConstraint("year", "sub_centre_id", "item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    sub_centre_id: Mapped[int] = mapped_column(ForeignKey("sub_centres.id"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class AssessmentFreeze(Base):
    """A year's final assessment: the scorecard as it stood when the admin froze it (`snapshot`),
    and the rubric version it was computed on. A frozen year no longer follows the data."""

    __tablename__ = "assessment_freezes"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rubric_version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    frozen_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- information sharing: follows, their grouped notifications, weekly digests (ipoverseas/sharing/) ---


class Follow(Base):
    """A user follows a facet value (`facet` country, dispute_type, ip_type or industry and its code)
    or one record (`facet` case or article, `value` its id as text). `origin` is "profile" for the
    follows an enterprise starts with, "user" for the ones chosen."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "facet", "value"), Index("ix_follows_facet_value", "facet", "value"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    facet: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(8), default="user")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProfileTerm(Base):
    """An enterprise's company profile, one row a term: `facet` "industry" (its industries) or
    "country" (its export markets) and the vocabulary code. Its follows start from these."""

    __tablename__ = "profile_terms"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)


class FollowSeed(Base):
    """When a user's follows were seeded from their profile (once: a user who removes them keeps that)."""

    __tablename__ = "follow_seeds"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    seeded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FollowEvent(Base):
    """Something followers hear of, once, grouped: cases published (one review or one import),
    a followed case changed, an article published, an alert's validity changed. Its records are
    `FollowEventItem`s; each follower's notification names the event and how many records matched."""

    __tablename__ = "follow_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    batch_id: Mapped[Optional[int]] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer, default=0)
    notified: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class FollowEventItem(Base):
    __tablename__ = "follow_event_items"
    event_id: Mapped[int] = mapped_column(ForeignKey("follow_events.id", ondelete="CASCADE"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Digest(Base):
    """One user's weekly digest (`week` as ISO "2026-W49"): one row per user and week, so a sweep
    run twice, or two at once, sends each digest once."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("user_id", "week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    cases: Mapped[int] = mapped_column(Integer, default=0)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
