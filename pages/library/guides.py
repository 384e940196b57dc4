"""Risk guides: the knowledge base.

Views (chosen by query parameters, so a link or a bookmark opens the same thing):
- default: the world map and the browser (country, kind, IP type, industry, text);
  `?view=alerts` the risk alerts and their archive; `?view=clock` the response clock;
- `?article=<id>`: one article, rendered safely, with its source, the clock of its
  dispute type, related articles and related cases;
- `?edit=<id>` or `?edit=new`: the editor (staff and admin).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pandas as pd
import streamlit as st

from ipoverseas.core import errors
from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.core import geo, localtime, markdown, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.knowledge import articles, deadlines
from ipoverseas.ui.follow_button import follow_button
from ipoverseas.ui import actions, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import page_link, record_link
from ipoverseas.ui.params import parse_id
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.deadlines import render_response_clock
from ipoverseas.ui.widgets import article_title, country, label, t_md

PAGE = PageSpec(key="guides", title_key="guides.title", icon=":material/travel_explore:", action="read_article",
                order=10, section="nav.section.knowledge")

PAGE_SIZE = 20
VIEWS = ("browse", "alerts", "clock")

_browse = cached(articles.browse)
_facets = cached(articles.facets)
_map_counts = cached(articles.map_counts)
_alerts = cached(articles.alerts)
_article = cached(articles.get_article)
_related_articles = cached(articles.related_articles)
_related_cases = cached(articles.related_cases)
_history = cached(articles.history)


def render() -> None:
    user = guard(PAGE)
    # A link to this same page (a row, a similar record, the way back) runs it with the link's
    # params but leaves the browser's address as it was: send the params back so the address,
    # a bookmark and the browser's Back match what is shown.
    st.query_params.from_dict(st.query_params.to_dict())
    params = st.query_params
    if params.get("edit"):
        _editor(user, params.get("edit"))
    elif params.get("article"):
        _article_view(user, params.get("article"))
    else:
        _home(user, params.get("view", "browse"))


# --- navigation helpers ---------------------------------------------------------------


def _fixed(options, fn):
    """A format_func computed now, for every option: it must not read session state later
    (Streamlit may call it outside the script run)."""
    labels = {option: fn(option) for option in options}
    return lambda option: labels.get(option, str(option))


# The browser's filters live in the URL too, so a view can be bookmarked and shared:
# query parameter -> (session key, vocabulary or None for free text).
FILTER_PARAMS = {"country": ("guides_country", vocab.countries), "kind": ("guides_kind", lambda: vocab.ARTICLE_KINDS),
                 "ip": ("guides_ip_type", lambda: vocab.IP_TYPES), "industry": ("guides_industry", lambda: vocab.INDUSTRIES),
                 "q": ("guides_q", None)}


def _go(**query: object) -> None:
    """Switch view inside the app (no page reload, so the login survives); the filters stay."""
    for key in list(st.query_params):
        if key not in FILTER_PARAMS:
            del st.query_params[key]
    for key, value in query.items():
        if value is not None:
            st.query_params[key] = str(value)


def _list_params() -> dict[str, str]:
    """The list's view as the URL holds it (filters, ?view=): an article opened from it carries
    it, so the article's way back (its link, the browser's Back) leads to the same list."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in ("article", "edit")}


def _open_link(row: dict, *, icon: str = ":material/article:") -> None:
    """The article as a link (one click, a bookmarkable URL) that keeps the list's view."""
    record_link("guides", row["id"], _raw_title(row) or row.get("ref", ""), icon=icon, **_list_params())


def _raw_title(row: dict) -> str:
    """The title in the reader's language, unescaped (`record_link` escapes it)."""
    if state.lang() == "en" and row.get("title_en"):
        return row["title_en"]
    return row.get("title_zh") or row.get("title_en") or ""


def _demo_badge(row: dict) -> str:
    """A demo record is marked by a badge next to its line, never in its title."""
    return f" :gray-badge[{state.t('common.demo')}]" if row.get("is_demo") else ""


def _kind_line(row: dict, today: date) -> str:
    parts = [label(vocab.ARTICLE_KINDS, row["kind"])]
    if row.get("kind") == articles.ALERT and row.get("severity"):
        parts.append(state.t("guides.severity_badge", severity=label(vocab.SEVERITIES, row["severity"])))
    if row.get("countries"):
        parts.append(", ".join(country(c) for c in row["countries"][:6]) + ("…" if len(row["countries"]) > 6 else ""))
    if row.get("industries"):
        parts.append(", ".join(label(vocab.INDUSTRIES, c) for c in row["industries"]))
    if row.get("published_on"):
        parts.append(str(row["published_on"]))
    if row.get("valid_until"):
        expired = row["valid_until"] < today
        parts.append(state.t("guides.expired_on" if expired else "guides.valid_until", date=row["valid_until"].isoformat()))
    if row.get("status") == "draft":
        parts.append(state.t("guides.draft_badge"))
    return " · ".join(parts) + _demo_badge(row)


# --- the landing view ------------------------------------------------------------------


def _home(user, view: str) -> None:
    today = localtime.today()
    st.title(state.t("guides.title"))
    st.caption(state.t("guides.intro"))
    # The URL's ?view= wins when it changed from outside (a link, a bookmark); else the widget does.
    param = st.query_params.get("view", "browse")
    if param != st.session_state.get("guides_view_param") and param in VIEWS:
        st.session_state["guides_view"] = param
    st.session_state.setdefault("guides_view", "browse")
    top = st.columns([3, 1])
    with top[0]:
        view = st.segmented_control(state.t("guides.view"), options=list(VIEWS), required=True,
                                    format_func=_fixed(VIEWS, lambda v: state.t(f"guides.view.{v}")), key="guides_view",
                                    label_visibility="collapsed") or "browse"
    if view == "browse":
        st.query_params.pop("view", None)
    else:
        st.query_params["view"] = view
    st.session_state["guides_view_param"] = view
    with top[1]:
        if articles.can_author(user):
            st.button(state.t("guides.new"), key="guides_new", icon=":material/edit_note:",
                      on_click=_go, kwargs={"edit": "new"})
    if view == "alerts":
        _alerts_view(user, today)
    elif view == "clock":
        _clock_view()
    else:
        _browse_view(user, today)


def _facet_select(name: str, title: str, vocabulary: vocab.Vocabulary | None, counts: dict[str, int],
                  key: str, *, labeler=None) -> str | None:
    labeler = labeler or (lambda code: label(vocabulary, code))
    options = [""] + sorted(counts, key=lambda c: (-counts[c], labeler(c)))
    current = st.session_state.get(key)
    if current and current not in options:
        options.append(current)

    def fmt(code: str) -> str:
        if not code:
            return state.t("guides.any")
        return f"{labeler(code)} ({counts.get(code, 0)})"

    return st.selectbox(title, options, format_func=_fixed(options, fmt), key=key) or None


def _browse_view(user, today: date) -> None:
    counts = _map_counts(user, today=today)
    st.subheader(state.t("guides.map.title"))
    chart = _map_chart(tuple((r["country"], r["guides"], r["active_alerts"], r["total"]) for r in counts),
                       state.lang(), state.t("guides.map.total"), state.t("guides.map.guides"),
                       state.t("guides.map.alerts"))
    event = st.altair_chart(chart, on_select="rerun", selection_mode=geo.SELECTION, key="guides_map",
                            width="stretch")
    picked = geo.selected_country(event)
    if picked and picked != st.session_state.get("guides_map_last"):
        st.session_state["guides_country"] = picked
        st.session_state["guides_page"] = 1
    st.session_state["guides_map_last"] = picked
    st.caption(state.t("guides.map.hint"))

    _filters_from_url()
    text = st.text_input(state.t("guides.search"), key="guides_q", placeholder=state.t("guides.search_hint"))
    flt = _current_filter(user, text)
    facet_counts = _facets(user, flt, today=today)
    sees_drafts = policy.can(user, "edit_article")
    cols = st.columns(5 if sees_drafts else 4)
    with cols[0]:
        _facet_select("country", state.t("guides.facet.country"), None, facet_counts["country"], "guides_country",
                      labeler=country)
    with cols[1]:
        _facet_select("kind", state.t("guides.facet.kind"), vocab.ARTICLE_KINDS, facet_counts["kind"], "guides_kind")
    with cols[2]:
        _facet_select("ip_type", state.t("guides.facet.ip_type"), vocab.IP_TYPES, facet_counts["ip_type"],
                      "guides_ip_type")
    with cols[3]:
        _facet_select("industry", state.t("guides.facet.industry"), vocab.INDUSTRIES, facet_counts["industry"],
                      "guides_industry")
    if sees_drafts:
        with cols[4]:
            _facet_select("status", state.t("guides.facet.status"), vocab.ARTICLE_STATUSES, facet_counts["status"],
                          "guides_status")
    flt = _current_filter(user, text)
    _filters_to_url()

    signature = repr(flt)
    if st.session_state.get("guides_signature") != signature:
        st.session_state["guides_signature"] = signature
        st.session_state["guides_page"] = 1
    page = int(st.session_state.get("guides_page", 1))
    rows, total = _browse(user, flt, page=page, page_size=PAGE_SIZE, today=today)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        page = st.session_state["guides_page"] = pages
        rows, total = _browse(user, flt, page=page, page_size=PAGE_SIZE, today=today)

    heading = state.t("guides.results", count=total)
    if flt.country:
        heading = state.t("guides.results_in", count=total, country=country(flt.country))
    st.subheader(heading)
    if not rows:
        st.info(state.t("guides.no_results"))
        return
    for row in rows:
        with st.container(border=True):
            _open_link(row, icon=":material/campaign:" if row["kind"] == articles.ALERT else ":material/article:")
            st.caption(_kind_line(row, today))
            if row.get("snippet"):
                st.markdown(row["snippet"])
    if pages > 1:
        _pager(page, pages)


def _filters_from_url() -> None:
    """Apply a filter from the URL when the URL changed from outside (a link, a bookmark)."""
    for param, (key, vocabulary) in FILTER_PARAMS.items():
        value = (st.query_params.get(param) or "").strip()[:200]
        if value == st.session_state.get(f"guides_url_{param}", ""):
            continue
        if vocabulary is not None:
            value = vocabulary().lookup(value) or "" if value else ""
        st.session_state[key] = value if (value or vocabulary is None) else None
        st.session_state[f"guides_url_{param}"] = value


def _filters_to_url() -> None:
    for param, (key, _) in FILTER_PARAMS.items():
        value = (st.session_state.get(key) or "").strip()
        if value:
            st.query_params[param] = value
        else:
            st.query_params.pop(param, None)
        st.session_state[f"guides_url_{param}"] = value


@lru_cache(maxsize=16)
def _map_chart(rows: tuple, lang: str, total: str, guides: str, alerts: str):
    """The map for these figures (building an Altair chart costs ~0.1 s; the figures change rarely).
    Streamlit only reads the chart, so sharing it between sessions is safe."""
    frame = pd.DataFrame(list(rows), columns=["country", "guides", "active_alerts", "total"])
    return geo.world_map(frame, "total", lang, value_title=total,
                         tooltip_columns={"guides": guides, "active_alerts": alerts}, selectable=True)


def _current_filter(user, text: str) -> articles.ArticleFilter:
    get = st.session_state.get
    return articles.ArticleFilter(
        country=get("guides_country") or None, kind=get("guides_kind") or None,
        ip_type=get("guides_ip_type") or None, industry=get("guides_industry") or None,
        status=(get("guides_status") or None) if policy.can(user, "edit_article") else None,
        text=(text or "").strip()[:200])


def _pager(page: int, pages: int) -> None:
    def move(delta: int) -> None:
        st.session_state["guides_page"] = max(1, min(pages, page + delta))

    left, mid, right = st.columns([1, 2, 1])
    with left:
        st.button(state.t("guides.prev"), key="guides_prev", disabled=page <= 1, on_click=move, args=(-1,))
    with mid:
        st.caption(state.t("guides.page_of", page=page, pages=pages))
    with right:
        st.button(state.t("guides.next"), key="guides_next", disabled=page >= pages, on_click=move, args=(1,))


# --- alerts -------------------------------------------------------------------------


def _alerts_view(user, today: date) -> None:
    which = st.segmented_control(state.t("guides.alerts.which"), options=["active", "archive"], default="active",
                                 format_func=_fixed(("active", "archive"), lambda w: state.t(f"guides.alerts.{w}")),
                                 key="guides_alerts_which")
    which = which or "active"
    rows = _alerts(user, which, today=today)
    if not rows:
        st.info(state.t(f"guides.alerts.none_{which}"))
        return
    for row in rows:
        box = {"high": st.error, "medium": st.warning}.get(row["severity"], st.info) if which == "active" else st.info
        with st.container(border=True):
            _open_link(row, icon=":material/campaign:")
            box(_kind_line(row, today))


# --- response clock -------------------------------------------------------------------


def _clock_view() -> None:
    types = deadlines.dispute_types()
    left, right = st.columns(2)
    with left:
        dispute = st.selectbox(state.t("guides.clock.dispute"), types, key="guides_clock_dispute",
                               format_func=_fixed(types, lambda c: label(vocab.DISPUTE_TYPES, c)))
    with right:
        start = st.date_input(state.t("guides.clock.start"), value=localtime.today(), key="guides_clock_start")
    render_response_clock(dispute, start)


# --- one article ---------------------------------------------------------------------


def _article_view(user, raw_id: str) -> None:
    today = localtime.today()
    # The list's widgets are not drawn here, so Streamlit forgets them: back on the list, its
    # filters are read again from the URL, which this link (and the browser's history) carries.
    for param in FILTER_PARAMS:
        st.session_state.pop(f"guides_url_{param}", None)
    st.session_state.pop("guides_view_param", None)
    page_link("guides", state.t("guides.back"), icon=":material/arrow_back:", **_list_params())
    article_id = parse_id(raw_id)
    article = _article(user, article_id) if article_id else None
    if article is None:
        st.warning(state.t("errors.not_found"))
        return
    notifications.mark_read_for(user, article_id, entity="article")   # a routed alert's notification
    flash = st.session_state.pop("guides_flash", None)
    if flash:
        st.success(flash)
    st.title(article_title(article))
    if article["status"] == "published":
        follow_button(user, "article", article_id)
    if state.lang() == "en" and article.get("title_en") and article["title_zh"] != article["title_en"]:
        st.caption(escape(article["title_zh"]))
    elif state.lang() == "zh" and article.get("title_en"):
        st.caption(escape(article["title_en"]))
    badges = [label(vocab.ARTICLE_KINDS, article["kind"])]
    if article["status"] == "draft":
        badges.append(state.t("guides.draft_badge"))
    if article["kind"] == articles.ALERT:
        badges.append(state.t("guides.severity_badge", severity=label(vocab.SEVERITIES, article["severity"])))
        if article["valid_until"]:
            expired = article["valid_until"] < today
            badges.append(state.t("guides.expired_on" if expired else "guides.valid_until",
                                  date=article["valid_until"].isoformat()))
    st.markdown(" ".join(f"`{b}`" for b in badges) + _demo_badge(article))
    if article["kind"] == articles.ALERT and article["valid_until"] and article["valid_until"] < today:
        st.warning(state.t("guides.archived_notice"))

    _meta(article)
    body = markdown.render(article["body"])
    if body:
        st.html(f'<div class="ipo-article">{body}</div>')
    else:
        st.caption(state.t("guides.empty_body"))

    if deadlines.has_clock(article.get("dispute_type")):
        with st.expander(state.t("guides.clock.expander"), expanded=True, icon=":material/alarm:"):
            start = st.date_input(state.t("guides.clock.start"), value=localtime.today(), key=f"guides_art_clock_{article['id']}")
            jurisdiction = next((c for c in article["countries"] if any(
                r.jurisdiction == c for r in deadlines.rules(article["dispute_type"]))), None)
            render_response_clock(article["dispute_type"], start, jurisdiction=jurisdiction, heading=False)

    left, right = st.columns(2)
    with left:
        st.subheader(state.t("guides.related_articles"))
        related = _related_articles(user, article["id"], today=today)
        if not related:
            st.caption(state.t("common.none"))
        for row in related:
            _open_link(row)
            st.caption(_kind_line(row, today))
    with right:
        st.subheader(state.t("guides.related_cases"))
        cases = _related_cases(user, article["id"])
        if not cases:
            st.caption(state.t("common.none"))
        for c in cases:
            _case_link(c)

    if article["editable"]:
        _editor_actions(user, article)
    render_history("article", article["id"], user=user)  # drafts included: audit_query.history decides


def _cases_page() -> None:   # stands for the Cases page in links; the app registers the real one
    pass


def _case_link(c: dict) -> None:
    """A link to the case on the Cases page (`/cases?case=<id>`), in-app so the login survives."""
    badge = f" · **{label(vocab.DISTINCTIONS, c['distinction'])}**" if c.get("distinction") else ""
    st.page_link(st.Page(_cases_page, url_path="cases", title=state.t("guides.related_cases")),
                 label=escape(c["title"]), query_params={"case": str(c["id"])}, icon=":material/gavel:")
    st.caption(" · ".join(part for part in (
        escape(c["case_ref"]), country(c["country"]), label(vocab.DISPUTE_TYPES, c["dispute_type"]),
        label(vocab.OUTCOMES, c["outcome"]) if c.get("outcome") else "",
        str(c["filed_on"]) if c.get("filed_on") else "") if part) + badge)


def _meta(article: dict) -> None:
    lines = []
    source = article.get("source") or ""
    url = article.get("source_url") or ""
    if url and markdown.is_safe_url(url):
        lines.append(state.t("guides.meta.source") + ": " + f"[{escape(source or url)}]({markdown.link_target(url)})")
    elif source:
        lines.append(state.t("guides.meta.source") + ": " + escape(source))
    else:
        lines.append(state.t("guides.meta.source") + ": " + state.t("guides.meta.no_source"))
    if article.get("published_on"):
        lines.append(state.t("guides.meta.published", date=article["published_on"].isoformat()))
    lines.append(state.t("guides.meta.updated", date=article["updated_at"].date().isoformat()))
    if article.get("sub_centre"):
        sc = article["sub_centre"]
        lines.append(t_md("guides.meta.by", who=sc["name_en"] if state.lang() == "en" and sc["name_en"] else sc["name_zh"]))
    facets = []
    if article["countries"]:
        facets.append(state.t("guides.facet.country") + ": " + ", ".join(country(c) for c in article["countries"]))
    if article["ip_types"]:
        facets.append(state.t("guides.facet.ip_type") + ": " + ", ".join(label(vocab.IP_TYPES, c) for c in article["ip_types"]))
    if article["industries"]:
        facets.append(state.t("guides.facet.industry") + ": " + ", ".join(label(vocab.INDUSTRIES, c) for c in article["industries"]))
    if article.get("dispute_type"):
        facets.append(state.t("case.dispute_type") + ": " + label(vocab.DISPUTE_TYPES, article["dispute_type"]))
    with st.container(border=True):
        st.markdown("  \n".join(lines))
        if facets:
            st.caption(" · ".join(facets))


# --- editing ------------------------------------------------------------------------


def _editor_actions(user, article: dict) -> None:
    st.divider()
    cols = st.columns(3)
    with cols[0]:
        st.button(state.t("guides.edit"), key="guides_edit_btn", icon=":material/edit:",
                  on_click=_go, kwargs={"edit": article["id"]})
    with cols[1]:
        target = "draft" if article["status"] == "published" else "published"
        if st.button(state.t(f"guides.set_status.{target}"), key="guides_status_btn"):
            _run_write(lambda: articles.set_status(user, article["id"], target, expected_version=article["version"]),
                       state.t(f"guides.saved.{target}"))
    history = _history(user, article["id"])
    with st.expander(state.t("guides.history", count=len(history)), icon=":material/history:"):
        if not history:
            st.caption(state.t("common.none"))
        for item in history:
            line = t_md("guides.history.line", action=state.t(f"guides.action.{item['action']}"),
                           version=item["after_version"], by=item["by"] or "?",
                           when=item["created_at"].strftime("%Y-%m-%d %H:%M"))
            cols = st.columns([4, 1])
            cols[0].caption(line)
            if item["before"] and cols[1].button(state.t("guides.restore"), key=f"guides_restore_{item['id']}"):
                _run_write(lambda item=item: articles.restore_version(
                    user, article["id"], item["id"], expected_version=article["version"]),
                    state.t("guides.saved.restored"))


def _run_write(action, success: str) -> bool:
    """Run an edit; on success the flash message and a rerun, else what went wrong (False)."""
    if not actions.attempt(_refusal_summary(action), fields=FIELD_LABELS)[0]:
        return False
    st.session_state["guides_flash"] = success
    st.rerun()
    return True


FIELD_LABELS = ("guides.field.",)


def _refusal_summary(action):
    """`action`, preceded on bad input by a line saying how many problems follow."""
    def run():
        try:
            return action()
        except errors.Invalid as exc:
            st.error(state.t("guides.error.invalid", count=len(exc.problems)))
            raise
    return run


FORM_FIELDS = ("kind", "title_zh", "title_en", "language", "countries", "ip_types", "industries",
               "dispute_type", "severity", "valid_until", "source", "source_url", "body")


def _editor(user, raw: str) -> None:
    st.button(state.t("guides.back"), key="guides_back", icon=":material/arrow_back:", on_click=_go)
    if not articles.can_author(user):
        st.warning(state.t("errors.not_allowed"))
        return
    article = None
    if raw != "new":
        article_id = parse_id(raw)
        # never cached: the editor needs the live version
        article = articles.get_article(user, article_id) if article_id else None
        if article is None or not article["editable"]:
            st.warning(state.t("errors.not_found"))
            return
    base = 0
    if article is not None:
        # The version this editor started from: a save is checked against it, so an edit
        # made meanwhile by someone else is never overwritten silently.
        base_key = f"guides_edit_base_{article['id']}"
        base = st.session_state.setdefault(base_key, article["version"])
    st.title(state.t("guides.editor.new") if article is None else state.t("guides.editor.edit", version=base))
    flash = st.session_state.pop("guides_flash", None)
    if flash:
        st.success(flash)
    lang = state.lang()
    current = article or {}
    prefix = f"guides_f_{current.get('id', 'new')}_{base}_"
    countries_vocab = vocab.countries()
    none_label = state.t("guides.none_option")

    with st.form(prefix + "form", border=True):
        kind = st.selectbox(state.t("guides.field.kind"), vocab.ARTICLE_KINDS.codes, key=prefix + "kind",
                            index=vocab.ARTICLE_KINDS.codes.index(current.get("kind") or "country_guide"),
                            format_func=_fixed(vocab.ARTICLE_KINDS.codes, lambda c: label(vocab.ARTICLE_KINDS, c)))
        title_zh = st.text_input(state.t("guides.field.title_zh"), value=current.get("title_zh", ""),
                                 key=prefix + "title_zh", max_chars=articles.MAX_TITLE_CHARS)
        title_en = st.text_input(state.t("guides.field.title_en"), value=current.get("title_en", ""),
                                 key=prefix + "title_en", max_chars=articles.MAX_TITLE_CHARS)
        language = st.selectbox(state.t("guides.field.language"), ["zh", "en"], key=prefix + "language",
                                index=0 if current.get("language", "zh") == "zh" else 1,
                                format_func=_fixed(["zh", "en"], lambda c: label(vocab.LANGUAGES, c)))
        countries = st.multiselect(state.t("guides.field.countries"), countries_vocab.codes,
                                   default=current.get("countries", []), key=prefix + "countries",
                                   format_func=_fixed(countries_vocab.codes, lambda c: f"{countries_vocab.label(c, lang)} ({c})"))
        ip_types = st.multiselect(state.t("guides.field.ip_types"), vocab.IP_TYPES.codes,
                                  default=current.get("ip_types", []), key=prefix + "ip_types",
                                  format_func=_fixed(vocab.IP_TYPES.codes, lambda c: label(vocab.IP_TYPES, c)))
        industries = st.multiselect(state.t("guides.field.industries"), vocab.INDUSTRIES.codes,
                                    default=current.get("industries", []), key=prefix + "industries",
                                    format_func=_fixed(vocab.INDUSTRIES.codes, lambda c: label(vocab.INDUSTRIES, c)))
        dispute_options = [""] + list(vocab.DISPUTE_TYPES.codes)
        dispute = st.selectbox(state.t("guides.field.dispute_type"), dispute_options, key=prefix + "dispute_type",
                               index=dispute_options.index(current.get("dispute_type") or ""),
                               format_func=_fixed(dispute_options, lambda c: label(vocab.DISPUTE_TYPES, c) if c else none_label))
        cols = st.columns(2)
        severity_options = [""] + list(vocab.SEVERITIES.codes)
        severity = cols[0].selectbox(state.t("guides.field.severity"), severity_options, key=prefix + "severity",
                                     index=severity_options.index(current.get("severity") or ""),
                                     format_func=_fixed(severity_options, lambda c: label(vocab.SEVERITIES, c) if c else none_label),
                                     help=state.t("guides.editor.alert_help"))
        valid_until = cols[1].date_input(state.t("guides.field.valid_until"), value=current.get("valid_until"),
                                         key=prefix + "valid_until", help=state.t("guides.editor.alert_help"))
        source = st.text_input(state.t("guides.field.source"), value=current.get("source") or "", key=prefix + "source")
        source_url = st.text_input(state.t("guides.field.source_url"), value=current.get("source_url") or "",
                                   key=prefix + "source_url")
        body = st.text_area(state.t("guides.field.body"), value=current.get("body", ""), height=320,
                            key=prefix + "body", help=state.t("guides.editor.body_help"))
        if article is None:
            buttons = st.columns(2)
            save = buttons[0].form_submit_button(state.t("guides.editor.save_draft"), icon=":material/save:")
            publish = buttons[1].form_submit_button(state.t("guides.editor.save_publish"), type="primary",
                                                    icon=":material/publish:")
        else:
            save = st.form_submit_button(state.t("guides.editor.save"), type="primary", icon=":material/save:")
            publish = False
        preview = st.form_submit_button(state.t("guides.editor.preview"), icon=":material/visibility:")

    form = articles.ArticleInput(kind=kind, title_zh=title_zh, title_en=title_en, body=body, language=language,
                                  countries=countries, ip_types=ip_types, industries=industries,
                                  dispute_type=dispute or None, severity=severity or None,
                                  valid_until=valid_until, source=source, source_url=source_url)
    if preview:
        st.subheader(state.t("guides.editor.preview"))
        st.html(f'<div class="ipo-article">{markdown.render(body)}</div>')
    if save or publish:
        if article is None:
            result: dict = {}

            def create() -> None:
                result["id"] = articles.create_article(user, form, publish=bool(publish))

            if not actions.attempt(_refusal_summary(create), fields=FIELD_LABELS)[0]:
                return
            st.session_state["guides_flash"] = state.t("guides.saved.published" if publish else "guides.saved.draft")
            _go(edit=result["id"])
            st.rerun()
        else:
            def update() -> None:
                st.session_state[base_key] = articles.update_article(user, article["id"], form, expected_version=base)

            if not _run_write(update, state.t("guides.saved.updated")):
                if base != article["version"]:
                    st.button(state.t("guides.editor.reload"), key="guides_reload", icon=":material/refresh:",
                              on_click=st.session_state.pop, args=(base_key, None))
    if article is not None:
        st.button(state.t("guides.editor.view"), key="guides_view_article", icon=":material/visibility:",
                  on_click=_go, kwargs={"article": article["id"]})
