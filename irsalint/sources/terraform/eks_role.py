"""terraform-aws-modules/iam v5 `iam-eks-role`: one statement per `cluster_service_accounts`
cluster; the issuer comes from `data.aws_eks_cluster` (unknown); a `:sub` condition only (the
module sets no `:aud`)."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block, ObjectExpr
from irsalint.model import UNKNOWN, Statement, Value
from irsalint.policydoc import make_condition
from irsalint.sources.terraform.base import ModuleAdapter, registry_module
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import module_role_record, subject_values, v5_name, web_statement

KIND = "iam-eks-role"


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    test = ctx.condition_test(body.attr("assume_role_condition_test"))
    accounts_attr = body.attr("cluster_service_accounts")
    statements: list[Statement] = []
    complete = True
    trust_loc = block.loc
    if accounts_attr is not None:
        clusters = ctx.evaluator.resolve_expr(accounts_attr.expr)
        trust_loc = accounts_attr.loc
        if isinstance(clusters, ObjectExpr):
            for item in clusters.items:
                subjects = subject_values(ctx, item.value, item.loc)
                condition = make_condition(test, UNKNOWN, ":sub", subjects, item.loc)
                statements.append(web_statement(Value(UNKNOWN, item.loc), (condition,), item.loc))
        else:
            complete = False
    role = module_role_record(
        ctx, f"module.{name}", KIND, block, v5_name(ctx, body), "role_path", (statements, complete), trust_loc,
        "role_policy_arns",
    )
    yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")


ADAPTER = ModuleAdapter(KIND, registry_module(KIND), records, create_flags=(("create_role", True),))
