"""What every Terraform adapter needs to read one module directory: its evaluator, its policy
document reader, and small helpers that turn attributes into model values with positions."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from typing import Any

from irsalint.inputs import input_digest, read_input
from irsalint.load.hcl import Attribute, Block, Body, Call, Expr, ObjectExpr, Template, TupleExpr
from irsalint.model import (
    ROLE_TARGET_TYPES,
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    Name,
    Partial,
    RoleTarget,
    Str,
    Value,
    ValueList,
)
from irsalint.policydoc import DocumentReader, FileReader
from irsalint.resolve import Evaluator, Scope


def node_id(scope: Scope, address: str) -> str:
    """A record id unique in the repository: the address within its module directory, and for a
    local child module, the call that instantiates it (`#envs/dev:module.app`)."""
    suffix = f"#{scope.instance}" if scope.instance else ""
    return f"tf:{address}@{scope.directory or '.'}{suffix}"


class ModuleContext:
    """One Terraform module directory, as the adapters see it."""

    def __init__(self, scope: Scope, read_file: FileReader | None = None) -> None:
        self.scope = scope
        self.evaluator = Evaluator(scope)
        self.reader = DocumentReader(self.evaluator, read_file)

    def node_id(self, address: str) -> str:
        return node_id(self.scope, address)

    def eval(self, expr: Expr | None) -> Any:
        return self.evaluator.eval(expr)

    def known(self, body: Body, name: str, default: Str = UNKNOWN) -> Str:
        """A string attribute; `default` when absent, null or empty."""
        value = self.text(body, name)
        return default if value is None or value == "" else value

    def text(self, body: Body, name: str, default: Str | None = None) -> Str | None:
        attribute = body.attr(name)
        if attribute is None:
            return default
        value = self.eval(attribute.expr)
        if value is None:
            return default
        return value if isinstance(value, str) else UNKNOWN

    def name(self, body: Body, attribute_name: str) -> Name | None:
        """A name attribute, partly known when only its literal parts are (`"${var.env}-app"`);
        None when absent or null."""
        attribute = body.attr(attribute_name)
        if attribute is None:
            return None
        value = self.eval(attribute.expr)
        if value is None:
            return None
        return value if isinstance(value, (str, Partial)) else UNKNOWN

    def flag(self, body: Body, name: str, default: bool) -> Any:
        attribute = body.attr(name)
        return default if attribute is None else self.eval(attribute.expr)

    def first_loc(self, body: Body, names: Sequence[str], default: Location) -> Location:
        for name in names:
            attribute = body.attr(name)
            if attribute is not None:
                return attribute.loc
        return default

    def condition_test(self, attribute: Attribute | None) -> Str:
        """The modules' `*_condition_test` input: StringEquals unless set."""
        return "StringEquals" if attribute is None else self.evaluator.eval_str(attribute.expr)

    def role_target(self, expr: Expr | None) -> RoleTarget:
        value = self.eval(expr)
        if isinstance(value, ROLE_TARGET_TYPES):
            return value
        return UNKNOWN

    def value_items(self, attribute: Attribute | None) -> tuple[Value, ...]:
        """Elements of a list or values of a map attribute, each with its own position if literal."""
        if attribute is None:
            return ()
        expr = self.evaluator.resolve_expr(attribute.expr)
        if isinstance(expr, TupleExpr):
            return tuple(Value(self.eval(item), item.loc) for item in expr.items)
        if isinstance(expr, ObjectExpr):
            return tuple(Value(self.eval(item.value), item.loc) for item in expr.items)
        value = self.eval(attribute.expr)
        if isinstance(value, tuple):
            return tuple(Value(v, attribute.loc) for v in value)
        if isinstance(value, dict):
            return tuple(Value(v, attribute.loc) for v in value.values())
        return (Value(UNKNOWN, attribute.loc),)

    def string_list(self, attribute: Attribute) -> ValueList:
        """A list (or set) of strings, each element at its own line when written literally."""
        expr = self.evaluator.resolve_expr(attribute.expr)
        if isinstance(expr, Call) and expr.name in ("toset", "tolist", "distinct", "compact") and len(expr.args) == 1:
            expr = self.evaluator.resolve_expr(expr.args[0])
        if isinstance(expr, TupleExpr) and expr.loc.path == attribute.loc.path:
            values: list[Value] = []
            complete = True
            for item in expr.items:
                value = self.eval(item)
                if isinstance(value, tuple):
                    values.extend(Value(v, item.loc) for v in value)
                elif value is UNKNOWN and not isinstance(item, Template):
                    complete = False  # could be a whole list
                else:
                    values.append(Value(value, item.loc))
            return ValueList(tuple(values), complete, attribute.loc)
        value = self.eval(attribute.expr)
        if isinstance(value, tuple):
            return ValueList(tuple(Value(v, attribute.loc) for v in value), True, attribute.loc)
        return ValueList((), False, attribute.loc)

    def annotations(self, attribute: Attribute | None) -> tuple[Annotation, ...]:
        """A map attribute of annotations (or labels), each at its own line."""
        if attribute is None:
            return ()
        expr = self.evaluator.resolve_expr(attribute.expr)
        if not isinstance(expr, ObjectExpr):
            return ()
        result = []
        for item in expr.items:
            key = self.eval(item.key)
            if not isinstance(key, str):
                continue
            value = self.eval(item.value)
            result.append(Annotation(key, value if isinstance(value, ROLE_TARGET_TYPES) else UNKNOWN, item.loc))
        return tuple(result)

    def with_boundary(self, role: IamRole, block: Block, *attributes: str) -> IamRole:
        """The role with the permissions boundary its block sets (the first attribute present)."""
        from irsalint.record import replace

        for attribute in attributes:
            found = block.body.attr(attribute)
            if found is not None:
                value = self.eval(found.expr)
                if value is None:
                    return role  # null: no boundary
                return replace(role, permissions_boundary=Value(value if isinstance(value, str) else UNKNOWN, found.loc))
        return role


def template_reader(base_real: str, directory: str, reads: dict[str, str] | None = None) -> FileReader:
    """Read a file named relative to a module directory: only regular files inside `base_real`
    (after resolving `..` and symlinks), at most MAX_TEMPLATE_BYTES, UTF-8. `reads` collects
    every file asked for, read or not, with the input_digest() of what was found."""

    def read(name: str) -> tuple[str, str] | None:
        if not name or "\x00" in name or os.path.isabs(name) or posixpath.isabs(directory):
            return None
        rel = posixpath.normpath(posixpath.join(directory, name))
        if rel == ".." or rel.startswith("../"):
            return None
        full = os.path.realpath(os.path.join(base_real, rel))
        data = read_input(full, base_real)
        if reads is not None:
            reads[rel] = input_digest(data)
        if not isinstance(data, bytes):
            return None
        try:
            return rel, data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    return read
