"""Command line: the only module that prints or exits. main(argv) -> exit code."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from irsalint import __version__
from irsalint.errors import ConfigError, IrsalintError, UsageError
from irsalint.record import replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any, NoReturn

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab-sast")
FAIL_ON = ("error", "warning", "note", "never")


EXIT_CODES = """\
exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on (default: warning)
  2  usage, configuration or internal error (one line on stderr), or no lintable file found
     (unless --allow-empty)
with --fix: as above, for the findings left after fixing; with --diff: 1 when there is
something to fix, else 0
"""


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns without importing shutil: argparse builds a formatter at
    every add_argument, and its own width lookup imports shutil (2-3 ms of every run)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, its width found by _terminal_columns."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)  # argparse's own margin


class _RawDescriptionFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("irsalint").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _subparser(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    # Abbreviations (`--form` for --format) are refused: a CI script using one breaks silently the
    # day another option shares the prefix. A typo gets a suggestion instead (_unrecognized).
    kwargs.setdefault("formatter_class", _Formatter)
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text,
                                                     allow_abbrev=False, **kwargs)
    return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `only`, that command's subparser alone under it (a run's
    arguments parse the same; each parser argparse builds costs a few gettext lookups)."""
    parser = _Parser(prog="irsalint", description="Lint EKS IRSA and Pod Identity across Terraform and Kubernetes.",
                     allow_abbrev=False, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"irsalint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    for name, add in _COMMAND_PARSERS.items():
        if only is None or only == name:
            add(sub)
    return parser


def _add_check(sub: Any) -> None:
    check = _subparser(sub, "check", "lint PATHs (default: .)", epilog=EXIT_CODES,
                       formatter_class=_RawDescriptionFormatter)
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or directories to lint (default: the current directory)")
    check.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--config", metavar="FILE", help="configuration file (default: .irsalint.yaml or "
                       "[tool.irsalint] in pyproject.toml, searched from PATH up to the repository root)")
    check.add_argument("--select", metavar="IDS", help="comma-separated rule ids or prefixes to run")
    check.add_argument("--ignore", metavar="IDS", help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=FAIL_ON, default=None, help="lowest level that fails (default: warning)")
    check.add_argument("--baseline", metavar="FILE", help="report only findings that are not in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE (exit 0)")
    check.add_argument("--warn-unused-ignores", action="store_true", default=None,
                       help="report ignore comments and annotations that suppress nothing (IRSA901)")
    check.add_argument("--include-suppressed", action="store_true",
                       help="SARIF: keep suppressed findings, marked with `suppressions`")
    check.add_argument("--category", metavar="ID", help="SARIF: automationDetails.id (code scanning category)")
    check.add_argument("--root", metavar="DIR", help="paths in every report are relative to DIR, which must "
                       "contain every PATH (default: the git top level, found by looking for .git)")
    check.add_argument("--changed", action="store_true",
                       help="PATHs are changed files (pre-commit): lint the whole repository, report only "
                       "findings whose primary or related location is in one of them")
    check.add_argument("--diff-base", metavar="REV",
                       help="report only findings touching files changed since REV (git diff REV...)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes in place (findings marked [*]), then report what is left")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff and write nothing (exit 1 when there is one)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: also the fixes that change behaviour (see docs/fixes.md)")
    check.add_argument("--allow-empty", action="store_true",
                       help="exit 0 when PATHs hold no lintable file (default: exit 2, a gate pointed at the "
                       "wrong path must fail)")
    check.add_argument("--rules", action="append", default=[], metavar="DIR",
                       help="a directory of extra rule files (repeatable; replaces rules_dirs)")
    check.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes that parse files (and run the rules, from 2,000 files), this one included (default 0: on Linux one per CPU, at most 4, when the input is over 256 kB; 1: this process only; docs/design.md)")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="skip paths matching GLOB, relative to the root (repeatable; replaces exclude)")
    check.add_argument("--no-cache", action="store_true", default=None, help="do not read or write .irsalint_cache/")
    check.add_argument("--cache-dir", metavar="DIR", help="cache location (default: .irsalint_cache/ in the root)")
    check.add_argument("--no-prefilter", action="store_true",
                       help="parse every Terraform file, also those no rule can use (slower; for debugging)")
    check.add_argument("--max-file-size", type=int, default=None, metavar="BYTES",
                       help="skip larger files, with a note (default: 32 MB YAML, 2 MB Terraform)")
    check.add_argument("--quiet", "-q", action="store_true", help="text: only the findings (no skipped files, no summary)")
    check.add_argument("--verbose", "-v", action="store_true",
                       help="list every skipped file, and say on stderr which root, configuration and rules were used")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="text: colour (default: auto, only on a terminal; NO_COLOR disables it)")
    check.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                       help="a progress line on stderr for runs over 2 s (default: auto, only on a terminal)")
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks for internal errors")


def _add_rules(sub: Any) -> None:
    rules = _subparser(sub, "rules", "list the rule pack")
    rules.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    rules.add_argument("--rules", action="append", default=[], metavar="DIR", help="a directory of extra rule files")
    rules.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")


def _add_graph(sub: Any) -> None:
    graph = _subparser(sub, "graph", "the IRSA graph: workloads, ServiceAccounts, roles, trust, policies")
    graph.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or directories to read (default: the current directory)")
    graph.add_argument("--format", choices=("text", "dot", "mermaid", "json"), default="text",
                       help="output format (default: text)")
    graph.add_argument("--focus", metavar="NAMESPACE[/SA]", help="only this namespace or ServiceAccount")
    graph.add_argument("--output", "-o", metavar="FILE", help="write the graph to FILE instead of stdout")
    graph.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")
    graph.add_argument("--rules", action="append", default=[], metavar="DIR", help="a directory of extra rule files")
    graph.add_argument("--no-cache", action="store_true", help="parse every file again (ignore .irsalint_cache)")


def _add_explain(sub: Any) -> None:
    explain = _subparser(sub, "explain", "describe a rule: rationale, example, fix")
    explain.add_argument("rule_id", metavar="RULE", help="a rule id (IRSA001) or name (trust-mismatch)")
    explain.add_argument("--rules", action="append", default=[], metavar="DIR", help="a directory of extra rule files")
    explain.add_argument("--config", metavar="FILE", help="configuration file (for its rules_dirs)")


# in `irsalint --help` order
_COMMAND_PARSERS = {"check": _add_check, "rules": _add_rules, "graph": _add_graph, "explain": _add_explain}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _unrecognized(extras: Sequence[str], parser: argparse.ArgumentParser, command: str | None) -> str:
    """One line for arguments argparse did not take, with the options a typo probably meant."""
    from irsalint.suggest import closest

    target = _subparsers(parser).get(command or "", parser)
    options = sorted({o for a in target._actions for o in a.option_strings if a.help != argparse.SUPPRESS})
    where = f"{command}: " if command else ""
    word = next((e for e in extras if e.startswith("-")), None)
    if word is None:
        return f"{where}unexpected argument {extras[0]!r}"
    name = word.split("=", 1)[0]
    if len(name) == 2:  # `-f`: the long options starting with that letter
        meant = [o for o in options if o.startswith(f"--{name[1]}")]
    else:
        prefixed = [o for o in options if o.startswith(name) and o.startswith("--")]
        match = closest(name, [o for o in options if o.startswith("--")])
        meant = prefixed or ([match] if match else [])
    hint = f" (did you mean {' or '.join(meant)}?)" if meant else ""
    return f"{where}unrecognized option {name}{hint}"


def _print_traceback() -> None:
    import traceback  # only with --debug: 1.5 ms of every run otherwise

    traceback.print_exc()


@contextlib.contextmanager
def error_handler(debug: bool) -> Iterator[None]:
    """Map every failure to exit 2 with one line on stderr (a traceback only with --debug)."""
    try:
        yield
    except IrsalintError as error:
        if debug:
            _print_traceback()
        print(f"irsalint: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        print("irsalint: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if debug:
            _print_traceback()
        print(f"irsalint: internal error: {type(error).__name__}: {error} (rerun with --debug)", file=sys.stderr)
        raise SystemExit(EXIT_ERROR) from None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        with error_handler(debug):
            parser = build_parser(args_list[0] if args_list and args_list[0] in _COMMAND_PARSERS else None)
            args, extras = parser.parse_known_args(args_list)
            if extras:
                raise UsageError(_unrecognized(extras, parser, args.command))
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


def run() -> NoReturn:
    """The console script (`irsalint`, `python -m irsalint`): main() with the cycle collector off,
    then a hard exit. A run's model is millions of small acyclic objects: the collector's first
    pass after the analysis and the interpreter freeing them one by one at exit cost ~0.15 s of a
    1 s cold run (docs/design.md, "Start-up and exit"). Every file a run writes is closed before
    main returns; only the standard streams are left to flush."""
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)


def _use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _check(args: argparse.Namespace) -> int:
    from irsalint.cache import user_cache_dir
    from irsalint.config import resolve_config
    from irsalint.discover import find_repository_root, scan_root
    from irsalint.engine import LEVEL_RANK, LintOptions, LintResult, lint
    from irsalint.progress import Progress
    from irsalint.report import FORMATS as REPORTERS
    from irsalint.report import RenderOptions
    from irsalint.rules import load_rules, parse_ids, select_rules
    from irsalint.suppress import apply_baseline, apply_ignores, read_baseline, write_baseline

    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or more")
    fixing = args.fix or args.diff
    if fixing and args.write_baseline:
        raise UsageError("--write-baseline records findings: it does not combine with --fix or --diff")
    if args.diff and args.format != "text":
        raise UsageError("--diff prints a unified diff; for fixes as data use --format json or sarif without --diff")
    changed_files: list[Path] | None = None
    if args.changed or args.diff_base:
        from irsalint.changed import files_changed_since

        cwd = Path.cwd().resolve()
        repository = find_repository_root(cwd) or cwd
        changed_files = [Path(p).resolve() for p in args.paths] if args.changed else []
        if args.diff_base:
            changed_files += sorted(files_changed_since(repository, args.diff_base))
        args.paths = [str(repository)]  # the whole repository is loaded: findings are cross-file
    config = resolve_config(args.paths, args.config)
    # Command-line flags override the configuration file, key by key.
    rules_dirs = args.rules or list(config.rules_dirs)
    select = parse_ids(args.select) if args.select is not None else config.select
    ignore = parse_ids(args.ignore) if args.ignore is not None else config.ignore
    fail_on = args.fail_on or config.fail_on or "warning"
    cache = not args.no_cache if args.no_cache is not None else (config.cache if config.cache is not None else True)
    all_rules = load_rules(rules_dirs, copy_dir=user_cache_dir() if cache else None)
    _check_rule_ids(args, config, all_rules)
    warn_unused = bool(args.warn_unused_ignores if args.warn_unused_ignores is not None else config.warn_unused_ignores)
    rules = select_rules(all_rules, select, ignore)
    if warn_unused:  # the rule that reports unused ignores runs whenever they are asked for
        rules = select_rules(all_rules, (*select, *_invalid_suppression_ids(all_rules)) if select else (), ignore)
    root, root_source = scan_root(args.paths, args.root)
    params: dict[str, object] = {}
    if config.external_roles:
        params["external_roles"] = config.external_roles
    if config.clusters:
        params["clusters"] = _cluster_params(config, root)
    if config.trust_policy_size_quota is not None:
        params["trust_policy_size_quota"] = config.trust_policy_size_quota
    if config.pod_identity_trust_conditions is not None:
        params["pod_identity_trust_conditions"] = config.pod_identity_trust_conditions
    progress = Progress(sys.stderr, args.progress)
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
        root=str(root),
        progress=progress.stage,
    )
    baseline = read_baseline(args.baseline, all_rules) if args.baseline and not args.write_baseline else None

    def analyze(run_options: LintOptions) -> LintResult:
        """lint -> suppressions -> changed files -> baseline: what the report shows."""
        result = lint(args.paths, rules, run_options)
        if run_options.progress is not None:
            run_options.progress("applying suppressions")
        result = apply_ignores(result, {r.id for r in all_rules}, warn_unused, config.levels)
        if changed_files is not None:
            from irsalint.changed import only_touching

            result = only_touching(result, changed_files)
        return apply_baseline(result, baseline) if baseline is not None else result

    with progress:
        result = analyze(options)
    for note in result.project.skipped:
        if note.internal:  # our bug, not the user's file: say so where it cannot be missed
            print(f"irsalint: {note.path}: {note.reason}", file=sys.stderr)
    if args.write_baseline:
        write_baseline(args.write_baseline, result.findings)
        print(f"irsalint: wrote {len(result.findings)} findings to {args.write_baseline}", file=sys.stderr)
        result = apply_baseline(result, frozenset(f.fingerprint for f in result.findings))
    if args.diff and not _linted_files(result) and _no_lintable_file(args):
        return EXIT_ERROR
    if fixing:
        quiet_options = replace(options, progress=None)
        fixed = _fix(args, result, lambda overlay: analyze(replace(quiet_options, overlay=overlay)))
        if isinstance(fixed, int):
            return fixed
        result = fixed
    if args.verbose:
        _explain_run(result, root, root_source, config.source, len(rules))
    out_stream = sys.stdout
    interactive = args.output is None and bool(getattr(out_stream, "isatty", lambda: False)())
    render_options = RenderOptions(
        color=args.output is None and args.format == "text" and _use_color(args.color, out_stream),
        excerpt=interactive,
        timing=True,
        include_suppressed=args.include_suppressed,
        category=args.category,
        verbose=args.verbose,
        quiet=args.quiet,
        relative_to=_cwd_in(root),
        unsafe_fixes=args.unsafe_fixes,
    )
    report = REPORTERS[args.format](result, render_options)
    if args.output:
        _write_report(args.output, report)
    else:
        out_stream.write(report)
    if not _linted_files(result) and _no_lintable_file(args):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    threshold = LEVEL_RANK[fail_on]
    return EXIT_FINDINGS if any(LEVEL_RANK[f.level] >= threshold for f in result.findings) else EXIT_OK


def _no_lintable_file(args: argparse.Namespace) -> bool:
    """Say that PATHs hold no lintable file; True when that is an error (no --allow-empty)."""
    paths = " ".join(args.paths)
    what = "error" if not args.allow_empty else "warning"
    print(f"irsalint: {what}: no lintable file in {paths} (Terraform *.tf, *.tfvars, *.tf.json; Kubernetes "
          f"*.yaml, *.yml, *.json){'' if args.allow_empty else '; pass --allow-empty if that is expected'}",
          file=sys.stderr)
    return not args.allow_empty


def _fix(args: argparse.Namespace, result: Any, relint: Any) -> Any:
    """--fix / --diff: plan and verify the fixes; --diff prints them and returns the exit code,
    --fix writes them and returns the result over the fixed files (for the report)."""
    import time

    from irsalint.fix.apply import plan_fixes, without_fixes
    from irsalint.fix.diff import unified_diff
    from irsalint.fix.write import write_changes

    started = time.perf_counter()
    base = Path(result.base)

    def report(final: Any) -> Any:  # the refused fixes taken off; the time of the whole run
        return replace(without_fixes(final, outcome.not_applied), seconds=result.seconds + time.perf_counter() - started)

    def read(path: str) -> bytes | None:
        try:
            return (base / path).read_bytes()
        except OSError:
            return None

    outcome = plan_fixes(result, args.unsafe_fixes, read, relint)
    for refused in outcome.not_applied:
        loc = refused.finding.loc
        print(f"irsalint: not fixed: {loc.path}:{loc.line}:{loc.col}: {refused.finding.rule_id}: {refused.reason}",
              file=sys.stderr)
    files = len(outcome.changes)
    count = f"{len(outcome.applied)} finding{'' if len(outcome.applied) == 1 else 's'} in {files} file{'' if files == 1 else 's'}"
    if args.diff:
        text = unified_diff(outcome.changes)
        if args.output:
            _write_report(args.output, text)
        else:
            sys.stdout.write(text)
        print(f"irsalint: would fix {count}." if outcome.changes else "irsalint: nothing to fix.", file=sys.stderr)
        return EXIT_FINDINGS if outcome.changes else EXIT_OK
    if not outcome.changes or outcome.result is None:
        return report(result)
    try:
        written, moved = write_changes(base, outcome.changes)
    except OSError as error:
        raise UsageError(f"cannot write a fixed file: {error.strerror or error}") from None
    for path in moved:
        print(f"irsalint: not fixed: {path}: the file changed while irsalint was running, or is outside the "
              "repository", file=sys.stderr)
    if moved:  # the report must describe the files as they are: lint them again
        print(f"irsalint: wrote {len(written)} of {files} fixed files.", file=sys.stderr)
        return report(relint({}))
    print(f"irsalint: fixed {count}.", file=sys.stderr)
    return report(outcome.result)


def _write_report(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _check_rule_ids(args: argparse.Namespace, config: Any, rules: Sequence[Any]) -> None:
    """An unknown rule id in a flag or in the configuration is a usage error, not a rule that
    silently never runs (or a finding that is never ignored)."""
    from irsalint.rules import parse_ids, unknown_rule

    for flag in ("select", "ignore"):
        value = getattr(args, flag)
        problem = unknown_rule(parse_ids(value), rules) if value is not None else None
        if problem is not None:
            raise UsageError(f"--{flag}: unknown rule {problem}")
    for key, ids in (("select", config.select), ("ignore", config.ignore), ("levels", tuple(config.levels))):
        problem = unknown_rule(ids, rules)
        if problem is not None:
            raise ConfigError(f"{config.source}: {key}: unknown rule {problem}")
    unprefixed = sorted(set(config.levels) - {r.id for r in rules})
    if unprefixed:  # a level is per rule: a prefix is not enough
        raise ConfigError(f"{config.source}: levels: {unprefixed[0]} is not a rule id (levels name whole ids)")


def _invalid_suppression_ids(rules: Sequence[Any]) -> tuple[str, ...]:
    from irsalint.suppress import INVALID_SUPPRESSION

    return tuple(r.id for r in rules if r.function == INVALID_SUPPRESSION)


def _linted_files(result: Any) -> list[str]:
    """Files that were read as Terraform or YAML (not skipped: binary, unreadable, templates)."""
    skipped = {note.path for note in result.project.skipped}
    return [path for path in result.project.files if path not in skipped]


def _cwd_in(root: Path) -> str | None:
    """The working directory relative to the root (POSIX), or None when it is outside."""
    cwd = Path.cwd().resolve()
    if cwd != root and root not in cwd.parents:
        return None
    return cwd.relative_to(root).as_posix()


def _explain_run(result: Any, root: Path, root_source: str, config: str | None, rules: int) -> None:
    """-v: what the run used, on stderr (the report itself stays on stdout)."""
    linted = len(_linted_files(result))
    print(f"irsalint: root {root} ({root_source}); configuration {config or 'none (defaults)'}", file=sys.stderr)
    def count(number: int, word: str) -> str:
        return f"{number} {word}{'' if number == 1 else 's'}"

    print(f"irsalint: {count(rules, 'rule')}; {count(linted, 'file')} linted, {len(result.project.skipped)} skipped; "
          f"{count(len(result.findings), 'finding')}, {len(result.suppressed)} suppressed; {result.seconds:.2f}s",
          file=sys.stderr)


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
             "summary": r.summary, "tags": list(r.tags), "status": r.status, "fix": r.fix}
            for r in rules
        ], indent=2))
        return EXIT_OK
    for rule in rules:
        severity = "  - " if rule.security_severity is None else f"{rule.security_severity:4.1f}"
        fix = "" if rule.fix == "none" else rule.fix
        print(f"{rule.id}  {rule.name:<26} {rule.level:<8} {severity}  {fix:<6}  {rule.summary}")
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
    from irsalint.project import Project
    from irsalint.rules import load_rules

    options = LintOptions(cache=not args.no_cache, need_project=True)
    result = lint(args.paths, load_rules(_config_rules_dirs(args)), options)
    assert isinstance(result.project, Project)  # need_project
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


def _cluster_params(config: object, root: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Config `clusters` with their path globs made relative to the root (where finding paths are
    relative to), from the configuration file's directory."""
    from irsalint.config import Config

    assert isinstance(config, Config)
    base = Path(config.root or ".").resolve()
    prefix = os.path.relpath(base, root).replace(os.sep, "/")
    result: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, (provider, globs) in config.clusters.items():
        result[name] = (provider, tuple(g if prefix == "." else f"{prefix}/{g}" for g in globs))
    return result
