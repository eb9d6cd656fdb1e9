"""Which loader reads a file: bytes -> model records, one file at a time (pure, picklable results,
safe for helper processes and for the content-hash cache)."""

from __future__ import annotations

from typing import TypeAlias

from irsalint.load.aws_dump import AwsDumpFile, aws_cli_error, load_aws_dump, looks_like_aws_dump
from irsalint.load.k8s import K8sFile, load_manifest, looks_like_manifest
from irsalint.load.plan import PlanFile, load_plan, looks_like_plan
from irsalint.load.reading import read_capped, size_cap, too_large
from irsalint.load.terraform import TfFile, load_terraform
from irsalint.model import Diagnostic, Location, SkipNote

LoadResult: TypeAlias = K8sFile | TfFile | PlanFile | AwsDumpFile | Diagnostic | SkipNote

def decode(path: str, data: bytes, kind: str) -> str | Diagnostic | SkipNote:
    if b"\x00" in data[:8192]:
        return SkipNote(path, "binary file: not linted")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        if kind == "yaml" and not looks_like_manifest(text):
            return SkipNote(path, "not UTF-8 and not a manifest: not linted")
        line = data[: error.start].count(b"\n") + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return Diagnostic(Location(path, line, col), f"not valid UTF-8 (byte 0x{data[error.start]:02x}): save the file as UTF-8")


def load_bytes(path: str, data: bytes, kind: str, max_bytes: int | None = None) -> LoadResult:
    limit = size_cap(kind, max_bytes)
    if len(data) > limit:
        return too_large(path, len(data), limit, kind)
    text = decode(path, data, kind)
    if not isinstance(text, str):
        return text
    try:
        if kind == "terraform":
            return load_terraform(path, text)
        if path.endswith(".json") and looks_like_plan(text):
            plan = load_plan(path, text)
            if plan is not None:
                return plan
        if looks_like_aws_dump(text):  # aws iam ... output (JSON, or YAML with --output yaml)
            dump = load_aws_dump(path, text)
            if dump is not None:
                return dump
        cli_error = aws_cli_error(path, text)
        if cli_error is not None:
            return cli_error
        return load_manifest(path, text)
    except (RecursionError, MemoryError):
        return Diagnostic(Location(path, 1, 1), "too deeply nested to analyze")
    except Exception as error:  # noqa: BLE001 - one odd file must never stop the run
        # Our bug, not the user's file: say so, skip the file, and go on with the rest.
        return SkipNote(path, f"irsalint internal error ({type(error).__name__}: {error}); please report it", internal=True)


def load_path(path: str, abspath: str, kind: str, max_bytes: int | None = None) -> LoadResult:
    try:
        data = read_capped(abspath, kind, max_bytes)
    except OSError as error:
        return SkipNote(path, f"cannot read: {error.strerror or error}")
    if isinstance(data, int):
        limit = size_cap(kind, max_bytes)
        return too_large(path, data, limit, kind)
    return load_bytes(path, data, kind, max_bytes)
