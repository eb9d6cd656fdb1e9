"""Where a role is used besides its own block and its policy attachments: an `output`, an
`aws_eks_addon`, a `helm_release`, another module's input... (IRSA006 stays quiet for those)."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from irsalint.load.hcl import Block, Body, Call, Expr, ObjectExpr, Opaque, Template, Traversal, TupleExpr
from irsalint.load.terraform import TfFile
from irsalint.model import Location
from irsalint.resolve import Scope
from irsalint.sources.terraform.aws_iam import ATTACHMENT_RESOURCES


def iter_expressions(body: Body) -> Iterator[Expr]:
    for attribute in body.attributes:
        yield attribute.expr
    for block in body.blocks:
        yield from iter_expressions(block.body)


def mentions(expr: Expr) -> tuple[list[Traversal], list[str]]:
    """Every traversal (those an Opaque keeps included) and every literal text of a template
    inside an expression, in one walk."""
    traversals: list[Traversal] = []
    literals: list[str] = []
    stack: list[Expr] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, Traversal):
            traversals.append(current)
        elif isinstance(current, Template):
            for part in current.parts:
                if isinstance(part, str):
                    literals.append(part)
                else:
                    stack.append(part)
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for item in current.items:
                stack.append(item.key)
                stack.append(item.value)
        elif isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, Opaque):
            traversals.extend(current.references)
    return traversals, literals


def role_uses(files: Iterable[TfFile], instances: Sequence[Scope]) -> tuple[dict[str, tuple[Location, ...]], tuple[str, ...]]:
    """role id -> where it is referenced from outside its own block; and every literal containing
    ":role/" (ARNs written by hand). Each module instance is looked at with its own role ids."""
    uses: dict[str, list[Location]] = defaultdict(list)
    literals: set[str] = set()
    by_directory: dict[str, list[TfFile]] = defaultdict(list)
    for tf in files:
        if not tf.is_tfvars:
            by_directory[posixpath.dirname(tf.path)].append(tf)
    for scope in instances:
        nested = nested_roles(scope)
        for tf in by_directory.get(scope.directory, ()):
            _file_uses(tf, scope, uses, literals, nested)
    return {k: tuple(sorted(set(v))) for k, v in sorted(uses.items())}, tuple(sorted(literals))


def _file_uses(
    tf: TfFile, scope: Scope, uses: dict[str, list[Location]], literals: set[str], nested: dict[str, list[str]]
) -> None:
    for block in tf.body.blocks:
        own = _own_address(block)
        if block.type == "resource" and block.labels[:1] and block.labels[0] in ATTACHMENT_RESOURCES:
            continue
        for expr in iter_expressions(block.body):
            traversals, texts = mentions(expr)
            literals.update(text for text in texts if ":role/" in text)
            for traversal in traversals:
                if traversal.root in ("aws_iam_role", "module") and traversal.steps and isinstance(traversal.steps[0], str):
                    address = f"{traversal.root}.{traversal.steps[0]}"
                    if address == own:
                        continue
                    for role_id in _roles_of(scope, address, nested):
                        uses[role_id].append(traversal.loc)


def _roles_of(scope: Scope, address: str, nested: dict[str, list[str]]) -> list[str]:
    """The roles a reference to `address` may expose: its own, or for a module that creates
    several (`module.addons.external_secrets`...), all of them (its outputs pass them on)."""
    role_id = scope.role_ids.get(address)
    if role_id is not None:
        return [role_id]
    child = scope.children.get(address.removeprefix("module."))
    if child is not None:  # a local module: its outputs may pass any of its roles on
        return sorted(child.scope.role_ids.values())
    return nested.get(address, [])


def nested_roles(scope: Scope) -> dict[str, list[str]]:
    """`module.addons` -> the roles addressed `module.addons.<name>` (multi-role modules), built
    once per scope: scanning every role for every reference was quadratic in big roots."""
    nested: dict[str, list[str]] = defaultdict(list)
    for role_address, role_id in scope.role_ids.items():
        parts = role_address.split(".")
        for end in range(2, len(parts)):
            nested[".".join(parts[:end])].append(role_id)
    return dict(nested)


def _own_address(block: Block) -> str | None:
    if block.type == "resource" and len(block.labels) >= 2:
        return f"{block.labels[0]}.{block.labels[1]}"
    if block.type == "module" and block.labels:
        return f"module.{block.labels[0]}"
    return None
