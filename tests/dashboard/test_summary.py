"""Home-page figures: scoped to the role, the admin's review queue first."""

from sqlalchemy import func, select

from ipoverseas.dashboard import summary
from ipoverseas.core import db
from ipoverseas.core.models import Case


def test_admin_sees_the_review_queue_first(demo_database, principal):
    rows = summary.newest_cases(principal("admin"), limit=8)
    with db.read_session() as s:
        submitted = s.scalar(select(func.count()).select_from(Case).where(Case.review_status == "submitted"))
    assert submitted > 0
    head = rows[:min(submitted, 8)]
    assert head and all(r["review_status"] == "submitted" for r in head)
    assert [r["id"] for r in head] == sorted((r["id"] for r in head), reverse=True)


def test_enterprise_sees_only_published_and_staff_only_their_region(demo_database, principal):
    assert all(r["review_status"] == "published" for r in summary.newest_cases(principal("enterprise")))
    staff = principal("staff")
    ids = [r["id"] for r in summary.newest_cases(staff, limit=20)]
    with db.read_session() as s:
        regions = set(s.scalars(select(Case.sub_centre_id).where(Case.id.in_(ids))))
    assert regions == {staff.sub_centre_id}


def test_counts_are_scoped(demo_database, principal):
    staff, admin = principal("staff"), principal("admin")
    assert summary.counts(staff)["cases"] < summary.counts(admin)["cases"]
    assert summary.counts(principal("enterprise"))["my_open"] >= 1
