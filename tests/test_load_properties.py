"""The loaders are total: whatever the bytes, they return a record, a Diagnostic or a SkipNote."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.load.dispatch import load_bytes
from irsalint.load.k8s import K8sFile, _untemplated, load_manifest
from irsalint.load.terraform import TfFile, load_terraform
from irsalint.model import UNKNOWN, Diagnostic, SkipNote

MANIFEST_RESULTS = (K8sFile, Diagnostic, SkipNote)
TERRAFORM_RESULTS = (TfFile, Diagnostic)

SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Kubernetes manifests ------------------------------------------------------------------------

YAML_LINES = [
    "kind: ServiceAccount",
    "kind: Deployment",
    "kind: List",
    "kind: CronJob",
    "apiVersion: v1",
    "apiVersion: apps/v1",
    "metadata:",
    "  name: x",
    "  namespace: ns",
    "  annotations:",
    "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/x",
    "    eks.amazonaws.com/token-expiration: '86400'",
    "automountServiceAccountToken: false",
    "spec:",
    "  template:",
    "    spec:",
    "      serviceAccountName: x",
    "      containers:",
    "      - name: c",
    "        env:",
    "        - name: AWS_ROLE_ARN",
    "items:",
    "- kind: ServiceAccount",
    "  apiVersion: v1",
    "---",
    "...",
    "{{ x }}",
    "{{",
    "}}",
    "&a [*a]",
    "x: &a [*a]",
    "y: *a",
    "*b",
    "\t",
    "\tname: x",
    ": :",
    "? a",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "|",
    ">-",
    "!Ref x",
    "!!binary x",
    "%YAML 1.1",
    "%TAG ! tag:x,2000:",
    "<<: *a",
    "name: ${NAME}",
    "    eks.amazonaws.com/role-arn: %ROLE_ARN%",
    "- %ITEM%",
    "{% raw %}",
    "{% endraw %}",
    "{% if x %}",
    "# comment",
    "",
]

yaml_line = st.one_of(
    st.sampled_from(YAML_LINES),
    st.builds(lambda indent, line: " " * indent + line, st.integers(0, 6), st.sampled_from(YAML_LINES)),
    st.text(alphabet=" \t:-[]{}&*!|>'\"#?,%@`abc\r", max_size=10),
)
yaml_ish = st.builds("\n".join, st.lists(yaml_line, max_size=30))


def _mutate(text: str, edits: list[tuple[int, str]]) -> str:
    """Insert, at relative positions, small pieces (or delete a character for an empty piece)."""
    for position, piece in edits:
        at = position % (len(text) + 1)
        text = text[:at] + piece + text[at + (0 if piece else 1) :]
    return text


yaml_scalars = st.one_of(
    st.text(alphabet="abc-:/ ", max_size=8),
    st.sampled_from(["x", "default", "true", "no", "null", "~", "86400", "599", "${X}", "{{ .Values.x }}"]),
    st.integers(-5, 10**6),
    st.booleans(),
    st.none(),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["name", "namespace", "annotations", "env", "spec", "x"]), inner, max_size=3
        ),
    ),
    max_leaves=8,
)
KINDS = [
    "ServiceAccount",
    "Deployment",
    "Pod",
    "CronJob",
    "Job",
    "List",
    "ConfigMap",
    "PodTemplate",
    "Kustomization",
]


@st.composite
def k8s_objects(draw: st.DrawFn) -> dict[str, Any]:
    def maybe(value_strategy: st.SearchStrategy[Any]) -> Any:  # the right shape mostly, anything sometimes
        return draw(st.one_of(value_strategy, value_strategy, value_strategy, yaml_values))

    container = {
        "name": maybe(yaml_scalars),
        "env": maybe(st.lists(st.fixed_dictionaries({"name": yaml_scalars}), max_size=3)),
    }
    pod_spec = {
        "serviceAccountName": maybe(yaml_scalars),
        "automountServiceAccountToken": maybe(st.booleans()),
        "containers": maybe(st.just([container])),
    }
    annotations = maybe(
        st.dictionaries(
            st.sampled_from(["eks.amazonaws.com/role-arn", "eks.amazonaws.com/token-expiration", "x"]),
            yaml_scalars,
            max_size=3,
        )
    )
    obj = {
        "apiVersion": maybe(st.sampled_from(["v1", "apps/v1", "batch/v1"])),
        "kind": maybe(st.sampled_from(KINDS)),
        "metadata": maybe(
            st.just({"name": draw(yaml_scalars), "namespace": draw(yaml_scalars), "annotations": annotations})
        ),
        "automountServiceAccountToken": maybe(st.booleans()),
        "spec": maybe(
            st.just(
                {
                    "template": {"metadata": {"annotations": annotations}, "spec": pod_spec},
                    "jobTemplate": {"spec": {"template": {"spec": pod_spec}}},
                }
            )
        ),
    }
    if draw(st.booleans()):
        obj["items"] = draw(st.lists(st.just(dict(obj)), max_size=2))
    return obj


yaml_documents = st.builds(
    lambda docs, as_json, edits: _mutate(
        "\n---\n".join(json.dumps(d) if as_json else yaml.safe_dump(d) for d in docs), edits
    ),
    st.lists(k8s_objects(), min_size=1, max_size=3),
    st.booleans(),
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["", "", ":", "\n", "  ", "- ", "&a ", "*a", "[", "{", "'", "\t"]),
        ),
        max_size=3,
    ),
)

manifest_paths = st.sampled_from(["k8s/sa.yaml", "a.yml", "kustomization.yaml", "x.json"])


class TestLoadManifest:
    @given(manifest_paths, st.text(max_size=400))
    @FAST
    def test_arbitrary_text(self, path: str, text: str) -> None:
        assert isinstance(load_manifest(path, text), MANIFEST_RESULTS)

    @given(st.text(alphabet=st.characters(exclude_categories=()), max_size=60))
    @FAST
    def test_text_with_lone_surrogates(self, text: str) -> None:
        # only reachable through the str API (load_bytes never decodes to a surrogate)
        assert isinstance(load_manifest("a.yaml", text), MANIFEST_RESULTS)
        assert isinstance(
            load_manifest("a.yaml", "apiVersion: v1\nkind: ServiceAccount\n" + text), MANIFEST_RESULTS
        )

    @given(manifest_paths, yaml_ish)
    @FAST
    def test_yaml_ish_text(self, path: str, text: str) -> None:
        assert isinstance(load_manifest(path, text), MANIFEST_RESULTS)

    @given(manifest_paths, yaml_documents)
    @FAST
    def test_generated_manifests(self, path: str, text: str) -> None:
        assert isinstance(load_manifest(path, text), MANIFEST_RESULTS)

    @given(yaml_ish)
    @FAST
    def test_yaml_ish_text_with_a_manifest_header(self, text: str) -> None:
        # a file that looks like a manifest must not be skipped as "not YAML" silently; it parses
        # or becomes a Diagnostic, never an exception
        result = load_manifest("k8s/x.yaml", "apiVersion: v1\nkind: ServiceAccount\n" + text)
        assert isinstance(result, MANIFEST_RESULTS)

    @pytest.mark.parametrize(
        "text",
        [
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n"
                "      serviceAccountName: ${SA_NAME}\n"
            ),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  serviceAccount: $(SA)\n",
        ],
    )
    def test_placeholder_service_account_name(self, text: str) -> None:
        result = load_manifest("k8s/deploy.yaml", text)
        assert isinstance(result, K8sFile)
        assert result.workloads[0].service_account is UNKNOWN

    def test_alias_bomb(self) -> None:
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        previous = "a"
        for level in "bcdefghi":
            lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
            previous = level
        text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n" + "\n".join(lines)
        result = load_manifest("bomb.yaml", text)
        assert isinstance(result, MANIFEST_RESULTS)

    def test_alias_bomb_inside_annotations(self) -> None:
        lines = ['    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        previous = "a"
        for level in "bcdefghi":
            lines.append(f"    {level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
            previous = level
        text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: bomb\n  annotations:\n" + "\n".join(
            lines
        )
        # Never expanded; reported as IRSA900 like the API server's "excessive aliasing".
        result = load_manifest("bomb.yaml", text)
        assert isinstance(result, Diagnostic) and "alias bomb" in result.message

    @pytest.mark.parametrize("depth", [5_000])
    def test_deep_flow_nesting(self, depth: int) -> None:
        text = "[" * depth + "]" * depth
        assert isinstance(load_manifest("deep.yaml", text), MANIFEST_RESULTS)
        manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n  annotations: " + text
        assert isinstance(load_manifest("deep.yaml", manifest), MANIFEST_RESULTS)

    def test_deep_flow_mapping_nesting(self) -> None:
        text = "apiVersion: v1\nkind: ServiceAccount\nx: " + "{a: " * 5_000 + "b" + "}" * 5_000
        assert isinstance(load_manifest("deep.yaml", text), MANIFEST_RESULTS)

    def test_deep_list_kinds(self) -> None:
        # `kind: *List` items nested inside items
        text = "apiVersion: v1\nkind: List\nitems:\n"
        indent = ""
        for _ in range(50):
            text += f"{indent}- apiVersion: v1\n{indent}  kind: List\n{indent}  items:\n"
            indent += "  "
        text += f"{indent}- apiVersion: v1\n{indent}  kind: ServiceAccount\n{indent}  metadata: {{name: x}}\n"
        assert isinstance(load_manifest("lists.yaml", text), MANIFEST_RESULTS)

    def test_recursive_anchor(self) -> None:
        for text in ("&a [*a]", "apiVersion: v1\nkind: ServiceAccount\nmetadata: &m {name: *m}\n"):
            assert isinstance(load_manifest("r.yaml", text), MANIFEST_RESULTS)


# --- Terraform -----------------------------------------------------------------------------------

HCL_PIECES = [
    'resource "aws_iam_role" "x" {',
    'data "aws_iam_policy_document" "t" {',
    'module "irsa" {',
    "statement {",
    'dynamic "statement" {',
    "}",
    "{",
    'name = "a"',
    "name = var.x",
    "x = [",
    "]",
    "[",
    ",",
    "<<EOF",
    "<<-EOF",
    "EOF",
    "  EOF",
    "jsonencode({",
    "})",
    "(",
    ")",
    "${",
    "${var.x}",
    "%{ if x }",
    "%{ endif }",
    '"',
    '"${local.a}:sub"',
    "\\",
    "\\u00e9",
    "\\U0001F600",
    "#",
    "//",
    "/*",
    "*/",
    "=",
    ":",
    "?",
    "=>",
    "...",
    "[*]",
    ".0",
    "for x in y :",
    "a ? b : c",
    "replace(",
    "1.5e3",
    "-1",
    "true",
    "null",
]

hcl_piece = st.one_of(
    st.sampled_from(HCL_PIECES),
    st.text(alphabet=' \t{}[]()"=:,.$%<>#/*\\-abcEOF0', max_size=8),
)
hcl_ish = st.builds(
    "".join,
    st.lists(st.tuples(hcl_piece, st.sampled_from(["\n", " ", "", "\n  "])).map("".join), max_size=20),
)
_BIG_ESCAPE_RE = re.compile(r"\\U([0-9a-fA-F]{8})")


def _no_out_of_range_escape(text: str) -> bool:
    """Out-of-range `\\U` escapes are a known crash (see test_out_of_range_unicode_escape)."""
    return all(int(m.group(1), 16) <= 0x10FFFF for m in _BIG_ESCAPE_RE.finditer(text))


# structured HCL: mostly valid, then lightly mutated
hcl_leaves = st.one_of(
    st.integers(-10, 10**12).map(str),
    st.sampled_from(
        [
            "1.5",
            "1e3",
            "true",
            "false",
            "null",
            "var.x",
            "local.y",
            'var.m["k"]',
            "var.l[0]",
            "module.irsa.iam_role_arn",
            "aws_iam_role.r.arn",
            "data.aws_iam_policy_document.t.json",
            "each.value",
            "count.index",
        ]
    ),
    st.text(alphabet="abc:/*-.", max_size=6).map(lambda t: f'"{t}"'),
    st.sampled_from(
        ['"${var.x}"', '"p-${local.y}-s"', '"%{ if true }a%{ endif }"', '"$${x}"', '"\\n\\u00e9"']
    ),
)
hcl_exprs = st.recursive(
    hcl_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", '"b"', "Effect", "(var.k)"]), inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
        ),
        st.tuples(
            st.sampled_from(
                [
                    "replace",
                    "trimprefix",
                    "format",
                    "join",
                    "concat",
                    "merge",
                    "lookup",
                    "jsonencode",
                    "element",
                    "split",
                    "coalesce",
                    "try",
                    "tostring",
                    "flatten",
                    "lower",
                    "nope",
                ]
            ),
            st.lists(inner, max_size=3),
        ).map(lambda fa: f"{fa[0]}(" + ", ".join(fa[1]) + ")"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} + {t[1]}"),
        inner.map(lambda x: f"[for v in {x} : v]"),
        inner.map(lambda x: f'"${{{x}}}"'),
        inner.map(lambda x: f'"a${{{x}}}b"'),
        inner.map(lambda x: f"({x})"),
        inner.map(lambda x: f'<<EOF\n{{"k": "${{{x}}}"}}\nEOF\n'),
    ),
    max_leaves=10,
)
hcl_names = st.sampled_from(["name", "assume_role_policy", "role_name", "x", "default", "effect", "values"])
hcl_bodies = st.recursive(
    st.lists(st.tuples(hcl_names, hcl_exprs).map(lambda a: f"{a[0]} = {a[1]}\n"), max_size=3).map("".join),
    lambda inner: st.lists(
        st.tuples(
            st.sampled_from(
                [
                    'resource "aws_iam_role" "r"',
                    'data "aws_iam_policy_document" "t"',
                    "statement",
                    "condition",
                    'module "irsa"',
                    'variable "x"',
                    "locals",
                    'dynamic "statement"',
                ]
            ),
            inner,
        ).map(lambda b: f"{b[0]} {{\n{b[1]}}}\n"),
        max_size=3,
    ).map("".join),
    max_leaves=6,
)
hcl_documents = st.builds(
    _mutate,
    hcl_bodies,
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["", "", "}", "{", '"', "${", "\n", "#", "<<EOF\n", "]", "("]),
        ),
        max_size=2,
    ),
)

terraform_paths = st.sampled_from(["main.tf", "terraform.tfvars", "x.auto.tfvars"])


class TestLoadTerraform:
    @given(terraform_paths, st.text(max_size=200))
    @SLOW
    def test_arbitrary_text(self, path: str, text: str) -> None:
        assert isinstance(load_terraform(path, text), TERRAFORM_RESULTS)

    @given(st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
    @SLOW
    def test_text_with_lone_surrogates(self, text: str) -> None:
        assert isinstance(load_terraform("main.tf", text), TERRAFORM_RESULTS)
        assert isinstance(load_terraform("main.tf", f'x = "{text}"'), TERRAFORM_RESULTS)

    @given(terraform_paths, hcl_ish)
    @SLOW
    def test_hcl_ish_text(self, path: str, text: str) -> None:
        assert isinstance(load_terraform(path, text), TERRAFORM_RESULTS)

    @given(terraform_paths, hcl_documents)
    @SLOW
    def test_generated_hcl(self, path: str, text: str) -> None:
        assert isinstance(load_terraform(path, text), TERRAFORM_RESULTS)

    @given(st.text(alphabet='abcuU0123456789ABCDEFxyz\\"{}$', max_size=12).filter(_no_out_of_range_escape))
    @SLOW
    def test_string_escapes(self, inner: str) -> None:
        for text in (f'x = "{inner}"', f'resource "{inner}" "y" {{}}', f"x = <<EOF\n{inner}\nEOF\n"):
            assert isinstance(load_terraform("main.tf", text), TERRAFORM_RESULTS)

    @pytest.mark.parametrize(
        "text",
        [
            'x = "\\U00110000"',
            'x = "\\UFFFFFFFF"',
            'resource "aws_iam_role" "\\UFFFFFFFF" {}',
            'x = {"\\U00110000" = 1}',
        ],
    )
    def test_out_of_range_unicode_escape(self, text: str) -> None:
        assert isinstance(load_terraform("main.tf", text), TERRAFORM_RESULTS)

    def test_valid_escapes(self) -> None:
        result = load_terraform("main.tf", 'x = "\\u00e9\\U0001F600\\n"')
        assert isinstance(result, TfFile)

    def test_bom_and_empty(self) -> None:
        assert isinstance(load_terraform("main.tf", ""), TfFile)
        assert isinstance(load_terraform("main.tf", "\ufeff"), TfFile)
        assert isinstance(load_terraform("main.tf", "\ufeffx = 1\n"), TfFile)

    def test_deep_nesting(self) -> None:
        for depth in (50, 2_000):
            text = "x = " + "[" * depth + "]" * depth + "\n"
            assert isinstance(load_terraform("main.tf", text), TERRAFORM_RESULTS)
            text = "x = " + "(" * depth + "1" + ")" * depth + "\n"
            assert isinstance(load_terraform("main.tf", text), TERRAFORM_RESULTS)

    def test_syntax_error_is_a_positioned_diagnostic(self) -> None:
        result = load_terraform("main.tf", 'resource "aws_iam_role" "x" {\n  name = \n}\n')
        assert isinstance(result, Diagnostic)
        assert result.loc.path == "main.tf"
        assert result.loc.line >= 1 and result.loc.col >= 1


# --- bytes ---------------------------------------------------------------------------------------


class TestLoadBytes:
    @given(st.binary(max_size=300))
    @FAST
    def test_yaml_bytes(self, data: bytes) -> None:
        assert isinstance(load_bytes("k8s/x.yaml", data, "yaml"), MANIFEST_RESULTS)

    @given(st.binary(max_size=200))
    @SLOW
    def test_terraform_bytes(self, data: bytes) -> None:
        assert isinstance(load_bytes("main.tf", data, "terraform"), TERRAFORM_RESULTS + (SkipNote,))

    @given(st.binary(max_size=100), st.sampled_from(["yaml", "terraform"]))
    @FAST
    def test_invalid_utf8_after_manifest_header(self, tail: bytes, kind: str) -> None:
        data = b"apiVersion: v1\nkind: ServiceAccount\n" + tail
        assert isinstance(load_bytes("x.yaml", data, kind), MANIFEST_RESULTS + TERRAFORM_RESULTS)

    def test_size_cap_and_binary(self) -> None:
        assert isinstance(load_bytes("x.yaml", b"a" * 11, "yaml", max_bytes=10), SkipNote)
        assert isinstance(load_bytes("x.yaml", b"\x00abc", "yaml"), SkipNote)
        assert isinstance(load_bytes("main.tf", b"\x00abc", "terraform"), SkipNote)

    def test_invalid_utf8_position(self) -> None:
        result = load_bytes("main.tf", b'x = 1\ny = "\xff"\n', "terraform")
        assert isinstance(result, Diagnostic)
        assert (result.loc.line, result.loc.col) == (2, 6)


@FAST
@given(yaml_ish)
def test_untemplating_keeps_every_line_in_place(text: str) -> None:
    # a finding in a `%VAR%` or `{% raw %}` template must point at the line as written
    untemplated = _untemplated(text)
    assert untemplated.count("\n") == text.count("\n")
    for before, after in zip(text.split("\n"), untemplated.split("\n"), strict=True):
        assert after == before or after == "" or after.replace('"%', "%").replace('%"', "%") == before

