"""UI strings in Chinese and English.

The catalogue is `locales/<lang>/*.json`, one file per feature so that features can
add strings without touching each other's files. Keys are dotted (`home.title`).
A test fails when a key is missing in either language or a placeholder differs.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LOCALES_DIR = Path(__file__).parent / "locales"

log = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    strings: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            if key in strings:
                raise ValueError(f"duplicate i18n key {key!r} in {path.name}")
            strings[key] = value
    return strings


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The string for `key` in `lang`, formatted with `values`.

    A missing key shows the key itself (and logs), never an exception: a test
    guards completeness.
    """
    text = catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).get(key)
    if text is None:
        log.warning("missing i18n key %s (%s)", key, lang)
        return key
    return text.format(**values) if values else text


def language_from_locale(locale: str | None) -> str:
    """Pick zh or en from a browser locale such as 'zh-CN', 'en-US', 'de-DE'."""
    if locale and locale.lower().startswith("zh"):
        return "zh"
    if locale and locale.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE
