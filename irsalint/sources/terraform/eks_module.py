"""terraform-aws-modules/eks (the root module): its EKS managed add-ons (`cluster_addons` up to
v20, `addons` from v21), read as add-on ServiceAccounts and Pod Identity associations. The module's
own roles (cluster, node groups) are not IRSA roles and are not modelled."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block
from irsalint.sources.terraform.base import ModuleAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.eks_addons import addon_map_records
from irsalint.sources.terraform.records import Record

KIND = "terraform-aws-modules/eks"


def matches(source: str) -> bool:
    """`terraform-aws-modules/eks/aws` or its git repository, not one of its submodules."""
    location = source.split("::", 1)[-1].split("://", 1)[-1]
    repo, subdirectory, _ = location.partition("//")
    repo = repo.removesuffix(".git").rstrip("/")
    return not subdirectory and repo.endswith(("terraform-aws-modules/eks/aws", "/terraform-aws-eks"))


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    yield from addon_map_records(ctx, f"module.{name}", block.body, "cluster_addons", "addons")


ADAPTER = ModuleAdapter(KIND, matches, records, roles=lambda ctx, name, block: (), role_only=False)
