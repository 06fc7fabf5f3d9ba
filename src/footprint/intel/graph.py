"""Links as a graph for link-analysis tools: GraphML and networkx's node-link JSON.

Nodes are items (id ``case|ref``, attributes case, exhibit, ref, item_id); edges are links (a
multigraph: two items may share a file and a place), with the kind and the evidence both as plain
attributes (``evidence_<name>``, GraphML has no nested values) and as one JSON text. Nodes and edges
are added in the links' sorted order, so the same links give the same file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import networkx as nx

from footprint.intel.links import Link, Node


def to_graph(links: Sequence[Link]) -> nx.MultiGraph:
    graph = nx.MultiGraph(name="footprint links")
    for node in sorted({n for link in links for n in (link.a, link.b)}):
        graph.add_node(node.key, **_node_attributes(node))
    for number, link in enumerate(links):
        evidence = {f"evidence_{k}": v for k, v in sorted(link.evidence.items())}
        graph.add_edge(link.a.key, link.b.key, key=number, kind=link.kind,
                       evidence=json.dumps(link.evidence, sort_keys=True), **evidence)
    return graph


def _node_attributes(node: Node) -> dict[str, object]:
    return {"case": node.case, "exhibit": node.exhibit, "ref": node.ref, "item_id": node.item_id}


def graphml(links: Sequence[Link]) -> str:
    out = io.BytesIO()
    nx.write_graphml(to_graph(links), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def node_link_json(links: Sequence[Link]) -> str:
    data = nx.node_link_data(to_graph(links), edges="links")
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
