"""Checks over where the role-arn annotation is written and what it says, and over workloads that
defeat it: malformed ARNs (IRSA011), the `default` ServiceAccount (IRSA014), static or hard-coded
AWS credential variables (IRSA016) and role-arn annotations on anything but a ServiceAccount (IRSA017).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, show
from irsalint.graph import ROLE_ARN_ANNOTATION, IrsaGraph, MatchStatus
from irsalint.iam import is_valid_role_arn
from irsalint.model import Annotation, Location, ServiceAccount, Str, Workload

EXPECTED_SHAPE = "arn:aws:iam::<12-digit account>:role/<path/>name"

_PARTITION_RE = re.compile(r"aws[a-z0-9-]*\Z", re.ASCII)
_ACCOUNT_RE = re.compile(r"[0-9]{12}\Z", re.ASCII)
_ROLE_NAME_CHARS_RE = re.compile(r"[\w+=,.@/-]", re.ASCII)
_IAM_RESOURCE_TYPES = (
    "user",
    "group",
    "policy",
    "instance-profile",
    "oidc-provider",
    "saml-provider",
    "server-certificate",
    "mfa",
)

# Environment variables that take the web identity away from the SDK.
WEB_IDENTITY_VARIABLES = ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
STATIC_KEY_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")

# Kinds without a namespace, shown as "Kind name" rather than "Kind ns/name".
_CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
    }
)


def _sa_entity(sa: ServiceAccount) -> str:
    return f"ServiceAccount {show(sa.namespace)}/{show(sa.name)}"


def _workload_entity(workload: Workload) -> str:
    return f"{workload.kind} {show(workload.namespace)}/{show(workload.name)}"


def _kustomizations(related: tuple[Location, ...]) -> tuple[tuple[str, Location], ...]:
    return tuple(("where its namespace is set", loc) for loc in related)


# --- IRSA011 invalid-role-arn -------------------------------------------------------------------


def invalid_role_arn(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.service_accounts:
        match = graph.sa_matches[sa.id]
        annotation = match.annotation
        if match.status is not MatchStatus.INVALID or annotation is None:
            continue
        value = annotation.value
        if not isinstance(value, str):  # pragma: no cover - only strings are INVALID
            continue
        entity = _sa_entity(sa)
        fix = suggested_arn(value)
        instead = f'write "{fix}" (the form is {EXPECTED_SHAPE})' if fix else f"write {EXPECTED_SHAPE}"
        yield Hit(
            f"{ROLE_ARN_ANNOTATION} {json.dumps(value)} on {entity} is not a valid IAM role ARN: "
            f"{arn_problem(value)}; {instead}. The pod identity webhook only logs a warning and injects "
            "it as AWS_ROLE_ARN anyway, so every AWS call from the pods fails",
            annotation.loc,
            entity,
            _kustomizations(sa.related),
        )


def arn_problem(value: str) -> str:
    """What is wrong with a role-arn that does not match the webhook's pattern, in a few words."""
    if not value.strip():
        return "it is empty"
    if value != value.strip():
        if "\n" in value and value.strip() == value.rstrip("\n").strip():
            return (
                "it ends with a newline (a YAML block scalar `|` or `>` keeps the final newline; "
                "use `|-` or a plain value)"
            )
        return "it has leading or trailing whitespace"
    if any(c.isspace() for c in value):
        return "it contains whitespace"
    if value[0] in "\"'" or value[-1] in "\"'":
        return "it contains quote characters (quoted twice?)"
    if not value.startswith("arn:"):
        if ":" not in value and "/" not in value:
            return "it is a bare role name, not an ARN (the EKS webhook does not complete it)"
        return 'it does not start with "arn:"'
    parts = value.split(":", 5)
    if len(parts) < 6:
        if len(parts) == 5 and parts[2] == "iam":
            if parts[3] == "" and parts[4].startswith("role/"):
                return "the 12-digit account id is missing"
            if _ACCOUNT_RE.match(parts[3]):
                return 'a ":" is missing: IAM ARNs have an empty region, so the account follows "iam::"'
        return 'it has too few ":"-separated fields'
    _, partition, service, region, account, resource = parts
    if not _PARTITION_RE.match(partition):
        return f'the partition "{partition}" is not aws, aws-cn or aws-us-gov'
    if service == "sts" and resource.startswith("assumed-role/"):
        return "it is an STS assumed-role (session) ARN, not the role's ARN"
    if service != "iam":
        return f'it is an ARN of service "{service}", not of IAM'
    if region:
        return f'it has a region ("{region}"), but IAM ARNs have none'
    if not account:
        return "the 12-digit account id is missing"
    if not _ACCOUNT_RE.match(account):
        digits = sum(c in "0123456789" for c in account)
        if digits == len(account):
            return f'the account id "{account}" has {digits} digits instead of 12'
        return f'the account id "{account}" is not 12 digits'
    resource_type = re.split(r"[/:]", resource, maxsplit=1)[0]
    if resource_type != "role":
        if resource_type in _IAM_RESOURCE_TYPES:
            return f"it names an IAM {resource_type}, not a role"
        return f'the resource "{resource}" is not role/<name>'
    if not resource.startswith("role/"):
        return 'the role name must follow "role/", not "role:"'
    name = resource[len("role/") :]
    if not name.strip("/"):
        return "the role name is missing"
    bad = sorted({c for c in name if not _ROLE_NAME_CHARS_RE.match(c)})
    if bad:
        shown = " ".join(json.dumps(c) for c in bad)
        return f"the role name contains characters IAM does not allow: {shown}"
    return f"it does not have the form {EXPECTED_SHAPE}"  # pragma: no cover - every failure is named above


def suggested_arn(value: str) -> str | None:
    """A valid ARN the value was most likely meant to be, when the fix is mechanical."""
    candidate = value.strip().strip("\"'").strip()
    parts = candidate.split(":", 5)
    if len(parts) == 5 and parts[0] == "arn" and parts[2] == "iam" and _ACCOUNT_RE.match(parts[3]):
        parts.insert(3, "")  # arn:aws:iam:111122223333:role/x
    if len(parts) == 6:
        parts[4] = re.sub(r"[-\s]", "", parts[4])  # 1111-2222-3333, as the console shows it
        if parts[2] == "sts" and parts[5].startswith("assumed-role/"):
            parts[2], parts[5] = "iam", "role/" + parts[5].split("/")[1]  # the session's role (path not known)
        elif parts[5].startswith("role:"):
            parts[5] = "role/" + parts[5][len("role:") :]
        candidate = ":".join(parts)
    if candidate != value and is_valid_role_arn(candidate):
        return candidate
    return None


# --- IRSA014 default-serviceaccount ---------------------------------------------------------------


def default_serviceaccount(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.irsa_service_accounts():
        annotation = graph.sa_matches[sa.id].annotation
        if sa.name != "default" or annotation is None:
            continue
        namespace = show(sa.namespace)
        workloads = graph.workloads_of(sa)
        runs = "workload runs" if len(workloads) == 1 else "workloads run"
        scanned = f" ({len(workloads)} scanned {runs} as it)" if workloads else ""
        yield Hit(
            f"{ROLE_ARN_ANNOTATION} is on ServiceAccount {namespace}/default: every pod in namespace "
            f"{namespace} that sets no serviceAccountName runs as it and gets the role{scanned}; create a "
            "dedicated ServiceAccount, move the annotation there and set serviceAccountName in the "
            "workloads that need the role",
            annotation.loc,
            _sa_entity(sa),
            tuple((f"{_workload_entity(w)} runs as it", w.name_loc) for w in workloads[:5])
            + _kustomizations(sa.related),
        )


# --- IRSA016 credentials-override -----------------------------------------------------------------


def credentials_override(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for workload in graph.workloads:
        irsa = [
            sa
            for sa in graph.service_accounts_of_workload(workload)
            if graph.sa_matches[sa.id].status is not MatchStatus.NONE
        ]
        if not irsa:
            continue
        sa = irsa[0]
        annotation = graph.sa_matches[sa.id].annotation
        sa_loc = annotation.loc if annotation is not None else sa.name_loc
        entity = _workload_entity(workload)
        for variable in workload.env:
            where = f"container {variable.container} of {entity}"
            if variable.name in WEB_IDENTITY_VARIABLES:
                message = (
                    f"{where} sets {variable.name} while it runs as IRSA {_sa_entity(sa)}: the pod identity "
                    "webhook then injects neither AWS_ROLE_ARN nor AWS_WEB_IDENTITY_TOKEN_FILE, so the SDK "
                    "lacks half of the web identity and falls back to the node role or fails; remove the "
                    f"variable and let the webhook set both from the ServiceAccount's {ROLE_ARN_ANNOTATION}"
                )
            elif variable.name in STATIC_KEY_VARIABLES:
                message = (
                    f"{where} sets {variable.name} while it runs as IRSA {_sa_entity(sa)}: static keys come "
                    "before the web identity in every SDK's credential chain, so the pods use long-lived keys "
                    "instead of the role; remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and grant what "
                    "they allowed to the ServiceAccount's role"
                )
            else:
                continue
            yield Hit(
                message,
                variable.loc,
                entity,
                (("the ServiceAccount's role-arn", sa_loc),) + _kustomizations(workload.related),
            )


# --- IRSA017 misplaced-annotation -----------------------------------------------------------------


def misplaced_annotation(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for workload in graph.workloads:
        seen: set[Location] = set()
        for part, found in (
            ("metadata", workload.annotations),
            ("pod template", workload.template_annotations),
        ):
            for annotation in found:
                if annotation.key != ROLE_ARN_ANNOTATION or annotation.loc in seen:
                    continue
                seen.add(annotation.loc)  # a Pod's own annotations are also its "template"
                yield _misplaced_on_workload(graph, workload, part, annotation)
    for obj in graph.project.objects:
        for annotation in obj.annotations:
            if annotation.key != ROLE_ARN_ANNOTATION or obj.kind == "ServiceAccount":
                continue
            scoped = obj.kind not in _CLUSTER_SCOPED_KINDS
            name = f"{show(obj.namespace)}/{show(obj.name)}" if scoped else show(obj.name)
            entity = f"{obj.kind} {name}"
            yield Hit(
                f"{ROLE_ARN_ANNOTATION} on {entity} does nothing: the pod identity webhook reads it only from "
                "ServiceAccounts; put it on the ServiceAccount that the pods needing the role run as "
                "(their serviceAccountName)",
                annotation.loc,
                entity,
            )


def _misplaced_on_workload(graph: IrsaGraph, workload: Workload, part: str, annotation: Annotation) -> Hit:
    entity = _workload_entity(workload)
    where = "" if workload.kind == "Pod" else f"the {part} of "
    sa_name: Str = workload.service_account
    pods = "the pod runs" if workload.kind == "Pod" else "the pods run"
    target = f"ServiceAccount {show(workload.namespace)}/{show(sa_name)}"
    if sa_name == "default":
        instead = (
            f"{pods} as the namespace's default ServiceAccount: create a dedicated ServiceAccount with "
            "this annotation and set serviceAccountName to it"
        )
    else:
        instead = f"put it on {target}, which {pods} as"
    related: tuple[tuple[str, Location], ...] = ()
    for sa in graph.service_accounts_of_workload(workload):
        existing = sa.annotation(ROLE_ARN_ANNOTATION)
        if existing is not None:
            instead = (
                f"{target}, which {pods} as, already has a role-arn and that one applies: delete this one"
            )
            related = (("the ServiceAccount's role-arn", existing.loc),)
        else:
            related = (("the ServiceAccount", sa.name_loc),)
        break
    return Hit(
        f"{ROLE_ARN_ANNOTATION} on {where}{entity} does nothing: the pod identity webhook reads it only "
        f"from ServiceAccounts; {instead}",
        annotation.loc,
        entity,
        related + _kustomizations(workload.related),
    )
