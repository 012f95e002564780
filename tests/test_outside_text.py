"""Everything that comes from outside is shown as text: a Markdown link, image, colour, formula and an HTML tag are
planted in every source (the address, file names, cells of a rejected file, notes, catalogue text, department and
commune names) and searched for in every element of every page that would render them."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from tests.pages import run_page

PAYLOAD = (
    '[lnk](http://evil.example/a) ![img](http://evil.example/i.png) :red[red] $x^2$ <img src="http://evil.example/h">'
)
# What must never reach an element that renders Markdown unescaped (a backslash before it makes it text), and
# what must never reach HTML unescaped.
RENDERED = (r"(?<!\\)\]\(http://evil", r"(?<!\\):red(?:\\)?\[", r"(?<!\\)\$x\^2(?<!\\)\$", r"(?<!\\)<img")
RAW_HTML = ('<img src="http://evil',)

# Elements whose text Streamlit renders as Markdown: their text fields.
MARKDOWN_FIELDS = ("body", "label", "help", "value", "delta", "caption", "placeholder", "delta_description")
NOT_MARKDOWN = {"html", "dataframe", "arrow_data_frame", "vega_lite_chart", "arrow_vega_lite_chart", "code", "text",
                "json", "download_button", "selectbox", "multiselect", "text_input"}  # fmt: skip


@pytest.fixture
def hostile(demo_copy):
    """The demo with the payload in every kind of outside text."""
    con = duckdb.connect(str(demo_copy))
    try:
        con.execute("UPDATE indicators SET name_vi = name_vi || ' ' || ?, unit = unit || ?, source = ? WHERE code IN ('OC-10', 'IN-05')", [PAYLOAD, " " + PAYLOAD, PAYLOAD])  # fmt: skip
        con.execute("UPDATE departments SET name_vi = name_vi || ' ' || ? WHERE code = 'STC'", [PAYLOAD])
        con.execute("UPDATE localities SET name = name || ' ' || ? WHERE code = '07210'", [PAYLOAD])
        con.execute("UPDATE observations SET note = ? WHERE indicator_code = 'OC-10' AND locality_code = '07210'", [PAYLOAD])  # fmt: skip
        errors = json.dumps([{"row": 2, "column": PAYLOAD, "value": PAYLOAD, "message_vi": "x", "message_en": "x"}])
        con.execute(
            "UPDATE submissions SET file_name = ?, errors = ? WHERE id = (SELECT max(id) FROM submissions WHERE status = 'rejected')",
            [PAYLOAD + ".xlsx", errors],
        )
        con.execute("UPDATE submissions SET file_name = ? WHERE id = (SELECT max(id) FROM submissions WHERE department = 'STC')", [PAYLOAD + ".csv"])  # fmt: skip
        con.execute("UPDATE accounts SET display_name = ? WHERE username = 'stc'", [PAYLOAD])
        con.execute("UPDATE audit_log SET target = ? WHERE id = (SELECT max(id) FROM audit_log)", [PAYLOAD])
    finally:
        con.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    return demo_copy


def _texts(node, out: list[tuple[str, str]]) -> None:
    """Every (element type, text) of the tree that Streamlit would render as Markdown."""
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    if proto is not None and kind not in NOT_MARKDOWN:
        for field in MARKDOWN_FIELDS:
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                out.append((kind, value))
    for child in getattr(node, "children", {}).values():
        _texts(child, out)


PAGES = [
    ("overview", {}),
    ("input", {}),
    ("outcome", {}),
    ("indicator", {"code": "OC-10", "locality": "07210"}),
    ("indicator", {"code": "OC-10", "period": "2025"}),
    ("indicator", {"code": "IN-05"}),
    ("indicator", {"code": PAYLOAD}),
    ("department", {"code": "STC"}),
    ("department", {"code": PAYLOAD}),
    ("explorer", {"indicator": "OC-10", "view": "data", "from": "all"}),
    ("explorer", {"indicator": "OC-10", "view": "pivot", "rows": "commune", "from": "all"}),
    ("quality", {"view": "rejected", "from": "all"}),
    ("catalogue", {}),
    ("present", {"by": "codes", "codes": "OC-10"}),
    ("submit", {"department": "STC"}),
]


@pytest.mark.parametrize(("name", "params"), PAGES, ids=[f"{n}-{'-'.join(p)}" for n, p in PAGES])
def test_outside_text_is_never_rendered(hostile, name, params):
    at = run_page(name, **params)
    found: list[tuple[str, str]] = []
    _texts(at._tree, found)
    rendered = [(kind, text) for kind, text in found if any(re.search(bad, text) for bad in RENDERED)]
    assert not rendered, rendered[:3]
    raw = [h.proto.body for h in at.get("html") if any(bad in h.proto.body for bad in RAW_HTML)]
    assert not raw, raw[0][:300]


@pytest.mark.parametrize(("name", "params"), [("accounts", {"user": "stc"}), ("audit", {})])
def test_outside_text_is_never_rendered_on_the_admin_pages(hostile, name, params):
    from auth.accounts import get_account
    from dashboard.login import SESSION_KEY

    at = AppTest.from_file(str(settings.ROOT / "app_pages" / f"{name}.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state[SESSION_KEY] = get_account(hostile, "quantri")
    at.run()
    assert not at.exception, at.exception
    found: list[tuple[str, str]] = []
    _texts(at._tree, found)
    assert any("evil.example" in text for _, text in found) or any(
        "evil.example" in str(d.value.to_numpy()) for d in at.dataframe
    )
    rendered = [(kind, text) for kind, text in found if any(re.search(bad, text) for bad in RENDERED)]
    assert not rendered, rendered[:3]


def test_the_payload_is_there_as_text(hostile):
    """The planted text does reach the pages (the test above would pass on an empty page otherwise)."""
    at = run_page("indicator", code="OC-10")
    found: list[tuple[str, str]] = []
    _texts(at._tree, found)
    assert any("evil.example" in text for _, text in found)  # the title, escaped
    assert any("evil.example" in h.proto.body for h in at.get("html"))  # the card, the sentence: escaped HTML
