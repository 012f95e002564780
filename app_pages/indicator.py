"""/indicator?code=...: one indicator's card, its figures against plan, its communes, components and files."""

import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.page import _is_demo, setup
from dashboard.views import indicator as view
from db import queries

ctx = setup("indicator", show_title=False)
lang = ctx.lang
catalogue = ctx.load(queries.catalogue)
wanted = state.param("code")
listed = view.search(catalogue, state.param("q"))["code"].to_list()
if not view.resolve(catalogue, wanted) and (clicked := view.picked(st.session_state.get("table_browse"), listed)):
    wanted = clicked  # a row of the chooser's table was clicked: open it here, the select box following
    st.session_state["qp_code"] = clicked
row = view.resolve(catalogue, wanted)
if row and row["code"] != state.param("code"):
    state.set_param("code", row["code"])  # any case matches; the address keeps the stored form


def show(table: view.Table, name: str, key: str, links: tuple[str, ...] = (), most: int | None = None, **kwargs):
    """A view's table with its downloads; ``links``: columns of relative links (opened in a new tab); ``most``:
    the tallest it may be in pixels, shorter when it has few rows."""
    config = table.config | {c: st.column_config.LinkColumn(c, display_text=":material/open_in_new:") for c in links}
    if most:
        kwargs["height"] = min(most, 38 + 35 * max(1, table.display.height))
    return ui.table(ctx, table.display, name, key, downloads=table.download, column_config=config, **kwargs)


def chooser(box) -> tuple[str, str]:
    """Search (?q, diacritics ignored) and select (?code); returns the chosen code ('' for none) and the query."""
    query = state.text(ctx.t("ui.search"), "q", container=box, placeholder=ctx.t("ui.search_hint"))
    options = view.chooser_options(catalogue, query, row["code"] if row else None)
    names = view.option_labels(catalogue, lang)
    return state.select(ctx.t("indicator.choose"), options, "code", "", names.get, container=box) or "", query


def choose_page() -> None:
    st.title(ctx.t("page.indicator"))
    st.caption(ctx.t("indicator.intro"))
    if wanted:
        st.warning(ctx.t("indicator.unknown", code=wanted), icon=":material/search_off:")
    code, query = chooser(st.container(horizontal=True))
    if code:
        st.rerun()
    found = view.search(catalogue, query)
    if found.is_empty():
        ui.empty(ctx, "ui.empty")
        return
    st.caption(ctx.t("indicator.matches", n=found.height) + " · " + ctx.t("indicator.chooser_caption"))
    browse = view.browse_table(found, evaluation.latest(ctx), lang)
    show(browse, "indicators", "browse", (ctx.t("ui.open"),), most=560, on_select="rerun", selection_mode="single-row")


def history_tab(series, demo: bool) -> None:
    span = state.select(
        ctx.t("indicator.span"), view.SPANS, "span", view.default_span(row["frequency"]),
        lambda s: ctx.t(f"indicator.span_{s}"), width=260,
    )  # fmt: skip
    figure = view.history_chart(view.window(series, span), row, lang, ctx.today, demo)
    ui.chart(ctx, figure, view.slug(row["code"], "history"), "history")
    if row["value_type"] == "flow" and not series.is_empty():
        ui.chart(ctx, view.ytd_chart(series, row, lang, ctx.today, demo), view.slug(row["code"], "ytd"), "ytd")
    st.subheader(ctx.t("indicator.series_title"))
    show(view.series_table(series, row, lang), view.slug(row["code"], "series"), "series", most=320)


def communes_tab(demo: bool) -> None:
    periods = ctx.load(queries.commune_periods, row["code"])
    if periods.is_empty():
        return ui.empty(ctx, "indicator.no_commune_data")
    codes, names = view.locality_options(ctx.load(queries.localities), lang)
    left, right = st.columns(2)
    period = state.select(
        ctx.t("ui.period"), periods["period"].to_list(), "period", periods["period"][0],
        lambda p: view.period_label(p, lang), container=left,
    )  # fmt: skip
    commune = state.select(ctx.t("ui.commune"), codes, "locality", "", names.get, container=right)
    frame = view.commune_frame(ctx.load(queries.commune_values, row["code"], period), row, period)
    if missing := frame["value"].null_count():
        st.caption(ctx.t("indicator.communes_missing", n=missing))
    figure = view.commune_chart(frame, row, period, commune, lang, ctx.today, demo)
    ui.chart(ctx, figure, view.slug(row["code"], period, "communes"), "communes")
    show(view.commune_table(frame, row, lang), view.slug(row["code"], period, "communes"), "communes", most=420)
    if commune:
        st.subheader(ctx.t("indicator.commune_series_title", commune=names[commune]))
        own = ctx.load(queries.locality_series, row["code"], commune)
        figure = view.locality_chart(own, row, names[commune], lang, ctx.today, demo)
        ui.chart(ctx, figure, view.slug(row["code"], commune), "commune_series")
        show(view.locality_table(own, row, lang), view.slug(row["code"], commune), "commune_series", most=240)


def components_tab(series, demo: bool) -> None:
    periods = view.composite_periods(series)
    if not periods:
        return ui.empty(ctx, "indicator.no_components")
    period = state.select(
        ctx.t("ui.period"), periods, "period", periods[0], lambda p: view.period_label(p, lang), width=260
    )
    breakdown = evaluation.breakdown(ctx, row["code"], period)
    figure = view.contributions_chart(breakdown, row, period, lang, ctx.today, demo)
    ui.chart(ctx, figure, view.slug(row["code"], period, "components"), "components")
    st.caption(ctx.t("indicator.composite_note"))
    table = view.contributions_table(breakdown, lang)
    show(table, view.slug(row["code"], period, "components"), "components", links=(ctx.t("ui.open"),))


def card_tab() -> None:
    identity, measure, plan, process = view.card_sections(row, lang)
    left, right = st.columns(2, gap="large")
    left.html(view.card_html(*identity))
    left.html(view.card_html(*plan))
    right.html(view.card_html(*measure))
    right.html(view.card_html(*process))
    left, right = st.columns(2, gap="large")
    left.html(view.text_html(ctx.t("ui.definition"), view.definition(row, lang), lang))
    right.html(view.text_html(ctx.t("ui.method"), row.get("method"), lang))


def files_tab() -> None:
    if view.is_computed(row):
        return st.info(ctx.t("indicator.computed_no_files"), icon=":material/functions:")
    st.subheader(ctx.t("indicator.submissions_title"))
    subs = ctx.load(queries.indicator_submissions, row["code"])
    if subs.is_empty():
        return ui.empty(ctx, "indicator.no_submissions")
    show(view.submissions_table(subs, lang), view.slug(row["code"], "submissions"), "submissions", most=300)
    st.subheader(ctx.t("indicator.revisions_title"))
    revisions = ctx.load(queries.history, row["code"], None, True)
    if revisions.is_empty():
        return ui.empty(ctx, "indicator.no_revisions")
    st.caption(ctx.t("indicator.revisions_caption"))
    table = view.revisions_table(revisions, ctx.load(queries.localities), row["unit"], lang)
    show(table, view.slug(row["code"], "revisions"), "revisions")


if row is None:
    choose_page()
    st.stop()
if chooser(st.sidebar)[0] != row["code"]:
    st.rerun()

demo = ctx.load(_is_demo)
latest = evaluation.latest(ctx, (row["code"],)).row(0, named=True)
series = evaluation.series(ctx, row["code"])
dec = view.decimals_for(series["value"].to_list())
st.title(view.name_of(row, lang))
st.html(view.CARD_CSS + view.subtitle(row, lang))
if sentence := view.summary_sentence(latest, lang, dec):
    st.caption(sentence)
st.html(view.tiles_css("indicator_tiles", "1.85rem"))
with st.container(key="indicator_tiles"):
    for row_of_tiles in (tiles := view.tiles(latest, lang, dec))[:3], tiles[3:]:
        for column, tile in zip(st.columns(3), row_of_tiles, strict=True):
            column.metric(**tile._asdict(), border=True, height="stretch")
if series.is_empty():
    ui.empty(ctx, "indicator.no_values")

sections = view.sections(row)
titles = {s: ctx.t(f"indicator.tab_{s}") for s in sections}
opened = view.opened(row, {"period": state.param("period"), "locality": state.param("locality")})
tabs = dict(zip(sections, st.tabs(list(titles.values()), default=titles[opened]), strict=True))
with tabs["history"]:
    history_tab(series, demo)
if "communes" in tabs:
    with tabs["communes"]:
        communes_tab(demo)
if "components" in tabs:
    with tabs["components"]:
        components_tab(series, demo)
with tabs["card"]:
    card_tab()
with tabs["submissions"]:
    files_tab()
