"""Who is acting: the roles, and a user as the policy sees them (`Principal`)."""

from __future__ import annotations

from dataclasses import dataclass

from ipoverseas.core import vocab
from ipoverseas.core.models import User

ENTERPRISE, STAFF, EXPERT, ADMIN = ROLES = vocab.ROLES.codes


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
    province: str | None = None          # the province of their sub-centre (cases "concerning their region")

    @classmethod
    def of(cls, user: User) -> "Principal":
        return cls(user.id, user.username, user.display_name or user.username, user.role,
                   user.sub_centre_id, user.expert_id, user.organisation, user.must_change_password,
                   user.sub_centre.province if user.sub_centre is not None else None)
