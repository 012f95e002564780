"""Command-line group for accounts, backup and restore; plugs into any argparse CLI.

    accounts add USERNAME --role R [--department D] [--display-name N] [--email E] [--no-password]
    accounts disable USERNAME | accounts enable USERNAME | accounts passwd USERNAME
    accounts role USERNAME --role R [--department D]
    accounts list [--json]
    backup --out DIR
    restore DIR [--force]

Passwords come from $INDICATORS_PASSWORD or are typed twice at a prompt: never as an argument, where they
would land in the shell history and the process list. Exit codes: 0 done; 1 failed (database busy or
missing, import failed); 2 refused as given (bad arguments, unknown account or department, weak password,
existing target without --force). Messages in Vietnamese and English, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import settings
from auth import accounts
from auth.errors import AccountError, AuthError, PasswordPolicyError
from db import DatabaseError
from db.backup import BackupRefused, backup, restore
from db.connection import missing

PASSWORD_ENV = "INDICATORS_PASSWORD"
_HANDLER = "_auth_handler"


class _Usage(AuthError):
    """The command cannot run as given."""


def _say(message_vi: str, message_en: str, stream=None) -> None:
    print(message_vi, file=stream or sys.stdout)
    print(message_en, file=stream or sys.stdout)


def actor() -> str:
    """The command line's user as the audit log names it: ``cli:NAME``, or ``cli`` without a login name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"


def _read_password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise _Usage(
            f"Không có mật khẩu: đặt biến môi trường {PASSWORD_ENV} hoặc chạy lệnh trong cửa sổ dòng lệnh.",
            f"No password: set the environment variable {PASSWORD_ENV} or run the command in a terminal.",
        )
    first = getpass.getpass("Mật khẩu / Password: ")
    second = getpass.getpass("Nhập lại mật khẩu / Repeat the password: ")
    if first != second:
        raise _Usage("Hai lần nhập mật khẩu không khớp.", "The two passwords differ.")
    return first


def _require_database(path: Path) -> None:
    # Account commands never create a database: a mistyped --db would otherwise leave a stray file.
    if not path.exists():
        raise missing(path)


def _describe(account: accounts.Account) -> str:
    return f"{account.role}" + (f", {account.department}" if account.department else "")


def _cmd_add(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    if args.no_password and not args.email:
        raise _Usage("--no-password cần --email.", "--no-password needs --email.")
    password = None if args.no_password else _read_password()
    account = accounts.add_account(
        path,
        args.username,
        args.role,
        password,
        department=args.department,
        display_name=args.display_name,
        email=args.email,
        actor=actor(),
    )
    _say(
        f"Đã tạo tài khoản '{account.username}' ({_describe(account)}).",
        f"Account '{account.username}' created ({_describe(account)}).",
    )
    return 0


def _cmd_disable(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    account = accounts.disable_account(path, args.username, actor=actor())
    _say(f"Đã vô hiệu hóa tài khoản '{account.username}'.", f"Account '{account.username}' disabled.")
    return 0


def _cmd_enable(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    account = accounts.enable_account(path, args.username, actor=actor())
    _say(f"Đã kích hoạt lại tài khoản '{account.username}'.", f"Account '{account.username}' enabled.")
    return 0


def _cmd_passwd(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    if accounts.get_account(path, args.username) is None:
        name = accounts.normalise_username(args.username)
        raise AccountError(f"Không có tài khoản '{name}'.", f"No account '{name}'.")
    account = accounts.set_password(path, args.username, _read_password(), actor=actor())
    _say(f"Đã đặt mật khẩu mới cho '{account.username}'.", f"New password set for '{account.username}'.")
    return 0


def _status(account: accounts.Account) -> str:
    return "disabled" if account.disabled else "active"


def _cmd_role(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    account = accounts.set_role(path, args.username, args.role, department=args.department, actor=actor())
    _say(
        f"Tài khoản '{account.username}' nay có vai trò {_describe(account)}; mọi phiên đăng nhập của nó đã kết thúc.",
        f"The account '{account.username}' is now {_describe(account)}; every login session it had has ended.",
    )
    return 0


def _cmd_list(args: argparse.Namespace, path: Path) -> int:
    _require_database(path)
    found = accounts.list_accounts(path)
    rows = [
        {
            "username": a.username,
            "role": a.role,
            "department": a.department or "",
            "status": _status(a),
            "email": a.email or "",
            "display_name": a.display_name or "",
        }
        for a in found
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        _say("Chưa có tài khoản nào.", "No accounts yet.")
        return 0
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in columns).rstrip())
    return 0


def _cmd_backup(args: argparse.Namespace, path: Path) -> int:
    result = backup(path, args.out)
    tables = result.summary["tables"]
    _say(
        f"Đã sao lưu {path} vào {result.directory} ({len(tables)} bảng, "
        f"{tables.get('observations', {}).get('rows', 0)} giá trị hiện hành).",
        f"Backed up {path} to {result.directory} ({len(tables)} tables, "
        f"{tables.get('observations', {}).get('rows', 0)} current values).",
    )
    return 0


def _cmd_restore(args: argparse.Namespace, path: Path) -> int:
    result = restore(args.directory, path, force=args.force, actor=actor())
    _say(
        f"Đã khôi phục {result.target} từ {Path(args.directory).resolve()}.",
        f"Restored {result.target} from {Path(args.directory).resolve()}.",
    )
    if result.kept is not None:
        _say(f"Bản cũ được giữ tại {result.kept}.", f"The previous file is kept at {result.kept}.")
    return 0


def _leaf(parent: argparse._SubParsersAction, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    sub = parent.add_parser(name, **kwargs)
    # --db also after the command, as in loaders/cli.py; its own dest so the top-level value is not overwritten.
    sub.add_argument("--db", dest="db", metavar="PATH", default=None, help=argparse.SUPPRESS)
    return sub


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the 'accounts', 'backup' and 'restore' commands to an argparse subparsers group."""
    acc = subparsers.add_parser("accounts", help="manage local accounts / quản lý tài khoản")
    acc_sub = acc.add_subparsers(
        dest="accounts_command", required=True, metavar="{add,disable,enable,list,passwd,role}"
    )

    add = _leaf(
        acc_sub,
        "add",
        help="add an account / thêm tài khoản",
        description=f"The password is read from ${PASSWORD_ENV} or prompted twice; never give it as an argument.",
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--department", help="department code (required for --role submitter)")
    add.add_argument("--display-name", dest="display_name")
    add.add_argument("--email", help="matched against the OpenID Connect identity")
    add.add_argument("--no-password", action="store_true", help="OpenID Connect login only (needs --email)")
    add.set_defaults(**{_HANDLER: _cmd_add})

    for name, handler, text in (
        ("disable", _cmd_disable, "disable an account / vô hiệu hóa tài khoản"),
        ("enable", _cmd_enable, "enable an account again and lift a lockout / kích hoạt lại tài khoản"),
        ("passwd", _cmd_passwd, f"set a new password (from ${PASSWORD_ENV} or prompt) / đặt mật khẩu mới"),
    ):
        sub = _leaf(acc_sub, name, help=text)
        sub.add_argument("username")
        sub.set_defaults(**{_HANDLER: handler})

    role = _leaf(acc_sub, "role", help="change an account's role or department / đổi vai trò, sở ngành")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=accounts.ROLES)
    role.add_argument("--department", help="department code (required for --role submitter)")
    role.set_defaults(**{_HANDLER: _cmd_role})

    listing = _leaf(acc_sub, "list", help="list accounts / liệt kê tài khoản")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(**{_HANDLER: _cmd_list})

    back = _leaf(subparsers, "backup", help="export the database to a new directory / sao lưu")
    back.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    back.set_defaults(**{_HANDLER: _cmd_backup})

    rest = _leaf(subparsers, "restore", help="replace the database with a backup / khôi phục")
    rest.add_argument("directory", metavar="DIR")
    rest.add_argument("--force", action="store_true", help="replace an existing database (the old file is kept)")
    rest.set_defaults(**{_HANDLER: _cmd_restore})


def handles(args: argparse.Namespace) -> bool:
    """True when ``args`` came from one of the commands added by ``register``."""
    return callable(getattr(args, _HANDLER, None))


def run(args: argparse.Namespace) -> int:
    """Run a command added by ``register``; the database is ``args.db``, ``args.db_top`` or settings.db_path()."""
    handler: Callable[[argparse.Namespace, Path], int] | None = getattr(args, _HANDLER, None)
    if handler is None:
        _say("Lệnh không hợp lệ.", "Unknown command.", sys.stderr)
        return 2
    path = settings.db_path(getattr(args, "db", None) or getattr(args, "db_top", None))
    try:
        return handler(args, path)
    except (_Usage, AccountError, PasswordPolicyError, BackupRefused) as exc:
        _say(exc.message_vi, exc.message_en, sys.stderr)
        return 2
    except (AuthError, DatabaseError) as exc:
        _say(exc.message_vi, exc.message_en, sys.stderr)
        return 1
    except OSError as exc:
        _say(f"Lỗi tệp: {exc}", f"File error: {exc}", sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        _say("Đã hủy.", "Cancelled.", sys.stderr)
        return 1
