"""Cached reads, keyed by the database revision.

`cached(fn)(*args)` returns `fn(*args)` from Streamlit's data cache while the
database revision is unchanged; any write anywhere, by any server process, bumps
the revision and so misses the cache. Entries also expire by time and count. The
database URL is part of the key too, so two databases at the same revision (as in
the tests) never share an entry.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from ipoverseas.core import config, db

_FUNCTIONS: dict[str, Callable[..., Any]] = {}


@st.cache_data(ttl=600, max_entries=1000, show_spinner=False)
def _call(key: str, database: str, revision: int, args: tuple, kwargs: tuple) -> Any:
    return _FUNCTIONS[key](*args, **dict(kwargs))


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    key = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCTIONS[key] = fn

    def call(*args: Any, **kwargs: Any) -> Any:
        return _call(key, config.database_url(), db.revision(), args, tuple(sorted(kwargs.items())))

    call.__name__ = fn.__name__
    return call
