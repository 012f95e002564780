"""One indicator's communes and wards: ranked against each other and the province, one commune's own series.

Pure functions. A commune's status is the plan rule itself (``rules.plan.judge_values``),
applied where the year's target holds for each commune (a mean of levels or rates,
not a part of a sum); the province figure drawn beside the bars is the province
value of ``rules.province`` (the submitted one, else the communes' mean).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, figures
from dashboard.charts import Stamp
from dashboard.frames import each
from dashboard.i18n import label, t, vi_sort_key
from dashboard.tables import Column, Table, build
from dashboard.views.indicator import fit_width
from rules import plan


def judges_communes(row: Mapping[str, Any]) -> bool:
    """Whether the year's target applies to each commune: a mean of levels or rates (not parts of a sum)."""
    return row.get("aggregation") == "mean" and row.get("value_type") in ("rate", "stock")


def target_for(row: Mapping[str, Any], period: str | None) -> float | None:
    """The plan target of the period's year, from the catalogue row."""
    if not period:
        return None
    year = int(str(period)[:4])
    return next((float(i["value"]) for i in row.get("targets") or [] if i["year"] == year), None)


def commune_frame(values: pl.DataFrame, row: Mapping[str, Any], period: str | None) -> pl.DataFrame:
    """commune_values with a status per commune where the target applies to each one.

    Columns: locality_code, name, kind, value, rank, share_pct, note, status.
    """
    target = target_for(row, period) if judges_communes(row) else None
    statuses = plan.judge_values(
        values.get_column("value").to_list(),
        target,
        row.get("direction") or "up",
        row.get("on_track_pct"),
        row.get("at_risk_pct"),
    )
    if target is None:
        statuses = [None] * values.height
    return values.select(
        "locality_code", pl.col("locality_name").alias("name"), "kind", "value", "rank", "share_pct", "note"
    ).with_columns(pl.Series("status", statuses, dtype=pl.String))


# An A4 page's text block holds about 30 bars legibly: the best and the worst 15, the chosen commune too.
A4_COMMUNES = 30


def commune_chart(
    frame: pl.DataFrame,
    row: Mapping[str, Any],
    period: str,
    province_value: float | None,
    highlight: str | None,
    stamp: Stamp,
    every: bool = False,
) -> alt.TopLevelMixin:
    """The communes' bars, best first, with the province value beside them (not for sums: a total dwarfs every bar).

    By default the best and the worst ``A4_COMMUNES // 2`` (and the chosen commune), sized to sit on an A4 page
    (its subtitle says how many are drawn); ``every``: all of them (a tall chart, for the screen).
    """
    reference = None if row.get("aggregation") == "sum" else province_value
    labels = stamp.text(
        t("indicator.communes_title", stamp.lang, name=figures.name(row, stamp.lang)),
        unit=figures.unit(row, stamp.lang),
        period=figures.period(period, stamp.lang),
        source=figures.source(row, stamp.lang),
    )
    return fit_width(
        charts.commune_bars(
            frame,
            labels,
            reference=reference,
            reference_kind="total",  # labelled "Toàn tỉnh": the province value
            highlight=[highlight] if highlight else [],
            direction=row.get("direction") or "up",
            **({} if every else {"most": A4_COMMUNES, "step": 22}),
        )
    )


def commune_ranks(frame: pl.DataFrame, direction: str) -> pl.DataFrame:
    """Competition ranks, best first by direction (1 is the best; ties share a rank). Columns: frame's + rank."""
    score = pl.col("value") if direction != "down" else -pl.col("value")
    return frame.with_columns(rank=score.rank("min", descending=True).cast(pl.Int32))


def commune_table(frame: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    """Communes ranked (best first), with share of the total for sums and status where judged."""
    ranked = commune_ranks(frame, row.get("direction") or "up").sort(["rank", "name"], nulls_last=True)
    columns = [
        Column("rank", "ui.rank", "count", fmt=lambda x, _: figures.MISSING if x is None else str(x)),
        Column("name", "ui.commune"),
        Column("locality_code", "ui.code", "code"),
        Column("kind_name", "indicator.kind"),
        Column("value", "ui.value", "value"),
    ]
    if row.get("aggregation") == "sum":
        columns.append(Column("share_pct", "indicator.share", "percent"))
    if frame.get_column("status").drop_nulls().len():
        columns.append(Column("status", "ui.status", "status"))
    columns.append(Column("note", "ui.note"))
    data = ranked.with_columns(
        unit=pl.lit(figures.unit(row, lang)), kind_name=each(ranked, "kind", lambda k: label("kind", k, lang))
    )
    return build(data, columns, lang)


def locality_options(localities: pl.DataFrame, lang: str) -> tuple[list[str], dict[str, str]]:
    """Codes (``""`` first for none) and their labels ``Name (Phường)``, in Vietnamese order."""
    rows = sorted(localities.iter_rows(named=True), key=lambda r: vi_sort_key(r["name"]))
    names = {"": t("indicator.choose_commune", lang)}
    names |= {r["code"]: f"{r['name']} ({label('kind', r['kind'], lang)})" for r in rows}
    return ["", *(r["code"] for r in rows)], names


def locality_chart(series: pl.DataFrame, row: Mapping[str, Any], commune: str, stamp: Stamp) -> alt.TopLevelMixin:
    """One commune's own series; against the year's target where the target applies to each commune."""
    judged = judges_communes(row)
    frame = series.select(
        "period",
        "value",
        each(series, "period", lambda p: target_for(row, p), "target", dtype=pl.Float64)
        if judged
        else pl.lit(None, dtype=pl.Float64).alias("target"),
    )
    lang = stamp.lang
    labels = stamp.text(
        f"{figures.name(row, lang)} – {commune}", unit=figures.unit(row, lang), source=figures.source(row, lang)
    )
    return fit_width(
        charts.history_chart(
            frame,
            labels,
            direction=row.get("direction") or "up",
            on_track_pct=row.get("on_track_pct"),
            at_risk_pct=row.get("at_risk_pct"),
            mark="bar" if row.get("value_type") == "flow" else "line",
        )
    )


LOCALITY = (
    Column("period", "ui.period", "period"),
    Column("value", "ui.value", "value"),
    Column("note", "ui.note"),
    Column("submitted_at", "ui.submitted_at", "datetime"),
)


def locality_table(series: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    data = series.sort("period_start", descending=True).with_columns(unit=pl.lit(figures.unit(row, lang)))
    return build(data, LOCALITY, lang)
