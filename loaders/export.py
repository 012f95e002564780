"""Export the catalogue, reference data, current observations and the evaluation (CONTRACT §4).

``evaluation`` is one row per indicator at its latest evaluated period, the
figures the overview shows, computed by ``rules.evaluate`` from the same store
as the dashboard (as of ``settings.today()``), with the contract's columns.

Formats: ``csv`` and ``json`` (to a file or standard output), ``parquet`` and
``xlsx`` (to a file). The catalogue uses the field names of CONTRACT §1 plus
``thresholds``; ``targets`` (year -> number), ``components`` (list of
{code, weight}) and ``thresholds`` ({on_track, at_risk}) are JSON text in CSV
and XLSX, native in JSON and Parquet (targets as a list of {year, value} in
Parquet, which has no map type in polars). CSV is UTF-8 without a byte-order
mark. Text cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading ``'`` in CSV
and XLSX; numbers stay numbers.
"""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import BinaryIO

import polars as pl

import db
import settings
from db import queries
from loaders.errors import UsageError
from rules import evaluate
from schema.models import CONTRACT_FIELDS, NESTED_FIELDS

WHAT: tuple[str, ...] = ("catalogue", "departments", "localities", "observations", "evaluation")
FORMATS: tuple[str, ...] = ("csv", "json", "parquet", "xlsx")
CATALOGUE_FIELDS = CONTRACT_FIELDS
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "period",
    "locality_code",
    "value",
    "department",
    "submission_id",
    "submitted_at",
    "note",
)
EVALUATION_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "group",
    "owner",
    "period",
    "value",
    "unit",
    "ytd",
    "target",
    "plan_to_date",
    "pct_of_target",
    "pct_of_plan",
    "prev_period",
    "change_prev_pct",
    "yoy_period",
    "change_yoy_pct",
    "trend",
    "status",
    "as_of",
)
_NESTED = NESTED_FIELDS
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def catalogue_records(db_path: str | os.PathLike | None = None) -> list[dict]:
    """The catalogue as CONTRACT §1 records, in catalogue order, with native targets, components, thresholds."""
    simple = [f for f in CATALOGUE_FIELDS if f not in _NESTED]
    present = queries.indicator_columns(db_path)  # a file not written to since unit_en came reads it as empty
    columns = ", ".join(f'"{f}"' if f in present else f'NULL AS "{f}"' for f in simple)
    with db.read(db_path) as con:
        rows = con.execute(f"SELECT {columns}, on_track_pct, at_risk_pct FROM indicators ORDER BY position").fetchall()
        targets: dict[str, dict[str, float]] = {}
        for code, year, value in con.execute(
            "SELECT indicator_code, year, value FROM targets ORDER BY indicator_code, year"
        ).fetchall():
            targets.setdefault(code, {})[str(year)] = value
        components: dict[str, list[dict]] = {}
        for code, part, weight in con.execute(
            "SELECT c.composite_code, c.component_code, c.weight FROM components c "
            "LEFT JOIN indicators i ON i.code = c.component_code ORDER BY c.composite_code, i.position"
        ).fetchall():
            components.setdefault(code, []).append({"code": part, "weight": weight})
    out = []
    for row in rows:
        record = dict(zip(simple, row[: len(simple)], strict=True))
        record["targets"] = targets.get(record["code"], {})
        record["components"] = components.get(record["code"], [])
        record["thresholds"] = {"on_track": row[-2], "at_risk": row[-1]}
        out.append({f: record[f] for f in CATALOGUE_FIELDS})
    return out


def _catalogue_frame(records: list[dict], nested_as_text: bool) -> pl.DataFrame:
    if nested_as_text:
        flat = [{k: json.dumps(v, ensure_ascii=False) if k in _NESTED else v for k, v in r.items()} for r in records]
        schema = {f: pl.Utf8 for f in CATALOGUE_FIELDS} | {
            "valid_min": pl.Float64,
            "valid_max": pl.Float64,
            "deadline_days": pl.Int64,
        }
        return pl.DataFrame(flat, schema=schema, orient="row") if flat else pl.DataFrame(schema=schema)
    native = [r | {"targets": [{"year": int(y), "value": v} for y, v in r["targets"].items()]} for r in records]
    schema = {f: pl.Utf8 for f in CATALOGUE_FIELDS} | {
        "valid_min": pl.Float64,
        "valid_max": pl.Float64,
        "deadline_days": pl.Int64,
        "targets": pl.List(pl.Struct({"year": pl.Int64, "value": pl.Float64})),
        "components": pl.List(pl.Struct({"code": pl.Utf8, "weight": pl.Float64})),
        "thresholds": pl.Struct({"on_track": pl.Float64, "at_risk": pl.Float64}),
    }
    return pl.DataFrame(native, schema=schema, orient="row") if native else pl.DataFrame(schema=schema)


def table(what: str, db_path: str | os.PathLike | None = None) -> pl.DataFrame:
    """Departments, localities or observations as a frame with the contract's columns."""
    queries = {
        "departments": "SELECT code, name_vi, name_en FROM departments ORDER BY code",
        "localities": "SELECT code, name, kind FROM localities ORDER BY code",
        "observations": (
            "SELECT o.indicator_code, o.period, o.locality_code, o.value, o.department, o.submission_id, "
            "o.submitted_at, o.note FROM observations o LEFT JOIN indicators i ON i.code = o.indicator_code "
            "ORDER BY i.position NULLS LAST, o.indicator_code, o.period_start, o.locality_code"
        ),
    }
    with db.read(db_path) as con:
        return con.sql(queries[what]).pl()


def evaluation(db_path: str | os.PathLike | None = None, today: date | None = None) -> pl.DataFrame:
    """One row per indicator at its latest evaluated period (``rules.evaluate.latest``), in EVALUATION_COLUMNS.

    ``ytd`` is given for flow and year-to-date indicators only; an indicator without data has its
    status (``no_data``) and empty figures.
    """
    latest = evaluate.latest(queries.load_store(db_path), today or settings.today())
    paced = pl.col("value_type").is_in(["flow", "ytd"])
    return latest.select(
        pl.col("code").alias("indicator_code"),
        "group",
        "owner",
        "period",
        "value",
        "unit",
        pl.when(paced).then(pl.col("ytd")).alias("ytd"),
        *EVALUATION_COLUMNS[7:],
    )


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text that a spreadsheet would run as a formula gets a leading quote; numbers are left alone."""

    def safe(name: str) -> pl.Expr:
        col = pl.col(name)
        risky = pl.any_horizontal([col.str.starts_with(s) for s in _FORMULA_START])
        return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name)

    return frame.with_columns(safe(name) for name, dtype in frame.schema.items() if dtype == pl.Utf8)


def _json_bytes(records: list[dict]) -> bytes:
    return (json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


def _xlsx_bytes(frame: pl.DataFrame, sheet_name: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(sheet_name)
    bold = book.add_format({"bold": True})
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))  # never a formula
    book.close()
    return buffer.getvalue()


def export(
    what: str,
    fmt: str,
    out: str | os.PathLike | None = None,
    db_path: str | os.PathLike | None = None,
    stdout: BinaryIO | None = None,
) -> int:
    """Write one export to `out` (or standard output for csv/json); returns the number of records."""
    if what not in WHAT:
        raise UsageError(
            f"Không có bảng '{what}'. Chọn: {', '.join(WHAT)}.", f"No export '{what}'. Use: {', '.join(WHAT)}."
        )
    if fmt not in FORMATS:
        raise UsageError(
            f"Không có định dạng '{fmt}'. Chọn: {', '.join(FORMATS)}.", f"No format '{fmt}'. Use: {', '.join(FORMATS)}."
        )
    if out is None and fmt in ("parquet", "xlsx"):
        raise UsageError(
            f"Định dạng {fmt} cần --out TỆP.", f"The {fmt} format needs --out FILE (it is not text for the terminal)."
        )
    if what == "catalogue":
        records = catalogue_records(db_path)
        count = len(records)
        if fmt == "json":
            data = _json_bytes(records)
        else:
            frame = _catalogue_frame(records, nested_as_text=fmt in ("csv", "xlsx"))
    else:
        frame = evaluation(db_path) if what == "evaluation" else table(what, db_path)
        count = frame.height
        if what == "observations":
            frame = frame.with_columns(pl.col("locality_code").fill_null(""))
        if fmt == "json":
            data = _json_bytes(
                frame.with_columns(
                    pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S%.f").str.strip_suffix(".000000"),
                    pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
                ).to_dicts()
            )
    if fmt == "csv":
        data = neutralise(frame).write_csv(datetime_format="%Y-%m-%d %H:%M:%S").encode("utf-8")
    elif fmt == "xlsx":
        data = _xlsx_bytes(neutralise(frame), what)
    elif fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        data = buffer.getvalue()
    if out is None:
        target = stdout or sys.stdout.buffer
        target.write(data)
        target.flush()
    else:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return count
