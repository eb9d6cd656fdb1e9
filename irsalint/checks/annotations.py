"""Checks over where the role-arn annotation is written and what it says, and over workloads that
defeat it: malformed ARNs (IRSA011), the `default` ServiceAccount (IRSA014), static or hard-coded
AWS credential variables (IRSA016) and role-arn annotations on anything but a ServiceAccount (IRSA017).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of, show
from irsalint.checks.labels import namespaced, plural, quoted, sa_label, workload_label
from irsalint.fix.intents import FixIntent, SetString
from irsalint.fix.model import SAFE, UNSAFE
from irsalint.graph import ROLE_ARN_ANNOTATION, IrsaGraph, MatchStatus
from irsalint.iam import is_valid_role_arn
from irsalint.injection import injected_names
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

def _sa_entity(sa: ServiceAccount) -> str:
    return f"ServiceAccount {sa_label(sa)}"


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
        fix = suggested_arn(value)
        instead = f'Write "{fix}".' if fix else f"Write {EXPECTED_SHAPE}."
        yield Hit(
            f"The role-arn annotation of {_sa_entity(sa)} is not a valid role ARN: {arn_problem(value)}. The value "
            f"is {quoted(value, 70)}. {instead} (The webhook injects it anyway: every AWS call of the pods fails.)",
            annotation.loc,
            entity_of(sa),
            _kustomizations(sa.related),
            rendering=rendering_of(sa),
            fix=_arn_fix(graph, sa, annotation, value, fix) if fix else None,
        )


def _arn_fix(graph: IrsaGraph, sa: ServiceAccount, annotation: Annotation, value: str, arn: str) -> FixIntent:
    """Safe when the corrected ARN names exactly one scanned role (the repository confirms it);
    otherwise only offered as unsafe: the correction is mechanical, the role it names unchecked."""
    roles = graph.roles_for_arn(arn, sa)
    if len(roles) == 1:
        return FixIntent(f'Write "{arn}" (role {roles[0].address})', SAFE, (SetString(annotation.loc, value, arn),))
    return FixIntent(f'Write "{arn}" (no scanned role confirms it)', UNSAFE, (SetString(annotation.loc, value, arn),))


def arn_problem(value: str) -> str:
    """What is wrong with a role-arn that does not match the webhook's pattern, in a few words."""
    if not value.strip():
        return "it is empty"
    if value != value.strip():
        if "\n" in value and value.strip() == value.rstrip("\n").strip():
            return "it ends with a newline (use `|-`, not `|` or `>`)"
        return "it has leading or trailing whitespace"
    if any(c.isspace() for c in value):
        return "it contains whitespace"
    if value[0] in "\"'" or value[-1] in "\"'":
        return "it contains quote characters (quoted twice?)"
    if not value.startswith("arn:"):
        if ":" not in value and "/" not in value:
            return "it is a bare role name (the webhook does not complete it)"
        return 'it does not start with "arn:"'
    parts = value.split(":", 5)
    if len(parts) < 6:
        if len(parts) == 5 and parts[2] == "iam":
            if parts[3] == "" and parts[4].startswith("role/"):
                return "the 12-digit account id is missing"
            if _ACCOUNT_RE.match(parts[3]):
                return 'a ":" is missing (IAM ARNs have an empty region: "iam::<account>")'
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
        elif parts[5] and "/" not in parts[5] and ":" not in parts[5] and parts[5] not in _IAM_RESOURCE_TYPES:
            parts[5] = "role/" + parts[5]  # arn:aws:iam::111122223333:my-role
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
        scanned = f" ({plural(len(workloads), 'scanned workload')} among them.)" if workloads else ""
        yield Hit(
            f"{ROLE_ARN_ANNOTATION} on ServiceAccount {sa_label(sa)} gives the role to every pod of {namespace} "
            f"without a serviceAccountName.{scanned} Move it to a dedicated ServiceAccount and set "
            "serviceAccountName in the workloads that need the role.",
            annotation.loc,
            entity_of(sa),
            tuple((f"{workload_label(w)} runs as it", w.name_loc) for w in workloads[:5])
            + _kustomizations(sa.related),
            rendering=rendering_of(sa),
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
        injected = _injected(workload)
        for variable in workload.env:
            if variable.name in injected.get(variable.container, ()):
                continue  # the webhook's, in a dumped Pod: IRSA019 judges whether it is current
            where = f"Container {variable.container} of {workload_label(workload)}"
            if variable.name in WEB_IDENTITY_VARIABLES:
                message = (
                    f"{where} sets {variable.name}, which turns its IRSA role off. It runs as {_sa_entity(sa)}, "
                    "but the webhook then injects no web identity and the SDK falls back to the node role or "
                    "fails: remove the variable."
                )
            elif variable.name in STATIC_KEY_VARIABLES:
                message = (
                    f"{where} sets {variable.name}, which overrides its IRSA role. Static keys win over the web "
                    f"identity in every SDK: remove them and grant what they allowed to the role of {_sa_entity(sa)}."
                )
            else:
                continue
            yield Hit(
                message,
                variable.loc,
                f"{entity_of(workload)} {variable.container}",
                (("the ServiceAccount's role-arn", sa_loc),) + _kustomizations(workload.related),
                rendering=rendering_of(workload),
            )


def _injected(workload: Workload) -> dict[str, frozenset[str]]:
    """Container -> the variables the webhook injected into it (dumped Pods only)."""
    if workload.live is None or workload.kind != "Pod":
        return {}
    return {c: injected_names(workload, c) for c in {v.container for v in workload.env}}


# --- IRSA017 misplaced-annotation -----------------------------------------------------------------


def misplaced_annotation(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA017 on objects with a pod template only (SPEC §4.1): that is where someone could think
    the webhook looks. Objects that carry the annotation to a ServiceAccount (Crossplane
    ControllerConfig, ...) are read as ServiceAccount sources instead; other kinds are silent."""
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


def _misplaced_on_workload(graph: IrsaGraph, workload: Workload, part: str, annotation: Annotation) -> Hit:
    where = workload_label(workload) if workload.kind == "Pod" else f"the {part} of {workload_label(workload)}"
    sa_name: Str = workload.service_account
    target = f"ServiceAccount {namespaced(workload.namespace, sa_name)}"
    if sa_name == "default":
        instead = (
            "Its pods run as the namespace's default ServiceAccount: create a dedicated ServiceAccount with "
            "this annotation and set serviceAccountName to it."
        )
    else:
        instead = f"Put it on {target}, which its pods run as."
    related: tuple[tuple[str, Location], ...] = ()
    for sa in graph.service_accounts_of_workload(workload):
        existing = sa.annotation(ROLE_ARN_ANNOTATION)
        if existing is not None:
            instead = f"{target}, which its pods run as, has a role-arn already, and that one applies: delete this one."
            related = (("the ServiceAccount's role-arn", existing.loc),)
        else:
            related = (("the ServiceAccount", sa.name_loc),)
        break
    return Hit(
        f"{ROLE_ARN_ANNOTATION} on {where} does nothing: the webhook reads it only from ServiceAccounts. {instead}",
        annotation.loc,
        entity_of(workload),
        related + _kustomizations(workload.related),
        rendering=rendering_of(workload),
    )
