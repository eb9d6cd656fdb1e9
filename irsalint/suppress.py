"""Inline ignores, the `irsalint.dev/ignore` annotation, and baselines (SPEC §6).

Findings -> (reported, suppressed). Nothing here changes a finding: a suppressed finding keeps its
fingerprint and is recorded with why it was left out, so SARIF can carry it under
`--include-suppressed` and the text summary can count it.

- `# irsalint: ignore=IRSA004,IRSA005 -- reason` (or `// irsalint: ...` in HCL): written at the end
  of the offending line it covers that line; written alone on a line it covers the next line.
  Ids may be prefixes (`IRSA00`), as with --ignore.
- `irsalint.dev/ignore: "IRSA004"` in the metadata.annotations of a Kubernetes object (or of a
  Terraform kubernetes_service_account): covers findings whose primary location lies inside that
  object (its YAML document, its Terraform block).
- A baseline records findings by fingerprint (rule + entity + path + occurrence, no line numbers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from irsalint.engine import Finding, LintResult, Suppressed
from irsalint.errors import ConfigError
from irsalint.model import Annotation, ServiceAccount, Workload
from irsalint.project import Project

ANNOTATION_KEY = "irsalint.dev/ignore"
BASELINE_VERSION = 1
_COMMENT_RE = re.compile(
    r"(?P<lead>#|//)\s*irsalint:\s*ignore\s*=\s*(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
    r"\s*(?:--\s*(?P<reason>.*?))?\s*$"
)
_DOC_SEPARATOR_RE = re.compile(r"^(---|\.\.\.)(\s|$)")
_TF_BLOCK_RE = re.compile(r'^\s*resource\s+"kubernetes_service_account')


@dataclass(frozen=True, slots=True)
class Ignore:
    """One ignore written in the repository, and the lines it covers."""

    path: str
    line: int  # where it is written
    ids: tuple[str, ...]
    reason: str
    first: int  # first covered line
    last: int  # last covered line
    kind: str  # "comment" | "annotation"

    def covers(self, finding: Finding) -> bool:
        loc = finding.loc
        return (
            loc.path == self.path
            and self.first <= loc.line <= self.last
            and any(finding.rule_id == i or finding.rule_id.startswith(i) for i in self.ids)
        )

    def describe(self) -> str:
        return f"{self.path}:{self.line}: unused irsalint {self.kind} ignore={','.join(self.ids)}"


def parse_ids_and_reason(text: str) -> tuple[tuple[str, ...], str]:
    ids_text, _, reason = text.partition("--")
    ids = tuple(part.strip().upper() for part in ids_text.split(",") if part.strip())
    return ids, reason.strip()


def comment_ignores(path: str, text: str) -> list[Ignore]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if "irsalint:" not in line:
            continue
        match = _COMMENT_RE.search(line)
        if match is None:
            continue
        ids = tuple(i.strip().upper() for i in match.group("ids").split(","))
        own_line = line[: match.start()].strip() == ""
        last = number + 1 if own_line else number
        found.append(Ignore(path, number, ids, match.group("reason") or "", number, last, "comment"))
    return found


class SourceCache:
    """File text by display path, read once (findings are sorted by path, so this stays small)."""

    def __init__(self, base: str) -> None:
        self.base = Path(base)
        self._text: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self._text:
            try:
                self._text[path] = (self.base / path).read_text("utf-8", errors="replace").splitlines()
            except OSError:
                self._text[path] = []
        return self._text[path]


# --- annotation ignores ------------------------------------------------------------------------


def _own_lines(obj: ServiceAccount | Workload) -> list[int]:
    lines = [obj.name_loc.line, *(a.loc.line for a in obj.annotations)]
    if obj.automount_loc is not None:
        lines.append(obj.automount_loc.line)
    if isinstance(obj, Workload):
        lines.extend(a.loc.line for a in obj.template_annotations)
        lines.extend(e.loc.line for e in obj.env)
        if obj.service_account_loc is not None:
            lines.append(obj.service_account_loc.line)
    return lines


def _yaml_document(lines: Sequence[str], line: int) -> tuple[int, int]:
    first, last = 1, len(lines)
    for number in range(line - 1, 0, -1):
        if _DOC_SEPARATOR_RE.match(lines[number - 1]):
            first = number + 1
            break
    for number in range(line + 1, len(lines) + 1):
        if _DOC_SEPARATOR_RE.match(lines[number - 1]):
            last = number - 1
            break
    return first, last


def _terraform_block(lines: Sequence[str], line: int) -> tuple[int, int]:
    start = line
    for number in range(line, 0, -1):
        if _TF_BLOCK_RE.match(lines[number - 1]):
            start = number
            break
    depth = 0
    opened = False
    for number in range(start, len(lines) + 1):
        in_string = False
        previous = ""
        for char in lines[number - 1]:
            if char == '"' and previous != "\\":
                in_string = not in_string
            elif not in_string and char == "#":
                break
            elif not in_string and char == "{":
                depth, opened = depth + 1, True
            elif not in_string and char == "}":
                depth -= 1
            previous = char
        if opened and depth <= 0:
            return start, number
    return start, len(lines)


def annotation_ignores(project: Project, sources: SourceCache) -> list[Ignore]:
    objects: list[ServiceAccount | Workload] = [*project.service_accounts, *project.workloads]
    starts_by_path: dict[str, list[int]] = {}
    for obj in objects:
        starts_by_path.setdefault(obj.name_loc.path, []).append(obj.name_loc.line)
    found: dict[tuple[str, int], Ignore] = {}
    for obj in objects:
        annotations: Iterable[Annotation] = obj.annotations
        if isinstance(obj, Workload):
            annotations = (*obj.annotations, *obj.template_annotations)
        for annotation in annotations:
            if annotation.key != ANNOTATION_KEY or not isinstance(annotation.value, str):
                continue
            ids, reason = parse_ids_and_reason(annotation.value)
            path = obj.name_loc.path
            lines = sources.lines(path)
            if isinstance(obj, ServiceAccount) and obj.origin == "terraform":
                first, last = _terraform_block(lines, obj.name_loc.line)
            else:
                first, last = _yaml_document(lines, obj.name_loc.line)
                others = [s for s in starts_by_path[path] if first <= s <= last and s != obj.name_loc.line]
                if others:  # several objects in one document (kind: List): only the object's own keys
                    own = _own_lines(obj)
                    first, last = min(own), max(own)
            key = (path, annotation.loc.line)
            if key not in found:  # kustomize renderings repeat the same object
                found[key] = Ignore(path, annotation.loc.line, ids, reason, first, last, "annotation")
    return list(found.values())


# --- applying them -----------------------------------------------------------------------------


def apply_ignores(result: LintResult, scan_all_files: bool = False) -> tuple[LintResult, list[Ignore]]:
    """Drop findings covered by an inline or annotation ignore; return the ignores that matched nothing.

    Comments are read from the files of findings; with scan_all_files (--warn-unused-ignores) from
    every scanned file, so that an ignore in a file without findings is reported too."""
    sources = SourceCache(result.base)
    ignores = annotation_ignores(result.project, sources)
    paths = set(result.project.files) if scan_all_files else {f.loc.path for f in result.findings}
    for path in sorted(paths):
        lines = sources.lines(path)
        if any("irsalint:" in line for line in lines):
            ignores.extend(comment_ignores(path, "\n".join(lines)))
    used: set[Ignore] = set()
    kept: list[Finding] = []
    suppressed = list(result.suppressed)
    by_path: dict[str, list[Ignore]] = {}
    for ignore in ignores:
        by_path.setdefault(ignore.path, []).append(ignore)
    for finding in result.findings:
        matching = [i for i in by_path.get(finding.loc.path, ()) if i.covers(finding)]
        if not matching:
            kept.append(finding)
            continue
        used.update(matching)
        suppressed.append(Suppressed(finding, "inSource", matching[0].reason))
    rule_ids = {rule.id for rule in result.rules}
    unused = [
        i for i in sorted(ignores, key=lambda i: (i.path, i.line))
        if i not in used and any(r == x or r.startswith(x) for x in i.ids for r in rule_ids)
    ]
    return replace(result, findings=tuple(kept), suppressed=tuple(suppressed)), unused


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


def read_baseline(path: str) -> frozenset[str]:
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
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError(f"{path}: every baseline finding needs a fingerprint")
        prints.append(entry["fingerprint"])
    return frozenset(prints)


def apply_baseline(result: LintResult, fingerprints: frozenset[str]) -> LintResult:
    kept = tuple(f for f in result.findings if f.fingerprint not in fingerprints)
    baselined = tuple(Suppressed(f, "external", "in the baseline") for f in result.findings if f.fingerprint in fingerprints)
    return replace(result, findings=kept, suppressed=result.suppressed + baselined)
