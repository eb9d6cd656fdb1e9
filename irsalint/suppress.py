"""Inline ignores, the `irsalint.dev/ignore` annotation, IRSA901, and baselines (SPEC §6).

Findings -> (reported, suppressed). Nothing here changes a finding: a suppressed finding keeps its
fingerprint and is recorded with why it was left out, so SARIF can carry it under
`--include-suppressed` and the text summary can count it.

- `# irsalint: ignore=IRSA004,IRSA005 -- reason` (or `// irsalint: ...` in HCL): written at the end
  of the offending line it covers that line; written alone on a line it covers the next line.
  Ids may be prefixes (`IRSA00`), as with --ignore. Syntax: directives.py.
- `irsalint.dev/ignore: "IRSA004"` in the metadata.annotations of a Kubernetes object (or of a
  Terraform kubernetes_service_account): covers findings whose primary location lies inside that
  object, as the parser delimits it (extents.py).
- IRSA901 invalid-suppression: a suppression that is malformed or names an unknown rule, and (with
  --warn-unused-ignores) an id in a suppression that silenced nothing. It runs here, after every
  other rule, because "silenced nothing" needs their findings.
- A baseline records findings by fingerprint (rule + entity + path + occurrence, no line numbers).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from irsalint.core import IGNORE_ANNOTATION, Location
from irsalint.engine import Finding, LintResult, Suppressed, with_fingerprints
from irsalint.errors import ConfigError
from irsalint.record import record, replace
from irsalint.rules import Rule, unknown_rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from irsalint.directives import Directive

ANNOTATION_KEY = IGNORE_ANNOTATION
BASELINE_VERSION = 1
INVALID_SUPPRESSION = "invalid_suppression"  # the check function IRSA901's rule file names


@record
class Ignore:
    """One usable ignore written in the repository, and the lines it covers."""

    path: str
    line: int  # where it is written
    col: int
    ids: tuple[str, ...]
    reason: str
    first: int  # first covered line
    last: int  # last covered line
    kind: str  # "comment" | "annotation"

    def matching_ids(self, finding: Finding) -> list[str]:
        loc = finding.loc
        if loc.path != self.path or not self.first <= loc.line <= self.last:
            return []
        return [i for i in self.ids if finding.rule_id.startswith(i)]

    def written(self) -> str:
        reason = f" -- {self.reason}" if self.reason else ""
        if self.kind == "comment":
            return f"irsalint: ignore={','.join(self.ids)}{reason}"
        return f"{ANNOTATION_KEY}: {','.join(self.ids)}{reason}"


def _comment_ignore(path: str, directive: Directive) -> Ignore:
    last = directive.line + 1 if directive.own_line else directive.line
    return Ignore(path, directive.line, directive.col, directive.ids, directive.reason, directive.line, last, "comment")


def comment_ignores(path: str, text: str, known: Collection[str] | None = None) -> list[Ignore]:
    """The usable ignore comments of one file (`known`: rule ids; None accepts any id)."""
    from irsalint.directives import Directive, scan_comments

    return [_comment_ignore(path, d) for d in scan_comments(text, known) if isinstance(d, Directive)]


class SourceCache:
    """File text by display path, read once (findings are sorted by path, so this stays small)."""

    def __init__(self, base: str) -> None:
        self.base = Path(base)
        self._text: dict[str, str] = {}

    def text(self, path: str) -> str:
        if path not in self._text:
            try:
                self._text[path] = (self.base / path).read_text("utf-8", errors="replace")
            except OSError:
                self._text[path] = ""
        return self._text[path]

    def lines(self, path: str) -> list[str]:
        return self.text(path).splitlines()

    def mentions(self, path: str, word: bytes) -> bool:
        """Whether the file's bytes contain `word`: a cheap test before decoding every scanned file."""
        if path in self._text:
            return word.decode() in self._text[path]
        try:
            with open(self.base / path, "rb") as handle:
                return word in handle.read()
        except OSError:
            return False


@record
class _Invalid:
    """An IRSA901 finding before it becomes one: where, what, and the suppression as written."""

    loc: Location
    message: str
    written: str


def collect(
    result: LintResult, known: Collection[str], sources: SourceCache
) -> tuple[list[Ignore], list[_Invalid]]:
    """Every ignore in the scanned files, and every suppression that cannot be honoured. The
    comment syntax (irsalint.directives) is imported only for a file that mentions irsalint or an
    ignore annotation: a warm run of a repository with neither does not create its classes."""
    ignores: list[Ignore] = []
    invalid: list[_Invalid] = []
    skipped = {note.path for note in result.project.skipped}  # never read what was not linted
    mentions = result.mentions_irsalint
    for path in result.project.files:
        if path in skipped or (mentions is not None and path not in mentions):
            continue
        if mentions is None and not sources.mentions(path, b"irsalint"):
            continue
        from irsalint.directives import Directive, scan_comments

        for item in scan_comments(sources.text(path), known):
            if isinstance(item, Directive):
                ignores.append(_comment_ignore(path, item))
            else:
                invalid.append(_Invalid(Location(path, item.line, item.col), item.message, item.text))
    seen: set[tuple[str, int]] = set()  # kustomize renderings repeat the same object
    told: set[tuple[str, str]] = set()  # a dump repeats a template's annotation in every copy
    for annotation in result.project.ignore_annotations():
        loc = annotation.loc
        if annotation.key != ANNOTATION_KEY or not isinstance(annotation.value, str) or (loc.path, loc.line) in seen:
            continue
        seen.add((loc.path, loc.line))
        from irsalint.directives import parse_value

        ids, reason, problems = parse_value(annotation.value, known)
        written = f"{ANNOTATION_KEY}: {annotation.value}"
        if loc.path in result.project.live_files:
            problems = [] if (loc.path, written) in told else problems
            told.add((loc.path, written))
        for problem in problems:
            if problem.startswith("unknown rule "):
                message = f"Unknown rule in the {ANNOTATION_KEY} annotation: {problem.removeprefix('unknown rule ')}"
            else:
                message = f"Malformed {ANNOTATION_KEY} annotation: {problem}"
            invalid.append(_Invalid(loc, message, written))
        if ids:
            from irsalint.extents import object_extent  # (imports the YAML parser: only when needed)

            first, last = object_extent(loc.path, sources.text(loc.path), loc.line, ANNOTATION_KEY)
            ignores.append(Ignore(loc.path, loc.line, loc.col, ids, reason, first, last, "annotation"))
    return ignores, invalid


def apply_ignores(
    result: LintResult,
    known: Collection[str] | None = None,
    warn_unused: bool = False,
    levels: Mapping[str, str] | None = None,
) -> LintResult:
    """Move findings covered by an ignore to `suppressed`; add IRSA901 findings when that rule is
    selected. `known`: every loaded rule id (default: the rules of the run); `levels`: per-rule
    level overrides from the configuration."""
    known = {r.id for r in result.rules} if known is None else set(known)
    sources = SourceCache(result.base)
    ignores, invalid = collect(result, known, sources)
    by_path: dict[str, list[Ignore]] = {}
    for ignore in ignores:
        by_path.setdefault(ignore.path, []).append(ignore)
    used: set[tuple[Ignore, str]] = set()
    kept: list[Finding] = []
    suppressed = list(result.suppressed)
    for finding in result.findings:
        reason: str | None = None
        for ignore in by_path.get(finding.loc.path, ()):
            ids = ignore.matching_ids(finding)
            used.update((ignore, i) for i in ids)
            if ids and reason is None:
                reason = ignore.reason
        if reason is None:
            kept.append(finding)
        else:
            suppressed.append(Suppressed(finding, "inSource", reason))
    if warn_unused:
        # a dump repeats what was applied, once per replica: its unused ignores are the source's
        live = result.project.live_files
        invalid.extend(_unused([i for i in ignores if i.path not in live], used, result.rules))
    rule = next((r for r in result.rules if r.function == INVALID_SUPPRESSION), None)
    if rule is not None and invalid:
        level = (levels or {}).get(rule.id) or rule.level
        extra = with_fingerprints(sorted(
            (Finding(rule.id, rule.name, level, rule.security_severity, _sentence(i.message), i.loc, (), f"Suppression {i.written}")
             for i in invalid),
            key=Finding.sort_key,
        ))
        kept = sorted([*kept, *extra], key=Finding.sort_key)
    return replace(result, findings=tuple(kept), suppressed=tuple(suppressed))


def _unused(ignores: Sequence[Ignore], used: set[tuple[Ignore, str]], rules: Sequence[Rule]) -> list[_Invalid]:
    """Ids of usable ignores that silenced nothing. An id naming only rules that did not run
    (--select, --ignore) is not reported: it may well be needed by another invocation."""
    found = []
    ran = [r.id for r in rules]
    for ignore in sorted(ignores, key=lambda i: (i.path, i.line)):
        unused = [i for i in ignore.ids if (ignore, i) not in used and any(r.startswith(i) for r in ran)]
        if unused:
            what = "the ignore comment" if ignore.kind == "comment" else f"the {ANNOTATION_KEY} annotation"
            message = f"Unused suppression: {', '.join(unused)} in {what} matched no finding; remove it"
            found.append(_Invalid(Location(ignore.path, ignore.line, ignore.col), message, ignore.written()))
    return found


def check_baseline_rules(path: str, rules: Sequence[Rule], entries: Iterable[str]) -> None:
    """A baseline naming a rule that is not loaded is a misconfiguration (a typo, a custom rules
    directory left out): exit 2 instead of silently matching nothing."""
    problem = unknown_rule(sorted(set(entries)), rules)
    if problem is not None:
        raise ConfigError(f"{path}: baseline: unknown rule {problem}")


def baseline_document(findings: Sequence[Finding]) -> dict[str, object]:
    return {
        "version": BASELINE_VERSION,
        "tool": "irsalint",
        "findings": [
            {"rule": f.rule_id, "entity": f.entity, "path": f.loc.path, "fingerprint": f.fingerprint,
             "message": f.message}
            for f in sorted(findings, key=lambda f: (f.loc.path, f.rule_id, f.entity, f.fingerprint))
        ],
    }


def write_baseline(path: str, findings: Sequence[Finding]) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(baseline_document(findings), indent=2) + "\n")
    except OSError as error:
        raise ConfigError(f"cannot write baseline {path}: {error.strerror or error}") from None


def read_baseline(path: str, rules: Sequence[Rule] | None = None) -> frozenset[str]:
    """The fingerprints of a baseline; with `rules`, every rule it names must be one of them."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise ConfigError(f"{path}: not a baseline (invalid JSON: {error})") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(
        data.get("findings"), list
    ):
        raise ConfigError(f"{path}: not an irsalint baseline (version {BASELINE_VERSION} expected)")
    prints = []
    rule_ids = []
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError(f"{path}: every baseline finding needs a fingerprint")
        prints.append(entry["fingerprint"])
        if isinstance(entry.get("rule"), str):
            rule_ids.append(entry["rule"].upper())
    if rules is not None:
        check_baseline_rules(path, rules, rule_ids)
    return frozenset(prints)


def apply_baseline(result: LintResult, fingerprints: frozenset[str]) -> LintResult:
    kept = tuple(f for f in result.findings if f.fingerprint not in fingerprints)
    baselined = tuple(Suppressed(f, "external", "in the baseline") for f in result.findings if f.fingerprint in fingerprints)
    return replace(result, findings=kept, suppressed=result.suppressed + baselined)


def _sentence(message: str) -> str:
    """Every message ends with a full stop (tests/test_messages.py)."""
    return message if message.endswith((".", "?", ")")) else message + "."
