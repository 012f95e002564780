"""/department?code=...: one department's indicators and their status, its files, timeliness, what falls due."""

import streamlit as st

from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.page import _is_demo, setup
from dashboard.views import department as view
from dashboard.views.indicator import picked, tiles_css
from db import queries

ctx = setup("department", show_title=False)
lang = ctx.lang
departments = ctx.load(queries.departments)
catalogue = ctx.load(queries.catalogue)
wanted = state.param("code")
listed = view.options(departments, lang)[0][1:]  # the overview table's order
if not view.resolve(departments, wanted) and (clicked := picked(st.session_state.get("table_departments"), listed)):
    wanted = clicked  # a row of the overview was clicked: open it here, the select box following
    st.session_state["qp_code"] = clicked
row = view.resolve(departments, wanted)
if row and row["code"] != state.param("code"):
    state.set_param("code", row["code"])  # any case matches; the address keeps the stored form


def show(table: view.Table, name: str, key: str, links: tuple[str, ...] = (), most: int | None = None, **kwargs):
    """A view's table with its downloads; ``links``: columns of relative links (opened in a new tab); ``most``:
    the tallest it may be in pixels, shorter when it has few rows."""
    config = table.config | {c: st.column_config.LinkColumn(c, display_text=":material/open_in_new:") for c in links}
    if most:
        kwargs["height"] = min(most, 38 + 35 * max(1, table.display.height))
    return ui.table(ctx, table.display, name, key, downloads=table.download, column_config=config, **kwargs)


def chooser(box) -> str:
    codes, names = view.options(departments, lang)
    return state.select(ctx.t("department.choose"), codes, "code", "", names.get, container=box) or ""


def choose_page() -> None:
    st.title(ctx.t("page.department"))
    st.caption(ctx.t("department.intro"))
    if wanted:
        st.warning(ctx.t("department.unknown", code=wanted), icon=":material/search_off:")
    if chooser(st.container(width=520)):
        st.rerun()
    summary = evaluation.departments(ctx)
    st.caption(ctx.t("department.overview_caption"))
    table = view.overview_table(summary, lang)
    show(
        table,
        "departments",
        "departments",
        (ctx.t("ui.open"),),
        most=600,
        on_select="rerun",
        selection_mode="single-row",
    )


def indicators_tab(latest, name: str, demo: bool) -> None:
    if latest.is_empty():
        return ui.empty(ctx, "department.no_indicators")
    ui.chart(ctx, view.status_chart(latest, name, lang, ctx.today, demo), f"{row['code'].lower()}_status", "status")
    table = view.indicators_table(latest, lang)
    show(table, f"{row['code'].lower()}_indicators", "indicators", links=(ctx.t("ui.open"),))


def due_tab(due) -> None:
    if due.is_empty():
        return ui.empty(ctx, "department.nothing_due")
    st.caption(ctx.t("department.due_caption"))
    show(view.due_table(due, lang), f"{row['code'].lower()}_due", "due", links=(ctx.t("ui.open"),))


def submissions_tab() -> None:
    subs = ctx.load(queries.submissions, row["code"])
    if subs.is_empty():
        return ui.empty(ctx, "department.no_submissions")
    st.caption(view.submissions_summary(subs, lang))
    show(view.submissions_table(subs, lang), f"{row['code'].lower()}_submissions", "submissions", most=420)
    for sub in subs.filter(subs["status"] == "rejected").head(5).iter_rows(named=True):
        when = view.fmt_datetime(sub["submitted_at"], lang)
        with st.expander(ctx.t("department.errors_title", file=sub["file_name"], date=when), icon=":material/error:"):
            errors = view.errors_table(ctx.load(queries.submission_errors, sub["id"]), lang)
            show(errors, f"{row['code'].lower()}_rejected_{sub['id']}", f"errors_{sub['id']}")


def timeliness_tab(detail, name: str, demo: bool) -> None:
    if detail.is_empty():
        return ui.empty(ctx, "department.no_timeliness")
    grid = view.timeliness_grid(detail, catalogue, ctx.today, lang)
    ui.chart(ctx, view.timeliness_chart(grid, name, lang, ctx.today, demo), f"{row['code'].lower()}_timeliness", "grid")
    table = view.timeliness_table(detail, lang)
    show(table, f"{row['code'].lower()}_timeliness", "timeliness", links=(ctx.t("ui.open"),), most=420)


if row is None:
    choose_page()
    st.stop()
if chooser(st.sidebar) != row["code"]:
    st.rerun()

codes = view.own_codes(catalogue, row["code"])
latest = evaluation.latest(ctx, codes)
detail = evaluation.timeliness_detail(ctx, codes)
due = view.due_next(latest, catalogue, ctx.today)
name = view.department_name(row, lang)
st.title(name)
st.caption(ctx.t("department.subtitle", code=row["code"], n=len(codes)))
if sentence := view.overdue_sentence(due, lang):
    st.warning(sentence, icon=":material/schedule:")
st.html(tiles_css("department_tiles"))
with st.container(key="department_tiles"):
    for column, tile in zip(st.columns(6), view.tiles(latest, detail, lang), strict=True):
        column.metric(**tile._asdict(), border=True, height="stretch")

names = ["indicators", "due", "submissions", "timeliness"]
tabs = dict(zip(names, st.tabs([ctx.t(f"department.tab_{n}") for n in names]), strict=True))
demo = ctx.load(_is_demo)
with tabs["indicators"]:
    indicators_tab(latest, name, demo)
with tabs["due"]:
    due_tab(due)
with tabs["submissions"]:
    submissions_tab()
with tabs["timeliness"]:
    timeliness_tab(detail, name, demo)
