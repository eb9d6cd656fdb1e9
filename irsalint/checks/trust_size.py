"""IRSA026: trust policies over (or close to) IAM's size quota for a role's trust policy
(ACLSizePerRole: 2,048 characters by default, raised on request; `trust_policy_size_quota`).

IAM does not count whitespace, so the measure is the minified JSON: the length of
`json.dumps(document, separators=(",", ":"))`. `rendered_trust` rebuilds the known part of the
document as AWS stores it, and its length is a lower bound of the real size: values, keys and
statements that are set at apply time are left out, placeholders (`${partition}`) count for
nothing, duplicates once (the policy document data source removes them), a list of one value is
written as that value, and the `Version` element (not in the model) is not counted. The rule fires
only when that lower bound already exceeds the quota (error) or is within 10% of it (warning):
never on a guess."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import plural, role_label
from irsalint.graph import IrsaGraph
from irsalint.iam import admits_pod_identity
from irsalint.model import UNKNOWN, Partial, PolicyDocument, Principal, Statement, ValueList
from irsalint.placeholders import PLACEHOLDER_RE
from irsalint.record import record

DEFAULT_QUOTA = 2048
NEAR = 0.9  # "within 10% of the quota"


@record
class SizeEstimate:
    size: int  # characters of the minified JSON of the known part
    exact: bool  # every part of the document was known: the size is the size, not a lower bound
    statements: int


def minified_size(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def estimate(document: PolicyDocument) -> SizeEstimate:
    rendered, exact = rendered_trust(document)
    return SizeEstimate(minified_size(rendered), exact, len(document.statements))


def rendered_trust(document: PolicyDocument) -> tuple[dict[str, Any], bool]:
    """The known part of a trust document as stored (without `Version`), and whether it is whole."""
    known = [_Renderer() for _ in document.statements]
    statements = [r.statement(s) for r, s in zip(known, document.statements)]
    exact = document.complete and all(r.exact for r in known)
    return {"Statement": statements}, exact


class _Renderer:
    """Renders one statement, remembering whether anything had to be left out."""

    def __init__(self) -> None:
        self.exact = True

    def statement(self, statement: Statement) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if statement.sid is not None:
            sid = self.text(statement.sid)
            if sid:
                out["Sid"] = sid
        effect = self.text(statement.effect)
        if effect:
            out["Effect"] = effect
        principal = self.principals(statement.principals)
        if principal is not None:
            out["Principal"] = principal
        for key, values in (
            ("Action", statement.actions),
            ("NotAction", statement.not_actions),
            ("Resource", statement.resources),
            ("NotResource", statement.not_resources),
        ):
            rendered = self.values(values)
            if rendered is not None:
                out[key] = rendered
        conditions = self.conditions(statement)
        if conditions:
            out["Condition"] = conditions
        return out

    def text(self, value: object) -> str | None:
        """The known characters of a scalar (placeholders count for nothing)."""
        if isinstance(value, Partial):
            self.exact = False
            return "".join(value.pieces)
        if isinstance(value, str):
            stripped = PLACEHOLDER_RE.sub("", value)
            if stripped != value:
                self.exact = False
            return stripped
        self.exact = False
        return None

    def scalar(self, value: object) -> object:
        if isinstance(value, (bool, int, float)) or value is None:
            return value  # JSON scalars keep their type (Bool conditions written as true)
        return self.text(value)

    def values(self, values: ValueList | None) -> Any:
        if values is None:
            return None
        if not values.complete:
            self.exact = False
        rendered: list[Any] = []
        for value in values.values:
            if value.value is UNKNOWN or not isinstance(value.value, (str, Partial, bool, int, float)):
                self.exact = False
                continue
            item = self.scalar(value.value)
            if item not in rendered:
                rendered.append(item)
        if not rendered:
            return None
        return rendered[0] if len(rendered) == 1 else rendered

    def principals(self, principals: tuple[Principal, ...]) -> Any:
        by_type: dict[str, list[Any]] = {}
        for principal in principals:
            if principal.type == "*":
                return "*"
            if not isinstance(principal.type, str):
                self.exact = False
                continue
            rendered = self.values(principal.values)
            if rendered is None:
                continue
            items = rendered if isinstance(rendered, list) else [rendered]
            merged = by_type.setdefault(principal.type, [])
            merged.extend(i for i in items if i not in merged)
        if not by_type:
            return None
        return {t: (v[0] if len(v) == 1 else v) for t, v in by_type.items()}

    def conditions(self, statement: Statement) -> dict[str, dict[str, Any]]:
        if not statement.conditions_complete:
            self.exact = False
        out: dict[str, dict[str, Any]] = {}
        for condition in statement.conditions:
            operator, key = condition.operator, condition.key
            if not isinstance(operator, str) or not isinstance(key, str):
                self.exact = False
                continue
            rendered = self.values(condition.values)
            if rendered is None:
                continue
            block = out.setdefault(operator, {})
            if key in block:  # the same key twice: its values are merged, each once
                merged = block[key] if isinstance(block[key], list) else [block[key]]
                new = rendered if isinstance(rendered, list) else [rendered]
                merged.extend(v for v in new if v not in merged)
                block[key] = merged
            else:
                block[key] = rendered
        return out


# --- the check ---------------------------------------------------------------------------------------


def trust_policy_size(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    quota = int(params.get("trust_policy_size_quota") or DEFAULT_QUOTA)
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        trust = role.trust
        if trust is None or not trust.statements:
            continue
        if not graph.is_irsa_role(role) and not any(admits_pod_identity(s) is True for s in trust.statements):
            continue  # not a role of this linter's scope
        size = estimate(trust)
        if size.size < NEAR * quota:
            continue
        measured = f"{size.size} characters" if size.exact else f"at least {size.size} characters"
        statements = ("" if trust.complete else "at least ") + plural(size.statements, "statement")
        if size.size > quota:
            head = (
                f"The trust policy of role {role_label(role)} is {measured} minified, over the {quota}-character "
                "quota. The apply fails with LimitExceeded (ACLSizePerRole)."
            )
            level = "error"
        else:
            head = (
                f"The trust policy of role {role_label(role)} is {measured} minified, within 10% of the "
                f"{quota}-character quota. The next statements or subjects will not fit."
            )
            level = None
        yield Hit(
            f"{head} It has {statements}: split the ServiceAccounts over several roles, or raise the quota "
            "with AWS and set trust_policy_size_quota.",
            role.trust_loc,
            f"Role {role.address}",
            (("the role", role.loc),) if role.loc != role.trust_loc else (),
            level=level,
        )
