"""/audit is for admins only and lists the audit log."""

import streamlit as st
from streamlit.testing.v1 import AppTest

import settings
from auth.accounts import get_account
from dashboard.login import SESSION_KEY


def _run(account=None, **params):
    st.cache_data.clear()
    at = AppTest.from_file(str(settings.ROOT / "app_pages" / "audit.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state[SESSION_KEY] = account
    return at.run()


def test_an_anonymous_reader_is_refused(demo_db):
    at = _run()
    assert not at.exception
    assert at.error and "quản trị" in at.error[0].value.lower()
    assert not at.dataframe


def test_an_admin_reads_the_log_and_filters_it(demo_db):
    admin = get_account(demo_db, "quantri")
    at = _run(admin)
    assert not at.exception and not at.error
    assert at.dataframe and len(at.dataframe[0].value) > 0
    at = _run(admin, action="demo_load")
    shown = at.dataframe[0].value
    assert set(shown["action"]) == {"demo_load"}


def test_a_department_account_is_refused(demo_db):
    at = _run(get_account(demo_db, "syt"))
    assert at.error and not at.dataframe
