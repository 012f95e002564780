"""/department?code=...: one department's indicators and their status, what falls due, its files, timeliness."""

import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.page import setup
from dashboard.parts import department as part
from dashboard.parts import explanations, report
from dashboard.tables import picked
from dashboard.views import department as view
from db import queries

ctx = setup("department", show_title=False)
departments, catalogue = ctx.load(queries.departments), ctx.load(queries.catalogue)
wanted = state.param("code")
listed = view.options(departments, ctx.lang)[0][1:]  # the list's order
if not view.resolve(departments, wanted) and (clicked := picked(st.session_state.get("table_departments"), listed)):
    wanted = st.session_state["qp_code"] = clicked  # a row of the list was clicked: open it, the box following
row = view.resolve(departments, wanted)
if row and row["code"] != state.param("code"):
    state.set_param("code", row["code"])  # any case matches; the address keeps the stored form


def chooser(box) -> str:
    codes, names = view.options(departments, ctx.lang)
    return state.select(ctx.t("department.choose"), codes, "code", "", names.get, container=box) or ""


if row is None:  # no department chosen: the list of them all
    st.title(ctx.t("page.department"))
    st.caption(ctx.t("department.intro"))
    if wanted:
        st.warning(ctx.t("department.unknown", code=ui.plain(wanted)), icon=":material/search_off:")
    if chooser(st.container(width=520)):
        st.rerun()
    part.all_departments(ctx)
    st.stop()
if chooser(st.sidebar) != row["code"]:
    st.rerun()

codes = view.own_codes(catalogue, row["code"])
latest = evaluation.latest(ctx, codes)
detail = evaluation.timeliness_detail(ctx, codes)
due = view.due_next(latest, catalogue, ctx.today)
part.header(ctx, row, latest, detail, due)
report.buttons(ctx, department=row["code"])  # the report pack of this department's indicators

names = ["indicators", "explanations", "due", "submissions", "timeliness"]
titles = [ctx.t(f"department.tab_{n}") for n in names if n != "explanations"]
titles.insert(1, ctx.t("explanations.tab", waiting=explanations.waiting(ctx, row["code"])))
opened = titles[1] if explanations.just_written() else titles[0]  # after an answer, stay where it was given
tabs = dict(zip(names, st.tabs(titles, default=opened), strict=True))
with tabs["indicators"]:
    part.indicators_tab(ctx, row, latest)
with tabs["explanations"]:
    explanations.answer_section(ctx, row["code"], view.department_name(row, ctx.lang), "department")
with tabs["due"]:
    part.due_tab(ctx, row, due)
with tabs["submissions"]:
    part.submissions_tab(ctx, row)
with tabs["timeliness"]:
    part.timeliness_tab(ctx, row, detail, catalogue)
