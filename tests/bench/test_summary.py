"""Benchmark of the work summary draft (opt-in: `make bench`): one sub-centre's .docx (target
<= 10 s) and the whole network's, over the case benchmark database (1,000,000 cases over 12
sub-centres, all created this year; IPOVERSEAS_BENCH_CASES for another size) plus 200,000
consultations of this year (IPOVERSEAS_BENCH_CONSULTATIONS), 50 experts, 2,000 activities and
1,000 transfers, typical cases published this year.

The case database of the library benchmark (IPOVERSEAS_BENCH_DIR/ipoverseas-bench-1m.db) is
copied once, not changed; the copy gets the rest. Prints name=value lines (seconds: the median of
IPOVERSEAS_BENCH_RUNS drafts, each on new connections).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from ipoverseas.assessment import summary
from ipoverseas.core import db, localtime
from ipoverseas.core.models import Activity, Case, Consultation, Expert, SubCentre, Transfer
from tests.bench.data import build_sqlite, print_figures

pytestmark = pytest.mark.bench

BENCH_DIR = Path(os.environ.get("IPOVERSEAS_BENCH_DIR", "/tmp"))
N_CASES = int(os.environ.get("IPOVERSEAS_BENCH_CASES", "1000000"))
N_CONSULTATIONS = int(os.environ.get("IPOVERSEAS_BENCH_CONSULTATIONS", "200000"))
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "3"))
LIMIT_S = 10.0
KINDS = ("training", "publicity", "publication", "funding_help", "agency_match", "other")
OUTCOMES = ("settled", "won", "lost", "withdrawn", "default_judgment")


def _label(n: int) -> str:
    return "1m" if n == 1_000_000 else str(n)


def _database() -> str:
    """A copy of the case benchmark database (built if missing), with this benchmark's rows added once."""
    path = BENCH_DIR / f"ipoverseas-bench-summary-{_label(N_CASES)}.db"
    if not path.exists():
        source = BENCH_DIR / f"ipoverseas-bench-{_label(N_CASES)}.db"
        if not source.exists():
            build_sqlite(str(source), N_CASES, 0, seed=0)
            db.dispose_all()
        partial = path.with_suffix(".partial")
        shutil.copyfile(source, partial)
        os.replace(partial, path)
    url = f"sqlite:///{path}"
    db.migrate(db.get_engine(url))
    return url


def _fill(year: int, rng: random.Random) -> None:
    lo = localtime.from_local(datetime(year, 1, 1))
    span = max(1, int((localtime.from_local(datetime.combine(localtime.today(), datetime.min.time())) - lo)
                      .total_seconds()))
    with db.write_session() as s:
        if s.scalar(select(func.count()).select_from(Consultation)):
            return
        centres = list(s.scalars(select(SubCentre.id).where(SubCentre.active.is_(True))))

        def at() -> datetime:
            return lo + timedelta(seconds=rng.randrange(span))
        for part in range(0, N_CONSULTATIONS, 20_000):
            rows = []
            for i in range(part, min(part + 20_000, N_CONSULTATIONS)):
                created, answered = at(), rng.random() < 0.9
                closed = answered and rng.random() < 0.6
                rows.append({"company": f"Co {i}", "question": "Q", "country": "US", "sub_centre_id": rng.choice(centres),
                             "status": "closed" if closed else "answered" if answered else "accepted",
                             "created_at": created, "updated_at": created, "due_at": created + timedelta(days=5),
                             "assign_days": rng.random() * 2, "first_answer_days": rng.random() * 6 if answered else None,
                             "answered_on_time": rng.random() < 0.8 if answered else None,
                             "answered_at": created + timedelta(days=2) if answered else None,
                             "closed_at": created + timedelta(days=9) if closed else None,
                             "followup_outcome": rng.choice(OUTCOMES) if closed and rng.random() < 0.7 else None,
                             "loss_avoided_cny": rng.randint(0, 2_000_000) if closed else None,
                             "rating": rng.randint(1, 5) if answered and rng.random() < 0.5 else None,
                             "urgency": "normal", "version": 1})
            s.execute(insert(Consultation), rows)
        s.execute(insert(Expert), [{"expert_ref": f"SE{i}", "sub_centre_id": rng.choice(centres), "name": f"专家 {i}",
                                    "active": True, "created_at": lo, "updated_at": lo, "version": 1}
                                   for i in range(50)])
        s.execute(insert(Activity), [{"activity_ref": f"SA{i}", "sub_centre_id": rng.choice(centres),
                                      "held_on": (lo + timedelta(seconds=rng.randrange(span))).date(),
                                      "kind": rng.choice(KINDS), "title": f"活动 {i}", "participants": rng.randint(10, 200),
                                      "enterprises_reached": rng.randint(1, 50), "version": 1} for i in range(2_000)])
        s.execute(insert(Transfer), [{"kind": "lead", "company": f"T{i}", "sub_centre_id": rng.choice(centres),
                                      "status": rng.choice(("accepted", "refused", "pending")), "created_at": t,
                                      "updated_at": t, "due_at": t + timedelta(days=3),
                                      "decided_on_time": rng.random() < 0.7, "version": 1}
                                     for i, t in ((i, at()) for i in range(1_000))])
        distinguished = select(Case.id).where(Case.distinction.is_not(None)).limit(200).scalar_subquery()
        s.execute(update(Case).where(Case.id.in_(distinguished)).values(published_at=lo + timedelta(days=30),
                                                                      lessons="尽早应诉，保全证据。"))


def _time(draft) -> float:
    times = []
    for _ in range(RUNS):
        db.dispose_all()
        started = time.perf_counter()
        data = draft()
        times.append(time.perf_counter() - started)
        assert data[:2] == b"PK"
    return statistics.median(times)


def test_summary_speed(monkeypatch):
    url = _database()
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    year = localtime.today().year
    _fill(year, random.Random(0))
    with db.read_session() as s:
        first = s.scalar(select(SubCentre.id).where(SubCentre.active.is_(True)).order_by(SubCentre.code))
        counts = {"summary_cases": s.scalar(select(func.count()).select_from(Case)),
                  "summary_cases_of_the_sub_centre": s.scalar(select(func.count()).select_from(Case)
                                                             .where(Case.sub_centre_id == first)),
                  "summary_consultations": s.scalar(select(func.count()).select_from(Consultation)),
                  "summary_sub_centres": s.scalar(select(func.count()).select_from(SubCentre)
                                                  .where(SubCentre.active.is_(True)))}
    network = _time(lambda: summary.draft(None, year))
    one = _time(lambda: summary.draft(None, year, sub_centre_id=first))
    print_figures(counts, {"summary_one_sub_centre_s": one}, LIMIT_S)    # the target is for one sub-centre
    print(f"summary_network_s={network:.3f}")
