"""`aws_eks_pod_identity_association`: (cluster, namespace, ServiceAccount) -> role."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block
from irsalint.model import PodIdentityAssociation
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record


def association(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    namespace_attr = body.attr("namespace")
    yield PodIdentityAssociation(
        id=ctx.node_id(f"{kind}.{name}"),
        cluster_name=ctx.known(body, "cluster_name"),
        namespace=ctx.known(body, "namespace"),
        service_account=ctx.known(body, "service_account"),
        role=ctx.role_target(body.expr("role_arn")),
        loc=block.loc,
        namespace_loc=namespace_attr.loc if namespace_attr else block.loc,
    )


ADAPTERS = (ResourceAdapter(("aws_eks_pod_identity_association",), association),)
