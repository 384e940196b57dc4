"""The production example: deploy/nginx.conf and .streamlit/config.toml agree with the settings,
and (browser journey) nginx with TLS and WebSocket upgrade really serves the app."""

import re
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ipoverseas.core import config
from tests.deploy.harness import NGINX_CONF, ROOT, start_nginx

STREAMLIT_CONF = ROOT / ".streamlit" / "config.toml"


def _directives(text):
    lines = [" ".join(line.split("#", 1)[0].split()) for line in text.splitlines()]
    return [line.rstrip(";") for line in lines if line]


def _mb(value):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def test_nginx_body_limit_fits_the_upload_limit():
    sizes = [d.split()[1] for d in _directives(NGINX_CONF.read_text()) if d.startswith("client_max_body_size")]
    assert len(sizes) == 1
    limit = _mb(sizes[0])
    streamlit_limit = tomllib.loads(STREAMLIT_CONF.read_text())["server"]["maxUploadSize"]
    assert limit >= config.get("upload_max_mb") and limit >= streamlit_limit       # uploads fit
    assert limit <= max(config.get("upload_max_mb"), streamlit_limit) + 2          # and nothing much bigger


def test_nginx_has_tls_websocket_upgrade_and_forwarded_headers():
    directives = _directives(NGINX_CONF.read_text())
    text = "\n".join(directives)
    assert "listen 443 ssl" in text and "ssl_certificate " in text and "ssl_certificate_key " in text
    assert "return 301 https://$host$request_uri" in text
    assert "proxy_http_version 1.1" in text
    assert "proxy_set_header Upgrade $http_upgrade" in text
    assert "proxy_set_header Connection $connection_upgrade" in text
    assert "proxy_set_header Host $http_host" in text and "proxy_set_header X-Forwarded-Proto $scheme" in text
    assert re.search(r"proxy_read_timeout (\d+)s", text) and int(re.search(r"proxy_read_timeout (\d+)s", text)[1]) >= 600
    assert "ssl_protocols TLSv1.2 TLSv1.3" in text


def test_streamlit_keeps_xsrf_cors_and_host_protection_on():
    server = tomllib.loads(STREAMLIT_CONF.read_text())["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["allowedHosts"] and "*" not in server["allowedHosts"]
    assert server["maxUploadSize"] == config.get("upload_max_mb")
    assert tomllib.loads(STREAMLIT_CONF.read_text())["client"]["showErrorDetails"] == "none"


def test_deploy_doc_names_every_part():
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for needle in ("deploy/nginx.conf", "allowedHosts", "enableXsrfProtection", "enableCORS", "client_max_body_size",
                   "IPOVERSEAS_SESSION_IDLE_MINUTES", "IPOVERSEAS_SESSION_MAX_HOURS", "[auth]", "Upgrade",
                   "ipo_route", "hash $ipo_route consistent", "### Adding a host", "ipoverseas@8501",
                   "ipoverseas.target", "pg_try_advisory_lock", "flock", "frame-ancestors 'none'",
                   "'wasm-unsafe-eval'", "deploy/compose.yaml"):
        assert needle in doc, needle


# --- nginx in front of the real app ------------------------------------------------------------


@pytest.fixture(scope="module")
def nginx_front(live_server, tmp_path_factory):
    front = start_nginx(tmp_path_factory.mktemp("nginx"), [int(live_server.rsplit(":", 1)[1])])
    try:
        yield {"base": front.base, "http": front.http, "ssl": front.ssl}
    finally:
        front.stop()


@pytest.mark.e2e
def test_through_nginx_tls_websocket_and_secure_cookie(nginx_front, browser):
    from playwright.sync_api import expect

    from ipoverseas.core import i18n
    from tests.e2e.helpers import TIMEOUT, login, wait_idle

    context = browser.new_context(locale="zh-CN", ignore_https_errors=True)
    page = context.new_page()
    login(page, nginx_front["base"], "staff")  # the login runs over the proxied WebSocket
    expect(page.get_by_role("heading", name=i18n.t("home.title.staff", "zh"))).to_be_visible(timeout=TIMEOUT)
    for _ in range(50):
        cookie = next((c for c in context.cookies() if c["name"] == "ipo_session"), None)
        if cookie:
            break
        page.wait_for_timeout(100)
    assert cookie and cookie["secure"] and cookie["httpOnly"]   # behind TLS the cookie is Secure
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name=i18n.t("home.title.staff", "zh"))).to_be_visible(timeout=TIMEOUT)
    context.close()


@pytest.mark.e2e
def test_nginx_redirects_http_and_refuses_oversized_bodies(nginx_front):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(nginx_front["http"] + "/home", timeout=5)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://localhost")
    big = urllib.request.Request(nginx_front["base"] + "/_stcore/upload_file/x/y", data=b"x" * (22 * 2**20),
                                 method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(big, context=nginx_front["ssl"], timeout=30)
    assert refused.value.code == 413


def _csp() -> dict[str, list[str]]:
    header = re.search(r'add_header Content-Security-Policy "([^"]+)" always', NGINX_CONF.read_text())[1]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def test_nginx_csp_allows_no_remote_image_no_framing_and_no_inline_or_eval_script():
    csp = _csp()
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]           # no remote images
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert all(s == "'self'" or s == "'wasm-unsafe-eval'" or s.startswith("'sha256-") for s in csp["script-src"])
    assert not [s for sources in csp.values() for s in sources if s.startswith(("http", "*", "https:", "wss:"))]
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    shown = doc.split("## 12. Content-Security-Policy", 1)[1].split("```", 2)[1]   # §12 shows it as shipped
    assert {d.split()[0]: d.split()[1:] for d in (p.strip() for p in shown.split(";")) if d} == csp


def test_the_inline_script_hash_is_streamlits_index_page():
    """The one hash in script-src is Streamlit's own inline script in its index.html: a Streamlit
    upgrade that changes it fails here (take the new hash from this test's message)."""
    import base64
    import hashlib

    import streamlit

    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    inline = re.findall(r"<script>(.*?)</script>", index, re.S)
    hashes = ["'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in inline]
    assert sorted(s for s in _csp()["script-src"] if s.startswith("'sha256-")) == sorted(hashes), hashes


def test_nginx_routes_by_its_own_cookie_not_the_login_cookie():
    directives = _directives(NGINX_CONF.read_text())
    text = "\n".join(directives)
    assert "hash $ipo_route consistent" in text
    assert "map $cookie_ipo_route $ipo_route {" in text and '"" $remote_addr' in text
    assert "add_header Set-Cookie $ipo_route_cookie always" in text and "$request_id" in text
    assert "ipo_session" not in text                                 # the login never moves a browser
    assert "proxy_next_upstream off" in text
    assert "keepalive_timeout 4s" in text      # below uvicorn's 5 s: no reused connection the app closes
    servers = [d for d in directives if d.startswith("server 127.0.0.1:")]
    assert len(servers) >= 2 and all(d.endswith("max_fails=0") for d in servers)
