"""The scorecard as a workbook: one sheet of totals (rank, sections, total, change), one of every
item (value measured, computed points, override and its reason, points that count)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ipoverseas.audit.query import neutralise
from ipoverseas.core import i18n
from . import scorecard as sc_mod


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(f"assessment.{key}", lang, **values)


def scorecard_xlsx(card: sc_mod.Scorecard, lang: str = "zh") -> bytes:
    """The scorecard the user sees (their rows only) in their language."""
    rub = card.rubric
    wb = Workbook(write_only=True)
    totals = wb.create_sheet(_t("export.sheet_totals", lang))
    totals.append([_t("col.rank", lang), _t("col.code", lang), _t("col.sub_centre", lang),
                   *[f"{s.name(lang)} ({s.points:g})" for s in rub.sections],
                   _t("col.total", lang), _t("col.assessable", lang), _t("col.previous", lang), _t("col.change", lang)])
    for r in card.rows:
        totals.append([r.rank, neutralise(r.code), neutralise(r.name(lang)),
                       *[r.sections.get(s.code) for s in rub.sections], r.total, r.assessable, r.previous_total,
                       r.change])
    items = wb.create_sheet(_t("export.sheet_items", lang))
    items.append([_t("col.code", lang), _t("col.sub_centre", lang), _t("col.section", lang), _t("col.item", lang),
                  _t("col.max", lang), _t("col.measured", lang), _t("col.computed", lang), _t("col.override", lang),
                  _t("col.reason", lang), _t("col.points", lang), _t("col.median", lang)])
    for r in card.rows:
        for s in rub.sections:
            for spec in s.items:
                i = r.items[spec.code]
                items.append([neutralise(r.code), neutralise(r.name(lang)), s.name(lang), spec.name(lang),
                              spec.points, measured_text(i, lang), i.computed, i.override, neutralise(i.reason),
                              i.points, card.medians.get(spec.code)])
    info = wb.create_sheet(_t("export.sheet_about", lang))
    info.append([_t("export.year", lang), card.year])
    info.append([_t("export.rubric", lang), f"v{rub.version} {rub.title(lang)}"])
    info.append([_t("export.as_of", lang), card.as_of.isoformat() if card.as_of else ""])
    info.append([_t("export.frozen", lang), _t("export.yes" if card.frozen else "export.no", lang)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measured_text(item: sc_mod.ItemScore, lang: str) -> str:
    """What was measured for an item, in words: "11/12 (92%)", "4", "4.3 (10)"; "no data yet"."""
    parts = []
    for p in item.parts:
        if p.value is None:
            parts.append(_t("manual" if p.measure == "judgement" else "no_data", lang))
        elif p.unit == "share":
            parts.append(f"{p.numerator:g}/{p.denominator:g} ({p.value:.0%})")
        elif p.unit == "mean":
            parts.append(_t("mean_of", lang, mean=f"{p.value:.2f}", n=f"{p.denominator:g}"))
        else:
            parts.append(f"{p.value:g}")
    return "; ".join(parts)
