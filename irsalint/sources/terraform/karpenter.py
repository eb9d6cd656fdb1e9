"""terraform-aws-modules/eks `modules/karpenter`: the controller's role. With IRSA (v19
`irsa_oidc_provider_arn`, v20 `enable_irsa`) its trust admits `irsa_namespace_service_accounts`
(default karpenter:karpenter); with Pod Identity (v20+) it trusts pods.eks.amazonaws.com, and the
module can create the association for `namespace`/`service_account` (default kube-system/karpenter;
created by default from v21 only, so an unknown major version creates no association record)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from irsalint.iam import oidc_issuer_of_provider_arn
from irsalint.load.hcl import Block, Body
from irsalint.model import (
    UNKNOWN,
    IamRole,
    Location,
    PodIdentityAssociation,
    PolicyDocument,
    RoleRef,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.policydoc import pod_identity_statement
from irsalint.sources.terraform.base import ModuleAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import prefixed_name, sub_and_aud, subject_values, web_statement

KIND = "karpenter"
_MAJOR_RE = re.compile(r"(\d+)")


def matches(source: str) -> bool:
    location = source.split("::", 1)[-1].split("://", 1)[-1]
    repo, _, subdirectory = location.partition("//")
    repo = repo.removesuffix(".git").rstrip("/")
    return subdirectory.rstrip("/") == "modules/karpenter" and repo.endswith(
        ("terraform-aws-modules/eks/aws", "/terraform-aws-eks")
    )


def major_version(ctx: ModuleContext, body: Body) -> int | None:
    """The major version a `version` constraint pins ("~> 20.24" -> 20); None when not pinned."""
    version = ctx.text(body, "version")
    match = _MAJOR_RE.search(version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def uses_irsa(ctx: ModuleContext, body: Body, major: int | None) -> object:
    if major is not None and major <= 19:
        return ctx.flag(body, "create_irsa", True) is not False and body.attr("irsa_oidc_provider_arn") is not None
    return ctx.flag(body, "enable_irsa", False)


def roles(ctx: ModuleContext, name: str, block: Block) -> tuple[str, ...]:
    body = block.body
    if ctx.flag(body, "create", True) is False or ctx.flag(body, "create_iam_role", True) is False:
        return ()
    return (f"module.{name}",)


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"module.{name}"
    major = major_version(ctx, body)
    statements: list[Statement] = []
    complete = True
    trust_loc = block.loc
    irsa = uses_irsa(ctx, body, major)
    if irsa is True:
        statement, trust_loc = _irsa_statement(ctx, body, block.loc)
        statements.append(statement)
    elif irsa is not False:
        complete = False
    pod_identity = ctx.flag(body, "enable_pod_identity", True) if (major is None or major >= 20) else False
    if pod_identity is True:
        statements.append(pod_identity_statement(block.loc, sid="PodIdentity"))
    elif pod_identity is not False:
        complete = False
    role_id = ctx.scope.role_ids.get(address)
    if role_id is not None:
        base = "KarpenterIRSA" if major is not None and major <= 19 else "KarpenterController"
        name_input, prefix_input = ("irsa_name", "irsa_use_name_prefix") if major is not None and major <= 19 else (
            "iam_role_name", "iam_role_use_name_prefix")
        written = ctx.name(body, name_input)
        role_name, is_prefix = prefixed_name(base if written is None else written, ctx.flag(body, prefix_input, True))
        role = IamRole(
            id=role_id,
            address=address,
            kind=f"module:{KIND}",
            name=role_name,
            name_is_prefix=is_prefix,
            path=ctx.known(body, "iam_role_path", "/"),
            account=UNKNOWN,
            trust=PolicyDocument(tuple(statements), complete, block.loc),
            trust_loc=trust_loc,
            loc=block.loc,
        )
        yield ctx.with_boundary(role, block, "iam_role_permissions_boundary_arn", "irsa_permissions_boundary_arn")
    created = ctx.flag(body, "create_pod_identity_association", major is not None and major >= 21)
    if pod_identity is True and created is True and role_id is not None:
        namespace_attr = body.attr("namespace")
        yield PodIdentityAssociation(
            id=ctx.node_id(f"{address}.aws_eks_pod_identity_association"),
            cluster_name=ctx.known(body, "cluster_name"),
            namespace=ctx.known(body, "namespace", "kube-system"),
            service_account=ctx.known(body, "service_account", "karpenter"),
            role=RoleRef(role_id, "arn"),
            loc=block.loc,
            namespace_loc=namespace_attr.loc if namespace_attr is not None else block.loc,
        )


def _irsa_statement(ctx: ModuleContext, body: Body, loc: Location) -> tuple[Statement, Location]:
    provider_attr = body.attr("irsa_oidc_provider_arn")
    provider = ctx.eval(provider_attr.expr) if provider_attr is not None else UNKNOWN
    provider_loc = provider_attr.loc if provider_attr is not None else loc
    issuer: Str = UNKNOWN
    if isinstance(provider, str):
        issuer = oidc_issuer_of_provider_arn(provider) or UNKNOWN
    subjects_attr = body.attr("irsa_namespace_service_accounts")
    if subjects_attr is not None:
        subjects = subject_values(ctx, subjects_attr.expr, subjects_attr.loc)
        subjects_loc = subjects_attr.loc
    else:  # the module's default
        subjects_loc = provider_loc
        subjects = ValueList((Value("system:serviceaccount:karpenter:karpenter", subjects_loc),), True, subjects_loc)
    test_attr = body.attr("irsa_assume_role_condition_test")
    conditions = sub_and_aud(ctx.condition_test(test_attr), issuer, subjects, subjects_loc, provider_loc)
    principal = Value(provider if isinstance(provider, str) else UNKNOWN, provider_loc)
    return web_statement(principal, conditions, loc), subjects_loc


ADAPTER = ModuleAdapter(KIND, matches, records, roles=roles)
