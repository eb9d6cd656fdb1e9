"""EKS managed add-ons (SPEC §3.4): `aws_eks_addon` resources, and the add-on maps of the
terraform-aws-modules/eks module (`cluster_addons`, `addons`) and of aws-ia eks-blueprints-addons
(`eks_addons`). AWS fixes the add-on's namespace and ServiceAccount (irsalint/data/eks_addons.json);
`service_account_role_arn` then behaves like a role-arn annotation on that ServiceAccount, and each
`pod_identity_association` like an `aws_eks_pod_identity_association`."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.addons import addon_accounts
from irsalint.load.hcl import Attribute, Block, Body, Expr, ObjectExpr, TupleExpr
from irsalint.model import UNKNOWN, Annotation, Location, PodIdentityAssociation, ServiceAccount, Str
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record

ROLE_ARN_KEY = "eks.amazonaws.com/role-arn"


def addon_records(
    ctx: ModuleContext,
    address: str,
    addon_name: Str,
    role_arn: Attribute | None,
    associations: list[tuple[Location, Expr | None, Expr | None]],
    cluster_name: Str,
) -> Iterator[Record]:
    """The add-on's ServiceAccount (when it has a `service_account_role_arn`) and its Pod Identity
    associations ((loc, role_arn, service_account) each). Add-ons we know nothing of are skipped."""
    known = addon_accounts().get(addon_name) if isinstance(addon_name, str) else None
    if known is None:
        return
    namespace, account = known
    if role_arn is not None and ctx.eval(role_arn.expr) is not None:
        yield ServiceAccount(
            id=ctx.node_id(f"{address}[{addon_name}]"),
            name=account,
            namespace=namespace,
            annotations=(Annotation(ROLE_ARN_KEY, ctx.role_target(role_arn.expr), role_arn.loc),),
            automount=None,
            automount_loc=None,
            name_loc=role_arn.loc,
            origin="eks-addon",
        )
    for index, (loc, association_role, association_account) in enumerate(associations):
        written = ctx.eval(association_account) if association_account is not None else None
        yield PodIdentityAssociation(
            id=ctx.node_id(f"{address}[{addon_name}].pod_identity_association[{index}]"),
            cluster_name=cluster_name,
            namespace=namespace,
            service_account=written if isinstance(written, str) else account if written is None else UNKNOWN,
            role=ctx.role_target(association_role),
            loc=loc,
            namespace_loc=loc,
        )


def resource(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    """`resource "aws_eks_addon"` with `service_account_role_arn` and `pod_identity_association`
    blocks."""
    body = block.body
    associations = [(b.loc, b.body.expr("role_arn"), b.body.expr("service_account"))
                    for b in body.blocks_of("pod_identity_association")]
    yield from addon_records(
        ctx, f"{kind}.{name}", ctx.known(body, "addon_name"), body.attr("service_account_role_arn"),
        associations, ctx.known(body, "cluster_name"),
    )


def addon_map_records(ctx: ModuleContext, address: str, body: Body, *attributes: str) -> Iterator[Record]:
    """A module's add-on map (`cluster_addons = { aws-ebs-csi-driver = { service_account_role_arn =
    ... } }`): the key is the add-on name unless the entry sets `name`."""
    for attribute_name in attributes:
        attribute = body.attr(attribute_name)
        addons = ctx.evaluator.resolve_expr(attribute.expr) if attribute is not None else None
        if not isinstance(addons, ObjectExpr):
            continue
        for item in addons.items:
            entry = ctx.evaluator.resolve_expr(item.value)
            if not isinstance(entry, ObjectExpr):
                continue
            fields = {ctx.evaluator.eval(i.key): i for i in entry.items}
            named = fields.get("name")
            addon_name = ctx.eval(named.value) if named is not None else ctx.eval(item.key)
            role = fields.get("service_account_role_arn")
            role_attribute = Attribute("service_account_role_arn", role.value, role.loc) if role is not None else None
            yield from addon_records(
                ctx, f"{address}.{attribute_name}", addon_name if isinstance(addon_name, str) else UNKNOWN,
                role_attribute, _association_entries(ctx, fields.get("pod_identity_association")),
                ctx.known(body, "cluster_name"),
            )


def _association_entries(ctx: ModuleContext, item: object) -> list[tuple[Location, Expr | None, Expr | None]]:
    """`pod_identity_association = [{ role_arn = ..., service_account = ... }]` of a map entry."""
    value = getattr(item, "value", None)
    listed = ctx.evaluator.resolve_expr(value) if value is not None else None
    entries = listed.items if isinstance(listed, TupleExpr) else (listed,) if isinstance(listed, ObjectExpr) else ()
    found = []
    for written in entries:
        entry = ctx.evaluator.resolve_expr(written)
        if isinstance(entry, ObjectExpr):
            fields = {ctx.evaluator.eval(i.key): i.value for i in entry.items}
            found.append((entry.loc, fields.get("role_arn"), fields.get("service_account")))
    return found


ADAPTERS = (ResourceAdapter(("aws_eks_addon",), resource),)
