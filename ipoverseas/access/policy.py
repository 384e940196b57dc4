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

from typing import Any

from sqlalchemy import ColumnElement, false, or_

from ipoverseas.access.actions import ACTIONS, Action
from ipoverseas.access.principal import ADMIN, ENTERPRISE, EXPERT, ROLES, STAFF, Principal  # noqa: F401  (the policy's words)
from ipoverseas.access.scopes import ANY, NONE, Combined
from ipoverseas.core import vocab
from ipoverseas.core.errors import Denied


def _action(name: str) -> Action:
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
    `scopes._column`).
    """
    rule = _action(action)
    if user is None:
        return false()
    scope = rule.scope(user)
    if not scope.possible(user):
        return false()
    if table is None:
        table = rule.resource.model
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
    return _action(action).resource.model


def sees_all(user: Principal | None, action: str) -> bool:
    """True when the user may do `action` to every record (their `where` is no condition at all)."""
    return user is not None and _action(action).scope(user) is ANY


def is_union(user: Principal | None, action: str) -> bool:
    """True when the user's rows for `action` are a union (an OR in SQL), which a query may keep off
    the indexes (`indexed=False`): read through an OR, the database gathers most of the table."""
    scope = _action(action).scope(user) if user is not None else None
    return isinstance(scope, Combined) and scope.sql_join is or_


def table_markdown(lang: str = "en") -> str:
    """The policy table of the README, generated from the registry."""
    from ipoverseas.core import i18n

    header = [i18n.t("policy.action", lang)] + [vocab.ROLES.label(role, lang) for role in ROLES]
    lines = ["| " + " | ".join(header) + " |", "| --- " * len(header) + "|"]
    for action in ACTIONS.values():
        cells = [getattr(action.rules.get(role, NONE), lang) for role in ROLES]
        lines.append("| " + " | ".join([f"{getattr(action, lang)} (`{action.name}`)", *cells]) + " |")
    return "\n".join(lines)
