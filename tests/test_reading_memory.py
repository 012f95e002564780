"""Memory is bounded by design (issue 12): the worst file of each format we could construct, each submitted by
``python -m loaders submit --json`` in its own process, stays under 1 GB of resident memory.

The peak is the process's own high-water mark (VmHWM), written by the process as it exits (``measured``).

The README's security section lists each file with the peak and time measured. Run with
``python -m pytest -q -m slow tests/test_reading_memory.py -s`` to print the table.
"""

from __future__ import annotations

import json
import shutil

import measured
import pytest
import worst_files

GIB = 1 << 30
# What each file must end as: the status, and words of the first problem (the bound that refused it).
EXPECTED = {
    "csv_every_row_wrong_at_the_row_limit": ("rejected", "is not in the catalogue"),
    "csv_longest_notes_near_the_size_limit": ("rejected", "Conflict"),
    "csv_one_cell_of_99_mb": ("rejected", "longer than 1 MB"),
    "csv_past_the_row_limit": ("rejected", "more than 1,048,575 data rows"),
    "csv_distinct_cells_at_the_row_limit": ("rejected", "is not in the catalogue"),
    "cp1258_near_the_size_limit": ("accepted", ""),
    "xlsx_a_cell_in_the_last_column_of_every_row": ("rejected", "is not in the catalogue"),
    "xlsx_one_long_shared_string_on_every_row": ("rejected", "more than 100,000,000 characters"),
    "xlsx_a_million_cells_in_one_row": ("rejected", "period is missing"),
    "xlsx_zip_bomb": ("rejected", "too big once unpacked"),
    "xls_the_whole_sheet": ("rejected", "more than 100,000,000 characters"),
    "ods_one_cell_repeated_over_the_whole_sheet": ("rejected", "is not in the catalogue"),
    "parquet_dictionary_bomb_in_an_ignored_column": ("rejected", "is not in the catalogue"),
    "parquet_dictionary_bomb_in_the_notes": ("rejected", "more than 100,000,000 characters"),
    "parquet_distinct_rows_at_the_size_limit": ("rejected", "is not in the catalogue"),
    "json_tiny_records_to_the_size_limit": ("rejected", "more than 1,048,575 data rows"),
    "json_records_at_the_size_limit": ("rejected", "is not in the catalogue"),
}


def test_every_worst_file_has_an_expectation():
    assert {b.__name__ for b in worst_files.BUILDERS} == set(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("build", worst_files.BUILDERS, ids=[b.__name__ for b in worst_files.BUILDERS])
def test_the_worst_file_of_each_format_stays_under_1_gb(build, tmp_path, _catalogue_db_template):
    path = build(tmp_path)
    database = tmp_path / "indicators.duckdb"
    shutil.copyfile(_catalogue_db_template, database)
    run = measured.submit(path, database, "2026-11-26", timeout=300)
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.peak is not None, run.stderr[-2000:]
    peak, seconds = run.peak, run.seconds
    report = json.loads(run.stdout)
    status, words = EXPECTED[build.__name__]
    first = report["errors"][0]["message_en"] if report["errors"] else ""
    size = path.stat().st_size / (1 << 20)
    print(
        f"\n| `{build.__name__}` | {size:.1f} MB | {report['status']} | {peak / (1 << 20):.0f} MB | {seconds:.1f} s |"
    )
    assert (report["status"], run.returncode) == (status, 0 if status == "accepted" else 1), first
    assert words in first
    assert peak < GIB, f"{build.__name__}: peak {peak / (1 << 20):.0f} MB"
