"""eksctl ClusterConfig `iam.serviceAccounts[]`: a ServiceAccount and the role eksctl creates for it.

eksctl writes the trust itself (exactly that namespace/name, audience sts.amazonaws.com) and
annotates the ServiceAccount, so the pair is consistent by construction; what can still be wrong
is what the role may do (`attachPolicy`, `attachPolicyARNs`) and where the annotation lands
(the `default` ServiceAccount, a malformed `attachRoleARN`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import yaml

from irsalint.iam import STS_AUDIENCE, WEB_IDENTITY_ACTION
from irsalint.model import (
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    PolicyDocument,
    Principal,
    RoleRef,
    ServiceAccount,
    Statement,
    Value,
    ValueList,
)
from irsalint.placeholders import has_placeholder, placeholder_value
from irsalint.policydoc import LNode, _from_node, document_from_tree, make_condition
from irsalint.yamlutil import get, text_of

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"


def from_yaml_node(node: yaml.Node, path: str) -> LNode:
    """A policy document written as YAML inside the ClusterConfig, with its own lines."""
    return _from_node(node, 1, path, None, 0)


def read_cluster_config(
    path: str, node: yaml.Node, loc: Callable[[yaml.Node], Location]
) -> Iterator[tuple[ServiceAccount, IamRole | None]]:
    accounts = get(get(node, "iam"), "serviceAccounts")
    if not isinstance(accounts, yaml.SequenceNode):
        return
    for entry in accounts.value:
        metadata = get(entry, "metadata")
        name_node = get(metadata, "name")
        name = text_of(name_node)
        namespace = text_of(get(metadata, "namespace")) or "default"
        if name is None or name_node is None or has_placeholder(name) or has_placeholder(namespace):
            continue
        name_loc = loc(name_node)
        ident = f"{namespace}/{name}@{path}:{name_loc.line}"
        existing = get(entry, "attachRoleARN")
        role: IamRole | None = None
        if existing is not None:
            arn = text_of(existing) or ""
            annotation = Annotation(ROLE_ARN_ANNOTATION, placeholder_value(arn), loc(existing))
        else:
            role = _role(path, ident, entry, namespace, name, name_loc, loc)
            annotation = Annotation(ROLE_ARN_ANNOTATION, RoleRef(role.id, "arn"), name_loc)
        sa = ServiceAccount(
            id=f"eksctl:ServiceAccount:{ident}",
            name=name,
            namespace=namespace,
            annotations=(annotation,),
            automount=None,
            automount_loc=None,
            name_loc=name_loc,
            origin="eksctl",
        )
        yield sa, role


def _role(
    path: str,
    ident: str,
    entry: yaml.Node,
    namespace: str,
    name: str,
    name_loc: Location,
    loc: Callable[[yaml.Node], Location],
) -> IamRole:
    role_name = text_of(get(entry, "roleName"))
    subject = Value(f"system:serviceaccount:{namespace}:{name}", name_loc)
    trust = Statement(
        sid=None,
        effect="Allow",
        actions=ValueList((Value(WEB_IDENTITY_ACTION, name_loc),), True, name_loc),
        not_actions=None,
        resources=None,
        not_resources=None,
        principals=(Principal("Federated", ValueList((Value(UNKNOWN, name_loc),), True, name_loc)),),
        conditions=(
            make_condition("StringEquals", UNKNOWN, ":sub", ValueList((subject,), True, name_loc), name_loc),
            make_condition(
                "StringEquals", UNKNOWN, ":aud", ValueList((Value(STS_AUDIENCE, name_loc),), True, name_loc), name_loc
            ),
        ),
        conditions_complete=True,
        loc=name_loc,
    )
    inline: list[PolicyDocument] = []
    attach_policy = get(entry, "attachPolicy")
    if attach_policy is not None:
        document = document_from_tree(from_yaml_node(attach_policy, path), loc(attach_policy))
        if document is not None:
            inline.append(document)
    arns = get(entry, "attachPolicyARNs")
    managed: list[Value] = []
    if isinstance(arns, yaml.SequenceNode):
        managed = [Value(text_of(item) or UNKNOWN, loc(item)) for item in arns.value]
    return IamRole(
        id=f"eksctl:Role:{ident}",
        address=f"eksctl iam.serviceAccounts {namespace}/{name}",
        kind="eksctl",
        name=role_name if role_name and not has_placeholder(role_name) else UNKNOWN,
        name_is_prefix=False,
        path="/",
        account=UNKNOWN,
        trust=PolicyDocument((trust,), True, name_loc),
        trust_loc=name_loc,
        loc=name_loc,
        inline_policies=tuple(inline),
        managed_policy_arns=tuple(managed),
    )
