"""AWS account dumps in a scan: every rule judges the dumped roles the code does not define, a role
in both is judged once (in the code), IRSA006 ignores the account's other roles, IRSA007 knows
the account's roles, and a dump never changes the repository's scopes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from irsalint.engine import LintOptions, lint
from irsalint.report.json import render as render_json
from irsalint.rules import load_rules
from tests.helpers import FIXTURES, findings, run

LIVE = FIXTURES / "live" / "aws"


def _line_of(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


def test_account_dump_with_serviceaccounts():
    dump = LIVE / "account" / "account.json"
    sas = LIVE / "account" / "k8s" / "serviceaccounts.yaml"

    def at(needle: str, after: str) -> int:
        return _line_of(dump, needle, after)

    assert findings(run(LIVE / "account")) == {
        ("account.json", at('"Statement"', '"RoleName": "reports-batch"') + 1, "IRSA008"),  # the statement's {
        ("account.json", at('"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"', '"RoleName": "reports-batch"'),
         "IRSA013"),
        ("account.json", at(":sub", '"RoleName": "inventory-sync"'), "IRSA009"),
        ("account.json", at('"Action": "s3:*"', '"RoleName": "inventory-sync"'), "IRSA003"),
        ("account.json", at('"Resource": "*"', '"RoleName": "inventory-sync"'), "IRSA002"),
        ("account.json", at('"Statement"', '"RoleName": "payments-pod-identity"') + 1, "IRSA025"),
        ("account.json", at('"Action": "dynamodb:*"', '"RoleName": "payments-pod-identity"'), "IRSA003"),
        ("k8s/serviceaccounts.yaml", _line_of(sas, "role-arn", "name: orders-worker"), "IRSA001"),
        ("k8s/serviceaccounts.yaml", _line_of(sas, "role-arn", "name: billing"), "IRSA007"),
    }


def test_roles_that_are_not_pod_roles_and_unused_roles_stay_silent():
    """The service-linked role, the node role (AdministratorAccess on EC2 is not a pod's), the GitHub
    Actions role and the unused dumped roles: no finding names them, no IRSA006 anywhere."""
    result = run(LIVE / "account")
    quiet = ("AWSServiceRoleForAmazonEKS", "eks-node-group", "github-actions-deploy", "unattached-legacy")
    assert [f.message for f in result.findings if any(name in f.message for name in quiet)] == []
    assert {f.rule_id for f in run(LIVE / "list-roles").findings} == {"IRSA010"}


def test_unknown_role_names_the_account_dump():
    result = run(LIVE / "account")
    [unknown] = [f for f in result.findings if f.rule_id == "IRSA007"]
    assert unknown.message.startswith(
        "Role billing-api, named by ServiceAccount team-orders/billing, does not exist in account 111122223333: "
        "the scanned account dump lists no such role.")
    assert [(label, loc.path, loc.line) for label, loc in unknown.related] == [("the account dump", "account.json", 1)]
    [mismatch] = [f for f in result.findings if f.rule_id == "IRSA001"]
    assert "Role orders-api (account 111122223333) admits" in mismatch.message


def test_role_in_code_and_dump_is_judged_once_in_the_code():
    result = run(LIVE / "code-and-dump")
    tf = LIVE / "code-and-dump" / "terraform" / "main.tf"
    assert findings(result) == {("terraform/main.tf", _line_of(tf, "Statement = [{"), "IRSA008")}


def test_get_role_policy_joins_its_dumped_role():
    result = run(LIVE / "get-role")
    inline = LIVE / "get-role" / "inline-policy.json"
    assert findings(result) == {
        ("inline-policy.json", _line_of(inline, '"dynamodb:*"'), "IRSA003"),
        ("inline-policy.json", _line_of(inline, '"Resource": "*"'), "IRSA002"),
        ("role.json", _line_of(LIVE / "get-role" / "role.json", '"Statement"') + 1, "IRSA008"),
    }


def test_findings_in_a_dump_offer_no_fix():
    """IRSA010's fix (add the `:aud` condition) edits a trust; in a dump that would change a record of
    the account, not the account."""
    [audience] = run(LIVE / "list-roles").findings
    assert audience.rule_id == "IRSA010" and audience.fix is None


def test_bad_dumps_are_reported_and_skipped():
    result = run(LIVE / "bad")
    truncated = (LIVE / "bad" / "truncated.json").read_text()
    assert findings(result) == {("access-denied.json", 2, "IRSA900"),
                                ("truncated.json", len(truncated.splitlines()), "IRSA900")}
    assert sorted(s.path for s in result.project.skipped) == ["attached-policies.json", "policy-version.json"]


def test_a_dump_changes_no_scope(tmp_path):
    """env-stacks has two stacks (dev and prod, one account each); an account dump of prod at the
    top changes no link: dev's ServiceAccount still links to dev's role, and the dump's copy of prod's
    role only feeds IRSA020."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "scopes" / "env-stacks", repo)
    prod = json.loads((LIVE / "code-and-dump" / "account.json").read_text())
    role = prod["RoleDetailList"][0]
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/PRODCLUSTER000000000000000000002"
    role.update(RoleName="payments-api", Arn="arn:aws:iam::222222222222:role/payments-api")
    role["AssumeRolePolicyDocument"]["Statement"][0].update(
        Principal={"Federated": f"arn:aws:iam::222222222222:oidc-provider/{issuer}"},
        Condition={"StringEquals": {f"{issuer}:sub": ["system:serviceaccount:payments:payments-api",
                                                      "system:serviceaccount:payments:debug"],
                                    f"{issuer}:aud": "sts.amazonaws.com"}})
    (repo / "live").mkdir()
    (repo / "live" / "prod.json").write_text(json.dumps(prod, indent=4))
    assert findings(run(FIXTURES / "scopes" / "env-stacks")) == set()
    result = run(repo)
    assert findings(result) == {("envs/prod/main.tf", 1, "IRSA020")}
    [drift] = result.findings
    assert "In the account, not in code: the trust admits system:serviceaccount:payments:debug." in drift.message


def test_output_is_byte_identical(tmp_path):
    shutil.copytree(LIVE, tmp_path / "live")
    outputs = set()
    for _ in range(2):
        result = lint([str(tmp_path / "live")], load_rules(), LintOptions(jobs=1, root=str(tmp_path)))
        outputs.add(render_json(result))
    assert len(outputs) == 1
