"""/explorer: slice the accepted figures by group, field, department, indicator, commune and period."""

from functools import partial

import streamlit as st

from dashboard import components, sheets, state
from dashboard.i18n import has, label
from dashboard.numbers import fmt_number
from dashboard.page import setup
from dashboard.parts import explorer as part
from dashboard.views import explorer as view
from db import queries
from rules.calendar import FREQUENCIES
from rules.evaluate import GROUPS

ctx = setup("explorer")
st.caption(ctx.t("explorer.intro"))
meta = ctx.load(queries.catalogue)
places = ctx.load(queries.localities)
names = {r["code"]: view.indicator_name(r, ctx.lang) for r in meta.iter_rows(named=True)}
depts = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())
place_names = {view.PROVINCE: ctx.t("ui.province"), **dict(places.select("code", "name").iter_rows())}
fields = {f: ctx.t(f"explorer.field.{f}") if has(f"explorer.field.{f}") else f for f in meta["field"].unique()}
months = view.month_options(ctx.load(queries.coverage)["first_period_start"].min(), ctx.today)
num = lambda x: fmt_number(x, ctx.lang, 0)  # noqa: E731
ALL = {"placeholder": ctx.t("explorer.any")}
pick = partial(view.bound_multiselect, lang=ctx.lang)  # a multiselect bound to the address

# ---- filters, every one in the address
with st.container(border=True):
    c1, c2, c3, c3b = st.columns([1, 1, 1.3, 0.9])
    groups = pick(ctx.t("ui.group"), GROUPS, "group", lambda g: label("group", g, ctx.lang), c1, **ALL)
    chosen_fields = pick(ctx.t("ui.field"), view.field_options(meta, fields), "field", fields.get, c2, **ALL)
    chosen_depts = pick(ctx.t("ui.department"), list(depts), "department", depts.get, c3, **ALL)
    freqs = pick(ctx.t("ui.frequency"), FREQUENCIES, "frequency", lambda f: label("frequency", f, ctx.lang), c3b, **ALL)
    c4, c5, c6, c7 = st.columns([3, 2, 1.2, 1.2])
    options = view.indicator_options(meta, groups, chosen_fields, chosen_depts, freqs)
    codes = pick(
        ctx.t("ui.indicator"), options, "indicator", lambda c: f"{c} · {names.get(c, c)}", c4,
        placeholder=ctx.t("explorer.indicator_hint"),
    )  # fmt: skip
    communes = pick(ctx.t("ui.locality"), view.commune_options(places), "commune", place_names.get, c5, **ALL)
    month_from, month_to = view.period_range(ctx.t, ctx.lang, months, view.default_from(ctx.today), c6, c7)

# ---- the selection: counted, then loaded whole (the downloads) unless too big
filters = view.build_filters(
    groups, chosen_fields, chosen_depts, codes, communes, month_from, month_to, options if freqs else None
)
total = int(ctx.load(queries.explorer_count, filters)["n"][0])
span = view.range_text(month_from, month_to, ctx.lang, ctx.t("explorer.from_all"), ctx.t("explorer.to_all"))
summary = st.empty()
if total == 0:
    summary.markdown(ctx.t("explorer.summary", n=0, indicators=0, places=0, periods=0, range=span))
    components.empty(ctx, "ui.empty")
    st.stop()
tab, tabs = view.bound_tabs({v: ctx.t(f"explorer.tab_{v}") for v in ("pivot", "chart", "data")}, "explorer_tab")
sort_key = state.param("sort", "period_desc")
if tab == "data":  # the sort is chosen before the rows are loaded
    with tabs["data"]:
        sort_key = state.select(
            ctx.t("explorer.sort"), list(view.SORTS), "sort", "period_desc", lambda s: ctx.t(f"explorer.sort.{s}"),
            st.columns(3)[0],
        )  # fmt: skip
sort_key = sort_key if sort_key in view.SORTS else "period_desc"
whole = total <= view.DOWNLOAD_CAP
data = ctx.load(queries.explorer, filters, *view.SORTS[sort_key], None if whole else view.SHOW_ROWS)
data = view.in_language(data, meta, ctx.lang)  # units in the reader's language
counts = {k: num(v) for k, v in view.summary_counts(data).items()}
summary.markdown(ctx.t("explorer.summary", n=num(total), range=span, **counts))
# the XLSX downloads open with what was chosen: the period, the selection's size, the date of the data
sheet = sheets.heading(
    ctx.lang, ctx.t("page.explorer"), period=span, as_of=ctx.as_of, demo=ctx.demo,
    extra=[(ctx.t("sheet.filters"), ctx.t("sheet.selection", n=num(total), **counts))],
)  # fmt: skip
with tabs[tab]:
    if tab == "pivot":
        part.pivot_tab(ctx, data, meta, names, num, sheet)
    elif tab == "chart":
        part.chart_tab(ctx, data, meta, names)
    else:
        part.data_tab(ctx, data, total, whole, num, sheet)
