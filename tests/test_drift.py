"""IRSA020 role-drift: what is compared, and what unknown code values keep silent."""

from __future__ import annotations

import json

from tests.helpers import run

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"


def _dump(name: str, subjects: list[str], attached: list[str]) -> str:
    role = {
        "Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLEDRIFTTEST1",
        "Arn": f"arn:aws:iam::111122223333:role/{name}", "CreateDate": "2024-03-01T10:00:00+00:00",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{ISSUER}:sub": subjects, f"{ISSUER}:aud": "sts.amazonaws.com"}}}]},
        "InstanceProfileList": [], "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
        "Tags": [], "RoleLastUsed": {},
    }
    return json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [role], "Policies": []}, indent=4)


def _role_tf(name: str, subjects: str, extra: str = "") -> str:
    return f'''resource "aws_iam_role" "app" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "{PROVIDER}" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{ StringEquals = {{ "{ISSUER}:sub" = {subjects} }} }}
    }}]
  }})
}}
{extra}'''


def _drift(tmp_path, tf: str, dump: str) -> list[str]:
    (tmp_path / "main.tf").write_text(tf)
    (tmp_path / "account.json").write_text(dump)
    return [f.message for f in run(tmp_path, select=("IRSA020",)).findings]


def test_a_known_code_subject_is_compared_even_beside_an_unknown_one(tmp_path):
    tf = _role_tf("app", '["system:serviceaccount:shop:api", "system:serviceaccount:${var.ns}:worker"]',
                  'variable "ns" {}\n')
    [message] = _drift(tmp_path, tf, _dump("app", ["system:serviceaccount:other:api"], []))
    # the account's other:api may be what ${var.ns}:worker renders to: only shop:api is certain
    assert "In code, not in the account: the trust admits system:serviceaccount:shop:api." in message
    assert "In the account, not in code" not in message


def test_same_trust_and_policies_is_silent(tmp_path):
    tf = _role_tf("app", '"system:serviceaccount:shop:api"', '''
resource "aws_iam_role_policy_attachment" "app" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}
''')
    dump = _dump("app", ["system:serviceaccount:shop:api"], ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
    assert _drift(tmp_path, tf, dump) == []


def test_an_attachment_to_a_role_irsalint_cannot_name_hides_account_only_policies(tmp_path):
    tf = _role_tf("app", '"system:serviceaccount:shop:api"', '''
variable "role_name" {}

resource "aws_iam_role_policy_attachment" "extra" {
  role       = var.role_name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
}
''')
    dump = _dump("app", ["system:serviceaccount:shop:api"], ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"])
    assert _drift(tmp_path, tf, dump) == []
    # the same attachment naming another role: the account's policy is drift
    named = tf.replace("var.role_name", '"some-other-role"')
    [message] = _drift(tmp_path, named, dump)
    assert "In the account, not in code: AmazonSQSFullAccess attached." in message
