"""terraform-aws-modules/iam v6 `iam-role`: with `enable_oidc`, one statement per
`oidc_provider_urls` entry with `:sub` conditions from `oidc_subjects` (StringEquals) /
`oidc_wildcard_subjects` (StringLike), `:aud` from `oidc_audiences`, plus
`trust_policy_conditions`."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.iam import WEB_IDENTITY_ACTION
from irsalint.load.hcl import Block
from irsalint.model import Statement
from irsalint.sources.terraform.base import ModuleAdapter, registry_module
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import (
    claim_conditions,
    generic_conditions,
    module_role_record,
    prefixed_name,
    provider_principal,
    provider_urls,
    web_statement,
)

KIND = "iam-role"
_CLAIMS = (
    ("oidc_subjects", "StringEquals", "sub"),
    ("oidc_wildcard_subjects", "StringLike", "sub"),
    ("oidc_audiences", "StringEquals", "aud"),
)


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    role_name = prefixed_name(ctx.name(body, "name"), ctx.flag(body, "use_name_prefix", True))
    complete = True
    statements: list[Statement] = []
    enable = ctx.flag(body, "enable_oidc", False)
    if enable is not False:
        complete = enable is True
        urls, urls_complete = provider_urls(ctx, body, "oidc_provider_urls")
        complete = complete and urls_complete
        account = ctx.known(body, "oidc_account_id")
        extra, extra_complete = generic_conditions(ctx, body.attr("trust_policy_conditions"))
        for url in urls:
            conditions = [*claim_conditions(ctx, body, url, _CLAIMS), *extra]
            statements.append(
                web_statement(
                    provider_principal(url, account),
                    conditions,
                    block.loc,
                    conditions_complete=extra_complete,
                    actions=("sts:TagSession", WEB_IDENTITY_ACTION),
                )
            )
    for other in ("source_trust_policy_documents", "override_trust_policy_documents", "trust_policy_permissions"):
        attribute = body.attr(other)
        if attribute is not None and ctx.eval(attribute.expr) not in (None, (), {}):
            complete = False  # further statements we do not read
    if ctx.flag(body, "enable_bitbucket_oidc", False) is not False:
        complete = False  # its subjects are the same lists, under another issuer
    trust_loc = ctx.first_loc(body, ("oidc_subjects", "oidc_wildcard_subjects"), block.loc)
    role = module_role_record(
        ctx, f"module.{name}", KIND, block, role_name, "path", (statements, complete), trust_loc, "policies"
    )
    yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")


ADAPTER = ModuleAdapter(KIND, registry_module(KIND), records, create_flags=(("create", True),))
