"""Reading ids from the URL: anything a user can type into the address bar."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1  # the largest integer both SQLite and PostgreSQL (bigint) accept


def parse_id(value: object) -> int | None:
    """A positive database id from a text, or None: no exception for '²', '-1' or 10**30."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
