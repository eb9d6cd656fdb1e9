"""The two kinds of Terraform adapter: one per `module` family, one per `resource` type.

Adding a module family means one new adapter file listed in `registry.py`, its knowledge (if any)
as a data file under `irsalint/data/`, and a fixture directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from irsalint.load.hcl import Block
from irsalint.model import Str
from irsalint.record import record
from irsalint.sources.terraform.context import ModuleContext
from irsalint.sources.terraform.records import Record

ModuleRecords = Callable[[ModuleContext, str, Block], Iterator[Record]]
ResourceRecords = Callable[[ModuleContext, str, str, Block], Iterator[Record]]


def one_role(ctx: ModuleContext, name: str, block: Block) -> tuple[str, ...]:
    """Most role modules create one role, addressed as the module itself."""
    return (f"module.{name}",)


@record
class ModuleAdapter:
    kind: str  # the module's name, as in its registry source (`iam-role-for-service-accounts-eks`)
    matches: Callable[[str], bool]  # does this `source` (without `?ref=`) name the module?
    records: ModuleRecords
    # (flag, default) inputs that must not be false for the module to create its role(s)
    create_flags: tuple[tuple[str, bool], ...] = ()
    # addresses of the roles it creates (known before any record is read: references need them)
    roles: Callable[[ModuleContext, str, Block], tuple[str, ...]] = one_role
    # True: the module contributes nothing when it creates no role (its records need the role)
    role_only: bool = True

    def creates_roles(self, ctx: ModuleContext, block: Block) -> bool:
        """False only when a create flag is known to be off (unknown: it may create them)."""
        for flag, default in self.create_flags:
            attribute = block.body.attr(flag)
            value = default if attribute is None else ctx.eval(attribute.expr)
            if value is False:
                return False
        return True


@record
class ResourceAdapter:
    types: tuple[str, ...]  # resource types it reads
    records: ResourceRecords  # (ctx, type, name, block) -> records


def registry_module(kind: str) -> Callable[[str], bool]:
    """A terraform-aws-modules style submodule: `<registry or git source>//modules/<kind>`, or a
    local copy whose directory is named `<kind>`."""

    def matches(source: str) -> bool:
        path = source.rstrip("/")
        return path.endswith("/" + kind) or path == kind

    return matches


def source_path(source: Str) -> str | None:
    """The module source without `?ref=...`; None when unknown."""
    if not isinstance(source, str):
        return None
    return source.split("?", 1)[0].rstrip("/")
