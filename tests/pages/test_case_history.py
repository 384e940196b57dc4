"""A case's page shows its history to staff and admin, never to enterprises."""

from sqlalchemy import select

from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case
from tests.pages.apptest import run_page


def _published_case(sub_centre_id):
    with db.read_session() as s:
        return s.scalar(select(Case.id).where(Case.review_status == "published",
                                              Case.sub_centre_id == sub_centre_id).limit(1))


def test_history_on_the_case_page(sqlite_demo_database, principal):
    staff = principal("staff")
    case_id = _published_case(staff.sub_centre_id)
    title = i18n.t("history.title", "en", count=0).split("(")[0].strip()
    for username, shown in (("staff", True), ("admin", True), ("enterprise", False)):
        at = run_page("cases", principal(username), query={"case": str(case_id)})
        assert not at.exception
        labels = [e.label for e in at.expander]
        assert any(title in label for label in labels) is shown, (username, labels)
