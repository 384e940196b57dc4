"""How long logins, session checks, logouts and password changes take while another writer holds the
database (issue 15; target ≤ 2 s each), and on a free database for comparison (opt-in: make bench).

The writer is a separate process holding SQLite's write lock (BEGIN IMMEDIATE) or, on PostgreSQL,
the revision row and the account rows, as `tests/accounts/lockholder.py` does for the lock tests.
Prints one `busy_<backend>_<held|free>_<step>_s=seconds` line per step (the slowest of RUNS runs), and
the time of one Argon2 hash on this machine then: a login checks one, a password change checks one
and makes one.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext

import pytest
from sqlalchemy.engine import make_url

from ipoverseas.accounts import deferred, password_change, passwords, sessions
from tests.accounts.lockholder import holding

pytestmark = pytest.mark.bench
PASSWORD = "ipoverseas-demo"
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "3"))


def _steps(password: str, new: str) -> dict[str, float]:
    times = {}

    def timed(name, fn):
        started = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - started
        return result

    timed("one_argon2_hash", lambda: passwords.hash_password(new))   # the machine's own pace, for comparison
    login = timed("login", lambda: sessions.login("staff", password))
    other = sessions.login("staff", password)
    assert login is not None and other is not None
    timed("wrong_password", lambda: sessions.login("staff", "wrong password"))
    assert timed("check", lambda: sessions.check(login.token_hash)) is not None
    timed("password_change", lambda: password_change.change_own_password(
        login.principal, password, new, keep_token_hash=login.token_hash))
    assert sessions.check(other.token_hash) is None
    assert timed("logout", lambda: sessions.end(login.token_hash, login.principal))
    return times


def test_bench_accounts_while_the_database_is_held(demo_database):
    backend = make_url(demo_database).get_backend_name()
    password = PASSWORD
    for state in ("free", "held"):
        worst: dict[str, float] = {}
        for run in range(RUNS):
            new = f"a long new sentence {state} {run}"
            with holding(demo_database) if state == "held" else nullcontext():
                for name, seconds in _steps(password, new).items():
                    worst[name] = max(worst.get(name, 0.0), seconds)
            password = new
            assert deferred.drain(60)
        for name, seconds in worst.items():
            print(f"busy_{backend}_{state}_{name}_s={seconds:.3f}")
