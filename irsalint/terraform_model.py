"""Loaded Terraform files -> IAM roles, policies, attachments, ServiceAccounts (project-wide).

Each directory is one Terraform module (its own `var.`, `local.` and resource names). Roles come
from `aws_iam_role` and from the terraform-aws-modules IRSA modules, whose trust policy we
synthesise exactly as the module's own `aws_iam_policy_document` would render it.
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
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
from irsalint.policydoc import DocumentReader, make_condition
from irsalint.resolve import Evaluator, Scope

MODULE_V5 = "iam-role-for-service-accounts-eks"
MODULE_V6 = "iam-role-for-service-accounts"
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
    for kind in (MODULE_V5, MODULE_V6):
        if path.endswith("/" + kind) or path == kind:
            return kind
    return None


def build_scopes(files: Sequence[TfFile]) -> dict[str, Scope]:
    scopes: dict[str, Scope] = {}
    for tf in sorted(files, key=lambda f: f.path):
        directory = posixpath.dirname(tf.path)
        scope = scopes.setdefault(directory, Scope(directory))
        if tf.is_tfvars:
            name = posixpath.basename(tf.path)
            if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
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
            if module_kind(evaluator.eval_str(block.body.expr("source"))) is not None:
                scope.role_ids[f"module.{name}"] = _node_id(scope, f"module.{name}")
    return scopes


def _node_id(scope: Scope, address: str) -> str:
    return f"tf:{address}@{scope.directory or '.'}"


def build_terraform_facts(files: Sequence[TfFile]) -> TerraformFacts:
    scopes = build_scopes(files)
    roles: list[IamRole] = []
    policies: list[ManagedPolicy] = []
    attachments: list[Attachment] = []
    inline: list[InlinePolicy] = []
    sas: list[ServiceAccount] = []
    associations: list[PodIdentityAssociation] = []
    for directory in sorted(scopes):
        scope = scopes[directory]
        builder = _ScopeBuilder(scope)
        roles.extend(builder.roles())
        policies.extend(builder.policies())
        attachments.extend(builder.attachments())
        inline.extend(builder.inline_policies())
        sas.extend(builder.service_accounts())
        associations.extend(builder.associations())
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
    )


class _ScopeBuilder:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.evaluator = Evaluator(scope)
        self.reader = DocumentReader(self.evaluator)

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
                yield self.raw_role(name, block)
        for name, block in sorted(self.scope.modules.items()):
            module = module_kind(self.evaluator.eval_str(block.body.expr("source")))
            if module is not None:
                yield self.module_role(name, block, module)

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
        test: Str = "StringEquals" if test_attr is None else self.evaluator.eval_str(test_attr.expr)
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
