"""The policy table through the pages (AppTest), for every role; and object access (IDOR): the
id of another owner's record passed in the URL's query parameters is refused.

The service side of each row is tests/access/test_policy.py (`can`, and the SQL scopes)."""

import pytest
from sqlalchemy import select

import pages
from ipoverseas.access import policy
from ipoverseas.access.actions import ACTIONS
from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case, Consultation, Expert, SubCentre
from tests.pages.apptest import run_page, texts

ROLE_USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}
NOT_ALLOWED = i18n.t("errors.not_allowed", "en")
NOT_FOUND = i18n.t("errors.not_found", "en")

# Every page of the registry with the policy action it is for (None: every signed-in user).
PAGES = [(module.__name__.rsplit(".", 1)[1], module.PAGE.action) for module in pages.REGISTRY]


def test_every_page_names_a_registry_action():
    for name, action in PAGES:
        assert action is None or action in ACTIONS, name


@pytest.mark.parametrize("module,action", PAGES, ids=[f"{m}-{a}" for m, a in PAGES])
@pytest.mark.parametrize("role", policy.ROLES)
def test_policy_row_through_apptest(sqlite_demo_database, principal, module, action, role):
    at = run_page(module, principal(ROLE_USERS[role]))
    assert not at.exception
    shown_guard = bool(at.warning) and at.warning[0].value == NOT_ALLOWED
    if action is not None and role not in policy.roles_for(action):
        assert shown_guard and not at.dataframe and not at.metric and not at.title, (module, role)
    else:
        assert not shown_guard, (module, role)
        assert i18n.t("errors.unexpected", "en") not in texts(at)


# --- object access: ids in the URL ---------------------------------------------------------------


def _ids():
    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
        return {
            "unpublished_other": s.scalar(select(Case.id).where(Case.review_status != "published",
                                                                Case.sub_centre_id != zj).limit(1)),
            "unpublished_own": s.scalar(select(Case.id).where(Case.review_status != "published",
                                                              Case.sub_centre_id == zj).limit(1)),
            "published": s.scalar(select(Case.id).where(Case.review_status == "published").limit(1)),
            "consultation_other_centre": s.scalar(select(Consultation.id).where(Consultation.sub_centre_id != zj)
                                                  .limit(1)),
        }


def _visible(at):
    return not at.exception and NOT_FOUND not in texts(at) and NOT_ALLOWED not in texts(at)


@pytest.mark.parametrize("role,expected", [("enterprise", False), ("expert", False), ("staff", False), ("admin", True)])
def test_unpublished_case_of_another_sub_centre_by_url(sqlite_demo_database, principal, role, expected):
    case_id = _ids()["unpublished_other"]
    at = run_page("cases", principal(ROLE_USERS[role]), query={"case": str(case_id)})
    assert _visible(at) is expected
    with db.read_session() as s:
        title = s.get(Case, case_id).title
    assert (title in texts(at)) is expected


@pytest.mark.parametrize("role,expected", [("enterprise", False), ("expert", False), ("staff", True), ("admin", True)])
def test_unpublished_case_of_own_sub_centre_by_url(sqlite_demo_database, principal, role, expected):
    at = run_page("cases", principal(ROLE_USERS[role]), query={"case": str(_ids()["unpublished_own"])})
    assert _visible(at) is expected


def test_a_published_case_by_url_for_everyone(sqlite_demo_database, principal):
    for role in policy.ROLES:
        at = run_page("cases", principal(ROLE_USERS[role]), query={"case": str(_ids()["published"])})
        assert _visible(at), role


def _consultation_of(enterprise_username):
    with db.read_session() as s:
        from ipoverseas.core.models import User

        uid = s.scalar(select(User.id).where(User.username == enterprise_username))
        return s.scalar(select(Consultation.id).where(Consultation.enterprise_user_id == uid).limit(1))


def test_another_enterprises_consultation_by_url(sqlite_demo_database, principal):
    other = _consultation_of("enterprise2") or _consultation_of("enterprise3")
    assert other is not None
    at = run_page("my_consultations", principal("enterprise"), query={"id": str(other)})
    assert not at.exception and NOT_FOUND in texts(at)
    mine = _consultation_of("enterprise")
    at = run_page("my_consultations", principal("enterprise"), query={"id": str(mine)})
    assert _visible(at)


def test_another_sub_centres_consultation_by_url(sqlite_demo_database, principal):
    other = _ids()["consultation_other_centre"]
    at = run_page("consultations", principal("staff"), query={"id": str(other)})
    assert not at.exception and NOT_FOUND in texts(at)
    at = run_page("consultations", principal("admin"), query={"id": str(other)})
    assert _visible(at)


def test_a_consultation_not_assigned_to_the_expert_by_url(sqlite_demo_database, principal):
    expert = principal("expert")
    with db.read_session() as s:
        other = s.scalar(select(Consultation.id).where((Consultation.expert_id != expert.expert_id)
                                                       | Consultation.expert_id.is_(None)).limit(1))
    at = run_page("assignments", expert, query={"id": str(other)})
    assert not at.exception and NOT_FOUND in texts(at)


def test_expert_contact_by_url_only_for_staff_admin_and_self(sqlite_demo_database, principal):
    expert = principal("expert")
    with db.read_session() as s:
        other = s.scalar(select(Expert).where(Expert.id != expert.expert_id, Expert.email.is_not(None),
                                              Expert.active.is_(True)).limit(1))
    for role, expected in (("enterprise", False), ("expert", False), ("staff", True), ("admin", True)):
        at = run_page("experts", principal(ROLE_USERS[role]), query={"expert": str(other.id)})
        assert not at.exception
        assert (other.email in texts(at)) is expected, role


def test_ids_that_do_not_exist_or_are_not_numbers(sqlite_demo_database, principal):
    for query in ({"case": "999999999"}, {"case": "1 OR 1=1"}, {"case": "../1"}):
        at = run_page("cases", principal("enterprise"), query=query)
        assert not at.exception and NOT_FOUND in texts(at)
