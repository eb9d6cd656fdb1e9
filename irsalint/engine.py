"""discover -> load -> project -> graph -> rules -> sorted, de-duplicated findings."""

from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from irsalint.discover import SourceFile, discover
from irsalint.errors import CheckError
from irsalint.load import LoadResult, load_path
from irsalint.model import Location, SkipNote
from irsalint.project import Project, build_project
from irsalint.rules import Rule

LEVEL_RANK = {"note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_name: str
    level: str
    security_severity: float | None
    message: str
    loc: Location
    related: tuple[tuple[str, Location], ...]
    entity: str
    fingerprint: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.loc.path, self.loc.line, self.loc.col, self.rule_id, self.message)


@dataclass(frozen=True, slots=True)
class LintOptions:
    jobs: int = 0  # 0: one per core
    exclude: tuple[str, ...] = ()
    max_bytes: int | None = None
    params: dict[str, object] = field(default_factory=dict)  # config options passed to checks
    levels: dict[str, str] = field(default_factory=dict)  # rule id -> level override


@dataclass(frozen=True, slots=True)
class LintResult:
    findings: tuple[Finding, ...]
    project: Project
    rules: tuple[Rule, ...]
    files_scanned: int
    seconds: float
    base: str


def load_all(sources: Sequence[SourceFile], jobs: int, max_bytes: int | None) -> list[LoadResult]:
    """Parse every file, in worker processes when it pays off; results keep the input order."""
    jobs = jobs or (os.cpu_count() or 1)
    terraform_files = sum(1 for s in sources if s.kind == "terraform")
    if jobs <= 1 or terraform_files < 16:
        return [load_path(s.path, s.abspath, s.kind, max_bytes) for s in sources]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from irsalint.load.hcl import _parser

    _parser()  # build the grammar once, before forking, so workers inherit it
    context: Any
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        context = multiprocessing.get_context()
    chunk = max(1, len(sources) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(
            pool.map(
                load_path,
                [s.path for s in sources],
                [s.abspath for s in sources],
                [s.kind for s in sources],
                [max_bytes] * len(sources),
                chunksize=chunk,
            )
        )


def run_rules(project: Project, rules: Sequence[Rule], options: LintOptions) -> list[Finding]:
    from irsalint.checks import CHECKS
    from irsalint.graph import IrsaGraph

    graph = IrsaGraph(project)
    findings: set[Finding] = set()
    for rule in rules:
        check = CHECKS[rule.function]
        params = {**options.params, **rule.params}
        try:
            hits = list(check(graph, params))
        except Exception as error:
            raise CheckError(rule.id, error) from error
        for hit in hits:
            level = options.levels.get(rule.id) or hit.level or rule.level
            findings.add(
                Finding(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    level=level,
                    security_severity=hit.security_severity if hit.security_severity is not None else rule.security_severity,
                    message=hit.message,
                    loc=hit.loc,
                    related=tuple(r for r in hit.related if r[1] != hit.loc),
                    entity=hit.entity,
                )
            )
    return with_fingerprints(sorted(findings, key=Finding.sort_key))


def with_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """rule + entity + path (+ occurrence among equals), never line numbers: stable when unrelated
    lines move, so baselines and code scanning keep tracking the same finding."""
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    result = []
    for finding in findings:
        key = (finding.rule_id, finding.entity, finding.loc.path)
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\x1f".join([*key, str(occurrence)]).encode()).hexdigest()[:32]
        result.append(replace(finding, fingerprint=digest))
    return result


def lint(paths: Sequence[str], rules: Sequence[Rule], options: LintOptions) -> LintResult:
    started = time.perf_counter()
    sources, notes, base = discover(list(paths), options.exclude)
    results = load_all(sources, options.jobs, options.max_bytes)
    project = build_project(results, notes)
    findings = run_rules(project, rules, options)
    return LintResult(
        findings=tuple(findings),
        project=project,
        rules=tuple(rules),
        files_scanned=len(sources),
        seconds=time.perf_counter() - started,
        base=str(base),
    )


def skipped(result: LintResult) -> tuple[SkipNote, ...]:
    return result.project.skipped
