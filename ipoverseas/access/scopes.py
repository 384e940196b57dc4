"""The permission policy as SQL: which rows a principal may see.

Services add these clauses to their queries, so a page can never list, count or
open a row the policy (`auth.POLICY`) forbids, whatever id arrives in a URL.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF, Principal, can
from ipoverseas.core.models import Article, Case, Consultation


def _published_or_own_centre(user: Principal | None, status, centre) -> ColumnElement[bool]:
    """The rule shared by cases, their count tables and articles: published rows for
    everyone, all of them for admin, and their own sub-centre's unpublished ones for staff."""
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    if user.role == STAFF and user.sub_centre_id is not None:
        return or_(status == "published", centre == user.sub_centre_id)
    return status == "published"


def case_scope(user: Principal | None, *, indexed: bool = True) -> ColumnElement[bool]:
    """Published cases for everyone; unpublished ones for admin and their sub-centre's staff.

    `indexed=False` gives the same rows with the columns wrapped in no-op expressions, so
    the database does not pick their indexes: a page in date order is then read along the
    date index instead of gathering most of the table through the staff scope's OR.
    """
    if indexed:
        return _published_or_own_centre(user, Case.review_status, Case.sub_centre_id)
    return _published_or_own_centre(user, Case.review_status.concat(""), Case.sub_centre_id + 0)


def totals_scope(user: Principal | None, table) -> ColumnElement[bool]:
    """`case_scope` for a table of case counts keyed by review status and sub-centre
    (`case_facet_totals`, `case_rollups`, `case_pair_facets`); tests check that counts read
    through it equal counting the visible cases, for every role."""
    return _published_or_own_centre(user, table.review_status, table.sub_centre_id)


def article_scope(user: Principal | None, *, indexed: bool = True) -> ColumnElement[bool]:
    """Published articles for everyone; drafts for admin and the authoring sub-centre's staff.

    `indexed=False`: the same rows, the columns kept off their indexes (see `case_scope`).
    """
    if indexed:
        return _published_or_own_centre(user, Article.status, Article.sub_centre_id)
    return _published_or_own_centre(user, Article.status.concat(""), Article.sub_centre_id + 0)


def consultation_scope(user: Principal | None) -> ColumnElement[bool]:
    if user is None or not can(user, "read_consultation"):
        return false()
    if user.role == ADMIN:
        return true()
    if user.role == ENTERPRISE:
        return Consultation.enterprise_user_id == user.id
    if user.role == STAFF:
        return Consultation.sub_centre_id == user.sub_centre_id if user.sub_centre_id else false()
    if user.role == EXPERT:
        return and_(Consultation.expert_id == user.expert_id) if user.expert_id else false()
    return false()
