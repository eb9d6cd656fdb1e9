""".irsalint.yaml / [tool.irsalint] in pyproject.toml -> a frozen Config (SPEC §6).

Discovery walks from the scanned path upward and stops at the repository root (the first directory
holding `.git`) or the filesystem root. In each directory `.irsalint.yaml` wins over a
pyproject.toml that has a `[tool.irsalint]` table. Relative paths in the file (`exclude`,
`rules_dirs`, `cache_dir`) are relative to the directory of the configuration file.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from irsalint.errors import ConfigError
from irsalint.record import field, record
from irsalint.suggest import did_you_mean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

CONFIG_NAME = ".irsalint.yaml"
PYPROJECT = "pyproject.toml"
READS_PYPROJECT = sys.version_info >= (3, 11)  # tomllib; on 3.10 pyproject.toml is not searched


@record
class Config:
    """The configuration file's settings (.irsalint.yaml or [tool.irsalint]), defaults filled in."""

    source: str | None = None  # the file it was read from; None: built-in defaults
    root: str | None = None  # the directory of that file: relative paths start here
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    levels: Mapping[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    exclude: tuple[str, ...] = ()  # globs relative to root
    rules_dirs: tuple[str, ...] = ()  # resolved against root
    external_roles: tuple[str, ...] = ()
    trust_policy_size_quota: int | None = None  # IRSA026; None: the AWS default
    pod_identity_trust_conditions: str | None = None  # IRSA025: "required" (default) or "optional"
    max_file_size: int | None = None
    cache: bool | None = None
    cache_dir: str | None = None  # resolved against root
    warn_unused_ignores: bool | None = None
    # cluster name -> (OIDC provider ARN or issuer, manifest path globs relative to `root`)
    clusters: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    from irsalint.package_data import read_text

    text = read_text("schemas/config.schema.json")
    schema: dict[str, Any] = json.loads(text)
    return schema


def find_config(paths: Sequence[str]) -> Path | None:
    """The nearest .irsalint.yaml or pyproject.toml with [tool.irsalint], from the scanned paths up."""
    resolved = [Path(p).resolve() for p in paths] or [Path.cwd().resolve()]
    starts = [r if r.is_dir() else r.parent for r in resolved]
    directory = Path(os.path.commonpath([str(s) for s in starts]))
    for folder in (directory, *directory.parents):
        candidate = folder / CONFIG_NAME
        if _is_file(candidate):
            return candidate
        pyproject = folder / PYPROJECT
        if READS_PYPROJECT and _is_file(pyproject) and _has_tool_table(pyproject):
            return pyproject
        if _exists(folder / ".git"):
            return None
    return None


def _is_file(path: Path) -> bool:
    """False for a file in a directory we may not read (PermissionError): discovery reports
    unreadable directories itself, with their path, instead of failing here."""
    try:
        return path.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return False
    return "tool.irsalint" in text


def load_config(path: Path) -> Config:
    """Read and validate one configuration file (a .yaml file or a pyproject.toml)."""
    data = _read_pyproject(path) if path.name == PYPROJECT else _read_yaml(path)
    validate_config_data(data, str(path))
    root = path.resolve().parent

    def under_root(value: str) -> str:
        return str((root / value).resolve()) if not os.path.isabs(value) else value

    return Config(
        source=str(path),
        root=str(root),
        select=tuple(s.upper() for s in data.get("select", ())),
        ignore=tuple(s.upper() for s in data.get("ignore", ())),
        levels={key.upper(): value for key, value in dict(data.get("levels") or {}).items()},
        fail_on=data.get("fail_on"),
        exclude=tuple(data.get("exclude", ())),
        rules_dirs=tuple(under_root(d) for d in data.get("rules_dirs", ())),
        external_roles=tuple(data.get("external_roles", ())),
        trust_policy_size_quota=data.get("trust_policy_size_quota"),
        pod_identity_trust_conditions=data.get("pod_identity_trust_conditions"),
        max_file_size=data.get("max_file_size"),
        cache=data.get("cache"),
        cache_dir=under_root(data["cache_dir"]) if "cache_dir" in data else None,
        warn_unused_ignores=data.get("warn_unused_ignores"),
        clusters={
            name: (str(cluster["oidc_provider"]), tuple(cluster["paths"]))
            for name, cluster in dict(data.get("clusters") or {}).items()
        },
    )


def resolve_config(paths: Sequence[str], explicit: str | None) -> Config:
    """--config FILE, else the discovered file, else the defaults."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file does not exist: {explicit}")
        return load_config(path)
    found = find_config(paths)
    return load_config(found) if found is not None else Config()


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return data


def _read_pyproject(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        tool = document.get("tool", {})
        table = tool.get("irsalint", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.irsalint] must be a table")
        return table
    # tomllib arrived in Python 3.11; irsalint adds no TOML dependency for 3.10 (docs/config.md).
    raise ConfigError(
        f"{path}: [tool.irsalint] needs Python 3.11 or later to read; "
        f"move the settings to {CONFIG_NAME} or pass --config"
    )


def validate_config_data(data: Any, source: str) -> None:
    """One line naming the key and the file for the first problem found."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), str(e.message)))
    if not errors:
        return
    error = errors[0]
    where = "/".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        unknown = sorted(str(k) for k in error.instance if k not in known)
        prefix = f"{where}/" if where else ""
        hint = did_you_mean(unknown[0], known) or f" (allowed: {', '.join(sorted(known))})"
        raise ConfigError(f"{source}: unknown key '{prefix}{unknown[0]}'{hint}")
    raise ConfigError(f"{source}: invalid value for {where or '(top level)'}: {error.message}")
