"""The five group pages' logic (one renderer, ``dashboard.parts.group``) and the tally sentences the leadership
pages share.

Pure helpers over ``rules.evaluate.latest`` rows: filters, the group table (every figure written by
``dashboard.figures``, so it reads as on every other page) and its download.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from dashboard import figures, theme
from dashboard.i18n import CODES, has, localized, t, vi_sort_key
from dashboard.links import href
from dashboard.tables import Column, Table, build

GROUPS = CODES["group"]
STATUSES = CODES["status"]


def field_label(code: str | None, lang: str) -> str:
    """A field's name (``field.budget`` -> ``Ngân sách``); the code itself when the catalogue has none."""
    if not code:
        return ""
    key = f"field.{code}"
    return t(key, lang) if has(key) else code


# --------------------------------------------------------------------------- tally sentences


def summary_sentences(tally: dict[str, int], lang: str) -> list[str]:
    """Short sentences from a tally (rules.tally.tally): ``14/18 chỉ tiêu đạt hoặc vượt kế hoạch``, then what is
    slipping, late, worsening against the previous period, without data."""
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


# --------------------------------------------------------------------------- filters


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
    named = {r["owner"]: localized(r, "owner_name", lang, "owner") for r in frame.iter_rows(named=True) if r["owner"]}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


def field_options(frame: pl.DataFrame, lang: str) -> dict[str, str]:
    codes = frame.get_column("field").drop_nulls().unique().to_list()
    named = {c: field_label(c, lang) for c in codes}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


# --------------------------------------------------------------------------- the group table


def link_with_name(code: str, name: str, lang: str) -> str:
    """The indicator page's address, with the name after ``#`` so a LinkColumn can show it."""
    return href("indicator", lang, code=code) + "#" + (name or code).replace("#", " ")


LINK_NAME_PATTERN = "#(.*)$"

TABLE_SCHEMA = {
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


def table_frame(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """What the group table shows, one row per indicator, the figures as ``dashboard.figures`` writes them.

    Columns: TABLE_SCHEMA (pct_of_plan stays a number, for the progress bar).
    """
    out = []
    for r in rows.iter_rows(named=True):
        f = figures.of(r, lang)
        out.append(
            {
                "code": r["code"],
                "status": f.status,
                "indicator": link_with_name(r["code"], figures.name(r, lang), lang),
                "period": f.period,
                "value": f.value,
                "pct_of_plan": r["pct_of_plan"],
                "vs_previous": f.vs_previous,
                "vs_last_year": f.vs_last_year,
                "trend": f.trend,
                "sparkline": [float(v) for v in (r["sparkline"] or []) if v is not None],
                "owner": localized(r, "owner_name", lang, "owner"),
            }
        )
    return pl.DataFrame(out, schema=TABLE_SCHEMA)


DOWNLOAD = (
    Column("code", "ui.code", "code"),
    Column("name", "ui.name"),
    Column("owner_name", "ui.owner"),
    Column("status", "ui.status", "status"),
    Column("period", "ui.period", "period"),
    Column("value", "ui.value", "number"),
    Column("unit", "ui.unit"),
    Column("ytd", "ui.ytd", "number"),
    Column("target", "ui.annual_target", "number"),
    Column("pct_of_target", "figures.pct_of_target", "percent"),
    Column("pct_of_plan", "figures.pct_of_plan", "percent"),
    Column("change_prev_pct", "group_page.change_prev_pct", "change"),
    Column("change_yoy_pct", "group_page.change_yoy_pct", "change"),
    Column("trend", "ui.trend", "trend"),
    Column("as_of", "ui.as_of_label", "date"),
)


def download_table(rows: pl.DataFrame, lang: str) -> Table:
    """The group table for CSV/XLSX: raw numbers, words for codes, headers in the reader's language."""
    data = rows.with_columns(
        name=pl.col("name_vi" if lang == "vi" else "name_en"),
        owner_name=pl.col("owner_name_vi" if lang == "vi" else "owner_name_en"),
    )
    return build(data, DOWNLOAD, lang)


def column_config(lang: str) -> dict[str, Any]:
    """The group table's columns: the order is the reading order (what, how much, against plan, who)."""
    from streamlit import column_config as cc

    pct_format = "%.1f %%" if lang == "vi" else "%.1f%%"
    return {
        "code": None,
        "status": cc.TextColumn(t("ui.status", lang), width=150, pinned=True),
        "indicator": cc.LinkColumn(
            t("ui.indicator", lang),
            display_text=LINK_NAME_PATTERN,
            width=300,
            pinned=True,
            help=t("group_page.open_help", lang),
            alignment="left",
        ),  # fmt: skip
        "period": cc.TextColumn(t("ui.latest_period", lang), width=110),
        "value": cc.TextColumn(t("ui.latest_value", lang), width=150, alignment="right"),
        "pct_of_plan": cc.ProgressColumn(
            t("figures.pct_of_plan", lang),
            help=t("group_page.pct_of_plan_help", lang),
            format=pct_format,
            min_value=0,
            max_value=100,
            width=110,
            color=theme.PRIMARY,
        ),  # fmt: skip
        "vs_previous": cc.TextColumn(
            t("group_page.col_prev", lang), width=105, alignment="right", help=t("ui.vs_previous", lang)
        ),
        "vs_last_year": cc.TextColumn(
            t("group_page.col_yoy", lang), width=105, alignment="right", help=t("ui.vs_last_year", lang)
        ),
        "trend": cc.TextColumn(t("ui.trend", lang), width=95, help=t("group_page.trend_help", lang)),
        "sparkline": cc.LineChartColumn(
            t("group_page.sparkline", lang), width=100, color=theme.PRIMARY, help=t("group_page.sparkline_help", lang)
        ),
        "owner": cc.TextColumn(t("ui.owner", lang), width=230),
    }
