"""The indicator page's logic: the chooser, the tabs, the tiles, the history and its table.

Pure functions over polars frames (no Streamlit calls). The figures come from
``dashboard.figures`` (the same texts as on every other page); the card lives
in ``indicator_card``, the communes in ``communes``, a composite's parts in
``composite`` and the files behind the figures in ``files``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

import altair as alt
import polars as pl

from dashboard import charts, figures, numbers
from dashboard.charts import Stamp
from dashboard.export import ascii_slug
from dashboard.i18n import label, localized, matches, t
from dashboard.links import href
from dashboard.tables import Column, Table, build
from rules import plan

MISSING = numbers.MISSING
SPANS = ("1", "3", "all")  # years of history shown; "all" for the whole series


def slug(*parts: str | None) -> str:
    """A download file name stem: ``slug("OC-10", "communes")`` -> ``oc-10_communes``."""
    return "_".join(s for s in (ascii_slug(p) for p in parts) if s) or "export"


def fit_width(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Fill the width only: Streamlit's default autosize ``fit`` also squeezes the plot's height by the title's,
    which flattens short charts with a long subtitle. The export does the same (``export.export_spec``)."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


# --------------------------------------------------------------------------- the chooser


def search(catalogue: pl.DataFrame, query: str | None) -> pl.DataFrame:
    """Indicators whose code or name (either language) holds every word of ``query``, diacritics ignored."""
    if not (query or "").strip():
        return catalogue
    keep = [matches(query, code, vi, en) for code, vi, en in catalogue.select("code", "name_vi", "name_en").iter_rows()]
    return catalogue.filter(pl.Series(keep, dtype=pl.Boolean))


def chooser_options(catalogue: pl.DataFrame, query: str | None, current: str | None = None) -> list[str]:
    """The codes to offer (matching ``query``, catalogue order), ``""`` first for "none chosen"; the current one kept."""
    codes = search(catalogue, query).get_column("code").to_list()
    if current and current not in codes and current in set(catalogue.get_column("code").to_list()):
        codes = [current, *codes]
    return ["", *codes]


def option_labels(catalogue: pl.DataFrame, lang: str) -> dict[str, str]:
    """Code -> ``CODE · name`` for the select box; ``""`` -> the placeholder."""
    out = {"": t("indicator.choose_placeholder", lang)}
    for row in catalogue.select("code", "name_vi", "name_en").iter_rows(named=True):
        out[row["code"]] = f"{row['code']} · {localized(row, 'name', lang)}"
    return out


def resolve(catalogue: pl.DataFrame, wanted: str | None) -> dict[str, Any] | None:
    """The catalogue row of a code given in any case, or None."""
    code = (wanted or "").strip().upper()
    if not code:
        return None
    found = catalogue.filter(pl.col("code") == code)
    return found.row(0, named=True) if found.height else None


BROWSE = (
    Column("link", "ui.open", "link"),
    Column("code", "ui.code", "code"),
    Column("name", "ui.name"),
    Column("status", "ui.status", "status"),
    Column("value", "ui.latest_value", "value"),
    Column("period", "ui.latest_period", "period"),
    Column("group_name", "ui.group"),
    Column("owner_name", "ui.owner"),
)


def browse_table(catalogue: pl.DataFrame, latest: pl.DataFrame, lang: str) -> Table:
    """The chooser's list: link, code, name, status, latest value and period, group and owner of each indicator."""
    figures_of = {r["code"]: r for r in latest.iter_rows(named=True)}
    rows = []
    for r in catalogue.iter_rows(named=True):
        last = figures_of.get(r["code"], {})
        rows.append(
            {
                "link": href("indicator", lang, code=r["code"]),
                "code": r["code"],
                "name": localized(r, "name", lang),
                "status": last.get("status"),
                "value": last.get("value"),
                "unit": figures.unit(r, lang),
                "period": last.get("period"),
                "group_name": label("group", r["group"], lang),
                "owner_name": localized(r, "owner_name", lang, "owner"),
            }
        )
    return build(rows, BROWSE, lang)


# --------------------------------------------------------------------------- the tabs


def is_computed(row: Mapping[str, Any]) -> bool:
    return bool(row.get("components"))


def sections(row: Mapping[str, Any]) -> list[str]:
    """The page's tabs for this indicator: communes for commune-level ones, components for computed composites."""
    out = ["history"]
    if is_computed(row):
        out.append("components")
    elif row.get("level") == "commune":
        out.append("communes")
    return [*out, "card", "submissions"]


def opened(row: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The tab a shared address opens on: the one its filters (?period, ?locality) belong to."""
    shown = sections(row)
    if "communes" in shown and (params.get("period") or params.get("locality")):
        return "communes"
    if "components" in shown and params.get("period"):
        return "components"
    return "history"


# --------------------------------------------------------------------------- the tiles


def tiles_css(key: str, value_size: str) -> str:
    """CSS for the st.metric tiles inside ``st.container(key=key)``: the value set smaller, so that long words (a
    status) fit and wrap. (Every metric's label wraps: ``dashboard.layout``.)"""
    return (
        "<style>"
        f'.st-key-{key} [data-testid="stMetricValue"]{{font-size:{value_size};line-height:1.25}}'
        f'.st-key-{key} [data-testid="stMetricValue"] *{{white-space:normal !important;overflow:visible !important;'
        "text-overflow:clip !important}</style>"
    )


class Tile(NamedTuple):
    """The arguments of one st.metric."""

    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"
    delta_arrow: str = "auto"
    help: str | None = None
    delta_description: str | None = None


def _delta(text: str | None, change: Any, direction: str, description: str | None = None) -> dict[str, Any]:
    """A delta coloured by whether the move is good news for the direction; grey, without arrow, when nil.

    The sign is written with the minus sign (U+2212), so the arrow and colour are set here, not read from the text.
    """
    if text is None or text == MISSING or numbers.is_missing(change) or round(float(change), 1) == 0:
        return {"delta": None if text == MISSING else text, "delta_color": "gray", "delta_arrow": "off"}
    rising = float(change) > 0
    good = {"up": rising, "down": not rising}.get(direction)
    color = "gray" if good is None else ("green" if good else "red")
    return {
        "delta": text,
        "delta_color": color,
        "delta_arrow": "up" if rising else "down",
        "delta_description": description,
    }


def plan_labels(row: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """The names of the two plan percentages; an attainment for lower-is-better and closest-to-target ones."""
    if (row.get("direction") or "up") == "up":
        return t("figures.pct_of_target", lang), t("figures.pct_of_plan", lang)
    return t("figures.attainment_of_target", lang), t("figures.attainment_of_plan", lang)


def _plan_help(row: Mapping[str, Any], lang: str, of_year: bool) -> str:
    unit, direction = figures.unit(row, lang), row.get("direction") or "up"
    year = str(row.get("period") or "")[:4]
    parts = []
    if of_year:
        parts.append(
            t("figures.pct_of_target_help", lang, year=year, target=figures.value(row.get("target"), unit, lang))
        )
    else:
        share = row.get("plan_to_date") / row.get("target") if row.get("target") else None
        parts.append(
            t(
                "figures.pct_of_plan_help",
                lang,
                share=figures.percent(None if share is None else share * 100, lang),
                plan=figures.value(row.get("plan_to_date"), unit, lang),
            )
        )
    if direction in ("down", "target"):
        parts.append(t(f"figures.attainment_help_{direction}", lang))
    return " ".join(parts)


def tiles(row: Mapping[str, Any], lang: str) -> list[Tile]:
    """The figures in tiles: the value, the year to date (flows) or the year's target, the status with its trend;
    then the plan percentages (two where the plan builds up through the year) and the changes."""
    f = figures.of(row, lang)
    unit, direction = figures.unit(row, lang), row.get("direction") or "up"
    out = [Tile(t("indicator.tile_value", lang, period=f.period), f.value)]
    if row.get("value_type") == "flow":
        out.append(
            Tile(
                t("indicator.tile_ytd", lang),
                f.ytd,
                **_delta(
                    f.ytd_vs_last_year, row.get("change_yoy_ytd_pct"), direction, t("indicator.vs_same_period", lang)
                ),
            )
        )
    else:
        year = str(row.get("period") or "")[:4]
        missing = numbers.is_missing(row.get("target"))
        out.append(
            Tile(
                t("indicator.tile_target", lang, year=year) if year else t("ui.annual_target", lang),
                t("indicator.no_target_short", lang) if missing else f.target,
                help=label("direction", direction, lang),
            )
        )
    trend_style = {"improving": ("green", "up"), "worsening": ("red", "down"), "stable": ("gray", "off")}
    color, arrow = trend_style.get(row.get("trend") or "", ("gray", "off"))
    status = row.get("status") or "no_data"
    out.append(
        Tile(
            t("indicator.tile_status", lang),
            f.status,
            delta=f.trend or None,
            delta_color=color,
            delta_arrow=arrow,
            help=t(f"status_help.{status}", lang),
            delta_description=t("ui.vs_previous", lang).lower() if f.trend else None,
        )
    )
    of_year, to_date = plan_labels(row, lang)
    if numbers.is_missing(row.get("target")):
        out.append(Tile(of_year, MISSING, help=t("status_help.no_target", lang)))
    else:
        out.append(Tile(of_year, f.pct_of_target, help=_plan_help(row, lang, True)))
        if row.get("value_type") in plan.PACED_VALUE_TYPES:
            out.append(Tile(to_date, f.pct_of_plan, help=_plan_help(row, lang, False)))
    for key, text, change, ref in (
        ("ui.vs_previous", f.vs_previous, "change_prev", "prev_period"),
        ("ui.vs_last_year", f.vs_last_year, "change_yoy", "yoy_period"),
    ):
        compared = figures.period(row.get(ref), lang) if row.get(ref) else None
        absolute = (
            None
            if figures.is_percent(unit)
            else numbers.fmt_change(row.get(change), lang, numbers.decimals(row.get(change)), unit=unit)
        )
        out.append(
            Tile(
                f"{t(key, lang)} · {compared}" if compared else t(key, lang),
                text,
                **_delta(absolute, row.get(change), direction),
            )
        )
    return out


# --------------------------------------------------------------------------- history


def window(series: pl.DataFrame, span: str) -> pl.DataFrame:
    """The last ``span`` years of a series (by period start, counted back from its latest period)."""
    if span == "all" or series.is_empty():
        return series
    last = series.get_column("period_start").max()
    first = date(last.year - int(span) + 1, 1, 1) if last else None
    return series.filter(pl.col("period_start") >= first) if first else series


def default_span(frequency: str) -> str:
    return "1" if frequency == "weekly" else "3"


def history_frame(series: pl.DataFrame, value_type: str) -> tuple[pl.DataFrame, str]:
    """The frame and mark for charts.history_chart: a flow's own amounts as bars without target;
    a ytd figure against the plan to date; a level or rate against the year's target."""
    if value_type == "flow":
        frame = series.select("period", "value", pl.lit(None, dtype=pl.Float64).alias("target"), "status")
        return frame, "bar"
    target = "plan_to_date" if value_type == "ytd" else "target"
    return series.select("period", "value", pl.col(target).alias("target"), "status"), "line"


def history_chart(series: pl.DataFrame, row: Mapping[str, Any], stamp: Stamp) -> alt.TopLevelMixin:
    frame, mark = history_frame(series, row["value_type"])
    span = ""
    if series.height:
        span = f"{figures.period(series['period'][0], stamp.lang)} – {figures.period(series['period'][-1], stamp.lang)}"
    lang = stamp.lang
    labels = stamp.text(
        localized(row, "name", lang), unit=figures.unit(row, lang), period=span, source=figures.source(row, lang)
    )
    return fit_width(
        charts.history_chart(
            frame,
            labels,
            direction=row.get("direction") or "up",
            on_track_pct=row.get("on_track_pct"),
            at_risk_pct=row.get("at_risk_pct"),
            mark=mark,
        )
    )


def ytd_frame(series: pl.DataFrame) -> tuple[pl.DataFrame, float | None, str | None]:
    """The latest year's year to date against the plan to date, with the year's target and the year."""
    if series.is_empty():
        return series.select("period", "ytd", pl.col("plan_to_date").alias("plan_ytd")), None, None
    year = str(series.get_column("period")[-1])[:4]
    rows = series.filter(pl.col("period").str.starts_with(year))
    frame = rows.select("period", "ytd", pl.col("plan_to_date").alias("plan_ytd"))
    target = rows.get_column("target").drop_nulls()
    return frame, (float(target[-1]) if target.len() else None), year


def ytd_chart(series: pl.DataFrame, row: Mapping[str, Any], stamp: Stamp) -> alt.TopLevelMixin:
    frame, target, year = ytd_frame(series)
    labels = stamp.text(
        t("indicator.ytd_title", stamp.lang, name=localized(row, "name", stamp.lang), year=year or ""),
        unit=figures.unit(row, stamp.lang),
        period=figures.period(frame["period"][-1], stamp.lang) if frame.height else None,
        source=figures.source(row, stamp.lang),
    )
    return fit_width(charts.ytd_vs_plan_chart(frame, labels, annual_target=target))


def series_table(series: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    """Every period, newest first: value (and year to date for flows), plan, % of plan, status, changes, and when
    its value was received: first (on time or not) and, for a revised value, when it was revised."""
    paced = row.get("value_type") in plan.PACED_VALUE_TYPES
    of_year, to_date = plan_labels(row, lang)
    columns = [
        Column("period", "ui.period", "period"),
        Column("value", "ui.value", "value"),
        *([Column("ytd", "ui.ytd", "value")] if row.get("value_type") == "flow" else []),
        Column("plan_to_date" if paced else "target", "indicator.plan_to_date" if paced else "ui.target", "value"),
        Column("pct_of_target", title=of_year, kind="percent"),
        *([Column("pct_of_plan", title=to_date, kind="percent")] if paced else []),
        Column("status", "ui.status", "status"),
        Column("change_prev_pct", "ui.vs_previous", "change"),
        Column("change_yoy_pct", "ui.vs_last_year", "change"),
        Column("first_submitted_at", "figures.first_received", "datetime"),
        Column("on_time", "ui.on_time", "yes_no"),
        Column("revised_at", "figures.received_at", "datetime"),
    ]
    data = series.sort("period_start", descending=True).with_columns(
        unit=pl.lit(figures.unit(row, lang)),
        # a revised value shows its own time; a first value's time is already in "first received"
        revised_at=pl.when(pl.col("submitted_at") != pl.col("first_submitted_at")).then(pl.col("submitted_at")),
    )
    return build(data, columns, lang)
