"""terraform-aws-modules/iam v5 `iam-assumable-role-with-oidc`: one statement per provider URL;
`:sub` conditions only for non-empty subject lists (none: any ServiceAccount may assume the
role), `:aud` only when `oidc_fully_qualified_audiences` is set."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block
from irsalint.sources.terraform.base import ModuleAdapter, registry_module
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import (
    claim_conditions,
    module_role_record,
    provider_principal,
    provider_urls,
    v5_name,
    web_statement,
)

KIND = "iam-assumable-role-with-oidc"
_CLAIMS = (
    ("oidc_fully_qualified_subjects", "StringEquals", "sub"),
    ("oidc_subjects_with_wildcards", "StringLike", "sub"),
    ("oidc_fully_qualified_audiences", "StringLike", "aud"),
)


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    urls, complete = provider_urls(ctx, body, "provider_urls", "provider_url")
    account = ctx.known(body, "aws_account_id")
    statements = [
        web_statement(provider_principal(url, account), claim_conditions(ctx, body, url, _CLAIMS), block.loc)
        for url in urls
    ]
    trust_loc = ctx.first_loc(body, ("oidc_fully_qualified_subjects", "oidc_subjects_with_wildcards"), block.loc)
    role = module_role_record(
        ctx, f"module.{name}", KIND, block, v5_name(ctx, body), "role_path", (statements, complete), trust_loc,
        "role_policy_arns",
    )
    yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")


ADAPTER = ModuleAdapter(KIND, registry_module(KIND), records, create_flags=(("create_role", False),))
