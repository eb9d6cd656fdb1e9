"""aws-ia `eks-blueprints-addon` (singular, the root module): a helm release plus, with
`create_role`, an IRSA role trusting `system:serviceaccount:<namespace>:<service_account>` of each
`oidc_providers` entry (`:aud` sts); name from `role_name` (else the addon `name`), a prefix unless
`role_name_use_prefix = false`. The role ARN is set at every `set_irsa_names` helm path."""

from __future__ import annotations

from collections.abc import Iterator

from irsalint.iam import oidc_issuer_of_provider_arn
from irsalint.load.hcl import Block, Body, ObjectExpr
from irsalint.model import UNKNOWN, Location, Name, RoleRef, ServiceAccount, Statement, Str, Value, ValueList
from irsalint.sources.terraform.base import ModuleAdapter
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.helm import (
    HelmSet,
    chart_name,
    helm_path,
    helm_service_accounts,
    helm_set_list,
    helm_values,
)
from irsalint.sources.terraform.records import Record
from irsalint.sources.terraform.trust import module_role_record, prefixed_name, sub_and_aud, web_statement

KIND = "eks-blueprints-addon"


def matches(source: str) -> bool:
    """The root module only (`aws-ia/eks-blueprints-addon/aws`, or its git repository), not one
    of its subdirectories."""
    location = source.split("::", 1)[-1].split("://", 1)[-1]
    repo, subdirectory, _ = location.partition("//")
    repo = repo.removesuffix(".git").rstrip("/")
    return not subdirectory and repo.endswith(("aws-ia/eks-blueprints-addon/aws", "/terraform-aws-eks-blueprints-addon"))


def records(ctx: ModuleContext, name: str, block: Block) -> Iterator[Record]:
    address = f"module.{name}"
    if address in ctx.scope.role_ids:
        role = module_role_record(
            ctx, address, KIND, block, role_name(ctx, block.body), "role_path", *trust(ctx, block), "role_policies"
        )
        yield ctx.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")
    yield from service_accounts(ctx, name, block)


def role_name(ctx: ModuleContext, body: Body) -> tuple[Name, bool]:
    base = ctx.name(body, "role_name")
    if base is None or base == "":
        base = ctx.name(body, "name")
    return prefixed_name(base if base != "" else None, ctx.flag(body, "role_name_use_prefix", True))


def namespace(ctx: ModuleContext, body: Body) -> Str:
    return ctx.known(body, "namespace", "default")


def trust(ctx: ModuleContext, block: Block) -> tuple[tuple[list[Statement], bool], Location]:
    body = block.body
    test_attr = body.attr("assume_role_condition_test")
    test = ctx.condition_test(test_attr)
    release_namespace = namespace(ctx, body)
    providers_attr = body.attr("oidc_providers")
    statements: list[Statement] = []
    complete = True
    trust_loc = block.loc
    if providers_attr is not None:
        providers = ctx.evaluator.resolve_expr(providers_attr.expr)
        trust_loc = providers_attr.loc
        if isinstance(providers, ObjectExpr):
            for item in providers.items:
                entry = ctx.evaluator.resolve_expr(item.value)
                if not isinstance(entry, ObjectExpr):
                    complete = False
                    continue
                fields = {ctx.evaluator.eval(i.key): i for i in entry.items}
                provider_item = fields.get("provider_arn")
                account_item = fields.get("service_account")
                namespace_item = fields.get("namespace")
                provider_arn = ctx.eval(provider_item.value) if provider_item else UNKNOWN
                provider_loc = provider_item.loc if provider_item else item.loc
                issuer: Str = UNKNOWN
                if isinstance(provider_arn, str):
                    issuer = oidc_issuer_of_provider_arn(provider_arn) or UNKNOWN
                sa_name = ctx.eval(account_item.value) if account_item else UNKNOWN
                sa_namespace = ctx.eval(namespace_item.value) if namespace_item else release_namespace
                subject_loc = account_item.loc if account_item else item.loc
                subject: Str = UNKNOWN
                if isinstance(sa_name, str) and isinstance(sa_namespace, str):
                    subject = f"system:serviceaccount:{sa_namespace}:{sa_name}"
                trust_loc = subject_loc
                aud_loc = test_attr.loc if test_attr is not None else provider_loc
                subjects = ValueList((Value(subject, subject_loc),), True, subject_loc)
                conditions = sub_and_aud(test, issuer, subjects, subject_loc, aud_loc)
                statements.append(web_statement(Value(provider_arn, provider_loc), conditions, item.loc))
        else:
            complete = False
    return (statements, complete), trust_loc


def service_accounts(ctx: ModuleContext, name: str, block: Block) -> Iterator[ServiceAccount]:
    """Its helm release, with the role ARN set at every `set_irsa_names` path when the module
    creates the role."""
    body = block.body
    if ctx.flag(body, "create", True) is False or ctx.flag(body, "create_release", True) is False:
        return
    address = f"module.{name}"
    sets = list(helm_set_list(ctx, body.expr("set"), 0)) if body.attr("set") is not None else []
    role_id = ctx.scope.role_ids.get(address)
    names_attr = body.attr("set_irsa_names")
    if names_attr is not None and role_id is not None:
        for item in ctx.string_list(names_attr).values:
            path = helm_path(item.value) if isinstance(item.value, str) else None
            if path is not None:
                sets.append(HelmSet(path, RoleRef(role_id, "arn"), item.loc))
    yield from helm_service_accounts(
        ctx, f"{address}.helm_release", namespace(ctx, body), helm_values(ctx, body.attr("values")), sets, block.loc,
        chart=chart_name(ctx.known(body, "chart")), release=ctx.known(body, "name"),
    )


ADAPTER = ModuleAdapter(
    KIND, matches, records, create_flags=(("create", True), ("create_role", False)), role_only=False
)
