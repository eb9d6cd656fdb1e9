"""hashicorp/kubernetes ServiceAccounts: `kubernetes_service_account(_v1)` (namespace default
`default`) and `kubernetes_default_service_account(_v1)` (the namespace's `default` account)."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, Body
from irsalint.model import ServiceAccount
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record

DEFAULT_SA_RESOURCES = ("kubernetes_default_service_account", "kubernetes_default_service_account_v1")
SA_RESOURCES = ("kubernetes_service_account", "kubernetes_service_account_v1", *DEFAULT_SA_RESOURCES)


def metadata_body(block: Block) -> Body:
    """The body of a hashicorp/kubernetes resource's `metadata` block (empty when absent)."""
    metadata = next(iter(block.body.blocks_of("metadata")), None)
    return metadata.body if metadata else Body((), ())


def service_account(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    meta_body = metadata_body(block)
    sa_name = "default" if kind in DEFAULT_SA_RESOURCES else ctx.known(meta_body, "name")
    automount_attr = block.body.attr("automount_service_account_token")
    automount_value = ctx.eval(automount_attr.expr) if automount_attr else None
    name_attr = meta_body.attr("name")
    yield ServiceAccount(
        id=ctx.node_id(f"{kind}.{name}"),
        name=sa_name,
        namespace=ctx.known(meta_body, "namespace", "default"),
        annotations=ctx.annotations(meta_body.attr("annotations")),
        automount=automount_value if isinstance(automount_value, bool) else None,
        automount_loc=automount_attr.loc if automount_attr else None,
        name_loc=name_attr.loc if name_attr else block.loc,
        origin="terraform",
        labels=ctx.annotations(meta_body.attr("labels")),
    )


ADAPTERS = (ResourceAdapter(SA_RESOURCES, service_account),)
