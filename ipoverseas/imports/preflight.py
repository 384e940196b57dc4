"""Check an uploaded file's package before any parser sees it (UPLOAD_SAFETY.md).

check_package looks at the magic bytes, the zip members (count, total uncompressed
size, compression ratio), macros and encryption, DOCTYPE/ENTITY declarations, Strict
OOXML and each visible worksheet's declared range: milliseconds. check_cells scans
the cells: the actual used range, error cells and formulas without a cached value (a
second for 100,000 rows; the upload pipeline runs it while its sandboxed reader
parses). Pure Python and bounded: it cannot crash the process or allocate more than
the declared sizes allow.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

from ipoverseas.core import config
from . import long_cell
from .problems import Refused

MAX_MEMBERS = 5_000
MAX_RATIO = 100            # uncompressed / compressed, per member larger than RATIO_FLOOR
RATIO_FLOOR = 2 * 1024 * 1024
MAX_COLUMNS = 702          # ZZ: our datasets have about 25 columns; extra columns are fine
HEADER_SLACK = 1_000       # title rows above the header, blank rows, ...
MAX_ERRORS_LISTED = 2_000
_EXCEL_ROWS = 1_048_576    # a sheet's most rows: a range beyond it is no sheet Excel made

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_COL3 = re.compile(rb' r="[A-Z]{3,}\d')
_ROW_R = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(/?)>')
_CELL_FULL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T_E = re.compile(rb'\bt="e"')
_HAS_FORMULA = re.compile(rb'<(?:\w+:)?f[\s>/]')
_HAS_VALUE = re.compile(rb'<(?:\w+:)?v>[^<]|<(?:\w+:)?is>')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetInfo:
    name: str
    visible: bool
    member: str
    max_row: int = 0                 # last row (1-based) holding a value
    declared: bool = False           # its head declares a used range (<dimension>), within the limits
    value_cells: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)     # (row, col) 0-based, code
    formulas: list[tuple[int, int]] = field(default_factory=list)        # formulas with no cached value


@dataclass
class Package:
    kind: str                        # "xlsx" or "csv"
    size: int
    sheets: list[SheetInfo] = field(default_factory=list)


def limits() -> dict[str, int]:
    max_mb = config.get("upload_max_mb")
    return {
        "max_bytes": max_mb * 1024 * 1024,
        "max_rows": config.get("upload_max_rows"),
        "max_cell_chars": config.get("upload_max_cell_chars"),
        "max_uncompressed": max(200, max_mb * 30) * 1024 * 1024,
    }


def col_index(letters: bytes | str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def check(path: str | Path, filename: str) -> Package:
    """Refuse a hostile or broken file with one clear reason; describe a good one."""
    package = check_package(path, filename)
    check_cells(path, package)
    return package


def check_package(path: str | Path, filename: str) -> Package:
    """Everything but the scan of the cells: the package, and each visible sheet's declared range.

    Milliseconds even for a big file. When every visible sheet declares its range (Excel,
    LibreOffice and the usual libraries always write one), the upload pipeline starts its
    sandboxed reader after this and runs check_cells while the reader works; otherwise
    check_cells first. A refusal by check_cells is what the user sees, even when the reader
    (the sandbox: a crash or a blow-up there cannot reach the server) died on a range
    that lied.
    """
    path = Path(path)
    lim = limits()
    size = path.stat().st_size
    if size == 0:
        raise Refused("empty")
    if size > lim["max_bytes"]:
        raise Refused("too_big", size_mb=round(size / 1048576, 1), max_mb=lim["max_bytes"] // 1048576)
    with path.open("rb") as fh:
        head = fh.read(8192)
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix == ".csv":
        if head.startswith(b"PK\x03\x04") or head.startswith(_OLE) or b"\x00" in head[:4096]:
            raise Refused("csv_not_text")
        return Package("csv", size)
    if suffix not in (".xlsx", ""):
        raise Refused("bad_extension", ext=suffix)
    if head.startswith(_OLE):
        with path.open("rb") as fh:
            ole = fh.read(min(size, 4 * 1024 * 1024))
        if _ENCRYPTED in ole:
            raise Refused("encrypted")
        raise Refused("old_xls")
    if not head.startswith(b"PK"):
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<")):
            raise Refused("html")
        raise Refused("not_workbook")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("truncated") from None
    with zf:
        return _check_zip(zf, size, lim)


def zip_members(zf: zipfile.ZipFile, lim: dict[str, int]) -> tuple[dict[str, zipfile.ZipInfo], list[zipfile.ZipInfo]]:
    """The members of an Office package by their lookup key, and those packed like a bomb; refuses
    too many members, an encrypted member or too much unpacked data. For workbooks and the
    documents a sub-centre hands in (`network.documents`) alike."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Refused("zip_bomb")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    packed: list[zipfile.ZipInfo] = []
    for info in infos:
        members[_member_key(info)] = info
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            packed.append(info)
        if info.flag_bits & 0x1:
            raise Refused("encrypted")
    if total > lim["max_uncompressed"]:
        raise Refused("zip_bomb")
    return members, packed


def office_parts(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], content_types: zipfile.ZipInfo,
                 head: int = 4096) -> bytes:
    """Refuse macros and XML entity declarations in an Office package; returns [Content_Types].xml."""
    if any(n.endswith("vbaproject.bin") for n in members):
        raise Refused("macro")
    ct = _read(zf, content_types, 2 * 1024 * 1024)
    _no_doctype(ct)
    if b"macroenabled" in ct.lower() or b"vbaproject" in ct.lower():
        raise Refused("macro")
    for name, info in members.items():
        if name.endswith((".xml", ".rels", ".vml")):
            _no_doctype(_read(zf, info, info.file_size, head))
    return ct


def _check_zip(zf: zipfile.ZipFile, size: int, lim: dict[str, int]) -> Package:
    members, packed = zip_members(zf, lim)
    for info in packed:
        # One enormous repetitive cell packs as well as a bomb: say so when that is what it is.
        long_cell.check(zf, info, members, lim["max_cell_chars"], lambda: _sheets(zf, members))
        raise Refused("zip_bomb")
    content_types = members.get("[content_types].xml")
    if content_types is None or "xl/workbook.xml" not in members and not any(
            n.endswith("workbook.xml") for n in members):
        raise Refused("not_workbook")
    ct = office_parts(zf, members, content_types)
    if b"purl.oclc.org/ooxml" in ct:
        raise Refused("strict")
    sheets = _sheets(zf, members)
    for sheet in sheets:
        if sheet.visible:
            _check_declared_range(_head(zf, members[sheet.member.lower()]), sheet, lim)
    return Package("xlsx", size, sheets)


def _member_key(info: zipfile.ZipInfo) -> str:
    """A member's name as the checks look it up: '/' for '\\' (a real Chinese export uses
    backslashes), no leading '/', lower case."""
    return info.filename.replace("\\", "/").lstrip("/").lower()


def check_cells(path: str | Path, package: Package) -> None:
    """Scan each visible sheet's cells: the actual used range, error cells, formulas without a value.

    Fills the package's SheetInfo (max_row, errors, formulas); raises Refused on an absurd range.
    """
    if package.kind != "xlsx":
        return
    lim = limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("truncated") from None
    with zf:
        members = {_member_key(info): info for info in zf.infolist()}
        for sheet in package.sheets:
            if sheet.visible:
                _scan_sheet(zf, members[sheet.member.lower()], sheet, lim)


def declared(package: Package) -> bool:
    """Whether every visible sheet declared its used range (check_package checked it)."""
    return package.kind == "xlsx" and all(sheet.declared for sheet in package.sheets if sheet.visible)


def broken_cells(package: Package) -> bool:
    """Whether check_cells found error cells or formulas without a cached value."""
    return any(sheet.errors or sheet.formulas for sheet in package.sheets)


def _head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 65536) -> bytes:
    """The first `size` bytes of a member, decompressed (the rest is not read)."""
    return _read(zf, info, info.file_size, size)


def _check_declared_range(data: bytes, sheet: SheetInfo, lim: dict[str, int]) -> None:
    """The sheet's <dimension>, when its head declares one, within the limits."""
    max_rows = lim["max_rows"] + HEADER_SLACK
    dim = _DIMENSION.search(data)
    sheet.declared = dim is not None
    if dim and dim.group(3):
        rows = int(dim.group(4))
        cols = col_index(dim.group(3)) + 1
        if rows > _EXCEL_ROWS or cols > MAX_COLUMNS * 4 or rows * min(cols, MAX_COLUMNS) > max_rows * 100:
            raise Refused("absurd_range", range=f"{dim.group(1).decode()}{dim.group(2).decode()}:"
                          f"{dim.group(3).decode()}{dim.group(4).decode()}")
        if rows > max_rows:
            # Plausibly a sheet with too many rows: the scan of the cells counts them before any
            # parser starts, and refuses them with the real count (a declared range can lie).
            sheet.declared = False


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, size: int = -1) -> bytes:
    if info.file_size > cap:
        raise Refused("zip_bomb")
    try:
        with zf.open(info) as fh:
            return fh.read(size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise Refused("truncated") from None
    except Exception:  # zlib.error and friends: a damaged member
        raise Refused("truncated") from None


def _no_doctype(data: bytes) -> None:
    head = data[:65536].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise Refused("xml_entities")


def _sheets(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> list[SheetInfo]:
    wb_name = "xl/workbook.xml" if "xl/workbook.xml" in members else next(n for n in members if n.endswith("workbook.xml"))
    rels_name = str(PurePosixPath(wb_name).parent / "_rels" / (PurePosixPath(wb_name).name + ".rels"))
    try:
        wb = SafeET.fromstring(_read(zf, members[wb_name], 16 * 1024 * 1024))
        rels = SafeET.fromstring(_read(zf, members[rels_name.lower()], 16 * 1024 * 1024)) if rels_name.lower() in members else None
    except Refused:
        raise
    except Exception:
        raise Refused("xml_entities") from None
    targets = {}
    if rels is not None:
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "").replace("\\", "/")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = str(PurePosixPath(wb_name).parent / target)
            targets[rel.get("Id")] = _normpath(target)
    out = []
    for el in wb.iter(f"{_NS_MAIN}sheet"):
        member = targets.get(el.get(f"{_NS_REL}id"))
        if member is None or member.lower() not in members:
            continue
        if "/worksheets/" not in "/" + member.lower():
            continue  # chart sheets, dialog sheets
        out.append(SheetInfo(el.get("name", ""), el.get("state", "visible") == "visible", member))
    if not out:
        raise Refused("no_sheets")
    return out


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: SheetInfo, lim: dict[str, int]) -> None:
    data = _read(zf, info, lim["max_uncompressed"])
    max_rows = lim["max_rows"] + HEADER_SLACK
    dim = _DIMENSION.search(data, 0, 4096) or _DIMENSION.search(data)
    if dim:
        _check_declared_range(data[dim.start():dim.end()], sheet, lim)
    last = max(data.rfind(b"</v>"), data.rfind(b"</is>"), data.rfind(b":v>"))
    if last >= 0:
        start = data.rfind(b"<row ", 0, last)
        if start < 0:
            colon = data.rfind(b":row ", 0, last)
            start = data.rfind(b"<", 0, colon) if colon >= 0 else -1
        m = _ROW_R.match(data, start) if start >= 0 else None
        sheet.max_row = int(m.group(1)) if m else data.count(b"row", 0, last)
        if sheet.max_row > max_rows:
            # Rows all the way down: too many rows, said with the sheet's real length. A stray
            # cell far below a short sheet: an absurd range.
            present = data.count(b"<row ") + data.count(b":row ")
            if present * 2 < sheet.max_row:
                raise Refused("absurd_range", range=f"{sheet.name}!{sheet.max_row}")
            raise Refused("too_many_rows", rows=sheet.max_row, max_rows=lim["max_rows"])
    for m in _COL3.finditer(data):
        # A cell beyond column ZZ: refuse only when it holds a value (styled empty cells are common).
        cell = _CELL_FULL.match(data, data.rfind(b"<", 0, m.start() + 1))
        if cell and cell.group(2) and _HAS_VALUE.search(cell.group(2)):
            raise Refused("absurd_range", range=sheet.name)
    if b't="e"' in data:
        for cell in _CELL_FULL.finditer(data):
            attrs = cell.group(1)
            if _ATTR_T_E.search(attrs):
                ref = _ATTR_R.search(attrs)
                if ref and len(sheet.errors) < MAX_ERRORS_LISTED:
                    value = re.search(rb"<(?:\w+:)?v>([^<]*)<", cell.group(2) or b"")
                    sheet.errors.append((int(ref.group(2)) - 1, col_index(ref.group(1)),
                                         value.group(1).decode("utf-8", "replace") if value else "#ERROR"))
    if b"</f>" in data or b":f>" in data:
        for cell in _CELL_FULL.finditer(data):
            body = cell.group(2)
            if body and _HAS_FORMULA.search(body) and not _HAS_VALUE.search(body):
                ref = _ATTR_R.search(cell.group(1))
                if ref and len(sheet.formulas) < MAX_ERRORS_LISTED:
                    sheet.formulas.append((int(ref.group(2)) - 1, col_index(ref.group(1))))
