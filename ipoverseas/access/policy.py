"""The one permission policy (DESIGN.md §4): who may do what, to which records.

Every service asks `can()` / `require()` before it reads or writes; the UI only hides what the
policy already forbids. The policy is data (`POLICY`) so that a test can check it cell by cell
against the design table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipoverseas.core.models import User

ENTERPRISE, STAFF, EXPERT, ADMIN = "enterprise", "staff", "expert", "admin"
ROLES = (ENTERPRISE, STAFF, EXPERT, ADMIN)

# Scopes: True (any record), False, or a rule checked against the record.
OWN_SUB_CENTRE = "own_sub_centre"   # record.sub_centre_id == user.sub_centre_id
OWN = "own"                         # record.enterprise_user_id == user.id
ASSIGNED = "assigned"               # record.expert_id == user.expert_id
OWN_PROFILE = "own_profile"         # the record is the user's own expert profile

POLICY: dict[str, dict[str, Any]] = {
    "read_published_articles": {ENTERPRISE: True, STAFF: True, EXPERT: True, ADMIN: True},
    "read_published_cases": {ENTERPRISE: True, STAFF: True, EXPERT: True, ADMIN: True},
    "read_unpublished_cases": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: False, ADMIN: True},
    "edit_records": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: OWN_PROFILE, ADMIN: True},
    "rollback_batch": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: False, ADMIN: True},
    "review_cases": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
    "ask_consultation": {ENTERPRISE: True, STAFF: True, EXPERT: False, ADMIN: False},
    "read_consultation": {ENTERPRISE: OWN, STAFF: OWN_SUB_CENTRE, EXPERT: ASSIGNED, ADMIN: True},
    "answer_consultation": {ENTERPRISE: False, STAFF: False, EXPERT: ASSIGNED, ADMIN: False},
    "see_expert_contact": {ENTERPRISE: False, STAFF: True, EXPERT: OWN_PROFILE, ADMIN: True},
    "manage_users": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
    "read_audit_log": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
}


@dataclass(frozen=True)
class Principal:
    """Who is acting: a detached snapshot of a user, safe to keep in a UI session."""

    id: int
    username: str
    display_name: str
    role: str
    sub_centre_id: int | None = None
    expert_id: int | None = None
    organisation: str | None = None
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> "Principal":
        return cls(user.id, user.username, user.display_name or user.username, user.role,
                   user.sub_centre_id, user.expert_id, user.organisation, user.must_change_password)


class PermissionDenied(Exception):
    """Raised by services when the policy forbids an action."""


def can(user: Principal | None, action: str, record: Any = None) -> bool:
    """May `user` do `action` (on `record`, when given)?

    Without a record, a scoped rule answers "yes, for some records": that is what
    the UI needs to decide whether to show a page at all.
    """
    if user is None:
        return False
    rule = POLICY[action].get(user.role, False)
    if rule is True or rule is False:
        return rule
    if record is None:
        return True
    if rule == OWN_SUB_CENTRE:
        return user.sub_centre_id is not None and _attr(record, "sub_centre_id") == user.sub_centre_id
    if rule == OWN:
        return _attr(record, "enterprise_user_id") == user.id
    if rule == ASSIGNED:
        return user.expert_id is not None and _attr(record, "expert_id") == user.expert_id
    if rule == OWN_PROFILE:
        return user.expert_id is not None and _is_expert_record(record) and _attr(record, "id") == user.expert_id
    raise ValueError(f"unknown scope {rule!r}")


def require(user: Principal | None, action: str, record: Any = None) -> None:
    if not can(user, action, record):
        raise PermissionDenied(action)


def _attr(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _is_expert_record(record: Any) -> bool:
    if isinstance(record, dict):
        return record.get("entity") == "expert"
    return type(record).__name__ == "Expert"
