"""hashicorp/aws IAM resources: `aws_iam_role` (trust, `inline_policy` blocks,
`managed_policy_arns`), `aws_iam_policy`, the attachment resources and `aws_iam_role_policy`."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, TupleExpr
from irsalint.model import UNKNOWN, Attachment, IamRole, InlinePolicy, Location, ManagedPolicy, Value
from irsalint.sources.terraform.base import ResourceAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import v5_name

ATTACHMENT_RESOURCES = ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policy")


def role(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"aws_iam_role.{name}"
    role_name, is_prefix = v5_name(ctx, body, "name", "name_prefix")
    trust_attr = body.attr("assume_role_policy")
    trust = ctx.reader.read(trust_attr.expr, trust_attr.loc) if trust_attr else None
    related: tuple[Location, ...] = ()
    if trust is not None and trust.loc.line != (trust_attr.loc.line if trust_attr else 0):
        related = (trust.loc,)
    inline = []
    for inline_block in body.blocks_of("inline_policy"):
        policy_attr = inline_block.body.attr("policy")
        if policy_attr is not None:
            document = ctx.reader.read(policy_attr.expr, policy_attr.loc)
            if document is not None:
                inline.append(document)
    record = IamRole(
        id=ctx.scope.role_ids[address],
        address=address,
        kind="aws_iam_role",
        name=role_name,
        name_is_prefix=is_prefix,
        path=ctx.known(body, "path", "/"),
        account=UNKNOWN,
        trust=trust,
        trust_loc=trust_attr.loc if trust_attr else block.loc,
        loc=block.loc,
        inline_policies=tuple(inline),
        managed_policy_arns=ctx.value_items(body.attr("managed_policy_arns")),
        related=related,
    )
    yield ctx.with_boundary(record, block, "permissions_boundary")


def policy(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    address = f"aws_iam_policy.{name}"
    policy_attr = block.body.attr("policy")
    document = ctx.reader.read(policy_attr.expr, policy_attr.loc) if policy_attr else None
    yield ManagedPolicy(
        id=ctx.scope.policy_ids[address],
        address=address,
        name=ctx.known(block.body, "name"),
        document=document,
        loc=block.loc,
    )


def attachment(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    policy_attr = body.attr("policy_arn")
    policy_value = Value(ctx.eval(policy_attr.expr) if policy_attr else UNKNOWN, policy_attr.loc if policy_attr else block.loc)
    if kind == "aws_iam_role_policy_attachment":
        yield Attachment(ctx.role_target(body.expr("role")), policy_value, block.loc)
        return
    roles_attr = body.attr("roles")
    roles = ctx.evaluator.resolve_expr(roles_attr.expr) if roles_attr else None
    if isinstance(roles, TupleExpr):
        for item in roles.items:
            yield Attachment(ctx.role_target(item), policy_value, block.loc)


def inline_policy(ctx: ModuleContext, kind: str, name: str, block: Block) -> Iterator[Record]:
    policy_attr = block.body.attr("policy")
    document = ctx.reader.read(policy_attr.expr, policy_attr.loc) if policy_attr else None
    yield InlinePolicy(ctx.role_target(block.body.expr("role")), document, block.loc)


ADAPTERS = (
    ResourceAdapter(("aws_iam_role",), role),
    ResourceAdapter(("aws_iam_policy",), policy),
    ResourceAdapter(("aws_iam_role_policy_attachment", "aws_iam_policy_attachment"), attachment),
    ResourceAdapter(("aws_iam_role_policy",), inline_policy),
)
