"""Hostile Markdown in user-written text, in a real Chromium: no page fetches an address it did not ask for.

Streamlit renders Markdown, images included, in most of what it shows (st.markdown, captions,
titles, alerts, button, expander and page-link labels...). A case title, an article title, a
display name or an expert's note holding `![](http://host/x.png)` would make every viewer's
browser fetch that address. This module's server runs on a copy of the demo database in which
every such text carries hostile Markdown pointing at an unused loopback address; each role then
visits the pages where those texts appear, and the test fails on any request to a host other than
the app's own, and on any page where the planted text is not shown literally.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from ipoverseas.access.policy import Principal
from ipoverseas.cases import similar
from ipoverseas.core import db, i18n
from ipoverseas.core.models import (Article, Case, Consultation, ConsultationMessage, Expert, ExpertAway,
                                    Notification, RecordVersion, SubCentre, User)
from ipoverseas.knowledge import articles
from tests.e2e.helpers import TIMEOUT, login, pick, wait_idle

pytestmark = pytest.mark.e2e

BAD = "http://127.0.0.77:9"   # an unused loopback address: nothing legitimate ever asks for it
IMAGE = f"![]({BAD}/"          # how every planted text starts: the page must show it literally


def hostile(field: str) -> str:
    """Hostile Markdown for one field; its addresses name the field, so a failure says which leaked."""
    return (f" ![]({BAD}/{field}.png) ![alt]({BAD}/{field}-alt.png) [link]({BAD}/{field}-link) "
            f"<img src={BAD}/{field}-raw.png> [![linked]({BAD}/{field}-linked.png)]({BAD}/) "
            "$x^2$ ~~struck~~ :red[red] :material/home:")


def _prefix(key: str) -> str:
    """The start of a label, before its first value (an expander's count changes)."""
    return i18n.catalogue("zh")[key].split("{")[0]


NOTIFICATIONS = _prefix("service.notifications.none_new")


def _append(column):
    return func.coalesce(column, "") + hostile(f"{column.class_.__tablename__}.{column.key}")


def _plant(url: str) -> dict:
    """Put hostile Markdown into every user-written text the pages show; the ids to visit."""
    engine = db.get_engine(url)
    today = date.today()
    with db.write_session(engine) as s:
        s.execute(update(User).values(display_name=_append(User.display_name), organisation=_append(User.organisation)))
        s.execute(update(SubCentre).values(name_zh=_append(SubCentre.name_zh), name_en=_append(SubCentre.name_en)))
        s.execute(update(Case).values(
            title=_append(Case.title), case_ref=_append(Case.case_ref),
            summary=_append(Case.summary), guidance=_append(Case.guidance), lessons=_append(Case.lessons),
            opposing_party=_append(Case.opposing_party), source=_append(Case.source),
            review_note=_append(Case.review_note), distinction_reason=_append(Case.distinction_reason)))
        s.execute(update(Article).values(title_zh=_append(Article.title_zh), title_en=_append(Article.title_en),
                                         source=_append(Article.source)))
        s.execute(update(Expert).values(name=_append(Expert.name), title=_append(Expert.title),
                                        organisation=_append(Expert.organisation), email=_append(Expert.email),
                                        phone=_append(Expert.phone)))
        s.execute(update(ExpertAway).values(note=_append(ExpertAway.note)))
        s.execute(update(Consultation).values(company=_append(Consultation.company),
                                              contact=_append(Consultation.contact),
                                              opposing_party=_append(Consultation.opposing_party)))
        s.execute(update(ConsultationMessage).values(body=_append(ConsultationMessage.body)))
        s.execute(update(Notification).values(message=_append(Notification.message)))

        def user(username: str) -> User:
            return s.scalar(select(User).where(User.username == username))

        enterprise, admin, staff, expert = user("enterprise"), user("admin"), user("staff"), user("expert")
        # an away period with a note, and a saved version of an article (its history names the editor)
        s.add(ExpertAway(expert_id=expert.expert_id, starts_on=today + timedelta(days=30),
                         ends_on=today + timedelta(days=40), note="away" + hostile("expert_away.note")))
        ids = {"enterprise": enterprise.id}
        ids["expert"] = expert.expert_id
        mine = select(Consultation.id).where(Consultation.enterprise_user_id == enterprise.id)
        ids["my_consultation"] = s.scalar(mine.where(Consultation.id.in_(select(ConsultationMessage.consultation_id)))
                                          .order_by(Consultation.id)) or s.scalar(mine.order_by(Consultation.id))
        ids["new_consultation"] = s.scalar(select(Consultation.id).where(Consultation.status == "new")
                                           .order_by(Consultation.id))
        ids["assigned"] = s.scalar(select(Consultation.id).where(Consultation.expert_id == expert.expert_id)
                                   .order_by(Consultation.id))
        principals = {"enterprise": Principal.of(enterprise), "admin": Principal.of(admin), "staff": Principal.of(staff)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPOVERSEAS_DATABASE_URL", url)
        ent = principals["enterprise"]
        with db.read_session() as s:
            published = s.scalars(select(Case.id).where(Case.review_status == "published")
                                  .order_by(Case.distinction.is_(None), Case.id)).all()
            ids["case"] = next(i for i in published if similar.similar_cases(ent, i) and similar.related_articles(ent, i))
            shown = s.scalars(select(Article.id).where(Article.status == "published", Article.source.is_not(None))
                              .order_by(Article.id)).all()
            ids["article"] = next(i for i in shown if articles.related_cases(ent, i))
        with db.write_session() as s:
            # curated by the staff's sub-centre: the page names it, and staff may edit it
            s.execute(update(Article).where(Article.id == ids["article"]).values(sub_centre_id=principals["staff"].sub_centre_id))
            s.add(RecordVersion(entity="article", entity_id=ids["article"], action="update", before={},
                                after_version=1, user_id=principals["admin"].id))
    db.dispose_all()
    assert all(ids.values()), ids
    return ids


@pytest.fixture(scope="module")
def planted(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-markdown") / "hostile.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    url = f"sqlite:///{path}"
    return {"url": url, **_plant(url)}


@pytest.fixture(scope="module")
def live_server_env(planted):
    """This module's server runs on the planted database."""
    return {"IPOVERSEAS_DATABASE_URL": planted["url"]}


# Scroll each scrolling element down a viewport at a time, to its end.
SCROLL_THROUGH = """async () => {
    const pause = () => new Promise(r => setTimeout(r, 60));
    const boxes = [document.scrollingElement, ...document.querySelectorAll('*')]
        .filter(e => e && e.scrollHeight > e.clientHeight + 10 && getComputedStyle(e).overflowY !== 'visible');
    for (const box of boxes) {
        for (let y = 0; y < box.scrollHeight; y += Math.max(200, box.clientHeight - 100)) {
            box.scrollTop = y; await pause();
        }
    }
}"""
# Every address the page's elements load (src, srcset, poster, xlink:href, <link href>), and
# every link's address with its text: [kind, address, text]. Links in the safe renderer's blocks
# (st.html: article bodies, answers, messages, written as Markdown) may go anywhere: kind "html-a".
RESOURCES = """() => Array.from(document.querySelectorAll('[src], [srcset], [poster], [href], image'))
    .flatMap(e => [['src', e.getAttribute('src'), ''], ['srcset', e.getAttribute('srcset'), ''],
                   ['poster', e.getAttribute('poster'), ''], ['xlink', e.getAttribute('xlink:href'), ''],
                   [e.tagName.toLowerCase() !== 'a' ? 'href' : e.closest('[data-testid="stHtml"]') ? 'html-a' : 'a',
                    e.getAttribute('href'), e.textContent || '']])
    .filter(([, value]) => value)"""


class Watched:
    """A browser context that records every request to a host other than the app's, and aborts it."""

    def __init__(self, browser, base: str):
        self.base = base
        self.app = urlparse(base).netloc
        self.foreign: list[tuple[str, str]] = []   # (the page visited, the URL asked for)
        self.unshown: list[str] = []                # pages that should show the planted text literally
        self.where = "login"
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        self.context.on("request", self._record)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _own(self, url: str) -> bool:
        return url.startswith(("data:", "blob:", "about:")) or urlparse(url).netloc == self.app

    def _record(self, request) -> None:
        if not self._own(request.url):
            self.foreign.append((self.where, request.url))

    def _route(self, route) -> None:
        if self._own(route.request.url):
            route.continue_()
        else:
            route.abort()

    def login(self, username: str) -> None:
        self.where = f"/ after {username}'s login"
        login(self.page, self.base, username)

    def visit(self, path: str, *, shows: bool = True, expand: tuple[str, ...] = ()) -> None:
        """Open `path`, open the expanders whose label starts with one of `expand`, let images load."""
        self.where = path
        self.page.goto(self.base + path)
        self.steady()
        for label in expand:
            summaries = self.page.locator("[data-testid='stExpander'] summary").filter(has_text=label)
            for i in range(summaries.count()):
                if not summaries.nth(i).evaluate("summary => summary.parentElement.open"):
                    summaries.nth(i).click()
            self.steady()
        self.settle()
        self.check(shows)

    def steady(self) -> None:
        """Wait until the script has run (the shell's logout button is there) and the page's text
        stops changing: right after a navigation Streamlit may not have started running yet."""
        logout = self.page.get_by_test_id("stSidebar").get_by_role("button", name=i18n.t("app.logout", "zh"))
        expect(logout).to_be_visible(timeout=TIMEOUT)
        before = None
        for _ in range(40):
            wait_idle(self.page)
            now = self.page.get_by_test_id("stMain").inner_text()
            if now == before:
                # e.g. Streamlit's "Page not found" (the home page's own path is /): it makes the page inert
                assert self.page.get_by_role("dialog").count() == 0, f"{self.where}: a dialog opened"
                return
            before = now
            self.page.wait_for_timeout(300)

    def settle(self) -> None:
        """Scroll every scrolling area to its end (images load lazily, only near the viewport),
        give images time to be asked for, and list what the page would still load or link to."""
        self.page.evaluate(SCROLL_THROUGH)
        self.page.wait_for_timeout(600)
        page_url = self.page.url
        bad_host = urlparse(BAD).netloc
        for kind, value, text in self.page.evaluate(RESOURCES):
            url = urljoin(page_url, value.split()[0])   # a srcset entry: "url 2x"
            if kind == "html-a":
                continue
            if kind != "a":
                if not self._own(url):
                    self.foreign.append((self.where, f"an element loading {url}"))
            # Streamlit's renderer links a bare address it finds in the text (GFM autolinks, after
            # escapes are resolved): that link shows its address. One that hides it behind other
            # words can only come from Markdown link syntax.
            elif urlparse(url).netloc == bad_host and bad_host not in text:
                self.foreign.append((self.where, f"a link to {url} shown as {text!r}"))

    def check(self, shows: bool = True, test_id: str = "stMain") -> None:
        """Note the page when the planted text is not shown literally in its content (or sidebar)."""
        if shows and IMAGE not in self.page.get_by_test_id(test_id).inner_text():
            self.unshown.append(f"{self.where} ({test_id})")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, live_server):
    w = Watched(browser, live_server)
    yield w
    w.close()


def _assert_clean(w: Watched) -> None:
    assert w.foreign == [], "pages asked for (or hid a link to) addresses they did not write:\n" + "\n".join(
        f"  {where}: {url}" for where, url in w.foreign)
    assert w.unshown == [], f"the planted text is not shown literally on: {w.unshown}"


def test_enterprise_pages_fetch_nothing_from_elsewhere(watched, planted):
    w = watched
    w.login("enterprise")
    w.visit("/", expand=(NOTIFICATIONS,))
    w.check(test_id="stSidebar")   # the display name
    w.visit("/account")
    w.visit("/cases", shows=False)   # a table: its cells are plain text
    w.visit(f"/cases?case={planted['case']}")
    w.visit("/guides")
    w.visit("/guides?view=alerts")
    w.visit(f"/guides?article={planted['article']}")
    w.visit("/experts", shows=False)
    w.visit(f"/experts?expert={planted['expert']}")
    w.visit("/my-consultations", shows=False)
    w.visit(f"/my-consultations?id={planted['my_consultation']}")
    w.visit("/ask", shows=False)
    w.where = "/ask (self-help suggestions)"
    pick(w.page, i18n.t("service.field.country", "zh"), "美国")
    expect(w.page.get_by_text(i18n.t("service.selfhelp.cases", "zh"))).to_be_visible(timeout=TIMEOUT)
    w.steady()
    w.settle()
    w.check()
    _assert_clean(w)


def test_admin_pages_fetch_nothing_from_elsewhere(watched, planted):
    w = watched
    w.login("admin")
    w.visit("/", expand=(NOTIFICATIONS,))
    w.visit("/account")
    w.visit(f"/cases?case={planted['case']}")
    w.visit("/review")
    w.visit(f"/guides?article={planted['article']}", expand=(_prefix("guides.history"),))
    w.visit(f"/experts?expert={planted['expert']}")
    w.visit("/consultations", shows=False)
    w.visit(f"/consultations?id={planted['new_consultation']}")
    w.visit("/admin-users", shows=False)
    w.visit(f"/admin-users?user={planted['enterprise']}", shows=False)
    w.visit("/admin-sub-centres", shows=False)
    w.visit("/upload", shows=False)
    w.visit("/analytics", shows=False)
    _assert_clean(w)


def test_staff_and_expert_pages_fetch_nothing_from_elsewhere(watched, planted):
    w = watched
    w.login("staff")
    w.visit("/")
    w.check(test_id="stSidebar")
    w.visit("/consultations", shows=False)
    w.visit(f"/guides?article={planted['article']}")
    w.context.clear_cookies()
    w.login("expert")
    w.visit("/")
    w.visit(f"/assignments?id={planted['assigned']}")
    w.visit("/my-profile", expand=(_prefix("service.experts.away_periods"),))
    _assert_clean(w)
