"""imports.bulk.Bulk: the rows it writes and the rowcount it reports, on SQLite and PostgreSQL.

On PostgreSQL the rows of a plain INSERT go by one COPY, other statements as multi-row
statements (so the statement-level triggers on `cases` run once per statement); the stored
rows and the rowcount must be the ones the driver's executemany gives, including a
version-checked UPDATE that counts short.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import bindparam, func, insert, select, update

from ipoverseas.core import db
from ipoverseas.imports.bulk import Bulk
from ipoverseas.core.models import Case, RecordVersion

NOW = datetime(2026, 3, 1, 12, 30)
FIELDS = ("case_ref", "title", "country", "dispute_type", "filed_on", "amount_usd", "defendants_count",
          "party_confidential", "province")
t = Case.__table__


def _insert(conn, centre: int) -> Bulk:
    return Bulk(conn, insert(t).values(sub_centre_id=centre, review_status="submitted", created_at=NOW,
                                       updated_at=NOW, version=1, is_demo=False, summary="100% sure",
                                       **{f: bindparam(f"v_{f}", type_=t.c[f].type) for f in FIELDS}),
                [f"v_{f}" for f in FIELDS])


def _rows(n: int, tag: str = "B") -> list[tuple]:
    # Text COPY escapes: a tab, a newline, a backslash and a literal \N are the cell's own characters.
    return [(f"{tag}-{i}", f"title {i} 50%" if i % 7 else f"tab\there {i}\nline \\N back\\slash",
             ("US", "DE")[i % 2], "litigation", None if i % 3 else date(2020, 1, 1 + i % 28),
             None if i % 4 == 0 else Decimal(i) / 4, None if i % 5 else i, bool(i % 2), ("GD", None)[i % 2])
            for i in range(n)]


def _stored(conn, prefix: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(
        select(*[t.c[f] for f in FIELDS], t.c.summary, t.c.version, t.c.updated_at)
        .where(t.c.case_ref.like(f"{prefix}-%")).order_by(t.c.case_ref))]


def _centre(conn) -> int:
    return conn.scalar(select(func.min(Case.sub_centre_id)))


def test_inserts_store_what_sqlalchemy_stores(demo_database):
    rows = _rows(2345)
    with db.write_session() as s:
        conn = s.connection()
        bulk = _insert(conn, _centre(conn))
        assert (bulk.copy is not None) == (conn.dialect.name == "postgresql")
        assert bulk.run(rows) == len(rows)
        assert bulk.run([]) == 0
        # The same rows through SQLAlchemy's own executemany.
        conn.execute(insert(t).values(sub_centre_id=_centre(conn), review_status="submitted", created_at=NOW,
                                      updated_at=NOW, version=1, is_demo=False, summary="100% sure"),
                     [dict(zip(FIELDS, ("C" + r[0][1:], *r[1:]))) for r in rows])
        assert _stored(conn, "B") == [("B" + r[0][1:], *r[1:]) for r in _stored(conn, "C")]
        assert len(_stored(conn, "B")) == len(rows)


def test_an_insert_with_an_expression_goes_as_multi_row_statements(demo_database):
    rows = [r[:1] + (f"title {i}",) + r[2:] for i, r in enumerate(_rows(1500, "E"))]
    with db.write_session() as s:
        conn = s.connection()
        centre = _centre(conn)
        values = {f: bindparam(f"v_{f}", type_=t.c[f].type) for f in FIELDS}
        values["title"] = func.upper(values["title"])
        bulk = Bulk(conn, insert(t).values(sub_centre_id=centre, review_status="submitted", created_at=NOW,
                                           updated_at=NOW, version=1, is_demo=False, summary="100% sure", **values),
                    [f"v_{f}" for f in FIELDS])
        assert bulk.copy is None and (bulk.multi is not None) == (conn.dialect.name == "postgresql")
        assert bulk.run(rows) == len(rows)
        assert _stored(conn, "E") == sorted([(*r[:1], r[1].upper(), *r[2:], "100% sure", 1, NOW) for r in rows])


def test_a_time_with_a_zone_is_stored_as_the_cast_stores_it(demo_database):
    """The cast parameter converts a zoned time to the session's zone; COPY would drop the zone: not copied."""
    from datetime import timedelta, timezone

    zoned = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=8)))
    rows = _rows(30, "Z")
    with db.write_session() as s:
        conn = s.connection()
        shared = dict(sub_centre_id=_centre(conn), review_status="submitted", created_at=NOW, updated_at=zoned,
                      version=1, is_demo=False)
        bulk = Bulk(conn, insert(t).values(**shared, **{f: bindparam(f"v_{f}", type_=t.c[f].type) for f in FIELDS}),
                    [f"v_{f}" for f in FIELDS])
        assert bulk.copy is None or not bulk.copy.takes(bulk._values(rows))
        assert bulk.run(rows) == len(rows)
        conn.execute(insert(t).values(**shared), [dict(zip(FIELDS, ("Y" + r[0][1:], *r[1:]))) for r in rows])
        stored = dict(conn.execute(select(t.c.case_ref, t.c.updated_at).where(t.c.case_ref.like("Z-%")
                                                                              | t.c.case_ref.like("Y-%"))).all())
    assert len(stored) == 2 * len(rows)
    assert {stored[f"Z-{i}"] for i in range(len(rows))} == {stored[f"Y-{i}"] for i in range(len(rows))}


def test_json_rows(demo_database):
    rv = RecordVersion.__table__
    names = ("entity_id", "action", "before", "after_version")
    images = [{"title": f"t{i}", "amount": {"$dec": "1.5"}, "tags": ["a", i]} if i % 3 else None for i in range(1500)]
    with db.write_session() as s:
        conn = s.connection()
        bulk = Bulk(conn, insert(rv).values(batch_id=None, entity="case-test", user_id=None, created_at=NOW,
                                            **{n: bindparam(n, type_=rv.c[n].type) for n in names}), names)
        assert bulk.run((i, "update", image, 2) for i, image in enumerate(images)) == len(images)
        stored = conn.execute(select(rv.c.entity_id, rv.c.before).where(rv.c.entity == "case-test")
                              .order_by(rv.c.entity_id)).all()
    assert [before for _, before in stored] == images


def _version_checked_update(conn) -> Bulk:
    return Bulk(conn, update(t).where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                .values(title=bindparam("v_title", type_=t.c.title.type),
                        amount_usd=bindparam("v_amount_usd", type_=t.c.amount_usd.type),
                        filed_on=bindparam("v_filed_on", type_=t.c.filed_on.type),
                        version=t.c.version + 1, updated_at=NOW, review_status="submitted"),
                ["b_id", "b_version", "v_title", "v_amount_usd", "v_filed_on"])


def test_a_version_checked_update_counts_short_when_rows_moved(demo_database):
    with db.write_session() as s:
        conn = s.connection()
        _insert(conn, _centre(conn)).run(_rows(2600, "U"))
        stored = conn.execute(select(t.c.id, t.c.version).where(t.c.case_ref.like("U-%")).order_by(t.c.id)).all()
        moved = {id_ for id_, _ in stored[::97]}
        conn.execute(update(t).where(t.c.id.in_(moved)).values(version=t.c.version + 1))
        bulk = _version_checked_update(conn)
        assert (bulk.multi is not None) == (conn.dialect.name == "postgresql")
        written = bulk.run((id_, version, f"new {id_}", None if id_ % 2 else Decimal("7.25"),
                            None if id_ % 3 else date(2021, 2, 3)) for id_, version in stored)
        assert written == len(stored) - len(moved)
        after = {r.id: r for r in conn.execute(select(t.c.id, t.c.title, t.c.amount_usd, t.c.filed_on, t.c.version,
                                                      t.c.updated_at).where(t.c.id.in_([i for i, _ in stored])))}
    for id_, version in stored:
        row = after[id_]
        if id_ in moved:
            assert row.version == version + 1 and row.title != f"new {id_}"
        else:
            assert (row.title, row.amount_usd, row.filed_on, row.version, row.updated_at) == (
                f"new {id_}", None if id_ % 2 else Decimal("7.25"), None if id_ % 3 else date(2021, 2, 3),
                version + 1, NOW)


def test_two_rows_for_one_key_apply_in_turn_as_executemany_does(demo_database):
    with db.write_session() as s:
        conn = s.connection()
        id_, version = conn.execute(select(t.c.id, t.c.version).order_by(t.c.id).limit(1)).one()
        bulk = _version_checked_update(conn)
        # The second row expects the version the first one writes.
        assert bulk.run([(id_, version, "first", None, None), (id_, version + 1, "second", None, None)]) == 2
        assert conn.execute(select(t.c.title, t.c.version).where(t.c.id == id_)).one() == ("second", version + 2)


@pytest.mark.parametrize("shape", ["no key in the WHERE", "the key is set", "OR"])
def test_other_update_shapes_run_with_executemany(demo_database, shape):
    with db.write_session() as s:
        conn = s.connection()
        if shape == "no key in the WHERE":
            stmt = update(t).where(t.c.country == "ZZ").values(title=bindparam("v"))
            names = ["v"]
        elif shape == "the key is set":
            stmt = update(t).where(t.c.title == bindparam("old")).values(title=bindparam("new"))
            names = ["old", "new"]
        else:
            stmt = update(t).where((t.c.id == bindparam("a")) | (t.c.id == bindparam("b"))).values(title="x")
            names = ["a", "b"]
        bulk = Bulk(conn, stmt, names)
        assert bulk.multi is None
        if shape == "the key is set":   # a chain: each row renames what the one before wrote
            id_ = conn.scalar(select(func.min(t.c.id)))
            conn.execute(update(t).where(t.c.id == id_).values(title="chain-0"))
            assert bulk.run([("chain-0", "chain-1"), ("chain-1", "chain-2")]) == 2
            assert conn.scalar(select(t.c.title).where(t.c.id == id_)) == "chain-2"


def test_a_failing_statement_is_reported_briefly(demo_database):
    from sqlalchemy.exc import IntegrityError

    rows = _rows(1200, "F")
    with db.write_session() as s:
        conn = s.connection()
        _insert(conn, _centre(conn)).run(rows[:1])
    with pytest.raises(IntegrityError) as failed, db.write_session() as s:
        conn = s.connection()
        _insert(conn, _centre(conn)).run(rows)   # the first row is there already
    assert len(str(failed.value)) < 10_000
