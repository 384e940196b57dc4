"""An enterprise's company profile (issue 17: "an enterprise starts with sensible follows from its own
profile (its industry and export markets), which it can change"): saving it checks every code and
writes nothing when one is wrong, is audited, seeds the follows once, and follows what is added later."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipoverseas.accounts import creation
from ipoverseas.audit import query
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, FollowSeed, ProfileTerm, User
from ipoverseas.sharing import follows, profile


def _new_enterprise(username: str = "newfirm") -> None:
    with db.write_session() as s:
        creation.add_account(s, username=username, password="a-long-password-1", role="enterprise",
                             organisation="宁波新创电器有限公司")


def _sets(terms: dict[str, list[str]]) -> dict[str, set[str]]:
    return {facet: set(values) for facet, values in terms.items()}


def _pairs(rows: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["facet"], r["value"], r["origin"]) for r in rows}


def test_a_new_enterprise_follows_its_profile_and_what_it_adds_later(demo_database, principal):
    _new_enterprise()
    firm = principal("newfirm")
    assert follows.list_follows(firm) == []               # no profile, no consultations: nothing to start from
    assert profile.read(firm) == {"industry": [], "country": []}

    added = profile.save(firm, ["电子信息", "machinery"], ["美国", "DE", "US"])   # labels and aliases: codes
    assert added == 4
    assert _sets(profile.read(firm)) == {"industry": {"electronics", "machinery"}, "country": {"US", "DE"}}
    assert _pairs(follows.list_follows(firm)) == {("industry", "electronics", "profile"),
                                                  ("industry", "machinery", "profile"),
                                                  ("country", "US", "profile"), ("country", "DE", "profile")}

    follows.unfollow(firm, "country", "DE")                # the user's own choice stays
    follows.follow(firm, "dispute_type", "itc_337")
    assert profile.save(firm, ["electronics"], ["US", "DE", "JP"]) == 1      # only the new market JP
    assert _pairs(follows.list_follows(firm)) == {("industry", "electronics", "profile"),
                                                  ("industry", "machinery", "profile"),
                                                  ("country", "US", "profile"), ("country", "JP", "profile"),
                                                  ("dispute_type", "itc_337", "user")}
    assert profile.save(firm, ["electronics"], ["JP", "DE", "US"]) == 0      # the same profile: nothing happens
    with db.read_session() as s:
        changes = s.scalars(select(AuditEvent).where(AuditEvent.action == "profile.update",
                                                     AuditEvent.entity_id == firm.id)
                            .order_by(AuditEvent.id)).all()
    assert [(_sets(c.detail["before"]), _sets(c.detail["after"])) for c in changes] == [
        ({"industry": set(), "country": set()}, {"industry": {"electronics", "machinery"}, "country": {"US", "DE"}}),
        ({"industry": {"electronics", "machinery"}, "country": {"US", "DE"}},
         {"industry": {"electronics"}, "country": {"US", "DE", "JP"}})]


def test_a_wrong_code_or_too_many_writes_nothing(demo_database, principal):
    _new_enterprise()
    firm = principal("newfirm")
    profile.save(firm, ["electronics"], ["US"])
    with pytest.raises(errors.Invalid) as refused:
        profile.save(firm, ["electronics", "咸鱼养殖"], ["US"])
    assert refused.value.problems[0][0] == "industry" and "咸鱼养殖" in str(refused.value.problems[0][2])
    with pytest.raises(errors.Invalid) as refused:
        profile.save(firm, ["electronics"], ["US", "Atlantis"])
    assert refused.value.problems[0][0] == "country"
    every_country = list(follows.TERMS["country"]().codes)[:profile.MAX_TERMS["country"] + 1]
    with pytest.raises(errors.Invalid) as refused:
        profile.save(firm, ["electronics"], every_country)
    assert refused.value.problems[0][1] == "profile.error.too_many"
    assert profile.read(firm) == {"industry": ["electronics"], "country": ["US"]}


def test_only_an_enterprise_keeps_a_profile_and_only_its_own(demo_database, principal):
    for role_user in ("staff", "expert", "admin"):
        with pytest.raises(errors.Denied):
            profile.save(principal(role_user), ["electronics"], ["US"])
    _new_enterprise("firm_a")
    _new_enterprise("firm_b")
    profile.save(principal("firm_a"), ["textiles"], ["FR"])
    assert profile.read(principal("firm_b")) == {"industry": [], "country": []}
    assert follows.list_follows(principal("firm_b")) == []


def test_the_weekly_sweep_seeds_a_profile_saved_without_follows(demo_database, principal):
    """A profile written but never seeded (e.g. entered by a script) is seeded by the sweep, once."""
    _new_enterprise()
    firm = principal("newfirm")
    with db.write_session() as s:
        s.add_all([ProfileTerm(user_id=firm.id, facet="industry", value="auto"),
                   ProfileTerm(user_id=firm.id, facet="country", value="MX")])
    with db.write_session() as s:
        assert follows.seed_all(s) >= 2
    with db.write_session() as s:
        assert s.get(FollowSeed, firm.id) is not None
        assert follows.seed_all(s) == 0
    assert _pairs(follows.list_follows(firm)) == {("industry", "auto", "profile"), ("country", "MX", "profile")}


def test_demo_enterprises_have_profiles_and_the_audit_trail_reads_it(demo_database, principal):
    with db.read_session() as s:
        firms = s.scalars(select(User.username).where(User.id.in_(select(ProfileTerm.user_id)))).all()
    assert "enterprise2" in firms and "enterprise" not in firms   # the first demo enterprise shows an empty one
    firm = principal("enterprise2")
    terms = profile.read(firm)
    assert terms["industry"] == ["electronics"] and 1 <= len(terms["country"]) <= 3
    assert {("industry", "electronics")} <= {(r["facet"], r["value"]) for r in follows.list_follows(firm)}
    profile.save(firm, ["electronics"], ["US"])
    change = query.history(principal("admin"), "user", firm.id, lang="zh")[0]
    assert change["what"] == "profile.update" and "美国" in change["change"], change
    assert "电子信息" not in change["change"]          # the industry did not change: not listed
