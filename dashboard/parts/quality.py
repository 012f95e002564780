"""The quality page's four tabs: timeliness, rejected files and why, unusual values, catalogue gaps."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import streamlit as st

from dashboard import charts, components
from dashboard.i18n import label
from dashboard.markdown import plain
from dashboard.page import Ctx
from dashboard.views import quality as view
from dashboard.views.submit import report_display
from db import queries


def timeliness_tab(
    ctx: Ctx, rolled: pl.DataFrame, depts: Mapping[str, str], span: str, grain: str, filters: tuple
) -> None:
    """The heat map of files on time (its spec built once per data version and ``filters``, the choices ``rolled``
    was selected by) and its table."""
    if rolled.is_empty():
        return components.empty(ctx, "quality.empty_timeliness")
    text = ctx.stamp.text(ctx.t("quality.heatmap_title"), period=span)
    heatmap = ctx.once(
        "quality.heatmap", span, grain, filters,
        build=lambda: components.spec(charts.timeliness_heatmap(view.heatmap_frame(rolled, depts, ctx.lang), text)),
    )  # fmt: skip
    components.chart(ctx, heatmap, ctx.t("quality.file_heatmap"), "quality_heatmap")
    st.caption(ctx.t("quality.heatmap_note", grain=ctx.t(f"quality.grain_word.{grain}")))
    components.table(
        ctx, view.timeliness_table(rolled, depts, ctx.lang), ctx.t("quality.file_timeliness"), "quality_timeliness",
        column_config=view.timeliness_columns(ctx.t),
    )  # fmt: skip


def rejected_tab(ctx: Ctx, rejected: pl.DataFrame) -> None:
    """The files refused, each with the first reason, and the whole report of the newest ones (cells as text)."""
    if rejected.is_empty():
        return components.empty(ctx, "quality.no_rejected")
    st.caption(ctx.t("quality.rejected_note"))
    shown = rejected.head(view.MAX_REPORTS)
    reports = {sid: view.report(ctx.load(queries.submission_errors, sid), ctx.lang) for sid in shown["id"]}
    why = {sid: r["message"][0] for sid, r in reports.items() if r.height}
    components.table(
        ctx, view.rejected_table(rejected, why, ctx.lang), ctx.t("quality.file_rejected"), "quality_rejected",
        column_config=view.rejected_columns(ctx.t),
    )  # fmt: skip
    for i, row in enumerate(shown.iter_rows(named=True)):
        outside = ("file_name", "department", "department_name_vi", "department_name_en")
        title = view.report_title(row | {k: plain(row[k]) for k in outside if row.get(k)}, ctx.lang, ctx.t)
        with st.expander(title, expanded=i == 0, icon=":material/block:"):
            st.dataframe(report_display(reports[row["id"]], ctx.t), hide_index=True, key=f"quality_report_{row['id']}")
    if rejected.height > shown.height:
        st.caption(ctx.t("quality.reports_cut", n=view.MAX_REPORTS))


def outliers_tab(ctx: Ctx, unusual: pl.DataFrame, depts: Mapping[str, str]) -> None:
    if unusual.is_empty():
        return components.empty(ctx, "quality.no_outliers")
    st.caption(ctx.t("quality.outliers_note"))
    components.table(
        ctx, view.outliers_table(unusual, depts, ctx.lang, ctx.t, _english_units(ctx)), ctx.t("quality.file_outliers"),
        "quality_outliers", column_config=view.outlier_columns(ctx.t), downloads=unusual,
    )  # fmt: skip


def gaps_tab(ctx: Ctx, gaps: pl.DataFrame, depts: Mapping[str, str]) -> None:
    if gaps.is_empty():
        return components.empty(ctx, "quality.no_gaps")
    st.caption(ctx.t("quality.gaps_note", year=ctx.today.year))
    components.table(
        ctx, view.gaps_table(gaps, depts, ctx.lang, label), ctx.t("quality.file_gaps"), "quality_gaps",
        column_config=view.gap_columns(ctx.t, ctx.today.year), downloads=gaps.drop("target_years"),
    )  # fmt: skip


def _english_units(ctx: Ctx) -> dict[str, str]:
    """The catalogue's English units by indicator code, where it gives one."""
    catalogue = ctx.load(queries.catalogue)
    return {r["code"]: r["unit_en"] for r in catalogue.iter_rows(named=True) if r.get("unit_en")}
