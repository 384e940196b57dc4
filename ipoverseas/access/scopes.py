"""Scopes: the relations between a user and a record that the policy's rules name ("their own
sub-centre's", "assigned to them"...). Each scope answers twice, for one record (`allows`) and as
a SQL condition over a table (`sql`), so the two answers cannot disagree (tests/access/test_policy.py
checks them against each other on every record of the demo data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import ColumnElement, and_, false, or_, true

from ipoverseas.access.principal import Principal


# --- resources: the kinds of record an action concerns, and the columns the scopes read ----------


@dataclass(frozen=True)
class Resource:
    """A kind of record. `status` is the column that says "published", where it has one."""

    name: str
    model: Any                        # the table's model
    status: str | None = None


# --- scopes: a relation between a user and a record, as a check and as SQL ------------------------


class Scope:
    """Which records of a resource a role's rule covers. Subclasses define both answers."""

    en = zh = ""

    def possible(self, user: Principal) -> bool:
        """Could this user hold it on some record at all (staff without a sub-centre own nothing)."""
        return True

    def allows(self, user: Principal, record: Any, resource: Resource | None) -> bool:
        raise NotImplementedError

    def sql(self, user: Principal, table: Any, resource: Resource | None, indexed: bool) -> ColumnElement[bool]:
        raise NotImplementedError

    def __or__(self, other: "Scope") -> "Scope":
        return Either(self, other)

    def __and__(self, other: "Scope") -> "Scope":
        return Both(self, other)


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def _column(table: Any, name: str, indexed: bool) -> Any:
    """A column, or (indexed=False) the same values in a no-op expression the planner will not
    seek an index for: a page in date order then walks the date index instead of gathering most of
    the table through a scope's OR."""
    column = getattr(table, name)
    if indexed:
        return column
    return column + 0 if name.endswith("_id") else column.concat("")


class _Any(Scope):
    en, zh = "yes", "可以"

    def allows(self, user, record, resource):
        return True

    def sql(self, user, table, resource, indexed):
        return true()


class _None(Scope):
    en, zh = "no", "不可以"

    def possible(self, user):
        return False

    def allows(self, user, record, resource):
        return False

    def sql(self, user, table, resource, indexed):
        return false()


class _Published(Scope):
    en, zh = "published ones", "已发布的"

    def allows(self, user, record, resource):
        return _get(record, resource.status) == "published"

    def sql(self, user, table, resource, indexed):
        return _column(table, resource.status, indexed) == "published"


class _OwnSubCentre(Scope):
    en, zh = "own sub-centre's", "本分中心的"

    def possible(self, user):
        return user.sub_centre_id is not None

    def allows(self, user, record, resource):
        return user.sub_centre_id is not None and _get(record, "sub_centre_id") == user.sub_centre_id

    def sql(self, user, table, resource, indexed):
        if user.sub_centre_id is None:
            return false()
        return _column(table, "sub_centre_id", indexed) == user.sub_centre_id


class _ConcerningRegion(Scope):
    """Another sub-centre's record about an enterprise of the user's sub-centre's province (the case's
    `province`, 企业所在省份, is the Chinese party's): "concerning your region"."""

    en, zh = "other sub-centres' cases about enterprises of their province", "其他分中心报送的、涉及本省企业的"

    def possible(self, user):
        return user.sub_centre_id is not None and bool(user.province)

    def allows(self, user, record, resource):
        return (self.possible(user) and _get(record, "province") == user.province
                and _get(record, "sub_centre_id") != user.sub_centre_id)

    def sql(self, user, table, resource, indexed):
        if not self.possible(user):
            return false()
        return and_(_column(table, "province", indexed) == user.province,
                    _column(table, "sub_centre_id", indexed) != user.sub_centre_id)


class _Asker(Scope):
    en, zh = "own", "本企业的"

    def allows(self, user, record, resource):
        return _get(record, "enterprise_user_id") == user.id

    def sql(self, user, table, resource, indexed):
        return table.enterprise_user_id == user.id


class _AskedByThem(Scope):
    en, zh = "those they asked", "本人代为提出的"

    def allows(self, user, record, resource):
        return _get(record, "created_by_id") == user.id

    def sql(self, user, table, resource, indexed):
        return table.created_by_id == user.id


class _Assigned(Scope):
    en, zh = "assigned to them", "分派给本人的"

    def possible(self, user):
        return user.expert_id is not None

    def allows(self, user, record, resource):
        return user.expert_id is not None and _get(record, "expert_id") == user.expert_id

    def sql(self, user, table, resource, indexed):
        return table.expert_id == user.expert_id if user.expert_id is not None else false()


class _OwnProfile(Scope):
    en, zh = "own profile", "本人档案"

    def possible(self, user):
        return user.expert_id is not None

    def allows(self, user, record, resource):
        return user.expert_id is not None and _get(record, "id") == user.expert_id

    def sql(self, user, table, resource, indexed):
        return table.id == user.expert_id if user.expert_id is not None else false()


class _Self(Scope):
    en, zh = "own account", "本人账户"

    def allows(self, user, record, resource):
        return _get(record, "id") == user.id

    def sql(self, user, table, resource, indexed):
        return table.id == user.id


@dataclass(frozen=True, eq=False)
class Combined(Scope):
    """Two scopes joined: `Either` (the records of one or the other) or `Both` (of the two at once)."""

    first: Scope
    second: Scope

    join: Any = None                 # any / all, over the two checks
    sql_join: Any = None             # or_ / and_, over the two conditions
    words: tuple[str, str] = ("", "")  # (en, zh) templates for the policy table

    @property
    def en(self) -> str:  # type: ignore[override]
        return self.words[0].format(self.first.en, self.second.en)

    @property
    def zh(self) -> str:  # type: ignore[override]
        return self.words[1].format(self.first.zh, self.second.zh)

    def possible(self, user):
        return self.join(scope.possible(user) for scope in (self.first, self.second))

    def allows(self, user, record, resource):
        return self.join(scope.allows(user, record, resource) for scope in (self.first, self.second))

    def sql(self, user, table, resource, indexed):
        return self.sql_join(*(scope.sql(user, table, resource, indexed) for scope in (self.first, self.second)))


def Either(first: Scope, second: Scope) -> Combined:
    return Combined(first, second, any, or_, ("{} and {}", "{}及{}"))


def Both(first: Scope, second: Scope) -> Combined:
    return Combined(first, second, all, and_, ("{}, if {}", "{1}{0}"))


ANY, NONE = _Any(), _None()
PUBLISHED, OWN_SUB_CENTRE, CONCERNING_REGION = _Published(), _OwnSubCentre(), _ConcerningRegion()
ASKER, ASKED_BY_THEM, ASSIGNED = _Asker(), _AskedByThem(), _Assigned()
OWN_PROFILE, SELF = _OwnProfile(), _Self()
