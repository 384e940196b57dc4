"""The one permission policy (DESIGN.md §4): who may do what, to which records.

One registry of actions (`ipoverseas.access.actions.ACTIONS`). Each action names the kind of record
it concerns and, for every role, a scope: everywhere, nowhere, or a relation between the user and
the record ("their own sub-centre's", "assigned to them"...). A scope answers in two ways, so the
two answers cannot disagree (datasette's permission design is the model):

- `can(user, action, record)`: may this user do it to this record (or, without a record, to some)?
- `where(user, action, table)`: which rows may this user do it to, as a SQL condition that a
  service adds to its query, so a page can never list, count or open a row the policy forbids.

Services call these; pages only hide what the policy already forbids (`PageSpec.action`). Nothing
else in the code compares roles. The policy table of the README is generated from the registry
(`python -m ipoverseas policy --markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy import ColumnElement, and_, false, or_, true

from ipoverseas.core import vocab
from ipoverseas.core.errors import Denied
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

    @classmethod
    def of(cls, user: User) -> "Principal":
        return cls(user.id, user.username, user.display_name or user.username, user.role,
                   user.sub_centre_id, user.expert_id, user.organisation, user.must_change_password)


# --- resources: the kinds of record an action concerns, and the columns the scopes read ----------


@dataclass(frozen=True)
class Resource:
    """A kind of record. `status` is the column that says "published", where it has one."""

    name: str
    model: Callable[[], Any]          # the table's model, looked up late (models import nothing from here)
    status: str | None = None


def model_named(name: str) -> Callable[[], Any]:
    def get() -> Any:
        from ipoverseas.core import models
        return getattr(models, name)
    return get


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
class _Combined(Scope):
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


def Either(first: Scope, second: Scope) -> _Combined:
    return _Combined(first, second, any, or_, ("{} and {}", "{}及{}"))


def Both(first: Scope, second: Scope) -> _Combined:
    return _Combined(first, second, all, and_, ("{}, if {}", "{1}{0}"))


ANY, NONE = _Any(), _None()
PUBLISHED, OWN_SUB_CENTRE = _Published(), _OwnSubCentre()
ASKER, ASKED_BY_THEM, ASSIGNED = _Asker(), _AskedByThem(), _Assigned()
OWN_PROFILE, SELF = _OwnProfile(), _Self()


# --- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """Something a user may do. `rules` gives every role its scope; `en`/`zh` describe it in the table."""

    name: str
    resource: Resource | None
    rules: Mapping[str, Scope]
    en: str
    zh: str

    def scope(self, user: Principal) -> Scope:
        return self.rules.get(user.role, NONE)

    def roles(self) -> tuple[str, ...]:
        """The roles that may do it to some record (the pages for it are in their navigation)."""
        return tuple(role for role in ROLES if self.rules.get(role, NONE) is not NONE)


def _action(name: str) -> Action:
    from ipoverseas.access.actions import ACTIONS  # the registry is data; it imports this module
    return ACTIONS[name]


def can(user: Principal | None, action: str, record: Any = None) -> bool:
    """May `user` do `action` to `record`? Without a record: to some record (may the page show)."""
    rule = _action(action)
    if user is None:
        return False
    scope = rule.scope(user)
    if record is None:
        return scope.possible(user)
    return scope.possible(user) and scope.allows(user, record, rule.resource)


def require(user: Principal | None, action: str, record: Any = None) -> None:
    """`can`, or `Denied`."""
    if not can(user, action, record):
        raise Denied(action=action)


def where(user: Principal | None, action: str, table: Any = None, *, indexed: bool = True) -> ColumnElement[bool]:
    """The rows of `table` (default: the action's resource table) this user may do `action` to.

    `table` may be another table with the columns the scope reads (the case count tables keep
    `review_status` and `sub_centre_id`). `indexed=False` keeps the columns off their indexes (see
    `_column`).
    """
    rule = _action(action)
    if user is None:
        return false()
    scope = rule.scope(user)
    if not scope.possible(user):
        return false()
    if table is None:
        table = rule.resource.model()
    return scope.sql(user, table, rule.resource, indexed)


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may do `action` to some record (a page for it is in their navigation)."""
    return _action(action).roles()


def may_open(user: Principal | None, action: str | None) -> bool:
    """May the user open a page for `action` (None: any signed-in user)? Decided by role, so a page
    stays in a role's navigation even where its records are none of this user's yet; the services
    then check each record."""
    return user is not None and (action is None or user.role in roles_for(action))


def model_for(action: str) -> Any:
    """The table model of the records `action` concerns."""
    return _action(action).resource.model()


def sees_all(user: Principal | None, action: str) -> bool:
    """True when the user may do `action` to every record (their `where` is no condition at all)."""
    return user is not None and _action(action).scope(user) is ANY


def is_union(user: Principal | None, action: str) -> bool:
    """True when the user's rows for `action` are a union (an OR in SQL), which a query may keep off
    the indexes (`indexed=False`): read through an OR, the database gathers most of the table."""
    scope = _action(action).scope(user) if user is not None else None
    return isinstance(scope, _Combined) and scope.sql_join is or_


def table_markdown(lang: str = "en") -> str:
    """The policy table of the README, generated from the registry."""
    from ipoverseas.access.actions import ACTIONS
    from ipoverseas.core import i18n

    header = [i18n.t("policy.action", lang)] + [vocab.ROLES.label(role, lang) for role in ROLES]
    lines = ["| " + " | ".join(header) + " |", "| --- " * len(header) + "|"]
    for action in ACTIONS.values():
        cells = [getattr(action.rules.get(role, NONE), lang) for role in ROLES]
        lines.append("| " + " | ".join([f"{getattr(action, lang)} (`{action.name}`)", *cells]) + " |")
    return "\n".join(lines)
