"""Markdown in one place: the escaper for plain text shown by a Markdown-rendering widget,
the set of invisible characters, and the safe renderer of an article's Markdown.

`escape(text)` makes user-written text (a title, a name, a note) show literally wherever
Streamlit renders Markdown (st.markdown, captions, titles, button and widget labels, alerts,
toasts, page links...): an image written into a case title would otherwise make every viewer's
browser fetch its address.

`render(markdown_text)` turns an article's Markdown into HTML that cannot run or fetch anything.
Articles come from staff editors and from uploaded workbooks, so their text is
untrusted. The renderer (markdown-it-py, CommonMark + tables + strikethrough):

- has raw HTML switched off: `<script>`, `<img onerror=...>`, `<iframe>` and friends
  come out as escaped text;
- accepts a link target only when it is http, https or mailto; anything else
  (`javascript:`, `data:`, `vbscript:`, relative paths) stays as plain text;
- never emits an `<img>`: an image becomes its alt text, so a page never loads a
  remote image (no tracking pixels, no mixed content);
- opens links in a new tab with `rel="noopener noreferrer nofollow"`.

The page then shows this HTML with `st.html`, which sanitises once more (DOMPurify)
and runs no script: two independent layers.
"""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


def is_safe_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host, or a mailto: address."""
    url = (url or "").strip()
    if not url or any(ord(ch) < 32 or ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return False
    if scheme == "mailto":
        return "@" in parts.path
    return bool(parts.netloc)


def link_target(url: str) -> str:
    """A safe URL made fit for a Markdown link `[text](target)`.

    Parentheses, angle brackets and backslashes are percent-encoded, so a crafted URL
    such as `https://a.example/)![x](https://evil.example/p.png` cannot close the link
    early and inject an image or another link.
    """
    for ch, code in (("\\", "%5C"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("[", "%5B"), ("]", "%5D")):
        url = url.replace(ch, code)
    return url


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    if not alt:
        return ""
    return f'<span class="md-image-alt">[{html.escape(alt)}]</span>'


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    token.attrSet("target", "_blank")
    token.attrSet("rel", LINK_REL)
    return self.renderToken(tokens, idx, options, env)


@functools.cache
def _parser():
    # Imported on first use: vocab and the import reader load this module for INVISIBLE only.
    from markdown_it import MarkdownIt

    class SafeMarkdownIt(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
            return is_safe_url(url)

    md = SafeMarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    return md


def render(markdown_text: str | None) -> str:
    """Safe HTML for a Markdown text (an empty string for nothing)."""
    if not markdown_text:
        return ""
    return _parser().render(str(markdown_text))


# Tables in rendered Markdown get visible borders and scroll sideways on a narrow screen
# (the app's own style, not the writer's: the renderer drops any HTML a text brings).
TABLE_CSS = ("<style>.ipo-md table{border-collapse:collapse;margin:0.5rem 0;display:block;overflow-x:auto;"
             "max-width:100%}.ipo-md th,.ipo-md td{border:1px solid #c8ccd4;padding:0.3rem 0.6rem;"
             "vertical-align:top}.ipo-md th{background:#f3f4f7}</style>")


def render_block(markdown_text: str | None) -> str:
    """`render()` wrapped for display (st.html): a block whose tables have borders ("" for nothing)."""
    body = render(markdown_text)
    return f'{TABLE_CSS}<div class="ipo-md">{body}</div>' if body else ""


def plain_text(markdown_text: str | None, limit: int | None = None) -> str:
    """The text of a Markdown document without its markup: for excerpts and previews."""
    if not markdown_text:
        return ""
    out: list[str] = []
    for token in _parser().parse(str(markdown_text)):
        if token.type == "inline" and token.children:
            out.append("".join(child.content for child in token.children if child.type in ("text", "code_inline")))
    text = " ".join(part for part in out if part).strip()
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)].rstrip() + "…"
    return text


# --- plain text inside Markdown --------------------------------------------------------------

# Every ASCII punctuation character. CommonMark makes any of them literal after a backslash, and
# each may start something in the Markdown Streamlit renders: emphasis, links and images, `<`
# HTML and autolinks, `&` entities, `|` tables, `~` strikethrough, `$` LaTeX, `:red[...]` and
# `:material/...:` directives (escaping `/` too keeps Streamlit from seeing `:material/`), `#`,
# `-`, `+`, `.`, `=` and `>` at the start of a line. Escaping all of them is simpler to trust than
# knowing which ones matter where.
_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# What str.splitlines() breaks on, plus spaces and tabs.
_SPACES_AND_BREAKS = re.compile(r"[ \t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_SPACES = re.compile(r"[ \t]+")


def escape(text: object, *, multiline: bool = False) -> str:
    """`text` as Markdown that shows exactly that text: nothing in it is markup.

    By default every run of spaces, tabs and line breaks becomes one space, which is right
    anywhere (a heading, a button label, a list item, between `**`): a line break cannot end a
    heading early, and four leading spaces cannot make a code block. With `multiline`, for a
    text shown as a block of its own (a case summary), each line break is kept as a Markdown
    hard line break and a run of blank lines as one empty line. None gives "".

    A bare address (http://..., www...., an e-mail) still becomes a link in Streamlit: its GFM
    autolinker looks for them in the text after the escapes are resolved. Such a link shows its
    own address and loads nothing.
    """
    if text is None:
        return ""
    value = _SPECIAL.sub(r"\\\1", str(text))
    if not multiline:
        return _SPACES_AND_BREAKS.sub(" ", value)
    lines: list[str] = []
    for line in value.splitlines():
        line = _SPACES.sub(" ", line).strip(" ")
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    # A backslash at the end of a line is CommonMark's hard line break; on an empty line it
    # still is one, so a blank line shows as an empty line inside the same paragraph.
    return "\\\n".join(lines)


# --- invisible characters -------------------------------------------------------------------

# Characters that take no room on screen: soft hyphen, Mongolian vowel separator, zero-width
# space, non-joiner and joiner, left-to-right and right-to-left marks, word joiner, the invisible
# operators and the byte-order mark. Pasted from Word or a web page they make "美\u200b国" differ
# from "美国"; vocabulary look-ups and the import cell reader drop them.
INVISIBLE_CHARS = "".join(map(chr, (0x00AD, 0x180E, *range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF)))
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
