"""The five group pages (one renderer), and the wording of indicator rows the leadership pages share.

Pure helpers over ``evaluation.evaluate_latest`` frames: period labels, changes
as people write them, summary sentences, filters and the group table. Only
``render_group`` calls Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
import streamlit as st

from dashboard import components, evaluation, numbers, state, theme
from dashboard.frames import each
from dashboard.i18n import CODES, has, t, vi_sort_key
from dashboard.page import setup
from rules import calendar as P

GROUPS = CODES["group"]
STATUSES = CODES["status"]

# --------------------------------------------------------------------------- words and numbers


def name_col(lang: str) -> str:
    """The column holding names in the reader's language (``name_vi`` / ``name_en``)."""
    return "name_en" if lang == "en" else "name_vi"


def owner_col(lang: str) -> str:
    return "owner_name_en" if lang == "en" else "owner_name_vi"


def period_label(period: str | None, lang: str) -> str:
    """``Tháng 10/2026`` from ``2026-10``; empty when there is no period."""
    parsed = P.parse(period) if period else None
    return P.label(parsed, lang) if parsed else (period or "")


def field_label(code: str | None, lang: str) -> str:
    """A field's name (``field.budget`` -> ``Ngân sách``); the code itself when the catalogue has none."""
    if not code:
        return ""
    key = f"field.{code}"
    return t(key, lang) if has(key) else code


def is_percent(unit: str | None) -> bool:
    return (unit or "").strip() == "%"


def value_decimals(x: Any) -> int:
    """Decimals to show a reported figure without losing what it says: 1,04 % stays 1,04 %, 65.908 tỷ đồng has none.

    The figure's own decimals, capped by magnitude: 4 below one, 2 below a
    thousand, 1 below ten thousand, none above.
    """
    if numbers.is_missing(x) or float(x) == 0:
        return 0
    a = abs(float(x))
    cap = 4 if a < 1 else 2 if a < 1_000 else 1 if a < 10_000 else 0
    fraction = f"{a:.{cap}f}".partition(".")[2].rstrip("0")
    return len(fraction)


def fmt_reading(x: Any, unit: str | None, lang: str) -> str:
    """A reported figure with its unit, in the reader's number format (see ``value_decimals``)."""
    return numbers.fmt_value(x, unit, lang, value_decimals(x))


def change_text(change: Any, change_pct: Any, unit: str | None, lang: str) -> str:
    """A change as reports write it: rates in points (``+0,5 điểm %``), amounts in percent (``+7,2 %``)."""
    if is_percent(unit):
        if numbers.is_missing(change):
            return numbers.MISSING
        return t("group_page.points", lang, n=numbers.fmt_change(change, lang, 1 if abs(change) < 100 else 0))
    if not numbers.is_missing(change_pct):
        return numbers.fmt_change(change_pct, lang, 1, unit="%")
    if numbers.is_missing(change):
        return numbers.MISSING
    return numbers.fmt_change(change, lang, unit=unit)


def is_better(
    change: Any, direction: str | None, value: Any = None, old: Any = None, target: Any = None
) -> bool | None:
    """Whether a change is good news for the indicator's direction; None when it cannot be told or is nil."""
    if numbers.is_missing(change) or change == 0:
        return None
    if direction == "down":
        return change < 0
    if direction == "target":
        if numbers.is_missing(target) or numbers.is_missing(value) or numbers.is_missing(old):
            return None
        return abs(value - target) < abs(old - target)
    return change > 0


def status_words(status: str | None, lang: str) -> str:
    return components.status_label(status, lang)


# --------------------------------------------------------------------------- summary sentences


def status_tally(frame: pl.DataFrame) -> dict[str, int]:
    """Indicators per status, plus ``total`` and ``worsening``, from evaluate_latest rows."""
    statuses = frame.get_column("status").to_list() if "status" in frame.columns else []
    tally = {s: statuses.count(s) for s in STATUSES}
    tally["total"] = len(statuses)
    tally["worsening"] = int(frame.get_column("worsening").sum()) if "worsening" in frame.columns else 0
    return tally


def summary_sentences(tally: dict[str, int], lang: str) -> list[str]:
    """Short sentences from a tally: ``14/18 chỉ tiêu đạt hoặc vượt kế hoạch``, then what is slipping."""
    total = tally.get("total", 0)
    if not total:
        return []
    if tally.get("on_track", 0) == total:
        return [t("summary.all_on_track", lang, total=total)]
    out = [t("summary.on_track", lang, n=tally.get("on_track", 0), total=total)]
    for key in ("off_track", "at_risk"):
        if tally.get(key):
            out.append(t(f"summary.{key}", lang, n=tally[key], total=total))
    if tally.get("late"):
        out.append(t("summary.late", lang, n=tally["late"]))
    if tally.get("worsening"):
        out.append(t("summary.worsening", lang, n=tally["worsening"]))
    if tally.get("no_data"):
        out.append(t("summary.no_data", lang, n=tally["no_data"], total=total))
    return out


def summary_line(tally: dict[str, int], lang: str) -> str:
    """The sentences of ``summary_sentences`` as one line, joined by semicolons."""
    parts = summary_sentences(tally, lang)
    return "; ".join(parts) + "." if parts else ""


def summary_markdown(tally: dict[str, int], lang: str) -> str:
    """``summary_line`` with its first sentence (what is on track) in bold."""
    parts = summary_sentences(tally, lang)
    if not parts:
        return ""
    head = f"**{parts[0]}**"
    return "; ".join([head, *parts[1:]]) + "."


# --------------------------------------------------------------------------- the group table


def filter_rows(
    frame: pl.DataFrame,
    group: str | None = None,
    departments: Iterable[str] = (),
    fields: Iterable[str] = (),
    statuses: Iterable[str] = (),
) -> pl.DataFrame:
    """The rows of one group, limited to the chosen departments, fields and statuses (empty = any)."""
    out = frame if group is None else frame.filter(pl.col("group") == group)
    for column, wanted in (("owner", departments), ("field", fields), ("status", statuses)):
        chosen = [w for w in wanted if w]
        if chosen:
            out = out.filter(pl.col(column).is_in(chosen))
    return out


def department_options(frame: pl.DataFrame, lang: str) -> dict[str, str]:
    """Owner code -> name for the departments present, in Vietnamese order of their names."""
    pairs = frame.select("owner", owner_col(lang)).unique().drop_nulls("owner").iter_rows()
    named = {code: (name or code) for code, name in pairs}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


def field_options(frame: pl.DataFrame, lang: str) -> dict[str, str]:
    codes = frame.get_column("field").drop_nulls().unique().to_list()
    named = {c: field_label(c, lang) for c in codes}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


def link_with_name(code: str, name: str, lang: str) -> str:
    """The indicator page's address, with the name after ``#`` so a LinkColumn can show it."""
    return components.href("indicator", lang, code=code) + "#" + (name or code).replace("#", " ")


LINK_NAME_PATTERN = "#(.*)$"


def table_frame(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """What the group table shows, one row per indicator, numbers already written for the reader.

    Columns: code, status, indicator (link), period, value, pct_of_plan (number,
    for the progress bar), vs_previous, vs_last_year, trend, sparkline, owner.
    """
    name, owner = name_col(lang), owner_col(lang)
    out = []
    for r in rows.iter_rows(named=True):
        out.append(
            {
                "code": r["code"],
                "status": status_words(r["status"], lang),
                "indicator": link_with_name(r["code"], r[name], lang),
                "period": period_label(r["period"], lang),
                "value": fmt_reading(r["value"], r["unit"], lang),
                "pct_of_plan": r["pct_of_plan"],
                "vs_previous": change_text(r["change_prev"], r["change_prev_pct"], r["unit"], lang),
                "vs_last_year": change_text(r["change_yoy"], r["change_yoy_pct"], r["unit"], lang),
                "trend": t(f"trend.{r['trend']}", lang) if r["trend"] else "",
                "sparkline": [float(v) for v in (r["sparkline"] or []) if not numbers.is_missing(v)],
                "owner": r[owner] or r["owner"],
            }
        )
    schema = {
        "code": pl.String,
        "status": pl.String,
        "indicator": pl.String,
        "period": pl.String,
        "value": pl.String,
        "pct_of_plan": pl.Float64,
        "vs_previous": pl.String,
        "vs_last_year": pl.String,
        "trend": pl.String,
        "sparkline": pl.List(pl.Float64),
        "owner": pl.String,
    }
    return pl.DataFrame(out, schema=schema)


def download_frame(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The table for CSV/XLSX: raw numbers, headers in the reader's language."""
    cols = {
        "code": t("ui.code", lang),
        name_col(lang): t("ui.name", lang),
        owner_col(lang): t("ui.owner", lang),
        "status": t("ui.status", lang),
        "period": t("ui.period", lang),
        "value": t("ui.value", lang),
        "unit": t("ui.unit", lang),
        "ytd": t("ui.ytd", lang),
        "target": t("ui.annual_target", lang),
        "pct_of_plan": t("ui.pct_of_plan", lang),
        "pct_of_target": t("ui.pct_of_target", lang),
        "change_prev_pct": t("group_page.change_prev_pct", lang),
        "change_yoy_pct": t("group_page.change_yoy_pct", lang),
        "trend": t("ui.trend", lang),
    }
    words = {
        "status": {s: t(f"status.{s}", lang) for s in STATUSES},
        "trend": {s: t(f"trend.{s}", lang) for s in ("improving", "stable", "worsening")},
    }
    out = rows.select(list(cols)).with_columns(
        pl.col("status").replace_strict(words["status"], default=pl.col("status")),
        pl.col("trend").replace_strict(words["trend"], default=pl.col("trend")),
        each(rows, "period", lambda p: period_label(p, lang)),
    )
    return out.rename(cols)


def column_config(lang: str) -> dict[str, Any]:
    """The group table's columns: the order is the reading order (what, how much, against plan, who)."""
    pct_format = "%.0f %%" if lang == "vi" else "%.0f%%"
    return {
        "code": None,
        "status": st.column_config.TextColumn(t("ui.status", lang), width=136, pinned=True),
        "indicator": st.column_config.LinkColumn(
            t("ui.indicator", lang),
            display_text=LINK_NAME_PATTERN,
            width=270,
            pinned=True,
            help=t("group_page.open_help", lang),
            alignment="left",
        ),
        "period": st.column_config.TextColumn(t("ui.latest_period", lang), width=100),
        "value": st.column_config.TextColumn(t("ui.latest_value", lang), width=130, alignment="right"),
        "pct_of_plan": st.column_config.ProgressColumn(
            t("ui.pct_of_plan", lang),
            help=t("group_page.pct_of_plan_help", lang),
            format=pct_format,
            min_value=0,
            max_value=100,
            width=92,
            color=theme.PRIMARY,
        ),
        "vs_previous": st.column_config.TextColumn(
            t("group_page.col_prev", lang), width=90, alignment="right", help=t("ui.vs_previous", lang)
        ),
        "vs_last_year": st.column_config.TextColumn(
            t("group_page.col_yoy", lang), width=90, alignment="right", help=t("ui.vs_last_year", lang)
        ),
        "sparkline": st.column_config.LineChartColumn(
            t("group_page.sparkline", lang), width=100, color=theme.PRIMARY, help=t("group_page.sparkline_help", lang)
        ),
        "owner": st.column_config.TextColumn(t("ui.owner", lang), width=230),
        "trend": None,
    }


# --------------------------------------------------------------------------- the page


def _selected_codes(event: Any, shown: pl.DataFrame) -> list[str]:
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    return [shown["code"][i] for i in rows if 0 <= i < shown.height]


def render_group(group: str) -> None:
    """One group's page: summary, filters bound to the address, the table with its downloads."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; expected one of {GROUPS}")
    ctx = setup(group)
    evaluated = evaluation.latest(ctx)
    rows = evaluated.filter(pl.col("group") == group)
    st.caption(t(f"group_page.about.{group}", ctx.lang))
    st.markdown(summary_markdown(status_tally(rows), ctx.lang))

    left, middle, right = st.columns([1.1, 1, 1.3])
    depts = department_options(rows, ctx.lang)
    dept = state.select(
        t("ui.department", ctx.lang), ["", *depts], key="department", default="",
        format_func=lambda c: depts.get(c, t("ui.all", ctx.lang)), container=left,
    )  # fmt: skip
    fields = field_options(rows, ctx.lang)
    field = state.select(
        t("ui.field", ctx.lang), ["", *fields], key="field", default="",
        format_func=lambda c: fields.get(c, t("ui.all", ctx.lang)), container=middle,
    )  # fmt: skip
    present = [s for s in STATUSES if s in set(rows.get_column("status").to_list())]
    statuses = state.multiselect(
        t("ui.status", ctx.lang), present, key="status",
        format_func=lambda s: status_words(s, ctx.lang), container=right, placeholder=t("ui.all", ctx.lang),
    )  # fmt: skip

    chosen = filter_rows(rows, None, [dept] if dept else [], [field] if field else [], statuses)
    if chosen.height != rows.height:
        st.caption(t("group_page.showing", ctx.lang, n=chosen.height, total=rows.height))
    if chosen.is_empty():
        components.empty(ctx, "ui.empty")
        return
    shown = table_frame(chosen, ctx.lang)
    event = components.table(
        ctx, shown, f"{group}_{ctx.today.isoformat()}", key=f"group_{group}",
        column_config=column_config(ctx.lang), downloads=download_frame(chosen, ctx.lang),
        on_select="rerun", selection_mode="single-row", row_height=38,
        height=min(38 * shown.height + 40, 760),
    )  # fmt: skip
    st.caption(t("group_page.table_hint", ctx.lang))
    picked = _selected_codes(event, shown)
    if picked:
        params = {"code": picked[0], **({"lang": ctx.lang} if ctx.lang != "vi" else {})}
        st.switch_page("app_pages/indicator.py", query_params=params)
