"""Follows: a user follows countries / jurisdictions, dispute types, IP types, industries (codes
of core/vocab.py) and single records (a case, an article or risk alert).

An enterprise starts with follows from its profile: the industries and export markets of its
company profile (sharing/profile.py), or, until it has filled one in, the industries and countries
of the consultations it has asked. They are seeded once (`FollowSeed` remembers it): when the
profile is first saved, or the first time its follows are read, or by the weekly sweep; the
enterprise changes them like any other follow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.audit import trail
from ipoverseas.core import db, errors, vocab
from ipoverseas.core.models import Article, Case, Consultation, Follow, FollowSeed, ProfileTerm, User, utcnow

TERMS = {"country": vocab.countries, "dispute_type": lambda: vocab.DISPUTE_TYPES,
         "ip_type": lambda: vocab.IP_TYPES, "industry": lambda: vocab.INDUSTRIES}
RECORDS = {"case": (Case, "read_case"), "article": (Article, "read_article")}
FACETS = (*TERMS, *RECORDS)
MAX_FOLLOWS = 200
PROFILE_MARKETS = 5   # an enterprise starts with at most this many export markets


def clean(user: Principal, facet: str, value: Any) -> str:
    """The stored value of a follow, or `errors.Invalid` naming what is wrong: a code (aliases and
    labels accepted) for a facet, a record's id the user may read for a record."""
    if facet in TERMS:
        code = TERMS[facet]().lookup(value)
        if code is None:
            raise errors.Invalid("follows.error.unknown_value", field=facet, value=str(value)[:60])
        return code
    if facet in RECORDS:
        model, action = RECORDS[facet]
        try:
            record_id = int(value)
        except (TypeError, ValueError):
            raise errors.Invalid("follows.error.unknown_value", field=facet, value=str(value)[:60]) from None
        with db.read_session() as s:
            seen = s.scalar(select(func.count()).select_from(model).where(
                model.id == record_id, policy.where(user, action, model)))
        if not seen:
            raise errors.NotFound("follows.error.no_record")
        return str(record_id)
    raise errors.Invalid("follows.error.unknown_facet", field="facet", value=str(facet)[:30])


def follow(user: Principal, facet: str, value: Any) -> bool:
    """Follow a facet value or a record; False when already followed."""
    policy.require(user, "keep_follows")
    code = clean(user, facet, value)
    with db.write_session() as s:
        if s.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.facet == facet, Follow.value == code)):
            return False
        if (s.scalar(select(func.count()).select_from(Follow).where(Follow.user_id == user.id)) or 0) >= MAX_FOLLOWS:
            raise errors.Invalid("follows.error.too_many", field="facet", max=MAX_FOLLOWS)
        row = Follow(user_id=user.id, facet=facet, value=code, origin="user", created_at=utcnow())
        s.add(row)
        s.flush()
        trail.record(s, user, "follow.add", "follow", row.id, after={"facet": facet, "value": code})
    return True


def unfollow(user: Principal, facet: str, value: Any) -> bool:
    """Stop following; False when it was not followed."""
    policy.require(user, "keep_follows")
    with db.write_session() as s:
        row = s.scalar(select(Follow).where(Follow.user_id == user.id, Follow.facet == facet,
                                            Follow.value == str(value)))
        if row is None:
            return False
        trail.record(s, user, "follow.remove", "follow", row.id, before={"facet": facet, "value": row.value})
        s.delete(row)
    return True


def is_following(user: Principal | None, facet: str, value: Any) -> bool:
    if user is None:
        return False
    with db.read_session() as s:
        return bool(s.scalar(select(Follow.id).where(Follow.user_id == user.id, Follow.facet == facet,
                                                     Follow.value == str(value))))


def list_follows(user: Principal) -> list[dict]:
    """The user's follows (seeding an enterprise's from its profile the first time), in facet order."""
    policy.require(user, "keep_follows")
    if policy.can(user, "start_with_profile_follows"):
        with db.read_session() as s:   # a write (and a new revision for every cache) only when seeding
            due = s.get(FollowSeed, user.id) is None and bool(profile_terms(s, user.id))
        if due:
            with db.write_session() as s:
                seed_from_profile(s, user.id)
    with db.read_session() as s:
        rows = [dict(r._mapping) for r in s.execute(
            select(Follow.id, Follow.facet, Follow.value, Follow.origin, Follow.created_at)
            .where(Follow.user_id == user.id).order_by(Follow.facet, Follow.value))]
    order = {f: i for i, f in enumerate(FACETS)}
    return sorted(rows, key=lambda r: (order.get(r["facet"], 99), r["value"]))


def record_titles(rows: list[dict]) -> dict[tuple[str, str], str]:
    """(facet, value) -> the record's title, for followed records."""
    out: dict[tuple[str, str], str] = {}
    with db.read_session() as s:
        cases = [int(r["value"]) for r in rows if r["facet"] == "case"]
        articles = [int(r["value"]) for r in rows if r["facet"] == "article"]
        if cases:
            out.update({("case", str(i)): f"{ref} · {title}" for i, ref, title in s.execute(
                select(Case.id, Case.case_ref, Case.title).where(Case.id.in_(cases)))})
        if articles:
            out.update({("article", str(i)): title for i, title in s.execute(
                select(Article.id, Article.title_zh).where(Article.id.in_(articles)))})
    return out


# --- an enterprise's profile -----------------------------------------------------------------


def profile_terms(session: Session, user_id: int) -> list[tuple[str, str]]:
    """(facet, code) an enterprise's profile suggests: its company profile's industries and export
    markets; without one, the industries of its consultations and the countries it asked about
    (the most asked first)."""
    stored = session.execute(select(ProfileTerm.facet, ProfileTerm.value).where(ProfileTerm.user_id == user_id)
                             .order_by(ProfileTerm.facet.desc(), ProfileTerm.value)).all()
    if stored:
        return [(facet, value) for facet, value in stored]
    industries = session.execute(select(Consultation.industry).where(
        Consultation.enterprise_user_id == user_id, Consultation.industry.is_not(None)).distinct()).scalars()
    markets = session.execute(
        select(Consultation.country).where(Consultation.enterprise_user_id == user_id,
                                           Consultation.country.is_not(None))
        .group_by(Consultation.country).order_by(func.count().desc(), Consultation.country)
        .limit(PROFILE_MARKETS)).scalars()
    return [("industry", code) for code in sorted(set(industries))] + [("country", code) for code in markets]


def seed_from_profile(session: Session, user_id: int) -> int:
    """Give an enterprise its profile's follows, once (in the caller's transaction); returns how many.
    A profile that suggests nothing yet (a new account without consultations) is tried again later."""
    if session.get(FollowSeed, user_id) is not None:
        return 0
    terms = profile_terms(session, user_id)
    if not terms:
        return 0
    insert_new = db.insert_ignoring_duplicates(session)   # two seeders at once (the page, a sweep): one wins
    if not session.execute(insert_new(FollowSeed).values(user_id=user_id, seeded_at=utcnow())
                           .returning(FollowSeed.user_id)).first():
        return 0
    return _add_profile_follows(session, user_id, terms)


def follow_profile_terms(session: Session, user_id: int, terms: list[tuple[str, str]]) -> int:
    """Follow terms just added to a company profile (in the caller's transaction); returns how many
    follows were added. Not seeded yet: the seed follows the whole profile. Already followed terms
    stay as they are, and the user's limit of follows holds."""
    if session.get(FollowSeed, user_id) is None:
        return seed_from_profile(session, user_id)
    held = session.scalar(select(func.count()).select_from(Follow).where(Follow.user_id == user_id)) or 0
    room = MAX_FOLLOWS - held
    return _add_profile_follows(session, user_id, terms[:max(room, 0)])


def _add_profile_follows(session: Session, user_id: int, terms: list[tuple[str, str]]) -> int:
    """Insert follows of origin "profile", skipping those the user has; returns how many were added."""
    if not terms:
        return 0
    rows = [{"user_id": user_id, "facet": f, "value": v, "origin": "profile", "created_at": utcnow()}
            for f, v in terms]
    insert_new = db.insert_ignoring_duplicates(session)
    return len(session.execute(insert_new(Follow).values(rows).returning(Follow.id)).all())


def profile_roles() -> list[str]:
    """The roles that start with follows from their profile (the policy says which)."""
    return [role for role in vocab.ROLES.codes
            if policy.can(Principal(0, "", "", role), "start_with_profile_follows")]


def seed_all(session: Session) -> int:
    """Seed every account that starts with profile follows, has a profile or consultations, and has
    not been seeded (the digest sweep runs it, so enterprises get theirs without opening the page)."""
    users = session.scalars(
        select(User.id).where(User.role.in_(profile_roles()), User.active.is_(True),
                              User.id.not_in(select(FollowSeed.user_id)),
                              User.id.in_(select(Consultation.enterprise_user_id))
                              | User.id.in_(select(ProfileTerm.user_id)))).all()
    return sum(seed_from_profile(session, uid) for uid in users)


def clear(user: Principal) -> int:
    """Stop following everything (the page's "clear all")."""
    policy.require(user, "keep_follows")
    with db.write_session() as s:
        n = s.execute(delete(Follow).where(Follow.user_id == user.id)).rowcount or 0
        if n:
            trail.record(s, user, "follow.remove", "follow", None, detail={"count": n})
    return n
