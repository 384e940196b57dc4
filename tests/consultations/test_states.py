"""The state machine (`states`) and the service (`workflow`) agree, on SQLite and PostgreSQL:
for every status x role x relation (own / another sub-centre's / asked on their behalf /
assigned to them or not), the moves `states.actions` lists are exactly those the service
accepts; the others are refused with errors.Denied (the policy) or errors.NotNow (the status),
and write nothing; and an accepted move leads to the status the machine says."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ipoverseas.access import policy
from ipoverseas.consultations import states, workflow as svc
from ipoverseas.core import db, errors
from ipoverseas.core.models import Consultation, ConsultationMessage, User, utcnow
from tests.consultations.helpers import build_world

USERS = ("ent_a", "ent_b", "staff_zj", "staff_zj2", "staff_gd", "exp_best", "exp_partial", "admin")


def _expert_for(world, c: dict) -> int:
    """An expert the service would take for this consultation (not the one it has)."""
    return world.experts["partial" if c["expert_id"] == world.experts["best"] else "best"]


# Each service entry point, with the moves it carries out.
CALLS = {
    "assign": ({"assign", "reassign"}, lambda w, u, c: svc.assign(u, c["id"], _expert_for(w, c))),
    "accept": ({"accept"}, lambda w, u, c: svc.accept(u, c["id"])),
    "decline": ({"decline"}, lambda w, u, c: svc.decline(u, c["id"], "in trial all week")),
    "answer": ({"answer"}, lambda w, u, c: svc.answer(u, c["id"], "File an answer within 21 days.")),
    "set_waiting": ({"request_info"}, lambda w, u, c: svc.set_waiting(u, c["id"], "Send the complaint.")),
    "resume": ({"resume"}, lambda w, u, c: svc.resume(u, c["id"])),
    "followup": ({"follow_up"}, lambda w, u, c: svc.post_message(u, c["id"], "And if we settle?", "followup")),
    "note": ({"note"}, lambda w, u, c: svc.post_message(u, c["id"], "See also ...", "note")),
    "staff_note": ({"staff_note"}, lambda w, u, c: svc.post_message(u, c["id"], "Called them.", "staff_note")),
    "rate": ({"rate"}, lambda w, u, c: svc.rate(u, c["id"], 4, "ok")),
    "close": ({"close"}, lambda w, u, c: svc.close(u, c["id"])),
    "record_followup": ({"record_outcome"}, lambda w, u, c: svc.record_followup(u, c["id"], "settled")),
}


def _stale(cid: int) -> None:
    with db.write_session() as s:
        s.execute(update(Consultation).where(Consultation.id == cid).values(assigned_at=utcnow() - timedelta(days=30)))


# Each state, built through the service from a question asked by `asker`.
STATES = {
    "new": [],
    "assigned": ["assign"],
    "assigned_stale": ["assign", _stale],
    "accepted": ["assign", "accept"],
    "waiting": ["assign", "accept", "wait"],
    "answered": ["assign", "answer"],
    "accepted_after_answer": ["assign", "answer", "follow_up"],
    "closed_unanswered": ["close"],
    "closed_answered": ["assign", "answer", "close"],
}


def _build(world, asker: str, steps) -> int:
    staff, ent, exp = world.p("staff_zj"), world.p("ent_a"), world.p("exp_best")
    question = svc.Question(company="Ningbo A Ltd", question="Sued in Texas: what now?", country="US",
                            ip_type="patent", industry="electronics", disclaimer_accepted=True,
                            sub_centre_id=world.zj, enterprise_user_id=ent.id)
    cid = svc.ask(world.p(asker), question)
    run = {"assign": lambda: svc.assign(staff, cid, world.experts["best"]), "accept": lambda: svc.accept(exp, cid),
           "wait": lambda: svc.set_waiting(exp, cid, "More, please."), "answer": lambda: svc.answer(exp, cid, "A."),
           "follow_up": lambda: svc.post_message(ent, cid, "And then?"), "close": lambda: svc.close(ent, cid)}
    for step in steps:
        step(cid) if callable(step) else run[step]()
    return cid


def _footprint(cid: int) -> tuple:
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        messages = s.scalar(select(func.count()).select_from(ConsultationMessage)
                            .where(ConsultationMessage.consultation_id == cid))
        return c.version, c.status, c.expert_id, messages


@pytest.fixture
def world(database):
    w = build_world()
    with db.write_session() as s:     # a second staff member of ZJ, who did not ask
        staff = s.scalar(select(User).where(User.username == "staff_zj"))
        s.add(User(username="staff_zj2", password_hash=staff.password_hash, role=policy.STAFF,
                   display_name="staff_zj2", sub_centre_id=w.zj))
    return w


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("asker", ["ent_a", "staff_zj"])
def test_actions_are_exactly_what_the_service_accepts(world, state, asker):
    shared = _build(world, asker, STATES[state])
    admin = world.p("admin")
    c = svc.get(admin, shared)
    status = c["status"]
    before = _footprint(shared)
    accepted: dict[str, set] = {}
    for username in USERS:
        user = world.p(username)
        moves = states.actions(user, c)
        assert moves <= set(states.MOVES), moves
        for call, (carries, fn) in CALLS.items():
            allowed = moves & carries
            if allowed:   # accepted, on a fresh consultation in the same state
                (move,) = allowed
                cid = _build(world, asker, STATES[state])
                fresh = svc.get(admin, cid)
                fn(world, user, fresh)
                after = svc.get(admin, cid)["status"]
                assert after == states.MOVES[move].leads_to(status), (username, call, status, after)
                accepted.setdefault(username, set()).add(move)
                continue
            permitted = any(policy.can(user, states.MOVES[m].permission, c) for m in carries)
            with pytest.raises(errors.NotNow if permitted else errors.Denied):
                fn(world, user, c)
            assert _footprint(shared) == before, (username, call)
    # Who may do what, by relation: a few landmarks of the rules the loop above checked.
    if state == "new":
        assert accepted["staff_zj2"] >= {"assign", "staff_note", "close"} and "staff_gd" not in accepted
        assert accepted["ent_a"] == {"follow_up", "close"} and "ent_b" not in accepted
    if state == "assigned_stale":
        assert "reassign" in accepted["admin"] and "assign" not in accepted["admin"]
    if state == "answered":
        assert accepted["exp_best"] == {"note"} and "exp_partial" not in accepted
        assert {"rate", "follow_up", "close"} <= accepted["ent_a"]
    if state.startswith("closed"):
        assert all(moves <= {"staff_note", "rate", "record_outcome"} for moves in accepted.values())
    if asker == "staff_zj" and state != "closed_unanswered":
        assert "follow_up" in accepted["staff_zj"] or state.startswith("closed")
        assert "follow_up" not in accepted.get("staff_zj2", set())


def test_a_post_without_a_kind_takes_the_users_own(world):
    cid = _build(world, "staff_zj", ["assign", "answer"])
    svc.post_message(world.p("staff_zj"), cid, "A follow-up, asked on the enterprise's behalf.")
    assert svc.get(world.p("admin"), cid)["status"] == "accepted"        # the asker's post is a follow-up
    svc.post_message(world.p("staff_zj2"), cid, "A sub-centre note.")
    kinds = [m["kind"] for m in svc.get(world.p("admin"), cid)["messages"]]
    assert kinds[-2:] == ["followup", "staff_note"]
    with pytest.raises(errors.Denied):
        svc.post_message(world.p("exp_partial"), cid, "not mine")
    with pytest.raises(ValueError):
        svc.post_message(world.p("staff_zj"), cid, "x", "shout")


def test_reassignment_waits_three_working_days():
    """`is_stale` and the queue's SQL use one comparison (`stale_before`)."""
    now = utcnow()
    assigned = {"status": "assigned", "assigned_at": states.stale_before(now)}
    assert states.is_stale(assigned, now)
    assert not states.is_stale({**assigned, "assigned_at": assigned["assigned_at"] + timedelta(seconds=1)}, now)
    assert not states.is_stale({**assigned, "status": "accepted"}, now)
