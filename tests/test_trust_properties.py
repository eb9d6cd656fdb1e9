"""IRSA008/009 agree with evaluating the trust itself: a role "admits any ServiceAccount" exactly
when a random system:serviceaccount:<x>:<y> gets in, and then one of them fires."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.checks.trust import trust_any_serviceaccount, trust_wildcard_subject
from irsalint.graph import IrsaGraph
from irsalint.iam import service_account_claims, trust_admits
from irsalint.model import (
    UNKNOWN,
    IamRole,
    Location,
    PolicyDocument,
    Principal,
    Statement,
    Value,
    ValueList,
)
from irsalint.policydoc import make_condition
from irsalint.project import Project
from irsalint.sources.terraform import TerraformFacts

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
LOC = Location("main.tf", 1)
SUBJECTS = st.sampled_from([
    "system:serviceaccount:team-a:api",
    "system:serviceaccount:team-a:*",
    "system:serviceaccount:team-*:api",
    "system:serviceaccount:*",
    "system:serviceaccount:team-?:api",
    "system:serviceaccount:*:*",
    "*",
])
CONDITIONS = st.lists(
    st.tuples(st.sampled_from(["StringEquals", "StringLike"]), st.lists(SUBJECTS, min_size=1, max_size=3)),
    max_size=2,
)
FRESH_NAME = st.from_regex(r"zq[a-z]{1,6}", fullmatch=True)  # never one of the names above


def _values(texts):
    return ValueList(tuple(Value(t, LOC) for t in texts), True, LOC)


def _role(sub_conditions) -> IamRole:
    conditions = [make_condition(op, f"{ISSUER}:sub", "", _values(values), LOC) for op, values in sub_conditions]
    conditions.append(make_condition("StringEquals", f"{ISSUER}:aud", "", _values(["sts.amazonaws.com"]), LOC))
    statement = Statement(
        sid=None, effect="Allow", actions=_values(["sts:AssumeRoleWithWebIdentity"]), not_actions=None,
        resources=None, not_resources=None,
        principals=(Principal("Federated", _values([f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"])),),
        conditions=tuple(conditions), conditions_complete=True, loc=LOC,
    )
    return IamRole(id="tf:aws_iam_role.r@.", address="aws_iam_role.r", kind="aws_iam_role", name="r",
                   name_is_prefix=False, path="/", account=UNKNOWN,
                   trust=PolicyDocument((statement,), True, LOC), trust_loc=LOC, loc=LOC)


def _graph(role: IamRole) -> IrsaGraph:
    project = Project(files=(), service_accounts=(), workloads=(), objects=(),
                      terraform=TerraformFacts(roles=(role,)), diagnostics=(), skipped=())
    return IrsaGraph(project)


@settings(max_examples=300, deadline=None)
@given(CONDITIONS, FRESH_NAME, FRESH_NAME)
def test_admits_any_serviceaccount_iff_irsa008_or_cluster_wide_irsa009(sub_conditions, namespace, name):
    role = _role(sub_conditions)
    graph = _graph(role)
    any_sa = trust_admits(role.trust, service_account_claims(namespace, name))
    irsa008 = list(trust_any_serviceaccount(graph, {}))
    irsa009 = list(trust_wildcard_subject(graph, {}))
    cluster_wide = [h for h in irsa009 if h.security_severity == 9.5]
    assert any_sa is not None  # everything here is known
    if any_sa:
        assert irsa008 or cluster_wide, "a random ServiceAccount gets in, but neither rule fires"
    if irsa008:
        assert any_sa, "IRSA008 fired, but a random ServiceAccount is refused"
    if not irsa008 and not irsa009:
        # nothing reported: neither a random account nor a random name in team-a gets in
        assert not any_sa
        assert not trust_admits(role.trust, service_account_claims("team-a", name))


@settings(max_examples=200, deadline=None)
@given(CONDITIONS, FRESH_NAME)
def test_namespace_wide_irsa009_means_any_name_in_that_namespace(sub_conditions, name):
    role = _role(sub_conditions)
    admitted_in_team_a = trust_admits(role.trust, service_account_claims("team-a", name))
    findings = list(trust_any_serviceaccount(_graph(role), {})) + list(trust_wildcard_subject(_graph(role), {}))
    if admitted_in_team_a:
        assert findings, "any name in team-a gets in, but no rule fires"
