"""The explorer's logic: filters from the address, the pivot, the chart's data and the tables.

Pure functions over polars frames, so the tests call them directly; the frames come
from ``queries.explorer`` (columns ``queries.EXPLORER_COLUMNS``) and ``queries.catalogue``.
The last section holds three widgets bound to the address that /quality uses too
(a period range, a multiselect that survives a language switch, tabs): candidates
for ``dashboard/state.py``.

Pivot values, when the user leaves the choice to the page (``auto``):

* each cell holds one observation: the value itself;
* the communes are folded into a cell: the province value when the selection
  holds it (submitted, or made from the communes by ``rules.province``), else
  the selected communes made into one by the same rule (sum or mean by the
  indicator's aggregation; ``none``: no value, the province figure is submitted);
* the periods are folded into a cell: the sum for flows, the latest period for
  year-to-date and end-of-period figures, the mean for rates;
* several indicators in one cell have different units: no automatic value
  (the page asks to put the indicator on rows or columns, or to choose one).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from streamlit import column_config as cc

from dashboard import figures, numbers
from dashboard.frames import each
from dashboard.i18n import t, vi_sort_key
from db.queries import EXPLORER_COLUMNS, ExplorerFilters
from rules import calendar as periods
from rules import province as province_rule

ALL = "all"  # "from the first period" / "to the latest period" in the address
PROVINCE = "province"  # the whole province in the commune filter (stored as '' in the database)
DIMENSIONS = ("indicator", "commune", "period")
AGGREGATIONS = ("auto", "sum", "mean", "min", "max", "count")
# Sort choices offered to the user -> (queries.EXPLORER_SORTS key, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "period_desc": ("period", True),
    "period": ("period", False),
    "indicator": ("indicator", False),
    "locality": ("locality", False),
    "value_desc": ("value", True),
    "value": ("value", False),
    "submitted_desc": ("submitted_at", True),
}
SHOW_ROWS = 5_000  # rows drawn in the detail table; the downloads hold every filtered row
DOWNLOAD_CAP = 1_000_000  # above this the page loads only the shown rows and asks to narrow the filters
MAX_PIVOT_COLUMNS = 60
MAX_PIVOT_ROWS = 1_000
MAX_CHART_INDICATORS = 6
MAX_CHART_COMMUNES = 12

_KEY = {"indicator": "indicator_code", "commune": "locality_code", "period": "period"}


# --------------------------------------------------------------------------- periods of the range


def month_options(first: date | None, today: date) -> list[str]:
    """Months (``2025-09``) from the first month with data to today's, newest first."""
    first = first or today
    out = []
    year, month = today.year, today.month
    while (year, month) >= (first.year, first.month):
        out.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def default_from(today: date) -> str:
    """The first month of the default range: January of last year, so last year's annual figures are in."""
    return f"{today.year - 1}-01"


def month_bounds(month: str | None) -> tuple[date, date] | None:
    """First and last day of a ``2025-09`` month; None for ``all`` or anything else."""
    if not month or month == ALL:
        return None
    try:
        year, mon = (int(x) for x in month.split("-"))
        return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
    except ValueError:
        return None


def month_label(month: str, lang: str) -> str:
    """``Tháng 9/2025`` / ``Sep 2025`` for a month option (``all`` is labelled by the page)."""
    return periods.label_of(month, lang)


# --------------------------------------------------------------------------- filters


def build_filters(
    groups: Sequence[str] = (),
    fields: Sequence[str] = (),
    departments: Sequence[str] = (),
    codes: Sequence[str] = (),
    communes: Sequence[str] = (),
    month_from: str | None = None,
    month_to: str | None = None,
    frequency_codes: Sequence[str] | None = None,
) -> ExplorerFilters:
    """The query's filters from the address's values (empty lists mean "any").

    The frequency filter has no column in the query: the page passes it as the
    indicator codes of those frequencies (``frequency_codes``; an empty list then
    matches nothing).
    """
    if frequency_codes is not None and not codes:
        codes = tuple(frequency_codes) or ("",)  # '' is no indicator's code: nothing matches
    start = month_bounds(month_from)
    end = month_bounds(month_to)
    localities = tuple("" if c == PROVINCE else c for c in communes)
    return ExplorerFilters(
        groups=tuple(groups) or None,
        fields=tuple(fields) or None,
        departments=tuple(departments) or None,
        codes=tuple(codes) or None,
        localities=localities or None,
        period_from=start[0] if start else None,
        period_to=end[1] if end else None,
    )


def indicator_options(
    catalogue: pl.DataFrame,
    groups: Sequence[str] = (),
    fields: Sequence[str] = (),
    departments: Sequence[str] = (),
    frequencies: Sequence[str] = (),
) -> list[str]:
    """Indicator codes in catalogue order, narrowed by the group, field, department and frequency filters."""
    frame = catalogue
    if frequencies:
        frame = frame.filter(pl.col("frequency").is_in(list(frequencies)))
    if groups:
        frame = frame.filter(pl.col("group").is_in(list(groups)))
    if fields:
        frame = frame.filter(pl.col("field").is_in(list(fields)))
    if departments:
        frame = frame.filter(pl.col("owner").is_in(list(departments)))
    return frame.sort("position", "code")["code"].to_list()


def field_options(catalogue: pl.DataFrame, label: Mapping[str, str] | None = None) -> list[str]:
    """The catalogue's fields, in the order of their labels."""
    codes = catalogue["field"].drop_nulls().unique().to_list()
    return sorted(codes, key=lambda c: vi_sort_key((label or {}).get(c, c)))


def commune_options(localities: pl.DataFrame) -> list[str]:
    """The province first, then every commune and ward in Vietnamese order."""
    ordered = sorted(localities.select("code", "name").iter_rows(), key=lambda r: vi_sort_key(r[1]))
    return [PROVINCE, *[code for code, _ in ordered]]


# --------------------------------------------------------------------------- labels


def indicator_name(row: Mapping, lang: str) -> str:
    return (row.get("name_en") if lang == "en" else None) or row.get("name_vi") or row.get("code") or ""


def _labelled(frame: pl.DataFrame, lang: str, province: str) -> pl.DataFrame:
    """The frame with display labels: ``name``, ``place`` (province or commune), ``period_label``."""
    labels = {p: periods.label_of(p, lang) for p in frame["period"].unique().to_list()}
    names = pl.col("name_en") if lang == "en" else pl.col("name_vi")
    return frame.with_columns(
        name=pl.coalesce(names, pl.col("name_vi"), pl.col("indicator_code")),
        place=pl.when(pl.col("locality_code") == "")
        .then(pl.lit(province))
        .otherwise(pl.coalesce(pl.col("locality_name"), pl.col("locality_code"))),
        period_label=pl.col("period").replace_strict(labels, default=pl.col("period"), return_dtype=pl.String),
    )


def detail_table(frame: pl.DataFrame, lang: str, province: str) -> pl.DataFrame:
    """The rows shown on screen: labels in the UI language, the value written as every page writes it; a province
    value made from communes says so in its note.

    Columns: indicator_code, name, period_label, place, value_text, unit, department,
    submitted_at, note.
    """
    out = _labelled(frame, lang, province)
    computed = pl.col("computed").fill_null(False) if "computed" in out.columns else pl.lit(False)
    made = each(out, "n_localities", lambda n: t("explorer.computed_note", lang, n=n), "_made")
    return out.with_columns(made).select(
        "indicator_code",
        "name",
        "period_label",
        "place",
        each(out, "value", lambda v: numbers.fmt_number(v, lang, numbers.decimals(v)), "value_text"),
        "unit",
        "department",
        "submitted_at",
        pl.when(computed).then(pl.col("_made")).otherwise(pl.col("note")).fill_null("").alias("note"),
    )


def in_language(data: pl.DataFrame, meta: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The selection with its units in the reader's language: the catalogue's ``unit_en`` in English, where it
    gives one (the pivot, the chart and the downloads then say "billion VND", not "tỷ đồng")."""
    if lang != "en" or "unit_en" not in meta.columns or "unit" not in data.columns:
        return data
    english = meta.select(pl.col("code").alias("indicator_code"), pl.col("unit_en").alias("_unit_en"))
    joined = data.join(english, on="indicator_code", how="left", maintain_order="left")
    return joined.with_columns(unit=pl.coalesce("_unit_en", "unit")).drop("_unit_en")


# --------------------------------------------------------------------------- pivot


@dataclass
class Pivot:
    """A pivot of the selection: the table, how its cells were computed, and what was cut."""

    table: pl.DataFrame  # label column(s), then one numeric column per column value
    mode: str  # value | auto | sum | mean | min | max | count | mixed (no automatic value)
    label_columns: list[str] = field(default_factory=list)
    value_columns: list[str] = field(default_factory=list)
    hidden_columns: int = 0
    hidden_rows: int = 0
    max_per_cell: int = 0


def _order(frame: pl.DataFrame, dim: str, meta: pl.DataFrame) -> list[str]:
    """The values of one dimension in reading order (catalogue, province then communes A-Z, time)."""
    key = _KEY[dim]
    present = frame.select(key).unique()
    if dim == "indicator":
        pos = dict(meta.select("code", "position").iter_rows()) if "position" in meta.columns else {}
        return sorted(present[key].to_list(), key=lambda c: (pos.get(c, 10**9), c))
    if dim == "commune":
        places = frame.select(key, "place").unique(subset=key)
        return [c for c, _ in sorted(places.iter_rows(), key=lambda r: (r[0] != "", vi_sort_key(r[1])))]
    spans = frame.group_by(key).agg(pl.col("period_start").min(), pl.col("period_end").max())
    return spans.sort("period_start", "period_end", key)[key].to_list()


def _heading(frame: pl.DataFrame, dim: str) -> dict[str, str]:
    """Column headings for the values of the column dimension (unique)."""
    key = _KEY[dim]
    source = {"indicator": "indicator_code", "commune": "place", "period": "period_label"}[dim]
    pairs = dict(frame.select(key, pl.col(source).alias("_heading")).unique(subset=key).iter_rows())
    seen: dict[str, int] = {}
    for text in pairs.values():
        seen[text] = seen.get(text, 0) + 1
    return {k: (v if seen[v] == 1 else f"{v} ({k})") for k, v in pairs.items()}


def _auto_cells(frame: pl.DataFrame, keys: list[str], collapsed: str) -> pl.DataFrame:
    """One value per cell by the module's rules for ``auto``."""
    if collapsed == "commune":
        province = frame.filter(pl.col("locality_code") == "")
        communes = frame.filter(pl.col("locality_code") != "")
        by_province = province.group_by(keys).agg(pl.col("value").first().alias("cell"))
        by_communes = communes.group_by(keys).agg(
            province_rule.from_communes_expr(pl.col("value"), pl.col("aggregation")).alias("cell")
        )
        return pl.concat([by_province, by_communes.join(by_province, on=keys, how="anti")], how="vertical")
    # collapsed == "period"
    ordered = frame.sort("period_start", "period_end")
    kind = pl.col("value_type").first()
    return ordered.group_by(keys).agg(
        pl.when(kind == "flow")
        .then(pl.col("value").sum())
        .when(kind == "rate")
        .then(pl.col("value").mean())
        .otherwise(pl.col("value").last())
        .alias("cell")
    )


def pivot(
    frame: pl.DataFrame,
    meta: pl.DataFrame,
    rows: str,
    columns: str,
    how: str = "auto",
    lang: str = "vi",
    province: str = "",
    max_columns: int = MAX_PIVOT_COLUMNS,
    max_rows: int = MAX_PIVOT_ROWS,
) -> Pivot:
    """Pivot the explorer's rows: ``rows`` and ``columns`` among DIMENSIONS, cells by ``how`` (AGGREGATIONS).

    With ``how="auto"`` a cell that holds one observation shows it (mode ``value``),
    otherwise the module's rules apply (mode ``auto``, or ``mixed`` and an empty
    table when several indicators would share a cell). Columns of periods keep the
    latest ``max_columns``; other dimensions the first ones.
    """
    if rows not in DIMENSIONS or columns not in DIMENSIONS or rows == columns:
        raise ValueError(f"rows and columns must be two different dimensions among {DIMENSIONS}")
    if how not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {how!r}; expected one of {AGGREGATIONS}")
    collapsed = next(d for d in DIMENSIONS if d not in (rows, columns))
    keys = [_KEY[rows], _KEY[columns]]
    frame = _labelled(frame.filter(pl.col("value").is_not_null()), lang, province)
    attrs = [c for c in ("code", "aggregation", "value_type") if c in meta.columns]
    if {"aggregation", "value_type"} <= set(attrs):
        frame = frame.join(meta.select(attrs), left_on="indicator_code", right_on="code", how="left")
    else:
        frame = frame.with_columns(aggregation=pl.lit("sum"), value_type=pl.lit("flow"))
    if frame.is_empty():
        return Pivot(pl.DataFrame(), "value")
    per_cell = frame.group_by(keys).len()["len"].max() or 0
    mode = how
    if how == "auto":
        if per_cell <= 1:
            mode = "value"
            cells = frame.select(*keys, pl.col("value").alias("cell"))
        elif collapsed == "indicator":
            return Pivot(pl.DataFrame(), "mixed", max_per_cell=per_cell)
        else:
            cells = _auto_cells(frame, keys, collapsed)
    else:
        agg = {
            "sum": pl.col("value").sum(),
            "mean": pl.col("value").mean(),
            "min": pl.col("value").min(),
            "max": pl.col("value").max(),
            "count": pl.col("value").count().cast(pl.Float64),
        }[how]
        cells = frame.group_by(keys).agg(agg.alias("cell"))

    col_order = _order(frame, columns, meta)
    hidden_columns = max(0, len(col_order) - max_columns)
    if hidden_columns:
        col_order = col_order[-max_columns:] if columns == "period" else col_order[:max_columns]
    row_order = _order(frame, rows, meta)
    hidden_rows = max(0, len(row_order) - max_rows)
    row_order = row_order[:max_rows]

    heading = _heading(frame, columns)
    wanted = cells.filter(pl.col(keys[0]).is_in(row_order) & pl.col(keys[1]).is_in(col_order))
    wanted = wanted.with_columns(pl.col(keys[1]).replace_strict(heading, return_dtype=pl.String).alias("_column"))
    value_columns = [heading[c] for c in col_order]
    wide = wanted.pivot(on="_column", index=keys[0], values="cell", on_columns=value_columns)
    # every row value, in order, even one whose cells were all cut away
    base = pl.DataFrame({keys[0]: row_order}, schema={keys[0]: pl.String}).with_row_index("_order")
    wide = base.join(wide, on=keys[0], how="left").sort("_order").drop("_order")
    for name in value_columns:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))

    labels = _row_labels(frame, rows)
    table = labels.join(wide, on=keys[0], how="right")
    label_columns = [c for c in labels.columns if c != keys[0]]
    if rows != "indicator":
        table = table.drop(keys[0])
    else:
        label_columns = [keys[0], *label_columns]
    table = table.select(*label_columns, *value_columns)
    return Pivot(table, mode, label_columns, value_columns, hidden_columns, hidden_rows, per_cell)


def _row_labels(frame: pl.DataFrame, rows: str) -> pl.DataFrame:
    key = _KEY[rows]
    if rows == "indicator":
        return frame.select(key, "name", "unit").unique(subset=key)
    if rows == "commune":
        return frame.select(key, "place").unique(subset=key)
    return frame.select(key, "period_label").unique(subset=key)


def pivot_display(p: Pivot, lang: str) -> pl.DataFrame:
    """The pivot with its numbers written in the UI language (the downloads keep the numbers)."""
    if not p.value_columns:
        return p.table

    def written(v: float) -> str:
        return numbers.fmt_number(v, lang, 0 if p.mode == "count" else numbers.decimals(v))

    return p.table.with_columns(each(p.table, c, written).fill_null("") for c in p.value_columns)


# --------------------------------------------------------------------------- chart


@dataclass
class ChartPlan:
    """What to draw for the selection: ``by`` period or commune, with its frame; or why nothing."""

    by: str | None  # period | commune | None
    frame: pl.DataFrame
    reason: str | None = None  # too_many_indicators | mixed_units | mixed_frequencies | too_few
    unit: str = ""
    codes: tuple[str, ...] = ()
    span: str = ""  # the first and last periods drawn, in words


def chart_plan(frame: pl.DataFrame, meta: pl.DataFrame, lang: str, province: str) -> ChartPlan:
    """The chart of the selection.

    By commune (bars) when the selection holds one period and several communes;
    else by period (lines): one line per commune for one indicator and a few
    communes, or one line per indicator (communes folded as in the pivot) for a
    few indicators sharing a unit and a frequency.
    """
    frame = frame.filter(pl.col("value").is_not_null())
    empty = pl.DataFrame()
    if frame.is_empty():
        return ChartPlan(None, empty, "too_few")
    codes = frame["indicator_code"].unique().to_list()
    units = set(frame["unit"].fill_null("").unique().to_list())
    freqs = set(frame["frequency"].unique().to_list())
    if len(codes) > MAX_CHART_INDICATORS:
        return ChartPlan(None, empty, "too_many_indicators")
    if len(units) > 1:
        return ChartPlan(None, empty, "mixed_units")
    if len(freqs) > 1:
        return ChartPlan(None, empty, "mixed_frequencies")
    unit = units.pop()
    labelled = _labelled(frame, lang, province)
    bounds = labelled.sort("period_start", "period_end")["period_label"]
    span = bounds[0] if bounds[0] == bounds[-1] else f"{bounds[0]} – {bounds[-1]}"
    ordered_codes = tuple(_order(labelled, "indicator", meta))
    series_name = pl.col("indicator_code") + pl.lit(" · ") + pl.col("name") if len(codes) > 1 else pl.col("name")
    communes = labelled.filter(pl.col("locality_code") != "")
    if labelled["period"].n_unique() == 1 and communes["locality_code"].n_unique() > 1:
        bars = communes.select(series_name.alias("series"), pl.col("place").alias("name"), "value")
        return ChartPlan("commune", bars, unit=unit, codes=ordered_codes, span=span)
    places = labelled["locality_code"].n_unique()
    if len(codes) == 1 and 1 < places <= MAX_CHART_COMMUNES:
        lines = labelled.select(pl.col("place").alias("series"), "period", "period_label", "value")
        return ChartPlan("period", lines, unit=unit, codes=ordered_codes, span=span)
    cells = pivot(frame, meta, "indicator", "period", "auto", lang, province, max_columns=10**6)
    if cells.mode == "mixed" or cells.table.is_empty():
        return ChartPlan(None, empty, "too_few")
    per_period = (
        labelled.select("indicator_code", "period", "period_label", "period_start")
        .unique(subset=["indicator_code", "period"])
        .join(_long(cells), on=["indicator_code", "period_label"], how="inner")
    )
    names = labelled.select("indicator_code", series_name.alias("series")).unique(subset="indicator_code")
    lines = per_period.join(names, on="indicator_code").sort("period_start")
    lines = lines.select("series", "period", "period_label", "value")
    return ChartPlan("period", lines, unit=unit, codes=ordered_codes, span=span)


def _long(p: Pivot) -> pl.DataFrame:
    """An indicator x period pivot back to long: indicator_code, period_label, value."""
    return p.table.unpivot(
        on=p.value_columns, index="indicator_code", variable_name="period_label", value_name="value"
    ).filter(pl.col("value").is_not_null())


def range_text(month_from: str | None, month_to: str | None, lang: str, first: str, latest: str) -> str:
    """The period range in words for captions and chart subtitles."""
    start = first if not month_from or month_from == ALL else month_label(month_from, lang)
    end = latest if not month_to or month_to == ALL else month_label(month_to, lang)
    return start if start == end else f"{start} – {end}"


def summary_counts(frame: pl.DataFrame) -> dict[str, int]:
    """How many indicators, places and periods the (downloaded) selection holds."""
    if frame.is_empty():
        return {"indicators": 0, "places": 0, "periods": 0}
    return {
        "indicators": frame["indicator_code"].n_unique(),
        "places": frame["locality_code"].n_unique(),
        "periods": frame["period"].n_unique(),
    }


# --------------------------------------------------------------------------- what the page writes


def pivot_caption(p: Pivot, rows: str, columns: str, t: Callable[..., str]) -> str:
    """How the pivot's cells were computed, in words."""
    collapsed = next(d for d in DIMENSIONS if d not in (rows, columns))
    if p.mode == "value":
        return t("explorer.mode.value")
    if p.mode == "auto":
        return t(f"explorer.mode.auto_{collapsed}")
    if p.mode == "mixed":
        return ""
    text = t("explorer.mode.chosen", agg=t(f"explorer.agg.{p.mode}").lower(), n=p.max_per_cell)
    if collapsed == "indicator":
        text += " " + t("explorer.mode.chosen_mixed")
    return text


def pivot_cuts(
    p: Pivot, columns: str, t: Callable[..., str], num: Callable[[int], str], frequencies: int = 1
) -> list[str]:
    """Notes on the columns and rows the pivot leaves out, and on periods of several frequencies side by side."""
    notes = []
    if columns == "period" and frequencies > 1:
        notes.append(t("explorer.mixed_frequencies"))
    if p.hidden_columns:
        shown = len(p.value_columns)
        which = t("explorer.cut_latest") if columns == "period" else t("explorer.cut_first")
        notes.append(
            t("explorer.pivot_cut_columns", total=num(shown + p.hidden_columns), shown=num(shown), which=which)
        )
    if p.hidden_rows:
        shown = p.table.height
        notes.append(t("explorer.pivot_cut_rows", total=num(shown + p.hidden_rows), shown=num(shown)))
    return notes


def pivot_columns(p: Pivot, names: Mapping[str, str], t: Callable[..., str]) -> dict[str, Any]:
    """Column headings of the pivot: labels in the UI language, numbers right-aligned."""
    config: dict[str, Any] = {
        "indicator_code": cc.TextColumn(t("ui.code"), pinned=True, width="small"),
        "name": cc.TextColumn(t("ui.indicator"), pinned=True, width="large"),
        "unit": cc.TextColumn(t("ui.unit")),
        "place": cc.TextColumn(t("ui.locality"), pinned=True),
        "period_label": cc.TextColumn(t("ui.period"), pinned=True),
    }
    for column in p.value_columns:
        config[column] = cc.TextColumn(column, alignment="right", help=names.get(column))
    return config


def detail_columns(t: Callable[..., str]) -> dict[str, Any]:
    """Column headings of the detail table."""
    return {
        "indicator_code": cc.TextColumn(t("ui.code"), width="small"),
        "name": cc.TextColumn(t("ui.indicator"), width="large"),
        "period_label": cc.TextColumn(t("ui.period")),
        "place": cc.TextColumn(t("ui.locality")),
        "value_text": cc.TextColumn(t("ui.value"), alignment="right"),
        "unit": cc.TextColumn(t("ui.unit")),
        "department": cc.TextColumn(t("explorer.col.department"), width="small"),
        "submitted_at": cc.DatetimeColumn(t("ui.submitted_at"), format="DD/MM/YYYY HH:mm"),
        "note": cc.TextColumn(t("ui.note")),
    }


def chart_title(
    plan: ChartPlan, meta: pl.DataFrame, names: Mapping[str, str], t: Callable[..., str], lang: str = "vi"
) -> tuple[str, str | None]:
    """The chart's title and source (in the reader's language): the indicator's own for one indicator, else a
    generic title."""
    if len(plan.codes) != 1:
        return t("explorer.chart_title"), None
    code = plan.codes[0]
    found = meta.filter(pl.col("code") == code)
    source = None
    if found.height and "source" in found.columns:
        source = figures.source(found.row(0, named=True), lang) or None
    name = names.get(code, code)
    return (t("explorer.chart_title_communes", name=name) if plan.by == "commune" else name), source


def data_note(
    total: int, shown: int, whole: bool, t: Callable[..., str], num: Callable[[int], str], can_export: bool = True
) -> tuple[str, str]:
    """What the detail table holds against the selection, and what the downloads hold: (kind of box, text)."""
    if not can_export:
        text = t("explorer.shown_cut_no_export", total=num(total), shown=num(shown)) if total > shown else ""
        return ("info" if text else "caption"), (text or t("explorer.shown_all_no_export", n=num(total)))
    if not whole:
        return "warning", t("explorer.too_big", total=num(total), cap=num(DOWNLOAD_CAP), shown=num(shown))
    if total > shown:
        return "info", t("explorer.shown_cut", total=num(total), shown=num(shown))
    return "caption", t("explorer.shown_all", n=num(total))


def download_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The filtered figures as downloaded: every row of the selection, the query's columns, numbers as numbers."""
    return frame.select([c for c in EXPLORER_COLUMNS if c in frame.columns])


# --------------------------------------------------------------------------- widgets bound to the address


def period_range(t: Callable[..., str], lang: str, months: Sequence[str], default: str, left: Any, right: Any):
    """The from/to month selects (``?from=2025-01&to=all``); ``from`` is pinned in the address.

    Pinned, so that a copied link keeps its range whatever day it is opened
    (the default range moves with the calendar).
    """
    from dashboard import state

    first, latest = t("explorer.from_all"), t("explorer.to_all")
    month_from = state.select(
        t("ui.period_from"), [ALL, *months], "from", default=default, container=left,
        format_func=lambda m: first if m == ALL else month_label(m, lang),
    )  # fmt: skip
    state.set_param("from", month_from)
    month_to = state.select(
        t("ui.period_to"), [ALL, *months], "to", default=ALL, container=right,
        format_func=lambda m: latest if m == ALL else month_label(m, lang),
    )  # fmt: skip
    return month_from, month_to


def bound_multiselect(
    label: str,
    options: Sequence[Any],
    key: str,
    format_func: Callable[[Any], str],
    container: Any,
    lang: str,
    **kw: Any,
) -> list[Any]:
    """``state.multiselect``, kept right across a language switch (``?key=a&key=b`` in the address).

    Streamlit sends a multiselect's choice back as the *labels* shown, so after the
    language changes the browser's labels no longer match the options and the next
    interaction empties the filter. The widget is therefore seeded from the address
    through the session state whenever the language changed (and on first use), so
    the browser receives labels in the new language.
    """
    import streamlit as st

    from dashboard import state

    widget, marker = f"qp_{key}", f"_qp_lang_{key}"
    by_text = {str(o): o for o in options}
    if widget not in st.session_state or st.session_state.get(marker) != lang:
        st.session_state[widget] = [by_text[v] for v in state.param_list(key) if v in by_text]
        st.session_state[marker] = lang
    value = container.multiselect(label, options, key=widget, format_func=format_func, **kw)
    state.set_param(key, [str(v) for v in value])
    return value


def bound_tabs(labels: Mapping[str, str], key: str, param: str = "view") -> tuple[str, dict[str, Any]]:
    """Tabs whose open one lives in the address (``?view=chart``); only the open tab should be drawn.

    ``labels`` maps a tab's code to its label in the UI language. Returns the open
    tab's code and the tab containers by code. Hidden tabs are not rendered by the
    browser (their charts would never draw), so the page draws the open one only.
    """
    import streamlit as st

    from dashboard import state

    codes = list(labels)
    wanted = state.param(param, codes[0])
    wanted = wanted if wanted in labels else codes[0]
    # Seeded through the session state rather than `default=`: with a default other than the first tab,
    # Streamlit ignores a click back on the first one. A label of another language (or with another count)
    # is not a tab any more: the address says which one was open.
    if st.session_state.get(key) not in labels.values():
        st.session_state[key] = labels[wanted]
    containers = st.tabs(list(labels.values()), key=key, on_change="rerun")
    by_code = dict(zip(codes, containers, strict=True))
    current = next((code for code, tab in by_code.items() if tab.open), wanted)
    state.set_param(param, current, codes[0])
    return current, by_code
