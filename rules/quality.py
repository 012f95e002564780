"""Data quality: values far from their own history, and catalogue entries with a gap.

Outliers
    The robust z-score of a province value against its indicator's own province
    history: ``0.6745 × (x − median) ÷ MAD``; when the MAD is 0,
    ``(x − median) ÷ (1.2533 × mean absolute deviation)``; flagged when
    |z| > ``OUTLIER_Z`` (3.5), only with at least ``OUTLIER_MIN_HISTORY`` (6)
    values.

Gaps
    An indicator with no value at all (a computed composite has data when some
    period has every component), no target for today's year, or no named
    source (empty, "-", "n/a", "chưa có", ...).

Examples (``tests/test_rules_quality.py``): values 10, 11, 10, 12, 11, 10, 40:
median 11, MAD 1, z of 40 = 0.6745 × 29 = 19.6: flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from rules.store import Store

OUTLIER_Z = 3.5
OUTLIER_MIN_HISTORY = 6
NO_SOURCE = ("", "-", "—", "?", "n/a", "na", "tbd", "chưa có", "chưa xác định")


def robust_z(series: pl.DataFrame, min_history: int = OUTLIER_MIN_HISTORY) -> pl.DataFrame:
    """Robust z-score of each value against its indicator's whole series (null when too short or flat).

    Columns: the series' columns plus n, median, mad, z.
    """
    med = pl.col("value").median().over("indicator_code")
    df = series.with_columns(n=pl.len().over("indicator_code"), median=med)
    df = df.with_columns(
        mad=(pl.col("value") - pl.col("median")).abs().median().over("indicator_code"),
        _mean_ad=(pl.col("value") - pl.col("median")).abs().mean().over("indicator_code"),
    )
    dev = pl.col("value") - pl.col("median")
    z = (
        pl.when(pl.col("n") < min_history)
        .then(None)
        .when(pl.col("mad") > 0)
        .then(0.6745 * dev / pl.col("mad"))
        .when(pl.col("_mean_ad") > 0)
        .then(dev / (1.253314 * pl.col("_mean_ad")))
    )
    return df.with_columns(z=z).drop("_mean_ad")


OUTLIER_COLUMNS = (
    "indicator_code",
    "name_vi",
    "name_en",
    "owner",
    "unit",
    "period",
    "period_start",
    "value",
    "computed",
    "n",
    "median",
    "mad",
    "z",
)


def outliers(
    store: Store,
    threshold: float = OUTLIER_Z,
    min_history: int = OUTLIER_MIN_HISTORY,
    codes: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Province values whose robust z-score exceeds ``threshold``, largest first. Columns: OUTLIER_COLUMNS."""
    series = store.series
    if codes is not None:
        series = series.filter(pl.col("indicator_code").is_in(sorted({c.strip().upper() for c in codes})))
    scored = robust_z(series, min_history).filter(pl.col("z").abs() > threshold)
    names = store.catalogue.select(pl.col("code").alias("indicator_code"), "name_vi", "name_en", "owner", "unit")
    out = scored.join(names, on="indicator_code", how="left")
    return out.select(OUTLIER_COLUMNS).sort(pl.col("z").abs(), descending=True)


GAP_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "group",
    "owner",
    "stage",
    "source",
    "no_data",
    "no_target",
    "no_source",
    "target_years",
    "n_values",
    "last_period_start",
)


def gaps(store: Store, coverage: pl.DataFrame, today: date) -> pl.DataFrame:
    """Indicators with no value, no target for ``today``'s year, or no named source.

    coverage: indicator_code, n_values (current values at any level),
    last_period_start. Columns: GAP_COLUMNS.
    """
    meta = store.catalogue
    with_composite_data = store.series.filter(pl.col("computed")).get_column("indicator_code").unique().to_list()
    composites = meta.filter(pl.col("components").list.len() > 0).get_column("code").to_list()
    with_composite_data = [c for c in with_composite_data if c in composites]
    out = meta.join(
        coverage.select(pl.col("indicator_code").alias("code"), "n_values", "last_period_start"), on="code", how="left"
    ).with_columns(
        pl.col("n_values").fill_null(0),
        target_years=pl.col("targets").list.eval(pl.element().struct.field("year")),
    )
    out = out.with_columns(
        no_data=(pl.col("n_values") == 0) & ~pl.col("code").is_in(with_composite_data),
        no_target=~pl.col("target_years").list.contains(today.year),
        no_source=pl.col("source").fill_null("").str.strip_chars().str.to_lowercase().is_in(list(NO_SOURCE)),
    )
    return out.filter(pl.col("no_data") | pl.col("no_target") | pl.col("no_source")).select(GAP_COLUMNS)
