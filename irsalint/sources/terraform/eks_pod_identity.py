"""terraform-aws-modules `eks-pod-identity`: one role trusting pods.eks.amazonaws.com (plus
`trust_policy_conditions`), `additional_policy_arns` attached, and one Pod Identity association
per `associations` entry, each field falling back to `association_defaults`. The policies its
`attach_*_policy` flags and `policy_statements` generate are not read (their statements stay
unknown, so no policy rule fires on them); `trust_policy_statements` make the trust incomplete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irsalint.load.hcl import Block, Body, ObjectExpr
from irsalint.model import UNKNOWN, PodIdentityAssociation, RoleRef, Str
from irsalint.policydoc import pod_identity_statement
from irsalint.sources.terraform.base import ModuleAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import generic_conditions, module_role_record, prefixed_name

KIND = "eks-pod-identity"
_FIELDS = ("cluster_name", "namespace", "service_account", "target_role_arn", "disable_session_tags")


def matches(source: str) -> bool:
    location = source.split("::", 1)[-1].split("://", 1)[-1].split("//", 1)[0].removesuffix(".git").rstrip("/")
    return location.endswith(("terraform-aws-modules/eks-pod-identity/aws", "/terraform-aws-eks-pod-identity"))


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"module.{name}"
    role_id = ctx.scope.role_ids.get(address)
    if role_id is None:
        return
    conditions, complete = generic_conditions(ctx, body.attr("trust_policy_conditions"))
    extra = body.attr("trust_policy_statements")
    if extra is not None and ctx.eval(extra.expr) not in (None, (), {}):
        complete = False  # further trust statements we do not read
    trust_loc = ctx.first_loc(body, ("trust_policy_conditions",), block.loc)
    statement = pod_identity_statement(trust_loc, conditions=tuple(conditions), conditions_complete=complete)
    role_name = prefixed_name(ctx.name(body, "name"), ctx.flag(body, "use_name_prefix", True))
    yield ctx.with_boundary(
        module_role_record(ctx, address, KIND, block, role_name, "path", ([statement], complete), trust_loc,
                           "additional_policy_arns"),
        block, "permissions_boundary_arn",
    )
    yield from _associations(ctx, address, body, role_id)


def _associations(ctx: ModuleContext, address: str, body: Body, role_id: str) -> Iterator[Record]:
    defaults = ctx.eval(body.expr("association_defaults")) if body.attr("association_defaults") else {}
    defaults = defaults if isinstance(defaults, dict) else {field: UNKNOWN for field in _FIELDS}
    attribute = body.attr("associations")
    entries = ctx.evaluator.resolve_expr(attribute.expr) if attribute is not None else None
    if not isinstance(entries, ObjectExpr):
        return  # none, or a map we cannot read: no association is guessed
    for item in entries.items:
        key = ctx.eval(item.key)
        written = ctx.eval(item.value)
        entry: dict[str, Any] = written if isinstance(written, dict) else {field: UNKNOWN for field in _FIELDS}
        value_expr = ctx.evaluator.resolve_expr(item.value)
        fields = {ctx.eval(i.key): i for i in value_expr.items} if isinstance(value_expr, ObjectExpr) else {}
        namespace_item = fields.get("namespace")
        target = _field(entry, defaults, "target_role_arn")
        tags = _field(entry, defaults, "disable_session_tags")
        yield PodIdentityAssociation(
            id=ctx.node_id(f"{address}.aws_eks_pod_identity_association[{key if isinstance(key, str) else '?'}]"),
            cluster_name=_text(_field(entry, defaults, "cluster_name")),
            namespace=_text(_field(entry, defaults, "namespace")),
            service_account=_text(_field(entry, defaults, "service_account")),
            role=RoleRef(role_id, "arn"),
            loc=item.loc,
            namespace_loc=namespace_item.loc if namespace_item is not None else item.loc,
            target_role=None if target is None else target if isinstance(target, str) else UNKNOWN,
            target_role_loc=fields["target_role_arn"].loc if "target_role_arn" in fields else None,
            disable_session_tags=tags if tags is None or isinstance(tags, bool) else UNKNOWN,
        )


def _field(entry: dict[str, Any], defaults: dict[str, Any], name: str) -> Any:
    """`try(coalesce(each.value.x, var.association_defaults.x))`: the entry's, else the default's."""
    value = entry.get(name)
    return value if value is not None else defaults.get(name)


def _text(value: Any) -> Str:
    return value if isinstance(value, str) and value else UNKNOWN


ADAPTER = ModuleAdapter(KIND, matches, records, create_flags=(("create", True),))
