"""`kubectl get -o yaml|json` dumps (SPEC §3.6): what makes an object live, server-side fields that
never count, dumped Pods that are copies of their controller's template, the webhook's injection
(IRSA016) and stale Pods (IRSA019), bad dumps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from irsalint.engine import LintOptions, LintResult, lint
from irsalint.load.k8s import K8sFile, load_manifest
from irsalint.rules import load_rules
from tests.helpers import FIXTURES, run

RULES = load_rules()
LIVE = FIXTURES / "live" / "k8s"
ROLE = "arn:aws:iam::111122223333:role/api"
TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount"


def _lint(root: Path, files: dict[str, object]) -> LintResult:
    """Write `files` (text, or objects dumped as YAML with sorted keys, as kubectl does) and lint."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=True))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return lint(["."], RULES, LintOptions(jobs=1, cache=False))
    finally:
        os.chdir(cwd)


def _found(result: LintResult, *rules: str) -> list[tuple[str, str, int]]:
    return sorted((f.rule_id, f.loc.path, f.loc.line) for f in result.findings if not rules or f.rule_id in rules)


def _messages(result: LintResult, rule: str) -> list[str]:
    return [f.message for f in result.findings if f.rule_id == rule]


# --- objects as the API server returns them (only what the tests need) ------------------------------


def _meta(name: str, namespace: str = "team-a", uid: str | None = "u", **extra: object) -> dict[str, object]:
    meta: dict[str, object] = {"name": name, "namespace": namespace, **extra}
    if uid is not None:
        meta.update(uid=f"{uid}-{namespace}-{name}", resourceVersion="4711", creationTimestamp="2024-05-02T08:14:31Z")
    return meta


def _sa(role: str | None = ROLE, name: str = "api", namespace: str = "team-a", live: bool = True) -> dict[str, object]:
    annotations = {"eks.amazonaws.com/role-arn": role} if role is not None else {}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "automountServiceAccountToken": True,
            "metadata": _meta(name, namespace, "sa" if live else None, annotations=annotations)}


def _owner(kind: str, name: str) -> dict[str, object]:
    return {"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": f"rs-team-a-{name}", "controller": True,
            "blockOwnerDeletion": True}


def _pod(name: str = "api-7d4b9c6f8d-x7k2p", injected: str | None = ROLE, phase: str | None = "Running",
         owner: dict[str, object] | None = None, env: list[dict[str, object]] | None = None,
         labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
         live: bool = True, sa: str = "api") -> dict[str, object]:
    container: dict[str, object] = {"name": "api", "image": "example/api:1", "env": list(env or [])}
    spec: dict[str, object] = {"serviceAccountName": sa, "serviceAccount": sa, "containers": [container]}
    if injected is not None:
        container["env"] = list(env or []) + [
            {"name": "AWS_REGION", "value": "eu-west-1"},
            {"name": "AWS_ROLE_ARN", "value": injected},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": f"{TOKEN_DIR}/token"},
        ]
        container["volumeMounts"] = [{"mountPath": TOKEN_DIR, "name": "aws-iam-token", "readOnly": True}]
        spec["volumes"] = [{"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}}]
    extra: dict[str, object] = {}
    if owner is not None:
        extra["ownerReferences"] = [owner]
    if labels:
        extra["labels"] = labels
    if annotations:
        extra["annotations"] = annotations
    pod: dict[str, object] = {"apiVersion": "v1", "kind": "Pod", "metadata": _meta(name, uid="pod" if live else None,
                                                                                     **extra), "spec": spec}
    if phase is not None:
        pod["status"] = {"phase": phase, "podIP": "10.0.13.77"}
    return pod


def _list(*items: dict[str, object]) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {"resourceVersion": ""}}


# --- the committed dumps ------------------------------------------------------------------------------


CLUSTER_FINDINGS = [
    ("IRSA004", 2105), ("IRSA004", 2128),  # ServiceAccounts without automountServiceAccountToken (notes)
    ("IRSA016", 1595), ("IRSA016", 1600),  # the mailer Deployment's static keys, once (not per Pod, not per RS)
    ("IRSA019", 252),  # the bare debug pod, no injection
    ("IRSA019", 1078),  # payments-api: both pods' AWS_ROLE_ARN is the previous role (first pod's line)
    ("IRSA019", 1318),  # report-builder: created before the annotation
]


def test_cluster_dump_findings_are_exact():
    result = run(LIVE / "cluster-yaml")
    assert sorted((f.rule_id, f.loc.line) for f in result.findings) == sorted(CLUSTER_FINDINGS)
    assert {f.loc.path for f in result.findings} == {"cluster.yaml"}


def test_json_dump_gives_the_findings_of_the_yaml_dump_at_its_own_lines():
    as_yaml, as_json = run(LIVE / "cluster-yaml"), run(LIVE / "cluster-json")
    assert sorted((f.rule_id, f.message) for f in as_json.findings) == sorted((f.rule_id, f.message) for f in as_yaml.findings)
    lines = (LIVE / "cluster-json" / "cluster.json").read_text().splitlines()
    pointed = {f.rule_id: lines[f.loc.line - 1].strip() for f in as_json.findings if f.rule_id in ("IRSA016",)}
    assert pointed == {"IRSA016": '"name": "AWS_SECRET_ACCESS_KEY",'}
    stale = [lines[f.loc.line - 1].strip() for f in as_json.findings if f.rule_id == "IRSA019"]
    assert sorted(stale) == ['"name": "AWS_ROLE_ARN",', '"name": "aws-cli-debug",',
                             '"name": "report-builder-5f6c8d7b9-tq5lm",']


def test_healthy_injected_pods_have_no_finding_at_all(tmp_path):
    """ledger-api's objects of the committed dump (two injected pods with a skipped sidecar, their
    ReplicaSet, Deployment and ServiceAccount), alone: not one finding. aws-node (a DaemonSet's
    injected pod) has only its ServiceAccount's note."""
    dump = yaml.safe_load((LIVE / "cluster-yaml" / "cluster.yaml").read_text())
    for name, expected in (("ledger-api", []), ("aws-node", ["IRSA004"])):
        items = [o for o in dump["items"] if o["metadata"]["name"].startswith(name)]
        assert {o["kind"] for o in items} >= {"Pod", "ServiceAccount"}
        result = _lint(tmp_path / name, {"cluster.yaml": {**dump, "items": items}})
        assert [f.rule_id for f in result.findings] == expected


def test_pods_only_dump_uses_the_repositorys_serviceaccount_and_deployment():
    result = run(LIVE / "repo-and-pods")
    assert _found(result) == [("IRSA004", "k8s/inventory-sync.yaml", 26), ("IRSA019", "cluster/pods.yaml", 11)]
    (stale,) = [f for f in result.findings if f.rule_id == "IRSA019"]
    assert "kubectl rollout restart deployment/inventory-sync -n team-inventory" in stale.message
    assert [loc.path for _, loc in stale.related] == ["k8s/inventory-sync.yaml", "k8s/inventory-sync.yaml",
                                                      "cluster/pods.yaml"]


# --- what makes an object live ------------------------------------------------------------------------


def test_live_means_uid_or_resource_version_not_status_or_null_timestamp():
    generated = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  creationTimestamp: null\n  name: api\n"
                 "spec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: x\nstatus: {}\n")
    loaded = load_manifest("k8s/api.yaml", generated)
    assert isinstance(loaded, K8sFile) and loaded.workloads[0].live is None
    dumped = load_manifest("cluster.yaml", yaml.safe_dump(_list(_sa(), _pod(owner=_owner("ReplicaSet", "api-7d4b9c6f8d")))))
    assert isinstance(dumped, K8sFile)
    assert [sa.live for sa in dumped.service_accounts] == [True]
    (pod,) = dumped.workloads
    assert pod.live is not None and pod.live.phase == "Running" and pod.live.uid == "pod-team-a-api-7d4b9c6f8d-x7k2p"
    assert pod.live.owner is not None and (pod.live.owner.kind, pod.live.owner.name) == ("ReplicaSet", "api-7d4b9c6f8d")
    assert [v.name for v in pod.live.token_volumes] == ["aws-iam-token"]
    assert [(m.container, m.mount_path) for m in pod.live.mounts] == [("api", TOKEN_DIR)]
    assert {v.name: v.value for v in pod.env}["AWS_ROLE_ARN"] == ROLE


def test_an_owner_reference_that_is_not_the_controller_is_no_owner():
    owner = {**_owner("ReplicaSet", "api-7d4b9c6f8d"), "controller": False}
    dumped = load_manifest("cluster.yaml", yaml.safe_dump(_pod(owner=owner)))
    assert isinstance(dumped, K8sFile) and dumped.workloads[0].live is not None
    assert dumped.workloads[0].live.owner is None


def test_last_applied_copy_and_managed_fields_never_count(tmp_path):
    """The last-applied annotation holds the object as JSON (role-arn on a pod template, a misspelt
    key), managedFields name `f:eks.amazonaws.com/role-arn`: neither is an annotation."""
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "team-a"},
               "spec": {"template": {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": ROLE,
                                                                  "eks.amazonaws.com/rolearn": ROLE}}}}}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta("api", uid="d", generation=3, annotations={
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied) + "\n"},
            managedFields=[{"manager": "kubectl", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {
                "f:metadata": {"f:annotations": {"f:eks.amazonaws.com/role-arn": {}, "f:eks.amazonaws.com/rolearn": {}}},
                "f:spec": {"f:template": {"f:metadata": {"f:annotations": {"f:eks.amazonaws.com/role-arn": {}}}}}}}]),
        "spec": {"template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"serviceAccountName": "api", "containers": [{"name": "api", "image": "x"}]}}},
        "status": {"replicas": 1, "observedGeneration": 3},
    }
    result = _lint(tmp_path, {"cluster.yaml": _list(_sa(), deployment)})
    assert _found(result, "IRSA017", "IRSA023", "IRSA011", "IRSA016") == []


# --- copies of a template --------------------------------------------------------------------------------


STATIC_KEY = [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "keys", "key": "id"}}}]


def test_replicas_of_an_absent_replicaset_are_one_template(tmp_path):
    owner = _owner("ReplicaSet", "api-7d4b9c6f8d")
    pods = [_pod(f"api-7d4b9c6f8d-{s}", owner=owner, env=STATIC_KEY) for s in ("a1", "b2", "c3")]
    result = _lint(tmp_path, {"cluster.yaml": _list(*pods, _sa())})
    assert [f.entity for f in result.findings if f.rule_id == "IRSA016"] == ["Pod team-a/api-7d4b9c6f8d-a1 api"]


def test_pods_of_a_scanned_deployment_defer_to_it(tmp_path):
    """A Deployment in the repository, pods (their ReplicaSet not dumped) in the dump: the
    Deployment is found by the ReplicaSet's name and the pods' pod-template-hash label."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: team-a\nspec:\n"
                  "  template:\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n"
                  "          image: x\n          env:\n            - name: AWS_ACCESS_KEY_ID\n              value: AKIA\n")
    owner = _owner("ReplicaSet", "api-7d4b9c6f8d")
    pods = [_pod(f"api-7d4b9c6f8d-{s}", owner=owner, env=STATIC_KEY, labels={"pod-template-hash": "7d4b9c6f8d"})
            for s in ("a1", "b2")]
    result = _lint(tmp_path, {"k8s/deployment.yaml": deployment, "k8s/sa.yaml": _sa(live=False),
                              "cluster/pods.yaml": _list(*pods)})
    assert _found(result, "IRSA016") == [("IRSA016", "k8s/deployment.yaml", 14)]


# --- IRSA016 and the webhook's injection ----------------------------------------------------------------------


def test_injected_variables_of_a_dumped_pod_are_not_user_settings(tmp_path):
    assert _found(_lint(tmp_path / "dump", {"cluster.yaml": _list(_sa(), _pod())})) == []


def test_the_same_pod_as_a_manifest_still_fires_irsa016(tmp_path):
    manifest = _lint(tmp_path, {"k8s/pod.yaml": _pod(live=False, phase=None), "k8s/sa.yaml": _sa(live=False)})
    assert [f.message.split(" sets ")[1].split(",")[0] for f in manifest.findings if f.rule_id == "IRSA016"] == [
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]


def test_a_dumped_template_that_sets_the_variables_still_fires_irsa016(tmp_path):
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("api", uid="d"),
                  "spec": {"template": {"spec": {"serviceAccountName": "api", "containers": [
                      {"name": "api", "image": "x", "env": [{"name": "AWS_ROLE_ARN", "value": ROLE}]}]}}}}
    assert [f.rule_id for f in _lint(tmp_path, {"cluster.yaml": _list(_sa(), deployment)}).findings] == ["IRSA016"]


def test_a_hand_set_role_arn_without_the_token_file_is_the_users(tmp_path):
    """The webhook skips a container that sets AWS_ROLE_ARN (it still mounts the token): IRSA016,
    not IRSA019."""
    pod = _pod(injected=None, env=[{"name": "AWS_ROLE_ARN", "value": ROLE}])
    pod["spec"]["volumes"] = [{"name": "aws-iam-token", "projected": {"sources": [
        {"serviceAccountToken": {"audience": "sts.amazonaws.com", "path": "token"}}]}}]
    pod["spec"]["containers"][0]["volumeMounts"] = [{"mountPath": TOKEN_DIR, "name": "aws-iam-token"}]
    assert [f.rule_id for f in _lint(tmp_path, {"cluster.yaml": _list(_sa(), pod)}).findings] == ["IRSA016"]


def test_pod_identity_injection_fires_nothing(tmp_path):
    pod = _pod(injected=None)
    pod["spec"]["containers"][0]["env"] = [
        {"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"},
        {"name": "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
         "value": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"}]
    pod["spec"]["containers"][0]["volumeMounts"] = [
        {"mountPath": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", "name": "eks-pod-identity-token"}]
    pod["spec"]["volumes"] = [{"name": "eks-pod-identity-token", "projected": {"sources": [
        {"serviceAccountToken": {"audience": "pods.eks.amazonaws.com", "path": "eks-pod-identity-token"}}]}}]
    assert _found(_lint(tmp_path, {"cluster.yaml": _list(_sa(), pod)})) == []


# --- IRSA019 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase, fires", [("Running", True), ("Pending", True), ("Succeeded", False),
                                          ("Failed", False), (None, False)])
def test_only_running_or_pending_pods_count(tmp_path, phase, fires):
    result = _lint(tmp_path, {"cluster.yaml": _list(_sa(), _pod(injected=None, phase=phase))})
    assert bool(_found(result, "IRSA019")) is fires


def test_the_dumped_serviceaccount_is_what_the_cluster_holds(tmp_path):
    """The repository still says `api-old`; the dump's ServiceAccount says `api`, as does the pod."""
    old = "arn:aws:iam::111122223333:role/api-old"
    files = {"k8s/sa.yaml": _sa(old, live=False), "cluster.yaml": _list(_sa(), _pod())}
    assert _found(_lint(tmp_path / "current", files), "IRSA019") == []
    files = {"k8s/sa.yaml": _sa(live=False), "cluster.yaml": _list(_sa(), _pod(injected=old))}
    (message,) = _messages(_lint(tmp_path / "stale", files), "IRSA019")
    assert 'AWS_ROLE_ARN "role/api-old", which its ServiceAccount no longer names.' in message
    assert 'ServiceAccount team-a/api now names "role/api":' in message


def test_serviceaccounts_that_disagree_are_unknown(tmp_path):
    files = {"a/sa.yaml": _sa(live=False), "b/sa.yaml": _sa("arn:aws:iam::111122223333:role/other", live=False),
             "cluster.yaml": _list(_pod())}
    assert _found(_lint(tmp_path, files), "IRSA019") == []


def test_an_empty_role_arn_asks_for_no_injection(tmp_path):
    assert _found(_lint(tmp_path, {"cluster.yaml": _list(_sa(""), _pod(injected=None))}), "IRSA019") == []


def test_a_role_arn_of_another_account_is_shown_whole(tmp_path):
    other = "arn:aws:iam::444455556666:role/api"
    (message,) = _messages(_lint(tmp_path, {"cluster.yaml": _list(_sa(), _pod(injected=other))}), "IRSA019")
    assert f'AWS_ROLE_ARN "{other}", which its ServiceAccount no longer names.' in message
    assert f'now names "{ROLE}":' in message


def test_unparseable_skip_containers_is_unknown(tmp_path):
    pod = _pod(injected=None, annotations={"eks.amazonaws.com/skip-containers": '"api'})
    assert _found(_lint(tmp_path, {"cluster.yaml": _list(_sa(), pod)}), "IRSA019") == []


def _replica_set(name: str, owner: dict[str, object] | None) -> dict[str, object]:
    extra = {"ownerReferences": [owner]} if owner is not None else {}
    meta = _meta(name, **extra)
    meta["uid"] = f"rs-team-a-{name}"
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"template": {"spec": {"serviceAccountName": "api", "containers": [{"name": "api", "image": "x"}]}}}}


@pytest.mark.parametrize("owner, extra, command", [
    (None, [], "`kubectl delete pod api-7d4b9c6f8d-x7k2p -n team-a` (then apply its manifest again"),
    (_owner("ReplicaSet", "api-7d4b9c6f8d"), [_replica_set("api-7d4b9c6f8d", _owner("Deployment", "api"))],
     "`kubectl rollout restart deployment/api -n team-a`"),
    (_owner("ReplicaSet", "api-7d4b9c6f8d"), [_replica_set("api-7d4b9c6f8d", None)],
     "`kubectl delete pod api-7d4b9c6f8d-x7k2p -n team-a` (its ReplicaSet api-7d4b9c6f8d creates a new one)"),
    (_owner("ReplicaSet", "api-7d4b9c6f8d"), [],  # no ReplicaSet, no pod-template-hash label: not certain
     "`kubectl delete pod api-7d4b9c6f8d-x7k2p -n team-a` (its ReplicaSet api-7d4b9c6f8d creates a new one)"),
    (_owner("StatefulSet", "api"), [], "`kubectl rollout restart statefulset/api -n team-a`"),
    ({**_owner("Job", "api-28571520"), "apiVersion": "batch/v1"}, [],
     "`kubectl delete pod api-7d4b9c6f8d-x7k2p -n team-a` (its Job api-28571520 creates a new one)"),
])
def test_the_restart_command_follows_the_owner(tmp_path, owner, extra, command):
    pod = _pod(injected=None, owner=owner)
    (message,) = _messages(_lint(tmp_path, {"cluster.yaml": _list(_sa(), pod, *extra)}), "IRSA019")
    assert command in message


def test_pods_one_restart_replaces_are_one_finding(tmp_path):
    owner = _owner("ReplicaSet", "api-7d4b9c6f8d")
    pods = [_pod(f"api-7d4b9c6f8d-{s}", owner=owner, injected=None, labels={"pod-template-hash": "7d4b9c6f8d"})
            for s in ("a1", "b2", "c3")]
    (finding,) = [f for f in _lint(tmp_path, {"cluster.yaml": _list(*pods, _sa())}).findings if f.rule_id == "IRSA019"]
    assert finding.message.startswith("3 pods of Deployment team-a/api have no web identity")
    assert finding.entity == "Deployment team-a/api"
    assert [label for label, _ in finding.related] == ["the ServiceAccount's role-arn", "pod api-7d4b9c6f8d-b2 too",
                                                        "pod api-7d4b9c6f8d-c3 too"]


# --- dumps are reports, not sources ---------------------------------------------------------------------------------


def test_no_fix_edits_a_dump(tmp_path):
    sa = _sa()
    sa["metadata"]["annotations"]["eks.amazonaws.com/token-expiration"] = "300"  # type: ignore[index]
    dumped = [f for f in _lint(tmp_path / "dump", {"cluster.yaml": _list(sa)}).findings if f.rule_id == "IRSA005"]
    sa["metadata"] = {k: v for k, v in sa["metadata"].items() if k not in ("uid", "resourceVersion")}  # type: ignore[union-attr]
    written = [f for f in _lint(tmp_path / "repo", {"k8s/sa.yaml": sa}).findings if f.rule_id == "IRSA005"]
    assert [f.fix for f in dumped] == [None]
    assert [f.fix is not None for f in written] == [True]


# --- bad dumps ---------------------------------------------------------------------------------------------------------


def _irsalint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "irsalint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_dump_over_the_size_cap_is_a_skip_note_that_says_what_to_do(tmp_path):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "sa.yaml").write_text(yaml.safe_dump(_sa(live=False)))
    with open(tmp_path / "cluster.yaml", "wb") as huge:
        huge.truncate(200 * 1024 * 1024)  # sparse: never read, only its size is looked at
    proc = _irsalint("check", ".", "-v", "--format", "json", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (skipped,) = [s for s in json.loads(proc.stdout)["skipped"] if s["path"] == "cluster.yaml"]
    assert "larger than the size cap (209715200 > 33554432 bytes)" in skipped["reason"]
    assert "--max-file-size" in skipped["reason"] and "per namespace" in skipped["reason"]


def test_max_file_size_decides_whether_a_real_dump_is_read(tmp_path):
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(_list(_sa(), _pod(injected=None))))
    size = (tmp_path / "cluster.yaml").stat().st_size
    small = _irsalint("check", ".", "--format", "json", "--no-cache", "--max-file-size", str(size - 1), cwd=tmp_path)
    assert small.returncode == 2 and "no lintable file" in small.stderr
    enough = _irsalint("check", ".", "--format", "json", "--no-cache", "--max-file-size", str(size), cwd=tmp_path)
    assert [f["rule"] for f in json.loads(enough.stdout)["findings"]] == ["IRSA019"]


def test_kubectl_messages_saved_as_dumps_are_named_skips_not_silence(tmp_path):
    result = run(LIVE / "bad-dumps")
    reasons = {s.path: s.reason for s in result.project.skipped}
    assert sorted(reasons) == ["forbidden.yaml", "kubectl-error.yaml", "no-resources.yaml"]
    assert reasons["no-resources.yaml"].startswith("kubectl found no objects (No resources found in default")
    assert 'resource type "podz"' in reasons["kubectl-error.yaml"]
    assert _found(result) == [("IRSA900", "truncated.json", 613), ("IRSA900", "truncated.yaml", 1000)]


def test_ignores_copied_into_every_replica_are_neither_unused_nor_repeated(tmp_path):
    """A template's `irsalint.dev/ignore` is in each of its dumped pods: it still silences the
    Deployment's finding, is never an unused suppression, and a mistake in it is told once."""
    from irsalint.suppress import apply_ignores

    def dump(ignore: str) -> dict[str, object]:
        template = {"metadata": {"annotations": {"irsalint.dev/ignore": ignore}},
                    "spec": {"serviceAccountName": "api", "containers": [{"name": "api", "image": "x", "env": STATIC_KEY}]}}
        deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("api", uid="d"),
                      "spec": {"template": template}}
        owner = _owner("ReplicaSet", "api-7d4b9c6f8d")
        pods = [_pod(f"api-7d4b9c6f8d-{s}", owner=owner, injected=None, phase="Succeeded", env=STATIC_KEY,
                     labels={"pod-template-hash": "7d4b9c6f8d"}, annotations={"irsalint.dev/ignore": ignore})
                for s in ("a1", "b2")]
        return _list(*pods, deployment, _sa())

    every = {r.id for r in RULES}
    honoured = apply_ignores(_lint(tmp_path / "ok", {"cluster.yaml": dump("IRSA016")}), every, warn_unused=True)
    assert _found(honoured) == [] and [s.finding.rule_id for s in honoured.suppressed] == ["IRSA016"]
    typo = apply_ignores(_lint(tmp_path / "typo", {"cluster.yaml": dump("IRSA0l6")}), every, warn_unused=True)
    assert [f.rule_id for f in typo.findings].count("IRSA901") == 1


WINDOWS_AFFINITY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["windows"]}]}]}}}


@pytest.mark.parametrize("rule, annotations, spec", [
    ("IRSA004", {}, {"automountServiceAccountToken": False}),
    ("IRSA005", {"eks.amazonaws.com/token-expiration": "300"}, {}),
    ("IRSA017", {"eks.amazonaws.com/role-arn": ROLE}, {}),
    ("IRSA023", {"eks.amazonaws.com/rolearn": ROLE}, {}),
    ("IRSA028", {}, {"affinity": WINDOWS_AFFINITY}),
])
def test_a_template_defect_is_one_finding_on_the_deployment(tmp_path, rule, annotations, spec):
    """Deployment, ReplicaSet and two Pods dumped together all carry the template: one finding."""
    def template(hash_label: bool) -> dict[str, object]:
        labels = {"app": "api", **({"pod-template-hash": "7d4b9c6f8d"} if hash_label else {})}
        return {"metadata": {"labels": labels, "annotations": dict(annotations)},
                "spec": {"serviceAccountName": "api", "containers": [{"name": "api", "image": "x"}], **spec}}

    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("api", uid="d"),
                  "spec": {"template": template(False)}}
    replica_set = _replica_set("api-7d4b9c6f8d", {**_owner("Deployment", "api"), "uid": "d-team-a-api"})
    replica_set["spec"] = {"template": template(True)}
    pods = []
    for suffix in ("a1", "b2"):
        pod = _pod(f"api-7d4b9c6f8d-{suffix}", owner=_owner("ReplicaSet", "api-7d4b9c6f8d"),
                   labels={"app": "api", "pod-template-hash": "7d4b9c6f8d"}, annotations=dict(annotations))
        pod["spec"].update(spec)  # type: ignore[union-attr]
        pods.append(pod)
    result = _lint(tmp_path, {"cluster.yaml": _list(*pods, deployment, replica_set, _sa())})
    assert [f.entity.split(" ")[0] for f in result.findings if f.rule_id == rule] == ["Deployment"]


def test_pods_that_own_each_other_end(tmp_path):
    """A hostile dump: two pods each the other's controller. Both are copies; nothing loops."""
    first = _pod("api-a", injected=None, owner={**_owner("Pod", "api-b"), "uid": "pod-team-a-api-b"})
    second = _pod("api-b", injected=None, owner={**_owner("Pod", "api-a"), "uid": "pod-team-a-api-a"})
    result = _lint(tmp_path, {"cluster.yaml": _list(first, second, _sa())})
    assert sorted(f.rule_id for f in result.findings) == ["IRSA019", "IRSA019"]
