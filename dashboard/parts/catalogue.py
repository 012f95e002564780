"""The catalogue page's parts: the filters, the list, coverage, the six steps, and the administrator's replacement."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

import db
from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.i18n import label
from dashboard.page import Ctx, show_error
from dashboard.views import catalogue as view
from dashboard.views import catalogue_admin as admin
from db import queries


def filters(ctx: Ctx, catalogue: pl.DataFrame) -> tuple[str, str, tuple]:
    """Search (?q) and sort (?sort), then group, field, owner and stage (repeated parameters)."""
    with st.container(border=True):
        left, right = st.columns([3, 1])
        query = state.text(ctx.t("ui.search"), "q", container=left, placeholder=ctx.t("ui.search_hint"))
        sort = state.select(
            ctx.t("catalogue.sort"), view.SORTS, "sort", "name", lambda s: ctx.t(f"catalogue.sort_{s}"), right
        )
        boxes = st.columns(4)
        any_ = {"placeholder": ctx.t("ui.all")}
        fields, owners = view.field_options(catalogue, ctx.lang), view.owner_options(catalogue, ctx.lang)
        chosen = (
            state.multiselect(
                ctx.t("ui.group"), view.GROUPS, "group", lambda g: label("group", g, ctx.lang), boxes[0], **any_
            ),
            state.multiselect(ctx.t("ui.field"), list(fields), "field", fields.get, boxes[1], **any_),
            state.multiselect(ctx.t("ui.owner"), list(owners), "department", owners.get, boxes[2], **any_),
            state.multiselect(
                ctx.t("ui.stage"), view.STAGES, "stage", lambda s: label("stage", s, ctx.lang), boxes[3], **any_
            ),
        )
    return query, sort, chosen


def list_tab(ctx: Ctx, catalogue: pl.DataFrame) -> None:
    query, sort, chosen = filters(ctx, catalogue)

    def listed() -> tuple[int, Any]:
        shown = view.sort_catalogue(view.filter_catalogue(catalogue, query, *chosen), sort, ctx.lang)
        return shown.height, None if shown.is_empty() else view.catalogue_table(shown, ctx.lang)

    # Built once per data version, language and filters (Ctx.once), shared by every session.
    count, table = ctx.once("catalogue.list", query, sort, tuple(map(tuple, chosen)), build=listed)
    st.caption(view.counts_caption(count, catalogue.height, ctx.lang) + " · " + ctx.t("catalogue.download_note"))
    if table is None:
        return ui.empty(ctx, "ui.empty")
    ui.shown(ctx, table, "catalogue", "catalogue", most=560)


def coverage_tab(ctx: Ctx, catalogue: pl.DataFrame) -> None:
    st.caption(ctx.t("catalogue.coverage_caption"))
    table = ctx.once(
        "catalogue.coverage",
        build=lambda: view.coverage_table(view.coverage(catalogue, evaluation.gaps(ctx)), ctx.today.year, ctx.lang),
    )
    ui.shown(ctx, table, "catalogue_coverage", "coverage")


def stages_tab(ctx: Ctx, catalogue: pl.DataFrame) -> None:
    st.caption(ctx.t("catalogue.stages_caption"))
    with st.container(key="catalogue_stages"):
        for column, (stage, n) in zip(st.columns(6), view.stage_totals(catalogue).items(), strict=True):
            column.metric(f"{view.STAGES.index(stage) + 1}. {label('stage', stage, ctx.lang)}", n, border=True)

    def staged() -> tuple[dict, Any]:
        matrix = view.stage_matrix(catalogue, ctx.lang)
        return ui.spec(view.stage_heatmap(matrix, ctx.lang, ctx.as_of, ctx.demo)), view.stage_table(matrix, ctx.lang)

    chart, table = ctx.once("catalogue.stages", build=staged)
    ui.chart(ctx, chart, "catalogue_stages", "stages")
    ui.shown(ctx, table, "catalogue_stages", "stages")


def _refused(ctx: Ctx, problems: list, key: str) -> None:
    """A refused catalogue: how many problems, then every one (file, code, attribute, message)."""
    st.error(ctx.t("catalogue.admin_refused", n=len(problems)), icon=":material/block:")
    columns = {
        "file": ctx.t("catalogue.admin_file"),
        "code": ctx.t("ui.code"),
        "field": ctx.t("catalogue.admin_field"),
        "message": ctx.t("ui.message"),
    }
    frame = admin.problems_frame(problems, ctx.lang)
    if frame.height <= admin.READABLE_PROBLEMS:  # every message readable in full, wrapped; cells made plain
        st.table(admin.readable_problems(frame, columns), hide_index=True, border="horizontal")
    else:
        st.dataframe(frame, hide_index=True, key=key, column_config=columns)


def _preview(ctx: Ctx, catalogue: pl.DataFrame, upload, checked, upload_round: int) -> None:
    """What the uploaded catalogue changes, attribute by attribute; replaced only on a click."""
    change = admin.preview(ctx.path, checked)
    names = {i.code: i.name_en if ctx.lang == "en" else i.name_vi for i in checked.indicators}
    names |= dict(zip(catalogue["code"], catalogue[f"name_{ctx.lang}"], strict=True))
    a, r, c = st.columns(3)
    a.metric(ctx.t("catalogue.admin_added"), len(change.added), border=True)
    r.metric(ctx.t("catalogue.admin_removed"), len(change.removed), border=True)
    c.metric(ctx.t("catalogue.admin_changed"), len(change.changed), border=True)
    for kind in ("added", "removed"):
        if codes := getattr(change, kind):
            listed = "; ".join(ui.plain(f"{k} {names[k]}") for k in codes)  # from the uploaded file: text
            st.caption(f"{ctx.t(f'catalogue.admin_{kind}')}: {listed}")
    if change.changes:
        st.markdown("##### " + ctx.t("catalogue.admin_changes", n=len(change.changes)))
        columns = {
            "code": ctx.t("ui.code"),
            "name": ctx.t("ui.name"),
            "field": ctx.t("catalogue.admin_field"),
            "old": ctx.t("catalogue.admin_old"),
            "new": ctx.t("catalogue.admin_new"),
        }
        frame = admin.changes_frame(change, names, ctx.lang)
        height = min(420, 38 + 35 * frame.height)
        st.dataframe(frame, hide_index=True, key="catalogue_changes", column_config=columns, height=height)
    if change.none:
        return st.info(ctx.t("catalogue.admin_same"), icon=":material/info:")
    if not st.button(ctx.t("catalogue.admin_replace"), type="primary", key="catalogue_replace"):
        return
    try:
        done = admin.replace(upload.name, upload.getvalue(), ctx.path, ctx.account)
    except db.DatabaseError as exc:  # busy: a clear message, nothing changed
        show_error(ctx, exc)
        st.stop()
    if isinstance(done, list):
        return _refused(ctx, done, "catalogue_refusal")
    st.session_state["catalogue_replaced"] = len(done.indicators)  # every page reads it at its next run
    st.session_state["catalogue_upload_round"] = upload_round + 1
    st.rerun()


def admin_tab(ctx: Ctx, catalogue: pl.DataFrame) -> None:
    """An administrator replaces the catalogue: checked whole, refused whole, recorded either way."""
    st.caption(ctx.t("catalogue.admin_intro"))
    if (replaced := st.session_state.pop("catalogue_replaced", None)) is not None:
        st.success(ctx.t("catalogue.admin_done", n=replaced), icon=":material/check_circle:")
    upload_round = st.session_state.get("catalogue_upload_round", 0)  # a new key empties the uploader
    upload = st.file_uploader(
        ctx.t("catalogue.admin_uploader"), type=list(admin.UPLOAD_TYPES), key=f"catalogue_file_{upload_round}"
    )
    if upload is not None:
        checked = admin.check(upload.name, upload.getvalue(), ctx.path)
        if isinstance(checked, list):
            _refused(ctx, checked, "catalogue_problems")
        else:
            _preview(ctx, catalogue, upload, checked, upload_round)
    st.markdown("#### " + ctx.t("catalogue.admin_recent"))
    loads = {
        "id": None,
        "loaded_at": st.column_config.DatetimeColumn(ctx.t("catalogue.admin_when"), format="DD/MM/YYYY HH:mm"),
        "file_name": ctx.t("catalogue.admin_file"),
        "indicators": ctx.t("ui.indicators"),
        "loaded_by": ctx.t("catalogue.admin_by"),
    }
    recent = ctx.load(queries.catalogue_loads)
    recent = recent.with_columns(recent["loaded_by"].fill_null(ctx.t("catalogue.admin_server")))
    st.dataframe(recent, hide_index=True, key="catalogue_loads", column_config=loads)
