"""ConfigMaps and Secrets that Terraform writes (`kubernetes_config_map(_v1)`,
`kubernetes_secret(_v1)`), as Flux `substituteFrom` sources.

A common Flux + Terraform hand-over: Terraform creates the IRSA roles and writes their ARNs into
a ConfigMap in `flux-system`; a Flux Kustomization substitutes `${karpenter_role_arn}` from it in
the manifests and HelmRelease values it applies. An entry whose value is a reference to a scanned
role keeps that reference (the ServiceAccount then links to the role itself); a literal keeps its
text; anything else is unreadable, as an encrypted Secret's value is."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, ObjectExpr
from irsalint.model import RoleRef
from irsalint.sources.gitops.records import ConfigData, DataEntry
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.kubernetes import metadata_body
from irsalint.sources.terraform.records import Record

CONFIG_MAP_RESOURCES = ("kubernetes_config_map", "kubernetes_config_map_v1")
SECRET_RESOURCES = ("kubernetes_secret", "kubernetes_secret_v1")


def config_data(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    meta_body = metadata_body(block)
    object_name = ctx.known(meta_body, "name")
    if not isinstance(object_name, str):
        return  # `generate_name`, or a name from an unknown value: nothing can refer to it
    namespace = ctx.known(meta_body, "namespace", "default")
    entries: list[DataEntry] = []
    complete = True
    for field in ("data", "binary_data") if kind in CONFIG_MAP_RESOURCES else ("data",):
        attribute = block.body.attr(field)
        if attribute is None:
            continue
        expr = ctx.evaluator.resolve_expr(attribute.expr)
        if not isinstance(expr, ObjectExpr):
            complete = False  # a map built elsewhere (merge(), a variable): its keys are unknown
            continue
        for item in expr.items:
            key = ctx.eval(item.key)
            if not isinstance(key, str):
                complete = False
                continue
            value = ctx.eval(item.value) if field == "data" else None
            if isinstance(value, RoleRef):
                entries.append(DataEntry(key, None, None, item.loc, ref=value if value.attribute == "arn" else None))
            else:
                entries.append(DataEntry(key, value if isinstance(value, str) else None, None, item.loc))
    name_attr = meta_body.attr("name")
    yield ConfigData(
        "ConfigMap" if kind in CONFIG_MAP_RESOURCES else "Secret",
        object_name,
        namespace if isinstance(namespace, str) else None,
        tuple(entries),
        complete,
        name_attr.loc if name_attr else block.loc,
    )


ADAPTERS = (ResourceAdapter((*CONFIG_MAP_RESOURCES, *SECRET_RESOURCES), config_data),)
