"""/catalogue: every indicator with its attributes, searchable without diacritics; the five groups; the six steps."""

import streamlit as st

from dashboard.i18n import label
from dashboard.page import setup
from dashboard.parts import catalogue as part
from dashboard.views import catalogue as view
from db import queries

ctx = setup("catalogue")
catalogue = ctx.load(queries.catalogue)
st.caption(ctx.t("catalogue.intro"))

with st.container(key="catalogue_groups"):
    for column, (group, n) in zip(st.columns(5), view.group_counts(catalogue).items(), strict=True):
        column.metric(label("group", group, ctx.lang), n, border=True, help=ctx.t(f"catalogue.group_help_{group}"))

names = ["catalogue", "coverage", "stages", *(["admin"] if ctx.can("admin") else [])]
tabs = dict(zip(names, st.tabs([ctx.t(f"catalogue.tab_{n}") for n in names]), strict=True))
with tabs["catalogue"]:
    part.list_tab(ctx, catalogue)
with tabs["coverage"]:
    part.coverage_tab(ctx, catalogue)
with tabs["stages"]:
    part.stages_tab(ctx, catalogue)
if "admin" in tabs:
    with tabs["admin"]:
        part.admin_tab(ctx, catalogue)
