"""The audit trail: every service write leaves exactly one event with the right before -> after;
the trail is append-only; filtering, paging and the xlsx export (with formula neutralisation)."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from ipoverseas.cases import review
from ipoverseas.core import errors, i18n, localtime
from ipoverseas.audit import labels, trail, query
from ipoverseas.accounts import password_change, sessions, users
from ipoverseas.core import db
from ipoverseas.audit.query import AuditFilter
from ipoverseas.core.models import AuditEvent, Case, User

PASSWORD = "ipoverseas-demo"


def _last_id():
    with db.read_session() as s:
        return s.scalar(select(func.max(AuditEvent.id))) or 0


def _events_since(last):
    with db.read_session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id)).all()


def _uid(username):
    with db.read_session() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _case(status):
    with db.read_session() as s:
        return s.scalar(select(Case.id).where(Case.review_status == status).order_by(Case.id).limit(1))


# (name, write, expected action, expected entity, before, after) — `write(p)` gets the principal
# lookup and returns the entity id the event must name. `None` for before/after: not checked as absent.
WRITES = [
    ("create user", lambda p: users.create_user(p("admin"), username="audit.me", role="enterprise",
                                                display_name="Audit Me")[0],
     "user.create", "user", None, {"username": "audit.me", "role": "enterprise", "active": True,
                                   "must_change_password": True}),
    ("change role", lambda p: (users.update_user(p("admin"), _uid("enterprise2"), role="expert"), _uid("enterprise2"))[1],
     "user.update", "user", {"role": "enterprise"}, {"role": "expert"}),
    ("change sub-centre", lambda p: (users.update_user(p("admin"), _uid("staff"), sub_centre_code="GD"),
                                     _uid("staff"))[1],
     "user.update", "user", "sub_centre_id", "sub_centre_id"),
    ("link expert", lambda p: (users.link_expert(p("admin"), _uid("expert"), None), _uid("expert"))[1],
     "user.link_expert", "user", "expert_id", {"expert_id": None}),
    ("disable", lambda p: (users.set_active(p("admin"), _uid("enterprise3"), False), _uid("enterprise3"))[1],
     "user.disable", "user", {"active": True}, {"active": False}),
    ("reset password", lambda p: (users.reset_password(p("admin"), _uid("enterprise4")), _uid("enterprise4"))[1],
     "user.reset_password", "user", {"must_change_password": False}, {"must_change_password": True}),
    ("change own password", lambda p: (password_change.change_own_password(p("enterprise5"), PASSWORD, "a new long sentence"),
                                       _uid("enterprise5"))[1],
     "password.change", "user", {"must_change_password": False}, {"must_change_password": False}),
    ("create sub-centre", lambda p: users.create_sub_centre(p("admin"), code="XJ", name_zh="新疆分中心"),
     "sub_centre.create", "sub_centre", None, {"code": "XJ", "name_zh": "新疆分中心", "active": True}),
    ("rename sub-centre", lambda p: (users.rename_sub_centre(p("admin"), p("staff").sub_centre_id, name_zh="浙江新名"),
                                     p("staff").sub_centre_id)[1],
     "sub_centre.update", "sub_centre", "name_zh", {"name_zh": "浙江新名"}),
    ("deactivate sub-centre", lambda p: (users.set_sub_centre_active(p("admin"), p("staff").sub_centre_id, False),
                                         p("staff").sub_centre_id)[1],
     "sub_centre.deactivate", "sub_centre", {"active": True}, {"active": False}),
    ("login", lambda p: sessions.login("staff", PASSWORD).principal.id,
     "login.success", "user", None, None),
    ("failed login", lambda p: (sessions.login("staff", "wrong password"), _uid("staff"))[1],
     "login.failed", "user", {"failed_logins": 0}, {"failed_logins": 1}),
    ("case review (cases service)", lambda p: (__import__("ipoverseas.cases.review").cases.review.transition(
        p("admin"), _case("submitted"), "approve"), _case("approved"))[1],
     "case.approve", "case", {"review_status": "submitted"}, {"review_status": "approved"}),
]


@pytest.mark.parametrize("name,write,action,entity,before,after", WRITES, ids=[w[0] for w in WRITES])
def test_each_service_write_leaves_exactly_one_event(demo_database, principal, name, write, action, entity,
                                                     before, after):
    last = _last_id()
    entity_id = write(principal)
    events = _events_since(last)
    assert [e.action for e in events] == [action], name
    event = events[0]
    assert event.entity == entity and event.entity_id == entity_id
    assert event.at is not None and abs((event.at - __import__("ipoverseas.core.models").core.models.utcnow()).total_seconds()) < 60
    detail = event.detail or {}
    for side, expected in (("before", before), ("after", after)):
        if isinstance(expected, dict):
            assert {k: detail[side][k] for k in expected} == expected, (name, side, detail)
        elif isinstance(expected, str):  # the key must be there and have changed
            assert expected in detail[side], (name, side, detail)
    if isinstance(before, str) and isinstance(after, str):
        assert detail["before"][before] != detail["after"][after]


def test_logout_is_one_event(demo_database):
    login = sessions.login("staff", PASSWORD)
    last = _last_id()
    sessions.end(login.token_hash, login.principal)
    events = _events_since(last)
    assert [(e.action, e.username, e.detail["before"], e.detail["after"]["ended_at"] is not None)
            for e in events] == [("logout", "staff", {"ended_at": None}, True)]


def test_a_refused_write_leaves_no_event(demo_database, principal):
    last = _last_id()
    with pytest.raises(errors.Refusal):
        users.create_user(principal("admin"), username="staff", role="enterprise", display_name="dup")
    with pytest.raises(errors.Denied):
        users.set_active(principal("staff"), _uid("enterprise2"), False)
    assert _events_since(last) == []


def test_a_no_op_leaves_no_event(demo_database, principal):
    last = _last_id()
    users.set_active(principal("admin"), _uid("enterprise2"), True)    # already active
    users.unlock(principal("admin"), _uid("enterprise2"))              # not locked
    users.update_user(principal("admin"), _uid("enterprise2"), role="enterprise")
    assert _events_since(last) == []


def test_events_name_who_and_their_sub_centre(demo_database, principal):
    staff = principal("staff")
    last = _last_id()
    sessions.login("staff", PASSWORD)
    event = _events_since(last)[0]
    assert (event.user_id, event.username, event.sub_centre_id) == (staff.id, "staff", staff.sub_centre_id)


def test_the_trail_is_append_only(demo_database, principal):
    sessions.login("staff", PASSWORD)
    with pytest.raises(trail.AppendOnly):
        with db.write_session() as s:
            s.scalar(select(AuditEvent).limit(1)).action = "tampered"
    with pytest.raises(trail.AppendOnly):
        with db.write_session() as s:
            s.delete(s.scalar(select(AuditEvent).limit(1)))
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tampered")) == 0


# --- reading the trail ------------------------------------------------------------------------


def _some_events(principal):
    admin = principal("admin")
    sessions.login("staff", PASSWORD)
    sessions.login("staff", "=HYPERLINK(\"http://evil\")")
    users.create_user(admin, username="=cmd|calc", role="enterprise", display_name="@SUM(1)")
    users.set_active(admin, _uid("enterprise2"), False)


def test_search_filters_in_sql(demo_database, principal):
    _some_events(principal)
    admin = principal("admin")
    rows, total = query.search(admin, AuditFilter(action="login."))
    assert total >= 2 and all(r["action"].startswith("login.") for r in rows)
    rows, _ = query.search(admin, AuditFilter(action="user.disable"))
    assert [r["entity_id"] for r in rows] == [_uid("enterprise2")]
    rows, _ = query.search(admin, AuditFilter(user="STAFF", action="login.success"))
    assert rows and all(r["username"] == "staff" for r in rows)
    rows, _ = query.search(admin, AuditFilter(sub_centre_id=principal("staff").sub_centre_id))
    assert rows and all(r["sub_centre"] == "ZJ" for r in rows)
    rows, _ = query.search(admin, AuditFilter(entity="user", entity_id=_uid("enterprise2")))
    assert rows[0]["action"] == "user.disable" and {r["entity_id"] for r in rows} == {_uid("enterprise2")}
    today = date.today()
    assert query.search(admin, AuditFilter(since=today - timedelta(days=1), until=today + timedelta(days=1)))[1] > 0
    assert query.search(admin, AuditFilter(until=today - timedelta(days=3650)))[1] == 0
    page1, total = query.search(admin, AuditFilter(), limit=2)
    page2, _ = query.search(admin, AuditFilter(), offset=2, limit=2)
    assert len(page1) == 2 and page1[0]["id"] > page1[1]["id"] > page2[0]["id"]


@pytest.mark.parametrize("role", ["enterprise", "staff", "expert"])
def test_only_admin_reads_the_trail(demo_database, principal, role):
    with pytest.raises(errors.Denied):
        query.search(principal(role), AuditFilter())
    with pytest.raises(errors.Denied):
        query.export_xlsx(principal(role), AuditFilter())


def test_export_is_a_real_workbook_with_neutralised_cells(demo_database, principal):
    _some_events(principal)
    data = query.export_xlsx(principal("admin"), AuditFilter())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    # Headers in the reader's language, times in Beijing time (named in the header), actions labelled.
    assert rows[0][:6] == ("编号", "时间（北京时间）", "用户", "用户编号", i18n.t("admin.users.sub_centre", "zh"), "操作")
    english = openpyxl.load_workbook(io.BytesIO(query.export_xlsx(principal("admin"), AuditFilter(), "en"))).active
    assert next(english.iter_rows(values_only=True))[:2] == ("ID", "When (Beijing time)")
    newest = query.search(principal("admin"), AuditFilter())[0][0]
    assert rows[1][1] == localtime.text(newest["at"], "%Y-%m-%d %H:%M:%S")
    assert rows[1][5] == labels.action(newest["action"], "zh") != newest["action"]
    _, total = query.search(principal("admin"), AuditFilter())
    assert len(rows) - 1 == total
    cells = [c for row in rows[1:] for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'=cmd|calc") or "'=cmd|calc" in c or "=cmd|calc" in c for c in cells)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_neutralise_and_summary():
    assert query.neutralise("=1+1") == "'=1+1"
    assert query.neutralise("@x") == "'@x" and query.neutralise("-2") == "'-2"
    assert query.neutralise("plain") == "plain" and query.neutralise(None) == ""
    assert query.summary({"before": {"active": True}, "after": {"active": False}}, "en") == "Active: yes → no"
    assert query.summary({"before": {"active": True}, "after": {"active": False}}, "zh") == "启用: 是 → 否"


def test_history_of_a_record_combines_events_and_versions(demo_database, principal):
    admin = principal("admin")
    case_id = _case("submitted")
    review.transition(admin, case_id, "approve")
    rows = query.history(admin, "case", case_id)
    assert {r["source"] for r in rows} == {"audit", "version"}
    assert any(r["what"] == "case.approve" and r["label"] == "审核通过" and "审核状态: 待审核 → 已通过" in r["change"]
               for r in rows), rows[:2]
    assert query.history(admin, "case", 10**8) == []


ROLES_SEEN = ("enterprise", "staff", "staff_gd", "expert", "admin")   # staff: ZJ; staff_gd: GD
# record -> who may see its history (DESIGN §4 and the rules in audit_query.may_see_history)
HISTORY_RULES = {
    "case of ZJ": {"staff", "admin"},
    "published case of GD": {"staff_gd", "admin"},
    "the expert's own profile": {"staff", "staff_gd", "expert", "admin"},    # as its contact details
    "another expert's profile": {"staff", "staff_gd", "admin"},
    "article of ZJ": {"staff", "admin"},                                     # its editors
    "national article": {"admin"},
    "import batch of ZJ": {"staff", "admin"},                                # as the Upload page lists it
    "the enterprise's account": {"enterprise", "admin"},                     # its own Account page
    "sub-centre ZJ": {"admin"},
    "consultation of ZJ": {"staff", "admin"},                                # not its enterprise nor expert
    "anything else": {"admin"},
}


def _history_records(principal) -> dict[str, tuple[str, int]]:
    from ipoverseas.core.models import Article, Consultation, Expert, ImportBatch, SubCentre

    zj, gd = principal("staff").sub_centre_id, principal("staff_gd").sub_centre_id
    expert = principal("expert")
    with db.write_session() as s:
        batch = ImportBatch(sub_centre_id=zj, dataset="cases", filename="x.xlsx", sha256="0" * 64,
                            user_id=principal("staff").id)
        s.add(batch)
        articles = s.scalars(select(Article).order_by(Article.id).limit(2)).all()
        articles[0].sub_centre_id, articles[1].sub_centre_id = zj, None
        s.flush()
        consultation = s.scalar(select(Consultation.id).where(
            Consultation.sub_centre_id == zj, Consultation.enterprise_user_id == principal("enterprise").id,
            Consultation.expert_id == expert.expert_id).limit(1)) or s.scalar(
            select(Consultation.id).where(Consultation.sub_centre_id == zj).limit(1))
        records = {
            "case of ZJ": ("case", s.scalar(select(Case.id).where(Case.sub_centre_id == zj).limit(1))),
            "published case of GD": ("case", s.scalar(select(Case.id).where(
                Case.sub_centre_id == gd, Case.review_status == "published").limit(1))),
            "the expert's own profile": ("expert", expert.expert_id),
            "another expert's profile": ("expert", s.scalar(select(Expert.id).where(Expert.id != expert.expert_id)
                                                            .limit(1))),
            "article of ZJ": ("article", articles[0].id),
            "national article": ("article", articles[1].id),
            "import batch of ZJ": ("import_batch", batch.id),
            "the enterprise's account": ("user", principal("enterprise").id),
            "sub-centre ZJ": ("sub_centre", s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))),
            "consultation of ZJ": ("consultation", consultation),
            "anything else": ("user_session", 1),
        }
    assert all(record_id for _, record_id in records.values()), records
    return records


def test_record_history_is_shown_only_to_those_the_policy_allows(demo_database, principal):
    """Every role against every kind of record, through the service: the pages only show what it returns."""
    records = _history_records(principal)
    seen: dict[str, set[str]] = {name: set() for name in records}
    for username in ROLES_SEEN:
        actor = principal(username)
        for name, (entity, record_id) in records.items():
            allowed = query.may_see_history(actor, entity, record_id)
            try:
                rows = query.history(actor, entity, record_id)
            except errors.Denied:
                assert not allowed, (username, name)
            else:
                assert allowed and isinstance(rows, list), (username, name)
                seen[name].add(username)
    assert seen == HISTORY_RULES
    with pytest.raises(errors.Denied):
        query.history(None, "case", records["case of ZJ"][1])
    with pytest.raises(errors.Denied):   # a record that does not exist: nobody but admin
        query.history(principal("staff"), "case", 10**8)


def test_the_database_refuses_changes_to_the_trail_too(demo_database):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    sessions.login("staff", PASSWORD)
    for statement in (update(AuditEvent).values(action="tampered"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.get_engine().begin() as conn:
                conn.execute(statement)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) > 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tampered")) == 0


def test_an_upload_and_its_rollback_each_leave_one_event(demo_database, principal, tmp_path):
    from ipoverseas.imports import service
    from tests.imports.helpers import cases_workbook

    staff = principal("staff")
    path = cases_workbook(tmp_path / "cases.xlsx", 5, ref_prefix="AUD")
    last = _last_id()
    _, result = service.run(path.read_bytes(), "cases.xlsx", "cases", staff, staff.sub_centre_id)
    events = _events_since(last)
    assert [(e.action, e.entity, e.entity_id, e.username) for e in events] == [
        ("import.apply", "import_batch", result.batch_id, "staff")]
    last = _last_id()
    service.rollback(result.batch_id, staff)
    events = _events_since(last)
    assert [(e.action, e.entity, e.entity_id) for e in events] == [("import.rollback", "import_batch", result.batch_id)]
