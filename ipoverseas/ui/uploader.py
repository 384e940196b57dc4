"""The app's one file uploader, in the user's language.

Streamlit 1.67 has no locale for its uploader: the dropzone says "Upload" and "20MB per file •
XLSX, CSV" in English whatever the page's language (its label, `help` and `max_upload_size`
are the only texts a script sets). So `file_input` gives it a label in the user's language,
the app's size limit, a caption under it with the accepted types and that limit in words, and
a small style scoped to this one widget (by its key's class) that shows the button and the
dropzone line in the user's language instead of Streamlit's English. If a later Streamlit
renames those parts, the style simply stops applying and the caption still says it all.

Streamlit's own type check refuses a wrong file in English ("text/plain files are not allowed."),
so the widget accepts any type and `file_input` refuses a wrong one itself, in the user's language
(the pages' readers then check the content as before). A file over the size limit is still stopped
in the browser; the style relabels that chip's error too.
"""

from __future__ import annotations

from typing import Any, Sequence

import streamlit as st

from ipoverseas.core import config
from . import state


def file_input(label_key: str, types: Sequence[str], key: str, *, help_key: str | None = None, caption: bool = True,
               multiple: bool = False, **label_values: Any) -> Any:
    """`st.file_uploader` with its label, limits and dropzone texts in the user's language.

    `caption=False` where the page already states the limits next to it. `multiple=True` returns a
    list, without the files of a wrong type (each named in a message).
    """
    mb = config.get("upload_max_mb")
    joiner = "、" if state.lang() == "zh" else ", "
    kinds = joiner.join(f".{t.lower()}" for t in types)
    _style(key, state.t("upload.file_button"), state.t("upload.file_drop", types=kinds, mb=mb),
           state.t("upload.file_not_taken", types=kinds, mb=mb))
    uploaded = st.file_uploader(state.t(label_key, **label_values), key=key, max_upload_size=mb,
                                accept_multiple_files=multiple, help=state.t(help_key) if help_key else None)
    if caption:
        st.caption(state.t("upload.file_types", types=kinds, mb=mb))
    taken = []
    for file in (uploaded or []) if multiple else [uploaded] if uploaded is not None else []:
        if has_type(file.name, types):
            taken.append(file)
        else:
            st.error(state.t("upload.wrong_type", name=file.name, types=kinds), icon=":material/block:")
    return taken if multiple else (taken[0] if taken else None)


def has_type(name: str, types: Sequence[str]) -> bool:
    """Whether a file's name ends in one of the types (case-insensitive), as Streamlit's check did."""
    return "." in name and name.rsplit(".", 1)[1].lower() in {t.lower().lstrip(".") for t in types}


def _css_text(text: str) -> str:
    """A CSS string literal: quotes and backslashes escaped, no line breaks, no '</' to close the style."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("</", "<\\/")
    return f'"{body}"'


def _style(key: str, button: str, instructions: str, not_taken: str) -> None:
    scope = f".st-key-{key}"
    chip_error = f'{scope} [data-testid="stFileChip"][aria-invalid="true"] [role="alert"]'
    css = f"""
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {_css_text(instructions)}; font-size: 0.875rem; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_text(button)}; font-size: 0.875rem; }}
{chip_error} {{ font-size: 0; }}
{chip_error}::after {{ content: {_css_text(not_taken)}; font-size: 0.875rem; }}
"""
    st.html(f"<style>{css}</style>")
