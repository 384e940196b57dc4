"""Reports of an upload: text lines (the command line) and the annotated copy of the file.

The annotated copy is the uploaded workbook with every problem cell filled red and
commented, plus a sheet listing every problem. openpyxl opens the upload, so it
runs in the reader child process (sandbox.py) like every parser. A CSV upload gets
a new workbook of its rows, annotated the same way.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ipoverseas.core import i18n
from . import sandbox
from .problems import ERROR, Problem

MAX_COMMENTS = 5_000


def summary_lines(prepared, result=None, lang: str = "en", limit: int = 200, *, problems: bool = True) -> list[str]:
    """The report the command line prints (and the page shows in pieces)."""
    t = lambda _key, **kw: i18n.t(_key, lang, **kw)  # noqa: E731
    plan = prepared.plan
    lines = problem_lines(prepared, lang, limit) if problems else []
    if plan is not None:
        c = plan.counts
        lines.append(t("upload.report.plan", **c))
        for ch in plan.updates[:limit]:
            diff = "; ".join(f"{f}: {_show(a)} → {_show(b)}" for f, (a, b) in ch.diff.items())
            lines.append("  " + t("upload.report.changed", row=ch.row, ref=ch.key, diff=diff))
        for row, key, first in plan.duplicates[:limit]:
            if row == first:
                lines.append("  " + t("upload.report.duplicate_conflict", row=row, ref=key))
            else:
                lines.append("  " + t("upload.report.duplicate", row=row, ref=key, first=first))
        for row, key, code in plan.other_centre[:limit]:
            lines.append("  " + t("upload.report.other_centre", row=row, ref=key, code=code))
    if prepared.already_batch and (plan is None or not plan.has_changes):
        lines.append(t("upload.report.already", batch=prepared.already_batch))
    if result is not None:
        if result.nothing_to_do:
            lines.append(t("upload.result.nothing"))
        else:
            lines.append(t("upload.result.applied", **result.message_args))
    return lines


def problem_lines(intake, lang: str = "en", limit: int = 200) -> list[str]:
    """The file read (an `intake.Intake`, or a `service.Prepared`), its rows, and its problems, errors first."""
    t = lambda _key, **kw: i18n.t(_key, lang, **kw)  # noqa: E731
    parsed = intake.parsed
    errors = [p for p in parsed.problems if p.severity == ERROR]
    warnings = [p for p in parsed.problems if p.severity != ERROR]
    lines = [t("upload.report.file", filename=intake.filename, sheet=parsed.sheet, sha=intake.sha256[:12]),
             t("upload.report.rows", total=parsed.total_rows, valid=len(parsed.rows), rejected=len(parsed.rejected))]
    if errors:
        lines.append(t("upload.report.errors", count=len(errors)))
    for p in (errors + warnings)[:limit]:
        lines.append("  " + problem_line(p, lang))
    if len(errors) + len(warnings) > limit:
        lines.append("  " + t("upload.report.more", count=len(errors) + len(warnings) - limit))
    return lines


def problem_line(p: Problem, lang: str) -> str:
    where = i18n.t("upload.report.where", lang, sheet=p.sheet, row=p.row or "-", column=p.column or "-")
    value = "" if p.value in (None, "") else f" «{str(p.value)[:60]}»"
    level = i18n.t(f"upload.severity.{p.severity}", lang)
    return f"[{level}] {where}{value}: {p.message(lang)}"


def _show(value: Any) -> str:
    if value in (None, "", ()):
        return "∅"
    if isinstance(value, tuple):
        return "、".join(value)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def annotated(prepared, lang: str = "zh") -> bytes:
    """The uploaded file with its problem cells highlighted and commented (made in the child process)."""
    problems = [(p.sheet, p.row, p.col_index, p.severity, p.column, "" if p.value is None else str(p.value)[:200],
                 p.message(lang)) for p in prepared.parsed.problems]
    headers = i18n.t("upload.report.sheet_headers", lang).split("|")
    levels = {p.severity: i18n.t(f"upload.severity.{p.severity}", lang) for p in prepared.parsed.problems}
    suffix = ".csv" if prepared.parsed.kind == "csv" else ".xlsx"
    fd, tmp = tempfile.mkstemp(prefix="ipoverseas-report-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(prepared.source or Path(prepared.source_path).read_bytes())
        return sandbox.run("ipoverseas.imports.report.build_annotated", tmp, prepared.parsed.kind, prepared.filename,
                           problems, headers, i18n.t("upload.report.sheet_name", lang), levels)
    finally:
        os.unlink(tmp)


def build_annotated(path: str, kind: str, filename: str, problems: list[tuple], headers: list[str],
                    list_sheet: str, levels: dict[str, str] | None = None) -> bytes:
    """Child side of `annotated()`. `levels`: each severity's label in the user's language."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    red = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    amber = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
    if kind == "csv":
        from .read import _csv_rows
        from .preflight import limits

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = Path(filename).name[:31] or "csv"
        for r, row in enumerate(_csv_rows(Path(path), limits()), start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c)
                cell.value = value
                cell.data_type = "s"
        sheets = {ws.title: ws}
        default = ws.title
    else:
        wb = openpyxl.load_workbook(path)
        sheets = {ws.title: ws for ws in wb.worksheets}
        default = None
    for n, (sheet, row, col, severity, column, value, message) in enumerate(problems):
        ws = sheets.get(sheet) or (sheets.get(default) if default else None)
        if ws is None or not row or col is None or n >= MAX_COMMENTS:
            continue
        cell = ws.cell(row, col + 1)
        cell.fill = red if severity == ERROR else amber
        old = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment((old + message)[:2000], "ipoverseas", width=300, height=120)
    out = wb.create_sheet(list_sheet[:31])
    out.append(headers)
    for sheet, row, col, severity, column, value, message in problems:
        values = [sheet, row, column, value, (levels or {}).get(severity, severity), message]
        out.append(values)
    for row in out.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"   # a value starting with = stays text
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
