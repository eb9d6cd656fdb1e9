"""The tree-sitter walker on broken and hostile input: what is kept beside a syntax error, where the
error is reported, and the bounds on work (docs/design.md, "Parser")."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from irsalint.engine import LintOptions, lint
from irsalint.load import hcl_treesitter
from irsalint.load.hcl import HclSyntaxError, HclTooDeep, parse_hcl, parse_hcl_partial
from irsalint.load.terraform import TfFile, load_terraform
from irsalint.model import Diagnostic
from irsalint.rules import load_rules

GOOD = 'resource "aws_iam_role" "good" {\n  name = "good"\n}\n'


def kept(text: str) -> tuple[list[str], HclSyntaxError | None]:
    body, error = parse_hcl_partial(text, "main.tf")
    return [b.labels[-1] for b in body.blocks] + [a.name for a in body.attributes], error


def test_a_broken_block_beside_good_ones() -> None:
    names, error = kept(GOOD + 'resource "aws_iam_role" "bad" {\n  name = = "x"\n}\n' + GOOD.replace("good", "after"))
    assert names == ["good", "after"]
    assert error is not None and (error.line, error.col, str(error)) == (5, 10, "unexpected '='")


def test_an_unclosed_block_does_not_swallow_the_next_one() -> None:
    names, error = kept(GOOD + 'resource "aws_iam_role" "bad" {\n  name = "x"\n' + GOOD.replace("good", "after"))
    assert names == ["good", "after"]
    assert error is not None and str(error) == "unexpected end of file"


def test_a_stray_brace_between_blocks() -> None:
    names, error = kept(GOOD + "}\n" + GOOD.replace("good", "after"))
    assert names == ["good", "after"]
    assert error is not None and (error.line, error.col) == (4, 1)


def test_attributes_after_a_broken_one() -> None:
    names, error = kept('a = "x"\nb = = 2\nc = "y"\n')
    assert names == ["a", "c"] and error is not None and error.line == 2


def test_nested_blocks_of_a_broken_block_are_not_top_level() -> None:
    text = 'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["s3:*"]\n  }\n  x = = 1\n}\n'
    names, error = kept(text)
    assert names == [] and error is not None


def test_too_deep_is_reported_and_the_rest_kept() -> None:
    names, error = kept(GOOD + "locals {\n  deep = " + "[" * 300 + "]" * 300 + "\n}\n" + GOOD.replace("good", "after"))
    assert names == ["good", "after"]
    assert isinstance(error, HclTooDeep) and error.line == 5


def test_parse_hcl_raises_the_first_error() -> None:
    with pytest.raises(HclSyntaxError) as info:
        parse_hcl(GOOD + "x = \n", "main.tf")
    assert info.value.line == 4


@pytest.mark.parametrize(
    ("text", "message", "line", "col"),
    [
        ("x = 1\ny = \x00\n", "unexpected character '\\x00'", 2, 5),  # the innermost error, not `y =`
        ('resource "r" "x" {\n  policy = <<EOF\n{}\n', "unexpected '<<EOF'", 2, 12),  # an unterminated heredoc
        ('x = {\n  a = 1\n', "unexpected end of file", 2, 1),  # an unclosed brace: at the end (last line)
        ('x = "caf\u00e9" @\n', "unexpected character '@'", 1, 12),  # columns in characters
        ("x = 0x1F\n", "unexpected 'x1F'", 1, 6),  # tree-sitter-hcl lexes hex numbers, HCL has none
        ("{\n  a = 1\n}\n", "unexpected '{'", 1, 1),  # a JSON-like object is not native syntax
    ],
)
def test_error_positions(text: str, message: str, line: int, col: int) -> None:
    _, error = parse_hcl_partial(text, "main.tf")
    assert error is not None and (str(error), error.line, error.col) == (message, line, col)


def test_the_loader_reports_the_error_beside_what_it_kept() -> None:
    result = load_terraform("main.tf", GOOD + "x = \n")
    assert isinstance(result, TfFile) and [b.labels for b in result.body.blocks] == [("aws_iam_role", "good")]
    [diagnostic] = result.diagnostics
    assert diagnostic.loc.line == 4 and diagnostic.message.startswith("HCL syntax error: ")
    assert pickle.loads(pickle.dumps(result)) == result  # the cache and the worker processes pickle it
    assert isinstance(load_terraform("main.tf", "x = \n"), Diagnostic)  # nothing kept: the error alone


def test_a_broken_block_does_not_hide_a_good_role(tmp_path: Path) -> None:
    """End to end: the IRSA900 and the findings of the role beside the broken block, both."""
    (tmp_path / "iam.tf").write_text(
        'resource "aws_iam_role" "half" {\n  name = = "x"\n}\n\n'
        'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{\n      Effect = "Allow"\n'
        '      Action = "sts:AssumeRoleWithWebIdentity"\n'
        '      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X" }\n'
        '      Condition = { StringEquals = {\n'
        '        "oidc.eks.eu-west-1.amazonaws.com/id/X:sub" = "system:serviceaccount:team-a:app"\n'
        '        "oidc.eks.eu-west-1.amazonaws.com/id/X:aud" = "sts.amazonaws.com"\n'
        "      } }\n    }]\n  })\n}\n"
    )
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: team-b\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app\n"
    )
    result = lint([str(tmp_path)], load_rules(), LintOptions(jobs=1))
    found = {(f.rule_id, Path(f.loc.path).name, f.loc.line) for f in result.findings}
    assert ("IRSA900", "iam.tf", 2) in found
    assert ("IRSA001", "sa.yaml", 7) in found  # the role's trust names team-a, the ServiceAccount is in team-b


def test_hostile_text_costs_a_bounded_number_of_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Repairs and resyncs share one budget: garbage with an error on every line is parsed a
    couple of times, never once per error."""
    calls = []
    real = hcl_treesitter._parse
    monkeypatch.setattr(hcl_treesitter, "_parse", lambda *args: calls.append(1) or real(*args))
    text = "".join(f'b{i} "x" {{\n  a = = 1e5 "%%%{{"\n}}\n' for i in range(3000))
    _, error = parse_hcl_partial(text, "main.tf")
    assert error is not None and len(calls) <= 4
