"""The app's one file uploader, in the user's language.

Streamlit 1.67 has no locale for its uploader: the dropzone says "Upload" and "20MB per file •
XLSX, CSV" in English whatever the page's language (its label, `help` and `max_upload_size`
are the only texts a script sets). So `file_input` gives it a label in the user's language,
the app's size limit, a caption under it with the accepted types and that limit in words, and
a small style scoped to this one widget (by its key's class) that shows the button and the
dropzone line in the user's language instead of Streamlit's English. If a later Streamlit
renames those parts, the style simply stops applying and the caption still says it all.
"""

from __future__ import annotations

from typing import Any, Sequence

import streamlit as st

from ipoverseas.core import config
from . import state


def file_input(label_key: str, types: Sequence[str], key: str, *, help_key: str | None = None, caption: bool = True,
               **label_values: Any) -> Any:
    """`st.file_uploader` with its label, limits and dropzone texts in the user's language.

    `caption=False` where the page already states the limits next to it.
    """
    mb = config.get("upload_max_mb")
    joiner = "、" if state.lang() == "zh" else ", "
    kinds = joiner.join(f".{t.lower()}" for t in types)
    _style(key, state.t("upload.file_button"), state.t("upload.file_drop", types=kinds, mb=mb))
    uploaded = st.file_uploader(state.t(label_key, **label_values), type=list(types), key=key, max_upload_size=mb,
                                help=state.t(help_key) if help_key else None)
    if caption:
        st.caption(state.t("upload.file_types", types=kinds, mb=mb))
    return uploaded


def _css_text(text: str) -> str:
    """A CSS string literal: quotes and backslashes escaped, no line breaks, no '</' to close the style."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("</", "<\\/")
    return f'"{body}"'


def _style(key: str, button: str, instructions: str) -> None:
    scope = f".st-key-{key}"
    css = f"""
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {_css_text(instructions)}; font-size: 0.875rem; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_text(button)}; font-size: 0.875rem; }}
"""
    st.html(f"<style>{css}</style>")
