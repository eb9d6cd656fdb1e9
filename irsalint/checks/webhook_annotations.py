"""IRSA023: annotations the pod identity webhook never reads as meant. Near-miss keys of its own
annotations (`eks.amazon.com/role-arn`, `eks.amazonaws.com/rolearn`, wrong case, stray spaces),
keys on the wrong kind of object, and values it rejects or that cannot work:
`sts-regional-endpoints` that Go's `strconv.ParseBool` refuses, an `audience` the role's trust does
not admit, `skip-containers` naming no container of the pod (the webhook splits the list as CSV and
does not trim spaces). Sources: amazon-eks-pod-identity-webhook `pkg/annotations.go`,
`pkg/cache/cache.go`, `pkg/handler/handler.go`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of
from irsalint.checks.labels import join_some, quoted, role_label, sa_label, workload_label
from irsalint.graph import IrsaGraph, MatchStatus
from irsalint.iam import is_positive_string_operator, service_account_claims, trust_admits
from irsalint.model import Annotation, IamRole, Location, ServiceAccount, Workload
from irsalint.placeholders import has_placeholder
from irsalint.record import record
from irsalint.suggest import edit_distance

DOMAIN = "eks.amazonaws.com"
ROLE_ARN = f"{DOMAIN}/role-arn"
AUDIENCE = f"{DOMAIN}/audience"
REGIONAL_STS = f"{DOMAIN}/sts-regional-endpoints"
TOKEN_EXPIRATION = f"{DOMAIN}/token-expiration"
SKIP_CONTAINERS = f"{DOMAIN}/skip-containers"
ENDPOINT_URL = f"{DOMAIN}/endpoint-url"

# what a key the webhook did not see leaves undone
WEBHOOK_KEYS = {
    ROLE_ARN: "its pods get no web identity from the webhook",
    AUDIENCE: "tokens keep the default audience",
    REGIONAL_STS: "the STS endpoint setting is not applied",
    TOKEN_EXPIRATION: "the default token lifetime applies",
    SKIP_CONTAINERS: "every container gets the credentials",
    ENDPOINT_URL: "AWS_ENDPOINT_URL is not injected",
}
SERVICE_ACCOUNT_ONLY = (ROLE_ARN, AUDIENCE, REGIONAL_STS)  # read from the ServiceAccount (cache.go)
POD_ONLY = (SKIP_CONTAINERS,)  # read from the pod (handler.go)
# other tools' keys in the same domain, never typos
OTHER_KEYS = frozenset(
    {
        f"{DOMAIN}/ecr-role-arn", f"{DOMAIN}/compute-type", f"{DOMAIN}/fargate-profile",
        f"{DOMAIN}/nodegroup", f"{DOMAIN}/capacityType", f"{DOMAIN}/sourceLaunchTemplateId",
        f"{DOMAIN}/sourceLaunchTemplateVersion", f"{DOMAIN}/nodegroup-image", "iam.amazonaws.com/role",
    }
)  # fmt: skip
# strconv.ParseBool
GO_BOOLS = frozenset({"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"})


@record
class NearMiss:
    intended: str  # the webhook key that was meant
    why: str  # how it differs, in a few words


def near_miss(key: str) -> NearMiss | None:
    """The webhook annotation `key` was most likely meant to be, when it is not one itself."""
    if key in WEBHOOK_KEYS or key in OTHER_KEYS:
        return None
    stripped = key.strip()
    domain, slash, name = stripped.rpartition("/")
    domain, name = domain.strip(), name.strip()
    for intended in WEBHOOK_KEYS:
        wanted = intended.rpartition("/")[2]
        if not _name_close(name, wanted):
            continue
        if not slash:  # only a bare role-arn: "audience" alone is anybody's key (see _keys)
            if intended == ROLE_ARN and _squashed(name) == _squashed(wanted):
                return NearMiss(intended, f'it has no "{DOMAIN}/" prefix')
            continue
        # another AWS domain (kube2iam's iam.amazonaws.com) or a webhook run with its own
        # --annotation-prefix (k8s.amazonaws.com) is not a typo of this one
        if domain.lower() != DOMAIN and ("eks" not in domain.lower() or edit_distance(domain.lower(), DOMAIN) > 3):
            continue
        return NearMiss(intended, _difference(key, domain, name, intended, wanted))
    return None


def _squashed(text: str) -> str:
    return text.lower().replace("-", "").replace("_", "")


def _name_close(name: str, wanted: str) -> bool:
    if _squashed(name) == _squashed(wanted):
        return True
    candidate, limit = name.lower().replace("_", "-"), max(1, len(wanted) // 8)
    # the distance is at least the difference in length: a long key such as every dumped object's
    # `kubectl.kubernetes.io/last-applied-configuration` is never close, and never measured
    return abs(len(candidate) - len(wanted)) <= limit and edit_distance(candidate, wanted) <= limit


def _difference(key: str, domain: str, name: str, intended: str, wanted: str) -> str:
    if key != key.strip() or key.strip() != f"{domain}/{name}":
        return "it has stray spaces"
    if key.lower() == intended:
        return "annotation keys are case-sensitive"
    if domain != DOMAIN:
        return f'the domain is "{domain}", not "{DOMAIN}"'
    if name.replace("_", "-") == wanted:
        return 'it has "_" where the key has "-"'
    return f'"{name}" is not "{wanted}"'


def annotation_key_typo(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.service_accounts:
        where = f"ServiceAccount {sa_label(sa)}"
        yield from _keys(sa.annotations, where, False, entity_of(sa), rendering_of(sa))
        yield from _service_account_values(graph, sa, where)
    for workload in graph.workloads:
        where = workload_label(workload)
        keys = workload.template_annotations
        yield from _keys(keys, where, True, entity_of(workload), rendering_of(workload))
        yield from _skip_containers(workload, where)


# --- keys ------------------------------------------------------------------------------------------


def _keys(annotations: Sequence[Annotation], where: str, pod: bool, entity: str, rendering: str) -> Iterator[Hit]:
    present = {a.key for a in annotations}
    for annotation in annotations:
        miss = near_miss(annotation.key)
        if miss is not None and "/" not in annotation.key and ":role/" not in str(annotation.value):
            miss = None  # a bare "role-arn" key is a typo only when it holds a role ARN
        if miss is not None:
            target = " on the ServiceAccount" if pod and miss.intended in SERVICE_ACCOUNT_ONLY else ""
            if miss.intended in present:
                effect = f"{miss.intended} is set next to it, so this one is dead: delete it."
            else:
                consequence = WEBHOOK_KEYS[miss.intended]
                effect = f'{consequence[0].upper()}{consequence[1:]}. Write "{miss.intended}"{target}.'
            yield Hit(
                f"The webhook ignores {quoted(annotation.key, 50)} on {where}: {miss.why}. {effect}",
                annotation.loc,
                f"{entity} {annotation.key}",
                rendering=rendering,
            )
        elif pod and annotation.key in SERVICE_ACCOUNT_ONLY and annotation.key != ROLE_ARN:  # role-arn: IRSA017
            yield Hit(
                f"The webhook reads {annotation.key} only from ServiceAccounts, not from pods. On {where}, "
                f"{WEBHOOK_KEYS[annotation.key]}: move it to the ServiceAccount.",
                annotation.loc,
                f"{entity} {annotation.key}",
                rendering=rendering,
            )
        elif not pod and annotation.key in POD_ONLY:
            yield Hit(
                f"The webhook reads {annotation.key} only from pods, not from ServiceAccounts. On {where}, "
                f"{WEBHOOK_KEYS[annotation.key]}: move it to the pod template of the workloads.",
                annotation.loc,
                f"{entity} {annotation.key}",
                rendering=rendering,
            )


# --- values on ServiceAccounts ---------------------------------------------------------------------


def _service_account_values(graph: IrsaGraph, sa: ServiceAccount, where: str) -> Iterator[Hit]:
    regional = sa.annotation(REGIONAL_STS)
    if regional is not None and isinstance(regional.value, str) and regional.value not in GO_BOOLS:
        yield Hit(
            f"{REGIONAL_STS} {quoted(regional.value, 40)} on {where} is not a boolean: the webhook ignores it "
            'and keeps its default. Write "true" (or "false").',
            regional.loc,
            f"{entity_of(sa)} {REGIONAL_STS}",
            rendering=rendering_of(sa),
        )
    audience = sa.annotation(AUDIENCE)
    if audience is not None and isinstance(audience.value, str) and not has_placeholder(audience.value):
        hit = _audience_mismatch(graph, sa, audience, audience.value, where)
        if hit is not None:
            yield hit


def _audience_mismatch(graph: IrsaGraph, sa: ServiceAccount, annotation: Annotation, audience: str, where: str) -> Hit | None:
    """The trust admits the ServiceAccount with the audiences it names, but not with this one."""
    match = graph.sa_matches[sa.id]
    if match.status is not MatchStatus.MATCHED or not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
        return None
    roles = [graph.roles[r] for r in match.role_ids]
    if len(roles) != 1 or roles[0].trust is None:
        return None
    role = roles[0]
    assert role.trust is not None
    subject = service_account_claims(sa.namespace, sa.name)["sub"]
    if trust_admits(role.trust, {"sub": subject, "aud": audience}) is not False:
        return None
    wanted = _trusted_audiences(role)
    if not any(trust_admits(role.trust, {"sub": subject, "aud": a}) is True for a in wanted):
        return None  # the ServiceAccount is not admitted at all: IRSA001's finding
    return Hit(
        f"{where} asks for tokens with audience {quoted(audience, 40)}, which its role's trust does not admit. "
        f"Role {role_label(role)} admits {join_some([quoted(a) for a in wanted], 2)} in `:aud`, so its pods get "
        "AccessDenied: remove the annotation, or change the trust (and the provider's client IDs) to match.",
        annotation.loc,
        f"{entity_of(sa)} {AUDIENCE}",
        _aud_conditions(role),
        rendering=rendering_of(sa),
    )


def _trusted_audiences(role: IamRole) -> list[str]:
    found: list[str] = []
    if role.trust is not None:
        for statement in role.trust.statements:
            for condition in statement.conditions:
                if condition.claim == "aud" and is_positive_string_operator(condition.operator):
                    found.extend(t for t in condition.values.texts() if isinstance(t, str))
    return list(dict.fromkeys(found))


def _aud_conditions(role: IamRole) -> tuple[tuple[str, Location], ...]:
    if role.trust is None:
        return ()
    return tuple(
        ("the trust's `:aud` condition", c.loc)
        for s in role.trust.statements
        for c in s.conditions
        if c.claim == "aud" and is_positive_string_operator(c.operator)
    )[:2]


# --- skip-containers on pods -------------------------------------------------------------------------


def skip_container_names(value: str) -> list[str] | None:
    """The names the webhook skips: the first CSV record, fields untrimmed (Go's encoding/csv
    defaults); None when a quote makes the parse uncertain (Go then skips nothing)."""
    if '"' in value or "\n" in value or "\r" in value:
        return None
    import csv  # here: most runs never read the annotation

    return next(csv.reader([value]), [])


def _skip_containers(workload: Workload, where: str) -> Iterator[Hit]:
    for annotation in workload.template_annotations:
        if annotation.key != SKIP_CONTAINERS or not isinstance(annotation.value, str):
            continue
        names = skip_container_names(annotation.value)
        containers = workload.containers
        if names is None or containers is None or not all(isinstance(c, str) for c in containers):
            continue
        known = {c for c in containers if isinstance(c, str)}
        missing = [n for n in names if n not in known and n != ""]
        if not missing:
            continue
        spaced = [n for n in missing if n.strip() in known]
        if spaced:
            why = f"{quoted(spaced[0], 40)} keeps its spaces (the webhook does not trim them)"
        else:
            why = f"there is no container {quoted(missing[0], 40)}"
        yield Hit(
            f"{SKIP_CONTAINERS} on {where} names a container the pod does not have. {why[0].upper()}{why[1:]}: the "
            f"intended container still gets the credentials. The pod has {join_some(sorted(known), 4)}.",
            annotation.loc,
            f"{entity_of(workload)} {SKIP_CONTAINERS}",
            rendering=rendering_of(workload),
        )
