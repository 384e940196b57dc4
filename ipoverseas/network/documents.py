"""The safety check of a document a sub-centre hands in (a report: docx, xlsx or pdf), before it
is stored. The same rules as the Excel upload pre-flight (`imports.preflight`, UPLOAD_SAFETY.md):
the type comes from the magic bytes (not the name), the size has a limit, an Office file's zip
is checked (member count, unpacked size, compression ratio, encryption, XML entity declarations)
and carries no macros; an xlsx goes through the upload pre-flight itself. A PDF must look like
one from start to end and carry none of the active content a viewer would run (JavaScript,
launch actions, embedded files), also inside its compressed streams. The server never opens a stored document: it keeps the bytes
and their SHA-256 and hands them back on download.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from ipoverseas.core import errors
from ipoverseas.imports import preflight
from ipoverseas.imports.problems import Refused

KINDS = {".docx": "docx", ".xlsx": "xlsx", ".pdf": "pdf"}
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|SubmitForm|ImportData)\b")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


@dataclass(frozen=True)
class Document:
    name: str
    kind: str
    size: int
    sha256: str
    content: bytes


def _refuse(code: str, **values) -> errors.Invalid:
    return errors.Invalid(f"reports.doc.{code}", field="file", **values)


def check(content: bytes, filename: str) -> Document:
    """The document, or errors.Invalid (field `file`) naming what is wrong and what to do."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()[:255] or "document"
    suffix = PurePosixPath(name).suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise _refuse("bad_extension", ext=suffix or "—")
    size = len(content)
    max_bytes = preflight.limits()["max_bytes"]
    if size == 0:
        raise _refuse("empty")
    if size > max_bytes:
        raise _refuse("too_big", size_mb=round(size / 1048576, 1), max_mb=max_bytes // 1048576)
    actual = _kind_from_magic(content)
    if actual != kind:
        raise _refuse(f"wrong_type_{actual or 'unknown'}", ext=suffix)
    if kind == "pdf":
        _check_pdf(content)
    elif kind == "docx":
        _check_docx(content)
    else:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(content)
            fh.flush()
            preflight.check_package(fh.name, name)
    return Document(name, kind, size, hashlib.sha256(content).hexdigest(), content)


def _kind_from_magic(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"          # an old .doc/.xls, or an encrypted Office file
    if content.startswith(b"MZ") or content.startswith(b"\x7fELF"):
        return "program"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as zf:
                names = {n.replace("\\", "/").lstrip("/").lower() for n in zf.namelist()[:preflight.MAX_MEMBERS + 1]}
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    return None


def _check_docx(content: bytes) -> None:
    """The upload pre-flight's package checks (members, encryption, unpacked size and ratio, macros,
    entity declarations), its refusals named in this page's words."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as zf:
            members, packed = preflight.zip_members(zf, preflight.limits())
            if packed:
                raise _refuse("zip_bomb")
            if "[content_types].xml" not in members:
                raise _refuse("truncated")
            preflight.office_parts(zf, members, members["[content_types].xml"], head=65536)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("truncated") from None
    except Refused as refused:
        raise _refuse(refused.code) from None


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:]:
        raise _refuse("truncated")
    budget = preflight.limits()["max_uncompressed"]
    for part in [content, *_flate_streams(content, budget)]:
        names = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)
        found = _PDF_ACTIVE.search(names)
        if found:
            raise _refuse("pdf_active", what=found.group(1).decode())


def _flate_streams(content: bytes, budget: int):
    """The unpacked Flate streams of a PDF (object streams can hide a /JavaScript dictionary),
    within `budget` bytes in all: a stream that unpacks past it is a bomb."""
    for m in _PDF_STREAM.finditer(content):
        if b"/FlateDecode" not in content[max(0, m.start() - 400):m.start()]:
            continue
        unpack = zlib.decompressobj()
        try:
            data = unpack.decompress(m.group(1), budget + 1)
        except zlib.error:
            continue        # a damaged stream: a viewer cannot run it either
        budget -= len(data)
        if budget < 0 or unpack.unconsumed_tail:
            raise _refuse("zip_bomb")
        yield data
