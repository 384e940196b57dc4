"""The Atom feed of published risk alerts: valid Atom, escaped, per country, and closed unless the
admin opens it (setting `public_alert_feed`) or the reader has a session."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ipoverseas.accounts import sessions
from ipoverseas.knowledge import articles
from ipoverseas.sharing import feed
from tests.accounts.test_sessions import PASSWORD, _Client

A = "{http://www.w3.org/2005/Atom}"
NASTY = 'A <b>&"quoted"</b> alert'


def _alert(admin, title: str, countries: list[str], publish: bool = True) -> int:
    form = articles.ArticleInput(kind="risk_alert", title_zh=title, body="正文 <script>x</script> & more",
                                 countries=countries, severity="high", valid_until=date(2031, 1, 1), source="测试")
    return articles.create_article(admin, form, publish=publish)


def _parse(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert root.find(f"{A}author/{A}name").text
    assert root.find(f"{A}link[@rel='self']") is not None
    for entry in root.findall(f"{A}entry"):
        for tag in ("id", "title", "updated", "link"):
            assert entry.find(f"{A}{tag}") is not None, tag
    return root


def test_the_feed_is_atom_escaped_and_per_country(demo_database, principal):
    admin = principal("admin")
    de = _alert(admin, NASTY, ["DE"])
    _alert(admin, "日本预警", ["JP"])
    draft = _alert(admin, "草稿预警", ["DE"], publish=False)
    root = _parse(feed.alerts_atom(None, base_url="https://ipo.example"))
    titles = [e.find(f"{A}title").text for e in root.findall(f"{A}entry")]
    assert NASTY in titles and "日本预警" in titles and "草稿预警" not in titles
    body = feed.alerts_atom(None, "DE")
    assert b"&lt;b&gt;&amp;" in body                 # escaped in the XML, whole again when parsed
    de_root = _parse(body)
    ids = [e.find(f"{A}id").text for e in de_root.findall(f"{A}entry")]
    assert any(i.endswith(f"article={de}") for i in ids) and not any(i.endswith(f"article={draft}") for i in ids)
    assert all(e.find(f"{A}category[@term='DE']") is not None for e in de_root.findall(f"{A}entry"))
    assert "日本预警" not in [e.find(f"{A}title").text for e in de_root.findall(f"{A}entry")]


@pytest.fixture
def client():
    return _Client()


def test_the_route_is_closed_by_default_open_with_a_session_or_the_setting(demo_database, principal, client,
                                                                            monkeypatch):
    _alert(principal("admin"), NASTY, ["US"])
    assert client.get(feed.PATH).status_code == 404
    assert client.get("/feeds/alerts/US.atom").status_code == 404
    login = sessions.login("enterprise", PASSWORD)
    cookie = {"Cookie": f"{sessions.COOKIE_NAME}={login.token}"}
    ok = client.get(feed.PATH, headers=cookie)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("application/atom+xml")
    _parse(ok.text.encode())
    assert client.get(feed.PATH, headers={"Cookie": f"{sessions.COOKIE_NAME}=forged"}).status_code == 404
    monkeypatch.setenv("IPOVERSEAS_PUBLIC_ALERT_FEED", "true")
    us = client.get("/feeds/alerts/US.atom")
    assert us.status_code == 200 and NASTY in [e.find(f"{A}title").text for e in
                                               _parse(us.text.encode()).findall(f"{A}entry")]
    assert client.get("/feeds/alerts/Atlantis.atom").status_code == 404
