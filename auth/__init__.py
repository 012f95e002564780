"""Trust: local accounts, roles, the owner rule at the point of writing, and the audit log.

Import direction: dashboard/login.py and loaders → auth → db. Nothing here imports Streamlit.
"""

from auth.accounts import (
    ANONYMOUS,
    ROLES,
    Account,
    account_for_email,
    add_account,
    authenticate,
    disable_account,
    enable_account,
    get_account,
    list_accounts,
    login_with_identity,
    set_password,
    set_role,
)
from auth.errors import (
    AccountDisabled,
    AccountError,
    AuthError,
    LoginFailed,
    LoginThrottled,
    PasswordPolicyError,
    PermissionDenied,
)
from auth.roles import authorize_submission, can, check_can, check_can_submit

__all__ = [
    "ANONYMOUS",
    "ROLES",
    "Account",
    "AccountDisabled",
    "AccountError",
    "AuthError",
    "LoginFailed",
    "LoginThrottled",
    "PasswordPolicyError",
    "PermissionDenied",
    "account_for_email",
    "add_account",
    "authenticate",
    "authorize_submission",
    "can",
    "check_can",
    "check_can_submit",
    "disable_account",
    "enable_account",
    "get_account",
    "list_accounts",
    "set_role",
    "login_with_identity",
    "set_password",
]
