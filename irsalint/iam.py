"""IAM semantics, pure functions: ARNs, condition operators, trust-policy evaluation.

Verdicts are three-valued (`Tri`): True, False, or None when an unknown value could change the
answer. Rules only speak on True/False, so an unknown never becomes a false positive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from irsalint.model import UNKNOWN, Condition, IamRole, Partial, PolicyDocument, Statement, Str
from irsalint.record import record
from irsalint.suggest import edit_distance

Tri = bool | None

# The webhook's own pattern (Go RE2: `\d`, `\w` are ASCII and `$` is the end of the text, so a
# trailing newline from a YAML block scalar does not match): hence re.ASCII and \Z.
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z0-9-]*:iam::\d{12}:role/[\w+=,.@/-]+\Z", re.ASCII)
_ARN_PARTS_RE = re.compile(r"^arn:(aws[a-z0-9-]*):iam::(\d{12}|\*|):role(/.*)$")

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
SA_SUBJECT_PREFIX = "system:serviceaccount:"
STS_AUDIENCE = "sts.amazonaws.com"
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"  # the EKS Pod Identity Agent


@record
class RoleArn:
    partition: str
    account: str
    path: str  # "/" or "/a/b/"
    name: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role{self.path}{self.name}"


def is_valid_role_arn(text: str) -> bool:
    return ROLE_ARN_RE.match(text) is not None


def parse_role_arn(text: str) -> RoleArn | None:
    """Split a well-formed role ARN; None when it does not match the webhook's expectations."""
    if not is_valid_role_arn(text):
        return None
    match = _ARN_PARTS_RE.match(text)
    if match is None:  # pragma: no cover - ROLE_ARN_RE is stricter
        return None
    partition, account, resource = match.groups()
    path, _, name = resource.rpartition("/")
    if not name:
        return None  # "role/a/": a path with no role name
    return RoleArn(partition, account, path + "/", name)


@record
class RoleArnPattern:
    """A role ARN whose parts may be placeholders: None for an unknown partition, account or
    path; the name may be partly known (`${CLUSTER_NAME}-irsa-kuard`)."""

    partition: str | None
    account: str | None
    path: str | None  # "/" or "/a/b/"
    name: str | Partial

    @property
    def exact(self) -> bool:
        return isinstance(self.name, str) and None not in (self.partition, self.account, self.path)


_HOLE = "\x00"
_PATTERN_PARTS_RE = re.compile(r"^arn:([^:]*):iam::([^:]*):role(/.*)$", re.DOTALL)
_NAME_CHARS_RE = re.compile(r"^[\w+=,.@\x00-]+$", re.ASCII)


def role_arn_pattern(value: str | Partial) -> RoleArnPattern | None:
    """A role ARN, or one with placeholders for some of its parts (SPEC §3.3: an unknown partition
    or account is a wildcard for that part); None when the value is not shaped like one."""
    if isinstance(value, str):
        arn = parse_role_arn(value)
        return None if arn is None else RoleArnPattern(arn.partition, arn.account, arn.path, arn.name)
    match = _PATTERN_PARTS_RE.match(value.fill(_HOLE))
    if match is None:
        return None
    partition, account, resource = match.groups()
    if _HOLE not in partition and not re.fullmatch(r"aws[a-z0-9-]*", partition):
        return None
    if _HOLE not in account and not re.fullmatch(r"[0-9]{12}", account):
        return None
    path_part, _, name_part = resource.rpartition("/")
    if not name_part or not _NAME_CHARS_RE.match(name_part):
        return None
    holes = name_part.count(_HOLE)
    name: str | Partial = name_part
    if holes:
        name = Partial(tuple(name_part.split(_HOLE)), value.holes[len(value.holes) - holes :])
    return RoleArnPattern(
        None if _HOLE in partition else partition,
        None if _HOLE in account else account,
        None if _HOLE in path_part else path_part + "/",
        name,
    )


def oidc_issuer_of_provider_arn(arn: str) -> str | None:
    """arn:aws:iam::1:oidc-provider/oidc.eks.x.amazonaws.com/id/ABC -> oidc.eks.x.amazonaws.com/id/ABC."""
    marker = ":oidc-provider/"
    if not arn.startswith("arn:") or marker not in arn:
        return None
    return arn.split(marker, 1)[1]


def normalize_issuer(issuer: str) -> str:
    """Condition keys and provider ARNs name the issuer without scheme or trailing slash."""
    for scheme in ("https://", "http://"):
        issuer = issuer.removeprefix(scheme)
    return issuer.rstrip("/")


# --- string operators -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _like_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def string_like(pattern: str, value: str) -> bool:
    """IAM StringLike: `*` matches any run of characters (also empty), `?` exactly one; case-sensitive."""
    return _like_regex(pattern).fullmatch(value) is not None


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


_POSITIVE = {
    "StringEquals": lambda p, v: p == v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": string_like,
}
_NEGATIVE = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
}


def base_operator(operator: str) -> str:
    """Strip the set qualifiers and IfExists: for the single-valued, always-present `sub`/`aud`
    claims of a ServiceAccount token they do not change the outcome."""
    for qualifier in ("ForAnyValue:", "ForAllValues:"):
        operator = operator.removeprefix(qualifier)
    operator = operator.removesuffix("IfExists")
    return operator


def is_positive_string_operator(operator: Str) -> bool:
    return isinstance(operator, str) and base_operator(operator) in _POSITIVE


def evaluate_operator(operator: Str, policy_values: Sequence[Str], request_value: str) -> Tri:
    """Does `request_value` satisfy `operator` against any of `policy_values` (values are ORed)?"""
    if not isinstance(operator, str):
        return None
    base = base_operator(operator)
    negated = base in _NEGATIVE
    compare = _POSITIVE.get(_NEGATIVE.get(base, base))
    if compare is None:
        return None
    any_unknown = False
    any_match = False
    for value in policy_values:
        if not isinstance(value, str):
            any_unknown = True
        elif compare(value, request_value):
            any_match = True
            break
    if any_match:
        return not negated
    if any_unknown:
        return None
    return negated


# --- three-valued logic -------------------------------------------------------------------------


def tri_all(verdicts: Iterable[Tri]) -> Tri:
    result: Tri = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def tri_any(verdicts: Iterable[Tri]) -> Tri:
    result: Tri = False
    for verdict in verdicts:
        if verdict is True:
            return True
        if verdict is None:
            result = None
    return result


def _weaken(verdict: Tri, complete: bool) -> Tri:
    """A False drawn from an incomplete reading could be True in reality."""
    return None if verdict is False and not complete else verdict


# --- trust policies -----------------------------------------------------------------------------


def action_matches(patterns: Sequence[Str], action: str) -> Tri:
    """IAM action matching is case-insensitive and supports wildcards."""
    return tri_any(
        None if not isinstance(p, str) else string_like(p.lower(), action.lower()) for p in patterns
    )


def principal_types(statement: Statement) -> set[Str]:
    return {principal.type for principal in statement.principals}


def is_web_identity_statement(statement: Statement) -> Tri:
    """An Allow statement letting a federated (OIDC) principal call AssumeRoleWithWebIdentity."""
    if statement.effect is UNKNOWN:
        return None
    if statement.effect != "Allow":
        return False
    return _grants_web_identity(statement)


def _grants_web_identity(statement: Statement) -> Tri:
    """Principal and action part of the question, whatever the effect."""
    types = principal_types(statement)
    if "Federated" not in types and UNKNOWN not in types:
        return False
    if statement.actions is not None:
        verdict = _weaken(action_matches(statement.actions.texts(), WEB_IDENTITY_ACTION), statement.actions.complete)
    elif statement.not_actions is not None:  # NotAction: everything not listed
        excluded = action_matches(statement.not_actions.texts(), WEB_IDENTITY_ACTION)
        verdict = None if excluded is None else not excluded
        if verdict is True and not statement.not_actions.complete:
            verdict = None
    else:
        return False
    if verdict is True and "Federated" not in types:
        return None  # the principal type is unknown
    return verdict


def condition_admits(condition: Condition, claims: Mapping[str, str]) -> Tri:
    if not isinstance(condition.claim, str):
        return None
    if isinstance(condition.key, str) and not _is_oidc_claim_key(condition.key):
        return None  # some other global key (aws:SourceIp...): not ours to decide
    request_value = claims.get(condition.claim)
    if request_value is None:
        return None
    verdict = evaluate_operator(condition.operator, condition.values.texts(), request_value)
    if condition.values.complete:
        return verdict
    # Values we could not read could still match: that can flip a positive False or a negated True.
    flippable = _is_negative(condition.operator)
    return None if verdict is flippable else verdict


def _is_negative(operator: Str) -> bool:
    return isinstance(operator, str) and base_operator(operator) in _NEGATIVE


def _is_oidc_claim_key(key: str) -> bool:
    return not key.startswith(("aws:", "sts:", "iam:")) and ":" in key


def statement_admits(statement: Statement, claims: Mapping[str, str]) -> Tri:
    """Would a token with these claims satisfy this statement (principal/action aside)?"""
    verdict = tri_all(condition_admits(c, claims) for c in statement.conditions)
    return _weaken(verdict, statement.conditions_complete)


def trust_admits(document: PolicyDocument, claims: Mapping[str, str]) -> Tri:
    """Does any web-identity Allow admit a token carrying `claims`, with no Deny matching it?"""
    allows: list[Tri] = []
    denies: list[Tri] = []
    for statement in document.statements:
        if statement.effect is UNKNOWN:
            allows.append(None if statement_admits(statement, claims) is not False else False)
            continue
        web = _grants_web_identity(statement)
        if web is False:
            continue
        applies = tri_all((web, statement_admits(statement, claims)))
        (allows if statement.effect == "Allow" else denies).append(applies)
    allowed = _weaken(tri_any(allows), document.complete)
    denied = tri_any(denies)
    if denied is True:
        return False
    return None if denied is None and allowed is True else allowed


def service_account_claims(namespace: str, name: str) -> dict[str, str]:
    return {"sub": f"{SA_SUBJECT_PREFIX}{namespace}:{name}", "aud": STS_AUDIENCE}


def sub_conditions(statement: Statement) -> tuple[Condition, ...]:
    return tuple(c for c in statement.conditions if c.claim == "sub")


def web_identity_statements(document: PolicyDocument) -> tuple[Statement, ...]:
    return tuple(s for s in document.statements if is_web_identity_statement(s) is not False)


def admitted_subjects(document: PolicyDocument) -> tuple[str, ...]:
    """The `:sub` values a trust's positive conditions name (patterns kept as written)."""
    subjects: list[str] = []
    for statement in web_identity_statements(document):
        for condition in sub_conditions(statement):
            if is_positive_string_operator(condition.operator):
                subjects.extend(v for v in condition.values.texts() if isinstance(v, str))
    return tuple(dict.fromkeys(subjects))


# --- role matching ------------------------------------------------------------------------------


def role_matches_arn(role: IamRole, arn: RoleArn) -> Tri:
    """SPEC §3.3: name (or name prefix), path and, when known on both sides, account."""
    if isinstance(role.account, str) and role.account != arn.account:
        return False
    if isinstance(role.path, str) and _normalize_path(role.path) != arn.path:
        return False
    if not isinstance(role.name, str):
        return None
    named = arn.name.startswith(role.name) if role.name_is_prefix else role.name == arn.name
    # With the path unknown, a name match is only a "maybe".
    return None if named and not isinstance(role.path, str) else named


def _normalize_path(path: str) -> str:
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    return path


def within_edits(a: str, b: str, limit: int) -> bool:
    """edit_distance(a, b) <= limit, without measuring pairs whose lengths already differ by more
    (comparing one name with thousands: an account dump's roles)."""
    return abs(len(a) - len(b)) <= limit and edit_distance(a, b) <= limit


def admits_pod_identity(statement: Statement) -> Tri:
    """Does this statement's principal include pods.eks.amazonaws.com (None: cannot tell)?"""
    verdicts: list[Tri] = []
    for principal in statement.principals:
        if principal.type == "*":
            verdicts.append(True)
        elif principal.type in ("Service", UNKNOWN):
            texts = principal.values.texts()
            hit = any(t == POD_IDENTITY_PRINCIPAL for t in texts)
            unknown = any(not isinstance(t, str) for t in texts) or not principal.values.complete
            verdict: Tri = True if hit else (None if unknown else False)
            if verdict is True and principal.type is UNKNOWN:
                verdict = None
            verdicts.append(verdict)
    return tri_any(verdicts)
