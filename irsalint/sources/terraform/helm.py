"""Helm values as Terraform passes them (`set` entries, `values = [yamlencode(...), file(...)]`):
the ServiceAccounts the chart renders, as far as the values tell."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from irsalint.load.hcl import Attribute, Body, Call, Expr, ObjectExpr, Template, TupleExpr
from irsalint.model import ROLE_TARGET_TYPES, UNKNOWN, Annotation, Location, RoleRef, ServiceAccount, Str
from irsalint.policydoc import _UNKNOWN_MARK as UNKNOWN_TEXT_MARK
from irsalint.policydoc import LList, LMap, LNode, LScalar, from_expr, from_json_text, render_template_file
from irsalint.record import record
from irsalint.resolve import to_template_string
from irsalint.sources.gitops.chart_defaults import Looked, Lookup, default_name
from irsalint.sources.gitops.values import is_service_account_key
from irsalint.sources.terraform.context import ModuleContext

ROLE_ARN_KEY = "eks.amazonaws.com/role-arn"
# Stand-ins for interpolations in YAML values text (plain scalars: `@` cannot start one in YAML)
_REF_MARK = "irsalint-ref-{}-x7q"
_REF_MARK_RE = re.compile(r"^irsalint-ref-(\d+)-x7q$")
_YAML_UNKNOWN_MARK = "irsalint-unknown-x7q"


@record
class HelmSet:
    """One helm value set by `set` (v2 block / v3 list entry) or by a module input."""

    path: tuple[str, ...]
    value: Any  # str | RoleRef | UNKNOWN | ...
    loc: Location


def helm_path(name: str) -> tuple[str, ...] | None:
    """`controller.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn` -> its keys
    (Helm `--set` syntax: `\\.` is a literal dot); None for list indexes we do not model."""
    segments: list[str] = []
    current: list[str] = []
    escaped = False
    for char in name:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            segments.append("".join(current))
            current = []
        elif char in "[]":
            return None
        else:
            current.append(char)
    segments.append("".join(current))
    return tuple(segments) if all(segments) else None


def helm_sets(ctx: ModuleContext, body: Body) -> list[HelmSet]:
    """`set { name, value }` blocks (helm provider v2) and `set = [{ name, value }]` (v3)."""
    sets: list[HelmSet] = []
    for set_block in body.blocks_of("set"):
        sets.extend(helm_set_entry(ctx, set_block.body.expr("name"), set_block.body.expr("value"), set_block.loc))
    attribute = body.attr("set")
    if attribute is not None:
        sets.extend(helm_set_list(ctx, attribute.expr, 0))
    return sets


def helm_set_list(ctx: ModuleContext, expr: Expr | None, depth: int) -> Iterator[HelmSet]:
    expr = ctx.evaluator.resolve_expr(expr)
    if depth > 8:
        return
    if isinstance(expr, Call) and expr.name in ("concat", "tolist", "flatten"):
        for arg in expr.args:
            yield from helm_set_list(ctx, arg, depth + 1)
    elif isinstance(expr, TupleExpr):
        for item in expr.items:
            entry = ctx.evaluator.resolve_expr(item)
            if isinstance(entry, ObjectExpr):
                fields = {ctx.evaluator.eval(i.key): i.value for i in entry.items}
                yield from helm_set_entry(ctx, fields.get("name"), fields.get("value"), entry.loc)
            elif isinstance(entry, TupleExpr):
                yield from helm_set_list(ctx, entry, depth + 1)


def helm_set_entry(ctx: ModuleContext, name_expr: Expr | None, value_expr: Expr | None, loc: Location) -> Iterator[HelmSet]:
    name = ctx.eval(name_expr)
    path = helm_path(name) if isinstance(name, str) else None
    if path is not None:
        yield HelmSet(path, ctx.eval(value_expr) if value_expr is not None else UNKNOWN, loc)


def helm_values(ctx: ModuleContext, attribute: Attribute | None) -> list[LNode]:
    """`values = [yamlencode({...}), <<-EOT ... EOT]`: each document as a positioned tree."""
    if attribute is None:
        return []
    expr = ctx.evaluator.resolve_expr(attribute.expr)
    if not isinstance(expr, TupleExpr):
        return [LMap((), attribute.loc, complete=False)]  # values we cannot read may set anything
    trees: list[LNode] = []
    for raw in expr.items:
        item = ctx.evaluator.resolve_expr(raw)
        tree: LNode | None = None
        if isinstance(item, Call) and item.name in ("yamlencode", "jsonencode") and len(item.args) == 1:
            tree = from_expr(item.args[0], ctx.evaluator, item.loc)
        elif isinstance(item, Template):
            tree = yaml_template(ctx, item)
        elif isinstance(item, Call) and item.name in ("file", "templatefile") and item.args:
            tree = yaml_file(ctx, item)
        trees.append(tree if tree is not None else LMap((), item.loc if item is not None else attribute.loc, complete=False))
    return trees


def yaml_file(ctx: ModuleContext, expr: Call) -> LNode | None:
    """`file("values.yaml")` / `templatefile("values.yaml.tpl", {...})` next to the code."""
    read_file = ctx.reader.read_file
    name = ctx.reader.file_name(expr.args[0])
    loaded = read_file(name) if read_file is not None and name is not None else None
    if loaded is None:
        return None
    path, text = loaded
    refs: list[RoleRef] = []
    if expr.name == "templatefile":
        value = ctx.eval(expr.args[1]) if len(expr.args) >= 2 else {}
        variables: dict[str, Any] | None = None
        if isinstance(value, dict):
            variables = {}
            for key, item in value.items():
                if isinstance(item, RoleRef):
                    variables[key] = _REF_MARK.format(len(refs))
                    refs.append(item)
                else:
                    variables[key] = item if to_template_string(item) is not None else _YAML_UNKNOWN_MARK
        rendered = render_template_file(text, variables)
        if rendered is None:
            return None
        text = rendered.replace(UNKNOWN_TEXT_MARK, _YAML_UNKNOWN_MARK)
    tree = from_json_text(text, 1, path, None)
    return _with_refs(tree, refs, 0) if tree is not None else None


def yaml_template(ctx: ModuleContext, expr: Template) -> LNode | None:
    """A YAML values string; interpolated role references survive as RoleRef values."""
    refs: list[RoleRef] = []
    pieces: list[str] = []
    for part in expr.parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = ctx.eval(part)
        if isinstance(value, RoleRef):
            pieces.append(_REF_MARK.format(len(refs)))
            refs.append(value)
        elif isinstance(value, str):
            pieces.append(value)
        else:
            pieces.append(_YAML_UNKNOWN_MARK)
    text = "".join(pieces)
    if expr.heredoc:
        tree = from_json_text(text, expr.body_line, expr.loc.path, None)
    else:
        tree = from_json_text(text, expr.loc.line, expr.loc.path, expr.loc)
    return _with_refs(tree, refs, 0) if tree is not None else None


def chart_name(chart: Str) -> Str | None:
    """The chart's name as chart_defaults.json keys it: `karpenter`, or the last segment of an OCI
    reference (`oci://public.ecr.aws/karpenter/karpenter`); None for a local path or an archive URL
    (the name is in a Chart.yaml we do not read)."""
    if not isinstance(chart, str):
        return UNKNOWN
    if chart.startswith("oci://"):
        return chart.rstrip("/").rsplit("/", 1)[-1] or None
    if "/" in chart or chart.endswith(".tgz"):
        return None
    return chart


def helm_service_accounts(
    ctx: ModuleContext, address: str, namespace: Str, trees: Sequence[LNode], sets: Sequence[HelmSet], loc: Location,
    chart: Str | None = None, release: Str | None = None,
) -> Iterator[ServiceAccount]:
    """One ServiceAccount per values block (`serviceAccount`, `controller.serviceAccount`,
    `serviceAccount.server`...) carrying a role-arn annotation (unless its `create` is false).
    Values apply in order, then `set` entries win. Without a `name` the chart's default for
    `chart` and `release` (irsalint/data/chart_defaults.json), else UNKNOWN."""
    found: dict[tuple[str, ...], dict[str, tuple[Any, Location]]] = {}
    for tree in trees:
        _collect_service_account_values(tree, (), found, 0)
    for entry in sets:
        split = _service_account_field(entry.path)
        if split is not None:
            found.setdefault(split[0], {})[split[1]] = (entry.value, entry.loc)
    lookup = _top_level_lookup(trees, sets)
    for block in sorted(found):
        fields = found[block]
        if "annotation:" + ROLE_ARN_KEY not in fields:
            continue
        if fields.get("create", (True, loc))[0] in (False, "false"):
            continue  # the chart renders no ServiceAccount: the annotation lands nowhere
        name_value, name_loc = fields.get("name", (None, loc))
        name: Str = name_value if isinstance(name_value, str) and name_value else UNKNOWN
        if name_value is None or name_value == "":
            name = default_name(chart, block, release, lookup)
        annotations = tuple(
            Annotation(key.removeprefix("annotation:"), value if isinstance(value, ROLE_TARGET_TYPES) else UNKNOWN, key_loc)
            for key, (value, key_loc) in sorted(fields.items())
            if key.startswith("annotation:")
        )
        # ids name the block as they always did: the path before `serviceAccount` (a nested block in full)
        suffix = block[:-1] if block[-1] == "serviceAccount" else block
        yield ServiceAccount(
            id=ctx.node_id(address + (f"[{'.'.join(suffix)}]" if suffix else "")),
            name=name,
            namespace=namespace,
            annotations=annotations,
            automount=None,
            automount_loc=None,
            name_loc=name_loc,
            origin="terraform",
        )


def _service_account_field(path: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
    """(block, field) of a values path: `serviceAccount.name` -> ((serviceAccount,), "name");
    `serviceAccount.server.annotations.<key>` -> ((serviceAccount, server), "annotation:<key>")."""
    for index, segment in enumerate(path):
        if not is_service_account_key(segment):
            continue
        block, rest = path[: index + 1], path[index + 1 :]
        if len(rest) == 2 and rest[0] not in _FIELDS and rest[1] in ("name", "create"):
            block, rest = (*block, rest[0]), rest[1:]  # serviceAccount.server.name
        elif len(rest) == 3 and rest[0] not in _FIELDS and rest[1] == "annotations":
            block, rest = (*block, rest[0]), rest[1:]
        if rest in (("name",), ("create",)):
            return block, rest[0]
        if len(rest) == 2 and rest[0] == "annotations":
            return block, "annotation:" + rest[1]
        return None
    return None


_FIELDS = ("name", "create", "annotations", "automountServiceAccountToken")


def _top_level_lookup(trees: Sequence[LNode], sets: Sequence[HelmSet]) -> Lookup:
    """The values chart defaults depend on (`nameOverride`, `fullnameOverride`...), as Helm merges
    them: later trees win, `set` entries last. A tree we could not read fully may set anything."""
    known: dict[tuple[str, ...], Any] = {}
    unreadable = False
    for tree in trees:
        if not isinstance(tree, LMap) or not tree.complete:
            unreadable = True
            continue
        for key, _key_loc, value in tree.items:
            known[(key,)] = value.value if isinstance(value, LScalar) else UNKNOWN
    for entry in sets:
        if len(entry.path) == 1:
            known[entry.path] = entry.value

    def lookup(path: tuple[str, ...]) -> Looked:
        if path not in known:
            return UNKNOWN if unreadable else None
        value = known[path]
        if value is None or isinstance(value, str):
            return value
        return UNKNOWN if value is UNKNOWN or not isinstance(value, (bool, int)) else str(value).lower()

    return lookup


def _with_refs(node: LNode, refs: Sequence[RoleRef], depth: int) -> LNode:
    """Put back the role references a YAML template's markers stand for."""
    if depth > 60:
        return node
    if isinstance(node, LScalar):
        match = _REF_MARK_RE.match(node.value) if isinstance(node.value, str) else None
        if match is not None and int(match.group(1)) < len(refs):
            return LScalar(refs[int(match.group(1))], node.loc)
        if isinstance(node.value, str) and ("-x7q" in node.value and "irsalint-" in node.value):
            return LScalar(UNKNOWN, node.loc)  # unknown, or a reference inside other text
        return node
    if isinstance(node, LList):
        return LList(tuple(_with_refs(i, refs, depth + 1) for i in node.items), node.loc, node.complete)
    return LMap(tuple((k, loc, _with_refs(v, refs, depth + 1)) for k, loc, v in node.items), node.loc, node.complete)


def _collect_service_account_values(
    node: LNode, prefix: tuple[str, ...], found: dict[tuple[str, ...], dict[str, tuple[Any, Location]]], depth: int
) -> None:
    if not isinstance(node, LMap) or depth > 16:
        return
    for key, _key_loc, child in node.items:
        if is_service_account_key(key) and isinstance(child, LMap):
            _collect_fields(child, (*prefix, key), found)
            for sub, _sub_loc, nested in child.items:  # serviceAccount.server: a block of its own
                if sub not in _FIELDS and isinstance(nested, LMap):
                    _collect_fields(nested, (*prefix, key, sub), found)
        _collect_service_account_values(child, (*prefix, key), found, depth + 1)


def _collect_fields(block: LMap, path: tuple[str, ...], found: dict[tuple[str, ...], dict[str, tuple[Any, Location]]]) -> None:
    fields: dict[str, tuple[Any, Location]] = {}
    for field_name, field_loc, value in block.items:
        if field_name in ("name", "create") and isinstance(value, LScalar):
            fields[field_name] = (value.value, field_loc)
        elif field_name == "annotations" and isinstance(value, LMap):
            for annotation, annotation_loc, annotation_value in value.items:
                if isinstance(annotation_value, LScalar):
                    fields["annotation:" + annotation] = (annotation_value.value, annotation_loc)
    if fields:
        found.setdefault(path, {}).update(fields)
