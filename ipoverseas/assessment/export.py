"""The scorecard as a workbook: one sheet of totals (rank, sections, total, change), one of every
item (value measured, computed points, override and its reason, points that count)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ipoverseas.audit.query import neutralise
from ipoverseas.core.i18n import t
from . import measures, scorecard as sc_mod


def _heads(lang: str, *names: str) -> list[str]:
    return [t(f"assessment.col.{name}", lang) for name in names]


def scorecard_xlsx(card: sc_mod.Scorecard, lang: str = "zh") -> bytes:
    """The scorecard the user sees (their rows only) in their language."""
    rub = card.rubric
    wb = Workbook(write_only=True)
    totals = wb.create_sheet(t("assessment.export.sheet_totals", lang))
    totals.append([*_heads(lang, "rank", "code", "sub_centre"), *[f"{s.name(lang)} ({s.points:g})" for s in rub.sections],
                   *_heads(lang, "total", "assessable", "previous", "change")])
    for r in card.rows:
        totals.append([r.rank, neutralise(r.code), neutralise(r.name(lang)),
                       *[r.sections.get(s.code) for s in rub.sections], r.total, r.assessable, r.previous_total,
                       r.change])
    items = wb.create_sheet(t("assessment.export.sheet_items", lang))
    items.append(_heads(lang, "code", "sub_centre", "section", "item", "max", "measured", "computed", "override",
                        "reason", "points", "median"))
    for r in card.rows:
        for s in rub.sections:
            for spec in s.items:
                i = r.items[spec.code]
                items.append([neutralise(r.code), neutralise(r.name(lang)), s.name(lang), spec.name(lang),
                              spec.points, measured_text(i, lang), i.computed, i.override, neutralise(i.reason),
                              i.points, card.medians.get(spec.code)])
    info = wb.create_sheet(t("assessment.export.sheet_about", lang))
    info.append([t("assessment.export.year", lang), card.year])
    info.append([t("assessment.export.rubric", lang), f"v{rub.version} {rub.title(lang)}"])
    info.append([t("assessment.export.as_of", lang), card.as_of.isoformat() if card.as_of else ""])
    info.append([t("assessment.export.frozen", lang),
                 t("assessment.export.yes", lang) if card.frozen else t("assessment.export.no", lang)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measured_text(item: sc_mod.ItemScore, lang: str) -> str:
    """What was measured for an item, in words: "11/12 (92%)", "4", "4.3 (10)"; "no data yet"."""
    parts = []
    for p in item.parts:
        if p.value is None:
            manual = p.measure == measures.MANUAL
            parts.append(t("assessment.manual", lang) if manual else t("assessment.no_data", lang))
        elif p.unit == "share":
            parts.append(f"{p.numerator:g}/{p.denominator:g} ({p.value:.0%})")
        elif p.unit == "mean":
            parts.append(t("assessment.mean_of", lang, mean=f"{p.value:.2f}", n=f"{p.denominator:g}"))
        else:
            parts.append(f"{p.value:g}")
    return "; ".join(parts)
