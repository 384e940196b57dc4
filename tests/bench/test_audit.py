"""Benchmarks (opt-in: make bench): a login, a session check, and the audit trail's filtered,
paginated search and export over 200,000 events."""

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert

from ipoverseas.audit import query
from ipoverseas.core import db
from ipoverseas.accounts import sessions
from ipoverseas.audit.query import AuditFilter
from ipoverseas.core.models import AuditEvent, utcnow

pytestmark = pytest.mark.bench
EVENTS = 200_000


def _ms(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def test_bench_login_and_session_check(demo_database, request):
    backend = request.node.callspec.params["demo_database"]
    login_ms = _ms(lambda: sessions.login("staff", "ipoverseas-demo"), repeat=3)
    login = sessions.login("staff", "ipoverseas-demo")
    check_ms = _ms(lambda: sessions.check(login.token_hash), repeat=50)
    print(f"login_ms_{backend}={login_ms:.1f}")
    print(f"session_check_ms_{backend}={check_ms:.2f}")
    assert check_ms < 50


def test_bench_audit_search_and_export(demo_database, principal, request):
    backend = request.node.callspec.params["demo_database"]
    rng = random.Random(6)
    now = utcnow()
    actions = ["login.success", "login.failed", "case.approve", "import.apply", "user.update", "logout"]
    rows = [{"at": now - timedelta(minutes=i), "user_id": rng.randint(1, 80), "username": f"user{rng.randint(1, 80)}",
             "sub_centre_id": rng.randint(1, 12), "action": rng.choice(actions), "entity": "case",
             "entity_id": rng.randint(1, 5000), "detail": {"before": {"x": i}, "after": {"x": i + 1}}}
            for i in range(EVENTS)]
    start = time.perf_counter()
    with db.write_session() as s:
        for i in range(0, EVENTS, 20_000):
            s.execute(insert(AuditEvent), rows[i:i + 20_000])
    print(f"audit_insert_{EVENTS}_s_{backend}={time.perf_counter() - start:.2f}")
    admin = principal("admin")
    for name, f in [("all", AuditFilter()), ("action", AuditFilter(action="case.approve")),
                    ("user_period", AuditFilter(user="user7", since=(now - timedelta(days=30)).date())),
                    ("entity_id", AuditFilter(entity="case", entity_id=42))]:
        ms = _ms(lambda: query.search(admin, f, offset=100, limit=50))
        print(f"audit_search_{name}_ms_{backend}={ms:.1f}")
    start = time.perf_counter()
    data = query.export_xlsx(admin, AuditFilter(action="case.approve"))
    print(f"audit_export_case_approve_s_{backend}={time.perf_counter() - start:.2f}")
    print(f"audit_export_bytes_{backend}={len(data)}")
