"""A dashboard page run once in AppTest, with query parameters, that must not raise."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import settings


def run_page(name: str, timeout: float = 120, **params: str) -> AppTest:
    """``app_pages/{name}.py`` run with ``params`` as its query string; fails the test on an exception."""
    at = AppTest.from_file(str(settings.ROOT / "app_pages" / f"{name}.py"), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
