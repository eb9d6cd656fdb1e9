"""IRSA026's size estimate against `json.dumps(document, separators=(",", ":"))`: equal for a fully
known document written the way AWS stores it, never above the real size otherwise (so a finding is
never a guess), and the quota is configurable."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.checks.trust_size import estimate, minified_size
from irsalint.engine import LintOptions, lint
from irsalint.model import Location
from irsalint.policydoc import _UNKNOWN_MARK, document_from_tree, from_json_text
from irsalint.rules import load_rules
from tests.helpers import FIXTURES

TEXT = st.text(alphabet="abcXYZ0189:/*-_. ", min_size=1, max_size=24)
OPERATORS = st.sampled_from(["StringEquals", "StringLike", "ForAnyValue:StringEquals", "Bool", "ArnLike"])
PRINCIPAL_TYPES = st.sampled_from(["Federated", "Service", "AWS"])


def _one_or_more(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """A scalar, or a list of at least two distinct values (AWS's own shape for one value)."""
    return st.one_of(strategy, st.lists(strategy, min_size=2, max_size=4, unique=True))


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    if draw(st.booleans()):
        statement["Sid"] = draw(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True))
    if draw(st.booleans()):
        statement["Principal"] = "*"
    else:
        types = draw(st.lists(PRINCIPAL_TYPES, min_size=1, max_size=3, unique=True))
        statement["Principal"] = {t: draw(_one_or_more(TEXT)) for t in types}
    statement["Action"] = draw(_one_or_more(TEXT))
    if draw(st.booleans()):
        statement["Resource"] = draw(_one_or_more(TEXT))
    operators = draw(st.lists(OPERATORS, max_size=3, unique=True))
    if operators:
        statement["Condition"] = {
            op: draw(st.dictionaries(TEXT, _one_or_more(TEXT), min_size=1, max_size=3)) for op in operators
        }
    return statement


DOCUMENTS = st.lists(statements(), min_size=1, max_size=4).map(lambda s: {"Statement": s})


def _parse(text: str):  # type: ignore[no-untyped-def]
    tree = from_json_text(text, 1, "trust.json", None)
    document = document_from_tree(tree, Location("trust.json", 1))
    assert document is not None
    return document


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS)
def test_estimate_equals_the_minified_size_of_a_known_document(document: dict[str, Any]) -> None:
    result = estimate(_parse(json.dumps(document, indent=2)))
    assert result.exact
    assert result.size == minified_size(document) == len(json.dumps(document, separators=(",", ":")))


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS, st.booleans())
def test_estimate_never_exceeds_the_real_size(document: dict[str, Any], version: bool) -> None:
    """Version (not modelled), one-value lists and repeated values make the real size larger."""
    stored = {"Version": "2012-10-17", **document} if version else dict(document)
    for statement in stored["Statement"]:
        if isinstance(statement["Action"], str):
            statement["Action"] = [statement["Action"], statement["Action"]]  # a duplicate, as a list
    assert estimate(_parse(json.dumps(stored))).size <= minified_size(stored)


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS, st.randoms(use_true_random=False))
def test_unknown_parts_make_a_lower_bound(document: dict[str, Any], rnd: random.Random) -> None:
    """Values known only at apply time count for nothing: the estimate stays below the document
    they become, and says it is not exact."""
    masked = json.loads(json.dumps(document))
    leaves = []
    for statement in masked["Statement"]:
        for key in ("Action", "Resource"):
            if isinstance(statement.get(key), str):
                leaves.append((statement, key))
    if not leaves:
        return
    statement, key = rnd.choice(leaves)
    statement[key] = _UNKNOWN_MARK
    result = estimate(_parse(json.dumps(masked)))
    assert not result.exact
    assert result.size <= minified_size(document)


def test_placeholders_count_for_nothing() -> None:
    """The IRSA modules' `arn:${partition}:...` principal: the real ARN is longer."""
    real = {"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"}}]}
    written = {"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:${partition}:iam::${account_id}:oidc-provider/x"}}]}
    result = estimate(_parse(json.dumps(written)))
    assert not result.exact
    assert result.size < minified_size(real)


def _irsa026(path, params):  # type: ignore[no-untyped-def]
    import os

    rules = tuple(r for r in load_rules() if r.id == "IRSA026")
    cwd = os.getcwd()
    os.chdir(path)
    try:
        return [f for f in lint(["."], rules, LintOptions(jobs=1, params=params)).findings]
    finally:
        os.chdir(cwd)


def test_the_quota_is_configurable() -> None:
    bad = FIXTURES / "rules" / "IRSA026" / "bad" / "module-statement-per-cluster"
    assert [f.level for f in _irsa026(bad, {})] == ["error"]  # 2560 characters, quota 2048
    assert _irsa026(bad, {"trust_policy_size_quota": 4096}) == []
    near = _irsa026(bad, {"trust_policy_size_quota": 2600})
    assert [f.level for f in near] == ["warning"] and "within 10% of the 2600-character quota" in near[0].message
