"""A national-size database for the page benchmark: the demo catalogue over 34 provinces' communes.

    python -m benchmarks.national [--out benchmarks/out/national.duckdb] [--provinces 34] [--seed 1] [--rebuild]

The catalogue, departments and the province's 99 localities come from
``python -m loaders --db PATH init`` (the same schema and catalogue as the demo).
On top of that: ``provinces x 99`` synthetic communes and wards (five-digit codes
from 40000, kinds phuong/xa), and every value generated in one DuckDB statement
per table: each indicator (computed composites excepted) from January 2022 (ISO
week 2022-W01) up to its latest due period as of ``today``; a commune-level
indicator gets one value per locality and period (and a province row too when its
aggregation is ``none``), a province-level one a single province value. Values
follow the yearly targets (flows: the year's target over its periods, ytd: the
target times the share of the year, levels: the target), scaled so that sums over
all communes stay near the province target, with deterministic noise (a hash of
seed, indicator, period and locality: unlike ``random()``, it does not depend on
how DuckDB splits the work over threads), clipped to the valid range.

Each (department, period) gets one accepted ``submissions`` row, submitted a few
days after the period's end (a third or so after the due date), so timeliness has
something to measure; ``observation_history`` holds the same rows as
``observations``; one ``demo_load`` row goes into the audit log. The file is
built under a temporary name and renamed when complete, and reused when present.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

import db
import settings
from db import audit
from rules import calendar as P

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_PATH = OUT / "national.duckdb"
COMMUNES_PER_PROVINCE = 99
FIRST_DAY = date(2022, 1, 1)
FIRST_CODE = 40_000
_PER_YEAR = {"weekly": 52, "monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}


def _uniform(seed: int, *parts: str) -> str:
    """SQL for a deterministic uniform number in [0, 1) from the seed and some columns."""
    key = " || '|' || ".join(parts)
    return f"(hash({int(seed)}::VARCHAR || '|' || {key}) % 1000003)::DOUBLE / 1000003"


def _periods(meta: pl.DataFrame, targets: pl.DataFrame, today: date, n_localities: int) -> pl.DataFrame:
    """One row per (indicator, period) to generate, with the province level and the commune level."""
    by_year: dict[str, dict[int, float]] = {}
    for code, year, value in targets.iter_rows():
        by_year.setdefault(code, {})[year] = value
    rows = []
    for ind in meta.iter_rows(named=True):
        freq = ind["frequency"]
        first = P.containing(FIRST_DAY, freq)
        if first.start < FIRST_DAY:
            first = P.shift(first, 1)
        last = P.latest_due(freq, ind["deadline_days"], today)
        lo = ind["valid_min"] if ind["valid_min"] is not None else float("-inf")
        hi = ind["valid_max"] if ind["valid_max"] is not None else float("inf")
        if ind["unit"].strip() == "%" and ind["value_type"] in ("rate", "ytd"):
            hi = min(hi, 100.0)
        yearly = by_year.get(ind["code"], {})
        for period in P.between(first, last):
            if yearly:
                nearest = min(yearly, key=lambda y, year=period.year: (abs(y - year), -y))
                target = yearly[nearest]
            elif lo > float("-inf") and hi < float("inf"):
                target = lo + 0.6 * (hi - lo)
            else:
                target = max(lo, 0.0) + 100.0
            per_year = P.weeks_in(period.year) if freq == "weekly" else _PER_YEAR[freq]
            share = period.index / per_year
            match ind["value_type"]:
                case "flow":
                    level = target / per_year
                case "ytd":
                    level = target * share
                case _:
                    level = target
            commune = ind["level"] == "commune"
            summed = ind["aggregation"] == "sum" or (ind["value_type"] in ("flow", "ytd", "stock"))
            rows.append(
                {
                    "indicator_code": ind["code"],
                    "department": ind["owner"],
                    "frequency": freq,
                    "deadline_days": ind["deadline_days"],
                    "direction": ind["direction"],
                    "period": str(period),
                    "period_start": period.start,
                    "period_end": period.end,
                    "level": level,
                    "commune_level": level / n_localities if summed else level,
                    "lo": lo,
                    "hi": hi,
                    "communes": commune,
                    "province_row": not commune or ind["aggregation"] == "none",
                }
            )
    return pl.DataFrame(rows)


def _generate(con: duckdb.DuckDBPyConnection, provinces: int, seed: int, today: date) -> dict[str, int]:
    """Localities, submissions, observations, history and the audit row, all inside `con`."""
    meta = con.sql(
        "SELECT code, owner, frequency, deadline_days, value_type, level, aggregation, direction, unit, "
        "valid_min, valid_max FROM indicators "
        "WHERE code NOT IN (SELECT composite_code FROM components) ORDER BY position, code"
    ).pl()
    targets = con.sql("SELECT indicator_code, year, value FROM targets").pl()

    # Synthetic communes and wards: five-digit codes from 40000 (the province's are 07xxx-09xxx).
    con.execute(
        f"""
INSERT INTO localities (code, name, kind)
SELECT lpad(({FIRST_CODE} + n)::VARCHAR, 5, '0'),
       CASE WHEN n % 3 = 0 THEN 'Phường ' ELSE 'Xã ' END
         || 'Thử ' || (n // {COMMUNES_PER_PROVINCE} + 1) || '.' || (n % {COMMUNES_PER_PROVINCE} + 1),
       CASE WHEN n % 3 = 0 THEN 'phuong' ELSE 'xa' END
FROM range({provinces * COMMUNES_PER_PROVINCE}) t(n)
WHERE lpad(({FIRST_CODE} + n)::VARCHAR, 5, '0') NOT IN (SELECT code FROM localities)
"""
    )
    n_localities = con.sql("SELECT count(*) FROM localities").fetchall()[0][0]
    con.register("gen_frame", _periods(meta, targets, today, n_localities))
    con.execute("CREATE TEMP TABLE gen AS SELECT * FROM gen_frame")
    con.unregister("gen_frame")

    # Per indicator a factor of the target: some on track, some at risk, some off track.
    factor = f"(0.86 + 0.22 * {_uniform(seed, 'g.indicator_code')})"
    # Direction down: a value below the target is good; the same factor read the other way.
    aimed = f"CASE WHEN g.direction = 'down' THEN g.level / {factor} ELSE g.level * {factor} END"
    # One submission per (department, period), a few days after the period's end.
    con.execute(
        f"""
CREATE TEMP TABLE subs AS
SELECT nextval('submission_ids') AS id, department, period, submitted_at
FROM (
    SELECT g.department, g.period,
           least(g.period_end + INTERVAL 1 DAY * (1 + floor({_uniform(seed, "g.department", "g.period")}
                 * (max(g.deadline_days) * 1.25))::INTEGER) + INTERVAL 9 HOUR,
                 $today::TIMESTAMP - INTERVAL 1 HOUR) AS submitted_at
    FROM gen g
    GROUP BY g.department, g.period, g.period_end
    ORDER BY submitted_at, g.department
)
""",
        {"today": today},
    )
    con.execute(
        f"""
INSERT INTO submissions (id, department, file_name, file_hash, submitted_at, submitted_by, status,
                         rows, new_rows, revised_rows, errors)
SELECT id, department, department || '_' || period || '.xlsx', md5(department || period || '{seed}'),
       submitted_at, 'national', 'accepted', 0, 0, 0, '[]'
FROM subs ORDER BY id
"""
    )
    noise_p = f"(1 + 0.08 * ({_uniform(seed, 'g.indicator_code', 'g.period')} - 0.5))"
    noise_c = f"(1 + 0.6 * ({_uniform(seed, 'g.indicator_code', 'g.period', 'l.code')} - 0.5))"
    ratio = f"CASE WHEN g.level = 0 THEN 1 ELSE ({aimed}) / g.level END"
    clip = "round(greatest(least({v}, g.hi), g.lo), 2)"
    con.execute(
        f"""
INSERT INTO observations
SELECT v.indicator_code, v.period, v.period_start, v.period_end, v.locality_code, v.value,
       NULL AS note, v.department, s.id, s.submitted_at
FROM (
    SELECT g.indicator_code, g.period, g.period_start, g.period_end, '' AS locality_code,
           {clip.format(v=f"({aimed}) * {noise_p}")} AS value, g.department
    FROM gen g WHERE g.province_row
    UNION ALL
    SELECT g.indicator_code, g.period, g.period_start, g.period_end, l.code,
           {clip.format(v=f"g.commune_level * ({ratio}) * {noise_c}")}, g.department
    FROM gen g CROSS JOIN localities l WHERE g.communes
) v
JOIN subs s ON s.department = v.department AND s.period = v.period
ORDER BY v.period_start, v.indicator_code, v.locality_code
"""
    )
    con.execute(
        """
UPDATE submissions s SET rows = c.n, new_rows = c.n
FROM (SELECT submission_id, count(*)::INTEGER AS n FROM observations GROUP BY submission_id) c
WHERE c.submission_id = s.id
"""
    )
    con.execute("INSERT INTO observation_history BY NAME SELECT * FROM observations")
    counts = {
        "localities": n_localities,
        "observations": con.sql("SELECT count(*) FROM observations").fetchall()[0][0],
        "submissions": con.sql("SELECT count(*) FROM submissions").fetchall()[0][0],
    }
    detail = {
        "demo": True,
        "national": True,
        "provinces": provinces,
        "seed": seed,
        "today": today.isoformat(),
        **counts,
    }
    audit.record(con, "national", "demo_load", "observations", detail)
    return counts


def build_national(
    path: str | os.PathLike = DEFAULT_PATH,
    provinces: int = 34,
    seed: int = 1,
    today: date | None = None,
    rebuild: bool = False,
) -> Path:
    """Build (or reuse) the national-size database at `path`; returns the path."""
    path = Path(path)
    if path.exists() and not rebuild:
        return path
    today = today or settings.today()
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for stale in (building, Path(f"{building}.wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "loaders", "--db", str(building), "init"],
        cwd=settings.ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with db.transaction(building) as con:
        counts = _generate(con, provinces, seed, today)
    with db.write(building) as con:
        con.execute("CHECKPOINT")
    for old in (path, Path(f"{path}.wal")):
        old.unlink(missing_ok=True)
    building.rename(path)
    Path(f"{building}.writer.lock").unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    print(
        f"national database {path}: {counts['localities']} localities, {counts['observations']:,} observations "
        f"(and as many history rows), {counts['submissions']:,} submissions, {seconds:.0f} s",
        file=sys.stderr,
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.national", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="database file (default: %(default)s)")
    parser.add_argument("--provinces", type=int, default=34, help="provinces of 99 communes to add (default: 34)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: $INDICATORS_TODAY or today)")
    parser.add_argument("--rebuild", action="store_true", help="build again even if the file exists")
    args = parser.parse_args(argv)
    print(build_national(args.out, args.provinces, args.seed, args.today, args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())
