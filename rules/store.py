"""What the rules read: the catalogue, the targets and the province series, loaded once per data version.

``db.queries.load_store`` fills one from the database; the tests build them
from frames. The province series already holds the computed composites
(``rules.composites``), so every figure sees the same series.

As of (số liệu tính đến)
    The date of the data the figures stand on: the day of the latest accepted
    file. Every page, chart, export, slide and report shows this date, never
    today's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from rules import composites


@dataclass(frozen=True)
class Store:
    """The catalogue and the province figures, with computed composites added."""

    catalogue: pl.DataFrame  # db.queries.catalogue's columns
    targets: pl.DataFrame  # indicator_code, year, value
    components: pl.DataFrame  # composite_code, component_code, weight
    series: pl.DataFrame  # composites.SERIES_SCHEMA: one province value per indicator and period
    contributions: pl.DataFrame  # composites.CONTRIBUTION_SCHEMA
    first_submissions: pl.DataFrame  # indicator_code, period, period_start, first_submitted_at
    latest_submitted_at: datetime | None = None

    @classmethod
    def build(
        cls,
        catalogue: pl.DataFrame,
        targets: pl.DataFrame,
        components: pl.DataFrame,
        province_series: pl.DataFrame,
        first_submissions: pl.DataFrame,
        latest_submitted_at: datetime | None = None,
    ) -> Store:
        """A store from what the database holds; computed composites are added to the series here."""
        series, contributions = composites.with_composites(province_series, catalogue, components, targets)
        return cls(catalogue, targets, components, series, contributions, first_submissions, latest_submitted_at)

    @property
    def as_of(self) -> date | None:
        """The date of the data: the day of the latest accepted file (None before any)."""
        return as_of_date(self.latest_submitted_at)


def as_of_date(latest_submitted_at: datetime | date | None) -> date | None:
    """The day of the latest accepted file."""
    if latest_submitted_at is None:
        return None
    return latest_submitted_at.date() if isinstance(latest_submitted_at, datetime) else latest_submitted_at
