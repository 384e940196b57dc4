"""The app's scripts are served from its own origin (the CSP allows no inline script) and take
their inputs from escaped data attributes (ipoverseas/ui/scripts.py)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from starlette.requests import Request

from ipoverseas.ui import scripts


def _get(path: str):
    route = scripts.routes()[0]
    matched, child = route.matches({"type": "http", "path": path, "method": "GET"})
    if matched.name != "FULL":
        return None
    scope = {"type": "http", "path": path, "method": "GET", "headers": [], "query_string": b"", **child}
    # in a thread of its own: an earlier test of the session may leave an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, route.endpoint(Request(scope))).result()


def test_each_script_is_served_as_javascript_and_nothing_else_is():
    assert set(scripts.SCRIPTS) == {"browser-call.js", "close-menu.js"}
    for name, body in scripts.SCRIPTS.items():
        answer = _get(scripts.PREFIX + name)
        assert answer.status_code == 200 and answer.body.decode() == body
        assert answer.headers["content-type"].startswith("text/javascript")
    assert _get(scripts.PREFIX + "../server.py") is None or _get(scripts.PREFIX + "../server.py").status_code == 404
    assert _get(scripts.PREFIX + "nope.js").status_code == 404


def test_a_tag_has_no_inline_code_and_escapes_its_data():
    tag = scripts.tag("browser-call.js", path="/session/claim", body='"><script>alert(1)</script>')
    assert tag.startswith('<script src="/_ipoverseas/js/browser-call.js" ') and tag.endswith("></script>")
    assert tag.count("<script") == 1 and "&quot;&gt;&lt;script&gt;" in tag
