"""What each kind of user does, one step at a time, over `client.StreamlitTab`.

A `Visitor` is one logged-in user: `step()` does one thing a person does between two pauses
(opens a page, searches, filters, opens a record, asks, answers, uploads) and reports every page
run to `record(name, run_or_None, seconds, error)`. Which records exist comes from a `Pool`
(ids read once from the database by `pool_from_database`), as a person follows links to them.

The mix (`WEIGHTS`): mostly enterprises, then sub-centre staff, experts and a few admins, the
proportions of the network (thousands of enterprises, 30-odd sub-centres, 2,000 experts).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from tests.load.client import LoadError, PageRun, StreamlitTab, text, trigger

PASSWORD = "ipoverseas-demo"
WEIGHTS = {"enterprise": 10, "staff": 3, "expert": 3, "admin": 1}
ACCOUNTS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}
SEARCHES = ["扫地机", "专利", "337调查", "Northgate GmbH", "无人机 德国", "电动牙刷", "drones", "禁令"]
COUNTRIES = ["US", "DE", "GB", "JP", "FR", "BR", "IN", "VN"]
DISPUTES = ["litigation", "ecommerce", "customs", "squatting", "itc_337"]
IP_TYPES = ["patent", "trademark", "design"]
UPLOAD_ROWS = 1_000

Record = Callable[[str, PageRun | None, float, str | None], None]


@dataclass
class Pool:
    """Ids a user can reach by a link: published cases, published articles, consultations per role."""
    cases: list[int] = field(default_factory=list)
    articles: list[int] = field(default_factory=list)
    queue: list[int] = field(default_factory=list)       # consultations of the staff account's sub-centre
    inbox: list[int] = field(default_factory=list)       # consultations assigned to the expert account
    review: list[int] = field(default_factory=list)      # cases waiting for review
    mine: list[int] = field(default_factory=list)        # the enterprise account's consultations


def pool_from_database(url: str, size: int = 500, seed: int = 0) -> Pool:
    """A sample of reachable ids (the test harness reads them once; users then follow "links")."""
    from sqlalchemy import create_engine, text as sql

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def ids(query: str, **params) -> list[int]:
                return [int(r[0]) for r in conn.execute(sql(query), params)]
            top = int(conn.execute(sql("SELECT max(id) FROM cases")).scalar() or 0)
            rng = random.Random(seed)
            sample = sorted({rng.randint(1, top) for _ in range(size * 3)}) if top else []
            cases = ids("SELECT id FROM cases WHERE review_status = 'published' AND id = ANY(:ids) LIMIT :n",
                        ids=sample, n=size) if engine.dialect.name == "postgresql" else ids(
                "SELECT id FROM cases WHERE review_status = 'published' ORDER BY random() LIMIT :n", n=size)
            user_ids = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(sql(
                "SELECT username, id, sub_centre_id, expert_id FROM users WHERE username IN "
                "('enterprise', 'staff', 'expert')"))}
            return Pool(
                cases=cases,
                articles=ids("SELECT id FROM articles WHERE status = 'published' ORDER BY id DESC LIMIT :n", n=size),
                queue=ids("SELECT id FROM consultations WHERE sub_centre_id = :sc ORDER BY id LIMIT :n",
                          sc=user_ids["staff"][1], n=size),
                inbox=ids("SELECT id FROM consultations WHERE expert_id = :e ORDER BY id LIMIT :n",
                          e=user_ids["expert"][2], n=size),
                review=ids("SELECT id FROM cases WHERE review_status = 'submitted' ORDER BY id DESC LIMIT :n", n=size),
                mine=ids("SELECT id FROM consultations WHERE enterprise_user_id = :u ORDER BY id LIMIT :n",
                         u=user_ids["enterprise"][0], n=size),
            )
    finally:
        engine.dispose()


def failure_texts() -> frozenset[str]:
    """The app's own messages for a failed page, in every language: its shell's "the page failed"
    (`errors.unexpected`), "no database" and every "database busy, retry" message (`*.busy`). Not the
    refusals a user can meet in normal use (not found, not allowed, changed meanwhile)."""
    import json
    from pathlib import Path

    import ipoverseas
    texts = set()
    for path in (Path(ipoverseas.__file__).parent / "core" / "locales").glob("*/*.json"):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in ("errors.unexpected", "errors.database") or key.endswith(".busy"):
                texts.add(value)
    return frozenset(texts)


def new_tab(base_url: str, timeout: float = 60.0) -> StreamlitTab:
    return StreamlitTab(base_url, timeout, failure_texts())


def upload_workbook(rows: int = UPLOAD_ROWS, seed: int = 11) -> bytes:
    """A real .xlsx of `rows` good case rows (the staff's upload preview)."""
    import tempfile
    from pathlib import Path

    from tests.imports.helpers import cases_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = cases_workbook(Path(folder) / "load.xlsx", rows, seed=seed, ref_prefix="LOAD", texts=True)
        return path.read_bytes()


class Visitor:
    """One logged-in user of a role on one tab."""

    def __init__(self, tab: StreamlitTab, role: str, pool: Pool, record: Record, rng: random.Random | None = None,
                 workbook: bytes | None = None):
        self.tab, self.role, self.pool, self.record = tab, role, pool, record
        self.rng = rng or random.Random()
        self.workbook = workbook
        self.steps = {"enterprise": [(3, self.guides), (4, self.search), (3, self.filter), (4, self.open_case),
                                     (2, self.open_article), (1, self.ask), (1, self.my_consultations)],
                      "staff": [(3, self.queue), (3, self.open_queue_item), (1, self.upload_preview),
                                (2, self.search), (1, self.open_case)],
                      "expert": [(3, self.inbox), (3, self.open_inbox_item), (1, self.answer), (1, self.search)],
                      "admin": [(3, self.analytics), (3, self.review), (2, self.open_review_item), (1, self.search)],
                      }[role]

    # --- bookkeeping ------------------------------------------------------------------

    def page(self, name: str, page: str | None, query: dict | None = None, widgets=()) -> PageRun:
        """One page run, recorded under `name`; an error on the page is raised after it is recorded."""
        try:
            run = self.tab.run(page, query, list(widgets))
        except LoadError as exc:
            self.record(name, None, 0.0, str(exc))
            raise
        error = "; ".join(run.errors) if run.errors else None
        self.record(name, run, run.seconds, error)
        if error:
            raise LoadError(f"{name}: {error}")
        return run

    def start(self) -> None:
        try:
            run = self.tab.login(ACCOUNTS[self.role], PASSWORD)
        except LoadError as exc:
            self.record("login", None, 0.0, str(exc))
            raise
        self.record("login", run, run.seconds, "; ".join(run.errors) or None)

    def step(self) -> None:
        weights = [w for w, _ in self.steps]
        self.rng.choices([s for _, s in self.steps], weights=weights)[0]()

    def _pick(self, ids: list[int]) -> int | None:
        return self.rng.choice(ids) if ids else None

    # --- enterprises ------------------------------------------------------------------

    def guides(self) -> None:
        self.page("guides", "guides", self.rng.choice([{}, {"country": self.rng.choice(COUNTRIES)},
                                                       {"q": self.rng.choice(["专利", "商标", "展会"])}]))

    def search(self) -> None:
        self.page("cases.search", "cases", {"q": self.rng.choice(SEARCHES)})

    def filter(self) -> None:
        query = {"country": self.rng.choice(COUNTRIES), "dispute": self.rng.choice(DISPUTES)}
        if self.rng.random() < 0.5:
            query["ip"] = self.rng.choice(IP_TYPES)
        self.page("cases.filter", "cases", query)

    def open_case(self) -> None:
        case = self._pick(self.pool.cases)
        self.page("cases.record", "cases", {"case": case} if case else {})

    def open_article(self) -> None:
        article = self._pick(self.pool.articles)
        self.page("guides.article", "guides", {"article": article} if article else {})

    def my_consultations(self) -> None:
        mine = self._pick(self.pool.mine)
        self.page("my-consultations", "my-consultations", {"consultation": mine} if mine and self.rng.random() < .5
                  else {})

    def ask(self) -> None:
        """The ask form: most people read it and leave; one in four files a question."""
        form = self.page("ask", "ask")
        if self.rng.random() >= 0.25:
            return
        states = [text(w.id, w.proto.options[0]) for w in form.widgets   # every required choice: its first
                  if w.kind == "selectbox" and w.label.endswith("*") and w.proto.options]
        question = _find(form, lambda w: w.kind == "text_area" and w.label.endswith("*"), "the question")
        states.append(text(question.id, "负载测试：我司产品在美国被诉专利侵权，应如何应诉？"))
        states.append(_bool([w for w in form.widgets if w.kind == "checkbox"][-1].id, True))   # the disclaimer
        self.page("ask.fill", None, widgets=states)
        submit = _find(form, lambda w: w.kind == "button" and w.proto.type == "primary", "the submit button")
        self.page("ask.submit", None, widgets=[trigger(submit.id)])

    # --- staff ------------------------------------------------------------------------

    def queue(self) -> None:
        self.page("queue", "consultations")

    def open_queue_item(self) -> None:
        item = self._pick(self.pool.queue)
        self.page("queue.record", "consultations", {"consultation": item} if item else {})

    def upload_preview(self) -> None:
        """The upload page, then a 1,000-row workbook checked and previewed (not applied)."""
        page = self.page("upload", "upload")
        uploader = next((w for w in page.widgets if w.kind == "file_uploader"), None)
        if uploader is None:
            raise LoadError("upload: no file uploader")
        try:
            run = self.tab.upload(uploader, "load-1000.xlsx", self.workbook or b"",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        except LoadError as exc:
            self.record("upload.preview", None, 0.0, str(exc))
            raise
        error = "; ".join(run.errors) or None
        self.record("upload.preview", run, run.seconds, error)
        if error:
            raise LoadError(error)

    # --- experts ----------------------------------------------------------------------

    def inbox(self) -> None:
        self.page("inbox", "assignments")

    def open_inbox_item(self) -> PageRun:
        item = self._pick(self.pool.inbox)
        return self.page("inbox.record", "assignments", {"consultation": item} if item else {})

    def answer(self) -> None:
        """Open an assigned consultation; when it can be answered, write and send an answer."""
        run = self.open_inbox_item()
        box = next((w for w in run.widgets if w.kind == "text_area" and w.id.endswith("assignments_answer")), None)
        if box is None:
            return            # not answerable now (answered, waiting): the expert only read it
        typed = self.page("inbox.type", None, widgets=[text(box.id, "负载测试答复：建议尽快聘请当地律师，核查专利权属。")])
        send = next((w for w in typed.widgets if w.kind == "button" and w.id.endswith("assignments_send")), None)
        if send is not None:
            self.page("inbox.answer", None, widgets=[trigger(send.id)])

    # --- admins -----------------------------------------------------------------------

    def analytics(self) -> None:
        self.page("analytics", "analytics", self.rng.choice([{}, {"country": self.rng.choice(COUNTRIES)}]))

    def review(self) -> None:
        self.page("review", "review")

    def open_review_item(self) -> None:
        case = self._pick(self.pool.review)
        self.page("review.record", "review", {"case": case} if case else {})


def _find(run: PageRun, match, what: str):
    found = next((w for w in run.widgets if match(w)), None)
    if found is None:
        raise LoadError(f"{run.page}: no {what}")
    return found


def _bool(widget_id: str, value: bool):
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    return WidgetState(id=widget_id, bool_value=value)
