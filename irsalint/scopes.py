"""Scopes (SPEC §3.5): which objects of a repository may be correlated with each other.

A monorepo holds several stacks side by side (`envs/dev` and `envs/prod`, one workshop lab per
directory, `clusters/<name>/` with their own Terraform); a role of one must never be matched with a
ServiceAccount of another. irsalint infers scopes from the directory tree, with no configuration:

* Every object has a **unit**: the directory it is deployed from — a Terraform root module (a
  local child module belongs to each module that calls it), the top-level kustomization that
  renders a manifest, the `helm_release` that installs a values file, else the file's directory.
* A directory is **two-sided** when its subtree defines IAM roles (Terraform, CloudFormation,
  eksctl, a plan) and holds Kubernetes manifests (ServiceAccounts or workloads). A two-sided
  directory with a two-sided sibling is a **stack**: `envs/dev` next to `envs/prod`, `labs/a` next
  to `labs/b`. A repository with `terraform/` and `k8s/` side by side has no stack: one scope.
* The **scope** of a unit is its innermost enclosing stack, else the repository root.
* Two objects may be correlated when one's scope contains the other's: a stack never sees
  another stack, while what lies outside every stack (shared Terraform, a base of manifests) is
  seen from all of them.

Configured clusters (`clusters:` in .irsalint.yaml) additionally say which manifests share a
cluster; that refines matching between Kubernetes objects.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

from irsalint.record import record

ROOT = ""


def ancestors(directory: str) -> list[str]:
    """`a/b/c` -> [`a/b/c`, `a/b`, `a`, ``] (innermost first; `` is the repository root)."""
    chain = []
    current = directory.strip("/")
    while current and current != ".":
        chain.append(current)
        current = posixpath.dirname(current)
    chain.append(ROOT)
    return chain


def contains(outer: str, inner: str) -> bool:
    return outer == ROOT or inner == outer or inner.startswith(outer + "/")


def compatible(a: str, b: str) -> bool:
    """May objects of scopes `a` and `b` be correlated? (One contains the other.)"""
    return contains(a, b) or contains(b, a)


@record
class ScopeMap:
    """unit directory -> scope directory, for every unit seen."""

    scopes: Mapping[str, str]
    stacks: frozenset[str] = frozenset()

    def of(self, units: Iterable[str]) -> frozenset[str]:
        return frozenset(self._scope_of(unit.strip("/")) for unit in units)

    def _scope_of(self, unit: str) -> str:
        scope = self.scopes.get(unit)  # every unit seen while building the map: a lookup
        return scope if scope is not None else self._scope(unit)

    def _scope(self, unit: str) -> str:
        return next((a for a in ancestors(unit) if a in self.stacks), ROOT)


def build_scope_map(role_units: Iterable[str], manifest_units: Iterable[str], other_units: Iterable[str] = ()) -> ScopeMap:
    """`role_units`: units that define roles; `manifest_units`: units of Kubernetes manifests
    (ServiceAccounts, workloads); `other_units`: everything else that needs a scope."""
    roles = {u.strip("/") for u in role_units}
    manifests = {u.strip("/") for u in manifest_units}
    has_roles = {a for unit in roles for a in ancestors(unit)}
    has_manifests = {a for unit in manifests for a in ancestors(unit)}
    two_sided = (has_roles & has_manifests) - {ROOT}
    children: dict[str, int] = {}
    for directory in two_sided:
        parent = posixpath.dirname(directory)
        children[parent] = children.get(parent, 0) + 1
    stacks = frozenset(d for d in two_sided if children[posixpath.dirname(d)] >= 2)
    scope_map = ScopeMap({}, stacks)
    units = roles | manifests | {u.strip("/") for u in other_units}
    return ScopeMap({unit: scope_map._scope(unit) for unit in units}, stacks)


def terraform_units(module_calls: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Terraform module directory -> the units it is deployed from: itself for a root module; for
    a local child module (`module "x" { source = "./modules/y" }`), the root modules that call it,
    directly or through other children: it is instantiated in each of them."""
    callers: dict[str, set[str]] = {}
    for caller, children in module_calls.items():
        for child in children:
            if child != caller:
                callers.setdefault(child, set()).add(caller)
    units: dict[str, tuple[str, ...]] = {}

    def roots(directory: str, seen: frozenset[str]) -> set[str]:
        parents = callers.get(directory, set()) - seen
        if not parents:
            return {directory}
        found: set[str] = set()
        for parent in parents:
            found |= roots(parent, seen | {directory})
        return found

    for directory in sorted({*module_calls, *callers}):
        units[directory] = tuple(sorted(roots(directory, frozenset())))
    return units


def cluster_of(path: str, clusters: Mapping[str, tuple[str, tuple[str, ...]]] | None) -> str | None:
    """The configured cluster whose manifest globs cover `path` (first by name), if any."""
    for name, (_provider, globs) in sorted((clusters or {}).items()):
        if any(fnmatchcase(path, g) or fnmatchcase(path, g.rstrip("/") + "/*") for g in globs):
            return name
    return None
