"""CloudFormation templates (YAML or JSON): `AWS::IAM::Role` resources as IAM roles.

Intrinsic functions are not evaluated: `!Ref`, `!GetAtt`, `!Join`... are unknown, and `!Sub`
strings keep their literal text with every `${...}` unknown, so a trust written as a `!Sub` JSON
document is still read, its substitutions unknown. Unknown never becomes a finding."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import yaml

from irsalint.model import UNKNOWN, IamRole, Location, PolicyDocument, Str, Value
from irsalint.policydoc import _UNKNOWN_MARK, LList, LMap, LNode, LScalar, document_from_tree, from_json_text
from irsalint.yamlutil import get

_SUB_VARIABLE_RE = re.compile(r"\$\{[^}!]*\}")


def _intrinsic(node: yaml.Node) -> tuple[str, yaml.Node] | None:
    """(function, argument) for `!Sub x` and `{"Fn::Sub": x}` forms."""
    if node.tag.startswith("!") and not node.tag.startswith("!!"):
        return node.tag[1:], node
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        key = node.value[0][0]
        if isinstance(key, yaml.ScalarNode) and (str(key.value).startswith("Fn::") or key.value == "Ref"):
            name = str(key.value).removeprefix("Fn::")
            return name, node.value[0][1]
    return None


def _sub_text(node: yaml.Node) -> str | None:
    """The template of `!Sub "..."` / `!Sub ["...", {...}]`, its variables unknown."""
    target = node.value[0] if isinstance(node, yaml.SequenceNode) and node.value else node
    if not isinstance(target, yaml.ScalarNode):
        return None
    return _SUB_VARIABLE_RE.sub(_UNKNOWN_MARK, str(target.value))


class _TemplateReader:
    def __init__(self, path: str, loc: Callable[[yaml.Node], Location]) -> None:
        self.path = path
        self.loc = loc

    def text(self, node: yaml.Node | None) -> Str | None:
        if node is None:
            return None
        intrinsic = _intrinsic(node)
        if intrinsic is not None:
            if intrinsic[0] == "Sub":
                text = _sub_text(intrinsic[1])
                return UNKNOWN if text is None or _UNKNOWN_MARK in text else text
            return UNKNOWN
        return str(node.value) if isinstance(node, yaml.ScalarNode) else UNKNOWN

    def tree(self, node: yaml.Node, depth: int = 0) -> LNode:
        """A policy document written in the template (YAML or JSON), intrinsics unknown."""
        loc = self.loc(node)
        intrinsic = _intrinsic(node)
        if depth > 60:
            return LScalar(UNKNOWN, loc)
        if intrinsic is not None:
            if intrinsic[0] == "Sub":
                text = _sub_text(intrinsic[1])
                if text is not None and text.lstrip().startswith("{"):  # a whole JSON document
                    parsed = from_json_text(text, loc.line + 1, self.path, None)
                    if parsed is not None:
                        return parsed
                return LScalar(UNKNOWN if text is None or _UNKNOWN_MARK in text else text, loc)
            return LScalar(UNKNOWN, loc)
        if isinstance(node, yaml.MappingNode):
            return LMap(tuple((str(k.value), self.loc(k), self.tree(v, depth + 1)) for k, v in node.value), loc)
        if isinstance(node, yaml.SequenceNode):
            return LList(tuple(self.tree(item, depth + 1) for item in node.value), loc)
        if node.tag.endswith(":bool"):
            return LScalar(str(node.value).lower() == "true", loc)
        return LScalar(str(node.value), loc)

    def document(self, node: yaml.Node | None) -> PolicyDocument | None:
        return None if node is None else document_from_tree(self.tree(node), self.loc(node))

    def roles(self, root: yaml.Node) -> Iterator[IamRole]:
        resources = get(root, "Resources")
        if not isinstance(resources, yaml.MappingNode):
            return
        for key_node, resource in resources.value:
            if self.text(get(resource, "Type")) != "AWS::IAM::Role":
                continue
            logical = str(key_node.value)
            properties = get(resource, "Properties")
            name = self.text(get(properties, "RoleName"))
            trust_node = get(properties, "AssumeRolePolicyDocument")
            inline = []
            policies = get(properties, "Policies")
            if isinstance(policies, yaml.SequenceNode):
                for policy in policies.value:
                    document = self.document(get(policy, "PolicyDocument"))
                    if document is not None:
                        inline.append(document)
            arns = get(properties, "ManagedPolicyArns")
            managed = (
                tuple(Value(_or_unknown(self.text(a)), self.loc(a)) for a in arns.value)
                if isinstance(arns, yaml.SequenceNode) else ()
            )
            where = self.loc(key_node)
            yield IamRole(
                id=f"cfn:{logical}@{self.path}",
                address=f"CloudFormation {logical}",
                kind="cloudformation",
                name=name if name is not None else UNKNOWN,  # absent: CloudFormation generates one
                name_is_prefix=False,
                path=_or_root(self.text(get(properties, "Path"))),
                account=UNKNOWN,
                trust=self.document(trust_node),
                trust_loc=self.loc(trust_node) if trust_node is not None else where,
                loc=where,
                inline_policies=tuple(inline),
                managed_policy_arns=managed,
            )


def _or_unknown(text: Str | None) -> Str:
    return UNKNOWN if text is None else text


def _or_root(path: Str | None) -> Str:
    return "/" if path is None else path


def read_template(path: str, root: yaml.Node, loc: Callable[[yaml.Node], Location]) -> tuple[IamRole, ...]:
    return tuple(_TemplateReader(path, loc).roles(root))


def looks_like_template(text: str) -> bool:
    return "AWS::IAM::Role" in text and ("Resources" in text)
