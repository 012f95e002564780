"""Benchmark: whole-process `submit` of a 1,000,000-row CSV against DuckDB's own read_csv, and a small .xlsx.

    python benchmarks/bench_submit.py [--rows 1000000] [--runs 5]

Builds everything in a temporary folder: a synthetic catalogue (commune-level
monthly indicators of one department, 99 localities), a valid CSV of at
least ``--rows`` rows and a 1,000-row .xlsx. Each measurement runs a fresh
Python process (interpreter start included) on a fresh copy of a database
that holds only the catalogue, ``--runs`` times; the medians are printed.
Aims: submit / raw read_csv <= 3, and the .xlsx submission < 1.5 s.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENT = "BENCH"
LOCALITIES = 99
FIRST_YEAR = 2015


def write_catalogue(folder: Path, indicators: int) -> tuple[Path, Path, Path]:
    """A synthetic catalogue: `indicators` commune-level monthly indicators, all five groups."""
    import yaml

    groups = ["input", "process", "output", "outcome", "composite"]
    records = [
        {
            "code": f"B{n:03d}",
            "name_vi": f"Chỉ số thử {n}",
            "name_en": f"Benchmark indicator {n}",
            "group": groups[n % len(groups)],
            "field": "economy",
            "owner": DEPARTMENT,
            "source": "Benchmark",
            "unit": "tỷ đồng",
            "frequency": "monthly",
            "value_type": "flow",
            "level": "commune",
            "aggregation": "sum",
            "direction": "up",
            "valid_min": 0,
            "valid_max": 1_000_000,
            "targets": {},
            "deadline_days": 10,
            "stage": "operating",
            "components": [],
        }
        for n in range(indicators)
    ]
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    departments = folder / "departments.csv"
    departments.write_text(f"code,name_vi,name_en\n{DEPARTMENT},Sở thử,Benchmark department\n", encoding="utf-8")
    localities = folder / "localities.csv"
    lines = ["code,name,kind"] + [f"{10000 + 7 * i:05d},Xã {i},xa" for i in range(LOCALITIES)]
    localities.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return catalogue, departments, localities


def write_csv(path: Path, indicators: int, months: int) -> int:
    """A valid submission: every indicator x locality x month, values as plain numbers."""
    rng = random.Random(7)
    codes = [f"{10000 + 7 * i:05d}" for i in range(LOCALITIES)]
    periods = [f"{FIRST_YEAR + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    rows = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write("indicator_code,period,locality_code,value,note\n")
        for n in range(indicators):
            code = f"B{n:03d}"
            for period in periods:
                out.write("".join(f"{code},{period},{loc},{rng.randint(0, 999999) / 100},\n" for loc in codes))
                rows += len(codes)
    return rows


def write_xlsx(path: Path, rows: int) -> None:
    """A 1,000-row .xlsx with Vietnamese headers, typed numbers and text codes, as the template gives."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Mã chỉ số", "Kỳ báo cáo", "Mã địa bàn", "Giá trị", "Ghi chú", "Tên chỉ số", "Đơn vị"])
    rng = random.Random(11)
    for r in range(rows):
        n, loc = divmod(r, LOCALITIES)
        sheet.write_string(r + 1, 0, f"B{n:03d}")
        sheet.write_string(r + 1, 1, "2025-06")
        sheet.write_string(r + 1, 2, f"{10000 + 7 * loc:05d}")
        sheet.write_number(r + 1, 3, rng.randint(0, 99999) / 10)
        sheet.write_string(r + 1, 5, f"Chỉ số thử {n}")
        sheet.write_string(r + 1, 6, "tỷ đồng")
    book.close()


def timed(command: list[str], before=None) -> float:
    """Wall time of one process; `before` prepares a fresh database first (not timed)."""
    if before is not None:
        before()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def median_of(runs: int, command: list[str], before=None) -> tuple[float, list[float]]:
    times = [timed(command, before) for _ in range(runs)]
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="at least this many CSV rows")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from loaders.catalogue_store import load_catalogue_into

    months = 12 * 8 + 6  # 2015-01 .. 2023-06
    indicators = max(1, math.ceil(args.rows / (LOCALITIES * months)))
    with tempfile.TemporaryDirectory(prefix="bench_submit_") as tmp:
        folder = Path(tmp)
        catalogue = write_catalogue(folder, indicators)
        template_db = folder / "template.duckdb"
        load_catalogue_into(template_db, *catalogue)
        csv_file = folder / "submission.csv"
        rows = write_csv(csv_file, indicators, months)
        xlsx_file = folder / "submission.xlsx"
        write_xlsx(xlsx_file, 1000)
        size_mb = csv_file.stat().st_size / 1e6
        print(
            f"CSV: {rows:,} rows, {size_mb:.1f} MB; {indicators} indicators x {LOCALITIES} localities x {months} months"
        )

        work_db = folder / "work.duckdb"
        raw_db = folder / "raw.duckdb"

        def fresh_work() -> None:
            for suffix in ("", ".wal"):
                Path(f"{work_db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template_db, work_db)

        def fresh_raw() -> None:
            for suffix in ("", ".wal"):
                Path(f"{raw_db}{suffix}").unlink(missing_ok=True)

        submit = [sys.executable, "-m", "loaders", "--db", str(work_db), "submit", str(csv_file)]
        submit += ["--department", DEPARTMENT]
        raw_sql = f"create table t as select * from read_csv('{csv_file}')"
        raw = [sys.executable, "-c", f'import duckdb; duckdb.connect({str(raw_db)!r}).execute("{raw_sql}")']
        xlsx = [sys.executable, "-m", "loaders", "--db", str(work_db), "submit", str(xlsx_file)]
        xlsx += ["--department", DEPARTMENT]

        # Interleave the two so that both see the same machine state.
        submit_times, raw_times = [], []
        for _ in range(args.runs):
            submit_times.append(timed(submit, fresh_work))
            raw_times.append(timed(raw, fresh_raw))
        submit_median = statistics.median(submit_times)
        raw_median = statistics.median(raw_times)
        xlsx_median, xlsx_times = median_of(args.runs, xlsx, fresh_work)

        def show(times: list[float]) -> str:
            return ", ".join(f"{t:.2f}" for t in times)

        print(f"submit CSV (whole process):        median {submit_median:.2f} s  [{show(submit_times)}]")
        print(f"duckdb read_csv (whole process):   median {raw_median:.2f} s  [{show(raw_times)}]")
        verdict = "ok" if submit_median / raw_median <= 3 else "ABOVE AIM"
        print(f"ratio submit / raw:                {submit_median / raw_median:.2f}  (aim <= 3: {verdict})")
        verdict = "ok" if xlsx_median < 1.5 else "ABOVE AIM"
        print(
            f"submit 1,000-row .xlsx (process):  median {xlsx_median:.2f} s  [{show(xlsx_times)}]  (aim < 1.5 s: {verdict})"
        )


if __name__ == "__main__":
    main()
