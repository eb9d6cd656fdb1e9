"""python-hcl2 is the reference for the tree-sitter walker: the same text gives the same positioned
AST (every location included) or the same error, on every Terraform fixture, on a generated bench
corpus and on hypothesis-generated HCL. Where the two parsers accept different languages, each
case is pinned below and described in docs/design.md ("Parser")."""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from irsalint.load.hcl import Body, HclSyntaxError, Literal, Opaque, Template, Traversal, parse_hcl
from tests.hcl_oracle import parse_hcl_lark
from tests.hcl_strategies import documents
from tests.helpers import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate


def first_difference(want: object, got: object, where: str = "body") -> str | None:
    """Where two ASTs differ (types, values or locations), for a readable failure."""
    if type(want) is not type(got):
        return f"{where}: {want!r:.300} != {got!r:.300}"
    if is_dataclass(want):
        for field in fields(want):
            found = first_difference(getattr(want, field.name), getattr(got, field.name), f"{where}.{field.name}")
            if found:
                return found
        return None
    if isinstance(want, tuple):
        assert isinstance(got, tuple)
        if len(want) != len(got):
            return f"{where}: {len(want)} items != {len(got)}: {want!r:.300} != {got!r:.300}"
        for index, (a, b) in enumerate(zip(want, got)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if want == got else f"{where}: {want!r} != {got!r}"


def outcome(parse: object, text: str, path: str) -> Body | tuple[str, str, int, int]:
    try:
        return parse(text, path)  # type: ignore[operator, no-any-return]
    except HclSyntaxError as error:
        return (type(error).__name__, str(error), error.line, error.col)


def assert_same(text: str, path: str = "main.tf") -> None:
    want = outcome(parse_hcl_lark, text, path)
    got = outcome(parse_hcl, text, path)
    assert isinstance(want, Body), f"python-hcl2 rejects the input: {want}"
    difference = first_difference(want, got)
    assert difference is None, difference


def hcl_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())


def _utf8(path: Path) -> bool:  # a file that is not UTF-8 never reaches a parser (IRSA900 first)
    try:
        path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    "path", [p for p in hcl_files(FIXTURES) if _utf8(p)], ids=lambda p: p.relative_to(FIXTURES).as_posix()
)
def test_every_fixture(path: Path) -> None:
    text = path.read_text("utf-8-sig")
    name = path.relative_to(ROOT).as_posix()
    want, got = outcome(parse_hcl_lark, text, name), outcome(parse_hcl, text, name)
    if isinstance(want, Body):
        assert first_difference(want, got) is None, first_difference(want, got)
    else:  # the IRSA900 fixtures: the same message at the same line and column
        assert got == want


def test_a_generated_bench_corpus(tmp_path: Path) -> None:
    generate(tmp_path, services=60, filler=30, configmaps=0)
    files = hcl_files(tmp_path)
    assert len(files) == 92
    for path in files:
        assert_same(path.read_text("utf-8"), path.relative_to(tmp_path).as_posix())


@given(documents())
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_generated_hcl(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        # python-hcl2 positions the rules' findings inherit: kept exactly
        "x = a +\n  b # trailing comment\n\ny = 1\n",  # a binary operation ends after the newlines and comments
        "x = a ? b : c + d\n\n",  # ... also as the last operand of a conditional
        "x = <<EOF\nbody ${var.x}\nEOF\ny = 1\n",  # a heredoc ends after its closing marker's newline
        "x = <<-EOF\n    indented\n      more\n    EOF\n",
        "x = \"caf\u00e9 ${var.a} \u00fc\"\ny = \"\u00e9\" + var.b\n",  # columns count characters, not bytes
        "x = \"a$$${x}b\"\ny = \"%%%{y}\"\n",  # escapes after an odd run of `$` / `%`
        # ... several of them: each repair round shows the next one (hypothesis found three)
        'a = {\n  k = <<EOF\n  "k": "${"%%%{y}a"}",\n  "k": "${"%%%{y}a"}",\nEOF\n}\na = <<EOF\n  "k": "${"%%%{y}"}",\nEOF\n',
        "x = 1e5\ny = [2E-3, 1e400]\n",  # exponents without a fraction
        "x = provider::aws::arn_parse(var.arn).account_id\n",
        "x = (\n  \"value\"\n)\ny = (\n  a\n).b\n",  # parentheses around a newline
        "x = -(true)\ny = -(1)\n",  # minus a bool is unknown, minus a number a number
        'x = <<EOF\n${[var.a, {k = var.b}]}\nEOF\n',  # expressions out of a heredoc sit at the heredoc
        "b {\n  c \"d\" {\n    e = f(g...)\n  }\n}\n",
        "x = a[*].b\ny = a.*.c\nz = f(x)[0].y\n",
        "x = [for k, v in var.m : v if k]\ny = {for k, v in var.m : k => v...}\n",
    ],
)
def test_pinned_agreements(text: str) -> None:
    assert_same(text)


# Where the parsers disagree (docs/design.md lists each with its reason): what each one does.
PYTHON_HCL2_ONLY = [  # python-hcl2 accepts, tree-sitter-hcl rejects
    "x = { for = 1 }",  # an object key named `for` right after `{`
    'x = "\\q"',  # an invalid escape sequence
    "x = <<EOF\n%{ if a }\nEOF\n",  # an unclosed template directive in a heredoc
    'x = "$${a" = "}"\n',  # python-hcl2 lexes the escape up to the next `}`, across the quotes
    "x = " + '"${' * 64 + "1" + '}"' * 64 + "\n",  # tree-sitter-hcl's scanner state has a size limit
]
TREE_SITTER_ONLY = [  # tree-sitter-hcl accepts, python-hcl2 rejects
    "caf\u00e9 = \u00e9t\u00e9\n",  # Unicode identifiers (HCL: Unicode ID_Start / ID_Continue)
    'x = "${~ a ~}"\n',  # template strip markers
    "x = - - 1\n",
    "x = a::b\n",  # `::` outside a provider function name (not HCL)
    "x = <<EOF \nabc\nEOF\n",  # a space after the heredoc marker
]


@pytest.mark.parametrize("text", PYTHON_HCL2_ONLY)
def test_python_hcl2_alone_accepts(text: str) -> None:
    assert isinstance(outcome(parse_hcl_lark, text, "main.tf"), Body)
    assert not isinstance(outcome(parse_hcl, text, "main.tf"), Body)


@pytest.mark.parametrize("text", TREE_SITTER_ONLY)
def test_tree_sitter_alone_accepts(text: str) -> None:
    assert not isinstance(outcome(parse_hcl_lark, text, "main.tf"), Body)
    assert isinstance(outcome(parse_hcl, text, "main.tf"), Body)


def test_escaped_interpolation_ends_at_the_interpolation() -> None:
    """python-hcl2 lexes `$${...` up to the next `}`, taking in a real interpolation; HCL (and the
    walker) read the escape `$${` as the two characters `${` and go on."""
    text = 'x = "$${a ${b} }"\n'
    assert parse_hcl_lark(text, "main.tf").attributes[0].expr == Template(("${a ${b}", " }"), _loc(text))
    [a, b, c] = parse_hcl(text, "main.tf").attributes[0].expr.parts  # type: ignore[union-attr]
    assert (a, c) == ("${a ", " }") and isinstance(b, Traversal) and b.root == "b"


def test_interpolated_block_label() -> None:
    """HCL rejects a template in a label; python-hcl2 drops it, tree-sitter-hcl keeps its text."""
    assert parse_hcl_lark('b "${x}" {}\n', "main.tf").blocks[0].labels == ("",)
    assert parse_hcl('b "${x}" {}\n', "main.tf").blocks[0].labels == ("${x}",)


def test_strip_markers_are_unknown() -> None:
    [part] = parse_hcl('x = "${~ a ~}"\n', "main.tf").attributes[0].expr.parts  # type: ignore[union-attr]
    assert isinstance(part, Opaque) and part.kind == "interpolation"
    assert parse_hcl("x = - - 1\n", "main.tf").attributes[0].expr == Literal(1, _loc("x = - - 1"))


def _loc(text: str) -> object:
    from irsalint.model import Location

    line = text.splitlines()[0]
    return Location("main.tf", 1, 5, 1, len(line) + 1)


def test_both_reject_hex_numbers() -> None:
    assert not isinstance(outcome(parse_hcl_lark, "x = 0x1F\n", "main.tf"), Body)
    assert not isinstance(outcome(parse_hcl, "x = 0x1F\n", "main.tf"), Body)

