"""Loaded Terraform files -> IAM roles, policies, attachments, ServiceAccounts (project-wide).

Each directory is one Terraform module (its own `var.`, `local.` and resource names). Roles come
from `aws_iam_role` and from the terraform-aws-modules IRSA modules, whose trust policy we
synthesise exactly as the module's own `aws_iam_policy_document` would render it.
"""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from irsalint.iam import STS_AUDIENCE, WEB_IDENTITY_ACTION, oidc_issuer_of_provider_arn
from irsalint.load.hcl import (
    Attribute,
    Block,
    Body,
    Call,
    Expr,
    ObjectExpr,
    Opaque,
    Template,
    Traversal,
    TupleExpr,
)
from irsalint.load.terraform import TfFile
from irsalint.model import (
    UNKNOWN,
    Annotation,
    Attachment,
    Condition,
    IamRole,
    InlinePolicy,
    Location,
    ManagedPolicy,
    ModuleDefault,
    PolicyDocument,
    Principal,
    RoleRef,
    ServiceAccount,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.policydoc import _UNKNOWN_MARK as UNKNOWN_TEXT_MARK
from irsalint.policydoc import (
    DocumentReader,
    FileReader,
    LList,
    LMap,
    LNode,
    LScalar,
    from_expr,
    from_json_text,
    make_condition,
    render_template_file,
)
from irsalint.resolve import Evaluator, Scope, to_template_string

MODULE_V5 = "iam-role-for-service-accounts-eks"
MODULE_V6 = "iam-role-for-service-accounts"
MODULE_OIDC = "iam-assumable-role-with-oidc"  # terraform-aws-modules/iam v5
MODULE_EKS_ROLE = "iam-eks-role"  # terraform-aws-modules/iam v5
MODULE_ROLE = "iam-role"  # terraform-aws-modules/iam v6 generic role
MODULE_ADDON = "eks-blueprints-addon"  # aws-ia/eks-blueprints-addon (helm release + IRSA role)
_PATH_MODULES = (MODULE_V5, MODULE_V6, MODULE_OIDC, MODULE_EKS_ROLE, MODULE_ROLE)
# (flag, default) that must not be false for the module to create its role
_CREATE_FLAGS: dict[str, tuple[tuple[str, bool], ...]] = {
    MODULE_V5: (("create_role", True),),
    MODULE_V6: (("create", True),),
    MODULE_OIDC: (("create_role", False),),
    MODULE_EKS_ROLE: (("create_role", True),),
    MODULE_ROLE: (("create", True),),
    MODULE_ADDON: (("create", True), ("create_role", False)),
}
ROLE_ARN_KEY = "eks.amazonaws.com/role-arn"
MAX_TEMPLATE_BYTES = 1024 * 1024
# Stand-ins for interpolations in YAML values text (plain scalars: `@` cannot start one in YAML)
_REF_MARK = "irsalint-ref-{}-x7q"
_REF_MARK_RE = re.compile(r"^irsalint-ref-(\d+)-x7q$")
_YAML_UNKNOWN_MARK = "irsalint-unknown-x7q"
# kubernetes_default_service_account(_v1) manages the namespace's existing `default` ServiceAccount.
DEFAULT_SA_RESOURCES = ("kubernetes_default_service_account", "kubernetes_default_service_account_v1")
SA_RESOURCES = ("kubernetes_service_account", "kubernetes_service_account_v1", *DEFAULT_SA_RESOURCES)
ATTACHMENT_RESOURCES = ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policy")


@dataclass(frozen=True, slots=True)
class PodIdentityAssociation:
    id: str
    cluster_name: Str
    namespace: Str
    service_account: Str
    role: Str | RoleRef
    loc: Location
    namespace_loc: Location


@dataclass(frozen=True, slots=True)
class TerraformFacts:
    roles: tuple[IamRole, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    service_accounts: tuple[ServiceAccount, ...] = ()
    associations: tuple[PodIdentityAssociation, ...] = ()
    # role id -> where the role is used outside its own definition and policy attachments
    role_uses: dict[str, tuple[Location, ...]] = field(default_factory=dict)
    # literal strings anywhere in Terraform that contain ":role/" (ARNs written by hand)
    role_arn_literals: tuple[str, ...] = ()
    helm_releases: tuple[HelmRelease, ...] = ()


@dataclass(frozen=True, slots=True)
class HelmRelease:
    """A helm_release of a chart in this repository: its values files land in `namespace`."""

    address: str
    chart_dir: str  # repository-relative, normalised
    namespace: Str
    loc: Location


@functools.lru_cache(maxsize=1)
def v5_module_policies() -> dict[str, list[dict[str, Any]]]:
    """flag -> statements the v5 IRSA module generates from resource variables (shipped data)."""
    text = resources.files("irsalint").joinpath("data/irsa_module_v5_policies.json").read_text("utf-8")
    policies: dict[str, list[dict[str, Any]]] = json.loads(text)["policies"]
    return policies


def module_kind(source: Str) -> str | None:
    if not isinstance(source, str):
        return None
    path = source.split("?", 1)[0].rstrip("/")
    for kind in _PATH_MODULES:
        if path.endswith("/" + kind) or path == kind:
            return kind
    location = path.split("::", 1)[-1].split("://", 1)[-1]
    repo, subdirectory, _ = location.partition("//")
    repo = repo.removesuffix(".git").rstrip("/")
    if not subdirectory and repo.endswith(("aws-ia/eks-blueprints-addon/aws", "/terraform-aws-eks-blueprints-addon")):
        return MODULE_ADDON  # the root module, not one of its subdirectories
    return None


def module_creates_role(kind: str, body: Body, evaluator: Evaluator) -> bool:
    """False only when the module's create flags are known to be off (unknown: it may create it)."""
    for flag, default in _CREATE_FLAGS.get(kind, ()):
        attribute = body.attr(flag)
        value = default if attribute is None else evaluator.eval(attribute.expr)
        if value is False:
            return False
    return True


def build_scopes(files: Sequence[TfFile]) -> dict[str, Scope]:
    scopes: dict[str, Scope] = {}
    for tf in sorted(files, key=lambda f: f.path):
        directory = posixpath.dirname(tf.path)
        scope = scopes.setdefault(directory, Scope(directory))
        if tf.is_tfvars:
            name = posixpath.basename(tf.path)
            if name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json")):
                for attribute in tf.body.attributes:
                    scope.tfvars[attribute.name] = attribute.expr
            continue
        for block in tf.body.blocks:
            if block.type == "variable" and block.labels:
                default = block.body.expr("default")
                if default is not None:
                    scope.variables[block.labels[0]] = default
            elif block.type == "locals":
                for attribute in block.body.attributes:
                    scope.locals[attribute.name] = attribute.expr
            elif block.type == "resource" and len(block.labels) >= 2:
                scope.resources[(block.labels[0], block.labels[1])] = block
            elif block.type == "data" and len(block.labels) >= 2:
                scope.data[(block.labels[0], block.labels[1])] = block
            elif block.type == "module" and block.labels:
                scope.modules[block.labels[0]] = block
    for scope in scopes.values():
        evaluator = Evaluator(scope)
        for (kind, name) in scope.resources:
            if kind == "aws_iam_role":
                scope.role_ids[f"aws_iam_role.{name}"] = _node_id(scope, f"aws_iam_role.{name}")
            elif kind == "aws_iam_policy":
                scope.policy_ids[f"aws_iam_policy.{name}"] = _node_id(scope, f"aws_iam_policy.{name}")
        for name, block in scope.modules.items():
            module = module_kind(evaluator.eval_str(block.body.expr("source")))
            if module is not None and module_creates_role(module, block.body, evaluator):
                scope.role_ids[f"module.{name}"] = _node_id(scope, f"module.{name}")
    return scopes


def _node_id(scope: Scope, address: str) -> str:
    return f"tf:{address}@{scope.directory or '.'}"


def build_terraform_facts(files: Sequence[TfFile], base: str | None = None) -> TerraformFacts:
    """`base`: the directory the files' paths are relative to (default: the working directory);
    templates named by `templatefile()` are read below it, never outside."""
    scopes = build_scopes(files)
    base_real = os.path.realpath(base if base is not None else os.getcwd())
    roles: list[IamRole] = []
    policies: list[ManagedPolicy] = []
    attachments: list[Attachment] = []
    inline: list[InlinePolicy] = []
    sas: list[ServiceAccount] = []
    associations: list[PodIdentityAssociation] = []
    releases: list[HelmRelease] = []
    for directory in sorted(scopes):
        scope = scopes[directory]
        builder = _ScopeBuilder(scope, template_reader(base_real, directory))
        roles.extend(builder.roles())
        policies.extend(builder.policies())
        attachments.extend(builder.attachments())
        inline.extend(builder.inline_policies())
        sas.extend(builder.service_accounts())
        associations.extend(builder.associations())
        releases.extend(builder.local_chart_releases())
    uses, literals = _role_uses(files, scopes)
    return TerraformFacts(
        roles=tuple(roles),
        policies=tuple(policies),
        attachments=tuple(attachments),
        inline_policies=tuple(inline),
        service_accounts=tuple(sas),
        associations=tuple(associations),
        role_uses=uses,
        role_arn_literals=literals,
        helm_releases=tuple(releases),
    )


def template_reader(base_real: str, directory: str) -> FileReader:
    """Read a file named relative to a module directory: only regular files inside `base_real`
    (after resolving `..` and symlinks), at most MAX_TEMPLATE_BYTES, UTF-8."""

    def read(name: str) -> tuple[str, str] | None:
        if not name or "\x00" in name or os.path.isabs(name) or posixpath.isabs(directory):
            return None
        rel = posixpath.normpath(posixpath.join(directory, name))
        if rel == ".." or rel.startswith("../"):
            return None
        full = os.path.realpath(os.path.join(base_real, rel))
        try:
            if os.path.commonpath([full, base_real]) != base_real:
                return None
            if not os.path.isfile(full) or os.path.getsize(full) > MAX_TEMPLATE_BYTES:
                return None
            with open(full, "rb") as handle:
                data = handle.read(MAX_TEMPLATE_BYTES + 1)
        except (OSError, ValueError):
            return None
        if len(data) > MAX_TEMPLATE_BYTES:
            return None
        try:
            return rel, data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    return read


@dataclass(frozen=True, slots=True)
class _HelmSet:
    """One helm value set by `set` (v2 block / v3 list entry) or by a module input."""

    path: tuple[str, ...]
    value: Any  # str | RoleRef | UNKNOWN | ...
    loc: Location


def helm_path(name: str) -> tuple[str, ...] | None:
    """`controller.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn` -> its keys
    (Helm `--set` syntax: `\\.` is a literal dot); None for list indexes we do not model."""
    segments: list[str] = []
    current: list[str] = []
    escaped = False
    for char in name:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            segments.append("".join(current))
            current = []
        elif char in "[]":
            return None
        else:
            current.append(char)
    segments.append("".join(current))
    return tuple(segments) if all(segments) else None


class _ScopeBuilder:
    def __init__(self, scope: Scope, read_file: FileReader | None = None) -> None:
        self.scope = scope
        self.evaluator = Evaluator(scope)
        self.reader = DocumentReader(self.evaluator, read_file)

    def eval(self, expr: Expr | None) -> Any:
        return self.evaluator.eval(expr)

    def known(self, body: Body, name: str, default: Str = UNKNOWN) -> Str:
        """A string attribute; `default` when absent, null or empty."""
        value = self.text(body, name)
        return default if value is None or value == "" else value

    def text(self, body: Body, name: str, default: Str | None = None) -> Str | None:
        attribute = body.attr(name)
        if attribute is None:
            return default
        value = self.eval(attribute.expr)
        if value is None:
            return default
        return value if isinstance(value, str) else UNKNOWN

    # roles

    def roles(self) -> Iterator[IamRole]:
        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind == "aws_iam_role":
                yield self.with_boundary(self.raw_role(name, block), block, "permissions_boundary")
        for name, block in sorted(self.scope.modules.items()):
            module = module_kind(self.evaluator.eval_str(block.body.expr("source")))
            if module is None or f"module.{name}" not in self.scope.role_ids:
                continue
            if module in (MODULE_V5, MODULE_V6):
                role = self.module_role(name, block, module)
            elif module == MODULE_OIDC:
                role = self.oidc_module_role(name, block)
            elif module == MODULE_EKS_ROLE:
                role = self.eks_module_role(name, block)
            elif module == MODULE_ROLE:
                role = self.v6_role_module_role(name, block)
            elif module == MODULE_ADDON:
                role = self.addon_module_role(name, block)
            else:
                continue
            # v5 modules and the blueprints addon call it role_permissions_boundary_arn; v6 modules
            # permissions_boundary
            yield self.with_boundary(role, block, "role_permissions_boundary_arn", "permissions_boundary")

    def with_boundary(self, role: IamRole, block: Block, *attributes: str) -> IamRole:
        for attribute in attributes:
            found = block.body.attr(attribute)
            if found is not None:
                value = self.eval(found.expr)
                if value is None:
                    return role  # null: no boundary
                return replace(role, permissions_boundary=Value(value if isinstance(value, str) else UNKNOWN, found.loc))
        return role

    def raw_role(self, name: str, block: Block) -> IamRole:
        body = block.body
        address = f"aws_iam_role.{name}"
        role_name, is_prefix = self.text(body, "name"), False
        if role_name is None:
            prefix = self.text(body, "name_prefix")
            role_name, is_prefix = (prefix, True) if prefix is not None else (UNKNOWN, False)
        trust_attr = body.attr("assume_role_policy")
        trust = self.reader.read(trust_attr.expr, trust_attr.loc) if trust_attr else None
        related: tuple[Location, ...] = ()
        if trust is not None and trust.loc.line != (trust_attr.loc.line if trust_attr else 0):
            related = (trust.loc,)
        inline = []
        for inline_block in body.blocks_of("inline_policy"):
            policy_attr = inline_block.body.attr("policy")
            if policy_attr is not None:
                document = self.reader.read(policy_attr.expr, policy_attr.loc)
                if document is not None:
                    inline.append(document)
        return IamRole(
            id=self.scope.role_ids[address],
            address=address,
            kind="aws_iam_role",
            name=role_name,
            name_is_prefix=is_prefix,
            path=self.known(body, "path", "/"),
            account=UNKNOWN,
            trust=trust,
            trust_loc=trust_attr.loc if trust_attr else block.loc,
            loc=block.loc,
            inline_policies=tuple(inline),
            managed_policy_arns=self.value_items(body.attr("managed_policy_arns")),
            related=related,
        )

    def value_items(self, attribute: Attribute | None) -> tuple[Value, ...]:
        """Elements of a list or values of a map attribute, each with its own position if literal."""
        if attribute is None:
            return ()
        expr = self.evaluator.resolve_expr(attribute.expr)
        if isinstance(expr, TupleExpr):
            return tuple(Value(self.eval(item), item.loc) for item in expr.items)
        if isinstance(expr, ObjectExpr):
            return tuple(Value(self.eval(item.value), item.loc) for item in expr.items)
        value = self.eval(attribute.expr)
        if isinstance(value, tuple):
            return tuple(Value(v, attribute.loc) for v in value)
        if isinstance(value, dict):
            return tuple(Value(v, attribute.loc) for v in value.values())
        return (Value(UNKNOWN, attribute.loc),)

    def module_role(self, name: str, block: Block, kind: str) -> IamRole:
        body = block.body
        address = f"module.{name}"
        if kind == MODULE_V5:
            role_name = self.text(body, "role_name")
            is_prefix = False
            if role_name is None:
                prefix = self.text(body, "role_name_prefix")
                role_name, is_prefix = (prefix, True) if prefix is not None else (UNKNOWN, False)
            path = self.known(body, "role_path", "/")
            test_attr = body.attr("assume_role_condition_test")
            policy_attr = body.attr("role_policy_arns")
        else:
            base = self.text(body, "name")
            use_prefix = self.eval(body.expr("use_name_prefix")) if body.attr("use_name_prefix") else True
            if use_prefix is True:
                role_name, is_prefix = (base + "-" if isinstance(base, str) else UNKNOWN), True
            elif use_prefix is False:
                role_name, is_prefix = (base if base is not None else UNKNOWN), False
            else:
                role_name, is_prefix = UNKNOWN, False
            path = self.known(body, "path", "/")
            test_attr = body.attr("trust_condition_test")
            policy_attr = body.attr("policies")
        test = self.condition_test(test_attr)
        trust, trust_loc = self.module_trust(body, test, test_attr)
        generated = self.module_v5_policies(address, body) if kind == MODULE_V5 else ()
        return IamRole(
            id=self.scope.role_ids[address],
            address=address,
            kind=f"module:{kind}",
            name=role_name if role_name is not None else UNKNOWN,
            name_is_prefix=is_prefix,
            path=path,
            account=UNKNOWN,
            trust=trust,
            trust_loc=trust_loc,
            loc=block.loc,
            inline_policies=generated,
            managed_policy_arns=self.value_items(policy_attr),
        )

    # --- other role modules: trusts synthesised as the module's own policy document renders them

    def v5_name(self, body: Body) -> tuple[Str, bool]:
        """v5 modules: `role_name`, else `role_name_prefix` (a prefix)."""
        role_name = self.text(body, "role_name")
        if role_name is not None:
            return role_name, False
        prefix = self.text(body, "role_name_prefix")
        return (prefix, True) if prefix is not None else (UNKNOWN, False)

    def prefixed_name(self, base: Str | None, use_prefix: Any) -> tuple[Str, bool]:
        """v6-style naming: `use_name_prefix` (default true) renders `name_prefix = "${name}-"`."""
        if use_prefix is True:
            return (base + "-" if isinstance(base, str) else UNKNOWN), True
        if use_prefix is False:
            return (base if base is not None else UNKNOWN), False
        return UNKNOWN, False

    def flag(self, body: Body, name: str, default: bool) -> Any:
        attribute = body.attr(name)
        return default if attribute is None else self.eval(attribute.expr)

    def string_list(self, attribute: Attribute) -> ValueList:
        """A list (or set) of strings, each element at its own line when written literally."""
        expr = self.evaluator.resolve_expr(attribute.expr)
        if isinstance(expr, Call) and expr.name in ("toset", "tolist", "distinct", "compact") and len(expr.args) == 1:
            expr = self.evaluator.resolve_expr(expr.args[0])
        if isinstance(expr, TupleExpr) and expr.loc.path == attribute.loc.path:
            values: list[Value] = []
            complete = True
            for item in expr.items:
                value = self.eval(item)
                if isinstance(value, tuple):
                    values.extend(Value(v, item.loc) for v in value)
                elif value is UNKNOWN and not isinstance(item, Template):
                    complete = False  # could be a whole list
                else:
                    values.append(Value(value, item.loc))
            return ValueList(tuple(values), complete, attribute.loc)
        value = self.eval(attribute.expr)
        if isinstance(value, tuple):
            return ValueList(tuple(Value(v, attribute.loc) for v in value), True, attribute.loc)
        return ValueList((), False, attribute.loc)

    def provider_urls(self, body: Body, *names: str) -> tuple[list[Value], bool]:
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
                values = ValueList((Value(self.eval(attribute.expr), attribute.loc),), True, attribute.loc)
            else:
                values = self.string_list(attribute)
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

    @staticmethod
    def provider_principal(url: Value, account: Str) -> Value:
        """The Federated principal the modules render: partition (and maybe account) from data
        sources, so they stay placeholders; the issuer part is known."""
        if not isinstance(url.value, str):
            return Value(UNKNOWN, url.loc)
        account_text = account if isinstance(account, str) else "${account_id}"
        return Value(f"arn:${{partition}}:iam::{account_text}:oidc-provider/{url.value}", url.loc)

    @staticmethod
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

    def claim_conditions(
        self, body: Body, url: Value, specs: Sequence[tuple[str, str, str]]
    ) -> list[Condition]:
        """One condition per (attribute, operator, claim) whose list is not known to be empty
        (the modules render `dynamic "condition"` blocks only for non-empty lists)."""
        conditions: list[Condition] = []
        for attribute_name, operator, claim in specs:
            attribute = body.attr(attribute_name)
            if attribute is None:
                continue
            values = self.string_list(attribute)
            if values.complete and not values.values:
                continue
            key: Str = f"{url.value}:{claim}" if isinstance(url.value, str) else UNKNOWN
            conditions.append(make_condition(operator, key, ":" + claim, values, attribute.loc))
        return conditions

    def first_loc(self, body: Body, names: Sequence[str], default: Location) -> Location:
        for name in names:
            attribute = body.attr(name)
            if attribute is not None:
                return attribute.loc
        return default

    def oidc_module_role(self, name: str, block: Block) -> IamRole:
        """v5 `iam-assumable-role-with-oidc`: one statement per provider URL; `:sub` conditions
        only for non-empty subject lists (none: any ServiceAccount may assume the role)."""
        body = block.body
        address = f"module.{name}"
        role_name, is_prefix = self.v5_name(body)
        urls, complete = self.provider_urls(body, "provider_urls", "provider_url")
        account = self.known(body, "aws_account_id")
        specs = (
            ("oidc_fully_qualified_subjects", "StringEquals", "sub"),
            ("oidc_subjects_with_wildcards", "StringLike", "sub"),
            ("oidc_fully_qualified_audiences", "StringLike", "aud"),
        )
        statements = [
            self.web_statement(self.provider_principal(url, account), self.claim_conditions(body, url, specs), block.loc)
            for url in urls
        ]
        return self.module_role_record(
            address, MODULE_OIDC, block, (role_name, is_prefix), "role_path",
            (statements, complete), self.first_loc(body, ("oidc_fully_qualified_subjects", "oidc_subjects_with_wildcards"), block.loc), "role_policy_arns",
        )

    def condition_test(self, attribute: Attribute | None) -> Str:
        """The modules' `*_condition_test` input: StringEquals unless set."""
        return "StringEquals" if attribute is None else self.evaluator.eval_str(attribute.expr)

    def module_role_record(
        self,
        address: str,
        module: str,
        block: Block,
        name: tuple[Str, bool],
        path_attribute: str,
        trust: tuple[Sequence[Statement], bool],
        trust_loc: Location,
        policies_attribute: str,
    ) -> IamRole:
        """The IamRole of a module whose trust we synthesised (statements, and whether complete)."""
        statements, complete = trust
        return IamRole(
            id=self.scope.role_ids[address],
            address=address,
            kind=f"module:{module}",
            name=name[0],
            name_is_prefix=name[1],
            path=self.known(block.body, path_attribute, "/"),
            account=UNKNOWN,
            trust=PolicyDocument(tuple(statements), complete, block.loc),
            trust_loc=trust_loc,
            loc=block.loc,
            managed_policy_arns=self.value_items(block.body.attr(policies_attribute)),
        )

    def eks_module_role(self, name: str, block: Block) -> IamRole:
        """v5 `iam-eks-role`: one statement per `cluster_service_accounts` cluster; the issuer comes
        from `data.aws_eks_cluster` (unknown); a `:sub` condition only (the module sets no `:aud`)."""
        body = block.body
        address = f"module.{name}"
        role_name, is_prefix = self.v5_name(body)
        test_attr = body.attr("assume_role_condition_test")
        test = self.condition_test(test_attr)
        accounts_attr = body.attr("cluster_service_accounts")
        statements: list[Statement] = []
        complete = True
        trust_loc = block.loc
        if accounts_attr is not None:
            clusters = self.evaluator.resolve_expr(accounts_attr.expr)
            trust_loc = accounts_attr.loc
            if isinstance(clusters, ObjectExpr):
                for item in clusters.items:
                    subjects = self.subject_values(item.value, item.loc)
                    condition = make_condition(test, UNKNOWN, ":sub", subjects, item.loc)
                    statements.append(self.web_statement(Value(UNKNOWN, item.loc), (condition,), item.loc))
            else:
                complete = False
        return self.module_role_record(
            address, MODULE_EKS_ROLE, block, (role_name, is_prefix), "role_path",
            (statements, complete), trust_loc, "role_policy_arns",
        )

    def v6_role_module_role(self, name: str, block: Block) -> IamRole:
        """v6 `iam-role`: with `enable_oidc`, one statement per `oidc_provider_urls` entry with
        `:sub` conditions from `oidc_subjects` (StringEquals) / `oidc_wildcard_subjects`
        (StringLike), `:aud` from `oidc_audiences`, plus `trust_policy_conditions`."""
        body = block.body
        address = f"module.{name}"
        role_name, is_prefix = self.prefixed_name(self.text(body, "name"), self.flag(body, "use_name_prefix", True))
        complete = True
        statements: list[Statement] = []
        enable = self.flag(body, "enable_oidc", False)
        if enable is not False:
            complete = enable is True
            urls, urls_complete = self.provider_urls(body, "oidc_provider_urls")
            complete = complete and urls_complete
            account = self.known(body, "oidc_account_id")
            extra, extra_complete = self.generic_conditions(body.attr("trust_policy_conditions"))
            specs = (
                ("oidc_subjects", "StringEquals", "sub"),
                ("oidc_wildcard_subjects", "StringLike", "sub"),
                ("oidc_audiences", "StringEquals", "aud"),
            )
            for url in urls:
                conditions = [*self.claim_conditions(body, url, specs), *extra]
                statements.append(
                    self.web_statement(
                        self.provider_principal(url, account),
                        conditions,
                        block.loc,
                        conditions_complete=extra_complete,
                        actions=("sts:TagSession", WEB_IDENTITY_ACTION),
                    )
                )
        for other in ("source_trust_policy_documents", "override_trust_policy_documents", "trust_policy_permissions"):
            attribute = body.attr(other)
            if attribute is not None and self.eval(attribute.expr) not in (None, (), {}):
                complete = False  # further statements we do not read
        if self.flag(body, "enable_bitbucket_oidc", False) is not False:
            complete = False  # its subjects are the same lists, under another issuer
        return self.module_role_record(
            address, MODULE_ROLE, block, (role_name, is_prefix), "path",
            (statements, complete), self.first_loc(body, ("oidc_subjects", "oidc_wildcard_subjects"), block.loc), "policies",
        )

    def generic_conditions(self, attribute: Attribute | None) -> tuple[list[Condition], bool]:
        """v6 `trust_policy_conditions`: a list of {test, variable, values}."""
        if attribute is None:
            return [], True
        value = self.eval(attribute.expr)
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

    def addon_namespace(self, body: Body) -> Str:
        return self.known(body, "namespace", "default")

    def addon_module_role(self, name: str, block: Block) -> IamRole:
        """aws-ia `eks-blueprints-addon`: one statement per `oidc_providers` entry admitting
        `system:serviceaccount:<namespace>:<service_account>`, `:aud` sts; name from `role_name`
        (else the addon `name`), a prefix unless `role_name_use_prefix = false`."""
        body = block.body
        address = f"module.{name}"
        base = self.text(body, "role_name")
        if base is None or base == "":
            base = self.text(body, "name")
        role_name, is_prefix = self.prefixed_name(
            base if base != "" else None, self.flag(body, "role_name_use_prefix", True)
        )
        test_attr = body.attr("assume_role_condition_test")
        test = self.condition_test(test_attr)
        namespace = self.addon_namespace(body)
        providers_attr = body.attr("oidc_providers")
        statements: list[Statement] = []
        complete = True
        trust_loc = block.loc
        if providers_attr is not None:
            providers = self.evaluator.resolve_expr(providers_attr.expr)
            trust_loc = providers_attr.loc
            if isinstance(providers, ObjectExpr):
                for item in providers.items:
                    entry = self.evaluator.resolve_expr(item.value)
                    if not isinstance(entry, ObjectExpr):
                        complete = False
                        continue
                    fields = {self.evaluator.eval(i.key): i for i in entry.items}
                    provider_item = fields.get("provider_arn")
                    account_item = fields.get("service_account")
                    namespace_item = fields.get("namespace")
                    provider_arn = self.eval(provider_item.value) if provider_item else UNKNOWN
                    provider_loc = provider_item.loc if provider_item else item.loc
                    issuer: Str = UNKNOWN
                    if isinstance(provider_arn, str):
                        issuer = oidc_issuer_of_provider_arn(provider_arn) or UNKNOWN
                    sa_name = self.eval(account_item.value) if account_item else UNKNOWN
                    sa_namespace = self.eval(namespace_item.value) if namespace_item else namespace
                    subject_loc = account_item.loc if account_item else item.loc
                    subject: Str = UNKNOWN
                    if isinstance(sa_name, str) and isinstance(sa_namespace, str):
                        subject = f"system:serviceaccount:{sa_namespace}:{sa_name}"
                    trust_loc = subject_loc
                    aud_loc = test_attr.loc if test_attr is not None else provider_loc
                    conditions = (
                        make_condition(
                            test,
                            f"{issuer}:sub" if isinstance(issuer, str) else UNKNOWN,
                            ":sub",
                            ValueList((Value(subject, subject_loc),), True, subject_loc),
                            subject_loc,
                        ),
                        make_condition(
                            test,
                            f"{issuer}:aud" if isinstance(issuer, str) else UNKNOWN,
                            ":aud",
                            ValueList((Value(STS_AUDIENCE, aud_loc),), True, aud_loc),
                            aud_loc,
                        ),
                    )
                    statements.append(self.web_statement(Value(provider_arn, provider_loc), conditions, item.loc))
            else:
                complete = False
        return self.module_role_record(
            address, MODULE_ADDON, block, (role_name, is_prefix), "role_path",
            (statements, complete), trust_loc, "role_policies",
        )

    def module_v5_policies(self, address: str, body: Body) -> tuple[PolicyDocument, ...]:
        """The policies the v5 module renders for `attach_*_policy = true` whose resources come
        from a variable left at a wildcard default (or set to a wildcard): one document per flag,
        located at the flag (or at the variable when it is set)."""
        from irsalint.checks.policy import is_wildcard_resource  # late: checks import the graph

        documents: list[PolicyDocument] = []
        for flag, entries in v5_module_policies().items():
            flag_attr = body.attr(flag)
            if flag_attr is None or self.eval(flag_attr.expr) is not True:
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
                    items = self.value_items(variable_attr)
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

    def module_trust(
        self, body: Body, test: Str, test_attr: Attribute | None
    ) -> tuple[PolicyDocument | None, Location]:
        """The trust the IRSA modules render: one statement per `oidc_providers` entry, with a
        `:sub` condition over `namespace_service_accounts` and an `:aud` one for STS."""
        providers_attr = body.attr("oidc_providers")
        if providers_attr is None:
            return PolicyDocument((), True, Location("", 0)), Location("", 0)
        providers = self.evaluator.resolve_expr(providers_attr.expr)
        if not isinstance(providers, ObjectExpr):
            return PolicyDocument((), False, providers_attr.loc), providers_attr.loc
        statements: list[Statement] = []
        trust_loc = providers_attr.loc
        for item in providers.items:
            entry = self.evaluator.resolve_expr(item.value)
            if not isinstance(entry, ObjectExpr):
                return PolicyDocument(tuple(statements), False, providers_attr.loc), trust_loc
            fields = {self.evaluator.eval(i.key): i for i in entry.items}
            provider_item = fields.get("provider_arn")
            subjects_item = fields.get("namespace_service_accounts")
            provider_arn = self.eval(provider_item.value) if provider_item else UNKNOWN
            provider_loc = provider_item.loc if provider_item else item.loc
            issuer: Str = UNKNOWN
            if isinstance(provider_arn, str):
                issuer = oidc_issuer_of_provider_arn(provider_arn) or UNKNOWN
            subjects_loc = subjects_item.loc if subjects_item else item.loc
            trust_loc = subjects_loc
            subjects = self.subject_values(subjects_item.value if subjects_item else None, subjects_loc)
            key_sub: Str = f"{issuer}:sub" if isinstance(issuer, str) else UNKNOWN
            key_aud: Str = f"{issuer}:aud" if isinstance(issuer, str) else UNKNOWN
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
                    conditions=(
                        make_condition(test, key_sub, ":sub", subjects, subjects_loc),
                        make_condition(
                            test, key_aud, ":aud", ValueList((Value(STS_AUDIENCE, aud_loc),), True, aud_loc), aud_loc
                        ),
                    ),
                    conditions_complete=True,
                    loc=item.loc,
                )
            )
        return PolicyDocument(tuple(statements), True, providers_attr.loc), trust_loc

    def subject_values(self, expr: Expr | None, loc: Location) -> ValueList:
        """namespace_service_accounts ["ns:sa", ...] -> "system:serviceaccount:ns:sa" values."""
        resolved = self.evaluator.resolve_expr(expr)
        items: list[tuple[Any, Location]]
        if isinstance(resolved, TupleExpr) and resolved.loc.path == loc.path:
            items = [(self.eval(i), i.loc) for i in resolved.items]
        else:
            value = self.eval(expr)
            if not isinstance(value, tuple):
                return ValueList((), False, loc)
            items = [(v, loc) for v in value]
        values = tuple(
            Value(f"system:serviceaccount:{v}" if isinstance(v, str) else UNKNOWN, item_loc) for v, item_loc in items
        )
        return ValueList(values, True, loc)

    # policies and attachments

    def policies(self) -> Iterator[ManagedPolicy]:
        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind != "aws_iam_policy":
                continue
            address = f"aws_iam_policy.{name}"
            policy_attr = block.body.attr("policy")
            document = self.reader.read(policy_attr.expr, policy_attr.loc) if policy_attr else None
            yield ManagedPolicy(
                id=self.scope.policy_ids[address],
                address=address,
                name=self.known(block.body, "name"),
                document=document,
                loc=block.loc,
            )

    def role_target(self, expr: Expr | None) -> Str | RoleRef:
        value = self.eval(expr)
        if isinstance(value, (str, RoleRef)):
            return value
        return UNKNOWN

    def attachments(self) -> Iterator[Attachment]:
        for (kind, _name), block in sorted(self.scope.resources.items()):
            body = block.body
            if kind not in ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment"):
                continue
            policy_attr = body.attr("policy_arn")
            policy = Value(self.eval(policy_attr.expr) if policy_attr else UNKNOWN, policy_attr.loc if policy_attr else block.loc)
            if kind == "aws_iam_role_policy_attachment":
                yield Attachment(self.role_target(body.expr("role")), policy, block.loc)
                continue
            roles_attr = body.attr("roles")
            roles = self.evaluator.resolve_expr(roles_attr.expr) if roles_attr else None
            if isinstance(roles, TupleExpr):
                for item in roles.items:
                    yield Attachment(self.role_target(item), policy, block.loc)

    def inline_policies(self) -> Iterator[InlinePolicy]:
        for (kind, _name), block in sorted(self.scope.resources.items()):
            if kind != "aws_iam_role_policy":
                continue
            policy_attr = block.body.attr("policy")
            document = self.reader.read(policy_attr.expr, policy_attr.loc) if policy_attr else None
            yield InlinePolicy(self.role_target(block.body.expr("role")), document, block.loc)

    # Kubernetes objects declared in Terraform

    def service_accounts(self) -> Iterator[ServiceAccount]:
        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind not in SA_RESOURCES:
                continue
            metadata = next(iter(block.body.blocks_of("metadata")), None)
            meta_body = metadata.body if metadata else Body((), ())
            sa_name = "default" if kind in DEFAULT_SA_RESOURCES else self.known(meta_body, "name")
            namespace = self.known(meta_body, "namespace", "default")
            automount_attr = block.body.attr("automount_service_account_token")
            automount_value = self.eval(automount_attr.expr) if automount_attr else None
            name_attr = meta_body.attr("name")
            yield ServiceAccount(
                id=_node_id(self.scope, f"{kind}.{name}"),
                name=sa_name,
                namespace=namespace,
                annotations=self.annotations(meta_body.attr("annotations")),
                automount=automount_value if isinstance(automount_value, bool) else None,
                automount_loc=automount_attr.loc if automount_attr else None,
                name_loc=name_attr.loc if name_attr else block.loc,
                origin="terraform",
                labels=self.annotations(meta_body.attr("labels")),
            )

        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind == "helm_release":
                yield from self.helm_service_accounts(
                    f"helm_release.{name}",
                    self.known(block.body, "namespace", "default"),
                    self.helm_values(block.body.attr("values")),
                    self.helm_sets(block.body),
                    block.loc,
                )
        for name, block in sorted(self.scope.modules.items()):
            if module_kind(self.evaluator.eval_str(block.body.expr("source"))) == MODULE_ADDON:
                yield from self.addon_service_accounts(name, block)

    # --- helm releases: the ServiceAccounts their charts create, as far as the values tell

    def local_chart_releases(self) -> Iterator[HelmRelease]:
        """helm_release of a chart kept in the repository (`chart = "./charts/x"` or
        "${path.module}/charts/x"): that chart's values files are deployed in its namespace."""
        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind != "helm_release":
                continue
            chart_expr = block.body.expr("chart")
            chart = self.evaluator.eval_str(chart_expr)
            if not isinstance(chart, str) and isinstance(chart_expr, Template):
                parts = chart_expr.parts
                if (len(parts) == 2 and isinstance(parts[1], str) and isinstance(parts[0], Traversal)
                        and parts[0].root == "path" and parts[0].steps == ("module",)):
                    chart = "." + parts[1]  # "${path.module}/charts/x"
            if not isinstance(chart, str) or not chart.startswith(("./", "../")):
                continue  # a chart from a repository, not in the scan
            chart_dir = posixpath.normpath(posixpath.join(self.scope.directory, chart))
            if chart_dir.startswith(".."):
                continue
            yield HelmRelease(f"helm_release.{name}", chart_dir, self.known(block.body, "namespace", "default"), block.loc)

    def helm_sets(self, body: Body) -> list[_HelmSet]:
        """`set { name, value }` blocks (helm provider v2) and `set = [{ name, value }]` (v3)."""
        sets: list[_HelmSet] = []
        for set_block in body.blocks_of("set"):
            sets.extend(self.helm_set_entry(set_block.body.expr("name"), set_block.body.expr("value"), set_block.loc))
        attribute = body.attr("set")
        if attribute is not None:
            sets.extend(self.helm_set_list(attribute.expr, 0))
        return sets

    def helm_set_list(self, expr: Expr | None, depth: int) -> Iterator[_HelmSet]:
        expr = self.evaluator.resolve_expr(expr)
        if depth > 8:
            return
        if isinstance(expr, Call) and expr.name in ("concat", "tolist", "flatten"):
            for arg in expr.args:
                yield from self.helm_set_list(arg, depth + 1)
        elif isinstance(expr, TupleExpr):
            for item in expr.items:
                entry = self.evaluator.resolve_expr(item)
                if isinstance(entry, ObjectExpr):
                    fields = {self.evaluator.eval(i.key): i.value for i in entry.items}
                    yield from self.helm_set_entry(fields.get("name"), fields.get("value"), entry.loc)
                elif isinstance(entry, TupleExpr):
                    yield from self.helm_set_list(entry, depth + 1)

    def helm_set_entry(self, name_expr: Expr | None, value_expr: Expr | None, loc: Location) -> Iterator[_HelmSet]:
        name = self.eval(name_expr)
        path = helm_path(name) if isinstance(name, str) else None
        if path is not None:
            yield _HelmSet(path, self.eval(value_expr) if value_expr is not None else UNKNOWN, loc)

    def helm_values(self, attribute: Attribute | None) -> list[LNode]:
        """`values = [yamlencode({...}), <<-EOT ... EOT]`: each document as a positioned tree."""
        if attribute is None:
            return []
        expr = self.evaluator.resolve_expr(attribute.expr)
        if not isinstance(expr, TupleExpr):
            return []
        trees: list[LNode] = []
        for raw in expr.items:
            item = self.evaluator.resolve_expr(raw)
            if isinstance(item, Call) and item.name in ("yamlencode", "jsonencode") and len(item.args) == 1:
                trees.append(from_expr(item.args[0], self.evaluator, item.loc))
            elif isinstance(item, Template):
                tree = self.yaml_template(item)
                if tree is not None:
                    trees.append(tree)
            elif isinstance(item, Call) and item.name in ("file", "templatefile") and item.args:
                tree = self.yaml_file(item)
                if tree is not None:
                    trees.append(tree)
        return trees

    def yaml_file(self, expr: Call) -> LNode | None:
        """`file("values.yaml")` / `templatefile("values.yaml.tpl", {...})` next to the code."""
        read_file = self.reader.read_file
        name = self.reader.file_name(expr.args[0])
        loaded = read_file(name) if read_file is not None and name is not None else None
        if loaded is None:
            return None
        path, text = loaded
        refs: list[RoleRef] = []
        if expr.name == "templatefile":
            value = self.eval(expr.args[1]) if len(expr.args) >= 2 else {}
            variables: dict[str, Any] | None = None
            if isinstance(value, dict):
                variables = {}
                for key, item in value.items():
                    if isinstance(item, RoleRef):
                        variables[key] = _REF_MARK.format(len(refs))
                        refs.append(item)
                    else:
                        variables[key] = item if to_template_string(item) is not None else _YAML_UNKNOWN_MARK
            rendered = render_template_file(text, variables)
            if rendered is None:
                return None
            text = rendered.replace(UNKNOWN_TEXT_MARK, _YAML_UNKNOWN_MARK)
        tree = from_json_text(text, 1, path, None)
        return _with_refs(tree, refs, 0) if tree is not None else None

    def yaml_template(self, expr: Template) -> LNode | None:
        """A YAML values string; interpolated role references survive as RoleRef values."""
        refs: list[RoleRef] = []
        pieces: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self.eval(part)
            if isinstance(value, RoleRef):
                pieces.append(_REF_MARK.format(len(refs)))
                refs.append(value)
            elif isinstance(value, str):
                pieces.append(value)
            else:
                pieces.append(_YAML_UNKNOWN_MARK)
        text = "".join(pieces)
        if expr.heredoc:
            tree = from_json_text(text, expr.body_line, expr.loc.path, None)
        else:
            tree = from_json_text(text, expr.loc.line, expr.loc.path, expr.loc)
        return _with_refs(tree, refs, 0) if tree is not None else None

    def helm_service_accounts(
        self, address: str, namespace: Str, trees: Sequence[LNode], sets: Sequence[_HelmSet], loc: Location
    ) -> Iterator[ServiceAccount]:
        """One ServiceAccount per values prefix (`serviceAccount`, `controller.serviceAccount`...)
        carrying a role-arn annotation (unless `serviceAccount.create` is false). Values apply in
        order, then `set` entries win. Without `serviceAccount.name` the chart picks a name we
        cannot know: UNKNOWN."""
        found: dict[tuple[str, ...], dict[str, tuple[Any, Location]]] = {}
        for tree in trees:
            _collect_service_account_values(tree, (), found, 0)
        for entry in sets:
            for index, segment in enumerate(entry.path):
                if segment != "serviceAccount":
                    continue
                rest = entry.path[index + 1 :]
                if rest in (("name",), ("create",)):
                    found.setdefault(entry.path[:index], {})[rest[0]] = (entry.value, entry.loc)
                elif len(rest) == 2 and rest[0] == "annotations":
                    found.setdefault(entry.path[:index], {})["annotation:" + rest[1]] = (entry.value, entry.loc)
        for prefix in sorted(found):
            fields = found[prefix]
            if "annotation:" + ROLE_ARN_KEY not in fields:
                continue
            if fields.get("create", (True, loc))[0] in (False, "false"):
                continue  # the chart renders no ServiceAccount: the annotation lands nowhere
            name_value, name_loc = fields.get("name", (UNKNOWN, loc))
            annotations = tuple(
                Annotation(key.removeprefix("annotation:"), value if isinstance(value, (str, RoleRef)) else UNKNOWN, key_loc)
                for key, (value, key_loc) in sorted(fields.items())
                if key.startswith("annotation:")
            )
            yield ServiceAccount(
                id=_node_id(self.scope, address + (f"[{'.'.join(prefix)}]" if prefix else "")),
                name=name_value if isinstance(name_value, str) and name_value else UNKNOWN,
                namespace=namespace,
                annotations=annotations,
                automount=None,
                automount_loc=None,
                name_loc=name_loc,
                origin="terraform",
            )

    def addon_service_accounts(self, name: str, block: Block) -> Iterator[ServiceAccount]:
        """aws-ia `eks-blueprints-addon`: its helm release, with the role ARN set at every
        `set_irsa_names` path when the module creates the role."""
        body = block.body
        if self.flag(body, "create", True) is False or self.flag(body, "create_release", True) is False:
            return
        address = f"module.{name}"
        sets = list(self.helm_set_list(body.expr("set"), 0)) if body.attr("set") is not None else []
        role_id = self.scope.role_ids.get(address)
        names_attr = body.attr("set_irsa_names")
        if names_attr is not None and role_id is not None:
            for item in self.string_list(names_attr).values:
                path = helm_path(item.value) if isinstance(item.value, str) else None
                if path is not None:
                    sets.append(_HelmSet(path, RoleRef(role_id, "arn"), item.loc))
        yield from self.helm_service_accounts(
            f"{address}.helm_release",
            self.addon_namespace(body),
            self.helm_values(body.attr("values")),
            sets,
            block.loc,
        )

    def annotations(self, attribute: Attribute | None) -> tuple[Annotation, ...]:
        if attribute is None:
            return ()
        expr = self.evaluator.resolve_expr(attribute.expr)
        if not isinstance(expr, ObjectExpr):
            return ()
        result = []
        for item in expr.items:
            key = self.eval(item.key)
            if not isinstance(key, str):
                continue
            value = self.eval(item.value)
            result.append(Annotation(key, value if isinstance(value, (str, RoleRef)) else UNKNOWN, item.loc))
        return tuple(result)

    def associations(self) -> Iterator[PodIdentityAssociation]:
        for (kind, name), block in sorted(self.scope.resources.items()):
            if kind != "aws_eks_pod_identity_association":
                continue
            body = block.body
            namespace_attr = body.attr("namespace")
            yield PodIdentityAssociation(
                id=_node_id(self.scope, f"{kind}.{name}"),
                cluster_name=self.known(body, "cluster_name"),
                namespace=self.known(body, "namespace"),
                service_account=self.known(body, "service_account"),
                role=self.role_target(body.expr("role_arn")),
                loc=block.loc,
                namespace_loc=namespace_attr.loc if namespace_attr else block.loc,
            )


def _with_refs(node: LNode, refs: Sequence[RoleRef], depth: int) -> LNode:
    """Put back the role references a YAML template's markers stand for."""
    if depth > 60:
        return node
    if isinstance(node, LScalar):
        match = _REF_MARK_RE.match(node.value) if isinstance(node.value, str) else None
        if match is not None and int(match.group(1)) < len(refs):
            return LScalar(refs[int(match.group(1))], node.loc)
        if isinstance(node.value, str) and ("-x7q" in node.value and "irsalint-" in node.value):
            return LScalar(UNKNOWN, node.loc)  # unknown, or a reference inside other text
        return node
    if isinstance(node, LList):
        return LList(tuple(_with_refs(i, refs, depth + 1) for i in node.items), node.loc, node.complete)
    return LMap(tuple((k, loc, _with_refs(v, refs, depth + 1)) for k, loc, v in node.items), node.loc, node.complete)


def _collect_service_account_values(
    node: LNode, prefix: tuple[str, ...], found: dict[tuple[str, ...], dict[str, tuple[Any, Location]]], depth: int
) -> None:
    if not isinstance(node, LMap) or depth > 16:
        return
    for key, _key_loc, child in node.items:
        if key == "serviceAccount" and isinstance(child, LMap):
            fields = found.setdefault(prefix, {})
            for field_name, field_loc, value in child.items:
                if field_name in ("name", "create") and isinstance(value, LScalar):
                    fields[field_name] = (value.value, field_loc)
                elif field_name == "annotations" and isinstance(value, LMap):
                    for annotation, annotation_loc, annotation_value in value.items:
                        if isinstance(annotation_value, LScalar):
                            fields["annotation:" + annotation] = (annotation_value.value, annotation_loc)
        _collect_service_account_values(child, (*prefix, key), found, depth + 1)


# --- where roles are used ---------------------------------------------------------------------


def iter_expressions(body: Body) -> Iterator[Expr]:
    for attribute in body.attributes:
        yield attribute.expr
    for block in body.blocks:
        yield from iter_expressions(block.body)


def iter_traversals(expr: Expr) -> Iterator[Traversal]:
    stack: list[Expr] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, Traversal):
            yield current
        elif isinstance(current, Template):
            stack.extend(p for p in current.parts if not isinstance(p, str))
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for item in current.items:
                stack.extend((item.key, item.value))
        elif isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, Opaque):
            yield from current.references


def iter_literals(expr: Expr) -> Iterator[str]:
    stack: list[Expr] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, Template):
            for part in current.parts:
                if isinstance(part, str):
                    yield part
                else:
                    stack.append(part)
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for item in current.items:
                stack.extend((item.key, item.value))
        elif isinstance(current, Call):
            stack.extend(current.args)


def _role_uses(files: Iterable[TfFile], scopes: dict[str, Scope]) -> tuple[dict[str, tuple[Location, ...]], tuple[str, ...]]:
    """References to a role from anywhere but its own block and its policy attachments: an
    `output`, an `aws_eks_addon`, a `helm_release`, another module's input... (SPEC §4.1)."""
    uses: dict[str, list[Location]] = defaultdict(list)
    literals: set[str] = set()
    for tf in files:
        if tf.is_tfvars:
            continue
        scope = scopes.get(posixpath.dirname(tf.path))
        if scope is None:
            continue
        for block in tf.body.blocks:
            own = _own_address(block)
            if block.type == "resource" and block.labels[:1] and block.labels[0] in ATTACHMENT_RESOURCES:
                continue
            for expr in iter_expressions(block.body):
                for literal in iter_literals(expr):
                    if ":role/" in literal:
                        literals.add(literal)
                for traversal in iter_traversals(expr):
                    if traversal.root in ("aws_iam_role", "module") and traversal.steps and isinstance(traversal.steps[0], str):
                        address = f"{traversal.root}.{traversal.steps[0]}"
                        role_id = scope.role_ids.get(address)
                        if role_id is not None and address != own:
                            uses[role_id].append(traversal.loc)
    return {k: tuple(sorted(set(v))) for k, v in sorted(uses.items())}, tuple(sorted(literals))


def _own_address(block: Block) -> str | None:
    if block.type == "resource" and len(block.labels) >= 2:
        return f"{block.labels[0]}.{block.labels[1]}"
    if block.type == "module" and block.labels:
        return f"module.{block.labels[0]}"
    return None
