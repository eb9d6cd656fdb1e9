"""Checks that read trust policies: does the role admit the ServiceAccount that names it?"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from irsalint.checks.base import Hit, eks_statements, entity_of, rendering_of, role_related, show
from irsalint.checks.conditions import audience_owned_elsewhere, malformed_key
from irsalint.checks.labels import join_some, role_label, sa_label, short_issuer
from irsalint.checks.typo import typo_fix
from irsalint.fix.intents import AddAudience, FixIntent
from irsalint.fix.model import UNSAFE
from irsalint.graph import IrsaGraph, MatchStatus
from irsalint.iam import (
    SA_SUBJECT_PREFIX,
    STS_AUDIENCE,
    admitted_subjects,
    base_operator,
    evaluate_operator,
    has_wildcard,
    is_positive_string_operator,
    is_web_identity_statement,
    normalize_issuer,
    oidc_issuer_of_provider_arn,
    service_account_claims,
    string_like,
    sub_conditions,
    trust_admits,
    web_identity_statements,
    within_edits,
)
from irsalint.model import UNKNOWN, Condition, IamRole, Location, ServiceAccount, Statement
from irsalint.package_data import read_text
from irsalint.placeholders import has_placeholder
from irsalint.suggest import edit_distance, one_edit_apart


def trust_mismatch(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.irsa_service_accounts():
        match = graph.sa_matches[sa.id]
        if match.status is not MatchStatus.MATCHED or match.annotation is None:
            continue
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            continue
        if graph.may_be_associated(sa):
            continue  # Pod Identity wins: the annotated role is never assumed (IRSA018 says so)
        claims = service_account_claims(sa.namespace, sa.name)
        roles = [graph.roles[role_id] for role_id in match.role_ids]
        if any(role.trust is None or trust_admits(role.trust, claims) is not False for role in roles):
            continue
        role = roles[0]
        yield Hit(
            message=_message(sa, role),
            loc=match.annotation.loc,
            entity=entity_of(sa),
            related=(("the trust policy", _trust_location(role)),) + tuple(("where its namespace is set", loc) for loc in sa.related),
            rendering=rendering_of(sa),
            fix=typo_fix(graph, sa, role) if len(roles) == 1 else None,
        )


def _trust_location(role: IamRole) -> Location:
    """The `:sub` condition when there is one, else the trust attribute."""
    if role.trust is not None:
        for statement in web_identity_statements(role.trust):
            for condition in sub_conditions(statement):
                return condition.loc
    return role.trust_loc


def _message(sa: ServiceAccount, role: IamRole) -> str:
    subject = f"{SA_SUBJECT_PREFIX}{show(sa.namespace)}:{show(sa.name)}"
    head = f"ServiceAccount {sa_label(sa)} is not admitted by the trust policy of its role: its pods get AccessDenied."
    subjects = admitted_subjects(role.trust) if role.trust is not None else ()
    if not subjects:
        return f"{head} Role {role_label(role)} admits no ServiceAccount subject."
    listed = join_some([f'"{s}"' for s in subjects], 3)
    closest = min(subjects, key=lambda s: (edit_distance(subject, s), s))
    hint = _typo_hint(sa, closest)
    names = [n for n in (sa.name, closest.rpartition(":")[2]) if isinstance(n, str)]
    return f"{head} Role {role_label(role)} admits {listed}{hint}.{component_hint(names)}"


@functools.lru_cache(maxsize=1)
def platform_components() -> dict[str, tuple[str, str]]:
    """component -> (usual namespace, usual ServiceAccount), from irsalint/data."""
    data = json.loads(read_text("data/platform_components.json"))
    return {name: (c["namespace"], c["service_account"]) for name, c in data["components"].items()}


def component_hint(names: Sequence[str]) -> str:
    """' (external-secrets usually runs as external-secrets/external-secrets)' when a name involved
    is a well-known platform component's (or one edit from it)."""
    for component, (namespace, account) in sorted(platform_components().items()):
        for name in names:
            if name in (component, account) or within_edits(name, component, 1) or within_edits(name, account, 1):
                return f" {component} usually runs as {namespace}/{account}."
    return ""


def _typo_hint(sa: ServiceAccount, closest: str) -> str:
    if not closest.startswith(SA_SUBJECT_PREFIX):
        return ""
    namespace, _, name = closest[len(SA_SUBJECT_PREFIX) :].partition(":")
    if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
        return ""
    if name == sa.name and namespace != sa.namespace and one_edit_apart(namespace, sa.namespace):
        return f' — namespace "{namespace}" is one edit away: likely a typo'
    if namespace == sa.namespace and name != sa.name and one_edit_apart(name, sa.name):
        return f' — name "{name}" is one edit away: likely a typo'
    return ""


# --- trust-policy shape (IRSA008/009/010): findings point at the trust itself (SPEC §4.1) -------


def _role_label(role: IamRole) -> str:
    return role_label(role)


def trust_any_serviceaccount(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for role, statement in eks_statements(graph):
        if not statement.conditions_complete:
            continue
        if any(c.claim == "sub" for c in statement.conditions):
            continue
        if any(c.claim is UNKNOWN for c in statement.conditions):
            continue  # a computed key could be the :sub condition
        yield Hit(
            message=(
                f"Role {_role_label(role)} trusts the cluster's OIDC provider with no `:sub` condition: any "
                "ServiceAccount in the cluster can assume it. Add a `:sub` condition naming "
                f"{SA_SUBJECT_PREFIX}<namespace>:<serviceaccount>."
            ),
            loc=statement.loc,
            entity=f"Role {role.address}",
            related=role_related(role, statement.loc),
        )


_PROBE_SUBJECT = f"{SA_SUBJECT_PREFIX}irsalint-any-namespace:irsalint-any-name"


def _wildcard_scope(subject: str) -> tuple[str, bool]:
    """Who a StringLike `:sub` pattern admits, and whether the wildcard spans namespaces."""
    if string_like(subject, _PROBE_SUBJECT):
        return "every ServiceAccount in the cluster", True
    if subject.startswith(SA_SUBJECT_PREFIX):
        namespace, sep, name = subject[len(SA_SUBJECT_PREFIX) :].partition(":")
        if sep and not has_wildcard(namespace):
            if name == "*":
                return f"every ServiceAccount of namespace {namespace}", False
            return f'every ServiceAccount "{name}" of namespace {namespace}', False
        if sep:
            return f'every ServiceAccount "{name}" of every namespace "{namespace}"', True
    return "ServiceAccounts of every namespace the pattern matches", True


def _exact_sub_condition(condition: Condition) -> bool:
    """A positive `:sub` condition that admits only exact subjects: StringEquals (even with values
    we cannot read: it compares literally), or StringLike with known values holding no wildcard."""
    if not is_positive_string_operator(condition.operator):
        return False
    if isinstance(condition.operator, str) and base_operator(condition.operator) == "StringEquals":
        return True
    if not condition.values.complete:
        return False
    texts = condition.values.texts()
    return bool(texts) and all(isinstance(t, str) and not has_wildcard(t) for t in texts)


def trust_wildcard_subject(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for role, statement in eks_statements(graph):
        conditions = sub_conditions(statement)
        if any(_exact_sub_condition(c) for c in conditions):
            continue  # ANDed with exact subjects: the pattern widens nothing
        for condition in conditions:
            if not isinstance(condition.operator, str) or base_operator(condition.operator) != "StringLike":
                continue
            for subject in condition.values.texts():
                if not isinstance(subject, str) or not has_wildcard(subject):
                    continue
                who, cross_namespace = _wildcard_scope(subject)
                yield Hit(
                    message=(
                        f"Role {_role_label(role)} can be assumed by {who}. Its `:sub` pattern is \"{subject}\": "
                        f"list exact {SA_SUBJECT_PREFIX}<namespace>:<serviceaccount> subjects with StringEquals."
                    ),
                    loc=condition.loc,
                    entity=f"Role {role.address} {subject}",
                    related=role_related(role, condition.loc),
                    security_severity=9.5 if cross_namespace else None,
                )


def trust_audience(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for role, statement in eks_statements(graph):
        if not statement.conditions_complete:
            continue
        aud = [c for c in statement.conditions if c.claim == "aud"]
        if not aud:
            if any(c.claim is UNKNOWN for c in statement.conditions):
                continue
            subs = [c for c in sub_conditions(statement) if c.operator in _AUDIENCE_BESIDE]
            yield Hit(
                message=(
                    f"Role {_role_label(role)} trusts the cluster's OIDC provider with no `:aud` condition. "
                    f'Require `:aud` = "{STS_AUDIENCE}", so that only tokens issued for STS are accepted.'
                ),
                loc=statement.loc,
                entity=f"Role {role.address}",
                related=role_related(role, statement.loc),
                fix=_audience_fix(subs[0]) if subs and statement.generated_by is None else None,
            )
            continue
        for condition in aud:
            if not is_positive_string_operator(condition.operator) or not condition.values.complete:
                continue
            if audience_owned_elsewhere(condition):
                continue  # IRSA021 / IRSA022 explain this value
            texts = condition.values.texts()
            if not texts or any(not isinstance(t, str) for t in texts):
                continue
            if evaluate_operator(condition.operator, texts, STS_AUDIENCE) is not False:
                continue
            listed = ", ".join(f'"{t}"' for t in texts if isinstance(t, str))
            yield Hit(
                message=(
                    f"Role {_role_label(role)} requires the audience {listed}, so its pods get AccessDenied. The "
                    f"pod identity webhook's tokens are for \"{STS_AUDIENCE}\"."
                ),
                loc=condition.loc,
                entity=f"Role {role.address}",
                related=role_related(role, condition.loc),
            )


# `:sub` operators beside which `:aud` = sts.amazonaws.com means what it says (never under a
# negated or multi-valued operator: StringNotEquals would then refuse every STS token).
_AUDIENCE_BESIDE = frozenset({"StringEquals", "StringLike", "StringEqualsIfExists", "StringLikeIfExists"})


def _audience_fix(sub: Condition) -> FixIntent:
    """Unsafe: the trust then refuses tokens issued for another audience, which some client may
    use today (a custom token projection), so the role's behaviour changes."""
    return FixIntent(
        f'Add the `:aud` condition = "{STS_AUDIENCE}" next to the `:sub` condition', UNSAFE, (AddAudience(sub.loc),)
    )


# --- IRSA012: condition keys of another OIDC issuer than the Federated principal -------------------


def _cluster_of(path: str, clusters: Mapping[str, tuple[str, tuple[str, ...]]]) -> tuple[str, str] | None:
    for name, (provider, globs) in sorted(clusters.items()):
        if any(fnmatchcase(path, g) or fnmatchcase(path, g.rstrip("/") + "/*") for g in globs):
            issuer = oidc_issuer_of_provider_arn(provider) or provider
            return name, normalize_issuer(issuer).lower()
    return None


def _cluster_mismatches(graph: IrsaGraph, clusters: Mapping[str, tuple[str, tuple[str, ...]]]) -> Iterator[Hit]:
    """With `clusters` configured: a ServiceAccount deployed to a cluster whose provider none of
    its role's web-identity statements trusts (all of them known)."""
    for sa in graph.irsa_service_accounts():
        match = graph.sa_matches[sa.id]
        if match.status is not MatchStatus.MATCHED or match.annotation is None:
            continue
        cluster = _cluster_of(sa.name_loc.path, clusters)
        if cluster is None:
            continue
        name, issuer = cluster
        for role_id in match.role_ids:
            role = graph.roles[role_id]
            if role.trust is None:
                continue
            trusted: dict[str, str] = {}
            for statement in web_identity_statements(role.trust):
                providers = _provider_issuers(statement)
                if providers is None:
                    trusted = {}
                    break
                trusted.update(providers)
            if not trusted or issuer in trusted:
                continue
            yield Hit(
                message=(
                    f"ServiceAccount {sa_label(sa)} is deployed to cluster {name}, whose OIDC provider role "
                    f"{_role_label(role)} does not trust: its pods get AccessDenied. The role trusts "
                    f"{join_some(sorted(short_issuer(i) for i in trusted.values()), 2)}; add a statement for "
                    f"{name} ({short_issuer(issuer)}), or annotate with that cluster's role."
                ),
                loc=match.annotation.loc,
                entity=f"{entity_of(sa)} cluster {name}",
                related=(("the trust policy", _trust_location(role)),),
                rendering=rendering_of(sa),
            )


def _provider_issuers(statement: Statement) -> dict[str, str] | None:
    """Issuers of the statement's Federated principals (lowercased for comparison -> as written);
    None when any is unknown."""
    issuers: dict[str, str] = {}
    for principal in statement.principals:
        if principal.type is UNKNOWN:
            return None
        if principal.type != "Federated":
            continue
        if not principal.values.complete:
            return None
        for text in principal.values.texts():
            if not isinstance(text, str) or has_placeholder(text):
                return None
            issuer = oidc_issuer_of_provider_arn(text)
            if issuer is None:
                if text.startswith("arn:"):
                    return None  # a SAML provider or something we do not read
                issuer = text  # e.g. "cognito-identity.amazonaws.com"
            issuers[normalize_issuer(issuer).lower()] = normalize_issuer(issuer)
    return issuers or None


def _condition_issuer(condition: Condition) -> str | None:
    """The OIDC issuer a condition key names ("oidc.eks.../id/X" of "oidc.eks.../id/X:sub"), if known.
    Global keys (aws:SourceIp, sts:RoleSessionName...) name no issuer."""
    if not isinstance(condition.issuer, str) or not isinstance(condition.key, str):
        return None
    if malformed_key(condition):
        return None  # IRSA022: the key is never in the request, whatever its issuer
    if has_placeholder(condition.key) or "." not in condition.issuer:
        return None
    return normalize_issuer(condition.issuer).lower()


def oidc_provider_mismatch(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    clusters = params.get("clusters")
    if clusters:
        yield from _cluster_mismatches(graph, clusters)
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        if role.trust is None:
            continue
        for statement in role.trust.statements:
            if is_web_identity_statement(statement) is not True:
                continue
            providers = _provider_issuers(statement)
            if providers is None:
                continue
            wrong = [c for c in statement.conditions if (issuer := _condition_issuer(c)) is not None and issuer not in providers]
            if not wrong:
                continue
            yield _issuer_mismatch(role, statement, providers, wrong)


def _issuer_mismatch(role: IamRole, statement: Statement, providers: dict[str, str], wrong: list[Condition]) -> Hit:
    """IRSA012, once per trust statement, naming every condition key of another issuer."""
    effects = set()
    for condition in wrong:
        operator = condition.operator if isinstance(condition.operator, str) else ""
        skipped = operator.endswith("IfExists") or base_operator(operator or "x").startswith("StringNot")
        effects.add("skipped" if skipped else "fails")
    provider = join_some(sorted(short_issuer(p) for p in providers.values()), 2)
    named = join_some(sorted({short_issuer(str(c.issuer)) for c in wrong}), 2)
    keys = join_some([f'"{c.key}"' for c in wrong], 2)
    if effects == {"skipped"}:
        effect = "they restrict nothing"
    else:
        effect = "they never match, so its pods get AccessDenied"
    return Hit(
        message=(
            f"The trust of role {_role_label(role)} tests condition keys of another OIDC issuer: {effect}. "
            f"The provider is {provider}, the keys name {named}: use the provider's issuer in {keys} (a trust "
            "copied from another cluster, or a recreated cluster?)."
        ),
        loc=wrong[0].loc,
        entity=f"Role {role.address} statement {statement.loc.line}",
        related=role_related(role, wrong[0].loc) + tuple(
            (f"condition key {c.key}", c.loc) for c in wrong[1:]
        ) + tuple(
            ("the Federated principal", v.loc)
            for p in statement.principals if p.type == "Federated"
            for v in p.values.values if v.loc != wrong[0].loc
        )[:1],
    )
