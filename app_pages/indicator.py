"""/indicator?code=...: one indicator's figures against plan, its history, communes, components, card and files."""

import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.page import setup
from dashboard.parts import explanations
from dashboard.parts import indicator as part
from dashboard.tables import picked
from dashboard.views import indicator as view
from db import queries

ctx = setup("indicator", show_title=False)
catalogue = ctx.load(queries.catalogue)
wanted = state.param("code")
listed = view.search(catalogue, state.param("q"))["code"].to_list()
if not view.resolve(catalogue, wanted) and (clicked := picked(st.session_state.get("table_browse"), listed)):
    wanted = st.session_state["qp_code"] = clicked  # a row of the chooser was clicked: open it, the box following
row = view.resolve(catalogue, wanted)
if row and row["code"] != state.param("code"):
    state.set_param("code", row["code"])  # any case matches; the address keeps the stored form


def chooser(box) -> tuple[str, str]:
    """Search (?q, diacritics ignored) and select (?code); returns the chosen code ('' for none) and the query."""
    query = state.text(ctx.t("ui.search"), "q", container=box, placeholder=ctx.t("ui.search_hint"))
    options = view.chooser_options(catalogue, query, row["code"] if row else None)
    names = view.option_labels(catalogue, ctx.lang)
    return state.select(ctx.t("indicator.choose"), options, "code", "", names.get, container=box) or "", query


if row is None:  # no indicator chosen: search and a table of them all
    st.title(ctx.t("page.indicator"))
    st.caption(ctx.t("indicator.intro"))
    if wanted:
        st.warning(ctx.t("indicator.unknown", code=ui.plain(wanted)), icon=":material/search_off:")
    code, query = chooser(st.container(horizontal=True))
    if code:
        st.rerun()
    found = view.search(catalogue, query)
    if found.is_empty():
        ui.empty(ctx, "ui.empty")
        st.stop()
    st.caption(ctx.t("indicator.matches", n=found.height) + " · " + ctx.t("indicator.chooser_caption"))
    table = view.browse_table(found, evaluation.latest(ctx), ctx.lang)
    ui.shown(ctx, table, "indicators", "browse", most=560, on_select="rerun", selection_mode="single-row")
    st.stop()
if chooser(st.sidebar)[0] != row["code"]:
    st.rerun()

series = evaluation.series(ctx, row["code"])
latest = evaluation.latest(ctx, (row["code"],)).row(0, named=True)
part.header(ctx, row, latest)
explanations.indicator_section(ctx, row, latest, series)
if series.is_empty():
    ui.empty(ctx, "indicator.no_values")

sections = view.sections(row)
titles = {s: ctx.t(f"indicator.tab_{s}") for s in sections}
opened = view.opened(row, {"period": state.param("period"), "locality": state.param("locality")})
tabs = dict(zip(sections, st.tabs(list(titles.values()), default=titles[opened]), strict=True))
with tabs["history"]:
    part.history_tab(ctx, row, series)
if "communes" in tabs:
    with tabs["communes"]:
        part.communes_tab(ctx, row, series)
if "components" in tabs:
    with tabs["components"]:
        part.components_tab(ctx, row, series)
with tabs["card"]:
    part.card_tab(ctx, row)
with tabs["submissions"]:
    part.files_tab(ctx, row)
