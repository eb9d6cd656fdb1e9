"""Trust conditions that never test what their author meant (rules from the field):
a `*` in a StringEquals `:sub`/`:aud` value (IRSA021), a condition key no token carries
(IRSA022), and set operators on the single-valued `:sub`/`:aud` claims (IRSA027).

All three point at the condition inside the trust (SPEC §4.1), with the role as related location.
IRSA010 leaves an `:aud` to IRSA021 or IRSA022 when they explain it (`audience_owned_elsewhere`),
and IRSA012 leaves a malformed key to IRSA022 (`malformed_key`): one defect, one finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, eks_statements, role_related
from irsalint.checks.issuer_keys import OIDC_CLAIMS, corrected_issuer, issuer_problem
from irsalint.checks.labels import quoted, role_label, short_issuer
from irsalint.graph import IrsaGraph
from irsalint.iam import SA_SUBJECT_PREFIX, STS_AUDIENCE, base_operator, has_wildcard
from irsalint.model import Condition
from irsalint.placeholders import PLACEHOLDER_RE, has_placeholder

_LITERAL_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase")
_AUDIENCES = (STS_AUDIENCE, "pods.eks.amazonaws.com")
# what to write instead of a StringEquals wildcard, for the modules that render the trust
_MODULE_PATTERN_INPUT = {
    "module:iam-role-for-service-accounts-eks": 'set assume_role_condition_test = "StringLike"',
    "module:iam-eks-role": 'set assume_role_condition_test = "StringLike"',
    "module:eks-blueprints-addon": 'set assume_role_condition_test = "StringLike"',
    "module:iam-role-for-service-accounts": 'set trust_condition_test = "StringLike"',
    "module:iam-assumable-role-with-oidc": "move it to oidc_subjects_with_wildcards",
    "module:iam-role": "move it to oidc_wildcard_subjects",
}


# --- IRSA021 stringequals-wildcard ------------------------------------------------------------------


def literal_wildcards(condition: Condition) -> list[str]:
    """The values a positive StringEquals(IgnoreCase) `:sub`/`:aud` condition compares with a
    `*` or `?` in them (placeholders such as `${var.ns}` aside)."""
    operator = condition.operator
    if condition.claim not in ("sub", "aud") or not isinstance(operator, str):
        return []
    if base_operator(operator) not in _LITERAL_OPERATORS:
        return []
    return [t for t in condition.values.texts() if isinstance(t, str) and has_wildcard(PLACEHOLDER_RE.sub("", t))]


def stringequals_wildcard(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for role, statement in eks_statements(graph):
        for condition in statement.conditions:
            values = literal_wildcards(condition)
            if not values:
                continue
            claim = condition.claim
            who = "ServiceAccount" if claim == "sub" else "token"
            char = next(c for c in PLACEHOLDER_RE.sub("", values[0]) if c in "*?")
            instead = _MODULE_PATTERN_INPUT.get(role.kind, "use StringLike")
            exact = "subjects" if claim == "sub" else f'audience "{STS_AUDIENCE}"'
            operator = str(condition.operator)
            if len(values) == len(condition.values.values):
                head = (
                    f"This `:{claim}` condition of role {role_label(role)} matches no {who}: {operator} takes the "
                    f"`{char}` literally. The value is {quoted(values[0], 80)}, so its pods get AccessDenied."
                )
            else:
                head = (
                    f"A `:{claim}` value of role {role_label(role)} matches no {who}: {operator} takes its `{char}` "
                    f"literally. The value is {quoted(values[0], 80)}; the other values still match, pods meant for "
                    "the pattern get AccessDenied."
                )
            yield Hit(
                message=(
                    f"{head} To match a pattern, {instead} (a pattern widens the trust, see IRSA009), or list the "
                    f"exact {exact}."
                ),
                loc=condition.loc,
                entity=f"Role {role.address} {claim} {values[0]}",
                related=role_related(role, condition.loc),
            )


# --- IRSA022 malformed-condition-key ------------------------------------------------------------------


def _key_problem(condition: Condition) -> str | None:
    """Why this web-identity condition's key is never in the request, or None."""
    key, issuer, claim = condition.key, condition.issuer, condition.claim
    if not isinstance(key, str) or not isinstance(issuer, str) or not isinstance(claim, str):
        return None
    if claim not in OIDC_CLAIMS or has_placeholder(key) or issuer.startswith(("aws:", "sts:", "iam:")):
        return None
    problem = issuer_problem(issuer)
    return None if problem is None else problem.text


def _swapped_claim(condition: Condition) -> str | None:
    """A `:sub` key holding an audience, or an `:aud` key holding a ServiceAccount subject."""
    texts = [t for t in condition.values.texts() if isinstance(t, str)]
    if condition.claim == "sub" and any(t in _AUDIENCES for t in texts):
        return "its `:sub` key holds an audience"
    if condition.claim == "aud" and any(t.startswith(SA_SUBJECT_PREFIX) for t in texts):
        return "its `:aud` key holds a ServiceAccount subject"
    return None


def audience_owned_elsewhere(condition: Condition) -> bool:
    """IRSA021 (a literal wildcard) or IRSA022 (a subject in `:aud`) reports this `:aud`
    condition: IRSA010 does not report its value again."""
    return bool(literal_wildcards(condition)) or _swapped_claim(condition) is not None


def malformed_key(condition: Condition) -> bool:
    """IRSA022 reports this condition's key: IRSA012 does not compare its issuer."""
    return _key_problem(condition) is not None


def malformed_condition_key(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """One finding per trust statement: a wrong prefix is usually written once per key."""
    for role, statement in eks_statements(graph):
        malformed = [(c, p) for c in statement.conditions if (p := _key_problem(c)) is not None]
        swapped = [(c, p) for c in statement.conditions if (p := _swapped_claim(c)) is not None]
        found = malformed or swapped
        if not found:
            continue
        condition, problem = found[0]
        if malformed:
            issuer = str(condition.issuer)
            fix = corrected_issuer(issuer)
            instead = f'Write "{fix}:{condition.claim}".' if fix else "Write the provider's issuer: <host>/<path>:<claim>."
            head = (
                f"The `:{condition.claim}` condition key of role {role_label(role)} is never in the token: {problem}. "
                f"The key is {quoted(str(condition.key), 160)}."
            )
            entity = f"Role {role.address} key {short_issuer(issuer)}"
        else:
            instead = (
                "Swap the values: `:sub` takes system:serviceaccount:<namespace>:<name>, `:aud` takes "
                f'"{STS_AUDIENCE}".'
            )
            head = f"The trust of role {role_label(role)} never matches a token: {problem}."
            entity = f"Role {role.address} swapped claims"
        yield Hit(
            message=f"{head} Its pods get AccessDenied. {instead}",
            loc=condition.loc,
            entity=entity,
            related=role_related(role, condition.loc)
            + tuple((f"condition key {c.key}", c.loc) for c, _ in found[1:] if c.loc != condition.loc),
        )


# --- IRSA027 multivalued-operator ---------------------------------------------------------------------


def multivalued_operator(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """One finding per operator of a statement: JSON writes it once above all its keys."""
    for role, statement in eks_statements(graph):
        by_operator: dict[str, list[Condition]] = {}
        for condition in statement.conditions:
            operator = condition.operator
            if condition.claim in ("sub", "aud") and isinstance(operator, str):
                if operator.partition(":")[0] in ("ForAllValues", "ForAnyValue") and ":" in operator:
                    by_operator.setdefault(operator, []).append(condition)
        for operator, found in by_operator.items():
            qualifier, _, plain = operator.partition(":")
            if qualifier == "ForAllValues":
                risk = "an operator for multivalued keys that also matches a request without the key"
            else:
                risk = "an operator for multivalued keys"
            claims = " and ".join(dict.fromkeys(f"`:{c.claim}`" for c in found))
            yield Hit(
                message=(
                    f"Role {role_label(role)} tests the single-valued {claims} with {operator}. It is {risk}: "
                    f"write {plain}."
                ),
                loc=found[0].loc,
                entity=f"Role {role.address} {operator}",
                related=role_related(role, found[0].loc) + tuple(
                    (f"condition key {c.key}", c.loc) for c in found[1:] if c.loc != found[0].loc
                ),
            )
