"""The indicator page's parts: its header of figures and its five tabs."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, figures, sheets, state
from dashboard.page import Ctx
from dashboard.views import communes, composite, files, indicator_card
from dashboard.views import indicator as view
from db import queries


def header(ctx: Ctx, row: dict[str, Any], latest: dict[str, Any]) -> None:
    """The name, the line of attributes, the summary sentence and the tiles of figures."""
    st.title(ui.plain(figures.name(row, ctx.lang)))
    st.html(indicator_card.CARD_CSS + indicator_card.subtitle(row, ctx.lang))
    if sentence := figures.sentence(latest, ctx.lang):
        st.html(ui.sentence_html(sentence))
    st.html(view.tiles_css("indicator_tiles", "1.85rem"))
    with st.container(key="indicator_tiles"):
        tiles = view.tiles(latest, ctx.lang)
        for line in tiles[:3], tiles[3:]:
            for column, tile in zip(st.columns(len(line)), line, strict=True):
                ui.metric(column, tile)


def history_tab(ctx: Ctx, row: dict[str, Any], series: pl.DataFrame) -> None:
    span = state.select(
        ctx.t("indicator.span"), view.SPANS, "span", view.default_span(row["frequency"]),
        lambda s: ctx.t(f"indicator.span_{s}"), width=260,
    )  # fmt: skip
    history, ytd, table = ctx.once(
        "indicator.history", row["code"], span, build=lambda: _history(ctx, row, series, span)
    )
    ui.chart(ctx, history, view.slug(row["code"], "history"), "history")
    if ytd is not None:
        ui.chart(ctx, ytd, view.slug(row["code"], "ytd"), "ytd")
    st.subheader(ctx.t("indicator.series_title"))
    sheet = sheets.of_indicator(row, ctx.stamp, period=sheets.span(series["period"], ctx.lang))
    ui.shown(ctx, table, view.slug(row["code"], "series"), "series", most=320, heading=sheet)


def _history(ctx: Ctx, row: dict[str, Any], series: pl.DataFrame, span: str) -> tuple[dict, dict | None, Any]:
    """The history tab's charts and table: built once per data version (``Ctx.once``)."""
    history = ui.spec(view.history_chart(view.window(series, span), row, ctx.stamp))
    flow = row["value_type"] == "flow" and not series.is_empty()
    ytd = ui.spec(view.ytd_chart(series, row, ctx.stamp)) if flow else None
    return history, ytd, view.series_table(series, row, ctx.lang)


def communes_tab(ctx: Ctx, row: dict[str, Any], series: pl.DataFrame) -> None:
    periods = ctx.load(queries.commune_periods, row["code"])
    if periods.is_empty():
        return ui.empty(ctx, "indicator.no_commune_data")
    codes, names = communes.locality_options(ctx.load(queries.localities), ctx.lang)
    left, right = st.columns(2)
    options = periods["period"].to_list()
    period = state.select(
        ctx.t("ui.period"), options, "period", options[0], lambda p: figures.period(p, ctx.lang), container=left
    )
    commune = state.select(ctx.t("ui.commune"), codes, "locality", "", names.get, container=right)
    missing, count = ctx.once("indicator.commune_counts", row["code"], period, build=lambda: _counts(ctx, row, period))
    if missing:
        st.caption(ctx.t("indicator.communes_missing", n=missing))
    name = view.slug(row["code"], period, "communes")
    every = count > communes.A4_COMMUNES and state.toggle(
        ctx.t("indicator.communes_every", n=count), "communes", "all"
    )  # by default the best and the worst, to sit on an A4 page; all of them when asked
    chart, table = ctx.once(
        "indicator.communes", row["code"], period, commune, every,
        build=lambda: _communes(ctx, row, series, period, commune, every),
    )  # fmt: skip
    ui.chart(ctx, chart, name + ("_all" if every else ""), "communes")
    sheet = sheets.of_indicator(
        row,
        ctx.stamp,
        ctx.t("indicator.communes_title", name=figures.name(row, ctx.lang)),
        figures.period(period, ctx.lang),
    )
    ui.shown(ctx, table, name, "communes", most=420, heading=sheet)
    if commune:
        st.subheader(ctx.t("indicator.commune_series_title", commune=ui.plain(names[commune])))
        chart, table, sheet = ctx.once(
            "indicator.commune_series", row["code"], commune, build=lambda: _commune_series(ctx, row, commune, names)
        )
        name = view.slug(row["code"], commune)
        ui.chart(ctx, chart, name, "commune_series")
        ui.shown(ctx, table, name, "commune_series", most=240, heading=sheet)


def _counts(ctx: Ctx, row: dict[str, Any], period: str) -> tuple[int, int]:
    """How many communes have no value in the period, and how many have one."""
    values = communes.commune_frame(ctx.load(queries.commune_values, row["code"], period), row, period)["value"]
    return values.null_count(), values.len() - values.null_count()


def _communes(
    ctx: Ctx, row: dict[str, Any], series: pl.DataFrame, period: str, commune: str, every: bool
) -> tuple[dict, Any]:
    """The communes of one period: the chart (the best and the worst, or ``every`` one) and the table (once per
    data version)."""
    frame = communes.commune_frame(ctx.load(queries.commune_values, row["code"], period), row, period)
    province = series.filter(pl.col("period") == period)["value"]
    reference = province[0] if province.len() else None
    chart = ui.spec(communes.commune_chart(frame, row, period, reference, commune, ctx.stamp, every=every))
    return chart, communes.commune_table(frame, row, ctx.lang)


def _commune_series(
    ctx: Ctx, row: dict[str, Any], commune: str, names: dict[str, str]
) -> tuple[dict, Any, sheets.Heading]:
    """One commune's series: the chart, the table and its XLSX header block (once per data version)."""
    own = ctx.load(queries.locality_series, row["code"], commune)
    chart = ui.spec(communes.locality_chart(own, row, names[commune], ctx.stamp))
    title = f"{figures.name(row, ctx.lang)} – {names[commune]}"
    sheet = sheets.of_indicator(row, ctx.stamp, title, sheets.span(own["period"], ctx.lang))
    return chart, communes.locality_table(own, row, ctx.lang), sheet


def components_tab(ctx: Ctx, row: dict[str, Any], series: pl.DataFrame) -> None:
    periods = composite.composite_periods(series)
    if not periods:
        return ui.empty(ctx, "indicator.no_components")
    period = state.select(
        ctx.t("ui.period"), periods, "period", periods[0], lambda p: figures.period(p, ctx.lang), width=260
    )
    breakdown = evaluation.breakdown(ctx, row["code"], period)
    name = view.slug(row["code"], period, "components")
    ui.chart(ctx, composite.contributions_chart(breakdown, row, period, ctx.stamp), name, "components")
    st.caption(ctx.t("indicator.composite_note"))
    sheet = sheets.of_indicator(row, ctx.stamp, period=figures.period(period, ctx.lang))
    ui.shown(ctx, composite.contributions_table(breakdown, ctx.lang), name, "components", heading=sheet)


def card_tab(ctx: Ctx, row: dict[str, Any]) -> None:
    identity, measure, plan, process = indicator_card.card_sections(row, ctx.lang)
    left, right = st.columns(2, gap="large")
    for column, section in ((left, identity), (left, plan), (right, measure), (right, process)):
        column.html(indicator_card.card_html(*section))
    left, right = st.columns(2, gap="large")
    left.html(indicator_card.text_html(ctx.t("ui.definition"), indicator_card.definition(row, ctx.lang), ctx.lang))
    right.html(indicator_card.text_html(ctx.t("ui.method"), row.get("method"), ctx.lang))


def files_tab(ctx: Ctx, row: dict[str, Any]) -> None:
    if view.is_computed(row):
        return st.info(ctx.t("indicator.computed_no_files"), icon=":material/functions:")
    st.subheader(ctx.t("indicator.submissions_title"))
    subs = ctx.load(queries.indicator_submissions, row["code"])
    if subs.is_empty():
        return ui.empty(ctx, "indicator.no_submissions")
    ui.shown(
        ctx, files.submissions_table(subs, ctx.lang), view.slug(row["code"], "submissions"), "submissions", most=300,
        heading=sheets.of_indicator(row, ctx.stamp),
    )  # fmt: skip
    st.subheader(ctx.t("indicator.revisions_title"))
    revisions = ctx.load(queries.history, row["code"], None, True)
    if revisions.is_empty():
        return ui.empty(ctx, "indicator.no_revisions")
    st.caption(ctx.t("indicator.revisions_caption"))
    table = files.revisions_table(revisions, ctx.load(queries.localities), figures.unit(row, ctx.lang), ctx.lang)
    ui.shown(ctx, table, view.slug(row["code"], "revisions"), "revisions", heading=sheets.of_indicator(row, ctx.stamp))
