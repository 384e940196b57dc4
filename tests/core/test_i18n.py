"""Every UI string exists in Chinese and English, with the same placeholders."""

import re
import string
from pathlib import Path

from ipoverseas.core import i18n

ROOT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""\bt\(\s*f?["']([a-z0-9_.{}]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert sorted(set(zh) - set(en)) == [], "keys missing in English"
    assert sorted(set(en) - set(zh)) == [], "keys missing in Chinese"


def test_placeholders_match_and_no_string_is_empty():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert _placeholders(zh[key]) == _placeholders(en[key]), key


def test_every_literal_key_used_in_the_code_exists():
    known = set(i18n.catalogue("zh"))
    missing = []
    for path in list(ROOT.glob("pages/*.py")) + list(ROOT.glob("ipoverseas/**/*.py")) + [ROOT / "app.py"]:
        for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
            if "{" in key:  # an f-string key: check its stem has at least one entry
                stem = key.split("{")[0]
                if not any(k.startswith(stem) for k in known):
                    missing.append(f"{path.name}: {key}")
            elif key not in known:
                missing.append(f"{path.name}: {key}")
    assert missing == []


def test_translate_formats_and_falls_back():
    assert i18n.t("home.valid_until", "en", date="2026-12-31") == "valid until 2026-12-31"
    assert i18n.t("no.such.key", "zh") == "no.such.key"
    assert i18n.language_from_locale("zh-CN") == "zh"
    assert i18n.language_from_locale("en-GB") == "en"
    assert i18n.language_from_locale(None) == "zh"


def test_every_role_and_vocabulary_role_has_a_label():
    from ipoverseas.access import policy
    for lang in i18n.LANGUAGES:
        for role in policy.ROLES:
            assert i18n.t(f"role.{role}", lang) != f"role.{role}"
