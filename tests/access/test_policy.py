"""The permission policy: the registry cell by cell against DESIGN.md §4, and its two answers (a check
on one record, a SQL condition for many) agreeing for every action, role and record of the demo data.

The pages' side of each row is tests/pages/test_policy.py (AppTest, for every role)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.access.actions import ACTIONS
from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF, Principal, can
from ipoverseas.core import db, errors

ENT = Principal(1, "ent", "Ent", ENTERPRISE)
ENT2 = Principal(2, "ent2", "Ent2", ENTERPRISE)
STAFF_X = Principal(3, "sx", "Staff X", STAFF, sub_centre_id=10)
STAFF_Y = Principal(4, "sy", "Staff Y", STAFF, sub_centre_id=20)
EXP = Principal(5, "exp", "Expert", EXPERT, expert_id=100)
ADM = Principal(6, "adm", "Admin", ADMIN)

STAFF_X_PROV = Principal(7, "sxp", "Staff X", STAFF, sub_centre_id=10, province="ZJ")
STAFF_Y_PROV = Principal(8, "syp", "Staff Y", STAFF, sub_centre_id=20, province="GD")
CASE_X = {"sub_centre_id": 10, "review_status": "submitted"}
CASE_X_ABOUT_Y = {"sub_centre_id": 10, "review_status": "submitted", "province": "GD"}
CASE_X_ABOUT_Y_PUBLISHED = {**CASE_X_ABOUT_Y, "review_status": "published"}
CASE_X_PUBLISHED = {"sub_centre_id": 10, "review_status": "published"}
CONS_ENT_X = {"enterprise_user_id": 1, "sub_centre_id": 10, "expert_id": 100, "created_by_id": 1}
CONS_ENT2_Y = {"enterprise_user_id": 2, "sub_centre_id": 20, "expert_id": 101, "created_by_id": 4}
OWN_PROFILE = {"id": 100, "sub_centre_id": 10}
OTHER_PROFILE = {"id": 101, "sub_centre_id": 20}

# (action, record, {user: expected}): the design table's rows, cell by cell.
CELLS = [
    ("read_article", CASE_X_PUBLISHED | {"status": "published"}, {ENT: True, STAFF_Y: True, EXP: True, ADM: True}),
    ("read_case", CASE_X_PUBLISHED, {ENT: True, STAFF_Y: True, EXP: True, ADM: True}),
    ("read_case", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("see_confidential_party", CASE_X_PUBLISHED, {ENT: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("edit_case", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("edit_expert", OWN_PROFILE, {EXP: True, ENT: False, STAFF_X: True, STAFF_Y: False, ADM: True}),
    ("edit_expert", OTHER_PROFILE, {EXP: False}),
    ("keep_own_profile", OWN_PROFILE, {EXP: True, STAFF_X: False, ADM: False}),
    ("rollback_batch", CASE_Y := {"sub_centre_id": 20}, {ENT: False, STAFF_X: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("import_records", CASE_Y, {ENT: False, STAFF_X: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("review_cases", CASE_X, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("read_analytics", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("ask_consultation", None, {ENT: True, STAFF_X: True, EXP: False, ADM: False}),
    ("read_consultation", CONS_ENT_X, {ENT: True, ENT2: False, STAFF_X: True, STAFF_Y: False, EXP: True, ADM: True}),
    ("read_consultation", CONS_ENT2_Y, {ENT: False, ENT2: True, STAFF_X: False, STAFF_Y: True, EXP: False, ADM: True}),
    ("triage_consultation", CONS_ENT_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("answer_consultation", CONS_ENT_X, {ENT: False, STAFF_X: False, EXP: True, ADM: False}),
    ("answer_consultation", CONS_ENT2_Y, {EXP: False}),
    ("follow_up_consultation", CONS_ENT_X, {ENT: True, ENT2: False, STAFF_X: False, EXP: False, ADM: False}),
    ("follow_up_consultation", CONS_ENT2_Y, {STAFF_Y: True, STAFF_X: False}),
    ("close_consultation", CONS_ENT_X, {ENT: True, ENT2: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
    ("resume_consultation", CONS_ENT_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: True, ADM: True}),
    ("see_expert_contact", OWN_PROFILE, {ENT: False, STAFF_Y: True, EXP: True, ADM: True}),
    ("see_expert_contact", OTHER_PROFILE, {EXP: False}),
    ("keep_own_account", {"id": 1}, {ENT: True, ENT2: False, ADM: False}),
    ("manage_users", None, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("read_audit_log", None, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    # information sharing (issue 17): Y's staff see X's published cases about Y's province's enterprises
    ("read_region_cases", CASE_X_ABOUT_Y_PUBLISHED, {STAFF_Y_PROV: True, STAFF_X_PROV: False, STAFF_Y: False,
                                                     ENT: False, EXP: False, ADM: False}),
    ("read_region_cases", CASE_X_ABOUT_Y, {STAFF_Y_PROV: False}),                     # not before it is published
    ("read_region_cases", {**CASE_X_ABOUT_Y_PUBLISHED, "province": "ZJ"}, {STAFF_Y_PROV: False}),
    ("read_region_cases", {**CASE_X_ABOUT_Y_PUBLISHED, "sub_centre_id": 20}, {STAFF_Y_PROV: False}),   # its own
    ("resolve_duplicates", CASE_X, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("route_alerts", {"status": "draft"}, {ENT: False, STAFF_X: False, EXP: False, ADM: True}),
    ("read_data_quality", CASE_X, {ENT: False, STAFF_X: True, STAFF_Y: False, EXP: False, ADM: True}),
]


@pytest.mark.parametrize("action,record,expected", CELLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CELLS)])
def test_policy_cell(action, record, expected):
    for user, allowed in expected.items():
        assert can(user, action, record) is allowed, (action, user.username, record)


def test_every_action_covers_every_role_and_is_described_in_both_languages():
    for action in ACTIONS.values():
        assert set(action.rules) == set(policy.ROLES), action.name
        assert action.en and action.zh, action.name


def test_nobody_logged_in_may_do_nothing():
    assert not any(can(None, name) for name in ACTIONS)
    assert not any(can(None, name, CASE_X) for name in ACTIONS)


def test_staff_without_sub_centre_owns_nothing():
    orphan = Principal(9, "o", "O", STAFF, sub_centre_id=None)
    assert not can(orphan, "edit_case", {"sub_centre_id": None})
    assert not can(orphan, "edit_case")
    assert can(orphan, "read_case", CASE_X_PUBLISHED) and not can(orphan, "read_case", {**CASE_X, "sub_centre_id": None})


def test_require_raises_a_denial_naming_the_action():
    with pytest.raises(errors.Denied) as refused:
        policy.require(ENT, "review_cases")
    assert refused.value.values == {"action": "review_cases"} and refused.value.key == "errors.denied"


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(ADM, "launch_rockets")


def _demo_users(principal):
    return [principal(name) for name in ("enterprise", "enterprise2", "staff", "staff_gd", "expert", "admin")]


@pytest.mark.parametrize("action", [name for name, a in ACTIONS.items() if a.resource is not None])
def test_the_check_and_the_sql_agree_on_every_record(demo_database, principal, action):
    """For every role and every row of the action's table: `can` on the row == the row is in `where`."""
    table = policy.model_for(action).__table__
    if table.name == "import_batches":  # the demo has none: one per sub-centre, and one of the national centre
        from ipoverseas.core.models import ImportBatch, SubCentre

        with db.write_session() as s:
            for centre in [None, *s.scalars(select(SubCentre.id))]:
                s.add(ImportBatch(sub_centre_id=centre, dataset="cases", filename="x.xlsx", sha256="0" * 64))
    with db.read_session() as s:
        rows = s.execute(select(table).order_by(table.c.id).limit(2000)).all()
        assert rows, f"the demo data has no {table.name}"
        for user in _demo_users(principal):
            by_sql = set(s.scalars(select(table.c.id).where(policy.where(user, action, table.c), table.c.id <= rows[-1].id)))
            by_check = {row.id for row in rows if can(user, action, row._mapping)}
            assert by_sql == by_check, (action, user.username)
            unindexed = set(s.scalars(select(table.c.id).where(policy.where(user, action, table.c, indexed=False),
                                                                  table.c.id <= rows[-1].id)))
            assert unindexed == by_sql, (action, user.username)


def test_case_scope_in_sql(demo_database, principal):
    from sqlalchemy import func

    from ipoverseas.core.models import Case

    staff, enterprise, admin = principal("staff"), principal("enterprise"), principal("admin")
    with db.read_session() as s:
        def visible(user, *where):
            return s.scalar(select(func.count()).select_from(Case).where(policy.where(user, "read_case"), *where))

        unpublished = Case.review_status != "published"
        assert visible(enterprise, unpublished) == 0
        assert visible(admin, unpublished) == s.scalar(select(func.count()).select_from(Case).where(unpublished))
        assert visible(staff, unpublished, Case.sub_centre_id != staff.sub_centre_id) == 0
        assert visible(None) == 0


def test_the_readme_policy_table_is_the_registry():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- policy:start -->\n(.*?)\n<!-- policy:end -->", readme, re.S)
    assert table, "README.md lacks the policy table markers"
    assert table.group(1).strip() == policy.table_markdown("en").strip(), \
        "regenerate the README's table with: python -m ipoverseas policy --markdown"


def test_no_code_outside_the_policy_compares_the_acting_users_role():
    """Pages and services ask the registry; only account administration reads `role` as data."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.joinpath("ipoverseas").rglob("*.py"), *root.joinpath("pages").rglob("*.py")]:
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("ipoverseas/access/", "ipoverseas/migrations/", "ipoverseas/demo/")):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(user|actor)\.role\s*(==|!=|in\b|not in\b)", line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
