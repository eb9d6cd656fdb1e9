"""Every Terraform adapter, in one place: module families by their source, resources by type."""

from __future__ import annotations

from collections.abc import Mapping

from irsalint.model import Str
from irsalint.sources.terraform import (
    assumable_role_oidc,
    aws_iam,
    blueprints_addon,
    blueprints_addons,
    config_maps,
    eks_addons,
    eks_module,
    eks_pod_identity,
    eks_role,
    fargate_profile,
    helm_release,
    iam_role_v6,
    irsa_v5,
    irsa_v6,
    karpenter,
    kubernetes,
    manifests,
    pod_identity,
)
from irsalint.sources.terraform.base import ModuleAdapter, ResourceAdapter, source_path

MODULE_ADAPTERS: tuple[ModuleAdapter, ...] = (
    irsa_v5.ADAPTER,
    irsa_v6.ADAPTER,
    assumable_role_oidc.ADAPTER,
    eks_role.ADAPTER,
    iam_role_v6.ADAPTER,
    blueprints_addon.ADAPTER,
    blueprints_addons.ADAPTER,
    eks_module.ADAPTER,
    karpenter.ADAPTER,
    eks_pod_identity.ADAPTER,
)

RESOURCE_ADAPTERS: Mapping[str, ResourceAdapter] = {
    resource_type: adapter
    for adapter in (*aws_iam.ADAPTERS, *kubernetes.ADAPTERS, *helm_release.ADAPTERS, *pod_identity.ADAPTERS,
                    *eks_addons.ADAPTERS, *manifests.ADAPTERS, *fargate_profile.ADAPTERS,
                    *config_maps.ADAPTERS)
    for resource_type in adapter.types
}


def module_adapter(source: Str) -> ModuleAdapter | None:
    """The adapter of a module `source` (registry, git or local path), if it is one we read."""
    path = source_path(source)
    if path is None:
        return None
    for adapter in MODULE_ADAPTERS:
        if adapter.matches(path):
            return adapter
    return None


def module_kind(source: Str) -> str | None:
    adapter = module_adapter(source)
    return adapter.kind if adapter is not None else None
