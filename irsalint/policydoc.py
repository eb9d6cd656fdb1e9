"""IAM policy documents, however Terraform spells them, -> PolicyDocument with positions.

Forms: `jsonencode({...})` (positions of every key), heredoc or quoted JSON (positions from the
JSON text via libyaml, offset to the heredoc's line), `data "aws_iam_policy_document"` blocks
(statement / principals / condition, source and override documents). Values that cannot be read
become UNKNOWN and mark the piece incomplete, so verdicts built on them stay silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Union

import yaml

from irsalint.iam import POD_IDENTITY_PRINCIPAL
from irsalint.load.hcl import Block, Call, Expr, ObjectExpr, Template, Traversal, TupleExpr
from irsalint.model import (
    UNKNOWN,
    Condition,
    Location,
    PolicyDocument,
    Principal,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.record import record
from irsalint.resolve import Evaluator, to_template_string
from irsalint.yamlutil import compose_all

_UNKNOWN_MARK = "@@irsalint-unknown@@"
_MAX_DOC_DEPTH = 8

# Reads a file named by `templatefile()` / `file()` relative to the Terraform module's directory:
# (repository-relative path, text), or None when it is absent, too large or outside the scan.
FileReader = Callable[[str], Union[tuple[str, str], None]]

# Terraform template syntax: `$${` and `%%{` escapes, `${ expr }` interpolations, `%{ }` directives.
_TEMPLATE_TOKEN_RE = re.compile(r"\$\$\{|%%\{|\$\{([^}]*)\}|%\{")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def render_template_file(text: str, variables: dict[str, Any] | None) -> str | None:
    """A Terraform template with the known variables substituted; unknown interpolations become
    the unknown marker (their piece of the document is then unknown). None: template directives
    (`%{ if }`, `%{ for }`) we do not evaluate. `variables` None: every interpolation is unknown."""
    pieces: list[str] = []
    position = 0
    for match in _TEMPLATE_TOKEN_RE.finditer(text):
        pieces.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token == "$${":
            pieces.append("${")
        elif token == "%%{":
            pieces.append("%{")
        elif token == "%{":
            return None
        else:
            name = match.group(1).strip()
            value = variables.get(name, UNKNOWN) if variables is not None and _IDENTIFIER_RE.match(name) else UNKNOWN
            rendered = to_template_string(value)
            pieces.append(_UNKNOWN_MARK if rendered is None else rendered)
    pieces.append(text[position:])
    return "".join(pieces)


# --- a positioned JSON-like tree ----------------------------------------------------------------


@record
class LScalar:
    value: Any  # str | int | float | bool | None | UNKNOWN
    loc: Location


@record
class LList:
    items: tuple[LNode, ...]
    loc: Location
    complete: bool = True


@record
class LMap:
    items: tuple[tuple[str, Location, LNode], ...]  # key, key location, value
    loc: Location
    complete: bool = True

    def get(self, *keys: str) -> tuple[Location, LNode] | None:
        for key, key_loc, value in self.items:
            if key in keys:
                return key_loc, value
        return None


LNode = Union[LScalar, LList, LMap]


def from_value(value: Any, loc: Location) -> LNode:
    if isinstance(value, dict):
        return LMap(tuple((k, loc, from_value(v, loc)) for k, v in value.items()), loc)
    if isinstance(value, tuple):
        return LList(tuple(from_value(v, loc) for v in value), loc)
    if isinstance(value, str) and _UNKNOWN_MARK in value:
        return LScalar(UNKNOWN, loc)
    return LScalar(value, loc)


def from_expr(expr: Expr | None, evaluator: Evaluator, loc: Location, depth: int = 0) -> LNode:
    """An HCL expression as a positioned tree, following var/local to keep their positions."""
    expr = evaluator.resolve_expr(expr)
    if expr is None or depth > 60:
        return LScalar(UNKNOWN, loc)
    if isinstance(expr, ObjectExpr):
        items: list[tuple[str, Location, LNode]] = []
        complete = True
        for item in expr.items:
            key = evaluator.eval(item.key)
            if not isinstance(key, str):
                complete = False
                continue
            items.append((key, item.key.loc, from_expr(item.value, evaluator, item.value.loc, depth + 1)))
        return LMap(tuple(items), expr.loc, complete)
    if isinstance(expr, TupleExpr):
        return LList(tuple(from_expr(i, evaluator, i.loc, depth + 1) for i in expr.items), expr.loc)
    return from_value(evaluator.eval(expr), expr.loc)


def from_json_text(text: str, first_line: int, path: str, single_loc: Location | None) -> LNode | None:
    """Parse JSON text; positions are offset by `first_line` (or all `single_loc` for a quoted
    one-line string whose inner positions would be meaningless)."""
    try:
        documents = compose_all(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        try:
            return from_value(_tupled(json.loads(text)), single_loc or Location(path, first_line))
        except (ValueError, RecursionError):
            return None
    if len(documents) != 1 or documents[0] is None:
        return None
    return _from_node(documents[0], first_line, path, single_loc, 0)


def from_yaml_node(node: yaml.Node, path: str, single_loc: Location | None = None) -> LNode:
    """A composed JSON/YAML node (a document written as an object inside a larger file, such as an
    AWS IAM dump) as a positioned tree: the file's own lines, or all `single_loc`."""
    return _from_node(node, 1, path, single_loc, 0)


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, dict):
        return {k: _tupled(v) for k, v in value.items()}
    return value


def _from_node(node: yaml.Node, first_line: int, path: str, single: Location | None, depth: int) -> LNode:
    loc = single or Location(path, node.start_mark.line + first_line, node.start_mark.column + 1)
    if depth > 60:
        return LScalar(UNKNOWN, loc)
    if isinstance(node, yaml.MappingNode):
        items = []
        for key_node, value_node in node.value:
            key_loc = single or Location(path, key_node.start_mark.line + first_line, key_node.start_mark.column + 1)
            items.append((str(key_node.value), key_loc, _from_node(value_node, first_line, path, single, depth + 1)))
        return LMap(tuple(items), loc)
    if isinstance(node, yaml.SequenceNode):
        return LList(tuple(_from_node(n, first_line, path, single, depth + 1) for n in node.value), loc)
    text = str(node.value)
    if _UNKNOWN_MARK in text:
        return LScalar(UNKNOWN, loc)
    if node.tag.endswith(":bool"):
        return LScalar(text.lower() == "true", loc)
    if node.tag.endswith(":null"):
        return LScalar(None, loc)
    return LScalar(text, loc)


# --- reading a document -------------------------------------------------------------------------


class DocumentReader:
    """Reads policy documents in one Terraform scope (needs the evaluator and the data sources)."""

    def __init__(self, evaluator: Evaluator, read_file: FileReader | None = None) -> None:
        self.evaluator = evaluator
        self.read_file = read_file

    def read(self, expr: Expr | None, loc: Location, depth: int = 0) -> PolicyDocument | None:
        """A document from an attribute value: jsonencode, heredoc/quoted JSON, data source ref."""
        expr = self.evaluator.resolve_expr(expr)
        if expr is None or depth > _MAX_DOC_DEPTH:
            return None
        if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            return document_from_tree(from_expr(expr.args[0], self.evaluator, expr.loc), expr.loc)
        if isinstance(expr, Call) and expr.name in ("templatefile", "file") and expr.args:
            return self.read_template_file(expr)
        if isinstance(expr, Traversal) and expr.root == "data" and expr.steps[:1] == ("aws_iam_policy_document",):
            block = self.data_source(expr)
            return self.read_data_source(block, depth + 1) if block is not None else None
        if isinstance(expr, Template):
            return self.read_template(expr)
        value = self.evaluator.eval(expr)
        if isinstance(value, str):
            tree = from_json_text(value, loc.line, loc.path, loc)
            return document_from_tree(tree, loc) if tree is not None else None
        return None

    def read_template_file(self, expr: Call) -> PolicyDocument | None:
        """`templatefile("trust.json.tpl", {...})` / `file("trust.json")`: the file next to the
        Terraform code, known variables substituted, positions in the template file."""
        if self.read_file is None:
            return None
        name = self.file_name(expr.args[0])
        if name is None:
            return None
        loaded = self.read_file(name)
        if loaded is None:
            return None
        path, text = loaded
        if expr.name == "templatefile":
            variables: dict[str, Any] | None = {}
            if len(expr.args) >= 2:
                value = self.evaluator.eval(expr.args[1])
                variables = value if isinstance(value, dict) else None
            rendered = render_template_file(text, variables)
            if rendered is None:
                return None
            text = rendered
        tree = from_json_text(text, 1, path, None)
        return document_from_tree(tree, Location(path, 1)) if tree is not None else None

    def file_name(self, expr: Expr) -> str | None:
        """A file path argument; `path.module` is the module's own directory (".")."""
        expr = self.evaluator.resolve_expr(expr) or expr
        parts = expr.parts if isinstance(expr, Template) else (expr,)
        pieces: list[str] = []
        for part in parts:
            if isinstance(part, Traversal) and part.root == "path" and part.steps == ("module",):
                pieces.append(".")
                continue
            text = part if isinstance(part, str) else to_template_string(self.evaluator.eval(part))
            if text is None:
                return None
            pieces.append(text)
        return "".join(pieces)

    def data_source(self, expr: Traversal) -> Block | None:
        if len(expr.steps) < 2 or not isinstance(expr.steps[1], str):
            return None
        return self.evaluator.scope.data.get(("aws_iam_policy_document", expr.steps[1]))

    def read_template(self, expr: Template) -> PolicyDocument | None:
        pieces: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            text = to_template_string(self.evaluator.eval(part))
            if text is None:
                text = _UNKNOWN_MARK
            pieces.append(json.dumps(text)[1:-1])  # the value lands inside a JSON string
        text = "".join(pieces)
        if expr.heredoc:
            tree = from_json_text(text, expr.body_line, expr.loc.path, None)
        else:
            tree = from_json_text(text, expr.loc.line, expr.loc.path, expr.loc)
        return document_from_tree(tree, expr.loc) if tree is not None else None

    def read_data_source(self, block: Block, depth: int) -> PolicyDocument:
        statements: list[Statement] = []
        complete = True
        for attribute_name in ("source_policy_documents", "override_policy_documents"):
            attribute = block.body.attr(attribute_name)
            if attribute is None:
                continue
            sources = attribute.expr
            items = sources.items if isinstance(sources, TupleExpr) else None
            if items is None:
                complete = False
                continue
            for item in items:
                document = self.read(item, item.loc, depth + 1)
                if document is None:
                    complete = False
                    continue
                complete = complete and document.complete
                if attribute_name == "override_policy_documents":
                    sids = {s.sid for s in document.statements if isinstance(s.sid, str)}
                    statements = [s for s in statements if s.sid not in sids]
                statements.extend(document.statements)
        for child in block.body.blocks:
            if child.type == "statement":
                statements.append(self.statement_block(child))
            elif child.type == "dynamic":
                complete = False  # for_each-generated statements: not statically knowable
        return PolicyDocument(tuple(statements), complete, block.loc)

    def statement_block(self, block: Block) -> Statement:
        body = block.body
        effect_attr = body.attr("effect")
        effect: Str = "Allow" if effect_attr is None else self.evaluator.eval_str(effect_attr.expr)
        sid_attr = body.attr("sid")
        principals: list[Principal] = []
        for principal_block in body.blocks_of("principals"):
            type_attr = principal_block.body.attr("type")
            identifiers = principal_block.body.attr("identifiers")
            principals.append(
                Principal(
                    self.evaluator.eval_str(type_attr.expr) if type_attr else UNKNOWN,
                    self.value_list(identifiers.expr, identifiers.loc) if identifiers else _EMPTY(principal_block.loc),
                )
            )
        conditions: list[Condition] = []
        for condition_block in body.blocks_of("condition"):
            test = condition_block.body.attr("test")
            variable = condition_block.body.attr("variable")
            values = condition_block.body.attr("values")
            conditions.append(
                make_condition(
                    self.evaluator.eval_str(test.expr) if test else UNKNOWN,
                    self.evaluator.eval_str(variable.expr) if variable else UNKNOWN,
                    self.evaluator.template_suffix(variable.expr) if variable else "",
                    self.value_list(values.expr, values.loc) if values else _EMPTY(condition_block.loc),
                    condition_block.loc,
                )
            )
        dynamic_conditions = any(
            b.type == "dynamic" and b.labels[:1] in (("condition",), ("principals",)) for b in body.blocks
        )
        return Statement(
            sid=self.evaluator.eval_str(sid_attr.expr) if sid_attr else None,
            effect=effect,
            actions=self.optional_list(body, "actions"),
            not_actions=self.optional_list(body, "not_actions"),
            resources=self.optional_list(body, "resources"),
            not_resources=self.optional_list(body, "not_resources"),
            principals=tuple(principals),
            conditions=tuple(conditions),
            conditions_complete=not dynamic_conditions,
            loc=block.loc,
        )

    def optional_list(self, body: Any, name: str) -> ValueList | None:
        attribute = body.attr(name)
        return None if attribute is None else self.value_list(attribute.expr, attribute.loc)

    def value_list(self, expr: Expr, key_loc: Location) -> ValueList:
        """A list attribute, each element with its own position when written literally."""
        resolved = self.evaluator.resolve_expr(expr)
        if isinstance(resolved, TupleExpr) and resolved.loc.path == key_loc.path:
            values: list[Value] = []
            complete = True
            for item in resolved.items:
                value = self.evaluator.eval(item)
                if isinstance(value, tuple):  # a nested list (concat-like writing)
                    values.extend(Value(v, item.loc) for v in value)
                elif value is UNKNOWN and not isinstance(item, Template):
                    complete = False  # could be a whole list
                else:
                    values.append(Value(value, item.loc))
            return ValueList(tuple(values), complete, key_loc)
        return value_list_from_tree(from_value(self.evaluator.eval(expr), expr.loc), key_loc)


def _EMPTY(loc: Location) -> ValueList:
    return ValueList((), False, loc)


def value_list_from_tree(node: LNode, key_loc: Location) -> ValueList:
    if isinstance(node, LScalar):
        if node.value is UNKNOWN:
            return ValueList((), False, key_loc)
        return ValueList((Value(node.value, node.loc),), True, key_loc)
    if isinstance(node, LList):
        values: list[Value] = []
        complete = node.complete
        for item in node.items:
            if isinstance(item, LScalar):
                values.append(Value(item.value, item.loc))
            else:
                complete = False
        return ValueList(tuple(values), complete, key_loc)
    return ValueList((), False, key_loc)


def make_condition(operator: Str, key: Str, key_suffix: str, values: ValueList, loc: Location) -> Condition:
    """Split a condition key into issuer and claim; the claim is often known when the issuer is not."""
    if isinstance(key, str) and _UNKNOWN_MARK in key:
        key_suffix, key = key.rsplit(_UNKNOWN_MARK, 1)[-1], UNKNOWN
    issuer: Str = UNKNOWN
    claim: Str = UNKNOWN
    if isinstance(key, str):
        head, sep, tail = key.rpartition(":")
        issuer, claim = (head, tail) if sep else (UNKNOWN, UNKNOWN)
    elif ":" in key_suffix:
        claim = key_suffix.rpartition(":")[2]
    return Condition(operator, key, issuer, claim, values, loc)


def document_from_tree(root: LNode | None, loc: Location) -> PolicyDocument | None:
    if not isinstance(root, LMap):
        return None
    found = root.get("Statement")
    if found is None:
        return PolicyDocument((), root.complete, root.loc)
    _, statements_node = found
    nodes: tuple[LNode, ...]
    complete = root.complete
    if isinstance(statements_node, LMap):
        nodes = (statements_node,)
    elif isinstance(statements_node, LList):
        nodes = statements_node.items
        complete = complete and statements_node.complete
    else:
        return PolicyDocument((), False, root.loc)
    statements = []
    for node in nodes:
        if isinstance(node, LMap):
            statements.append(statement_from_tree(node))
        else:
            complete = False
    return PolicyDocument(tuple(statements), complete, root.loc)


def _scalar_text(node: LNode | None) -> Str:
    if isinstance(node, LScalar) and isinstance(node.value, str):
        return node.value
    return UNKNOWN


def statement_from_tree(node: LMap) -> Statement:
    def values(*keys: str) -> ValueList | None:
        found = node.get(*keys)
        return None if found is None else value_list_from_tree(found[1], found[0])

    sid = node.get("Sid")
    effect = node.get("Effect")
    principals: list[Principal] = []
    principal = node.get("Principal")
    if principal is not None:
        key_loc, principal_node = principal
        if isinstance(principal_node, LMap):
            for type_name, type_loc, ids in principal_node.items:
                principals.append(Principal(type_name, value_list_from_tree(ids, type_loc)))
        else:  # "Principal": "*"
            principals.append(Principal("*", value_list_from_tree(principal_node, key_loc)))
    conditions: list[Condition] = []
    conditions_complete = True
    condition = node.get("Condition")
    if condition is not None:
        _, condition_node = condition
        if isinstance(condition_node, LMap):
            conditions_complete = condition_node.complete
            for operator, operator_loc, keys in condition_node.items:
                if not isinstance(keys, LMap):
                    conditions_complete = False
                    continue
                conditions_complete = conditions_complete and keys.complete
                for key, key_loc, condition_values in keys.items:
                    conditions.append(
                        make_condition(operator, key, "", value_list_from_tree(condition_values, key_loc), key_loc)
                    )
        else:
            conditions_complete = False
    return Statement(
        sid=_scalar_text(sid[1]) if sid else None,
        effect=_scalar_text(effect[1]) if effect else UNKNOWN,
        actions=values("Action"),
        not_actions=values("NotAction"),
        resources=values("Resource"),
        not_resources=values("NotResource"),
        principals=tuple(principals),
        conditions=tuple(conditions),
        conditions_complete=conditions_complete,
        loc=node.loc,
    )


def pod_identity_statement(loc: Location, sid: Str | None = None, conditions: tuple[Condition, ...] = (),
                           conditions_complete: bool = True) -> Statement:
    """The trust statement of a Pod Identity role (eksctl, the Karpenter and eks-pod-identity
    modules): pods.eks.amazonaws.com may sts:AssumeRole and sts:TagSession."""
    return Statement(
        sid=sid,
        effect="Allow",
        actions=ValueList((Value("sts:AssumeRole", loc), Value("sts:TagSession", loc)), True, loc),
        not_actions=None,
        resources=None,
        not_resources=None,
        principals=(Principal("Service", ValueList((Value(POD_IDENTITY_PRINCIPAL, loc),), True, loc)),),
        conditions=conditions,
        conditions_complete=conditions_complete,
        loc=loc,
    )
