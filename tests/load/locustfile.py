"""Locust users that speak Streamlit's protocol (tests/load/client.py), one class per kind of user.

    locust -f tests/load/locustfile.py --headless --host http://127.0.0.1:8080

Every page run is a Locust request of type "page" (its time: from the rerun request to
`script_finished`; a failure: an exception on the page, a broken WebSocket, an HTTP error).
With LOAD_STEPS set, `StepShape` steps the user count up (LOAD_STEPS="5,10,20", each step
LOAD_STEP_SECONDS long, the first LOAD_WARMUP_SECONDS of each step not measured), and at the end
the page times of each step go to the JSON file LOAD_RESULTS: per step the users, page runs, p50,
p95, errors and the first error messages. A step whose p95 is over LOAD_STOP_P95 seconds (default
4) ends the run early: more users would only be slower.

LOAD_POOL: a JSON file of the ids users follow links to (scenarios.Pool); LOAD_WORKBOOK: the
.xlsx the staff upload (default: a 1,000-row workbook made at start); LOAD_THINK="min,max"
seconds between two steps of one user (default "5,15").
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import LoadTestShape, User, between, events, task

from tests.load.client import LoadError
from tests.load.scenarios import WEIGHTS, Pool, Visitor, new_tab, upload_workbook

THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "5,15").split(","))
STEPS = [int(x) for x in os.environ.get("LOAD_STEPS", "").split(",") if x.strip()]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
WARMUP_SECONDS = float(os.environ.get("LOAD_WARMUP_SECONDS", "15"))
STOP_P95 = float(os.environ.get("LOAD_STOP_P95", "4"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "2"))

_pool: Pool | None = None
_workbook: bytes | None = None
_samples: list[tuple[float, int, str, float, str | None]] = []   # (time, users, page, seconds, error)
_step: dict = {"index": -1, "started": 0.0, "users": 0}


def pool() -> Pool:
    global _pool
    if _pool is None:
        path = os.environ.get("LOAD_POOL")
        _pool = Pool(**json.loads(Path(path).read_text())) if path else Pool()
    return _pool


def workbook() -> bytes:
    global _workbook
    if _workbook is None:
        path = os.environ.get("LOAD_WORKBOOK")
        _workbook = Path(path).read_bytes() if path else upload_workbook()
    return _workbook


class AppUser(User):
    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.visitor = None

    def _record(self, name: str, run, seconds: float, error: str | None) -> None:
        self.environment.events.request.fire(
            request_type="page", name=name, response_time=seconds * 1000, response_length=len(run.texts) if run else 0,
            exception=LoadError(error) if error else None, context={"role": self.role})

    @task
    def step(self) -> None:
        if self.visitor is None:          # a new browser: log in (again, after a broken connection)
            visitor = Visitor(new_tab(self.host), self.role, pool(), self._record, random.Random(), workbook())
            try:
                visitor.start()
            except LoadError:             # recorded as a failed login; the next step tries again
                visitor.tab.close()
                return
            self.visitor = visitor
            return
        try:
            self.visitor.step()
        except LoadError as exc:          # recorded as a failed page; a broken tab is opened again
            if exc.broken:
                self.visitor.tab.close()
                self.visitor = None


class Enterprise(AppUser):
    role = "enterprise"
    weight = WEIGHTS["enterprise"]


class Staff(AppUser):
    role = "staff"
    weight = WEIGHTS["staff"]


class Expert(AppUser):
    role = "expert"
    weight = WEIGHTS["expert"]


class Admin(AppUser):
    role = "admin"
    weight = WEIGHTS["admin"]


@events.request.add_listener
def _collect(request_type, name, response_time, exception=None, **_):
    if request_type == "page":
        _samples.append((time.monotonic(), _step["users"], name, response_time / 1000,
                         str(exception) if exception else None))


def summarise(samples, started: float, users: int) -> dict:
    """The page times of one step (its warm-up left out)."""
    times = sorted(s for t, _, _, s, e in samples if t >= started + WARMUP_SECONDS and e is None)
    errors = [(name, e) for t, _, name, _, e in samples if t >= started and e is not None]

    def pct(p: float) -> float | None:
        return round(times[min(len(times) - 1, int(p * len(times)))], 3) if times else None
    return {"users": users, "pages": len(times), "p50": pct(0.50), "p95": pct(0.95), "errors": len(errors),
            "error_samples": errors[:5], "runs": sum(1 for t, *_ in samples if t >= started)}


if STEPS:
    class StepShape(LoadTestShape):
        """LOAD_STEPS users, one step after the other; stop after the last, or when a step is too slow."""

        def tick(self):
            now = time.monotonic()
            if _step["index"] < 0 or now - _step["started"] >= STEP_SECONDS:
                if _step["index"] >= 0:
                    result = summarise([s for s in _samples if s[1] == _step["users"]], _step["started"],
                                       _step["users"])
                    _results.append(result)
                    if result["p95"] is None or result["p95"] > STOP_P95:
                        return None
                if _step["index"] + 1 >= len(STEPS):
                    return None
                _step.update(index=_step["index"] + 1, started=now, users=STEPS[_step["index"] + 1])
            return _step["users"], SPAWN_RATE

    _results: list[dict] = []

    @events.quitting.add_listener
    def _write(environment, **_):
        path = os.environ.get("LOAD_RESULTS")
        if path:
            Path(path).write_text(json.dumps({"steps": _results}, ensure_ascii=False, indent=1))
