"""Turn one cell, as people actually type it, into a stored value, or say what is wrong.

Each converter takes the raw value (str, int, float, bool, date, datetime or None)
and returns the clean value, or raises `CellError(code, **params)`. Converters for
columns with few distinct values (vocabularies, dates) are memoised per upload.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from ipoverseas.core.markdown import INVISIBLE
from . import datasets as D


class CellError(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


_SPACES = re.compile(r"\s+")
_EXCEL_EPOCH = date(1899, 12, 30)
_MULTI_SPLIT_KEEP = re.compile(r"(\s*[、,，;；/|\n]\s*)")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY_OR_MDY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对", "有", "t", "在岗"}
_FALSE = {"否", "n", "no", "false", "0", "×", "x", "不", "无", "f", "不在岗"}


def clean_text(value: Any) -> str | None:
    """Stray spaces, zero-width characters and Excel's _x000D_ escape out; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if not value.isascii():
        if INVISIBLE.search(value):
            value = INVISIBLE.sub("", value)
        value = value.replace("\u3000", " ")
    if "_x000" in value:
        value = value.replace("_x000D_", "").replace("_x000d_", "")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    return value or None


def fold(value: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), for codes, numbers and dates."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value).replace("\u3000", " ")


def to_id(value: Any) -> str | None:
    if isinstance(value, bool):
        raise CellError("bad_id")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        if abs(value) >= 1e15:
            raise CellError("id_lost_digits", digits=len(str(int(abs(value)))))
        return str(int(value))
    text = clean_text(value)
    if text is None:
        return None
    return _SPACES.sub(" ", fold(text))


def to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("bad_date")
    if isinstance(value, (int, float)):
        if 1 <= value < 2958466:
            day = _EXCEL_EPOCH + timedelta(days=int(value))
            if 1900 <= day.year <= 2100:
                return day
        raise CellError("bad_date")
    text = clean_text(value)
    if text is None:
        return None
    text = fold(text).strip()
    m = _YMD.match(text) or _YMD_COMPACT.match(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise CellError("bad_date") from None
    if _DMY_OR_MDY.match(text):
        raise CellError("ambiguous_date")
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return to_date(float(text))
    raise CellError("bad_date")


_CURRENCY = re.compile(r"(?i)(us\$|usd|\$|美元|美金|rmb|cny|¥|￥|元)")


def to_amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("bad_number")
    if isinstance(value, (int, float)):
        if value != value or abs(value) >= 1e16:
            raise CellError("bad_number")
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = clean_text(value)
        if text is None:
            return None
        text = _CURRENCY.sub("", fold(text)).replace(",", "").replace(" ", "").replace("'", "")
        factor = 1
        if text.endswith("万"):
            factor, text = 10_000, text[:-1]
        elif text.endswith("亿"):
            factor, text = 100_000_000, text[:-1]
        try:
            amount = Decimal(text) * factor
        except InvalidOperation:
            raise CellError("bad_number") from None
        if not amount.is_finite() or abs(amount) >= Decimal("1e16"):
            raise CellError("bad_number")
    if amount < 0:
        raise CellError("negative")
    return amount.quantize(Decimal("0.01"))


def to_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("bad_int")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise CellError("bad_int")
        number = int(value)
    else:
        text = clean_text(value)
        if text is None:
            return None
        text = fold(text).replace(",", "").replace(" ", "")
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise CellError("bad_int")
        number = int(text)
    if number < 0 or number > 1_000_000_000:
        raise CellError("bad_int")
    return number


def to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_text(value)
    if text is None:
        return None
    key = fold(text).casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError("bad_bool")


def vocab_converter(column: D.Column) -> Callable[[Any], str | None]:
    vocabulary = column.vocab

    def convert(value: Any) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        code = vocabulary.lookup(text)
        if code is None:
            raise CellError("bad_choice", hint=_hint(vocabulary, text))
        return code

    return convert


def multi_converter(column: D.Column) -> Callable[[Any], tuple[str, ...] | None]:
    vocabulary = column.vocab

    def convert(value: Any) -> tuple[str, ...] | None:
        text = clean_text(value)
        if text is None:
            return None
        tokens = _MULTI_SPLIT_KEEP.split(fold(text))   # part, separator, part, ...
        parts = tokens[0::2]
        codes: list[str] = []
        i = 0
        while i < len(parts):
            if not parts[i]:
                i += 1
                continue
            # the longest run of parts that is one value ("Light industry, home & toys")
            for j in range(len(parts), i, -1):
                code = vocabulary.lookup("".join(tokens[2 * i:2 * j - 1]))
                if code is not None:
                    break
            else:
                raise CellError("bad_choice_part", part=parts[i], hint=_hint(vocabulary, parts[i]))
            if code not in codes:
                codes.append(code)
            i = j
        return tuple(sorted(codes)) or None

    return convert


def _hint(vocabulary, text: str) -> str:
    from rapidfuzz import process

    choices = {term.code: f"{term.zh} / {term.en}" for term in vocabulary}
    best = process.extractOne(text, choices, score_cutoff=60)
    if best:
        return best[0]
    first = vocabulary.by_code.get("US") if vocabulary.name == "country" else vocabulary.terms[0]
    return f"{first.zh} / {first.en} / {first.code}"


def email(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = fold(text)
    if not _EMAIL.match(text):
        raise CellError("bad_email")
    return text


def url(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = fold(text)
    if not re.match(r"(?i)^https?://\S+$", text):
        raise CellError("bad_url")
    return text


def converter(column: D.Column) -> tuple[Callable[[Any], Any], bool]:
    """The column's converter, and whether it is worth memoising by value."""
    if column.kind == D.VOCAB:
        return vocab_converter(column), True
    if column.kind == D.MULTI:
        return multi_converter(column), True
    return _CONVERTERS.get(column.kind, (clean_text, False))


# Kind -> (converter, memoise?). Dates, integers and yes/no repeat across rows; amounts, ids,
# e-mails and URLs are mostly distinct, so a memo would only grow.
_CONVERTERS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    D.DATE: (to_date, True), D.AMOUNT: (to_amount, False), D.INT: (to_int, True), D.BOOL: (to_bool, True),
    D.ID: (to_id, False), D.EMAIL: (email, False), D.URL: (url, False),
}
