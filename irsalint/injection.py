"""What the pod identity webhook injected into a dumped Pod's containers (amazon-eks-pod-identity-
webhook `pkg/handler/handler.go`; EKS Pod Identity's webhook works the same way).

IRSA: `AWS_ROLE_ARN` (the ServiceAccount's annotation when the pod was created) and
`AWS_WEB_IDENTITY_TOKEN_FILE` (`<mount path>/token`), with the projected `aws-iam-token` volume
(audience `sts.amazonaws.com`) mounted in the container. Pod Identity:
`AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, with the
`eks-pod-identity-token` volume (the self-hosted webhook names it `aws-iam-token`). A variable
counts as injected only with its token volume mounted in the same container and the token file
inside that mount: a manifest that sets the variables by hand has no such volume.
"""

from __future__ import annotations

import posixpath

from irsalint.model import EnvVar, Workload
from irsalint.record import record

IRSA_VOLUME = "aws-iam-token"
POD_IDENTITY_VOLUMES = ("eks-pod-identity-token", IRSA_VOLUME)
ROLE_ARN = "AWS_ROLE_ARN"
TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE"
CREDENTIALS_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
AUTHORIZATION_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
IRSA_VARIABLES = (ROLE_ARN, TOKEN_FILE)  # the webhook injects neither when a container sets one
POD_IDENTITY_VARIABLES = (CREDENTIALS_URI, AUTHORIZATION_TOKEN_FILE)

IRSA = "IRSA"
POD_IDENTITY = "Pod Identity"


@record
class Injection:
    kind: str  # IRSA | POD_IDENTITY
    variables: tuple[EnvVar, ...]  # the injected variables (the role ARN first, for IRSA)

    @property
    def role_arn(self) -> EnvVar | None:
        return next((v for v in self.variables if v.name == ROLE_ARN), None)


def container_env(pod: Workload, container: str) -> dict[str, EnvVar]:
    """The container's variables by name (the last one of a name wins, as in the kubelet)."""
    return {v.name: v for v in pod.env if v.container == container}


def injection(pod: Workload, container: str) -> Injection | None:
    """What the webhook injected into `container` of a dumped Pod (None: nothing, or not a dump)."""
    if pod.live is None or not pod.live.token_volumes:
        return None
    env = container_env(pod, container)
    irsa = _with_token(pod, container, env.get(TOKEN_FILE), (IRSA_VOLUME,))
    if irsa and ROLE_ARN in env:
        return Injection(IRSA, (env[ROLE_ARN], env[TOKEN_FILE]))
    if CREDENTIALS_URI in env and _with_token(pod, container, env.get(AUTHORIZATION_TOKEN_FILE), POD_IDENTITY_VOLUMES):
        return Injection(POD_IDENTITY, (env[CREDENTIALS_URI], env[AUTHORIZATION_TOKEN_FILE]))
    return None


def injected_names(pod: Workload, container: str) -> frozenset[str]:
    found = injection(pod, container)
    return frozenset(v.name for v in found.variables) if found is not None else frozenset()


def _with_token(pod: Workload, container: str, variable: EnvVar | None, volumes: tuple[str, ...]) -> bool:
    """Does the variable name the token file of one of `volumes` as mounted in the container?"""
    if variable is None or variable.value is None or pod.live is None:
        return False
    wanted = _posix(variable.value)
    for volume in pod.live.token_volumes:
        if volume.name not in volumes:
            continue
        for mount in pod.live.mounts:
            if mount.container == container and mount.volume == volume.name:
                if posixpath.join(_posix(mount.mount_path), volume.path) == wanted:
                    return True
    return False


def _posix(path: str) -> str:
    """`C:\\var\\run\\...\\token` (the webhook's path for a Windows pod) -> `/var/run/.../token`."""
    if len(path) > 2 and path[1] == ":" and path[0].isalpha():
        path = path[2:]
    return path.replace("\\", "/")
