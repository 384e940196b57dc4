"""The permission policy, cell by cell against DESIGN.md §4, and its SQL scopes."""

import pytest

from ipoverseas.access import policy
from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF, Principal, can

ENT = Principal(1, "ent", "Ent", ENTERPRISE)
ENT2 = Principal(2, "ent2", "Ent2", ENTERPRISE)
STAFF_X = Principal(3, "sx", "Staff X", STAFF, sub_centre_id=10)
STAFF_Y = Principal(4, "sy", "Staff Y", STAFF, sub_centre_id=20)
EXP = Principal(5, "exp", "Expert", EXPERT, expert_id=100)
ADM = Principal(6, "adm", "Admin", ADMIN)

CASE_X = {"sub_centre_id": 10}
CASE_Y = {"sub_centre_id": 20}
CONS_ENT_X = {"enterprise_user_id": 1, "sub_centre_id": 10, "expert_id": 100}
CONS_ENT2_Y = {"enterprise_user_id": 2, "sub_centre_id": 20, "expert_id": 101}
OWN_PROFILE = {"entity": "expert", "id": 100}
OTHER_PROFILE = {"entity": "expert", "id": 101}

# (action, record, {user: expected}) — one row per cell group of the design table.
CELLS = [
    ("read_published_articles", None, {ENT: True, STAFF_X: True, EXP: True, ADM: True}),
    ("read_published_cases", None, {ENT: True, STAFF_X: True, EXP: True, ADM: True}),
    ("read_unpublished_cases", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("edit_records", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("edit_records", OWN_PROFILE, {EXP: True, ENT: False, ADM: True}),
    ("edit_records", OTHER_PROFILE, {EXP: False}),
    ("rollback_batch", CASE_Y, {ENT: False, STAFF_X: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("review_cases", CASE_X, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("ask_consultation", None, {ENT: True, STAFF_X: True, EXP: False, ADM: False}),
    ("read_consultation", CONS_ENT_X, {ENT: True, ENT2: False, STAFF_X: True, STAFF_Y: False, EXP: True, ADM: True}),
    ("read_consultation", CONS_ENT2_Y, {ENT: False, ENT2: True, STAFF_X: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("answer_consultation", CONS_ENT_X, {ENT: False, STAFF_X: False, EXP: True, ADM: False}),
    ("answer_consultation", CONS_ENT2_Y, {EXP: False}),
    ("see_expert_contact", OWN_PROFILE, {ENT: False, STAFF_X: True, EXP: True, ADM: True}),
    ("see_expert_contact", OTHER_PROFILE, {EXP: False}),
    ("manage_users", None, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("read_audit_log", None, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
]


@pytest.mark.parametrize("action,record,expected", CELLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CELLS)])
def test_policy_cell(action, record, expected):
    for user, allowed in expected.items():
        assert can(user, action, record) is allowed, (action, user.username, record)


def test_every_action_covers_every_role():
    for action, rules in policy.POLICY.items():
        assert set(rules) == set(policy.ROLES), action


def test_nobody_logged_in_may_do_nothing():
    assert not any(can(None, action) for action in policy.POLICY)


def test_staff_without_sub_centre_owns_nothing():
    orphan = Principal(9, "o", "O", STAFF, sub_centre_id=None)
    assert not can(orphan, "edit_records", {"sub_centre_id": None})


def test_require_raises():
    with pytest.raises(policy.PermissionDenied):
        policy.require(ENT, "review_cases")


def test_case_scope_in_sql(demo_database, principal):
    from sqlalchemy import func, select

    from ipoverseas.core import db
    from ipoverseas.core.models import Case
    from ipoverseas.access.scopes import case_scope

    staff, enterprise, admin = principal("staff"), principal("enterprise"), principal("admin")
    with db.read_session() as s:
        def visible(user, *where):
            return s.scalar(select(func.count()).select_from(Case).where(case_scope(user), *where))

        unpublished = Case.review_status != "published"
        assert visible(enterprise, unpublished) == 0
        assert visible(admin, unpublished) == s.scalar(select(func.count()).select_from(Case).where(unpublished))
        assert visible(staff, unpublished, Case.sub_centre_id != staff.sub_centre_id) == 0
        assert visible(None) == 0
