"""DFXML and CASE/UCO exports of the demo case, read back and checked against the store."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from importlib import metadata

import pytest
import rdflib

from footprint.model import Digests, ItemFacts, ItemRef, ItemState
from footprint.reports.case_uco import write_case_uco
from footprint.reports.dfxml import DFXML_NS, FP_NS, write_dfxml
from footprint.settings import Settings
from footprint.store import open_store
from footprint.store.base import ItemRecord

D = f"{{{DFXML_NS}}}"
F = f"{{{FP_NS}}}"
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def store(demo_scanned):
    return open_store(Settings.from_env().database_url)


def _records(store, name="demo"):
    return {r.ref: r for r in store.iter_items(store.get_case(name).id)}


def test_dfxml_export_is_well_formed_and_says_what_the_store_says(cli, store, tmp_path):
    path = tmp_path / "demo.dfxml"
    result = cli("export", "demo", "--format", "dfxml", "-o", str(path))
    assert result.code == 0, result.stderr
    root = ET.parse(path).getroot()  # raises on anything not well-formed
    assert root.tag == f"{D}dfxml" and root.get("version")
    creator = root.find(f"{D}creator")
    assert creator.findtext(f"{D}program") == "footprint"
    assert "export demo --format dfxml" in creator.findtext(f"{D}execution_environment/{D}command_line")
    libraries = {lib.get("name"): lib.get("version") for lib in creator.iter(f"{D}library")}
    assert libraries["pdqhash"] == metadata.version("pdqhash") and libraries["pytsk3"] == metadata.version("pytsk3")
    exhibit = store.list_exhibits(store.get_case("demo").id)[0]
    source = root.find(f"{D}source")
    assert source.findtext(f"{D}image_filename") == exhibit.path
    integrity = {i.get("name"): i.get("after") for i in source.iter(f"{F}integrity")}
    assert integrity == dict(exhibit.hashes_after)
    records = _records(store)
    objects = root.findall(f"{D}fileobject")
    assert [o.findtext(f"{D}filename") for o in objects] == list(records)
    for obj in objects:
        record = records[obj.findtext(f"{D}filename")]
        digests = {h.get("type"): h.text for h in obj.findall(f"{D}hashdigest")}
        assert digests == {k: v for k, v in record.digests.crypto.items() if k in ("md5", "sha1", "sha256")}
        assert int(obj.findtext(f"{D}filesize")) == record.size
        assert obj.findtext(f"{D}alloc") == "1" and obj.find(f"{D}unalloc") is None
        if record.facts.modified:
            assert datetime.fromisoformat(obj.findtext(f"{D}mtime")) == record.facts.modified
        matches = [(m.get("hashset"), int(m.get("entry")), m.get("kind"), m.get("algorithm"), int(m.get("distance")))
                   for m in obj.findall(f"{F}match")]
        assert sorted(matches) == sorted((m.hashset, m.entry_id, m.kind.value, m.algorithm, m.distance)
                                         for m in record.matches)
        assert [w.text for w in obj.findall(f"{F}warning")] == list(record.warnings)
    assert sum(bool(o.findall(f"{F}match")) for o in objects) == 9


class _OneCarvedStore:
    """Just enough of a store for the writers: one exhibit, a deleted item and a carved one with an
    awkward name (a NUL and markup) to show the writers keep the document well-formed."""

    def __init__(self, real):
        self.real = real

    def list_exhibits(self, case_id):
        return self.real.list_exhibits(case_id)

    def iter_items(self, case_id):
        exhibit = self.list_exhibits(case_id)[0].name
        digests = Digests(size=10, crypto={"md5": "0" * 32, "sha1": "1" * 40, "sha256": "2" * 64})
        deleted = ItemRecord(ref=f"{exhibit}/gone <&>.jpg", size=10, status="ok", digests=digests,
                             facts=ItemFacts(state=ItemState.DELETED), warnings=("odd\x00name",), exhibit=exhibit)
        carved = ItemRecord(ref=str(ItemRef((exhibit,)).carved(0x3F2A00)), size=10, status="ok", digests=digests,
                            facts=ItemFacts(state=ItemState.CARVED, offset=0x3F2A00), exhibit=exhibit)
        return iter([deleted, carved])


def test_dfxml_marks_deleted_and_carved_items_and_stays_well_formed(store):
    out = io.StringIO()
    case = store.get_case("demo")
    assert write_dfxml(_OneCarvedStore(store), case, out, generated=WHEN) == 2
    deleted, carved = ET.fromstring(out.getvalue()).findall(f"{D}fileobject")
    assert deleted.findtext(f"{D}unalloc") == "1" and deleted.find(f"{D}alloc") is None
    assert deleted.findtext(f"{D}filename").endswith("gone <&>.jpg")
    assert deleted.findtext(f"{F}warning") == "odd%00name"
    assert carved.findtext(f"{F}state") == "carved"
    run = carved.find(f"{D}byte_runs/{D}byte_run")
    assert run.get("img_offset") == str(0x3F2A00) and run.get("len") == "10"


def test_case_uco_export_holds_every_item_with_its_hashes_and_links(cli, store, tmp_path):
    path = tmp_path / "demo.jsonld"
    result = cli("export", "demo", "--format", "case", "-o", str(path))
    assert result.code == 0, result.stderr
    document = json.loads(path.read_text(encoding="utf-8"))
    graph = document["@graph"]
    ids = [node["@id"] for node in graph]
    assert len(ids) == len(set(ids))
    by_id = {node["@id"]: node for node in graph}
    files = {n["uco-core:hasFacet"][0]["uco-observable:filePath"]: n for n in graph
             if n["@type"] == "uco-observable:File"}
    records = _records(store)
    assert set(files) == set(records)
    for ref, node in files.items():
        content = next(f for f in node["uco-core:hasFacet"] if f["@type"] == "uco-observable:ContentDataFacet")
        hashes = {h["uco-types:hashMethod"]: h["uco-types:hashValue"]["@value"]
                  for h in content["uco-observable:hash"]}
        crypto = records[ref].digests.crypto
        assert hashes == {"MD5": crypto["md5"], "SHA1": crypto["sha1"], "SHA256": crypto["sha256"]}
        assert node["uco-core:hasFacet"][0]["uco-observable:sizeInBytes"] == records[ref].size
    relationships = [n for n in graph if n["@type"] == "uco-observable:ObservableRelationship"]
    assert len(relationships) == len(records)
    for rel in relationships:
        assert rel["uco-core:kindOfRelationship"] == "Contained_Within"
        assert rel["uco-core:source"]["@id"] in by_id and rel["uco-core:target"]["@id"] in by_id
    zip_member = files["evidence/Downloads.zip!holiday/1.jpg"]["@id"]
    target = next(r["uco-core:target"]["@id"] for r in relationships if r["uco-core:source"]["@id"] == zip_member)
    assert target == files["evidence/Downloads.zip"]["@id"]  # contained within its archive, not the exhibit
    annotations = [n for n in graph if n["@type"] == "uco-core:Annotation"]
    matched = {o["@id"] for a in annotations for o in a["uco-core:object"]
               if any(t.startswith("footprint:match:") for t in a["uco-core:tag"])}
    assert matched == {files[ref]["@id"] for ref, r in records.items() if r.matches}
    tool = next(n for n in graph if n["@type"] == "uco-tool:Tool")
    assert tool["uco-core:name"] == "footprint" and tool["uco-tool:version"]
    for node in graph:  # every reference inside the graph points at a node of the graph
        for value in _references(node):
            assert value in by_id, value


def test_case_uco_ids_are_the_same_on_every_export(store):
    case = store.get_case("demo")
    first, second = io.StringIO(), io.StringIO()
    write_case_uco(store, case, first, generated=WHEN)
    write_case_uco(store, case, second, generated=WHEN)
    assert first.getvalue() == second.getvalue()


def test_case_uco_parses_as_json_ld(store):
    out = io.StringIO()
    write_case_uco(store, store.get_case("demo"), out, generated=WHEN)
    graph = rdflib.Graph().parse(data=out.getvalue(), format="json-ld")
    observable = rdflib.Namespace("https://ontology.unifiedcyberontology.org/uco/observable/")
    files = set(graph.subjects(rdflib.RDF.type, observable.File))
    case_items = list(store.iter_items(store.get_case("demo").id))
    assert len(files) == len(case_items)
    literals = {str(o) for o in graph.objects() if isinstance(o, rdflib.Literal)}
    assert {i.digests.crypto["sha256"] for i in case_items if i.digests and "sha256" in i.digests.crypto} <= literals


def _references(node):
    if isinstance(node, dict):
        if set(node) == {"@id"}:
            yield node["@id"]
        for key, value in node.items():
            if key != "@id":
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_case_uco_export_conforms_to_the_case_ontology(store, tmp_path):
    """The CASE project's own validator (case-utils: the ontology's SHACL shapes) accepts the export:
    vocabulary values as plain strings (hash methods, the containment relationship), as UCO 1.4 wants."""
    from case_utils.case_validate import validate

    path = tmp_path / "demo.jsonld"
    with path.open("w", encoding="utf-8") as out:
        write_case_uco(store, store.get_case("demo"), out, generated=WHEN)
    result = validate(str(path))
    assert result.conforms, result.text[:2000]
    assert "xsd:string" not in result.text  # nor the warnings that a later UCO makes errors


def test_a_carved_offset_is_given_only_from_the_container_it_counts_from(store):
    """An offset carved in a partition counts from the partition's start, which is not the disk's: no
    byte range against the disk then; in a bare image's file system (``fs`` starts at 0) and in a file's
    content it is the container's own."""
    from footprint.model import ItemFacts, ItemRef, ItemState
    from footprint.reports.case_uco import _container, _containment
    from footprint.store.base import ItemRecord

    case = store.get_case("demo")
    roots = {"disk.dd": "kb:exhibit"}
    for ref, seen, ranged in (("disk.dd!p1!unallocated@0x300000", {"disk.dd"}, False),
                              ("card.img!fs!unallocated@0x300000", {"card.img"}, True),
                              ("x.bin!content@0x300000", {"x.bin"}, True)):
        record = ItemRecord(ref, 100, "ok", facts=ItemFacts(state=ItemState.CARVED, offset=0x300000))
        node = _containment(case, record, "kb:me", _container(case, ItemRef.parse(ref), seen, roots, "disk.dd"))
        assert ("uco-core:hasFacet" in node) is ranged, ref
