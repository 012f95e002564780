"""The explorer's three views of the selection: the pivot, the chart and the figures themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl
import streamlit as st

from dashboard import charts, components, sheets, state
from dashboard.page import Ctx
from dashboard.views import explorer as view


def pivot_tab(
    ctx: Ctx,
    data: pl.DataFrame,
    meta: pl.DataFrame,
    names: Mapping[str, str],
    num: Callable,
    sheet: sheets.Heading | None = None,
) -> None:
    """Rows and columns among indicator, commune and period; the cell rule said out loud."""
    dims = {d: ctx.t(f"explorer.dim.{d}") for d in view.DIMENSIONS}
    p1, p2, p3 = st.columns(3)
    rows = state.select(ctx.t("explorer.rows"), list(dims), "rows", "indicator", dims.get, p1)
    cols = state.select(
        ctx.t("explorer.columns"), [d for d in dims if d != rows], "cols", "period" if rows != "period" else "indicator",
        dims.get, p2,
    )  # fmt: skip
    how = state.select(
        ctx.t("explorer.values"), view.AGGREGATIONS, "agg", "auto", lambda a: ctx.t(f"explorer.agg.{a}"), p3
    )
    pv = view.pivot(data, meta, rows, cols, how, ctx.lang, ctx.t("ui.province"))
    st.caption(view.pivot_caption(pv, rows, cols, ctx.t))
    if pv.mode == "mixed":
        st.warning(ctx.t("explorer.mode.mixed"), icon=":material/warning:")
        return
    for note in view.pivot_cuts(pv, cols, ctx.t, num, data["frequency"].n_unique()):
        st.info(note, icon=":material/info:")
    components.table(
        ctx, view.pivot_display(pv, ctx.lang), ctx.t("explorer.file_pivot"), "explorer_pivot",
        column_config=view.pivot_columns(pv, names, ctx.t), downloads=pv.table, heading=sheet,
    )  # fmt: skip


def chart_tab(ctx: Ctx, data: pl.DataFrame, meta: pl.DataFrame, names: Mapping[str, str]) -> None:
    """By period for one or a few indicators, by commune for one period; or why not."""
    plan = view.chart_plan(data, meta, ctx.lang, ctx.t("ui.province"))
    if plan.by is None:
        st.info(ctx.t(f"explorer.chart_reason.{plan.reason}", n=view.MAX_CHART_INDICATORS), icon=":material/info:")
        st.caption(ctx.t("explorer.chart_hint"))
        return
    title, source = view.chart_title(plan, meta, names, ctx.t, ctx.lang)
    figure = charts.explorer_chart(
        plan.frame, ctx.stamp.text(title, unit=plan.unit, period=plan.span, source=source), by=plan.by
    )
    components.chart(ctx, figure, ctx.t("explorer.file_chart"), "explorer")


def data_tab(
    ctx: Ctx, data: pl.DataFrame, total: int, whole: bool, num: Callable, sheet: sheets.Heading | None = None
) -> None:
    """The filtered figures; the downloads hold every one of them, not just the rows shown."""
    shown = data.head(view.SHOW_ROWS)
    kind, note = view.data_note(total, shown.height, whole, ctx.t, num, ctx.can("export"))
    getattr(st, kind)(note)
    table, config = view.detail_table(shown, ctx.lang, ctx.t("ui.province")), view.detail_columns(ctx.t)
    if whole:
        components.table(
            ctx, table, ctx.t("explorer.file_data"), "explorer_data", column_config=config,
            downloads=view.download_frame(data), parquet=True, heading=sheet,
        )  # fmt: skip
    else:  # too big to download: the rows shown only, without buttons that would promise the whole
        st.dataframe(table, hide_index=True, column_config=config, key="table_explorer_data")
