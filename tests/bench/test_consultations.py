"""Benchmarks of the consultation service at national scale (opt-in: `make bench`).

2,000 experts with their facets and 20,000 consultations over a year (set
IPOVERSEAS_BENCH_CONSULTATIONS for another size, e.g. 200000), each with its events and
its stored clock facts. Prints one name=value line per figure (seconds).
"""

import os
import random
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from ipoverseas.access import policy
from ipoverseas.consultations import compliance, queue, sweep, workflow as svc, clock
from ipoverseas.core import db
from ipoverseas.experts import directory
from ipoverseas.core.models import (Consultation, ConsultationEvent, Expert, ExpertCountry, ExpertIndustry, ExpertIpType, ExpertLanguage, SubCentre, User)

N_EXPERTS = 2_000
N_CONSULTATIONS = int(os.environ.get("IPOVERSEAS_BENCH_CONSULTATIONS", "20000"))
COUNTRIES = ["US", "DE", "GB", "FR", "JP", "KR", "VN", "TH", "IN", "BR", "MX", "AE", "EU", "CA", "AU"]
IP = ["patent", "trademark", "design", "copyright", "trade_secret"]
IND = ["electronics", "machinery", "light_industry", "textiles", "auto", "new_energy", "telecom"]
LANGS = ["en", "de", "fr", "ja", "ko", "es", "pt", "vi"]


def _fill(rng: random.Random) -> None:
    start = datetime(2026, 1, 5, 1, 0)
    with db.write_session() as s:
        s.execute(insert(SubCentre), [{"code": f"S{i:02d}", "name_zh": f"分中心{i}", "name_en": f"Centre {i}"}
                                      for i in range(12)])
        centres = list(s.scalars(select(SubCentre.id)))
        s.execute(insert(Expert), [{"expert_ref": f"E{i}", "sub_centre_id": rng.choice(centres), "name": f"Expert {i}",
                                    "capacity_per_month": rng.randint(2, 8), "version": 1}
                                   for i in range(N_EXPERTS)])
        ids = list(s.scalars(select(Expert.id)))
        s.execute(insert(ExpertCountry), [{"expert_id": e, "country": c} for e in ids
                                          for c in rng.sample(COUNTRIES, 3)])
        s.execute(insert(ExpertIpType), [{"expert_id": e, "ip_type": t} for e in ids for t in rng.sample(IP, 2)])
        s.execute(insert(ExpertIndustry), [{"expert_id": e, "industry": t} for e in ids for t in rng.sample(IND, 2)])
        s.execute(insert(ExpertLanguage), [{"expert_id": e, "language": t} for e in ids
                                           for t in ["zh"] + rng.sample(LANGS, 1)])
        s.add(User(username="admin", password_hash="x", role="admin"))
        s.add(User(username="staff", password_hash="x", role="staff", sub_centre_id=centres[0]))
        promise = svc.promise_days()
        step = 24.5 * 20_000 / N_CONSULTATIONS     # the same year, whatever the size
        for part in range(0, N_CONSULTATIONS, 20_000):
            rows, events = [], []
            for i in range(part, min(part + 20_000, N_CONSULTATIONS)):
                created = start + timedelta(minutes=int(i * step))
                answered = created + timedelta(hours=rng.randint(2, 120)) if rng.random() < 0.9 else None
                assigned = created + timedelta(hours=1)
                history = [(created, None, "new"), (assigned, "new", "assigned")]
                if answered:
                    history.append((answered, "assigned", "answered"))
                facts = clock.facts(created, answered, assigned, history, promise).as_dict()
                rows.append({"id": i + 1, "company": f"Co {i}", "question": "Q", "country": rng.choice(COUNTRIES),
                             "ip_type": rng.choice(IP), "industry": rng.choice(IND),
                             "sub_centre_id": rng.choice(centres), "expert_id": rng.choice(ids),
                             "status": "answered" if answered else "accepted", "created_at": created,
                             "assigned_at": assigned, "answered_at": answered, "version": 1, "urgency": "normal",
                             **facts})
                events += [{"consultation_id": i + 1, "at": at, "from_status": f, "to_status": t}
                           for at, f, t in history]
            s.execute(insert(Consultation), rows)
            s.execute(insert(ConsultationEvent), events)


def _timed(name: str, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"{name}={time.perf_counter() - t0:.3f}")
    return result


@pytest.mark.bench
def test_service_at_national_scale(database):
    _fill(random.Random(7))
    with db.read_session() as s:
        admin = policy.Principal.of(s.scalar(select(User).where(User.username == "admin")))
        staff = policy.Principal.of(s.scalar(select(User).where(User.username == "staff")))
    backend = db.get_engine().dialect.name
    rows, total = _timed(f"{backend}_directory_search_s", lambda: directory.search(
        staff, country="US", ip_type="patent", industry="electronics", limit=50))
    assert total > 0 and len(rows) <= 50
    _timed(f"{backend}_directory_search_available_s", lambda: directory.search(staff, available=True, limit=50))
    cid = N_CONSULTATIONS
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        shortlist = _timed(f"{backend}_shortlist_s", lambda: directory.shortlist(s, c))
    assert len(shortlist) == 10
    _timed(f"{backend}_profile_s", lambda: directory.profile(staff, shortlist[0].expert_id))
    now = datetime(2026, 12, 31, 2, 0)
    _timed(f"{backend}_queue_admin_s", lambda: queue.queue(admin, now=now))
    _timed(f"{backend}_queue_admin_last_page_s", lambda: queue.queue(admin, now=now, offset=1_000))
    overdue, n_overdue = _timed(f"{backend}_queue_overdue_s",
                                lambda: queue.queue(admin, now=now, only="overdue"))
    assert n_overdue > 0 and all(r["clock"].overdue for r in overdue)
    counts = _timed(f"{backend}_queue_counts_s", lambda: queue.queue_counts(admin, now=now))
    assert counts["overdue"] == n_overdue
    _timed(f"{backend}_queue_staff_s", lambda: queue.queue(staff, now=now))
    groups = _timed(f"{backend}_compliance_year_all_s", lambda: compliance.figures(
        admin, datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date(), now=datetime(2027, 1, 1)))
    assert sum(g["asked"] for g in groups) == N_CONSULTATIONS
    _timed(f"{backend}_compliance_year_by_expert_s", lambda: compliance.figures(
        admin, datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date(), by="expert", now=datetime(2027, 1, 1)))
    _timed(f"{backend}_compliance_year_staff_s", lambda: compliance.figures(
        staff, datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date(), now=datetime(2027, 1, 1)))
    notified = _timed(f"{backend}_notify_overdue_first_s", lambda: sweep.notify_overdue(now))
    assert notified == n_overdue
    assert _timed(f"{backend}_notify_overdue_again_s", lambda: sweep.notify_overdue(now)) == 0
