"""Command line: the only module that prints or exits. main(argv) -> exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence

from irsalint import __version__
from irsalint.errors import IrsalintError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif")
FAIL_ON = ("error", "warning", "note", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="irsalint", description="Lint EKS IRSA and Pod Identity across Terraform and Kubernetes.")
    parser.add_argument("--version", action="version", version=f"irsalint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="lint PATHs (default: .)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--select", metavar="IDS", help="comma-separated rule ids or prefixes to run")
    check.add_argument("--ignore", metavar="IDS", help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=FAIL_ON, default="warning", help="lowest level that fails (default: warning)")
    check.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule files")
    check.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="parser processes (default: cores)")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB")
    check.add_argument("--no-cache", action="store_true", help="do not read or write .irsalint_cache/")
    check.add_argument("--cache-dir", metavar="DIR", help="cache location (default: .irsalint_cache/)")
    check.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)
    check.add_argument("--max-file-size", type=int, default=None, metavar="BYTES", help="skip larger files")
    check.add_argument("--quiet", "-q", action="store_true", help="no summary line in text output")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    rules = sub.add_parser("rules", help="list the rule pack")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--rules", action="append", default=[], metavar="DIR")

    explain = sub.add_parser("explain", help="describe a rule: rationale, example, fix")
    explain.add_argument("rule_id", metavar="RULE")
    explain.add_argument("--rules", action="append", default=[], metavar="DIR")
    return parser


@contextlib.contextmanager
def error_handler(debug: bool) -> Iterator[None]:
    """Map every failure to exit 2 with one line on stderr (a traceback only with --debug)."""
    try:
        yield
    except IrsalintError as error:
        if debug:
            traceback.print_exc()
        print(f"irsalint: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        print("irsalint: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if debug:
            traceback.print_exc()
        print(f"irsalint: internal error: {type(error).__name__}: {error} (rerun with --debug)", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        with error_handler(debug):
            args = build_parser().parse_args(args_list)
            if args.command == "check":
                return _check(args)
            if args.command == "rules":
                return _rules(args)
            if args.command == "explain":
                return _explain(args)
            build_parser().print_help()
            return EXIT_ERROR
    except SystemExit as exit_:
        return int(exit_.code) if isinstance(exit_.code, int) else EXIT_ERROR
    return EXIT_OK


def _use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _check(args: argparse.Namespace) -> int:
    from irsalint.engine import LEVEL_RANK, LintOptions, lint
    from irsalint.report import FORMATS as REPORTERS
    from irsalint.rules import load_rules, parse_ids, select_rules

    rules = select_rules(load_rules(args.rules), parse_ids(args.select), parse_ids(args.ignore))
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (one per core) or more")
    options = LintOptions(
        jobs=args.jobs,
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
        prefilter=not args.no_prefilter,
        exclude=tuple(args.exclude),
        max_bytes=args.max_file_size,
    )
    result = lint(args.paths, rules, options)
    out_stream = sys.stdout
    color = args.output is None and args.format == "text" and _use_color(args.color, out_stream)
    report = REPORTERS[args.format](result, color)
    if args.quiet and args.format == "text":
        report = "".join(report.splitlines(keepends=True)[:-1])
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(report)
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    else:
        out_stream.write(report)
    if args.fail_on == "never":
        return EXIT_OK
    threshold = LEVEL_RANK[args.fail_on]
    return EXIT_FINDINGS if any(LEVEL_RANK[f.level] >= threshold for f in result.findings) else EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    import json

    from irsalint.rules import load_rules

    rules = load_rules(args.rules)
    if args.format == "json":
        print(json.dumps([
            {"id": r.id, "name": r.name, "level": r.level, "securitySeverity": r.security_severity,
             "summary": r.summary, "tags": list(r.tags), "status": r.status}
            for r in rules
        ], indent=2))
        return EXIT_OK
    for rule in rules:
        severity = "  - " if rule.security_severity is None else f"{rule.security_severity:4.1f}"
        print(f"{rule.id}  {rule.name:<26} {rule.level:<8} {severity}  {rule.summary}")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from irsalint.docs import text
    from irsalint.rules import load_rules

    wanted = args.rule_id.strip().upper()
    for rule in load_rules(args.rules):
        if rule.id == wanted or rule.name == args.rule_id.strip():
            sys.stdout.write(text(rule))
            return EXIT_OK
    raise UsageError(f"unknown rule: {args.rule_id} (see `irsalint rules`)")
