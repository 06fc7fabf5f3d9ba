"""Links as a graph for link-analysis tools: GraphML and networkx's node-link JSON.

Nodes are items (id ``case|ref``; attributes ``type`` item, case, exhibit, ref, item_id) and, for the
same evidence, exhibits (id ``exhibit:case|name``, ``type`` exhibit, item_id -1). A pair (a near
picture, a nearby place) is an edge between its two items. A group (a shared file or camera, the same
evidence) is a node of its own, the shared thing as an entity (id ``file:ALGORITHM:HASH``,
``camera:MAKE|MODEL|SERIAL``, ``exhibit:ALGORITHM:FINGERPRINT``; ``type`` the kind), with an edge to
each of its holders: every holder of a file is one step from it, however many there are. Nodes and
edges carry the kind and the evidence both as plain attributes (``evidence_<name>``, GraphML has no
nested values) and as one JSON text. The graph's own attributes count the shared files set aside
(``set_aside_<reason>``). A multigraph, in the links' sorted order: the same links give the same file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence

import networkx as nx

from footprint.intel.links import GROUPS, Link, Node
from footprint.intel.seen import REASONS


def to_graph(links: Sequence[Link], set_aside: Mapping[str, int] | None = None) -> nx.MultiGraph:
    graph = nx.MultiGraph(name="footprint links")
    for reason in REASONS:  # every reason, 0 where none: a reader finds each attribute it was told of
        graph.graph[f"set_aside_{reason.replace(' ', '_').replace('-', '_')}"] = (set_aside or {}).get(reason, 0)
    for node in sorted({n for link in links for n in link.nodes}):
        graph.add_node(node.key, **_node_attributes(node))
    number = 0
    for link in links:
        said = _said(link)
        if link.kind in GROUPS:
            hub = group_key(link)
            graph.add_node(hub, type=link.kind, **said)
            ends = [(hub, node.key) for node in link.nodes]
        else:
            ends = [(link.nodes[0].key, link.nodes[1].key)]
        for a, b in ends:
            graph.add_edge(a, b, key=number, **said)
            number += 1
    return graph


def group_key(link: Link) -> str:
    """The node id of a group's shared thing."""
    e = link.evidence
    if link.kind == "camera":
        return f"camera:{e['make']}|{e['model']}|{e['serial']}"
    return f"{link.kind}:{e['algorithm']}:{e['hash' if link.kind == 'file' else 'fingerprint']}"


def _said(link: Link) -> dict[str, object]:
    evidence = {f"evidence_{k}": v for k, v in sorted(link.evidence.items())}
    return {"kind": link.kind, "evidence": json.dumps(link.evidence, sort_keys=True), **evidence}


def _node_attributes(node: Node) -> dict[str, object]:
    return {"type": "item" if node.item_id is not None else "exhibit", "case": node.case,
            "exhibit": node.exhibit, "ref": node.ref, "item_id": -1 if node.item_id is None else node.item_id}


def graphml(links: Sequence[Link], set_aside: Mapping[str, int] | None = None) -> str:
    out = io.BytesIO()
    nx.write_graphml(to_graph(links, set_aside), out, encoding="utf-8")
    return out.getvalue().decode("utf-8")


def node_link_json(links: Sequence[Link], set_aside: Mapping[str, int] | None = None) -> str:
    data = nx.node_link_data(to_graph(links, set_aside), edges="links")
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
