"""/accounts: administrators add accounts, disable and enable them, reset passwords, change roles and departments.

Every change is auth.accounts' (audited with the acting administrator; a password, role or department change or
a disable ends the account's login sessions); the acting account is read again before each change.
"""

import streamlit as st

import db
from auth import accounts
from auth.errors import AuthError
from dashboard.login import require_role
from dashboard.markdown import plain
from dashboard.page import setup, show_error
from dashboard.parts import accounts as part
from dashboard.views import accounts as view
from db import queries

ctx = setup("accounts")
require_role(ctx.account, "admin", ctx.lang)
st.caption(ctx.t("accounts.intro"))
DONE = "accounts_done"  # the last change's confirmation, shown after the rerun that refreshes the table

found = accounts.list_accounts(ctx.path)
departments = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())
role_name = lambda r: view.role_text(r, ctx.lang)  # noqa: E731
dept_name = lambda c: f"{c} – {departments.get(c, c)}" if c else ctx.t("accounts.no_department")  # noqa: E731


def change(action, message: str) -> None:
    """Run one account change as the acting administrator; a refusal is said in words and nothing changes."""
    try:
        actor = view.acting_admin(ctx.path, ctx.account)
        action(actor)
    except AuthError as exc:
        st.error(plain(exc.message(ctx.lang)), icon=":material/block:")  # it may quote what was typed
    except db.DatabaseError as exc:
        show_error(ctx, exc)
    else:
        st.session_state[DONE] = message
        st.rerun()


if (done := st.session_state.pop(DONE, None)) is not None:
    st.success(plain(done), icon=":material/check_circle:")

names = {c: ctx.t(f"accounts.col_{c}") for c in view.COLUMNS}
config = names | {"created_at": st.column_config.DatetimeColumn(names["created_at"], format="DD/MM/YYYY")}
frame = view.accounts_frame(found, accounts.failed_logins(ctx.path), ctx.lang)
st.dataframe(
    frame, hide_index=True, key="accounts_table", column_config=config, height=min(420, 38 + 35 * frame.height)
)

add, edit = st.columns(2, gap="large")
part.add_form(ctx, add, departments, change, role_name, dept_name)
part.edit_panel(ctx, edit, found, departments, change, role_name, dept_name)
