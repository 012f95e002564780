"""A computed composite's parts: each component's score, weight and contribution in one period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, figures, numbers
from dashboard.charts import Stamp
from dashboard.frames import each
from dashboard.i18n import t
from dashboard.links import href
from dashboard.tables import Column, Table, build
from dashboard.views.indicator import fit_width
from rules.composites import RANGE_SOURCES


def composite_periods(series: pl.DataFrame) -> list[str]:
    """Periods of a computed composite that have a computed value, newest first."""
    if series.is_empty():
        return []
    return series.filter(pl.col("computed")).sort("period_start", descending=True).get_column("period").to_list()


def contributions_frame(breakdown: pl.DataFrame, lang: str) -> pl.DataFrame:
    """rules.evaluate.breakdown shaped for charts.composite_contributions_chart (label: ``CODE · name``)."""
    name = "name_vi" if lang == "vi" else "name_en"
    return breakdown.select(
        pl.col("component_code").alias("component"),
        (pl.col("component_code") + pl.lit(" · ") + pl.coalesce(pl.col(name), pl.col("component_code"))).alias(
            "component_label"
        ),
        "contribution",
        "weight",
        "score",
    )


def contributions_chart(
    breakdown: pl.DataFrame, row: Mapping[str, Any], period: str, stamp: Stamp
) -> alt.TopLevelMixin:
    total = breakdown.get_column("contribution").sum() if breakdown.height else None
    labels = stamp.text(
        t("indicator.components_title", stamp.lang, name=figures.name(row, stamp.lang)),
        unit=t("indicator.points_unit", stamp.lang),
        period=figures.period(period, stamp.lang),
        extra=[t("indicator.composite_value", stamp.lang, value=numbers.fmt_number(total, stamp.lang, 1))]
        if total
        else [],
    )
    return fit_width(charts.composite_contributions_chart(contributions_frame(breakdown, stamp.lang), labels))


def _basis(row: Mapping[str, Any], lang: str) -> str:
    source = row["range_source"]
    text = t(f"indicator.range_source_{source}", lang) if source in RANGE_SOURCES else ""
    if source == "target" and not numbers.is_missing(row["target"]):
        text = f"{text}: {figures.value(row['target'], figures.unit(row, lang), lang)}"
    return text


COMPONENTS = (
    Column("link", "ui.open", "link"),
    Column("component_code", "ui.code", "code"),
    Column("name", "ui.indicator"),
    Column("component_period", "ui.period", "period"),
    Column("value", "ui.value", "value"),
    Column("weight", "ui.weight", "number"),
    Column("basis", "indicator.scored_against"),
    Column("score", "ui.score", "number", fmt=lambda x, lang: numbers.fmt_number(x, lang, 1)),
    Column("contribution", "ui.contribution", "number", fmt=lambda x, lang: numbers.fmt_number(x, lang, 1)),
    Column("share_pct", "indicator.share", "percent"),
)


def contributions_table(breakdown: pl.DataFrame, lang: str) -> Table:
    """Each component: link, code, name, value, weight, how it was scored, score and contribution."""
    data = breakdown.sort("contribution", descending=True, nulls_last=True)
    data = data.with_columns(
        link=each(data, "component_code", lambda c: href("indicator", lang, code=c)),
        name=pl.coalesce(pl.col("name_vi" if lang == "vi" else "name_en"), pl.col("component_code")),
        basis=pl.Series([_basis(r, lang) for r in data.iter_rows(named=True)], dtype=pl.String),
    )
    return build(data, COMPONENTS, lang)
