"""The grammar of web-identity condition keys (IRSA022): `<issuer>:<claim>`, where the issuer is
written as AWS writes it in the request context: a host and an optional path, no scheme, no
trailing slash. For EKS: `oidc.eks.<region>.amazonaws.com[.cn]/id/<cluster id>`.

Pure functions. `issuer_problem` names what is wrong with an issuer as written, or None when it
is well formed; `corrected_issuer` is the issuer it was most likely meant to be."""

from __future__ import annotations

import re

from irsalint.record import record

# the claims of an OIDC token that IAM exposes as condition keys
OIDC_CLAIMS = frozenset({"sub", "aud", "amr", "azp", "oaud", "email"})

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_SEGMENT_RE = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=@-]+")
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
EKS_HOST_RE = re.compile(rf"oidc\.eks\.({_REGION})\.amazonaws\.com(?:\.cn)?", re.IGNORECASE)
_SWAPPED_HOST_RE = re.compile(rf"oidc\.({_REGION})\.eks\.amazonaws\.com(\.cn)?", re.IGNORECASE)
_CLUSTER_ID_RE = re.compile(r"[A-Za-z0-9]+")


@record
class IssuerProblem:
    kind: str  # "arn" | "scheme" | "swapped" | "missing-id" | "trailing-slash" | "whitespace" | "malformed"
    text: str  # what is wrong, in a few words


def split_key(key: str) -> tuple[str, str] | None:
    """`<issuer>:<claim>` at the last colon; None without one."""
    issuer, sep, claim = key.rpartition(":")
    return (issuer, claim) if sep else None


def issuer_problem(issuer: str) -> IssuerProblem | None:
    """What keeps `issuer` from being an issuer host path, or None when it is one."""
    if not issuer:
        return IssuerProblem("malformed", "the issuer before the colon is empty")
    if issuer.startswith("arn:"):
        return IssuerProblem("arn", "it starts with the provider's ARN instead of its issuer")
    if issuer.lower().startswith(("https://", "http://")):
        return IssuerProblem("scheme", f'it starts with "{issuer.split("//", 1)[0]}//"')
    if any(c.isspace() for c in issuer):
        return IssuerProblem("whitespace", "it contains whitespace")
    if issuer.endswith("/"):
        return IssuerProblem("trailing-slash", "it ends with a slash")
    host, _, path = issuer.partition("/")
    if _SWAPPED_HOST_RE.fullmatch(host):
        return IssuerProblem("swapped", 'it reads "oidc.<region>.eks", not "oidc.eks.<region>"')
    if EKS_HOST_RE.fullmatch(host):
        segments = path.split("/") if path else []
        if len(segments) != 2 or segments[0] != "id" or not _CLUSTER_ID_RE.fullmatch(segments[1]):
            if len(segments) == 1 and _CLUSTER_ID_RE.fullmatch(segments[0]):
                return IssuerProblem("missing-id", 'the "/id/" before the cluster id is missing')
            return IssuerProblem("missing-id", 'an EKS issuer ends in "/id/<cluster id>"')
        return None
    if not _HOST_RE.fullmatch(host) or (path and not all(_SEGMENT_RE.fullmatch(s) for s in path.split("/"))):
        return IssuerProblem("malformed", "it is not a host name with an optional path")
    return None


def corrected_issuer(issuer: str) -> str | None:
    """The issuer host path a malformed one most likely meant (None: no mechanical fix)."""
    candidate = issuer.strip()
    if candidate.startswith("arn:") and ":oidc-provider/" in candidate:
        candidate = candidate.split(":oidc-provider/", 1)[1]
    for scheme in ("https://", "http://"):
        if candidate.lower().startswith(scheme):
            candidate = candidate[len(scheme) :]
    candidate = candidate.rstrip("/")
    host, sep, path = candidate.partition("/")
    swapped = _SWAPPED_HOST_RE.fullmatch(host)
    if swapped:
        host = f"oidc.eks.{swapped.group(1)}.amazonaws.com{swapped.group(2) or ''}"
    if EKS_HOST_RE.fullmatch(host) and path and "/" not in path and path != "id":
        path = "id/" + path
    candidate = host + (sep + path if path else "")
    if candidate == issuer or issuer_problem(candidate) is not None:
        return None
    return candidate
