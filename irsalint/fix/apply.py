"""Applying the fixes of a run: per file, every edit on the original text from the end backwards.

A fix is applied only when its edits overlap no earlier fix's, the edited file still parses with
the same loader, and linting the edited repository no longer reports its finding (nor a new
finding of its rule in its file). Everything else is reported as not applied, with the reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from irsalint.discover import classify
from irsalint.engine import Finding, LintResult
from irsalint.fix.model import SAFE, Edit
from irsalint.fix.source import SourceText
from irsalint.load.dispatch import load_bytes
from irsalint.load.k8s import K8sFile
from irsalint.load.plan import PlanFile
from irsalint.load.terraform import TfFile
from irsalint.record import record, replace

MAX_ROUNDS = 5  # verification rounds of one pass: each drops at least one fix
MAX_PASSES = 4  # passes: fixes left out for overlapping an applied one get another chance
OVERLAP = "it overlaps the fix of an earlier finding"
BREAKS_FILE = "the edited file would no longer parse"
STAYS = "the finding would not go away"
UNVERIFIED = "the fixes could not be verified together"
CHANGED_ON_DISK = "the file changed while irsalint was running"


@record
class FileChange:
    path: str
    before: bytes
    after: bytes


@record
class NotApplied:
    finding: Finding
    reason: str


@record
class FixOutcome:
    changes: tuple[FileChange, ...]  # files whose bytes change, sorted by path
    applied: tuple[Finding, ...]
    not_applied: tuple[NotApplied, ...]
    result: LintResult | None  # the run over the fixed files (None: nothing applied)


def applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (unsafe or finding.fix.applicability == SAFE)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Edits of one file that do not overlap, applied from the end backwards."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _overlap(a: Edit, b: Edit) -> bool:
    """Spans that share a character, or edits that start at one point (two insertions there, or
    an insertion where a replacement starts: which text comes first is not defined). An insertion
    where a replacement ends is fine: it goes after the new text."""
    return a.path == b.path and (a.start < b.end and b.start < a.end or a.start == b.start)


def _parses(path: str, after: bytes) -> bool:
    """The edited file still loads as what it was (a manifest, Terraform, a plan): no IRSA900."""
    kind = classify(path.rsplit("/", 1)[-1])
    return kind is not None and isinstance(load_bytes(path, after, kind), (K8sFile, TfFile, PlanFile))


class _Plan:
    def __init__(self, read: Callable[[str], bytes | None]) -> None:
        self.read = read
        self.originals: dict[str, tuple[bytes, SourceText] | None] = {}

    def original(self, path: str) -> tuple[bytes, SourceText] | None:
        if path not in self.originals:
            data = self.read(path)
            source = SourceText.from_bytes(data) if data is not None else None
            self.originals[path] = (data, source) if data is not None and source is not None else None
        return self.originals[path]

    def render(self, edits: Sequence[Edit], path: str) -> bytes | None:
        found = self.original(path)
        if found is None:
            return None
        _, source = found
        return source.encode(apply_edits(source.text, [e for e in edits if e.path == path]))

    def select(self, fixes: Sequence[Finding]) -> tuple[list[Finding], list[NotApplied], dict[str, bytes]]:
        """The fixes that overlap no earlier one and keep every file parseable, in order."""
        accepted: list[Finding] = []
        refused: list[NotApplied] = []
        edits: list[Edit] = []
        files: dict[str, bytes] = {}
        for finding in fixes:
            assert finding.fix is not None
            new = finding.fix.edits
            if any(_overlap(a, b) for a in new for b in edits):
                refused.append(NotApplied(finding, OVERLAP))
                continue
            trial = {p: self.render([*edits, *new], p) for p in finding.fix.paths}
            if any(t is None or not _parses(p, t) for p, t in trial.items()):
                refused.append(NotApplied(finding, BREAKS_FILE))
                continue
            accepted.append(finding)
            edits.extend(new)
            files.update({p: t for p, t in trial.items() if t is not None})
        return accepted, refused, files


def _stayed(applied: Sequence[Finding], before: Sequence[Finding], after: Sequence[Finding]) -> set[str]:
    """Fingerprints of applied fixes whose finding is still there: more findings of its rule,
    entity and file than before minus the fixed ones, or a new finding of its rule in its file
    (an edit that renames the entity, such as a ServiceAccount's namespace, and did not help)."""
    def key(finding: Finding) -> tuple[str, str, str]:
        return finding.rule_id, finding.entity, finding.loc.path

    expected = Counter(key(f) for f in before)
    expected.subtract(key(f) for f in applied)
    present = Counter(key(f) for f in after)
    known = {key(f) for f in before}
    stayed: set[str] = set()
    for finding in applied:
        more = present[key(finding)] > max(expected[key(finding)], 0)
        new = any(k not in known and k[0] == finding.rule_id and k[2] == finding.loc.path for k in present)
        if more or new:
            stayed.add(finding.fingerprint)
    return stayed


def plan_fixes(
    result: LintResult,
    unsafe: bool,
    read: Callable[[str], bytes | None],
    relint: Callable[[Mapping[str, bytes]], LintResult],
) -> FixOutcome:
    """Choose and verify the fixes of `result`'s findings; nothing is written here. Fixes left
    out because they overlap an applied one are tried again on the fixed text (as ruff does), so
    that a second --fix has nothing left to do."""
    files: dict[str, bytes] = {}
    applied: list[Finding] = []
    current, outcome = result, None
    for _ in range(MAX_PASSES):
        def overlaid(path: str) -> bytes | None:
            return files[path] if path in files else read(path)

        outcome = _one_pass(current, unsafe, overlaid, lambda overlay: relint({**files, **overlay}))
        if outcome.result is None:
            break
        applied.extend(outcome.applied)
        files.update({c.path: c.after for c in outcome.changes})
        current = outcome.result
        if not any(n.reason == OVERLAP for n in outcome.not_applied):
            break
    not_applied = outcome.not_applied if outcome is not None else ()
    if not applied:
        return FixOutcome((), (), not_applied, None)
    changes = []
    for path in sorted(files):
        original = read(path)
        if original is not None and original != files[path]:
            changes.append(FileChange(path, original, files[path]))
    return FixOutcome(tuple(changes), tuple(applied), not_applied, current)


def _one_pass(
    result: LintResult,
    unsafe: bool,
    read: Callable[[str], bytes | None],
    relint: Callable[[Mapping[str, bytes]], LintResult],
) -> FixOutcome:
    plan = _Plan(read)
    candidates = [f for f in result.findings if applicable(f, unsafe)]
    not_applied: list[NotApplied] = []
    for _ in range(MAX_ROUNDS):
        accepted, refused, files = plan.select(candidates)
        changed = {p: b for p, b in files.items() if (o := plan.original(p)) is not None and o[0] != b}
        if not accepted or not changed:
            not_applied.extend(refused)
            not_applied.extend(NotApplied(f, STAYS) for f in accepted)
            return FixOutcome((), (), tuple(not_applied), None)
        after = relint(changed)
        stayed = _stayed(accepted, result.findings, after.findings)
        if not stayed:
            not_applied.extend(refused)
            changes = tuple(FileChange(p, plan.original(p)[0], b) for p, b in sorted(changed.items()))  # type: ignore[index]
            return FixOutcome(changes, tuple(accepted), tuple(not_applied), after)
        not_applied.extend(NotApplied(f, STAYS) for f in accepted if f.fingerprint in stayed)
        candidates = [f for f in candidates if f.fingerprint not in stayed]
    not_applied.extend(NotApplied(f, UNVERIFIED) for f in candidates)
    return FixOutcome((), (), tuple(not_applied), None)


def without_fixes(result: LintResult, not_applied: Sequence[NotApplied]) -> LintResult:
    """The result with the fixes that were tried and refused taken off their findings, so that the
    report after --fix does not offer them again."""
    refused = {n.finding.fingerprint for n in not_applied}
    if not refused:
        return result
    findings = tuple(replace(f, fix=None) if f.fingerprint in refused else f for f in result.findings)
    return replace(result, findings=findings)
