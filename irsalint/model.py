"""Frozen records shared by loaders, the graph and the checks.

Values that could not be resolved statically are the UNKNOWN sentinel, never None: None means
"absent" (a key that is not there), UNKNOWN means "there, but we cannot know its value".
"""

from __future__ import annotations

from irsalint.core import (
    IGNORE_ANNOTATION,
    ROLE_TARGET_TYPES,
    UNKNOWN,
    Annotation,
    AnnotationValue,
    Diagnostic,
    Location,
    Name,
    Partial,
    PolicyRef,
    RoleName,
    RoleRef,
    RoleTarget,
    SkipNote,
    Str,
    _Unknown,
    known,
)
from irsalint.record import record

# The core records, re-exported: most modules import them from here.
__all__ = [
    "_Unknown",
    "Annotation",
    "AnnotationValue",
    "Diagnostic",
    "IGNORE_ANNOTATION",
    "known",
    "Location",
    "Name",
    "Partial",
    "PolicyRef",
    "ROLE_TARGET_TYPES",
    "RoleName",
    "RoleRef",
    "RoleTarget",
    "SkipNote",
    "Str",
    "UNKNOWN",
]


@record
class ServiceAccount:
    id: str
    name: Str
    namespace: Str
    annotations: tuple[Annotation, ...]
    automount: bool | None  # None: key absent
    automount_loc: Location | None
    name_loc: Location  # metadata.name (or the block's first line in Terraform)
    origin: str  # "manifest" | "terraform" | "helm-values" | "eksctl"
    related: tuple[Location, ...] = ()  # e.g. the kustomization that set the namespace
    labels: tuple[Annotation, ...] = ()  # metadata.labels (same shape as annotations)
    # the directory it is deployed from when that is not its file's (irsalint.scopes), and a label
    # naming this rendering when the source object is rendered several times (kustomize overlays)
    unit: str | None = None
    rendering: str = ""
    cluster: str | None = None  # the cluster its source names (an eksctl ClusterConfig), else None
    live: bool = False  # read from a `kubectl get` dump (irsalint.load.live), not from a manifest

    def annotation(self, key: str) -> Annotation | None:
        for annotation in self.annotations:
            if annotation.key == key:
                return annotation
        return None


@record
class EnvVar:
    container: str
    name: str
    loc: Location
    value: str | None = None  # a literal `value` (None: `valueFrom`, or no value)


@record
class OwnerRef:
    """The controller of a dumped object (`metadata.ownerReferences[]` with `controller: true`)."""

    kind: str
    name: str
    uid: str | None


@record
class TokenVolume:
    """A projected `serviceAccountToken` volume of a dumped Pod: how the webhook and EKS Pod
    Identity hand a token to the containers."""

    name: str
    path: str  # the token file's path inside the volume (`token`, `eks-pod-identity-token`)
    audience: str | None


@record
class VolumeMount:
    container: str
    volume: str
    mount_path: str


@record
class Live:
    """What the API server added to a dumped object (`kubectl get -o yaml|json`). An object is live
    when its metadata has a `uid` or a `resourceVersion`: only the API server writes them, while
    `status: {}` and `creationTimestamp: null` also occur in generated manifests."""

    uid: str | None
    owner: OwnerRef | None  # its controller, when it has one
    phase: str | None = None  # Pods: status.phase (None: absent)
    token_volumes: tuple[TokenVolume, ...] = ()  # Pods only
    mounts: tuple[VolumeMount, ...] = ()  # Pods only: mounts of token volumes


@record
class Workload:
    id: str
    kind: str
    name: Str
    namespace: Str
    service_account: Str
    service_account_loc: Location | None
    automount: bool | None
    automount_loc: Location | None
    annotations: tuple[Annotation, ...]  # the object's own metadata.annotations
    template_annotations: tuple[Annotation, ...]  # the pod template's metadata.annotations
    env: tuple[EnvVar, ...]
    name_loc: Location
    related: tuple[Location, ...] = ()
    unit: str | None = None  # as ServiceAccount.unit
    rendering: str = ""
    # what the field rules (IRSA023, IRSA028) read from the pod template: its labels, the names of
    # its containers (init containers too; None: not read), the `kubernetes.io/os` nodeSelector
    # (None: absent) and a required node affinity that pins the pod to Windows
    template_labels: tuple[Annotation, ...] = ()
    containers: tuple[Str, ...] | None = None
    node_selector_os: Annotation | None = None
    windows_affinity_loc: Location | None = None
    live: Live | None = None  # None: a manifest; set for an object read from a `kubectl get` dump


@record
class AnnotatedObject:
    """Any other Kubernetes object, kept for its annotations (misplaced role-arn)."""

    kind: str
    name: Str
    namespace: Str
    annotations: tuple[Annotation, ...]
    name_loc: Location


@record
class Value:
    """A scalar inside a policy document, with where it was written."""

    value: object  # str | int | bool | None | UNKNOWN
    loc: Location

    @property
    def text(self) -> Str:
        return self.value if isinstance(self.value, str) else UNKNOWN


@record
class ValueList:
    values: tuple[Value, ...]
    complete: bool  # False: some elements could not be read
    loc: Location  # the key's line

    def texts(self) -> tuple[Str, ...]:
        return tuple([v.text for v in self.values])


@record
class Principal:
    type: Str  # "Federated" | "Service" | "AWS" | "*" | UNKNOWN
    values: ValueList


@record
class Condition:
    operator: Str  # e.g. "StringEquals", "ForAnyValue:StringLike"
    key: Str  # full key, e.g. "oidc.eks.eu-west-1.amazonaws.com/id/X:sub"
    issuer: Str  # the part before the last ':' (UNKNOWN when computed)
    claim: Str  # the part after it ("sub", "aud"), often known even if the issuer is not
    values: ValueList
    loc: Location


@record
class ModuleDefault:
    """A statement irsalint synthesized for a module's `attach_*_policy` flag (the module renders
    it from a resource variable that defaults to, or is set to, a wildcard)."""

    module: str  # "module.x"
    flag: str  # "attach_external_secrets_policy"
    variable: str  # "external_secrets_secrets_manager_arns"
    explicit: bool  # the variable is set to a wildcard (else its default is used)
    index: int = 0  # the statement's position among the flag's generated statements


@record
class Statement:
    sid: Str | None
    effect: Str
    actions: ValueList | None
    not_actions: ValueList | None
    resources: ValueList | None
    not_resources: ValueList | None
    principals: tuple[Principal, ...]
    conditions: tuple[Condition, ...]
    conditions_complete: bool
    loc: Location
    generated_by: ModuleDefault | None = None  # synthesized from a module flag (not written by hand)


@record
class PolicyDocument:
    statements: tuple[Statement, ...]
    complete: bool  # False: some statements could not be read (dynamic blocks, unknown values)
    loc: Location


@record
class IamRole:
    id: str
    address: str  # "aws_iam_role.x" or "module.x"
    kind: str  # "aws_iam_role" | "module:<module name>"
    name: Name  # Partial: set at apply time but for its literal parts
    name_is_prefix: bool
    path: Str
    account: Str
    trust: PolicyDocument | None  # None: the trust policy could not be read
    trust_loc: Location  # where trust-policy findings point
    loc: Location  # the block's first line
    inline_policies: tuple[PolicyDocument, ...] = ()
    managed_policy_arns: tuple[Value, ...] = ()  # arns attached by the role/module itself
    related: tuple[Location, ...] = ()  # e.g. the data source of its trust
    permissions_boundary: Value | None = None  # None: no boundary set


@record
class ManagedPolicy:
    id: str
    address: str
    name: Str
    document: PolicyDocument | None
    loc: Location
    arn: str | None = None  # stated by an AWS account dump; code policies are found by name


@record
class Attachment:
    """aws_iam_role_policy_attachment & co: policy_arn attached to a role (by name or reference)."""

    role: RoleTarget
    policy: Value  # value is an ARN string, UNKNOWN or PolicyRef
    loc: Location


@record
class InlinePolicy:
    """aws_iam_role_policy: a document attached inline to a role (by name or reference)."""

    role: RoleTarget
    document: PolicyDocument | None
    loc: Location


@record
class PodIdentityAssociation:
    """An EKS Pod Identity association: (namespace, ServiceAccount) of a cluster -> role."""

    id: str
    cluster_name: Str
    namespace: Str
    service_account: Str
    role: RoleTarget
    loc: Location
    namespace_loc: Location
    # cross-account role chaining, session tags and the session policy (IRSA025): None when absent
    target_role: RoleTarget | None = None
    target_role_loc: Location | None = None
    disable_session_tags: bool | _Unknown | None = None  # None: absent (false)
    disable_session_tags_loc: Location | None = None
    policy_loc: Location | None = None  # the `policy` attribute, when set to something not null


@record
class FargateProfile:
    """An `aws_eks_fargate_profile`: pods of a cluster matching one of its selectors run on Fargate."""

    id: str
    address: str
    cluster_name: Str
    selectors: tuple[FargateSelector, ...]
    complete: bool  # False: some selectors could not be read (dynamic blocks, unknown values)
    loc: Location


@record
class FargateSelector:
    namespace: Str  # may hold `*` and `?` wildcards
    labels: tuple[tuple[str, Str], ...]  # every one must match the pod's labels
    labels_complete: bool
    loc: Location  # the selector block


