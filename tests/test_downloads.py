"""Every download goes through one door (issue 13 item 3): the export right checked on the server at the click,
the download audited, formula-like text neutralised; the grid's own download is off for everyone."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import polars as pl
import pytest

import settings
from auth import accounts, audit, roles
from auth.accounts import ANONYMOUS, get_account
from auth.errors import PermissionDenied
from dashboard import components, downloads
from dashboard.page import Ctx

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-1+1", "Bắc Ninh"]


class _Captured:
    """Stands for a Streamlit container: keeps what each download button would serve."""

    def __init__(self) -> None:
        self.buttons: dict[str, dict] = {}

    def download_button(self, label, data, file_name, mime, key, on_click, icon):
        self.buttons[key] = {"label": label, "data": data, "file_name": file_name, "mime": mime, "on_click": on_click}


def _ctx(path, account) -> Ctx:
    return Ctx(lang="vi", path=path, version=(0,), today=settings.today(), account=account)


def _exports(path) -> list[dict]:
    frame = audit.read_audit(path, action=[audit.EXPORT, audit.EXPORT_DENIED], limit=100)
    return [
        {"actor": r["actor"], "action": r["action"], "target": r["target"], **json.loads(r["detail"] or "{}")}
        for r in frame.iter_rows(named=True)
    ]


def test_a_leader_may_export(demo_copy):
    assert roles.can(get_account(demo_copy, "lanhdao"), "export")


def test_a_table_download_is_neutralised_and_audited_at_the_click(demo_copy, monkeypatch):
    frame = pl.DataFrame({"ghi_chu": HOSTILE, "gia_tri": [1.5, 2.0, 3.0, 4.0, 5.0]})
    box = _Captured()
    ctx = _ctx(demo_copy, get_account(demo_copy, "lanhdao"))
    earlier = _exports(demo_copy)  # the shared demo may hold other tests' downloads
    downloads.offer(ctx, box, "csv", "bang", "t1", lambda: components.export.table_csv(frame), rows=frame.height)
    button = box.buttons["csv_t1"]
    assert button["on_click"] == "ignore" and callable(button["data"])
    assert _exports(demo_copy) == earlier  # nothing is made or recorded before the click
    data = button["data"]().decode("utf-8-sig").splitlines()
    assert data[1:] == [
        '"\'=HYPERLINK(""http://x"",""y"")",1.5',
        "'+cmd|' /C calc'!A0,2.0",
        "'@SUM(A1:A2),3.0",
        "'-1+1,4.0",
        "Bắc Ninh,5.0",
    ]
    assert _exports(demo_copy) == [
        {"actor": "lanhdao", "action": "export", "target": "bang.csv", "format": "csv", "rows": 5},
        *earlier,
    ]


def test_the_right_is_checked_again_at_the_click(demo_copy):
    box = _Captured()
    ctx = _ctx(demo_copy, get_account(demo_copy, "phantich"))
    downloads.offer(ctx, box, "xlsx", "bang", "t2", lambda: b"bytes", rows=1)
    accounts.disable_account(demo_copy, "phantich", actor="quantri")  # after the page was drawn
    with pytest.raises(PermissionDenied):
        box.buttons["xlsx_t2"]["data"]()
    assert _exports(demo_copy)[0]["action"] == "export_denied"


def test_no_button_without_the_right_and_a_forged_session_is_refused_on_the_server(demo_copy):
    submitter = get_account(demo_copy, "syt")
    box = _Captured()
    downloads.offer(_ctx(demo_copy, submitter), box, "csv", "bang", "t3", lambda: b"x")
    assert box.buttons == {}
    with pytest.raises(PermissionDenied):  # the server's own check, whatever a client sends
        downloads.producer(_ctx(demo_copy, submitter), "bang.csv", lambda: b"x", {"format": "csv"}, "export")()
    denied = _exports(demo_copy)[0]
    assert (denied["actor"], denied["action"]) == ("syt", "export_denied")


def test_a_users_own_report_needs_no_export_right_but_is_audited(demo_copy):
    box = _Captured()
    ctx = _ctx(demo_copy, get_account(demo_copy, "syt"))
    downloads.offer(ctx, box, "csv", "bao-cao-loi", "r", lambda: b"ok", rows=3, right=None)
    assert box.buttons["csv_r"]["data"]() == b"ok"
    assert _exports(demo_copy)[0]["actor"] == "syt"


def test_anonymous_readers_download_where_no_login_is_needed(demo_copy):
    box = _Captured()
    downloads.offer(_ctx(demo_copy, ANONYMOUS), box, "png", "chart", "c", lambda: b"png")
    assert box.buttons["png_c"]["data"]() == b"png"
    assert _exports(demo_copy)[0]["actor"] == "anonymous"


def test_the_grids_own_download_is_off_for_everyone():
    client = tomllib.loads((settings.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["client"]
    assert client["disableDataExport"] is True
    done = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; print(config.get_option('client.disableDataExport'))"],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "True"
