"""Explanations asked and answered on the pages: the indicator's requests and the leader's form, the department's
requests and its answers, the counts on the overview, the line on a slide.

Writes go through ``loaders.explanations`` (the write door, the account re-read, audited); this module only shows
what it returns. Notes and answers are outside text: shown through ``dashboard.views.explanations`` (escaped HTML).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
import streamlit as st

import db
import settings
from auth.errors import AuthError
from dashboard import figures
from dashboard.i18n import localized
from dashboard.markdown import plain
from dashboard.page import Ctx, show_error
from dashboard.views import explanations as view
from dashboard.views.overview import section_title
from db import queries
from loaders import explanations as write
from loaders.errors import UsageError
from rules import explanations as rule

DEFAULT_DUE_DAYS = 7
_NOTICE = "explanations_notice"  # a success message kept across the rerun that shows the new request or answer


def requests(ctx: Ctx, codes: tuple[str, ...] | None = None, department: str | None = None) -> pl.DataFrame:
    """The requests (for some indicators, or one department), with their state today."""
    return view.judged(ctx.load(queries.explanations, codes, department), ctx.today)


def just_written() -> bool:
    """Whether this run follows a request or an answer just sent (its page opens where the message shows)."""
    return _NOTICE in st.session_state


def _notice() -> None:
    if text := st.session_state.pop(_NOTICE, None):
        st.success(text, icon=":material/check_circle:")


def _failed(ctx: Ctx, exc: Exception) -> None:
    if isinstance(exc, db.DatabaseError):
        show_error(ctx, exc)
    else:  # UsageError, AuthError: both languages, the reader's shown
        message = exc.message_en if ctx.lang == "en" else exc.message_vi
        st.error(ctx.t("explanations.error", message=plain(message)), icon=":material/block:")


def indicator_section(ctx: Ctx, row: dict[str, Any], latest: dict[str, Any], series: pl.DataFrame) -> None:
    """On the indicator page: its requests and answers, and for leaders and admins the form to ask."""
    asked = requests(ctx, (row["code"],))
    may_ask = ctx.can("ask")
    if asked.is_empty() and not may_ask:
        return
    counts = rule.counts(asked, ctx.today)
    title = f"{ctx.t('explanations.title')} · {view.counts_text(counts, ctx.lang)}"
    with st.expander(title, expanded=bool(counts["total"]), icon=":material/forum:"):
        _notice()
        st.html(view.STYLE + view.items_html(asked, ctx.lang))
        if not may_ask:
            return
        st.caption(ctx.t("explanations.ask_help"))
        periods = view.period_options(series, latest)
        with st.form("ask_explanation", clear_on_submit=True, border=True):
            left, right = st.columns([2, 1])
            period = left.selectbox(
                ctx.t("explanations.ask_period"), periods, format_func=lambda p: figures.period(p, ctx.lang),
                key="ask_period",
            )  # fmt: skip
            due = right.date_input(
                ctx.t("explanations.ask_due"), value=ctx.today + timedelta(days=DEFAULT_DUE_DAYS),
                min_value=ctx.today, format="DD/MM/YYYY", key="ask_due",
            )  # fmt: skip
            note = st.text_area(
                ctx.t("explanations.ask_note"), key="ask_note", max_chars=write.NOTE_MAX,
                placeholder=ctx.t("explanations.ask_note_placeholder"),
            )  # fmt: skip
            sent = st.form_submit_button(ctx.t("explanations.ask_send"), type="primary", icon=":material/send:")
        if sent:
            try:
                made = write.ask(ctx.path, ctx.account, row["code"], period or "", note, due, settings.now())
            except (UsageError, AuthError, db.DatabaseError) as exc:
                return _failed(ctx, exc)
            owner = localized(latest, "owner_name", ctx.lang, "owner")
            due_text = figures.date(made.due_date, ctx.lang)
            st.session_state[_NOTICE] = ctx.t("explanations.asked_ok", department=plain(owner), due=due_text)
            st.rerun()


def waiting(ctx: Ctx, department: str) -> int:
    """How many requests sent to ``department`` await an answer (overdue included)."""
    return rule.counts(requests(ctx, None, department), ctx.today)["waiting"]


def answer_section(ctx: Ctx, department: str, name: str, key: str) -> None:
    """The requests sent to one department, newest first, with an answer form on each one waiting when the account
    is that department's. ``key`` keeps two pages' forms apart."""
    asked = requests(ctx, None, department)
    _notice()
    if asked.is_empty():
        st.caption(ctx.t("explanations.none_for_department"))
        return
    counts = rule.counts(asked, ctx.today)
    st.caption(view.counts_text(counts, ctx.lang))
    account = ctx.account
    mine = ctx.can("answer") and (account.department or "").upper() == department
    if counts["waiting"] and not mine:
        st.caption(ctx.t("explanations.cannot_answer", department=plain(name)))
    st.html(view.STYLE)
    for r in asked.iter_rows(named=True):
        st.html(view.items_html(pl.DataFrame([r], schema=asked.schema), ctx.lang, show_indicator=True))
        if r["state"] == "answered" or not mine:
            continue
        with st.form(f"answer_{key}_{r['id']}", clear_on_submit=True):
            text = st.text_area(ctx.t("explanations.answer_label"), key=f"answer_text_{key}_{r['id']}",
                                max_chars=write.ANSWER_MAX)  # fmt: skip
            sent = st.form_submit_button(ctx.t("explanations.answer_send"), type="primary", icon=":material/reply:")
        if sent:
            try:
                write.answer(ctx.path, ctx.account, r["id"], text, settings.now())
            except (UsageError, AuthError, db.DatabaseError) as exc:
                _failed(ctx, exc)
                continue
            st.session_state[_NOTICE] = ctx.t("explanations.answered_ok", id=r["id"])
            st.rerun()


def overview_section(ctx: Ctx) -> None:
    """On the overview: the requests awaiting, overdue and answered, overall and per department."""
    asked = requests(ctx)
    counts = rule.counts(asked, ctx.today)
    st.html(section_title(ctx.t("explanations.title"), ctx.t("explanations.overview_note")))
    st.html(view.STYLE + view.counts_html(counts, ctx.lang))
    if counts["total"]:
        by_department = rule.by_department(asked, ctx.today)
        st.html(view.departments_html(by_department, ctx.load(queries.departments), ctx.lang))
