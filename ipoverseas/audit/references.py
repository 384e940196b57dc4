"""The records an audit detail names by id (a sub-centre, an expert, a user), as their names.

A detail keeps ids, so that it stays true when a name changes; a reader wants the name. `names`
collects the ids of the known fields from the details about to be shown and reads their names in
one query per kind of record; `labels.value` then shows "浙江分中心" instead of 3, and the id where
the record is gone.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipoverseas.core.models import Expert, SubCentre, User

SUB_CENTRE_FIELDS = ("sub_centre_id", "owner_sub_centre_id", "from_sub_centre_id", "to_sub_centre_id")
EXPERT_FIELDS = ("expert_id",)
USER_FIELDS = ("user_id", "created_by_id", "enterprise_user_id", "submitted_by", "reviewed_by", "assigned_by")
FIELDS = SUB_CENTRE_FIELDS + EXPERT_FIELDS + USER_FIELDS

Names = dict[str, dict[int, str]]


def _ids(detail: Any, into: dict[str, set[int]]) -> None:
    if not isinstance(detail, dict):
        return
    for key, value in detail.items():
        if key in FIELDS and isinstance(value, int) and not isinstance(value, bool):
            into.setdefault(key, set()).add(value)
        elif isinstance(value, dict):
            _ids(value, into)


def names(session: Session, details: Iterable[Any], lang: str) -> Names:
    """{field: {id: name}} for the ids the details name under FIELDS."""
    wanted: dict[str, set[int]] = {}
    for detail in details:
        _ids(detail, wanted)
    out: Names = {}
    kinds = ((SUB_CENTRE_FIELDS, _sub_centres), (EXPERT_FIELDS, _experts), (USER_FIELDS, _users))
    for fields, read in kinds:
        ids = set().union(*(wanted.get(f, set()) for f in fields))
        if ids:
            found = read(session, ids, lang)
            out.update({f: found for f in fields if f in wanted})
    return out


def _sub_centres(session: Session, ids: set[int], lang: str) -> dict[int, str]:
    rows = session.execute(select(SubCentre.id, SubCentre.name_zh, SubCentre.name_en).where(SubCentre.id.in_(ids)))
    return {i: (en if lang == "en" and en else zh) for i, zh, en in rows}


def _experts(session: Session, ids: set[int], lang: str) -> dict[int, str]:
    return dict(session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(ids))).all())


def _users(session: Session, ids: set[int], lang: str) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
