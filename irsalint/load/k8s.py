"""Kubernetes manifests (YAML or JSON) -> ServiceAccount / Workload / AnnotatedObject records.

A pure function of (path, text), so it can run in a worker process and be cached. Positions come
from libyaml's parser (irsalint.yamlutil composes its events): every key we point at has its exact
line and column. Only the keys _Reader looks up are kept (KEYS_READ), so memory follows what is
read, not the size of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import yaml

from irsalint.load.cloudformation import looks_like_template, read_template, template_role_uses
from irsalint.load.eksctl import read_cluster_config
from irsalint.load.live import KEYS as LIVE_KEYS
from irsalint.load.live import is_live, read_live
from irsalint.load.podspec import OS_LABELS, container_names, windows_affinity
from irsalint.load.webhook_config import CONFIGMAP_NAME, read_webhook_config
from irsalint.model import (
    UNKNOWN,
    AnnotatedObject,
    Annotation,
    Diagnostic,
    EnvVar,
    IamRole,
    Live,
    Location,
    PodIdentityAssociation,
    ServiceAccount,
    SkipNote,
    Str,
    Workload,
)
from irsalint.placeholders import has_placeholder, placeholder_value
from irsalint.record import record, replace
from irsalint.sources.carriers import CARRIER_KEYS, TreeAccess, carried_service_account, carrier_of
from irsalint.sources.gitops import reader as gitops
from irsalint.sources.gitops.records import GitOpsRecord
from irsalint.sources.gitops.templating import is_templated_application_set, neutralize
from irsalint.yamlutil import compose_all, compose_documents, get, get_key, scalar_bool, text_of

# kind -> path from the object to its pod spec's parent (the object holding `spec` and `metadata`)
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}

# `{` and `,` too: a manifest in compact JSON (`kubectl get -o json | jq -c`) is one line, and when it
# is broken it deserves an IRSA900 at the error's column, not a "not YAML" skip note.
_LOOKS_LIKE_MANIFEST_RE = re.compile(r"^[\s{,]*[\"']?(apiVersion|kind)[\"']?\s*:", re.MULTILINE)

# Every mapping key the _Reader below looks up, at any depth (the values of other keys are parsed and
# checked, but not kept: a 30 MB manifest then costs tens of MB, not 1.7 GB). Everything under
# `annotations` is kept. A new lookup in _Reader needs its key here (tests/test_hostile.py compares
# the result with a full composition for every fixture).
KEYS_READ = frozenset({
    "apiVersion", "kind", "metadata", "name", "namespace", "annotations", "items",
    "spec", "template", "jobTemplate", "serviceAccountName", "serviceAccount",
    "automountServiceAccountToken", "initContainers", "containers", "env",
    "resources", "bases",  # kustomization.yaml
    "labels", "nodeSelector", "affinity",  # irsalint.load.podspec
    "data", "config",  # irsalint.load.webhook_config
    "value",  # env values: what the webhook injected into a dumped Pod
}) | CARRIER_KEYS | LIVE_KEYS  # fmt: skip
KEEP_ALL_UNDER = frozenset({"annotations", "labels", "nodeSelector", "affinity"})
# An alias bomb in a manifest is read without expanding it (aliases are shared nodes and _Reader
# only follows fixed paths), so the objects in the file are still checked. Kubernetes would reject
# the file ("excessive aliasing"): True reports that as IRSA900 instead.
REJECT_ALIAS_BOMBS = True
_MAX_DEPTH = 200
_EKSCTL_RE = re.compile(r"^\s*apiVersion:\s*[\"']?eksctl\.io/", re.MULTILINE)


@record
class K8sFile:
    path: str
    service_accounts: tuple[ServiceAccount, ...]
    workloads: tuple[Workload, ...]
    objects: tuple[AnnotatedObject, ...]
    kustomization: Kustomization | None = None
    roles: tuple[IamRole, ...] = ()  # roles declared beside their ServiceAccounts (eksctl)
    associations: tuple[PodIdentityAssociation, ...] = ()  # eksctl podIdentityAssociations
    # role id -> where the file refers to it besides its definition (CloudFormation Outputs...)
    role_uses: tuple[tuple[str, tuple[Location, ...]], ...] = ()
    gitops: tuple[GitOpsRecord, ...] = ()  # irsalint.sources.gitops: joined across files later


@record
class Patch:
    """A strategic-merge patch of a kustomization: a file, or inline text parsed in place."""

    path: str | None  # a patch file, as written (relative to the kustomization's directory)
    service_accounts: tuple[ServiceAccount, ...]  # an inline patch's ServiceAccounts
    target_name: str | None  # `target.name` when the entry has one
    loc: Location  # the entry in the kustomization


@record
class Kustomization:
    """What a kustomization.yaml says that changes where objects land."""

    path: str
    namespace: str | None
    namespace_loc: Location | None
    resources: tuple[str, ...]  # as written, relative to the kustomization's directory
    patches: tuple[Patch, ...] = ()


# What makes a broken file matter for IRSA (SPEC §4.1): a role-arn or another webhook annotation, a
# ServiceAccount, a pod template, an IAM document or role.
_IRSA_CONTENT_RE = re.compile(
    r"eks\.amazonaws\.com/|kind:\s*[\"']?ServiceAccount|serviceAccount(Name)?\s*:|containers\s*:"
    r"|AssumeRole|\bStatement\b|AWS::IAM::|:role/",
    re.IGNORECASE,
)


def irsa_level(text: str) -> str | None:
    """IRSA900's level for an unparseable file: an error when it holds IRSA content, a note when
    not (a templated CI config or docs snippet must not fail the gate)."""
    return None if _IRSA_CONTENT_RE.search(text) else "note"


# What kubectl prints instead of objects, when its output is redirected to the file to lint
_KUBECTL_MESSAGE_RE = re.compile(
    r"\A\s*(error: |Error from server|No resources found|Unable to connect to the server|"
    r"The connection to the server )"
)


def kubectl_message(path: str, text: str) -> SkipNote | None:
    """A file holding kubectl's message instead of a dump (`kubectl get ... > cluster.yaml` that
    failed, or found nothing): a skip note quoting it, not a silently empty file."""
    match = _KUBECTL_MESSAGE_RE.match(text)
    if match is None or looks_like_manifest(text):
        return None
    message = text.strip().splitlines()[0].strip()
    shown = message if len(message) <= 120 else message[:119] + "…"
    if match.group(1) == "No resources found":
        return SkipNote(path, f"kubectl found no objects ({shown}): nothing to lint")
    return SkipNote(path, f"kubectl's error message, not a dump ({shown}): run the kubectl command again")


def looks_like_manifest(text: str) -> bool:
    return _LOOKS_LIKE_MANIFEST_RE.search(text) is not None


def is_helm_template(text: str) -> bool:
    return "{{" in text and "}}" in text


def load_manifest(
    path: str, text: str, keep: frozenset[str] | None = KEYS_READ, kustomization: bool | None = None
) -> K8sFile | Diagnostic | SkipNote:
    """Parse one YAML/JSON file. Non-manifests are skipped; broken manifests are diagnostics.

    `keep=None` composes every node (for tests: the result must be the same). `kustomization`
    defaults to "is the file named kustomization.yaml"."""
    reader = _Reader(path)
    note = kubectl_message(path, text)
    if note is not None:
        return note
    if is_helm_template(text):
        if not is_templated_application_set(path, text):
            return SkipNote(path, "Helm template ({{ }}): not linted")
        text, reader.restore = neutralize(text)  # Argo CD's {{ }}: read as placeholders
        reader.argo_only = True
    if kustomization is None:
        kustomization = _is_kustomization_path(path)
    reader.text = text
    # to place inline patches, and the entries of the webhook's ConfigMap
    reader.lines = text.splitlines() if kustomization or CONFIGMAP_NAME in text else []
    helm_values = not kustomization and is_helm_values_path(path)
    values_file = not kustomization and (helm_values or (not looks_like_manifest(text) and gitops.may_be_values(text)))
    eksctl = not kustomization and "eksctl.io/" in text and _EKSCTL_RE.search(text) is not None
    cloudformation = not kustomization and looks_like_template(text)
    first: list[yaml.Node | None] = []
    # A List's items are read one by one while the document is parsed (`kubectl get -o yaml` of a
    # big cluster: 30 MB, 250,000 objects), and kept only if the document turns out to be a List.
    streamed = _Reader(path)
    on_item = None if kustomization or keep is None else (lambda item: streamed.document(item, depth=1))
    try:
        # one document at a time: a long stream never has all its nodes in memory at once
        # kustomization files are small and read whole (patches, targets...)
        # (Helm values too: their ServiceAccount settings sit under arbitrary keys)
        whole = kustomization or values_file or eksctl or cloudformation or gitops.wants_whole_documents(text)
        wanted = None if whole else keep
        reader.whole = wanted is None
        for document in compose_documents(text, wanted, KEEP_ALL_UNDER, REJECT_ALIAS_BOMBS, on_item):
            if kustomization:
                first = first or [document]
            elif document is not None:
                reader.document(document, depth=0, streamed=streamed)
                if helm_values:
                    reader.helm_values(document, (), 0)
                if values_file and not first:
                    first.append(document)
                    found = gitops.values_file(path, document, reader.loc)
                    reader.gitops.extend([found] if found is not None else [])
                if cloudformation:
                    reader.roles.extend(read_template(path, document, reader.loc))
                    reader.role_uses.update(template_role_uses(path, document, reader.loc))
            streamed.clear()
    except yaml.MarkedYAMLError as error:
        if reader.argo_only:  # not the ApplicationSet it looked like: skipped as before
            return SkipNote(path, "Helm template ({{ }}): not linted")
        if not looks_like_manifest(text) and not kustomization:
            return SkipNote(path, "not YAML")
        untemplated = _untemplated(text)
        if untemplated != text:
            # a `%VAR%` or Jinja-wrapped template (eksctl, docs): read what it would render to
            return load_manifest(path, untemplated, keep, kustomization)
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        problem = error.problem or "invalid YAML"
        syntax = "JSON" if path.endswith(".json") else "YAML"
        if mark is not None and not text[mark.index:].strip():
            problem += " (the file ends in the middle of an object: cut short?)"
            if line > _last_line(text) and not text.endswith("\n"):
                line, col = _last_line(text), 1  # libyaml's end of stream is a line the file does not have
        return Diagnostic(Location(path, line, col), f"{syntax} syntax error: {problem}", irsa_level(text))
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        if not looks_like_manifest(text) or reader.argo_only:
            return SkipNote(path, "not YAML")
        if isinstance(error, yaml.reader.ReaderError):
            # libyaml's reader (NUL and other control characters) reports a byte offset, no mark
            line, col = _position_of_byte(text, error.position)
            character = f" (0x{error.character:02x})" if isinstance(error.character, int) else ""
            return Diagnostic(Location(path, line, col), f"YAML syntax error: {error.reason}{character}", irsa_level(text))
        return Diagnostic(Location(path, 1, 1), f"cannot parse YAML: {type(error).__name__}", irsa_level(text))
    if reader.cut_list is not None:
        return Diagnostic(
            Location(path, _last_line(text), 1),
            "a `kubectl get` List that ends before its `kind: List` line: the dump is cut short; its last object "
            "may be incomplete, so none is read (run kubectl again)",
            irsa_level(text),
        )
    if kustomization:
        generators = tuple(gitops.read_generators(path, first[0] if first else None, reader.loc))
        return K8sFile(path, (), (), (), reader.kustomization(first), gitops=generators)
    return K8sFile(path, tuple(reader.sas), tuple(reader.workloads), tuple(reader.objects), roles=tuple(reader.roles),
                   role_uses=tuple(sorted(reader.role_uses.items())), associations=tuple(reader.associations),
                   gitops=tuple(reader.gitops))


# `key: %VAR%` or `- %VAR%`: a plain scalar cannot start with `%`, so templates filled in by sed or
# envsubst-like tools do not parse as written. Quoting the placeholder keeps every line in place.
_PERCENT_PLACEHOLDER_RE = re.compile(r"(?m)((?::|^\s*-)[ \t]+)(%[A-Za-z_][A-Za-z0-9_]*%)(?=[ \t]*(?:#.*)?$)")
# A line that is only `{% raw %}` or `{% endraw %}` (around a docs snippet) renders to nothing. Other
# Jinja statements choose between branches: those files stay unparseable (IRSA900).
_JINJA_STATEMENT_LINE_RE = re.compile(r"(?m)^[ \t]*\{%-?[ \t]*(?:raw|endraw)[ \t]*-?%\}[ \t]*$")


def _untemplated(text: str) -> str:
    """The text with `%VAR%` placeholders quoted and Jinja raw tags blanked (lines kept)."""
    return _JINJA_STATEMENT_LINE_RE.sub("", _PERCENT_PLACEHOLDER_RE.sub(r'\1"\2"', text))


def _last_line(text: str) -> int:
    """The number of the file's last line (where a cut-short file ends)."""
    return max(1, len(text.splitlines()))


def _position_of_byte(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset into the UTF-8 encoding of text."""
    before = text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before) - line_start + 1


def is_helm_values_path(path: str) -> bool:
    """values.yaml, values-prod.yaml, prod.values.yaml: Helm chart or release values."""
    name = path.rsplit("/", 1)[-1].lower()
    stem = name.rsplit(".", 1)[0]
    return name.endswith((".yaml", ".yml")) and (stem.startswith("values") or stem.endswith(".values"))


def _is_kustomization_path(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ("kustomization.yaml", "kustomization.yml", "Kustomization")


def get_path(node: yaml.Node | None, path: tuple[str, ...]) -> yaml.Node | None:
    for key in path:
        node = get(node, key)
    return node


def known_text(node: yaml.Node | None) -> Str | None:
    text = text_of(node)
    if text is None:
        return None
    return UNKNOWN if has_placeholder(text) else text


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.sas: list[ServiceAccount] = []
        self.workloads: list[Workload] = []
        self.objects: list[AnnotatedObject] = []
        self.roles: list[IamRole] = []
        self.associations: list[PodIdentityAssociation] = []
        self.role_uses: dict[str, tuple[Location, ...]] = {}
        self.lines: list[str] = []
        self.text = ""
        self.gitops: list[GitOpsRecord] = []
        self.restore: Callable[[str], str] = _same  # an ApplicationSet's {{ }} back from their tokens
        self.argo_only = False  # a templated ApplicationSet file: nothing else in it is read
        self.whole = False  # documents composed in full (else only KEYS_READ are there)
        self.cut_list: Location | None = None  # a List without its closing `kind: List`
        self._all_lines: list[str] | None = None

    def all_lines(self) -> list[str]:
        if self._all_lines is None:
            self._all_lines = self.text.splitlines()
        return self._all_lines

    def tree_access(self) -> TreeAccess[yaml.Node]:
        def key_loc(node: yaml.Node | None, key: str) -> Location | None:
            found = get_key(node, key)
            return self.loc(found) if found is not None else None

        return TreeAccess(get, key_loc, known_text, self.annotations, self.loc)

    def loc(self, node: yaml.Node) -> Location:
        start, end = node.start_mark, node.end_mark
        return Location(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def clear(self) -> None:
        self.sas.clear()
        self.workloads.clear()
        self.objects.clear()
        self.gitops.clear()

    def document(self, node: yaml.Node, depth: int, streamed: _Reader | None = None) -> None:
        """`streamed`: what the items of this document's top-level `items` gave, already read."""
        if depth > 8 or not isinstance(node, yaml.MappingNode):
            return
        kind = text_of(get(node, "kind"))
        api_node = get(node, "apiVersion")
        if kind is None and depth == 0 and get_key(node, "items") is not None and api_node is not None:
            self.cut_list = self.loc(node)  # kubectl writes `kind: List` after the items: cut short
        api_version = text_of(api_node)
        if kind is None or api_version is None:
            return
        items = get(node, "items")
        if kind.endswith("List") and isinstance(items, yaml.SequenceNode):
            for item in items.value:
                self.document(item, depth + 1)
            if streamed is not None:
                self.sas.extend(streamed.sas)
                self.workloads.extend(streamed.workloads)
                self.objects.extend(streamed.objects)
                self.gitops.extend(streamed.gitops)
            return
        if kind == "ClusterConfig" and api_version.startswith("eksctl.io/"):
            config = read_cluster_config(self.path, node, self.loc)
            self.sas.extend(config.service_accounts)
            self.roles.extend(config.roles)
            self.associations.extend(config.associations)
            return
        if self.argo_only and not api_version.startswith("argoproj.io/"):
            return
        record = gitops.read_object(
            self.path, kind, api_version, node, self.loc, self.all_lines, depth, self.restore, self.whole
        )
        if record is not None:
            self.gitops.append(record)
        metadata = get(node, "metadata")
        name_node = get(metadata, "name")
        name = known_text(name_node)
        namespace = known_text(get(metadata, "namespace"))
        name_loc = self.loc(get_key(metadata, "name") or metadata or node)
        annotations = self.annotations(get(metadata, "annotations"))
        ident = f"{kind}:{_show(namespace) or 'default'}/{_show(name)}@{self.path}:{name_loc.line}"
        if kind == "ServiceAccount":
            automount_key = get_key(node, "automountServiceAccountToken")
            self.sas.append(
                ServiceAccount(
                    id=f"k8s:{ident}",
                    name=name if name is not None else UNKNOWN,
                    namespace=namespace if namespace is not None else "default",
                    annotations=annotations,
                    automount=scalar_bool(get(node, "automountServiceAccountToken")),
                    automount_loc=self.loc(automount_key) if automount_key else None,
                    name_loc=name_loc,
                    origin="manifest",
                    labels=self.annotations(get(metadata, "labels")),
                    live=is_live(metadata),
                )
            )
            self.raw_fields(name_loc, metadata)
        elif kind in POD_TEMPLATE_PATHS:
            template = get_path(node, POD_TEMPLATE_PATHS[kind]) if POD_TEMPLATE_PATHS[kind] else node
            live = read_live(node, metadata, get(node, "spec") if kind == "Pod" else None)
            self.workloads.append(self.workload(kind, ident, name, namespace, name_loc, annotations, template, live))
            self.raw_fields(name_loc, metadata, get(template, "spec"), get(template, "metadata"))
        elif (carrier := carrier_of(api_version, kind)) is not None:
            self.sas.extend(carried_service_account(carrier, node, f"carrier:{ident}", self.tree_access()))
        elif kind == "ConfigMap" and name == CONFIGMAP_NAME:
            self.sas.extend(read_webhook_config(self.path, node, self.loc, self.lines))
        elif annotations:
            self.objects.append(
                AnnotatedObject(kind, name if name is not None else UNKNOWN,
                                namespace if namespace is not None else "default", annotations, name_loc)
            )

    def raw_fields(self, name_loc: Location, *nodes: yaml.Node | None) -> None:
        """`${VAR}`s kept as written, for Flux postBuild substitution (irsalint.sources.gitops)."""
        if "${" in self.text:
            found = gitops.raw_fields(name_loc, *nodes)
            self.gitops.extend([found] if found is not None else [])

    def workload(
        self,
        kind: str,
        ident: str,
        name: Str | None,
        namespace: Str | None,
        name_loc: Location,
        annotations: tuple[Annotation, ...],
        template: yaml.Node | None,
        live: Live | None = None,
    ) -> Workload:
        spec = get(template, "spec")
        sa_key = get_key(spec, "serviceAccountName") or get_key(spec, "serviceAccount")
        sa_name: Str = "default"
        if sa_key is not None:
            written = known_text(get(spec, str(sa_key.value)))
            sa_name = "default" if written is None or written == "" else written
        automount_key = get_key(spec, "automountServiceAccountToken")
        selector = self.annotations(get(spec, "nodeSelector"))
        return Workload(
            id=f"k8s:{ident}",
            kind=kind,
            name=name if name is not None else UNKNOWN,
            namespace=namespace if namespace is not None else "default",
            service_account=sa_name,
            service_account_loc=self.loc(sa_key) if sa_key is not None else None,
            automount=scalar_bool(get(spec, "automountServiceAccountToken")),
            automount_loc=self.loc(automount_key) if automount_key else None,
            annotations=annotations,
            template_annotations=self.annotations(get_path(template, ("metadata", "annotations"))),
            env=tuple(self.env(spec)),
            name_loc=name_loc,
            template_labels=self.annotations(get_path(template, ("metadata", "labels"))),
            containers=container_names(spec),
            node_selector_os=next((a for a in selector if a.key in OS_LABELS), None),
            windows_affinity_loc=windows_affinity(spec, self.loc),
            live=live,
        )

    def annotations(self, node: yaml.Node | None) -> tuple[Annotation, ...]:
        if not isinstance(node, yaml.MappingNode):
            return ()
        result: dict[str, Annotation] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            raw = text_of(value_node)
            value = UNKNOWN if raw is None else placeholder_value(raw)
            result[str(key_node.value)] = Annotation(str(key_node.value), value, self.loc(key_node))
        return tuple(result.values())

    def env(self, spec: yaml.Node | None) -> Iterator[EnvVar]:
        for list_key in ("initContainers", "containers"):
            containers = get(spec, list_key)
            if not isinstance(containers, yaml.SequenceNode):
                continue
            for container in containers.value:
                container_name = text_of(get(container, "name")) or "?"
                env = get(container, "env")
                if not isinstance(env, yaml.SequenceNode):
                    continue
                for variable in env.value:
                    name_key = get_key(variable, "name")
                    variable_name = text_of(get(variable, "name"))
                    if variable_name is not None and name_key is not None:
                        value = text_of(get(variable, "value"))
                        yield EnvVar(container_name, variable_name, self.loc(name_key), value)

    def json6902(self, text: str, target: str) -> K8sFile | None:
        """JSON 6902 operations (a YAML list) -> a ServiceAccount patch of `target`."""
        try:
            documents = compose_all(text)
        except (yaml.YAMLError, RecursionError, ValueError):
            return None
        ops = documents[0] if documents else None
        if not isinstance(ops, yaml.SequenceNode):
            return None
        reader = _Reader(self.path)
        annotations = _json6902_annotations(reader, ops)
        where = reader.loc(ops)
        patch = ServiceAccount(
            id=f"json6902:{target}@{self.path}:{where.line}",
            name=target,
            namespace="default",
            annotations=tuple(annotations),
            automount=None,
            automount_loc=None,
            name_loc=where,
            origin="manifest",
        )
        return K8sFile(self.path, (patch,), (), ())

    def helm_values(self, node: yaml.Node, path: tuple[str, ...], depth: int) -> None:
        """`serviceAccount:` blocks anywhere in a values file (`serviceAccount`, `controller.
        serviceAccount`, `rbac.serviceAccount`, `serviceAccount.server`...) that carry IRSA
        annotations. The release namespace is not in the file: it stays unknown."""
        if depth > 6 or not isinstance(node, yaml.MappingNode):
            return
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
            if key.lower() == "serviceaccount" and isinstance(value, yaml.MappingNode):
                self.helm_service_account(value, (*path, key))
            self.helm_values(value, (*path, key), depth + 1)

    def helm_service_account(self, node: yaml.MappingNode, path: tuple[str, ...]) -> None:
        annotations = self.annotations(get(node, "annotations"))
        if not any(a.key.startswith("eks.amazonaws.com/") for a in annotations):
            return
        if scalar_bool(get(node, "create")) is False:
            return  # the chart uses an existing ServiceAccount: these annotations are not applied
        name = known_text(get(node, "name"))
        where = self.loc(get_key(node, "annotations") or node)
        dotted = ".".join(path)
        self.sas.append(
            ServiceAccount(
                id=f"helm:{dotted}@{self.path}:{where.line}",
                name=name if isinstance(name, str) and name else UNKNOWN,
                namespace=UNKNOWN,
                annotations=annotations,
                automount=None,
                automount_loc=None,
                name_loc=self.loc(get_key(node, "name") or node),
                origin="helm-values",
            )
        )

    def kustomization(self, documents: list[yaml.Node | None]) -> Kustomization | None:
        node = documents[0] if documents else None
        if not isinstance(node, yaml.MappingNode):
            return None
        namespace_node = get(node, "namespace")
        namespace_key = get_key(node, "namespace")
        resources: list[str] = []
        for key in ("resources", "bases"):
            listed = get(node, key)
            if isinstance(listed, yaml.SequenceNode):
                resources.extend(t for t in (text_of(n) for n in listed.value) if t)
        return Kustomization(
            path=self.path,
            namespace=text_of(namespace_node),
            namespace_loc=self.loc(namespace_key) if namespace_key is not None else None,
            resources=tuple(resources),
            patches=tuple(self.patches(node)),
        )

    def patches(self, node: yaml.Node) -> Iterator[Patch]:
        """`patches:` ({path | patch, target}) and `patchesStrategicMerge:` (paths or inline text)."""
        for key in ("patches", "patchesStrategicMerge"):
            listed = get(node, key)
            if not isinstance(listed, yaml.SequenceNode):
                continue
            for entry in listed.value:
                if isinstance(entry, yaml.ScalarNode):
                    text = str(entry.value)
                    if "\n" in text or ":" in text:  # inline patch text
                        yield Patch(None, self.inline_patch(entry), None, self.loc(entry))
                    else:
                        yield Patch(text, (), None, self.loc(entry))
                    continue
                target_node = get(entry, "target")
                target = text_of(get(target_node, "name"))
                file_path = text_of(get(entry, "path"))
                inline = get(entry, "patch")
                if file_path:
                    yield Patch(file_path, (), target, self.loc(entry))
                elif isinstance(inline, yaml.ScalarNode):
                    target_kind = text_of(get(target_node, "kind"))
                    yield Patch(None, self.inline_patch(inline, target, target_kind), target, self.loc(entry))

    def inline_patch(
        self, node: yaml.ScalarNode, target: str | None = None, target_kind: str | None = None
    ) -> tuple[ServiceAccount, ...]:
        """Parse inline patch text (strategic merge, or JSON 6902 operations on a ServiceAccount
        target); its lines are shifted to where the text sits in the file."""
        parsed: K8sFile | Diagnostic | SkipNote | None = None
        if target and target_kind == "ServiceAccount":
            parsed = self.json6902(str(node.value), target)
        if parsed is None:
            parsed = load_manifest(self.path, str(node.value), kustomization=False)
        if not isinstance(parsed, K8sFile):
            return ()
        block = node.style in ("|", ">")
        first_line = node.start_mark.line + (2 if block else 1)
        indent = 0
        if block and first_line <= len(self.lines):
            line = self.lines[first_line - 1]
            indent = len(line) - len(line.lstrip(" "))
        return tuple(shift_locations(sa, first_line - 1, indent) for sa in parsed.service_accounts)


_JSON_POINTER_ANNOTATION = "/metadata/annotations/"


def _json_pointer_key(pointer: str) -> str:
    return pointer.replace("~1", "/").replace("~0", "~")


def _json6902_annotations(reader: _Reader, ops: yaml.SequenceNode) -> list[Annotation]:
    """add/replace operations on /metadata/annotations/<key> or /metadata/annotations (a map)."""
    found: list[Annotation] = []
    for op in ops.value:
        if text_of(get(op, "op")) not in ("add", "replace"):
            continue
        pointer = text_of(get(op, "path")) or ""
        value = get(op, "value")
        value_key = get_key(op, "value")
        if pointer.startswith(_JSON_POINTER_ANNOTATION) and value_key is not None:
            raw = text_of(value)
            found.append(Annotation(
                _json_pointer_key(pointer[len(_JSON_POINTER_ANNOTATION):]),
                UNKNOWN if raw is None else placeholder_value(raw),
                reader.loc(value_key),
            ))
        elif pointer.rstrip("/") == _JSON_POINTER_ANNOTATION.rstrip("/"):
            found.extend(reader.annotations(value))
    return found


def shift_locations(sa: ServiceAccount, lines: int, columns: int = 0) -> ServiceAccount:
    def move(loc: Location) -> Location:
        return replace(
            loc,
            line=loc.line + lines,
            col=loc.col + columns,
            end_line=loc.end_line + lines if loc.end_line else 0,
            end_col=loc.end_col + columns if loc.end_col else 0,
        )

    return replace(
        sa,
        annotations=tuple(replace(a, loc=move(a.loc)) for a in sa.annotations),
        name_loc=move(sa.name_loc),
        automount_loc=move(sa.automount_loc) if sa.automount_loc else None,
    )


def _same(text: str) -> str:
    return text


def _show(value: Str | None) -> str:
    return value if isinstance(value, str) else "?"
