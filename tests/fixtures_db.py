"""A small database built from code with fixed values (no loaders): the dashboard tests' fixture.

``build(path, indicators, observations, ...)`` writes everything through
``db.write``. Observations are given as the stream of accepted values: two
``Obs`` for the same (code, period, locality) at different times are a
revision, the later one current, both in the history. Each distinct
(department, submitted_at) becomes one accepted submission.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl

import db
from rules import calendar as P

DEPARTMENTS = [
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("VPUBND", "Văn phòng UBND tỉnh", "Office of the People's Committee"),
]

LOCALITIES = [
    ("07210", "Bắc Giang", "phuong"),
    ("09187", "Kinh Bắc", "phuong"),
    ("07537", "Biên Sơn", "xa"),
]


def indicator(code: str, **attrs: object) -> dict:
    """An indicator row with plain defaults (monthly stock, province level, direction up)."""
    row = {
        "code": code,
        "name_vi": f"Chỉ số {code}",
        "name_en": f"Indicator {code}",
        "group": "output",
        "field": "economy",
        "owner": "STC",
        "source": "Cục Thống kê",
        "unit": "tỷ đồng",
        "frequency": "monthly",
        "value_type": "stock",
        "level": "province",
        "aggregation": "none",
        "direction": "up",
        "valid_min": None,
        "valid_max": None,
        "deadline_days": 15,
        "definition_vi": "",
        "definition_en": "",
        "method": "",
        "central_code": None,
        "stage": "operating",
        "on_track_pct": 100.0,
        "at_risk_pct": 90.0,
        "position": 0,
    }
    unknown = set(attrs) - set(row)
    if unknown:
        raise TypeError(f"unknown indicator attributes: {sorted(unknown)}")
    row.update(attrs)
    return row


@dataclass(frozen=True)
class Obs:
    """One accepted value; submitted by default the day the period ends, at 09:00."""

    code: str
    period: str
    value: float
    locality: str = ""
    at: datetime | None = None
    department: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Rejected:
    """A rejected submission with its report."""

    department: str
    at: datetime
    errors: Sequence[Mapping[str, object]]
    file_name: str = "rejected.csv"


def series(code: str, values: Mapping[str, float], locality: str = "", **kw: object) -> list[Obs]:
    """Obs for several periods of one indicator."""
    return [Obs(code, period, value, locality, **kw) for period, value in values.items()]


def monthly(code: str, year: int, values: Sequence[float], first_month: int = 1, **kw: object) -> list[Obs]:
    """Obs for consecutive months of one year."""
    return [Obs(code, f"{year}-{first_month + i:02d}", v, **kw) for i, v in enumerate(values)]


def build(
    path: Path,
    indicators: Iterable[dict],
    observations: Iterable[Obs] = (),
    targets: Mapping[str, Mapping[int, float]] | None = None,
    components: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    rejected: Iterable[Rejected] = (),
    departments: Sequence[tuple[str, str, str]] = DEPARTMENTS,
    localities: Sequence[tuple[str, str, str]] = LOCALITIES,
) -> Path:
    """Write a complete small database at `path` and return the path."""
    inds = [dict(row, position=row["position"] or n) for n, row in enumerate(indicators, start=1)]
    owner = {row["code"]: row["owner"] for row in inds}
    stream = []
    for o in observations:
        period = P.parse(o.period)
        if period is None:
            raise ValueError(f"not a canonical period: {o.period}")
        at = o.at or datetime.combine(period.end, time(9))
        stream.append((o, period, at, o.department or owner[o.code]))
    stream.sort(key=lambda item: item[2])

    # One submission per (department, time), numbered in time order like the loader's sequence.
    keys = sorted(
        {(dept, at) for _, _, at, dept in stream} | {(r.department, r.at) for r in rejected}, key=lambda k: k[1]
    )
    ids = {key: n for n, key in enumerate(keys, start=1)}
    history, current, seen = [], {}, set()
    counts: dict[int, list[int]] = {}
    for o, period, at, dept in stream:
        sid = ids[(dept, at)]
        key = (o.code, o.period, o.locality)
        row = {
            "indicator_code": o.code,
            "period": o.period,
            "period_start": period.start,
            "period_end": period.end,
            "locality_code": o.locality,
            "value": float(o.value),
            "note": o.note,
            "department": dept,
            "submission_id": sid,
            "submitted_at": at,
        }
        history.append(row)
        current[key] = row
        c = counts.setdefault(sid, [0, 0, 0])
        c[0] += 1
        c[1 if key not in seen else 2] += 1
        seen.add(key)
    subs = []
    for (dept, at), sid in ids.items():
        rows, new, revised = counts.get(sid, [0, 0, 0])
        subs.append(
            (sid, dept, f"{dept.lower()}_{sid}.csv", f"hash{sid}", at, "tester", "accepted", rows, new, revised, None)
        )
    for r in rejected:
        sid = ids[(r.department, r.at)]
        subs = [s for s in subs if s[0] != sid]
        subs.append(
            (
                sid,
                r.department,
                r.file_name,
                f"hash{sid}",
                r.at,
                "tester",
                "rejected",
                len(r.errors),
                0,
                0,
                json.dumps(list(r.errors), ensure_ascii=False),
            )
        )

    obs_schema = {
        "indicator_code": pl.String,
        "period": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "locality_code": pl.String,
        "value": pl.Float64,
        "note": pl.String,
        "department": pl.String,
        "submission_id": pl.Int64,
        "submitted_at": pl.Datetime("us"),
    }
    hist_frame = pl.DataFrame(history, schema=obs_schema)
    cur_frame = pl.DataFrame(list(current.values()), schema=obs_schema)
    ind_frame = pl.DataFrame(inds)
    path = Path(path)
    with db.write(path) as con:
        con.executemany("INSERT INTO departments VALUES (?, ?, ?)", [list(d) for d in departments])
        if localities:
            con.executemany("INSERT INTO localities VALUES (?, ?, ?)", [list(loc) for loc in localities])
        if inds:
            con.register("ind_frame", ind_frame)
            con.execute("INSERT INTO indicators BY NAME SELECT * FROM ind_frame")
        rows = [(code, year, value) for code, by_year in (targets or {}).items() for year, value in by_year.items()]
        if rows:
            con.executemany("INSERT INTO targets VALUES (?, ?, ?)", rows)
        rows = [(code, comp, w) for code, comps in (components or {}).items() for comp, w in comps]
        if rows:
            con.executemany("INSERT INTO components VALUES (?, ?, ?)", rows)
        if subs:
            con.executemany(
                "INSERT INTO submissions (id, department, file_name, file_hash, submitted_at, submitted_by, status, "
                "rows, new_rows, revised_rows, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                subs,
            )
        con.register("hist_frame", hist_frame)
        con.register("cur_frame", cur_frame)
        con.execute("INSERT INTO observation_history BY NAME SELECT * FROM hist_frame")
        con.execute("INSERT INTO observations BY NAME SELECT * FROM cur_frame")
    return path


def at(day: date, hour: int = 9) -> datetime:
    """A submission time on a day."""
    return datetime.combine(day, time(hour))


def late_by(period: str, deadline_days: int, days: int) -> datetime:
    """The moment a value for `period` arrives `days` after its due date (negative: early)."""
    p = P.parse(period)
    return at(P.due_date(p, deadline_days) + timedelta(days=days))
