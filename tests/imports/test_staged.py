"""SQLite's staged write (imports/staged.py) leaves the database a row-by-row write leaves.

The same uploads (new cases, then a file changing a third of them, a resubmitted
published case, experts with facets, articles) and the same rollbacks run twice, on two
copies of one database: once staged, once with the staging switched off (the driver's
executemany, one statement per row). Every row of the data tables, the before-images,
the totals kept by triggers and every entry of the full-text indexes must be equal.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, text, update

from ipoverseas.core import db
from ipoverseas.cases import bulk_totals
from ipoverseas.core.models import Case, ImportBatch
from ipoverseas.imports import apply, service, staged
from tests.imports.helpers import FILES, SNAPSHOT_TABLES, case_row, sub_centre_id, write_cases_xlsx

NOW = datetime(2026, 5, 1, 8, 0, 0)
TABLES = SNAPSHOT_TABLES + ("record_versions", "import_batches", "case_facet_totals", "case_pair_facets",
                            "case_rollups")


def _workbooks(tmp_path: Path) -> tuple[Path, Path]:
    rng = random.Random(3)
    rows = [case_row(i, rng, ref_prefix="ST") for i in range(700)]
    for i, row in enumerate(rows):
        if i % 7 == 0:
            row[6] = row[7] = row[12] = row[16] = None     # blank cells take their default or stay NULL
        row[18] = f"第{i}号：" + "".join(rng.choice("专利商标禁令调查海关扣押展会平台侵权和解") for _ in range(40))
    rng = random.Random(4)
    changed = [list(r) for r in rows]
    for i in range(0, len(changed), 3):
        changed[i][1] = f"{changed[i][1]}（改）"
        changed[i][16] = (changed[i][16] or 0) + 1
        changed[i][18] = "更新：" + "".join(rng.choice("专利商标禁令调查") for _ in range(30))
    return (write_cases_xlsx(tmp_path / "first.xlsx", rows), write_cases_xlsx(tmp_path / "second.xlsx", changed))


def _uploads(first: Path, second: Path) -> list[int]:
    """The uploads and a rollback; the batch ids."""
    zj = sub_centre_id("ZJ")
    batches = [service.run(first, first.name, "cases", None, zj)[1].batch_id]
    with db.write_session() as s:   # a published case goes back to review when an upload changes it
        s.execute(update(Case).where(Case.case_ref == "ST-000003").values(review_status="published", updated_at=NOW))
    batches.append(service.run(second, second.name, "cases", None, zj)[1].batch_id)
    for name, dataset in (("experts_multi.xlsx", "experts"), ("articles.xlsx", "articles")):
        path = FILES / "messy" / name
        batches.append(service.run(path, path.name, dataset, None, zj, skip_invalid=True)[1].batch_id)
    with db.write_session() as s:
        apply.undo(s, s.get(ImportBatch, batches[1]), None)
    return batches


def _state() -> dict[str, list]:
    out: dict[str, list] = {}
    with db.get_engine().connect() as conn:
        for table in TABLES:
            # Sums of amounts to the micro-dollar: the rollups of new cases are summed per group, then
            # added (bulk_totals.py); a row trigger adds one by one, and floats add differently by order.
            out[table] = sorted((tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                                 for r in conn.execute(text(f"SELECT * FROM {table}"))), key=repr)
        for fts in ("cases_fts", "articles_fts"):
            conn.exec_driver_sql(f"CREATE VIRTUAL TABLE temp.v_{fts} USING fts5vocab(main, {fts}, 'instance')")
            out[fts] = sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM temp.v_{fts}"))
            conn.exec_driver_sql(f"DROP TABLE temp.v_{fts}")
    return out


def test_a_staged_import_leaves_what_a_row_by_row_import_leaves(sqlite_demo_database, tmp_path, monkeypatch):
    path = Path(sqlite_demo_database.removeprefix("sqlite:///"))
    copy = tmp_path / "row_by_row.db"
    shutil.copyfile(path, copy)
    monkeypatch.setattr(apply, "utcnow", lambda: NOW)   # batches, images and rollback times alike
    monkeypatch.setattr(bulk_totals, "MIN_ROWS", 100)   # the 700 new cases' totals by grouped statements
    grouped = []
    copy_rows = bulk_totals._copy
    monkeypatch.setattr(bulk_totals, "_copy", lambda *args: grouped.append(args[1]) or copy_rows(*args))

    first, second = _workbooks(tmp_path)   # written once: the same bytes (and hash) for both sides
    staged_batches = _uploads(first, second)
    with db.read_session() as s:
        assert s.scalar(select(Case.review_status).where(Case.case_ref == "ST-000003")) == "published"   # rolled back
    after_staged = _state()
    assert grouped == [bulk_totals.NEW_CASES], grouped

    db.dispose_all()
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", f"sqlite:///{copy}")
    calls = []
    monkeypatch.setattr(staged, "applies", lambda conn: calls.append(1) and False)
    assert _uploads(first, second) == staged_batches
    assert calls, "the row-by-row side must have been asked"
    after_rows = _state()

    assert len(after_staged["cases"]) > 700 and after_staged["cases_fts"]
    for table in after_staged:
        assert after_staged[table] == after_rows[table], table

