"""Article Markdown renders inert: no raw HTML, no script, no remote image, no javascript: link."""

import re

import pytest

from ipoverseas.core.markdown import is_safe_url, plain_text, render

HOSTILE = """# Title <script>alert(1)</script>

<script>document.cookie</script>
<img src="x" onerror="alert('xss')">
<iframe src="https://evil.example"></iframe>
<a href="javascript:alert(1)">raw anchor</a>
<svg onload=alert(1)>

[plain js](javascript:alert(1)) [upper](JAVASCRIPT:alert(1)) [entity](&#106;avascript:alert(1))
[spaced]( javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox)
[relative](/etc/passwd) [file](file:///etc/passwd)
<javascript:alert(1)>

![remote pixel](https://evil.example/pixel.png) ![](http://evil.example/empty-alt.png)
![data image](data:image/png;base64,iVBORw0KGgo=)
[![linked image](https://evil.example/b.png)](https://ok.example/)

[good](https://www.wipo.int/ "WIPO") [mail](mailto:help@example.org) <https://auto.example/x>
"""


@pytest.fixture(scope="module")
def html():
    return render(HOSTILE)


def test_no_active_html_survives(html):
    lowered = html.lower()
    for tag in ("<script", "<img", "<iframe", "<svg", "<object", "<embed", "<style"):
        assert tag not in lowered
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.I)   # no element carries an event handler
    # raw HTML is shown as text, escaped
    assert "&lt;script&gt;" in html and "&lt;img src=&quot;x&quot; onerror=" in html


def test_only_http_https_mailto_links(html):
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["https://ok.example/", "https://www.wipo.int/", "mailto:help@example.org", "https://auto.example/x"]
    assert 'href="javascript' not in html.lower() and 'href="data' not in html.lower()


def test_images_become_their_alt_text(html):
    assert "evil.example/pixel.png" not in html and "empty-alt.png" not in html
    assert "[remote pixel]" in html and "[linked image]" in html
    assert not re.search(r"<[a-z][^>]*\ssrc=", html)   # a data: image is not even parsed as an image: it stays inert text


def test_links_open_safely(html):
    for anchor in re.findall(r"<a [^>]*>", html):
        assert 'rel="noopener noreferrer nofollow"' in anchor and 'target="_blank"' in anchor


def test_ordinary_markdown_still_renders():
    out = render("## 应对要点\n\n- **尽快**答辩\n- 第二点\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~")
    assert "<h2>应对要点</h2>" in out and "<strong>尽快</strong>" in out and "<li>" in out
    assert "<table>" in out and "<s>old</s>" in out
    assert render("") == "" and render(None) == ""


@pytest.mark.parametrize("url,ok", [
    ("https://www.usitc.gov/", True), ("http://example.com/a?b=1", True), ("mailto:a@b.org", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), ("data:text/html,x", False),
    ("//evil.example/x", False), ("/relative", False), ("https://", False), ("mailto:nobody", False),
    ("https://exa mple.com", False), ("vbscript:x", False), ("", False), ("java\tscript:x", False),
])
def test_is_safe_url(url, ok):
    assert is_safe_url(url) is ok


def test_plain_text_for_excerpts():
    assert plain_text("## Head\n\nSome **bold** [link](https://x.example) text") == "Head Some bold link text"
    assert plain_text("a" * 50, limit=10) == "a" * 9 + "…"


def test_a_crafted_source_url_cannot_break_out_of_its_link():
    from markdown_it import MarkdownIt

    from ipoverseas.core.markdown import link_target
    url = "https://a.example/)![x](https://evil.example/p.png"
    html = MarkdownIt().render(f"[source]({link_target(url)})")
    assert "<img" not in html and html.count("<a ") == 1
    assert 'href="https://a.example/%29!%5Bx%5D%28https://evil.example/p.png"' in html
