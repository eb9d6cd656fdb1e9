"""Kubernetes ServiceAccounts that Terraform applies as raw manifests: `kubectl_manifest`
(gavinbunney/alekc kubectl providers: `yaml_body`, a YAML string or heredoc, often with the role ARN
interpolated) and hashicorp's `kubernetes_manifest` (`manifest`, an HCL object). Annotation carriers
(a Crossplane `DeploymentRuntimeConfig` rendered by `templatefile()`, irsalint/data/carriers.json)
give the ServiceAccount their controller creates."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, Call, Template
from irsalint.model import ROLE_TARGET_TYPES, UNKNOWN, Annotation, Location, RoleTarget, ServiceAccount, Str
from irsalint.placeholders import placeholder_value
from irsalint.policydoc import LMap, LNode, LScalar, from_expr
from irsalint.sources.carriers import TreeAccess, carried_service_account, carrier_of
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.helm import yaml_file, yaml_template
from irsalint.sources.terraform.records import Record


def kubectl_manifest(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    attribute = block.body.attr("yaml_body")
    expr = ctx.evaluator.resolve_expr(attribute.expr) if attribute is not None else None
    tree: LNode | None = None
    if isinstance(expr, Template):
        tree = yaml_template(ctx, expr)
    elif isinstance(expr, Call) and expr.name in ("file", "templatefile") and expr.args:
        tree = yaml_file(ctx, expr)
    if tree is not None:
        yield from _service_account(ctx, f"{kind}.{name}", tree, block.loc)


def kubernetes_manifest(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    attribute = block.body.attr("manifest")
    if attribute is not None:
        yield from _service_account(ctx, f"{kind}.{name}", from_expr(attribute.expr, ctx.evaluator, attribute.loc), block.loc)


def _service_account(ctx: ModuleContext, address: str, tree: LNode, loc: Location) -> Iterator[ServiceAccount]:
    if not isinstance(tree, LMap):
        return
    kind = _scalar(tree, "kind")
    if kind != "ServiceAccount":
        api_version = _scalar(tree, "apiVersion")
        carrier = carrier_of(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
        if carrier is not None:
            yield from carried_service_account(carrier, tree, ctx.node_id(address), _TREE)
        return
    metadata = tree.get("metadata")
    meta = metadata[1] if metadata is not None and isinstance(metadata[1], LMap) else LMap((), loc)
    name_found = meta.get("name")
    name = _scalar(meta, "name")
    namespace = _scalar(meta, "namespace")
    annotations: list[Annotation] = []
    found = meta.get("annotations")
    if found is not None and isinstance(found[1], LMap):
        for key, key_loc, value in found[1].items:
            annotations.append(Annotation(key, _value(value), key_loc))
    automount = tree.get("automountServiceAccountToken")
    automount_value = automount[1].value if automount is not None and isinstance(automount[1], LScalar) else None
    yield ServiceAccount(
        id=ctx.node_id(address),
        name=name if isinstance(name, str) else UNKNOWN,
        namespace=namespace if isinstance(namespace, str) else "default" if namespace is None else UNKNOWN,
        annotations=tuple(annotations),
        automount=automount_value if isinstance(automount_value, bool) else None,
        automount_loc=automount[0] if automount is not None else None,
        name_loc=name_found[0] if name_found is not None else loc,
        origin="terraform",
    )


def _scalar(node: LMap, key: str) -> object:
    found = node.get(key)
    if found is None:
        return None
    value = found[1]
    return value.value if isinstance(value, LScalar) else UNKNOWN


def _value(node: LNode) -> RoleTarget:
    if not isinstance(node, LScalar):
        return UNKNOWN
    if isinstance(node.value, str):
        return placeholder_value(node.value)
    return node.value if isinstance(node.value, ROLE_TARGET_TYPES) else UNKNOWN


def _child(node: LNode | None, key: str) -> LNode | None:
    found = node.get(key) if isinstance(node, LMap) else None
    return found[1] if found is not None else None


def _key_loc(node: LNode | None, key: str) -> Location | None:
    found = node.get(key) if isinstance(node, LMap) else None
    return found[0] if found is not None else None


def _text(node: LNode | None) -> Str | None:
    if node is None:
        return None
    value = node.value if isinstance(node, LScalar) else UNKNOWN
    if isinstance(value, str):
        modelled = placeholder_value(value)
        return modelled if isinstance(modelled, str) else UNKNOWN
    return UNKNOWN


def _annotations(node: LNode | None) -> tuple[Annotation, ...]:
    if not isinstance(node, LMap):
        return ()
    return tuple(Annotation(key, _value(value), key_loc) for key, key_loc, value in node.items)


_TREE: TreeAccess[LNode] = TreeAccess(_child, _key_loc, _text, _annotations, lambda node: node.loc)


ADAPTERS = (
    ResourceAdapter(("kubectl_manifest",), kubectl_manifest),
    ResourceAdapter(("kubernetes_manifest",), kubernetes_manifest),
)
