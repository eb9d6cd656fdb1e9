"""IRSA025: EKS Pod Identity session tags, where IRSA and Pod Identity differ.

- `aws:PrincipalTag/kubernetes-*` / `eks-cluster-*` in the policies of a role used only through
  IRSA: IRSA sessions carry no session tags, so such a condition (or `${aws:PrincipalTag/...}`
  variable) never matches, or restricts nothing.
- an association with a session `policy` but without `disable_session_tags = true` (EKS refuses it).
- a `pods.eks.amazonaws.com` trust statement with no `aws:SourceAccount` / `aws:SourceArn` /
  `aws:SourceOrg*` or `aws:RequestTag/*` condition: any cluster of the account can use the role
  (a warning).
- an association's `target_role_arn` whose trust does not admit the source role, does not pin it
  (`aws:PrincipalArn` or the role as principal) with the namespace / ServiceAccount (the
  association's `sts:ExternalId`, or the session tags), or lacks `sts:TagSession` while tags are on.

A role an association uses whose own trust lacks `sts:TagSession` is IRSA018's finding, not this
rule's (one defect, one finding)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import namespaced, quoted, role_label
from irsalint.graph import IrsaGraph
from irsalint.iam import POD_IDENTITY_PRINCIPAL, Tri, action_matches, admits_pod_identity, base_operator
from irsalint.model import (
    UNKNOWN,
    Condition,
    IamRole,
    Location,
    Partial,
    PodIdentityAssociation,
    RoleRef,
    Statement,
)

# the session tags EKS Pod Identity adds (pod-id-abac.html)
TAG_PREFIXES = ("kubernetes-", "eks-cluster-")
_SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")
_POD_TAGS = ("kubernetes-namespace", "kubernetes-service-account")


def session_tags(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    associations = graph.project.terraform.associations
    associated = {role.id for a in associations for role in graph.roles_for_arn(a.role, a)}
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        if role.trust is None:
            continue
        if role_id not in associated and _irsa_only(graph, role):
            yield from _tags_under_irsa(graph, role)
        if params.get("pod_identity_trust_conditions", "required") == "required":
            yield from _unscoped_pods_trust(role)
    for association in associations:
        yield from _policy_with_tags(association)
        yield from _target_role(graph, association)


# --- tags an IRSA session never carries -------------------------------------------------------------


def _irsa_only(graph: IrsaGraph, role: IamRole) -> bool:
    """Used through IRSA and not trusting the Pod Identity service (not even maybe)."""
    if role.trust is None or not role.trust.complete or not graph.is_irsa_role(role):
        return False
    return all(admits_pod_identity(s) is False for s in role.trust.statements)


def session_tag_key(key: object) -> str | None:
    """`aws:PrincipalTag/kubernetes-namespace` -> `kubernetes-namespace`; None for other keys."""
    if not isinstance(key, str):
        return None
    prefix, _, tag = key.partition("/")
    if prefix.lower() != "aws:principaltag" or not tag.lower().startswith(TAG_PREFIXES):
        return None
    return tag


def _variable_tag(value: object) -> str | None:
    """A `${aws:PrincipalTag/kubernetes-...}` policy variable without a default value."""
    text = str(value) if isinstance(value, (str, Partial)) else ""
    start = text.lower().find("${aws:principaltag/")
    if start < 0:
        return None
    end = text.find("}", start)
    inner = text[start + 2 : end if end > 0 else len(text)]
    if "," in inner:
        return None  # `${aws:PrincipalTag/x, 'default'}` has a value when the tag is absent
    return session_tag_key(inner)


def _condition_effect(condition: Condition) -> str | None:
    """What a condition on an absent key is: "never" (false) or "nothing" (true: it tests nothing)."""
    operator = condition.operator
    if not isinstance(operator, str):
        return None
    if operator.endswith("IfExists"):
        return "nothing"
    base = base_operator(operator)
    if base == "Null":
        texts = {t.lower() for t in condition.values.texts() if isinstance(t, str)}
        return "nothing" if texts == {"true"} else ("never" if texts == {"false"} else None)
    if operator.startswith("ForAllValues:") or "Not" in base:
        return "nothing"  # negated operators and ForAllValues are true on a missing key
    return "never"


def _tags_under_irsa(graph: IrsaGraph, role: IamRole) -> Iterator[Hit]:
    seen: set[Location] = set()
    for attached in graph.documents_of(role.id):
        for statement in attached.document.statements:
            found = _tag_use(statement)
            if found is None or found[0] in seen:
                continue
            loc, tag, effect = found
            seen.add(loc)
            deny = statement.effect == "Deny"
            if effect == "nothing":  # the condition is always true
                what = "this Deny always applies. Its pods get AccessDenied" if deny else "this condition restricts nothing"
            else:
                what = "this Deny never applies" if deny else "this statement never applies. Its pods get AccessDenied"
            yield Hit(
                f"Role {role_label(role)} is used through IRSA, whose sessions carry no {tag} tag, so {what}. "
                "Session tags come with EKS Pod Identity only; scope the role by its trust's `:sub` instead.",
                loc,
                f"Role {role.address} {tag}",
                (("the role", role.loc),),
            )


def _tag_use(statement: Statement) -> tuple[Location, str, str] | None:
    """The first use of a Pod Identity session tag in a statement: (where, tag, effect)."""
    for condition in statement.conditions:
        tag = session_tag_key(condition.key)
        effect = _condition_effect(condition) if tag is not None else None
        if tag is not None and effect is not None:
            return condition.loc, tag, effect
    for values in (statement.resources, statement.not_resources):
        for value in values.values if values is not None else ():
            tag = _variable_tag(value.value)
            if tag is not None:
                return value.loc, tag, "never"
    for condition in statement.conditions:
        for value in condition.values.values:
            tag = _variable_tag(value.value)
            if tag is not None:
                return value.loc, tag, "never"
    return None


# --- the Pod Identity trust itself ------------------------------------------------------------------


def _unscoped_pods_trust(role: IamRole) -> Iterator[Hit]:
    assert role.trust is not None
    if role.kind == "eksctl":
        return  # eksctl writes this trust itself and has no setting for its conditions: not actionable
    for statement in role.trust.statements:
        if statement.effect != "Allow" or admits_pod_identity(statement) is not True:
            continue
        if not role.trust.complete and statement.sid is not None:
            continue  # an override document we cannot read may replace the statement of that Sid
        if not statement.conditions_complete or any(not isinstance(c.key, str) for c in statement.conditions):
            continue
        keys = [str(c.key).lower() for c in statement.conditions]
        if any(k in _SOURCE_KEYS or k.startswith("aws:requesttag/") for k in keys):
            continue
        yield Hit(
            f"Role {role_label(role)} trusts {POD_IDENTITY_PRINCIPAL} without a source or tag condition: any "
            "association in the account can use it. Add aws:SourceArn (the cluster ARN) or aws:SourceAccount, or "
            "aws:RequestTag/kubernetes-namespace and kubernetes-service-account.",
            statement.loc,
            f"Role {role.address} {POD_IDENTITY_PRINCIPAL}",
            (("the role", role.loc),) if role.loc != statement.loc else (),
            level="warning",
        )


# --- associations -------------------------------------------------------------------------------------


def _policy_with_tags(association: PodIdentityAssociation) -> Iterator[Hit]:
    if association.policy_loc is None or association.disable_session_tags is True:
        return
    if association.disable_session_tags is UNKNOWN:
        return
    target = namespaced(association.namespace, association.service_account)
    where = association.disable_session_tags_loc
    yield Hit(
        f"The Pod Identity association of {target} sets a session policy but leaves session tags on: EKS "
        "accepts a policy only with disable_session_tags = true. Set it, or drop the policy.",
        association.policy_loc,
        f"PodIdentityAssociation {target} policy",
        (("the association", association.loc),) + ((("disable_session_tags", where),) if where else ()),
    )


def _target_role(graph: IrsaGraph, association: PodIdentityAssociation) -> Iterator[Hit]:
    if association.target_role is None or association.target_role_loc is None:
        return
    targets = graph.roles_for_arn(association.target_role, association)
    if len(targets) != 1 or targets[0].trust is None or not targets[0].trust.complete:
        return
    target = targets[0]
    assert target.trust is not None
    sources = graph.roles_for_arn(association.role, association)
    source = _SourceRole(association.role, sources[0] if len(sources) == 1 else None)
    assume = [_pinning(s, source) for s in target.trust.statements if _allows(s, "sts:AssumeRole")]
    tagging = [_pinning(s, source) for s in target.trust.statements if _allows(s, "sts:TagSession")]
    if not assume or None in assume or None in tagging:
        return
    admitted = [v for v in assume if v is not None and v[0] != "absent"]
    who = namespaced(association.namespace, association.service_account)
    head = f"Target role {role_label(target)}"
    if not admitted:
        message = (
            f"{head} does not trust the association's role: its pods get AccessDenied. The association of {who} "
            f"uses role {source.label()}."
        )
        level = "error"
    elif association.disable_session_tags is not True and not any(v is not None and v[0] != "absent" for v in tagging):
        message = (
            f"{head} does not allow sts:TagSession for the association's role: its pods get AccessDenied. The "
            f"association of {who} has session tags on: allow sts:TagSession, or set disable_session_tags = true."
        )
        level = "error"
    elif any(v[0] == "pinned" and v[1] for v in admitted):
        return
    elif not any(v[0] == "pinned" for v in admitted):
        message = (
            f"{head} trusts the whole account of the association's role, not the role itself. Any principal there "
            f"can chain into it: pin {source.label()} with aws:PrincipalArn and require the sts:ExternalId of the "
            f"association of {who}."
        )
        level = "warning"
    else:
        message = (
            f"{head} does not pin a namespace and ServiceAccount. Every association using {source.label()} can "
            f"chain into it, not only {who}'s: require the association's sts:ExternalId in its trust."
        )
        level = "warning"
    yield Hit(
        message,
        association.target_role_loc,
        f"PodIdentityAssociation {who} target {target.address}",
        (("the target role's trust", target.trust_loc), ("the association", association.loc)),
        level=level,
    )


class _SourceRole:
    """The association's own role: as written, and the scanned role when it is known."""

    def __init__(self, written: object, role: IamRole | None) -> None:
        self.written = written
        self.role = role

    def label(self) -> str:
        if self.role is not None:
            return role_label(self.role)
        return quoted(str(self.written), 80) if isinstance(self.written, (str, Partial)) else "(set at apply time)"

    def matches(self, value: object) -> Tri:
        """Is this principal value the source role (None: cannot tell)?"""
        if isinstance(value, RoleRef):
            return None if self.role is None else value.role_id == self.role.id and value.attribute == "arn"
        if not isinstance(value, str):
            return None
        if isinstance(self.written, str):
            return value == self.written
        if self.role is not None and isinstance(self.role.name, str) and not self.role.name_is_prefix:
            return value.endswith(f"/{self.role.name}") and ":role/" in value
        return None

    def account(self) -> str | None:
        parts = self.written.split(":") if isinstance(self.written, str) else []
        return parts[4] if len(parts) > 5 and parts[4].isdigit() else None

    def is_account(self, value: object) -> bool:
        """The whole source account (or everyone): admitted, but not pinned to the role."""
        if value == "*":
            return True
        account = self.account()
        if account is None or not isinstance(value, str):
            return False
        return value == account or (value.startswith("arn:") and value.endswith(f":iam::{account}:root"))


def _allows(statement: Statement, action: str) -> bool:
    if statement.effect != "Allow" or statement.actions is None:
        return False
    return action_matches(statement.actions.texts(), action) is True


def _pinning(statement: Statement, source: _SourceRole) -> tuple[str, bool] | None:
    """How the statement's principal admits the source role ("pinned" | "broad" | "absent") and
    whether it pins the pod (external id or namespace and ServiceAccount tags); None when it
    cannot be told."""
    principals = [p for p in statement.principals if p.type in ("AWS", "*", UNKNOWN)]
    if any(p.type is UNKNOWN or not p.values.complete for p in principals) or not statement.conditions_complete:
        return None
    kinds: set[str] = set()
    for value in (v for p in principals for v in p.values.values):
        if source.is_account(value.value):
            kinds.add("broad")
            continue
        if source.account() is None and _account_principal(value.value):
            return None  # an account, maybe the source's: cannot tell
        verdict = source.matches(value.value)
        if verdict is None:
            return None
        if verdict:
            kinds.add("pinned")
    keys = {str(c.key).lower(): c for c in statement.conditions if isinstance(c.key, str)}
    if any(not isinstance(c.key, str) for c in statement.conditions):
        return None
    if kinds == {"broad"} and "aws:principalarn" in keys:
        pinned = _principal_arn(keys["aws:principalarn"], source)
        if pinned is None:
            return None
        if pinned:
            kinds = {"pinned"}
    how = "pinned" if "pinned" in kinds else ("broad" if kinds else "absent")
    pod = "sts:externalid" in keys or all(
        f"aws:requesttag/{t}" in keys or f"aws:principaltag/{t}" in keys for t in _POD_TAGS
    )
    return how, pod


def _account_principal(value: object) -> bool:
    """`111122223333` or `arn:aws:iam::111122223333:root`."""
    if not isinstance(value, str):
        return False
    return value.isdigit() or (value.startswith("arn:") and value.endswith(":root"))


def _principal_arn(condition: Condition, source: _SourceRole) -> bool | None:
    verdicts = [source.matches(v.value) for v in condition.values.values]
    if any(v is True for v in verdicts):
        return True
    return None if any(v is None for v in verdicts) or not condition.values.complete else False
