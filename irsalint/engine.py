"""discover -> load -> project -> graph -> rules -> sorted, de-duplicated findings."""

from __future__ import annotations

import gc
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from irsalint.cache import Cache
from irsalint.core import Location, SkipNote
from irsalint.digest import hasher, hexdigest, sha256_hexdigest
from irsalint.discover import SourceFile, discover
from irsalint.errors import CheckError
from irsalint.fix.model import NONE, Fix
from irsalint.load.reading import read_stamped, size_cap, too_large
from irsalint.record import field, record, replace
from irsalint.rules import STAGE_CHECKS, Rule
from irsalint.summary import ProjectSummary

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:  # imported where used: a run reused from the cache needs none of them
    from typing import Any

    from irsalint.checks.base import Hit
    from irsalint.load.dispatch import LoadResult
    from irsalint.load.terraform import TfFile
    from irsalint.project import Project, TerraformPart
    from irsalint.summary import ProjectView

LEVEL_RANK = {"note": 1, "warning": 2, "error": 3}
CACHE_DIRNAME = ".irsalint_cache"
# read_sources' entry for a Terraform file the prefilter ruled out: load_all makes it an empty file
PREFILTERED = None


@record
class Finding:
    """One reported defect: a rule's verdict at a location, with its fix and fingerprint."""

    rule_id: str
    rule_name: str
    level: str
    security_severity: float | None
    message: str
    loc: Location
    related: tuple[tuple[str, Location], ...]
    entity: str
    fingerprint: str = ""
    fix: Fix | None = field(default=None, compare=False)  # resolved edits (irsalint.fix)

    def sort_key(self) -> tuple[str, int, int, str, str, str, tuple[tuple[str, Location], ...]]:
        # total: findings that tie on position, rule and message still sort the same in every run
        return (self.loc.path, self.loc.line, self.loc.col, self.rule_id, self.message, self.entity, self.related)


@record
class LintOptions:
    """How lint() runs: processes, cache, prefilter, exclusions, rule parameters and levels."""

    jobs: int = 0  # processes that parse, this one included; 0: by CPUs and input size (irsalint.parallel)
    cache: bool = False  # the CLI turns it on unless --no-cache
    cache_dir: str | None = None  # default: <base>/.irsalint_cache
    prefilter: bool = True
    exclude: tuple[str, ...] = ()
    max_bytes: int | None = None
    params: dict[str, object] = field(default_factory=dict)  # config options passed to checks
    levels: dict[str, str] = field(default_factory=dict)  # rule id -> level override
    root_exclude: tuple[str, ...] = ()  # globs relative to exclude_root (the config file's directory)
    exclude_root: str | None = None
    root: str | None = None  # paths are relative to it (the repository root); None: see discover
    progress: Callable[[str], None] | None = None  # told each stage, for a progress line
    # root-relative path -> bytes read instead of the file's (fixes are verified before writing)
    overlay: Mapping[str, bytes] = field(default_factory=dict)
    # the result must carry the Project itself (irsalint graph), not the summary a whole unchanged
    # run keeps in the cache: the run is then redone (each file's parse still comes from the cache)
    need_project: bool = False


@record
class Suppressed:
    """A finding left out of the report: by an inline comment / annotation, or by the baseline."""

    finding: Finding
    kind: str  # "inSource" (comment or annotation) | "external" (baseline), as in SARIF
    justification: str = ""


@record
class LintResult:
    """What lint() returns: the findings, the project (or its cached summary) and the run's facts."""

    findings: tuple[Finding, ...]
    project: ProjectView  # the Project, or its summary when the whole run came from the cache
    rules: tuple[Rule, ...]
    files_scanned: int
    seconds: float
    base: str
    suppressed: tuple[Suppressed, ...] = ()
    # files whose bytes mention "irsalint" (suppressions are looked for there); None: not known
    mentions_irsalint: frozenset[str] | None = None


# A Terraform file with none of these cannot contribute to any rule: not worth a parse.
_RELEVANT_TERRAFORM = (b"aws_iam", b"aws_eks", b"kubernetes_", b"kubectl_", b"helm_release", b":role/")
_RELEVANT_TERRAFORM_WORDS = (b"module", b"variable", b"locals", b"output")
_RELEVANT_TERRAFORM_WORDS_RE = re.compile(rb"\b(?:" + b"|".join(_RELEVANT_TERRAFORM_WORDS) + rb")\b")


def could_matter(source: SourceFile, data: bytes) -> bool:
    """False for a Terraform file no rule can use. Binary files still go to the loader (a skip
    note); a syntax error in an unrelated file goes unreported (that is `terraform validate`'s job)."""
    if source.kind != "terraform" or source.path.endswith((".tfvars", ".tfvars.json")) or data.find(b"\x00", 0, 8192) >= 0:
        return True
    # substring searches first: one regular expression of all the alternatives took 8 ms for the
    # 1k-service corpus's 2,002 files; the words still need their boundaries
    for text in _RELEVANT_TERRAFORM:
        if text in data:
            return True
    for word in _RELEVANT_TERRAFORM_WORDS:
        if word in data:
            return _RELEVANT_TERRAFORM_WORDS_RE.search(data) is not None
    return False


def _cache_for(options: LintOptions, base: Path) -> Cache | None:
    if not options.cache:
        return None
    return Cache(Path(options.cache_dir) if options.cache_dir else base / CACHE_DIRNAME)


def read_sources(
    sources: Sequence[SourceFile],
    options: LintOptions,
    mentioning: set[str] | None = None,
    statuses: list[os.stat_result | None] | None = None,
) -> list[bytes | LoadResult | None]:
    """Each file's bytes, or already its result (unreadable, over the size cap), or PREFILTERED.
    `mentioning` collects the files that mention irsalint, while their bytes are at hand;
    `statuses` each file's status taken as it was opened (None: unreadable, or an overlay)."""
    contents: list[bytes | LoadResult | None] = []
    for source in sources:
        try:
            overlaid = options.overlay.get(source.path)
            status = None
            if overlaid is not None:
                data: bytes | int = overlaid
            else:
                data, status = read_stamped(source.abspath, source.kind, options.max_bytes)
        except OSError as error:
            contents.append(SkipNote(source.path, f"cannot read: {error.strerror or error}"))
            if statuses is not None:
                statuses.append(None)
            continue
        if statuses is not None:
            statuses.append(status)
        if mentioning is not None and not isinstance(data, int) and b"irsalint" in data:
            mentioning.add(source.path)
        if isinstance(data, int):  # over the size cap: never read into memory
            contents.append(too_large(source.path, data, size_cap(source.kind, options.max_bytes), source.kind))
        elif options.prefilter and source.kind == "terraform" and not could_matter(source, data):
            contents.append(PREFILTERED)
        else:
            contents.append(data)
    return contents


def load_all(
    sources: Sequence[SourceFile],
    options: LintOptions,
    base: Path,
    contents: Sequence[bytes | LoadResult | None] | None = None,
    cache: Cache | None = None,
    terraform_loaded: Callable[[list[TfFile]], object] | None = None,
) -> list[LoadResult]:
    """Parse every file (cache first, then forked helper processes when it pays off); input order
    kept. `terraform_loaded` is given every Terraform file (TfFile, in input order) as soon as
    they are loaded, while the manifests may still be (irsalint.project.terraform_part). The new
    cache entries are written in a forked child while the run goes on (when --jobs allows a
    second process): the caller waits for it with cache.wait()."""
    from functools import partial

    from irsalint.load.hcl import Body
    from irsalint.load.terraform import TfFile
    from irsalint.parallel import in_background

    settings = f"max_bytes={options.max_bytes}"
    if contents is None:
        contents = read_sources(sources, options)
    results: list[LoadResult | None] = [None] * len(sources)
    pending: list[tuple[int, str, bytes, str, str]] = []
    for index, (source, data) in enumerate(zip(sources, contents)):
        if data is PREFILTERED:
            results[index] = TfFile(source.path, Body((), ()), is_tfvars=False)
            continue
        if not isinstance(data, bytes):
            results[index] = data
            continue
        key = cache.entry_key(source.path, source.kind, data, settings) if cache else ""
        cached = cache.get(key) if cache else None
        if cached is not None:
            results[index] = cached
            continue
        pending.append((index, source.path, data, source.kind, key))

    def on_terraform(parsed: dict[int, LoadResult]) -> None:
        """The parsed Terraform files into `results`, then every Terraform file (cached ones too)
        to terraform_loaded."""
        assert terraform_loaded is not None
        for position, result in parsed.items():
            results[pending[position][0]] = result
        terraform_loaded([r for r in results if isinstance(r, TfFile)])

    parsed = _parse(pending, options, on_terraform if terraform_loaded else None)
    for (index, _, _, _, key), result in zip(pending, parsed):
        results[index] = result
        if cache is not None:
            cache.put(key, result)
    if cache is not None and pending:
        cache.flush(background=partial(in_background, jobs=options.jobs, total_bytes=sum(len(p[2]) for p in pending)))
    loaded: list[LoadResult] = []
    for entry in results:
        if entry is not None:
            loaded.append(entry)
            if isinstance(entry, TfFile):  # partly parsed: the blocks kept and the IRSA900
                loaded.extend(entry.diagnostics)
    return loaded


def run_key(sources: Sequence[SourceFile], contents: Sequence[bytes | LoadResult | None], settings: bytes) -> str:
    """Everything a run's findings depend on: every file's path and content, and `settings`
    (run_settings: the rules and their parameters, the options). Equal keys give equal findings."""
    digest = hasher()
    digest.update(b"run\0")
    for source, data in zip(sources, contents):
        digest.update(f"{source.path}\0{source.kind}\0".encode())
        digest.update(hexdigest(data).encode() if isinstance(data, bytes) else repr(data).encode())
    digest.update(settings)
    return digest.hexdigest()


def run_settings(notes: Sequence[SkipNote], rules: Sequence[Rule], options: LintOptions) -> bytes:
    """What a run's findings depend on besides its files: discovery's notes, the rules, the options."""
    parts = [f"{note.path}\0{note.reason}\0" for note in notes]
    parts += [repr((rule.id, rule.name, rule.level, rule.security_severity, rule.function,
                    sorted(rule.params.items()), rule.fix)) for rule in rules]
    parts.append(repr((sorted(options.params.items()), sorted(options.levels.items()), options.prefilter,
                       options.max_bytes)))
    return "".join(parts).encode()


# A file changed less than this long before a run may change again within the same file-system
# timestamp tick, size unchanged: such a run is not recorded by its files' stamps (git's "racy
# clean" entries). The content-keyed entry still serves it.
RACY_NANOSECONDS = 2_000_000_000


def stamp_key(sources: Sequence[SourceFile], settings: bytes) -> tuple[str, int] | None:
    """A key from every file's path, size, inode, modification and change times (no file is read)
    and `settings`, and the newest of those times; None when a file cannot be stat'ed (the run
    reads them all)."""
    statuses: list[os.stat_result | None] = []
    for source in sources:
        try:
            statuses.append(os.stat(source.abspath))
        except OSError:
            return None
    return stamps_key(sources, statuses, settings)


def stamps_key(
    sources: Sequence[SourceFile], statuses: Sequence[os.stat_result | None], settings: bytes
) -> tuple[str, int] | None:
    """stamp_key() from statuses already taken (by stat, or as each file was opened to be read)."""
    stamps: list[str] = []
    newest = 0
    for source, status in zip(sources, statuses):
        if status is None:
            return None
        newest = max(newest, status.st_mtime_ns, status.st_ctime_ns)
        stamps.append(f"{source.path}\0{source.kind}\0{status.st_size}:{status.st_ino}:{status.st_mtime_ns}:"
                      f"{status.st_ctime_ns}\0")
    # one update for the stamps: hashing is the same, the calls are not
    return hexdigest(b"stamps\0", "".join(stamps).encode(), settings), newest


def _parse(
    pending: Sequence[tuple[int, str, bytes, str, str]],
    options: LintOptions,
    terraform_loaded: Callable[[dict[int, LoadResult]], object] | None = None,
) -> list[LoadResult]:
    """Parse the files, in forked helper processes too when the input is big enough (irsalint.parallel).
    The tree-sitter grammar is loaded before forking, so helpers inherit it. Terraform goes first
    everywhere: `terraform_loaded` (given the Terraform files' results by position in `pending`)
    runs here as soon as they are all in, while the helpers go on with the manifests."""
    from irsalint.load.dispatch import load_bytes
    from irsalint.load.hcl_treesitter import _parser
    from irsalint.parallel import map_forked

    if any(item[3] == "terraform" for item in pending):
        _parser()

    def load(index: int) -> LoadResult:
        _, path, data, kind, _ = pending[index]
        return load_bytes(path, data, kind, options.max_bytes)

    # Weights per byte: Terraform loads ~1.5x slower than YAML (1k-service bench corpus: 0.73 MB
    # of .tf in 0.38 s, 0.72 MB of manifests in 0.21 s with libyaml's composer), but a helper also
    # pays to send its AST back; 10:7 balanced the two processes best (load phase 0.41 s; 10:8
    # 0.42-0.45 s, 10:6 0.41-0.45 s, 10:5 0.46 s).
    costs = [len(data) * (10 if kind == "terraform" else 7) for _, _, data, kind, _ in pending]
    cheap = [item[3] == "yaml" for item in pending]  # manifests come back as small records
    early = [item[3] == "terraform" for item in pending]
    # What terraform_loaded costs this process, per unit of Terraform's weight: on the bench corpus
    # build_terraform_facts takes 0.085 s after 0.29 s of loading its share. 0.4 balances the two
    # processes since the manifests load faster (2026-12-06: libyaml's composer, the tag memo,
    # substring tests before the per-file expressions). Alternating runs, 0.25 -> 0.3 -> 0.35:
    # 1k services 662 -> 639 -> 636 ms, 2,500 services 1.52 -> 1.48 -> 1.47 s, 300 services
    # 272 -> 272 -> 266 ms; then 0.35 -> 0.4: 628 -> 625 ms, 1.444 -> 1.432 s, 264 -> 262 ms;
    # 0.45 leaves this process waiting for the helper's manifests.
    reserve = TERRAFORM_FACTS_COST * sum(c for c, first in zip(costs, early) if first) if terraform_loaded else 0
    return map_forked(load, costs, cheap, options.jobs, early, terraform_loaded, reserve)


TERRAFORM_FACTS_COST = 0.4


def run_rules(
    project: Project, rules: Sequence[Rule], options: LintOptions, files: Mapping[str, bytes] | None = None,
    busy: int = 0,
) -> list[Finding]:
    """`files`: the bytes of the scanned files, to turn the checks' fix intents into edits. On a
    big project the rules are shared with a forked helper (rule_processes); `busy`: CPUs other
    work of this run takes meanwhile (the cache's background writer)."""
    from irsalint.checks import CHECKS
    from irsalint.fix.resolve import Resolver
    from irsalint.graph import IrsaGraph
    from irsalint.parallel import map_forked

    graph = IrsaGraph(project, options.params.get("clusters"))  # type: ignore[arg-type]
    resolver = Resolver((files or {}).get)
    checked = [rule for rule in rules if rule.function not in STAGE_CHECKS]  # IRSA901: suppress.py

    def findings_of(index: int) -> list[Finding]:
        rule = checked[index]
        params = {**options.params, **rule.params}
        try:
            hits = merge_hits(list(CHECKS[rule.function](graph, params)))
        except Exception as error:
            raise CheckError(rule.id, error) from error
        found: list[Finding] = []
        for hit in hits:
            level = options.levels.get(rule.id) or hit.level or rule.level
            try:
                fixable = hit.fix is not None and rule.fix != NONE and not _edits_dump(hit, project)
                fix = resolver.resolve(hit.fix, rule.fix) if fixable and hit.fix is not None else None
            except Exception as error:  # a bug in a fix is a bug of the rule: say which (exit 2)
                raise CheckError(rule.id, error) from error
            if fix is not None and set(fix.paths) & project.live.dump_paths:
                fix = None  # an AWS account dump is a record of the account: editing it fixes nothing
            found.append(
                Finding(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    level=level,
                    security_severity=hit.security_severity if hit.security_severity is not None else rule.security_severity,
                    message=hit.message,
                    loc=hit.loc,
                    related=tuple(r for r in hit.related if r[1] != hit.loc),
                    entity=hit.entity,
                    fix=fix,
                )
            )
        return found

    units = rule_units([rule.function for rule in checked])
    costs = [unit_cost([checked[i].function for i in unit]) for unit in units]
    processes = rule_processes(options.jobs, len(project.files), busy)
    per_unit = map_forked(lambda u: [f for i in units[u] for f in findings_of(i)], costs, [True] * len(units), processes)
    findings = {finding for found in per_unit for finding in found}
    return with_fingerprints(sorted(findings, key=Finding.sort_key))


def unit_cost(functions: Sequence[str]) -> int:
    """What running these checks together costs (RULE_COSTS), their shared index counted once."""
    indexes = {SHARED_INDEXES[f] for f in functions if f in SHARED_INDEXES}
    return sum(RULE_COSTS.get(f, DEFAULT_RULE_COST) for f in functions) + sum(INDEX_COSTS[i] for i in indexes)


def rule_units(functions: Sequence[str]) -> list[list[int]]:
    """The rules (by index) grouped into what one process runs: the checks that read one per-run
    index (SHARED_INDEXES) together, so that it is computed once; every other rule alone."""
    units: list[list[int]] = []
    by_index: dict[str, list[int]] = {}
    for position, function in enumerate(functions):
        index = SHARED_INDEXES.get(function)
        if index is None:
            units.append([position])
        elif index in by_index:
            by_index[index].append(position)
        else:
            by_index[index] = [position]
            units.append(by_index[index])
    return units


# What each check costs, relative to the others (the 10k-service bench corpus, 2026-12-06, ms, the
# per-run indexes they read already built; trust_mismatch's own index included): only for sharing
# the rules between processes evenly; any other weights give the same findings.
RULE_COSTS = {
    "trust_mismatch": 170, "trust_policy_size": 95, "orphan_role": 72, "credentials_override": 53,
    "session_tags": 50, "automount_disabled": 43, "partition_mismatch": 39, "trust_audience": 30,
    "wildcard_resource": 28, "privilege_escalation": 27, "annotation_key_typo": 24,
    "oidc_provider_mismatch": 22, "malformed_condition_key": 20, "stringequals_wildcard": 19,
    "token_expiration": 16, "shared_role": 16, "wildcard_action": 15, "trust_wildcard_subject": 9,
    "unsupported_compute": 8,
}  # fmt: skip
DEFAULT_RULE_COST = 3
# The checks that read one index computed once per run (IrsaGraph.derived), and what the index
# costs (same corpus): where the rules are shared between processes, the checks of one index run
# in one process, so that it is computed once (1k-service corpus: the Allow statements took
# 10 ms in each process that ran one of their three rules). Only the split depends on it: any
# grouping gives the same findings.
SHARED_INDEXES = {
    "wildcard_action": "allow_statements", "wildcard_resource": "allow_statements",
    "privilege_escalation": "allow_statements",
    "malformed_condition_key": "eks_statements", "multivalued_operator": "eks_statements",
    "stringequals_wildcard": "eks_statements", "trust_any_serviceaccount": "eks_statements",
    "trust_audience": "eks_statements", "trust_wildcard_subject": "eks_statements",
}  # fmt: skip
INDEX_COSTS = {"allow_statements": 158, "eks_statements": 28}
# A helper for the rules pays from about this many scanned files (docs/design.md, "The rules on big
# projects").
PARALLEL_RULES_MIN_FILES = 2_000
# Above this many, the helper's copy-on-write pages of the model cost more memory than its time is
# worth (200,000 files: +600 MB for the process tree).
PARALLEL_RULES_MAX_FILES = 100_000


def rule_processes(jobs: int, scanned_files: int, busy: int = 0) -> int:
    """How many processes run the rules: one, unless the project is big enough for a forked helper
    to pay (or `--jobs N` asks for N) and small enough for its memory to stay reasonable. By
    default a CPU that `busy` work takes (the cache's background writer) is left to it: a helper
    competing with it made a first run with the cache slower (1k services: 747 against 721 ms)."""
    from irsalint.parallel import default_processes

    if jobs == 1 or scanned_files > PARALLEL_RULES_MAX_FILES:
        return 1
    if jobs > 1:
        return jobs
    return max(1, default_processes() - busy) if scanned_files >= PARALLEL_RULES_MIN_FILES else 1


def _edits_dump(hit: Hit, project: Project) -> bool:
    """A `kubectl get` dump is what the cluster said, not a source: --fix never edits one."""
    return hit.fix is not None and any(change.at.path in project.live_files for change in hit.fix.changes)


_LEVEL_OF_HIT = {None: 0, "note": 1, "warning": 2, "error": 3}
MAX_RELATED = 10


def merge_hits(hits: Sequence[Hit]) -> list[Hit]:
    """One defect, one finding (SPEC §4.1): hits of one rule at one location about one entity are
    one finding. The renderings of a kustomize base line merge into one that names them all."""
    groups: dict[tuple[Location, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.loc, hit.entity), []).append(hit)
    merged: list[Hit] = []
    for group in groups.values():
        unique = sorted(set(group), key=lambda h: (h.rendering, h.message, h.related))
        if len(unique) == 1:
            merged.append(unique[0])
            continue
        first = unique[0]
        renderings = sorted({h.rendering for h in unique if h.rendering})
        messages = sorted({h.message for h in unique})
        note = ""
        if len(renderings) > 1:
            note = f" This line is rendered {len(renderings)} times: {_join(renderings, 20)}."
        elif len(messages) > 1:
            note = f" ({len(messages) - 1} more at this line.)"
        related = tuple(dict.fromkeys(r for h in unique for r in h.related))[:MAX_RELATED]
        level = max((h.level for h in unique), key=lambda lv: _LEVEL_OF_HIT.get(lv, 0))
        severities = [h.security_severity for h in unique if h.security_severity is not None]
        fix = first.fix if all(h.fix == first.fix for h in unique) else None  # renderings must agree
        merged.append(replace(first, message=first.message + note, related=related, level=level,
                              security_severity=max(severities) if severities else None, rendering="", fix=fix))
    return merged


def _join(items: Sequence[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def with_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """rule + entity + path (+ occurrence among equals), never line numbers: stable when unrelated
    lines move, so baselines and code scanning keep tracking the same finding."""
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    result = []
    for finding in findings:
        key = (finding.rule_id, finding.entity, finding.loc.path)
        occurrence = seen[key]
        seen[key] += 1
        digest = sha256_hexdigest("\x1f".join([*key, str(occurrence)]).encode())[:32]
        result.append(replace(finding, fingerprint=digest))
    return result


def lint(paths: Sequence[str], rules: Sequence[Rule], options: LintOptions) -> LintResult:
    # The model is millions of small, acyclic objects: the cycle collector would rescan all of
    # them again and again while the graph and findings are built (quadratic on big monorepos).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint(paths, rules, options)
    finally:
        if collecting:
            gc.enable()


def _lint(paths: Sequence[str], rules: Sequence[Rule], options: LintOptions) -> LintResult:
    started = time.perf_counter()
    tell = options.progress or (lambda stage: None)
    tell("finding files")
    sources, notes, base = discover(list(paths), options.exclude, options.root)
    if options.root_exclude and options.exclude_root:
        sources = [s for s in sources if not excluded_from_root(s.abspath, options.exclude_root, options.root_exclude)]
    cache = _cache_for(options, base)
    try:
        return _lint_sources(sources, notes, base, cache, rules, options, started)
    finally:
        if cache is not None:
            cache.wait()  # the cache entries written in the background are complete when lint returns


def _lint_sources(
    sources: Sequence[SourceFile],
    notes: Sequence[SkipNote],
    base: Path,
    cache: Cache | None,
    rules: Sequence[Rule],
    options: LintOptions,
    started: float,
) -> LintResult:
    tell = options.progress or (lambda stage: None)
    settings = run_settings(notes, rules, options) if cache is not None else b""
    stamping = cache is not None and not options.overlay
    # With no run recorded (a first run, a fresh CI cache) none can be found by stamps: the stamps
    # to record are taken as each file is opened to be read, not by a stat pass of their own.
    stamped = stamp_key(sources, settings) if stamping and cache is not None and cache.has_runs() else None
    by_stamps = _stamps_entry_key(cache, stamped)
    if cache is not None and by_stamps and not options.need_project:
        recorded = _reusable(cache, by_stamps, 3, base)
        if recorded is not None:  # no file changed since a recorded run (by its stamps): not even read
            summary, findings, mentions = recorded
            return _result(summary, findings, rules, sources, base, started, mentions)
    mentioning: set[str] = set()
    statuses: list[os.stat_result | None] | None = [] if stamping and stamped is None else None
    contents = read_sources(sources, options, mentioning, statuses)
    if statuses is not None:
        stamped = stamps_key(sources, statuses, settings)
        by_stamps = _stamps_entry_key(cache, stamped)
    whole_run = cache.entry_key("(run)", "run", run_key(sources, contents, settings).encode(), "") if cache else ""
    reused = _reusable(cache, whole_run, 2, base) if cache is not None and not options.need_project else None
    project: ProjectView
    if reused is not None:
        project, findings = reused  # an unchanged repository: nothing to redo
        summary = project
    else:
        from irsalint.project import build_project, terraform_part

        tell(f"parsing {len(sources)} files")
        early: list[TerraformPart] = []  # the Terraform side, worked out while manifests load
        results = load_all(sources, options, base, contents, cache, lambda tf: early.append(terraform_part(tf, base)))
        tell("linking ServiceAccounts and roles")
        built = build_project(results, notes, base, early[0] if early else None)
        tell(f"running {len(rules)} rules")
        files = {s.path: data for s, data in zip(sources, contents) if isinstance(data, bytes)}
        findings = tuple(run_rules(built, rules, options, files, busy=int(cache is not None and cache.writing)))
        project = built
        summary = ProjectSummary.of(built) if cache is not None else None
        if cache is not None:
            cache.put_run(whole_run, (summary, findings))
    if cache is not None and stamped is not None and stamped[1] < time.time_ns() - RACY_NANOSECONDS:
        cache.put_run(by_stamps, (summary, tuple(findings), frozenset(mentioning)))
    return _result(project, findings, rules, sources, base, started, frozenset(mentioning))


def _stamps_entry_key(cache: Cache | None, stamped: tuple[str, int] | None) -> str:
    """The whole-run entry a run's stamps (stamp_key) find, "" without a cache or stamps."""
    return cache.entry_key("(stamps)", "run", stamped[0].encode(), "") if cache is not None and stamped else ""


def _reusable(cache: Cache, key: str, fields: int, base: Path) -> tuple[Any, ...] | None:
    """A whole-run entry (a ProjectSummary first, then `fields` - 1 more), unless a file the run
    read besides the scanned ones (a template) has changed since."""
    entry = cache.get_run(key)
    if (isinstance(entry, tuple) and len(entry) == fields and isinstance(entry[0], ProjectSummary)
            and entry[0].inputs_unchanged(str(base))):
        return entry
    return None


def _result(
    project: ProjectView,
    findings: Sequence[Finding],
    rules: Sequence[Rule],
    sources: Sequence[SourceFile],
    base: Path,
    started: float,
    mentioning: frozenset[str],
) -> LintResult:
    return LintResult(
        findings=tuple(findings),
        project=project,
        rules=tuple(rules),
        files_scanned=len(sources),
        seconds=time.perf_counter() - started,
        base=str(base),
        mentions_irsalint=mentioning,
    )


def excluded_from_root(abspath: str, root: str, patterns: Sequence[str]) -> bool:
    """Config `exclude` globs are relative to the configuration file's directory."""
    from fnmatch import fnmatch

    try:
        rel = Path(abspath).relative_to(root).as_posix()
    except ValueError:
        return False
    return any(fnmatch(rel, p) or fnmatch(rel, p.rstrip("/") + "/*") for p in patterns)
