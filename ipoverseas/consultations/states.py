"""The consultation's state machine: its statuses, the moves between them, and which moves a
user may make on a consultation now (`actions`).

    new --assign--> assigned --accept--> accepted --answer--> answered --close--> closed
                    assigned --reassign (not accepted within 3 working days)--> assigned
                    assigned / accepted --decline--> new
                    assigned / accepted --request_info--> waiting --resume / follow_up--> accepted
                    assigned / accepted / waiting --answer--> answered (accepting on the way)
                    answered --follow_up (a follow-up question)--> accepted
                    any but closed --close--> closed

Besides those, moves that leave the status alone: `note` (the expert's post), `staff_note`, `rate`
(once answered: also while a follow-up question is open, since the enterprise rates the answers
it has received) and `record_outcome` (staff record what happened after the dispute).

The expert accepts either with `accept` or by answering: `answer` from `assigned` accepts on
the way (`answering_accepts`; the page says so next to the answer box).

A move is possible when the policy lets this user do its permission (an action of
`ipoverseas.access.actions`) to this consultation, AND the consultation's state allows it. The
service (`workflow`) checks every move with `check` before it writes, and the pages show the
controls of `actions(user, consultation)`: so a move the pages offer is one the service accepts,
and any other is refused, with `errors.Denied` (not this user's to do) or `errors.NotNow` (not in
this state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.consultations import calendar
from ipoverseas.core import errors, vocab
from ipoverseas.core.models import utcnow

STATUSES = vocab.CONSULTATION_STATUSES.codes
OPEN = vocab.CONSULTATION_OPEN                      # until answered
WITH_EXPERT = vocab.CONSULTATION_WITH_EXPERT        # the expert holds it
NOT_CLOSED = OPEN + ("answered",)
ACCEPT_WITHIN_DAYS = 3   # working days an expert has to accept before staff may reassign


def _get(c: Any, name: str) -> Any:
    return c.get(name) if isinstance(c, Mapping) else getattr(c, name, None)


def stale_before(now: datetime) -> datetime:
    """Assigned at or before this instant = not accepted within ACCEPT_WITHIN_DAYS working days
    (one comparison, also in SQL: `Consultation.assigned_at <= stale_before(now)`)."""
    return calendar.latest_start(now, ACCEPT_WITHIN_DAYS)


def is_stale(c: Any, now: datetime | None = None) -> bool:
    """Assigned, and not accepted within ACCEPT_WITHIN_DAYS working days: staff may reassign it."""
    assigned_at = _get(c, "assigned_at")
    return (_get(c, "status") == "assigned" and assigned_at is not None
            and assigned_at <= stale_before(now or utcnow()))


def _answered(c: Any, now: datetime) -> bool:
    return _get(c, "answered_at") is not None


def _always(c: Any, now: datetime) -> bool:
    return True


@dataclass(frozen=True)
class Move:
    """Something a user does to a consultation. `edges`: the statuses it may start from, each
    with the status it leads to; `when`: a further condition on the consultation (now)."""

    name: str
    permission: str
    edges: Mapping[str, str]
    when: Callable[[Any, datetime], bool] = field(default=_always)

    def leads_to(self, status: str) -> str | None:
        return self.edges.get(status)


def _to(sources: tuple[str, ...], target: str | None = None) -> dict[str, str]:
    """Each of `sources` to `target` (None: the status stays as it is)."""
    return {s: target or s for s in sources}


MOVES: dict[str, Move] = {m.name: m for m in (
    Move("assign", "triage_consultation", _to(("new",), "assigned")),
    Move("reassign", "triage_consultation", _to(("assigned",), "assigned"), when=is_stale),
    Move("accept", "answer_consultation", _to(("assigned",), "accepted")),
    Move("decline", "answer_consultation", _to(("assigned", "accepted"), "new")),
    Move("answer", "answer_consultation", _to(WITH_EXPERT, "answered")),
    Move("request_info", "answer_consultation", _to(("assigned", "accepted"), "waiting")),
    Move("resume", "resume_consultation", _to(("waiting",), "accepted")),
    Move("follow_up", "follow_up_consultation",
         {**_to(("new", "assigned", "accepted")), "waiting": "accepted", "answered": "accepted"}),
    Move("note", "answer_consultation", _to(WITH_EXPERT + ("answered",))),
    Move("staff_note", "triage_consultation", _to(STATUSES)),
    Move("rate", "follow_up_consultation", _to(STATUSES), when=_answered),
    Move("close", "close_consultation", _to(NOT_CLOSED, "closed")),
    Move("record_outcome", "triage_consultation", _to(STATUSES), when=_answered),
)}

MESSAGE_MOVES = {"followup": "follow_up", "note": "note", "staff_note": "staff_note"}
"""A post in the thread, by its kind (`ConsultationMessage.kind`): the move it is."""


def answering_accepts(c: Any) -> bool:
    """Whether sending an answer to this consultation now also accepts the assignment."""
    return _get(c, "status") == "assigned" and MOVES["answer"].leads_to("assigned") is not None


def awaiting_answer(c: Any) -> str | None:
    """What is still unanswered: "followup" (a follow-up question after an answer), "question"
    (the question itself, never answered), or None. Closing then asks for confirmation."""
    if _get(c, "status") not in OPEN:
        return None
    return "followup" if _get(c, "answered_at") is not None else "question"


def check(user: Principal, c: Any, move: str, now: datetime | None = None) -> Move:
    """The move, if this user may make it on this consultation now; else `errors.Denied` (the
    policy forbids it) or `errors.NotNow` (not in the consultation's present state)."""
    m = MOVES[move]
    if not policy.can(user, m.permission, c):
        raise errors.Denied(action=m.permission)
    status = _get(c, "status")
    if m.leads_to(status) is None or not m.when(c, now or utcnow()):
        raise errors.NotNow("service.error.not_now", action=move, status=status)
    return m


def allowed(user: Principal, c: Any, move: str, now: datetime | None = None) -> bool:
    try:
        check(user, c, move, now)
    except (errors.Denied, errors.NotNow):
        return False
    return True


def actions(user: Principal, c: Any, now: datetime | None = None) -> frozenset[str]:
    """The moves (names of MOVES) this user may make on this consultation now.

    `c`: a Consultation row or its dict (`workflow.get`); it needs the status, assigned_at,
    answered_at and the columns the policy reads (enterprise_user_id, created_by_id,
    sub_centre_id, expert_id).
    """
    now = now or utcnow()
    return frozenset(name for name in MOVES if allowed(user, c, name, now))


def message_kind(user: Principal, c: Any) -> str:
    """The kind a post of this user takes when they do not say: the asker's is a follow-up, the
    assigned expert's a note, staff's a staff note (in that order); else `errors.Denied`."""
    for kind, move in MESSAGE_MOVES.items():
        if policy.can(user, MOVES[move].permission, c):
            return kind
    raise errors.Denied(action="message")
