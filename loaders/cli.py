"""The command line of CONTRACT §4: init, submit, template, export.

Exit codes: 0 done (a submission accepted or unchanged), 1 rejected or failed
(broken catalogue, busy, missing or damaged database, unreadable file, a
write error), 2 usage error (unknown department, missing file, bad
arguments, no password). Messages are in Vietnamese with English; no input,
however broken, ends in a Python traceback or a library's own error text.

``submit --json`` prints one JSON object whatever happens, with a ``status``
of the contract's three only: a failure before the file could be judged
(bad arguments, busy or damaged database, unreadable file) is ``rejected``
with one error naming it (``row``, ``column`` and ``value`` null) and a
``failure`` field saying which kind (``usage``, ``busy``, ``database``,
``file``, ``stale``, ``catalogue``, ``interrupted``, ``unexpected``); a
judged file has ``failure`` null. The exit code tells usage (2) from the
rest (1).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from pathlib import Path

USAGE = 2
FAILED = 1


class _BadArguments(Exception):
    """argparse's usage error, raised instead of exiting so that --json still prints its object."""

    def __init__(self, usage: str, message: str) -> None:
        super().__init__(message)
        self.usage = usage
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors in both languages (exit code 2)."""

    def error(self, message: str) -> None:
        raise _BadArguments(self.format_usage(), message)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(text: str) -> str:
    """Text for the terminal: control characters (ESC sequences from a file name or a cell) shown, not run."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _say(vi: str, en: str, stream=None) -> None:
    print(f"{_plain(vi)}\n{_plain(en)}", file=stream or sys.stdout)


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
    submit.add_argument(
        "--check",
        action="store_true",
        help="chỉ kiểm tra, không ghi gì / check and report as submit would, write nothing",
    )
    submit.add_argument(
        "--reason", metavar="TEXT", help="lý do sửa số liệu đã công bố / why the file revises published values"
    )
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
    template.add_argument(
        "--period",
        action="append",
        default=[],
        metavar="PERIOD",
        help="kỳ cần lập mẫu, một kỳ cho mỗi tần suất (mặc định: kỳ đến hạn chưa nộp) / the period to list, one per "
        "frequency (default: each indicator's next period due and not yet reported)",
    )

    from loaders.export import FORMATS, WHAT  # light: no database work at import

    export = command("export", "xuất dữ liệu / export data")
    export.add_argument("what", choices=WHAT)
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", type=Path, metavar="PATH")

    report = command(
        "report", "viết báo cáo (DOCX, PDF) hoặc bộ trình chiếu (PPTX) / write the report pack (DOCX, PDF, PPTX)"
    )
    report.add_argument(
        "--period", metavar="PERIOD", help="kỳ báo cáo: 2026-10, 2026-Q3, 2026-H1, 2026 (mặc định: tháng này)"
    )
    scope = report.add_mutually_exclusive_group()
    scope.add_argument("--group", metavar="G", help="nhóm / group: input process output outcome composite")
    scope.add_argument("--department", metavar="CODE", help="sở, ngành chủ trì / owner department")
    report.add_argument("--format", required=True, choices=("docx", "pdf", "pptx"))
    report.add_argument("--out", required=True, type=Path, metavar="FILE")
    report.add_argument("--lang", choices=("vi", "en"), default="vi", help="ngôn ngữ / language (default vi)")
    report.add_argument(
        "--charts", type=int, default=None, metavar="N",
        help="số biểu đồ tối đa (mặc định 8) / at most N charts (default 8)",
    )  # fmt: skip

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
    from loaders.errors import en_count, vi_count

    n, d, loc = len(catalogue.indicators), len(catalogue.departments), len(catalogue.localities)
    _say(
        f"Đã nạp danh mục vào {path}: {vi_count(n)} chỉ số, {vi_count(d)} sở/ngành, {vi_count(loc)} xã/phường.",
        f"Catalogue loaded into {path}: {en_count(n, 'indicator')}, {en_count(d, 'department')}, "
        f"{en_count(loc, 'locality', 'localities')}.",
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
        text = _plain(text.replace("\n", " ").replace("\r", " "))
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [
        ("-" if e.row is None else str(e.row), clip(e.column or "-", 24), clip("" if e.value is None else e.value, 24))
        for e in errors
    ]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(head[3]))
    for (row, column, value), error in zip(cells, errors, strict=True):
        message = _plain(error.message)
        lines.append(f"{row.rjust(widths[0])}  {column.ljust(widths[1])}  {value.ljust(widths[2])}  {message}")
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
    """The account named by --user, authenticated with $INDICATORS_PASSWORD or a prompt at a terminal."""
    import getpass
    import os

    from auth.accounts import authenticate
    from loaders.errors import UsageError

    no_password = UsageError(
        "Không có mật khẩu cho --user: đặt biến môi trường INDICATORS_PASSWORD, hoặc chạy lệnh trong cửa sổ dòng "
        "lệnh để nhập mật khẩu.",
        "No password for --user: set the environment variable INDICATORS_PASSWORD, or run the command in a "
        "terminal to type it.",
    )
    password = os.environ.get("INDICATORS_PASSWORD")
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise no_password
        try:
            password = getpass.getpass("Mật khẩu / Password: ")
        except EOFError:
            raise no_password from None
    return authenticate(args.db, args.user, password)


def _submit(args: argparse.Namespace) -> int:
    from loaders.ingest import preview_file, submit_file

    account = _login(args) if args.user else None
    # who submitted: the account (--user), the name given (--by), else the server's user (``cli:NAME``), never None
    by = args.submitted_by or (None if account else _server_user())
    where = {"db_path": args.db, "submitted_by": by, "account": account}
    if args.check:  # the same check, nothing written (not even a submission record)
        result = preview_file(args.file, args.department, **where).result()
    else:
        result = submit_file(args.file, args.department, reason=args.reason, **where)
    if args.json:
        print(json.dumps({**result.to_dict(), "check": args.check, "failure": None}, ensure_ascii=False))
    else:
        _print_result(args, result)
    return 0 if result.status in ("accepted", "unchanged") else FAILED


def _server_user() -> str:
    """The command line's user as the audit log names it: ``cli:NAME`` (``/audit`` reads it as such)."""
    from auth import cli as auth_cli

    return auth_cli.actor()


def _print_result(args: argparse.Namespace, result) -> None:
    """The submission's (or the check's) report for a person at a terminal."""
    from loaders.errors import en_count, vi_count

    name, rows, new, revised = args.file.name, result.rows, result.new_rows, result.revised_rows
    if result.status == "accepted" and args.check:
        _say(
            f"Kiểm tra tệp {name}: hợp lệ, {vi_count(rows)} dòng ({vi_count(new)} mới, {vi_count(revised)} sửa "
            "đổi). Chưa ghi gì: chạy lại không có --check để nộp.",
            f"Checked {name}: valid, {en_count(rows, 'row')} ({new:,} new, {revised:,} revised). Nothing written: run again "
            "without --check to submit.",
        )
    elif result.status == "accepted":
        _say(
            f"Đã nhận tệp {name}: {vi_count(rows)} dòng ({vi_count(new)} mới, {vi_count(revised)} sửa đổi); "
            f"lần nộp số {result.submission_id}.",
            f"Accepted {name}: {en_count(rows, 'row')} ({new:,} new, {revised:,} revised); "
            f"submission {result.submission_id}.",
        )
    elif result.status == "unchanged":
        _say(
            f"Không có gì thay đổi: tệp {name} ({vi_count(rows)} dòng) đã được nạp, hoặc mọi giá trị đều trùng số "
            "liệu hiện có.",
            f"Nothing changed: {name} ({en_count(rows, 'row')}) was already loaded, or every value equals the current "
            "one.",
        )
    else:
        problems = len(result.errors)
        _say(
            f"Tệp {name} {'sẽ ' if args.check else ''}bị từ chối: {vi_count(problems)} lỗi trong {vi_count(rows)} "
            "dòng; không có gì được ghi. Sửa các lỗi dưới đây rồi nộp lại.",
            f"{name} {'would be' if args.check else 'was'} rejected: {en_count(problems, 'problem')} in "
            f"{en_count(rows, 'row')}; nothing was written. Fix the problems below and submit again.",
        )
        print()
        print(_error_table(result.errors[:PRINTED_PROBLEMS]))
        if problems > PRINTED_PROBLEMS:
            more = problems - PRINTED_PROBLEMS
            _say(
                f"… và {vi_count(more)} lỗi khác; dùng --json để xem tất cả.",
                f"… and {more:,} more; --json lists them all.",
            )
    if result.revised_values is not None and result.revised_values.height:
        count = result.revised_values.height
        print()
        if args.check:
            _say(f"Giá trị đã công bố sẽ được sửa ({vi_count(count)}):", f"Published values to be revised ({count:,}):")
        else:
            _say(f"Giá trị đã công bố đã được sửa ({vi_count(count)}):", f"Published values revised ({count:,}):")
        print(_revision_table(result.revised_values.head(PRINTED_PROBLEMS).iter_rows()))
        if count > PRINTED_PROBLEMS:
            more = count - PRINTED_PROBLEMS
            _say(
                f"… và {vi_count(more)} giá trị khác; dùng --json để xem tất cả.",
                f"… and {more:,} more; --json lists them all.",
            )


def _revision_table(revisions) -> str:
    """Revised values as an aligned table: indicator, period, locality, old value, new value (Vietnamese numbers)."""
    from loaders.errors import vi_number

    head = ("Chỉ số/Indicator", "Kỳ/Period", "Địa bàn/Locality", "Cũ/Old", "Mới/New")
    cells = [
        (_plain(code), _plain(period), _plain(locality) or "Toàn tỉnh/Province", vi_number(old), vi_number(new))
        for code, period, locality, old, new in revisions
    ]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(5)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        left = [c.ljust(w) for c, w in zip(row[:3], widths, strict=False)]
        lines.append("  ".join([*left, row[3].rjust(widths[3]), row[4].rjust(widths[4])]))
    return "\n".join(lines)


def _template(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    import settings
    from loaders.errors import UsageError, en_count, os_reason, vi_count
    from loaders.template import build, parse_periods, write_workbook
    from rules.calendar import label

    out: Path = args.out
    if out.is_dir():
        raise UsageError(
            f"{out} là một thư mục; hãy đặt tên tệp mẫu, ví dụ {out / 'mau.xlsx'}.",
            f"{out} is a folder; name the template file, e.g. {out / 'template.xlsx'}.",
        )
    device = out.exists() and not out.is_file()  # /dev/stdout, a pipe: written as named
    if out.suffix.lower() != ".xlsx" and not device:
        raise UsageError(
            f"Mẫu là một bảng tính Excel: tên tệp phải kết thúc bằng .xlsx (nhận được '{out.name}').",
            f"The template is an Excel workbook: the file name must end in .xlsx (got '{out.name}').",
        )
    today = settings.today()
    template = build(args.department, args.db, today, parse_periods(args.period, today))
    existed = out.exists()
    with tempfile.TemporaryDirectory(prefix="template_") as folder:
        built = Path(folder) / "template.xlsx"  # built whole first: a failed write leaves no half workbook
        rows = write_workbook(template, built)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, out)
        except OSError as exc:
            if not existed and not device:
                out.unlink(missing_ok=True)
            vi, en = os_reason(exc, writing=True)
            raise _WriteFailed(
                f"Không ghi được tệp mẫu {out}: {vi}.", f"Cannot write the template {out}: {en}."
            ) from None
    offered = sorted({row.period for row in template.rows})
    _say(
        f"Đã tạo mẫu {out} cho {template.department}: {vi_count(rows)} dòng cần điền"
        + (f" (kỳ {', '.join(label(p) for p in offered)})." if offered else "."),
        f"Template {out} written for {template.department}: {en_count(rows, 'row')} to fill"
        + (f" ({', '.join(label(p, 'en') for p in offered)})." if offered else "."),
    )
    if template.up_to_date:
        codes = ", ".join(u.indicator_code for u in template.up_to_date)
        _say(
            f"Đã nộp đủ đến kỳ đang diễn ra, không có trong mẫu: {codes}.",
            f"Reported up to the running period, left out: {codes}.",
        )
    return 0


class _WriteFailed(Exception):
    """An output file that could not be written (exit code 1)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


def _export(args: argparse.Namespace) -> int:
    from loaders.errors import en_count, vi_count
    from loaders.export import export

    count = export(args.what, args.format, args.out, args.db)
    if args.out is not None:
        _say(
            f"Đã xuất {vi_count(count)} bản ghi ({args.what}) ra {args.out}.",
            f"Exported {en_count(count, 'record')} ({args.what}) to {args.out}.",
        )
    return 0


def _report_command(args: argparse.Namespace) -> int:
    """The report pack for a period, a group or a department: built whole in memory, then written."""
    import settings
    from loaders.errors import UsageError, os_reason

    out: Path = args.out
    device = out.exists() and not out.is_file()
    if out.is_dir():
        raise UsageError(
            f"{out} là một thư mục; hãy đặt tên tệp, ví dụ {out / ('bao-cao.' + args.format)}.",
            f"{out} is a folder; name the file, e.g. {out / ('report.' + args.format)}.",
        )
    if out.suffix.lower() != f".{args.format}" and not device:
        raise UsageError(
            f"Tệp --format {args.format} phải có đuôi .{args.format} (nhận được '{out.name}').",
            f"A --format {args.format} file must end in .{args.format} (got '{out.name}').",
        )
    if args.charts is not None and args.charts < 0:
        raise UsageError("--charts phải là số không âm.", "--charts must not be negative.")
    import db
    import reports
    from reports.content import KEY_CHARTS, UnknownScope
    from rules.reporting import NoSuchPeriod

    path = settings.db_path(args.db)
    if not path.exists():
        raise db.connection.missing(path)
    try:
        data = reports.render(
            args.format, path, settings.today(), period=args.period, group=args.group, department=args.department,
            lang=args.lang, charts=KEY_CHARTS if args.charts is None else args.charts,
        )  # fmt: skip
    except NoSuchPeriod:
        raise UsageError(
            f"Kỳ '{args.period}' không dùng được: ghi kỳ dạng 2026-10, 2026-Q3, 2026-H1 hoặc 2026, không ở tương lai.",
            f"Period '{args.period}' cannot be used: write it as 2026-10, 2026-Q3, 2026-H1 or 2026, not in the future.",
        ) from None
    except UnknownScope:
        what = args.group if args.group is not None else args.department
        raise UsageError(
            f"Không có nhóm hoặc sở, ngành '{what}' (nhóm: input, process, output, outcome, composite).",
            f"No group or department '{what}' (groups: input, process, output, outcome, composite).",
        ) from None
    existed = out.exists()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        if not existed and not device:
            out.unlink(missing_ok=True)
        vi, en = os_reason(exc, writing=True)
        raise _WriteFailed(f"Không ghi được tệp {out}: {vi}.", f"Cannot write {out}: {en}.") from None
    _say(
        f"Đã ghi báo cáo {out} ({len(data):,} byte).".replace(",", "."),
        f"Report written to {out} ({len(data):,} bytes).",
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
    from loaders.errors import en_count, vi_count

    n = len(catalogue.indicators)
    _say(f"Đã thay danh mục: {vi_count(n)} chỉ số.", f"Catalogue replaced: {en_count(n, 'indicator')}.")
    return 0


HANDLERS = {
    "init": _init,
    "submit": _submit,
    "catalogue": _catalogue,
    "template": _template,
    "export": _export,
    "report": _report_command,
}


# -- the one place where every failure becomes a message ------------------------------------


def _report(
    args: argparse.Namespace | None,
    code: int,
    vi: str,
    en: str,
    details: list[str] | None = None,
    failure: str = "unexpected",
    as_json: bool = False,
) -> int:
    """A failure: to stderr in both languages, or (--json) as a rejected report within the contract."""
    if as_json or (args is not None and getattr(args, "json", False)):
        error = {"row": None, "column": None, "value": None, "message": f"{vi} / {en}", "message_vi": vi}
        error["message_en"] = en
        out = {"status": "rejected", "rows": 0, "new_rows": 0, "revised_rows": 0, "submission_id": None}
        out["errors"] = [error] + [
            {"row": None, "column": None, "value": None, "message": d, "message_vi": d, "message_en": d}
            for d in details or []
        ]
        out |= {"revisions": [], "check": bool(getattr(args, "check", False)), "failure": failure}
        print(json.dumps(out, ensure_ascii=False))
    else:
        _say(f"Lỗi: {vi}", f"Error: {en}", sys.stderr)
        for line in details or []:
            print(f"  - {_plain(line)}", file=sys.stderr)
    return code


_ARGPARSE_VI = (
    (r"the following arguments are required: (.*)", "thiếu tham số bắt buộc: {0}"),
    (r"unrecognized arguments: (.*)", "tham số không nhận ra: {0}"),
    (
        r"argument (.+?): invalid choice: (.*?) \(choose from (.*)\)",
        "tham số {0}: {1} không hợp lệ; chọn một trong: {2}",
    ),
    (r"argument (.+?): expected one argument", "tham số {0} cần một giá trị"),
)


def _argparse_vi(message: str) -> str:
    """argparse's usage error in Vietnamese (its English goes on the English line)."""
    import re

    for pattern, vi in _ARGPARSE_VI:
        found = re.fullmatch(pattern, message)
        if found:
            return "Tham số không hợp lệ: " + vi.format(*found.groups())
    return "Tham số không hợp lệ (xem cách dùng ở trên)."


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = None
    try:
        args = build_parser().parse_args(argv)
        args.db = args.db or args.db_top
        from auth import cli as auth_cli

        if auth_cli.handles(args):
            return auth_cli.run(args)
        return HANDLERS[args.command](args)
    except _BadArguments as exc:
        sys.stderr.write(exc.usage)
        vi = _argparse_vi(exc.message)
        return _report(None, USAGE, vi, f"Bad arguments: {exc.message}", failure="usage", as_json="--json" in argv)
    except SystemExit as exc:  # argparse: --help (0)
        return exc.code if isinstance(exc.code, int) else USAGE
    except KeyboardInterrupt:
        return _report(
            args,
            130,
            "Đã dừng theo yêu cầu; không có gì được ghi.",
            "Interrupted; nothing was written.",
            failure="interrupted",
        )
    except BrokenPipeError:
        return 0
    except BaseException as exc:  # noqa: BLE001 (the top: every failure, a Rust panic included, becomes a message)
        return _explain(args, exc)


def _explain(args: argparse.Namespace | None, exc: BaseException) -> int:
    from auth.errors import AuthError
    from db import DatabaseBusy, DatabaseError, explain
    from loaders.errors import FileUnreadable, StalePreview, UsageError, en_count, os_reason, vi_count
    from schema.catalogue import CatalogueError

    if isinstance(exc, (UsageError, AuthError)):
        return _report(args, USAGE, exc.message_vi, exc.message_en, failure="usage")
    if isinstance(exc, (FileUnreadable, _WriteFailed)):
        return _report(args, FAILED, exc.message_vi, exc.message_en, failure="file")
    if isinstance(exc, StalePreview):
        return _report(args, FAILED, exc.message_vi, exc.message_en, failure="stale")
    if isinstance(exc, DatabaseError):
        kind = "busy" if isinstance(exc, DatabaseBusy) else "database"
        return _report(args, FAILED, exc.message_vi, exc.message_en, failure=kind)
    if isinstance(exc, CatalogueError):
        return _report(
            args,
            FAILED,
            f"Danh mục có {vi_count(len(exc.problems))} lỗi; cơ sở dữ liệu giữ nguyên danh mục cũ.",
            f"The catalogue has {en_count(len(exc.problems), 'problem')}; the database keeps its previous catalogue.",
            [str(p) for p in exc.problems],
            failure="catalogue",
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        vi, en = os_reason(exc)
        return _report(args, FAILED, f"Lỗi đọc/ghi tệp{where}: {vi}.", f"File error{where}: {en}.", failure="file")
    import duckdb

    if isinstance(exc, duckdb.Error):  # the same words the pages show (db.explain), never DuckDB's own text
        explained = explain(exc, getattr(args, "db", None))
        return _report(args, FAILED, explained.message_vi, explained.message_en, failure="database")
    name = type(exc).__name__
    return _report(
        args,
        FAILED,
        f"Lỗi không mong đợi ({name}); không có gì được ghi. Hãy báo cho quản trị viên.",
        f"Unexpected error ({name}); nothing was written. Please tell an administrator.",
    )
