"""Browser: two app processes behind the shipped deploy/nginx.conf (TLS, the routing cookie, the
Content-Security-Policy), on one shared database (SQLite file, or PostgreSQL when
IPOVERSEAS_TEST_DATABASE_URL is set).

- A browser stays on one process through login, upload, download and reload, and when that
  process is killed and started again, the login survives and the page works again.
- Every page of every role renders under the CSP with no violation in the console.
"""

from __future__ import annotations

import io
import shutil
import time
import urllib.request

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from ipoverseas.core import i18n
from tests.conftest import PG_URL, _pg_admin_engine, _pg_url
from tests.deploy.harness import AppProcess, free_port, start_nginx
from tests.e2e.helpers import TIMEOUT, login, wait_idle
from tests.imports.helpers import FILES

pytestmark = pytest.mark.e2e
PG_NAME = "ipo_cluster_test"   # this test's own PostgreSQL database
ROLES = ["enterprise", "staff", "expert", "admin"]
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def cluster(request, _templates, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    if request.param == "sqlite":
        shutil.copyfile(_templates.get("sqlite", True), folder / "shared.db")
        url = f"sqlite:///{folder / 'shared.db'}"
    else:
        template = _templates.get("postgresql", True)
        with _pg_admin_engine().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}" TEMPLATE "{template}"'))
        url = _pg_url(PG_NAME)
    env = {"IPOVERSEAS_DATABASE_URL": url, "IPOVERSEAS_LOAD_DEMO": "false"}
    apps = {}
    front = None
    try:
        for _ in range(2):
            app = AppProcess(free_port(), env, folder)
            app.start()
            apps[str(app.port)] = app
        front = start_nginx(folder, [app.port for app in apps.values()])
        yield {"nginx": front, "apps": apps}
    finally:
        if front:
            front.stop()
        for app in apps.values():
            app.stop()
        if request.param == "postgresql":
            with _pg_admin_engine().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))


def _route_to(nginx, port: str) -> str:
    """A routing-cookie value that nginx sends to the app on `port` (probed through nginx)."""
    for n in range(64):
        value = f"probe{n}"
        request = urllib.request.Request(nginx.base + "/_stcore/health", headers={"Cookie": f"ipo_route={value}"})
        urllib.request.urlopen(request, context=nginx.ssl, timeout=5).read()
        if nginx.log()[-1]["port"] == port:
            return value
    raise AssertionError(f"no routing cookie reaches {port}")


def _browser_context(browser, nginx, route: str | None = None):
    context = browser.new_context(locale="zh-CN", ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
    if route:
        context.add_cookies([{"name": "ipo_route", "value": route, "url": nginx.base}])
    return context


def _first_page(page, base: str) -> None:
    """The login page; a process's first session is slow on a busy machine (a cold start)."""
    page.goto(base + "/")
    expect(page.locator("input[type=password]")).to_be_visible(timeout=90_000)


def _ports_of(nginx, route: str, prefix: str) -> set[str]:
    return {r["port"] for r in nginx.log() if r["route"] == route and r["uri"].startswith(prefix)}


def _upload_preview(page, base: str) -> None:
    page.goto(base + "/upload")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("upload.title"))).to_be_visible(timeout=TIMEOUT)
    page.locator("input[type=file]").first.set_input_files(str(FILES / "messy" / "two_row_header.xlsx"))
    expect(page.get_by_role("heading", name=zh("upload.preview"))).to_be_visible(timeout=60_000)


def test_a_browser_stays_on_one_process_through_login_upload_download_reload_and_a_restart(
        cluster, browser, tmp_path):
    nginx, apps = cluster["nginx"], cluster["apps"]
    context = _browser_context(browser, nginx)
    page = context.new_page()
    _first_page(page, nginx.base)
    route = next(c["value"] for c in context.cookies() if c["name"] == "ipo_route")   # set by nginx
    login(page, nginx.base, "staff")
    assert next(c["value"] for c in context.cookies() if c["name"] == "ipo_route") == route  # login keeps it

    _upload_preview(page, nginx.base)                        # the upload reached the session's process
    with page.expect_download(timeout=TIMEOUT) as got:       # a download from that process's media store
        page.get_by_role("button", name=zh("upload.template_download")).click()
    got.value.save_as(tmp_path / "template.xlsx")
    assert openpyxl.load_workbook(io.BytesIO((tmp_path / "template.xlsx").read_bytes())).sheetnames
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("upload.title"))).to_be_visible(timeout=TIMEOUT)

    bound = _ports_of(nginx, route, "/_stcore/upload_file") | _ports_of(nginx, route, "/media/")
    assert len(bound) == 1, bound
    port = bound.pop()
    other = next(p for p in apps if p != port)

    down = time.time()
    apps[port].kill()                                        # the browser's process dies ...
    apps[port].start()                                       # ... and comes back (systemd's Restart=)
    up = time.time()
    # The page reconnects by itself, to the same process: a new Streamlit session, logged in by the
    # session cookie, on the page it was on. No login form; the upload works again.
    expect(page.get_by_role("heading", name=zh("upload.title"))).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.locator("input[type=password]")).to_have_count(0)
    _upload_preview(page, nginx.base)
    context.close()

    rows = [r for r in nginx.log() if r["route"] == route and r["port"]]
    assert {r["port"] for r in rows} == {port}, rows         # every request of the browser, WebSocket too
    assert [r for r in rows if r["uri"] == "/_stcore/stream"]
    # Errors only while its process was down (502 from nginx: it never tried another process).
    assert not [r for r in rows if r["status"] >= 500 and not down <= r["time"] <= up + 1], rows
    assert not [r for r in nginx.log() if r["route"] == route and r["port"] == other]


def test_every_page_of_every_role_under_the_csp_on_both_processes(cluster, browser):
    nginx = cluster["nginx"]
    ports = sorted(cluster["apps"])
    problems, visited = [], {}
    for n, role in enumerate(ROLES):
        route = _route_to(nginx, ports[n % 2])               # the roles are spread over both processes
        context = _browser_context(browser, nginx, route)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        _first_page(page, nginx.base)
        login(page, nginx.base, role)
        nav = page.get_by_test_id("stSidebarNav").locator("a")
        expect(nav.first).to_be_visible(timeout=TIMEOUT)
        hrefs = [nav.nth(i).get_attribute("href") for i in range(nav.count())]
        assert len(hrefs) >= 3, hrefs
        for href in hrefs:
            response = page.goto(href if href.startswith("http") else nginx.base + "/" + href.lstrip("./"))
            csp = response.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp and "img-src 'self' data: blob:" in csp
            wait_idle(page)
            page.wait_for_timeout(1500)                     # charts, tables and images settle
            expect(nav).to_have_count(len(hrefs))          # still logged in, the page's own menu
            for violation in page.evaluate("window.__csp"):
                problems.append(f"{role} {href}: {violation}")
        problems += [f"{role}: {m[:300]}" for m in console if "Content Security Policy" in m or "Refused to" in m]
        visited[role] = len(hrefs)
        context.close()
    assert not problems, "\n".join(dict.fromkeys(problems))
    used = {r["port"] for r in nginx.log() if r["uri"] == "/_stcore/stream"}
    assert used == set(ports), used
    print("pages visited per role:", visited)
