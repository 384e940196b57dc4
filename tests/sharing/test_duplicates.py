"""One dispute, reported once (issue 17): the duplicate check at the upload preview with real, messy
.xlsx workbooks on the demo data; exact numbers, near matches and non-duplicates; the queue, linking,
marking distinct and unlinking (audited); linked records counted once by the analytics, on both the
rollup path and the filtered path. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from ipoverseas.cases import analytics
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, Case, DisputeLink, SubCentre
from ipoverseas.imports import service
from ipoverseas.sharing import duplicates
from ipoverseas.sharing.duplicates import Probe, docket_key
from tests.sharing.helpers import messy_party, workbook


def _others(staff, n=3):
    """n cases of n different sub-centres other than staff's, with parties and a filing date."""
    picked, centres = [], set()
    with db.read_session() as s:
        rows = s.execute(select(Case).where(Case.sub_centre_id != staff.sub_centre_id, Case.filed_on.is_not(None),
                                            Case.opposing_party.is_not(None), Case.chinese_party.is_not(None))
                         .order_by(Case.id)).scalars().all()
        for case in rows:
            if case.sub_centre_id not in centres:
                centres.add(case.sub_centre_id)
                picked.append({c.name: getattr(case, c.name) for c in Case.__table__.columns})
            if len(picked) == n:
                break
    assert len(picked) == n
    return picked


def _repeat(case, i):
    """The same dispute as another sub-centre reported it, typed again by our clerk: a new case
    number, the party in capitals, the date as text in another form, full-width characters."""
    filed = case["filed_on"]
    texts = [f"{filed.year}年{filed.month}月{filed.day}日", filed.strftime("%Y/%m/%d"), filed + timedelta(days=1)]
    return {"case_ref": f"ZJ-RE-{i:03d}", "title": "（重报）" + case["title"][:80], "country": case["country"],
            "dispute_type": case["dispute_type"], "forum": case["forum"], "filed_on": filed, "filed_text": texts[i % 3],
            "chinese_party": case["chinese_party"], "opposing_party": messy_party(case["opposing_party"]),
            "province": case["province"]}


def _prepare(content: bytes, user):
    return service.prepare(content, "messy.xlsx", "cases", user, user.sub_centre_id)


def test_a_workbook_repeating_three_other_sub_centres_disputes_is_flagged_for_all_three(demo_database, principal):
    staff = principal("staff")
    others = _others(staff)
    prepared = _prepare(workbook([_repeat(c, i) for i, c in enumerate(others)]), staff)
    assert not prepared.parsed.rejected, prepared.parsed.problems
    found = prepared.possible_duplicates
    assert len(found) == 3
    flagged = {row: {m.case_id for m in matches} for row, matches in found.items()}
    for case in others:
        assert any(case["id"] in ids for ids in flagged.values()), case["case_ref"]
    assert all(m.sub_centre_id != staff.sub_centre_id for ms in found.values() for m in ms)


def test_a_workbook_of_new_disputes_raises_no_flag(demo_database, principal):
    staff = principal("staff")
    rows = [{"case_ref": f"ZJ-NEW-{i:03d}", "title": f"新纠纷 {i}", "country": "美国", "dispute_type": "337调查",
             "forum": "美国国际贸易委员会", "filed_on": date(2025, 3, 1) + timedelta(days=9 * i),
             "filed_text": (date(2025, 3, 1) + timedelta(days=9 * i)).isoformat(),
             "chinese_party": f"浙江澄{i}科技有限公司", "opposing_party": f"Qorvex Zentrallo {i} Holdings",
             "province": "浙江", "docket_no": f"337-TA-9{i:03d}"} for i in range(12)]
    prepared = _prepare(workbook(rows), staff)
    assert not prepared.parsed.rejected, prepared.parsed.problems
    assert prepared.plan.counts["created"] == 12
    assert prepared.possible_duplicates == {}


def test_the_same_forum_and_docket_number_match_whatever_its_spelling(demo_database, principal):
    staff, gd = principal("staff"), principal("staff_gd")
    first = [{"case_ref": "GD-DK-001", "title": "337 调查 甲", "country": "US", "dispute_type": "itc_337",
              "forum": "itc", "filed_on": date(2024, 5, 6), "filed_text": "2024-05-06",
              "opposing_party": "Lumora Devices LLC", "docket_no": "337-TA-1402"}]
    assert service.apply(_prepare(workbook(first), gd), gd).batch_id
    with db.read_session() as s:
        stored = s.execute(select(Case.id, Case.docket_key).where(Case.case_ref == "GD-DK-001")).one()
    assert stored.docket_key == docket_key("337-TA-1402") == "337TA1402"
    # the other sub-centre's clerk: lower case, full-width characters, spaces; another party spelling, another date
    again = [{"case_ref": "ZJ-DK-009", "title": "同一调查", "country": "美国", "dispute_type": "337调查",
              "forum": "美国国际贸易委员会", "filed_on": date(2024, 9, 1), "filed_text": "2024-09-01",
              "opposing_party": "Someone Else Entirely", "docket_no": "３３７－ta－1402 "}]
    prepared = _prepare(workbook(again), staff)
    [(row, matches)] = prepared.possible_duplicates.items()
    assert [(m.case_id, m.reason) for m in matches] == [(stored.id, "docket")]
    assert matches[0].case_ref == "GD-DK-001"
    # another number at the same forum is another dispute, even with the same parties and date
    other = [dict(first[0], case_ref="ZJ-DK-010", docket_no="337-TA-1403")]
    assert _prepare(workbook(other), staff).possible_duplicates == {}


def test_near_matches_need_country_type_window_and_parties(demo_database, principal, monkeypatch):
    staff = principal("staff")
    [case] = _others(staff, 1)
    with db.read_session() as s:
        probe = dict(forum=case["forum"], docket=None, country=case["country"], dispute_type=case["dispute_type"],
                     filed_on=case["filed_on"], chinese_party=None, opposing_party=case["opposing_party"])

        def ids(**change):
            found = duplicates.find(s, [Probe(1, **{**probe, **change})], staff.sub_centre_id)
            return {m.case_id for m in found.get(1, [])}

        assert case["id"] in ids()
        assert case["id"] in ids(filed_on=case["filed_on"] + timedelta(days=3))
        assert case["id"] not in ids(filed_on=case["filed_on"] + timedelta(days=4))        # outside the window
        assert case["id"] not in ids(country="ZZ" if case["country"] != "ZZ" else "US")
        assert case["id"] not in ids(dispute_type="licensing" if case["dispute_type"] != "licensing" else "customs")
        assert case["id"] not in ids(opposing_party="Wholly Unrelated Vendor Group")
        assert case["id"] not in ids(chinese_party="完全不同的某某公司", opposing_party=case["opposing_party"]) \
            or case["chinese_party"] is None
        # the window is a setting
        monkeypatch.setenv("IPOVERSEAS_DUPLICATE_WINDOW_DAYS", "10")
        from ipoverseas.core import config
        config.cache_clear() if hasattr(config, "cache_clear") else None
        assert case["id"] in ids(filed_on=case["filed_on"] + timedelta(days=8)) or int(config.get(
            "duplicate_window_days")) == 3
        # a sub-centre's own records are never its duplicates
        own = duplicates.find(s, [Probe(1, **probe)], case["sub_centre_id"])
        assert case["id"] not in {m.case_id for m in own.get(1, [])}


def test_the_python_docket_key_is_the_triggers(database):
    # as stored: the import folds full-width characters first (cells.to_id), so the trigger sees folded text
    samples = ["337-TA-1234", "1:24-cv-01234", "No. 2024/ab:12", "(2024)粤民初123号", "a—b–c d"]
    with db.write_session() as s:
        centre = SubCentre(code="DK", name_zh="案号", province="ZJ")
        s.add(centre)
        s.flush()
        for i, value in enumerate(samples):
            s.add(Case(case_ref=f"K{i}", sub_centre_id=centre.id, title="t", country="US", dispute_type="litigation",
                       docket_no=value))
    with db.read_session() as s:
        stored = dict(s.execute(select(Case.docket_no, Case.docket_key)).all())
    assert {value: docket_key(value) for value in samples} == stored
    assert stored["1:24-cv-01234"] == "124CV01234" and stored["a—b–c d"] == "ABCD"
    assert docket_key("１：２４－cv－０１２３４") == "124CV01234"   # a probe from elsewhere is folded here
    with db.write_session() as s:
        s.execute(update(Case).where(Case.case_ref == "K0").values(docket_no="337-ta-99"))
    with db.read_session() as s:
        assert s.scalar(select(Case.docket_key).where(Case.case_ref == "K0")) == "337TA99"


def _apply_repeats(staff):
    others = _others(staff)
    prepared = _prepare(workbook([_repeat(c, i) for i, c in enumerate(others)]), staff)
    result = service.apply(prepared, staff)
    assert result.batch_id
    return others


def test_an_update_is_checked_again_only_when_a_compared_field_changed(demo_database, principal):
    staff = principal("staff")
    rows = [_repeat(c, i) for i, c in enumerate(_apply_repeats(staff))]
    retitled = _prepare(workbook([{**r, "title": r["title"] + "（更新）"} for r in rows]), staff)
    assert retitled.plan.counts["updated"] == 3
    assert not retitled.possible_duplicates   # title only: checked when stored
    redated = [{**r, "filed_on": r["filed_on"] + timedelta(days=2), "filed_text": r["filed_on"] + timedelta(days=2)}
               for r in rows]
    moved = _prepare(workbook(redated), staff)
    assert moved.plan.counts["updated"] == 3
    assert len(moved.possible_duplicates) == 3   # a new filing date, within the window: checked, still found


def test_applied_repeats_wait_in_the_queue_and_the_admin_links_distinguishes_and_unlinks(demo_database, principal):
    staff, admin = principal("staff"), principal("admin")
    _apply_repeats(staff)
    queue = duplicates.queue_rows(admin)
    assert len(queue) == 3 and duplicates.counts()["candidate"] == 3
    with pytest.raises(errors.Denied):
        duplicates.queue_rows(staff)
    with pytest.raises(errors.Denied):
        duplicates.link(staff, queue[0]["id"])
    first, second = queue[0], queue[1]
    duplicates.link(admin, first["id"], first["a_id"], "same ITC investigation")
    duplicates.mark_distinct(admin, second["id"])
    assert duplicates.counts() == {"candidate": 1, "linked": 1, "distinct": 1}
    with db.read_session() as s:
        link = s.get(DisputeLink, first["id"])
        assert link.duplicate_id == first["b_id"] and link.decided_by_id == admin.id
        # both records keep their sub-centre (the credit) and their batch (the provenance)
        kept = s.execute(select(Case.sub_centre_id, Case.import_batch_id)
                         .where(Case.id.in_([first["a_id"], first["b_id"]]))).all()
        assert len(kept) == 2 and all(sc is not None for sc, _ in kept)
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "dispute_link")
                                 .order_by(AuditEvent.id)))
    assert actions == ["dispute.link", "dispute.distinct"]
    assert [r["case_ref"] for r in duplicates.links_of(admin, first["a_id"])] == [first["b_ref"]]
    duplicates.unlink(admin, first["id"])
    assert duplicates.counts() == {"candidate": 2, "linked": 0, "distinct": 1}
    with pytest.raises(errors.Invalid):
        duplicates.link(admin, first["id"], primary_id=-5)


@pytest.mark.parametrize("filtered", [False, True])
def test_linked_records_count_once_in_the_analytics(demo_database, principal, filtered):
    staff, admin = principal("staff"), principal("admin")
    _apply_repeats(staff)
    f = CaseFilter(review_statuses=("submitted", "approved", "returned", "published")) if filtered else CaseFilter()
    before_admin, before_staff = analytics.kpis(admin, f), analytics.kpis(staff, f)
    countries_before = dict(zip(*analytics.by_country(admin, f).T.values))
    [first, *_] = duplicates.queue_rows(admin)
    # the record of the other sub-centre (reported first) is the one counted
    duplicates.link(admin, first["id"])
    after_admin, after_staff = analytics.kpis(admin, f), analytics.kpis(staff, f)
    assert after_admin["cases"] == before_admin["cases"] - 1
    # staff count their own sub-centre's record: its primary is another sub-centre's, outside their count
    assert after_staff["cases"] == before_staff["cases"]
    with db.read_session() as s:
        dup = s.get(Case, s.get(DisputeLink, first["id"]).duplicate_id)
        country = dup.country
    assert dict(zip(*analytics.by_country(admin, f).T.values)).get(country, 0) == countries_before[country] - 1
    trend = analytics.trend(admin, f)
    assert int(trend["cases"].sum()) == before_admin["cases"] - 1 - _without_year(admin)
    duplicates.unlink(admin, first["id"])
    assert analytics.kpis(admin, f)["cases"] == before_admin["cases"]


def _without_year(admin) -> int:
    with db.read_session() as s:
        return int(s.scalar(text("SELECT count(*) FROM cases WHERE filed_on IS NULL")) or 0)


def test_the_python_party_block_is_the_indexs(database):
    samples = ["Apple Inc.", "  APPLE INC ", "a.p-p/l(e)", "iRobot Corp.", "'O'Neil & Sons", "（美国）苹果公司",
               "苹果 公司", "Ｓｏｎｙ", "Ärzte GmbH", "x", "..", "SharkNinja, LLC", "\u3000Dyson\u3000Ltd"]
    with db.write_session() as s:
        centre = SubCentre(code="PB", name_zh="当事人", province="ZJ")
        s.add(centre)
        s.flush()
        for i, value in enumerate(samples):
            s.add(Case(case_ref=f"P{i}", sub_centre_id=centre.id, title="t", country="US", dispute_type="litigation",
                       opposing_party=value))
    with db.read_session() as s:
        dialect = s.get_bind().dialect.name
        block = duplicates.party_block_sql("opposing_party", dialect)
        stored = dict(s.execute(text(f"SELECT opposing_party, {block} FROM cases WHERE case_ref LIKE 'P%'")).all())
    assert {value: duplicates.party_block(value) for value in samples} == stored
    assert stored["Apple Inc."] == stored["  APPLE INC "] == stored["a.p-p/l(e)"] == "ap"
    assert stored["苹果 公司"] == "苹果" and stored["..."[:2]] == ""


def test_the_candidate_search_reads_the_blocking_indexes_only(demo_database):
    """The two block queries as find() sends them use their index, and read no column of the table
    (asked for more, SQLite scans all of it for a Bloom filter)."""
    with db.read_session() as s:
        postgresql = s.get_bind().dialect.name == "postgresql"
        near = [(i, "US", "itc_337", "ap", date(2024, 1, 1) + timedelta(days=i), date(2024, 1, 7) + timedelta(days=i))
                for i in range(duplicates.CHUNK)]
        docket = [(i, "itc", f"337TA{i}") for i in range(duplicates.CHUNK)]
        for sql, names, rows, index in (
                (duplicates.near_sql(postgresql, 1), ("r", "country", "dispute", "block", "lo", "hi"), near,
                 "ix_cases_country_dispute_party_filed"),
                (duplicates.docket_sql(postgresql, 1), ("r", "forum", "k"), docket, "ix_cases_forum_docket_key")):
            casts = {"r": "INTEGER", "lo": "DATE", "hi": "DATE"}
            head, params = duplicates._values_cte(names, [r if postgresql else tuple(
                v.isoformat() if isinstance(v, date) else v for v in r) for r in rows], casts, postgresql)
            if postgresql:
                # the demo's table is small, and the planner would pick any index: with the others
                # dropped (in a transaction rolled back), the query's expression must match the index's
                s.execute(text("SAVEPOINT plan"))
                for other in s.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'cases' "
                                            "AND indexname <> :keep AND indexname NOT IN (SELECT conname "
                                            "FROM pg_constraint WHERE conrelid = 'cases'::regclass)"),
                                       {"keep": index}):
                    s.execute(text(f'DROP INDEX "{other}"'))
                for knob in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
                    s.execute(text(f"SET LOCAL {knob} = off"))
                plan = " ".join(r[0] for r in s.connection().exec_driver_sql("EXPLAIN " + head + sql, params))
                s.execute(text("ROLLBACK TO SAVEPOINT plan"))
                assert index in plan, plan
            else:
                plan = " ".join(r[-1] for r in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + head + sql,
                                                                              params))
                assert f"USING COVERING INDEX {index}" in plan or f"USING INDEX {index}" in plan, plan
                assert "<expr>=?" in plan or "docket_key=?" in plan, plan   # every column of the block, not a prefix
                assert "BLOOM FILTER" not in plan, plan
            assert "sub_centre_id <> 1" in sql or "centre <> 1" in sql   # the own sub-centre's cases are dropped in SQL


def test_the_queue_page_links_and_unlinks(sqlite_demo_database, principal):
    from tests.pages.apptest import run_page, texts

    staff, admin = principal("staff"), principal("admin")
    _apply_repeats(staff)
    at = run_page("duplicates", admin)
    assert not at.exception and "GD" in texts(at) or "ZJ-RE-" in texts(at)
    [first, *_] = duplicates.queue_rows(admin)
    link_button = next(b for b in at.button if b.key == f"duplicates_link_{first['id']}")
    at = link_button.click().run()
    assert not at.exception
    assert duplicates.counts()["linked"] == 1
    denied = run_page("duplicates", staff)
    assert not denied.dataframe and "ZJ-RE-" not in texts(denied)


# sqlite_stat1 of `cases` in the 1M-case benchmark database (tests/bench/data.py, analysed as start-up does)
MILLION_ROWS_STATS = {
    "ix_cases_country_dispute_party_filed": "1076400 1001 667 69 1 1",
    "ix_cases_forum_docket_key": "938752 1001 1001 1001",
    "ix_cases_sub_centre_created": "1053048 1001 334", "ix_cases_title": "971848 1",
    "ix_cases_library_facets": "960960 1001 1001 334 59 7 7 3 2 1 1 1 1 1 1", "ix_cases_status": "1096976 1001",
    "ix_cases_review_status": "1142272 1001", "ix_cases_review_filed": "1038352 1001 26",
    "ix_cases_province": "1004913 1001", "ix_cases_outcome": "455430 1001", "ix_cases_opposing_party": "944198 1001",
    "ix_cases_ip_type": "937440 1001", "ix_cases_industry": "1952225 1001", "ix_cases_forum": "913750 1001",
    "ix_cases_filed_on": "951375 167", "ix_cases_expert_id": "1008678 1001", "ix_cases_distinction": "1176791 1001",
    "ix_cases_dispute_type": "1392300 1001", "ix_cases_country_dispute": "1129458 1001 667",
    "ix_cases_country": "1001232 1001", "sqlite_autoindex_cases_1": "1092000 1001 1"}


def test_with_a_million_rows_statistics_sqlite_builds_no_bloom_filter_and_finds_every_repeat(
        sqlite_demo_database, principal):
    """At 1M cases SQLite 3.40 planned a Bloom filter on the near block, which dropped 40 of 100 repeats
    (the test databases have no statistics, and SQLite plans no Bloom filter without): the block queries
    under a million rows' statistics."""
    staff = principal("staff")
    with db.write_session() as s:
        s.execute(text("ANALYZE"))   # creates sqlite_stat1 (the test database has none, so no Bloom filter)
        s.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'"))
        for index, stat in MILLION_ROWS_STATS.items():
            s.execute(text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', :i, :s)"),
                      {"i": index, "s": stat})
    db.dispose_all()   # new connections read the statistics
    own = staff.sub_centre_id
    with db.read_session() as s:
        stored = s.execute(select(Case).where(Case.sub_centre_id != own, Case.filed_on.is_not(None),
                                              Case.opposing_party.is_not(None))).scalars().all()
        probes = [Probe(i, c.forum, c.docket_no, c.country, c.dispute_type, c.filed_on, c.chinese_party,
                        c.opposing_party) for i, c in enumerate(stored)]
        # a full chunk: the rest new disputes, as in an import (the Bloom filter paid off for many misses)
        probes += [Probe(10_000 + i, "US-ITC", f"337-TA-{9000 + i}", "US", "itc_337", date(2020, 1, 1),
                         "某公司", f"Zq Holdings {i}") for i in range(duplicates.CHUNK - len(probes))]
        for sql, names in ((duplicates.near_sql(False, own), ("r", "country", "dispute", "block", "lo", "hi")),
                           (duplicates.docket_sql(False, own), ("r", "forum", "k"))):
            rows = [tuple(range(len(names)))] * duplicates.CHUNK
            head, params = duplicates._values_cte(names, rows, {}, False)
            plan = s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + head + sql, params).all()
            assert not [r for r in plan if "BLOOM FILTER" in r[-1]], plan
        found = duplicates.find(s, probes, own)
    assert len(stored) >= 20
    assert {p.row for p in probes[:len(stored)]} <= set(found), "a stored case was not found as its own repeat"
