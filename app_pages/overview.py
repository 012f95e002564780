"""Overview for the leadership: on track, slipping, who owns it (CONTRACT §5: `/`)."""

import streamlit as st

from dashboard import evaluation, figures
from dashboard.page import setup
from dashboard.parts import explanations, report
from dashboard.views import overview as view
from db import queries

ctx = setup("overview")
evaluated = evaluation.latest(ctx)

st.html(view.STYLE)
st.html(view.meta_html(ctx.as_of, ctx.today, ctx.demo, ctx.lang))
report.buttons(ctx)  # the report pack of what this page shows
if evaluated.is_empty():
    st.info(ctx.t("ui.no_data"), icon=":material/info:")
    st.stop()
st.html(view.headline_html(evaluated, ctx.lang))

# Status by group: five cards, each opening its group page.
st.html(view.section_title(ctx.t("overview.groups_title"), ctx.t("overview.groups_note")))
st.html(view.group_cards_html(evaluated, ctx.lang))

# Warnings: off track, late or worsening, each with its owner.
warnings = view.warning_rows(evaluated)
st.html(view.section_title(ctx.t("ui.warnings"), ctx.t("overview.warnings_note", n=warnings.height)))
if warnings.is_empty():
    st.success(ctx.t("ui.no_warnings"), icon=":material/check_circle:")
else:
    st.html(view.warnings_html(warnings.head(view.FIRST_WARNINGS), ctx.lang))
    rest = warnings.slice(view.FIRST_WARNINGS)
    if rest.height:
        with st.expander(ctx.t("overview.more_warnings", n=rest.height)):
            st.html(view.warnings_html(rest, ctx.lang))

# Explanations asked of the departments: awaiting, overdue, answered.
explanations.overview_section(ctx)

# Composite indices: latest value and change against the same period last year.
st.html(view.section_title(ctx.t("overview.composites_title"), ctx.t("overview.composites_note")))
computed = view.computed_codes(ctx.load(queries.catalogue))
st.html(view.composite_tiles_html(view.composite_rows(evaluated), ctx.lang, computed))

# Departments: their indicators by status and how punctually they send data, in the stated window.
departments = view.department_rows(evaluation.departments(ctx))
late = departments.filter(departments["late"] > 0).height
st.html(
    view.section_title(ctx.t("ui.departments"), ctx.t("summary.departments_late", n=late, total=departments.height))
)
since = evaluation.window(ctx).since
st.html(view.departments_html(departments, since, ctx.lang))
st.caption(ctx.t("overview.on_time_note", since=figures.date(since, ctx.lang)))
