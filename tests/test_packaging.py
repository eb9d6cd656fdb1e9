"""The wheel carries the rule pack, data files and schemas (a plain `pip install .` must work),
and every module irsalint imports is the standard library's or a declared dependency."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import ROOT


def test_wheel_ships_rules_data_and_schemas(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("irsalint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_rules = {n.rsplit("/", 1)[-1] for n in names if n.startswith("irsalint/_rules/")}
    assert shipped_rules == {p.name for p in (ROOT / "rules").glob("*.yaml")}
    for required in ("irsalint/data/star_only_actions.json", "irsalint/schemas/rule.schema.json",
                     "irsalint/schemas/output.schema.json", "irsalint/py.typed"):
        assert required in names


# standard-library modules of a supported Python that the running one does not list
# (irsalint.digest: Python 3.12 renamed _sha256 to _sha2)
OTHER_STDLIB = {"_sha2", "_sha256"}
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "hcl2": "python-hcl2", "tree_sitter": "tree-sitter", "tree_sitter_hcl": "tree-sitter-hcl"}


def test_every_imported_module_is_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = set()
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        declared.add(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower())
    imported, type_checking_only = _imports()
    third_party = {name for name in imported - {"irsalint"} - OTHER_STDLIB if name not in sys.stdlib_module_names}
    assert third_party, "the scan found no third-party import: it is broken"
    undeclared = {DISTRIBUTIONS.get(name, name) for name in third_party} - declared
    assert undeclared == set(), f"imported but not in [project] dependencies: {sorted(undeclared)}"
    # imported for mypy only (`if TYPE_CHECKING:`): declared with the type checker, in the lint extra
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lint"]
    for_mypy = {name for name in type_checking_only - imported - {"irsalint"} if name not in sys.stdlib_module_names}
    assert for_mypy - {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in lint} == set()


def _imports() -> tuple[set[str], set[str]]:
    """The top-level names irsalint imports at run time, and those it imports for mypy only."""
    at_run_time: set[str] = set()
    for_mypy: set[str] = set()
    for path in (ROOT / "irsalint").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        guarded = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                   for statement in node.body for inner in ast.walk(statement)}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            (for_mypy if id(node) in guarded else at_run_time).update(names)
    return at_run_time, for_mypy


def test_library_modules_import_on_their_own() -> None:
    """Each module imports in a fresh interpreter whatever was imported before: a test module that
    starts with `irsalint.policydoc` once met a cycle through the `irsalint.load` package."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "irsalint").rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
        and path.parent.name in ("irsalint", "load", "sources", "terraform", "gitops", "checks")
    )
    script = "import importlib, sys\nimportlib.import_module(sys.argv[1])\n"

    def fails(module: str) -> bool:
        return subprocess.run([sys.executable, "-c", script, module], capture_output=True, timeout=60).returncode != 0

    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = [m for m, bad in zip(modules, pool.map(fails, modules)) if bad]
    assert not failed, failed


def test_package_data_reads_every_shipped_file_as_importlib_resources_does(monkeypatch) -> None:
    """irsalint.package_data reads data/ and schemas/ by path (importlib.resources costs start-up
    time) and falls back to importlib.resources for a package that is not on disk."""
    from importlib import resources

    import irsalint.package_data as package_data

    package = Path(package_data.__file__).parent
    shipped = sorted(p.relative_to(package).as_posix() for d in ("data", "schemas")
                     for p in (package / d).rglob("*") if p.is_file() and p.suffix in (".json", ".yaml"))
    assert "data/carriers.json" in shipped and "schemas/rule.schema.json" in shipped
    for relative in shipped:
        assert package_data.read_text(relative) == resources.files("irsalint").joinpath(relative).read_text("utf-8")
    monkeypatch.setattr(package_data, "_PACKAGE_DIRECTORY", str(package / "not-a-directory"))
    assert package_data.read_text("data/carriers.json") == (package / "data" / "carriers.json").read_text("utf-8")
