"""aws-ia `eks-blueprints-addons` (the plural module): every `enable_<addon> = true` installs the
add-on's Helm chart and, for the add-ons in irsalint/data/blueprints_addons.json, creates an IRSA
role that trusts the chart's ServiceAccount, with a policy whose resources some module variables
default to wildcards (external-secrets: every secret, parameter and key). Each enabled add-on gives
one role (addressed `module.<name>.<addon>`), its ServiceAccount (unless
`create_kubernetes_resources = false`, as in GitOps bridge setups), and the wildcard statements.
Its `eks_addons` map is read like terraform-aws-modules/eks's add-on map."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.iam import oidc_issuer_of_provider_arn
from irsalint.load.hcl import Block, Body
from irsalint.model import (
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    ModuleDefault,
    PolicyDocument,
    RoleRef,
    ServiceAccount,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.package_data import read_text
from irsalint.policy_patterns import is_wildcard_resource
from irsalint.sources.terraform.base import ModuleAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.eks_addons import addon_map_records
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import prefixed_name, sub_and_aud, web_statement

KIND = "eks-blueprints-addons"
ROLE_ARN_KEY = "eks.amazonaws.com/role-arn"


@functools.lru_cache(maxsize=1)
def addons() -> dict[str, dict[str, Any]]:
    text = read_text("data/blueprints_addons.json")
    table: dict[str, dict[str, Any]] = json.loads(text)["addons"]
    return table


def matches(source: str) -> bool:
    location = source.split("::", 1)[-1].split("://", 1)[-1]
    repo, subdirectory, _ = location.partition("//")
    repo = repo.removesuffix(".git").rstrip("/")
    return not subdirectory and repo.endswith(("aws-ia/eks-blueprints-addons/aws", "/terraform-aws-eks-blueprints-addons"))


def _enabled(ctx: ModuleContext, body: Body) -> Iterator[tuple[str, dict[str, Any]]]:
    """The add-ons of the table whose role the module creates (flags known to be on)."""
    for addon, spec in sorted(addons().items()):
        if ctx.flag(body, f"enable_{addon}", False) is not True:
            continue
        settings = _settings(ctx, body, addon)
        if settings.get("create_role", True) is False:
            continue
        gate = spec.get("requires_non_empty")
        if gate is not None and body.attr(gate) is not None:
            value = ctx.eval(body.expr(gate))
            if value == () or value is None:
                continue  # empty: the module creates no role. Set but unknown (`try([...], [])`,
                # a data source): the user asked for zones, so the role is there
        elif gate is not None and not _variable_default(spec, gate):
            continue  # the variable defaults to an empty list
        yield addon, spec


def _variable_default(spec: Mapping[str, Any], variable: str) -> list[str]:
    """The module's default for a list variable a policy reads (cert-manager: every hosted zone)."""
    for policy in spec.get("policies", ()):
        if policy.get("resource_variable") == variable:
            return list(policy.get("default", ()))
    return []


def _settings(ctx: ModuleContext, body: Body, addon: str) -> dict[str, Any]:
    """The add-on's input object (`external_secrets = { namespace = ... }`), its known keys."""
    value = ctx.eval(body.expr(addon)) if body.attr(addon) is not None else {}
    return value if isinstance(value, dict) else {}


def roles(ctx: ModuleContext, name: str, block: Block) -> tuple[str, ...]:
    return tuple(f"module.{name}.{addon}" for addon, _ in _enabled(ctx, block.body))


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    body = block.body
    address = f"module.{name}"
    provider_attr = body.attr("oidc_provider_arn")
    provider = ctx.eval(provider_attr.expr) if provider_attr is not None else UNKNOWN
    provider_loc = provider_attr.loc if provider_attr is not None else block.loc
    issuer: Str = UNKNOWN
    if isinstance(provider, str):
        issuer = oidc_issuer_of_provider_arn(provider) or UNKNOWN
    releases = ctx.flag(body, "create_kubernetes_resources", True)
    for addon, spec in _enabled(ctx, body):
        role_address = f"{address}.{addon}"
        role_id = ctx.scope.role_ids.get(role_address)
        if role_id is None:
            continue
        settings = _settings(ctx, body, addon)
        namespace = _text(settings.get("namespace"), spec["namespace"])
        if "namespace_from" in spec:
            namespace = _text(_settings(ctx, body, spec["namespace_from"]).get("namespace"), namespace)
        account = _text(settings.get(spec.get("service_account_input", "service_account_name")), spec["service_account"])
        flag = body.attr(f"enable_{addon}")
        loc = flag.loc if flag is not None else block.loc
        subject = Value(f"system:serviceaccount:{namespace}:{account}" if isinstance(namespace, str) and isinstance(account, str) else UNKNOWN, loc)
        statement = web_statement(
            Value(provider if isinstance(provider, str) else UNKNOWN, provider_loc),
            sub_and_aud("StringEquals", issuer, ValueList((subject,), True, loc), loc, loc),
            loc,
        )
        role_name, is_prefix = prefixed_name(
            _text(settings.get("role_name"), spec["role_name"]), settings.get("role_name_use_prefix", True)
        )
        yield IamRole(
            id=role_id,
            address=role_address,
            kind=f"module:{KIND}",
            name=role_name,
            name_is_prefix=is_prefix,
            path=_text(settings.get("role_path"), "/"),
            account=UNKNOWN,
            trust=PolicyDocument((statement,), True, loc),
            trust_loc=loc,
            loc=loc,
            inline_policies=_generated(ctx, body, address, addon, spec, loc),
        )
        if releases is not False:
            yield ServiceAccount(
                id=ctx.node_id(f"{role_address}.helm_release"),
                name=account,
                namespace=namespace,
                annotations=(Annotation(ROLE_ARN_KEY, RoleRef(role_id, "arn"), loc),),
                automount=None,
                automount_loc=None,
                name_loc=loc,
                origin="terraform",
            )
    yield from addon_map_records(ctx, address, body, "eks_addons")


def _text(value: object, default: Str) -> Str:
    if value is None:
        return default
    return value if isinstance(value, str) else UNKNOWN


def _generated(ctx: ModuleContext, body: Body, module: str, addon: str, spec: dict[str, Any], flag_loc: Location) -> tuple[PolicyDocument, ...]:
    """The add-on policy's statements whose resources a module variable leaves at (or sets to) a
    wildcard, located at the variable when set, else at the enable flag."""
    statements: list[Statement] = []
    for index, entry in enumerate(spec.get("policies", ())):
        variable = entry["resource_variable"]
        variable_attr = body.attr(variable)
        if variable_attr is None:
            loc, explicit = flag_loc, False
            values = [Value(v, loc) for v in entry["default"]]
        else:
            loc, explicit = variable_attr.loc, True
            items = ctx.value_items(variable_attr)
            if any(not isinstance(item.value, str) for item in items):
                continue  # unknown: the policy may well be scoped
            values = list(items)
        values = [v for v in values if isinstance(v.value, str) and is_wildcard_resource(v.value)]
        if values:
            statements.append(Statement(
                sid=None, effect="Allow",
                actions=ValueList(tuple(Value(a, loc) for a in entry["actions"]), True, loc),
                not_actions=None, resources=ValueList(tuple(values), True, loc), not_resources=None,
                principals=(), conditions=(), conditions_complete=True, loc=loc,
                generated_by=ModuleDefault(module, f"enable_{addon}", variable, explicit, index),
            ))
    return (PolicyDocument(tuple(statements), True, flag_loc),) if statements else ()


ADAPTER = ModuleAdapter(KIND, matches, records, roles=roles, role_only=False)
