"""Cells and headers as people type them: dates, amounts, IDs, vocabularies, header variants."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ipoverseas.imports import cells, datasets as D, headers


@pytest.mark.parametrize("raw", [date(2024, 3, 5), datetime(2024, 3, 5, 10, 0), 45356, 45356.0, "2024/3/5",
                                 "2024-03-05", "2024年3月5日", "２０２４年３月５日", " 2024.03.05 ", "20240305",
                                 "2024-03-05 00:00:00"])
def test_dates_in_every_accepted_form(raw):
    assert cells.to_date(raw) == date(2024, 3, 5)


@pytest.mark.parametrize("raw,code", [("05/03/2024", "ambiguous_date"), ("3/5/2024", "ambiguous_date"),
                                      ("2024-02-30", "bad_date"), ("soon", "bad_date"), (9_999_999, "bad_date"),
                                      (True, "bad_date")])
def test_bad_and_ambiguous_dates_are_refused(raw, code):
    with pytest.raises(cells.CellError) as caught:
        cells.to_date(raw)
    assert caught.value.code == code


@pytest.mark.parametrize("raw,value", [("1,250,000", "1250000.00"), ("１，２５０", "1250.00"), (1234.5, "1234.50"),
                                       ("$12,000", "12000.00"), ("50万", "500000.00"), ("USD 7 500", "7500.00"),
                                       (None, None)])
def test_amounts(raw, value):
    result = cells.to_amount(raw)
    assert (str(result) if result is not None else None) == value


def test_amount_problems():
    for raw, code in (("abc", "bad_number"), ("-5", "negative"), (float("nan"), "bad_number")):
        with pytest.raises(cells.CellError) as caught:
            cells.to_amount(raw)
        assert caught.value.code == code


def test_ids_keep_text_and_refuse_lost_digits():
    assert cells.to_id(" ＺＪ－００１\u200b ") == "ZJ-001"
    assert cells.to_id(20240001.0) == "20240001"
    assert cells.to_id(999_999_999_999_999) == "999999999999999"       # 15 digits: exact
    with pytest.raises(cells.CellError) as caught:
        cells.to_id(110101199003071234.0)
    assert caught.value.code == "id_lost_digits" and caught.value.params["digits"] == 18


def test_text_is_cleaned_but_chinese_punctuation_is_kept():
    assert cells.clean_text("  某公司，（中国）\u200b有限公司_x000D_\r\n ") == "某公司，（中国）有限公司"
    assert cells.clean_text("\u3000\u3000") is None


@pytest.mark.parametrize("raw", ["美国", "United States", "USA", "US", "us", " 美国\u200b ", "ＵＳ"])
def test_country_by_chinese_english_or_code(raw):
    assert cells.vocab_converter(D.CASES.column("country"))(raw) == "US"


def test_multi_values_with_every_separator():
    convert = cells.multi_converter(D.EXPERTS.column("industries"))
    assert convert("电子信息、Light industry, home & toys；机械") == ("electronics", "light_industry", "machinery")
    with pytest.raises(cells.CellError) as caught:
        convert("电子信息/火箭")
    assert caught.value.code == "bad_choice_part" and caught.value.params["part"] == "火箭"


def test_booleans_and_integers():
    assert [cells.to_bool(v) for v in ("是", "否", "Y", "no", 1, 0.0, True)] == [True, False, True, False, True, False, True]
    assert cells.to_int("1,200") == 1200 and cells.to_int(7.0) == 7
    for raw in ("3.5", -1, "many"):
        with pytest.raises(cells.CellError):
            cells.to_int(raw)


@pytest.mark.parametrize("text,field", [("案件编号", "case_ref"), ("  案件 编号 ", "case_ref"), ("CASE REF", "case_ref"),
                                        ("Case ref", "case_ref"), ("涉案金额（美元）", "amount_usd"), ("涉案金额", "amount_usd"),
                                        ("国家（地区）", "country"), ("国家/地区", "country"), ("案件名称*", "title"),
                                        ("Amount (USD)", "amount_usd"), ("dispute type", "dispute_type")])
def test_header_variants(text, field):
    assert headers.match("cases", text) == field


def test_header_below_title_rows_and_over_two_rows():
    grid = [["标题", "", ""], ["", "", ""], ["案件编号", "基本信息", ""], ["", "案件名称", "国家/地区"], ["A-1", "x", "美国"]]
    found = headers.find(D.CASES, grid)
    assert found.fields == {0: "case_ref", 1: "title", 2: "country"} and found.data_start == 4


def test_a_near_spelling_is_matched_and_reported():
    grid = [["案件编号", "Opposing partyy", "国家/地区"], ["A-1", "x", "美国"]]
    found = headers.find(D.CASES, grid)
    assert found.fields[1] == "opposing_party" and found.fuzzy == [(1, "Opposing partyy", "opposing_party")]



@pytest.mark.parametrize("column,whole", [
    ([1250000.5, 3, "", None, 1e15, 0.001, 2, 2.0], True),
    ([0, 0.0, 7.25], True),
    ([-0.0, 1.0], False),              # 0.0 and -0.0 are one dict key, not one Decimal
    ([1.0, -5.0], False), ([1e16], False), ([float("nan")], False), (["1,000", 5.0], False),
    ([True, 1.0], False), ([10**400], False),
])
def test_an_amount_column_converted_whole_matches_cell_by_cell(column, whole):
    """Anything but plain numbers and blanks goes cell by cell, which cleans and reports it."""
    from ipoverseas.imports import read

    out = read._whole_column(D.CASES.column("amount_usd"), tuple(column), 1000, cells.to_amount, False)
    assert (out is not None) == whole
    if whole:
        by_cell = [None if v in ("", None) else cells.to_amount(v) for v in column]
        assert [str(v) for v in out] == [str(v) for v in by_cell]
