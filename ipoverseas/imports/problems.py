"""What can go wrong with an upload, as data the UI and the CLI translate.

- `Refused`: the whole file is refused (not a workbook, too big, a zip bomb, no
  header...). One message, nothing written.
- `Problem`: one cell or row is wrong: sheet, Excel row number, column, value and
  an i18n key with its parameters. Problems are collected all at once.
- `Busy`: the database is busy with another write; try again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipoverseas.core import errors, i18n

ERROR, WARNING = "error", "warning"


class UploadRefusal(errors.Refusal):
    """An upload refused as a whole: an i18n key under `upload.<kind>.` and its parameters. One of
    the app's refusals (`ipoverseas.core.errors`), so the pages show it like any other."""

    kind = "refused"

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(f"upload.{self.kind}.{code}", **params)

    def message(self, lang: str) -> str:
        return i18n.t(self.key, lang, **self.params)

    def __reduce__(self):  # picklable across the child process boundary
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls, code, params):
    return cls(code, **params)


class Refused(UploadRefusal, errors.Invalid):
    """The file as a whole is refused (not a workbook, too big, no header...)."""

    kind = "refused"


class Busy(UploadRefusal, errors.Busy):
    """Another write holds the database (or changed the data meanwhile): try again."""

    kind = "busy"


class Denied(UploadRefusal, errors.Denied):
    """The policy forbids it."""

    kind = "denied"


@dataclass
class Problem:
    sheet: str
    row: int | None          # as Excel shows it (1-based); None for a file-level note
    column: str | None       # the header as written in the file
    value: Any
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = ERROR
    col_index: int | None = None   # 0-based column in the sheet, for the annotated copy

    @property
    def key(self) -> str:
        return f"upload.problem.{self.code}"

    def message(self, lang: str) -> str:
        return i18n.t(self.key, lang, **self.params)

    def as_row(self, lang: str) -> dict[str, Any]:
        return {
            "sheet": self.sheet, "row": self.row, "column": self.column or "",
            "value": "" if self.value is None else str(self.value)[:200],
            "severity": self.severity, "message": self.message(lang),
        }
