"""The append-only audit trail: who, when (UTC), what, on which record, before -> after."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ipoverseas.core.models import AuditEvent, utcnow

if TYPE_CHECKING:
    from ipoverseas.access.policy import Principal


def jsonable(value: Any) -> Any:
    """Make a value JSON-safe (dates as ISO text, decimals as strings)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def record(session: Session, actor: "Principal | None", action: str, entity: str | None,
           entity_id: int | None, *, before: dict | None = None, after: dict | None = None,
           detail: dict | None = None) -> AuditEvent:
    """Append one event in the caller's transaction, so it commits (or not) with the change."""
    payload: dict[str, Any] = dict(detail or {})
    if before is not None:
        payload["before"] = before
    if after is not None:
        payload["after"] = after
    event = AuditEvent(
        at=utcnow(), user_id=actor.id if actor else None, username=actor.username if actor else None,
        sub_centre_id=actor.sub_centre_id if actor else None, action=action, entity=entity,
        entity_id=entity_id, detail=json.loads(json.dumps(jsonable(payload))) if payload else None,
    )
    session.add(event)
    return event


class AppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


def _refuse(mapper, connection, target) -> None:
    raise AppendOnly("the audit trail is append-only")


# The application can only append: the ORM refuses updates and deletes of events.
from sqlalchemy import event as _event  # noqa: E402

_event.listen(AuditEvent, "before_update", _refuse)
_event.listen(AuditEvent, "before_delete", _refuse)
