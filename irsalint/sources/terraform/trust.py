"""Trust policies that role modules render themselves: rebuilt here statement by statement,
exactly as the module's own `aws_iam_policy_document` would render them, each piece located at
the module input it comes from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from irsalint.iam import STS_AUDIENCE, WEB_IDENTITY_ACTION, oidc_issuer_of_provider_arn
from irsalint.load.hcl import Attribute, Block, Body, Expr, ObjectExpr, TupleExpr
from irsalint.model import (
    UNKNOWN,
    Condition,
    IamRole,
    Location,
    Name,
    Partial,
    PolicyDocument,
    Principal,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.policydoc import make_condition
from irsalint.sources.terraform.context import ModuleContext


def v5_name(ctx: ModuleContext, body: Body, name: str = "role_name", prefix: str = "role_name_prefix") -> tuple[Name, bool]:
    """v5 modules (and aws_iam_role): the name, else the name prefix (a prefix)."""
    role_name = ctx.name(body, name)
    if role_name is not None:
        return role_name, False
    role_prefix = ctx.name(body, prefix)
    return (role_prefix, True) if role_prefix is not None else (UNKNOWN, False)


def prefixed_name(base: Name | None, use_prefix: Any) -> tuple[Name, bool]:
    """v6-style naming: `use_name_prefix` (default true) renders `name_prefix = "${name}-"`."""
    if use_prefix is True:
        if isinstance(base, str):
            return base + "-", True
        if isinstance(base, Partial):
            return Partial(base.pieces[:-1] + (base.pieces[-1] + "-",), base.holes), True
        return UNKNOWN, True
    if use_prefix is False:
        return (base if base is not None else UNKNOWN), False
    return UNKNOWN, False


def provider_urls(ctx: ModuleContext, body: Body, *names: str) -> tuple[list[Value], bool]:
    """Issuer URLs (`https://` stripped, empty ones dropped, duplicates once) and whether
    every one could be read."""
    urls: list[Value] = []
    seen: set[str] = set()
    complete = True
    for name in names:
        attribute = body.attr(name)
        if attribute is None:
            continue
        if name.endswith("_url"):  # a single URL
            values = ValueList((Value(ctx.eval(attribute.expr), attribute.loc),), True, attribute.loc)
        else:
            values = ctx.string_list(attribute)
        complete = complete and values.complete
        for item in values.values:
            if item.value is None or item.value == "":
                continue
            if isinstance(item.value, str):
                text = item.value.replace("https://", "")
                if text in seen:
                    continue
                seen.add(text)
                urls.append(Value(text, item.loc))
            else:
                urls.append(Value(UNKNOWN, item.loc))  # may also be empty: then no statement
                complete = False
    return urls, complete


def provider_principal(url: Value, account: Str) -> Value:
    """The Federated principal the modules render: partition (and maybe account) from data
    sources, so they stay placeholders; the issuer part is known."""
    if not isinstance(url.value, str):
        return Value(UNKNOWN, url.loc)
    account_text = account if isinstance(account, str) else "${account_id}"
    return Value(f"arn:${{partition}}:iam::{account_text}:oidc-provider/{url.value}", url.loc)


def web_statement(
    principal: Value,
    conditions: Sequence[Condition],
    loc: Location,
    conditions_complete: bool = True,
    actions: Sequence[str] = (WEB_IDENTITY_ACTION,),
) -> Statement:
    return Statement(
        sid=None,
        effect="Allow",
        actions=ValueList(tuple(Value(a, loc) for a in actions), True, loc),
        not_actions=None,
        resources=None,
        not_resources=None,
        principals=(Principal("Federated", ValueList((principal,), True, principal.loc)),),
        conditions=tuple(conditions),
        conditions_complete=conditions_complete,
        loc=loc,
    )


def claim_conditions(ctx: ModuleContext, body: Body, url: Value, specs: Sequence[tuple[str, str, str]]) -> list[Condition]:
    """One condition per (attribute, operator, claim) whose list is not known to be empty
    (the modules render `dynamic "condition"` blocks only for non-empty lists)."""
    conditions: list[Condition] = []
    for attribute_name, operator, claim in specs:
        attribute = body.attr(attribute_name)
        if attribute is None:
            continue
        values = ctx.string_list(attribute)
        if values.complete and not values.values:
            continue
        key: Str = f"{url.value}:{claim}" if isinstance(url.value, str) else UNKNOWN
        conditions.append(make_condition(operator, key, ":" + claim, values, attribute.loc))
    return conditions


def subject_values(ctx: ModuleContext, expr: Expr | None, loc: Location) -> ValueList:
    """namespace_service_accounts ["ns:sa", ...] -> "system:serviceaccount:ns:sa" values."""
    resolved = ctx.evaluator.resolve_expr(expr)
    items: list[tuple[Any, Location]]
    if isinstance(resolved, TupleExpr) and resolved.loc.path == loc.path:
        items = [(ctx.eval(i), i.loc) for i in resolved.items]
    else:
        value = ctx.eval(expr)
        if not isinstance(value, tuple):
            return ValueList((), False, loc)
        items = [(v, loc) for v in value]
    values = tuple(
        Value(f"system:serviceaccount:{v}" if isinstance(v, str) else UNKNOWN, item_loc) for v, item_loc in items
    )
    return ValueList(values, True, loc)


def sub_and_aud(test: Str, issuer: Str, subjects: ValueList, subjects_loc: Location, aud_loc: Location) -> tuple[Condition, Condition]:
    """The `:sub` condition over `subjects` and the `:aud` = sts condition the IRSA modules add."""
    key_sub: Str = f"{issuer}:sub" if isinstance(issuer, str) else UNKNOWN
    key_aud: Str = f"{issuer}:aud" if isinstance(issuer, str) else UNKNOWN
    return (
        make_condition(test, key_sub, ":sub", subjects, subjects_loc),
        make_condition(test, key_aud, ":aud", ValueList((Value(STS_AUDIENCE, aud_loc),), True, aud_loc), aud_loc),
    )


def oidc_providers_trust(
    ctx: ModuleContext, body: Body, test: Str, test_attr: Attribute | None
) -> tuple[PolicyDocument | None, Location]:
    """The trust the IRSA modules render: one statement per `oidc_providers` entry, with a
    `:sub` condition over `namespace_service_accounts` and an `:aud` one for STS."""
    providers_attr = body.attr("oidc_providers")
    if providers_attr is None:
        return PolicyDocument((), True, Location("", 0)), Location("", 0)
    providers = ctx.evaluator.resolve_expr(providers_attr.expr)
    if not isinstance(providers, ObjectExpr):
        return PolicyDocument((), False, providers_attr.loc), providers_attr.loc
    statements: list[Statement] = []
    trust_loc = providers_attr.loc
    for item in providers.items:
        entry = ctx.evaluator.resolve_expr(item.value)
        if not isinstance(entry, ObjectExpr):
            return PolicyDocument(tuple(statements), False, providers_attr.loc), trust_loc
        fields = {ctx.evaluator.eval(i.key): i for i in entry.items}
        provider_item = fields.get("provider_arn")
        subjects_item = fields.get("namespace_service_accounts")
        provider_arn = ctx.eval(provider_item.value) if provider_item else UNKNOWN
        provider_loc = provider_item.loc if provider_item else item.loc
        issuer: Str = UNKNOWN
        if isinstance(provider_arn, str):
            issuer = oidc_issuer_of_provider_arn(provider_arn) or UNKNOWN
        subjects_loc = subjects_item.loc if subjects_item else item.loc
        trust_loc = subjects_loc
        subjects = subject_values(ctx, subjects_item.value if subjects_item else None, subjects_loc)
        aud_loc = test_attr.loc if test_attr is not None else provider_loc
        statements.append(
            Statement(
                sid=None,
                effect="Allow",
                actions=ValueList((Value(WEB_IDENTITY_ACTION, item.loc),), True, item.loc),
                not_actions=None,
                resources=None,
                not_resources=None,
                principals=(Principal("Federated", ValueList((Value(provider_arn, provider_loc),), True, provider_loc)),),
                conditions=sub_and_aud(test, issuer, subjects, subjects_loc, aud_loc),
                conditions_complete=True,
                loc=item.loc,
            )
        )
    return PolicyDocument(tuple(statements), True, providers_attr.loc), trust_loc


def generic_conditions(ctx: ModuleContext, attribute: Attribute | None) -> tuple[list[Condition], bool]:
    """v6 `trust_policy_conditions`: a list of {test, variable, values}."""
    if attribute is None:
        return [], True
    value = ctx.eval(attribute.expr)
    entries = value if isinstance(value, tuple) else tuple(value.values()) if isinstance(value, dict) else None
    if entries is None:
        return [], False
    conditions: list[Condition] = []
    for entry in entries:
        if not isinstance(entry, dict):
            return conditions, False
        test = entry.get("test", UNKNOWN)
        variable = entry.get("variable", UNKNOWN)
        raw = entry.get("values", UNKNOWN)
        items = raw if isinstance(raw, tuple) else (raw,)
        values = ValueList(
            tuple(Value(v, attribute.loc) for v in items if v is not UNKNOWN), UNKNOWN not in items, attribute.loc
        )
        conditions.append(
            make_condition(
                test if isinstance(test, str) else UNKNOWN,
                variable if isinstance(variable, str) else UNKNOWN,
                "",
                values,
                attribute.loc,
            )
        )
    return conditions, True


def module_role_record(
    ctx: ModuleContext,
    address: str,
    module: str,
    block: Block,
    name: tuple[Name, bool],
    path_attribute: str,
    trust: tuple[Sequence[Statement], bool],
    trust_loc: Location,
    policies_attribute: str,
) -> IamRole:
    """The IamRole of a module whose trust we synthesised (statements, and whether complete)."""
    statements, complete = trust
    return IamRole(
        id=ctx.scope.role_ids[address],
        address=address,
        kind=f"module:{module}",
        name=name[0],
        name_is_prefix=name[1],
        path=ctx.known(block.body, path_attribute, "/"),
        account=UNKNOWN,
        trust=PolicyDocument(tuple(statements), complete, block.loc),
        trust_loc=trust_loc,
        loc=block.loc,
        managed_policy_arns=ctx.value_items(block.body.attr(policies_attribute)),
    )
