"""The five group pages: one renderer, five entries (``app_pages/input.py`` ... ``composite.py``)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import components, evaluation, state
from dashboard.i18n import label, t
from dashboard.markdown import inert_html
from dashboard.page import Ctx, setup
from dashboard.parts import report
from dashboard.tables import Table
from dashboard.views import group as view
from rules import tally


def render_group(group: str) -> None:
    """One group's page: summary, filters bound to the address, the table with its downloads, the chart of the
    indicators against their plan with its PNG/SVG."""
    if group not in view.GROUPS:
        raise ValueError(f"unknown group {group!r}; expected one of {view.GROUPS}")
    ctx = setup(group)
    rows = evaluation.latest(ctx).filter(pl.col("group") == group)
    st.caption(t(f"group_page.about.{group}", ctx.lang))
    report.buttons(ctx, group=group)  # the report pack of this group
    if sentences := view.summary_sentences(tally.tally(rows), ctx.lang):
        st.markdown("; ".join([f"**{sentences[0]}**", *sentences[1:]]) + ".")

    left, middle, right = st.columns([1.1, 1, 1.3])
    depts = view.department_options(rows, ctx.lang)
    dept = state.select(
        t("ui.department", ctx.lang), ["", *depts], key="department", default="",
        format_func=lambda c: depts.get(c, t("ui.all", ctx.lang)), container=left,
    )  # fmt: skip
    fields = view.field_options(rows, ctx.lang)
    field = state.select(
        t("ui.field", ctx.lang), ["", *fields], key="field", default="",
        format_func=lambda c: fields.get(c, t("ui.all", ctx.lang)), container=middle,
    )  # fmt: skip
    present = [s for s in view.STATUSES if s in set(rows.get_column("status").to_list())]
    statuses = state.multiselect(
        t("ui.status", ctx.lang), present, key="status",
        format_func=lambda s: label("status", s, ctx.lang), container=right, placeholder=t("ui.all", ctx.lang),
    )  # fmt: skip

    chosen = view.filter_rows(rows, None, [dept] if dept else [], [field] if field else [], statuses)
    if chosen.height != rows.height:
        st.caption(t("group_page.showing", ctx.lang, n=chosen.height, total=rows.height))
    if chosen.is_empty():
        components.empty(ctx, "ui.empty")
        return
    name = f"{group}_{ctx.as_of.isoformat() if ctx.as_of else 'data'}"
    table, chart, chart_html, download = ctx.once(
        "group.table", group, dept, field, tuple(statuses), build=lambda: _built(ctx, group, chosen)
    )  # once per data version: the HTML, the chart's spec and drawing, the download's table
    st.html(table)
    sheet = view.sheet_heading(group, chosen, rows.height, ctx.stamp, dept and depts.get(dept), field and fields.get(field),
                               [label("status", s, ctx.lang) for s in statuses])  # fmt: skip
    components.table_downloads(ctx, download.download, name, f"group_{group}", heading=sheet, kinds=download.kinds)
    st.caption(t("group_page.table_hint", ctx.lang))
    st.html(view.CHART_STYLE)
    st.markdown(chart_html, unsafe_allow_html=True)  # SVG drawn on the server (views.group.plan_chart_html)
    components.chart_downloads(ctx, chart, f"{name}_ke-hoach", f"group_{group}_plan")


def _built(ctx: Ctx, group: str, chosen: pl.DataFrame) -> tuple[str, dict, str, Table]:
    shown = view.table_frame(chosen, ctx.lang)
    chart = components.spec(view.plan_chart(shown, group, ctx.stamp))
    table = view.TABLE_STYLE + view.table_html(shown, ctx.lang)
    return table, chart, inert_html(view.plan_chart_html(chart, group)), view.download_table(chosen, ctx.lang)
