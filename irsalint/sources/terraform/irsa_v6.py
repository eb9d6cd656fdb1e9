"""terraform-aws-modules/iam v6 `iam-role-for-service-accounts`: `name` (a prefix unless
`use_name_prefix = false`), `path`, `oidc_providers`, `trust_condition_test`, `policies`."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.load.hcl import Block
from irsalint.model import UNKNOWN, IamRole
from irsalint.sources.terraform.base import ModuleAdapter, registry_module
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import oidc_providers_trust, prefixed_name

KIND = "iam-role-for-service-accounts"


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"module.{name}"
    role_name, is_prefix = prefixed_name(ctx.name(body, "name"), ctx.flag(body, "use_name_prefix", True))
    test_attr = body.attr("trust_condition_test")
    trust, trust_loc = oidc_providers_trust(ctx, body, ctx.condition_test(test_attr), test_attr)
    role = IamRole(
        id=ctx.scope.role_ids[address],
        address=address,
        kind=f"module:{KIND}",
        name=role_name,
        name_is_prefix=is_prefix,
        path=ctx.known(body, "path", "/"),
        account=UNKNOWN,
        trust=trust,
        trust_loc=trust_loc,
        loc=block.loc,
        managed_policy_arns=ctx.value_items(body.attr("policies")),
    )
    yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")


ADAPTER = ModuleAdapter(KIND, registry_module(KIND), records, create_flags=(("create", True),))
