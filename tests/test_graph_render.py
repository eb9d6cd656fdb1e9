"""`irsalint graph`: the seed's chain in every format; Mermaid checked by a small parser."""

from __future__ import annotations

import json
import re

from irsalint.engine import LintOptions, lint
from irsalint.graph import IrsaGraph
from irsalint.graph_render import RENDERERS, build_view
from irsalint.rules import load_rules
from tests.helpers import FIXTURES

_MERMAID_NODE = re.compile(r'^  (n\d+)(\[\[|\[|\(\[|\{\{|\[/)"([^"]*)"(\]\]|\]|\]\)|\}\}|/\])$')
_MERMAID_EDGE = re.compile(r"^  (n\d+) -->\|([^|]+)\| (n\d+)$")
_MERMAID_CLASS = re.compile(r"^  (classDef finding .+|class (n\d+,?)+ finding)$")
_PAIRS = {"[": "]", "([": "])", "{{": "}}", "[/": "/]", "[[": "]]"}


def _view(path, focus=None):
    result = lint([str(path)], load_rules(), LintOptions(jobs=1))
    return build_view(IrsaGraph(result.project), result.findings, focus)


def parse_mermaid(text: str) -> tuple[set[str], list[tuple[str, str, str]]]:
    """A strict parser for the flowchart subset we emit: every line must be a node, edge or class."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: set[str] = set()
    edges = []
    for line in lines[1:]:
        if node := _MERMAID_NODE.match(line):
            assert _PAIRS[node.group(2)] == node.group(4), line
            nodes.add(node.group(1))
        elif edge := _MERMAID_EDGE.match(line):
            edges.append((edge.group(1), edge.group(2), edge.group(3)))
        else:
            assert _MERMAID_CLASS.match(line), f"not valid flowchart syntax: {line!r}"
    assert all(a in nodes and b in nodes for a, _, b in edges)
    return nodes, edges


def test_seed_chain_in_every_format():
    view = _view(FIXTURES / "seed")
    dot = RENDERERS["dot"](view)
    for name in ("payments-api", "team-payments", "payments-api-production"):
        assert name in dot
    assert dot.startswith("digraph irsa {") and dot.rstrip().endswith("}")
    nodes, edges = parse_mermaid(RENDERERS["mermaid"](view))
    assert len(nodes) == 4 and {label for _, label, _ in edges} == {"runs as", "role-arn", "attaches"}
    text = RENDERERS["text"](view)
    assert text.splitlines()[0].startswith("ServiceAccount team-payments/payments-api")
    assert "trusts system:serviceaccount:team-payments:payments-api" in text
    document = json.loads(RENDERERS["json"](view))
    assert {n["kind"] for n in document["nodes"]} == {"workload", "serviceaccount", "role", "policy"}


def test_findings_are_marked_on_their_nodes():
    view = _view(FIXTURES / "rules" / "IRSA001" / "bad" / "namespace-typo")
    [sa] = [n for n in view.nodes.values() if n.kind == "serviceaccount"]
    assert sa.findings == ("IRSA001",)
    assert "class " in RENDERERS["mermaid"](view) and "color=red" in RENDERERS["dot"](view)


def test_focus_cuts_the_graph_down():
    everything = _view(FIXTURES / "rules" / "IRSA001" / "good")
    focused = _view(FIXTURES / "rules" / "IRSA001" / "good", focus="team-a")
    accounts = [n for n in focused.nodes.values() if n.kind == "serviceaccount"]
    assert accounts and all(" team-a/" in n.label for n in accounts)
    assert len(focused.nodes) < len(everything.nodes)


def test_findings_mark_the_node_they_point_at_not_every_node_of_that_label(tmp_path):
    # dev and prod each hold team-a/api; only prod's token-expiration is too short (IRSA005)
    for env, expiration in (("dev", "3600"), ("prod", "300")):
        (tmp_path / env).mkdir()
        (tmp_path / env / "sa.yaml").write_text(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-a\n  annotations:\n"
            f"    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api-{env}\n"
            f"    eks.amazonaws.com/token-expiration: \"{expiration}\"\nautomountServiceAccountToken: true\n"
        )
    view = _view(tmp_path)
    marked = {node.loc.path.split("/")[-2]: node.findings for node in view.nodes.values() if node.kind == "serviceaccount"}
    assert marked == {"dev": (), "prod": ("IRSA005",)}


def test_graph_takes_no_cache(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-a\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api\n"
    )
    proc = subprocess.run([str(Path(sys.executable).parent / "irsalint"), "graph", ".", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "ServiceAccount team-a/api" in proc.stdout
    assert not (tmp_path / ".irsalint_cache").exists()


def test_the_networkx_graph_holds_the_links_the_checks_read():
    """`IrsaGraph.graph` (built on first use) and the checks' lookups are one set of links."""
    from irsalint.graph import Edge
    from irsalint.model import ServiceAccount

    result = lint([str(FIXTURES / "seed")], load_rules(), LintOptions(jobs=1))
    graph = IrsaGraph(result.project)
    digraph = graph.graph
    assert digraph is graph.graph and digraph.number_of_edges() == len(graph.edges) > 0
    kinds = {kind for _, _, kind in digraph.edges(data="kind")}
    assert {Edge.RUNS_AS, Edge.ANNOTATES} <= kinds
    for sa in graph.service_accounts:
        from_digraph = sorted(w for w, _, kind in digraph.in_edges(sa.id, data="kind") if kind is Edge.RUNS_AS)
        assert [w.id for w in graph.workloads_of(sa)] == from_digraph
    for role_id in graph.roles:
        annotating = sorted(s for s in digraph.predecessors(role_id)
                            if isinstance(digraph.nodes[s]["data"], ServiceAccount))
        assert [sa.id for sa in graph.service_accounts_of_role(role_id)] == annotating
    assert any(graph.service_accounts_of_role(role_id) for role_id in graph.roles)
    assert any(graph.workloads_of(sa) for sa in graph.service_accounts)


# networkx costs ~75 ms to import, only `IrsaGraph.graph` needs it; the others cost a few ms each
# and only a rare input needs them (docs/design.md, "The graph" and "Start-up and exit").
NOT_IMPORTED_BY_A_LINT_RUN = ("networkx", "importlib.resources", "fractions", "csv", "dataclasses", "pathspec", "hashlib")


def test_a_lint_run_does_not_import_networkx_or_rarely_needed_modules():
    import subprocess
    import sys

    probe = ("import sys\nfrom irsalint.engine import LintOptions, lint\nfrom irsalint.rules import load_rules\n"
             f"result = lint([{str(FIXTURES / 'rules' / 'IRSA001' / 'bad')!r}], load_rules(), LintOptions(jobs=1, cache=False))\n"
             f"assert result.findings\nprint(sorted(m for m in {NOT_IMPORTED_BY_A_LINT_RUN!r} if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
