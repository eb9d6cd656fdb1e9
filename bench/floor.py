"""The floor: parse every file of a tree with the bare parsers irsalint uses (tree-sitter-hcl's C
parser, libyaml's composer), single process, no analysis and no walk of the trees."""

from __future__ import annotations

import sys
from pathlib import Path

import tree_sitter
import tree_sitter_hcl
import yaml


def main() -> int:
    root = Path(sys.argv[1])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    for path in sorted(root.rglob("*")):
        if path.suffix in (".tf", ".tfvars"):
            parser.parse(path.read_bytes())
        elif path.suffix in (".yaml", ".yml"):
            list(yaml.compose_all(path.read_text(), Loader=loader))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
