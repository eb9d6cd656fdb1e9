"""The wheel carries the rule pack, data files and schemas (a plain `pip install .` must work),
and every module irsalint imports is the standard library's or a declared dependency."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

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


# import name -> distribution name, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "hcl2": "python-hcl2", "tree_sitter": "tree-sitter", "tree_sitter_hcl": "tree-sitter-hcl"}


def test_every_imported_module_is_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = set()
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        declared.add(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower())
    imported = set()
    for path in (ROOT / "irsalint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported - {"irsalint"} if name not in sys.stdlib_module_names}
    assert third_party, "the scan found no third-party import: it is broken"
    undeclared = {DISTRIBUTIONS.get(name, name) for name in third_party} - declared
    assert undeclared == set(), f"imported but not in [project] dependencies: {sorted(undeclared)}"


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
