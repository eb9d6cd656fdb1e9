"""User rule files (--rules DIR): own ids, built-in parameterised checks, no user code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from irsalint.checks.custom import globs_overlap
from tests.helpers import FIXTURES, ROOT, markers
from tests.test_cli import irsalint

CUSTOM = FIXTURES / "custom-rules"
DOC = ROOT / "docs" / "custom-rules.md"


def _findings(proc) -> set[tuple[str, int, str]]:
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["location"]["path"], f["location"]["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"]}


def test_the_two_documented_rules_fire_on_the_fixture():
    proc = irsalint("check", ".", "--root", ".", "--rules", "../rules", "--format", "json", cwd=CUSTOM / "repo")
    assert proc.returncode == 1
    assert {f for f in _findings(proc) if f[2].startswith("ACME")} == markers(CUSTOM / "repo")
    assert {rule for _, _, rule in markers(CUSTOM / "repo")} == {"ACME001", "ACME002"}


def test_the_documented_rule_files_are_the_fixture_files():
    doc = DOC.read_text("utf-8")
    for path in sorted((CUSTOM / "rules").glob("*.yaml")):
        body = "".join(l for l in path.read_text("utf-8").splitlines(keepends=True) if not l.startswith("# "))
        assert body in doc, f"docs/custom-rules.md does not show {path.name} verbatim"


def test_custom_rules_show_in_rules_and_explain_and_sarif():
    listing = irsalint("rules", "--rules", "fixtures/custom-rules/rules", "--format", "json")
    assert {"ACME001", "ACME002"} <= {r["id"] for r in json.loads(listing.stdout)}
    explain = irsalint("explain", "ACME001", "--rules", "fixtures/custom-rules/rules")
    assert explain.returncode == 0 and "lifecycle jobs" in explain.stdout
    sarif = irsalint("check", "fixtures/custom-rules/repo", "--rules", "fixtures/custom-rules/rules",
                     "--select", "ACME", "--format", "sarif")
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["ACME001", "ACME002"] and "helpUri" not in rules[1]


def _rule_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rule.yaml").write_text(text)
    return folder


MINIMAL = "id: {id}\nname: my-rule\nlevel: error\nsummary: A summary\ncheck:\n  function: {function}\n  params: {params}\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (MINIMAL.format(id="IRSA500", function="allowed_namespaces", params="{namespaces: [a]}"), "IRSA prefix"),
        (MINIMAL.format(id="ACME001", function="forbidden_actions", params="{actions: s3:Delete*}"),
         "check/params/actions"),
        (MINIMAL.format(id="ACME001", function="forbidden_actions", params="{}"), "check/params"),
        (MINIMAL.format(id="ACME001", function="max_token_expiration", params="{seconds: 60}"),
         "check/params/seconds"),
        (MINIMAL.format(id="ACME001", function="allowed_namespaces", params="{namespaces: [a], extra: 1}"),
         "check/params"),
        (MINIMAL.format(id="ACME001", function="os_system", params="{}"), "unknown check function"),
        (MINIMAL.format(id="acme", function="allowed_namespaces", params="{namespaces: [a]}"), "at id"),
        ("id: ACME001\nname: x\nlevel: error\ncheck: {function: allowed_namespaces, params: {}}\n", "summary"),
    ],
)
def test_invalid_rule_file_exits_2_naming_file_and_schema_path(tmp_path, rule, expected):
    folder = _rule_dir(tmp_path, rule)
    proc = irsalint("check", "fixtures/seed", "--rules", str(folder))
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "rule.yaml" in proc.stderr and expected in proc.stderr, proc.stderr
    if "check/params" in expected or "at id" in expected:
        assert "(schema: " in proc.stderr


SA = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations:\n"
    "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/{name}\n{extra}"
    "automountServiceAccountToken: true\n"
)
ROLE = """module "{name}" {{
  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  role_name = "{name}"
  oidc_providers = {{
    main = {{
      provider_arn               = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"
      namespace_service_accounts = ["{ns}:{name}"]
    }}
  }}
}}

resource "aws_iam_role_policy" "{name}" {{
  role   = module.{name}.iam_role_name
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["{action}"], Resource = "arn:aws:s3:::b/*" }}]
  }})
}}
"""


def _lint(tmp_path: Path, rule: str, files: dict[str, str]) -> set[tuple[str, int, str]]:
    folder = _rule_dir(tmp_path, rule)
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    return _findings(irsalint("check", ".", "--rules", str(folder), "--select", "ACME", "--format", "json", cwd=repo))


def test_forbidden_actions_through_service_wildcards_and_scope(tmp_path):
    rule = MINIMAL.format(id="ACME001", function="forbidden_actions",
                          params="{actions: ['s3:DeleteBucket'], namespaces: ['team-*'], service_accounts: ['*-api']}")
    found = _lint(tmp_path, rule, {
        "k8s.yaml": "---\n".join([SA.format(name="a-api", ns="team-a", extra=""),
                                  SA.format(name="b-api", ns="ops", extra=""),
                                  SA.format(name="c-worker", ns="team-c", extra=""),
                                  SA.format(name="d-api", ns="team-d", extra="")]),
        "iam.tf": "".join([ROLE.format(name="a-api", ns="team-a", action="s3:*"),
                           ROLE.format(name="b-api", ns="ops", action="s3:*"),
                           ROLE.format(name="c-worker", ns="team-c", action="*"),
                           ROLE.format(name="d-api", ns="team-d", action="s3:GetObject")]),
    })
    assert found == {("iam.tf", 16, "ACME001")}  # only a-api: b-api out of namespace, c-worker out of names


def test_max_token_expiration_and_required_annotations(tmp_path):
    rule = MINIMAL.format(id="ACME003", function="max_token_expiration", params="{seconds: 3600}")
    files = {"k8s.yaml": "---\n".join([
        SA.format(name="short", ns="a", extra='    eks.amazonaws.com/token-expiration: "1800"\n'),
        SA.format(name="long", ns="a", extra='    eks.amazonaws.com/token-expiration: "7200"\n'),
        SA.format(name="default-ttl", ns="a", extra=""),
    ])}
    assert _lint(tmp_path / "ttl", rule, files) == {("k8s.yaml", 18, "ACME003"), ("k8s.yaml", 27, "ACME003")}
    rule = MINIMAL.format(id="ACME004", function="required_annotations",
                          params="{annotations: ['example.com/owner', 'example.com/cost-*']}")
    files = {"k8s.yaml": "---\n".join([
        SA.format(name="ok", ns="a", extra="    example.com/owner: me\n    example.com/cost-center: x\n"),
        SA.format(name="missing", ns="a", extra="    example.com/owner: me\n"),
    ])}
    assert _lint(tmp_path / "ann", rule, files) == {("k8s.yaml", 15, "ACME004")}


def test_globs_overlap():
    assert globs_overlap("s3:*", "s3:Delete*") and globs_overlap("*", "iam:PassRole")
    assert globs_overlap("S3:deleteobject", "s3:Delete*") and globs_overlap("s3:Delete?bject", "s3:DeleteObject")
    assert not globs_overlap("s3:GetObject", "s3:Delete*") and not globs_overlap("ec2:*", "s3:*")
    assert globs_overlap("s3:*Object", "s3:Delete*")


def test_required_labels(tmp_path):
    rule = MINIMAL.format(id="ACME005", function="required_labels", params="{labels: ['app.kubernetes.io/owner']}")
    labelled = SA.format(name="ok", ns="a", extra="").replace(
        "metadata:\n", "metadata:\n  labels:\n    app.kubernetes.io/owner: payments\n", 1)
    files = {"k8s.yaml": "---\n".join([labelled, SA.format(name="bare", ns="a", extra="")])}
    found = _lint(tmp_path, rule, files)
    bare_line = next(i for i, line in enumerate((tmp_path / "repo" / "k8s.yaml").read_text().splitlines(), 1)
                     if "name: bare" in line)
    assert found == {("k8s.yaml", bare_line, "ACME005")}


def test_permissions_boundary_required(tmp_path):
    rule = MINIMAL.format(id="ACME006", function="permissions_boundary_required",
                          params="{boundaries: ['arn:aws:iam::*:policy/platform-boundary']}")
    bounded = ROLE.format(name="good", ns="a", action="s3:GetObject").replace(
        '  role_name = "good"\n', '  role_name = "good"\n  role_permissions_boundary_arn = "arn:aws:iam::111122223333:policy/platform-boundary"\n')
    other = ROLE.format(name="other", ns="a", action="s3:GetObject").replace(
        '  role_name = "other"\n', '  role_name = "other"\n  role_permissions_boundary_arn = "arn:aws:iam::111122223333:policy/dev-boundary"\n')
    files = {
        "k8s.yaml": "---\n".join(SA.format(name=n, ns="a", extra="") for n in ("good", "other", "none")),
        "iam.tf": bounded + other + ROLE.format(name="none", ns="a", action="s3:GetObject"),
    }
    found = _lint(tmp_path, rule, files)
    text = (tmp_path / "repo" / "iam.tf").read_text().splitlines()
    other_boundary = next(i for i, line in enumerate(text, 1) if "dev-boundary" in line)
    none_module = next(i for i, line in enumerate(text, 1) if line.startswith('module "none"'))
    assert found == {("iam.tf", other_boundary, "ACME006"), ("iam.tf", none_module, "ACME006")}
