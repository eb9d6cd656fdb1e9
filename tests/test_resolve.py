"""Terraform expression evaluation (irsalint.resolve) over ASTs from irsalint.load.hcl."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.load.hcl import (
    Body,
    Call,
    HclSyntaxError,
    Literal,
    ObjectExpr,
    Opaque,
    Template,
    Traversal,
    TupleExpr,
    parse_hcl,
)
from irsalint.model import UNKNOWN, Partial, PolicyRef, RoleRef
from irsalint.resolve import MAX_DEPTH, Evaluator, Scope, is_known

# --- helpers -------------------------------------------------------------------------------------


def make_scope(text: str = "", tfvars: str = "", **ids: str) -> Scope:
    """A Scope from `variable` / `locals` blocks (as irsalint.sources.terraform reads them) and tfvars text."""
    scope = Scope(".")
    body = parse_hcl(text, "main.tf")
    for block in body.blocks:
        if block.type == "variable" and block.labels:
            default = block.body.expr("default")
            if default is not None:
                scope.variables[block.labels[0]] = default
        elif block.type == "locals":
            for attribute in block.body.attributes:
                scope.locals[attribute.name] = attribute.expr
    for attribute in parse_hcl(tfvars, "terraform.tfvars").attributes:
        scope.tfvars[attribute.name] = attribute.expr
    for address, role_id in ids.items():
        if address.startswith("policy__"):
            scope.policy_ids[address.removeprefix("policy__").replace("__", ".")] = role_id
        else:
            scope.role_ids[address.replace("__", ".")] = role_id
    return scope


def expr_of(source: str) -> Any:
    body = parse_hcl(f"x = {source}\n", "main.tf")
    assert len(body.attributes) == 1
    return body.attributes[0].expr


def ev(source: str, scope: Scope | None = None) -> Any:
    return Evaluator(scope or Scope(".")).eval(expr_of(source))


# --- the parser's AST ----------------------------------------------------------------------------


class TestParseHcl:
    def test_body(self) -> None:
        body = parse_hcl(
            'resource "aws_iam_role" "r" {\n  name = "a"\n  path = "/x/"\n}\nlocals {\n  y = 1\n}\nz = true\n',
            "main.tf",
        )
        assert isinstance(body, Body)
        assert [a.name for a in body.attributes] == ["z"]
        assert [(b.type, b.labels) for b in body.blocks] == [
            ("resource", ("aws_iam_role", "r")),
            ("locals", ()),
        ]
        role = body.blocks[0]
        assert role.loc.line == 1
        name = role.body.attr("name")
        assert name is not None and name.loc.line == 2
        assert isinstance(role.body.expr("name"), Template)

    def test_expression_kinds(self) -> None:
        assert isinstance(expr_of("1"), Literal)
        assert isinstance(expr_of('"a"'), Template)
        assert isinstance(expr_of("[1, 2]"), TupleExpr)
        assert isinstance(expr_of("{a = 1}"), ObjectExpr)
        assert expr_of('var.m["k"]') == Traversal("var", ("m", "k"), expr_of('var.m["k"]').loc)
        assert isinstance(expr_of("replace(a, b, c)"), Call)
        assert isinstance(expr_of("a ? b : c"), Opaque)
        assert isinstance(expr_of("[for v in var.l : v]"), Opaque)

    def test_syntax_error(self) -> None:
        with pytest.raises(HclSyntaxError) as info:
            parse_hcl("x = \n", "main.tf")
        assert info.value.line >= 1


# --- literals and templates ------------------------------------------------------------------------


class TestTemplates:
    def test_literals(self) -> None:
        assert ev("1") == 1
        assert ev("-3") == -3
        assert ev("1.5") == 1.5
        assert ev("true") is True
        assert ev("null") is None
        assert ev('"a"') == "a"
        assert ev('[1, "a", [true]]') == (1, "a", (True,))
        assert ev('{a = 1, "b" = "c"}') == {"a": 1, "b": "c"}

    def test_interpolation(self) -> None:
        scope = make_scope(
            'variable "account" {\n  default = "111122223333"\n}\n'
            'variable "partition" {\n  default = "aws"\n}\n'
            'locals {\n  name = "app"\n}\n'
        )
        assert ev('"arn:${var.partition}:iam::${var.account}:role/${local.name}"', scope) == (
            "arn:aws:iam::111122223333:role/app"
        )
        assert ev('"n-${1}-${true}-${1.5}"') == "n-1-true-1.5"

    def test_unknown_part_makes_the_template_partial(self) -> None:
        value = ev('"arn:${var.nope}:x"')
        assert isinstance(value, Partial) and value.pieces == ("arn:", ":x") and str(value) == "arn:${var.nope}:x"
        assert str(ev('"a${module.x.y}b"')) == "a${module.x.y}b"
        assert ev('"a${[1]}b"') is UNKNOWN  # a list cannot be interpolated into a string
        assert ev('"${var.a}${var.b}"') is UNKNOWN  # no literal text: nothing is known
        assert ev('<<EOT\n${var.nope}x\nEOT\n') is UNKNOWN  # heredocs are documents, read elsewhere
        assert not is_known(ev('"a-${var.nope}"'))

    def test_single_interpolation_is_the_value(self) -> None:
        scope = make_scope(
            'variable "l" {\n  default = ["a", "b"]\n}\nvariable "m" {\n  default = {k = 1}\n}\n'
        )
        assert ev('"${var.l}"', scope) == ("a", "b")
        assert ev('"${var.m}"', scope) == {"k": 1}
        assert ev('"${[1, 2]}"') == (1, 2)
        assert ev('"${3}"') == 3
        assert ev('"${var.nope}"') is UNKNOWN

    def test_escapes(self) -> None:
        assert ev('"$${var.x}"') == "${var.x}"
        assert ev('"a\\nb\\u00e9\\""') == 'a\nb\u00e9"'

    def test_template_directive_is_unknown(self) -> None:
        assert ev('"%{ if true }a%{ endif }"') is UNKNOWN

    def test_heredoc(self) -> None:
        scope = make_scope('locals {\n  sub = "system:serviceaccount:a:b"\n}\n')
        body = parse_hcl('x = <<EOF\n{"sub": "${local.sub}"}\nEOF\n', "main.tf")
        assert Evaluator(scope).eval(body.attributes[0].expr) == '{"sub": "system:serviceaccount:a:b"}\n'
        body = parse_hcl("x = <<-EOF\n    a\n      b\n    EOF\n", "main.tf")
        assert Evaluator(scope).eval(body.attributes[0].expr) == "a\n  b\n"

    def test_template_suffix(self) -> None:
        evaluator = Evaluator(Scope("."))
        assert evaluator.template_suffix(expr_of('"${local.issuer}:sub"')) == ":sub"
        assert evaluator.template_suffix(expr_of('"x:aud"')) == "x:aud"
        assert evaluator.template_suffix(expr_of("local.issuer")) == ""


# --- functions ---------------------------------------------------------------------------------------


class TestFunctions:
    def test_replace_literal(self) -> None:
        assert ev('replace("a.b.c", ".", "-")') == "a-b-c"
        assert ev('replace("https://oidc.eks.x/id/A", "https://", "")') == "oidc.eks.x/id/A"
        assert ev('replace("a*b", "*", "")') == "ab"  # no wildcard meaning
        assert ev('replace("a", "/", "x")') == "a"  # a lone "/" is not a regex

    def test_replace_regex(self) -> None:
        assert (
            ev('replace("arn:aws:iam::1:oidc-provider/oidc.eks.x/id/A", "/^(.*provider/)/", "")')
            == "oidc.eks.x/id/A"
        )
        assert ev('replace("abc-123", "/[0-9]+/", "N")') == "abc-N"
        assert ev('replace("team-a", "/^(\\\\w+)-(\\\\w+)$/", "$2-$1")') == "a-team"
        assert (
            ev('replace("team-a", "/^(\\\\w+)-(\\\\w+)$/", "$${2}.$${1}")') == "a.team"
        )  # `$${` is a literal `${`
        assert ev('replace("a.b", "/./", "x")') == "xxx"  # `.` is a regex here

    def test_replace_invalid_regex_is_unknown(self) -> None:
        assert ev('replace("abc", "/(/", "x")') is UNKNOWN
        assert ev('replace("abc", "/a/", "$9")') is UNKNOWN

    def test_replace_unknown_argument(self) -> None:
        assert ev('replace(var.nope, "a", "b")') is UNKNOWN
        assert ev('replace("a", var.nope, "b")') is UNKNOWN
        assert ev('replace("a", "a")') is UNKNOWN

    def test_replace_regex_dollar_escape(self) -> None:
        assert ev('replace("x", "/x/", "$$")') == "$"

    def test_trimprefix_trimsuffix(self) -> None:
        assert ev('trimprefix("https://oidc.eks.x/id/A", "https://")') == "oidc.eks.x/id/A"
        assert ev('trimprefix("oidc.eks.x", "https://")') == "oidc.eks.x"
        assert ev('trimprefix("abab", "ab")') == "ab"  # only once
        assert ev('trimprefix("a", "")') == "a"
        assert ev('trimsuffix("oidc.eks.x/", "/")') == "oidc.eks.x"
        assert ev('trimsuffix("a", "")') == "a"
        assert ev('trimprefix(var.nope, "x")') is UNKNOWN

    def test_other_functions(self) -> None:
        assert ev('format("arn:aws:iam::%s:role/%s", "1", "x")') == "arn:aws:iam::1:role/x"
        assert ev('format("%d%%", 5)') == "5%"
        assert ev('format("%s")') is UNKNOWN
        assert ev('format("%q", "a")') is UNKNOWN
        assert ev('join(":", ["system", "serviceaccount", "a", "b"])') == "system:serviceaccount:a:b"
        assert ev('concat(["a"], ["b", "c"])') == ("a", "b", "c")
        assert ev("merge({a = 1}, {a = 2, b = 3})") == {"a": 2, "b": 3}
        assert ev('lookup({a = "x"}, "a", "d")') == "x"
        assert ev('lookup({a = "x"}, "b", "d")') == "d"
        assert ev('lookup({a = "x"}, "b")') is UNKNOWN
        assert ev('element(["a", "b"], 3)') == "b"
        assert ev('split(":", "a:b")') == ("a", "b")
        assert ev('coalesce("", "a")') == "a"
        assert ev('jsonencode({b = [1], a = "x"})') == '{"a":"x","b":[1]}'
        assert ev("jsonencode({a = var.nope})") is UNKNOWN
        assert ev('tolist(["a"])') == ("a",)
        assert ev('toset(["b", "a", "b"])') == ("a", "b")
        assert ev("tostring(1)") == "1"
        assert ev('flatten([["a"], [["b"]], "c"])') == ("a", "b", "c")
        assert ev('lower("AbC")') == "abc"
        assert ev('upper("a")') == "A"
        assert ev('trimspace("  a ")') == "a"
        # try() skips what fails, not what is unknown: an unknown value may exist at apply time
        assert ev('try(var.nope, "fallback")') is UNKNOWN
        assert ev("try(var.nope, local.nope)") is UNKNOWN
        assert ev('try(module.collector[0].iam_role_arn, "")') is UNKNOWN
        settings = Scope(".", locals={"settings": expr_of('{ namespace = "ops", list = ["a"] }')})
        assert ev('try(local.settings.name, "default")', settings) == "default"
        assert ev('try(local.settings.namespace, "default")', settings) == "ops"
        assert ev('try(local.settings.list[3], "none")', settings) == "none"
        assert ev('try(local.settings.list[0], "none")', settings) == "a"

    def test_tostring_empty(self) -> None:
        assert ev('tostring("")') == ""

    @pytest.mark.parametrize(
        "source",
        [
            "nope(1)",
            'file("x.json")',
            "data.aws_caller_identity.current.account_id",
            'provider::aws::arn_parse("x")',
        ],
    )
    def test_unknown_functions_and_references(self, source: str) -> None:
        assert ev(source) is UNKNOWN


# --- variables, tfvars, locals ---------------------------------------------------------------------


class TestNames:
    def test_tfvars_override_the_default(self) -> None:
        scope = make_scope('variable "ns" {\n  default = "dev"\n}\n', tfvars='ns = "prod"\n')
        assert ev('"system:serviceaccount:${var.ns}:app"', scope) == "system:serviceaccount:prod:app"
        assert ev('"${var.ns}"', make_scope('variable "ns" {\n  default = "dev"\n}\n')) == "dev"

    def test_tfvars_without_a_default(self) -> None:
        scope = make_scope('variable "ns" {}\n', tfvars='ns = "prod"\n')
        assert ev("var.ns", scope) == "prod"
        assert ev("var.ns", make_scope('variable "ns" {}\n')) is UNKNOWN

    def test_locals_reference_vars_and_locals(self) -> None:
        scope = make_scope(
            'variable "cluster" {\n  default = "blue"\n}\n'
            "locals {\n"
            '  ns = "team-${var.cluster}"\n'
            '  subject = "system:serviceaccount:${local.ns}:api"\n'
            '  subjects = [local.subject, "x"]\n'
            "}\n",
            tfvars='cluster = "green"\n',
        )
        assert ev("local.subject", scope) == "system:serviceaccount:team-green:api"
        assert ev("local.subjects", scope) == ("system:serviceaccount:team-green:api", "x")
        assert ev("local.subjects[0]", scope) == "system:serviceaccount:team-green:api"
        assert ev("local.subjects[5]", scope) is UNKNOWN

    def test_indexing(self) -> None:
        scope = make_scope('variable "m" {\n  default = {a = {b = ["x", "y"]}}\n}\n')
        assert ev('var.m["a"]["b"][1]', scope) == "y"
        assert ev("var.m.a.b[0]", scope) == "x"
        assert ev("var.m.a.b[-1]", scope) == "y"
        assert ev('var.m["nope"]', scope) is UNKNOWN
        assert ev("var.m[local.i]", scope) is UNKNOWN
        assert ev("var.m.a.b.c", scope) is UNKNOWN

    def test_cycle(self) -> None:
        scope = make_scope("locals {\n  a = local.b\n  b = local.a\n}\n")
        assert ev("local.a", scope) is UNKNOWN
        assert ev("local.b", scope) is UNKNOWN
        assert not is_known(ev('"x-${local.a}"', scope))

    def test_self_reference(self) -> None:
        scope = make_scope('locals {\n  a = "${local.a}x"\n  b = [local.b]\n  c = {k = local.c}\n}\n')
        assert not is_known(ev("local.a", scope))  # "${cycle}x": only the "x" is known
        assert ev("local.b", scope) == (UNKNOWN,)
        assert ev("local.c", scope) == {"k": UNKNOWN}

    def test_cycle_through_a_function(self) -> None:
        scope = make_scope('locals {\n  a = replace(local.b, "x", "y")\n  b = trimprefix(local.a, "z")\n}\n')
        assert ev("local.a", scope) is UNKNOWN

    def test_cycle_does_not_poison_the_evaluator(self) -> None:
        scope = make_scope('locals {\n  a = local.b\n  b = local.a\n  c = "ok"\n}\n')
        evaluator = Evaluator(scope)
        assert evaluator.eval(expr_of("local.a")) is UNKNOWN
        assert evaluator.eval(expr_of("local.c")) == "ok"
        assert evaluator.eval(expr_of("[local.c, local.c]")) == ("ok", "ok")

    def test_long_chains(self) -> None:
        short = "locals {\n" + "".join(f"  l{i} = local.l{i + 1}\n" for i in range(10)) + '  l10 = "end"\n}\n'
        assert ev("local.l0", make_scope(short)) == "end"
        long = (
            "locals {\n" + "".join(f"  l{i} = local.l{i + 1}\n" for i in range(400)) + '  l400 = "end"\n}\n'
        )
        assert ev("local.l0", make_scope(long)) in ("end", UNKNOWN)  # depth-capped, never a RecursionError

    def test_deep_expression(self) -> None:
        depth = 3 * MAX_DEPTH
        assert ev("[" * depth + "1" + "]" * depth) is not None  # capped: UNKNOWN inside, no exception

    def test_references_to_modelled_roles_and_policies(self) -> None:
        scope = make_scope(module__irsa="role-1", aws_iam_role__r="role-2", policy__aws_iam_policy__p="pol-1")
        assert ev("module.irsa.iam_role_arn", scope) == RoleRef("role-1", "arn")
        assert ev("module.irsa.arn", scope) == RoleRef("role-1", "arn")
        assert ev("module.irsa.iam_role_name", scope) == RoleRef("role-1", "name")
        assert ev("module.irsa.something_else", scope) is UNKNOWN
        assert ev("module.other.iam_role_arn", scope) is UNKNOWN
        assert ev("aws_iam_role.r.arn", scope) == RoleRef("role-2", "arn")
        assert ev("aws_iam_role.r.name", scope) == RoleRef("role-2", "name")
        assert ev("aws_iam_policy.p.arn", scope) == PolicyRef("pol-1")
        assert ev('"${aws_iam_role.r.arn}"', scope) == RoleRef("role-2", "arn")
        assert str(ev('"arn: ${aws_iam_role.r.arn}"', scope)) == "arn: ${aws_iam_role.r.arn}"  # text, not a ref
        assert ev("jsonencode({a = aws_iam_role.r.arn})", scope) is UNKNOWN

    def test_resolve_expr(self) -> None:
        scope = make_scope(
            'variable "doc" {\n  default = "d"\n}\nlocals {\n  trust = jsonencode({})\n  alias = local.trust\n'
            "  loop = local.loop\n}\n"
        )
        evaluator = Evaluator(scope)
        assert isinstance(evaluator.resolve_expr(expr_of("local.alias")), Call)
        assert isinstance(evaluator.resolve_expr(expr_of('"${local.alias}"')), Call)
        assert isinstance(evaluator.resolve_expr(expr_of("var.doc")), Template)
        assert isinstance(evaluator.resolve_expr(expr_of("local.nope")), Traversal)
        assert evaluator.resolve_expr(None) is None
        evaluator.resolve_expr(expr_of("local.loop"))  # terminates


INDEXED_NON_TRAVERSALS = [
    'split("/", "a/b")[1]',
    'tolist(["x"])[0]',
    'concat(["a"], ["b"])[0]',
    "[for r in var.roles : r.arn][0]",
    '{a = "x"}.a',
    '["a", "b"][0]',
    'var.x ? split("/", var.arn)[1] : "b"',
    "tolist(aws_eks_cluster.x.identity)[0].oidc[0].issuer",
]


class TestIndexedNonTraversals:
    """Indexing or getting an attribute of anything but a plain reference."""

    @pytest.mark.parametrize("source", INDEXED_NON_TRAVERSALS)
    def test_index_on_a_call_result(self, source: str) -> None:
        body = parse_hcl(f"x = {source}\n", "main.tf")
        assert is_value(Evaluator(Scope(".")).eval(body.attributes[0].expr))


class TestOpaque:
    @pytest.mark.parametrize(
        "source",
        [
            'var.x ? "a" : "b"',
            "true ? 1 : 2",
            "[for v in [1, 2] : v]",
            "{for k, v in {a = 1} : k => v}",
            "1 + 2",
            '"a" == "a"',
            "!true",
            "var.l[*].name",
            "var.l.*.name",
            "each.value",
            "count.index",
            "path.module",
            "self.arn",
            "x",
        ],
    )
    def test_unknown(self, source: str) -> None:
        assert ev(source) is UNKNOWN

    def test_unknown_inside_known_containers(self) -> None:
        assert ev('["a", var.x ? 1 : 2]') == ("a", UNKNOWN)
        assert ev("{a = [for v in [] : v]}") == {"a": UNKNOWN}
        assert ev("{(var.k) = 1}") is UNKNOWN  # a key we cannot know
        assert not is_known(ev('["a", var.nope]'))
        assert is_known(ev('["a", {b = 1}]'))


# --- never raises --------------------------------------------------------------------------------

leaves = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(
        [
            "1.5",
            "1e308",
            "1e400",
            "0",
            "true",
            "false",
            "null",
            "var.a",
            "var.b",
            "var.m",
            "var.l",
            "local.a",
            "local.b",
            "local.c",
            'var.m["k"]',
            "var.l[0]",
            "var.l[99]",
            "local.a.b.c",
            "module.irsa.iam_role_arn",
            "aws_iam_role.r.arn",
            "aws_iam_policy.p.arn",
            "data.aws_iam_policy_document.t.json",
            "each.value",
        ]
    ),
    st.text(alphabet="ab:/*?-.%$\\()[]", max_size=6).map(
        lambda t: '"' + t.replace("\\", "\\\\").replace("${", "$${").replace("%{", "%%{") + '"'
    ),
    st.sampled_from(
        [
            '"%s"',
            '"%d-%s"',
            '"/(a)(b)?/"',
            '"/[/"',
            '"$1"',
            '"${1}"',
            '"/^(.*)$/"',
            '"%{ if true }a%{ endif }"',
        ]
    ),
)
FUNCTION_NAMES = [
    "replace", "trimprefix", "trimsuffix", "format", "join", "concat", "merge", "coalesce", "lookup", "element",
    "split", "jsonencode", "tolist", "toset", "tostring", "flatten", "lower", "upper", "trimspace", "try", "nope",
]  # fmt: skip
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "k", '"b"', "(var.a)"]), inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
        ),
        st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(inner, max_size=4)).map(
            lambda fa: f"{fa[0]}(" + ", ".join(fa[1]) + ")"
        ),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        inner.map(lambda x: f'"${{{x}}}"'),
        st.tuples(inner, inner).map(lambda t: f'"a${{{t[0]}}}:${{{t[1]}}}"'),
        inner.map(lambda x: f"[for v in {x} : v]"),
        inner.map(lambda x: f"({x})"),
        # `<non-traversal>[0]` is left out: it never parses (see test_index_on_a_call_result)
    ),
    max_leaves=12,
)


def is_value(value: Any) -> bool:
    if value is UNKNOWN or value is None or isinstance(value, (str, int, float, bool, RoleRef, PolicyRef, Partial)):
        return True
    if isinstance(value, tuple):
        return all(is_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_value(v) for k, v in value.items())
    return False


@st.composite
def programs(draw: st.DrawFn) -> tuple[str, str, str]:
    """variables + locals (which may reference each other, cycles included), tfvars, and x."""
    variables = "".join(
        f'variable "{name}" {{\n  default = {draw(expressions)}\n}}\n'
        for name in draw(st.lists(st.sampled_from(["a", "b", "m", "l"]), unique=True, max_size=4))
    )
    local_names = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3))
    locals_block = "locals {\n" + "".join(f"  {name} = {draw(expressions)}\n" for name in local_names) + "}\n"
    tfvars = "".join(
        f"{name} = {draw(expressions)}\n"
        for name in draw(st.lists(st.sampled_from(["a", "m"]), unique=True, max_size=2))
    )
    return variables + locals_block, tfvars, draw(expressions)


SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


class TestNeverRaises:
    @given(programs())
    @SETTINGS
    def test_eval_returns_a_value_or_unknown(self, program: tuple[str, str, str]) -> None:
        definitions, tfvars, source = program
        # the generator writes valid HCL: a parse error here is a parser bug, not a skip
        expr_body = parse_hcl(f"x = {source}\n", "main.tf")
        scope = make_scope(definitions, tfvars, module__irsa="role-1", aws_iam_role__r="role-2")
        evaluator = Evaluator(scope)
        for expr in [expr_body.attributes[0].expr, *scope.locals.values(), *scope.variables.values()]:
            assert is_value(evaluator.eval(expr))
            evaluator.eval_str(expr)
            evaluator.template_suffix(expr)
            evaluator.resolve_expr(expr)

    @given(expressions)
    @SETTINGS
    def test_eval_in_empty_scope(self, source: str) -> None:
        body = parse_hcl(f"x = {source}\n", "main.tf")
        value = Evaluator(Scope(".")).eval(body.attributes[0].expr)
        assert is_value(value)
