"""In-app notifications (badge count, list, read) and email through SMTP only when configured."""

import socketserver
import threading
from email import message_from_bytes

import pytest
from sqlalchemy import select

from ipoverseas.consultations import workflow as svc
from ipoverseas.core import db
from ipoverseas.accounts import notifications
from ipoverseas.core.models import AuditEvent, Notification
from tests.consultations.helpers import build_world


@pytest.fixture
def world(database):
    return build_world()


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages; they land in server.received."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        data, in_data = [], False
        for raw in self.rfile:
            line = raw.rstrip(b"\r\n")
            if in_data:
                if line == b".":
                    self.server.received.append(b"\r\n".join(data))
                    data, in_data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _ask(world, sub_centre=None):
    return svc.ask(world.p("ent_a"), svc.Question(company="Ningbo A Ltd", question="Q", country="US",
                                                  disclaimer_accepted=True, sub_centre_id=sub_centre or world.zj))


def test_badge_list_and_mark_read(world):
    staff, other = world.p("staff_zj"), world.p("staff_gd")
    first = _ask(world)
    _ask(world)
    assert notifications.unread_count(staff) == 2 and notifications.unread_count(other) == 0
    items = notifications.recent(staff)
    assert [n["kind"] for n in items] == ["new_consultation", "new_consultation"]
    assert {n["consultation_id"] for n in items} >= {first}
    # Marking someone else's notification read does nothing.
    assert notifications.mark_read(other, [items[0]["id"]]) == 0
    assert notifications.mark_read(staff, [items[0]["id"]]) == 1
    assert notifications.unread_count(staff) == 1
    assert notifications.mark_read(staff) == 1
    assert notifications.unread_count(staff) == 0
    with db.read_session() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "notification.read")) is not None


def test_assignment_answer_and_overdue_reach_the_right_people(world):
    staff, exp, ent = world.p("staff_zj"), world.p("exp_best"), world.p("ent_a")
    cid = _ask(world)
    svc.assign(staff, cid, world.experts["best"])
    svc.answer(exp, cid, "An answer")
    with db.read_session() as s:
        kinds = {(uid, kind) for uid, kind in s.execute(select(Notification.user_id, Notification.kind))}
    assert (exp.id, "assigned") in kinds and (ent.id, "answered") in kinds
    assert (world.p("exp_partial").id, "assigned") not in kinds


def test_notify_skips_empty_and_duplicate_recipients(world):
    with db.write_session() as s:
        assert notifications.notify(s, [None, world.p("ent_a").id, world.p("ent_a").id], "answered", None) == 1
    with pytest.raises(ValueError):
        with db.write_session() as s:
            notifications.notify(s, [world.p("ent_a").id], "no_such_kind", None)


def test_no_email_unless_smtp_is_configured(world, monkeypatch, smtp_sink):
    monkeypatch.delenv("IPOVERSEAS_SMTP_HOST", raising=False)
    assert not notifications.email_enabled()
    _ask(world)
    assert smtp_sink.received == []


def test_email_goes_out_after_commit_when_configured(world, monkeypatch, smtp_sink):
    monkeypatch.setenv("IPOVERSEAS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IPOVERSEAS_SMTP_PORT", str(smtp_sink.server_address[1]))
    monkeypatch.setenv("IPOVERSEAS_SMTP_STARTTLS", "false")
    monkeypatch.setenv("IPOVERSEAS_SMTP_FROM", "centre@example.org")
    cid = _ask(world)
    assert len(smtp_sink.received) == 1
    msg = message_from_bytes(smtp_sink.received[0])
    assert msg["To"] == "staff_zj@example.com" and msg["From"] == "centre@example.org"
    assert f"#{cid}" in str(msg["Subject"]) or f"#{cid}" in msg.get_payload(decode=True).decode()


def test_a_failing_mail_server_does_not_undo_the_change(world, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IPOVERSEAS_SMTP_PORT", "1")   # nothing listens there
    monkeypatch.setenv("IPOVERSEAS_SMTP_STARTTLS", "false")
    cid = _ask(world)
    assert svc.get(world.p("ent_a"), cid) is not None
    assert notifications.unread_count(world.p("staff_zj")) == 1


def _component_script():
    from ipoverseas.ui import state
    from ipoverseas.ui.notifications import render_notifications
    render_notifications(state.current_user())


def test_the_badge_and_list_component(world):
    from streamlit.testing.v1 import AppTest

    from ipoverseas.core import i18n

    cid = _ask(world)
    staff = world.p("staff_zj")
    at = AppTest.from_function(_component_script, default_timeout=30)
    at.session_state["auth_user"] = staff
    at.session_state["ui_lang"] = "en"
    at.run()
    assert not at.exception
    assert at.expander[0].label == i18n.t("service.notifications.title", "en", n=1)
    assert at.expander[0].proto.icon == ":material/notifications_active:"   # not an emoji (no font needed)
    links = [(p.proto.label, p.proto.page, p.proto.query_string) for p in at.get("page_link")]
    assert any(f"#{cid}" in label and page.endswith("consultations") and query == f"consultation={cid}"
               for label, page, query in links), links
    at.button(key="notifications_read").click().run()
    assert notifications.unread_count(staff) == 0
    assert at.expander[0].label == i18n.t("service.notifications.none_new", "en")
    assert at.expander[0].proto.icon == ":material/notifications:"
    # Nobody logged in: nothing at all.
    nobody = AppTest.from_function(_component_script, default_timeout=30).run()
    assert not nobody.exception and not nobody.expander


def test_a_routed_alert_and_a_region_import_are_links(world):
    from streamlit.testing.v1 import AppTest

    staff = world.p("staff_zj")
    with db.write_session() as s:
        notifications.notify(s, [staff.id], "alert_routed", None, "巴西海关预警", entity="article", entity_id=41)
        notifications.notify(s, [staff.id], "region_cases", None, "GD: 3", entity="import_batch", entity_id=9)
    at = AppTest.from_function(_component_script, default_timeout=30)
    at.session_state["auth_user"] = staff
    at.run()
    assert not at.exception
    links = {(p.proto.page.rsplit("/", 1)[-1], p.proto.query_string) for p in at.get("page_link")}
    assert {("guides", "article=41"), ("cases", "region=mine")} <= links, links
    assert notifications.mark_read_for(staff, 41, entity="article") == 1


def test_opening_a_consultation_marks_its_notifications_read(world):
    cid = _ask(world)
    staff = world.p("staff_zj")
    other = _ask(world)
    assert notifications.unread_count(staff) == 2
    assert notifications.mark_read_for(staff, cid) == 1
    assert notifications.mark_read_for(staff, cid) == 0              # nothing left to mark
    assert [n["consultation_id"] for n in notifications.recent(staff) if n["read_at"] is None] == [other]
