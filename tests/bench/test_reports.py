"""Benchmark of the page 报送 / Reports (opt-in: `make bench`).

50 sub-centres and ten years of their reporting duties (2017-2026: 9,000 reports, most handed in
and reviewed, each with a submission), made through the service (`duties.ensure_year`) and then
given their states in bulk. Each view runs the page's script in AppTest with Streamlit's caches
cleared, the median of RUNS runs, and prints one name=value line per figure. Target: the duty
grid and the list each render in at most 1 s (issue 13). The page reads no case table, so the
1M-case database of tests/bench/test_library.py would not change these figures.
"""

from __future__ import annotations

import os
import random
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from tests.bench.data import print_figures, time_page

CENTRES = 50
YEARS = range(2017, 2027)
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "5"))
LIMIT_S = 1.0


def _fill(rng: random.Random) -> int:
    from ipoverseas.core import db
    from ipoverseas.core.models import DutyItem, DutySubmission, SubCentre, User
    from ipoverseas.network import duties

    with db.write_session() as s:
        s.execute(insert(SubCentre), [{"code": f"S{i:02d}", "name_zh": f"分中心{i:02d}", "name_en": f"Centre {i}",
                                      "active": True, "is_demo": False, "created_at": datetime(2016, 1, 1)}
                                     for i in range(CENTRES)])
        centres = list(s.scalars(select(SubCentre.id)))
        s.add(User(username="admin", password_hash="x", role="admin"))
        s.add(User(username="staff", password_hash="x", role="staff", sub_centre_id=centres[0]))
    for year in YEARS:
        duties.ensure_year(year)
    today = datetime(2026, 12, 4).date()
    with db.write_session() as s:
        items = s.execute(select(DutyItem.id, DutyItem.due_on)).all()
        subs = []
        for chunk in range(0, len(items), 2_000):
            for item_id, due in items[chunk:chunk + 2_000]:
                if due > today or rng.random() < 0.07:
                    continue
                status = rng.choices(["accepted", "submitted", "returned"], [88, 7, 5])[0]
                at = datetime.combine(due, datetime.min.time()) + timedelta(days=rng.randint(-6, 4), hours=3)
                s.execute(update(DutyItem).where(DutyItem.id == item_id).values(
                    status=status, first_submitted_at=at, last_submitted_at=at, on_time=at.date() <= due))
                subs.append({"item_id": item_id, "submitted_at": at, "text": "## 工作情况\n- 培训 2 场", "figures": {},
                             "decision": None if status == "submitted" else status, "reason": "", "is_demo": False})
        s.execute(insert(DutySubmission), subs)
    return len(items)



@pytest.mark.bench
def test_bench_reports_page(tmp_path, monkeypatch):
    from ipoverseas import bootstrap
    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.core.models import DutyItem, User

    url = f"sqlite:///{tmp_path}/reports.db"
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    db.migrate()
    t0 = time.perf_counter()
    n = _fill(random.Random(13))
    build = time.perf_counter() - t0
    bootstrap.refresh_statistics()
    with db.read_session() as s:
        admin = policy.Principal.of(s.scalar(select(User).where(User.username == "admin")))
        staff = policy.Principal.of(s.scalar(select(User).where(User.username == "staff")))
        one = s.scalar(select(DutyItem.id).where(DutyItem.sub_centre_id == staff.sub_centre_id,
                                                 DutyItem.status == "submitted").limit(1))
    grid = "年报送情况"

    def timed(user, query, shows=grid):
        return time_page(monkeypatch, url, "reports", user, query, shows, RUNS)

    timed(admin, {"year": "2026"})      # a server process has its imports loaded: warm up once
    figures = {
        "reports_grid_admin_all_s": timed(admin, {"year": "2026"}),
        "reports_grid_admin_missing_s": timed(admin, {"year": "2026", "state": "missing"}),
        "reports_grid_admin_2019_s": timed(admin, {"year": "2019"}),
        "reports_staff_s": timed(staff, {"year": "2026"}),
        "reports_record_admin_s": timed(admin, {"duty": str(one)}, shows="第 1 次提交"),
    }
    db.dispose_all()
    print_figures({"reports_items": n, "reports_sub_centres": CENTRES, "reports_build_s": f"{build:.1f}",
                   "runs_per_figure": RUNS}, figures, LIMIT_S)
