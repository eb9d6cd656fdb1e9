"""Property: what the API server adds to an object (`status`, `managedFields`, `uid`,
`resourceVersion`, `creationTimestamp`, `generation`, `generateName`, the last-applied annotation
holding a JSON copy of the object) never changes its findings, whether the dump is a YAML or JSON
`kind: List` or a stream of documents. Findings are compared by rule, level, message and the key
their line holds (lines move, keys do not). The one exception is by definition: IRSA019 judges
running Pods of a dump, which a manifest does not have."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.engine import LintOptions, LintResult, lint
from irsalint.rules import load_rules

RULES = load_rules()
SETTINGS = settings(max_examples=int(os.environ.get("IRSALINT_LIVE_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ROLES = ["arn:aws:iam::111122223333:role/api", "arn:aws:iam:111122223333:role/api", "${ROLE_ARN}", " arn:aws:iam::111122223333:role/x"]
WEBHOOK_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": st.sampled_from(ROLES),
    "eks.amazonaws.com/token-expiration": st.sampled_from(["300", "3600", "90000", "1h"]),
    "eks.amazonaws.com/rolearn": st.sampled_from(ROLES),
    "eks.amazonaws.com/sts-regional-endpoints": st.sampled_from(["true", "yes"]),
    "eks.amazonaws.com/skip-containers": st.sampled_from(["sidecar", "side car", "app"]),
    "irsalint.dev/ignore": st.sampled_from(["IRSA004", "IRSA0O4"]),
}
ENV = {
    "AWS_ROLE_ARN": {"value": ROLES[0]},
    "AWS_WEB_IDENTITY_TOKEN_FILE": {"value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"},
    "AWS_ACCESS_KEY_ID": {"valueFrom": {"secretKeyRef": {"name": "keys", "key": "id"}}},
    "AWS_REGION": {"value": "eu-west-1"},
    "LOG_LEVEL": {"value": "info"},
}
TEMPLATE_PATHS = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "Job": ("spec", "template"),
                  "CronJob": ("spec", "jobTemplate", "spec", "template")}


@st.composite
def annotations(draw: Any) -> dict[str, str]:
    keys = draw(st.lists(st.sampled_from(sorted(WEBHOOK_ANNOTATIONS)), unique=True, max_size=3))
    return {key: draw(WEBHOOK_ANNOTATIONS[key]) for key in keys}


@st.composite
def service_accounts(draw: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount",
                             "metadata": {"name": draw(st.sampled_from(["api", "default"])), "namespace": "team-a"}}
    found["metadata"]["annotations"] = {"eks.amazonaws.com/role-arn": draw(st.sampled_from(ROLES)), **draw(annotations())}
    automount = draw(st.sampled_from([None, True, False]))
    if automount is not None:
        found["automountServiceAccountToken"] = automount
    return found


@st.composite
def workloads(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Pod", *TEMPLATE_PATHS]))
    containers = []
    for name in draw(st.lists(st.sampled_from(["app", "sidecar"]), min_size=1, unique=True)):
        env = [{"name": n, **ENV[n]} for n in draw(st.lists(st.sampled_from(sorted(ENV)), unique=True, max_size=3))]
        containers.append({"name": name, "image": f"example/{name}:1", **({"env": env} if env else {})})
    spec: dict[str, Any] = {"containers": containers}
    if draw(st.booleans()):
        spec["serviceAccountName"] = draw(st.sampled_from(["api", "default"]))
    automount = draw(st.sampled_from([None, True, False]))
    if automount is not None:
        spec["automountServiceAccountToken"] = automount
    if draw(st.booleans()):
        spec["nodeSelector"] = {"kubernetes.io/os": draw(st.sampled_from(["linux", "windows"]))}
    template = {"metadata": {"labels": {"app": "api"}, "annotations": draw(annotations())}, "spec": spec}
    found: dict[str, Any] = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind,
                             "metadata": {"name": "api", "namespace": "team-a", "annotations": draw(annotations())}}
    if kind == "Pod":
        found["metadata"]["annotations"].update(template["metadata"]["annotations"])
        found["spec"] = spec
        return found
    holder = found
    for key in TEMPLATE_PATHS[kind][:-1]:
        holder = holder.setdefault(key, {})
    holder[TEMPLATE_PATHS[kind][-1]] = template
    return found


def server_side(obj: dict[str, Any], index: int, phase: str) -> dict[str, Any]:
    """The object as `kubectl get -o yaml` prints it."""
    dumped = json.loads(json.dumps(obj))
    metadata = dumped["metadata"]
    applied = json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"
    metadata.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = applied
    metadata.update(uid=f"0a1b2c3d-0000-4000-8000-{index:012d}", resourceVersion=str(48100000 + index),
                    creationTimestamp="2024-05-02T08:14:31Z")
    fields = {f"f:{key}": {} for key in sorted(metadata["annotations"])}
    metadata["managedFields"] = [{"apiVersion": obj["apiVersion"], "fieldsType": "FieldsV1", "manager": "kubectl",
                                  "operation": "Update", "time": "2024-05-02T08:14:31Z",
                                  "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, **fields}}}}]
    if obj["kind"] == "Pod":
        metadata["generateName"] = "api-"
        dumped["status"] = {"phase": phase, "podIP": "10.0.13.77", "conditions": [{"type": "Ready", "status": "True"}]}
    elif obj["kind"] != "ServiceAccount":
        metadata["generation"] = 2
        dumped["status"] = {"observedGeneration": 2, "replicas": 1, "conditions": [{"type": "Available"}]}
    return dumped


def _lint(files: dict[str, str]) -> tuple[LintResult, dict[str, list[str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for relative, text in files.items():
            (root / relative).write_text(text)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            return lint(["."], RULES, LintOptions(jobs=1, cache=False)), {p: t.splitlines() for p, t in files.items()}
        finally:
            os.chdir(cwd)


def _key(lines: dict[str, list[str]], path: str, line: int) -> str:
    """`- name: AWS_ROLE_ARN` and `"name": "AWS_ROLE_ARN",` are the same key."""
    text = lines[path][line - 1] if 0 < line <= len(lines[path]) else ""
    return re.sub(r"^[\s-]*", "", text).replace('"', "").replace("'", "").rstrip(" ,{[").strip()


def _verdicts(result: LintResult, lines: dict[str, list[str]]) -> list[tuple[object, ...]]:
    return sorted(
        (f.rule_id, f.level, f.message, _key(lines, f.loc.path, f.loc.line),
         tuple(sorted((label, _key(lines, loc.path, loc.line)) for label, loc in f.related)))
        for f in result.findings if f.rule_id != "IRSA019"
    )


@SETTINGS
@given(st.lists(service_accounts(), max_size=2), st.lists(workloads(), min_size=1, max_size=2),
       st.sampled_from(["Running", "Pending", "Succeeded"]), st.sampled_from(["yaml-list", "yaml-stream", "json-list"]))
def test_server_side_fields_never_change_findings(sas, loads, phase, form):
    for index, workload in enumerate(loads):
        workload["metadata"]["name"] = f"api-{index}"
    objects = [*sas, *loads]
    manifest, manifest_lines = _lint({"manifests.yaml": yaml.safe_dump_all(objects, sort_keys=True)})
    dumped = [server_side(obj, index, phase) for index, obj in enumerate(objects)]
    listed = {"apiVersion": "v1", "kind": "List", "items": dumped, "metadata": {"resourceVersion": ""}}
    if form == "yaml-list":
        files = {"cluster.yaml": yaml.safe_dump(listed, sort_keys=True)}
    elif form == "yaml-stream":
        files = {"cluster.yaml": yaml.safe_dump_all(dumped, sort_keys=True)}
    else:
        files = {"cluster.json": json.dumps(listed, indent=4, sort_keys=True) + "\n"}
    dump, dump_lines = _lint(files)
    assert dump.project.diagnostics == manifest.project.diagnostics == ()
    assert _verdicts(dump, dump_lines) == _verdicts(manifest, manifest_lines)
