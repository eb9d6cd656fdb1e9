"""EKS managed add-ons whose ServiceAccount AWS fixes (irsalint/data/eks_addons.json): shared by the
Terraform adapters (`aws_eks_addon`, add-on maps) and eksctl's `addons[]`."""

from __future__ import annotations

import functools
import json

from irsalint.package_data import read_text


@functools.lru_cache(maxsize=1)
def addon_accounts() -> dict[str, tuple[str, str]]:
    """add-on name -> (namespace, ServiceAccount) its role is for (shipped data, with sources)."""
    text = read_text("data/eks_addons.json")
    return {name: (a["namespace"], a["service_account"]) for name, a in json.loads(text)["addons"].items()}
