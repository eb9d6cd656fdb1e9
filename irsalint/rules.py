"""The rule pack: rules/*.yaml -> Rule records; selection and per-rule levels."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from irsalint.check_registry import CHECK_MODULES
from irsalint.digest import hexdigest
from irsalint.errors import RulePackError
from irsalint.record import field, record
from irsalint.suggest import did_you_mean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

LEVELS = ("error", "warning", "note")
# Check functions that a later pipeline stage runs instead of the graph engine: IRSA901's findings
# come from the suppression stage (suppress.py), which sees every finding of the other rules.
STAGE_CHECKS = frozenset({"invalid_suppression"})


@record
class Rule:
    """One rule of the pack (rules/*.yaml): its id, level, check function and parameters."""

    id: str
    name: str
    level: str
    security_severity: float | None
    summary: str
    tags: tuple[str, ...]
    status: str
    since: str
    function: str
    params: Mapping[str, Any]
    what_it_does: str
    why_is_this_bad: str
    example: Mapping[str, str]
    use_instead: Mapping[str, str]
    options: tuple[str, ...]
    references: tuple[str, ...]
    source: str = field(default="", compare=False)
    fix: str = "none"  # safe | unsafe | none: the most a finding's fix may be (irsalint.fix)
    fix_notes: str = ""  # Markdown: what the fix does, why it is safe or not, or the manual steps


def builtin_rules_dir() -> Path:
    """rules/ ships in the wheel as irsalint/_rules; in a source checkout it is ../rules."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if any(candidate.glob("IRSA*.yaml")):
            return candidate
    raise RulePackError(f"no built-in rules found next to {here} (a broken installation?)")


@functools.lru_cache(maxsize=1)
def rule_schema() -> dict[str, Any]:
    from irsalint.package_data import read_text

    text = read_text("schemas/rule.schema.json")
    schema: dict[str, Any] = json.loads(text)
    return schema


BUILTIN_PREFIX = "IRSA"
USER_RULE_REQUIRED = ("id", "name", "level", "summary", "check")


def _raise_first(errors: list[Any], source: str, prefix: Sequence[str] = ()) -> None:
    if errors:
        error = min(errors, key=lambda e: (list(e.absolute_path), str(e.message)))
        where = "/".join(str(p) for p in (*prefix, *error.absolute_path)) or "(top level)"
        schema_path = "/".join(str(p) for p in error.schema_path)
        raise RulePackError(f"{source}: invalid rule at {where}: {error.message} (schema: {schema_path})")


def validate_rule_data(data: Any, source: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(rule_schema())
    _raise_first(list(validator.iter_errors(data)), source)


@functools.lru_cache(maxsize=1)
def user_rule_schema() -> dict[str, Any]:
    """The rule schema with only what a custom rule needs required (docs/custom-rules.md)."""
    schema = dict(rule_schema())
    schema["required"] = list(USER_RULE_REQUIRED)
    return schema


def validate_user_rule_data(data: Any, source: str) -> None:
    """A user rule: the relaxed schema, an id outside the IRSA range, and the check's params schema."""
    import jsonschema

    from irsalint.checks.custom import PARAM_SCHEMAS

    validator = jsonschema.Draft202012Validator(user_rule_schema())
    _raise_first(list(validator.iter_errors(data)), source)
    if str(data["id"]).upper().startswith(BUILTIN_PREFIX):
        raise RulePackError(
            f"{source}: invalid rule at id: {data['id']!r} uses the {BUILTIN_PREFIX} prefix reserved for "
            "built-in rules; pick your own prefix (e.g. ACME001)"
        )
    check = data["check"]
    params_schema = PARAM_SCHEMAS.get(check["function"])
    if params_schema is not None:
        params_validator = jsonschema.Draft202012Validator(params_schema)
        _raise_first(list(params_validator.iter_errors(check.get("params") or {})), source, ("check", "params"))


def rule_from_data(data: Mapping[str, Any], source: str) -> Rule:
    check = data.get("check") or {}
    return Rule(  # user rules may leave the documentation keys out
        id=data["id"],
        name=data["name"],
        level=data["level"],
        security_severity=data.get("security_severity"),
        summary=data["summary"],
        tags=tuple(data.get("tags", ())),
        status=data.get("status", "stable"),
        since=str(data.get("since", "")),
        function=check.get("function", ""),
        params=dict(check.get("params") or {}),
        what_it_does=data.get("what_it_does", ""),
        why_is_this_bad=data.get("why_is_this_bad", ""),
        example=dict(data.get("example") or {}),
        use_instead=dict(data.get("use_instead") or {}),
        options=tuple(data.get("options", ())),
        references=tuple(data.get("references", ())),
        source=source,
        fix=data.get("fix", "none"),
        fix_notes=data.get("fix_notes", ""),
    )


def read_rule_data(path: Path) -> Any:
    import yaml

    try:
        return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # safe
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RulePackError(f"{path}: cannot read rule file: {error}") from None


def load_rule_file(path: Path, validate: bool, user: bool = False, data: Any = None) -> Rule:
    """`data`: the file's content when already read (the built-in pack's JSON copy)."""
    if data is None:
        data = read_rule_data(path)
    if user:
        validate_user_rule_data(data, str(path))
    elif validate:
        validate_rule_data(data, str(path))
    elif not isinstance(data, dict):
        raise RulePackError(f"{path}: a rule file must be a mapping")
    return rule_from_data(data, str(path))


def load_rules(
    extra_dirs: Sequence[str] = (), validate_builtin: bool = False, copy_dir: Path | None = None
) -> tuple[Rule, ...]:
    """Built-in rules (validated by the test suite) plus user rule dirs (validated here).
    `copy_dir`: where to keep a JSON copy of the built-in rule files' content (see _builtin_data)."""
    rules: dict[str, Rule] = {}
    builtin = sorted(builtin_rules_dir().glob("*.yaml"))
    copied = _builtin_data(builtin, copy_dir) if copy_dir is not None and not validate_builtin else {}
    sources: list[tuple[Path, bool, bool]] = [(p, validate_builtin, False) for p in builtin]
    for directory in extra_dirs:
        sources.extend((p, True, True) for p in rule_files_in(directory))
    for path, validate, user in sources:
        rule = load_rule_file(path, validate, user, copied.get(path.name) if not user else None)
        if rule.id in rules:
            raise RulePackError(f"{path}: duplicate rule id {rule.id} (also in {rules[rule.id].source})")
        known = CHECK_MODULES.keys() if user else CHECK_MODULES.keys() | STAGE_CHECKS
        if rule.status != "removed" and rule.function not in known:
            raise RulePackError(f"{path}: unknown check function {rule.function!r}{did_you_mean(rule.function, known)}")
        rules[rule.id] = rule
    return tuple(sorted(rules.values(), key=lambda r: r.id))


def _builtin_data(paths: Sequence[Path], copy_dir: Path) -> dict[str, Any]:
    """The built-in rule files' content, from a JSON copy keyed by their names, sizes and
    modification times (written on first use): loading it skips importing and running the YAML
    parser, a fifth of a run answered from the cache (docs/design.md, "Warm runs"). JSON, never a
    pickle: the copy lives outside the repository, but reading it must not be able to run code.
    Any problem (unwritable, corrupt, a value JSON cannot hold) means reading the YAML."""
    from irsalint.cache import file_stamp, write_atomically

    stamps = [f"{path.name}:{file_stamp(path)}" for path in paths]
    key = hexdigest("\n".join(stamps).encode())[:32]
    copy = copy_dir / f"rules-{key}.json"
    try:
        data: dict[str, Any] = json.loads(copy.read_text("utf-8"))
        if isinstance(data, dict) and sorted(data) == sorted(p.name for p in paths):
            return data
    except (OSError, ValueError):
        pass
    data = {path.name: read_rule_data(path) for path in paths}
    try:
        text = json.dumps(data, sort_keys=True)
        if json.loads(text) != data:  # a value only YAML holds (a date, a number as a key)
            return data
        copy_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(copy, text.encode("utf-8"))
    except (OSError, TypeError, ValueError):
        pass  # a read-only home: the YAML is read each time
    return data


def rule_files_in(directory: str) -> list[Path]:
    """The rule files of a --rules / rules_dirs directory, with an error that says what is wrong."""
    folder = Path(directory)
    if not folder.exists():
        raise RulePackError(f"rules directory {directory}: no such directory")
    if not folder.is_dir():
        raise RulePackError(f"rules directory {directory}: not a directory (expected a directory of rule files, *.yaml)")
    try:
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    except OSError as error:
        raise RulePackError(f"rules directory {directory}: cannot read: {error.strerror or error}") from None
    if not files:
        raise RulePackError(f"rules directory {directory}: no rule files (*.yaml) in this directory")
    return files


def unknown_rule(ids: Iterable[str], rules: Iterable[Rule]) -> str | None:
    """The first id that is neither a rule id nor a prefix of one, as `ID (did you mean X?)`."""
    rules = tuple(rules)
    known = [r.id for r in rules]
    for rule_id in ids:
        if any(k.startswith(rule_id) for k in known):
            continue
        by_name = [r.id for r in rules if r.name == rule_id.lower()]
        hint = f" (did you mean {by_name[0]}?)" if by_name else did_you_mean(rule_id, known)
        return f"{rule_id}{hint}"
    return None


def parse_ids(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(sorted({part.strip().upper() for part in text.split(",") if part.strip()}))


def select_rules(rules: Iterable[Rule], select: Sequence[str], ignore: Sequence[str]) -> tuple[Rule, ...]:
    """--select / --ignore take ids or id prefixes (IRSA00 selects IRSA001-IRSA009)."""
    chosen = []
    for rule in rules:
        if rule.status == "removed":
            continue
        if select and not any(rule.id.startswith(s) for s in select):
            continue
        if any(rule.id.startswith(i) for i in ignore):
            continue
        chosen.append(rule)
    return tuple(chosen)
