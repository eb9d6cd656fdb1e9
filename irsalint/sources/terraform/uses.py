"""Where a role is used besides its own block and its policy attachments: an `output`, an
`aws_eks_addon`, a `helm_release`, another module's input... (IRSA006 stays quiet for those)."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator

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


def iter_traversals(expr: Expr) -> Iterator[Traversal]:
    stack: list[Expr] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, Traversal):
            yield current
        elif isinstance(current, Template):
            stack.extend(p for p in current.parts if not isinstance(p, str))
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for item in current.items:
                stack.extend((item.key, item.value))
        elif isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, Opaque):
            yield from current.references


def iter_literals(expr: Expr) -> Iterator[str]:
    stack: list[Expr] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, Template):
            for part in current.parts:
                if isinstance(part, str):
                    yield part
                else:
                    stack.append(part)
        elif isinstance(current, TupleExpr):
            stack.extend(current.items)
        elif isinstance(current, ObjectExpr):
            for item in current.items:
                stack.extend((item.key, item.value))
        elif isinstance(current, Call):
            stack.extend(current.args)


def role_uses(files: Iterable[TfFile], scopes: dict[str, Scope]) -> tuple[dict[str, tuple[Location, ...]], tuple[str, ...]]:
    """role id -> where it is referenced from outside its own block; and every literal containing
    ":role/" (ARNs written by hand)."""
    uses: dict[str, list[Location]] = defaultdict(list)
    literals: set[str] = set()
    for tf in files:
        if tf.is_tfvars:
            continue
        scope = scopes.get(posixpath.dirname(tf.path))
        if scope is None:
            continue
        for block in tf.body.blocks:
            own = _own_address(block)
            if block.type == "resource" and block.labels[:1] and block.labels[0] in ATTACHMENT_RESOURCES:
                continue
            for expr in iter_expressions(block.body):
                for literal in iter_literals(expr):
                    if ":role/" in literal:
                        literals.add(literal)
                for traversal in iter_traversals(expr):
                    if traversal.root in ("aws_iam_role", "module") and traversal.steps and isinstance(traversal.steps[0], str):
                        address = f"{traversal.root}.{traversal.steps[0]}"
                        role_id = scope.role_ids.get(address)
                        if role_id is not None and address != own:
                            uses[role_id].append(traversal.loc)
    return {k: tuple(sorted(set(v))) for k, v in sorted(uses.items())}, tuple(sorted(literals))


def _own_address(block: Block) -> str | None:
    if block.type == "resource" and len(block.labels) >= 2:
        return f"{block.labels[0]}.{block.labels[1]}"
    if block.type == "module" and block.labels:
        return f"module.{block.labels[0]}"
    return None
