"""The command line of CONTRACT §4: init, submit, template, export.

Exit codes: 0 done (a submission accepted or unchanged), 1 rejected or failed
(broken catalogue, busy or damaged database, unreadable file), 2 usage error
(unknown department, missing file, bad arguments). Messages are in Vietnamese
with English; no input, however broken, ends in a Python traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

USAGE = 2
FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors in both languages (exit code 2)."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"Lỗi tham số / Bad arguments: {message}\n")


def _say(vi: str, en: str, stream=None) -> None:
    print(f"{vi}\n{en}", file=stream or sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    """The parser; --db is accepted before and after the subcommand."""
    parser = _Parser(prog="python -m loaders", description="Chỉ số tỉnh Bắc Ninh / Bắc Ninh indicator store")
    parser.add_argument("--db", dest="db_top", metavar="PATH", help="database file (default: $INDICATORS_DB or data/)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", dest="db", metavar="PATH", help=argparse.SUPPRESS)
        return sub

    init = command("init", "tạo cơ sở dữ liệu, nạp danh mục / create the database and load the catalogue")
    init.add_argument("--demo", action="store_true", help="nạp cả dữ liệu demo / also load the demo submissions")
    init.add_argument("--catalogue", type=Path, help="catalogue YAML (default: data/catalogue.yaml)")
    init.add_argument("--departments", type=Path, help="departments CSV (default: data/departments.csv)")
    init.add_argument("--localities", type=Path, help="localities CSV (default: data/localities.csv)")

    submit = command("submit", "nộp tệp số liệu / submit a department's file")
    submit.add_argument("file", type=Path, metavar="FILE")
    submit.add_argument("--department", required=True, metavar="CODE")
    submit.add_argument("--json", action="store_true", help="in một đối tượng JSON / print one JSON object")
    submit.add_argument("--by", dest="submitted_by", metavar="NAME", help="người nộp / who submits")
    submit.add_argument(
        "--user",
        metavar="USERNAME",
        help="nộp bằng tài khoản (mật khẩu: $INDICATORS_PASSWORD hoặc nhập) / submit as an account "
        "(password from $INDICATORS_PASSWORD or a prompt); the owner rule is then enforced",
    )

    change = command("catalogue", "thay danh mục (quản trị) / replace the catalogue (admins)")
    change.add_argument("file", type=Path, metavar="CATALOGUE.yaml")
    change.add_argument("--departments", type=Path, help="departments CSV (default: data/departments.csv)")
    change.add_argument("--localities", type=Path, help="localities CSV (default: data/localities.csv)")
    change.add_argument("--user", metavar="USERNAME", help="tài khoản quản trị / an admin account")

    template = command("template", "tạo mẫu .xlsx cho một sở / write a department's .xlsx template")
    template.add_argument("--department", required=True, metavar="CODE")
    template.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")

    from loaders.export import FORMATS, WHAT  # light: no database work at import

    export = command("export", "xuất dữ liệu / export data")
    export.add_argument("what", choices=WHAT)
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", type=Path, metavar="PATH")

    from auth import cli as auth_cli

    auth_cli.register(commands)  # accounts add|disable|enable|list|passwd, backup, restore
    return parser


# -- commands ------------------------------------------------------------------------------


def _init(args: argparse.Namespace) -> int:
    import db
    import settings
    from loaders.catalogue_store import load_catalogue_into

    path = settings.db_path(args.db)
    catalogue = load_catalogue_into(
        path,
        args.catalogue or settings.CATALOGUE_FILE,
        args.departments or settings.DEPARTMENTS_FILE,
        args.localities or settings.LOCALITIES_FILE,
    )
    n, d, loc = len(catalogue.indicators), len(catalogue.departments), len(catalogue.localities)
    _say(
        f"Đã nạp danh mục vào {path}: {n} chỉ số, {d} sở/ngành, {loc} xã/phường.",
        f"Catalogue loaded into {path}: {n} indicators, {d} departments, {loc} localities.",
    )
    if not args.demo:
        return 0
    from loaders import demo  # only here: numpy and the generator are not needed otherwise

    with db.write(path) as con:
        outcome = demo.load_demo(con, catalogue=catalogue, today=settings.today())
    _say("Đã nạp dữ liệu demo (DỮ LIỆU DEMO).", "Demo data loaded (DEMO DATA).")
    created = _demo_accounts(path, [d.code for d in catalogue.departments])
    if created:
        _say(
            f"Tài khoản demo (mật khẩu '{DEMO_PASSWORD}'): {', '.join(created)}",
            f"Demo accounts (password '{DEMO_PASSWORD}'): {', '.join(created)}",
        )
    if dataclasses.is_dataclass(outcome):
        for name, value in dataclasses.asdict(outcome).items():
            print(f"  {name}: {value}")
    elif outcome is not None:
        print(f"  {outcome}")
    return 0


def _error_table(errors: list) -> str:
    """Every problem as an aligned table: row, column, value, message (Vietnamese / English)."""
    head = ("Dòng/Row", "Cột/Column", "Giá trị/Value", "Lỗi/Message")

    def clip(text: str, width: int) -> str:
        text = text.replace("\n", " ").replace("\r", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [
        ("-" if e.row is None else str(e.row), clip(e.column or "-", 24), clip("" if e.value is None else e.value, 24))
        for e in errors
    ]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(head[3]))
    for (row, column, value), error in zip(cells, errors, strict=True):
        lines.append(f"{row.rjust(widths[0])}  {column.ljust(widths[1])}  {value.ljust(widths[2])}  {error.message}")
    return "\n".join(lines)


DEMO_PASSWORD = "demo-bacninh-2026"
PRINTED_PROBLEMS = 200  # on the terminal; --json gives every problem (CONTRACT §4)


def _demo_accounts(path: Path, departments: list[str]) -> list[str]:
    """Demo database only: a leader, an analyst, an admin and one submitter per department."""
    from auth.accounts import add_account, has_accounts

    if has_accounts(path):
        return []
    wanted = [("lanhdao", "leader", None), ("phantich", "analyst", None), ("quantri", "admin", None)]
    wanted += [(code.lower(), "submitter", code) for code in departments]
    for username, role, department in wanted:
        add_account(
            path, username, role, DEMO_PASSWORD, department=department, display_name=f"Demo {username}", actor="demo"
        )  # actor "demo": the login page marks them as demo accounts (auth.accounts.demo_accounts)
    return [username for username, _, _ in wanted]


def _login(args: argparse.Namespace):
    """The account named by --user, authenticated with $INDICATORS_PASSWORD or a prompt."""
    import getpass
    import os

    from auth.accounts import authenticate

    password = os.environ.get("INDICATORS_PASSWORD") or getpass.getpass("Mật khẩu / Password: ")
    return authenticate(args.db, args.user, password)


def _submit(args: argparse.Namespace) -> int:
    from loaders.errors import vi_count
    from loaders.ingest import submit_file

    account = _login(args) if args.user else None
    result = submit_file(args.file, args.department, db_path=args.db, submitted_by=args.submitted_by, account=account)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    elif result.status == "accepted":
        _say(
            f"Đã nhận tệp {args.file.name}: {result.rows} dòng ({result.new_rows} mới, {result.revised_rows} sửa đổi); "
            f"lần nộp số {result.submission_id}.",
            f"Accepted {args.file.name}: {result.rows} rows ({result.new_rows} new, {result.revised_rows} revised); "
            f"submission {result.submission_id}.",
        )
    elif result.status == "unchanged":
        _say(
            f"Không có gì thay đổi: tệp {args.file.name} ({result.rows} dòng) đã được nạp, hoặc mọi giá trị đều "
            "trùng số liệu hiện có.",
            f"Nothing changed: {args.file.name} ({result.rows} rows) was already loaded, or every value equals the "
            "current one.",
        )
    else:
        _say(
            f"Tệp {args.file.name} bị từ chối: {len(result.errors)} lỗi trong {result.rows} dòng; không có gì được "
            "ghi. Sửa các lỗi dưới đây rồi nộp lại.",
            f"{args.file.name} was rejected: {len(result.errors)} problems in {result.rows} rows; nothing was "
            "written. Fix the problems below and submit again.",
        )
        print()
        print(_error_table(result.errors[:PRINTED_PROBLEMS]))
        if len(result.errors) > PRINTED_PROBLEMS:
            more = len(result.errors) - PRINTED_PROBLEMS
            _say(
                f"… và {vi_count(more)} lỗi khác; dùng --json để xem tất cả.",
                f"… and {more:,} more; --json lists them all.",
            )
    return 0 if result.status in ("accepted", "unchanged") else FAILED


def _template(args: argparse.Namespace) -> int:
    from loaders.template import write_template

    rows = write_template(args.department, args.out, args.db)
    _say(
        f"Đã tạo mẫu {args.out} cho {args.department.upper()}: {rows} dòng cần điền.",
        f"Template {args.out} written for {args.department.upper()}: {rows} rows to fill.",
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from loaders.export import export

    count = export(args.what, args.format, args.out, args.db)
    if args.out is not None:
        _say(
            f"Đã xuất {count} bản ghi {args.what} ra {args.out}.",
            f"Exported {count} {args.what} records to {args.out}.",
        )
    return 0


def _catalogue(args: argparse.Namespace) -> int:
    """Replace the catalogue from a file: checked whole, refused whole, recorded either way."""
    import settings
    from loaders.catalogue_store import replace_catalogue

    account = _login(args) if args.user else None
    catalogue = replace_catalogue(
        args.db,
        args.file,
        account,
        args.departments or settings.DEPARTMENTS_FILE,
        args.localities or settings.LOCALITIES_FILE,
    )
    _say(
        f"Đã thay danh mục: {len(catalogue.indicators)} chỉ số.",
        f"Catalogue replaced: {len(catalogue.indicators)} indicators.",
    )
    return 0


HANDLERS = {"init": _init, "submit": _submit, "catalogue": _catalogue, "template": _template, "export": _export}


# -- the one place where every failure becomes a message ------------------------------------


def _report(args: argparse.Namespace | None, code: int, vi: str, en: str, details: list[str] | None = None) -> int:
    if args is not None and getattr(args, "json", False):
        error = {"row": None, "column": None, "value": None, "message": f"{vi} / {en}", "message_vi": vi}
        error["message_en"] = en
        out = {"status": "error", "rows": 0, "new_rows": 0, "revised_rows": 0, "submission_id": None}
        out["errors"] = [error] + [
            {"row": None, "column": None, "value": None, "message": d, "message_vi": d, "message_en": d}
            for d in details or []
        ]
        print(json.dumps(out, ensure_ascii=False))
    else:
        _say(f"Lỗi: {vi}", f"Error: {en}", sys.stderr)
        for line in details or []:
            print(f"  - {line}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = None
    try:
        args = build_parser().parse_args(argv)
        args.db = args.db or args.db_top
        from auth import cli as auth_cli

        if auth_cli.handles(args):
            return auth_cli.run(args)
        return HANDLERS[args.command](args)
    except SystemExit as exc:  # argparse: --help (0) or bad arguments (2)
        return exc.code if isinstance(exc.code, int) else USAGE
    except KeyboardInterrupt:
        return _report(args, 130, "Đã dừng theo yêu cầu.", "Interrupted.")
    except BrokenPipeError:
        return 0
    except BaseException as exc:  # noqa: BLE001 (the top: every failure, a Rust panic included, becomes a message)
        return _explain(args, exc)


def _explain(args: argparse.Namespace | None, exc: BaseException) -> int:
    from db import DatabaseError, explain
    from loaders.errors import UsageError
    from schema.catalogue import CatalogueError

    if isinstance(exc, UsageError):
        return _report(args, USAGE, exc.message_vi, exc.message_en)
    from auth.errors import AuthError

    if isinstance(exc, AuthError):
        return _report(args, USAGE, exc.message_vi, exc.message_en)
    if isinstance(exc, DatabaseError):
        return _report(args, FAILED, exc.message_vi, exc.message_en)
    if isinstance(exc, CatalogueError):
        return _report(
            args,
            FAILED,
            f"Danh mục có {len(exc.problems)} lỗi; cơ sở dữ liệu giữ nguyên danh mục cũ.",
            f"The catalogue has {len(exc.problems)} problems; the database keeps its previous catalogue.",
            [str(p) for p in exc.problems],
        )
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        reason = exc.strerror or str(exc)
        return _report(args, FAILED, f"Lỗi đọc/ghi tệp{where}: {reason}", f"File error{where}: {reason}")
    import duckdb

    if isinstance(exc, duckdb.Error):  # the same words the pages show (db.explain), never DuckDB's own text
        explained = explain(exc, getattr(args, "db", None))
        return _report(args, FAILED, explained.message_vi, explained.message_en)
    return _report(
        args,
        FAILED,
        f"Lỗi không mong đợi ({type(exc).__name__}): {exc}",
        f"Unexpected error ({type(exc).__name__}): {exc}",
    )
