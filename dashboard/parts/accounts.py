"""The accounts page's two panels: add an account, and change one (role and department, password, status)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from auth import accounts
from dashboard import state
from dashboard.markdown import plain
from dashboard.page import Ctx
from dashboard.views import accounts as view


def add_form(
    ctx: Ctx, box: Any, departments: Mapping[str, str], change: Callable, role_name: Callable, dept_name: Callable
) -> None:
    """A new account: name, display name, role, department, email, password twice."""
    with box, st.form("account_add", clear_on_submit=True, border=True):
        st.markdown("#### " + ctx.t("accounts.add_title"))
        username = st.text_input(
            ctx.t("accounts.col_username"), key="add_username", help=ctx.t("accounts.username_help")
        )
        display = st.text_input(ctx.t("accounts.col_display_name"), key="add_display_name")
        role = st.selectbox(ctx.t("accounts.col_role"), accounts.ROLES, format_func=role_name, key="add_role")
        dept = st.selectbox(
            ctx.t("accounts.col_department"), ["", *departments], format_func=dept_name, key="add_department",
            help=ctx.t("accounts.department_help"),
        )  # fmt: skip
        email = st.text_input(ctx.t("accounts.col_email"), key="add_email", help=ctx.t("accounts.email_help"))
        first = st.text_input(
            ctx.t("accounts.password"), type="password", key="add_password", autocomplete="new-password",
            help=ctx.t("accounts.password_help"),
        )  # fmt: skip
        second = st.text_input(ctx.t("accounts.password_again"), type="password", key="add_password_again")
        if st.form_submit_button(ctx.t("accounts.add_button"), type="primary", key="add_submit"):

            def add_account(actor: str) -> None:
                view.same_passwords(first, second)
                password = first or None  # none: an account that logs in only through OpenID Connect (needs an email)
                accounts.add_account(
                    ctx.path, username, role, password, dept or None, display or None, email or None, actor
                )

            change(add_account, ctx.t("accounts.added", name=username.strip().lower()))


def edit_panel(
    ctx: Ctx,
    box: Any,
    found: list,
    departments: Mapping[str, str],
    change: Callable,
    role_name: Callable,
    dept_name: Callable,
) -> None:
    """One account chosen (?user): its role and department, its password, enabled or disabled."""
    with box, st.container(border=True):
        st.markdown("#### " + ctx.t("accounts.edit_title"))
        chosen = state.select(
            ctx.t("accounts.choose"), ["", *(a.username for a in found)], "user", "",
            lambda u: u or ctx.t("accounts.choose_hint"),
        )  # fmt: skip
        account = next((a for a in found if a.username == chosen), None)
        if account is not None:
            about = f"{view.role_text(account.role, ctx.lang)}" + (
                f" · {account.department}" if account.department else ""
            )
            st.caption(plain(f"{account.label} · {about} · {view.status_text(account, 0, ctx.lang)}"))
            rights, password, status = st.tabs(
                [ctx.t("accounts.tab_role"), ctx.t("accounts.tab_password"), ctx.t("accounts.tab_status")]
            )
            with rights, st.form("account_role", border=False):
                new_role = st.selectbox(
                    ctx.t("accounts.col_role"), accounts.ROLES, index=accounts.ROLES.index(account.role),
                    format_func=role_name, key="edit_role",
                )  # fmt: skip
                options = ["", *departments]
                new_dept = st.selectbox(
                    ctx.t("accounts.col_department"), options, format_func=dept_name, key="edit_department",
                    index=options.index(account.department) if account.department in options else 0,
                )  # fmt: skip
                st.caption(ctx.t("accounts.sessions_end"))
                if st.form_submit_button(ctx.t("accounts.role_button"), type="primary", key="role_submit"):

                    def set_role(actor: str) -> None:
                        if new_role != "admin":
                            view.not_yourself(
                                actor, account.username, "bỏ quyền quản trị của", "remove the admin right of"
                            )
                        accounts.set_role(ctx.path, account.username, new_role, new_dept or None, actor)

                    change(set_role, ctx.t("accounts.role_done", name=account.username, role=role_name(new_role)))
            with password, st.form("account_password", clear_on_submit=True, border=False):
                first = st.text_input(ctx.t("accounts.password"), type="password", key="reset_password")
                second = st.text_input(ctx.t("accounts.password_again"), type="password", key="reset_password_again")
                st.caption(ctx.t("accounts.sessions_end"))
                if st.form_submit_button(ctx.t("accounts.password_button"), type="primary", key="password_submit"):

                    def reset(actor: str) -> None:
                        view.same_passwords(first, second)
                        accounts.set_password(ctx.path, account.username, first, actor)

                    change(reset, ctx.t("accounts.password_done", name=account.username))
            with status:
                if account.disabled:
                    st.caption(ctx.t("accounts.enable_help"))
                    if st.button(ctx.t("accounts.enable_button"), type="primary", key="enable_submit"):
                        change(
                            lambda actor: accounts.enable_account(ctx.path, account.username, actor),
                            ctx.t("accounts.enabled", name=account.username),
                        )
                else:
                    st.caption(ctx.t("accounts.disable_help"))
                    if st.button(ctx.t("accounts.disable_button"), type="primary", key="disable_submit"):

                        def disable(actor: str) -> None:
                            view.not_yourself(actor, account.username, "vô hiệu hóa", "disable")
                            accounts.disable_account(ctx.path, account.username, actor)

                        change(disable, ctx.t("accounts.disabled_done", name=account.username))
