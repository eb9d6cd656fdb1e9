"""What the Terraform adapters produce, collected per repository."""

from __future__ import annotations

from typing import Union

from irsalint.model import (
    Attachment,
    FargateProfile,
    IamRole,
    InlinePolicy,
    Location,
    ManagedPolicy,
    PodIdentityAssociation,
    ServiceAccount,
    Str,
)
from irsalint.record import field, record
from irsalint.sources.gitops.records import ConfigData


@record
class HelmRelease:
    """A helm_release of a chart in this repository: its values files land in `namespace`."""

    address: str
    chart_dir: str  # repository-relative, normalised
    namespace: Str
    loc: Location


Record = Union[
    IamRole, ManagedPolicy, Attachment, InlinePolicy, ServiceAccount, PodIdentityAssociation, HelmRelease, FargateProfile,
    ConfigData,
]


@record
class TerraformFacts:
    roles: tuple[IamRole, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    service_accounts: tuple[ServiceAccount, ...] = ()
    associations: tuple[PodIdentityAssociation, ...] = ()
    # role id -> where the role is used outside its own definition and policy attachments
    role_uses: dict[str, tuple[Location, ...]] = field(default_factory=dict)
    # literal strings anywhere in Terraform that contain ":role/" (ARNs written by hand)
    role_arn_literals: tuple[str, ...] = ()
    helm_releases: tuple[HelmRelease, ...] = ()
    # module directory -> the unit it is deployed from (irsalint.scopes.terraform_units)
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fargate_profiles: tuple[FargateProfile, ...] = ()
    # ConfigMaps / Secrets Terraform writes: Flux substituteFrom sources (sources/terraform/config_maps.py)
    config_maps: tuple[ConfigData, ...] = ()
    # files read besides the scanned ones (`templatefile()`, `file()`): base-relative path ->
    # input_digest() of what was read; a cached run is only reused while these are unchanged
    inputs: tuple[tuple[str, str], ...] = ()
