"""One way for a page to run an action and show its result.

A service says "no" with a refusal of `ipoverseas.core.errors`; `run` shows any of them the same
way (which field, what is wrong, what to do) and a toast when the action is done. A page never
needs to know which service refused, nor catch anything else: an unexpected error reaches the
shell, which logs it and shows a friendly message.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from ipoverseas.core import errors, i18n
from ipoverseas.core.search import md_escape as escape  # until core.markdown has the one escaper
from . import state


def field_label(field: str | None, prefixes: tuple[str, ...]) -> str | None:
    """The field's name in the user's language, from the first catalogue key `prefix + field` that exists."""
    if not field:
        return None
    known = i18n.catalogue(state.lang())
    for prefix in prefixes:
        if prefix + field in known:
            return state.t(prefix + field)
    return field


def message(problem: errors.Problem, prefixes: tuple[str, ...] = ()) -> str:
    """One problem as a sentence: "Field: what is wrong" (values shown literally, never as Markdown)."""
    field, key, values = problem
    text = state.t(key, **{k: escape(str(v)) if isinstance(v, str) else v for k, v in values.items()})
    name = field_label(field, prefixes)
    return f"{escape(name)}: {text}" if name else text


def show_refusal(refusal: errors.Refusal, *, fields: tuple[str, ...] = ()) -> None:
    """What went wrong, in words a user understands; nothing was written. `fields`: the i18n key
    prefixes under which the page names its fields (e.g. "service.field.")."""
    if isinstance(refusal, errors.Invalid):
        for problem in refusal.problems:
            st.error(message(problem, fields))
    elif isinstance(refusal, (errors.Denied, errors.NotFound, errors.Stale, errors.Busy, errors.NotNow)):
        st.warning(message((None, refusal.key, refusal.values), fields))
    else:
        st.error(message((refusal.field, refusal.key, refusal.values), fields))


def run(fn: Callable[[], Any], *, done: str | None = None, rerun: bool = True,
        fields: tuple[str, ...] = ()) -> Any:
    """Call `fn`. Refused: show why and return None. Done: a toast with the i18n key `done` (if
    given), then a rerun (if asked), else the result."""
    try:
        result = fn()
    except errors.Refusal as refusal:
        show_refusal(refusal, fields=fields)
        return None
    if done:
        st.toast(state.t(done))
    if rerun:
        st.rerun()
    return result
