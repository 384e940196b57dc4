"""The work summary's charts: Altair specs rendered to PNG by vl-convert (Vega-Lite compiled and
drawn in-process, no browser, nothing fetched: the data is inline and no base URL is allowed).

Chinese labels need a CJK font, and a fresh server has none: the subset of Noto Sans CJK SC in
data/fonts (SIL OFL) is registered with vl-convert once per process and named in every chart.
"""

from __future__ import annotations

import threading
from pathlib import Path

import altair as alt
import vl_convert

FONT_DIR = Path(__file__).resolve().parents[2] / "data" / "fonts"
FONT = "Noto Sans CJK SC"
WIDTH = 520
_registered = threading.Lock()
_done: list[bool] = []


def _register_font() -> None:
    with _registered:
        if not _done:
            vl_convert.register_font_directory(str(FONT_DIR))
            _done.append(True)


def png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, drawn with the shipped font."""
    _register_font()
    spec = chart.configure(font=FONT).configure_view(strokeWidth=0).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])


def bars(rows: list[dict], *, label: str, value: str, title: str, label_title: str, value_title: str,
         percent: bool = False) -> alt.Chart:
    """Horizontal bars, biggest first, each with its value at its end."""
    height = max(60, 22 * len(rows))
    base = alt.Chart(alt.Data(values=rows), title=title, width=WIDTH, height=height)
    y = alt.Y(f"{label}:N", sort="-x", title=label_title)
    x = alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format="%" if percent else "d"),
              scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined)
    text = alt.Text(f"{value}:Q", format=".0%" if percent else "d")
    return base.mark_bar(color="#3b6ea5").encode(y=y, x=x) + \
        base.mark_text(align="left", dx=3).encode(y=y, x=x, text=text)
