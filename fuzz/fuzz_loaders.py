"""Coverage-guided fuzzing of the loaders, the policy reader and the expression evaluator (atheris).

    pip install -e '.[fuzz]'
    python fuzz/fuzz_loaders.py yaml      -atheris_runs=0 -max_total_time=600 [corpus_dir]
    python fuzz/fuzz_loaders.py terraform -max_total_time=600
    python fuzz/fuzz_loaders.py policy    -max_total_time=600

Each target feeds arbitrary bytes to one entry point and fails on any exception escaping it: the
loaders must return a record, a Diagnostic or a SkipNote whatever the input (SPEC §9). The
hypothesis tests in tests/ cover the same properties in CI; this harness is for longer runs.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from irsalint.load import load_bytes
    from irsalint.load.hcl import Body
    from irsalint.model import Location
    from irsalint.policydoc import document_from_tree, from_json_text
    from irsalint.resolve import Evaluator, Scope


def yaml_target(data: bytes) -> None:
    load_bytes("fuzz.yaml", data, "yaml")


def terraform_target(data: bytes) -> None:
    result = load_bytes("fuzz.tf", data, "terraform")
    body = getattr(result, "body", None)
    if isinstance(body, Body):  # evaluate whatever parsed: never an exception, UNKNOWN at worst
        evaluator = Evaluator(Scope("."))
        for attribute in body.attributes:
            evaluator.eval(attribute.expr)
        for block in body.blocks:
            for attribute in block.body.attributes:
                evaluator.eval(attribute.expr)


def policy_target(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    tree = from_json_text(text, 1, "fuzz.json", None)
    document_from_tree(tree, Location("fuzz.json", 1))


TARGETS = {"yaml": yaml_target, "terraform": terraform_target, "policy": policy_target}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    sys.setrecursionlimit(10_000)
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
