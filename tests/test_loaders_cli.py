"""The command line of CONTRACT §4, run as a user would: a separate process, exit codes, JSON, no traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import polars as pl
import pytest
from conftest import holding, small_indicators, write_catalogue_files

import db
import settings


def run(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    dropped = ("INDICATORS_DB", "INDICATORS_LOCK_TIMEOUT", "INDICATORS_PASSWORD")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        stdin=subprocess.DEVNULL,  # no terminal, as in a script or a scheduled job
    )
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
    return done


def csv_file(tmp_path, rows, name="s.csv"):
    path = tmp_path / name
    path.write_text("indicator_code,period,locality_code,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def observation_count(path) -> int:
    with db.read(path) as con:
        return con.execute("SELECT count(*) FROM observations").fetchone()[0]


def test_init_creates_the_database_with_db_before_or_after_the_command(tmp_path, catalogue_files):
    files = ["--catalogue", str(catalogue_files.catalogue), "--departments", str(catalogue_files.departments)]
    files += ["--localities", str(catalogue_files.localities)]
    before = run("--db", str(tmp_path / "a.duckdb"), "init", *files)
    after = run("init", "--db", str(tmp_path / "b.duckdb"), *files)
    from_env = run("init", *files, env={"INDICATORS_DB": str(tmp_path / "c.duckdb")})
    for done, name in ((before, "a"), (after, "b"), (from_env, "c")):
        assert done.returncode == 0, done.stderr
        assert "9 chỉ số" in done.stdout and "9 indicators" in done.stdout
        with db.read(tmp_path / f"{name}.duckdb") as con:
            assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 9


def test_init_with_a_broken_catalogue_lists_the_problems_and_keeps_the_old_catalogue(tmp_path, catalogue_db):
    indicators = small_indicators()
    indicators[0]["owner"] = "NOPE"
    broken = write_catalogue_files(tmp_path / "broken", indicators)
    done = run(
        "--db",
        str(catalogue_db),
        "init",
        "--catalogue",
        str(broken.catalogue),
        "--departments",
        str(broken.departments),
        "--localities",
        str(broken.localities),
    )
    assert done.returncode == 1
    assert "Danh mục có 1 lỗi" in done.stderr and "keeps its previous catalogue" in done.stderr
    assert "FIN_REV" in done.stderr and "owner" in done.stderr
    with db.read(catalogue_db) as con:
        assert con.execute("SELECT owner FROM indicators WHERE code = 'FIN_REV'").fetchone() == ("FIN",)


def test_submit_accepted_then_unchanged(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5", "FIN_REV,2025-08,,13"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "fin")
    assert done.returncode == 0, done.stderr
    assert "Đã nhận tệp s.csv: 2 dòng" in done.stdout and "Accepted s.csv: 2 rows (2 new, 0 revised)" in done.stdout
    again = run("submit", str(path), "--department", "FIN", "--json", "--db", str(catalogue_db))
    assert again.returncode == 0
    out = json.loads(again.stdout)
    assert (out["status"], out["rows"], out["errors"]) == ("unchanged", 2, [])
    assert observation_count(catalogue_db) == 2


def test_submit_json_shape(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
    out = json.loads(done.stdout)  # exactly one JSON object
    keys = {"status", "rows", "errors", "new_rows", "revised_rows", "submission_id", "revisions", "check", "failure"}
    assert set(out) == keys
    assert (out["status"], out["rows"], out["new_rows"], out["revised_rows"]) == ("accepted", 1, 1, 0)
    assert (out["revisions"], out["check"], out["failure"]) == ([], False, None)
    assert isinstance(out["submission_id"], int)


def test_submit_rejected_lists_every_problem(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5", "NOPE,2025-09,,1", "FIN_REV,2099-01,,1,234"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["status"] == "rejected" and out["rows"] == 3
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(3, "indicator_code"), (4, None), (4, "period")]
    for error in out["errors"]:
        assert set(error) == {"row", "column", "value", "message", "message_vi", "message_en"}
        assert error["message"] == f"{error['message_vi']} / {error['message_en']}"
    assert observation_count(catalogue_db) == 0

    human = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN")
    assert human.returncode == 1
    assert "bị từ chối: 3 lỗi" in human.stdout and "was rejected: 3 problems" in human.stdout
    assert "Dòng/Row" in human.stdout and "Cột/Column" in human.stdout and "Giá trị/Value" in human.stdout
    lines = human.stdout.splitlines()
    assert any(line.split()[:3] == ["3", "indicator_code", "NOPE"] for line in lines)
    assert "Mã chỉ số 'NOPE' không có trong danh mục. / Indicator code 'NOPE' is not in the catalogue." in human.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["submit", "{file}", "--department", "NOPE"],
        ["submit", "{missing}", "--department", "FIN"],
        ["submit", "{file}"],
        ["submit"],
        ["frobnicate"],
        ["export", "everything", "--format", "csv"],
        ["export", "observations", "--format", "docx"],
        ["export", "observations", "--format", "parquet"],
    ],
)
def test_usage_errors_exit_2(tmp_path, catalogue_db, args):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    args = [a.format(file=path, missing=tmp_path / "missing.csv") for a in args]
    done = run("--db", str(catalogue_db), *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.strip()
    assert observation_count(catalogue_db) == 0


def test_usage_error_in_json_mode_is_one_json_object(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "NOPE", "--json")
    assert done.returncode == 2
    out = json.loads(done.stdout)
    assert out["status"] == "rejected" and out["failure"] == "usage" and "NOPE" in out["errors"][0]["message_en"]


@pytest.mark.parametrize("kind", ["random.csv", "binary.csv", "random.xlsx", "random.json", "random.parquet", "x.exe"])
def test_garbage_input_never_ends_in_a_traceback(tmp_path, catalogue_db, kind):
    path = tmp_path / kind
    if kind == "binary.csv":
        path.write_bytes(bytes(range(256)) * 40)
    else:
        path.write_bytes(random.Random(kind).randbytes(5000))
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["status"] == "rejected" and out["errors"] and out["rows"] == 0


def test_missing_database_is_a_clear_message(tmp_path):
    done = run("--db", str(tmp_path / "none.duckdb"), "export", "observations", "--format", "csv")
    assert done.returncode == 1
    assert "python -m loaders init" in done.stderr and "Chưa có cơ sở dữ liệu" in done.stderr


def test_export_and_template_commands(tmp_path, catalogue_db):
    csv_path = csv_file(tmp_path, ["FIN_GROWTH,2025-Q3,,-12.5"])
    assert run("--db", str(catalogue_db), "submit", str(csv_path), "--department", "FIN").returncode == 0
    done = run("--db", str(catalogue_db), "export", "observations", "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "indicator_code,period,locality_code,value,department,submission_id,submitted_at,note",
        done.stdout.splitlines()[1],
    ]
    assert done.stdout.splitlines()[1].startswith('FIN_GROWTH,2025-Q3,"",-12.5,FIN,')
    out = tmp_path / "c.parquet"
    done = run("export", "catalogue", "--format", "parquet", "--out", str(out), "--db", str(catalogue_db))
    assert done.returncode == 0 and pl.read_parquet(out).height == 9
    template = tmp_path / "t.xlsx"
    done = run("--db", str(catalogue_db), "template", "--department", "HEA", "--out", str(template))
    assert done.returncode == 0 and template.exists() and "HEA" in done.stdout


# -- one file, two processes ------------------------------------------------------------------------


def _hold_read(path, seconds):
    code = (
        f"import sys, time, db\nwith db.read(sys.argv[1]):\n    print('open', flush=True)\n    time.sleep({seconds})\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], cwd=settings.ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "open"
    return proc


def test_submit_waits_for_a_reader_then_succeeds(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    reader = _hold_read(catalogue_db, 2)
    try:
        start = time.monotonic()
        done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
        waited = time.monotonic() - start
    finally:
        reader.wait(timeout=30)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "accepted"
    assert waited >= 1.0  # it had to wait for the reader to let go
    assert observation_count(catalogue_db) == 1


def test_submit_gives_up_with_a_clear_message_when_the_reader_stays(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    reader = _hold_read(catalogue_db, 2)
    try:
        done = run(
            "--db",
            str(catalogue_db),
            "submit",
            str(path),
            "--department",
            "FIN",
            env={"INDICATORS_LOCK_TIMEOUT": "0.5"},
        )
    finally:
        reader.wait(timeout=30)
    assert done.returncode == 1
    assert "đang bận" in done.stderr and "is busy" in done.stderr
    assert observation_count(catalogue_db) == 0  # intact, and readable
    again = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN")
    assert again.returncode == 0 and observation_count(catalogue_db) == 1


def test_catalogue_change_by_an_admin_is_checked_whole_and_recorded(tmp_path, demo_db):
    import shutil

    import yaml

    import db
    import settings

    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {**os.environ, "INDICATORS_DB": str(path), "INDICATORS_PASSWORD": "demo-bacninh-2026"}
    records = yaml.safe_load(settings.CATALOGUE_FILE.read_text(encoding="utf-8"))
    broken = [dict(r) for r in records]
    broken[0]["owner"] = "NOBODY"
    broken[1]["valid_min"], broken[1]["valid_max"] = 10, 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    before = db.query("SELECT count(*) AS n, max(owner) AS o FROM indicators", None, path).row(0)

    def run(*args):
        cmd = [sys.executable, "-m", "loaders", "catalogue", *args]
        return subprocess.run(cmd, cwd=settings.ROOT, env=env, capture_output=True, text=True)

    refused = run(str(bad), "--user", "quantri")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "NOBODY" in refused.stderr and "valid_min" in refused.stderr
    assert db.query("SELECT count(*) AS n, max(owner) AS o FROM indicators", None, path).row(0) == before
    logged = db.query("SELECT actor FROM audit_log WHERE action = 'catalogue_rejected'", None, path)
    assert logged["actor"].to_list() == ["quantri"]

    not_admin = run(str(settings.CATALOGUE_FILE), "--user", "syt")
    assert not_admin.returncode == 2 and "quản trị" in not_admin.stderr

    good = [dict(r) for r in records]
    good[0]["name_vi"] = "Tên mới của chỉ số"
    ok = tmp_path / "good.yaml"
    ok.write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    accepted = run(str(ok), "--user", "quantri")
    assert accepted.returncode == 0, accepted.stderr
    code = str(good[0]["code"]).upper()
    assert (
        db.query("SELECT name_vi FROM indicators WHERE code = $c", {"c": code}, path)["name_vi"][0]
        == "Tên mới của chỉ số"
    )
    loads = db.query("SELECT loaded_by FROM catalogue_loads ORDER BY id DESC LIMIT 1", None, path)
    assert loads["loaded_by"][0] == "quantri"


def test_a_department_account_cannot_write_another_departments_data_from_the_command_line(tmp_path, demo_db):
    import shutil

    import db
    import settings

    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    env = {**os.environ, "INDICATORS_DB": str(path), "INDICATORS_PASSWORD": "demo-bacninh-2026"}
    stc_file = tmp_path / "stc.csv"
    stc_file.write_text("indicator_code,period,locality_code,value\nIN-01,2026-11,,5000\n", encoding="utf-8")
    before = db.query("SELECT count(*) AS n FROM observation_history", None, path)["n"][0]

    def submit(department: str, user: str):
        cmd = [sys.executable, "-m", "loaders", "submit", str(stc_file), "--department", department, "--user", user]
        return subprocess.run([*cmd, "--json"], cwd=settings.ROOT, env=env, capture_output=True, text=True)

    as_other = submit("STC", "syt")  # the Health account names Finance
    assert as_other.returncode == 2 and "Traceback" not in as_other.stderr + as_other.stdout
    assert "STC" in as_other.stdout
    own_name = submit("SYT", "syt")  # under its own name, a row of Finance's indicator
    assert own_name.returncode == 1
    report = json.loads(own_name.stdout)
    assert report["status"] == "rejected" and report["errors"][0]["row"] == 2
    assert report["errors"][0]["column"] == "indicator_code"
    assert db.query("SELECT count(*) AS n FROM observation_history", None, path)["n"][0] == before
    denied = db.query("SELECT actor FROM audit_log WHERE action = 'submission_denied'", None, path)
    assert "syt" in denied["actor"].to_list()


# -- --check and revisions (CONTRACT §4) -------------------------------------------------------------


def tables(path) -> dict[str, int]:
    with db.read(path) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("observations", "observation_history", "submissions", "audit_log")
        }


REVISING = ["FIN_REV,2025-09,,14", "FIN_REV,2025-08,,13", "FIN_REV,2025-07,,11"]  # revised, equal, new


@pytest.mark.parametrize(
    ("rows", "code", "status"),
    [(REVISING, 0, "accepted"), (["FIN_REV,2025-09,,12.5"], 0, "unchanged"), (["NOPE,2025-09,,1"], 1, "rejected")],
    ids=["accepted", "unchanged", "rejected"],
)
def test_check_reports_exactly_as_submit_would_and_writes_nothing(tmp_path, catalogue_db, rows, code, status):
    prior = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5", "FIN_REV,2025-08,,13"], name="prior.csv")
    assert run("--db", str(catalogue_db), "submit", str(prior), "--department", "FIN").returncode == 0
    path = csv_file(tmp_path, rows)
    before, version = tables(catalogue_db), db.data_version(catalogue_db)
    checked = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json", "--check")
    assert checked.returncode == code, checked.stdout + checked.stderr
    assert tables(catalogue_db) == before and db.data_version(catalogue_db) == version  # not a byte written
    submitted = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--json")
    assert submitted.returncode == code
    check, submit = json.loads(checked.stdout), json.loads(submitted.stdout)
    assert (check.pop("check"), submit.pop("check")) == (True, False)
    assert check.pop("submission_id") is None and submit.pop("submission_id") != 0
    assert check == submit and check["status"] == status
    if status == "accepted":
        assert (check["new_rows"], check["revised_rows"]) == (1, 1)
        assert check["revisions"] == [
            {
                "indicator_code": "FIN_REV",
                "period": "2025-09",
                "locality_code": "",
                "old_value": 12.5,
                "new_value": 14.0,
            }
        ]


def test_check_of_an_unreadable_format_records_no_rejection(tmp_path, catalogue_db):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    before = tables(catalogue_db)
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--check", "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["status"] == "rejected"
    assert tables(catalogue_db) == before


def test_check_at_the_terminal_lists_each_revision_old_and_new(tmp_path, catalogue_db):
    prior = csv_file(tmp_path, ["FIN_REV,2025-09,,1234.5", "FIN_REV,2025-08,,13"], name="prior.csv")
    assert run("--db", str(catalogue_db), "submit", str(prior), "--department", "FIN").returncode == 0
    done = run("--db", str(catalogue_db), "submit", str(csv_file(tmp_path, REVISING)), "--department", "FIN", "--check")
    assert done.returncode == 0
    assert "Kiểm tra tệp s.csv: hợp lệ, 3 dòng (1 mới, 1 sửa đổi). Chưa ghi gì" in done.stdout
    assert "Checked s.csv: valid, 3 rows (1 new, 1 revised). Nothing written" in done.stdout
    assert "Giá trị đã công bố sẽ được sửa (1):" in done.stdout
    line = next(x for x in done.stdout.splitlines() if x.startswith("FIN_REV"))
    assert line.split() == ["FIN_REV", "2025-09", "Toàn", "tỉnh/Province", "1.234,5", "14"]
    assert observation_count(catalogue_db) == 2


def test_submit_records_the_reason_given_on_the_command_line(tmp_path, catalogue_db):
    prior = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"], name="prior.csv")
    assert run("--db", str(catalogue_db), "submit", str(prior), "--department", "FIN").returncode == 0
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,14"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--reason", "Số liệu chính thức")
    assert done.returncode == 0 and "Giá trị đã công bố đã được sửa (1):" in done.stdout
    with db.read(catalogue_db) as con:
        reasons = con.execute("SELECT value, reason FROM observation_history ORDER BY submission_id").fetchall()
    assert reasons == [(12.5, None), (14.0, "Số liệu chính thức")]


# -- the corners: contract statuses and exit codes whatever happens (issue 13) -------------------------------


def _one_json(done: subprocess.CompletedProcess) -> dict:
    out = json.loads(done.stdout)  # exactly one JSON object on stdout
    assert out["status"] in ("accepted", "unchanged", "rejected")
    for error in out["errors"]:
        assert error["message"] == f"{error['message_vi']} / {error['message_en']}"
        for library_text in ("IO Error", "Errno", "Traceback", "EOFError", "Unexpected error"):
            assert library_text not in error["message"]
    return out


def test_bad_arguments_with_json_still_print_one_json_object(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--json")  # --department missing
    assert done.returncode == 2 and "usage:" in done.stderr
    out = _one_json(done)
    assert (out["status"], out["failure"]) == ("rejected", "usage")
    assert "thiếu tham số bắt buộc: --department" in out["errors"][0]["message_vi"]


def test_a_missing_file_exits_2_and_an_unreadable_one_exits_1(tmp_path, catalogue_db):
    missing = run("--db", str(catalogue_db), "submit", str(tmp_path / "none.csv"), "--department", "FIN", "--json")
    assert missing.returncode == 2 and _one_json(missing)["failure"] == "usage"
    unreadable = tmp_path / "unreadable.csv"
    unreadable.symlink_to("/proc/self/mem")  # a file that exists but cannot be read, even by root
    done = run("--db", str(catalogue_db), "submit", str(unreadable), "--department", "FIN", "--json")
    assert done.returncode == 1
    out = _one_json(done)
    assert (out["status"], out["failure"], out["rows"]) == ("rejected", "file", 0)
    assert "Không đọc được tệp unreadable.csv" in out["errors"][0]["message_vi"]
    assert tables(catalogue_db)["submissions"] == 0  # the sender's content was never judged: nothing recorded
    human = run("--db", str(catalogue_db), "submit", str(unreadable), "--department", "FIN")
    assert human.returncode == 1 and "Không đọc được tệp" in human.stderr and "Cannot read the file" in human.stderr


def test_a_damaged_database_is_one_clean_message(tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(random.Random(1).randbytes(50_000))
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    done = run("--db", str(damaged), "submit", str(path), "--department", "FIN", "--json")
    assert done.returncode == 1
    out = _one_json(done)
    assert (out["status"], out["failure"]) == ("rejected", "database")
    assert "bị hỏng" in out["errors"][0]["message_vi"] and "damaged" in out["errors"][0]["message_en"]
    human = run("--db", str(damaged), "submit", str(path), "--department", "FIN")
    assert human.returncode == 1 and "bị hỏng" in human.stderr and "IO Error" not in human.stderr


def test_submit_on_a_missing_database_creates_nothing(tmp_path, catalogue_db):
    folder = tmp_path / "nothing_here"
    folder.mkdir()
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    for extra in ([], ["--check"], ["--json"], ["--user", "syt"]):
        done = run(
            "--db",
            str(folder / "typo.duckdb"),
            "submit",
            str(path),
            "--department",
            "FIN",
            *extra,
            env={"INDICATORS_PASSWORD": "x"},
        )
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Chưa có cơ sở dữ liệu" in done.stdout + done.stderr
        assert list(folder.iterdir()) == []  # no empty database, WAL or lock file left behind


def test_user_without_a_terminal_or_a_password_is_a_usage_error(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    done = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--user", "fin")
    assert done.returncode == 2
    assert "INDICATORS_PASSWORD" in done.stderr and "cửa sổ dòng lệnh" in done.stderr
    assert "EOFError" not in done.stderr + done.stdout and "Unexpected" not in done.stderr
    as_json = run("--db", str(catalogue_db), "submit", str(path), "--department", "FIN", "--user", "fin", "--json")
    assert as_json.returncode == 2 and _one_json(as_json)["failure"] == "usage"
    assert observation_count(catalogue_db) == 0


def test_busy_is_said_honestly_with_a_rounded_time(tmp_path, catalogue_db):
    path = csv_file(tmp_path, ["FIN_REV,2025-09,,12.5"])
    args = ("--db", str(catalogue_db), "submit", str(path), "--department", "FIN")
    with holding(catalogue_db, "read"):
        by_reader = run(*args, env={"INDICATORS_LOCK_TIMEOUT": "1.4999"})
        as_json = run(*args, "--json", env={"INDICATORS_LOCK_TIMEOUT": "0.5"})
    assert by_reader.returncode == 1
    assert "đang bận" in by_reader.stderr and "quá 1 giây" in by_reader.stderr and "1.4999" not in by_reader.stderr
    assert "mở để đọc" in by_reader.stderr and "đang ghi" not in by_reader.stderr
    assert "held open for reading" in by_reader.stderr and "writing" not in by_reader.stderr
    assert as_json.returncode == 1
    out = _one_json(as_json)
    assert (out["status"], out["failure"]) == ("rejected", "busy")
    assert "quá 0,5 giây" in out["errors"][0]["message_vi"] and "more than 0.5 s" in out["errors"][0]["message_en"]
    with holding(catalogue_db, "write"):
        by_writer = run(*args, env={"INDICATORS_LOCK_TIMEOUT": "0.5"})
    assert by_writer.returncode == 1 and "đang ghi" in by_writer.stderr and "is writing" in by_writer.stderr
    assert observation_count(catalogue_db) == 0


def test_template_output_corners(tmp_path, catalogue_db):
    args = ("--db", str(catalogue_db), "template", "--department", "HEA", "--out")
    full = run(*args, "/dev/full")  # the write fails: no space left
    assert full.returncode == 1
    assert "Không ghi được tệp mẫu /dev/full: ổ đĩa đã đầy" in full.stderr and "no space left" in full.stderr
    link = tmp_path / "full.xlsx"
    link.symlink_to("/dev/full")
    assert run(*args, str(link)).returncode == 1
    folder = tmp_path / "out"
    folder.mkdir()
    into_folder = run(*args, str(folder))
    assert (
        into_folder.returncode == 2 and "là một thư mục" in into_folder.stderr and "is a folder" in into_folder.stderr
    )
    assert list(folder.iterdir()) == []
    wrong = run(*args, str(tmp_path / "mau.csv"))
    assert wrong.returncode == 2 and ".xlsx" in wrong.stderr and not (tmp_path / "mau.csv").exists()
    for done in (full, into_folder, wrong):
        assert "Unexpected" not in done.stderr and "FileCreateError" not in done.stderr
    good = run(*args, str(tmp_path / "sub" / "mau.XLSX"))
    assert good.returncode == 0 and (tmp_path / "sub" / "mau.XLSX").read_bytes()[:2] == b"PK"
