"""How findings name things. Never `<unknown>` where something is known: a role whose name is
set at apply time is named by its address, a ServiceAccount whose namespace comes from the release
by what installs it. Also the small text helpers every message uses (plurals, lists, quoting)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from irsalint.load.aws_dump import KIND_PREFIX as DUMP_KIND_PREFIX
from irsalint.model import IamRole, Name, Partial, ServiceAccount, Workload

# Kinds without a namespace, shown as "Kind name" rather than "Kind ns/name".
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "PriorityClass", "IngressClass", "RuntimeClass", "ControllerConfig", "DeploymentRuntimeConfig",
        "ProviderConfig", "ClusterSecretStore", "ClusterIssuer", "APIService", "CSIDriver",
    }
)  # fmt: skip


def name_text(name: Name) -> str | None:
    """The name as written: `payments-api`, `${var.env}-payments` (partly known), None if unknown."""
    if isinstance(name, (str, Partial)):
        return str(name)
    return None


def role_label(role: IamRole) -> str:
    """`payments-api (module.payments_irsa)`, `"${var.env}-api" (module.x)`, `module.x (name set at
    apply time)`."""
    name = name_text(role.name)
    if role.kind.startswith(DUMP_KIND_PREFIX) and isinstance(role.account, str):
        return f"{name} (account {role.account})"  # its address is its ARN: says the name twice
    if name is None:
        return f"{role.address} (name set at apply time)"
    if role.name_is_prefix:
        return f'"{name}…" ({role.address})'
    if isinstance(role.name, Partial):
        return f'"{name}" ({role.address})'
    return f"{name} ({role.address})"


def roles_label(roles: Sequence[IamRole]) -> str:
    """One role's label, or the first few of several."""
    labels = sorted({role_label(r) for r in roles})
    return join_some(labels, 2)


def sa_label(sa: ServiceAccount) -> str:
    """`team-a/payments-api`, `payments-api (namespace set at deploy time)`..."""
    return namespaced(sa.namespace, sa.name, origin=sa.origin)


def workload_label(workload: Workload) -> str:
    return f"{workload.kind} {namespaced(workload.namespace, workload.name)}"


def object_label(kind: str, namespace: object, name: object) -> str:
    """`Deployment team-a/api`; cluster-scoped kinds have no namespace: `ControllerConfig aws`."""
    if kind in CLUSTER_SCOPED_KINDS:
        return f"{kind} {name if isinstance(name, str) else '(generated name)'}"
    return f"{kind} {namespaced(namespace, name)}"


def namespaced(namespace: object, name: object, origin: str = "") -> str:
    """`ns/name`; parts set at deploy time are said so: `the chart's ServiceAccount in the release's
    namespace`, `api (namespace set at deploy time)`."""
    charted = origin in ("helm-values", "terraform")
    if origin == "webhook-config" and not isinstance(namespace, str) and isinstance(name, str):
        return f"*/{name}"  # a pod-identity-webhook ConfigMap entry for every namespace
    if not isinstance(name, str):
        name_part = "<chart's default name>" if charted else "<name set at deploy time>"
        if isinstance(namespace, str):
            return f"{name_part} in {namespace}" if charted else f"{namespace}/{name_part}"
        return f"{name_part} in the release's namespace" if charted else f"{name_part} (namespace set at deploy time)"
    if isinstance(namespace, str):
        return f"{namespace}/{name}"
    return f"{name} in the release's namespace" if charted else f"{name} (namespace set at deploy time)"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 role`, `3 roles`."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def join_some(items: Sequence[str], limit: int = 3) -> str:
    """`a, b and 3 more`."""
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def quoted(value: str, limit: int = 80) -> str:
    """A value in double quotes, escaped, shortened in the middle when long."""
    text = json.dumps(value)
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return text[:keep] + "…" + text[-keep:]


def short_issuer(issuer: str) -> str:
    """oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE -> eu-west-1 …/EXAMPLED"""
    prefix, _, cluster_id = issuer.partition("/id/")
    if not cluster_id or not prefix.startswith("oidc.eks."):
        return issuer if len(issuer) <= 48 else issuer[:47] + "…"
    region = prefix.removeprefix("oidc.eks.").split(".amazonaws.com", 1)[0]
    return f"{region} …/id/{cluster_id[:8]}…"
