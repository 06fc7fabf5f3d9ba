"""A case's items as a CASE 1.x / UCO 1.x JSON-LD graph, the forensic community's linked-data form.

The graph holds the investigation, the tool (footprint, its version and settings) and the scan that
used it, each exhibit as an observable object with its own hashes, and each item as a
``uco-observable:File`` with a FileFacet (name, full ref as path, size, times) and a ContentDataFacet
(MD5, SHA-1, SHA-256), tied to the container it was found in by a ``Contained_Within`` relationship.
What footprint concluded about an item (its matches, state and warnings) is a ``uco-core:Annotation``
on it. Every ``@id`` is a UUIDv5 of the case, the kind of node and the item's ref: exporting the same
case twice gives the same identifiers. Nodes are written one at a time, as the items are read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TextIO

from footprint import __version__
from footprint.model import ItemRef, ItemState, Match, escape_part
from footprint.store.base import CaseRecord, ExhibitRecord, ItemRecord, Store

CONTEXT = {
    "kb": "urn:footprint:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-configuration": "https://ontology.unifiedcyberontology.org/uco/configuration/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
HASH_METHODS = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:footprint")
_TIMES = (("created", "uco-observable:observableCreatedTime"), ("modified", "uco-observable:modifiedTime"),
          ("accessed", "uco-observable:accessedTime"), ("changed", "uco-observable:metadataChangeTime"))


def node_id(case: CaseRecord, kind: str, key: str = "") -> str:
    """``kb:<kind>-<uuid5 of case, kind and key>``: the same case always gives the same ids."""
    name = "\0".join((case.name, kind, key))
    return f"kb:{kind}-{uuid.uuid5(_NAMESPACE, name)}"


def write_case_uco(store: Store, case: CaseRecord, out: TextIO, *, generated: datetime,
                   settings: Mapping[str, object] | None = None) -> int:
    """Write the JSON-LD document; returns the number of items (File nodes) written."""
    exhibits = sorted(store.list_exhibits(case.id), key=lambda e: (e.name, e.id))
    out.write('{\n"@context": ' + json.dumps(CONTEXT, sort_keys=True) + ',\n"@graph": [\n')
    first = True
    for node in _head(case, exhibits, generated, settings or {}):
        out.write(("" if first else ",\n") + json.dumps(node, ensure_ascii=False))
        first = False
    count = 0
    seen: set[str] = set()
    roots = {e.name: node_id(case, "exhibit", e.name) for e in exhibits}
    for record in store.iter_items(case.id):
        for node in _item_nodes(case, record, seen, roots):
            out.write(",\n" + json.dumps(node, ensure_ascii=False))
        seen.add(record.ref)
        count += 1
    out.write("\n]\n}\n")
    return count


def _head(case: CaseRecord, exhibits: list[ExhibitRecord], generated: datetime,
          settings: Mapping[str, object]) -> Iterator[dict[str, object]]:
    tool, configured = node_id(case, "tool", __version__), node_id(case, "configured-tool", __version__)
    action, record = node_id(case, "action", "scan"), node_id(case, "provenance-record", "scan")
    exhibit_refs = [{"@id": node_id(case, "exhibit", e.name)} for e in exhibits]
    yield {"@id": node_id(case, "investigation"), "@type": "case-investigation:Investigation",
           "uco-core:name": case.name, "uco-core:description": case.description or f"footprint case {case.name}",
           "case-investigation:investigationForm": "case", "uco-core:startTime": _time(case.created),
           "uco-core:object": [*exhibit_refs, {"@id": action}, {"@id": record}]}
    yield {"@id": tool, "@type": "uco-tool:Tool", "uco-core:name": "footprint", "uco-tool:version": __version__,
           "uco-tool:toolType": "hash matching of known images"}
    yield {"@id": configured, "@type": "uco-tool:ConfiguredTool", "uco-core:name": "footprint",
           "uco-tool:version": __version__, "uco-configuration:isConfigurationOf": {"@id": tool},
           "uco-configuration:usesConfiguration": {
               "@id": node_id(case, "configuration", __version__), "@type": "uco-configuration:Configuration",
               "uco-configuration:configurationEntry": [
                   {"@id": node_id(case, "configuration-entry", name), "@type": "uco-configuration:ConfigurationEntry",
                    "uco-configuration:itemName": name, "uco-configuration:itemValue": json.dumps(value, default=str)}
                   for name, value in sorted(settings.items())]}}
    started = [e.started for e in exhibits if e.started]
    finished = [e.finished for e in exhibits if e.finished]
    yield {"@id": action, "@type": "uco-action:Action", "uco-core:name": "footprint scan",
           "uco-action:instrument": {"@id": configured}, "uco-action:object": exhibit_refs,
           "uco-action:result": [{"@id": record}],
           **({"uco-action:startTime": _time(min(started))} if started else {}),
           **({"uco-action:endTime": _time(max(finished))} if finished else {})}
    yield {"@id": record, "@type": "case-investigation:ProvenanceRecord",
           "uco-core:description": f"items and matches exported by footprint {__version__} at {generated.isoformat()}",
           "uco-core:object": exhibit_refs}
    for exhibit in exhibits:
        yield from _exhibit_nodes(case, exhibit)


def _exhibit_nodes(case: CaseRecord, exhibit: ExhibitRecord) -> Iterator[dict[str, object]]:
    me = node_id(case, "exhibit", exhibit.name)
    facets: list[dict[str, object]] = [{
        "@id": node_id(case, "exhibit-file-facet", exhibit.name), "@type": "uco-observable:FileFacet",
        "uco-observable:fileName": exhibit.name, "uco-observable:filePath": exhibit.path,
        **({"uco-observable:sizeInBytes": exhibit.size} if exhibit.size is not None else {})}]
    hashes = _hashes(case, f"exhibit\0{exhibit.name}", exhibit.hashes_before)
    if hashes:
        facets.append({"@id": node_id(case, "exhibit-content-facet", exhibit.name),
                       "@type": "uco-observable:ContentDataFacet", "uco-observable:hash": hashes})
    yield {"@id": me, "@type": "uco-observable:ObservableObject", "uco-core:name": exhibit.name,
           "uco-core:hasFacet": facets}
    agree = exhibit.status == "complete"
    statements = [f"integrity {exhibit.status}: hashes before and after the scan "
                  f"{'agree' if agree else 'DIFFER or the scan did not finish'}"]
    statements += [f"{name} before {exhibit.hashes_before.get(name)} after {exhibit.hashes_after.get(name)}"
                    for name in sorted(set(exhibit.hashes_before) | set(exhibit.hashes_after))]
    check = exhibit.details.get("ewf_verification")
    if isinstance(check, Mapping):
        statements.append(f"E01 acquisition hash {'verified' if check.get('verified') else 'NOT verified'}")
    yield {"@id": node_id(case, "exhibit-annotation", exhibit.name), "@type": "uco-core:Annotation",
           "uco-core:object": [{"@id": me}], "uco-core:statement": statements,
           "uco-core:tag": [f"footprint:integrity:{exhibit.status}"]}


def _item_nodes(case: CaseRecord, record: ItemRecord, seen: set[str],
                roots: Mapping[str, str]) -> Iterator[dict[str, object]]:
    ref = ItemRef.parse(record.ref)
    me = node_id(case, "file", record.ref)
    file_facet: dict[str, object] = {"@id": node_id(case, "file-facet", record.ref),
                                     "@type": "uco-observable:FileFacet",
                                     "uco-observable:fileName": escape_part(ref.name),  # a name's non-UTF-8 bytes
                                     "uco-observable:filePath": record.ref}
    if record.size is not None:
        file_facet["uco-observable:sizeInBytes"] = record.size
    for fact, prop in _TIMES:
        moment = getattr(record.facts, fact)
        if moment:
            file_facet[prop] = _time(moment)
    facets = [file_facet]
    hashes = _hashes(case, record.ref, record.digests.crypto if record.digests else {})
    if hashes or (record.digests and record.digests.media_type):
        content: dict[str, object] = {"@id": node_id(case, "content-facet", record.ref),
                                      "@type": "uco-observable:ContentDataFacet", "uco-observable:hash": hashes}
        if record.digests and record.digests.media_type:
            content["uco-observable:mimeType"] = record.digests.media_type
        facets.append(content)
    yield {"@id": me, "@type": "uco-observable:File", "uco-core:hasFacet": facets}
    yield _containment(case, record, me, _container(case, ref, seen, roots, record.exhibit))
    annotation = _annotation(case, record, me)
    if annotation:
        yield annotation


def _container(case: CaseRecord, ref: ItemRef, seen: set[str], roots: Mapping[str, str],
               exhibit: str | None) -> tuple[str, bool]:
    """The nearest enclosing item already written, else the exhibit: containment is transitive, so
    pointing past a container the store never listed as an item is still true. And whether an offset
    counted from the item's own parent is one from that container too: not when a partition (``p2``),
    which starts somewhere inside the disk, was passed over (a bare image's ``fs`` starts at its 0)."""
    parent, aligned = ref.parent_container, True
    while parent is not None:
        if str(parent) in seen:
            return node_id(case, "file", str(parent)), aligned
        aligned = aligned and parent.parts[-1] == "fs"
        parent = parent.parent_container
    return (roots.get(exhibit) if exhibit is not None else None) or next(iter(roots.values())), False


def _containment(case: CaseRecord, record: ItemRecord, me: str, found: tuple[str, bool]) -> dict[str, object]:
    """``found``: the container and whether the item's offset counts from it (_container); a carved
    item's byte range is given only then, the offset from a partition being no offset into the disk."""
    container, aligned = found
    node: dict[str, object] = {
        "@id": node_id(case, "contained-within", record.ref), "@type": "uco-observable:ObservableRelationship",
        "uco-core:source": {"@id": me}, "uco-core:target": {"@id": container},
        "uco-core:kindOfRelationship": "Contained_Within",  # a plain xsd:string of the vocabulary (UCO 1.4)
        "uco-core:isDirectional": True}
    if record.facts.state is ItemState.CARVED and record.facts.offset is not None and aligned:
        node["uco-core:hasFacet"] = [{"@id": node_id(case, "data-range-facet", record.ref),
                                      "@type": "uco-observable:DataRangeFacet",
                                      "uco-observable:rangeOffset": record.facts.offset,
                                      **({"uco-observable:rangeSize": record.size} if record.size else {})}]
    return node


def _annotation(case: CaseRecord, record: ItemRecord, me: str) -> dict[str, object] | None:
    """What footprint concluded about the item: each match (list, entry, kind, algorithm, distance,
    category), a state other than live, and each warning."""
    matches = sorted(record.matches, key=lambda m: (m.hashset, m.entry_id, m.algorithm))
    state = record.facts.state
    if not matches and not record.warnings and state is ItemState.ALLOCATED:
        return None
    statements = [_match_statement(m) for m in matches]
    statements += [f"state {state.value}"] if state is not ItemState.ALLOCATED else []
    statements += [f"warning: {w}" for w in record.warnings]
    tags = [f"footprint:state:{state.value}"]
    tags += sorted({f"footprint:match:{m.kind.value}" for m in matches})
    tags += sorted({f"footprint:category:{m.category}" for m in matches if m.category})
    return {"@id": node_id(case, "annotation", record.ref), "@type": "uco-core:Annotation",
            "uco-core:object": [{"@id": me}], "uco-core:statement": statements, "uco-core:tag": tags}


def _match_statement(match: Match) -> str:
    how = f"{match.kind.value} {match.algorithm} match at distance {match.distance}"
    label = f" \u201c{match.label}\u201d" if match.label else ""
    category = f", category {match.category}" if match.category else ""
    return f"{how}: list {match.hashset} entry {match.entry_id}{label}{category}"


def _hashes(case: CaseRecord, key: str, values: Mapping[str, str]) -> list[dict[str, object]]:
    return [{"@id": node_id(case, "hash", f"{key}\0{algorithm}"), "@type": "uco-types:Hash",
             "uco-types:hashMethod": method,  # a plain xsd:string of HashNameVocab (UCO 1.4)
             "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": values[algorithm]}}
            for algorithm, method in HASH_METHODS.items() if values.get(algorithm)]


def _time(moment: datetime) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": moment.isoformat()}
