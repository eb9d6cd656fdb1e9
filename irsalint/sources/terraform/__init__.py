"""Loaded Terraform files -> IAM roles, policies, attachments, ServiceAccounts, associations.

Each directory is one Terraform module (its own `var.`, `local.` and resource names). Every
resource type and module family we understand has one adapter (see `registry.py`); this module
only reads each directory's declarations, registers the roles and policies that references may
point at, and lets the adapters turn blocks into records.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence

from irsalint.load.hcl import Block, Literal
from irsalint.load.terraform import TfFile
from irsalint.model import (
    Attachment,
    FargateProfile,
    IamRole,
    InlinePolicy,
    ManagedPolicy,
    PodIdentityAssociation,
    ServiceAccount,
)
from irsalint.resolve import Evaluator, Scope
from irsalint.scopes import terraform_units
from irsalint.sources.gitops.records import ConfigData
from irsalint.sources.terraform.context import ModuleContext, node_id, template_reader
from irsalint.sources.terraform.records import HelmRelease, Record, TerraformFacts
from irsalint.sources.terraform.registry import RESOURCE_ADAPTERS, module_adapter
from irsalint.sources.terraform.uses import role_uses

__all__ = ["HelmRelease", "TerraformFacts", "build_scopes", "build_terraform_facts"]

_TFVARS_AUTO = ("terraform.tfvars", "terraform.tfvars.json")


def build_scopes(files: Sequence[TfFile]) -> dict[str, Scope]:
    """directory -> its declarations, with the ids of the roles and policies it defines."""
    scopes: dict[str, Scope] = {}
    for tf in sorted(files, key=lambda f: f.path):
        directory = posixpath.dirname(tf.path)
        scope = scopes.setdefault(directory, Scope(directory))
        if tf.is_tfvars:
            name = posixpath.basename(tf.path)
            if name in _TFVARS_AUTO or name.endswith((".auto.tfvars", ".auto.tfvars.json")):
                for attribute in tf.body.attributes:
                    scope.tfvars[attribute.name] = attribute.expr
            continue
        for block in tf.body.blocks:
            if block.type == "variable" and block.labels:
                default = block.body.expr("default")
                if default is not None:
                    scope.variables[block.labels[0]] = default
            elif block.type == "locals":
                for attribute in block.body.attributes:
                    scope.locals[attribute.name] = attribute.expr
            elif block.type == "resource" and len(block.labels) >= 2:
                scope.resources[(block.labels[0], block.labels[1])] = block
            elif block.type == "data" and len(block.labels) >= 2:
                scope.data[(block.labels[0], block.labels[1])] = block
            elif block.type == "module" and block.labels:
                scope.modules[block.labels[0]] = block
            elif block.type == "output" and block.labels:
                value = block.body.expr("value")
                if value is not None:
                    scope.outputs[block.labels[0]] = value
    for scope in scopes.values():
        _register_ids(scope)
    return scopes


def never_created(evaluator: Evaluator, block: Block) -> bool:
    """A resource or module call whose `count` is 0 (or `for_each` empty) creates nothing. In a
    root module only a literal 0 counts: its variables' defaults may be overridden by a tfvars
    file we do not see (data-on-eks enables its stacks that way). In a local child module the
    values come from its caller (`create = false`), so a known 0 is final."""
    count = block.body.expr("count")
    if isinstance(count, Literal):
        return count.value == 0 and count.value is not False
    if not evaluator.scope.instance:
        return False
    if count is not None:
        value = evaluator.eval(count)
        return isinstance(value, int) and not isinstance(value, bool) and value == 0
    for_each = block.body.expr("for_each")
    if for_each is not None:
        value = evaluator.eval(for_each)
        return isinstance(value, (dict, list, tuple, set, frozenset)) and len(value) == 0
    return False


def _register_ids(scope: Scope) -> None:
    """Roles and policies a reference (`module.x.iam_role_arn`, `aws_iam_role.x.arn`) may name."""
    evaluator = Evaluator(scope)
    for (kind, name), block in scope.resources.items():
        if never_created(evaluator, block):
            continue
        if kind == "aws_iam_role":
            scope.role_ids[f"aws_iam_role.{name}"] = node_id(scope, f"aws_iam_role.{name}")
        elif kind == "aws_iam_policy":
            scope.policy_ids[f"aws_iam_policy.{name}"] = node_id(scope, f"aws_iam_policy.{name}")
    ctx = ModuleContext(scope)
    for name, block in scope.modules.items():
        adapter = module_adapter(evaluator.eval_str(block.body.expr("source")))
        if adapter is not None and adapter.creates_roles(ctx, block) and not never_created(evaluator, block):
            for address in adapter.roles(ctx, name, block):
                scope.role_ids[address] = node_id(scope, address)


def build_terraform_facts(files: Sequence[TfFile], base: str | None = None) -> TerraformFacts:
    """`base`: the directory the files' paths are relative to (default: the working directory);
    templates named by `templatefile()` are read below it, never outside."""
    scopes = build_scopes(files)
    base_real = os.path.realpath(base if base is not None else os.getcwd())
    found: list[Record] = []
    instances = module_instances(scopes)
    reads: dict[str, str] = {}
    for scope in instances:
        found.extend(directory_records(ModuleContext(scope, template_reader(base_real, scope.directory, reads))))
    uses, literals = role_uses(files, instances)
    calls = {directory: local_module_dirs(scope) for directory, scope in scopes.items()}
    releases = {(r.address, r.chart_dir): r for r in found if isinstance(r, HelmRelease)}
    return TerraformFacts(
        roles=tuple(r for r in found if isinstance(r, IamRole)),
        policies=tuple(r for r in found if isinstance(r, ManagedPolicy)),
        attachments=tuple(r for r in found if isinstance(r, Attachment)),
        inline_policies=tuple(r for r in found if isinstance(r, InlinePolicy)),
        service_accounts=tuple(r for r in found if isinstance(r, ServiceAccount)),
        associations=tuple(r for r in found if isinstance(r, PodIdentityAssociation)),
        role_uses=uses,
        role_arn_literals=literals,
        helm_releases=tuple(releases[k] for k in sorted(releases)),
        units=terraform_units(calls),
        fargate_profiles=tuple(r for r in found if isinstance(r, FargateProfile)),
        config_maps=tuple(r for r in found if isinstance(r, ConfigData)),
        inputs=tuple(sorted(reads.items())),
    )


MAX_MODULE_DEPTH = 8


def module_instances(scopes: dict[str, Scope]) -> list[Scope]:
    """Every module as it is deployed: each root module once, each local child module once per
    call, its variables set by that call's inputs (evaluated in the caller) and its records told
    apart by the call (`#envs/dev:module.app`). A directory nobody calls is a root; a directory
    only reachable through a cycle of local calls is evaluated on its own."""
    called = {child for scope in scopes.values() for _, child in _local_calls(scope) if child in scopes}
    instances: list[Scope] = []
    uncreated: set[str] = set()  # called only with `count = 0`: not a root of its own either

    def instantiate(scope: Scope, root: str, chain: str, depth: int) -> None:
        instances.append(scope)
        if depth >= MAX_MODULE_DEPTH:
            return
        caller = Evaluator(scope)
        for name, child_dir in _local_calls(scope):
            template = scopes.get(child_dir)
            if template is None:
                continue
            block = scope.modules[name]
            if never_created(caller, block):
                uncreated.add(child_dir)
                continue
            tag = f"{root or '.'}:{chain + '.' if chain else ''}module.{name}"
            child = template.called_as(
                tag, {a.name: (caller, a.expr) for a in block.body.attributes if a.name not in _META_ARGUMENTS}
            )
            _register_ids(child)
            scope.children[name] = Evaluator(child)
            instantiate(child, root, tag.split(":", 1)[1], depth + 1)

    for directory in sorted(scopes):
        if directory not in called:
            instantiate(scopes[directory], directory, "", 0)
    reached = {s.directory for s in instances} | uncreated
    for directory in sorted(set(scopes) - reached):  # a cycle of local modules
        instantiate(scopes[directory], directory, "", MAX_MODULE_DEPTH)
    return instances


# Arguments of a `module` block that are not inputs of the module.
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def _local_calls(scope: Scope) -> list[tuple[str, str]]:
    """(module name, child directory) of the local modules a module directory calls."""
    evaluator = Evaluator(scope)
    found = []
    for name, block in sorted(scope.modules.items()):
        source = evaluator.eval_str(block.body.expr("source"))
        if isinstance(source, str) and source.startswith(("./", "../")):
            child = posixpath.normpath(posixpath.join(scope.directory, source))
            if not child.startswith(".."):
                found.append((name, "" if child == "." else child))
    return found


def local_module_dirs(scope: Scope) -> tuple[str, ...]:
    """The directories of the local child modules a module directory calls (`source = "./x"`)."""
    evaluator = Evaluator(scope)
    found: set[str] = set()
    for block in scope.modules.values():
        source = evaluator.eval_str(block.body.expr("source"))
        if isinstance(source, str) and source.startswith(("./", "../")):
            child = posixpath.normpath(posixpath.join(scope.directory, source))
            if not child.startswith(".."):
                found.add("" if child == "." else child)
    return tuple(sorted(found))


def directory_records(ctx: ModuleContext) -> list[Record]:
    """Every record of one module directory: resources (by type, then name), then modules."""
    found: list[Record] = []
    scope = ctx.scope
    for (kind, name), block in sorted(scope.resources.items()):
        adapter = RESOURCE_ADAPTERS.get(kind)
        if adapter is not None and not never_created(ctx.evaluator, block):
            found.extend(adapter.records(ctx, kind, name, block))
    for name, block in sorted(scope.modules.items()):
        module = module_adapter(ctx.evaluator.eval_str(block.body.expr("source")))
        if module is None or never_created(ctx.evaluator, block):
            continue
        if module.role_only and not any(a in scope.role_ids for a in module.roles(ctx, name, block)):
            continue  # the module is told not to create its role
        found.extend(module.records(ctx, name, block))
    return found
