"""Ids from the URL never raise, whatever is typed."""

import pytest

from ipoverseas.ui.params import MAX_ID, parse_id


@pytest.mark.parametrize("typed,expected", [
    ("1", 1), ("42", 42), (str(MAX_ID), MAX_ID),
    ("0", None), ("-1", None), ("²", None), ("１２", None), ("1.5", None), (" 7", None), ("", None),
    (str(MAX_ID + 1), None), ("9" * 30, None), ("1e3", None), (None, None), (["1"], None),
])
def test_parse_id(typed, expected):
    assert parse_id(typed) == expected
