"""Terraform expressions -> Python values, or UNKNOWN.

Only what can be known statically is computed: literals, string templates, a handful of pure
functions, `var.*` (defaults and auto-loaded tfvars), `local.*`, and references to the roles and
policies we model. Everything else is UNKNOWN: never guessed, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from irsalint.load.hcl import (
    Block,
    Call,
    Expr,
    Literal,
    ObjectExpr,
    Opaque,
    Template,
    Traversal,
    TupleExpr,
)
from irsalint.model import UNKNOWN, Partial, PolicyRef, RoleName, RoleRef
from irsalint.partial import make_partial

MAX_DEPTH = 40

# What a module's outputs point at: output name -> role attribute.
ROLE_OUTPUTS = {
    "iam_role_arn": "arn",
    "iam_role_name": "name",
    "iam_role_unique_id": "id",
    "arn": "arn",
    "name": "name",
    "unique_id": "id",
}
ROLE_ATTRIBUTES = {"arn": "arn", "name": "name", "id": "name", "unique_id": "id"}


class Scope:
    """One Terraform module directory: what `var.`, `local.`, `module.` and resources mean there.
    Filled in as the directory's files are read (a plain class: dataclasses is not imported by a
    lint run, docs/design.md "Start-up and exit")."""

    def __init__(
        self,
        directory: str,
        *,
        variables: dict[str, Expr] | None = None,
        tfvars: dict[str, Expr] | None = None,
        locals: dict[str, Expr] | None = None,  # noqa: A002 - Terraform's name
        instance: str = "",
    ) -> None:
        self.directory = directory
        self.variables = {} if variables is None else variables  # defaults
        self.tfvars = {} if tfvars is None else tfvars  # terraform.tfvars / *.auto.tfvars win
        self.locals = {} if locals is None else locals
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.role_ids: dict[str, str] = {}  # "aws_iam_role.x" / "module.x" -> role id
        self.policy_ids: dict[str, str] = {}  # "aws_iam_policy.x" -> policy id
        self.outputs: dict[str, Expr] = {}  # `output "x" { value = ... }`
        # An instance of a local child module: its inputs, each evaluated in the caller's scope...
        self.inputs: dict[str, tuple[Evaluator, Expr]] = {}
        # ...and, in the caller, the evaluators of the local child modules it calls (for their outputs)
        self.children: dict[str, Evaluator] = {}
        self.instance = instance  # "" for a root module; else which call instantiates it ("envs/dev:module.app")

    def called_as(self, instance: str, inputs: dict[str, tuple[Evaluator, Expr]]) -> Scope:
        """This module directory as one call instantiates it: the same blocks (shared), the call's
        inputs, and ids and children of its own."""
        called = Scope(self.directory, variables=self.variables, tfvars=self.tfvars, locals=self.locals, instance=instance)
        called.resources, called.data, called.modules, called.outputs = self.resources, self.data, self.modules, self.outputs
        called.inputs = inputs
        return called


class Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._active: set[str] = set()

    def eval(self, expr: Expr | None, depth: int = 0) -> Any:
        if expr is None or depth > MAX_DEPTH:
            return UNKNOWN
        try:
            return self._eval(expr, depth)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, re.error):
            return UNKNOWN

    def eval_str(self, expr: Expr | None) -> Any:
        value = self.eval(expr)
        return value if isinstance(value, str) else UNKNOWN

    def _eval(self, expr: Expr, depth: int) -> Any:
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Template):
            return self._template(expr, depth)
        if isinstance(expr, TupleExpr):
            return tuple(self.eval(item, depth + 1) for item in expr.items)
        if isinstance(expr, ObjectExpr):
            result: dict[str, Any] = {}
            for item in expr.items:
                key = self.eval(item.key, depth + 1)
                if not isinstance(key, str):
                    return UNKNOWN
                result[key] = self.eval(item.value, depth + 1)
            return result
        if isinstance(expr, Traversal):
            return self._traversal(expr, depth)
        if isinstance(expr, Call):
            return self._call(expr, depth)
        return UNKNOWN  # Opaque

    def _template(self, expr: Template, depth: int) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
            return self.eval(expr.parts[0], depth + 1)  # "${x}" is x itself, whatever its type
        pieces: list[str | tuple[str] | Partial] = []
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            if isinstance(part, Opaque) and part.kind == "directive":
                return UNKNOWN  # %{ if } / %{ for } change the text's very shape
            value = self.eval(part, depth + 1)
            text = to_template_string(value)
            if text is not None:
                pieces.append(text)
            elif isinstance(value, Partial):
                pieces.append(value)
            elif not (value is UNKNOWN or isinstance(value, (RoleRef, PolicyRef, RoleName))):
                return UNKNOWN  # a list or null cannot be interpolated (Terraform fails)
            elif expr.heredoc:
                return UNKNOWN  # a document, not a name: read by policydoc with its own positions
            else:
                pieces.append((f"${{{expr_text(part)}}}",))
        # "${module.eks.cluster_name}-irsa-kuard": a name known but for its prefix
        made = make_partial(pieces)
        return UNKNOWN if made is None else made

    def template_suffix(self, expr: Expr | None) -> str:
        """The literal text at the end of a template, known even when its start is not
        (`"${local.issuer}:sub"` -> ":sub")."""
        if isinstance(expr, Template) and expr.parts and isinstance(expr.parts[-1], str):
            return expr.parts[-1]
        value = self.eval(expr)
        return value if isinstance(value, str) else ""

    def _traversal(self, expr: Traversal, depth: int) -> Any:
        root, steps = expr.root, expr.steps
        if root == "var" and steps and isinstance(steps[0], str):
            value = self._named("var", steps[0], depth)
            return index(value, steps[1:])
        if root == "local" and steps and isinstance(steps[0], str):
            return index(self._named("local", steps[0], depth), steps[1:])
        if root == "module" and len(steps) >= 2 and isinstance(steps[0], str):
            name, outputs = steps[0], steps[1:]
            if isinstance(outputs[0], int) and len(outputs) >= 2:
                outputs = outputs[1:]  # module.x[0].out: the instance of a counted module
            role_id = self.scope.role_ids.get(f"module.{name}")
            attribute = ROLE_OUTPUTS.get(str(outputs[0]))
            if role_id is not None and attribute is not None:
                return RoleRef(role_id, attribute)
            child = self.scope.children.get(name)
            if child is not None and isinstance(outputs[0], str):
                return index(child.output(outputs[0], depth + 1), outputs[1:])
            return UNKNOWN
        if root == "aws_iam_role" and steps and isinstance(steps[0], str):
            role_id = self.scope.role_ids.get(f"aws_iam_role.{steps[0]}")
            attribute = next((ROLE_ATTRIBUTES.get(str(s)) for s in steps[1:] if isinstance(s, str)), None)
            if role_id is not None and attribute is not None:
                return RoleRef(role_id, attribute)
            return UNKNOWN
        if root == "data" and len(steps) >= 3 and steps[0] == "aws_iam_role" and isinstance(steps[1], str):
            return self._role_lookup(steps[1], steps[2], depth)
        if root == "aws_iam_policy" and steps and isinstance(steps[0], str):
            policy_id = self.scope.policy_ids.get(f"aws_iam_policy.{steps[0]}")
            if policy_id is not None and any(s in ("arn", "id") for s in steps[1:]):
                return PolicyRef(policy_id)
            return UNKNOWN
        return UNKNOWN

    def _fails(self, expr: Expr, depth: int) -> bool:
        """Would Terraform fail to evaluate this (a missing key or attribute of a known object, an
        index past the end of a known list, an attribute of null)? Only what is certain: an
        unknown value may well exist at apply time."""
        if not isinstance(expr, Traversal) or expr.root not in ("var", "local") or not expr.steps:
            return False
        first = expr.steps[0]
        if not isinstance(first, str):
            return False
        value = self._named(expr.root, first, depth)
        for step in expr.steps[1:]:
            if value is None:
                return True
            if isinstance(value, dict) and isinstance(step, str):
                if step not in value:
                    return True
                value = value[step]
            elif isinstance(value, tuple) and isinstance(step, int):
                if not -len(value) <= step < len(value):
                    return True
                value = value[step]
            else:
                return False
        return False

    def _role_lookup(self, label: str, attribute: object, depth: int) -> Any:
        """`data.aws_iam_role.x.arn`: the role named by the data source's `name`, as a lookup the
        graph resolves against the scanned roles (SPEC §3.4)."""
        block = self.scope.data.get(("aws_iam_role", label))
        wanted = ROLE_ATTRIBUTES.get(str(attribute))
        if block is None or wanted not in ("arn", "name"):
            return UNKNOWN
        name = self.eval(block.body.expr("name"), depth + 1)
        return RoleName(name, wanted) if isinstance(name, (str, Partial)) else UNKNOWN

    def _named(self, kind: str, name: str, depth: int) -> Any:
        key = f"{kind}.{name}"
        if key in self._active:
            return UNKNOWN  # a cycle
        if kind == "var" and name in self.scope.inputs:
            caller, given = self.scope.inputs[name]  # a module input: the caller's expression
            self._active.add(key)
            try:
                return caller.eval(given, depth + 1)
            finally:
                self._active.discard(key)
        if kind == "var":
            expr = self.scope.tfvars.get(name, self.scope.variables.get(name))
        else:
            expr = self.scope.locals.get(name)
        if expr is None:
            return UNKNOWN
        self._active.add(key)
        try:
            return self.eval(expr, depth + 1)
        finally:
            self._active.discard(key)

    def output(self, name: str, depth: int = 0) -> Any:
        """The value of this module's `output "name"` (for the module that calls it)."""
        key = f"output.{name}"
        expr = self.scope.outputs.get(name)
        if expr is None or key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            return self.eval(expr, depth + 1)
        finally:
            self._active.discard(key)

    def resolve_expr(self, expr: Expr | None, depth: int = 0) -> Expr | None:
        """Follow `var.x` / `local.x` to the expression they stand for (to read a document with its
        own positions); anything else is returned as is."""
        while isinstance(expr, (Traversal, Template)) and depth < MAX_DEPTH:
            if isinstance(expr, Template):
                if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
                    expr = expr.parts[0]
                    depth += 1
                    continue
                return expr
            if expr.root in ("var", "local") and len(expr.steps) == 1 and isinstance(expr.steps[0], str):
                name = expr.steps[0]
                if expr.root == "var" and name in self.scope.inputs:
                    return expr  # written in the caller: evaluated there, not here
                source = self.scope.tfvars.get(name, self.scope.variables.get(name)) if expr.root == "var" else self.scope.locals.get(name)
                if source is None:
                    return expr
                expr = source
                depth += 1
                continue
            return expr
        return expr

    def _call(self, expr: Call, depth: int) -> Any:
        function = FUNCTIONS.get(expr.name)
        if function is None:
            return UNKNOWN
        if expr.name == "try":  # the first argument that does not fail; unknown stays unknown
            for arg in expr.args:
                if self._fails(arg, depth + 1):
                    continue
                return self.eval(arg, depth + 1)  # `try(module.x[0].arn, "")` is not ""
            return UNKNOWN
        args = [self.eval(arg, depth + 1) for arg in expr.args]
        return function(args)


def expr_text(expr: Expr) -> str:
    """A short rendering of an expression for messages: `module.eks.cluster_name`, `var.env`."""
    if isinstance(expr, Traversal):
        steps = "".join(f".{s}" if isinstance(s, str) else f"[{s if s is not None else '…'}]" for s in expr.steps)
        return expr.root + steps
    if isinstance(expr, Call):
        return f"{expr.name}(…)"
    if isinstance(expr, Literal):
        return repr(expr.value)
    return "…"


def is_known(value: Any) -> bool:
    """Fully known: no UNKNOWN anywhere inside."""
    if value is UNKNOWN or isinstance(value, Partial):
        return False
    if isinstance(value, tuple):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def to_template_string(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def index(value: Any, steps: Sequence[str | int | None]) -> Any:
    for step in steps:
        if value is UNKNOWN or step is None:
            return UNKNOWN
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step, UNKNOWN)
        elif isinstance(value, tuple) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        else:
            return UNKNOWN
    return value


# --- functions ------------------------------------------------------------------------------------


def _strings(count: int) -> Callable[[Callable[..., Any]], Callable[[list[Any]], Any]]:
    """Wrap a function whose first `count` arguments must be known strings."""

    def wrap(function: Callable[..., Any]) -> Callable[[list[Any]], Any]:
        def run(args: list[Any]) -> Any:
            if len(args) != count or not all(isinstance(a, str) for a in args):
                return UNKNOWN
            return function(*args)

        return run

    return wrap


@_strings(3)
def _replace(text: str, search: str, replacement: str) -> Any:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        # Terraform uses RE2; the subset people write in IRSA code is Python-compatible.
        # Go's replacement syntax ($1, ${name}, $$) -> Python's; other backslashes stay literal.
        replacement = re.sub(
            r"\$\$|\$(\d+)|\$\{(\w+)\}|\\",
            lambda m: "$" if m.group(0) == "$$" else "\\\\" if m.group(0) == "\\" else "\\g<" + (m.group(1) or m.group(2)) + ">",
            replacement,
        )
        return re.sub(search[1:-1], replacement, text)
    return text.replace(search, replacement)


def _trimprefix(args: list[Any]) -> Any:
    if len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0].removeprefix(args[1])
    return UNKNOWN


def _trimsuffix(args: list[Any]) -> Any:
    if len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0][: -len(args[1])] if args[1] and args[0].endswith(args[1]) else args[0]
    return UNKNOWN


def _format(args: list[Any]) -> Any:
    if not args or not isinstance(args[0], str):
        return UNKNOWN
    values = [to_template_string(a) for a in args[1:]]
    if any(v is None for v in values):
        return UNKNOWN
    pieces = re.split(r"(%%|%[sdv])", args[0])
    out: list[str] = []
    position = 0
    for piece in pieces:
        if piece == "%%":
            out.append("%")
        elif piece in ("%s", "%d", "%v"):
            if position >= len(values):
                return UNKNOWN
            out.append(str(values[position]))
            position += 1
        elif "%" in piece:
            return UNKNOWN  # a verb we do not model
        else:
            out.append(piece)
    return "".join(out)


def _join(args: list[Any]) -> Any:
    if len(args) >= 2 and isinstance(args[0], str) and all(isinstance(a, tuple) for a in args[1:]):
        items = [to_template_string(v) for a in args[1:] for v in a]
        if any(i is None for i in items):
            return UNKNOWN
        return args[0].join(str(i) for i in items)
    return UNKNOWN


def _concat(args: list[Any]) -> Any:
    if all(isinstance(a, tuple) for a in args):
        return tuple(v for a in args for v in a)
    return UNKNOWN


def _merge(args: list[Any]) -> Any:
    if all(isinstance(a, dict) for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            merged.update(a)
        return merged
    return UNKNOWN


def _coalesce(args: list[Any]) -> Any:
    for value in args:
        if value is UNKNOWN:
            return UNKNOWN
        if value is not None and value != "":
            return value
    return UNKNOWN


def _lookup(args: list[Any]) -> Any:
    if len(args) in (2, 3) and isinstance(args[0], dict) and isinstance(args[1], str):
        if args[1] in args[0]:
            return args[0][args[1]]
        return args[2] if len(args) == 3 else UNKNOWN
    return UNKNOWN


def _element(args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], tuple) and args[0] and isinstance(args[1], int):
        return args[0][args[1] % len(args[0])]
    return UNKNOWN


def _split(args: list[Any]) -> Any:
    if len(args) == 2 and all(isinstance(a, str) for a in args) and args[0]:
        return tuple(args[1].split(args[0]))
    return UNKNOWN


def _jsonencode(args: list[Any]) -> Any:
    if len(args) == 1 and is_known(args[0]) and not _has_refs(args[0]):
        return json.dumps(args[0], separators=(",", ":"), sort_keys=True)
    return UNKNOWN


def _has_refs(value: Any) -> bool:
    if isinstance(value, (RoleRef, PolicyRef, RoleName)):
        return True
    if isinstance(value, tuple):
        return any(_has_refs(v) for v in value)
    if isinstance(value, dict):
        return any(_has_refs(v) for v in value.values())
    return False


def _tolist(args: list[Any]) -> Any:
    return args[0] if len(args) == 1 and isinstance(args[0], tuple) else UNKNOWN


def _toset(args: list[Any]) -> Any:
    if len(args) == 1 and isinstance(args[0], tuple) and all(isinstance(v, str) for v in args[0]):
        return tuple(sorted(set(args[0])))
    return UNKNOWN


def _tostring(args: list[Any]) -> Any:
    text = to_template_string(args[0]) if len(args) == 1 else None
    return UNKNOWN if text is None else text


def _one_string(function: Callable[[str], Any]) -> Callable[[list[Any]], Any]:
    def run(args: list[Any]) -> Any:
        return function(args[0]) if len(args) == 1 and isinstance(args[0], str) else UNKNOWN

    return run


def _flatten(args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], tuple):
        return UNKNOWN
    out: list[Any] = []
    stack = list(reversed(args[0]))
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return tuple(out)


FUNCTIONS: Mapping[str, Callable[[list[Any]], Any]] = {
    "replace": _replace,
    "trimprefix": _trimprefix,
    "trimsuffix": _trimsuffix,
    "format": _format,
    "join": _join,
    "concat": _concat,
    "merge": _merge,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "element": _element,
    "split": _split,
    "jsonencode": _jsonencode,
    "tolist": _tolist,
    "toset": _toset,
    "tostring": _tostring,
    "flatten": _flatten,
    "lower": _one_string(str.lower),
    "upper": _one_string(str.upper),
    "trimspace": _one_string(str.strip),
    "try": lambda args: UNKNOWN,  # evaluated lazily in Evaluator._call
}

__all__ = ["UNKNOWN", "Evaluator", "Opaque", "Scope", "index", "is_known"]
