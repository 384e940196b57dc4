"""History on each record's page: an expert's profile, a knowledge-base article and an import
batch (Upload page, history tab) show the record's audit events, to those allowed to see them."""

from __future__ import annotations

from sqlalchemy import select

from ipoverseas.core import db, i18n
from ipoverseas.experts import directory
from ipoverseas.knowledge import articles
from ipoverseas.core.models import Article, Expert
from tests.imports.helpers import FILES, sub_centre_id
from tests.pages.apptest import run_page

TITLE = i18n.t("history.title", "en", count=0).split("(")[0].strip()


def _history(at) -> list[str] | None:
    """The actions listed in the page's history expander, or None when the page shows none."""
    assert not at.exception, at.exception
    found = [e for e in at.expander if str(e.label).startswith(TITLE)]
    if not found:
        return None
    [expander] = found
    tables = expander.dataframe
    return list(tables[0].value[i18n.t("history.what", "en")]) if tables else []


def test_expert_profile_shows_its_history(sqlite_demo_database, principal):
    admin = principal("admin")
    with db.read_session() as s:
        expert = s.scalar(select(Expert).where(Expert.sub_centre_id == principal("staff").sub_centre_id)
                          .order_by(Expert.id).limit(1))
    directory.update_profile(admin, expert.id, {"title": "Changed for the history test"})
    query = {"expert": str(expert.id)}
    assert "Expert changed" in _history(run_page("experts", admin, query=query))
    assert "Expert changed" in _history(run_page("experts", principal("staff"), query=query))
    assert _history(run_page("experts", principal("enterprise"), query=query)) is None


def test_expert_sees_the_history_of_their_own_profile_only(sqlite_demo_database, principal):
    expert_user = principal("expert")
    directory.update_profile(expert_user, expert_user.expert_id, {"title": "My new title"})
    own = _history(run_page("experts", expert_user, query={"expert": str(expert_user.expert_id)}))
    assert "Expert changed" in own
    with db.read_session() as s:
        other = s.scalar(select(Expert.id).where(Expert.id != expert_user.expert_id).limit(1))
    assert _history(run_page("experts", expert_user, query={"expert": str(other)})) is None


def test_article_page_shows_its_history_to_its_editors(sqlite_demo_database, principal):
    admin = principal("admin")
    staff = principal("staff")
    with db.write_session() as s:  # a demo article (national), made the ZJ sub-centre's
        article = s.scalar(select(Article).where(Article.status == "published").order_by(Article.id).limit(1))
        article.sub_centre_id = staff.sub_centre_id
    version = articles.set_status(admin, article.id, "draft", expected_version=article.version)
    articles.set_status(admin, article.id, "published", expected_version=version)
    query = {"article": str(article.id)}
    shown = _history(run_page("guides", admin, query=query))
    assert "Article unpublished" in shown and "Article published" in shown
    assert "Article published" in _history(run_page("guides", staff, query=query))
    assert _history(run_page("guides", principal("enterprise"), query=query)) is None   # reads it, no history
    assert _history(run_page("guides", principal("staff_gd"), query=query)) is None     # not its editor


def test_import_batch_shows_its_history_on_the_upload_page(sqlite_demo_database, principal):
    from ipoverseas.imports import service

    staff = principal("staff")
    path = FILES / "messy" / "two_row_header.xlsx"
    _, result = service.run(path, path.name, "cases", staff, sub_centre_id("ZJ"))
    _, other = service.run(path, path.name, "cases", principal("staff_gd"), sub_centre_id("GD"))
    service.rollback(result.batch_id, staff)
    at = run_page("upload", staff)
    assert _history(at) is None                                   # nothing until a batch is chosen
    picker = at.selectbox(key="upload_history_batch")
    assert picker.options == [str(result.batch_id)]               # only the batches this user may see
    picker.select(result.batch_id).run()
    assert _history(at) == ["Batch rolled back", "Batch imported"]
    admin = run_page("upload", principal("admin"))
    admin.selectbox(key="upload_history_batch").select(other.batch_id).run()
    assert _history(admin) == ["Batch imported"]


def test_case_history_is_for_the_staff_of_its_sub_centre_only(sqlite_demo_database, principal):
    from ipoverseas.core.models import Case

    staff = principal("staff")
    with db.read_session() as s:
        case_id = s.scalar(select(Case.id).where(Case.review_status == "published",
                                                 Case.sub_centre_id == staff.sub_centre_id).limit(1))
    query = {"case": str(case_id)}
    assert _history(run_page("cases", staff, query=query)) is not None
    assert _history(run_page("cases", principal("admin"), query=query)) is not None
    assert _history(run_page("cases", principal("staff_gd"), query=query)) is None   # reads it: another region's
    assert _history(run_page("cases", principal("expert"), query=query)) is None


def test_the_account_page_shows_my_own_account_history(sqlite_demo_database, principal):
    from ipoverseas.accounts import sessions

    sessions.login("enterprise", "ipoverseas-demo")
    assert "Logged in" in _history(run_page("account", principal("enterprise")))
