"""The demo content: invented but plausible records, every one flagged `is_demo`.

`load()` fills an empty database; `remove()` deletes every demo record and leaves
real ones alone. `python -m ipoverseas demo load|remove` calls these.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from ipoverseas.core import db
from ipoverseas.demo import content, transfers
from ipoverseas.demo.accounts import ACCOUNTS, DEMO_PASSWORD  # noqa: F401  (the login page lists them)
from ipoverseas.core.models import (Activity, ActivityFile, AssessmentOverride, DutyItem, DutySubmission, StoredFile, Article, Case, Consultation, ConsultationEvent, ConsultationMessage, Expert, ImportBatch, Notification, RecordVersion, SubCentre, User, UserSession)


def is_loaded() -> bool:
    with db.read_session() as session:
        return bool(session.scalar(select(func.count()).select_from(User).where(User.is_demo.is_(True))))


def load() -> dict[str, int]:
    """Load the demo content; returns the count of records per kind."""
    if is_loaded():
        raise RuntimeError("the demo content is already loaded; run `demo remove` first")
    with db.write_session() as session:
        return content.load_all(session)


def remove() -> dict[str, int]:
    """Delete every demo record (and what hangs off it); real records stay."""
    counts: dict[str, int] = {}
    with db.write_session() as session:
        demo_users = select(User.id).where(User.is_demo.is_(True))
        demo_experts = select(Expert.id).where(Expert.is_demo.is_(True))
        session.execute(update(User).where(User.is_demo.is_(True)).values(expert_id=None))
        counts["transfers"] = transfers.remove(session)
        # Events, messages and notifications of demo consultations go with them (ON DELETE CASCADE).
        counts["consultations"] = session.execute(
            delete(Consultation).where(Consultation.is_demo.is_(True))).rowcount
        # Real records that merely point at a demo user or expert keep their row, without the link.
        for column in (Consultation.expert_id,):
            session.execute(update(Consultation).where(column.in_(demo_experts)).values({column.key: None}))
        for column in (Consultation.enterprise_user_id, Consultation.created_by_id):
            session.execute(update(Consultation).where(column.in_(demo_users)).values({column.key: None}))
        session.execute(update(ConsultationEvent).where(ConsultationEvent.expert_id.in_(demo_experts))
                        .values(expert_id=None))
        session.execute(update(ConsultationEvent).where(ConsultationEvent.user_id.in_(demo_users))
                        .values(user_id=None))
        session.execute(update(ConsultationMessage).where(ConsultationMessage.author_id.in_(demo_users))
                        .values(author_id=None))
        session.execute(update(Case).where(Case.created_by_id.in_(demo_users)).values(created_by_id=None))
        session.execute(update(Article).where(Article.author_id.in_(demo_users)).values(author_id=None))
        session.execute(update(ImportBatch).where(ImportBatch.rolled_back_by_id.in_(demo_users))
                        .values(rolled_back_by_id=None))
        session.execute(delete(Notification).where(Notification.user_id.in_(demo_users)))
        session.execute(delete(UserSession).where(UserSession.user_id.in_(demo_users)))
        session.execute(update(Case).where(Case.expert_id.in_(demo_experts)).values(expert_id=None))
        counts["cases"] = session.execute(delete(Case).where(Case.is_demo.is_(True))).rowcount
        counts["articles"] = session.execute(delete(Article).where(Article.is_demo.is_(True))).rowcount
        # Facets, away periods and party links go with the experts (ON DELETE CASCADE).
        counts["experts"] = session.execute(delete(Expert).where(Expert.is_demo.is_(True))).rowcount
        session.execute(delete(RecordVersion).where(RecordVersion.user_id.in_(demo_users)))
        session.execute(update(ImportBatch).where(ImportBatch.user_id.in_(demo_users)).values(user_id=None))
        # Reporting: the demo year goes, and so do the open items made for demo sub-centres since;
        # a real report handed in or reviewed by a demo account keeps its row, without the link.
        demo_centres = select(SubCentre.id).where(SubCentre.is_demo.is_(True))
        counts["duty_items"] = session.execute(delete(DutyItem).where(
            DutyItem.is_demo.is_(True) | (DutyItem.sub_centre_id.in_(demo_centres) & (DutyItem.status == "open"))
        )).rowcount   # their submissions go with them (ON DELETE CASCADE)
        for column in (DutySubmission.submitted_by, DutySubmission.reviewed_by):
            session.execute(update(DutySubmission).where(column.in_(demo_users)).values({column.key: None}))
        # Activities: the demo's go (their evidence links with them); real ones keep their row.
        counts["activities"] = session.execute(delete(Activity).where(Activity.is_demo.is_(True))).rowcount
        counts["assessment_overrides"] = session.execute(
            delete(AssessmentOverride).where(AssessmentOverride.is_demo.is_(True))).rowcount
        session.execute(update(Activity).where(Activity.created_by_id.in_(demo_users)).values(created_by_id=None))
        session.execute(update(StoredFile).where(StoredFile.created_by.in_(demo_users)).values(created_by=None))
        session.execute(delete(StoredFile).where(StoredFile.is_demo.is_(True),
                                                 ~StoredFile.id.in_(select(DutySubmission.file_id)
                                                                    .where(DutySubmission.file_id.is_not(None))),
                                                 ~StoredFile.id.in_(select(ActivityFile.file_id))))
        counts["users"] = session.execute(delete(User).where(User.is_demo.is_(True))).rowcount
        counts["sub_centres"] = session.execute(delete(SubCentre).where(
            SubCentre.is_demo.is_(True),
            ~SubCentre.id.in_(select(User.sub_centre_id).where(User.sub_centre_id.is_not(None))),
            ~SubCentre.id.in_(select(Case.sub_centre_id)),
            ~SubCentre.id.in_(select(Expert.sub_centre_id).where(Expert.sub_centre_id.is_not(None))),
            ~SubCentre.id.in_(select(Article.sub_centre_id).where(Article.sub_centre_id.is_not(None))),
            ~SubCentre.id.in_(select(Consultation.sub_centre_id).where(Consultation.sub_centre_id.is_not(None))),
            ~SubCentre.id.in_(select(ImportBatch.sub_centre_id).where(ImportBatch.sub_centre_id.is_not(None))),
            ~SubCentre.id.in_(select(DutyItem.sub_centre_id)),
            ~SubCentre.id.in_(select(Activity.sub_centre_id)),
            *transfers.sub_centres_in_use(),
        )).rowcount
    return counts
