"""/catalogue: every indicator with its attributes, searchable without diacritics; the five groups; the six steps."""

import streamlit as st

import db
from dashboard import components as ui
from dashboard import evaluation, state
from dashboard.i18n import label
from dashboard.page import setup, show_error
from dashboard.views import catalogue as view
from dashboard.views import catalogue_admin as admin
from dashboard.views.indicator import tiles_css
from db import queries

ctx = setup("catalogue")
lang = ctx.lang
catalogue = ctx.load(queries.catalogue)
st.caption(ctx.t("catalogue.intro"))


def show(table: view.Table, name: str, key: str, links: tuple[str, ...] = (), most: int | None = None, **kwargs):
    """A view's table with its downloads; ``links``: columns of relative links (opened in a new tab); ``most``:
    the tallest it may be in pixels, shorter when it has few rows."""
    config = table.config | {c: st.column_config.LinkColumn(c, display_text=":material/open_in_new:") for c in links}
    if most:
        kwargs["height"] = min(most, 38 + 35 * max(1, table.display.height))
    return ui.table(ctx, table.display, name, key, downloads=table.download, column_config=config, **kwargs)


def filters():
    """Search (?q) and sort (?sort), then group, field, owner and stage (repeated parameters)."""
    with st.container(border=True):
        left, right = st.columns([3, 1])
        query = state.text(ctx.t("ui.search"), "q", container=left, placeholder=ctx.t("ui.search_hint"))
        sort = state.select(
            ctx.t("catalogue.sort"), view.SORTS, "sort", "name", lambda s: ctx.t(f"catalogue.sort_{s}"), right
        )
        boxes = st.columns(4)
        any_ = {"placeholder": ctx.t("ui.all")}
        fields, owners = view.field_options(catalogue, lang), view.owner_options(catalogue, lang)
        chosen = (
            state.multiselect(
                ctx.t("ui.group"), view.GROUPS, "group", lambda g: label("group", g, lang), boxes[0], **any_
            ),
            state.multiselect(ctx.t("ui.field"), list(fields), "field", fields.get, boxes[1], **any_),
            state.multiselect(ctx.t("ui.owner"), list(owners), "department", owners.get, boxes[2], **any_),
            state.multiselect(
                ctx.t("ui.stage"), view.STAGES, "stage", lambda s: label("stage", s, lang), boxes[3], **any_
            ),
        )
    return query, sort, chosen


st.html(tiles_css("catalogue_groups") + tiles_css("catalogue_stages"))
with st.container(key="catalogue_groups"):
    for column, (group, n) in zip(st.columns(5), view.group_counts(catalogue).items(), strict=True):
        column.metric(label("group", group, lang), n, border=True, help=ctx.t(f"catalogue.group_help_{group}"))

names = ["catalogue", "coverage", "stages", *(["admin"] if ctx.can("admin") else [])]
tabs = dict(zip(names, st.tabs([ctx.t(f"catalogue.tab_{n}") for n in names]), strict=True))
with tabs["catalogue"]:
    query, sort, (groups, fields, owners, stages) = filters()
    shown = view.sort_catalogue(view.filter_catalogue(catalogue, query, groups, fields, owners, stages), sort, lang)
    st.caption(view.counts_caption(shown.height, catalogue.height, lang) + " · " + ctx.t("catalogue.download_note"))
    if shown.is_empty():
        ui.empty(ctx, "ui.empty")
    else:
        show(view.catalogue_table(shown, lang), "catalogue", "catalogue", links=(ctx.t("ui.open"),), most=560)

with tabs["coverage"]:
    st.caption(ctx.t("catalogue.coverage_caption"))
    cover = view.coverage(catalogue, evaluation.gaps(ctx))
    show(view.coverage_table(cover, ctx.today.year, lang), "catalogue_coverage", "coverage")

with tabs["stages"]:
    st.caption(ctx.t("catalogue.stages_caption"))
    with st.container(key="catalogue_stages"):
        for column, (stage, n) in zip(st.columns(6), view.stage_totals(catalogue).items(), strict=True):
            column.metric(f"{view.STAGES.index(stage) + 1}. {label('stage', stage, lang)}", n, border=True)
    matrix = view.stage_matrix(catalogue, lang)
    ui.chart(ctx, view.stage_heatmap(matrix, lang, ctx.as_of, ctx.demo), "catalogue_stages", "stages")
    show(view.stage_table(matrix, lang), "catalogue_stages", "stages")


def refused(problems: list, key: str) -> None:
    """A refused catalogue: how many problems, then every one (file, code, attribute, message)."""
    st.error(ctx.t("catalogue.admin_refused", n=len(problems)), icon=":material/block:")
    columns = {
        "file": ctx.t("catalogue.admin_file"),
        "code": ctx.t("ui.code"),
        "field": ctx.t("catalogue.admin_field"),
        "message": ctx.t("ui.message"),
    }
    frame = admin.problems_frame(problems, lang)
    if frame.height <= admin.READABLE_PROBLEMS:  # every message readable in full, wrapped; cells shown as text
        st.table(admin.readable_problems(frame, columns), hide_index=True, border="horizontal")
    else:
        st.dataframe(frame, hide_index=True, key=key, column_config=columns)


if "admin" in tabs:  # an admin replaces the catalogue: checked whole, refused whole, recorded either way
    with tabs["admin"]:
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
                refused(checked, "catalogue_problems")
            else:
                change = admin.preview(ctx.path, checked)
                names = {i.code: i.name_en if lang == "en" else i.name_vi for i in checked.indicators}
                names |= dict(zip(catalogue["code"], catalogue[f"name_{lang}"], strict=True))
                a, r, c = st.columns(3)
                a.metric(ctx.t("catalogue.admin_added"), len(change.added), border=True)
                r.metric(ctx.t("catalogue.admin_removed"), len(change.removed), border=True)
                c.metric(ctx.t("catalogue.admin_changed"), len(change.changed), border=True)
                for kind in ("added", "removed"):
                    if codes := getattr(change, kind):
                        st.caption(
                            f"{ctx.t(f'catalogue.admin_{kind}')}: " + "; ".join(f"{k} {names[k]}" for k in codes)
                        )
                if change.changes:
                    st.markdown("##### " + ctx.t("catalogue.admin_changes", n=len(change.changes)))
                    columns = {
                        "code": ctx.t("ui.code"),
                        "name": ctx.t("ui.name"),
                        "field": ctx.t("catalogue.admin_field"),
                        "old": ctx.t("catalogue.admin_old"),
                        "new": ctx.t("catalogue.admin_new"),
                    }
                    frame = admin.changes_frame(change, names, lang)
                    height = min(420, 38 + 35 * frame.height)
                    st.dataframe(frame, hide_index=True, key="catalogue_changes", column_config=columns, height=height)
                if change.none:
                    st.info(ctx.t("catalogue.admin_same"), icon=":material/info:")
                elif st.button(ctx.t("catalogue.admin_replace"), type="primary", key="catalogue_replace"):
                    try:
                        done = admin.replace(upload.name, upload.getvalue(), ctx.path, ctx.account)
                    except db.DatabaseError as exc:  # busy: a clear message, nothing changed
                        show_error(ctx, exc)
                        st.stop()
                    if isinstance(done, list):
                        refused(done, "catalogue_refusal")
                    else:  # every page reads the new catalogue at its next run, this one too
                        st.session_state["catalogue_replaced"] = len(done.indicators)
                        st.session_state["catalogue_upload_round"] = upload_round + 1
                        st.rerun()
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
