"""`aws_eks_pod_identity_association`: (cluster, namespace, ServiceAccount) -> role."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block
from irsalint.model import UNKNOWN, PodIdentityAssociation
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record


def association(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    namespace_attr = body.attr("namespace")
    target_attr = body.attr("target_role_arn")
    tags_attr = body.attr("disable_session_tags")
    tags_value = ctx.eval(tags_attr.expr) if tags_attr else None
    if tags_value in ("true", "false"):  # Terraform converts the string to a bool
        tags_value = tags_value == "true"
    policy_attr = body.attr("policy")
    yield PodIdentityAssociation(
        id=ctx.node_id(f"{kind}.{name}"),
        cluster_name=ctx.known(body, "cluster_name"),
        namespace=ctx.known(body, "namespace"),
        service_account=ctx.known(body, "service_account"),
        role=ctx.role_target(body.expr("role_arn")),
        loc=block.loc,
        namespace_loc=namespace_attr.loc if namespace_attr else block.loc,
        # null is the same as absent for all three
        target_role=None if target_attr is None or ctx.eval(target_attr.expr) is None else ctx.role_target(target_attr.expr),
        target_role_loc=target_attr.loc if target_attr else None,
        disable_session_tags=tags_value if tags_value is None or isinstance(tags_value, bool) else UNKNOWN,
        disable_session_tags_loc=tags_attr.loc if tags_attr else None,
        policy_loc=policy_attr.loc if policy_attr is not None and ctx.eval(policy_attr.expr) is not None else None,
    )


ADAPTERS = (ResourceAdapter(("aws_eks_pod_identity_association",), association),)
