"""Bulk creation of accounts from a real Excel workbook: template, row-level problems, all or nothing.

Accounts are a dataset of the upload pipeline (ipoverseas.imports.accounts)."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from ipoverseas.core import errors
from ipoverseas.accounts import authentication
from ipoverseas.core import db
from ipoverseas.core.models import AuditEvent, User
from ipoverseas.imports import accounts, template
from ipoverseas.imports.problems import Refused
from tests.imports.helpers import accounts_workbook as _filled, create_accounts, problems_of


def _count_users():
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_template_has_headers_dropdowns_instructions_and_an_example(demo_database):
    book = openpyxl.load_workbook(io.BytesIO(template.build("accounts")))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == ["用户名*", "姓名*", "角色*", "分中心代码", "邮箱", "单位"]
    assert sheet.max_row == 1  # the header only: the example is on the instructions sheet
    assert [ws.title for ws in book.worksheets][1] == "填写说明 Instructions"
    lists = book["_lists"]
    dropdowns = {str(dv.sqref).split(":")[0]: str(dv.formula1) for dv in sheet.data_validations.dataValidation
                 if dv.type == "list"}
    columns = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)]
               for c in range(1, lists.max_column + 1)}
    assert set(dropdowns) == {"C2", "D2"}  # the role and the sub-centre
    assert [v for v in columns["角色"] if v] == ["企业用户", "分中心工作人员", "专家", "国家中心管理员"]
    assert "ZJ" in columns["分中心代码"]


def test_good_workbook_creates_every_account_with_a_temporary_password(demo_database, principal):
    before = _count_users()
    data = _filled([
        ["wang.wu", "王五", "staff", "zj", "wang.wu@example.cn", "浙江分中心"],
        ["Acme.Export", "Acme 出口", "企业", None, None, "Acme 出口有限公司"],
        ["zhao.liu", "赵六", "专家", "GD", None, None],
    ])
    checked, created = create_accounts(principal("admin"), data, "accounts.xlsx")
    assert checked.errors == []
    assert [u for u, _ in created] == ["wang.wu", "acme.export", "zhao.liu"]
    assert _count_users() == before + 3
    username, password = created[1]
    user = authentication.authenticate(username, password)
    assert user is not None and user.role == "enterprise" and user.must_change_password
    book = openpyxl.load_workbook(io.BytesIO(accounts.passwords_workbook(created)))
    assert book.active.cell(2, 1).value == "wang.wu"
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.create")) >= 3
        detail = s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "user.bulk_create"))
        assert detail["created"] == 3 and detail["sha256"] == checked.sha256


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(demo_database, principal):
    before = _count_users()
    data = _filled([
        ["ok.person", "好人", "enterprise", None, None, None],       # row 2: fine
        ["staff", "重复", "enterprise", None, None, None],           # row 3: exists already
        ["no.centre", "无分中心", "staff", None, None, None],         # row 4: staff without centre
        ["bad.role", "坏角色", "boss", None, None, None],              # row 5
        ["ok.person", "又一个", "enterprise", None, "not-an-email", None],  # row 6: twice + bad e-mail
        ["x.y", None, "expert", "NOPE", None, None],                  # row 7: no name + unknown centre
    ])
    checked, created = create_accounts(principal("admin"), data, "accounts.xlsx")
    assert problems_of(checked) == {
        (3, "用户名*", "username_exists"),
        (4, "分中心代码", "staff_needs_sub_centre"),
        (5, "角色*", "bad_choice"),
        (6, "用户名*", "username_twice"),
        (6, "邮箱", "bad_email"),
        (7, "姓名*", "required"),
        (7, "分中心代码", "unknown_sub_centre_code"),
    }
    assert next(p for p in checked.errors if p.code == "username_twice").params == {"row": 2}
    for p in checked.errors:  # in both languages, never a raw key
        assert p.message("zh") != p.key and p.message("en") != p.key
    assert created == [] and [row for row, _ in checked.accounts] == [2]
    with pytest.raises(Refused) as refused:  # all or nothing, even when asked
        accounts.create(checked, principal("admin"))
    assert refused.value.code == "accounts_have_errors" and refused.value.params == {"rows": 5}
    assert _count_users() == before


def test_english_headers_are_accepted(demo_database, principal):
    data = _filled([["en.user", "English User", "enterprise"]],
                   header=["Username", "Display name", "Role", "Sub-centre code", "E-mail", "Organisation"])
    checked, created = create_accounts(principal("admin"), data)
    assert checked.parsed.problems == [] and created[0][0] == "en.user"


@pytest.mark.parametrize("data,name,code", [
    (b"not a workbook at all", "users.xlsx", "not_workbook"),
    (b"PK\x03\x04 broken zip", "users.xlsx", "truncated"),
    (b"PK\x03\x04", "users.csv", "csv_not_text"),
])
def test_unreadable_files_get_one_clear_refusal(demo_database, principal, data, name, code):
    with pytest.raises(Refused) as refused:
        accounts.prepare(data, name, principal("admin"))
    assert refused.value.code == code


def test_missing_required_column(demo_database, principal):
    data = _filled([["a.b", "A B"]], header=["用户名", "姓名", "备注"])
    with pytest.raises(Refused) as refused:
        accounts.prepare(data, "users.xlsx", principal("admin"))
    assert refused.value.code == "missing_columns" and "角色" in refused.value.params["columns"]


def test_too_big_is_refused_before_reading(demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_UPLOAD_MAX_MB", "0")
    with pytest.raises(Refused) as refused:
        accounts.prepare(_filled([["a.b", "A", "enterprise"]]), "users.xlsx", principal("admin"))
    assert refused.value.code == "too_big"


def test_bulk_is_admin_only(demo_database, principal):
    data = _filled([["a.b", "A", "enterprise"]])
    with pytest.raises(errors.Denied):
        accounts.prepare(data, "users.xlsx", principal("staff"))
    checked = accounts.prepare(data, "users.xlsx", principal("admin"))
    with pytest.raises(errors.Denied):
        accounts.create(checked, principal("staff"))
    with db.read_session() as s:
        assert s.scalar(select(User.id).where(User.username == "a.b")) is None
