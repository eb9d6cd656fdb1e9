"""Generate an AWS account dump of N IRSA roles, and the same roles as Terraform, to compare the two.

    python bench/gen_aws_dump.py OUT_DIR --roles 5000 [--measure]

`OUT_DIR/dump/account.json` is what `aws iam get-account-authorization-details --filter Role
LocalManagedPolicy` prints for an account holding N roles that trust one EKS OIDC provider, each
with an inline policy and an attached customer managed policy (one role in 50 has a defect: a
wildcard action in its inline policy). `OUT_DIR/terraform/` holds the same roles, policies and
attachments as `aws_iam_role`, `aws_iam_role_policy`, `aws_iam_policy` and
`aws_iam_role_policy_attachment` (one file per role), with the same defects. `--measure` lints
both trees (cold, `--no-cache`) and prints their wall times and the ratio dump / Terraform."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
CREATED = "2024-03-01T10:00:00+00:00"

ROLE_TF = """resource "aws_iam_role" "svc_{i}" {{
  name = "svc-{i}-production"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "{provider}" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals = {{
          "{issuer}:sub" = "system:serviceaccount:team-{team}:svc-{i}"
          "{issuer}:aud" = "sts.amazonaws.com"
        }}
      }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "svc_{i}" {{
  name = "svc-{i}-inline"
  role = aws_iam_role.svc_{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = [{inline_actions}]
      Resource = ["arn:aws:sqs:eu-west-1:{account}:svc-{i}"]
    }}]
  }})
}}

resource "aws_iam_policy" "svc_{i}" {{
  name = "svc-{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = ["arn:aws:s3:::svc-{i}-bucket/*"]
    }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "svc_{i}" {{
  role       = aws_iam_role.svc_{i}.name
  policy_arn = aws_iam_policy.svc_{i}.arn
}}
"""


def _inline_actions(i: int) -> list[str]:
    return ["sqs:*"] if i % 50 == 1 else ["sqs:SendMessage", "sqs:ReceiveMessage"]


def _document(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": [resource]}]}


def _role(i: int) -> dict[str, Any]:
    name = f"svc-{i}-production"
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{ISSUER}:sub": f"system:serviceaccount:team-{i % 20}:svc-{i}",
                f"{ISSUER}:aud": "sts.amazonaws.com",
            }},
        }],
    }
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{i:016d}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [{
            "PolicyName": f"svc-{i}-inline",
            "PolicyDocument": _document(_inline_actions(i), f"arn:aws:sqs:eu-west-1:{ACCOUNT}:svc-{i}"),
        }],
        "AttachedManagedPolicies": [{"PolicyName": f"svc-{i}", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/svc-{i}"}],
        "Tags": [],
        "RoleLastUsed": {},
    }


def _policy(i: int) -> dict[str, Any]:
    return {
        "PolicyName": f"svc-{i}",
        "PolicyId": f"ANPA{i:016d}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/svc-{i}",
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": CREATED,
        "UpdateDate": CREATED,
        "PolicyVersionList": [{
            "Document": _document(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::svc-{i}-bucket/*"),
            "VersionId": "v1",
            "IsDefaultVersion": True,
            "CreateDate": CREATED,
        }],
    }


def generate(out: Path, roles: int) -> None:
    dump = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [_role(i) for i in range(roles)],
        "Policies": [_policy(i) for i in range(roles)],
    }
    (out / "dump").mkdir(parents=True, exist_ok=True)
    # the AWS CLI's JSON output: 4-space indentation, keys in the order of the response
    (out / "dump" / "account.json").write_text(json.dumps(dump, indent=4) + "\n")
    (out / "terraform").mkdir(parents=True, exist_ok=True)
    for i in range(roles):
        actions = ", ".join(f'"{a}"' for a in _inline_actions(i))
        text = ROLE_TF.format(i=i, team=i % 20, provider=PROVIDER, issuer=ISSUER, account=ACCOUNT,
                              inline_actions=actions)
        (out / "terraform" / f"svc-{i}.tf").write_text(text)


def _lint_seconds(path: Path) -> tuple[float, float, int]:
    """Wall time, peak RSS in MB (bench/measure.py) and the number of findings of a cold run."""
    here = Path(__file__).resolve().parent
    command = [sys.executable, str(here / "measure.py"), sys.executable, "-m", "irsalint", "check", str(path),
               "--no-cache", "--format", "json", "--fail-on", "never"]
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    timing = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(timing["wall"]), float(timing["rss_mb"]), len(json.loads(proc.stderr)["findings"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--measure", action="store_true", help="lint both trees and print the ratio")
    args = parser.parse_args()
    generate(args.out, args.roles)
    size = (args.out / "dump" / "account.json").stat().st_size / 1e6
    print(f"wrote {args.out}: {args.roles} roles as an account dump ({size:.1f} MB) and as Terraform")
    if args.measure:
        dump, dump_rss, dump_findings = _lint_seconds(args.out / "dump")
        terraform, tf_rss, tf_findings = _lint_seconds(args.out / "terraform")
        print(f"dump {dump:.2f} s, {dump_rss:.0f} MB, {dump_findings} findings; Terraform {terraform:.2f} s, "
              f"{tf_rss:.0f} MB, {tf_findings} findings; ratio dump / Terraform {dump / terraform:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
