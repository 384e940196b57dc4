"""Refused uploads, kept for the import history: who, when, which file, and why.

`record()` notes a refusal: the file refused as a whole (its one cause), or a file whose rows
have errors (the first of them: sheet, row, column, what to do). Nothing of the file's data is
kept, only its name, size, SHA-256 and the problems as i18n keys with their parameters, so the
history shows them in the reader's language. `problems()` reads them back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ipoverseas.core import db, i18n
from ipoverseas.core.models import ImportRefusal
from .problems import ERROR, Problem, UploadRefusal

log = logging.getLogger(__name__)

ROW_ERRORS = "row_errors"
MAX_STORED = 50            # problems kept per refusal (the count says how many there were)
MAX_JSON_CHARS = 30_000
MAX_PARAM_CHARS = 200
HASH_MAX_BYTES = 256 * 1024 * 1024   # a file on disk larger than this is noted without its hash


def record(source: bytes | str | Path, filename: str, dataset: str, user: Any, sub_centre_id: int | None,
           refusal: UploadRefusal | None = None, problems: list[Problem] | None = None,
           sha256: str | None = None) -> int | None:
    """Note a refused upload; its id, or None when the note could not be written (logged: the
    refusal itself still reaches the user)."""
    size, digest = _size_and_hash(source, sha256)
    if refusal is not None:
        cause, stored, count = refusal.code, [{"key": refusal.key, "params": _safe(refusal.params)}], 1
    else:
        errors = [p for p in problems or [] if p.severity == ERROR]
        cause, count = ROW_ERRORS, len(errors)
        stored = [{"key": p.key, "params": _safe(p.params), "sheet": p.sheet, "row": p.row, "column": p.column}
                  for p in errors[:MAX_STORED]]
    text = json.dumps(stored, ensure_ascii=False)
    while len(text) > MAX_JSON_CHARS and len(stored) > 1:
        stored = stored[: len(stored) // 2]
        text = json.dumps(stored, ensure_ascii=False)
    row = ImportRefusal(user_id=getattr(user, "id", None), sub_centre_id=sub_centre_id, dataset=dataset,
                        filename=filename[:300], size_bytes=size, sha256=digest, cause=cause[:64],
                        problem_count=count, problems=text)
    try:
        with db.write_session() as session:
            session.add(row)
            session.flush()
            return row.id
    except SQLAlchemyError:
        log.warning("could not note a refused upload", exc_info=True)
        return None


def problems(stored: str, lang: str) -> list[dict[str, Any]]:
    """A refusal's stored problems as rows: sheet, row, column, message (in `lang`)."""
    try:
        items = json.loads(stored or "[]")
    except ValueError:
        return []
    return [{"sheet": p.get("sheet") or "", "row": p.get("row"), "column": p.get("column") or "",
             "message": i18n.t(p["key"], lang, **(p.get("params") or {}))} for p in items if p.get("key")]


def summary(stored: str, count: int, lang: str) -> str:
    """One line: the file-level cause, or the first row problem and how many there were."""
    rows = problems(stored, lang)
    if not rows:
        return ""
    first = rows[0]
    if first["row"] is None:
        return first["message"]
    where = i18n.t("upload.report.where", lang, sheet=first["sheet"], row=first["row"], column=first["column"] or "-")
    return i18n.t("upload.history.refused_summary", lang, count=count, where=where, message=first["message"])


def _safe(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON keeps them (numbers stay numbers for their format), texts cut short."""
    out = {}
    for key, value in (params or {}).items():
        if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
            out[key] = value
        else:
            out[key] = str(value)[:MAX_PARAM_CHARS]
    return out


def _size_and_hash(source: bytes | str | Path, sha256: str | None) -> tuple[int, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return len(data), sha256 or hashlib.sha256(data).hexdigest()
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError:
        return 0, sha256 or ""
    if sha256 or size > HASH_MAX_BYTES:
        return size, sha256 or ""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return size, digest.hexdigest()
