"""Generate a synthetic IRSA monorepo with injected defects and the findings they must produce.

    python bench/generate.py OUT_DIR --services 1000 [--filler 1000] [--configmaps 1000]

Every service gets an IRSA role (v5 module), a policy, an attachment, a ServiceAccount and a
Deployment. One service in 50 carries a defect (namespace typo, wildcard action, low token
expiration); `expected.json` lists the (rule, path, line) each must produce."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SERVICE_TF = """module "svc_{i}_irsa" {{
  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  role_name = "svc-{i}-${{var.env}}"

  oidc_providers = {{
    main = {{
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["team-{team}:svc-{i}"]
    }}
  }}
}}

resource "aws_iam_policy" "svc_{i}" {{
  name = "svc-{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = [{action}]
      Resource = ["arn:aws:s3:::svc-{i}-bucket/*"]
    }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "svc_{i}" {{
  role       = module.svc_{i}_irsa.iam_role_name
  policy_arn = aws_iam_policy.svc_{i}.arn
}}
"""

VARIABLES_TF = 'variable "env" {\n  default = "production"\n}\n'

SERVICE_YAML = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: svc-{i}
  namespace: {namespace}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/svc-{i}-production
    eks.amazonaws.com/token-expiration: "{ttl}"
automountServiceAccountToken: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: {namespace}
spec:
  template:
    spec:
      serviceAccountName: svc-{i}
      containers:
        - name: app
          image: example/svc-{i}:1.0.0
          env:
            - name: LOG_LEVEL
              value: info
"""

FILLER_TF = """resource "aws_s3_bucket" "data_{i}" {{
  bucket = "data-{i}"
  tags = {{
    team  = "team-{team}"
    owner = "platform"
  }}
}}

resource "aws_security_group" "sg_{i}" {{
  name   = "sg-{i}"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: config-{i}
  namespace: team-{team}
data:
  settings.yaml: |
    feature_flags:
      a: true
      b: false
"""


def generate(out: Path, services: int, filler: int, configmaps: int) -> list[dict[str, object]]:
    expected: list[dict[str, object]] = []
    (out / "terraform").mkdir(parents=True, exist_ok=True)
    (out / "terraform" / "variables.tf").write_text(VARIABLES_TF)
    for i in range(services):
        team = i % 20
        defect = i % 50 if i % 50 < 3 else None
        namespace = f"team-{team}" + ("x" if defect == 0 else "")
        action = '"s3:*"' if defect == 1 else '"s3:GetObject", "s3:PutObject"'
        ttl = "300" if defect == 2 else "3600"
        tf_path = f"terraform/svc-{i}.tf"
        yaml_path = f"k8s/team-{team}/svc-{i}.yaml"
        (out / tf_path).write_text(SERVICE_TF.format(i=i, team=team, action=action))
        target = out / yaml_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(SERVICE_YAML.format(i=i, namespace=namespace, ttl=ttl))
        if defect == 0:
            expected.append({"rule": "IRSA001", "path": yaml_path, "line": 7})
        elif defect == 1:
            expected.append({"rule": "IRSA003", "path": tf_path, "line": 19})
        elif defect == 2:
            expected.append({"rule": "IRSA005", "path": yaml_path, "line": 8})
    for i in range(filler):
        path = out / "infra" / f"filler-{i}.tf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILLER_TF.format(i=i, team=i % 20))
    for i in range(configmaps):
        path = out / "k8s" / "config" / f"configmap-{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIGMAP.format(i=i, team=i % 20))
    (out / "infra" / "variables.tf").write_text('variable "vpc_id" {\n  default = "vpc-123"\n}\n')
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--filler", type=int, default=None, help="unrelated Terraform files (default: services)")
    parser.add_argument("--configmaps", type=int, default=None, help="ConfigMaps (default: services)")
    args = parser.parse_args()
    filler = args.services if args.filler is None else args.filler
    configmaps = args.services if args.configmaps is None else args.configmaps
    expected = generate(args.out, args.services, filler, configmaps)
    print(f"wrote {args.out}: {args.services} services, {filler} filler .tf, {configmaps} ConfigMaps, "
          f"{len(expected)} injected defects")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
