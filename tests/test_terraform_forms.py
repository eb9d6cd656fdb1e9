"""Terraform forms beyond the IRSA modules: helm_release ServiceAccounts, the other role modules
(v5 iam-assumable-role-with-oidc / iam-eks-role, v6 iam-role, aws-ia eks-blueprints-addon) and
`templatefile()` trust documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from irsalint.load.terraform import TfFile, load_terraform
from irsalint.model import UNKNOWN, IamRole, RoleRef, ServiceAccount
from irsalint.policydoc import render_template_file
from irsalint.sources.terraform import TerraformFacts, build_terraform_facts
from irsalint.sources.terraform.helm import helm_path
from irsalint.sources.terraform.registry import module_kind
from tests.helpers import findings, run

MODULE_ADDON = "eks-blueprints-addon"
MODULE_EKS_ROLE = "iam-eks-role"
MODULE_OIDC = "iam-assumable-role-with-oidc"
MODULE_ROLE = "iam-role"
MODULE_V5 = "iam-role-for-service-accounts-eks"
MODULE_V6 = "iam-role-for-service-accounts"

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"

IRSA_MODULE = f"""
module "irsa" {{
  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  role_name = "app"
  oidc_providers = {{
    main = {{
      provider_arn               = "{PROVIDER}"
      namespace_service_accounts = ["apps:app"]
    }}
  }}
}}
"""


def facts_of(text: str, path: str = "main.tf") -> TerraformFacts:
    tf = load_terraform(path, text)
    assert isinstance(tf, TfFile)
    return build_terraform_facts([tf])


def only_sa(facts: TerraformFacts) -> ServiceAccount:
    [sa] = facts.service_accounts
    return sa


def role(facts: TerraformFacts, address: str) -> IamRole:
    [found] = [r for r in facts.roles if r.address == address]
    return found


def conditions(found: IamRole) -> list[tuple[object, object, object, tuple[object, ...]]]:
    assert found.trust is not None
    return [
        (c.operator, c.key, c.claim, c.values.texts()) for s in found.trust.statements for c in s.conditions
    ]


# --- module sources ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc", MODULE_OIDC),
        ("git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-eks-role?ref=v5.30.0", MODULE_EKS_ROLE),
        ("terraform-aws-modules/iam/aws//modules/iam-role", MODULE_ROLE),
        ("terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts", MODULE_V6),
        ("terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks", MODULE_V5),
        ("aws-ia/eks-blueprints-addon/aws", MODULE_ADDON),
        ("git::https://github.com/aws-ia/terraform-aws-eks-blueprints-addon.git?ref=v1.1.1", MODULE_ADDON),
        ("aws-ia/eks-blueprints-addons/aws", "eks-blueprints-addons"),  # the addons bundle (the plural module)
        ("terraform-aws-modules/eks/aws", "terraform-aws-modules/eks"),
        ("terraform-aws-modules/eks/aws//modules/karpenter", "karpenter"),
        ("./modules/karpenter", None),  # a local module of the same name is not that one
        ("terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks-extra", None),
        ("./modules/iam-roles", None),
    ],
)
def test_module_kind(source: str, kind: str | None) -> None:
    assert module_kind(source) == kind


# --- helm_release -------------------------------------------------------------------------------


def test_helm_path_unescapes_dots() -> None:
    assert helm_path("controller.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn") == (
        "controller",
        "serviceAccount",
        "annotations",
        "eks.amazonaws.com/role-arn",
    )
    assert helm_path("tolerations[0].key") is None
    assert helm_path("a..b") is None


def test_helm_release_set_blocks() -> None:
    facts = facts_of(IRSA_MODULE + """
resource "helm_release" "app" {
  name  = "app"
  chart = "app"

  set {
    name  = "serviceAccount.name"
    value = "app"
  }
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = module.irsa.iam_role_arn
  }
}
""")
    sa = only_sa(facts)
    assert (sa.name, sa.namespace, sa.origin) == ("app", "default", "terraform")
    [annotation] = sa.annotations
    assert annotation.key == "eks.amazonaws.com/role-arn"
    assert annotation.value == RoleRef("tf:module.irsa@.", "arn")
    assert annotation.loc.line == 21  # the `set {` line
    assert sa.name_loc.line == 17


def test_helm_release_without_role_arn_yields_nothing() -> None:
    facts = facts_of("""
resource "helm_release" "plain" {
  name = "plain"
  set {
    name  = "serviceAccount.name"
    value = "plain"
  }
}
""")
    assert facts.service_accounts == ()


def test_helm_release_set_list_nested_prefixes_and_unknown_name() -> None:
    facts = facts_of(IRSA_MODULE + """
resource "helm_release" "multi" {
  name      = "multi"
  namespace = "apps"
  set = concat([
    { name = "controller.serviceAccount.name", value = "ctrl" },
    { name = "controller.serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn", value = module.irsa.iam_role_arn },
  ], [
    { name = "webhook.serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn", value = "arn:aws:iam::111122223333:role/hook" },
  ])
}
""")
    by_id = {sa.id: sa for sa in facts.service_accounts}
    controller = by_id["tf:helm_release.multi[controller]@."]
    webhook = by_id["tf:helm_release.multi[webhook]@."]
    assert (controller.name, controller.namespace) == ("ctrl", "apps")
    assert controller.annotations[0].loc.line == 18
    assert webhook.name is UNKNOWN  # the chart's fullname: not knowable
    assert webhook.annotations[0].value == "arn:aws:iam::111122223333:role/hook"


def test_helm_release_values_yamlencode_heredoc_and_set_precedence() -> None:
    facts = facts_of(IRSA_MODULE + """
resource "helm_release" "vals" {
  name      = "vals"
  namespace = "apps"
  values = [
    yamlencode({
      serviceAccount = {
        name = "from-yamlencode"
        annotations = { "eks.amazonaws.com/role-arn" = module.irsa.iam_role_arn }
      }
    }),
    <<-EOT
    serviceAccount:
      name: from-heredoc
    agent:
      serviceAccount:
        name: agent
        annotations:
          eks.amazonaws.com/role-arn: ${module.irsa.iam_role_arn}
          eks.amazonaws.com/token-expiration: "86400"
    EOT
  ]
  set {
    name  = "agent.serviceAccount.name"
    value = "agent-override"
  }
}
""")
    by_id = {sa.id: sa for sa in facts.service_accounts}
    main = by_id["tf:helm_release.vals@."]
    agent = by_id["tf:helm_release.vals[agent]@."]
    assert main.name == "from-heredoc"  # later values documents win
    assert main.annotations[0].loc.line == 20  # from the yamlencode document
    assert agent.name == "agent-override"  # `set` wins over values
    assert agent.name_loc.line == 34
    assert {a.key: (a.value, a.loc.line) for a in agent.annotations} == {
        "eks.amazonaws.com/role-arn": (RoleRef("tf:module.irsa@.", "arn"), 30),
        "eks.amazonaws.com/token-expiration": ("86400", 31),
    }
    assert {a.key: (a.value, a.loc.line) for a in main.annotations} == {
        "eks.amazonaws.com/role-arn": (RoleRef("tf:module.irsa@.", "arn"), 20),
    }


def test_helm_release_unknown_interpolation_in_heredoc_is_unknown() -> None:
    facts = facts_of("""
resource "helm_release" "u" {
  name = "u"
  values = [<<-EOT
    serviceAccount:
      name: ${var.sa_name}
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/${var.role}
  EOT
  ]
}
""")
    sa = only_sa(facts)
    assert sa.name is UNKNOWN
    assert sa.annotations[0].value is UNKNOWN


def test_helm_release_trust_mismatch_fires_at_set_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(IRSA_MODULE + """
resource "helm_release" "app" {
  name      = "app"
  namespace = "apps"
  set {
    name  = "serviceAccount.name"
    value = "app-v2"
  }
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = module.irsa.iam_role_arn
  }
}
""")
    assert ("main.tf", 20, "IRSA001") in findings(run(tmp_path, ("IRSA001",)))


# --- v5 iam-assumable-role-with-oidc ------------------------------------------------------------


def test_oidc_module_trust_shape() -> None:
    facts = facts_of(f"""
module "r" {{
  source                         = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  create_role                    = true
  role_name                      = "r"
  role_path                      = "/irsa/"
  provider_urls                  = ["https://{ISSUER}", "{ISSUER}", "oidc.eks.us-east-1.amazonaws.com/id/B"]
  oidc_fully_qualified_subjects  = ["system:serviceaccount:a:b"]
  oidc_subjects_with_wildcards   = ["system:serviceaccount:a:c-*"]
  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
  role_policy_arns               = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}}
""")
    found = role(facts, "module.r")
    assert (found.name, found.name_is_prefix, found.path) == ("r", False, "/irsa/")
    assert found.trust is not None and found.trust.complete
    assert len(found.trust.statements) == 2  # one per distinct provider URL
    first = found.trust.statements[0]
    assert first.principals[0].values.texts() == (f"arn:${{partition}}:iam::${{account_id}}:oidc-provider/{ISSUER}",)
    assert [(c.operator, c.key, c.values.texts()) for c in first.conditions] == [
        ("StringEquals", f"{ISSUER}:sub", ("system:serviceaccount:a:b",)),
        ("StringLike", f"{ISSUER}:sub", ("system:serviceaccount:a:c-*",)),
        ("StringLike", f"{ISSUER}:aud", ("sts.amazonaws.com",)),
    ]
    assert [v.value for v in found.managed_policy_arns] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_oidc_module_without_subjects_has_no_sub_condition_and_prefix_name() -> None:
    facts = facts_of(f"""
module "r" {{
  source           = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  create_role      = true
  role_name_prefix = "r-"
  provider_url     = "{ISSUER}"
  aws_account_id   = "111122223333"
  oidc_fully_qualified_subjects = []
}}
""")
    found = role(facts, "module.r")
    assert (found.name, found.name_is_prefix) == ("r-", True)
    assert conditions(found) == []
    assert found.trust is not None
    assert found.trust.statements[0].principals[0].values.texts() == (f"arn:${{partition}}:iam::111122223333:oidc-provider/{ISSUER}",)


def test_oidc_module_unknown_subjects_keep_a_sub_condition() -> None:
    facts = facts_of(f"""
module "r" {{
  source                        = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  create_role                   = var.create
  role_name                     = "r"
  provider_url                  = "{ISSUER}"
  oidc_fully_qualified_subjects = var.subjects
}}
""")
    [(operator, _key, claim, values)] = conditions(role(facts, "module.r"))
    assert (operator, claim, values) == ("StringEquals", "sub", ())


def test_oidc_module_create_role_default_false() -> None:
    facts = facts_of(f"""
module "r" {{
  source       = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  role_name    = "r"
  provider_url = "{ISSUER}"
}}
output "arn" {{ value = module.r.iam_role_arn }}
""")
    assert facts.roles == ()
    assert facts.role_uses == {}


# --- v5 iam-eks-role ----------------------------------------------------------------------------


def test_eks_role_module_trust() -> None:
    facts = facts_of("""
module "r" {
  source    = "terraform-aws-modules/iam/aws//modules/iam-eks-role"
  role_name = "r"
  cluster_service_accounts = {
    "blue"  = ["a:b", "a:c"]
    "green" = ["a:b"]
  }
  role_policy_arns = { s3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }
}
""")
    found = role(facts, "module.r")
    assert found.trust is not None and len(found.trust.statements) == 2
    assert conditions(found) == [
        ("StringEquals", UNKNOWN, "sub", ("system:serviceaccount:a:b", "system:serviceaccount:a:c")),
        ("StringEquals", UNKNOWN, "sub", ("system:serviceaccount:a:b",)),
    ]
    assert found.trust.statements[0].loc.line == 6
    assert [v.value for v in found.managed_policy_arns] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]


def test_eks_role_module_create_role_false() -> None:
    facts = facts_of("""
module "r" {
  source      = "terraform-aws-modules/iam/aws//modules/iam-eks-role"
  create_role = false
  role_name   = "r"
}
""")
    assert facts.roles == ()


# --- v6 iam-role --------------------------------------------------------------------------------


def test_v6_iam_role_trust_and_names() -> None:
    facts = facts_of(f"""
module "r" {{
  source                 = "terraform-aws-modules/iam/aws//modules/iam-role"
  name                   = "r"
  enable_oidc            = true
  oidc_provider_urls     = ["https://{ISSUER}"]
  oidc_subjects          = ["system:serviceaccount:a:b"]
  oidc_wildcard_subjects = ["system:serviceaccount:a:w-*"]
  oidc_audiences         = ["sts.amazonaws.com"]
  trust_policy_conditions = [{{
    test     = "StringEquals"
    variable = "aws:RequestTag/team"
    values   = ["a"]
  }}]
  policies = {{ read = "arn:aws:iam::aws:policy/ReadOnlyAccess" }}
}}
module "plain" {{
  source          = "terraform-aws-modules/iam/aws//modules/iam-role"
  name            = "plain"
  use_name_prefix = false
}}
module "extra" {{
  source             = "terraform-aws-modules/iam/aws//modules/iam-role"
  name               = "extra"
  enable_oidc        = true
  oidc_provider_urls = ["{ISSUER}"]
  oidc_subjects      = ["system:serviceaccount:a:b"]
  trust_policy_permissions = {{ x = {{ actions = ["sts:AssumeRole"] }} }}
}}
""")
    found = role(facts, "module.r")
    assert (found.name, found.name_is_prefix) == ("r-", True)
    assert found.trust is not None and found.trust.complete
    [statement] = found.trust.statements
    assert statement.actions is not None and statement.actions.texts() == ("sts:TagSession", "sts:AssumeRoleWithWebIdentity")
    assert conditions(found) == [
        ("StringEquals", f"{ISSUER}:sub", "sub", ("system:serviceaccount:a:b",)),
        ("StringLike", f"{ISSUER}:sub", "sub", ("system:serviceaccount:a:w-*",)),
        ("StringEquals", f"{ISSUER}:aud", "aud", ("sts.amazonaws.com",)),
        ("StringEquals", "aws:RequestTag/team", "RequestTag/team", ("a",)),
    ]
    plain = role(facts, "module.plain")
    assert (plain.name, plain.name_is_prefix) == ("plain", False)
    assert plain.trust is not None and plain.trust.statements == () and plain.trust.complete
    extra = role(facts, "module.extra")
    assert extra.trust is not None and not extra.trust.complete


# --- aws-ia eks-blueprints-addon ----------------------------------------------------------------


ADDON = f"""
module "addon" {{
  source      = "aws-ia/eks-blueprints-addon/aws"
  chart       = "karpenter"
  namespace   = "karpenter"
  create_role = true
  role_name   = "karpenter"
  role_policies = {{ ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }}
  set = [{{ name = "serviceAccount.name", value = "karpenter" }}]
  set_irsa_names = [
    "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn",
  ]
  oidc_providers = {{
    this = {{
      provider_arn    = "{PROVIDER}"
      service_account = "karpenter"
    }}
    other = {{
      provider_arn    = "{PROVIDER}"
      namespace       = "ops"
      service_account = "karpenter-ops"
    }}
  }}
}}
"""


def test_addon_module_role_and_service_account() -> None:
    facts = facts_of(ADDON)
    found = role(facts, "module.addon")
    assert (found.name, found.name_is_prefix, found.path) == ("karpenter-", True, "/")
    assert [c[3] for c in conditions(found) if c[2] == "sub"] == [
        ("system:serviceaccount:karpenter:karpenter",),
        ("system:serviceaccount:ops:karpenter-ops",),
    ]
    assert [v.value for v in found.managed_policy_arns] == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    sa = only_sa(facts)
    assert (sa.name, sa.namespace) == ("karpenter", "karpenter")
    assert sa.annotations[0].value == RoleRef(found.id, "arn")
    assert sa.annotations[0].loc.line == 11  # the set_irsa_names entry


def test_addon_module_without_role_sets_no_arn() -> None:
    facts = facts_of(ADDON.replace("create_role = true", "create_role = false"))
    assert facts.roles == ()
    assert facts.service_accounts == ()


def test_addon_name_defaults() -> None:
    facts = facts_of("""
module "addon" {
  source               = "aws-ia/eks-blueprints-addon/aws"
  name                 = "cas"
  create_role          = true
  role_name_use_prefix = false
}
""")
    found = role(facts, "module.addon")
    assert (found.name, found.name_is_prefix) == ("cas", False)


# --- templatefile() trust documents ------------------------------------------------------------

TEMPLATE = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${issuer}"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "${issuer}:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}
"""


def template_repo(tmp_path: Path, call: str, template: str = TEMPLATE, name: str = "trust.json.tpl") -> Path:
    (tmp_path / "infra").mkdir(exist_ok=True)
    (tmp_path / "infra" / name).write_text(template)
    (tmp_path / "infra" / "main.tf").write_text(f"""
resource "aws_iam_role" "t" {{
  name               = "t"
  assume_role_policy = {call}
}}
""")
    return tmp_path


def test_templatefile_positions_in_template(tmp_path: Path) -> None:
    repo = template_repo(tmp_path, f'templatefile("${{path.module}}/trust.json.tpl", {{ issuer = "{ISSUER}" }})')
    assert findings(run(repo, ("IRSA008",))) == {("infra/trust.json.tpl", 4, "IRSA008")}


def test_templatefile_read_relative_to_base(tmp_path: Path) -> None:
    template_repo(tmp_path, f'templatefile("trust.json.tpl", {{ issuer = "{ISSUER}" }})')
    tf = load_terraform("infra/main.tf", (tmp_path / "infra" / "main.tf").read_text())
    assert isinstance(tf, TfFile)
    [found] = build_terraform_facts([tf], str(tmp_path)).roles
    assert found.trust is not None
    assert found.trust.statements[0].loc.path == "infra/trust.json.tpl"
    assert found.trust.statements[0].conditions[0].key == f"{ISSUER}:aud"


def test_templatefile_unknown_variable_stays_unknown(tmp_path: Path) -> None:
    template_repo(tmp_path, "templatefile(\"trust.json.tpl\", { issuer = var.issuer })")
    tf = load_terraform("infra/main.tf", (tmp_path / "infra" / "main.tf").read_text())
    assert isinstance(tf, TfFile)
    [found] = build_terraform_facts([tf], str(tmp_path)).roles
    assert found.trust is not None
    [condition] = found.trust.statements[0].conditions
    assert (condition.key, condition.claim) == (UNKNOWN, "aud")


def test_file_function_reads_plain_json(tmp_path: Path) -> None:
    template_repo(tmp_path, 'file("trust.json.tpl")', TEMPLATE.replace("${issuer}", ISSUER))
    tf = load_terraform("infra/main.tf", (tmp_path / "infra" / "main.tf").read_text())
    assert isinstance(tf, TfFile)
    [found] = build_terraform_facts([tf], str(tmp_path)).roles
    assert found.trust is not None and found.trust.statements[0].conditions[0].key == f"{ISSUER}:aud"


@pytest.mark.parametrize(
    "call",
    [
        'templatefile("../outside.tpl", {})',  # `..` out of the scanned tree
        'templatefile("/etc/hostname", {})',  # absolute
        'templatefile("missing.tpl", {})',
        'templatefile("big.tpl", {})',  # over the size cap
        'templatefile("link.tpl", {})',  # a symlink pointing outside
        'templatefile(var.name, {})',
    ],
)
def test_templatefile_refused(tmp_path: Path, call: str) -> None:
    base = tmp_path / "repo"
    base.mkdir()
    (tmp_path / "outside.tpl").write_text(TEMPLATE)
    template_repo(base, call)
    (base / "infra" / "big.tpl").write_text(" " * (1024 * 1024 + 1) + TEMPLATE)
    os.symlink(tmp_path / "outside.tpl", base / "infra" / "link.tpl")
    tf = load_terraform("main.tf", (base / "infra" / "main.tf").read_text())
    assert isinstance(tf, TfFile)
    [found] = build_terraform_facts([tf], str(base / "infra")).roles
    assert found.trust is None


def test_render_template_file() -> None:
    assert render_template_file("a ${ x } $${y} %%{z}", {"x": "1"}) == "a 1 ${y} %{z}"
    assert render_template_file("${nope}", {}) == "@@irsalint-unknown@@"
    assert render_template_file("${x}", None) == "@@irsalint-unknown@@"
    assert render_template_file("%{ if x }a%{ endif }", {"x": True}) is None


def test_helm_release_service_account_not_created() -> None:
    facts = facts_of("""
resource "helm_release" "n" {
  name = "n"
  values = [yamlencode({ serviceAccount = { create = false, name = "existing" } })]
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = "arn:aws:iam::111122223333:role/n"
  }
}
resource "helm_release" "m" {
  name = "m"
  set {
    name  = "serviceAccount.create"
    value = "false"
  }
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = "arn:aws:iam::111122223333:role/m"
  }
}
""")
    assert facts.service_accounts == ()


def test_helm_release_values_file_and_templatefile(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "values.yaml").write_text("serviceAccount:\n  name: from-file\n")
    (tmp_path / "charts" / "agent.yaml.tpl").write_text(
        "agent:\n  serviceAccount:\n    name: ${sa}\n    annotations:\n      eks.amazonaws.com/role-arn: ${role}\n"
        "      other: ${nope}\n"
    )
    (tmp_path / "main.tf").write_text(IRSA_MODULE + """
resource "helm_release" "files" {
  name      = "files"
  namespace = "apps"
  values = [
    file("${path.module}/charts/values.yaml"),
    templatefile("charts/agent.yaml.tpl", { sa = "agent", role = module.irsa.iam_role_arn }),
  ]
  set {
    name  = "serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn"
    value = module.irsa.iam_role_arn
  }
}
""")
    tf = load_terraform("main.tf", (tmp_path / "main.tf").read_text())
    assert isinstance(tf, TfFile)
    facts = build_terraform_facts([tf], str(tmp_path))
    by_id = {sa.id: sa for sa in facts.service_accounts}
    assert by_id["tf:helm_release.files@."].name == "from-file"
    agent = by_id["tf:helm_release.files[agent]@."]
    assert agent.name == "agent"
    assert {a.key: (a.value, a.loc.path, a.loc.line) for a in agent.annotations} == {
        "eks.amazonaws.com/role-arn": (RoleRef("tf:module.irsa@.", "arn"), "charts/agent.yaml.tpl", 5),
        "other": (UNKNOWN, "charts/agent.yaml.tpl", 6),
    }


CHILD_ROLE = """
variable "instances" {
  default = 1
}

resource "aws_iam_role" "this" {
  count              = var.instances
  name               = "app-runner"
  assume_role_policy = "{}"
}
"""


@pytest.mark.parametrize(("root", "created"), [
    ('module "app" {\n  source = "./modules/app"\n}\n', True),
    ('module "app" {\n  source = "./modules/app"\n  instances = 0\n}\n', False),  # the caller says so
    ('module "app" {\n  source = "./modules/app"\n  count  = 0\n}\n', False),
    ('variable "apps" {\n  default = 0\n}\n\nmodule "app" {\n  source = "./modules/app"\n'
     '  count  = var.apps\n}\n', True),  # a root default: a tfvars we do not see may change it
    ('module "app" {\n  source = "./modules/app"\n  instances = var.unknown_count\n}\n', True),
    # `create ? 1 : 0` is not evaluated (conditionals are opaque to the evaluator): created
    ('module "app" {\n  source = "./modules/app"\n  instances = false ? 1 : 0\n}\n', True),
])
def test_a_known_zero_count_creates_nothing(root: str, created: bool) -> None:
    files = [load_terraform("main.tf", root), load_terraform("modules/app/main.tf", CHILD_ROLE)]
    facts = build_terraform_facts([f for f in files if isinstance(f, TfFile)])
    assert bool(facts.roles) is created, facts.roles


def test_a_literal_zero_count_in_a_root_module_creates_nothing() -> None:
    text = 'resource "aws_iam_role" "x" {\n  count = 0\n  name = "x"\n  assume_role_policy = "{}"\n}\n'
    assert facts_of(text).roles == ()
