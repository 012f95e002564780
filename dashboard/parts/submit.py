"""The upload page's parts: the template and what is due, the upload, the preview to confirm, the outcome.

A submission takes two steps. ``upload`` checks the file (nothing written). A file that would change
published values waits as a ``Pending`` preview: every revision listed old -> new, a reason asked for,
and a confirmation naming how many published values it changes; only that click writes, and only if
every value the preview saw is still current (else the page says which changed and checks the file
again, so the person confirms on fresh figures). A file of new values only has nothing to confirm and
is written at once; a rejected file is recorded with its report, as the command line's ``submit`` does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import polars as pl
import streamlit as st

import db
from auth.errors import AuthError
from dashboard import export
from dashboard.downloads import offer
from dashboard.markdown import plain
from dashboard.numbers import fmt_number
from dashboard.page import Ctx, show_error
from dashboard.views import submit as view
from db import queries
from loaders.errors import StalePreview, UsageError
from loaders.ingest import ATTEMPTS, REASON_MAX, Preview
from rules import calendar

OUTCOME = "submit_outcome"  # the last submission's outcome, kept across reruns (never the file's bytes)
PENDING = "submit_pending"  # a checked file waiting for its confirmation (view.Pending)
NOTICE = "submit_notice"  # a one-line message for the next run (a cancelled preview)
REASON = "submit_reason"  # the reason field's key: filled with the file's notes when a preview arrives
ICONS = {"error": ":material/block:", "info": ":material/info:", "success": ":material/check_circle:"}


def _num(ctx: Ctx) -> Callable[[int], str]:
    return lambda n: fmt_number(n, ctx.lang, 0)


def _forget() -> None:
    """A new file replaces the previous outcome and any preview waiting for its confirmation."""
    for key in (OUTCOME, PENDING, NOTICE):
        st.session_state.pop(key, None)


# --------------------------------------------------------------------------- the template


def template(ctx: Ctx, dept: str | None) -> view.templates.Template | None:
    """The period chooser and the template's download; returns what the template holds."""
    if not dept:
        st.download_button(
            ctx.t("submit.template_button", rows="…"), data=b"", disabled=True, key="submit_template", icon=":material/download:"
        )  # fmt: skip
        return None
    owned = ctx.load(queries.catalogue).filter(pl.col("owner") == dept)["frequency"].unique().to_list()
    period = st.selectbox(
        ctx.t("submit.period_label"), view.period_options(owned, ctx.today), key="submit_period",
        format_func=lambda p: calendar.label_of(p, ctx.lang) if p else ctx.t("submit.period_due"),
        help=ctx.t("submit.period_help"),
    )  # fmt: skip
    due = ctx.load(view.due_template, dept, ctx.today, period or None)
    rows = view.count(ctx.t, "submit.n_rows", len(due.rows), _num(ctx))
    st.download_button(
        ctx.t("submit.template_button", rows=rows), data=lambda: view.template_bytes(due),
        file_name=view.template_name(dept, ctx.today), mime=view.XLSX_MIME, key="submit_template",
        on_click="ignore", icon=":material/download:", disabled=not due.rows,
    )  # fmt: skip
    st.caption(ctx.t("submit.template_help"))
    with st.expander(ctx.t("submit.rules_title")):
        st.markdown(ctx.t("submit.rules"))
    return due


def due(ctx: Ctx, offered: view.templates.Template | None) -> None:
    """What the template offers, per indicator: the period(s), the due date, the rows, the last value reported."""
    if offered is None:
        return
    st.markdown("##### " + ctx.t("submit.due_title"))
    if not offered.rows and not offered.up_to_date:
        return st.info(ctx.t("submit.template_empty"), icon=":material/event_available:")
    st.dataframe(view.due_table(offered, ctx.lang, ctx.t), hide_index=True, key="submit_due")


# --------------------------------------------------------------------------- the upload and its two steps


def upload(ctx: Ctx, dept: str) -> None:
    """The uploader and its button: the file is checked, then written at once or held for confirmation."""
    sent = st.file_uploader(
        ctx.t("submit.uploader"), type=None, key="submit_file", help=ctx.t("submit.uploader_help"),
        on_change=_forget,
    )  # fmt: skip
    if st.button(ctx.t("submit.send"), type="primary", key="submit_send", disabled=sent is None) and sent:
        _forget()
        if _guarded(ctx, dept, sent.name, lambda: _check(ctx, dept, sent.name, sent.getvalue())):
            st.rerun()  # the data version may have changed: this run and every page read the new figures


def _guarded(ctx: Ctx, dept: str, name: str, step: Callable[[], None]) -> bool:
    """Run a step of the submission; any failure becomes words on the page (nothing was written). True if done."""
    try:
        step()
    except db.DatabaseError as exc:  # DatabaseBusy among them: a clear message, nothing written
        show_error(ctx, exc)
    except (AuthError, UsageError) as exc:  # the owner rule refused, or an unknown department
        st.error(ctx.t("submit.usage_error", message=plain(exc.message_en if ctx.lang == "en" else exc.message_vi)))
    except Exception:  # the upload is the border: whatever a file does, the user gets words, not a traceback
        logging.getLogger(__name__).exception("submission of %r for %s failed", name, dept)
        st.error(ctx.t("submit.unexpected"))
    else:
        return True
    return False


def _check(ctx: Ctx, dept: str, name: str, data: bytes, stale: StalePreview | None = None, attempt: int = 1) -> None:
    """Step one: check the file. A revision waits for its confirmation; anything else is settled at once."""
    with st.spinner(ctx.t("submit.checking")):
        preview = view.preview_bytes(name, data, dept, ctx.path, ctx.account)
    if view.needs_confirmation(preview):
        st.session_state[PENDING] = view.Pending.of(preview, name, data, stale)
        if stale is None or not (st.session_state.get(REASON) or "").strip():  # asked again: keep what was typed
            st.session_state[REASON] = view.default_reason(preview)
        return
    _write(ctx, dept, name, data, preview, None, attempt)


def _write(ctx: Ctx, dept: str, name: str, data: bytes, preview: Preview, reason: str | None, attempt: int = 1) -> None:
    """Step two: write, if every value the preview saw is still current; else check again and ask again."""
    try:
        result = view.commit(preview, reason)
    except StalePreview as exc:
        st.session_state.pop(PENDING, None)
        if attempt >= ATTEMPTS:
            st.session_state[NOTICE] = ("error", "submit.stale_gave_up")
            return
        return _check(ctx, dept, name, data, exc, attempt + 1)
    st.session_state.pop(PENDING, None)
    st.session_state[OUTCOME] = view.Outcome.of(result, dept, name, reason)


def pending(ctx: Ctx, dept: str) -> None:
    """A checked file that revises published values: what it changes, the reason, the confirmation."""
    waiting: view.Pending | None = st.session_state.get(PENDING)
    if waiting is None or waiting.department != dept:
        return
    preview, num = waiting.preview, _num(ctx)
    catalogue, localities = ctx.load(queries.catalogue), ctx.load(queries.localities)
    if waiting.catalogue_changed:
        st.error(ctx.t("submit.stale_catalogue"), icon=":material/sync_problem:")
    elif waiting.stale is not None:
        n = view.count(ctx.t, "submit.n_values", waiting.stale_total, num)
        st.error(ctx.t("submit.stale_title", n=n), icon=":material/sync_problem:")
        shown = view.changes_display(waiting.stale, catalogue, localities, ctx.lang, ctx.t)
        st.dataframe(shown, hide_index=True, key="submit_stale")
        st.info(ctx.t("submit.stale_again"), icon=":material/refresh:")
    revised = view.count(ctx.t, "submit.n_published", preview.revised_rows, num)
    st.warning(
        ctx.t("submit.preview_title", file=plain(waiting.file_name), revised=revised), icon=":material/edit_note:"
    )
    st.caption(ctx.t("submit.preview_body"))
    m1, m2, m3, _ = st.columns(4)
    m1.metric(ctx.t("submit.metric_rows"), num(preview.rows))
    m2.metric(ctx.t("submit.metric_new"), num(preview.new_rows))
    m3.metric(ctx.t("submit.metric_revised"), num(preview.revised_rows))
    st.markdown("##### " + ctx.t("submit.revisions_title"))
    changes = preview.revised_values()
    table = view.revisions_display(changes, catalogue, localities, ctx.lang, ctx.t)
    st.dataframe(table, hide_index=True, key="submit_revisions")
    if changes.height > view.SHOWN_VALUES:
        st.caption(ctx.t("submit.values_cut", shown=num(view.SHOWN_VALUES), total=num(changes.height)))
        name = f"{ctx.t('submit.revisions_file')}_{waiting.file_name.rsplit('.', 1)[0]}"
        offer(ctx, st, "csv", name, "submit_revisions", lambda: export.table_csv(changes), changes.height, right=None)
    if preview.new_rows:
        new = view.count(ctx.t, "submit.n_new", preview.new_rows, num)
        with st.expander(ctx.t("submit.new_values_title", new=new)):
            shown = view.new_values_display(preview.new_values(), catalogue, localities, ctx.lang, ctx.t)
            st.dataframe(shown, hide_index=True, key="submit_new_values")
    st.text_area(ctx.t("submit.reason"), key=REASON, help=ctx.t("submit.reason_help"), max_chars=REASON_MAX)
    buttons = st.container(horizontal=True)
    confirm = buttons.button(view.confirm_label(preview, ctx.t, num), type="primary", key="submit_confirm")
    if buttons.button(ctx.t("submit.cancel"), key="submit_cancel"):
        _forget()
        st.session_state[NOTICE] = ("info", "submit.cancelled")
        st.rerun()
    if confirm:
        reason = (st.session_state.get(REASON) or "").strip()
        if not reason:
            return st.error(ctx.t("submit.reason_missing"), icon=":material/edit:")
        write = lambda: _write(ctx, dept, waiting.file_name, waiting.data, preview, reason)  # noqa: E731
        if _guarded(ctx, dept, waiting.file_name, write):
            st.rerun()


# --------------------------------------------------------------------------- what came of it


def outcome(ctx: Ctx, dept: str) -> None:
    """The report of a rejected file, or what an accepted one brought; a one-line notice (cancelled, gave up)."""
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, key = notice
        getattr(st, kind)(ctx.t(key), icon=ICONS[kind])
    done: view.Outcome | None = st.session_state.get(OUTCOME)
    if done is None or done.department != dept:
        return
    kind, text = view.headline(done, ctx.t, _num(ctx))
    getattr(st, kind)(text, icon=ICONS[kind])
    num = _num(ctx)
    if done.status == "rejected":
        st.caption(ctx.t("submit.nothing_written"))
        report = view.report_frame(done.errors, ctx.lang)
        name = f"{ctx.t('submit.report_file')}_{done.file_name.rsplit('.', 1)[0]}"
        if report.height <= view.READABLE_REPORT_ROWS:  # every message readable in full, wrapped
            st.dataframe(view.report_display(report, ctx.t), hide_index=True, key="submit_report")
        else:
            st.dataframe(report, hide_index=True, key="submit_report", column_config=view.report_columns(ctx.t))
        d1, d2, _ = st.columns([1, 1.3, 3.7])  # the department's own report: downloadable whatever the role
        offer(ctx, d1, "csv", name, "submit_report", lambda: export.table_csv(report), report.height, right=None)
        offer(ctx, d2, "xlsx", name, "submit_report", lambda: export.table_xlsx(report), report.height, right=None)
    elif done.status == "accepted":
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(ctx.t("submit.metric_rows"), num(done.rows))
        m2.metric(ctx.t("submit.metric_new"), num(done.new_rows))
        m3.metric(ctx.t("submit.metric_revised"), num(done.revised_rows))
        m4.metric(ctx.t("submit.metric_submission"), str(done.submission_id))
        if done.reason:
            st.caption(ctx.t("submit.reason_kept", reason=plain(done.reason)))
        st.markdown(view.links_line(ctx.t, ctx.lang, dept))


def recent(ctx: Ctx, dept: str) -> None:
    """The department's latest files (read at this run's data version)."""
    st.markdown("#### " + ctx.t("submit.recent"))
    files = ctx.load(queries.submissions, dept, None, 10)
    if files.is_empty():
        return st.caption(ctx.t("submit.no_recent"))
    st.dataframe(
        view.recent_table(files, ctx.t, ctx.lang), hide_index=True, key="submit_recent",
        column_config=view.recent_columns(ctx.t),
    )  # fmt: skip
