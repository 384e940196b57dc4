"""Reading the URL: ids (anything a user can type into the address bar), and a list's own
parameters (its filters and page), kept in the URL so that the way back from a record keeps them."""

from __future__ import annotations

import re
from typing import Iterable

import streamlit as st

_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1  # the largest integer both SQLite and PostgreSQL (bigint) accept


def parse_id(value: object) -> int | None:
    """A positive database id from a text, or None: no exception for '²', '-1' or 10**30."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def url_params(keys: Iterable[str]) -> dict[str, str]:
    """The URL's values of a list's parameters (those present)."""
    return {k: st.query_params[k] for k in keys if k in st.query_params}


def keep_in_url(params: dict[str, str], keys: Iterable[str]) -> None:
    """Put a list's parameters into the URL (dropping those of `keys` not in `params`).

    Sent every run, also when the script already sees them: a link to the page already open (the
    way back from a record) runs it with the link's params but leaves the browser's address as it
    was (Streamlit 1.67), so without this the address would still name the record."""
    wanted = {k: v for k, v in st.query_params.to_dict().items() if k not in set(keys)}
    st.query_params.from_dict({**wanted, **params})
