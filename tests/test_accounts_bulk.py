"""Bulk creation of accounts follows the upload pipeline: the pre-flight check, parsing in the
sandboxed child, the pipeline's refusals and cell problems; it is all or nothing; and it is
fast, because generated temporary passwords use the light hash (see `passwords`)."""

import io
import time
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from ipoverseas.accounts import creation, password_change, passwords, sessions, users
from ipoverseas.core import db
from ipoverseas.imports import preflight, sandbox
from ipoverseas.core.models import User


LIGHT = "$argon2id$v=19$m=2048,t=1,p=1$"


def _workbook(rows, *, hidden_junk_sheet=False):
    book = openpyxl.load_workbook(io.BytesIO(users.bulk_template()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2, 1)  # the example row
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    if hidden_junk_sheet:
        junk = book.create_sheet("old", 0)
        junk.append(["用户名", "姓名", "角色"])
        junk.append(["junk.user", "Junk", "admin"])
        junk.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, extra.pop(info.filename, None) or src.read(info))
        for name, body in extra.items():
            dst.writestr(name, body)
    return out.getvalue()


def _count():
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_the_file_goes_through_preflight_and_is_parsed_in_the_sandbox(demo_database, principal, monkeypatch):
    seen = []
    check, call = preflight.check, sandbox.Child.call
    monkeypatch.setattr(preflight, "check", lambda path, name: seen.append(("preflight", name)) or check(path, name))
    monkeypatch.setattr(sandbox.Child, "call",
                        lambda self, target, *a, **kw: seen.append(("child", target)) or call(self, target, *a, **kw))
    result = users.bulk_create(principal("admin"), _workbook([["sand.box", "Sand Box", "enterprise"]]), "a.xlsx")
    assert result.problems == [] and [u for u, _ in result.created] == ["sand.box"]
    assert seen == [("preflight", "a.xlsx"), ("child", "ipoverseas.accounts.users.read_grid")]


@pytest.mark.parametrize("extra,key", [
    ({"xl/vbaProject.bin": b"\x00macro"}, "upload.refused.macro"),
    ({"docProps/evil.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'},
     "upload.refused.xml_entities"),
])
def test_hostile_workbooks_get_the_pipelines_refusal(demo_database, principal, extra, key):
    before = _count()
    data = _rezip(_workbook([["a.b", "A B", "enterprise"]]), dict(extra))
    result = users.bulk_create(principal("admin"), data, "users.xlsx")
    assert [(p.row, p.key) for p in result.problems] == [(0, key)]
    assert result.created == [] and _count() == before


def test_a_formula_without_a_value_is_a_cell_problem_and_nothing_is_created(demo_database, principal):
    before = _count()
    data = _workbook([["ok.one", "好人", "enterprise"], ["ok.two", '=CONCAT("a","b")', "enterprise"]])
    result = users.bulk_create(principal("admin"), data, "users.xlsx")
    assert [(p.row, p.column, p.key) for p in result.problems] == [(3, "姓名 *", "upload.problem.formula_no_value")]
    assert result.created == [] and _count() == before


def test_a_hidden_sheet_is_never_read(demo_database, principal):
    result = users.bulk_create(principal("admin"), _workbook([["seen.user", "Seen", "enterprise"]],
                                                             hidden_junk_sheet=True), "users.xlsx")
    assert result.problems == [] and [u for u, _ in result.created] == ["seen.user"]


def test_bulk_accounts_get_a_light_hash_renewed_at_the_first_login(demo_database, principal):
    result = users.bulk_create(principal("admin"), _workbook([["new.one", "New One", "expert"]]), "users.xlsx")
    [(username, password)] = result.created
    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == username))
    assert user.password_hash.startswith(LIGHT)
    assert user.must_change_password and passwords.needs_rehash(user.password_hash)
    login = sessions.login(username, password)
    assert login is not None and login.principal.must_change_password
    with db.read_session() as s:
        renewed = s.scalar(select(User.password_hash).where(User.username == username))
    assert renewed != user.password_hash and not passwords.needs_rehash(renewed)
    password_change.change_own_password(login.principal, password, "my own long sentence", keep_token_hash=login.token_hash)
    assert sessions.login(username, "my own long sentence") is not None


def test_the_light_hash_comes_only_with_a_password_new_temporary_draws(database):
    password, light = passwords.new_temporary()
    assert light.startswith(LIGHT) and passwords.verify(light, password)
    assert passwords.new_temporary().password != password
    # Nothing hashes a password of the caller's choosing lightly: the old entry point is gone, and
    # every public function of the module that makes a hash from a given string makes a full one.
    assert not hasattr(passwords, "hash_temporary")
    assert not passwords.hash_password(password).startswith(LIGHT)
    # create_users takes a light hash only as a `passwords.Temporary`, never as a hash beside any text
    with pytest.raises(TypeError, match="new_temporary"):
        with db.write_session() as s:
            creation.add_accounts(s, [creation.NewAccount(username="forged", role="enterprise",
                                                  temporary=("my chosen password", light))])
    with db.write_session() as s:
        [user] = creation.add_accounts(s, [creation.NewAccount(username="drawn", role="enterprise",
                                                       temporary=passwords.new_temporary())])
        assert user.password_hash.startswith(LIGHT) and user.must_change_password


def test_a_wrong_password_against_a_light_hash_costs_a_full_check(monkeypatch):
    calls = []
    monkeypatch.setattr(passwords, "dummy_verify", lambda pw: calls.append(pw))
    light = passwords.new_temporary().hash
    assert not passwords.verify(light, "a wrong guess")
    assert calls == ["a wrong guess"]
    assert not passwords.verify(passwords.hash_password("a real password"), "a wrong guess")
    assert calls == ["a wrong guess"]  # a full hash is slow by itself


def test_an_account_taken_meanwhile_rolls_the_whole_file_back(demo_database, principal, monkeypatch):
    data = _workbook([["race.one", "Race One", "enterprise"], ["race.two", "Race Two", "enterprise"]])
    checked = users.read_bulk(data, "race.xlsx")
    assert checked.problems == []
    users.create_user(principal("admin"), username="race.two", role="enterprise")  # another admin, meanwhile
    monkeypatch.setattr(users, "read_bulk", lambda *a: checked)
    before = _count()
    result = users.bulk_create(principal("admin"), data, "race.xlsx")
    assert [(p.row, p.value, p.key) for p in result.problems] == [(3, "race.two", "admin.error.duplicate")]
    assert result.created == [] and _count() == before


@pytest.mark.bench
@pytest.mark.parametrize("rows", [200, 2000])
def test_bench_bulk_creation(demo_database, principal, request, rows):
    backend = request.node.callspec.params["demo_database"]
    data = _workbook([[f"bench.user{i:05d}", f"用户{i}", ("enterprise", "staff", "expert")[i % 3], "ZJ",
                       f"u{i}@example.cn", "单位"] for i in range(rows)])
    start = time.perf_counter()
    result = users.bulk_create(principal("admin"), data, "bench.xlsx")
    seconds = time.perf_counter() - start
    assert result.problems == [] and len(result.created) == rows
    print(f"bulk_users_{rows}_seconds_{backend}={seconds:.2f}")
    print(f"bulk_users_{rows}_rows_per_second_{backend}={rows / seconds:.0f}")


def test_bulk_through_the_admin_page(sqlite_demo_database, principal, monkeypatch):
    from ipoverseas.core import i18n
    from tests.pagetest import run_page, texts

    reads = []
    read = users.read_bulk
    monkeypatch.setattr(users, "read_bulk", lambda *a: reads.append(a[1]) or read(*a))
    at = run_page("users", principal("admin"))
    bad = _workbook([["page.one", "Page One", "enterprise"], ["page.two", "", "boss"]])
    at.file_uploader(key="admin_users_upload").set_value(("bad.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table[i18n.t("admin.bulk.row", "en")]) == [3, 3]
    at.file_uploader(key="admin_users_upload").set_value(("good.xlsx", _workbook(
        [["page.one", "Page One", "enterprise"], ["page.two", "Page Two", "staff", "ZJ"]]),
        "application/octet-stream")).run()
    at.run()  # a rerun with the same file does not read it again
    assert reads == ["bad.xlsx", "good.xlsx"]
    at.button(key="admin_users_apply").click().run()
    assert not at.exception
    assert i18n.t("admin.bulk.done", "en", count=2, days=7) in texts(at)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username.in_(["page.one", "page.two"]))) == 2
