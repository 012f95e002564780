"""The files behind an indicator's figures, and every revision with its own time."""

from __future__ import annotations

import polars as pl

from dashboard import figures
from dashboard.i18n import t
from dashboard.tables import Column, Table, build
from dashboard.views.audit import actor_text


def _span(row: dict, lang: str) -> str:
    first, last = figures.period(row["first_period"], lang), figures.period(row["last_period"], lang)
    return first if first == last else f"{first} – {last}"


SUBMISSIONS = (
    Column("submitted_at", "ui.submitted_at", "datetime"),
    Column("file_name", "indicator.file"),
    Column("submitted_by", "indicator.submitted_by"),
    Column("periods", "indicator.periods"),
    Column("n_values", "indicator.n_values", "count"),
    Column("n_revised", "indicator.n_revised", "count"),
    Column("n_current", "indicator.n_current", "count"),
)


def submissions_table(subs: pl.DataFrame, lang: str) -> Table:
    """The files behind the figures: when, file, who, how many values, revised, still current, periods."""
    data = subs.with_columns(
        periods=pl.Series([_span(r, lang) for r in subs.iter_rows(named=True)], dtype=pl.String),
        submitted_by=_who(subs["submitted_by"], lang),
    )
    return build(data, SUBMISSIONS, lang)


def _who(accounts: pl.Series, lang: str) -> pl.Series:
    """Who sent each file in words: the account, or the server's command line named as such (never 'None')."""
    return pl.Series([actor_text(a, lang) for a in accounts], dtype=pl.String)


REVISIONS = (
    Column("period", "ui.period", "period"),
    Column("place", "ui.locality"),
    Column("version_text", "indicator.version"),
    Column("value", "ui.value", "value"),
    Column("previous_value", "indicator.previous_value", "value"),
    Column("submitted_at", "ui.submitted_at", "datetime"),
    Column("file_name", "indicator.file"),
    Column("submitted_by", "indicator.submitted_by"),
    Column("note", "ui.note"),
    Column("reason", "indicator.reason"),
    Column("current", "indicator.in_force"),
)


def revisions_table(revisions: pl.DataFrame, localities: pl.DataFrame, unit: str | None, lang: str) -> Table:
    """Every value of a revised key, oldest version first, each with its own time, file, author and the reason
    given for the revision (a first value has none)."""
    names = dict(localities.select("code", "name").iter_rows())
    province = t("ui.province", lang)
    data = revisions.sort(["period_start", "locality_code", "version"], descending=[True, False, False])
    data = data.with_columns(
        unit=pl.lit(unit),
        place=pl.Series([names.get(c, c) if c else province for c in data["locality_code"]], dtype=pl.String),
        version_text=pl.format("{}/{}", "version", "versions"),
        current=pl.when(pl.col("is_current")).then(pl.lit(t("ui.yes", lang))).otherwise(pl.lit("")),
        submitted_by=_who(data["submitted_by"], lang),
        reason=pl.col("reason").fill_null("") if "reason" in data.columns else pl.lit(""),
    )
    return build(data, REVISIONS, lang)
