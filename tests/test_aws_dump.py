"""AWS IAM dumps (aws iam get-account-authorization-details, get-role, list-roles, get-role-policy):
detected by content, read into the same records as Terraform roles, located at their lines."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from typing import Any
from urllib.parse import quote

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.load.aws_dump import AwsDumpFile, is_dump_role, load_aws_dump, looks_like_aws_dump
from irsalint.load.dispatch import load_bytes
from irsalint.load.k8s import K8sFile
from irsalint.model import Diagnostic, Location, SkipNote
from tests.helpers import FIXTURES

LIVE = FIXTURES / "live" / "aws"


def _line_of(text: str, needle: str, after: str | None = None) -> int:
    """The line of the first `needle` (after the first line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


def _load(path: str, text: str) -> Any:
    return load_bytes(path, text.encode(), "yaml")


def test_account_dump_reads_roles_policies_and_positions():
    text = (LIVE / "account" / "account.json").read_text()
    dump = _load("account.json", text)
    assert isinstance(dump, AwsDumpFile) and dump.command == "get-account-authorization-details"
    assert dump.lists_every_role
    # the instance profile's nested copy of eks-node-group is not a second role; users are not read
    assert [r.role.name for r in dump.roles] == [
        "AWSServiceRoleForAmazonEKS", "eks-node-group", "github-actions-deploy", "orders-api", "reports-batch",
        "inventory-sync", "payments-pod-identity",
    ]
    orders = next(r for r in dump.roles if r.role.name == "orders-api")
    role = orders.role
    assert is_dump_role(role) and orders.policies_listed
    assert (role.account, role.path, role.address) == (
        "111122223333", "/", "arn:aws:iam::111122223333:role/orders-api")
    assert role.loc.line == _line_of(text, '"RoleName": "orders-api"')
    assert role.trust_loc.line == _line_of(text, '"AssumeRolePolicyDocument"', after='"RoleName": "orders-api"')
    [condition] = [c for s in role.trust.statements for c in s.conditions if c.claim == "sub"]
    assert condition.values.texts() == ("system:serviceaccount:team-orders:orders-api",)
    assert condition.loc.line == _line_of(text, ":sub", after='"RoleName": "orders-api"')
    assert [v.value for v in role.managed_policy_arns] == ["arn:aws:iam::111122223333:policy/orders-api-s3"]
    assert role.permissions_boundary.value == "arn:aws:iam::111122223333:policy/pod-boundary"
    [inline] = role.inline_policies
    assert inline.statements[0].actions.texts() == ("sqs:SendMessage", "sqs:ReceiveMessage")
    linked = next(r for r in dump.roles if r.role.name == "AWSServiceRoleForAmazonEKS").role
    assert linked.path == "/aws-service-role/eks.amazonaws.com/"


def test_managed_policy_is_read_from_its_default_version():
    dump = _load("account.json", (LIVE / "account" / "account.json").read_text())
    policy = next(p for p in dump.policies if p.name == "orders-api-s3")
    assert policy.arn == "arn:aws:iam::111122223333:policy/orders-api-s3"
    # v1 granted s3:* on *; the default is v2
    assert policy.document.statements[0].actions.texts() == ("s3:GetObject", "s3:PutObject")


def test_url_encoded_documents_point_at_their_key():
    text = (LIVE / "url-encoded" / "account.json").read_text()
    dump = _load("account.json", text)
    role = next(r.role for r in dump.roles if r.role.name == "search-indexer")
    key_line = _line_of(text, '"AssumeRolePolicyDocument"')
    assert role.trust_loc.line == key_line
    assert {s.loc.line for s in role.trust.statements} == {key_line}
    [condition] = [c for s in role.trust.statements for c in s.conditions if c.claim == "sub"]
    assert (condition.operator, condition.values.texts()) == ("StringLike", ("system:serviceaccount:search:*",))
    policy = next(p for p in dump.policies if p.name == "media-buckets")
    assert policy.document.statements[0].resources.texts() == ("*",)


def test_get_role_list_roles_and_get_role_policy():
    role = _load("role.json", (LIVE / "get-role" / "role.json").read_text())
    assert role.command == "get-role" and not role.lists_every_role
    assert [(r.role.name, r.policies_listed, r.role.kind) for r in role.roles] == [
        ("checkout-web", False, "aws:get-role")]
    inline = _load("inline.json", (LIVE / "get-role" / "inline-policy.json").read_text())
    assert inline.command == "get-role-policy" and inline.roles == ()
    [policy] = inline.inline_policies
    assert policy.role == "checkout-web" and policy.document.statements[0].actions.texts() == ("dynamodb:*",)
    listed = _load("roles.json", (LIVE / "list-roles" / "roles.json").read_text())
    assert listed.command == "list-roles" and not listed.lists_every_role
    assert [r.role.name for r in listed.roles] == ["catalog-reader", "catalog-writer", "AWSServiceRoleForAutoScaling"]


def test_dumps_that_name_nothing_are_skipped_with_the_reason():
    version = _load("v.json", (LIVE / "bad" / "policy-version.json").read_text())
    assert isinstance(version, SkipNote) and "get-policy-version" in version.reason
    attached = _load("a.json", (LIVE / "bad" / "attached-policies.json").read_text())
    assert isinstance(attached, SkipNote) and "names no role" in attached.reason


def test_bad_dumps_are_findings_not_crashes():
    truncated = (LIVE / "bad" / "truncated.json").read_text()
    diagnostic = _load("truncated.json", truncated)
    assert isinstance(diagnostic, Diagnostic) and diagnostic.level is None
    assert diagnostic.loc.line == len(truncated.splitlines()) and "truncated" in diagnostic.message
    error = _load("denied.json", (LIVE / "bad" / "access-denied.json").read_text())
    assert isinstance(error, Diagnostic) and error.loc == Location("denied.json", 2, 1)
    assert error.message.startswith("an AWS CLI error message, not an IAM dump: An error occurred (AccessDenied)")


def test_other_json_is_not_a_dump():
    rbac = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}}
    assert not looks_like_aws_dump(json.dumps(rbac)) and isinstance(_load("r.json", json.dumps(rbac)), K8sFile)
    # a manifest List that starts with a key of the dump vocabulary is still a manifest
    odd = {"Roles": [], "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}}
    result = _load("odd.json", json.dumps(odd))
    assert isinstance(result, K8sFile) and [sa.name for sa in result.service_accounts] == ["a"]
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": {
        "Type": "AWS::IAM::Role", "Properties": {"RoleName": "x", "AssumeRolePolicyDocument": {}}}}}
    assert isinstance(_load("cfn.json", json.dumps(template)), K8sFile)


def _strip_locations(value: Any) -> Any:
    """The record with every Location replaced by one: compares what was read, not where."""
    if isinstance(value, Location):
        return Location("x", 1)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _strip_locations(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, tuple):
        return tuple(_strip_locations(v) for v in value)
    return value


def test_cli_yaml_output_reads_like_json():
    data = json.loads((LIVE / "account" / "account.json").read_text())
    as_yaml = yaml.safe_dump(data, sort_keys=False)
    from_yaml, from_json = _load("a.yaml", as_yaml), _load("a.yaml", json.dumps(data, indent=4))
    assert isinstance(from_yaml, AwsDumpFile)
    assert _strip_locations(from_yaml) == _strip_locations(from_json)


def test_json_that_libyaml_refuses_is_read_at_line_one():
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                         "Resource": "*", "Condition": {"k" * 1100: {"a": "b"}}}]}
    dump = {"Role": {"RoleName": "long", "Arn": "arn:aws:iam::111122223333:role/long", "Path": "/",
                     "AssumeRolePolicyDocument": document}}
    result = _load("long.json", json.dumps(dump))
    assert isinstance(result, AwsDumpFile) and result.roles[0].role.loc == Location("long.json", 1, 1)


# --- properties ----------------------------------------------------------------------------------

KEYS = ["RoleDetailList", "Roles", "Role", "RoleName", "Arn", "Path", "AssumeRolePolicyDocument", "PolicyDocument",
        "RolePolicyList", "AttachedManagedPolicies", "PolicyArn", "Policies", "PolicyVersionList", "Document",
        "DefaultVersionId", "VersionId", "IsDefaultVersion", "Statement", "Effect", "Principal", "Condition",
        "Federated", "PermissionsBoundary", "PermissionsBoundaryArn", "IsTruncated", "PolicyVersion", "x"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(
    ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::aws:policy/AdministratorAccess", "/", "v1", "Allow",
     "%7B%22Statement%22%3A%5B%5D%7D", "%7B", "{", "sts:AssumeRoleWithWebIdentity", ""]), st.text(max_size=8))
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=30)
TOP = st.dictionaries(st.sampled_from(["RoleDetailList", "Roles", "Role", "RoleName", "Policies", "PolicyVersion",
                                       "UserDetailList", "PolicyDocument", "NextToken"]), JSONISH, min_size=1, max_size=4)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(TOP, st.sampled_from([0, 4]), st.integers(min_value=0, max_value=400))
def test_loader_never_raises(value, indent, cut):
    text = json.dumps(value, indent=indent or None)
    for candidate in (text, text[:cut]):  # whole, and truncated anywhere
        result = load_aws_dump("d.json", candidate) if looks_like_aws_dump(candidate) else None
        assert result is None or isinstance(result, (AwsDumpFile, Diagnostic, SkipNote))
        loaded = load_bytes("d.json", candidate.encode(), "yaml")
        assert not (isinstance(loaded, SkipNote) and loaded.internal), loaded


# what IAM accepts in a policy document ([\t\n\r\x20-\xff]) minus the C1 controls, which libyaml
# refuses: written as objects they become U+FFFD (_yaml_safe_escapes)
IAM_TEXT = st.text(alphabet=st.characters(codec="latin-1", exclude_categories=("Cc",)) | st.just("\t"), max_size=12)
STATEMENTS = st.lists(st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Principal": st.fixed_dictionaries({"Federated": st.sampled_from([
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE", "*"])}),
    "Action": st.one_of(st.just("sts:AssumeRoleWithWebIdentity"), st.lists(st.sampled_from(
        ["s3:*", "iam:PassRole", "sts:AssumeRole"]), max_size=3)),
    "Condition": st.dictionaries(st.sampled_from(["StringEquals", "StringLike"]), st.dictionaries(
        st.sampled_from(["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub", "aws:SourceAccount"]),
        st.one_of(IAM_TEXT, st.lists(IAM_TEXT, max_size=3)), max_size=2), max_size=2),
}), min_size=1, max_size=3)


@PROPERTY
@given(STATEMENTS, st.booleans())
def test_url_encoded_and_object_documents_give_the_same_records(statements, listing):
    document = {"Version": "2012-10-17", "Statement": statements}

    def dump(doc: Any) -> str:
        role = {"Path": "/", "RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
                "AssumeRolePolicyDocument": doc, "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": doc}]}
        return json.dumps({"Roles": [role]} if listing else {"Role": role}, indent=4)

    encoded = quote(json.dumps(document, separators=(",", ":")), safe="")
    as_object, as_string = _load("d.json", dump(document)), _load("d.json", dump(encoded))
    assert isinstance(as_object, AwsDumpFile)
    assert _strip_locations(as_object) == _strip_locations(as_string)


def test_escapes_libyaml_refuses_keep_the_lines():
    """`json.dumps` writes an emoji as a surrogate pair and control characters as escapes; libyaml
    refuses both, json does not. Only that line's columns may move."""
    role = {"Path": "/", "RoleName": "emoji", "Arn": "arn:aws:iam::111122223333:role/emoji",
            "Description": "deploys \U0001f680 \x00 \\ud800 done", "AssumeRolePolicyDocument": {"Statement": []}}
    text = json.dumps({"Roles": [role]}, indent=4)
    assert "\\ud83d\\ude80" in text and "\\u0000" in text
    result = _load("emoji.json", text)
    assert isinstance(result, AwsDumpFile)
    assert result.roles[0].role.loc == Location("emoji.json", _line_of(text, '"RoleName"'), 13)
