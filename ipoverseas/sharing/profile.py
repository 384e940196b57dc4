"""An enterprise's company profile: the industries it works in and its export markets.

Its follows start from the profile (follows.seed_from_profile). A term added to the profile later
is followed at once, so the user need not say it twice; a term taken out of the profile keeps its
follow, because what to follow is the user's own choice on 我的关注 (they may have kept it on purpose).
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.audit import trail
from ipoverseas.core import db, errors
from ipoverseas.core.models import ProfileTerm
from ipoverseas.sharing import follows

FACETS = ("industry", "country")           # its industries, its export markets
MAX_TERMS = {"industry": 10, "country": 40}


def terms_of(session: Session, user_id: int) -> dict[str, list[str]]:
    """{"industry": [codes], "country": [codes]}, each in vocabulary order."""
    out: dict[str, list[str]] = {facet: [] for facet in FACETS}
    for facet, value in session.execute(select(ProfileTerm.facet, ProfileTerm.value)
                                        .where(ProfileTerm.user_id == user_id)):
        out.setdefault(facet, []).append(value)
    return {facet: _in_vocabulary_order(facet, values) for facet, values in out.items()}


def read(user: Principal) -> dict[str, list[str]]:
    policy.require(user, "keep_company_profile")
    with db.read_session() as s:
        return terms_of(s, user.id)


def save(user: Principal, industries: Iterable[str], markets: Iterable[str]) -> int:
    """Replace the user's profile (audited); returns how many follows it added. An unknown code or
    too many refuses the whole change, naming the field and the value; nothing is written."""
    policy.require(user, "keep_company_profile")
    wanted = {"industry": _clean(user, "industry", industries), "country": _clean(user, "country", markets)}
    with db.write_session() as s:
        before = terms_of(s, user.id)
        if before == wanted:
            return 0
        s.execute(delete(ProfileTerm).where(ProfileTerm.user_id == user.id))
        s.add_all(ProfileTerm(user_id=user.id, facet=facet, value=value)
                  for facet in FACETS for value in wanted[facet])
        s.flush()
        changed = [facet for facet in FACETS if before[facet] != wanted[facet]]
        trail.record(s, user, "profile.update", "user", user.id, before={f: before[f] for f in changed},
                     after={f: wanted[f] for f in changed})
        added = [(facet, value) for facet in FACETS for value in wanted[facet] if value not in before[facet]]
        return follows.follow_profile_terms(s, user.id, added)


def _clean(user: Principal, facet: str, values: Iterable[str]) -> list[str]:
    codes: list[str] = []
    for value in values or ():
        code = follows.clean(user, facet, value)   # a code, an alias or a label; or Invalid naming it
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_TERMS[facet]:
        raise errors.Invalid("profile.error.too_many", field=facet, max=MAX_TERMS[facet])
    return _in_vocabulary_order(facet, codes)


def _in_vocabulary_order(facet: str, codes: list[str]) -> list[str]:
    order = {code: i for i, code in enumerate(follows.TERMS[facet]().codes)}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))
