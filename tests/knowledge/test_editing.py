"""Writing articles on SQLite and PostgreSQL: permissions, validation, versions, audit, stale edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ipoverseas.core import errors
from ipoverseas.core import db
from ipoverseas.knowledge import articles as kb
from ipoverseas.core.models import Article, AuditEvent, RecordVersion
from tests.knowledge.helpers import TODAY, make_world


@pytest.fixture
def world(database):
    return make_world()


def form(**values) -> kb.ArticleInput:
    base = dict(kind="country_guide", title_zh="巴西指南", title_en="Brazil guide", countries=["巴西"],
                ip_types=["商标"], industries=["电子"], body="## 概述\n\n正文", source="INPI", source_url="https://www.gov.br/inpi")
    base.update(values)
    return kb.ArticleInput(**base)


def count(model, *where) -> int:
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)))


def audit_events(article_id: int) -> list[AuditEvent]:
    with db.read_session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == "article", AuditEvent.entity_id == article_id)
                              .order_by(AuditEvent.id)))


def test_staff_create_a_draft_for_their_sub_centre(world):
    article_id = kb.create_article(world.staff, form())
    article = kb.get_article(world.staff, article_id)
    assert article["status"] == "draft" and article["version"] == 1
    assert article["sub_centre_id"] == world.zj and article["author_id"] == world.staff.id
    assert article["countries"] == ["BR"] and article["ip_types"] == ["trademark"] and article["industries"] == ["electronics"]
    assert article["ref"].startswith("KB-")
    assert kb.get_article(world.enterprise, article_id) is None            # a draft is not public
    [event] = audit_events(article_id)
    assert event.action == "article.create" and event.user_id == world.staff.id
    assert event.detail["after"]["title_en"] == "Brazil guide"
    assert count(RecordVersion, RecordVersion.entity == "article", RecordVersion.entity_id == article_id) == 1


def test_publish_sets_the_date_and_makes_it_public(world):
    article_id = kb.create_article(world.staff, form())
    version = kb.set_status(world.staff, article_id, "published", expected_version=1, today=TODAY)
    assert version == 2
    article = kb.get_article(world.enterprise, article_id)
    assert article["status"] == "published" and article["published_on"] == TODAY
    assert [e.action for e in audit_events(article_id)] == ["article.create", "article.publish"]
    assert audit_events(article_id)[1].detail["before"] == {"status": "draft", "published_on": None}
    # withdraw keeps the first publication date
    kb.set_status(world.staff, article_id, "draft", expected_version=2, today=date(2027, 1, 1))
    assert kb.get_article(world.staff, article_id)["published_on"] == TODAY


def test_a_risk_alert_drafted_with_its_validity_can_be_published(world):
    alert = form(kind="risk_alert", title_zh="巴西海关扣押预警", title_en="Brazil customs alert", severity="high",
                 valid_until=date(2027, 6, 30))
    article_id = kb.create_article(world.staff, alert)
    assert kb.set_status(world.staff, article_id, "published", expected_version=1, today=TODAY) == 2
    article = kb.get_article(world.enterprise, article_id)
    assert article["status"] == "published" and article["valid_until"] == date(2027, 6, 30)


def test_edit_keeps_the_before_image_and_audits_only_the_changes(world):
    article_id = kb.create_article(world.admin, form(), publish=True, today=TODAY)
    current = kb.get_article(world.admin, article_id)
    new_version = kb.update_article(world.admin, article_id,
                                    kb.ArticleInput.of({**current, "title_en": "Brazil: IP guide", "countries": ["BR", "AR"]}),
                                    expected_version=current["version"])
    assert new_version == current["version"] + 1
    after = kb.get_article(world.admin, article_id)
    assert after["title_en"] == "Brazil: IP guide" and after["countries"] == ["AR", "BR"]
    event = audit_events(article_id)[-1]
    assert event.action == "article.update"
    assert event.detail["before"] == {"title_en": "Brazil guide", "countries": ["BR"]}
    assert event.detail["after"] == {"title_en": "Brazil: IP guide", "countries": ["AR", "BR"]}
    with db.read_session() as s:
        saved = s.scalars(select(RecordVersion).where(RecordVersion.entity == "article",
                                                      RecordVersion.entity_id == article_id)
                          .order_by(RecordVersion.id.desc())).first()
    assert saved.before["title_en"] == "Brazil guide" and saved.before["version"] == current["version"]
    assert saved.after_version == new_version and saved.user_id == world.admin.id


def test_changing_only_a_facet_still_makes_a_new_version(world):
    article_id = kb.create_article(world.staff, form())
    current = kb.get_article(world.staff, article_id)
    version = kb.update_article(world.staff, article_id, kb.ArticleInput.of({**current, "industries": ["pharma"]}),
                                expected_version=1)
    assert version == 2
    assert kb.get_article(world.staff, article_id)["industries"] == ["pharma"]


def test_saving_an_unchanged_form_changes_nothing(world):
    article_id = kb.create_article(world.staff, form())
    current = kb.get_article(world.staff, article_id)
    assert kb.update_article(world.staff, article_id, kb.ArticleInput.of(current), expected_version=1) == 1
    assert len(audit_events(article_id)) == 1


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    article_id = kb.create_article(world.staff, form())
    opened = kb.get_article(world.staff, article_id)
    kb.update_article(world.admin, article_id, kb.ArticleInput.of({**opened, "title_en": "Admin's"}), expected_version=1)
    with pytest.raises(errors.Stale) as err:
        kb.update_article(world.staff, article_id, kb.ArticleInput.of({**opened, "title_en": "Staff's"}),
                          expected_version=1)
    assert err.value.key == "guides.error.stale" and err.value.values["version"] == 2
    assert err.value.values["by"] == "K_ADMIN"
    assert kb.get_article(world.staff, article_id)["title_en"] == "Admin's"
    with pytest.raises(errors.Stale):
        kb.set_status(world.staff, article_id, "published", expected_version=1)


@pytest.mark.parametrize("who", ["enterprise", "expert"])
def test_readers_cannot_write(world, who):
    user = getattr(world, who)
    with pytest.raises(errors.Denied):
        kb.create_article(user, form())
    with pytest.raises(errors.Refusal):
        kb.update_article(user, world.ids["G-US"], form(), expected_version=1)
    with pytest.raises(errors.Refusal):
        kb.set_status(user, world.ids["D-ZJ"], "published", expected_version=1)


def test_staff_cannot_touch_another_sub_centres_articles(world):
    with pytest.raises(errors.Denied):
        kb.update_article(world.staff, world.ids["P-DE"], form(), expected_version=1)     # GD's, published
    with pytest.raises(errors.NotFound):
        kb.set_status(world.staff, world.ids["D-GD"], "published", expected_version=1)   # GD's draft: invisible
    with pytest.raises(errors.Denied):
        kb.update_article(world.staff, world.ids["L-337"], form(), expected_version=1)   # national centre's
    # the admin may, and may write for a sub-centre
    kb.update_article(world.admin, world.ids["P-DE"], form(title_en="Edited by admin"), expected_version=1)
    other = kb.create_article(world.admin, form(), sub_centre_id=world.gd)
    assert kb.get_article(world.staff_gd, other)["editable"]


def test_bad_input_lists_every_problem_and_writes_nothing(world):
    before = count(Article), count(AuditEvent)
    bad = form(kind="risk_alert", title_zh="  ", countries=["Narnia"], ip_types=["magic"],
               source_url="javascript:alert(1)", severity=None, valid_until=None, body="x" * (kb.MAX_BODY_CHARS + 1))
    with pytest.raises(errors.Invalid) as err:
        kb.create_article(world.staff, bad)
    problems = {(p.key, p.field) for p in err.value.problems}
    assert problems == {
        ("guides.error.required", "title_zh"), ("guides.error.unknown_value", "countries"),
        ("guides.error.unknown_value", "ip_types"), ("guides.error.bad_url", "source_url"),
        ("guides.error.alert_needs", "severity"), ("guides.error.alert_needs", "valid_until"),
        ("guides.error.too_long", "body"), ("guides.error.alert_needs", "countries"),
    }
    assert (count(Article), count(AuditEvent)) == before


def test_publishing_needs_a_text_and_a_source(world):
    with pytest.raises(errors.Invalid) as err:
        kb.create_article(world.staff, form(body=" ", source=""), publish=True)
    assert {p.field for p in err.value.problems} == {"body", "source"}
    draft = kb.create_article(world.staff, form(body="", source=""))             # a draft may be incomplete
    with pytest.raises(errors.Invalid):
        kb.set_status(world.staff, draft, "published", expected_version=1)
    assert kb.get_article(world.staff, draft)["status"] == "draft"


def test_a_duplicate_ref_is_refused(world):
    kb.create_article(world.staff, form(ref="ZJ-001"))
    with pytest.raises(errors.Invalid) as err:
        kb.create_article(world.staff, form(ref="ZJ-001"))
    assert err.value.problems[0].key == "guides.error.ref_taken"
    kb.create_article(world.staff_gd, form(ref="ZJ-001"))   # unique per sub-centre only


def test_non_alerts_drop_alert_fields(world):
    article_id = kb.create_article(world.staff, form(severity="high", valid_until=TODAY))
    article = kb.get_article(world.staff, article_id)
    assert article["severity"] is None and article["valid_until"] is None


def test_history_and_restore(world):
    article_id = kb.create_article(world.staff, form(), publish=True, today=TODAY)
    current = kb.get_article(world.staff, article_id)
    kb.update_article(world.staff, article_id, kb.ArticleInput.of({**current, "body": "rewritten"}), expected_version=1)
    history = kb.history(world.staff, article_id)
    assert [h["action"] for h in history] == ["update", "create"]
    assert kb.history(world.staff_gd, article_id) == [] and kb.history(world.enterprise, article_id) == []
    version = kb.restore_version(world.staff, article_id, history[0]["id"], expected_version=2)
    assert version == 3
    restored = kb.get_article(world.staff, article_id)
    assert restored["body"] == "## 概述\n\n正文" and restored["status"] == "published"
    assert audit_events(article_id)[-1].action == "article.restore"
    with pytest.raises(errors.NotFound):
        kb.restore_version(world.staff, article_id, 999999, expected_version=3)
