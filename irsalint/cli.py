"""Command line: the only module that prints or exits. main(argv) -> exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from irsalint import __version__
from irsalint.errors import ConfigError, IrsalintError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "junit")
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
    check.add_argument("--config", metavar="FILE", help="configuration file (default: .irsalint.yaml or "
                       "[tool.irsalint] in pyproject.toml, searched from PATH up to the repository root)")
    check.add_argument("--select", metavar="IDS", help="comma-separated rule ids or prefixes to run")
    check.add_argument("--ignore", metavar="IDS", help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=FAIL_ON, default=None, help="lowest level that fails (default: warning)")
    check.add_argument("--baseline", metavar="FILE", help="report only findings that are not in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE (exit 0)")
    check.add_argument("--warn-unused-ignores", action="store_true", default=None,
                       help="report inline ignores and ignore annotations that suppress nothing (stderr)")
    check.add_argument("--include-suppressed", action="store_true",
                       help="SARIF: keep suppressed findings, marked with `suppressions`")
    check.add_argument("--category", metavar="ID", help="SARIF: automationDetails.id (code scanning category)")
    check.add_argument("--changed", action="store_true",
                       help="PATHs are changed files (pre-commit): lint the whole repository, report only "
                       "findings whose primary or related location is in one of them")
    check.add_argument("--diff-base", metavar="REV",
                       help="report only findings touching files changed since REV (git diff REV...)")
    check.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule files")
    check.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="parser worker processes (default 0: none, the fastest measured; docs/design.md)")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB")
    check.add_argument("--no-cache", action="store_true", default=None, help="do not read or write .irsalint_cache/")
    check.add_argument("--cache-dir", metavar="DIR", help="cache location (default: .irsalint_cache/)")
    check.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)
    check.add_argument("--max-file-size", type=int, default=None, metavar="BYTES", help="skip larger files")
    check.add_argument("--quiet", "-q", action="store_true", help="no summary line in text output")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    rules = sub.add_parser("rules", help="list the rule pack")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--rules", action="append", default=[], metavar="DIR")
    rules.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")

    graph = sub.add_parser("graph", help="the IRSA graph: workloads, ServiceAccounts, roles, trust, policies")
    graph.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    graph.add_argument("--format", choices=("text", "dot", "mermaid", "json"), default="text")
    graph.add_argument("--focus", metavar="NAMESPACE[/SA]", help="only this namespace or ServiceAccount")
    graph.add_argument("--output", "-o", metavar="FILE")
    graph.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")
    graph.add_argument("--rules", action="append", default=[], metavar="DIR")

    explain = sub.add_parser("explain", help="describe a rule: rationale, example, fix")
    explain.add_argument("rule_id", metavar="RULE")
    explain.add_argument("--rules", action="append", default=[], metavar="DIR")
    explain.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")
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
            if args.command == "graph":
                return _graph(args)
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
    from irsalint.config import resolve_config
    from irsalint.engine import LEVEL_RANK, LintOptions, lint
    from irsalint.report import FORMATS as REPORTERS
    from irsalint.report import RenderOptions
    from irsalint.rules import load_rules, parse_ids, select_rules
    from irsalint.suppress import apply_baseline, apply_ignores, read_baseline, write_baseline

    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (no workers) or more")
    changed_files: list[Path] | None = None
    if args.changed or args.diff_base:
        from irsalint.changed import files_changed_since, repository_root

        root = repository_root(Path.cwd())
        changed_files = [Path(p).resolve() for p in args.paths] if args.changed else []
        if args.diff_base:
            changed_files += sorted(files_changed_since(root, args.diff_base))
        args.paths = [str(root)]  # the whole repository is loaded: findings are cross-file
    config = resolve_config(args.paths, args.config)
    # Command-line flags override the configuration file, key by key.
    rules_dirs = args.rules or list(config.rules_dirs)
    select = parse_ids(args.select) if args.select is not None else config.select
    ignore = parse_ids(args.ignore) if args.ignore is not None else config.ignore
    fail_on = args.fail_on or config.fail_on or "warning"
    all_rules = load_rules(rules_dirs)
    known = {rule.id for rule in all_rules}
    unknown_levels = sorted(set(config.levels) - known)
    if unknown_levels:
        raise ConfigError(f"{config.source}: levels names an unknown rule: {unknown_levels[0]}")
    rules = select_rules(all_rules, select, ignore)
    cache = not args.no_cache if args.no_cache is not None else (config.cache if config.cache is not None else True)
    params: dict[str, object] = {}
    if config.external_roles:
        params["external_roles"] = config.external_roles
    if config.clusters:
        params["clusters"] = _cluster_params(config, args.paths)
    options = LintOptions(
        jobs=args.jobs,
        cache=cache,
        cache_dir=args.cache_dir or config.cache_dir,
        prefilter=not args.no_prefilter,
        exclude=tuple(args.exclude),
        root_exclude=() if args.exclude else config.exclude,
        exclude_root=config.root,
        max_bytes=args.max_file_size if args.max_file_size is not None else config.max_file_size,
        params=params,
        levels=dict(config.levels),
    )
    result = lint(args.paths, rules, options)
    if changed_files is not None:
        from irsalint.changed import only_touching

        result = only_touching(result, changed_files)
    warn_unused = bool(args.warn_unused_ignores if args.warn_unused_ignores is not None else config.warn_unused_ignores)
    result, unused = apply_ignores(result, scan_all_files=warn_unused)
    if args.write_baseline:
        write_baseline(args.write_baseline, result.findings)
        print(f"irsalint: wrote {len(result.findings)} findings to {args.write_baseline}", file=sys.stderr)
        result = apply_baseline(result, frozenset(f.fingerprint for f in result.findings))
    elif args.baseline:
        result = apply_baseline(result, read_baseline(args.baseline))
    if warn_unused:
        for ignore_entry in unused:
            print(f"{ignore_entry.describe()} matched no finding", file=sys.stderr)
    out_stream = sys.stdout
    interactive = args.output is None and bool(getattr(out_stream, "isatty", lambda: False)())
    render_options = RenderOptions(
        color=args.output is None and args.format == "text" and _use_color(args.color, out_stream),
        excerpt=interactive,
        timing=True,
        include_suppressed=args.include_suppressed,
        category=args.category,
    )
    report = REPORTERS[args.format](result, render_options)
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
    if fail_on == "never":
        return EXIT_OK
    threshold = LEVEL_RANK[fail_on]
    return EXIT_FINDINGS if any(LEVEL_RANK[f.level] >= threshold for f in result.findings) else EXIT_OK


def _config_rules_dirs(args: argparse.Namespace) -> list[str]:
    from irsalint.config import resolve_config

    return list(args.rules) or list(resolve_config(["."], args.config).rules_dirs)


def _rules(args: argparse.Namespace) -> int:
    import json

    from irsalint.rules import load_rules

    rules = load_rules(_config_rules_dirs(args))
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
    for rule in load_rules(_config_rules_dirs(args)):
        if rule.id == wanted or rule.name == args.rule_id.strip():
            sys.stdout.write(text(rule))
            return EXIT_OK
    raise UsageError(f"unknown rule: {args.rule_id} (see `irsalint rules`)")


def _graph(args: argparse.Namespace) -> int:
    from irsalint.engine import LintOptions, lint
    from irsalint.graph import IrsaGraph
    from irsalint.graph_render import RENDERERS, build_view
    from irsalint.rules import load_rules

    result = lint(args.paths, load_rules(_config_rules_dirs(args)), LintOptions(cache=True))
    view = build_view(IrsaGraph(result.project), result.findings, args.focus)
    rendered = RENDERERS[args.format](view)
    if args.output:
        try:
            Path(args.output).write_text(rendered, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    else:
        sys.stdout.write(rendered)
    return EXIT_OK


def _cluster_params(config: object, paths: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Config `clusters` with their path globs made relative to the scan's display base (where
    finding paths are relative to), from the configuration file's directory."""
    from irsalint.config import Config
    from irsalint.discover import display_base

    assert isinstance(config, Config)
    base = display_base(paths)
    root = Path(config.root or ".").resolve()
    prefix = os.path.relpath(root, base).replace(os.sep, "/")
    result: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, (provider, globs) in config.clusters.items():
        result[name] = (provider, tuple(g if prefix == "." else f"{prefix}/{g}" for g in globs))
    return result
