"""Benchmark of the follow fan-out (issue 17, "Speed"; opt-in: make bench).

10,000 newly published cases (IPOVERSEAS_BENCH_FANOUT_CASES) on top of a library of
IPOVERSEAS_BENCH_FANOUT_BASE other cases, and 20,000 followers (IPOVERSEAS_BENCH_FOLLOWERS) of
every role, each following one to four countries, industries, dispute types or IP types drawn
with the library's own frequencies (so a follower of the US matches a third of the cases), and one
in twenty a single case. One announcement = one INSERT .. SELECT; prints fanout_seconds= and
fanout_notifications= (one per follower with at least one readable match). Target: ≤ 10 s.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from tests.bench import data

N_CASES = int(os.environ.get("IPOVERSEAS_BENCH_FANOUT_CASES", "10000"))
N_BASE = int(os.environ.get("IPOVERSEAS_BENCH_FANOUT_BASE", "0"))
N_FOLLOWERS = int(os.environ.get("IPOVERSEAS_BENCH_FOLLOWERS", "20000"))
LIMIT_S = 10.0

pytestmark = pytest.mark.bench


def _facets(rng: random.Random) -> list[tuple[str, str]]:
    pools = {"country": [(c, w) for c, _, w in data.COUNTRIES], "industry": data.INDUSTRIES,
             "dispute_type": [(d[0], d[3]) for d in data.DISPUTES], "ip_type": data.IP_TYPES}
    out = set()
    for _ in range(rng.randint(1, 4)):
        facet = rng.choice(list(pools))
        values, weights = zip(*pools[facet])
        out.add((facet, rng.choices(values, weights=weights)[0]))
    return sorted(out)


def test_fanout_of_an_import_to_followers(database):
    from sqlalchemy import func, insert, select, update

    from ipoverseas.core import db
    from ipoverseas.core.models import Case, Follow, Notification, SubCentre, User, utcnow
    from ipoverseas.sharing import fanout

    engine = db.get_engine()
    if N_BASE:
        data.fill_cases(engine, N_BASE, seed=1)
    with db.read_session() as s:
        before = s.scalar(select(func.coalesce(func.max(Case.id), 0)))
    data.fill_cases(engine, N_CASES, seed=2)
    rng = random.Random(17)
    now = utcnow()
    with db.write_session() as s:
        ids = list(s.scalars(select(Case.id).where(Case.id > before)))
        s.execute(update(Case).where(Case.id > before).values(review_status="published", published_at=now))
        centres = list(s.scalars(select(SubCentre.id)))
        roles = ["enterprise"] * 6 + ["staff"] * 3 + ["expert", "admin"]
        users = []
        for i in range(N_FOLLOWERS):
            role = roles[i % len(roles)]
            users.append({"username": f"f{i:06d}", "display_name": f"关注者{i}", "password_hash": "x", "role": role,
                          "sub_centre_id": rng.choice(centres) if role == "staff" else None, "active": True,
                          "email": None, "failed_logins": 0, "must_change_password": False, "is_demo": False,
                          "created_at": now})
        for i in range(0, len(users), 5000):
            s.execute(insert(User), users[i:i + 5000])
        uids = list(s.scalars(select(User.id).where(User.username.like("f%"))))
        rows = []
        for uid in uids:
            rows += [{"user_id": uid, "facet": f, "value": v, "origin": "user", "created_at": now}
                     for f, v in _facets(rng)]
            if rng.random() < 0.05:
                rows.append({"user_id": uid, "facet": "case", "value": str(rng.choice(ids)), "origin": "user",
                             "created_at": now})
        for i in range(0, len(rows), 10000):
            s.execute(insert(Follow), rows[i:i + 10000])
    started = time.perf_counter()
    result = fanout._announce("cases", ids)
    seconds = time.perf_counter() - started
    with db.read_session() as s:
        written = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.entity == fanout.ENTITY, Notification.entity_id == result.event_id))
        follows = s.scalar(select(func.count()).select_from(Follow))
    print(f"fanout_backend={engine.dialect.name}")
    print(f"fanout_cases={result.records}")
    print(f"fanout_followers={len(uids)}")
    print(f"fanout_follows={follows}")
    print(f"fanout_seconds={seconds:.2f}")
    print(f"fanout_notifications={written}")
    assert written == result.notified and result.records == len(ids)
    assert written > len(uids) * 0.9
