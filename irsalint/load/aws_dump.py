"""AWS IAM dumps: what the AWS CLI prints (JSON, or YAML with `--output yaml`), detected by content.

    aws iam get-account-authorization-details   {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
    aws iam get-role                            {"Role": {...}}
    aws iam list-roles                          {"Roles": [...]}
    aws iam get-role-policy                     {"RoleName", "PolicyName", "PolicyDocument"}

Roles become the same `IamRole` records as Terraform roles (kind `aws:<command>`), with their
complete ARN (name, path, account), located at their `RoleName` line; documents keep their own
lines when written as objects (the CLI decodes them), or point at their key when they are
URL-encoded strings (the raw API's form, decoded with `urllib.parse.unquote`: text, never code).
A managed policy is read from its default version. Users, groups, instance profiles, tags and
last-used data are not read (nor composed: a whole account stays cheap).

`get-policy-version` and `list-attached-role-policies` print no role or policy name, so nothing can
be linked to what they hold: they are skipped with a note that says so."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import yaml

from irsalint.iam import parse_role_arn
from irsalint.model import (
    UNKNOWN,
    Diagnostic,
    IamRole,
    InlinePolicy,
    Location,
    ManagedPolicy,
    PolicyDocument,
    SkipNote,
    Value,
)
from irsalint.policydoc import LNode, document_from_tree, from_json_text, from_yaml_node
from irsalint.record import record
from irsalint.yamlutil import compose_documents, get, get_key, text_of

KIND_PREFIX = "aws:"  # IamRole.kind of a role read from a dump: "aws:get-role"...
AUTHORIZATION_DETAILS = "get-account-authorization-details"

# The first key of the top-level object (JSON, or the CLI's YAML): cheap, and no manifest, plan or
# CloudFormation template starts with one of these.
_TOP_KEYS = frozenset({
    "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies", "IsTruncated", "Marker", "NextToken",
    "Role", "Roles", "RoleName", "PolicyName", "PolicyDocument", "PolicyVersion", "AttachedPolicies",
})  # fmt: skip
_FIRST_KEY_RE = re.compile(r'\A\s*(?:\{\s*"(\w+)"\s*:|(?:---[ \t]*\n)?(\w+):)')

# The keys read (everything else is parsed but never stored), and the ones kept whole: documents.
_KEEP = frozenset({
    *_TOP_KEYS, "Path", "Arn", "AssumeRolePolicyDocument", "RolePolicyList", "AttachedManagedPolicies",
    "PolicyArn", "PermissionsBoundary", "PermissionsBoundaryArn", "DefaultVersionId", "PolicyVersionList",
    "Document", "VersionId", "IsDefaultVersion", "apiVersion", "kind",
})  # fmt: skip
_DOCUMENTS = frozenset({"AssumeRolePolicyDocument", "PolicyDocument", "Document"})

# How the AWS CLI's error messages start (its stderr, saved by `> file 2>&1` instead of a dump).
_CLI_ERRORS = (
    "An error occurred (", "Unable to locate credentials", "Could not connect to the endpoint URL",
    "Partial credentials found in", "aws: error:", "usage: aws ", "The config profile (",
    "Error when retrieving token from sso", "Token has expired and refresh failed", "You must specify a region",
)  # fmt: skip


@record
class DumpRole:
    role: IamRole
    arn: str | None
    policies_listed: bool  # the dump lists its attached policies (get-role and list-roles do not)


@record
class AwsDumpFile:
    path: str
    command: str  # "get-account-authorization-details", "get-role", "list-roles", "get-role-policy"
    roles: tuple[DumpRole, ...]
    policies: tuple[ManagedPolicy, ...]
    inline_policies: tuple[InlinePolicy, ...]  # get-role-policy: a role's inline policy, by role name
    lists_every_role: bool  # an untruncated authorization-details dump: a role absent from it does not exist


def is_dump_role(role: IamRole) -> bool:
    return role.kind.startswith(KIND_PREFIX)


def looks_like_aws_dump(text: str) -> bool:
    match = _FIRST_KEY_RE.match(text[:4096])
    return match is not None and (match.group(1) or match.group(2)) in _TOP_KEYS


def aws_cli_error(path: str, text: str) -> Diagnostic | None:
    """An AWS CLI error message saved where a dump was expected: the audit did not happen."""
    start = len(text) - len(text.lstrip())
    if not text.startswith(_CLI_ERRORS, start):
        return None
    said = text[start:].split("\n", 1)[0].strip()
    said = said if len(said) <= 120 else said[:119] + "…"
    return Diagnostic(
        Location(path, text.count("\n", 0, start) + 1, 1),
        f"an AWS CLI error message, not an IAM dump: {said} Run the command again with the read-only "
        "permissions in docs/live-audit-aws.md",
    )


def load_aws_dump(path: str, text: str) -> AwsDumpFile | Diagnostic | SkipNote | None:
    """None when the text is not a dump after all (the caller then reads it as a manifest)."""
    fixed: Location | None = None
    if "\\u" in text:
        text = _yaml_safe_escapes(text)
    try:
        documents = list(compose_documents(text, _KEEP, _DOCUMENTS))
    except yaml.MarkedYAMLError as error:
        try:  # valid JSON that libyaml refuses (a key over 1,024 characters): read, at line 1
            documents = [_node(json.loads(text), yaml.Mark(path, 0, 0, 0, "", 0), 0)]
            fixed = Location(path, 1, 1)
        except (ValueError, RecursionError):
            mark = error.problem_mark or error.context_mark
            lines = text.splitlines() or [""]
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if line > len(lines):  # the end of a truncated file: its last line, not the one after
                line, column = len(lines), len(lines[-1]) + 1
            problem = error.problem or "not valid JSON"
            return Diagnostic(Location(path, line, column), f"AWS IAM dump could not be parsed ({problem}): "
                                                            "truncated or edited? Produce it again")
    if len(documents) != 1 or not isinstance(documents[0], yaml.MappingNode):
        return None
    root = documents[0]
    keys = {str(k.value) for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
    if "apiVersion" in keys or "kind" in keys or not keys & _TOP_KEYS:
        return None
    return _Reader(path, fixed).read(root, keys)


# JSON escapes libyaml rejects: UTF-16 surrogates (`json.dumps` writes an emoji in a role's
# description as a pair) and control characters. Pairs become the character, the rest U+FFFD; only
# columns of that line move. An escaped backslash before `u` is left alone.
_BAD_ESCAPE_RE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\)((?:\\\\)*)\\u([dD][89a-fA-F][0-9a-fA-F]{2}|00[01][0-9a-fA-F]|007[fF]|008[0-46-9a-fA-F]"
    r"|009[0-9a-fA-F]|[fF]{3}[eEfF])"
)


def _yaml_safe_escapes(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        if match.group(2):
            high, low = int(match.group(2), 16), int(match.group(3), 16)
            return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        if match.group(5).lower() in ("0009", "000a", "000d"):
            return match.group(0)  # tab, newline, return: YAML takes these
        return match.group(4) + "\\ufffd"

    return _BAD_ESCAPE_RE.sub(fix, text)


def _node(value: object, mark: yaml.Mark, depth: int) -> yaml.Node:
    """json.loads' value as the nodes libyaml would have given, all at one mark."""
    if depth > 200:
        raise RecursionError
    if isinstance(value, dict):
        items = [(yaml.ScalarNode("tag:yaml.org,2002:str", str(k), mark, mark), _node(v, mark, depth + 1))
                 for k, v in value.items()]
        return yaml.MappingNode("tag:yaml.org,2002:map", items, mark, mark)
    if isinstance(value, list):
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [_node(v, mark, depth + 1) for v in value], mark, mark)
    if value is None:
        return yaml.ScalarNode("tag:yaml.org,2002:null", "null", mark, mark)
    if isinstance(value, bool):
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false", mark, mark)
    return yaml.ScalarNode("tag:yaml.org,2002:str", str(value), mark, mark)


def _default_version(reader: _Reader, node: yaml.Node) -> PolicyDocument | None:
    """A managed policy's default version (DefaultVersionId, else IsDefaultVersion)."""
    versions = get(node, "PolicyVersionList")
    if not isinstance(versions, yaml.SequenceNode):
        return None
    default_id = text_of(get(node, "DefaultVersionId"))
    for version in versions.value:
        chosen = (text_of(get(version, "VersionId")) == default_id if default_id is not None
                  else text_of(get(version, "IsDefaultVersion")) in ("true", "True"))
        if chosen:
            return reader.document(version, "Document", reader.loc(version))
    return None


class _Reader:
    def __init__(self, path: str, fixed: Location | None) -> None:
        self.path = path
        self.fixed = fixed  # every record at this location (a file read through json.loads)

    def loc(self, node: yaml.Node) -> Location:
        return self.fixed or Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def key_loc(self, mapping: yaml.Node, key: str, fallback: Location) -> Location:
        key_node = get_key(mapping, key)
        return self.loc(key_node) if key_node is not None else fallback

    def document(self, mapping: yaml.Node, key: str, fallback: Location) -> PolicyDocument | None:
        node = get(mapping, key)
        where = self.key_loc(mapping, key, fallback)
        tree: LNode | None = None
        if isinstance(node, yaml.MappingNode):
            tree = from_yaml_node(node, self.path, self.fixed)
        elif isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
            text = str(node.value).strip()
            if not text.startswith("{"):
                text = unquote(text)  # the API's URL-encoded form (RFC 3986)
            tree = from_json_text(text, where.line, self.path, where)  # a string: its key's line
        return document_from_tree(tree, where) if tree is not None else None

    def read(self, root: yaml.MappingNode, keys: set[str]) -> AwsDumpFile | SkipNote:
        if "PolicyVersion" in keys and not keys & {"Role", "Roles", "RoleDetailList"}:
            return SkipNote(self.path, "aws iam get-policy-version output names no policy, so no role can be "
                                       "linked to its document: dump get-account-authorization-details instead")
        if "AttachedPolicies" in keys and not keys & {"Role", "Roles", "RoleDetailList"}:
            return SkipNote(self.path, "aws iam list-attached-role-policies output names no role: dump "
                                       "get-account-authorization-details instead")
        policies = self.policies(get(root, "Policies"))
        truncated = text_of(get(root, "IsTruncated")) in ("true", "True") or bool(keys & {"Marker", "NextToken"})
        details = get(root, "RoleDetailList")
        if isinstance(details, yaml.SequenceNode) or keys & {"UserDetailList", "GroupDetailList"}:
            items = details.value if isinstance(details, yaml.SequenceNode) else []
            roles = [self.role(n, AUTHORIZATION_DETAILS, True) for n in items]
            found = tuple(r for r in roles if r is not None)
            return AwsDumpFile(self.path, AUTHORIZATION_DETAILS, found, policies, (), bool(found) and not truncated)
        listed = get(root, "Roles")
        if isinstance(listed, yaml.SequenceNode):
            roles = [self.role(n, "list-roles", False) for n in listed.value]
            return AwsDumpFile(self.path, "list-roles", tuple(r for r in roles if r is not None), policies, (), False)
        single = get(root, "Role")
        if isinstance(single, yaml.MappingNode):
            role = self.role(single, "get-role", False)
            return AwsDumpFile(self.path, "get-role", (role,) if role is not None else (), policies, (), False)
        role_name = text_of(get(root, "RoleName"))
        if role_name is not None and get(root, "PolicyDocument") is not None:
            where = self.key_loc(root, "PolicyName", self.loc(root))
            inline = InlinePolicy(role_name, self.document(root, "PolicyDocument", where), where)
            return AwsDumpFile(self.path, "get-role-policy", (), policies, (inline,), False)
        return AwsDumpFile(self.path, AUTHORIZATION_DETAILS, (), policies, (), False)  # list-policies & co

    def policies(self, node: yaml.Node | None) -> tuple[ManagedPolicy, ...]:
        found: list[ManagedPolicy] = []
        for item in node.value if isinstance(node, yaml.SequenceNode) else ():
            arn, name = text_of(get(item, "Arn")), text_of(get(item, "PolicyName"))
            if arn is None and name is None:
                continue
            where = self.key_loc(item, "PolicyName", self.loc(item))
            found.append(ManagedPolicy(
                id=f"aws:{arn or name}@{self.path}",
                address=arn or f"policy {name}",
                name=name if name is not None else arn.rsplit("/", 1)[-1] if arn else UNKNOWN,
                document=_default_version(self, item),
                loc=where,
                arn=arn,
            ))
        return tuple(found)

    def role(self, node: yaml.Node, command: str, policies_listed: bool) -> DumpRole | None:
        if not isinstance(node, yaml.MappingNode):
            return None
        arn, name = text_of(get(node, "Arn")), text_of(get(node, "RoleName"))
        parsed = parse_role_arn(arn) if arn is not None else None
        if name is None and parsed is None:
            return None  # nothing names it
        where = self.key_loc(node, "RoleName", self.key_loc(node, "Arn", self.loc(node)))
        path = text_of(get(node, "Path")) or (parsed.path if parsed else "/")
        role_name = name if name is not None else parsed.name if parsed else ""
        inline: list[PolicyDocument] = []
        listed = get(node, "RolePolicyList")
        for item in listed.value if isinstance(listed, yaml.SequenceNode) else ():
            document = self.document(item, "PolicyDocument", self.loc(item))
            if document is not None:
                inline.append(document)
        attached: list[Value] = []
        managed = get(node, "AttachedManagedPolicies")
        for item in managed.value if isinstance(managed, yaml.SequenceNode) else ():
            policy_arn = get(item, "PolicyArn")
            if text_of(policy_arn) is not None and policy_arn is not None:
                attached.append(Value(text_of(policy_arn), self.loc(policy_arn)))
        boundary_node = get(get(node, "PermissionsBoundary"), "PermissionsBoundaryArn")
        boundary = (Value(text_of(boundary_node), self.loc(boundary_node))
                    if boundary_node is not None and text_of(boundary_node) is not None else None)
        account = parsed.account if parsed is not None else UNKNOWN
        role = IamRole(
            id=f"aws:{arn or role_name}@{self.path}",
            address=arn or f"role {role_name}",
            kind=KIND_PREFIX + command,
            name=role_name,
            name_is_prefix=False,
            path=path,
            account=account,
            trust=self.document(node, "AssumeRolePolicyDocument", where),
            trust_loc=self.key_loc(node, "AssumeRolePolicyDocument", where),
            loc=where,
            inline_policies=tuple(inline),
            managed_policy_arns=tuple(attached),
            permissions_boundary=boundary,
        )
        return DumpRole(role, arn, policies_listed)
