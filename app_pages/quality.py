"""/quality: completeness and timeliness, rejected files and why, unusual values, catalogue gaps."""

import streamlit as st

from dashboard import evaluation, state
from dashboard.numbers import fmt_number, fmt_percent
from dashboard.page import setup
from dashboard.parts import quality as part
from dashboard.views import quality as view
from dashboard.views.explorer import bound_multiselect, bound_tabs, month_options, period_range, range_text
from db import queries

ctx = setup("quality")
st.caption(ctx.t("quality.intro"))
depts = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())
months = month_options(ctx.load(queries.coverage)["first_period_start"].min(), ctx.today)
num = lambda x: fmt_number(x, ctx.lang, 0)  # noqa: E731
first, latest = ctx.t("explorer.from_all"), ctx.t("explorer.to_all")

# ---- filters in the address: departments, the months, and the calendar grain of the grid
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2.4, 1.4, 1.4, 1])  # a month ('Tháng 12/2026') whole at 1280 px
    chosen = bound_multiselect(
        ctx.t("ui.department"), list(depts), "department", depts.get, c1, ctx.lang, placeholder=ctx.t("ui.all")
    )
    month_from, month_to = period_range(ctx.t, ctx.lang, months, view.default_range(ctx.today)[0], c2, c3)
    grain = state.select(
        ctx.t("quality.grain"), list(view.GRAINS), "by", "quarter", lambda g: ctx.t(f"quality.grain.{g}"), c4
    )

detail = view.selected(
    evaluation.timeliness_detail(ctx, None, view.window(month_from, ctx.today)), chosen, month_from, month_to
)
rolled = view.rollup(detail, grain)
rejected = view.rejected(ctx.load(queries.submissions, None, "rejected"), chosen, month_from, month_to)
unusual = view.outliers(evaluation.outliers(ctx), chosen, month_from, month_to)
gaps = view.gaps(evaluation.gaps(ctx), chosen)

# ---- the selection at a glance
sums = view.totals(detail)
m1, m2, m3, m4, m5 = st.columns([1, 1.8, 1, 1, 1])  # the on-time share names its window: room for it
m1.metric(
    ctx.t("quality.metric_received"), fmt_percent(sums["received_pct"], ctx.lang, 1), border=True,
    help=ctx.t("quality.metric_received_help", received=num(sums["received"]), expected=num(sums["expected"])),
)  # fmt: skip
m2.metric(
    ctx.t("quality.metric_on_time", range=range_text(month_from, month_to, ctx.lang, first, latest)), fmt_percent(sums["on_time_pct"], ctx.lang, 1), border=True,
    help=ctx.t("quality.metric_on_time_help", on_time=num(sums["on_time"]), expected=num(sums["expected"])),
)  # fmt: skip
m3.metric(ctx.t("quality.metric_rejected"), num(rejected.height), border=True)
m4.metric(ctx.t("quality.metric_outliers"), num(unusual.height), border=True)
m5.metric(ctx.t("quality.metric_gaps"), num(gaps.height), border=True)

tab, tabs = bound_tabs(
    {
        "timeliness": ctx.t("quality.tab_timeliness"),
        "rejected": ctx.t("quality.tab_rejected", n=num(rejected.height)),
        "outliers": ctx.t("quality.tab_outliers", n=num(unusual.height)),
        "gaps": ctx.t("quality.tab_gaps", n=num(gaps.height)),
    },
    "quality_tab",
)
span = range_text(month_from, month_to, ctx.lang, first, latest)
with tabs[tab]:
    if tab == "timeliness":
        part.timeliness_tab(ctx, rolled, depts, span, grain, (tuple(chosen), month_from, month_to))
    elif tab == "rejected":
        part.rejected_tab(ctx, rejected)
    elif tab == "outliers":
        part.outliers_tab(ctx, unusual, depts)
    else:
        part.gaps_tab(ctx, gaps, depts)
