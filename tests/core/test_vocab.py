"""Vocabularies: codes, zh/en labels and the aliases people type."""

import pytest

from ipoverseas.core import vocab


@pytest.mark.parametrize("typed", ["美国", "USA", "United States", "US", "us", "ＵＳ", " 美\u200b国 ", "United States of America"])
def test_country_aliases(typed):
    assert vocab.countries().lookup(typed) == "US"


def test_extra_jurisdictions_and_chinese_names():
    c = vocab.countries()
    assert c.lookup("欧盟") == "EU" and c.lookup("EUIPO") == "EUIPO" and c.lookup("WIPO") == "WIPO"
    assert c.label("TW", "zh") == "中国台湾" and c.label("KR", "zh") == "韩国"
    assert c.label("DE", "en") == "Germany" and c.label("DE", "zh") == "德国"
    assert len(c) > 250


def test_numeric_map_ids():
    assert vocab.numeric_to_alpha2("840") == "US" and vocab.numeric_to_alpha2(276) == "DE"


@pytest.mark.parametrize("typed,code", [
    ("337", "itc_337"), ("Schedule A", "ecommerce"), ("海关扣押", "customs"), ("展会", "trade_fair"),
    ("商标抢注", "squatting"), ("licensing", "licensing"), ("商业秘密纠纷", "trade_secret_criminal"),
    ("诉讼", "litigation"),
])
def test_dispute_type_aliases(typed, code):
    assert vocab.DISPUTE_TYPES.lookup(typed) == code


def test_unknown_values_are_none():
    assert vocab.countries().lookup("Atlantis") is None
    assert vocab.IP_TYPES.lookup("") is None
    assert vocab.IP_TYPES.lookup(None) is None


def test_every_vocabulary_has_both_labels_and_unique_codes():
    for name, v in vocab.all_vocabularies().items():
        codes = [t.code for t in v]
        assert len(codes) == len(set(codes)), name
        for term in v:
            assert term.zh and term.en, (name, term.code)


def test_required_dispute_types_exist():
    assert set(vocab.DISPUTE_TYPES.codes) == {
        "litigation", "itc_337", "customs", "trade_fair", "ecommerce", "squatting", "licensing",
        "trade_secret_criminal"}
