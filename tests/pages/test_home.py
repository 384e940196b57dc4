"""The home page for every role, through AppTest; and the navigation each role gets."""

import re
from pathlib import Path

import pytest

from ipoverseas.access import policy
from ipoverseas.core import i18n
import pages
from ipoverseas.ui import pages as registry
from tests.pages.apptest import run_page, texts

ROLE_USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}


@pytest.mark.parametrize("role", policy.ROLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_renders_for_every_role(sqlite_demo_database, principal, role, lang):
    at = run_page("home", principal(ROLE_USERS[role]), lang=lang)
    assert not at.exception
    assert at.title[0].value == i18n.t(f"home.title.{role}", lang)
    assert len(at.metric) >= 4
    assert i18n.t("home.alerts", lang) in texts(at)
    shows_compliance = i18n.t("service.compliance.title", lang) in texts(at)
    assert shows_compliance is (role in ("staff", "admin"))


def test_home_refuses_nobody(sqlite_demo_database):
    at = run_page("home", None)
    assert not at.exception
    assert at.warning and at.warning[0].value == i18n.t("errors.not_allowed", "en")
    assert not at.title and not at.metric


def test_staff_sees_only_their_region_on_home(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("home", staff)
    counts = {m.label: m.value for m in at.metric}
    from sqlalchemy import func, select
    from ipoverseas.core import db
    from ipoverseas.core.models import Case
    with db.read_session() as s:
        own = s.scalar(select(func.count()).select_from(Case).where(Case.sub_centre_id == staff.sub_centre_id))
    assert counts[i18n.t("home.kpi.cases", "en")] == str(own)


def _all_pages():
    import pages
    return [(module.PAGE, module.render) for module in pages.REGISTRY]


def test_every_page_module_declares_a_spec_and_guards_itself():
    found = _all_pages()
    files = [f for f in Path(pages.__file__).parent.glob("*/*.py") if f.name != "__init__.py"]
    assert len(found) == len(files) >= 16, "every page module is in the registry"
    for spec, render in found:
        assert spec.roles and set(spec.roles) <= set(policy.ROLES), spec.key
        assert callable(render)
        assert i18n.t(spec.title_key, "zh") != spec.title_key


@pytest.mark.parametrize("role", policy.ROLES)
def test_a_page_outside_a_roles_navigation_shows_nothing(sqlite_demo_database, principal, role):
    user = principal(ROLE_USERS[role])
    nav_keys = {spec.key for spec, _ in registry.pages_for(pages.REGISTRY, user)}
    assert "home" in nav_keys
    for spec, _ in _all_pages():
        if spec.key in nav_keys:
            continue
        module = next(m for m in _page_modules() if m.PAGE.key == spec.key)
        at = run_page(module.__name__.split(".")[-1], user)
        assert not at.exception
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title


def _page_modules():
    return list(pages.REGISTRY)


def test_every_page_file_is_out_of_reach_of_the_legacy_folder_mode():
    """Streamlit runs pages/*.py directly for a URL on a fresh server (legacy folder mode); the page
    modules live in sub-folders, so none is there (the fresh-server direct-URL browser test proves it)."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "pages"
    assert sorted(path.name for path in root.glob("*.py")) == ["__init__.py"]
    on_disk = {path.stem for path in root.glob("*/*.py") if path.name != "__init__.py"}
    assert on_disk == {module.__name__.rsplit(".", 1)[1] for module in pages.REGISTRY}


# --- issue 12: the home page's rows open their records; its words are the users' -----------------

CONSULTATION_PAGES = {"enterprise": "my-consultations", "staff": "consultations", "expert": "assignments",
                      "admin": "consultations"}


def _table(at, column: str):
    """The first table of the page that has `column`."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("role", ["enterprise", "staff", "expert"])
def test_home_consultations_link_to_the_roles_page(sqlite_demo_database, principal, role):
    at = run_page("home", principal(ROLE_USERS[role]), lang="zh")
    assert not at.exception
    table = _table(at, i18n.t("consultation.question", "zh"))
    links = list(table["#"])
    assert links and all(re.fullmatch(rf"{CONSULTATION_PAGES[role]}\?consultation=\d+", u) for u in links), links
    assert "None" not in table.to_string()


def test_home_cases_link_to_the_case_and_mark_demo_in_a_column(sqlite_demo_database, principal):
    at = run_page("home", principal("enterprise"), lang="zh")
    table = _table(at, i18n.t("case.ref", "zh"))
    assert all(re.fullmatch(r"cases\?case=\d+", u) for u in table["#"])
    assert not [t for t in table[i18n.t("case.title", "zh")] if "演示" in t]
    assert set(table[i18n.t("home.col.badge", "zh")]) == {i18n.t("common.demo", "zh")}


def test_home_alerts_and_articles_are_links(sqlite_demo_database, principal):
    at = run_page("home", principal("enterprise"), lang="zh")
    pages = [el.proto.page for el in at.get("page_link")]
    assert pages.count("guides") >= 2, pages      # the active alerts and the newest articles
    assert not at.error and not at.warning         # no alert boxes: each alert is a link now


def test_staff_home_shows_a_rolled_back_upload_as_rolled_back(sqlite_demo_database, principal):
    from ipoverseas.imports import service
    from tests.imports.helpers import FILES, sub_centre_id

    staff = principal("staff")
    path = FILES / "messy" / "two_row_header.xlsx"
    _, result = service.run(path, path.name, "cases", staff, sub_centre_id("ZJ"))
    service.rollback(result.batch_id, staff)
    at = run_page("home", staff, lang="zh")
    assert not at.exception
    table = _table(at, i18n.t("import.filename", "zh"))
    row = table[table["#"] == result.batch_id].iloc[0]
    assert row[i18n.t("home.import.result", "zh")].startswith("已撤销")
    assert row[i18n.t("import.dataset", "zh")] == i18n.t("upload.dataset.cases", "zh")
    assert "时间（北京时间）" in table.columns and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["时间（北京时间）"])
