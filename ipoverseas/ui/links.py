"""Links to records, the one way: what looks like a link is one, and its URL can be bookmarked.

Each record opens on its page by a query parameter (`RECORD_PARAMS`): `/cases?case=12`,
`/guides?article=7`, `/consultations?consultation=3`... The page decides, through the
policy, whether the reader may see it; a link never grants anything.

- `record_link()` draws an in-app link (the login survives: same browser session);
- `record_url()` gives the relative URL, for a `st.column_config.LinkColumn` in a table.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ipoverseas.core.markdown import escape

# page key (PageSpec.key, the URL path) -> the query parameter that opens one of its records
RECORD_PARAMS = {
    "cases": "case",
    "review": "case",
    "guides": "article",
    "experts": "expert",
    "consultations": "consultation",
    "my-consultations": "consultation",
    "assignments": "consultation",
    "upload": "batch",
    "admin-users": "user",
    "reports": "duty",
    "activities": "activity",
    "transfers": "transfer",
    "assessment": "sc",          # a sub-centre's assessment (with ?year=)
    "follows": "event",          # what a follow notification announced (or ?digest=)
}


def _stand_in() -> None:   # stands for the real page in links; the app registers the real one
    pass


def record_url(page_key: str, record_id: int | str, **extra: str) -> str:
    """Relative URL of one record on its page, e.g. `cases?case=12`."""
    return f"{page_key}?{urlencode({RECORD_PARAMS[page_key]: str(record_id), **extra})}"


def record_link(page_key: str, record_id: int | str, label: str, *, icon: str | None = None,
                help: str | None = None, **extra: str) -> None:
    """An in-app link to one record; `label` is user-written text and is escaped here."""
    st.page_link(st.Page(_stand_in, url_path=page_key, title=page_key), label=escape(label) or "—",
                 query_params={RECORD_PARAMS[page_key]: str(record_id), **extra}, icon=icon, help=help)


def page_link(page_key: str, label: str, *, icon: str | None = None, **query: str) -> None:
    """An in-app link to a page (a list, a filtered view); `label` is the app's own text."""
    st.page_link(st.Page(_stand_in, url_path=page_key, title=page_key), label=label,
                 query_params=query or None, icon=icon)
