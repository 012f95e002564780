"""Presentation mode for working sessions: one indicator per slide, sized for a projector (CONTRACT §5: `/present`)."""

from dataclasses import replace

import streamlit as st

from dashboard import evaluation, state
from dashboard.page import setup
from dashboard.parts import present as parts
from dashboard.views import present as view

ctx = setup("present", show_title=False)
st.html(view.STYLE)
moment, at, newer = parts.frozen(ctx)  # the data held still for the meeting, kept in the address (?asof=)
if at is not None:
    ctx = replace(ctx, as_of=evaluation.as_of(ctx, at))
evaluated = evaluation.latest(ctx, at=at)

bar, choose = st.columns([10, 2.2], vertical_alignment="center")
popover = choose.popover(ctx.t("present.choose"), icon=":material/tune:", width="stretch")
with popover:
    choice = parts.chooser(ctx, evaluated, newer)
rows = view.slide_rows(evaluated, choice.mode, choice.group, choice.department, choice.codes,
                       "warnings" if choice.focus else "all")  # fmt: skip
what = view.context_text(choice.mode, choice.group, choice.department, choice.codes, choice.focus, evaluated, ctx.lang)
bar.html(view.top_html(what, parts.exit_href(ctx), ctx.lang, ctx.as_of, ctx.demo, moment, newer))
if rows.is_empty():
    st.html(view.empty_html(ctx.t("present.nothing")))
    st.stop()

n = rows.height
number = view.clamp_slide(state.param("slide"), n)
state.set_param("slide", str(number), "1")
with popover:
    parts.agenda(ctx, rows, number)
parts.slide(ctx, rows.row(number - 1, named=True), number, n, at)
parts.navigation(ctx, number, n)
