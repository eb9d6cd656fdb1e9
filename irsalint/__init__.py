"""irsalint: lint EKS IRSA and Pod Identity across Terraform and Kubernetes manifests."""

from __future__ import annotations

__version__ = "0.1.0"
