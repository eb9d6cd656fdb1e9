"""Terraform JSON syntax (`*.tf.json`, `*.tfvars.json`) -> the same positioned AST as HCL.

In JSON syntax every string is a template (`"${var.x}"`), and whether an object is a nested
block or an object-valued attribute depends on the schema: the nested blocks irsalint reads
(policy document statements, Kubernetes metadata, inline policies, helm `set`...) are listed in
NESTED_BLOCKS; everything else is an attribute."""

from __future__ import annotations

import yaml

from irsalint.load.hcl import (
    Attribute,
    Block,
    Body,
    Expr,
    Literal,
    ObjectExpr,
    ObjectItem,
    Template,
    TupleExpr,
    interpolation,
    template_text,
)
from irsalint.model import Diagnostic, Location
from irsalint.yamlutil import compose_all

NESTED_BLOCKS = frozenset({
    "statement", "principals", "not_principals", "condition", "metadata", "inline_policy", "set",
    "set_sensitive", "dynamic", "content", "lifecycle",
})  # fmt: skip
LABELLED = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1}
_MAX_DEPTH = 200


class _JsonConverter:
    def __init__(self, path: str) -> None:
        self.path = path

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def interpolation(self, source: str, loc: Location) -> Expr:
        return interpolation(source, loc, self.path)

    def top(self, node: yaml.Node, tfvars: bool) -> Body:
        if tfvars:
            return self.body(node, 0)
        blocks: list[Block] = []
        if not isinstance(node, yaml.MappingNode):
            return Body((), ())
        for key_node, value in node.value:
            kind = str(key_node.value)
            if kind == "locals":
                for item in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                    blocks.append(Block("locals", (), self.body(item, 1), self.loc(key_node)))
            elif kind in LABELLED:
                blocks.extend(self.labelled(kind, value, LABELLED[kind], (), self.loc(key_node)))
        return Body((), tuple(blocks))

    def labelled(self, kind: str, node: yaml.Node, depth: int, labels: tuple[str, ...], loc: Location) -> list[Block]:
        """`{"aws_iam_role": {"x": {...}}}` -> Block("resource", ("aws_iam_role", "x"), ...)."""
        if depth == 0:
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            return [Block(kind, labels, self.body(item, 1), self.loc(item)) for item in items]
        blocks: list[Block] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                blocks.extend(self.labelled(kind, value, depth - 1, (*labels, str(key_node.value)), self.loc(key_node)))
        return blocks

    def body(self, node: yaml.Node, depth: int) -> Body:
        if depth > _MAX_DEPTH or not isinstance(node, yaml.MappingNode):
            return Body((), ())
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for key_node, value in node.value:
            name = str(key_node.value)
            key_loc = self.loc(key_node)
            if name == "dynamic" and isinstance(value, yaml.MappingNode):
                for label_node, content in value.value:
                    blocks.append(Block("dynamic", (str(label_node.value),), self.body(content, depth + 1), key_loc))
            elif name in NESTED_BLOCKS and isinstance(value, (yaml.MappingNode, yaml.SequenceNode)):
                items = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for item in items:
                    if isinstance(item, yaml.MappingNode):
                        blocks.append(Block(name, (), self.body(item, depth + 1), self.loc(item)))
            elif name != "//":  # "//" keys are comments in Terraform JSON
                attributes.append(Attribute(name, self.expr(value, depth + 1), key_loc))
        return Body(tuple(attributes), tuple(blocks))

    def expr(self, node: yaml.Node, depth: int) -> Expr:
        loc = self.loc(node)
        if depth > _MAX_DEPTH:
            return Literal(None, loc)
        if isinstance(node, yaml.MappingNode):
            return ObjectExpr(
                tuple(
                    ObjectItem(self.string(k, self.loc(k)), self.expr(v, depth + 1), self.loc(k))
                    for k, v in node.value
                ),
                loc,
            )
        if isinstance(node, yaml.SequenceNode):
            return TupleExpr(tuple(self.expr(item, depth + 1) for item in node.value), loc)
        if node.tag.endswith(":null"):
            return Literal(None, loc)
        if node.tag.endswith(":bool"):
            return Literal(str(node.value).lower() == "true", loc)
        if node.tag.endswith(":int"):
            return Literal(int(str(node.value)), loc)
        if node.tag.endswith(":float"):
            return Literal(float(str(node.value)), loc)
        return self.string(node, loc)

    def string(self, node: yaml.Node, loc: Location) -> Expr:
        text = str(node.value)
        return Template(template_text(text, loc, self.interpolation), loc)


def load_terraform_json(path: str, text: str, tfvars: bool) -> Body | Diagnostic:
    try:
        documents = compose_all(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return Diagnostic(
            Location(path, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1),
            f"JSON syntax error: {error.problem or 'invalid JSON'}",
        )
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return Diagnostic(Location(path, 1, 1), f"cannot parse JSON: {type(error).__name__}")
    if len(documents) != 1 or not isinstance(documents[0], yaml.MappingNode):
        return Diagnostic(Location(path, 1, 1), "Terraform JSON must be one JSON object")
    return _JsonConverter(path).top(documents[0], tfvars)
