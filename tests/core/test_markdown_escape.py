"""The one Markdown escaper (ipoverseas/core/markdown.py).

`escape()` must make any text show literally where Streamlit renders Markdown: checked here by
rendering with markdown-it-py (CommonMark, as Streamlit's renderer is, plus tables and
strikethrough) and by checking that every ASCII punctuation character, which is what LaTeX (`$`),
directives (`:red[...]`) and GFM extensions start with, comes out backslash-escaped.
"""

from __future__ import annotations

import re
import string

import pytest
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from ipoverseas.core.markdown import escape

GFM = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])

HOSTILE = [
    "![](http://127.0.0.77:9/x.png)", "![alt](http://127.0.0.77:9/x.png \"t\")", "[link](http://127.0.0.77:9/)",
    "[![img](http://127.0.0.77:9/a.png)](http://127.0.0.77:9/)", "[ref]\n\n[ref]: http://127.0.0.77:9/r.png",
    "<img src=http://127.0.0.77:9/x.png>", "<http://127.0.0.77:9/>", "<script>alert(1)</script>",
    "$x^2$", "$$\\int_0^1 x$$", "~~struck~~", "~single~", ":red[red]", ":material/home:", ":smile:",
    "# heading", "## heading", "- item", "+ item", "* item", "1. item", "1) item", "> quote",
    "| a | b |\n| --- | --- |\n| 1 | 2 |", "```python\ncode\n```", "~~~\ncode\n~~~", "    indented code",
    "\tindented code", "***", "---", "___", "title\n===", "title\n---", "**bold** __bold__ *it* _it_",
    "`code`", "&amp; &lt;b&gt; &#x41; &copy;", "a\\b", "trailing\\", "\\*not bold\\*", "www.example.com",
    "http://127.0.0.77:9/", "mail@example.com", "[^1]\n\n[^1]: note", "a  \nb", "{curly} (round) [square]",
    "100% 5 > 3 < 4 = 1 + 1 - 0 ? ! @ ^ ' \" ; , . /", "中文（全角）括号·标点——“引号”",
]


def _inline_text(markdown_text: str) -> str:
    """The HTML markdown-it gives, when the text is one paragraph of plain text."""
    return GFM.render(markdown_text)


def _collapsed(text: str) -> str:
    return re.sub(r"[ \t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+", " ", text)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_one_paragraph_of_literal_text(text):
    visible = _collapsed(text).strip(" ")
    assert _inline_text(escape(text).strip(" ")) == f"<p>{escapeHtml(visible)}</p>\n"


def test_every_ascii_punctuation_character_alone_doubled_and_in_pairs_stays_literal():
    for a in string.punctuation:
        for text in (a, a * 2, a * 3, f"{a}x{a}", f"{a} x", f"x {a}"):
            assert _inline_text(escape(text)) == f"<p>{escapeHtml(text)}</p>\n", text
        for b in string.punctuation:
            assert _inline_text(escape(f"{a}{b}x{b}{a}")) == f"<p>{escapeHtml(f'{a}{b}x{b}{a}')}</p>\n", a + b


def test_every_ascii_punctuation_character_is_backslash_escaped():
    # What markdown-it-py does not know (LaTeX `$`, Streamlit's `:color[...]` and `:material/...:`,
    # GFM autolinks) is disarmed the same way: a backslash-escaped character is literal in CommonMark.
    out = escape(string.punctuation)
    assert out == "".join("\\" + ch for ch in string.punctuation)
    assert ":material/" not in escape(":material/home:")   # Streamlit rewrites that text before parsing


def test_letters_digits_and_non_ascii_text_are_untouched():
    text = "Ningbo 宁波 337（调查）·“引号”—— é ß ✓ 2024"
    assert escape(text) == text


def test_line_breaks_become_spaces_by_default():
    assert escape("a\nb\r\nc\td  e\u2028f") == "a b c d e f"
    assert escape("    code") == " code"          # never four leading spaces: no code block
    assert GFM.render("# " + escape("title\n# not a heading")) == "<h1>title # not a heading</h1>\n"


def test_multiline_keeps_line_breaks_inside_one_paragraph():
    text = "first line\n    - indented item\n\n\n# not a heading\n1. not a list\n\n"
    out = escape(text, multiline=True)
    assert GFM.render(out) == ("<p>first line<br />\n- indented item<br />\n<br />\n# not a heading<br />\n"
                               "1. not a list</p>\n")


def test_none_and_other_types():
    assert escape(None) == "" and escape("") == "" and escape(None, multiline=True) == ""
    assert escape(12) == "12" and escape(1.5) == "1\\.5"
