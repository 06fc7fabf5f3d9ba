"""A case's items as DFXML, the Digital Forensics XML that fiwalk, bulk_extractor and dfxml_python read.

One ``<fileobject>`` per item, in the store's order (exhibit, ref), written as it is read so a case
of millions of items never sits in memory. The DFXML elements carry what DFXML has a word for (the
full ref as ``filename``, size, allocation, inode, the four times, byte runs of carved items, the
MD5/SHA-1/SHA-256 digests); what only footprint knows (state, PDQ, matches, warnings) goes in
elements of footprint's own namespace at the end of each fileobject, where DFXML readers skip them.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TextIO
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from footprint import __version__
from footprint.model import ItemRef, ItemState, PerceptualDigest
from footprint.store.base import CaseRecord, ExhibitRecord, ItemRecord, Store
from footprint.versions import software

DFXML_NS = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
DC_NS = "http://purl.org/dc/elements/1.1/"
FP_NS = "urn:footprint:dfxml:1"  # footprint's extension elements, format version 1
DFXML_VERSION = "1.2.0"
CRYPTO = ("md5", "sha1", "sha256")
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold: a character it cannot (a NUL in a warning, say) becomes ``%XX``."""
    return _NOT_XML.sub(lambda m: f"%{ord(m.group()):02X}", str(value))


class _Writer:
    """A thin, indenting layer over the SAX generator: elements in DFXML's namespace or footprint's."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        # any text stream will do (the generator only calls write(str)); typeshed asks for TextIOBase
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)  # type: ignore[arg-type]
        self._depth = 0

    def begin_document(self) -> None:
        self._xml.startDocument()
        for prefix, uri in ((None, DFXML_NS), ("dc", DC_NS), ("fp", FP_NS)):
            self._xml.startPrefixMapping(prefix, uri)

    @contextmanager
    def element(self, name: str, attrs: Mapping[str, object] | None = None, ns: str = DFXML_NS) -> Iterator[None]:
        self._open(name, attrs, ns)
        self._depth += 1
        yield
        self._depth -= 1
        self._xml.ignorableWhitespace("\n" + "  " * self._depth)
        self._xml.endElementNS((ns, name), None)

    def leaf(self, name: str, text: object = None, attrs: Mapping[str, object] | None = None,
             ns: str = DFXML_NS) -> None:
        self._open(name, attrs, ns)
        if text is not None:
            self._xml.characters(xml_text(text))
        self._xml.endElementNS((ns, name), None)

    def _open(self, name: str, attrs: Mapping[str, object] | None, ns: str) -> None:
        if self._depth:  # the root follows the XML declaration's own line break
            self._xml.ignorableWhitespace("\n" + "  " * self._depth)
        qualified = {(FP_NS if ":" in k else None, k.split(":")[-1]): xml_text(v)
                     for k, v in (attrs or {}).items() if v is not None}
        self._xml.startElementNS((ns, name), None, AttributesNSImpl(qualified, {}))

    def end_document(self) -> None:
        self._xml.endDocument()
        self._out.write("\n")


def write_dfxml(store: Store, case: CaseRecord, out: TextIO, *, generated: datetime,
                command_line: str = "") -> int:
    """Write the case as one DFXML document; returns the number of fileobjects."""
    w = _Writer(out)
    w.begin_document()
    count = 0
    with w.element("dfxml", {"version": DFXML_VERSION}):
        with w.element("metadata"):
            w.leaf("type", f"Hash-matching results: every item of footprint case {case.name}", ns=DC_NS)
        _creator(w, generated, command_line)
        for exhibit in sorted(store.list_exhibits(case.id), key=lambda e: (e.name, e.id)):
            _source(w, exhibit)
        for record in store.iter_items(case.id):
            count += 1
            _fileobject(w, record, count)
    w.end_document()
    return count


def _creator(w: _Writer, generated: datetime, command_line: str) -> None:
    uname = platform.uname()
    with w.element("creator", {"version": "1.0"}):
        w.leaf("program", "footprint")
        w.leaf("version", __version__)
        with w.element("execution_environment"):
            w.leaf("os_sysname", uname.system)
            w.leaf("os_release", uname.release)
            w.leaf("os_version", uname.version)
            w.leaf("host", uname.node)
            w.leaf("arch", uname.machine)
            w.leaf("command_line", command_line)
            w.leaf("start_time", generated.isoformat())
        for name, version in software().items():  # this export's; each scan run records its own
            if name not in ("footprint", "pdq-blur"):
                w.leaf("library", attrs={"name": name, "version": version})


def _source(w: _Writer, exhibit: ExhibitRecord) -> None:
    """One source per exhibit: its file name, its own digests, and footprint's integrity check."""
    with w.element("source"):
        w.leaf("image_filename", exhibit.path)
        for algorithm in CRYPTO:
            if exhibit.hashes_before.get(algorithm):
                w.leaf("hashdigest", exhibit.hashes_before[algorithm], {"type": algorithm})
        attrs = {"name": exhibit.name, "kind": exhibit.kind, "size": exhibit.size, "status": exhibit.status}
        with w.element("exhibit", attrs, ns=FP_NS):
            for name in sorted(set(exhibit.hashes_before) | set(exhibit.hashes_after)):
                w.leaf("integrity", None, {"name": name, "before": exhibit.hashes_before.get(name),
                                           "after": exhibit.hashes_after.get(name)}, ns=FP_NS)
            check = exhibit.details.get("ewf_verification")
            if isinstance(check, Mapping):
                w.leaf("ewf_verification", None, {k: _plain(v) for k, v in sorted(check.items())}, ns=FP_NS)


def _fileobject(w: _Writer, record: ItemRecord, number: int) -> None:
    facts = record.facts
    with w.element("fileobject"):
        w.leaf("filename", record.ref)
        w.leaf("id", number)
        w.leaf("name_type", "r")
        if record.size is not None:
            w.leaf("filesize", record.size)
        w.leaf("unalloc" if facts.state is not ItemState.ALLOCATED else "alloc", 1)
        if facts.inode and facts.inode.isdigit():
            w.leaf("inode", facts.inode)
        for element, moment in (("mtime", facts.modified), ("ctime", facts.changed),
                                ("atime", facts.accessed), ("crtime", facts.created)):
            if moment:
                w.leaf(element, moment.isoformat())
        if facts.state is ItemState.CARVED and facts.offset is not None:
            _byte_runs(w, record)
        crypto = record.digests.crypto if record.digests else {}
        for algorithm in CRYPTO:
            if crypto.get(algorithm):
                w.leaf("hashdigest", crypto[algorithm], {"type": algorithm})
        _footprint_facts(w, record)


def _byte_runs(w: _Writer, record: ItemRecord) -> None:
    """Where a carved item's bytes lay: as an image offset when its parent is the exhibit itself,
    else as an offset in its parent container (footprint's attribute; DFXML has no word for it)."""
    ref = ItemRef.parse(record.ref)
    parent = ref.parent_container
    offset = record.facts.offset
    attrs: dict[str, object] = {"file_offset": 0, "len": record.size}
    if parent is not None and parent.depth == 0:
        attrs["img_offset"] = offset
    else:
        attrs.update({"fp:parent": str(parent) if parent else None, "fp:parent_offset": offset})
    with w.element("byte_runs"):
        w.leaf("byte_run", None, attrs)


def _footprint_facts(w: _Writer, record: ItemRecord) -> None:
    digests = record.digests
    w.leaf("state", record.facts.state.value, ns=FP_NS)
    w.leaf("status", record.status, {"reason": record.reason}, ns=FP_NS)
    if record.facts.inode and not record.facts.inode.isdigit():
        w.leaf("inode", record.facts.inode, ns=FP_NS)
    if digests and digests.media_type:
        w.leaf("media_type", digests.media_type, ns=FP_NS)
    pdq = digests.perceptual.get("pdq") if digests else None
    if isinstance(pdq, PerceptualDigest):
        w.leaf("pdq", pdq.value, {"quality": pdq.quality}, ns=FP_NS)
    for match in sorted(record.matches, key=lambda m: (m.hashset, m.entry_id, m.algorithm)):
        w.leaf("match", None, {"hashset": match.hashset, "entry": match.entry_id, "kind": match.kind.value,
                               "algorithm": match.algorithm, "distance": match.distance, "label": match.label,
                               "category": str(match.category) if match.category else None}, ns=FP_NS)
    for warning in record.warnings:
        w.leaf("warning", warning, ns=FP_NS)


def _plain(value: object) -> object:
    return str(value).lower() if isinstance(value, bool) else value
