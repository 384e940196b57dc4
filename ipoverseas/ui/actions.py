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
from ipoverseas.core.markdown import escape
from . import state


def field_label(field: str | None, prefixes: tuple[str, ...]) -> str | None:
    """The field's name in the user's language, from the first catalogue key `prefix + field` that
    exists; None when there is none (the message then stands alone: never a raw field code)."""
    if not field:
        return None
    known = i18n.catalogue(state.lang())
    return next((state.t(prefix + field) for prefix in prefixes if prefix + field in known), None)


def message(problem: errors.Problem, prefixes: tuple[str, ...] = ()) -> str:
    """One problem as a sentence: "Field: what is wrong", or the message alone where it names the
    field itself (`{field}`). The values (what the user typed) are shown literally, never as Markdown."""
    field, key, values = problem
    name = field_label(field, prefixes)
    values = {k: escape(str(v)) if isinstance(v, str) else v for k, v in values.items()}
    names_field = "{field}" in i18n.catalogue(state.lang()).get(key, "")
    text = state.t(key, **values, **({"field": name or ""} if names_field else {}))  # labels are ours
    return f"{name}: {text}" if name and not names_field else text


def show_refusal(refusal: errors.Refusal, *, fields: tuple[str, ...] = ()) -> None:
    """What went wrong, in words a user understands; nothing was written. `fields`: the i18n key
    prefixes under which the page names its fields (e.g. "service.field.")."""
    if isinstance(refusal, errors.Invalid):
        for problem in refusal.problems:
            st.error(message(problem, fields))
    elif isinstance(refusal, (errors.Denied, errors.NotFound, errors.Busy, errors.NotNow)):
        st.warning(message((None, refusal.key, refusal.values), fields))  # nothing to fix in the input
    else:  # a stale edit, or another refusal: the user's change was not saved
        st.error(message((refusal.field, refusal.key, refusal.values), fields))


def attempt(fn: Callable[[], Any], *, fields: tuple[str, ...] = ()) -> tuple[bool, Any]:
    """Call `fn`: (True, its result), or, when a service refused, show why and (False, None)."""
    try:
        return True, fn()
    except errors.Refusal as refusal:
        show_refusal(refusal, fields=fields)
        return False, None


def run(fn: Callable[[], Any], *, done: str | None = None, rerun: bool = True,
        fields: tuple[str, ...] = ()) -> Any:
    """Call `fn`. Refused: show why and return None. Done: a toast with the i18n key `done` (if
    given), then a rerun (if asked), else the result."""
    ok, result = attempt(fn, fields=fields)
    if not ok:
        return None
    if done:
        st.toast(state.t(done))
    if rerun:
        st.rerun()
    return result
