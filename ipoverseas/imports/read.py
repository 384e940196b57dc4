"""Read and validate an uploaded file. Runs in the reader child process (sandbox.py).

`parse()` picks the data sheet (by name, else the first visible sheet with the
expected header; hidden sheets are never read), finds and maps the header, and
converts every cell column by column, collecting every problem at once. It
returns a `Parsed`: the valid rows as tuples, the rejected rows and the problems.
No database here: the plan (plan.py) compares with the database in the parent.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from operator import methodcaller
from pathlib import Path
from typing import Any

from ipoverseas.core.markdown import INVISIBLE_CHARS
from . import cells, datasets as D, gcpause, headers
from .preflight import Package
from .problems import ERROR, WARNING, Problem, Refused

# A superset of what cells.clean_text changes, so a cell without any of these needs no cleaning.
_ODD_CHARS = re.compile(f"[{INVISIBLE_CHARS}\u3000\r]|_x000")


def _plain(raw: str) -> bool:
    """True when a text cell needs no cleaning (the common case, checked with C-speed string methods)."""
    if raw[0].isspace() or raw[-1].isspace():
        return False
    if raw.isascii():
        return "\r" not in raw and "_x000" not in raw
    return _ODD_CHARS.search(raw) is None
EXAMPLE_PREFIXES = ("示例", "example")


@dataclass
class Parsed:
    dataset: str
    filename: str
    kind: str                                  # xlsx / csv
    sheet: str
    header_row: int                            # as Excel shows it (last header row)
    present: tuple[str, ...]                   # fields found in the file, in dataset order
    titles: dict[str, str]                     # field -> header as written
    col_of: dict[str, int]                     # field -> 0-based column
    rows: list[tuple[int, tuple]] = field(default_factory=list)      # (excel row, values in `present` order)
    rejected: list[tuple[int, str | None]] = field(default_factory=list)   # (excel row, key)
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0                        # non-blank data rows
    # An all-or-nothing dataset's rejected rows, with their readable cells (a bad cell is None),
    # for the checks that come after the reader.
    partial: list[tuple[int, tuple]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def index(self, field_name: str) -> int:
        return self.present.index(field_name)


def parse(path: str, filename: str, dataset_name: str, package: Package, limits: dict[str, int]) -> Parsed:
    with gcpause.paused():
        return _parse(path, filename, dataset_name, package, limits)


def _parse(path: str, filename: str, dataset_name: str, package: Package, limits: dict[str, int]) -> Parsed:
    dataset = D.get(dataset_name)
    if dataset.max_rows is not None and dataset.max_rows < limits["max_rows"]:
        limits = {**limits, "max_rows": dataset.max_rows}
    if package.kind == "csv":
        grid = _csv_rows(Path(path), limits)
        return _parse_grid(dataset, filename, "csv", Path(filename).name, grid, [], limits, None)
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(path) as wb:
        visible = [s for s in package.sheets if s.visible]
        if not visible:
            raise Refused("no_visible_sheet")
        wanted = {headers.norm(n) for n in dataset.sheet_names}
        named = [s for s in visible if headers.norm(s.name) in wanted
                 or any(headers.norm(n) in headers.norm(s.name) for n in dataset.sheet_names[:2])]
        order = named + [s for s in visible if s not in named]
        first_seen: list[Any] = []
        for info in order:
            try:
                sheet = wb.get_sheet_by_name(info.name)
            except Exception:
                continue
            grid = sheet.to_python(skip_empty_area=False)
            if len(grid) > limits["max_rows"] + 1000:
                raise Refused("too_many_rows", rows=len(grid), max_rows=limits["max_rows"])
            _fill_merged_header(grid, sheet.merged_cell_ranges or [])
            hmap = headers.find(dataset, grid)
            if hmap is None or dataset.key not in hmap.fields.values():
                if not first_seen:
                    first_seen = [v for row in grid[:headers.SCAN_ROWS] for v in row if v not in ("", None)][:8]
                continue
            return _parse_grid(dataset, filename, "xlsx", info.name, grid, info.errors + [(r, c, None) for r, c in info.formulas],
                               limits, hmap)
    raise Refused("no_header", expected=f"{dataset.key_column.zh} / {dataset.key_column.en}",
                  found=", ".join(str(v) for v in first_seen) or "-")


def _fill_merged_header(grid: list[list[Any]], merged) -> None:
    """Give every cell of a merged header area its top-left value."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= headers.SCAN_ROWS + 2 or r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                if grid[r][c] in ("", None):
                    grid[r][c] = value


def _csv_rows(path: Path, limits: dict[str, int]) -> list[list[Any]]:
    raw = path.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        if best is None:
            raise Refused("csv_encoding")
        text = raw.decode(best.encoding, errors="replace")
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # No field limit of csv's own: the file's size bounds a cell, and a cell over the app's limit
    # is then reported as too long, at its row and column (csv's limit would say "malformed").
    csv.field_size_limit(max(len(text), 131072) + 10)
    try:
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        for row in reader:
            rows.append(row)
            if len(rows) > limits["max_rows"] + 1000:
                # Refused, with the real count: the rest is counted, not kept.
                filled = sum(1 for r in rows if any(r)) + sum(1 for r in reader if any(r))
                raise Refused("too_many_rows", rows=filled, max_rows=limits["max_rows"])
        return rows
    except csv.Error:
        raise Refused("csv_broken") from None


def _parse_grid(dataset: D.Dataset, filename: str, kind: str, sheet: str, grid: list[list[Any]],
                bad_cells: list[tuple[int, int, str | None]], limits: dict[str, int],
                hmap: headers.HeaderMap | None) -> Parsed:
    if hmap is None:
        hmap = headers.find(dataset, grid)
        if hmap is None or dataset.key not in hmap.fields.values():
            first = [v for row in grid[:5] for v in row if v not in ("", None)][:8]
            raise Refused("no_header", expected=f"{dataset.key_column.zh} / {dataset.key_column.en}",
                          found=", ".join(str(v) for v in first) or "-")
    col_of = {f: c for c, f in hmap.fields.items()}
    missing = [c for c in dataset.columns if c.required and c.field not in col_of]
    if missing:
        raise Refused("missing_columns", columns="、".join(f"{c.zh} ({c.en})" for c in missing))
    present = tuple(c.field for c in dataset.columns if c.field in col_of)
    titles = {f: hmap.titles[c] for f, c in col_of.items()}
    header_excel_row = hmap.data_start  # 1-based number of the last header row
    problems: list[Problem] = []
    for c, title in hmap.extra:
        problems.append(Problem(sheet, header_excel_row, title, title, "extra_column", severity=WARNING, col_index=c))
    for c, title in hmap.duplicate:
        problems.append(Problem(sheet, header_excel_row, title, title, "duplicate_column", severity=WARNING, col_index=c))
    for c, title, f in hmap.fuzzy:
        col = dataset.column(f)
        problems.append(Problem(sheet, header_excel_row, title, title, "fuzzy_column",
                                {"zh": col.zh, "en": col.en}, severity=WARNING, col_index=c))

    # Data rows: skip blank ones, keep their Excel row numbers.
    start = hmap.data_start
    data: list[list[Any]] = []
    excel_rows: list[int] = []
    for r in range(start, len(grid)):
        row = grid[r]
        for v in row:
            if v != "" and v is not None:
                data.append(row)
                excel_rows.append(r + 1)
                break
    if len(data) > limits["max_rows"]:
        raise Refused("too_many_rows", rows=len(data), max_rows=limits["max_rows"])

    n = len(data)
    bad_row = [False] * n
    row_pos = {er: i for i, er in enumerate(excel_rows)}
    mapped_cols = set(col_of.values())
    broken: dict[tuple[int, int], bool] = {}
    for r, c, code in bad_cells:
        i = row_pos.get(r + 1)
        if i is None:
            continue
        title = hmap.titles.get(c) or next((t for cc, t in hmap.extra if cc == c), "")
        if c in mapped_cols:
            broken[(i, c)] = True
            bad_row[i] = True
            problems.append(Problem(sheet, r + 1, title, code or "", "error_cell" if code else "formula_no_value",
                                    {"code": code or ""}, col_index=c))
        else:
            problems.append(Problem(sheet, r + 1, title, code or "", "error_cell_ignored" if code else "formula_ignored",
                                    {"code": code or ""}, severity=WARNING, col_index=c))

    max_chars = limits["max_cell_chars"]
    columns_out: list[list[Any]] = []
    width = max(col_of.values()) + 1
    if data and all(len(row) >= width for row in data):
        transposed = list(zip(*data))        # one C-level pass instead of one per column
    else:
        transposed = [tuple(row[c] if c < len(row) else None for row in data) for c in range(width)]
    for f in present:
        col = dataset.column(f)
        c = col_of[f]
        title = titles[f]
        out = _convert_column(col, transposed[c] if data else [], max_chars,
                              lambda i, raw, code, params, _c=c, _t=title: _flag(
                                  problems, bad_row, sheet, excel_rows, i, _t, raw, code, params, _c),
                              broken, c)
        columns_out.append(_shared(out) if col.kind in _UNSHARED_KINDS else out)

    key_pos = present.index(dataset.key)
    keys = columns_out[key_pos]
    rows_out = list(zip(*columns_out)) if columns_out else [()] * n
    _cross_checks(dataset, present, rows_out, excel_rows, bad_row, problems, sheet, titles, col_of)

    parsed = Parsed(dataset.name, filename, kind, sheet, header_excel_row, present, titles, col_of,
                    total_rows=n, problems=problems)
    if not any(bad_row) and not _has_example_key(keys):   # the common case, in C-speed passes
        parsed.rows = list(zip(excel_rows, rows_out))
        return parsed
    for i in range(n):
        key = keys[i]
        if key is not None and key.casefold().startswith(EXAMPLE_PREFIXES):
            problems.append(Problem(sheet, excel_rows[i], titles[dataset.key], key, "example_row",
                                    severity=WARNING, col_index=col_of[dataset.key]))
            parsed.total_rows -= 1
            continue
        if bad_row[i]:
            parsed.rejected.append((excel_rows[i], key))
            if dataset.all_or_nothing:
                parsed.partial.append((excel_rows[i], rows_out[i]))
            continue
        parsed.rows.append((excel_rows[i], rows_out[i]))
    return parsed


def _has_example_key(keys: list) -> bool:
    """Whether any key starts like an example row's ("示例…", "Example…"): one search of them all."""
    joined = ("\x00" + "\x00".join(filter(None, keys))).casefold()
    return any(f"\x00{prefix}" in joined for prefix in EXAMPLE_PREFIXES)


# Text kinds: each cell is its own str object. (The memoised kinds already share one object per value.)
_UNSHARED_KINDS = {D.ID, D.TEXT, D.LONGTEXT, D.EMAIL, D.URL}


def _shared(values: list[Any]) -> list[Any]:
    """Equal cells as one object: pickle then sends a repeated text (a party, a source, a
    boilerplate paragraph) once, and the server holds it once."""
    memo: dict[Any, Any] = {}
    return list(map(memo.setdefault, values, values))


def _flag(problems, bad_row, sheet, excel_rows, i, title, raw, code, params, c) -> None:
    bad_row[i] = True
    problems.append(Problem(sheet, excel_rows[i], title, raw, code, params, col_index=c))


def _convert_column(col: D.Column, values: list[Any], max_chars: int, flag, broken, c) -> list[Any]:
    convert, memoise = cells.converter(col)
    max_len = min(col.max_len or max_chars, max_chars)
    whole = _whole_column(col, values, max_len, convert, memoise)
    if whole is not None:
        return whole
    # Cell by cell: the column has something to clean or to report.
    memo: dict[Any, Any] = {}
    out: list[Any] = [None] * len(values)
    text_kind = col.kind in (D.TEXT, D.LONGTEXT)
    id_kind = col.kind == D.ID
    required = col.required
    plain = _plain
    for i, raw in enumerate(values):
        if raw == "" or raw is None:
            if required and (i, c) not in broken:
                flag(i, None, "required", {})
            continue
        try:
            if text_kind and raw.__class__ is str and plain(raw):
                value = raw
            elif id_kind and raw.__class__ is str and raw.isascii() and plain(raw) and "  " not in raw:
                value = raw
            elif memoise:
                key = (raw.__class__, raw)
                try:
                    value = memo[key]
                except KeyError:
                    try:
                        value = convert(raw)
                    except cells.CellError as exc:
                        value = exc
                    memo[key] = value
                if value.__class__ is cells.CellError:
                    raise value
            else:
                value = convert(raw)
        except cells.CellError as exc:
            flag(i, raw, exc.code, exc.params)
            continue
        except (TypeError, ValueError, OverflowError):
            flag(i, raw, "unreadable_cell", {})
            continue
        if value is None:
            if required:
                flag(i, raw, "required", {})
            continue
        if value.__class__ is str and len(value) > max_len:
            flag(i, f"{value[:50]}…", "too_long", {"max": max_len, "length": len(value)})
            continue
        out[i] = value
    return out


_ODD_SUBSTRINGS = ("\r", "_x000", "\u3000", *INVISIBLE_CHARS)
_NUMBERS = {int, float, bool}


def _whole_column(col: D.Column, values, max_len: int, convert, memoise: bool) -> list[Any] | None:
    """The column converted in a few C-speed passes when every cell is ordinary (the common case).

    None when any cell is not: then the cell-by-cell path cleans it and reports what is wrong,
    so both paths give the same values and problems.
    """
    if not values:
        return None
    kinds = set(map(type, values))
    required = col.required
    if col.kind in (D.TEXT, D.LONGTEXT, D.ID):
        if kinds != {str} or (required and "" in values):
            return None
        joined = "\x00".join(values)
        if any(odd in joined for odd in _ODD_SUBSTRINGS):
            return None
        if col.kind == D.ID and (not joined.isascii() or "  " in joined):
            return None
        if list(map(str.strip, values)) != list(values) or max(map(len, values)) > max_len:
            return None
        return [v or None for v in values] if "" in values else list(values)
    if col.kind == D.AMOUNT:
        return _amounts(values, kinds, required)
    if not memoise or len(kinds & _NUMBERS) > 1:   # 1, 1.0 and True are one dict key
        return None
    memo: dict[Any, Any] = {}
    for raw in set(values):
        if raw == "" or raw is None:
            if required:
                return None
            memo[raw] = None
            continue
        try:
            value = convert(raw)
        except Exception:
            return None
        if value is None and required or value.__class__ is str and len(value) > max_len:
            return None
        memo[raw] = value
    return list(map(memo.__getitem__, values))


def _amounts(values, kinds: set[type], required: bool) -> list[Any] | None:
    """An amount column of plain numbers (and blanks), converted as cells.to_amount converts
    them, one distinct value at a time in C-level passes; None for anything else."""
    if not kinds <= _AMOUNT_KINDS or required and kinds & _BLANK_KINDS:
        return None
    distinct = set(values)
    distinct.discard("")
    distinct.discard(None)
    if str in kinds and any(v.__class__ is str for v in distinct):   # a number written as text
        return None
    try:
        if distinct and (min(distinct) < 0 or max(distinct) >= 1e16 or any(map(math.isnan, distinct))):
            return None
    except (OverflowError, TypeError):
        return None
    # 1 and 1.0 are one key here, and both become Decimal("1.00"); but 0.0 and -0.0 do not
    # become the same Decimal, so a negative zero goes cell by cell.
    if 0 in distinct and any(v.__class__ is float and v == 0 and math.copysign(1.0, v) < 0 for v in values):
        return None
    memo = dict(zip(distinct, map(_to_cents, map(Decimal, map(repr, distinct)))))
    return list(map(memo.get, values))


_BLANK_KINDS = {str, type(None)}
_AMOUNT_KINDS = {int, float} | _BLANK_KINDS
_to_cents = methodcaller("quantize", Decimal("0.01"))


def _cross_checks(dataset, present, rows, excel_rows, bad_row, problems, sheet, titles, col_of) -> None:
    if dataset.name == "cases" and "filed_on" in present and "closed_on" in present:
        a, b = present.index("filed_on"), present.index("closed_on")
        for i, row in enumerate(rows):
            if row[a] is not None and row[b] is not None and row[b] < row[a]:
                bad_row[i] = True
                problems.append(Problem(sheet, excel_rows[i], titles["closed_on"], row[b].isoformat(),
                                        "closed_before_filed", {"filed": row[a].isoformat()},
                                        col_index=col_of["closed_on"]))
