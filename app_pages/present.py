"""Presentation mode for working sessions: one indicator per slide, big type, keyboard (CONTRACT §5: `/present`)."""

import streamlit as st

from dashboard import evaluation, figures, links, state
from dashboard.i18n import label
from dashboard.page import setup
from dashboard.parts.explanations import slide_html
from dashboard.views import present as view
from dashboard.views.group import GROUPS, department_options
from db import queries

ctx = setup("present", show_title=False)
st.html(view.STYLE)
evaluated = evaluation.latest(ctx)
catalogue = ctx.load(queries.catalogue)


def restart() -> None:
    state.set_param("slide", None)


def go(step: int, n: int) -> None:
    here = view.clamp_slide(state.param("slide"), n)
    state.set_param("slide", str(view.clamp_slide(str(here + step), n)), "1")


# What to present: chosen in a small popover, kept in the address.
bar, chooser = st.columns([12, 1.6], vertical_alignment="center")
with chooser.popover(ctx.t("present.choose"), icon=":material/tune:", width="stretch"):
    mode = state.select(
        ctx.t("present.mode"), view.MODES, key="by", default="group",
        format_func=lambda m: ctx.t(f"present.mode_{m}"), on_change=restart,
    )  # fmt: skip
    group = department = None
    codes: list[str] = []
    if mode == "group":
        group = state.select(
            ctx.t("ui.group"), GROUPS, key="group", default="input",
            format_func=lambda g: label("group", g, ctx.lang), on_change=restart,
        )  # fmt: skip
    elif mode == "department":
        depts = department_options(evaluated, ctx.lang)
        department = state.select(
            ctx.t("ui.department"), list(depts), key="department", default=next(iter(depts), None),
            format_func=lambda c: depts.get(c, c), on_change=restart,
        )  # fmt: skip
    else:
        names = {r["code"]: figures.name(r, ctx.lang) for r in evaluated.iter_rows(named=True)}
        codes = state.multiselect(
            ctx.t("ui.indicators"), list(names), key="codes",
            format_func=lambda c: f"{c} · {names[c]}", on_change=restart,
        )  # fmt: skip
    focus = st.toggle(ctx.t("present.focus"), value=state.param("focus") == "warnings", key="present_focus")
    state.set_param("focus", "warnings" if focus else None)

rows = view.slide_rows(evaluated, mode, group, department, codes, "warnings" if focus else "all")
what = view.context_text(mode, group, department, codes, focus, evaluated, ctx.lang)
bar.html(view.top_html(what, links.href("", ctx.lang), ctx.lang, ctx.as_of, ctx.demo))
if rows.is_empty():
    st.html(view.empty_html(ctx.t("present.nothing")))
    st.stop()

n = rows.height
slide = view.clamp_slide(state.param("slide"), n)
state.set_param("slide", str(slide), "1")
row = rows.row(slide - 1, named=True)
meta = catalogue.filter(catalogue["code"] == row["code"]).row(0, named=True)

st.html(view.title_html(row, ctx.lang, label("frequency", row["frequency"], ctx.lang)))
left, right = st.columns([2.15, 1], gap="large")
series = evaluation.series(ctx, row["code"])
labels = view.chart_labels(row, meta["source"], ctx.stamp)
left.altair_chart(view.slide_figure(series, row, labels), width="stretch", theme=None, key="slide_chart")
right.html(view.panel_html(row, ctx.lang))
if asked := slide_html(ctx, row):  # the explanation asked for this period, and its answer
    right.html(asked)
st.html(view.summary_html(view.summary(row, ctx.lang)))

# Previous / next: buttons, arrow keys, and PageUp/PageDown for presentation clickers.
back, count, forward = st.columns([1, 3, 1], vertical_alignment="center")
back.button(
    ctx.t("ui.previous"), key="present_prev", icon=":material/arrow_back:", shortcut="Left",
    on_click=go, args=(-1, n), disabled=slide <= 1, width="stretch",
)  # fmt: skip
count.html(f'<div class="pr-count">{ctx.t("ui.slide_of", n=slide, total=n)}</div>')
forward.button(
    ctx.t("ui.next"), key="present_next", icon=":material/arrow_forward:", icon_position="right",
    shortcut="Right", on_click=go, args=(1, n), disabled=slide >= n, width="stretch",
)  # fmt: skip
st.button("⇞", key="present_prev_pg", shortcut="PageUp", on_click=go, args=(-1, n), disabled=slide <= 1)
st.button("⇟", key="present_next_pg", shortcut="PageDown", on_click=go, args=(1, n), disabled=slide >= n)
