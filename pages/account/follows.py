"""我的关注 / Follows: what the user follows (countries, dispute types, IP types, industries, single
cases and alerts), adding and removing them; an enterprise's company profile (industries, export
markets), which its follows start from; what a follow notification announced (`?event=`) or a
weekly digest listed (`?digest=`); the Atom feed of risk alerts."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.core import localtime, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.sharing import digest, fanout, feed, follows, profile
from ipoverseas.ui import actions, state
from ipoverseas.ui.links import page_link, record_link
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import parse_id

PAGE = PageSpec(key="follows", title_key="follows.nav", icon=":material/notifications:", action="keep_follows",
                order=85, section="nav.section.main")
VOCABS = {"country": vocab.countries, "dispute_type": lambda: vocab.DISPUTE_TYPES,
          "ip_type": lambda: vocab.IP_TYPES, "industry": lambda: vocab.INDUSTRIES}


def render() -> None:
    user = guard(PAGE)
    event_id = parse_id(st.query_params.get("event"))
    digest_id = parse_id(st.query_params.get("digest"))
    if event_id:
        _event(user, event_id)
    elif digest_id:
        _digest(user, digest_id)
    else:
        _mine(user)


def _value_label(facet: str, value: str, titles: dict) -> str:
    if facet in VOCABS:
        return VOCABS[facet]().label(value, state.lang())
    return titles.get((facet, value)) or f"#{value}"


def _mine(user) -> None:
    st.title(state.t("follows.title"))
    st.caption(state.t("follows.intro"))
    if policy.can(user, "keep_company_profile"):
        _company_profile(user)
    rows = follows.list_follows(user)
    if not rows:
        st.info(state.t("follows.empty"))
    titles = follows.record_titles(rows)
    for r in rows:
        cols = st.columns([2, 4, 2, 1.5], vertical_alignment="center")
        cols[0].markdown(escape(state.t(f"follows.facet.{r['facet']}")))
        name = _value_label(r["facet"], r["value"], titles)
        with cols[1]:
            if r["facet"] == "case":
                record_link("cases", r["value"], name, icon=":material/gavel:")
            elif r["facet"] == "article":
                record_link("guides", r["value"], name, icon=":material/article:")
            else:
                st.markdown(escape(name))
        if r["origin"] == "profile":
            cols[2].caption(state.t("follows.from_profile"))
        if cols[3].button(state.t("follows.remove"), key=f"follows_rm_{r['id']}", icon=":material/close:"):
            actions.run(lambda r=r: follows.unfollow(user, r["facet"], r["value"]), done="follows.done.unfollowed")

    st.subheader(state.t("follows.add"))
    facet = st.selectbox(state.t("follows.facet_label"), list(VOCABS), key="follows_facet",
                         format_func=lambda f: state.t(f"follows.facet.{f}"))
    options = VOCABS[facet]().options(state.lang())
    followed = {r["value"] for r in rows if r["facet"] == facet}
    choices = [code for code in options if code not in followed]
    value = st.selectbox(state.t("follows.value_label"), choices, key=f"follows_value_{facet}",
                         format_func=lambda code: options.get(code, code), index=None,
                         placeholder=state.t("follows.choose"))
    if st.button(state.t("follows.add_button"), key="follows_add", type="primary", disabled=value is None):
        actions.run(lambda: follows.follow(user, facet, value), done="follows.done.followed")
    st.caption(state.t("follows.records_hint"))

    st.subheader(state.t("follows.feed.title"))
    st.caption(state.t("follows.feed.public") if feed.public() else state.t("follows.feed.private"))
    st.code(feed.PATH + "\n" + feed.COUNTRY_PATH.format(country="US"), language=None)


def _company_profile(user) -> None:
    """The enterprise's industries and export markets (a code no longer in the vocabulary is not offered)."""
    saved = st.session_state.pop("profile_saved", None)
    if saved is not None:
        st.success(state.t("profile.saved_follows", n=saved) if saved else state.t("profile.saved"))
    terms = profile.read(user)
    if not any(terms.values()):
        st.info(state.t("profile.empty_hint"), icon=":material/business:")
    with st.expander(state.t("profile.title"), expanded=not any(terms.values()), icon=":material/business:"):
        st.caption(state.t("profile.intro"))
        with st.form("profile_form", border=False):
            industries = VOCABS["industry"]().options(state.lang())
            countries = VOCABS["country"]().options(state.lang())
            chosen_industries = st.multiselect(state.t("profile.industries"), list(industries),
                                               default=[c for c in terms["industry"] if c in industries],
                                               format_func=industries.get,
                                               max_selections=profile.MAX_TERMS["industry"], key="profile_industries",
                                               placeholder=state.t("follows.choose"))
            chosen_markets = st.multiselect(state.t("profile.markets"), list(countries),
                                            default=[c for c in terms["country"] if c in countries],
                                            format_func=countries.get, max_selections=profile.MAX_TERMS["country"],
                                            key="profile_markets", placeholder=state.t("follows.choose"))
            submitted = st.form_submit_button(state.t("profile.save"), type="primary")
    if submitted:
        if set(chosen_industries) == set(terms["industry"]) and set(chosen_markets) == set(terms["country"]):
            st.info(state.t("profile.unchanged"))
            return
        ok, added = actions.attempt(lambda: profile.save(user, chosen_industries, chosen_markets),
                                    fields=("profile.field.",))
        if ok:
            st.session_state["profile_saved"] = added
            st.rerun()


def _back() -> None:
    page_link("follows", state.t("follows.back"), icon=":material/arrow_back:")


def _event(user, event_id: int) -> None:
    _back()
    found = fanout.event_records(user, event_id)
    if found is None:
        st.warning(state.t("errors.not_found"))
        return
    notifications.mark_read_for(user, event_id, entity=fanout.ENTITY)
    st.title(state.t(f"follows.event.{found['kind']}", n=len(found["records"])))
    st.caption(f"{localtime.text(found['created_at'])} ({localtime.label(state.lang())})")
    _records(found["entity"], found["records"])


def _digest(user, digest_id: int) -> None:
    _back()
    found = digest.week_records(user, digest_id)
    if found is None:
        st.warning(state.t("errors.not_found"))
        return
    notifications.mark_read_for(user, digest_id, entity="digest")
    st.title(state.t("follows.digest.title", week=found["week"]))
    st.subheader(state.t("follows.digest.cases", n=len(found["cases"])))
    _records("case", found["cases"])
    st.subheader(state.t("follows.digest.articles", n=len(found["articles"])))
    _records("article", found["articles"])


def _records(entity: str, rows: list[dict]) -> None:
    if not rows:
        st.caption(state.t("follows.none_now"))
    for r in rows:
        if entity == "case":
            text = f"{r['ref']} · {r['title']} · {vocab.countries().label(r['country'], state.lang())}"
            record_link("cases", r["id"], text, icon=":material/gavel:")
        else:
            record_link("guides", r["id"], r["title"] or r["ref"], icon=":material/article:")
