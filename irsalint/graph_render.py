"""`irsalint graph`: the IRSA chain as a text tree, Graphviz DOT, Mermaid or JSON.

Workload -> ServiceAccount -> role -> trust subjects -> attached policies, with findings marked on
the nodes they concern: the picture a reviewer wants in a pull request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from irsalint.engine import Finding
from irsalint.graph import IrsaGraph
from irsalint.iam import admitted_subjects
from irsalint.model import IamRole, Location, PodIdentityAssociation, ServiceAccount, Workload
from irsalint.record import record

FORMATS = ("text", "dot", "mermaid", "json")


@record
class Node:
    id: str
    kind: str  # workload | serviceaccount | association | role | policy
    label: str
    loc: Location
    findings: tuple[str, ...] = ()  # rule ids
    detail: tuple[str, ...] = ()


@dataclass(slots=True)
class View:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # source, target, label


def _show(value: object) -> str:
    return value if isinstance(value, str) else "?"


def _rules_for(findings: Sequence[Finding], entity: str, locs: Sequence[Location]) -> tuple[str, ...]:
    """The rules whose findings are about this node: by where they point, never by label alone
    (dev's and prod's `payments/api` share a label, not a finding)."""
    wanted = set(locs)
    return tuple(sorted({
        f.rule_id for f in findings
        if f.loc in wanted or (f.entity == entity and any(loc in wanted for _, loc in f.related))
    }))


def _focused(sa: ServiceAccount, focus: str | None) -> bool:
    if not focus:
        return True
    namespace, _, name = focus.partition("/")
    return sa.namespace == namespace and (not name or sa.name == name)


def build_view(graph: IrsaGraph, findings: Sequence[Finding], focus: str | None = None) -> View:
    view = View()
    for sa in sorted(graph.irsa_service_accounts(), key=lambda s: s.id):
        if not _focused(sa, focus):
            continue
        entity = f"ServiceAccount {_show(sa.namespace)}/{_show(sa.name)}"
        annotation_locs = [a.loc for a in sa.annotations]
        own_locs = [sa.name_loc, *annotation_locs, *([sa.automount_loc] if sa.automount_loc else [])]
        view.nodes[sa.id] = Node(sa.id, "serviceaccount", entity, sa.name_loc, _rules_for(findings, entity, own_locs))
        for workload in graph.workloads_of(sa):
            _add_workload(view, workload, sa, findings)
        for role_id in graph.sa_matches[sa.id].role_ids:
            _add_role(view, graph, graph.roles[role_id], findings)
            view.edges.append((sa.id, role_id, "role-arn"))
    for association in sorted(graph.project.terraform.associations, key=lambda a: a.id):
        if _focused_association(association, focus):
            _add_association(view, graph, association, findings)
    return view


def _focused_association(association: PodIdentityAssociation, focus: str | None) -> bool:
    if not focus:
        return True
    namespace, _, name = focus.partition("/")
    return association.namespace == namespace and (not name or association.service_account == name)


def _add_association(view: View, graph: IrsaGraph, association: PodIdentityAssociation,
                     findings: Sequence[Finding]) -> None:
    """A Pod Identity association: (namespace, ServiceAccount) of a cluster -> its role."""
    cluster = f" (cluster {association.cluster_name})" if isinstance(association.cluster_name, str) else ""
    label = f"Pod Identity {_show(association.namespace)}/{_show(association.service_account)}{cluster}"
    locs = [association.loc, association.namespace_loc]
    view.nodes[association.id] = Node(association.id, "association", label, association.loc,
                                      _rules_for(findings, "", locs))
    for role in graph.roles_for_arn(association.role, association):
        _add_role(view, graph, role, findings)
        view.edges.append((association.id, role.id, "pod-identity"))


def _add_workload(view: View, workload: Workload, sa: ServiceAccount, findings: Sequence[Finding]) -> None:
    entity = f"{workload.kind} {_show(workload.namespace)}/{_show(workload.name)}"
    locs = [workload.name_loc] + [e.loc for e in workload.env] + ([workload.automount_loc] if workload.automount_loc else [])
    view.nodes[workload.id] = Node(workload.id, "workload", entity, workload.name_loc, _rules_for(findings, entity, locs))
    view.edges.append((workload.id, sa.id, "runs as"))


def _add_role(view: View, graph: IrsaGraph, role: IamRole, findings: Sequence[Finding]) -> None:
    if role.id in view.nodes:
        return
    subjects = admitted_subjects(role.trust) if role.trust is not None else ()
    label = f"Role {_show(role.name)}{'*' if role.name_is_prefix else ''} ({role.address})"
    trust_locs = [role.loc, role.trust_loc]
    if role.trust is not None:
        trust_locs += [c.loc for s in role.trust.statements for c in s.conditions] + [s.loc for s in role.trust.statements]
    view.nodes[role.id] = Node(role.id, "role", label, role.loc,
                               _rules_for(findings, f"Role {role.address}", trust_locs),
                               tuple(f"trusts {s}" for s in subjects))
    for index, attached in enumerate(graph.documents_of(role.id)):
        policy_id = f"{role.id}#policy{index}"
        actions: list[str] = []
        statement_locs: list[Location] = []
        for statement in attached.document.statements:
            statement_locs.append(statement.loc)
            if statement.actions is not None:
                actions += [a for a in statement.actions.texts() if isinstance(a, str)]
                statement_locs += [v.loc for v in statement.actions.values]
            if statement.resources is not None:
                statement_locs += [v.loc for v in statement.resources.values]
        summary = ", ".join(dict.fromkeys(actions)) or "(no readable actions)"
        owner = next((p.address for p in graph.policies.values() if p.document is attached.document), None)
        name = f"Policy {owner}" if owner else "Inline policy"
        view.nodes[policy_id] = Node(policy_id, "policy", name,
                                     attached.document.loc, _rules_for(findings, "", statement_locs), (summary,))
        view.edges.append((role.id, policy_id, "attaches"))
    for arn in graph.role_managed_arns.get(role.id, []):
        policy_id = f"{role.id}#managed{arn.loc.line}"
        view.nodes[policy_id] = Node(policy_id, "policy", f"Managed {_show(arn.value)}", arn.loc,
                                     _rules_for(findings, "", [arn.loc]))
        view.edges.append((role.id, policy_id, "attaches"))


def _mark(node: Node) -> str:
    return f" [{', '.join(node.findings)}]" if node.findings else ""


def render_text(view: View) -> str:
    children: dict[str, list[tuple[str, str]]] = {}
    parents: set[str] = set()
    for source, target, label in view.edges:
        if label == "runs as":  # shown under the ServiceAccount, workload first in the chain
            children.setdefault(target, []).append((source, label))
            parents.add(source)
        else:
            children.setdefault(source, []).append((target, label))
            parents.add(target)
    lines: list[str] = []

    def walk(node_id: str, prefix: str, label: str, last: bool, top: bool) -> None:
        node = view.nodes[node_id]
        connector = "" if top else ("└── " if last else "├── ")
        relation = f"{label}: " if label and not top else ""
        lines.append(f"{prefix}{connector}{relation}{node.label} ({node.loc}){_mark(node)}")
        extension = "" if top else ("    " if last else "│   ")
        kids: list[tuple[str | None, str]] = [(None, d) for d in node.detail]
        kids += [(c, lab) for c, lab in sorted(children.get(node_id, []))]
        for index, (child, text) in enumerate(kids):
            is_last = index == len(kids) - 1
            if child is None:
                lines.append(f"{prefix}{extension}{'└── ' if is_last else '├── '}{text}")
            else:
                walk(child, prefix + extension, text, is_last, False)

    roots = sorted(n for n in view.nodes if n not in parents and view.nodes[n].kind in ("serviceaccount", "association"))
    for root in roots:
        walk(root, "", "", True, True)
    return "\n".join(lines) + ("\n" if lines else "No IRSA ServiceAccounts or Pod Identity associations found.\n")


def _ids(view: View) -> dict[str, str]:
    return {node_id: f"n{index}" for index, node_id in enumerate(sorted(view.nodes))}


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def render_dot(view: View) -> str:
    ids = _ids(view)
    shapes = {"workload": "box", "serviceaccount": "ellipse", "association": "parallelogram", "role": "hexagon",
              "policy": "note"}
    lines = ["digraph irsa {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node_id in sorted(view.nodes):
        node = view.nodes[node_id]
        text = "\\n".join(_escape_label(part) for part in [node.label + _mark(node), *node.detail[:3]])
        color = ', color=red, fontcolor=red' if node.findings else ""
        lines.append(f'  {ids[node_id]} [label="{text}", shape={shapes[node.kind]}{color}];')
    for source, target, label in sorted(view.edges):
        lines.append(f'  {ids[source]} -> {ids[target]} [label="{label}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(view: View) -> str:
    ids = _ids(view)
    lines = ["flowchart LR"]
    for node_id in sorted(view.nodes):
        node = view.nodes[node_id]
        text = "<br/>".join(_mermaid_text(part) for part in [node.label + _mark(node), *node.detail[:3]])
        opening, closing = {"workload": ("[", "]"), "serviceaccount": ("([", "])"), "association": ("[[", "]]"),
                            "role": ("{{", "}}"), "policy": ("[/", "/]")}[node.kind]
        lines.append(f'  {ids[node_id]}{opening}"{text}"{closing}')
    for source, target, label in sorted(view.edges):
        lines.append(f"  {ids[source]} -->|{label}| {ids[target]}")
    flagged = [ids[n] for n in sorted(view.nodes) if view.nodes[n].findings]
    if flagged:
        lines.append("  classDef finding stroke:#d00,stroke-width:2px,color:#d00")
        lines.append(f"  class {','.join(flagged)} finding")
    return "\n".join(lines) + "\n"


def render_json(view: View) -> str:
    document = {
        "nodes": [
            {"id": n.id, "kind": n.kind, "label": n.label, "path": n.loc.path, "line": n.loc.line,
             "findings": list(n.findings), "detail": list(n.detail)}
            for n in (view.nodes[k] for k in sorted(view.nodes))
        ],
        "edges": [{"source": s, "target": t, "label": lab} for s, t, lab in view.edges],
    }
    return json.dumps(document, indent=2) + "\n"


RENDERERS = {"text": render_text, "dot": render_dot, "mermaid": render_mermaid, "json": render_json}
