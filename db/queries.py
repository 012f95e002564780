"""Named read queries: the one home of the read side's SQL (the dashboard, the exports, the reports).

Every public function is ``(path, ...) -> pl.DataFrame``, runs one statement
through ``db.query`` with every value bound (``$name``), and states its output
columns in its docstring. Queries whose filters are optional are built by pure
``*_sql`` functions returning ``(sql, params)``, so an absent filter is absent
from the SQL (the optimiser sees plain predicates) and the builders can be
tested as tables. A column or sort chosen by the user comes from an allow-list.

Indicator codes are stored upper-case (CONTRACT §1); codes passed in are
upper-cased here so callers may use any case. The province is
``locality_code = ''``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from db.connection import query as _query
from db.connection import read as _read
from rules import province
from rules.calendar import parse as parse_period
from rules.store import Store

Path = str | os.PathLike | None
Params = dict[str, object]

# Filters that are absent are left out of the SQL; present ones are ANDed.


def _codes(codes: Iterable[str] | None) -> list[str] | None:
    """Upper-cased, de-duplicated codes, or None for "no filter"."""
    if codes is None:
        return None
    return sorted({c.strip().upper() for c in codes})


def _where(clauses: Sequence[str]) -> str:
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


# --------------------------------------------------------------------------- catalogue and reference data

_CATALOGUE_SELECT = """
SELECT i.code, i.name_vi, i.name_en, i."group", i.field, i.owner,
       d.name_vi AS owner_name_vi, d.name_en AS owner_name_en,
       i.source, i.unit, {english}, i.frequency, i.value_type, i.level, i.aggregation, i.direction,
       i.valid_min, i.valid_max, i.deadline_days, i.definition_vi, i.definition_en, i.method,
       i.central_code, i.stage, i.on_track_pct, i.at_risk_pct, i.position,
       coalesce(t.targets, []::STRUCT(year INTEGER, value DOUBLE)[]) AS targets,
       coalesce(c.components, []::STRUCT(code VARCHAR, weight DOUBLE)[]) AS components
FROM indicators i
LEFT JOIN departments d ON d.code = i.owner
LEFT JOIN (
    SELECT indicator_code, list({'year': year, 'value': value} ORDER BY year) AS targets
    FROM targets GROUP BY indicator_code
) t ON t.indicator_code = i.code
LEFT JOIN (
    SELECT composite_code, list({'code': component_code, 'weight': weight} ORDER BY component_code) AS components
    FROM components GROUP BY composite_code
) c ON c.composite_code = i.code
"""


# Catalogue columns added after files were in use: a file not written to since the upgrade lacks them (its next
# write adds them), and reads them as empty meanwhile.
ADDED_INDICATOR_COLUMNS = ("unit_en", "source_en")


def catalogue_sql(
    codes: Iterable[str] | None = None, present: Iterable[str] = ADDED_INDICATOR_COLUMNS
) -> tuple[str, Params]:
    """The catalogue statement, optionally limited to some indicator codes; ``present``: which of the added
    columns the file has (the others are read as null)."""
    params: Params = {}
    clauses = []
    if (wanted := _codes(codes)) is not None:
        clauses.append("list_contains($codes, i.code)")
        params["codes"] = wanted
    have = set(present)
    english = ", ".join(f"i.{c}" if c in have else f"NULL::VARCHAR AS {c}" for c in ADDED_INDICATOR_COLUMNS)
    select = _CATALOGUE_SELECT.replace("{english}", english)
    return f"{select} {_where(clauses)} ORDER BY i.position, i.code", params


def indicator_columns(path: Path = None) -> set[str]:
    """The columns the file's ``indicators`` table has."""
    sql = "SELECT column_name FROM information_schema.columns WHERE table_name = 'indicators'"
    return set(_query(sql, None, path)["column_name"].to_list())


def catalogue(path: Path = None, codes: Iterable[str] | None = None) -> pl.DataFrame:
    """Indicators in catalogue order.

    Columns: code, name_vi, name_en, group, field, owner, owner_name_vi, owner_name_en,
    source, unit, unit_en, source_en (null where the catalogue gives none), frequency, value_type, level,
    aggregation, direction, valid_min, valid_max, deadline_days, definition_vi, definition_en, method,
    central_code, stage, on_track_pct, at_risk_pct, position, targets (list of {year, value}, by year),
    components (list of {code, weight}; empty unless a computed composite).
    """
    sql, params = catalogue_sql(codes, indicator_columns(path))
    return _query(sql, params, path)


def catalogue_loads(path: Path = None, limit: int = 10) -> pl.DataFrame:
    """The latest catalogue changes, newest first. Columns: id, loaded_at, file_name, indicators, loaded_by."""
    sql = (
        "SELECT id, loaded_at, file_name, indicators, loaded_by FROM catalogue_loads "
        "ORDER BY loaded_at DESC, id DESC LIMIT $limit"
    )
    return _query(sql, {"limit": int(limit)}, path)


def targets(path: Path = None, codes: Iterable[str] | None = None) -> pl.DataFrame:
    """Yearly plan targets, long. Columns: indicator_code, year, value."""
    params: Params = {}
    clauses = []
    if (wanted := _codes(codes)) is not None:
        clauses.append("list_contains($codes, indicator_code)")
        params["codes"] = wanted
    sql = f"SELECT indicator_code, year, value FROM targets {_where(clauses)} ORDER BY indicator_code, year"
    return _query(sql, params, path)


def components(path: Path = None) -> pl.DataFrame:
    """Components of computed composites. Columns: composite_code, component_code, weight."""
    sql = "SELECT composite_code, component_code, weight FROM components ORDER BY composite_code, component_code"
    return _query(sql, None, path)


def departments(path: Path = None) -> pl.DataFrame:
    """Departments by code. Columns: code, name_vi, name_en."""
    return _query("SELECT code, name_vi, name_en FROM departments ORDER BY code", None, path)


def localities(path: Path = None) -> pl.DataFrame:
    """Communes and wards by code. Columns: code, name, kind (phuong | xa)."""
    return _query("SELECT code, name, kind FROM localities ORDER BY code", None, path)


# --------------------------------------------------------------------------- province series


def _period_bounds(periods: Iterable[str]) -> pl.DataFrame:
    """First and last day of each distinct canonical period. Columns: period, start, end."""
    rows = [(text, p.start, p.end) for text in set(periods) if (p := parse_period(text)) is not None]
    return pl.DataFrame(rows, schema={"period": pl.String, "start": pl.Date, "end": pl.Date}, orient="row")


def province_series(
    path: Path = None,
    codes: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    at: datetime | None = None,
) -> pl.DataFrame:
    """Province value per indicator and period, oldest first; `since`/`until` bound period_start; `at`: the
    values as they stood at that moment (to the second), not the current ones.

    Where no province row was submitted and the indicator's aggregation is `sum` or
    `mean`, the value is the sum or the plain mean of its commune values (`computed`
    true, `n_localities` communes behind it, submitted_at null). Aggregation `none`
    means the province value is submitted, so nothing is computed. Columns:
    indicator_code, period, period_start, period_end, value, computed, n_localities,
    submitted_at.
    """
    sql, params = province.series_sql(_codes(codes), since, until, at)
    frame = _query(sql, params, path)
    missing = frame.filter(pl.col("period_start").is_null()).get_column("period").unique().to_list()
    if missing:
        bounds = _period_bounds(missing)
        frame = (
            frame.join(bounds, on="period", how="left")
            .with_columns(
                period_start=pl.coalesce("period_start", "start"), period_end=pl.coalesce("period_end", "end")
            )
            .drop("start", "end")
        )
    return frame.sort("indicator_code", "period_start")


# --------------------------------------------------------------------------- the store the rules read


def load_store(path: Path = None, at: datetime | None = None) -> Store:
    """Everything ``rules`` needs for the province figures, read once: catalogue, targets, components,
    the province series (composites computed), first submissions and the data's date.

    ``at``: the data as it stood at that moment (to the second): the values then in force, the files
    accepted by then and their date; the catalogue and targets are today's.
    """
    latest = freshness(path)["latest_submitted_at"][0] if at is None else accepted_until(path, at)
    return Store.build(
        catalogue(path),
        targets(path),
        components(path),
        province_series(path, at=at),
        first_submissions(path, at=at),
        latest,
    )


def accepted_until(path: Path, at: datetime) -> datetime | None:
    """When the latest file accepted by ``at`` (to the second) was committed; None when none was."""
    sql = """
SELECT max(submitted_at) AS latest FROM submissions
WHERE status = 'accepted' AND date_trunc('second', submitted_at) <= $at
"""
    return _query(sql, {"at": at}, path)["latest"][0]


# --------------------------------------------------------------------------- one indicator


def commune_values(path: Path, code: str, period: str) -> pl.DataFrame:
    """Every commune and ward with its value (null when none) for one indicator and period.

    Ranked by value, highest first (rank null where no value); share_pct is the
    commune's share of the communes' total. Columns: locality_code, locality_name,
    kind, value, note, submitted_at, submission_id, rank, share_pct.
    """
    sql = """
SELECT l.code AS locality_code, l.name AS locality_name, l.kind,
       o.value, o.note, o.submitted_at, o.submission_id,
       CASE WHEN o.value IS NULL THEN NULL
            ELSE rank() OVER (ORDER BY o.value DESC NULLS LAST) END::INTEGER AS rank,
       o.value / nullif(sum(o.value) OVER (), 0) * 100 AS share_pct
FROM localities l
LEFT JOIN observations o
       ON o.locality_code = l.code AND o.indicator_code = $code AND o.period = $period
ORDER BY o.value DESC NULLS LAST, l.code
"""
    return _query(sql, {"code": code.strip().upper(), "period": period.strip()}, path)


def locality_series(path: Path, code: str, locality_code: str) -> pl.DataFrame:
    """One commune's submitted values for one indicator, oldest first ('' is the province's submitted rows).

    Columns: period, period_start, period_end, value, note, submitted_at.
    """
    sql = """
SELECT period, period_start, period_end, value, note, submitted_at
FROM observations
WHERE indicator_code = $code AND locality_code = $locality
ORDER BY period_start
"""
    return _query(sql, {"code": code.strip().upper(), "locality": locality_code.strip()}, path)


def history_sql(
    code: str, locality_code: str | None = None, revisions_only: bool = False, with_reason: bool = True
) -> tuple[str, Params]:
    """The history statement for one indicator, optionally one locality and revised keys only.

    ``with_reason`` False for a file not written since ``observation_history.reason`` was added (the
    column arrives with the next write): every reason is then empty.
    """
    params: Params = {"code": code.strip().upper()}
    clauses = ["h.indicator_code = $code"]
    if locality_code is not None:
        clauses.append("h.locality_code = $locality")
        params["locality"] = locality_code.strip()
    qualify = "QUALIFY versions > 1" if revisions_only else ""
    sql = f"""
SELECT h.indicator_code, h.period, h.period_start, h.locality_code, h.value, h.note,
       h.department, h.submission_id, h.submitted_at, s.file_name, s.submitted_by,
       {"h.reason" if with_reason else "NULL::VARCHAR AS reason"},
       row_number() OVER w AS version,
       count(*) OVER (PARTITION BY h.period, h.locality_code) AS versions,
       lag(h.value) OVER w AS previous_value,
       (o.submission_id IS NOT NULL) AS is_current
FROM observation_history h
LEFT JOIN submissions s ON s.id = h.submission_id
LEFT JOIN observations o
       ON o.indicator_code = $code AND o.period = h.period
      AND o.locality_code = h.locality_code AND o.submission_id = h.submission_id
{_where(clauses)}
WINDOW w AS (PARTITION BY h.period, h.locality_code ORDER BY h.submitted_at, h.submission_id)
{qualify}
ORDER BY h.period_start DESC, h.locality_code, version
"""
    return sql, params


def history(path: Path, code: str, locality_code: str | None = None, revisions_only: bool = False) -> pl.DataFrame:
    """Every accepted value of one indicator with the submission behind it, newest period first.

    `version` counts the values of one (period, locality) from 1; `previous_value` is
    the value it revised; `reason` why (as its sender gave it; null for a first value);
    `is_current` marks the value in force. Columns: indicator_code, period, period_start,
    locality_code, value, note, department, submission_id, submitted_at, file_name,
    submitted_by, reason, version, versions, previous_value, is_current.
    """
    sql, params = history_sql(code, locality_code, revisions_only, has_column(path, "observation_history", "reason"))
    return _query(sql, params, path)


def has_column(path: Path, table: str, column: str) -> bool:
    """Whether the file's ``table`` has ``column`` yet (a column added by a migration arrives with the next write)."""
    found = _query(
        "SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = $table AND column_name = $column",
        {"table": table, "column": column},
        path,
    )
    return bool(found["n"][0])


# --------------------------------------------------------------------------- submissions and freshness

SUBMISSION_STATUSES = ("accepted", "rejected")


def submissions_sql(
    department: str | None = None, status: str | None = None, limit: int | None = None
) -> tuple[str, Params]:
    """The submissions statement with its optional department and status filters."""
    params: Params = {}
    clauses = []
    if department is not None:
        clauses.append("s.department = $department")
        params["department"] = department.strip().upper()
    if status is not None:
        if status not in SUBMISSION_STATUSES:
            raise ValueError(f"unknown submission status {status!r}; expected one of {SUBMISSION_STATUSES}")
        clauses.append("s.status = $status")
        params["status"] = status
    tail = ""
    if limit is not None:
        tail = "LIMIT $limit"
        params["limit"] = int(limit)
    sql = f"""
SELECT s.id, s.department, d.name_vi AS department_name_vi, d.name_en AS department_name_en,
       s.file_name, s.submitted_at, s.submitted_by, s.status, s.rows, s.new_rows, s.revised_rows,
       CASE WHEN json_type(s.errors) = 'ARRAY' THEN json_array_length(s.errors) ELSE 0 END::INTEGER AS n_errors,
       (s.status = 'rejected' AND s.rows = 0) AS unreadable,
       CAST(s.errors AS VARCHAR) AS errors
FROM submissions s LEFT JOIN departments d ON d.code = s.department
{_where(clauses)}
ORDER BY s.submitted_at DESC, s.id DESC
{tail}
"""
    return sql, params


def submissions(
    path: Path = None, department: str | None = None, status: str | None = None, limit: int | None = None
) -> pl.DataFrame:
    """Submitted files, newest first, optionally for one department and status (accepted | rejected).

    Columns: id, department, department_name_vi, department_name_en, file_name,
    submitted_at, submitted_by, status, rows, new_rows, revised_rows, n_errors,
    unreadable, errors (the JSON report as text).

    ``unreadable``: a rejected file of which no row could be read (a wrong format, a damaged or
    password-protected file, no header): the loader refuses such a file before any row is checked,
    so it records 0 rows, while a file rejected for its content always has rows. It is kept, and
    counted apart from content rejections on /quality.
    """
    sql, params = submissions_sql(department, status, limit)
    return _query(sql, params, path)


def submission_errors(path: Path, submission_id: int) -> pl.DataFrame:
    """The problems of one submission's report, one per row.

    Columns: row, column, value, message_vi, message_en.
    """
    sql = """
SELECT e.row, e.column, e.value, e.message_vi, e.message_en
FROM (
    SELECT unnest(from_json(errors,
        '[{"row":"BIGINT","column":"VARCHAR","value":"VARCHAR","message_vi":"VARCHAR","message_en":"VARCHAR"}]')) AS e
    FROM submissions WHERE id = $id AND json_type(errors) = 'ARRAY'
)
ORDER BY e.row NULLS FIRST, e.column
"""
    return _query(sql, {"id": int(submission_id)}, path)


def freshness(path: Path = None) -> pl.DataFrame:
    """One row: how fresh the data is.

    Columns: latest_submitted_at (latest accepted file; null when none),
    accepted, rejected (counts of files), latest_period_end (latest period with a value).
    """
    sql = """
SELECT (SELECT max(submitted_at) FROM submissions WHERE status = 'accepted') AS latest_submitted_at,
       (SELECT count(*) FROM submissions WHERE status = 'accepted')::INTEGER AS accepted,
       (SELECT count(*) FROM submissions WHERE status = 'rejected')::INTEGER AS rejected,
       (SELECT max(period_end) FROM observations) AS latest_period_end
"""
    return _query(sql, None, path)


def first_submissions(
    path: Path = None, codes: Iterable[str] | None = None, at: datetime | None = None
) -> pl.DataFrame:
    """When each (indicator, period) first received an accepted value, at any locality (by ``at``, to the second).

    Columns: indicator_code, period, period_start, first_submitted_at.
    """
    params: Params = {}
    clauses = []
    if at is not None:
        clauses.append("date_trunc('second', submitted_at) <= $at")
        params["at"] = at
    if (wanted := _codes(codes)) is not None:
        clauses.append("list_contains($codes, indicator_code)")
        params["codes"] = wanted
    sql = f"""
SELECT indicator_code, period, min(period_start) AS period_start, min(submitted_at) AS first_submitted_at
FROM observation_history {_where(clauses)}
GROUP BY indicator_code, period
ORDER BY indicator_code, period_start
"""
    return _query(sql, params, path)


def coverage(path: Path = None) -> pl.DataFrame:
    """What each indicator holds in the current values, any level (indicators without any are absent).

    Columns: indicator_code, n_values, first_period_start, last_period_start.
    """
    sql = """
SELECT indicator_code, count(*)::INTEGER AS n_values,
       min(period_start) AS first_period_start, max(period_start) AS last_period_start
FROM observations
GROUP BY indicator_code
ORDER BY indicator_code
"""
    return _query(sql, None, path)


# --------------------------------------------------------------------------- explorer

EXPLORER_COLUMNS = (
    "indicator_code",
    "name_vi",
    "name_en",
    "group",
    "field",
    "owner",
    "unit",
    "frequency",
    "period",
    "period_start",
    "period_end",
    "locality_code",
    "locality_name",
    "value",
    "note",
    "department",
    "submission_id",
    "submitted_at",
    "computed",
    "n_localities",
)

# The sorts a user may choose, mapped to SQL that is never built from user text.
EXPLORER_SORTS: dict[str, str] = {
    "indicator": "indicator_code",
    "period": "period_start",
    "locality": "locality_code",
    "value": "value",
    "submitted_at": "submitted_at",
}

DEFAULT_ROW_CAP = 100_000


@dataclass(frozen=True)
class ExplorerFilters:
    """The explorer's filters; None or empty means "any". Hashable, so usable as a cache key."""

    groups: tuple[str, ...] | None = None
    fields: tuple[str, ...] | None = None
    departments: tuple[str, ...] | None = None
    codes: tuple[str, ...] | None = None
    localities: tuple[str, ...] | None = None  # '' is the province
    period_from: date | None = None  # period_start on or after
    period_to: date | None = None  # period_end on or before


def _explorer_where(f: ExplorerFilters) -> tuple[list[str], Params]:
    clauses: list[str] = []
    params: Params = {}
    if f.groups:
        clauses.append('list_contains($groups, i."group")')
        params["groups"] = sorted(set(f.groups))
    if f.fields:
        clauses.append("list_contains($fields, i.field)")
        params["fields"] = sorted(set(f.fields))
    if f.departments:
        clauses.append("list_contains($departments, i.owner)")
        params["departments"] = _codes(f.departments)
    if f.codes:
        clauses.append("list_contains($codes, o.indicator_code)")
        params["codes"] = _codes(f.codes)
    if f.period_from is not None:
        clauses.append("o.period_start >= $period_from")
        params["period_from"] = f.period_from
    if f.period_to is not None:
        clauses.append("o.period_end <= $period_to")
        params["period_to"] = f.period_to
    return clauses, params


def _explorer_selection(filters: ExplorerFilters) -> tuple[str, Params]:
    """The explorer's rows as SQL: the submitted values under the filters, and the province values made from
    communes (``rules.province``) where none was submitted, marked ``computed``; the locality filter last."""
    clauses, params = _explorer_where(filters)
    place = ""
    if filters.localities:
        place = "WHERE list_contains($localities, locality_code)"
        params["localities"] = sorted({loc.strip() for loc in filters.localities})
    sql = f"""
WITH sel AS (
    SELECT o.indicator_code, o.period, o.period_start, o.period_end, o.locality_code, o.value, o.note,
           o.department, o.submission_id, o.submitted_at, i.aggregation
    FROM observations o JOIN indicators i ON i.code = o.indicator_code
    {_where(clauses)}
),
rows AS (
    SELECT indicator_code, period, period_start, period_end, locality_code, value, note, department,
           submission_id, submitted_at, FALSE AS computed, NULL::INTEGER AS n_localities
    FROM sel
    UNION ALL
    SELECT c.indicator_code, c.period, c.period_start, c.period_end, '' AS locality_code, c.value, NULL AS note,
           i.owner AS department, NULL::BIGINT AS submission_id, NULL::TIMESTAMP AS submitted_at,
           TRUE AS computed, c.n_localities
    FROM ({province.computed_sql("sel")}) c JOIN indicators i ON i.code = c.indicator_code
)
SELECT * FROM rows {place}
"""
    return sql, params


def explorer_sql(
    filters: ExplorerFilters,
    sort: str = "period",
    descending: bool = False,
    limit: int | None = DEFAULT_ROW_CAP,
) -> tuple[str, Params]:
    """The explorer statement: the selection (``_explorer_selection``) with names, sorted from the allow-list."""
    if sort not in EXPLORER_SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {sorted(EXPLORER_SORTS)}")
    selection, params = _explorer_selection(filters)
    order = f"r.{EXPLORER_SORTS[sort]} {'DESC' if descending else 'ASC'}"
    tail = ""
    if limit is not None:
        tail = "LIMIT $limit"
        params["limit"] = int(limit)
    sql = f"""
SELECT r.indicator_code, i.name_vi, i.name_en, i."group", i.field, i.owner, i.unit, i.frequency,
       r.period, r.period_start, r.period_end, r.locality_code,
       CASE WHEN r.locality_code = '' THEN NULL ELSE l.name END AS locality_name,
       r.value, r.note, r.department, r.submission_id, r.submitted_at, r.computed, r.n_localities
FROM ({selection}) r
JOIN indicators i ON i.code = r.indicator_code
LEFT JOIN localities l ON l.code = r.locality_code
ORDER BY {order}, r.indicator_code, r.period_start, r.locality_code
{tail}
"""
    return sql, params


def explorer(
    path: Path,
    filters: ExplorerFilters,
    sort: str = "period",
    descending: bool = False,
    limit: int | None = DEFAULT_ROW_CAP,
) -> pl.DataFrame:
    """The values under the filters (computed province values included), at most `limit` rows (None: all).

    Compare with `explorer_count` to tell whether the cap cut the selection. Sort is
    one of EXPLORER_SORTS. Columns: EXPLORER_COLUMNS.
    """
    sql, params = explorer_sql(filters, sort, descending, limit)
    return _query(sql, params, path)


def explorer_count(path: Path, filters: ExplorerFilters) -> pl.DataFrame:
    """How many values the filters select (computed province values included). Columns: n."""
    selection, params = _explorer_selection(filters)
    return _query(f"SELECT count(*)::BIGINT AS n FROM ({selection})", params, path)


# --------------------------------------------------------------------------- one indicator: communes and submissions


def commune_periods(path: Path, code: str) -> pl.DataFrame:
    """Periods in which one indicator has commune values, newest first.

    Columns: period, period_start, n_localities (communes and wards with a value).
    """
    sql = """
SELECT period, min(period_start) AS period_start, count(*)::INTEGER AS n_localities
FROM observations
WHERE indicator_code = $code AND locality_code <> ''
GROUP BY period
ORDER BY period_start DESC
"""
    return _query(sql, {"code": code.strip().upper()}, path)


def indicator_submissions(path: Path, code: str) -> pl.DataFrame:
    """The accepted files behind one indicator's values, newest first: what each brought for it.

    n_values counts the file's values of this indicator (any locality); n_revised
    those that replaced an earlier value; n_current those still in force.
    Columns: submission_id, department, file_name, submitted_at, submitted_by,
    n_values, n_revised, n_current, n_periods, first_period, last_period.
    """
    sql = """
WITH h AS (
    SELECT h.submission_id, h.period, h.period_start, h.locality_code,
           row_number() OVER (
               PARTITION BY h.period, h.locality_code ORDER BY h.submitted_at, h.submission_id
           ) AS version
    FROM observation_history h
    WHERE h.indicator_code = $code
),
current AS (
    SELECT submission_id, count(*) AS n FROM observations WHERE indicator_code = $code GROUP BY submission_id
)
SELECT h.submission_id, s.department, s.file_name, s.submitted_at, s.submitted_by,
       count(*)::INTEGER AS n_values,
       count(*) FILTER (WHERE h.version > 1)::INTEGER AS n_revised,
       coalesce(any_value(c.n), 0)::INTEGER AS n_current,
       count(DISTINCT h.period)::INTEGER AS n_periods,
       arg_min(h.period, h.period_start) AS first_period,
       arg_max(h.period, h.period_start) AS last_period
FROM h
JOIN submissions s ON s.id = h.submission_id
LEFT JOIN current c ON c.submission_id = h.submission_id
GROUP BY h.submission_id, s.department, s.file_name, s.submitted_at, s.submitted_by
ORDER BY s.submitted_at DESC, h.submission_id DESC
"""
    return _query(sql, {"code": code.strip().upper()}, path)


# --------------------------------------------------------------------------- explanations asked and answered

EXPLANATION_SCHEMA = {
    "id": pl.Int64,
    "indicator_code": pl.String,
    "name_vi": pl.String,
    "name_en": pl.String,
    "period": pl.String,
    "department": pl.String,
    "department_name_vi": pl.String,
    "department_name_en": pl.String,
    "note": pl.String,
    "due_date": pl.Date,
    "asked_by": pl.String,
    "asked_at": pl.Datetime("us"),
    "answer": pl.String,
    "answered_by": pl.String,
    "answered_at": pl.Datetime("us"),
}


def explanations_sql(
    codes: Iterable[str] | None = None, department: str | None = None, period: str | None = None
) -> tuple[str, Params]:
    """The explanations statement with its optional indicator, department and period filters."""
    params: Params = {}
    clauses = []
    if (wanted := _codes(codes)) is not None:
        clauses.append("list_contains($codes, e.indicator_code)")
        params["codes"] = wanted
    if department is not None:
        clauses.append("e.department = $department")
        params["department"] = department.strip().upper()
    if period is not None:
        clauses.append("e.period = $period")
        params["period"] = period.strip()
    sql = f"""
SELECT e.id, e.indicator_code, i.name_vi, i.name_en, e.period, e.department,
       d.name_vi AS department_name_vi, d.name_en AS department_name_en,
       e.note, e.due_date, e.asked_by, e.asked_at, e.answer, e.answered_by, e.answered_at
FROM explanations e
LEFT JOIN indicators i ON i.code = e.indicator_code
LEFT JOIN departments d ON d.code = e.department
{_where(clauses)}
ORDER BY e.asked_at DESC, e.id DESC
"""
    return sql, params


def explanations(
    path: Path = None,
    codes: Iterable[str] | None = None,
    department: str | None = None,
    period: str | None = None,
) -> pl.DataFrame:
    """Requests for an explanation (đề nghị giải trình) and their answers, newest first, optionally for some
    indicators, the department asked and a period. A file not written to since the table was added has none.

    Columns: EXPLANATION_SCHEMA (answer, answered_by, answered_at null until answered).
    """
    sql, params = explanations_sql(codes, department, period)
    with _read(path) as con:
        present = con.execute(  # fetchall: leave no result unfinished on the connection
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'explanations' AND schema_name = 'main'"
        ).fetchall()[0][0]
        if not present:
            return pl.DataFrame(schema=EXPLANATION_SCHEMA)
        return con.sql(sql, params=params).pl().cast(EXPLANATION_SCHEMA)


def demo_loads(path: Path = None) -> pl.DataFrame:
    """How many times the demo generator loaded this file (its data is then demo data). Columns: n."""
    return _query("SELECT count(*)::INTEGER AS n FROM audit_log WHERE action = 'demo_load'", None, path)


# --------------------------------------------------------------------------- what a department reported last

_FREQUENCY_PARAMS = {f: f"until_{f}" for f in ("weekly", "monthly", "quarterly", "half_yearly", "annual")}


def last_reported_sql(department: str, until: dict[str, date] | None = None) -> tuple[str, Params]:
    """The last-reported statement for one department's indicators; ``until`` (frequency -> a period's first
    day) keeps, for those frequencies only, the values of periods starting on or before that day."""
    params: Params = {"department": department.strip().upper()}
    clauses = ["i.owner = $department"]
    if until is not None:
        cases = []
        for frequency, day in sorted(until.items()):
            name = _FREQUENCY_PARAMS[frequency]  # KeyError for a frequency that does not exist
            params[name] = day
            cases.append(f"WHEN '{frequency}' THEN ${name}")
        # a frequency not named in ``until`` gets NULL: no row of it passes
        clauses.append(f"o.period_start <= CASE i.frequency {' '.join(cases) or 'WHEN NULL THEN NULL'} END")
    sql = f"""
SELECT o.indicator_code, o.locality_code,
       arg_max(o.period, o.period_start) AS period,
       max(o.period_start) AS period_start,
       arg_max(o.value, o.period_start) AS value
FROM observations o
JOIN indicators i ON i.code = o.indicator_code
{_where(clauses)}
GROUP BY o.indicator_code, o.locality_code
ORDER BY o.indicator_code, o.locality_code
"""
    return sql, params


def last_reported(path: Path, department: str, until: dict[str, date] | None = None) -> pl.DataFrame:
    """Each key of a department's indicators with its latest current value (the template's reference).

    Columns: indicator_code, locality_code ('' = the province), period, period_start, value.
    With ``until``, only the frequencies it names, and for each the latest period starting on or
    before its day (the value of a period asked for, or the one before it).
    """
    sql, params = last_reported_sql(department, until)
    return _query(sql, params, path)
