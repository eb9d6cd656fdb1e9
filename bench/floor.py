"""The floor: parse every file of a tree with the bare parsers (python-hcl2's Lark tree with the
collector paused, libyaml's composer), single process, no analysis."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import hcl2
import yaml


def main() -> int:
    root = Path(sys.argv[1])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    hcl2.parses_to_tree("a = 1\n")  # grammar load is not parse time
    for path in sorted(root.rglob("*")):
        if path.suffix in (".tf", ".tfvars"):
            gc.disable()
            hcl2.parses_to_tree(path.read_text())
            gc.enable()
        elif path.suffix in (".yaml", ".yml"):
            list(yaml.compose_all(path.read_text(), Loader=loader))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
