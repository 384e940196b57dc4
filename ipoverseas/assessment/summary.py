"""The year's work summary drafted as a Word document (.docx) from the shared database.

`draft` writes, in Chinese (English on request): the title and year; the year's figures in tables
(`figures`: cases by country and dispute type, consultations and their on-time share, ratings,
outcomes and losses avoided, activities, experts, transfers); the typical cases selected; charts
as images (`charts`); then the rubric's sections in order, each with its items as the scorecard
computed them (value, numerator/denominator, points, maximum, and for one sub-centre the network's
median); and headed blank sections for what only people write (experience, problems, next year).
Without a sub-centre (admin, or the operator) it covers the whole network, a line per sub-centre.

`hand_in` attaches the draft, or the finished document staff upload, as the submission of the
year's annual-summary duty through `network.submissions.submit` (its document checks and audit).
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.core import db, errors, i18n, vocab
from ipoverseas.core.models import DutyItem, DutyType, SubCentre
from ipoverseas.network import duties, submissions
from . import charts, figures as figures_mod, scorecard

ACTION = "draft_summary"
DUTY = "annual_summary"
EAST_ASIAN_FONT = "SimSun"          # 宋体: Word's Chinese default; LibreOffice substitutes a CJK font
LATIN_FONT = "Times New Roman"
PAGE_CM = 16.0                      # the text width: A4 (21 cm) less two margins of 2.5 cm
TOP_CHART = 12                      # bars in a chart; the tables hold every value
HUMAN_SECTIONS = ("experience", "problems", "plan")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _t(lang: str, key: str, **values) -> str:
    return i18n.t(key, lang, **values)


def clean(text: object) -> str:
    """Text safe for the document's XML: control characters (which XML cannot hold) removed."""
    return _CONTROL.sub("", "" if text is None else str(text))


# --- who may draft what -------------------------------------------------------------------------

def _scope(user, sub_centre_id: int | None) -> None:
    """Staff: their own sub-centre; admin: any, and the network; `user` None: the operator."""
    if user is None:
        return
    if sub_centre_id is None:
        if not policy.sees_all(user, ACTION):
            raise errors.Denied(action=ACTION)
        return
    policy.require(user, ACTION, {"sub_centre_id": sub_centre_id})


def _centre(sub_centre_id: int) -> SubCentre:
    with db.read_session() as s:
        c = s.get(SubCentre, sub_centre_id)
    if c is None:
        raise errors.NotFound("summary.no_such_sub_centre")
    return c


# --- formatting ---------------------------------------------------------------------------------

def _share(num: int | float, den: int | float) -> str:
    return f"{num / den:.1%}" if den else "—"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "mean":
        return f"{value:.2f}"
    return f"{value:g}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _counts(counts: dict[str, int], label, lang: str, sep: str) -> str:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return sep.join(f"{label(code, lang)} {n}" for code, n in ordered) or "—"


def _country(code: str, lang: str) -> str:
    return vocab.countries().label(code, lang)


def _dispute(code: str, lang: str) -> str:
    return vocab.DISPUTE_TYPES.label(code, lang)


def _outcome(code: str, lang: str) -> str:
    return vocab.OUTCOMES.label(code, lang)


# --- the document -------------------------------------------------------------------------------

def _fonts(doc) -> None:
    """Latin and East Asian fonts on the styles used, so Word shows Chinese in a Chinese font (the
    default template names only Latin theme fonts)."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)


def _a4(doc) -> None:
    page = doc.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm((21 - PAGE_CM) / 2)


def _table(doc, header: list[str], rows: list[list[object]], widths: dict[int, float] | None = None):
    """A grid table, its header bold; `widths`: column -> cm for the columns that need room (the
    others share what is left of the page)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = clean(value)
    if widths:
        table.autofit = False
        rest = (PAGE_CM - sum(widths.values())) / max(1, len(header) - len(widths))
        for n, column in enumerate(table.columns):   # the grid (LibreOffice) and each cell (Word)
            column.width = Cm(widths.get(n, rest))
            for cell in column.cells:
                cell.width = Cm(widths.get(n, rest))
    doc.add_paragraph()
    return table


def _picture(doc, png: bytes, caption: str) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(clean(caption), style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER


class _Writer:
    """One draft: the figures, the scorecard and the language, written section by section."""

    def __init__(self, doc, figs: figures_mod.YearFigures, card: scorecard.Scorecard, lang: str,
                 network: bool):
        self.doc, self.figs, self.card, self.lang, self.network = doc, figs, card, lang, network
        self.sep = "、" if lang == "zh" else ", "
        self.centres = figs.centres

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    def cols(self, *names: str) -> list[str]:
        """Column headers: the keys summary.col.NAME."""
        return [self.t(f"summary.col.{n}") for n in names]

    def lead(self) -> list[str]:
        return [self.t("summary.col.sub_centre")] if self.network else []

    def name(self, c: figures_mod.Centre) -> list[str]:
        return [c.name(self.lang)] if self.network else []

    def total_line(self, cells: list[object]) -> list[list[object]]:
        return [[self.t("summary.total"), *cells]] if self.network and len(self.centres) > 1 else []

    # the year's figures
    def cases(self) -> None:
        f, lang = self.figs, self.lang
        self.doc.add_heading(self.t("summary.h.cases"), level=2)
        rows = [[*self.name(c), f.cases(c.id), _counts(f.cases_by_country.get(c.id, {}), _country, lang, self.sep),
                 _counts(f.cases_by_type.get(c.id, {}), _dispute, lang, self.sep)] for c in self.centres]
        total_country = _sum_nested(f.cases_by_country)
        rows += self.total_line([sum(total_country.values()), _counts(total_country, _country, lang, self.sep),
                                 _counts(_sum_nested(f.cases_by_type), _dispute, lang, self.sep)])
        _table(self.doc, [*self.lead(), *self.cols("cases", "by_country", "by_type")], rows)

    def consultations(self) -> None:
        self.doc.add_heading(self.t("summary.h.consultations"), level=2)
        rows = [[*self.name(c), *_consultation_cells(_consultations_of(self.figs, c.id))]
                for c in self.centres]
        rows += self.total_line(_consultation_cells(self.figs.total_consultations()))
        _table(self.doc, [*self.lead(), *self.cols("asked", "answered", "on_time", "due", "on_time_share", "rated",
                                                     "mean_rating")], rows)

    def outcomes(self) -> None:
        f = self.figs
        self.doc.add_heading(self.t("summary.h.outcomes"), level=2)
        rows = [[*self.name(c), sum(f.outcomes.get(c.id, {}).values()),
                 _counts(f.outcomes.get(c.id, {}), _outcome, self.lang, self.sep),
                 _money(_consultations_of(f, c.id).losses_avoided)] for c in self.centres]
        total = _sum_nested(f.outcomes)
        rows += self.total_line([sum(total.values()), _counts(total, _outcome, self.lang, self.sep),
                                 _money(f.total_consultations().losses_avoided)])
        _table(self.doc, [*self.lead(), *self.cols("with_outcome", "by_outcome", "losses")],
               rows)

    def activities(self) -> None:
        self.doc.add_heading(self.t("summary.h.activities"), level=2)
        rows = []
        for c in self.centres:
            for kind in vocab.ACTIVITY_KINDS.codes:
                a = self.figs.activities.get(c.id, {}).get(kind)
                if a is not None:
                    rows.append([*self.name(c), vocab.ACTIVITY_KINDS.label(kind, self.lang), a.count, a.participants,
                                 a.enterprises])
        if not rows:
            self.doc.add_paragraph(self.t("summary.none"))
            return
        _table(self.doc, [*self.lead(), *self.cols("kind", "count", "participants", "enterprises")], rows)

    def resources(self) -> None:
        self.doc.add_heading(self.t("summary.h.resources"), level=2)
        rows = [[*self.name(c), self.figs.experts.get(c.id, 0),
                 *_transfer_cells(self.figs.transfers.get(c.id, figures_mod.Transfers()))] for c in self.centres]
        rows += self.total_line([sum(self.figs.experts.values()), *_transfer_cells(self.figs.total_transfers())])
        _table(self.doc, [*self.lead(), *self.cols("experts", "received", "accepted", "refused", "decided_on_time",
                                                     "decided_share")], rows)

    def typical(self) -> None:
        self.doc.add_heading(self.t("summary.h.typical"), level=2)
        if not self.figs.typical:
            self.doc.add_paragraph(self.t("summary.none"))
            return
        names = {c.id: c.name(self.lang) for c in self.centres}
        rows = [[*([names.get(tc.sub_centre_id, "")] if self.network else []), tc.title,
                 vocab.DISTINCTIONS.label(tc.distinction, self.lang), _country(tc.country, self.lang),
                 _dispute(tc.dispute_type, self.lang), tc.lessons or "—"] for tc in self.figs.typical]
        _table(self.doc, [*self.lead(), *self.cols("title", "distinction", "country", "dispute_type", "lessons")], rows)

    def charts(self, images: list[tuple[bytes, str]]) -> None:
        self.doc.add_heading(self.t("summary.h.charts"), level=2)
        for png, caption in images:
            _picture(self.doc, png, caption)
        if not images:
            self.doc.add_paragraph(self.t("summary.none"))

    # the rubric, in order
    def rubric(self) -> None:
        rub, lang = self.card.rubric, self.lang
        for section in rub.sections:
            heading = self.t("summary.h.rubric_section", name=section.name(lang), points=f"{section.points:g}")
            self.doc.add_heading(heading, level=2)
            header = [*self.cols("item"), *self.lead(), *self.cols("measured", "value", "fraction", "points", "max")]
            if not self.network:
                header.append(self.t("summary.col.median"))
            rows = []
            for item in section.items:
                for row in self._rows_for_item():
                    score = row.items.get(item.code) if row is not None else None
                    rows.append([item.name(lang), *([row.name(lang)] if self.network else []),
                                 *self._measured(item, score), _points_cell(score, self.t), f"{item.points:g}",
                                 *([] if self.network else [_points(self.card.medians.get(item.code))])])
            first = 1 + len(self.lead())
            _table(self.doc, header, rows, {0: 3.2, **({1: 2.2} if self.network else {}), first: 5.2})

    def _rows_for_item(self):
        if self.network:
            return self.card.rows
        return [self.card.row(self.centres[0].id)] if self.centres else [None]

    def _measured(self, item, score) -> list[str]:
        """What each part measured, its value and its numerator/denominator (one line per part)."""
        names, values, fractions = [], [], []
        for n, part in enumerate(item.parts):
            names.append(i18n.t(f"assessment.measure.{part.measure}", self.lang))
            got = score.parts[n] if score is not None and n < len(score.parts) else None
            if got is None or got.value is None:
                values.append(self.t("summary.no_data"))
                fractions.append("—")
                continue
            values.append(_number(got.value, got.unit))
            fractions.append(f"{got.numerator:g}/{got.denominator:g}" if got.denominator is not None
                             else (f"{got.numerator:g}" if got.numerator is not None else "—"))
        return ["\n".join(names), "\n".join(values), "\n".join(fractions)]

    def human(self) -> None:
        for n, key in enumerate(HUMAN_SECTIONS, start=3):
            self.doc.add_heading(self.t(f"summary.h.{key}", n=_numeral(n, self.lang)), level=1)
            self.doc.add_paragraph(self.t(f"summary.prompt.{key}"))


def chart_images(figs: figures_mod.YearFigures, lang: str, network: bool) -> list[tuple[bytes, str]]:
    """The charts as (PNG, caption): cases by country; the on-time share per sub-centre (network)
    or the activities per kind (one sub-centre). A chart without data is left out."""
    def t(key: str, **values) -> str:
        return i18n.t(key, lang, **values)
    out = []
    by_country = _sum_nested(figs.cases_by_country)
    if by_country:
        rows = [{"label": _country(k, lang), "value": v}
                for k, v in sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CHART]]
        title = t("summary.chart.cases_by_country", year=figs.year)
        out.append((charts.png(charts.bars(rows, label="label", value="value", title=title,
                                           label_title=t("summary.col.country"), value_title=t("summary.col.cases"))),
                    title))
    if network:
        rows = [{"label": c.name(lang), "value": share} for c in figs.centres
                if (share := _consultations_of(figs, c.id).on_time_share) is not None]
        title, percent = t("summary.chart.on_time_share", year=figs.year), True
        value_title = t("summary.col.on_time_share")
    else:
        acts = figs.activities.get(figs.centres[0].id, {}) if figs.centres else {}
        rows = [{"label": vocab.ACTIVITY_KINDS.label(k, lang), "value": a.count} for k, a in acts.items()]
        title, percent = t("summary.chart.activities", year=figs.year), False
        value_title = t("summary.col.count")
    if rows:
        out.append((charts.png(charts.bars(rows, label="label", value="value", title=title, label_title="",
                                           value_title=value_title, percent=percent)), title))
    return out


def _figures_and_charts(year: int, ids: list[int] | None, today: date | None, lang: str, network: bool):
    figs = figures_mod.compute(year, ids, today=today)
    return figs, chart_images(figs, lang, network)


def _consultations_of(figs: figures_mod.YearFigures, sc: int) -> figures_mod.Consultations:
    return figs.consultations.get(sc, figures_mod.Consultations())


def _sum_nested(nested: dict[int, dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for counts in nested.values():
        for k, n in counts.items():
            out[k] = out.get(k, 0) + n
    return out


def _consultation_cells(c: figures_mod.Consultations) -> list[object]:
    return [c.asked, c.answered, c.on_time, c.due, _share(c.on_time, c.due), c.rated,
            "—" if c.mean_rating is None else f"{c.mean_rating:.2f}"]


def _transfer_cells(t: figures_mod.Transfers) -> list[object]:
    return [t.received, t.accepted, t.refused, t.on_time, _share(t.on_time, t.due)]


def _points_cell(score, t) -> str:
    if score is None or score.points is None:
        return t("summary.no_data")
    if score.override is not None:
        return t("summary.overridden", points=_points(score.points), computed=_points(score.computed))
    return _points(score.points)


def _numeral(n: int, lang: str) -> str:
    return "一二三四五六七八九十"[n - 1] if lang == "zh" else str(n)


def draft(user, year, *, sub_centre_id: int | None = None, lang: str = "zh", today: date | None = None) -> bytes:
    """The year's work summary draft (.docx bytes) for one sub-centre, or the whole network.

    Staff: their own sub-centre; admin: any, and the network (no `sub_centre_id`); `user` None is
    the operator at the command line. The rubric's points are the scorecard's (`scorecard.compute`).
    """
    _scope(user, sub_centre_id)
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    year = scorecard.check_year(year)
    network = sub_centre_id is None
    with ThreadPoolExecutor(max_workers=1) as pool:   # the figures and charts while the scorecard computes
        background = pool.submit(_figures_and_charts, year, None if network else [sub_centre_id], today, lang,
                                 network)
        card = scorecard.compute(user, year, today=today, with_previous=False)
        if not network and card.row(sub_centre_id) is None:
            _centre(sub_centre_id)        # no such sub-centre: NotFound; else not assessed that year
            raise errors.Invalid("summary.not_assessed", field="sub_centre", year=year)
        figs, images = background.result()
    if network and {c.id for c in figs.centres} != {r.sub_centre_id for r in card.rows}:
        # a frozen year lists the sub-centres assessed then: its figures follow its rows
        figs, images = _figures_and_charts(year, [r.sub_centre_id for r in card.rows], today, lang, network)
    who = _t(lang, "summary.network") if network else card.row(sub_centre_id).name(lang)
    doc = Document()
    _fonts(doc)
    _a4(doc)
    doc.add_heading(clean(_t(lang, "summary.doc_title", who=who, year=year)), level=0)
    doc.add_paragraph(clean(_t(lang, "summary.doc_note", as_of=figs.as_of.isoformat(), version=card.rubric.version)))
    w = _Writer(doc, figs, card, lang, network)
    doc.add_heading(_t(lang, "summary.h.figures", n=_numeral(1, lang)), level=1)
    for part in (w.cases, w.consultations, w.outcomes, w.activities, w.resources, w.typical):
        part()
    w.charts(images)
    doc.add_heading(_t(lang, "summary.h.rubric", n=_numeral(2, lang), title=card.rubric.title(lang)), level=1)
    w.rubric()
    w.human()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def download_name(year: int, code: str | None, lang: str = "zh") -> str:
    """The draft's download name: 2026年度工作总结_CODE.docx / work-summary-2026-CODE.docx."""
    suffix = re.sub(r"[^A-Za-z0-9_-]", "", code or "") or ("network" if lang == "en" else "全网络")
    return f"work-summary-{year}-{suffix}.docx" if lang == "en" else f"{year}年度工作总结_{suffix}.docx"


def duty_item(year: int, sub_centre_id: int) -> int:
    """The id of the sub-centre's annual-summary duty item for the year (made if missing)."""
    duties.ensure_year(year, [sub_centre_id])
    with db.read_session() as s:
        found = s.scalar(select(DutyItem.id).join(DutyType, DutyType.id == DutyItem.duty_type_id)
                         .where(DutyType.code == DUTY, DutyType.active.is_(True), DutyItem.year == year,
                                DutyItem.sub_centre_id == sub_centre_id).order_by(DutyItem.id).limit(1))
    if found is None:
        raise errors.NotFound("summary.no_duty", year=year)
    return found


def hand_in(user, year: int, sub_centre_id: int, *, file_name: str | None = None,
            file_content: bytes | None = None, lang: str = "zh") -> tuple[int, int]:
    """Attach a document as the submission of the sub-centre's annual-summary duty of the year, in
    one step: the uploaded finished document, or without one a fresh draft. Returns (duty item id,
    submission id). The duty's own rules apply (`submissions.submit`: staff of the sub-centre, the
    document checked, the report open or returned)."""
    _scope(user, sub_centre_id)           # nothing made for a sub-centre the user may not draft for
    year = scorecard.check_year(year)
    item_id = duty_item(year, sub_centre_id)
    if file_content is None:
        file_content = draft(user, year, sub_centre_id=sub_centre_id, lang=lang)
        file_name = download_name(year, _centre(sub_centre_id).code, lang)
    return item_id, submissions.submit(user, item_id, file_name=file_name, file_content=file_content)
