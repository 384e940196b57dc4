"""User and sub-centre administration: each write, its refusals, and the policy (admin only)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ipoverseas.core import errors
from ipoverseas.accounts import authentication, password_change, users
from ipoverseas.core import db
from ipoverseas.core.models import Case, SubCentre, User, utcnow

PASSWORD = "ipoverseas-demo"


def _user(username):
    with db.read_session() as s:
        return s.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("role", ["enterprise", "staff", "expert"])
def test_only_admin_may_administer(demo_database, principal, role):
    actor = principal(role)
    target = principal("enterprise2").id
    calls = [
        lambda: users.list_users(actor),
        lambda: users.create_user(actor, username="x.y", role="enterprise", display_name="X"),
        lambda: users.update_user(actor, target, role="admin"),
        lambda: users.link_expert(actor, target, None),
        lambda: users.set_active(actor, target, False),
        lambda: users.unlock(actor, target),
        lambda: users.reset_password(actor, target),
        lambda: users.create_sub_centre(actor, code="XX", name_zh="某"),
        lambda: users.set_sub_centre_active(actor, 1, False),
    ]
    for call in calls:
        with pytest.raises(errors.Denied):
            call()
    assert _user("enterprise2").active and _user("enterprise2").role == "enterprise"


def test_create_user_must_change_password(demo_database, principal):
    user_id, password = users.create_user(principal("admin"), username=" Li.Si ", role="staff", display_name="李四",
                                          sub_centre_code="gd", email="LI.SI@example.cn")
    row = _user("li.si")
    assert row.id == user_id and row.must_change_password and row.email == "li.si@example.cn"
    assert row.sub_centre.code == "GD"
    principal_ = authentication.authenticate("li.si", password)
    assert principal_ is not None and principal_.must_change_password
    password_change.change_own_password(principal_, password, "a brand new sentence")
    assert not _user("li.si").must_change_password


@pytest.mark.parametrize("kwargs,key", [
    ({"username": "staff", "role": "enterprise"}, "admin.error.duplicate"),
    ({"username": "new.staff", "role": "staff"}, "admin.error.staff_needs_sub_centre"),
    ({"username": "new.one", "role": "boss"}, "admin.error.role"),
    ({"username": "new.one", "role": "staff", "sub_centre_code": "NOPE"}, "admin.error.no_sub_centre"),
    ({"username": "new.one", "role": "enterprise", "password": "password1"}, "password.too_common"),
    ({"username": "   ", "role": "enterprise"}, "admin.error.username_empty"),
])
def test_create_user_refusals_write_nothing(demo_database, principal, kwargs, key):
    with db.read_session() as s:
        before = s.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    with pytest.raises(errors.Refusal) as err:
        users.create_user(principal("admin"), display_name="N", **kwargs)
    assert err.value.key == key
    with db.read_session() as s:
        assert s.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_change_role_and_sub_centre(demo_database, principal):
    admin, staff = principal("admin"), principal("staff")
    users.update_user(admin, staff.id, sub_centre_code="SH")
    assert _user("staff").sub_centre.code == "SH"
    users.update_user(admin, staff.id, role="enterprise", sub_centre_code=None)
    assert _user("staff").role == "enterprise" and _user("staff").sub_centre_id is None
    with pytest.raises(errors.Refusal, match="staff_needs_sub_centre"):
        users.update_user(admin, staff.id, role="staff")
    assert _user("staff").role == "enterprise"


def test_admin_cannot_lock_themselves_out(demo_database, principal):
    admin = principal("admin")
    for call in (lambda: users.set_active(admin, admin.id, False),
                 lambda: users.update_user(admin, admin.id, role="staff", sub_centre_code="ZJ")):
        with pytest.raises(errors.Refusal, match="not_yourself"):
            call()
    assert _user("admin").active and _user("admin").role == "admin"


def test_link_expert(demo_database, principal):
    admin, enterprise = principal("admin"), principal("enterprise")
    expert_user = principal("expert")
    with pytest.raises(errors.Refusal, match="expert_taken"):
        users.link_expert(admin, enterprise.id, expert_user.expert_id)
    with pytest.raises(errors.Refusal, match="no_expert"):
        users.link_expert(admin, enterprise.id, 10**8)
    users.link_expert(admin, expert_user.id, None)
    users.link_expert(admin, enterprise.id, expert_user.expert_id)
    assert _user("enterprise").expert_id == expert_user.expert_id


def test_disable_enable_and_login(demo_database, principal):
    admin, target = principal("admin"), principal("enterprise2")
    users.set_active(admin, target.id, False)
    assert authentication.authenticate("enterprise2", PASSWORD) is None
    users.set_active(admin, target.id, True)
    assert authentication.authenticate("enterprise2", PASSWORD) is not None


def test_unlock(demo_database, principal):
    for _ in range(5):
        assert authentication.authenticate("enterprise2", "wrong password") is None
    assert _user("enterprise2").locked_until > utcnow()
    assert authentication.authenticate("enterprise2", PASSWORD) is None
    rows, total = users.list_users(principal("admin"), status="locked")
    assert [r["username"] for r in rows] == ["enterprise2"] and total == 1 and rows[0]["locked"]
    users.unlock(principal("admin"), principal("enterprise2").id)
    assert authentication.authenticate("enterprise2", PASSWORD) is not None


def test_reset_password_forces_a_change(demo_database, principal):
    admin, target = principal("admin"), principal("enterprise2")
    temporary = users.reset_password(admin, target.id)
    assert len(temporary) >= 12
    assert authentication.authenticate("enterprise2", PASSWORD) is None
    user = authentication.authenticate("enterprise2", temporary)
    assert user is not None and user.must_change_password
    with pytest.raises(errors.Invalid, match="same_as_old"):
        password_change.change_own_password(user, temporary, temporary)
    password_change.change_own_password(user, temporary, "my own long sentence")
    assert not authentication.authenticate("enterprise2", "my own long sentence").must_change_password


def test_list_users_filters_and_pages_in_sql(demo_database, principal):
    admin = principal("admin")
    rows, total = users.list_users(admin, role="staff")
    assert total >= 2 and all(r["role"] == "staff" for r in rows)
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    rows, _ = users.list_users(admin, sub_centre_id=zj)
    assert rows and all(r["sub_centre"] == "ZJ" for r in rows)
    page1, total = users.list_users(admin, limit=3)
    page2, _ = users.list_users(admin, offset=3, limit=3)
    assert len(page1) == 3 and not {r["id"] for r in page1} & {r["id"] for r in page2}
    rows, total = users.list_users(admin, text="ENTERPRISE2")
    assert [r["username"] for r in rows] == ["enterprise2"]


def test_sub_centres_create_rename_deactivate_keep_records(demo_database, principal):
    admin = principal("admin")
    new_id = users.create_sub_centre(admin, code="xj", name_zh="新疆分中心", name_en="Xinjiang", province="65")
    with pytest.raises(errors.Refusal, match="code_taken"):
        users.create_sub_centre(admin, code="XJ", name_zh="重复")
    with pytest.raises(errors.Refusal, match="admin.error.code"):
        users.create_sub_centre(admin, code="bad code!", name_zh="坏")
    users.rename_sub_centre(admin, new_id, name_zh="新疆维吾尔自治区分中心", name_en="Xinjiang Sub-centre")
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre).where(SubCentre.code == "ZJ"))
        cases_before = s.scalar(select(Case.id).where(Case.sub_centre_id == zj.id).limit(1))
    users.set_sub_centre_active(admin, zj.id, False)
    listed = {r["code"]: r for r in users.list_sub_centres(admin)}
    assert listed["XJ"]["name_zh"] == "新疆维吾尔自治区分中心"
    assert listed["ZJ"]["active"] is False and listed["ZJ"]["cases"] > 0 and listed["ZJ"]["users"] > 0
    with db.read_session() as s:
        assert s.get(Case, cases_before) is not None
    assert authentication.authenticate("staff", PASSWORD) is not None  # its people keep working


def test_locked_until_in_the_past_is_not_locked(demo_database, principal):
    with db.write_session() as s:
        s.scalar(select(User).where(User.username == "enterprise2")).locked_until = utcnow() - timedelta(minutes=1)
    rows, total = users.list_users(principal("admin"), status="locked")
    assert total == 0
