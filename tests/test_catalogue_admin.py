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
    problems = next(df.value for df in at.dataframe if list(df.value.columns) == ["file", "code", "field", "message"])
    assert at.error and f"{len(problems)} lỗi" in at.error[0].value
    assert set(problems["code"]) == {records[0]["code"], records[1]["code"]}
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
    problems = admin.check("bad.yaml", b"- code: [unclosed\n\x00\xff")
    assert isinstance(problems, list) and problems
    with pytest.raises(CatalogueError):
        replace_catalogue(demo_copy, settings.ROOT / "no_such_catalogue.yaml")
