"""Terraform plan JSON (`terraform show -json plan.out > plan.json`): resolved values, no guessing.

`planned_values` holds every resource with its values as Terraform computed them (names from
variables and locals, rendered policy JSON, module outputs), so roles, policies, attachments and
Kubernetes ServiceAccounts are read from there. Findings point into the plan file (the resource's
`address` line, or the value's own line when it has one). Values still unknown at plan time
(an ARN of a role not created yet) are null there; attachments then follow the references
recorded in the plan's `configuration` section."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from irsalint.model import (
    UNKNOWN,
    Annotation,
    Attachment,
    IamRole,
    InlinePolicy,
    Location,
    ManagedPolicy,
    PolicyDocument,
    PolicyRef,
    ServiceAccount,
    Value,
)
from irsalint.policydoc import document_from_tree, from_json_text
from irsalint.record import record
from irsalint.yamlutil import compose_all, get, get_key


@record
class PlanFile:
    path: str
    roles: tuple[IamRole, ...]
    policies: tuple[ManagedPolicy, ...]
    attachments: tuple[Attachment, ...]
    inline_policies: tuple[InlinePolicy, ...]
    service_accounts: tuple[ServiceAccount, ...]


def looks_like_plan(text: str) -> bool:
    head = text[:4096]
    return '"format_version"' in head and '"planned_values"' in text


def load_plan(path: str, text: str) -> PlanFile | None:
    """None when the text is not a plan after all (the caller then reads it as a manifest)."""
    try:
        [root] = compose_all(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode) or get(root, "planned_values") is None:
        return None
    reader = _PlanReader(path, _config_references(text))
    module = get(get(root, "planned_values"), "root_module")
    for resource in _resources(module):
        reader.resource(resource)
    return PlanFile(
        path,
        tuple(reader.roles),
        tuple(reader.policies),
        tuple(reader.attachments),
        tuple(reader.inline),
        tuple(reader.sas),
    )


def _resources(module: yaml.Node | None, depth: int = 0) -> Iterator[yaml.Node]:
    if module is None or depth > 32:
        return
    listed = get(module, "resources")
    if isinstance(listed, yaml.SequenceNode):
        yield from listed.value
    children = get(module, "child_modules")
    if isinstance(children, yaml.SequenceNode):
        for child in children.value:
            yield from _resources(child, depth + 1)


def _config_references(text: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(resource address, attribute) -> references, from the root module's configuration."""
    try:
        plan = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    resources = plan.get("configuration", {}).get("root_module", {}).get("resources", [])
    for resource in resources if isinstance(resources, list) else []:
        expressions = resource.get("expressions", {}) if isinstance(resource, dict) else {}
        for attribute, expression in expressions.items() if isinstance(expressions, dict) else ():
            if isinstance(expression, dict) and isinstance(expression.get("references"), list):
                found[(str(resource.get("address")), attribute)] = tuple(map(str, expression["references"]))
    return found


def _scalar(node: yaml.Node | None) -> Any:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
        return None
    if node.tag.endswith(":bool"):
        return str(node.value).lower() == "true"
    return str(node.value)


class _PlanReader:
    def __init__(self, path: str, references: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self.path = path
        self.references = references
        self.roles: list[IamRole] = []
        self.policies: list[ManagedPolicy] = []
        self.attachments: list[Attachment] = []
        self.inline: list[InlinePolicy] = []
        self.sas: list[ServiceAccount] = []

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def key_loc(self, mapping: yaml.Node | None, key: str, fallback: Location) -> Location:
        key_node = get_key(mapping, key)
        return self.loc(key_node) if key_node is not None else fallback

    def document(self, values: yaml.Node | None, key: str, fallback: Location) -> PolicyDocument | None:
        text = _scalar(get(values, key))
        if not isinstance(text, str):
            return None
        loc = self.key_loc(values, key, fallback)
        tree = from_json_text(text, loc.line, self.path, loc)  # one JSON string: its key's line
        return document_from_tree(tree, loc) if tree is not None else None

    def resource(self, node: yaml.Node) -> None:
        if _scalar(get(node, "mode")) != "managed":
            return
        kind = _scalar(get(node, "type"))
        address = str(_scalar(get(node, "address")))
        values = get(node, "values")
        where = self.key_loc(node, "address", self.loc(node))
        ident = f"plan:{address}@{self.path}"
        if kind == "aws_iam_role":
            name, prefix = _scalar(get(values, "name")), _scalar(get(values, "name_prefix"))
            inline = []
            blocks = get(values, "inline_policy")
            if isinstance(blocks, yaml.SequenceNode):
                inline = [d for d in (self.document(b, "policy", where) for b in blocks.value) if d is not None]
            arns = get(values, "managed_policy_arns")
            managed = [Value(_scalar(a) or UNKNOWN, self.loc(a)) for a in arns.value] if isinstance(
                arns, yaml.SequenceNode) else []
            self.roles.append(IamRole(
                id=ident,
                address=address,
                kind="plan:aws_iam_role",
                name=name or prefix or UNKNOWN,
                name_is_prefix=name is None and prefix is not None,
                path=_scalar(get(values, "path")) or "/",
                account=_account(_scalar(get(values, "arn"))),
                trust=self.document(values, "assume_role_policy", where),
                trust_loc=self.key_loc(values, "assume_role_policy", where),
                loc=where,
                inline_policies=tuple(inline),
                managed_policy_arns=tuple(managed),
            ))
        elif kind == "aws_iam_policy":
            self.policies.append(ManagedPolicy(
                id=ident, address=address, name=_scalar(get(values, "name")) or UNKNOWN,
                document=self.document(values, "policy", where), loc=where,
            ))
        elif kind == "aws_iam_role_policy_attachment":
            arn = _scalar(get(values, "policy_arn"))
            policy: Any = arn if arn else self._referenced_policy(address)
            self.attachments.append(Attachment(
                _scalar(get(values, "role")) or UNKNOWN,
                Value(policy, self.key_loc(values, "policy_arn", where)),
                where,
            ))
        elif kind == "aws_iam_role_policy":
            self.inline.append(InlinePolicy(
                _scalar(get(values, "role")) or UNKNOWN, self.document(values, "policy", where), where,
            ))
        elif kind in ("kubernetes_service_account", "kubernetes_service_account_v1"):
            self.service_account(ident, values, where)

    def _referenced_policy(self, address: str) -> Any:
        for reference in self.references.get((address, "policy_arn"), ()):
            if reference.startswith("aws_iam_policy.") and reference.count(".") >= 1:
                policy_address = ".".join(reference.split(".")[:2])
                return PolicyRef(f"plan:{policy_address}@{self.path}")
        return UNKNOWN

    def service_account(self, ident: str, values: yaml.Node | None, where: Location) -> None:
        metadata = get(values, "metadata")
        if isinstance(metadata, yaml.SequenceNode) and metadata.value:
            metadata = metadata.value[0]
        annotations_node = get(metadata, "annotations")
        annotations = []
        if isinstance(annotations_node, yaml.MappingNode):
            for key_node, value in annotations_node.value:
                text = _scalar(value)
                annotations.append(Annotation(str(key_node.value), text if isinstance(text, str) else UNKNOWN,
                                              self.loc(key_node)))
        automount = _scalar(get(values, "automount_service_account_token"))
        self.sas.append(ServiceAccount(
            id=ident,
            name=_scalar(get(metadata, "name")) or UNKNOWN,
            namespace=_scalar(get(metadata, "namespace")) or "default",
            annotations=tuple(annotations),
            automount=automount if isinstance(automount, bool) else None,
            automount_loc=self.key_loc(values, "automount_service_account_token", where) if isinstance(
                automount, bool) else None,
            name_loc=self.key_loc(metadata, "name", where),
            origin="terraform",
        ))


def _account(arn: Any) -> Any:
    if isinstance(arn, str) and arn.startswith("arn:") and len(arn.split(":")) > 4 and arn.split(":")[4]:
        return arn.split(":")[4]
    return UNKNOWN
