"""Markdown in one place: the set of invisible characters, and the safe renderer of an
article's Markdown.

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


# --- invisible characters -------------------------------------------------------------------

# Characters that take no room on screen: soft hyphen, Mongolian vowel separator, zero-width
# space, non-joiner and joiner, left-to-right and right-to-left marks, word joiner, the invisible
# operators and the byte-order mark. Pasted from Word or a web page they make "美\u200b国" differ
# from "美国"; vocabulary look-ups and the import cell reader drop them.
INVISIBLE_CHARS = "".join(map(chr, (0x00AD, 0x180E, *range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF)))
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
