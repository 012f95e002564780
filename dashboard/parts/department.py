"""The department page's parts: the list of departments, its header and its four tabs."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, numbers, sheets
from dashboard.page import Ctx
from dashboard.views import department as view
from dashboard.views import group as group_view
from db import queries


def all_departments(ctx: Ctx) -> None:
    """Every department with its indicators per status and its on-time share, a row opening its page."""
    st.caption(ctx.t("department.overview_caption"))
    table = view.overview_table(evaluation.departments(ctx), evaluation.window(ctx).since, ctx.lang)
    ui.shown(ctx, table, "departments", "departments", most=600, on_select="rerun", selection_mode="single-row")


def header(ctx: Ctx, row: dict[str, Any], latest: pl.DataFrame, detail: pl.DataFrame, due: pl.DataFrame) -> None:
    st.title(ui.plain(view.department_name(row, ctx.lang)))
    st.caption(ctx.t("department.subtitle", code=ui.plain(row["code"]), n=latest.height))
    if sentence := view.overdue_sentence(due, ctx.lang):
        st.warning(sentence, icon=":material/schedule:")
    with st.container(key="department_tiles"):
        tiles = view.tiles(latest, detail, evaluation.window(ctx).since, ctx.lang)
        widths = [1] * (len(tiles) - 1) + [2]  # the on-time share names its window: room for it
        for column, tile in zip(st.columns(widths), tiles, strict=True):
            ui.metric(column, tile)


def indicators_tab(ctx: Ctx, row: dict[str, Any], latest: pl.DataFrame) -> None:
    if latest.is_empty():
        return ui.empty(ctx, "department.no_indicators")
    chart, table = ctx.once(
        "department.indicators",
        row["code"],
        build=lambda: (
            ui.spec(view.status_chart(latest, view.department_name(row, ctx.lang), ctx.stamp)),
            view.indicators_table(latest, ctx.lang),
        ),
    )
    ui.chart(ctx, chart, f"{row['code'].lower()}_status", "status")
    # drawn as the group pages draw theirs (nothing cut at any width); the download keeps every column
    shown = ctx.once("department.indicators_html", row["code"], build=lambda: _indicators_html(latest, ctx.lang))
    st.html(shown)
    sheet = sheets.heading(ctx.lang, view.department_name(row, ctx.lang), as_of=ctx.as_of, demo=ctx.demo)
    name = f"{row['code'].lower()}_indicators"
    ui.table_downloads(ctx, table.download, name, "indicators", heading=sheet, kinds=table.kinds)


def _indicators_html(latest: pl.DataFrame, lang: str) -> str:
    shown = group_view.table_frame(view.status_order(latest), lang)
    return group_view.TABLE_STYLE + group_view.table_html(shown, lang, owner=False)


def due_tab(ctx: Ctx, row: dict[str, Any], due: pl.DataFrame) -> None:
    if due.is_empty():
        return ui.empty(ctx, "department.nothing_due")
    st.caption(ctx.t("department.due_caption"))
    ui.shown(ctx, view.due_table(due, ctx.lang), f"{row['code'].lower()}_due", "due")


def submissions_tab(ctx: Ctx, row: dict[str, Any]) -> None:
    subs = ctx.load(queries.submissions, row["code"])
    if subs.is_empty():
        return ui.empty(ctx, "department.no_submissions")
    st.caption(view.submissions_summary(subs, ctx.lang))
    table = ctx.once("department.submissions", row["code"], build=lambda: view.submissions_table(subs, ctx.lang))
    ui.shown(ctx, table, f"{row['code'].lower()}_submissions", "submissions", most=420)
    for sub in subs.filter(pl.col("status") == "rejected").head(5).iter_rows(named=True):
        when = numbers.fmt_datetime(sub["submitted_at"], ctx.lang)
        title = ctx.t("department.errors_title", file=ui.plain(sub["file_name"]), date=when)
        with st.expander(title, icon=":material/error:"):
            errors = view.errors_table(ctx.load(queries.submission_errors, sub["id"]), ctx.lang)
            ui.shown(ctx, errors, f"{row['code'].lower()}_rejected_{sub['id']}", f"errors_{sub['id']}")


def timeliness_tab(ctx: Ctx, row: dict[str, Any], detail: pl.DataFrame, catalogue: pl.DataFrame) -> None:
    if detail.is_empty():
        return ui.empty(ctx, "department.no_timeliness")
    chart, table = ctx.once(
        "department.timeliness", row["code"], build=lambda: _timeliness(ctx, row, detail, catalogue)
    )
    ui.chart(ctx, chart, f"{row['code'].lower()}_timeliness", "grid")
    ui.shown(ctx, table, f"{row['code'].lower()}_timeliness", "timeliness", most=420)


def _timeliness(ctx: Ctx, row: dict[str, Any], detail: pl.DataFrame, catalogue: pl.DataFrame) -> tuple[dict, Any]:
    """The timeliness tab's grid chart and table (once per data version)."""
    grid = view.timeliness_grid(detail, catalogue, ctx.lang)
    since = evaluation.window(ctx).since
    chart = ui.spec(view.timeliness_chart(grid, view.department_name(row, ctx.lang), since, ctx.stamp))
    return chart, view.timeliness_table(detail, ctx.lang)
