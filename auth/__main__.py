"""``python -m auth [--db PATH] accounts|backup|restore ...``: the trust commands on their own."""

from __future__ import annotations

import argparse
import sys

from auth import cli


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in both languages (exit code 2)."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi tham số / Bad arguments: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m auth",
        description="Tài khoản, sao lưu và khôi phục / Accounts, backup and restore.",
    )
    parser.add_argument(
        "--db", dest="db_top", metavar="PATH", help="database file (default: $INDICATORS_DB or data/indicators.duckdb)"
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{accounts,backup,restore}", parser_class=_Parser
    )
    cli.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse and run one command; return its exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or bad arguments (2)
        return exc.code if isinstance(exc.code, int) else 2
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
