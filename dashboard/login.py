"""The login gate: OpenID Connect through ``st.login`` when configured, local accounts otherwise.

* When ``.streamlit/secrets.toml`` has an ``[auth]`` section, visitors log in with the identity provider and
  ``st.user.email`` is mapped to a local account (which carries the role). An identity without an account
  gets an explanation and no access. Local passwords are not used in that mode.
* Otherwise a local form checks the username and password (``auth.authenticate``: lockout, audit) and keeps
  the account in ``st.session_state['account']``; a login session (``auth.sessions``: a random token in a
  cookie, its hash in the database, 12 hours) lets a reload or a link opened in a new tab keep the user.
* Whether reading needs a login: ``$INDICATORS_REQUIRE_LOGIN``, else ``[app] require_login`` in the secrets,
  else yes. Without it, anonymous visitors read like a leader: no export, no submission; the sidebar offers
  a login for those who need more.
* A session's account is re-read from the database whenever the file has changed since the last look (and at
  least every minute): a password change, a role change or a disable ends the login session in the database
  (auth/sessions.py), and every open tab of it, a copied cookie's included, is logged out at its next rerun.
* Failed logins are throttled by client and by name (auth/throttle.py); the client is the connection's address,
  or with ``$INDICATORS_TRUSTED_PROXY`` set, the address the proxy in front forwards (X-Forwarded-For).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError

import db
import settings
from auth import accounts, roles, sessions
from auth.accounts import ANONYMOUS, Account
from auth.errors import AccountDisabled, AccountError, AuthError
from dashboard.bootstrap import show_database_problem
from dashboard.i18n import t
from dashboard.markdown import plain

SESSION_KEY = "account"
_CHECKED_KEY = "account_checked_at"
_IDENTITY_KEY = "account_identity"  # the OpenID Connect email the session's account was mapped from
_IDENTITY_ERROR_KEY = "account_identity_error"
_DB_ERROR_KEY = "account_db_error"
_TOKEN_KEY = "session_token"  # this tab's login session token
_COOKIE_KEY = "session_cookie"  # a cookie change for the browser: the token to keep, or "" to clear it
_VERSION_KEY = "account_checked_version"  # the database file's version when the account was last read
_RECHECK_SECONDS = 60.0
REQUIRE_LOGIN_ENV = "INDICATORS_REQUIRE_LOGIN"
TRUSTED_PROXY_ENV = "INDICATORS_TRUSTED_PROXY"


def _t(key: str, lang: str, **fmt: Any) -> str:
    return t(key, lang, **fmt)


# ---------------------------------------------------------------- settings


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    try:
        if name in st.secrets:
            section = st.secrets[name]
            return section if isinstance(section, Mapping) else None
    except FileNotFoundError:  # no secrets.toml (Streamlit's own error subclasses FileNotFoundError)
        return None
    return None


def parse_bool(value: Any) -> bool | None:
    """True/False from a TOML boolean or the usual words; None when unreadable."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    return None


def login_required() -> bool:
    """Whether reading needs a login: $INDICATORS_REQUIRE_LOGIN, else [app] require_login, else True.

    An unreadable value counts as True: a typo never opens the dashboard to everyone.
    """
    env = os.environ.get(REQUIRE_LOGIN_ENV, "").strip()
    if env:
        return parse_bool(env) is not False
    app = _secrets_section("app")
    if app is not None and "require_login" in app:
        return parse_bool(app["require_login"]) is not False
    return True


def client_address() -> str | None:
    """The client's address for throttling: the connection's peer (None on the server itself), or behind a proxy
    named as trusted by $INDICATORS_TRUSTED_PROXY, the last address of X-Forwarded-For (the one the proxy added)."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else None  # None as well outside a browser session (AppTest)
    if parse_bool(os.environ.get(TRUSTED_PROXY_ENV, "")) is not True:
        return peer
    try:
        forwarded = [line for line in st.context.headers.get_all("X-Forwarded-For") if isinstance(line, str)]
    except (AttributeError, KeyError, RuntimeError, TypeError):
        forwarded = []
    hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
    return hops[-1] if hops else peer


def oidc_configured() -> bool:
    """True when the secrets hold an [auth] section: log in through the identity provider."""
    return bool(_secrets_section("auth"))


# ---------------------------------------------------------------- the session's account


def _forget() -> None:
    for key in (SESSION_KEY, _CHECKED_KEY, _VERSION_KEY, _IDENTITY_KEY, _IDENTITY_ERROR_KEY, _TOKEN_KEY):
        st.session_state.pop(key, None)


def _cookie_script() -> None:
    """Hand the browser a pending cookie change (set after a login, cleared after a logout)."""
    token = st.session_state.pop(_COOKIE_KEY, None)
    if token is None:
        return
    age = int(sessions.LIFETIME.total_seconds()) if token else 0
    secure = "(location.protocol === 'https:' ? '; Secure' : '')"
    st.sidebar.html(  # the sidebar: an empty element at the top of the page would push it down
        f"<script>document.cookie = '{sessions.COOKIE}={token}; path=/; max-age={age}; SameSite=Strict' + {secure};"
        "</script>",
        unsafe_allow_javascript=True,
    )


def _resumed() -> Account | None:
    """The account of the login session named by the browser's cookie (a reload, a new tab), if still live."""
    token = st.context.cookies.get(sessions.COOKIE)
    if not isinstance(token, str) or not token or st.session_state.get("session_resume_tried") == token:
        return None
    st.session_state["session_resume_tried"] = token  # one database read per tab, not one per rerun
    try:
        account = sessions.resume(settings.db_path(), token)
    except db.DatabaseError:
        return None
    if account is not None:
        _remember(account)
        st.session_state[_TOKEN_KEY] = token
    return account


def _remember(account: Account, identity: str | None = None) -> None:
    st.session_state[SESSION_KEY] = account
    st.session_state[_CHECKED_KEY] = time.monotonic()
    st.session_state[_VERSION_KEY] = db.data_version(settings.db_path())
    if identity is not None:
        st.session_state[_IDENTITY_KEY] = identity


def _ended() -> None:
    _forget()
    st.session_state[_COOKIE_KEY] = ""  # the browser's cookie names a session that no longer exists
    st.session_state["account_ended"] = True


def _refreshed(account: Account) -> Account | None:
    """The session's account as the database has it now, or None when its login session has ended.

    Read again whenever the database file changed since the last read (every change to an account is a write)
    and at least once a minute; between two writes nothing about the account can have changed.
    """
    version = db.data_version(settings.db_path())
    checked = st.session_state.get(_CHECKED_KEY, 0.0)
    if st.session_state.get(_VERSION_KEY) == version and time.monotonic() - checked < _RECHECK_SECONDS:
        return account
    token = st.session_state.get(_TOKEN_KEY)
    try:
        if token:  # a login session: it ends with a password, role or department change, or a disable
            fresh = sessions.resume(settings.db_path(), token)
        else:  # OpenID Connect, or a login made while the database was busy: the account itself
            fresh = accounts.get_account(settings.db_path(), account.username)
    except db.DatabaseError:
        return account  # busy for now: keep the session, check again at the next rerun
    if fresh is None or fresh.disabled:
        _ended()
        return None
    _remember(fresh)
    return fresh


def _user_info() -> Mapping[str, Any]:
    try:
        return st.user.to_dict()
    except (AttributeError, StreamlitAuthError):
        return {}


def _oidc_account() -> Account | None:
    user = _user_info()
    if not user.get("is_logged_in"):
        _forget()
        return None
    email = accounts.normalise_email(user.get("email"))
    if user.get("email_verified") is False:
        st.session_state[_IDENTITY_ERROR_KEY] = ("unverified", email or "")
        return None
    cached = st.session_state.get(SESSION_KEY)
    if isinstance(cached, Account) and st.session_state.get(_IDENTITY_KEY) == email:
        return _refreshed(cached)
    failed = st.session_state.get(_IDENTITY_ERROR_KEY)
    if isinstance(failed, tuple) and failed[1] == email:
        return None  # already refused (and audited) in this session
    try:
        account = accounts.login_with_identity(settings.db_path(), email)
    except (AccountError, AccountDisabled) as exc:
        st.session_state[_IDENTITY_ERROR_KEY] = (exc, email or "")
        return None
    except db.DatabaseError as exc:  # busy: not cached, the next rerun tries again
        st.session_state[_DB_ERROR_KEY] = exc
        return None
    _remember(account, email)
    return account


def current_account(lang: str = "vi") -> Account | None:
    """The logged-in account of this session, or None; shows nothing."""
    if oidc_configured():
        return _oidc_account()
    cached = st.session_state.get(SESSION_KEY)
    return _refreshed(cached) if isinstance(cached, Account) else _resumed()


# ---------------------------------------------------------------- widgets


def _local_form(lang: str) -> None:
    with st.form("login_form", clear_on_submit=True):
        username = st.text_input(_t("login.username", lang), key="login_username", autocomplete="username")
        password = st.text_input(
            _t("login.password", lang), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(_t("login.submit", lang), type="primary", key="login_submit")
    if not submitted:
        return
    if not username.strip() or not password:
        st.warning(_t("login.missing", lang))
        return
    try:
        account = accounts.authenticate(settings.db_path(), username, password, client=client_address())
    except AuthError as exc:
        st.error(plain(exc.message(lang)))
        return
    except db.DatabaseError as exc:
        st.error(_db_message(exc, lang))
        return
    _forget()
    _remember(account)
    try:
        token = sessions.open_session(settings.db_path(), account)
    except db.DatabaseError:
        token = None  # busy: logged in for this tab only
    if token:
        st.session_state[_TOKEN_KEY] = st.session_state[_COOKIE_KEY] = token
    st.rerun()


def _oidc_button(lang: str, container: Any = st) -> None:
    if container.button(_t("login.oidc_button", lang), type="primary", key="oidc_login_button"):
        try:
            st.login()
        except StreamlitAuthError as exc:  # Authlib missing or [auth] incomplete
            st.error(_t("login.oidc_misconfigured", lang, detail=str(exc).strip()))


def _identity_problem(lang: str, container: Any = st) -> bool:
    """Explain why a logged-in identity has no access; True when something was shown."""
    failed = st.session_state.get(_IDENTITY_ERROR_KEY)
    if not isinstance(failed, tuple):
        return False
    reason, email = failed
    if isinstance(reason, AuthError):
        container.error(reason.message(lang))
    else:
        container.error(_t("login.unverified", lang, email=email))
    if container.button(_t("login.other_identity", lang), key="oidc_other_identity"):
        _logout(None)
    return True


def _db_message(exc: db.DatabaseError, lang: str) -> str:
    return exc.message_en if lang == "en" else exc.message_vi


def _login_screen(lang: str) -> None:
    st.title(_t("login.title", lang))
    if st.session_state.pop("account_ended", False):
        st.warning(_t("login.session_ended", lang))
    problem = st.session_state.pop(_DB_ERROR_KEY, None)
    if isinstance(problem, db.DatabaseError):
        st.error(_db_message(problem, lang))
    if oidc_configured():
        if not _identity_problem(lang):
            st.write(_t("login.oidc_intro", lang))
            _oidc_button(lang)
        return
    st.write(_t("login.intro", lang))
    if _accounts_notes(lang):
        _local_form(lang)


def _accounts_notes(lang: str) -> bool:
    """How to create the first account, or which accounts are the demo's; False when the database cannot be read."""
    try:
        empty = not accounts.has_accounts(settings.db_path())
        demo = [] if empty else accounts.demo_accounts(settings.db_path())
    except db.DatabaseBusy:
        return True  # busy for now: the form says so if it is still busy when used
    except db.DatabaseError as exc:  # missing or damaged: nobody can log in, say why instead of offering a form
        show_database_problem(exc, lang)
        return False
    if empty:
        st.info(_t("login.no_accounts", lang))
    elif demo:
        st.info(_demo_note(demo, lang), icon=":material/science:")
    return True


def _demo_note(demo: list[Account], lang: str) -> str:
    """The demo accounts, named and marked as such (the others of a submitter kind summed up)."""
    named = [a for a in demo if a.role != "submitter"]
    submitters = [a.username for a in demo if a.role == "submitter"]
    people = ", ".join(f"{plain(a.username)} ({_t(f'role.{a.role}', lang)})" for a in named)
    return _t(
        "login.demo_accounts",
        lang,
        people=people or "—",
        n=len(submitters),
        examples=plain(", ".join(submitters[:3]) + (", …" if len(submitters) > 3 else "")),
    )


def _logout(account: Account | None) -> None:
    if account is not None:
        # A busy database must not keep anyone logged in: the logout happens even if its audit row cannot.
        with contextlib.suppress(db.DatabaseError):
            accounts.record_logout(settings.db_path(), account)
        with contextlib.suppress(db.DatabaseError):
            sessions.close_session(settings.db_path(), st.session_state.get(_TOKEN_KEY))
    _forget()
    st.session_state[_COOKIE_KEY] = ""
    if oidc_configured():
        st.logout()
    else:
        st.rerun()


def _sidebar_user(account: Account, lang: str) -> None:
    role = _t(f"role.{account.role}", lang)
    if account.department:
        role += f" · {account.department}"
    st.sidebar.caption(_t("login.signed_in_as", lang, name=plain(account.label), role=plain(role)))
    if st.sidebar.button(_t("login.logout", lang), key="logout_button"):
        _logout(account)


def _sidebar_guest(lang: str) -> None:
    st.sidebar.caption(_t("login.anonymous", lang))
    problem = st.session_state.pop(_DB_ERROR_KEY, None)
    if isinstance(problem, db.DatabaseError):
        st.sidebar.error(_db_message(problem, lang))
    if oidc_configured():
        if not _identity_problem(lang, st.sidebar):
            _oidc_button(lang, st.sidebar)
        return
    with st.sidebar.popover(_t("login.title", lang), key="login_popover"):
        _local_form(lang)


# ---------------------------------------------------------------- the gate


def require_login(lang: str = "vi") -> Account:
    """Gate the app: the session's account, or ANONYMOUS when reading needs no login; else the login screen.

    Call once in app.py before ``st.navigation(...).run()``. Shows who is logged in and a logout button in the
    sidebar. When a login is needed and nobody is logged in, renders the login screen and stops the run.
    """
    _cookie_script()
    account = current_account(lang)
    if account is not None:
        _sidebar_user(account, lang)
        return account
    if not login_required():
        _sidebar_guest(lang)
        return ANONYMOUS
    _, middle, _ = st.columns([1, 3, 1])  # a form of a readable width on a wide screen
    with middle:
        _login_screen(lang)
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover - st.stop raises


def require_role(account: Account | None, action: str, lang: str = "vi") -> None:
    """Stop the page with a bilingual st.error unless ``account`` may do ``action`` (read/export/submit/admin)."""
    if roles.can(account, action):
        return
    st.error(roles.denied(account, action).message(lang))
    st.stop()


def session_account(lang: str = "vi") -> Account | None:
    """For pages: the account the gate let in; ANONYMOUS when reading needs no login; None otherwise."""
    account = current_account(lang)
    if account is None and not login_required():
        return ANONYMOUS
    return account
