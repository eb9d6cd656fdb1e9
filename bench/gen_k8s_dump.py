"""Generate `kubectl get pods,serviceaccounts -o yaml` dumps of a synthetic cluster, and the same
workloads as plain manifests, to compare what a dump costs to lint.

    python bench/gen_k8s_dump.py OUT_DIR --pods 20000 [--per-file 1000] [--manifests]

Dump mode (default): N running Pods (two replicas per service, each owned by a ReplicaSet that is
not dumped, as with `kubectl get pods,sa`) and their ServiceAccounts, written as kubectl writes
them (sorted keys, server-side fields, the webhook's injection, the last-applied annotation), one
`kind: List` per namespace and chunk of `--per-file` Pods (a 1,000-pod file is ~5 MB, as
`kubectl get pods,sa -n NAMESPACE -o yaml` gives for a busy namespace). One service in 50 has
pods created before its annotation (IRSA019, no injection), one in 50 pods injected with a
previous role (IRSA019, outdated role); `expected.json` lists the finding each must produce.

Manifest mode (`--manifests`): the same services as plain manifests, one file per service with
its ServiceAccount and a Deployment per replica of the dump (so a manifest corpus has as many
workloads as the dump has Pods).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-1"
TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
NAMESPACES = 20
REPLICAS = 2
RESERVED = {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_GO_YAML_BOOLS = {"y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                  "true", "True", "TRUE", "false", "False", "FALSE"}


# --- kubectl's YAML (sigs.k8s.io/yaml over go-yaml v2): sorted keys, unindented sequences --------


def kubectl_yaml(obj: Any) -> str:
    return "".join(_block(obj, 0)) or "{}\n"


def kubectl_json(obj: Any) -> str:
    return json.dumps(obj, indent=4, ensure_ascii=False) + "\n"


def _block(value: Any, indent: int) -> Iterator[str]:
    pad = " " * indent
    if isinstance(value, dict):
        for key in sorted(value):
            item = value[key]
            if isinstance(item, dict) and item:
                yield f"{pad}{_scalar(key)}:\n"
                yield from _block(item, indent + 2)
            elif isinstance(item, list) and item:
                yield f"{pad}{_scalar(key)}:\n"
                yield from _block(item, indent)  # go-yaml does not indent a sequence in a mapping
            else:
                yield f"{pad}{_scalar(key)}:{_inline(item, indent + 2)}\n"
    elif isinstance(value, list):
        for item in value:
            if (isinstance(item, dict) or isinstance(item, list)) and item:
                lines = list(_block(item, indent + 2))
                lines[0] = f"{pad}- {lines[0][indent + 2:]}"
                yield from lines
            else:
                yield f"{pad}-{_inline(item, indent + 2)}\n"


def _inline(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        return " {}"
    if isinstance(value, list):
        return " []"
    if isinstance(value, str) and "\n" in value:
        body = value[:-1] if value.endswith("\n") else value
        chomp = "" if value.endswith("\n") else "-"
        return f" |{chomp}\n" + "\n".join(" " * indent + line if line else "" for line in body.split("\n"))
    return " " + _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _needs_quotes(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _needs_quotes(text: str) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS or ": " in text or " #" in text:
        return True
    if text in _GO_YAML_BOOLS or text in ("null", "Null", "NULL", "~"):
        return True
    try:
        float(text.replace("_", "x"))  # a number (go-yaml quotes what would read back as one)
        return True
    except ValueError:
        pass
    return len(text) >= 10 and text[:4].isdigit() and text[4] == "-" and text[7] == "-"  # a timestamp


# --- objects as the API server returns them ------------------------------------------------------


def uid(*parts: object) -> str:
    """A stable, uuid-shaped uid (dumps must be reproducible)."""
    import hashlib

    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def last_applied(obj: dict[str, Any]) -> str:
    """kubectl apply's copy of what was applied: compact JSON with sorted keys, and a newline."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def service_account(namespace: str, name: str, role_arn: str | None, version: int) -> dict[str, Any]:
    applied: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount",
                               "metadata": {"name": name, "namespace": namespace}}
    annotations: dict[str, str] = {}
    if role_arn is not None:
        applied["metadata"]["annotations"] = {"eks.amazonaws.com/role-arn": role_arn}
        annotations["eks.amazonaws.com/role-arn"] = role_arn
    applied["automountServiceAccountToken"] = True
    annotations["kubectl.kubernetes.io/last-applied-configuration"] = last_applied(applied)
    return {
        "apiVersion": "v1",
        "automountServiceAccountToken": True,
        "kind": "ServiceAccount",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": "2024-04-02T07:41:19Z",
            "name": name,
            "namespace": namespace,
            "resourceVersion": str(40000000 + version),
            "uid": uid("sa", namespace, name),
        },
    }


def injected_env(role_arn: str) -> list[dict[str, str]]:
    """What the webhook appends to each container of a pod whose ServiceAccount has a role."""
    return [
        {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
        {"name": "AWS_DEFAULT_REGION", "value": REGION},
        {"name": "AWS_REGION", "value": REGION},
        {"name": "AWS_ROLE_ARN", "value": role_arn},
        {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": f"{TOKEN_DIR}/token"},
    ]


def token_volume() -> dict[str, Any]:
    return {
        "name": "aws-iam-token",
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}},
        ]},
    }


def api_access_volume(suffix: str) -> dict[str, Any]:
    return {
        "name": f"kube-api-access-{suffix}",
        "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}},
        ]},
    }


def pod(namespace: str, name: str, sa: str, owner: dict[str, Any] | None, containers: list[dict[str, Any]],
        injected_role: str | None, index: int, labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None, phase: str = "Running") -> dict[str, Any]:
    """A scheduled Pod; `injected_role`: the role-arn the webhook injected (None: no injection)."""
    suffix = uid("vol", namespace, name)[-5:]
    specs: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    for container in containers:
        spec = dict(container)
        spec.setdefault("imagePullPolicy", "IfNotPresent")
        spec.setdefault("resources", {})
        spec["terminationMessagePath"] = "/dev/termination-log"
        spec["terminationMessagePolicy"] = "File"
        mounts = [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                   "name": f"kube-api-access-{suffix}", "readOnly": True}]
        if injected_role is not None and not container.get("skipped"):
            own = {e["name"] for e in container.get("env", [])}
            # the webhook injects neither reserved variable into a container that sets one of them
            skip = own | (RESERVED if own & RESERVED else set())
            spec["env"] = list(container.get("env", [])) + [e for e in injected_env(injected_role) if e["name"] not in skip]
            mounts.append({"mountPath": TOKEN_DIR, "name": "aws-iam-token", "readOnly": True})
        spec.pop("skipped", None)
        spec["volumeMounts"] = mounts
        specs.append(spec)
        started = "2024-04-02T07:44:0%dZ" % (index % 10)
        statuses.append({
            "containerID": "containerd://" + uid("ctr", name, spec["name"]).replace("-", "") * 2,
            "image": spec["image"],
            "imageID": spec["image"].rsplit(":", 1)[0] + "@sha256:" + uid("img", spec["image"]).replace("-", "") * 2,
            "lastState": {},
            "name": spec["name"],
            "ready": phase == "Running",
            "restartCount": 0,
            "started": phase == "Running",
            "state": {"running": {"startedAt": started}} if phase == "Running" else
                     {"terminated": {"containerID": "containerd://" + uid("t", name).replace("-", "") * 2,
                                     "exitCode": 0, "finishedAt": "2024-04-02T07:49:12Z", "reason": "Completed",
                                     "startedAt": started}},
        })
    volumes = [token_volume()] if injected_role is not None else []
    volumes.append(api_access_volume(suffix))
    metadata: dict[str, Any] = {
        "creationTimestamp": "2024-04-02T07:44:00Z",
        "labels": dict(labels or {}),
        "name": name,
        "namespace": namespace,
        "resourceVersion": str(41000000 + index),
        "uid": uid("pod", namespace, name),
    }
    if annotations:
        metadata["annotations"] = dict(annotations)
    if owner is not None:
        metadata["generateName"] = name[: name.rfind("-") + 1]
        metadata["ownerReferences"] = [{"apiVersion": owner.get("apiVersion", "apps/v1"), "blockOwnerDeletion": True,
                                        "controller": True, "kind": owner["kind"], "name": owner["name"],
                                        "uid": owner["uid"]}]
    host = f"ip-10-0-{index % 200}-{index % 250}.{REGION}.compute.internal"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": specs,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": host,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always" if phase == "Running" else "Never",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": sa,
            "serviceAccountName": sa,
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
                 "tolerationSeconds": 300},
            ],
            "volumes": volumes,
        },
        "status": {
            "conditions": [
                {"lastProbeTime": None, "lastTransitionTime": "2024-04-02T07:44:00Z", "status": "True", "type": kind}
                for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": statuses,
            "hostIP": f"10.0.{index % 200}.{index % 250}",
            "phase": phase,
            "podIP": f"10.1.{index % 200}.{(index * 7) % 250}",
            "podIPs": [{"ip": f"10.1.{index % 200}.{(index * 7) % 250}"}],
            "qosClass": "BestEffort",
            "startTime": "2024-04-02T07:44:00Z",
        },
    }


def kube_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# --- the corpus ----------------------------------------------------------------------------------


def _hash(i: int) -> str:
    return uid("rs", i).replace("-", "")[:10].translate(str.maketrans("0123456789", "bcdfghjklm"))


def generate(out: Path, pods: int, per_file: int, manifests: bool) -> list[dict[str, object]]:
    """Write the corpus; returns the findings it must produce (rule, path, line)."""
    services = max(1, pods // REPLICAS)
    expected: list[dict[str, object]] = []
    stale: list[tuple[str, int, str, int]] = []
    chunks: dict[tuple[str, int], list[dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    for i in range(services):
        namespace = f"team-{i % NAMESPACES}"
        name = f"svc-{i}"
        role = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        defect = i % 50 if i % 50 < 2 else None  # 0: created before the annotation, 1: previous role
        containers = [{"image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:1.0.{i % 7}", "name": "app",
                       "env": [{"name": "LOG_LEVEL", "value": "info"}]}]
        if manifests:
            path = f"k8s/{namespace}/{name}.yaml"
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            documents = [_manifest_sa(namespace, name, role)]
            documents += [_manifest_deployment(namespace, f"{name}-{r}" if r else name, name, containers)
                          for r in range(REPLICAS)]
            target.write_text("---\n".join(documents))
            continue
        chunk = counts.get(namespace, 0) // per_file
        items = chunks.setdefault((namespace, chunk), [])
        items.append(service_account(namespace, name, role, i))
        rs_name = f"{name}-{_hash(i)}"
        owner = {"kind": "ReplicaSet", "name": rs_name, "uid": uid("rs", namespace, rs_name)}
        injected = None if defect == 0 else f"arn:aws:iam::{ACCOUNT}:role/{name}-old" if defect == 1 else role
        for r in range(REPLICAS):
            pod_name = f"{rs_name}-{uid('p', i, r)[:5]}"
            labels = {"app.kubernetes.io/name": name, "pod-template-hash": _hash(i)}
            items.append(pod(namespace, pod_name, name, owner, containers, injected, i * REPLICAS + r, labels))
            counts[namespace] = counts.get(namespace, 0) + 1
        if defect is not None:
            stale.append((namespace, chunk, f"{rs_name}-{uid('p', i, 0)[:5]}", defect))
    for (namespace, chunk), items in sorted(chunks.items()):
        path = out / "cluster" / f"{namespace}-{chunk}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # kubectl lists pods first, then serviceaccounts (the order of `pods,sa`)
        ordered = [o for o in items if o["kind"] == "Pod"] + [o for o in items if o["kind"] != "Pod"]
        path.write_text(kubectl_yaml(kube_list(ordered)))
    for namespace, chunk, first_pod, defect in stale:
        relative = f"cluster/{namespace}-{chunk}.yaml"
        lines = (out / relative).read_text().splitlines()
        line = lines.index(f"    name: {first_pod}") + 1  # no injection: the pod's metadata.name
        if defect == 1:  # the previous role: its AWS_ROLE_ARN variable
            line += lines[line:].index("      - name: AWS_ROLE_ARN") + 1
        expected.append({"rule": "IRSA019", "path": relative, "line": line})
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


def _manifest_sa(namespace: str, name: str, role: str) -> str:
    return (f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  annotations:\n    eks.amazonaws.com/role-arn: {role}\nautomountServiceAccountToken: true\n")


def _manifest_deployment(namespace: str, name: str, sa: str, containers: list[dict[str, Any]]) -> str:
    container = containers[0]
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
            f"  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n"
            f"    spec:\n      serviceAccountName: {sa}\n      containers:\n        - name: {container['name']}\n"
            f"          image: {container['image']}\n          env:\n            - name: LOG_LEVEL\n"
            f"              value: info\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--per-file", type=int, default=1000, help="pods per dump file (per namespace)")
    parser.add_argument("--manifests", action="store_true", help="the same workloads as plain manifests")
    args = parser.parse_args()
    expected = generate(args.out, args.pods, args.per_file, args.manifests)
    kind = "manifests" if args.manifests else "dump"
    print(f"wrote {args.out}: {args.pods} pods as {kind}, {len(expected)} stale services")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
