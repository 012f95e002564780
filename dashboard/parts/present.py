"""The Streamlit parts of ``/present``: what to present, the line above the slide, the slide, previous/next.

The page (``app_pages/present.py``) calls them in order. The slide is one element holding the
title, the chart, the figures, the sentence and the slide number (``views.present.slide_html``): Streamlit
replaces it whole on a slide change, so no frame shows parts of two slides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import polars as pl
import streamlit as st

from dashboard import evaluation, figures, links, state
from dashboard.i18n import label
from dashboard.markdown import inert_html
from dashboard.page import Ctx
from dashboard.parts.explanations import requests as explanation_requests
from dashboard.views import present as view
from dashboard.views.explanations import slide_text
from dashboard.views.group import GROUPS, department_options
from db import queries


@dataclass(frozen=True)
class Choice:
    """What the deck shows: the agenda's mode, its group, department or codes, and whether only warnings."""

    mode: str
    group: str | None
    department: str | None
    codes: tuple[str, ...]
    focus: bool


def _restart() -> None:
    state.set_param("slide", None)


def _go(step: int, n: int) -> None:
    here = view.clamp_slide(state.param("slide"), n)
    state.set_param("slide", str(view.clamp_slide(str(here + step), n)), "1")


def _jump(key: str) -> None:
    state.set_param("slide", str(st.session_state[key]), "1")


def frozen(ctx: Ctx) -> tuple[datetime | None, datetime | None, bool]:
    """The meeting's moment: the one in the address (``asof``), else the latest file's, written there so the deck
    holds still; returns it, the moment whose data to show (None: as it stands) and whether newer data exists."""
    latest = ctx.load(queries.freshness)["latest_submitted_at"][0]
    moment = view.frozen_at(state.param("asof"))
    if moment is None and latest is not None:
        moment = latest.replace(microsecond=0)
    state.set_param("asof", view.freeze_text(moment) if moment else None)
    at = view.stands_at(moment, latest)
    return moment, at, at is not None


def refresh_button(ctx: Ctx) -> None:
    """Take the newest data into the deck: the meeting's moment becomes now."""
    st.button(
        ctx.t("present.refresh"), key="present_refresh", icon=":material/refresh:",
        on_click=lambda: state.set_param("asof", None), width="stretch",
    )  # fmt: skip


def chooser(ctx: Ctx, evaluated: pl.DataFrame, newer: bool) -> Choice:
    """What to present, chosen in a small popover and kept in the address."""
    mode = state.select(
        ctx.t("present.mode"), view.MODES, key="by", default="group",
        format_func=lambda m: ctx.t(f"present.mode_{m}"), on_change=_restart,
    )  # fmt: skip
    group = department = None
    codes: list[str] = []
    if mode == "group":
        group = state.select(
            ctx.t("ui.group"), GROUPS, key="group", default="input",
            format_func=lambda g: label("group", g, ctx.lang), on_change=_restart,
        )  # fmt: skip
    elif mode == "department":
        depts = department_options(evaluated, ctx.lang)
        department = state.select(
            ctx.t("ui.department"), list(depts), key="department", default=next(iter(depts), None),
            format_func=lambda c: depts.get(c, c), on_change=_restart,
        )  # fmt: skip
    elif mode == "codes":
        names = {r["code"]: figures.name(r, ctx.lang) for r in evaluated.iter_rows(named=True)}
        codes = state.multiselect(
            ctx.t("ui.indicators"), list(names), key="codes",
            format_func=lambda c: f"{c} · {names[c]}", on_change=_restart,
        )  # fmt: skip
    focus = st.toggle(ctx.t("present.focus"), value=state.param("focus") == "warnings", key="present_focus")
    state.set_param("focus", "warnings" if focus else None)
    if newer:
        refresh_button(ctx)
    return Choice(mode, group, department, tuple(codes), focus)


def agenda(ctx: Ctx, rows: pl.DataFrame, number: int) -> None:
    """The agenda as a list to jump from (inside the chooser)."""
    items = [view.agenda_item(i, r, ctx.lang) for i, r in enumerate(rows.iter_rows(named=True), start=1)]
    key = f"present_jump_{number}"  # a fresh widget per slide, so it always starts on the slide shown
    st.selectbox(
        ctx.t("present.agenda"), range(1, len(items) + 1), index=number - 1, key=key,
        format_func=lambda i: items[i - 1], on_change=_jump, args=(key,),
    )  # fmt: skip


@lru_cache(maxsize=256)
def _svgs(spec: str) -> dict[str, str]:
    # keyed by the chart's whole specification: what is drawn is exactly what the spec says
    return view.chart_svgs(json.loads(spec))


def slide(ctx: Ctx, row: dict[str, Any], number: int, total: int, at: datetime | None) -> None:
    """One slide, whole, as one element (built once per data version: ``Ctx.once``)."""
    built = ctx.once("present.slide", row["code"], number, total, at, build=lambda: _slide(ctx, row, number, total, at))
    st.markdown(built, unsafe_allow_html=True)


def _slide(ctx: Ctx, row: dict[str, Any], number: int, total: int, at: datetime | None) -> str:
    series = evaluation.series(ctx, row["code"], at)
    labels = view.chart_labels(row, figures.source(row, ctx.lang), ctx.stamp)
    # the spec without Altair's schema check (tests/test_charts.py checks the builders): it keys the SVG cache
    spec = json.dumps(
        view.slide_figure(series, row, labels).to_dict(validate=False), sort_keys=True, ensure_ascii=False
    )
    frequency = label("frequency", row["frequency"], ctx.lang)
    # the explanation asked for this period, and its answer (dashboard.parts.explanations): a line in the panel
    explanation = slide_text(explanation_requests(ctx, (row["code"],)), row.get("period"), ctx.lang)
    return inert_html(view.slide_html(row, ctx.lang, frequency, _svgs(spec), number, total, explanation or None))


def navigation(ctx: Ctx, number: int, total: int) -> None:
    """Previous / next: buttons, arrow keys, and PageUp/PageDown for presentation clickers."""
    back, _, forward = st.columns([1, 3, 1], vertical_alignment="center")
    back.button(
        ctx.t("ui.previous"), key="present_prev", icon=":material/arrow_back:", shortcut="Left",
        on_click=_go, args=(-1, total), disabled=number <= 1, width="stretch",
    )  # fmt: skip
    forward.button(
        ctx.t("ui.next"), key="present_next", icon=":material/arrow_forward:", icon_position="right",
        shortcut="Right", on_click=_go, args=(1, total), disabled=number >= total, width="stretch",
    )  # fmt: skip
    st.button("⇞", key="present_prev_pg", shortcut="PageUp", on_click=_go, args=(-1, total), disabled=number <= 1)
    st.button("⇟", key="present_next_pg", shortcut="PageDown", on_click=_go, args=(1, total), disabled=number >= total)


def exit_href(ctx: Ctx) -> str:
    """The way back to the overview, in the reader's language."""
    return links.href("", ctx.lang)
