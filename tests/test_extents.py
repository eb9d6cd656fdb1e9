"""An `irsalint.dev/ignore` annotation covers its own object, as the parser delimits it: comments,
strings and heredocs holding braces, `---` in block scalars and `kind: List` items never widen it.
A regression test for the brace counter this replaced, and a property: an ignore never silences a
finding outside its block."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.extents import object_extent
from tests.helpers import run
from tests.test_cli import irsalint

KEY = "irsalint.dev/ignore"

# The old counter ignored `//` comments and heredocs: the `{` below opened a block that never
# closed, so the ignore of `reports` covered `exports` too.
REGRESSION_TF = '''\
resource "kubernetes_service_account_v1" "reports" {
  metadata {
    name      = "reports"
    namespace = "team-reports"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/reports"
      "irsalint.dev/ignore"        = "IRSA004 -- no API access"
      // the policy lives in policies/reports.json {see the runbook}: {
      "example.com/policy" = <<-EOT
        { "Statement": [ {
      EOT
    }
  }
  automount_service_account_token = false
}

resource "kubernetes_service_account_v1" "exports" {
  metadata {
    name      = "exports"
    namespace = "team-reports"
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/exports"
    }
  }
  automount_service_account_token = false
}
'''


def test_hcl_comment_and_heredoc_braces_do_not_widen_the_ignore(tmp_path):
    (tmp_path / "main.tf").write_text(REGRESSION_TF)
    assert object_extent("main.tf", REGRESSION_TF, 7, KEY) == (1, 15)
    proc = irsalint("check", ".", "--select", "IRSA004", "--format", "sarif", "--include-suppressed", cwd=tmp_path)
    import json

    results = json.loads(proc.stdout)["runs"][0]["results"]
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: "suppressions" in r for r in results}
    assert lines == {14: True, 25: False}, lines
    assert proc.returncode == 1


LIST_YAML = '''\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: first
      namespace: team-list
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/first
        irsalint.dev/ignore: IRSA004
    automountServiceAccountToken: false
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: second
      namespace: team-list
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/second
    automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: script
data:
  run.sh: |
    echo "---"
    cat <<EOF
---
EOF
'''


def test_yaml_list_items_and_documents_come_from_node_positions(tmp_path):
    assert object_extent("sa.yaml", LIST_YAML, 11, KEY) == (4, 12)  # the item, not the List
    (tmp_path / "sa.yaml").write_text(LIST_YAML)
    result = run(tmp_path, select=("IRSA004",))
    assert [(s.finding.loc.line, s.kind) for s in result.suppressed] == [(12, "inSource")]
    assert [(f.loc.line, f.rule_id) for f in result.findings if f.rule_id == "IRSA004"] == [(20, "IRSA004")]


def test_unparsable_or_unlocated_annotations_cover_their_own_line_only():
    assert object_extent("a.tf", 'resource "x" "y" {\n  a = {\n', 2, KEY) == (2, 2)
    assert object_extent("a.yaml", "a: [\n", 1, KEY) == (1, 1)
    inline_patch = "kind: Kustomization\npatches:\n  - patch: |\n      metadata:\n        annotations:\n" \
                   "          irsalint.dev/ignore: IRSA004\n"
    assert object_extent("kustomization.yaml", inline_patch, 6, KEY) == (6, 6)  # inside a string


# --- the property ------------------------------------------------------------------------------

# Text that contains braces, quotes and comment markers without changing the HCL structure.
NOISE = st.sampled_from([
    "  // a comment with an opening brace {\n",
    "  # a comment with a closing brace }\n",
    "  /* { block comment */\n",
    '  description = "a string with { and } and # and //"\n',
    '  policy = <<-EOT\n    { "unbalanced": [ {\n  EOT\n',
    '  other = <<EOT\n}}}\nEOT\n',
    "",
])
TOP_LEVEL_NOISE = st.sampled_from(["", "// between blocks {\n", "# a stray }\n", "/* { */\n"])


def _block(index: int, ignored: bool, noise: list[str]) -> str:
    annotation = f'      "{KEY}" = "IRSA004"\n' if ignored else ""
    return (
        f'resource "kubernetes_service_account_v1" "sa{index}" {{\n'
        + noise[0]
        + "  metadata {\n"
        + f'    name      = "sa{index}"\n    namespace = "team-prop"\n'
        + "    annotations = {\n"
        + f'      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/sa{index}"\n'
        + annotation
        + "    }\n  }\n"
        + noise[1]
        + "  automount_service_account_token = false\n"
        + noise[2]
        + "}\n"
    )


@settings(max_examples=25, deadline=None)
@given(
    blocks=st.integers(min_value=2, max_value=4),
    ignored=st.integers(min_value=0, max_value=3),
    noise=st.lists(st.lists(NOISE, min_size=3, max_size=3), min_size=4, max_size=4),
    between=st.lists(TOP_LEVEL_NOISE, min_size=4, max_size=4),
)
def test_an_ignore_never_silences_a_finding_outside_its_block(blocks, ignored, noise, between):
    ignored %= blocks
    text = ""
    spans = []
    for index in range(blocks):
        text += between[index]
        first = text.count("\n") + 1
        text += _block(index, index == ignored, noise[index])
        spans.append((first, text.count("\n")))
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "main.tf").write_text(text)
        result = run(Path(directory), select=("IRSA004",))
    first, last = spans[ignored]
    suppressed = [s.finding.loc.line for s in result.suppressed]
    reported = [f.loc.line for f in result.findings if f.rule_id == "IRSA004"]
    assert len(suppressed) == 1 and first <= suppressed[0] <= last, (text, suppressed, spans)
    assert len(reported) == blocks - 1 and all(not first <= line <= last for line in reported), (text, reported)
