"""The wheel carries the rule pack, data files and schemas (a plain `pip install .` must work)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

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
