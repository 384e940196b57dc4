"""Every messy file in tests/files/messy through the pipeline, end to end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.imports import service
from ipoverseas.core.models import (Article, ArticleCountry, Case, Expert, ExpertCountry, ExpertIndustry, ExpertLanguage)
from tests.imports.helpers import FILES, sub_centre_id

MESSY = FILES / "messy"

# file -> (dataset, created, rejected, duplicates, other_centre, problem codes that must appear)
EXPECTED = {
    "title_rows_merged_header.xlsx": ("cases", 5, 0, 0, 0, {"extra_column"}),
    "two_row_header.xlsx": ("cases", 2, 0, 0, 0, set()),
    "hidden_first_sheet.xlsx": ("cases", 1, 0, 0, 0, set()),
    "english_headers.xlsx": ("cases", 2, 0, 0, 0, set()),
    "number_ids.xlsx": ("cases", 1, 1, 0, 0, {"id_lost_digits"}),
    "error_cells.xlsx": ("cases", 1, 2, 0, 0, {"error_cell"}),
    "formula_no_value.xlsx": ("cases", 1, 1, 0, 0, {"formula_no_value"}),
    "ambiguous_dates.xlsx": ("cases", 1, 3, 0, 0, {"ambiguous_date", "bad_date", "closed_before_filed"}),
    "duplicates_and_other_centre.xlsx": ("cases", 2, 0, 3, 1, set()),
    "experts_multi.xlsx": ("experts", 1, 2, 0, 0, {"bad_choice_part", "bad_email"}),
    "articles.xlsx": ("articles", 1, 1, 0, 0, {"bad_url"}),
    "gbk.csv": ("cases", 2, 0, 0, 0, set()),
    "utf8_bom.csv": ("cases", 2, 0, 0, 0, set()),
    "libreoffice_formulas.xlsx": ("cases", 2, 0, 0, 0, set()),
    "libreoffice_from_csv.xlsx": ("cases", 1, 0, 0, 0, set()),
}


def test_every_messy_file_has_an_expectation():
    assert {p.name for p in MESSY.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messy_file_is_read_planned_and_applied(sqlite_demo_database, name):
    dataset, created, rejected, duplicates, other, codes = EXPECTED[name]
    zj = sub_centre_id("ZJ")
    prepared = service.prepare(MESSY / name, name, dataset, None, zj)
    counts = prepared.plan.counts
    assert (counts["created"], counts["rejected"], counts["duplicates"], counts["other_centre"]) == \
        (created, rejected, duplicates, other)
    assert codes <= {p.code for p in prepared.parsed.problems}
    for p in prepared.parsed.errors:  # every error names its sheet, row, column and says what to do
        assert p.sheet and p.row and p.column is not None
        assert p.message("zh") != p.key and p.message("en") != p.key
    result = service.apply(prepared, None, mode=service.SKIP_INVALID)
    assert result.counts["created"] == created
    model = {"cases": Case, "experts": Expert, "articles": Article}[dataset]
    with db.read_session() as s:
        assert s.scalar(select(model.import_batch_id).where(model.import_batch_id == result.batch_id).limit(1))


def test_title_rows_and_messy_values_are_cleaned(demo_database):
    zj = sub_centre_id("ZJ")
    prepared, result = service.run(MESSY / "title_rows_merged_header.xlsx", "t.xlsx", "cases", None, zj)
    assert result.counts["created"] == 5
    with db.read_session() as s:
        rows = {c.case_ref: c for c in s.scalars(select(Case).where(Case.import_batch_id == result.batch_id))}
    assert set(rows) == {"ZJ-M-001", "ZJ-M-002", "ZJ-M-003", "ZJ-M-004", "ZJ-M-005"}  # full-width and spaces folded
    assert rows["ZJ-M-001"].title == "宁波某电器337调查案"       # stray spaces and a zero-width space gone
    assert {c.country for c in rows.values()} == {"US", "DE"}
    assert rows["ZJ-M-002"].country == "DE"
    assert {c.filed_on for c in rows.values()} == {date(2024, 3, 5)}  # date cell, serial, 2024/3/5, 2024年3月5日, ISO
    assert rows["ZJ-M-001"].amount_usd == Decimal("1250000.00")
    assert rows["ZJ-M-002"].amount_usd == Decimal("200000.00")       # full-width digits and comma
    assert rows["ZJ-M-005"].amount_usd == Decimal("12000.00")
    assert rows["ZJ-M-001"].dispute_type == "itc_337"
    assert rows["ZJ-M-002"].status == "closed" and rows["ZJ-M-004"].status == "ongoing"
    assert all(c.review_status == "submitted" for c in rows.values())


def test_hidden_sheet_is_never_read(sqlite_demo_database):
    prepared = service.prepare(MESSY / "hidden_first_sheet.xlsx", "h.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert prepared.parsed.sheet == "Sheet2"
    assert [k for _, k, _ in prepared.plan.creates] == ["ZJ-VIS-1"]


def test_expert_facets_are_split_and_stored(demo_database):
    zj = sub_centre_id("ZJ")
    _, result = service.run(MESSY / "experts_multi.xlsx", "e.xlsx", "experts", None, zj, skip_invalid=True)
    with db.read_session() as s:
        expert = s.scalar(select(Expert).where(Expert.expert_ref == "ZJ-EXP-1", Expert.sub_centre_id == zj))
        countries = set(s.scalars(select(ExpertCountry.country).where(ExpertCountry.expert_id == expert.id)))
        industries = set(s.scalars(select(ExpertIndustry.industry).where(ExpertIndustry.expert_id == expert.id)))
        languages = set(s.scalars(select(ExpertLanguage.language).where(ExpertLanguage.expert_id == expert.id)))
    assert countries == {"US", "EU", "JP"}
    assert industries == {"electronics", "light_industry"}
    assert languages == {"zh", "en"}
    assert expert.phone == "13800000000" and expert.capacity_per_month == 6 and expert.active is True


def test_article_values(demo_database):
    zj = sub_centre_id("ZJ")
    _, result = service.run(MESSY / "articles.xlsx", "a.xlsx", "articles", None, zj, skip_invalid=True)
    with db.read_session() as s:
        article = s.scalar(select(Article).where(Article.ref == "ZJ-KB-1", Article.sub_centre_id == zj))
        countries = set(s.scalars(select(ArticleCountry.country).where(ArticleCountry.article_id == article.id)))
    assert article.kind == "risk_alert" and article.severity == "high" and article.status == "published"
    assert article.valid_until == date(2026, 12, 31) and countries == {"US"}


def test_libreoffice_formulas_use_their_cached_values(sqlite_demo_database):
    prepared = service.prepare(MESSY / "libreoffice_formulas.xlsx", "lo.xlsx", "cases", None, sub_centre_id("ZJ"))
    assert not prepared.parsed.errors
    values = dict((k, v) for _, k, v in prepared.plan.creates)
    row = values["ZJ-LO-1"]
    parsed = prepared.parsed
    assert row[parsed.index("defendants_count")] == 5
    assert row[parsed.index("amount_usd")] == Decimal("12000.00")
