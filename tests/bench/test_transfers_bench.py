"""Benchmark of the Transfers page on a large set (opt-in: make bench).

50 sub-centres and 100,000 transfers over ten years (IPOVERSEAS_BENCH_TRANSFERS for another
size) in every state, their due times stored as the service stores them. Each view runs the
page's script in AppTest with Streamlit's caches cleared, as the median of several runs, and
prints one name=value line per figure (seconds). Target: ≤ 1 s each (issue 13).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

import pytest

N = int(os.environ.get("IPOVERSEAS_BENCH_TRANSFERS", "100000"))
CENTRES = 50
RUNS = 5
LIMIT_S = 1.0


def _fill(rng: random.Random) -> None:
    from sqlalchemy import insert, select

    from ipoverseas.consultations import calendar
    from ipoverseas.core import db
    from ipoverseas.core.models import SubCentre, Transfer, User, utcnow
    from ipoverseas.network import transfers

    now = utcnow().replace(microsecond=0)
    days, basis = transfers.accept_days(), transfers.clock_basis()
    with db.write_session() as s:
        s.execute(insert(SubCentre), [{"code": f"S{i:02d}", "name_zh": f"分中心{i}", "name_en": f"Centre {i}",
                                      "active": True, "is_demo": False} for i in range(CENTRES)])
        centres = list(s.scalars(select(SubCentre.id)))
        s.add(User(username="admin", password_hash="x", role="admin"))
        s.add(User(username="staff", password_hash="x", role="staff", sub_centre_id=centres[0]))
        s.flush()
        rows = []
        span = 3650 * 86400
        for i in range(N):
            created = now - timedelta(seconds=int(span * (1 - i / N)) + rng.randint(0, 3600))
            status = "pending" if i > N - 400 or rng.random() < 0.02 else rng.choice(
                ("accepted", "accepted", "accepted", "refused", "withdrawn"))
            due = created + timedelta(days=days * 1.4)        # close enough to the working-day deadline
            decided = created + timedelta(hours=rng.randint(2, 90))
            decision = calendar.working_time(created, decided) if status in ("accepted", "refused") and i % 50 == 0 \
                else rng.uniform(0.1, 3.0)
            rows.append({
                "kind": "lead", "company": f"示例企业 {i}", "country": rng.choice(("US", "DE", "JP", "GB", "FR")),
                "description": "纠纷简述", "contact": "", "sub_centre_id": rng.choice(centres), "note": "",
                "status": status, "created_at": created, "updated_at": created, "due_at": due,
                "clock_basis": basis, "version": 1, "is_demo": False,
                "overdue_notified_at": due if status == "pending" and due < now else None,
                "accepted_at": decided if status == "accepted" else None,
                "refused_at": decided if status == "refused" else None,
                "refusal_reason": "不在本区域" if status == "refused" else None,
                "withdrawn_at": decided if status == "withdrawn" else None,
                "decision_days": decision if status in ("accepted", "refused") else None,
                "decided_on_time": (decision <= days) if status in ("accepted", "refused") else None,
            })
            if len(rows) == 10_000:
                s.execute(insert(Transfer), rows)
                rows = []
        if rows:
            s.execute(insert(Transfer), rows)


def _timed_script() -> None:
    import importlib
    import time

    import streamlit as st

    started = time.perf_counter()
    try:
        importlib.import_module("pages.network.transfers").render()
    finally:
        st.session_state["bench_elapsed"] = time.perf_counter() - started


def _time_view(user, session: dict | None = None, query: dict | None = None, shows: str = "国家中心转交") -> float:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    script = []
    for _ in range(RUNS):
        st.cache_data.clear()
        at = AppTest.from_function(_timed_script, default_timeout=60)
        at.session_state["auth_user"] = user
        at.session_state["ui_lang"] = "zh"
        for key, value in (session or {}).items():
            at.session_state[key] = value
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        assert shows in "\n".join(str(el.value) for el in [*at.title, *at.subheader])
        script.append(at.session_state["bench_elapsed"])
    return statistics.median(script)


@pytest.mark.bench
def test_bench_transfers_list(tmp_path, monkeypatch):
    from sqlalchemy import select

    import importlib

    importlib.import_module("tests.pages.apptest")   # scans the component manifests once, as a server does
    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.core.models import Transfer, User

    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", f"sqlite:///{tmp_path}/transfers.db")
    db.migrate()
    t0 = time.perf_counter()
    _fill(random.Random(13))
    build = time.perf_counter() - t0
    from ipoverseas import bootstrap
    bootstrap.refresh_statistics()
    with db.read_session() as s:
        admin = policy.Principal.of(s.scalar(select(User).where(User.username == "admin")))
        staff = policy.Principal.of(s.scalar(select(User).where(User.username == "staff")))
        some = s.scalar(select(Transfer.id).where(Transfer.sub_centre_id == staff.sub_centre_id).limit(1))
    figures = {
        "transfers_list_admin_s": _time_view(admin),
        "transfers_list_admin_overdue_s": _time_view(admin, {"transfers_filter": "overdue"}),
        "transfers_list_admin_accepted_s": _time_view(admin, {"transfers_filter": "accepted"}),
        "transfers_list_staff_s": _time_view(staff),
        "transfers_record_staff_s": _time_view(staff, query={"transfer": str(some)}, shows=f"转交 #{some}"),
    }
    db.dispose_all()
    print()
    print(f"transfers_rows={N}")
    print(f"transfers_sub_centres={CENTRES}")
    print(f"transfers_build_s={build:.1f}")
    print(f"runs_per_figure={RUNS}")
    for name, value in figures.items():
        print(f"{name}={value:.3f}")
    slow = {k: v for k, v in figures.items() if v > LIMIT_S}
    assert not slow, f"script over {LIMIT_S}s: {slow}"
