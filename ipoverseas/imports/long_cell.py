"""A cell longer than the app's limit, found in a highly compressed workbook part.

A part that unpacks to a hundred times its packed size looks like a zip bomb, but one
enormous repetitive cell (five million "a"s) packs just as well. Before the pre-flight check
calls such a part a bomb, `check` looks for that cell, bounded (a part over SCAN_MAX bytes
is a bomb whatever it holds), and refuses it by its real cause: which cell, how long, the limit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from typing import Any, Callable

from .problems import Refused

SCAN_MAX = 64 * 1024 * 1024
_CELL_OPEN = re.compile(rb'<(?:\w+:)?c\b([^>]*)>')
_ATTR_R = re.compile(rb'\br="([A-Z]+\d+)"')
_SHARED = re.compile(rb'<(?:\w+:)?si[\s>]')


def check(zf: zipfile.ZipFile, info: zipfile.ZipInfo, members: dict[str, zipfile.ZipInfo], max_chars: int,
          sheets: Callable[[], list[Any]]) -> None:
    """Raise Refused("cell_too_long" / "shared_string_too_long") when `info` holds a text over
    `max_chars` characters; return (nothing found) otherwise."""
    name = info.filename.replace("\\", "/").lower()
    if info.file_size > SCAN_MAX or not name.endswith(".xml"):
        return
    data = _read(zf, info)
    if data is None:
        return
    found = _longest(data, max_chars)
    if found is None:
        return
    start, length = found
    if name.endswith("sharedstrings.xml"):
        index = len(_SHARED.findall(data, 0, start)) - 1
        where = _shared_cell(zf, members, index, sheets) if index >= 0 else None
    elif "/worksheets/" in "/" + name:
        cells = [m for m in _CELL_OPEN.finditer(data, max(0, start - 4096), start)]
        ref = _ATTR_R.search(cells[-1].group(1)) if cells else None
        where = (_sheet_name(info.filename, sheets), ref.group(1).decode()) if ref else None
    else:
        return
    if where is None:
        raise Refused("shared_string_too_long", length=length, max=max_chars)
    raise Refused("cell_too_long", sheet=where[0], cell=where[1], length=length, max=max_chars)


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    try:
        with zf.open(info) as fh:
            return fh.read(SCAN_MAX + 1)
    except Exception:   # a damaged member: the pre-flight check's own reading says so
        return None


def _longest(data: bytes, max_chars: int) -> tuple[int, int] | None:
    """(offset, characters) of the first text run over `max_chars` characters, or None."""
    # A character is at least one byte: only runs over max_chars bytes can be over the limit.
    for m in re.finditer(rb">([^<]{%d,})<" % (max_chars + 1), data):
        chars = len(m.group(1).decode("utf-8", "replace"))
        if chars > max_chars:
            return m.start(1), chars
    return None


def _shared_cell(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], index: int,
                 sheets: Callable[[], list[Any]]) -> tuple[str, str] | None:
    """The first cell that shows shared string `index`: (sheet, "B3"), or None."""
    value = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?v>%d</(?:\w+:)?v>' % index)
    for key, info in members.items():
        if "/worksheets/" not in "/" + key or not key.endswith(".xml") or info.file_size > SCAN_MAX:
            continue
        data = _read(zf, info) or b""
        for m in value.finditer(data):
            if b't="s"' in m.group(1):
                ref = _ATTR_R.search(m.group(1))
                if ref:
                    return _sheet_name(info.filename, sheets), ref.group(1).decode()
    return None


def _sheet_name(member: str, sheets: Callable[[], list[Any]]) -> str:
    """The sheet's name as the workbook shows it (else the part's file name)."""
    wanted = member.replace("\\", "/").lstrip("/").lower()
    try:
        for sheet in sheets():
            if sheet.member.lower() == wanted:
                return sheet.name
    except Exception:   # the workbook part is broken: the part's name must do
        pass
    return PurePosixPath(wanted).stem
