"""An admin changes the catalogue from the /catalogue page: checked whole, refused whole, recorded either way.

Every test that writes works on its own copy of the demo database.
"""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

import db
import settings
from auth.accounts import get_account
from auth.errors import PermissionDenied
from dashboard.login import SESSION_KEY
from dashboard.views import catalogue_admin as admin
from loaders.catalogue_store import replace_catalogue
from schema.catalogue import CatalogueError

PAGE = str(settings.ROOT / "app_pages" / "catalogue.py")


def _records() -> list[dict]:
    return yaml.safe_load(settings.CATALOGUE_FILE.read_text(encoding="utf-8"))


def _yaml(records: list[dict]) -> bytes:
    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False).encode()


def _renamed() -> bytes:
    records = _records()
    records[0]["name_vi"] = "Thu ngân sách nhà nước (tên mới)"
    return _yaml(records)


def _app(account: str | None, db_path) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if account is not None:
        at.session_state[SESSION_KEY] = get_account(db_path, account)
    return at.run()


def _tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_only_an_admin_sees_the_replace_tab(demo_copy):
    for account in (None, "lanhdao", "phantich", "stc"):
        at = _app(account, demo_copy)
        assert not at.exception
        assert "Thay danh mục" not in _tab_labels(at), account
    at = _app("quantri", demo_copy)
    assert not at.exception and "Thay danh mục" in _tab_labels(at)


def test_an_admin_uploads_a_changed_catalogue_sees_the_change_and_replaces_it(demo_copy):
    at = _app("quantri", demo_copy)
    at.file_uploader[0].set_value(("catalogue_2027.yaml", _renamed(), "application/yaml")).run()
    assert not at.exception and not at.error
    changed = {m.label: m.value for m in at.metric}
    assert changed["Chỉ số thay đổi thuộc tính"] == "1" and changed["Chỉ số thêm mới"] == "0"
    at.button(key="catalogue_replace").click().run()
    assert not at.exception and not at.error
    assert at.success and "Đã thay danh mục" in at.success[0].value
    assert at.file_uploader[0].value is None  # emptied, ready for the next file
    with db.read(demo_copy) as con:
        name = con.execute("SELECT name_vi FROM indicators WHERE code = 'IN-01'").fetchone()[0]
        load = con.execute("SELECT file_name, loaded_by FROM catalogue_loads ORDER BY id DESC LIMIT 1").fetchone()
    assert name == "Thu ngân sách nhà nước (tên mới)"
    assert load == ("catalogue_2027.yaml", "quantri")


def test_a_broken_catalogue_is_refused_whole_with_every_problem(demo_copy):
    records = _records()
    records[0]["owner"] = "NOPE"
    records[1]["frequency"] = "daily"
    at = _app("quantri", demo_copy)
    at.file_uploader[0].set_value(("broken.yaml", _yaml(records), "application/yaml")).run()
    assert not at.exception
    problems = at.table[0].value  # a few problems: a wrapped table, every message in full
    assert list(problems.columns) == ["Mã", "Thuộc tính", "Nội dung"]
    assert at.error and f"{len(problems)} lỗi" in at.error[0].value
    assert {code.replace("\\", "") for code in problems["Mã"]} == {records[0]["code"], records[1]["code"]}
    assert not at.get("button") or all(b.key != "catalogue_replace" for b in at.button)


def test_an_indicator_with_data_cannot_be_dropped_and_the_refusal_is_recorded(demo_copy):
    records = _records()
    used = {c["code"] for r in records for c in r.get("components") or []}
    dropped = next(r["code"] for r in records if r["code"] not in used)
    records = [r for r in records if r["code"] != dropped]
    admin_account = get_account(demo_copy, "quantri")
    with db.read(demo_copy) as con:
        before = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
    refused = admin.replace("smaller.yaml", _yaml(records), demo_copy, admin_account)
    assert isinstance(refused, list) and [p.code for p in refused] == [dropped]
    assert "không thể xóa" in refused[0].message_vi
    with db.read(demo_copy) as con:
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == before
        actor, target = con.execute(
            "SELECT actor, target FROM audit_log WHERE action = 'catalogue_rejected' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (actor, target) == ("quantri", "smaller.yaml")


def test_only_admins_may_replace_the_catalogue_whatever_the_door(demo_copy, tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(_renamed())
    for username in ("stc", "lanhdao", "phantich"):
        with pytest.raises(PermissionDenied):
            replace_catalogue(demo_copy, path, get_account(demo_copy, username))
    with db.read(demo_copy) as con:
        assert con.execute("SELECT name_vi FROM indicators WHERE code = 'IN-01'").fetchone()[0] != (
            "Thu ngân sách nhà nước (tên mới)"
        )


def test_unreadable_yaml_is_a_problem_not_a_traceback(demo_copy):
    problems = admin.check("bad.yaml", b"- code: [unclosed\n\x00\xff", demo_copy)
    assert isinstance(problems, list) and problems
    with pytest.raises(CatalogueError):
        replace_catalogue(demo_copy, settings.ROOT / "no_such_catalogue.yaml")


# ---------------------------------------------------------------- the preview compares every attribute (issue 9 item 5)


def _changed(**fields) -> bytes:
    records = _records()
    records[0].update(fields)  # IN-01
    return _yaml(records)


def _preview(db_path, data: bytes) -> admin.CatalogueDiff:
    checked = admin.check("new.yaml", data, db_path)
    assert not isinstance(checked, list), [str(p) for p in checked]
    return admin.preview(db_path, checked)


def test_a_target_change_is_a_change_old_to_new(demo_db):
    targets = dict(_records()[0]["targets"])
    assert targets[2026] == 62000  # the catalogue on file, read by hand
    diff = _preview(demo_db, _changed(targets={**targets, 2026: 65000}))
    assert [(c.code, c.field, c.old, c.new) for c in diff.changes] == [("IN-01", "targets.2026", 62000.0, 65000.0)]
    assert diff.changed == ["IN-01"] and not diff.added and not diff.removed


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"valid_max": 200000}, [("valid_max", 150000.0, 200000.0)]),
        ({"valid_min": None}, [("valid_min", 0.0, None)]),
        ({"deadline_days": 15}, [("deadline_days", 10, 15)]),
        (
            {"level": "commune", "aggregation": "sum"},
            [("level", "province", "commune"), ("aggregation", "none", "sum")],
        ),
        (
            {"thresholds": {"on_track": 95, "at_risk": 85}},
            [("thresholds.on_track", 100.0, 95.0), ("thresholds.at_risk", 90.0, 85.0)],
        ),
        (
            {"definition_en": "Another definition."},
            [("definition_en", _records()[0]["definition_en"], "Another definition.")],
        ),
        ({"central_code": None}, [("central_code", "QG-NS-01", None)]),
        ({"targets": {2022: 42000, 2023: 45000, 2024: 50000, 2025: 56834}}, [("targets.2026", 62000.0, None)]),
    ],
)
def test_every_attribute_is_compared(demo_db, fields, expected):
    diff = _preview(demo_db, _changed(**fields))
    assert sorted((c.field, c.old, c.new) for c in diff.changes) == sorted(expected)


def test_a_components_change_is_a_change(demo_db):
    records = _records()
    composite = next(r for r in records if r.get("components"))
    before = tuple(sorted((c["code"], float(c["weight"])) for c in composite["components"]))
    swapped = [dict(c) for c in composite["components"]]
    swapped[0]["weight"], swapped[1]["weight"] = swapped[1]["weight"], swapped[0]["weight"]
    composite["components"] = swapped
    after = tuple(sorted((c["code"], float(c["weight"])) for c in swapped))
    diff = _preview(demo_db, _yaml(records))
    if before == after:  # equal weights: swapping changes nothing, and the preview must say so
        assert diff.none
    else:
        assert [(c.code, c.field, c.old, c.new) for c in diff.changes] == [
            (composite["code"], "components", before, after)
        ]


def test_the_page_shows_the_target_change_and_the_replace_records_it(demo_copy):
    targets = dict(_records()[0]["targets"])
    at = _app("quantri", demo_copy)
    at.file_uploader[0].set_value(("catalogue.yaml", _changed(targets={**targets, 2026: 65000}), "application/yaml"))
    at.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Chỉ số thay đổi thuộc tính"] == "1"
    table = next(df.value for df in at.dataframe if "old" in df.value.columns)
    assert table.to_dict("records") == [
        {
            "code": "IN-01",
            "name": _records()[0]["name_vi"],
            "field": "Chỉ tiêu năm 2026",
            "old": "62.000",
            "new": "65.000",
        }
    ]
    assert not at.info or all("không thay đổi" not in i.value for i in at.info)
    at.button(key="catalogue_replace").click().run()
    assert not at.exception and at.success
    with db.read(demo_copy) as con:
        assert con.execute("SELECT value FROM targets WHERE indicator_code = 'IN-01' AND year = 2026").fetchone() == (
            65000.0,
        )
        detail = con.execute(
            "SELECT CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'catalogue_load' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    import json

    assert json.loads(detail)["changes"] == [["IN-01", "targets.2026", 62000.0, 65000.0]]


# ---------------------------------------------------------------- every problem at once, in words, no cascades


def test_a_yaml_syntax_error_is_one_problem_with_line_and_column_in_words(demo_db):
    text = _yaml(_records()).decode().replace("  unit: tỷ đồng\n", "  unit: tỷ đồng: sai\n", 1)
    problems = admin.check("broken.yaml", text.encode(), demo_db)
    assert isinstance(problems, list) and len(problems) == 1
    line = text.splitlines().index("  unit: tỷ đồng: sai") + 1
    assert f"dòng {line}, cột" in problems[0].message_vi and f"line {line}, column" in problems[0].message_en
    for english in ("mapping values", "while scanning", "not allowed here"):
        assert english not in problems[0].message_vi and english not in problems[0].message_en
    assert not any("Thiếu nhóm" in p.message_vi for p in problems)


def test_a_key_written_twice_is_a_problem_not_silently_the_last(demo_db):
    text = _yaml(_records()).decode().replace("  deadline_days: 10\n", "  deadline_days: 10\n  deadline_days: 30\n", 1)
    problems = admin.check("twice.yaml", text.encode(), demo_db)
    assert isinstance(problems, list) and len(problems) == 1 and problems[0].field == "deadline_days"
    assert "hai lần" in problems[0].message_vi


def test_removing_an_indicator_with_data_shows_with_the_other_problems(demo_db):
    records = _records()
    used = {c["code"] for r in records for c in r.get("components") or []}
    dropped = next(r["code"] for r in records if r["code"] not in used and r["code"] != records[0]["code"])
    records = [r for r in records if r["code"] != dropped]
    records[0]["owner"] = "NOPE"
    problems = admin.check("two.yaml", _yaml(records), demo_db)
    assert isinstance(problems, list)
    assert {(p.code, p.field) for p in problems} == {(records[0]["code"], "owner"), (dropped, "code")}


def test_messages_are_in_words_without_pydantic_english(demo_db):
    records = _records()
    records[0]["frequency"] = "daily"
    records[1]["deadline_days"] = -3
    records[2]["colour"] = "red"
    records[3].pop("unit")
    records[4]["valid_max"] = "rất lớn"
    problems = admin.check("words.yaml", _yaml(records), demo_db)
    assert isinstance(problems, list)
    got = {(p.code, p.field): p.message_vi for p in problems}
    assert got == {
        (records[0]["code"], "frequency"): "Phải là một trong: weekly, monthly, quarterly, half_yearly, annual "
        "(giá trị: daily).",
        (records[1]["code"], "deadline_days"): "Phải từ 0 trở lên (giá trị: -3).",
        (records[2]["code"], "colour"): "Thuộc tính này không có trong danh mục chuẩn.",
        (records[3]["code"], "unit"): "Thiếu thuộc tính bắt buộc này.",
        (records[4]["code"], "valid_max"): "Phải là một số (giá trị: rất lớn).",
    }
    for p in problems:
        assert "Input should" not in p.message_vi + p.message_en and "Field required" not in p.message_en


def test_an_invalid_component_indicator_is_not_also_a_missing_component(demo_db):
    records = _records()
    composite = next(r for r in records if r.get("components"))
    part = next(r for r in records if r["code"] == composite["components"][0]["code"])
    part.pop("unit")
    problems = admin.check("cascade.yaml", _yaml(records), demo_db)
    assert isinstance(problems, list)
    assert [(p.code, p.field) for p in problems] == [(part["code"], "unit")]
