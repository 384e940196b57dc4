"""Benchmark of the page 工作活动 / Activities (opt-in: `make bench`).

50 sub-centres and 50,000 activities over ten years (IPOVERSEAS_BENCH_ACTIVITIES for another
size) with their countries and industries, plus 5,000 published knowledge-base articles that count
as publications. Each view runs the page's script in AppTest with Streamlit's caches cleared, the
median of RUNS runs, and prints one name=value line per figure. Target: the list with its counts
renders in at most 1 s (issue 13).
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tests.bench.data import print_figures, time_page

CENTRES = 50
N = int(os.environ.get("IPOVERSEAS_BENCH_ACTIVITIES", "50000"))
N_ARTICLES = 5_000
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "5"))
LIMIT_S = 1.0
KINDS = ("training", "publicity", "publication", "funding_help", "agency_match", "other")


def _fill(rng: random.Random) -> None:
    from ipoverseas.core import db
    from ipoverseas.core.models import Activity, ActivityCountry, ActivityIndustry, Article, SubCentre, User

    start = date(2017, 1, 1)
    with db.write_session() as s:
        s.execute(insert(SubCentre), [{"code": f"S{i:02d}", "name_zh": f"分中心{i:02d}", "name_en": f"Centre {i}",
                                      "active": True, "is_demo": False} for i in range(CENTRES)])
        centres = list(s.scalars(select(SubCentre.id)))
        s.add(User(username="admin", password_hash="x", role="admin"))
        s.add(User(username="staff", password_hash="x", role="staff", sub_centre_id=centres[0]))
        now = datetime(2026, 12, 1)
        for part in range(0, N, 10_000):
            rows = [{"id": i + 1, "activity_ref": f"A{i}", "sub_centre_id": rng.choice(centres),
                     "held_on": start + timedelta(days=rng.randint(0, 3620)), "kind": rng.choice(KINDS),
                     "title": f"海外知识产权培训 {i}", "city": "宁波", "organisers": "", "participants": rng.randint(20, 300),
                     "enterprises_reached": rng.randint(1, 80), "note": "", "created_at": now, "updated_at": now,
                     "version": 1, "is_demo": False} for i in range(part, min(part + 10_000, N))]
            s.execute(insert(Activity), rows)
            s.execute(insert(ActivityCountry), [{"activity_id": r["id"], "country": rng.choice(("US", "DE", "JP"))}
                                                for r in rows])
            s.execute(insert(ActivityIndustry), [{"activity_id": r["id"], "industry": "electronics"} for r in rows])
        s.execute(insert(Article), [{"ref": f"KB{i}", "sub_centre_id": rng.choice(centres), "kind": "practice_guide",
                                     "title_zh": f"指引 {i}", "status": "published",
                                     "published_on": start + timedelta(days=rng.randint(0, 3620)),
                                     "created_at": now, "updated_at": now, "version": 1, "is_demo": False}
                                    for i in range(N_ARTICLES)])



@pytest.mark.bench
def test_bench_activities_page(tmp_path, monkeypatch):
    from ipoverseas import bootstrap
    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.core.models import Activity, User

    url = f"sqlite:///{tmp_path}/activities.db"
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    db.migrate()
    t0 = time.perf_counter()
    _fill(random.Random(7))
    build = time.perf_counter() - t0
    bootstrap.refresh_statistics()
    with db.read_session() as s:
        admin = policy.Principal.of(s.scalar(select(User).where(User.username == "admin")))
        staff = policy.Principal.of(s.scalar(select(User).where(User.username == "staff")))
        one = s.scalar(select(Activity.id).where(Activity.sub_centre_id == staff.sub_centre_id).limit(1))
    lists = "按分中心统计"

    def timed(user, query, shows=lists):
        return time_page(monkeypatch, url, "activities", user, query, shows, RUNS)

    timed(admin, {"year": "2026"})      # a server process has its imports loaded: warm up once
    figures = {
        "activities_list_admin_year_s": timed(admin, {"year": "2026"}),
        "activities_list_admin_training_s": timed(admin, {"year": "2026", "kind": "training"}),
        "activities_list_admin_month_s": timed(admin, {"year": "2022", "month": "6"}),
        "activities_list_staff_s": timed(staff, {"year": "2026"}),
        "activities_record_staff_s": timed(staff, {"activity": str(one)}, shows="海外知识产权培训"),
    }
    db.dispose_all()
    print_figures({"activities_rows": N, "activities_articles": N_ARTICLES, "activities_sub_centres": CENTRES,
                   "activities_build_s": f"{build:.1f}", "runs_per_figure": RUNS}, figures, LIMIT_S)
