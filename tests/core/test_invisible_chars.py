"""One set of invisible characters (ipoverseas/core/markdown.py), dropped wherever text is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipoverseas.core import vocab
from ipoverseas.core.markdown import INVISIBLE, INVISIBLE_CHARS
from ipoverseas.imports import cells, headers, read

# What vocab and the import cell reader each dropped before they shared one set.
OLD_VOCAB = set(map(chr, (*range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF, 0x00AD)))
OLD_CELLS = OLD_VOCAB | {"\u180e"}


def test_invisible_is_the_union_of_the_old_sets():
    assert set(INVISIBLE_CHARS) == OLD_VOCAB | OLD_CELLS
    assert all(INVISIBLE.fullmatch(ch) for ch in INVISIBLE_CHARS)
    assert not INVISIBLE.search("美国 USA\u3000\t\n")   # spaces are not invisible: they are folded elsewhere


@pytest.mark.parametrize("ch", list(INVISIBLE_CHARS), ids=lambda ch: f"U+{ord(ch):04X}")
def test_each_invisible_character_is_dropped_everywhere_text_is_read(ch):
    assert vocab.countries().lookup(f"美{ch}国") == "US"
    assert cells.clean_text(f" 某公司{ch}有限公司 ") == "某公司有限公司"
    assert headers.norm(f"案{ch}号") == headers.norm("案号")
    assert not read._plain(f"某公司{ch}有限公司")   # the fast path leaves it to clean_text


def test_no_other_module_keeps_its_own_invisible_set():
    root = Path(__file__).resolve().parents[2]
    home = root / "ipoverseas" / "core" / "markdown.py"
    offenders = []
    for path in [*root.glob("ipoverseas/**/*.py"), *root.glob("pages/**/*.py"), root / "app.py"]:
        if path == home or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\\u200[bB]|0x200[bB]|\u200b", source):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
