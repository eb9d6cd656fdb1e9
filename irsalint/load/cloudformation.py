"""CloudFormation templates (YAML or JSON): `AWS::IAM::Role` resources as IAM roles.

Intrinsic functions are evaluated when their arguments are known, and are otherwise unknown or
partly known (SPEC §3.4), never an error: `!Sub` substitutes its variables map and Parameters'
defaults, and leaves pseudo parameters (`${AWS::Partition}`, `${AWS::AccountId}`) as holes of a
partly known string; `!Join` joins; `!Ref` gives a Parameter's default; `!GetAtt Role.Arn` names
the template's own role; `!If`, `!ImportValue`, `!Select`... are unknown. A role referenced from
the template's Outputs (or from anything but itself) counts as used elsewhere (no IRSA006)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from irsalint.model import UNKNOWN, IamRole, Location, Partial, PolicyDocument, RoleRef, Value
from irsalint.partial import make_partial
from irsalint.placeholders import placeholder_value
from irsalint.policydoc import _UNKNOWN_MARK, LList, LMap, LNode, LScalar, document_from_tree, from_json_text
from irsalint.yamlutil import get

_SUB_VARIABLE_RE = re.compile(r"\$\{([^}!]*)\}")
_MAX_DEPTH = 40


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


def _items(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


class _TemplateReader:
    def __init__(self, path: str, root: yaml.Node, loc: Callable[[yaml.Node], Location]) -> None:
        self.path = path
        self.loc = loc
        self.parameters: dict[str, yaml.Node] = {}
        parameters = get(root, "Parameters")
        if isinstance(parameters, yaml.MappingNode):
            for key, spec in parameters.value:
                default = get(spec, "Default")
                if isinstance(key, yaml.ScalarNode) and default is not None:
                    self.parameters[str(key.value)] = default
        self.role_ids: dict[str, str] = {}
        resources = get(root, "Resources")
        if isinstance(resources, yaml.MappingNode):
            for key, resource in resources.value:
                if isinstance(key, yaml.ScalarNode) and self.scalar(get(resource, "Type")) == "AWS::IAM::Role":
                    self.role_ids[str(key.value)] = f"cfn:{key.value}@{path}"

    @staticmethod
    def scalar(node: yaml.Node | None) -> str | None:
        return str(node.value) if isinstance(node, yaml.ScalarNode) else None

    # --- intrinsic functions -------------------------------------------------------------------

    def value(self, node: yaml.Node | None, depth: int = 0) -> Any:
        """A scalar value: str, Partial, RoleRef, or UNKNOWN (None when absent)."""
        if node is None:
            return None
        if depth > _MAX_DEPTH:
            return UNKNOWN
        intrinsic = _intrinsic(node)
        if intrinsic is None:
            # `${X}` outside !Sub is literal to CloudFormation, but templates that hold one are
            # filled in by other tooling first (envsubst, sed): a placeholder, never a value
            return placeholder_value(str(node.value)) if isinstance(node, yaml.ScalarNode) else UNKNOWN
        name, argument = intrinsic
        if name == "Sub":
            return self.sub(argument, depth)
        if name == "Join":
            return self.join(argument, depth)
        if name == "Ref":
            return self.ref(self.scalar(argument), depth)
        if name == "GetAtt":
            return self.get_att(argument)
        return UNKNOWN  # If, ImportValue, Select, FindInMap, Split...: not evaluated

    def ref(self, target: str | None, depth: int) -> Any:
        if target is None:
            return UNKNOWN
        if target in self.parameters:
            return self.value(self.parameters[target], depth + 1)
        if target.startswith("AWS::"):
            return make_partial([(f"${{{target}}}",)]) or UNKNOWN
        return UNKNOWN

    def get_att(self, argument: yaml.Node) -> Any:
        """`!GetAtt Role.Arn` / `[Role, Arn]` of a role of this template: a reference to it."""
        text = self.scalar(argument)
        parts = text.split(".", 1) if text is not None else [self.scalar(n) or "" for n in _items(argument)]
        if len(parts) == 2 and parts[0] in self.role_ids and parts[1] == "Arn":
            return RoleRef(self.role_ids[parts[0]], "arn")
        return UNKNOWN

    def sub(self, argument: yaml.Node, depth: int) -> Any:
        """`!Sub "text"` or `!Sub ["text", {Var: value}]`: known variables substituted; pseudo
        parameters and other unknowns are holes."""
        template = _items(argument)[0] if isinstance(argument, yaml.SequenceNode) and argument.value else argument
        text = self.scalar(template)
        if text is None:
            return UNKNOWN
        variables: dict[str, yaml.Node] = {}
        mapping = _items(argument)[1] if isinstance(argument, yaml.SequenceNode) and len(argument.value) > 1 else None
        if isinstance(mapping, yaml.MappingNode):
            variables = {str(k.value): v for k, v in mapping.value if isinstance(k, yaml.ScalarNode)}
        parts: list[Any] = []
        position = 0
        for match in _SUB_VARIABLE_RE.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1)
            if name in variables:
                value = self.value(variables[name], depth + 1)
            elif "." in name and name.split(".", 1)[0] in self.role_ids and name.endswith(".Arn"):
                value = UNKNOWN  # a role ARN inside text: not a reference any more
            else:
                value = self.ref(name, depth + 1)
            parts.append(value if isinstance(value, (str, Partial)) else (match.group(0),))
        parts.append(text[position:])
        return make_partial(parts) or UNKNOWN

    def join(self, argument: yaml.Node, depth: int) -> Any:
        items = _items(argument)
        if len(items) != 2:
            return UNKNOWN
        delimiter = self.scalar(items[0])
        values = [self.value(n, depth + 1) for n in _items(items[1])]
        if delimiter is None or not isinstance(items[1], yaml.SequenceNode):
            return UNKNOWN
        parts: list[Any] = []
        for index, (value, item) in enumerate(zip(values, _items(items[1]))):
            if index:
                parts.append(delimiter)
            parts.append(value if isinstance(value, (str, Partial)) else (self._written(item),))
        return make_partial(parts) or UNKNOWN

    def _written(self, node: yaml.Node) -> str:
        """How an unknown value was written, for messages: `${AWS::Region}`, `${Param}`."""
        intrinsic = _intrinsic(node)
        if intrinsic is not None and intrinsic[0] == "Ref" and self.scalar(intrinsic[1]):
            return f"${{{self.scalar(intrinsic[1])}}}"
        if intrinsic is not None and intrinsic[0] == "Sub" and self.scalar(intrinsic[1]):
            return str(self.scalar(intrinsic[1]))
        return "${…}"

    # --- documents -----------------------------------------------------------------------------

    def tree(self, node: yaml.Node, depth: int = 0) -> LNode:
        """A policy document written in the template (YAML or JSON), intrinsics evaluated."""
        loc = self.loc(node)
        intrinsic = _intrinsic(node)
        if depth > 60:
            return LScalar(UNKNOWN, loc)
        if intrinsic is not None:
            if intrinsic[0] == "Sub":
                text = self._sub_document_text(intrinsic[1])
                if text is not None and text.lstrip().startswith("{"):  # a whole JSON document
                    parsed = from_json_text(text, loc.line + 1, self.path, None)
                    if parsed is not None:
                        return parsed
            return LScalar(self.value(node, depth), loc)
        if isinstance(node, yaml.MappingNode):
            return LMap(tuple((str(k.value), self.loc(k), self.tree(v, depth + 1)) for k, v in node.value), loc)
        if isinstance(node, yaml.SequenceNode):
            return LList(tuple(self.tree(item, depth + 1) for item in node.value), loc)
        if node.tag.endswith(":bool"):
            return LScalar(str(node.value).lower() == "true", loc)
        return LScalar(placeholder_value(str(node.value)), loc)

    def _sub_document_text(self, argument: yaml.Node) -> str | None:
        """A JSON document written as one `!Sub` string: its variables become the unknown mark."""
        target = _items(argument)[0] if isinstance(argument, yaml.SequenceNode) and argument.value else argument
        text = self.scalar(target)
        return None if text is None else _SUB_VARIABLE_RE.sub(_UNKNOWN_MARK, text)

    def document(self, node: yaml.Node | None) -> PolicyDocument | None:
        return None if node is None else document_from_tree(self.tree(node), self.loc(node))

    # --- roles -----------------------------------------------------------------------------------

    def roles(self, root: yaml.Node) -> Iterator[IamRole]:
        resources = get(root, "Resources")
        if not isinstance(resources, yaml.MappingNode):
            return
        for key_node, resource in resources.value:
            logical = str(key_node.value)
            if logical not in self.role_ids:
                continue
            properties = get(resource, "Properties")
            name = self.value(get(properties, "RoleName"))
            trust_node = get(properties, "AssumeRolePolicyDocument")
            inline = []
            policies = get(properties, "Policies")
            if isinstance(policies, yaml.SequenceNode):
                for policy in policies.value:
                    document = self.document(get(policy, "PolicyDocument"))
                    if document is not None:
                        inline.append(document)
            arns = get(properties, "ManagedPolicyArns")
            managed = tuple(Value(_known(self.value(a)), self.loc(a)) for a in _items(arns)) if arns is not None else ()
            path = self.value(get(properties, "Path"))
            where = self.loc(key_node)
            yield IamRole(
                id=self.role_ids[logical],
                address=f"CloudFormation {logical}",
                kind="cloudformation",
                name=name if isinstance(name, (str, Partial)) else UNKNOWN,  # absent: generated by CFN
                name_is_prefix=False,
                path="/" if path is None else path if isinstance(path, str) else UNKNOWN,
                account=UNKNOWN,
                trust=self.document(trust_node),
                trust_loc=self.loc(trust_node) if trust_node is not None else where,
                loc=where,
                inline_policies=tuple(inline),
                managed_policy_arns=managed,
            )

    def used_roles(self, root: yaml.Node) -> dict[str, tuple[Location, ...]]:
        """role id -> where another part of the template (an Output, another resource) refers to it."""
        uses: dict[str, list[Location]] = {}
        for section in ("Resources", "Outputs"):
            entries = get(root, section)
            if not isinstance(entries, yaml.MappingNode):
                continue
            for key, body in entries.value:
                own = str(key.value) if section == "Resources" else None
                for logical, loc in self._references(body, 0):
                    if logical != own and logical in self.role_ids:
                        uses.setdefault(self.role_ids[logical], []).append(loc)
        return {k: tuple(v) for k, v in sorted(uses.items())}

    def _references(self, node: yaml.Node, depth: int) -> Iterator[tuple[str, Location]]:
        if depth > 40:
            return
        intrinsic = _intrinsic(node)
        if intrinsic is not None and intrinsic[0] in ("Ref", "GetAtt"):
            text = self.scalar(intrinsic[1]) or next(iter(self.scalar(n) for n in _items(intrinsic[1])), None)
            if text:
                yield text.split(".", 1)[0], self.loc(node)
            return
        if intrinsic is not None and intrinsic[0] == "Sub":
            text = self.scalar(_items(intrinsic[1])[0] if isinstance(intrinsic[1], yaml.SequenceNode) and intrinsic[1].value else intrinsic[1])
            for match in _SUB_VARIABLE_RE.finditer(text or ""):
                yield match.group(1).split(".", 1)[0], self.loc(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [v for _, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        for child in children:
            yield from self._references(child, depth + 1)


def _known(value: Any) -> Any:
    return value if isinstance(value, (str, Partial, RoleRef)) else UNKNOWN


def read_template(path: str, root: yaml.Node, loc: Callable[[yaml.Node], Location]) -> tuple[IamRole, ...]:
    return tuple(_TemplateReader(path, root, loc).roles(root))


def template_role_uses(path: str, root: yaml.Node, loc: Callable[[yaml.Node], Location]) -> dict[str, tuple[Location, ...]]:
    return _TemplateReader(path, root, loc).used_roles(root)


def looks_like_template(text: str) -> bool:
    return "AWS::IAM::Role" in text and ("Resources" in text)

