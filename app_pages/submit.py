"""/submit: a department sees what is due, downloads its template, uploads its file, confirms any revision."""

import streamlit as st

from dashboard import state
from dashboard.markdown import plain
from dashboard.page import setup
from dashboard.parts import submit as part
from dashboard.parts.explanations import answer_section
from dashboard.views import submit as view
from db import queries

ctx = setup("submit")
st.caption(ctx.t("submit.intro"))
depts = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())

# ---- 1. the department: a submitter's own (the owner rule), else any, to read its template and its files
own = view.own_department(ctx.account) if ctx.can("submit") else None
left, right = st.columns([2, 3], gap="large")
with left:
    st.markdown("#### " + ctx.t("submit.step_department"))
    dept = state.select(
        ctx.t("submit.choose_department"), [own] if own else ["", *depts], "department", default=None if own else "",
        format_func=lambda c: f"{depts.get(c, c)} ({c})" if c else ctx.t("submit.no_department"), disabled=bool(own),
    )  # fmt: skip
    if not dept:
        st.info(ctx.t("submit.pick_department_first"), icon=":material/info:")
with right:  # ---- 2. its template: the periods due (or one chosen), the last values beside them
    st.markdown("#### " + ctx.t("submit.step_template"))
    offered = part.template(ctx, dept)
part.due(ctx, offered)

# ---- 3. the file: checked, then written at once (new values only) or after a confirmation (revisions)
st.markdown("#### " + ctx.t("submit.step_upload"))
if not own:
    st.warning(view.refusal(ctx.account, ctx.lang, ctx.t), icon=":material/lock:")
else:
    part.upload(ctx, dept)
    part.pending(ctx, dept)
if dept:
    part.outcome(ctx, dept)
    part.recent(ctx, dept)

# ---- explanations the leadership asked of the department, answered here as on the department's page
if own:
    st.markdown("#### " + ctx.t("explanations.for_department", department=plain(depts.get(own, own))))
    answer_section(ctx, own, depts.get(own, own), "submit")
