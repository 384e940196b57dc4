"""Find the header row and map its columns to a dataset's fields.

The header may sit below title rows, span two rows (a merged group header above,
or a name split over two rows), and be written in Chinese, English or an alias,
with full-width brackets, stray spaces, a required-field star or any case.
Unknown columns are reported and ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

from ipoverseas.core.markdown import INVISIBLE_CHARS
from . import datasets as D

SCAN_ROWS = 30
_DROP = re.compile(rf"[\s{INVISIBLE_CHARS}*＊:：_\-·.]+")
_PAREN = re.compile(r"[(\[【].*?[)\]】]")


def norm(value: Any) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return _DROP.sub("", text)


def _forms(text: str) -> set[str]:
    full = norm(text)
    bare = norm(_PAREN.sub("", unicodedata.normalize("NFKC", text)))
    return {f for f in (full, bare) if f}


@lru_cache(maxsize=8)
def index(dataset_name: str) -> dict[str, str]:
    """Normalised header form -> field, for one dataset (labels before aliases)."""
    dataset = D.get(dataset_name)
    out: dict[str, str] = {}
    for col in dataset.columns:
        for label in (col.zh, col.en, col.field):
            for form in _forms(label):
                out.setdefault(form, col.field)
    for col in dataset.columns:
        for alias in col.aliases:
            for form in _forms(alias):
                out.setdefault(form, col.field)
    return out


def match(dataset_name: str, text: Any) -> str | None:
    if text is None or text == "":
        return None
    idx = index(dataset_name)
    for form in sorted(_forms(str(text)), key=len, reverse=True):
        if form in idx:
            return idx[form]
    return None


def fuzzy(dataset_name: str, text: Any) -> str | None:
    from rapidfuzz import fuzz, process

    form = norm(text)
    if len(form) < 2:
        return None
    best = process.extractOne(form, list(index(dataset_name)), scorer=fuzz.ratio, score_cutoff=88)
    return index(dataset_name)[best[0]] if best else None


@dataclass
class HeaderMap:
    header_rows: tuple[int, ...]             # 0-based rows that make the header
    fields: dict[int, str]                   # column index -> field
    titles: dict[int, str]                   # column index -> header text as written
    extra: list[tuple[int, str]] = field(default_factory=list)        # unknown columns
    duplicate: list[tuple[int, str]] = field(default_factory=list)   # a field mapped twice
    fuzzy: list[tuple[int, str, str]] = field(default_factory=list)  # (col, written, field)

    @property
    def data_start(self) -> int:
        return max(self.header_rows) + 1

    def score(self, key: str) -> int:
        return len(self.fields) + (100 if key in self.fields.values() else 0)


def _cell(rows: Sequence[Sequence[Any]], r: int, c: int) -> Any:
    if 0 <= r < len(rows) and c < len(rows[r]):
        value = rows[r][c]
        return None if value == "" else value
    return None


def _candidate(dataset: D.Dataset, rows, header_rows: tuple[int, ...]) -> HeaderMap:
    width = max((len(rows[r]) for r in header_rows if r < len(rows)), default=0)
    fields: dict[int, str] = {}
    titles: dict[int, str] = {}
    extra: list[tuple[int, str]] = []
    duplicate: list[tuple[int, str]] = []
    for c in range(width):
        texts = [str(_cell(rows, r, c)) for r in header_rows if _cell(rows, r, c) is not None]
        if not texts:
            continue
        options = [texts[-1], "".join(texts)] + texts[:-1] if len(texts) > 1 else texts
        found = next((f for f in (match(dataset.name, t) for t in options) if f), None)
        title = " ".join(dict.fromkeys(texts))
        if found is None:
            extra.append((c, title))
        elif found in fields.values():
            duplicate.append((c, title))
        else:
            fields[c] = found
            titles[c] = texts[-1]
    return HeaderMap(header_rows, fields, titles, extra, duplicate)


def find(dataset: D.Dataset, rows: Sequence[Sequence[Any]]) -> HeaderMap | None:
    """The best header among the first rows: one row, or two rows read together."""
    best: HeaderMap | None = None
    for r in range(min(SCAN_ROWS, len(rows))):
        for header_rows in ((r,), (r, r + 1)):
            if header_rows[-1] >= len(rows):
                continue
            cand = _candidate(dataset, rows, header_rows)
            if len(cand.fields) < 2:
                continue
            if best is None or cand.score(dataset.key) > best.score(dataset.key):
                best = cand
    if best is None or dataset.key not in best.fields.values():
        return best
    # A second chance for unknown columns: a near spelling of a known header.
    still_extra = []
    for c, title in best.extra:
        guess = fuzzy(dataset.name, title)
        if guess and guess not in best.fields.values():
            best.fields[c] = guess
            best.titles[c] = title
            best.fuzzy.append((c, title, guess))
        else:
            still_extra.append((c, title))
    best.extra = still_extra
    return best
