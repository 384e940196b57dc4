"""Bulk creation of accounts follows the upload pipeline: the pre-flight check, parsing in the
sandboxed child, the pipeline's refusals and cell problems; it is all or nothing; and it is
fast, because generated temporary passwords use the light hash (see `passwords`)."""

import time
import zipfile
import io

import pytest
from sqlalchemy import func, select

from ipoverseas.accounts import creation, password_change, passwords, sessions, users
from ipoverseas.core import db
from ipoverseas.imports import accounts, preflight, sandbox
from ipoverseas.imports.problems import Busy, Refused
from ipoverseas.core.models import User
from tests.imports.helpers import accounts_workbook as _workbook, create_accounts


LIGHT = "$argon2id$v=19$m=2048,t=1,p=1$"


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
    check, send = preflight.check_package, sandbox.Child.send
    monkeypatch.setattr(preflight, "check_package", lambda path, name: seen.append(("preflight", name)) or check(path, name))
    monkeypatch.setattr(sandbox.Child, "send",
                        lambda self, target, *a, **kw: seen.append(("child", target)) or send(self, target, *a, **kw))
    checked, created = create_accounts(principal("admin"), _workbook([["sand.box", "Sand Box", "enterprise"]]), "a.xlsx")
    assert checked.parsed.problems == [] and [u for u, _ in created] == ["sand.box"]
    assert seen == [("preflight", "a.xlsx"), ("child", "ipoverseas.imports.read.parse")]  # as cases, experts, articles


@pytest.mark.parametrize("extra,code", [
    ({"xl/vbaProject.bin": b"\x00macro"}, "macro"),
    ({"docProps/evil.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'}, "xml_entities"),
])
def test_hostile_workbooks_get_the_pipelines_refusal(demo_database, principal, extra, code):
    before = _count()
    data = _rezip(_workbook([["a.b", "A B", "enterprise"]]), dict(extra))
    with pytest.raises(Refused) as refused:
        accounts.prepare(data, "users.xlsx", principal("admin"))
    assert refused.value.code == code and refused.value.key == f"upload.refused.{code}"
    assert _count() == before


def test_a_formula_without_a_value_is_a_cell_problem_and_nothing_is_created(demo_database, principal):
    before = _count()
    data = _workbook([["ok.one", "好人", "enterprise"], ["ok.two", '=CONCAT("a","b")', "enterprise"]])
    checked, created = create_accounts(principal("admin"), data, "users.xlsx")
    assert [(p.row, p.column, p.code) for p in checked.errors] == [(3, "姓名*", "formula_no_value")]
    assert created == [] and _count() == before


def test_a_hidden_sheet_is_never_read(demo_database, principal):
    checked, created = create_accounts(principal("admin"), _workbook([["seen.user", "Seen", "enterprise"]],
                                                                     hidden_junk_sheet=True), "users.xlsx")
    assert checked.errors == [] and [u for u, _ in created] == ["seen.user"]


def test_bulk_accounts_get_a_light_hash_renewed_at_the_first_login(demo_database, principal):
    _, [(username, password)] = create_accounts(principal("admin"), _workbook([["new.one", "New One", "expert"]]))
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


def test_an_account_taken_meanwhile_rolls_the_whole_file_back(demo_database, principal):
    data = _workbook([["race.one", "Race One", "enterprise"], ["race.two", "Race Two", "enterprise"]])
    checked = accounts.prepare(data, "race.xlsx", principal("admin"))
    assert checked.errors == []
    users.create_user(principal("admin"), username="race.two", role="enterprise")  # another admin, meanwhile
    before = _count()
    with pytest.raises(Busy) as busy:
        accounts.create(checked, principal("admin"))
    assert busy.value.code == "username_taken" and busy.value.params == {"row": 3, "username": "race.two"}
    assert _count() == before
    again = accounts.prepare(data, "race.xlsx", principal("admin"))  # checked again: the row's own problem
    assert [(p.row, p.value, p.code) for p in again.errors] == [(3, "race.two", "username_exists")]


@pytest.mark.bench
@pytest.mark.parametrize("rows", [200, 2000])
def test_bench_bulk_creation(demo_database, principal, request, rows):
    backend = request.node.callspec.params["demo_database"]
    data = _workbook([[f"bench.user{i:05d}", f"用户{i}", ("enterprise", "staff", "expert")[i % 3], "ZJ",
                       f"u{i}@example.cn", "单位"] for i in range(rows)])
    start = time.perf_counter()
    checked, created = create_accounts(principal("admin"), data, "bench.xlsx")  # check, then create
    seconds = time.perf_counter() - start
    assert checked.errors == [] and len(created) == rows
    print(f"bulk_users_{rows}_seconds_{backend}={seconds:.2f}")
    print(f"bulk_users_{rows}_rows_per_second_{backend}={rows / seconds:.0f}")


def test_bulk_through_the_admin_page(sqlite_demo_database, principal, monkeypatch):
    from ipoverseas.core import i18n
    from tests.pages.apptest import run_page, texts

    reads = []
    prepare = accounts.prepare
    monkeypatch.setattr(accounts, "prepare", lambda *a: reads.append(a[1]) or prepare(*a))
    at = run_page("users", principal("admin"))
    bad = _workbook([["page.one", "Page One", "enterprise"], ["page.two", "", "boss"]])
    at.file_uploader(key="admin_users_upload").set_value(("bad.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table[i18n.t("admin.bulk.row", "en")]) == [3, 3]
    assert i18n.t("admin.bulk.problems", "en", count=2) in texts(at)
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


def test_a_refused_file_and_a_race_show_through_the_pages_refusal(sqlite_demo_database, principal):
    from ipoverseas.core import i18n
    from tests.pages.apptest import run_page, texts

    at = run_page("users", principal("admin"))
    at.file_uploader(key="admin_users_upload").set_value(("bad.xlsx", b"not a workbook", "application/octet-stream")).run()
    assert not at.exception
    assert i18n.t("upload.refused.not_workbook", "en") in texts(at)
    at.run()  # shown again at a rerun, without reading the file again
    assert i18n.t("upload.refused.not_workbook", "en") in texts(at)
    data = _workbook([["late.one", "Late One", "enterprise"]])
    at.file_uploader(key="admin_users_upload").set_value(("late.xlsx", data, "application/octet-stream")).run()
    users.create_user(principal("admin"), username="late.one", role="enterprise")  # another admin, meanwhile
    at.button(key="admin_users_apply").click().run()
    assert not at.exception
    assert i18n.t("upload.busy.username_taken", "en", username="late.one", row=2) in texts(at)  # as a reader sees it
    at.run()  # checked again: the row's own problem, in the problems table
    assert i18n.t("admin.bulk.problems", "en", count=1) in texts(at)
