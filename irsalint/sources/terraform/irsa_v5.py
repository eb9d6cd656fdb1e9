"""terraform-aws-modules/iam v5 `iam-role-for-service-accounts-eks`: `role_name` /
`role_name_prefix`, `oidc_providers{provider_arn, namespace_service_accounts}`,
`assume_role_condition_test`, `role_policy_arns`, and the policies its `attach_*_policy` flags
generate (irsalint/data/irsa_module_v5_policies.json)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from irsalint.load.hcl import Block, Body
from irsalint.model import UNKNOWN, IamRole, ModuleDefault, PolicyDocument, Statement, Value, ValueList
from irsalint.package_data import read_text
from irsalint.policy_patterns import is_wildcard_resource
from irsalint.sources.terraform.base import ModuleAdapter, registry_module
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import oidc_providers_trust, v5_name

KIND = "iam-role-for-service-accounts-eks"


@functools.lru_cache(maxsize=1)
def v5_module_policies() -> dict[str, list[dict[str, Any]]]:
    """flag -> statements the v5 IRSA module generates from resource variables (shipped data)."""
    text = read_text("data/irsa_module_v5_policies.json")
    policies: dict[str, list[dict[str, Any]]] = json.loads(text)["policies"]
    return policies


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"module.{name}"
    role_name, is_prefix = v5_name(ctx, body)
    test_attr = body.attr("assume_role_condition_test")
    trust, trust_loc = oidc_providers_trust(ctx, body, ctx.condition_test(test_attr), test_attr)
    role = IamRole(
        id=ctx.scope.role_ids[address],
        address=address,
        kind=f"module:{KIND}",
        name=role_name,
        name_is_prefix=is_prefix,
        path=ctx.known(body, "role_path", "/"),
        account=UNKNOWN,
        trust=trust,
        trust_loc=trust_loc,
        loc=block.loc,
        inline_policies=generated_policies(ctx, address, body),
        managed_policy_arns=ctx.value_items(body.attr("role_policy_arns")),
    )
    yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")


def generated_policies(ctx: ModuleContext, address: str, body: Body) -> tuple[PolicyDocument, ...]:
    """The policies the module renders for `attach_*_policy = true` whose resources come from a
    variable left at a wildcard default (or set to a wildcard): one document per flag, located at
    the flag (or at the variable when it is set)."""
    documents: list[PolicyDocument] = []
    for flag, entries in v5_module_policies().items():
        flag_attr = body.attr(flag)
        if flag_attr is None or ctx.eval(flag_attr.expr) is not True:
            continue
        statements: list[Statement] = []
        for index, entry in enumerate(entries):
            variable = entry["resource_variable"]
            suffix = entry.get("resource_suffix", "")
            variable_attr = body.attr(variable)
            if variable_attr is None:
                loc, explicit = flag_attr.loc, False
                values = [Value(v + suffix, loc) for v in entry["default"]]
            else:
                loc, explicit = variable_attr.loc, True
                items = ctx.value_items(variable_attr)
                if any(not isinstance(item.value, str) for item in items):
                    continue  # unknown: the policy may well be scoped
                values = [Value(f"{item.value}{suffix}", item.loc) for item in items]
            values = [v for v in values if isinstance(v.value, str) and is_wildcard_resource(v.value)]
            if not values:
                continue
            statements.append(
                Statement(
                    sid=None,
                    effect="Allow",
                    actions=ValueList(tuple(Value(a, loc) for a in entry["actions"]), True, loc),
                    not_actions=None,
                    resources=ValueList(tuple(values), True, loc),
                    not_resources=None,
                    principals=(),
                    conditions=(),
                    conditions_complete=True,
                    loc=loc,
                    generated_by=ModuleDefault(address, flag, variable, explicit, index),
                )
            )
        if statements:
            documents.append(PolicyDocument(tuple(statements), True, flag_attr.loc))
    return tuple(documents)


ADAPTER = ModuleAdapter(KIND, registry_module(KIND), records, create_flags=(("create_role", True),))
