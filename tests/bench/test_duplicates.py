"""Benchmark of the duplicate check (issue 17): what it adds to the import of 10,000 case rows on the
1M-case benchmark database (opt-in: make bench; target: at most 20 %).

The workbook is 10,000 new rows in the benchmark's mix (tests/bench/data.py: countries, dispute types,
opposing parties, filing dates 2012-2026), a third with a docket number, and 100 of them repeating
stored cases of other sub-centres (so the check has real candidates and matches to score). The same
import (pre-flight, read in the child, plan, duplicate check, apply, then the queue and the region
notifications) runs with the check and, as a second batch of other case numbers, with the sharing
steps switched off; prints the seconds of both and their ratio:

    dedup_with_s=, dedup_without_s=, dedup_overhead_ratio= (with / without - 1), dedup_flagged_rows=

IPOVERSEAS_BENCH_CASES sets the database size (default 1,000,000), IPOVERSEAS_BENCH_RUNS the runs of
each side (default 2; which side goes first alternates, as the first import after a pause reads the
cold file; the medians are printed). The database is built once under
IPOVERSEAS_BENCH_DIR (default /tmp) as ipoverseas-bench-1m.db, as tests/bench/test_library.py does.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.core.models import Case, SubCentre

pytestmark = pytest.mark.bench

BENCH_DIR = Path(os.environ.get("IPOVERSEAS_BENCH_DIR", "/tmp"))
N_BIG = int(os.environ.get("IPOVERSEAS_BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "2"))
ROWS = 10_000
REPEATS = 100
HEADER = ["案件编号", "案件名称", "国家/地区", "审理机构", "纠纷类型", "行业", "企业所在省份", "中方当事人", "对方当事人",
          "立案日期", "经验启示", "审理机构案号"]


def _workbook(path: Path, prefix: str, seed: int, stored: list[dict]) -> Path:
    from tests.bench.data import COUNTRIES, DISPUTES, OPPONENTS
    from tests.imports.helpers import write_cases_xlsx

    rng = random.Random(seed)
    countries = [c for c, _, w in COUNTRIES for _ in range(w)]
    disputes = [(d, forum) for d, _, forum, w in DISPUTES for _ in range(w)]
    rows = []
    for i in range(ROWS):
        if i < REPEATS:
            s = stored[i]
            rows.append([f"{prefix}-{i:06d}", "重报：" + s["title"][:100], s["country"], s["forum"], s["dispute_type"],
                         "electronics", "ZJ", s["chinese_party"], s["opposing_party"].upper(), s["filed_on"], "经验",
                         None])
            continue
        dispute, forum = rng.choice(disputes)
        filed = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 5400))
        docket = f"{rng.randrange(1, 99)}-cv-{rng.randrange(10000, 99999)}" if rng.random() < 0.33 else None
        rows.append([f"{prefix}-{i:06d}", f"新报送纠纷 {prefix} {i}", rng.choice(countries), forum, dispute,
                     "electronics", "ZJ", f"新企业{i}有限公司", rng.choice(OPPONENTS) + " Inc.", filed, "经验", docket])
    return write_cases_xlsx(path, rows, header=HEADER)


def _import(path: Path, centre: int, check: bool, monkeypatch) -> tuple[float, int]:
    from ipoverseas.imports import service
    from ipoverseas.sharing import imports as sharing

    with monkeypatch.context() as m:
        if not check:
            m.setattr(sharing, "check_plan", lambda *a, **k: None)
            m.setattr(sharing, "after_import", lambda *a, **k: None)
        started = time.perf_counter()
        prepared = service.prepare(path, path.name, "cases", None, centre)
        result = service.apply(prepared, None)
        took = time.perf_counter() - started
    assert result.counts["created"] == ROWS
    return took, len(prepared.possible_duplicates or {})


def test_the_duplicate_check_adds_little_to_an_import_of_10000_rows(tmp_path, monkeypatch):
    from tests.bench.data import build_sqlite

    path = BENCH_DIR / f"ipoverseas-bench-{'1m' if N_BIG == 1_000_000 else N_BIG}.db"
    started = time.perf_counter()
    existed = path.exists()
    build_sqlite(str(path), N_BIG, 0, seed=0)
    if not existed:
        print(f"dedup_build_s={time.perf_counter() - started:.1f}")
    url = f"sqlite:///{path}"
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    db.dispose_all()
    with db.read_session() as s:
        centre = s.scalar(select(SubCentre.id).order_by(SubCentre.id).limit(1))
        stored = [dict(r._mapping) for r in s.execute(
            select(Case.title, Case.country, Case.forum, Case.dispute_type, Case.chinese_party, Case.opposing_party,
                   Case.filed_on).where(Case.sub_centre_id != centre, Case.filed_on.is_not(None),
                                        Case.opposing_party.is_not(None)).order_by(Case.id).limit(REPEATS))]
    stamp = int(time.time())
    with_s, without_s, flagged = [], [], 0
    for run in range(RUNS):
        # alternate which side goes first: the first import of a run reads the cold file into the cache
        for check in ((False, True) if run % 2 == 0 else (True, False)):
            prefix = f"DD{stamp % 100000}{run}{'W' if check else 'O'}"
            book = _workbook(tmp_path / f"{prefix}.xlsx", prefix, seed=run * 2 + check, stored=stored)
            took, found = _import(book, centre, check, monkeypatch)
            (with_s if check else without_s).append(took)
            if check:
                flagged = found
    w, o = statistics.median(with_s), statistics.median(without_s)
    print(f"dedup_database_cases={N_BIG}")
    print(f"dedup_with_s={w:.2f}")
    print(f"dedup_without_s={o:.2f}")
    print(f"dedup_overhead_ratio={w / o - 1:.3f}")
    print(f"dedup_flagged_rows={flagged}")
    assert flagged >= REPEATS
    db.dispose_all()
