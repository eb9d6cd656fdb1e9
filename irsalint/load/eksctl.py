"""eksctl ClusterConfig: `iam.serviceAccounts[]`, `addons[]` and `iam.podIdentityAssociations[]`.

For `iam.serviceAccounts[]` eksctl writes the trust itself (exactly that namespace/name, audience
sts.amazonaws.com) and annotates the ServiceAccount, so the pair is consistent by construction; what
can still be wrong is what the role may do (`attachPolicy`, `attachPolicyARNs`) and where the
annotation lands (the `default` ServiceAccount, a malformed `attachRoleARN`). An add-on's role
(`serviceAccountRoleARN`, or the one eksctl creates from `attachPolicyARNs`) lands on the add-on's
fixed ServiceAccount (irsalint/data/eks_addons.json). A Pod Identity association names its role
(`roleARN`) or has eksctl create one trusting pods.eks.amazonaws.com (`permissionPolicy*`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import yaml

from irsalint.addons import addon_accounts
from irsalint.iam import STS_AUDIENCE, WEB_IDENTITY_ACTION
from irsalint.model import (
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    PodIdentityAssociation,
    PolicyDocument,
    Principal,
    RoleRef,
    RoleTarget,
    ServiceAccount,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.placeholders import has_placeholder, placeholder_value
from irsalint.policydoc import LNode, _from_node, document_from_tree, make_condition, pod_identity_statement
from irsalint.record import record, replace
from irsalint.yamlutil import get, text_of

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"


def from_yaml_node(node: yaml.Node, path: str) -> LNode:
    """A policy document written as YAML inside the ClusterConfig, with its own lines."""
    return _from_node(node, 1, path, None, 0)


Loc = Callable[[yaml.Node], Location]
# (inline policy key, managed policy ARNs key) of an entry whose role eksctl creates
IRSA_POLICY_KEYS = ("attachPolicy", "attachPolicyARNs", "wellKnownPolicies")
POD_IDENTITY_POLICY_KEYS = ("permissionPolicy", "permissionPolicyARNs", "wellKnownPolicies")


@record
class ClusterConfig:
    service_accounts: tuple[ServiceAccount, ...]
    roles: tuple[IamRole, ...]
    associations: tuple[PodIdentityAssociation, ...]


def read_cluster_config(path: str, node: yaml.Node, loc: Loc) -> ClusterConfig:
    sas: list[ServiceAccount] = []
    roles: list[IamRole] = []
    associations: list[PodIdentityAssociation] = []
    cluster = _known(text_of(get(get(node, "metadata"), "name")))
    for sa, role in [*_iam_service_accounts(path, node, loc), *_addon_service_accounts(path, node, loc)]:
        sas.append(replace(sa, cluster=cluster) if isinstance(cluster, str) else sa)
        roles.extend([role] if role is not None else [])
    for association, role in _associations(path, node, loc, cluster):
        associations.append(association)
        roles.extend([role] if role is not None else [])
    return ClusterConfig(tuple(sas), tuple(roles), tuple(associations))


def _known(text: str | None) -> Str:
    return text if text is not None and not has_placeholder(text) else UNKNOWN


def _iam_service_accounts(path: str, node: yaml.Node, loc: Loc) -> Iterator[tuple[ServiceAccount, IamRole | None]]:
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
        yield _annotated(path, ident, entry, namespace, name, name_loc, loc, "attachRoleARN", "eksctl",
                         f"eksctl iam.serviceAccounts {namespace}/{name}")


def _addon_service_accounts(path: str, node: yaml.Node, loc: Loc) -> Iterator[tuple[ServiceAccount, IamRole | None]]:
    """`addons[]` with `serviceAccountRoleARN`, or with policies eksctl turns into an IRSA role."""
    addons = get(node, "addons")
    if not isinstance(addons, yaml.SequenceNode):
        return
    for entry in addons.value:
        name_node = get(entry, "name")
        addon = text_of(name_node)
        known = addon_accounts().get(addon) if addon is not None else None
        if known is None or name_node is None or get(entry, "podIdentityAssociations") is not None:
            continue  # an add-on we know nothing of, or one that uses Pod Identity (_associations)
        if get(entry, "serviceAccountRoleARN") is None and all(get(entry, k) is None for k in IRSA_POLICY_KEYS):
            continue  # the add-on runs with the node's role
        namespace, account = known
        name_loc = loc(name_node)
        yield _annotated(path, f"{addon}@{path}:{name_loc.line}", entry, namespace, account, name_loc, loc,
                         "serviceAccountRoleARN", "eksctl-addon", f"eksctl addons {addon}")


def _annotated(
    path: str, ident: str, entry: yaml.Node, namespace: str, name: str, name_loc: Location, loc: Loc,
    existing_key: str, origin: str, address: str,
) -> tuple[ServiceAccount, IamRole | None]:
    """The ServiceAccount eksctl annotates: with the role ARN given, or with the role it creates."""
    existing = get(entry, existing_key)
    role: IamRole | None = None
    if existing is not None:
        annotation = Annotation(ROLE_ARN_ANNOTATION, placeholder_value(text_of(existing) or ""), loc(existing))
    else:
        subject = Value(f"system:serviceaccount:{namespace}:{name}", name_loc)
        role = _created_role(path, f"eksctl:Role:{ident}", address, entry, _irsa_trust(subject, name_loc),
                             name_loc, loc, IRSA_POLICY_KEYS)
        annotation = Annotation(ROLE_ARN_ANNOTATION, RoleRef(role.id, "arn"), name_loc)
    sa = ServiceAccount(
        id=f"{origin}:ServiceAccount:{ident}",
        name=name,
        namespace=namespace,
        annotations=(annotation,),
        automount=None,
        automount_loc=None,
        name_loc=name_loc,
        origin=origin,
    )
    return sa, role


def _associations(
    path: str, node: yaml.Node, loc: Loc, cluster: Str
) -> Iterator[tuple[PodIdentityAssociation, IamRole | None]]:
    """`iam.podIdentityAssociations[]`, and `addons[].podIdentityAssociations[]` (whose namespace is
    the add-on's)."""
    entries: list[tuple[yaml.Node, str | None, str | None]] = []
    listed = get(get(node, "iam"), "podIdentityAssociations")
    if isinstance(listed, yaml.SequenceNode):
        entries.extend((entry, None, None) for entry in listed.value)
    addons = get(node, "addons")
    for addon in addons.value if isinstance(addons, yaml.SequenceNode) else ():
        known = addon_accounts().get(text_of(get(addon, "name")) or "")
        nested = get(addon, "podIdentityAssociations")
        if known is not None and isinstance(nested, yaml.SequenceNode):
            entries.extend((entry, known[0], known[1]) for entry in nested.value)
    for entry, addon_namespace, addon_account in entries:
        namespace_node = get(entry, "namespace")
        account_node = get(entry, "serviceAccountName")
        namespace = addon_namespace or _known(text_of(namespace_node))
        account = _known(text_of(account_node)) if account_node is not None else addon_account or UNKNOWN
        anchor = loc(account_node or namespace_node or entry)
        ident = f"{namespace}/{account}@{path}:{anchor.line}"
        role: IamRole | None = None
        given = get(entry, "roleARN")
        target: RoleTarget
        if given is not None:
            target = placeholder_value(text_of(given) or "")
        else:
            role = _created_role(path, f"eksctl:Role:{ident}", f"eksctl podIdentityAssociations {namespace}/{account}",
                                 entry, pod_identity_statement(anchor), anchor, loc, POD_IDENTITY_POLICY_KEYS)
            target = RoleRef(role.id, "arn")
        target_node = get(entry, "targetRoleARN")
        tags_node = get(entry, "disableSessionTags")
        tags = text_of(tags_node)
        association = PodIdentityAssociation(
            id=f"eksctl:PodIdentityAssociation:{ident}",
            cluster_name=cluster,
            namespace=namespace,
            service_account=account,
            role=target,
            loc=anchor,
            namespace_loc=loc(namespace_node) if namespace_node is not None else anchor,
            target_role=placeholder_value(text_of(target_node) or "") if target_node is not None else None,
            target_role_loc=loc(target_node) if target_node is not None else None,
            disable_session_tags=None if tags is None else tags.lower() == "true" if tags.lower() in ("true", "false") else UNKNOWN,
            disable_session_tags_loc=loc(tags_node) if tags_node is not None else None,
        )
        yield association, role


def _irsa_trust(subject: Value, loc: Location) -> Statement:
    return Statement(
        sid=None,
        effect="Allow",
        actions=ValueList((Value(WEB_IDENTITY_ACTION, loc),), True, loc),
        not_actions=None,
        resources=None,
        not_resources=None,
        principals=(Principal("Federated", ValueList((Value(UNKNOWN, loc),), True, loc)),),
        conditions=(
            make_condition("StringEquals", UNKNOWN, ":sub", ValueList((subject,), True, loc), loc),
            make_condition("StringEquals", UNKNOWN, ":aud", ValueList((Value(STS_AUDIENCE, loc),), True, loc), loc),
        ),
        conditions_complete=True,
        loc=loc,
    )


def _created_role(
    path: str, role_id: str, address: str, entry: yaml.Node, trust: Statement, anchor: Location, loc: Loc,
    policy_keys: tuple[str, str, str],
) -> IamRole:
    """The role eksctl creates for an entry, with the policies the entry names. Well-known policies
    are eksctl's own documents, not read (what they allow is eksctl's choice, not the config's)."""
    inline_key, arns_key, _ = policy_keys
    role_name = text_of(get(entry, "roleName"))
    inline: list[PolicyDocument] = []
    inline_node = get(entry, inline_key)
    if inline_node is not None:
        document = document_from_tree(from_yaml_node(inline_node, path), loc(inline_node))
        if document is not None:
            inline.append(document)
    arns = get(entry, arns_key)
    managed: list[Value] = []
    if isinstance(arns, yaml.SequenceNode):
        managed = [Value(text_of(item) or UNKNOWN, loc(item)) for item in arns.value]
    return IamRole(
        id=role_id,
        address=address,
        kind="eksctl",
        name=role_name if role_name and not has_placeholder(role_name) else UNKNOWN,
        name_is_prefix=False,
        path="/",
        account=UNKNOWN,
        trust=PolicyDocument((trust,), True, anchor),
        trust_loc=anchor,
        loc=anchor,
        inline_policies=tuple(inline),
        managed_policy_arns=tuple(managed),
    )
